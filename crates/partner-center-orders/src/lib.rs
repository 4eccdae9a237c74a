//! Cancel Microsoft Partner Center software purchases: whole orders or chosen line items.
//!
//! | Module | What it holds |
//! |---|---|
//! | [`client`] | [`OrdersClient`] and its builder (base URL, Azure AD credential, transport) |
//! | [`cancel`] | [`CancelOrder`], [`CancelResult`], [`OrdersClient::cancel_order`], [`already_cancelled`] |
//! | [`orders`] | [`OrdersClient::get_order`], [`OrdersClient::list_orders`], [`OrdersClient::provisioning_status`] |
//! | [`retraction`] | [`Retraction`]: cancelled by this call, or already cancelled before it |
//! | [`error`] | [`Error`], with Partner Center's error codes typed |
//! | [`ids`] | [`CustomerTenantId`], [`OrderId`] |
//!
//! The order models come from [`offerkit_models::partner_center_orders`] (re-exported as [`models`]).
//!
//! # Example
//!
//! ```no_run
//! use offerkit_partner_center_orders::{CancelOrder, CustomerTenantId, OrderId, OrdersClient, Retraction};
//!
//! # async fn run() -> Result<(), offerkit_partner_center_orders::Error> {
//! // OFFERKIT_AZURE_TENANT_ID, OFFERKIT_AZURE_CLIENT_ID, OFFERKIT_AZURE_CLIENT_SECRET
//! let client = OrdersClient::from_env()?;
//! let customer = CustomerTenantId::new("45411344-b09d-47e7-9653-542006bf9766")?;
//! let order = OrderId::new("2y6dF_rVgDAXMxypQPPnTquuXhKVK_3N1")?;
//!
//! match client.cancel_order(&CancelOrder::line_items(customer, order, [0])).await? {
//!     Retraction::Retracted(result) => {
//!         println!("cancelled {:?}; whole order: {}", result.cancelled_line_items, result.whole_order_cancelled)
//!     }
//!     Retraction::AlreadyRetracted { .. } => println!("already cancelled, nothing sent"),
//!     _ => {}
//! }
//! # Ok(()) }
//! ```
//!
//! # Unit tests without a server
//!
//! With the `test-util` feature of `offerkit-transport`, a `MockTransport` answers requests from a
//! function:
//!
//! ```
//! use offerkit_partner_center_orders::{CancelOrder, CustomerTenantId, OrderId, OrdersClient};
//! use offerkit_transport::mock::{MockResponse, MockTransport};
//! use offerkit_transport::StaticToken;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), offerkit_partner_center_orders::Error> {
//! let mock = MockTransport::new(|req| match req.method.as_str() {
//!     "PATCH" => MockResponse::json(200, &serde_json::json!({
//!         "id": "o1", "status": "cancelled", "lineItems": [{"lineItemNumber": 0, "quantity": 0}]
//!     })),
//!     _ => MockResponse::json(200, &serde_json::json!({
//!         "id": "o1", "status": "completed", "lineItems": [{"lineItemNumber": 0, "quantity": 1}]
//!     })),
//! });
//! let client = OrdersClient::builder()
//!     .credential(StaticToken::new("token"))
//!     .transport(mock.transport())
//!     .build()?;
//! let cancel = CancelOrder::whole(CustomerTenantId::new("c1")?, OrderId::new("o1")?);
//! let outcome = client.cancel_order(&cancel).await?;
//! assert!(outcome.value().whole_order_cancelled);
//! assert_eq!(mock.requests()[1].json_body(), serde_json::json!({"id": "o1", "status": "cancelled"}));
//! # Ok(()) }
//! ```

pub mod cancel;
pub mod client;
pub mod error;
pub mod ids;
pub mod orders;
pub mod retraction;

pub use cancel::{CancelOrder, CancelResult, already_cancelled};
pub use client::{OrdersClient, OrdersClientBuilder, SERVICE};
pub use error::{Error, VendorAnswer};
pub use ids::{CustomerTenantId, OrderId};
pub use retraction::{Evidence, Retraction};

/// The Partner Center order models (`Order`, `OrderLineItem`, `OrderCollection`, ...).
pub use offerkit_models::partner_center_orders as models;
/// The transport this crate sends through (credentials such as `AzureClientCredentials`, `Transport`,
/// `RetryPolicy`), re-exported so callers need no extra dependency.
pub use offerkit_transport as transport;
