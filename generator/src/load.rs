//! Reading a spec file into openapiv3 types, with located errors.
//!
//! The text is read into a `serde_json::Value` (by serde_json or
//! serde_yaml, through one visitor that refuses repeated keys), the
//! `openapi` version is checked, external references are bundled, and the
//! value is deserialized into `openapiv3::OpenAPI`. Only a document that
//! does not deserialize is read again, and deserialized through
//! `serde_path_to_error`, so that a structural error carries the JSON
//! pointer of the node that failed; [`crate::locate`] turns pointers into
//! line:column once there is an error to place.

use std::cell::Cell;
use std::path::Path;

use serde::de::{DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
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
    /// The spec, bundled: every `$ref` in it is local.
    pub openapi: openapiv3::OpenAPI,
    /// The root file's text, to locate diagnostics in (see `locate`).
    pub text: String,
}

/// Reads and parses the spec at `path`; `display` is how it is named in
/// diagnostics and in generated headers.
pub fn load(path: &Path, display: &str) -> Result<Document, Error> {
    let bytes = read(path, display)?;
    load_owned(bytes, path, display)
}

/// Reads the spec file, with the size cap.
fn read(path: &Path, display: &str) -> Result<Vec<u8>, Error> {
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
    std::fs::read(path).map_err(|e| {
        in_file(Diagnostic::error(format!(
            "cannot read the spec: {}",
            io_reason(&e)
        )))
        .into()
    })
}

/// Parses spec bytes; `path` locates relative references and picks JSON or
/// YAML by extension.
pub fn load_bytes(bytes: &[u8], path: &Path, display: &str) -> Result<Document, Error> {
    load_owned(bytes.to_vec(), path, display)
}

/// [`load_bytes`], keeping `bytes` as the document's text rather than
/// copying them.
fn load_owned(bytes: Vec<u8>, path: &Path, display: &str) -> Result<Document, Error> {
    let in_file = |d: Diagnostic| d.in_file(display);
    if bytes.len() as u64 > MAX_SPEC_BYTES {
        return Err(in_file(Diagnostic::error(format!(
            "the spec is {} bytes, more than the limit of {MAX_SPEC_BYTES}",
            bytes.len()
        )))
        .into());
    }
    let mut text = String::from_utf8(bytes).map_err(|e| {
        let (line, column) = line_col(e.as_bytes(), e.utf8_error().valid_up_to());
        in_file(Diagnostic::error("the spec is not valid UTF-8"))
            .at_line_col(line, column)
            .with_help("save the file as UTF-8")
    })?;
    // The hash is of the bytes as read; the document is the text without
    // its BOM.
    let sha256 = hex(&Sha256::digest(text.as_bytes()));
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    let openapi = parse(&text, path, display)?;
    Ok(Document {
        display: display.to_string(),
        sha256,
        openapi,
        text,
    })
}

/// The document `text` holds: read, checked for its version, bundled and
/// deserialized, with every error in `display`'s file and located.
fn parse(text: &str, path: &Path, display: &str) -> Result<openapiv3::OpenAPI, Error> {
    // Reading errors come with their line and column.
    let in_file = |e: Error| {
        Error::new(
            e.diagnostics()
                .iter()
                .cloned()
                .map(|d| d.in_file(display))
                .collect(),
        )
    };
    let located = |e: Error| located(text, display, e);
    let mut value = parse_text(text, path).map_err(in_file)?;
    check_version(&value).map_err(located)?;
    crate::bundle::bundle(&mut value, path, display).map_err(located)?;
    // The value is consumed as it is deserialized, which frees it part by
    // part. Tracking the path of an error costs a fifth of the time, so a
    // document that fails is read again to say where.
    if let Ok(openapi) = serde_json::from_value(value) {
        return Ok(openapi);
    }
    let mut value = parse_text(text, path).map_err(in_file)?;
    crate::bundle::bundle(&mut value, path, display).map_err(located)?;
    match serde_path_to_error::deserialize::<_, openapiv3::OpenAPI>(&value) {
        Ok(openapi) => Ok(openapi),
        Err(e) => Err(located(invalid_document(&value, &e))),
    }
}

/// The diagnostics of `e` about the root file (those in no file yet or
/// in `display`), put in `display` with the line, column and source line
/// of their pointers in `text`.
fn located(text: &str, display: &str, e: Error) -> Error {
    let ours = |d: &Diagnostic| d.file.is_none() || d.file.as_deref() == Some(display);
    let pointers: Vec<&str> = e
        .diagnostics()
        .iter()
        .filter(|d| ours(d))
        .filter_map(|d| d.pointer.as_deref())
        .collect();
    let source_map = crate::locate::positions_of(text, &pointers);
    Error::new(
        e.diagnostics()
            .iter()
            .cloned()
            .map(|mut d| {
                if ours(&d) {
                    d = d.in_file(display);
                    source_map.annotate(&mut d);
                }
                d
            })
            .collect(),
    )
}

/// The error of a document that does not deserialize, at the smallest
/// failing part of it.
fn invalid_document(
    value: &serde_json::Value,
    e: &serde_path_to_error::Error<serde_json::Error>,
) -> Error {
    let (pointer, message) = structural_error(value)
        .unwrap_or_else(|| (pointer_from_path(e.path()), e.inner().to_string()));
    let message = explain(&message);
    Diagnostic::error(format!("not a valid OpenAPI 3.0 document: {message}"))
        .at_pointer(pointer)
        .into()
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

/// Parses JSON (by extension or a leading `{`) or YAML into a JSON value,
/// refusing a mapping that repeats a key (serde_json and serde_yaml keep
/// one of the two silently). Both parsers bound nesting at 128 levels,
/// which the reader's recursion goes through.
pub fn parse_text(text: &str, path: &Path) -> Result<Value, Error> {
    let repeated = Cell::new(false);
    let reader = UniqueKeys {
        repeated: &repeated,
    };
    let read = if is_json(text, path) {
        read_json(text, reader)
    } else {
        read_yaml(text, reader)
    };
    read.map_err(|error| {
        // The reader knows which key repeats but not where: the walk of
        // `locate` finds it, with its pointer and its first place.
        if repeated.get() {
            let (map, mut found) = crate::locate::scan(text);
            if !found.is_empty() {
                found.iter_mut().for_each(|d| map.annotate(d));
                return Error::new(found);
            }
        }
        error
    })
}

fn read_json(text: &str, reader: UniqueKeys<'_>) -> Result<Value, Error> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    reader
        .deserialize(&mut deserializer)
        .and_then(|value| deserializer.end().map(|()| value))
        .map_err(|e| {
            let message = e.to_string();
            let message = message
                .find(" at line ")
                .and_then(|i| message.get(..i))
                .unwrap_or(&message);
            Diagnostic::error(format!("invalid JSON: {message}"))
                .at_line_col(e.line(), e.column())
                .into()
        })
}

fn read_yaml(text: &str, reader: UniqueKeys<'_>) -> Result<Value, Error> {
    reader
        .deserialize(serde_yaml::Deserializer::from_str(text))
        .map_err(|e| {
            let d = Diagnostic::error(format!("invalid YAML: {}", yaml_message(&e)));
            match e.location() {
                Some(location) => d.at_line_col(location.line(), location.column()),
                None => d,
            }
            .into()
        })
}

/// Builds the value that `serde_json::Value`'s own deserializer builds,
/// from JSON and YAML alike, but fails on a mapping that repeats a key,
/// and then sets `repeated`.
#[derive(Clone, Copy)]
struct UniqueKeys<'r> {
    repeated: &'r Cell<bool>,
}

impl<'de> DeserializeSeed<'de> for UniqueKeys<'_> {
    type Value = Value;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for UniqueKeys<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any valid JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    // Integers beyond 64 bits (YAML has them) as `serde_json::Value` takes
    // them.
    fn visit_i128<E: serde::de::Error>(self, v: i128) -> Result<Value, E> {
        serde::Deserialize::deserialize(serde::de::value::I128Deserializer::<E>::new(v))
    }
    fn visit_u128<E: serde::de::Error>(self, v: u128) -> Result<Value, E> {
        serde::Deserialize::deserialize(serde::de::value::U128Deserializer::<E>::new(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        self.deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        use serde_json::map::Entry;
        let mut object = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            match object.entry(key) {
                Entry::Vacant(entry) => {
                    entry.insert(map.next_value_seed(self)?);
                }
                Entry::Occupied(entry) => {
                    self.repeated.set(true);
                    let message = format!("duplicate key `{}`", entry.key());
                    return Err(serde::de::Error::custom(message));
                }
            }
        }
        Ok(Value::Object(object))
    }
}

/// Whether the text is read as JSON: by extension or a leading `{`.
fn is_json(text: &str, path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        || text.trim_start().starts_with('{')
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

/// Deserializes `value` as `T`, returning the pointer (under `base`) and
/// message of the first error. A `ReferenceOr<T>` is tried as `T` when it
/// is not a reference, which keeps the path of the error.
fn first_error<T: serde::de::DeserializeOwned>(
    value: &serde_json::Value,
    base: &str,
) -> Option<(String, String)> {
    first_error_of::<T>(value, base)
}

fn first_error_or_ref<T: serde::de::DeserializeOwned>(
    value: &serde_json::Value,
    base: &str,
) -> Option<(String, String)> {
    if value.get("$ref").is_some() {
        first_error_of::<openapiv3::ReferenceOr<T>>(value, base)
    } else {
        first_error_of::<T>(value, base)
    }
}

fn first_error_of<T: serde::de::DeserializeOwned>(
    value: &serde_json::Value,
    base: &str,
) -> Option<(String, String)> {
    match serde_path_to_error::deserialize::<_, T>(value) {
        Ok(_) => None,
        Err(e) => {
            let sub = pointer_from_path(e.path());
            let pointer = format!("{base}{}", sub.strip_prefix('#').unwrap_or(&sub));
            Some((pointer, e.inner().to_string()))
        }
    }
}

/// openapiv3 parses paths and references through untagged enums, which
/// lose the position of an error. This finds the smallest part of the
/// document that fails on its own: an operation's parameter, body or
/// response, a path item, or a component.
fn structural_error(value: &serde_json::Value) -> Option<(String, String)> {
    use crate::diag::join;
    use openapiv3 as oa;
    if let Some(paths) = value.get("paths").and_then(serde_json::Value::as_object) {
        for (path, item) in paths {
            let item_pointer = join("#/paths", path);
            if first_error::<oa::PathItem>(item, &item_pointer).is_none() {
                continue;
            }
            for method in [
                "get", "put", "post", "delete", "options", "head", "patch", "trace",
            ] {
                let Some(op) = item.get(method) else { continue };
                let op_pointer = join(&item_pointer, method);
                let Some(op_error) = first_error::<oa::Operation>(op, &op_pointer) else {
                    continue;
                };
                if let Some(params) = op.get("parameters").and_then(serde_json::Value::as_array) {
                    for (i, param) in params.iter().enumerate() {
                        let p = join(&join(&op_pointer, "parameters"), &i.to_string());
                        if let Some(found) = first_error_or_ref::<oa::Parameter>(param, &p) {
                            return Some(found);
                        }
                    }
                }
                if let Some(body) = op.get("requestBody") {
                    if let Some(found) = first_error_or_ref::<oa::RequestBody>(
                        body,
                        &join(&op_pointer, "requestBody"),
                    ) {
                        return Some(found);
                    }
                }
                if let Some(responses) = op.get("responses").and_then(serde_json::Value::as_object)
                {
                    for (code, response) in responses {
                        let p = join(&join(&op_pointer, "responses"), code);
                        if let Some(found) = first_error_or_ref::<oa::Response>(response, &p) {
                            return Some(found);
                        }
                    }
                }
                return Some(op_error);
            }
            if let Some(params) = item.get("parameters").and_then(serde_json::Value::as_array) {
                for (i, param) in params.iter().enumerate() {
                    let p = join(&join(&item_pointer, "parameters"), &i.to_string());
                    if let Some(found) = first_error_or_ref::<oa::Parameter>(param, &p) {
                        return Some(found);
                    }
                }
            }
            return first_error::<oa::PathItem>(item, &item_pointer);
        }
    }
    let components = value.get("components")?;
    let sections: [(&str, Check); 5] = [
        ("schemas", first_error_or_ref::<oa::Schema>),
        ("parameters", first_error_or_ref::<oa::Parameter>),
        ("responses", first_error_or_ref::<oa::Response>),
        ("requestBodies", first_error_or_ref::<oa::RequestBody>),
        ("securitySchemes", first_error_or_ref::<oa::SecurityScheme>),
    ];
    for (section, check) in sections {
        let Some(entries) = components
            .get(section)
            .and_then(serde_json::Value::as_object)
        else {
            continue;
        };
        for (name, node) in entries {
            if let Some(found) = check(node, &join(&join("#/components", section), name)) {
                return Some(found);
            }
        }
    }
    None
}

/// Checks one node, returning the pointer and message of its first error.
type Check = fn(&serde_json::Value, &str) -> Option<(String, String)>;

/// Rewrites serde's messages about openapiv3's internals into the
/// spec's terms.
fn explain(message: &str) -> String {
    if message.contains("ParameterSchemaOrContent") {
        return "a parameter needs `schema` or `content`".to_string();
    }
    if message.contains("did not match any variant of untagged enum ReferenceOr") {
        return "neither a `$ref` nor a valid object".to_string();
    }
    message.to_string()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn load(text: &str, name: &str) -> Result<Document, Error> {
        load_bytes(text.as_bytes(), Path::new(name), name)
    }

    /// The one diagnostic of reading `text` as `name`.
    fn read_error(text: &str, name: &str) -> Diagnostic {
        let error = parse_text(text, Path::new(name)).unwrap_err();
        assert_eq!(error.diagnostics().len(), 1, "{error:?}");
        error.diagnostics()[0].clone()
    }

    /// The hand-written spec and the YAML fixtures.
    pub(crate) fn repository_yaml_specs() -> Vec<std::path::PathBuf> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut files = vec![root.join("spec/highlevel-calendars.yaml")];
        for entry in std::fs::read_dir(root.join("tests/fixtures")).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "yaml") {
                files.push(path);
            }
        }
        files.sort();
        assert!(files.len() >= 6, "found only {files:?}");
        files
    }

    /// The reader builds what serde_json and serde_yaml build into a
    /// `serde_json::Value`: for the repository's specs, and for scalars of
    /// every kind.
    #[test]
    fn specs_read_as_serde_reads_them() {
        let yaml = |text: &str| -> Value { serde_yaml::from_str(text).unwrap() };
        let json = |text: &str| -> Value { serde_json::from_str(text).unwrap() };
        let same = |ours: Value, theirs: Value| {
            assert_eq!(
                serde_json::to_string(&ours).unwrap(),
                serde_json::to_string(&theirs).unwrap()
            );
        };
        for file in repository_yaml_specs() {
            let text = std::fs::read_to_string(&file).unwrap();
            same(parse_text(&text, &file).unwrap(), yaml(&text));
        }
        // Scalars of every kind; what serde_yaml does not take (integers
        // beyond 64 bits, complex keys) the reader does not take either.
        let path = Path::new("s.yaml");
        let scalars = "a: [1, -2, 3.5, -0.0, 1e300, .nan, .inf, 0x1f, 0o17, 018, 1_000]\nb: [true, false, ~, null, '', \"x\", yes]\nc: 18446744073709551615\n200: {z: {}, y: []}\n";
        same(parse_text(scalars, path).unwrap(), yaml(scalars));
        for refused in [
            "d: 18446744073709551616\n",
            "e: -9223372036854775809\n",
            "? [1]\n: 1\n",
        ] {
            assert!(serde_yaml::from_str::<Value>(refused).is_err(), "{refused}");
            assert!(parse_text(refused, path).is_err(), "{refused}");
        }
        let text = r#"{"b": [1, -2, 3.5, -0.0, 1e300, true, null, "x"], "a": {"z": {}, "y": []},
                       "n": 18446744073709551615, "s": "\u00e9\n"}"#;
        same(parse_text(text, Path::new("s.json")).unwrap(), json(text));
    }

    /// A repeated key is refused where it repeats, in YAML and JSON, with
    /// where it was first.
    #[test]
    fn repeated_keys_are_refused_where_they_repeat() {
        let text = "a: 1\nb:\n  - c: 1\n    d: 2\n    c: 3\n";
        let error = read_error(text, "s.yaml");
        assert_eq!(error.message, "duplicate key `c` (first on line 3)");
        assert_eq!((error.line, error.column), (Some(5), Some(5)));
        assert_eq!(error.pointer.as_deref(), Some("#/b/0/c"));
        assert_eq!(error.source_line.as_deref(), Some("    c: 3"));
        let text = "{\"a\": 1,\n \"b\": {\"c\": 1, \"c\": 2}}";
        let error = read_error(text, "s.json");
        assert_eq!(error.message, "duplicate key `c` (first on line 2)");
        assert_eq!(error.line, Some(2));
        assert_eq!(error.pointer.as_deref(), Some("#/b/c"));
        // The same key in two mappings is no repetition.
        assert!(parse_text("a: {c: 1}\nb: {c: 1}\n", Path::new("s.yaml")).is_ok());
    }

    /// Nesting beyond the parsers' limit, and text that is not a document,
    /// are refused with their position.
    #[test]
    fn bad_text_is_refused_with_its_position() {
        let path = Path::new("s.json");
        for (text, message) in [
            (r#"{"a": 1,}"#, "invalid JSON: trailing comma"),
            (r#"{"a": 1e400}"#, "invalid JSON: number out of range"),
            (r#"{"a": 1} {"b": 2}"#, "invalid JSON: trailing characters"),
        ] {
            let error = read_error(text, "s.json");
            assert_eq!(error.message, message);
            assert_eq!(error.line, Some(1), "{error:?}");
        }
        let shallow = format!("{}{}", "[".repeat(100), "]".repeat(100));
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert!(parse_text(&shallow, path).is_ok());
        let error = read_error(&deep, "s.json");
        assert_eq!(error.message, "invalid JSON: recursion limit exceeded");
        assert_eq!(error.line, Some(1));
        let path = Path::new("s.yaml");
        assert!(parse_text(&format!("a: {shallow}"), path).is_ok());
        let error = read_error(&format!("a: {deep}"), "s.yaml");
        assert_eq!(error.message, "invalid YAML: recursion limit exceeded");
        assert_eq!(error.line, Some(1));
        let error = read_error("a: 1\nb: [\n", "s.yaml");
        assert!(error.message.starts_with("invalid YAML: "), "{error:?}");
        assert!(error.line.is_some(), "{error:?}");
    }

    /// Paths keep their order; the keys of `paths` that are neither paths
    /// nor extensions are dropped, as openapiv3 drops them; JSON and YAML
    /// give the same document.
    #[test]
    fn paths_keep_their_order_and_only_what_openapiv3_keeps() {
        let text = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths:\n  /b: {}\n  x-note: {a: 1}\n  other: 5\n  /a:\n    get:\n      responses: {'204': {description: none}}\ncomponents:\n  x-c: 1\n  schemas:\n    B: {type: string}\n    A: {$ref: '#/components/schemas/B'}\n";
        let doc = load(text, "s.yaml").unwrap();
        let paths: Vec<&str> = doc.openapi.paths.paths.keys().map(String::as_str).collect();
        assert_eq!(paths, ["/b", "/a"]);
        assert!(doc.openapi.paths.extensions.contains_key("x-note"));
        let json = serde_json::to_string(&serde_yaml::from_str::<Value>(text).unwrap()).unwrap();
        assert_eq!(load(&json, "s.json").unwrap().openapi, doc.openapi);
    }

    #[test]
    fn the_hash_is_of_the_bytes_as_read_and_a_bom_is_not_text() {
        let text = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths: {}\n";
        for text in [text.to_string(), format!("\u{feff}{text}")] {
            let doc = load(&text, "s.yaml").unwrap();
            assert_eq!(doc.sha256, hex(&Sha256::digest(text.as_bytes())));
            assert_eq!(doc.text, text.strip_prefix('\u{feff}').unwrap_or(&text));
        }
    }

    /// A path item that does not deserialize is reported at the node that
    /// fails, in YAML and in JSON.
    #[test]
    fn a_path_item_that_does_not_deserialize_is_located() {
        let text = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths:\n  /a:\n    get:\n      responses: {'204': {description: none}}\n  /bad:\n    get:\n      parameters: 5\n      responses:\n        '204':\n          description: none\n";
        let error = load(text, "s.yaml").unwrap_err();
        assert_eq!(error.diagnostics().len(), 1, "{error:?}");
        let at = &error.diagnostics()[0];
        assert_eq!(at.pointer.as_deref(), Some("#/paths/~1bad/get/parameters"));
        assert_eq!((at.line, at.column), (Some(9), Some(7)), "{at:?}");
        assert_eq!(at.source_line.as_deref(), Some("      parameters: 5"));
        assert_eq!(at.file.as_deref(), Some("s.yaml"));

        let json = r##"{
  "openapi": "3.0.3",
  "info": {"title": "t", "version": "1"},
  "paths": {
    "x-note": {"a": 1},
    "/a": {"get": {"responses": {"200": {"content": {}}}}},
    "/b": {"$ref": "#/components/x"}
  }
}"##;
        let error = load(json, "s.json").unwrap_err();
        assert_eq!(error.diagnostics().len(), 1, "{error:?}");
        let at = &error.diagnostics()[0];
        assert!(at.message.contains("description"), "{at:?}");
        assert_eq!(at.pointer.as_deref(), Some("#/paths/~1a/get/responses/200"));
        assert_eq!(at.line, Some(6), "{at:?}");
    }

    /// A file the spec refers to is read as the spec is: a repeated key
    /// in it is an error, placed in that file.
    #[test]
    fn a_repeated_key_in_a_referenced_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("root.yaml");
        let text = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    A: {$ref: 'other.yaml#/A'}\n";
        std::fs::write(&root, text).unwrap();
        std::fs::write(
            dir.path().join("other.yaml"),
            "A:\n  type: string\n  type: integer\n",
        )
        .unwrap();
        let error = load_bytes(text.as_bytes(), &root, "root.yaml").unwrap_err();
        let message = &error.diagnostics()[0].message;
        assert!(
            message.contains("duplicate key `type` (first on line 2) at 3:3 in"),
            "{message}"
        );
    }

    #[test]
    fn a_json_schema_that_does_not_read_is_located_where_it_is() {
        let text = "{\"openapi\": \"3.0.3\", \"info\": {\"title\": \"T\", \"version\": \"1\"},\n\"paths\": {}, \"components\": {\"schemas\": {\"B\": {\"type\": \"string\"},\n\"A\": {\"type\": 5}}}}";
        let error = load(text, "spec.json").unwrap_err();
        let diagnostic = &error.diagnostics()[0];
        assert_eq!(
            diagnostic.pointer.as_deref(),
            Some("#/components/schemas/A")
        );
        assert_eq!((diagnostic.line, diagnostic.column), (Some(3), Some(1)));
    }
}
