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
//! with numbered placeholders in the holes, and the item's identifiers and
//! literals are put in their place; the filler notes which hole went to
//! each place it visited. From then on an item of that shape is the same
//! tree, refilled at those places with the item's own identifiers and
//! literals, and printed before the next item of the shape refills it (one
//! tree per shape, no copies). An item whose shape has not been seen
//! before is parsed as it is, so a spec without repeats pays only for
//! computing the keys; but the items of a chunk in a family (string enums,
//! error enums: [`crate::render::RustFile::families`]) are printed from a
//! template at first sight, which spares the parse of the second. Items
//! rather than whole chunks: the `Display` or `Deserialize` impl of a
//! string enum has one shape whatever the enum's values, while the chunk's
//! shape changes with their number.
//!
//! Items of one shape whose holes are as wide also print alike: their text
//! is filled in from the first such item's by [`crate::layouts`], and
//! neither parsed nor printed.
//!
//! Why the result is what parsing the chunk gives: syn's parse depends on
//! identifiers only through keywords (strict, reserved and the contextual
//! ones syn peeks for), which stay in the shape, and on string literals
//! only through their kind, which the shape keeps too. Tokens syn keeps
//! unparsed (attribute arguments, macro bodies) are filled token by token.
//! Every placeholder must be filled at least once; a template whose
//! instance still holds one (a kind of unparsed tokens this module does
//! not visit) is not used, and the item is parsed as it is. Refilling
//! relies on the visitor's order depending only on the tree's structure,
//! which is the same for every item of a shape: it visits the fields of
//! each node in declaration order, and the items and tokens of lists in
//! order.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::hash::{Hash, Hasher};

use proc_macro2::{Delimiter, Ident, Literal, Spacing, Span, TokenStream, TokenTree};
use syn::visit_mut::VisitMut;

use crate::layouts::{Found, HoleKind, Item, Layouts};

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
    layouts: Layouts,
}

enum Seen {
    /// Seen once: parsed as it was.
    Once,
    /// Seen more than once.
    Template(Box<Template>),
    /// A template could not be used for this shape.
    Unusable,
}

/// A shape's syntax tree, holding the identifiers and strings of the last
/// item printed from it, and where to put the next item's.
struct Template {
    /// The shape the tree was parsed from (to tell two shapes with the
    /// same hash apart).
    shape: String,
    tree: syn::File,
    /// For each place the filler visits, in its order, the hole that goes
    /// there (`None`: a keyword, left as it is).
    sites: Vec<Option<usize>>,
}

/// What an item holds in its holes, in the order of its tokens.
enum Hole {
    Ident(Ident),
    Str(Literal),
}

/// An item's syntax tree: a template's, filled with the item's identifiers
/// and strings, or parsed from the item itself.
enum Tree<'t> {
    Filled(&'t syn::File),
    Parsed(syn::File),
}

impl Tree<'_> {
    fn file(&self) -> &syn::File {
        match self {
            Tree::Filled(file) => file,
            Tree::Parsed(file) => file,
        }
    }
}

impl Shapes {
    /// The text prettyplease prints for the file of `tokens`, printed item
    /// by item, each item's syntax tree from a template when its shape has
    /// been seen before. prettyplease prints the items of a file one after
    /// the other, so the text is that of printing the file at once.
    ///
    /// With `repeating`, the caller expects these items' shapes to come
    /// again: the first item of a shape is printed from a template
    /// straight away, which spares the second parse when one comes.
    pub(crate) fn print_items(
        &mut self,
        tokens: TokenStream,
        repeating: bool,
    ) -> syn::Result<String> {
        let mut pieces = split_items(tokens, ITEM_START).into_iter();
        let mut done = Vec::new();
        let mut text = String::new();
        while let Some(piece) = pieces.next() {
            let (piece, printed) = self.print(piece, repeating);
            let first = done.is_empty();
            done.push(piece);
            match printed {
                // Only the first piece may bring inner attributes.
                Ok((printed, inner_attributes)) if first || !inner_attributes => {
                    text.push_str(&printed);
                }
                // What does not parse apart is parsed whole, which also
                // gives the error of tokens that do not parse at all.
                _ => {
                    let done = done.into_iter().map(Tokens::together);
                    let rest = pieces.map(|piece| piece.into_iter().collect());
                    return print_whole(done.chain(rest).collect());
                }
            }
        }
        Ok(text)
    }

    /// The members of `impl #self_ty { #members }` as prettyplease prints
    /// them inside the block (without its first and last lines), printed
    /// member by member, each inside a block of its own whose known first
    /// and last lines are dropped, and each member's syntax tree from a
    /// template when its shape has been seen before. `None` if the printed
    /// block does not have those lines.
    pub(crate) fn print_members(
        &mut self,
        self_ty: &Ident,
        members: TokenStream,
    ) -> syn::Result<Option<String>> {
        let mut pieces = split_items(members, MEMBER_START).into_iter();
        let open = format!("impl {self_ty} {{\n");
        let inside = |printed: &str| -> Option<String> {
            let inner = printed.strip_prefix(open.as_str())?.strip_suffix("}\n")?;
            Some(inner.to_string())
        };
        let mut done = Vec::new();
        let mut text = String::new();
        while let Some(piece) = pieces.next() {
            let block = impl_block(self_ty, piece.into_iter().collect());
            let (block, printed) = self.print(block, false);
            done.push(block);
            match printed
                .ok()
                .as_ref()
                .and_then(|(printed, _)| inside(printed))
            {
                Some(inner) => text.push_str(&inner),
                None => {
                    let done = done
                        .into_iter()
                        .map(|block| block_members(block.together()));
                    let rest = pieces.map(|piece| piece.into_iter().collect());
                    let members: TokenStream = done.chain(rest).collect();
                    let whole = print_whole(impl_block(self_ty, members))?;
                    return Ok(inside(&whole));
                }
            }
        }
        Ok(Some(text))
    }

    /// The text prettyplease prints for one item, and whether the item
    /// has inner attributes: from the item's layout when it is known, and
    /// otherwise printed from the item's syntax tree. The tokens are given
    /// back, for a caller that has to print them again with others.
    fn print(
        &mut self,
        tokens: impl IntoIterator<Item = TokenTree>,
        repeating: bool,
    ) -> (Tokens, syn::Result<(String, bool)>) {
        let (item, nodes) = Abstract::of(tokens);
        let laid = item.laid();
        let (key, filled) = match self.layouts.fill(&laid) {
            Found::Filled(text) => return (Tokens::Apart(nodes), Ok((text, false))),
            Found::None => (None, None),
            Found::New(key) => (Some(key), None),
            Found::Unchecked(key, text) => (Some(key), Some(text)),
        };
        // A shape seen before, or expected to repeat, is printed from a
        // template, which takes the item's holes; they are taken from the
        // tokens while apart.
        let holes = match self.seen.get(&item.shape_hash) {
            Some(Seen::Once | Seen::Template(_)) => holes_from(&nodes),
            None if repeating => holes_from(&nodes),
            _ => Vec::new(),
        };
        let tokens = together(nodes);
        let printed = self
            .tree(tokens.clone(), &item, &holes, repeating)
            .map(|tree| {
                let file = tree.file();
                (prettyplease::unparse(file), !file.attrs.is_empty())
            });
        if let Ok((printed, _)) = &printed {
            match (key, filled) {
                (Some(key), Some(filled)) => self.layouts.checked(key, &laid, filled == *printed),
                (Some(key), None) => self.layouts.learn(key, &laid, printed),
                (None, _) => {}
            }
        }
        (Tokens::Together(tokens), printed)
    }

    /// The syntax tree of one item, from a template when its shape has
    /// been seen before, or is expected to repeat.
    fn tree(
        &mut self,
        tokens: TokenStream,
        item: &Abstract,
        holes: &[Hole],
        repeating: bool,
    ) -> syn::Result<Tree<'_>> {
        let (shape, key) = (&item.shape, item.shape_hash);
        let parsed = |tokens| syn::parse2(tokens).map(Tree::Parsed);

        let filled = match self.seen.get_mut(&key) {
            None if !repeating => {
                self.seen.insert(key, Seen::Once);
                return parsed(tokens);
            }
            Some(Seen::Unusable) => return parsed(tokens),
            Some(Seen::Template(template)) if template.shape != *shape => return parsed(tokens),
            Some(Seen::Template(template)) => {
                let Template { tree, sites, .. } = &mut **template;
                let mut filler = Filler::refill(holes, sites);
                filler.visit_file_mut(tree);
                filler.refilled()
            }
            None | Some(Seen::Once) => {
                // Seen a second time, or expected to be: parse the template.
                if self.templates >= MAX_TEMPLATES {
                    return parsed(tokens);
                }
                let template = syn::parse2::<syn::File>(placeholders(tokens.clone(), &mut 0));
                let Ok(mut tree) = template else {
                    // The original may still parse: a hole in a place that
                    // takes only some identifiers. Not worth a template.
                    self.seen.insert(key, Seen::Unusable);
                    return parsed(tokens);
                };
                let mut filler = Filler::discover(holes);
                filler.visit_file_mut(&mut tree);
                match filler.discovered() {
                    Some(sites) => {
                        self.templates += 1;
                        let shape = shape.clone();
                        let template = Template { shape, tree, sites };
                        self.seen.insert(key, Seen::Template(Box::new(template)));
                        true
                    }
                    None => false,
                }
            }
        };
        if !(filled && matches!(self.seen.get(&key), Some(Seen::Template(_)))) {
            // Instances of one shape fill the same places, so this does not
            // happen after a discovery that succeeded; if it did, the tree
            // is in pieces and the shape is not a template after all.
            self.seen.insert(key, Seen::Unusable);
            return parsed(tokens);
        }
        match self.seen.get(&key) {
            Some(Seen::Template(template)) => Ok(Tree::Filled(&template.tree)),
            _ => parsed(tokens),
        }
    }
}

fn print_whole(tokens: TokenStream) -> syn::Result<String> {
    syn::parse2::<syn::File>(tokens).map(|file| prettyplease::unparse(&file))
}

/// `impl #self_ty { #members }`, with `members` moved in, not copied.
fn impl_block(self_ty: &Ident, members: TokenStream) -> TokenStream {
    let mut block = quote::quote!(impl #self_ty);
    block.extend([TokenTree::Group(proc_macro2::Group::new(
        Delimiter::Brace,
        members,
    ))]);
    block
}

/// The members of a block made by [`impl_block`].
fn block_members(block: TokenStream) -> TokenStream {
    match block.into_iter().last() {
        Some(TokenTree::Group(group)) => group.stream(),
        _ => TokenStream::new(),
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
fn split_items(tokens: TokenStream, starts: &[&str]) -> Vec<Vec<TokenTree>> {
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
            pieces.push(std::mem::take(&mut current));
        }
        at_end = match &tree {
            TokenTree::Punct(punct) => punct.as_char() == ';',
            TokenTree::Group(group) => group.delimiter() == Delimiter::Brace,
            _ => false,
        };
        current.push(tree);
    }
    if !current.is_empty() || pieces.is_empty() {
        pieces.push(current);
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

/// An item's tokens abstracted: its shape and its holes, and for
/// [`crate::layouts`], what each hole prints as.
struct Abstract {
    shape: String,
    shape_hash: u64,
    kinds: Vec<HoleKind>,
    /// The printed text of the holes.
    texts: String,
    /// Where each hole's text is in `texts`.
    ranges: Vec<std::ops::Range<usize>>,
    /// Whether the item prints in a way a layout does not follow.
    unlaid: bool,
}

impl Abstract {
    /// The item of `tokens`, and the tokens, given back apart.
    fn of(tokens: impl IntoIterator<Item = TokenTree>) -> (Self, Vec<Node>) {
        let mut item = Abstract {
            shape: String::with_capacity(512),
            shape_hash: 0,
            kinds: Vec::with_capacity(64),
            texts: String::with_capacity(512),
            ranges: Vec::with_capacity(64),
            unlaid: false,
        };
        let nodes = abstract_stream(tokens, &mut item, false);
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        item.shape.hash(&mut hasher);
        item.shape_hash = hasher.finish();
        (item, nodes)
    }

    fn laid(&self) -> Item<'_> {
        Item {
            shape: &self.shape,
            shape_hash: self.shape_hash,
            kinds: &self.kinds,
            texts: &self.texts,
            ranges: &self.ranges,
            unlaid: self.unlaid,
        }
    }

    /// Adds a hole whose text was appended to `texts` from `start` on.
    fn hole(&mut self, kind: HoleKind, start: usize) {
        self.ranges.push(start..self.texts.len());
        self.kinds.push(kind);
    }

    /// Holes `name` and `value` are those of an outer `#[doc = ...]`: the
    /// `doc` does not print, and a string value prints after `///`, as
    /// its value without trailing spaces (or the item has no layout).
    fn doc(&mut self, name: usize, value: Option<usize>) {
        if let (Some(range), Some(kind)) = (self.ranges.get_mut(name), self.kinds.get_mut(name)) {
            *range = 0..0;
            *kind = HoleKind::Unprinted;
        }
        let Some(value) = value else {
            return;
        };
        let Some(repr) = self
            .ranges
            .get(value)
            .and_then(|r| self.texts.get(r.clone()))
        else {
            return;
        };
        let text = match repr.get(1..repr.len() - 1) {
            Some(inner) if !repr.contains('\\') => inner.to_string(),
            _ => match syn::parse_str::<syn::LitStr>(repr) {
                Ok(lit) => lit.value(),
                Err(_) => {
                    self.unlaid = true;
                    return;
                }
            },
        };
        // A line comment; otherwise a block comment or the attribute.
        if text.contains('\n') || text.starts_with('/') {
            self.unlaid = true;
            return;
        }
        let start = self.texts.len();
        self.texts.push_str(text.trim_end_matches(' '));
        let end = self.texts.len();
        if let (Some(range), Some(kind)) = (self.ranges.get_mut(value), self.kinds.get_mut(value)) {
            *range = start..end;
            *kind = HoleKind::Doc;
        }
    }
}

/// Appends the shape of `stream` to `item`'s, and its holes to `item`'s;
/// gives the tokens back apart. `attribute`: `stream` is the inside of
/// `#[...]`.
///
/// The tokens are taken apart rather than iterated over a copy: proc_macro2
/// iterates a stream that is shared by copying every token, identifiers'
/// text included. They are put together again only for an item that is
/// parsed or printed ([`together`]); most items of a large spec are filled
/// from their layout, and their tokens are only dropped.
fn abstract_stream(
    stream: impl IntoIterator<Item = TokenTree>,
    item: &mut Abstract,
    attribute: bool,
) -> Vec<Node> {
    // Whether the tokens so far are those of `doc = ...`, and the holes of
    // `doc` and of a string value.
    let mut doc = attribute;
    let (mut doc_name, mut doc_value) = (None, None);
    let mut tokens = 0;
    let mut after_hash = false;
    let stream = stream.into_iter();
    let mut nodes: Vec<Node> = Vec::with_capacity(stream.size_hint().0);
    for tree in stream {
        let position = tokens;
        tokens += 1;
        let hash = matches!(&tree, TokenTree::Punct(punct) if punct.as_char() == '#');
        let tree = match tree {
            TokenTree::Group(group) => {
                doc = false;
                let delimiter = group.delimiter();
                let span = group.span();
                item.unlaid |= delimiter == Delimiter::None;
                let (open, close) = delimiters(delimiter);
                item.shape.push(open);
                let attribute = after_hash && delimiter == Delimiter::Bracket;
                // The group let go of, so that its stream is not shared.
                let inner = group.stream();
                drop(group);
                let inner = abstract_stream(inner, item, attribute);
                item.shape.push(close);
                Node::Group(delimiter, span, inner)
            }
            TokenTree::Ident(ident) => {
                // Written in place and taken back if it is a hole: no
                // string of its own for each identifier.
                let start = item.shape.len();
                let _ = write!(item.shape, "{ident}");
                let text = &item.shape[start..];
                doc &= position == 0 && text == "doc";
                // prettyplease prints `#[comment = "..."]` as a comment.
                item.unlaid |= attribute && position == 0 && text == "comment";
                let keyword = is_keyword(text);
                if keyword {
                    item.shape.push(' ');
                } else {
                    let hole_start = item.texts.len();
                    item.texts.push_str(&item.shape[start..]);
                    item.shape.truncate(start);
                    item.shape.push('$');
                    doc_name = Some(item.kinds.len());
                    item.hole(HoleKind::Ident, hole_start);
                }
                Node::Leaf(TokenTree::Ident(ident), !keyword)
            }
            TokenTree::Punct(punct) => {
                let c = punct.as_char();
                doc &= position == 1 && c == '=';
                item.unlaid |= c == '!';
                item.shape.push(c);
                if punct.spacing() == Spacing::Joint {
                    item.shape.push('~');
                }
                Node::Leaf(TokenTree::Punct(punct), false)
            }
            TokenTree::Literal(literal) => {
                doc &= position == 2;
                item.shape.push('\'');
                let start = item.shape.len();
                let _ = write!(item.shape, "{literal}");
                let hole = item.shape.get(start..).is_some_and(is_plain_str);
                if hole {
                    let hole_start = item.texts.len();
                    item.texts.push_str(&item.shape[start..]);
                    item.shape.truncate(start - 1);
                    item.shape.push('"');
                    doc_value = Some(item.kinds.len());
                    item.hole(HoleKind::Str, hole_start);
                } else {
                    item.shape.push(' ');
                }
                Node::Leaf(TokenTree::Literal(literal), hole)
            }
        };
        nodes.push(tree);
        after_hash = hash;
    }
    if let (true, 3, Some(name)) = (doc, tokens, doc_name) {
        item.doc(name, doc_value);
    }
    nodes
}

/// A token of an item taken apart by [`abstract_stream`]: a group's tokens
/// stay apart too.
enum Node {
    /// A token, and whether it is a hole.
    Leaf(TokenTree, bool),
    Group(Delimiter, Span, Vec<Node>),
}

/// The holes of `nodes`, in order: those the tests' `holes_of` finds in
/// their tokens, without going through the tokens again.
fn holes_from(nodes: &[Node]) -> Vec<Hole> {
    fn walk(nodes: &[Node], holes: &mut Vec<Hole>) {
        for node in nodes {
            match node {
                Node::Leaf(TokenTree::Ident(ident), true) => holes.push(Hole::Ident(ident.clone())),
                Node::Leaf(TokenTree::Literal(literal), true) => {
                    holes.push(Hole::Str(literal.clone()))
                }
                Node::Leaf(..) => {}
                Node::Group(_, _, nodes) => walk(nodes, holes),
            }
        }
    }
    let mut holes = Vec::new();
    walk(nodes, &mut holes);
    holes
}

/// The tokens of `nodes`, put together again.
fn together(nodes: Vec<Node>) -> TokenStream {
    nodes
        .into_iter()
        .map(|node| match node {
            Node::Leaf(tree, _) => tree,
            Node::Group(delimiter, span, nodes) => {
                let mut group = proc_macro2::Group::new(delimiter, together(nodes));
                group.set_span(span);
                TokenTree::Group(group)
            }
        })
        .collect()
}

/// An item's tokens as [`Shapes::print`] gives them back: apart when the
/// item was filled from its layout, else together.
enum Tokens {
    Apart(Vec<Node>),
    Together(TokenStream),
}

impl Tokens {
    fn together(self) -> TokenStream {
        match self {
            Tokens::Apart(nodes) => together(nodes),
            Tokens::Together(tokens) => tokens,
        }
    }
}

/// The holes of `stream`, in the order [`abstract_stream`] finds them.
#[cfg(test)]
fn holes_of(stream: TokenStream) -> Vec<Hole> {
    fn walk(stream: TokenStream, holes: &mut Vec<Hole>, text: &mut String) {
        for tree in stream {
            match tree {
                TokenTree::Group(group) => walk(group.stream(), holes, text),
                TokenTree::Ident(ident) => {
                    text.clear();
                    let _ = write!(text, "{ident}");
                    if !is_keyword(text) {
                        holes.push(Hole::Ident(ident));
                    }
                }
                TokenTree::Literal(literal) => {
                    text.clear();
                    let _ = write!(text, "{literal}");
                    if is_plain_str(text) {
                        holes.push(Hole::Str(literal));
                    }
                }
                TokenTree::Punct(_) => {}
            }
        }
    }
    let mut holes = Vec::new();
    walk(stream, &mut holes, &mut String::new());
    holes
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

/// Which hole a placeholder string literal stands for; `text` as above.
fn str_hole(literal: &Literal, text: &mut String) -> Option<usize> {
    text.clear();
    let _ = write!(text, "{literal}");
    text.strip_prefix('"')?.strip_suffix('"')?.parse().ok()
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

/// Puts an item's identifiers and literals into a template's tree, at the
/// places its placeholders stood in the first time ([`Filler::discover`]),
/// and from then on at the same places in the filler's order of visit
/// ([`Filler::refill`]): the tree of one shape is always visited in the
/// same order, whatever it holds.
struct Filler<'a> {
    holes: &'a [Hole],
    /// When refilling: the hole of each place, in order of visit.
    sites: Option<&'a [Option<usize>]>,
    /// When discovering: the places found so far.
    found: Vec<Option<usize>>,
    /// Places visited so far.
    next: usize,
    filled: Vec<bool>,
    failed: bool,
    /// A buffer for the text of identifiers and literals.
    text: String,
}

impl<'a> Filler<'a> {
    /// For a tree just parsed from placeholders.
    fn discover(holes: &'a [Hole]) -> Self {
        Filler {
            holes,
            sites: None,
            found: Vec::new(),
            next: 0,
            filled: vec![false; holes.len()],
            failed: false,
            text: String::new(),
        }
    }

    /// For a tree filled before, with `sites` from its discovery.
    fn refill(holes: &'a [Hole], sites: &'a [Option<usize>]) -> Self {
        Filler {
            sites: Some(sites),
            ..Filler::discover(holes)
        }
    }

    /// The places found, if every hole has one and each fits its hole.
    fn discovered(self) -> Option<Vec<Option<usize>>> {
        (!self.failed && self.filled.iter().all(|&filled| filled)).then_some(self.found)
    }

    /// Whether the tree was refilled at every place it was discovered with.
    fn refilled(&self) -> bool {
        !self.failed && self.sites.is_some_and(|sites| sites.len() == self.next)
    }

    /// The hole of the next place; `placeholder` reads it from the tree
    /// when discovering.
    fn site(&mut self, placeholder: impl FnOnce(&mut String) -> Option<usize>) -> Option<usize> {
        let index = match self.sites {
            Some(sites) => match sites.get(self.next) {
                Some(&site) => site,
                None => self.fail(),
            },
            None => {
                let index = placeholder(&mut self.text);
                self.found.push(index);
                index
            }
        };
        self.next += 1;
        if let Some(filled) = index.and_then(|i| self.filled.get_mut(i)) {
            *filled = true;
        }
        index
    }

    fn ident(&mut self, index: usize) -> Option<Ident> {
        match self.holes.get(index) {
            Some(Hole::Ident(ident)) => Some(ident.clone()),
            _ => self.fail(),
        }
    }

    fn literal(&mut self, index: usize) -> Option<Literal> {
        match self.holes.get(index) {
            Some(Hole::Str(literal)) => Some(literal.clone()),
            _ => self.fail(),
        }
    }

    /// A placeholder without a hole of its kind: the tree cannot be used.
    fn fail<T>(&mut self) -> Option<T> {
        self.failed = true;
        None
    }

    /// Fills the places of tokens syn keeps unparsed: each identifier and
    /// each literal is one place.
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
                TokenTree::Ident(ident) => {
                    match self
                        .site(|text| ident_hole(&ident, text))
                        .and_then(|i| self.ident(i))
                    {
                        Some(filled) => TokenTree::Ident(filled),
                        None => TokenTree::Ident(ident),
                    }
                }
                TokenTree::Literal(literal) => {
                    match self
                        .site(|text| str_hole(&literal, text))
                        .and_then(|i| self.literal(i))
                    {
                        Some(filled) => TokenTree::Literal(filled),
                        None => TokenTree::Literal(literal),
                    }
                }
                other => other,
            })
            .collect()
    }
}

impl VisitMut for Filler<'_> {
    fn visit_ident_mut(&mut self, ident: &mut Ident) {
        let site = self.site(|text| ident_hole(ident, text));
        if let Some(filled) = site.and_then(|i| self.ident(i)) {
            *ident = filled;
        }
    }

    fn visit_lit_str_mut(&mut self, lit: &mut syn::LitStr) {
        let Some(index) = self.site(|text| str_hole(&lit.token(), text)) else {
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

    /// The holes taken from an item's tokens while apart are those found
    /// by going through the tokens: identifiers but keywords, raw ones
    /// too, and plain strings, docs among them, in order.
    #[test]
    fn holes_from_nodes_are_the_holes_of_the_tokens() {
        let items = [
            quote! {
                /// A doc with "quotes".
                #[derive(Debug, Clone)]
                #[serde(rename = "r#type", default)]
                pub struct Thing { pub r#type: Option<Vec<String>>, count: u32 }
            },
            quote! {
                impl<'de> serde::Deserialize<'de> for Kind {
                    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                        match 1u8 { 1 => Ok(Self::A), _ => Err(D::Error::custom("x\"y")) }
                    }
                }
            },
        ];
        let text = |holes: &[Hole]| -> Vec<String> {
            holes
                .iter()
                .map(|hole| match hole {
                    Hole::Ident(ident) => ident.to_string(),
                    Hole::Str(literal) => literal.to_string(),
                })
                .collect()
        };
        for tokens in items {
            let (_, nodes) = Abstract::of(tokens.clone());
            let from_nodes = text(&holes_from(&nodes));
            assert_eq!(from_nodes, text(&holes_of(tokens)));
            assert!(from_nodes.len() > 10, "{from_nodes:?}");
        }
    }

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
                let via_shapes = shapes.print_items(chunk.clone(), false).unwrap();
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
    fn repeating_chunks_are_printed_from_a_template_at_first_sight() {
        let chunks = [
            string_enum(ident("Kind"), ["alpha", "beta"], "The kind."),
            string_enum(ident("Colour"), ["red", "green-blue"], "A colour."),
            request("Lone", "at", " A struct of its own.", "at"),
        ];
        let mut shapes = Shapes::default();
        let first = shapes.print_items(chunks[0].clone(), true).unwrap();
        assert_eq!(first, direct(&chunks[0]));
        assert_eq!(shapes.templates, 3, "a template per item, at first sight");
        assert!(shapes
            .seen
            .values()
            .all(|seen| matches!(seen, Seen::Template(_))));
        for chunk in &chunks[1..] {
            assert_eq!(
                shapes.print_items(chunk.clone(), true).unwrap(),
                direct(chunk)
            );
        }
        assert_eq!(shapes.templates, 4, "the second enum refills the first's");
    }

    /// A request struct as the emitter writes one: docs, derives, serde
    /// attributes with strings, fields.
    fn request(name: &str, field: &str, doc: &str, rename: &str) -> TokenStream {
        let name = ident(name);
        let field = ident(field);
        quote! {
            #[doc = #doc]
            #[derive(Debug, Clone, serde::Serialize)]
            pub struct #name {
                #[doc = " The id."]
                pub id: String,
                #[serde(rename = #rename, default, skip_serializing_if = "Option::is_none")]
                pub #field: Option<Vec<chrono::DateTime<chrono::FixedOffset>>>,
            }
        }
    }

    /// Items of one layout (one shape, holes as wide) are filled from the
    /// first one's text, and print as prettyplease prints them, whatever
    /// their docs: with escapes, trailing spaces, empty, long.
    #[test]
    fn items_of_one_layout_print_as_parsed_directly() {
        let docs = [
            " What operation 1 sends.",
            " A \"quoted\" doc with a tab\t and é.",
            " Trailing spaces.   ",
            "",
            " A doc much longer than a line of a hundred columns, which prettyplease does not wrap at all.",
            " Short.",
        ];
        let mut shapes = Shapes::default();
        for (i, doc) in docs.iter().enumerate() {
            let item = request(
                &format!("Resource{i}Request"),
                &format!("field_{i}"),
                doc,
                &format!("field{i}"),
            );
            assert_eq!(
                shapes.print_items(item.clone(), false).unwrap(),
                direct(&item),
                "{doc:?}"
            );
        }
        assert_eq!(shapes.layouts.counts(), (1, 0), "one layout, trusted");
        // Other widths are other layouts, and print as they should too.
        let wider = request(
            "AWiderRequestName",
            "a_much_wider_field_name",
            " Doc.",
            "aMuchWiderFieldName",
        );
        assert_eq!(
            shapes.print_items(wider.clone(), false).unwrap(),
            direct(&wider)
        );
    }

    /// What prints in a way a layout does not follow has no layout: docs
    /// printed as block comments or attributes, `#[comment]`, macros.
    #[test]
    fn what_a_layout_does_not_follow_is_printed() {
        let mut shapes = Shapes::default();
        let items: Vec<TokenStream> = (0..4)
            .flat_map(|i| {
                let name = ident(&format!("Name{i}"));
                let doc = format!(" Line {i}.\n Line two.");
                let slash = format!("/ starts with a slash {i}");
                let comment = format!(" comment {i}");
                let text = format!("text {i}");
                [
                    quote!(#[doc = #doc] pub struct #name;),
                    quote!(#[doc = #slash] pub struct #name;),
                    quote!(#[comment = #comment] pub struct #name;),
                    quote!(pub fn #name() -> Vec<String> { vec![#text.to_string()] }),
                ]
            })
            .collect();
        for item in &items {
            assert_eq!(
                shapes.print_items(item.clone(), false).unwrap(),
                direct(item)
            );
        }
        assert_eq!(shapes.layouts.counts(), (0, 0));
    }

    /// A hole's text found first in a token that is not a hole puts the
    /// hole in the wrong place: the first filled items are printed too,
    /// and the difference retires the layout.
    #[test]
    fn a_layout_that_fills_wrongly_is_retired() {
        let mut shapes = Shapes::default();
        // The layout is learnt from the second item, whose name is also
        // the raw string's text.
        for name in ["other", "value", "third", "forth", "fifth"] {
            let name = ident(name);
            let item = quote!(pub fn f() -> &'static str { let #name = r"value"; #name });
            assert_eq!(
                shapes.print_items(item.clone(), false).unwrap(),
                direct(&item)
            );
        }
        assert_eq!(shapes.layouts.counts(), (0, 1));
    }

    /// A hole found in the wrong place (its word also in a doc the shape
    /// fixes) fills correctly as long as items hold the same word there;
    /// the first item with another word there is printed and compared,
    /// which retires the layout, however many items came before.
    #[test]
    fn a_hole_in_the_wrong_place_is_found_when_its_text_first_changes() {
        let mut shapes = Shapes::default();
        let fields = [
            "value", "value", "value", "value", "value", "other", "value",
        ];
        for (i, field) in fields.iter().enumerate() {
            let name = ident(&format!("Item{i}"));
            let field = ident(field);
            let item = quote! {
                pub struct #name {
                    /// The field's value.
                    pub #field: u8,
                }
            };
            assert_eq!(
                shapes.print_items(item.clone(), false).unwrap(),
                direct(&item),
                "item {i}"
            );
        }
        assert_eq!(shapes.layouts.counts(), (0, 1));
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
            let via_shapes = shapes.print_items(chunk.clone(), false).unwrap();
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
            .into_iter()
            .map(|piece| piece.into_iter().collect::<TokenStream>().to_string())
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
            let via_shapes = shapes.print_items(chunk.clone(), false).unwrap();
            assert_eq!(via_shapes, direct(chunk));
        }
        // Items that are only right together are parsed together, and
        // tokens that are not items at all give syn's error.
        let mut shapes = Shapes::default();
        let together = quote!(pub struct A; #![allow(dead_code)] pub struct B;);
        assert!(shapes.print_items(together, false).is_err());
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
            let inner = shapes.print_members(&ty, tokens.clone()).unwrap().unwrap();
            let text = format!("impl {ty} {{\n{inner}}}\n");
            assert_eq!(text, direct(&quote!(impl #ty { #tokens })));
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
            let (item, nodes) = Abstract::of(chunk);
            let holes = holes_from(&nodes);
            let chunk = together(nodes);
            let tree = shapes.tree(chunk.clone(), &item, &holes, false).unwrap();
            let file = tree.file();
            assert_eq!(quote!(#file).to_string(), chunk.to_string());
        }
        assert_eq!(shapes.templates, 0);
        assert!(matches!(shapes.seen.values().next(), Some(Seen::Unusable)));
    }

    #[test]
    fn tokens_that_do_not_parse_are_an_error_every_time() {
        let mut shapes = Shapes::default();
        for name in ["a", "b", "c"] {
            let name = ident(name);
            assert!(shapes
                .print_items(quote!(pub struct #name = 1;), false)
                .is_err());
        }
    }
}
