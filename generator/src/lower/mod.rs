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
//!   discriminator and string enums ([`schemas`]; the union writes the
//!   tag, [`tags`]), constant headers
//!   ([`parameters`]). The optional, nullable fields of the types that
//!   requests send can be sent as `null` ([`requests`]).
//! - What cannot be represented is reported as a diagnostic with the JSON
//!   pointer of the node, and lowering goes on: a user sees every problem of
//!   a spec in one run. [`lower`] fails when any diagnostic is an error.
//!
//! Path items and their operations are lowered in [`operations`], their
//! parameters in [`parameters`], request bodies and responses in
//! [`bodies`], their pagination in [`pagination`], webhooks (3.1) in [`webhooks`]. This file holds the entry point, the state shared by all of
//! them, and the API-level pass: security, servers, examples.

mod bodies;
pub(crate) mod naming;
mod objects;
mod operations;
pub(crate) mod pagination;
mod parameters;
mod recursion;
mod refs;
mod requests;
mod schemas;
mod sizes;
mod tags;
mod webhooks;

use std::collections::BTreeMap;

use openapiv3 as oa;

use crate::diag::{join, Diagnostic, Error};
use crate::model::*;
use crate::spec::Document;
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
    /// Where the nodes of a converted or rewritten document are written
    /// (see [`Document::rewrites`]).
    rewrites: &'a crate::spec::Rewrites,
    /// The document's webhooks (3.1).
    webhooks: &'a crate::spec::Webhooks,
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
    /// The pointer of each operation that declares its pagination, with
    /// the declaration: resolved once every type is lowered.
    paginated: Vec<(String, serde_json::Value)>,
    /// Every bearer-token scheme (HTTP bearer, OAuth2, OpenID Connect), and
    /// whether it is an OAuth one: an operation that requires any of them
    /// sends the client's token.
    bearer_schemes: BTreeMap<String, bool>,
}

impl<'a> Lowerer<'a> {
    fn new(doc: &'a Document) -> Self {
        let mut type_names = Namespace::new();
        for name in RUNTIME_NAMES {
            type_names.reserve(name);
        }
        Lowerer {
            spec: &doc.openapi,
            rewrites: &doc.rewrites,
            webhooks: &doc.webhooks,
            display: doc.display.clone(),
            diags: doc.warnings.clone(),
            types: BTreeMap::new(),
            type_names,
            components: BTreeMap::new(),
            next_id: 0,
            examples: Vec::new(),
            example_names: Namespace::new(),
            cases: naming::Cases::default(),
            binary_as_bytes: false,
            paginated: Vec::new(),
            bearer_schemes: BTreeMap::new(),
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

    /// `d` about the node at `pointer`, named where it is in the spec's
    /// text (a converted Swagger 2.0 spec's nodes have moved).
    fn push(&mut self, d: Diagnostic, pointer: &str) {
        let file = self.display.clone();
        let pointer = self.rewrites.original(pointer);
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
        let (mut operations, constant_headers) = self.operations();
        requests::explicit_nulls(&mut self.types, &operations);
        self.paginations(&mut operations);
        operations.sort_by(|a, b| a.name.cmp(&b.name));
        let mut webhooks = self.webhooks();
        tags::written_by_unions(&mut self.types, &operations, &webhooks, &self.examples);
        let mut types = TypeArena {
            types: std::mem::take(&mut self.types),
        };
        recursion::box_cycles(&mut types);
        sizes::box_large_variants(&mut types, &mut operations, &mut webhooks);
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
            webhooks,
        }
    }

    /// Records an example of `ty`, named after `label`.
    fn example(&mut self, label: &str, ty: TypeRef, value: serde_json::Value, pointer: &str) {
        let name = self.example_names.claim(&naming::snake_name(label));
        self.examples.push(Example {
            name,
            ty,
            value,
            origin: self.rewrites.original(pointer),
        });
    }

    /// The scheme the client's documentation names: the first HTTP bearer
    /// scheme, else the first OAuth2 or OpenID Connect one. Every such
    /// scheme is recorded in `bearer_schemes` (the client's one token
    /// serves them all; an OAuth access token is sent as `Authorization:
    /// Bearer`); other schemes are warned about and ignored.
    fn auth(&mut self) -> Option<BearerAuth> {
        let components = self.spec.components.as_ref()?;
        let mut chosen: Option<BearerAuth> = None;
        for (name, scheme) in &components.security_schemes {
            let pointer = join("#/components/securitySchemes", name);
            let (description, oauth) = match scheme {
                oa::ReferenceOr::Item(oa::SecurityScheme::HTTP {
                    scheme,
                    description,
                    ..
                }) if scheme.eq_ignore_ascii_case("bearer") => (description, false),
                oa::ReferenceOr::Item(
                    oa::SecurityScheme::OAuth2 { description, .. }
                    | oa::SecurityScheme::OpenIDConnect { description, .. },
                ) => (description, true),
                _ => {
                    self.warn_help(&pointer, "only bearer-token security schemes (HTTP bearer, OAuth2, OpenID Connect) are supported; this scheme is ignored", "send the credential yourself: as a default header of your own reqwest client (ClientBuilder::http_client), or from a request hook (ClientBuilder::on_request)");
                    continue;
                }
            };
            self.bearer_schemes.insert(name.clone(), oauth);
            // An HTTP bearer scheme wins over an OAuth one.
            let better = match &chosen {
                None => true,
                Some(current) => current.oauth && !oauth,
            };
            if better {
                chosen = Some(BearerAuth {
                    scheme_name: name.clone(),
                    description: description.clone(),
                    oauth,
                });
            }
        }
        chosen
    }

    /// Whether an operation with these requirements (else the spec's)
    /// sends the bearer token: one of them names a bearer scheme.
    fn uses_bearer(&self, security: &Option<Vec<oa::SecurityRequirement>>) -> bool {
        let requirements = security.as_ref().or(self.spec.security.as_ref());
        requirements.into_iter().flatten().any(|requirement| {
            requirement
                .keys()
                .any(|scheme| self.bearer_schemes.contains_key(scheme))
        })
    }
}

/// Helpers for the tests of lowering: specs are written inline, loaded as
/// a file would be and lowered.
#[cfg(test)]
mod testing {
    use std::path::Path;

    use crate::diag::{Diagnostic, Severity};
    use crate::model::{Api, Operation, TypeDef};

    /// The start of every test spec; a test adds `paths` and `components`.
    pub(super) const HEADER: &str = "openapi: 3.0.3\ninfo: {title: Test, version: '1'}\n";

    /// A spec without paths and with the given component schemas (YAML
    /// indented by four spaces).
    pub(super) fn with_schemas(schemas: &str) -> String {
        format!("{HEADER}paths: {{}}\ncomponents:\n  schemas:\n{schemas}")
    }

    /// Loads and lowers `text`, returning the model when there is one and
    /// every diagnostic.
    pub(super) fn lower_text(text: &str) -> (Option<Api>, Vec<Diagnostic>) {
        let doc = crate::spec::load_bytes(text.as_bytes(), Path::new("spec.yaml"), "spec.yaml")
            .unwrap_or_else(|e| panic!("the test spec does not load: {e:?}"));
        match super::lower(&doc) {
            Ok((api, warnings)) => (Some(api), warnings),
            Err(e) => (None, e.diagnostics().to_vec()),
        }
    }

    /// Lowers `text`, which must lower, and returns the model and the
    /// warnings.
    pub(super) fn lowered(text: &str) -> (Api, Vec<Diagnostic>) {
        match lower_text(text) {
            (Some(api), warnings) => (api, warnings),
            (None, errors) => panic!("the test spec does not lower: {errors:?}"),
        }
    }

    /// Lowers `text`, which must fail, and returns its errors (not its
    /// warnings).
    pub(super) fn errors(text: &str) -> Vec<Diagnostic> {
        let (api, diags) = lower_text(text);
        assert!(api.is_none(), "the test spec lowers");
        diags
            .into_iter()
            .filter(|d| d.severity == Severity::Error)
            .collect()
    }

    /// The diagnostics as `pointer: message`, to compare in one assertion.
    pub(super) fn located(diags: &[Diagnostic]) -> Vec<String> {
        diags
            .iter()
            .map(|d| format!("{}: {}", d.pointer.as_deref().unwrap_or("-"), d.message))
            .collect()
    }

    pub(super) fn type_named<'a>(api: &'a Api, name: &str) -> &'a TypeDef {
        api.types
            .types
            .values()
            .find(|t| t.name == name)
            .unwrap_or_else(|| panic!("no type `{name}`"))
    }

    pub(super) fn operation_named<'a>(api: &'a Api, name: &str) -> &'a Operation {
        api.operations
            .iter()
            .find(|o| o.name == name)
            .unwrap_or_else(|| panic!("no operation `{name}`"))
    }
}

#[cfg(test)]
mod tests {
    use super::testing::*;
    use crate::model::*;

    #[test]
    fn colliding_names_are_numbered_in_document_order() {
        let spec = format!(
            "{HEADER}paths:
  /a: {{get: {{operationId: getFoo, responses: {{'204': {{description: ok}}}}}}}}
  /b: {{get: {{operationId: get_foo, responses: {{'204': {{description: ok}}}}}}}}
components:
  schemas:
    foo_bar: {{type: object, properties: {{x: {{type: string}}, X: {{type: string}}}}}}
    FooBar: {{type: string}}
    Client: {{type: string}}
"
        );
        let (api, _) = lowered(&spec);
        let names: Vec<&str> = api.types.types.values().map(|t| t.name.as_str()).collect();
        // `Client` is the runtime's: the schema takes the next name.
        assert_eq!(names, ["FooBar", "FooBar2", "Client2"]);
        let operations: Vec<&str> = api.operations.iter().map(|o| o.name.as_str()).collect();
        assert_eq!(operations, ["get_foo", "get_foo2"]);
        let TypeKind::Struct(s) = &type_named(&api, "FooBar").kind else {
            panic!("not a struct");
        };
        let fields: Vec<&str> = s.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(fields, ["x", "x2"]);
        // The same spec lowers to the same model.
        assert_eq!(lowered(&spec).0, api);
    }

    /// The bearer scheme authenticates, an HTTP bearer one before an OAuth2
    /// one; schemes without a bearer token are warned about and ignored.
    #[test]
    fn a_bearer_scheme_authenticates_and_other_kinds_are_ignored() {
        let spec = format!(
            "{HEADER}servers: [{{url: 'https://api.example.com/v1/'}}]
security: [{{token: []}}]
paths:
  /a: {{get: {{responses: {{'204': {{description: ok}}}}}}}}
  /b: {{get: {{security: [], responses: {{'204': {{description: ok}}}}}}}}
components:
  securitySchemes:
    key: {{type: apiKey, in: header, name: X-Key}}
    oauth: {{type: oauth2, flows: {{clientCredentials: {{tokenUrl: 'https://a.example/t', scopes: {{}}}}}}}}
    token: {{type: http, scheme: Bearer}}
"
        );
        let (api, warnings) = lowered(&spec);
        assert_eq!(api.base_url.as_deref(), Some("https://api.example.com/v1"));
        assert_eq!(
            api.auth.as_ref().map(|a| a.scheme_name.as_str()),
            Some("token")
        );
        assert_eq!(
            located(&warnings),
            ["#/components/securitySchemes/key: only bearer-token security schemes (HTTP bearer, OAuth2, OpenID Connect) are supported; this scheme is ignored"]
        );
        assert!(operation_named(&api, "get_a").auth);
        assert!(!operation_named(&api, "get_b").auth);
    }

    /// An OAuth2 scheme's access token is the bearer token, and the scopes
    /// its requirements list are not warned about.
    #[test]
    fn an_oauth2_scheme_sends_its_access_token_as_the_bearer_token() {
        let spec = format!(
            "{HEADER}paths:
  /a: {{get: {{security: [{{oauth: [read]}}], responses: {{'204': {{description: ok}}}}}}}}
components:
  securitySchemes:
    oauth: {{type: oauth2, flows: {{implicit: {{authorizationUrl: 'https://a.example/a', scopes: {{read: Read}}}}}}}}
"
        );
        let (api, warnings) = lowered(&spec);
        let auth = api.auth.as_ref().expect("the OAuth2 scheme authenticates");
        assert_eq!((auth.scheme_name.as_str(), auth.oauth), ("oauth", true));
        assert!(operation_named(&api, "get_a").auth);
        assert_eq!(located(&warnings), Vec::<String>::new());
    }

    /// HighLevel's spec has several bearer schemes (`bearer`,
    /// `Location-Access`, ...), each operation naming one: the token is
    /// sent for every one of them.
    #[test]
    fn every_bearer_scheme_sends_the_token() {
        let spec = format!(
            "{HEADER}paths:
  /a: {{get: {{security: [{{user: []}}], responses: {{'204': {{description: ok}}}}}}}}
  /b: {{get: {{security: [{{location: []}}], responses: {{'204': {{description: ok}}}}}}}}
  /c: {{get: {{security: [{{key: []}}], responses: {{'204': {{description: ok}}}}}}}}
components:
  securitySchemes:
    user: {{type: http, scheme: bearer}}
    location: {{type: http, scheme: bearer, bearerFormat: JWT}}
    key: {{type: apiKey, in: header, name: X-Key}}
"
        );
        let (api, warnings) = lowered(&spec);
        // The scheme the documentation names is the first in the spec.
        assert_eq!(
            api.auth.as_ref().map(|a| a.scheme_name.as_str()),
            Some("user")
        );
        assert!(operation_named(&api, "get_a").auth);
        assert!(operation_named(&api, "get_b").auth);
        assert!(!operation_named(&api, "get_c").auth);
        assert_eq!(
            located(&warnings),
            ["#/components/securitySchemes/key: only bearer-token security schemes (HTTP bearer, OAuth2, OpenID Connect) are supported; this scheme is ignored"]
        );
    }
}
