use reqwest::Method;
use serde_json::json;

use crate::Env;

#[tokio::test]
async fn create_get_delete_returns_the_stored_offer() {
    let env = Env::new().await;
    let offer = json!({"publisherOfferId": "bundle-1", "name": "Mega bundle", "type": "Bundle", "segments": ["\"New User\""],
        "productsSequence": [{"index": 1, "priceInUsdCents": 499, "products": [{"publisherProductId": "gems", "quantity": "100", "priority": "Main"}]}],
        "offerUi": null});
    let (s, created) = env
        .send(Method::POST, "/v2/offer", Some(offer.clone()))
        .await;
    assert_eq!(s, 201);
    assert!(created["offerId"].is_string());
    assert_eq!(
        created["productsSequence"], offer["productsSequence"],
        "what a client wrote is what it reads back"
    );
    assert_eq!(created["offerUi"], json!(null));
    let (s, dup) = env
        .send(Method::POST, "/v2/offer", Some(offer.clone()))
        .await;
    assert_eq!(s, 409);
    assert_eq!(
        dup,
        json!({"errorCode": 409, "errorMessage": "An offer with publisherOfferId bundle-1 already exists"}),
        "the Offers V2 error shape, not V1's {{message, requestUrl, body}}"
    );
    // A single read is served from the store without a copy: same JSON, same content type.
    let one = env
        .req(Method::GET, "/v2/offer/bundle-1")
        .send()
        .await
        .expect("sent");
    assert_eq!(
        one.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/json; charset=utf-8")
    );
    assert_eq!(crate::read(one).await, (200, created.clone()));
    let (_, list) = env
        .get("/v2/offer?publisherOfferIds=bundle-1,missing")
        .await;
    assert_eq!(list["totalCount"], 1);
    assert_eq!(list["offers"][0], created);
    let (s, deleted) = env.send(Method::DELETE, "/v2/offer/bundle-1", None).await;
    assert_eq!((s, &deleted), (200, &created));
    let (s, b) = env.send(Method::DELETE, "/v2/offer/bundle-1", None).await;
    assert_eq!(s, 404);
    assert_eq!(b["errorMessage"], "Offer bundle-1 not found");
    assert_eq!(b["errorCode"], 404);
    let (_, list) = env.get("/v2/offer?publisherOfferIds=bundle-1").await;
    assert_eq!(list, json!({"totalCount": 0, "offers": []}));
}

/// `publisherOfferIds` is required, as Appcharge documents it: the sandbox documents no way to
/// list every offer, so it does not offer one either.
#[tokio::test]
async fn listing_without_publisher_offer_ids_is_refused() {
    let env = Env::new().await;
    env.sb
        .seed(&json!({"appcharge": {"offers": [{"publisherOfferId": "a", "name": "Alpha", "type": "Bundle"}]}}))
        .unwrap();
    for path in [
        "/v2/offer",
        "/v2/offer?publisherOfferIds=",
        "/v2/offer?publisherOfferIds=,%20,",
    ] {
        let (s, b) = env.get(path).await;
        assert_eq!(s, 400, "{path}: {b}");
        assert_eq!(b["errorCode"], 400, "{path}");
        assert!(
            b["errorMessage"]
                .as_str()
                .is_some_and(|m| m.contains("publisherOfferIds is required")),
            "{path}: {b}"
        );
        assert_eq!(
            b.as_object().map(|o| o.len()),
            Some(2),
            "only errorCode and errorMessage: {b}"
        );
    }
    let (s, b) = env.get("/v2/offer?publisherOfferIds=%20a%20,zz").await;
    assert_eq!((s, &b["totalCount"]), (200, &json!(1)), "{b}");
}

#[tokio::test]
async fn put_replaces_and_validation_errors() {
    let env = Env::new().await;
    env.sb.seed(&json!({"appcharge": {"offers": [{"publisherOfferId": "r1", "name": "Rolling", "type": "RollingOffer", "offerId": "abc"}]}})).unwrap();
    let (s, up) = env
        .send(
            Method::PUT,
            "/v2/offer/r1",
            Some(json!({"name": "Rolling two", "type": "RollingOffer", "active": false})),
        )
        .await;
    assert_eq!(s, 200, "{up}");
    assert_eq!(up["offerId"], "abc");
    assert_eq!(up["active"], false);
    for bad in [
        json!({"name": "abc", "type": "Bundle"}),
        json!({"publisherOfferId": "x", "type": "Bundle"}),
        json!({"publisherOfferId": "x", "name": "Pack"}),
        json!({"publisherOfferId": "x", "name": "Pack", "type": "Bundle", "active": "yes"}),
        json!("str"),
    ] {
        let (s, b) = env.send(Method::POST, "/v2/offer", Some(bad.clone())).await;
        assert_eq!(s, 400, "{bad}");
        assert_eq!(b["errorCode"], 400, "{bad}");
        assert!(
            b["errorMessage"].is_string() && b.get("message").is_none(),
            "{b}"
        );
    }
    let (s, _) = env
        .send(
            Method::PUT,
            "/v2/offer/missing",
            Some(json!({"name": "Pack", "type": "Bundle"})),
        )
        .await;
    assert_eq!(s, 404);
}

/// Injected faults answer in the same V2 dialect: a status fault and throttling.
#[tokio::test]
async fn faults_answer_the_v2_error_shape() {
    use offerkit_sandbox::{FaultKind, FaultRule};
    let env = Env::new().await;
    env.sb
        .inject_fault(FaultRule::new(
            "DELETE",
            "/v2/offer/*",
            FaultKind::Status { status: 503 },
        ))
        .unwrap();
    let (s, b) = env.send(Method::DELETE, "/v2/offer/x", None).await;
    assert_eq!(s, 503);
    assert_eq!(b["errorCode"], 503, "{b}");
    assert!(
        b["errorMessage"].is_string() && b.get("requestUrl").is_none(),
        "{b}"
    );
    env.sb.clear_faults();
    env.sb
        .inject_fault(FaultRule::new(
            "GET",
            "/v2/offer",
            FaultKind::Throttle {
                retry_after_seconds: 2,
            },
        ))
        .unwrap();
    let (s, b) = env.get("/v2/offer?publisherOfferIds=a").await;
    assert_eq!(s, 429);
    assert_eq!(
        b,
        json!({"errorCode": 429, "errorMessage": "Rate limit exceeded"})
    );
}

/// The fields of the V2 OpenAPI's request and response schemas are known fields: a ProgressBar
/// offer, `hidePlayerAvailability`, `offerExternalUiId` (top level and in `offerUi`) and the
/// lowercase `subtype` of the DailyBonus responses are not reported as unknown.
#[tokio::test]
async fn documented_fields_are_not_reported_unknown() {
    let env = Env::new().await;
    let offers = [
        json!({"publisherOfferId": "bar-1", "name": "My ProgressBar Offer 1", "type": "ProgressBar", "offerExternalUiId": "ProgressBar Design 1",
            "productsSequence": [{"index": 1, "barSize": 10, "priceInUsdCents": 0, "products": []}]}),
        json!({"publisherOfferId": "daily-1", "name": "Daily", "type": "PopUp", "subtype": "DailyBonus",
            "offerUi": {"offerUiId": "u", "offerExternalUiId": "Daily"},
            "productsSequence": [{"index": 1, "priceInUsdCents": 0, "playerAvailability": 10, "hidePlayerAvailability": true,
                "progressBarPoints": [{"publisherBarId": "bar-1", "points": 3}], "products": []}]}),
    ];
    for offer in offers {
        let (s, b) = env
            .send(Method::POST, "/v2/offer", Some(offer.clone()))
            .await;
        assert_eq!(s, 201, "{b}");
        assert_eq!(
            env.sb.journal().pop().unwrap().unknown_fields,
            Vec::<String>::new(),
            "{offer}"
        );
    }
    let (s, _) = env
        .send(Method::POST, "/v2/offer", Some(json!({"publisherOfferId": "x1", "name": "Pack", "type": "Bundle", "subTipe": "typo"})))
        .await;
    assert_eq!(s, 201);
    assert_eq!(env.sb.journal().pop().unwrap().unknown_fields, ["subTipe"]);
}
