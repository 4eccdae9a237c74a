//! `cargo xtask bench [--quick] [--only N] [--sizes LIST]`: the four figures of issue 7, the
//! batch-at-scale figure of issue 12 and the quota figure of issue 18, each a ratio against a baseline measured in the same run.
//! xtask only orchestrates: it builds the release binaries (`offerkit-bench`, `offerkit`) into
//! `target/bench-release` (a separate target dir so a bench never blocks the shared one), starts
//! servers, runs the measuring commands of `offerkit-bench` (every timed process under its
//! `measure`, for CPU and peak RSS), builds scratch crates, then prints a markdown table and writes
//! `target/bench/report.json`.
//! A figure that cannot be measured (a server that will not start, npm unavailable) becomes an
//! `n/a` row with the reason; the bench goes on. Nothing here asserts on timings.

mod compile;
mod procs;
mod report;
mod throughput;

mod bulk;
mod overhead;
mod quota;
mod sandbox;
mod scale;

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
    /// Figure 5's target counts.
    pub sizes: Vec<usize>,
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
    let Some(Options { quick, only, sizes }) = parse_args(args)? else {
        print!("{USAGE}");
        return Ok(());
    };
    let root = crate::metadata::workspace_root();
    let sizes = sizes.unwrap_or_else(|| {
        if quick {
            scale::QUICK_SIZES.to_vec()
        } else {
            scale::DEFAULT_SIZES.to_vec()
        }
    });
    let ctx = Ctx {
        out: root.join("target").join("bench"),
        bin_dir: root.join("target").join("bench-release").join("release"),
        root,
        quick,
        sizes,
    };
    std::fs::create_dir_all(&ctx.out).map_err(|e| format!("{}: {e}", ctx.out.display()))?;
    let wants = |n: u8| only.is_none_or(|o| o == n);
    if wants(1) || wants(2) || wants(3) || wants(5) || wants(6) {
        build_release(&ctx.root)?;
    }
    let mut rows = Vec::new();
    let mut raw = Map::new();
    let figures: [(u8, &str, Figure); 6] = [
        (1, "client_overhead", overhead::run),
        (2, "bulk", bulk::run),
        (3, "sandbox_throughput", throughput::run),
        (4, "compile_cost", compile::run),
        (5, "batch_scale", scale::run),
        (6, "quota", quota::run),
    ];
    for (n, name, figure) in figures {
        if wants(n) {
            eprintln!("bench: figure {n} ({name})...");
            let (r, data) = figure(&ctx);
            rows.extend(r);
            raw.insert(name.to_owned(), data);
        }
    }
    let mut table = report::markdown(&rows);
    if let Some(data) = raw.get("batch_scale") {
        table.push_str(&scale::side_by_side(&scale::sizes_from_raw(data)));
    }
    if let Some(data) = raw.get("quota") {
        table.push_str(&quota::side_by_side_from_raw(data));
    }
    print!("{table}");
    let path = ctx.out.join("report.json");
    let doc = report::json(&rows, &Value::Object(raw), quick);
    let text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
    std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    eprintln!("bench: wrote {}", path.display());
    Ok(())
}

/// `cargo xtask bench --help`.
const USAGE: &str = "\
usage: cargo xtask bench [--quick] [--only 1|2|3|4|5|6] [--sizes LIST]

Figures (each against a baseline measured in the same run; nothing here is a test):
  1  client overhead: offerkit-appcharge vs bare reqwest against an in-process stub
  2  bulk: `offerkit batch` of 10,000 mixed targets vs a bare reqwest fan-out (wall, CPU, RSS)
  3  sandbox throughput vs WireMock and Prism (npm)
  4  compile cost: cold builds of a one-vendor scratch crate vs reqwest+serde+tokio, alternated ABBA
  5  `offerkit batch` at scale: Adobe+Appcharge deletes, fresh run and resume, vs a bare fan-out
  6  quota: `offerkit batch` of 3,000 order cancels and Appcharge deletes against sandbox quotas
     (600/min per token, 300/min per customer tenant), started 10x too fast and 4x too slow,
     adaptive and fixed pacing, vs the quota-bound minimum (minutes; not part of CI)

Options:
  --quick        smaller counts and shorter loads (a smoke run; figure 5 sizes 1k,10k;
                 figure 6 quotas and targets divided by 10, same duration)
  --only N       run figure N alone
  --sizes LIST   figure 5's target counts, e.g. 10k,100k or 1M (default 10k,100k,1M)
  --help         this text

Writes target/bench/report.json; inputs and logs stay under target/bench/.
";

/// Parsed bench options.
#[derive(Debug, PartialEq, Eq)]
struct Options {
    quick: bool,
    only: Option<u8>,
    sizes: Option<Vec<usize>>,
}

/// The options, or `None` for `--help`.
fn parse_args(args: &[String]) -> Result<Option<Options>, String> {
    let mut options = Options {
        quick: false,
        only: None,
        sizes: None,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--quick" => options.quick = true,
            "--help" | "-h" => return Ok(None),
            "--only" => {
                let n = it
                    .next()
                    .and_then(|v| v.parse::<u8>().ok())
                    .filter(|n| (1..=6).contains(n))
                    .ok_or("--only takes a figure number, 1 to 6")?;
                options.only = Some(n);
            }
            "--sizes" => {
                let list = it
                    .next()
                    .ok_or("--sizes takes a list such as 10k,100k,1M")?;
                options.sizes = Some(scale::parse_sizes(list)?);
            }
            other => {
                return Err(format!(
                    "unknown bench option `{other}`; usage: cargo xtask bench [--quick] [--only 1|2|3|4|5|6] [--sizes LIST] (see --help)"
                ));
            }
        }
    }
    Ok(Some(options))
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
        let options = |quick, only, sizes| Ok(Some(Options { quick, only, sizes }));
        assert_eq!(parse_args(&args(&[])), options(false, None, None));
        assert_eq!(
            parse_args(&args(&["--quick", "--only", "3"])),
            options(true, Some(3), None)
        );
        assert_eq!(
            parse_args(&args(&["--only", "5", "--sizes", "10k,1M"])),
            options(false, Some(5), Some(vec![10_000, 1_000_000]))
        );
        assert_eq!(parse_args(&args(&["--quick", "--help"])), Ok(None));
        assert!(parse_args(&args(&["--only", "7"])).is_err());
        assert_eq!(
            parse_args(&args(&["--only", "6", "--quick"])),
            options(true, Some(6), None)
        );
        assert!(parse_args(&args(&["--sizes"])).is_err());
        assert!(parse_args(&args(&["--sizes", "10q"])).is_err());
        assert!(parse_args(&args(&["--fast"])).is_err());
    }
}
