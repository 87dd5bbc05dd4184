//! Swagger 2.0 read as OpenAPI 3.0: the bundled document's value is
//! rewritten into 3.0 shapes before it is normalized and deserialized, so
//! lowering, emission and diff see one model whichever version the spec
//! is written in.
//!
//! `definitions`, `parameters`, `responses` and `securityDefinitions` move
//! into `components`, and every local `$ref` follows them; `host`,
//! `basePath` and `schemes` become one server; body and formData
//! parameters become request bodies; a parameter's or header's type moves
//! into a `schema`, its `collectionFormat` into `style` and `explode`; a
//! response's `schema` and `examples` become `content` for the
//! operation's `produces`; `x-nullable`, a string `discriminator` and
//! `type: file` become their 3.0 forms. What has no 3.0 form is read
//! otherwise with a warning at the node in the original document.
//!
//! Nodes move, so diagnostics about the converted document would name
//! pointers that are not in the Swagger text: [`Origins`] maps them back.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use crate::diag::{join, push_token, Diagnostic};

/// Where the nodes of a converted document are in the original one: for
/// a prefix of converted pointers, the original pointer it stands for.
/// Empty for a document that was not converted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origins {
    prefixes: BTreeMap<String, String>,
}

impl Origins {
    fn add(&mut self, converted: String, original: String) {
        self.prefixes.insert(converted, original);
    }

    /// The pointer in the original document of the node at `pointer` in
    /// the converted one: its longest remapped prefix replaced, or
    /// `pointer` itself.
    pub fn original(&self, pointer: &str) -> String {
        let mut prefix = pointer;
        while !self.prefixes.is_empty() {
            if let Some(original) = self.prefixes.get(prefix) {
                let rest = pointer.strip_prefix(prefix).unwrap_or_default();
                return format!("{original}{rest}");
            }
            match prefix.rsplit_once('/') {
                Some((parent, _)) => prefix = parent,
                None => break,
            }
        }
        pointer.to_string()
    }
}

/// Whether `value` is a Swagger 2.0 document (`swagger: "2.0"`, or the
/// number YAML reads from an unquoted `2.0`).
pub fn is_swagger2(value: &Value) -> bool {
    match value.get("swagger") {
        Some(Value::String(v)) => v == "2.0",
        Some(Value::Number(n)) => n.as_f64() == Some(2.0),
        _ => false,
    }
}

/// The media type a body is sent and read as when the spec names none.
const DEFAULT_MEDIA_TYPE: &str = "application/json";

/// Keys of a Swagger parameter, header or items object that belong to its
/// schema in OpenAPI 3.0.
const SCHEMA_KEYS: &[&str] = &[
    "type",
    "format",
    "items",
    "default",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "enum",
    "multipleOf",
    "x-nullable",
];

const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch"];

/// Rewrites the Swagger 2.0 document `value` (bundled) into OpenAPI 3.0,
/// returning the warnings (pointers in the original document) and where
/// the converted nodes came from.
pub fn convert(value: &mut Value) -> (Vec<Diagnostic>, Origins) {
    let mut converter = Converter::default();
    let Some(root) = value.as_object_mut() else {
        return (Vec::new(), converter.origins);
    };
    converter.consumes = media_types(root.remove("consumes"));
    converter.produces = media_types(root.remove("produces"));
    root.remove("swagger");
    let servers = converter.servers(root);
    let components = converter.components(root);
    if let Some(Value::Object(paths)) = root.get_mut("paths") {
        converter.paths(paths);
    }
    let mut converted = Map::new();
    converted.insert("openapi".to_string(), json!("3.0.3"));
    converted.extend(std::mem::take(root));
    if let Some(servers) = servers {
        converted.insert("servers".to_string(), servers);
    }
    if !components.is_empty() {
        converted.insert("components".to_string(), Value::Object(components));
    }
    *value = Value::Object(converted);
    finish(value, &mut "#".to_string());
    (converter.warnings, converter.origins)
}

/// The media types a `consumes` or `produces` lists, or the default.
fn media_types(list: Option<Value>) -> Vec<String> {
    let listed: Vec<String> = match list {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    };
    if listed.is_empty() {
        vec![DEFAULT_MEDIA_TYPE.to_string()]
    } else {
        listed
    }
}

/// A body or formData parameter, on its way into a request body.
#[derive(Clone)]
struct BodyParam {
    param: Map<String, Value>,
    /// Where the parameter is listed (a `$ref` to it, or the parameter).
    site: String,
    /// Where the parameter itself is written.
    at: String,
}

/// An operation's or path item's parameters, split by where they go.
#[derive(Clone, Default)]
struct Split {
    body: Option<BodyParam>,
    form: Vec<BodyParam>,
}

#[derive(Default)]
struct Converter {
    origins: Origins,
    warnings: Vec<Diagnostic>,
    /// The API's `consumes` and `produces` (or the default).
    consumes: Vec<String>,
    produces: Vec<String>,
    /// Shared parameters as written, by the reference that names them:
    /// body and formData parameters are put in place where they are used.
    shared: BTreeMap<String, (Map<String, Value>, String)>,
}

impl Converter {
    fn warn(&mut self, pointer: &str, message: impl Into<String>) {
        self.warnings
            .push(Diagnostic::warning(message).at_pointer(pointer));
    }

    /// `host`, `basePath` and `schemes` as one server: https when the API
    /// lists it; a relative one without a host.
    fn servers(&mut self, root: &mut Map<String, Value>) -> Option<Value> {
        let host = root.remove("host");
        let base_path = root.remove("basePath");
        let schemes = root.remove("schemes");
        let host = host.as_ref().and_then(Value::as_str);
        let base_path = base_path.as_ref().and_then(Value::as_str).unwrap_or("");
        let listed: Vec<&str> = schemes
            .as_ref()
            .and_then(Value::as_array)
            .map(|s| s.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let scheme = if listed.contains(&"https") || !listed.contains(&"http") {
            "https"
        } else {
            "http"
        };
        if !listed.is_empty() && !listed.iter().any(|s| matches!(*s, "http" | "https")) {
            self.warn(
                "#/schemes",
                format!(
                    "schemes {listed:?} list neither http nor https; the server is read as https"
                ),
            );
        }
        let (url, at) = match host {
            Some(host) => (
                format!("{scheme}://{host}{}", base_path.trim_end_matches('/')),
                "#/host",
            ),
            None if !base_path.is_empty() => (base_path.to_string(), "#/basePath"),
            None => return None,
        };
        self.origins.add("#/servers".to_string(), at.to_string());
        Some(json!([{ "url": url }]))
    }

    /// `components`, from the shared sections of the Swagger document and
    /// what bundling already put in `components`.
    fn components(&mut self, root: &mut Map<String, Value>) -> Map<String, Value> {
        let mut components = match root.remove("components") {
            Some(Value::Object(map)) => map,
            _ => Map::new(),
        };
        let mut schemas = entries(root.remove("definitions"));
        for name in schemas.keys() {
            self.origins.add(
                join("#/components/schemas", name),
                join("#/definitions", name),
            );
        }
        schemas.extend(entries(components.remove("schemas")));
        let mut parameters = Map::new();
        for (section, written) in [
            ("#/parameters", entries(root.remove("parameters"))),
            (
                "#/components/parameters",
                entries(components.remove("parameters")),
            ),
        ] {
            for (name, param) in written {
                if let Some(param) = self.shared_parameter(section, &name, param) {
                    parameters.insert(name, param);
                }
            }
        }
        let mut responses = Map::new();
        for (section, written) in [
            ("#/responses", entries(root.remove("responses"))),
            (
                "#/components/responses",
                entries(components.remove("responses")),
            ),
        ] {
            for (name, mut response) in written {
                let converted = join("#/components/responses", &name);
                let original = join(section, &name);
                let produces = self.produces.clone();
                self.response(&mut response, &produces, &converted, &original);
                self.origins.add(converted, original);
                responses.insert(name, response);
            }
        }
        let mut schemes = entries(components.remove("securitySchemes"));
        for (name, scheme) in entries(root.remove("securityDefinitions")) {
            let at = join("#/securityDefinitions", &name);
            self.origins
                .add(join("#/components/securitySchemes", &name), at.clone());
            if let Some(scheme) = self.security_scheme(scheme, &at) {
                schemes.insert(name, scheme);
            }
        }
        for (section, map) in [
            ("schemas", schemas),
            ("responses", responses),
            ("parameters", parameters),
            ("securitySchemes", schemes),
        ] {
            if !map.is_empty() {
                components.insert(section.to_string(), Value::Object(map));
            }
        }
        components
    }

    /// A shared parameter: kept to be put in place when it is a body or
    /// formData parameter, converted for `components` otherwise.
    fn shared_parameter(&mut self, section: &str, name: &str, param: Value) -> Option<Value> {
        let at = join(section, name);
        let Value::Object(mut param) = param else {
            return Some(param);
        };
        self.shared.insert(at.clone(), (param.clone(), at.clone()));
        if matches!(location(&param), "body" | "formData") {
            return None;
        }
        self.parameter(&mut param, &at);
        let converted = join("#/components/parameters", name);
        self.origins.add(join(&converted, "schema"), at.clone());
        self.origins.add(converted, at);
        Some(Value::Object(param))
    }

    fn paths(&mut self, paths: &mut Map<String, Value>) {
        for (path, item) in paths.iter_mut() {
            if path.starts_with("x-") {
                continue;
            }
            let Some(item) = item.as_object_mut() else {
                continue;
            };
            let item_at = join("#/paths", path);
            let shared = self.parameters(item, &item_at);
            for method in METHODS {
                if let Some(Value::Object(operation)) = item.get_mut(*method) {
                    self.operation(operation, &join(&item_at, method), &shared);
                }
            }
        }
    }

    fn operation(&mut self, op: &mut Map<String, Value>, at: &str, shared: &Split) {
        let consumes = match op.remove("consumes") {
            Some(list) => media_types(Some(list)),
            None => self.consumes.clone(),
        };
        let produces = match op.remove("produces") {
            Some(list) => media_types(Some(list)),
            None => self.produces.clone(),
        };
        if op.remove("schemes").is_some() {
            self.warn(
                &join(at, "schemes"),
                "an operation's own `schemes` have no OpenAPI 3.0 form here; the API's server is used",
            );
        }
        let own = self.parameters(op, at);
        let body = own.body.or_else(|| shared.body.clone());
        let mut form = shared.form.clone();
        for param in own.form {
            let name = param.param.get("name").cloned();
            form.retain(|p| p.param.get("name") != name.as_ref());
            form.push(param);
        }
        if let Some(request_body) = self.request_body(body, form, &consumes, at) {
            op.insert("requestBody".to_string(), request_body);
        }
        if let Some(Value::Object(responses)) = op.get_mut("responses") {
            for (status, response) in responses.iter_mut() {
                if !status.starts_with("x-") {
                    let at = join(&join(at, "responses"), status);
                    self.response(response, &produces, &at, &at);
                }
            }
        }
    }

    /// Converts the `parameters` of `owner` (an operation or a path item at
    /// `at`) in place, taking out its body and formData parameters.
    fn parameters(&mut self, owner: &mut Map<String, Value>, at: &str) -> Split {
        let mut split = Split::default();
        let Some(Value::Array(list)) = owner.get_mut("parameters") else {
            return split;
        };
        let list_at = join(at, "parameters");
        let mut kept = Vec::new();
        for (index, mut item) in std::mem::take(list).into_iter().enumerate() {
            let site = join(&list_at, &index.to_string());
            let reference = item.get("$ref").and_then(Value::as_str).map(str::to_string);
            let (param, param_at) = match reference.as_deref().and_then(|r| self.shared.get(r)) {
                Some((param, param_at)) => (param.clone(), param_at.clone()),
                None => (item.as_object().cloned().unwrap_or_default(), site.clone()),
            };
            let body = BodyParam {
                param,
                site: site.clone(),
                at: param_at,
            };
            match location(&body.param) {
                "body" if split.body.is_some() => self.warn(
                    &site,
                    "a second body parameter has no OpenAPI 3.0 form; it is left out, the first is the request body",
                ),
                "body" => split.body = Some(body),
                "formData" => split.form.push(body),
                _ => {
                    let converted = join(&list_at, &kept.len().to_string());
                    if reference.is_none() {
                        let mut param = body.param;
                        self.parameter(&mut param, &site);
                        item = Value::Object(param);
                        self.origins.add(join(&converted, "schema"), site.clone());
                    }
                    self.origins.add(converted, site);
                    kept.push(item);
                }
            }
        }
        if kept.is_empty() {
            owner.remove("parameters");
        } else {
            owner.insert("parameters".to_string(), Value::Array(kept));
        }
        split
    }

    /// A path, query or header parameter (at `at`): its type into a
    /// `schema`, its `collectionFormat` into `style` and `explode`.
    fn parameter(&mut self, param: &mut Map<String, Value>, at: &str) {
        if param.contains_key("$ref") || param.contains_key("schema") {
            return;
        }
        let location = location(param).to_string();
        let format = param.remove("collectionFormat");
        let Some(schema) = self.schema_of(param, at) else {
            return;
        };
        let is_array = schema.get("type").and_then(Value::as_str) == Some("array");
        param.insert("schema".to_string(), Value::Object(schema));
        if !is_array {
            return;
        }
        let (style, explode) = match location.as_str() {
            "query" => self.query_style(format.as_ref(), at, "query"),
            _ => {
                let format = format.as_ref().and_then(Value::as_str).unwrap_or("csv");
                if format != "csv" {
                    self.warn(
                        &join(at, "collectionFormat"),
                        format!("`collectionFormat: {format}` has no OpenAPI 3.0 form for a {location} parameter; the values are sent comma-separated"),
                    );
                }
                return;
            }
        };
        param.insert("style".to_string(), json!(style));
        param.insert("explode".to_string(), json!(explode));
    }

    /// The `style` and `explode` of an array sent in a query or a form
    /// (the parameter at `at`, in `location`) for its `collectionFormat`.
    fn query_style(
        &mut self,
        format: Option<&Value>,
        at: &str,
        location: &str,
    ) -> (&'static str, bool) {
        match format.and_then(Value::as_str).unwrap_or("csv") {
            "csv" => ("form", false),
            "multi" => ("form", true),
            "ssv" => ("spaceDelimited", false),
            "pipes" => ("pipeDelimited", false),
            format => {
                self.warn(
                    &join(at, "collectionFormat"),
                    format!("`collectionFormat: {format}` has no OpenAPI 3.0 form for a {location} parameter; the values are sent comma-separated"),
                );
                ("form", false)
            }
        }
    }

    /// The schema a parameter, header or items object (at `at`) describes
    /// with its own keys, taken out of it; `None` when it has none.
    fn schema_of(
        &mut self,
        object: &mut Map<String, Value>,
        at: &str,
    ) -> Option<Map<String, Value>> {
        let mut schema = Map::new();
        for key in SCHEMA_KEYS {
            if let Some(value) = object.remove(*key) {
                schema.insert(key.to_string(), value);
            }
        }
        if let Some(items) = schema.get_mut("items") {
            self.items(items, &join(at, "items"));
        }
        (!schema.is_empty()).then_some(schema)
    }

    /// Swagger's items object (at `at`) is a schema but for its
    /// `collectionFormat`, which nested arrays have no 3.0 form for.
    fn items(&mut self, items: &mut Value, at: &str) {
        let Some(items) = items.as_object_mut() else {
            return;
        };
        if let Some(format) = items.remove("collectionFormat") {
            let format = format.as_str().unwrap_or_default();
            self.warn(
                &join(at, "collectionFormat"),
                format!("`collectionFormat: {format}` of array items has no OpenAPI 3.0 form; it is left out"),
            );
        }
        if let Some(inner) = items.get_mut("items") {
            self.items(inner, &join(at, "items"));
        }
    }

    /// The request body of an operation (at `at`) from its body parameter,
    /// or from its formData parameters as an object's properties.
    fn request_body(
        &mut self,
        body: Option<BodyParam>,
        form: Vec<BodyParam>,
        consumes: &[String],
        at: &str,
    ) -> Option<Value> {
        let Some(body) = body else {
            return (!form.is_empty()).then(|| self.form_body(form, consumes, at));
        };
        for param in &form {
            self.warn(&param.site, "a formData parameter beside a body parameter has no OpenAPI 3.0 form; it is left out, the body is sent");
        }
        let converted = join(at, "requestBody");
        let BodyParam {
            param,
            site,
            at: param_at,
        } = body;
        let mut request_body = Map::new();
        let mut schema = json!({});
        for (key, value) in param {
            if key == "schema" {
                schema = value;
            } else if key == "description" || key == "required" || key.starts_with("x-") {
                request_body.insert(key, value);
            }
        }
        let mut content = Map::new();
        for media_type in consumes {
            content.insert(media_type.clone(), json!({ "schema": schema }));
            let media_at = join(&join(&converted, "content"), media_type);
            self.origins
                .add(join(&media_at, "schema"), join(&param_at, "schema"));
        }
        self.origins.add(converted, site);
        request_body.insert("content".to_string(), Value::Object(content));
        Value::Object(request_body).into()
    }

    /// The request body of formData parameters: an object of them, sent
    /// as multipart when `consumes` says so or one is a file, as a
    /// URL-encoded form otherwise.
    fn form_body(&mut self, form: Vec<BodyParam>, consumes: &[String], at: &str) -> Value {
        let converted = join(at, "requestBody");
        let multipart = consumes.iter().any(|m| m == "multipart/form-data")
            || form
                .iter()
                .any(|p| p.param.get("type").and_then(Value::as_str) == Some("file"));
        let media_type = if multipart {
            "multipart/form-data"
        } else {
            "application/x-www-form-urlencoded"
        };
        let properties_at = join(
            &join(&join(&join(&converted, "content"), media_type), "schema"),
            "properties",
        );
        if let Some(first) = form.first() {
            self.origins.add(converted, first.site.clone());
        }
        let mut properties = Map::new();
        let mut required = Vec::new();
        let mut encoding = Map::new();
        for mut field in form {
            let Some(name) = field.param.get("name").and_then(Value::as_str) else {
                continue;
            };
            let name = name.to_string();
            if field.param.remove("allowEmptyValue").is_some() {
                self.warn(&join(&field.at, "allowEmptyValue"), "`allowEmptyValue` of a formData parameter has no OpenAPI 3.0 form; it is left out");
            }
            let format = field.param.remove("collectionFormat");
            let mut schema = self
                .schema_of(&mut field.param, &field.at)
                .unwrap_or_default();
            if let Some(description) = field.param.remove("description") {
                schema.insert("description".to_string(), description);
            }
            if schema.get("type").and_then(Value::as_str) == Some("array") {
                let (style, explode) = self.query_style(format.as_ref(), &field.at, "formData");
                encoding.insert(name.clone(), json!({"style": style, "explode": explode}));
            }
            if field.param.get("required").and_then(Value::as_bool) == Some(true) {
                required.push(Value::String(name.clone()));
            }
            self.origins.add(join(&properties_at, &name), field.at);
            properties.insert(name, Value::Object(schema));
        }
        let mut schema = Map::new();
        schema.insert("type".to_string(), json!("object"));
        schema.insert("properties".to_string(), Value::Object(properties));
        let is_required = !required.is_empty();
        if is_required {
            schema.insert("required".to_string(), Value::Array(required));
        }
        let mut media = Map::new();
        media.insert("schema".to_string(), Value::Object(schema));
        if !encoding.is_empty() {
            media.insert("encoding".to_string(), Value::Object(encoding));
        }
        json!({
            "required": is_required,
            "content": { media_type: media },
        })
    }

    /// A response (at `converted`, written at `original`): its `schema`
    /// and `examples` as `content` for `produces`, its headers' types into
    /// schemas.
    fn response(
        &mut self,
        response: &mut Value,
        produces: &[String],
        converted: &str,
        original: &str,
    ) {
        let Some(response) = response.as_object_mut() else {
            return;
        };
        if response.contains_key("$ref") {
            return;
        }
        let content_at = join(converted, "content");
        let mut content = Map::new();
        if let Some(schema) = response.remove("schema") {
            for media_type in produces {
                content.insert(media_type.clone(), json!({ "schema": schema }));
                self.origins.add(
                    join(&join(&content_at, media_type), "schema"),
                    join(original, "schema"),
                );
            }
        }
        if let Some(Value::Object(examples)) = response.remove("examples") {
            for (media_type, example) in examples {
                self.origins.add(
                    join(&join(&content_at, &media_type), "example"),
                    join(&join(original, "examples"), &media_type),
                );
                let media = content.entry(media_type).or_insert_with(|| json!({}));
                if let Some(media) = media.as_object_mut() {
                    media.insert("example".to_string(), example);
                }
            }
        }
        if !content.is_empty() {
            response.insert("content".to_string(), Value::Object(content));
        }
        if let Some(Value::Object(headers)) = response.get_mut("headers") {
            for (name, header) in headers.iter_mut() {
                let Some(header) = header.as_object_mut() else {
                    continue;
                };
                let header_at = join(&join(original, "headers"), name);
                let format = header.remove("collectionFormat");
                if let Some(format) = format
                    .as_ref()
                    .and_then(Value::as_str)
                    .filter(|f| *f != "csv")
                {
                    self.warn(&join(&header_at, "collectionFormat"), format!("`collectionFormat: {format}` has no OpenAPI 3.0 form for a header; the values are read comma-separated"));
                }
                if let Some(schema) = self.schema_of(header, &header_at) {
                    header.insert("schema".to_string(), Value::Object(schema));
                }
                let converted = join(&join(converted, "headers"), name);
                self.origins.add(join(&converted, "schema"), header_at);
            }
        }
    }

    /// A security definition (at `at`) as a security scheme; `None`, with
    /// a warning, for a type Swagger 2.0 does not define.
    fn security_scheme(&mut self, definition: Value, at: &str) -> Option<Value> {
        let Value::Object(definition) = definition else {
            return Some(definition);
        };
        let mut scheme = Map::new();
        for (key, value) in &definition {
            if key == "description" || key.starts_with("x-") {
                scheme.insert(key.clone(), value.clone());
            }
        }
        let field = |key: &str| definition.get(key).cloned();
        match definition.get("type").and_then(Value::as_str) {
            Some("basic") => {
                scheme.insert("type".to_string(), json!("http"));
                scheme.insert("scheme".to_string(), json!("basic"));
            }
            Some("apiKey") => {
                scheme.insert("type".to_string(), json!("apiKey"));
                scheme.insert("name".to_string(), field("name").unwrap_or(json!("")));
                scheme.insert("in".to_string(), field("in").unwrap_or(json!("header")));
            }
            Some("oauth2") => {
                let flow_name = definition.get("flow").and_then(Value::as_str).unwrap_or("");
                let (flow, urls): (&str, &[&str]) = match flow_name {
                    "implicit" => ("implicit", &["authorizationUrl"]),
                    "password" => ("password", &["tokenUrl"]),
                    "application" => ("clientCredentials", &["tokenUrl"]),
                    "accessCode" => ("authorizationCode", &["authorizationUrl", "tokenUrl"]),
                    other => {
                        self.warn(&join(at, "flow"), format!("OAuth2 flow `{other}` is not a Swagger 2.0 flow; the scheme is read with no flows"));
                        ("", &[])
                    }
                };
                let mut flows = Map::new();
                if !flow.is_empty() {
                    let mut object = Map::new();
                    for url in urls {
                        object.insert(url.to_string(), field(url).unwrap_or(json!("")));
                    }
                    object.insert("scopes".to_string(), field("scopes").unwrap_or(json!({})));
                    flows.insert(flow.to_string(), Value::Object(object));
                }
                scheme.insert("type".to_string(), json!("oauth2"));
                scheme.insert("flows".to_string(), Value::Object(flows));
            }
            other => {
                let shown = other.unwrap_or("none");
                self.warn(&join(at, "type"), format!("security definition type `{shown}` is not one of basic, apiKey, oauth2; the scheme is left out"));
                return None;
            }
        }
        Some(Value::Object(scheme))
    }
}

/// The `in` of a parameter.
fn location(param: &Map<String, Value>) -> &str {
    param.get("in").and_then(Value::as_str).unwrap_or("")
}

/// The entries of a mapping section (`definitions`, ...), or none.
fn entries(section: Option<Value>) -> Map<String, Value> {
    match section {
        Some(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

/// The last walk, over the converted document (`pointer` is the node's):
/// local references follow their targets into `components`, and schemas
/// take their 3.0 forms of `x-nullable`, a string `discriminator` and
/// `type: file`. Literal data ([`super::is_literal`]) is left as written.
fn finish(node: &mut Value, pointer: &mut String) {
    let len = pointer.len();
    match node {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get_mut("$ref") {
                if let Some(local) = moved_reference(reference) {
                    *reference = local;
                }
            }
            schema_forms(map);
            let mut tokens = pointer.rsplit('/').map(str::to_string);
            let (parent, grandparent) = (tokens.next(), tokens.next());
            for (key, child) in map.iter_mut() {
                let literal = super::is_literal(key, parent.as_deref(), grandparent.as_deref());
                if !literal && matches!(child, Value::Object(_) | Value::Array(_)) {
                    push_token(pointer, key);
                    finish(child, pointer);
                    pointer.truncate(len);
                }
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter_mut().enumerate() {
                push_token(pointer, &index.to_string());
                finish(item, pointer);
                pointer.truncate(len);
            }
        }
        _ => {}
    }
}

/// Where a local reference into a Swagger 2.0 section points now.
fn moved_reference(reference: &str) -> Option<String> {
    [
        ("#/definitions/", "#/components/schemas/"),
        ("#/parameters/", "#/components/parameters/"),
        ("#/responses/", "#/components/responses/"),
    ]
    .iter()
    .find_map(|(from, to)| {
        reference
            .strip_prefix(from)
            .map(|rest| format!("{to}{rest}"))
    })
}

/// `x-nullable: true` as `nullable: true`, `discriminator: prop` as
/// `discriminator: {propertyName: prop}`, `type: file` as binary.
/// A nullable reference is an `allOf` of the one reference, since 3.0
/// reads nothing beside a `$ref`.
fn schema_forms(map: &mut Map<String, Value>) {
    if let Some(Value::Bool(nullable)) = map.get("x-nullable") {
        let nullable = *nullable;
        map.remove("x-nullable");
        if nullable {
            if let Some(reference) = map.remove("$ref") {
                map.insert("allOf".to_string(), json!([{ "$ref": reference }]));
            }
            map.insert("nullable".to_string(), Value::Bool(true));
        }
    }
    if let Some(Value::String(property)) = map.get("discriminator") {
        let discriminator = json!({ "propertyName": property });
        map.insert("discriminator".to_string(), discriminator);
    }
    if map.get("type").and_then(Value::as_str) == Some("file") {
        map.insert("type".to_string(), json!("string"));
        map.insert("format".to_string(), json!("binary"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `value` converted, with its warnings as `pointer: message`.
    fn converted(mut value: Value) -> (Value, Vec<String>, Origins) {
        let (warnings, origins) = convert(&mut value);
        let warnings = warnings
            .iter()
            .map(|w| format!("{}: {}", w.pointer.as_deref().unwrap_or("-"), w.message))
            .collect();
        (value, warnings, origins)
    }

    fn swagger(rest: Value) -> Value {
        let mut document =
            json!({"swagger": "2.0", "info": {"title": "T", "version": "1"}, "paths": {}});
        if let (Some(document), Value::Object(rest)) = (document.as_object_mut(), rest) {
            document.extend(rest);
        }
        document
    }

    #[test]
    fn shared_sections_move_into_components_and_references_follow() {
        let (value, warnings, _) = converted(swagger(json!({
            "definitions": {
                "Pet": {"type": "object", "properties": {"owner": {"$ref": "#/definitions/Owner"}},
                        "example": {"$ref": "#/definitions/Pet"}, "x-note": {"$ref": "#/definitions/X"}},
                "Owner": {"type": "string", "default": {"$ref": "#/definitions/D"}, "enum": [{"$ref": "#/responses/E"}]}
            },
            "parameters": {
                "limit": {"name": "limit", "in": "query", "type": "integer"},
                "pet": {"name": "pet", "in": "body", "schema": {"$ref": "#/definitions/Pet"}}
            },
            "responses": {"NotFound": {"description": "none", "schema": {"$ref": "#/definitions/Owner"}}},
            "paths": {"/pets": {"get": {
                "parameters": [{"$ref": "#/parameters/limit"}],
                "responses": {"404": {"$ref": "#/responses/NotFound"}}
            }}}
        })));
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(value["openapi"], "3.0.3");
        for gone in ["swagger", "definitions", "parameters", "responses"] {
            assert!(value.get(gone).is_none(), "{gone}");
        }
        let components = &value["components"];
        assert_eq!(
            components["schemas"]["Pet"]["properties"]["owner"]["$ref"],
            "#/components/schemas/Owner"
        );
        // Literal data keeps its `$ref`s as written.
        assert_eq!(
            components["schemas"]["Pet"]["example"]["$ref"],
            "#/definitions/Pet"
        );
        assert_eq!(
            components["schemas"]["Pet"]["x-note"]["$ref"],
            "#/definitions/X"
        );
        assert_eq!(
            components["schemas"]["Owner"]["default"]["$ref"],
            "#/definitions/D"
        );
        assert_eq!(
            components["schemas"]["Owner"]["enum"][0]["$ref"],
            "#/responses/E"
        );
        // The body parameter is put in place where it is used, not kept.
        assert_eq!(
            components["parameters"],
            json!({"limit": {"name": "limit", "in": "query", "schema": {"type": "integer"}}})
        );
        assert_eq!(
            components["responses"]["NotFound"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/Owner"
        );
        let get = &value["paths"]["/pets"]["get"];
        assert_eq!(
            get["parameters"][0]["$ref"],
            "#/components/parameters/limit"
        );
        assert_eq!(
            get["responses"]["404"]["$ref"],
            "#/components/responses/NotFound"
        );
    }

    #[test]
    fn security_definitions_become_security_schemes() {
        let (value, warnings, _) = converted(swagger(json!({"securityDefinitions": {
            "basic": {"type": "basic", "description": "d"},
            "key": {"type": "apiKey", "name": "X-Key", "in": "header"},
            "implicit": {"type": "oauth2", "flow": "implicit", "authorizationUrl": "https://a", "scopes": {"r": "read"}},
            "password": {"type": "oauth2", "flow": "password", "tokenUrl": "https://t", "scopes": {}},
            "application": {"type": "oauth2", "flow": "application", "tokenUrl": "https://t", "scopes": {}},
            "code": {"type": "oauth2", "flow": "accessCode", "authorizationUrl": "https://a", "tokenUrl": "https://t", "scopes": {}},
            "odd": {"type": "digest"}
        }})));
        let schemes = &value["components"]["securitySchemes"];
        assert_eq!(
            schemes["basic"],
            json!({"description": "d", "type": "http", "scheme": "basic"})
        );
        assert_eq!(
            schemes["key"],
            json!({"type": "apiKey", "name": "X-Key", "in": "header"})
        );
        assert_eq!(
            schemes["implicit"]["flows"],
            json!({"implicit": {"authorizationUrl": "https://a", "scopes": {"r": "read"}}})
        );
        assert_eq!(
            schemes["password"]["flows"]["password"]["tokenUrl"],
            "https://t"
        );
        assert_eq!(
            schemes["application"]["flows"]["clientCredentials"]["tokenUrl"],
            "https://t"
        );
        assert_eq!(
            schemes["code"]["flows"]["authorizationCode"],
            json!({"authorizationUrl": "https://a", "tokenUrl": "https://t", "scopes": {}})
        );
        assert!(schemes.get("odd").is_none());
        assert_eq!(
            warnings,
            ["#/securityDefinitions/odd/type: security definition type `digest` is not one of basic, apiKey, oauth2; the scheme is left out"]
        );
    }

    #[test]
    fn host_base_path_and_schemes_become_one_server() {
        let server = |rest: Value| converted(swagger(rest)).0.get("servers").cloned();
        assert_eq!(
            server(
                json!({"host": "api.example.com", "basePath": "/v1", "schemes": ["http", "https"]})
            ),
            Some(json!([{"url": "https://api.example.com/v1"}]))
        );
        assert_eq!(
            server(json!({"host": "api.example.com", "schemes": ["http"]})),
            Some(json!([{"url": "http://api.example.com"}]))
        );
        assert_eq!(
            server(json!({"basePath": "/api"})),
            Some(json!([{"url": "/api"}]))
        );
        assert_eq!(server(json!({})), None);
    }

    #[test]
    fn a_body_parameter_is_the_request_body_for_each_media_type_consumed() {
        let (value, warnings, origins) = converted(swagger(json!({
            "consumes": ["application/json", "application/xml"],
            "parameters": {"shared": {"name": "pet", "in": "body", "required": true, "schema": {"type": "object"}}},
            "paths": {
                "/a": {
                    "parameters": [{"name": "pet", "in": "body", "schema": {"type": "string"}, "description": "d"}],
                    "put": {"responses": {}},
                    "post": {"consumes": ["text/plain"], "responses": {}}
                },
                "/b": {"post": {
                    "parameters": [{"name": "id", "in": "query", "type": "string"}, {"$ref": "#/parameters/shared"}],
                    "responses": {}
                }}
            }
        })));
        assert!(warnings.is_empty(), "{warnings:?}");
        let paths = &value["paths"];
        assert!(paths["/a"].get("parameters").is_none());
        assert_eq!(
            paths["/a"]["put"]["requestBody"],
            json!({"description": "d", "content": {
                "application/json": {"schema": {"type": "string"}},
                "application/xml": {"schema": {"type": "string"}}
            }})
        );
        assert_eq!(
            paths["/a"]["post"]["requestBody"]["content"],
            json!({"text/plain": {"schema": {"type": "string"}}})
        );
        let b = &paths["/b"]["post"];
        assert_eq!(b["requestBody"]["required"], true);
        assert_eq!(b["parameters"].as_array().map(Vec::len), Some(1));
        // The body's schema is where the shared parameter writes it; the
        // request body is where the operation lists it.
        assert_eq!(
            origins.original("#/paths/~1b/post/requestBody/content/application~1xml/schema/type"),
            "#/parameters/shared/schema/type"
        );
        assert_eq!(
            origins.original("#/paths/~1b/post/requestBody"),
            "#/paths/~1b/post/parameters/1"
        );
        assert_eq!(
            origins.original("#/paths/~1a/post/requestBody/content/text~1plain/schema"),
            "#/paths/~1a/parameters/0/schema"
        );
    }

    #[test]
    fn form_data_parameters_are_an_object_sent_as_a_form() {
        let (value, warnings, origins) = converted(swagger(json!({"paths": {
            "/form": {"post": {"parameters": [
                {"name": "name", "in": "formData", "type": "string", "required": true, "description": "who"},
                {"name": "tags", "in": "formData", "type": "array", "items": {"type": "string"}},
                {"name": "ids", "in": "formData", "type": "array", "items": {"type": "integer"}, "collectionFormat": "multi"}
            ], "responses": {}}},
            "/upload": {"post": {"parameters": [
                {"name": "file", "in": "formData", "type": "file", "required": true},
                {"name": "note", "in": "formData", "type": "string", "allowEmptyValue": true}
            ], "responses": {}}}
        }})));
        let form = &value["paths"]["/form"]["post"]["requestBody"];
        assert_eq!(
            form,
            &json!({"required": true, "content": {"application/x-www-form-urlencoded": {
                "schema": {"type": "object", "properties": {
                    "name": {"type": "string", "description": "who"},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "ids": {"type": "array", "items": {"type": "integer"}}
                }, "required": ["name"]},
                "encoding": {"tags": {"style": "form", "explode": false}, "ids": {"style": "form", "explode": true}}
            }}})
        );
        let upload =
            &value["paths"]["/upload"]["post"]["requestBody"]["content"]["multipart/form-data"];
        assert_eq!(
            upload["schema"]["properties"]["file"],
            json!({"type": "string", "format": "binary"})
        );
        assert_eq!(
            warnings,
            ["#/paths/~1upload/post/parameters/1/allowEmptyValue: `allowEmptyValue` of a formData parameter has no OpenAPI 3.0 form; it is left out"]
        );
        assert_eq!(
            origins.original("#/paths/~1form/post/requestBody/content/application~1x-www-form-urlencoded/schema/properties/tags/items"),
            "#/paths/~1form/post/parameters/1/items"
        );
    }

    #[test]
    fn parameters_types_move_into_a_schema_and_collection_formats_into_styles() {
        let param = |extra: Value| {
            let mut param = json!({"name": "p", "type": "array", "items": {"type": "string"}});
            if let (Some(param), Value::Object(extra)) = (param.as_object_mut(), extra) {
                param.extend(extra);
            }
            param
        };
        let (value, warnings, origins) = converted(swagger(json!({"paths": {"/a/{p}": {"get": {
            "parameters": [
                {"name": "body", "in": "body", "schema": {}},
                param(json!({"in": "query"})),
                param(json!({"in": "query", "collectionFormat": "multi"})),
                param(json!({"in": "query", "collectionFormat": "ssv"})),
                param(json!({"in": "query", "collectionFormat": "pipes"})),
                param(json!({"in": "query", "collectionFormat": "tsv"})),
                param(json!({"in": "path", "required": true, "collectionFormat": "csv"})),
                param(json!({"in": "header", "collectionFormat": "multi"})),
                {"name": "n", "in": "query", "type": "integer", "format": "int32", "minimum": 1, "default": 5,
                 "enum": [1, 5], "allowEmptyValue": true, "description": "d", "x-nullable": true}
            ],
            "responses": {}
        }}}})));
        let params = &value["paths"]["/a/{p}"]["get"]["parameters"];
        let styles: Vec<(Value, Value)> = (0..7)
            .map(|i| (params[i]["style"].clone(), params[i]["explode"].clone()))
            .collect();
        assert_eq!(
            styles,
            [
                (json!("form"), json!(false)),
                (json!("form"), json!(true)),
                (json!("spaceDelimited"), json!(false)),
                (json!("pipeDelimited"), json!(false)),
                (json!("form"), json!(false)),
                (Value::Null, Value::Null),
                (Value::Null, Value::Null),
            ]
        );
        assert_eq!(
            params[0]["schema"],
            json!({"type": "array", "items": {"type": "string"}})
        );
        assert_eq!(
            params[7],
            json!({"name": "n", "in": "query", "allowEmptyValue": true, "description": "d", "schema": {
                "type": "integer", "format": "int32", "default": 5, "minimum": 1, "enum": [1, 5], "nullable": true
            }})
        );
        assert_eq!(
            warnings,
            [
                "#/paths/~1a~1{p}/get/parameters/5/collectionFormat: `collectionFormat: tsv` has no OpenAPI 3.0 form for a query parameter; the values are sent comma-separated",
                "#/paths/~1a~1{p}/get/parameters/7/collectionFormat: `collectionFormat: multi` has no OpenAPI 3.0 form for a header parameter; the values are sent comma-separated",
            ]
        );
        // The body parameter left the list: the others moved up one.
        assert_eq!(
            origins.original("#/paths/~1a~1{p}/get/parameters/7/schema/minimum"),
            "#/paths/~1a~1{p}/get/parameters/8/minimum"
        );
        assert_eq!(
            origins.original("#/paths/~1a~1{p}/get/parameters/0/name"),
            "#/paths/~1a~1{p}/get/parameters/1/name"
        );
    }

    #[test]
    fn responses_have_content_for_each_media_type_produced() {
        let (value, warnings, origins) = converted(swagger(json!({
            "produces": ["application/json", "text/csv"],
            "paths": {"/a": {"get": {
                "produces": ["application/octet-stream"],
                "responses": {"200": {"description": "file", "schema": {"type": "file"}}}
            }, "post": {"responses": {
                "201": {
                    "description": "made",
                    "schema": {"type": "string"},
                    "headers": {"X-Rate": {"type": "integer", "description": "left"},
                                "X-Tags": {"type": "array", "items": {"type": "string"}, "collectionFormat": "pipes"}},
                    "examples": {"application/json": {"$ref": "#/definitions/NotARef"}}
                },
                "204": {"description": "none"}
            }}}}
        })));
        let get = &value["paths"]["/a"]["get"]["responses"]["200"];
        assert_eq!(
            get["content"],
            json!({"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}})
        );
        let created = &value["paths"]["/a"]["post"]["responses"]["201"];
        assert_eq!(
            created["content"],
            json!({
                "application/json": {"schema": {"type": "string"}, "example": {"$ref": "#/definitions/NotARef"}},
                "text/csv": {"schema": {"type": "string"}}
            })
        );
        assert_eq!(
            created["headers"]["X-Rate"],
            json!({"description": "left", "schema": {"type": "integer"}})
        );
        assert!(value["paths"]["/a"]["post"]["responses"]["204"]
            .get("content")
            .is_none());
        assert_eq!(
            warnings,
            ["#/paths/~1a/post/responses/201/headers/X-Tags/collectionFormat: `collectionFormat: pipes` has no OpenAPI 3.0 form for a header; the values are read comma-separated"]
        );
        assert_eq!(
            origins.original("#/paths/~1a/post/responses/201/content/text~1csv/schema"),
            "#/paths/~1a/post/responses/201/schema"
        );
        assert_eq!(
            origins.original("#/paths/~1a/post/responses/201/headers/X-Rate/schema/type"),
            "#/paths/~1a/post/responses/201/headers/X-Rate/type"
        );
    }

    #[test]
    fn schemas_take_their_3_0_forms() {
        let (value, warnings, _) = converted(swagger(json!({"definitions": {
            "Pet": {"type": "object", "discriminator": "kind", "required": ["kind"], "properties": {
                "kind": {"type": "string"},
                "photo": {"type": "file"},
                "nick": {"type": "string", "x-nullable": true},
                "age": {"type": "integer", "x-nullable": false},
                "owner": {"$ref": "#/definitions/Owner", "x-nullable": true},
                "discriminator": {"type": "string"}
            }},
            "Owner": {"type": "string"}
        }})));
        assert!(warnings.is_empty(), "{warnings:?}");
        let pet = &value["components"]["schemas"]["Pet"];
        assert_eq!(pet["discriminator"], json!({"propertyName": "kind"}));
        let properties = &pet["properties"];
        assert_eq!(
            properties["photo"],
            json!({"type": "string", "format": "binary"})
        );
        assert_eq!(
            properties["nick"],
            json!({"type": "string", "nullable": true})
        );
        assert_eq!(properties["age"], json!({"type": "integer"}));
        assert_eq!(
            properties["owner"],
            json!({"allOf": [{"$ref": "#/components/schemas/Owner"}], "nullable": true})
        );
        assert_eq!(properties["discriminator"], json!({"type": "string"}));
    }

    #[test]
    fn the_longest_remapped_prefix_wins() {
        let mut origins = Origins::default();
        origins.add(
            "#/components/schemas/Pet".into(),
            "#/definitions/Pet".into(),
        );
        origins.add(
            "#/paths/~1a/get/parameters/0".into(),
            "#/paths/~1a/get/parameters/1".into(),
        );
        origins.add(
            "#/paths/~1a/get/parameters/0/schema".into(),
            "#/paths/~1a/get/parameters/1".into(),
        );
        assert_eq!(
            origins.original("#/components/schemas/Pet/properties/x"),
            "#/definitions/Pet/properties/x"
        );
        assert_eq!(
            origins.original("#/components/schemas/Pets"),
            "#/components/schemas/Pets"
        );
        assert_eq!(
            origins.original("#/paths/~1a/get/parameters/0/schema/maximum"),
            "#/paths/~1a/get/parameters/1/maximum"
        );
        assert_eq!(
            origins.original("#/paths/~1a/get/parameters/0/name"),
            "#/paths/~1a/get/parameters/1/name"
        );
        assert_eq!(origins.original("#/info"), "#/info");
        assert_eq!(Origins::default().original("#/a/b"), "#/a/b");
    }
}
