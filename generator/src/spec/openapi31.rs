//! OpenAPI 3.1 read as 3.0: the bundled document, still a
//! `serde_json::Value`, is rewritten into the 3.0 shapes that mean the same
//! to a client, before [`super::normalize`] and the one deserialization
//! into openapiv3 (which models 3.0 only). Lowering, emission and `apigen
//! diff` then see one model whichever version a spec is written in.
//!
//! Schemas:
//!
//! - `type: [T, "null"]` is `type: T` with `nullable: true`; `type: "null"`
//!   alone is an untyped nullable value; several other types are a `oneOf`
//!   of one schema per type, each with the keywords of its type (an
//!   untagged union, tried in order), `integer` folded into `number`.
//! - `oneOf`/`anyOf` with a `{type: "null"}` alternative is `nullable`
//!   over the others; one other left is `allOf: [it]`, which lowers as it.
//! - `const: v` is `enum: [v]` (with the type of `v` when none is given);
//!   `examples: [a, ...]` is `example: a`; numeric `exclusiveMinimum` /
//!   `exclusiveMaximum` are the bound with the 3.0 flag;
//!   `contentEncoding: base64` is `format: byte`, a binary
//!   `contentMediaType` is `format: binary`.
//! - `$ref` with sibling keywords (3.1 applies them, 3.0 ignores them) is
//!   `allOf: [{$ref}]` with the siblings, so a description or `nullable`
//!   next to a reference is kept.
//! - `prefixItems` (a tuple) is an array of untyped values, with a warning.
//! - `$defs` are moved into `components/schemas` (under their own name when
//!   it is free) and the references into them follow.
//! - Keywords that change nothing a client sends or receives are dropped
//!   without a word: `$schema`, `$id`, `$comment`, `$anchor`,
//!   `$dynamicAnchor`, `$vocabulary`, `dependentRequired`, `propertyNames`,
//!   `contains`, `minContains`, `maxContains`, `contentSchema`, and a
//!   boolean `unevaluatedProperties` / `unevaluatedItems` (validation the
//!   server does). Those that would change the shape of the data are
//!   dropped with a warning: `if`/`then`/`else`, `dependentSchemas`,
//!   `patternProperties`, `$dynamicRef`, and a schema as
//!   `unevaluatedProperties` / `unevaluatedItems`.
//!
//! The document: `jsonSchemaDialect` is dropped, an absent `paths` (a spec
//! of webhooks only) is empty, path items referenced from
//! `components/pathItems` are put in place, a `mutualTLS` security scheme
//! (unknown to 3.0) is left out with a warning, and the result says
//! `openapi: 3.0.3`, which is what the generated crate's `openapi.json`
//! then is. `webhooks` are kept as they are (3.0 has none; see
//! [`super::Document::webhooks`]). Literal data (examples, defaults,
//! enums, extensions: [`super::is_literal`]) is never rewritten, and a
//! `$ref` inside it is never followed.
//!
//! Nodes that move are recorded in [`Moves`], so that every diagnostic
//! points at the node as the document writes it.

use std::fmt::Write as _;

use serde_json::{json, Map, Value};

use crate::diag::{join, push_token, Diagnostic};

/// Where nodes the rewrite moved are in the document as written.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Moves {
    /// (pointer after the move, pointer before it), in the order the
    /// moves were made.
    moves: Vec<(String, String)>,
}

impl Moves {
    fn record(&mut self, now: String, before: String) {
        self.moves.push((now, before));
    }

    /// The pointer, in the document as written, of the node at `pointer`
    /// in the rewritten one: the moves undone, the last one first.
    pub fn original(&self, pointer: &str) -> String {
        let mut pointer = pointer.to_string();
        for (now, before) in self.moves.iter().rev() {
            if let Some(rest) = under(&pointer, now) {
                pointer = format!("{before}{rest}");
            }
        }
        pointer
    }
}

/// What is below `prefix` in `pointer` (empty or starting with `/`), when
/// `pointer` is `prefix` or a node under it.
fn under<'p>(pointer: &'p str, prefix: &str) -> Option<&'p str> {
    let rest = pointer.strip_prefix(prefix)?;
    (rest.is_empty() || rest.starts_with('/')).then_some(rest)
}

/// The warnings and moves of one rewrite.
#[derive(Default)]
struct Out {
    warnings: Vec<Diagnostic>,
    moves: Moves,
}

impl Out {
    /// A warning about the node now at `pointer`, placed where it is
    /// written.
    fn warn(&mut self, pointer: &str, message: impl Into<String>) {
        let at = self.moves.original(pointer);
        self.warnings.push(Diagnostic::warning(message).at_pointer(at));
    }

    fn moved(&mut self, now: String, before: String) {
        self.moves.record(now, before);
    }
}

/// Whether `value` is an OpenAPI 3.1 document.
pub(super) fn is_openapi_31(value: &Value) -> bool {
    value
        .get("openapi")
        .and_then(Value::as_str)
        .is_some_and(|v| v.starts_with("3.1."))
}

/// Rewrites the bundled 3.1 document `value` into 3.0 shapes; returns the
/// warnings (at pointers of the document as written, in no file yet) and
/// the moves.
pub(super) fn downgrade(value: &mut Value) -> (Vec<Diagnostic>, Moves) {
    let mut out = Out::default();
    let Some(root) = value.as_object_mut() else {
        return (out.warnings, out.moves);
    };
    root.insert("openapi".to_string(), json!("3.0.3"));
    root.remove("jsonSchemaDialect");
    root.entry("paths").or_insert_with(|| json!({}));
    path_items_in_place(root, &mut out);
    mutual_tls(root, &mut out);
    hoist_defs(value, &mut out);
    each_schema(value, &mut |node, pointer| {
        rewrite_schema(node, pointer, &mut out)
    });
    (out.warnings, out.moves)
}

// ----- the document ----------------------------------------------------------

/// How many `components/pathItems` references may lead to one another.
const MAX_PATH_ITEM_CHAIN: usize = 16;

/// Each path item (of `paths` and `webhooks`) that references
/// `components/pathItems` gets a copy of the item there, with its own
/// fields (3.1 allows `summary` and `description`) over it; the section
/// goes, as 3.0 has none. A reference that names no item is left for
/// lowering to report.
fn path_items_in_place(root: &mut Map<String, Value>, out: &mut Out) {
    let items = root
        .get_mut("components")
        .and_then(Value::as_object_mut)
        .and_then(|components| components.remove("pathItems"));
    let Some(Value::Object(items)) = items else {
        return;
    };
    for section in ["paths", "webhooks"] {
        let Some(Value::Object(entries)) = root.get_mut(section) else {
            continue;
        };
        for (key, item) in entries.iter_mut() {
            let pointer = join(&join("#", section), key);
            for _ in 0..MAX_PATH_ITEM_CHAIN {
                let Some(name) = item
                    .get("$ref")
                    .and_then(Value::as_str)
                    .and_then(|r| r.strip_prefix("#/components/pathItems/"))
                    .map(unescape_token)
                else {
                    break;
                };
                let Some(Value::Object(target)) = items.get(&name) else {
                    break;
                };
                let mut placed = target.clone();
                if let Value::Object(own) = item {
                    for (k, v) in own.iter().filter(|(k, _)| *k != "$ref") {
                        placed.insert(k.clone(), v.clone());
                    }
                }
                out.moved(pointer.clone(), join("#/components/pathItems", &name));
                *item = Value::Object(placed);
            }
        }
    }
}

/// A `mutualTLS` security scheme is new in 3.1; the client's own reqwest
/// client carries the certificate.
fn mutual_tls(root: &mut Map<String, Value>, out: &mut Out) {
    let Some(Value::Object(schemes)) = root
        .get_mut("components")
        .and_then(|c| c.get_mut("securitySchemes"))
    else {
        return;
    };
    let mutual: Vec<String> = schemes
        .iter()
        .filter(|(_, s)| s.get("type").and_then(Value::as_str) == Some("mutualTLS"))
        .map(|(name, _)| name.clone())
        .collect();
    for name in mutual {
        schemes.remove(&name);
        out.warn(
            &join("#/components/securitySchemes", &name),
            "the `mutualTLS` security scheme is left out: give the client certificate to your own reqwest client (ClientBuilder::http_client)",
        );
    }
}

/// Moves every `$defs` entry into `components/schemas` (under its own
/// name when free, else after its component, else numbered) and rewrites
/// the references into it. `$defs` inside moved schemas move in the next
/// round.
fn hoist_defs(value: &mut Value, out: &mut Out) {
    let mut renames: Vec<(String, String)> = Vec::new();
    loop {
        let mut found: Vec<(String, String, Value)> = Vec::new();
        each_schema(value, &mut |node, pointer| {
            if let Some(Value::Object(defs)) =
                node.as_object_mut().and_then(|map| map.remove("$defs"))
            {
                let at = join(pointer, "$defs");
                for (name, schema) in defs {
                    found.push((join(&at, &name), name, schema));
                }
            }
        });
        if found.is_empty() {
            break;
        }
        let Some(schemas) = component_schemas(value) else {
            return;
        };
        for (pointer, name, schema) in found {
            let key = free_name(schemas, &name, &pointer);
            let now = join("#/components/schemas", &key);
            out.moved(now.clone(), pointer.clone());
            renames.push((pointer, now));
            schemas.insert(key, schema);
        }
    }
    if renames.is_empty() {
        return;
    }
    each_schema(value, &mut |node, _| {
        let Some(Value::String(reference)) = node.get_mut("$ref") else {
            return;
        };
        for (from, to) in &renames {
            if let Some(rest) = under(reference, from) {
                *reference = format!("{to}{rest}");
            }
        }
    });
}

/// `components/schemas`, made if need be; `None` when the document has a
/// `components` that is not a mapping (deserialization reports it).
fn component_schemas(value: &mut Value) -> Option<&mut Map<String, Value>> {
    let components = value
        .as_object_mut()?
        .entry("components")
        .or_insert_with(|| json!({}));
    components
        .as_object_mut()?
        .entry("schemas")
        .or_insert_with(|| json!({}))
        .as_object_mut()
}

/// A key of `schemas` for the definition `name` found at `pointer`.
fn free_name(schemas: &Map<String, Value>, name: &str, pointer: &str) -> String {
    if !schemas.contains_key(name) {
        return name.to_string();
    }
    let owner = pointer
        .strip_prefix("#/components/schemas/")
        .and_then(|rest| rest.split('/').next())
        .map(unescape_token);
    let base = match owner {
        Some(owner) => format!("{owner}_{name}"),
        None => name.to_string(),
    };
    let mut candidate = base.clone();
    let mut n = 2;
    while schemas.contains_key(&candidate) {
        candidate = format!("{base}{n}");
        n += 1;
    }
    candidate
}

fn unescape_token(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

// ----- walking the schemas -------------------------------------------------------

/// Maps of the document whose keys are names (of paths, media types,
/// components, properties to encode, ...): a key `schema` in them is a
/// name, not a schema.
const NAMED: &[&str] = &[
    "paths",
    "webhooks",
    "content",
    "responses",
    "headers",
    "examples",
    "links",
    "callbacks",
    "encoding",
    "variables",
    "parameters",
    "requestBodies",
    "securitySchemes",
    "pathItems",
    "mapping",
    "scopes",
];

/// Keywords of a schema that hold one schema, maps of named schemas and
/// lists of schemas.
const ONE_SCHEMA: &[&str] = &[
    "items",
    "additionalProperties",
    "not",
    "contains",
    "if",
    "then",
    "else",
    "propertyNames",
    "unevaluatedProperties",
    "unevaluatedItems",
    "contentSchema",
];
const NAMED_SCHEMAS: &[&str] = &[
    "properties",
    "patternProperties",
    "$defs",
    "dependentSchemas",
];
const SCHEMA_LISTS: &[&str] = &["allOf", "anyOf", "oneOf", "prefixItems"];

/// A function called on every schema, with its pointer.
type Visit<'f> = dyn FnMut(&mut Value, &str) + 'f;

/// Calls `visit` on every schema of the document outside literal data, a
/// schema before the schemas inside it (which it may change).
fn each_schema(value: &mut Value, visit: &mut Visit<'_>) {
    let mut pointer = "#".to_string();
    structure(value, &mut pointer, visit);
}

/// Walks the spec's structure to the schemas: component schemas and the
/// `schema` of parameters, headers and media types.
fn structure(node: &mut Value, pointer: &mut String, visit: &mut Visit<'_>) {
    let len = pointer.len();
    match node {
        Value::Object(map) => {
            let mut tokens = pointer.rsplit('/').map(str::to_string);
            let (own, parent) = (tokens.next(), tokens.next());
            let names = own.as_deref().is_some_and(|k| NAMED.contains(&k));
            let schemas = own.as_deref() == Some("schemas") && parent.as_deref() == Some("components");
            for (key, child) in map.iter_mut() {
                // Keys of a map of names are names, even `default`.
                let named = names || schemas;
                if !named && super::is_literal(key, own.as_deref(), parent.as_deref()) {
                    continue;
                }
                push_token(pointer, key);
                if schemas || (key == "schema" && !names) {
                    schema(child, pointer, visit);
                } else {
                    structure(child, pointer, visit);
                }
                pointer.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                let _ = write!(pointer, "/{i}");
                structure(item, pointer, visit);
                pointer.truncate(len);
            }
        }
        _ => {}
    }
}

/// Visits the schema `node`, then the schemas inside it. Literal keywords
/// (`example`, `default`, `enum`, `const`, ...) hold no schema and are not
/// entered.
fn schema(node: &mut Value, pointer: &mut String, visit: &mut Visit<'_>) {
    visit(node, pointer);
    let Value::Object(map) = node else {
        return;
    };
    let len = pointer.len();
    for (key, child) in map.iter_mut() {
        let key = key.as_str();
        push_token(pointer, key);
        match child {
            Value::Object(entries) if NAMED_SCHEMAS.contains(&key) => {
                let len = pointer.len();
                for (name, entry) in entries.iter_mut() {
                    push_token(pointer, name);
                    schema(entry, pointer, visit);
                    pointer.truncate(len);
                }
            }
            Value::Array(list) if SCHEMA_LISTS.contains(&key) || key == "items" => {
                let len = pointer.len();
                for (i, entry) in list.iter_mut().enumerate() {
                    let _ = write!(pointer, "/{i}");
                    schema(entry, pointer, visit);
                    pointer.truncate(len);
                }
            }
            // `additionalProperties: true` is 3.0 as well.
            Value::Bool(_) if key == "additionalProperties" => {}
            Value::Object(_) | Value::Bool(_) if ONE_SCHEMA.contains(&key) => {
                schema(child, pointer, visit);
            }
            _ => {}
        }
        pointer.truncate(len);
    }
}

// ----- one schema ------------------------------------------------------------------

/// Rewrites one schema (at `pointer`) into its 3.0 shape; the schemas
/// inside it are rewritten after it.
fn rewrite_schema(node: &mut Value, pointer: &str, out: &mut Out) {
    if let Value::Bool(accepts) = node {
        // `true` accepts anything; `false` nothing.
        *node = if *accepts {
            json!({})
        } else {
            json!({"not": {}})
        };
        return;
    }
    let Value::Object(map) = node else {
        return;
    };
    drop_keywords(map, pointer, out);
    if let Some(Value::Array(examples)) = map.get("examples") {
        let first = examples.first().cloned();
        map.remove("examples");
        if let (Some(first), false) = (first, map.contains_key("example")) {
            map.insert("example".to_string(), first);
        }
    }
    const_to_enum(map);
    content_to_format(map);
    exclusive_bounds(map);
    type_list(map, pointer, out);
    null_alternatives(map, pointer, out);
    if map.remove("prefixItems").is_some() {
        map.remove("items");
        out.warn(
            &join(pointer, "prefixItems"),
            "a tuple (`prefixItems`) is not modelled; the array's items are untyped JSON values",
        );
    } else if matches!(map.get("items"), Some(Value::Bool(_))) {
        map.remove("items");
    }
    ref_siblings(map, pointer, out);
}

/// Keywords dropped without a word: they change nothing a client sends or
/// receives.
const SILENT: &[&str] = &[
    "$schema",
    "$id",
    "$comment",
    "$anchor",
    "$dynamicAnchor",
    "$vocabulary",
    "dependentRequired",
    "propertyNames",
    "contains",
    "minContains",
    "maxContains",
    "contentSchema",
];

/// Keywords that change the shape of the data, which the generated types
/// do not represent.
const SHAPING: &[&str] = &[
    "if",
    "then",
    "else",
    "dependentSchemas",
    "patternProperties",
    "$dynamicRef",
];

fn drop_keywords(map: &mut Map<String, Value>, pointer: &str, out: &mut Out) {
    for key in SILENT {
        map.remove(*key);
    }
    for key in ["unevaluatedProperties", "unevaluatedItems"] {
        if let Some(Value::Object(_)) = map.remove(key) {
            out.warn(
                &join(pointer, key),
                format!("`{key}` with a schema is not represented in the generated types; it is left out"),
            );
        }
    }
    for key in SHAPING {
        if map.remove(*key).is_some() {
            out.warn(
                &join(pointer, key),
                format!("`{key}` is not represented in the generated types; it is left out"),
            );
        }
    }
}

/// `const: v` is `enum: [v]`, of the type of `v` when the schema names
/// none; `const: null` is a nullable value.
fn const_to_enum(map: &mut Map<String, Value>) {
    let Some(value) = map.remove("const") else {
        return;
    };
    if value.is_null() {
        map.insert("nullable".to_string(), Value::Bool(true));
        return;
    }
    if !map.contains_key("type") {
        map.insert("type".to_string(), json!(json_type(&value)));
    }
    map.entry("enum").or_insert_with(|| json!([value]));
}

/// The JSON Schema type of a value.
fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// `contentEncoding: base64` is `format: byte`; a binary
/// `contentMediaType` (not text, JSON, XML, YAML or a form) is `format:
/// binary`. Both are strings.
fn content_to_format(map: &mut Map<String, Value>) {
    let encoding = map.remove("contentEncoding");
    let media = map.remove("contentMediaType");
    if map.contains_key("format") {
        return;
    }
    let base64 = encoding
        .as_ref()
        .and_then(Value::as_str)
        .is_some_and(|e| e.eq_ignore_ascii_case("base64") || e.eq_ignore_ascii_case("base64url"));
    let binary = encoding.is_none() && media.as_ref().and_then(Value::as_str).is_some_and(is_binary);
    let format = match (base64, binary) {
        (true, _) => "byte",
        (false, true) => "binary",
        (false, false) => return,
    };
    map.insert("format".to_string(), json!(format));
    map.entry("type").or_insert_with(|| json!("string"));
}

/// Whether a media type's content is bytes rather than text.
fn is_binary(media: &str) -> bool {
    let media = media.to_ascii_lowercase();
    let textual = ["json", "xml", "yaml", "javascript", "x-www-form-urlencoded"];
    !media.starts_with("text/") && !textual.iter().any(|t| media.contains(t))
}

/// A numeric `exclusiveMinimum` / `exclusiveMaximum` is the bound with
/// the 3.0 flag, unless the schema's own bound is stricter.
fn exclusive_bounds(map: &mut Map<String, Value>) {
    for (exclusive, bound, lower) in [
        ("exclusiveMinimum", "minimum", true),
        ("exclusiveMaximum", "maximum", false),
    ] {
        let Some(Value::Number(limit)) = map.get(exclusive).cloned() else {
            continue;
        };
        let limit_f = limit.as_f64().unwrap_or_default();
        let stricter = match map.get(bound).and_then(Value::as_f64) {
            Some(own) if lower => limit_f >= own,
            Some(own) => limit_f <= own,
            None => true,
        };
        if stricter {
            map.insert(bound.to_string(), Value::Number(limit));
            map.insert(exclusive.to_string(), Value::Bool(true));
        } else {
            map.remove(exclusive);
        }
    }
}

/// `type` as a list (or `"null"`): `null` is `nullable`; one other type
/// is `type`; several are split into a `oneOf`.
fn type_list(map: &mut Map<String, Value>, pointer: &str, out: &mut Out) {
    let mut types: Vec<String> = match map.get("type") {
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        Some(Value::String(t)) if t == "null" => vec![t.clone()],
        _ => return,
    };
    let mut seen = Vec::new();
    types.retain(|t| {
        let first = !seen.contains(t);
        seen.push(t.clone());
        first
    });
    if types.iter().any(|t| t == "null") {
        map.insert("nullable".to_string(), Value::Bool(true));
        types.retain(|t| t != "null");
    }
    if types.iter().any(|t| t == "number") {
        // Every integer is a number.
        types.retain(|t| t != "integer");
    }
    match types.as_slice() {
        [] => {
            map.remove("type");
        }
        [only] => {
            map.insert("type".to_string(), json!(only));
        }
        several => split_types(map, several, pointer, out),
    }
}

/// The keywords that apply to values of one type only.
fn keywords_of(ty: &str) -> &'static [&'static str] {
    match ty {
        "object" => &[
            "properties",
            "required",
            "additionalProperties",
            "minProperties",
            "maxProperties",
            "discriminator",
        ],
        "array" => &["items", "minItems", "maxItems", "uniqueItems", "prefixItems"],
        "string" => &["minLength", "maxLength", "pattern", "format"],
        "integer" | "number" => &[
            "minimum",
            "maximum",
            "exclusiveMinimum",
            "exclusiveMaximum",
            "multipleOf",
            "format",
        ],
        _ => &[],
    }
}

/// A schema of several types is a `oneOf` with one alternative per type,
/// each with the keywords (and `enum` values) of its type; what applies
/// to all (docs, `nullable`, examples) stays outside. Next to an existing
/// `oneOf`/`anyOf` the types are left to the alternatives.
fn split_types(map: &mut Map<String, Value>, types: &[String], pointer: &str, out: &mut Out) {
    map.remove("type");
    if map.contains_key("oneOf") || map.contains_key("anyOf") {
        out.warn(
            &join(pointer, "type"),
            "`type` lists several types next to `oneOf`/`anyOf`; the list is left out and the alternatives decide",
        );
        return;
    }
    let values = map.remove("enum");
    let mut alternatives = Vec::new();
    for ty in types {
        let mut alternative = Map::new();
        alternative.insert("type".to_string(), json!(ty));
        for key in keywords_of(ty) {
            if let Some(value) = map.get(*key) {
                alternative.insert(key.to_string(), value.clone());
            }
        }
        if let Some(Value::Array(values)) = &values {
            let fits: Vec<Value> = values
                .iter()
                .filter(|v| json_type(v) == ty || (ty == "number" && v.is_number()))
                .cloned()
                .collect();
            if !fits.is_empty() {
                alternative.insert("enum".to_string(), Value::Array(fits));
            }
        }
        alternatives.push(Value::Object(alternative));
    }
    for ty in types {
        for key in keywords_of(ty) {
            map.remove(*key);
        }
    }
    let one_of = join(pointer, "oneOf");
    for i in 0..alternatives.len() {
        out.moved(join(&one_of, &i.to_string()), pointer.to_string());
    }
    map.insert("oneOf".to_string(), Value::Array(alternatives));
}

/// Whether an alternative of a `oneOf`/`anyOf` accepts only `null`.
fn is_null_schema(schema: &Value) -> bool {
    let null = json!("null");
    match schema.get("type") {
        Some(Value::String(t)) => t == "null",
        Some(Value::Array(list)) => list.iter().all(|t| *t == null),
        _ => {
            schema.get("const").is_some_and(Value::is_null)
                || schema
                    .get("enum")
                    .and_then(Value::as_array)
                    .is_some_and(|values| values.iter().all(Value::is_null))
        }
    }
}

/// A `oneOf`/`anyOf` alternative that is only `null` makes the schema
/// `nullable`; one alternative left is an `allOf` part (which lowers as
/// that schema), none an untyped value.
fn null_alternatives(map: &mut Map<String, Value>, pointer: &str, out: &mut Out) {
    for key in ["oneOf", "anyOf"] {
        let Some(Value::Array(list)) = map.get_mut(key) else {
            continue;
        };
        if !list.iter().any(is_null_schema) {
            continue;
        }
        let mut kept = Vec::new();
        for (i, alternative) in std::mem::take(list).into_iter().enumerate() {
            if !is_null_schema(&alternative) {
                kept.push((i, alternative));
            }
        }
        map.insert("nullable".to_string(), Value::Bool(true));
        let at = join(pointer, key);
        if kept.len() == 1 {
            map.remove(key);
            let parts = map.entry("allOf").or_insert_with(|| json!([]));
            if let (Value::Array(parts), Some((i, only))) = (parts, kept.pop()) {
                let now = join(&join(pointer, "allOf"), &parts.len().to_string());
                out.moved(now, join(&at, &i.to_string()));
                parts.push(only);
            }
            continue;
        }
        // In ascending order: undone last first, no index is moved twice.
        for (now, (before, _)) in kept.iter().enumerate() {
            if now != *before {
                out.moved(join(&at, &now.to_string()), join(&at, &before.to_string()));
            }
        }
        if kept.is_empty() {
            map.remove(key);
        } else {
            map.insert(key.to_string(), kept.into_iter().map(|(_, s)| s).collect());
        }
    }
}

/// `$ref` with sibling keywords other than extensions is `allOf: [{$ref}]`
/// next to them: 3.1 applies the siblings, where 3.0 (and openapiv3)
/// ignores them.
fn ref_siblings(map: &mut Map<String, Value>, pointer: &str, out: &mut Out) {
    if !map.contains_key("$ref") || !map.keys().any(|k| k != "$ref" && !k.starts_with("x-")) {
        return;
    }
    let Some(reference) = map.remove("$ref") else {
        return;
    };
    let parts = map.entry("allOf").or_insert_with(|| json!([]));
    let Value::Array(parts) = parts else {
        // A malformed `allOf`: deserialization reports it.
        return;
    };
    let now = join(&join(pointer, "allOf"), &parts.len().to_string());
    out.moved(now, pointer.to_string());
    parts.push(json!({"$ref": reference}));
}
