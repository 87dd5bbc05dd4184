//! Comparing two models: every change, classified for the generated Rust
//! API (see the module above for the rules).

use std::collections::BTreeMap;

use super::{Change, Impact, Kind, Scope};
use crate::model::{
    AdditionalProperties, Api, BodyKind, Field, MediaKind, Operation, ParamLocation, Parameter,
    Payload, StatusCase, Struct, Success, TypeDef, TypeKind, TypeRef, Union,
};

/// Every change from `old` to `new`, in the order [`super::Report`] documents.
pub fn changes(old: &Api, new: &Api) -> Vec<Change> {
    // A type counts as built (or read) if it is on either side.
    let mut merged = roles(old);
    for (name, role) in roles(new) {
        let entry = merged.entry(name).or_default();
        entry.input |= role.input;
        entry.output |= role.output;
    }
    let mut differ = Differ {
        old,
        new,
        roles: merged,
        out: Vec::new(),
    };
    differ.api();
    differ.operations();
    differ.webhooks();
    differ.types();
    let mut out = differ.out;
    // Kinds sort by name (their CamelCase order is their snake_case order),
    // so that new kinds never reorder existing output.
    let key = |c: &Change| {
        (
            c.scope,
            c.name.clone(),
            c.member.clone(),
            format!("{:?}", c.kind),
            c.old.clone(),
            c.new.clone(),
        )
    };
    out.sort_by_key(key);
    out.dedup();
    out
}

/// How apps use a type: built for requests, read from responses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Role {
    input: bool,
    output: bool,
}

/// The role of every named type, by Rust name. Types no operation reaches
/// get both roles: nothing says how apps use them.
fn roles(api: &Api) -> BTreeMap<String, Role> {
    let mut by_id: BTreeMap<crate::model::TypeId, Role> = BTreeMap::new();
    let mut work: Vec<(&TypeRef, bool)> = Vec::new();
    for op in &api.operations {
        work.extend(op.params.iter().map(|p| (&p.ty, true)));
        work.extend(op.body.iter().map(|b| (&b.ty, true)));
        work.extend(
            op.errors
                .iter()
                .filter_map(|e| e.ty.as_ref())
                .map(|ty| (ty, false)),
        );
        match &op.success {
            Success::Empty => {}
            Success::One(payload) => work.push((&payload.ty, false)),
            Success::ByStatus { cases, .. } => {
                work.extend(
                    cases
                        .iter()
                        .filter_map(|c| c.payload.as_ref().map(|p| (&p.ty, false))),
                );
            }
        }
    }
    while let Some((ty, input)) = work.pop() {
        match ty {
            TypeRef::Vec(inner) | TypeRef::Map(inner) | TypeRef::Boxed(inner) => {
                work.push((inner, input));
            }
            TypeRef::Named(id) => {
                let role = by_id.entry(*id).or_default();
                let seen = if input { role.input } else { role.output };
                if seen {
                    continue;
                }
                if input {
                    role.input = true;
                } else {
                    role.output = true;
                }
                let Some(def) = api.types.get(*id) else {
                    continue;
                };
                match &def.kind {
                    TypeKind::Struct(s) => {
                        work.extend(s.fields.iter().map(|f| (&f.ty, input)));
                        work.extend(s.additional.iter().map(|a| (&a.ty, input)));
                    }
                    TypeKind::StringEnum(_) => {}
                    TypeKind::Exclusive(x) => {
                        work.extend(x.variants.iter().map(|v| (&v.ty, input)));
                    }
                    TypeKind::Union(u) => work.extend(u.variants.iter().map(|v| (&v.ty, input))),
                    TypeKind::Alias(target) => work.push((target, input)),
                }
            }
            _ => {}
        }
    }
    api.types
        .types
        .iter()
        .map(|(id, def)| {
            let role = by_id.get(id).copied().unwrap_or(Role {
                input: true,
                output: true,
            });
            (def.name.clone(), role)
        })
        .collect()
}

/// A type as Rust spells it in the generated code (short paths).
fn rust_type(api: &Api, ty: &TypeRef) -> String {
    match ty {
        TypeRef::String => "String".to_string(),
        TypeRef::Bool => "bool".to_string(),
        TypeRef::I32 => "i32".to_string(),
        TypeRef::I64 => "i64".to_string(),
        TypeRef::F32 => "f32".to_string(),
        TypeRef::F64 => "f64".to_string(),
        TypeRef::DateTime => "DateTime<FixedOffset>".to_string(),
        TypeRef::Date => "NaiveDate".to_string(),
        TypeRef::Bytes => "Vec<u8>".to_string(),
        TypeRef::Json => "serde_json::Value".to_string(),
        TypeRef::Named(id) => api
            .types
            .get(*id)
            .map_or_else(|| "serde_json::Value".to_string(), |d| d.name.clone()),
        TypeRef::Vec(inner) => format!("Vec<{}>", rust_type(api, inner)),
        TypeRef::Map(inner) => format!("BTreeMap<String, {}>", rust_type(api, inner)),
        TypeRef::Boxed(inner) => format!("Box<{}>", rust_type(api, inner)),
    }
}

/// A method argument's type, or a setter's (an optional parameter's), as
/// the client declares it.
fn argument_type(api: &Api, p: &Parameter) -> String {
    match &p.ty {
        TypeRef::Vec(item) => format!("&[{}]", rust_type(api, item)),
        TypeRef::String => "&str".to_string(),
        TypeRef::Bool
        | TypeRef::I32
        | TypeRef::I64
        | TypeRef::F32
        | TypeRef::F64
        | TypeRef::Date => rust_type(api, &p.ty),
        other => format!("&{}", rust_type(api, other)),
    }
}

/// A field's declared Rust type.
fn field_type(api: &Api, f: &Field) -> String {
    let inner = rust_type(api, &f.ty);
    if f.flatten {
        format!("Option<{inner}> (flattened)")
    } else if f.required && !f.nullable {
        inner
    } else if f.null_setter.is_some() {
        format!("Nullable<{inner}>")
    } else {
        format!("Option<{inner}>")
    }
}

fn location(l: ParamLocation) -> &'static str {
    match l {
        ParamLocation::Path => "path",
        ParamLocation::Query => "query",
        ParamLocation::Header => "header",
        ParamLocation::Cookie => "cookie",
    }
}

/// A path template with parameter names blanked: `/pets/{}`. Names in the
/// template are not sent, so `{petId}` and `{pet_id}` are the same URL.
fn path_shape(template: &str) -> String {
    let mut shape = String::new();
    let mut in_param = false;
    for c in template.chars() {
        match c {
            '{' => {
                in_param = true;
                shape.push_str("{}");
            }
            '}' if in_param => in_param = false,
            _ if in_param => {}
            _ => shape.push(c),
        }
    }
    shape
}

fn body_type(api: &Api, body: &crate::model::RequestBody) -> String {
    let inner = match body.kind {
        BodyKind::Bytes => "[u8]".to_string(),
        BodyKind::Text => "str".to_string(),
        BodyKind::RawMultipart => "MultipartForm".to_string(),
        _ => rust_type(api, &body.ty),
    };
    if body.required {
        format!("&{inner}")
    } else {
        format!("Option<&{inner}>")
    }
}

fn payload_type(api: &Api, p: &Payload) -> String {
    match p.kind {
        MediaKind::Json => rust_type(api, &p.ty),
        MediaKind::Text => "String (text)".to_string(),
        MediaKind::Bytes => "Vec<u8> (binary)".to_string(),
    }
}

fn success_type(api: &Api, s: &Success) -> String {
    match s {
        Success::Empty => "()".to_string(),
        Success::One(p) => payload_type(api, p),
        Success::ByStatus { type_name, .. } => type_name.clone(),
    }
}

fn case_text(api: &Api, case: &StatusCase) -> String {
    match &case.payload {
        Some(p) => format!("{}({})", case.variant, payload_type(api, p)),
        None => case.variant.clone(),
    }
}

/// `items` by a key of each, for matching the two sides by Rust name.
fn index<'x, T, K: Ord>(items: &'x [T], key: impl Fn(&'x T) -> K) -> BTreeMap<K, &'x T> {
    items.iter().map(|item| (key(item), item)).collect()
}

fn kind_name(kind: &TypeKind) -> &'static str {
    match kind {
        TypeKind::Struct(_) => "struct",
        TypeKind::StringEnum(_) => "string enum",
        TypeKind::Exclusive(_) => "exclusive enum",
        TypeKind::Union(_) => "union enum",
        TypeKind::Alias(_) => "type alias",
    }
}

/// A change to the whole client.
fn api_change(kind: Kind, impact: Impact) -> Change {
    Change::new(kind, impact, Scope::Api, None)
}

/// A change to the client method `name`.
fn operation_change(kind: Kind, impact: Impact, name: &str) -> Change {
    Change::new(kind, impact, Scope::Operation, Some(name))
}

/// A change to the named type `name`.
fn type_change(kind: Kind, impact: Impact, name: &str) -> Change {
    Change::new(kind, impact, Scope::Type, Some(name))
}

/// A union's variants: each one's name, and its type.
fn union_variant_types(api: &Api, u: &Union) -> BTreeMap<String, String> {
    u.variants
        .iter()
        .map(|v| (v.name.clone(), rust_type(api, &v.ty)))
        .collect()
}

/// The property a union's discriminator reads, if it has one.
fn discriminator_property(u: &Union) -> Option<String> {
    u.discriminator.as_ref().map(|d| d.property.clone())
}

/// A discriminator's mapping: each value, and the name of the variant it
/// decodes into.
fn discriminator_mapping(u: &Union) -> BTreeMap<String, String> {
    u.discriminator
        .iter()
        .flat_map(|d| d.mapping.iter())
        .filter_map(|(value, i)| u.variants.get(*i).map(|v| (value.clone(), v.name.clone())))
        .collect()
}

fn quoted(items: &[&str]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

struct Differ<'a> {
    old: &'a Api,
    new: &'a Api,
    roles: BTreeMap<String, Role>,
    out: Vec<Change>,
}

impl<'a> Differ<'a> {
    fn push(&mut self, change: Change) {
        self.out.push(change);
    }

    fn role(&self, type_name: &str) -> Role {
        self.roles.get(type_name).copied().unwrap_or(Role {
            input: true,
            output: true,
        })
    }

    // ----- the whole client ---------------------------------------------------

    fn api(&mut self) {
        let (old, new) = (self.old, self.new);
        if old.base_url != new.base_url {
            let show = |u: &Option<String>| u.clone().unwrap_or_default();
            self.push(
                api_change(Kind::BaseUrlChanged, Impact::Breaking)
                    .values(old.base_url.clone(), new.base_url.clone())
                    .text(
                        format!(
                            "default base URL `{}` → `{}`",
                            show(&old.base_url),
                            show(&new.base_url)
                        ),
                        "clients built without `.base_url(..)` send every request to the new URL",
                    ),
            );
        }
        if old.version != new.version {
            self.push(
                api_change(Kind::ApiVersionChanged, Impact::Compatible)
                    .values(Some(old.version.clone()), Some(new.version.clone()))
                    .text(
                        format!(
                            "`info.version` `{}` → `{}`",
                            old.version, new.version
                        ),
                        "only the value of the constant `meta::API_VERSION` changes; requests are the same",
                    ),
            );
        }
        self.constant_headers();
    }

    fn constant_headers(&mut self) {
        let consts = |api: &'a Api| -> BTreeMap<&'a str, &'a crate::model::ConstantHeader> {
            api.constant_headers
                .iter()
                .map(|h| (h.const_name.as_str(), h))
                .collect()
        };
        let (before, after) = (consts(self.old), consts(self.new));
        for (name, h) in &after {
            if !before.contains_key(name) {
                self.push(
                    api_change(Kind::ConstantHeaderAdded, Impact::Compatible)
                        .member(*name)
                        .values(None, Some(format!("{}: {}", h.name, h.value)))
                        .text(
                            format!(
                                "constant `headers::{name}` added (`{}: {}`)",
                                h.name, h.value
                            ),
                            "a new constant; the operations that send it are listed on their own",
                        ),
                );
            }
        }
        for (name, h) in &before {
            match after.get(name) {
                None => self.push(
                    api_change(Kind::ConstantHeaderRemoved, Impact::Breaking)
                        .member(*name)
                        .values(Some(format!("{}: {}", h.name, h.value)), None)
                        .text(
                            format!(
                                "constant `headers::{name}` removed (`{}: {}`)",
                                h.name, h.value
                            ),
                            format!("code that names `headers::{name}` stops compiling"),
                        ),
                ),
                Some(n) if n.name != h.name || n.value != h.value => {
                    let (was, is) = (
                        format!("{}: {}", h.name, h.value),
                        format!("{}: {}", n.name, n.value),
                    );
                    self.push(
                        api_change(Kind::ConstantHeaderChanged, Impact::Breaking)
                            .member(*name)
                            .values(Some(was.clone()), Some(is.clone()))
                            .text(
                                format!("constant `headers::{name}` `{was}` → `{is}`"),
                                "every operation that sends the header sends the new value",
                            ),
                    );
                }
                Some(_) => {}
            }
        }
    }

    // ----- webhooks ----------------------------------------------------------

    /// The events of `webhooks::Event`, by the webhook's name in the spec.
    /// The enum is `#[non_exhaustive]`: a new event is compatible.
    fn webhooks(&mut self) {
        let by_key = |api: &'a Api| -> BTreeMap<&'a str, &'a crate::model::Webhook> {
            api.webhooks.iter().map(|w| (w.key.as_str(), w)).collect()
        };
        let (before, after) = (by_key(self.old), by_key(self.new));
        for (key, webhook) in &after {
            let Some(old) = before.get(key) else {
                self.push(
                    api_change(Kind::WebhookAdded, Impact::Compatible)
                        .member(*key)
                        .text(
                            format!("webhook `{key}` added (`Event::{}`)", webhook.name),
                            "`webhooks::Event` is `#[non_exhaustive]`: matches keep compiling",
                        ),
                );
                continue;
            };
            let (was, is) = (
                rust_type(self.old, &old.ty),
                rust_type(self.new, &webhook.ty),
            );
            if was != is {
                self.push(
                    api_change(Kind::WebhookPayloadChanged, Impact::Breaking)
                        .member(*key)
                        .values(Some(was.clone()), Some(is.clone()))
                        .text(
                            format!("webhook `{key}` payload `{was}` → `{is}`"),
                            "code that matches `Event::` of this webhook reads another type",
                        ),
                );
            }
        }
        for (key, webhook) in &before {
            if !after.contains_key(key) {
                self.push(
                    api_change(Kind::WebhookRemoved, Impact::Breaking)
                        .member(*key)
                        .text(
                            format!("webhook `{key}` removed (`Event::{}`)", webhook.name),
                            "code that matches this event no longer compiles",
                        ),
                );
            }
        }
    }

    // ----- operations --------------------------------------------------------

    fn operations(&mut self) {
        let by_name = |api: &'a Api| -> BTreeMap<&'a str, &'a Operation> {
            api.operations
                .iter()
                .map(|o| (o.name.as_str(), o))
                .collect()
        };
        let (before, after) = (by_name(self.old), by_name(self.new));
        for (name, op) in &after {
            if !before.contains_key(name) {
                self.push(
                    operation_change(Kind::OperationAdded, Impact::Compatible, name)
                        .values(None, Some(format!("{} {}", op.method.as_str(), op.path)))
                        .text(
                            format!("added (`{} {}`)", op.method.as_str(), op.path),
                            format!(
                                "a new method `client.{name}(..)`; existing calls are unchanged"
                            ),
                        ),
                );
            }
        }
        for (name, op) in &before {
            let Some(new) = after.get(name) else {
                let endpoint = format!("{} {}", op.method.as_str(), op.path);
                let successor = after
                    .values()
                    .find(|n| {
                        !before.contains_key(n.name.as_str())
                            && n.method == op.method
                            && path_shape(&n.path) == path_shape(&op.path)
                    })
                    .map(|n| format!(" (`{endpoint}` is now `client.{}(..)`)", n.name))
                    .unwrap_or_default();
                self.push(
                    operation_change(Kind::OperationRemoved, Impact::Breaking, name)
                        .values(Some(endpoint.clone()), None)
                        .text(
                            format!("removed (`{endpoint}`)"),
                            format!(
                                "code that calls `client.{name}(..)` stops compiling{successor}"
                            ),
                        ),
                );
                continue;
            };
            self.operation(op, new);
        }
    }

    fn operation(&mut self, old: &Operation, new: &Operation) {
        let name = old.name.as_str();
        let at = |kind, impact| operation_change(kind, impact, name);
        if old.method != new.method {
            self.push(
                at(Kind::MethodChanged, Impact::Breaking)
                    .values(
                        Some(old.method.as_str().to_string()),
                        Some(new.method.as_str().to_string()),
                    )
                    .text(
                        format!(
                            "method `{}` → `{}`",
                            old.method.as_str(),
                            new.method.as_str()
                        ),
                        format!("the same call to `client.{name}(..)` sends a different request"),
                    ),
            );
        }
        if path_shape(&old.path) != path_shape(&new.path) {
            self.push(
                at(Kind::PathChanged, Impact::Breaking)
                    .values(Some(old.path.clone()), Some(new.path.clone()))
                    .text(
                        format!("path `{}` → `{}`", old.path, new.path),
                        format!("the same call to `client.{name}(..)` requests a different URL"),
                    ),
            );
        }
        match (old.auth, new.auth) {
            (false, true) => self.push(at(Kind::AuthAdded, Impact::Breaking).text(
                "now sends the bearer token",
                "the same call sends `Authorization`; a client built without a token sends requests the server refuses",
            )),
            (true, false) => self.push(at(Kind::AuthRemoved, Impact::Breaking).text(
                "no longer sends the bearer token",
                "the same call sends a request without `Authorization`",
            )),
            _ => {}
        }
        self.pagination(old, new);
        self.operation_headers(old, new);
        self.parameters(old, new);
        self.body(old, new);
        self.success(old, new);
        self.errors(old, new);
    }

    fn pagination(&mut self, old: &Operation, new: &Operation) {
        let at = |kind, impact| operation_change(kind, impact, &old.name);
        match (&old.pagination, &new.pagination) {
            (None, Some(_)) => self.push(at(Kind::PaginationAdded, Impact::Compatible).text(
                "now paginated",
                "its builder gains `into_stream` and `max_pages`; nothing existing changes",
            )),
            (Some(_), None) => self.push(at(Kind::PaginationRemoved, Impact::Breaking).text(
                "no longer paginated",
                "its builder loses `into_stream` and `max_pages`",
            )),
            (Some(before), Some(after)) => {
                let (item_before, item_after) = (
                    rust_type(self.old, &before.item),
                    rust_type(self.new, &after.item),
                );
                if item_before != item_after {
                    self.push(
                        at(Kind::PaginationChanged, Impact::Breaking)
                            .values(Some(item_before.clone()), Some(item_after.clone()))
                            .text(
                                format!("page items `{item_before}` → `{item_after}`"),
                                "`into_stream` yields another type",
                            ),
                    );
                } else if before.style != after.style || before.items != after.items {
                    self.push(at(Kind::PaginationChanged, Impact::Breaking).text(
                        "pages another way",
                        "the same `into_stream` asks for its pages differently",
                    ));
                }
            }
            (None, None) => {}
        }
    }

    fn operation_headers(&mut self, old: &Operation, new: &Operation) {
        let headers =
            |api: &'a Api, op: &Operation| -> BTreeMap<String, &'a crate::model::ConstantHeader> {
                op.constant_headers
                    .iter()
                    .filter_map(|&i| api.constant_headers.get(i))
                    .map(|h| (h.name.to_ascii_lowercase(), h))
                    .collect()
            };
        let (before, after) = (headers(self.old, old), headers(self.new, new));
        let name = old.name.as_str();
        for (key, h) in &after {
            if !before.contains_key(key) {
                self.push(
                    operation_change(Kind::HeaderAdded, Impact::Breaking, name)
                        .member(&h.name)
                        .values(None, Some(h.value.clone()))
                        .text(
                            format!("now sends `{}: {}`", h.name, h.value),
                            "the same call sends a request with a new header",
                        ),
                );
            }
        }
        for (key, h) in &before {
            match after.get(key) {
                None => self.push(
                    operation_change(Kind::HeaderRemoved, Impact::Breaking, name)
                        .member(&h.name)
                        .values(Some(h.value.clone()), None)
                        .text(
                            format!("no longer sends `{}: {}`", h.name, h.value),
                            "the same call sends a request without the header",
                        ),
                ),
                // A value change of the same constant is reported once, on
                // the constant; here only a switch to another constant.
                Some(n) if n.value != h.value && n.const_name != h.const_name => self.push(
                    operation_change(Kind::HeaderChanged, Impact::Breaking, name)
                        .member(&h.name)
                        .values(Some(h.value.clone()), Some(n.value.clone()))
                        .text(
                            format!("header `{}` `{}` → `{}`", h.name, h.value, n.value),
                            "the same call sends a different header value",
                        ),
                ),
                Some(_) => {}
            }
        }
    }

    fn parameters(&mut self, old: &Operation, new: &Operation) {
        let before = index(&old.params, |p| p.name.as_str());
        let after = index(&new.params, |p| p.name.as_str());
        for (arg, param) in &after {
            if !before.contains_key(arg) {
                self.parameter_added(&old.name, arg, param);
            }
        }
        for (arg, param) in &before {
            let Some(new_param) = after.get(arg) else {
                self.parameter_removed(&old.name, arg, param);
                continue;
            };
            self.parameter_type(&old.name, arg, param, new_param);
            self.parameter_encoding(&old.name, arg, param, new_param);
        }
        self.parameter_order(old, new, &before, &after);
    }

    fn parameter_added(&mut self, name: &str, arg: &str, param: &Parameter) {
        let ty = argument_type(self.new, param);
        let (impact, message, reason) = if param.required {
            (
                Impact::Breaking,
                format!("argument `{arg}` added: `{ty}`"),
                format!("calls to `client.{name}(..)` must pass the new argument"),
            )
        } else {
            (
                Impact::Compatible,
                format!("setter `{arg}` added: `{ty}`"),
                format!("a new setter of the request builder of `client.{name}(..)`; existing calls do not set it and send what they sent"),
            )
        };
        self.push(
            operation_change(Kind::ParameterAdded, impact, name)
                .member(arg)
                .values(None, Some(ty.clone()))
                .text(
                    format!(
                        "{message} ({} `{}`)",
                        location(param.location),
                        param.wire_name
                    ),
                    reason,
                ),
        );
    }

    fn parameter_removed(&mut self, name: &str, arg: &str, param: &Parameter) {
        let ty = argument_type(self.old, param);
        let (what, reason) = if param.required {
            (
                "argument",
                format!("calls to `client.{name}(..)` pass one argument too many"),
            )
        } else {
            (
                "setter",
                format!("calls that set `{arg}` on the request builder of `client.{name}(..)` stop compiling"),
            )
        };
        self.push(
            operation_change(Kind::ParameterRemoved, Impact::Breaking, name)
                .member(arg)
                .values(Some(ty.clone()), None)
                .text(
                    format!(
                        "{what} `{arg}` removed: `{ty}` ({} `{}`)",
                        location(param.location),
                        param.wire_name
                    ),
                    reason,
                ),
        );
    }

    /// The argument's Rust type: whether it is required, and what it is.
    fn parameter_type(&mut self, name: &str, arg: &str, old: &Parameter, new: &Parameter) {
        let at = |kind| operation_change(kind, Impact::Breaking, name).member(arg);
        let (was, is) = (argument_type(self.old, old), argument_type(self.new, new));
        if old.required != new.required {
            let word = |r: bool| if r { "required" } else { "optional" };
            let (from, to) = (word(old.required), word(new.required));
            self.push(
                at(Kind::ParameterRequiredChanged)
                    .values(Some(from.to_string()), Some(to.to_string()))
                    .text(
                        format!("argument `{arg}` {from} → {to}"),
                        if new.required {
                            "the setter becomes an argument of the method: existing calls stop compiling"
                        } else {
                            "the argument becomes a setter of the request builder: existing calls stop compiling"
                        },
                    ),
            );
        } else if was != is {
            self.push(
                at(Kind::ParameterTypeChanged)
                    .values(Some(was.clone()), Some(is.clone()))
                    .text(
                        format!(
                            "{} `{arg}` type `{was}` → `{is}`",
                            if new.required { "argument" } else { "setter" }
                        ),
                        "calls that pass the old type stop compiling",
                    ),
            );
        }
    }

    /// How the request carries the argument: where, under what name, and
    /// (for a list in the query) in what style.
    fn parameter_encoding(&mut self, name: &str, arg: &str, old: &Parameter, new: &Parameter) {
        let at = |kind, impact| operation_change(kind, impact, name).member(arg);
        if old.location != new.location {
            let (was, is) = (location(old.location), location(new.location));
            self.push(
                at(Kind::ParameterLocationChanged, Impact::Breaking)
                    .values(Some(was.to_string()), Some(is.to_string()))
                    .text(
                        format!("argument `{arg}` moves from the {was} to the {is}"),
                        "the same call sends the value in a different place",
                    ),
            );
        }
        if old.wire_name != new.wire_name {
            let both_path =
                old.location == ParamLocation::Path && new.location == ParamLocation::Path;
            let (impact, reason) = if both_path {
                (
                    Impact::Compatible,
                    "a path parameter fills its place in the URL; its name is not sent",
                )
            } else {
                (
                    Impact::Breaking,
                    "the same call sends the value under a different name",
                )
            };
            self.push(
                at(Kind::ParameterWireNameChanged, impact)
                    .values(Some(old.wire_name.clone()), Some(new.wire_name.clone()))
                    .text(
                        format!(
                            "argument `{arg}` wire name `{}` → `{}`",
                            old.wire_name, new.wire_name
                        ),
                        reason,
                    ),
            );
        }
        let is_list = matches!(old.ty, TypeRef::Vec(_)) && matches!(new.ty, TypeRef::Vec(_));
        if is_list && old.style != new.style && new.location == ParamLocation::Query {
            let style = |s: crate::model::ArrayStyle| match s {
                crate::model::ArrayStyle::Repeat => "a=1&a=2",
                crate::model::ArrayStyle::Comma => "a=1,2",
                crate::model::ArrayStyle::Space => "a=1%202",
                crate::model::ArrayStyle::Pipe => "a=1|2",
            };
            let (was, is) = (style(old.style), style(new.style));
            self.push(
                at(Kind::ParameterStyleChanged, Impact::Breaking)
                    .values(Some(was.to_string()), Some(is.to_string()))
                    .text(
                        format!("argument `{arg}` query style `{was}` → `{is}`"),
                        "the same call writes the list differently in the query",
                    ),
            );
        }
    }

    /// Required arguments are positional: the same names in another order
    /// compile (when the types agree) and pass values to the wrong
    /// parameters. Optional parameters are setters, whose order is free.
    fn parameter_order<'b>(
        &mut self,
        old: &'b Operation,
        new: &'b Operation,
        before: &BTreeMap<&str, &Parameter>,
        after: &BTreeMap<&str, &Parameter>,
    ) {
        let common = |op: &'b Operation, other: &BTreeMap<&str, &Parameter>| -> Vec<&'b str> {
            op.params
                .iter()
                .filter(|p| p.required)
                .map(|p| p.name.as_str())
                .filter(|arg| other.get(arg).is_some_and(|p| p.required))
                .collect()
        };
        if common(old, after) == common(new, before) {
            return;
        }
        let list = |op: &Operation| {
            op.params
                .iter()
                .filter(|p| p.required)
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        self.push(
            operation_change(Kind::ParametersReordered, Impact::Breaking, &old.name)
                .values(Some(list(old)), Some(list(new)))
                .text(
                    format!("arguments reordered: ({}) → ({})", list(old), list(new)),
                    "arguments are positional: existing calls pass values to the wrong parameters or stop compiling",
                ),
        );
    }

    fn body(&mut self, old: &Operation, new: &Operation) {
        let name = old.name.as_str();
        let at = |kind| operation_change(kind, Impact::Breaking, name).member("body");
        match (&old.body, &new.body) {
            (None, None) => {}
            (None, Some(b)) => {
                let ty = body_type(self.new, b);
                self.push(at(Kind::BodyAdded).values(None, Some(ty.clone())).text(
                    format!("request body added: `{ty}` ({})", b.content_type),
                    format!("calls to `client.{name}(..)` must pass the new `body` argument"),
                ));
            }
            (Some(b), None) => {
                let ty = body_type(self.old, b);
                self.push(at(Kind::BodyRemoved).values(Some(ty.clone()), None).text(
                    format!("request body removed: `{ty}` ({})", b.content_type),
                    format!("calls to `client.{name}(..)` pass one argument too many"),
                ));
            }
            (Some(b), Some(n)) => {
                let (was, is) = (body_type(self.old, b), body_type(self.new, n));
                if b.required != n.required {
                    let word = |r: bool| if r { "required" } else { "optional" };
                    self.push(
                        at(Kind::BodyRequiredChanged)
                            .values(Some(word(b.required).into()), Some(word(n.required).into()))
                            .text(
                                format!("request body {} → {}", word(b.required), word(n.required)),
                                format!("the `body` argument changes from `{was}` to `{is}`"),
                            ),
                    );
                } else if was != is {
                    self.push(
                        at(Kind::BodyTypeChanged)
                            .values(Some(was.clone()), Some(is.clone()))
                            .text(
                                format!("request body type `{was}` → `{is}`"),
                                "calls that pass the old type stop compiling",
                            ),
                    );
                }
                if b.content_type != n.content_type || b.kind != n.kind {
                    self.push(
                        at(Kind::BodyEncodingChanged)
                            .values(Some(b.content_type.clone()), Some(n.content_type.clone()))
                            .text(
                                format!(
                                    "request body content type `{}` → `{}`",
                                    b.content_type, n.content_type
                                ),
                                "the same call encodes the body differently",
                            ),
                    );
                }
            }
        }
    }

    fn success(&mut self, old: &Operation, new: &Operation) {
        let name = old.name.as_str();
        let (was, is) = (
            success_type(self.old, &old.success),
            success_type(self.new, &new.success),
        );
        if was != is {
            self.push(
                operation_change(Kind::SuccessChanged, Impact::Breaking, name)
                    .values(Some(was.clone()), Some(is.clone()))
                    .text(
                        format!("returns `{is}` instead of `{was}`"),
                        "code that uses the old result stops compiling or decodes differently",
                    ),
            );
            return;
        }
        let (
            Success::ByStatus {
                type_name,
                cases: before,
            },
            Success::ByStatus { cases: after, .. },
        ) = (&old.success, &new.success)
        else {
            return;
        };
        let (before, after) = (index(before, |c| c.status), index(after, |c| c.status));
        let at = |kind, status: u16| {
            operation_change(kind, Impact::Breaking, name).member(status.to_string())
        };
        for (status, case) in &after {
            if !before.contains_key(status) {
                let text = case_text(self.new, case);
                self.push(
                    at(Kind::SuccessStatusAdded, *status)
                        .values(None, Some(text.clone()))
                        .text(
                            format!("success status {status} added: `{type_name}::{text}`"),
                            format!("exhaustive `match`es on `{type_name}` must handle the new variant, and a {status} answer decodes into it instead of the first listed status"),
                        ),
                );
            }
        }
        for (status, case) in &before {
            let text = case_text(self.old, case);
            match after.get(status) {
                None => self.push(
                    at(Kind::SuccessStatusRemoved, *status)
                        .values(Some(text.clone()), None)
                        .text(
                            format!("success status {status} removed: `{type_name}::{text}`"),
                            format!(
                                "code that names `{type_name}::{}` stops compiling",
                                case.variant
                            ),
                        ),
                ),
                Some(n) => {
                    let new_text = case_text(self.new, n);
                    if new_text != text {
                        self.push(
                            at(Kind::SuccessStatusChanged, *status)
                                .values(Some(text.clone()), Some(new_text.clone()))
                                .text(
                                    format!("success status {status} `{text}` → `{new_text}`"),
                                    "code that matches the old variant stops compiling",
                                ),
                        );
                    }
                }
            }
        }
    }

    fn errors(&mut self, old: &Operation, new: &Operation) {
        let name = old.name.as_str();
        let enum_name = &new.error_type;
        if old.error_type != new.error_type {
            self.push(
                operation_change(Kind::ErrorTypeRenamed, Impact::Breaking, name)
                    .values(Some(old.error_type.clone()), Some(new.error_type.clone()))
                    .text(
                        format!("error enum `{}` → `{}`", old.error_type, new.error_type),
                        format!("code that names `{}` stops compiling", old.error_type),
                    ),
            );
        }
        let by_status = |api: &Api, op: &Operation| -> BTreeMap<u16, (String, String)> {
            op.errors
                .iter()
                .map(|e| {
                    // A variant without a body is shown as the variant alone.
                    let shown = match &e.ty {
                        Some(ty) => format!("{}({})", e.variant, rust_type(api, ty)),
                        None => e.variant.clone(),
                    };
                    (e.status, (e.variant.clone(), shown))
                })
                .collect()
        };
        let (before, after) = (by_status(self.old, old), by_status(self.new, new));
        let at = |kind, status: &u16| {
            operation_change(kind, Impact::Breaking, name).member(status.to_string())
        };
        for (status, (_, ty)) in &after {
            if !before.contains_key(status) {
                self.push(
                    operation_change(Kind::ErrorAdded, Impact::Compatible, name)
                        .member(status.to_string())
                        .values(None, Some(ty.clone()))
                        .text(
                            format!("error status {status} added: `{enum_name}::{ty}`"),
                            format!("`{enum_name}` is `#[non_exhaustive]`: `match`es already have a wildcard arm, and a {status} answer, an error before as after, now carries its decoded body"),
                        ),
                );
            }
        }
        for (status, (variant, ty)) in &before {
            let was = ty.clone();
            match after.get(status) {
                None => self.push(
                    at(Kind::ErrorRemoved, status)
                        .values(Some(was.clone()), None)
                        .text(
                            format!("error status {status} removed: `{}::{was}`", old.error_type),
                            format!(
                                "code that names `{}::{variant}` stops compiling, and a {status} answer is no longer decoded",
                                old.error_type
                            ),
                        ),
                ),
                Some((_, t)) => {
                    let is = t.clone();
                    if is != was {
                        self.push(
                            at(Kind::ErrorChanged, status)
                                .values(Some(was.clone()), Some(is.clone()))
                                .text(
                                    format!("error status {status} `{was}` → `{is}`"),
                                    "code that matches the old variant or its body stops compiling",
                                ),
                        );
                    }
                }
            }
        }
    }

    // ----- types -------------------------------------------------------------

    fn types(&mut self) {
        let by_name = |api: &'a Api| -> BTreeMap<&'a str, &'a TypeDef> {
            api.types
                .types
                .values()
                .map(|d| (d.name.as_str(), d))
                .collect()
        };
        let (before, after) = (by_name(self.old), by_name(self.new));
        for (name, def) in &after {
            if !before.contains_key(name) {
                self.push(
                    type_change(Kind::TypeAdded, Impact::Compatible, name)
                        .values(None, Some(kind_name(&def.kind).to_string()))
                        .text(
                            format!("added ({})", kind_name(&def.kind)),
                            "a new type; existing code is unchanged",
                        ),
                );
            }
        }
        for (name, def) in &before {
            let Some(new) = after.get(name) else {
                self.push(
                    type_change(Kind::TypeRemoved, Impact::Breaking, name)
                        .values(Some(kind_name(&def.kind).to_string()), None)
                        .text(
                            format!("removed ({})", kind_name(&def.kind)),
                            format!("code that names `{name}` stops compiling"),
                        ),
                );
                continue;
            };
            self.type_def(def, new);
        }
    }

    fn type_def(&mut self, old: &TypeDef, new: &TypeDef) {
        let name = old.name.as_str();
        match (&old.kind, &new.kind) {
            (TypeKind::Struct(a), TypeKind::Struct(b)) => self.fields(name, a, b),
            (TypeKind::StringEnum(a), TypeKind::StringEnum(b)) => {
                let list = |e: &crate::model::StringEnum| -> Vec<(String, String, Option<String>)> {
                    e.variants
                        .iter()
                        .map(|v| (v.name.clone(), v.wire_name.clone(), None))
                        .collect()
                };
                self.variants(name, VariantsOf::Values, &list(a), &list(b));
            }
            (TypeKind::Exclusive(a), TypeKind::Exclusive(b)) => {
                let list = |api: &Api,
                            x: &crate::model::Exclusive|
                 -> Vec<(String, String, Option<String>)> {
                    x.variants
                        .iter()
                        .map(|v| {
                            (
                                v.name.clone(),
                                v.wire_name.clone(),
                                Some(rust_type(api, &v.ty)),
                            )
                        })
                        .collect()
                };
                self.variants(
                    name,
                    VariantsOf::Exclusive,
                    &list(self.old, a),
                    &list(self.new, b),
                );
            }
            (TypeKind::Union(a), TypeKind::Union(b)) => self.union(name, a, b),
            (TypeKind::Alias(a), TypeKind::Alias(b)) => {
                let (was, is) = (rust_type(self.old, a), rust_type(self.new, b));
                if was != is {
                    self.push(
                        type_change(Kind::AliasChanged, Impact::Breaking, name)
                            .values(Some(was.clone()), Some(is.clone()))
                            .text(
                                format!("alias of `{was}` → `{is}`"),
                                format!("code that uses `{name}` as a `{was}` stops compiling"),
                            ),
                    );
                }
            }
            (a, b) => {
                let (was, is) = (kind_name(a), kind_name(b));
                self.push(
                    type_change(Kind::TypeKindChanged, Impact::Breaking, name)
                        .values(Some(was.to_string()), Some(is.to_string()))
                        .text(
                            format!("{was} → {is}"),
                            format!("code that builds or reads `{name}` stops compiling"),
                        ),
                );
            }
        }
    }

    fn fields(&mut self, name: &str, old: &Struct, new: &Struct) {
        let role = self.role(name);
        let (o_api, n_api) = (self.old, self.new);
        let before = index(&old.fields, |f| f.name.as_str());
        let after = index(&new.fields, |f| f.name.as_str());
        let at = |kind, impact, field: &str| type_change(kind, impact, name).member(field);
        for (field, f) in &after {
            if before.contains_key(field) {
                continue;
            }
            let ty = field_type(n_api, f);
            let (impact, reason) = added_field(name, role, f);
            self.push(
                at(Kind::FieldAdded, impact, field)
                    .values(None, Some(ty.clone()))
                    .text(format!("field `{field}` added: `{ty}`"), reason),
            );
        }
        for (field, f) in &before {
            let Some(n) = after.get(field) else {
                let ty = field_type(o_api, f);
                self.push(
                    at(Kind::FieldRemoved, Impact::Breaking, field)
                        .values(Some(ty.clone()), None)
                        .text(
                            format!("field `{field}` removed: `{ty}`"),
                            format!("code that reads or sets `{name}.{field}` stops compiling"),
                        ),
                );
                continue;
            };
            self.field(name, role, f, n);
        }
        self.additional(name, old.additional.as_ref(), new.additional.as_ref());
        match (old.all_optional(), new.all_optional()) {
            (true, false) => self.push(
                type_change(Kind::DefaultRemoved, Impact::Breaking, name).text(
                    "no longer derives `Default` (a field became required)",
                    format!("code that calls `{name}::default()` stops compiling"),
                ),
            ),
            (false, true) => self.push(
                type_change(Kind::DefaultAdded, Impact::Compatible, name).text(
                    "now derives `Default` (every field is optional)",
                    "a new trait implementation; existing code is unchanged",
                ),
            ),
            _ => {}
        }
    }

    /// The map of a struct's other keys (`additionalProperties`): a new
    /// one is a new field that starts empty (compatible), a removed or
    /// retyped one breaks code that uses it.
    fn additional(
        &mut self,
        name: &str,
        old: Option<&AdditionalProperties>,
        new: Option<&AdditionalProperties>,
    ) {
        let map = |api: &Api, a: &AdditionalProperties| {
            format!("BTreeMap<String, {}> (flattened)", rust_type(api, &a.ty))
        };
        let was = old.map(|a| (a.name.as_str(), map(self.old, a)));
        let is = new.map(|a| (a.name.as_str(), map(self.new, a)));
        if was == is {
            return;
        }
        if let Some((field, ty)) = &was {
            let change = match &is {
                Some((new_field, new_ty)) if new_field == field => type_change(
                    Kind::FieldTypeChanged,
                    Impact::Breaking,
                    name,
                )
                .values(Some(ty.clone()), Some(new_ty.clone()))
                .text(
                    format!("field `{field}` type `{ty}` → `{new_ty}`"),
                    format!("code that reads or sets `{name}.{field}` as a `{ty}` stops compiling"),
                ),
                _ => type_change(Kind::FieldRemoved, Impact::Breaking, name)
                    .values(Some(ty.clone()), None)
                    .text(
                        format!("field `{field}` removed: `{ty}`"),
                        format!("code that reads or sets `{name}.{field}` stops compiling"),
                    ),
            };
            self.push(change.member(*field));
        }
        if let Some((field, ty)) = &is {
            if was
                .as_ref()
                .is_some_and(|(old_field, _)| old_field == field)
            {
                return;
            }
            self.push(
                type_change(Kind::FieldAdded, Impact::Compatible, name)
                    .member(*field)
                    .values(None, Some(ty.clone()))
                    .text(
                        format!("field `{field}` added: `{ty}`"),
                        "the keys `properties` does not name are kept in it instead of ignored; it starts empty, so requests are unchanged",
                    ),
            );
        }
    }

    fn field(&mut self, name: &str, role: Role, old: &Field, new: &Field) {
        let field = old.name.as_str();
        let at = |kind, impact| type_change(kind, impact, name).member(field);
        let (was, is) = (field_type(self.old, old), field_type(self.new, new));
        let (inner_was, inner_is) = (rust_type(self.old, &old.ty), rust_type(self.new, &new.ty));
        if inner_was != inner_is || old.flatten != new.flatten {
            self.push(
                at(Kind::FieldTypeChanged, Impact::Breaking)
                    .values(Some(was.clone()), Some(is.clone()))
                    .text(
                        format!("field `{field}` type `{was}` → `{is}`"),
                        format!(
                            "code that reads or sets `{name}.{field}` as a `{was}` stops compiling"
                        ),
                    ),
            );
        } else if old.required == new.required
            && old.nullable == new.nullable
            && old.null_setter != new.null_setter
        {
            self.null_setter(name, old, new, (&was, &is));
        } else {
            self.field_optionality(name, role, old, new, (&was, &is));
        }
        if old.wire_name != new.wire_name {
            let verb = match (role.input, role.output) {
                (true, true) => "sent and read",
                (true, false) => "sent",
                _ => "read",
            };
            self.push(
                at(Kind::FieldWireNameChanged, Impact::Breaking)
                    .values(Some(old.wire_name.clone()), Some(new.wire_name.clone()))
                    .text(
                        format!(
                            "field `{field}` wire name `{}` → `{}`",
                            old.wire_name, new.wire_name
                        ),
                        format!("the field is {verb} under a different JSON key"),
                    ),
            );
        }
    }

    /// An optional, nullable field whose type became sent in requests (an
    /// `Option` becomes a `Nullable`), or no longer is, or whose setter
    /// that sends `null` is named apart from a new one.
    fn null_setter(&mut self, name: &str, old: &Field, new: &Field, (was, is): (&str, &str)) {
        let field = old.name.as_str();
        let reason = match (&old.null_setter, &new.null_setter) {
            (None, Some(_)) => format!(
                "`{name}` is now sent in requests, so `{field}` can be sent as `null`: code that reads or sets it as an `{was}` stops compiling"
            ),
            (Some(_), None) => format!(
                "`{name}` is no longer sent in requests: code that reads or sets `{field}` as a `{was}` stops compiling"
            ),
            _ => format!("code that calls the setter that sends `{field}` as `null` stops compiling"),
        };
        let text = match (&old.null_setter, &new.null_setter) {
            (Some(a), Some(b)) => format!("field `{field}` setter `{a}` → `{b}`"),
            _ => format!("field `{field}` type `{was}` → `{is}`"),
        };
        self.push(
            type_change(Kind::FieldTypeChanged, Impact::Breaking, name)
                .member(field)
                .values(Some(was.to_string()), Some(is.to_string()))
                .text(text, reason),
        );
    }

    /// Whether a field whose type stays the same is required, and whether
    /// it is nullable; `was` and `is` are its declared Rust types.
    fn field_optionality(
        &mut self,
        name: &str,
        role: Role,
        old: &Field,
        new: &Field,
        (was, is): (&str, &str),
    ) {
        let field = old.name.as_str();
        let retyped = || {
            (
                Impact::Breaking,
                format!("`{name}.{field}` changes from `{was}` to `{is}`"),
            )
        };
        if old.required != new.required {
            let classified = if was != is {
                retyped()
            } else if role.input {
                let how = if new.required {
                    "`None` is now sent as `null` instead of being left out"
                } else {
                    "`None` is now left out of requests instead of sent as `null`"
                };
                (
                    Impact::Breaking,
                    format!("`{name}.{field}` stays `{is}`, but {how}"),
                )
            } else {
                (
                    Impact::Compatible,
                    format!("`{name}.{field}` stays `{is}` and decodes the same"),
                )
            };
            let word = |r: bool| if r { "required" } else { "optional" };
            let flag = (word(old.required), word(new.required));
            self.field_flag(name, field, Kind::FieldRequiredChanged, flag, classified);
        }
        if old.nullable != new.nullable {
            let classified = if was != is {
                retyped()
            } else {
                (
                    Impact::Compatible,
                    format!("`{name}.{field}` stays `{is}`: a missing value and `null` both mean `None`"),
                )
            };
            let word = |n: bool| if n { "nullable" } else { "not nullable" };
            let flag = (word(old.nullable), word(new.nullable));
            self.field_flag(name, field, Kind::FieldNullableChanged, flag, classified);
        }
    }

    /// A field's flag (required, nullable) changed from `was` to `is`.
    fn field_flag(
        &mut self,
        name: &str,
        field: &str,
        kind: Kind,
        (was, is): (&str, &str),
        (impact, reason): (Impact, String),
    ) {
        self.push(
            type_change(kind, impact, name)
                .member(field)
                .values(Some(was.to_string()), Some(is.to_string()))
                .text(format!("field `{field}` {was} → {is}"), reason),
        );
    }

    /// Variants of string enums (values) and exclusive enums, by Rust name:
    /// `(name, wire name, payload type)`.
    fn variants(
        &mut self,
        name: &str,
        of: VariantsOf,
        old: &[(String, String, Option<String>)],
        new: &[(String, String, Option<String>)],
    ) {
        let role = self.role(name);
        let (added, removed, renamed) = match of {
            VariantsOf::Values => (
                Kind::EnumValueAdded,
                Kind::EnumValueRemoved,
                Kind::EnumValueWireNameChanged,
            ),
            VariantsOf::Exclusive => (
                Kind::VariantAdded,
                Kind::VariantRemoved,
                Kind::VariantWireNameChanged,
            ),
        };
        let before = index(old, |(n, _, _)| n.as_str());
        let after = index(new, |(n, _, _)| n.as_str());
        let at = |kind, impact, variant: &str| type_change(kind, impact, name).member(variant);
        let show = |variant: &str, wire: &str, ty: &Option<String>| match ty {
            Some(ty) => format!("{variant}({ty}) `{wire}`"),
            None => format!("{variant} `{wire}`"),
        };
        for (variant, (_, wire, ty)) in &after {
            if before.contains_key(variant) {
                continue;
            }
            let fallback = (of == VariantsOf::Values).then_some(Fallback::Value);
            let (impact, reason) = added_variant(name, variant, role, fallback);
            let what = match of {
                VariantsOf::Values => format!("enum value `{wire}` added: `{name}::{variant}`"),
                VariantsOf::Exclusive => {
                    format!("variant `{variant}` added: {}", show(variant, wire, ty))
                }
            };
            self.push(
                at(added, impact, variant)
                    .values(None, Some(wire.to_string()))
                    .text(what, reason),
            );
        }
        for (variant, (_, wire, ty)) in &before {
            let Some((_, new_wire, new_ty)) = after.get(variant) else {
                let what = match of {
                    VariantsOf::Values => {
                        format!("enum value `{wire}` removed: `{name}::{variant}`")
                    }
                    VariantsOf::Exclusive => {
                        format!("variant `{variant}` removed: {}", show(variant, wire, ty))
                    }
                };
                let mut reason = format!("code that names `{name}::{variant}` stops compiling");
                if of == VariantsOf::Values {
                    reason.push_str(&format!(", and `{wire}` decodes as `{name}::Unknown`"));
                }
                self.push(
                    at(removed, Impact::Breaking, variant)
                        .values(Some(wire.to_string()), None)
                        .text(what, reason),
                );
                continue;
            };
            if wire != new_wire {
                self.push(
                    at(renamed, Impact::Breaking, variant)
                        .values(Some(wire.to_string()), Some(new_wire.to_string()))
                        .text(
                            format!("`{name}::{variant}` wire value `{wire}` → `{new_wire}`"),
                            format!("`{name}::{variant}` is sent and read as a different value"),
                        ),
                );
            }
            if let (Some(was), Some(is)) = (ty, new_ty) {
                if was != is {
                    self.push(
                        at(Kind::VariantTypeChanged, Impact::Breaking, variant)
                            .values(Some(was.clone()), Some(is.clone()))
                            .text(
                                format!("variant `{variant}` type `{was}` → `{is}`"),
                                format!("code that builds or matches `{name}::{variant}` stops compiling"),
                            ),
                    );
                }
            }
        }
    }

    fn union(&mut self, name: &str, old: &Union, new: &Union) {
        let role = self.role(name);
        let before = union_variant_types(self.old, old);
        let after = union_variant_types(self.new, new);
        // A union with a discriminator on both sides keeps unknown tags and
        // is `#[non_exhaustive]`.
        let fallback =
            (old.discriminator.is_some() && new.discriminator.is_some()).then_some(Fallback::Tag);
        self.union_variants(name, role, fallback, (&before, &after));
        let property = discriminator_property(old);
        if property != discriminator_property(new) {
            self.discriminator_changed(name, old, new);
        } else if old.discriminator.is_none() && role.output {
            self.union_order(name, old, new, &before, &after);
        }
        if property.is_some() && property == discriminator_property(new) {
            self.discriminator_values(name, role, old, new);
        }
    }

    /// Variants added, removed or of another type; `before` and `after`
    /// map each variant's name to its type.
    fn union_variants(
        &mut self,
        name: &str,
        role: Role,
        fallback: Option<Fallback>,
        (before, after): (&BTreeMap<String, String>, &BTreeMap<String, String>),
    ) {
        let at = |kind, impact, variant: &str| type_change(kind, impact, name).member(variant);
        for (variant, ty) in after {
            if !before.contains_key(variant) {
                let (impact, reason) = added_variant(name, variant, role, fallback);
                self.push(
                    at(Kind::VariantAdded, impact, variant)
                        .values(None, Some(ty.clone()))
                        .text(format!("variant `{variant}({ty})` added"), reason),
                );
            }
        }
        for (variant, ty) in before {
            match after.get(variant) {
                None => self.push(
                    at(Kind::VariantRemoved, Impact::Breaking, variant)
                        .values(Some(ty.clone()), None)
                        .text(
                            format!("variant `{variant}({ty})` removed"),
                            format!("code that names `{name}::{variant}` stops compiling"),
                        ),
                ),
                Some(is) if is != ty => self.push(
                    at(Kind::VariantTypeChanged, Impact::Breaking, variant)
                        .values(Some(ty.clone()), Some(is.clone()))
                        .text(
                            format!("variant `{variant}` type `{ty}` → `{is}`"),
                            format!(
                                "code that builds or matches `{name}::{variant}` stops compiling"
                            ),
                        ),
                ),
                Some(_) => {}
            }
        }
    }

    fn discriminator_changed(&mut self, name: &str, old: &Union, new: &Union) {
        let (was, is) = (discriminator_property(old), discriminator_property(new));
        let show = |p: &Option<String>| {
            p.as_ref()
                .map_or_else(|| "none".to_string(), |p| format!("`{p}`"))
        };
        let what = format!("discriminator {} → {}", show(&was), show(&is));
        self.push(
            type_change(Kind::DiscriminatorChanged, Impact::Breaking, name)
                .values(was, is)
                .text(
                    what,
                    "the same JSON decodes into a different variant (and `Unknown` appears or goes)",
                ),
        );
    }

    /// An untagged union decodes by trying its variants in order: the
    /// variants on both sides, in each side's order.
    fn union_order<'b>(
        &mut self,
        name: &str,
        old: &'b Union,
        new: &'b Union,
        before: &BTreeMap<String, String>,
        after: &BTreeMap<String, String>,
    ) {
        let order = |u: &'b Union, other: &BTreeMap<String, String>| -> Vec<&'b str> {
            u.variants
                .iter()
                .map(|v| v.name.as_str())
                .filter(|variant| other.contains_key(*variant))
                .collect()
        };
        let (was, is) = (order(old, after), order(new, before));
        if was != is {
            self.push(
                type_change(Kind::VariantsReordered, Impact::Breaking, name)
                    .values(Some(was.join(", ")), Some(is.join(", ")))
                    .text(
                        format!("variants reordered: {} → {}", quoted(&was), quoted(&is)),
                        "an untagged enum decodes into the first variant that fits, so the same JSON may decode differently",
                    ),
            );
        }
    }

    /// The discriminator's values, of a union whose discriminator property
    /// stays the same: which value decodes into which variant.
    fn discriminator_values(&mut self, name: &str, role: Role, old: &Union, new: &Union) {
        let (before, after) = (discriminator_mapping(old), discriminator_mapping(new));
        let decodes = role.output;
        let at = |kind, impact, value: &str| type_change(kind, impact, name).member(value);
        let quiet =
            || format!("`{name}` only appears in requests, where the discriminator is not read");
        for (value, variant) in &after {
            if !before.contains_key(value) {
                let (impact, reason) = if decodes {
                    (Impact::Compatible, format!("`{name}` is `#[non_exhaustive]`: `match`es already have a wildcard arm, and a `{value}` answer, which decoded as `{name}::Unknown`, now decodes into `{name}::{variant}`"))
                } else {
                    (Impact::Compatible, quiet())
                };
                self.push(
                    at(Kind::DiscriminatorValueAdded, impact, value)
                        .values(None, Some(variant.clone()))
                        .text(
                            format!("discriminator value `{value}` added → `{variant}`"),
                            reason,
                        ),
                );
            }
        }
        let impact = if decodes {
            Impact::Breaking
        } else {
            Impact::Compatible
        };
        for (value, variant) in &before {
            match after.get(value) {
                None => self.push(
                    at(Kind::DiscriminatorValueRemoved, impact, value)
                        .values(Some(variant.clone()), None)
                        .text(
                            format!("discriminator value `{value}` removed (was `{variant}`)"),
                            if decodes {
                                format!("a `{value}` answer decodes as `{name}::Unknown`")
                            } else {
                                quiet()
                            },
                        ),
                ),
                Some(is) if is != variant => self.push(
                    at(Kind::DiscriminatorValueChanged, impact, value)
                        .values(Some(variant.clone()), Some(is.clone()))
                        .text(
                            format!("discriminator value `{value}` `{variant}` → `{is}`"),
                            if decodes {
                                format!("a `{value}` answer decodes into `{name}::{is}`")
                            } else {
                                quiet()
                            },
                        ),
                ),
                Some(_) => {}
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum VariantsOf {
    /// String enum values.
    Values,
    /// Exclusive (flattened) variants.
    Exclusive,
}

/// The impact of a new field: structs are `#[non_exhaustive]` and built
/// with `new` (the fields that are not an `Option`) and setters, so only a
/// field the spec requires in requests breaks.
fn added_field(name: &str, role: Role, f: &Field) -> (Impact, String) {
    if role.input && f.is_mandatory() {
        (
            Impact::Breaking,
            format!("`{name}` is built for requests: `{name}::new` takes the new required field as an argument"),
        )
    } else if role.input && f.required {
        (
            Impact::Breaking,
            format!("`{name}` is built for requests and the spec requires the field: existing code compiles but sends `null` for it"),
        )
    } else if role.input {
        (
            Impact::Compatible,
            format!("`{name}` is `#[non_exhaustive]` and built with `new` and setters: existing code compiles and leaves the new optional field out of requests"),
        )
    } else if f.is_mandatory() {
        (
            Impact::Compatible,
            format!("`{name}` only appears in responses: code that reads it is unchanged (code that builds it with `{name}::new`, such as test fakes, must pass the field)"),
        )
    } else {
        (
            Impact::Compatible,
            format!("`{name}` only appears in responses and is `#[non_exhaustive]`: code that reads it, or builds it with `new` and setters, is unchanged"),
        )
    }
}

/// What an enum keeps that the spec does not list, which makes it
/// `#[non_exhaustive]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fallback {
    /// A string enum's unknown values.
    Value,
    /// A discriminated union's unknown tags.
    Tag,
}

/// The impact of a new enum variant: enums that keep unknown values are
/// `#[non_exhaustive]`, so a new variant is compatible; a new variant of an
/// untagged union or an exclusive enum breaks enums apps match on (those in
/// responses) and is compatible for enums apps only build.
fn added_variant(
    name: &str,
    variant: &str,
    role: Role,
    fallback: Option<Fallback>,
) -> (Impact, String) {
    if let Some(fallback) = fallback {
        let what = match fallback {
            Fallback::Value => "the value",
            Fallback::Tag => "an object with its tag",
        };
        let decode = if role.output {
            format!(", and {what}, which decoded as `{name}::Unknown`, now decodes into `{name}::{variant}`")
        } else {
            String::new()
        };
        (
            Impact::Compatible,
            format!(
                "`{name}` is `#[non_exhaustive]`: `match`es already have a wildcard arm{decode}"
            ),
        )
    } else if role.output {
        (
            Impact::Breaking,
            format!("`{name}` appears in responses and is not `#[non_exhaustive]`: exhaustive `match`es must handle `{name}::{variant}`, and the same JSON may now decode into it"),
        )
    } else {
        (
            Impact::Compatible,
            format!("`{name}` only appears in requests: code that builds its other variants is unchanged"),
        )
    }
}
