//! [`VendorClient`]: one vendor's base URL and credential over a [`Transport`].

use std::fmt;
use std::sync::Arc;

use http::{HeaderMap, HeaderValue, Method, header};
use url::Url;

use crate::http_send::RedactedHeaders;
use crate::request::header_pair;
use crate::urls::parse_base_url;
use crate::{Credential, Error, Request, Service, Transport};

/// One vendor's endpoint: the [`Transport`], a base URL and a [`Credential`]. Cheap to clone.
///
/// ```
/// use std::sync::Arc;
/// use offerkit_transport::{Service, StaticHeader, Transport, VendorClient};
///
/// static APPCHARGE: Service = Service::new("appcharge", "Appcharge", "https://api.appcharge.com");
/// # fn main() -> Result<(), offerkit_transport::Error> {
/// let transport = Transport::new()?;
/// let appcharge = VendorClient::new(
///     &APPCHARGE,
///     &transport,
///     "https://api-sandbox.appcharge.com",
///     Arc::new(StaticHeader::new("x-publisher-token", "publisher-token")),
/// )?;
/// assert_eq!(appcharge.base_url().as_str(), "https://api-sandbox.appcharge.com/");
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct VendorClient {
    pub(crate) inner: Arc<ClientInner>,
}

#[derive(Clone)]
pub(crate) struct ClientInner {
    pub(crate) service: &'static Service,
    pub(crate) transport: Transport,
    pub(crate) base_url: Url,
    pub(crate) credential: Arc<dyn Credential>,
    pub(crate) default_headers: HeaderMap,
}

impl VendorClient {
    /// A client for `service` at `base_url` (`https://`, or `http://` on a loopback host only).
    pub fn new(
        service: &'static Service,
        transport: &Transport,
        base_url: &str,
        credential: Arc<dyn Credential>,
    ) -> Result<Self, Error> {
        let mut default_headers = HeaderMap::new();
        default_headers.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
        Ok(Self {
            inner: Arc::new(ClientInner {
                service,
                transport: transport.clone(),
                base_url: parse_base_url(base_url, "base_url")?,
                credential,
                default_headers,
            }),
        })
    }

    /// A client for `service` at its production base URL ([`Service::default_base_url`]).
    pub fn with_default_url(
        service: &'static Service,
        transport: &Transport,
        credential: Arc<dyn Credential>,
    ) -> Result<Self, Error> {
        Self::new(service, transport, service.default_base_url(), credential)
    }

    /// Adds a header sent on every request of this client (for example `MS-Contract-Version`).
    pub fn with_default_header(mut self, name: &str, value: &str) -> Result<Self, Error> {
        let (name, value) = header_pair(name, value)?;
        Arc::make_mut(&mut self.inner)
            .default_headers
            .insert(name, value);
        Ok(self)
    }

    /// The service this client talks to.
    pub fn service(&self) -> &'static Service {
        self.inner.service
    }

    /// The base URL.
    pub fn base_url(&self) -> &Url {
        &self.inner.base_url
    }

    /// The transport.
    pub fn transport(&self) -> &Transport {
        &self.inner.transport
    }

    /// Obtains the credential's headers once without calling the API: for an OAuth credential
    /// this fetches (or reuses) a token, so a failure is the token endpoint's answer
    /// ([`Error::Auth`]); a static credential always succeeds. Used by health checks
    /// (`offerkit doctor`).
    pub async fn authenticate(&self) -> Result<(), Error> {
        self.inner
            .credential
            .auth_headers(&self.inner.transport)
            .await
            .map(|_| ())
    }

    /// Starts a request for `operation` (a stable name used in traces and errors).
    pub fn request(&self, method: Method, operation: &'static str) -> Request {
        Request::new(self, method, operation)
    }

    /// `GET` (idempotent).
    pub fn get(&self, operation: &'static str) -> Request {
        self.request(Method::GET, operation)
    }

    /// `POST` (not idempotent unless declared).
    pub fn post(&self, operation: &'static str) -> Request {
        self.request(Method::POST, operation)
    }

    /// `PUT` (idempotent).
    pub fn put(&self, operation: &'static str) -> Request {
        self.request(Method::PUT, operation)
    }

    /// `PATCH` (not idempotent unless declared).
    pub fn patch(&self, operation: &'static str) -> Request {
        self.request(Method::PATCH, operation)
    }

    /// `DELETE` (idempotent).
    pub fn delete(&self, operation: &'static str) -> Request {
        self.request(Method::DELETE, operation)
    }
}

impl fmt::Debug for VendorClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VendorClient")
            .field("service", &self.inner.service.id())
            .field("base_url", &self.inner.base_url.as_str())
            .field("credential", &self.inner.credential)
            .field(
                "default_headers",
                &RedactedHeaders(&self.inner.default_headers),
            )
            .finish()
    }
}
