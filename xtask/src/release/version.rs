//! Release versions: validating `X.Y.Z` and setting it in the root `Cargo.toml` in lockstep.

use std::fmt;

use toml_edit::{DocumentMut, Item, Value};

/// A release version `MAJOR.MINOR.PATCH` (plain numbers, no pre-release or build suffix).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version {
    /// `X` in `X.Y.Z`.
    pub major: u64,
    /// `Y` in `X.Y.Z`.
    pub minor: u64,
    /// `Z` in `X.Y.Z`.
    pub patch: u64,
}

impl Version {
    /// Parses `X.Y.Z`: three decimal numbers without leading zeros, as semver requires.
    pub fn parse(text: &str) -> Result<Self, String> {
        let invalid = |why: &str| format!("`{text}` is not a release version X.Y.Z ({why})");
        let parts: Vec<&str> = text.split('.').collect();
        let [major, minor, patch] = parts.as_slice() else {
            return Err(invalid("expected three numbers separated by dots"));
        };
        let number = |part: &str| -> Result<u64, String> {
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid("each part must be a decimal number"));
            }
            if part.len() > 1 && part.starts_with('0') {
                return Err(invalid("numbers must not have leading zeros"));
            }
            part.parse().map_err(|_| invalid("number too large"))
        };
        Ok(Self {
            major: number(major)?,
            minor: number(minor)?,
            patch: number(patch)?,
        })
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// One version field changed by [`set_workspace_version`].
#[derive(Debug, PartialEq, Eq)]
pub struct Change {
    /// TOML path of the field, e.g. `workspace.dependencies.offerkit-models.version`.
    pub field: String,
    /// The value before the change.
    pub old: String,
}

/// Sets `workspace.package.version` and the `version` of every `[workspace.dependencies]` entry that is a path
/// dependency on one of `crates` to `version`, keeping the rest of the file byte for byte.
///
/// Returns the new manifest text and the fields whose value changed.
pub fn set_workspace_version(
    manifest: &str,
    version: Version,
    crates: &[&str],
) -> Result<(String, Vec<Change>), String> {
    let mut doc: DocumentMut = manifest
        .parse()
        .map_err(|e| format!("root Cargo.toml is not valid TOML: {e}"))?;
    let new = version.to_string();
    let mut changes = Vec::new();

    let workspace = doc
        .get_mut("workspace")
        .and_then(Item::as_table_like_mut)
        .ok_or("root Cargo.toml has no [workspace] table")?;
    let package = workspace
        .get_mut("package")
        .and_then(Item::as_table_like_mut)
        .ok_or("root Cargo.toml has no [workspace.package] table")?;
    let field = package
        .get_mut("version")
        .ok_or("[workspace.package] has no `version`")?;
    if let Some(old) = replace_string(field, &new)? {
        changes.push(Change {
            field: "workspace.package.version".to_owned(),
            old,
        });
    }

    let deps = workspace
        .get_mut("dependencies")
        .and_then(Item::as_table_like_mut)
        .ok_or("root Cargo.toml has no [workspace.dependencies] table")?;
    for name in crates {
        let Some(dep) = deps.get_mut(name).and_then(Item::as_table_like_mut) else {
            continue;
        };
        if !dep.contains_key("path") {
            continue;
        }
        let field = dep.get_mut("version").ok_or_else(|| {
            format!("[workspace.dependencies] `{name}` has a path but no version")
        })?;
        if let Some(old) = replace_string(field, &new)? {
            changes.push(Change {
                field: format!("workspace.dependencies.{name}.version"),
                old,
            });
        }
    }
    Ok((doc.to_string(), changes))
}

/// Replaces a string value keeping its surrounding whitespace and comments; returns the old value if it changed.
fn replace_string(item: &mut Item, new: &str) -> Result<Option<String>, String> {
    let Some(value) = item.as_value_mut() else {
        return Err("a version field is not a plain value".to_owned());
    };
    let Some(old) = value.as_str().map(str::to_owned) else {
        return Err(format!("a version field is not a string: {value}"));
    };
    if old == new {
        return Ok(None);
    }
    let decor = value.decor().clone();
    let mut replacement = Value::from(new);
    *replacement.decor_mut() = decor;
    *value = replacement;
    Ok(Some(old))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &str = r#"[workspace]
members = ["crates/a", "crates/b"]

[workspace.package]
version = "0.1.0" # the release version
edition = "2024"

[workspace.dependencies]
# Workspace crates.
offerkit-a = { path = "crates/a", version = "0.1.0", default-features = false }
offerkit-b = { path = "crates/b",   version = "0.1.0" }
serde = { version = "1", features = ["derive"] }
"#;

    #[test]
    fn parses_release_versions() {
        assert_eq!(
            Version::parse("0.1.0").unwrap(),
            Version {
                major: 0,
                minor: 1,
                patch: 0
            }
        );
        assert_eq!(Version::parse("10.20.30").unwrap().to_string(), "10.20.30");
        for bad in [
            "",
            "1",
            "1.2",
            "1.2.3.4",
            "v1.2.3",
            "1.02.3",
            "1.2.x",
            "1..3",
            "1.2.3-rc.1",
            " 1.2.3",
        ] {
            assert!(Version::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn sets_every_version_and_keeps_the_rest() {
        let version = Version::parse("0.2.0").unwrap();
        let (text, changes) =
            set_workspace_version(MANIFEST, version, &["offerkit-a", "offerkit-b"]).unwrap();
        let expected = MANIFEST.replace("\"0.1.0\"", "\"0.2.0\"");
        assert_eq!(text, expected);
        let fields: Vec<&str> = changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "workspace.package.version",
                "workspace.dependencies.offerkit-a.version",
                "workspace.dependencies.offerkit-b.version"
            ]
        );
        assert!(changes.iter().all(|c| c.old == "0.1.0"));
    }

    #[test]
    fn same_version_changes_nothing() {
        let version = Version::parse("0.1.0").unwrap();
        let (text, changes) =
            set_workspace_version(MANIFEST, version, &["offerkit-a", "offerkit-b"]).unwrap();
        assert_eq!(text, MANIFEST);
        assert!(changes.is_empty());
    }

    #[test]
    fn leaves_third_party_dependencies_alone() {
        let version = Version::parse("1.0.0").unwrap();
        let (text, _) = set_workspace_version(MANIFEST, version, &["serde", "offerkit-a"]).unwrap();
        assert!(text.contains(r#"serde = { version = "1", features = ["derive"] }"#));
        assert!(text.contains(r#"offerkit-b = { path = "crates/b",   version = "0.1.0" }"#));
    }

    #[test]
    fn rejects_a_path_dependency_without_version() {
        let manifest = MANIFEST.replace(r#", version = "0.1.0", default"#, ", default");
        let err =
            set_workspace_version(&manifest, Version::parse("0.2.0").unwrap(), &["offerkit-a"])
                .unwrap_err();
        assert!(err.contains("offerkit-a"), "{err}");
    }

    #[test]
    fn works_on_a_copy_of_the_real_manifest() {
        let root = crate::metadata::workspace_root();
        let original = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let copy = dir.path().join("Cargo.toml");
        std::fs::write(&copy, &original).unwrap();

        let crates = [
            "offerkit-models",
            "offerkit-transport",
            "offerkit",
            "offerkit-cli",
        ];
        let (text, changes) = set_workspace_version(
            &std::fs::read_to_string(&copy).unwrap(),
            Version::parse("9.8.7").unwrap(),
            &crates,
        )
        .unwrap();
        std::fs::write(&copy, &text).unwrap();

        assert_eq!(changes[0].field, "workspace.package.version");
        // Every other change is the version of one of the named crates' workspace dependency
        // entries (a crate without such an entry, e.g. a binary nobody depends on, has none).
        for change in &changes[1..] {
            assert!(
                crates
                    .iter()
                    .any(|c| change.field == format!("workspace.dependencies.{c}.version")),
                "unexpected change {change:?}"
            );
        }
        // Exactly one line per change, nothing else touched.
        let changed_lines = original
            .lines()
            .zip(text.lines())
            .filter(|(a, b)| a != b)
            .count();
        assert_eq!(changed_lines, changes.len(), "{changes:?}");
        assert_eq!(original.lines().count(), text.lines().count());
    }
}
