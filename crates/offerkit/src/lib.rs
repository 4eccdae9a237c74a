//! offerkit: retract commercial offers and purchases through one model, whatever the vendor.
//!
//! - [`Target`]: what to retract (one JSON line each: vendor + action + ids).
//! - [`Retract`]: the one trait each vendor implements (retract, probe, resume, query).
//! - [`Outcome`]: `Retracted`, `AlreadyRetracted` or `Failed` with an [`Error`], plus
//!   request id, vendor response and job state ([`Details`]).
//! - [`Client`]: one impl per vendor, built from a [`Config`] (env and/or TOML profile).
//!
//! Vendors are cargo features (all on by default): `partner-center-ingestion`,
//! `partner-center-orders`, `adobe-offers`, `appcharge`. Their crates are re-exported
//! under the same names with underscores.
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

mod client;
mod config;
mod error;
mod ids;
mod outcome;
mod retract;
mod target;
mod vendors;

pub use async_trait::async_trait;
pub use client::{Client, ClientBuilder};
pub use config::{Config, VendorConfig};
pub use error::{Error, ErrorClass, ErrorKind};
pub use ids::{AdobeOfferId, JobId, OrderId, PrivateOfferId, PublisherOfferId, TenantId};
pub use offerkit_models::Vendor;
pub use outcome::{Details, JobInfo, Outcome, Status};
pub use retract::{JobHandle, JobRecorder, ListQuery, Probe, Query, Retract, RetractContext};
pub use target::{
    Action, AdobeDelete, AdobeOfferType, AppchargeDelete, IngestionDelete, IngestionWithdraw,
    OrdersCancel, ResourceRef, Target, TargetError, WithdrawRole,
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
