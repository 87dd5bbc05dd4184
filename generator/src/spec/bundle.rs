//! Multi-file specs: references into other files are pulled into the root
//! document's `components`, so lowering only ever sees local references.
//!
//! A `$ref` such as `../common/common-schemas.json#/components/schemas/Foo`
//! is resolved against the file that contains it, the target is copied
//! into the root's `components/schemas/Foo` (renamed when the name is taken
//! by something else), and the reference is rewritten to
//! `#/components/schemas/Foo`. Local references inside a copied node are
//! relative to *its* file, and are followed the same way. Remote (http/https)
//! references are refused: apigen never uses the network.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::diag::{join, push_token, Diagnostic, Error};

/// Sections of `components` a reference target may be copied into.
const SECTIONS: &[&str] = &[
    "schemas",
    "responses",
    "parameters",
    "examples",
    "requestBodies",
    "headers",
    "securitySchemes",
    "links",
    "callbacks",
];

/// How many distinct external targets one spec may pull in.
const MAX_IMPORTS: usize = 100_000;

/// How many bytes the files a spec references may add up to. Vendors split
/// specs into thousands of small files; what needs a bound is the memory
/// they take, not their number. (References are followed through a queue,
/// not by recursion, so a deep chain of files needs no bound of its own.)
const MAX_REFERENCED_BYTES: u64 = 4 * super::MAX_SPEC_BYTES;

struct Bundler {
    /// Parsed external files, by canonical path.
    files: BTreeMap<PathBuf, Value>,
    /// (file, pointer) of an imported target → its local reference.
    imported: BTreeMap<(PathBuf, String), String>,
    /// Targets waiting to be copied: (file, pointer, section, name).
    queue: Vec<(PathBuf, String, String, String)>,
    /// Names taken in each section of the root's components.
    taken: BTreeMap<String, Vec<String>>,
    /// Canonical paths of the files references name, by the referring
    /// file and the reference's file part: a spec names the same file in
    /// many references, and each canonicalization is several system calls.
    canonical: BTreeMap<(PathBuf, String), PathBuf>,
    root_file: PathBuf,
    root_display: String,
    /// Bytes of the referenced files read so far.
    bytes_read: u64,
    diags: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
}

/// Rewrites every external reference of `root` (the parsed file at `path`)
/// into a local one, importing the targets; returns the warnings.
pub fn bundle(root: &mut Value, path: &Path, display: &str) -> Result<Vec<Diagnostic>, Error> {
    if !has_external_ref(root) {
        // The common case: nothing to bundle, and no need to walk the
        // document with pointers.
        return Ok(Vec::new());
    }
    let root_file = canonical(path);
    let mut taken = BTreeMap::new();
    if let Some(components) = root.get("components").and_then(Value::as_object) {
        for (section, entries) in components {
            if let Some(entries) = entries.as_object() {
                taken.insert(section.clone(), entries.keys().cloned().collect());
            }
        }
    }
    // A Swagger 2.0 document's sections join `components` once converted.
    for (swagger, section) in [
        ("definitions", "schemas"),
        ("parameters", "parameters"),
        ("responses", "responses"),
    ] {
        if let Some(entries) = root.get(swagger).and_then(Value::as_object) {
            let names: &mut Vec<String> = taken.entry(section.to_string()).or_default();
            names.extend(entries.keys().cloned());
        }
    }
    let mut bundler = Bundler {
        files: BTreeMap::new(),
        imported: BTreeMap::new(),
        queue: Vec::new(),
        taken,
        canonical: BTreeMap::new(),
        root_file: root_file.clone(),
        root_display: display.to_string(),
        bytes_read: 0,
        diags: Vec::new(),
        warnings: Vec::new(),
    };
    // Rewritten in place: on an error the caller drops the document.
    let mut pointer = "#".to_string();
    bundler.rewrite(root, &root_file, true, &mut pointer);
    let mut imports: Vec<(String, String, Value)> = Vec::new();
    while let Some((file, pointer, section, name)) = bundler.queue.pop() {
        let Some(mut node) = bundler.target(&file, &pointer) else {
            continue;
        };
        let mut local_pointer = format!(
            "#/components/{section}/{}",
            crate::diag::escape_token(&name)
        );
        bundler.rewrite(&mut node, &file, false, &mut local_pointer);
        imports.push((section, name, node));
    }
    if !bundler.diags.is_empty() {
        return Err(Error::new(bundler.diags));
    }
    if imports.is_empty() {
        return Ok(bundler.warnings);
    }
    imports.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    let Some(object) = root.as_object_mut() else {
        return Ok(bundler.warnings);
    };
    let components = object
        .entry("components")
        .or_insert_with(|| Value::Object(Map::new()));
    let Some(components) = components.as_object_mut() else {
        return Err(Diagnostic::error("`components` is not a mapping")
            .in_file(display)
            .at_pointer("#/components")
            .into());
    };
    for (section, name, node) in imports {
        let entries = components
            .entry(section.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Some(entries) = entries.as_object_mut() {
            entries.insert(name, node);
        }
    }
    Ok(bundler.warnings)
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

impl Bundler {
    fn error(&mut self, file: &Path, pointer: &str, message: String, help: Option<&str>) {
        let d = self.placed(Diagnostic::error(message), file, pointer, help);
        self.diags.push(d);
    }

    fn warn(&mut self, file: &Path, pointer: &str, message: String, help: Option<&str>) {
        let d = self.placed(Diagnostic::warning(message), file, pointer, help);
        self.warnings.push(d);
    }

    /// `d`, about the node at `pointer` in `file`, with `help`.
    fn placed(&self, d: Diagnostic, file: &Path, pointer: &str, help: Option<&str>) -> Diagnostic {
        let display = if file == self.root_file {
            self.root_display.clone()
        } else {
            crate::diag::display_path(file)
        };
        let d = d.in_file(display).at_pointer(pointer);
        match help {
            Some(help) => d.with_help(help),
            None => d,
        }
    }

    /// Walks `node` (which lives in `file`), rewriting references. In the
    /// root file local references stay as they are.
    /// `pointer` is the node's; it is grown for each child and given back
    /// as it was.
    fn rewrite(&mut self, node: &mut Value, file: &Path, is_root: bool, pointer: &mut String) {
        if let Some((target_file, item)) = self.path_item(node, file, pointer) {
            // OpenAPI 3.0 has no `components` section for path items: the
            // item is put in place, its references read from its own file.
            *node = item;
            self.rewrite(node, &target_file, false, pointer);
            return;
        }
        let len = pointer.len();
        match node {
            Value::Object(map) => {
                let reference = map.get("$ref").and_then(Value::as_str).map(str::to_string);
                if let Some(reference) = reference.as_deref().filter(|r| is_remote(r)) {
                    if is_schema_position(pointer) {
                        // No network: the schema is whatever the server sends.
                        self.warn(
                            file,
                            &join(pointer, "$ref"),
                            format!("remote reference `{reference}` is not followed: apigen never uses the network; the schema is an untyped JSON value"),
                            Some("download the file next to the spec and reference it by relative path"),
                        );
                        map.clear();
                        return;
                    }
                }
                if let Some(reference) = reference {
                    let ref_pointer = join(pointer, "$ref");
                    if let Some(local) = self.resolve(&reference, file, is_root, &ref_pointer) {
                        map.insert("$ref".to_string(), Value::String(local));
                    }
                }
                let mut tokens = pointer.rsplit('/').map(str::to_string);
                let (parent, grandparent) = (tokens.next(), tokens.next());
                let literal =
                    |key: &str| super::is_literal(key, parent.as_deref(), grandparent.as_deref());
                for (key, value) in map.iter_mut() {
                    if key != "$ref"
                        && !literal(key)
                        && matches!(value, Value::Object(_) | Value::Array(_))
                    {
                        push_token(pointer, key);
                        self.rewrite(value, file, is_root, pointer);
                        pointer.truncate(len);
                    }
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter_mut().enumerate() {
                    if matches!(item, Value::Object(_) | Value::Array(_)) {
                        let _ = write!(pointer, "/{i}");
                        self.rewrite(item, file, is_root, pointer);
                        pointer.truncate(len);
                    }
                }
            }
            _ => {}
        }
    }

    /// The canonical path of the file `file_part` names from `file` (the
    /// same file when it is empty).
    fn file_named(&mut self, file: &Path, file_part: &str) -> PathBuf {
        if file_part.is_empty() {
            return file.to_path_buf();
        }
        let key = (file.to_path_buf(), file_part.to_string());
        if let Some(known) = self.canonical.get(&key) {
            return known.clone();
        }
        let base = file.parent().unwrap_or_else(|| Path::new("."));
        let target = canonical(&base.join(file_part));
        self.canonical.insert(key, target.clone());
        target
    }

    /// Whether `target_file` is read (reading it now if need be); if it
    /// cannot be, the `reference` at `ref_pointer` in `file` is an error.
    fn loaded(
        &mut self,
        target_file: &Path,
        reference: &str,
        file: &Path,
        ref_pointer: &str,
    ) -> bool {
        if self.files.contains_key(target_file) {
            return true;
        }
        match load_file(target_file, MAX_REFERENCED_BYTES - self.bytes_read) {
            Ok((value, bytes)) => {
                self.bytes_read += bytes;
                self.files.insert(target_file.to_path_buf(), value);
                true
            }
            Err(message) => {
                self.error(
                    file,
                    ref_pointer,
                    format!("cannot resolve `{reference}`: {message}"),
                    None,
                );
                false
            }
        }
    }

    /// When `node` (at `pointer` in `file`) is a path item that references
    /// another file, that file and the item there.
    fn path_item(&mut self, node: &Value, file: &Path, pointer: &str) -> Option<(PathBuf, Value)> {
        if pointer.rsplit('/').nth(1) != Some("paths") {
            return None;
        }
        let reference = node.get("$ref").and_then(Value::as_str)?;
        let (file_part, fragment) = reference.split_once('#').unwrap_or((reference, ""));
        if file_part.is_empty() || is_remote(reference) {
            return None;
        }
        let target_file = self.file_named(file, file_part);
        let ref_pointer = join(pointer, "$ref");
        if !self.loaded(&target_file, reference, file, &ref_pointer) {
            return None;
        }
        let item = self.target(&target_file, fragment)?;
        Some((target_file, item))
    }

    /// The local reference that replaces `reference`, or `None` to keep it.
    fn resolve(
        &mut self,
        reference: &str,
        file: &Path,
        is_root: bool,
        ref_pointer: &str,
    ) -> Option<String> {
        if is_remote(reference) {
            self.error(
                file,
                ref_pointer,
                format!("remote reference `{reference}` is refused: apigen never uses the network"),
                Some("download the file next to the spec and reference it by relative path"),
            );
            return None;
        }
        let (file_part, fragment) = match reference.split_once('#') {
            Some((f, p)) => (f, p),
            None => (reference, ""),
        };
        if file_part.is_empty() && is_root {
            return None;
        }
        let target_file = self.file_named(file, file_part);
        if target_file == self.root_file && !is_root {
            // A reference back into the root file: already local there.
            return Some(format!("#{fragment}"));
        }
        let pointer = fragment.to_string();
        if let Some(local) = self.imported.get(&(target_file.clone(), pointer.clone())) {
            return Some(local.clone());
        }
        if !self.loaded(&target_file, reference, file, ref_pointer) {
            return None;
        }
        if self.imported.len() >= MAX_IMPORTS {
            self.error(
                file,
                ref_pointer,
                format!("more than {MAX_IMPORTS} external references"),
                None,
            );
            return None;
        }
        let tokens: Vec<String> = pointer
            .split('/')
            .skip(1)
            .map(|t| t.replace("~1", "/").replace("~0", "~"))
            .collect();
        let (section, base_name) = match tokens.as_slice() {
            [components, section, name]
                if components == "components" && SECTIONS.contains(&section.as_str()) =>
            {
                (section.clone(), name.clone())
            }
            _ => {
                let name = tokens.last().cloned().unwrap_or_else(|| {
                    target_file
                        .file_stem()
                        .map(|s| s.to_string_lossy().into_owned())
                        .unwrap_or_default()
                });
                (section_of(ref_pointer).to_string(), name)
            }
        };
        let name = self.claim(&section, &base_name);
        let local = format!(
            "#/components/{section}/{}",
            crate::diag::escape_token(&name)
        );
        self.imported
            .insert((target_file.clone(), pointer.clone()), local.clone());
        self.queue.push((target_file, pointer, section, name));
        Some(local)
    }

    fn claim(&mut self, section: &str, base: &str) -> String {
        let taken = self.taken.entry(section.to_string()).or_default();
        let mut name = base.to_string();
        let mut n = 2;
        while taken.contains(&name) {
            name = format!("{base}{n}");
            n += 1;
        }
        taken.push(name.clone());
        name
    }

    /// The node at `pointer` in the already loaded `file`.
    fn target(&mut self, file: &Path, pointer: &str) -> Option<Value> {
        let value = self.files.get(file)?;
        match value.pointer(pointer) {
            Some(node) => Some(node.clone()),
            None => {
                let shown = crate::diag::display_path(file);
                self.error(
                    file,
                    &format!("#{pointer}"),
                    format!("unresolved reference: {shown} has nothing at `#{pointer}`"),
                    None,
                );
                None
            }
        }
    }
}

/// The parsed file at `path` and its size, if it is at most
/// `bytes_left` bytes (and within the size cap of a spec).
fn load_file(path: &Path, bytes_left: u64) -> Result<(Value, u64), String> {
    let metadata =
        std::fs::metadata(path).map_err(|e| format!("{}: {e}", crate::diag::display_path(path)))?;
    if metadata.len() > super::MAX_SPEC_BYTES {
        return Err(format!(
            "{} is larger than {} bytes",
            crate::diag::display_path(path),
            super::MAX_SPEC_BYTES
        ));
    }
    if metadata.len() > bytes_left {
        return Err(format!(
            "the referenced files add up to more than {MAX_REFERENCED_BYTES} bytes"
        ));
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: {e}", crate::diag::display_path(path)))?;
    let bytes = text.len() as u64;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let value = super::parse_text(text, path).map_err(|e| {
        e.diagnostics()
            .iter()
            .map(|d| {
                let at = match (d.line, d.column) {
                    (Some(l), Some(c)) => format!(" at {l}:{c}"),
                    _ => String::new(),
                };
                format!("{}{at} in {}", d.message, crate::diag::display_path(path))
            })
            .collect::<Vec<_>>()
            .join("; ")
    })?;
    Ok((value, bytes))
}

/// Whether any `$ref` in `value` points outside the document.
/// The section of `components` that the target of the `$ref` at
/// `ref_pointer` belongs in, when its own place does not say: what the
/// referring node is (a parameter, a response, ...), else a schema.
fn section_of(ref_pointer: &str) -> &'static str {
    let node = ref_pointer.strip_suffix("/$ref").unwrap_or(ref_pointer);
    let mut tokens = node.rsplit('/');
    let (last, parent) = (tokens.next(), tokens.next());
    match (last, parent) {
        (_, Some("properties")) => "schemas",
        (Some("requestBody"), _) | (_, Some("requestBodies")) => "requestBodies",
        (_, Some("parameters")) => "parameters",
        (_, Some("responses")) => "responses",
        (_, Some("headers")) => "headers",
        (_, Some("examples")) => "examples",
        (_, Some("securitySchemes")) => "securitySchemes",
        (_, Some("links")) => "links",
        (_, Some("callbacks")) => "callbacks",
        _ => "schemas",
    }
}

/// Whether a reference names a file on another host.
fn is_remote(reference: &str) -> bool {
    let lower = reference.to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("//")
}

/// Whether the node at `pointer` is a schema: the `schema` of a parameter,
/// header or media type, a component schema, or a schema inside another
/// (`items`, `properties`, `allOf`, ...).
fn is_schema_position(pointer: &str) -> bool {
    let mut tokens = pointer.rsplit('/');
    let (parent, grandparent, great) = (tokens.next(), tokens.next(), tokens.next());
    matches!(
        parent,
        Some("schema" | "items" | "additionalProperties" | "not")
    ) || matches!(
        grandparent,
        Some("properties" | "allOf" | "oneOf" | "anyOf")
    ) || (grandparent == Some("schemas") && great == Some("components"))
}

fn has_external_ref(value: &Value) -> bool {
    let mut stack = vec![value];
    while let Some(node) = stack.pop() {
        match node {
            Value::Object(map) => {
                if map
                    .get("$ref")
                    .and_then(Value::as_str)
                    .is_some_and(|r| !r.starts_with('#'))
                {
                    return true;
                }
                stack.extend(map.values());
            }
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    false
}
