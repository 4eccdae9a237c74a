//! The HTTP layer of offerkit. Every vendor crate sends its requests through it.
//!
//! - [`Transport`]: one shared HTTP client (reqwest + rustls, no redirects) with per-attempt and
//!   total timeouts, a response body cap, retries ([`RetryPolicy`]) and `tracing` spans.
//! - [`VendorClient`]: a vendor's base URL and [`Credential`] over a transport; [`Request`]: one
//!   operation; [`Response`]: the buffered answer.
//! - [`auth`]: static tokens, Azure AD client credentials, Adobe IMS, with a single-flight
//!   [`TokenCache`]; secrets are [`Secret`]s that never print.
//! - [`Error`]: one error type whose kinds say whether the request was sent.
//! - `mock` (feature `test-util`): [`mock::MockTransport`] to unit-test vendor clients without a server.
//!
//! # Defaults
//!
//! | Setting | Default |
//! |---|---|
//! | connect timeout | 10 s ([`Transport::DEFAULT_CONNECT_TIMEOUT`]) |
//! | per-attempt timeout | 30 s ([`Transport::DEFAULT_TIMEOUT`]) |
//! | total deadline per call | 60 s ([`Transport::DEFAULT_TOTAL_TIMEOUT`]) |
//! | response body cap | 8 MiB ([`Transport::DEFAULT_MAX_BODY_BYTES`]) |
//! | retries | 3, full-jitter backoff from 200 ms doubling to 20 s, `Retry-After` honoured up to 60 s |
//! | token refresh | 5 min before expiry (a tenth of the lifetime for short tokens) |
//!
//! # Environment variables
//!
//! | Variable | Meaning |
//! |---|---|
//! | `OFFERKIT_AZURE_TENANT_ID` | Entra tenant id (Partner Center) |
//! | `OFFERKIT_AZURE_CLIENT_ID` | Entra application id |
//! | `OFFERKIT_AZURE_CLIENT_SECRET` | Entra client secret |
//! | `OFFERKIT_AZURE_AUTHORITY` | token endpoint base URL (optional) |
//! | `OFFERKIT_ADOBE_CLIENT_ID` | Adobe client id (also `x-api-key`) |
//! | `OFFERKIT_ADOBE_CLIENT_SECRET` | Adobe client secret |
//! | `OFFERKIT_ADOBE_ORG_ID` | IMS org (`x-gw-ims-org-id`) |
//! | `OFFERKIT_ADOBE_SANDBOX_NAME` | AEP sandbox (`x-sandbox-name`, optional, default `prod`) |
//! | `OFFERKIT_ADOBE_SCOPES` | comma-separated scopes (optional) |
//! | `OFFERKIT_ADOBE_IMS_URL` | IMS base URL (optional) |
//! | `OFFERKIT_APPCHARGE_PUBLISHER_TOKEN` | Appcharge `x-publisher-token` |
//!
//! The same list is available at run time as [`auth::ENV_VARS`].
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
//!     Arc::new(StaticHeader::appcharge_from_env()?),
//! )?;
//! let deleted: serde_json::Value = client
//!     .delete("delete_offer")
//!     .path("v2/offer")
//!     .path_param("publisher_offer_id", "summer-sale")
//!     .send_json()
//!     .await?;
//! # let _ = deleted; Ok(()) }
//! ```

pub mod auth;
mod error;
mod error_info;
mod http_send;
#[cfg(feature = "test-util")]
pub mod mock;
mod pipeline;
mod request;
mod response;
mod retry;
mod secret;
mod service;
mod settings;
mod urls;
mod uuid;
mod vendor_client;

pub use auth::{
    AccessToken, AdobeImsCredentials, AuthHeaders, AzureClientCredentials, AzureTokenRequest,
    Credential, NoCredential, StaticHeader, StaticToken, TokenCache,
};
pub use error::{
    ApiError, AuthError, BoxError, DecodeError, Error, Refusal, RequestSent, ThrottledError,
};
pub use error_info::{ErrorInfo, GenericErrorBody};
pub use http_send::{HttpRequest, HttpResponse, HttpSend, ReqwestSend, SendError, SendOptions};
pub use pipeline::{Transport, TransportBuilder};
pub use request::Request;
pub use response::Response;
pub use retry::{Idempotency, RetryPolicy};
pub use secret::Secret;
pub use service::Service;
pub use settings::{ClientSettings, EnvSettings, MissingSettings};
pub use vendor_client::VendorClient;

/// Re-exports of the HTTP types used in this crate's API.
pub use http::{HeaderMap, Method, StatusCode};
