//! Where each node of a YAML or JSON document is: JSON pointer → line and
//! column, from yaml-rust2's marked events.
//!
//! serde_yaml and openapiv3 keep no positions. Once there is a diagnostic
//! to place, this pass walks the text once more and records the position
//! of nodes (at its key, for mapping values); it also says where a key
//! repeats and where it was first, and reports nesting or alias use
//! beyond sane limits.

use std::collections::{HashMap, HashSet};
use std::ops::ControlFlow;

use yaml_rust2::parser::{Event, Parser};

use crate::diag::{escape_token, Diagnostic};

/// Deeper nesting than this is refused (real specs stay far below it).
pub const MAX_DEPTH: usize = 128;
/// More aliases than this are refused (a billion-laughs guard).
pub const MAX_ALIASES: usize = 1_000;

/// Positions of a document's nodes.
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    positions: HashMap<String, (usize, usize)>,
    /// The text of the lines positions are on, by 1-based number.
    lines: HashMap<usize, String>,
}

impl SourceMap {
    /// Line and column (1-based) of the node at `pointer`, or of its
    /// nearest ancestor that has one.
    pub fn position(&self, pointer: &str) -> Option<(usize, usize)> {
        let mut current = pointer;
        loop {
            if let Some(found) = self.positions.get(current) {
                return Some(*found);
            }
            let (parent, _) = current.rsplit_once('/')?;
            current = parent;
        }
    }

    /// The text of a 1-based line.
    pub fn line(&self, line: usize) -> Option<&str> {
        self.lines.get(&line).map(String::as_str)
    }

    /// Fills in line, column and source line of diagnostics that name a
    /// pointer in this document's file.
    pub fn annotate(&self, diagnostic: &mut Diagnostic) {
        if diagnostic.line.is_none() {
            if let Some((line, column)) =
                diagnostic.pointer.as_deref().and_then(|p| self.position(p))
            {
                diagnostic.line = Some(line);
                diagnostic.column = Some(column);
            }
        }
        if diagnostic.source_line.is_none() {
            diagnostic.source_line = diagnostic
                .line
                .and_then(|l| self.line(l))
                .map(str::to_string);
        }
    }
}

enum Frame {
    Mapping {
        pointer: String,
        /// The key just read, waiting for its value.
        key: Option<(String, (usize, usize))>,
        seen: HashMap<String, usize>,
    },
    Sequence {
        pointer: String,
        index: usize,
    },
}

/// Scans `text`, recording the position of every node.
pub fn scan(text: &str) -> (SourceMap, Vec<Diagnostic>) {
    walk(text, Record::All)
}

/// The positions that annotating diagnostics at `pointers` needs: those of
/// the nodes at `pointers` and of their ancestors, the same as [`scan`]
/// finds for them. A JSON document is read by a scanner of its own, which
/// skips what it is not asked about; YAML (and JSON that scanner does not
/// take) by yaml-rust2's events. Diagnostics are few and documents large,
/// so this is what is worth making fast.
pub fn positions_of(text: &str, pointers: &[&str]) -> SourceMap {
    let wanted = Wanted::new(pointers);
    match json::positions(text, &wanted) {
        Some(positions) => SourceMap::with_lines(positions, text),
        None => walk(text, Record::Only(&wanted)).0,
    }
}

impl SourceMap {
    fn with_lines(positions: HashMap<String, (usize, usize)>, text: &str) -> Self {
        let mut numbers: Vec<usize> = positions.values().map(|&(line, _)| line).collect();
        numbers.sort_unstable();
        numbers.dedup();
        let mut lines = HashMap::new();
        let mut all = text.lines().enumerate();
        for number in numbers {
            // `lines` counts from 0; positions from 1.
            for (index, line) in all.by_ref() {
                if index + 1 == number {
                    lines.insert(number, line.to_string());
                    break;
                }
            }
        }
        SourceMap { positions, lines }
    }
}

/// Which positions a walk records.
#[derive(Clone, Copy)]
enum Record<'w> {
    All,
    Only(&'w Wanted),
}

impl Record<'_> {
    fn wants(self, pointer: &str) -> bool {
        match self {
            Record::All => true,
            Record::Only(wanted) => wanted.0.contains(pointer),
        }
    }
}

/// Pointers asked about, with all their ancestors.
struct Wanted(HashSet<String>);

impl Wanted {
    fn new(pointers: &[&str]) -> Self {
        let mut set = HashSet::new();
        for pointer in pointers {
            let mut current = *pointer;
            loop {
                set.insert(current.to_string());
                match current.rsplit_once('/') {
                    Some((parent, _)) => current = parent,
                    None => break,
                }
            }
        }
        Wanted(set)
    }
}

fn walk(text: &str, record: Record<'_>) -> (SourceMap, Vec<Diagnostic>) {
    let mut walk = Walk {
        record,
        positions: HashMap::new(),
        diags: Vec::new(),
        stack: Vec::new(),
        aliases: 0,
    };
    let mut parser = Parser::new_from_str(text);
    // On a syntax error the walk stops; serde_yaml reports it with its
    // position.
    while let Ok((event, marker)) = parser.next_token() {
        let here = (marker.line(), marker.col() + 1);
        let flow = match event {
            Event::StreamEnd => ControlFlow::Break(()),
            Event::Scalar(value, ..) => walk.scalar(value, here),
            Event::Alias(_) => walk.alias(here),
            Event::MappingStart(..) => walk.open(Opened::Mapping, here),
            Event::SequenceStart(..) => walk.open(Opened::Sequence, here),
            Event::MappingEnd | Event::SequenceEnd => {
                walk.stack.pop();
                ControlFlow::Continue(())
            }
            Event::Nothing | Event::StreamStart | Event::DocumentStart | Event::DocumentEnd => {
                ControlFlow::Continue(())
            }
        };
        if flow.is_break() {
            break;
        }
    }
    let map = match record {
        Record::All => SourceMap {
            positions: walk.positions,
            lines: (1..).zip(text.lines().map(str::to_string)).collect(),
        },
        Record::Only(_) => SourceMap::with_lines(walk.positions, text),
    };
    (map, walk.diags)
}

/// The state of [`walk`]: the collections open around the current event,
/// and what has been found so far.
struct Walk<'w> {
    record: Record<'w>,
    positions: HashMap<String, (usize, usize)>,
    diags: Vec<Diagnostic>,
    stack: Vec<Frame>,
    aliases: usize,
}

/// Which collection an event opens.
#[derive(Clone, Copy)]
enum Opened {
    Mapping,
    Sequence,
}

impl Walk<'_> {
    /// Whether the node that starts now is a mapping's key.
    fn at_key(&self) -> bool {
        matches!(self.stack.last(), Some(Frame::Mapping { key: None, .. }))
    }

    /// Where the node that starts now at `here` goes, if it is a value:
    /// its pointer, and its position (a mapping's value is at its key).
    fn place(&mut self, here: (usize, usize)) -> Option<(String, (usize, usize))> {
        match self.stack.last_mut() {
            None => Some(("#".to_string(), here)),
            Some(Frame::Sequence { pointer, index }) => {
                let p = format!("{pointer}/{index}");
                *index += 1;
                Some((p, here))
            }
            Some(Frame::Mapping { pointer, key, .. }) => key
                .take()
                .map(|(k, at)| (format!("{pointer}/{}", escape_token(&k)), at)),
        }
    }

    /// Places the value that starts at `here`, records its position if
    /// asked to, and returns its pointer.
    fn value(&mut self, here: (usize, usize)) -> Option<String> {
        let (pointer, at) = self.place(here)?;
        if self.record.wants(&pointer) {
            self.positions.insert(pointer.clone(), at);
        }
        Some(pointer)
    }

    /// Takes `name`, at `here`, as the key of the innermost mapping.
    fn set_key(&mut self, name: String, here: (usize, usize)) {
        if let Some(Frame::Mapping { key, .. }) = self.stack.last_mut() {
            *key = Some((name, here));
        }
    }

    fn scalar(&mut self, value: String, here: (usize, usize)) -> ControlFlow<()> {
        if !self.at_key() {
            self.value(here);
            return ControlFlow::Continue(());
        }
        if let Some(Frame::Mapping { pointer, seen, .. }) = self.stack.last_mut() {
            if let Some(first) = seen.get(&value) {
                let key_pointer = format!("{pointer}/{}", escape_token(&value));
                self.diags.push(
                    Diagnostic::error(format!("duplicate key `{value}` (first on line {first})"))
                        .at_pointer(key_pointer)
                        .at_line_col(here.0, here.1)
                        .with_help(
                            "YAML parsers silently keep only one of them; remove or rename one",
                        ),
                );
            } else {
                seen.insert(value.clone(), here.0);
            }
        }
        self.set_key(value, here);
        ControlFlow::Continue(())
    }

    fn alias(&mut self, here: (usize, usize)) -> ControlFlow<()> {
        self.aliases += 1;
        if self.aliases > MAX_ALIASES {
            self.diags.push(
                Diagnostic::error(format!("more than {MAX_ALIASES} YAML aliases"))
                    .at_line_col(here.0, here.1)
                    .with_help("expand the aliases; apigen refuses documents that could expand without bound"),
            );
            return ControlFlow::Break(());
        }
        if self.at_key() {
            self.set_key("*alias".to_string(), here);
        } else {
            self.value(here);
        }
        ControlFlow::Continue(())
    }

    /// A mapping or a sequence starts at `here`.
    fn open(&mut self, opened: Opened, here: (usize, usize)) -> ControlFlow<()> {
        let pointer = if self.at_key() {
            // A complex key: give it a placeholder name.
            self.set_key("?".to_string(), here);
            "#/?".to_string()
        } else {
            self.value(here).unwrap_or_else(|| "#".to_string())
        };
        if self.stack.len() >= MAX_DEPTH {
            self.diags.push(
                Diagnostic::error(format!("the document nests deeper than {MAX_DEPTH} levels"))
                    .at_pointer(pointer)
                    .at_line_col(here.0, here.1),
            );
            return ControlFlow::Break(());
        }
        self.stack.push(match opened {
            Opened::Mapping => Frame::Mapping {
                pointer,
                key: None,
                seen: HashMap::new(),
            },
            Opened::Sequence => Frame::Sequence { pointer, index: 0 },
        });
        ControlFlow::Continue(())
    }
}

/// Positions in a JSON document, where yaml-rust2 puts them: a mapping's
/// values at their key, sequence items and the root at their first
/// character; lines from 1 (`\r\n`, `\r` and `\n` end one), columns from 1
/// in characters.
mod json {
    use std::collections::HashMap;

    use std::fmt::Write as _;

    use super::{Wanted, MAX_DEPTH};
    use crate::diag::push_token;

    /// `None` if the text is not JSON this scanner reads.
    pub(super) fn positions(
        text: &str,
        wanted: &Wanted,
    ) -> Option<HashMap<String, (usize, usize)>> {
        let mut scan = Scanner {
            text,
            bytes: text.as_bytes(),
            at: 0,
            counted: 0,
            line: 1,
            line_start: 0,
            wanted,
            found: HashMap::new(),
        };
        scan.skip_space();
        if !matches!(scan.peek()?, b'{' | b'[') {
            return None;
        }
        let mut pointer = "#".to_string();
        scan.record(&pointer, scan.at);
        scan.value(Some(&mut pointer), 0)?;
        scan.skip_space();
        (scan.at == scan.bytes.len()).then_some(scan.found)
    }

    struct Scanner<'t, 'w> {
        text: &'t str,
        bytes: &'t [u8],
        at: usize,
        /// Lines are counted up to this offset.
        counted: usize,
        line: usize,
        line_start: usize,
        wanted: &'w Wanted,
        found: HashMap<String, (usize, usize)>,
    }

    impl Scanner<'_, '_> {
        fn peek(&self) -> Option<u8> {
            self.bytes.get(self.at).copied()
        }

        fn skip_space(&mut self) {
            while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
                self.at += 1;
            }
        }

        fn expect(&mut self, byte: u8) -> Option<()> {
            self.skip_space();
            (self.peek()? == byte).then(|| self.at += 1)
        }

        /// Records `offset` as the position of `pointer` if it is wanted.
        /// Offsets come in increasing order, so lines are counted once.
        fn record(&mut self, pointer: &str, offset: usize) {
            if !self.wanted.0.contains(pointer) {
                return;
            }
            let mut index = self.counted;
            while let Some(&byte) = self.bytes.get(index) {
                if index >= offset {
                    break;
                }
                let crlf = byte == b'\r' && self.bytes.get(index + 1) == Some(&b'\n');
                if (byte == b'\n' || byte == b'\r') && !crlf {
                    self.line += 1;
                    self.line_start = index + 1;
                }
                index += 1;
            }
            self.counted = index;
            let column = self
                .text
                .get(self.line_start..offset)
                .map_or(0, |s| s.chars().count());
            self.found
                .insert(pointer.to_string(), (self.line, column + 1));
        }

        /// Reads the value of a child of the node at `pointer`, whose
        /// pointer is `pointer` grown by `grow` and whose position is `at`;
        /// `pointer` is given back as it was.
        fn child(
            &mut self,
            pointer: &mut String,
            grow: impl FnOnce(&mut String),
            at: usize,
            depth: usize,
        ) -> Option<()> {
            let len = pointer.len();
            grow(pointer);
            let read = if self.wanted.0.contains(pointer.as_str()) {
                self.record(pointer, at);
                self.value(Some(&mut *pointer), depth + 1)
            } else {
                self.value(None, depth + 1)
            };
            pointer.truncate(len);
            read
        }

        /// Reads the entries of an object or array whose opening byte is
        /// at hand, up to `close`: `entry` reads each, from its first byte.
        fn entries(
            &mut self,
            close: u8,
            mut entry: impl FnMut(&mut Self) -> Option<()>,
        ) -> Option<()> {
            self.at += 1;
            self.skip_space();
            if self.peek()? == close {
                self.at += 1;
                return Some(());
            }
            loop {
                self.skip_space();
                entry(self)?;
                self.skip_space();
                match self.peek()? {
                    b',' => self.at += 1,
                    byte if byte == close => {
                        self.at += 1;
                        return Some(());
                    }
                    _ => return None,
                }
            }
        }

        /// Reads one value; `pointer` is `Some` when something at or under
        /// it is wanted.
        fn value(&mut self, pointer: Option<&mut String>, depth: usize) -> Option<()> {
            if depth > MAX_DEPTH {
                return None;
            }
            self.skip_space();
            match self.peek()? {
                b'{' => {
                    let mut pointer = pointer;
                    self.entries(b'}', |scan| {
                        let key_at = scan.at;
                        let key = scan.string()?;
                        scan.expect(b':')?;
                        match pointer.as_deref_mut() {
                            Some(pointer) => {
                                let key = scan.key(key)?;
                                let grow = |p: &mut String| push_token(p, &key);
                                scan.child(pointer, grow, key_at, depth)
                            }
                            None => scan.value(None, depth + 1),
                        }
                    })
                }
                b'[' => {
                    let mut pointer = pointer;
                    let mut index = 0usize;
                    self.entries(b']', |scan| {
                        let read = match pointer.as_deref_mut() {
                            Some(pointer) => {
                                let grow = |p: &mut String| {
                                    let _ = write!(p, "/{index}");
                                };
                                scan.child(pointer, grow, scan.at, depth)
                            }
                            None => scan.value(None, depth + 1),
                        };
                        index += 1;
                        read
                    })
                }
                b'"' => self.string().map(|_| ()),
                _ => {
                    let start = self.at;
                    while !matches!(
                        self.peek(),
                        None | Some(b',' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r')
                    ) {
                        self.at += 1;
                    }
                    (self.at > start).then_some(())
                }
            }
        }

        /// Reads a string; its text with the quotes.
        fn string(&mut self) -> Option<(usize, usize)> {
            let start = self.at;
            if self.peek()? != b'"' {
                return None;
            }
            self.at += 1;
            loop {
                match self.peek()? {
                    b'\\' => self.at += 2,
                    b'"' => {
                        self.at += 1;
                        return Some((start, self.at));
                    }
                    _ => self.at += 1,
                }
            }
        }

        /// A key's value, escapes decoded.
        fn key(&self, (start, end): (usize, usize)) -> Option<String> {
            let quoted = self.text.get(start..end)?;
            if quoted.contains('\\') {
                serde_json::from_str(quoted).ok()
            } else {
                quoted.get(1..quoted.len() - 1).map(str::to_string)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_point_at_keys() {
        let text = "openapi: 3.0.3\npaths:\n  /a:\n    get:\n      responses: {}\nlist:\n  - x\n  - {y: 1}\n";
        let (map, diags) = scan(text);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(map.position("#/openapi"), Some((1, 1)));
        assert_eq!(map.position("#/paths/~1a/get"), Some((4, 5)));
        assert_eq!(map.position("#/paths/~1a/get/responses"), Some((5, 7)));
        assert_eq!(map.position("#/list/1/y"), Some((8, 6)));
        assert_eq!(
            map.position("#/paths/~1a/get/responses/200/nothing"),
            Some((5, 7))
        );
    }

    #[test]
    fn duplicate_keys_are_errors() {
        let (_, diags) = scan("a: 1\nb: 2\na: 3\n");
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].message, "duplicate key `a` (first on line 1)");
        assert_eq!((diags[0].line, diags[0].column), (Some(3), Some(1)));
    }

    /// `positions_of` for every pointer `scan` finds gives what `scan`
    /// gives, with the same lines; and the JSON scanner took the text
    /// when `json` says it should.
    fn agrees_with_scan(text: &str, json: bool) {
        let (all, _) = scan(text);
        let pointers: Vec<&str> = all.positions.keys().map(String::as_str).collect();
        let wanted = Wanted::new(&pointers);
        assert_eq!(json::positions(text, &wanted).is_some(), json, "{text:.60}");
        let only = positions_of(text, &pointers);
        assert_eq!(only.positions, all.positions, "{text:.60}");
        for (line, _) in only.positions.values() {
            assert_eq!(only.line(*line), all.line(*line), "line {line}");
        }
        // One pointer at a time: its own position, or its nearest
        // ancestor's for a pointer below any node.
        for pointer in pointers.iter().take(200) {
            let below = format!("{pointer}/nothing/0");
            let one = positions_of(text, &[pointer, &below]);
            assert_eq!(one.position(pointer), all.position(pointer), "{pointer}");
            assert_eq!(one.position(&below), all.position(&below), "{below}");
        }
    }

    #[test]
    fn positions_of_json_fixtures_are_those_of_the_yaml_walk() {
        let root =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/highlevel");
        for file in ["apps/calendars.json", "common/common-schemas.json"] {
            let text = std::fs::read_to_string(root.join(file)).unwrap();
            agrees_with_scan(&text, true);
        }
    }

    #[test]
    fn positions_of_yaml_fixtures_are_those_of_the_full_walk() {
        for path in crate::spec::parse::tests::repository_yaml_specs() {
            let text = std::fs::read_to_string(&path).unwrap();
            agrees_with_scan(&text, false);
        }
    }

    #[test]
    fn the_json_scanner_reads_what_yaml_reads() {
        for text in [
            "{\n  \"a\": {\"b\": [1, 2]},\n  \"c\": 0\n}",
            "{\"a/b\": {\"~x\": 1}, \"e\\u0301\\/\": [[], {}, [true, null, -1.5e3]]}",
            "{\r\n  \"a\": 1,\r\n  \"b\": {\r\n    \"c\": \"x\\\"y\"\r\n  }\r\n}\r\n",
            "{\"é\": \"ü\", \"ü\": {\"ö\": [\"ä\", {\"k\": 1}]}}",
            "[{\"a\": 1}, [2, [3]], \"s\"]",
            "{}",
            "  {\"a\":{\"b\":{}}}  \n",
        ] {
            agrees_with_scan(text, true);
        }
        // Not JSON the scanner takes: the YAML walk answers.
        for text in [
            "{a: 1, b: [2]}",
            "a: 1\nb:\n  - 2\n",
            "{\"a\": 1} x",
            "{\"a\": }",
        ] {
            agrees_with_scan(text, false);
        }
    }

    #[test]
    fn json_positions() {
        let (map, diags) = scan("{\n  \"a\": {\"b\": [1, 2]},\n  \"a\": 0\n}");
        assert_eq!(map.position("#/a/b/1"), Some((2, 18)));
        assert_eq!(map.position("#/a/b"), Some((2, 9)));
        assert_eq!(diags.len(), 1);
    }
}
