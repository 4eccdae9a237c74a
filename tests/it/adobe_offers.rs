//! Adobe Offer Library end to end: offerkit-adobe-offers and the offerkit facade against the
//! sandbox (its IMS token endpoint included).

use offerkit::{
    AdobeOfferId, AdobeOfferType, Client, Config, ErrorKind, ListQuery, Probe, Query, ResourceRef,
    Status, Target, Vendor,
};
use offerkit_adobe_offers::transport::{AdobeImsCredentials, RetryPolicy, Transport};
use offerkit_adobe_offers::{
    AdobeOffersClient, GatewayError, ListOptions, NotFound, OfferType, Retraction,
};
use offerkit_sandbox::{FaultKind, FaultMode, FaultRule, FaultTiming, Sandbox};
use serde_json::{Value, json};

fn personalized(id: &str) -> Value {
    json!({
        "id": id, "name": format!("Offer {id}"), "status": "approved",
        "representations": [{"channel": "https://ns.adobe.com/xdm/channel-types/web", "placement": "p1",
            "components": [{"type": "html", "format": "text/html", "content": "<p>hi</p>"}]}],
        "selectionConstraint": {"startDate": "2023-05-15T00:00:00.000Z", "endDate": "2030-01-01T00:00:00.000Z", "profileConstraintType": "none"},
        "rank": {"priority": 1}
    })
}

async fn sandbox() -> Sandbox {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let offers: Vec<Value> = ["personalizedOffer1234", "p2", "p3", "p4"]
        .into_iter()
        .map(personalized)
        .collect();
    sandbox
        .seed(&json!({"adobe": {
            "personalized": offers,
            "fallback": [{"id": "fallbackOffer1234", "name": "Fallback", "status": "approved"}]
        }}))
        .expect("seed");
    sandbox
}

fn client(sandbox: &Sandbox) -> AdobeOffersClient {
    let transport = Transport::builder()
        .retry_policy(RetryPolicy::immediate(2))
        .build()
        .expect("transport");
    let ims = AdobeImsCredentials::new("sandbox-client", "sandbox-secret", "ORG@AdobeOrg")
        .expect("credentials")
        .with_sandbox("dev")
        .with_ims_url(sandbox.base_url())
        .expect("ims url");
    AdobeOffersClient::builder()
        .base_url(format!("{}/data/core/dps/", sandbox.base_url()))
        .ims_credentials(ims)
        .transport(transport)
        .build()
        .expect("client")
}

fn id(raw: &str) -> AdobeOfferId {
    AdobeOfferId::new(raw).expect("id")
}

#[tokio::test]
async fn adobe_delete_verify_and_repeat() {
    let sandbox = sandbox().await;
    let c = client(&sandbox);
    let offer = id("personalizedOffer1234");
    let path = "/data/core/dps/offers/personalizedOffer1234";

    let before = c
        .get_offer(&offer, OfferType::Personalized)
        .await
        .expect("get")
        .expect("seeded");
    assert_eq!(before.name.as_deref(), Some("Offer personalizedOffer1234"));
    assert!(
        c.get_offer(&offer, OfferType::Fallback)
            .await
            .expect("get")
            .is_none(),
        "the offer type is part of the address"
    );

    let out = c
        .delete_and_verify(&offer, OfferType::Personalized)
        .await
        .expect("deleted and verified");
    assert!(out.is_retracted(), "{out:?}");
    assert_eq!(
        sandbox.count("DELETE", path),
        1,
        "exactly one DELETE reached the server"
    );
    assert_eq!(
        sandbox.count("GET", path),
        3,
        "two reads before, one verification"
    );
    assert_eq!(
        sandbox.count("POST", "/ims/token/v3"),
        1,
        "one token for every call"
    );

    let again = c
        .delete_and_verify(&offer, OfferType::Personalized)
        .await
        .expect("repeat");
    let Retraction::AlreadyRetracted(NotFound { message, .. }) = &again else {
        panic!("expected AlreadyRetracted, got {again:?}");
    };
    assert!(
        message
            .as_deref()
            .is_some_and(|m| m.contains("personalizedOffer1234")),
        "{message:?}"
    );
    assert_eq!(sandbox.count("DELETE", path), 2);
    sandbox.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn adobe_list_follows_uppercase_next_links() {
    let sandbox = sandbox().await;
    let all = client(&sandbox)
        .pager(OfferType::Personalized, ListOptions::new().limit(3))
        .collect(None)
        .await
        .expect("all pages");
    let mut ids: Vec<_> = all.iter().filter_map(|o| o.id.clone()).collect();
    ids.sort();
    assert_eq!(ids, ["p2", "p3", "p4", "personalizedOffer1234"]);
    assert_eq!(sandbox.count("GET", "/data/core/dps/offers"), 2);
    sandbox.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn adobe_missing_org_header_and_throttling() {
    let sandbox = sandbox().await;
    // A credential without the org header: the gateway answers 400003.
    #[derive(Debug)]
    struct NoOrg(String);
    #[offerkit::async_trait]
    impl offerkit_adobe_offers::transport::Credential for NoOrg {
        async fn auth_headers(
            &self,
            _transport: &Transport,
        ) -> Result<
            offerkit_adobe_offers::transport::AuthHeaders,
            offerkit_adobe_offers::transport::Error,
        > {
            offerkit_adobe_offers::transport::AuthHeaders::new()
                .with_secret("authorization", &format!("Bearer {}", self.0))?
                .with_secret("x-api-key", "sandbox-client")
        }
    }
    let token = sandbox.issue_token(offerkit_sandbox::Audience::Adobe);
    let no_org = AdobeOffersClient::builder()
        .base_url(format!("{}/data/core/dps", sandbox.base_url()))
        .credential(std::sync::Arc::new(NoOrg(token)))
        .build()
        .expect("client");
    let err = no_org
        .delete_offer(&id("p2"), OfferType::Personalized)
        .await
        .expect_err("missing org");
    assert_eq!(
        err.gateway_error(),
        Some(GatewayError::MissingOrgHeader),
        "{err:?}"
    );
    assert_eq!(sandbox.acted_count("DELETE", "/data/core/dps/offers/p2"), 0);

    sandbox
        .inject_fault(
            FaultRule::new(
                "DELETE",
                "/data/core/dps/offers/*",
                FaultKind::Throttle {
                    retry_after_seconds: 0,
                },
            )
            .mode(FaultMode::NextN { next_n: 1 }),
        )
        .expect("fault");
    let out = client(&sandbox)
        .delete_and_verify(&id("p2"), OfferType::Personalized)
        .await
        .expect("retried");
    assert!(out.is_retracted());
    assert_eq!(sandbox.acted_count("DELETE", "/data/core/dps/offers/p2"), 1);
    sandbox.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn adobe_through_the_facade() {
    let sandbox = sandbox().await;
    let root = sandbox.base_url();
    let config = Config::new()
        .with_base_url(Vendor::AdobeOffers, format!("{root}/data/core/dps"))
        .with_credential(Vendor::AdobeOffers, "ims-url", root.to_owned())
        .with_credential(Vendor::AdobeOffers, "client-id", "sandbox-client")
        .with_credential(Vendor::AdobeOffers, "client-secret", "sandbox-secret")
        .with_credential(Vendor::AdobeOffers, "org-id", "ORG@AdobeOrg");
    let client = Client::from_config(&config);
    let adobe = client.vendor(Vendor::AdobeOffers).expect("wired");
    let target = Target::from_json(
        r#"{"vendor":"adobe","action":"delete","offerId":"fallbackOffer1234","offerType":"fallback"}"#,
    )
    .expect("target");

    let Probe::Present(present) = adobe.probe(&target).await.expect("probe") else {
        panic!("seeded offer should be present");
    };
    assert_eq!(
        present.response.as_ref().map(|r| r["name"].clone()),
        Some(json!("Fallback"))
    );

    let out = client.retract(&target).await;
    assert_eq!(out.status(), Status::Retracted, "{out:?}");
    assert_eq!(
        sandbox.count("DELETE", "/data/core/dps/offers/fallbackOffer1234"),
        1,
        "exactly one DELETE reached the server"
    );
    assert!(matches!(
        adobe.probe(&target).await.expect("probe"),
        Probe::Gone(_)
    ));
    let again = client.retract(&target).await;
    assert_eq!(again.status(), Status::AlreadyRetracted, "{again:?}");

    let err = adobe
        .query(&Query::Get(target.resource()))
        .await
        .expect_err("deleted");
    assert_eq!(err.kind(), ErrorKind::NotFound);
    let got = adobe
        .query(&Query::Get(ResourceRef::AdobeOffer {
            offer_id: AdobeOfferId::new("p3").expect("id"),
            offer_type: AdobeOfferType::Personalized,
        }))
        .await
        .expect("get");
    assert_eq!(
        got.response.as_ref().map(|r| r["id"].clone()),
        Some(json!("p3"))
    );
    let list = adobe
        .query(&Query::List(
            ListQuery::new(Vendor::AdobeOffers)
                .with_adobe_offer_type(AdobeOfferType::Personalized)
                .with_limit(2),
        ))
        .await
        .expect("list");
    assert_eq!(
        list.response.as_ref().map(|r| r["count"].clone()),
        Some(json!(2))
    );
    sandbox.shutdown().await.expect("shutdown");
}

/// Deletes on the next DELETE of `id`, then drops the connection before answering.
fn drop_after_delete(sandbox: &Sandbox, id: &str) {
    sandbox
        .inject_fault(
            FaultRule::new(
                "DELETE",
                &format!("/data/core/dps/offers/{id}"),
                FaultKind::Drop,
            )
            .mode(FaultMode::NextN { next_n: 1 })
            .when(FaultTiming::After),
        )
        .expect("fault");
}

#[tokio::test]
async fn adobe_lost_delete_response_is_retracted_by_this_run() {
    let sandbox = sandbox().await;
    let path = "/data/core/dps/offers/p2";

    // The crate: the retry's 404 is marked, and the read-back confirms it.
    drop_after_delete(&sandbox, "p2");
    let out = client(&sandbox)
        .delete_and_verify(&id("p2"), OfferType::Personalized)
        .await
        .expect("verified");
    let gone = out.already().expect("the retry answered 404");
    assert!(gone.earlier_attempt_may_have_acted, "{gone:?}");
    assert_eq!(sandbox.count("DELETE", path), 2);
    assert_eq!(sandbox.mutated_count("DELETE", path), 1);

    // The facade: retracted by this run, with the note, in the outcome JSON.
    drop_after_delete(&sandbox, "p3");
    let root = sandbox.base_url();
    let config = Config::new()
        .with_base_url(Vendor::AdobeOffers, format!("{root}/data/core/dps"))
        .with_credential(Vendor::AdobeOffers, "ims-url", root.to_owned())
        .with_credential(Vendor::AdobeOffers, "client-id", "sandbox-client")
        .with_credential(Vendor::AdobeOffers, "client-secret", "sandbox-secret")
        .with_credential(Vendor::AdobeOffers, "org-id", "ORG@AdobeOrg");
    let target = Target::from_json(
        r#"{"vendor":"adobe","action":"delete","offerId":"p3","offerType":"personalized"}"#,
    )
    .expect("target");
    let out = Client::from_config(&config).retract(&target).await;
    let json = serde_json::to_value(&out).expect("json");
    assert_eq!(json["status"], "retracted", "{json}");
    let note = json["note"].as_str().unwrap_or_default();
    assert!(
        note.contains("the first attempt's answer was lost")
            && note.contains("the read-back answers 404"),
        "{json}"
    );
    assert_eq!(
        sandbox.mutated_count("DELETE", "/data/core/dps/offers/p3"),
        1
    );

    // The CLI, as text: `retracted` and the note, exit 0.
    drop_after_delete(&sandbox, "p4");
    let run = crate::cli_support::offerkit(
        &sandbox,
        &[
            "adobe",
            "delete",
            "--offer-id",
            "p4",
            "--offer-type",
            "personalized",
        ],
    )
    .await;
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.starts_with("retracted adobe:delete:"), "{run:?}");
    assert!(
        run.stdout.contains("the first attempt's answer was lost"),
        "{run:?}"
    );
    assert_eq!(
        sandbox.mutated_count("DELETE", "/data/core/dps/offers/p4"),
        1
    );
    sandbox.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn adobe_fallback_offer_with_selection_constraint_and_rank_reads_typed() {
    // Adobe's fallback create sample carries both; the sandbox keeps them and the client types them.
    let sandbox = Sandbox::start().await.expect("sandbox");
    sandbox
        .seed(&json!({"adobe": {"fallback": [{
            "id": "fallbackOffer1", "name": "Test Fallback Offer DPS", "status": "approved",
            "selectionConstraint": {"startDate": "2022-06-10T00:30:00.000+00:00", "endDate": "2032-06-06T23:29:21.402+00:00", "profileConstraintType": "none"},
            "rank": {"priority": 1}
        }]}}))
        .expect("seed");
    let offer = client(&sandbox)
        .get_offer(&id("fallbackOffer1"), OfferType::Fallback)
        .await
        .expect("get")
        .expect("seeded");
    assert_eq!(offer.rank.as_ref().and_then(|r| r.priority), Some(1));
    assert_eq!(
        offer
            .selection_constraint
            .as_ref()
            .and_then(|c| c.profile_constraint_type.as_deref()),
        Some("none")
    );
    assert!(offer.extra.get("rank").is_none() && offer.extra.get("selectionConstraint").is_none());
    sandbox.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn adobe_problem_details_carry_a_documented_form_type_uri() {
    use offerkit_adobe_offers::ErrorInfo;
    use offerkit_adobe_offers::models::AepErrorKind;
    let sandbox = sandbox().await;
    let err = client(&sandbox)
        .list_offers(OfferType::Personalized, &ListOptions::new().limit(5000))
        .await
        .expect_err("limit above 1000");
    assert!(err.is_rejected(), "{err:?}");
    assert_eq!(err.aep_error_kind(), Some(AepErrorKind::ProblemDetails));
    // https://ns.adobe.com/aep/errors/<SERVICE>-<NNNN>-<status>, as AEP documents the form.
    assert_eq!(
        err.code().as_deref(),
        Some("https://ns.adobe.com/aep/errors/DPS-1001-400")
    );
    assert!(
        err.to_string().contains("limit must be an integer"),
        "{err}"
    );
    sandbox.shutdown().await.expect("shutdown");
}
