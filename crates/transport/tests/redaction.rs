//! Redaction: no secret or token in `Debug` output of public types or in captured tracing output.
//!
//! A separate test binary because `tracing`'s per-callsite interest cache is process-wide: a
//! scoped subscriber in one test races with tests on other threads that run without one.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use httpmock::prelude::*;
use offerkit_transport::mock::{MockResponse, MockTransport};
use offerkit_transport::{
    AdobeImsCredentials, AzureClientCredentials, Credential, StaticHeader, StaticToken,
    VendorClient,
};

mod support;

use support::{APPCHARGE, ORDERS, transport};

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "current_thread")]
async fn secrets_never_appear_in_debug_or_traces() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter("offerkit_transport=trace,reqwest=trace,hyper=trace")
        .with_ansi(false)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::FULL)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/tenant-1/oauth2/token");
            then.status(200).json_body(
                serde_json::json!({"expires_in": "3600", "access_token": "azure-access-token-xyz"}),
            );
        })
        .await;
    server
        .mock_async(|when, then| {
            when.any_request();
            then.status(500)
                .json_body(serde_json::json!({"code": "x", "description": "boom"}));
        })
        .await;
    let cred = Arc::new(
        AzureClientCredentials::for_resource(
            "tenant-1",
            "app",
            "super-secret-value",
            "https://api.partnercenter.microsoft.com",
        )
        .expect("cred")
        .with_authority(&server.base_url())
        .expect("authority")
        .with_refresh_margin(Duration::from_secs(60)),
    );
    let client =
        VendorClient::new(&ORDERS, &transport(1), &server.base_url(), cred.clone()).expect("c");
    let err = client
        .get("get_order")
        .path("v1/customers")
        .send()
        .await
        .expect_err("500");

    let adobe = AdobeImsCredentials::new("cid", "adobe-secret-value", "org").expect("adobe");
    let appcharge = StaticHeader::new("x-publisher-token", "publisher-secret-value");
    let bearer = StaticToken::new("bearer-secret-value");
    let headers = cred
        .auth_headers(&transport(0))
        .await
        .expect("cached token");
    let mock = MockTransport::new(|_| MockResponse::new(200));
    let mocked =
        VendorClient::with_default_url(&APPCHARGE, &mock.transport(), Arc::new(appcharge.clone()))
            .expect("c");
    let response = mocked.get("x").send().await.expect("ok");
    let debug = format!(
        "{err:?} {err} {cred:?} {adobe:?} {appcharge:?} {bearer:?} {headers:?} {client:?} {mocked:?} {response:?} {:?} {:?} {:?}",
        mock.requests(),
        mocked
            .get("y")
            .header("authorization", "Bearer bearer-secret-value"),
        offerkit_transport::Secret::new("secret-in-secret"),
    );
    let traces = String::from_utf8(capture.0.lock().expect("lock").clone()).expect("utf8");
    assert!(
        traces.contains("offerkit.request"),
        "spans are emitted: {traces}"
    );
    assert!(traces.contains("get_order"));
    for secret in [
        "super-secret-value",
        "azure-access-token-xyz",
        "adobe-secret-value",
        "publisher-secret-value",
        "bearer-secret-value",
        "secret-in-secret",
    ] {
        assert!(!debug.contains(secret), "{secret} leaked in Debug: {debug}");
        assert!(!traces.contains(secret), "{secret} leaked in traces");
    }
}

/// Secrets of the echo test, with characters every encoding spells differently.
const AZURE_SECRET: &str = "azSEC~7Qx2.pc+secret/with=odd&chars 0123456789";
const ADOBE_SECRET: &str = "p8e-ADOBE~secret+value/with=odd&chars 4242";
const PUBLISHER_TOKEN: &str = "apc_pub~TOKEN+value/with=odd-chars.0123456789";
const STATIC_TOKEN: &str = "static~bearer+token/value=0123456789";
const CUSTOM_KEY: &str = "custom-api-key~not+a+Secret/value";
const ISSUED: &str = "eyJ0eXAiOiJKV1Qi.issued+token/value=";

/// RFC 3986 percent-encoding and WHATWG form-encoding, written out here so the test does not
/// share the redactor's encoders.
fn percent(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn form(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                char::from(b).to_string()
            }
            b' ' => "+".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn spellings(secret: &str) -> Vec<String> {
    [secret.to_owned(), percent(secret), form(secret)]
        .into_iter()
        .flat_map(|s| [s.chars().take(16).collect::<String>(), s])
        .collect()
}

/// What a hostile server tells back about a request: URL, headers and body as received, their
/// values percent-encoded again, the form decoded, and everything cut after 20 characters.
fn echo(req: &offerkit_transport::HttpRequest) -> String {
    let mut text = format!("{} {}\n", req.method, req.url);
    let body = String::from_utf8_lossy(&req.body).into_owned();
    text.push_str(&format!("body {body}\n"));
    for (k, v) in url::form_urlencoded::parse(body.as_bytes()) {
        let cut: String = v.chars().take(20).collect();
        text.push_str(&format!("{k}={v} ({cut}…)\n"));
    }
    for (name, value) in &req.headers {
        let v = value.to_str().unwrap_or_default();
        let cut: String = v.chars().take(27).collect();
        text.push_str(&format!("{name}: {v} | {} | {cut}…\n", percent(v)));
    }
    text
}

/// `x-request-id`: the credential the request carried.
fn credential_of(req: &offerkit_transport::HttpRequest) -> String {
    req.header("authorization")
        .or_else(|| req.header("x-publisher-token"))
        .or_else(|| req.header("x-api-key"))
        .unwrap_or("none")
        .to_owned()
}

/// A custom credential that hands `with_secret` a plain `&str`, never a `Secret`.
#[derive(Debug)]
struct CustomKey;

#[async_trait::async_trait]
impl Credential for CustomKey {
    async fn auth_headers(
        &self,
        _transport: &offerkit_transport::Transport,
    ) -> Result<offerkit_transport::AuthHeaders, offerkit_transport::Error> {
        offerkit_transport::AuthHeaders::new().with_secret("x-api-key", CUSTOM_KEY)
    }
}

/// Everything an error says, however it is read.
fn everything(err: &offerkit_transport::Error) -> String {
    use offerkit_transport::ErrorInfo;
    let mut text = format!(
        "{err} | {err:?} | {:?} {:?} {:?}",
        ErrorInfo::message(err),
        ErrorInfo::code(err),
        ErrorInfo::request_id(err)
    );
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        text.push_str(&format!(" | caused by {s} {s:?}"));
        source = s.source();
    }
    if let offerkit_transport::Error::Api(api) = err {
        text.push_str(&api.body);
    }
    text
}

/// A server that echoes each request in its errors, for every credential, every kind of error
/// answer (4xx, 401 twice, 404 read as "gone", 429 until retries run out, 5xx, a 200 that does not
/// decode) and both token endpoints refusing: no spelling of any secret or issued token reaches an
/// error (Display, Debug, accessors, sources, body) or a trace.
#[tokio::test(flavor = "current_thread")]
async fn echoing_servers_never_get_a_secret_into_errors_or_traces() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter("trace")
        .with_ansi(false)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::FULL)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Counted {
        count: u32,
    }

    let mut seen = String::new();
    for status in [400u16, 401, 403, 404, 409, 429, 500, 200] {
        for refuse_token in [None, Some(true), Some(false)] {
            let mock = MockTransport::new(move |req| {
                let path = req.url.path();
                let token_call = path.ends_with("/oauth2/token") || path.ends_with("/token/v3");
                let echoed = echo(req);
                let reply = match (token_call, refuse_token) {
                    (true, None) => MockResponse::json(
                        200,
                        &serde_json::json!({"access_token": format!("{ISSUED}{path}"), "expires_in": 3600}),
                    ),
                    (true, Some(true)) => MockResponse::json(
                        401,
                        &serde_json::json!({"error": "invalid_client", "error_description": echoed}),
                    ),
                    (true, Some(false)) => MockResponse::text(400, echoed),
                    (false, _) if status == 200 => MockResponse::json(
                        200,
                        &serde_json::json!({"count": credential_of(req)}),
                    ),
                    (false, _) => MockResponse::json(
                        status,
                        &serde_json::json!({"message": echoed, "requestUrl": req.url.as_str(), "body": String::from_utf8_lossy(&req.body)}),
                    )
                    .header("retry-after", "0"),
                };
                reply.header("x-request-id", &credential_of(req))
            });
            let transport = mock.transport();
            let azure: Arc<dyn Credential> = Arc::new(
                AzureClientCredentials::for_resource("tenant-1", "app", AZURE_SECRET, "https://r")
                    .expect("azure")
                    .with_authority("https://login.example")
                    .expect("authority"),
            );
            let adobe: Arc<dyn Credential> = Arc::new(
                AdobeImsCredentials::new("adobe-client", ADOBE_SECRET, "org@AdobeOrg")
                    .expect("adobe"),
            );
            let credentials: Vec<Arc<dyn Credential>> = vec![
                azure,
                adobe,
                Arc::new(StaticHeader::new("x-publisher-token", PUBLISHER_TOKEN)),
                Arc::new(StaticToken::new(STATIC_TOKEN)),
                Arc::new(CustomKey),
            ];
            for credential in credentials {
                let client =
                    VendorClient::with_default_url(&APPCHARGE, &transport, credential).expect("c");
                if status == 404 {
                    match client
                        .delete("delete_offer")
                        .path("v2/offer/x")
                        .send_or_gone()
                        .await
                    {
                        Ok(gone) => seen.push_str(&format!("{gone:?}")),
                        Err(err) => seen.push_str(&everything(&err)),
                    }
                }
                let err = client
                    .get("get_offers")
                    .path("v2/offer")
                    .query("ids", "a,b")
                    .send_json::<Counted>()
                    .await
                    .expect_err("every answer is an error");
                seen.push_str(&everything(&err));
            }
        }
    }
    let traces = String::from_utf8(capture.0.lock().expect("lock").clone()).expect("utf8");
    assert!(
        seen.contains("[redacted]"),
        "the echoes were scrubbed, not absent: {seen}"
    );
    for secret in [
        AZURE_SECRET,
        ADOBE_SECRET,
        PUBLISHER_TOKEN,
        STATIC_TOKEN,
        CUSTOM_KEY,
        ISSUED,
    ] {
        for spelling in spellings(secret) {
            assert!(
                !seen.contains(&spelling),
                "{spelling:?} leaked into an error:\n{seen}"
            );
            assert!(
                !traces.contains(&spelling),
                "{spelling:?} leaked into a trace:\n{traces}"
            );
        }
    }
}
