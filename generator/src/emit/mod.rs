//! Emission: the model in, the files of the generated client out.
//!
//! Each submodule turns one part of the [`Api`] into tokens; this module
//! assembles them into files, either as a crate (`Cargo.toml`, `README.md`,
//! `src/*.rs`, `src/webhooks.rs` only for a spec with webhooks) or as one
//! self-contained module file. Emitters see only the
//! model, never openapiv3 types.

pub(crate) mod builders;
pub(crate) mod client;
pub(crate) mod example;
pub(crate) mod types;
pub(crate) mod webhooks;

use std::collections::BTreeMap;

use proc_macro2::{Ident, Span, TokenStream};
use quote::{quote, ToTokens};

use crate::diag::Error;
use crate::model::{Api, TypeRef};
use crate::render::{rust_file, rust_files, Provenance, RustFile};

/// The hand-written runtime, compiled as part of every generated client.
pub const RUNTIME: &str = include_str!("../../../templates/runtime.rs");
const CARGO_TOML: &str = include_str!("../../../templates/Cargo.toml.in");
const README: &str = include_str!("../../../templates/README.md.in");

/// Settings of the generated crate that do not come from the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrateInfo {
    /// Package name, e.g. `highlevel-calendars`.
    pub name: String,
    pub version: String,
}

impl CrateInfo {
    fn lib_name(&self) -> String {
        self.name.replace('-', "_")
    }
}

/// All files of the generated crate, keyed by `/`-separated relative path.
pub fn crate_files<'a>(
    api: &'a Api,
    info: &'a CrateInfo,
    provenance: &Provenance,
) -> Result<BTreeMap<String, String>, Error> {
    let mut files = BTreeMap::new();
    files.insert("Cargo.toml".to_string(), cargo_toml(info, provenance));
    files.insert("README.md".to_string(), readme(api, info, provenance));
    let rust = crate_rust_files(api, info);
    let texts = rust_files(provenance, &rust)?;
    for ((name, _), text) in rust.iter().zip(texts) {
        files.insert(name.to_string(), text);
    }
    files.insert(
        "src/runtime.rs".to_string(),
        format!("{}\n{RUNTIME}", provenance.rust_comment()),
    );
    Ok(files)
}

/// The Rust files of the crate but the runtime, rendered together by
/// [`rust_files`].
pub(crate) fn crate_rust_files<'a>(
    api: &'a Api,
    info: &'a CrateInfo,
) -> Vec<(&'static str, RustFile<'a>)> {
    let mut files = vec![
        ("src/meta.rs", RustFile::new(|| meta(api, info))),
        ("src/lib.rs", RustFile::new(|| lib_rs(api))),
        ("src/headers.rs", RustFile::new(|| headers(api))),
        ("src/types.rs", types::module(api)),
        ("src/builders.rs", builders::module(api)),
        ("src/client.rs", client::module(api)),
        ("src/examples.rs", example::tests(api)),
    ];
    if !api.webhooks.is_empty() {
        files.push((
            "src/webhooks.rs",
            RustFile::new(|| webhooks::module(api).unwrap_or_default()),
        ));
    }
    files
}

/// The files of the crate that name its version: what changes when only
/// the version does.
pub fn versioned_files(
    api: &Api,
    info: &CrateInfo,
    provenance: &Provenance,
) -> Result<BTreeMap<String, String>, Error> {
    let mut files = BTreeMap::new();
    files.insert("Cargo.toml".to_string(), cargo_toml(info, provenance));
    files.insert(
        "src/meta.rs".to_string(),
        rust_file(provenance, "src/meta.rs", meta(api, info))?,
    );
    Ok(files)
}

/// The whole client as one module file, for `include!` or `#[path]`.
pub fn module_file(api: &Api, info: &CrateInfo, provenance: &Provenance) -> Result<String, Error> {
    let runtime: syn::File = syn::parse_str(RUNTIME).map_err(|e| {
        crate::diag::Diagnostic::error(format!(
            "internal error: templates/runtime.rs does not parse: {e}"
        ))
    })?;
    // Inner attributes and docs of the runtime file become the module's.
    let runtime_items = runtime.items;
    let runtime_attrs = runtime.attrs;
    let meta = meta(api, info);
    let headers = headers(api);
    let types = types::module(api).tokens();
    let client = client::module(api).tokens();
    let builders = builders::module(api).tokens();
    let webhooks = webhooks::module(api).map(|items| quote! { pub mod webhooks { #items } });
    let tokens = quote! {
        pub mod runtime {
            #(#runtime_attrs)*
            #(#runtime_items)*
        }
        pub mod meta { #meta }
        pub mod headers { #headers }
        pub mod types { #types }
        pub mod client { #client }
        pub mod builders { #builders }
        #webhooks
        #[allow(unused_imports)]
        pub use runtime::{
            AnyError, ApiError, BuildError, ByteStream, Client, ClientBuilder, Error, ErrorBody,
            MultipartForm, Nullable, RateLimit, RawRequest, Response, ResponseParts, RetryPolicy,
            TokenError, TokenFuture,
            TokenProvider, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_PAGES,
            DEFAULT_TIMEOUT,
        };
        #[allow(unused_imports)]
        pub use types::*;
    };
    rust_file(provenance, "module file", tokens)
}

fn exports() -> TokenStream {
    quote! {
        #[rustfmt::skip]
        pub use runtime::{
            AnyError, ApiError, BuildError, ByteStream, Client, ClientBuilder, Error, ErrorBody,
            MultipartForm, Nullable, RateLimit, RawRequest, Response, ResponseParts, RetryPolicy,
            TokenError, TokenFuture,
            TokenProvider, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_PAGES,
            DEFAULT_TIMEOUT,
        };
        #[rustfmt::skip]
        pub use types::*;
    }
}

pub(crate) fn lib_rs(api: &Api) -> TokenStream {
    let exports = exports();
    let examples = (!api.examples.is_empty()).then(|| {
        quote! {
            #[rustfmt::skip]
            #[cfg(test)]
            mod examples;
        }
    });
    let webhooks = (!api.webhooks.is_empty()).then(|| {
        quote! {
            #[rustfmt::skip]
            pub mod webhooks;
        }
    });
    quote! {
        #![doc = include_str!("../README.md")]
        #![forbid(unsafe_code)]

        #[rustfmt::skip]
        pub mod builders;
        #[rustfmt::skip]
        pub mod client;
        #examples
        #[rustfmt::skip]
        pub mod headers;
        #[rustfmt::skip]
        pub mod meta;
        #[rustfmt::skip]
        pub mod runtime;
        #[rustfmt::skip]
        pub mod types;
        #webhooks

        #[rustfmt::skip]
        pub use chrono;
        #exports
    }
}

pub(crate) fn meta(api: &Api, info: &CrateInfo) -> TokenStream {
    let base_url = api.base_url.clone().unwrap_or_default();
    let crate_name = &info.name;
    let crate_version = &info.version;
    let user_agent = format!("{}/{}", info.name, info.version);
    let title = &api.title;
    let version = &api.version;
    quote! {
        //! Values of the spec and of the generated crate that the runtime uses.

        /// The first server of the spec.
        pub const DEFAULT_BASE_URL: &str = #base_url;
        /// `info.title` of the spec.
        pub const API_TITLE: &str = #title;
        /// `info.version` of the spec.
        pub const API_VERSION: &str = #version;
        /// Name of the generated crate.
        pub const CRATE_NAME: &str = #crate_name;
        /// Version of the generated crate.
        pub const CRATE_VERSION: &str = #crate_version;
        /// The default `User-Agent` header.
        pub const USER_AGENT: &str = #user_agent;
    }
}

pub(crate) fn headers(api: &Api) -> TokenStream {
    let consts = api.constant_headers.iter().map(|h| {
        let name = ident(&h.const_name);
        let value = &h.value;
        let mut text = format!(
            " Value of the `{}` header, sent with every operation that requires it.",
            h.name
        );
        if let Some(d) = &h.description {
            text.push_str(&format!("\n\n {}", d.trim()));
        }
        quote! {
            #[doc = #text]
            pub const #name: &str = #value;
        }
    });
    quote! {
        //! Header values fixed by the spec; the client sends them itself.
        #(#consts)*
    }
}

fn cargo_toml(info: &CrateInfo, provenance: &Provenance) -> String {
    let body = CARGO_TOML
        .replace("{{name}}", &info.name)
        .replace("{{version}}", &info.version);
    format!("{}\n{body}", provenance.hash_comment())
}

fn readme(api: &Api, info: &CrateInfo, provenance: &Provenance) -> String {
    let header: String = provenance
        .lines()
        .iter()
        .map(|l| format!("{l}\n"))
        .collect();
    let body = README
        .replace("{{name}}", &info.name)
        .replace("{{lib}}", &info.lib_name())
        .replace("{{title}}", &api.title)
        .replace("{{usage}}", &example::usage(api, info))
        .replace("{{operations}}", &operations_table(api));
    format!("<!--\n{header}-->\n\n{body}")
}

fn operations_table(api: &Api) -> String {
    let mut out = String::from("| Method | HTTP | Summary |\n|---|---|---|\n");
    for op in &api.operations {
        let summary = op
            .summary
            .as_deref()
            .unwrap_or("")
            .replace('|', "\\|")
            .replace('\n', " ");
        out.push_str(&format!(
            "| `{}` | `{} {}` | {} |\n",
            op.name,
            op.method.as_str(),
            op.path,
            summary
        ));
    }
    out
}

/// An identifier from a name the naming module produced. Names are always
/// `[A-Za-z_][A-Za-z0-9_]*`; anything else is replaced rather than
/// allowed to panic inside proc-macro2.
pub(crate) fn ident(name: &str) -> Ident {
    let valid = !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name != "_";
    if valid {
        Ident::new(name, Span::call_site())
    } else {
        Ident::new("invalid_name", Span::call_site())
    }
}

/// `#[doc]` attributes, one per line, so prettyplease prints `///` lines.
///
/// Spec descriptions are CommonMark written for people, not rustdoc: an
/// indented line would become a Rust doctest, so indentation is dropped
/// outside fenced blocks, and fenced blocks are marked `text`. A line that
/// continues a list item is indented under the item (rustdoc reads it the
/// same; clippy's `doc_lazy_continuation` wants it said), and a bare URL
/// is put in angle brackets, which rustdoc makes a link of.
pub(crate) fn docs(text: Option<&str>) -> Docs {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Docs { lines: Vec::new() };
    };
    let mut in_fence = false;
    // The width of the marker of the list item being continued.
    let mut item_indent: Option<usize> = None;
    let mut lines: Vec<String> = text
        .lines()
        .map(|line| {
            let trimmed = line.trim();
            let line = if trimmed.starts_with("```") {
                in_fence = !in_fence;
                item_indent = None;
                let fence = if in_fence { "```text" } else { "```" };
                fence.to_string()
            } else if in_fence {
                line.trim_end().to_string()
            } else if trimmed.is_empty() {
                item_indent = None;
                String::new()
            } else if let Some(width) = list_marker_width(trimmed) {
                item_indent = Some(width);
                bracket_urls(trimmed)
            } else {
                let indent = " ".repeat(item_indent.unwrap_or(0));
                format!("{indent}{}", bracket_urls(trimmed))
            };
            if line.is_empty() {
                line
            } else {
                format!(" {line}")
            }
        })
        .collect();
    if in_fence {
        lines.push(" ```".to_string());
    }
    Docs { lines }
}

/// The width of the list marker (`- `, `* `, `+ `, `1. `, `1) `) that
/// starts `line`, if it is a list item.
fn list_marker_width(line: &str) -> Option<usize> {
    if ["- ", "* ", "+ "].iter().any(|m| line.starts_with(m)) {
        return Some(2);
    }
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    let rest = line.get(digits..)?;
    (digits > 0 && digits < 10 && (rest.starts_with(". ") || rest.starts_with(") ")))
        .then_some(digits + 2)
}

/// `line` with each word that is a bare `http(s)://` URL in angle
/// brackets (trailing punctuation stays outside).
fn bracket_urls(line: &str) -> String {
    if !line.contains("://") {
        return line.to_string();
    }
    line.split(' ')
        .map(|word| {
            if !(word.starts_with("http://") || word.starts_with("https://")) {
                return word.to_string();
            }
            let url = word.trim_end_matches(['.', ',', ';', ':', '!', '?', ')']);
            let rest = word.get(url.len()..).unwrap_or_default();
            format!("<{url}>{rest}")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The doc attributes of [`docs`], made where they are interpolated.
pub(crate) struct Docs {
    lines: Vec<String>,
}

impl ToTokens for Docs {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        for line in &self.lines {
            let line = proc_macro2::Literal::string(line);
            tokens.extend(quote!(#[doc = #line]));
        }
    }
}

/// Tokens made where they are interpolated.
///
/// `quote!` interpolates by reference, so a `TokenStream` interpolated
/// into another is copied token by token, and the original dropped. A
/// large spec emits millions of tokens, most of them through two or three
/// levels of emitters: those in between are `Lazy`, and their tokens are
/// made once, in a stream that is then moved, not copied.
pub(crate) struct Lazy<F>(pub(crate) F);

impl<F: Fn() -> TokenStream> ToTokens for Lazy<F> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        tokens.extend((self.0)());
    }
}

/// Where a type is named from: inside the `types` module, named types are
/// in scope; elsewhere they are reached as `types::X` (after `use super::types`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    Types,
    Sibling,
}

/// The Rust type of a type reference.
pub(crate) fn type_tokens<'a>(api: &'a Api, ty: &'a TypeRef) -> RustType<'a> {
    scoped_type(api, ty, Scope::Sibling)
}

pub(crate) fn scoped_type<'a>(api: &'a Api, ty: &'a TypeRef, scope: Scope) -> RustType<'a> {
    RustType { api, ty, scope }
}

/// The Rust type of a type reference as named from a scope, made where it
/// is interpolated (see [`Lazy`]).
#[derive(Clone, Copy)]
pub(crate) struct RustType<'a> {
    api: &'a Api,
    ty: &'a TypeRef,
    scope: Scope,
}

impl ToTokens for RustType<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let inner = |ty| RustType { ty, ..*self };
        tokens.extend(match self.ty {
            TypeRef::String => quote!(String),
            TypeRef::Bool => quote!(bool),
            TypeRef::I32 => quote!(i32),
            TypeRef::I64 => quote!(i64),
            TypeRef::F32 => quote!(f32),
            TypeRef::F64 => quote!(f64),
            TypeRef::DateTime => quote!(chrono::DateTime<chrono::FixedOffset>),
            TypeRef::Date => quote!(chrono::NaiveDate),
            TypeRef::Bytes => quote!(Vec<u8>),
            TypeRef::Boxed(ty) => {
                let inner = inner(ty);
                quote!(Box<#inner>)
            }
            TypeRef::Json => quote!(serde_json::Value),
            TypeRef::Named(id) => match self.api.types.get(*id) {
                Some(def) => {
                    let name = ident(&def.name);
                    match self.scope {
                        Scope::Types => quote!(#name),
                        Scope::Sibling => quote!(types::#name),
                    }
                }
                None => quote!(serde_json::Value),
            },
            TypeRef::Vec(ty) => {
                let inner = inner(ty);
                quote!(Vec<#inner>)
            }
            TypeRef::Map(ty) => {
                let inner = inner(ty);
                quote!(std::collections::BTreeMap<String, #inner>)
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc_lines(text: &str) -> Vec<String> {
        docs(Some(text)).lines
    }

    #[test]
    fn list_continuations_are_indented_and_bare_urls_bracketed() {
        let text = "Statuses:\n- open: the slot\n  is free\n1. first\nstill first\n\nAfter the list, see https://example.com/docs.\n```json\n{\"a\": \"https://x\"}\n```\nA [link](https://example.com) and <https://example.com/b> stay.";
        assert_eq!(
            doc_lines(text),
            [
                " Statuses:",
                " - open: the slot",
                "   is free",
                " 1. first",
                "    still first",
                "",
                " After the list, see <https://example.com/docs>.",
                " ```text",
                " {\"a\": \"https://x\"}",
                " ```",
                " A [link](https://example.com) and <https://example.com/b> stay.",
            ]
        );
    }

    /// The Rust files as rendering prints them (files of items in two
    /// halves, on several threads) are the files syn and prettyplease
    /// print whole, for every spec of the repository.
    #[test]
    fn rust_files_print_as_they_do_whole() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut specs = crate::spec::parse::tests::repository_yaml_specs();
        specs.push(root.join("tests/fixtures/highlevel/apps/calendars.json"));
        let provenance = Provenance {
            spec: "spec.yaml".to_string(),
            sha256: "0".repeat(64),
            command: "apigen generate".to_string(),
        };
        let info = CrateInfo {
            name: "x".to_string(),
            version: "1.0.0".to_string(),
        };
        for spec in specs {
            let doc = crate::spec::load(&spec, "spec").unwrap();
            let (api, _) = crate::lower::lower(&doc).unwrap();
            let files = crate_rust_files(&api, &info);
            let texts = rust_files(&provenance, &files).unwrap();
            for ((name, file), text) in files.iter().zip(&texts) {
                let whole = rust_file(&provenance, name, file.tokens()).unwrap();
                assert!(
                    *text == whole,
                    "{name} of {} differs from the whole file's",
                    spec.display()
                );
            }
        }
    }
}
