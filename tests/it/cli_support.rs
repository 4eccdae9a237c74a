//! Helpers for the CLI end-to-end tests: a sandbox in the test process and the real
//! `offerkit` process (built as `offerkit-e2e`, see tests/Cargo.toml) pointed at it
//! through `OFFERKIT_*` env vars.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

use offerkit_sandbox::{JournalEntry, Sandbox};
use serde_json::Value;
use tokio::io::AsyncWriteExt;
use tokio::process::Command;

/// The CLI binary.
pub const BIN: &str = env!("CARGO_BIN_EXE_offerkit-e2e");

/// `offerkit batch` flags that lift the production rate limits (the sandbox has none).
pub const NO_RATE_LIMITS: [&str; 8] = [
    "--rate-limit",
    "partner-center-ingestion=0",
    "--rate-limit",
    "partner-center-orders=0",
    "--rate-limit",
    "adobe=0",
    "--rate-limit",
    "appcharge=0",
];

/// Ingestion job polls every 10 ms in these tests.
pub const POLL_MS: &str = "10";

/// A fresh directory under the system temp dir (a `tempfile::TempDir` named for its test), removed on drop.
pub struct TempDir(tempfile::TempDir);

impl TempDir {
    /// Creates `offerkit-it-cli-<tag>-<random>`.
    pub fn new(tag: &str) -> TempDir {
        let dir = tempfile::Builder::new()
            .prefix(&format!("offerkit-it-cli-{tag}-"))
            .tempdir()
            .expect("create temp dir");
        TempDir(dir)
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        self.0.path()
    }
}

/// `OFFERKIT_*` settings pointing every vendor at `sandbox` with sandbox credentials.
pub fn sandbox_env(sandbox: &Sandbox) -> Vec<(String, String)> {
    let base = sandbox.base_url().trim_end_matches('/');
    let mut vars: Vec<(String, String)> = [
        ("INGESTION_URL", format!("{base}/rp/product-ingestion")),
        ("INGESTION_AUTHORITY", base.to_owned()),
        ("ORDERS_URL", base.to_owned()),
        ("ORDERS_AUTHORITY", base.to_owned()),
        ("ADOBE_URL", format!("{base}/data/core/dps")),
        ("ADOBE_IMS_URL", base.to_owned()),
        ("APPCHARGE_URL", base.to_owned()),
        (
            "APPCHARGE_PUBLISHER_TOKEN",
            "e2e-publisher-token".to_owned(),
        ),
        ("ADOBE_CLIENT_ID", "e2e-client".to_owned()),
        ("ADOBE_CLIENT_SECRET", "e2e-secret".to_owned()),
        ("ADOBE_ORG_ID", "e2e-org@AdobeOrg".to_owned()),
        ("ADOBE_SANDBOX_NAME", "prod".to_owned()),
        ("JOB_POLL_INTERVAL_MS", POLL_MS.to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    for stem in ["INGESTION", "ORDERS"] {
        for (key, value) in [
            ("TENANT_ID", "e2e-tenant"),
            ("CLIENT_ID", "e2e-client"),
            ("CLIENT_SECRET", "e2e-secret"),
        ] {
            vars.push((format!("{stem}_{key}"), value.to_owned()));
        }
    }
    vars.into_iter()
        .map(|(k, v)| (format!("OFFERKIT_{k}"), v))
        .collect()
}

/// The CLI with a clean `OFFERKIT_*` environment plus `env`, run in `dir`.
pub fn command(env: &[(String, String)], dir: &Path) -> Command {
    command_running(env, dir, BIN)
}

/// `program` (a wrapper that runs the CLI, such as a shell) with the environment and
/// directory of [`command`].
pub fn command_running(env: &[(String, String)], dir: &Path, program: &str) -> Command {
    let mut cmd = Command::new(program);
    for (key, _) in std::env::vars() {
        if key.starts_with("OFFERKIT_") {
            cmd.env_remove(key);
        }
    }
    // The default profile file is `$XDG_CONFIG_HOME/offerkit/config.toml`: one under `dir`, so
    // no test reads the machine's own (a test that wants one writes it there).
    cmd.env("XDG_CONFIG_HOME", config_home(dir))
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .current_dir(dir)
        .kill_on_drop(true);
    cmd
}

/// Seeds one Appcharge offer per id.
pub fn seed_appcharge(sandbox: &Sandbox, ids: &[String]) {
    let offers: Vec<Value> = ids
        .iter()
        .map(|id| serde_json::json!({"publisherOfferId": id, "name": format!("Pack {id}"), "type": "Bundle"}))
        .collect();
    sandbox
        .seed(&serde_json::json!({"appcharge": {"offers": offers}}))
        .expect("seed");
}

/// A 127.0.0.1 port that refuses connections for as long as this value lives: bound, never
/// listening. (Binding port 0 and dropping the socket would leave a window in which a parallel
/// test's server takes the port.)
pub struct ClosedPort {
    _socket: socket2::Socket,
    /// The port.
    pub port: u16,
}

impl ClosedPort {
    /// Binds a fresh port without listening on it.
    pub fn new() -> ClosedPort {
        use socket2::{Domain, Socket, Type};
        let socket = Socket::new(Domain::IPV4, Type::STREAM, None).expect("socket");
        let any: std::net::SocketAddr = "127.0.0.1:0".parse().expect("address");
        socket.bind(&any.into()).expect("bind");
        let port = socket
            .local_addr()
            .expect("local address")
            .as_socket()
            .expect("an IP address")
            .port();
        ClosedPort {
            _socket: socket,
            port,
        }
    }
}

/// The `XDG_CONFIG_HOME` of a CLI run in `dir`: the default profile file is
/// `config_home(dir)/offerkit/config.toml`.
pub fn config_home(dir: &Path) -> PathBuf {
    dir.join(".offerkit-it-config")
}

/// What one CLI run printed and returned.
#[derive(Debug)]
pub struct Run {
    /// The exit code (`-1` if killed by a signal).
    pub code: i32,
    /// Stdout.
    pub stdout: String,
    /// Stderr.
    pub stderr: String,
}

impl Run {
    /// Stdout parsed as one JSON document.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {self:?}"))
    }

    /// Stdout parsed as JSON lines.
    pub fn json_lines(&self) -> Vec<Value> {
        jsonl(&self.stdout)
    }
}

/// `value` without the top-level `fields` (what a vendor assigns on a re-create), to compare a
/// resource before and after.
pub fn without_fields(mut value: Value, fields: &[&str]) -> Value {
    if let Some(object) = value.as_object_mut() {
        for field in fields {
            object.remove(*field);
        }
    }
    value
}

/// Parses JSON lines (blank lines skipped).
pub fn jsonl(text: &str) -> Vec<Value> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l}: {e}")))
        .collect()
}

/// Runs the CLI with `args` against `sandbox` and waits for it.
pub async fn offerkit(sandbox: &Sandbox, args: &[&str]) -> Run {
    // A directory of its own: the run's default profile file (`XDG_CONFIG_HOME`) is under it.
    let dir = TempDir::new("run");
    offerkit_with(&sandbox_env(sandbox), dir.path(), args).await
}

/// Runs the CLI with exactly `env` (plus a clean `OFFERKIT_*` slate) in `dir`.
pub async fn offerkit_with(env: &[(String, String)], dir: &Path, args: &[&str]) -> Run {
    let output: Output = command(env, dir)
        .args(args)
        .output()
        .await
        .expect("spawn offerkit");
    Run::from(output)
}

/// Runs the CLI like [`offerkit_with`], with `stdin` as its standard input. The input is
/// written while the output is read, and a process that exits without reading all of it
/// is not an error here.
pub async fn offerkit_with_stdin(
    env: &[(String, String)],
    dir: &Path,
    args: &[&str],
    stdin: &[u8],
) -> Run {
    let mut child = command(env, dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn offerkit");
    let mut pipe = child.stdin.take().expect("stdin pipe");
    let input = stdin.to_vec();
    let writer = tokio::spawn(async move {
        // A refused run exits before reading: a broken pipe is its answer, not ours.
        let _ = pipe.write_all(&input).await;
    });
    let output = child.wait_with_output().await.expect("wait offerkit");
    writer.await.expect("stdin writer");
    Run::from(output)
}

impl From<Output> for Run {
    fn from(output: Output) -> Run {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

/// Mutating calls that took effect, per path: the sandbox acted on them and answered
/// 2xx, or acted and then dropped the connection (an injected after-fault, status 0).
/// Retries refused by an injected fault before acting, and repeats answered 404, are not
/// counted.
pub fn effective(journal: &[JournalEntry], method: &str) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for e in journal {
        if e.method == method && e.acted && (e.status == 0 || (200..300).contains(&e.status)) {
            *counts.entry(e.path.clone()).or_default() += 1;
        }
    }
    counts
}

/// One configure job touching a private offer, from the sandbox state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferJob {
    /// The state the request asked for (`deleted`, `withdrawn`).
    pub asked: String,
    /// `Some(true)` if the job completed and its effect was applied, `Some(false)` if it
    /// completed as failed, `None` if it has not completed.
    pub succeeded: Option<bool>,
}

/// Configure jobs in the sandbox state per private-offer id (`private-offer/<id>`).
pub fn configure_jobs_per_offer(state: &Value) -> HashMap<String, Vec<OfferJob>> {
    let mut per_offer: HashMap<String, Vec<OfferJob>> = HashMap::new();
    let jobs = state["ingestion"]["jobs"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for job in jobs {
        let succeeded = job["outcome"]["succeeded"].as_bool();
        for resource in job["resources"].as_array().cloned().unwrap_or_default() {
            if let Some(id) = resource["id"].as_str() {
                per_offer.entry(id.to_owned()).or_default().push(OfferJob {
                    asked: resource["state"].as_str().unwrap_or("?").to_owned(),
                    succeeded,
                });
            }
        }
    }
    per_offer
}
