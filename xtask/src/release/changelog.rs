//! The CHANGELOG.md check: a release needs a section for its version.

use super::version::Version;

/// Whether `changelog` has a second-level heading for `version`: `## [X.Y.Z]` or `## X.Y.Z`, optionally followed
/// by more text such as ` - 2026-01-31`.
pub fn has_section(changelog: &str, version: Version) -> bool {
    let version = version.to_string();
    changelog.lines().any(|line| {
        let Some(heading) = line.strip_prefix("## ") else {
            return false;
        };
        let heading = heading.trim_start();
        match heading.strip_prefix('[') {
            Some(bracketed) => bracketed
                .strip_prefix(version.as_str())
                .is_some_and(|rest| rest.starts_with(']')),
            None => heading
                .strip_prefix(version.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(char::is_whitespace)),
        }
    })
}

/// Checks [`has_section`], with an error that says what to add.
pub fn check(changelog: &str, version: Version) -> Result<(), String> {
    if has_section(changelog, version) {
        Ok(())
    } else {
        Err(format!(
            "CHANGELOG.md has no section for {version}: add a `## [{version}] - YYYY-MM-DD` heading"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
        Version::parse(text).unwrap()
    }

    #[test]
    fn accepts_bracketed_and_plain_headings() {
        assert!(has_section(
            "# Changelog\n\n## [0.1.0] - 2026-01-31\n",
            v("0.1.0")
        ));
        assert!(has_section("## [0.1.0]\n", v("0.1.0")));
        assert!(has_section("## 0.1.0\n", v("0.1.0")));
        assert!(has_section("## 0.1.0 (2026-01-31)\n", v("0.1.0")));
    }

    #[test]
    fn rejects_other_versions_and_levels() {
        let text = "## [Unreleased]\n## [0.1.01]\n## 0.1.00\n### [0.2.0]\n# 0.2.0\n- 0.2.0\n## [0.2.0-rc.1]\n";
        assert!(!has_section(text, v("0.2.0")));
        assert!(!has_section(text, v("0.1.0")));
        assert!(check(text, v("0.2.0")).unwrap_err().contains("0.2.0"));
    }

    #[test]
    fn the_real_changelog_has_the_current_version() {
        let root = crate::metadata::workspace_root();
        let changelog = std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap();
        let metadata = crate::metadata::Metadata::load(&root).unwrap();
        let models = metadata.package("offerkit-models").unwrap();
        check(&changelog, v(&models.version)).unwrap();
        assert!(changelog.contains("## [Unreleased]"));
    }
}
