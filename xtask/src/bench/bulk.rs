//! Figure 2: bulk. `offerkit batch` (release CLI, concurrency 64, journal on, rate limits off) of
//! mixed targets against a freshly seeded sandbox process, vs `offerkit-bench fanout` (bare reqwest,
//! same concurrency, the same HTTP calls) against another freshly seeded one. Both are timed from
//! process spawn to exit; the CLI's peak RSS is read with `/usr/bin/time` (or `VmHWM`). The sandbox's
//! per-route request counters are kept for both runs so the call mix can be compared.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use serde_json::{Value, json};

use super::procs::{Server, Timed, free_port, get, run_json, timed};
use super::report::Row;
use super::{Ctx, ms};

const CONCURRENCY: usize = 64;
const POLL_MS: u64 = 50;
const WALL_TARGET: f64 = 1.2;
const RSS_TARGET_MIB: f64 = 64.0;

/// Runs the figure.
pub fn run(ctx: &Ctx) -> (Vec<Row>, Value) {
    let count = if ctx.quick { 1_000 } else { 10_000 };
    match measure(ctx, count) {
        Ok((rows, raw)) => (rows, raw),
        Err(e) => (
            vec![Row::unavailable("2 bulk", "wall <= 1.2, RSS < 64 MiB", &e)],
            json!({"error": e}),
        ),
    }
}

fn measure(ctx: &Ctx, count: usize) -> Result<(Vec<Row>, Value), String> {
    let dir = ctx.dir("bulk")?;
    let (targets, seed) = (dir.join("targets.jsonl"), dir.join("seed.json"));
    let mut generate = ctx.bench();
    generate
        .args(["gen-batch", "--count", &count.to_string(), "--targets"])
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
        let args = vec![
            "fanout".to_owned(),
            "--base".to_owned(),
            format!("http://127.0.0.1:{port}"),
            "--targets".to_owned(),
            path_arg(&targets),
            "--concurrency".to_owned(),
            CONCURRENCY.to_string(),
            "--poll-ms".to_owned(),
            POLL_MS.to_string(),
        ];
        timed(
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
    let mib = |t: &Timed| t.max_rss_kib.map(|k| k as f64 / 1024.0);
    let cli_mib = mib(&cli);
    let wall_row = Row {
        figure: format!(
            "2 bulk wall: {count} mixed targets, concurrency {CONCURRENCY}, process spawn to exit"
        ),
        offerkit: format!(
            "{:.0} ms (offerkit batch, exit {}, {} sandbox requests)",
            ms(cli.wall),
            if cli.success { "ok" } else { "non-zero" },
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
    let rss_row = Row {
        figure: "2 bulk peak RSS of the CLI process".to_owned(),
        offerkit: cli_mib.map_or("unknown".to_owned(), |m| format!("{m:.1} MiB")),
        baseline: mib(&bare).map_or("-".to_owned(), |m| format!("{m:.1} MiB (bare fan-out)")),
        ratio: None,
        target: format!("< {RSS_TARGET_MIB} MiB"),
        pass: cli_mib.map(|m| m < RSS_TARGET_MIB),
    };
    let attribution = Row {
        figure: "2 bulk wall, CLI with --no-journal (where the time goes; not a target)".to_owned(),
        offerkit: format!(
            "{:.0} ms (exit {})",
            ms(unjournaled.wall),
            if unjournaled.success {
                "ok"
            } else {
                "non-zero"
            }
        ),
        baseline: format!("{:.0} ms", ms(bare.wall)),
        ratio: Some(ms(unjournaled.wall) / ms(bare.wall)),
        target: "-".to_owned(),
        pass: None,
    };
    let raw = json!({
        "mix": mix,
        "cli": {"wall_ms": ms(cli.wall), "max_rss_kib": cli.max_rss_kib, "success": cli.success,
                "statuses": statuses, "sandbox_counts": cli_counts},
        "cli_no_journal": {"wall_ms": ms(unjournaled.wall), "max_rss_kib": unjournaled.max_rss_kib, "success": unjournaled.success},
        "bare": {"wall_ms": ms(bare.wall), "max_rss_kib": bare.max_rss_kib, "success": bare.success,
                 "report": bare_report, "sandbox_counts": bare_counts},
    });
    Ok((vec![wall_row, rss_row, attribution], raw))
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
    let base = format!("http://127.0.0.1:{port}");
    // --sandbox-url points every vendor's API and token endpoints at the sandbox, with the
    // sandbox's credentials.
    let mut args: Vec<String> = vec![
        "--sandbox-url".to_owned(),
        base,
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
    if journal_on {
        args.extend(["--journal".to_owned(), path_arg(&journal)]);
    } else {
        args.push("--no-journal".to_owned());
    }
    args.extend([
        "--output".to_owned(),
        path_arg(&dir.join(format!("{label}-results.jsonl"))),
    ]);
    timed(
        &ctx.cli(),
        &args,
        &[],
        &dir.join(format!("{label}-stdout.log")),
        &dir.join(format!("{label}-stderr.log")),
    )
}

/// Starts a sandbox seeded with `seed`, runs `f(port)`, reads its request counters, stops it.
fn with_sandbox(
    ctx: &Ctx,
    dir: &Path,
    seed: &Path,
    label: &str,
    f: impl FnOnce(u16) -> Result<Timed, String>,
) -> Result<(Timed, Value), String> {
    let port = free_port()?;
    let mut command = Command::new(ctx.cli());
    command
        .args(["sandbox", "serve", "--port", &port.to_string(), "--seed"])
        .arg(seed);
    let mut server = Server::spawn(command, &dir.join(format!("sandbox-{label}.log")))?;
    server
        .wait_ready(port, "/_sandbox/health", None, Duration::from_secs(60))
        .map_err(|e| format!("sandbox: {e}"))?;
    let result = f(port)?;
    let counts = get(port, "/_sandbox/journal?limit=0", None)
        .ok()
        .and_then(|(_, body)| serde_json::from_str::<Value>(&body).ok())
        .and_then(|v| v.pointer("/counts/byRoute").cloned())
        .unwrap_or(Value::Null);
    drop(server);
    Ok((result, counts))
}

/// How many result lines had each status.
fn result_statuses(path: &Path) -> Value {
    let mut counts = serde_json::Map::new();
    for line in std::fs::read_to_string(path).unwrap_or_default().lines() {
        let status = serde_json::from_str::<Value>(line)
            .ok()
            .and_then(|v| v.get("status").and_then(Value::as_str).map(str::to_owned))
            .unwrap_or_else(|| "unparsable".to_owned());
        let n = counts.get(&status).and_then(Value::as_u64).unwrap_or(0);
        counts.insert(status, json!(n + 1));
    }
    Value::Object(counts)
}

fn path_arg(path: &Path) -> String {
    path.display().to_string()
}
