//! Authentication: the [`Credential`] trait and its implementations.
//!
//! - [`AzureClientCredentials`]: Azure AD / Entra client credentials (v1 resource or v2 scope);
//! - [`AdobeImsCredentials`]: Adobe IMS server-to-server;
//! - [`StaticToken`] (a bearer token), [`StaticHeader`] (any secret header), [`NoCredential`].
//!
//! Which credential a vendor uses, and which configuration keys fill it, is the vendor crate's
//! business: the transport reads no environment variable.
//!
//! Credentials are asked for headers on every attempt, so a token refreshed between attempts is
//! used. Token-based credentials cache their token, refresh it before it expires (one token request
//! however many callers wait), and drop it when the API answers 401 so the call is retried once with
//! a fresh token.

mod adobe_ims;
mod azure;
mod cache;
mod static_token;
mod token_endpoint;

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use http::{HeaderMap, HeaderName, HeaderValue};

use crate::{Error, Transport};

pub use adobe_ims::AdobeImsCredentials;
pub use azure::{AzureClientCredentials, AzureTokenRequest};
pub use cache::{AccessToken, TokenCache};
pub use static_token::{NoCredential, StaticHeader, StaticToken};

/// Yields the headers that authenticate one request attempt.
///
/// Implement it for a custom scheme; use `transport` to call a token endpoint so those calls get
/// the same timeouts, retries, mocking and tracing as API calls.
///
/// ```
/// use async_trait::async_trait;
/// use offerkit_transport::{AuthHeaders, Credential, Error, Transport};
///
/// #[derive(Debug)]
/// struct Fixed;
///
/// #[async_trait]
/// impl Credential for Fixed {
///     async fn auth_headers(&self, _transport: &Transport) -> Result<AuthHeaders, Error> {
///         AuthHeaders::new().with_secret("x-api-key", "k")
///     }
/// }
/// ```
#[async_trait]
pub trait Credential: Send + Sync + fmt::Debug {
    /// The headers for the next attempt (fetching or refreshing a token if needed).
    async fn auth_headers(&self, transport: &Transport) -> Result<AuthHeaders, Error>;

    /// The API answered 401 to an attempt sent with `rejected`. Drop the token if it is still the
    /// cached one and return `true` if a retry with fresh headers may succeed. The default (static
    /// credentials) returns `false`: the same headers would be refused again.
    async fn invalidate(&self, rejected: &AuthHeaders) -> bool {
        let _ = rejected;
        false
    }
}

/// Headers produced by a [`Credential`]; values added with [`AuthHeaders::with_secret`] are marked
/// sensitive and never printed.
#[derive(Clone, Default)]
pub struct AuthHeaders {
    /// Shared: a static credential hands out the same headers on every attempt.
    headers: Arc<HeaderMap>,
    generation: u64,
}

impl AuthHeaders {
    /// No headers.
    pub fn new() -> Self {
        Self::default()
    }

    /// Tags these headers with the generation of the cached token they came from, so
    /// [`Credential::invalidate`] can tell whether the rejected token is still cached.
    pub fn with_generation(mut self, generation: u64) -> Self {
        self.generation = generation;
        self
    }

    /// The token generation (0 for static credentials).
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Adds a secret header (marked sensitive). The value (its credentials part, after an
    /// auth scheme such as `Bearer `) is learned by [`crate::Redactor::global`].
    pub fn with_secret(self, name: &str, value: &str) -> Result<Self, Error> {
        let credentials = match value.split_once(' ') {
            Some((scheme, rest)) if scheme.bytes().all(|b| b.is_ascii_alphabetic()) => rest,
            _ => value,
        };
        crate::Redactor::global().learn(credentials.trim());
        self.insert(name, value, true)
    }

    /// Adds a non-secret header (for example `x-sandbox-name`).
    pub fn with_header(self, name: &str, value: &str) -> Result<Self, Error> {
        self.insert(name, value, false)
    }

    fn insert(mut self, name: &str, value: &str, sensitive: bool) -> Result<Self, Error> {
        let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
            Error::invalid_input(
                "header name",
                format!("`{name}` is not a valid header name"),
            )
        })?;
        let mut value = HeaderValue::from_str(value).map_err(|_| {
            Error::invalid_input(
                format!("{name} header"),
                "the value contains characters not allowed in an HTTP header (newline or control character)",
            )
        })?;
        value.set_sensitive(sensitive);
        Arc::make_mut(&mut self.headers).insert(name, value);
        Ok(self)
    }

    /// The headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }
}

impl fmt::Debug for AuthHeaders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthHeaders")
            .field("headers", &crate::http_send::RedactedHeaders(&self.headers))
            .field("generation", &self.generation)
            .finish()
    }
}
