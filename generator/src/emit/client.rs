//! The `client` module: one method per operation on `Client`, taking the
//! operation's required arguments and returning its request builder (see
//! [`super::builders`]).

use proc_macro2::TokenStream;
use quote::{quote, ToTokens};

use super::{docs, ident, type_tokens};
use crate::model::*;
use crate::render::{Part, RustFile};

/// One `impl Client` block: one method per operation.
pub fn module(api: &Api) -> RustFile<'_> {
    let operations = api
        .operations
        .iter()
        .map(|op| -> Part<'_> { Box::new(move || operation(api, op)) })
        .collect();
    let head = || {
        quote! {
            //! One method per operation of the API: each takes the operation's
            //! required arguments and returns its request builder.
            use super::builders;
            use super::runtime::{CallOptions, Client};
            #[allow(unused_imports)]
            use super::types;
        }
    };
    RustFile::impl_block(head, "Client", operations)
}

/// The declared type of an argument, borrowed for the builder's lifetime
/// `'c`, without the `Option` of an optional one.
pub(super) fn argument_type(api: &Api, p: &Parameter) -> TokenStream {
    match &p.ty {
        TypeRef::Vec(item) => {
            let item = type_tokens(api, item);
            quote!(&'c [#item])
        }
        other => scalar_argument(api, other, quote!(value)).0,
    }
}

/// The declared type of the body argument, borrowed for `'c`.
pub(super) fn body_type(api: &Api, body: &RequestBody) -> TokenStream {
    let ty = match body.kind {
        BodyKind::Bytes => quote!([u8]),
        BodyKind::Text => quote!(str),
        BodyKind::RawMultipart => quote!(super::runtime::MultipartForm),
        _ => type_tokens(api, &body.ty).to_token_stream(),
    };
    quote!(&'c #ty)
}

/// The argument type for a scalar and an expression turning `value` (of
/// that type) into a `&str`-compatible `String` or `&str`.
pub(super) fn scalar_argument(
    api: &Api,
    ty: &TypeRef,
    value: TokenStream,
) -> (TokenStream, TokenStream) {
    match ty {
        TypeRef::String => (quote!(&'c str), value),
        TypeRef::Bool | TypeRef::I32 | TypeRef::I64 | TypeRef::F32 | TypeRef::F64 => {
            let t = type_tokens(api, ty);
            (quote!(#t), quote!(&#value.to_string()))
        }
        TypeRef::Date => (quote!(chrono::NaiveDate), quote!(&#value.to_string())),
        TypeRef::DateTime => (
            quote!(&'c chrono::DateTime<chrono::FixedOffset>),
            quote!(&#value.to_rfc3339()),
        ),
        other => {
            let t = type_tokens(api, other);
            (quote!(&'c #t), quote!(&#value.to_string()))
        }
    }
}

/// The required arguments of `op`, in order: `(name, type)`, the body last.
pub(super) fn required_arguments(api: &Api, op: &Operation) -> Vec<(TokenStream, TokenStream)> {
    let mut out: Vec<_> = op
        .params
        .iter()
        .filter(|p| p.required)
        .map(|p| (ident(&p.name).into_token_stream(), argument_type(api, p)))
        .collect();
    if let Some(body) = op.body.as_ref().filter(|b| b.required) {
        out.push((quote!(body), body_type(api, body)));
    }
    out
}

/// The method of `op`: its documentation and the builder it returns.
fn operation(api: &Api, op: &Operation) -> TokenStream {
    let name = ident(&op.name);
    let builder = ident(&op.builder);
    let doc = docs(Some(&method_docs(op)));
    let required = required_arguments(api, op);
    let names: Vec<_> = required.iter().map(|(name, _)| name.clone()).collect();
    let optional = op
        .params
        .iter()
        .filter(|p| !p.required)
        .map(|p| ident(&p.name));
    let optional_body = op
        .body
        .as_ref()
        .filter(|b| !b.required)
        .map(|_| quote!(body: None,));
    let construct = quote! {
        builders::#builder {
            client: self,
            #(#names,)*
            #(#optional: None,)*
            #optional_body
            options: CallOptions::default(),
        }
    };
    match &op.required_args {
        None => {
            let params = required.iter().map(|(name, ty)| quote!(#name: #ty));
            quote! {
                #doc
                pub fn #name<'c>(&'c self, #(#params),*) -> builders::#builder<'c> {
                    #construct
                }
            }
        }
        Some(args) => {
            let args = ident(args);
            quote! {
                #doc
                pub fn #name<'c>(&'c self, args: builders::#args<'c>) -> builders::#builder<'c> {
                    let builders::#args { #(#names),* } = args;
                    #construct
                }
            }
        }
    }
}

/// The documentation of the method of `op`: the spec's summary and
/// description, the HTTP method and path, and the required arguments.
fn method_docs(op: &Operation) -> String {
    let method_str = op.method.as_str();
    let mut doc_lines = Vec::new();
    // YAML block scalars end with a newline, which is not a blank line.
    let summary = op.summary.as_deref().map(str::trim_end);
    if let Some(summary) = summary.filter(|s| !s.is_empty()) {
        doc_lines.push(summary.to_string());
    }
    if let Some(description) = op.description.as_deref().map(str::trim_end) {
        if !description.is_empty() && summary != Some(description) {
            if !doc_lines.is_empty() {
                doc_lines.push(String::new());
            }
            doc_lines.push(description.to_string());
        }
    }
    if !doc_lines.is_empty() {
        doc_lines.push(String::new());
    }
    doc_lines.push(format!("`{method_str} {}`", op.path));
    let arg_docs: Vec<String> = op
        .params
        .iter()
        .filter(|p| p.required)
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
    doc_lines.push(String::new());
    let setters =
        op.params.iter().any(|p| !p.required) || op.body.as_ref().is_some_and(|b| !b.required);
    doc_lines.push(if setters {
        format!(
            "Returns a [`builders::{}`]: set optional parameters with its setters, then `.send().await` (or `.await`).",
            op.builder
        )
    } else {
        format!(
            "Returns a [`builders::{}`]: `.await` it (or `.send().await`), or `.send_with_response().await` for the status and headers too.",
            op.builder
        )
    });
    doc_lines.join("\n")
}
