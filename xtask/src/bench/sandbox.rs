//! A sandbox process for a figure: `offerkit sandbox serve` (the release CLI) on a free loopback
//! port, seeded from a file at start or in chunks through `POST /_sandbox/seed`, with its
//! per-route request counters read at the end. Stopped when dropped.

use std::io::BufRead;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use serde_json::Value;

use super::Ctx;
use super::procs::{Server, free_port, get, request};

/// A running sandbox.
pub struct Sandbox {
    server: Server,
    /// Its port on 127.0.0.1.
    pub port: u16,
}

impl Sandbox {
    /// Starts one (logging to `log`), seeded with the seed document `seed` when given, and waits
    /// until it answers its health check.
    pub fn start(ctx: &Ctx, log: &Path, seed: Option<&Path>) -> Result<Self, String> {
        Self::start_with(ctx, log, seed, &[])
    }

    /// [`Sandbox::start`] with more `sandbox serve` arguments (e.g. `--quota appcharge=600/min`).
    pub fn start_with(
        ctx: &Ctx,
        log: &Path,
        seed: Option<&Path>,
        extra: &[String],
    ) -> Result<Self, String> {
        let port = free_port()?;
        let mut command = Command::new(ctx.cli());
        command.args(["sandbox", "serve", "--port", &port.to_string()]);
        command.args(extra);
        if let Some(seed) = seed {
            command.arg("--seed").arg(seed);
        }
        let mut server = Server::spawn(command, log)?;
        server
            .wait_ready(port, "/_sandbox/health", None, Duration::from_secs(60))
            .map_err(|e| format!("sandbox: {e}"))?;
        Ok(Self { server, port })
    }

    /// Its base URL.
    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Merges every line of `chunks` (one seed document per line, each under the sandbox's body
    /// limit) through `POST /_sandbox/seed`; returns how many documents were sent.
    pub fn seed_chunks(&self, chunks: &Path) -> Result<usize, String> {
        let file = std::fs::File::open(chunks).map_err(|e| format!("{}: {e}", chunks.display()))?;
        let mut sent = 0;
        for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
            let line = line.map_err(|e| format!("{}: {e}", chunks.display()))?;
            if line.trim().is_empty() {
                continue;
            }
            let (status, body) = request(
                "POST",
                self.port,
                "/_sandbox/seed?mode=merge",
                None,
                Some(&line),
            )?;
            if !(200..300).contains(&status) {
                return Err(format!(
                    "seeding {} line {}: HTTP {status}: {}",
                    chunks.display(),
                    n + 1,
                    body.chars().take(300).collect::<String>()
                ));
            }
            sent += 1;
        }
        Ok(sent)
    }

    /// The per-route request counters (`Null` when unreadable).
    pub fn counts(&self) -> Value {
        self.all_counts()
            .get("byRoute")
            .cloned()
            .unwrap_or(Value::Null)
    }

    /// Every journal counter (`counts` of `GET /_sandbox/journal`; `Null` when unreadable).
    pub fn all_counts(&self) -> Value {
        get(self.port, "/_sandbox/journal?limit=0", None)
            .ok()
            .and_then(|(_, body)| serde_json::from_str::<Value>(&body).ok())
            .and_then(|v| v.get("counts").cloned())
            .unwrap_or(Value::Null)
    }

    /// CPU time (user+sys) it has used so far (`None` when unreadable).
    pub fn cpu(&self) -> Option<Duration> {
        self.server.cpu()
    }

    /// Stops it (also done on drop); here so a figure can say when.
    pub fn stop(self) {
        drop(self.server);
    }
}
