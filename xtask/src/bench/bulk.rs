//! Figure 2: bulk. `offerkit batch` (release CLI, concurrency 64, journal on, rate limits off) of
//! mixed targets against a freshly seeded sandbox process, vs `offerkit-bench fanout` (bare reqwest,
//! same concurrency, the same HTTP calls) against another freshly seeded one. Both run under
//! `offerkit-bench measure`: wall time from spawn to exit, user+sys CPU and peak RSS of the process
//! itself. CPU is reported beside wall because wall swings with fsync latency on shared machines.
//! The sandbox's per-route request counters are kept for both runs so the call mix can be compared.

use std::io::BufRead;
use std::path::Path;

use serde_json::{Value, json};

use super::procs::{Timed, run_json, timed};
use super::report::Row;
use super::sandbox::Sandbox;
use super::{Ctx, ms};

/// Targets in flight, for the CLI and the bare fan-out alike.
pub const CONCURRENCY: usize = 64;
const POLL_MS: u64 = 50;
const WALL_TARGET: f64 = 1.1;
const RSS_TARGET_MIB: f64 = 64.0;

/// Runs the figure.
pub fn run(ctx: &Ctx) -> (Vec<Row>, Value) {
    let count = if ctx.quick { 1_000 } else { 10_000 };
    match measure(ctx, count) {
        Ok((rows, raw)) => (rows, raw),
        Err(e) => (
            vec![Row::unavailable(
                "2 bulk",
                &format!("wall <= {WALL_TARGET}, RSS < {RSS_TARGET_MIB} MiB"),
                &e,
            )],
            json!({"error": e}),
        ),
    }
}

fn measure(ctx: &Ctx, count: usize) -> Result<(Vec<Row>, Value), String> {
    let dir = ctx.dir("bulk")?;
    let (targets, seed) = (dir.join("targets.jsonl"), dir.join("seed.json"));
    let mut generate = ctx.bench();
    generate
        .args([
            "gen-batch",
            "--count",
            &count.to_string(),
            "--mix",
            "all",
            "--targets",
        ])
        .arg(&targets)
        .arg("--seed")
        .arg(&seed);
    let mix = run_json(generate)?;

    let (cli, cli_counts) = with_sandbox(ctx, &dir, &seed, "cli", |port| {
        cli_batch(ctx, &dir, &targets, port, true)
    })?;
    let (unjournaled, _) = with_sandbox(ctx, &dir, &seed, "cli-no-journal", |port| {
        cli_batch(ctx, &dir, &targets, port, false)
    })?;
    let (bare, bare_counts) = with_sandbox(ctx, &dir, &seed, "bare", |port| {
        let args = fanout_args(&format!("http://127.0.0.1:{port}"), &targets);
        timed(
            ctx,
            &ctx.bin_dir.join("offerkit-bench"),
            &args,
            &[],
            &dir.join("bare-stdout.json"),
            &dir.join("bare-stderr.log"),
        )
    })?;
    let statuses = result_statuses(&dir.join("cli-results.jsonl"));
    let bare_report: Value = std::fs::read_to_string(dir.join("bare-stdout.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null);
    let total = |c: &Value| {
        c.as_object()
            .map_or(0, |m| m.values().filter_map(Value::as_u64).sum::<u64>())
    };
    let ratio = ms(cli.wall) / ms(bare.wall);
    let cpu_ratio = ms(cli.cpu()) / ms(bare.cpu());
    let wall_row = Row {
        figure: format!(
            "2 bulk wall: {count} mixed targets, concurrency {CONCURRENCY}, process spawn to exit"
        ),
        offerkit: format!(
            "{:.0} ms (offerkit batch, exit {}, {} sandbox requests)",
            ms(cli.wall),
            exit_text(&cli),
            total(&cli_counts)
        ),
        baseline: format!(
            "{:.0} ms (bare reqwest fan-out, {} sandbox requests)",
            ms(bare.wall),
            total(&bare_counts)
        ),
        ratio: Some(ratio),
        target: format!("<= {WALL_TARGET}"),
        pass: Some(ratio <= WALL_TARGET && cli.success),
    };
    let cpu_row = Row {
        figure: "2 bulk CPU (user+sys) of the process, same runs (reported, no target)".to_owned(),
        offerkit: cpu_text(&cli),
        baseline: format!("{} (bare fan-out)", cpu_text(&bare)),
        ratio: Some(cpu_ratio),
        target: "-".to_owned(),
        pass: None,
    };
    let cli_mib = cli.max_rss_mib();
    let rss_row = Row {
        figure: "2 bulk peak RSS of the CLI process".to_owned(),
        offerkit: format!("{cli_mib:.1} MiB"),
        baseline: format!("{:.1} MiB (bare fan-out)", bare.max_rss_mib()),
        ratio: None,
        target: format!("< {RSS_TARGET_MIB} MiB"),
        pass: Some(cli_mib < RSS_TARGET_MIB),
    };
    let attribution = Row {
        figure: "2 bulk wall, CLI with --no-journal (where the time goes; not a target)".to_owned(),
        offerkit: format!(
            "{:.0} ms, {} (exit {})",
            ms(unjournaled.wall),
            cpu_text(&unjournaled),
            exit_text(&unjournaled)
        ),
        baseline: format!("{:.0} ms", ms(bare.wall)),
        ratio: Some(ms(unjournaled.wall) / ms(bare.wall)),
        target: "-".to_owned(),
        pass: None,
    };
    let with = |t: &Timed, extra: Value| {
        let mut doc = t.to_json();
        if let (Some(obj), Value::Object(more)) = (doc.as_object_mut(), extra) {
            obj.extend(more);
        }
        doc
    };
    let raw = json!({
        "mix": mix,
        "cli": with(&cli, json!({"statuses": statuses, "sandbox_counts": cli_counts})),
        "cli_no_journal": unjournaled.to_json(),
        "bare": with(&bare, json!({"report": bare_report, "sandbox_counts": bare_counts})),
    });
    Ok((vec![wall_row, cpu_row, rss_row, attribution], raw))
}

/// Runs the release CLI's batch against the sandbox on `port`, with or without its journal.
fn cli_batch(
    ctx: &Ctx,
    dir: &Path,
    targets: &Path,
    port: u16,
    journal_on: bool,
) -> Result<Timed, String> {
    let label = if journal_on { "cli" } else { "cli-no-journal" };
    let journal = dir.join("targets.jsonl.journal");
    let _ = std::fs::remove_file(&journal);
    let journal = journal_on.then_some(journal.as_path());
    let output = dir.join(format!("{label}-results.jsonl"));
    let args = batch_args(
        &format!("http://127.0.0.1:{port}"),
        targets,
        journal,
        &output,
    );
    timed(
        ctx,
        &ctx.cli(),
        &args,
        &[],
        &dir.join(format!("{label}-stdout.log")),
        &dir.join(format!("{label}-stderr.log")),
    )
}

/// The release CLI's arguments for a batch of `targets` against the sandbox at `base`: concurrency
/// 64, rate limits off, the given journal (or `--no-journal`), results to `output`.
pub fn batch_args(
    base: &str,
    targets: &Path,
    journal: Option<&Path>,
    output: &Path,
) -> Vec<String> {
    // --sandbox-url points every vendor's API and token endpoints at the sandbox, with the
    // sandbox's credentials.
    let mut args: Vec<String> = vec![
        "--sandbox-url".to_owned(),
        base.to_owned(),
        "--poll-interval-ms".to_owned(),
        POLL_MS.to_string(),
    ];
    args.extend(["batch".to_owned(), path_arg(targets)]);
    args.extend(["--concurrency".to_owned(), CONCURRENCY.to_string()]);
    for vendor in [
        "partner-center-ingestion",
        "partner-center-orders",
        "adobe",
        "appcharge",
    ] {
        args.extend(["--rate-limit".to_owned(), format!("{vendor}=0")]);
    }
    match journal {
        Some(journal) => args.extend(["--journal".to_owned(), path_arg(journal)]),
        None => args.push("--no-journal".to_owned()),
    }
    args.extend(["--output".to_owned(), path_arg(output)]);
    args
}

/// The bare fan-out's arguments (`offerkit-bench fanout`) for the same targets and concurrency.
pub fn fanout_args(base: &str, targets: &Path) -> Vec<String> {
    vec![
        "fanout".to_owned(),
        "--base".to_owned(),
        base.to_owned(),
        "--targets".to_owned(),
        path_arg(targets),
        "--concurrency".to_owned(),
        CONCURRENCY.to_string(),
        "--poll-ms".to_owned(),
        POLL_MS.to_string(),
    ]
}

/// Starts a sandbox seeded with `seed`, runs `f(port)`, reads its request counters, stops it.
fn with_sandbox(
    ctx: &Ctx,
    dir: &Path,
    seed: &Path,
    label: &str,
    f: impl FnOnce(u16) -> Result<Timed, String>,
) -> Result<(Timed, Value), String> {
    let sandbox = Sandbox::start(ctx, &dir.join(format!("sandbox-{label}.log")), Some(seed))?;
    let result = f(sandbox.port)?;
    let counts = sandbox.counts();
    sandbox.stop();
    Ok((result, counts))
}

/// How many lines of a results file had each status (read line by line: it can be large).
pub fn result_statuses(path: &Path) -> Value {
    let mut counts = serde_json::Map::new();
    let Ok(file) = std::fs::File::open(path) else {
        return Value::Object(counts);
    };
    for line in std::io::BufReader::new(file).lines() {
        let status = line
            .ok()
            .and_then(|l| serde_json::from_str::<Value>(&l).ok())
            .and_then(|v| v.get("status").and_then(Value::as_str).map(str::to_owned))
            .unwrap_or_else(|| "unparsable".to_owned());
        let n = counts.get(&status).and_then(Value::as_u64).unwrap_or(0);
        counts.insert(status, json!(n + 1));
    }
    Value::Object(counts)
}

/// `ok` or `non-zero`.
pub fn exit_text(t: &Timed) -> &'static str {
    if t.success { "ok" } else { "non-zero" }
}

/// `user+sys` CPU with its split, e.g. `1234 ms CPU (1000 user + 234 sys)`.
pub fn cpu_text(t: &Timed) -> String {
    format!(
        "{:.0} ms CPU ({:.0} user + {:.0} sys)",
        ms(t.cpu()),
        ms(t.user),
        ms(t.sys)
    )
}

/// A path as a command-line argument.
pub fn path_arg(path: &Path) -> String {
    path.display().to_string()
}
