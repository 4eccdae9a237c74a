//! `cargo xtask release [--dry-run] [--allow-dirty] X.Y.Z`: cut a lockstep release of every publishable crate.
//!
//! Steps: validate the version; (real run only) require a registry token; require a clean tree; compute the
//! publish order from `cargo metadata`; require a CHANGELOG.md section; then
//! - dry run: copy the workspace to a temporary folder, set the version there, check every crate picked it up,
//!   and `cargo package` all crates in order (stopping at the first failure). The real tree is never modified.
//! - real run: set the version in the root `Cargo.toml`, then `cargo publish` each crate in order, waiting for
//!   it to be visible before the next. The bump stays in the tree for the user to commit and tag.
//!
//! Both runs check API compatibility against the latest published version with cargo-semver-checks when it
//! is installed ([`api`]): the dry run on the copy after packaging, the real run before publishing. Without the
//! tool, or for a crate never published, it says so plainly and goes on.

mod api;
mod changelog;
mod order;
mod package;
mod publish;
mod tree;
mod version;

use std::path::{Path, PathBuf};

use crate::metadata::{Metadata, workspace_root};
use version::Version;

/// Parsed command-line options of the release task.
#[derive(Debug, PartialEq, Eq)]
pub struct Options {
    /// Package only; publish nothing and leave the tree as it was.
    pub dry_run: bool,
    /// Skip the clean-tree check (for local testing).
    pub allow_dirty: bool,
    /// The version to release.
    pub version: Version,
}

/// The usage line of the task.
const USAGE: &str = "usage: cargo xtask release [--dry-run] [--allow-dirty] X.Y.Z";

impl Options {
    /// Parses the arguments after `release`.
    pub fn parse(args: &[String]) -> Result<Self, String> {
        let (mut dry_run, mut allow_dirty, mut version) = (false, false, None);
        for arg in args {
            match arg.as_str() {
                "--dry-run" => dry_run = true,
                "--allow-dirty" => allow_dirty = true,
                flag if flag.starts_with('-') => {
                    return Err(format!("unknown option `{flag}`; {USAGE}"));
                }
                text if version.is_none() => version = Some(Version::parse(text)?),
                extra => return Err(format!("unexpected argument `{extra}`; {USAGE}")),
            }
        }
        let version = version.ok_or_else(|| format!("missing version; {USAGE}"))?;
        Ok(Self {
            dry_run,
            allow_dirty,
            version,
        })
    }
}

/// Entry point: `args` are the arguments after `release`.
pub fn run(args: &[String]) -> Result<(), String> {
    let options = Options::parse(args)?;
    let root = workspace_root();
    let mode = if options.dry_run {
        "dry run"
    } else {
        "release"
    };
    eprintln!("{mode} of {} from {}", options.version, root.display());

    if !options.dry_run {
        publish::check_token(std::env::var(publish::TOKEN_VAR).ok().as_deref())?;
    }
    if options.allow_dirty {
        eprintln!("- clean tree: skipped (--allow-dirty)");
    } else {
        tree::check_clean(&root)?;
        eprintln!("- clean tree: ok");
    }

    let metadata = Metadata::load(&root)?;
    let order = order::publish_order(&order::graph(&metadata)?)?;
    eprintln!("- publish order: {}", order.join(", "));

    let changelog = std::fs::read_to_string(root.join("CHANGELOG.md"))
        .map_err(|e| format!("could not read CHANGELOG.md: {e}"))?;
    changelog::check(&changelog, options.version)?;
    eprintln!("- CHANGELOG.md has a section for {}", options.version);

    if options.dry_run {
        dry_run(&root, &order, options.version)
    } else {
        release(&root, &order, options)
    }
}

/// Sets `version` in the root manifest of the workspace at `root`; returns whether anything changed.
fn bump(root: &Path, order: &[String], version: Version) -> Result<bool, String> {
    let path = root.join("Cargo.toml");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("could not read {}: {e}", path.display()))?;
    let names: Vec<&str> = order.iter().map(String::as_str).collect();
    let (new_text, changes) = version::set_workspace_version(&text, version, &names)?;
    for change in &changes {
        eprintln!("    {}: {} -> {version}", change.field, change.old);
    }
    if !changes.is_empty() {
        std::fs::write(&path, new_text)
            .map_err(|e| format!("could not write {}: {e}", path.display()))?;
    }
    Ok(!changes.is_empty())
}

/// Fails unless every crate in `order` has `version` according to `cargo metadata` of the workspace at `root`;
/// returns that metadata.
fn check_lockstep(root: &Path, order: &[String], version: Version) -> Result<Metadata, String> {
    let metadata = Metadata::load(root)?;
    let wanted = version.to_string();
    let behind: Vec<String> = order
        .iter()
        .filter_map(|name| metadata.package(name))
        .filter(|p| p.version != wanted)
        .map(|p| format!("{} is at {}", p.name, p.version))
        .collect();
    if behind.is_empty() {
        Ok(metadata)
    } else {
        Err(format!(
            "not every crate inherits the workspace version ({}): use `version.workspace = true`",
            behind.join(", ")
        ))
    }
}

/// The dry run: everything on a copy of the workspace, the real tree untouched.
fn dry_run(root: &Path, order: &[String], version: Version) -> Result<(), String> {
    // Removed when dropped, whatever happens below.
    let scratch = tempfile::Builder::new()
        .prefix("offerkit-release-")
        .tempdir()
        .map_err(|e| format!("could not create a temporary folder: {e}"))?;
    let copy = scratch.path().join("workspace");
    let files = package::copy_workspace(root, &copy)?;
    eprintln!(
        "- copied {files} files to {} (the real tree is not modified)",
        copy.display()
    );
    bump(&copy, order, version)?;
    let copied = check_lockstep(&copy, order, version)?;
    eprintln!("- every publishable crate is at {version}");
    let crates: Vec<(String, PathBuf)> = order
        .iter()
        .filter_map(|name| copied.package(name))
        .map(|p| (p.name.clone(), p.dir().to_path_buf()))
        .collect();

    let target_dir = root.join("target").join("xtask-release");
    eprintln!(
        "- packaging in order with `cargo package` (target dir {}):",
        target_dir.display()
    );
    match package::package_all(&copy, &crates, &version.to_string(), &target_dir) {
        Ok(files) => {
            for file in files {
                eprintln!("    packaged {}", file.display());
            }
            api::check(&copy, order)?;
            eprintln!(
                "dry run of {version} passed; nothing was published and the work tree was left as it was"
            );
            Ok(())
        }
        Err(failure) => {
            let krate = failure.krate.as_deref().unwrap_or("an unidentified crate");
            let verified = if failure.verified.is_empty() {
                "none".to_owned()
            } else {
                failure.verified.join(", ")
            };
            Err(format!(
                "dry run stopped at {krate} (crates packaged and verified before it: {verified}); \
                 nothing was published and the work tree was left as it was.\nreason:\n{}",
                failure.reason
            ))
        }
    }
}

/// The real release: bump the root manifest in place, publish in order.
fn release(root: &Path, order: &[String], options: Options) -> Result<(), String> {
    let version = options.version;
    eprintln!("- setting {version} in Cargo.toml:");
    let bumped = bump(root, order, version)?;
    check_lockstep(root, order, version)?;
    api::check(root, order)?;
    // The only uncommitted change is our own bump (the tree was checked clean), so let cargo publish with it.
    publish::publish_all(
        root,
        order,
        &version.to_string(),
        bumped || options.allow_dirty,
    )?;
    eprintln!(
        "released {version}: {}. Now commit and tag it: git commit -am 'Release {version}' && git tag v{version}",
        order.join(", ")
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|a| (*a).to_owned()).collect()
    }

    #[test]
    fn parses_options_in_any_order() {
        let options = Options::parse(&args(&["--allow-dirty", "1.2.3", "--dry-run"])).unwrap();
        assert_eq!(
            options,
            Options {
                dry_run: true,
                allow_dirty: true,
                version: Version::parse("1.2.3").unwrap()
            }
        );
        let options = Options::parse(&args(&["0.1.0"])).unwrap();
        assert!(!options.dry_run && !options.allow_dirty);
    }

    #[test]
    fn rejects_bad_arguments() {
        assert!(
            Options::parse(&args(&[]))
                .unwrap_err()
                .contains("missing version")
        );
        assert!(
            Options::parse(&args(&["--dryrun", "0.1.0"]))
                .unwrap_err()
                .contains("--dryrun")
        );
        assert!(
            Options::parse(&args(&["0.1.0", "0.2.0"]))
                .unwrap_err()
                .contains("0.2.0")
        );
        assert!(Options::parse(&args(&["0.1"])).is_err());
    }
}
