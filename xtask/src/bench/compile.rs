//! Figure 4: compile cost for a downstream user who picks one vendor. Two scratch crates under
//! `target/bench/compile/`: one depends only on `offerkit-appcharge` (path dependency, default
//! features), the other on reqwest + serde + serde_json + tokio with the workspace's versions and
//! features (tokio with the `time` and `sync` features offerkit-transport uses). Each gets a copy
//! of the workspace `Cargo.lock` (so both resolve to the same versions), `cargo fetch` first
//! (downloads are not measured), then cold debug `cargo build`s into a fresh target dir each time,
//! alternated ABBA (baseline, ours, ours, baseline): each side is built once first and once
//! last, so neither always gets the cold page cache or the quieter machine, and a linear drift in
//! machine load cancels in each side's mean. Dependency counts are the distinct packages of
//! `cargo tree -e normal`, the root excluded.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use serde_json::{Value, json};

use super::report::Row;
use super::{Ctx, cargo};

const TARGET: f64 = 1.3;

/// Runs the figure.
pub fn run(ctx: &Ctx) -> (Vec<Row>, Value) {
    match measure(ctx) {
        Ok(r) => r,
        Err(e) => (
            vec![Row::unavailable("4 compile cost", "<= 1.3", &e)],
            json!({"error": e}),
        ),
    }
}

/// One scratch crate's result.
struct Built {
    /// Mean of its builds.
    seconds: f64,
    /// Each build, in the order run.
    builds: Vec<f64>,
    deps: usize,
}

/// The two scratch crates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Baseline,
    Ours,
}

/// The build order: ABBA.
const ORDER: [Side; 4] = [Side::Baseline, Side::Ours, Side::Ours, Side::Baseline];

fn mean(values: &[f64]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.iter().sum::<f64>() / values.len() as f64
}

fn measure(ctx: &Ctx) -> Result<(Vec<Row>, Value), String> {
    let dir = ctx.dir("compile")?;
    let appcharge = ctx.root.join("crates").join("appcharge");
    let ours = scratch(
        ctx,
        &dir.join("offerkit_appcharge"),
        &format!(
            "offerkit-appcharge = {{ path = {:?} }}\n",
            appcharge.display().to_string()
        ),
    )?;
    let baseline = scratch(
        ctx,
        &dir.join("baseline"),
        concat!(
            "reqwest = { version = \"0.12\", default-features = false, features = [\"rustls-tls\"] }\n",
            "serde = { version = \"1\", features = [\"derive\"] }\n",
            "serde_json = { version = \"1\", features = [\"preserve_order\"] }\n",
            "tokio = { version = \"1\", default-features = false, features = [\"time\", \"sync\"] }\n",
        ),
    )?;
    let (mut o, mut b) = (Vec::new(), Vec::new());
    let mut order = Vec::new();
    for side in ORDER {
        match side {
            Side::Baseline => b.push(build(&dir.join("baseline"))?),
            Side::Ours => o.push(build(&dir.join("offerkit_appcharge"))?),
        }
        order.push(format!("{side:?}").to_lowercase());
    }
    let ours = Built {
        seconds: mean(&o),
        builds: o,
        deps: ours,
    };
    let theirs = Built {
        seconds: mean(&b),
        builds: b,
        deps: baseline,
    };
    let ratio = ours.seconds / theirs.seconds;
    let row = Row {
        figure: "4 compile cost: cold debug `cargo build` of a scratch crate (mean of 2, ABBA)"
            .to_owned(),
        offerkit: format!(
            "{:.1} s ({}), {} deps (offerkit-appcharge only)",
            ours.seconds,
            seconds_list(&ours.builds),
            ours.deps
        ),
        baseline: format!(
            "{:.1} s ({}), {} deps (reqwest+serde+serde_json+tokio)",
            theirs.seconds,
            seconds_list(&theirs.builds),
            theirs.deps
        ),
        ratio: Some(ratio),
        target: format!("<= {TARGET}"),
        pass: Some(ratio <= TARGET),
    };
    let raw = json!({
        "offerkit_appcharge": {"seconds": ours.seconds, "builds": ours.builds, "deps": ours.deps},
        "baseline": {"seconds": theirs.seconds, "builds": theirs.builds, "deps": theirs.deps},
        "order": order,
        "ratio": ratio,
        "lockfile": "workspace Cargo.lock copied into each scratch crate",
    });
    Ok((vec![row], raw))
}

/// `12.3 + 11.9 s`.
fn seconds_list(builds: &[f64]) -> String {
    let parts: Vec<String> = builds.iter().map(|s| format!("{s:.1}")).collect();
    format!("{} s", parts.join(" + "))
}

/// Writes the scratch crate, fetches its dependencies, and returns its dependency count.
fn scratch(ctx: &Ctx, dir: &Path, deps: &str) -> Result<usize, String> {
    std::fs::create_dir_all(dir.join("src")).map_err(|e| e.to_string())?;
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().replace('_', "-"))
        .unwrap_or_default();
    let manifest = format!(
        "[package]\nname = \"scratch-{name}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n# Its own workspace: it sits under the offerkit workspace's target dir.\n[workspace]\n\n[dependencies]\n{deps}"
    );
    std::fs::write(dir.join("Cargo.toml"), manifest).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("src/lib.rs"), "//! Compile-cost scratch crate.\n")
        .map_err(|e| e.to_string())?;
    std::fs::copy(ctx.root.join("Cargo.lock"), dir.join("Cargo.lock"))
        .map_err(|e| e.to_string())?;
    let fetch = cargo_in(dir)
        .arg("fetch")
        .status()
        .map_err(|e| e.to_string())?;
    if !fetch.success() {
        return Err(format!("cargo fetch in {} failed", dir.display()));
    }
    let tree = cargo_in(dir)
        .args(["tree", "--prefix", "none", "-e", "normal", "--offline"])
        .output()
        .map_err(|e| e.to_string())?;
    if !tree.status.success() {
        return Err(format!("cargo tree in {} failed", dir.display()));
    }
    Ok(count_deps(&String::from_utf8_lossy(&tree.stdout)))
}

/// Distinct packages in `cargo tree --prefix none` output, minus the root (the first line).
fn count_deps(tree: &str) -> usize {
    let mut lines: Vec<&str> = tree
        .lines()
        .skip(1)
        .map(|l| l.trim_end_matches(" (*)").trim())
        .filter(|l| !l.is_empty())
        .collect();
    lines.sort_unstable();
    lines.dedup();
    lines.len()
}

/// A cold debug build in a fresh target dir; returns seconds.
fn build(dir: &Path) -> Result<f64, String> {
    let target = dir.join("target");
    let _ = std::fs::remove_dir_all(&target);
    eprintln!("bench: cold cargo build in {}", dir.display());
    let start = Instant::now();
    let status = cargo_in(dir)
        .args(["build", "--offline", "--quiet"])
        .status()
        .map_err(|e| e.to_string())?;
    let seconds = start.elapsed().as_secs_f64();
    if status.success() {
        Ok(seconds)
    } else {
        Err(format!("cargo build in {} failed", dir.display()))
    }
}

fn cargo_in(dir: &Path) -> Command {
    let mut command = Command::new(cargo());
    command
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_BUILD_TARGET_DIR");
    command
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_alternate_so_each_side_is_first_once_and_last_once() {
        let count = |side| ORDER.iter().filter(|s| **s == side).count();
        assert_eq!(count(Side::Baseline), count(Side::Ours));
        assert_ne!(ORDER.first(), ORDER.get(1));
        let reversed: Vec<Side> = ORDER.iter().rev().copied().collect();
        assert_eq!(
            reversed, ORDER,
            "ABBA reads the same both ways: drift cancels"
        );
        assert_eq!(mean(&[10.0, 12.0]), 11.0);
        assert!(mean(&[]).is_nan());
        assert_eq!(seconds_list(&[12.34, 11.9]), "12.3 + 11.9 s");
    }

    #[test]
    fn counts_distinct_packages_without_the_root() {
        let tree = "root v0.0.0 (/x)\nserde v1.0.0\nserde_derive v1.0.0 (proc-macro)\nserde v1.0.0 (*)\n\n";
        assert_eq!(count_deps(tree), 2);
    }
}
