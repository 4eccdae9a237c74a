//! Repository automation, run as `cargo xtask <task>`.
//!
//! Tasks: `codegen [--check]`, `licenses`, `bench [--quick] [--only N] [--sizes LIST] [--help]`,
//! `release [--dry-run] [--allow-dirty] X.Y.Z`, `man [--dir DIR]` (the CLI's man pages, default
//! `target/man/man1`).
//! `cargo test -p xtask` also runs the repository hygiene checks in `tidy`.

mod bench;
mod codegen;
mod licenses;
mod man;
mod metadata;
mod release;
#[cfg(test)]
mod tidy;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("codegen") => codegen::run(args.iter().any(|a| a == "--check")),
        Some("bench") => bench::run(&args[1..]),
        Some("release") => release::run(&args[1..]),
        Some("licenses") => licenses::run(),
        Some("man") => man::run(&args[1..]),
        Some(other) => Err(format!("unknown task `{other}`; expected codegen, bench, licenses, release or man")),
        None => Err("usage: cargo xtask <codegen [--check] | licenses | bench [--quick] [--only N] [--sizes LIST] | release [--dry-run] [--allow-dirty] X.Y.Z | man [--dir DIR]>".to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
