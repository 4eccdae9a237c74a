//! No secret leaves the `offerkit` process, whatever the server says back.
//!
//! A hostile local server (127.0.0.1, free port) answers every API call and, in some runs,
//! both token endpoints (Azure AD and Adobe IMS) with an error that echoes the request: its
//! headers (the bearer token, `x-publisher-token`), its form body (`client_secret=...`) and
//! query, decoded, percent-encoded and cut after 20 characters, in each vendor's error shape
//! (Appcharge's own `{message, requestUrl, body}` included), and it copies the credential into
//! the request-id response headers. The real binary runs single operations (readable and
//! `--json`) and `batch` (with `--output` results and its journal) against it; every capture
//! (stdout, stderr, results, journal) is scanned for every secret in every spelling: raw,
//! percent-encoded, form-encoded, and the first 16 characters of each.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

use crate::cli_support::{TempDir, offerkit_with};

/// Every secret the CLI holds in these runs, with the characters that spell differently in
/// each encoding (`~ + / = & space`). Issued tokens are added from the server.
const INGESTION_SECRET: &str = "ingSEC~7Qx2.pc+secret/with=odd&chars 0123456789";
const ORDERS_SECRET: &str = "ordSEC~9Zz1.pc+secret/with=odd&chars 9876543210";
const ADOBE_SECRET: &str = "p8e-ADOBE~secret+value/with=odd&chars 4242";
const PUBLISHER_TOKEN: &str = "apc_pub~TOKEN+value/with=odd-chars.0123456789";

/// The prefix of every token the hostile server issues; each gets a distinct tail.
const TOKEN_STEM: &str = "eyJ0eXAiOiJKV1Qi";

/// How the hostile server answers the token endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TokenMode {
    /// Issue a token (then the API call fails, echoing it).
    Issue,
    /// Refuse with a JSON OAuth error echoing the request.
    RefuseJson,
    /// Refuse with a plain-text echo (a gateway page).
    RefuseText,
}

/// The server's configuration for one run.
#[derive(Debug, Clone, Copy)]
struct Hostility {
    token: TokenMode,
    /// The status of every API answer.
    api_status: u16,
}

/// One request as the server read it.
struct Seen {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The request told back, the ways proxies and error pages do: as received, decoded,
    /// percent-encoded again, and cut after 20 characters.
    fn echo(&self) -> String {
        let mut text = format!("{} {}\nbody: {}\n", self.method, self.target, self.body);
        for pair in self.body.split('&').chain(query(&self.target).split('&')) {
            if let Some((k, v)) = pair.split_once('=') {
                let decoded = form_decode(v);
                let _ = writeln!(text, "{k} = {decoded} | cut {}", cut(&decoded));
            }
        }
        for (k, v) in &self.headers {
            let _ = writeln!(text, "{k}: {v} | encoded {} | cut {}", percent(v), cut(v));
            if let Some(token) = v.strip_prefix("Bearer ") {
                let _ = writeln!(text, "token {token} | cut {}", cut(token));
            }
        }
        text
    }
}

fn query(target: &str) -> &str {
    target.split_once('?').map_or("", |(_, q)| q)
}

/// The first 20 characters and an ellipsis (log lines and gateways truncate like this).
fn cut(text: &str) -> String {
    format!("{}…", text.chars().take(20).collect::<String>())
}

/// Percent-encodes every byte but unreserved ones (RFC 3986), upper-case hex.
fn percent(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// `application/x-www-form-urlencoded` (WHATWG): `*-._` and alphanumerics kept, space `+`.
fn form(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"*-._".contains(&b) {
            out.push(char::from(b));
        } else if b == b' ' {
            out.push('+');
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

fn form_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match (escaped, bytes[i]) {
            (Some(b), _) => {
                out.push(b);
                i += 2;
            }
            (None, b'+') => out.push(b' '),
            (None, b) => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The hostile server: address and every token it issued.
struct Hostile {
    base: String,
    issued: Arc<std::sync::Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Hostile {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Hostile {
    async fn start(hostility: Hostility) -> Hostile {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let issued = Arc::new(std::sync::Mutex::new(Vec::new()));
        let counter = Arc::new(AtomicU32::new(0));
        let (tokens, n) = (issued.clone(), counter.clone());
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (tokens, n) = (tokens.clone(), n.clone());
                tokio::spawn(async move {
                    let _ = serve(stream, hostility, &tokens, &n).await;
                });
            }
        });
        Hostile { base, issued, task }
    }

    fn issued(&self) -> Vec<String> {
        self.issued.lock().expect("lock").clone()
    }
}

async fn read_request(stream: &mut TcpStream) -> std::io::Result<Option<Seen>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or_default();
    let mut parts = request_line.split(' ');
    let method = parts.next().unwrap_or_default().to_owned();
    let target = parts.next().unwrap_or_default().to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let end = buf.len().min(head_end + length);
    let body = String::from_utf8_lossy(&buf[head_end..end]).into_owned();
    Ok(Some(Seen {
        method,
        target,
        headers,
        body,
    }))
}

async fn serve(
    mut stream: TcpStream,
    hostility: Hostility,
    issued: &std::sync::Mutex<Vec<String>>,
    counter: &AtomicU32,
) -> std::io::Result<()> {
    let Some(seen) = read_request(&mut stream).await? else {
        return Ok(());
    };
    let path = seen.target.split('?').next().unwrap_or_default().to_owned();
    let is_token = path.ends_with("/oauth2/token") || path.ends_with("/ims/token/v3");
    let echo = seen.echo();
    // The credential the request carried, copied into the request-id headers of the answer.
    let credential = seen
        .header("authorization")
        .map(|v| v.trim_start_matches("Bearer ").to_owned())
        .or_else(|| seen.header("x-publisher-token").map(str::to_owned))
        .unwrap_or_else(|| form_decode(&seen.body));
    let (status, content_type, body) = if is_token {
        match hostility.token {
            TokenMode::Issue => {
                let n = counter.fetch_add(1, Ordering::SeqCst);
                let token = format!("{TOKEN_STEM}.issued+token/{n}-for={path}");
                issued.lock().expect("lock").push(token.clone());
                let body =
                    json!({"token_type": "Bearer", "expires_in": 3600, "access_token": token});
                (200, "application/json", body.to_string())
            }
            TokenMode::RefuseJson => {
                let body = json!({
                    "error": "invalid_client",
                    "error_description": format!("AADSTS7000215: Invalid client secret provided. Request was:\n{echo}"),
                    "request": seen.body,
                });
                (401, "application/json", body.to_string())
            }
            TokenMode::RefuseText => (400, "text/plain", format!("Bad Request\n{echo}")),
        }
    } else {
        let body = if path.starts_with("/v2/offer") {
            // Appcharge's own error shape.
            json!({
                "message": format!("Unauthorized: {echo}"),
                "requestUrl": seen.target,
                "body": seen.body,
                "headers": seen.headers.iter().cloned().collect::<BTreeMap<_, _>>(),
            })
        } else if path.contains("/dps/") {
            json!({"error_code": "401013", "message": format!("Oauth token is not valid: {echo}")})
        } else if path.contains("product-ingestion") {
            json!({"error": {"code": "badRequest", "message": format!("echo: {echo}")}})
        } else {
            json!({"code": "600", "description": format!("echo: {echo}"), "source": "PartnerCenter"})
        };
        (hostility.api_status, "application/json", body.to_string())
    };
    let credential: String = credential
        .chars()
        .filter(|c| c.is_ascii_graphic() || *c == ' ')
        .collect();
    let reply = format!(
        "HTTP/1.1 {status} Hostile\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\n\
         x-request-id: {credential}\r\nms-requestid: {credential}\r\nrequest-id: {credential}\r\n\
         connection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(reply.as_bytes()).await?;
    stream.shutdown().await
}

/// `OFFERKIT_*` settings pointing every vendor and both token endpoints at `base`.
fn hostile_env(base: &str) -> Vec<(String, String)> {
    [
        ("INGESTION_URL", format!("{base}/rp/product-ingestion")),
        ("INGESTION_AUTHORITY", base.to_owned()),
        ("INGESTION_TENANT_ID", "tenant-ing".to_owned()),
        ("INGESTION_CLIENT_ID", "client-ing".to_owned()),
        ("INGESTION_CLIENT_SECRET", INGESTION_SECRET.to_owned()),
        ("ORDERS_URL", base.to_owned()),
        ("ORDERS_AUTHORITY", base.to_owned()),
        ("ORDERS_TENANT_ID", "tenant-ord".to_owned()),
        ("ORDERS_CLIENT_ID", "client-ord".to_owned()),
        ("ORDERS_CLIENT_SECRET", ORDERS_SECRET.to_owned()),
        ("ADOBE_URL", format!("{base}/data/core/dps")),
        ("ADOBE_IMS_URL", base.to_owned()),
        ("ADOBE_CLIENT_ID", "adobe-client".to_owned()),
        ("ADOBE_CLIENT_SECRET", ADOBE_SECRET.to_owned()),
        ("ADOBE_ORG_ID", "ORG@AdobeOrg".to_owned()),
        ("APPCHARGE_URL", base.to_owned()),
        ("APPCHARGE_PUBLISHER_TOKEN", PUBLISHER_TOKEN.to_owned()),
        ("JOB_POLL_INTERVAL_MS", "10".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (format!("OFFERKIT_{k}"), v))
    .collect()
}

/// Every spelling of `secret` that must not appear: raw, percent-encoded, form-encoded, and
/// the first 16 characters of each.
fn spellings(secret: &str) -> Vec<String> {
    let mut out = Vec::new();
    for full in [secret.to_owned(), percent(secret), form(secret)] {
        let prefix: String = full.chars().take(16).collect();
        out.push(full);
        out.push(prefix);
    }
    out.sort();
    out.dedup();
    out
}

/// One captured output: where it came from and its text.
struct Capture {
    name: String,
    text: String,
}

/// The single operations of every vendor, as argument lists.
const SINGLE: &[&[&str]] = &[
    &["appcharge", "delete", "--publisher-offer-id", "ac-1"],
    &["appcharge", "get", "--publisher-offer-id", "ac-1"],
    &[
        "adobe",
        "delete",
        "--offer-id",
        "perso-1",
        "--offer-type",
        "personalized",
    ],
    &[
        "adobe",
        "get",
        "--offer-id",
        "perso-1",
        "--offer-type",
        "fallback",
    ],
    &[
        "ingestion",
        "delete",
        "--offer-id",
        "draft-1",
        "--name",
        "draft one",
    ],
    &["ingestion", "get", "--offer-id", "draft-1"],
    &[
        "orders",
        "cancel",
        "--customer",
        "cust-1",
        "--order",
        "order-1",
    ],
    &[
        "orders",
        "get",
        "--customer",
        "cust-1",
        "--order",
        "order-1",
    ],
];

const BATCH_LINES: &str = concat!(
    r#"{"vendor":"appcharge","action":"delete","publisherOfferId":"ac-1"}"#,
    "\n",
    r#"{"vendor":"adobe","action":"delete","offerId":"perso-1","offerType":"personalized"}"#,
    "\n",
    r#"{"vendor":"partner-center-orders","action":"cancel","customerTenantId":"cust-1","orderId":"order-1"}"#,
    "\n",
    r#"{"vendor":"partner-center-ingestion","action":"delete","offerId":"draft-1"}"#,
    "\n",
);

/// Runs every operation against a server with `hostility`; returns each capture and the
/// tokens the server issued.
async fn captures(hostility: Hostility) -> (Vec<Capture>, Vec<String>) {
    let server = Hostile::start(hostility).await;
    let env = Arc::new(hostile_env(&server.base));
    let dir = Arc::new(TempDir::new("secrets"));
    let mut runs = JoinSet::new();
    for (i, args) in SINGLE.iter().enumerate() {
        for json in [false, true] {
            let (env, dir) = (env.clone(), dir.clone());
            let mut argv: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
            if json {
                argv.insert(0, "--json".to_owned());
            }
            runs.spawn(async move {
                let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
                let run = offerkit_with(&env, dir.path(), &argv).await;
                let name = format!("#{i} {}", argv.join(" "));
                vec![
                    Capture {
                        name: format!("{name}: stdout"),
                        text: run.stdout,
                    },
                    Capture {
                        name: format!("{name}: stderr (exit {})", run.code),
                        text: run.stderr,
                    },
                ]
            });
        }
    }
    let mut all = Vec::new();
    while let Some(run) = runs.join_next().await {
        all.extend(run.expect("run"));
    }
    all.extend(batch(&env, dir.path()).await);
    (all, server.issued())
}

/// `offerkit batch` with `--output` and its journal, readable and `--json`.
async fn batch(env: &[(String, String)], dir: &Path) -> Vec<Capture> {
    let input = dir.join("targets.jsonl");
    std::fs::write(&input, BATCH_LINES).expect("write targets");
    let mut out = Vec::new();
    for json in [false, true] {
        let results = dir.join(format!("results-{json}.jsonl"));
        let journal = dir.join(format!("journal-{json}"));
        let (results_s, journal_s, input_s) = (
            results.display().to_string(),
            journal.display().to_string(),
            input.display().to_string(),
        );
        let mut argv = vec![
            "batch",
            "--rate-limit",
            "partner-center-ingestion=0",
            "--rate-limit",
            "partner-center-orders=0",
            "--output",
            &results_s,
            "--journal",
            &journal_s,
            &input_s,
        ];
        if json {
            argv.insert(1, "--json");
        }
        let run = offerkit_with(env, dir, &argv).await;
        let name = format!("batch json={json}");
        let read = |p: &Path| std::fs::read_to_string(p).unwrap_or_default();
        assert!(
            !read(&results).is_empty(),
            "{name}: no results written: {run:?}"
        );
        out.push(Capture {
            name: format!("{name}: stdout"),
            text: run.stdout,
        });
        out.push(Capture {
            name: format!("{name}: stderr (exit {})", run.code),
            text: run.stderr,
        });
        out.push(Capture {
            name: format!("{name}: results"),
            text: read(&results),
        });
        out.push(Capture {
            name: format!("{name}: journal"),
            text: read(&journal),
        });
    }
    out
}

/// The captures that hold a spelling of a secret, each with the spellings found.
fn leaks(captures: &[Capture], secrets: &[String]) -> Vec<String> {
    let forms: Vec<String> = secrets.iter().flat_map(|s| spellings(s)).collect();
    captures
        .iter()
        .filter_map(|capture| {
            let hits: Vec<&str> = forms
                .iter()
                .filter(|f| capture.text.contains(f.as_str()))
                .map(String::as_str)
                .collect();
            (!hits.is_empty())
                .then(|| format!("{} holds {hits:?}:\n{}", capture.name, capture.text))
        })
        .collect()
}

/// Runs everything against a server with `hostility`; the leaking captures, and how many
/// captures there were.
async fn leaking_captures(hostility: Hostility) -> (Vec<String>, usize) {
    let (captures, issued) = captures(hostility).await;
    let mut secrets: Vec<String> = [
        INGESTION_SECRET,
        ORDERS_SECRET,
        ADOBE_SECRET,
        PUBLISHER_TOKEN,
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    if hostility.token == TokenMode::Issue {
        assert!(
            !issued.is_empty(),
            "the server issued no token: the API errors were never reached"
        );
    }
    secrets.extend(issued);
    let leaked = leaks(&captures, &secrets);
    // The runs did meet the hostile answers (not, say, a configuration error): their echo
    // shows, scrubbed.
    if leaked.is_empty() {
        let all: String = captures.iter().map(|c| c.text.as_str()).collect();
        assert!(
            all.contains("[redacted]"),
            "no capture shows a scrubbed echo ({hostility:?}): {}",
            &all[..all.len().min(4000)]
        );
    }
    (leaked, captures.len())
}

/// Asserts that no capture of any run against any of `hostilities` leaks a secret.
async fn assert_nothing_leaks(hostilities: &[Hostility]) {
    let (mut leaked, mut total) = (Vec::new(), 0);
    for hostility in hostilities {
        let (l, n) = leaking_captures(*hostility).await;
        leaked.extend(l.into_iter().map(|l| format!("{hostility:?} {l}")));
        total += n;
    }
    assert!(
        leaked.is_empty(),
        "{} of {total} captures leak a secret:\n{}",
        leaked.len(),
        leaked.join("\n---\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_errors_that_echo_the_request_leak_nothing() {
    let hostilities: Vec<Hostility> = [400, 401, 403, 404]
        .into_iter()
        .map(|api_status| Hostility {
            token: TokenMode::Issue,
            api_status,
        })
        .collect();
    assert_nothing_leaks(&hostilities).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_endpoint_errors_that_echo_the_form_leak_nothing() {
    let hostilities: Vec<Hostility> = [TokenMode::RefuseJson, TokenMode::RefuseText]
        .into_iter()
        .map(|token| Hostility {
            token,
            api_status: 400,
        })
        .collect();
    assert_nothing_leaks(&hostilities).await;
}

/// A profile holding a secret that group or others can read: one warning naming the file and the
/// `chmod 600` fix (also for a batch of many targets); refused with `--strict-permissions`
/// (exit 2, nothing sent); silent once it is `0600`, and for a profile without a secret.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_exposed_profile_warns_once_and_strict_permissions_refuses_it() {
    use std::os::unix::fs::PermissionsExt;

    let server = Hostile::start(Hostility {
        token: TokenMode::Issue,
        api_status: 400,
    })
    .await;
    let dir = TempDir::new("profile");
    let profile = dir.path().join("offerkit profile.toml");
    std::fs::write(
        &profile,
        format!(
            "[appcharge]\nurl = \"{}\"\npublisher-token = \"{PUBLISHER_TOKEN}\"\n",
            server.base
        ),
    )
    .expect("write profile");
    let chmod = |mode: u32| {
        std::fs::set_permissions(&profile, std::fs::Permissions::from_mode(mode)).expect("chmod")
    };
    let profile_arg = profile.display().to_string();
    let get = [
        "--profile",
        &profile_arg,
        "appcharge",
        "get",
        "--publisher-offer-id",
        "ac-1",
    ];
    let fix = format!("chmod 600 {}", profile.display());

    chmod(0o644);
    let warned = offerkit_with(&[], dir.path(), &get).await;
    assert_eq!(
        warned.code, 1,
        "the call went ahead (and met the hostile server): {warned:?}"
    );
    assert_eq!(warned.stderr.matches(&fix).count(), 1, "{warned:?}");
    assert!(
        warned
            .stderr
            .contains("readable by group and others (mode 644)"),
        "{warned:?}"
    );

    let input = dir.path().join("targets.jsonl");
    let lines: String = (0..20)
        .map(|i| format!("{{\"vendor\":\"appcharge\",\"action\":\"delete\",\"publisherOfferId\":\"ac-{i}\"}}\n"))
        .collect();
    std::fs::write(&input, lines).expect("targets");
    let input_arg = input.display().to_string();
    let batch = offerkit_with(
        &[],
        dir.path(),
        &[
            "--profile",
            &profile_arg,
            "batch",
            "--no-journal",
            &input_arg,
        ],
    )
    .await;
    assert_eq!(
        batch.code, 1,
        "every target met the hostile server: {batch:?}"
    );
    assert_eq!(batch.stderr.matches(&fix).count(), 1, "{batch:?}");

    chmod(0o640);
    let strict = ["--strict-permissions"]
        .into_iter()
        .chain(get)
        .collect::<Vec<_>>();
    let refused = offerkit_with(&[], dir.path(), &strict).await;
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(
        refused.stderr.contains("refusing to read it"),
        "{refused:?}"
    );
    assert!(
        refused.stderr.contains("readable by its group (mode 640)"),
        "{refused:?}"
    );
    assert!(refused.stderr.contains(&fix), "{refused:?}");
    assert!(
        !refused.stderr.contains("Appcharge"),
        "nothing was sent: {refused:?}"
    );

    chmod(0o600);
    for args in [&get[..], &strict[..]] {
        let quiet = offerkit_with(&[], dir.path(), args).await;
        assert_eq!(quiet.code, 1, "{quiet:?}");
        assert!(!quiet.stderr.contains("chmod"), "{quiet:?}");
    }

    // No secret in the file (the token from the environment): nothing to protect.
    std::fs::write(
        &profile,
        format!("[appcharge]\nurl = \"{}\"\n", server.base),
    )
    .expect("write");
    chmod(0o644);
    let env = [(
        "OFFERKIT_APPCHARGE_PUBLISHER_TOKEN".to_owned(),
        PUBLISHER_TOKEN.to_owned(),
    )];
    let no_secret = offerkit_with(&env, dir.path(), &strict).await;
    assert_eq!(no_secret.code, 1, "{no_secret:?}");
    assert!(!no_secret.stderr.contains("chmod"), "{no_secret:?}");
}
