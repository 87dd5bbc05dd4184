//! Prints the Markdown tables of BENCHMARKS.md from the results of a run:
//! criterion's `estimates.json` files (`cargo bench -p apigen` and
//! `cargo bench -p apigen-tests`) and the hyperfine and `/usr/bin/time -v`
//! exports of `generator/benches/cli.sh`.
//!
//! ```sh
//! cargo run --release -p apigen --example bench_table -- target/criterion target/apigen-cli-bench
//! ```
//!
//! Every figure is a median.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

const INPUTS: [&str; 6] = [
    "spec",
    "calendars",
    "synth-10",
    "synth-100",
    "synth-1000",
    "synth-10000",
];
const PHASES: [&str; 10] = [
    "parse",
    "bundle",
    "deserialize",
    "load",
    "lower",
    "emit",
    "render",
    "spec_json",
    "generate",
    "regenerate",
];
const CLIENT_GROUPS: [&str; 3] = [
    "update_block_slot",
    "encode_update_block_slot_request",
    "decode_block_slot",
];

fn main() {
    let args: Vec<PathBuf> = std::env::args().skip(1).map(PathBuf::from).collect();
    let criterion = args
        .first()
        .cloned()
        .unwrap_or_else(|| PathBuf::from("target/criterion"));
    let cli = args
        .get(1)
        .cloned()
        .unwrap_or_else(|| PathBuf::from("target/apigen-cli-bench"));
    let medians = criterion_medians(&criterion);
    generation_table(&medians);
    scaling_table(&medians, &cli);
    client_table(&medians);
    paired_table(&criterion);
    cli_table(&cli);
}

/// Median (ns) of every benchmark, by (group, function).
fn criterion_medians(dir: &Path) -> BTreeMap<(String, String), f64> {
    let mut medians = BTreeMap::new();
    let Ok(groups) = std::fs::read_dir(dir) else {
        eprintln!("no criterion results in {}", dir.display());
        return medians;
    };
    for group in groups.flatten() {
        let Ok(functions) = std::fs::read_dir(group.path()) else {
            continue;
        };
        for function in functions.flatten() {
            let new = function.path().join("new");
            let (Some(benchmark), Some(estimates)) = (
                read_json(&new.join("benchmark.json")),
                read_json(&new.join("estimates.json")),
            ) else {
                continue;
            };
            let (Some(group), Some(function), Some(median)) = (
                benchmark["group_id"].as_str(),
                benchmark["function_id"].as_str(),
                estimates["median"]["point_estimate"].as_f64(),
            ) else {
                continue;
            };
            medians.insert((group.to_string(), function.to_string()), median);
        }
    }
    medians
}

fn read_json(path: &Path) -> Option<Value> {
    serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()
}

/// A duration in ns, with a unit that keeps three or four digits.
fn time(ns: f64) -> String {
    if ns >= 1e9 {
        format!("{:.2} s", ns / 1e9)
    } else if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.1} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}

fn operations(input: &str) -> Option<f64> {
    match input {
        "spec" => Some(4.0),
        "calendars" => Some(41.0),
        _ => input.strip_prefix("synth-")?.parse().ok(),
    }
}

fn generation_table(medians: &BTreeMap<(String, String), f64>) {
    println!("### Generation phases (criterion, in process, median)\n");
    println!("| input | ops | {} |", PHASES.join(" | "));
    println!("|---|---:|{}", "---:|".repeat(PHASES.len()));
    for input in INPUTS {
        let cells: Vec<String> = PHASES
            .iter()
            .map(|phase| {
                medians
                    .get(&(input.to_string(), phase.to_string()))
                    .map_or_else(|| "–".to_string(), |&ns| time(ns))
            })
            .collect();
        if cells.iter().all(|c| c == "–") {
            continue;
        }
        let ops = operations(input).map_or_else(String::new, |n| format!("{n}"));
        println!("| {input} | {ops} | {} |", cells.join(" | "));
    }
    println!();
}

/// Median seconds of a hyperfine export.
fn hyperfine_median(path: &Path) -> Option<f64> {
    read_json(path)?["results"][0]["median"].as_f64()
}

fn peak_kib(path: &Path) -> Option<f64> {
    let text = std::fs::read_to_string(path).ok()?;
    text.lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Maximum resident set size (kbytes): ")
        })
        .and_then(|v| v.trim().parse().ok())
}

fn scaling_table(medians: &BTreeMap<(String, String), f64>, cli: &Path) {
    println!("### Scaling: time per operation\n");
    println!(
        "| input | ops | `generate` in process | per op | `apigen generate` process | per op |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    for input in INPUTS {
        let Some(ops) = operations(input) else {
            continue;
        };
        let in_process = medians.get(&(input.to_string(), "generate".to_string()));
        let process = hyperfine_median(&cli.join(format!("{input}-generate.json")));
        if in_process.is_none() && process.is_none() {
            continue;
        }
        let cell = |ns: Option<f64>| ns.map_or_else(|| "–".to_string(), time);
        println!(
            "| {input} | {ops} | {} | {} | {} | {} |",
            cell(in_process.copied()),
            cell(in_process.map(|ns| ns / ops)),
            cell(process.map(|s| s * 1e9)),
            cell(process.map(|s| s * 1e9 / ops)),
        );
    }
    println!();
}

/// The paired comparisons the client benchmark writes next to criterion's
/// results: requests, and encoding and decoding.
fn paired_table(criterion: &Path) {
    if let Some(report) = read_json(&criterion.join("update_block_slot.paired.json")) {
        let rounds = report["rounds"].as_u64().unwrap_or(0);
        println!("### Client overhead, paired ({rounds} interleaved rounds, median per request)\n");
        println!("| variant | median | ratio |");
        println!("|---|---:|---:|");
        for variant in ["Handwritten", "HandwrittenConfigured", "Generated"] {
            paired_row(&report, variant, variant);
        }
        println!();
    }
    let codec: Vec<(&str, serde_json::Value)> =
        ["encode_update_block_slot_request", "decode_block_slot"]
            .into_iter()
            .filter_map(|name| {
                Some((
                    name,
                    read_json(&criterion.join(format!("{name}.paired.json")))?,
                ))
            })
            .collect();
    if let Some((_, first)) = codec.first() {
        let rounds = first["rounds"].as_u64().unwrap_or(0);
        println!(
            "### Encoding and decoding, paired ({rounds} rounds of alternating batches, median per call)\n"
        );
        println!("| benchmark | variant | median | ratio |");
        println!("|---|---|---:|---:|");
        for (name, report) in &codec {
            for variant in ["handwritten", "generated"] {
                paired_row(report, &format!("{name} | {variant}"), variant);
            }
        }
        println!();
    }
}

fn paired_row(report: &serde_json::Value, label: &str, variant: &str) {
    if let (Some(ns), Some(ratio)) = (
        report[variant]["median_ns"].as_f64(),
        report[variant]["ratio"].as_f64(),
    ) {
        println!("| {label} | {} | {ratio:.3} |", time(ns));
    }
}

fn client_table(medians: &BTreeMap<(String, String), f64>) {
    println!("### Client overhead (criterion, median; ratio against `handwritten`)\n");
    println!("| benchmark | variant | median | ratio |");
    println!("|---|---|---:|---:|");
    for group in CLIENT_GROUPS {
        let baseline = medians.get(&(group.to_string(), "handwritten".to_string()));
        for ((g, function), &ns) in medians.iter().filter(|((g, _), _)| g == group) {
            let ratio = baseline.map_or_else(|| "–".to_string(), |b| format!("{:.3}", ns / b));
            println!("| {g} | {function} | {} | {ratio} |", time(ns));
        }
    }
    println!();
}

fn cli_table(cli: &Path) {
    println!("### Whole process (hyperfine median; peak RSS from /usr/bin/time -v)\n");
    println!("| input | `generate` (fresh) | `generate` (regenerate) | `check` | check / regenerate | check / fresh | peak RSS fresh | peak RSS regenerate | peak RSS check |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for input in INPUTS {
        let median = |what: &str| hyperfine_median(&cli.join(format!("{input}-{what}.json")));
        let (generate, regenerate, check) =
            (median("generate"), median("regenerate"), median("check"));
        if generate.is_none() && check.is_none() {
            continue;
        }
        let ms = |s: Option<f64>| s.map_or_else(|| "–".to_string(), |s| time(s * 1e9));
        let ratio = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(a), Some(b)) => format!("{:.2}", a / b),
            _ => "–".to_string(),
        };
        let peak = |what: &str| {
            peak_kib(&cli.join(format!("{input}-{what}.txt")))
                .map_or_else(|| "–".to_string(), |k| format!("{:.1} MiB", k / 1024.0))
        };
        println!(
            "| {input} | {} | {} | {} | {} | {} | {} | {} | {} |",
            ms(generate),
            ms(regenerate),
            ms(check),
            ratio(check, regenerate),
            ratio(check, generate),
            peak("time"),
            peak("regenerate-time"),
            peak("check-time"),
        );
    }
    println!();
}
