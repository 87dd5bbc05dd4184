//! The one path from tokens to text: syn parses, prettyplease prints.
//!
//! The CLI, `apigen check`, the library API and the snapshot tests all get
//! their Rust text from here ([`rust_files`] for a crate's files,
//! [`rust_file`] for one), so what is checked is what is written.

use proc_macro2::TokenStream;

use crate::diag::{Diagnostic, Error};

pub use crate::provenance::Provenance;

/// Makes the tokens of a part of a file: its head, or one of its items.
pub type Part<'a> = Box<dyn Fn() -> TokenStream + Sync + 'a>;

/// A Rust file as emitters describe it: what makes its head (inner
/// attributes and `use`s, or the whole file) and what makes each of the
/// items after it. Token streams cannot cross threads, so the tokens are
/// made on the thread that prints them ([`rust_files`]).
pub struct RustFile<'a> {
    head: Part<'a>,
    items: Vec<Part<'a>>,
}

impl<'a> RustFile<'a> {
    /// A file printed at once.
    pub fn new(tokens: impl Fn() -> TokenStream + Sync + 'a) -> Self {
        RustFile {
            head: Box::new(tokens),
            items: Vec::new(),
        }
    }

    /// A file of items after a head, printed in two halves.
    pub fn items(head: impl Fn() -> TokenStream + Sync + 'a, items: Vec<Part<'a>>) -> Self {
        RustFile {
            head: Box::new(head),
            items,
        }
    }

    /// The whole file's tokens.
    pub fn tokens(&self) -> TokenStream {
        let mut tokens = (self.head)();
        for item in &self.items {
            tokens.extend(item());
        }
        tokens
    }
}

impl std::fmt::Debug for RustFile<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RustFile")
            .field("items", &self.items.len())
            .finish_non_exhaustive()
    }
}

/// Renders files with the provenance header, as [`rust_file`] renders each,
/// and returns their texts in the order of `files`. Each file is printed on
/// a thread of its own, and a file of items in two halves on two threads,
/// so that the largest file is not left to one thread: prettyplease prints
/// a file's items one after another, each from a line of its own, so the
/// two texts joined are the text of the whole file.
pub fn rust_files(
    provenance: &Provenance,
    files: &[(&str, RustFile<'_>)],
) -> Result<Vec<String>, Error> {
    let halves = std::thread::scope(|scope| {
        let mut threads = Vec::new();
        for (index, (name, file)) in files.iter().enumerate() {
            let (first, second) = file.items.split_at(file.items.len() / 2);
            let first = std::iter::once(&file.head).chain(first);
            threads.push((index, scope.spawn(move || print(name, first))));
            if !second.is_empty() {
                threads.push((index, scope.spawn(move || print(name, second))));
            }
        }
        let joined = threads.into_iter().map(|(index, thread)| {
            let text = thread.join().unwrap_or_else(|_| Err(thread_panicked()));
            (index, text)
        });
        joined.collect::<Vec<_>>()
    });
    let header = provenance.rust_comment();
    let mut texts: Vec<String> = files.iter().map(|_| format!("{header}\n")).collect();
    for (index, half) in halves {
        if let Some(text) = texts.get_mut(index) {
            text.push_str(&half?);
        }
    }
    Ok(texts)
}

/// The text of a file's parts, in order, each part parsed and printed on
/// its own: only one part's syntax tree is alive at a time, and
/// prettyplease prints a file's items one after another, each from a line
/// of its own, so the texts joined are the text of the whole file.
fn print<'p, 'a: 'p>(
    name: &str,
    parts: impl IntoIterator<Item = &'p Part<'a>>,
) -> Result<String, Error> {
    let mut text = String::new();
    for part in parts {
        text.push_str(&prettyplease::unparse(&parse(name, part())?));
    }
    Ok(text)
}

fn parse(name: &str, tokens: TokenStream) -> Result<syn::File, Error> {
    syn::parse2(tokens).map_err(|e| {
        Diagnostic::error(format!(
            "internal error: generated {name} does not parse as Rust: {e}"
        ))
        .with_help("this is a bug in apigen; please report it with the spec that triggers it")
        .into()
    })
}

fn thread_panicked() -> Error {
    Diagnostic::error("internal error: a rendering thread panicked")
        .with_help("this is a bug in apigen; please report it with the spec that triggers it")
        .into()
}

/// Renders a whole Rust file from tokens, with the provenance header.
pub fn rust_file(
    provenance: &Provenance,
    name: &str,
    tokens: TokenStream,
) -> Result<String, Error> {
    Ok(format!(
        "{}\n{}",
        provenance.rust_comment(),
        prettyplease::unparse(&parse(name, tokens)?)
    ))
}

/// Renders items without a header, for code shown in documentation.
pub fn rust_snippet(tokens: TokenStream) -> Result<String, Error> {
    let file: syn::File = syn::parse2(tokens).map_err(|e| {
        Diagnostic::error(format!(
            "internal error: a generated example does not parse as Rust: {e}"
        ))
    })?;
    Ok(prettyplease::unparse(&file))
}

#[cfg(test)]
mod tests {
    use quote::{format_ident, quote};

    use super::*;

    fn provenance() -> Provenance {
        Provenance {
            spec: "spec.yaml".to_string(),
            sha256: "0".repeat(64),
            command: "apigen generate".to_string(),
        }
    }

    /// Items of several kinds, with docs, attributes and long lines.
    fn item(i: usize) -> Part<'static> {
        Box::new(move || {
            let name = format_ident!("Type{i}");
            let doc = format!(" Type number {i}.");
            match i % 3 {
                0 => quote! {
                    #[doc = #doc]
                    #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
                    pub struct #name { pub value: u32, pub a_rather_long_field_name: Option<String> }
                },
                1 => quote! {
                    #[doc = #doc]
                    pub enum #name { A, #[serde(rename = "b")] B(Vec<u8>) }
                },
                _ => quote! {
                    impl #name {
                        pub fn get(&self, with_a_long_argument: &str, and_another_one: u64) -> u32 { #i }
                    }
                },
            }
        })
    }

    fn head() -> TokenStream {
        quote! {
            //! A module.
            use std::fmt;
        }
    }

    #[test]
    fn files_print_in_halves_as_they_do_whole_and_in_order() {
        let files: Vec<(&str, RustFile<'_>)> = [0, 1, 2, 7, 40]
            .into_iter()
            .map(|n| {
                (
                    "types.rs",
                    RustFile::items(head, (0..n).map(item).collect()),
                )
            })
            .chain([("lib.rs", RustFile::new(head))])
            .collect();
        let texts = rust_files(&provenance(), &files).unwrap();
        assert_eq!(texts.len(), files.len());
        for ((name, file), text) in files.iter().zip(&texts) {
            assert_eq!(
                &rust_file(&provenance(), name, file.tokens()).unwrap(),
                text
            );
        }
        assert!(texts[4].contains("pub struct Type39 {"), "{}", texts[4]);
    }

    #[test]
    fn a_file_that_does_not_parse_is_an_internal_error() {
        let broken = || -> Part<'static> { Box::new(|| quote!(pub struct {})) };
        for items in [
            vec![broken()],
            vec![item(0), broken()],
            vec![broken(), item(0)],
        ] {
            let files = vec![
                ("fine.rs", RustFile::new(TokenStream::new)),
                ("broken.rs", RustFile::items(TokenStream::new, items)),
            ];
            let error = rust_files(&provenance(), &files).unwrap_err();
            let text = error.to_string();
            assert!(
                text.contains("generated broken.rs does not parse"),
                "{text}"
            );
        }
    }
}
