#![doc = include_str!("../README.md")]
// docs.rs builds with `--cfg docsrs` on nightly: feature-gated items get their "Available on crate feature" badge.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod client;
mod configure;
mod error;
mod job;
mod offers;
mod requests;

// The client, its builder and the service description.
pub use client::{IngestionClient, IngestionClientBuilder, SERVICE};
// `POST /configure`: any envelope; the accepted job.
pub use configure::Submitted;
// Typed vendor meanings over the transport error.
pub use error::Error;
// Configure jobs: the serializable handle, the poller and what it finds.
pub use job::{JobHandle, JobOutcome, JobPurpose, JobState, PollProgress, Poller};
// Reading offers, and what a read says about an offer already retracted.
pub use offers::{
    OfferGone, PrivateOfferPages, PrivateOfferQuery, WithdrawRole, delete_refusal, is_deleted,
    is_withdrawn, withdraw_refusal,
};
// The delete and withdraw requests.
pub use requests::{DeletePrivateOffer, WithdrawPrivateOffer};

// The ids this crate takes (checked once, in `offerkit_models::ids`).
pub use offerkit_models::ids::{InvalidId, JobId, PrivateOfferId};
// Retracted by this call, or already retracted ([`OfferGone`]).
pub use offerkit_models::Retraction;
// The accessors every offerkit error answers (`status`, `code`, `request_id`, `is_transient`, ...).
pub use offerkit_transport::ErrorInfo;

/// The product-ingestion models (`offerkit_models::partner_center_ingestion`): [`models::PrivateOffer`],
/// [`models::ConfigureRequest`], [`models::ConfigureStatus`], the `$version` constants, ...
pub use offerkit_models::partner_center_ingestion as models;
/// The HTTP layer: credentials, [`transport::Transport`], [`transport::RetryPolicy`], and `mock` with
/// the `test-util` feature.
pub use offerkit_transport as transport;
