//! The spec as the generated crate ships it: `openapi.json`, the bundled
//! document as pretty JSON with the provenance first.
//!
//! The document's path items are kept apart, as text (see
//! [`PathItems`]), so the shipped JSON is written by a mirror of
//! openapiv3's `OpenAPI` that takes each path item as it writes it: as
//! lowering hands it on once lowered ([`spec_file_forwarded`]), or read
//! from its text ([`spec_file`]). The mirror has openapiv3's field names,
//! order and skip rules; a test checks it against openapiv3's own
//! serialization of the whole document.

use indexmap::IndexMap;
use openapiv3 as oa;
use serde::ser::{Error as _, SerializeMap};
use serde::{Serialize, Serializer};
use std::sync::mpsc::Receiver;

use crate::diag::{Diagnostic, Error};
use crate::load::{Document, PathItems};
use crate::provenance::Provenance;

/// A path item as lowering hands it on once it is lowered
/// ([`spec_file_forwarded`]).
pub(crate) type Forwarded = oa::ReferenceOr<Box<oa::PathItem>>;

/// The members of `openapiv3::OpenAPI` as it serializes them, up to and
/// including `paths` (from [`PathItems`]), with the provenance as an
/// `x-generated-by` extension first (JSON has no comments).
#[derive(Serialize)]
struct Head<'a> {
    #[serde(rename = "x-generated-by")]
    generated_by: String,
    openapi: &'a str,
    info: &'a oa::Info,
    #[serde(skip_serializing_if = "<[oa::Server]>::is_empty")]
    servers: &'a [oa::Server],
    paths: Paths<'a>,
}

/// The members of `openapiv3::OpenAPI` after `paths`, as it serializes
/// them. They are written apart from [`Head`], and first, so that they
/// need not wait for the path items.
#[derive(Serialize)]
struct Tail<'a> {
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
    items: Items<'a>,
    extensions: &'a IndexMap<String, serde_json::Value>,
}

/// Where [`Paths`] takes its items from.
enum Items<'a> {
    /// Deserialized from their text, one at a time.
    Read(&'a PathItems),
    /// The items of `paths`, in order, as lowering hands them on.
    Forwarded {
        paths: &'a PathItems,
        items: &'a Receiver<Vec<Forwarded>>,
    },
}

impl Serialize for Paths<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        match self.items {
            Items::Read(items) => {
                for (path, item) in items.iter() {
                    map.serialize_entry(path, &item.map_err(S::Error::custom)?)?;
                }
            }
            Items::Forwarded { paths, items } => {
                let mut batch = Vec::new().into_iter();
                for path in paths.paths() {
                    // Lowering stops at an item that does not read, and
                    // reports it.
                    let item = loop {
                        if let Some(item) = batch.next() {
                            break item;
                        }
                        match items.recv() {
                            Ok(next) => batch = next.into_iter(),
                            Err(_) => return Err(S::Error::custom("a path item was not lowered")),
                        }
                    };
                    map.serialize_entry(path, &item)?;
                }
                // Items are paired with paths by position: one too many in
                // the last batch would mean they were paired wrongly.
                if batch.next().is_some() {
                    return Err(S::Error::custom("more path items than paths"));
                }
            }
        }
        for (key, value) in self.extensions {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

/// The document as the crate's [`crate::SPEC_FILE`], its path items read
/// from their text here.
pub(crate) fn spec_file(provenance: &Provenance, doc: &Document) -> Result<String, Error> {
    written(provenance, doc, Items::Read(&doc.paths))
}

/// [`spec_file`], with the path items that lowering deserialized and
/// hands on through `items` once it has lowered each, rather than
/// deserialized a second time. Waits for lowering; the members after
/// `paths` are written first.
pub(crate) fn spec_file_forwarded(
    provenance: &Provenance,
    doc: &Document,
    items: &Receiver<Vec<Forwarded>>,
) -> Result<String, Error> {
    let paths = &doc.paths;
    written(provenance, doc, Items::Forwarded { paths, items })
}

/// The shipped spec: [`Tail`]'s members, then [`Head`]'s, put together as
/// serde_json writes one object of both.
///
/// The buffer is reserved once from the size of the spec's text (pretty
/// JSON of a YAML spec is about 1.6 times its size) rather than grown by
/// doubling, which for a large spec would copy tens of megabytes and
/// briefly hold two buffers. Reserved memory that is not written is not
/// touched, so the tail's buffer is reserved as large.
fn written(provenance: &Provenance, doc: &Document, items: Items<'_>) -> Result<String, Error> {
    let spec = &doc.openapi;
    let internal = |e: &dyn std::fmt::Display| {
        Diagnostic::error(format!(
            "internal error: the spec cannot be written as JSON: {e}"
        ))
    };
    let capacity = doc.text.len().saturating_mul(2).saturating_add(4096);
    let tail = Tail {
        components: spec.components.as_ref(),
        security: spec.security.as_ref(),
        tags: &spec.tags,
        external_docs: spec.external_docs.as_ref(),
        extensions: &spec.extensions,
    };
    let mut tail_bytes = Vec::with_capacity(capacity);
    serde_json::to_writer_pretty(&mut tail_bytes, &tail).map_err(|e| internal(&e))?;
    let head = Head {
        generated_by: provenance.lines().join(" "),
        openapi: &spec.openapi,
        info: &spec.info,
        servers: &spec.servers,
        paths: Paths {
            items,
            extensions: &spec.paths.extensions,
        },
    };
    let mut bytes = Vec::with_capacity(capacity);
    serde_json::to_writer_pretty(&mut bytes, &head).map_err(|e| internal(&e))?;
    // `{\n  "x-generated-by": ...\n}` and `{\n  "components": ...\n}` make
    // `{\n  "x-generated-by": ...,\n  "components": ...\n}`; a tail without
    // members is `{}`.
    if let Some(members) = tail_bytes.strip_prefix(b"{").filter(|rest| *rest != b"}") {
        let Some(open) = bytes.strip_suffix(b"\n}").map(<[u8]>::len) else {
            return Err(internal(&"the object does not end as expected").into());
        };
        bytes.truncate(open);
        bytes.push(b',');
        bytes.extend_from_slice(members);
    }
    drop(tail_bytes);
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
        let docs = documents();
        assert!(docs.len() >= 8);
        for (name, doc) in docs {
            let ours = spec_file(&provenance(), &doc).unwrap();
            assert_eq!(ours, reference(&provenance(), &doc), "{name}");
        }
    }

    /// Every field of the top level and of `paths`, set and unset (a
    /// `$ref` path item among them), and the repository's YAML specs,
    /// loaded.
    fn documents() -> Vec<(String, Document)> {
        let full = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\nservers: [{url: 'https://x'}]\npaths:\n  /a:\n    get:\n      responses: {'204': {description: none}}\n  /b:\n    $ref: '#/x'\n  x-p: [1]\ncomponents: {schemas: {A: {type: string}}}\nsecurity: [{b: []}]\ntags: [{name: t}]\nexternalDocs: {url: 'https://d'}\nx-top: {k: v}\n";
        let bare = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths: {}\n";
        let mut docs = vec![
            ("full.yaml".to_string(), load("full.yaml", full)),
            ("bare.yaml".to_string(), load("bare.yaml", bare)),
        ];
        for file in crate::load::tests::repository_yaml_specs() {
            let name = file.display().to_string();
            let text = std::fs::read_to_string(&file).unwrap();
            docs.push((name.clone(), load(&name, &text)));
        }
        docs
    }

    #[test]
    fn forwarded_items_write_what_items_read_here_write() {
        for (name, doc) in documents() {
            let (sender, receiver) = std::sync::mpsc::sync_channel(doc.paths.len());
            // In batches of one and of two.
            let items: Vec<Forwarded> = doc.paths.iter().map(|(_, i)| i.unwrap()).collect();
            let (ones, twos) = items.split_at(items.len() / 2);
            for item in ones {
                sender.send(vec![item.clone()]).unwrap();
            }
            for pair in twos.chunks(2) {
                sender.send(pair.to_vec()).unwrap();
            }
            drop(sender);
            let forwarded = spec_file_forwarded(&provenance(), &doc, &receiver).unwrap();
            assert_eq!(forwarded, spec_file(&provenance(), &doc).unwrap(), "{name}");
        }
    }

    #[test]
    fn items_that_stop_coming_or_do_not_match_are_an_error_not_a_wait() {
        let (name, doc) = documents().swap_remove(0);
        assert_eq!(doc.paths.len(), 2, "{name}");
        let (sender, receiver) = std::sync::mpsc::sync_channel(1);
        let (_, first) = doc.paths.iter().next().unwrap();
        sender.send(vec![first.unwrap()]).unwrap();
        drop(sender);
        let error = spec_file_forwarded(&provenance(), &doc, &receiver).unwrap_err();
        assert!(
            format!("{error:?}").contains("a path item was not lowered"),
            "{error:?}"
        );
        // One item too many, in the last batch: paired wrongly.
        let (sender, receiver) = std::sync::mpsc::sync_channel(1);
        let items: Vec<Forwarded> = doc.paths.iter().map(|(_, i)| i.unwrap()).collect();
        let mut batch = items.clone();
        batch.extend(items.into_iter().take(1));
        sender.send(batch).unwrap();
        drop(sender);
        let error = spec_file_forwarded(&provenance(), &doc, &receiver).unwrap_err();
        assert!(
            format!("{error:?}").contains("more path items than paths"),
            "{error:?}"
        );
    }
}
