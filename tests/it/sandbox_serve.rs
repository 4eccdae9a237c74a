//! `offerkit sandbox serve` as a real process: the banner, `--host`, signals (SIGTERM and
//! SIGINT stop it cleanly: in-flight requests finish, the state file is written, exit 0) and a
//! harness that closes the stderr pipe after reading the banner.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::{Child, ChildStderr};

use crate::cli_support::{TempDir, command};

/// Upper bound for anything the server should do promptly (never reached when it works).
const PATIENCE: Duration = Duration::from_secs(30);

/// A running `offerkit sandbox serve` (killed when dropped).
pub(crate) struct Served {
    child: Child,
    /// `127.0.0.1:PORT`, from the banner.
    pub(crate) addr: String,
    /// The first banner line.
    banner: String,
    /// The rest of stderr, still open.
    stderr: BufReader<ChildStderr>,
}

/// Starts `offerkit sandbox serve --port 0 ARGS…` and reads the first banner line.
pub(crate) async fn serve(dir: &Path, args: &[&str]) -> Served {
    let mut child = command(&[], dir)
        .args(["sandbox", "serve", "--port", "0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let mut banner = String::new();
    tokio::time::timeout(PATIENCE, stderr.read_line(&mut banner))
        .await
        .expect("the banner within the patience bound")
        .expect("read the listening line");
    let addr = banner
        .trim()
        .rsplit("http://")
        .next()
        .expect("a URL in the banner")
        .trim_end_matches([')', '/'])
        .to_owned();
    Served {
        child,
        addr,
        banner,
        stderr,
    }
}

/// One HTTP/1.1 request on a fresh connection (`Connection: close`); returns status and body.
pub(crate) async fn http(
    addr: &str,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> (u16, String) {
    let (addr, method, path) = (addr.to_owned(), method.to_owned(), path.to_owned());
    let body = body.map(Value::to_string).unwrap_or_default();
    tokio::task::spawn_blocking(move || {
        let mut stream = TcpStream::connect(&addr).expect("connect");
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\
             x-publisher-token: e2e-publisher-token\r\ncontent-type: application/json\r\n\
             content-length: {}\r\n\r\n{body}",
            body.len()
        )
        .expect("write");
        let mut response = String::new();
        stream.read_to_string(&mut response).expect("read");
        let status = response
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("not an HTTP response: {response:?}"));
        let body = response
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_owned())
            .unwrap_or_default();
        (status, body)
    })
    .await
    .expect("join")
}

/// Sends `signal` (`TERM`, `INT`) to the child.
fn send_signal(child: &Child, signal: &str) {
    let pid = child.id().expect("the child is running");
    let status = std::process::Command::new("kill")
        .args([&format!("-{signal}"), &pid.to_string()])
        .status()
        .expect("run kill");
    assert!(status.success(), "kill -{signal} {pid}");
}

/// Waits for the child to exit; its exit code (`None` when killed by a signal).
async fn exit_code(child: &mut Child) -> Option<i32> {
    tokio::time::timeout(PATIENCE, child.wait())
        .await
        .expect("the server exits within the patience bound")
        .expect("wait")
        .code()
}

/// A harness reads the banner and closes both pipes: the server keeps answering, and on a
/// signal it writes its goodbye line to the closed stderr without panicking (exit 0, not 101).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_outlives_its_closed_pipes_and_exits_0_on_a_signal() {
    for signal in ["TERM", "INT"] {
        let dir = TempDir::new("serve-closed");
        let state = dir.path().join("state.json");
        let Served {
            mut child,
            addr,
            banner,
            stderr,
        } = serve(dir.path(), &["--state", state.to_str().expect("utf-8")]).await;
        assert!(addr.starts_with("127.0.0.1:"), "{banner}");
        assert!(!addr.ends_with(":0"), "the bound port is printed: {banner}");
        drop(stderr);
        drop(child.stdout.take());
        // The pipes are closed; the server still answers (a request after the close, not a
        // race with it).
        let (status, body) = http(&addr, "GET", "/_sandbox/health", None).await;
        assert_eq!(status, 200, "{body}");
        assert!(body.contains(r#""status":"ok""#), "{body}");
        send_signal(&child, signal);
        assert_eq!(exit_code(&mut child).await, Some(0), "SIG{signal}");
    }
}

/// SIGTERM (what `docker stop`, systemd and `kill` send) stops accepting, lets the in-flight
/// request finish and writes the state file with the last change.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_finishes_in_flight_requests_and_writes_the_state_file() {
    let dir = TempDir::new("serve-sigterm");
    let state = dir.path().join("state.json");
    let Served {
        mut child,
        addr,
        mut stderr,
        ..
    } = serve(dir.path(), &["--state", state.to_str().expect("utf-8")]).await;
    let offer = |id: &str| json!({"publisherOfferId": id, "name": id, "type": "Bundle"});
    let seed = json!({"appcharge": {"offers": [offer("gone"), offer("kept")]}});
    assert_eq!(
        http(&addr, "POST", "/_sandbox/seed", Some(&seed)).await.0,
        200
    );
    // The delete is made and journaled, then its answer waits 2 s: in flight at the signal.
    let fault = json!({"method": "DELETE", "path": "/v2/offer/gone", "when": "after",
                       "fault": {"kind": "delay", "millis": 2000}});
    assert_eq!(
        http(&addr, "POST", "/_sandbox/faults", Some(&fault))
            .await
            .0,
        201
    );
    let in_flight = {
        let addr = addr.clone();
        tokio::spawn(async move { http(&addr, "DELETE", "/v2/offer/gone", None).await })
    };
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let (_, journal) = http(&addr, "GET", "/_sandbox/journal?method=DELETE", None).await;
        let journal: Value = serde_json::from_str(&journal).expect("journal JSON");
        if journal["entries"].as_array().is_some_and(|e| !e.is_empty()) {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the DELETE never arrived"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // The last change, right before the signal: only the final write can save it in time.
    let late = json!({"appcharge": {"offers": [offer("late")]}});
    assert_eq!(
        http(&addr, "POST", "/_sandbox/seed", Some(&late)).await.0,
        200
    );
    send_signal(&child, "TERM");

    let (status, body) = in_flight.await.expect("join");
    assert_eq!(status, 200, "the in-flight DELETE got its answer: {body}");
    assert_eq!(exit_code(&mut child).await, Some(0));
    let mut rest = String::new();
    stderr.read_to_string(&mut rest).await.expect("stderr");
    assert!(rest.contains("state written to"), "{rest}");

    let saved: Value =
        serde_json::from_slice(&std::fs::read(&state).expect("state file")).expect("JSON");
    let ids: Vec<&str> = saved["appcharge"]["offers"]
        .as_array()
        .expect("offers")
        .iter()
        .filter_map(|o| o["publisherOfferId"].as_str())
        .collect();
    assert_eq!(ids, ["kept", "late"], "{saved}");
}

/// `--host` is the address bound; one that cannot be bound (192.0.2.1 is a documentation
/// address no machine has; the bind fails at once, nothing is sent) is a configuration error
/// (exit 2) that names it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn host_is_the_address_bound() {
    let dir = TempDir::new("serve-host");
    let Served {
        mut child,
        addr,
        banner,
        ..
    } = serve(dir.path(), &["--host", "127.0.0.1"]).await;
    assert!(
        banner.starts_with("offerkit sandbox listening on http://127.0.0.1:"),
        "{banner}"
    );
    assert_eq!(http(&addr, "GET", "/_sandbox/health", None).await.0, 200);
    send_signal(&child, "TERM");
    assert_eq!(exit_code(&mut child).await, Some(0));

    let out = command(&[], dir.path())
        .args(["sandbox", "serve", "--port", "0", "--host", "192.0.2.1"])
        .output()
        .await
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("192.0.2.1"), "{stderr}");
}
