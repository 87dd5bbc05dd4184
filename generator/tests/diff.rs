//! `apigen diff`: every kind of change under `tests/diff/<kind>/` (an
//! `old.yaml` and a `new.yaml`) is reported and classified as its reviewed
//! snapshots say, in text and in JSON; comparing a spec with itself reports
//! nothing; the command line's formats and exit codes; and `--base`, which
//! reads the old spec from git, in a temporary repository.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use apigen::diff::{self, Bump, Impact, Report, Semver};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/diff")
}

fn source(kind: &str, side: &str) -> diff::Source {
    diff::Source::file(
        fixtures().join(kind).join(format!("{side}.yaml")),
        format!("tests/diff/{kind}/{side}.yaml"),
    )
}

fn report(kind: &str) -> Report {
    diff::compare(&source(kind, "old"), &source(kind, "new"), "pets", "0.1.0")
        .unwrap_or_else(|e| panic!("{kind}: {e}"))
}

/// Snapshots the text and JSON reports of one fixture and checks what
/// holds for every report.
fn check(kind: &str) {
    let report = report(kind);
    let text = report.text(false);
    let json = report.json().unwrap();
    assert!(!text.contains('\x1b'), "{kind}: colors without a terminal");
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["schema"], 1);
    let changes = value["changes"].as_array().unwrap();
    let breaking = changes.iter().filter(|c| c["impact"] == "breaking").count();
    assert_eq!(value["summary"]["breaking"], breaking);
    assert_eq!(value["summary"]["compatible"], changes.len() - breaking);
    let expected_bump = match (report.summary.breaking, report.summary.compatible) {
        (b, _) if b > 0 => Bump::Major,
        (_, c) if c > 0 => Bump::Minor,
        _ if !report.files.is_empty() => Bump::Patch,
        _ => Bump::None,
    };
    assert_eq!(report.semver.bump, expected_bump, "{kind}");
    for change in &report.changes {
        assert!(!change.message.is_empty() && !change.reason.is_empty());
        assert!(!change.reason.contains('\n'), "{kind}: one-line reasons");
    }
    // The other direction loads and compares too.
    diff::compare(&source(kind, "new"), &source(kind, "old"), "pets", "0.1.0").unwrap();

    insta::assert_snapshot!(format!("{kind}_text"), text);
    insta::assert_snapshot!(format!("{kind}_json"), json);
}

macro_rules! fixtures {
    ($($kind:ident),* $(,)?) => {
        const KINDS: &[&str] = &[$(stringify!($kind)),*];
        $(
            #[test]
            fn $kind() {
                check(stringify!($kind));
            }
        )*
    };
}

fixtures!(
    additional_properties_kept,
    api_version_changed,
    auth_and_base_url_changed,
    body_added,
    body_changed,
    constant_header_changed,
    discriminated_variant_added,
    discriminator_value_added,
    enum_value_added,
    enum_value_removed,
    enum_value_wire_renamed,
    error_responses_changed,
    exclusive_variant_type_changed,
    field_removed,
    field_required_and_nullable,
    field_sent_in_requests,
    field_type_changed,
    field_wire_renamed,
    header_added_to_operation,
    method_and_path_changed,
    noop_component_rename,
    noop_docs_only,
    noop_field_reorder,
    noop_openapi31,
    noop_optional_parameters_reordered,
    noop_reorder,
    operation_added,
    operation_removed,
    operation_renamed,
    pagination_added,
    parameter_added_optional,
    parameter_added_required,
    parameter_location_changed,
    parameter_optional_to_required,
    parameter_removed,
    parameter_type_changed,
    parameter_wire_renamed,
    parameters_reordered,
    query_style_changed,
    request_field_added_optional,
    request_field_added_required,
    response_field_added,
    success_status_added,
    success_type_changed,
    type_kind_changed,
    union_variant_added,
    union_variants_reordered,
    webhook_added,
);

#[test]
fn every_fixture_folder_has_a_test() {
    let mut folders: Vec<String> = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    folders.sort();
    let mut kinds: Vec<String> = KINDS.iter().map(|k| k.to_string()).collect();
    kinds.sort();
    assert_eq!(folders, kinds);
    assert!(KINDS.len() >= 20);
}

#[test]
fn reorderings_renames_and_docs_report_no_api_change() {
    for kind in KINDS.iter().filter(|k| k.starts_with("noop_")) {
        let report = report(kind);
        assert_eq!(report.changes, vec![], "{kind}");
        assert!(report.semver.bump <= Bump::Patch, "{kind}");
    }
    // `pet-record` → `pet_record` and `pet-tag` → `PetTag` keep every Rust
    // name, so not even the generated files change.
    let rename = report("noop_component_rename");
    assert_eq!(rename.files, Vec::<String>::new());
    assert_eq!(rename.semver.bump, Bump::None);
}

/// A 3.0 spec and its 3.1 equivalent (type lists with `null`, `const`,
/// `$ref` with siblings, `$defs`, ...) lower to the same model.
#[test]
fn a_3_0_spec_and_its_3_1_equivalent_are_one_model() {
    let dir = fixtures().join("noop_openapi31");
    let (old, old_warnings, _) = apigen::load_model(&dir.join("old.yaml"), "old.yaml").unwrap();
    let (new, new_warnings, _) = apigen::load_model(&dir.join("new.yaml"), "new.yaml").unwrap();
    assert_eq!((old_warnings, new_warnings), (vec![], vec![]));
    assert_eq!(old, new);
}

#[test]
fn a_spec_compared_with_itself_has_no_changes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut specs = vec![root.join("spec/highlevel-calendars.yaml")];
    for entry in std::fs::read_dir(root.join("tests/fixtures")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yaml") {
            specs.push(path);
        }
    }
    for kind in KINDS {
        specs.push(fixtures().join(kind).join("old.yaml"));
        specs.push(fixtures().join(kind).join("new.yaml"));
    }
    for spec in specs {
        let source = diff::Source::file(&spec, "spec.yaml");
        let Ok(report) = diff::compare(&source, &source, "same", "1.0.0") else {
            continue; // fixtures of bad input
        };
        assert_eq!(report.changes, vec![], "{}", spec.display());
        assert_eq!(report.files, Vec::<String>::new(), "{}", spec.display());
        assert_eq!(report.semver.next, "1.0.0");
    }
}

/// A Swagger 2.0 spec and its OpenAPI 3.0 equivalent, written by hand,
/// are one model: from one to the other the Rust API does not change. The
/// only file that does is the examples' tests, whose comments name where
/// each example is written (`#/definitions/..` in one, `#/components/..`
/// in the other).
#[test]
fn a_swagger_2_spec_and_its_openapi_3_equivalent_have_no_changes() {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/swagger2");
    let swagger = diff::Source::file(folder.join("petstore.yaml"), "petstore.yaml");
    let openapi = diff::Source::file(folder.join("openapi3.yaml"), "openapi3.yaml");
    for (old, new) in [(&swagger, &openapi), (&openapi, &swagger)] {
        let report = diff::compare(old, new, "pets", "1.0.0").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(report.changes, vec![]);
        assert_eq!(report.files, ["src/examples.rs"]);
        assert_eq!(report.semver.bump, Bump::Patch);
    }
}

#[test]
fn struct_field_additions_follow_the_type_role() {
    // Built by apps (request body) with `new` and setters: an optional
    // field is compatible, a required one (an argument of `new`) breaks.
    let request = report("request_field_added_optional");
    assert_eq!(request.changes.len(), 1);
    assert_eq!(request.changes[0].impact, Impact::Compatible);
    assert!(request.changes[0].reason.contains("#[non_exhaustive]"));
    let required = report("request_field_added_required");
    assert!(required
        .changes
        .iter()
        .any(|c| c.impact == Impact::Breaking && c.reason.contains("`PetUpdate::new`")));
    // Only read by apps (response): compatible.
    let response = report("response_field_added");
    assert!(response
        .changes
        .iter()
        .all(|c| c.impact == Impact::Compatible));
}

/// The changes a vendor calls compatible stay compatible for the
/// generated crate (its structs and its enums that keep unknown values are
/// `#[non_exhaustive]`); the others stay breaking.
#[test]
fn types_that_can_grow() {
    let impact_of = |kind: &str, change: &str| -> Vec<Impact> {
        report(kind)
            .changes
            .iter()
            .filter(|c| format!("{:?}", c.kind) == change)
            .map(|c| c.impact)
            .collect()
    };
    for (kind, change) in [
        ("request_field_added_optional", "FieldAdded"),
        ("response_field_added", "FieldAdded"),
        ("enum_value_added", "EnumValueAdded"),
        ("error_responses_changed", "ErrorAdded"),
        ("discriminated_variant_added", "VariantAdded"),
        ("discriminator_value_added", "DiscriminatorValueAdded"),
    ] {
        let impacts = impact_of(kind, change);
        assert!(!impacts.is_empty(), "{kind}");
        assert!(impacts.iter().all(|i| *i == Impact::Compatible), "{kind}");
    }
    for (kind, change) in [
        ("union_variant_added", "VariantAdded"),
        ("request_field_added_required", "FieldAdded"),
        ("field_type_changed", "FieldTypeChanged"),
        ("field_removed", "FieldRemoved"),
    ] {
        let impacts = impact_of(kind, change);
        assert!(!impacts.is_empty(), "{kind}");
        assert!(impacts.iter().all(|i| *i == Impact::Breaking), "{kind}");
    }
}

#[test]
fn colors_only_wrap_the_plain_text() {
    let report = report("error_responses_changed");
    let colored = report.text(true);
    assert!(colored.contains("\x1b[1;31mBreaking changes (1):\x1b[0m"));
    assert!(colored.contains("\x1b[1;32mCompatible changes (2):\x1b[0m"));
    let mut plain = String::new();
    let mut chars = colored.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            chars.by_ref().find(|&c| c == 'm');
        } else {
            plain.push(c);
        }
    }
    assert_eq!(plain, report.text(false));
}

#[test]
fn semver_follows_cargo_rules() {
    let next = |current: &str, bump| Semver::new(current, bump).unwrap().next;
    assert_eq!(next("0.1.0", Bump::Major), "0.2.0");
    assert_eq!(next("0.1.3", Bump::Minor), "0.1.4");
    assert_eq!(next("0.1.3", Bump::Patch), "0.1.4");
    assert_eq!(next("0.1.3", Bump::None), "0.1.3");
    assert_eq!(next("0.0.3", Bump::Major), "0.0.4");
    assert_eq!(next("1.4.2", Bump::Major), "2.0.0");
    assert_eq!(next("1.4.2", Bump::Minor), "1.5.0");
    assert_eq!(next("1.4.2", Bump::Patch), "1.4.3");
    for bad in ["", "1", "1.2", "1.2.3.4", "1.2.x", "1.0.0-beta"] {
        assert!(Semver::new(bad, Bump::Patch).is_err(), "{bad}");
    }
}

// ----- the command line --------------------------------------------------------

fn apigen(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_apigen"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .output()
        .expect("the apigen binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn pair(kind: &str) -> [String; 2] {
    ["old", "new"].map(|side| {
        fixtures()
            .join(kind)
            .join(format!("{side}.yaml"))
            .to_string_lossy()
            .into_owned()
    })
}

#[test]
fn fail_on_breaking_sets_the_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let [old, new] = pair("field_removed");
    let run = |extra: &[&str]| {
        let mut args = vec!["diff", old.as_str(), new.as_str()];
        args.extend_from_slice(extra);
        apigen(dir.path(), &args)
    };
    let plain = run(&[]);
    assert_eq!(plain.status.code(), Some(0), "{}", stderr(&plain));
    assert!(stdout(&plain).contains("Breaking changes (1):"));

    let failing = run(&["--fail-on", "breaking"]);
    assert_eq!(failing.status.code(), Some(1), "{}", stderr(&failing));
    assert!(stdout(&failing).contains("field `owner_id` removed"));
    assert!(stderr(&failing).contains("1 breaking"));

    let [old, new] = pair("response_field_added");
    let compatible = apigen(dir.path(), &["diff", &old, &new, "--fail-on", "breaking"]);
    assert_eq!(compatible.status.code(), Some(0), "{}", stderr(&compatible));
    let any = apigen(dir.path(), &["diff", &old, &new, "--fail-on", "any"]);
    assert_eq!(any.status.code(), Some(1));

    let [old, new] = pair("noop_reorder");
    let none = apigen(dir.path(), &["diff", &old, &new, "--fail-on", "any"]);
    assert_eq!(none.status.code(), Some(0));
}

#[test]
fn bad_input_exits_with_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.yaml"), "openapi: 3.0.3\ninfo: [\n").unwrap();
    let [old, new] = pair("field_removed");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["diff"], "needs two specs"),
        (vec!["diff", old.as_str()], "needs two specs"),
        (vec!["diff", old.as_str(), "missing.yaml"], "missing.yaml"),
        (vec!["diff", old.as_str(), "bad.yaml"], "bad.yaml"),
        (
            vec!["diff", old.as_str(), new.as_str(), "--crate-version", "one"],
            "MAJOR.MINOR.PATCH",
        ),
        (
            vec!["diff", "--base", "HEAD", old.as_str(), new.as_str()],
            "at most one spec",
        ),
    ];
    for (args, message) in cases {
        let output = apigen(dir.path(), &args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains(message),
            "{args:?}: {}",
            stderr(&output)
        );
        assert_eq!(stdout(&output), "", "{args:?}");
    }
    let json = apigen(
        dir.path(),
        &["--message-format", "json", "diff", old.as_str(), "bad.yaml"],
    );
    assert_eq!(json.status.code(), Some(2));
    let line: serde_json::Value =
        serde_json::from_str(stdout(&json).lines().next().unwrap()).unwrap();
    assert_eq!(line["severity"], "error");
}

#[test]
fn markdown_and_json_formats() {
    let dir = tempfile::tempdir().unwrap();
    let [old, new] = pair("error_responses_changed");
    let markdown = apigen(dir.path(), &["diff", &old, &new, "--format", "markdown"]);
    assert_eq!(markdown.status.code(), Some(0), "{}", stderr(&markdown));
    let text = stdout(&markdown);
    assert!(text.starts_with("### apigen diff: "), "{text}");
    assert!(text.contains("| Where | Change | Why |"), "{text}");
    assert!(text.contains("#### Breaking changes (1)"), "{text}");
    assert!(text.contains("#### Compatible changes (2)"), "{text}");
    assert!(text.contains("- `src/types.rs`"), "{text}");

    let json = apigen(dir.path(), &["diff", &old, &new, "--format", "json"]);
    let value: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(value["semver"]["bump"], "major");
    assert_eq!(value["semver"]["next"], "0.2.0");
    assert_eq!(value["changes"][0]["kind"], "error_removed");
    assert_eq!(value["changes"][0]["name"], "delete_pet");
    assert_eq!(value["changes"][0]["impact"], "breaking");
    assert_eq!(value["changes"][1]["kind"], "error_added");
    assert_eq!(value["changes"][1]["impact"], "compatible");
}

// ----- `--base` ------------------------------------------------------------------

const BASE_SPEC: &str = r##"openapi: 3.0.3
info: {title: Pets, version: "1"}
servers: [{url: "https://api.example.com"}]
paths:
  /pets:
    post:
      operationId: createPet
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "#/components/schemas/NewPet"}
      responses:
        "204":
          description: created
components:
  schemas:
    NewPet:
      type: object
      required: [name]
      properties:
        name: {type: string}
"##;

fn git(dir: &Path, args: &[&str]) {
    let output = Command::new("git")
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "apigen tests")
        .env("GIT_AUTHOR_EMAIL", "tests@example.com")
        .env("GIT_COMMITTER_NAME", "apigen tests")
        .env("GIT_COMMITTER_EMAIL", "tests@example.com")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("git runs");
    assert!(output.status.success(), "git {args:?}: {}", stderr(&output));
}

/// A git repository with spec/apigen.toml and a committed spec/api.yaml.
fn repository(spec: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("spec")).unwrap();
    std::fs::write(
        dir.path().join("spec/apigen.toml"),
        "spec = \"spec/api.yaml\"\nout = \"generated\"\ncrate-name = \"pets\"\ncrate-version = \"1.2.3\"\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("spec/api.yaml"), spec).unwrap();
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "spec"]);
    dir
}

#[test]
fn base_reads_the_old_spec_from_git() {
    let repo = repository(BASE_SPEC);
    let changed = BASE_SPEC.replace(
        "      required: [name]\n      properties:\n        name: {type: string}\n",
        "      required: [name, species]\n      properties:\n        name: {type: string}\n        species: {type: string}\n",
    );
    assert_ne!(changed, BASE_SPEC);
    std::fs::write(repo.path().join("spec/api.yaml"), &changed).unwrap();

    // Defaults from spec/apigen.toml: the spec and the crate version.
    let output = apigen(repo.path(), &["diff", "--base", "HEAD"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.starts_with("apigen diff: HEAD:spec/api.yaml → spec/api.yaml\n"),
        "{text}"
    );
    assert!(
        text.contains("type `NewPet`: field `species` added: `String`"),
        "{text}"
    );
    assert!(text.contains("Semver: 1.2.3 → 2.0.0 (major"), "{text}");
    assert!(
        !text.contains('\x1b'),
        "no colors when stdout is not a terminal"
    );

    // From a subfolder, with NEW given, as JSON, failing on breaking changes.
    let output = apigen(
        &repo.path().join("spec"),
        &[
            "diff",
            "--base",
            "main",
            "api.yaml",
            "--format",
            "json",
            "--fail-on",
            "breaking",
        ],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let value: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(value["old"], "main:spec/api.yaml");
    assert_eq!(value["summary"]["breaking"], 1);
    assert_eq!(value["files"], serde_json::json!(["src/types.rs"]));

    // After a commit of the change, the base is the same as the work tree.
    git(repo.path(), &["commit", "-q", "-am", "species"]);
    let output = apigen(repo.path(), &["diff", "--base", "HEAD", "--fail-on", "any"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).contains("No changes to the generated Rust API."));
    let output = apigen(repo.path(), &["diff", "--base", "HEAD~1"]);
    assert!(stdout(&output).contains("field `species` added"));

    // A revision that does not exist.
    let output = apigen(repo.path(), &["diff", "--base", "no-such-branch"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("cannot read `no-such-branch:spec/api.yaml` from git"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn base_supports_single_file_specs_only() {
    let multi = BASE_SPEC.replace(
        "schema: {$ref: \"#/components/schemas/NewPet\"}",
        "schema: {$ref: \"./pet.yaml\"}",
    );
    let repo = repository(&multi);
    std::fs::write(
        repo.path().join("spec/pet.yaml"),
        "type: object\nproperties:\n  name: {type: string}\n",
    )
    .unwrap();
    let output = apigen(repo.path(), &["diff", "--base", "HEAD"]);
    assert_eq!(output.status.code(), Some(2), "{}", stdout(&output));
    assert!(
        stderr(&output).contains("supports single-file specs only"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn base_needs_a_git_work_tree() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("api.yaml"), BASE_SPEC).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_apigen"))
        .args(["diff", "--base", "HEAD", "api.yaml"])
        .current_dir(dir.path())
        .env("GIT_CEILING_DIRECTORIES", dir.path().parent().unwrap())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("`--base` needs a git work tree"),
        "{}",
        stderr(&output)
    );
    let output = apigen(dir.path(), &["diff", "--base", "--oops", "api.yaml"]);
    assert_eq!(output.status.code(), Some(2));
}
