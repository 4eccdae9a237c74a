#![doc = include_str!("../README.md")]
//!
//! # Example: one vendor operation
//!
//! ```no_run
//! use std::sync::Arc;
//! use offerkit_transport::{Service, StaticHeader, Transport, VendorClient};
//!
//! static APPCHARGE: Service = Service::new("appcharge", "Appcharge", "https://api.appcharge.com");
//!
//! # async fn run() -> Result<(), offerkit_transport::Error> {
//! let transport = Transport::new()?;
//! let client = VendorClient::with_default_url(
//!     &APPCHARGE,
//!     &transport,
//!     Arc::new(StaticHeader::new("x-publisher-token", "publisher-token")),
//! )?;
//! let deleted: serde_json::Value = client
//!     .delete("delete_offer")
//!     .path("v2/offer")
//!     .path_param("publisher_offer_id", "summer-sale")
//!     .send_json()
//!     .await?;
//! # let _ = deleted; Ok(()) }
//! ```
// docs.rs builds with `--cfg docsrs` on nightly: feature-gated items get their "Available on crate feature" badge.
#![cfg_attr(docsrs, feature(doc_cfg))]

// Table of contents: `pipeline` (the Transport and its attempt loop), `request` and
// `vendor_client` (one operation, one vendor endpoint), `response`, `error` and `error_info`
// (errors and the accessor trait), `redact` (the one scrubber of secrets in vendor text), `retry`,
// `auth` (credentials and the token cache), `service` and `settings` (what a vendor crate declares
// and builds from), `pacing` (the hook a batch paces every attempt with), `http_send`, `urls`,
// `secret`,
// `mock` (feature `test-util`).
pub mod auth;
mod error;
mod error_info;
mod http_send;
#[cfg(feature = "test-util")]
pub mod mock;
pub mod pacing;
mod pipeline;
mod redact;
mod request;
mod response;
mod retry;
mod secret;
mod service;
mod settings;
mod urls;
mod vendor_client;

pub use auth::{
    AccessToken, AdobeImsCredentials, AuthHeaders, AzureClientCredentials, AzureTokenRequest,
    Credential, NoCredential, StaticHeader, StaticToken, TokenCache,
};
pub use error::{
    ApiError, AuthError, BoxError, DecodeError, Error, ErrorChain, Refusal, RequestSent,
    ThrottledError,
};
pub use error_info::{ErrorInfo, GenericErrorBody};
pub use http_send::{HttpRequest, HttpResponse, HttpSend, ReqwestSend, SendError, SendOptions};
pub use pipeline::{Transport, TransportBuilder};
pub use redact::{Redactor, ScrubbedError};
pub use request::Request;
pub use response::Response;
pub use retry::{Idempotency, RetryPolicy};
pub use secret::Secret;
pub use service::Service;
pub use settings::{ClientSettings, EnvSettings, MissingSettings};
pub use vendor_client::VendorClient;

/// Re-exports of the HTTP types used in this crate's API.
pub use http::{HeaderMap, Method, StatusCode};
