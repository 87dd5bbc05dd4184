//! Reading: spec bytes to one bundled `openapiv3::OpenAPI`, with located
//! errors.
//!
//! The text is read into a `serde_json::Value` ([`parse`]), the version
//! is checked (OpenAPI 3.0 or 3.1, or Swagger 2.0), external references are
//! bundled into the document ([`bundle`]), a Swagger 2.0 document is
//! converted to 3.0 ([`swagger2`]) and a 3.1 document rewritten into 3.0
//! shapes ([`openapi31`]), what openapiv3 cannot read is rewritten
//! ([`normalize`]), and the value is deserialized into `openapiv3::OpenAPI`.
//! Only a document that does not deserialize goes through
//! `serde_path_to_error` ([`structure`]), so that a structural error
//! carries the JSON pointer of the node that failed; [`locate`] turns
//! pointers into line:column once there is an error to place.

mod bundle;
pub mod locate;
mod normalize;
mod openapi31;
pub(crate) mod parse;
mod structure;
pub mod swagger2;

use std::path::Path;

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::diag::{Diagnostic, Error};

pub use bundle::bundle;
pub use openapi31::Moves;
pub use parse::parse_text;
pub use swagger2::Origins;

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
    /// What reading had to read otherwise than written (`normalize`,
    /// `swagger2`, `openapi31`), in `display`'s file, not yet located;
    /// their pointers are in `text`.
    pub warnings: Vec<Diagnostic>,
    /// Where the nodes of `openapi` are written in `text`, for a document
    /// converted from Swagger 2.0 or rewritten from 3.1: every pointer into
    /// `openapi` goes through [`Rewrites::original`] before it is shown.
    pub rewrites: Rewrites,
    /// The `webhooks` of a 3.1 document (openapiv3 reads 3.0, which has
    /// none), by name: requests the API sends to an app.
    pub webhooks: Webhooks,
}

/// The webhooks of a document, by name, in document order.
pub type Webhooks = indexmap::IndexMap<String, openapiv3::ReferenceOr<openapiv3::PathItem>>;

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
    let read = parse(&text, path, display)?;
    Ok(Document {
        display: display.to_string(),
        sha256,
        openapi: read.openapi,
        text,
        warnings: read
            .warnings
            .into_iter()
            .map(|w| w.in_file(display))
            .collect(),
        rewrites: read.rewrites,
        webhooks: read.webhooks,
    })
}

/// What [`parse`] reads from a document's text.
struct Read {
    openapi: openapiv3::OpenAPI,
    warnings: Vec<Diagnostic>,
    rewrites: Rewrites,
    webhooks: Webhooks,
}

/// How the document deserialized into `openapiv3` differs from the one
/// written: a Swagger 2.0 document converted (each converted prefix stands
/// for one written pointer) or a 3.1 document rewritten (nodes moved, one
/// move after another).
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Rewrites {
    #[default]
    AsWritten,
    Swagger2(Origins),
    OpenApi31(Moves),
}

impl Rewrites {
    /// The pointer, in the document as written, of the node at `pointer`
    /// in the one read.
    pub fn original(&self, pointer: &str) -> String {
        match self {
            Rewrites::AsWritten => pointer.to_string(),
            Rewrites::Swagger2(origins) => origins.original(pointer),
            Rewrites::OpenApi31(moves) => moves.original(pointer),
        }
    }
}

/// The document `text` holds: read, checked for its version, bundled,
/// converted from Swagger 2.0 or rewritten from 3.1 if need be,
/// normalized and deserialized, with every error in `display`'s file and
/// located; and the warnings of converting it.
fn parse(text: &str, path: &Path, display: &str) -> Result<Read, Error> {
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
    let located = |e: Error| Error::new(located(text, display, e.diagnostics().to_vec()));
    let mut value = parse_text(text, path).map_err(in_file)?;
    check_version(&value).map_err(located)?;
    let mut warnings = bundle(&mut value, path, display).map_err(located)?;
    let mut rewrites = Rewrites::AsWritten;
    let openapi_31 = openapi31::is_openapi_31(&value);
    if swagger2::is_swagger2(&value) {
        let (converted, origins) = swagger2::convert(&mut value);
        warnings.extend(converted);
        rewrites = Rewrites::Swagger2(origins);
    } else if openapi_31 {
        let (rewritten, moved) = openapi31::downgrade(&mut value);
        warnings.extend(rewritten);
        rewrites = Rewrites::OpenApi31(moved);
    }
    // Pointers into the rewritten document, put back where they are written.
    let written = |mut d: Diagnostic| {
        d.pointer = d.pointer.map(|p| rewrites.original(&p));
        d
    };
    let as_written = |e: Error| {
        located(Error::new(
            e.diagnostics().iter().cloned().map(written).collect(),
        ))
    };
    warnings.extend(normalize::normalize(&mut value).into_iter().map(written));
    let openapi = match openapiv3::OpenAPI::deserialize(&value) {
        Ok(openapi) => openapi,
        Err(_) => match serde_path_to_error::deserialize::<_, openapiv3::OpenAPI>(&value) {
            Ok(openapi) => openapi,
            Err(e) => return Err(as_written(structure::invalid_document(&value, &e))),
        },
    };
    let webhooks = match value.get("webhooks") {
        Some(webhooks) if openapi_31 => read_webhooks(webhooks).map_err(as_written)?,
        _ => Webhooks::new(),
    };
    Ok(Read {
        openapi,
        warnings,
        rewrites,
        webhooks,
    })
}

/// The `webhooks` of a 3.1 document: path items, by name.
fn read_webhooks(value: &serde_json::Value) -> Result<Webhooks, Error> {
    serde_path_to_error::deserialize::<_, Webhooks>(value).map_err(|e| {
        let within = structure::pointer_from_path(e.path());
        let pointer = format!("#/webhooks{}", within.trim_start_matches('#'));
        Diagnostic::error(format!("not a valid webhook: {}", e.inner()))
            .at_pointer(pointer)
            .into()
    })
}

/// Whether the value at `key`, in an object reached through the keys
/// `parent` and `grandparent`, is literal data rather than spec structure:
/// example values (`example`, and `value` of an Example object),
/// `default`, `enum` and extensions (`x-*`). A `$ref` inside them is data,
/// never resolved, and they are never rewritten. Under `properties` the
/// keys are property names, so nothing there is data.
pub(crate) fn is_literal(key: &str, parent: Option<&str>, grandparent: Option<&str>) -> bool {
    if parent == Some("properties") {
        return false;
    }
    matches!(key, "example" | "default" | "enum")
        || key.starts_with("x-")
        || (key == "value" && grandparent == Some("examples"))
}

/// The diagnostics about the root file (those in no file yet or in
/// `display`), put in `display` with the line, column and source line of
/// their pointers in `text`. Positions cost a walk of the text: only when
/// there is something to report.
pub fn located(text: &str, display: &str, diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    if diagnostics.is_empty() {
        return diagnostics;
    }
    let ours = |d: &Diagnostic| d.file.is_none() || d.file.as_deref() == Some(display);
    let pointers: Vec<&str> = diagnostics
        .iter()
        .filter(|d| ours(d))
        .filter_map(|d| d.pointer.as_deref())
        .collect();
    let source_map = locate::positions_of(text, &pointers);
    diagnostics
        .into_iter()
        .map(|mut d| {
            if ours(&d) {
                d = d.in_file(display);
                source_map.annotate(&mut d);
            }
            d
        })
        .collect()
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

const SUPPORTED: &str = "apigen supports OpenAPI 3.0.0 to 3.0.4, 3.1.x and Swagger 2.0";

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
        if swagger2::is_swagger2(value) {
            return Ok(());
        }
        let shown = swagger
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| swagger.to_string());
        return Err(
            Diagnostic::error(format!("Swagger {shown} is not supported"))
                .at_pointer("#/swagger")
                .with_help(SUPPORTED)
                .into(),
        );
    }
    match object.get("openapi") {
        None => Err(
            Diagnostic::error("not an OpenAPI document: no `openapi` field")
                .at_pointer("#")
                .with_help(SUPPORTED)
                .into(),
        ),
        Some(serde_json::Value::String(v)) if v.starts_with("3.0.") || v.starts_with("3.1.") => {
            Ok(())
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str, name: &str) -> Result<Document, Error> {
        load_bytes(text.as_bytes(), Path::new(name), name)
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
        let json = serde_json::to_string(&serde_yaml::from_str::<serde_json::Value>(text).unwrap())
            .unwrap();
        assert_eq!(load(&json, "s.json").unwrap().openapi, doc.openapi);
    }

    /// 3.0.x and 3.1.x are read; another version is refused with the
    /// versions apigen reads.
    #[test]
    fn openapi_3_0_and_3_1_are_supported() {
        for version in ["3.0.0", "3.0.4", "3.1.0", "3.1.1"] {
            let value = serde_json::json!({"openapi": version});
            assert!(check_version(&value).is_ok(), "{version}");
        }
        let error = check_version(&serde_json::json!({"openapi": "4.0.0"})).unwrap_err();
        let refused = &error.diagnostics()[0];
        assert_eq!(refused.message, "OpenAPI version 4.0.0 is not supported");
        assert_eq!(refused.help.as_deref(), Some(SUPPORTED));
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

    /// A bound beyond 64 bits on an integer parameter is a warning, located
    /// in the text, and the parameter is still an integer.
    #[test]
    fn an_integer_bound_beyond_64_bits_is_read_with_a_warning() {
        let text = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths:\n  /a:\n    get:\n      operationId: getA\n      parameters:\n        - name: n\n          in: query\n          schema: {type: integer, format: int64, maximum: 18446744073709551616}\n      responses: {'204': {description: none}}\n";
        let doc = load(text, "s.yaml").unwrap();
        assert_eq!(doc.warnings.len(), 1, "{:?}", doc.warnings);
        let (api, warnings) = crate::lower::lower(&doc).unwrap();
        let warnings = located(&doc.text, &doc.display, warnings);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert_eq!(
            warnings[0].pointer.as_deref(),
            Some("#/paths/~1a/get/parameters/0/schema/maximum")
        );
        assert_eq!(
            (warnings[0].line, warnings[0].file.as_deref()),
            (Some(10), Some("s.yaml"))
        );
        let parameter = &api.operations[0].params[0];
        assert_eq!(parameter.ty, crate::model::TypeRef::I64);
    }

    /// A `$ref` inside an example value or an extension is data: it is
    /// neither resolved nor refused, and it is kept as written; one in a
    /// property named `example` is a reference like any other.
    #[test]
    fn references_inside_examples_and_extensions_are_data() {
        let text = r##"openapi: 3.0.3
info: {title: T, version: '1'}
x-links: {$ref: 'https://example.com/links.json'}
paths:
  /a:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  example: {$ref: 'other.yaml#/Missing'}
              example: {$ref: 'https://example.com/a.json'}
              examples:
                one: {value: {$ref: '#/nowhere'}}
"##;
        let error = load(text, "s.yaml").unwrap_err();
        let messages: Vec<_> = error
            .diagnostics()
            .iter()
            .map(|d| d.message.as_str())
            .collect();
        assert_eq!(messages.len(), 1, "{messages:?}");
        assert!(messages[0].contains("other.yaml"), "{messages:?}");
        let text = text.replace("{$ref: 'other.yaml#/Missing'}", "{type: string}");
        let doc = load(&text, "s.yaml").unwrap();
        let json = serde_json::to_value(&doc.openapi).unwrap();
        let media = &json["paths"]["/a"]["get"]["responses"]["200"]["content"]["application/json"];
        assert_eq!(media["example"]["$ref"], "https://example.com/a.json");
        assert_eq!(media["examples"]["one"]["value"]["$ref"], "#/nowhere");
        assert_eq!(json["x-links"]["$ref"], "https://example.com/links.json");
    }

    /// A spec split into hundreds of files is bundled: what is bounded is
    /// the bytes the files add up to, not their number.
    #[test]
    fn a_spec_of_many_files_is_bundled() {
        let dir = tempfile::tempdir().unwrap();
        let mut properties = String::new();
        for i in 0..300 {
            let file = format!("schema-{i}.yaml");
            std::fs::write(
                dir.path().join(&file),
                format!("type: string\ndescription: number {i}\n"),
            )
            .unwrap();
            properties.push_str(&format!("        p{i}: {{$ref: '{file}'}}\n"));
        }
        let text = format!("openapi: 3.0.3\ninfo: {{title: T, version: '1'}}\npaths: {{}}\ncomponents:\n  schemas:\n    All:\n      type: object\n      properties:\n{properties}");
        let root = dir.path().join("root.yaml");
        std::fs::write(&root, &text).unwrap();
        let doc = super::load(&root, "root.yaml").unwrap();
        let schemas = &doc.openapi.components.unwrap().schemas;
        assert_eq!(
            schemas.len(),
            301,
            "{:?}",
            schemas.keys().collect::<Vec<_>>()
        );
    }

    /// A remote reference where a schema goes is an untyped value with a
    /// warning; elsewhere it is still refused (apigen never uses the
    /// network).
    #[test]
    fn a_remote_schema_reference_is_an_untyped_value_with_a_warning() {
        let text = r##"openapi: 3.0.3
info: {title: T, version: '1'}
paths:
  /a:
    get:
      operationId: getA
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  address: {$ref: 'https://example.com/address.json'}
"##;
        let doc = load(text, "s.yaml").unwrap();
        assert_eq!(doc.warnings.len(), 1, "{:?}", doc.warnings);
        let warning = &doc.warnings[0];
        assert!(warning
            .message
            .starts_with("remote reference `https://example.com/address.json` is not followed"));
        assert_eq!(
            warning.pointer.as_deref(),
            Some("#/paths/~1a/get/responses/200/content/application~1json/schema/properties/address/$ref")
        );
        let (api, _) = crate::lower::lower(&doc).unwrap();
        let ty = api.types.types.values().find(|t| t.name == "GetAResponse");
        let Some(crate::model::TypeKind::Struct(s)) = ty.map(|t| &t.kind) else {
            panic!(
                "no struct: {:?}",
                api.types
                    .types
                    .values()
                    .map(|t| &t.name)
                    .collect::<Vec<_>>()
            );
        };
        assert_eq!(s.fields[0].ty, crate::model::TypeRef::Json);
        let refused = text.replace(
            "      responses:",
            "      parameters: [{$ref: 'https://example.com/p.json'}]\n      responses:",
        );
        let error = load(&refused, "s.yaml").unwrap_err();
        assert!(
            error
                .to_string()
                .contains("is refused: apigen never uses the network"),
            "{error}"
        );
    }

    /// A whole file referenced as a parameter is imported as a parameter,
    /// not as a schema.
    #[test]
    fn a_file_referenced_as_a_parameter_is_a_parameter() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("span.yml"),
            "in: header\nname: Trace-Span\nrequired: false\nschema: {type: string}\n",
        )
        .unwrap();
        let text = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths:\n  /a:\n    get:\n      parameters: [{$ref: 'span.yml'}]\n      responses: {'204': {description: none}}\n";
        let root = dir.path().join("root.yaml");
        std::fs::write(&root, text).unwrap();
        let doc = super::load(&root, "root.yaml").unwrap();
        let components = doc.openapi.components.unwrap();
        assert!(components.schemas.is_empty());
        assert_eq!(components.parameters.keys().collect::<Vec<_>>(), ["span"]);
    }

    /// A path item in a file of its own is put in place, and the
    /// references inside it are read from that file.
    #[test]
    fn a_path_item_in_another_file_is_put_in_place() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("paths")).unwrap();
        std::fs::write(
            dir.path().join("paths/a.yml"),
            "get:\n  operationId: getA\n  responses:\n    '200':\n      description: ok\n      content: {application/json: {schema: {$ref: '../pet.yml'}}}\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("pet.yml"),
            "type: object\nproperties: {name: {type: string}}\n",
        )
        .unwrap();
        let text =
            "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths:\n  /a: {$ref: 'paths/a.yml'}\n";
        let root = dir.path().join("root.yaml");
        std::fs::write(&root, text).unwrap();
        let doc = super::load(&root, "root.yaml").unwrap();
        let item = doc
            .openapi
            .paths
            .paths
            .get("/a")
            .and_then(|i| i.as_item())
            .unwrap();
        assert_eq!(
            item.get.as_ref().and_then(|o| o.operation_id.as_deref()),
            Some("getA")
        );
        let schemas = doc.openapi.components.unwrap().schemas;
        assert_eq!(schemas.keys().collect::<Vec<_>>(), ["pet"]);
    }

    /// Diagnostics about a converted Swagger 2.0 spec, from normalizing
    /// and from lowering, are placed where their nodes are in its text:
    /// a definition, a body parameter's schema, a query parameter after
    /// the body parameter left the list.
    #[test]
    fn diagnostics_about_a_swagger_2_spec_are_placed_in_its_text() {
        let text = r##"swagger: "2.0"
info: {title: T, version: '1'}
paths:
  /a:
    post:
      operationId: postA
      parameters:
        - name: body
          in: body
          schema:
            type: object
            description: An object whose example is not one.
            example: a string
        - name: n
          in: query
          type: integer
          maximum: 18446744073709551616
      responses:
        '200':
          description: ok
          schema: {$ref: '#/definitions/Pet'}
definitions:
  Pet:
    type: object
    description: An object whose example is not one.
    example: a string
"##;
        let doc = load(text, "s.yaml").unwrap();
        let (_, warnings) = crate::lower::lower(&doc).unwrap();
        let warnings = located(&doc.text, &doc.display, warnings);
        let placed: Vec<_> = warnings
            .iter()
            .map(|w| (w.pointer.as_deref().unwrap_or_default(), w.line))
            .collect();
        assert_eq!(
            placed,
            [
                ("#/paths/~1a/post/parameters/1/maximum", Some(17)),
                ("#/definitions/Pet", Some(23)),
                ("#/paths/~1a/post/parameters/0/schema", Some(10)),
            ],
            "{warnings:#?}"
        );
    }

    #[test]
    fn only_swagger_2_0_and_openapi_3_0_are_read() {
        let refused = |version: &str| {
            let text = format!("{version}\ninfo: {{title: T, version: '1'}}\npaths: {{}}\n");
            load(&text, "s.yaml").unwrap_err().diagnostics()[0].clone()
        };
        assert!(load(
            "swagger: '2.0'\ninfo: {title: T, version: '1'}\npaths: {}\n",
            "s.yaml"
        )
        .is_ok());
        let old = refused("swagger: '1.2'");
        assert_eq!(old.message, "Swagger 1.2 is not supported");
        let new = refused("openapi: 4.0.0");
        assert_eq!(new.message, "OpenAPI version 4.0.0 is not supported");
        for d in [old, new] {
            assert_eq!(d.help.as_deref(), Some(SUPPORTED));
        }
    }
}
