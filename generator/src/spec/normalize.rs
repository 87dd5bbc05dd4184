//! What published specs write that openapiv3 cannot read (parameters
//! without a schema, `required: true` on a schema, `items: string`,
//! integer bounds beyond 64 bits), made readable before the document is
//! deserialized, each with a warning that says what was read instead.
//!
//! Without this, one odd node fails the whole document. Literal data
//! (examples, defaults, extensions: [`super::is_literal`]) is never changed.

use serde_json::Value;

use crate::diag::{join, Diagnostic};

/// Rewrites what openapiv3 cannot read in the bundled document `value`,
/// returning a warning (with its JSON pointer, in no file yet) for each.
pub fn normalize(value: &mut Value) -> Vec<Diagnostic> {
    let mut warnings = Vec::new();
    walk(value, &mut Vec::new(), &mut warnings);
    warnings
}

/// A step from a node to one of its children.
enum Step<'v> {
    Key(&'v str),
    Index(usize),
}

/// The JSON pointer of the node `path` leads to.
fn pointer(path: &[Step<'_>]) -> String {
    path.iter()
        .fold("#".to_string(), |pointer, step| match step {
            Step::Key(key) => join(&pointer, key),
            Step::Index(index) => join(&pointer, &index.to_string()),
        })
}

/// Visits every node that is part of the spec's structure. `path` leads to
/// `node`; it is made into a pointer only for a warning.
fn walk<'v>(node: &'v mut Value, path: &mut Vec<Step<'v>>, warnings: &mut Vec<Diagnostic>) {
    match node {
        Value::Object(map) => {
            for rewrite in [
                parameter_without_schema,
                boolean_required_in_schema,
                items_as_type_name,
            ] {
                warnings.extend(rewrite(map, path));
            }
            if map.get("type").and_then(Value::as_str) == Some("integer") {
                for bound in ["minimum", "maximum"] {
                    if let Some(value) = map.get_mut(bound) {
                        if let Some(warning) = integer_bound(value, bound, path) {
                            warnings.push(warning);
                        }
                    }
                }
            }
            let key_at = |back: usize| match path.iter().rev().nth(back) {
                Some(Step::Key(key)) => Some(*key),
                _ => None,
            };
            let (parent, grandparent) = (key_at(0), key_at(1));
            for (key, child) in map {
                if super::is_literal(key, parent, grandparent) {
                    continue;
                }
                path.push(Step::Key(key));
                walk(child, path, warnings);
                path.pop();
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter_mut().enumerate() {
                path.push(Step::Index(index));
                walk(item, path, warnings);
                path.pop();
            }
        }
        _ => {}
    }
}

/// A parameter needs a `schema` or a `content`; one with neither (vendors
/// leave it out for plain strings) is read as a string.
fn parameter_without_schema(
    map: &mut serde_json::Map<String, Value>,
    path: &[Step<'_>],
) -> Option<Diagnostic> {
    let located = matches!(
        map.get("in").and_then(Value::as_str),
        Some("query" | "header" | "path" | "cookie")
    );
    // A security scheme of type `apiKey` has `name` and `in` too.
    let parameter = located && map.contains_key("name") && !map.contains_key("type");
    if !parameter
        || ["schema", "content", "$ref"]
            .iter()
            .any(|k| map.contains_key(*k))
    {
        return None;
    }
    map.insert("schema".to_string(), serde_json::json!({"type": "string"}));
    let name = map.get("name").and_then(Value::as_str).unwrap_or_default();
    Some(
        Diagnostic::warning(format!(
            "parameter `{name}` has neither `schema` nor `content`; it is read as a string"
        ))
        .at_pointer(pointer(path)),
    )
}

/// A schema lists its required properties (`required: [a, b]`); a
/// schema with `required: true` or `false` (the Swagger 1 way, on the
/// property itself) says nothing openapiv3 can read, and the flag is left
/// out.
fn boolean_required_in_schema(
    map: &mut serde_json::Map<String, Value>,
    path: &[Step<'_>],
) -> Option<Diagnostic> {
    let flag = map.get("required").and_then(Value::as_bool)?;
    // Parameters, headers and request bodies have a boolean `required`.
    let schema = (map.contains_key("type") || map.contains_key("properties"))
        && !["in", "schema", "content"]
            .iter()
            .any(|k| map.contains_key(*k));
    if !schema {
        return None;
    }
    map.remove("required");
    Some(
        Diagnostic::warning(format!(
            "a schema's `required` lists property names; `required: {flag}` is left out"
        ))
        .at_pointer(join(&pointer(path), "required"))
        .with_help("list the required properties in the parent object's `required`"),
    )
}

/// An array's `items` is a schema; `items: string` (a type's name where
/// the schema goes) is read as `items: {type: string}`.
fn items_as_type_name(
    map: &mut serde_json::Map<String, Value>,
    path: &[Step<'_>],
) -> Option<Diagnostic> {
    let name = map.get("items").and_then(Value::as_str)?;
    if !["string", "integer", "number", "boolean", "object", "array"].contains(&name) {
        return None;
    }
    let name = name.to_string();
    map.insert("items".to_string(), serde_json::json!({"type": name}));
    Some(
        Diagnostic::warning(format!(
            "`items: {name}` names a type where a schema goes; it is read as `items: {{type: {name}}}`"
        ))
        .at_pointer(join(&pointer(path), "items")),
    )
}

/// openapiv3 reads an integer schema's bounds as 64-bit signed integers; a
/// bound beyond that range (vendors write `2^64` for "unbounded") or with
/// a fraction becomes the nearest one that fits.
fn integer_bound(value: &mut Value, bound: &str, path: &[Step<'_>]) -> Option<Diagnostic> {
    let Value::Number(number) = value else {
        return None;
    };
    if number.is_i64() {
        return None;
    }
    let original = number.to_string();
    let float = number.as_f64().unwrap_or_default();
    let read = if float >= i64::MAX as f64 {
        i64::MAX
    } else if float <= i64::MIN as f64 {
        i64::MIN
    } else {
        // Within the range, with a fraction: the whole numbers the bound
        // allows start or end at the next one inward.
        if bound == "minimum" {
            float.ceil() as i64
        } else {
            float.floor() as i64
        }
    };
    *value = Value::from(read);
    Some(
        Diagnostic::warning(format!(
            "integer `{bound}` {original} is not a 64-bit integer; read as {read}"
        ))
        .at_pointer(join(&pointer(path), bound)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pointers of `warnings`, in order.
    fn pointers(warnings: &[Diagnostic]) -> Vec<&str> {
        warnings
            .iter()
            .filter_map(|w| w.pointer.as_deref())
            .collect()
    }

    #[test]
    fn integer_bounds_beyond_64_bits_are_read_as_the_nearest_that_fits() {
        let mut value = serde_json::json!({
            "components": {"schemas": {
                "Big": {"type": "integer", "minimum": -1e20, "maximum": 18446744073709551615u64},
                "Fraction": {"type": "integer", "minimum": 0.5, "maximum": 9.5},
                "Fine": {"type": "integer", "minimum": 0, "maximum": 10},
                "Number": {"type": "number", "maximum": 1e30},
                "Example": {"type": "object", "example": {"type": "integer", "maximum": 1e30},
                            "properties": {"example": {"type": "integer", "maximum": 1e30}}}
            }}
        });
        let warnings = normalize(&mut value);
        let schemas = &value["components"]["schemas"];
        assert_eq!(schemas["Big"]["minimum"], i64::MIN);
        assert_eq!(schemas["Big"]["maximum"], i64::MAX);
        assert_eq!(schemas["Fraction"]["minimum"], 1);
        assert_eq!(schemas["Fraction"]["maximum"], 9);
        assert_eq!(schemas["Fine"]["maximum"], 10);
        assert_eq!(schemas["Number"]["maximum"], 1e30);
        // An example is data; a property named `example` is a schema.
        assert_eq!(schemas["Example"]["example"]["maximum"], 1e30);
        assert_eq!(
            schemas["Example"]["properties"]["example"]["maximum"],
            i64::MAX
        );
        assert_eq!(
            pointers(&warnings),
            [
                "#/components/schemas/Big/minimum",
                "#/components/schemas/Big/maximum",
                "#/components/schemas/Fraction/minimum",
                "#/components/schemas/Fraction/maximum",
                "#/components/schemas/Example/properties/example/maximum",
            ]
        );
        assert_eq!(
            warnings[1].message,
            "integer `maximum` 18446744073709551615 is not a 64-bit integer; read as 9223372036854775807"
        );
    }

    #[test]
    fn a_parameter_without_schema_or_content_is_a_string() {
        let mut value = serde_json::json!({
            "paths": {"/a": {"get": {"parameters": [
                {"name": "q", "in": "query"},
                {"name": "h", "in": "header", "content": {}},
                {"$ref": "#/components/parameters/P"}
            ]}}},
            "components": {
                "parameters": {"P": {"name": "p", "in": "path", "required": true}},
                "securitySchemes": {"key": {"type": "apiKey", "name": "k", "in": "header"}}
            }
        });
        let warnings = normalize(&mut value);
        assert_eq!(
            value["paths"]["/a"]["get"]["parameters"][0]["schema"],
            serde_json::json!({"type": "string"})
        );
        assert!(value["paths"]["/a"]["get"]["parameters"][1]
            .get("schema")
            .is_none());
        assert!(value["components"]["securitySchemes"]["key"]
            .get("schema")
            .is_none());
        let located: Vec<_> = warnings
            .iter()
            .map(|w| (w.pointer.as_deref().unwrap_or_default(), w.message.as_str()))
            .collect();
        assert_eq!(
            located,
            [
                (
                    "#/paths/~1a/get/parameters/0",
                    "parameter `q` has neither `schema` nor `content`; it is read as a string"
                ),
                (
                    "#/components/parameters/P",
                    "parameter `p` has neither `schema` nor `content`; it is read as a string"
                ),
            ]
        );
    }

    #[test]
    fn a_boolean_required_in_a_schema_is_left_out() {
        let mut value = serde_json::json!({
            "components": {"schemas": {"Span": {"type": "object", "properties": {
                "id": {"type": "string", "required": false},
                "name": {"type": "string"}
            }}}},
            "paths": {"/a": {"get": {"parameters": [
                {"name": "q", "in": "query", "required": true, "schema": {"type": "string"}}
            ]}}}
        });
        let warnings = normalize(&mut value);
        assert!(value["components"]["schemas"]["Span"]["properties"]["id"]
            .get("required")
            .is_none());
        assert_eq!(
            value["paths"]["/a"]["get"]["parameters"][0]["required"],
            true
        );
        assert_eq!(
            pointers(&warnings),
            ["#/components/schemas/Span/properties/id/required"]
        );
    }

    #[test]
    fn items_that_name_a_type_are_read_as_a_schema_of_it() {
        let mut value = serde_json::json!({"type": "array", "items": "string"});
        let warnings = normalize(&mut value);
        assert_eq!(value["items"], serde_json::json!({"type": "string"}));
        assert_eq!(warnings.len(), 1);
        let mut unknown = serde_json::json!({"type": "array", "items": "Pet"});
        assert!(normalize(&mut unknown).is_empty());
        assert_eq!(unknown["items"], "Pet");
    }
}
