use offerkit_sandbox::{
    FaultKind, FaultMode, FaultRule, FaultTiming, Sandbox, SandboxConfig, WARNING_HEADER,
};
use reqwest::Method;
use serde_json::json;
use std::time::Duration;

use crate::{Env, read};

fn offer(id: &str) -> serde_json::Value {
    json!({"publisherOfferId": id, "name": "Some offer", "type": "Bundle"})
}

#[tokio::test]
async fn seed_state_reset_over_http() {
    let env = Env::new().await;
    let seed = json!({
        "ingestion": {"privateOffers": [{"id": "private-offer/p1", "name": "po", "privateOfferType": "customerPromotion", "state": "live"}]},
        "orders": [{"id": "o1", "referenceCustomerId": "cust", "lineItems": [{"offerId": "A:B:C", "quantity": 1}]}],
        "adobe": {"personalized": [{"id": "a1", "name": "x"}]},
        "appcharge": {"offers": [offer("c1")]}
    });
    let (s, b) = read(
        env.http
            .post(env.url("/_sandbox/seed"))
            .json(&seed)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["loaded"]["orders"], 1);
    let (s, o) = env.get("/v1/customers/cust/orders/o1").await;
    assert_eq!((s, o["status"].as_str()), (200, Some("completed")));
    let (_, state) = read(
        env.http
            .get(env.url("/_sandbox/state"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(state["appcharge"]["offers"][0]["publisherOfferId"], "c1");
    assert_eq!(state["ingestion"]["privateOffers"][0]["state"], "live");
    // The state document is itself a valid seed: replace round-trips.
    let (s, _) = read(
        env.http
            .post(env.url("/_sandbox/seed?mode=replace"))
            .json(&state)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200);
    let (s, _) = read(
        env.http
            .post(env.url("/_sandbox/reset"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200);
    let (s, _) = env.get("/v1/customers/cust/orders/o1").await;
    assert_eq!(s, 404);
    // Invalid seeds change nothing.
    for bad in [
        json!({"orders": [{"lineItems": []}]}),
        json!({"unknown": 1}),
        json!([1]),
        json!({"appcharge": {"offers": [{"name": "x"}]}}),
    ] {
        let (s, _) = read(
            env.http
                .post(env.url("/_sandbox/seed"))
                .json(&bad)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, 400, "{bad}");
    }
    let (s, _) = read(
        env.http
            .post(env.url("/_sandbox/seed"))
            .body("{nope")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 400);
    assert!(env.sb.seed(&json!({"orders": "x"})).is_err());
}

#[tokio::test]
async fn journal_counts_exactly() {
    let env = Env::new().await;
    env.sb
        .seed(&json!({"appcharge": {"offers": [offer("a"), offer("b")]}}))
        .unwrap();
    env.send(Method::DELETE, "/v2/offer/a", None).await;
    env.send(Method::GET, "/v2/offer?publisherOfferIds=a", None)
        .await;
    assert_eq!(env.sb.count("DELETE", "/v2/offer/a"), 1);
    assert_eq!(env.sb.count("delete", "/v2/offer/b"), 0);
    let (_, j) = read(
        env.http
            .get(env.url("/_sandbox/journal?method=DELETE"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let entries = j["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["status"], 200);
    assert_eq!(entries[0]["route"], "/v2/offer/{publisherOfferId}");
    assert_eq!(entries[0]["resourceId"], "a");
    assert_eq!(entries[0]["vendor"], "appcharge");
    assert_eq!(j["counts"]["byPath"]["DELETE /v2/offer/a"], 1);
    assert_eq!(
        j["counts"]["byRoute"]["DELETE /v2/offer/{publisherOfferId}"],
        1
    );
    let (s, _) = read(
        env.http
            .delete(env.url("/_sandbox/journal"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(env.sb.count("DELETE", "/v2/offer/a"), 0);
    assert!(
        env.sb.journal().is_empty(),
        "control calls are not journaled"
    );
}

#[tokio::test]
async fn throttle_next_n_in_each_vendor_dialect() {
    let env = Env::new().await;
    env.sb.seed(&json!({"appcharge": {"offers": [offer("a")]}, "orders": [{"id": "o1", "referenceCustomerId": "c", "lineItems": [{"offerId": "A:B:C", "quantity": 1}]}]})).unwrap();
    let (s, b) = read(env.http.post(env.url("/_sandbox/faults")).json(&json!([
        {"method": "DELETE", "path": "/v2/offer/*", "mode": {"nextN": 2}, "fault": {"kind": "throttle", "retryAfterSeconds": 3}},
        {"method": "PATCH", "path": "/v1/customers/*/orders/*", "mode": {"nextN": 1}, "fault": {"kind": "throttle", "retryAfterSeconds": 57}}
    ])).send().await.unwrap()).await;
    assert_eq!(s, 201, "{b}");
    for _ in 0..2 {
        let resp = env.req(Method::DELETE, "/v2/offer/a").send().await.unwrap();
        assert_eq!(resp.status(), 429);
        assert_eq!(resp.headers()["retry-after"], "3");
    }
    assert_eq!(
        env.sb.acted_count("DELETE", "/v2/offer/a"),
        0,
        "the server did not act"
    );
    let (s, _) = env.send(Method::DELETE, "/v2/offer/a", None).await;
    assert_eq!(s, 200);
    assert_eq!(env.sb.count("DELETE", "/v2/offer/a"), 3);
    assert_eq!(env.sb.acted_count("DELETE", "/v2/offer/a"), 1);
    assert_eq!(env.sb.succeeded_count("DELETE", "/v2/offer/a"), 1);
    // A repeat reaches the handler but removes nothing: acted, not succeeded.
    let (s, _) = env.send(Method::DELETE, "/v2/offer/a", None).await;
    assert_eq!(s, 404);
    assert_eq!(env.sb.acted_count("DELETE", "/v2/offer/a"), 2);
    assert_eq!(env.sb.succeeded_count("DELETE", "/v2/offer/a"), 1);
    assert_eq!(env.sb.counts()["succeededByPath"]["DELETE /v2/offer/a"], 1);
    let (s, b) = env
        .send(
            Method::PATCH,
            "/v1/customers/c/orders/o1",
            Some(json!({"status": "cancelled"})),
        )
        .await;
    assert_eq!(
        (s, b),
        (
            429,
            json!({"statusCode": 429, "message": "Rate limit is exceeded. Try again in 57 seconds."})
        )
    );
    let (_, faults) = read(
        env.http
            .get(env.url("/_sandbox/faults"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(faults["faults"][0]["fired"], 2);
    let (s, _) = read(
        env.http
            .delete(env.url("/_sandbox/faults"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn status_every_k_and_probability_faults() {
    let env = Env::new().await;
    let id = env
        .sb
        .inject_fault(
            FaultRule::new("GET", "/v1/customers/*", FaultKind::Status { status: 503 })
                .mode(FaultMode::EveryK { every_k: 2 }),
        )
        .unwrap();
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(env.get("/v1/customers/c/orders").await);
    }
    assert_eq!(
        statuses.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
        vec![200, 503, 200, 503]
    );
    assert_eq!(statuses[1].1["code"], 800003);
    assert!(env.sb.remove_fault(id));
    env.sb
        .inject_fault(FaultRule::new(
            "GET",
            "/data/core/dps/*",
            FaultKind::Status { status: 500 },
        ))
        .unwrap();
    let (s, b) = env
        .get("/data/core/dps/offers?offer-type=personalized")
        .await;
    assert_eq!((s, b["status"].as_u64()), (500, Some(500)));
    env.sb.clear_faults();

    let pattern = |env: &Env| {
        env.sb.clear_faults();
        env.sb
            .inject_fault(
                FaultRule::new("GET", "*", FaultKind::Status { status: 502 }).mode(
                    FaultMode::Probability {
                        probability: 0.5,
                        seed: 9,
                    },
                ),
            )
            .unwrap();
    };
    pattern(&env);
    let mut first = Vec::new();
    for _ in 0..20 {
        first.push(env.get("/v2/offer?publisherOfferIds=a").await.0);
    }
    pattern(&env);
    let mut second = Vec::new();
    for _ in 0..20 {
        second.push(env.get("/v2/offer?publisherOfferIds=a").await.0);
    }
    assert_eq!(first, second, "seeded probability faults are reproducible");
    assert!(first.contains(&502) && first.contains(&200));
    let (s, _) = read(
        env.http
            .post(env.url("/_sandbox/faults"))
            .json(&json!({"path": "*", "fault": {"kind": "status", "status": 200}}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 400);
}

#[tokio::test]
async fn drop_truncate_and_delay() {
    let env = Env::new().await;
    env.sb
        .seed(&json!({"appcharge": {"offers": [offer("a"), offer("b")]}}))
        .unwrap();
    env.sb
        .inject_fault(
            FaultRule::new("DELETE", "/v2/offer/a", FaultKind::Drop)
                .mode(FaultMode::NextN { next_n: 1 }),
        )
        .unwrap();
    let err = env.req(Method::DELETE, "/v2/offer/a").send().await;
    assert!(err.is_err(), "dropped connection is a transport error");
    assert!(
        env.sb.state()["appcharge"]["offers"]
            .as_array()
            .unwrap()
            .len()
            == 2,
        "drop before acting changes nothing"
    );

    // Truncate (after, by default): the server acted, the client gets a broken body.
    env.sb
        .inject_fault(
            FaultRule::new("DELETE", "/v2/offer/a", FaultKind::Truncate)
                .mode(FaultMode::NextN { next_n: 1 }),
        )
        .unwrap();
    let res = env.req(Method::DELETE, "/v2/offer/a").send().await;
    let broken = match res {
        Err(_) => true,
        Ok(resp) => resp.text().await.is_err(),
    };
    assert!(broken);
    assert_eq!(env.sb.acted_count("DELETE", "/v2/offer/a"), 1);
    let (s, _) = env.get("/v2/offer/a").await;
    assert_eq!(s, 404, "the delete happened");

    // A 503 after acting: the realistic "may have acted" case.
    env.sb
        .inject_fault(
            FaultRule::new("DELETE", "/v2/offer/b", FaultKind::Status { status: 503 })
                .when(FaultTiming::After),
        )
        .unwrap();
    let (s, _) = env.send(Method::DELETE, "/v2/offer/b", None).await;
    assert_eq!(s, 503);
    let (s, _) = env.get("/v2/offer/b").await;
    assert_eq!(s, 404);
    env.sb.clear_faults();

    env.sb
        .inject_fault(FaultRule::new(
            "GET",
            "/v2/offer",
            FaultKind::Delay { millis: 50 },
        ))
        .unwrap();
    let (s, _) = env.get("/v2/offer?publisherOfferIds=a").await;
    assert_eq!(s, 200);
    assert_eq!(
        env.sb.journal().last().unwrap().fault.as_deref(),
        Some("delay:50ms")
    );
    env.sb.clear_faults();

    // A delay after acting: the client gives up before the answer, yet the change is
    // already journaled (a client killed mid-wait cannot hide a real removal).
    env.sb
        .seed(&json!({"appcharge": {"offers": [offer("slow")]}}))
        .unwrap();
    env.sb
        .inject_fault(
            FaultRule::new(
                "DELETE",
                "/v2/offer/slow",
                FaultKind::Delay { millis: 5_000 },
            )
            .when(FaultTiming::After),
        )
        .unwrap();
    let gave_up = env
        .req(Method::DELETE, "/v2/offer/slow")
        .timeout(Duration::from_millis(200))
        .send()
        .await;
    assert!(gave_up.is_err(), "the client timed out");
    assert_eq!(env.sb.mutated_count("DELETE", "/v2/offer/slow"), 1);
    assert_eq!(env.sb.succeeded_count("DELETE", "/v2/offer/slow"), 1);
}

#[tokio::test]
async fn unknown_fields_are_reported() {
    let env = Env::new().await;
    let resp = env.req(Method::POST, "/v1/customers/c/orders").json(&json!({"lineItems": [{"offerId": "A:B:C", "quantity": 1, "ofer": 1}], "bilingCycle": "x"})).send().await.unwrap();
    assert_eq!(resp.status(), 201);
    let warning = resp.headers()[WARNING_HEADER].to_str().unwrap().to_owned();
    assert!(
        warning.contains("bilingCycle") && warning.contains("lineItems[0].ofer"),
        "{warning}"
    );
    let last = env.sb.journal().pop().unwrap();
    assert_eq!(
        last.unknown_fields,
        vec!["bilingCycle".to_owned(), "lineItems[0].ofer".to_owned()]
    );
    let resp = env
        .req(Method::POST, "/v2/offer")
        .json(&json!({"publisherOfferId": "x", "name": "Pack", "type": "Bundle", "activ": true}))
        .send()
        .await
        .unwrap();
    assert!(
        resp.headers()[WARNING_HEADER]
            .to_str()
            .unwrap()
            .contains("activ")
    );
    let resp = env
        .req(Method::POST, "/v2/offer")
        .json(&json!({"publisherOfferId": "y", "name": "Pack", "type": "Bundle"}))
        .send()
        .await
        .unwrap();
    assert!(resp.headers().get(WARNING_HEADER).is_none());
    let configure = json!({"$schema": "https://schema.mp.microsoft.com/schema/configure/2022-07-01", "resources": [
        {"$schema": "https://schema.mp.microsoft.com/schema/private-offer/2023-07-15", "name": "x", "privateOfferType": "customerPromotion", "pricng": []}]});
    let resp = env
        .req(
            Method::POST,
            "/rp/product-ingestion/configure?$version=2022-07-01",
        )
        .json(&configure)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 202);
    assert!(
        resp.headers()[WARNING_HEADER]
            .to_str()
            .unwrap()
            .contains("resources[0].pricng")
    );
    env.sb
        .seed(&json!({"adobe": {"fallback": [{"id": "f", "name": "n"}]}}))
        .unwrap();
    let resp = env
        .req(Method::PATCH, "/data/core/dps/offers/f?offer-type=fallback")
        .json(&json!([{"op": "add", "path": "/name", "value": "m", "vlaue": 1}]))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        env.sb.journal().pop().unwrap().unknown_fields,
        vec!["[0].vlaue".to_owned()]
    );
}

#[tokio::test]
async fn openapi_and_health() {
    let env = Env::new().await;
    let (s, doc) = read(
        env.http
            .get(env.url("/_sandbox/openapi.json"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/rp/product-ingestion/configure",
        "/v1/customers/{customerId}/orders/{orderId}",
        "/data/core/dps/offers/{id}",
        "/v2/offer/{publisherOfferId}",
        "/{tenant}/oauth2/token",
        "/ims/token/v3",
        "/_sandbox/faults",
    ] {
        assert!(paths.contains_key(p), "{p} documented");
    }
    let (s, h) = read(
        env.http
            .get(env.url("/_sandbox/health"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((s, h["status"].as_str()), (200, Some("ok")));
}

#[tokio::test]
async fn state_file_survives_restart_and_seed_file_loads() {
    let dir = tempfile::tempdir().unwrap();
    let seed_path = dir.path().join("seed.json");
    let state_path = dir.path().join("state.json");
    std::fs::write(
        &seed_path,
        serde_json::to_vec(&json!({"appcharge": {"offers": [offer("seeded")]}})).unwrap(),
    )
    .unwrap();
    let config = SandboxConfig {
        seed: Some(seed_path.clone()),
        state_file: Some(state_path.clone()),
        ..SandboxConfig::default()
    };
    let sb = Sandbox::start_with(config.clone()).await.unwrap();
    let http = reqwest::Client::new();
    let (s, _) = read(
        http.post(format!("{}/v2/offer", sb.base_url()))
            .header("x-publisher-token", "t")
            .json(&offer("added"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 201);
    let (s, _) = read(
        http.delete(format!("{}/v2/offer/seeded", sb.base_url()))
            .header("x-publisher-token", "t")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200);
    let token = sb.issue_token(offerkit_sandbox::Audience::PartnerCenter);
    sb.shutdown().await.unwrap();
    let saved: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&state_path).unwrap()).unwrap();
    assert_eq!(saved["appcharge"]["offers"].as_array().unwrap().len(), 1);

    // Restart: the state file wins over the seed file.
    let sb = Sandbox::start_with(config).await.unwrap();
    let ids: Vec<_> = sb.state()["appcharge"]["offers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["publisherOfferId"].clone())
        .collect();
    assert_eq!(ids, vec![json!("added")]);
    let (s, _) = read(
        http.get(format!("{}/v1/customers/c/orders", sb.base_url()))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200, "issued tokens survive a restart");
    sb.shutdown().await.unwrap();
}

/// The seed route takes bodies larger than the vendor routes (its own cap), and refuses past it.
#[tokio::test]
async fn seeding_has_its_own_larger_body_cap() {
    let env = Env::with(SandboxConfig {
        max_body_bytes: 64 * 1024,
        max_seed_body_bytes: 1024 * 1024,
        ..SandboxConfig::default()
    })
    .await;
    let offers: Vec<_> = (0..2_000)
        .map(|i| offer(&format!("offer-{i:05}")))
        .collect();
    let seed = json!({"appcharge": {"offers": offers}});
    let size = seed.to_string().len();
    assert!((64 * 1024..1024 * 1024).contains(&size), "{size}");
    let (s, b) = env
        .send(Method::POST, "/_sandbox/seed", Some(seed.clone()))
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["loaded"]["appchargeOffers"], 2_000);
    // The same size on a vendor route is over its cap.
    let mut big = offer("big");
    big["description"] = json!("x".repeat(size));
    let (s, _) = env.send(Method::POST, "/v2/offer", Some(big)).await;
    assert_eq!(s, 413);
    // Past the seed cap, nothing is applied.
    let offers: Vec<_> = (0..20_000)
        .map(|i| offer(&format!("more-{i:05}")))
        .collect();
    let (s, b) = env
        .send(
            Method::POST,
            "/_sandbox/seed",
            Some(json!({"appcharge": {"offers": offers}})),
        )
        .await;
    assert_eq!(s, 413, "{b}");
    assert!(b.to_string().contains("1048576 bytes"), "{b}");
    assert_eq!(
        env.sb.state()["appcharge"]["offers"]
            .as_array()
            .unwrap()
            .len(),
        2_000
    );
}
