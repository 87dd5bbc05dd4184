//! apigen turns an OpenAPI 3.0 or 3.1 (or Swagger 2.0) spec into a typed,
//! self-contained async Rust client.
//!
//! The pipeline is `spec` (bytes to one bundled openapiv3 document, with
//! located errors), `lower` (openapiv3 types to the one [`model::Api`]),
//! `emit` (model to tokens) and `render` (tokens to text through syn and
//! prettyplease). Everything is rendered in memory; writing is a separate,
//! atomic step, so a failure never leaves a half-written output.
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

pub mod config;
pub mod diag;
pub mod diff;
mod emit;
mod lower;
pub mod model;
pub mod output;
mod provenance;
mod render;
mod shipped;
mod spec;
mod version;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use diag::{display_path, Diagnostic, Error, Severity};
pub use output::Drift;
pub use version::generated_crate_version;

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
    /// Pagination of operations the spec does not mark itself, by
    /// `operationId`: each value is put on the operation as its
    /// `x-apigen-pagination` extension (from `[pagination]` in
    /// spec/apigen.toml).
    pub pagination: BTreeMap<String, serde_json::Value>,
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
            pagination: BTreeMap::new(),
        }
    }
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
    let doc = spec::load(spec, display)?;
    lower_document(&doc)
}

/// Like [`load_model`], from the spec's bytes; `spec` locates relative
/// references and picks JSON or YAML by extension.
pub fn load_model_from_bytes(
    bytes: &[u8],
    spec: &Path,
    display: &str,
) -> Result<(model::Api, Vec<Diagnostic>, String), Error> {
    let doc = spec::load_bytes(bytes, spec, display)?;
    lower_document(&doc)
}

fn lower_document(doc: &spec::Document) -> Result<(model::Api, Vec<Diagnostic>, String), Error> {
    match lower::lower(doc) {
        Ok((api, warnings)) => Ok((
            api,
            spec::located(&doc.text, &doc.display, warnings),
            doc.sha256.clone(),
        )),
        Err(e) => Err(Error::new(spec::located(
            &doc.text,
            &doc.display,
            e.diagnostics().to_vec(),
        ))),
    }
}

/// Loads the spec of `options`, with the pagination they declare put on
/// its operations.
fn load(options: &Options) -> Result<spec::Document, Error> {
    let mut doc = spec::load(&options.spec, &options.spec_display)?;
    for (operation_id, declaration) in &options.pagination {
        let operation = doc
            .openapi
            .paths
            .paths
            .values_mut()
            .filter_map(|item| match item {
                openapiv3::ReferenceOr::Item(item) => Some(item),
                openapiv3::ReferenceOr::Reference { .. } => None,
            })
            .flat_map(|item| {
                [
                    &mut item.get,
                    &mut item.put,
                    &mut item.post,
                    &mut item.delete,
                    &mut item.options,
                    &mut item.head,
                    &mut item.patch,
                    &mut item.trace,
                ]
            })
            .filter_map(Option::as_mut)
            .find(|op| op.operation_id.as_deref() == Some(operation_id.as_str()));
        let Some(operation) = operation else {
            return Err(Diagnostic::error(format!(
                "`[pagination.{operation_id}]`: the spec has no operation with this operationId"
            ))
            .in_file(config::CONFIG_PATH)
            .into());
        };
        operation.extensions.insert(
            lower::pagination::EXTENSION.to_string(),
            declaration.clone(),
        );
    }
    Ok(doc)
}

/// A spec, lowered and checked against `--strict`.
struct Prepared {
    api: model::Api,
    /// Warnings, not yet located in the text (see [`spec::located`]).
    warnings: Vec<Diagnostic>,
    provenance: Provenance,
}

/// Lowers the document; errors come located, warnings do not: the caller
/// locates them (see [`spec::located`]).
fn prepare(doc: &spec::Document, options: &Options) -> Result<Prepared, Error> {
    let (api, warnings) = lower::lower(doc).map_err(|e| {
        Error::new(spec::located(
            &doc.text,
            &doc.display,
            e.diagnostics().to_vec(),
        ))
    })?;
    if options.strict && !warnings.is_empty() {
        let errors = warnings
            .into_iter()
            .map(|mut w| {
                w.severity = Severity::Error;
                w.message.push_str(" (an error under --strict)");
                w
            })
            .collect();
        return Err(Error::new(spec::located(&doc.text, &doc.display, errors)));
    }
    Ok(Prepared {
        api,
        warnings,
        provenance: provenance(doc, options),
    })
}

fn provenance(doc: &spec::Document, options: &Options) -> Provenance {
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
    let doc = load(options)?;
    let Prepared {
        api,
        warnings,
        provenance,
    } = prepare(&doc, options)?;
    let previous = options
        .bump_from
        .as_deref()
        .and_then(|dir| version::Previous::read(dir).map(|p| (dir, p)));
    let info = |version: &str| emit::CrateInfo {
        name: options.crate_name.clone(),
        version: version.to_string(),
    };
    let version = match &previous {
        None => options.crate_version.clone(),
        Some((_, previous)) => previous.version.clone(),
    };
    let mut files = emit::crate_files(&api, &info(&version), &provenance)?;
    let warnings = spec::located(&doc.text, &doc.display, warnings);
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

/// Like [`generate_module`], from the spec's bytes (`options.spec` still
/// locates relative references and picks JSON or YAML by extension).
pub fn generate_module_from_bytes(bytes: &[u8], options: &Options) -> Result<Module, Error> {
    let doc = spec::load_bytes(bytes, &options.spec, &options.spec_display)?;
    module(&doc, options)
}

/// Generates the whole client as one module file, for `include!` from a
/// build script or for vendoring a single file.
pub fn generate_module(options: &Options) -> Result<Module, Error> {
    let doc = load(options)?;
    module(&doc, options)
}

fn module(doc: &spec::Document, options: &Options) -> Result<Module, Error> {
    let prepared = prepare(doc, options)?;
    let info = emit::CrateInfo {
        name: options.crate_name.clone(),
        version: options.crate_version.clone(),
    };
    let contents = emit::module_file(&prepared.api, &info, &prepared.provenance)?;
    Ok(Module {
        contents,
        warnings: spec::located(&doc.text, &doc.display, prepared.warnings),
    })
}

/// The pipeline's phases one at a time, for the benchmarks in
/// `generator/benches/`. Not a stable API: [`generate`] and
/// [`generate_module`] are the supported entry points.
#[doc(hidden)]
pub mod phases {
    pub use proc_macro2::TokenStream;

    pub use crate::emit::CrateInfo;
    pub use crate::lower::lower;
    pub use crate::provenance::Provenance;
    pub use crate::render::{rust_file, rust_files, RustFile};
    pub use crate::spec::{bundle, load_bytes, parse_text, Document};

    /// The last step of [`load_bytes`] for a valid document: the bundled
    /// JSON value into openapiv3 types.
    pub fn deserialize(value: &serde_json::Value) -> Result<openapiv3::OpenAPI, String> {
        serde::Deserialize::deserialize(value).map_err(|e: serde_json::Error| e.to_string())
    }

    /// Each Rust file of the generated crate, by path, before rendering:
    /// what `crate_files` renders.
    pub fn emit<'a>(
        api: &'a crate::model::Api,
        info: &'a CrateInfo,
    ) -> Vec<(&'static str, RustFile<'a>)> {
        crate::emit::crate_rust_files(api, info)
    }

    /// The bundled spec as the generated crate ships it ([`crate::SPEC_FILE`]).
    pub fn spec_json(doc: &Document, provenance: &Provenance) -> String {
        crate::shipped::spec_file(provenance, &doc.openapi).unwrap_or_default()
    }
}
