//! The `client` module: one async method per operation on `Client`, plus a
//! `_with_response` twin that also returns status and headers.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, ToTokens};

use super::{docs, ident, type_tokens};
use crate::model::*;

pub fn module(api: &Api) -> TokenStream {
    let methods = api.operations.iter().map(|op| operation(api, op));
    quote! {
        //! One method per operation of the API.
        use super::runtime::{Client, Error, Request, Response};
        use super::types;

        impl Client {
            #(#methods)*
        }
    }
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
            (t, quote!(&#value.to_string()))
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
        Some(ty) => type_tokens(api, ty),
        None => quote!(()),
    };

    let mut params = Vec::new();
    let mut arg_names = Vec::new();
    for p in &op.params {
        let name = ident(&p.name);
        let ty = argument_type(api, p);
        params.push(quote!(#name: #ty));
        arg_names.push(name);
    }
    if let Some(body) = &op.body {
        let ty = type_tokens(api, &body.ty);
        if body.required {
            params.push(quote!(body: &#ty));
        } else {
            params.push(quote!(body: Option<&#ty>));
        }
        arg_names.push(format_ident!("body"));
    }

    let mut steps = Vec::new();
    for segment in &op.segments {
        match segment {
            PathSegment::Literal(text) => steps.push(quote!(request.path_literal(#text);)),
            PathSegment::Param(i) => {
                if let Some(p) = op.params.get(*i) {
                    let wire = &p.wire_name;
                    let (_, value) =
                        scalar_argument(api, &p.ty, ident(&p.name).into_token_stream());
                    steps.push(quote!(request.path_param(#wire, #value)?;));
                }
            }
        }
    }
    for p in op
        .params
        .iter()
        .filter(|p| p.location != ParamLocation::Path)
    {
        steps.push(non_path_param(api, p));
    }
    for &i in &op.constant_headers {
        if let Some(h) = api.constant_headers.get(i) {
            let wire = h.name.to_ascii_lowercase();
            let constant = ident(&h.const_name);
            steps.push(quote!(request.constant_header(#wire, super::headers::#constant);));
        }
    }
    if let Some(body) = &op.body {
        if body.required {
            steps.push(quote!(request.json(body)?;));
        } else {
            steps.push(quote!(if let Some(body) = body {
                request.json(body)?;
            }));
        }
    }
    if !op.auth {
        steps.push(quote!(request.without_auth();));
    }
    let send = if op.success.is_some() {
        quote!(send)
    } else {
        quote!(send_empty)
    };
    let method = format_ident!("{}", op.method.as_str());
    let path_template = &op.path;
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
    doc_lines.push(format!("`{method_str} {path_template}`"));
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
    let params2 = params.clone();

    quote! {
        #doc
        pub async fn #name(&self, #(#params),*) -> Result<#success, Error<types::#error>> {
            self.#with_response(#(#arg_names),*).await.map(Response::into_body)
        }

        #twin_doc
        pub async fn #with_response(&self, #(#params2),*) -> Result<Response<#success>, Error<types::#error>> {
            let mut request = Request::new(reqwest::Method::#method, #path_template);
            #(#steps)*
            self.#send(request).await
        }
    }
}

fn non_path_param(api: &Api, p: &Parameter) -> TokenStream {
    let name = ident(&p.name);
    let send = |value: TokenStream| match p.location {
        ParamLocation::Query => {
            let wire = &p.wire_name;
            quote!(request.query(#wire, #value);)
        }
        _ => {
            let wire = p.wire_name.to_ascii_lowercase();
            quote!(request.header(#wire, #value)?;)
        }
    };
    match (&p.ty, p.required) {
        (TypeRef::Vec(item), required) => {
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
        (ty, true) => send(scalar_argument(api, ty, quote!(#name)).1),
        (ty, false) => {
            let one = send(scalar_argument(api, ty, quote!(value)).1);
            quote! { if let Some(value) = #name { #one } }
        }
    }
}
