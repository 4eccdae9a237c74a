#![doc = include_str!("../README.md")]
// docs.rs builds with `--cfg docsrs` on nightly: feature-gated items get their "Available on crate feature" badge.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod client;
mod create;
mod error;
mod offers;

// The client, its builder and the deployment to talk to.
pub use client::{AppchargeClient, AppchargeClientBuilder, Environment, SERVICE};
// Re-creating an offer from a snapshot (`offerkit restore`).
pub use create::{CreateOutcome, SERVER_ASSIGNED_FIELDS, restore_body};
// The error, and the accessor trait it answers (`status`, `message`, `is_unauthorized`, ...).
pub use error::Error;
pub use offerkit_transport::ErrorInfo;
// The checked offer id (the one definition in offerkit-models) and its refusal.
pub use offerkit_models::ids::{InvalidId, PublisherOfferId};
// What `delete_offer` returns: deleted now, or already gone (404).
pub use offerkit_models::retraction::{Deleted, NotFound, Retraction};
// A record together with its JSON as sent (snapshots).
pub use offerkit_models::raw::WithRaw;
// The records Appcharge sends.
pub use offerkit_models::appcharge::{AppchargeErrorBody, Offer, OfferList};
// How many ids one `get_offers` request carries.
pub use offers::MAX_IDS_PER_REQUEST;

/// The Appcharge models (`offerkit_models::appcharge`): every record type, lenient parsing.
pub use offerkit_models::appcharge as models;
/// The HTTP layer (`offerkit_transport`): [`transport::Transport`], [`transport::RetryPolicy`],
/// credentials, and `mock` with this crate's `test-util` feature.
pub use offerkit_transport as transport;
