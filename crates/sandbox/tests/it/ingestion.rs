use offerkit_sandbox::{JobProgression, SandboxConfig};
use reqwest::Method;
use serde_json::{Value, json};
use std::time::Duration;

use crate::Env;

const CONFIGURE: &str = "/rp/product-ingestion/configure?$version=2022-07-01";

fn envelope(resources: Value) -> Value {
    json!({"$schema": "https://schema.mp.microsoft.com/schema/configure/2022-07-01", "resources": resources})
}

fn offer_change(id: &str, offer_type: &str, state: &str) -> Value {
    json!({"$schema": "https://schema.mp.microsoft.com/schema/private-offer/2023-07-15", "id": id, "name": "n", "privateOfferType": offer_type, "state": state})
}

async fn seed_offer(env: &Env, id: &str, offer_type: &str, state: &str, sub_state: Option<&str>) {
    let mut offer = json!({"id": id, "name": "offer", "privateOfferType": offer_type, "state": state, "pricing": [{"product": "product/1"}]});
    if let Some(s) = sub_state {
        offer["subState"] = json!(s);
    }
    env.sb
        .seed(&json!({"ingestion": {"privateOffers": [offer]}}))
        .unwrap();
}

/// Submits a configure request and polls until completed; returns the final status.
async fn run_job(env: &Env, resources: Value) -> Value {
    let (s, job) = env
        .send(Method::POST, CONFIGURE, Some(envelope(resources)))
        .await;
    assert_eq!(s, 202, "{job}");
    assert_eq!(job["jobStatus"], "notStarted");
    assert_eq!(job["jobResult"], "pending");
    assert_eq!(job["jobEnd"], "0001-01-01");
    let id = job["jobId"].as_str().unwrap();
    for _ in 0..10 {
        let (s, st) = env
            .get(&format!(
                "/rp/product-ingestion/configure/{id}/status?$version=2022-07-01"
            ))
            .await;
        assert_eq!(s, 200);
        if st["jobStatus"] == "completed" {
            return st;
        }
    }
    panic!("job never completed");
}

async fn offer(env: &Env, id: &str) -> Value {
    let (s, o) = env
        .get(&format!(
            "/rp/product-ingestion/private-offer/{id}?$version=2023-07-15"
        ))
        .await;
    assert_eq!(s, 200, "{o}");
    o
}

#[tokio::test]
async fn job_moves_not_started_running_completed_and_applies_at_completion() {
    let env = Env::new().await;
    seed_offer(&env, "d1", "customerPromotion", "draft", None).await;
    let (_, job) = env
        .send(
            Method::POST,
            CONFIGURE,
            Some(envelope(json!([offer_change(
                "private-offer/d1",
                "customerPromotion",
                "deleted"
            )]))),
        )
        .await;
    let id = job["jobId"].as_str().unwrap();
    let status = |_: ()| format!("/rp/product-ingestion/configure/{id}/status?$version=2022-07-01");
    let (_, st) = env.get(&status(())).await;
    assert_eq!(
        (st["jobStatus"].as_str(), st["jobResult"].as_str()),
        (Some("running"), Some("pending"))
    );
    assert_eq!(
        offer(&env, "d1").await["state"],
        "draft",
        "not applied before completion"
    );
    let (_, st) = env.get(&status(())).await;
    assert_eq!(
        (st["jobStatus"].as_str(), st["jobResult"].as_str()),
        (Some("completed"), Some("succeeded"))
    );
    assert!(
        st.get("resourceUri").is_none(),
        "a delete job has no resourceUri"
    );
    assert_ne!(st["jobEnd"], "0001-01-01");
    assert_eq!(offer(&env, "d1").await["state"], "deleted");
    // Also reachable with the full id form in the path.
    assert_eq!(offer(&env, "private-offer/d1").await["state"], "deleted");
}

#[tokio::test]
async fn create_then_read_back_every_field() {
    let env = Env::new().await;
    let new = json!({"$schema": "https://schema.mp.microsoft.com/schema/private-offer/2023-07-15", "name": "promo", "privateOfferType": "customerPromotion",
        "notes": "keep me", "pricing": [{"product": "product/1", "discountType": "percentage", "discountPercentage": 5}]});
    let st = run_job(&env, json!([new])).await;
    assert_eq!(st["jobResult"], "succeeded");
    let uri = st["resourceUri"].as_str().unwrap();
    assert!(uri.starts_with(env.sb.base_url()));
    let (_, list) = env
        .get("/rp/product-ingestion/private-offer/query?$version=2023-07-15")
        .await;
    let created = &list["privateOffers"][0];
    assert_eq!(created["state"], "draft");
    assert_eq!(created["notes"], "keep me");
    assert_eq!(created["pricing"][0]["discountPercentage"], 5);
    let id = created["id"]
        .as_str()
        .unwrap()
        .trim_start_matches("private-offer/")
        .to_owned();
    assert_eq!(&offer(&env, &id).await, created);
    let job_id = st["jobId"].as_str().unwrap();
    let (s, details) = env
        .get(&format!(
            "/rp/product-ingestion/configure/{job_id}?$version=2022-07-01"
        ))
        .await;
    assert_eq!(s, 200);
    assert_eq!(details["resources"][0]["id"], created["id"]);
}

#[tokio::test]
async fn delete_rules_draft_only_and_originator_only() {
    let env = Env::new().await;
    seed_offer(&env, "live1", "customerPromotion", "live", None).await;
    let st = run_job(
        &env,
        json!([offer_change(
            "private-offer/live1",
            "customerPromotion",
            "deleted"
        )]),
    )
    .await;
    assert_eq!(st["jobResult"], "failed");
    assert_eq!(st["errors"][0]["code"], "conflict");
    assert!(
        st["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("draft")
    );
    assert_eq!(offer(&env, "live1").await["state"], "live");

    seed_offer(&env, "mpo", "multipartyPromotionOriginator", "draft", None).await;
    let st = run_job(
        &env,
        json!([offer_change(
            "private-offer/mpo",
            "multiPartyPromotionChannelPartner",
            "deleted"
        )]),
    )
    .await;
    assert_eq!(st["jobResult"], "failed");
    assert_eq!(st["errors"][0]["code"], "forbidden");
    let st = run_job(
        &env,
        json!([offer_change(
            "private-offer/mpo",
            "multipartyPromotionOriginator",
            "deleted"
        )]),
    )
    .await;
    assert_eq!(st["jobResult"], "succeeded");

    let st = run_job(
        &env,
        json!([offer_change(
            "private-offer/missing",
            "customerPromotion",
            "deleted"
        )]),
    )
    .await;
    assert_eq!(st["errors"][0]["code"], "notFound");
}

#[tokio::test]
async fn withdraw_rules_for_isv_and_selling_partner() {
    let env = Env::new().await;
    // Not yet published by the partner: the ISV may withdraw, the partner may not.
    seed_offer(
        &env,
        "a",
        "multipartyPromotionOriginator",
        "live",
        Some("pendingPartnerAction"),
    )
    .await;
    let st = run_job(
        &env,
        json!([offer_change(
            "private-offer/a",
            "multipartyPromotionChannelPartner",
            "withdrawn"
        )]),
    )
    .await;
    assert_eq!(st["jobResult"], "failed");
    let st = run_job(
        &env,
        json!([offer_change(
            "private-offer/a",
            "multipartyPromotionOriginator",
            "withdrawn"
        )]),
    )
    .await;
    assert_eq!(st["jobResult"], "succeeded");
    assert_eq!(offer(&env, "a").await["state"], "withdrawn");
    let st = run_job(
        &env,
        json!([offer_change(
            "private-offer/a",
            "multipartyPromotionOriginator",
            "withdrawn"
        )]),
    )
    .await;
    assert_eq!(st["jobResult"], "failed", "already withdrawn");

    // Published, not accepted: the ISV must wait for the partner; the partner may withdraw.
    seed_offer(
        &env,
        "b",
        "multipartyPromotionOriginator",
        "live",
        Some("pendingAcceptance"),
    )
    .await;
    let st = run_job(
        &env,
        json!([offer_change(
            "private-offer/b",
            "multipartyPromotionOriginator",
            "withdrawn"
        )]),
    )
    .await;
    assert_eq!(st["jobResult"], "failed");
    assert!(
        st["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("partner must withdraw")
    );
    let st = run_job(
        &env,
        json!([offer_change(
            "private-offer/b",
            "multipartyPromotionChannelPartner",
            "withdrawn"
        )]),
    )
    .await;
    assert_eq!(st["jobResult"], "succeeded");
    assert_eq!(offer(&env, "b").await["subState"], "pendingPartnerAction");
    let st = run_job(
        &env,
        json!([offer_change(
            "private-offer/b",
            "multipartyPromotionOriginator",
            "withdrawn"
        )]),
    )
    .await;
    assert_eq!(
        st["jobResult"], "succeeded",
        "after the partner withdrew, the ISV can"
    );

    // Accepted: nobody can withdraw.
    seed_offer(
        &env,
        "c",
        "multipartyPromotionOriginator",
        "live",
        Some("accepted"),
    )
    .await;
    let st = run_job(
        &env,
        json!([offer_change(
            "private-offer/c",
            "multipartyPromotionChannelPartner",
            "withdrawn"
        )]),
    )
    .await;
    assert_eq!(st["jobResult"], "failed");
    // Draft cannot be withdrawn.
    seed_offer(&env, "d", "customerPromotion", "draft", None).await;
    let st = run_job(
        &env,
        json!([offer_change(
            "private-offer/d",
            "customerPromotion",
            "withdrawn"
        )]),
    )
    .await;
    assert_eq!(st["jobResult"], "failed");
}

#[tokio::test]
async fn a_failing_resource_leaves_the_others_untouched() {
    let env = Env::new().await;
    seed_offer(&env, "x", "customerPromotion", "draft", None).await;
    seed_offer(&env, "y", "customerPromotion", "live", None).await;
    let st = run_job(
        &env,
        json!([
            offer_change("private-offer/x", "customerPromotion", "deleted"),
            offer_change("private-offer/y", "customerPromotion", "deleted"),
        ]),
    )
    .await;
    assert_eq!(st["jobResult"], "failed");
    assert_eq!(st["errors"].as_array().unwrap().len(), 1);
    assert_eq!(offer(&env, "x").await["state"], "draft");
}

#[tokio::test]
async fn configure_validates_envelope_and_version() {
    let env = Env::new().await;
    let body = envelope(json!([offer_change(
        "private-offer/x",
        "customerPromotion",
        "deleted"
    )]));
    let (s, b) = env
        .send(
            Method::POST,
            "/rp/product-ingestion/configure",
            Some(body.clone()),
        )
        .await;
    assert_eq!(s, 400);
    assert!(b["error"]["message"].as_str().unwrap().contains("$version"));
    let (s, _) = env
        .send(
            Method::POST,
            "/rp/product-ingestion/configure?$version=2023-07-15",
            Some(body),
        )
        .await;
    assert_eq!(s, 400);
    for bad in [
        json!({"resources": []}),
        json!({"$schema": "https://schema.mp.microsoft.com/schema/configure/2022-07-01"}),
        envelope(json!([])),
        envelope(
            json!([{"$schema": "https://schema.mp.microsoft.com/schema/private-offer/2023-07-15", "state": "deleted", "id": "private-offer/x", "privateOfferType": "nonsense"}]),
        ),
        envelope(
            json!([{"$schema": "https://schema.mp.microsoft.com/schema/private-offer/2023-07-15", "privateOfferType": "customerPromotion"}]),
        ),
        envelope(
            json!([{"$schema": "https://schema.mp.microsoft.com/schema/private-offer/2023-07-15", "id": 5}]),
        ),
        json!([1, 2]),
    ] {
        let (s, b) = env.send(Method::POST, CONFIGURE, Some(bad.clone())).await;
        assert_eq!(s, 400, "{bad}");
        assert_eq!(b["error"]["code"], "badRequest");
    }
    // Stray spaces in $schema are tolerated, as in the docs.
    let mut spaced = envelope(json!([offer_change(
        "private-offer/x",
        "customerPromotion",
        "deleted"
    )]));
    spaced["$schema"] = json!(" https://schema.mp.microsoft.com/schema/configure/ 2022-07-01");
    let (s, _) = env.send(Method::POST, CONFIGURE, Some(spaced)).await;
    assert_eq!(s, 202);
    let (s, b) = env
        .get("/rp/product-ingestion/private-offer/nope?$version=2023-07-15")
        .await;
    assert_eq!((s, b["error"]["code"].as_str()), (404, Some("notFound")));
    let (s, _) = env
        .get("/rp/product-ingestion/configure/nope/status?$version=2022-07-01")
        .await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn immediate_and_time_based_progression() {
    let env = Env::with(SandboxConfig {
        job_progression: JobProgression::Polls(0),
        ..SandboxConfig::default()
    })
    .await;
    seed_offer(&env, "d", "customerPromotion", "draft", None).await;
    let (_, job) = env
        .send(
            Method::POST,
            CONFIGURE,
            Some(envelope(json!([offer_change(
                "private-offer/d",
                "customerPromotion",
                "deleted"
            )]))),
        )
        .await;
    let (_, st) = env
        .get(&format!(
            "/rp/product-ingestion/configure/{}/status?$version=2022-07-01",
            job["jobId"].as_str().unwrap()
        ))
        .await;
    assert_eq!(st["jobStatus"], "completed");

    let env = Env::with(SandboxConfig {
        job_progression: JobProgression::Time(Duration::ZERO),
        ..SandboxConfig::default()
    })
    .await;
    seed_offer(&env, "d", "customerPromotion", "draft", None).await;
    let (_, _) = env
        .send(
            Method::POST,
            CONFIGURE,
            Some(envelope(json!([offer_change(
                "private-offer/d",
                "customerPromotion",
                "deleted"
            )]))),
        )
        .await;
    assert_eq!(
        offer(&env, "d").await["state"],
        "deleted",
        "time-based jobs settle on read without polling"
    );
}

// ---- issue 14: what real clients expect ----

#[tokio::test]
async fn job_errors_carry_lower_camel_code_message_resource_id_and_details() {
    let env = Env::new().await;
    seed_offer(&env, "live2", "customerPromotion", "live", None).await;
    let created_live = json!({"$schema": "https://schema.mp.microsoft.com/schema/private-offer/2023-07-15",
        "resourceName": "newOffer", "name": "n", "privateOfferType": "customerPromotion", "state": "withdrawn"});
    let st = run_job(
        &env,
        json!([
            offer_change("private-offer/live2", "customerPromotion", "deleted"),
            created_live
        ]),
    )
    .await;
    assert_eq!(st["jobResult"], "failed");
    let errors = st["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 2);
    for e in errors {
        let keys: Vec<&str> = e.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys.len(), 4, "{e}");
        for key in ["code", "message", "resourceId", "details"] {
            assert!(keys.contains(&key), "{key} missing in {e}");
        }
        assert!(e["details"].as_array().is_some_and(Vec::is_empty), "{e}");
        let code = e["code"].as_str().unwrap();
        assert!(
            code.chars().next().is_some_and(|c| c.is_ascii_lowercase()),
            "{code}"
        );
    }
    assert_eq!(errors[0]["code"], "conflict");
    assert_eq!(errors[0]["resourceId"], "private-offer/live2");
    assert_eq!(errors[1]["code"], "badRequest");
    assert_eq!(errors[1]["resourceId"], json!({"resourceName": "newOffer"}));
    // HTTP error bodies: lowerCamel codes and a details list.
    let (s, b) = env
        .get("/rp/product-ingestion/private-offer/missing?$version=2023-07-15")
        .await;
    assert_eq!(s, 404);
    assert_eq!(b["error"]["code"], "notFound");
    assert_eq!(b["error"]["details"], json!([]));
}

#[tokio::test]
async fn a_cancelled_job_reports_cancelled_and_changes_nothing() {
    let env = Env::new().await;
    seed_offer(&env, "d9", "customerPromotion", "draft", None).await;
    let (_, job) = env
        .send(
            Method::POST,
            CONFIGURE,
            Some(envelope(json!([offer_change(
                "private-offer/d9",
                "customerPromotion",
                "deleted"
            )]))),
        )
        .await;
    let id = job["jobId"].as_str().unwrap();
    let cancel = format!("/rp/product-ingestion/configure/{id}/cancel?$version=2022-07-01");
    let (s, st) = env.send(Method::POST, &cancel, None).await;
    assert_eq!(s, 200, "{st}");
    assert_eq!(
        (st["jobStatus"].as_str(), st["jobResult"].as_str()),
        (Some("completed"), Some("cancelled"))
    );
    assert_ne!(st["jobEnd"], "0001-01-01");
    let (_, st) = env
        .get(&format!(
            "/rp/product-ingestion/configure/{id}/status?$version=2022-07-01"
        ))
        .await;
    assert_eq!(st["jobResult"], "cancelled");
    assert_eq!(offer(&env, "d9").await["state"], "draft", "nothing applied");
    // A completed job cannot be cancelled; an unknown one is not found.
    let (s, b) = env.send(Method::POST, &cancel, None).await;
    assert_eq!((s, b["error"]["code"].as_str()), (409, Some("conflict")));
    let (s, b) = env
        .send(
            Method::POST,
            "/rp/product-ingestion/configure/nope/cancel?$version=2022-07-01",
            None,
        )
        .await;
    assert_eq!((s, b["error"]["code"].as_str()), (404, Some("notFound")));
}

#[tokio::test]
async fn the_query_pages_under_private_offers_with_next_links() {
    let env = Env::new().await;
    let offers: Vec<Value> = (0..5)
        .map(|i| json!({"id": format!("p{i}"), "name": "o", "privateOfferType": "customerPromotion"}))
        .collect();
    env.sb
        .seed(&json!({"ingestion": {"privateOffers": offers}}))
        .unwrap();
    let mut next = Some(
        env.url("/rp/product-ingestion/private-offer/query?$version=2023-07-15&$maxpagesize=2"),
    );
    let mut seen = Vec::new();
    let mut pages = 0;
    while let Some(url) = next.take() {
        let path = url
            .strip_prefix(env.sb.base_url())
            .expect("absolute link")
            .to_owned();
        let (s, page) = env.get(&path).await;
        assert_eq!(s, 200, "{page}");
        assert!(page.get("value").is_none());
        for o in page["privateOffers"].as_array().expect("privateOffers") {
            seen.push(o["id"].as_str().unwrap().to_owned());
        }
        next = page["@nextLink"].as_str().map(str::to_owned);
        pages += 1;
    }
    assert_eq!(pages, 3);
    assert_eq!(
        seen,
        ["p0", "p1", "p2", "p3", "p4"].map(|p| format!("private-offer/{p}"))
    );
    let (s, b) = env
        .get("/rp/product-ingestion/private-offer/query?$version=2023-07-15&$maxpagesize=0")
        .await;
    assert_eq!((s, b["error"]["code"].as_str()), (400, Some("badRequest")));
}

#[tokio::test]
async fn seeded_jobs_are_answered_as_the_vendor_sends_them() {
    let env = Env::new().await;
    env.sb
        .seed(&json!({"ingestion": {"jobs": [{
            "jobId": "j-seeded", "createdMs": 0, "jobStart": "2024-01-02T03:04:05.123456789Z",
            "outcome": {"succeeded": false, "jobEnd": "2024-01-02T03:05:05.987654321Z",
                        "errors": [{"code": "conflict", "message": "m", "resourceId": "private-offer/x"}]}
        }]}}))
        .unwrap();
    let (_, st) = env
        .get("/rp/product-ingestion/configure/j-seeded/status?$version=2022-07-01")
        .await;
    assert_eq!(st["jobStart"], "2024-01-02T03:04:05.1234567Z");
    assert_eq!(st["jobEnd"], "2024-01-02T03:05:05.9876543Z");
    assert_eq!(st["errors"][0]["details"], json!([]));
}
