//! The report as terminal text, markdown and JSON.

use super::{Bump, Change, Impact, Report};
use crate::diag::{Diagnostic, Error};

const RED: &str = "\x1b[1;31m";
const GREEN: &str = "\x1b[1;32m";
const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";
const RESET: &str = "\x1b[0m";

/// Spec text with control characters (newlines, terminal escapes) replaced,
/// so that a spec cannot break the report's layout or drive a terminal.
fn clean(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect()
}

impl Report {
    /// Whether any change is breaking.
    pub fn has_breaking(&self) -> bool {
        self.summary.breaking > 0
    }

    fn by_impact(&self, impact: Impact) -> Vec<&Change> {
        self.changes.iter().filter(|c| c.impact == impact).collect()
    }

    /// The report for a terminal, with ANSI colors when `color` is set.
    pub fn text(&self, color: bool) -> String {
        let paint = |code: &str, text: &str| {
            if color {
                format!("{code}{text}{RESET}")
            } else {
                text.to_string()
            }
        };
        let mut out = paint(
            BOLD,
            &format!("apigen diff: {} → {}", clean(&self.old), clean(&self.new)),
        );
        out.push_str("\n\n");
        if self.changes.is_empty() {
            out.push_str("No changes to the generated Rust API.\n\n");
        }
        for (impact, title, code) in [
            (Impact::Breaking, "Breaking changes", RED),
            (Impact::Compatible, "Compatible changes", GREEN),
        ] {
            let list = self.by_impact(impact);
            if list.is_empty() {
                continue;
            }
            out.push_str(&paint(code, &format!("{title} ({}):", list.len())));
            out.push('\n');
            for change in list {
                out.push_str(&format!(
                    "  - {}: {}\n    {}\n",
                    clean(&change.subject()),
                    clean(&change.message),
                    paint(DIM, &clean(&change.reason))
                ));
            }
            out.push('\n');
        }
        let semver = &self.semver;
        out.push_str(&format!(
            "{} {} → {} ({}: {})\n",
            paint(BOLD, "Semver:"),
            clean(&semver.current),
            semver.next,
            bump_name(semver.bump),
            semver.reason
        ));
        if self.files.is_empty() {
            out.push_str(&format!(
                "{} none\n",
                paint(BOLD, "Generated files that change:")
            ));
        } else {
            out.push_str(&paint(BOLD, "Generated files that change:"));
            out.push('\n');
            for file in &self.files {
                out.push_str(&format!("  {file}\n"));
            }
        }
        out
    }

    /// The report as GitHub-flavored Markdown, for a pull request comment.
    pub fn markdown(&self) -> String {
        let cell = |text: &str| clean(text).replace('|', "\\|");
        let mut out = format!(
            "### apigen diff: `{}` → `{}`\n\n",
            cell(&self.old),
            cell(&self.new)
        );
        let (breaking, compatible) = (self.summary.breaking, self.summary.compatible);
        if self.changes.is_empty() {
            out.push_str("No changes to the generated Rust API.\n\n");
        } else {
            out.push_str(&format!(
                "Changes to the Rust API: **{breaking} breaking**, {compatible} compatible.\n\n"
            ));
        }
        out.push_str(&format!(
            "Semver: `{}` → `{}` (**{}**: {}).\n\n",
            cell(&self.semver.current),
            self.semver.next,
            bump_name(self.semver.bump),
            self.semver.reason
        ));
        for (impact, title) in [
            (Impact::Breaking, "Breaking changes"),
            (Impact::Compatible, "Compatible changes"),
        ] {
            let list = self.by_impact(impact);
            if list.is_empty() {
                continue;
            }
            out.push_str(&format!(
                "#### {title} ({})\n\n| Where | Change | Why |\n| --- | --- | --- |\n",
                list.len()
            ));
            for change in list {
                out.push_str(&format!(
                    "| {} | {} | {} |\n",
                    cell(&change.subject()),
                    cell(&change.message),
                    cell(&change.reason)
                ));
            }
            out.push('\n');
        }
        if self.files.is_empty() {
            out.push_str("Generated files that change: none.\n");
        } else {
            out.push_str(&format!(
                "<details><summary>Generated files that change ({})</summary>\n\n",
                self.files.len()
            ));
            for file in &self.files {
                out.push_str(&format!("- `{file}`\n"));
            }
            out.push_str("\n</details>\n");
        }
        out
    }

    /// The report as pretty-printed JSON (see [`Report`] for the schema).
    pub fn json(&self) -> Result<String, Error> {
        serde_json::to_string_pretty(self)
            .map(|mut text| {
                text.push('\n');
                text
            })
            .map_err(|e| Diagnostic::error(format!("cannot write the report as JSON: {e}")).into())
    }
}

fn bump_name(bump: Bump) -> &'static str {
    match bump {
        Bump::None => "none",
        Bump::Patch => "patch",
        Bump::Minor => "minor",
        Bump::Major => "major",
    }
}
