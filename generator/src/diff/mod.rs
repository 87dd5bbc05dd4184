//! `apigen diff`: what a spec change does to the generated Rust API.
//!
//! Spec-level diff tools compare YAML trees and report changes to the JSON.
//! Apps compile against the generated Rust, so this module compares the two
//! *lowered* [`Api`] models instead, and names every change in Rust terms:
//! methods, arguments, types, fields, variants. Things are matched by their
//! Rust name (operations by method name, types by type name, fields by field
//! name, parameters by argument name, enum values and variants by variant
//! name), never by spec position or component key, so reordering a spec or
//! renaming a component to a key that gives the same Rust name (`foo-bar` to
//! `foo_bar`) reports nothing. Docs, summaries and examples are not API
//! changes; when they change the generated files, the bump is a patch.
//!
//! # Classification
//!
//! A change is [`Impact::Breaking`] when code that compiled against the old
//! client either stops compiling, or makes a different HTTP request, or
//! decodes the same response differently. Otherwise it is
//! [`Impact::Compatible`]: existing code compiles and behaves the same, and
//! only new things appear. What breaks depends on how apps use each item:
//!
//! - Client methods take the *required* parameters as positional
//!   arguments and return a request builder with one setter per optional
//!   parameter. A new optional parameter is a new setter: compatible. A
//!   required parameter added, an optional one removed or made required,
//!   a type changed, or required arguments reordered break calls.
//! - Generated structs are `#[non_exhaustive]` with public fields: apps
//!   read them, and build them with `new` (the fields that are not an
//!   `Option`) and one `with_<field>` setter per other field, never with a
//!   struct literal. For types reachable from a parameter or a request body
//!   (*input* types), a new optional field is compatible (existing code
//!   leaves it out of requests), and a new required field is breaking
//!   (`new` takes it, or requests send `null` for a required nullable
//!   one). Types reachable only from responses (*output* types) are read,
//!   so any new field is compatible (test fakes that build one with `new`
//!   pass a new required field). An optional, nullable field of an input
//!   type is a `Nullable` (it can be sent as `null`), of an output-only
//!   type an `Option`: a type that becomes input, or stops being one,
//!   changes the Rust type of such fields, which is breaking.
//! - Enums that keep unknown values in `Unknown` (string enums, unions
//!   with a discriminator) and error enums are `#[non_exhaustive]`:
//!   `match`es on them already need a wildcard arm, so a new enum value,
//!   discriminated variant or tag, or error status is compatible, even
//!   though a response that decoded as `Unknown` (or as an undeclared
//!   status) now decodes into the new variant. Untagged unions, exclusive
//!   enums and success enums are exhaustive: a new variant or success
//!   status of an output type breaks exhaustive matches and decodes the
//!   same JSON differently, so it is breaking; the same additions to
//!   input-only enums are compatible.
//! - A type used in both directions, on either side of the change, follows
//!   both rules. A type reachable from no operation is treated as both.
//! - Changes that only show on the wire are breaking: wire names, parameter
//!   locations and styles, methods, paths, content types, constant header
//!   values, auth, and the default base URL.
//!
//! The semver bump follows: major for a breaking change (the minor version
//! before 1.0), minor for compatible changes (the patch version before 1.0),
//! patch when only the generated files change, none otherwise.

mod compare;
mod render;
mod source;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::diag::{Diagnostic, Error};
use crate::model::Api;

pub use compare::changes;
use source::{check_single_file, TempFolder};
pub use source::{git_source, Source};

/// Version of the JSON report's schema, see [`Report::json`].
pub const JSON_SCHEMA_VERSION: u32 = 1;

/// Whether a change breaks apps built against the old client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Impact {
    /// Existing code stops compiling, or sends or accepts different data.
    Breaking,
    /// Existing code compiles and behaves as before.
    Compatible,
}

/// What part of the generated API a change is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// The whole client: base URL, constant headers, API version.
    Api,
    /// One client method, named by [`Change::name`].
    Operation,
    /// One named type in `types`, named by [`Change::name`].
    Type,
}

/// Every kind of change the diff reports; the JSON report spells them in
/// snake_case (`field_added`). The list only grows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    BaseUrlChanged,
    ApiVersionChanged,
    ConstantHeaderAdded,
    ConstantHeaderRemoved,
    ConstantHeaderChanged,
    OperationAdded,
    OperationRemoved,
    MethodChanged,
    PathChanged,
    AuthAdded,
    AuthRemoved,
    HeaderAdded,
    HeaderRemoved,
    HeaderChanged,
    ParameterAdded,
    ParameterRemoved,
    ParameterRequiredChanged,
    ParameterTypeChanged,
    ParameterLocationChanged,
    ParameterWireNameChanged,
    ParameterStyleChanged,
    ParametersReordered,
    BodyAdded,
    BodyRemoved,
    BodyTypeChanged,
    BodyRequiredChanged,
    BodyEncodingChanged,
    SuccessChanged,
    SuccessStatusAdded,
    SuccessStatusRemoved,
    SuccessStatusChanged,
    ErrorAdded,
    ErrorRemoved,
    ErrorChanged,
    ErrorTypeRenamed,
    TypeAdded,
    TypeRemoved,
    TypeKindChanged,
    AliasChanged,
    DefaultAdded,
    DefaultRemoved,
    FieldAdded,
    FieldRemoved,
    FieldTypeChanged,
    FieldWireNameChanged,
    FieldRequiredChanged,
    FieldNullableChanged,
    EnumValueAdded,
    EnumValueRemoved,
    EnumValueWireNameChanged,
    VariantAdded,
    VariantRemoved,
    VariantTypeChanged,
    VariantWireNameChanged,
    VariantsReordered,
    DiscriminatorChanged,
    DiscriminatorValueAdded,
    DiscriminatorValueRemoved,
    DiscriminatorValueChanged,
    PaginationAdded,
    PaginationRemoved,
    PaginationChanged,
    WebhookAdded,
    WebhookRemoved,
    WebhookPayloadChanged,
}

/// One change to the generated Rust API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub impact: Impact,
    pub kind: Kind,
    pub scope: Scope,
    /// The operation's method name or the type's Rust name; `None` for
    /// [`Scope::Api`].
    pub name: Option<String>,
    /// The field, argument, variant, header or status inside it, if any.
    pub member: Option<String>,
    /// The value before and after, as Rust or as the wire shows it (a Rust
    /// type, a path, a header value); `None` where it did not exist.
    pub old: Option<String>,
    pub new: Option<String>,
    /// What changed, in one line, without the scope and name.
    pub message: String,
    /// Why it has its impact, in one line.
    pub reason: String,
}

impl Change {
    fn new(kind: Kind, impact: Impact, scope: Scope, name: Option<&str>) -> Self {
        Change {
            impact,
            kind,
            scope,
            name: name.map(str::to_string),
            member: None,
            old: None,
            new: None,
            message: String::new(),
            reason: String::new(),
        }
    }

    fn member(mut self, member: impl Into<String>) -> Self {
        self.member = Some(member.into());
        self
    }

    fn values(mut self, old: Option<String>, new: Option<String>) -> Self {
        self.old = old;
        self.new = new;
        self
    }

    fn text(mut self, message: impl Into<String>, reason: impl Into<String>) -> Self {
        self.message = message.into();
        self.reason = reason.into();
        self
    }

    /// What the change is in, as the reports name it: the operation or the
    /// type with its name in backticks, or `api`.
    pub fn subject(&self) -> String {
        match (self.scope, &self.name) {
            (Scope::Operation, Some(name)) => format!("operation `{name}`"),
            (Scope::Type, Some(name)) => format!("type `{name}`"),
            _ => "api".to_string(),
        }
    }
}

/// The smallest version change the generated crate needs, in semver terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Bump {
    /// Nothing the crate contains changes.
    None,
    /// Generated files change, the Rust API does not.
    Patch,
    /// Compatible additions.
    Minor,
    /// Breaking changes.
    Major,
}

/// The version the generated crate needs after the change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Semver {
    /// The crate's version before the change.
    pub current: String,
    pub bump: Bump,
    /// `current` with `bump` applied the way Cargo reads versions: before
    /// 1.0 the minor number marks breaking changes and the patch number
    /// everything else.
    pub next: String,
    pub reason: String,
}

impl Semver {
    /// The version after a change of size `bump`, or an error when
    /// `current` is not `MAJOR.MINOR.PATCH`.
    pub fn new(current: &str, bump: Bump) -> Result<Semver, Error> {
        Semver::bumped(current.trim(), bump).ok_or_else(|| {
            Diagnostic::error(format!(
                "the crate version `{current}` is not of the form MAJOR.MINOR.PATCH"
            ))
            .with_help("pass the generated crate's current version with `--crate-version 0.1.0`")
            .into()
        })
    }

    fn bumped(current: &str, bump: Bump) -> Option<Semver> {
        let mut parts = current.split('.').map(|part| part.parse::<u64>().ok());
        let (major, minor, patch) = (parts.next()??, parts.next()??, parts.next()??);
        if parts.next().is_some() {
            return None;
        }
        let inc = |n: u64| n.checked_add(1);
        let (next, reason) = match (bump, major, minor) {
            (Bump::None, ..) => (
                (major, minor, patch),
                "nothing in the generated crate changes",
            ),
            (_, 0, 0) => (
                (0, 0, inc(patch)?),
                "every 0.0.x version is incompatible with the others",
            ),
            (Bump::Major, 0, _) => (
                (0, inc(minor)?, 0),
                "breaking changes; before 1.0 the minor version marks them",
            ),
            (Bump::Major, ..) => ((inc(major)?, 0, 0), "breaking changes"),
            (Bump::Minor, 0, _) => (
                (0, minor, inc(patch)?),
                "compatible additions; before 1.0 the patch version marks them",
            ),
            (Bump::Minor, ..) => ((major, inc(minor)?, 0), "compatible additions"),
            (Bump::Patch, ..) => (
                (major, minor, inc(patch)?),
                "the generated files change, the Rust API does not",
            ),
        };
        Some(Semver {
            current: current.to_string(),
            bump,
            next: format!("{}.{}.{}", next.0, next.1, next.2),
            reason: reason.to_string(),
        })
    }
}

/// Counts of changes by impact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub breaking: usize,
    pub compatible: usize,
}

/// The whole result of comparing two specs.
///
/// Its JSON form ([`Report::json`]) is a stable interface for CI scripts and
/// bots; see `docs/diff-json.md`:
///
/// ```json
/// {
///   "schema": 1,
///   "old": "main:spec/api.yaml",
///   "new": "spec/api.yaml",
///   "summary": {"breaking": 1, "compatible": 0},
///   "semver": {"current": "0.1.0", "bump": "major", "next": "0.2.0", "reason": "..."},
///   "files": ["src/client.rs", "src/types.rs"],
///   "changes": [{
///     "impact": "breaking", "kind": "field_added", "scope": "type",
///     "name": "Pet", "member": "age", "old": null, "new": "Option<i64>",
///     "message": "field `age` added: `Option<i64>`",
///     "reason": "..."
///   }]
/// }
/// ```
///
/// `schema` is [`JSON_SCHEMA_VERSION`]; a new version only comes with a
/// change that could break a reader. `impact` is `breaking` or
/// `compatible`, `scope` is `api`, `operation` or `type`, `kind` is a
/// [`Kind`] in snake_case, `name`, `member`, `old` and `new` are strings or
/// `null`, and `bump` is `none`, `patch`, `minor` or `major`. `changes` is
/// sorted by scope (`api`, `operation`, `type`), then name, member and kind
/// as strings (a missing name or member first); `files` by path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub schema: u32,
    /// How the old and the new spec are named.
    pub old: String,
    pub new: String,
    pub summary: Summary,
    pub semver: Semver,
    /// Paths of the generated crate's files whose contents change, not
    /// counting the provenance header line that holds the spec's SHA-256.
    pub files: Vec<String>,
    pub changes: Vec<Change>,
}

/// Loads both specs, compares their models and their generated crates, and
/// sizes the version bump from `crate_version`. Both crates are generated
/// with the same `crate_name` and version, so only the spec makes files
/// differ.
pub fn compare(
    old: &Source,
    new: &Source,
    crate_name: &str,
    crate_version: &str,
) -> Result<Report, Error> {
    let settings = Settings {
        display: &new.display,
        crate_name,
        crate_version,
    };
    // Check the version before the expensive work.
    Semver::new(crate_version, Bump::None)?;
    let before = Loaded::load(old, &settings)?;
    let after = Loaded::load(new, &settings)?;
    let changes = changes(&before.api, &after.api);
    let files = changed_files(&before.files, &before.sha256, &after.files, &after.sha256);
    let summary = Summary {
        breaking: changes
            .iter()
            .filter(|c| c.impact == Impact::Breaking)
            .count(),
        compatible: changes
            .iter()
            .filter(|c| c.impact == Impact::Compatible)
            .count(),
    };
    let bump = if summary.breaking > 0 {
        Bump::Major
    } else if summary.compatible > 0 {
        Bump::Minor
    } else if !files.is_empty() {
        Bump::Patch
    } else {
        Bump::None
    };
    Ok(Report {
        schema: JSON_SCHEMA_VERSION,
        old: old.display.clone(),
        new: new.display.clone(),
        summary,
        semver: Semver::new(crate_version, bump)?,
        files,
        changes,
    })
}

struct Settings<'a> {
    display: &'a str,
    crate_name: &'a str,
    crate_version: &'a str,
}

/// One side of the comparison: its model and its generated files.
struct Loaded {
    api: Api,
    files: BTreeMap<String, String>,
    sha256: String,
}

impl Loaded {
    fn load(source: &Source, settings: &Settings<'_>) -> Result<Loaded, Error> {
        // `generate` reads a file, so bytes go to a private temporary folder
        // for as long as this function runs.
        let (spec, _folder) = match &source.bytes {
            None => (source.path.clone(), None),
            Some(bytes) => {
                check_single_file(bytes, &source.display)?;
                let folder = TempFolder::new()?;
                let name = source
                    .path
                    .file_name()
                    .map_or_else(|| "spec.yaml".into(), |n| n.to_os_string());
                let copy = folder.path.join(name);
                std::fs::write(&copy, bytes).map_err(|e| {
                    Diagnostic::error(format!(
                        "cannot write a temporary copy of {}: {e}",
                        source.display
                    ))
                })?;
                (copy, Some(folder))
            }
        };
        let (api, _warnings, sha256) = crate::load_model(&spec, &source.display)?;
        let options = crate::Options {
            spec,
            spec_display: settings.display.to_string(),
            crate_name: settings.crate_name.to_string(),
            crate_version: settings.crate_version.to_string(),
            bump_from: None,
            command: "apigen generate".to_string(),
            strict: false,
            pagination: BTreeMap::new(),
        };
        let generated = crate::generate(&options)?;
        Ok(Loaded {
            api,
            files: generated.files,
            sha256,
        })
    }
}

/// Paths whose contents differ, ignoring each side's header lines that
/// name its spec's SHA-256 (they differ whenever the spec's bytes do).
pub(crate) fn changed_files(
    old: &BTreeMap<String, String>,
    old_sha256: &str,
    new: &BTreeMap<String, String>,
    new_sha256: &str,
) -> Vec<String> {
    let paths: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    paths
        .into_iter()
        .filter(|path| {
            file_changed(
                path,
                old.get(*path).map(String::as_str),
                old_sha256,
                new.get(*path).map(String::as_str),
                new_sha256,
            )
        })
        .cloned()
        .collect()
}

/// Whether the file at `path` changed from `old` (generated from the spec
/// with `old_sha256`) to `new`, leaving out the lines that only name the
/// spec's hash; `None` is a file that is not there. The shipped copy of
/// the spec ([`crate::SPEC_FILE`]) never counts: it changes with every
/// byte of the spec and is not generated code.
pub(crate) fn file_changed(
    path: &str,
    old: Option<&str>,
    old_sha256: &str,
    new: Option<&str>,
    new_sha256: &str,
) -> bool {
    if path == crate::SPEC_FILE {
        return false;
    }
    let (Some(old), Some(new)) = (old, new) else {
        return true;
    };
    // Both sides leave out the same lines: equal texts are equal after.
    if old_sha256 == new_sha256 && old == new {
        return false;
    }
    let old_marker = format!("sha256 {old_sha256}");
    let new_marker = format!("sha256 {new_sha256}");
    fn strip<'t>(
        text: &'t str,
        sha: &'t str,
        marker: &'t str,
    ) -> impl Iterator<Item = &'t str> + 't {
        text.lines()
            .filter(move |line| sha.is_empty() || !line.contains(marker))
    }
    !strip(old, old_sha256, &old_marker).eq(strip(new, new_sha256, &new_marker))
}

#[cfg(test)]
mod tests {
    use super::file_changed;

    fn file(sha256: &str, generator: &str, body: &str) -> String {
        format!("// Generated by apigen {generator} from spec.yaml (sha256 {sha256}).\n{body}")
    }

    #[test]
    fn only_lines_that_name_the_spec_hash_are_left_out() {
        let (a, b) = ("aa".repeat(32), "bb".repeat(32));
        let changed = |old: &str, old_sha: &str, new: &str, new_sha: &str| {
            file_changed("src/lib.rs", Some(old), old_sha, Some(new), new_sha)
        };
        let same = file(&a, "0.1.0", "pub struct A;\n");
        assert!(!changed(&same, &a, &same, &a));
        // Another spec, the same code.
        let other_spec = file(&b, "0.1.0", "pub struct A;\n");
        assert!(!changed(&same, &a, &other_spec, &b));
        // The same spec through another apigen, the same code: only the
        // header differs, and it names the hash.
        let other_generator = file(&a, "0.2.0", "pub struct A;\n");
        assert!(!changed(&same, &a, &other_generator, &a));
        let other_code = file(&a, "0.1.0", "pub struct B;\n");
        assert!(changed(&same, &a, &other_code, &a));
        assert!(changed(&same, &a, &other_code, &b));
        assert!(file_changed("src/lib.rs", None, &a, Some(&same), &a));
        assert!(file_changed("src/lib.rs", Some(&same), &a, None, &a));
        assert!(!file_changed(
            crate::SPEC_FILE,
            Some("{}"),
            &a,
            Some("[]"),
            &b
        ));
    }
}
