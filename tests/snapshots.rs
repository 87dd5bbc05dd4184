//! Snapshots of the generated code: the client for `spec/`, file by file,
//! and the module file of every fixture spec. Review changes with
//! `cargo insta review`; CI fails on any snapshot that was not accepted.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The same options `cargo run -p apigen -- generate` uses.
fn spec_options() -> apigen::Options {
    let config = apigen::config::Config::discover(&root())
        .expect("spec/apigen.toml parses")
        .expect("spec/apigen.toml exists");
    apigen::Options {
        spec: config.root.join(&config.spec),
        spec_display: config.spec.clone(),
        crate_name: config.crate_name.clone(),
        crate_version: config.crate_version.clone(),
        command: "cargo run -p apigen -- generate".to_string(),
        strict: true,
    }
}

#[test]
fn spec_client_files() {
    let generated = apigen::generate(&spec_options()).unwrap_or_else(|e| panic!("{e}"));
    assert!(generated.warnings.is_empty(), "{:?}", generated.warnings);
    for (path, contents) in &generated.files {
        if path == "src/runtime.rs" {
            // A copy of templates/runtime.rs; the freshness test guards it.
            continue;
        }
        let name = format!("spec__{}", path.replace(['/', '.'], "_"));
        insta::assert_snapshot!(name, contents);
    }
}

/// The module file generated for a fixture, with its warnings, without the
/// `runtime` module (a copy of templates/runtime.rs, the same for every spec).
fn fixture(name: &str) -> String {
    let spec = root().join("tests/fixtures").join(format!("{name}.yaml"));
    let mut options = apigen::Options::new(&spec, format!("{name}-client"));
    options.spec_display = format!("tests/fixtures/{name}.yaml");
    options.command = format!("apigen generate --spec tests/fixtures/{name}.yaml --module OUT");
    let module = apigen::generate_module(&options).unwrap_or_else(|e| panic!("{e}"));
    let mut file = syn::parse_file(&module.contents).expect("the module file parses");
    file.items
        .retain(|item| !matches!(item, syn::Item::Mod(m) if m.ident == "runtime"));
    let warnings: String = module
        .warnings
        .iter()
        .map(|w| format!("// {}\n", w.to_string().replace('\n', "\n// ")))
        .collect();
    format!("// warnings:\n{warnings}\n{}", prettyplease::unparse(&file))
}

#[test]
fn fixture_naming() {
    insta::assert_snapshot!(fixture("naming"));
}

#[test]
fn fixture_parameters() {
    insta::assert_snapshot!(fixture("parameters"));
}

#[test]
fn fixture_bodies() {
    insta::assert_snapshot!(fixture("bodies"));
}

#[test]
fn fixture_schemas() {
    insta::assert_snapshot!(fixture("schemas"));
}

#[test]
fn fixture_mistakes() {
    insta::assert_snapshot!(fixture("mistakes"));
}
