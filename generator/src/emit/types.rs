//! Rust items for the model's named types and each operation's error enum.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{docs, ident, scoped_type, Docs, Lazy, RustType, Scope};
use crate::render::{Part, RustFile};

fn type_tokens<'a>(api: &'a Api, ty: &'a TypeRef) -> RustType<'a> {
    scoped_type(api, ty, Scope::Types)
}
use crate::lower::naming;
use crate::model::*;

/// The `types` module: every named type, sorted by name, then the
/// success enum of every operation that has one, then the error enum of
/// every operation.
pub fn module(api: &Api) -> RustFile<'_> {
    let mut items: Vec<Part<'_>> = Vec::new();
    for def in api.types.sorted() {
        items.push(Box::new(move || type_def(api, def)));
    }
    for op in &api.operations {
        items.push(Box::new(move || success_enum(api, op).unwrap_or_default()));
    }
    for op in &api.operations {
        items.push(Box::new(move || error_enum(api, op)));
    }
    let head = || {
        quote! {
            //! Request and response types of the API.
        }
    };
    RustFile::items(head, items)
}

fn type_def(api: &Api, def: &TypeDef) -> TokenStream {
    let name = ident(&def.name);
    let doc = docs(def.docs.as_deref());
    match &def.kind {
        TypeKind::Struct(s) => structure(api, &name, doc, s),
        TypeKind::StringEnum(e) => string_enum(&name, doc, e),
        TypeKind::Exclusive(x) => {
            let variants = x.variants.iter().map(|v| {
                Lazy(move || {
                    let variant = ident(&v.name);
                    let rename = rename(&v.name, &v.wire_name);
                    let doc = docs(v.docs.as_deref());
                    let ty = type_tokens(api, &v.ty);
                    quote! { #doc #rename #variant(#ty), }
                })
            });
            quote! {
                #doc
                #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
                pub enum #name {
                    #(#variants)*
                }
            }
        }
        TypeKind::Union(u) => union(api, &name, doc, u),
        TypeKind::Alias(ty) => {
            let ty = type_tokens(api, ty);
            quote! {
                #doc
                pub type #name = #ty;
            }
        }
    }
}

/// A struct that can grow: `#[non_exhaustive]`, so the vendor may add
/// fields, built with `new` (the fields that are not an `Option`) and one
/// `with_<field>` setter per other field; `Default` where every field is
/// optional.
fn structure(api: &Api, name: &proc_macro2::Ident, doc: Docs, s: &Struct) -> TokenStream {
    let default = s.all_optional().then(|| quote!(Default,));
    let fields = s.fields.iter().map(|f| Lazy(move || field(api, f)));
    let (new, required) = constructor(api, name, s);
    let setters = s
        .fields
        .iter()
        .filter(|f| !f.is_mandatory())
        .map(|f| Lazy(move || setter(api, f)));
    let (additional, additional_setter) = match &s.additional {
        Some(a) => (
            Some(additional_field(api, a)),
            Some(additional_setter(api, a)),
        ),
        None => (None, None),
    };
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, #default serde::Serialize, serde::Deserialize)]
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
            #additional
        }

        impl #name {
            #new
            #(#setters)*
            #additional_setter
        }

        #required
    }
}

/// The map of the keys `properties` does not name, flattened into the
/// object; last, so that an exclusive pair's flattened field takes its keys
/// first.
fn additional_field(api: &Api, a: &AdditionalProperties) -> TokenStream {
    let name = ident(&a.name);
    let ty = type_tokens(api, &a.ty);
    quote! {
        /// The object's other keys (`additionalProperties`).
        #[serde(flatten, default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
        pub #name: std::collections::BTreeMap<String, #ty>,
    }
}

/// `with_<map>(key, value)`, which adds one key to the map of the other keys.
fn additional_setter(api: &Api, a: &AdditionalProperties) -> TokenStream {
    let name = ident(&a.name);
    let setter = format_ident!("{}", naming::setter_name(&a.name));
    let ty = type_tokens(api, &a.ty);
    let doc = docs(Some(&format!("Adds `key` to `{}`.", a.name)));
    quote! {
        #doc
        #[must_use]
        pub fn #setter(mut self, key: impl Into<String>, value: #ty) -> Self {
            self.#name.insert(key.into(), value);
            self
        }
    }
}

/// `with_<field>`, which sets an optional field; for a `Nullable` field
/// also the setter that sends it as `null`.
fn setter(api: &Api, f: &Field) -> TokenStream {
    let field = ident(&f.name);
    let setter = format_ident!("{}", naming::setter_name(&f.name));
    let ty = type_tokens(api, &f.ty);
    let doc = docs(Some(&format!("Sets `{}`.", f.name)));
    let Some(null_setter) = &f.null_setter else {
        return quote! {
            #doc
            #[must_use]
            pub fn #setter(mut self, value: #ty) -> Self {
                self.#field = Some(value);
                self
            }
        };
    };
    let null_setter = format_ident!("{}", null_setter);
    let null_doc = docs(Some(&format!(
        "Sends `{}` as `null` (the spec allows it), instead of leaving it out.",
        f.name
    )));
    quote! {
        #doc
        #[must_use]
        pub fn #setter(mut self, value: #ty) -> Self {
            self.#field = super::runtime::Nullable::Value(value);
            self
        }

        #null_doc
        #[must_use]
        pub fn #null_setter(mut self) -> Self {
            self.#field = super::runtime::Nullable::Null;
            self
        }
    }
}

/// `new`, which takes the fields that are not an `Option` (in order, or as
/// one struct of them when there are too many for clippy's
/// `too_many_arguments`) and leaves every other field `None`; and that
/// struct of required fields, if any.
fn constructor(
    api: &Api,
    name: &proc_macro2::Ident,
    s: &Struct,
) -> (TokenStream, Option<TokenStream>) {
    let mandatory: Vec<_> = s.mandatory_fields().map(|f| ident(&f.name)).collect();
    let types: Vec<_> = s
        .mandatory_fields()
        .map(|f| type_tokens(api, &f.ty))
        .collect();
    let optional = s.fields.iter().filter(|f| !f.is_mandatory()).map(|f| {
        let name = ident(&f.name);
        if f.null_setter.is_some() {
            quote!(#name: super::runtime::Nullable::Absent,)
        } else {
            quote!(#name: None,)
        }
    });
    let additional = s.additional.as_ref().map(|a| {
        let name = ident(&a.name);
        quote!(#name: std::collections::BTreeMap::new(),)
    });
    let init = quote!(#(#optional)* #additional);
    let doc_text = if mandatory.is_empty() && s.fields.iter().any(|f| f.null_setter.is_some()) {
        "Creates the value with every field `None` (or `Nullable::Absent`: not sent); set them with the `with_` setters."
    } else if mandatory.is_empty() {
        "Creates the value with every field `None`; set them with the `with_` setters."
    } else {
        "Creates the value from its required fields; set the others with the `with_` setters."
    };
    let doc = docs(Some(doc_text));
    let Some(required) = &s.required_type else {
        let new = quote! {
            #doc
            #[must_use]
            pub fn new(#(#mandatory: #types),*) -> Self {
                Self { #(#mandatory,)* #init }
            }
        };
        return (new, None);
    };
    let required = ident(required);
    let required_doc = docs(Some(&format!(
        "The required fields of [`{name}`], the argument of [`{name}::new`]."
    )));
    let new = quote! {
        #doc
        #[must_use]
        pub fn new(required: #required) -> Self {
            Self { #(#mandatory: required.#mandatory,)* #init }
        }
    };
    let item = quote! {
        #required_doc
        #[derive(Debug, Clone, PartialEq)]
        pub struct #required {
            #(pub #mandatory: #types,)*
        }
    };
    (new, Some(item))
}

/// `#[serde(rename)]`, only where the Rust name differs from the wire name.
fn rename(rust: &str, wire: &str) -> Option<TokenStream> {
    (rust != wire).then(|| {
        let wire = proc_macro2::Literal::string(wire);
        quote!(#[serde(rename = #wire)])
    })
}

fn field(api: &Api, f: &Field) -> TokenStream {
    let name = ident(&f.name);
    let doc = docs(f.docs.as_deref());
    let inner = type_tokens(api, &f.ty);
    if f.flatten {
        return quote! {
            #doc
            #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
            pub #name: Option<#inner>,
        };
    }
    let rename = (f.name != f.wire_name).then(|| {
        let wire = proc_macro2::Literal::string(&f.wire_name);
        quote!(rename = #wire)
    });
    if f.required {
        let attr = rename.map(|r| quote!(#[serde(#r)]));
        if f.nullable {
            quote! { #doc #attr pub #name: Option<#inner>, }
        } else {
            quote! { #doc #attr pub #name: #inner, }
        }
    } else if f.null_setter.is_some() {
        let rename = rename.map(|r| quote!(#r,));
        quote! {
            #doc
            #[serde(#rename default, skip_serializing_if = "super::runtime::Nullable::is_absent")]
            pub #name: super::runtime::Nullable<#inner>,
        }
    } else {
        let rename = rename.map(|r| quote!(#r,));
        quote! {
            #doc
            #[serde(#rename default, skip_serializing_if = "Option::is_none")]
            pub #name: Option<#inner>,
        }
    }
}

/// A string enum that keeps values the spec does not list in `Unknown`, so
/// a new value on the server does not break decoding; `#[non_exhaustive]`,
/// so a new value in the spec (a new variant) does not break `match`es.
fn string_enum(name: &proc_macro2::Ident, doc: Docs, e: &StringEnum) -> TokenStream {
    let variants: Vec<_> = e.variants.iter().map(|v| ident(&v.name)).collect();
    let wires: Vec<_> = e
        .variants
        .iter()
        .map(|v| proc_macro2::Literal::string(&v.wire_name))
        .collect();
    let variant_docs = e
        .variants
        .iter()
        .map(|v| docs(Some(&format!("`{}`", v.wire_name))));
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #name {
            #( #variant_docs #variants, )*
            /// A value this version of the spec does not list.
            Unknown(String),
        }

        impl #name {
            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #( Self::#variants => #wires, )*
                    Self::Unknown(value) => value,
                }
            }
        }

        impl std::fmt::Display for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #( #wires => Self::#variants, )*
                    other => Self::Unknown(other.to_string()),
                }
            }
        }

        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(deserializer)?;
                Ok(Self::from(value.as_ref()))
            }
        }
    }
}

/// The typed error bodies of an operation, `#[non_exhaustive]`: a new
/// error status in the spec adds a variant without breaking `match`es.
fn error_enum(api: &Api, op: &Operation) -> TokenStream {
    let name = ident(&op.error_type);
    let doc_text = format!("Typed bodies of the error statuses `{}` declares.", op.name);
    let doc = docs(Some(&doc_text));
    let variants = op.errors.iter().map(|e| {
        Lazy(move || {
            let variant = ident(&e.variant);
            let text = match &e.docs {
                Some(d) => format!("{} {d}", e.status),
                None => format!("Status {}.", e.status),
            };
            let doc = docs(Some(&text));
            match &e.ty {
                Some(ty) => {
                    let ty = type_tokens(api, ty);
                    quote! { #doc #variant(#ty), }
                }
                None => quote! { #doc #variant, },
            }
        })
    });
    let body = Lazy(|| {
        if op.errors.is_empty() {
            return quote! {
                let _ = (status, body);
                None
            };
        }
        let arms = op.errors.iter().map(|e| {
            let variant = ident(&e.variant);
            let status = proc_macro2::Literal::u16_unsuffixed(e.status);
            match e.ty {
                Some(_) => {
                    quote! { #status => Some(serde_json::from_slice(body).map(Self::#variant)), }
                }
                None => quote! { #status => Some(Ok(Self::#variant)), },
            }
        });
        // Statuses without a body do not read it.
        let unread = op
            .errors
            .iter()
            .all(|e| e.ty.is_none())
            .then(|| quote!(let _ = body;));
        quote! {
            #unread
            match status {
                #(#arms)*
                _ => None,
            }
        }
    });
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
        }

        impl super::runtime::ApiError for #name {
            fn from_response(status: u16, body: &[u8]) -> Option<Result<Self, serde_json::Error>> {
                #body
            }
        }
    }
}

/// For operations whose 2xx statuses carry different bodies: an enum with
/// one variant per status.
fn success_enum(api: &Api, op: &Operation) -> Option<TokenStream> {
    let Success::ByStatus { type_name, cases } = &op.success else {
        return None;
    };
    let name = ident(type_name);
    let doc = docs(Some(&format!(
        "The successful answers of `{}`, by status.",
        op.name
    )));
    let variants = cases.iter().map(|case| {
        Lazy(move || {
            let variant = ident(&case.variant);
            let doc = docs(Some(&format!("Status {}.", case.status)));
            match &case.payload {
                Some(payload) => {
                    let ty = type_tokens(api, &payload.ty);
                    quote! { #doc #variant(#ty), }
                }
                None => quote! { #doc #variant, },
            }
        })
    });
    Some(quote! {
        #doc
        #[derive(Debug, Clone, PartialEq)]
        pub enum #name {
            #(#variants)*
        }
    })
}

/// `oneOf`/`anyOf`. Without a discriminator the alternatives are tried in
/// order (serde's untagged enums), and the enum is exhaustive: a JSON value
/// that fits no variant fails to decode, so a new alternative is a new
/// shape old code cannot read anyway. With one, the property picks the
/// variant, a value the spec does not list is kept as `Unknown`, and the
/// enum is `#[non_exhaustive]`, like string enums, so new tags are
/// compatible.
fn union(api: &Api, name: &proc_macro2::Ident, doc: Docs, u: &Union) -> TokenStream {
    let variants: Vec<_> = u
        .variants
        .iter()
        .map(|v| {
            Lazy(move || {
                let variant = ident(&v.name);
                let ty = type_tokens(api, &v.ty);
                quote! { #variant(#ty), }
            })
        })
        .collect();
    let Some(d) = &u.discriminator else {
        return quote! {
            #doc
            #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
            #[serde(untagged)]
            pub enum #name {
                #(#variants)*
            }
        };
    };
    let property = &d.property;
    let unknown_doc = docs(Some(&format!(
        "A `{property}` this version of the spec does not list."
    )));
    let serialize = Lazy(|| tag_writer(name, u, d));
    let deserialize = Lazy(|| tag_reader(api, name, u, d));
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            #unknown_doc
            Unknown(serde_json::Value),
        }

        #serialize
        #deserialize
    }
}

/// `Serialize` of a discriminated union: the variant's value with the
/// property set to the variant's tag (its first value in the mapping), so
/// the tag always names the variant. A variant without a tag, and
/// `Unknown`, are written as they are.
fn tag_writer(name: &proc_macro2::Ident, u: &Union, d: &Discriminator) -> TokenStream {
    let property = &d.property;
    let arms = u.variants.iter().enumerate().map(|(index, v)| {
        let variant = ident(&v.name);
        match d.mapping.iter().find(|(_, i)| *i == index) {
            Some((tag, _)) => quote!(Self::#variant(value) => (#tag, serde_json::to_value(value)),),
            None => quote!(Self::#variant(value) => return serde::Serialize::serialize(value, serializer),),
        }
    });
    quote! {
        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let (tag, value) = match self {
                    #(#arms)*
                    Self::Unknown(value) => return serde::Serialize::serialize(value, serializer),
                };
                let mut value = value.map_err(serde::ser::Error::custom)?;
                if let Some(object) = value.as_object_mut() {
                    object.insert(#property.to_string(), serde_json::Value::from(tag));
                }
                serde::Serialize::serialize(&value, serializer)
            }
        }
    }
}

/// `Deserialize` of a discriminated union: the property picks the variant;
/// a variant whose struct has no such field decodes the object without it
/// (so a map of other keys does not take it); an unlisted value is kept.
fn tag_reader(api: &Api, name: &proc_macro2::Ident, u: &Union, d: &Discriminator) -> TokenStream {
    let property = &d.property;
    let arms = d.mapping.iter().filter_map(|(value, index)| {
        let v = u.variants.get(*index)?;
        let variant = ident(&v.name);
        let decode = quote! {
            serde_json::from_value(value).map(Self::#variant).map_err(serde::de::Error::custom)
        };
        if holds_property(api, &v.ty, property) {
            return Some(quote!(Some(#value) => #decode,));
        }
        Some(quote! {
            Some(#value) => {
                let mut value = value;
                if let Some(object) = value.as_object_mut() {
                    object.remove(#property);
                }
                #decode
            }
        })
    });
    quote! {
        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <serde_json::Value as serde::Deserialize>::deserialize(deserializer)?;
                let tag = value.get(#property).and_then(serde_json::Value::as_str).map(str::to_owned);
                match tag.as_deref() {
                    #(#arms)*
                    _ => Ok(Self::Unknown(value)),
                }
            }
        }
    }
}

/// Whether `ty` is not a struct without a field for the wire name
/// `property` (a struct whose tag the union writes, see `lower::tags`).
fn holds_property(api: &Api, ty: &TypeRef, property: &str) -> bool {
    match ty {
        TypeRef::Named(id) => match api.types.get(*id).map(|t| &t.kind) {
            Some(TypeKind::Struct(s)) => s
                .fields
                .iter()
                .any(|f| !f.flatten && f.wire_name == property),
            _ => true,
        },
        _ => true,
    }
}
