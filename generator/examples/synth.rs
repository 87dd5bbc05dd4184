//! Writes a synthetic OpenAPI 3.0.3 spec with N operations:
//!
//! ```sh
//! cargo run --release -p apigen --example synth -- 1000 target/synth-1000.yaml
//! ```
//!
//! The same N always gives the same bytes; `benches/generation.rs` uses the
//! same code for its synthetic sizes.

use std::process::ExitCode;

#[path = "../benches/support/synth.rs"]
mod synth;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [operations, out] = args.as_slice() else {
        eprintln!("usage: synth N OUT.yaml");
        return ExitCode::from(2);
    };
    let Ok(operations) = operations.parse::<usize>() else {
        eprintln!("error: N must be a number of operations, not `{operations}`");
        return ExitCode::from(2);
    };
    let spec = synth::spec(operations);
    if let Err(e) = std::fs::write(out, &spec) {
        eprintln!("error: cannot write {out}: {e}");
        return ExitCode::from(1);
    }
    eprintln!(
        "synth: {operations} operations, {} bytes into {out}",
        spec.len()
    );
    ExitCode::SUCCESS
}
