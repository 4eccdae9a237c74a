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
