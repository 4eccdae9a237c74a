#![doc = include_str!("../README.md")]
//!
//! As a library (so tests and the demo can drive it in-process): [`args`] (the clap command
//! tree and exit-code help), [`setup`] (profile/env/flags/`--sandbox` → client), [`commands`]
//! (one module per subcommand family), [`logging`] (`-v`, `RUST_LOG`), [`batch`] (the resumable
//! batch engine: input, journal, rate limits, reporting), [`plan_file`] (the plan `plan` writes
//! and `apply` reads), [`exit`] (exit codes).
// docs.rs builds with `--cfg docsrs` on nightly: feature-gated items get their "Available on crate feature" badge.
#![cfg_attr(docsrs, feature(doc_cfg))]

/// `println!` that never panics: a closed stdout (`offerkit … | head -1`) loses the line, and the
/// command goes on to its real exit code.
macro_rules! outln {
    () => {
        outln!("")
    };
    ($($arg:tt)*) => {
        $crate::write_line(&mut std::io::stdout().lock(), format_args!($($arg)*))
    };
}

/// `eprintln!` that never panics on a closed stderr (see [`outln!`]).
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::write_line(&mut std::io::stderr().lock(), format_args!($($arg)*))
    };
}

pub mod args;
pub mod batch;
pub mod commands;
pub mod exit;
pub mod logging;
pub mod plan_file;
pub mod setup;
#[cfg(test)]
mod testutil;

use serde::Serialize;

use args::{Cli, Command, SandboxCmd};
use exit::Exit;

/// Parses the process arguments, runs the command, returns the exit code.
pub async fn main() -> Exit {
    let cli = match args::parse_from(std::env::args_os()) {
        Ok(cli) => cli,
        Err(error) => error.exit(),
    };
    logging::init(cli.global.verbose);
    run(cli).await
}

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> Exit {
    let json = cli.global.json;
    match &cli.command {
        Command::Demo(args) => return commands::demo::run(args.dir.clone(), json).await,
        Command::Sandbox(SandboxCmd::Serve(args)) => {
            return commands::sandbox::serve(args, json).await;
        }
        Command::Completions { shell } => return commands::completions::run(*shell),
        Command::Man { dir } => return commands::man::run(dir.as_deref(), json),
        _ => {}
    }
    let session = match setup::session(&cli.global).await {
        Ok(session) => session,
        Err(error) => {
            print_error(&error, json);
            return Exit::for_error(&error);
        }
    };
    let exit = match &cli.command {
        Command::Batch(args) => commands::batch::run(&session, args, json).await,
        Command::Doctor(args) => commands::doctor::run(&session, &cli.global, args, json).await,
        Command::Restore(args) => commands::restore::run(&session, args, json).await,
        Command::Select(args) => commands::select::run(&session.client, args, json).await,
        Command::Plan(args) => commands::plan::run(&session, args, json).await,
        Command::Apply(args) => commands::apply::run(&session, args, json).await,
        command => match commands::single::op(command) {
            Some(Ok(op)) => commands::single::run(&session.client, &op, json).await,
            Some(Err(error)) => {
                print_error(&error, json);
                Exit::for_error(&error)
            }
            None => Exit::Usage,
        },
    };
    session.close().await;
    exit
}

/// Writes one line in one write, ignoring a closed pipe (what the `outln!` and `errln!` macros do).
pub fn write_line(out: &mut dyn std::io::Write, args: std::fmt::Arguments<'_>) {
    let mut line = args.to_string();
    line.push('\n');
    let _ = out.write_all(line.as_bytes());
}

/// Prints an error on stderr (as `{"error":…}` with `--json`).
pub fn print_error(error: &offerkit::Error, json: bool) {
    if json {
        errln!("{}", serde_json::json!({ "error": error }));
    } else {
        errln!("error: {error}");
    }
}

/// Pretty-prints `value` as JSON on stdout.
pub fn print_json(value: &impl Serialize) {
    match serde_json::to_string_pretty(value) {
        Ok(text) => outln!("{text}"),
        Err(e) => errln!("error: cannot serialize output: {e}"),
    }
}

/// Prints `value` as one JSON line on stdout.
pub fn print_json_line(value: &impl Serialize) {
    match serde_json::to_string(value) {
        Ok(text) => outln!("{text}"),
        Err(e) => errln!("error: cannot serialize output: {e}"),
    }
}
