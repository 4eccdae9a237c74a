//! The settable clock: `/_sandbox/clock` and the `Sandbox` handle, and every time-based rule that
//! reads it (cancellation windows, job progression by time, token expiry).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use offerkit_sandbox::{Audience, JobProgression, SandboxConfig};
use reqwest::Method;
use serde_json::json;

use crate::Env;

/// 2030-01-01T00:00:00Z.
const Y2030: u64 = 1_893_456_000;

/// Sets the clock over HTTP and issues fresh tokens (the ones issued at start expire by the set
/// clock when it is set in the future).
async fn at(env: &mut Env, now: &str) {
    let (s, b) = env
        .send(Method::POST, "/_sandbox/clock", Some(json!({"now": now})))
        .await;
    assert_eq!((s, b["set"].as_bool()), (200, Some(true)), "{b}");
    env.pc = env.sb.issue_token(Audience::PartnerCenter);
    env.graph = env.sb.issue_token(Audience::Graph);
}

async fn advance(env: &Env, seconds: f64) {
    let (s, b) = env
        .send(
            Method::POST,
            "/_sandbox/clock",
            Some(json!({"advanceSeconds": seconds})),
        )
        .await;
    assert_eq!(s, 200, "{b}");
}

#[tokio::test]
async fn the_clock_api_sets_advances_and_releases() {
    let env = Env::new().await;
    let (s, real) = env.get("/_sandbox/clock").await;
    assert_eq!((s, &real["set"]), (200, &json!(false)));
    assert!(real["now"].as_str().unwrap() > "2025", "{real}");

    let (_, b) = env
        .send(
            Method::POST,
            "/_sandbox/clock",
            Some(json!({"now": "2030-01-01T01:00:00+01:00"})),
        )
        .await;
    assert_eq!(b, json!({"now": "2030-01-01T00:00:00Z", "set": true}));
    assert_eq!(env.sb.now(), UNIX_EPOCH + Duration::from_secs(Y2030));
    advance(&env, 90.5).await;
    let (_, b) = env.get("/_sandbox/clock").await;
    assert_eq!(
        b["now"], "2030-01-01T00:01:30.5Z",
        "it stands still between calls"
    );
    advance(&env, -90.5).await;
    assert_eq!(env.sb.now(), UNIX_EPOCH + Duration::from_secs(Y2030));

    // The Rust handle does the same.
    env.sb.advance_clock(Duration::from_secs(86_400));
    assert_eq!(
        env.get("/_sandbox/clock").await.1["now"],
        "2030-01-02T00:00:00Z"
    );
    env.sb
        .set_clock(UNIX_EPOCH + Duration::from_secs(Y2030 - 86_400));
    assert_eq!(
        env.get("/_sandbox/clock").await.1["now"],
        "2029-12-31T00:00:00Z"
    );
    env.sb.use_real_clock();
    assert!(env.sb.now() > UNIX_EPOCH + Duration::from_secs(1_700_000_000));

    env.sb.set_clock(UNIX_EPOCH + Duration::from_secs(Y2030));
    let (s, b) = env.send(Method::DELETE, "/_sandbox/clock", None).await;
    assert_eq!((s, &b["set"]), (200, &json!(false)));
    assert!(SystemTime::now().duration_since(env.sb.now()).is_ok());

    for bad in [
        json!({}),
        json!({"now": "2030-01-01T00:00:00Z", "advanceSeconds": 1}),
        json!({"now": "tomorrow"}),
        json!({"now": 1_893_456_000}),
        json!({"advanceSeconds": "60"}),
        json!({"advanceSeconds": 1e300}),
        json!({"later": 1}),
        json!([{"now": "2030-01-01T00:00:00Z"}]),
    ] {
        let (s, b) = env
            .send(Method::POST, "/_sandbox/clock", Some(bad.clone()))
            .await;
        assert_eq!(s, 400, "{bad} -> {b}");
    }
    assert_eq!(
        env.get("/_sandbox/clock").await.1["set"],
        false,
        "nothing applied"
    );
}

#[tokio::test]
async fn cancellation_windows_follow_the_clock() {
    // A static token: the issued ones expire (by the same clock) long before a week passes.
    let mut env = Env::with(SandboxConfig {
        static_tokens: vec!["never-expires".to_owned()],
        ..SandboxConfig::default()
    })
    .await;
    at(&mut env, "2030-01-01T00:00:00Z").await;
    env.pc = "never-expires".to_owned();
    let subscription =
        json!({"lineItems": [{"offerId": "A:B:C", "quantity": 1, "termDuration": "P1Y"}]});
    let mut paths = Vec::new();
    for _ in 0..2 {
        let (s, o) = env
            .send(
                Method::POST,
                "/v1/customers/cust-1/orders",
                Some(subscription.clone()),
            )
            .await;
        assert_eq!(s, 201, "{o}");
        assert_eq!(
            o["creationDate"], "2030-01-01T00:00:00Z",
            "stamped by the clock"
        );
        paths.push(format!(
            "/v1/customers/cust-1/orders/{}",
            o["id"].as_str().unwrap()
        ));
    }
    let cancel = json!({"status": "cancelled"});
    // The subscription window is 7 days: its last second still cancels...
    advance(&env, 7.0 * 86_400.0).await;
    let (s, b) = env
        .send(Method::PATCH, &paths[0], Some(cancel.clone()))
        .await;
    assert_eq!(s, 200, "{b}");
    // ...one second later it is over.
    advance(&env, 1.0).await;
    let (s, b) = env
        .send(Method::PATCH, &paths[1], Some(cancel.clone()))
        .await;
    assert_eq!((s, &b["code"]), (400, &json!(900117)), "{b}");
    let d = b["description"].as_str().unwrap();
    assert!(d.contains("passed your 7-day cancellation window"), "{d}");
    // Back inside the window, it cancels.
    advance(&env, -1.0).await;
    let (s, b) = env.send(Method::PATCH, &paths[1], Some(cancel)).await;
    assert_eq!(s, 200, "{b}");
}

#[tokio::test]
async fn time_based_jobs_progress_by_the_clock() {
    let mut env = Env::with(SandboxConfig {
        job_progression: JobProgression::Time(Duration::from_secs(60)),
        ..SandboxConfig::default()
    })
    .await;
    at(&mut env, "2030-01-01T00:00:00Z").await;
    env.sb
        .seed(&json!({"ingestion": {"privateOffers": [
            {"id": "d", "name": "offer", "privateOfferType": "customerPromotion", "state": "draft"}
        ]}}))
        .unwrap();
    let (s, job) = env
        .send(
            Method::POST,
            "/rp/product-ingestion/configure?$version=2022-07-01",
            Some(json!({
                "$schema": "https://schema.mp.microsoft.com/schema/configure/2022-07-01",
                "resources": [{"$schema": "https://schema.mp.microsoft.com/schema/private-offer/2023-07-15",
                    "id": "private-offer/d", "name": "offer", "privateOfferType": "customerPromotion", "state": "deleted"}]
            })),
        )
        .await;
    assert_eq!(s, 202, "{job}");
    let status = format!(
        "/rp/product-ingestion/configure/{}/status?$version=2022-07-01",
        job["jobId"].as_str().unwrap()
    );
    for _ in 0..3 {
        assert_eq!(
            env.get(&status).await.1["jobStatus"],
            "notStarted",
            "polls do not move it"
        );
    }
    advance(&env, 59.0).await;
    assert_eq!(env.get(&status).await.1["jobStatus"], "notStarted");
    advance(&env, 1.0).await;
    assert_eq!(env.get(&status).await.1["jobStatus"], "running");
    advance(&env, 60.0).await;
    let (_, done) = env.get(&status).await;
    assert_eq!(done["jobStatus"], "completed", "{done}");
    assert_eq!(done["jobStart"], "2030-01-01T00:00:00Z");
    assert_eq!(
        env.sb.state()["ingestion"]["privateOffers"][0]["state"],
        "deleted"
    );
}

#[tokio::test]
async fn tokens_expire_by_the_clock() {
    let mut env = Env::new().await;
    env.sb.set_clock(UNIX_EPOCH + Duration::from_secs(Y2030));
    let (s, b) = env.get("/v1/customers/cust-1/orders").await;
    assert_eq!(
        s, 401,
        "a token issued at the real time is expired in 2030: {b}"
    );
    env.pc = env.sb.issue_token(Audience::PartnerCenter);
    // Azure AD tokens live 3600 s by default: valid through the last second...
    env.sb.advance_clock(Duration::from_secs(3599));
    assert_eq!(env.get("/v1/customers/cust-1/orders").await.0, 200);
    // ...and expired at 3600.
    env.sb.advance_clock(Duration::from_secs(1));
    let (s, b) = env.get("/v1/customers/cust-1/orders").await;
    assert_eq!(s, 401, "{b}");
    assert!(b.to_string().contains("expired"), "{b}");
    // The token endpoint's tokens follow the clock too.
    let (s, t) = crate::read(
        env.http
            .post(env.url("/tenant-1/oauth2/token"))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", "c"),
                ("client_secret", "s"),
                ("resource", "https://api.partnercenter.microsoft.com"),
            ])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200, "{t}");
    let expires_on: u64 = t["expires_on"].as_str().unwrap().parse().unwrap();
    assert_eq!(expires_on, Y2030 + 3600 + 3600);
}
