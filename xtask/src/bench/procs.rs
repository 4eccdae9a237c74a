//! Child processes and plain HTTP/1.1 probes (std only, loopback only): servers that are killed when
//! dropped, timed runs with CPU time and peak RSS, JSON-printing bench commands.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::Ctx;

/// A server process we started; killed (by its own pid, via `Child::kill`) when dropped.
pub struct Server {
    child: Child,
    /// When it was spawned.
    pub spawned: Instant,
}

impl Server {
    /// Spawns `command` with stdout and stderr appended to `log`.
    pub fn spawn(mut command: Command, log: &Path) -> Result<Self, String> {
        let file = std::fs::File::create(log).map_err(|e| format!("{}: {e}", log.display()))?;
        let err = file.try_clone().map_err(|e| e.to_string())?;
        let spawned = Instant::now();
        let child = command
            .stdin(Stdio::null())
            .stdout(file)
            .stderr(err)
            .spawn()
            .map_err(|e| format!("cannot start {command:?}: {e}"))?;
        Ok(Self { child, spawned })
    }

    /// Polls `GET path` until a 2xx answer; returns the time since spawn.
    pub fn wait_ready(
        &mut self,
        port: u16,
        path: &str,
        header: Option<(&str, &str)>,
        limit: Duration,
    ) -> Result<Duration, String> {
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("exited before answering ({status})"));
            }
            if let Ok((status, _)) = get(port, path, header)
                && (200..300).contains(&status)
            {
                return Ok(self.spawned.elapsed());
            }
            if self.spawned.elapsed() > limit {
                return Err(format!("no answer within {} s", limit.as_secs()));
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

impl Server {
    /// CPU time (user+sys) the process has used so far, from `/proc/PID/stat` (`None` off Linux).
    pub fn cpu(&self) -> Option<Duration> {
        cpu_of(self.child.id())
    }
}

/// Clock ticks per second of `/proc/PID/stat` times (`USER_HZ`, 100 on every Linux port).
const USER_HZ: u64 = 100;

/// User+sys CPU time of a live process from `/proc/PID/stat` (fields 14 and 15, after the
/// parenthesised command name, which may itself contain spaces).
fn cpu_of(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (_, after_name) = stat.rsplit_once(')')?;
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // after_name starts at field 3 (state): utime is field 14, stime field 15.
    let ticks = |field: usize| fields.get(field - 3)?.parse::<u64>().ok();
    let total = ticks(14)? + ticks(15)?;
    Some(Duration::from_millis(total * 1000 / USER_HZ))
}

/// The 1-minute load average (`/proc/loadavg`), to read wall times against.
pub fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A free loopback port (bound, then released).
pub fn free_port() -> Result<u16, String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| e.to_string())
}

/// One `Connection: close` request to 127.0.0.1; returns the status and the body.
pub fn request(
    method: &str,
    port: u16,
    path: &str,
    header: Option<(&str, &str)>,
    body: Option<&str>,
) -> Result<(u16, String), String> {
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let mut stream =
        TcpStream::connect_timeout(&addr, Duration::from_millis(500)).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .map_err(|e| e.to_string())?;
    let extra = header.map_or(String::new(), |(n, v)| format!("{n}: {v}\r\n"));
    let body = body.unwrap_or("");
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: application/json\r\nConnection: close\r\n{extra}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream
        .write_all(head.as_bytes())
        .and_then(|()| stream.write_all(body.as_bytes()))
        .map_err(|e| e.to_string())?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&raw);
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| "no HTTP status line".to_owned())?;
    let body = text
        .split_once("\r\n\r\n")
        .map_or(String::new(), |(_, b)| b.to_owned());
    Ok((status, body))
}

/// `GET` shorthand for [`request`].
pub fn get(port: u16, path: &str, header: Option<(&str, &str)>) -> Result<(u16, String), String> {
    request("GET", port, path, header, None)
}

/// Runs a bench command that prints one JSON object; returns it.
pub fn run_json(mut command: Command) -> Result<Value, String> {
    let output = command
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run {command:?}: {e}"))?;
    if !output.status.success() {
        return Err(format!("{command:?} failed ({})", output.status));
    }
    serde_json::from_slice(&output.stdout).map_err(|e| format!("{command:?}: bad JSON: {e}"))
}

/// What a timed run measured (by `offerkit-bench measure`, from `getrusage` of its only child).
#[derive(Debug, Clone, Copy)]
pub struct Timed {
    /// Wall time from spawn to exit.
    pub wall: Duration,
    /// User CPU time.
    pub user: Duration,
    /// System CPU time.
    pub sys: Duration,
    /// Peak resident set size in KiB (`ru_maxrss`).
    pub max_rss_kib: u64,
    /// Whether it exited 0.
    pub success: bool,
}

impl Timed {
    /// User plus system CPU time.
    pub fn cpu(&self) -> Duration {
        self.user + self.sys
    }

    /// Peak RSS in MiB.
    pub fn max_rss_mib(&self) -> f64 {
        self.max_rss_kib as f64 / 1024.0
    }

    /// Reads `offerkit-bench measure`'s report.
    fn from_report(doc: &Value) -> Result<Self, String> {
        let millis = |key: &str| {
            doc.get(key)
                .and_then(Value::as_f64)
                .map(|m| Duration::from_secs_f64(m.max(0.0) / 1000.0))
                .ok_or_else(|| format!("measure report without {key}: {doc}"))
        };
        Ok(Self {
            wall: millis("wall_ms")?,
            user: millis("user_ms")?,
            sys: millis("sys_ms")?,
            max_rss_kib: doc
                .get("max_rss_kib")
                .and_then(Value::as_u64)
                .ok_or_else(|| format!("measure report without max_rss_kib: {doc}"))?,
            success: doc.get("exit_code").and_then(Value::as_i64) == Some(0),
        })
    }

    /// The raw-report form.
    pub fn to_json(self) -> Value {
        serde_json::json!({
            "wall_ms": super::ms(self.wall),
            "user_ms": super::ms(self.user),
            "sys_ms": super::ms(self.sys),
            "max_rss_kib": self.max_rss_kib,
            "success": self.success,
        })
    }
}

/// Runs `program args` to completion under `offerkit-bench measure` (so that the numbers are the
/// program's own), with stdout to `stdout` and stderr to `stderr`; the usage report is written
/// next to `stderr` (extension `usage.json`).
pub fn timed(
    ctx: &Ctx,
    program: &Path,
    args: &[String],
    envs: &[(String, String)],
    stdout: &Path,
    stderr: &Path,
) -> Result<Timed, String> {
    let report: PathBuf = stderr.with_extension("usage.json");
    let _ = std::fs::remove_file(&report);
    let out = std::fs::File::create(stdout).map_err(|e| format!("{}: {e}", stdout.display()))?;
    let err = std::fs::File::create(stderr).map_err(|e| format!("{}: {e}", stderr.display()))?;
    let mut command = ctx.bench();
    command
        .arg("measure")
        .arg("--report")
        .arg(&report)
        .arg("--")
        .arg(program)
        .args(args)
        .envs(envs.iter().map(|(k, v)| (k, v)));
    let status = command
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .status()
        .map_err(|e| format!("cannot start {}: {e}", program.display()))?;
    if !status.success() {
        return Err(format!(
            "offerkit-bench measure {} failed ({status}); see {}",
            program.display(),
            stderr.display()
        ));
    }
    let text =
        std::fs::read_to_string(&report).map_err(|e| format!("{}: {e}", report.display()))?;
    let doc: Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", report.display()))?;
    Timed::from_report(&doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_measure_report() {
        let doc = serde_json::json!({"wall_ms": 1500.0, "user_ms": 700.0, "sys_ms": 300.0,
                                     "max_rss_kib": 20480, "exit_code": 0});
        let t = Timed::from_report(&doc).expect("complete report");
        assert_eq!(t.cpu(), Duration::from_secs(1));
        assert_eq!(t.wall, Duration::from_millis(1500));
        assert!(t.success);
        assert_eq!(t.max_rss_mib(), 20.0);
        assert_eq!(t.to_json()["user_ms"], 700.0);
        // Killed by a signal (no exit code) or a non-zero exit is not a success.
        for code in [serde_json::json!(null), serde_json::json!(2)] {
            let mut failed = doc.clone();
            failed["exit_code"] = code;
            assert!(!Timed::from_report(&failed).expect("parses").success);
        }
        let mut partial = doc.clone();
        partial.as_object_mut().map(|o| o.remove("sys_ms"));
        assert!(Timed::from_report(&partial).is_err());
    }

    #[test]
    fn reads_cpu_time_and_load_of_this_machine() {
        // This test process has run code, so its own stat is readable and parses (Linux).
        assert!(cpu_of(std::process::id()).is_some());
        assert!(cpu_of(u32::MAX).is_none());
        assert!(load_average().is_some_and(|l| l >= 0.0));
    }
}
