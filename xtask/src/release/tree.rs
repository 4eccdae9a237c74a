//! The clean-tree check: a release is cut from committed sources only.

use std::path::Path;
use std::process::Command;

/// The paths `git status --porcelain` reports as changed, added or untracked, except those under `target/`.
pub fn dirty_paths(porcelain: &str) -> Vec<String> {
    porcelain
        .lines()
        .filter_map(|line| line.get(3..))
        // A rename reads `old -> new`: the new path is the one in the tree.
        .map(|path| {
            path.rsplit(" -> ")
                .next()
                .unwrap_or(path)
                .trim_matches('"')
                .to_owned()
        })
        .filter(|path| !path.is_empty() && !path.starts_with("target/") && path != "target")
        .collect()
}

/// Fails naming the dirty paths when the work tree at `root` has uncommitted changes.
pub fn check_clean(root: &Path) -> Result<(), String> {
    let output = Command::new("git")
        .args(["status", "--porcelain=v1", "--untracked-files=all"])
        .current_dir(root)
        .output()
        .map_err(|e| format!("could not run `git status`: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "`git status` failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let dirty = dirty_paths(&String::from_utf8_lossy(&output.stdout));
    if dirty.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "the work tree is not clean (commit or stash first, or pass --allow-dirty):\n  {}",
            dirty.join("\n  ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_changed_and_untracked_paths_but_not_target() {
        let porcelain = " M Cargo.toml\n?? CHANGELOG.md\n?? target/debug/x\nR  old.rs -> new.rs\nA  \"a b.rs\"\n";
        assert_eq!(
            dirty_paths(porcelain),
            ["Cargo.toml", "CHANGELOG.md", "new.rs", "a b.rs"]
        );
        assert!(dirty_paths("").is_empty());
    }
}
