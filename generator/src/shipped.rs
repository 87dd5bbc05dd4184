//! The spec as the generated crate ships it: `openapi.json`, the bundled
//! document as pretty JSON with the provenance first.
//!
//! The document's path items are kept apart, as text (see
//! [`PathItems`]), so the shipped JSON is written by a mirror of
//! openapiv3's `OpenAPI` that reads each path item as it writes it. The
//! mirror has openapiv3's field names, order and skip rules; a test checks
//! it against openapiv3's own serialization of the whole document.

use indexmap::IndexMap;
use openapiv3 as oa;
use serde::ser::{Error as _, SerializeMap};
use serde::{Serialize, Serializer};

use crate::diag::{Diagnostic, Error};
use crate::load::{Document, PathItems};
use crate::render::Provenance;

/// `openapiv3::OpenAPI` as it serializes, with `paths` from [`PathItems`]
/// and the provenance as an `x-generated-by` extension first (JSON has no
/// comments).
#[derive(Serialize)]
struct Shipped<'a> {
    #[serde(rename = "x-generated-by")]
    generated_by: String,
    openapi: &'a str,
    info: &'a oa::Info,
    #[serde(skip_serializing_if = "<[oa::Server]>::is_empty")]
    servers: &'a [oa::Server],
    paths: Paths<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    components: Option<&'a oa::Components>,
    #[serde(skip_serializing_if = "Option::is_none")]
    security: Option<&'a Vec<oa::SecurityRequirement>>,
    #[serde(skip_serializing_if = "<[oa::Tag]>::is_empty")]
    tags: &'a [oa::Tag],
    #[serde(rename = "externalDocs", skip_serializing_if = "Option::is_none")]
    external_docs: Option<&'a oa::ExternalDocumentation>,
    #[serde(flatten)]
    extensions: &'a IndexMap<String, serde_json::Value>,
}

/// `openapiv3::Paths` as it serializes: the path items, then the
/// extensions.
struct Paths<'a> {
    items: &'a PathItems,
    extensions: &'a IndexMap<String, serde_json::Value>,
}

impl Serialize for Paths<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        for (path, item) in self.items.iter() {
            map.serialize_entry(path, &item.map_err(S::Error::custom)?)?;
        }
        for (key, value) in self.extensions {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

/// The document as the crate's [`crate::SPEC_FILE`].
///
/// The buffer is reserved once from the size of the spec's text (pretty
/// JSON of a YAML spec is about 1.6 times its size) rather than grown by
/// doubling, which for a large spec would copy tens of megabytes and
/// briefly hold two buffers.
pub(crate) fn spec_file(provenance: &Provenance, doc: &Document) -> Result<String, Error> {
    let spec = &doc.openapi;
    let shipped = Shipped {
        generated_by: provenance.lines().join(" "),
        openapi: &spec.openapi,
        info: &spec.info,
        servers: &spec.servers,
        paths: Paths {
            items: &doc.paths,
            extensions: &spec.paths.extensions,
        },
        components: spec.components.as_ref(),
        security: spec.security.as_ref(),
        tags: &spec.tags,
        external_docs: spec.external_docs.as_ref(),
        extensions: &spec.extensions,
    };
    let internal = |e: &dyn std::fmt::Display| {
        Diagnostic::error(format!(
            "internal error: the spec cannot be written as JSON: {e}"
        ))
    };
    let capacity = doc.text.len().saturating_mul(2).saturating_add(4096);
    let mut bytes = Vec::with_capacity(capacity);
    serde_json::to_writer_pretty(&mut bytes, &shipped).map_err(|e| internal(&e))?;
    bytes.push(b'\n');
    Ok(String::from_utf8(bytes).map_err(|e| internal(&e))?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn provenance() -> Provenance {
        Provenance {
            spec: "spec/api.yaml".to_string(),
            sha256: "ab".repeat(32),
            command: "apigen generate".to_string(),
        }
    }

    /// What openapiv3 writes for the whole document, the reference the
    /// mirror follows.
    fn reference(provenance: &Provenance, doc: &Document) -> String {
        #[derive(Serialize)]
        struct Whole<'a> {
            #[serde(rename = "x-generated-by")]
            generated_by: String,
            #[serde(flatten)]
            spec: &'a oa::OpenAPI,
        }
        let spec = crate::load::tests::whole(doc.openapi.clone(), &doc.paths);
        let whole = Whole {
            generated_by: provenance.lines().join(" "),
            spec: &spec,
        };
        let mut text = serde_json::to_string_pretty(&whole).unwrap();
        text.push('\n');
        text
    }

    fn load(name: &str, text: &str) -> Document {
        crate::load::load_bytes(text.as_bytes(), std::path::Path::new(name), name).unwrap()
    }

    #[test]
    fn the_mirror_writes_what_openapiv3_writes() {
        let files = crate::load::tests::repository_yaml_specs();
        // Every field of the top level and of `paths`, set and unset.
        let full = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\nservers: [{url: 'https://x'}]\npaths:\n  /a:\n    get:\n      responses: {'204': {description: none}}\n  x-p: [1]\ncomponents: {schemas: {A: {type: string}}}\nsecurity: [{b: []}]\ntags: [{name: t}]\nexternalDocs: {url: 'https://d'}\nx-top: {k: v}\n";
        let bare = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths: {}\n";
        let mut texts: Vec<(String, String)> = vec![
            ("full.yaml".into(), full.into()),
            ("bare.yaml".into(), bare.into()),
        ];
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            texts.push((file.display().to_string(), text));
        }
        assert!(texts.len() >= 8);
        for (name, text) in texts {
            let doc = load(&name, &text);
            let ours = spec_file(&provenance(), &doc).unwrap();
            assert_eq!(ours, reference(&provenance(), &doc), "{name}");
        }
    }
}
