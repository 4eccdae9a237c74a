#![doc = include_str!("../README.md")]
// docs.rs builds with `--cfg docsrs` on nightly: feature-gated items get their "Available on crate feature" badge.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod cancel; // what to cancel, what it did, and the already-cancelled check
mod client; // the client, its builder and its configuration keys
mod customers; // the partner's customers (the read that needs no customer id)
mod error; // the error, with Partner Center's codes typed
mod orders; // reading orders and their provisioning status
mod subscriptions; // new-commerce subscriptions: read, cancel inside the window, stop the renewal

// `OrdersClient::cancel_order`'s argument, result, and evidence of a repeat.
pub use cancel::{
    AlreadyCancelled, CancelOrder, CancelOutcome, CancelResult, Evidence, PERPETUAL_WINDOW_DAYS,
    SUBSCRIPTION_WINDOW_DAYS, already_cancelled, cancel_refusal,
};
// The client, its builder, and the service description the transport sends with.
pub use client::{OrdersClient, OrdersClientBuilder, SERVICE};
// The error of every call, and what Partner Center answered.
pub use error::{Error, POLICY_REFUSALS, VendorAnswer};
// `OrdersClient::cancel_subscription` / `stop_renewal`: argument, choice past the window, result.
pub use subscriptions::{
    CancelSubscription, Fallback, IfOutsideWindow, SubscriptionOutcome, SubscriptionResult,
    cancellation_window_end, is_past_cancellation_window, now_unix,
};

// The ids this crate takes (one definition for the whole workspace).
pub use offerkit_models::ids::{CustomerTenantId, InvalidId, OrderId, SubscriptionId};
// Cancelled by this call, or already cancelled before it.
pub use offerkit_models::Retraction;
/// The Partner Center order models (`Order`, `OrderLineItem`, `OrderCollection`, ...).
pub use offerkit_models::partner_center_orders as models;
// The accessors every offerkit error answers (`status`, `code`, `request_id`, ...).
/// The transport this crate sends through (credentials such as `AzureClientCredentials`,
/// `Transport`, `RetryPolicy`, and `mock` with the `test-util` feature), re-exported so callers
/// need no extra dependency.
pub use offerkit_transport as transport;
pub use offerkit_transport::ErrorInfo;
