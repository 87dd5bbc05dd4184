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
/// items after it, or each member of one `impl` block after it. Token
/// streams cannot cross threads, so the tokens are made on the thread that
/// prints them ([`rust_files`]).
pub struct RustFile<'a> {
    head: Part<'a>,
    items: Vec<Part<'a>>,
    /// The type whose inherent `impl` block holds the items, when they are
    /// its members rather than items of the file.
    impl_of: Option<&'static str>,
}

impl<'a> RustFile<'a> {
    /// A file printed at once.
    pub fn new(tokens: impl Fn() -> TokenStream + Sync + 'a) -> Self {
        RustFile::items(tokens, Vec::new())
    }

    /// A file of items after a head.
    pub fn items(head: impl Fn() -> TokenStream + Sync + 'a, items: Vec<Part<'a>>) -> Self {
        RustFile {
            head: Box::new(head),
            items,
            impl_of: None,
        }
    }

    /// A file of one `impl self_ty` block, holding `members`, after a head.
    pub fn impl_block(
        head: impl Fn() -> TokenStream + Sync + 'a,
        self_ty: &'static str,
        members: Vec<Part<'a>>,
    ) -> Self {
        RustFile {
            impl_of: Some(self_ty),
            ..RustFile::items(head, members)
        }
    }

    /// The whole file's tokens.
    pub fn tokens(&self) -> TokenStream {
        let mut tokens = (self.head)();
        let items = self.items.iter().map(|item| item());
        match self.impl_of {
            None => tokens.extend(items),
            Some(self_ty) => {
                let self_ty = proc_macro2::Ident::new(self_ty, proc_macro2::Span::call_site());
                tokens.extend(quote::quote!(impl #self_ty { #(#items)* }));
            }
        }
        tokens
    }

    /// The text of the items in `range`, each parsed and printed on its
    /// own: only one item's syntax tree is alive at a time. prettyplease
    /// prints items (and the members of an `impl` block) one after
    /// another, each from a line of its own, so the texts joined are the
    /// text of the whole file. A member is printed in a block of its own,
    /// whose first and last lines are left out.
    fn print_items(&self, name: &str, range: std::ops::Range<usize>) -> Result<String, Error> {
        let mut text = String::new();
        for item in self.items.get(range).unwrap_or_default() {
            let Some(self_ty) = self.impl_of else {
                text.push_str(&prettyplease::unparse(&parse(name, item())?));
                continue;
            };
            let ty = proc_macro2::Ident::new(self_ty, proc_macro2::Span::call_site());
            let member = item();
            let block = prettyplease::unparse(&parse(name, quote::quote!(impl #ty { #member }))?);
            let open = format!("impl {self_ty} {{\n");
            let printed = block
                .strip_prefix(open.as_str())
                .and_then(|rest| rest.strip_suffix("}\n"))
                .ok_or_else(|| internal(&format!("a member of {name} prints as {block}")))?;
            text.push_str(printed);
        }
        Ok(text)
    }

    /// The text of the whole file: its head, then its items, in two halves
    /// on two threads, so that the largest file is not left to one.
    fn print(&self, name: &str) -> Result<String, Error> {
        if self.impl_of.is_some() && self.items.is_empty() {
            return Ok(prettyplease::unparse(&parse(name, self.tokens())?));
        }
        let half = self.items.len() / 2;
        let (first, second) = std::thread::scope(|scope| {
            let second = scope.spawn(|| self.print_items(name, half..self.items.len()));
            let first = self.print_items(name, 0..half);
            (
                first,
                second.join().unwrap_or_else(|_| Err(thread_panicked())),
            )
        });
        let mut text = prettyplease::unparse(&parse(name, (self.head)())?);
        if let Some(self_ty) = self.impl_of {
            text.push_str(&format!("impl {self_ty} {{\n"));
        }
        text.push_str(&first?);
        text.push_str(&second?);
        if self.impl_of.is_some() {
            text.push_str("}\n");
        }
        Ok(text)
    }
}

impl std::fmt::Debug for RustFile<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RustFile")
            .field("items", &self.items.len())
            .field("impl_of", &self.impl_of)
            .finish_non_exhaustive()
    }
}

/// Renders files with the provenance header, as [`rust_file`] renders each,
/// and returns their texts in the order of `files`. Each file is printed on
/// a thread of its own (and its items in two halves, see
/// `RustFile::print`); the output does not depend on the threads.
pub fn rust_files(
    provenance: &Provenance,
    files: &[(&str, RustFile<'_>)],
) -> Result<Vec<String>, Error> {
    let header = provenance.rust_comment();
    std::thread::scope(|scope| {
        let threads: Vec<_> = files
            .iter()
            .map(|(name, file)| scope.spawn(move || file.print(name)))
            .collect();
        threads
            .into_iter()
            .map(|thread| {
                let text = thread.join().unwrap_or_else(|_| Err(thread_panicked()))?;
                Ok(format!("{header}\n{text}"))
            })
            .collect()
    })
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
    internal("a rendering thread panicked")
}

fn internal(message: &str) -> Error {
    Diagnostic::error(format!("internal error: {message}"))
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

    /// Methods with docs, attributes, long signatures and bodies.
    fn method(i: usize) -> Part<'static> {
        Box::new(move || {
            let name = format_ident!("method_{i}");
            let doc = format!(" Method number {i}.");
            quote! {
                #[doc = #doc]
                #[allow(clippy::too_many_arguments)]
                pub async fn #name(&self, with_a_long_argument: &str, and_another_one: Option<u64>) -> Result<u32, String> {
                    let value = with_a_long_argument.len() as u32 + and_another_one.unwrap_or_default() as u32;
                    Ok(value + #i)
                }
            }
        })
    }

    #[test]
    fn impl_blocks_print_member_by_member_as_they_do_whole() {
        let files: Vec<(&str, RustFile<'_>)> = [0, 1, 2, 9]
            .into_iter()
            .map(|n| {
                let members = (0..n).map(method).collect();
                ("client.rs", RustFile::impl_block(head, "Client", members))
            })
            .collect();
        let texts = rust_files(&provenance(), &files).unwrap();
        for ((name, file), text) in files.iter().zip(&texts) {
            assert_eq!(
                &rust_file(&provenance(), name, file.tokens()).unwrap(),
                text
            );
        }
        assert!(texts[0].contains("impl Client {}"), "{}", texts[0]);
        assert!(texts[3].contains("pub async fn method_8("), "{}", texts[3]);
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
