//! [`AdobeOffersClient`] and its builder: endpoint path, Adobe IMS credentials, transport.

use std::fmt;
use std::sync::Arc;

use offerkit_transport::{AdobeImsCredentials, Credential, Service, Transport, VendorClient};

use crate::Error;

/// What the transport needs to know about the Offer Library: names, production URL, request-id
/// headers.
pub static SERVICE: Service = Service::new(
    "adobe",
    "Adobe Offer Library",
    "https://platform.adobe.io/data/core/dps",
)
.request_id_headers(&["x-request-id", "x-adobe-request-id"]);

/// The Offer Library endpoint path (`https://platform.adobe.io/data/core/dps`). Adobe prints it with
/// and without a trailing slash; either works here.
pub const ENDPOINT_PATH: &str = offerkit_models::adobe_offers::ENDPOINT_PATH;
/// The environment variable that overrides the endpoint path (optional; same name as the facade's).
pub const URL_ENV: &str = "OFFERKIT_ADOBE_URL";

/// A client of the Adobe Journey Optimizer Offer Library API. Cheap to clone.
///
/// ```no_run
/// use offerkit_adobe_offers::{AdobeOffersClient, OfferId, OfferType};
/// # async fn run() -> Result<(), offerkit_adobe_offers::Error> {
/// let client = AdobeOffersClient::from_env()?;
/// let id = OfferId::new("personalizedOffer1234")?;
/// let out = client.delete_and_verify(&id, OfferType::Personalized).await?;
/// println!("already gone before? {}", out.is_already_retracted());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct AdobeOffersClient {
    pub(crate) http: VendorClient,
}

impl AdobeOffersClient {
    /// Starts a builder (production endpoint path, default transport, no credential yet).
    ///
    /// ```
    /// use offerkit_adobe_offers::AdobeOffersClient;
    /// use offerkit_adobe_offers::transport::AdobeImsCredentials;
    /// let ims = AdobeImsCredentials::new("client-id", "secret", "ABC123@AdobeOrg")?.with_sandbox("dev");
    /// let client = AdobeOffersClient::builder().ims_credentials(ims).build()?;
    /// assert_eq!(client.base_url(), "https://platform.adobe.io/data/core/dps");
    /// # Ok::<(), offerkit_adobe_offers::Error>(())
    /// ```
    pub fn builder() -> AdobeOffersClientBuilder {
        AdobeOffersClientBuilder::default()
    }

    /// A client from the environment: `OFFERKIT_ADOBE_CLIENT_ID`, `OFFERKIT_ADOBE_CLIENT_SECRET`,
    /// `OFFERKIT_ADOBE_ORG_ID`, optional `OFFERKIT_ADOBE_SANDBOX_NAME`, `OFFERKIT_ADOBE_SCOPES`,
    /// `OFFERKIT_ADOBE_IMS_URL`, and optional `OFFERKIT_ADOBE_URL` for the endpoint path.
    ///
    /// ```no_run
    /// let client = offerkit_adobe_offers::AdobeOffersClient::from_env()?;
    /// # let _ = client; Ok::<(), offerkit_adobe_offers::Error>(())
    /// ```
    pub fn from_env() -> Result<Self, Error> {
        Self::from_lookup(&|name| std::env::var(name).ok())
    }

    /// Like [`AdobeOffersClient::from_env`], reading variables through `lookup`.
    ///
    /// ```
    /// use offerkit_adobe_offers::AdobeOffersClient;
    /// let client = AdobeOffersClient::from_lookup(&|name| match name {
    ///     "OFFERKIT_ADOBE_CLIENT_ID" => Some("id".to_owned()),
    ///     "OFFERKIT_ADOBE_CLIENT_SECRET" => Some("secret".to_owned()),
    ///     "OFFERKIT_ADOBE_ORG_ID" => Some("ORG@AdobeOrg".to_owned()),
    ///     "OFFERKIT_ADOBE_URL" => Some("http://127.0.0.1:9000/data/core/dps/".to_owned()),
    ///     _ => None,
    /// })?;
    /// assert_eq!(client.base_url(), "http://127.0.0.1:9000/data/core/dps/");
    /// # Ok::<(), offerkit_adobe_offers::Error>(())
    /// ```
    pub fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let ims = AdobeImsCredentials::from_lookup(lookup)?;
        let mut builder = Self::builder().ims_credentials(ims);
        if let Some(url) = lookup(URL_ENV).filter(|u| !u.trim().is_empty()) {
            builder = builder.base_url(url.trim());
        }
        builder.build()
    }

    /// The endpoint path requests are joined to.
    ///
    /// ```
    /// # use offerkit_adobe_offers::{AdobeOffersClient, transport::AdobeImsCredentials};
    /// let client = AdobeOffersClient::builder()
    ///     .ims_credentials(AdobeImsCredentials::new("id", "s", "O@AdobeOrg")?)
    ///     .base_url("https://platform.adobe.io/data/core/dps/")
    ///     .build()?;
    /// assert_eq!(client.base_url(), "https://platform.adobe.io/data/core/dps/");
    /// # Ok::<(), offerkit_adobe_offers::Error>(())
    /// ```
    pub fn base_url(&self) -> &str {
        self.http.base_url().as_str()
    }
}

impl fmt::Debug for AdobeOffersClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // VendorClient's Debug redacts the credential.
        f.debug_struct("AdobeOffersClient")
            .field("http", &self.http)
            .finish()
    }
}

/// Builds an [`AdobeOffersClient`]. A credential is required; the Offer Library needs
/// `Authorization`, `x-api-key`, `x-gw-ims-org-id` and `x-sandbox-name` on every call, which
/// [`AdobeImsCredentials`] provides.
///
/// ```
/// use offerkit_adobe_offers::AdobeOffersClient;
/// use offerkit_adobe_offers::transport::{AdobeImsCredentials, RetryPolicy, Transport};
/// let transport = Transport::builder().retry_policy(RetryPolicy::default().with_max_retries(5)).build()?;
/// let ims = AdobeImsCredentials::new("id", "secret", "ORG@AdobeOrg")?.with_ims_url("http://127.0.0.1:8080")?;
/// let client = AdobeOffersClient::builder()
///     .base_url("http://127.0.0.1:8080/data/core/dps")
///     .ims_credentials(ims)
///     .transport(transport)
///     .build()?;
/// # let _ = client; Ok::<(), offerkit_adobe_offers::Error>(())
/// ```
#[derive(Default)]
pub struct AdobeOffersClientBuilder {
    base_url: Option<String>,
    credential: Option<Arc<dyn Credential>>,
    transport: Option<Transport>,
}

impl AdobeOffersClientBuilder {
    /// The endpoint path (default [`ENDPOINT_PATH`]); the offerkit sandbox's is
    /// `{root}/data/core/dps`. A trailing slash is fine.
    ///
    /// ```
    /// # use offerkit_adobe_offers::AdobeOffersClient;
    /// let b = AdobeOffersClient::builder().base_url("http://127.0.0.1:8080/data/core/dps");
    /// # let _ = b;
    /// ```
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Authenticates with Adobe IMS server-to-server credentials (token cached and refreshed).
    ///
    /// ```
    /// # use offerkit_adobe_offers::{AdobeOffersClient, transport::AdobeImsCredentials};
    /// let b = AdobeOffersClient::builder().ims_credentials(AdobeImsCredentials::new("id", "s", "O@AdobeOrg")?);
    /// # let _ = b; Ok::<(), offerkit_adobe_offers::Error>(())
    /// ```
    pub fn ims_credentials(self, credentials: AdobeImsCredentials) -> Self {
        self.credential(Arc::new(credentials))
    }

    /// Authenticates with any [`Credential`]; it must send `Authorization`, `x-api-key` and
    /// `x-gw-ims-org-id` (and `x-sandbox-name` for a non-`prod` sandbox).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use offerkit_adobe_offers::{AdobeOffersClient, transport::AdobeImsCredentials};
    /// let b = AdobeOffersClient::builder().credential(Arc::new(AdobeImsCredentials::new("id", "s", "O@AdobeOrg")?));
    /// # let _ = b; Ok::<(), offerkit_adobe_offers::Error>(())
    /// ```
    pub fn credential(mut self, credential: Arc<dyn Credential>) -> Self {
        self.credential = Some(credential);
        self
    }

    /// Sends through this transport (default [`Transport::new`]).
    ///
    /// ```
    /// # use offerkit_adobe_offers::AdobeOffersClient;
    /// let b = AdobeOffersClient::builder().transport(offerkit_adobe_offers::transport::Transport::new()?);
    /// # let _ = b; Ok::<(), offerkit_adobe_offers::Error>(())
    /// ```
    pub fn transport(mut self, transport: Transport) -> Self {
        self.transport = Some(transport);
        self
    }

    /// Builds the client; fails on a missing credential or an invalid base URL.
    ///
    /// ```
    /// # use offerkit_adobe_offers::AdobeOffersClient;
    /// let err = AdobeOffersClient::builder().build().unwrap_err();
    /// assert!(err.to_string().starts_with("invalid credential"));
    /// ```
    pub fn build(self) -> Result<AdobeOffersClient, Error> {
        let credential = self.credential.ok_or_else(|| Error::InvalidArgument {
            argument: "credential",
            reason: "no credential: call .ims_credentials(..) or .credential(..), or use \
                     AdobeOffersClient::from_env() with OFFERKIT_ADOBE_CLIENT_ID, \
                     OFFERKIT_ADOBE_CLIENT_SECRET and OFFERKIT_ADOBE_ORG_ID set"
                .to_owned(),
        })?;
        let transport = match self.transport {
            Some(t) => t,
            None => Transport::new()?,
        };
        let base_url = self.base_url.unwrap_or_else(|| ENDPOINT_PATH.to_owned());
        let http =
            VendorClient::new(&SERVICE, &transport, &base_url, credential).map_err(
                |e| match e {
                    offerkit_transport::Error::InvalidInput { reason, .. } => {
                        Error::InvalidArgument {
                            argument: "base_url",
                            reason,
                        }
                    }
                    other => Error::Transport(other),
                },
            )?;
        Ok(AdobeOffersClient { http })
    }
}

impl fmt::Debug for AdobeOffersClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AdobeOffersClientBuilder")
            .field("base_url", &self.base_url)
            .field("credential", &self.credential)
            .field("transport", &self.transport.is_some())
            .finish()
    }
}
