//! Delete Adobe Journey Optimizer Offer Library offers (personalized and fallback), verified by the
//! documented 404 read-back, and read them.
//!
//! | Item | What it is |
//! |---|---|
//! | [`AdobeOffersClient`] | the client: [`AdobeOffersClient::builder`] or [`AdobeOffersClient::from_env`] |
//! | [`AdobeOffersClient::delete_offer`] | `DELETE /offers/{id}?offer-type=…` → [`Retraction`]`<()>` (200 with an empty body; 404 = already retracted) |
//! | [`AdobeOffersClient::delete_and_verify`] | delete, then require the GET to answer 404 ([`Error::StillPresent`] otherwise) |
//! | [`AdobeOffersClient::get_offer`] | `GET /offers/{id}?offer-type=…` → `Option<`[`Offer`]`>` |
//! | [`AdobeOffersClient::list_offers`], [`AdobeOffersClient::next_page`], [`AdobeOffersClient::pager`] | `GET /offers?offer-type=…` and `_links.next.href` paging |
//! | [`OfferId`], [`OfferType`], [`ListOptions`] | checked id, `personalized`/`fallback`, list parameters |
//! | [`Error`], [`GatewayError`] | typed AEP errors (gateway codes, problem details, content-type) |
//! | [`models`], [`transport`] | the models and transport crates, re-exported |
//!
//! ```no_run
//! use offerkit_adobe_offers::{AdobeOffersClient, OfferId, OfferType, Retraction};
//!
//! # async fn run() -> Result<(), offerkit_adobe_offers::Error> {
//! // OFFERKIT_ADOBE_CLIENT_ID, _CLIENT_SECRET, _ORG_ID (+ optional _SANDBOX_NAME, _URL).
//! let client = AdobeOffersClient::from_env()?;
//! let id = OfferId::new("personalizedOffer1234")?;
//! match client.delete_and_verify(&id, OfferType::Personalized).await? {
//!     Retraction::Retracted { request_id, .. } => println!("deleted ({request_id:?}), GET now 404"),
//!     Retraction::AlreadyRetracted { .. } => println!("{id} was already gone"),
//!     _ => {}
//! }
//! # Ok(()) }
//! ```

mod client;
mod error;
mod ids;
mod offers;
mod retraction;

pub use client::{AdobeOffersClient, AdobeOffersClientBuilder, ENDPOINT_PATH, SERVICE, URL_ENV};
pub use error::{Error, GatewayError};
pub use ids::OfferId;
pub use offerkit_models::adobe_offers::{AepError, AepErrorKind, Offer, OfferPage, OfferType};
pub use offers::{ListOptions, OfferPager};
pub use retraction::Retraction;

/// The Adobe models (`offerkit_models::adobe_offers`): every record type, lenient parsing.
pub use offerkit_models::adobe_offers as models;
/// The HTTP layer (`offerkit_transport`): [`transport::Transport`], [`transport::RetryPolicy`],
/// [`transport::AdobeImsCredentials`], and `mock` with its `test-util` feature.
pub use offerkit_transport as transport;
