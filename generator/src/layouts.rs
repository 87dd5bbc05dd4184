//! Printing each layout of generated code once.
//!
//! [`crate::shapes`] spares syn's parse of an item whose shape was seen
//! before, but prettyplease still prints every item, and for a large spec
//! that is most of what rendering costs. Yet two items of one shape print
//! alike but for the text in their holes, as long as each hole is as wide:
//!
//! - prettyplease breaks lines by the widths of the words it prints (in
//!   bytes) and the structure of the tree, which a shape fixes;
//! - it reads the text of identifiers and strings in few places: doc and
//!   comment attributes, which it prints as comments; macros, whose bodies
//!   it parses by the macro's name (`vec!`, `format!`); and `cfg`s and
//!   `$crate` in token lists. A doc comment is a line of its own, so its
//!   width decides no break but its own.
//!
//! A *layout* is a shape with the width of each hole but the docs'. The
//! first item of a layout is printed, and the place of each of its holes in
//! the text is found by looking for them in order; a later item of the
//! layout is that text with its own holes' text in those places. What has
//! no layout is printed as before: items with a `!` (macros, inner
//! attributes, negation) or an invisible group, docs that print as block
//! comments or attributes, items whose holes are not all found in order,
//! and any item once the cache is full.
//!
//! A hole is looked for in the text, so it could be found in the wrong
//! place (its word also in a comment or literal that the shape fixes, say).
//! So an item filled with a text other than the first item's in a hole
//! whose place has not been proved is printed as well and compared: equal,
//! the places of the holes where they differ are proved (a hole in the
//! wrong place would have left the old text where it prints and changed
//! another); different, the layout is retired, and the printed text used.
//!
//! Architecture invariant: a text filled from a layout is the text
//! prettyplease prints for the item. Tests hold every repository spec's
//! Rust files to printing them whole.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::ops::Range;

/// Layouts kept at most per thread.
const MAX_LAYOUTS: usize = 4096;

/// What a hole of an item prints as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HoleKind {
    /// An identifier, as its token prints (with `r#` if raw).
    Ident,
    /// A string literal, as its token prints (quotes and escapes).
    Str,
    /// The value of an outer `#[doc = "..."]`, which prints as a `///`
    /// line: its text is the value, unescaped, without trailing spaces.
    Doc,
    /// The `doc` of `#[doc = ...]`, which does not print.
    Unprinted,
}

/// An item as a layout sees it: its shape, and its holes' kinds and
/// printed text.
pub(crate) struct Item<'i> {
    pub(crate) shape: &'i str,
    /// The hash of `shape`.
    pub(crate) shape_hash: u64,
    pub(crate) kinds: &'i [HoleKind],
    /// The text of the holes, as [`HoleKind`] says.
    pub(crate) texts: &'i str,
    /// Where each hole's text is in `texts`.
    pub(crate) ranges: &'i [Range<usize>],
    /// Whether the shape rules out a layout (see the module docs).
    pub(crate) unlaid: bool,
}

impl Item<'_> {
    fn text(&self, hole: usize) -> &str {
        self.ranges
            .get(hole)
            .and_then(|range| self.texts.get(range.clone()))
            .unwrap_or_default()
    }

    /// What the layout's key holds of a hole: its width, or for docs and
    /// what does not print, its kind.
    fn width(&self, hole: usize) -> usize {
        match self.kinds.get(hole) {
            Some(HoleKind::Doc) => usize::MAX,
            Some(HoleKind::Unprinted) => usize::MAX - 1,
            _ => self.text(hole).len(),
        }
    }

    /// The layout's key: the shape and the widths of the holes but docs.
    fn key(&self) -> u64 {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        self.shape_hash.hash(&mut hasher);
        for hole in 0..self.kinds.len() {
            self.width(hole).hash(&mut hasher);
        }
        hasher.finish()
    }

    /// Whether this item is of `layout`'s layout (not only of its key).
    fn fits(&self, layout: &Layout) -> bool {
        layout.shape == self.shape
            && layout.widths.len() == self.kinds.len()
            && (layout.widths.iter().enumerate()).all(|(hole, &width)| width == self.width(hole))
    }
}

/// A layout: the text of its first item and where that item's holes are.
struct Layout {
    shape: String,
    /// What the key holds of each hole ([`Item::width`]).
    widths: Vec<usize>,
    text: String,
    /// The place of each hole's text in `text`, in order.
    places: Vec<Range<usize>>,
    /// For each hole, whether an item filled with another text there was
    /// printed as filled, which proves the place.
    proved: Vec<bool>,
}

enum Entry {
    /// One item of the layout was printed: most items of a spec without
    /// repeats are alone in their layout, and are not worth learning.
    Once,
    Ready(Box<Layout>),
    /// Its items are printed: the layout was found wrong, or a hole was
    /// not found in the text.
    Retired,
}

/// What [`Layouts::fill`] found for an item.
pub(crate) enum Found {
    /// No layout for this item: print it.
    None,
    /// The second item of its layout: print it, then [`Layouts::learn`]
    /// the layout from the text.
    New(u64),
    /// The item's text, from its layout.
    Filled(String),
    /// The item's text from its layout, which puts text in a place not yet
    /// proved: to be compared with the printed text through
    /// [`Layouts::checked`].
    Unchecked(u64, String),
}

/// The layouts of one thread's items.
#[derive(Default)]
pub(crate) struct Layouts {
    by_key: HashMap<u64, Entry>,
}

impl Layouts {
    /// The item's text if its layout is known.
    pub(crate) fn fill(&mut self, item: &Item<'_>) -> Found {
        if item.unlaid {
            return Found::None;
        }
        let key = item.key();
        let layout = match self.by_key.get(&key) {
            None if self.by_key.len() < MAX_LAYOUTS => {
                self.by_key.insert(key, Entry::Once);
                return Found::None;
            }
            Some(Entry::Once) => return Found::New(key),
            Some(Entry::Ready(layout)) if item.fits(layout) => layout,
            _ => return Found::None,
        };
        let mut text = String::with_capacity(layout.text.len() + 64);
        let mut last = 0;
        let mut unproved = false;
        for (hole, place) in layout.places.iter().enumerate() {
            let own = item.text(hole);
            unproved |= !layout.proved.get(hole).copied().unwrap_or(false)
                && layout.text.get(place.clone()) != Some(own);
            text.push_str(&layout.text[last..place.start]);
            text.push_str(own);
            last = place.end;
        }
        text.push_str(&layout.text[last..]);
        if unproved {
            Found::Unchecked(key, text)
        } else {
            Found::Filled(text)
        }
    }

    /// Learns the layout of `item`, which printed as `printed`.
    pub(crate) fn learn(&mut self, key: u64, item: &Item<'_>, printed: &str) {
        let entry = match places(item, printed) {
            Some(places) => Entry::Ready(Box::new(Layout {
                shape: item.shape.to_string(),
                widths: (0..item.kinds.len()).map(|hole| item.width(hole)).collect(),
                text: printed.to_string(),
                proved: vec![false; places.len()],
                places,
            })),
            None => Entry::Retired,
        };
        self.by_key.insert(key, entry);
    }

    /// Whether `item`, filled from the layout of `key`, was what
    /// prettyplease printed for it: if so, the places where its text
    /// differs from the layout's are proved; if not, the layout is retired.
    pub(crate) fn checked(&mut self, key: u64, item: &Item<'_>, same: bool) {
        match self.by_key.get_mut(&key) {
            Some(Entry::Ready(layout)) if same => {
                let Layout {
                    text,
                    places,
                    proved,
                    ..
                } = &mut **layout;
                for (hole, (place, proved)) in places.iter().zip(proved.iter_mut()).enumerate() {
                    *proved |= text.get(place.clone()) != Some(item.text(hole));
                }
            }
            Some(entry) => *entry = Entry::Retired,
            None => {}
        }
    }
}

#[cfg(test)]
impl Layouts {
    /// How many layouts have a place proved, and how many were retired.
    pub(crate) fn counts(&self) -> (usize, usize) {
        let trusted = self
            .by_key
            .values()
            .filter(|entry| matches!(entry, Entry::Ready(layout) if layout.proved.contains(&true)))
            .count();
        let retired = self
            .by_key
            .values()
            .filter(|entry| matches!(entry, Entry::Retired))
            .count();
        (trusted, retired)
    }
}

/// Where each hole of `item` is in `printed`, looked for in order: an
/// identifier as a whole word, a string literal as it is written, a doc
/// as the rest of a `///` line.
fn places(item: &Item<'_>, printed: &str) -> Option<Vec<Range<usize>>> {
    let mut places = Vec::with_capacity(item.kinds.len());
    let mut from = 0;
    for (hole, kind) in item.kinds.iter().enumerate() {
        let text = item.text(hole);
        let place = match kind {
            HoleKind::Str => {
                let start = from + printed.get(from..)?.find(text)?;
                start..start + text.len()
            }
            HoleKind::Ident => word(printed, from, text)?,
            HoleKind::Unprinted => from..from,
            HoleKind::Doc => {
                let mut at = from;
                loop {
                    let found = at + printed.get(at..)?.find("///")?;
                    let start = found + 3;
                    let end = start + text.len();
                    if printed.get(start..end) == Some(text)
                        && printed.as_bytes().get(end) == Some(&b'\n')
                    {
                        break start..end;
                    }
                    at = start;
                }
            }
        };
        from = place.end;
        places.push(place);
    }
    Some(places)
}

/// The first place of `ident` in `text` from `from` on that is a whole
/// word: not in the middle of another identifier, nor after `r#`.
fn word(text: &str, from: usize, ident: &str) -> Option<Range<usize>> {
    let in_word = |c: char| c.is_alphanumeric() || c == '_';
    let mut at = from;
    loop {
        let start = at + text.get(at..)?.find(ident)?;
        let end = start + ident.len();
        let before = text[..start].chars().next_back();
        let after = text[end..].chars().next();
        if !before.is_some_and(|c| in_word(c) || c == '#') && !after.is_some_and(in_word) {
            return Some(start..end);
        }
        at = end.max(start + 1);
    }
}
