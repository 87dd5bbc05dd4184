//! `spec/apigen.toml`: the defaults that make `apigen generate` a complete
//! command in a repository laid out like this one.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diag::{Diagnostic, Error};

/// Where apigen looks for its config, relative to the current directory
/// and each of its ancestors.
pub const CONFIG_PATH: &str = "spec/apigen.toml";

/// The parsed config file. Paths are relative to [`Config::root`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// The spec file.
    pub spec: String,
    /// The output folder of `generate`.
    pub out: String,
    pub crate_name: String,
    /// Pins the generated crate's version; without it the version follows
    /// the changes to the Rust API.
    #[serde(default)]
    pub crate_version: Option<String>,
    /// `[pagination.<operationId>]`: the `x-apigen-pagination` of
    /// operations of a spec that is not edited here.
    #[serde(default)]
    pub pagination: BTreeMap<String, serde_json::Value>,
    /// The folder holding `spec/`, which the paths above are relative to.
    #[serde(skip)]
    pub root: PathBuf,
}

impl Config {
    /// Finds `spec/apigen.toml` in `start` or the nearest ancestor holding one.
    pub fn discover(start: &Path) -> Result<Option<Config>, Error> {
        for dir in start.ancestors() {
            let candidate = dir.join(CONFIG_PATH);
            if candidate.is_file() {
                return Config::read(&candidate, dir).map(Some);
            }
        }
        Ok(None)
    }

    fn read(path: &Path, root: &Path) -> Result<Config, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Diagnostic::error(format!("cannot read the config: {e}")).in_file(CONFIG_PATH)
        })?;
        let mut config: Config = toml::from_str(&text).map_err(|e| {
            let mut d =
                Diagnostic::error(format!("invalid config: {}", e.message())).in_file(CONFIG_PATH);
            if let Some(span) = e.span() {
                let (line, column) = line_col(&text, span.start);
                d = d.at_line_col(line, column);
            }
            d
        })?;
        config.root = root.to_path_buf();
        Ok(config)
    }
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}
