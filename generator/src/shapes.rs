//! Parsing each shape of generated code once.
//!
//! Generated code is repetitive: every string enum of three values is the
//! same items with other names and strings, and so is every request struct
//! of a given layout. syn's parse of the emitted tokens is the largest cost
//! of rendering a large spec, and its result for two such chunks differs
//! only in the identifiers and string literals it holds.
//!
//! [`Shapes`] cuts a chunk into its items (a client chunk into its
//! methods) and keys each by its *shape*: its tokens with every identifier
//! that is not a keyword and every string literal abstracted into a hole.
//! The first time a shape comes again, a template is parsed from the shape
//! with numbered placeholders in the holes; from then on an item of that
//! shape is the template's syntax tree, cloned, with the item's own
//! identifiers and literals put into the placeholders. An item whose shape
//! has not been seen before is parsed as it is, so a spec without repeats
//! pays only for computing the keys. Items rather than whole chunks: the
//! `Display` or `Deserialize` impl of a string enum has one shape whatever
//! the enum's values, while the chunk's shape changes with their number.
//!
//! Why the result is what parsing the chunk gives: syn's parse depends on
//! identifiers only through keywords (strict, reserved and the contextual
//! ones syn peeks for), which stay in the shape, and on string literals
//! only through their kind, which the shape keeps too. Tokens syn keeps
//! unparsed (attribute arguments, macro bodies) are filled token by token.
//! Every placeholder must be filled at least once; a template whose
//! instance still holds one (a kind of unparsed tokens this module does
//! not visit) is not used, and the chunk is parsed as it is.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::hash::{Hash, Hasher};

use proc_macro2::{Delimiter, Ident, Literal, Spacing, Span, TokenStream, TokenTree};
use syn::visit_mut::VisitMut;

/// Templates kept at most, so that a spec of many distinct shapes cannot
/// grow the cache without bound; chunks of further shapes are parsed as
/// they are.
const MAX_TEMPLATES: usize = 4096;

/// A parse cache for one thread (syntax trees hold `Rc`s and cannot be
/// shared between threads).
#[derive(Default)]
pub(crate) struct Shapes {
    /// By hash of the shape.
    seen: HashMap<u64, Seen>,
    templates: usize,
}

enum Seen {
    /// Seen once: parsed as it was.
    Once,
    /// Seen more than once: the template, and the shape it was parsed
    /// from (to tell two shapes with the same hash apart).
    Template(Box<(String, syn::File)>),
    /// A template could not be used for this shape.
    Unusable,
}

/// What a chunk holds in its holes, in the order of its tokens.
enum Hole {
    Ident(Ident),
    Str(Literal),
}

impl Shapes {
    /// `syn::parse2::<syn::File>(tokens)`, item by item, each from a
    /// template when its shape has been seen before.
    pub(crate) fn parse_file(&mut self, tokens: TokenStream) -> syn::Result<syn::File> {
        let pieces = split_items(tokens, ITEM_START);
        let mut file = syn::File {
            shebang: None,
            attrs: Vec::new(),
            items: Vec::new(),
        };
        for (index, piece) in pieces.iter().enumerate() {
            match self.parse_one(piece.clone()) {
                // The first piece brings the file's inner attributes.
                Ok(parsed) if index == 0 => file = parsed,
                Ok(parsed) if parsed.attrs.is_empty() => file.items.extend(parsed.items),
                // What does not parse apart is parsed whole, which also
                // gives the error of tokens that do not parse at all.
                _ => return syn::parse2(pieces.into_iter().collect()),
            }
        }
        Ok(file)
    }

    /// `impl #self_ty { #members }` as a file, member by member, each from
    /// a template when its shape has been seen before.
    pub(crate) fn parse_impl(
        &mut self,
        self_ty: &Ident,
        members: TokenStream,
    ) -> syn::Result<syn::File> {
        let pieces = split_items(members, MEMBER_START);
        let whole = |pieces: Vec<TokenStream>| {
            let members: TokenStream = pieces.into_iter().collect();
            syn::parse2(quote::quote!(impl #self_ty { #members }))
        };
        let mut merged: Option<syn::File> = None;
        for piece in &pieces {
            let Ok(mut parsed) = self.parse_one(quote::quote!(impl #self_ty { #piece })) else {
                return whole(pieces);
            };
            match (&mut merged, parsed.items.as_mut_slice()) {
                (None, _) => merged = Some(parsed),
                (Some(file), [syn::Item::Impl(block)]) => match file.items.as_mut_slice() {
                    [syn::Item::Impl(first)] => first.items.append(&mut block.items),
                    _ => return whole(pieces),
                },
                _ => return whole(pieces),
            }
        }
        match merged {
            Some(file) => Ok(file),
            None => whole(pieces),
        }
    }

    /// One run of tokens, from a template when its shape has been seen
    /// before.
    fn parse_one(&mut self, tokens: TokenStream) -> syn::Result<syn::File> {
        let mut shape = String::new();
        let mut holes = Vec::new();
        abstract_stream(tokens.clone(), &mut shape, &mut holes);
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        shape.hash(&mut hasher);
        let key = hasher.finish();

        match self.seen.get(&key) {
            None => {
                self.seen.insert(key, Seen::Once);
                return syn::parse2(tokens);
            }
            Some(Seen::Unusable) => return syn::parse2(tokens),
            Some(Seen::Template(template)) => {
                let (template_shape, template) = &**template;
                if *template_shape != shape {
                    return syn::parse2(tokens);
                }
                if let Some(file) = instantiate(template, &holes) {
                    return Ok(file);
                }
                // Instances of a shape all fill or all miss the same
                // placeholders; this one is not a template after all.
                self.seen.insert(key, Seen::Unusable);
                return syn::parse2(tokens);
            }
            Some(Seen::Once) => {}
        }

        // Seen a second time: parse the template.
        if self.templates >= MAX_TEMPLATES {
            return syn::parse2(tokens);
        }
        let Ok(template) = syn::parse2::<syn::File>(placeholders(tokens.clone(), &mut 0)) else {
            // The original may still parse: a hole in a place that takes
            // only some identifiers. Not worth a template.
            self.seen.insert(key, Seen::Unusable);
            return syn::parse2(tokens);
        };
        match instantiate(&template, &holes) {
            Some(file) => {
                self.templates += 1;
                self.seen
                    .insert(key, Seen::Template(Box::new((shape, template))));
                Ok(file)
            }
            None => {
                self.seen.insert(key, Seen::Unusable);
                syn::parse2(tokens)
            }
        }
    }
}

/// Words that begin an item, after a doc comment or attribute (`#`).
const ITEM_START: &[&str] = &[
    "async",
    "const",
    "enum",
    "extern",
    "fn",
    "impl",
    "macro_rules",
    "mod",
    "pub",
    "static",
    "struct",
    "trait",
    "type",
    "union",
    "unsafe",
    "use",
];

/// Words that begin an associated item of an `impl` block.
const MEMBER_START: &[&str] = &[
    "async", "const", "default", "extern", "fn", "pub", "type", "unsafe",
];

/// `tokens` cut into items: after a `;` or a `{ ... }` block at the top
/// level, where the next token begins an item (`#`, or one of `starts`).
/// Such a block or `;` always ends an item, so a cut never falls inside
/// one; a cut in tokens that are not items at all is harmless, as pieces
/// that do not parse apart are parsed together.
fn split_items(tokens: TokenStream, starts: &[&str]) -> Vec<TokenStream> {
    let mut pieces = Vec::new();
    let mut current: Vec<TokenTree> = Vec::new();
    let mut at_end = false;
    for tree in tokens {
        let begins_item = match &tree {
            TokenTree::Punct(punct) => punct.as_char() == '#',
            TokenTree::Ident(ident) => starts.iter().any(|start| ident == start),
            _ => false,
        };
        if at_end && begins_item && !current.is_empty() {
            pieces.push(current.drain(..).collect());
        }
        at_end = match &tree {
            TokenTree::Punct(punct) => punct.as_char() == ';',
            TokenTree::Group(group) => group.delimiter() == Delimiter::Brace,
            _ => false,
        };
        current.push(tree);
    }
    if !current.is_empty() || pieces.is_empty() {
        pieces.push(current.into_iter().collect());
    }
    pieces
}

/// Identifiers that decide how syn parses: Rust's strict, reserved and
/// weak keywords, and the contextual words syn peeks for. They stay in the
/// shape as they are.
fn is_keyword(ident: &str) -> bool {
    matches!(
        ident,
        "_" | "abstract"
            | "as"
            | "async"
            | "auto"
            | "await"
            | "become"
            | "box"
            | "break"
            | "builtin"
            | "const"
            | "continue"
            | "crate"
            | "default"
            | "do"
            | "dyn"
            | "else"
            | "enum"
            | "extern"
            | "false"
            | "final"
            | "fn"
            | "for"
            | "gen"
            | "if"
            | "impl"
            | "in"
            | "let"
            | "loop"
            | "macro"
            | "macro_rules"
            | "match"
            | "mod"
            | "move"
            | "mut"
            | "override"
            | "priv"
            | "pub"
            | "raw"
            | "ref"
            | "return"
            | "safe"
            | "Self"
            | "self"
            | "static"
            | "struct"
            | "super"
            | "trait"
            | "true"
            | "try"
            | "type"
            | "typeof"
            | "union"
            | "unsafe"
            | "unsized"
            | "use"
            | "virtual"
            | "where"
            | "while"
            | "yield"
    )
}

/// A plain string literal (`"..."`, no prefix or suffix): the only
/// literals whose text is abstracted.
fn is_plain_str(repr: &str) -> bool {
    repr.len() >= 2 && repr.starts_with('"') && repr.ends_with('"')
}

/// Appends the shape of `stream` to `shape` and its holes to `holes`.
fn abstract_stream(stream: TokenStream, shape: &mut String, holes: &mut Vec<Hole>) {
    for tree in stream {
        match tree {
            TokenTree::Group(group) => {
                let (open, close) = delimiters(group.delimiter());
                shape.push(open);
                abstract_stream(group.stream(), shape, holes);
                shape.push(close);
            }
            TokenTree::Ident(ident) => {
                // Written in place and taken back if it is a hole: no
                // string of its own for each identifier.
                let start = shape.len();
                let _ = write!(shape, "{ident}");
                if shape.get(start..).is_some_and(is_keyword) {
                    shape.push(' ');
                } else {
                    shape.truncate(start);
                    shape.push('$');
                    holes.push(Hole::Ident(ident));
                }
            }
            TokenTree::Punct(punct) => {
                shape.push(punct.as_char());
                if punct.spacing() == Spacing::Joint {
                    shape.push('~');
                }
            }
            TokenTree::Literal(literal) => {
                shape.push('\'');
                let start = shape.len();
                let _ = write!(shape, "{literal}");
                if shape.get(start..).is_some_and(is_plain_str) {
                    shape.truncate(start - 1);
                    shape.push('"');
                    holes.push(Hole::Str(literal));
                } else {
                    shape.push(' ');
                }
            }
        }
    }
}

fn delimiters(delimiter: Delimiter) -> (char, char) {
    match delimiter {
        Delimiter::Parenthesis => ('(', ')'),
        Delimiter::Brace => ('{', '}'),
        Delimiter::Bracket => ('[', ']'),
        Delimiter::None => ('\u{1}', '\u{2}'),
    }
}

/// The name of the placeholder of hole `index` when it holds an identifier.
fn placeholder_ident(index: usize) -> Ident {
    Ident::new(&format!("h{index}"), Span::call_site())
}

/// Which hole a placeholder identifier stands for; `text` is a buffer to
/// write the identifier in.
fn ident_hole(ident: &Ident, text: &mut String) -> Option<usize> {
    text.clear();
    let _ = write!(text, "{ident}");
    text.strip_prefix('h')?.parse().ok()
}

/// Which hole a placeholder string literal stands for.
fn str_hole(repr: &str) -> Option<usize> {
    repr.strip_prefix('"')?.strip_suffix('"')?.parse().ok()
}

/// `stream` with its holes replaced by numbered placeholders, counted
/// from `next` in the order [`abstract_stream`] finds them.
fn placeholders(stream: TokenStream, next: &mut usize) -> TokenStream {
    stream
        .into_iter()
        .map(|tree| match tree {
            TokenTree::Group(group) => {
                let mut new =
                    proc_macro2::Group::new(group.delimiter(), placeholders(group.stream(), next));
                new.set_span(group.span());
                TokenTree::Group(new)
            }
            TokenTree::Ident(ident) if !is_keyword(&ident.to_string()) => {
                let placeholder = placeholder_ident(*next);
                *next += 1;
                TokenTree::Ident(placeholder)
            }
            TokenTree::Literal(literal) if is_plain_str(&literal.to_string()) => {
                let placeholder = Literal::string(&next.to_string());
                *next += 1;
                TokenTree::Literal(placeholder)
            }
            other => other,
        })
        .collect()
}

/// The template with `holes` put into its placeholders, or `None` if a
/// placeholder stays unfilled or does not match its hole's kind.
fn instantiate(template: &syn::File, holes: &[Hole]) -> Option<syn::File> {
    let mut file = template.clone();
    let mut filler = Filler {
        holes,
        filled: vec![false; holes.len()],
        failed: false,
        text: String::new(),
    };
    filler.visit_file_mut(&mut file);
    (!filler.failed && filler.filled.iter().all(|&filled| filled)).then_some(file)
}

/// Puts a chunk's identifiers and literals into a template's placeholders.
struct Filler<'h> {
    holes: &'h [Hole],
    filled: Vec<bool>,
    failed: bool,
    /// A buffer for the text of identifiers and literals.
    text: String,
}

impl Filler<'_> {
    fn ident(&mut self, index: usize) -> Option<Ident> {
        match self.holes.get(index) {
            Some(Hole::Ident(ident)) => {
                self.mark(index);
                Some(ident.clone())
            }
            _ => {
                self.failed = true;
                None
            }
        }
    }

    fn literal(&mut self, index: usize) -> Option<Literal> {
        match self.holes.get(index) {
            Some(Hole::Str(literal)) => {
                self.mark(index);
                Some(literal.clone())
            }
            _ => {
                self.failed = true;
                None
            }
        }
    }

    fn str_hole(&mut self, literal: &Literal) -> Option<usize> {
        self.text.clear();
        let _ = write!(self.text, "{literal}");
        str_hole(&self.text)
    }

    fn mark(&mut self, index: usize) {
        if let Some(filled) = self.filled.get_mut(index) {
            *filled = true;
        }
    }

    /// Fills the placeholders of tokens syn keeps unparsed.
    fn stream(&mut self, stream: &TokenStream) -> TokenStream {
        stream
            .clone()
            .into_iter()
            .map(|tree| match tree {
                TokenTree::Group(group) => {
                    let mut new =
                        proc_macro2::Group::new(group.delimiter(), self.stream(&group.stream()));
                    new.set_span(group.span());
                    TokenTree::Group(new)
                }
                TokenTree::Ident(ident) => match ident_hole(&ident, &mut self.text) {
                    Some(index) => self
                        .ident(index)
                        .map_or(TokenTree::Ident(ident), TokenTree::Ident),
                    None => TokenTree::Ident(ident),
                },
                TokenTree::Literal(literal) => match self.str_hole(&literal) {
                    Some(index) => self
                        .literal(index)
                        .map_or(TokenTree::Literal(literal), TokenTree::Literal),
                    None => TokenTree::Literal(literal),
                },
                other => other,
            })
            .collect()
    }
}

impl VisitMut for Filler<'_> {
    fn visit_ident_mut(&mut self, ident: &mut Ident) {
        if let Some(index) = ident_hole(ident, &mut self.text) {
            if let Some(filled) = self.ident(index) {
                *ident = filled;
            }
        }
    }

    fn visit_lit_str_mut(&mut self, lit: &mut syn::LitStr) {
        let Some(index) = self.str_hole(&lit.token()) else {
            return;
        };
        match self.literal(index).map(syn::Lit::new) {
            Some(syn::Lit::Str(filled)) => *lit = filled,
            _ => self.failed = true,
        }
    }

    fn visit_meta_list_mut(&mut self, list: &mut syn::MetaList) {
        syn::visit_mut::visit_path_mut(self, &mut list.path);
        list.tokens = self.stream(&list.tokens);
    }

    fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
        syn::visit_mut::visit_path_mut(self, &mut mac.path);
        mac.tokens = self.stream(&mac.tokens);
    }
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::*;

    fn ident(name: &str) -> Ident {
        Ident::new(name, Span::call_site())
    }

    fn printed(file: &syn::File) -> String {
        prettyplease::unparse(file)
    }

    fn direct(tokens: &TokenStream) -> String {
        printed(&syn::parse2(tokens.clone()).unwrap())
    }

    /// Chunks of one shape with other names, strings and macro bodies.
    fn string_enum(name: Ident, values: [&str; 2], doc: &str) -> TokenStream {
        let variants: Vec<Ident> = values
            .iter()
            .map(|v| Ident::new(&heck::AsUpperCamelCase(v).to_string(), Span::call_site()))
            .collect();
        quote! {
            #[doc = #doc]
            #[derive(Debug, Clone, serde::Serialize)]
            #[serde(rename_all = "camelCase")]
            pub enum #name { #(#variants,)* Unknown(String) }
            impl #name {
                pub fn as_str(&self) -> &str {
                    match self {
                        #(Self::#variants => #values,)*
                        Self::Unknown(value) => value,
                    }
                }
                pub fn build(value: u32) -> Self {
                    let label = format!("{} {}", #doc, value);
                    Self::Unknown(label)
                }
            }
            impl<'de> serde::Deserialize<'de> for #name {
                fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                    let value = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                    Ok(Self::Unknown(value.into_owned()))
                }
            }
        }
    }

    #[test]
    fn chunks_of_one_shape_print_as_parsed_directly() {
        let chunks = [
            string_enum(ident("Kind"), ["alpha", "beta"], "The kind."),
            string_enum(
                ident("Colour"),
                ["red", "green-blue"],
                "A colour, \"quoted\".",
            ),
            string_enum(
                Ident::new_raw("Type", Span::call_site()),
                ["type", "x"],
                "Line one.\nLine two.",
            ),
            string_enum(ident("Size"), ["s", "m"], ""),
        ];
        let mut shapes = Shapes::default();
        for _ in 0..2 {
            for chunk in &chunks {
                let via_shapes = printed(&shapes.parse_file(chunk.clone()).unwrap());
                assert_eq!(via_shapes, direct(chunk));
            }
        }
        assert_eq!(
            shapes.templates, 3,
            "the four chunks are one shape of three items"
        );
        assert!(matches!(
            shapes.seen.values().next(),
            Some(Seen::Template(_))
        ));
    }

    #[test]
    fn keywords_and_other_literals_are_part_of_the_shape() {
        // Two rounds of the same kinds of items with other names: each
        // item of the second round has the shape of its twin in the first,
        // and none shares a shape with another kind (were `union`, `pub`,
        // or the integer and byte-string literals abstracted, an item
        // would print as its twin of another kind).
        let items = |name: &str, field: &str, text: &str| {
            let (name, field) = (ident(name), ident(field));
            vec![
                quote!(pub struct #name { pub #field: u32 }),
                quote!(pub union #name { pub #field: u32 }),
                quote!(struct #name { #field: u32 }),
                quote!(const #name: u32 = 1;),
                quote!(const #name: u32 = 2;),
                quote!(const #name: &str = #text;),
                quote!(const #name: &[u8] = b"1";),
            ]
        };
        let mut shapes = Shapes::default();
        for chunk in items("A", "x", "1").iter().chain(&items("B", "y", "2")) {
            let via_shapes = printed(&shapes.parse_file(chunk.clone()).unwrap());
            assert_eq!(via_shapes, direct(chunk));
        }
        assert_eq!(shapes.templates, 7);
    }

    #[test]
    fn chunks_are_cut_between_items_only() {
        let chunk = quote! {
            #[doc = "A."]
            pub struct A { x: u32 }
            impl A { fn f(&self) -> u32 { self.x } }
            const B: A = A { x: 1 };
            pub const C: u32 = { 1 } + 2;
            pub struct D;
            use std::fmt;
            macro_rules! m { () => {} }
        };
        let pieces: Vec<String> = split_items(chunk, ITEM_START)
            .iter()
            .map(|piece| piece.to_string())
            .collect();
        assert_eq!(
            pieces,
            [
                "# [doc = \"A.\"] pub struct A { x : u32 }",
                "impl A { fn f (& self) -> u32 { self . x } }",
                "const B : A = A { x : 1 } ;",
                "pub const C : u32 = { 1 } + 2 ;",
                "pub struct D ;",
                "use std :: fmt ;",
                "macro_rules ! m { () => { } }",
            ]
        );
    }

    #[test]
    fn a_file_parsed_item_by_item_is_the_file_parsed_whole() {
        let chunks = [
            quote! {
                //! Inner docs.
                #![allow(dead_code)]
                use std::fmt;
                use std::io;
                pub struct A;
            },
            quote!(pub struct A; impl A { pub fn f() {} } pub enum E { X }),
            quote!(pub struct B; impl B { pub fn g() {} } pub enum F { Y }),
            TokenStream::new(),
        ];
        let mut shapes = Shapes::default();
        for chunk in &chunks {
            let via_shapes = printed(&shapes.parse_file(chunk.clone()).unwrap());
            assert_eq!(via_shapes, direct(chunk));
        }
        // Items that are only right together are parsed together, and
        // tokens that are not items at all give syn's error.
        let mut shapes = Shapes::default();
        let together = quote!(pub struct A; #![allow(dead_code)] pub struct B;);
        assert!(shapes.parse_file(together).is_err());
    }

    #[test]
    fn impl_members_parsed_one_by_one_are_one_block() {
        let ty = ident("Client");
        let members = |name: &str| {
            let (name, with) = (ident(name), ident(&format!("{name}_with")));
            quote! {
                #[doc = " Sends it."]
                pub async fn #name(&self, id: &str) -> Result<(), Error> { self.#with(id).await.map(drop) }
                pub async fn #with(&self, id: &str) -> Result<u16, Error> {
                    let mut request = Request::new("/x/{id}");
                    request.path_param("id", id)?;
                    self.send(request).await
                }
            }
        };
        let mut shapes = Shapes::default();
        for name in ["create", "update", "delete"] {
            let tokens = members(name);
            let file = shapes.parse_impl(&ty, tokens.clone()).unwrap();
            assert_eq!(printed(&file), direct(&quote!(impl #ty { #tokens })));
        }
        assert_eq!(shapes.templates, 2);
    }

    #[test]
    fn unvisited_unparsed_tokens_fall_back_to_parsing() {
        // syn keeps a `box` pattern as a `Pat::Verbatim`, which is not
        // visited: its placeholders stay, so the template is not used.
        let mut shapes = Shapes::default();
        for name in ["a", "b", "c"] {
            let name = ident(name);
            let chunk = quote!(fn f() { let box #name = x; });
            // prettyplease does not print verbatim patterns: compare tokens.
            let via_shapes = shapes.parse_file(chunk.clone()).unwrap();
            assert_eq!(quote!(#via_shapes).to_string(), chunk.to_string());
        }
        assert_eq!(shapes.templates, 0);
        assert!(matches!(shapes.seen.values().next(), Some(Seen::Unusable)));
    }

    #[test]
    fn tokens_that_do_not_parse_are_an_error_every_time() {
        let mut shapes = Shapes::default();
        for name in ["a", "b", "c"] {
            let name = ident(name);
            assert!(shapes.parse_file(quote!(pub struct #name = 1;)).is_err());
        }
    }
}
