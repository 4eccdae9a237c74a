//! offerkit-appcharge against httpmock servers on 127.0.0.1: the seed document's exact request and
//! response, every error shape, each Appcharge quirk (vendors.md 4.5), the already-retracted path
//! and id encoding. Retries use a zero-backoff policy.

use httpmock::prelude::*;
use offerkit_appcharge::transport::{RetryPolicy, Transport};
use offerkit_appcharge::{
    AppchargeClient, Deleted, Environment, Error, ErrorInfo, MAX_IDS_PER_REQUEST, NotFound,
    PublisherOfferId, Retraction,
};
use offerkit_models::appcharge::{OfferType, ProductEntry};
use serde_json::{Value, json};

const TOKEN: &str = "pub-token-123";
const SEED_RESPONSE: &str = include_str!("fixtures/delete_special_offer_1.json");

fn client(server: &MockServer) -> AppchargeClient {
    let transport = Transport::builder()
        .retry_policy(RetryPolicy::immediate(2))
        .build()
        .expect("transport");
    AppchargeClient::builder()
        .base_url(server.base_url())
        .publisher_token(TOKEN)
        .transport(transport)
        .build()
        .expect("client")
}

fn id(raw: &str) -> PublisherOfferId {
    PublisherOfferId::new(raw).expect("valid id")
}

// --- the seed: DELETE /v2/offer/special-offer-1 ---

#[tokio::test]
async fn seed_delete_sends_the_documented_request_and_returns_the_typed_offer() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(DELETE)
                .path("/v2/offer/special-offer-1")
                .query_param_count(".*", ".*", 0)
                .header("x-publisher-token", TOKEN)
                .header("content-type", "application/json")
                .header("accept", "application/json")
                .body("");
            then.status(200)
                .header("content-type", "application/json")
                .header("x-request-id", "req-seed-1")
                .body(SEED_RESPONSE);
        })
        .await;

    let out = client(&server)
        .delete_offer(&id("special-offer-1"))
        .await
        .expect("deleted");
    mock.assert_async().await;

    let Retraction::Retracted(Deleted {
        value: offer,
        request_id,
    }) = out
    else {
        panic!("expected Retracted, got {out:?}");
    };
    assert_eq!(request_id.as_deref(), Some("req-seed-1"));
    assert_eq!(offer.publisher_offer_id.as_deref(), Some("special-offer-1"));
    assert_eq!(offer.offer_id.as_deref(), Some("226cff96123a8717"));
    assert_eq!(offer.r#type, Some(OfferType::SpecialOffer));
    assert_eq!(offer.active, Some(true));
    assert_eq!(
        offer.segments.as_deref(),
        Some(&["New User".to_owned()][..])
    );
    // Nothing lost: the typed offer serializes back to the documented response.
    let expected: Value = serde_json::from_str(SEED_RESPONSE).expect("seed json");
    assert_eq!(serde_json::to_value(&offer).expect("serialize"), expected);
}

// --- already retracted ---

#[tokio::test]
async fn delete_of_a_missing_offer_is_already_retracted_and_not_retried() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(DELETE).path("/v2/offer/gone-1");
            then.status(404)
                .header("x-request-id", "req-404")
                .json_body(json!({"message": "Offer gone-1 not found", "requestUrl": "/v2/offer/gone-1", "body": ""}));
        })
        .await;
    let out = client(&server)
        .delete_offer(&id("gone-1"))
        .await
        .expect("not an error");
    assert_eq!(
        out,
        Retraction::AlreadyRetracted(NotFound {
            message: Some("Offer gone-1 not found".to_owned()),
            request_id: Some("req-404".to_owned()),
            earlier_attempt_may_have_acted: false,
        })
    );
    assert!(out.is_already_retracted() && !out.is_retracted());
    assert_eq!(mock.calls_async().await, 1);
}

#[tokio::test]
async fn repeated_delete_reports_retracted_then_already_retracted() {
    let server = MockServer::start_async().await;
    let c = client(&server);
    let first = server
        .mock_async(|when, then| {
            when.method(DELETE).path("/v2/offer/special-offer-1");
            then.status(200).body(SEED_RESPONSE);
        })
        .await;
    assert!(
        c.delete_offer(&id("special-offer-1"))
            .await
            .expect("first")
            .is_retracted()
    );
    first.delete_async().await;
    server
        .mock_async(|when, then| {
            when.method(DELETE).path("/v2/offer/special-offer-1");
            then.status(404).body("");
        })
        .await;
    let again = c
        .delete_offer(&id("special-offer-1"))
        .await
        .expect("second");
    assert_eq!(
        again,
        Retraction::AlreadyRetracted(NotFound {
            message: None,
            request_id: None,
            earlier_attempt_may_have_acted: false,
        })
    );
}

// --- errors ---

#[tokio::test]
async fn unauthorized_is_a_clear_auth_error_and_not_retried() {
    for (status, body) in [
        (
            401,
            json!({"message": "Unauthorized: The publisher token is missing or invalid", "requestUrl": "/v2/offer/x", "body": ""}),
        ),
        (
            403,
            json!({"statusCode": 403, "error": "Forbidden", "message": "Forbidden resource"}),
        ),
    ] {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                when.method(DELETE).path("/v2/offer/x");
                then.status(status).json_body(body.clone());
            })
            .await;
        let err = client(&server)
            .delete_offer(&id("x"))
            .await
            .expect_err("refused");
        assert!(err.is_unauthorized(), "{err:?}");
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
        let text = err.to_string();
        assert!(text.contains("publisher token"), "{text}");
        assert!(
            text.contains("OFFERKIT_APPCHARGE_PUBLISHER_TOKEN"),
            "{text}"
        );
        assert!(
            text.contains(body["message"].as_str().unwrap_or_default()),
            "{text}"
        );
        assert!(!text.contains(TOKEN), "the token is never printed: {text}");
        assert!(std::error::Error::source(&err).is_some());
        assert_eq!(mock.calls_async().await, 1, "a static token is not retried");
    }
}

#[tokio::test]
async fn unauthorized_with_a_text_body_still_reads_clearly() {
    // The V1 OpenAPI documents 401 "Not Authorized" with no JSON schema.
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/offer");
            then.status(401).body("Not Authorized");
        })
        .await;
    let err = client(&server)
        .get_offers(&[id("a")])
        .await
        .expect_err("refused");
    assert!(
        matches!(err, Error::Unauthorized { status: 401, .. }),
        "{err:?}"
    );
    assert_eq!(err.message(), None);
    assert!(err.error_body().is_none());
}

#[tokio::test]
async fn client_errors_are_rejected_with_the_typed_body() {
    let cases = [
        // Offers V2 `ErrorResponse` (components.schemas in the V2 OpenAPI).
        (
            400,
            json!({"errorCode": 1002, "errorMessage": "Offer design Real_Store_Refresh not found"}),
            "Offer design Real_Store_Refresh not found",
        ),
        (
            400,
            json!({"message": "publisherOfferId is invalid", "requestUrl": "https://api.appcharge.com/v2/offer/x", "body": "{}"}),
            "publisherOfferId is invalid",
        ),
        (
            400,
            json!({"statusCode": 400, "message": ["name must be longer", "type is required"], "error": "Bad Request"}),
            "name must be longer; type is required",
        ),
        (
            409,
            json!({"message": "Offer is in use", "code": "OFFER_IN_USE"}),
            "Offer is in use",
        ),
        (422, json!({"message": "Unprocessable"}), "Unprocessable"),
    ];
    for (status, body, message) in cases {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                when.method(DELETE).path("/v2/offer/x");
                then.status(status)
                    .header("x-request-id", "req-e")
                    .json_body(body.clone());
            })
            .await;
        let err = client(&server)
            .delete_offer(&id("x"))
            .await
            .expect_err("rejected");
        assert!(err.is_rejected(), "{err:?}");
        assert!(!err.is_transient());
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(err.request_id(), Some("req-e"));
        let Error::Rejected { operation, .. } = &err else {
            panic!("{err:?}");
        };
        assert_eq!(*operation, "delete_offer");
        assert_eq!(err.message().as_deref(), Some(message));
        let typed = err.error_body().expect("typed body");
        assert_eq!(
            serde_json::to_value(typed).expect("ser"),
            body,
            "body kept losslessly"
        );
        assert!(err.to_string().contains(message), "{err}");
        assert_eq!(mock.calls_async().await, 1);
    }
}

#[tokio::test]
async fn server_errors_are_retried_then_transient() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(DELETE).path("/v2/offer/x");
            then.status(503)
                .json_body(json!({"message": "Service Unavailable"}));
        })
        .await;
    let err = client(&server)
        .delete_offer(&id("x"))
        .await
        .expect_err("fails");
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert!(err.is_transient());
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(
        err.error_body().and_then(|b| b.message.clone()),
        Some(json!("Service Unavailable"))
    );
    assert_eq!(mock.calls_async().await, 3, "1 attempt + 2 retries");
}

#[tokio::test]
async fn throttling_honours_retry_after_then_reports_it() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/offer");
            then.status(429)
                .header("retry-after", "0")
                .json_body(json!({"message": "Rate limit exceeded"}));
        })
        .await;
    let err = client(&server)
        .get_offers(&[id("a")])
        .await
        .expect_err("throttled");
    assert!(err.is_transient());
    assert!(matches!(
        err,
        Error::Transport(offerkit_appcharge::transport::Error::Throttled(_))
    ));
    assert_eq!(mock.calls_async().await, 3);
}

#[tokio::test]
async fn an_unreadable_success_body_is_a_decode_error() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(DELETE).path("/v2/offer/x");
            then.status(200).body("<html>ok</html>");
        })
        .await;
    let err = client(&server)
        .delete_offer(&id("x"))
        .await
        .expect_err("decode");
    assert!(matches!(
        err,
        Error::Transport(offerkit_appcharge::transport::Error::Decode(_))
    ));
}

// --- get / list ---

#[tokio::test]
async fn get_offers_sends_comma_separated_ids_and_no_body() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v2/offer")
                .query_param("publisherOfferIds", "bundle-1,rolling-1")
                .query_param_count(".*", ".*", 1)
                .is_true(|req: &HttpMockRequest| {
                    req.uri().query() == Some("publisherOfferIds=bundle-1,rolling-1")
                })
                .header("x-publisher-token", TOKEN)
                .is_true(|req: &HttpMockRequest| req.body_ref().is_empty());
            then.status(200)
                .json_body(json!({"totalCount": 1, "offers": [
                    {"publisherOfferId": "bundle-1", "name": "Bundle", "type": "Bundle"}
                ]}));
        })
        .await;
    let list = client(&server)
        .get_offers(&[id("bundle-1"), id("rolling-1")])
        .await
        .expect("list");
    mock.assert_async().await;
    assert_eq!(list.total_count, Some(1));
    let offers = list.offers.expect("offers");
    assert_eq!(offers[0].publisher_offer_id.as_deref(), Some("bundle-1"));
}

#[tokio::test]
async fn get_offers_splits_long_id_lists() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v2/offer")
                .query_param_exists("publisherOfferIds");
            then.status(200)
                .json_body(json!({"totalCount": 1, "offers": [{"publisherOfferId": "o"}]}));
        })
        .await;
    let ids: Vec<_> = (0..=MAX_IDS_PER_REQUEST)
        .map(|i| id(&format!("o{i}")))
        .collect();
    let list = client(&server).get_offers(&ids).await.expect("list");
    assert_eq!(mock.calls_async().await, 2);
    assert_eq!(list.total_count, Some(2));
    assert_eq!(list.offers.map(|o| o.len()), Some(2));
}

#[tokio::test]
async fn get_offers_refuses_empty_lists_and_commas_without_sending() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(500);
        })
        .await;
    let c = client(&server);
    let err = c.get_offers(&[]).await.expect_err("empty");
    assert!(err.is_invalid_argument());
    assert!(
        err.to_string().starts_with("invalid publisher_offer_ids"),
        "{err}"
    );
    let err = c.get_offers(&[id("a,b")]).await.expect_err("comma");
    assert!(err.to_string().contains("comma"), "{err}");
    assert_eq!(any.calls_async().await, 0);
}

#[tokio::test]
async fn get_offer_finds_by_exact_id_and_treats_absence_and_404_as_none() {
    let server = MockServer::start_async().await;
    let c = client(&server);
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v2/offer")
                .query_param("publisherOfferIds", "present");
            then.status(200)
                .json_body(json!({"totalCount": 2, "offers": [
                    {"publisherOfferId": "other"}, {"publisherOfferId": "present", "active": false}
                ]}));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v2/offer")
                .query_param("publisherOfferIds", "absent");
            then.status(200)
                .json_body(json!({"totalCount": 0, "offers": []}));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v2/offer")
                .query_param("publisherOfferIds", "ignored-filter");
            then.status(200).json_body(
                json!({"totalCount": 1, "offers": [{"publisherOfferId": "someone-else"}]}),
            );
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v2/offer")
                .query_param("publisherOfferIds", "404");
            then.status(404).json_body(json!({"message": "Not found"}));
        })
        .await;
    let found = c
        .get_offer(&id("present"))
        .await
        .expect("get")
        .expect("present");
    assert_eq!(found.active, Some(false));
    assert!(c.get_offer(&id("absent")).await.expect("get").is_none());
    assert!(
        c.get_offer(&id("ignored-filter"))
            .await
            .expect("get")
            .is_none()
    );
    assert!(c.get_offer(&id("404")).await.expect("get").is_none());
}

#[tokio::test]
async fn a_v2_error_says_what_appcharge_said() {
    // Before: "Appcharge rejected `delete_offer` with HTTP 400" and nothing else, because the
    // generic reading knows no `errorMessage`.
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(DELETE).path("/v2/offer/x");
            then.status(400)
                .header("x-request-id", "req-v2")
                .json_body(json!({"errorCode": 1002, "errorMessage": "Offer design not found"}));
        })
        .await;
    let err = client(&server)
        .delete_offer(&id("x"))
        .await
        .expect_err("rejected");
    assert_eq!(
        err.to_string(),
        "Appcharge rejected `delete_offer` with HTTP 400: Offer design not found (error code 1002) \
         (request id req-v2)"
    );
    assert_eq!(err.code().as_deref(), Some("1002"));
    assert_eq!(err.message().as_deref(), Some("Offer design not found"));

    // The same on a 401 (its body is not documented; the V2 shape is read if sent).
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/offer");
            then.status(401)
                .json_body(json!({"errorCode": 0, "errorMessage": "Unauthorized: bad token"}));
        })
        .await;
    let err = client(&server)
        .get_offers(&[id("a")])
        .await
        .expect_err("refused");
    assert!(err.is_unauthorized(), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("Appcharge refused the publisher token (HTTP 401): Unauthorized: bad token (error code 0); "),
        "{err}"
    );
}

#[tokio::test]
async fn list_offers_sends_no_filter() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v2/offer")
                .query_param_missing("publisherOfferIds");
            then.status(200)
                .json_body(json!({"totalCount": 0, "offers": []}));
        })
        .await;
    let list = client(&server).list_offers().await.expect("list");
    assert_eq!(list.total_count, Some(0));
    mock.assert_async().await;
}

#[tokio::test]
async fn a_refused_list_says_that_listing_without_ids_is_undocumented() {
    // GET /v2/offer documents publisherOfferIds as required; a refusal of the unfiltered list
    // points at get_offers.
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/offer");
            then.status(400).json_body(
                json!({"errorCode": 400, "errorMessage": "publisherOfferIds is required"}),
            );
        })
        .await;
    let err = client(&server).list_offers().await.expect_err("refused");
    assert!(err.is_rejected(), "{err:?}");
    assert_eq!(
        err.to_string(),
        "Appcharge rejected `list_offers` with HTTP 400: publisherOfferIds is required (error code \
         400); Appcharge documents GET /v2/offer only with publisherOfferIds (marked required), so \
         listing every offer may be refused: read the offers you know with get_offers"
    );
}

// --- ids and paths ---

#[tokio::test]
async fn ids_stay_one_path_segment() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(DELETE).is_true(|req: &HttpMockRequest| {
                req.uri().path() == "/v2/offer/a%2Fb%3Fx%3D1" && req.uri().query().is_none()
            });
            then.status(200)
                .json_body(json!({"publisherOfferId": "a/b?x=1"}));
        })
        .await;
    let out = client(&server)
        .delete_offer(&id("a/b?x=1"))
        .await
        .expect("deleted");
    mock.assert_async().await;
    assert_eq!(
        out.retracted()
            .and_then(|d| d.value.publisher_offer_id.as_deref()),
        Some("a/b?x=1")
    );
}

#[test]
fn ids_are_validated_with_the_argument_name() {
    // Surrounding whitespace is refused, never trimmed.
    for bad in ["", "  ", " padded", "padded ", "new\nline", "..", "."] {
        let err = Error::from(PublisherOfferId::new(bad).expect_err(bad));
        assert!(err.is_invalid_argument());
        assert!(
            err.to_string().starts_with("invalid publisher_offer_id: "),
            "{err}"
        );
    }
}

#[test]
fn base_urls_and_builder_errors() {
    let build = |env| {
        AppchargeClient::builder()
            .environment(env)
            .publisher_token("t")
            .build()
            .expect("client")
    };
    assert_eq!(
        build(Environment::Production).base_url(),
        "https://api.appcharge.com/"
    );
    assert_eq!(
        build(Environment::Sandbox).base_url(),
        "https://api-sandbox.appcharge.com/"
    );
    let custom = AppchargeClient::builder()
        .environment(Environment::Sandbox)
        .base_url("http://127.0.0.1:1/")
        .publisher_token("t")
        .build()
        .expect("client");
    assert_eq!(
        custom.base_url(),
        "http://127.0.0.1:1/",
        "base_url wins over environment"
    );
    let err = AppchargeClient::builder().build().expect_err("no token");
    assert!(err.to_string().contains("publisher_token"), "{err}");
    let err = AppchargeClient::builder()
        .publisher_token("t")
        .base_url("http://api.appcharge.com")
        .build()
        .expect_err("plain http to a remote host");
    assert!(err.to_string().starts_with("invalid base_url"), "{err}");
    let err = AppchargeClient::from_lookup(&|_| None).expect_err("no env");
    assert!(
        err.to_string()
            .contains("OFFERKIT_APPCHARGE_PUBLISHER_TOKEN"),
        "{err}"
    );
    let secret = AppchargeClient::builder()
        .publisher_token("very-secret")
        .build()
        .expect("client");
    assert!(!format!("{secret:?}").contains("very-secret"));
}

#[tokio::test]
async fn trailing_slash_base_url_does_not_double_the_slash() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(DELETE).path("/v2/offer/x");
            then.status(200).json_body(json!({"publisherOfferId": "x"}));
        })
        .await;
    let c = AppchargeClient::builder()
        .base_url(format!("{}/", server.base_url()))
        .publisher_token(TOKEN)
        .build()
        .expect("client");
    assert!(
        c.delete_offer(&id("x"))
            .await
            .expect("deleted")
            .is_retracted()
    );
    mock.assert_async().await;
}

// --- quirks (vendors.md 4.5) ---

#[tokio::test]
async fn quirk_1_duplicate_keys_last_wins() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(DELETE).path("/v2/offer/rolling-1");
            then.status(200).body(
                r#"{"publisherOfferId":"rolling-1","type":"PopUp","active":true,"active":false,"type":"RollingOffer"}"#,
            );
        })
        .await;
    let offer = client(&server)
        .delete_offer(&id("rolling-1"))
        .await
        .expect("deleted")
        .into_retracted()
        .expect("retracted")
        .value;
    assert_eq!(offer.active, Some(false));
    assert_eq!(offer.r#type, Some(OfferType::RollingOffer));
}

#[tokio::test]
async fn quirk_3_4_5_quantity_text_or_number_null_ui_and_three_product_shapes() {
    let server = MockServer::start_async().await;
    let body = json!({"totalCount": 1, "offers": [{
        "publisherOfferId": "bundle-1",
        "offerUi": null,
        "productsSequence": [{"index": 1, "priceInUsdCents": 499, "products": [
            {"publisherProductId": "gems", "quantity": "100", "priority": "Main"},
            {"product": {"publisherProductId": "coins", "name": "Coins", "type": "Quantity"}, "quantity": 1000},
            {"publisherProductId": "flat", "name": "Flat", "type": "quantity", "priority": "Sub"}
        ]}]
    }]});
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/offer");
            then.status(200).json_body(body.clone());
        })
        .await;
    let offer = client(&server)
        .get_offer(&id("bundle-1"))
        .await
        .expect("get")
        .expect("present");
    assert_eq!(offer.offer_ui, Some(None), "explicit null kept");
    let products = &offer.products_sequence.as_ref().expect("sequence")[0]
        .products
        .clone()
        .expect("products");
    let quantities: Vec<_> = products
        .iter()
        .map(|p: &ProductEntry| p.quantity().and_then(|q| q.as_i64()))
        .collect();
    assert_eq!(quantities, [Some(100), Some(1000), None]);
    let ids: Vec<_> = products
        .iter()
        .map(ProductEntry::publisher_product_id)
        .collect();
    assert_eq!(ids, [Some("gems"), Some("coins"), Some("flat")]);
    // Quirk 5: product `type` is `Quantity` in samples, `quantity` in the schema; both read as one
    // value, written back in the canonical casing. Everything else is kept as sent.
    let mut expected = body["offers"][0].clone();
    expected["productsSequence"][0]["products"][2]["type"] = json!("Quantity");
    assert_eq!(serde_json::to_value(&offer).expect("ser"), expected);
}

#[tokio::test]
async fn quirk_6_echoed_id_may_differ_and_is_returned_as_sent() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(DELETE).path("/v2/offer/store-refresh-offer-1");
            then.status(200)
                .json_body(json!({"publisherOfferId": "store-refresh-offer", "type": "PopUp", "subType": "StoreRefresh"}));
        })
        .await;
    let out = client(&server)
        .delete_offer(&id("store-refresh-offer-1"))
        .await
        .expect("deleted");
    assert!(out.is_retracted());
    assert_eq!(
        out.retracted()
            .and_then(|d| d.value.publisher_offer_id.as_deref()),
        Some("store-refresh-offer")
    );
}

#[tokio::test]
async fn quirk_7_token_always_sent_and_get_has_no_body() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v2/offer")
                .header("x-publisher-token", TOKEN)
                .header_missing("content-type")
                .is_true(|req: &HttpMockRequest| req.body_ref().is_empty());
            then.status(200)
                .json_body(json!({"totalCount": 0, "offers": []}));
        })
        .await;
    client(&server).get_offers(&[id("a")]).await.expect("list");
    mock.assert_async().await;
}

#[tokio::test]
async fn quirk_8_9_10_escaped_segments_missing_ids_and_emoji_are_kept() {
    let server = MockServer::start_async().await;
    let body = json!({"name": "Pack 🎉", "segments": ["\"New User\""], "publisherOfferId": "p1",
        "productsSequence": [{"index": 1, "products": [{"publisherProductId": "g", "suffix": "🎉"}]}]});
    server
        .mock_async(|when, then| {
            when.method(DELETE).path("/v2/offer/p1");
            then.status(200).json_body(body.clone());
        })
        .await;
    let offer = client(&server)
        .delete_offer(&id("p1"))
        .await
        .expect("deleted")
        .into_retracted()
        .expect("retracted")
        .value;
    assert_eq!(offer.offer_id, None);
    assert_eq!(offer.publisher_id, None);
    assert_eq!(offer.name.as_deref(), Some("Pack 🎉"));
    assert_eq!(offer.segments, Some(vec!["\"New User\"".to_owned()]));
    assert_eq!(serde_json::to_value(&offer).expect("ser"), body);
}

#[tokio::test]
async fn an_empty_success_body_still_counts_as_deleted() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(DELETE).path("/v2/offer/x");
            then.status(200).body("");
        })
        .await;
    let out = client(&server)
        .delete_offer(&id("x"))
        .await
        .expect("deleted");
    assert_eq!(
        out.retracted()
            .and_then(|d| d.value.publisher_offer_id.as_deref()),
        Some("x")
    );
}
