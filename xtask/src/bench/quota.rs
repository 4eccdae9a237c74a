//! Figure 6: quota (issue 18). The release CLI's `batch` against `offerkit sandbox serve --quota
//! appcharge=600/min --quota orders=300/min` (per publisher token, per customer tenant) with
//! 3,000 targets: of every 7, 3 whole-order cancels spread over 3 customer tenants and 4 Appcharge
//! deletes on one token. The mix makes both vendors quota-bound for the same time at the expected
//! cost of 2 requests per order cancel (read, PATCH) and 1 per Appcharge delete; the minimum
//! reported is computed from the requests the sandbox's journal counted per bucket, not from
//! that expectation.
//!
//! Four runs, each against a fresh sandbox: the start rate far too high (10x the quota) and far
//! too low (1/4 of it), each with adaptive pacing and with fixed pacing. Fixed pacing is today's:
//! `--pacing fixed`: `--rate-limit` spacing per bucket and each request honouring its own
//! `Retry-After`; adaptive is `--pacing adaptive` started with `--initial-rate`.
//!
//! Per run: wall time (process spawn to exit), the quota-bound minimum (for each bucket, the
//! requests it admitted beyond its burst divided by its rate; the largest), their ratio (target
//! <= 1.10), and the share of quota-counted requests answered 429 (target <= 2 %). `--quick`
//! divides quotas and targets by 10 (so the minimum stays about 2.9 minutes). Not part of CI.

use std::path::Path;

use serde_json::{Map, Value, json};

use super::bulk::{CONCURRENCY, batch_args, exit_text, result_statuses};
use super::procs::{Timed, run_json, timed};
use super::report::Row;
use super::sandbox::Sandbox;
use super::{Ctx, ms};

const RATIO_TARGET: f64 = 1.10;
const THROTTLED_TARGET: f64 = 0.02;
/// The start rate "far too high", as a multiple of the quota.
const TOO_HIGH: f64 = 10.0;
/// The start rate "far too low", as a multiple of the quota.
const TOO_LOW: f64 = 0.25;
/// Requests an order cancel is expected to cost (read, PATCH): sets the mix and converts a
/// request rate into `--rate-limit`'s targets per minute. The minimum is from the journal.
const ORDER_COST: f64 = 2.0;

/// The figure's sizes: quotas (requests per minute per bucket) and targets.
#[derive(Debug, Clone, Copy)]
struct Setup {
    appcharge_per_min: u32,
    orders_per_min: u32,
    targets: usize,
}

impl Setup {
    fn new(quick: bool) -> Self {
        let scale = if quick { 10 } else { 1 };
        Self {
            appcharge_per_min: 600 / scale,
            orders_per_min: 300 / scale,
            targets: 3_000 / scale as usize,
        }
    }

    /// The `sandbox serve` arguments.
    fn serve_args(&self) -> Vec<String> {
        vec![
            "--quota".to_owned(),
            format!("appcharge={}/min", self.appcharge_per_min),
            "--quota".to_owned(),
            format!("orders={}/min", self.orders_per_min),
        ]
    }

    /// A bucket's rate (requests per second) and burst (the sandbox's default: one second's
    /// worth, rounded up, at least 1), from its journal label.
    fn bucket(&self, label: &str) -> Option<(f64, f64)> {
        let per_min = if label.starts_with("appcharge:") {
            self.appcharge_per_min
        } else if label.starts_with("partner-center-orders:customer:") {
            self.orders_per_min
        } else {
            return None;
        };
        let per_sec = f64::from(per_min) / 60.0;
        Some((per_sec, per_sec.ceil().max(1.0)))
    }
}

/// Where a run starts.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Start {
    High,
    Low,
}

impl Start {
    fn factor(self) -> f64 {
        match self {
            Self::High => TOO_HIGH,
            Self::Low => TOO_LOW,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::High => "start 10x too high",
            Self::Low => "start 4x too low",
        }
    }
}

/// How the CLI paces.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Pacing {
    Adaptive,
    Fixed,
}

/// What one run measured.
#[derive(Debug, Clone)]
struct Run {
    start: Start,
    pacing: Pacing,
    timed: Timed,
    /// The quota-bound minimum, seconds.
    minimum_s: f64,
    /// Requests answered 429 by a quota, and requests a quota admitted.
    throttled: u64,
    admitted: u64,
    retracted: u64,
    targets: u64,
}

impl Run {
    fn ratio(&self) -> f64 {
        self.timed.wall.as_secs_f64() / self.minimum_s.max(1e-9)
    }

    fn throttled_share(&self) -> f64 {
        self.throttled as f64 / (self.throttled + self.admitted).max(1) as f64
    }

    fn complete(&self) -> bool {
        self.timed.success && self.retracted == self.targets
    }

    fn pass(&self) -> bool {
        self.complete()
            && self.ratio() <= RATIO_TARGET
            && self.throttled_share() <= THROTTLED_TARGET
    }
}

/// Runs the figure.
pub fn run(ctx: &Ctx) -> (Vec<Row>, Value) {
    match measure(ctx) {
        Ok(done) => done,
        Err(e) => (
            vec![Row::unavailable("6 quota", &target_text(), &e)],
            json!({"error": e}),
        ),
    }
}

fn target_text() -> String {
    format!(
        "wall <= {RATIO_TARGET}x min, 429 <= {:.0} %",
        THROTTLED_TARGET * 100.0
    )
}

fn measure(ctx: &Ctx) -> Result<(Vec<Row>, Value), String> {
    let setup = Setup::new(ctx.quick);
    // Apart from the full figure's, so that a quick run never mixes with it.
    let dir = ctx.dir(if ctx.quick { "quota-quick" } else { "quota" })?;
    let (targets, seed) = (dir.join("targets.jsonl"), dir.join("seed.json"));
    let mut generate = ctx.bench();
    generate
        .args(["gen-batch", "--count", &setup.targets.to_string()])
        .args(["--mix", "quota", "--targets"])
        .arg(&targets)
        .arg("--seed")
        .arg(&seed);
    let mix = run_json(generate)?;
    let mut rows = Vec::new();
    let mut runs = Vec::new();
    let mut raw = Vec::new();
    for start in [Start::High, Start::Low] {
        for pacing in [Pacing::Adaptive, Pacing::Fixed] {
            let name = run_name(start, pacing);
            eprintln!("bench: figure 6, {name}...");
            match one_run(ctx, &dir, &setup, &targets, &seed, start, pacing) {
                Ok((run, doc)) => {
                    rows.push(row(&name, &run));
                    raw.push(doc);
                    runs.push(run);
                }
                Err(e) => {
                    rows.push(Row::unavailable(&name, &target_text(), &e));
                    raw.push(json!({"run": name, "error": e}));
                }
            }
        }
    }
    let doc = json!({
        "setup": {
            "appcharge_quota_per_min": setup.appcharge_per_min,
            "orders_quota_per_min_per_customer_tenant": setup.orders_per_min,
            "targets": setup.targets,
            "concurrency": CONCURRENCY,
        },
        "mix": mix,
        "runs": raw,
        "side_by_side": side_by_side(&runs),
    });
    Ok((rows, doc))
}

fn run_name(start: Start, pacing: Pacing) -> String {
    let pacing = match pacing {
        Pacing::Adaptive => "adaptive",
        Pacing::Fixed => "fixed (--pacing fixed)",
    };
    format!("6 quota, {}, {pacing}", start.label())
}

/// The batch flags that set where a run starts and how it paces.
fn pacing_args(setup: &Setup, start: Start, pacing: Pacing) -> Vec<String> {
    let f = start.factor();
    let requests = |quota: u32| ((f64::from(quota) * f).round() as u64).max(1);
    let targets = |quota: u32, cost: f64| ((f64::from(quota) * f / cost).round() as u64).max(1);
    let mut args = Vec::new();
    match pacing {
        Pacing::Adaptive => {
            args.push("--pacing=adaptive".to_owned());
            args.push(format!(
                "--initial-rate=appcharge={}",
                requests(setup.appcharge_per_min)
            ));
            args.push(format!(
                "--initial-rate=partner-center-orders={}",
                requests(setup.orders_per_min)
            ));
        }
        Pacing::Fixed => {
            args.push("--pacing=fixed".to_owned());
            // --rate-limit counts targets started per minute per bucket.
            args.push(format!(
                "--rate-limit=appcharge={}",
                targets(setup.appcharge_per_min, 1.0)
            ));
            args.push(format!(
                "--rate-limit=partner-center-orders={}",
                targets(setup.orders_per_min, ORDER_COST)
            ));
        }
    }
    args
}

fn one_run(
    ctx: &Ctx,
    dir: &Path,
    setup: &Setup,
    targets: &Path,
    seed: &Path,
    start: Start,
    pacing: Pacing,
) -> Result<(Run, Value), String> {
    let label = format!(
        "{}-{}",
        match start {
            Start::High => "high",
            Start::Low => "low",
        },
        match pacing {
            Pacing::Adaptive => "adaptive",
            Pacing::Fixed => "fixed",
        }
    );
    let sandbox = Sandbox::start_with(
        ctx,
        &dir.join(format!("sandbox-{label}.log")),
        Some(seed),
        &setup.serve_args(),
    )?;
    let journal = dir.join(format!("{label}.journal"));
    let _ = std::fs::remove_file(&journal);
    let results = dir.join(format!("{label}-results.jsonl"));
    let mut args = batch_args(&sandbox.base(), targets, Some(&journal), &results);
    let extra = pacing_args(setup, start, pacing);
    args.extend(extra.iter().cloned());
    let timed = timed(
        ctx,
        &ctx.cli(),
        &args,
        &[],
        &dir.join(format!("{label}-stdout.log")),
        &dir.join(format!("{label}-stderr.log")),
    )?;
    let counts = sandbox.all_counts();
    sandbox.stop();
    let statuses = result_statuses(&results);
    let by_bucket = |key: &str| -> Vec<(String, u64)> {
        counts
            .get(key)
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), v.as_u64().unwrap_or(0)))
                    .collect()
            })
            .unwrap_or_default()
    };
    let admitted = by_bucket("admittedByBucket");
    let minimum_s = admitted
        .iter()
        .filter_map(|(label, n)| {
            let (rate, burst) = setup.bucket(label)?;
            Some((*n as f64 - burst).max(0.0) / rate)
        })
        .fold(0.0, f64::max);
    // No counted bucket (the journal's counts unreadable, or no quota applied): there is no
    // minimum to compare with, and a ratio against 0 would read as a result.
    if minimum_s <= 0.0 {
        return Err(format!(
            "the sandbox journal counted no admitted request per quota bucket ({label}); no quota-bound minimum"
        ));
    }
    let run = Run {
        start,
        pacing,
        timed,
        minimum_s,
        throttled: counts.get("throttled").and_then(Value::as_u64).unwrap_or(0),
        admitted: admitted.iter().map(|(_, n)| n).sum(),
        retracted: statuses
            .get("retracted")
            .and_then(Value::as_u64)
            .unwrap_or(0),
        targets: setup.targets as u64,
    };
    let doc = json!({
        "run": label,
        "args": extra,
        "wall_ms": ms(run.timed.wall),
        "minimum_ms": run.minimum_s * 1000.0,
        "ratio": run.ratio(),
        "throttled": run.throttled,
        "admitted": run.admitted,
        "throttled_share": run.throttled_share(),
        "statuses": statuses,
        "admitted_by_bucket": Map::from_iter(admitted.into_iter().map(|(k, v)| (k, json!(v)))),
        "throttled_by_bucket": counts.get("throttledByBucket").cloned().unwrap_or(Value::Null),
        "process": run.timed.to_json(),
    });
    Ok((run, doc))
}

fn row(name: &str, run: &Run) -> Row {
    Row {
        figure: name.to_owned(),
        offerkit: format!(
            "{:.1} s wall, {:.2} % answered 429 ({} of {}), {} of {} retracted (exit {})",
            run.timed.wall.as_secs_f64(),
            run.throttled_share() * 100.0,
            run.throttled,
            run.throttled + run.admitted,
            run.retracted,
            run.targets,
            exit_text(&run.timed)
        ),
        baseline: format!(
            "{:.1} s quota-bound minimum (journal: {} admitted requests)",
            run.minimum_s, run.admitted
        ),
        ratio: Some(run.ratio()),
        target: target_text(),
        pass: Some(run.pass()),
    }
}

/// The runs side by side: one line per start rate, adaptive and fixed pacing in columns.
fn side_by_side(runs: &[Run]) -> String {
    let cell = |start: Start, pacing: Pacing| {
        runs.iter()
            .find(|r| r.start == start && r.pacing == pacing)
            .map_or("n/a".to_owned(), |r| {
                format!(
                    "{:.1} s ({:.2}x min), {:.2} % 429{}",
                    r.timed.wall.as_secs_f64(),
                    r.ratio(),
                    r.throttled_share() * 100.0,
                    if r.complete() { "" } else { ", INCOMPLETE" }
                )
            })
    };
    let mut out = String::from(
        "\n| figure 6: start rate | adaptive pacing | fixed pacing |\n|---|---|---|\n",
    );
    for start in [Start::High, Start::Low] {
        out.push_str(&format!(
            "| {} | {} | {} |\n",
            start.label(),
            cell(start, Pacing::Adaptive),
            cell(start, Pacing::Fixed)
        ));
    }
    out
}

/// The side-by-side table from the figure's raw report.
pub fn side_by_side_from_raw(raw: &Value) -> String {
    raw.get("side_by_side")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quick_scales_quotas_and_targets_and_buckets_are_read_from_labels() {
        let full = Setup::new(false);
        assert_eq!(
            (full.appcharge_per_min, full.orders_per_min, full.targets),
            (600, 300, 3000)
        );
        let quick = Setup::new(true);
        assert_eq!(
            (quick.appcharge_per_min, quick.orders_per_min, quick.targets),
            (60, 30, 300)
        );
        assert_eq!(
            full.bucket("appcharge:token:sha256-00000000"),
            Some((10.0, 10.0))
        );
        assert_eq!(
            full.bucket("partner-center-orders:customer:t"),
            Some((5.0, 5.0))
        );
        assert_eq!(
            quick.bucket("partner-center-orders:customer:t"),
            Some((0.5, 1.0))
        );
        assert_eq!(full.bucket("partner-center-orders:partner:t"), None);
        assert_eq!(
            full.serve_args(),
            ["--quota", "appcharge=600/min", "--quota", "orders=300/min"]
        );
    }

    #[test]
    fn start_rates_are_multiples_of_the_quota() {
        let full = Setup::new(false);
        assert_eq!(
            pacing_args(&full, Start::High, Pacing::Fixed),
            [
                "--pacing=fixed",
                "--rate-limit=appcharge=6000",
                "--rate-limit=partner-center-orders=1500"
            ]
        );
        assert_eq!(
            pacing_args(&full, Start::Low, Pacing::Fixed),
            [
                "--pacing=fixed",
                "--rate-limit=appcharge=150",
                "--rate-limit=partner-center-orders=38"
            ]
        );
        assert_eq!(
            pacing_args(&full, Start::Low, Pacing::Adaptive),
            [
                "--pacing=adaptive",
                "--initial-rate=appcharge=150",
                "--initial-rate=partner-center-orders=75"
            ]
        );
    }
}
