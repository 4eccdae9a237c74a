//! `offerkit-bench`: the measuring half of `cargo xtask bench`.
//!
//! `cargo xtask bench` builds this binary in release mode and runs one sub-command per figure;
//! each prints one JSON object on stdout (but `measure`, whose stdout is its child's), which xtask
//! folds into the report. Commands:
//!
//! - `overhead --requests N --rounds R [--side both|offerkit|bare]`: figure 1, offerkit vs bare
//!   reqwest against an in-process stub (one side alone is for profiling it);
//! - `gen-batch --count N --targets FILE --seed FILE [--mix all|deletes|quota] [--seed-chunk K]`: figure 2's
//!   mixed targets (or figure 5's Adobe and Appcharge deletes, or figure 6's order cancels and
//!   Appcharge deletes) and the matching seed (with
//!   `--seed-chunk`, one seed document of at most K resources per line);
//! - `fanout --base URL --targets FILE --concurrency C --poll-ms MS`: figure 2's bare-reqwest baseline;
//! - `load --url URL --connections C --seconds S --warmup S [--header NAME:VALUE]`: figure 3's load;
//! - `measure --report FILE -- PROGRAM ARGS...`: runs PROGRAM as the only child and writes its wall
//!   time, user and system CPU and peak RSS (`getrusage`) to FILE (figures 2 and 5).
//!
//! Every loop is bounded in count and time; only 127.0.0.1 is ever contacted.

mod args;
mod fanout;
mod gen_batch;
mod load;
mod measure;
mod overhead;
mod stats;
mod stub;

use std::process::ExitCode;

use args::Args;
use serde_json::Value;

/// Errors are plain messages: this is a tool, its caller prints them.
pub(crate) type Result<T> = std::result::Result<T, String>;

fn main() -> ExitCode {
    match run() {
        Ok(Value::Null) => ExitCode::SUCCESS,
        Ok(report) => {
            println!("{report}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("offerkit-bench: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<Value> {
    let args = Args::parse(std::env::args().skip(1))?;
    match args.command.as_str() {
        "overhead" => overhead::run(
            args.usize("requests", 10_000)?,
            args.usize("rounds", 3)?,
            overhead::Side::parse(&args.optional("side").unwrap_or_else(|| "both".to_owned()))?,
        ),
        "gen-batch" => gen_batch::run(
            args.usize("count", 10_000)?,
            gen_batch::Mix::parse(&args.optional("mix").unwrap_or_else(|| "all".to_owned()))?,
            args.optional("seed-chunk")
                .map(|_| args.usize("seed-chunk", 0))
                .transpose()?,
            &args.path("targets")?,
            &args.path("seed")?,
        ),
        "fanout" => fanout::run(&fanout::Options {
            base: args.string("base")?,
            targets: args.path("targets")?,
            concurrency: args.usize("concurrency", 64)?,
            poll_ms: args.u64("poll-ms", 50)?,
        }),
        "load" => load::run(&load::Options {
            url: args.string("url")?,
            connections: args.usize("connections", 64)?,
            seconds: args.u64("seconds", 10)?,
            warmup_seconds: args.u64("warmup", 2)?,
            header: args.optional("header"),
        }),
        "measure" => measure::run(&args.path("report")?, &args.rest),
        other => Err(format!(
            "unknown command `{other}`; expected overhead, gen-batch, fanout, load or measure"
        )),
    }
}

/// A runtime for one command: `threads == 1` gives a current-thread runtime.
pub(crate) fn runtime(threads: usize) -> Result<tokio::runtime::Runtime> {
    let mut builder = if threads <= 1 {
        tokio::runtime::Builder::new_current_thread()
    } else {
        let mut b = tokio::runtime::Builder::new_multi_thread();
        b.worker_threads(threads);
        b
    };
    builder
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start a tokio runtime: {e}"))
}
