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

// Table of contents: the target format, the one trait, outcomes and errors, configuration,
// the client that holds one `Retract` impl per compiled-in vendor, and the health check
// (`check`: a token and one read per vendor, each failure with its fix).
mod check;
mod client;
mod config;
mod error;
mod outcome;
mod retract;
mod target;
mod vendors;

pub use async_trait::async_trait;
pub use check::{Check, CheckStep, Stage, fix_for};
pub use client::{Client, ClientBuilder};
pub use config::{
    CONFIG_KEYS, Config, ConfigKey, KeyScope, ProfilePermissions, VendorConfig,
    authority_from_token_url, ims_url_from_token_url, markdown_table,
};
pub use error::{Error, ErrorClass, ErrorKind};
pub use offerkit_models::Vendor;
pub use offerkit_models::ids::{
    AdobeOfferId, CustomerTenantId, InvalidId, JobId, OrderId, PrivateOfferId, PublisherOfferId,
    SubscriptionId,
};
pub use outcome::{Details, Fallback, JobInfo, Outcome, Status};
pub use retract::{
    JobHandle, JobProgress, JobRecorder, ListQuery, Probe, Query, Retract, RetractContext,
};
pub use target::{
    Action, AdobeDelete, AdobeOfferType, AppchargeDelete, IfOutsideWindow, IngestionDelete,
    IngestionWithdraw, OrdersCancel, OrdersCancelSubscription, OrdersStopRenewal, ResourceRef,
    Target, TargetError, WithdrawRole,
};

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
