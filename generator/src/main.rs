//! The `apigen` command line: `generate`, `check` and `diff`.

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

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use apigen::config::Config;
use apigen::diff;
use apigen::{output, Diagnostic, Error, Options};
use clap::{Args, Parser, Subcommand};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Generate a typed Rust API client from an OpenAPI 3.0 or 3.1 (or Swagger 2.0) spec.
#[derive(Debug, Parser)]
#[command(name = "apigen", version)]
struct Cli {
    /// How diagnostics are printed: `human` (rustc-like, on stderr) or
    /// `json` (one object per line, on stdout).
    #[arg(long, global = true, value_enum, default_value_t = MessageFormat::Human)]
    message_format: MessageFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum MessageFormat {
    Human,
    Json,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Regenerate the client (by default `generated/` from `spec/`).
    Generate(Target),
    /// Fail (exit 1) with a diff when the client on disk is not what the spec produces.
    Check(Target),
    /// Report what a spec change does to the generated Rust API: each
    /// change, breaking or compatible, the semver bump and the files that change.
    ///
    /// `apigen diff OLD NEW` compares two spec files; `apigen diff --base main`
    /// compares the spec of spec/apigen.toml with itself at git revision `main`.
    Diff(DiffArgs),
}

#[derive(Debug, Args)]
struct DiffArgs {
    /// `OLD NEW`: the two spec files. With `--base`, only `[NEW]` (default:
    /// `spec` in spec/apigen.toml).
    #[arg(value_name = "SPEC", num_args = 0..=2)]
    specs: Vec<PathBuf>,
    /// Read the old spec from this git revision (`git show REV:<spec>`).
    /// Single-file specs only.
    #[arg(long, value_name = "REV")]
    base: Option<String>,
    /// `text` (colored on a terminal), `markdown` (a pull request comment)
    /// or `json` (a stable schema, see docs/diff-json.md).
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    format: DiffFormat,
    /// Exit with 1 when a breaking change (`breaking`) or any change to the
    /// Rust API (`any`) is found.
    #[arg(long, value_enum, value_name = "WHEN")]
    fail_on: Option<FailOn>,
    /// The generated crate's current version, which the semver bump applies
    /// to (default: `crate-version` in spec/apigen.toml, else the version in
    /// the output folder's Cargo.toml, else 0.1.0).
    #[arg(long, value_name = "VERSION")]
    crate_version: Option<String>,
    /// Package name both crates are generated with (default: `crate-name`
    /// in spec/apigen.toml, else derived from NEW).
    #[arg(long, value_name = "NAME")]
    crate_name: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum DiffFormat {
    Text,
    Markdown,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum FailOn {
    Breaking,
    Any,
}

#[derive(Debug, Args)]
struct Target {
    /// The spec file (default: `spec` in spec/apigen.toml).
    #[arg(long, value_name = "FILE")]
    spec: Option<PathBuf>,
    /// The output folder of the crate (default: `out` in spec/apigen.toml).
    #[arg(long, value_name = "DIR", conflicts_with = "module")]
    out: Option<PathBuf>,
    /// Package name of the generated crate.
    #[arg(long, value_name = "NAME")]
    crate_name: Option<String>,
    /// Write the whole client as one module file instead of a crate.
    #[arg(long, value_name = "FILE")]
    module: Option<PathBuf>,
    /// Replace an output that holds files apigen did not write.
    #[arg(long)]
    force: bool,
    /// Treat every warning as an error (exit 2).
    #[arg(long)]
    strict: bool,
    /// Pin the generated crate's version. By default it follows the Rust
    /// API: the previous output's version, bumped by what changed
    /// (breaking: major, or minor before 1.0; compatible: minor, or patch
    /// before 1.0), starting at 0.1.0. `crate-version` in spec/apigen.toml
    /// pins it too.
    #[arg(long, value_name = "VERSION")]
    crate_version: Option<String>,
}

const EXIT_DRIFT: u8 = 1;
const EXIT_BREAKING: u8 = 1;
const EXIT_BAD_INPUT: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let format = cli.message_format;
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            print_diagnostics(format, error.diagnostics());
            ExitCode::from(EXIT_BAD_INPUT)
        }
    }
}

/// Prints diagnostics, all at once: stderr is unbuffered, and a
/// diagnostic printed piece by piece is a write per piece (a spec with
/// forty warnings made hundreds). What cannot be written is dropped, as
/// there is nowhere left to report it.
fn print_diagnostics(format: MessageFormat, diagnostics: &[Diagnostic]) {
    if diagnostics.is_empty() {
        return;
    }
    let mut text = String::new();
    let mut unprintable = String::new();
    for diagnostic in diagnostics {
        match format {
            MessageFormat::Human => text.push_str(&format!("{diagnostic}\n\n")),
            MessageFormat::Json => match serde_json::to_string(diagnostic) {
                Ok(line) => {
                    text.push_str(&line);
                    text.push('\n');
                }
                Err(e) => unprintable
                    .push_str(&format!("error: cannot print a diagnostic as JSON: {e}\n")),
            },
        }
    }
    let _ = match format {
        MessageFormat::Human => std::io::stderr().lock().write_all(text.as_bytes()),
        MessageFormat::Json => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush())
        }
    };
    let _ = std::io::stderr().lock().write_all(unprintable.as_bytes());
}

/// Prints a line on stderr in one write: stderr is unbuffered, and
/// `eprintln!` writes each piece of its format on its own.
fn status(line: &str) {
    let _ = std::io::stderr()
        .lock()
        .write_all(format!("{line}\n").as_bytes());
}

/// Where the output goes.
enum Destination {
    Crate(PathBuf),
    Module(PathBuf),
}

fn resolve(target: &Target) -> Result<(Options, Destination), Error> {
    let cwd = std::env::current_dir()
        .map_err(|e| Diagnostic::error(format!("cannot read the current folder: {e}")))?;
    let config = Config::discover(&cwd)?;
    let uses_defaults = target.spec.is_none()
        && target.out.is_none()
        && target.crate_name.is_none()
        && target.module.is_none()
        && target.crate_version.is_none();
    let (spec, spec_display) = match (&target.spec, &config) {
        (Some(spec), _) => (spec.clone(), apigen::display_path(spec)),
        (None, Some(config)) => (config.root.join(&config.spec), config.spec.clone()),
        (None, None) => {
            return Err(
                Diagnostic::error("no spec given and no spec/apigen.toml found")
                    .with_help("pass `--spec FILE`, or run from a repository with spec/apigen.toml")
                    .into(),
            )
        }
    };
    let crate_name = match (&target.crate_name, &config) {
        (Some(name), _) => name.clone(),
        (None, Some(config)) => config.crate_name.clone(),
        (None, None) => default_crate_name(&spec),
    };
    let destination = match (&target.module, &target.out, &config) {
        (Some(module), _, _) => Destination::Module(module.clone()),
        (None, Some(out), _) => Destination::Crate(out.clone()),
        (None, None, Some(config)) => Destination::Crate(config.root.join(&config.out)),
        (None, None, None) => {
            return Err(
                Diagnostic::error("no output folder given and no spec/apigen.toml found")
                    .with_help("pass `--out DIR` or `--module FILE`")
                    .into(),
            )
        }
    };
    let command = if uses_defaults {
        "cargo run -p apigen -- generate".to_string()
    } else {
        let mut command = format!("apigen generate --spec {spec_display}");
        match &destination {
            Destination::Crate(out) => {
                command.push_str(&format!(" --out {}", apigen::display_path(out)))
            }
            Destination::Module(file) => {
                command.push_str(&format!(" --module {}", apigen::display_path(file)))
            }
        }
        command.push_str(&format!(" --crate-name {crate_name}"));
        if let Some(version) = &target.crate_version {
            command.push_str(&format!(" --crate-version {version}"));
        }
        command
    };
    let pinned = target
        .crate_version
        .clone()
        .or_else(|| config.as_ref().and_then(|c| c.crate_version.clone()));
    // The config's pagination names operations of the config's spec.
    let pagination = match &config {
        Some(config) if spec == config.root.join(&config.spec) => config.pagination.clone(),
        _ => Default::default(),
    };
    let bump_from = match (&pinned, &destination) {
        (None, Destination::Crate(out)) => Some(out.clone()),
        _ => None,
    };
    Ok((
        Options {
            spec,
            spec_display,
            crate_name,
            crate_version: pinned.unwrap_or_else(|| "0.1.0".to_string()),
            command,
            strict: target.strict,
            bump_from,
            pagination,
        },
        destination,
    ))
}

fn default_crate_name(spec: &Path) -> String {
    let stem = spec
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let name = name.trim_matches('-').to_string();
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("api-{name}").trim_end_matches('-').to_string()
    } else {
        format!("{name}-client")
    }
}

fn run(cli: Cli) -> Result<u8, Error> {
    let format = cli.message_format;
    match cli.command {
        Command::Diff(args) => run_diff(&args),
        Command::Generate(target) => {
            let (options, destination) = resolve(&target)?;
            match destination {
                Destination::Crate(out) => {
                    let generated = apigen::generate(&options)?;
                    print_diagnostics(format, &generated.warnings);
                    let written = output::write_tree(&out, &generated.files, target.force)?;
                    status(&format!(
                        "apigen: {} operations, {} types from {} into {}{}",
                        generated.operations,
                        generated.types,
                        options.spec_display,
                        apigen::display_path(&out),
                        match written {
                            output::Written::Unchanged => " (unchanged)",
                            output::Written::Replaced => "",
                        }
                    ));
                }
                Destination::Module(file) => {
                    let module = apigen::generate_module(&options)?;
                    print_diagnostics(format, &module.warnings);
                    output::write_single(&file, &module.contents, target.force)?;
                    status(&format!("apigen: wrote {}", apigen::display_path(&file)));
                }
            }
            Ok(0)
        }
        Command::Check(target) => {
            let (options, destination) = resolve(&target)?;
            let drift = match &destination {
                Destination::Crate(out) => {
                    let generated = apigen::generate(&options)?;
                    print_diagnostics(format, &generated.warnings);
                    output::compare_tree(out, &generated.files)?
                }
                Destination::Module(file) => {
                    let module = apigen::generate_module(&options)?;
                    print_diagnostics(format, &module.warnings);
                    output::compare_single(file, &apigen::display_path(file), &module.contents)?
                }
            };
            if drift.is_clean() {
                status(&format!("apigen: up to date with {}", options.spec_display));
                Ok(0)
            } else {
                let stale = Diagnostic::error("the generated client is stale")
                    .with_help(format!("regenerate it with `{}`", options.command));
                match format {
                    MessageFormat::Human => {
                        print!("{}", drift.report());
                        status(&format!(
                            "error: the generated client is stale; regenerate it with `{}`",
                            options.command
                        ));
                    }
                    MessageFormat::Json => print_diagnostics(format, &[stale]),
                }
                Ok(EXIT_DRIFT)
            }
        }
    }
}

/// `apigen diff`: resolves the two specs, compares them, prints the report
/// on stdout and picks the exit code.
fn run_diff(args: &DiffArgs) -> Result<u8, Error> {
    let cwd = std::env::current_dir()
        .map_err(|e| Diagnostic::error(format!("cannot read the current folder: {e}")))?;
    let config = Config::discover(&cwd)?;
    let file = |path: &Path| diff::Source::file(path, apigen::display_path(path));
    let (old, new, new_path) =
        match (&args.base, args.specs.as_slice()) {
            (Some(rev), [new]) => (diff::git_source(rev, new)?, file(new), new.clone()),
            (Some(rev), []) => {
                let Some(config) = &config else {
                    return Err(
                        Diagnostic::error("no spec given and no spec/apigen.toml found")
                            .with_help("pass the spec: `apigen diff --base REV NEW`")
                            .into(),
                    );
                };
                let path = config.root.join(&config.spec);
                (
                    diff::git_source(rev, &path)?,
                    diff::Source::file(&path, config.spec.clone()),
                    path,
                )
            }
            (Some(_), _) => return Err(Diagnostic::error(
                "`--base` takes at most one spec, the new one",
            )
            .with_help("`apigen diff --base REV [NEW]`, or `apigen diff OLD NEW` without `--base`")
            .into()),
            (None, [old, new]) => (file(old), file(new), new.clone()),
            (None, _) => return Err(Diagnostic::error(
                "`apigen diff` needs two specs, or `--base REV`",
            )
            .with_help("`apigen diff OLD NEW`, or `apigen diff --base main` in a git repository")
            .into()),
        };
    let crate_name = match (&args.crate_name, &config) {
        (Some(name), _) => name.clone(),
        (None, Some(config)) => config.crate_name.clone(),
        (None, None) => default_crate_name(&new_path),
    };
    let crate_version = match (&args.crate_version, &config) {
        (Some(version), _) => version.clone(),
        (None, Some(config)) => config.crate_version.clone().unwrap_or_else(|| {
            apigen::generated_crate_version(&config.root.join(&config.out))
                .unwrap_or_else(|| "0.1.0".to_string())
        }),
        (None, None) => "0.1.0".to_string(),
    };
    let report = diff::compare(&old, &new, &crate_name, &crate_version)?;
    let text = match args.format {
        DiffFormat::Text => {
            let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            report.text(color)
        }
        DiffFormat::Markdown => report.markdown(),
        DiffFormat::Json => report.json()?,
    };
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        return Err(Diagnostic::error(format!("cannot write the report: {e}")).into());
    }
    let failed = match args.fail_on {
        Some(FailOn::Breaking) => report.has_breaking(),
        Some(FailOn::Any) => !report.changes.is_empty(),
        None => false,
    };
    if failed {
        status(&format!(
            "apigen: {} breaking and {} compatible changes to the Rust API (--fail-on {})",
            report.summary.breaking,
            report.summary.compatible,
            match args.fail_on {
                Some(FailOn::Any) => "any",
                _ => "breaking",
            }
        ));
        Ok(EXIT_BREAKING)
    } else {
        Ok(0)
    }
}
