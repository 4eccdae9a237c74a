//! Repository hygiene ("tidy") checks, run by `cargo test -p xtask`.
//!
//! Each test collects every problem it finds and fails once, listing them all, so one run shows the whole
//! to-do list. Package facts come from `cargo metadata`, which resolves workspace inheritance.

use std::path::Path;

use toml_edit::DocumentMut;

use crate::metadata::{DepKind, Metadata, Package, workspace_root};

fn metadata() -> Metadata {
    Metadata::load(&workspace_root()).expect("cargo metadata")
}

fn root_manifest() -> DocumentMut {
    let text =
        std::fs::read_to_string(workspace_root().join("Cargo.toml")).expect("read root Cargo.toml");
    text.parse().expect("root Cargo.toml is TOML")
}

fn fail_on(problems: &[String], what: &str) {
    assert!(problems.is_empty(), "{what}:\n  {}", problems.join("\n  "));
}

fn is_blank(value: Option<&String>) -> bool {
    value.is_none_or(|v| v.trim().is_empty())
}

/// Every field crates.io shows (and `cargo publish` warns about), filled in for every publishable crate.
#[test]
fn publishable_crates_have_complete_metadata() {
    let mut problems = Vec::new();
    for p in metadata().publishable() {
        let mut missing = Vec::new();
        if is_blank(p.description.as_ref()) {
            missing.push("description");
        }
        if is_blank(p.license.as_ref()) {
            missing.push("license");
        }
        if is_blank(p.repository.as_ref()) {
            missing.push("repository");
        }
        if p.readme.is_none() {
            missing.push("readme");
        }
        if p.keywords.is_empty() {
            missing.push("keywords");
        }
        if p.categories.is_empty() {
            missing.push("categories");
        }
        if is_blank(p.rust_version.as_ref()) {
            missing.push("rust-version");
        }
        if !missing.is_empty() {
            problems.push(format!("{}: missing {}", p.name, missing.join(", ")));
        }
        if p.keywords.len() > 5 {
            problems.push(format!("{}: crates.io allows at most 5 keywords", p.name));
        }
    }
    fail_on(
        &problems,
        "publishable crates with incomplete package metadata",
    );
}

/// Every publishable crate folder has the README its manifest points at (README.md when none is declared).
#[test]
fn publishable_crates_have_a_readme() {
    let problems: Vec<String> = metadata()
        .publishable()
        .iter()
        .filter_map(|p| {
            let readme = p
                .dir()
                .join(p.readme.as_deref().unwrap_or(Path::new("README.md")));
            (!readme.is_file()).then(|| format!("{}: {} does not exist", p.name, readme.display()))
        })
        .collect();
    fail_on(&problems, "crates without a README");
}

/// All publishable crates are released in lockstep, so all take the workspace version.
#[test]
fn publishable_crates_share_the_workspace_version() {
    let doc = root_manifest();
    let workspace_version = doc["workspace"]["package"]["version"]
        .as_str()
        .expect("workspace.package.version");
    let problems: Vec<String> = metadata()
        .publishable()
        .iter()
        .filter(|p| p.version != workspace_version)
        .map(|p| {
            format!(
                "{} is at {} (use `version.workspace = true`)",
                p.name, p.version
            )
        })
        .collect();
    fail_on(
        &problems,
        &format!("crates not at the workspace version {workspace_version}"),
    );
}

/// A path dependency needs a version to be publishable; `[workspace.dependencies]` is where they are declared.
#[test]
fn workspace_path_dependencies_carry_a_version() {
    let doc = root_manifest();
    let deps = doc["workspace"]["dependencies"]
        .as_table_like()
        .expect("[workspace.dependencies]");
    let problems: Vec<String> = deps
        .iter()
        .filter_map(|(name, item)| item.as_table_like().map(|t| (name, t)))
        .filter(|(_, t)| t.contains_key("path") && !t.contains_key("version"))
        .map(|(name, _)| format!("{name} has a path but no version"))
        .collect();
    fail_on(
        &problems,
        "[workspace.dependencies] path entries without a version",
    );
}

/// Publishable crates reach other workspace crates only through `[workspace.dependencies]`, never by a bare
/// path (which would either lack a version or duplicate it).
#[test]
fn normal_dependencies_on_workspace_crates_use_the_workspace_entry() {
    let metadata = metadata();
    let mut problems = Vec::new();
    for p in metadata.publishable() {
        for dep in &p.dependencies {
            if dep.dep_kind() != DepKind::Dev
                && metadata.package(&dep.name).is_some()
                && dep.req == "*"
            {
                problems.push(format!(
                    "{} -> {}: no version (use `{}.workspace = true`)",
                    p.name, dep.name, dep.name
                ));
            }
        }
    }
    fail_on(
        &problems,
        "unversioned dependencies between workspace crates",
    );
}

/// A versioned dev-dependency on a workspace crate makes `cargo publish` look it up on crates.io, which fails
/// (or cycles) when that crate is published later. Dev-dependencies on workspace crates use a bare path.
#[test]
fn dev_dependencies_on_workspace_crates_carry_no_version() {
    let metadata = metadata();
    let mut problems = Vec::new();
    for p in metadata.publishable() {
        for dep in &p.dependencies {
            // A dev-dependency that is also a normal dependency (same crate, extra features
            // such as `test-util`) is published anyway and cannot form a cycle.
            let also_normal = p
                .dependencies
                .iter()
                .any(|d| d.name == dep.name && d.dep_kind() != DepKind::Dev);
            if dep.dep_kind() == DepKind::Dev
                && metadata.package(&dep.name).is_some()
                && dep.req != "*"
                && !also_normal
            {
                problems.push(format!(
                    "{} dev-depends on {} with version `{}`: use `{} = {{ path = \"...\" }}` without a version",
                    p.name, dep.name, dep.req, dep.name
                ));
            }
        }
    }
    fail_on(&problems, "versioned dev-dependencies on workspace crates");
}

fn crate_root_text(p: &Package) -> Option<(String, String)> {
    let root = p.crate_root()?;
    let text = std::fs::read_to_string(root).ok()?;
    Some((root.display().to_string(), text))
}

/// Every crate (library root, or binary root for binary-only crates) opens with a `//!` crate doc comment.
#[test]
fn crate_roots_start_with_a_doc_comment() {
    let mut problems = Vec::new();
    for p in &metadata().packages {
        let Some((path, text)) = crate_root_text(p) else {
            problems.push(format!("{}: no readable lib.rs or main.rs", p.name));
            continue;
        };
        let first = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or("");
        if !first.starts_with("//!") && !first.starts_with("#![doc") {
            problems.push(format!(
                "{path}: first line is not a `//!` crate doc comment"
            ));
        }
    }
    fail_on(&problems, "crates without a crate doc comment");
}

/// No crate may use `unsafe`: either through the workspace lint (`unsafe_code = "forbid"` plus
/// `[lints] workspace = true`) or by `#![forbid(unsafe_code)]` in the crate root.
#[test]
fn unsafe_code_is_forbidden_everywhere() {
    let root = root_manifest();
    let workspace_forbids =
        root["workspace"]["lints"]["rust"]["unsafe_code"].as_str() == Some("forbid");
    let mut problems = Vec::new();
    for p in &metadata().packages {
        let manifest: DocumentMut = std::fs::read_to_string(&p.manifest_path)
            .expect("read crate manifest")
            .parse()
            .expect("crate manifest is TOML");
        let inherits = manifest["lints"]["workspace"].as_bool() == Some(true);
        let forbids_itself =
            crate_root_text(p).is_some_and(|(_, text)| text.contains("#![forbid(unsafe_code)]"));
        if !(forbids_itself || workspace_forbids && inherits) {
            problems.push(format!(
                "{}: neither `[lints] workspace = true` nor `#![forbid(unsafe_code)]`",
                p.name
            ));
        }
    }
    fail_on(&problems, "crates that allow unsafe code");
}

/// Every third-party package in the lockfile is under a licence of the allow-list (`xtask/src/licenses.rs`),
/// read offline from `cargo metadata`. Advisories (RustSec) are not checked: that needs a network database.
#[test]
fn dependency_licences_are_allowed() {
    let resolved = Metadata::load_resolved(&workspace_root()).expect("cargo metadata --offline");
    let third_party = resolved
        .packages
        .iter()
        .filter(|p| p.source.is_some())
        .count();
    assert!(
        third_party > 50,
        "only {third_party} third-party packages: not the resolved graph?"
    );
    fail_on(
        &crate::licenses::problems(&resolved),
        "dependencies whose licence is not allowed",
    );
}

/// Every publishable crate ships both licence texts, identical to the root's (symlinks in the crate folder,
/// which `cargo package` follows).
#[test]
fn publishable_crates_ship_both_licence_texts() {
    let root = workspace_root();
    let mut problems = Vec::new();
    for name in ["LICENSE-MIT", "LICENSE-APACHE"] {
        let want = std::fs::read(root.join(name)).expect("root licence text");
        for p in metadata().publishable() {
            match std::fs::read(p.dir().join(name)) {
                Ok(text) if text == want => {}
                Ok(_) => problems.push(format!("{}: {name} differs from the root's", p.name)),
                Err(e) => problems.push(format!("{}: no {name} ({e})", p.name)),
            }
        }
    }
    fail_on(&problems, "crates without the licence texts");
}

/// Links in crate READMEs work on crates.io and docs.rs (where the README is the crate page): absolute URLs,
/// `#anchors` or files inside the crate, never a path that leaves the crate folder.
#[test]
fn crate_readme_links_stay_inside_the_crate() {
    let mut problems = Vec::new();
    for p in metadata().publishable() {
        let readme = p
            .dir()
            .join(p.readme.as_deref().unwrap_or(Path::new("README.md")));
        let Ok(text) = std::fs::read_to_string(&readme) else {
            continue;
        };
        for (n, line) in text.lines().enumerate() {
            for (at, _) in line.match_indices("](") {
                let target = &line[at + 2..];
                if target.starts_with("../") || target.starts_with('/') {
                    let link: String = target.chars().take_while(|c| *c != ')').collect();
                    problems.push(format!(
                        "{}:{}: `{link}` leaves the crate (use https://github.com/offerkit/offerkit/blob/main/...)",
                        readme.display(),
                        n + 1
                    ));
                }
            }
        }
    }
    fail_on(&problems, "README links that break on crates.io");
}
