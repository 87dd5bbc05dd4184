//! `$ref` resolution.
//!
//! Bundling has made every reference of the document local, so a
//! reference here names an entry of `#/components/{section}`. A chain of
//! references is followed to the item it ends at; a reference that leaves
//! the document, names nothing, or closes a cycle is an error at the JSON
//! pointer of its `$ref`, and the node it stood for is skipped (or typed as
//! any JSON) so that lowering goes on.

use openapiv3 as oa;

use super::{Lowerer, MAX_REF_DEPTH};
use crate::diag::join;
use crate::model::TypeRef;

/// Where component schemas are, as the start of a reference.
const SCHEMAS: &str = "#/components/schemas/";

impl<'a> Lowerer<'a> {
    /// A parameter and the JSON pointer of its definition.
    pub(super) fn resolve_parameter(
        &mut self,
        p: &'a oa::ReferenceOr<oa::Parameter>,
        pointer: &str,
    ) -> Option<(String, &'a oa::Parameter)> {
        self.follow(p, pointer, "parameters", |c| &c.parameters)
    }

    /// A request body and the JSON pointer of its definition.
    pub(super) fn resolve_request_body(
        &mut self,
        p: &'a oa::ReferenceOr<oa::RequestBody>,
        pointer: &str,
    ) -> Option<(String, &'a oa::RequestBody)> {
        self.follow(p, pointer, "requestBodies", |c| &c.request_bodies)
    }

    /// A response and the JSON pointer of its definition.
    pub(super) fn resolve_response(
        &mut self,
        p: &'a oa::ReferenceOr<oa::Response>,
        pointer: &str,
    ) -> Option<(String, &'a oa::Response)> {
        self.follow(p, pointer, "responses", |c| &c.responses)
    }

    pub(super) fn resolve_schema(
        &mut self,
        s: &'a oa::ReferenceOr<oa::Schema>,
        pointer: &str,
    ) -> Option<&'a oa::Schema> {
        self.follow(s, pointer, "schemas", |c| &c.schemas)
            .map(|(_, s)| s)
    }

    /// A property's schema (openapiv3 boxes those). A reference that does
    /// not resolve gives `None` without a diagnostic: the property's type
    /// reports it.
    pub(super) fn resolve_boxed(
        &mut self,
        s: &'a oa::ReferenceOr<Box<oa::Schema>>,
        pointer: &str,
    ) -> Option<&'a oa::Schema> {
        match s {
            oa::ReferenceOr::Item(item) => Some(item),
            oa::ReferenceOr::Reference { reference } => {
                let name = reference.strip_prefix(SCHEMAS).map(unescape_token)?;
                let schema = self.spec.components.as_ref()?.schemas.get(&name)?;
                self.resolve_schema(schema, pointer)
            }
        }
    }

    /// Follows a chain of `$ref`s into `components/{section}`, reporting
    /// unresolved references and cycles at the pointer of the `$ref`.
    /// Returns the item and the JSON pointer of its definition.
    fn follow<T>(
        &mut self,
        start: &'a oa::ReferenceOr<T>,
        pointer: &str,
        section: &str,
        table: impl Fn(&'a oa::Components) -> &'a indexmap::IndexMap<String, oa::ReferenceOr<T>>,
    ) -> Option<(String, &'a T)> {
        let mut current = start;
        let mut current_pointer = pointer.to_string();
        let mut seen: Vec<String> = Vec::new();
        loop {
            let reference = match current {
                oa::ReferenceOr::Item(item) => return Some((current_pointer, item)),
                oa::ReferenceOr::Reference { reference } => reference,
            };
            let ref_pointer = join(&current_pointer, "$ref");
            let prefix = format!("#/components/{section}/");
            let Some(name) = reference.strip_prefix(&prefix) else {
                self.bad_reference(&ref_pointer, reference, &prefix);
                return None;
            };
            let name = unescape_token(name);
            if seen.contains(&name) || seen.len() > MAX_REF_DEPTH {
                seen.push(name);
                self.error_help(
                    &ref_pointer,
                    format!("reference cycle: {}", seen.join(" -> ")),
                    "one of these references must point at a definition, not at another reference",
                );
                return None;
            }
            seen.push(name.clone());
            let components = self.spec.components.as_ref();
            match components.and_then(|c| table(c).get(&name)) {
                Some(next) => {
                    current = next;
                    current_pointer = join(&format!("#/components/{section}"), &name);
                }
                None => {
                    self.error_help(
                        &ref_pointer,
                        format!("unresolved reference `{reference}`"),
                        format!("define `{name}` under `components/{section}`"),
                    );
                    return None;
                }
            }
        }
    }

    /// The named type a schema `$ref` stands for: the component schema's
    /// reserved type, whether or not it is converted yet.
    pub(super) fn reference_type(&mut self, reference: &str, pointer: &str) -> TypeRef {
        let ref_pointer = join(pointer, "$ref");
        let Some(name) = reference.strip_prefix(SCHEMAS) else {
            self.bad_reference(&ref_pointer, reference, SCHEMAS);
            return TypeRef::Json;
        };
        match self.components.get(&unescape_token(name)) {
            Some(id) => TypeRef::Named(*id),
            None => {
                self.error_help(
                    &ref_pointer,
                    format!("unresolved reference `{reference}`"),
                    format!(
                        "define `{}` under `components/schemas`",
                        unescape_token(name)
                    ),
                );
                TypeRef::Json
            }
        }
    }

    /// A reference that does not start with `expected_prefix`: remote, into
    /// another file, or into another part of this one.
    fn bad_reference(&mut self, pointer: &str, reference: &str, expected_prefix: &str) {
        if reference.starts_with("http://") || reference.starts_with("https://") {
            self.error_help(
                pointer,
                format!("remote reference `{reference}` is refused: apigen never uses the network"),
                "download the file next to the spec and reference it by relative path",
            );
        } else if !reference.starts_with('#') {
            self.error_help(pointer, format!("reference `{reference}` points into another file, which this spec loader does not follow"), "move the referenced definition into this file's `components`");
        } else {
            self.error_help(
                pointer,
                format!("unresolved reference `{reference}`"),
                format!("references here must start with `{expected_prefix}`"),
            );
        }
    }
}

/// The JSON pointer of a node's parent.
pub(super) fn pointer_parent(pointer: &str) -> String {
    match pointer.rfind('/') {
        Some(i) => pointer.get(..i).unwrap_or(pointer).to_string(),
        None => pointer.to_string(),
    }
}

/// A JSON pointer token as the key it stands for (`~1` is `/`, `~0` is
/// `~`).
pub(super) fn unescape_token(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    #[test]
    fn a_reference_cycle_is_an_error_at_the_ref_that_closes_it() {
        let spec = format!(
            "{HEADER}paths:
  /a:
    get:
      parameters: [{{$ref: '#/components/parameters/First'}}]
      responses: {{'204': {{description: ok}}}}
components:
  parameters:
    First: {{$ref: '#/components/parameters/Second'}}
    Second: {{$ref: '#/components/parameters/First'}}
"
        );
        let errors = errors(&spec);
        assert_eq!(
            located(&errors),
            ["#/components/parameters/Second/$ref: reference cycle: First -> Second -> First"]
        );
        assert_eq!(
            errors[0].help.as_deref(),
            Some("one of these references must point at a definition, not at another reference")
        );
    }

    #[test]
    fn an_unresolved_reference_is_an_error_at_its_ref() {
        let spec = with_schemas(
            "    Pet:
      type: object
      properties:
        owner: {$ref: '#/components/schemas/Owner'}
        tags: {$ref: '#/components/responses/Tags'}
",
        );
        let errors = errors(&spec);
        assert_eq!(
            located(&errors),
            [
                "#/components/schemas/Pet/properties/owner/$ref: unresolved reference `#/components/schemas/Owner`",
                "#/components/schemas/Pet/properties/tags/$ref: unresolved reference `#/components/responses/Tags`",
            ]
        );
        let help: Vec<_> = errors.iter().map(|e| e.help.as_deref()).collect();
        assert_eq!(
            help,
            [
                Some("define `Owner` under `components/schemas`"),
                Some("references here must start with `#/components/schemas/`"),
            ]
        );
    }
}
