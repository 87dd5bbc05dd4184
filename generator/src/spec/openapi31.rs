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
        self.warnings
            .push(Diagnostic::warning(message).at_pointer(at));
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
            let schemas =
                own.as_deref() == Some("schemas") && parent.as_deref() == Some("components");
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
    let binary = encoding.is_none()
        && media
            .as_ref()
            .and_then(Value::as_str)
            .is_some_and(is_binary);
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
        "array" => &[
            "items",
            "minItems",
            "maxItems",
            "uniqueItems",
            "prefixItems",
        ],
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

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::model::{Api, TypeDef, TypeKind, TypeRef};

    /// `value` rewritten, and its warnings as `pointer: message`.
    fn downgraded(mut value: Value) -> (Value, Vec<String>) {
        let (warnings, _) = downgrade(&mut value);
        let warnings = warnings
            .iter()
            .map(|w| format!("{}: {}", w.pointer.as_deref().unwrap_or("-"), w.message))
            .collect();
        (value, warnings)
    }

    /// A 3.1 document with these component schemas.
    fn with_schemas(schemas: Value) -> Value {
        json!({"openapi": "3.1.0", "info": {"title": "T", "version": "1"},
               "components": {"schemas": schemas}})
    }

    /// The spec `text` loaded and lowered, with every diagnostic as
    /// `pointer: message`.
    fn lowered(text: &str) -> (Api, Vec<String>) {
        let doc = crate::spec::load_bytes(text.as_bytes(), Path::new("s.yaml"), "s.yaml")
            .unwrap_or_else(|e| panic!("{e}"));
        let (api, warnings) = crate::lower::lower(&doc).unwrap_or_else(|e| panic!("{e}"));
        let warnings = warnings
            .iter()
            .map(|w| format!("{}: {}", w.pointer.as_deref().unwrap_or("-"), w.message))
            .collect();
        (api, warnings)
    }

    fn type_named<'a>(api: &'a Api, name: &str) -> &'a TypeDef {
        api.types
            .types
            .values()
            .find(|t| t.name == name)
            .unwrap_or_else(|| panic!("no type `{name}`"))
    }

    /// A struct's fields as (name, type, nullable, docs).
    fn fields(api: &Api, name: &str) -> Vec<(String, TypeRef, bool, Option<String>)> {
        let TypeKind::Struct(s) = &type_named(api, name).kind else {
            panic!("`{name}` is not a struct");
        };
        s.fields
            .iter()
            .map(|f| (f.name.clone(), f.ty.clone(), f.nullable, f.docs.clone()))
            .collect()
    }

    const HEADER: &str = "openapi: 3.1.0\ninfo: {title: T, version: '1'}\n";

    #[test]
    fn type_lists_are_a_type_and_nullable_or_a_one_of() {
        let (value, warnings) = downgraded(with_schemas(json!({
            "Name": {"type": ["string", "null"], "maxLength": 5},
            "Nothing": {"type": ["null"]},
            "Null": {"type": "null"},
            "Amount": {"type": ["integer", "number"]},
            "Either": {"type": ["string", "integer", "null"], "description": "d",
                       "maxLength": 3, "minimum": 1, "enum": ["a", 2, null]},
        })));
        assert_eq!(warnings, Vec::<String>::new());
        let schemas = &value["components"]["schemas"];
        assert_eq!(
            schemas["Name"],
            json!({"type": "string", "maxLength": 5, "nullable": true})
        );
        assert_eq!(schemas["Nothing"], json!({"nullable": true}));
        assert_eq!(schemas["Null"], json!({"nullable": true}));
        assert_eq!(schemas["Amount"], json!({"type": "number"}));
        assert_eq!(
            schemas["Either"],
            json!({"description": "d", "nullable": true, "oneOf": [
                {"type": "string", "maxLength": 3, "enum": ["a"]},
                {"type": "integer", "minimum": 1, "enum": [2]},
            ]})
        );
    }

    /// A field of several types is an untagged union of them; a nullable
    /// one is an `Option`, and a null-only one any JSON value.
    #[test]
    fn type_lists_lower_to_options_and_unions() {
        let text = format!(
            "{HEADER}components:\n  schemas:\n    Row:\n      type: object\n      properties:\n        name: {{type: [string, 'null']}}\n        rating: {{type: [integer, string]}}\n        gone: {{type: 'null'}}\n"
        );
        let (api, warnings) = lowered(&text);
        assert_eq!(warnings, Vec::<String>::new());
        let rating = type_named(&api, "RowRating");
        let TypeKind::Union(union) = &rating.kind else {
            panic!("not a union: {rating:?}");
        };
        let variants: Vec<(&str, &TypeRef)> = union
            .variants
            .iter()
            .map(|v| (v.name.as_str(), &v.ty))
            .collect();
        assert_eq!(
            variants,
            [("Integer", &TypeRef::I64), ("String", &TypeRef::String)]
        );
        assert_eq!(
            fields(&api, "Row"),
            [
                ("name".into(), TypeRef::String, true, None),
                ("rating".into(), TypeRef::Named(rating.id), false, None),
                ("gone".into(), TypeRef::Json, true, None),
            ]
        );
    }

    #[test]
    fn a_null_alternative_makes_the_others_nullable() {
        let (value, _) = downgraded(with_schemas(json!({
            "One": {"anyOf": [{"type": "null"}, {"$ref": "#/components/schemas/A"}], "description": "d"},
            "Two": {"oneOf": [{"type": "null"}, {"type": "string"}, {"type": "integer"}]},
            "Plain": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
        })));
        let schemas = &value["components"]["schemas"];
        assert_eq!(
            schemas["One"],
            json!({"description": "d", "nullable": true, "allOf": [{"$ref": "#/components/schemas/A"}]})
        );
        assert_eq!(
            schemas["Two"],
            json!({"oneOf": [{"type": "string"}, {"type": "integer"}], "nullable": true})
        );
        assert!(schemas["Plain"].get("nullable").is_none());
    }

    /// A warning about an alternative that moved is where it is written.
    #[test]
    fn diagnostics_inside_moved_alternatives_point_where_they_are_written() {
        let text = format!(
            "{HEADER}components:\n  schemas:\n    Pet:\n      anyOf:\n        - type: 'null'\n        - type: object\n          properties: {{a: {{type: string}}}}\n          not: {{type: string}}\n"
        );
        let (_, warnings) = lowered(&text);
        assert_eq!(
            warnings,
            ["#/components/schemas/Pet/anyOf/1/not: this `not` schema is not enforced by the generated types; only `not: {required: [a, b]}` is"]
        );
    }

    /// `const` is a one-value enum: a string enum type with one variant
    /// (and `Unknown`, as every string enum).
    #[test]
    fn const_is_a_one_value_enum() {
        let (value, _) = downgraded(with_schemas(json!({
            "Kind": {"const": "pet"},
            "Typed": {"type": "integer", "const": 3},
            "Nothing": {"const": null},
            "Data": {"type": "object", "example": {"const": "kept"}},
        })));
        let schemas = &value["components"]["schemas"];
        assert_eq!(schemas["Kind"], json!({"type": "string", "enum": ["pet"]}));
        assert_eq!(schemas["Typed"], json!({"type": "integer", "enum": [3]}));
        assert_eq!(schemas["Nothing"], json!({"nullable": true}));
        assert_eq!(schemas["Data"]["example"], json!({"const": "kept"}));

        let text = format!("{HEADER}components:\n  schemas:\n    Kind: {{const: pet}}\n");
        let (api, _) = lowered(&text);
        let TypeKind::StringEnum(kind) = &type_named(&api, "Kind").kind else {
            panic!("not a string enum");
        };
        let wires: Vec<&str> = kind.variants.iter().map(|v| v.wire_name.as_str()).collect();
        assert_eq!(wires, ["pet"]);
    }

    #[test]
    fn schema_examples_are_the_first_example_and_example_objects_stay() {
        let (value, _) = downgraded(json!({
            "openapi": "3.1.0",
            "paths": {"/a": {"get": {"responses": {"200": {"description": "ok", "content": {
                "application/json": {
                    "schema": {"type": "string", "examples": ["first", "second"]},
                    "examples": {"one": {"value": {"examples": [1]}}}
                }
            }}}}}},
            "components": {"schemas": {
                "Both": {"type": "string", "example": "own", "examples": ["other"]},
                "None": {"type": "string", "examples": []},
            }}
        }));
        let media = &value["paths"]["/a"]["get"]["responses"]["200"]["content"]["application/json"];
        assert_eq!(
            media["schema"],
            json!({"type": "string", "example": "first"})
        );
        assert_eq!(
            media["examples"],
            json!({"one": {"value": {"examples": [1]}}})
        );
        let schemas = &value["components"]["schemas"];
        assert_eq!(schemas["Both"], json!({"type": "string", "example": "own"}));
        assert_eq!(schemas["None"], json!({"type": "string"}));
    }

    #[test]
    fn a_reference_with_siblings_is_an_all_of_with_them() {
        let (value, _) = downgraded(with_schemas(json!({
            "Pet": {"type": "object", "properties": {
                "owner": {"$ref": "#/components/schemas/Person", "description": "The owner.", "nullable": true},
                "plain": {"$ref": "#/components/schemas/Person", "x-since": "2"},
            }},
            "Person": {"type": "object", "properties": {"name": {"type": "string"}}},
        })));
        let properties = &value["components"]["schemas"]["Pet"]["properties"];
        assert_eq!(
            properties["owner"],
            json!({"description": "The owner.", "nullable": true,
                   "allOf": [{"$ref": "#/components/schemas/Person"}]})
        );
        assert_eq!(
            properties["plain"],
            json!({"$ref": "#/components/schemas/Person", "x-since": "2"})
        );
    }

    /// The field of a reference with siblings has the referenced type, the
    /// description as docs, and the siblings' `nullable`.
    #[test]
    fn a_reference_with_siblings_lowers_to_the_referenced_type() {
        let text = format!(
            "{HEADER}components:\n  schemas:\n    Pet:\n      type: object\n      properties:\n        owner: {{$ref: '#/components/schemas/Person', description: The owner.}}\n        vet:\n          description: The vet, if any.\n          oneOf: [{{$ref: '#/components/schemas/Person'}}, {{type: 'null'}}]\n    Person: {{type: object, properties: {{name: {{type: string}}}}}}\n"
        );
        let (api, warnings) = lowered(&text);
        assert_eq!(warnings, Vec::<String>::new());
        let person = TypeRef::Named(type_named(&api, "Person").id);
        assert_eq!(
            fields(&api, "Pet"),
            [
                (
                    "owner".into(),
                    person.clone(),
                    false,
                    Some("The owner.".into())
                ),
                ("vet".into(), person, true, Some("The vet, if any.".into())),
            ]
        );
    }

    #[test]
    fn numeric_exclusive_bounds_are_bounds_with_the_flag() {
        let (value, _) = downgraded(with_schemas(json!({
            "Open": {"type": "integer", "exclusiveMinimum": 0, "exclusiveMaximum": 10},
            "Own": {"type": "number", "minimum": 5, "exclusiveMinimum": 1, "exclusiveMaximum": 7.5},
        })));
        let schemas = &value["components"]["schemas"];
        assert_eq!(
            schemas["Open"],
            json!({"type": "integer", "exclusiveMinimum": true, "exclusiveMaximum": true,
                   "minimum": 0, "maximum": 10})
        );
        // The schema's own `minimum` is the stricter one.
        assert_eq!(
            schemas["Own"],
            json!({"type": "number", "minimum": 5, "exclusiveMaximum": true, "maximum": 7.5})
        );
    }

    #[test]
    fn a_tuple_is_an_array_of_untyped_values_with_a_warning() {
        let (value, warnings) = downgraded(with_schemas(json!({
            "Point": {"type": "array", "prefixItems": [{"type": "number"}, {"type": "number"}],
                      "items": false},
            "Rest": {"type": "array", "items": true},
        })));
        let schemas = &value["components"]["schemas"];
        assert_eq!(schemas["Point"], json!({"type": "array"}));
        assert_eq!(schemas["Rest"], json!({"type": "array"}));
        assert_eq!(
            warnings,
            ["#/components/schemas/Point/prefixItems: a tuple (`prefixItems`) is not modelled; the array's items are untyped JSON values"]
        );
    }

    #[test]
    fn content_encoding_and_binary_media_types_are_formats() {
        let (value, _) = downgraded(with_schemas(json!({
            "Base64": {"type": "string", "contentEncoding": "base64", "contentMediaType": "image/png"},
            "Image": {"contentMediaType": "image/png"},
            "Bytes": {"type": "string", "contentMediaType": "application/octet-stream"},
            "Json": {"type": "string", "contentMediaType": "application/json"},
            "Dated": {"type": "string", "format": "date", "contentEncoding": "base64"},
        })));
        let schemas = &value["components"]["schemas"];
        assert_eq!(
            schemas["Base64"],
            json!({"type": "string", "format": "byte"})
        );
        assert_eq!(
            schemas["Image"],
            json!({"format": "binary", "type": "string"})
        );
        assert_eq!(
            schemas["Bytes"],
            json!({"type": "string", "format": "binary"})
        );
        assert_eq!(schemas["Json"], json!({"type": "string"}));
        assert_eq!(
            schemas["Dated"],
            json!({"type": "string", "format": "date"})
        );
    }

    /// A path item of `components/pathItems` is put in place; what is
    /// reported about it points into `components/pathItems`.
    #[test]
    fn path_items_of_components_are_put_in_place() {
        let text = format!(
            "{HEADER}paths:\n  /a:\n    $ref: '#/components/pathItems/A'\n    summary: Mine.\ncomponents:\n  pathItems:\n    A:\n      summary: Theirs.\n      get:\n        operationId: getA\n        parameters: [{{name: q, in: query}}]\n        responses: {{'204': {{description: none}}}}\n"
        );
        let (api, warnings) = lowered(&text);
        assert_eq!(api.operations.len(), 1);
        assert_eq!(api.operations[0].name, "get_a");
        assert_eq!(
            warnings,
            ["#/components/pathItems/A/get/parameters/0: parameter `q` has neither `schema` nor `content`; it is read as a string"]
        );
        let doc = crate::spec::load_bytes(text.as_bytes(), Path::new("s.yaml"), "s.yaml").unwrap();
        let item = doc.openapi.paths.paths["/a"].as_item().unwrap();
        assert_eq!(item.summary.as_deref(), Some("Mine."));
    }

    #[test]
    fn keywords_that_change_nothing_go_silently_and_others_with_a_warning() {
        let (value, warnings) = downgraded(json!({
            "openapi": "3.1.0",
            "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
            "components": {"schemas": {"Pet": {
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "$id": "https://example.com/pet", "$comment": "c", "$anchor": "pet",
                "type": "object",
                "properties": {"a": {"type": "string"}, "$id": {"type": "string"}},
                "dependentRequired": {"a": ["b"]},
                "unevaluatedProperties": false,
                "patternProperties": {"^x-": {"type": "string"}},
                "if": {"required": ["a"]}, "then": {"required": ["b"]},
            }}}
        }));
        assert_eq!(
            value,
            json!({"openapi": "3.0.3", "paths": {}, "components": {"schemas": {"Pet": {
                "type": "object",
                "properties": {"a": {"type": "string"}, "$id": {"type": "string"}},
            }}}})
        );
        assert_eq!(
            warnings,
            [
                "#/components/schemas/Pet/if: `if` is not represented in the generated types; it is left out",
                "#/components/schemas/Pet/then: `then` is not represented in the generated types; it is left out",
                "#/components/schemas/Pet/patternProperties: `patternProperties` is not represented in the generated types; it is left out",
            ]
        );
    }

    /// `$defs` move into `components/schemas` and the references follow;
    /// a taken name is prefixed with its owner's; a reference inside an
    /// example is data.
    #[test]
    fn defs_are_component_schemas() {
        let (value, _) = downgraded(with_schemas(json!({
            "Pet": {
                "type": "object",
                "properties": {
                    "tag": {"$ref": "#/components/schemas/Pet/$defs/Tag"},
                    "owner": {"$ref": "#/components/schemas/Pet/$defs/Owner"},
                    "deep": {"$ref": "#/components/schemas/Pet/$defs/Owner/$defs/Name"},
                },
                "example": {"$ref": "#/components/schemas/Pet/$defs/Tag"},
                "$defs": {
                    "Tag": {"type": "string"},
                    "Owner": {"type": "object", "$defs": {"Name": {"type": "string"}}},
                },
            },
            "Tag": {"type": "integer"},
        })));
        let schemas = &value["components"]["schemas"];
        let keys: Vec<&str> = schemas
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, ["Pet", "Tag", "Pet_Tag", "Owner", "Name"]);
        let properties = &schemas["Pet"]["properties"];
        assert_eq!(properties["tag"]["$ref"], "#/components/schemas/Pet_Tag");
        assert_eq!(properties["owner"]["$ref"], "#/components/schemas/Owner");
        assert_eq!(properties["deep"]["$ref"], "#/components/schemas/Name");
        assert_eq!(
            schemas["Pet"]["example"]["$ref"],
            "#/components/schemas/Pet/$defs/Tag"
        );
        assert_eq!(schemas["Owner"], json!({"type": "object"}));
    }

    /// A warning inside a definition points at the definition as written.
    #[test]
    fn diagnostics_inside_defs_point_where_they_are_written() {
        let text = format!(
            "{HEADER}components:\n  schemas:\n    Pet:\n      type: object\n      properties:\n        tag: {{$ref: '#/components/schemas/Pet/$defs/Tag'}}\n      $defs:\n        Tag:\n          type: array\n          prefixItems: [{{type: string}}]\n"
        );
        let (api, warnings) = lowered(&text);
        assert_eq!(
            warnings,
            ["#/components/schemas/Pet/$defs/Tag/prefixItems: a tuple (`prefixItems`) is not modelled; the array's items are untyped JSON values"]
        );
        assert_eq!(
            type_named(&api, "Tag").kind,
            TypeKind::Alias(TypeRef::Vec(Box::new(TypeRef::Json)))
        );
    }

    /// A spec of webhooks only (no `paths`) is read; the webhooks' payloads
    /// are types, named after the webhook when inline, and events.
    #[test]
    fn webhooks_payloads_are_types_and_events() {
        let text = format!(
            "{HEADER}webhooks:\n  petAdded:\n    post:\n      summary: A pet was added.\n      requestBody:\n        content:\n          application/json:\n            schema: {{type: object, properties: {{name: {{type: [string, 'null']}}}}}}\n      responses: {{'200': {{description: ok}}}}\n  petGone:\n    post:\n      requestBody:\n        content:\n          application/json:\n            schema: {{$ref: '#/components/schemas/Pet'}}\n      responses: {{'200': {{description: ok}}}}\n  ping:\n    post:\n      responses: {{'200': {{description: ok}}}}\ncomponents:\n  schemas:\n    Pet: {{type: object, properties: {{id: {{type: string}}}}}}\n"
        );
        let (api, warnings) = lowered(&text);
        assert!(api.operations.is_empty());
        let added = type_named(&api, "PetAddedWebhook");
        assert_eq!(
            fields(&api, "PetAddedWebhook"),
            [("name".into(), TypeRef::String, true, None)]
        );
        let pet = type_named(&api, "Pet");
        let events: Vec<(&str, &str, &TypeRef, Option<&str>)> = api
            .webhooks
            .iter()
            .map(|w| (w.name.as_str(), w.key.as_str(), &w.ty, w.docs.as_deref()))
            .collect();
        assert_eq!(
            events,
            [
                (
                    "PetAdded",
                    "petAdded",
                    &TypeRef::Named(added.id),
                    Some("A pet was added.")
                ),
                ("PetGone", "petGone", &TypeRef::Named(pet.id), None),
            ]
        );
        assert_eq!(
            warnings,
            ["#/webhooks/ping/post: this webhook has no request body; it gets no event in the `webhooks` module"]
        );
    }

    #[test]
    fn a_mutual_tls_scheme_is_left_out_with_a_warning() {
        let (value, warnings) = downgraded(json!({
            "openapi": "3.1.0", "paths": {},
            "components": {"securitySchemes": {
                "cert": {"type": "mutualTLS"},
                "token": {"type": "http", "scheme": "bearer"},
            }}
        }));
        let schemes = value["components"]["securitySchemes"].as_object().unwrap();
        assert_eq!(schemes.keys().collect::<Vec<_>>(), ["token"]);
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].starts_with("#/components/securitySchemes/cert: "));
    }

    /// Literal data is never rewritten, and a map of names is not a
    /// schema's keywords, even where a name is `default` or `schema`.
    #[test]
    fn literal_data_and_names_are_left_alone() {
        let literal =
            json!({"type": ["string", "null"], "const": 1, "$ref": "#/x", "examples": [1]});
        let (value, _) = downgraded(json!({
            "openapi": "3.1.0",
            "x-data": literal.clone(),
            "paths": {"/a": {"get": {"responses": {"default": {"description": "d", "content": {
                "application/json": {"schema": {"type": ["string", "null"]}, "example": literal.clone()}
            }}}}}},
            "components": {
                "schemas": {"default": {"type": ["integer", "null"], "default": literal.clone(),
                                        "enum": [literal.clone()]}},
                "parameters": {"schema": {"name": "q", "in": "query",
                                          "schema": {"type": ["string", "null"]}}},
            }
        }));
        assert_eq!(value["x-data"], literal);
        let media =
            &value["paths"]["/a"]["get"]["responses"]["default"]["content"]["application/json"];
        assert_eq!(media["schema"], json!({"type": "string", "nullable": true}));
        assert_eq!(media["example"], literal);
        let schema = &value["components"]["schemas"]["default"];
        assert_eq!(schema["type"], "integer");
        assert_eq!(schema["default"], literal);
        assert_eq!(schema["enum"][0], literal);
        let parameter = &value["components"]["parameters"]["schema"];
        assert_eq!(
            parameter["schema"],
            json!({"type": "string", "nullable": true})
        );
        assert_eq!(parameter["name"], "q");
    }

    #[test]
    fn moves_are_undone_last_first() {
        let mut moves = Moves::default();
        moves.record("#/paths/~1a".into(), "#/components/pathItems/A".into());
        moves.record(
            "#/paths/~1a/get/x/oneOf/0".into(),
            "#/paths/~1a/get/x/oneOf/1".into(),
        );
        moves.record(
            "#/paths/~1a/get/x/oneOf/1".into(),
            "#/paths/~1a/get/x/oneOf/2".into(),
        );
        assert_eq!(
            moves.original("#/paths/~1a/get/x/oneOf/0/type"),
            "#/components/pathItems/A/get/x/oneOf/1/type"
        );
        assert_eq!(
            moves.original("#/paths/~1a/get/x/oneOf/1"),
            "#/components/pathItems/A/get/x/oneOf/2"
        );
        assert_eq!(moves.original("#/paths/~1ab"), "#/paths/~1ab");
    }
}
