#![doc = include_str!("../README.md")]
//!
//! ```
//! use offerkit::{Client, Config, Status, Target};
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let client = Client::from_config(&Config::new());
//! let target = Target::from_json(
//!     r#"{"vendor":"appcharge","action":"delete","publisherOfferId":"special-offer-1"}"#,
//! ).unwrap();
//! let outcome = client.retract(&target).await;
//! println!("{}: {}", target.key(), outcome.status().as_str());
//! # });
//! ```
// docs.rs builds with `--cfg docsrs` on nightly: feature-gated items get their "Available on crate feature" badge.
#![cfg_attr(docsrs, feature(doc_cfg))]

// Table of contents: the target format, the one trait, outcomes (of retractions and of
// restores) and errors, configuration, the client that holds one `Retract` impl per compiled-in
// vendor, the health check (`check`: a token and one read per vendor, each failure with its fix),
// and `select`, finding targets by query.
mod check;
mod client;
mod config;
mod error;
mod inspect;
mod outcome;
mod restore;
mod retract;
pub mod select;
mod target;
mod vendors;

pub use async_trait::async_trait;
pub use check::{Check, CheckStep, Stage, fix_for};
pub use client::{Client, ClientBuilder};
pub use config::{
    CONFIG_KEYS, Config, ConfigKey, KeyScope, Network, ProfileChoice, ProfilePermissions,
    VendorConfig, authority_from_token_url, default_profile_file, ims_url_from_token_url,
    markdown_table,
};
pub use error::{Error, ErrorClass, ErrorKind};
pub use inspect::{Inspection, Verdict};
pub use offerkit_models::Vendor;
pub use offerkit_models::ids::{
    AdobeOfferId, CustomerTenantId, InvalidId, JobId, OrderId, PrivateOfferId, PublisherOfferId,
    SubscriptionId,
};
pub use outcome::{Details, Fallback, JobInfo, Outcome, Status};
pub use restore::{
    RestoreContext, RestoreDetails, RestoreOutcome, RestoreStatus, is_restorable,
    not_restorable_reason,
};
pub use retract::{
    JobHandle, JobProgress, JobRecorder, ListQuery, Probe, Query, Retract, RetractContext,
};
pub use target::{
    Action, AdobeDelete, AdobeOfferType, AppchargeDelete, IfOutsideWindow, IngestionDelete,
    IngestionWithdraw, OrdersCancel, OrdersCancelSubscription, OrdersStopRenewal, ResourceRef,
    Target, TargetError, WithdrawRole,
};

/// The transport's pacing hook: a batch installs a [`pacing::Pacer`] for a target's calls with
/// [`pacing::scope`], and every HTTP attempt of them is admitted by it.
pub use offerkit_transport::pacing;

/// The Adobe Offer Library crate.
#[cfg(feature = "adobe-offers")]
pub use offerkit_adobe_offers as adobe_offers;
/// The Appcharge crate.
#[cfg(feature = "appcharge")]
pub use offerkit_appcharge as appcharge;
/// The Partner Center product-ingestion crate.
#[cfg(feature = "partner-center-ingestion")]
pub use offerkit_partner_center_ingestion as partner_center_ingestion;
/// The Partner Center orders crate.
#[cfg(feature = "partner-center-orders")]
pub use offerkit_partner_center_orders as partner_center_orders;
