//! Figure 5: `offerkit batch` at scale (issue 12). For each size N (default 10k, 100k and 1M;
//! `--sizes`), N synthetic targets, half Adobe deletes and half Appcharge deletes (no job polling,
//! so the figure is the engine, journal and transport, not a poll interval):
//!
//! 1. a sandbox (release `offerkit sandbox serve`) seeded through `POST /_sandbox/seed` in chunks
//!    (its body limit is 1 MiB), then the release CLI's `batch` at concurrency 64 with a fresh
//!    journal (the *fresh* run), then the same command again on the finished journal (the
//!    *resume*: every target is `skipped-done`, no call is sent);
//! 2. another sandbox seeded the same way, and the bare reqwest fan-out (`offerkit-bench fanout`)
//!    sending the same deletes at the same concurrency (the baseline).
//!
//! Every process runs under `offerkit-bench measure`: wall time, user+sys CPU and peak RSS
//! (`ru_maxrss`) of that process alone. Targets: peak RSS < 64 MiB fresh and resume; resume wall
//! < 5 % of fresh; CPU per target within 1.3x of the bare fan-out's; linear growth (CPU and wall per
//! target at the largest size within 1.5x of the smallest). The sizes are also printed side by
//! side. The 1M size takes minutes and about 0.5 GB of disk under `target/bench/scale`.

use std::time::Duration;

use serde_json::{Value, json};

use super::bulk::{CONCURRENCY, batch_args, cpu_text, exit_text, fanout_args, result_statuses};
use super::procs::{Timed, load_average, run_json, timed};
use super::report::Row;
use super::sandbox::Sandbox;
use super::{Ctx, ms};

/// The default sizes.
pub const DEFAULT_SIZES: [usize; 3] = [10_000, 100_000, 1_000_000];
/// The sizes of `--quick`.
pub const QUICK_SIZES: [usize; 2] = [1_000, 10_000];
/// Resources per `POST /_sandbox/seed` (about 100 bytes each, well under the 1 MiB body limit).
const SEED_CHUNK: usize = 5_000;
const RSS_TARGET_MIB: f64 = 64.0;
const RESUME_TARGET: f64 = 0.05;
const CPU_TARGET: f64 = 1.3;
const LINEAR_TARGET: f64 = 1.5;

/// What one size measured.
#[derive(Debug, Clone)]
pub struct Size {
    /// Targets.
    pub n: usize,
    /// The CLI's fresh run.
    pub fresh: Timed,
    /// The CLI's resume of the finished run.
    pub resume: Timed,
    /// The bare fan-out.
    pub bare: Timed,
    /// Result lines of the fresh run with status `retracted`.
    pub fresh_retracted: u64,
    /// Result lines of the resume with status `skipped-done`.
    pub resume_skipped: u64,
    /// Targets the bare fan-out could not retract.
    pub bare_failures: u64,
    /// Context for the wall times: the sandbox's CPU during the fresh run and during the
    /// fan-out, and the 1-minute load average before the size started (`None` when unread).
    pub context: Context,
}

/// What else was using the machine while a size ran.
#[derive(Debug, Clone, Copy, Default)]
pub struct Context {
    /// Sandbox CPU (user+sys) during the CLI's fresh run, ms.
    pub sandbox_fresh_ms: Option<f64>,
    /// Sandbox CPU during the bare fan-out, ms.
    pub sandbox_bare_ms: Option<f64>,
    /// 1-minute load average before the size started.
    pub load_before: Option<f64>,
}

impl Size {
    fn per_target_us(&self, d: Duration) -> f64 {
        d.as_secs_f64() * 1e6 / self.n.max(1) as f64
    }

    /// Whether every run did what it should: all retracted, then all skipped, baseline clean.
    fn outcomes_ok(&self) -> bool {
        let n = self.n as u64;
        self.fresh.success
            && self.resume.success
            && self.bare.success
            && self.fresh_retracted == n
            && self.resume_skipped == n
            && self.bare_failures == 0
    }
}

/// Runs the figure for `ctx.sizes`.
pub fn run(ctx: &Ctx) -> (Vec<Row>, Value) {
    let mut measured = Vec::new();
    let mut raw = Vec::new();
    let mut failed = Vec::new();
    for &n in &ctx.sizes {
        eprintln!("bench: figure 5, {} targets...", label(n));
        match measure(ctx, n) {
            Ok((size, doc)) => {
                measured.push(size);
                raw.push(doc);
            }
            Err(e) => {
                failed.push(Row::unavailable(
                    &format!("5 batch at scale, N={}", label(n)),
                    "RSS < 64 MiB, resume < 5 %, CPU <= 1.3x",
                    &e,
                ));
                raw.push(json!({"targets": n, "error": e}));
            }
        }
    }
    let mut rows = rows(&measured);
    rows.extend(failed);
    (rows, json!({"sizes": raw}))
}

fn measure(ctx: &Ctx, n: usize) -> Result<(Size, Value), String> {
    let dir = ctx.dir(&format!("scale/{}", label(n)))?;
    let (targets, seed) = (dir.join("targets.jsonl"), dir.join("seed.jsonl"));
    let mut generate = ctx.bench();
    generate
        .args(["gen-batch", "--count", &n.to_string(), "--mix", "deletes"])
        .args(["--seed-chunk", &SEED_CHUNK.to_string(), "--targets"])
        .arg(&targets)
        .arg("--seed")
        .arg(&seed);
    let mix = run_json(generate)?;

    let sandbox = Sandbox::start(ctx, &dir.join("sandbox-cli.log"), None)?;
    sandbox.seed_chunks(&seed)?;
    let journal = dir.join("targets.jsonl.journal");
    let _ = std::fs::remove_file(&journal);
    let results = dir.join("results.jsonl");
    let args = batch_args(&sandbox.base(), &targets, Some(&journal), &results);
    let run_cli = |label: &str| {
        timed(
            ctx,
            &ctx.cli(),
            &args,
            &[],
            &dir.join(format!("{label}-stdout.log")),
            &dir.join(format!("{label}-stderr.log")),
        )
    };
    let load_before = load_average();
    let sandbox_before = sandbox.cpu();
    let fresh = run_cli("fresh")?;
    let sandbox_fresh = sandbox.cpu();
    let fresh_statuses = result_statuses(&results);
    let resume = run_cli("resume")?;
    let resume_statuses = result_statuses(&results);
    let cli_counts = sandbox.counts();
    sandbox.stop();

    let sandbox = Sandbox::start(ctx, &dir.join("sandbox-bare.log"), None)?;
    sandbox.seed_chunks(&seed)?;
    let bare_sandbox_before = sandbox.cpu();
    let bare = timed(
        ctx,
        &ctx.bin_dir.join("offerkit-bench"),
        &fanout_args(&sandbox.base(), &targets),
        &[],
        &dir.join("bare-stdout.json"),
        &dir.join("bare-stderr.log"),
    )?;
    let bare_sandbox_after = sandbox.cpu();
    let bare_counts = sandbox.counts();
    sandbox.stop();
    let load_after = load_average();
    let spent = |a: Option<Duration>, b: Option<Duration>| Some(ms(b?.saturating_sub(a?)));
    let context = Context {
        sandbox_fresh_ms: spent(sandbox_before, sandbox_fresh),
        sandbox_bare_ms: spent(bare_sandbox_before, bare_sandbox_after),
        load_before,
    };
    let bare_report: Value = std::fs::read_to_string(dir.join("bare-stdout.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null);

    let count = |v: &Value, key: &str| v.get(key).and_then(Value::as_u64).unwrap_or(0);
    let size = Size {
        n,
        fresh,
        resume,
        bare,
        fresh_retracted: count(&fresh_statuses, "retracted"),
        resume_skipped: count(&resume_statuses, "skipped-done"),
        // An unreadable report counts every target as failed.
        bare_failures: bare_report
            .get("failures")
            .and_then(Value::as_u64)
            .unwrap_or(n as u64),
        context,
    };
    let doc = json!({
        "targets": n,
        "mix": mix,
        "fresh": fresh.to_json(),
        "fresh_statuses": fresh_statuses,
        "resume": resume.to_json(),
        "resume_statuses": resume_statuses,
        "cli_sandbox_counts": cli_counts,
        // Where the wall time went besides the client: the sandbox shares the 2 cores.
        "sandbox_cpu_ms_during_fresh": context.sandbox_fresh_ms,
        "sandbox_cpu_ms_during_bare": context.sandbox_bare_ms,
        "load_average": {"before": load_before, "after": load_after},
        "bare": bare.to_json(),
        "bare_report": bare_report,
        "bare_sandbox_counts": bare_counts,
    });
    Ok((size, doc))
}

/// The report rows, grouped by quantity so the sizes of one quantity sit together.
pub fn rows(sizes: &[Size]) -> Vec<Row> {
    let mut rows = Vec::new();
    let head = |s: &Size, what: &str| format!("5 batch N={}: {what}", label(s.n));
    for s in sizes {
        rows.push(Row {
            figure: head(s, "outcomes (fresh all retracted, resume all skipped-done)"),
            offerkit: format!(
                "fresh {}/{} retracted (exit {}), resume {}/{} skipped-done (exit {})",
                s.fresh_retracted,
                s.n,
                exit_text(&s.fresh),
                s.resume_skipped,
                s.n,
                exit_text(&s.resume)
            ),
            baseline: format!("bare fan-out: {} failed", s.bare_failures),
            ratio: None,
            target: "all".to_owned(),
            pass: Some(s.outcomes_ok()),
        });
    }
    for (run, pick) in [
        ("fresh", (|s: &Size| s.fresh) as fn(&Size) -> Timed),
        ("resume", |s: &Size| s.resume),
    ] {
        for s in sizes {
            let mib = pick(s).max_rss_mib();
            rows.push(Row {
                figure: head(s, &format!("peak RSS of the CLI, {run}")),
                offerkit: format!("{mib:.1} MiB"),
                baseline: format!("{:.1} MiB (bare fan-out)", s.bare.max_rss_mib()),
                ratio: None,
                target: format!("< {RSS_TARGET_MIB} MiB"),
                pass: Some(mib < RSS_TARGET_MIB),
            });
        }
    }
    for s in sizes {
        let ratio = ms(s.resume.wall) / ms(s.fresh.wall);
        rows.push(Row {
            figure: head(s, "resume of the finished run, wall vs the fresh run"),
            offerkit: format!("{:.0} ms (resume)", ms(s.resume.wall)),
            baseline: format!("{:.0} ms (fresh)", ms(s.fresh.wall)),
            ratio: Some(ratio),
            target: format!("< {RESUME_TARGET}"),
            pass: Some(ratio < RESUME_TARGET && s.outcomes_ok()),
        });
    }
    for s in sizes {
        let (ours, theirs) = (
            s.per_target_us(s.fresh.cpu()),
            s.per_target_us(s.bare.cpu()),
        );
        let ratio = ours / theirs;
        rows.push(Row {
            figure: head(s, "CPU (user+sys) per target, fresh run vs bare fan-out"),
            offerkit: format!("{ours:.1} µs/target, {}", cpu_text(&s.fresh)),
            baseline: format!("{theirs:.1} µs/target, {}", cpu_text(&s.bare)),
            ratio: Some(ratio),
            target: format!("<= {CPU_TARGET}"),
            pass: Some(ratio <= CPU_TARGET && s.outcomes_ok()),
        });
    }
    let smallest = sizes.iter().min_by_key(|s| s.n);
    let largest = sizes.iter().max_by_key(|s| s.n);
    if let (Some(small), Some(large)) = (smallest, largest)
        && large.n > small.n
    {
        for (what, pick) in [
            ("CPU", (|t: &Timed| t.cpu()) as fn(&Timed) -> Duration),
            ("wall", |t: &Timed| t.wall),
        ] {
            let (a, b) = (
                small.per_target_us(pick(&small.fresh)),
                large.per_target_us(pick(&large.fresh)),
            );
            rows.push(Row {
                figure: format!(
                    "5 batch linear growth: fresh {what} per target, N={} vs N={}",
                    label(large.n),
                    label(small.n)
                ),
                offerkit: format!("{b:.1} µs/target (N={})", label(large.n)),
                baseline: format!("{a:.1} µs/target (N={})", label(small.n)),
                ratio: Some(b / a),
                target: format!("<= {LINEAR_TARGET}"),
                pass: Some(b / a <= LINEAR_TARGET),
            });
        }
    }
    rows
}

/// The sizes side by side: one column per size, one line per quantity (markdown).
pub fn side_by_side(sizes: &[Size]) -> String {
    if sizes.is_empty() {
        return String::new();
    }
    let mut out = String::from("\nFigure 5, `offerkit batch` at scale (concurrency ");
    out.push_str(&format!(
        "{CONCURRENCY}), sizes side by side:\n\n| quantity |"
    ));
    for s in sizes {
        out.push_str(&format!(" N={} |", label(s.n)));
    }
    out.push_str("\n|---|");
    out.push_str(&"---|".repeat(sizes.len()));
    out.push('\n');
    fn secs(t: &Timed) -> String {
        format!("{:.2} s", t.wall.as_secs_f64())
    }
    fn cpu(t: &Timed) -> String {
        format!("{:.2} s", t.cpu().as_secs_f64())
    }
    fn mib(t: &Timed) -> String {
        format!("{:.1} MiB", t.max_rss_mib())
    }
    /// A quantity's name and how to show it for one size.
    type Line = (&'static str, fn(&Size) -> String);
    fn opt(v: Option<f64>, unit: &str) -> String {
        v.map_or("-".to_owned(), |v| format!("{v:.1}{unit}"))
    }
    let lines: [Line; 15] = [
        ("fresh wall", |s| secs(&s.fresh)),
        ("fresh CPU (user+sys)", |s| cpu(&s.fresh)),
        ("fresh CPU per target", |s| {
            format!("{:.1} µs", s.per_target_us(s.fresh.cpu()))
        }),
        ("fresh peak RSS", |s| mib(&s.fresh)),
        ("resume wall", |s| secs(&s.resume)),
        ("resume CPU (user+sys)", |s| cpu(&s.resume)),
        ("resume peak RSS", |s| mib(&s.resume)),
        ("resume wall / fresh wall", |s| {
            format!("{:.3}", ms(s.resume.wall) / ms(s.fresh.wall))
        }),
        ("bare fan-out wall", |s| secs(&s.bare)),
        ("bare fan-out CPU per target", |s| {
            format!("{:.1} µs", s.per_target_us(s.bare.cpu()))
        }),
        ("CPU per target, CLI / bare", |s| {
            format!("{:.2}", ms(s.fresh.cpu()) / ms(s.bare.cpu()))
        }),
        ("sandbox CPU during fresh run", |s| {
            opt(s.context.sandbox_fresh_ms.map(|m| m / 1000.0), " s")
        }),
        ("sandbox CPU during fan-out", |s| {
            opt(s.context.sandbox_bare_ms.map(|m| m / 1000.0), " s")
        }),
        ("1-min load average at start", |s| {
            opt(s.context.load_before, "")
        }),
        ("outcomes as expected", |s| {
            if s.outcomes_ok() { "yes" } else { "NO" }.to_owned()
        }),
    ];
    for (name, value) in &lines {
        out.push_str(&format!("| {name} |"));
        for s in sizes {
            out.push_str(&format!(" {} |", value(s)));
        }
        out.push('\n');
    }
    out
}

/// Reads the sizes back from the figure's raw JSON (for [`side_by_side`] after the main table).
pub fn sizes_from_raw(raw: &Value) -> Vec<Size> {
    let timed = |v: &Value| -> Option<Timed> {
        let d = |k: &str| {
            v.get(k)
                .and_then(Value::as_f64)
                .map(|m| Duration::from_secs_f64(m.max(0.0) / 1000.0))
        };
        Some(Timed {
            wall: d("wall_ms")?,
            user: d("user_ms")?,
            sys: d("sys_ms")?,
            max_rss_kib: v.get("max_rss_kib")?.as_u64()?,
            success: v.get("success")?.as_bool()?,
        })
    };
    let count = |v: &Value, key: &str| v.get(key).and_then(Value::as_u64).unwrap_or(0);
    raw.get("sizes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|doc| {
            Some(Size {
                n: usize::try_from(doc.get("targets")?.as_u64()?).ok()?,
                fresh: timed(doc.get("fresh")?)?,
                resume: timed(doc.get("resume")?)?,
                bare: timed(doc.get("bare")?)?,
                fresh_retracted: count(doc.get("fresh_statuses")?, "retracted"),
                resume_skipped: count(doc.get("resume_statuses")?, "skipped-done"),
                bare_failures: doc
                    .pointer("/bare_report/failures")
                    .and_then(Value::as_u64)
                    .unwrap_or(u64::MAX),
                context: Context {
                    sandbox_fresh_ms: doc
                        .get("sandbox_cpu_ms_during_fresh")
                        .and_then(Value::as_f64),
                    sandbox_bare_ms: doc
                        .get("sandbox_cpu_ms_during_bare")
                        .and_then(Value::as_f64),
                    load_before: doc.pointer("/load_average/before").and_then(Value::as_f64),
                },
            })
        })
        .collect()
}

/// `10k`, `1M`, or the plain number.
pub fn label(n: usize) -> String {
    if n >= 1_000_000 && n.is_multiple_of(1_000_000) {
        format!("{}M", n / 1_000_000)
    } else if n >= 1_000 && n.is_multiple_of(1_000) {
        format!("{}k", n / 1_000)
    } else {
        n.to_string()
    }
}

/// Parses `--sizes 10k,100k,1M` (plain numbers, or with a `k` or `M` suffix; at least 1 each).
pub fn parse_sizes(text: &str) -> Result<Vec<usize>, String> {
    text.split(',')
        .map(|part| {
            let part = part.trim();
            let (digits, unit) = match part.strip_suffix(['k', 'K']) {
                Some(d) => (d, 1_000),
                None => match part.strip_suffix('M') {
                    Some(d) => (d, 1_000_000),
                    None => (part, 1),
                },
            };
            digits
                .parse::<usize>()
                .ok()
                .and_then(|d| d.checked_mul(unit))
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("--sizes: `{part}` is not a count like 10000, 10k or 1M"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_suffixes_and_label_back() {
        assert_eq!(parse_sizes("10k,100k,1M"), Ok(DEFAULT_SIZES.to_vec()));
        assert_eq!(parse_sizes("2500, 3K"), Ok(vec![2_500, 3_000]));
        for bad in ["", "0", "10x", "k", "-1", "1M,", "99999999999999999999M"] {
            assert!(parse_sizes(bad).is_err(), "{bad:?} accepted");
        }
        let labels: Vec<String> = [10_000, 100_000, 1_000_000, 2_500].map(label).to_vec();
        assert_eq!(labels, ["10k", "100k", "1M", "2500"]);
    }

    fn run_of(wall_ms: u64, cpu_ms: u64, rss_mib: u64) -> Timed {
        Timed {
            wall: Duration::from_millis(wall_ms),
            user: Duration::from_millis(cpu_ms * 3 / 4),
            sys: Duration::from_millis(cpu_ms - cpu_ms * 3 / 4),
            max_rss_kib: rss_mib * 1024,
            success: true,
        }
    }

    fn size(n: usize, fresh: Timed, resume: Timed, bare: Timed) -> Size {
        Size {
            n,
            fresh,
            resume,
            bare,
            fresh_retracted: n as u64,
            resume_skipped: n as u64,
            bare_failures: 0,
            context: Context::default(),
        }
    }

    fn verdict(rows: &[Row], starts: &str, contains: &str) -> Option<bool> {
        rows.iter()
            .find(|r| r.figure.starts_with(starts) && r.figure.contains(contains))
            .and_then(|r| r.pass)
    }

    #[test]
    fn targets_pass_and_fail_on_the_measured_numbers() {
        // 10k: everything within target. 1M: 359 MiB fresh, a resume at 10 % of fresh, CPU per
        // target 2x the bare fan-out's and 2x its own at 10k.
        let small = size(
            10_000,
            run_of(2_000, 1_000, 30),
            run_of(50, 40, 20),
            run_of(1_800, 900, 25),
        );
        let large = size(
            1_000_000,
            run_of(200_000, 200_000, 359),
            run_of(20_000, 15_000, 40),
            run_of(180_000, 100_000, 300),
        );
        let rows = rows(&[small.clone(), large.clone()]);
        assert_eq!(verdict(&rows, "5 batch N=10k", "outcomes"), Some(true));
        assert_eq!(
            verdict(&rows, "5 batch N=10k", "RSS of the CLI, fresh"),
            Some(true)
        );
        assert_eq!(
            verdict(&rows, "5 batch N=1M", "RSS of the CLI, fresh"),
            Some(false)
        );
        assert_eq!(
            verdict(&rows, "5 batch N=1M", "RSS of the CLI, resume"),
            Some(true)
        );
        assert_eq!(
            verdict(&rows, "5 batch N=10k", "resume of the finished"),
            Some(true)
        );
        assert_eq!(
            verdict(&rows, "5 batch N=1M", "resume of the finished"),
            Some(false)
        );
        assert_eq!(
            verdict(&rows, "5 batch N=10k", "CPU (user+sys) per target"),
            Some(true)
        );
        assert_eq!(
            verdict(&rows, "5 batch N=1M", "CPU (user+sys) per target"),
            Some(false)
        );
        assert_eq!(verdict(&rows, "5 batch linear growth", "CPU"), Some(false));
        assert_eq!(verdict(&rows, "5 batch linear growth", "wall"), Some(true));
        // Grouped by quantity: the two fresh RSS rows are adjacent.
        let fresh_rss: Vec<usize> = rows
            .iter()
            .enumerate()
            .filter(|(_, r)| r.figure.contains("RSS of the CLI, fresh"))
            .map(|(i, _)| i)
            .collect();
        assert_eq!(fresh_rss.len(), 2);
        assert_eq!(fresh_rss[1], fresh_rss[0] + 1);
        // One size alone has no growth rows.
        assert!(
            !super::rows(&[small])
                .iter()
                .any(|r| r.figure.contains("linear"))
        );
    }

    #[test]
    fn wrong_outcomes_fail_even_when_fast() {
        let mut s = size(
            1_000,
            run_of(100, 50, 10),
            run_of(1, 1, 5),
            run_of(100, 50, 10),
        );
        s.resume_skipped = 0; // the resume acted again
        let rows = rows(&[s]);
        assert_eq!(verdict(&rows, "5 batch N=1k", "outcomes"), Some(false));
        assert_eq!(
            verdict(&rows, "5 batch N=1k", "resume of the finished"),
            Some(false)
        );
        assert_eq!(
            verdict(&rows, "5 batch N=1k", "CPU (user+sys) per target"),
            Some(false)
        );
    }

    #[test]
    fn the_raw_report_reads_back_into_the_side_by_side_table() {
        let s = size(
            10_000,
            run_of(2_000, 1_000, 30),
            run_of(50, 40, 20),
            run_of(1_800, 900, 25),
        );
        let raw = json!({"sizes": [
            {"targets": 10_000, "fresh": s.fresh.to_json(), "resume": s.resume.to_json(),
             "bare": s.bare.to_json(), "fresh_statuses": {"retracted": 10_000},
             "resume_statuses": {"skipped-done": 10_000}, "bare_report": {"failures": 0},
             "sandbox_cpu_ms_during_fresh": 1500.0, "load_average": {"before": 2.5, "after": 3.0}},
            {"targets": 100_000, "error": "sandbox: exited before answering"},
        ]});
        let back = sizes_from_raw(&raw);
        assert_eq!(back.len(), 1);
        assert!(back[0].outcomes_ok());
        let table = side_by_side(&back);
        assert!(table.contains("| N=10k |"), "{table}");
        assert!(
            table.contains("| fresh CPU per target | 100.0 µs |"),
            "{table}"
        );
        assert!(
            table.contains("| resume wall / fresh wall | 0.025 |"),
            "{table}"
        );
        assert_eq!(side_by_side(&[]), "");
    }
}
