//! apigen turns a hand-written OpenAPI 3.0 spec into a typed, self-contained
//! async Rust client.
//!
//! The pipeline is `load` (text to openapiv3 types, located errors), `lower`
//! (openapiv3 types to the one [`model::Api`]), `emit` (model to tokens) and
//! `render` (tokens to text through syn and prettyplease). Everything is
//! rendered in memory; writing is a separate, atomic step, so a failure never
//! leaves a half-written output.
//!
//! From a build script:
//!
//! ```no_run
//! let options = apigen::Options::new("spec/api.yaml", "my-api-client");
//! let module = apigen::generate_module(&options).expect("spec is valid");
//! let out = std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("client.rs");
//! std::fs::write(out, module.contents).unwrap();
//! ```

// Spec-controlled data must never panic the generator.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::unreachable,
        clippy::todo,
        clippy::unimplemented
    )
)]

mod bundle;
pub mod config;
pub mod diag;
pub mod diff;
mod emit;
mod layouts;
mod load;
mod locate;
mod lower;
pub mod model;
pub mod output;
mod provenance;
mod render;
mod shapes;
mod shipped;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use diag::{Diagnostic, Error, Severity};
pub use output::Drift;

use provenance::Provenance;

/// What to generate from which spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The spec file to read.
    pub spec: PathBuf,
    /// How the spec is named in diagnostics and in generated headers; a
    /// relative, `/`-separated path. Defaults to `spec` as given.
    pub spec_display: String,
    /// Package name of the generated crate.
    pub crate_name: String,
    /// Package version of the generated crate.
    pub crate_version: String,
    /// The command that regenerates the output, quoted in every header.
    pub command: String,
    /// Treat every warning as an error.
    pub strict: bool,
    /// The previous output folder, to version the crate from: when it holds
    /// a generated crate, the new version is its version bumped by the
    /// changes to the Rust API, and `crate_version` only applies to a first
    /// generation. `None` pins the version to `crate_version`.
    pub bump_from: Option<PathBuf>,
}

impl Options {
    pub fn new(spec: impl Into<PathBuf>, crate_name: impl Into<String>) -> Self {
        let spec = spec.into();
        let spec_display = display_path(&spec);
        Options {
            command: format!("apigen generate --spec {spec_display}"),
            spec,
            spec_display,
            crate_name: crate_name.into(),
            crate_version: "0.1.0".to_string(),
            strict: false,
            bump_from: None,
        }
    }
}

/// A relative, `/`-separated rendering of `path` that does not depend on
/// the machine: absolute paths are shown relative to the current
/// directory when inside it, else by file name.
pub fn display_path(path: &Path) -> String {
    let relative = if path.is_absolute() {
        std::env::current_dir()
            .ok()
            .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
            .unwrap_or_else(|| path.file_name().map(PathBuf::from).unwrap_or_default())
    } else {
        path.to_path_buf()
    };
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .filter(|c| c != ".")
        .collect::<Vec<_>>()
        .join("/")
}

/// The result of a generation, still in memory.
#[derive(Debug, Clone, PartialEq)]
pub struct Generated {
    /// Files by `/`-separated relative path (a single entry for a module).
    pub files: BTreeMap<String, String>,
    /// Problems that did not stop generation.
    pub warnings: Vec<Diagnostic>,
    /// Number of operations (client methods) generated.
    pub operations: usize,
    /// Number of named types generated.
    pub types: usize,
}

/// A single-file module, see [`generate_module`].
#[derive(Debug, Clone, PartialEq)]
pub struct Module {
    pub contents: String,
    pub warnings: Vec<Diagnostic>,
}

/// Loads, validates and lowers a spec into the model, with its warnings
/// and the SHA-256 of the spec file.
pub fn load_model(
    spec: &Path,
    display: &str,
) -> Result<(model::Api, Vec<Diagnostic>, String), Error> {
    let doc = load::load(spec, display)?;
    lower_document(&doc)
}

/// Like [`load_model`], from the spec's bytes; `spec` locates relative
/// references and picks JSON or YAML by extension.
pub fn load_model_from_bytes(
    bytes: &[u8],
    spec: &Path,
    display: &str,
) -> Result<(model::Api, Vec<Diagnostic>, String), Error> {
    let doc = load::load_bytes(bytes, spec, display)?;
    lower_document(&doc)
}

fn lower_document(doc: &load::Document) -> Result<(model::Api, Vec<Diagnostic>, String), Error> {
    match lower::lower(doc) {
        Ok((api, warnings)) => Ok((
            api,
            located(&doc.text, &doc.display, warnings),
            doc.sha256.clone(),
        )),
        Err(e) => Err(Error::new(located(
            &doc.text,
            &doc.display,
            e.diagnostics().to_vec(),
        ))),
    }
}

/// Fills in the line, column and source line of the diagnostics about the
/// root file (`text`, shown as `display`) from their pointers. Positions
/// cost a walk of the text: only when there is something to report.
fn located(text: &str, display: &str, diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    if diagnostics.is_empty() {
        return diagnostics;
    }
    let pointers: Vec<&str> = diagnostics
        .iter()
        .filter(|d| d.file.as_deref() == Some(display))
        .filter_map(|d| d.pointer.as_deref())
        .collect();
    let map = locate::positions_of(text, &pointers);
    diagnostics
        .into_iter()
        .map(|mut d| {
            if d.file.as_deref() == Some(display) {
                map.annotate(&mut d);
            }
            d
        })
        .collect()
}

/// A spec, lowered and checked against `--strict`.
struct Prepared {
    api: model::Api,
    /// Warnings, not yet located in the text (see [`located`]).
    warnings: Vec<Diagnostic>,
    provenance: Provenance,
}

/// Lowers the document; errors come located, warnings do not: the caller
/// locates them (see [`located`]).
fn prepare(doc: &load::Document, options: &Options) -> Result<Prepared, Error> {
    let (api, warnings) = lower::lower(doc)
        .map_err(|e| Error::new(located(&doc.text, &doc.display, e.diagnostics().to_vec())))?;
    if options.strict && !warnings.is_empty() {
        let errors = warnings
            .into_iter()
            .map(|mut w| {
                w.severity = Severity::Error;
                w.message.push_str(" (an error under --strict)");
                w
            })
            .collect();
        return Err(Error::new(located(&doc.text, &doc.display, errors)));
    }
    Ok(Prepared {
        api,
        warnings,
        provenance: provenance(doc, options),
    })
}

fn provenance(doc: &load::Document, options: &Options) -> Provenance {
    Provenance {
        spec: options.spec_display.clone(),
        sha256: doc.sha256.clone(),
        command: options.command.clone(),
    }
}

/// The file the generated crate ships its spec in, and reads it back from
/// when versioning the next generation.
pub const SPEC_FILE: &str = "openapi.json";

/// Generates the client crate in memory.
///
/// The crate ships the spec it was generated from, bundled into one file
/// ([`SPEC_FILE`]). With [`Options::bump_from`], the crate's version is the
/// previous output's version, bumped by what changed in the Rust API
/// since ([`diff::changes`]); otherwise it is [`Options::crate_version`].
pub fn generate(options: &Options) -> Result<Generated, Error> {
    let doc = load::load(&options.spec, &options.spec_display)?;
    let Prepared {
        api,
        warnings,
        provenance,
    } = prepare(&doc, options)?;
    let previous = options
        .bump_from
        .as_deref()
        .and_then(|dir| Previous::read(dir).map(|p| (dir, p)));
    let info = |version: &str| emit::CrateInfo {
        name: options.crate_name.clone(),
        version: version.to_string(),
    };
    let version = match &previous {
        None => options.crate_version.clone(),
        Some((_, previous)) => previous.version.clone(),
    };
    let mut files = emit::crate_files(&api, &info(&version), &provenance)?;
    let warnings = located(&doc.text, &doc.display, warnings);
    files.insert(
        SPEC_FILE.to_string(),
        shipped::spec_file(&provenance, &doc.openapi)?,
    );
    if let Some((dir, previous)) = previous {
        let bump = previous.bump(dir, &api, &provenance, &files)?;
        if bump != diff::Bump::None {
            let next = diff::Semver::new(&previous.version, bump)?.next;
            files.extend(emit::versioned_files(&api, &info(&next), &provenance)?);
        }
    }
    Ok(Generated {
        files,
        warnings,
        operations: api.operations.len(),
        types: api.types.types.len(),
    })
}

/// What a previous generation left in its output folder.
struct Previous {
    version: String,
    /// The shipped spec, read only when the spec changed (it can be tens
    /// of megabytes).
    spec: PathBuf,
    /// SHA-256 of the spec it was generated from, from its header.
    sha256: String,
    /// The apigen version that generated it, from its header.
    generator: String,
}

impl Previous {
    fn read(dir: &Path) -> Option<Previous> {
        let version = generated_crate_version(dir)?;
        let spec = dir.join(SPEC_FILE);
        let provenance = generated_by_file(&spec)?;
        let sha256 = provenance
            .split("(sha256 ")
            .nth(1)?
            .split(')')
            .next()?
            .to_string();
        let generator = provenance
            .strip_prefix("Generated by apigen ")?
            .split(' ')
            .next()?
            .to_string();
        Some(Previous {
            version,
            spec,
            sha256,
            generator,
        })
    }

    /// The bump from this generation, in `dir`, to the new `files` of
    /// `api`: by the changes to the Rust API, else a patch when another
    /// generated file changed.
    fn bump(
        &self,
        dir: &Path,
        api: &model::Api,
        provenance: &Provenance,
        files: &BTreeMap<String, String>,
    ) -> Result<diff::Bump, Error> {
        let bump = self.api_bump(api, provenance);
        if bump != diff::Bump::None {
            return Ok(bump);
        }
        // The shipped spec is not generated code (see `diff::file_changed`),
        // and a large spec's is the largest file: it is not read.
        let changed = output::changed_in_tree(dir, files, &[SPEC_FILE], |path, old, new| {
            diff::file_changed(path, old, &self.sha256, new, &provenance.sha256)
        })?;
        Ok(if changed.is_empty() {
            diff::Bump::None
        } else {
            diff::Bump::Patch
        })
    }

    /// The bump that the changes from the previous spec's API to `api`
    /// call for (`None` when the Rust API is the same).
    fn api_bump(&self, api: &model::Api, provenance: &Provenance) -> diff::Bump {
        // The same spec through the same apigen is the same API: lowering
        // is deterministic.
        if self.sha256 == provenance.sha256 && self.generator == env!("CARGO_PKG_VERSION") {
            return diff::Bump::None;
        }
        let display = format!("{} (previous)", display_path(&self.spec));
        let Ok(bytes) = std::fs::read(&self.spec) else {
            // Gone since it was first read: assume the worst.
            return diff::Bump::Major;
        };
        match load_model_from_bytes(&bytes, &self.spec, &display) {
            Ok((old_api, _, _)) => {
                let changes = diff::changes(&old_api, api);
                if changes.iter().any(|c| c.impact == diff::Impact::Breaking) {
                    diff::Bump::Major
                } else if !changes.is_empty() {
                    diff::Bump::Minor
                } else {
                    diff::Bump::None
                }
            }
            // A previous spec this apigen cannot read: assume the worst.
            Err(_) => diff::Bump::Major,
        }
    }
}

/// The `x-generated-by` header of the shipped spec at `path`, from the
/// start of the file when it is there, else from the whole file.
fn generated_by_file(path: &Path) -> Option<String> {
    use std::io::Read;
    let mut head = Vec::new();
    std::fs::File::open(path)
        .ok()?
        .take(HEADER_BYTES)
        .read_to_end(&mut head)
        .ok()?;
    quick_generated_by(&head).or_else(|| generated_by(&std::fs::read(path).ok()?))
}

/// Enough of a shipped spec to hold its `x-generated-by` header.
const HEADER_BYTES: u64 = 16 * 1024;

/// The `x-generated-by` header of a shipped spec. It is the first member,
/// so this reads it without parsing the rest of a possibly large file;
/// anything unexpected falls back to parsing the whole file.
fn generated_by(spec: &[u8]) -> Option<String> {
    quick_generated_by(spec).or_else(|| {
        let value: serde_json::Value = serde_json::from_slice(spec).ok()?;
        Some(value.get("x-generated-by")?.as_str()?.to_string())
    })
}

/// The header of a shipped spec as apigen writes it, from the first bytes
/// of the file.
fn quick_generated_by(spec: &[u8]) -> Option<String> {
    let rest = spec.strip_prefix(b"{\n  \"x-generated-by\": ")?;
    serde_json::Deserializer::from_slice(rest)
        .into_iter::<String>()
        .next()?
        .ok()
}

/// The version of the crate generated into `dir`, if there is one.
pub fn generated_crate_version(dir: &Path) -> Option<String> {
    package_version(&std::fs::read_to_string(dir.join("Cargo.toml")).ok()?)
}

/// `version = "..."` of the `[package]` table of a generated Cargo.toml.
fn package_version(cargo_toml: &str) -> Option<String> {
    let table: toml::Table = toml::from_str(cargo_toml).ok()?;
    let version = table.get("package")?.get("version")?.as_str()?;
    Some(version.to_string())
}

/// Like [`generate_module`], from the spec's bytes (`options.spec` still
/// locates relative references and picks JSON or YAML by extension).
pub fn generate_module_from_bytes(bytes: &[u8], options: &Options) -> Result<Module, Error> {
    let doc = load::load_bytes(bytes, &options.spec, &options.spec_display)?;
    module(&doc, options)
}

/// Generates the whole client as one module file, for `include!` from a
/// build script or for vendoring a single file.
pub fn generate_module(options: &Options) -> Result<Module, Error> {
    let doc = load::load(&options.spec, &options.spec_display)?;
    module(&doc, options)
}

fn module(doc: &load::Document, options: &Options) -> Result<Module, Error> {
    let prepared = prepare(doc, options)?;
    let info = emit::CrateInfo {
        name: options.crate_name.clone(),
        version: options.crate_version.clone(),
    };
    let contents = emit::module_file(&prepared.api, &info, &prepared.provenance)?;
    Ok(Module {
        contents,
        warnings: located(&doc.text, &doc.display, prepared.warnings),
    })
}

/// The pipeline's phases one at a time, for the benchmarks in
/// `generator/benches/`. Not a stable API: [`generate`] and
/// [`generate_module`] are the supported entry points.
#[doc(hidden)]
pub mod phases {
    pub use proc_macro2::TokenStream;

    pub use crate::bundle::bundle;
    pub use crate::emit::CrateInfo;
    pub use crate::load::{load_bytes, parse_text, Document};
    pub use crate::lower::lower;
    pub use crate::provenance::Provenance;
    pub use crate::render::{rust_file, rust_files, RustFile};

    /// The last step of [`load_bytes`] for a valid document: the bundled
    /// JSON value into openapiv3 types.
    pub fn deserialize(value: &serde_json::Value) -> Result<openapiv3::OpenAPI, String> {
        serde::Deserialize::deserialize(value).map_err(|e: serde_json::Error| e.to_string())
    }

    /// Each Rust file of the generated crate, by path, before rendering:
    /// what `crate_files` renders (small files as a head without chunks).
    pub fn emit<'a>(
        api: &'a crate::model::Api,
        info: &'a CrateInfo,
    ) -> Vec<(&'static str, RustFile<'a>)> {
        crate::emit::crate_rust_files(api, info).into()
    }

    /// The bundled spec as the generated crate ships it ([`crate::SPEC_FILE`]).
    pub fn spec_json(doc: &Document, provenance: &Provenance) -> String {
        crate::shipped::spec_file(provenance, &doc.openapi).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn provenance() -> Provenance {
        Provenance {
            spec: "spec/api.yaml".to_string(),
            sha256: "ab".repeat(32),
            command: "apigen generate".to_string(),
        }
    }

    fn document(json: &str) -> load::Document {
        load::load_bytes(json.as_bytes(), Path::new("spec.json"), "spec.json").unwrap()
    }

    #[test]
    fn the_header_of_a_shipped_spec_is_read_back() {
        let spec = r#"{"openapi": "3.0.3", "info": {"title": "T", "version": "1"}, "paths": {}}"#;
        let text = shipped::spec_file(&provenance(), &document(spec).openapi).unwrap();
        let expected = provenance().lines().join(" ");
        assert_eq!(generated_by(text.as_bytes()), Some(expected.clone()));
        // Written by hand or by another tool: the whole file is parsed.
        let compact = format!(r#"{{"openapi":"3.0.3","x-generated-by":"{expected}"}}"#);
        assert_eq!(generated_by(compact.as_bytes()), Some(expected));
        assert_eq!(generated_by(b"{\n  \"x-generated-by\": 42\n}"), None);
        assert_eq!(generated_by(b"not json"), None);
    }

    #[test]
    fn the_header_is_read_from_the_start_of_the_file_or_else_the_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(SPEC_FILE);
        let spec = r#"{"openapi": "3.0.3", "info": {"title": "T", "version": "1"}, "paths": {}}"#;
        let text = shipped::spec_file(&provenance(), &document(spec).openapi).unwrap();
        std::fs::write(&path, &text).unwrap();
        let expected = provenance().lines().join(" ");
        assert_eq!(generated_by_file(&path), Some(expected));
        // A header longer than the bytes read first, in a file written by
        // another tool: the whole file is parsed.
        let long = "x".repeat(HEADER_BYTES as usize * 2);
        std::fs::write(
            &path,
            format!(r#"{{"openapi": "3.0.3", "x-generated-by": "{long}"}}"#),
        )
        .unwrap();
        assert_eq!(generated_by_file(&path), Some(long));
        assert_eq!(generated_by_file(&dir.path().join("missing.json")), None);
    }

    #[test]
    fn the_shipped_spec_is_the_document_with_the_header_first() {
        let spec = r#"{"openapi": "3.0.3", "info": {"title": "T", "version": "1"},
                "paths": {"/a": {"get": {"responses": {"204": {"description": "none"}}}}},
                "x-extra": {"b": 1.5, "a": [true]}}"#;
        let text = shipped::spec_file(&provenance(), &document(spec).openapi).unwrap();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        let object = value.as_object().unwrap();
        assert_eq!(
            object.keys().next().map(String::as_str),
            Some("x-generated-by")
        );
        let mut rest = object.clone();
        rest.remove("x-generated-by");
        let original: serde_json::Value = serde_json::from_str(spec).unwrap();
        assert_eq!(serde_json::Value::Object(rest), original);
    }
}
