//! `cargo xtask bench [--quick] [--only N]`: the four figures of issue 7, each a ratio against a
//! baseline measured in the same run. xtask only orchestrates: it builds the release binaries
//! (`offerkit-bench`, `offerkit`) into `target/bench-release` (a separate target dir so a bench
//! never blocks the shared one), starts servers, runs the measuring commands of `offerkit-bench`,
//! builds scratch crates, then prints a markdown table and writes `target/bench/report.json`.
//! A figure that cannot be measured (a server that will not start, npm unavailable) becomes an
//! `n/a` row with the reason; the bench goes on. Nothing here asserts on timings.

mod compile;
mod procs;
mod report;
mod throughput;

mod bulk;
mod overhead;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Map, Value};

use report::Row;

/// One figure: its rows and its raw measurements.
type Figure = fn(&Ctx) -> (Vec<Row>, Value);

/// Shared settings and paths of one bench run.
pub struct Ctx {
    /// The workspace root.
    pub root: PathBuf,
    /// `target/bench`: inputs, logs, report.
    pub out: PathBuf,
    /// Where the release binaries are.
    pub bin_dir: PathBuf,
    /// Smaller counts and shorter loads (a smoke run).
    pub quick: bool,
}

impl Ctx {
    /// A command running the `offerkit-bench` binary.
    pub fn bench(&self) -> Command {
        Command::new(self.bin_dir.join("offerkit-bench"))
    }

    /// The release `offerkit` CLI.
    pub fn cli(&self) -> PathBuf {
        self.bin_dir.join("offerkit")
    }

    /// A directory under `target/bench`, created.
    pub fn dir(&self, name: &str) -> Result<PathBuf, String> {
        let dir = self.out.join(name);
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        Ok(dir)
    }
}

/// Runs the bench with the arguments after `bench`.
pub fn run(args: &[String]) -> Result<(), String> {
    let (quick, only) = parse_args(args)?;
    let root = crate::metadata::workspace_root();
    let ctx = Ctx {
        out: root.join("target").join("bench"),
        bin_dir: root.join("target").join("bench-release").join("release"),
        root,
        quick,
    };
    std::fs::create_dir_all(&ctx.out).map_err(|e| format!("{}: {e}", ctx.out.display()))?;
    let wants = |n: u8| only.is_none_or(|o| o == n);
    if wants(1) || wants(2) || wants(3) {
        build_release(&ctx.root)?;
    }
    let mut rows = Vec::new();
    let mut raw = Map::new();
    let figures: [(u8, &str, Figure); 4] = [
        (1, "client_overhead", overhead::run),
        (2, "bulk", bulk::run),
        (3, "sandbox_throughput", throughput::run),
        (4, "compile_cost", compile::run),
    ];
    for (n, name, figure) in figures {
        if wants(n) {
            eprintln!("bench: figure {n} ({name})...");
            let (r, data) = figure(&ctx);
            rows.extend(r);
            raw.insert(name.to_owned(), data);
        }
    }
    let table = report::markdown(&rows);
    print!("{table}");
    let path = ctx.out.join("report.json");
    let doc = report::json(&rows, &Value::Object(raw), quick);
    let text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
    std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    eprintln!("bench: wrote {}", path.display());
    Ok(())
}

fn parse_args(args: &[String]) -> Result<(bool, Option<u8>), String> {
    let mut quick = false;
    let mut only = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--quick" => quick = true,
            "--only" => {
                let n = it
                    .next()
                    .and_then(|v| v.parse::<u8>().ok())
                    .filter(|n| (1..=4).contains(n))
                    .ok_or("--only takes a figure number, 1 to 4")?;
                only = Some(n);
            }
            other => {
                return Err(format!(
                    "unknown bench option `{other}`; usage: cargo xtask bench [--quick] [--only 1|2|3|4]"
                ));
            }
        }
    }
    Ok((quick, only))
}

/// Builds `offerkit-bench` and the `offerkit` CLI in release mode into `target/bench-release`.
fn build_release(root: &Path) -> Result<(), String> {
    eprintln!(
        "bench: cargo build --release -p offerkit-bench -p offerkit-cli (target/bench-release)"
    );
    let status = Command::new(cargo())
        .current_dir(root)
        .env(
            "CARGO_TARGET_DIR",
            root.join("target").join("bench-release"),
        )
        .args([
            "build",
            "--release",
            "-p",
            "offerkit-bench",
            "-p",
            "offerkit-cli",
        ])
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("release build failed ({status})"))
    }
}

/// The cargo that runs us (falls back to `cargo` on PATH).
pub fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}

/// Milliseconds of a duration, as f64.
pub fn ms(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options() {
        let args = |a: &[&str]| a.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(parse_args(&args(&[])), Ok((false, None)));
        assert_eq!(
            parse_args(&args(&["--quick", "--only", "3"])),
            Ok((true, Some(3)))
        );
        assert!(parse_args(&args(&["--only", "5"])).is_err());
        assert!(parse_args(&args(&["--fast"])).is_err());
    }
}
