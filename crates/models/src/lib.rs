#![doc = include_str!("../README.md")]
//!
//! ```
//! # #[cfg(feature = "appcharge")] {
//! use offerkit_models::appcharge::Offer;
//! let offer: Offer = serde_json::from_str(r#"{"publisherOfferId":"o1","active":true,"active":false,"future":1}"#).unwrap();
//! assert_eq!(offer.active, Some(false));
//! assert_eq!(offer.extra["future"], 1);
//! # }
//! ```
// docs.rs builds with `--cfg docsrs` on nightly: feature-gated items get their "Available on crate feature" badge.
#![cfg_attr(docsrs, feature(doc_cfg))]

// Table of contents: the shared vocabulary (ids, retraction, Vendor), the lenient building
// blocks, the generated records and one module per vendor behind its feature.
pub mod auth;
mod error_body;
mod generated;
pub mod ids;
pub mod lenient;
pub mod raw;
pub mod retraction;
mod vendor;

#[cfg(feature = "adobe-offers")]
pub mod adobe_offers;
#[cfg(feature = "appcharge")]
pub mod appcharge;
#[cfg(feature = "partner-center-ingestion")]
pub mod partner_center_ingestion;
#[cfg(feature = "partner-center-orders")]
pub mod partner_center_orders;

pub use error_body::VendorErrorBody;
pub use retraction::Retraction;
pub use vendor::{UnknownVendor, Vendor};

#[doc(hidden)]
pub use serde as __serde;
