//! [`AdobeOffersClient`] and its builder: endpoint path, Adobe IMS credentials, transport, and the
//! `OFFERKIT_ADOBE_*` keys.

use std::fmt;
use std::sync::Arc;

use offerkit_transport::{
    AdobeImsCredentials, ClientSettings, Credential, EnvSettings, Service, Transport, VendorClient,
};

use crate::Error;

/// What the transport needs to know about the Offer Library: names, production URL, request-id
/// headers.
pub static SERVICE: Service = Service::new(
    "adobe",
    "Adobe Offer Library",
    offerkit_models::adobe_offers::ENDPOINT_PATH,
)
.request_id_headers(&["x-request-id", "x-adobe-request-id"]);

/// The prefix of every configuration key this crate reads (`OFFERKIT_ADOBE_<KEY>`).
const PREFIXES: &[&str] = &["OFFERKIT_ADOBE"];

/// A client of the Adobe Journey Optimizer Offer Library API. Cheap to clone.
///
/// ```no_run
/// use offerkit_adobe_offers::{AdobeOfferId, AdobeOffersClient, OfferType};
/// # async fn run() -> Result<(), offerkit_adobe_offers::Error> {
/// let client = AdobeOffersClient::from_env()?;
/// let id = AdobeOfferId::new("personalizedOffer1234")?;
/// let out = client.delete_and_verify(&id, OfferType::Personalized).await?;
/// println!("already gone before? {}", out.is_already_retracted());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct AdobeOffersClient {
    pub(crate) http: VendorClient,
}

impl AdobeOffersClient {
    /// The Offer Library endpoint path (`https://platform.adobe.io/data/core/dps`). Adobe prints
    /// it with and without a trailing slash; either works here.
    pub const BASE_URL: &'static str = offerkit_models::adobe_offers::ENDPOINT_PATH;
    /// The configuration key that overrides [`AdobeOffersClient::BASE_URL`] (optional).
    pub const URL_ENV: &'static str = "OFFERKIT_ADOBE_URL";

    /// Starts a builder (production endpoint path, default transport, no credential yet).
    ///
    /// ```
    /// use offerkit_adobe_offers::AdobeOffersClient;
    /// use offerkit_adobe_offers::transport::AdobeImsCredentials;
    /// let ims = AdobeImsCredentials::new("client-id", "secret", "ABC123@AdobeOrg")?.with_sandbox("dev");
    /// let client = AdobeOffersClient::builder().ims_credentials(ims).build()?;
    /// assert_eq!(client.base_url(), "https://platform.adobe.io/data/core/dps/");
    /// # Ok::<(), offerkit_adobe_offers::Error>(())
    /// ```
    pub fn builder() -> AdobeOffersClientBuilder {
        AdobeOffersClientBuilder::default()
    }

    /// A client from the process environment: `OFFERKIT_ADOBE_CLIENT_ID`,
    /// `OFFERKIT_ADOBE_CLIENT_SECRET`, `OFFERKIT_ADOBE_ORG_ID`, optional
    /// `OFFERKIT_ADOBE_SANDBOX_NAME`, `OFFERKIT_ADOBE_SCOPES`, `OFFERKIT_ADOBE_IMS_URL` and
    /// `OFFERKIT_ADOBE_URL` (see [`AdobeOffersClientBuilder::from_lookup`]).
    pub fn from_env() -> Result<Self, Error> {
        Self::from_lookup(&|name| std::env::var(name).ok())
    }

    /// Like [`AdobeOffersClient::from_env`], reading the keys through `lookup`.
    ///
    /// ```
    /// use offerkit_adobe_offers::AdobeOffersClient;
    /// let client = AdobeOffersClient::from_lookup(&|name| match name {
    ///     "OFFERKIT_ADOBE_CLIENT_ID" => Some("id".to_owned()),
    ///     "OFFERKIT_ADOBE_CLIENT_SECRET" => Some("secret".to_owned()),
    ///     "OFFERKIT_ADOBE_ORG_ID" => Some("ORG@AdobeOrg".to_owned()),
    ///     "OFFERKIT_ADOBE_URL" => Some("http://127.0.0.1:9000/data/core/dps".to_owned()),
    ///     _ => None,
    /// })?;
    /// assert_eq!(client.base_url(), "http://127.0.0.1:9000/data/core/dps/");
    /// # Ok::<(), offerkit_adobe_offers::Error>(())
    /// ```
    pub fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, Error> {
        Self::builder().from_lookup(lookup)?.build()
    }

    /// The endpoint path requests are joined to, with a trailing `/`.
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
#[derive(Debug, Default)]
pub struct AdobeOffersClientBuilder {
    settings: ClientSettings,
}

impl AdobeOffersClientBuilder {
    /// The endpoint path (default [`AdobeOffersClient::BASE_URL`]); the offerkit sandbox's is
    /// `{root}/data/core/dps`. A trailing slash is fine.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.settings = self.settings.base_url(url);
        self
    }

    /// Authenticates with Adobe IMS server-to-server credentials (token cached and refreshed).
    pub fn ims_credentials(self, credentials: AdobeImsCredentials) -> Self {
        self.credential(Arc::new(credentials))
    }

    /// Authenticates with any [`Credential`]; it must send `Authorization`, `x-api-key` and
    /// `x-gw-ims-org-id` (and `x-sandbox-name` for a non-`prod` sandbox).
    pub fn credential(mut self, credential: Arc<dyn Credential>) -> Self {
        self.settings = self.settings.credential(credential);
        self
    }

    /// Sends through this transport (default [`Transport::new`]).
    pub fn transport(mut self, transport: Transport) -> Self {
        self.settings = self.settings.transport(transport);
        self
    }

    /// Reads the `OFFERKIT_ADOBE_*` keys through `lookup` into this builder, so a transport can
    /// still be set before [`AdobeOffersClientBuilder::build`]:
    ///
    /// | Key | Meaning |
    /// |---|---|
    /// | `OFFERKIT_ADOBE_CLIENT_ID` | Developer Console client id, also `x-api-key` (required) |
    /// | `OFFERKIT_ADOBE_CLIENT_SECRET` | client secret (required) |
    /// | `OFFERKIT_ADOBE_ORG_ID` | IMS org, `x-gw-ims-org-id` (required) |
    /// | `OFFERKIT_ADOBE_SANDBOX_NAME` | AEP sandbox, `x-sandbox-name` (default `prod`) |
    /// | `OFFERKIT_ADOBE_SCOPES` | comma-separated scopes (default: the Platform set) |
    /// | `OFFERKIT_ADOBE_IMS_URL` | IMS base URL (default `https://ims-na1.adobelogin.com`) |
    /// | `OFFERKIT_ADOBE_URL` | endpoint path (default [`AdobeOffersClient::BASE_URL`]) |
    ///
    /// One error names every missing required key.
    ///
    /// ```
    /// use offerkit_adobe_offers::AdobeOffersClient;
    /// let err = AdobeOffersClient::builder()
    ///     .from_lookup(&|name| (name == "OFFERKIT_ADOBE_CLIENT_ID").then(|| "id".to_owned()))
    ///     .unwrap_err();
    /// assert!(err.to_string().contains("OFFERKIT_ADOBE_CLIENT_SECRET, OFFERKIT_ADOBE_ORG_ID"), "{err}");
    /// ```
    pub fn from_lookup(self, lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let mut keys = EnvSettings::new(SERVICE.name(), PREFIXES, lookup);
        let client_id = keys.required("CLIENT_ID");
        let client_secret = keys.secret("CLIENT_SECRET");
        let org_id = keys.required("ORG_ID");
        let sandbox = keys.optional("SANDBOX_NAME");
        let scopes = keys.optional("SCOPES");
        let ims_url = keys.optional("IMS_URL");
        let url = keys.optional("URL");
        keys.finish()?;
        let (Some(client_id), Some(client_secret), Some(org_id)) =
            (client_id, client_secret, org_id)
        else {
            // `finish` succeeds only when every required key was read, so this is never taken.
            return Err(Error::InvalidArgument {
                argument: "configuration",
                reason: "OFFERKIT_ADOBE_CLIENT_ID, _CLIENT_SECRET and _ORG_ID are required"
                    .to_owned(),
            });
        };
        let mut ims = AdobeImsCredentials::new(client_id, client_secret, org_id)?;
        if let Some(sandbox) = sandbox {
            ims = ims.with_sandbox(sandbox);
        }
        if let Some(scopes) = scopes {
            ims = ims.with_scopes(scopes);
        }
        if let Some(ims_url) = ims_url {
            ims = ims.with_ims_url(&ims_url)?;
        }
        let mut builder = self.ims_credentials(ims);
        if let Some(url) = url {
            builder = builder.base_url(url);
        }
        Ok(builder)
    }

    /// Builds the client; fails on a missing credential or an invalid base URL.
    ///
    /// ```
    /// # use offerkit_adobe_offers::AdobeOffersClient;
    /// let err = AdobeOffersClient::builder().build().unwrap_err();
    /// assert!(err.to_string().starts_with("invalid credential"), "{err}");
    /// ```
    pub fn build(self) -> Result<AdobeOffersClient, Error> {
        // ClientSettings gives the endpoint path (`…/data/core/dps`) exactly one trailing `/`, so
        // relative `_links` join under it.
        Ok(AdobeOffersClient {
            http: self.settings.build(&SERVICE)?,
        })
    }
}
