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
mod load;
mod locate;
mod lower;
pub mod model;
mod naming;
pub mod output;
mod recursion;
mod render;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use diag::{Diagnostic, Error, Severity};
pub use output::Drift;

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
    let annotate = |mut d: Diagnostic| {
        if d.file.as_deref() == Some(doc.display.as_str()) {
            doc.source_map.annotate(&mut d);
        }
        d
    };
    match lower::lower(doc) {
        Ok((api, warnings)) => Ok((
            api,
            warnings.into_iter().map(annotate).collect(),
            doc.sha256.clone(),
        )),
        Err(e) => Err(Error::new(
            e.diagnostics().iter().cloned().map(annotate).collect(),
        )),
    }
}

fn prepare(
    options: &Options,
) -> Result<
    (
        model::Api,
        Vec<Diagnostic>,
        render::Provenance,
        emit::CrateInfo,
    ),
    Error,
> {
    let (api, warnings, sha256) = load_model(&options.spec, &options.spec_display)?;
    if options.strict && !warnings.is_empty() {
        let errors = warnings
            .into_iter()
            .map(|mut w| {
                w.severity = Severity::Error;
                w.message.push_str(" (an error under --strict)");
                w
            })
            .collect();
        return Err(Error::new(errors));
    }
    let provenance = render::Provenance {
        spec: options.spec_display.clone(),
        sha256,
        command: options.command.clone(),
    };
    let info = emit::CrateInfo {
        name: options.crate_name.clone(),
        version: options.crate_version.clone(),
    };
    Ok((api, warnings, provenance, info))
}

/// Generates the client crate in memory.
pub fn generate(options: &Options) -> Result<Generated, Error> {
    let (api, warnings, provenance, info) = prepare(options)?;
    let files = emit::crate_files(&api, &info, &provenance)?;
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
    let (api, warnings, sha256) =
        load_model_from_bytes(bytes, &options.spec, &options.spec_display)?;
    let provenance = render::Provenance {
        spec: options.spec_display.clone(),
        sha256,
        command: options.command.clone(),
    };
    let info = emit::CrateInfo {
        name: options.crate_name.clone(),
        version: options.crate_version.clone(),
    };
    let contents = emit::module_file(&api, &info, &provenance)?;
    Ok(Module { contents, warnings })
}

/// Generates the whole client as one module file, for `include!` from a
/// build script or for vendoring a single file.
pub fn generate_module(options: &Options) -> Result<Module, Error> {
    let (api, warnings, provenance, info) = prepare(options)?;
    let contents = emit::module_file(&api, &info, &provenance)?;
    Ok(Module { contents, warnings })
}
