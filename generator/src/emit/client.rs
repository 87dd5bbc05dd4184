//! The `client` module: one async method per operation on `Client`, plus a
//! `_with_response` twin that also returns status and headers.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, ToTokens};

use super::{docs, ident, type_tokens, Lazy};
use crate::model::*;
use crate::render::{Part, RustFile};

/// One `impl Client` block: per operation, the method and its
/// `_with_response` twin.
pub fn module(api: &Api) -> RustFile<'_> {
    let operations = api
        .operations
        .iter()
        .map(|op| -> Part<'_> { Box::new(move || operation(api, op)) })
        .collect();
    let head = || {
        quote! {
            //! One method per operation of the API.
            use super::runtime::{Client, Error, Request, Response};
            use super::types;
        }
    };
    RustFile::impl_block(head, "Client", operations)
}

/// The declared type of an argument.
fn argument_type(api: &Api, p: &Parameter) -> TokenStream {
    let ty = match &p.ty {
        TypeRef::Vec(item) => {
            let item = type_tokens(api, item);
            quote!(&[#item])
        }
        other => scalar_argument(api, other, quote!(value)).0,
    };
    if p.required {
        ty
    } else {
        quote!(Option<#ty>)
    }
}

/// The argument type for a scalar and an expression turning `value` (of
/// that type) into a `&str`-compatible `String` or `&str`.
fn scalar_argument(api: &Api, ty: &TypeRef, value: TokenStream) -> (TokenStream, TokenStream) {
    match ty {
        TypeRef::String => (quote!(&str), value),
        TypeRef::Bool | TypeRef::I32 | TypeRef::I64 | TypeRef::F32 | TypeRef::F64 => {
            let t = type_tokens(api, ty);
            (quote!(#t), quote!(&#value.to_string()))
        }
        TypeRef::Date => (quote!(chrono::NaiveDate), quote!(&#value.to_string())),
        TypeRef::DateTime => (
            quote!(&chrono::DateTime<chrono::FixedOffset>),
            quote!(&#value.to_rfc3339()),
        ),
        other => {
            let t = type_tokens(api, other);
            (quote!(&#t), quote!(&#value.to_string()))
        }
    }
}

fn operation(api: &Api, op: &Operation) -> TokenStream {
    let name = ident(&op.name);
    let with_response = format_ident!("{}_with_response", op.name);
    let error = ident(&op.error_type);
    let success = match &op.success {
        Success::Empty => quote!(()),
        Success::One(payload) => type_tokens(api, &payload.ty).to_token_stream(),
        Success::ByStatus { type_name, .. } => {
            let name = ident(type_name);
            quote!(types::#name)
        }
    };

    let mut arg_names: Vec<_> = op.params.iter().map(|p| ident(&p.name)).collect();
    if op.body.is_some() {
        arg_names.push(format_ident!("body"));
    }
    // Both methods take these: made once, and copied into each.
    let params = parameters(api, op);
    let steps = Lazy(|| steps(api, op));
    let send = Lazy(|| send(api, op));
    let method = format_ident!("{}", op.method.as_str());
    let path_template = proc_macro2::Literal::string(&op.path);
    let method_str = op.method.as_str();

    let mut doc_lines = Vec::new();
    if let Some(summary) = &op.summary {
        doc_lines.push(summary.clone());
    }
    if let Some(description) = &op.description {
        if op.summary.as_deref() != Some(description.as_str()) {
            if !doc_lines.is_empty() {
                doc_lines.push(String::new());
            }
            doc_lines.push(description.clone());
        }
    }
    if !doc_lines.is_empty() {
        doc_lines.push(String::new());
    }
    doc_lines.push(format!("`{method_str} {}`", op.path));
    let arg_docs: Vec<String> = op
        .params
        .iter()
        .filter_map(|p| {
            p.docs
                .as_ref()
                .map(|d| format!("- `{}`: {}", p.name, d.trim()))
        })
        .collect();
    if !arg_docs.is_empty() {
        doc_lines.push(String::new());
        doc_lines.push("# Arguments".to_string());
        doc_lines.extend(arg_docs);
    }
    let doc = docs(Some(&doc_lines.join("\n")));
    let twin_doc = docs(Some(&format!(
        "Like [`Client::{}`], and also returns the status and headers.",
        op.name
    )));

    quote! {
        #doc
        pub async fn #name(&self, #params) -> Result<#success, Error<types::#error>> {
            self.#with_response(#(#arg_names),*).await.map(Response::into_body)
        }

        #twin_doc
        pub async fn #with_response(&self, #params) -> Result<Response<#success>, Error<types::#error>> {
            let mut request = Request::new(reqwest::Method::#method, #path_template);
            #steps
            #send
        }
    }
}

/// The parameters of the methods of `op`: `name: Type`, separated by commas.
fn parameters(api: &Api, op: &Operation) -> TokenStream {
    let mut out = TokenStream::new();
    for p in &op.params {
        if !out.is_empty() {
            out.extend(quote!(,));
        }
        let name = ident(&p.name);
        let ty = argument_type(api, p);
        out.extend(quote!(#name: #ty));
    }
    if let Some(body) = &op.body {
        if !out.is_empty() {
            out.extend(quote!(,));
        }
        let ty = match body.kind {
            BodyKind::Bytes => quote!([u8]),
            BodyKind::Text => quote!(str),
            _ => type_tokens(api, &body.ty).to_token_stream(),
        };
        if body.required {
            out.extend(quote!(body: &#ty));
        } else {
            out.extend(quote!(body: Option<&#ty>));
        }
    }
    out
}

/// The statements that build the request of `op` from its arguments.
fn steps(api: &Api, op: &Operation) -> TokenStream {
    let mut steps = TokenStream::new();
    for segment in &op.segments {
        match segment {
            PathSegment::Literal(text) => {
                let text = proc_macro2::Literal::string(text);
                steps.extend(quote!(request.path_literal(#text);));
            }
            PathSegment::Param(i) => {
                if let Some(p) = op.params.get(*i) {
                    let wire = proc_macro2::Literal::string(&p.wire_name);
                    let (_, value) =
                        scalar_argument(api, &p.ty, ident(&p.name).into_token_stream());
                    steps.extend(quote!(request.path_param(#wire, #value)?;));
                }
            }
        }
    }
    for p in op
        .params
        .iter()
        .filter(|p| p.location != ParamLocation::Path)
    {
        steps.extend(non_path_param(api, p));
    }
    for &i in &op.constant_headers {
        if let Some(h) = api.constant_headers.get(i) {
            let wire = proc_macro2::Literal::string(&h.name.to_ascii_lowercase());
            let constant = ident(&h.const_name);
            steps.extend(quote!(request.constant_header(#wire, super::headers::#constant);));
        }
    }
    if let Some(body) = &op.body {
        let encode = encode_body(api, body);
        if body.required {
            steps.extend(encode);
        } else {
            steps.extend(quote!(if let Some(body) = body { #encode }));
        }
    }
    if !op.auth {
        steps.extend(quote!(request.without_auth();));
    }
    steps
}

/// The expression that sends the request of `op` and decodes the answer.
fn send(api: &Api, op: &Operation) -> TokenStream {
    match &op.success {
        Success::Empty => quote!(self.send_empty(request).await),
        Success::One(Payload {
            kind: MediaKind::Json,
            ..
        }) => quote!(self.send(request).await),
        Success::One(payload) => {
            let decode = decode_payload(api, Some(payload));
            quote!(self.send_with(request, |_, body| #decode).await)
        }
        Success::ByStatus { type_name, cases } => {
            let name = ident(type_name);
            let arms = cases.iter().map(|case| {
                let status = proc_macro2::Literal::u16_unsuffixed(case.status);
                let variant = ident(&case.variant);
                let decode = decode_payload(api, case.payload.as_ref());
                match &case.payload {
                    Some(_) => quote!(#status => #decode.map(types::#name::#variant),),
                    None => quote!(#status => Ok(types::#name::#variant),),
                }
            });
            // A 2xx the spec does not list decodes as the first listed one.
            let fallback = cases.first().map(|case| {
                let variant = ident(&case.variant);
                let decode = decode_payload(api, case.payload.as_ref());
                match &case.payload {
                    Some(_) => quote!(_ => #decode.map(types::#name::#variant),),
                    None => quote!(_ => Ok(types::#name::#variant),),
                }
            });
            quote!(self.send_with(request, |status, body| match status { #(#arms)* #fallback }).await)
        }
    }
}

fn non_path_param(api: &Api, p: &Parameter) -> TokenStream {
    let name = ident(&p.name);
    let send = |value: TokenStream| match p.location {
        ParamLocation::Query => {
            let wire = proc_macro2::Literal::string(&p.wire_name);
            quote!(request.query(#wire, #value);)
        }
        ParamLocation::Cookie => {
            let wire = proc_macro2::Literal::string(&p.wire_name);
            quote!(request.cookie(#wire, #value)?;)
        }
        _ => {
            let wire = proc_macro2::Literal::string(&p.wire_name.to_ascii_lowercase());
            quote!(request.header(#wire, #value)?;)
        }
    };
    let separator = match p.style {
        ArrayStyle::Repeat => None,
        ArrayStyle::Comma => Some(","),
        ArrayStyle::Space => Some(" "),
        ArrayStyle::Pipe => Some("|"),
    };
    match (&p.ty, p.required, separator) {
        (TypeRef::Vec(item), required, Some(separator)) => {
            let to_string = match item.as_ref() {
                TypeRef::DateTime => quote!(item.to_rfc3339()),
                _ => quote!(item.to_string()),
            };
            let one = send(
                quote!(&values.iter().map(|item| #to_string).collect::<Vec<_>>().join(#separator)),
            );
            if required {
                quote! { { let values = #name; #one } }
            } else {
                quote! { if let Some(values) = #name { #one } }
            }
        }
        (TypeRef::Vec(item), required, None) => {
            let one = send(scalar_argument(api, item, quote!(item)).1);
            let values = if required {
                quote!(#name)
            } else {
                quote!(values)
            };
            let each = quote! { for item in #values { #one } };
            if required {
                each
            } else {
                quote! { if let Some(values) = #name { #each } }
            }
        }
        (ty, true, _) => send(scalar_argument(api, ty, quote!(#name)).1),
        (ty, false, _) => {
            let one = send(scalar_argument(api, ty, quote!(value)).1);
            quote! { if let Some(value) = #name { #one } }
        }
    }
}

/// An expression decoding `body` (a `&[u8]`) into a payload's type, as a
/// `Result<_, serde_json::Error>`.
fn decode_payload(_api: &Api, payload: Option<&Payload>) -> TokenStream {
    match payload.map(|p| p.kind) {
        Some(MediaKind::Json) => quote!(serde_json::from_slice(body)),
        Some(MediaKind::Text) => quote!(Ok::<_, serde_json::Error>(
            String::from_utf8_lossy(body).into_owned()
        )),
        Some(MediaKind::Bytes) => quote!(Ok::<_, serde_json::Error>(body.to_vec())),
        None => quote!(Ok::<_, serde_json::Error>(())),
    }
}

/// Statements that put `body` into `request`.
fn encode_body(api: &Api, body: &RequestBody) -> TokenStream {
    let content_type = &body.content_type;
    match body.kind {
        BodyKind::Json => quote!(request.json(body)?;),
        BodyKind::Form => quote!(request.form(body)?;),
        BodyKind::Text => quote!(request.raw(body.as_bytes().to_vec(), #content_type);),
        BodyKind::Bytes => quote!(request.raw(body.to_vec(), #content_type);),
        BodyKind::Multipart => {
            let fields = match &body.ty {
                TypeRef::Named(id) => match api.types.get(*id).map(|t| &t.kind) {
                    Some(TypeKind::Struct(s)) => s.fields.clone(),
                    _ => Vec::new(),
                },
                _ => Vec::new(),
            };
            let parts = fields.iter().filter(|f| !f.flatten).map(|f| {
                let field = ident(&f.name);
                let wire = &f.wire_name;
                let add = match &f.ty {
                    TypeRef::Bytes => quote!(form.bytes(#wire, value.clone());),
                    TypeRef::String => quote!(form.text(#wire, value);),
                    _ => quote!(form.json(#wire, value)?;),
                };
                if f.required && !f.nullable {
                    quote! { { let value = &body.#field; #add } }
                } else {
                    quote! { if let Some(value) = &body.#field { #add } }
                }
            });
            quote! {
                let mut form = super::runtime::Multipart::new();
                #(#parts)*
                request.multipart(form);
            }
        }
    }
}
