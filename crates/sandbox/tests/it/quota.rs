//! Vendor quotas: token buckets per vendor bucket, the 429 with `Retry-After` and the vendor's
//! throttling body, no state change on a throttled request, the journal's counts, the control API.
//! The clock is set (stands still) so buckets refill only when a test advances it.

use std::time::{Duration, UNIX_EPOCH};

use offerkit_sandbox::{Audience, Quota, QuotaScope, Quotas, SandboxConfig};
use reqwest::Method;
use serde_json::{Value, json};

use crate::{Env, read};

/// A sandbox with `quotas`, its clock stopped at 2030-01-01 and fresh tokens for that time.
async fn env_with(quotas: &[(QuotaScope, Quota)]) -> Env {
    let mut config = SandboxConfig::default();
    for (scope, quota) in quotas {
        config = config.with_quota(*scope, *quota);
    }
    let mut env = Env::with(config).await;
    env.sb
        .set_clock(UNIX_EPOCH + Duration::from_secs(1_893_456_000));
    env.pc = env.sb.issue_token(Audience::PartnerCenter);
    env.graph = env.sb.issue_token(Audience::Graph);
    env.ims = env.sb.issue_token(Audience::Adobe);
    env
}

/// Status, `Retry-After` and JSON body.
async fn send(rb: reqwest::RequestBuilder) -> (u16, Option<String>, Value) {
    let resp = rb.send().await.unwrap();
    let retry_after = resp
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (status, body) = read(resp).await;
    (status, retry_after, body)
}

fn appcharge(env: &Env, method: Method, path: &str, token: &str) -> reqwest::RequestBuilder {
    env.http
        .request(method, env.url(path))
        .header("x-publisher-token", token)
}

/// The `appcharge:token:…` bucket of a publisher token, as `GET /_sandbox/quotas` lists it.
async fn token_buckets(env: &Env) -> Vec<String> {
    let (_, body) = env.get("/_sandbox/quotas").await;
    body["tokens"]
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| k.starts_with("appcharge:token:sha256-"))
        .cloned()
        .collect()
}

#[tokio::test]
async fn appcharge_tokens_have_their_own_buckets_and_a_throttled_delete_deletes_nothing() {
    let env = env_with(&[(QuotaScope::Appcharge, Quota::per_minute(60))]).await; // burst 1
    env.sb
        .seed(&json!({"appcharge": {"offers": [
            {"publisherOfferId": "a", "name": "Offer A", "type": "Bundle"},
            {"publisherOfferId": "b", "name": "Offer B", "type": "Bundle"}]}}))
        .unwrap();
    let (s, _, _) = send(appcharge(&env, Method::DELETE, "/v2/offer/a", "token-one")).await;
    assert_eq!(s, 200);
    let (s, retry_after, body) =
        send(appcharge(&env, Method::DELETE, "/v2/offer/b", "token-one")).await;
    assert_eq!(s, 429);
    assert_eq!(retry_after.as_deref(), Some("1"));
    assert_eq!(
        body,
        json!({"errorCode": 429, "errorMessage": "Rate limit exceeded"})
    );
    assert_eq!(
        env.sb.state()["appcharge"]["offers"]
            .as_array()
            .unwrap()
            .len(),
        1,
        "the throttled delete did not run"
    );
    // Another token has its own bucket.
    let (s, _, body) = send(appcharge(&env, Method::DELETE, "/v2/offer/b", "token-two")).await;
    assert_eq!((s, body["publisherOfferId"].as_str()), (200, Some("b")));
    assert_eq!(env.sb.succeeded_count("DELETE", "/v2/offer/b"), 1);
    assert_eq!(env.sb.acted_count("DELETE", "/v2/offer/b"), 1);
    assert_eq!(env.sb.count("DELETE", "/v2/offer/b"), 2);

    // The journal names the bucket by the token's digest, never by the token.
    let buckets = token_buckets(&env).await;
    assert_eq!(buckets.len(), 2, "{buckets:?}");
    let counts = env.sb.counts();
    assert_eq!(counts["throttled"], 1);
    let throttled: Vec<&String> = counts["throttledByBucket"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(throttled.len(), 1);
    assert!(buckets.contains(throttled[0]));
    assert_eq!(env.sb.throttled_count(Some(throttled[0])), 1);
    assert_eq!(env.sb.admitted_count(throttled[0]), 1);
    let entry = env
        .sb
        .journal()
        .into_iter()
        .find(|e| e.status == 429)
        .unwrap();
    assert!(!entry.acted && !entry.mutated);
    assert_eq!(entry.throttled_by.as_ref(), Some(throttled[0]));
    let text = serde_json::to_string(&env.sb.journal()).unwrap();
    assert!(!text.contains("token-one") && !text.contains("token-two"));

    // One second later token one has a token again.
    env.sb.advance_clock(Duration::from_secs(1));
    let (s, _, _) = send(appcharge(&env, Method::GET, "/v2/offer/b", "token-one")).await;
    assert_eq!(s, 404, "admitted (and b is gone)");
}

#[tokio::test]
async fn orders_throttle_per_customer_tenant_with_partner_centers_body() {
    let env = env_with(&[(QuotaScope::OrdersCustomer, Quota::per_minute(6))]).await; // 1 per 10 s
    env.sb
        .seed(&json!({"orders": [
            {"id": "o1", "referenceCustomerId": "c1", "creationDate": "2029-12-31T00:00:00Z",
             "lineItems": [{"offerId": "DG7GMGF0FKZV:0003:DG7GMGF0DWMS", "quantity": 2}]},
            {"id": "o2", "referenceCustomerId": "c2", "creationDate": "2029-12-31T00:00:00Z",
             "lineItems": [{"offerId": "DG7GMGF0FKZV:0003:DG7GMGF0DWMS", "quantity": 2}]}]}))
        .unwrap();
    let cancel = |c: &str, o: &str| {
        env.req(Method::PATCH, &format!("/v1/customers/{c}/orders/{o}"))
            .json(&json!({"id": o, "status": "cancelled"}))
    };
    let (s, _, _) = send(env.req(Method::GET, "/v1/customers/c1/orders/o1")).await;
    assert_eq!(s, 200);
    let (s, retry_after, body) = send(cancel("c1", "o1")).await;
    assert_eq!(s, 429);
    assert_eq!(retry_after.as_deref(), Some("10"));
    assert_eq!(
        body,
        json!({"statusCode": 429, "message": "Rate limit is exceeded. Try again in 10 seconds."})
    );
    assert_eq!(
        env.sb.state()["orders"][0]["lineItems"][0]["quantity"],
        2,
        "not cancelled"
    );
    // Customer c2 is its own bucket, even under another spelling of c1's case.
    let (s, _, _) = send(cancel("c2", "o2")).await;
    assert_eq!(s, 200);
    let (s, _, _) = send(env.req(Method::GET, "/v1/customers/C1/orders/o1")).await;
    assert_eq!(s, 429, "tenant ids are case-insensitive");
    // 9.5 s later: still one second to go.
    env.sb.advance_clock(Duration::from_millis(9_500));
    let (_, retry_after, _) = send(cancel("c1", "o1")).await;
    assert_eq!(retry_after.as_deref(), Some("1"));
    env.sb.advance_clock(Duration::from_millis(500));
    let (s, _, _) = send(cancel("c1", "o1")).await;
    assert_eq!(s, 200);
    assert_eq!(
        env.sb.mutated_count("PATCH", "/v1/customers/c1/orders/o1"),
        1
    );
    assert_eq!(
        env.sb
            .throttled_count(Some("partner-center-orders:customer:c1")),
        3
    );
    assert_eq!(
        env.sb.admitted_count("partner-center-orders:customer:c2"),
        1
    );
}

#[tokio::test]
async fn the_partner_tenant_is_the_tokens_tenant() {
    let env = env_with(&[]).await;
    let (s, b) = env
        .send(
            Method::PUT,
            "/_sandbox/quotas",
            Some(json!({"orders-partner": "60/min"})),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["quotas"]["orders-partner"]["burst"], 1);
    assert_eq!(b["quotas"]["orders-partner"]["per"], "partner tenant");
    let token = |tenant: &str| {
        let url = env.url(&format!("/{tenant}/oauth2/token"));
        let http = env.http.clone();
        async move {
            let resp = http
                .post(url)
                .form(&[
                    ("grant_type", "client_credentials"),
                    ("client_id", "app"),
                    ("client_secret", "s"),
                    ("resource", "https://api.partnercenter.microsoft.com"),
                ])
                .send()
                .await
                .unwrap();
            let (s, body) = read(resp).await;
            assert_eq!(s, 200, "token endpoints are never throttled: {body}");
            body["access_token"].as_str().unwrap().to_owned()
        }
    };
    let (t1, t1_again, t2) = (token("t1").await, token("t1").await, token("t2").await);
    let list = |t: &str, c: &str| {
        env.http
            .get(env.url(&format!("/v1/customers/{c}/orders")))
            .bearer_auth(t)
    };
    assert_eq!(send(list(&t1, "c1")).await.0, 200);
    // Another customer, the same partner tenant (another token of it): throttled.
    assert_eq!(send(list(&t1_again, "c2")).await.0, 429);
    assert_eq!(send(list(&t2, "c1")).await.0, 200);
    let counts = env.sb.counts();
    assert_eq!(
        counts["throttledByBucket"],
        json!({"partner-center-orders:partner:t1": 1})
    );
}

#[tokio::test]
async fn adobe_per_org_and_ingestion_per_tenant() {
    let env = env_with(&[
        (QuotaScope::Adobe, Quota::per_minute(60)),
        (QuotaScope::Ingestion, Quota::per_minute(60)),
    ])
    .await;
    let org = |org: &str| {
        env.http
            .get(env.url("/data/core/dps/offers?offer-type=personalized"))
            .bearer_auth(&env.ims)
            .header("x-api-key", "k")
            .header("x-gw-ims-org-id", org)
    };
    assert_eq!(send(org("A@AdobeOrg")).await.0, 200);
    let (s, retry_after, body) = send(org("A@AdobeOrg")).await;
    assert_eq!((s, retry_after.as_deref()), (429, Some("1")));
    assert_eq!(
        body,
        json!({"error_code": "429050", "message": "Too many requests"})
    );
    assert_eq!(send(org("B@AdobeOrg")).await.0, 200);

    let path = "/rp/product-ingestion/private-offer/query?$version=2023-07-15";
    assert_eq!(send(env.req(Method::GET, path)).await.0, 200);
    let (s, retry_after, body) = send(env.req(Method::GET, path)).await;
    assert_eq!((s, retry_after.as_deref()), (429, Some("1")));
    assert_eq!(body["error"]["code"], "tooManyRequests");
    assert_eq!(
        body["error"]["message"],
        "Rate limit is exceeded. Try again in 1 seconds."
    );
    // `issue_token` tokens belong to the sandbox's own tenant.
    assert_eq!(
        env.sb
            .throttled_count(Some("partner-center-ingestion:tenant:sandbox-tenant")),
        1
    );
    assert_eq!(env.sb.throttled_count(Some("adobe:org:A@AdobeOrg")), 1);
    assert_eq!(env.sb.throttled_count(None), 2);
}

#[tokio::test]
async fn the_control_api_sets_lists_refills_and_removes_quotas_and_is_never_throttled() {
    let env = env_with(&[]).await;
    assert!(env.sb.quotas().is_empty(), "no quota by default");
    let (s, b) = env
        .send(
            Method::PUT,
            "/_sandbox/quotas",
            Some(json!({"appcharge": "1/min", "orders": "300/min,burst=2"})),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(
        b["quotas"],
        json!({
            "orders": {"rate": "300/min,burst=2", "requestsPerMinute": 300.0, "burst": 2, "per": "customer tenant"},
            "appcharge": {"rate": "1/min", "requestsPerMinute": 1.0, "burst": 1, "per": "publisher token"},
        })
    );
    let mut expected = Quotas::default();
    expected.set(QuotaScope::Appcharge, Quota::per_minute(1));
    expected.set(
        QuotaScope::OrdersCustomer,
        Quota::per_minute(300).with_burst(2),
    );
    assert_eq!(env.sb.quotas(), expected);

    assert_eq!(send(env.req(Method::GET, "/v2/offer/x")).await.0, 404);
    assert_eq!(send(env.req(Method::GET, "/v2/offer/x")).await.0, 429);
    // Control calls are never throttled, nor counted.
    for _ in 0..5 {
        assert_eq!(env.get("/_sandbox/health").await.0, 200);
    }
    let (_, b) = env.get("/_sandbox/quotas").await;
    assert_eq!(b["throttled"], 1);
    let bucket = token_buckets(&env).await.remove(0);
    assert_eq!(b["tokens"][&bucket], 0.0);
    assert_eq!(b["throttledByBucket"][&bucket], 1);
    assert_eq!(b["admittedByBucket"][&bucket], 1);

    let (s, b) = env.send(Method::POST, "/_sandbox/quotas/reset", None).await;
    assert_eq!(
        (s, b["tokens"].as_object().map(|o| o.len())),
        (200, Some(0))
    );
    assert_eq!(
        send(env.req(Method::GET, "/v2/offer/x")).await.0,
        404,
        "refilled"
    );

    // A bad body names the bad part and changes nothing.
    for (body, names) in [
        (json!({"acme": "1/min"}), "`acme`"),
        (json!({"appcharge": "1/hour"}), "unit `hour`"),
        (json!({"appcharge": 5}), "`appcharge`"),
        (json!(["appcharge=1/min"]), "must be an object"),
    ] {
        let (s, b) = env.send(Method::PUT, "/_sandbox/quotas", Some(body)).await;
        assert_eq!(s, 400, "{b}");
        assert!(b["message"].as_str().unwrap().contains(names), "{b}");
    }
    assert_eq!(env.sb.quotas(), expected);

    let (s, b) = env.send(Method::DELETE, "/_sandbox/quotas", None).await;
    assert_eq!((s, b["quotas"].clone()), (200, json!({})));
    for _ in 0..3 {
        assert_eq!(send(env.req(Method::GET, "/v2/offer/x")).await.0, 404);
    }
}

#[tokio::test]
async fn a_credential_refusal_costs_no_quota() {
    let env = env_with(&[(QuotaScope::OrdersCustomer, Quota::per_minute(60))]).await;
    for _ in 0..3 {
        let (s, _, _) = send(env.http.get(env.url("/v1/customers/c1/orders"))).await;
        assert_eq!(s, 401);
    }
    assert_eq!(
        send(env.req(Method::GET, "/v1/customers/c1/orders"))
            .await
            .0,
        200
    );
    assert_eq!(env.sb.throttled_count(None), 0);
}
