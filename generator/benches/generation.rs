//! Generation benchmarks: each phase of the pipeline separately, and
//! `apigen::generate` end to end (in memory, nothing written), over the
//! hand-written spec, the vendor's two-file Calendars spec and synthetic
//! specs of 10, 100, 1,000 and 10,000 operations.
//!
//! ```sh
//! cargo bench -p apigen                       # the whole suite, a few minutes
//! cargo bench -p apigen -- synth-1000/        # one input
//! cargo bench -p apigen -- /lower             # one phase over every input
//! cargo test -p apigen --benches              # smoke: every benchmark once
//! ```
//!
//! Phases, in pipeline order (see ARCHITECTURE.md):
//!
//! - `parse`: spec text to a `serde_json::Value` (serde_yaml or serde_json,
//!   refusing repeated keys);
//! - `bundle`: external `$ref`s pulled into `components` (reads the other
//!   files of a multi-file spec);
//! - `deserialize`: the bundled value into `openapiv3::OpenAPI`;
//! - `load`: all of the above plus the SHA-256 and version check
//!   (`load_bytes`, what the CLI runs);
//! - `lower`: openapiv3 to `model::Api` (`$ref` resolution, naming);
//! - `emit`: the model to token streams, per Rust file;
//! - `render`: token streams to text (syn, then prettyplease), on threads
//!   as `crate_files` does;
//! - `spec_json`: the bundled spec as the crate's `openapi.json`;
//! - `generate`: `apigen::generate`, reading the spec file, end to end, for
//!   a first generation (no previous output);
//! - `regenerate`: `apigen::generate` with `bump_from` set to a folder that
//!   holds the previous output of the same spec, as `apigen generate` and
//!   `apigen check` run over an existing crate (the previous spec is loaded
//!   and lowered again and the two models diffed to pick the version).
//!
//! For 10,000 operations `load` (the sum of the first three phases) and
//! `regenerate` are left out, to keep the suite within minutes;
//! `generator/benches/cli.sh` times regeneration at every size.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use apigen::phases;
use criterion::{BatchSize, BenchmarkGroup, Criterion, SamplingMode, Throughput};

#[path = "support/synth.rs"]
mod synth;

/// The synthetic sizes, in operations.
const SIZES: [usize; 4] = [10, 100, 1_000, 10_000];

struct Input {
    name: String,
    path: PathBuf,
    bytes: Vec<u8>,
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the generator sits inside the workspace")
        .to_path_buf()
}

fn input(name: &str, path: PathBuf) -> Input {
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Input {
        name: name.to_string(),
        path,
        bytes,
    }
}

/// Whether criterion runs each benchmark once (`cargo test --benches`, or
/// `cargo bench -- --test`) rather than measuring.
fn smoke_run() -> bool {
    let args: Vec<String> = std::env::args().collect();
    args.iter().any(|a| a == "--test") || !args.iter().any(|a| a == "--bench")
}

/// The synthetic sizes to run: `APIGEN_BENCH_SIZES` (comma-separated) if
/// set, else all of them, or only the small ones in a smoke run.
fn sizes() -> Vec<usize> {
    if let Ok(list) = std::env::var("APIGEN_BENCH_SIZES") {
        return list
            .split(',')
            .filter(|s| !s.trim().is_empty())
            .map(|s| s.trim().parse().expect("APIGEN_BENCH_SIZES: numbers"))
            .collect();
    }
    if smoke_run() {
        SIZES.into_iter().filter(|&n| n <= 100).collect()
    } else {
        SIZES.to_vec()
    }
}

fn inputs(synth_dir: &Path) -> Vec<Input> {
    let root = repo_root();
    let mut inputs = vec![
        input("spec", root.join("spec/highlevel-calendars.yaml")),
        input(
            "calendars",
            root.join("tests/fixtures/highlevel/apps/calendars.json"),
        ),
    ];
    for size in sizes() {
        let path = synth_dir.join(format!("synth-{size}.yaml"));
        std::fs::write(&path, synth::spec(size)).expect("write a synthetic spec");
        inputs.push(input(&format!("synth-{size}"), path));
    }
    inputs
}

/// Fewer, flat samples for the large inputs, so the suite stays within a
/// few minutes.
fn configure(group: &mut BenchmarkGroup<'_, criterion::measurement::WallTime>, operations: u64) {
    group.throughput(Throughput::Elements(operations));
    match operations {
        0..=999 => {
            group.sample_size(50);
            group.warm_up_time(Duration::from_millis(500));
            group.measurement_time(Duration::from_secs(2));
        }
        1_000..=9_999 => {
            group.sampling_mode(SamplingMode::Flat);
            group.sample_size(10);
            group.warm_up_time(Duration::from_millis(500));
            group.measurement_time(Duration::from_secs(3));
        }
        _ => {
            group.sampling_mode(SamplingMode::Flat);
            group.sample_size(10);
            group.warm_up_time(Duration::from_millis(100));
            group.measurement_time(Duration::from_secs(1));
        }
    }
}

fn bench_input(c: &mut Criterion, input: &Input) {
    let display = apigen::display_path(&input.path);
    let text = std::str::from_utf8(&input.bytes).expect("UTF-8 spec");
    let parsed = phases::parse_text(text, &input.path).expect("parse");
    let mut bundled = parsed.clone();
    phases::bundle(&mut bundled, &input.path, &display).expect("bundle");
    let doc = phases::load_bytes(&input.bytes, &input.path, &display).expect("load");
    let (api, _warnings) = phases::lower(&doc).expect("lower");
    let operations = api.operations.len() as u64;
    if let Some(size) = input.name.strip_prefix("synth-") {
        assert_eq!(size, operations.to_string(), "operations of {}", input.name);
    }
    let info = phases::CrateInfo {
        name: "bench-client".to_string(),
        version: "0.1.0".to_string(),
    };
    let provenance = phases::Provenance {
        spec: display.clone(),
        sha256: doc.sha256.clone(),
        command: format!("apigen generate --spec {display}"),
    };
    let files = phases::emit(&api, &info);
    check_phases(input, &doc, &files, &provenance);
    let options = apigen::Options::new(&input.path, "bench-client");
    let large = operations >= 10_000;
    // The previous output of the same spec, for `regenerate`.
    let previous = tempfile::tempdir().expect("a temporary folder");
    let previous_out = previous.path().join("client");
    let mut regenerate = options.clone();
    regenerate.bump_from = Some(previous_out.clone());
    if !large {
        let files = apigen::generate(&options).expect("generate").files;
        apigen::output::write_tree(&previous_out, &files, false)
            .expect("write the previous output");
        assert_eq!(
            apigen::generate(&regenerate).expect("regenerate").files,
            files,
            "{}: regenerating an unchanged spec changes nothing",
            input.name
        );
    }

    let mut group = c.benchmark_group(&input.name);
    configure(&mut group, operations);
    group.bench_function("parse", |b| {
        b.iter(|| phases::parse_text(black_box(text), &input.path).expect("parse"))
    });
    group.bench_function("bundle", |b| {
        b.iter_batched(
            || parsed.clone(),
            |mut value| {
                phases::bundle(&mut value, &input.path, &display).expect("bundle");
                value
            },
            BatchSize::LargeInput,
        )
    });
    group.bench_function("deserialize", |b| {
        b.iter(|| phases::deserialize(black_box(&bundled)).expect("deserialize"))
    });
    if !large {
        group.bench_function("load", |b| {
            b.iter(|| {
                phases::load_bytes(black_box(&input.bytes), &input.path, &display).expect("load")
            })
        });
    }
    group.bench_function("lower", |b| {
        b.iter(|| phases::lower(black_box(&doc)).expect("lower"))
    });
    group.bench_function("emit", |b| {
        b.iter(|| {
            phases::emit(black_box(&api), &info)
                .iter()
                .map(|(_, file)| file.tokens())
                .collect::<Vec<_>>()
        })
    });
    group.bench_function("render", |b| {
        b.iter(|| phases::rust_files(&provenance, black_box(&files)).expect("render"))
    });
    group.bench_function("spec_json", |b| {
        b.iter(|| phases::spec_json(black_box(&doc), &provenance))
    });
    group.bench_function("generate", |b| {
        b.iter(|| apigen::generate(black_box(&options)).expect("generate"))
    });
    if !large {
        group.bench_function("regenerate", |b| {
            b.iter(|| apigen::generate(black_box(&regenerate)).expect("regenerate"))
        });
    }
    group.finish();
}

/// The phases, run one by one, give what `generate` gives: the benchmarks
/// measure the real pipeline.
fn check_phases(
    input: &Input,
    doc: &phases::Document,
    files: &[(&'static str, phases::RustFile)],
    provenance: &phases::Provenance,
) {
    let mut options = apigen::Options::new(&input.path, "bench-client");
    options.command = provenance.command.clone();
    let generated = apigen::generate(&options).expect("generate");
    assert!(
        generated.files.get(apigen::SPEC_FILE) == Some(&phases::spec_json(doc, provenance)),
        "{}: {} by phases differs from apigen::generate",
        input.name,
        apigen::SPEC_FILE
    );
    let texts = phases::rust_files(provenance, files).expect("render");
    for ((name, _), rendered) in files.iter().zip(texts) {
        assert!(
            generated.files.get(*name) == Some(&rendered),
            "{}: {name} rendered by phases differs from apigen::generate",
            input.name
        );
    }
}

fn main() {
    let synth_dir = tempfile::tempdir().expect("a temporary folder");
    let inputs = inputs(synth_dir.path());
    let mut c = Criterion::default().configure_from_args();
    for input in &inputs {
        bench_input(&mut c, input);
    }
    c.final_summary();
}
