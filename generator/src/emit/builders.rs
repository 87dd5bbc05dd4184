//! The `builders` module: one request builder per operation. A builder
//! holds the required arguments the client method was given, has one setter
//! per optional parameter and the per-call options (`timeout`, `header`,
//! `retry_policy`, `idempotency_key`), and sends the request with `send` /
//! `send_with_response`, or when it is awaited (`IntoFuture`).

use proc_macro2::TokenStream;
use quote::{quote, ToTokens};

use super::client::{argument_type, body_type, required_arguments, scalar_argument};
use super::{docs, ident, type_tokens, Lazy};
use crate::model::*;
use crate::render::{Part, RustFile};

/// The items of the `builders` module: per operation, its builder, the
/// builder's methods, its `IntoFuture` and, for an operation with many
/// required arguments, their struct.
pub fn module(api: &Api) -> RustFile<'_> {
    let builders = api
        .operations
        .iter()
        .map(|op| -> Part<'_> { Box::new(move || builder(api, op)) })
        .collect();
    let head = || {
        quote! {
            //! The request builders, one per operation: made by the method of
            //! [`Client`] of the same name, sent by `.send()` or by `.await`.
            use super::runtime::{CallOptions, Client, Error, Request, Response, RetryPolicy};
            #[allow(unused_imports)]
            use super::types;
        }
    };
    RustFile::items(head, builders)
}

fn builder(api: &Api, op: &Operation) -> TokenStream {
    let args = op.required_args.as_ref().map(|_| args_struct(api, op));
    let definition = definition(api, op);
    let setters = Lazy(|| setters(api, op));
    let options = call_options();
    let send = Lazy(|| send_methods(api, op));
    let into_future = into_future(api, op);
    let name = ident(&op.builder);
    quote! {
        #args
        #definition
        impl<'c> #name<'c> {
            #setters
            #options
            #send
        }
        #into_future
    }
}

/// What a 2xx answer of `op` decodes into, and its error type.
fn result_types(api: &Api, op: &Operation) -> (TokenStream, TokenStream) {
    let success = match &op.success {
        Success::Empty => quote!(()),
        Success::One(payload) => type_tokens(api, &payload.ty).to_token_stream(),
        Success::ByStatus { type_name, .. } => {
            let name = ident(type_name);
            quote!(types::#name)
        }
    };
    let error = ident(&op.error_type);
    (success, quote!(Error<types::#error>))
}

/// The builder struct: the client, every argument, the call options.
fn definition(api: &Api, op: &Operation) -> TokenStream {
    let name = ident(&op.builder);
    let doc = docs(Some(&format!(
        "The request of [`Client::{}`]: set optional parameters and per-call options, then `.send().await` or `.await` it.",
        op.name
    )));
    let required = required_arguments(api, op)
        .into_iter()
        .map(|(name, ty)| quote!(pub(super) #name: #ty,));
    let optional = op.params.iter().filter(|p| !p.required).map(|p| {
        let name = ident(&p.name);
        let ty = argument_type(api, p);
        quote!(pub(super) #name: Option<#ty>,)
    });
    let optional_body = op.body.as_ref().filter(|b| !b.required).map(|body| {
        let ty = body_type(api, body);
        quote!(pub(super) body: Option<#ty>,)
    });
    quote! {
        #doc
        #[derive(Debug)]
        #[must_use = "a request builder sends nothing until it is sent or awaited"]
        pub struct #name<'c> {
            pub(super) client: &'c Client,
            #(#required)*
            #(#optional)*
            #optional_body
            pub(super) options: CallOptions,
        }
    }
}

/// The struct of the required arguments of an operation that has more of
/// them than a method takes positionally: named fields, so they cannot be
/// swapped.
fn args_struct(api: &Api, op: &Operation) -> TokenStream {
    let Some(name) = &op.required_args else {
        return TokenStream::new();
    };
    let name = ident(name);
    let doc = docs(Some(&format!(
        "The required arguments of [`Client::{}`].",
        op.name
    )));
    let param_docs = op
        .params
        .iter()
        .filter(|p| p.required)
        .map(|p| p.docs.as_deref());
    let body_doc = op
        .body
        .as_ref()
        .filter(|b| b.required)
        .map(|_| Some("The request body."));
    let fields = required_arguments(api, op)
        .into_iter()
        .zip(param_docs.chain(body_doc))
        .map(|((field, ty), doc)| {
            let doc = docs(doc);
            quote! { #doc pub #field: #ty, }
        });
    quote! {
        #doc
        #[derive(Debug)]
        pub struct #name<'c> {
            #(#fields)*
        }
    }
}

/// One setter per optional parameter, and one for an optional body.
fn setters(api: &Api, op: &Operation) -> TokenStream {
    let mut out = TokenStream::new();
    for p in op.params.iter().filter(|p| !p.required) {
        let name = ident(&p.name);
        let ty = argument_type(api, p);
        let location = match p.location {
            ParamLocation::Path => "path",
            ParamLocation::Query => "query",
            ParamLocation::Header => "header",
            ParamLocation::Cookie => "cookie",
        };
        let mut text = format!("Sets the optional {location} parameter `{}`.", p.wire_name);
        if let Some(d) = &p.docs {
            text.push_str("\n\n");
            text.push_str(d.trim());
        }
        let doc = docs(Some(&text));
        let allow = naming_convention_allow(&p.name);
        out.extend(quote! {
            #doc
            #allow
            pub fn #name(mut self, #name: #ty) -> Self {
                self.#name = Some(#name);
                self
            }
        });
    }
    if let Some(body) = op.body.as_ref().filter(|b| !b.required) {
        let ty = body_type(api, body);
        out.extend(quote! {
            /// Sets the optional request body.
            pub fn body(mut self, body: #ty) -> Self {
                self.body = Some(body);
                self
            }
        });
    }
    out
}

/// A setter is named as its parameter, and takes the builder by value.
/// Clippy expects other receivers of methods whose names start with `is_`,
/// `as_`, `to_` or `from_`, or end with `_mut`; such a setter says so.
fn naming_convention_allow(name: &str) -> Option<TokenStream> {
    let conventional = ["is_", "as_", "to_", "from_"]
        .iter()
        .any(|prefix| name.starts_with(prefix))
        || name.ends_with("_mut");
    conventional.then(|| quote!(#[allow(clippy::wrong_self_convention)]))
}

/// The per-call options, the same for every builder; the runtime's
/// `CallOptions` applies them.
fn call_options() -> TokenStream {
    quote! {
        /// Overrides the client's timeout (`ClientBuilder::timeout`) for each
        /// attempt of this call.
        pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
            self.options.timeout(timeout);
            self
        }

        /// Overrides the client's deadline (`ClientBuilder::deadline`) for
        /// this call: every attempt and every wait between retries.
        pub fn deadline(mut self, deadline: std::time::Duration) -> Self {
            self.options.deadline(deadline);
            self
        }

        /// Sends an extra header with this call, replacing a header of the
        /// same name the operation sets. A name or value that cannot be
        /// sent, and `Authorization` (set by the client's credentials), are
        /// reported as `Error::InvalidRequest` when the request is sent.
        pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
            self.options.header(name, value);
            self
        }

        /// Overrides the client's retry policy (`ClientBuilder::retry_policy`)
        /// for this call.
        pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
            self.options.retry_policy(policy);
            self
        }

        /// Sends `key` as the `Idempotency-Key` header. The server then
        /// applies a repeated request once, so the call is retried (after a
        /// timeout or a 5xx) whatever its method. Use a fresh key per
        /// logical request, e.g. a UUID.
        pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
            self.options.idempotency_key(key);
            self
        }
    }
}

/// `send`, and `send_with_response`, which builds and sends the request.
fn send_methods(api: &Api, op: &Operation) -> TokenStream {
    let (success, error) = result_types(api, op);
    let method = quote::format_ident!("{}", op.method.as_str());
    let path_template = proc_macro2::Literal::string(&op.path);
    let mut fields: Vec<TokenStream> = op
        .params
        .iter()
        .map(|p| ident(&p.name).into_token_stream())
        .collect();
    if op.body.is_some() {
        fields.push(quote!(body));
    }
    let steps = Lazy(|| steps(api, op));
    let send = Lazy(|| send(op));
    let stream = op.pagination.as_ref().map(|p| into_stream(api, op, p));
    let streaming = matches!(
        op.success,
        Success::One(Payload {
            kind: MediaKind::Bytes,
            ..
        })
    )
    .then(|| {
        quote! {
            /// Sends the request and hands the 2xx body over as it arrives
            /// (`ByteStream`): no body limit applies and nothing is buffered,
            /// for downloads of any size. Error answers are read and decoded
            /// as by `send`.
            pub async fn send_streaming(
                self,
            ) -> Result<Response<super::runtime::ByteStream>, #error> {
                let client = self.client;
                let mut request = self.into_request()?;
                request.stream_success();
                client.send_streaming(request).await
            }
        }
    });
    quote! {
        /// Sends the request and decodes the answer.
        pub async fn send(self) -> Result<#success, #error> {
            self.send_with_response().await.map(Response::into_body)
        }

        /// Like `send`, and also returns the status and headers.
        pub async fn send_with_response(self) -> Result<Response<#success>, #error> {
            let client = self.client;
            let request = self.into_request()?;
            #send
        }

        #streaming

        #stream

        /// The request these arguments and options make.
        fn into_request(self) -> Result<Request, super::runtime::InvalidRequest> {
            let Self { client: _, #(#fields,)* options } = self;
            let mut request = Request::new(reqwest::Method::#method, #path_template);
            #steps
            request.apply(options)?;
            Ok(request)
        }
    }
}

/// `max_pages` and `into_stream`, for an operation whose answers are
/// paged: the runtime's `paginate` fetches the pages; the closures given to
/// it take the items and the next cursor or URL out of a page.
fn into_stream(api: &Api, op: &Operation, pagination: &Pagination) -> TokenStream {
    let (success, error) = result_types(api, op);
    let item = type_tokens(api, &pagination.item);
    let literal = |name: &str| proc_macro2::Literal::string(name);
    let limit = |limit: &Option<String>| match limit {
        Some(name) => {
            let name = literal(name);
            quote!(Some(#name))
        }
        None => quote!(None),
    };
    let (paging, next, how) = match &pagination.style {
        PageStyle::Offset { param, limit: size } => {
            let (param, size) = (literal(param), limit(size));
            let paging = quote!(Offset { param: #param, limit: #size });
            (paging, None, "by offset")
        }
        PageStyle::Page { param, limit: size } => {
            let (param, size) = (literal(param), limit(size));
            let paging = quote!(Page { param: #param, limit: #size });
            (paging, None, "by page number")
        }
        PageStyle::Cursor { param, next } => {
            let param = literal(param);
            (quote!(Cursor { param: #param }), Some(next), "by cursor")
        }
        PageStyle::NextUrl { next } => (quote!(NextUrl), Some(next), "by next-page URL"),
    };
    let items = field_path(&pagination.items);
    let next = match next {
        Some(steps) => {
            let mut value = quote!(body);
            for step in steps {
                let field = ident(&step.field);
                value = if step.nullable {
                    quote!(#value.#field.as_option()?)
                } else if step.optional {
                    quote!(#value.#field.as_ref()?)
                } else {
                    quote!(#value.#field)
                };
            }
            quote!(|body: &#success| Some(#value.to_string()))
        }
        None => quote!(|_: &#success| None),
    };
    let doc = docs(Some(&format!(
        "Every item of every page ({how}), fetched one page at a time as the stream is read, starting with the page these arguments ask for. The stream ends after the last page, after a page that fails (with its error), or after `max_pages` pages."
    )));
    quote! {
        /// Caps the pages `into_stream` fetches (default
        /// [`DEFAULT_MAX_PAGES`](super::DEFAULT_MAX_PAGES)).
        pub fn max_pages(mut self, pages: u32) -> Self {
            self.options.max_pages(pages);
            self
        }

        #doc
        pub fn into_stream(self) -> impl futures_util::Stream<Item = Result<#item, #error>> + Send + 'c {
            let client = self.client;
            let max_pages = self.options.page_cap();
            let pager = super::runtime::Pager {
                paging: super::runtime::Paging::#paging,
                items: |body: #success| #items,
                next: #next,
            };
            client.paginate(self.into_request(), pager, max_pages)
        }
    }
}

/// The expression that moves the items array out of `body` through
/// `steps`, as an `Option`.
fn field_path(steps: &[FieldStep]) -> TokenStream {
    let mut value = quote!(body);
    let Some((last, before)) = steps.split_last() else {
        return quote!(Some(#value));
    };
    for step in before {
        let field = ident(&step.field);
        value = if step.nullable {
            quote!(#value.#field.into_option()?)
        } else if step.optional {
            quote!(#value.#field?)
        } else {
            quote!(#value.#field)
        };
    }
    let field = ident(&last.field);
    if last.nullable {
        quote!(#value.#field.into_option())
    } else if last.optional {
        quote!(#value.#field)
    } else {
        quote!(Some(#value.#field))
    }
}

/// `IntoFuture`, so that awaiting the builder sends it.
fn into_future(api: &Api, op: &Operation) -> TokenStream {
    let name = ident(&op.builder);
    let (success, error) = result_types(api, op);
    quote! {
        impl<'c> std::future::IntoFuture for #name<'c> {
            type Output = Result<#success, #error>;
            type IntoFuture = std::pin::Pin<Box<dyn std::future::Future<Output = Self::Output> + Send + 'c>>;

            fn into_future(self) -> Self::IntoFuture {
                Box::pin(self.send())
            }
        }
    }
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
fn send(op: &Operation) -> TokenStream {
    match &op.success {
        Success::Empty => quote!(client.send_empty(request).await),
        Success::One(Payload {
            kind: MediaKind::Json,
            ..
        }) => quote!(client.send(request).await),
        Success::One(payload) => {
            let decode = decode_payload(payload, None);
            quote!(client.send_with(request, |_, body| #decode).await)
        }
        Success::ByStatus { type_name, cases } => {
            let name = ident(type_name);
            let arms = cases.iter().map(|case| {
                let status = proc_macro2::Literal::u16_unsuffixed(case.status);
                let variant = ident(&case.variant);
                match &case.payload {
                    Some(payload) => {
                        let decode = decode_payload(payload, Some(quote!(types::#name::#variant)));
                        quote!(#status => #decode,)
                    }
                    None => quote!(#status => Ok(types::#name::#variant),),
                }
            });
            let fallback = unlisted_status(&name, cases);
            quote!(client.send_with(request, |status, body| match status { #(#arms)* _ => #fallback, }).await)
        }
    }
}

/// The decoding of a 2xx the spec does not list, by its content: an empty
/// body as the first listed status without a body, another as the first
/// listed status whose body decodes it (the runtime's `by_content`).
fn unlisted_status(name: &proc_macro2::Ident, cases: &[StatusCase]) -> TokenStream {
    let empty = match cases.iter().find(|case| case.payload.is_none()) {
        Some(case) => {
            let variant = ident(&case.variant);
            quote!(Some(types::#name::#variant))
        }
        None => quote!(None),
    };
    let tries = cases.iter().filter_map(|case| {
        let variant = ident(&case.variant);
        let decode = decode_payload(case.payload.as_ref()?, Some(quote!(types::#name::#variant)));
        Some(quote!(|body| #decode))
    });
    quote!(super::runtime::by_content(body, #empty, &[#(#tries),*]))
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
/// `Result<_, serde_json::Error>`, its value passed to `wrap` (a variant
/// of a success enum) when there is one: inside the `Ok` for bodies that
/// cannot fail to decode, since clippy refuses `Ok(x).map(f)`.
fn decode_payload(payload: &Payload, wrap: Option<TokenStream>) -> TokenStream {
    let infallible = |value: TokenStream| match &wrap {
        Some(wrap) => quote!(Ok::<_, serde_json::Error>(#wrap(#value))),
        None => quote!(Ok::<_, serde_json::Error>(#value)),
    };
    match payload.kind {
        MediaKind::Json => match &wrap {
            Some(wrap) => quote!(super::runtime::json_body(body).map(#wrap)),
            None => quote!(super::runtime::json_body(body)),
        },
        MediaKind::Text => infallible(quote!(String::from_utf8_lossy(body).into_owned())),
        MediaKind::Bytes => infallible(quote!(body.to_vec())),
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
        BodyKind::RawMultipart => quote!(request.multipart(body.to_parts());),
        BodyKind::Multipart => {
            let object = match &body.ty {
                TypeRef::Named(id) => match api.types.get(*id).map(|t| &t.kind) {
                    Some(TypeKind::Struct(s)) => Some(s),
                    _ => None,
                },
                _ => None,
            };
            let fields = object.map(|s| s.fields.as_slice()).unwrap_or_default();
            let parts = fields.iter().map(|f| multipart_field(api, f));
            let additional = object.and_then(|s| s.additional.as_ref()).map(|a| {
                let field = ident(&a.name);
                let add = multipart_part(quote!(key), &a.ty);
                quote! { for (key, value) in &body.#field { #add } }
            });
            quote! {
                let mut form = super::runtime::Multipart::new();
                #(#parts)*
                #additional
                request.multipart(form);
            }
        }
    }
}

/// The statements that add the part of field `f` of `body` to `form`, if
/// it has a value. A flattened "either A or B" field adds the part of the
/// property that is set.
fn multipart_field(api: &Api, f: &Field) -> TokenStream {
    let field = ident(&f.name);
    let exclusive = match &f.ty {
        TypeRef::Named(id) if f.flatten => match api.types.get(*id).map(|t| &t.kind) {
            Some(TypeKind::Exclusive(x)) => Some(x),
            _ => None,
        },
        _ => None,
    };
    if let Some(exclusive) = exclusive {
        let ty = type_tokens(api, &f.ty);
        let arms = exclusive.variants.iter().map(|v| {
            let variant = ident(&v.name);
            let wire = &v.wire_name;
            let add = multipart_part(quote!(#wire), &v.ty);
            quote!(#ty::#variant(value) => { #add })
        });
        return quote! {
            if let Some(value) = &body.#field {
                match value { #(#arms)* }
            }
        };
    }
    let wire = &f.wire_name;
    let add = multipart_part(quote!(#wire), &f.ty);
    if f.is_mandatory() {
        quote! { { let value = &body.#field; #add } }
    } else if f.null_setter.is_some() {
        // A form has no `null`: a field sent as `null` is left out.
        quote! { if let super::runtime::Nullable::Value(value) = &body.#field { #add } }
    } else {
        quote! { if let Some(value) = &body.#field { #add } }
    }
}

/// The statement that adds `value` (a reference to a `ty`) to `form` as
/// the part named `name` (a `&str` expression): bytes as a file, strings
/// as text, others as JSON.
fn multipart_part(name: TokenStream, ty: &TypeRef) -> TokenStream {
    match ty {
        TypeRef::Bytes => quote!(form.bytes(#name, value.clone());),
        TypeRef::String => quote!(form.text(#name, value);),
        _ => quote!(form.json(#name, value)?;),
    }
}
