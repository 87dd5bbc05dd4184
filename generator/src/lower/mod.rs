//! Lowering: openapiv3 types in, one [`crate::model::Api`] out.
//!
//! This is the only module that sees openapiv3 types. It turns the loaded
//! document into the model every emitter reads, deciding everything the
//! emitters must not have to decide:
//!
//! - References are resolved here ([`refs`]): each `$ref` is followed into
//!   `components`, with cycle detection, so a chain of references that
//!   loops is an error at the `$ref` that closes the loop, not a hang.
//! - Every component schema gets a type id and a name before any schema is
//!   converted ([`schemas`]), so a reference to a schema not converted yet,
//!   including one to the schema being converted, resolves. Recursive
//!   schemas therefore lower like any other; [`recursion`] then boxes the
//!   fields that close a cycle, so that every type has a size.
//! - Every Rust name comes from [`naming`], claimed in document order, so a
//!   spec always gives the same names, and colliding names get numbered
//!   suffixes rather than failing.
//! - Patterns the model has a type for are recognized: `allOf` merges and
//!   `not: {required: [a, b]}` pairs ([`objects`]), `oneOf` with a
//!   discriminator and string enums ([`schemas`]), constant headers
//!   ([`parameters`]).
//! - What cannot be represented is reported as a diagnostic with the JSON
//!   pointer of the node, and lowering goes on: a user sees every problem of
//!   a spec in one run. [`lower`] fails when any diagnostic is an error.
//!
//! Path items and their operations are lowered in [`operations`], their
//! parameters in [`parameters`], request bodies and responses in
//! [`bodies`]. This file holds the entry point, the state shared by all of
//! them, and the API-level pass: security, servers, examples.

mod bodies;
mod naming;
mod objects;
mod operations;
mod parameters;
mod recursion;
mod refs;
mod schemas;

use std::collections::BTreeMap;

use openapiv3 as oa;

use crate::diag::{join, Diagnostic, Error};
use crate::load::Document;
use crate::model::*;
use naming::Namespace;

/// Names the runtime defines next to the generated types; schemas must not
/// take them.
const RUNTIME_NAMES: &[&str] = &[
    "Client",
    "ClientBuilder",
    "Error",
    "BuildError",
    "ApiError",
    "Response",
];

/// How deep `$ref` chains (and `allOf` nesting) may go before apigen
/// reports a cycle.
const MAX_REF_DEPTH: usize = 64;

/// Lowers a loaded document. On success, also returns the warnings.
pub fn lower(doc: &Document) -> Result<(Api, Vec<Diagnostic>), Error> {
    let mut lowerer = Lowerer::new(doc);
    let api = lowerer.api();
    let (errors, warnings): (Vec<Diagnostic>, Vec<Diagnostic>) =
        lowerer.diags.into_iter().partition(Diagnostic::is_error);
    if errors.is_empty() {
        Ok((api, warnings))
    } else {
        let mut all = errors;
        all.extend(warnings);
        Err(Error::new(all))
    }
}

/// The state of one lowering: the spec it reads and what it has built and
/// reported so far.
struct Lowerer<'a> {
    spec: &'a oa::OpenAPI,
    /// How the spec file is named in diagnostics.
    display: String,
    diags: Vec<Diagnostic>,
    /// The type arena being built, by id.
    types: BTreeMap<TypeId, TypeDef>,
    /// Names of the generated types (schemas, error and success enums).
    type_names: Namespace,
    /// The type id of each component schema, by its key in the spec.
    components: BTreeMap<String, TypeId>,
    next_id: usize,
    examples: Vec<Example>,
    example_names: Namespace,
    /// Case conversions of spec names, done once each.
    cases: naming::Cases,
    /// Inside a multipart body, `format: binary` strings are bytes.
    binary_as_bytes: bool,
}

impl<'a> Lowerer<'a> {
    fn new(doc: &'a Document) -> Self {
        let mut type_names = Namespace::new();
        for name in RUNTIME_NAMES {
            type_names.reserve(name);
        }
        Lowerer {
            spec: &doc.openapi,
            display: doc.display.clone(),
            diags: Vec::new(),
            types: BTreeMap::new(),
            type_names,
            components: BTreeMap::new(),
            next_id: 0,
            examples: Vec::new(),
            example_names: Namespace::new(),
            cases: naming::Cases::default(),
            binary_as_bytes: false,
        }
    }

    // ----- diagnostics ------------------------------------------------------

    fn error(&mut self, pointer: &str, message: impl Into<String>) {
        self.push(Diagnostic::error(message), pointer);
    }

    fn error_help(&mut self, pointer: &str, message: impl Into<String>, help: impl Into<String>) {
        self.push(Diagnostic::error(message).with_help(help), pointer);
    }

    fn warn(&mut self, pointer: &str, message: impl Into<String>) {
        self.push(Diagnostic::warning(message), pointer);
    }

    fn warn_help(&mut self, pointer: &str, message: impl Into<String>, help: impl Into<String>) {
        self.push(Diagnostic::warning(message).with_help(help), pointer);
    }

    fn push(&mut self, d: Diagnostic, pointer: &str) {
        let file = self.display.clone();
        self.diags.push(d.in_file(file).at_pointer(pointer));
    }

    // ----- the API ------------------------------------------------------------

    fn api(&mut self) -> Api {
        let spec = self.spec;
        self.component_schemas();
        let auth = self.auth();
        let base_url = spec
            .servers
            .first()
            .map(|s| s.url.trim_end_matches('/').to_string());
        let (mut operations, constant_headers) = self.operations(auth.as_ref());
        operations.sort_by(|a, b| a.name.cmp(&b.name));
        let mut types = TypeArena {
            types: std::mem::take(&mut self.types),
        };
        recursion::box_cycles(&mut types);
        Api {
            title: spec.info.title.clone(),
            description: spec.info.description.clone(),
            version: spec.info.version.clone(),
            base_url,
            auth,
            constant_headers,
            types,
            operations,
            examples: std::mem::take(&mut self.examples),
        }
    }

    /// Records an example of `ty`, named after `label`.
    fn example(&mut self, label: &str, ty: TypeRef, value: serde_json::Value, pointer: &str) {
        let name = self.example_names.claim(&naming::snake_name(label));
        self.examples.push(Example {
            name,
            ty,
            value,
            origin: pointer.to_string(),
        });
    }

    /// The first HTTP bearer scheme; other schemes are warned about and
    /// ignored.
    fn auth(&mut self) -> Option<BearerAuth> {
        let components = self.spec.components.as_ref()?;
        for (name, scheme) in &components.security_schemes {
            let pointer = join("#/components/securitySchemes", name);
            match scheme {
                oa::ReferenceOr::Item(oa::SecurityScheme::HTTP {
                    scheme,
                    description,
                    ..
                }) if scheme.eq_ignore_ascii_case("bearer") => {
                    return Some(BearerAuth {
                        scheme_name: name.clone(),
                        description: description.clone(),
                    });
                }
                _ => {
                    self.warn_help(&pointer, "only HTTP bearer security schemes are supported; this scheme is ignored", "send the credential yourself with a custom reqwest client (ClientBuilder::http_client)");
                }
            }
        }
        None
    }

    /// Whether an operation with these requirements (else the spec's)
    /// sends the bearer token.
    fn uses_bearer(
        &self,
        security: &Option<Vec<oa::SecurityRequirement>>,
        auth: Option<&BearerAuth>,
    ) -> bool {
        let Some(auth) = auth else { return false };
        let requirements = security.as_ref().or(self.spec.security.as_ref());
        match requirements {
            Some(reqs) => reqs.iter().any(|r| r.contains_key(&auth.scheme_name)),
            None => false,
        }
    }
}
