//! YAML text straight into a JSON value, in one streaming pass, for the
//! documents that need nothing more.
//!
//! serde_yaml 0.9 collects every event of a document before it hands the
//! first one to a visitor: for a 24 MB spec that list alone holds about
//! 430 MiB, and the duplicate-key walk of [`crate::locate`] then reads the
//! same text once more. This reader builds the value from yaml-rust2's
//! events as they come, and checks what that walk checks (repeated keys,
//! nesting) on the way, so a document it accepts needs neither.
//!
//! It must give exactly the value serde_yaml gives, or decline. Scalars are
//! resolved with serde_yaml's rules (YAML 1.2 core schema: `null`, `true`,
//! decimal, hexadecimal, octal and binary integers, floats, `.inf`, `.nan`),
//! and everything where two YAML parsers are known to differ, or that needs
//! more than a tree of plain values, is declined: anchors, aliases, tags,
//! directives, block scalars without content, tabs and control characters, complex keys,
//! several documents, deep nesting, and plain scalars that start with an
//! indicator. A declined document, and any document with an error, goes
//! the exact way: serde_yaml's parse beside the positioned walk, which then
//! reports what is wrong with file, line and column.

use std::borrow::Cow;

use serde_json::{Map, Number, Value};
use yaml_rust2::scanner::TScalarStyle;

use lines::{Event, Style};

mod lines;

/// Deeper documents are declined; the exact path reports or accepts them.
const MAX_DEPTH: usize = 64;

/// The value of `text`, or `None` if this reader declines it.
pub fn read(text: &str) -> Option<Value> {
    let no_take = None::<fn(Part, String, PartText) -> bool>;
    let mut source = Source::lines(text);
    match walk(text, no_take, &mut source) {
        None if source.lines_declined() => walk(text, no_take, &mut Source::rust2(text)),
        value => value,
    }
}

/// Where a value handed over by [`read_with`] belongs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// An entry of the top-level `paths` mapping.
    Path,
    /// An entry of `components/schemas`.
    Schema,
}

/// An entry handed over by [`read_with`]: its value as compact JSON, the
/// text `serde_json::to_string` writes for the value [`read`] would give.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartText {
    pub json: String,
    /// Whether it holds a `$ref` to another file (a string that does not
    /// start with `#`), as `bundle::has_external_ref` finds on the value.
    pub external_ref: bool,
    /// Whether it is a mapping without a `$ref` key, which openapiv3's
    /// `ReferenceOr` can only read as an item (see `load::reference_or`).
    pub item: bool,
}

/// Like [`read`], but each entry of `paths` and of `components/schemas` is
/// handed to `take` as soon as it is read, in document order, and left in
/// the returned value as `null`. The bulk of a large spec is in those
/// entries, so the caller can convert them while the rest is still being
/// read, and the whole document never exists as one value. The entries are
/// written straight from the events as JSON text, which the caller
/// deserializes once, instead of being built as values first. `take`
/// returns `false` to stop reading; the result is then `None`.
///
/// With [`Reader::Lines`], the line scanner may decline the text partway,
/// after `take` was given some entries: the result is then
/// `Err(LinesDeclined)`, what `take` was given counts for nothing, and the
/// text is to be read again with [`Reader::Rust2`]. Checking the whole text
/// first would cost a second pass of the scanner over every text it reads.
pub fn read_with(
    text: &str,
    take: impl FnMut(Part, String, PartText) -> bool,
    reader: Reader,
) -> Result<Option<Value>, LinesDeclined> {
    let mut source = match reader {
        Reader::Lines => Source::lines(text),
        Reader::Rust2 => Source::rust2(text),
    };
    match walk(text, Some(take), &mut source) {
        None if source.lines_declined() => Err(LinesDeclined),
        value => Ok(value),
    }
}

/// Where [`read_with`] reads a text's events from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    /// The line scanner of [`lines`], for the block YAML it reads.
    Lines,
    /// yaml-rust2, for any YAML.
    Rust2,
}

/// The line scanner declined a text partway (see [`read_with`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinesDeclined;

/// Where the events come from: [`lines`] for the block YAML it reads,
/// yaml-rust2 for the rest.
enum Source<'a> {
    Lines {
        lines: lines::Lines<'a>,
        /// The scanner declined the text: the walk stopped there.
        declined: bool,
    },
    Rust2 {
        parser: Box<yaml_rust2::parser::Parser<std::str::Chars<'a>>>,
        documents: usize,
        /// Whether the text ends with a line break: a block scalar on a
        /// last line without one gets a line break from yaml-rust2 and
        /// none from libyaml.
        ends_with_break: bool,
    },
}

impl<'a> Source<'a> {
    fn lines(text: &'a str) -> Self {
        Source::Lines {
            lines: lines::Lines::new(text),
            declined: false,
        }
    }

    /// Whether the line scanner declined the text, which yaml-rust2 may
    /// still read.
    fn lines_declined(&self) -> bool {
        matches!(self, Source::Lines { declined: true, .. })
    }

    fn rust2(text: &'a str) -> Self {
        Source::Rust2 {
            parser: Box::new(yaml_rust2::parser::Parser::new_from_str(text)),
            documents: 0,
            ends_with_break: text.ends_with('\n'),
        }
    }

    /// The next event; `Ok(None)` at the end of the stream, `Err` to
    /// decline.
    fn next(&mut self) -> Result<Option<Event<'a>>, lines::Declined> {
        use yaml_rust2::parser::Event as E;
        let (parser, documents, ends_with_break) = match self {
            Source::Lines { lines, declined } => {
                let event = lines.next_event();
                *declined |= event.is_err();
                return event;
            }
            Source::Rust2 {
                parser,
                documents,
                ends_with_break,
            } => (parser, documents, *ends_with_break),
        };
        loop {
            let (event, _) = parser.next_token().map_err(|_| lines::Declined)?;
            return Ok(Some(match event {
                E::StreamEnd => return Ok(None),
                E::StreamStart | E::DocumentEnd | E::Nothing => continue,
                E::DocumentStart => {
                    *documents += 1;
                    if *documents > 1 {
                        return Err(lines::Declined);
                    }
                    continue;
                }
                E::Alias(_) => return Err(lines::Declined),
                E::Scalar(value, style, anchor, tag) => {
                    if anchor != 0 || tag.is_some() {
                        return Err(lines::Declined);
                    }
                    let style = match style {
                        TScalarStyle::Plain => Style::Plain,
                        TScalarStyle::SingleQuoted => Style::SingleQuoted,
                        TScalarStyle::DoubleQuoted => Style::DoubleQuoted,
                        TScalarStyle::Literal | TScalarStyle::Folded if !ends_with_break => {
                            return Err(lines::Declined)
                        }
                        TScalarStyle::Literal => Style::Literal,
                        TScalarStyle::Folded => Style::Folded,
                    };
                    Event::Scalar(Cow::Owned(value), style)
                }
                E::SequenceStart(anchor, tag) | E::MappingStart(anchor, tag)
                    if anchor != 0 || tag.is_some() =>
                {
                    return Err(lines::Declined)
                }
                E::SequenceStart(..) => Event::SequenceStart,
                E::MappingStart(..) => Event::MappingStart,
                E::SequenceEnd => Event::SequenceEnd,
                E::MappingEnd => Event::MappingEnd,
            }));
        }
    }
}

/// [`read`] without `take`, [`read_with`] with it, reading the events of
/// `text` from `source`.
fn walk<'a>(
    text: &'a str,
    mut take: Option<impl FnMut(Part, String, PartText) -> bool>,
    source: &mut Source<'a>,
) -> Option<Value> {
    if !plain_text(text) {
        return None;
    }
    let mut stack: Vec<Frame> = Vec::new();
    let mut root = None;
    let mut writer = PartWriter::default();
    while let Some(event) = source.next().ok()? {
        let depth = stack.len();
        let part = match (&mut take, stack.last_mut()) {
            (
                Some(take),
                Some(Frame::Mapping {
                    map,
                    key: key @ Some(_),
                    route: route @ (Route::Paths | Route::Schemas),
                }),
            ) => Some((take, map, key, *route)),
            _ => None,
        };
        if let Some((take, map, key, route)) = part {
            let key = key.take()?;
            let text = writer.write(event, source, depth)?;
            let part = if route == Route::Paths {
                Part::Path
            } else {
                Part::Schema
            };
            if !take(part, key.clone(), text) {
                return None;
            }
            map.insert(key, Value::Null);
            continue;
        }
        let value = match event {
            Event::Scalar(value, style) => {
                if let Some(Frame::Mapping {
                    key: key @ None,
                    map,
                    ..
                }) = stack.last_mut()
                {
                    // A key is taken as written, whatever its style, as
                    // serde_yaml gives it to a string; a repeated key is
                    // for the exact path to report.
                    let fits = key_fits(&value, style);
                    if !fits || map.contains_key(value.as_ref()) {
                        return None;
                    }
                    *key = Some(value.into_owned());
                    continue;
                }
                scalar(value, style)?
            }
            Event::SequenceStart | Event::MappingStart => {
                if stack.len() >= MAX_DEPTH {
                    return None;
                }
                let route = match stack.last() {
                    // A mapping or sequence as a key.
                    Some(Frame::Mapping { key: None, .. }) => return None,
                    Some(Frame::Mapping {
                        key: Some(key),
                        route,
                        ..
                    }) => match (route, key.as_str()) {
                        (Route::Root, "paths") => Route::Paths,
                        (Route::Root, "components") => Route::Components,
                        (Route::Components, "schemas") => Route::Schemas,
                        _ => Route::Other,
                    },
                    Some(Frame::Sequence(_)) => Route::Other,
                    None => Route::Root,
                };
                stack.push(if event == Event::MappingStart {
                    Frame::Mapping {
                        map: Map::new(),
                        key: None,
                        route,
                    }
                } else {
                    Frame::Sequence(Vec::new())
                });
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop()? {
                Frame::Mapping { map, key: None, .. } => Value::Object(map),
                Frame::Sequence(items) => Value::Array(items),
                Frame::Mapping { key: Some(_), .. } => return None,
            },
        };
        match stack.last_mut() {
            None => {
                if root.replace(value).is_some() {
                    return None;
                }
            }
            Some(Frame::Sequence(items)) => items.push(value),
            Some(Frame::Mapping { map, key, .. }) => {
                map.insert(key.take()?, value);
            }
        }
    }
    // serde_yaml reads an empty stream as null and a scalar root as
    // itself; neither is a spec, so the exact path says so.
    match root? {
        root @ Value::Object(_) if stack.is_empty() => Some(root),
        _ => None,
    }
}

/// Writes entries of `paths` and `components/schemas` as compact JSON
/// straight from the events, with the checks the walk makes on values
/// (repeated keys, keys that are not plain text, nesting, scalars serde_yaml
/// reads differently), so that the entry never exists as a value.
#[derive(Default)]
struct PartWriter<'a> {
    open: Vec<Open<'a>>,
    /// Key lists of closed mappings, for the next ones.
    spare: Vec<Vec<Cow<'a, str>>>,
}

/// A mapping or sequence of the entry being written.
struct Open<'a> {
    mapping: bool,
    entries: usize,
    /// The keys so far (mappings only).
    keys: Vec<Cow<'a, str>>,
    /// A mapping whose last key waits for its value.
    awaiting_value: bool,
    /// That key is `$ref`.
    at_ref: bool,
    /// The keys as a set, once there are many.
    many: Option<std::collections::HashSet<String>>,
}

/// Mappings with more keys than this check them for repeats by hashing.
const LINEAR_KEYS: usize = 32;

impl<'a> PartWriter<'a> {
    /// The entry that starts with `first`, read on from `source`; `depth`
    /// is the walk's nesting at the entry. `None` to decline.
    fn write(
        &mut self,
        first: Event<'a>,
        source: &mut Source<'a>,
        depth: usize,
    ) -> Option<PartText> {
        let mut out = Vec::with_capacity(1024);
        let mut external_ref = false;
        let mut item = first == Event::MappingStart;
        let mut event = first;
        loop {
            let is_key = self
                .open
                .last()
                .is_some_and(|open| open.mapping && !open.awaiting_value);
            match event {
                Event::Scalar(text, style) if is_key => {
                    let fits = key_fits(&text, style);
                    let top = self.open.len() == 1;
                    let open = self.open.last_mut()?;
                    if !fits || open.repeated(&text) {
                        return None;
                    }
                    if open.entries > 0 {
                        out.push(b',');
                    }
                    open.entries += 1;
                    serde_json::to_writer(&mut out, text.as_ref()).ok()?;
                    out.push(b':');
                    open.at_ref = text == "$ref";
                    item &= !(open.at_ref && top);
                    open.awaiting_value = true;
                    open.keys.push(text);
                }
                Event::Scalar(text, style) => {
                    let at_ref = self.value_start(&mut out);
                    match resolve(&text, style)? {
                        Resolved::Str => {
                            external_ref |= at_ref && !text.starts_with('#');
                            serde_json::to_writer(&mut out, text.as_ref()).ok()?;
                        }
                        Resolved::Other(value) => serde_json::to_writer(&mut out, &value).ok()?,
                    }
                }
                Event::MappingStart | Event::SequenceStart => {
                    // A mapping or sequence as a key, as the walk declines
                    // it; and nesting beyond the walk's.
                    if is_key || depth + self.open.len() >= MAX_DEPTH {
                        return None;
                    }
                    self.value_start(&mut out);
                    let mapping = event == Event::MappingStart;
                    out.push(if mapping { b'{' } else { b'[' });
                    let keys = self.spare.pop().unwrap_or_default();
                    self.open.push(Open {
                        mapping,
                        entries: 0,
                        keys,
                        awaiting_value: false,
                        at_ref: false,
                        many: None,
                    });
                }
                Event::MappingEnd | Event::SequenceEnd => {
                    let mut open = self.open.pop()?;
                    if open.awaiting_value {
                        return None;
                    }
                    out.push(if open.mapping { b'}' } else { b']' });
                    open.keys.clear();
                    self.spare.push(open.keys);
                }
            }
            if self.open.is_empty() {
                let json = String::from_utf8(out).ok()?;
                return Some(PartText {
                    json,
                    external_ref,
                    item,
                });
            }
            event = source.next().ok()??;
        }
    }

    /// Before a value: the comma between a sequence's entries. Whether the
    /// value is that of a `$ref` key.
    fn value_start(&mut self, out: &mut Vec<u8>) -> bool {
        match self.open.last_mut() {
            Some(open) if open.mapping => {
                open.awaiting_value = false;
                open.at_ref
            }
            Some(open) => {
                if open.entries > 0 {
                    out.push(b',');
                }
                open.entries += 1;
                false
            }
            None => false,
        }
    }
}

impl<'a> Open<'a> {
    /// Whether `key` is among the keys so far: a scan for the few keys
    /// most mappings have, a hash set beyond.
    fn repeated(&mut self, key: &str) -> bool {
        if self.keys.len() < LINEAR_KEYS {
            return self.keys.iter().any(|k| k == key);
        }
        let keys = &self.keys;
        let set = self
            .many
            .get_or_insert_with(|| keys.iter().map(|k| k.to_string()).collect());
        !set.insert(key.to_string())
    }
}

enum Frame {
    Mapping {
        map: Map<String, Value>,
        /// The key just read, waiting for its value.
        key: Option<String>,
        route: Route,
    },
    Sequence(Vec<Value>),
}

/// Which mapping of the document a frame is, as far as [`read_with`]
/// cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    Root,
    Paths,
    Components,
    Schemas,
    Other,
}

/// Whether `text` is free of what makes YAML parsers disagree: tabs,
/// control characters, the line breaks of YAML 1.1 (NEL, LS, PS), byte
/// order marks and non-characters inside, and directives.
fn plain_text(text: &str) -> bool {
    let bytes = text.as_bytes();
    if bytes.first() == Some(&b'%') || text.contains("\n%") {
        return false;
    }
    // Most of a spec is printable ASCII and line breaks: such a run of
    // bytes is checked at once, and only the others one by one.
    const RUN: usize = 64;
    for (run, chunk) in bytes.chunks(RUN).enumerate() {
        let simple = chunk.iter().fold(true, |all, &b| {
            all & ((0x20..0x7f).contains(&b) || b == b'\n')
        });
        if !simple && (0..chunk.len()).any(|i| odd_byte(bytes, run * RUN + i)) {
            return false;
        }
    }
    true
}

/// Whether the byte at `i` starts something [`plain_text`] refuses.
fn odd_byte(bytes: &[u8], i: usize) -> bool {
    let next = |k: usize| bytes.get(i + k).copied().unwrap_or(0);
    match bytes.get(i).copied().unwrap_or(0) {
        b'\n' => false,
        b'\r' => next(1) != b'\n',
        0x00..=0x1f | 0x7f => true,
        // U+0080..U+009F, C1 controls and NEL.
        0xc2 => (0x80..=0x9f).contains(&next(1)),
        // U+2028 and U+2029.
        0xe2 => next(1) == 0x80 && matches!(next(2), 0xa8 | 0xa9),
        // U+FEFF, U+FFFE, U+FFFF.
        0xef => (next(1) == 0xbb && next(2) == 0xbf) || (next(1) == 0xbf && next(2) >= 0xbe),
        _ => false,
    }
}

/// A scalar value, as serde_yaml resolves it into a JSON value; `None` to
/// decline.
fn scalar(text: Cow<'_, str>, style: Style) -> Option<Value> {
    Some(match resolve(&text, style)? {
        Resolved::Str => Value::String(text.into_owned()),
        Resolved::Other(value) => value,
    })
}

/// What a scalar resolves to: its own text as a string, or another value.
enum Resolved {
    Str,
    Other(Value),
}

/// [`scalar`] without the string's copy; `None` to decline.
fn resolve(text: &str, style: Style) -> Option<Resolved> {
    match style {
        Style::SingleQuoted | Style::DoubleQuoted => Some(Resolved::Str),
        // With no content, yaml-rust2 keeps a line break that libyaml drops.
        Style::Literal | Style::Folded => {
            (!text.bytes().all(|b| b == b'\n')).then_some(Resolved::Str)
        }
        Style::Plain => plain(text),
    }
}

/// Whether a plain scalar is one both parsers read alike: not empty (an
/// empty implicit key), not starting with an indicator or a document
/// marker.
fn plain_fits(text: &str) -> bool {
    let indicator = text.as_bytes().first().map_or(true, |&b| is_indicator(b));
    let marker =
        text.starts_with("- ") || text == "-" || text.starts_with("---") || text.starts_with("...");
    !(indicator || marker)
}

/// Whether a scalar may be a key as this reader takes keys: as written,
/// whatever its style, as serde_yaml gives it to a string; a plain key
/// only if both parsers read it alike, and no block scalar.
fn key_fits(text: &str, style: Style) -> bool {
    match style {
        Style::Plain => plain_fits(text),
        Style::SingleQuoted | Style::DoubleQuoted => true,
        Style::Literal | Style::Folded => false,
    }
}

/// YAML's indicators but `-`: a plain scalar that starts with one is read
/// otherwise, or differently by two parsers.
fn is_indicator(b: u8) -> bool {
    matches!(
        b,
        b'?' | b':'
            | b'|'
            | b'>'
            | b'!'
            | b'&'
            | b'*'
            | b'%'
            | b'@'
            | b'`'
            | b','
            | b'['
            | b']'
            | b'{'
            | b'}'
            | b'#'
            | b'\''
            | b'"'
    )
}

/// serde_yaml's resolution of an untagged plain scalar.
fn plain(text: &str) -> Option<Resolved> {
    // An empty plain scalar is a value left out, which is null.
    if !text.is_empty() && !plain_fits(text) {
        return None;
    }
    let other = |value| Some(Resolved::Other(value));
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return other(Value::Null),
        "true" | "True" | "TRUE" => return other(Value::Bool(true)),
        "false" | "False" | "FALSE" => return other(Value::Bool(false)),
        _ => {}
    }
    match integer(text) {
        Integer::Fits(number) => return other(Value::Number(number)),
        Integer::TooLarge => return None,
        Integer::Not => {}
    }
    if !leading_zero_digits(text) {
        if let Some(float) = float(text) {
            return other(Number::from_f64(float).map_or(Value::Null, Value::Number));
        }
    }
    Some(Resolved::Str)
}

enum Integer {
    Fits(Number),
    /// An integer beyond `u64` or `i64`: serde_yaml visits it as a 128-bit
    /// one, which a JSON value may refuse.
    TooLarge,
    Not,
}

/// An optional sign, then `0x`, `0o`, `0b` or nothing, then digits of that
/// radix; decimal digits with a leading zero are a string in YAML 1.2.
fn integer(text: &str) -> Integer {
    let (negative, body) = match text.as_bytes().first() {
        Some(b'-') => (true, text.get(1..).unwrap_or_default()),
        Some(b'+') => (false, text.get(1..).unwrap_or_default()),
        _ => (false, text),
    };
    let (radix, digits) = if let Some(rest) = body.strip_prefix("0x") {
        (16, rest)
    } else if let Some(rest) = body.strip_prefix("0o") {
        (8, rest)
    } else if let Some(rest) = body.strip_prefix("0b") {
        (2, rest)
    } else {
        (10, body)
    };
    if digits.is_empty()
        || !digits.chars().all(|c| c.is_digit(radix))
        || (radix == 10 && leading_zero_digits(text))
    {
        return Integer::Not;
    }
    let Ok(magnitude) = u128::from_str_radix(digits, radix) else {
        return Integer::TooLarge;
    };
    if negative {
        match i64::try_from(magnitude) {
            Ok(m) => Integer::Fits(Number::from(-m)),
            Err(_) if magnitude == 1 << 63 => Integer::Fits(Number::from(i64::MIN)),
            Err(_) => Integer::TooLarge,
        }
    } else {
        u64::try_from(magnitude).map_or(Integer::TooLarge, |m| Integer::Fits(Number::from(m)))
    }
}

/// `0` followed by decimal digits, after an optional sign.
fn leading_zero_digits(text: &str) -> bool {
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    unsigned.len() > 1 && unsigned.starts_with('0') && unsigned.bytes().all(|b| b.is_ascii_digit())
}

/// A float as YAML 1.2 and serde_yaml write it, or `None`.
fn float(text: &str) -> Option<f64> {
    let unsigned = match text.strip_prefix('+') {
        Some(rest) if rest.starts_with(['+', '-']) => return None,
        Some(rest) => rest,
        None => text,
    };
    match (unsigned, text) {
        (".inf" | ".Inf" | ".INF", _) => return Some(f64::INFINITY),
        (_, "-.inf" | "-.Inf" | "-.INF") => return Some(f64::NEG_INFINITY),
        (_, ".nan" | ".NaN" | ".NAN") => return Some(f64::NAN),
        _ => {}
    }
    unsigned.parse::<f64>().ok().filter(|f| f.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What serde_yaml makes of `text`, the reference this reader follows.
    fn reference(text: &str) -> Option<Value> {
        serde_yaml::from_str(text).ok()
    }

    /// A small deterministic generator of numbers below `n`, for the
    /// random documents of these tests.
    fn numbers(mut state: u64) -> impl FnMut(usize) -> usize {
        move |n| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        }
    }

    /// How many random documents a test makes: `APIGEN_YAML_CASES` for a
    /// longer search.
    fn cases(default: usize) -> usize {
        std::env::var("APIGEN_YAML_CASES")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(default)
    }

    /// Whether the line scanner reads `text`; if it does, its events must
    /// be yaml-rust2's, one for one.
    fn lines_agree(text: &str) -> bool {
        if !lines::accepts(text) {
            return false;
        }
        let mut fast = Source::lines(text);
        let mut slow = Source::rust2(text);
        loop {
            let event = fast.next();
            assert_eq!(event, slow.next(), "on {text:?}");
            if event != Ok(None) {
                continue;
            }
            return true;
        }
    }

    /// The property every test checks: an accepted document reads exactly
    /// as serde_yaml reads it, and where the line scanner reads it, it
    /// gives yaml-rust2's events.
    fn agrees(text: &str) -> bool {
        lines_agree(text);
        match read(text) {
            Some(value) => {
                assert_eq!(Some(&value), reference(text).as_ref(), "on {text:?}");
                true
            }
            None => false,
        }
    }

    #[test]
    fn scalars_resolve_as_serde_yaml_resolves_them() {
        let scalars = [
            "",
            "~",
            "null",
            "Null",
            "NULL",
            "nULL",
            "true",
            "True",
            "TRUE",
            "tRUE",
            "false",
            "FALSE",
            "yes",
            "no",
            "on",
            "0",
            "-0",
            "+0",
            "00",
            "-00",
            "007",
            "7",
            "+7",
            "-7",
            "++7",
            "+-7",
            "-+7",
            "0x1F",
            "0X1F",
            "-0x1F",
            "+0x1F",
            "0x",
            "0x-1",
            "0x+1",
            "0o17",
            "-0o17",
            "0o8",
            "0b101",
            "-0b101",
            "0b2",
            "1_000",
            "1e3",
            "1E3",
            "-1e-3",
            "1.5",
            "-1.5",
            "+1.5",
            "01.5",
            ".5",
            "5.",
            "1.5.0",
            "2021-06-23",
            "10:30",
            ".inf",
            "-.inf",
            "+.inf",
            ".Inf",
            ".INF",
            ".nan",
            ".NaN",
            "+.nan",
            "-.nan",
            "inf",
            "nan",
            "infinity",
            "18446744073709551615",
            "18446744073709551616",
            "-9223372036854775808",
            "-9223372036854775809",
            "340282366920938463463374607431768211456",
            "1e400",
            "-1e400",
            "0.0",
            "-0.0",
            "3.0.3",
            "v1",
            "object",
            "#x",
            "a b",
            "a#b",
            "é",
            "~x",
            "-x",
            "-.5",
        ];
        for s in scalars {
            let doc = format!("k: {s}\n");
            let accepted = agrees(&doc);
            if s == "object" || s == "1.5" || s == "0x1F" || s == "2021-06-23" {
                assert!(accepted, "declined {doc:?}");
            }
        }
    }

    #[test]
    fn quoted_keys_and_nesting_read_as_serde_yaml_reads_them() {
        let docs = [
            "openapi: 3.0.3\npaths:\n  /a:\n    get:\n      responses:\n        \"200\":\n          description: ok\n",
            "a: {b: [1, 2, {c: d}], 'e': \"f\\u00e9\\n\"}\nlist:\n  - x\n  - - y\n    - z\n  -\n",
            "200: x\n0x1F: y\ntrue: z\nnull: w\n'q': \"multi\n  line\"\nplain: multi\n  line\n",
            "---\na: 1\n...\n",
            "a: []\nb: {}\nc: ''\nd: \"\"\ne:\nf: -1\n",
            "a: \"\\t\\\\ \\\" \\/\"\nb: 'it''s'\n",
            "a: |\n  text\n   more\n\nb: >-\n  folded\n  text\n\n  para\nc: |+\n  kept\n\nd: x\n",
        ];
        for doc in docs {
            assert!(agrees(doc), "declined {doc:?}");
        }
    }

    #[test]
    fn what_it_declines() {
        let docs = [
            "a: &x 1\nb: *x\n",
            "a: !!str 1\n",
            "a: |\n\n",
            "a: >-\n",
            "a:\tb\n",
            "a: 1\na: 2\n",
            "? [a]\n: b\n",
            "a: 1\n---\nb: 2\n",
            "%YAML 1.2\n---\na: 1\n",
            "a: \u{85}\n",
            "- a\n",
            "just a scalar\n",
            "",
            "a: [?x]\n",
            "a: [|x]\n",
            "a: 18446744073709551616\n",
            "a: [\n",
        ];
        for doc in docs {
            assert_eq!(read(doc), None, "accepted {doc:?}");
        }
        let deep = format!(
            "{}x{}",
            "[".repeat(MAX_DEPTH + 1),
            "]".repeat(MAX_DEPTH + 1)
        );
        assert_eq!(read(&format!("a: {deep}\n")), None);
    }

    /// Every YAML spec in the repository: accepted ones read as serde_yaml
    /// reads them, and the hand-written spec is accepted.
    #[test]
    fn the_repository_specs_agree_with_serde_yaml() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut files = vec![root.join("spec/highlevel-calendars.yaml")];
        for dir in ["tests/fixtures", "tests/diff"] {
            let mut pending = vec![root.join(dir)];
            while let Some(dir) = pending.pop() {
                for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                    let path = entry.path();
                    if path.is_dir() {
                        pending.push(path);
                    } else if path.extension().is_some_and(|e| e == "yaml") {
                        files.push(path);
                    }
                }
            }
        }
        assert!(files.len() > 20, "found only {files:?}");
        let mut accepted = Vec::new();
        for file in &files {
            let text = std::fs::read_to_string(file).expect("a readable fixture");
            if agrees(&text) {
                accepted.push(file);
            }
        }
        assert!(
            accepted.contains(&&files[0]),
            "declined {}",
            files[0].display()
        );
        let hand_written = std::fs::read_to_string(&files[0]).expect("the spec");
        assert!(
            lines::accepts(&hand_written),
            "the line scanner declined spec/"
        );
    }

    /// The synthetic specs of the benchmarks are read by the line scanner,
    /// with yaml-rust2's events, into serde_yaml's value.
    #[test]
    fn synthetic_specs_take_the_line_scanner() {
        let text = crate::synth::spec(30);
        assert!(lines_agree(&text), "the line scanner declined synth-30");
        assert!(agrees(&text));
    }

    /// Documents of random lines at random indentation (keys, entries,
    /// scalars of every style, block scalar headers and their lines,
    /// comments, blank lines with and without spaces): wherever the line
    /// scanner reads one, its events must be yaml-rust2's, and yaml-rust2
    /// must read it too.
    #[test]
    fn random_lines_give_yaml_rust2_events() {
        let lines = [
            "k: v",
            "k:",
            "k: 'q'",
            "k: \"d\\n\"",
            "k: [a, b]",
            "k: {a: b}",
            "k: []",
            "k: # c",
            "- v",
            "-",
            "- k: v",
            "- k:",
            "- - v",
            "- [a]",
            "- 'q'",
            "k: |",
            "k: |-",
            "k: |+",
            "k: >",
            "k: >-",
            "k: >+",
            "- |",
            "- >-",
            "text",
            "more text",
            "# comment",
            "",
            "  ",
            "    ",
            "\"k\": v",
            "'k': v",
            "k: a:b",
            "k: a #c",
            "k: a#b",
            "k: v ",
            "k: x: y",
            "- k: |",
            "k: 1",
            "k: ~",
            "k:  two  spaces",
            "... ",
            "---",
            "k: -x",
        ];
        let mut next = numbers(0x1234_5678_9abc_def1_u64);
        let total = cases(20_000);
        let mut read = 0;
        for _ in 0..total {
            let mut doc = String::from("root:\n");
            for _ in 0..1 + next(8) {
                let indent = [0, 2, 2, 4, 4, 6, 1, 3][next(8)];
                let line = lines[next(lines.len())];
                let key = format!("k{}", next(3));
                let line = line.replace("k:", &format!("{key}:"));
                let end = if next(20) == 0 { "\r\n" } else { "\n" };
                doc.push_str(&format!("{}{line}{end}", " ".repeat(indent)));
            }
            if next(10) == 0 {
                doc.pop();
            }
            if lines_agree(&doc) {
                read += 1;
            }
        }
        assert!(
            read > total / 20,
            "the line scanner read only {read} of {total}"
        );
    }

    /// `plain_text` checks runs of printable ASCII at once; it must refuse
    /// exactly what a check of every byte refuses, wherever in a run the
    /// odd byte falls.
    #[test]
    fn plain_text_refuses_what_a_byte_by_byte_check_refuses() {
        let every_byte = |text: &str| {
            !text.starts_with('%')
                && !text.contains("\n%")
                && (0..text.len()).all(|i| !odd_byte(text.as_bytes(), i))
        };
        let odd = [
            "\t", "\r", "\r\n", "\n%", "%", "\u{7f}", "\u{85}", "\u{9f}", "\u{a0}", "\u{2028}",
            "\u{2029}", "\u{2027}", "\u{feff}", "\u{fffe}", "\u{ffff}", "\u{fffd}", "é", "\u{0}",
        ];
        let mut next = numbers(0x9e37_79b9_7f4a_7c15_u64);
        let mut refused = 0;
        for _ in 0..5_000 {
            let mut text = "a: b\n".repeat(next(40));
            let at = next(text.len() + 1);
            text.insert_str(at, odd[next(odd.len())]);
            assert_eq!(plain_text(&text), every_byte(&text), "on {text:?}");
            refused += usize::from(!plain_text(&text));
        }
        assert!(refused > 1_000, "refused only {refused}");
        assert!(plain_text(&"key: value\n".repeat(100)));
    }

    /// What the line scanner reads, by construct, event for event as
    /// yaml-rust2 reads it; and what it leaves to yaml-rust2.
    #[test]
    fn the_line_scanner_gives_yaml_rust2_events() {
        let accepted = [
            "a: 1\n",
            "a:\n  b: c\n  d:\n    - e\n    - f: g\n      h: i\n    -\n    - - j\n      - k\n",
            "a:\n- x\n- y: z\n  w: v\nb: c\n",
            "a: x # c\n# whole line\n  # indented\nb: 'it''s' # c\nc: \"\\u00e9\\x41\\n\\t\\\\\"\n",
            "\"200\": x\n'k': y\n/a/{id}: z\nx-y: a:b\nk: a#b\n",
            "a: [1, 'b', \"c\", [d], {e: f}, {}]\nb: {a: [], 'q': \"r\"}\nc: []\n",
            "a: |\n  one\n    two\n\n  three\nb: >-\n  folded\n  text\n\n\n  para\nc: |+\n  kept\n\n\nd: x\n",
            "a: >\n\n  lead\n  x\nb: |-\n  s\n  # not a comment\nc: |\n  x\n # comment\n",
            "a:\r\n  b: c\r\n  d: |\r\n    e\r\n",
            "a:\nb:\n  -\nc: ~\n",
            "- a\n",
            "a: \"\\U0001F600 \\N\\_\\L\\P\\0\\a\\b\\v\\f\\r\\e\\ \\/\\\"\"\n",
        ];
        for text in accepted {
            assert!(lines_agree(text), "declined {text:?}");
        }
        let declined = [
            "a: &x 1\n",
            "a: *x\n",
            "a: !t 1\n",
            "a: x\n  more\n",
            "a: 'x\n  more'\n",
            "a: \"x\\\n  more\"\n",
            "a: [x,\n  y]\n",
            "a: |2\n   x\n",
            "a: >\n  x\n    more\n",
            "a: |\n  x\n    \n",
            "a: |\n  x",
            "a: b: c\n",
            "a: b:\n",
            "? a\n: b\n",
            "a : b\n",
            "a:\n  x\n",
            "a: [x, ]\n",
            "a: [x:y]\n",
            "a: {x}\n",
            "a: -1\n- b\n",
            "---\na: 1\n",
            "a: 1\n...\n",
            "  a: 1\n",
            "# only a comment\n",
            "",
            "a: \"\\q\"\n",
            "-x: 1\n",
            "a: 'x'y\n",
            "a:\n   b: 1\n  c: 2\n",
        ];
        for text in declined {
            assert!(!lines::accepts(text), "read {text:?}");
            // What it declines reads as it did before.
            agrees(text);
        }
        // A last line without a line break: yaml-rust2 and libyaml end a
        // block scalar there differently, so the whole text is declined.
        for text in ["a: |+\n  x\n ", "a: |\n  x\n  ", "a: 1"] {
            assert!(!lines::accepts(text), "read {text:?}");
            agrees(text);
        }
        // A quoted key longer than YAML allows in the text, though not
        // once its escapes are read.
        let long_key = format!("k: 1\n\"{}\": v\n", "\\x41".repeat(300));
        assert!(!lines::accepts(&long_key));
        assert_eq!(read(&long_key), reference(&long_key));
        let long_single = format!("k: 1\n'{}': v\n", "''".repeat(600));
        assert!(!lines::accepts(&long_single));
        assert_eq!(read(&long_single), reference(&long_single));
        // Sequences nested on one line, far deeper than the walk goes: no
        // recursion without bound.
        let deep = format!("a:\n{}x\n", "- ".repeat(100_000));
        assert!(!lines::accepts(&deep));
        assert_eq!(read(&deep), None);
    }

    /// The pieces random documents are made of: what YAML specs are made
    /// of, and some of what they are not.
    const PIECES: &[&str] = &[
        "a",
        "b c",
        "'q''s'",
        "\"d\\\"q\"",
        "\"é\\u00e9\"",
        "1",
        "-2",
        "0x1f",
        "1.5",
        "01",
        "~",
        "null",
        "true",
        "False",
        "'true'",
        ".inf",
        "-",
        "?",
        ":",
        "x: y",
        "[1, 2]",
        "{k: v}",
        "[]",
        "{}",
        "#c",
        "a #c",
        "a#b",
        "'multi\n  line'",
        "plain\n  more",
        "\"esc\\nline\"",
        "2021-06-23T03:30:00+05:30",
        "- ",
        "&a x",
        "*a",
        "!t x",
        "|\n  lit",
        ">-\n  fold",
        "[?x]",
        "[|x]",
        "'",
        "\"",
        "{a: [b, {c: d}]}",
        "{a: b, c}",
        "[a: b]",
        "{? a}",
        "[a, b,]",
        "{a: [b,]}",
        "'\\'",
        "\"\\x41\"",
        "\"\\U0001F600\"",
        "\"a\n\n  b\"",
        "plain\n\n  para",
        "a  #c",
        "\"\"",
        "''",
        "x:y",
        "x :y",
        "- - a",
        "[- a]",
        "{a:1}",
        "{\"a\":1}",
        "0o",
        "-0x",
        "1e",
        "..",
        ".",
        "-.",
        "+",
        "[a\n  , b]",
        "{a: b,\n  c: d}",
        "\"k\": v",
        "'k': v",
        "? k\n  : v",
        "a\\b",
        "\"\\\n  x\"",
        "'a\n\n  b'",
        "[\"a\", 'b']",
        "{a: }",
        "{: a}",
        "[, a]",
        "a\u{a0}b",
        "\u{e9}t\u{e9}",
        "- a\n  - b",
        "key:\n    deeper: 1",
        "|\n  a\n  b\n",
        "|-\n  a\n\n",
        "|+\n  a\n\n",
        ">\n  a\n  b\n\n  c\n",
        ">\n  a\n    more\n  b\n",
        "|2\n   a\n",
        ">-\n\n  a\n",
        "|\n\n  a\n",
        "| #c\n  a\n",
        "|\n  a\n #c\n",
        ">\n  a\n\n\n",
        "|1\n  a\n",
        "|\n",
        ">\n  \n  a\n",
        "|\n   a\n  b\n",
        ">+\n  a\n",
        "|-\n  trailing  \n",
        ">\n  a\n   b\n  c\n",
        "|\n  a\n\n  b\n",
    ];

    /// Entries of `paths` and `components/schemas` written as JSON by
    /// `read_with` are the text of the values `read` gives, with the
    /// same `$ref` finding as the bundler's, and declined alike.
    #[test]
    fn entries_are_written_as_the_values_read_gives() {
        let mut next = numbers(0x5851_f42d_4c95_7f2d_u64);
        let (mut compared, mut items) = (0, 0);
        for case in 0..4_000 {
            let mut doc = String::from("openapi: 3.0.3\npaths:\n");
            for i in 0..1 + next(3) {
                let value = PIECES[next(PIECES.len())].replace('\n', "\n      ");
                let other = PIECES[next(PIECES.len())].replace('\n', "\n        ");
                match next(4) {
                    0 => doc.push_str(&format!("  /p{i}: {value}\n")),
                    1 => doc.push_str(&format!("  /p{i}:\n    $ref: {value}\n")),
                    2 => doc.push_str(&format!("  x-e{i}:\n    - {value}\n")),
                    _ => doc.push_str(&format!(
                        "  /p{i}:\n    get:\n      k: {value}\n      l:\n        - {other}\n        - b\n"
                    )),
                }
            }
            doc.push_str("components:\n  schemas:\n");
            let value = PIECES[next(PIECES.len())].replace('\n', "\n      ");
            doc.push_str(&format!(
                "    S{case}:\n      $ref: '{}'\n      x: {value}\n",
                ["#/a", "b.yaml#/c", ""][next(3)]
            ));
            if case % 10 == 0 {
                doc.push_str(&format!(
                    "    Many:\n{}",
                    (0..40)
                        .map(|k| format!("      k{}: 1\n", k % (30 + next(20))))
                        .collect::<String>()
                ));
            }
            let whole = read(&doc);
            let mut parts = Vec::new();
            let rest = read_with(
                &doc,
                |part, key, text| {
                    parts.push((part, key, text));
                    true
                },
                Reader::Lines,
            )
            .unwrap_or_else(|LinesDeclined| {
                parts.clear();
                let take = |part, key, text| {
                    parts.push((part, key, text));
                    true
                };
                read_with(&doc, take, Reader::Rust2).unwrap_or(None)
            });
            assert_eq!(whole.is_some(), rest.is_some(), "on {doc:?}");
            let Some(whole) = whole else { continue };
            for (part, key, text) in parts {
                let value = match part {
                    Part::Path => &whole["paths"][&key],
                    Part::Schema => &whole["components"]["schemas"][&key],
                };
                assert_eq!(
                    text.json,
                    serde_json::to_string(value).unwrap(),
                    "on {doc:?}"
                );
                assert_eq!(
                    text.external_ref,
                    crate::bundle::has_external_ref(value),
                    "on {doc:?}"
                );
                let item = value.as_object().is_some_and(|m| !m.contains_key("$ref"));
                assert_eq!(text.item, item, "on {doc:?}");
                items += usize::from(item);
                compared += 1;
            }
        }
        assert!(compared > 2_000, "compared only {compared} entries");
        assert!(items > 500 && compared - items > 500, "{items} items");
        // A mapping or sequence as a key inside an entry, which yaml-rust2
        // reads and the walk declines, is declined by the writer too.
        let doc = "openapi: 3.0.3\npaths:\n  foo:\n    [x]: {y: z}\n";
        assert_eq!(read(doc), None);
        assert_eq!(
            read_with(doc, |_, _, _| true, Reader::Lines),
            Err(LinesDeclined)
        );
        assert_eq!(read_with(doc, |_, _, _| true, Reader::Rust2), Ok(None));
    }

    /// Documents built at random from the pieces YAML specs are made of
    /// (and some they are not): every one the reader accepts must read as
    /// serde_yaml reads it, and most must be accepted.
    #[test]
    fn random_documents_agree_with_serde_yaml() {
        let mut next = numbers(0x2545_f491_4f6c_dd1d_u64);
        let mut accepted = 0;
        let mut by_lines = 0;
        let total = cases(20_000);
        for _ in 0..total {
            let mut doc = String::new();
            for key in 0..1 + next(4) {
                let value = PIECES[next(PIECES.len())];
                let other = PIECES[next(PIECES.len())];
                match next(5) {
                    0 => doc.push_str(&format!("k{key}: {value}\n")),
                    1 => doc.push_str(&format!("k{key}:\n  - {value}\n  - {other}\n")),
                    2 => doc.push_str(&format!("k{key}:\n  {other}: {value}\n")),
                    // The same pieces further in, their lines indented to
                    // match, and a sibling after them.
                    3 => {
                        let value = value.replace('\n', "\n    ");
                        doc.push_str(&format!(
                            "k{key}:\n  a:\n    b: {value}\n    c: {other}\n  d: x\n"
                        ));
                    }
                    _ => {
                        let value = value.replace('\n', "\n      ");
                        doc.push_str(&format!("k{key}:\n  - a:\n    - {value}\n  - {other}\n"));
                    }
                }
            }
            if agrees(&doc) {
                accepted += 1;
            }
            if lines_agree(&doc) {
                by_lines += 1;
            }
        }
        assert!(accepted > total / 10, "accepted only {accepted} of {total}");
        assert!(
            by_lines > total / 20,
            "the line scanner read only {by_lines} of {total}"
        );
    }
}
