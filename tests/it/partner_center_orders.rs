//! Partner Center orders end to end against the offerkit sandbox: the crate's client and the facade's
//! `Retract` impl, with Azure AD tokens from the sandbox's token endpoint.

use offerkit::{Client, Config, Probe, Query, ResourceRef, Status, Target, Vendor};
use offerkit_partner_center_orders::{
    AlreadyCancelled, CancelOrder, CustomerTenantId, ErrorInfo, Evidence, OrderId, OrdersClient,
    Retraction,
};
use offerkit_sandbox::Sandbox;
use serde_json::json;

const CUSTOMER: &str = "45411344-b09d-47e7-9653-542006bf9766";

fn seed_order(id: &str, creation_date: Option<&str>) -> serde_json::Value {
    let mut order = json!({
        "id": id,
        "referenceCustomerId": CUSTOMER,
        "lineItems": [
            {"lineItemNumber": 0, "offerId": "DG7GMGF0FKZV:0003:DG7GMGF0DWMS", "quantity": 1, "friendlyName": "SQL Server Enterprise"},
            {"lineItemNumber": 1, "offerId": "DG7GMGF0DVT7:000C:DG7GMGF0FVZM", "quantity": 5, "termDuration": "P1Y"},
            {"lineItemNumber": 2, "offerId": "DG7GMGF0DVT7:000D:DG7GMGF0FVZN", "quantity": 2}
        ]
    });
    if let Some(date) = creation_date {
        order["creationDate"] = json!(date);
    }
    order
}

fn order_path(order: &str) -> String {
    format!("/v1/customers/{CUSTOMER}/orders/{order}")
}

/// A client configured the way a user would: the crate's own `OFFERKIT_ORDERS_*` keys, the
/// sandbox's Azure AD emulation as the authority (token URL = authority + `/{tenant}/oauth2/token`).
pub(crate) fn client(sandbox: &Sandbox) -> OrdersClient {
    let root = sandbox.base_url().to_owned();
    OrdersClient::from_lookup(&move |key| match key {
        "OFFERKIT_ORDERS_TENANT_ID" => Some("sandbox-tenant".to_owned()),
        "OFFERKIT_ORDERS_CLIENT_ID" => Some("sandbox-client".to_owned()),
        "OFFERKIT_ORDERS_CLIENT_SECRET" => Some("sandbox-secret".to_owned()),
        "OFFERKIT_ORDERS_AUTHORITY" | "OFFERKIT_ORDERS_URL" => Some(root.clone()),
        _ => None,
    })
    .expect("client")
}

#[tokio::test]
async fn cancels_line_items_reads_back_and_repeats_as_already_retracted() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    sandbox
        .seed(&json!({"orders": [seed_order("order-partial", None)]}))
        .expect("seed");
    let client = client(&sandbox);
    let customer = CustomerTenantId::new(CUSTOMER).expect("id");
    let order = OrderId::new("order-partial").expect("id");
    let cancel = CancelOrder::line_items(customer.clone(), order.clone(), [0, 2]);

    let first = client.cancel_order(&cancel).await.expect("cancel");
    let Retraction::Retracted(result) = first else {
        panic!("expected Retracted, got {first:?}");
    };
    assert_eq!(result.cancelled_line_items, vec![0, 2]);
    assert_eq!(result.remaining_line_items, vec![1]);
    assert!(!result.whole_order_cancelled, "partial: status completed");
    assert!(result.request_id.is_some(), "MS-RequestId echoed");
    assert_eq!(sandbox.count("PATCH", &order_path("order-partial")), 1);
    assert_eq!(
        sandbox.acted_count("PATCH", &order_path("order-partial")),
        1
    );

    let read = client
        .get_order(&customer, &order)
        .await
        .expect("read back");
    let quantities: Vec<_> = read
        .line_items
        .unwrap_or_default()
        .iter()
        .map(|l| l.quantity.as_ref().and_then(|q| q.as_i64()))
        .collect();
    assert_eq!(quantities, vec![Some(0), Some(5), Some(0)]);

    let again = client.cancel_order(&cancel).await.expect("repeat");
    let Retraction::AlreadyRetracted(AlreadyCancelled { evidence, .. }) = again else {
        panic!("expected AlreadyRetracted, got {again:?}");
    };
    assert_eq!(evidence, Evidence::PreRead);
    assert_eq!(
        sandbox.count("PATCH", &order_path("order-partial")),
        1,
        "exactly one PATCH reached the server"
    );

    let status = client
        .provisioning_status(&customer, &order)
        .await
        .expect("provisioning status");
    assert_eq!(status.items.unwrap_or_default().len(), 3);
    let listed = client.list_orders(&customer).await.expect("list");
    assert_eq!(listed.total_count, Some(1));
    sandbox.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn a_cancellation_after_the_window_is_refused_with_a_typed_error() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    sandbox
        .seed(&json!({"orders": [seed_order("order-old", Some("2020-01-01T00:00:00Z"))]}))
        .expect("seed");
    let err = client(&sandbox)
        .cancel_order(&CancelOrder::whole(
            CustomerTenantId::new(CUSTOMER).expect("id"),
            OrderId::new("order-old").expect("id"),
        ))
        .await
        .expect_err("too late");
    assert!(err.is_outside_cancellation_window(), "{err:?}");
    assert_eq!(err.code().as_deref(), Some("900117"));
    assert!(
        err.to_string().contains("cancellation window has ended"),
        "{err}"
    );
    assert_eq!(sandbox.count("PATCH", &order_path("order-old")), 1);

    let missing = client(&sandbox)
        .get_order(
            &CustomerTenantId::new(CUSTOMER).expect("id"),
            &OrderId::new("no-such-order").expect("id"),
        )
        .await
        .expect_err("404");
    assert!(missing.is_not_found(), "{missing:?}");
    assert_eq!(missing.code().as_deref(), Some("20000"));
    sandbox.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn the_facade_cancels_a_whole_order_probes_and_queries() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    sandbox
        .seed(&json!({"orders": [seed_order("order-whole", None)]}))
        .expect("seed");
    let root = sandbox.base_url();
    let vendor = Vendor::PartnerCenterOrders;
    let config = Config::new()
        .with_base_url(vendor, root)
        .with_credential(vendor, "authority", root)
        .with_credential(vendor, "tenant-id", "sandbox-tenant")
        .with_credential(vendor, "client-id", "sandbox-client")
        .with_credential(vendor, "client-secret", "sandbox-secret");
    let client = Client::from_config(&config);
    let target = Target::from_json(&format!(
        r#"{{"vendor":"partner-center-orders","action":"cancel","customerTenantId":"{CUSTOMER}","orderId":"order-whole"}}"#
    ))
    .expect("target");

    assert!(matches!(
        client.probe(&target).await.expect("probe"),
        Probe::Present(_)
    ));
    let outcome = client.retract(&target).await;
    assert_eq!(outcome.status(), Status::Retracted, "{outcome:?}");
    let response = outcome.details().response.clone().expect("response");
    assert_eq!(response["wholeOrderCancelled"], true);
    assert_eq!(response["order"]["status"], "cancelled");
    assert!(outcome.details().request_id.is_some());

    let again = client.retract(&target).await;
    assert_eq!(again.status(), Status::AlreadyRetracted, "{again:?}");
    assert_eq!(sandbox.count("PATCH", &order_path("order-whole")), 1);
    assert!(matches!(
        client.probe(&target).await.expect("probe"),
        Probe::Gone(_)
    ));

    let read = client
        .query(&Query::Get(target.resource()))
        .await
        .expect("get");
    assert_eq!(read.response.expect("order")["status"], "cancelled");

    let missing = Target::from_json(&format!(
        r#"{{"vendor":"partner-center-orders","action":"cancel","customerTenantId":"{CUSTOMER}","orderId":"nope","lineItems":[0]}}"#
    ))
    .expect("target");
    let failed = client.retract(&missing).await;
    assert_eq!(failed.status(), Status::Failed);
    let error = failed.error().expect("error");
    assert_eq!(error.kind(), offerkit::ErrorKind::NotFound);
    assert_eq!(error.code(), Some("20000"));
    let probe_err = client
        .probe(&missing)
        .await
        .expect_err("probe of a missing order");
    assert_eq!(probe_err.kind(), offerkit::ErrorKind::NotFound);
    assert!(matches!(target.resource(), ResourceRef::Order { .. }));
    sandbox.shutdown().await.expect("shutdown");
}

/// The order and line-item fields of the docs and the .NET SDK models are typed, and the sandbox
/// keeps and answers them (issue 14).
#[tokio::test]
async fn typed_order_fields_round_trip_through_the_sandbox() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let mut order = seed_order("order-priced", None);
    order["billingCycle"] = json!("Biennial");
    order["totalPrice"] = json!(1234.5);
    order["partnerOnRecordAttestationAccepted"] = json!(true);
    order["lineItems"][1]["pricing"] = json!({
        "listPrice": 12.0, "discountedPrice": 10.8, "proratedPrice": 9.5, "price": 9.5, "extendedPrice": 47.5
    });
    order["lineItems"][1]["promotionId"] = json!("39NFJQT1Q5KL:0001:39NFJQT1Q5KM");
    order["lineItems"][1]["customTermEndDate"] = json!("2027-06-30T00:00:00Z");
    order["lineItems"][1]["additionalPartnerIdsOnRecord"] = json!(["4847383", "873452"]);
    order["lineItems"][1]["attestationAccepted"] = json!(true);
    order["lineItems"][2]["pricing"] = json!(null);
    sandbox.seed(&json!({"orders": [order]})).expect("seed");

    let read = client(&sandbox)
        .get_order(
            &CustomerTenantId::new(CUSTOMER).expect("id"),
            &OrderId::new("order-priced").expect("id"),
        )
        .await
        .expect("read");
    use offerkit_partner_center_orders::models::BillingCycle;
    assert_eq!(read.billing_cycle, Some(BillingCycle::Biennial));
    assert_eq!(
        read.total_price.as_ref().and_then(|n| n.as_f64()),
        Some(1234.5)
    );
    assert_eq!(read.partner_on_record_attestation_accepted, Some(true));
    assert!(
        read.extra.is_empty(),
        "nothing left untyped: {:?}",
        read.extra
    );
    let lines = read.line_items.expect("lines");
    let line = &lines[1];
    assert!(
        line.extra.is_empty(),
        "nothing left untyped: {:?}",
        line.extra
    );
    let pricing = line.pricing.clone().flatten().expect("pricing");
    assert_eq!(pricing.extended_price.and_then(|n| n.as_f64()), Some(47.5));
    assert_eq!(pricing.list_price.and_then(|n| n.as_f64()), Some(12.0));
    assert_eq!(
        line.promotion_id.as_deref(),
        Some("39NFJQT1Q5KL:0001:39NFJQT1Q5KM")
    );
    assert_eq!(
        line.custom_term_end_date.as_ref().map(|d| d.raw()),
        Some("2027-06-30T00:00:00Z")
    );
    assert_eq!(
        line.additional_partner_ids_on_record.as_deref(),
        Some(&["4847383".to_owned(), "873452".to_owned()][..])
    );
    assert_eq!(line.attestation_accepted, Some(true));
    assert_eq!(lines[2].pricing, Some(None), "an explicit null is kept");

    // A mistyped price is refused as the vendor refuses bad input.
    let mut bad = seed_order("order-bad", None);
    bad["lineItems"][0]["pricing"] = json!({"price": "cheap"});
    let err = sandbox
        .seed(&json!({"orders": [bad]}))
        .expect_err("refused");
    assert!(
        err.to_string().contains("pricing.price must be a number"),
        "{err}"
    );
    sandbox.shutdown().await.expect("shutdown");
}
