//! Delete Appcharge web-store offers (Offers V2), and read them back.
//!
//! | Item | What it is |
//! |---|---|
//! | [`AppchargeClient`] | the client: [`AppchargeClient::builder`] or [`AppchargeClient::from_env`] |
//! | [`AppchargeClient::delete_offer`] | `DELETE /v2/offer/{publisherOfferId}` → [`Retraction`]`<`[`Offer`]`>` |
//! | [`AppchargeClient::get_offers`] | `GET /v2/offer?publisherOfferIds=a,b` → [`OfferList`] |
//! | [`AppchargeClient::get_offer`] | one offer, or `None` when Appcharge does not have it |
//! | [`AppchargeClient::list_offers`] | `GET /v2/offer`: every offer |
//! | [`PublisherOfferId`] | a checked offer id |
//! | [`Retraction`] | deleted now, or already gone (404): idempotent re-runs |
//! | [`Error`] | invalid argument, unauthorized (401/403), rejected (other 4xx), transport |
//! | [`Environment`] | production `https://api.appcharge.com` or sandbox `https://api-sandbox.appcharge.com` |
//! | [`models`], [`transport`] | the models and transport crates, re-exported |
//!
//! ```no_run
//! use offerkit_appcharge::{AppchargeClient, PublisherOfferId, Retraction};
//!
//! # async fn run() -> Result<(), offerkit_appcharge::Error> {
//! // OFFERKIT_APPCHARGE_PUBLISHER_TOKEN (and optionally OFFERKIT_APPCHARGE_URL).
//! let client = AppchargeClient::from_env()?;
//! let id = PublisherOfferId::new("special-offer-1")?;
//! match client.delete_offer(&id).await? {
//!     Retraction::Retracted { value: offer, .. } => println!("deleted {:?}", offer.name),
//!     Retraction::AlreadyRetracted { .. } => println!("{id} was already gone"),
//!     _ => {}
//! }
//! assert!(client.get_offer(&id).await?.is_none());
//! # Ok(()) }
//! ```

mod client;
mod error;
mod ids;
mod offers;
mod retraction;

pub use client::{
    AppchargeClient, AppchargeClientBuilder, Environment, PRODUCTION_BASE_URL, SANDBOX_BASE_URL,
    SERVICE, TOKEN_ENV, URL_ENV,
};
pub use error::Error;
pub use ids::PublisherOfferId;
pub use offerkit_models::appcharge::{AppchargeErrorBody, Offer, OfferList};
pub use offers::MAX_IDS_PER_REQUEST;
pub use retraction::Retraction;

/// The Appcharge models (`offerkit_models::appcharge`): every record type, lenient parsing.
pub use offerkit_models::appcharge as models;
/// The HTTP layer (`offerkit_transport`): [`transport::Transport`], [`transport::RetryPolicy`],
/// credentials, and `mock` with its `test-util` feature.
pub use offerkit_transport as transport;
