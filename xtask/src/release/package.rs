//! The dry run's packaging step, done on a copy of the workspace so the real tree is never touched.
//!
//! All crates are packaged by one `cargo package -p A -p B ...` call (named in publish order): cargo (1.90+)
//! packages them into a temporary local registry that overlays crates.io, so a crate depending on a
//! not-yet-published workspace crate verifies against the packaged one. Packaging crates one by one cannot
//! work before the first release (a dependent crate would look its workspace dependencies up on crates.io).
//! Cargo verifies in its own dependency order (a topological order too, though not always ours: ties differ)
//! and stops at the first failure; the last `Packaging`/`Verifying` line it printed, or the crate folder its
//! error names, tells which crate failed.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// How many lines of cargo's output a failure report quotes.
const TAIL_LINES: usize = 25;

/// Copies the files git would see (tracked plus untracked-but-not-ignored, so `target/` is left out) from
/// `root` into `dest`, which must not exist yet.
pub fn copy_workspace(root: &Path, dest: &Path) -> Result<usize, String> {
    let output = Command::new("git")
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .current_dir(root)
        .output()
        .map_err(|e| format!("could not run `git ls-files`: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "`git ls-files` failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let listing = String::from_utf8_lossy(&output.stdout);
    let mut copied = 0;
    for relative in listing.split('\0').filter(|p| !p.is_empty()) {
        let from = root.join(relative);
        // Deleted in the work tree but still in the index: the copy follows the work tree.
        if !from.is_file() {
            continue;
        }
        let to = dest.join(relative);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("could not create {}: {e}", parent.display()))?;
        }
        std::fs::copy(&from, &to).map_err(|e| format!("could not copy {relative}: {e}"))?;
        copied += 1;
    }
    Ok(copied)
}

/// The crate a cargo progress line is about: `Packaging NAME vX.Y.Z (...)` or `Verifying NAME vX.Y.Z (...)`.
pub fn progress_crate(line: &str) -> Option<&str> {
    let mut words = line.split_whitespace();
    match words.next() {
        Some("Packaging" | "Verifying") => words.next(),
        _ => None,
    }
}

/// A failed packaging run: which crate, and why.
#[derive(Debug, PartialEq, Eq)]
pub struct Failure {
    /// The crate cargo was packaging or verifying when it failed, or whose folder its error names
    /// (`None` when neither tells).
    pub krate: Option<String>,
    /// The crates cargo verified before the failure (each `Verifying` line followed by another).
    pub verified: Vec<String>,
    /// The end of cargo's output, errors first.
    pub reason: String,
}

/// Whether `line` mentions the folder `dir` itself or a path inside it.
fn mentions_dir(line: &str, dir: &Path) -> bool {
    let dir = dir.to_string_lossy();
    line.match_indices(dir.as_ref()).any(|(at, _)| {
        line[at + dir.len()..]
            .chars()
            .next()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '-' || c == '_'))
    })
}

/// Reads cargo's output after a failed `cargo package` run over `crates` (name and folder of each).
pub fn failure_from_output(lines: &[String], crates: &[(String, PathBuf)]) -> Failure {
    let errors: Vec<&str> = lines
        .iter()
        .map(String::as_str)
        .filter(|l| l.starts_with("error"))
        .collect();
    // Cargo checks some things (such as readmes) for every crate before packaging any: then the error
    // names the crate's folder instead of a progress line.
    let named_by_error = || {
        errors.iter().find_map(|line| {
            crates
                .iter()
                .find(|(_, dir)| mentions_dir(line, dir))
                .map(|(n, _)| n.clone())
        })
    };
    let krate = lines
        .iter()
        .rev()
        .find_map(|l| progress_crate(l))
        .map(str::to_owned)
        .or_else(named_by_error);
    let mut verified: Vec<String> = lines
        .iter()
        .filter(|l| l.starts_with("Verifying"))
        .filter_map(|l| progress_crate(l))
        .map(str::to_owned)
        .collect();
    // The last crate cargo started verifying is the one that failed.
    if verified.last() == krate.as_ref() {
        verified.pop();
    }
    let start = lines.len().saturating_sub(TAIL_LINES);
    // Short output is quoted whole; long output (a build) gets its error lines first, then its tail.
    let mut reason = if start == 0 {
        String::new()
    } else {
        errors.join("\n")
    };
    if !reason.is_empty() {
        reason.push_str("\n--- last lines of cargo's output ---\n");
    }
    reason.push_str(&lines[start..].join("\n"));
    Failure {
        krate,
        verified,
        reason,
    }
}

/// Runs `cargo package` for `crates` (name and folder, in publish order) in the workspace at `root`, echoing
/// cargo's output as it comes.
///
/// Returns the paths of the `.crate` files, or the first failure.
pub fn package_all(
    root: &Path,
    crates: &[(String, PathBuf)],
    version: &str,
    target_dir: &Path,
) -> Result<Vec<PathBuf>, Failure> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut command = Command::new(cargo);
    command
        .arg("package")
        .arg("--color")
        .arg("never")
        .arg("--manifest-path")
        .arg(root.join("Cargo.toml"));
    command.arg("--target-dir").arg(target_dir);
    for (name, _) in crates {
        command.arg("-p").arg(name);
    }
    command
        .current_dir(root)
        .stdout(Stdio::inherit())
        .stderr(Stdio::piped());
    let not_run = |e: std::io::Error| Failure {
        krate: None,
        verified: Vec::new(),
        reason: format!("could not run `cargo package`: {e}"),
    };
    let mut child = command.spawn().map_err(not_run)?;
    let mut lines = Vec::new();
    if let Some(stderr) = child.stderr.take() {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            eprintln!("    | {line}");
            lines.push(line.trim_start().to_owned());
        }
    }
    let status = child.wait().map_err(not_run)?;
    if !status.success() {
        return Err(failure_from_output(&lines, crates));
    }
    Ok(crates
        .iter()
        .map(|(name, _)| {
            target_dir
                .join("package")
                .join(format!("{name}-{version}.crate"))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(|l| l.trim_start().to_owned()).collect()
    }

    #[test]
    fn reads_progress_lines() {
        assert_eq!(
            progress_crate("   Packaging offerkit-models v0.1.0 (/w/crates/models)"),
            Some("offerkit-models")
        );
        assert_eq!(
            progress_crate("Verifying offerkit v0.1.0 (/w/crates/offerkit)"),
            Some("offerkit")
        );
        assert_eq!(progress_crate("Compiling serde v1.0.0"), None);
    }

    #[test]
    fn names_the_crate_being_verified_when_cargo_failed() {
        let output = lines(
            "   Packaging offerkit-models v0.1.0 (/w/crates/models)\n\
             \x20   Packaged 4 files\n\
             \x20  Verifying offerkit-models v0.1.0 (/w/crates/models)\n\
             \x20  Verifying offerkit-transport v0.1.0 (/w/crates/transport)\n\
             \x20  Compiling offerkit-transport v0.1.0\n\
             error[E0425]: cannot find function `nope`\n\
             error: failed to verify package tarball\n",
        );
        let failure = failure_from_output(&output, &[]);
        assert_eq!(failure.krate.as_deref(), Some("offerkit-transport"));
        assert_eq!(failure.verified, ["offerkit-models"]);
        assert_eq!(
            failure.reason,
            output.join("\n"),
            "short output is quoted whole"
        );

        let mut long = output.clone();
        long.extend((0..40).map(|i| format!("note: line {i}")));
        let failure = failure_from_output(&long, &[]);
        assert!(
            failure
                .reason
                .starts_with("error[E0425]: cannot find function `nope`\nerror: failed to verify"),
            "{}",
            failure.reason
        );
        assert!(failure.reason.ends_with("note: line 39"));
    }

    #[test]
    fn a_failure_before_any_crate_has_no_name() {
        let failure = failure_from_output(&lines("error: no such package"), &[]);
        assert_eq!(failure.krate, None);
        assert!(failure.reason.contains("no such package"));
    }

    #[test]
    fn names_the_crate_whose_folder_an_early_error_mentions() {
        let crates = [
            ("offerkit".to_owned(), PathBuf::from("/t/crates/offerkit")),
            (
                "offerkit-appcharge".to_owned(),
                PathBuf::from("/t/crates/appcharge"),
            ),
        ];
        let output = lines(
            "error: readme `README.md` does not appear to exist (relative to `/t/crates/appcharge`).\n\
             Please update the readme setting in the manifest at `/t/crates/appcharge/Cargo.toml`.",
        );
        let failure = failure_from_output(&output, &crates);
        assert_eq!(failure.krate.as_deref(), Some("offerkit-appcharge"));
        assert!(failure.verified.is_empty());
        assert!(mentions_dir(
            "at `/t/crates/offerkit/Cargo.toml`",
            &crates[0].1
        ));
        assert!(!mentions_dir(
            "at `/t/crates/offerkit-x/Cargo.toml`",
            &crates[0].1
        ));
    }
}
