//! Where the two specs come from: files, or a revision of a git work tree.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::diag::{Diagnostic, Error};

/// Where a spec comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub(super) path: PathBuf,
    pub(super) display: String,
    pub(super) bytes: Option<Vec<u8>>,
}

impl Source {
    /// A spec file on disk, named in messages as `display`. Multi-file
    /// specs resolve their relative references next to it.
    pub fn file(path: impl Into<PathBuf>, display: impl Into<String>) -> Self {
        Source {
            path: path.into(),
            display: display.into(),
            bytes: None,
        }
    }

    /// A spec's bytes, read from elsewhere (such as git). `name` picks YAML
    /// or JSON by its extension. Only single-file specs are supported: the
    /// files a relative `$ref` names are not at hand.
    pub fn bytes(bytes: Vec<u8>, name: impl Into<PathBuf>, display: impl Into<String>) -> Self {
        Source {
            path: name.into(),
            display: display.into(),
            bytes: Some(bytes),
        }
    }
}

/// Reads `spec` as it is at git revision `rev` (`git show REV:<path>`,
/// with the path relative to the top of the work tree holding `spec`).
pub fn git_source(rev: &str, spec: &Path) -> Result<Source, Error> {
    if rev.is_empty() || rev.starts_with('-') || rev.contains(char::is_whitespace) {
        return Err(Diagnostic::error(format!("`{rev}` is not a git revision"))
            .with_help("pass a branch, tag or commit, e.g. `--base main`")
            .into());
    }
    let absolute = spec.canonicalize().map_err(|e| {
        Diagnostic::error(format!("cannot read the spec: {e}"))
            .in_file(crate::diag::display_path(spec))
    })?;
    let folder = absolute.parent().unwrap_or(&absolute);
    let top = git(folder, &["rev-parse", "--show-toplevel"])
        .map_err(|message| {
            Diagnostic::error(format!(
                "`--base` needs a git work tree: {message}"
            ))
            .in_file(crate::diag::display_path(spec))
            .with_help("run inside a git repository, or pass the old spec as a file: `apigen diff OLD NEW`")
        })?;
    let top = PathBuf::from(String::from_utf8_lossy(&top).trim());
    let top = top.canonicalize().unwrap_or(top);
    let relative = absolute
        .strip_prefix(&top)
        .map_err(|_| {
            Diagnostic::error("the spec is outside the git work tree")
                .in_file(crate::diag::display_path(spec))
        })?
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/");
    let object = format!("{rev}:{relative}");
    let bytes = git(&top, &["show", &object]).map_err(|message| {
        Diagnostic::error(format!("cannot read `{object}` from git: {message}")).with_help(format!(
            "check that `{rev}` names a commit and that it holds `{relative}`"
        ))
    })?;
    Ok(Source::bytes(bytes, absolute, object))
}

/// Runs git in `dir`; its stdout, or the first line of its stderr.
fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let first = stderr.lines().next().unwrap_or("").trim();
        Err(if first.is_empty() {
            format!("git exited with {}", output.status)
        } else {
            first.to_string()
        })
    }
}

/// Refuses specs with relative `$ref`s, whose other files cannot be read
/// at the revision. Text that does not parse is left to the loader, which
/// reports it with a location.
pub(super) fn check_single_file(bytes: &[u8], display: &str) -> Result<(), Error> {
    let Ok(value) = serde_yaml::from_slice::<serde_yaml::Value>(bytes) else {
        return Ok(());
    };
    let mut stack = vec![&value];
    while let Some(node) = stack.pop() {
        match node {
            serde_yaml::Value::Mapping(map) => {
                for (key, child) in map {
                    if let (Some("$ref"), Some(target)) = (key.as_str(), child.as_str()) {
                        if !target.starts_with('#') {
                            return Err(Diagnostic::error(format!(
                                "`{display}` refers to another file (`$ref: {target}`); reading the old spec from git supports single-file specs only"
                            ))
                            .in_file(display)
                            .with_help("check the old revision out in a separate work tree (`git worktree add`) and run `apigen diff OLD NEW`")
                            .into());
                        }
                    }
                    stack.push(child);
                }
            }
            serde_yaml::Value::Sequence(items) => stack.extend(items),
            serde_yaml::Value::Tagged(tagged) => stack.push(&tagged.value),
            _ => {}
        }
    }
    Ok(())
}

/// A folder under the system temp folder, removed on drop.
pub(super) struct TempFolder {
    pub(super) path: PathBuf,
}

impl TempFolder {
    pub(super) fn new() -> Result<TempFolder, Error> {
        use std::sync::atomic::{AtomicU64, Ordering};
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let base = std::env::temp_dir();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let mut last = None;
        for _ in 0..16 {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let path = base.join(format!("apigen-diff-{}-{nanos}-{n}", std::process::id()));
            match std::fs::create_dir(&path) {
                Ok(()) => return Ok(TempFolder { path }),
                Err(e) => last = Some(e),
            }
        }
        let why = last.map_or_else(String::new, |e| e.to_string());
        Err(Diagnostic::error(format!("cannot create a temporary folder: {why}")).into())
    }
}

impl Drop for TempFolder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}
