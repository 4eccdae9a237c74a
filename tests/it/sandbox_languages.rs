//! The sandbox driven from other languages: `crates/sandbox/examples/python/drive_sandbox.py` (stdlib
//! urllib) and `crates/sandbox/examples/node/drive_sandbox.mjs` (Node 18+ fetch) run against a real
//! `offerkit sandbox serve` on a free port, so the examples in the sandbox README cannot rot.
//!
//! A missing interpreter fails the test with what to install; it never passes silently.

use std::path::{Path, PathBuf};

use serde_json::Value;
use tokio::process::Command;

use crate::cli_support::TempDir;
use crate::sandbox_serve::{http, serve};

fn example(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../crates/sandbox/examples")
        .join(relative)
}

/// `program --version`, or a panic naming the interpreter and why these tests need it.
async fn version_of(program: &str, needed_for: &str) -> String {
    match Command::new(program).arg("--version").output().await {
        Ok(out) if out.status.success() => {
            // Python 3.7 and older print the version on stderr.
            let text = [out.stdout, out.stderr].concat();
            String::from_utf8_lossy(&text).trim().to_owned()
        }
        Ok(out) => panic!(
            "`{program} --version` failed ({}): {needed_for}",
            out.status
        ),
        Err(e) => panic!(
            "`{program}` could not be run ({e}): install it, {needed_for}; this test does not skip"
        ),
    }
}

/// Runs `program script ROOT` against a fresh `offerkit sandbox serve`, and checks that it exited 0, printed
/// each step (ending with `<language> example: ok`), and that the sandbox's own journal agrees.
async fn drive(program: &str, script: &str, language: &str) {
    let dir = TempDir::new("languages");
    let served = serve(dir.path(), &[]).await;
    let root = format!("http://{}", served.addr);
    let out = Command::new(program)
        .arg(example(script))
        .arg(&root)
        .output()
        .await
        .unwrap_or_else(|e| panic!("run {program} {script}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{program} {script} failed ({}):\n{stdout}\n{stderr}",
        out.status
    );
    // The server's side of the story, read independently of the script.
    let (status, body) = http(&served.addr, "GET", "/_sandbox/journal?method=DELETE", None).await;
    assert_eq!(status, 200, "{body}");
    let journal: Value = serde_json::from_str(&body).expect("the journal is JSON");
    let key = "DELETE /v2/offer/starter-pack";
    assert_eq!(journal["counts"]["byPath"][key], 2, "{journal}");
    assert_eq!(journal["counts"]["actedByPath"][key], 1, "{journal}");
    assert_eq!(journal["entries"][0]["fault"], "throttle", "{journal}");
    let (status, _) = http(&served.addr, "GET", "/v2/offer/starter-pack", None).await;
    assert_eq!(status, 404, "the offer is deleted");
    for step in [
        "first DELETE: 429, Retry-After 1",
        "retried DELETE: 200, deleted starter-pack",
        "journal: 2 DELETEs, 1 acted",
    ] {
        assert!(stdout.contains(step), "no `{step}` in:\n{stdout}");
    }
    let last = format!("{language} example: ok");
    assert!(stdout.trim_end().ends_with(&last), "{stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_python_example_seeds_calls_injects_a_fault_and_reads_the_journal() {
    let version = version_of(
        "python3",
        "the Python example of crates/sandbox/examples is tested with it",
    )
    .await;
    assert!(
        version.starts_with("Python 3."),
        "python3 --version: {version}"
    );
    drive("python3", "python/drive_sandbox.py", "python").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_node_example_seeds_calls_injects_a_fault_and_reads_the_journal() {
    let version = version_of(
        "node",
        "the Node example of crates/sandbox/examples is tested with it (Node 18+, for fetch)",
    )
    .await;
    let major: u32 = version
        .trim_start_matches('v')
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or_else(|| panic!("unexpected `node --version`: {version}"));
    assert!(
        major >= 18,
        "the Node example needs Node 18+ (built-in fetch); found {version}"
    );
    drive("node", "node/drive_sandbox.mjs", "node").await;
}
