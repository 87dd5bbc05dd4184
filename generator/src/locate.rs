//! Where each node of a YAML or JSON document is: JSON pointer → line and
//! column, from yaml-rust2's marked events.
//!
//! serde_yaml and openapiv3 keep no positions, and silently keep one of two
//! duplicate keys. This pass walks the same text once more, records the
//! position of every node (at its key, for mapping values), and reports
//! what the value-level parsers cannot: duplicate keys, and nesting or alias
//! use beyond sane limits.

use std::collections::HashMap;

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
    lines: Vec<String>,
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
        self.lines.get(line.checked_sub(1)?).map(String::as_str)
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

/// Scans `text` for the problems that make the document unusable, without
/// recording positions (the common, fast case). Call [`scan`] for positions
/// once there is something to report.
pub fn check(text: &str) -> Vec<Diagnostic> {
    walk(text, false).1
}

/// Scans `text`, recording the position of every node.
pub fn scan(text: &str) -> (SourceMap, Vec<Diagnostic>) {
    walk(text, true)
}

fn walk(text: &str, record: bool) -> (SourceMap, Vec<Diagnostic>) {
    let mut map = SourceMap {
        positions: HashMap::new(),
        lines: if record {
            text.lines().map(str::to_string).collect()
        } else {
            Vec::new()
        },
    };
    let mut diags = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut aliases = 0usize;
    let mut parser = Parser::new_from_str(text);
    // On a syntax error the walk stops; serde_yaml reports it with its
    // position.
    while let Ok((event, marker)) = parser.next_token() {
        let here = (marker.line(), marker.col() + 1);
        // Where the node that starts now goes, if it is a value.
        let place = |stack: &mut Vec<Frame>| -> Option<(String, (usize, usize))> {
            match stack.last_mut() {
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
        };
        match event {
            Event::StreamEnd => break,
            Event::Scalar(value, ..) => {
                let is_key = matches!(stack.last(), Some(Frame::Mapping { key: None, .. }));
                if is_key {
                    if let Some(Frame::Mapping { pointer, key, seen }) = stack.last_mut() {
                        let key_pointer = if record {
                            format!("{pointer}/{}", escape_token(&value))
                        } else {
                            String::new()
                        };
                        if let Some(first) = seen.get(&value) {
                            diags.push(
                                Diagnostic::error(format!("duplicate key `{value}` (first on line {first})"))
                                    .at_pointer(key_pointer)
                                    .at_line_col(here.0, here.1)
                                    .with_help("YAML parsers silently keep only one of them; remove or rename one"),
                            );
                        } else {
                            seen.insert(value.clone(), here.0);
                        }
                        *key = Some((value, here));
                    }
                } else if let Some((pointer, at)) = place(&mut stack) {
                    if record {
                        map.positions.insert(pointer, at);
                    }
                }
            }
            Event::Alias(_) => {
                aliases += 1;
                if aliases > MAX_ALIASES {
                    diags.push(
                        Diagnostic::error(format!("more than {MAX_ALIASES} YAML aliases"))
                            .at_line_col(here.0, here.1)
                            .with_help("expand the aliases; apigen refuses documents that could expand without bound"),
                    );
                    break;
                }
                let is_key = matches!(stack.last(), Some(Frame::Mapping { key: None, .. }));
                if is_key {
                    if let Some(Frame::Mapping { key, .. }) = stack.last_mut() {
                        *key = Some(("*alias".to_string(), here));
                    }
                } else if let Some((pointer, at)) = place(&mut stack) {
                    if record {
                        map.positions.insert(pointer, at);
                    }
                }
            }
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                let is_key = matches!(stack.last(), Some(Frame::Mapping { key: None, .. }));
                let pointer = if is_key {
                    // A complex key: give it a placeholder name.
                    if let Some(Frame::Mapping { key, .. }) = stack.last_mut() {
                        *key = Some(("?".to_string(), here));
                    }
                    "#/?".to_string()
                } else {
                    match place(&mut stack) {
                        Some((pointer, at)) => {
                            if record {
                                map.positions.insert(pointer.clone(), at);
                            }
                            pointer
                        }
                        None => "#".to_string(),
                    }
                };
                if stack.len() >= MAX_DEPTH {
                    diags.push(
                        Diagnostic::error(format!(
                            "the document nests deeper than {MAX_DEPTH} levels"
                        ))
                        .at_pointer(pointer)
                        .at_line_col(here.0, here.1),
                    );
                    break;
                }
                stack.push(if matches!(event, Event::MappingStart(..)) {
                    Frame::Mapping {
                        pointer,
                        key: None,
                        seen: HashMap::new(),
                    }
                } else {
                    Frame::Sequence { pointer, index: 0 }
                });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                stack.pop();
            }
            Event::Nothing | Event::StreamStart | Event::DocumentStart | Event::DocumentEnd => {}
        }
    }
    (map, diags)
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

    #[test]
    fn json_positions() {
        let (map, diags) = scan("{\n  \"a\": {\"b\": [1, 2]},\n  \"a\": 0\n}");
        assert_eq!(map.position("#/a/b/1"), Some((2, 18)));
        assert_eq!(map.position("#/a/b"), Some((2, 9)));
        assert_eq!(diags.len(), 1);
    }
}
