//! `cargo xtask man [--dir DIR]`: the CLI's man pages, one per command, into DIR (default
//! `target/man/man1`), written by the CLI itself (`offerkit man --dir`), so there is one
//! generator.

use std::path::PathBuf;
use std::process::Command;

use crate::metadata::workspace_root;

/// Runs the task.
pub fn run(args: &[String]) -> Result<(), String> {
    let dir = match args {
        [] => workspace_root().join("target/man/man1"),
        [flag, dir] if flag == "--dir" => PathBuf::from(dir),
        _ => return Err("usage: cargo xtask man [--dir DIR]".to_owned()),
    };
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(workspace_root())
        .args([
            "run",
            "--quiet",
            "--package",
            "offerkit-cli",
            "--bin",
            "offerkit",
            "--",
        ])
        .arg("man")
        .arg("--dir")
        .arg(&dir)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "`offerkit man --dir {}` failed: {status}",
            dir.display()
        ))
    }
}
