//! Text to a `serde_json::Value`: JSON by extension or a leading `{`,
//! YAML otherwise, through one visitor that refuses a repeated key
//! (serde_json and serde_yaml would silently keep one of the two).

use std::cell::Cell;
use std::path::Path;

use serde::de::{DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::diag::{Diagnostic, Error};

/// Parses JSON (by extension or a leading `{`) or YAML into a JSON value,
/// refusing a mapping that repeats a key (serde_json and serde_yaml keep
/// one of the two silently). Both parsers bound nesting at 128 levels,
/// which the reader's recursion goes through.
pub fn parse_text(text: &str, path: &Path) -> Result<Value, Error> {
    let repeated = Cell::new(false);
    let reader = UniqueKeys {
        repeated: &repeated,
    };
    let read = if is_json(text, path) {
        read_json(text, reader)
    } else {
        read_yaml(text, reader)
    };
    read.map_err(|error| {
        // The reader knows which key repeats but not where: the walk of
        // `locate` finds it, with its pointer and its first place.
        if repeated.get() {
            let (map, mut found) = super::locate::scan(text);
            if !found.is_empty() {
                found.iter_mut().for_each(|d| map.annotate(d));
                return Error::new(found);
            }
        }
        error
    })
}

fn read_json(text: &str, reader: UniqueKeys<'_>) -> Result<Value, Error> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    reader
        .deserialize(&mut deserializer)
        .and_then(|value| deserializer.end().map(|()| value))
        .map_err(|e| {
            let message = e.to_string();
            let message = message
                .find(" at line ")
                .and_then(|i| message.get(..i))
                .unwrap_or(&message);
            Diagnostic::error(format!("invalid JSON: {message}"))
                .at_line_col(e.line(), e.column())
                .into()
        })
}

fn read_yaml(text: &str, reader: UniqueKeys<'_>) -> Result<Value, Error> {
    reader
        .deserialize(serde_yaml::Deserializer::from_str(text))
        .map_err(|e| {
            let d = Diagnostic::error(format!("invalid YAML: {}", yaml_message(&e)));
            match e.location() {
                Some(location) => d.at_line_col(location.line(), location.column()),
                None => d,
            }
            .into()
        })
}

/// Builds the value that `serde_json::Value`'s own deserializer builds,
/// from JSON and YAML alike, but fails on a mapping that repeats a key,
/// and then sets `repeated`.
#[derive(Clone, Copy)]
struct UniqueKeys<'r> {
    repeated: &'r Cell<bool>,
}

impl<'de> DeserializeSeed<'de> for UniqueKeys<'_> {
    type Value = Value;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl UniqueKeys<'_> {
    /// A number as `serde_json::Value` keeps it: not finite is null.
    fn float(self, v: f64) -> Value {
        serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number)
    }
}

impl<'de> Visitor<'de> for UniqueKeys<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any valid JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    // YAML integers beyond 64 bits (vendors write them as bounds, say) are
    // kept as the nearest floating-point number: JSON has no larger
    // integers, and what reads them needs no more precision.
    fn visit_i128<E>(self, v: i128) -> Result<Value, E> {
        Ok(i64::try_from(v).map_or_else(|_| self.float(v as f64), Value::from))
    }
    fn visit_u128<E>(self, v: u128) -> Result<Value, E> {
        Ok(u64::try_from(v).map_or_else(|_| self.float(v as f64), Value::from))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(self.float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        self.deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        use serde_json::map::Entry;
        let mut object = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            match object.entry(key) {
                Entry::Vacant(entry) => {
                    entry.insert(map.next_value_seed(self)?);
                }
                Entry::Occupied(entry) => {
                    self.repeated.set(true);
                    let message = format!("duplicate key `{}`", entry.key());
                    return Err(serde::de::Error::custom(message));
                }
            }
        }
        Ok(Value::Object(object))
    }
}

/// Whether the text is read as JSON: by extension or a leading `{`.
fn is_json(text: &str, path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        || text.trim_start().starts_with('{')
}

/// serde_yaml appends " at line L column C" to its messages; the location
/// is reported separately.
fn yaml_message(e: &serde_yaml::Error) -> String {
    let message = e.to_string();
    match message.find(" at line ") {
        Some(i) => message.get(..i).unwrap_or(&message).to_string(),
        None => message,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The one diagnostic of reading `text` as `name`.
    fn read_error(text: &str, name: &str) -> Diagnostic {
        let error = parse_text(text, Path::new(name)).unwrap_err();
        assert_eq!(error.diagnostics().len(), 1, "{error:?}");
        error.diagnostics()[0].clone()
    }

    /// The hand-written spec and the YAML fixtures.
    pub(crate) fn repository_yaml_specs() -> Vec<std::path::PathBuf> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut files = vec![root.join("spec/highlevel-calendars.yaml")];
        for entry in std::fs::read_dir(root.join("tests/fixtures")).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "yaml") {
                files.push(path);
            }
        }
        files.sort();
        assert!(files.len() >= 6, "found only {files:?}");
        files
    }

    /// The reader builds what serde_json and serde_yaml build into a
    /// `serde_json::Value`: for the repository's specs, and for scalars of
    /// every kind.
    #[test]
    fn specs_read_as_serde_reads_them() {
        let yaml = |text: &str| -> Value { serde_yaml::from_str(text).unwrap() };
        let json = |text: &str| -> Value { serde_json::from_str(text).unwrap() };
        let same = |ours: Value, theirs: Value| {
            assert_eq!(
                serde_json::to_string(&ours).unwrap(),
                serde_json::to_string(&theirs).unwrap()
            );
        };
        for file in repository_yaml_specs() {
            let text = std::fs::read_to_string(&file).unwrap();
            let ours = parse_text(&text, &file).unwrap();
            // A spec with an integer beyond 64 bits is one serde_yaml
            // refuses and the reader reads (as a float).
            if let Ok(theirs) = serde_yaml::from_str::<Value>(&text) {
                same(ours, theirs);
            }
        }
        // Scalars of every kind; complex keys, which serde_yaml does not
        // take, the reader does not take either.
        let path = Path::new("s.yaml");
        let scalars = "a: [1, -2, 3.5, -0.0, 1e300, .nan, .inf, 0x1f, 0o17, 018, 1_000]\nb: [true, false, ~, null, '', \"x\", yes]\nc: 18446744073709551615\n200: {z: {}, y: []}\n";
        same(parse_text(scalars, path).unwrap(), yaml(scalars));
        let refused = "? [1]\n: 1\n";
        assert!(serde_yaml::from_str::<Value>(refused).is_err());
        assert!(parse_text(refused, path).is_err());
        // Integers beyond 64 bits, which serde_json's value refuses, are
        // read as the nearest floating-point number.
        let big = parse_text(
            "d: 18446744073709551616\ne: -9223372036854775809\nf: 340282366920938463463374607431768211456\n",
            path,
        )
        .unwrap();
        assert_eq!(big["d"].as_f64(), Some(18446744073709551616.0));
        assert_eq!(big["e"].as_f64(), Some(-9223372036854775809.0));
        assert_eq!(big["f"].as_f64(), Some(3.402823669209385e38));
        let text = r#"{"b": [1, -2, 3.5, -0.0, 1e300, true, null, "x"], "a": {"z": {}, "y": []},
                       "n": 18446744073709551615, "s": "\u00e9\n"}"#;
        same(parse_text(text, Path::new("s.json")).unwrap(), json(text));
    }

    /// A repeated key is refused where it repeats, in YAML and JSON, with
    /// where it was first.
    #[test]
    fn repeated_keys_are_refused_where_they_repeat() {
        let text = "a: 1\nb:\n  - c: 1\n    d: 2\n    c: 3\n";
        let error = read_error(text, "s.yaml");
        assert_eq!(error.message, "duplicate key `c` (first on line 3)");
        assert_eq!((error.line, error.column), (Some(5), Some(5)));
        assert_eq!(error.pointer.as_deref(), Some("#/b/0/c"));
        assert_eq!(error.source_line.as_deref(), Some("    c: 3"));
        let text = "{\"a\": 1,\n \"b\": {\"c\": 1, \"c\": 2}}";
        let error = read_error(text, "s.json");
        assert_eq!(error.message, "duplicate key `c` (first on line 2)");
        assert_eq!(error.line, Some(2));
        assert_eq!(error.pointer.as_deref(), Some("#/b/c"));
        // The same key in two mappings is no repetition.
        assert!(parse_text("a: {c: 1}\nb: {c: 1}\n", Path::new("s.yaml")).is_ok());
    }

    /// Nesting beyond the parsers' limit, and text that is not a document,
    /// are refused with their position.
    #[test]
    fn bad_text_is_refused_with_its_position() {
        let path = Path::new("s.json");
        for (text, message) in [
            (r#"{"a": 1,}"#, "invalid JSON: trailing comma"),
            (r#"{"a": 1e400}"#, "invalid JSON: number out of range"),
            (r#"{"a": 1} {"b": 2}"#, "invalid JSON: trailing characters"),
        ] {
            let error = read_error(text, "s.json");
            assert_eq!(error.message, message);
            assert_eq!(error.line, Some(1), "{error:?}");
        }
        let shallow = format!("{}{}", "[".repeat(100), "]".repeat(100));
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert!(parse_text(&shallow, path).is_ok());
        let error = read_error(&deep, "s.json");
        assert_eq!(error.message, "invalid JSON: recursion limit exceeded");
        assert_eq!(error.line, Some(1));
        let path = Path::new("s.yaml");
        assert!(parse_text(&format!("a: {shallow}"), path).is_ok());
        let error = read_error(&format!("a: {deep}"), "s.yaml");
        assert_eq!(error.message, "invalid YAML: recursion limit exceeded");
        assert_eq!(error.line, Some(1));
        let error = read_error("a: 1\nb: [\n", "s.yaml");
        assert!(error.message.starts_with("invalid YAML: "), "{error:?}");
        assert!(error.line.is_some(), "{error:?}");
    }
}
