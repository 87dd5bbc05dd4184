//! Structural errors: where a document that does not deserialize into
//! openapiv3's types goes wrong.
//!
//! openapiv3 reads paths and references through untagged enums, which lose
//! the position of an error; this finds the smallest part of the document
//! that fails on its own, and says it in the spec's terms.

use crate::diag::{Diagnostic, Error};

/// The error of a document that does not deserialize, at the smallest
/// failing part of it.
pub(super) fn invalid_document(
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

/// Turns a serde_path_to_error path into a JSON pointer.
pub(super) fn pointer_from_path(path: &serde_path_to_error::Path) -> String {
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
