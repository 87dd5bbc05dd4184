//! A line-at-a-time scanner for the block YAML that specs are written in.
//!
//! yaml-rust2 reads about 40 MB/s here, character by character through a
//! ring buffer, and hands every scalar over as a fresh `String`: on a spec
//! of 10,000 operations that is most of the time it takes to read one.
//! Hand-written specs use a small part of YAML: block mappings and
//! sequences, one-line plain and quoted scalars, block scalars, and short
//! flow collections. This scanner reads that part a line at a time, lends
//! out plain scalars as slices of the text, and declines everything else.
//!
//! Architecture invariant: for a text it accepts, the events are exactly
//! yaml-rust2's (after [`super`]'s own declines), so a document reads the
//! same whichever scanner read it. Tests hold it to that on every YAML
//! file of the repository and on random documents; what it declines is read
//! by yaml-rust2 instead, never reported as an error.

use std::borrow::Cow;
use std::collections::VecDeque;

/// A YAML event, as [`super`] needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event<'a> {
    MappingStart,
    MappingEnd,
    SequenceStart,
    SequenceEnd,
    Scalar(Cow<'a, str>, Style),
}

/// How a scalar was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

/// The scanner gave up: the text is for yaml-rust2 to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Declined;

/// Keys this long or longer are declined: YAML limits an implicit key to
/// 1,024 characters.
const MAX_KEY: usize = 1024;

/// Whether [`Lines`] reads `text` to its end.
#[cfg(test)]
pub fn accepts(text: &str) -> bool {
    let mut lines = Lines::new(text);
    loop {
        match lines.next_event() {
            Ok(Some(_)) => {}
            Ok(None) => return true,
            Err(Declined) => return false,
        }
    }
}

/// An open block collection.
#[derive(Debug, Clone, Copy)]
struct Block {
    mapping: bool,
    /// The column of its keys or of its `-` entries.
    indent: usize,
    /// A sequence whose `-` entries sit at the column of the mapping key
    /// that holds it.
    indentless: bool,
}

/// The events of a text, one line at a time.
pub struct Lines<'a> {
    text: &'a str,
    /// Where the next line starts.
    pos: usize,
    stack: Vec<Block>,
    /// The innermost collection's last key or `-` waits for its value.
    pending: bool,
    started: bool,
    done: bool,
    queue: VecDeque<Event<'a>>,
}

impl<'a> Lines<'a> {
    pub fn new(text: &'a str) -> Self {
        Lines {
            text,
            pos: 0,
            stack: Vec::new(),
            pending: false,
            started: false,
            done: false,
            queue: VecDeque::new(),
        }
    }

    /// The next event; `Ok(None)` once the document has ended.
    pub fn next_event(&mut self) -> Result<Option<Event<'a>>, Declined> {
        loop {
            if let Some(event) = self.queue.pop_front() {
                return Ok(Some(event));
            }
            if self.done {
                return Ok(None);
            }
            self.line()?;
        }
    }

    /// Reads the next line into the queue.
    fn line(&mut self) -> Result<(), Declined> {
        // yaml-rust2 and libyaml end a last line without a line break
        // differently inside block scalars: such texts are yaml-rust2's.
        if self.pos == 0 && !self.text.ends_with('\n') {
            return Err(Declined);
        }
        let Some((line, next)) = line_at(self.text, self.pos) else {
            return self.finish();
        };
        self.pos = next;
        let content = line.trim_start_matches(' ');
        let indent = line.len() - content.len();
        if content.is_empty() || content.starts_with('#') {
            return Ok(());
        }
        if indent == 0 && (content.starts_with("---") || content.starts_with("...")) {
            return Err(Declined);
        }
        self.content(indent, content)
    }

    fn finish(&mut self) -> Result<(), Declined> {
        if !self.started {
            return Err(Declined);
        }
        if std::mem::take(&mut self.pending) {
            self.queue.push_back(empty());
        }
        while let Some(block) = self.stack.pop() {
            self.queue.push_back(end(block));
        }
        self.done = true;
        Ok(())
    }

    /// A line whose content `s` starts at column `col`.
    fn content(&mut self, col: usize, s: &'a str) -> Result<(), Declined> {
        if self.pending {
            let top = *self.stack.last().ok_or(Declined)?;
            self.pending = false;
            if col > top.indent {
                return self.node(col, s);
            }
            if col == top.indent && top.mapping && is_entry(s) {
                self.open(Block {
                    mapping: false,
                    indent: col,
                    indentless: true,
                });
                return self.sequence_entry(col, s);
            }
            self.queue.push_back(empty());
        }
        while let Some(&top) = self.stack.last() {
            if top.indent > col || (top.indentless && top.indent == col && !is_entry(s)) {
                self.stack.pop();
                self.queue.push_back(end(top));
            } else {
                break;
            }
        }
        match self.stack.last() {
            None if !self.started && col == 0 => {
                self.started = true;
                self.node(col, s)
            }
            Some(top) if top.indent == col && top.mapping => self.mapping_entry(col, s),
            Some(top) if top.indent == col && is_entry(s) => self.sequence_entry(col, s),
            _ => Err(Declined),
        }
    }

    /// A collection that starts at column `col` with `s`.
    fn node(&mut self, col: usize, s: &'a str) -> Result<(), Declined> {
        // The walk declines deeper documents; `- - - ...` on one line
        // would otherwise recurse once per `-`.
        if self.stack.len() >= super::MAX_DEPTH {
            return Err(Declined);
        }
        let mapping = if is_entry(s) {
            false
        } else if key(s).is_some() {
            true
        } else {
            return Err(Declined);
        };
        self.open(Block {
            mapping,
            indent: col,
            indentless: false,
        });
        if mapping {
            self.mapping_entry(col, s)
        } else {
            self.sequence_entry(col, s)
        }
    }

    fn open(&mut self, block: Block) {
        self.queue.push_back(if block.mapping {
            Event::MappingStart
        } else {
            Event::SequenceStart
        });
        self.stack.push(block);
    }

    fn mapping_entry(&mut self, col: usize, s: &'a str) -> Result<(), Declined> {
        let (key, style, after) = key(s).ok_or(Declined)?;
        self.queue.push_back(Event::Scalar(key, style));
        self.value(col + after, s.get(after..).ok_or(Declined)?, false)
    }

    fn sequence_entry(&mut self, col: usize, s: &'a str) -> Result<(), Declined> {
        self.value(col + 1, s.get(1..).ok_or(Declined)?, true)
    }

    /// What follows a key's `:` or an entry's `-` (at column `col`): empty
    /// or a space, then the value.
    fn value(&mut self, col: usize, rest: &'a str, in_sequence: bool) -> Result<(), Declined> {
        let s = rest.trim_start_matches(' ');
        let col = col + (rest.len() - s.len());
        let Some(&first) = s.as_bytes().first() else {
            self.pending = true;
            return Ok(());
        };
        match first {
            b'#' => {
                self.pending = true;
                Ok(())
            }
            _ if in_sequence && (is_entry(s) || key(s).is_some()) => self.node(col, s),
            b'|' | b'>' => self.block_scalar(s, first == b'|'),
            b'"' | b'\'' => {
                let (value, style, after) = quoted(s).ok_or(Declined)?;
                self.queue.push_back(Event::Scalar(value, style));
                tail(s.get(after..).ok_or(Declined)?)
            }
            b'[' | b'{' => {
                let after = self.flow(s, 0, 0)?;
                tail(s.get(after..).ok_or(Declined)?)
            }
            _ => {
                let value = block_plain(s).ok_or(Declined)?;
                self.queue
                    .push_back(Event::Scalar(Cow::Borrowed(value), Style::Plain));
                Ok(())
            }
        }
    }

    /// A block scalar whose header is `header`; its lines follow.
    fn block_scalar(&mut self, header: &str, literal: bool) -> Result<(), Declined> {
        let owner = self.stack.last().ok_or(Declined)?.indent;
        let chomp = match header.as_bytes().get(1) {
            Some(b'-') => Chomp::Strip,
            Some(b'+') => Chomp::Keep,
            _ => Chomp::Clip,
        };
        let rest = &header[if chomp == Chomp::Clip { 1 } else { 2 }..];
        tail(rest)?;
        let mut value = String::new();
        // Line breaks not yet written: they depend on what follows.
        let mut breaks = 0;
        let mut indent = None;
        let mut leading_spaces = 0;
        let mut pos = self.pos;
        let mut content_lines = 0;
        while let Some((line, next)) = line_at(self.text, pos) {
            let spaces = line.len() - line.trim_start_matches(' ').len();
            let blank = spaces == line.len();
            let Some(indent) = indent else {
                if blank {
                    leading_spaces = leading_spaces.max(spaces);
                    breaks += 1;
                    pos = next;
                    continue;
                }
                if spaces <= owner || leading_spaces > spaces {
                    return Err(Declined);
                }
                indent = Some(spaces);
                continue;
            };
            if blank {
                // Spaces past the indentation would be content.
                if spaces > indent {
                    return Err(Declined);
                }
                breaks += 1;
                pos = next;
                continue;
            }
            if spaces < indent {
                break;
            }
            let content = &line[indent..];
            // A more indented line keeps its breaks when folded.
            if !literal && content.starts_with(' ') {
                return Err(Declined);
            }
            // A last line without a line break.
            if next > self.text.len() || !self.text[..next].ends_with('\n') {
                return Err(Declined);
            }
            if content_lines > 0 && (literal || breaks == 0) {
                value.push(if literal { '\n' } else { ' ' });
            }
            for _ in 0..breaks {
                value.push('\n');
            }
            breaks = 0;
            value.push_str(content);
            content_lines += 1;
            pos = next;
        }
        if content_lines == 0 {
            return Err(Declined);
        }
        match chomp {
            Chomp::Strip => {}
            Chomp::Clip => value.push('\n'),
            Chomp::Keep => {
                value.push('\n');
                for _ in 0..breaks {
                    value.push('\n');
                }
            }
        }
        self.pos = pos;
        let style = if literal {
            Style::Literal
        } else {
            Style::Folded
        };
        self.queue
            .push_back(Event::Scalar(Cow::Owned(value), style));
        Ok(())
    }

    /// A flow collection at `s[at..]`, all on this line, `depth` levels
    /// into flow collections; the offset just past its closing bracket.
    fn flow(&mut self, s: &'a str, at: usize, depth: usize) -> Result<usize, Declined> {
        if depth >= super::MAX_DEPTH {
            return Err(Declined);
        }
        let bytes = s.as_bytes();
        let mapping = bytes.get(at) == Some(&b'{');
        let close = if mapping { b'}' } else { b']' };
        self.queue.push_back(if mapping {
            Event::MappingStart
        } else {
            Event::SequenceStart
        });
        let mut i = skip_spaces(s, at + 1);
        if bytes.get(i) == Some(&close) {
            self.queue.push_back(if mapping {
                Event::MappingEnd
            } else {
                Event::SequenceEnd
            });
            return Ok(i + 1);
        }
        loop {
            if mapping {
                let (key, style, after) = flow_scalar(s, i, true).ok_or(Declined)?;
                self.queue.push_back(Event::Scalar(key, style));
                // A key is followed by `: ` and its value.
                if !s[after..].starts_with(": ") {
                    return Err(Declined);
                }
                i = skip_spaces(s, after + 2);
            }
            i = match bytes.get(i) {
                Some(b'[' | b'{') => self.flow(s, i, depth + 1)?,
                _ => {
                    let (value, style, after) = flow_scalar(s, i, false).ok_or(Declined)?;
                    self.queue.push_back(Event::Scalar(value, style));
                    after
                }
            };
            i = skip_spaces(s, i);
            match bytes.get(i) {
                Some(b',') => {
                    i = skip_spaces(s, i + 1);
                    // An empty entry, or a comma before the bracket.
                    if matches!(bytes.get(i), None | Some(b',' | b']' | b'}')) {
                        return Err(Declined);
                    }
                }
                Some(&b) if b == close => {
                    self.queue.push_back(if mapping {
                        Event::MappingEnd
                    } else {
                        Event::SequenceEnd
                    });
                    return Ok(i + 1);
                }
                _ => return Err(Declined),
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Chomp {
    Strip,
    Clip,
    Keep,
}

fn empty<'a>() -> Event<'a> {
    Event::Scalar(Cow::Borrowed(""), Style::Plain)
}

fn end<'a>(block: Block) -> Event<'a> {
    if block.mapping {
        Event::MappingEnd
    } else {
        Event::SequenceEnd
    }
}

/// The line that starts at `pos`, without its line break, and where the
/// next one starts; `None` at the end of the text.
fn line_at(text: &str, pos: usize) -> Option<(&str, usize)> {
    let rest = text.get(pos..).filter(|rest| !rest.is_empty())?;
    let (line, next) = match rest.find('\n') {
        Some(end) => (&rest[..end], pos + end + 1),
        None => (rest, text.len()),
    };
    Some((line.strip_suffix('\r').unwrap_or(line), next))
}

/// Whether `s` is a block sequence entry: `-` then a space or nothing.
fn is_entry(s: &str) -> bool {
    s == "-" || s.starts_with("- ")
}

fn skip_spaces(s: &str, at: usize) -> usize {
    at + s
        .as_bytes()
        .get(at..)
        .map_or(0, |rest| rest.iter().take_while(|&&b| b == b' ').count())
}

/// After a value: nothing, or spaces and a comment.
fn tail(rest: &str) -> Result<(), Declined> {
    let trimmed = rest.trim_start_matches(' ');
    if trimmed.is_empty() || (trimmed.starts_with('#') && trimmed.len() < rest.len()) {
        Ok(())
    } else {
        Err(Declined)
    }
}

/// Whether a plain scalar may start with `b` in this scanner: not an
/// indicator, and not `-` (nor `?` or `:`), which starts a plain scalar
/// only when a non-space follows (left to yaml-rust2).
fn plain_start(b: u8) -> bool {
    !(super::is_indicator(b) || b == b'-' || b == b' ')
}

/// A mapping key at the start of `s`, followed by `:` and a space or the
/// end of the line: the key, its style, and the offset just past the `:`.
fn key(s: &str) -> Option<(Cow<'_, str>, Style, usize)> {
    let bytes = s.as_bytes();
    let (key, style, colon) = match *bytes.first()? {
        b'"' | b'\'' => quoted(s)?,
        b if plain_start(b) => {
            let mut colon = None;
            for (i, &b) in bytes.iter().enumerate() {
                match b {
                    b':' if matches!(bytes.get(i + 1), None | Some(b' ')) => {
                        colon = Some(i);
                        break;
                    }
                    b'#' if bytes.get(i.wrapping_sub(1)) == Some(&b' ') => return None,
                    _ => {}
                }
            }
            let colon = colon?;
            let key = &s[..colon];
            if key.ends_with(' ') {
                return None;
            }
            (Cow::Borrowed(key), Style::Plain, colon)
        }
        _ => return None,
    };
    // YAML limits an implicit key by its length in the text, escapes
    // included.
    if colon >= MAX_KEY
        || bytes.get(colon) != Some(&b':')
        || !matches!(bytes.get(colon + 1), None | Some(b' '))
    {
        return None;
    }
    Some((key, style, colon + 1))
}

/// A plain scalar that is a whole block value: the rest of the line but
/// for a comment, if nothing in it would make it more than one scalar.
fn block_plain(s: &str) -> Option<&str> {
    if !plain_start(*s.as_bytes().first()?) {
        return None;
    }
    let end = s.find(" #").unwrap_or(s.len());
    let value = s[..end].trim_end_matches(' ');
    if value.contains(": ") || value.ends_with(':') {
        return None;
    }
    Some(value)
}

/// A scalar inside a flow collection at `s[at..]`: quoted, or plain up to
/// the next flow indicator (and, for a key, up to its `:`). Declines plain
/// scalars that hold a `:` or a `#`.
fn flow_scalar(s: &str, at: usize, is_key: bool) -> Option<(Cow<'_, str>, Style, usize)> {
    let rest = s.get(at..)?;
    let first = *rest.as_bytes().first()?;
    if first == b'"' || first == b'\'' {
        let (value, style, after) = quoted(rest)?;
        return Some((value, style, at + after));
    }
    if !plain_start(first) {
        return None;
    }
    let end = rest
        .find([',', '[', ']', '{', '}', ':', '#'])
        .unwrap_or(rest.len());
    let stop = rest.as_bytes().get(end).copied();
    let fits = if is_key {
        stop == Some(b':')
    } else {
        matches!(stop, Some(b',' | b']' | b'}'))
    };
    let value = rest[..end].trim_end_matches(' ');
    if !fits || value.is_empty() || (is_key && value.len() < end) {
        return None;
    }
    Some((Cow::Borrowed(value), Style::Plain, at + end))
}

/// A quoted scalar at the start of `s`, closed on this line: its value,
/// style, and the offset just past the closing quote.
fn quoted(s: &str) -> Option<(Cow<'_, str>, Style, usize)> {
    let bytes = s.as_bytes();
    let double = *bytes.first()? == b'"';
    let style = if double {
        Style::DoubleQuoted
    } else {
        Style::SingleQuoted
    };
    let mut owned: Option<String> = None;
    let mut from = 1;
    let mut i = 1;
    loop {
        let b = *bytes.get(i)?;
        match b {
            b'"' if double => break,
            b'\'' if !double => {
                if bytes.get(i + 1) != Some(&b'\'') {
                    break;
                }
                let value = owned.get_or_insert_with(String::new);
                value.push_str(&s[from..i]);
                value.push('\'');
                i += 2;
                from = i;
            }
            b'\\' if double => {
                let value = owned.get_or_insert_with(String::new);
                value.push_str(&s[from..i]);
                let (c, len) = escape(s.get(i + 1..)?)?;
                value.push(c);
                i += 1 + len;
                from = i;
            }
            _ => i += 1,
        }
    }
    let value = match owned {
        Some(mut value) => {
            value.push_str(&s[from..i]);
            Cow::Owned(value)
        }
        None => Cow::Borrowed(&s[1..i]),
    };
    Some((value, style, i + 1))
}

/// The character an escape stands for (`s` starts after the backslash)
/// and how many bytes of `s` it takes; `None` for what is left to
/// yaml-rust2 (a break, an unknown escape).
fn escape(s: &str) -> Option<(char, usize)> {
    let c = match *s.as_bytes().first()? {
        b'0' => '\0',
        b'a' => '\x07',
        b'b' => '\x08',
        b't' => '\t',
        b'n' => '\n',
        b'v' => '\x0b',
        b'f' => '\x0c',
        b'r' => '\r',
        b'e' => '\x1b',
        b' ' => ' ',
        b'"' => '"',
        b'/' => '/',
        b'\\' => '\\',
        b'N' => '\u{85}',
        b'_' => '\u{a0}',
        b'L' => '\u{2028}',
        b'P' => '\u{2029}',
        b @ (b'x' | b'u' | b'U') => {
            let digits = match b {
                b'x' => 2,
                b'u' => 4,
                _ => 8,
            };
            let hex = s.get(1..1 + digits)?;
            if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            let code = u32::from_str_radix(hex, 16).ok()?;
            return Some((char::from_u32(code)?, 1 + digits));
        }
        _ => return None,
    };
    Some((c, 1))
}
