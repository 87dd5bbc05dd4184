//! Reading a spec file into openapiv3 types, with located errors.
//!
//! A YAML spec that needs nothing but reading takes the streaming path:
//! [`crate::yaml`] reads it in one pass while a second thread deserializes
//! each schema as it ends; path items are kept as text, and deserialized
//! where they are used. Everything else (JSON, YAML the streaming reader
//! declines, external references to bundle, any error) takes the exact
//! path: the text is parsed into a `serde_json::Value` first, the `openapi`
//! version is checked, and only then is the value deserialized into
//! `openapiv3::OpenAPI`, through `serde_path_to_error` when it fails, so a
//! structural error carries the JSON pointer of the node that failed. Both
//! paths give the same document. Neither path deserializes the path items:
//! one that does not deserialize is found where it is used, and reported
//! as the exact path reports it when asked to check them ([`item_error`]).

use std::path::{Path, PathBuf};

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
    /// The spec but for its path items, which are in `paths`: the map
    /// `openapi.paths.paths` is empty (its extensions are kept).
    pub openapi: openapiv3::OpenAPI,
    /// The path items, in document order.
    pub paths: PathItems,
    /// The root file's text, to locate diagnostics in (see `locate`).
    pub text: String,
    /// The spec's path, which locates relative references.
    pub origin: PathBuf,
    /// How the text was read, to read it again the same way.
    reading: Reading,
}

/// How the exact path reads a text ([`exact`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Reading {
    /// The text is JSON.
    json: bool,
    /// The streaming YAML reader declined the text.
    declined: bool,
}

/// The path items of a spec, in document order, each kept as compact JSON
/// and deserialized again where it is used, one at a time.
///
/// openapiv3's types are large: a `PathItem` takes 8.7 KB before anything
/// is in it (eight inline `Option<Operation>`s), and a spec of 10,000
/// operations takes hundreds of megabytes as a whole `OpenAPI`, most of it
/// in its path items. As JSON text, a path item takes about the size of
/// its source. Lowering reads the items one at a time, a bounded number
/// ahead, and hands each on to the shipped copy of the spec once lowered;
/// the components stay deserialized, since `$ref`s reach into them from
/// everywhere.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PathItems(Vec<PathEntry>);

/// A path item of [`PathItems`].
#[derive(Debug, Clone, PartialEq, Eq)]
struct PathEntry {
    path: String,
    json: String,
    /// Whether it is a mapping without a `$ref` key ([`reference_or`]).
    item: bool,
}

/// Whether `value` is a mapping without a `$ref` key.
fn is_item(value: &serde_json::Value) -> bool {
    value.as_object().is_some_and(|m| !m.contains_key("$ref"))
}

/// `ReferenceOr<T>` from the JSON text of a value; `item`: the value is a
/// mapping without a `$ref` key.
///
/// openapiv3's `ReferenceOr` is an untagged enum: serde buffers the whole
/// value to try it as a `Reference` (which needs `$ref`), then reads the
/// buffer as a `T`. A mapping without `$ref` can only be an `Item`, and is
/// read as a `T` directly, which gives the same value for less work (the
/// buffer is a copy of the entry, and a large spec's entries are most of
/// what it holds). Only the error's wording differs, and the callers
/// report none of it.
pub(crate) fn reference_or<T: serde::de::DeserializeOwned>(
    json: &str,
    item: bool,
) -> serde_json::Result<openapiv3::ReferenceOr<T>> {
    if item {
        serde_json::from_str(json).map(openapiv3::ReferenceOr::Item)
    } else {
        serde_json::from_str(json)
    }
}

impl PathItems {
    /// How many path items there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Each path (a key of `paths` that starts with `/`) with its item.
    /// Loading leaves the items to be checked here, and an error is
    /// [`item_error`]'s to report.
    ///
    /// An item comes boxed: an `openapiv3::PathItem` is 8.7 KB before
    /// anything is in it, which each move of it copies (to a thread that
    /// reads ahead, say), where a box moves a pointer.
    pub fn iter(
        &self,
    ) -> impl Iterator<
        Item = (
            &str,
            Result<openapiv3::ReferenceOr<Box<openapiv3::PathItem>>, String>,
        ),
    > {
        self.0.iter().map(|entry| {
            let item = reference_or(&entry.json, entry.item).map_err(|e| e.to_string());
            (entry.path.as_str(), item)
        })
    }

    /// Each path, in order, without its item.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|entry| entry.path.as_str())
    }

    /// Takes the items out of the `paths` object of a document, as openapiv3
    /// keeps them (the keys that start with `/`), without checking that they
    /// deserialize; the other keys of `paths` stay.
    fn take_from(document: &mut serde_json::Value) -> Self {
        let Some(serde_json::Value::Object(paths)) = document.get_mut("paths") else {
            return PathItems::default();
        };
        let mut items = Vec::new();
        for (key, item) in std::mem::take(paths) {
            if key.starts_with('/') {
                if let Ok(json) = serde_json::to_string(&item) {
                    items.push(PathEntry {
                        path: key,
                        json,
                        item: is_item(&item),
                    });
                }
            } else {
                paths.insert(key, item);
            }
        }
        PathItems(items)
    }
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

/// Specs of at least this many bytes are hashed on a thread of their own
/// while they are parsed (SHA-256 of a 24 MB spec takes about 15 ms).
const HASH_APART_FROM: usize = 1 << 20;

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
    let text = String::from_utf8(bytes).map_err(|e| {
        let (line, column) = line_col(e.as_bytes(), e.utf8_error().valid_up_to());
        in_file(Diagnostic::error("the spec is not valid UTF-8"))
            .at_line_col(line, column)
            .with_help("save the file as UTF-8")
    })?;
    let sha256 = || hex(&Sha256::digest(text.as_bytes()));
    let (parsed, sha256) = std::thread::scope(|scope| {
        let hashing = (text.len() >= HASH_APART_FROM)
            .then(|| std::thread::Builder::new().spawn_scoped(scope, sha256));
        let parsed = parse(
            text.strip_prefix('\u{feff}').unwrap_or(&text),
            path,
            display,
        );
        // Without a thread, or should it have stopped, the hash is taken here.
        let hashed = hashing.and_then(|thread| thread.ok()?.join().ok());
        (parsed, hashed.unwrap_or_else(sha256))
    });
    let (openapi, paths, reading) = parsed?;
    let mut text = text;
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    Ok(Document {
        display: display.to_string(),
        sha256,
        openapi,
        paths,
        text,
        origin: path.to_path_buf(),
        reading,
    })
}

/// The document that `text` holds, and how it was read: by the streaming
/// YAML reader when it can, else by [`exact`].
fn parse(
    text: &str,
    path: &Path,
    display: &str,
) -> Result<(openapiv3::OpenAPI, PathItems, Reading), Error> {
    let json = is_json(text, path);
    let mut declined = false;
    if !json {
        match read_yaml_spec(text) {
            Ok((openapi, paths)) => {
                let reading = Reading {
                    json,
                    declined: false,
                };
                return Ok((openapi, paths, reading));
            }
            Err(Fallback::Declined) => declined = true,
            Err(Fallback::Read) => {}
        }
    }
    let check_items = false;
    let reading = Reading { json, declined };
    let (openapi, paths) = exact(text, path, display, reading, check_items)?;
    Ok((openapi, paths, reading))
}

/// The error the exact path reports for a document whose path items
/// loading left unchecked, once one of them does not deserialize where it
/// is used: the text read again as before, this time checking the items.
pub(crate) fn item_error(doc: &Document) -> Error {
    let check_items = true;
    match exact(
        &doc.text,
        &doc.origin,
        &doc.display,
        doc.reading,
        check_items,
    ) {
        Err(e) => e,
        Ok(_) => Diagnostic::error("internal error: a path item no longer reads")
            .in_file(&doc.display)
            .into(),
    }
}

/// The exact path of [`load_bytes`]: the text parsed whole (and checked
/// for duplicate keys and nesting, unless it is JSON or the streaming
/// reader already did), bundled, and deserialized with errors located. The
/// path items are deserialized only with `check_items`, to report the
/// error of one that does not deserialize ([`item_error`]): a fifth of
/// loading the vendor's Calendars spec went to checking them.
fn exact(
    text: &str,
    path: &Path,
    display: &str,
    reading: Reading,
    check_items: bool,
) -> Result<(openapiv3::OpenAPI, PathItems), Error> {
    let Reading { json, declined } = reading;
    let in_file = |d: Diagnostic| d.in_file(display);
    let in_file_all = |e: Error| {
        Error::new(
            e.diagnostics()
                .iter()
                .cloned()
                .map(|d| d.in_file(display))
                .collect(),
        )
    };
    // JSON without duplicate keys, and YAML that the streaming reader
    // accepts, need no walk of their own; otherwise the duplicate-key and
    // nesting walk of the text runs beside the parse.
    let checked = match (json, declined) {
        (true, _) => unique_keys_json(text),
        (false, false) => crate::yaml::read(text),
        (false, true) => None,
    };
    let (value, scan_errors) = match checked {
        Some(value) => (Ok(value), Ok(Vec::new())),
        None => std::thread::scope(|scope| {
            let scan = scope.spawn(|| crate::locate::check(text));
            let value = parse_text(text, path);
            (value, scan.join())
        }),
    };
    let mut value = value.map_err(in_file_all)?;
    let scan_errors = scan_errors.map_err(|_| {
        in_file(Diagnostic::error(
            "internal error: checking the spec for duplicate keys stopped early",
        ))
    })?;
    let located = |e: Error| {
        let pointers: Vec<&str> = e
            .diagnostics()
            .iter()
            .filter(|d| d.file.is_none() || d.file.as_deref() == Some(display))
            .filter_map(|d| d.pointer.as_deref())
            .collect();
        let source_map = crate::locate::positions_of(text, &pointers);
        Error::new(
            e.diagnostics()
                .iter()
                .cloned()
                .map(|mut d| {
                    if d.file.is_none() || d.file.as_deref() == Some(display) {
                        d = d.in_file(display);
                        source_map.annotate(&mut d);
                    }
                    d
                })
                .collect(),
        )
    };
    if !scan_errors.is_empty() {
        // Again, with positions, for the pointers of the errors.
        return Err(located(Error::new(crate::locate::scan(text).1)));
    }
    check_version(&value).map_err(located)?;
    crate::bundle::bundle(&mut value, path, display).map_err(located)?;
    // Path items are taken out as text, to be deserialized one at a time
    // where they are used: deserialized together, they would all be alive
    // at once (8.7 KB each before anything is in them).
    let paths = PathItems::take_from(&mut value);
    let items_deserialize = !check_items || paths.iter().all(|(_, item)| item.is_ok());
    // The value is consumed as it is deserialized, which frees it part by
    // part: a large spec as a JSON value takes more memory than its
    // openapiv3 types. Tracking the path costs a fifth of the time, so a
    // document that fails is parsed again to say where.
    let deserialized = if items_deserialize {
        let schemas = take_schemas(&mut value);
        serde_json::from_value::<openapiv3::OpenAPI>(value)
            .ok()
            .and_then(|openapi| with_schemas(openapi, schemas))
    } else {
        None
    };
    let mut openapi = match deserialized {
        Some(openapi) => openapi,
        None => {
            let mut value = parse_text(text, path).map_err(in_file_all)?;
            crate::bundle::bundle(&mut value, path, display).map_err(located)?;
            match serde_path_to_error::deserialize::<_, openapiv3::OpenAPI>(&value) {
                Ok(openapi) => openapi,
                Err(e) => return Err(located(invalid_document(&value, &e))),
            }
        }
    };
    // Items deserialized with the rest on the way to an error (which that
    // way finds): keep them as text only.
    openapi.paths.paths = indexmap::IndexMap::new();
    Ok((openapi, paths))
}

/// The entries of `components.schemas`, taken out of a document when it
/// is a mapping, to be deserialized apart ([`with_schemas`]).
fn take_schemas(
    document: &mut serde_json::Value,
) -> Option<serde_json::Map<String, serde_json::Value>> {
    let components = document.get_mut("components")?.as_object_mut()?;
    match components.get("schemas") {
        Some(serde_json::Value::Object(_)) => match components.remove("schemas") {
            Some(serde_json::Value::Object(schemas)) => Some(schemas),
            _ => None,
        },
        _ => None,
    }
}

/// `openapi` with the schemas [`take_schemas`] took out, each deserialized
/// as [`reference_or`] reads an entry: a mapping without `$ref` as a schema
/// directly, not through serde's buffer for the untagged `ReferenceOr`.
/// `None` if one does not deserialize (the exact path then reports it).
fn with_schemas(
    mut openapi: openapiv3::OpenAPI,
    schemas: Option<serde_json::Map<String, serde_json::Value>>,
) -> Option<openapiv3::OpenAPI> {
    use serde::Deserialize as _;
    let Some(schemas) = schemas else {
        return Some(openapi);
    };
    let entry = |value: serde_json::Value| {
        if is_item(&value) {
            openapiv3::Schema::deserialize(value).map(openapiv3::ReferenceOr::Item)
        } else {
            openapiv3::ReferenceOr::deserialize(value)
        }
    };
    let schemas = schemas
        .into_iter()
        .map(|(name, value)| entry(value).map(|schema| (name, schema)))
        .collect::<serde_json::Result<_>>()
        .ok()?;
    openapi.components.as_mut()?.schemas = schemas;
    Some(openapi)
}

/// YAML specs of at least this many bytes are deserialized by a worker
/// beside the reader, and from [`TWO_WORKERS_FROM`] by two. A smaller
/// spec is read and deserialized on one thread: handing its entries to a
/// worker costs more than the overlap saves (a thread, and a wake-up that
/// takes a millisecond or more when the other core is idle).
const ONE_WORKER_FROM: usize = 64 * 1024;

/// YAML specs of at least this many bytes are deserialized by two workers.
const TWO_WORKERS_FROM: usize = 256 * 1024;

/// Why [`read_yaml_spec`] gave up on a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fallback {
    /// The streaming YAML reader declined the text.
    Declined,
    /// The text was read, but the document needs more than this path
    /// does (external references to bundle) or has an error to report.
    Read,
}

/// A YAML spec that needs nothing but reading, read and deserialized at
/// once on two threads: [`crate::yaml::read_with`] hands over each path
/// item and schema as it ends, and a second thread deserializes it while
/// the reader goes on. The document never exists whole as a JSON value,
/// and serde's buffering of the flattened `paths` mapping is avoided. The
/// result is what deserializing the whole value gives, with the path items
/// apart as [`PathItems`]: the entries of `paths` go where openapiv3's
/// `Paths` puts them (keys starting with `/` into the path items, `x-` into
/// `extensions`, the others nowhere), in document order. Path items are
/// not deserialized here: lowering and the shipped spec each do, one at a
/// time, and a third time to check them was about 4 % of the CPU time of a
/// large spec. Anything else (a document with external references, or
/// other parts that do not deserialize) is left to the exact path, which
/// reports errors with their positions.
fn read_yaml_spec(text: &str) -> Result<(openapiv3::OpenAPI, PathItems), Fallback> {
    use crate::yaml::Reader;
    // Read by the line scanner as far as it goes; a text it declines
    // partway is read again by yaml-rust2, and nothing of the first
    // reading is kept.
    match read_yaml_spec_from(text, Reader::Lines) {
        Ok(read) => read,
        Err(crate::yaml::LinesDeclined) => {
            read_yaml_spec_from(text, Reader::Rust2).unwrap_or(Err(Fallback::Declined))
        }
    }
}

/// [`read_yaml_spec`], reading the events with `reader`.
fn read_yaml_spec_from(
    text: &str,
    reader: crate::yaml::Reader,
) -> Result<Result<(openapiv3::OpenAPI, PathItems), Fallback>, crate::yaml::LinesDeclined> {
    use crate::yaml::Part;
    use openapiv3::{ReferenceOr, Schema};
    use serde_json::Value;

    struct Parts {
        paths: Vec<PathEntry>,
        extensions: indexmap::IndexMap<String, Value>,
        schemas: indexmap::IndexMap<String, ReferenceOr<Schema>>,
    }
    /// An entry as a worker leaves it, with its place in the document.
    enum Done {
        Path(PathEntry),
        Extension(String, Value),
        Schema(String, Box<ReferenceOr<Schema>>),
    }
    type Entry = (usize, Part, String, crate::yaml::PartText);
    /// What an entry becomes: `None` to give up (the document is for the
    /// exact path), `Some(None)` for an entry openapiv3 drops.
    fn finish(part: Part, key: String, text: crate::yaml::PartText) -> Option<Option<Done>> {
        if text.external_ref {
            return None;
        }
        Some(Some(match part {
            // Checked where they are used: see `item_error`.
            Part::Path if key.starts_with('/') => Done::Path(PathEntry {
                path: key,
                json: text.json,
                item: text.item,
            }),
            Part::Path if key.starts_with("x-") => {
                Done::Extension(key, serde_json::from_str(&text.json).ok()?)
            }
            Part::Path => return Some(None),
            Part::Schema => {
                let schema = reference_or::<Schema>(&text.json, text.item).ok()?;
                Done::Schema(key, Box::new(schema))
            }
        }))
    }
    fn work(entries: std::sync::mpsc::Receiver<Entry>) -> Option<Vec<(usize, Done)>> {
        let mut done = Vec::new();
        for (place, part, key, text) in entries {
            if let Some(entry) = finish(part, key, text)? {
                done.push((place, entry));
            }
        }
        Some(done)
    }
    // Deserializing takes longer than reading: a large spec has two
    // workers, which take the entries in turn; a small one none.
    let workers = match text.len() {
        n if n >= TWO_WORKERS_FROM => 2,
        n if n >= ONE_WORKER_FROM => 1,
        _ => 0,
    };
    // Enough to keep the threads busy without holding much of the spec.
    const IN_FLIGHT: usize = 256;
    let (rest, done) = std::thread::scope(|scope| {
        let (senders, handles): (Vec<_>, Vec<_>) = (0..workers)
            .map(|_| {
                let (sender, receiver) =
                    std::sync::mpsc::sync_channel::<Entry>(IN_FLIGHT / workers.max(1));
                (sender, crate::spawn_deep(scope, move || work(receiver)))
            })
            .unzip();
        // Schemas go to the workers in turn; entries of `paths`, which
        // have nothing to deserialize but small extensions, stay here, as
        // does everything without workers. A send fails only once its
        // worker has given up.
        let (mut place, mut sent) = (0, 0_usize);
        let mut kept = Some(Vec::new());
        let rest = crate::yaml::read_with(
            text,
            |part, key, value| {
                place += 1;
                if part == Part::Path || workers == 0 {
                    let Some(entry) = finish(part, key, value) else {
                        kept = None;
                        return false;
                    };
                    if let (Some(kept), Some(entry)) = (kept.as_mut(), entry) {
                        kept.push((place, entry));
                    }
                    return true;
                }
                let sender = sent.checked_rem(workers).and_then(|i| senders.get(i));
                sent += 1;
                sender.is_some_and(|sender| sender.send((place, part, key, value)).is_ok())
            },
            reader,
        );
        // The workers' loops end when the senders are gone.
        drop(senders);
        let mut done = kept;
        // A worker that could not be started counts as one that gave up.
        for handle in handles {
            let entries = handle.ok().and_then(|handle| handle.join().ok().flatten());
            match (entries, done.as_mut()) {
                (Some(entries), Some(all)) => all.extend(entries),
                _ => done = None,
            }
        }
        (rest, done)
    });
    // A text the line scanner declined partway is read again, whatever
    // the workers made of the entries they were given.
    let rest = rest?;
    let assemble = || -> Result<_, Fallback> {
        let parts = done.map(|mut done| {
            done.sort_unstable_by_key(|(place, _)| *place);
            // Sized once: a large spec's schemas are tens of megabytes,
            // which growing by doubling would copy and touch again.
            let schemas = done
                .iter()
                .filter(|(_, entry)| matches!(entry, Done::Schema(..)))
                .count();
            let mut parts = Parts {
                paths: Vec::with_capacity(done.len() - schemas),
                extensions: indexmap::IndexMap::new(),
                schemas: indexmap::IndexMap::with_capacity(schemas),
            };
            for (_, entry) in done {
                match entry {
                    Done::Path(entry) => parts.paths.push(entry),
                    Done::Extension(key, value) => {
                        parts.extensions.insert(key, value);
                    }
                    Done::Schema(key, schema) => {
                        parts.schemas.insert(key, *schema);
                    }
                }
            }
            parts
        });
        // A worker that gave up stopped the reader: the document is read, but
        // has an error for the exact path to report.
        let parts = parts.ok_or(Fallback::Read)?;
        let mut rest = rest.ok_or(Fallback::Declined)?;
        if check_version(&rest).is_err() || crate::bundle::has_external_ref(&rest) {
            return Err(Fallback::Read);
        }
        // The entries handed over were left as nulls: take them out.
        let mut had_schemas = false;
        if let Some(root) = rest.as_object_mut() {
            if let Some(Value::Object(paths)) = root.get_mut("paths") {
                paths.clear();
            }
            if let Some(Value::Object(components)) = root.get_mut("components") {
                if let Some(Value::Object(_)) = components.get("schemas") {
                    components.remove("schemas");
                    had_schemas = true;
                }
            }
        }
        let mut openapi: openapiv3::OpenAPI =
            serde_json::from_value(rest).map_err(|_| Fallback::Read)?;
        openapi.paths.extensions = parts.extensions;
        if had_schemas {
            let components = openapi.components.as_mut().ok_or(Fallback::Read)?;
            components.schemas = parts.schemas;
        }
        Ok((openapi, PathItems(parts.paths)))
    };
    Ok(assemble())
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

/// JSON text as a value, if it parses and no object in it repeats a key:
/// what the parse and the walk of [`crate::locate::check`] find together,
/// in one pass. `None` for anything else, which the two then report.
fn unique_keys_json(text: &str) -> Option<serde_json::Value> {
    use serde::de::{DeserializeSeed, Deserializer as _, MapAccess, SeqAccess, Visitor};
    use serde_json::Value;

    /// Builds the same value as `serde_json::Value`'s own deserializer,
    /// failing on a repeated key.
    struct UniqueKeys;

    impl<'de> DeserializeSeed<'de> for UniqueKeys {
        type Value = Value;

        fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
            d.deserialize_any(self)
        }
    }

    impl<'de> Visitor<'de> for UniqueKeys {
        type Value = Value;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a JSON value")
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
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
            let mut items = Vec::new();
            while let Some(item) = seq.next_element_seed(UniqueKeys)? {
                items.push(item);
            }
            Ok(Value::Array(items))
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
            let mut object = serde_json::Map::new();
            while let Some(key) = map.next_key::<String>()? {
                let value = map.next_value_seed(UniqueKeys)?;
                if object.insert(key, value).is_some() {
                    return Err(serde::de::Error::custom("a repeated key"));
                }
            }
            Ok(Value::Object(object))
        }
    }

    let mut deserializer = serde_json::Deserializer::from_str(text);
    let value = deserializer.deserialize_any(UniqueKeys).ok()?;
    deserializer.end().ok()?;
    Some(value)
}

/// Whether the text is read as JSON: by extension or a leading `{`.
fn is_json(text: &str, path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        || text.trim_start().starts_with('{')
}

/// Parses JSON (by extension or a leading `{`) or YAML into a JSON value.
pub fn parse_text(text: &str, path: &Path) -> Result<serde_json::Value, Error> {
    if is_json(text, path) {
        serde_json::from_str(text).map_err(|e| {
            let message = e.to_string();
            let message = message
                .find(" at line ")
                .and_then(|i| message.get(..i))
                .unwrap_or(&message);
            Error::from(
                Diagnostic::error(format!("invalid JSON: {message}"))
                    .at_line_col(e.line(), e.column()),
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
    use super::{read_yaml_spec, unique_keys_json, Error, Fallback};

    /// What the exact path makes of a YAML spec without errors: serde_yaml
    /// into a JSON value, then openapiv3.
    fn exact(text: &str) -> openapiv3::OpenAPI {
        let value: serde_json::Value = serde_yaml::from_str(text).unwrap();
        serde_json::from_value(value).unwrap()
    }

    /// The whole document, its path items back in place.
    pub(crate) fn whole(
        mut openapi: openapiv3::OpenAPI,
        paths: &super::PathItems,
    ) -> openapiv3::OpenAPI {
        assert!(openapi.paths.paths.is_empty());
        for (path, item) in paths.iter() {
            let item = match item.unwrap() {
                openapiv3::ReferenceOr::Item(item) => openapiv3::ReferenceOr::Item(*item),
                openapiv3::ReferenceOr::Reference { reference } => {
                    openapiv3::ReferenceOr::Reference { reference }
                }
            };
            openapi.paths.paths.insert(path.to_string(), item);
        }
        openapi
    }

    /// The document `load_bytes` gives for `text`, whole.
    fn loaded(text: &str, name: &str) -> openapiv3::OpenAPI {
        let doc = super::load_bytes(text.as_bytes(), std::path::Path::new(name), name).unwrap();
        whole(doc.openapi, &doc.paths)
    }

    /// The error the exact path of loading gives for `text`, which has one.
    pub(crate) fn exact_error(text: &str, path: &std::path::Path, display: &str) -> Error {
        let reading = super::Reading {
            json: super::is_json(text, path),
            declined: false,
        };
        super::exact(text, path, display, reading, true).unwrap_err()
    }

    /// The hand-written spec and the YAML fixtures.
    pub(crate) fn repository_yaml_specs() -> Vec<std::path::PathBuf> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
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

    /// Every YAML spec of the repository that the streaming path reads
    /// gives exactly the document the exact path gives; the hand-written
    /// spec and the fixtures are read that way.
    #[test]
    fn streamed_specs_deserialize_as_the_exact_path_does() {
        for file in &repository_yaml_specs() {
            let text = std::fs::read_to_string(file).unwrap();
            match read_yaml_spec(&text) {
                Ok((openapi, paths)) => {
                    assert_eq!(whole(openapi, &paths), exact(&text), "{}", file.display())
                }
                Err(why) => panic!("{} was not streamed: {why:?}", file.display()),
            }
        }
    }

    /// `reference_or` reads every path item and schema as serde's untagged
    /// `ReferenceOr` does: those of the synthetic spec, of the repository's
    /// specs, and mappings with a `$ref` beside other keys or of another
    /// type.
    #[test]
    fn a_mapping_without_ref_reads_as_the_untagged_enum_does() {
        use openapiv3::{PathItem, ReferenceOr, Schema};
        fn same<T>(value: &serde_json::Value) -> bool
        where
            T: serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
        {
            let json = serde_json::to_string(value).unwrap();
            let direct = super::reference_or::<T>(&json, super::is_item(value)).ok();
            let untagged = serde_json::from_value::<ReferenceOr<T>>(value.clone()).ok();
            assert_eq!(direct, untagged, "{json}");
            super::is_item(value)
        }
        let mut texts = vec![crate::synth::spec(40)];
        for file in repository_yaml_specs() {
            texts.push(std::fs::read_to_string(file).unwrap());
        }
        let (mut items, mut references) = (0, 0);
        for text in &texts {
            let value: serde_json::Value = serde_yaml::from_str(text).unwrap();
            for (path, item) in value["paths"].as_object().unwrap() {
                if path.starts_with('/') {
                    if same::<PathItem>(item) {
                        items += 1;
                    } else {
                        references += 1;
                    }
                }
            }
            let schemas = value["components"]["schemas"].as_object();
            for schema in schemas.into_iter().flat_map(|s| s.values()) {
                if same::<Schema>(schema) {
                    items += 1;
                } else {
                    references += 1;
                }
            }
        }
        for odd in [
            r##"{"$ref": "#/components/schemas/A", "type": "string"}"##,
            r##"{"$ref": 5, "type": "string"}"##,
            r##"{"type": "string", "$ref": "#/components/schemas/A"}"##,
            r#"{"type": "object", "properties": {"a": {"$ref": "x"}}}"#,
            r#"{"type": 5}"#,
            r#"[]"#,
            r#"null"#,
        ] {
            let value: serde_json::Value = serde_json::from_str(odd).unwrap();
            if same::<Schema>(&value) & same::<PathItem>(&value) {
                items += 1;
            } else {
                references += 1;
            }
        }
        assert!(
            items > 100 && references == 5,
            "{items} items, {references} others"
        );
    }

    #[test]
    fn paths_keep_their_order_and_only_what_openapiv3_keeps() {
        let text = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths:\n  /b: {}\n  x-note: {a: 1}\n  other: 5\n  /a:\n    get:\n      responses: {'204': {description: none}}\ncomponents:\n  x-c: 1\n  schemas:\n    B: {type: string}\n    A: {$ref: '#/components/schemas/B'}\n";
        let (openapi, items) = read_yaml_spec(text).unwrap();
        let paths: Vec<&str> = items.iter().map(|(path, _)| path).collect();
        assert_eq!(paths, ["/b", "/a"]);
        let streamed = whole(openapi, &items);
        assert_eq!(streamed, exact(text));
        assert!(streamed.paths.extensions.contains_key("x-note"));
        // The exact path (JSON here) keeps the same items.
        let json = serde_json::to_string(&serde_yaml::from_str::<serde_json::Value>(text).unwrap())
            .unwrap();
        assert_eq!(loaded(&json, "spec.json"), streamed);
        assert_eq!(loaded(text, "spec.yaml"), streamed);
    }

    /// A spec large enough for two workers: the entries come back in
    /// document order, and one that does not deserialize is found.
    /// A text the line scanner declines only near its end, after the
    /// workers were given most entries, is read again by yaml-rust2, and
    /// gives the document the exact path gives.
    #[test]
    fn a_text_the_line_scanner_declines_partway_is_read_again() {
        let text = crate::synth::spec(120);
        // A plain scalar on two lines, which only yaml-rust2 reads, in the
        // last schema.
        let at = text.rfind("\n    Resource").unwrap();
        let (head, tail) = text.split_at(at);
        let text = format!("{head}\n    Folded:\n      description: first\n        second{tail}");
        assert!(text.len() >= super::TWO_WORKERS_FROM);
        let lines = crate::yaml::read_with(&text, |_, _, _| true, crate::yaml::Reader::Lines);
        assert_eq!(lines, Err(crate::yaml::LinesDeclined));
        let (openapi, paths) = read_yaml_spec(&text).unwrap();
        assert_eq!(paths.len(), 120);
        let streamed = whole(openapi, &paths);
        let folded = &streamed.components.as_ref().unwrap().schemas["Folded"];
        let description = folded.as_item().unwrap().schema_data.description.as_deref();
        assert_eq!(description, Some("first second"));
        assert_eq!(streamed, exact(&text));
    }

    /// A spec read without a worker, with one and with two gives the
    /// document the exact path gives.
    #[test]
    fn specs_read_by_any_number_of_workers_deserialize_as_the_exact_path_does() {
        let mut sizes = Vec::new();
        for operations in [4, 40, 120] {
            let text = crate::synth::spec(operations);
            sizes.push(text.len());
            let (openapi, paths) = read_yaml_spec(&text).unwrap();
            assert_eq!(paths.len(), operations);
            assert_eq!(
                whole(openapi, &paths),
                exact(&text),
                "{operations} operations"
            );
        }
        assert!(sizes[0] < super::ONE_WORKER_FROM, "{sizes:?}");
        assert!((super::ONE_WORKER_FROM..super::TWO_WORKERS_FROM).contains(&sizes[1]));
        assert!(sizes[2] >= super::TWO_WORKERS_FROM, "{sizes:?}");
    }

    #[test]
    fn a_large_spec_read_by_two_workers_keeps_its_order() {
        let text = crate::synth::spec(120)
            .replacen(
                "\n  /v1/resources-7/",
                "\n  x-one: 1\n  /v1/resources-7/",
                1,
            )
            .replacen(
                "\n  /v1/resources-8/",
                "\n  x-two: [2]\n  /v1/resources-8/",
                1,
            );
        assert!(text.len() >= super::TWO_WORKERS_FROM);
        let (openapi, paths) = read_yaml_spec(&text).unwrap();
        assert_eq!(paths.len(), 120);
        let streamed = whole(openapi, &paths);
        assert_eq!(streamed.paths.extensions.len(), 2);
        assert_eq!(streamed, exact(&text));
        for broken in ["Resource117Request", "Resource118Request"] {
            let bad = text.replacen(
                &format!("\n    {broken}:\n"),
                &format!("\n    Broken: {{type: 7}}\n    {broken}:\n"),
                1,
            );
            assert_ne!(bad, text);
            assert_eq!(read_yaml_spec(&bad).err(), Some(Fallback::Read));
        }
    }

    #[test]
    fn the_hash_is_of_the_bytes_as_read_at_any_size() {
        use sha2::{Digest, Sha256};
        let small = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths: {}\n".to_string();
        // Past the size from which the hash is taken on a thread of its own.
        let large = format!("{small}x-padding: {}\n", "a".repeat(super::HASH_APART_FROM));
        for text in [small, large] {
            for text in [text.clone(), format!("\u{feff}{text}")] {
                let path = std::path::Path::new("s.yaml");
                let doc = super::load_bytes(text.as_bytes(), path, "s.yaml").unwrap();
                assert_eq!(doc.sha256, super::hex(&Sha256::digest(text.as_bytes())));
                assert_eq!(doc.text, text.strip_prefix('\u{feff}').unwrap_or(&text));
            }
        }
    }

    #[test]
    fn what_needs_more_than_reading_goes_the_exact_way() {
        let external = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths:\n  /a:\n    $ref: other.yaml#/paths/a\n";
        assert_eq!(read_yaml_spec(external).err(), Some(Fallback::Read));
        // A path item is checked where it is used, not here (see
        // `lower::tests::a_path_item_that_does_not_read_has_the_error_of_loading`).
        let invalid = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths:\n  /a:\n    get: 5\n";
        let (_, paths) = read_yaml_spec(invalid).unwrap();
        assert!(matches!(paths.iter().next(), Some(("/a", Err(_)))));
        let bad_schema = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    A: {type: 7}\n";
        assert_eq!(read_yaml_spec(bad_schema).err(), Some(Fallback::Read));
        let old = "swagger: '2.0'\ninfo: {title: T, version: '1'}\npaths: {}\n";
        assert_eq!(read_yaml_spec(old).err(), Some(Fallback::Read));
        let repeated = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths: {}\npaths: {}\n";
        assert_eq!(read_yaml_spec(repeated).err(), Some(Fallback::Declined));
    }

    #[test]
    fn a_json_path_item_is_taken_apart_and_its_error_located_where_it_is_used() {
        let good = r##"{
  "openapi": "3.0.3",
  "info": {"title": "t", "version": "1"},
  "paths": {
    "x-note": {"a": 1},
    "/a": {"get": {"responses": {"200": {"description": "ok"}}}},
    "/b": {"$ref": "#/components/x"}
  }
}"##;
        let doc =
            super::load_bytes(good.as_bytes(), std::path::Path::new("s.json"), "s.json").unwrap();
        let paths: Vec<&str> = doc.paths.iter().map(|(path, _)| path).collect();
        assert_eq!(paths, ["/a", "/b"]);
        assert!(doc.openapi.paths.paths.is_empty());
        assert!(doc.openapi.paths.extensions.contains_key("x-note"));

        // Loading leaves the items unchecked; lowering finds the bad one.
        let bad = good.replace(r#"{"description": "ok"}"#, r#"{"content": {}}"#);
        let path = std::path::Path::new("s.json");
        let doc = super::load_bytes(bad.as_bytes(), path, "s.json").unwrap();
        assert!(doc.paths.iter().any(|(_, item)| item.is_err()));
        let error = crate::load_model_from_bytes(bad.as_bytes(), path, "s.json").unwrap_err();
        assert_eq!(error.diagnostics().len(), 1, "{error:?}");
        let diagnostic = &error.diagnostics()[0];
        assert!(diagnostic.message.contains("description"), "{diagnostic:?}");
        assert_eq!(
            diagnostic.pointer.as_deref(),
            Some("#/paths/~1a/get/responses/200")
        );
        assert_eq!(diagnostic.line, Some(6), "{diagnostic:?}");
    }

    #[test]
    fn a_json_schema_that_does_not_read_is_located_where_it_is() {
        let text = "{\"openapi\": \"3.0.3\", \"info\": {\"title\": \"T\", \"version\": \"1\"},\n\"paths\": {}, \"components\": {\"schemas\": {\"B\": {\"type\": \"string\"},\n\"A\": {\"type\": 5}}}}";
        let error = super::load_bytes(
            text.as_bytes(),
            std::path::Path::new("spec.json"),
            "spec.json",
        )
        .unwrap_err();
        let diagnostic = &error.diagnostics()[0];
        assert_eq!(
            diagnostic.pointer.as_deref(),
            Some("#/components/schemas/A")
        );
        assert_eq!((diagnostic.line, diagnostic.column), (Some(3), Some(1)));
    }

    #[test]
    fn json_with_unique_keys_reads_as_serde_json_reads_it() {
        let text = r#"{"b": [1, -2, 3.5, -0.0, 1e300, true, null, "x"], "a": {"z": {}, "y": []},
                       "n": 18446744073709551615, "s": "\u00e9\n"}"#;
        let ours = unique_keys_json(text).unwrap();
        let theirs: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(
            serde_json::to_string(&ours).unwrap(),
            serde_json::to_string(&theirs).unwrap()
        );
    }

    #[test]
    fn repeated_keys_and_bad_json_are_left_to_the_full_check() {
        assert_eq!(unique_keys_json(r#"{"a": 1, "b": {"c": 1, "c": 2}}"#), None);
        assert_eq!(unique_keys_json(r#"{"a": 1,}"#), None);
        assert_eq!(unique_keys_json(r#"{"a": 1e400}"#), None);
        assert_eq!(unique_keys_json(r#"{"a": 1} {"b": 2}"#), None);
        let deep = format!("{}{}", "[".repeat(1000), "]".repeat(1000));
        assert_eq!(unique_keys_json(&deep), None);
    }
}
