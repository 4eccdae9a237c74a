//! The Dockerfile's runtime half, checked without docker: its `ENTRYPOINT` is a valid `offerkit sandbox
//! serve` command line that listens on every interface at the `EXPOSE`d port, it runs as a non-root user,
//! and its `HEALTHCHECK` command passes against a running sandbox and fails when nothing listens.

use std::path::Path;

use serde_json::Value;
use tokio::process::Command;

use crate::cli_support::TempDir;
use crate::sandbox_serve::serve;

fn dockerfile() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Dockerfile");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// The instructions of the last stage (after the last `FROM`), continuation lines joined.
fn runtime_instructions(text: &str) -> Vec<String> {
    let joined = text.replace("\\\n", " ");
    let stage = joined.rsplit("\nFROM ").next().unwrap_or_default();
    stage
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

fn instruction<'a>(lines: &'a [String], name: &str) -> &'a str {
    lines
        .iter()
        .find_map(|l| l.strip_prefix(name).and_then(|r| r.strip_prefix(' ')))
        .unwrap_or_else(|| panic!("no {name} in the runtime stage"))
        .trim()
}

fn json_array(text: &str) -> Vec<String> {
    let value: Value =
        serde_json::from_str(text).unwrap_or_else(|e| panic!("not a JSON array ({e}): {text}"));
    value
        .as_array()
        .expect("array")
        .iter()
        .map(|v| v.as_str().expect("string").to_owned())
        .collect()
}

/// Runs the HEALTHCHECK command with the image's port replaced by `port`; whether it passed.
async fn health_check(command: &[String], port: u16) -> bool {
    let args: Vec<String> = command
        .iter()
        .map(|a| a.replace("/8787", &format!("/{port}")))
        .collect();
    Command::new(&args[0])
        .args(&args[1..])
        .status()
        .await
        .expect("run the health check")
        .success()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_runtime_stage_serves_on_the_exposed_port_as_non_root_with_a_working_health_check() {
    let lines = runtime_instructions(&dockerfile());
    let entrypoint = json_array(instruction(&lines, "ENTRYPOINT"));
    assert_eq!(
        entrypoint,
        [
            "offerkit", "sandbox", "serve", "--host", "0.0.0.0", "--port", "8787"
        ]
    );
    assert_eq!(instruction(&lines, "EXPOSE"), "8787");
    let user = instruction(&lines, "USER");
    assert!(
        !["0", "root"].contains(&user.split(':').next().unwrap_or_default()),
        "runs as {user}"
    );

    let healthcheck = instruction(&lines, "HEALTHCHECK");
    let (_, cmd) = healthcheck
        .split_once("CMD ")
        .expect("HEALTHCHECK ... CMD [..]");
    let cmd = json_array(cmd.trim());
    assert!(
        cmd.iter().any(|a| a.contains("/_sandbox/health")),
        "{cmd:?}"
    );

    // The entrypoint's own flags (a free port instead of 8787, which may be taken on this machine).
    let dir = TempDir::new("dockerfile");
    let served = serve(
        dir.path(),
        &entrypoint[3..5]
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    )
    .await;
    let port: u16 = served
        .addr
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("port in the banner");
    assert!(
        health_check(&cmd, port).await,
        "the health check fails against a healthy sandbox"
    );

    // Nothing listening: the check must fail.
    let closed = crate::cli_support::ClosedPort::new();
    assert!(
        !health_check(&cmd, closed.port).await,
        "the health check passes with no server"
    );
}
