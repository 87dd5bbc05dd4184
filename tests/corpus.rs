//! Published specs as users bring them (`../shared/specs/public/`, see its
//! SOURCES.md): each one apigen accepts generates a crate with a method for
//! every operation of the spec, and the crates pass `cargo clippy -D
//! warnings`. They are compiled together, as one workspace pinned to this
//! repository's lock file, so their dependencies build once and offline.
//! (The vendor's Calendars spec is compiled under clippy as a fixture.)

use std::path::{Path, PathBuf};
use std::process::Command;

/// The published specs apigen accepts: crate name, file, operations (as
/// SOURCES.md counts them).
const ACCEPTED: &[(&str, &str, usize)] = &[
    ("box-platform", "box-platform.json", 296),
    ("spotify-web-api", "spotify-web-api.yaml", 97),
    ("influxdb-unity", "influxdb-unity/unity.yml", 53),
    ("netlify", "netlify.yaml", 174),
    ("openfga", "openfga.swagger.json", 24),
    ("adyen-legal-entity-v4", "adyen-legal-entity-v4.json", 34),
    ("adyen-transfers-v4", "adyen-transfers-v4.json", 12),
    ("redocly-museum", "redocly-museum.yaml", 8),
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn published_specs_generate_crates_that_pass_clippy() {
    let public = root().join("../shared/specs/public");
    assert!(
        public.is_dir(),
        "the published specs are expected in {}",
        public.display()
    );
    let work = root().join("target/corpus");
    if work.exists() {
        std::fs::remove_dir_all(&work).expect("the previous corpus folder can be removed");
    }
    std::fs::create_dir_all(&work).expect("target/ is writable");
    for (name, file, operations) in ACCEPTED {
        let options = apigen::Options::new(public.join(file), *name);
        let generated = apigen::generate(&options).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(
            generated.operations, *operations,
            "{file}: every operation is a method of the client"
        );
        apigen::output::write_tree(&work.join(name), &generated.files, true)
            .unwrap_or_else(|e| panic!("{file}: {e}"));
    }
    let members: Vec<String> = ACCEPTED
        .iter()
        .map(|(name, ..)| format!("\"{name}\""))
        .collect();
    std::fs::write(
        work.join("Cargo.toml"),
        format!(
            "[workspace]\nresolver = \"2\"\nmembers = [{}]\n",
            members.join(", ")
        ),
    )
    .expect("target/ is writable");
    std::fs::copy(root().join("Cargo.lock"), work.join("Cargo.lock"))
        .expect("the repository has a lock file");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let output = Command::new(cargo)
        .args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--offline",
            "--quiet",
        ])
        .args(["--", "-D", "warnings"])
        .current_dir(&work)
        .env("CARGO_TARGET_DIR", root().join("target/corpus-target"))
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "the generated crates do not pass clippy:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
