//! The real publish: `cargo publish` one crate at a time, waiting for each to show in the registry.
//!
//! This part talks to crates.io and cannot run in tests; everything it decides is computed (and tested)
//! elsewhere, so it stays a thin loop over commands.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// The environment variable cargo reads the crates.io token from.
pub const TOKEN_VAR: &str = "CARGO_REGISTRY_TOKEN";

/// How long to wait for a published crate to appear in the index before giving up.
const VISIBLE_TIMEOUT: Duration = Duration::from_secs(15 * 60);

/// Fails unless `token` (the value of [`TOKEN_VAR`]) is set and not blank.
pub fn check_token(token: Option<&str>) -> Result<(), String> {
    match token {
        Some(t) if !t.trim().is_empty() => Ok(()),
        _ => Err(format!(
            "refusing to publish: {TOKEN_VAR} is not set (export a crates.io API token in it)"
        )),
    }
}

/// The pause before the `attempt`-th (0-based) visibility check: 5 s, doubling, at most 60 s.
pub fn backoff(attempt: u32) -> Duration {
    Duration::from_secs(5u64.saturating_mul(1u64 << attempt.min(4)).min(60))
}

/// Publishes `order` from the workspace at `root`, each crate only once the previous one is visible.
pub fn publish_all(
    root: &Path,
    order: &[String],
    version: &str,
    allow_dirty: bool,
) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    for (index, name) in order.iter().enumerate() {
        eprintln!(
            "[{}/{}] publishing {name} {version}",
            index + 1,
            order.len()
        );
        let mut command = Command::new(&cargo);
        command
            .args(["publish", "-p", name, "--manifest-path"])
            .arg(root.join("Cargo.toml"))
            .current_dir(root);
        if allow_dirty {
            command.arg("--allow-dirty");
        }
        let status = command
            .status()
            .map_err(|e| format!("could not run `cargo publish`: {e}"))?;
        if !status.success() {
            return Err(format!(
                "`cargo publish -p {name}` failed ({status}); crates before it are published"
            ));
        }
        wait_visible(&cargo, name, version)?;
    }
    Ok(())
}

/// Polls `cargo info NAME@VERSION` (run outside the workspace so it asks the registry) until it succeeds.
fn wait_visible(cargo: &str, name: &str, version: &str) -> Result<(), String> {
    let started = Instant::now();
    let spec = format!("{name}@{version}");
    for attempt in 0.. {
        let visible = Command::new(cargo)
            .args(["info", &spec, "--registry", "crates-io", "--quiet"])
            .current_dir(std::env::temp_dir())
            .output()
            .is_ok_and(|o| o.status.success());
        if visible {
            eprintln!("    {spec} is visible in the registry");
            return Ok(());
        }
        if started.elapsed() > VISIBLE_TIMEOUT {
            break;
        }
        std::thread::sleep(backoff(attempt));
    }
    Err(format!(
        "{spec} was published but did not appear in the registry within {VISIBLE_TIMEOUT:?}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_without_a_token() {
        assert!(check_token(None).unwrap_err().contains(TOKEN_VAR));
        assert!(check_token(Some("  ")).unwrap_err().contains(TOKEN_VAR));
        assert!(check_token(Some("cio_abc")).is_ok());
    }

    #[test]
    fn backs_off_up_to_a_minute() {
        let secs: Vec<u64> = (0..7).map(|a| backoff(a).as_secs()).collect();
        assert_eq!(secs, [5, 10, 20, 40, 60, 60, 60]);
    }
}
