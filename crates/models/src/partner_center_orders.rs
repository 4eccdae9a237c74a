//! Microsoft Partner Center REST API: orders (feature `partner-center-orders`).
//!
//! The record types are generated from `specs/partner_center_orders.schema.json`. Enums such as
//! `billingCycle` (`one_time` vs `OneTime`) and the line `transactionType` (`New` vs `new`) parse
//! case-insensitively, numeric error codes parse, and [`OrdersErrorBody`] covers both error shapes.
//!
//! ```
//! use offerkit_models::partner_center_orders::{CancelLineItem, CancelOrderRequest};
//! let body = CancelOrderRequest::new(
//!     "2y6dF_rVgDAXMxypQPPnTquuXhKVK_3N1",
//!     vec![CancelLineItem::new(0, "DG7GMGF0FKZV:0003:DG7GMGF0DWMS")],
//! );
//! assert_eq!(
//!     serde_json::to_string(&body).unwrap(),
//!     r#"{"id":"2y6dF_rVgDAXMxypQPPnTquuXhKVK_3N1","status":"cancelled","lineItems":[{"lineItemNumber":0,"offerId":"DG7GMGF0FKZV:0003:DG7GMGF0DWMS"}]}"#
//! );
//! ```

pub use crate::generated::partner_center_orders::*;

use crate::VendorErrorBody;

/// Base URL of the Partner Center REST API (public cloud and US Government).
pub const BASE_URL: &str = "https://api.partnercenter.microsoft.com";

impl CancelOrderRequest {
    /// A cancel body for `order_id` (take it from the path, not the order's `alternateId`). Empty
    /// `line_items` cancels the whole order.
    pub fn new(order_id: impl Into<String>, line_items: Vec<CancelLineItem>) -> Self {
        Self {
            id: order_id.into(),
            status: Some(OrderStatus::Cancelled),
            line_items: (!line_items.is_empty()).then_some(line_items),
            extra: serde_json::Map::new(),
        }
    }
}

impl CancelLineItem {
    /// The line `line_item_number` with its `offer_id`.
    pub fn new(line_item_number: i64, offer_id: impl Into<String>) -> Self {
        Self {
            line_item_number,
            offer_id: Some(offer_id.into()),
            extra: serde_json::Map::new(),
        }
    }
}

impl OrderLineItem {
    /// Whether the line reads as cancelled (quantity 0 after a cancel PATCH).
    pub fn is_cancelled(&self) -> bool {
        self.quantity
            .as_ref()
            .and_then(crate::lenient::StringOrNumber::as_f64)
            == Some(0.0)
    }
}

impl VendorErrorBody for OrdersErrorBody {
    fn code(&self) -> Option<String> {
        self.code
            .as_ref()
            .map(ToString::to_string)
            .or_else(|| self.status_code.map(|c| c.to_string()))
    }

    fn message(&self) -> Option<String> {
        self.description.clone().or_else(|| self.message.clone())
    }
}

/// When a subscription's cancellation window ends, as read from `cancellationAllowedUntilDate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CancellationWindow {
    /// Cancellable until this instant (Unix seconds, inclusive).
    Until(i64),
    /// `null`: the subscription cannot be cancelled (.NET SDK: "For subscriptions that are not
    /// allowed to be cancelled, this value is null").
    NotCancellable,
    /// Absent or unreadable: only the vendor can tell.
    Unknown,
}

impl Subscription {
    /// Whether the subscription is cancelled (`status: deleted`).
    pub fn is_deleted(&self) -> bool {
        self.status == Some(SubscriptionStatus::Deleted)
    }

    /// The entity tag, from `attributes.etag` (where Partner Center puts it).
    pub fn etag(&self) -> Option<&str> {
        self.attributes
            .as_ref()
            .and_then(|a| a.etag.as_deref())
            .filter(|e| !e.is_empty())
    }

    /// The cancellation window, from `cancellationAllowedUntilDate`.
    ///
    /// ```
    /// use offerkit_models::partner_center_orders::{CancellationWindow, Subscription};
    /// let s: Subscription = serde_json::from_str(r#"{"cancellationAllowedUntilDate": "2021-10-14T23:59:00Z"}"#).unwrap();
    /// assert_eq!(s.cancellation_window(), CancellationWindow::Until(1634255940));
    /// let s: Subscription = serde_json::from_str(r#"{"cancellationAllowedUntilDate": null}"#).unwrap();
    /// assert_eq!(s.cancellation_window(), CancellationWindow::NotCancellable);
    /// assert_eq!(Subscription::default().cancellation_window(), CancellationWindow::Unknown);
    /// ```
    pub fn cancellation_window(&self) -> CancellationWindow {
        match &self.cancellation_allowed_until_date {
            Some(None) => CancellationWindow::NotCancellable,
            Some(Some(date)) => date.timestamp().map_or(CancellationWindow::Unknown, |t| {
                CancellationWindow::Until(t.unix_seconds())
            }),
            None => CancellationWindow::Unknown,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_order_fields_and_biennial() {
        let order: Order = serde_json::from_value(serde_json::json!({
            "billingCycle": "Biennial", "totalPrice": 10.5, "partnerOnRecordAttestationAccepted": true,
            "lineItems": [{"pricing": {"listPrice": 1, "extendedPrice": 2.5}, "promotionId": "p",
                "customTermEndDate": "2027-01-31T00:00:00Z", "additionalPartnerIdsOnRecord": ["1"],
                "attestationAccepted": false}]
        }))
        .expect("order");
        assert_eq!(order.billing_cycle, Some(BillingCycle::Biennial));
        assert!(order.extra.is_empty());
        let line = &order.line_items.expect("lines")[0];
        assert!(line.extra.is_empty(), "{:?}", line.extra);
        let pricing = line.pricing.clone().flatten().expect("pricing");
        assert_eq!(pricing.extended_price.and_then(|n| n.as_f64()), Some(2.5));
        assert_eq!(line.attestation_accepted, Some(false));
    }

    #[test]
    fn subscription_of_the_docs_sample_is_typed_and_round_trips() {
        let text = r#"{"id":"d3b7c9a2-9a4b-40b2-b075-6e442909e3e7","offerId":"DG7GMGF0DVSV:000P:DG7GMGF0F3Q9",
            "productType":{"id":"Software","displayName":"Software"},"quantity":1,"unitType":"Licenses",
            "creationDate":"2021-09-14T16:44:14.1210743Z","commitmentEndDate":"2024-09-13T00:00:00Z",
            "cancellationAllowedUntilDate":"2021-10-14T23:59:00Z","status":"Active","autoRenewEnabled":true,
            "billingCycle":"triennial","termDuration":"P3Y","renewalTermDuration":"",
            "refundOptions":[{"type":"Full","expiresAt":"2021-10-14T23:59:00Z"}],
            "refundableQuantity":{"totalQuantity":1,"details":[{"quantity":1,"allowedUntilDateTime":"2021-10-14T23:59:00Z"}]},
            "scheduledNextTermInstructions":null,"actionTaken":false,
            "attributes":{"objectType":"Subscription","etag":"W/1"}}"#;
        let sub: Subscription = serde_json::from_str(text).expect("subscription");
        assert_eq!(sub.status, Some(SubscriptionStatus::Active));
        assert_eq!(sub.etag(), Some("W/1"));
        assert_eq!(sub.auto_renew_enabled, Some(true));
        assert_eq!(
            sub.extra.get("actionTaken"),
            Some(&serde_json::json!(false))
        );
        let back = serde_json::to_value(&sub).expect("write");
        assert_eq!(back["actionTaken"], false, "unknown fields are sent back");
        assert_eq!(back["refundOptions"][0]["type"], "Full");
        assert_eq!(back["productType"]["displayName"], "Software");
    }
}
