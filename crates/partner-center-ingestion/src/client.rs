//! [`IngestionClient`] and its builder: the base URL, the Azure AD credential and the shared transport.

use std::fmt;
use std::sync::Arc;

use offerkit_models::partner_center_ingestion::BASE_URL;
use offerkit_transport::{
    AzureClientCredentials, ClientSettings, Credential, EnvSettings, Secret, Service, Transport,
    VendorClient,
};

use crate::Error;

/// What the transport needs to know about product ingestion: names, production URL, request-id
/// headers.
pub static SERVICE: Service = Service::new(
    "partner-center-ingestion",
    "Partner Center product ingestion",
    BASE_URL,
)
.request_id_headers(&[
    "request-id",
    "client-request-id",
    "x-ms-request-id",
    "x-request-id",
]);

/// The configuration prefixes [`IngestionClientBuilder::from_lookup`] reads, first one first: the
/// Azure keys may also be set once for both Partner Center vendors as `OFFERKIT_AZURE_*`.
const PREFIXES: [&str; 2] = ["OFFERKIT_INGESTION", "OFFERKIT_AZURE"];

/// A client of the Partner Center product-ingestion API (private offers). Cheap to clone.
///
/// Operations live in the modules that own them: [`IngestionClient::configure`],
/// [`IngestionClient::delete_private_offer`] and [`IngestionClient::withdraw_private_offer`] submit jobs;
/// [`IngestionClient::job_status`] and [`IngestionClient::poller`] follow them;
/// [`IngestionClient::get_private_offer`] and [`IngestionClient::query_private_offers`] read offers.
///
/// ```
/// use offerkit_partner_center_ingestion::IngestionClient;
/// # fn main() -> Result<(), offerkit_partner_center_ingestion::Error> {
/// let client = IngestionClient::builder()
///     .azure_credentials("contoso.onmicrosoft.com", "app-id", "secret")?
///     .build()?;
/// assert_eq!(client.base_url(), "https://graph.microsoft.com/rp/product-ingestion/");
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct IngestionClient {
    pub(crate) http: VendorClient,
}

impl IngestionClient {
    /// The production base URL.
    pub const BASE_URL: &'static str = BASE_URL;
    /// The Azure AD v1 resource product-ingestion tokens are issued for (Microsoft Graph).
    pub const TOKEN_RESOURCE: &'static str = "https://graph.microsoft.com/";
    /// The configuration key of the base URL ([`IngestionClient::from_env`]).
    pub const URL_ENV: &'static str = "OFFERKIT_INGESTION_URL";

    /// Starts configuring a client.
    pub fn builder() -> IngestionClientBuilder {
        IngestionClientBuilder::default()
    }

    /// A client from the process environment; see [`IngestionClientBuilder::from_lookup`] for the keys.
    ///
    /// ```no_run
    /// # fn main() -> Result<(), offerkit_partner_center_ingestion::Error> {
    /// let client = offerkit_partner_center_ingestion::IngestionClient::from_env()?;
    /// # let _ = client; Ok(()) }
    /// ```
    pub fn from_env() -> Result<Self, Error> {
        Self::from_lookup(&|key| std::env::var(key).ok())
    }

    /// A client from configuration keys answered by `lookup`; see
    /// [`IngestionClientBuilder::from_lookup`].
    pub fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, Error> {
        Self::builder().from_lookup(lookup)?.build()
    }

    /// The base URL, with a trailing `/`.
    pub fn base_url(&self) -> &str {
        self.http.base_url().as_str()
    }

    /// The underlying vendor client (for calls this crate does not wrap).
    ///
    /// ```
    /// # use offerkit_partner_center_ingestion::IngestionClient;
    /// # fn main() -> Result<(), offerkit_partner_center_ingestion::Error> {
    /// let client = IngestionClient::builder().azure_credentials("tenant", "app-id", "secret")?.build()?;
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

/// Builds an [`IngestionClient`]: base URL (default [`IngestionClient::BASE_URL`]), credential
/// (required), transport (default [`Transport::new`]).
///
/// ```
/// use offerkit_partner_center_ingestion::IngestionClient;
/// use offerkit_partner_center_ingestion::transport::{RetryPolicy, Transport};
/// # fn main() -> Result<(), offerkit_partner_center_ingestion::Error> {
/// let client = IngestionClient::builder()
///     .base_url("http://127.0.0.1:8080/rp/product-ingestion") // the offerkit sandbox
///     .azure_credentials("tenant", "app-id", "secret")?
///     .transport(Transport::builder().retry_policy(RetryPolicy::default().with_max_retries(5)).build()?)
///     .build()?;
/// # let _ = client; Ok(()) }
/// ```
#[derive(Debug, Default)]
#[must_use = "call build() to get a client"]
pub struct IngestionClientBuilder {
    settings: ClientSettings,
}

impl IngestionClientBuilder {
    /// Sets the base URL (the offerkit sandbox serves `{sandbox}/rp/product-ingestion`).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.settings = self.settings.base_url(url);
        self
    }

    /// Sets the credential (normally [`IngestionClientBuilder::azure_credentials`]).
    pub fn credential(mut self, credential: Arc<dyn Credential>) -> Self {
        self.settings = self.settings.credential(credential);
        self
    }

    /// Authenticates with Azure AD client credentials for resource `https://graph.microsoft.com/`
    /// ([`IngestionClient::TOKEN_RESOURCE`], public authority). Fails on an empty value.
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
            IngestionClient::TOKEN_RESOURCE,
        )?;
        Ok(self.credential(Arc::new(credential)))
    }

    /// Sets the transport (share one between vendor clients so they reuse connections).
    pub fn transport(mut self, transport: Transport) -> Self {
        self.settings = self.settings.transport(transport);
        self
    }

    /// Reads the configuration keys through `lookup`: `OFFERKIT_INGESTION_TENANT_ID`, `_CLIENT_ID`,
    /// `_CLIENT_SECRET` (required), `_AUTHORITY` (the Azure AD authority, default
    /// `https://login.microsoftonline.com`) and `_URL` (the base URL). The four Azure keys may also be
    /// set as `OFFERKIT_AZURE_<KEY>`. A missing-configuration error names every missing key.
    ///
    /// ```
    /// use offerkit_partner_center_ingestion::IngestionClient;
    /// let lookup = |key: &str| match key {
    ///     "OFFERKIT_AZURE_TENANT_ID" => Some("contoso".to_owned()),
    ///     "OFFERKIT_INGESTION_URL" => Some("http://127.0.0.1:8080/rp/product-ingestion".to_owned()),
    ///     _ => None,
    /// };
    /// let err = IngestionClient::builder().from_lookup(&lookup).unwrap_err();
    /// assert!(err.to_string().contains("OFFERKIT_INGESTION_CLIENT_ID, OFFERKIT_INGESTION_CLIENT_SECRET"), "{err}");
    /// ```
    pub fn from_lookup(self, lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let mut keys = EnvSettings::new(SERVICE.name(), &PREFIXES, lookup);
        let credential =
            AzureClientCredentials::from_settings(&mut keys, IngestionClient::TOKEN_RESOURCE)?;
        // The base URL is this API's own: an `OFFERKIT_AZURE_URL` would fit only one of the two
        // Partner Center APIs, so it is not a fallback.
        let url = keys.own("URL");
        keys.finish()
            .map_err(|missing| Error::Transport(missing.into()))?;
        let credential =
            credential.ok_or_else(|| Error::invalid_argument("credential", "is not configured"))?;
        let mut builder = self.credential(Arc::new(credential));
        if let Some(url) = url {
            builder = builder.base_url(url);
        }
        Ok(builder)
    }

    /// Builds the client; fails when no credential was set or the base URL is invalid.
    ///
    /// ```
    /// # use offerkit_partner_center_ingestion::IngestionClient;
    /// let err = IngestionClient::builder().build().unwrap_err();
    /// assert!(err.to_string().contains("credential"));
    /// ```
    pub fn build(self) -> Result<IngestionClient, Error> {
        let http = self.settings.build(&SERVICE)?;
        Ok(IngestionClient { http })
    }
}
