//! The sandbox's quota answers as the vendor clients read them: a 429 whose body each client
//! parses (status, transient, the vendor's message), and a request that was never executed.
//! Clients run without retries, the sandbox's clock stands still (no refill).

use std::time::{Duration, UNIX_EPOCH};

use offerkit_adobe_offers::{AdobeOfferId, AdobeOffersClient, OfferType};
use offerkit_appcharge::transport::{AdobeImsCredentials, RetryPolicy, Transport};
use offerkit_appcharge::{AppchargeClient, ErrorInfo, PublisherOfferId};
use offerkit_partner_center_orders::{CustomerTenantId, OrdersClient};
use offerkit_sandbox::{Quota, QuotaScope, Sandbox, SandboxConfig};
use serde_json::json;

async fn sandbox(scope: QuotaScope) -> Sandbox {
    let config = SandboxConfig::default().with_quota(scope, Quota::per_minute(1));
    let sandbox = Sandbox::start_with(config).await.expect("sandbox");
    sandbox.set_clock(UNIX_EPOCH + Duration::from_secs(1_893_456_000));
    sandbox
}

fn no_retries() -> Transport {
    Transport::builder()
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("transport")
}

/// What every client's error says about a quota 429.
fn assert_throttled(error: &dyn ErrorInfo, message: &str) {
    assert_eq!(error.status().map(|s| s.as_u16()), Some(429));
    assert!(error.is_transient(), "a 429 is transient");
    assert_eq!(error.message().as_deref(), Some(message));
}

#[tokio::test]
async fn appcharge_reads_the_quota_429_and_nothing_was_deleted() {
    let sandbox = sandbox(QuotaScope::Appcharge).await;
    sandbox
        .seed(&json!({"appcharge": {"offers": [
            {"publisherOfferId": "a", "name": "Offer A", "type": "Bundle"},
            {"publisherOfferId": "b", "name": "Offer B", "type": "Bundle"}]}}))
        .expect("seed");
    let client = AppchargeClient::builder()
        .base_url(sandbox.base_url())
        .publisher_token("quota-token-1")
        .transport(no_retries())
        .build()
        .expect("client");
    let id = |s: &str| PublisherOfferId::new(s).expect("id");
    assert!(
        client
            .delete_offer(&id("a"))
            .await
            .expect("first")
            .is_retracted()
    );
    let err = client.delete_offer(&id("b")).await.expect_err("throttled");
    assert_throttled(&err, "Rate limit exceeded");
    assert_eq!(sandbox.succeeded_count("DELETE", "/v2/offer/b"), 0);
    assert_eq!(
        sandbox.state()["appcharge"]["offers"][0]["publisherOfferId"],
        "b"
    );
    assert_eq!(sandbox.throttled_count(None), 1);
    sandbox.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn partner_center_orders_reads_the_quota_429() {
    let sandbox = sandbox(QuotaScope::OrdersCustomer).await;
    let root = sandbox.base_url().to_owned();
    let client = OrdersClient::builder()
        .from_lookup(&move |key| match key {
            "OFFERKIT_ORDERS_TENANT_ID" => Some("sandbox-tenant".to_owned()),
            "OFFERKIT_ORDERS_CLIENT_ID" => Some("sandbox-client".to_owned()),
            "OFFERKIT_ORDERS_CLIENT_SECRET" => Some("sandbox-secret".to_owned()),
            "OFFERKIT_ORDERS_AUTHORITY" | "OFFERKIT_ORDERS_URL" => Some(root.clone()),
            _ => None,
        })
        .expect("lookup")
        .transport(no_retries())
        .build()
        .expect("client");
    let customer = CustomerTenantId::new("c1").expect("id");
    client.list_orders(&customer).await.expect("first");
    let err = client.list_orders(&customer).await.expect_err("throttled");
    assert_throttled(&err, "Rate limit is exceeded. Try again in 60 seconds.");
    // The token call was not throttled, and another customer tenant has its own bucket.
    client
        .list_orders(&CustomerTenantId::new("c2").expect("id"))
        .await
        .expect("another tenant");
    sandbox.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn adobe_reads_the_gateways_429() {
    let sandbox = sandbox(QuotaScope::Adobe).await;
    let ims = AdobeImsCredentials::new("sandbox-client", "sandbox-secret", "ORG@AdobeOrg")
        .expect("credentials")
        .with_ims_url(sandbox.base_url())
        .expect("ims url");
    let client = AdobeOffersClient::builder()
        .base_url(format!("{}/data/core/dps/", sandbox.base_url()))
        .ims_credentials(ims)
        .transport(no_retries())
        .build()
        .expect("client");
    let id = AdobeOfferId::new("nope").expect("id");
    assert!(
        client
            .get_offer(&id, OfferType::Personalized)
            .await
            .expect("first")
            .is_none()
    );
    let err = client
        .get_offer(&id, OfferType::Personalized)
        .await
        .expect_err("throttled");
    assert_throttled(&err, "Too many requests");
    assert_eq!(err.code().as_deref(), Some("429050"));
    sandbox.shutdown().await.expect("shutdown");
}
