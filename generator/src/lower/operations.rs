//! Path items to operations: one [`Operation`] per method of a path item,
//! named from its `operationId` (else its method and path), its arguments
//! in the order of the path template, then the other parameters.

use std::collections::{BTreeMap, BTreeSet};

use openapiv3 as oa;

use super::naming::{self, Namespace};
use super::Lowerer;
use crate::diag::join;
use crate::model::*;

/// What the operations of every path item share while they are lowered.
pub(super) struct OperationScope {
    /// Method names taken so far.
    names: Namespace,
    /// Names of the constants of constant headers.
    pub(super) header_consts: Namespace,
    /// Where each operationId was first seen (a JSON pointer).
    operation_ids: BTreeMap<String, String>,
    /// The API's constant headers, as operations declare them.
    pub(super) constant_headers: Vec<ConstantHeader>,
    /// Names of the request builders and of their structs of required
    /// arguments: the client's `builders` module.
    builders: Namespace,
}

/// The most required arguments (parameters and body) a client method takes
/// positionally: with `&self`, clippy's `too_many_arguments` limit of 7.
/// An operation with more takes them as one struct of named fields.
pub const MAX_POSITIONAL_ARGS: usize = 6;

/// Names the `builders` module of the generated client uses besides the
/// builders: its imports and the prelude names its code relies on.
const BUILDERS_MODULE_NAMES: &[&str] = &[
    "CallOptions",
    "Client",
    "Error",
    "Request",
    "Response",
    "Box",
    "Into",
    "Option",
    "Result",
    "Send",
    "String",
    "Vec",
];

/// Names a request builder uses for its own fields and methods, which no
/// argument may take.
pub const BUILDER_MEMBER_NAMES: &[&str] = &[
    "body",
    "request",
    "client",
    "options",
    "timeout",
    "header",
    "send",
    "send_with_response",
    "into_future",
    "into_request",
    "into_stream",
    "send_streaming",
    "max_pages",
    "retry_policy",
    "idempotency_key",
];

/// One operation being lowered: what it is called and where it is.
pub(super) struct OperationSite<'a> {
    /// The method name in the generated client (snake case, unique).
    pub(super) name: String,
    /// `name` as a type name: the start of the operation's type names.
    pub(super) type_base: String,
    method: Method,
    /// The URL path template, as the spec writes it (`/pets/{id}`).
    path: &'a str,
    pub(super) item: &'a oa::PathItem,
    pub(super) op: &'a oa::Operation,
    /// The JSON pointer of the operation (`#/paths/~1pets~1{id}/get`).
    pub(super) pointer: String,
}

impl<'a> Lowerer<'a> {
    /// Every operation of the spec, in document order, and the constant
    /// headers they declare.
    pub(super) fn operations(&mut self) -> (Vec<Operation>, Vec<ConstantHeader>) {
        let spec = self.spec;
        let mut scope = OperationScope {
            names: Namespace::new(),
            header_consts: Namespace::new(),
            operation_ids: BTreeMap::new(),
            constant_headers: Vec::new(),
            builders: Namespace::new(),
        };
        for name in BUILDERS_MODULE_NAMES {
            scope.builders.reserve(name);
        }
        let mut operations = Vec::new();
        // The first path of each shape (see `path_shape`).
        let mut paths_by_shape: BTreeMap<String, &str> = BTreeMap::new();
        for (path, item) in &spec.paths.paths {
            let item_pointer = join("#/paths", path);
            let shape = path_shape(path);
            if let Some(first) = paths_by_shape.get(shape.as_str()) {
                // A server could not tell the two apart, but a client calls
                // each: both are generated.
                self.warn_help(
                    &item_pointer,
                    format!("path `{path}` is the same as `{first}` except for parameter names"),
                    format!(
                        "OpenAPI forbids such paths; merge them (the other one is at {})",
                        join("#/paths", first)
                    ),
                );
            } else {
                paths_by_shape.insert(shape, path);
            }
            let item = match item {
                oa::ReferenceOr::Item(item) => item,
                oa::ReferenceOr::Reference { .. } => {
                    self.error_help(
                        &item_pointer,
                        "`$ref` path items are not supported",
                        "inline the path item",
                    );
                    continue;
                }
            };
            operations.extend(self.path_item(path, item, &item_pointer, &mut scope));
        }
        (operations, scope.constant_headers)
    }

    /// The operations of one path item.
    fn path_item(
        &mut self,
        path: &'a str,
        item: &'a oa::PathItem,
        item_pointer: &str,
        scope: &mut OperationScope,
    ) -> Vec<Operation> {
        let mut operations = Vec::new();
        let methods = [
            (Method::Get, "get", &item.get),
            (Method::Put, "put", &item.put),
            (Method::Post, "post", &item.post),
            (Method::Delete, "delete", &item.delete),
            (Method::Options, "options", &item.options),
            (Method::Head, "head", &item.head),
            (Method::Patch, "patch", &item.patch),
            (Method::Trace, "trace", &item.trace),
        ];
        for (method, key, op) in methods {
            let Some(op) = op else { continue };
            let pointer = join(item_pointer, key);
            let base = match &op.operation_id {
                Some(id) => naming::snake_name(id),
                None => naming::snake_name(&format!("{key} {path}")),
            };
            let name = scope.names.claim(&base);
            if let Some(id) = op.operation_id.as_deref() {
                match scope.operation_ids.get(id) {
                    // A client can call both: the second gets a name of its
                    // own, as colliding names do.
                    Some(first) => self.warn_help(
                        &join(&pointer, "operationId"),
                        format!(
                            "operationId `{id}` is used twice: here and at {first}/operationId; this one is `{name}`"
                        ),
                        "operationIds must be unique; rename one",
                    ),
                    None => {
                        scope.operation_ids.insert(id.to_string(), pointer.clone());
                    }
                }
            }
            let site = OperationSite {
                type_base: naming::type_name(&name),
                name,
                method,
                path,
                item,
                op,
                pointer,
            };
            operations.push(self.operation(site, scope));
        }
        operations
    }

    /// One operation: its arguments, body and responses.
    fn operation(&mut self, site: OperationSite<'a>, scope: &mut OperationScope) -> Operation {
        let mut arg_names = Namespace::new();
        // Names the generated method and builder use for themselves.
        for name in BUILDER_MEMBER_NAMES {
            arg_names.reserve(name);
        }
        let parameters = self.parameters(&site, scope, &mut arg_names);
        let (segments, mut params) = self.path_arguments(&site, parameters.path, &mut arg_names);
        params.extend(parameters.others);
        let body = self.request_body(&site);
        let (success, errors) = self.responses(&site);
        if let Some(value) = site.op.extensions.get(super::pagination::EXTENSION) {
            self.paginated.push((site.pointer.clone(), value.clone()));
        }
        if site.method == Method::Delete && body.as_ref().is_some_and(|b| b.required) {
            self.warn(&join(&site.pointer, "requestBody"), "a DELETE with a required body: some servers and proxies drop DELETE bodies; the body is sent as the spec says");
        }
        self.warn_bearer_scopes(&site);
        let error_type = self.type_names.claim(&format!("{}Error", site.type_base));
        let builder = scope.builders.claim(&site.type_base);
        let required = params.iter().filter(|p| p.required).count()
            + usize::from(body.as_ref().is_some_and(|b| b.required));
        let required_args = (required > MAX_POSITIONAL_ARGS)
            .then(|| scope.builders.claim(&format!("{builder}Args")));
        Operation {
            auth: self.uses_bearer(&site.op.security),
            name: site.name,
            operation_id: site.op.operation_id.clone(),
            method: site.method,
            path: site.path.to_string(),
            segments,
            summary: site.op.summary.clone(),
            description: site.op.description.clone(),
            params,
            constant_headers: parameters.constant_headers,
            body,
            success,
            errors,
            error_type,
            builder,
            required_args,
            pagination: None,
            origin: site.pointer,
        }
    }

    /// The segments of the path template and the path arguments in its
    /// order, from the declared path parameters. A template variable no
    /// parameter declares becomes a string argument; a parameter the
    /// template does not use is ignored. Both are warned about.
    fn path_arguments(
        &mut self,
        site: &OperationSite<'a>,
        declared: Vec<Parameter>,
        arg_names: &mut Namespace,
    ) -> (Vec<PathSegment>, Vec<Parameter>) {
        let mut segments = Vec::new();
        let mut ordered: Vec<Parameter> = Vec::new();
        let mut used = BTreeSet::new();
        for piece in split_template(site.path) {
            match piece {
                TemplatePiece::Literal(text) => segments.push(PathSegment::Literal(text)),
                TemplatePiece::Var(var) => {
                    let param = match declared.iter().find(|p| p.wire_name == var) {
                        Some(p) => p.clone(),
                        None => {
                            self.warn_help(&site.pointer, format!("path template variable `{{{var}}}` is not declared as a path parameter"), "apigen adds it as a required string argument; declare it under `parameters`");
                            Parameter {
                                name: arg_names.claim(&self.cases.snake_name(&var)),
                                wire_name: var.clone(),
                                location: ParamLocation::Path,
                                docs: None,
                                ty: TypeRef::String,
                                required: true,
                                style: ArrayStyle::Repeat,
                                example: None,
                            }
                        }
                    };
                    used.insert(var);
                    segments.push(PathSegment::Param(ordered.len()));
                    ordered.push(param);
                }
            }
        }
        for p in &declared {
            if !used.contains(&p.wire_name) {
                self.warn(&site.pointer, format!("path parameter `{}` does not appear in the path template `{}`; it is ignored", p.wire_name, site.path));
            }
        }
        (segments, ordered)
    }

    /// Scopes on the bearer scheme in the operation's `security` mean
    /// nothing in OpenAPI 3.0; they are warned about.
    fn warn_bearer_scopes(&mut self, site: &OperationSite<'a>) {
        let Some(requirements) = &site.op.security else {
            return;
        };
        for (i, requirement) in requirements.iter().enumerate() {
            for (scheme, scopes) in requirement {
                // Scopes mean something for OAuth schemes only.
                let http_bearer = self.bearer_schemes.get(scheme) == Some(&false);
                if http_bearer && !scopes.is_empty() {
                    let pointer = join(
                        &join(&join(&site.pointer, "security"), &i.to_string()),
                        scheme,
                    );
                    self.warn(&pointer, format!("scopes {scopes:?} on the HTTP bearer scheme `{scheme}` have no meaning in OpenAPI 3.0 (scopes belong to OAuth2); they are ignored and the bearer token is sent"));
                }
            }
        }
    }
}

/// A path template with its variables blanked: `/a/{x}` and `/a/{y}` are
/// the same path to a server.
fn path_shape(path: &str) -> String {
    split_template(path)
        .into_iter()
        .map(|piece| match piece {
            TemplatePiece::Literal(text) => text,
            TemplatePiece::Var(_) => "{}".to_string(),
        })
        .collect()
}

enum TemplatePiece {
    Literal(String),
    Var(String),
}

/// Splits `/a/{b}/c` into literal text and variables.
fn split_template(path: &str) -> Vec<TemplatePiece> {
    let mut pieces = Vec::new();
    let mut rest = path;
    while let Some((before, after)) = rest.split_once('{') {
        let Some((var, tail)) = after.split_once('}') else {
            break;
        };
        if !before.is_empty() {
            pieces.push(TemplatePiece::Literal(before.to_string()));
        }
        pieces.push(TemplatePiece::Var(var.to_string()));
        rest = tail;
    }
    if !rest.is_empty() {
        pieces.push(TemplatePiece::Literal(rest.to_string()));
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::model::*;

    #[test]
    fn path_arguments_follow_the_template_and_mismatches_are_warnings() {
        let spec = format!(
            "{HEADER}paths:
  /owners/{{owner}}/pets/{{pet}}:
    parameters:
      - {{name: pet, in: path, required: true, schema: {{type: integer}}}}
      - {{name: id, in: path, required: true, schema: {{type: string}}}}
      - {{name: verbose, in: query, schema: {{type: boolean}}}}
    get:
      operationId: getPet
      parameters:
        - {{name: verbose, in: query, required: true, schema: {{type: string}}}}
        - {{name: page, in: query, schema: {{type: integer}}}}
      responses: {{'204': {{description: ok}}}}
"
        );
        let (api, warnings) = lowered(&spec);
        let op = operation_named(&api, "get_pet");
        let params: Vec<(&str, ParamLocation, &TypeRef, bool)> = op
            .params
            .iter()
            .map(|p| (p.wire_name.as_str(), p.location, &p.ty, p.required))
            .collect();
        assert_eq!(
            params,
            [
                // Undeclared: added as a required string.
                ("owner", ParamLocation::Path, &TypeRef::String, true),
                ("pet", ParamLocation::Path, &TypeRef::I64, true),
                // The operation's `verbose` replaces the path item's, in its
                // place; required query parameters come first.
                ("verbose", ParamLocation::Query, &TypeRef::String, true),
                ("page", ParamLocation::Query, &TypeRef::I64, false),
            ]
        );
        let segments = [
            PathSegment::Literal("/owners/".into()),
            PathSegment::Param(0),
            PathSegment::Literal("/pets/".into()),
            PathSegment::Param(1),
        ];
        assert_eq!(op.segments, segments);
        let pointer = "#/paths/~1owners~1{owner}~1pets~1{pet}/get";
        assert_eq!(
            located(&warnings),
            [
                format!("{pointer}: path template variable `{{owner}}` is not declared as a path parameter"),
                format!("{pointer}: path parameter `id` does not appear in the path template `/owners/{{owner}}/pets/{{pet}}`; it is ignored"),
            ]
        );
    }

    #[test]
    fn repeated_operation_ids_and_paths_that_differ_in_names_only_are_warnings() {
        let spec = format!(
            "{HEADER}paths:
  /pets/{{id}}:
    get: {{operationId: getPet, parameters: [{{name: id, in: path, required: true, schema: {{type: string}}}}], responses: {{'204': {{description: ok}}}}}}
  /pets/{{petId}}:
    put: {{operationId: getPet, parameters: [{{name: petId, in: path, required: true, schema: {{type: string}}}}], responses: {{'204': {{description: ok}}}}}}
"
        );
        let (api, warnings) = lowered(&spec);
        assert_eq!(
            located(&warnings),
            [
                "#/paths/~1pets~1{petId}: path `/pets/{petId}` is the same as `/pets/{id}` except for parameter names",
                "#/paths/~1pets~1{petId}/put/operationId: operationId `getPet` is used twice: here and at #/paths/~1pets~1{id}/get/operationId; this one is `get_pet2`",
            ]
        );
        let names: Vec<&str> = api.operations.iter().map(|o| o.name.as_str()).collect();
        assert_eq!(names, ["get_pet", "get_pet2"]);
    }
}
