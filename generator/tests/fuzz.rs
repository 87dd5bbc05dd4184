//! A bounded mutation fuzzer that runs with the normal test suite.
//!
//! It takes the valid specs of the repository, mutates them (drops,
//! duplicates and retypes nodes, swaps and breaks references, injects
//! keywords and odd names) and also feeds arbitrary bytes, and checks the
//! generator's contract on every input: either a module that parses as Rust
//! or at least one diagnostic, never a panic and never a hang. The random
//! sequence is fixed (seeded), so a failure reproduces; the failing input is
//! written under `target/fuzz-failures/` and belongs in
//! `tests/fuzz-regressions/` once fixed.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{json, Value};

/// Inputs per seed spec, and arbitrary byte strings.
const MUTANTS_PER_SEED: usize = 60;
const RANDOM_INPUTS: usize = 200;
/// No single input may take longer than this.
const PER_INPUT_LIMIT: Duration = Duration::from_secs(20);

/// SplitMix64: small, seedable, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn seeds() -> Vec<(String, Value)> {
    let mut seeds = Vec::new();
    let files = [
        "spec/highlevel-calendars.yaml",
        "tests/fixtures/naming.yaml",
        "tests/fixtures/parameters.yaml",
        "tests/fixtures/bodies.yaml",
        "tests/fixtures/schemas.yaml",
        "tests/fixtures/mistakes.yaml",
    ];
    for file in files {
        let text = std::fs::read_to_string(root().join(file)).unwrap();
        let value: Value = serde_yaml::from_str(&text).unwrap();
        seeds.push((file.to_string(), value));
    }
    seeds
}

/// Every node's path, as a list of keys and indexes.
fn paths(value: &Value) -> Vec<Vec<Value>> {
    let mut out = Vec::new();
    let mut stack = vec![(Vec::new(), value)];
    while let Some((path, node)) = stack.pop() {
        match node {
            Value::Object(map) => {
                for (k, v) in map {
                    let mut p = path.clone();
                    p.push(Value::String(k.clone()));
                    stack.push((p, v));
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    let mut p = path.clone();
                    p.push(json!(i));
                    stack.push((p, v));
                }
            }
            _ => {}
        }
        out.push(path);
    }
    out
}

fn get_mut<'a>(value: &'a mut Value, path: &[Value]) -> Option<&'a mut Value> {
    let mut node = value;
    for step in path {
        node = match step {
            Value::String(k) => node.as_object_mut()?.get_mut(k)?,
            Value::Number(i) => node.as_array_mut()?.get_mut(i.as_u64()? as usize)?,
            _ => return None,
        };
    }
    Some(node)
}

const ODD_NAMES: &[&str] = &[
    "", "type", "self", "Self", "crate", "fn", "gen", "123", "2fa", "a/b~c", "ключ", "🙂",
    "foo_bar", "fooBar", "FooBar", "_", "__", "r#type", "x y", "$ref", "{id}",
];

fn random_scalar(rng: &mut Rng) -> Value {
    match rng.below(7) {
        0 => Value::Null,
        1 => json!(true),
        2 => json!(rng.next() as i64),
        3 => json!(-1.5e300),
        4 => json!(*rng.pick(ODD_NAMES)),
        5 => json!([]),
        _ => json!({}),
    }
}

fn keyword(rng: &mut Rng) -> (String, Value) {
    let options: Vec<(&str, Value)> = vec![
        (
            "allOf",
            json!([{"$ref": "#/components/schemas/Missing"}, {"type": "object"}]),
        ),
        ("allOf", json!([{"type": "string"}])),
        (
            "oneOf",
            json!([{"type": "integer"}, {"type": "object", "properties": {"a": {}}}]),
        ),
        ("anyOf", json!([])),
        ("not", json!({"required": ["a", "b"]})),
        ("nullable", json!(true)),
        ("enum", json!(["a", "A", "", null, "1"])),
        ("enum", json!([1, 2])),
        ("additionalProperties", json!({"$ref": "#"})),
        (
            "discriminator",
            json!({"propertyName": "kind", "mapping": {"x": "#/components/schemas/Nope"}}),
        ),
        ("items", json!({"$ref": "#/components/schemas/Node"})),
        ("format", json!("binary")),
        ("type", json!("object")),
        ("type", json!("array")),
        ("type", json!(["string", "null"])),
        ("required", json!(["nope", "type"])),
        ("readOnly", json!(true)),
        ("in", json!("cookie")),
        ("style", json!("deepObject")),
        ("content", json!({"application/octet-stream": {}})),
        ("$ref", json!("#/components/schemas")),
    ];
    let (k, v) = rng.pick(&options);
    (k.to_string(), v.clone())
}

const BROKEN_REFS: &[&str] = &[
    "#/components/schemas/Nope",
    "#/components/parameters/Nope",
    "#",
    "#/",
    "",
    "http://example.com/spec.yaml#/a",
    "missing.yaml#/components/schemas/A",
    "../../../../etc/passwd",
    "#/components/schemas/~2",
    "#/paths",
];

/// One mutation at a random place.
fn mutate(value: &mut Value, rng: &mut Rng) {
    let all = paths(value);
    let target = rng.pick(&all).clone();
    match rng.below(8) {
        // Drop the node.
        0 => {
            if let Some((last, parent)) = target.split_last() {
                if let Some(parent) = get_mut(value, parent) {
                    match (parent, last) {
                        (Value::Object(map), Value::String(k)) => {
                            map.shift_remove(k);
                        }
                        (Value::Array(items), Value::Number(i)) => {
                            let i = i.as_u64().unwrap_or(0) as usize;
                            if i < items.len() {
                                items.remove(i);
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        // Duplicate it somewhere else.
        1 => {
            let copy = get_mut(value, &target).map(|v| v.clone());
            let other = rng.pick(&all).clone();
            if let (Some(copy), Some(Value::Object(map))) = (copy, get_mut(value, &other)) {
                map.insert(rng.pick(ODD_NAMES).to_string(), copy);
            }
        }
        // Retype it.
        2 => {
            let replacement = random_scalar(rng);
            if let Some(node) = get_mut(value, &target) {
                *node = replacement;
            }
        }
        // Swap two references, or break one.
        3 => {
            let refs: Vec<Vec<Value>> = all
                .iter()
                .filter(|p| p.last() == Some(&json!("$ref")))
                .cloned()
                .collect();
            if refs.len() >= 2 {
                let a = rng.pick(&refs).clone();
                let b = rng.pick(&refs).clone();
                let va = get_mut(value, &a).map(|v| v.clone());
                let vb = get_mut(value, &b).map(|v| v.clone());
                if let (Some(va), Some(vb)) = (va, vb) {
                    if let Some(node) = get_mut(value, &a) {
                        *node = vb;
                    }
                    if let Some(node) = get_mut(value, &b) {
                        *node = va;
                    }
                }
            } else if let Some(Value::Object(map)) = get_mut(value, &target) {
                map.insert("$ref".into(), json!(*rng.pick(BROKEN_REFS)));
            }
        }
        4 => {
            let broken = *rng.pick(BROKEN_REFS);
            if let Some(Value::Object(map)) = get_mut(value, &target) {
                map.insert("$ref".into(), json!(broken));
            }
        }
        // Inject a keyword.
        5 | 6 => {
            let (k, v) = keyword(rng);
            if let Some(Value::Object(map)) = get_mut(value, &target) {
                map.insert(k, v);
            }
        }
        // Rename a key to an odd name.
        _ => {
            if let Some((Value::String(last), parent)) = target.split_last() {
                let name = rng.pick(ODD_NAMES).to_string();
                if let Some(Value::Object(map)) = get_mut(value, parent) {
                    if let Some(v) = map.shift_remove(last) {
                        map.insert(name, v);
                    }
                }
            }
        }
    }
}

/// How many inputs produced code (the rest produced diagnostics).
static GENERATED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Runs the generator on `bytes` in a thread; returns a description of a
/// contract violation, if any.
fn check(bytes: Vec<u8>, extension: &str) -> Option<String> {
    let spec = root()
        .join("tests/fixtures")
        .join(format!("fuzz-input.{extension}"));
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let options = apigen::Options::new(&spec, "fuzzed");
        let outcome =
            std::panic::catch_unwind(|| apigen::generate_module_from_bytes(&bytes, &options));
        let _ = tx.send(outcome.map_err(|panic| {
            panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default()
        }));
    });
    match rx.recv_timeout(PER_INPUT_LIMIT) {
        Err(_) => Some("no answer in time (a hang?)".to_string()),
        Ok(Err(panic)) => Some(format!("panicked: {panic}")),
        Ok(Ok(Ok(module))) => match syn::parse_file(&module.contents) {
            Ok(_) => {
                GENERATED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                None
            }
            Err(e) => Some(format!("generated code does not parse: {e}")),
        },
        Ok(Ok(Err(error))) => {
            let diagnostics = error.diagnostics();
            if diagnostics.is_empty() || diagnostics.iter().any(|d| d.message.trim().is_empty()) {
                Some(format!(
                    "an error without a usable diagnostic: {diagnostics:?}"
                ))
            } else {
                None
            }
        }
    }
}

fn record_failure(name: &str, bytes: &[u8], why: &str) -> String {
    let dir = root().join("target/fuzz-failures");
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join(name);
    let _ = std::fs::write(&path, bytes);
    format!("{why}\n  input saved to {}", path.display())
}

#[test]
fn mutated_specs_give_code_or_diagnostics() {
    let mut rng = Rng(0x5EED_0001);
    let mut failures = Vec::new();
    let mut generated = 0;
    for (file, seed) in seeds() {
        for i in 0..MUTANTS_PER_SEED {
            let mut value = seed.clone();
            for _ in 0..=rng.below(4) {
                mutate(&mut value, &mut rng);
            }
            // Alternate between the JSON and YAML front ends.
            let (bytes, ext) = if i % 2 == 0 {
                (serde_json::to_vec_pretty(&value).unwrap(), "json")
            } else {
                (serde_yaml::to_string(&value).unwrap().into_bytes(), "yaml")
            };
            if let Some(why) = check(bytes.clone(), ext) {
                let name = format!("{}-{i}.{ext}", file.replace('/', "_"));
                failures.push(record_failure(&name, &bytes, &why));
            } else {
                generated += 1;
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // The mutants must reach code generation, not only the parser.
    let produced_code = GENERATED.load(std::sync::atomic::Ordering::Relaxed);
    eprintln!("{generated} mutants checked, {produced_code} produced code");
    assert!(
        produced_code * 4 >= generated,
        "only {produced_code} of {generated} mutants produced code"
    );
}

#[test]
fn arbitrary_bytes_give_code_or_diagnostics() {
    let mut rng = Rng(0x5EED_0002);
    let pieces: &[&[u8]] = &[
        b"openapi: 3.0.3\n",
        b"info: {title: x, version: '1'}\n",
        b"paths:\n",
        b"  /a:\n",
        b"    get:\n",
        b"{",
        b"}",
        b"[",
        b"]",
        b":",
        b"- ",
        b"&a ",
        b"*a ",
        b"!!binary ",
        b"\t",
        b"\r\n",
        b"\"",
        b"'",
        b"\xff\xfe",
        b"\xef\xbb\xbf",
        b"\0",
        b"#",
        b"$ref: ",
        b"components: {schemas: {A: {$ref: '#/components/schemas/A'}}}\n",
    ];
    let mut failures = Vec::new();
    for i in 0..RANDOM_INPUTS {
        let mut bytes = Vec::new();
        for _ in 0..rng.below(40) {
            if rng.below(3) == 0 {
                bytes.push(rng.next() as u8);
            } else {
                let piece: &[u8] = pieces[rng.below(pieces.len())];
                bytes.extend_from_slice(piece);
            }
        }
        let ext = if i % 2 == 0 { "yaml" } else { "json" };
        if let Some(why) = check(bytes.clone(), ext) {
            failures.push(record_failure(&format!("bytes-{i}.{ext}"), &bytes, &why));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Inputs that once broke the generator stay in the suite.
#[test]
fn regressions_stay_fixed() {
    let dir = root().join("tests/fuzz-regressions");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    let mut failures = Vec::new();
    for entry in entries {
        let path = entry.unwrap().path();
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("yaml")
            .to_string();
        if ext != "yaml" && ext != "json" {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        if let Some(why) = check(bytes, &ext) {
            failures.push(format!("{}: {why}", path.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
