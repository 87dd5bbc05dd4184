//! An operation's parameters: the path item's and its own (its own win),
//! `$ref`s resolved, each lowered to a [`Parameter`], or to a constant
//! header when it is a required header with a single allowed value.

use std::collections::BTreeMap;

use openapiv3 as oa;

use super::naming::{self, Namespace};
use super::operations::{OperationScope, OperationSite};
use super::refs::pointer_parent;
use super::Lowerer;
use crate::diag::join;
use crate::model::*;

/// The parameters of one operation, lowered, in declaration order.
#[derive(Default)]
pub(super) struct Parameters {
    /// Path parameters; the path template orders them.
    pub(super) path: Vec<Parameter>,
    /// Query, header and cookie parameters, required ones first.
    pub(super) others: Vec<Parameter>,
    /// Indexes into the API's constant headers.
    pub(super) constant_headers: Vec<usize>,
}

/// What one declared parameter becomes.
enum Lowered {
    Parameter(Parameter),
    /// An object in the query, sent as one parameter per property.
    Exploded(Vec<Parameter>),
    /// An index into the API's constant headers.
    ConstantHeader(usize),
}

impl<'a> Lowerer<'a> {
    /// The operation's parameters; their argument names are claimed in
    /// `arg_names`.
    pub(super) fn parameters(
        &mut self,
        site: &OperationSite<'a>,
        scope: &mut OperationScope,
        arg_names: &mut Namespace,
    ) -> Parameters {
        let mut lowered = Parameters::default();
        for (pointer, param) in self.declared_parameters(site) {
            match self.parameter(&pointer, param, &site.type_base, scope, arg_names) {
                Some(Lowered::ConstantHeader(index)) => lowered.constant_headers.push(index),
                Some(Lowered::Parameter(p)) if p.location == ParamLocation::Path => {
                    lowered.path.push(p)
                }
                Some(Lowered::Parameter(p)) => lowered.others.push(p),
                Some(Lowered::Exploded(properties)) => lowered.others.extend(properties),
                None => {}
            }
        }
        lowered.others.sort_by_key(|p| !p.required);
        lowered
    }

    /// The parameters that apply to the operation, resolved, with the JSON
    /// pointers of their definitions: the path item's, then the
    /// operation's. An operation parameter overrides a path-item one with
    /// the same name and location, in the place of the first.
    fn declared_parameters(
        &mut self,
        site: &OperationSite<'a>,
    ) -> Vec<(String, &'a oa::Parameter)> {
        let item_pointer = pointer_parent(&site.pointer);
        let listed = |pointer: &str, list: &'a [oa::ReferenceOr<oa::Parameter>]| {
            let list_pointer = join(pointer, "parameters");
            list.iter()
                .enumerate()
                .map(move |(i, p)| (join(&list_pointer, &i.to_string()), p))
        };
        let declared = listed(&item_pointer, &site.item.parameters)
            .chain(listed(&site.pointer, &site.op.parameters));
        let mut by_key: BTreeMap<(ParamLocation, String), (String, &'a oa::Parameter)> =
            BTreeMap::new();
        let mut order = Vec::new();
        for (pointer, p) in declared {
            let Some((pointer, param)) = self.resolve_parameter(p, &pointer) else {
                continue;
            };
            let key = (location(param), param.parameter_data_ref().name.clone());
            if by_key.insert(key.clone(), (pointer, param)).is_none() {
                order.push(key);
            }
        }
        order
            .into_iter()
            .filter_map(|key| by_key.remove(&key))
            .collect()
    }

    /// One parameter, defined at `pointer`; `None` when it is left out
    /// (with an error, or because OpenAPI says to ignore it).
    fn parameter(
        &mut self,
        pointer: &str,
        param: &'a oa::Parameter,
        type_base: &str,
        scope: &mut OperationScope,
        arg_names: &mut Namespace,
    ) -> Option<Lowered> {
        let data = param.parameter_data_ref();
        let location = location(param);
        let schema = match &data.format {
            oa::ParameterSchemaOrContent::Schema(s) => Some(s),
            oa::ParameterSchemaOrContent::Content(_) => None,
        };
        if matches!(location, ParamLocation::Header | ParamLocation::Cookie)
            && !is_token(&data.name)
        {
            let what = if location == ParamLocation::Header {
                "an HTTP header"
            } else {
                "a cookie"
            };
            self.warn_help(
                &join(pointer, "name"),
                format!(
                    "`{}` is not a valid name for {what}; the parameter is left out",
                    data.name
                ),
                "names are letters, digits and ``!#$%&'*+-.^_`|~``; fix the name in the spec",
            );
            return None;
        }
        if location == ParamLocation::Header {
            let header = data.name.to_ascii_lowercase();
            if matches!(header.as_str(), "authorization" | "content-type" | "accept") {
                // OpenAPI says these header parameters are ignored.
                return None;
            }
            if let Some(index) =
                schema.and_then(|schema| self.constant_header(data, schema, pointer, scope))
            {
                return Some(Lowered::ConstantHeader(index));
            }
        }
        let ty = match schema {
            Some(schema) => {
                let hint = format!("{type_base} {}", data.name);
                let ty = self.type_ref(schema, &join(pointer, "schema"), &hint);
                if let oa::Parameter::Query { style, .. } = param {
                    if let Some(properties) = self.exploded(&ty, data, style, arg_names) {
                        // A struct made for this parameter alone is not needed.
                        if let (oa::ReferenceOr::Item(_), TypeRef::Named(id)) = (schema, &ty) {
                            self.types.remove(id);
                            self.examples.retain(|e| e.ty != ty);
                        }
                        return Some(Lowered::Exploded(properties));
                    }
                }
                self.sendable(ty, data, location, pointer)
            }
            None => {
                self.warn_help(
                    pointer,
                    format!(
                        "parameter `{}` is described by `content`; it is passed as a string",
                        data.name
                    ),
                    "the app serializes the value as the content type says",
                );
                TypeRef::String
            }
        };
        if location == ParamLocation::Path && !data.required {
            self.warn(
                pointer,
                format!(
                    "path parameter `{}` is not marked `required: true`; it is treated as required",
                    data.name
                ),
            );
        }
        let style = self.array_style(param);
        Some(Lowered::Parameter(Parameter {
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
        }))
    }

    /// A required header whose schema allows one string: the index of its
    /// constant header, added to the scope's unless the same name and
    /// value are there already.
    fn constant_header(
        &mut self,
        data: &'a oa::ParameterData,
        schema: &'a oa::ReferenceOr<oa::Schema>,
        pointer: &str,
        scope: &mut OperationScope,
    ) -> Option<usize> {
        let value = self.single_string_enum(schema, &join(pointer, "schema"))?;
        if !data.required {
            return None;
        }
        if !is_header_value(&value) {
            self.warn_help(
                &join(pointer, "schema"),
                format!("the only value of header `{}`, {value:?}, cannot be sent in an HTTP header; the header is an argument of the operation instead of a constant", data.name),
                "header values are visible ASCII characters, spaces and tabs",
            );
            return None;
        }
        let headers = &mut scope.constant_headers;
        if let Some(index) = headers
            .iter()
            .position(|h| h.name == data.name && h.value == value)
        {
            return Some(index);
        }
        headers.push(ConstantHeader {
            name: data.name.clone(),
            value,
            const_name: scope.header_consts.claim(&naming::const_name(&data.name)),
            description: data.description.clone(),
        });
        Some(headers.len() - 1)
    }

    /// How an array parameter is written: from a query parameter's `style`
    /// and `explode`; other parameters repeat.
    fn array_style(&self, param: &oa::Parameter) -> ArrayStyle {
        let oa::Parameter::Query {
            style,
            parameter_data: data,
            ..
        } = param
        else {
            return ArrayStyle::Repeat;
        };
        match (style, data.explode) {
            (oa::QueryStyle::Form, None | Some(true)) => ArrayStyle::Repeat,
            (oa::QueryStyle::Form, Some(false)) => ArrayStyle::Comma,
            (oa::QueryStyle::SpaceDelimited, _) => ArrayStyle::Space,
            (oa::QueryStyle::PipeDelimited, _) => ArrayStyle::Pipe,
            (oa::QueryStyle::DeepObject, _) => {
                // An object with this style is exploded (`exploded`); any
                // other value is sent as form pairs.
                ArrayStyle::Repeat
            }
        }
    }
}

impl Lowerer<'_> {
    /// A query parameter whose value is an object of text properties, as
    /// `form` (exploded, the default) or `deepObject` style writes it: one
    /// parameter per property, named `prop` or `name[prop]`. Each is
    /// optional unless the object is required and so is the property.
    /// `None` for any other value or style.
    fn exploded(
        &mut self,
        ty: &TypeRef,
        data: &oa::ParameterData,
        style: &oa::QueryStyle,
        arg_names: &mut Namespace,
    ) -> Option<Vec<Parameter>> {
        let deep = match (style, data.explode) {
            (oa::QueryStyle::Form, None | Some(true)) => false,
            (oa::QueryStyle::DeepObject, _) => true,
            _ => return None,
        };
        let TypeRef::Named(id) = ty else { return None };
        let TypeKind::Struct(object) = &self.types.get(id)?.kind else {
            return None;
        };
        let sendable = |lowerer: &Self, field: &Field| match &field.ty {
            TypeRef::Vec(item) => !deep && lowerer.is_text(item, 0),
            other => lowerer.is_text(other, 0),
        };
        let fields = object.fields.clone();
        if fields.is_empty() || fields.iter().any(|f| f.flatten || !sendable(self, f)) {
            return None;
        }
        let parameters = fields
            .into_iter()
            .map(|field| {
                let wire_name = if deep {
                    format!("{}[{}]", data.name, field.wire_name)
                } else {
                    field.wire_name.clone()
                };
                let required = data.required && field.is_mandatory();
                Parameter {
                    name: arg_names.claim(&self.cases.snake_name(&wire_name)),
                    wire_name,
                    location: ParamLocation::Query,
                    docs: field.docs.or_else(|| data.description.clone()),
                    required,
                    ty: field.ty,
                    style: ArrayStyle::Repeat,
                    example: None,
                }
            })
            .collect();
        Some(parameters)
    }
}

fn location(param: &oa::Parameter) -> ParamLocation {
    match param {
        oa::Parameter::Path { .. } => ParamLocation::Path,
        oa::Parameter::Query { .. } => ParamLocation::Query,
        oa::Parameter::Header { .. } => ParamLocation::Header,
        oa::Parameter::Cookie { .. } => ParamLocation::Cookie,
    }
}

/// Whether `name` is an HTTP token (RFC 9110), as header and cookie names
/// must be: the generated code sends it as it is.
pub(super) fn is_token(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Whether `value` can be sent as a header value written in the generated
/// code: visible ASCII, spaces and tabs.
pub(super) fn is_header_value(value: &str) -> bool {
    value
        .bytes()
        .all(|b| b == b'\t' || (b' '..=b'~').contains(&b))
}

/// Whether a parameter of this type is one value (not a list or a map).
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
    )
}

impl Lowerer<'_> {
    /// `ty`, if the client can write its values as the text of a URL or a
    /// header: scalars and string enums (and, in a query, arrays of them).
    /// Anything else (an object, a union, a map) would not compile as a
    /// parameter: it becomes a string the app formats, with a warning, so
    /// that the operation is still there.
    fn sendable(
        &mut self,
        ty: TypeRef,
        data: &oa::ParameterData,
        location: ParamLocation,
        pointer: &str,
    ) -> TypeRef {
        let sendable = match &ty {
            TypeRef::Vec(item) => location == ParamLocation::Query && self.is_text(item, 0),
            other => self.is_text(other, 0),
        };
        if sendable {
            return ty;
        }
        self.warn_help(
            pointer,
            format!(
                "parameter `{}` is not a string, number, boolean or string enum{}; it is passed as a string",
                data.name,
                if location == ParamLocation::Query { ", or an array of them" } else { "" },
            ),
            "the app formats the value as the API expects it",
        );
        TypeRef::String
    }

    /// Whether values of `ty` are written as text: scalars, string enums,
    /// and aliases of them (`depth` bounds a chain of aliases).
    fn is_text(&self, ty: &TypeRef, depth: usize) -> bool {
        match ty {
            TypeRef::Named(id) if depth < super::MAX_REF_DEPTH => {
                match self.types.get(id).map(|t| &t.kind) {
                    Some(TypeKind::StringEnum(_)) => true,
                    Some(TypeKind::Alias(inner)) => self.is_text(inner, depth + 1),
                    _ => false,
                }
            }
            other => is_scalar(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::model::TypeRef;

    #[test]
    fn a_required_header_with_one_value_is_a_constant_header_shared_by_operations() {
        let version = "{name: Version, in: header, required: true, schema: {type: string, enum: ['2021-07-28']}}";
        let optional = "{name: Trace, in: header, schema: {type: string, enum: [on]}}";
        let spec = format!(
            "{HEADER}paths:
  /a: {{get: {{parameters: [{version}, {optional}], responses: {{'204': {{description: ok}}}}}}}}
  /b: {{get: {{parameters: [{version}], responses: {{'204': {{description: ok}}}}}}}}
"
        );
        let (api, _) = lowered(&spec);
        let headers: Vec<(&str, &str, &str)> = api
            .constant_headers
            .iter()
            .map(|h| (h.name.as_str(), h.value.as_str(), h.const_name.as_str()))
            .collect();
        assert_eq!(headers, [("Version", "2021-07-28", "VERSION")]);
        for name in ["get_a", "get_b"] {
            assert_eq!(operation_named(&api, name).constant_headers, [0]);
        }
        // Optional, it stays an argument.
        let params: Vec<&str> = operation_named(&api, "get_a")
            .params
            .iter()
            .map(|p| p.wire_name.as_str())
            .collect();
        assert_eq!(params, ["Trace"]);
    }

    /// Names and constant values the generated code would write into
    /// headers as they are must be valid there: otherwise a warning at the
    /// name, and the parameter is left out (a name) or is an argument
    /// (a constant value); the rest of the operation stays.
    #[test]
    fn header_and_cookie_names_and_constants_that_are_not_valid_headers_are_warnings() {
        let spec = format!(
            "{HEADER}paths:
  /a:
    post:
      operationId: postA
      parameters:
        - {{name: 'X Trace', in: header, schema: {{type: string}}}}
        - {{name: 'Accept-Version', in: header, required: true, schema: {{type: string, enum: [\"v1\\nX: y\"]}}}}
        - {{name: 'session id', in: cookie, schema: {{type: string}}}}
        - {{name: 'Fine', in: header, required: true, schema: {{type: string, enum: [v2]}}}}
        - {{name: 'é', in: header, schema: {{type: string}}}}
      requestBody:
        content: {{\"text/plain; charset=\\u00e9\": {{schema: {{type: string}}}}}}
      responses: {{'204': {{description: ok}}}}
"
        );
        let (api, warnings) = lowered(&spec);
        let op = operation_named(&api, "post_a");
        let params: Vec<&str> = op.params.iter().map(|p| p.wire_name.as_str()).collect();
        assert_eq!(params, ["Accept-Version"]);
        let constants: Vec<&str> = api
            .constant_headers
            .iter()
            .map(|h| h.name.as_str())
            .collect();
        assert_eq!(constants, ["Fine"]);
        assert_eq!(
            op.body.as_ref().map(|b| b.content_type.as_str()),
            Some("text/plain")
        );
        assert_eq!(
            located(&warnings),
            [
                "#/paths/~1a/post/parameters/0/name: `X Trace` is not a valid name for an HTTP header; the parameter is left out",
                "#/paths/~1a/post/parameters/1/schema: the only value of header `Accept-Version`, \"v1\\nX: y\", cannot be sent in an HTTP header; the header is an argument of the operation instead of a constant",
                "#/paths/~1a/post/parameters/2/name: `session id` is not a valid name for a cookie; the parameter is left out",
                "#/paths/~1a/post/parameters/4/name: `é` is not a valid name for an HTTP header; the parameter is left out",
                "#/paths/~1a/post/requestBody/content/text~1plain; charset=é: the media type \"text/plain; charset=é\" cannot be sent in a `Content-Type` header; `text/plain` is sent instead",
            ]
        );
        // Under --strict, a warning fails generation.
        assert!(warnings
            .iter()
            .all(|w| w.severity == crate::diag::Severity::Warning));
    }

    /// A parameter the client cannot write as text (an object it cannot
    /// explode, a union, an array outside a query, a `content` parameter)
    /// is a string the app formats, with a warning: the operation stays.
    #[test]
    fn a_parameter_that_is_not_text_is_a_string_with_a_warning() {
        let spec = format!(
            "{HEADER}paths:
  /things/{{name_or_id}}:
    get:
      operationId: getThing
      parameters:
        - {{name: name_or_id, in: path, required: true, schema: {{oneOf: [{{type: string}}, {{type: integer}}]}}}}
        - {{name: filter, in: query, schema: {{type: object, properties: {{a: {{type: object, properties: {{b: {{type: string}}}}}}}}}}}}
        - {{name: filters, in: query, schema: {{type: array, items: {{type: object, properties: {{a: {{type: string}}}}}}}}}}
        - {{name: tags, in: header, schema: {{type: array, items: {{type: string}}}}}}
        - {{name: sort, in: query, content: {{application/json: {{schema: {{type: object}}}}}}}}
        - {{name: kind, in: query, schema: {{$ref: '#/components/schemas/Kind'}}}}
        - {{name: ids, in: query, schema: {{type: array, items: {{$ref: '#/components/schemas/Kind'}}}}}}
      responses: {{'204': {{description: ok}}}}
components:
  schemas:
    Kind: {{type: string, enum: [a, b]}}
"
        );
        let (api, warnings) = lowered(&spec);
        let op = operation_named(&api, "get_thing");
        let types: Vec<(&str, bool)> = op
            .params
            .iter()
            .map(|p| (p.wire_name.as_str(), p.ty == TypeRef::String))
            .collect();
        assert_eq!(
            types,
            [
                ("name_or_id", true),
                ("filter", true),
                ("filters", true),
                ("tags", true),
                ("sort", true),
                ("kind", false),
                ("ids", false),
            ]
        );
        let messages: Vec<&str> = warnings.iter().map(|w| w.message.as_str()).collect();
        assert_eq!(messages.len(), 5, "{messages:?}");
        assert!(
            messages
                .iter()
                .all(|m| m.ends_with("it is passed as a string")),
            "{messages:?}"
        );
    }

    /// A query object of text properties is one parameter per property:
    /// named as the property (form, exploded) or `name[property]`
    /// (deepObject); required when the object and the property are. Not
    /// exploded (`explode: false`), it stays one string.
    #[test]
    fn a_query_object_is_one_parameter_per_property() {
        let spec = format!(
            "{HEADER}paths:
  /things:
    get:
      operationId: getThings
      parameters:
        - {{name: window, in: query, required: true, schema: {{type: object, required: [from], properties: {{from: {{type: string}}, to: {{type: string}}, days: {{type: array, items: {{type: integer}}}}}}}}}}
        - {{name: filter, in: query, style: deepObject, schema: {{type: object, properties: {{kind: {{type: string}}}}}}}}
        - {{name: packed, in: query, explode: false, schema: {{type: object, properties: {{a: {{type: string}}}}}}}}
      responses: {{'204': {{description: ok}}}}
"
        );
        let (api, warnings) = lowered(&spec);
        let params: Vec<(&str, &str, bool)> = operation_named(&api, "get_things")
            .params
            .iter()
            .map(|p| (p.name.as_str(), p.wire_name.as_str(), p.required))
            .collect();
        assert_eq!(
            params,
            [
                ("from", "from", true),
                ("to", "to", false),
                ("days", "days", false),
                ("filter_kind", "filter[kind]", false),
                ("packed", "packed", false),
            ]
        );
        let messages: Vec<&str> = warnings.iter().map(|w| w.message.as_str()).collect();
        assert_eq!(messages.len(), 1, "{messages:?}");
        assert!(
            messages[0].starts_with("parameter `packed` is not"),
            "{messages:?}"
        );
    }
}
