//! offerkit-adobe-offers against httpmock servers on 127.0.0.1 (Offer Library and IMS): the seed
//! document's exact request and response, the three AEP error shapes and the gateway codes, each
//! quirk of vendors.md 3.6, the already-retracted and verify paths, paging and id encoding.
//! Retries use a zero-backoff policy.

use httpmock::prelude::*;
use offerkit_adobe_offers::transport::{AdobeImsCredentials, RetryPolicy, Transport};
use offerkit_adobe_offers::{
    AdobeOfferId, AdobeOffersClient, AepErrorKind, Deleted, Error, ErrorInfo, GatewayError,
    ListOptions, NotFound, OfferType, Retraction,
};
use serde_json::json;

const BASE: &str = "/data/core/dps";

async fn ims(server: &MockServer) -> httpmock::Mock<'_> {
    server
        .mock_async(|when, then| {
            when.method(POST).path("/ims/token/v3");
            then.status(200).json_body(
                json!({"access_token": "tok-1", "token_type": "bearer", "expires_in": 86399}),
            );
        })
        .await
}

fn client_at(server: &MockServer, base: &str) -> AdobeOffersClient {
    let transport = Transport::builder()
        .retry_policy(RetryPolicy::immediate(2))
        .build()
        .expect("transport");
    let credentials = AdobeImsCredentials::new("client-id", "client-secret", "ORG123@AdobeOrg")
        .expect("credentials")
        .with_sandbox("dev")
        .with_ims_url(&server.base_url())
        .expect("ims url");
    AdobeOffersClient::builder()
        .base_url(base)
        .ims_credentials(credentials)
        .transport(transport)
        .build()
        .expect("client")
}

fn client(server: &MockServer) -> AdobeOffersClient {
    client_at(server, &format!("{}{BASE}", server.base_url()))
}

fn id(raw: &str) -> AdobeOfferId {
    AdobeOfferId::new(raw).expect("valid id")
}

fn offer_path(id: &str) -> String {
    format!("{BASE}/offers/{id}")
}

// --- the seed: DELETE /data/core/dps/offers/personalizedOffer1234?offer-type=personalized ---

#[tokio::test]
async fn seed_delete_sends_the_documented_request_and_reads_the_empty_200() {
    let server = MockServer::start_async().await;
    let token = ims(&server).await;
    let delete = server
        .mock_async(|when, then| {
            when.method(DELETE)
                .path(offer_path("personalizedOffer1234"))
                .query_param("offer-type", "personalized")
                .query_param_count(".*", ".*", 1)
                .header("content-type", "application/json")
                .header("authorization", "Bearer tok-1")
                .header("x-api-key", "client-id")
                .header("x-gw-ims-org-id", "ORG123@AdobeOrg")
                .header("x-sandbox-name", "dev")
                .body("");
            then.status(200)
                .header("x-request-id", "req-del-1")
                .body("");
        })
        .await;
    let out = client(&server)
        .delete_offer(&id("personalizedOffer1234"), OfferType::Personalized)
        .await
        .expect("deleted");
    delete.assert_async().await;
    token.assert_async().await;
    assert_eq!(
        out,
        Retraction::Retracted(Deleted {
            value: (),
            request_id: Some("req-del-1".to_owned())
        })
    );
}

#[tokio::test]
async fn delete_and_verify_requires_the_404_read_back() {
    let server = MockServer::start_async().await;
    ims(&server).await;
    server
        .mock_async(|when, then| {
            when.method(DELETE)
                .path(offer_path("fallbackOffer1"))
                .query_param("offer-type", "fallback");
            then.status(200);
        })
        .await;
    let read_back = server
        .mock_async(|when, then| {
            when.method(GET).path(offer_path("fallbackOffer1")).query_param("offer-type", "fallback");
            then.status(404).json_body(json!({"type": "https://ns.adobe.com/aep/errors/DPS-1010-404", "title": "Resource not found", "status": 404, "detail": "No fallback offer with id fallbackOffer1 was found."}));
        })
        .await;
    let out = client(&server)
        .delete_and_verify(&id("fallbackOffer1"), OfferType::Fallback)
        .await
        .expect("verified");
    assert!(out.is_retracted());
    read_back.assert_async().await;
}

#[tokio::test]
async fn delete_and_verify_reports_an_offer_still_served() {
    let server = MockServer::start_async().await;
    ims(&server).await;
    server
        .mock_async(|when, then| {
            when.method(DELETE).path(offer_path("sticky"));
            then.status(200);
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(offer_path("sticky"));
            then.status(200)
                .header("x-request-id", "req-get")
                .json_body(json!({"id": "sticky", "name": "Sticky", "etag": 3}));
        })
        .await;
    let err = client(&server)
        .delete_and_verify(&id("sticky"), OfferType::Personalized)
        .await
        .expect_err("still present");
    assert!(err.is_still_present(), "{err:?}");
    assert_eq!(err.request_id(), Some("req-get"));
    assert!(
        err.to_string().contains("personalized offer sticky"),
        "{err}"
    );
}

// --- already retracted ---

#[tokio::test]
async fn delete_of_a_missing_offer_is_already_retracted_and_not_retried() {
    let server = MockServer::start_async().await;
    ims(&server).await;
    let delete = server
        .mock_async(|when, then| {
            when.method(DELETE).path(offer_path("gone"));
            then.status(404).header("x-request-id", "req-404").json_body(json!({
                "type": "https://ns.adobe.com/aep/errors/DPS-1010-404", "title": "Resource not found",
                "status": 404, "detail": "No personalized offer with id gone was found."}));
        })
        .await;
    let out = client(&server)
        .delete_offer(&id("gone"), OfferType::Personalized)
        .await
        .expect("not an error");
    assert_eq!(
        out,
        Retraction::AlreadyRetracted(NotFound {
            message: Some("No personalized offer with id gone was found.".to_owned()),
            request_id: Some("req-404".to_owned()),
            earlier_attempt_may_have_acted: false,
        })
    );
    assert_eq!(delete.calls_async().await, 1);
}

#[tokio::test]
async fn repeated_delete_and_verify_reports_retracted_then_already_retracted() {
    let server = MockServer::start_async().await;
    ims(&server).await;
    let c = client(&server);
    server
        .mock_async(|when, then| {
            when.method(GET).path(offer_path("o1"));
            then.status(404);
        })
        .await;
    let first = server
        .mock_async(|when, then| {
            when.method(DELETE).path(offer_path("o1"));
            then.status(200);
        })
        .await;
    assert!(
        c.delete_and_verify(&id("o1"), OfferType::Personalized)
            .await
            .expect("first")
            .is_retracted()
    );
    first.delete_async().await;
    server
        .mock_async(|when, then| {
            when.method(DELETE).path(offer_path("o1"));
            then.status(404);
        })
        .await;
    let again = c
        .delete_and_verify(&id("o1"), OfferType::Personalized)
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

// --- errors: the three AEP shapes and the gateway codes ---

#[tokio::test]
async fn gateway_codes_are_typed_with_advice() {
    let cases = [
        (
            401,
            "401013",
            "Oauth token is not valid",
            GatewayError::InvalidToken,
        ),
        (
            403,
            "403010",
            "Oauth token is missing.",
            GatewayError::MissingToken,
        ),
        (
            403,
            "403000",
            "Api Key is required",
            GatewayError::ApiKeyRequired,
        ),
        (
            403,
            "403003",
            "Api Key is invalid",
            GatewayError::ApiKeyInvalid,
        ),
        (
            400,
            "400003",
            "Missing header",
            GatewayError::MissingOrgHeader,
        ),
    ];
    for (status, code, message, expected) in cases {
        let server = MockServer::start_async().await;
        ims(&server).await;
        let delete = server
            .mock_async(|when, then| {
                when.method(DELETE).path(offer_path("x"));
                then.status(status)
                    .json_body(json!({"error_code": code, "message": message}));
            })
            .await;
        let err = client(&server)
            .delete_offer(&id("x"), OfferType::Personalized)
            .await
            .expect_err("refused");
        assert_eq!(err.gateway_error(), Some(expected), "{err:?}");
        assert!(err.is_unauthorized());
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(err.code().as_deref(), Some(code));
        assert_eq!(err.message().as_deref(), Some(message));
        assert_eq!(err.aep_error_kind(), Some(AepErrorKind::Gateway));
        let text = err.to_string();
        assert!(
            text.contains(code) && text.contains(expected.advice()),
            "{text}"
        );
        assert!(
            !text.contains("tok-1") && !text.contains("client-secret"),
            "{text}"
        );
        // A 401 gets one retry with a fresh token; nothing else is repeated.
        let expected_calls = if status == 401 { 2 } else { 1 };
        assert_eq!(delete.calls_async().await, expected_calls, "{code}");
    }
}

#[tokio::test]
async fn problem_details_and_content_type_errors_are_rejected() {
    let cases = [
        (
            json!({"type": "http://ns.adobe.com/aep/errors/XDM-1010-400", "title": "Bad request", "status": 400,
                   "report": {"tenantInfo": {"sandboxName": "dev"}}, "detail": "Invalid property filter",
                   "error-chain": [{"serviceId": "dps", "errorCode": "DPS-1010-400"}]}),
            AepErrorKind::ProblemDetails,
            "Invalid property filter",
        ),
        (
            json!({"type": "/placeholder/type/uri", "status": 400, "title": "BadRequestError", "detail": "A valid content-type must be specified"}),
            AepErrorKind::ContentType,
            "A valid content-type must be specified",
        ),
    ];
    for (body, kind, message) in cases {
        let server = MockServer::start_async().await;
        ims(&server).await;
        let list = server
            .mock_async(|when, then| {
                when.method(GET).path(format!("{BASE}/offers"));
                then.status(400)
                    .header("x-request-id", "req-400")
                    .json_body(body.clone());
            })
            .await;
        let err = client(&server)
            .list_offers(OfferType::Personalized, &ListOptions::new().property("bad"))
            .await
            .expect_err("rejected");
        assert!(err.is_rejected(), "{err:?}");
        assert_eq!(err.aep_error_kind(), Some(kind));
        assert_eq!(err.message().as_deref(), Some(message));
        assert_eq!(err.request_id(), Some("req-400"));
        assert_eq!(
            serde_json::to_value(err.aep_error().expect("typed")).expect("ser"),
            body,
            "kept losslessly"
        );
        assert!(err.to_string().contains(message), "{err}");
        assert_eq!(list.calls_async().await, 1);
    }
}

#[tokio::test]
async fn forbidden_without_a_gateway_code_is_unauthorized() {
    let server = MockServer::start_async().await;
    ims(&server).await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(offer_path("x"));
            then.status(403).json_body(json!({"type": "http://ns.adobe.com/aep/errors/DPS-1403-403", "title": "Forbidden", "status": 403, "detail": "No access to sandbox dev"}));
        })
        .await;
    let err = client(&server)
        .get_offer(&id("x"), OfferType::Personalized)
        .await
        .expect_err("forbidden");
    assert!(
        matches!(err, Error::Unauthorized { status: 403, .. }),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("No access to sandbox dev"),
        "{err}"
    );
}

#[tokio::test]
async fn server_errors_are_retried_then_transient() {
    let server = MockServer::start_async().await;
    ims(&server).await;
    let delete = server
        .mock_async(|when, then| {
            when.method(DELETE).path(offer_path("x"));
            then.status(500)
                .json_body(json!({"type": "x", "title": "Internal", "status": 500}));
        })
        .await;
    let err = client(&server)
        .delete_offer(&id("x"), OfferType::Personalized)
        .await
        .expect_err("fails");
    assert!(err.is_transient(), "{err:?}");
    assert_eq!(delete.calls_async().await, 3);
}

#[tokio::test]
async fn a_failed_token_request_is_an_auth_error_and_sends_nothing() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/ims/token/v3");
            then.status(400).json_body(json!({"error": "invalid_client", "error_description": "invalid client_id parameter"}));
        })
        .await;
    let api = server
        .mock_async(|when, then| {
            when.path_prefix(BASE);
            then.status(200);
        })
        .await;
    let err = client(&server)
        .delete_offer(&id("x"), OfferType::Personalized)
        .await
        .expect_err("no token");
    assert!(err.is_unauthorized(), "{err:?}");
    assert!(err.to_string().contains("invalid_client"), "{err}");
    assert_eq!(api.calls_async().await, 0);
}

// --- get and list ---

#[tokio::test]
async fn get_offer_reads_the_documented_offer_and_404_is_none() {
    let server = MockServer::start_async().await;
    ims(&server).await;
    let offer = json!({
        "id": "personalizedOffer1234", "name": "Summer", "status": "approved",
        "created": "2023-05-15T14:35:16.781+00:00", "modified": "2023-05-15T14:35:16.781Z", "etag": 1,
        "schemas": ["https://ns.adobe.com/experience/offer-management/personalized-offer;version=0.15"],
        "representations": [{"channel": "https://ns.adobe.com/xdm/channel-types/web", "placement": "p1",
            "components": [{"type": "html", "format": "text/html", "language": ["en-us"], "content": "<p>hi</p>"}]}],
        "selectionConstraint": {"startDate": "2023-05-15T00:00:00.000Z", "endDate": "2030-01-01T00:00:00.000Z", "profileConstraintType": "none"},
        "rank": {"priority": 1}, "cappingConstraint": {},
        "frequencyCappingConstraints": [{"enabled": true, "limit": 2, "scope": "global", "entity": "offer",
            "repeat": {"enabled": true, "unit": "month", "unitCount": 1}}],
        "futureField": {"kept": true}
    });
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path(offer_path("personalizedOffer1234"))
                .query_param("offer-type", "personalized")
                .header("x-api-key", "client-id");
            then.status(200).json_body(offer.clone());
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(offer_path("missing"));
            then.status(404);
        })
        .await;
    let c = client(&server);
    let got = c
        .get_offer(&id("personalizedOffer1234"), OfferType::Personalized)
        .await
        .expect("get")
        .expect("present");
    assert_eq!(
        got.etag.as_ref().and_then(|e| e.as_i64()),
        Some(1),
        "quirk 4: etag is an integer"
    );
    assert_eq!(got.extra["futureField"], json!({"kept": true}));
    assert_eq!(
        serde_json::to_value(&got).expect("ser"),
        offer,
        "read back losslessly"
    );
    assert!(
        c.get_offer(&id("missing"), OfferType::Personalized)
            .await
            .expect("get")
            .is_none()
    );
}

#[tokio::test]
async fn list_sends_filters_and_paging_follows_next_href_verbatim() {
    let server = MockServer::start_async().await;
    ims(&server).await;
    let first = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("{BASE}/offers"))
                .query_param("offer-type", "personalized")
                .query_param("limit", "2")
                .query_param("orderBy", "-modified")
                .query_param_count("property", ".*", 2)
                .is_true(|req: &HttpMockRequest| {
                    req.query_params()
                        .iter()
                        .filter(|(k, _)| k == "property")
                        .map(|(_, v)| v.as_str())
                        .eq(["status==approved", "name~Summer"])
                });
            then.status(200).json_body(json!({
                "results": [{"id": "a"}, {"id": "b"}], "count": 2, "total": 3,
                "_links": {"self": {"href": "/offers?offer-type=PERSONALIZED&limit=2", "type": "application/json"},
                           "next": {"href": "/offers?offer-type=PERSONALIZED&limit=2&start=b", "type": "application/json"}}}));
        })
        .await;
    // Quirk 3: the next link says PERSONALIZED; it is sent exactly so.
    let second = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("{BASE}/offers"))
                .is_true(|req: &HttpMockRequest| {
                    req.uri().query() == Some("offer-type=PERSONALIZED&limit=2&start=b")
                });
            then.status(200)
                .json_body(json!({"results": [{"id": "c"}], "count": 1, "total": 3,
                "_links": {"self": {"href": "/offers?offer-type=PERSONALIZED&limit=2&start=b"}}}));
        })
        .await;
    let c = client(&server);
    let options = ListOptions::new()
        .limit(2)
        .property("status==approved")
        .property("name~Summer")
        .order_by("-modified");
    let page = c
        .list_offers(OfferType::Personalized, &options)
        .await
        .expect("page 1");
    let next = c
        .next_page(&page)
        .await
        .expect("page 2")
        .expect("there is a page 2");
    assert_eq!(next.results.as_ref().map(Vec::len), Some(1));
    assert!(c.next_page(&next).await.expect("end").is_none());

    let all = c
        .pager(OfferType::Personalized, options)
        .collect(None)
        .await
        .expect("all");
    let ids: Vec<_> = all.iter().filter_map(|o| o.id.as_deref()).collect();
    assert_eq!(ids, ["a", "b", "c"]);
    assert_eq!(first.calls_async().await, 2);
    assert_eq!(second.calls_async().await, 2);
}

#[tokio::test]
async fn next_href_forms_absolute_full_path_and_foreign_host() {
    let server = MockServer::start_async().await;
    ims(&server).await;
    let target = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("{BASE}/offers"))
                .query_param("start", "z");
            then.status(200)
                .json_body(json!({"results": [], "count": 0}));
        })
        .await;
    let c = client(&server);
    let page_with = |href: String| -> offerkit_adobe_offers::OfferPage {
        serde_json::from_value(json!({"_links": {"next": {"href": href}}})).expect("page")
    };
    for href in [
        format!("{BASE}/offers?offer-type=FALLBACK&start=z"),
        format!(
            "{}{BASE}/offers?offer-type=FALLBACK&start=z",
            server.base_url()
        ),
        "offers?offer-type=FALLBACK&start=z".to_owned(),
    ] {
        c.next_page(&page_with(href.clone()))
            .await
            .expect(&href)
            .expect("page");
    }
    assert_eq!(target.calls_async().await, 3);
    let err = c
        .next_page(&page_with(
            "https://evil.example/data/core/dps/offers".to_owned(),
        ))
        .await
        .expect_err("foreign host refused");
    assert!(err.is_invalid_argument(), "{err:?}");
}

#[tokio::test]
async fn the_pager_stops_on_a_repeating_next_link() {
    let server = MockServer::start_async().await;
    ims(&server).await;
    let list = server
        .mock_async(|when, then| {
            when.method(GET).path(format!("{BASE}/offers"));
            then.status(200).json_body(json!({"results": [{"id": "a"}],
                "_links": {"next": {"href": "/offers?offer-type=PERSONALIZED&start=a"}}}));
        })
        .await;
    let all = client(&server)
        .pager(OfferType::Personalized, ListOptions::new())
        .collect(None)
        .await
        .expect("stops");
    assert_eq!(
        all.len(),
        2,
        "first page and the one next page, then the repeat is refused"
    );
    assert_eq!(list.calls_async().await, 2);
    let capped = client(&server)
        .pager(OfferType::Personalized, ListOptions::new())
        .collect(Some(1))
        .await
        .expect("capped");
    assert_eq!(capped.len(), 1);
}

// --- quirks, ids, paths ---

#[tokio::test]
async fn quirk_2_trailing_slash_endpoint_path_does_not_double_the_slash() {
    let server = MockServer::start_async().await;
    ims(&server).await;
    let delete = server
        .mock_async(|when, then| {
            when.method(DELETE).path(offer_path("x"));
            then.status(200);
        })
        .await;
    let c = client_at(&server, &format!("{}{BASE}/", server.base_url()));
    assert!(
        c.delete_offer(&id("x"), OfferType::Personalized)
            .await
            .expect("deleted")
            .is_retracted()
    );
    delete.assert_async().await;
}

#[tokio::test]
async fn quirk_7_an_invalid_list_body_is_a_clear_decode_error() {
    let server = MockServer::start_async().await;
    ims(&server).await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(format!("{BASE}/offers"));
            then.status(200).body(r#"{"results": [], "count": 0}}"#);
        })
        .await;
    let err = client(&server)
        .list_offers(OfferType::Fallback, &ListOptions::new())
        .await
        .expect_err("invalid JSON");
    assert!(
        matches!(
            err,
            Error::Transport(offerkit_adobe_offers::transport::Error::Decode(_))
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("list_offers"), "{err}");
}

#[tokio::test]
async fn ids_stay_one_path_segment() {
    let server = MockServer::start_async().await;
    ims(&server).await;
    let delete = server
        .mock_async(|when, then| {
            when.method(DELETE).is_true(|req: &HttpMockRequest| {
                req.uri().path() == "/data/core/dps/offers/a%2Fb%3Fx%3D1"
                    && req.uri().query() == Some("offer-type=personalized")
            });
            then.status(200);
        })
        .await;
    client(&server)
        .delete_offer(&id("a/b?x=1"), OfferType::Personalized)
        .await
        .expect("deleted");
    delete.assert_async().await;
}

#[tokio::test]
async fn unknown_offer_types_and_bad_ids_are_refused_before_sending() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(500);
        })
        .await;
    let err = client(&server)
        .delete_offer(&id("x"), OfferType::parse("archived"))
        .await
        .expect_err("unknown type");
    assert!(err.to_string().starts_with("invalid offer_type"), "{err}");
    for bad in ["", " x", "x ", "..", "a\nb"] {
        let err = Error::from(AdobeOfferId::new(bad).expect_err(bad));
        assert!(err.to_string().starts_with("invalid offer_id: "), "{err}");
        assert!(err.is_invalid_argument(), "{err:?}");
    }
    assert_eq!(any.calls_async().await, 0);
    let err = AdobeOffersClient::from_lookup(&|_| None).expect_err("no env");
    assert!(
        err.to_string().contains("OFFERKIT_ADOBE_CLIENT_ID"),
        "{err}"
    );
}
