//! [`OrdersClient`] and its builder: base URL, credential, transport, the contract-version header.

use std::sync::Arc;

use offerkit_transport::{
    AzureClientCredentials, ClientSettings, Credential, EnvSettings, Secret, Service, Transport,
    VendorClient,
};

use crate::Error;

/// What the transport needs to know about Partner Center orders: names, production URL, the
/// request-id headers, `MS-RequestId` (kept across the retries of a keyed call) and
/// `MS-CorrelationId` (fresh per call).
pub static SERVICE: Service = Service::new(
    "partner-center-orders",
    "Partner Center orders",
    OrdersClient::BASE_URL,
)
.request_id_headers(&["ms-requestid", "ms-cv", "x-request-id"])
.idempotency_key_header("MS-RequestId")
.correlation_header("MS-CorrelationId");

/// The configuration prefixes, first one first: `OFFERKIT_ORDERS_<KEY>`, then the Azure keys
/// shared with product ingestion.
const PREFIXES: &[&str] = &["OFFERKIT_ORDERS", "OFFERKIT_AZURE"];

/// A Partner Center orders client. Cheap to clone; share one per partner tenant.
///
/// Every request carries `Accept: application/json`, `MS-Contract-Version: v1`, a fresh
/// `MS-CorrelationId`, and an `MS-RequestId` that stays the same across the retries of one call
/// (Partner Center's idempotency key).
#[derive(Debug, Clone)]
pub struct OrdersClient {
    http: VendorClient,
}

impl OrdersClient {
    /// The Partner Center REST API (public cloud and Microsoft Cloud for US Government).
    pub const BASE_URL: &'static str = offerkit_models::partner_center_orders::BASE_URL;
    /// The Azure AD v1 resource Partner Center tokens are issued for.
    pub const TOKEN_RESOURCE: &'static str = "https://api.partnercenter.microsoft.com";
    /// The Partner Center REST API operated by 21Vianet (China).
    pub const BASE_URL_21VIANET: &'static str =
        "https://partner.partnercenterapi.microsoftonline.cn";
    /// The `MS-Contract-Version` sent on every request.
    pub const CONTRACT_VERSION: &'static str = "v1";
    /// The configuration key of the API base URL (optional).
    pub const URL_ENV: &'static str = "OFFERKIT_ORDERS_URL";

    /// Starts configuring a client.
    pub fn builder() -> OrdersClientBuilder {
        OrdersClientBuilder::default()
    }

    /// A client configured from the process environment; see [`OrdersClient::from_lookup`].
    pub fn from_env() -> Result<Self, Error> {
        Self::from_lookup(&|key| std::env::var(key).ok())
    }

    /// A client configured from `lookup` (any source of `OFFERKIT_*` values): the Azure AD app
    /// from `OFFERKIT_ORDERS_TENANT_ID`, `_CLIENT_ID`, `_CLIENT_SECRET` (required) and
    /// `_AUTHORITY` (optional), each also read as `OFFERKIT_AZURE_<KEY>`; the base URL from
    /// `OFFERKIT_ORDERS_URL` when set. A missing-key error names every missing key.
    pub fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, Error> {
        Self::builder().from_lookup(lookup)?.build()
    }

    /// The base URL requests go to, with a trailing `/`.
    pub fn base_url(&self) -> &str {
        self.http.base_url().as_str()
    }

    /// The underlying transport-level client (for calls this crate does not wrap).
    pub fn vendor_client(&self) -> &VendorClient {
        &self.http
    }
}

/// Configures an [`OrdersClient`]. Only the credential is required.
///
/// ```
/// use std::sync::Arc;
/// use offerkit_partner_center_orders::OrdersClient;
/// use offerkit_partner_center_orders::transport::{RetryPolicy, StaticToken, Transport};
/// # fn main() -> Result<(), offerkit_partner_center_orders::Error> {
/// let transport = Transport::builder().retry_policy(RetryPolicy::default().with_max_retries(5)).build()?;
/// let client = OrdersClient::builder()
///     .base_url(OrdersClient::BASE_URL_21VIANET)
///     .credential(Arc::new(StaticToken::new("token")))
///     .transport(transport)
///     .build()?;
/// assert_eq!(client.base_url(), "https://partner.partnercenterapi.microsoftonline.cn/");
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct OrdersClientBuilder {
    settings: ClientSettings,
}

impl OrdersClientBuilder {
    /// The base URL (default [`OrdersClient::BASE_URL`]); `https://`, or `http://` on loopback only
    /// (the offerkit sandbox: its root URL).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.settings = self.settings.base_url(url);
        self
    }

    /// The credential, usually an
    /// [`AzureClientCredentials::for_resource`](offerkit_transport::AzureClientCredentials::for_resource) with [`OrdersClient::TOKEN_RESOURCE`];
    /// share one `Arc` between clients to share its token cache.
    pub fn credential(mut self, credential: Arc<dyn Credential>) -> Self {
        self.settings = self.settings.credential(credential);
        self
    }

    /// Azure AD app credentials for the token resource `https://api.partnercenter.microsoft.com`,
    /// from the default authority `https://login.microsoftonline.com` (for another authority, pass
    /// `AzureClientCredentials::for_resource(.., OrdersClient::TOKEN_RESOURCE)?.with_authority(url)?` to
    /// [`OrdersClientBuilder::credential`]).
    pub fn azure_credentials(
        self,
        tenant_id: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
    ) -> Result<Self, Error> {
        let credential = AzureClientCredentials::for_resource(
            tenant_id,
            client_id,
            client_secret,
            OrdersClient::TOKEN_RESOURCE,
        )?;
        Ok(self.credential(Arc::new(credential)))
    }

    /// The transport (default [`Transport::new`]); share one across clients to reuse connections.
    pub fn transport(mut self, transport: Transport) -> Self {
        self.settings = self.settings.transport(transport);
        self
    }

    /// Reads the base URL and the Azure AD app from `lookup` (the keys of
    /// [`OrdersClient::from_lookup`]), keeping everything else set so far.
    ///
    /// ```
    /// use offerkit_partner_center_orders::{ErrorInfo, OrdersClient};
    /// let vars = [
    ///     ("OFFERKIT_ORDERS_TENANT_ID", "contoso.onmicrosoft.com"),
    ///     ("OFFERKIT_AZURE_CLIENT_ID", "app-id"), // the shared fallback
    ///     ("OFFERKIT_ORDERS_URL", "http://127.0.0.1:40123"),
    /// ];
    /// let lookup = |key: &str| vars.iter().find(|(k, _)| *k == key).map(|(_, v)| v.to_string());
    /// let err = OrdersClient::builder().from_lookup(&lookup).unwrap_err();
    /// assert!(err.is_invalid_argument());
    /// assert!(err.to_string().contains("set OFFERKIT_ORDERS_CLIENT_SECRET"), "{err}");
    ///
    /// let with_secret = |key: &str| lookup(key).or_else(|| (key == "OFFERKIT_AZURE_CLIENT_SECRET").then(|| "s".into()));
    /// let client = OrdersClient::builder().from_lookup(&with_secret)?.build()?;
    /// assert_eq!(client.base_url(), "http://127.0.0.1:40123/");
    /// # Ok::<(), offerkit_partner_center_orders::Error>(())
    /// ```
    pub fn from_lookup(self, lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let mut keys = EnvSettings::new(SERVICE.name(), PREFIXES, lookup);
        let credential =
            AzureClientCredentials::from_settings(&mut keys, OrdersClient::TOKEN_RESOURCE)?;
        // The API URL has no `OFFERKIT_AZURE_` fallback: the two Partner Center APIs live at
        // different URLs.
        let url = keys.own("URL");
        keys.finish().map_err(offerkit_transport::Error::from)?;
        let credential =
            credential.ok_or_else(|| Error::invalid_argument("credential", "is not configured"))?;
        let builder = self.credential(Arc::new(credential));
        Ok(match url {
            Some(url) => builder.base_url(url),
            None => builder,
        })
    }

    /// Builds the client.
    pub fn build(self) -> Result<OrdersClient, Error> {
        let http = self
            .settings
            .build(&SERVICE)?
            .with_default_header("MS-Contract-Version", OrdersClient::CONTRACT_VERSION)?;
        Ok(OrdersClient { http })
    }
}
