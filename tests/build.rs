//! Generates a module file for every fixture spec with apigen's library
//! API, as an app's build script would, so the fixture tests compile the
//! generated code (under clippy in CI).

use std::path::Path;

fn main() {
    let out_dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let fixtures = Path::new("fixtures");
    println!("cargo:rerun-if-changed=fixtures");
    println!("cargo:rerun-if-changed=../templates");
    for (name, file) in FIXTURES {
        let spec = fixtures.join(file);
        let mut options = apigen::Options::new(&spec, format!("{name}-client"));
        if *name == "calendars" {
            options.pagination = calendars_pagination();
        }
        let module = apigen::generate_module(&options)
            .unwrap_or_else(|e| panic!("fixture {name} does not generate:\n{e}"));
        std::fs::write(
            Path::new(&out_dir).join(format!("{name}.rs")),
            module.contents,
        )
        .expect("OUT_DIR is writable");
    }
}

/// Fixture specs whose generated code must compile: module name, spec.
const FIXTURES: &[(&str, &str)] = &[
    ("naming", "naming.yaml"),
    ("parameters", "parameters.yaml"),
    ("bodies", "bodies.yaml"),
    ("schemas", "schemas.yaml"),
    ("mistakes", "mistakes.yaml"),
    ("pagination", "pagination.yaml"),
    ("published", "published.yaml"),
    ("swagger2", "swagger2/petstore.yaml"),
    ("openapi31", "openapi31/api.yaml"),
    ("calendars", "highlevel/apps/calendars.json"),
];

/// The vendor's list operations that page by offset, declared as an app
/// that vendors the unedited spec would in `[pagination]` of its
/// spec/apigen.toml.
fn calendars_pagination() -> std::collections::BTreeMap<String, serde_json::Value> {
    [
        (
            "get-appointment-notes",
            serde_json::json!({"items": "notes", "offset": "offset", "limit": "limit"}),
        ),
        (
            "getAllSchedules",
            serde_json::json!({"items": "schedules", "offset": "skip", "limit": "limit"}),
        ),
        (
            "fetch-calendar-resources",
            serde_json::json!({"offset": "skip", "limit": "limit"}),
        ),
        (
            "get-event-notification",
            serde_json::json!({"offset": "skip", "limit": "limit"}),
        ),
    ]
    .into_iter()
    .map(|(id, declaration)| (id.to_string(), declaration))
    .collect()
}
