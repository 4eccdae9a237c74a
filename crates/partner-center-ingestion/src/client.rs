//! [`IngestionClient`] and its builder: the base URL, the Azure AD credential and the shared transport.

use std::fmt;
use std::sync::Arc;

use offerkit_models::partner_center_ingestion::BASE_URL;
use offerkit_transport::{
    AzureClientCredentials, AzureTokenRequest, Credential, Service, Transport, VendorClient,
};

use crate::Error;

/// What the transport needs to know about product ingestion: names, production URL, request-id
/// headers.
pub static SERVICE: Service = Service::new(
    "partner-center-ingestion",
    "Partner Center product ingestion",
    "https://graph.microsoft.com/rp/product-ingestion",
)
.request_id_headers(&[
    "request-id",
    "client-request-id",
    "x-ms-request-id",
    "x-request-id",
]);

/// Environment variable overriding the base URL in [`IngestionClient::from_env`].
///
/// ```
/// assert_eq!(offerkit_partner_center_ingestion::BASE_URL_ENV, "OFFERKIT_INGESTION_URL");
/// ```
pub const BASE_URL_ENV: &str = "OFFERKIT_INGESTION_URL";

/// A client of the Partner Center product-ingestion API (private offers). Cheap to clone.
///
/// Operations live in the modules that own them: [`IngestionClient::configure`],
/// [`IngestionClient::delete_private_offer`] and [`IngestionClient::withdraw_private_offer`] submit jobs;
/// [`IngestionClient::job_status`] and [`IngestionClient::poller`] follow them;
/// [`IngestionClient::get_private_offer`] and [`IngestionClient::query_private_offers`] read offers.
///
/// ```
/// use std::sync::Arc;
/// use offerkit_partner_center_ingestion::IngestionClient;
/// use offerkit_partner_center_ingestion::transport::AzureClientCredentials;
/// # fn main() -> Result<(), offerkit_partner_center_ingestion::Error> {
/// let credential = AzureClientCredentials::product_ingestion("contoso.onmicrosoft.com", "app-id", "secret")?;
/// let client = IngestionClient::builder().credential(Arc::new(credential)).build()?;
/// assert_eq!(client.base_url(), "https://graph.microsoft.com/rp/product-ingestion");
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct IngestionClient {
    pub(crate) http: VendorClient,
}

impl IngestionClient {
    /// Starts configuring a client.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use offerkit_partner_center_ingestion::IngestionClient;
    /// use offerkit_partner_center_ingestion::transport::StaticToken;
    /// # fn main() -> Result<(), offerkit_partner_center_ingestion::Error> {
    /// let client = IngestionClient::builder()
    ///     .base_url("http://127.0.0.1:8080/rp/product-ingestion") // the offerkit sandbox
    ///     .credential(Arc::new(StaticToken::new("token")))
    ///     .build()?;
    /// # let _ = client; Ok(()) }
    /// ```
    pub fn builder() -> IngestionClientBuilder {
        IngestionClientBuilder::default()
    }

    /// A client from the environment: Azure AD client credentials from `OFFERKIT_AZURE_TENANT_ID`,
    /// `OFFERKIT_AZURE_CLIENT_ID`, `OFFERKIT_AZURE_CLIENT_SECRET` (optional `OFFERKIT_AZURE_AUTHORITY`),
    /// resource `https://graph.microsoft.com/`, and the base URL from `OFFERKIT_INGESTION_URL` when set.
    ///
    /// ```no_run
    /// # fn main() -> Result<(), offerkit_partner_center_ingestion::Error> {
    /// let client = offerkit_partner_center_ingestion::IngestionClient::from_env()?;
    /// # let _ = client; Ok(()) }
    /// ```
    pub fn from_env() -> Result<Self, Error> {
        let credential = AzureClientCredentials::from_env(AzureTokenRequest::Resource(
            AzureClientCredentials::PRODUCT_INGESTION_RESOURCE.to_owned(),
        ))?;
        let mut builder = Self::builder().credential(Arc::new(credential));
        if let Some(url) = std::env::var(BASE_URL_ENV)
            .ok()
            .filter(|u| !u.trim().is_empty())
        {
            builder = builder.base_url(url);
        }
        builder.build()
    }

    /// A client over an already-built [`VendorClient`] (it must be for
    /// [`Vendor::PartnerCenterIngestion`]).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use offerkit_partner_center_ingestion::IngestionClient;
    /// use offerkit_partner_center_ingestion::transport::{StaticToken, Transport, VendorClient};
    /// # fn main() -> Result<(), offerkit_partner_center_ingestion::Error> {
    /// let http = VendorClient::with_default_url(
    ///     &offerkit_partner_center_ingestion::SERVICE, &Transport::new()?, Arc::new(StaticToken::new("t")))?;
    /// let client = IngestionClient::from_vendor_client(http)?;
    /// # let _ = client; Ok(()) }
    /// ```
    pub fn from_vendor_client(http: VendorClient) -> Result<Self, Error> {
        if http.service() != &SERVICE {
            return Err(Error::invalid_argument(
                "vendor_client",
                format!("is for {}, not {}", http.service(), SERVICE),
            ));
        }
        Ok(Self { http })
    }

    /// The base URL (without a trailing slash).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use offerkit_partner_center_ingestion::{IngestionClient, transport::StaticToken};
    /// # fn main() -> Result<(), offerkit_partner_center_ingestion::Error> {
    /// let client = IngestionClient::builder().credential(Arc::new(StaticToken::new("t"))).build()?;
    /// assert!(client.base_url().ends_with("/rp/product-ingestion"));
    /// # Ok(()) }
    /// ```
    pub fn base_url(&self) -> &str {
        self.http.base_url().as_str().trim_end_matches('/')
    }

    /// The underlying vendor client (for calls this crate does not wrap).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use offerkit_partner_center_ingestion::{IngestionClient, transport::StaticToken};
    /// # fn main() -> Result<(), offerkit_partner_center_ingestion::Error> {
    /// let client = IngestionClient::builder().credential(Arc::new(StaticToken::new("t"))).build()?;
    /// let product_list = client.vendor_client().get("list_products").path("product").query("$version", "2022-07-01");
    /// # let _ = product_list; Ok(()) }
    /// ```
    pub fn vendor_client(&self) -> &VendorClient {
        &self.http
    }
}

impl fmt::Debug for IngestionClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IngestionClient")
            .field("http", &self.http)
            .finish()
    }
}

/// Builds an [`IngestionClient`]: base URL (default production), credential (required), transport
/// (default [`Transport::new`]).
///
/// ```
/// use std::sync::Arc;
/// use offerkit_partner_center_ingestion::IngestionClient;
/// use offerkit_partner_center_ingestion::transport::{AzureClientCredentials, RetryPolicy, Transport};
/// # fn main() -> Result<(), offerkit_partner_center_ingestion::Error> {
/// let credential = AzureClientCredentials::product_ingestion("tenant", "app-id", "secret")?
///     .with_authority("http://127.0.0.1:8080")?;
/// let client = IngestionClient::builder()
///     .base_url("http://127.0.0.1:8080/rp/product-ingestion")
///     .credential(Arc::new(credential))
///     .transport(Transport::builder().retry_policy(RetryPolicy::default().with_max_retries(5)).build()?)
///     .build()?;
/// # let _ = client; Ok(()) }
/// ```
#[derive(Default)]
#[must_use = "call build() to get a client"]
pub struct IngestionClientBuilder {
    base_url: Option<String>,
    credential: Option<Arc<dyn Credential>>,
    transport: Option<Transport>,
}

impl IngestionClientBuilder {
    /// Sets the base URL (default `https://graph.microsoft.com/rp/product-ingestion`; the offerkit
    /// sandbox serves `{sandbox}/rp/product-ingestion`).
    ///
    /// ```
    /// # use offerkit_partner_center_ingestion::IngestionClient;
    /// let builder = IngestionClient::builder().base_url("https://graph.microsoft.com/rp/product-ingestion");
    /// # let _ = builder;
    /// ```
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Sets the credential, normally [`AzureClientCredentials::product_ingestion`].
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use offerkit_partner_center_ingestion::{IngestionClient, transport::StaticToken};
    /// let builder = IngestionClient::builder().credential(Arc::new(StaticToken::new("t")));
    /// # let _ = builder;
    /// ```
    pub fn credential(mut self, credential: Arc<dyn Credential>) -> Self {
        self.credential = Some(credential);
        self
    }

    /// Sets the transport (share one between vendor clients so they reuse connections).
    ///
    /// ```
    /// # use offerkit_partner_center_ingestion::{IngestionClient, transport::Transport};
    /// # fn main() -> Result<(), offerkit_partner_center_ingestion::Error> {
    /// let builder = IngestionClient::builder().transport(Transport::new()?);
    /// # let _ = builder; Ok(()) }
    /// ```
    pub fn transport(mut self, transport: Transport) -> Self {
        self.transport = Some(transport);
        self
    }

    /// Builds the client; fails when no credential was set or the base URL is invalid.
    ///
    /// ```
    /// # use offerkit_partner_center_ingestion::IngestionClient;
    /// let err = IngestionClient::builder().build().unwrap_err();
    /// assert!(err.to_string().contains("credential"));
    /// ```
    pub fn build(self) -> Result<IngestionClient, Error> {
        let credential = self.credential.ok_or_else(|| {
            Error::invalid_argument(
                "credential",
                "is required: use AzureClientCredentials::product_ingestion(tenant, client id, secret) \
                 or IngestionClient::from_env()",
            )
        })?;
        let transport = match self.transport {
            Some(t) => t,
            None => Transport::new()?,
        };
        let base_url = self.base_url.as_deref().unwrap_or(BASE_URL);
        let http = VendorClient::new(&SERVICE, &transport, base_url, credential)?;
        Ok(IngestionClient { http })
    }
}

impl fmt::Debug for IngestionClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IngestionClientBuilder")
            .field("base_url", &self.base_url)
            .field("credential", &self.credential)
            .finish_non_exhaustive()
    }
}
