//! [`OrdersClient`] and its builder: base URL, credential, transport, default headers.

use std::fmt;
use std::sync::Arc;

use offerkit_transport::{
    AzureClientCredentials, AzureTokenRequest, Credential, Service, Transport, VendorClient,
};

use crate::Error;
use crate::error::Scope;

/// What the transport needs to know about Partner Center orders: names, production URL, the
/// request-id headers, `MS-RequestId` (kept across the retries of a keyed call) and
/// `MS-CorrelationId` (fresh per call).
pub static SERVICE: Service = Service::new(
    "partner-center-orders",
    "Partner Center orders",
    "https://api.partnercenter.microsoft.com",
)
.request_id_headers(&["ms-requestid", "ms-cv", "x-request-id"])
.idempotency_key_header("MS-RequestId")
.correlation_header("MS-CorrelationId");

/// A Partner Center orders client. Cheap to clone; share one per partner tenant.
///
/// Every request carries `Accept: application/json`, `MS-Contract-Version: v1`, a fresh
/// `MS-CorrelationId`, and an `MS-RequestId` that stays the same across the retries of one call
/// (Partner Center's idempotency key).
///
/// ```
/// use offerkit_partner_center_orders::OrdersClient;
/// use offerkit_transport::AzureClientCredentials;
/// # fn main() -> Result<(), offerkit_partner_center_orders::Error> {
/// let credential = AzureClientCredentials::partner_center("contoso.onmicrosoft.com", "app-id", "secret")
///     .map_err(offerkit_partner_center_orders::Error::from)?;
/// let client = OrdersClient::builder().credential(credential).build()?;
/// assert_eq!(client.base_url(), "https://api.partnercenter.microsoft.com/");
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct OrdersClient {
    http: VendorClient,
}

impl OrdersClient {
    /// The Partner Center REST API (public cloud and Microsoft Cloud for US Government).
    pub const BASE_URL: &'static str = offerkit_models::partner_center_orders::BASE_URL;
    /// The Partner Center REST API operated by 21Vianet (China).
    pub const BASE_URL_21VIANET: &'static str =
        "https://partner.partnercenterapi.microsoftonline.cn";
    /// The `MS-Contract-Version` sent on every request.
    pub const CONTRACT_VERSION: &'static str = "v1";
    /// The environment variable [`OrdersClient::from_env`] reads the base URL from (optional).
    pub const BASE_URL_ENV: &'static str = "OFFERKIT_ORDERS_URL";

    /// Starts configuring a client.
    ///
    /// ```
    /// use offerkit_partner_center_orders::OrdersClient;
    /// use offerkit_transport::StaticToken;
    /// let client = OrdersClient::builder()
    ///     .base_url("http://127.0.0.1:8080")
    ///     .credential(StaticToken::new("token"))
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(client.base_url(), "http://127.0.0.1:8080/");
    /// ```
    pub fn builder() -> OrdersClientBuilder {
        OrdersClientBuilder::default()
    }

    /// A client from the environment: Azure AD app credentials from `OFFERKIT_AZURE_TENANT_ID`,
    /// `OFFERKIT_AZURE_CLIENT_ID`, `OFFERKIT_AZURE_CLIENT_SECRET` (and optional
    /// `OFFERKIT_AZURE_AUTHORITY`), requested for the resource `https://api.partnercenter.microsoft.com`;
    /// the base URL from `OFFERKIT_ORDERS_URL` when set.
    ///
    /// ```no_run
    /// use offerkit_partner_center_orders::OrdersClient;
    /// let client = OrdersClient::from_env()?;
    /// # let _ = client; Ok::<(), offerkit_partner_center_orders::Error>(())
    /// ```
    pub fn from_env() -> Result<Self, Error> {
        let credential = AzureClientCredentials::from_env(AzureTokenRequest::Resource(
            AzureClientCredentials::PARTNER_CENTER_RESOURCE.to_owned(),
        ))
        .map_err(transport_error)?;
        let mut builder = Self::builder().credential(credential);
        if let Some(url) = std::env::var(Self::BASE_URL_ENV)
            .ok()
            .filter(|u| !u.trim().is_empty())
        {
            builder = builder.base_url(url);
        }
        builder.build()
    }

    /// The base URL requests go to.
    ///
    /// ```
    /// # use offerkit_partner_center_orders::OrdersClient;
    /// # use offerkit_transport::StaticToken;
    /// let client = OrdersClient::builder().credential(StaticToken::new("t")).build().unwrap();
    /// assert_eq!(client.base_url(), "https://api.partnercenter.microsoft.com/");
    /// ```
    pub fn base_url(&self) -> &str {
        self.http.base_url().as_str()
    }

    /// The underlying transport-level client (for calls this crate does not wrap).
    ///
    /// ```
    /// # use offerkit_partner_center_orders::OrdersClient;
    /// # use offerkit_transport::StaticToken;
    /// let client = OrdersClient::builder().credential(StaticToken::new("t")).build().unwrap();
    /// assert_eq!(client.vendor_client().service(), &offerkit_partner_center_orders::SERVICE);
    /// ```
    pub fn vendor_client(&self) -> &VendorClient {
        &self.http
    }
}

impl fmt::Debug for OrdersClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OrdersClient")
            .field("http", &self.http)
            .finish()
    }
}

/// Configures an [`OrdersClient`]. Only the credential is required.
///
/// ```
/// use offerkit_partner_center_orders::OrdersClient;
/// use offerkit_transport::{RetryPolicy, StaticToken, Transport};
/// let transport = Transport::builder().retry_policy(RetryPolicy::default().with_max_retries(5)).build().unwrap();
/// let client = OrdersClient::builder()
///     .base_url(OrdersClient::BASE_URL_21VIANET)
///     .credential(StaticToken::new("token"))
///     .transport(transport)
///     .build()
///     .unwrap();
/// assert!(client.base_url().contains("microsoftonline.cn"));
/// ```
#[derive(Default)]
pub struct OrdersClientBuilder {
    base_url: Option<String>,
    credential: Option<Arc<dyn Credential>>,
    transport: Option<Transport>,
}

impl OrdersClientBuilder {
    /// The base URL (default [`OrdersClient::BASE_URL`]); `https://`, or `http://` on loopback only
    /// (the offerkit sandbox: its root URL).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The credential, usually
    /// [`AzureClientCredentials::partner_center`](offerkit_transport::AzureClientCredentials::partner_center).
    pub fn credential(mut self, credential: impl Credential + 'static) -> Self {
        self.credential = Some(Arc::new(credential));
        self
    }

    /// A credential shared with other clients (one token cache for all of them).
    pub fn shared_credential(mut self, credential: Arc<dyn Credential>) -> Self {
        self.credential = Some(credential);
        self
    }

    /// The transport (default [`Transport::new`]); share one across clients to reuse connections.
    pub fn transport(mut self, transport: Transport) -> Self {
        self.transport = Some(transport);
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<OrdersClient, Error> {
        let credential = self.credential.ok_or_else(|| {
            Error::invalid_argument(
                "credential",
                "is required: pass AzureClientCredentials::partner_center(tenant, client id, secret) \
                 or use OrdersClient::from_env()",
            )
        })?;
        let transport = match self.transport {
            Some(t) => t,
            None => Transport::new().map_err(transport_error)?,
        };
        let base_url = self.base_url.as_deref().unwrap_or(OrdersClient::BASE_URL);
        let http = VendorClient::new(&SERVICE, &transport, base_url, credential)
            .and_then(|c| {
                c.with_default_header("MS-Contract-Version", OrdersClient::CONTRACT_VERSION)
            })
            .map_err(transport_error)?;
        Ok(OrdersClient { http })
    }
}

impl fmt::Debug for OrdersClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OrdersClientBuilder")
            .field("base_url", &self.base_url)
            .field("credential", &self.credential)
            .field("transport", &self.transport.is_some())
            .finish()
    }
}

fn transport_error(err: offerkit_transport::Error) -> Error {
    Error::from_transport(err, Scope::default())
}
