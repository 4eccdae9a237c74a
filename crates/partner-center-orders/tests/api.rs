//! The orders client against httpmock servers on 127.0.0.1 (and the mock transport): the seed
//! document's exact request and response, every documented error code, the quirks, the
//! already-retracted paths, id validation and path encoding.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use httpmock::prelude::*;
use offerkit_partner_center_orders::models::{BillingCycle, LineItemTransactionType, OrderStatus};
use offerkit_partner_center_orders::transport::mock::{MockResponse, MockTransport};
use offerkit_partner_center_orders::transport::{RetryPolicy, StaticToken, Transport};
use offerkit_partner_center_orders::{
    AlreadyCancelled, CancelOrder, CustomerTenantId, Error, ErrorInfo, Evidence, OrderId,
    OrdersClient, Retraction,
};
use serde_json::{Value, json};

const CUSTOMER: &str = "45411344-b09d-47e7-9653-542006bf9766";
const ORDER: &str = "2y6dF_rVgDAXMxypQPPnTquuXhKVK_3N1";
const ORDER_PATH: &str =
    "/v1/customers/45411344-b09d-47e7-9653-542006bf9766/orders/2y6dF_rVgDAXMxypQPPnTquuXhKVK_3N1";
const OFFER_0: &str = "DG7GMGF0FKZV:0003:DG7GMGF0DWMS";
const OFFER_1: &str = "DG7GMGF0DVT7:000C:DG7GMGF0FVZM";

fn client(server: &MockServer, retries: u32) -> OrdersClient {
    let transport = Transport::builder()
        .retry_policy(RetryPolicy::immediate(retries))
        .build()
        .expect("transport");
    OrdersClient::builder()
        .base_url(server.base_url())
        .credential(Arc::new(StaticToken::new("pc-token")))
        .transport(transport)
        .build()
        .expect("client")
}

fn customer() -> CustomerTenantId {
    CustomerTenantId::new(CUSTOMER).expect("customer id")
}

fn order_id() -> OrderId {
    OrderId::new(ORDER).expect("order id")
}

/// The seed document's request body (the clean "Request example").
fn seed_request_body() -> Value {
    json!({
        "id": ORDER,
        "status": "cancelled",
        "lineItems": [{"lineItemNumber": 0, "offerId": OFFER_0}]
    })
}

fn line(n: u32, offer: &str, quantity: Value, name: &str) -> Value {
    let product = offer.split(':').next().unwrap_or_default();
    json!({
        "lineItemNumber": n,
        "offerId": offer,
        "termDuration": "P3Y",
        "transactionType": "New",
        "friendlyName": name,
        "quantity": quantity,
        "links": {
            "product": {"uri": format!("/products/{product}?country=US"), "method": "GET", "headers": []}
        }
    })
}

/// The seed document's response order, with the two line quantities and the status given.
fn seed_order(q0: Value, q1: Value, status: &str) -> Value {
    json!({
        "id": ORDER,
        "alternateId": "c403d91b21d2",
        "referenceCustomerId": CUSTOMER,
        "billingCycle": "one_time",
        "currencyCode": "USD",
        "currencySymbol": "$",
        "lineItems": [
            line(0, OFFER_0, q0, "SQL Server Enterprise - 2 Core License Pack - 3 year"),
            line(1, OFFER_1, q1, "Windows Server CAL - 1 Device CAL - 3 year"),
        ],
        "creationDate": "2019-12-12T17:33:56.1306495Z",
        "status": status,
        "transactionType": "UserPurchase",
        "links": {
            "self": {"uri": format!("/customers/{CUSTOMER}/orders/{ORDER}"), "method": "GET", "headers": []},
            "provisioningStatus": {"uri": format!("/customers/{CUSTOMER}/orders/{ORDER}/provisioningstatus"), "method": "GET", "headers": []},
            "patchOperation": {"uri": format!("/customers/{CUSTOMER}/orders/{ORDER}"), "method": "PATCH", "headers": []}
        },
        "client": {"marketplaceCountry": "US", "deviceFamily": "UniversalStore-PartnerCenter", "name": "Partner Center API"},
        "attributes": {"objectType": "Order"}
    })
}

fn pc_error(code: Value, description: &str) -> Value {
    json!({"code": code, "description": description, "data": [], "source": "PartnerFD"})
}

#[tokio::test]
async fn seed_request_and_response_partial_cancel_is_success() {
    let server = MockServer::start_async().await;
    let patch = server
        .mock_async(|when, then| {
            when.method(PATCH)
                .path(ORDER_PATH)
                .header("accept", "application/json")
                .header("content-type", "application/json")
                .header("authorization", "Bearer pc-token")
                .header("ms-contract-version", "v1")
                .header_exists("ms-requestid")
                .header_exists("ms-correlationid")
                .json_body(seed_request_body());
            then.status(200)
                .header("MS-RequestId", "655890ba-4d2b-4d09-a95f-4ea1348686a5")
                .header("MS-CorrelationId", "1438ea3d-b515-45c7-9ec1-27ee0cc8e6bd")
                .json_body(seed_order(json!(0), json!(1), "completed"));
        })
        .await;
    let get = server
        .mock_async(|when, then| {
            when.method(GET).path(ORDER_PATH);
            then.status(500);
        })
        .await;

    let cancel = CancelOrder::line_items(customer(), order_id(), [0]).offer_id(0, OFFER_0);
    let outcome = client(&server, 0)
        .cancel_order(&cancel)
        .await
        .expect("cancel");

    patch.assert_async().await;
    assert_eq!(get.calls_async().await, 0, "offer id given: no read first");
    let Retraction::Retracted(result) = outcome else {
        panic!("expected Retracted, got {outcome:?}");
    };
    assert_eq!(result.cancelled_line_items, vec![0]);
    assert_eq!(result.remaining_line_items, vec![1]);
    assert!(
        !result.whole_order_cancelled,
        "status completed after a partial cancel"
    );
    assert!(result.is_complete());
    assert_eq!(result.order.status, Some(OrderStatus::Completed));
    assert_eq!(
        result.request_id.as_deref(),
        Some("655890ba-4d2b-4d09-a95f-4ea1348686a5")
    );
    assert!(result.correlation_id.is_some());
    // Every field the vendor sent is kept; lenient enums write their canonical casing (`New` -> `new`).
    let back = serde_json::to_value(&result.order).expect("serialize");
    let mut expected = seed_order(json!(0), json!(1), "completed");
    for line in expected["lineItems"].as_array_mut().into_iter().flatten() {
        line["transactionType"] = json!("new");
    }
    assert_eq!(back, expected);
}

#[tokio::test]
async fn missing_offer_ids_are_read_from_the_order_first() {
    let server = MockServer::start_async().await;
    let get = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(ORDER_PATH)
                .header("ms-contract-version", "v1");
            then.status(200)
                .json_body(seed_order(json!(1), json!(1), "completed"));
        })
        .await;
    let patch = server
        .mock_async(|when, then| {
            when.method(PATCH)
                .path(ORDER_PATH)
                .json_body(seed_request_body());
            then.status(200)
                .json_body(seed_order(json!(0), json!(1), "completed"));
        })
        .await;

    let cancel = CancelOrder::line_items(customer(), order_id(), [0]);
    let outcome = client(&server, 0)
        .cancel_order(&cancel)
        .await
        .expect("cancel");
    get.assert_async().await;
    patch.assert_async().await;
    assert!(!outcome.is_already_retracted());
    assert_eq!(
        outcome.retracted().expect("retracted").cancelled_line_items,
        vec![0]
    );
}

#[tokio::test]
async fn whole_order_body_has_no_line_items_and_reports_cancelled() {
    let server = MockServer::start_async().await;
    let get = server
        .mock_async(|when, then| {
            when.method(GET).path(ORDER_PATH);
            then.status(200)
                .json_body(seed_order(json!(1), json!(1), "completed"));
        })
        .await;
    let patch = server
        .mock_async(|when, then| {
            when.method(PATCH)
                .path(ORDER_PATH)
                .json_body(json!({"id": ORDER, "status": "cancelled"}));
            then.status(200)
                .json_body(seed_order(json!(0), json!(0), "cancelled"));
        })
        .await;
    let outcome = client(&server, 0)
        .cancel_order(&CancelOrder::whole(customer(), order_id()))
        .await
        .expect("cancel");
    get.assert_async().await;
    patch.assert_async().await;
    let Retraction::Retracted(result) = outcome else {
        panic!("expected Retracted");
    };
    assert!(result.whole_order_cancelled);
    assert_eq!(result.cancelled_line_items, vec![0, 1]);
    assert!(result.remaining_line_items.is_empty());
    assert!(result.requested_line_items.is_empty());
}

#[tokio::test]
async fn already_cancelled_lines_are_reported_without_a_patch() {
    let server = MockServer::start_async().await;
    let get = server
        .mock_async(|when, then| {
            when.method(GET).path(ORDER_PATH);
            then.status(200)
                .header("MS-RequestId", "read-1")
                .json_body(seed_order(json!(0), json!(1), "completed"));
        })
        .await;
    let patch = server
        .mock_async(|when, then| {
            when.method(PATCH).path(ORDER_PATH);
            then.status(200)
                .json_body(seed_order(json!(0), json!(1), "completed"));
        })
        .await;
    let outcome = client(&server, 0)
        .cancel_order(&CancelOrder::line_items(customer(), order_id(), [0]).pre_read(true))
        .await
        .expect("cancel");
    get.assert_async().await;
    assert_eq!(patch.calls_async().await, 0);
    let Retraction::AlreadyRetracted(AlreadyCancelled {
        current, evidence, ..
    }) = outcome
    else {
        panic!("expected AlreadyRetracted");
    };
    assert_eq!(evidence, Evidence::PreRead);
    assert_eq!(current.request_id.as_deref(), Some("read-1"));
    assert_eq!(current.cancelled_line_items, vec![0]);
}

#[tokio::test]
async fn an_order_already_cancelled_is_already_retracted() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(ORDER_PATH);
            then.status(200)
                .json_body(seed_order(json!(0), json!(0), "cancelled"));
        })
        .await;
    let patch = server
        .mock_async(|when, then| {
            when.method(PATCH).path(ORDER_PATH);
            then.status(200);
        })
        .await;
    let outcome = client(&server, 0)
        .cancel_order(&CancelOrder::whole(customer(), order_id()))
        .await
        .expect("cancel");
    assert!(outcome.is_already_retracted());
    assert!(
        outcome
            .already()
            .expect("already")
            .current
            .whole_order_cancelled
    );
    assert_eq!(patch.calls_async().await, 0);
}

#[tokio::test]
async fn only_lines_not_yet_cancelled_are_sent() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(ORDER_PATH);
            then.status(200)
                .json_body(seed_order(json!(0), json!(1), "completed"));
        })
        .await;
    let patch = server
        .mock_async(|when, then| {
            when.method(PATCH).path(ORDER_PATH).json_body(json!({
                "id": ORDER, "status": "cancelled",
                "lineItems": [{"lineItemNumber": 1, "offerId": OFFER_1}]
            }));
            then.status(200)
                .json_body(seed_order(json!(0), json!(0), "cancelled"));
        })
        .await;
    let outcome = client(&server, 0)
        .cancel_order(&CancelOrder::line_items(customer(), order_id(), [0, 1]))
        .await
        .expect("cancel");
    patch.assert_async().await;
    assert!(!outcome.is_already_retracted());
    assert!(
        outcome
            .retracted()
            .expect("retracted")
            .whole_order_cancelled
    );
}

#[tokio::test]
async fn unknown_line_numbers_are_named_and_nothing_is_sent() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(ORDER_PATH);
            then.status(200)
                .json_body(seed_order(json!(1), json!(1), "completed"));
        })
        .await;
    let patch = server
        .mock_async(|when, then| {
            when.method(PATCH).path(ORDER_PATH);
            then.status(200);
        })
        .await;
    let err = client(&server, 0)
        .cancel_order(&CancelOrder::line_items(customer(), order_id(), [1, 5, 7]))
        .await
        .expect_err("missing lines");
    assert_eq!(patch.calls_async().await, 0);
    let Error::LineItemsNotFound {
        missing, available, ..
    } = &err
    else {
        panic!("expected LineItemsNotFound, got {err:?}");
    };
    assert_eq!(missing, &vec![5, 7]);
    assert_eq!(available, &vec![0, 1]);
    assert!(err.to_string().contains("no line item 5, 7"), "{err}");
    assert!(err.is_invalid_argument());
}

#[tokio::test]
async fn every_documented_error_code_is_typed() {
    type Check = fn(&Error) -> bool;
    let cases: Vec<(u16, Value, Check)> = vec![
        (404, pc_error(json!(20000), "Order Id not found"), |e| {
            matches!(e, Error::OrderNotFound { .. }) && e.is_not_found()
        }),
        (404, pc_error(json!(1000), "Not found"), |e| {
            matches!(e, Error::OrderNotFound { .. })
        }),
        (
            400,
            pc_error(json!(4018), "Unable to process this order"),
            |e| {
                matches!(
                    e,
                    Error::UnableToProcess {
                        outside_cancellation_window: false,
                        ..
                    }
                )
            },
        ),
        (400, pc_error(json!(800002), "Invalid request input"), |e| {
            matches!(e, Error::InvalidInput { .. })
        }),
        (400, pc_error(json!(3000), "Invalid property"), |e| {
            matches!(e, Error::InvalidInput { .. })
        }),
        (
            403,
            pc_error(
                json!(20002),
                "Partner has no commerce relationship with customer",
            ),
            |e| matches!(e, Error::NoRelationship { .. }),
        ),
        (401, pc_error(json!(400), "Access denied"), |e| {
            matches!(e, Error::Unauthorized { .. }) && e.is_unauthorized()
        }),
        (401, pc_error(json!(800001), "Partner Token missing"), |e| {
            matches!(e, Error::Unauthorized { .. })
        }),
        (400, pc_error(json!(2055), "Etag is no longer valid"), |e| {
            matches!(e, Error::ChangedSinceRead { .. }) && e.is_changed_since_read()
        }),
        (
            400,
            pc_error(
                json!(900117),
                "You have passed your 30-day cancellation window. We are unable to cancel your purchase",
            ),
            |e| {
                matches!(e, Error::OutsideCancellationWindow { .. })
                    && e.is_outside_cancellation_window()
                    && !e.is_unauthorized()
            },
        ),
        (
            400,
            pc_error(
                json!("900213"),
                "You have passed your 72-hour cancellation window. We are unable to cancel your purchase",
            ),
            |e| e.is_outside_cancellation_window() && e.code().as_deref() == Some("900213"),
        ),
        // Business refusals, some with HTTP 403: refused by policy, never "fix your credentials".
        (
            403,
            pc_error(
                json!(800019),
                "Non-Sandbox tenants aren't allowed to cancel purchases other than software subscriptions and perpetual software",
            ),
            |e| e.is_refused_by_policy() && !e.is_unauthorized() && !e.is_transient(),
        ),
        (
            409,
            pc_error(
                json!(800060),
                "Your order is in progress. Check your order history for recent orders in few minutes",
            ),
            |e| e.is_refused_by_policy() && !e.is_unauthorized(),
        ),
        (
            400,
            pc_error(json!(800061), "Order can't be canceled"),
            |e| e.is_refused_by_policy(),
        ),
        (
            400,
            pc_error(
                json!(800063),
                "This order 1 can't be canceled. Use PATCH /customers/c/subscriptions/<subscriptionId> to suspend subscriptions",
            ),
            |e| e.is_refused_by_policy(),
        ),
        (
            403,
            pc_error(
                json!(800077),
                "Cancelling of seat-based SaaS isn't supported via patch order. Use patch subscription instead.",
            ),
            |e| {
                matches!(e, Error::RefusedByPolicy { meaning, .. } if meaning.contains("seat-based SaaS"))
                    && !e.is_unauthorized()
            },
        ),
        (
            409,
            pc_error(
                json!(900278),
                "There is a pending operation on this subscription. Please try again after 24 hours.",
            ),
            |e| matches!(e, Error::PendingOperation { .. }),
        ),
        (
            500,
            pc_error(json!(800003), "Unexpected service error"),
            |e| matches!(e, Error::Api { .. }) && e.is_transient(),
        ),
        // The code is documented as a string: both forms are read.
        (404, pc_error(json!("20000"), "Order Id not found"), |e| {
            e.is_not_found() && e.code().as_deref() == Some("20000")
        }),
    ];
    for (status, body, check) in cases {
        let server = MockServer::start_async().await;
        server
            .mock_async(|when, then| {
                when.method(GET).path(ORDER_PATH);
                then.status(status)
                    .header("MS-RequestId", "req-err")
                    .json_body(body.clone());
            })
            .await;
        let err = client(&server, 0)
            .get_order(&customer(), &order_id())
            .await
            .expect_err("error answer");
        assert!(check(&err), "{status} {body}: got {err:?}");
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(err.request_id(), Some("req-err"));
        let description = body["description"].as_str().unwrap_or_default();
        assert!(err.to_string().contains(description), "{err}");
        assert!(std::error::Error::source(&err).is_some());
    }
}

#[tokio::test]
async fn out_of_window_cancellation_is_a_clear_typed_error() {
    let server = MockServer::start_async().await;
    // The offerkit sandbox's 400 for a cancellation after the window.
    let description = "Unable to process this order: line item 0 (software subscription, offer DG7GMGF0FKZV:0003:DG7GMGF0DWMS) was purchased on 2019-12-12T17:33:56Z and the cancellation window of 7 days ended on 2019-12-19T17:33:56Z. Nothing was cancelled.";
    let patch = server
        .mock_async(|when, then| {
            when.method(PATCH).path(ORDER_PATH);
            then.status(400)
                .json_body(pc_error(json!(4018), description));
        })
        .await;
    // The confirming read shows the line still active: the refusal stands.
    let get = server
        .mock_async(|when, then| {
            when.method(GET).path(ORDER_PATH);
            then.status(200)
                .json_body(seed_order(json!(1), json!(1), "completed"));
        })
        .await;
    let err = client(&server, 2)
        .cancel_order(&CancelOrder::line_items(customer(), order_id(), [0]).offer_id(0, OFFER_0))
        .await
        .expect_err("refused");
    assert_eq!(patch.calls_async().await, 1, "a 400 is never retried");
    assert_eq!(get.calls_async().await, 1);
    assert!(err.is_outside_cancellation_window(), "{err:?}");
    assert_eq!(err.code().as_deref(), Some("4018"));
    let text = err.to_string();
    assert!(text.contains("cancellation window has ended"), "{text}");
    assert!(text.contains("7 days ended on 2019-12-19"), "{text}");
}

#[tokio::test]
async fn a_refusal_for_lines_already_cancelled_is_already_retracted() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(PATCH).path(ORDER_PATH);
            then.status(400).json_body(pc_error(
                json!(800002),
                "Invalid request input: line item 0 is already cancelled",
            ));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(ORDER_PATH);
            then.status(200)
                .json_body(seed_order(json!(0), json!(1), "completed"));
        })
        .await;
    let outcome = client(&server, 0)
        .cancel_order(&CancelOrder::line_items(customer(), order_id(), [0]).offer_id(0, OFFER_0))
        .await
        .expect("already retracted");
    let Retraction::AlreadyRetracted(AlreadyCancelled { evidence, .. }) = outcome else {
        panic!("expected AlreadyRetracted");
    };
    assert_eq!(
        evidence,
        Evidence::ConfirmedAfterRejection {
            code: Some("800002".into()),
            description: Some("Invalid request input: line item 0 is already cancelled".into()),
        }
    );
}

#[tokio::test]
async fn throttling_honours_retry_after_then_is_typed() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(PATCH).path(ORDER_PATH);
            then.status(429)
                .header("Retry-After", "0")
                .json_body(json!({"statusCode": 429, "message": "Rate limit is exceeded. Try again in 57 seconds."}));
        })
        .await;
    let err = client(&server, 2)
        .cancel_order(&CancelOrder::line_items(customer(), order_id(), [0]).offer_id(0, OFFER_0))
        .await
        .expect_err("throttled");
    assert_eq!(mock.calls_async().await, 3, "1 attempt + 2 retries");
    let Error::Throttled {
        retry_after,
        answer,
        ..
    } = &err
    else {
        panic!("expected Throttled, got {err:?}");
    };
    assert_eq!(*retry_after, Some(Duration::ZERO));
    assert_eq!(answer.code.as_deref(), Some("429"));
    assert!(err.is_throttled() && err.is_transient());
    assert!(err.to_string().contains("Rate limit is exceeded"), "{err}");
}

#[tokio::test]
async fn ms_request_id_is_kept_across_retries_and_fresh_per_call() {
    let calls = Arc::new(AtomicU32::new(0));
    let seen = calls.clone();
    let mock = MockTransport::new(move |req| {
        if req.method.as_str() != "PATCH" {
            return MockResponse::new(500);
        }
        match seen.fetch_add(1, Ordering::SeqCst) {
            0 => MockResponse::timeout(),
            1 => MockResponse::new(503),
            _ => MockResponse::json(200, &seed_order(json!(0), json!(1), "completed")),
        }
    });
    let client = OrdersClient::builder()
        .credential(Arc::new(StaticToken::new("t")))
        .transport(mock.transport())
        .build()
        .expect("client");
    let cancel = CancelOrder::line_items(customer(), order_id(), [0]).offer_id(0, OFFER_0);
    let outcome = client.cancel_order(&cancel).await.expect("cancel");
    assert!(!outcome.is_already_retracted());
    client.cancel_order(&cancel).await.expect("second call");

    let requests = mock.requests();
    assert_eq!(requests.len(), 4, "timeout and 503 retried (keyed PATCH)");
    let ids: Vec<_> = requests.iter().map(|r| r.header("ms-requestid")).collect();
    assert!(ids[0].is_some());
    assert_eq!(ids[0], ids[1]);
    assert_eq!(ids[1], ids[2]);
    assert_ne!(ids[2], ids[3], "a new logical call gets a new MS-RequestId");
    assert_ne!(
        requests[0].header("ms-correlationid"),
        requests[3].header("ms-correlationid")
    );
    assert_eq!(
        requests[0].url.host_str(),
        Some("api.partnercenter.microsoft.com")
    );
    assert_eq!(requests[0].json_body(), seed_request_body());
}

#[tokio::test]
async fn a_caller_request_id_is_sent_as_ms_request_id() {
    let server = MockServer::start_async().await;
    let patch = server
        .mock_async(|when, then| {
            when.method(PATCH)
                .path(ORDER_PATH)
                .header("ms-requestid", "655890ba-4d2b-4d09-a95f-4ea1348686a5");
            then.status(200)
                .json_body(seed_order(json!(0), json!(1), "completed"));
        })
        .await;
    client(&server, 0)
        .cancel_order(
            &CancelOrder::line_items(customer(), order_id(), [0])
                .offer_id(0, OFFER_0)
                .request_id("655890ba-4d2b-4d09-a95f-4ea1348686a5"),
        )
        .await
        .expect("cancel");
    patch.assert_async().await;
}

#[tokio::test]
async fn ids_stay_one_path_segment() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/customers/c%201/orders/a%2Fb%3Fx%3D1");
            then.status(200).json_body(json!({"id": "a/b?x=1"}));
        })
        .await;
    let order = client(&server, 0)
        .get_order(
            &CustomerTenantId::new("c 1").expect("id"),
            &OrderId::new("a/b?x=1").expect("id"),
        )
        .await
        .expect("get");
    mock.assert_async().await;
    assert_eq!(order.id.as_deref(), Some("a/b?x=1"));
}

#[tokio::test]
async fn invalid_arguments_name_the_argument_and_send_nothing() {
    assert_eq!(
        CustomerTenantId::new("").expect_err("empty").to_string(),
        "invalid customer_id: must not be empty"
    );
    assert!(
        OrderId::new("a\nb")
            .expect_err("control")
            .to_string()
            .starts_with("invalid order_id:")
    );
    // The library refuses surrounding whitespace (only input parsers may trim).
    assert!(
        OrderId::new("  o1 ")
            .expect_err("padded")
            .to_string()
            .contains("leading or trailing whitespace")
    );

    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|_when, then| {
            then.status(200);
        })
        .await;
    let c = client(&server, 0);
    let err = c
        .cancel_order(&CancelOrder::line_items(customer(), order_id(), []))
        .await
        .expect_err("empty lines");
    assert!(
        matches!(&err, Error::InvalidArgument { argument, .. } if argument == "line_items"),
        "{err:?}"
    );
    let err = Error::from(OrderId::new("..").expect_err("dot-dot"));
    assert!(err.is_invalid_argument());
    assert!(
        matches!(&err, Error::InvalidArgument { argument, .. } if argument == "order_id"),
        "{err:?}"
    );
    assert_eq!(any.calls_async().await, 0);

    let err = OrdersClient::builder().build().expect_err("no credential");
    assert!(err.to_string().contains("credential"), "{err}");
    let err = OrdersClient::builder()
        .base_url("http://partner.example")
        .credential(Arc::new(StaticToken::new("t")))
        .build()
        .expect_err("plain http");
    assert!(
        matches!(&err, Error::InvalidArgument { argument, .. } if argument == "base_url"),
        "{err:?}"
    );
}

#[tokio::test]
async fn reads_tolerate_the_documented_quirks() {
    let server = MockServer::start_async().await;
    let order = json!({
        "id": "o2",
        "billingCycle": "OneTime",
        "creationDate": "2018-03-06T17:37:05.253-08:00",
        "status": "Completed",
        "lineItems": [{"lineItemNumber": 0, "offerId": "x", "quantity": "1", "transactionType": "new", "newField": true}]
    });
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/customers/c1/orders/o2");
            then.status(200).json_body(order.clone());
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/customers/c1/orders");
            then.status(200).json_body(json!({
                "totalCount": 1, "items": [order.clone()],
                "links": {"self": {"uri": "/customers/c1/orders", "method": "GET", "headers": []}},
                "attributes": {"objectType": "Collection"}
            }));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/customers/c1/orders/o2/provisioningstatus");
            then.status(200).json_body(json!({
                "totalCount": 1,
                "items": [{"lineItemNumber": 0, "status": "Fulfilled", "quantityProvisioningInformation": []}],
                "attributes": {"objectType": "Collection"}
            }));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/customers/c1/orders/gone");
            then.status(404)
                .json_body(pc_error(json!(20000), "Order &#39;gone&#39; was not found"));
        })
        .await;
    let c = client(&server, 0);
    let customer = CustomerTenantId::new("c1").expect("id");
    let o2 = OrderId::new("o2").expect("id");
    let read = c.get_order(&customer, &o2).await.expect("get");
    assert_eq!(read.billing_cycle, Some(BillingCycle::OneTime));
    assert_eq!(read.status, Some(OrderStatus::Completed));
    let lines = read.line_items.clone().unwrap_or_default();
    assert_eq!(
        lines[0].transaction_type,
        Some(LineItemTransactionType::New)
    );
    assert!(!lines[0].is_cancelled());
    assert_eq!(lines[0].extra["newField"], true);

    let list = c.list_orders(&customer).await.expect("list");
    assert_eq!(list.total_count, Some(1));
    assert_eq!(list.items.unwrap_or_default()[0].id.as_deref(), Some("o2"));

    let status = c.provisioning_status(&customer, &o2).await.expect("status");
    assert_eq!(status.items.unwrap_or_default().len(), 1);

    let err = c
        .get_order(&customer, &OrderId::new("gone").expect("id"))
        .await
        .expect_err("404");
    assert!(
        err.to_string().contains("Order 'gone' was not found"),
        "{err}"
    );
}

#[tokio::test]
async fn a_200_with_lines_still_active_is_reported_not_complete() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(PATCH).path(ORDER_PATH);
            then.status(200)
                .json_body(seed_order(json!(1), json!(1), "completed"));
        })
        .await;
    let outcome = client(&server, 0)
        .cancel_order(&CancelOrder::line_items(customer(), order_id(), [0]).offer_id(0, OFFER_0))
        .await
        .expect("answered");
    let result = outcome.retracted().expect("retracted");
    assert!(!result.is_complete());
    assert_eq!(result.not_cancelled(), vec![0]);
}

/// Answers from `vars` (a test's configuration source).
fn lookup_of(vars: &[(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> + use<> {
    let vars = vars.to_vec();
    move |key| {
        vars.iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| (*v).to_owned())
    }
}

#[tokio::test]
async fn from_lookup_reads_the_orders_keys_with_the_azure_fallback() {
    // Nothing set: one error names every required key.
    let err = OrdersClient::from_lookup(&lookup_of(&[])).expect_err("unconfigured");
    assert!(err.is_invalid_argument(), "{err:?}");
    let text = err.to_string();
    for key in [
        "OFFERKIT_ORDERS_TENANT_ID",
        "OFFERKIT_ORDERS_CLIENT_ID",
        "OFFERKIT_ORDERS_CLIENT_SECRET",
    ] {
        assert!(text.contains(key), "{text}");
    }
    assert!(text.contains("OFFERKIT_AZURE_*"), "{text}");

    // OFFERKIT_ORDERS_* wins over OFFERKIT_AZURE_*; the authority builds the token URL.
    let lookup = lookup_of(&[
        ("OFFERKIT_ORDERS_TENANT_ID", "orders-tenant"),
        ("OFFERKIT_AZURE_TENANT_ID", "azure-tenant"),
        ("OFFERKIT_AZURE_CLIENT_ID", "app"),
        ("OFFERKIT_AZURE_CLIENT_SECRET", "secret"),
        ("OFFERKIT_ORDERS_AUTHORITY", "https://login.example"),
        ("OFFERKIT_ORDERS_URL", "https://orders.example"),
    ]);
    let mock = MockTransport::new(|req| {
        if req.url.path().ends_with("/oauth2/token") {
            MockResponse::json(
                200,
                &json!({"access_token": "tok", "token_type": "Bearer", "expires_in": 3600}),
            )
        } else {
            MockResponse::json(200, &json!({"id": ORDER}))
        }
    });
    let client = OrdersClient::builder()
        .from_lookup(&lookup)
        .expect("configured")
        .transport(mock.transport())
        .build()
        .expect("client");
    assert_eq!(client.base_url(), "https://orders.example/");
    client
        .get_order(&customer(), &order_id())
        .await
        .expect("get");
    let requests = mock.requests();
    assert_eq!(
        requests[0].url.as_str(),
        "https://login.example/orders-tenant/oauth2/token"
    );
    assert_eq!(requests[1].url.host_str(), Some("orders.example"));
    assert_eq!(requests[1].header("authorization"), Some("Bearer tok"));

    // The API URL has no OFFERKIT_AZURE_ fallback (the two Partner Center APIs differ).
    let lookup = lookup_of(&[
        ("OFFERKIT_AZURE_TENANT_ID", "t"),
        ("OFFERKIT_AZURE_CLIENT_ID", "c"),
        ("OFFERKIT_AZURE_CLIENT_SECRET", "s"),
        ("OFFERKIT_AZURE_URL", "https://elsewhere.example"),
    ]);
    let client = OrdersClient::from_lookup(&lookup).expect("configured");
    assert_eq!(
        client.base_url(),
        "https://api.partnercenter.microsoft.com/"
    );
    assert_eq!(OrdersClient::URL_ENV, "OFFERKIT_ORDERS_URL");

    // The typed sugar builds the same credential without a lookup.
    let err = OrdersClient::builder()
        .azure_credentials("", "app", "secret")
        .expect_err("empty tenant");
    assert!(err.is_invalid_argument(), "{err:?}");
}

/// Every `ErrorInfo` accessor, on real errors built from mock answers (and the two this crate
/// raises before sending).
#[tokio::test]
async fn error_accessors_table() {
    struct Case {
        name: &'static str,
        answer: fn() -> MockResponse,
        status: Option<u16>,
        code: Option<&'static str>,
        message: Option<&'static str>,
        request_id: Option<&'static str>,
        transient: bool,
        unauthorized: bool,
    }
    fn answer(status: u16, body: Value) -> MockResponse {
        MockResponse::json(status, &body).header("MS-RequestId", "rid")
    }
    let cases = [
        Case {
            name: "not found (code as a string, entities decoded)",
            answer: || answer(404, pc_error(json!("20000"), "Order &#39;x&#39; not found")),
            status: Some(404),
            code: Some("20000"),
            message: Some("Order 'x' not found"),
            request_id: Some("rid"),
            transient: false,
            unauthorized: false,
        },
        Case {
            name: "access denied with a 400",
            answer: || answer(400, pc_error(json!(400), "Access denied")),
            status: Some(400),
            code: Some("400"),
            message: Some("Access denied"),
            request_id: Some("rid"),
            transient: false,
            unauthorized: true,
        },
        Case {
            name: "no relationship with a 403 is not a credential problem",
            answer: || answer(403, pc_error(json!(20002), "No relationship")),
            status: Some(403),
            code: Some("20002"),
            message: Some("No relationship"),
            request_id: Some("rid"),
            transient: false,
            unauthorized: false,
        },
        Case {
            name: "throttled (the statusCode shape)",
            answer: || {
                answer(
                    429,
                    json!({"statusCode": 429, "message": "Rate limit is exceeded"}),
                )
            },
            status: Some(429),
            code: Some("429"),
            message: Some("Rate limit is exceeded"),
            request_id: Some("rid"),
            transient: true,
            unauthorized: false,
        },
        Case {
            name: "5xx",
            answer: || answer(503, pc_error(json!(800003), "Unexpected service error")),
            status: Some(503),
            code: Some("800003"),
            message: Some("Unexpected service error"),
            request_id: Some("rid"),
            transient: true,
            unauthorized: false,
        },
        Case {
            name: "connect failure",
            answer: MockResponse::connect_error,
            status: None,
            code: None,
            message: None,
            request_id: None,
            transient: true,
            unauthorized: false,
        },
    ];
    for case in cases {
        let answer = case.answer;
        let mock = MockTransport::new(move |_| answer());
        let client = OrdersClient::builder()
            .credential(Arc::new(StaticToken::new("t")))
            .transport(
                Transport::builder()
                    .retry_policy(RetryPolicy::immediate(0))
                    .http_client(mock.clone())
                    .build()
                    .expect("transport"),
            )
            .build()
            .expect("client");
        let err = client
            .get_order(&customer(), &order_id())
            .await
            .expect_err(case.name);
        let name = case.name;
        assert_eq!(err.status().map(|s| s.as_u16()), case.status, "{name}");
        assert_eq!(err.code().as_deref(), case.code, "{name}");
        assert_eq!(err.message().as_deref(), case.message, "{name}");
        assert_eq!(err.request_id(), case.request_id, "{name}");
        assert_eq!(err.is_transient(), case.transient, "{name}");
        assert_eq!(err.is_unauthorized(), case.unauthorized, "{name}");
        assert!(!err.is_invalid_argument(), "{name}");
        assert!(err.transport_error().is_some(), "{name}");
    }

    // Refused before anything was sent: an invalid id, and lines the order does not have.
    let invalid = Error::from(OrderId::new(" o1").expect_err("padded"));
    let missing = Error::LineItemsNotFound {
        order_id: order_id(),
        missing: vec![5],
        available: vec![0],
    };
    for err in [invalid, missing] {
        assert!(err.is_invalid_argument(), "{err:?}");
        assert!(!err.is_transient() && !err.is_unauthorized(), "{err:?}");
        assert_eq!(
            (err.status(), err.code(), err.request_id()),
            (None, None, None)
        );
        assert!(err.transport_error().is_none());
    }
}
