//! End-to-end tests of the transport against httpmock servers on 127.0.0.1 and the mock transport.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime};

use httpmock::prelude::*;
use offerkit_transport::mock::{MockResponse, MockTransport};
use offerkit_transport::{
    AdobeImsCredentials, AzureClientCredentials, AzureTokenRequest, Credential, EnvSettings, Error,
    Idempotency, NoCredential, RequestSent, RetryPolicy, Service, StaticHeader, StaticToken,
    StatusCode, Transport, VendorClient,
};
use serde::Deserialize;

mod support;

use support::{ADOBE, APPCHARGE, INGESTION, ORDERS, transport};

fn appcharge(server: &MockServer, transport: &Transport) -> VendorClient {
    VendorClient::new(
        &APPCHARGE,
        transport,
        &server.base_url(),
        Arc::new(StaticHeader::new("x-publisher-token", "pub-tok")),
    )
    .expect("client")
}

fn client_with(
    server: &MockServer,
    transport: &Transport,
    vendor: &'static Service,
    cred: Arc<dyn Credential>,
) -> VendorClient {
    VendorClient::new(vendor, transport, &server.base_url(), cred).expect("client")
}

#[tokio::test]
async fn retries_each_retryable_status_for_idempotent_requests() {
    for status in [408u16, 429, 500, 502, 503, 504] {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                when.method(GET).path("/v2/offer");
                then.status(status);
            })
            .await;
        let err = appcharge(&server, &transport(2))
            .get("get_offers")
            .path("v2/offer")
            .send()
            .await
            .expect_err("fails");
        assert_eq!(
            mock.calls_async().await,
            3,
            "status {status}: 1 attempt + 2 retries"
        );
        assert_eq!(
            err.status(),
            Some(StatusCode::from_u16(status).expect("status"))
        );
        assert_eq!(err.request_sent(), RequestSent::Yes);
        if status == 429 {
            assert!(matches!(err, Error::Throttled(_)), "{err:?}");
        } else {
            assert!(matches!(err, Error::Api(_)), "{err:?}");
        }
    }
}

#[tokio::test]
async fn never_retries_client_errors() {
    for status in [400u16, 401, 403, 404, 409] {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                when.method(DELETE).path("/v2/offer/x");
                then.status(status)
                    .json_body(serde_json::json!({"message": "nope"}));
            })
            .await;
        let err = appcharge(&server, &transport(3))
            .delete("delete_offer")
            .path("v2/offer")
            .path_param("publisher_offer_id", "x")
            .send()
            .await
            .expect_err("fails");
        assert_eq!(mock.calls_async().await, 1, "status {status}");
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(err.is_not_found(), status == 404);
        assert!(err.to_string().contains("nope"), "{err}");
    }
}

#[tokio::test]
async fn recovers_after_a_transient_failure() {
    let calls = Arc::new(AtomicU32::new(0));
    let seen = calls.clone();
    let mock = MockTransport::new(move |_req| match seen.fetch_add(1, Ordering::SeqCst) {
        0 => MockResponse::connect_error(),
        1 => MockResponse::timeout(),
        2 => MockResponse::new(502),
        _ => MockResponse::json(200, &serde_json::json!({"ok": true})),
    });
    let client = VendorClient::new(
        &APPCHARGE,
        &mock.transport(),
        "https://api.appcharge.com",
        Arc::new(NoCredential),
    )
    .expect("client");
    let response = client
        .get("get_offers")
        .path("v2/offer")
        .send()
        .await
        .expect("succeeds on the 4th attempt");
    assert_eq!(response.attempts(), 4);
    assert_eq!(calls.load(Ordering::SeqCst), 4);
}

#[tokio::test]
async fn non_idempotent_requests_are_retried_only_when_the_server_cannot_have_acted() {
    let server = MockServer::start_async().await;
    let e500 = server
        .mock_async(|when, then| {
            when.method(POST).path("/v2/offer").header("x-case", "500");
            then.status(500);
        })
        .await;
    let e429 = server
        .mock_async(|when, then| {
            when.method(POST).path("/v2/offer").header("x-case", "429");
            then.status(429).header("retry-after", "0");
        })
        .await;
    let e503ra = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v2/offer")
                .header("x-case", "503ra");
            then.status(503).header("retry-after", "0");
        })
        .await;
    let e503 = server
        .mock_async(|when, then| {
            when.method(POST).path("/v2/offer").header("x-case", "503");
            then.status(503);
        })
        .await;
    let client = appcharge(&server, &transport(1));
    for case in ["500", "429", "503ra", "503"] {
        let _ = client
            .post("create_offer")
            .path("v2/offer")
            .header("x-case", case)
            .json(&serde_json::json!({}))
            .send()
            .await
            .expect_err("fails");
    }
    assert_eq!(e500.calls_async().await, 1, "500 on POST: not retried");
    assert_eq!(
        e503.calls_async().await,
        1,
        "503 without Retry-After on POST: not retried"
    );
    assert_eq!(e429.calls_async().await, 2, "429 on POST: retried");
    assert_eq!(
        e503ra.calls_async().await,
        2,
        "503 with Retry-After on POST: retried"
    );

    // Declared idempotent: retried on 500.
    let _ = client
        .post("create_offer")
        .path("v2/offer")
        .header("x-case", "500")
        .idempotency(Idempotency::Idempotent)
        .send()
        .await
        .expect_err("fails");
    assert_eq!(e500.calls_async().await, 3);
}

#[tokio::test]
async fn connect_failures_are_retried_even_for_post() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    };
    let client = VendorClient::new(
        &APPCHARGE,
        &transport(2),
        &format!("http://127.0.0.1:{port}"),
        Arc::new(NoCredential),
    )
    .expect("client");
    let err = client
        .post("create_offer")
        .path("v2/offer")
        .send()
        .await
        .expect_err("nothing listens");
    match &err {
        Error::Connect { attempts, .. } => assert_eq!(*attempts, 3),
        other => panic!("expected Connect, got {other:?}"),
    }
    assert_eq!(err.request_sent(), RequestSent::No);
    assert!(err.is_transient());
}

#[tokio::test]
async fn retry_after_in_seconds_and_http_date() {
    let server = MockServer::start_async().await;
    let past = httpdate::fmt_http_date(SystemTime::now() - Duration::from_secs(5));
    let future = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(100));
    let zero = server
        .mock_async(|when, then| {
            when.path("/zero");
            then.status(429).header("retry-after", "0");
        })
        .await;
    let past_date = server
        .mock_async(|when, then| {
            when.path("/past");
            then.status(503).header("Retry-After", past.as_str());
        })
        .await;
    let long_secs = server
        .mock_async(|when, then| {
            when.path("/long");
            then.status(429).header("retry-after", "120");
        })
        .await;
    let long_date = server
        .mock_async(|when, then| {
            when.path("/future");
            then.status(429).header("retry-after", future.as_str());
        })
        .await;
    let client = appcharge(&server, &transport(1));

    let err = client
        .get("a")
        .path("zero")
        .send()
        .await
        .expect_err("throttled");
    assert_eq!(zero.calls_async().await, 2);
    let Error::Throttled(t) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(t.retry_after, Some(Duration::ZERO));

    let _ = client
        .get("b")
        .path("past")
        .send()
        .await
        .expect_err("throttled");
    assert_eq!(
        past_date.calls_async().await,
        2,
        "a past HTTP-date means retry now"
    );

    // Longer than max_retry_after (60 s): no wait, the caller gets the server's value.
    let err = client
        .get("c")
        .path("long")
        .send()
        .await
        .expect_err("throttled");
    assert_eq!(long_secs.calls_async().await, 1);
    let Error::Throttled(t) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(t.retry_after, Some(Duration::from_secs(120)));
    assert!(err.to_string().contains("120s"), "{err}");

    let err = client
        .get("d")
        .path("future")
        .send()
        .await
        .expect_err("throttled");
    assert_eq!(long_date.calls_async().await, 1);
    let Error::Throttled(t) = &err else {
        panic!("{err:?}")
    };
    let wait = t.retry_after.expect("parsed date");
    assert!(
        wait > Duration::from_secs(90) && wait <= Duration::from_secs(100),
        "{wait:?}"
    );
}

#[tokio::test]
async fn retry_after_beyond_the_deadline_is_not_waited_for() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.path("/v2/offer");
            then.status(429).header("retry-after", "30");
        })
        .await;
    let t = Transport::builder()
        .retry_policy(RetryPolicy::immediate(5))
        .total_timeout(Duration::from_secs(10))
        .build()
        .expect("t");
    let err = appcharge(&server, &t)
        .get("get_offers")
        .path("v2/offer")
        .send()
        .await
        .expect_err("throttled");
    assert_eq!(mock.calls_async().await, 1);
    assert!(matches!(err, Error::Throttled(_)));
}

/// `/slow` answers 200 after 5 s.
async fn mock_slow(server: &MockServer) -> httpmock::Mock<'_> {
    server
        .mock_async(|when, then| {
            when.path("/slow");
            then.status(200).delay(Duration::from_secs(5));
        })
        .await
}

/// Sends `method /slow` to the Appcharge client of `server`; returns the error it must end in.
async fn send_slow(server: &MockServer, transport: &Transport, method: http::Method) -> Error {
    appcharge(server, transport)
        .request(method, "slow")
        .path("slow")
        .send()
        .await
        .expect_err("times out")
}

#[tokio::test]
async fn total_deadline_bounds_all_attempts() {
    let server = MockServer::start_async().await;
    let mock = mock_slow(&server).await;
    let t = Transport::builder()
        .retry_policy(RetryPolicy::immediate(50))
        .timeout(Duration::from_millis(100))
        .total_timeout(Duration::from_millis(350))
        .build()
        .expect("t");
    let err = send_slow(&server, &t, http::Method::GET).await;
    let Error::Timeout { attempts, .. } = err else {
        panic!("{err:?}")
    };
    assert!((1..=5).contains(&attempts), "attempts {attempts}");
    assert!(mock.calls_async().await <= 5);
    assert_eq!(
        Error::Timeout {
            service: "s",
            operation: "o",
            elapsed: Duration::ZERO,
            attempts: 1
        }
        .request_sent(),
        RequestSent::Maybe
    );
}

/// An attempt with less time left than the attempt timeout (here the whole call has less) stops
/// at the call's deadline.
#[tokio::test]
async fn a_deadline_shorter_than_the_attempt_timeout_bounds_the_attempt() {
    let server = MockServer::start_async().await;
    mock_slow(&server).await;
    let t = Transport::builder()
        .retry_policy(RetryPolicy::none())
        .timeout(Duration::from_secs(30))
        .total_timeout(Duration::from_millis(200))
        .build()
        .expect("t");
    let started = std::time::Instant::now();
    let err = send_slow(&server, &t, http::Method::GET).await;
    assert!(matches!(err, Error::Timeout { attempts: 1, .. }), "{err:?}");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
}

/// A caller's own reqwest client knows nothing of offerkit's attempt timeout: the transport still
/// bounds every attempt with it.
#[tokio::test]
async fn the_attempt_timeout_applies_to_a_callers_reqwest_client() {
    let server = MockServer::start_async().await;
    mock_slow(&server).await;
    let t = Transport::builder()
        .reqwest_client(reqwest::Client::new())
        .retry_policy(RetryPolicy::none())
        .timeout(Duration::from_millis(150))
        .build()
        .expect("t");
    let started = std::time::Instant::now();
    let err = send_slow(&server, &t, http::Method::GET).await;
    assert!(matches!(err, Error::Timeout { attempts: 1, .. }), "{err:?}");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn timeouts_are_not_retried_for_post() {
    let server = MockServer::start_async().await;
    let mock = mock_slow(&server).await;
    let t = Transport::builder()
        .retry_policy(RetryPolicy::immediate(3))
        .timeout(Duration::from_millis(100))
        .build()
        .expect("t");
    let err = send_slow(&server, &t, http::Method::POST).await;
    assert!(matches!(err, Error::Timeout { attempts: 1, .. }), "{err:?}");
    assert_eq!(mock.calls_async().await, 1);
}

fn azure_token_mock<'a>(server: &'a MockServer, tenant: &str) -> httpmock::Mock<'a> {
    server.mock(|when, then| {
        when.method(POST)
            .path(format!("/{tenant}/oauth2/token"))
            .header("content-type", "application/x-www-form-urlencoded")
            .form_urlencoded_tuple("grant_type", "client_credentials")
            .form_urlencoded_tuple("client_id", "app")
            .form_urlencoded_tuple("client_secret", "super-secret-value")
            .form_urlencoded_tuple("resource", "https://api.partnercenter.microsoft.com");
        then.status(200)
            .delay(Duration::from_millis(50))
            .json_body(serde_json::json!({"token_type": "Bearer", "expires_in": "3600", "access_token": "azure-access-token-xyz"}));
    })
}

fn azure(server: &MockServer) -> Arc<AzureClientCredentials> {
    Arc::new(
        AzureClientCredentials::for_resource(
            "tenant-1",
            "app",
            "super-secret-value",
            "https://api.partnercenter.microsoft.com",
        )
        .expect("cred")
        .with_authority(&server.base_url())
        .expect("authority"),
    )
}

#[tokio::test]
async fn fifty_concurrent_requests_make_one_token_request() {
    let server = MockServer::start_async().await;
    let token = azure_token_mock(&server, "tenant-1");
    let api = server
        .mock_async(|when, then| {
            when.method(GET)
                .path_includes("/v1/customers/")
                .header("authorization", "Bearer azure-access-token-xyz");
            then.status(200).json_body(serde_json::json!({"id": "o"}));
        })
        .await;
    let client = client_with(&server, &transport(0), &ORDERS, azure(&server));
    let mut tasks = Vec::new();
    for i in 0..50 {
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            client
                .get("get_order")
                .path("v1/customers")
                .path_param("customer_id", "c")
                .path("orders")
                .path_param("order_id", format!("o{i}"))
                .send_json::<serde_json::Value>()
                .await
        }));
    }
    for t in tasks {
        t.await.expect("join").expect("ok");
    }
    assert_eq!(token.calls_async().await, 1);
    assert_eq!(api.calls_async().await, 50);
}

#[tokio::test]
async fn a_401_refreshes_the_token_once_and_retries_once() {
    let server = MockServer::start_async().await;
    let token = azure_token_mock(&server, "tenant-1");
    let api = server
        .mock_async(|when, then| {
            when.method(PATCH).path("/v1/customers/c/orders/o");
            then.status(401)
                .json_body(serde_json::json!({"code": 900, "description": "token expired"}));
        })
        .await;
    let client = client_with(&server, &transport(3), &ORDERS, azure(&server));
    let err = client
        .patch("cancel_order")
        .path("v1/customers")
        .path_param("c", "c")
        .path("orders")
        .path_param("o", "o")
        .json(&serde_json::json!({"status": "cancelled"}))
        .send()
        .await
        .expect_err("401");
    assert_eq!(token.calls_async().await, 2, "initial token + one refresh");
    assert_eq!(
        api.calls_async().await,
        2,
        "one attempt + one retry with the fresh token"
    );
    assert_eq!(err.status(), Some(StatusCode::UNAUTHORIZED));
    assert_eq!(
        err.error_body().and_then(|e| e.message.as_deref()),
        Some("token expired")
    );

    // A static credential cannot refresh: no retry.
    let server = MockServer::start_async().await;
    let api = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(401);
        })
        .await;
    let client = client_with(
        &server,
        &transport(3),
        &APPCHARGE,
        Arc::new(StaticToken::new("t")),
    );
    let _ = client.get("x").send().await.expect_err("401");
    assert_eq!(api.calls_async().await, 1);
}

#[tokio::test]
async fn a_401_with_a_fresh_token_succeeds() {
    let tokens = Arc::new(AtomicU32::new(0));
    let issued = tokens.clone();
    let mock = MockTransport::new(move |req| {
        if req.url.path().ends_with("/oauth2/v2.0/token") {
            let n = issued.fetch_add(1, Ordering::SeqCst) + 1;
            assert!(
                String::from_utf8_lossy(&req.body)
                    .contains("scope=https%3A%2F%2Fgraph.microsoft.com%2F.default")
            );
            return MockResponse::json(
                200,
                &serde_json::json!({"access_token": format!("tok{n}"), "expires_in": 3600}),
            );
        }
        match req.header("authorization") {
            Some("Bearer tok1") => MockResponse::new(401),
            Some("Bearer tok2") => MockResponse::json(200, &serde_json::json!({"jobId": "j"})),
            other => panic!("unexpected auth {other:?}"),
        }
    });
    let cred = AzureClientCredentials::new(
        "t",
        "app",
        "s",
        AzureTokenRequest::Scope("https://graph.microsoft.com/.default".into()),
    )
    .expect("cred");
    let client = VendorClient::with_default_url(&INGESTION, &mock.transport(), Arc::new(cred))
        .expect("client");
    let body: serde_json::Value = client
        .post("configure")
        .path("configure")
        .query("$version", "2022-07-01")
        .json(&serde_json::json!({}))
        .send_json()
        .await
        .expect("ok after refresh");
    assert_eq!(body["jobId"], "j");
    assert_eq!(tokens.load(Ordering::SeqCst), 2);
    let requests = mock.requests();
    assert_eq!(requests.len(), 4);
    assert_eq!(
        requests[1].url.as_str(),
        "https://graph.microsoft.com/rp/product-ingestion/configure?$version=2022-07-01"
    );
}

#[tokio::test]
async fn token_errors_carry_the_identity_provider_text() {
    let server = MockServer::start_async().await;
    let token = server
        .mock_async(|when, then| {
            when.method(POST).path("/tenant-1/oauth2/token");
            then.status(401).json_body(serde_json::json!({
                "error": "invalid_client",
                "error_description": "AADSTS7000215: Invalid client secret provided."
            }));
        })
        .await;
    let api = server
        .mock_async(|when, then| {
            when.path_includes("/v1/");
            then.status(200);
        })
        .await;
    let client = client_with(&server, &transport(2), &ORDERS, azure(&server));
    let err = client
        .get("get_order")
        .path("v1/customers")
        .send()
        .await
        .expect_err("auth fails");
    let Error::Auth(auth) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(auth.error.as_deref(), Some("invalid_client"));
    let text = err.to_string();
    assert!(text.contains("AADSTS7000215"), "{text}");
    assert!(text.contains("Azure AD"), "{text}");
    assert!(!text.contains("super-secret-value"));
    assert_eq!(err.request_sent(), RequestSent::No);
    assert_eq!(
        token.calls_async().await,
        1,
        "a 401 from the token endpoint is not retried"
    );
    assert_eq!(api.calls_async().await, 0);
}

#[tokio::test]
async fn adobe_ims_token_and_headers() {
    let server = MockServer::start_async().await;
    let token = server.mock_async(|when, then| {
        when.method(POST).path("/ims/token/v3")
            .form_urlencoded_tuple("grant_type", "client_credentials")
            .form_urlencoded_tuple("client_id", "adobe-client")
            .form_urlencoded_tuple("client_secret", "adobe-secret")
            .form_urlencoded_tuple("scope", "openid,AdobeID");
        then.status(200).json_body(serde_json::json!({"access_token": "ims-token", "token_type": "bearer", "expires_in": 86399}));
    }).await;
    let api = server
        .mock_async(|when, then| {
            when.method(DELETE)
                .path("/data/core/dps/offers/dps%3Aoffer%3A1")
                .query_param("offer-type", "personalized")
                .header("authorization", "Bearer ims-token")
                .header("x-api-key", "adobe-client")
                .header("x-gw-ims-org-id", "ORG@AdobeOrg")
                .header("x-sandbox-name", "dev");
            then.status(200);
        })
        .await;
    let cred = AdobeImsCredentials::new("adobe-client", "adobe-secret", "ORG@AdobeOrg")
        .expect("cred")
        .with_sandbox("dev")
        .with_scopes("openid,AdobeID")
        .with_ims_url(&server.base_url())
        .expect("ims url");
    let base = format!("{}/data/core/dps/", server.base_url());
    let client = VendorClient::new(&ADOBE, &transport(0), &base, Arc::new(cred)).expect("client");
    let response = client
        .delete("delete_offer")
        .path("offers")
        .path_param("offer_id", "dps:offer:1")
        .query("offer-type", "personalized")
        .send()
        .await
        .expect("ok");
    assert_eq!(
        response.json_opt::<serde_json::Value>().expect("empty ok"),
        None
    );
    assert_eq!(token.calls_async().await, 1);
    assert_eq!(api.calls_async().await, 1);
}

#[test]
fn env_settings_name_every_missing_variable_with_the_fallback() {
    let env: HashMap<&str, &str> = HashMap::from([
        ("OFFERKIT_AZURE_TENANT_ID", "t"),
        ("OFFERKIT_ORDERS_CLIENT_ID", "c"),
    ]);
    let lookup = |k: &str| env.get(k).map(|v| (*v).to_owned());
    let mut keys = EnvSettings::new(
        "Partner Center orders",
        &["OFFERKIT_ORDERS", "OFFERKIT_AZURE"],
        &lookup,
    );
    assert_eq!(keys.required("TENANT_ID").as_deref(), Some("t"));
    assert_eq!(keys.required("CLIENT_ID").as_deref(), Some("c"));
    assert!(keys.secret("CLIENT_SECRET").is_none());
    assert!(keys.optional("AUTHORITY").is_none());
    let err = Error::from(keys.finish().expect_err("missing"));
    assert!(
        err.to_string().contains("OFFERKIT_ORDERS_CLIENT_SECRET"),
        "{err}"
    );
    assert!(err.to_string().contains("OFFERKIT_AZURE_*"), "{err}");
    assert!(matches!(err, Error::InvalidInput { .. }));
}

#[tokio::test]
async fn partner_center_ids_are_stable_across_retries_and_fresh_per_call() {
    let calls = Arc::new(AtomicU32::new(0));
    let seen = calls.clone();
    let mock = MockTransport::new(move |_| {
        if seen.fetch_add(1, Ordering::SeqCst).is_multiple_of(2) {
            MockResponse::new(503)
        } else {
            MockResponse::json(200, &serde_json::json!({}))
        }
    });
    let client =
        VendorClient::with_default_url(&ORDERS, &mock.transport(), Arc::new(StaticToken::new("t")))
            .expect("client");
    for _ in 0..2 {
        client
            .patch("cancel_order")
            .path("v1/customers")
            .path_param("customer_id", "c")
            .path("orders")
            .path_param("order_id", "o")
            .idempotency(Idempotency::Keyed)
            .json(&serde_json::json!({"status": "cancelled"}))
            .send()
            .await
            .expect("retried then ok");
    }
    let r = mock.requests();
    assert_eq!(r.len(), 4);
    let id = |i: usize, h: &str| r[i].header(h).expect("header").to_owned();
    assert_eq!(
        id(0, "ms-requestid"),
        id(1, "ms-requestid"),
        "same MS-RequestId across retries"
    );
    assert_eq!(id(0, "ms-correlationid"), id(1, "ms-correlationid"));
    assert_ne!(
        id(0, "ms-requestid"),
        id(2, "ms-requestid"),
        "fresh per logical call"
    );
    assert_ne!(id(0, "ms-correlationid"), id(2, "ms-correlationid"));
    assert_ne!(id(0, "ms-requestid"), id(0, "ms-correlationid"));
    assert_eq!(r[0].url.path(), "/v1/customers/c/orders/o");
}

#[tokio::test]
async fn path_params_cannot_change_path_or_query() {
    let server = MockServer::start_async().await;
    let escaped = server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/offer/..%2F..%2Fcustomers");
            then.status(200).json_body(serde_json::json!({}));
        })
        .await;
    let query = server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/offer/a%2Fb%3Fx%3D1");
            then.status(200).json_body(serde_json::json!({}));
        })
        .await;
    let client = appcharge(&server, &transport(0));
    for id in ["../../customers", "a/b?x=1"] {
        client
            .get("get_offer")
            .path("v2/offer")
            .path_param("publisher_offer_id", id)
            .send()
            .await
            .expect("reached");
    }
    assert_eq!(escaped.calls_async().await, 1);
    assert_eq!(query.calls_async().await, 1);
    for bad in ["", ".", ".."] {
        let err = client
            .get("get_offer")
            .path("v2/offer")
            .path_param("publisher_offer_id", bad)
            .send()
            .await
            .expect_err("refused");
        assert!(
            matches!(&err, Error::InvalidInput { argument, .. } if argument == "publisher_offer_id"),
            "{err:?}"
        );
    }
    let err = client
        .get("next")
        .link("https://evil.example/v2/offer")
        .send()
        .await
        .expect_err("other origin");
    assert!(matches!(err, Error::InvalidInput { .. }));
}

#[tokio::test]
async fn body_cap_is_a_typed_error() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/big");
            then.status(200).body("x".repeat(4096));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path("/small");
            then.status(200).body("x".repeat(1024));
        })
        .await;
    let t = Transport::builder()
        .max_body_bytes(1024)
        .build()
        .expect("t");
    let client = appcharge(&server, &t);
    let err = client
        .get("big")
        .path("big")
        .send()
        .await
        .expect_err("too large");
    assert!(
        matches!(err, Error::BodyTooLarge { limit: 1024, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("1024-byte"));
    assert_eq!(
        client
            .get("small")
            .path("small")
            .send()
            .await
            .expect("fits")
            .body()
            .len(),
        1024
    );
}

#[test]
fn plain_http_is_refused_unless_loopback() {
    let t = transport(0);
    let err = VendorClient::new(
        &APPCHARGE,
        &t,
        "http://api.appcharge.com",
        Arc::new(NoCredential),
    )
    .expect_err("refused");
    assert!(
        err.to_string().contains("http://api.appcharge.com"),
        "{err}"
    );
    assert!(
        VendorClient::new(&APPCHARGE, &t, "http://127.0.0.1:9", Arc::new(NoCredential)).is_ok()
    );
    assert!(
        VendorClient::new(
            &APPCHARGE,
            &t,
            "https://api-sandbox.appcharge.com",
            Arc::new(NoCredential)
        )
        .is_ok()
    );
    let azure = AzureClientCredentials::for_resource(
        "t",
        "c",
        "s",
        "https://api.partnercenter.microsoft.com",
    )
    .expect("cred");
    assert!(
        azure
            .with_authority("http://login.example.com")
            .expect_err("refused")
            .to_string()
            .contains("http://login.example.com")
    );
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Offers {
    offers: Vec<Offer>,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Offer {
    #[serde(rename = "publisherOfferId")]
    id: String,
}

#[tokio::test]
async fn decode_errors_name_the_type_and_path() {
    let mock = MockTransport::new(|_| {
        MockResponse::json(
            200,
            &serde_json::json!({"offers": [{"publisherOfferId": "a"}, {"publisherOfferId": 7}]}),
        )
    });
    let client =
        VendorClient::with_default_url(&APPCHARGE, &mock.transport(), Arc::new(NoCredential))
            .expect("client");
    let err = client
        .get("get_offers")
        .path("v2/offer")
        .send_json::<Offers>()
        .await
        .expect_err("bad type");
    let Error::Decode(d) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(d.path, "offers[1].publisherOfferId");
    assert!(d.type_name.ends_with("Offers"));
    assert!(
        err.to_string().contains("offers[1].publisherOfferId"),
        "{err}"
    );
}

#[tokio::test]
async fn accepted_statuses_are_returned_not_raised() {
    let mock = MockTransport::new(|_| {
        MockResponse::json(404, &serde_json::json!({"message": "Offer not found"}))
            .header("x-request-id", "rid-1")
    });
    let client =
        VendorClient::with_default_url(&APPCHARGE, &mock.transport(), Arc::new(NoCredential))
            .expect("client");
    let r = client
        .get("get_offer")
        .path("v2/offer")
        .path_param("id", "x")
        .accept_status(StatusCode::NOT_FOUND)
        .send()
        .await
        .expect("404 accepted");
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(r.request_id(), Some("rid-1"));
    let err = client
        .get("get_offer")
        .path("v2/offer")
        .send()
        .await
        .expect_err("404");
    assert!(err.is_not_found());
    assert_eq!(err.request_id(), Some("rid-1"));
    assert_eq!(
        err.to_string(),
        "Appcharge `get_offer` failed with HTTP 404 Not Found: Offer not found (request id rid-1)"
    );
}

/// `send_or_gone` on a DELETE whose first attempt gets `first` and every later one a 404: the
/// gone evidence, and how many attempts reached the mock.
async fn delete_after(first: MockResponse) -> (offerkit_models::retraction::NotFound, usize) {
    let seen = Arc::new(AtomicU32::new(0));
    let count = Arc::clone(&seen);
    let mock = MockTransport::new(move |_| match count.fetch_add(1, Ordering::SeqCst) {
        0 => first.clone(),
        _ => MockResponse::json(404, &serde_json::json!({"message": "Offer x not found"}))
            .header("x-request-id", "rid-404"),
    });
    let client =
        VendorClient::with_default_url(&APPCHARGE, &mock.transport(), Arc::new(NoCredential))
            .expect("client");
    let out = client
        .delete("delete_offer")
        .path("v2/offer")
        .path_param("id", "x")
        .send_or_gone()
        .await
        .expect("a 404 is not an error");
    let gone = out.into_already().expect("the retry answered 404");
    assert_eq!(gone.message.as_deref(), Some("Offer x not found"));
    assert_eq!(gone.request_id.as_deref(), Some("rid-404"));
    (gone, mock.requests().len())
}

#[tokio::test]
async fn a_404_after_an_attempt_that_may_have_acted_is_marked() {
    // Sent, answer lost: the first attempt may have deleted it.
    for (name, first) in [
        ("connection dropped after sending", MockResponse::dropped()),
        ("timeout", MockResponse::timeout()),
        ("500", MockResponse::new(500)),
        ("502", MockResponse::new(502)),
        ("503 without Retry-After", MockResponse::new(503)),
        ("504", MockResponse::new(504)),
    ] {
        let (gone, attempts) = delete_after(first).await;
        assert_eq!(attempts, 2, "{name}");
        assert!(gone.earlier_attempt_may_have_acted, "{name}: {gone:?}");
    }
    // Known not to have acted: nothing to claim.
    for (name, first) in [
        ("connection refused", MockResponse::connect_error()),
        ("429", MockResponse::new(429).header("retry-after", "0")),
        (
            "503 with Retry-After",
            MockResponse::new(503).header("retry-after", "0"),
        ),
    ] {
        let (gone, attempts) = delete_after(first).await;
        assert_eq!(attempts, 2, "{name}");
        assert!(!gone.earlier_attempt_may_have_acted, "{name}: {gone:?}");
    }
    // The first attempt itself answered 404: plainly already gone.
    let first_404 = MockResponse::json(404, &serde_json::json!({"message": "Offer x not found"}))
        .header("x-request-id", "rid-404");
    let (gone, attempts) = delete_after(first_404).await;
    assert_eq!(attempts, 1);
    assert!(!gone.earlier_attempt_may_have_acted, "{gone:?}");
}

#[tokio::test]
async fn the_mark_survives_a_refused_attempt_in_between() {
    // dropped (may have acted), then 429 (did not), then 404: an earlier attempt may still have
    // done it.
    let seen = Arc::new(AtomicU32::new(0));
    let count = Arc::clone(&seen);
    let mock = MockTransport::new(move |_| match count.fetch_add(1, Ordering::SeqCst) {
        0 => MockResponse::dropped(),
        1 => MockResponse::new(429).header("retry-after", "0"),
        _ => MockResponse::new(404),
    });
    let client =
        VendorClient::with_default_url(&APPCHARGE, &mock.transport(), Arc::new(NoCredential))
            .expect("client");
    let response = client
        .delete("delete_offer")
        .path("v2/offer")
        .path_param("id", "x")
        .accept_status(StatusCode::NOT_FOUND)
        .send()
        .await
        .expect("404 accepted");
    assert_eq!(response.attempts(), 3);
    assert!(response.earlier_attempt_may_have_acted());
    // A first-attempt answer carries no mark.
    let fresh = client
        .get("get_offer")
        .path("v2/offer")
        .accept_status(StatusCode::NOT_FOUND)
        .send()
        .await
        .expect("404 accepted");
    assert_eq!(fresh.attempts(), 1);
    assert!(!fresh.earlier_attempt_may_have_acted());
}

/// A one-shot HTTP/1.1 server on 127.0.0.1 answering each connection with a chunked body (no
/// `Content-Length`) of `chunks` chunks of `chunk_len` bytes.
fn chunked_server(chunks: usize, chunk_len: usize) -> String {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || {
        for stream in listener.incoming().take(4) {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line != "\r\n" {
                line.clear();
            }
            let mut out =
                b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n"
                    .to_vec();
            for _ in 0..chunks {
                out.extend_from_slice(format!("{chunk_len:x}\r\n").as_bytes());
                out.extend(std::iter::repeat_n(b'x', chunk_len));
                out.extend_from_slice(b"\r\n");
            }
            out.extend_from_slice(b"0\r\n\r\n");
            let _ = stream.write_all(&out);
        }
    });
    format!("http://{addr}")
}

#[tokio::test]
async fn body_cap_applies_to_bodies_without_content_length() {
    let t = Transport::builder()
        .max_body_bytes(1024)
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("t");
    let cred = Arc::new(StaticHeader::new("x-publisher-token", "pub-tok"));
    let big =
        VendorClient::new(&APPCHARGE, &t, &chunked_server(4, 512), cred.clone()).expect("client");
    let err = big
        .get("big")
        .path("big")
        .send()
        .await
        .expect_err("too large");
    assert!(
        matches!(err, Error::BodyTooLarge { limit: 1024, .. }),
        "{err:?}"
    );
    let small = VendorClient::new(&APPCHARGE, &t, &chunked_server(2, 512), cred).expect("client");
    let response = small.get("small").path("small").send().await.expect("fits");
    assert_eq!(response.body().len(), 1024);
}

/// A sender that takes `token_ms` to answer a token request and 10 s to answer anything else,
/// on tokio's clock (the tests using it pause time, so nothing really waits).
#[derive(Debug)]
struct SlowSender {
    token_ms: u64,
}

#[async_trait::async_trait]
impl offerkit_transport::HttpSend for SlowSender {
    async fn send(
        &self,
        request: offerkit_transport::HttpRequest,
        _options: offerkit_transport::SendOptions,
    ) -> Result<offerkit_transport::HttpResponse, offerkit_transport::SendError> {
        let (delay, body) = if request.url.path().ends_with("/token") {
            let token = serde_json::json!({"access_token": "tok", "expires_in": 3600});
            let body = serde_json::to_vec(&token).expect("json");
            (Duration::from_millis(self.token_ms), body)
        } else {
            (Duration::from_secs(10), Vec::new())
        };
        tokio::time::sleep(delay).await;
        Ok(offerkit_transport::HttpResponse::new(
            StatusCode::OK,
            http::HeaderMap::new(),
            body.into(),
        ))
    }
}

/// Time spent waiting for a token counts against the call's deadline: the first attempt gets
/// only what is left, not the whole budget.
#[tokio::test(start_paused = true)]
async fn waiting_for_a_token_uses_up_the_call_deadline() {
    let t = Transport::builder()
        .http_client(SlowSender { token_ms: 1_800 })
        .retry_policy(RetryPolicy::none())
        .timeout(Duration::from_secs(30))
        .total_timeout(Duration::from_secs(2))
        .build()
        .expect("t");
    let credential = Arc::new(
        AzureClientCredentials::for_resource(
            "tenant-1",
            "app",
            "secret",
            "https://api.partnercenter.microsoft.com",
        )
        .expect("cred")
        .with_authority("http://127.0.0.1:9")
        .expect("authority"),
    );
    let client = VendorClient::new(&ORDERS, &t, "http://127.0.0.1:9", credential).expect("client");
    let started = tokio::time::Instant::now();
    let err = client
        .get("get_order")
        .path("v1/customers/c/orders/o")
        .send()
        .await
        .expect_err("times out");
    assert!(matches!(err, Error::Timeout { attempts: 1, .. }), "{err:?}");
    let elapsed = started.elapsed();
    assert!(
        elapsed <= Duration::from_millis(2_050),
        "the 2 s deadline was overrun: {elapsed:?}"
    );
}
