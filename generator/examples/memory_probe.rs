//! Resident memory of a generation over time, and of serde_yaml's parse
//! alone: the probes behind the memory figures of BENCHMARKS.md.
//!
//! ```sh
//! cargo run --release -p apigen --example memory_probe -- timeline SPEC
//! cargo run --release -p apigen --example memory_probe -- yaml SPEC
//! ```
//!
//! `timeline` runs `apigen::generate` (with mimalloc, as the binary does)
//! and prints the resident set every 200 ms; `yaml` prints the peak after
//! serde_yaml reads the spec into `IgnoredAny` (its event list alone) and
//! into a `serde_json::Value`, each in a fresh process.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::time::{Duration, Instant};

/// A field of /proc/self/status, in KiB.
fn status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        .unwrap_or(0)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(mode), Some(spec)) = (args.first(), args.get(1)) else {
        eprintln!("usage: memory_probe timeline|yaml SPEC");
        std::process::exit(2);
    };
    match mode.as_str() {
        "timeline" => {
            let start = Instant::now();
            std::thread::spawn(move || loop {
                println!(
                    "{:>6} ms {:>8} KiB",
                    start.elapsed().as_millis(),
                    status_kib("VmRSS")
                );
                std::thread::sleep(Duration::from_millis(200));
            });
            let options = apigen::Options::new(spec, "probe");
            let generated = apigen::generate(&options).expect("the spec generates");
            println!(
                "done in {:?}: {} files, peak {} KiB",
                start.elapsed(),
                generated.files.len(),
                status_kib("VmHWM")
            );
        }
        "yaml" => {
            let exe = std::env::current_exe().expect("the probe's own path");
            for what in ["ignored", "value"] {
                let out = std::process::Command::new(&exe)
                    .args(["yaml-one", spec, what])
                    .output()
                    .expect("the probe runs");
                print!("{}", String::from_utf8_lossy(&out.stdout));
            }
        }
        "yaml-one" => {
            let text = std::fs::read_to_string(spec).expect("the spec reads");
            let before = status_kib("VmHWM");
            match args.get(2).map(String::as_str) {
                Some("ignored") => {
                    let _: serde::de::IgnoredAny =
                        serde_yaml::from_str(&text).expect("the spec is YAML");
                }
                _ => {
                    let _: serde_json::Value =
                        serde_yaml::from_str(&text).expect("the spec is YAML");
                }
            }
            println!(
                "serde_yaml into {}: peak {} KiB ({} KiB over the text)",
                args.get(2).map_or("value", String::as_str),
                status_kib("VmHWM"),
                status_kib("VmHWM").saturating_sub(before)
            );
        }
        other => {
            eprintln!("unknown mode {other}; use timeline or yaml");
            std::process::exit(2);
        }
    }
}
