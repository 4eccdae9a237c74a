//! `measure --report FILE -- PROGRAM ARGS...`: runs one program as this process's only child and
//! writes what the kernel accounted to it: wall time from spawn to exit, user and system CPU time,
//! and peak RSS (`getrusage(RUSAGE_CHILDREN)` after the wait, so `ru_maxrss` is the child's own).
//!
//! Why a process of its own: `RUSAGE_CHILDREN` sums every reaped child (and their reaped
//! descendants) and keeps the largest `ru_maxrss` ever seen. xtask reaps sandboxes and cargo
//! builds, so only a parent with exactly one child gives clean numbers. The child inherits this
//! process's stdin, stdout and stderr; the report goes to FILE.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use nix::sys::resource::{UsageWho, getrusage};
use nix::sys::time::TimeValLike;
use serde_json::{Value, json};

use crate::Result;

/// What the kernel accounted to one finished child.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Usage {
    /// Spawn to exit, as seen from here.
    pub(crate) wall: Duration,
    /// User CPU time.
    pub(crate) user: Duration,
    /// System CPU time.
    pub(crate) sys: Duration,
    /// Peak resident set size in KiB (`ru_maxrss`).
    pub(crate) max_rss_kib: u64,
    /// The exit code; `None` when a signal ended it.
    pub(crate) exit_code: Option<i32>,
}

/// Runs `command` (program and arguments) to completion and returns its usage.
///
/// Call it at most once per process: a second child's CPU would add to the first's.
pub(crate) fn child(command: &[String]) -> Result<Usage> {
    let (program, args) = command
        .split_first()
        .ok_or("measure: nothing to run (usage: measure --report FILE -- PROGRAM ARGS...)")?;
    let start = Instant::now();
    let status = Command::new(program)
        .args(args)
        .status()
        .map_err(|e| format!("measure: cannot run {program}: {e}"))?;
    let wall = start.elapsed();
    let usage = getrusage(UsageWho::RUSAGE_CHILDREN).map_err(|e| format!("getrusage: {e}"))?;
    let micros = |t: nix::sys::time::TimeVal| {
        Duration::from_micros(u64::try_from(t.num_microseconds()).unwrap_or(0))
    };
    Ok(Usage {
        wall,
        user: micros(usage.user_time()),
        sys: micros(usage.system_time()),
        max_rss_kib: u64::try_from(usage.max_rss()).unwrap_or(0),
        exit_code: status.code(),
    })
}

/// The report document.
pub(crate) fn to_json(usage: &Usage) -> Value {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    json!({
        "wall_ms": ms(usage.wall),
        "user_ms": ms(usage.user),
        "sys_ms": ms(usage.sys),
        "max_rss_kib": usage.max_rss_kib,
        "exit_code": usage.exit_code,
    })
}

/// The `measure` command: runs the child and writes the report to `report`. Returns `Null`: the
/// report is not printed, stdout belongs to the child.
pub(crate) fn run(report: &Path, command: &[String]) -> Result<Value> {
    let doc = to_json(&child(command)?);
    std::fs::write(report, doc.to_string()).map_err(|e| format!("{}: {e}", report.display()))?;
    Ok(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(w: &[&str]) -> Vec<String> {
        w.iter().map(|s| (*s).to_owned()).collect()
    }

    // One test: each `child` call in this process adds to RUSAGE_CHILDREN, so the cases run in order.
    #[test]
    fn accounts_the_child_and_passes_its_exit_code() {
        assert!(child(&[]).is_err());
        assert!(child(&words(&["/nonexistent/program"])).is_err());
        // A shell that counts to 200,000 uses measurable user CPU and some resident memory.
        let busy = child(&words(&[
            "sh",
            "-c",
            "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; exit 3",
        ]))
        .expect("sh runs");
        assert_eq!(busy.exit_code, Some(3));
        assert!(busy.user + busy.sys > Duration::ZERO, "{busy:?}");
        assert!(busy.max_rss_kib > 0, "{busy:?}");
        let doc = to_json(&busy);
        assert_eq!(doc["exit_code"], 3);
        assert_eq!(doc["max_rss_kib"], busy.max_rss_kib);
        let cpu_ms =
            |d: &Value| d["user_ms"].as_f64().unwrap_or(0.0) + d["sys_ms"].as_f64().unwrap_or(0.0);
        assert!(cpu_ms(&doc) > 0.0, "{doc}");
    }
}
