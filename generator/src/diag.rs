//! Diagnostics: every problem apigen reports, with where it is.
//!
//! A diagnostic names the file, the line and column when they are known, and
//! the JSON pointer of the offending node, so that a person can find the
//! problem in a spec they did not write. Lowering collects diagnostics instead
//! of stopping at the first one; the caller decides whether errors abort.

use std::fmt;
use std::path::{Path, PathBuf};

/// How bad a [`Diagnostic`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Generation went on with a documented fallback.
    Warning,
    /// Nothing was written.
    Error,
}

/// One problem found in a spec, a config file or the output folder.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Path of the file, as the user gave it or relative to the config.
    pub file: Option<String>,
    /// 1-based line and column, when the input is YAML or JSON text.
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// JSON pointer of the offending node, e.g. `#/paths/~1pets/get`.
    pub pointer: Option<String>,
    pub message: String,
    /// What to do about it, when there is something to do.
    pub help: Option<String>,
    /// The text of `line`, for a rustc-style snippet.
    #[serde(skip)]
    pub source_line: Option<String>,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            file: None,
            line: None,
            column: None,
            pointer: None,
            message: message.into(),
            help: None,
            source_line: None,
        }
    }

    pub fn warning(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(message)
        }
    }

    pub fn in_file(mut self, file: impl Into<String>) -> Self {
        self.file = Some(file.into());
        self
    }

    pub fn at_pointer(mut self, pointer: impl Into<String>) -> Self {
        self.pointer = Some(pointer.into());
        self
    }

    pub fn at_line_col(mut self, line: usize, column: usize) -> Self {
        self.line = Some(line);
        self.column = Some(column);
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    /// rustc's layout: the message, the location, the source line with a
    /// caret under the column, then the help.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        write!(f, "{level}: {}", self.message)?;
        let mut location = String::new();
        if let Some(file) = &self.file {
            location.push_str(file);
            if let (Some(line), Some(column)) = (self.line, self.column) {
                location.push_str(&format!(":{line}:{column}"));
            }
        }
        if let Some(pointer) = &self.pointer {
            if !location.is_empty() {
                location.push(' ');
            }
            location.push_str(&format!("at {pointer}"));
        }
        if !location.is_empty() {
            write!(f, "\n  --> {location}")?;
        }
        if let (Some(line), Some(column), Some(text)) = (self.line, self.column, &self.source_line)
        {
            let number = line.to_string();
            let gutter = " ".repeat(number.len());
            let text: String = text.chars().take(200).collect();
            let pad: String = text
                .chars()
                .take(column.saturating_sub(1))
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            write!(f, "\n {gutter} |\n {number} | {text}\n {gutter} | {pad}^")?;
        }
        if let Some(help) = &self.help {
            write!(f, "\n  = help: {help}")?;
        }
        Ok(())
    }
}

/// The error type of the library: one or more diagnostics, at least one of
/// them an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    diagnostics: Vec<Diagnostic>,
}

impl Error {
    pub fn new(diagnostics: Vec<Diagnostic>) -> Self {
        Error { diagnostics }
    }

    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }
}

impl From<Diagnostic> for Error {
    fn from(diagnostic: Diagnostic) -> Self {
        Error::new(vec![diagnostic])
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, diagnostic) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{diagnostic}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// Escapes one JSON pointer token (RFC 6901).
pub fn escape_token(token: &str) -> String {
    let mut escaped = String::with_capacity(token.len());
    push_escaped(&mut escaped, token);
    escaped
}

/// Appends tokens to a pointer such as `#/paths`.
pub fn join(pointer: &str, token: &str) -> String {
    let mut joined = String::with_capacity(pointer.len() + 1 + token.len());
    joined.push_str(pointer);
    push_token(&mut joined, token);
    joined
}

/// Appends `/` and the escaped token to `pointer` in place: [`join`] for
/// walks that grow one pointer and cut it back.
pub fn push_token(pointer: &mut String, token: &str) {
    pointer.push('/');
    push_escaped(pointer, token);
}

/// Appends `token` with `~` and `/` escaped; most tokens have neither.
fn push_escaped(out: &mut String, token: &str) {
    if !token.contains(['~', '/']) {
        out.push_str(token);
        return;
    }
    for c in token.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
}

/// A relative, `/`-separated rendering of `path` that does not depend on
/// the machine: absolute paths are shown relative to the current
/// directory when inside it, else by file name.
pub fn display_path(path: &Path) -> String {
    let relative = if path.is_absolute() {
        std::env::current_dir()
            .ok()
            .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
            .unwrap_or_else(|| path.file_name().map(PathBuf::from).unwrap_or_default())
    } else {
        path.to_path_buf()
    };
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .filter(|c| c != ".")
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_escaped_as_json_pointer_says() {
        let cases = [
            ("a", "a"),
            ("a/b", "a~1b"),
            ("~x", "~0x"),
            ("~/~1", "~0~1~01"),
            ("", ""),
            ("é/~", "é~1~0"),
            ("0", "0"),
        ];
        for (token, escaped) in cases {
            assert_eq!(escape_token(token), escaped);
            assert_eq!(join("#/x", token), format!("#/x/{escaped}"));
            let mut pointer = "#/x".to_string();
            push_token(&mut pointer, token);
            assert_eq!(pointer, format!("#/x/{escaped}"), "{token}");
        }
    }
}
