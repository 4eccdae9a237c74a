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
