//! Adobe IMS OAuth server-to-server credentials (Adobe Experience Platform APIs).

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use url::Url;

use super::static_token::bearer;
use super::token_endpoint::request_token;
use super::{AuthHeaders, Credential, TokenCache};
use crate::urls::{build_url, parse_base_url};
use crate::{Error, Secret, Service, Transport};

/// The identity provider, as token calls name it in errors and traces.
static PROVIDER: Service = Service::new(
    "Adobe IMS",
    "Adobe IMS",
    AdobeImsCredentials::DEFAULT_IMS_URL,
);

/// Adobe IMS server-to-server: `POST {ims}/ims/token/v3` (client_credentials, scopes), then on
/// every API request `Authorization: Bearer`, `x-api-key` (the client id), `x-gw-ims-org-id` and
/// `x-sandbox-name`.
///
/// The Adobe vendor crate reads its configuration keys (`OFFERKIT_ADOBE_*`) and builds this.
///
/// ```
/// use offerkit_transport::AdobeImsCredentials;
/// # fn main() -> Result<(), offerkit_transport::Error> {
/// let cred = AdobeImsCredentials::new("client-id", "s3cret", "ABC123@AdobeOrg")?
///     .with_sandbox("dev")
///     .with_scopes("openid,AdobeID,read_organizations");
/// assert!(!format!("{cred:?}").contains("s3cret"));
/// # Ok(()) }
/// ```
pub struct AdobeImsCredentials {
    client_id: String,
    client_secret: Secret,
    org_id: String,
    sandbox: String,
    scopes: String,
    ims_url: Url,
    cache: TokenCache,
}

impl AdobeImsCredentials {
    /// The public IMS host.
    pub const DEFAULT_IMS_URL: &'static str = "https://ims-na1.adobelogin.com";
    /// The scopes Adobe's docs use for Platform server-to-server calls. Use the set from your
    /// Developer Console project when it differs.
    pub const DEFAULT_SCOPES: &'static str =
        "openid,session,AdobeID,read_organizations,additional_info.projectedProductContext";
    /// The default sandbox.
    pub const DEFAULT_SANDBOX: &'static str = "prod";

    /// Credentials with the default sandbox (`prod`), scopes and IMS URL.
    pub fn new(
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
        org_id: impl Into<String>,
    ) -> Result<Self, Error> {
        let client_id = client_id.into();
        let client_secret = client_secret.into();
        let org_id = org_id.into();
        for (name, value) in [
            ("client_id", client_id.as_str()),
            ("org_id", org_id.as_str()),
        ] {
            if value.trim().is_empty() {
                return Err(Error::invalid_input(name, "must not be empty"));
            }
        }
        if client_secret.is_empty() {
            return Err(Error::invalid_input("client_secret", "must not be empty"));
        }
        Ok(Self {
            client_id,
            client_secret,
            org_id,
            sandbox: Self::DEFAULT_SANDBOX.to_owned(),
            scopes: Self::DEFAULT_SCOPES.to_owned(),
            ims_url: parse_base_url(Self::DEFAULT_IMS_URL, "ims_url")?,
            cache: TokenCache::new(),
        })
    }

    /// Sets the AEP sandbox sent as `x-sandbox-name` (default `prod`).
    pub fn with_sandbox(mut self, sandbox: impl Into<String>) -> Self {
        self.sandbox = sandbox.into();
        self
    }

    /// Sets the comma-separated scopes.
    pub fn with_scopes(mut self, scopes: impl Into<String>) -> Self {
        self.scopes = scopes.into();
        self
    }

    /// Sets the IMS base URL (default `https://ims-na1.adobelogin.com`).
    pub fn with_ims_url(mut self, url: &str) -> Result<Self, Error> {
        self.ims_url = parse_base_url(url, "ims_url")?;
        Ok(self)
    }

    /// Sets how long before expiry the token is refreshed (default 5 minutes).
    pub fn with_refresh_margin(mut self, margin: Duration) -> Self {
        self.cache = TokenCache::with_refresh_margin(margin);
        self
    }

    async fn fetch(&self, transport: &Transport) -> Result<super::AccessToken, Error> {
        let url = build_url(&self.ims_url, &["ims", "token", "v3"], &[]);
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", self.client_id.as_str()),
            ("client_secret", self.client_secret.expose()),
            ("scope", self.scopes.as_str()),
        ];
        request_token(transport, &PROVIDER, url, &form).await
    }
}

impl fmt::Debug for AdobeImsCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AdobeImsCredentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("org_id", &self.org_id)
            .field("sandbox", &self.sandbox)
            .field("scopes", &self.scopes)
            .field("ims_url", &self.ims_url.as_str())
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl Credential for AdobeImsCredentials {
    async fn auth_headers(&self, transport: &Transport) -> Result<AuthHeaders, Error> {
        let (token, generation) = self.cache.get(|| self.fetch(transport)).await?;
        Ok(bearer(&token)?
            .with_secret("x-api-key", &self.client_id)?
            .with_header("x-gw-ims-org-id", &self.org_id)?
            .with_header("x-sandbox-name", &self.sandbox)?
            .with_generation(generation))
    }

    async fn invalidate(&self, rejected: &AuthHeaders) -> bool {
        self.cache.invalidate(rejected.generation()).await;
        true
    }
}
