//! Reading a spec file into openapiv3 types, with located errors.
//!
//! The text is parsed into a `serde_json::Value` first (YAML or JSON), the
//! `openapi` version is checked, and only then is the value deserialized into
//! `openapiv3::OpenAPI` through `serde_path_to_error`, so a structural error
//! carries the JSON pointer of the node that failed.

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::diag::{Diagnostic, Error};

/// Specs larger than this are refused before parsing.
pub const MAX_SPEC_BYTES: u64 = 64 * 1024 * 1024;

/// A parsed spec document.
#[derive(Debug, Clone)]
pub struct Document {
    /// Path as shown in diagnostics and headers (relative, `/`-separated).
    pub display: String,
    /// Hex SHA-256 of the file's bytes.
    pub sha256: String,
    pub openapi: openapiv3::OpenAPI,
}

/// Reads and parses the spec at `path`; `display` is how it is named in
/// diagnostics and in generated headers.
pub fn load(path: &Path, display: &str) -> Result<Document, Error> {
    let in_file = |d: Diagnostic| d.in_file(display);
    let metadata = std::fs::metadata(path).map_err(|e| {
        in_file(Diagnostic::error(format!(
            "cannot read the spec: {}",
            io_reason(&e)
        )))
        .with_help("pass the spec with `--spec FILE` or set `spec` in spec/apigen.toml")
    })?;
    if metadata.is_dir() {
        return Err(
            in_file(Diagnostic::error("the spec is a directory, not a file"))
                .with_help("pass the spec file itself, e.g. `--spec spec/api.yaml`")
                .into(),
        );
    }
    if metadata.len() > MAX_SPEC_BYTES {
        return Err(in_file(Diagnostic::error(format!(
            "the spec is {} bytes, more than the limit of {MAX_SPEC_BYTES}",
            metadata.len()
        )))
        .into());
    }
    let bytes = std::fs::read(path).map_err(|e| {
        in_file(Diagnostic::error(format!(
            "cannot read the spec: {}",
            io_reason(&e)
        )))
    })?;
    let sha256 = hex(&Sha256::digest(&bytes));
    let text = std::str::from_utf8(&bytes).map_err(|e| {
        let (line, column) = line_col(&bytes, e.valid_up_to());
        in_file(Diagnostic::error("the spec is not valid UTF-8"))
            .at_line_col(line, column)
            .with_help("save the file as UTF-8")
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let in_file_all = |e: Error| {
        Error::new(
            e.diagnostics()
                .iter()
                .cloned()
                .map(|d| d.in_file(display))
                .collect(),
        )
    };
    let mut value = parse_text(text, path).map_err(in_file_all)?;
    check_version(&value).map_err(in_file_all)?;
    crate::bundle::bundle(&mut value, path, display)?;
    let openapi: openapiv3::OpenAPI = serde_path_to_error::deserialize(value).map_err(|e| {
        let pointer = pointer_from_path(e.path());
        in_file(Diagnostic::error(format!(
            "not a valid OpenAPI 3.0 document: {}",
            e.inner()
        )))
        .at_pointer(pointer)
    })?;
    Ok(Document {
        display: display.to_string(),
        sha256,
        openapi,
    })
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn line_col(bytes: &[u8], offset: usize) -> (usize, usize) {
    let before = bytes.get(..offset).unwrap_or(bytes);
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = before.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
    (line, column)
}

/// Parses JSON (by extension or a leading `{`) or YAML into a JSON value.
pub(crate) fn parse_text(text: &str, path: &Path) -> Result<serde_json::Value, Error> {
    let is_json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        || text.trim_start().starts_with('{');
    if is_json {
        serde_json::from_str(text).map_err(|e| {
            Error::from(
                Diagnostic::error(format!("invalid JSON: {e}")).at_line_col(e.line(), e.column()),
            )
        })
    } else {
        serde_yaml::from_str(text).map_err(|e| {
            let mut d = Diagnostic::error(format!("invalid YAML: {}", yaml_message(&e)));
            if let Some(location) = e.location() {
                d = d.at_line_col(location.line(), location.column());
            }
            Error::from(d)
        })
    }
}

/// serde_yaml appends " at line L column C" to its messages; the location
/// is reported separately.
fn yaml_message(e: &serde_yaml::Error) -> String {
    let message = e.to_string();
    match message.find(" at line ") {
        Some(i) => message.get(..i).unwrap_or(&message).to_string(),
        None => message,
    }
}

const SUPPORTED: &str = "apigen supports OpenAPI 3.0.0 to 3.0.4";

fn check_version(value: &serde_json::Value) -> Result<(), Error> {
    let Some(object) = value.as_object() else {
        return Err(
            Diagnostic::error("not an OpenAPI document: the top level is not a mapping")
                .at_pointer("#")
                .with_help(SUPPORTED)
                .into(),
        );
    };
    if let Some(swagger) = object.get("swagger") {
        return Err(Diagnostic::error(format!(
            "Swagger {} is not supported",
            swagger.as_str().unwrap_or("2.0")
        ))
        .at_pointer("#/swagger")
        .with_help(format!(
            "{SUPPORTED}; convert the spec to OpenAPI 3.0 first"
        ))
        .into());
    }
    match object.get("openapi") {
        None => Err(
            Diagnostic::error("not an OpenAPI document: no `openapi` field")
                .at_pointer("#")
                .with_help(SUPPORTED)
                .into(),
        ),
        Some(serde_json::Value::String(v)) if v.starts_with("3.0.") => Ok(()),
        Some(v) => {
            let shown = v
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| v.to_string());
            Err(
                Diagnostic::error(format!("OpenAPI version {shown} is not supported"))
                    .at_pointer("#/openapi")
                    .with_help(SUPPORTED)
                    .into(),
            )
        }
    }
}

/// Turns a serde_path_to_error path into a JSON pointer.
fn pointer_from_path(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut pointer = String::from("#");
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => pointer = crate::diag::join(&pointer, &index.to_string()),
            Segment::Map { key } => pointer = crate::diag::join(&pointer, key),
            Segment::Enum { .. } | Segment::Unknown => {}
        }
    }
    pointer
}
