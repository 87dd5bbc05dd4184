//! Lowering: openapiv3 types in, one [`crate::model::Api`] out.
//!
//! This is the only module that sees openapiv3 types. It resolves `$ref`s,
//! decides every name (through [`naming`]), picks Rust types for schemas and
//! reports what it cannot represent as diagnostics with the JSON pointer of
//! the node, instead of stopping at the first problem or panicking.

mod naming;
mod recursion;

use std::collections::{BTreeMap, BTreeSet};

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

/// How deep `$ref` chains may go before apigen reports a cycle.
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

/// What the operations of every path item share while they are lowered.
struct OperationScope<'s> {
    /// Method names taken so far.
    names: Namespace,
    /// Names of the constants of constant headers.
    header_consts: Namespace,
    /// Where each operationId was first seen.
    operation_ids: BTreeMap<String, String>,
    constant_headers: &'s mut Vec<ConstantHeader>,
    auth: Option<&'s BearerAuth>,
}

struct Lowerer<'a> {
    spec: &'a oa::OpenAPI,
    file: String,
    diags: Vec<Diagnostic>,
    types: BTreeMap<TypeId, TypeDef>,
    type_names: Namespace,
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
            file: doc.display.clone(),
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
        let file = self.file.clone();
        self.diags.push(d.in_file(file).at_pointer(pointer));
    }

    fn api(&mut self) -> Api {
        let spec = self.spec;
        // Reserve an id and a name for every component schema before
        // converting any, so references (and recursion) resolve.
        let mut pending = Vec::new();
        if let Some(components) = &spec.components {
            for (key, schema) in &components.schemas {
                let id = self.reserve(&naming::type_name(key));
                self.components.insert(key.clone(), id);
                pending.push((id, key.clone(), schema));
            }
        }
        for (id, key, schema) in pending {
            let pointer = join("#/components/schemas", &key);
            self.define(id, schema, &pointer);
            if let Some(example) = self
                .resolve_schema(schema, &pointer)
                .and_then(|s| s.schema_data.example.clone())
            {
                if matches!(
                    self.types.get(&id).map(|t| &t.kind),
                    Some(TypeKind::Struct(_))
                ) {
                    self.example(
                        &format!("schema {key}"),
                        TypeRef::Named(id),
                        example,
                        &join(&pointer, "example"),
                    );
                }
            }
        }

        let auth = self.auth();
        let base_url = spec
            .servers
            .first()
            .map(|s| s.url.trim_end_matches('/').to_string());
        let mut constant_headers = Vec::new();
        let mut operations = self.operations(&mut constant_headers, auth.as_ref());
        operations.sort_by(|a, b| a.name.cmp(&b.name));

        Api {
            title: spec.info.title.clone(),
            description: spec.info.description.clone(),
            version: spec.info.version.clone(),
            base_url,
            auth,
            constant_headers,
            types: {
                let mut arena = TypeArena {
                    types: std::mem::take(&mut self.types),
                };
                recursion::box_cycles(&mut arena);
                arena
            },
            operations,
            examples: std::mem::take(&mut self.examples),
        }
    }

    fn reserve(&mut self, base: &str) -> TypeId {
        let id = TypeId(self.next_id);
        self.next_id += 1;
        let name = self.type_names.claim(base);
        self.types.insert(
            id,
            TypeDef {
                id,
                name,
                origin: String::new(),
                docs: None,
                kind: TypeKind::Alias(TypeRef::Json),
            },
        );
        id
    }

    fn example(&mut self, label: &str, ty: TypeRef, value: serde_json::Value, pointer: &str) {
        let name = self.example_names.claim(&naming::snake_name(label));
        self.examples.push(Example {
            name,
            ty,
            value,
            origin: pointer.to_string(),
        });
    }

    // ----- security -------------------------------------------------------

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

    // ----- operations -----------------------------------------------------

    fn operations(
        &mut self,
        constant_headers: &mut Vec<ConstantHeader>,
        auth: Option<&BearerAuth>,
    ) -> Vec<Operation> {
        let spec = self.spec;
        let mut scope = OperationScope {
            names: Namespace::new(),
            header_consts: Namespace::new(),
            operation_ids: BTreeMap::new(),
            constant_headers,
            auth,
        };
        let mut operations = Vec::new();
        let mut shapes: BTreeMap<String, &str> = BTreeMap::new();
        for (path, item) in &spec.paths.paths {
            let item_pointer = join("#/paths", path);
            // `/a/{x}` and `/a/{y}` are the same path to a server.
            let shape: String = split_template(path)
                .into_iter()
                .map(|piece| match piece {
                    TemplatePiece::Literal(text) => text,
                    TemplatePiece::Var(_) => "{}".to_string(),
                })
                .collect();
            if let Some(first) = shapes.get(shape.as_str()) {
                self.error_help(
                    &item_pointer,
                    format!("path `{path}` is the same as `{first}` except for parameter names"),
                    format!(
                        "OpenAPI forbids such paths; merge them (the other one is at {})",
                        join("#/paths", first)
                    ),
                );
            } else {
                shapes.insert(shape, path);
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
        operations
    }

    /// The operations of one path item.
    fn path_item(
        &mut self,
        path: &str,
        item: &'a oa::PathItem,
        item_pointer: &str,
        scope: &mut OperationScope<'_>,
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
            if let Some(id) = op.operation_id.as_deref() {
                if let Some(first) = scope.operation_ids.get(id) {
                    self.error_help(
                        &join(&pointer, "operationId"),
                        format!(
                            "operationId `{id}` is used twice: here and at {first}/operationId"
                        ),
                        "operationIds must be unique; rename one",
                    );
                    continue;
                }
                scope.operation_ids.insert(id.to_string(), pointer.clone());
            }
            let base = match &op.operation_id {
                Some(id) => naming::snake_name(id),
                None => naming::snake_name(&format!("{key} {path}")),
            };
            let name = scope.names.claim(&base);
            if let Some(op) = self.operation(
                name,
                method,
                path,
                item,
                op,
                &pointer,
                scope.constant_headers,
                &mut scope.header_consts,
                scope.auth,
            ) {
                operations.push(op);
            }
        }
        operations
    }

    #[allow(clippy::too_many_arguments)]
    fn operation(
        &mut self,
        name: String,
        method: Method,
        path: &str,
        item: &'a oa::PathItem,
        op: &'a oa::Operation,
        pointer: &str,
        constant_headers: &mut Vec<ConstantHeader>,
        header_consts: &mut Namespace,
        auth: Option<&BearerAuth>,
    ) -> Option<Operation> {
        let type_base = naming::type_name(&name);
        let mut arg_names = Namespace::new();
        // Names the generated method uses for itself.
        arg_names.reserve("body");
        arg_names.reserve("request");

        // Operation parameters override path-item ones with the same name and location.
        let mut declared: Vec<(String, &'a oa::ReferenceOr<oa::Parameter>)> = Vec::new();
        for (i, p) in item.parameters.iter().enumerate() {
            declared.push((
                join(
                    &join(&pointer_parent(pointer), "parameters"),
                    &i.to_string(),
                ),
                p,
            ));
        }
        for (i, p) in op.parameters.iter().enumerate() {
            declared.push((join(&join(pointer, "parameters"), &i.to_string()), p));
        }
        let mut by_key: BTreeMap<(u8, String), (String, &'a oa::Parameter)> = BTreeMap::new();
        let mut order: Vec<(u8, String)> = Vec::new();
        for (p_pointer, p) in declared {
            let Some((p_pointer, param)) = self.resolve_parameter(p, &p_pointer) else {
                continue;
            };
            let data = param.parameter_data_ref();
            let loc = match param {
                oa::Parameter::Path { .. } => 0,
                oa::Parameter::Query { .. } => 1,
                oa::Parameter::Header { .. } => 2,
                oa::Parameter::Cookie { .. } => 3,
            };
            let key = (loc, data.name.clone());
            if by_key.insert(key.clone(), (p_pointer, param)).is_none() {
                order.push(key);
            }
        }

        let mut params = Vec::new();
        let mut const_indexes = Vec::new();
        let mut path_params: BTreeMap<String, usize> = BTreeMap::new();
        let mut others = Vec::new();
        for key in &order {
            let Some((p_pointer, param)) = by_key.get(key) else {
                continue;
            };
            let data = param.parameter_data_ref();
            let location = match param {
                oa::Parameter::Path { .. } => ParamLocation::Path,
                oa::Parameter::Query { .. } => ParamLocation::Query,
                oa::Parameter::Header { .. } => ParamLocation::Header,
                oa::Parameter::Cookie { .. } => ParamLocation::Cookie,
            };
            let schema = match &data.format {
                oa::ParameterSchemaOrContent::Schema(s) => s,
                oa::ParameterSchemaOrContent::Content(_) => {
                    self.error(
                        p_pointer,
                        format!(
                            "parameter `{}` uses `content`; only `schema` parameters are supported",
                            data.name
                        ),
                    );
                    continue;
                }
            };
            if location == ParamLocation::Header {
                let lower = data.name.to_ascii_lowercase();
                if matches!(lower.as_str(), "authorization" | "content-type" | "accept") {
                    // OpenAPI says these header parameters are ignored.
                    continue;
                }
                if let Some(value) = self.single_string_enum(schema, &join(p_pointer, "schema")) {
                    if data.required {
                        let index = match constant_headers
                            .iter()
                            .position(|h| h.name == data.name && h.value == value)
                        {
                            Some(i) => i,
                            None => {
                                let const_name =
                                    header_consts.claim(&naming::const_name(&data.name));
                                constant_headers.push(ConstantHeader {
                                    name: data.name.clone(),
                                    value,
                                    const_name,
                                    description: data.description.clone(),
                                });
                                constant_headers.len() - 1
                            }
                        };
                        const_indexes.push(index);
                        continue;
                    }
                }
            }
            let hint = format!("{type_base} {}", data.name);
            let ty = self.type_ref(schema, &join(p_pointer, "schema"), &hint);
            if !is_scalar(&ty) && location != ParamLocation::Query {
                self.error(
                    p_pointer,
                    format!(
                        "parameter `{}` must be a string, number, boolean or string enum",
                        data.name
                    ),
                );
                continue;
            }
            if location == ParamLocation::Path && !data.required {
                self.warn(p_pointer, format!("path parameter `{}` is not marked `required: true`; it is treated as required", data.name));
            }
            let style = match param {
                oa::Parameter::Query { style, .. } => match (style, data.explode) {
                    (oa::QueryStyle::Form, None | Some(true)) => ArrayStyle::Repeat,
                    (oa::QueryStyle::Form, Some(false)) => ArrayStyle::Comma,
                    (oa::QueryStyle::SpaceDelimited, _) => ArrayStyle::Space,
                    (oa::QueryStyle::PipeDelimited, _) => ArrayStyle::Pipe,
                    (oa::QueryStyle::DeepObject, _) => {
                        self.warn(p_pointer, format!("`style: deepObject` of `{}` is not supported; the value is sent as form (`name=value`) pairs", data.name));
                        ArrayStyle::Repeat
                    }
                },
                _ => ArrayStyle::Repeat,
            };
            if matches!(ty, TypeRef::Named(id) if matches!(self.types.get(&id).map(|t| &t.kind), Some(TypeKind::Struct(_))))
                || matches!(ty, TypeRef::Json | TypeRef::Map(_))
            {
                self.error(p_pointer, format!("parameter `{}` is an object; only strings, numbers, booleans, enums and arrays of them are supported as parameters", data.name));
                continue;
            }
            let param = Parameter {
                style,
                name: arg_names.claim(&self.cases.snake_name(&data.name)),
                wire_name: data.name.clone(),
                location,
                docs: data.description.clone(),
                ty,
                required: data.required || location == ParamLocation::Path,
                example: data.example.clone().or_else(|| {
                    data.examples.values().find_map(|e| match e {
                        oa::ReferenceOr::Item(e) => e.value.clone(),
                        oa::ReferenceOr::Reference { .. } => None,
                    })
                }),
            };
            if location == ParamLocation::Path {
                path_params.insert(data.name.clone(), params.len());
                params.push(param);
            } else {
                others.push(param);
            }
        }

        // The path template decides the order of path arguments.
        let mut segments = Vec::new();
        let mut ordered: Vec<Parameter> = Vec::new();
        let mut used = BTreeSet::new();
        for piece in split_template(path) {
            match piece {
                TemplatePiece::Literal(text) => segments.push(PathSegment::Literal(text)),
                TemplatePiece::Var(var) => {
                    let param = match path_params.get(&var).and_then(|&i| params.get(i)) {
                        Some(p) => p.clone(),
                        None => {
                            self.warn_help(pointer, format!("path template variable `{{{var}}}` is not declared as a path parameter"), "apigen adds it as a required string argument; declare it under `parameters`");
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
        for p in &params {
            if !used.contains(&p.wire_name) {
                self.warn(pointer, format!("path parameter `{}` does not appear in the path template `{path}`; it is ignored", p.wire_name));
            }
        }
        others.sort_by_key(|p| !p.required);
        ordered.extend(others);

        let body = op
            .request_body
            .as_ref()
            .and_then(|b| self.request_body(b, &join(pointer, "requestBody"), &type_base, &name));
        let (success, errors) = self.responses(
            &op.responses,
            &join(pointer, "responses"),
            &type_base,
            &name,
        );

        if method == Method::Delete && body.as_ref().is_some_and(|b| b.required) {
            self.warn(&join(pointer, "requestBody"), "a DELETE with a required body: some servers and proxies drop DELETE bodies; the body is sent as the spec says");
        }
        if let Some(requirements) = &op.security {
            for (i, requirement) in requirements.iter().enumerate() {
                for (scheme, scopes) in requirement {
                    let is_bearer = auth.is_some_and(|a| &a.scheme_name == scheme);
                    if is_bearer && !scopes.is_empty() {
                        self.warn(&join(&join(&join(pointer, "security"), &i.to_string()), scheme), format!("scopes {scopes:?} on the HTTP bearer scheme `{scheme}` have no meaning in OpenAPI 3.0 (scopes belong to OAuth2); they are ignored and the bearer token is sent"));
                    }
                }
            }
        }
        let error_type = self.type_names.claim(&format!("{type_base}Error"));
        Some(Operation {
            name,
            operation_id: op.operation_id.clone(),
            method,
            path: path.to_string(),
            segments,
            summary: op.summary.clone(),
            description: op.description.clone(),
            params: ordered,
            constant_headers: const_indexes,
            body,
            success,
            errors,
            error_type,
            auth: self.uses_bearer(&op.security, auth),
            origin: pointer.to_string(),
        })
    }

    fn request_body(
        &mut self,
        body: &'a oa::ReferenceOr<oa::RequestBody>,
        pointer: &str,
        type_base: &str,
        op_name: &str,
    ) -> Option<RequestBody> {
        let (pointer, body) = self.resolve_request_body(body, pointer)?;
        let Some((content_type, kind, media)) = body_media(&body.content) else {
            self.error(
                &pointer,
                "the request body has no media type under `content`",
            );
            return None;
        };
        let media_pointer = join(&join(&pointer, "content"), &content_type);
        let hint = format!("{type_base} Request");
        let ty = match (kind, &media.schema) {
            (BodyKind::Bytes, _) => TypeRef::Bytes,
            (BodyKind::Text, _) => TypeRef::String,
            (_, Some(schema)) => {
                self.binary_as_bytes = kind == BodyKind::Multipart;
                let ty = self.type_ref(schema, &join(&media_pointer, "schema"), &hint);
                self.binary_as_bytes = false;
                ty
            }
            (_, None) => TypeRef::Json,
        };
        if matches!(kind, BodyKind::Form | BodyKind::Multipart) && !self.is_struct(&ty) {
            self.error(
                &media_pointer,
                format!("a `{content_type}` body must be an object schema with `properties`"),
            );
            return None;
        }
        if kind == BodyKind::Json {
            for (label, value, example_pointer) in media_examples(media, &media_pointer) {
                self.example(
                    &format!("{op_name} request {label}"),
                    ty.clone(),
                    value,
                    &example_pointer,
                );
            }
        }
        Some(RequestBody {
            ty,
            required: body.required,
            content_type,
            kind,
            docs: body.description.clone(),
        })
    }

    fn is_struct(&self, ty: &TypeRef) -> bool {
        match ty {
            TypeRef::Named(id) => matches!(
                self.types.get(id).map(|t| &t.kind),
                Some(TypeKind::Struct(_))
            ),
            _ => false,
        }
    }

    fn responses(
        &mut self,
        responses: &'a oa::Responses,
        pointer: &str,
        type_base: &str,
        op_name: &str,
    ) -> (Success, Vec<ErrorResponse>) {
        let mut cases: Vec<StatusCase> = Vec::new();
        let mut errors = Vec::new();
        for (code, response) in &responses.responses {
            let status = match code {
                oa::StatusCode::Code(c) => *c,
                oa::StatusCode::Range(r) => {
                    if *r != 2 {
                        self.warn(&join(pointer, &format!("{r}XX")), "status ranges other than 2XX get no typed error variant; such answers are returned as `Error::UnexpectedStatus`");
                        continue;
                    }
                    200
                }
            };
            let r_pointer = join(pointer, &code.to_string());
            let Some((r_pointer, response)) = self.resolve_response(response, &r_pointer) else {
                continue;
            };
            let success = (200..300).contains(&status);
            let hint = if success {
                format!("{type_base} Response")
            } else {
                format!("{type_base} {}", naming::status_variant(status))
            };
            let payload = match response_media(&response.content) {
                None => None,
                Some((content_type, kind, media)) => {
                    let media_pointer = join(&join(&r_pointer, "content"), &content_type);
                    let ty = match (kind, &media.schema) {
                        (MediaKind::Text, _) => TypeRef::String,
                        (MediaKind::Bytes, _) => TypeRef::Bytes,
                        (MediaKind::Json, Some(schema)) => {
                            self.type_ref(schema, &join(&media_pointer, "schema"), &hint)
                        }
                        (MediaKind::Json, None) => TypeRef::Json,
                    };
                    if kind == MediaKind::Json {
                        for (label, value, example_pointer) in media_examples(media, &media_pointer)
                        {
                            self.example(
                                &format!("{op_name} response {status} {label}"),
                                ty.clone(),
                                value,
                                &example_pointer,
                            );
                        }
                    }
                    Some(Payload { kind, ty })
                }
            };
            if success {
                if !cases.iter().any(|c| c.status == status) {
                    cases.push(StatusCase {
                        status,
                        variant: naming::status_variant(status),
                        payload,
                    });
                }
            } else if status >= 400 {
                match payload {
                    Some(Payload { kind: MediaKind::Json, ty }) => errors.push(ErrorResponse {
                        status,
                        variant: naming::status_variant(status),
                        docs: Some(response.description.clone()).filter(|d| !d.is_empty()),
                        ty,
                    }),
                    Some(_) => self.warn(&r_pointer, format!("the body of status {status} is not JSON; such answers are returned as `Error::UnexpectedStatus` with the start of the body")),
                    None => {}
                }
            }
        }
        let distinct: BTreeSet<String> = cases.iter().map(|c| format!("{:?}", c.payload)).collect();
        let success = match (cases.first(), distinct.len()) {
            (None, _) => Success::Empty,
            (Some(first), 1) => match &first.payload {
                Some(payload) => Success::One(payload.clone()),
                None => Success::Empty,
            },
            _ => Success::ByStatus {
                type_name: self.type_names.claim(&format!("{type_base}Success")),
                cases,
            },
        };
        (success, errors)
    }

    // ----- references -----------------------------------------------------

    fn resolve_parameter(
        &mut self,
        p: &'a oa::ReferenceOr<oa::Parameter>,
        pointer: &str,
    ) -> Option<(String, &'a oa::Parameter)> {
        self.follow(p, pointer, "parameters", |c| &c.parameters)
    }

    fn resolve_request_body(
        &mut self,
        p: &'a oa::ReferenceOr<oa::RequestBody>,
        pointer: &str,
    ) -> Option<(String, &'a oa::RequestBody)> {
        self.follow(p, pointer, "requestBodies", |c| &c.request_bodies)
    }

    fn resolve_response(
        &mut self,
        p: &'a oa::ReferenceOr<oa::Response>,
        pointer: &str,
    ) -> Option<(String, &'a oa::Response)> {
        self.follow(p, pointer, "responses", |c| &c.responses)
    }

    fn resolve_schema(
        &mut self,
        s: &'a oa::ReferenceOr<oa::Schema>,
        pointer: &str,
    ) -> Option<&'a oa::Schema> {
        self.follow(s, pointer, "schemas", |c| &c.schemas)
            .map(|(_, s)| s)
    }

    /// Follows a chain of `$ref`s into `components/{section}`, reporting
    /// unresolved references and cycles at the pointer of the `$ref`.
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

    // ----- schemas -----------------------------------------------------------

    /// The single allowed value of a string schema with a one-value enum.
    fn single_string_enum(
        &mut self,
        schema: &'a oa::ReferenceOr<oa::Schema>,
        pointer: &str,
    ) -> Option<String> {
        let schema = self.resolve_schema(schema, pointer)?;
        match &schema.schema_kind {
            oa::SchemaKind::Type(oa::Type::String(s)) => match s.enumeration.as_slice() {
                [Some(only)] => Some(only.clone()),
                _ => None,
            },
            _ => None,
        }
    }

    /// Fills in the type reserved as `id` from a component schema.
    fn define(&mut self, id: TypeId, schema: &'a oa::ReferenceOr<oa::Schema>, pointer: &str) {
        let kind = match schema {
            oa::ReferenceOr::Reference { .. } => match self.resolve_schema(schema, pointer) {
                Some(_) => TypeKind::Alias(self.type_ref(schema, pointer, "")),
                None => TypeKind::Alias(TypeRef::Json),
            },
            oa::ReferenceOr::Item(item) => {
                let name = self
                    .types
                    .get(&id)
                    .map(|t| t.name.clone())
                    .unwrap_or_default();
                self.kind_of(item, pointer, &name)
            }
        };
        let docs = match schema {
            oa::ReferenceOr::Item(item) => schema_docs(item),
            oa::ReferenceOr::Reference { .. } => None,
        };
        if let Some(def) = self.types.get_mut(&id) {
            def.origin = pointer.to_string();
            def.docs = docs;
            def.kind = kind;
        }
    }

    /// The Rust type for a schema that needs a named type of its own
    /// (objects and enums), or an alias for anything else.
    fn kind_of(&mut self, schema: &'a oa::Schema, pointer: &str, name: &str) -> TypeKind {
        if let Some(only) = single_all_of(schema) {
            return TypeKind::Alias(self.type_ref(only, &join(pointer, "allOf/0"), name));
        }
        if let Some(object) = self.object_view(schema, pointer) {
            return TypeKind::Struct(self.object(object, pointer, name));
        }
        if let Some(variants) = string_enum(schema) {
            return TypeKind::StringEnum(self.string_enum(variants));
        }
        if let Some(alternatives) = alternatives(schema) {
            let mut union = self.union(alternatives, pointer, name);
            union.discriminator = self.discriminator(schema, alternatives, &union, pointer);
            return TypeKind::Union(union);
        }
        TypeKind::Alias(self.inline_type(schema, pointer, name))
    }

    /// The object view of a schema, with `allOf` parts merged.
    fn object_view(&mut self, schema: &'a oa::Schema, pointer: &str) -> Option<ObjectView<'a>> {
        self.merged_view(schema, pointer, 0)
    }

    /// The schema's own object keywords, with its `allOf` parts merged in,
    /// recursively (a cycle of `allOf`s ends at the depth limit).
    fn merged_view(
        &mut self,
        schema: &'a oa::Schema,
        pointer: &str,
        depth: usize,
    ) -> Option<ObjectView<'a>> {
        if depth > MAX_REF_DEPTH {
            self.error(pointer, "`allOf` nests too deeply (a cycle?)");
            return None;
        }
        let parts = all_of(schema);
        if parts.is_empty() {
            return ObjectView::own(schema);
        }
        let mut merged = ObjectView::empty();
        for (i, part) in parts.iter().enumerate() {
            let part_pointer = join(&join(pointer, "allOf"), &i.to_string());
            let Some(resolved) = self.resolve_schema(part, &part_pointer) else {
                continue;
            };
            if std::ptr::eq(resolved, schema) {
                continue;
            }
            match self.merged_view(resolved, &part_pointer, depth + 1) {
                Some(view) => merged.merge(view),
                None => self.warn(
                    &part_pointer,
                    "this `allOf` part is not an object; its constraints are not represented",
                ),
            }
        }
        if let Some(own) = ObjectView::own(schema) {
            merged.merge(own);
        }
        Some(merged)
    }

    /// `oneOf`/`anyOf`: an untagged enum, one variant per alternative, tried
    /// in order when decoding.
    fn union(
        &mut self,
        alternatives: &'a [oa::ReferenceOr<oa::Schema>],
        pointer: &str,
        name: &str,
    ) -> Union {
        let mut names = Namespace::new();
        let mut variants = Vec::new();
        for (i, alternative) in alternatives.iter().enumerate() {
            let alt_pointer = join(pointer, &i.to_string());
            let ty = self.type_ref(
                alternative,
                &alt_pointer,
                &format!("{name} Variant{}", i + 1),
            );
            let base = match &ty {
                TypeRef::Named(id) => self
                    .types
                    .get(id)
                    .map(|t| t.name.clone())
                    .unwrap_or_default(),
                TypeRef::String => "String".to_string(),
                TypeRef::Bool => "Bool".to_string(),
                TypeRef::I32 | TypeRef::I64 => "Integer".to_string(),
                TypeRef::F32 | TypeRef::F64 => "Number".to_string(),
                TypeRef::DateTime => "DateTime".to_string(),
                TypeRef::Date => "Date".to_string(),
                TypeRef::Boxed(_) => "Boxed".to_string(),
                TypeRef::Bytes => "Bytes".to_string(),
                TypeRef::Vec(_) => "List".to_string(),
                TypeRef::Map(_) => "Map".to_string(),
                TypeRef::Json => "Value".to_string(),
            };
            variants.push(UnionVariant {
                name: names.claim(&self.cases.type_name(&base)),
                ty,
            });
        }
        Union {
            variants,
            discriminator: None,
        }
    }

    /// The discriminator of a `oneOf`: the property and, per value, the
    /// variant it selects (from `mapping`, else the referenced schema names).
    fn discriminator(
        &mut self,
        schema: &'a oa::Schema,
        alternatives: &'a [oa::ReferenceOr<oa::Schema>],
        union: &Union,
        pointer: &str,
    ) -> Option<Discriminator> {
        let d = schema.schema_data.discriminator.as_ref()?;
        let reference_of = |alt: &oa::ReferenceOr<oa::Schema>| match alt {
            oa::ReferenceOr::Reference { reference } => Some(reference.clone()),
            oa::ReferenceOr::Item(_) => None,
        };
        let mut mapping = Vec::new();
        if d.mapping.is_empty() {
            for (i, alt) in alternatives.iter().enumerate() {
                if let Some(name) = reference_of(alt)
                    .as_deref()
                    .and_then(|r| r.rsplit('/').next())
                {
                    mapping.push((unescape_token(name), i));
                }
            }
        } else {
            for (value, target) in &d.mapping {
                let found = alternatives.iter().position(|alt| {
                    reference_of(alt).is_some_and(|r| {
                        &r == target || r.rsplit('/').next() == Some(target.as_str())
                    })
                });
                match found {
                    Some(i) => mapping.push((value.clone(), i)),
                    None => self.warn(&join(&join(pointer, "discriminator/mapping"), value), format!("discriminator value `{value}` maps to `{target}`, which is not one of the alternatives; the value decodes as `Unknown`")),
                }
            }
        }
        if mapping.is_empty() || union.variants.is_empty() {
            self.warn(&join(pointer, "discriminator"), "the discriminator selects no alternative (they are inline schemas); the alternatives are tried in order instead");
            return None;
        }
        Some(Discriminator {
            property: d.property_name.clone(),
            mapping,
        })
    }

    fn string_enum(&mut self, values: Vec<String>) -> StringEnum {
        let mut names = Namespace::new();
        // `Unknown` holds values the spec does not list.
        names.reserve("Unknown");
        let variants = values
            .into_iter()
            .map(|wire| EnumVariant {
                name: names.claim(&self.cases.type_name(&wire)),
                wire_name: wire,
            })
            .collect();
        StringEnum { variants }
    }

    fn object(&mut self, object: ObjectView<'a>, pointer: &str, type_name: &str) -> Struct {
        let mut names = Namespace::new();
        let mut fields = Vec::new();
        let exclusive = self.exclusive_pair(&object, pointer);
        for (wire, prop) in object.properties.iter() {
            let prop: &'a oa::ReferenceOr<Box<oa::Schema>> = prop;
            if exclusive.as_ref().is_some_and(|pair| pair.contains(wire)) {
                continue;
            }
            let prop_pointer = join(&join(pointer, "properties"), wire);
            let resolved = self.resolve_boxed(prop, &prop_pointer);
            let nullable = resolved.is_some_and(|s| s.schema_data.nullable);
            let mut docs = resolved.and_then(schema_docs);
            let data = resolved.map(|s| &s.schema_data);
            let read_only = data.is_some_and(|d| d.read_only);
            let write_only = data.is_some_and(|d| d.write_only);
            // A read-only field is never sent and a write-only one never
            // received, so neither can be required in both directions.
            let required = object.required.contains(wire) && !read_only && !write_only;
            let mut notes = Vec::new();
            if read_only {
                notes
                    .push("Read-only: set by the server; leave it `None` in requests.".to_string());
            }
            if write_only {
                notes.push("Write-only: sent by the client, never returned.".to_string());
            }
            if let Some(default) = data.and_then(|d| d.default.as_ref()) {
                notes.push(format!(
                    "Default (applied by the server when absent): `{default}`."
                ));
            }
            if !notes.is_empty() {
                let mut text = docs.unwrap_or_default();
                for note in notes {
                    if !text.is_empty() {
                        text.push_str("\n\n");
                    }
                    text.push_str(&note);
                }
                docs = Some(text);
            }
            let ty = self.boxed_type_ref(prop, &prop_pointer, &format!("{type_name} {wire}"));
            fields.push(Field {
                name: names.claim(&self.cases.snake_name(wire)),
                wire_name: wire.clone(),
                docs,
                ty,
                required,
                nullable,
                flatten: false,
            });
        }
        if let Some([first, second]) = exclusive {
            let enum_name = format!("{type_name} {first} Or {second}");
            let id = self.reserve(&naming::type_name(&enum_name));
            let mut variant_names = Namespace::new();
            let mut variants = Vec::new();
            for wire in [&first, &second] {
                let Some(&prop) = object.properties.get(wire) else {
                    continue;
                };
                let prop_pointer = join(&join(pointer, "properties"), wire);
                let docs = self
                    .resolve_boxed(prop, &prop_pointer)
                    .and_then(schema_docs);
                let ty = self.boxed_type_ref(prop, &prop_pointer, &format!("{type_name} {wire}"));
                variants.push(ExclusiveVariant {
                    name: variant_names.claim(&self.cases.type_name(wire)),
                    wire_name: wire.clone(),
                    docs,
                    ty,
                });
            }
            let not_pointer = join(pointer, "not");
            if let Some(def) = self.types.get_mut(&id) {
                def.origin = not_pointer;
                def.docs = Some(format!("Either `{first}` or `{second}`, never both."));
                def.kind = TypeKind::Exclusive(Exclusive { variants });
            }
            fields.push(Field {
                name: names.claim(&naming::snake_name(&format!("{first} or {second}"))),
                wire_name: String::new(),
                docs: Some(format!(
                    "`{first}` or `{second}`: the spec allows at most one of them."
                )),
                ty: TypeRef::Named(id),
                required: false,
                nullable: false,
                flatten: true,
            });
        }
        if object.additional_properties_schema {
            self.warn(pointer, "`additionalProperties` next to `properties` is not represented; extra keys are ignored when decoding");
        }
        Struct { fields }
    }

    /// `not: {required: [a, b]}` over two optional properties: at most one
    /// of them may be present.
    fn exclusive_pair(&mut self, object: &ObjectView<'a>, pointer: &str) -> Option<[String; 2]> {
        let not = object.not?;
        let not_pointer = join(pointer, "not");
        let not = self.resolve_schema(not, &not_pointer)?;
        let required = match &not.schema_kind {
            oa::SchemaKind::Any(any) if any.properties.is_empty() && any.typ.is_none() => {
                &any.required
            }
            oa::SchemaKind::Type(oa::Type::Object(o)) if o.properties.is_empty() => &o.required,
            _ => {
                self.warn(&not_pointer, "this `not` schema is not enforced by the generated types; only `not: {required: [a, b]}` is");
                return None;
            }
        };
        match required.as_slice() {
            [a, b]
                if a != b
                    && object.properties.contains_key(a)
                    && object.properties.contains_key(b)
                    && !object.required.contains(a)
                    && !object.required.contains(b) =>
            {
                Some([a.clone(), b.clone()])
            }
            _ => {
                self.warn(&not_pointer, "`not: {required: [...]}` is enforced only for two optional properties of the object; this one is documented only");
                None
            }
        }
    }

    fn resolve_boxed(
        &mut self,
        s: &'a oa::ReferenceOr<Box<oa::Schema>>,
        pointer: &str,
    ) -> Option<&'a oa::Schema> {
        match s {
            oa::ReferenceOr::Item(item) => Some(item),
            oa::ReferenceOr::Reference { reference } => {
                let name = reference
                    .strip_prefix("#/components/schemas/")
                    .map(unescape_token)?;
                let schema = self.spec.components.as_ref()?.schemas.get(&name)?;
                self.resolve_schema(schema, pointer)
            }
        }
    }

    fn boxed_type_ref(
        &mut self,
        s: &'a oa::ReferenceOr<Box<oa::Schema>>,
        pointer: &str,
        hint: &str,
    ) -> TypeRef {
        match s {
            oa::ReferenceOr::Reference { reference } => self.reference_type(reference, pointer),
            oa::ReferenceOr::Item(item) => self.inline_type(item, pointer, hint),
        }
    }

    /// The Rust type of a schema used in place (a field, a parameter, a body).
    fn type_ref(
        &mut self,
        s: &'a oa::ReferenceOr<oa::Schema>,
        pointer: &str,
        hint: &str,
    ) -> TypeRef {
        match s {
            oa::ReferenceOr::Reference { reference } => self.reference_type(reference, pointer),
            oa::ReferenceOr::Item(item) => self.inline_type(item, pointer, hint),
        }
    }

    fn reference_type(&mut self, reference: &str, pointer: &str) -> TypeRef {
        let ref_pointer = join(pointer, "$ref");
        let prefix = "#/components/schemas/";
        let Some(name) = reference.strip_prefix(prefix) else {
            self.bad_reference(&ref_pointer, reference, prefix);
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

    fn inline_type(&mut self, schema: &'a oa::Schema, pointer: &str, hint: &str) -> TypeRef {
        if let Some(only) = single_all_of(schema) {
            return self.type_ref(only, &join(pointer, "allOf/0"), hint);
        }
        if needs_named_type(schema) {
            let id = self.reserve(&naming::type_name(hint));
            let name = self
                .types
                .get(&id)
                .map(|t| t.name.clone())
                .unwrap_or_default();
            let kind = self.kind_of(schema, pointer, &name);
            if let Some(def) = self.types.get_mut(&id) {
                def.origin = pointer.to_string();
                def.docs = schema_docs(schema);
                def.kind = kind;
            }
            return TypeRef::Named(id);
        }
        match &schema.schema_kind {
            oa::SchemaKind::Type(oa::Type::String(s)) => match &s.format {
                oa::VariantOrUnknownOrEmpty::Item(oa::StringFormat::DateTime) => TypeRef::DateTime,
                oa::VariantOrUnknownOrEmpty::Item(oa::StringFormat::Date) => TypeRef::Date,
                oa::VariantOrUnknownOrEmpty::Item(oa::StringFormat::Binary)
                    if self.binary_as_bytes =>
                {
                    TypeRef::Bytes
                }
                _ => TypeRef::String,
            },
            oa::SchemaKind::Type(oa::Type::Boolean(_)) => TypeRef::Bool,
            oa::SchemaKind::Type(oa::Type::Integer(i)) => match &i.format {
                oa::VariantOrUnknownOrEmpty::Item(oa::IntegerFormat::Int32) => TypeRef::I32,
                _ => TypeRef::I64,
            },
            oa::SchemaKind::Type(oa::Type::Number(n)) => match &n.format {
                oa::VariantOrUnknownOrEmpty::Item(oa::NumberFormat::Float) => TypeRef::F32,
                _ => TypeRef::F64,
            },
            oa::SchemaKind::Type(oa::Type::Array(a)) => {
                let item = match &a.items {
                    Some(items) => {
                        self.boxed_type_ref(items, &join(pointer, "items"), &format!("{hint} Item"))
                    }
                    None => TypeRef::Json,
                };
                TypeRef::Vec(Box::new(item))
            }
            oa::SchemaKind::Type(oa::Type::Object(o)) => match &o.additional_properties {
                None | Some(oa::AdditionalProperties::Any(true))
                    if schema
                        .schema_data
                        .example
                        .as_ref()
                        .is_some_and(|e| !e.is_object()) =>
                {
                    self.warn_help(pointer, "`type: object` has an example that is not an object; the field is represented as `serde_json::Value`, which accepts both", "fix the schema's type (for example `type: string` with a `format`)");
                    TypeRef::Json
                }
                Some(oa::AdditionalProperties::Schema(s)) => {
                    let value = self.type_ref(
                        s,
                        &join(pointer, "additionalProperties"),
                        &format!("{hint} Value"),
                    );
                    TypeRef::Map(Box::new(value))
                }
                _ => TypeRef::Json,
            },
            // `{}` and schemas with only validation keywords: any JSON.
            oa::SchemaKind::Any(any)
                if any.typ.is_none()
                    && any.properties.is_empty()
                    && any.items.is_none()
                    && any.enumeration.is_empty()
                    && any.one_of.is_empty()
                    && any.all_of.is_empty()
                    && any.any_of.is_empty()
                    && any.not.is_none() =>
            {
                TypeRef::Json
            }
            _ => {
                self.warn(
                    pointer,
                    "this schema has no direct Rust type; it is represented as `serde_json::Value`",
                );
                TypeRef::Json
            }
        }
    }
}

/// The parts of an object schema apigen uses, whether openapiv3 parsed it
/// as `type: object` or, because of keywords such as `not` or `allOf`, as
/// "any". `allOf` parts are merged in, in order.
struct ObjectView<'a> {
    properties: indexmap::IndexMap<String, &'a oa::ReferenceOr<Box<oa::Schema>>>,
    required: Vec<String>,
    not: Option<&'a oa::ReferenceOr<oa::Schema>>,
    additional_properties_schema: bool,
}

impl<'a> ObjectView<'a> {
    /// The schema's own object keywords, when it has properties.
    fn own(schema: &'a oa::Schema) -> Option<Self> {
        match &schema.schema_kind {
            oa::SchemaKind::Type(oa::Type::Object(o)) if !o.properties.is_empty() => {
                Some(ObjectView {
                    properties: o.properties.iter().map(|(k, v)| (k.clone(), v)).collect(),
                    required: o.required.clone(),
                    not: None,
                    additional_properties_schema: matches!(
                        o.additional_properties,
                        Some(oa::AdditionalProperties::Schema(_))
                    ),
                })
            }
            oa::SchemaKind::Any(any)
                if !any.properties.is_empty()
                    && matches!(any.typ.as_deref(), None | Some("object"))
                    && any.one_of.is_empty()
                    && any.any_of.is_empty() =>
            {
                Some(ObjectView {
                    properties: any.properties.iter().map(|(k, v)| (k.clone(), v)).collect(),
                    required: any.required.clone(),
                    not: any.not.as_deref(),
                    additional_properties_schema: matches!(
                        any.additional_properties,
                        Some(oa::AdditionalProperties::Schema(_))
                    ),
                })
            }
            _ => None,
        }
    }

    fn empty() -> Self {
        ObjectView {
            properties: indexmap::IndexMap::new(),
            required: Vec::new(),
            not: None,
            additional_properties_schema: false,
        }
    }

    fn merge(&mut self, other: ObjectView<'a>) {
        for (k, v) in other.properties {
            self.properties.entry(k).or_insert(v);
        }
        for r in other.required {
            if !self.required.contains(&r) {
                self.required.push(r);
            }
        }
        self.not = self.not.or(other.not);
        self.additional_properties_schema |= other.additional_properties_schema;
    }
}

/// The `allOf` parts of a schema, if it has any.
fn all_of(schema: &oa::Schema) -> &[oa::ReferenceOr<oa::Schema>] {
    match &schema.schema_kind {
        oa::SchemaKind::AllOf { all_of } => all_of,
        oa::SchemaKind::Any(any) => &any.all_of,
        _ => &[],
    }
}

/// The alternatives of a `oneOf` or `anyOf` schema.
fn alternatives(schema: &oa::Schema) -> Option<&[oa::ReferenceOr<oa::Schema>]> {
    match &schema.schema_kind {
        oa::SchemaKind::OneOf { one_of } if !one_of.is_empty() => Some(one_of),
        oa::SchemaKind::AnyOf { any_of } if !any_of.is_empty() => Some(any_of),
        oa::SchemaKind::Any(any) if !any.one_of.is_empty() => Some(&any.one_of),
        oa::SchemaKind::Any(any) if !any.any_of.is_empty() => Some(&any.any_of),
        _ => None,
    }
}

/// `allOf: [X]` with nothing else: the schema is X.
fn single_all_of(schema: &oa::Schema) -> Option<&oa::ReferenceOr<oa::Schema>> {
    let own_properties = ObjectView::own(schema).is_some();
    match all_of(schema) {
        [only] if !own_properties => Some(only),
        _ => None,
    }
}

/// Whether the schema needs a named type of its own.
fn needs_named_type(schema: &oa::Schema) -> bool {
    (ObjectView::own(schema).is_some()
        || all_of(schema).len() > 1
        || (!all_of(schema).is_empty() && single_all_of(schema).is_none()))
        || string_enum(schema).is_some()
        || alternatives(schema).is_some()
}

/// The values of a string enum with at least two values (a single value
/// is a constant, not a choice).
fn string_enum(schema: &oa::Schema) -> Option<Vec<String>> {
    match &schema.schema_kind {
        oa::SchemaKind::Type(oa::Type::String(s)) if !s.enumeration.is_empty() => {
            let values: Vec<String> = s.enumeration.iter().flatten().cloned().collect();
            Some(values)
        }
        _ => None,
    }
}

fn schema_docs(schema: &oa::Schema) -> Option<String> {
    let data = &schema.schema_data;
    match (&data.title, &data.description) {
        (Some(t), Some(d)) if t != d => Some(format!("{t}\n\n{d}")),
        (_, Some(d)) => Some(d.clone()),
        (Some(t), None) => Some(t.clone()),
        (None, None) => None,
    }
}

fn is_scalar(ty: &TypeRef) -> bool {
    matches!(
        ty,
        TypeRef::String
            | TypeRef::Date
            | TypeRef::Bool
            | TypeRef::I32
            | TypeRef::I64
            | TypeRef::F32
            | TypeRef::F64
            | TypeRef::DateTime
            | TypeRef::Named(_)
    )
}

fn essence(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or(content_type)
        .trim()
        .to_ascii_lowercase()
}

fn is_json(content_type: &str) -> bool {
    let e = essence(content_type);
    e == "application/json" || e.ends_with("+json")
}

/// The media type of a request body apigen encodes, JSON first.
fn body_media(
    content: &indexmap::IndexMap<String, oa::MediaType>,
) -> Option<(String, BodyKind, &oa::MediaType)> {
    let ranked = |k: &str| match essence(k).as_str() {
        e if is_json(e) => 0,
        "application/x-www-form-urlencoded" => 1,
        "multipart/form-data" => 2,
        e if e.starts_with("text/") => 3,
        _ => 4,
    };
    let (k, v) = content.iter().min_by_key(|(k, _)| ranked(k))?;
    let kind = match ranked(k) {
        0 => BodyKind::Json,
        1 => BodyKind::Form,
        2 => BodyKind::Multipart,
        3 => BodyKind::Text,
        _ => BodyKind::Bytes,
    };
    Some((k.clone(), kind, v))
}

/// The media type of a response apigen decodes, JSON first.
fn response_media(
    content: &indexmap::IndexMap<String, oa::MediaType>,
) -> Option<(String, MediaKind, &oa::MediaType)> {
    let ranked = |k: &str| match essence(k).as_str() {
        e if is_json(e) => 0,
        e if e.starts_with("text/") => 1,
        _ => 2,
    };
    let (k, v) = content.iter().min_by_key(|(k, _)| ranked(k))?;
    let kind = match ranked(k) {
        0 => MediaKind::Json,
        1 => MediaKind::Text,
        _ => MediaKind::Bytes,
    };
    Some((k.clone(), kind, v))
}

/// `example` and inline `examples` of a media type, labelled.
fn media_examples(
    media: &oa::MediaType,
    pointer: &str,
) -> Vec<(String, serde_json::Value, String)> {
    let mut out = Vec::new();
    if let Some(example) = &media.example {
        out.push((String::new(), example.clone(), join(pointer, "example")));
    }
    for (name, example) in &media.examples {
        if let oa::ReferenceOr::Item(oa::Example {
            value: Some(value), ..
        }) = example
        {
            out.push((
                name.clone(),
                value.clone(),
                join(&join(pointer, "examples"), name),
            ));
        }
    }
    out
}

fn pointer_parent(pointer: &str) -> String {
    match pointer.rfind('/') {
        Some(i) => pointer.get(..i).unwrap_or(pointer).to_string(),
        None => pointer.to_string(),
    }
}

fn unescape_token(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
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
