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
