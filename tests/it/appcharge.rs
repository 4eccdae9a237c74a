//! Appcharge end to end: offerkit-appcharge and the offerkit facade against the sandbox.

use offerkit::{Client, Config, ErrorKind, Probe, Query, ResourceRef, Status, Target, Vendor};
use offerkit_appcharge::transport::{RetryPolicy, Transport};
use offerkit_appcharge::{AppchargeClient, ErrorInfo, NotFound, PublisherOfferId, Retraction};
use offerkit_sandbox::{FaultKind, FaultMode, FaultRule, FaultTiming, Sandbox, SandboxConfig};
use serde_json::{Value, json};

/// The offer of the Appcharge delete-offer documentation page (the seed document).
fn seed_offer() -> Value {
    json!({
        "publisherId": "35nb7861ec9924a6b69a0fe59",
        "offerId": "226cff96123a8717",
        "publisherOfferId": "special-offer-1",
        "displayName": "My Special Offer",
        "description": "This is my special offer description.",
        "name": "My Special Offer",
        "type": "SpecialOffer",
        "active": true,
        "segments": ["New User"],
        "publisherTabId": "tab-1",
        "offerUi": {"offerUiId": "2bc77ff889b", "active": true, "offerUiType": "SpecialOffer", "name": "specialOffer1",
            "borderColor": {"colorOne": "#ffffff", "colorTwo": "", "direction": ""}, "borderWidth": 2, "externalId": "specialOffer1"},
        "productsSequence": [{"index": 1, "playerAvailability": 12, "priceInUsdCents": 980, "badges": [], "id": "68b4092c7a895e559a3ac8d9",
            "products": [{"product": {"publisherProductId": "6cb43621ccf1", "name": "Coins", "type": "Quantity"},
                "publisherProductId": "6cb43621ccf1", "quantity": 1000, "priority": "Main"}]}],
        "productSale": {"type": "percentage", "sale": 100},
        "priceDiscount": {"type": "percentage", "discount": 20},
        "offerExternalUiId": "2bc22377ff889cc",
        "badges": [{"publisherBadgeId": "12ac77ff889b"}],
        "createdAt": "2025-04-06T10:00:44.528Z",
        "updatedAt": "2025-04-06T10:00:44.528Z"
    })
}

async fn sandbox_with(offers: Vec<Value>) -> Sandbox {
    let sandbox = Sandbox::start().await.expect("sandbox");
    sandbox
        .seed(&json!({"appcharge": {"offers": offers}}))
        .expect("seed");
    sandbox
}

fn client(sandbox: &Sandbox, token: &str) -> AppchargeClient {
    let transport = Transport::builder()
        .retry_policy(RetryPolicy::immediate(2))
        .build()
        .expect("transport");
    AppchargeClient::builder()
        .base_url(sandbox.base_url())
        .publisher_token(token)
        .transport(transport)
        .build()
        .expect("client")
}

fn id(raw: &str) -> PublisherOfferId {
    PublisherOfferId::new(raw).expect("id")
}

#[tokio::test]
async fn appcharge_delete_read_back_and_repeat() {
    let sandbox = sandbox_with(vec![seed_offer()]).await;
    let c = client(&sandbox, "sandbox-publisher-token");
    let offer_id = id("special-offer-1");
    let path = "/v2/offer/special-offer-1";

    let before = c
        .get_offer(&offer_id)
        .await
        .expect("get")
        .expect("seeded offer is there");
    assert_eq!(serde_json::to_value(&before).expect("ser"), seed_offer());

    let deleted = c.delete_offer(&offer_id).await.expect("delete");
    assert_eq!(
        sandbox.count("DELETE", path),
        1,
        "exactly one call reached the server"
    );
    assert_eq!(sandbox.acted_count("DELETE", path), 1);
    assert_eq!(
        deleted.retracted().map(|d| &d.value),
        Some(&before),
        "the delete returns the stored offer"
    );

    assert!(
        c.get_offer(&offer_id).await.expect("read back").is_none(),
        "gone after the delete"
    );

    let again = c.delete_offer(&offer_id).await.expect("repeat");
    let Retraction::AlreadyRetracted(NotFound { message, .. }) = &again else {
        panic!("expected AlreadyRetracted, got {again:?}");
    };
    assert!(
        message
            .as_deref()
            .is_some_and(|m| m.contains("special-offer-1")),
        "{message:?}"
    );
    assert_eq!(sandbox.count("DELETE", path), 2);
    sandbox.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn appcharge_wrong_token_is_unauthorized() {
    let sandbox = Sandbox::start_with(SandboxConfig {
        publisher_tokens: Some(vec!["the-right-token".to_owned()]),
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox");
    sandbox
        .seed(&json!({"appcharge": {"offers": [seed_offer()]}}))
        .expect("seed");
    let err = client(&sandbox, "a-wrong-token")
        .delete_offer(&id("special-offer-1"))
        .await
        .expect_err("refused");
    assert!(err.is_unauthorized(), "{err:?}");
    assert!(
        err.to_string()
            .contains("The publisher token is missing or invalid"),
        "{err}"
    );
    assert_eq!(
        sandbox.acted_count("DELETE", "/v2/offer/special-offer-1"),
        0
    );
    assert!(
        client(&sandbox, "the-right-token")
            .delete_offer(&id("special-offer-1"))
            .await
            .expect("accepted")
            .is_retracted()
    );
    sandbox.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn appcharge_throttled_delete_is_retried_once_and_acts_once() {
    let sandbox = sandbox_with(vec![seed_offer()]).await;
    sandbox
        .inject_fault(
            FaultRule::new(
                "DELETE",
                "/v2/offer/*",
                FaultKind::Throttle {
                    retry_after_seconds: 0,
                },
            )
            .mode(FaultMode::NextN { next_n: 1 }),
        )
        .expect("fault");
    let out = client(&sandbox, "t")
        .delete_offer(&id("special-offer-1"))
        .await
        .expect("delete");
    assert!(out.is_retracted());
    assert_eq!(sandbox.count("DELETE", "/v2/offer/special-offer-1"), 2);
    assert_eq!(
        sandbox.acted_count("DELETE", "/v2/offer/special-offer-1"),
        1
    );
    sandbox.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn appcharge_lost_response_is_retried_and_marked() {
    // The server deletes, then the answer is a 500: the retry sees 404. The crate reports the
    // 404 as the evidence, marked: an earlier attempt of this call may have done it.
    let sandbox = sandbox_with(vec![seed_offer()]).await;
    sandbox
        .inject_fault(
            FaultRule::new("DELETE", "/v2/offer/*", FaultKind::Status { status: 500 })
                .mode(FaultMode::NextN { next_n: 1 })
                .when(FaultTiming::After),
        )
        .expect("fault");
    let out = client(&sandbox, "t")
        .delete_offer(&id("special-offer-1"))
        .await
        .expect("delete");
    let gone = out.already().expect("the retry answered 404");
    assert!(gone.earlier_attempt_may_have_acted, "{gone:?}");
    assert_eq!(sandbox.count("DELETE", "/v2/offer/special-offer-1"), 2);
    assert_eq!(sandbox.state()["appcharge"]["offers"], json!([]));
    sandbox.shutdown().await.expect("shutdown");
}

/// A facade client on `sandbox` (the default transport: retries on, as the CLI has them).
fn facade(sandbox: &Sandbox) -> Client {
    let config = Config::new()
        .with_base_url(Vendor::Appcharge, sandbox.base_url())
        .with_credential(Vendor::Appcharge, "publisher-token", "facade-token");
    Client::from_config(&config)
}

fn special_offer_target() -> Target {
    Target::from_json(
        r#"{"vendor":"appcharge","action":"delete","publisherOfferId":"special-offer-1"}"#,
    )
    .expect("target")
}

/// Deletes the next DELETE of special-offer-1, then drops the connection before answering.
fn drop_after_delete(sandbox: &Sandbox) {
    sandbox
        .inject_fault(
            FaultRule::new("DELETE", "/v2/offer/special-offer-1", FaultKind::Drop)
                .mode(FaultMode::NextN { next_n: 1 })
                .when(FaultTiming::After),
        )
        .expect("fault");
}

#[tokio::test]
async fn appcharge_lost_delete_response_is_retracted_by_this_run() {
    let sandbox = sandbox_with(vec![seed_offer()]).await;
    drop_after_delete(&sandbox);
    let out = facade(&sandbox).retract(&special_offer_target()).await;
    assert_eq!(out.status(), Status::Retracted, "{out:?}");
    let note = out.details().note.as_deref().unwrap_or_default();
    assert!(
        note.contains("the first attempt's answer was lost"),
        "{note}"
    );
    assert!(note.contains("a read no longer lists the offer"), "{note}");
    let json = serde_json::to_value(&out).expect("json");
    assert_eq!(json["status"], "retracted");
    assert_eq!(json["note"], note);
    let path = "/v2/offer/special-offer-1";
    assert_eq!(
        sandbox.count("DELETE", path),
        2,
        "the attempt and its retry"
    );
    assert_eq!(sandbox.mutated_count("DELETE", path), 1, "deleted once");
    assert_eq!(
        sandbox.count("GET", "/v2/offer"),
        1,
        "the 404 was read back"
    );
    assert_eq!(sandbox.state()["appcharge"]["offers"], json!([]));

    // A later, plain 404 is already retracted: nothing of this call can have done it.
    let again = facade(&sandbox).retract(&special_offer_target()).await;
    assert_eq!(again.status(), Status::AlreadyRetracted, "{again:?}");
    sandbox.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn cli_appcharge_delete_with_a_lost_response_reports_retracted_with_the_note() {
    let sandbox = sandbox_with(vec![seed_offer()]).await;
    drop_after_delete(&sandbox);
    let run = crate::cli_support::offerkit(
        &sandbox,
        &[
            "--json",
            "appcharge",
            "delete",
            "--publisher-offer-id",
            "special-offer-1",
        ],
    )
    .await;
    assert_eq!(run.code, 0, "retracted by this run: {run:?}");
    let out = run.json();
    assert_eq!(out["status"], "retracted", "{out}");
    let note = out["note"].as_str().unwrap_or_default();
    assert!(
        note.contains("the first attempt's answer was lost"),
        "{out}"
    );
    assert_eq!(
        sandbox.mutated_count("DELETE", "/v2/offer/special-offer-1"),
        1
    );
    assert_eq!(sandbox.state()["appcharge"]["offers"], json!([]));
    sandbox.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn appcharge_404_for_a_live_offer_is_a_failure_not_already_retracted() {
    // A 404 that the server sends without acting (a transient routing fault): the offer is live.
    let sandbox = sandbox_with(vec![seed_offer()]).await;
    let fault = sandbox
        .inject_fault(FaultRule::new(
            "DELETE",
            "/v2/offer/special-offer-1",
            FaultKind::Status { status: 404 },
        ))
        .expect("fault");
    let out = facade(&sandbox).retract(&special_offer_target()).await;
    assert_eq!(out.status(), Status::Failed, "{out:?}");
    let error = out.error().expect("an error");
    assert_eq!(error.kind(), ErrorKind::Vendor, "{error}");
    assert!(
        error.message().contains("answered 404")
            && error.message().contains("still lists it (active: true)")
            && error.message().contains("the offer is live, not deleted"),
        "{error}"
    );
    assert_eq!(sandbox.count("GET", "/v2/offer"), 1, "read back once");
    assert_eq!(
        sandbox.state()["appcharge"]["offers"][0]["publisherOfferId"],
        "special-offer-1",
        "still there"
    );

    // The CLI says the same and fails.
    let run = crate::cli_support::offerkit(
        &sandbox,
        &[
            "appcharge",
            "delete",
            "--publisher-offer-id",
            "special-offer-1",
        ],
    )
    .await;
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout.starts_with("failed appcharge:delete:"),
        "{run:?}"
    );
    assert!(
        format!("{}{}", run.stdout, run.stderr).contains("the offer is live, not deleted"),
        "{run:?}"
    );

    // Once the vendor answers truly, the retraction goes through.
    assert!(sandbox.remove_fault(fault));
    let out = facade(&sandbox).retract(&special_offer_target()).await;
    assert_eq!(out.status(), Status::Retracted, "{out:?}");
    sandbox.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn appcharge_through_the_facade() {
    let mut second = seed_offer();
    second["publisherOfferId"] = json!("rolling-1");
    second["type"] = json!("RollingOffer");
    let sandbox = sandbox_with(vec![seed_offer(), second]).await;
    let config = Config::new()
        .with_base_url(Vendor::Appcharge, sandbox.base_url())
        .with_credential(Vendor::Appcharge, "publisher-token", "facade-token");
    let client = Client::from_config(&config);
    let appcharge = client.vendor(Vendor::Appcharge).expect("wired");
    let target = Target::from_json(
        r#"{"vendor":"appcharge","action":"delete","publisherOfferId":"special-offer-1"}"#,
    )
    .expect("target");

    assert!(matches!(
        appcharge.probe(&target).await.expect("probe"),
        Probe::Present(_)
    ));

    let out = client.retract(&target).await;
    assert_eq!(out.status(), Status::Retracted, "{out:?}");
    let response = out.details().response.as_ref().expect("response");
    assert_eq!(response["publisherOfferId"], "special-offer-1");
    assert_eq!(response["offerId"], "226cff96123a8717");
    assert_eq!(
        sandbox.count("DELETE", "/v2/offer/special-offer-1"),
        1,
        "exactly one call reached the server"
    );

    assert!(matches!(
        appcharge.probe(&target).await.expect("probe"),
        Probe::Gone(_)
    ));
    let again = client.retract(&target).await;
    assert_eq!(again.status(), Status::AlreadyRetracted, "{again:?}");
    assert!(again.is_success());

    let resource = target.resource();
    let err = appcharge
        .query(&Query::Get(resource))
        .await
        .expect_err("deleted");
    assert_eq!(err.kind(), ErrorKind::NotFound);
    let rolling = appcharge
        .query(&Query::Get(ResourceRef::AppchargeOffer(
            offerkit::PublisherOfferId::new("rolling-1").expect("id"),
        )))
        .await
        .expect("get");
    assert_eq!(
        rolling.response.as_ref().map(|r| r["type"].clone()),
        Some(json!("RollingOffer"))
    );
    // Listing every offer has no documented means (publisherOfferIds is required): refused
    // before anything is sent.
    let reads_before = sandbox.count("GET", "/v2/offer");
    let err = appcharge
        .query(&Query::List(offerkit::ListQuery::new(Vendor::Appcharge)))
        .await
        .expect_err("no documented way to list");
    assert_eq!(err.kind(), ErrorKind::Unsupported, "{err}");
    assert!(err.message().contains("publisherOfferIds"), "{err}");
    assert_eq!(
        sandbox.count("GET", "/v2/offer"),
        reads_before,
        "nothing sent"
    );
    sandbox.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn appcharge_v2_error_bodies_are_read_and_shown() {
    // The sandbox answers the Offers V2 shape {errorCode, errorMessage} on /v2/offer, and the
    // client says what it said. Listing without publisherOfferIds is refused, as documented.
    let sandbox = sandbox_with(vec![seed_offer()]).await;
    let err = client(&sandbox, "t")
        .list_offers()
        .await
        .expect_err("publisherOfferIds is required");
    assert!(err.is_rejected(), "{err:?}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    assert_eq!(err.code().as_deref(), Some("400"));
    assert!(
        err.message()
            .is_some_and(|m| m.starts_with("publisherOfferIds is required")),
        "{err:?}"
    );
    let body = err.error_body().expect("typed body");
    assert!(
        body.error_message.is_some() && body.message.is_none(),
        "{body:?}"
    );
    let text = err.to_string();
    assert!(
        text.starts_with(
            "Appcharge rejected `list_offers` with HTTP 400: publisherOfferIds is required"
        ),
        "{text}"
    );
    assert!(text.contains("(error code 400)"), "{text}");
    assert!(
        text.contains("read the offers you know with get_offers"),
        "{text}"
    );
    // The documented read works.
    let listed = client(&sandbox, "t")
        .get_offers(&[id("special-offer-1"), id("absent")])
        .await
        .expect("by id");
    assert_eq!(listed.total_count, Some(1));
    sandbox.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn appcharge_documented_response_fields_are_typed() {
    use offerkit_appcharge::models::{OfferSubType, OfferType};
    // DailyBonusOfferDtoResponse spells `subtype`; a ProgressBar offer, hidePlayerAvailability and
    // offerUi.offerExternalUiId come from the V2 OpenAPI's response schemas.
    let daily = json!({"publisherOfferId": "daily-1", "name": "Daily bonus", "type": "PopUp", "subtype": "DailyBonus",
        "offerUi": {"offerUiId": "u1", "offerExternalUiId": "Daily_Design"},
        "productsSequence": [{"index": 1, "priceInUsdCents": 0, "playerAvailability": 1, "hidePlayerAvailability": true, "products": []}]});
    let bar = json!({"publisherOfferId": "bar-1", "name": "Progress", "type": "ProgressBar",
        "productsSequence": [{"index": 1, "barSize": 10, "priceInUsdCents": 0, "products": []}]});
    let sandbox = sandbox_with(vec![daily, bar]).await;
    let c = client(&sandbox, "t");
    let daily = c
        .get_offer(&id("daily-1"))
        .await
        .expect("get")
        .expect("listed");
    assert_eq!(daily.sub_type, Some(OfferSubType::DailyBonus));
    assert!(!daily.extra.contains_key("subtype"), "{:?}", daily.extra);
    let ui = daily.offer_ui.clone().flatten().expect("offerUi");
    assert_eq!(ui.offer_external_ui_id.as_deref(), Some("Daily_Design"));
    let step = &daily.products_sequence.as_ref().expect("sequence")[0];
    assert_eq!(step.hide_player_availability, Some(true));
    let bar = c
        .get_offer(&id("bar-1"))
        .await
        .expect("get")
        .expect("listed");
    assert_eq!(bar.r#type, Some(OfferType::ProgressBar));
    assert_eq!(
        bar.products_sequence.as_ref().expect("sequence")[0].bar_size,
        Some(10)
    );
    // Deleting returns the same typed offer.
    let deleted = c.delete_and_verify(&id("daily-1")).await.expect("delete");
    assert_eq!(
        deleted.retracted().expect("retracted").value.sub_type,
        Some(OfferSubType::DailyBonus)
    );
    sandbox.shutdown().await.expect("shutdown");
}
