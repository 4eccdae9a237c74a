//! Reading the workspace through `cargo metadata`.
//!
//! `cargo metadata --no-deps` resolves workspace inheritance (`version.workspace = true` and friends) and lists
//! every member's declared dependencies without resolving the dependency graph, so it never touches
//! `Cargo.lock`: safe to run while other people edit the workspace.

// The package metadata fields and the crate-root helpers are read by the tidy tests only.
#![cfg_attr(not(test), allow(dead_code))]

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;

/// The part of `cargo metadata --format-version 1 --no-deps` that xtask reads.
#[derive(Debug, Deserialize)]
pub struct Metadata {
    /// Every workspace member (with `--no-deps`, only members are listed; [`Metadata::load_resolved`] lists
    /// every package of the resolved graph).
    pub packages: Vec<Package>,
}

/// One workspace member.
#[derive(Debug, Deserialize)]
pub struct Package {
    /// Package name, e.g. `offerkit-models`.
    pub name: String,
    /// Resolved version (inherited from `[workspace.package]` where declared so).
    pub version: String,
    /// Path of the package's `Cargo.toml`.
    pub manifest_path: PathBuf,
    /// `None` when the package may be published anywhere; `Some([])` for `publish = false`.
    pub publish: Option<Vec<String>>,
    /// `package.description`.
    pub description: Option<String>,
    /// `package.license` (an SPDX expression).
    pub license: Option<String>,
    /// `package.license-file`, for packages whose licence has no SPDX expression.
    #[serde(default)]
    pub license_file: Option<PathBuf>,
    /// Where the package comes from (`registry+...`, `git+...`); `None` for a path package such as a
    /// workspace member.
    #[serde(default)]
    pub source: Option<String>,
    /// `package.repository`.
    pub repository: Option<String>,
    /// `package.readme`, as declared (relative to the package folder).
    pub readme: Option<PathBuf>,
    /// `package.keywords`.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// `package.categories`.
    #[serde(default)]
    pub categories: Vec<String>,
    /// `package.rust-version`.
    pub rust_version: Option<String>,
    /// Declared dependencies of every kind.
    #[serde(default)]
    pub dependencies: Vec<Dependency>,
    /// Library, binary, test... targets.
    #[serde(default)]
    pub targets: Vec<Target>,
}

/// One declared dependency of a package.
#[derive(Debug, Deserialize)]
pub struct Dependency {
    /// The dependency's package name.
    pub name: String,
    /// Version requirement; `*` when none was given.
    pub req: String,
    /// `None` for a normal dependency, `Some("dev")` or `Some("build")` otherwise.
    pub kind: Option<String>,
}

/// The kind of a [`Dependency`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DepKind {
    /// `[dependencies]`.
    Normal,
    /// `[build-dependencies]`.
    Build,
    /// `[dev-dependencies]`.
    Dev,
}

impl Dependency {
    /// The dependency's kind.
    pub fn dep_kind(&self) -> DepKind {
        match self.kind.as_deref() {
            Some("dev") => DepKind::Dev,
            Some("build") => DepKind::Build,
            _ => DepKind::Normal,
        }
    }
}

/// One build target of a package.
#[derive(Debug, Deserialize)]
pub struct Target {
    /// Target kinds, e.g. `["lib"]` or `["bin"]`.
    pub kind: Vec<String>,
    /// The target's root source file.
    pub src_path: PathBuf,
}

impl Package {
    /// Whether `cargo publish` may publish this package (`publish` not set to `false`).
    pub fn is_publishable(&self) -> bool {
        self.publish
            .as_ref()
            .is_none_or(|registries| !registries.is_empty())
    }

    /// The folder holding the package's `Cargo.toml`.
    pub fn dir(&self) -> &Path {
        self.manifest_path.parent().unwrap_or(Path::new("."))
    }

    /// The root source file of the library target, or of the first binary target when there is no library.
    pub fn crate_root(&self) -> Option<&Path> {
        let find = |kind: &str| {
            self.targets
                .iter()
                .find(|t| t.kind.iter().any(|k| k == kind))
        };
        find("lib")
            .or_else(|| find("bin"))
            .map(|t| t.src_path.as_path())
    }
}

impl Metadata {
    /// Runs `cargo metadata --no-deps` for the workspace whose root manifest is in `root`.
    pub fn load(root: &Path) -> Result<Self, String> {
        Self::run(root, &["--no-deps"])
    }

    /// Runs a full `cargo metadata` for the workspace at `root`, offline and from the lockfile as it is
    /// (`--offline --locked`), with the dependencies of this machine's platform (`--filter-platform HOST`):
    /// what `cargo build` here already downloaded. Without the filter cargo wants every platform's packages
    /// (Windows-only crates, say), which a fresh checkout that only built here does not have.
    pub fn load_resolved(root: &Path) -> Result<Self, String> {
        let host = host_triple()?;
        Self::run(root, &["--offline", "--locked", "--filter-platform", &host])
    }

    /// Runs a full `cargo metadata` for the workspace at `root` from the lockfile as it is (`--locked`), every
    /// platform's dependencies included: cargo downloads the packages it lacks (network), so this is for
    /// `cargo xtask licenses`, never for a test.
    pub fn load_resolved_all_platforms(root: &Path) -> Result<Self, String> {
        Self::run(root, &["--locked"])
    }

    /// `cargo metadata --format-version 1 FLAGS --manifest-path ROOT/Cargo.toml`, parsed.
    fn run(root: &Path, flags: &[&str]) -> Result<Self, String> {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let output = Command::new(cargo)
            .args(["metadata", "--format-version", "1"])
            .args(flags)
            .arg("--manifest-path")
            .arg(root.join("Cargo.toml"))
            .output()
            .map_err(|e| format!("could not run `cargo metadata`: {e}"))?;
        if !output.status.success() {
            return Err(format!(
                "`cargo metadata {}` failed: {}",
                flags.join(" "),
                String::from_utf8_lossy(&output.stderr).trim()
            ));
        }
        Self::parse(&output.stdout)
    }

    /// Parses the JSON printed by `cargo metadata --format-version 1`.
    pub fn parse(json: &[u8]) -> Result<Self, String> {
        serde_json::from_slice(json)
            .map_err(|e| format!("could not read `cargo metadata` output: {e}"))
    }

    /// The packages `cargo publish` may publish, in `cargo metadata` order.
    pub fn publishable(&self) -> Vec<&Package> {
        self.packages
            .iter()
            .filter(|p| p.is_publishable())
            .collect()
    }

    /// The workspace member called `name`.
    pub fn package(&self, name: &str) -> Option<&Package> {
        self.packages.iter().find(|p| p.name == name)
    }
}

/// The workspace root, found from this crate's own location (`xtask/` sits directly under it).
pub fn workspace_root() -> PathBuf {
    let xtask_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    xtask_dir.parent().unwrap_or(xtask_dir).to_path_buf()
}

/// The host target triple, from `rustc -vV` (`host: x86_64-unknown-linux-gnu`).
fn host_triple() -> Result<String, String> {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let output = Command::new(rustc)
        .arg("-vV")
        .output()
        .map_err(|e| format!("could not run `rustc -vV`: {e}"))?;
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .map(|h| h.trim().to_owned())
        .ok_or_else(|| "`rustc -vV` printed no `host:` line".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_real_workspace() {
        let metadata = Metadata::load(&workspace_root()).unwrap();
        let names: Vec<&str> = metadata
            .publishable()
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        assert!(names.contains(&"offerkit-models"));
        assert!(names.contains(&"offerkit-cli"));
        assert!(!names.contains(&"xtask"), "xtask is publish = false");
        assert!(
            !names.contains(&"offerkit-tests"),
            "offerkit-tests is publish = false"
        );
    }

    #[test]
    fn parses_publish_and_dependency_kinds() {
        let json = br#"{"workspace_root": "/w", "packages": [
            {"name": "a", "version": "0.1.0", "manifest_path": "/w/a/Cargo.toml", "publish": [],
             "description": null, "license": null, "repository": null, "readme": null, "rust_version": null,
             "dependencies": [{"name": "b", "req": "*", "kind": "dev", "path": "/w/b"}], "targets": []},
            {"name": "b", "version": "0.1.0", "manifest_path": "/w/b/Cargo.toml", "publish": null,
             "description": "d", "license": "MIT", "repository": "r", "readme": "README.md",
             "rust_version": "1.88", "keywords": ["k"], "categories": ["c"],
             "dependencies": [{"name": "serde", "req": "^1", "kind": null}],
             "targets": [{"kind": ["lib"], "src_path": "/w/b/src/lib.rs"}]}
        ]}"#;
        let metadata = Metadata::parse(json).unwrap();
        assert!(!metadata.packages[0].is_publishable());
        assert!(metadata.packages[1].is_publishable());
        assert_eq!(
            metadata.packages[0].dependencies[0].dep_kind(),
            DepKind::Dev
        );
        assert_eq!(
            metadata.packages[1].dependencies[0].dep_kind(),
            DepKind::Normal
        );
        assert_eq!(
            metadata.packages[1].crate_root(),
            Some(Path::new("/w/b/src/lib.rs"))
        );
        assert_eq!(metadata.packages[1].dir(), Path::new("/w/b"));
    }
}
