//! `generated/` is exactly what apigen makes from `spec/` today: the same
//! comparison as `cargo run -p apigen -- check`, run in memory.

use std::path::Path;

#[test]
fn generated_folder_is_up_to_date() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let config = apigen::config::Config::discover(&root)
        .expect("spec/apigen.toml parses")
        .expect("spec/apigen.toml exists");
    let options = apigen::Options {
        spec: config.root.join(&config.spec),
        spec_display: config.spec.clone(),
        crate_name: config.crate_name.clone(),
        crate_version: config
            .crate_version
            .clone()
            .unwrap_or_else(|| "0.1.0".to_string()),
        command: "cargo run -p apigen -- generate".to_string(),
        strict: true,
        bump_from: Some(config.root.join(&config.out)),
        pagination: config.pagination.clone(),
    };
    let generated = apigen::generate(&options).unwrap_or_else(|e| panic!("{e}"));
    let drift = apigen::output::compare_tree(&config.root.join(&config.out), &generated.files)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        drift.is_clean(),
        "generated/ is stale:\n{}\nregenerate it with `{}` and review the snapshot diff",
        drift.report(),
        options.command
    );
}
