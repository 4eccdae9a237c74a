#![doc = include_str!("../README.md")]
// docs.rs builds with `--cfg docsrs` on nightly: feature-gated items get their "Available on crate feature" badge.
#![cfg_attr(docsrs, feature(doc_cfg))]

// The client, its builder and the configuration keys it reads.
mod client;
// Re-creating an offer from a snapshot, finding offers by name.
mod create;
// `Error` and the gateway codes, read through `ErrorInfo`.
mod error;
// delete, delete_and_verify, get, list and `_links.next` paging.
mod offers;

/// The client, its builder and the `SERVICE` description the transport sends with.
pub use client::{AdobeOffersClient, AdobeOffersClientBuilder, SERVICE};
/// Re-creating an offer from a snapshot (`offerkit restore`).
pub use create::{CreatedOffer, SERVER_ASSIGNED_FIELDS, restore_body};
/// The error of every call and the gateway codes it types.
pub use error::{Error, GatewayError};
/// The Adobe records and error body this crate returns.
pub use offerkit_models::adobe_offers::{AepError, AepErrorKind, Offer, OfferPage, OfferType};
/// The offer id, checked once (`offerkit_models::ids`).
pub use offerkit_models::ids::{AdobeOfferId, InvalidId};
/// A record together with its JSON as sent (snapshots).
pub use offerkit_models::raw::WithRaw;
/// What a delete achieved: `Retracted(Deleted<()>)` or `AlreadyRetracted(NotFound)`.
pub use offerkit_models::retraction::{Deleted, NotFound, Retraction};
/// The accessors every offerkit error answers (`status`, `code`, `is_unauthorized`...).
pub use offerkit_transport::ErrorInfo;
/// List parameters and the page walker.
pub use offers::{ListOptions, OfferPager, is_plain_property_value};

/// The Adobe models (`offerkit_models::adobe_offers`): every record type, lenient parsing.
pub use offerkit_models::adobe_offers as models;
/// The HTTP layer (`offerkit_transport`): [`transport::Transport`], [`transport::RetryPolicy`],
/// [`transport::AdobeImsCredentials`], and `mock` with this crate's `test-util` feature.
pub use offerkit_transport as transport;
