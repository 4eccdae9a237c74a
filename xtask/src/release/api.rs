//! The API-compatibility step: `cargo semver-checks` of each crate against its latest published version.
//!
//! It needs two things this machine may not have: the cargo-semver-checks tool and a published baseline on
//! crates.io (which the tool downloads). Without the tool, the step says so and the release goes on; a crate
//! that was never published has no baseline, and the step says that too. Only a real finding (an API change
//! that the new version number does not allow) stops the release.

use std::path::Path;
use std::process::Command;

/// What the check said about one crate.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The API changes fit the new version number.
    Compatible,
    /// Not on the registry yet: nothing to compare with.
    NeverPublished,
    /// A change the version number does not allow; cargo-semver-checks' report.
    Breaking(String),
    /// The tool could not run the comparison (e.g. no network to fetch the baseline); its output.
    NotChecked(String),
}

/// Reads the exit status and output of `cargo semver-checks check-release -p NAME`.
pub fn verdict(success: bool, output: &str) -> Verdict {
    let lower = output.to_lowercase();
    if success {
        Verdict::Compatible
    } else if lower.contains("not found in registry")
        || lower.contains("no crates with library targets")
        || (lower.contains("not found") && lower.contains("registry"))
        || lower.contains("no published version")
    {
        Verdict::NeverPublished
    } else if lower.contains("semver requires new") {
        Verdict::Breaking(output.trim().to_owned())
    } else {
        Verdict::NotChecked(output.trim().to_owned())
    }
}

/// Whether `cargo semver-checks` is installed.
fn installed() -> bool {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    Command::new(cargo)
        .args(["semver-checks", "--version"])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Runs the check for every crate in `order` of the workspace at `root` (whose manifest already carries the
/// new version), printing one line per crate. Fails only on [`Verdict::Breaking`].
pub fn check(root: &Path, order: &[String]) -> Result<(), String> {
    if !installed() {
        eprintln!(
            "- API compatibility: NOT CHECKED: cargo-semver-checks is not installed \
             (`cargo install cargo-semver-checks --locked`). Until a version is published there is no \
             baseline anyway (none of these crates is on crates.io yet)."
        );
        return Ok(());
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    eprintln!("- API compatibility (cargo semver-checks against the latest published version):");
    let mut breaking = Vec::new();
    for name in order {
        let output = Command::new(&cargo)
            .args([
                "semver-checks",
                "check-release",
                "-p",
                name,
                "--manifest-path",
            ])
            .arg(root.join("Cargo.toml"))
            .output()
            .map_err(|e| format!("could not run `cargo semver-checks`: {e}"))?;
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        match verdict(output.status.success(), &text) {
            Verdict::Compatible => eprintln!("    {name}: compatible with the new version number"),
            Verdict::NeverPublished => {
                eprintln!("    {name}: never published, no baseline to compare with")
            }
            Verdict::NotChecked(why) => eprintln!(
                "    {name}: NOT CHECKED ({})",
                why.lines().last().unwrap_or("no output")
            ),
            Verdict::Breaking(report) => {
                eprintln!("    {name}: BREAKING");
                breaking.push(format!("{name}:\n{report}"));
            }
        }
    }
    if breaking.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "API changes the new version number does not allow (raise it, or undo them):\n{}",
            breaking.join("\n")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_tools_answers() {
        assert_eq!(
            verdict(true, "Summary no semver update required"),
            Verdict::Compatible
        );
        assert_eq!(
            verdict(
                false,
                "error: offerkit-models not found in registry (crates.io)."
            ),
            Verdict::NeverPublished
        );
        let breaking = "--- failure enum_variant_added ---\n     Summary semver requires new major version: 1 major and 0 minor checks failed";
        assert!(
            matches!(verdict(false, breaking), Verdict::Breaking(r) if r.contains("enum_variant_added"))
        );
        assert!(matches!(
            verdict(false, "error: failed to fetch `https://index.crates.io/config.json`"),
            Verdict::NotChecked(why) if why.contains("failed to fetch")
        ));
    }
}
