//! Azure AD / Microsoft Entra client credentials.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use url::Url;

use super::static_token::bearer;
use super::token_endpoint::request_token;
use super::{AuthHeaders, Credential, TokenCache};
use crate::urls::{build_url, encode_segment, parse_base_url};
use crate::{EnvSettings, Error, Secret, Service, Transport};

/// The identity provider, as token calls name it in errors and traces.
static PROVIDER: Service = Service::new(
    "Azure AD",
    "Azure AD",
    AzureClientCredentials::DEFAULT_AUTHORITY,
);

/// Which token endpoint form to use.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AzureTokenRequest {
    /// v1: `POST {authority}/{tenant}/oauth2/token` with `resource=...` (the form Microsoft documents
    /// for both Partner Center APIs).
    Resource(String),
    /// v2: `POST {authority}/{tenant}/oauth2/v2.0/token` with `scope=...` (for example
    /// `https://graph.microsoft.com/.default`).
    Scope(String),
}

/// Client-credentials flow against Azure AD / Entra: `tenant`, `client id`, `client secret` and a
/// resource (v1) or scope (v2). Tokens are cached and refreshed as described in [`TokenCache`].
///
/// The Partner Center vendor crates read their configuration keys (`OFFERKIT_<VENDOR>_*`) and
/// build this.
///
/// ```
/// use offerkit_transport::AzureClientCredentials;
/// # fn main() -> Result<(), offerkit_transport::Error> {
/// let cred = AzureClientCredentials::for_resource("contoso.onmicrosoft.com", "app-id", "s3cret", "https://api.partnercenter.microsoft.com")?
///     .with_authority("http://127.0.0.1:8080")?; // the offerkit sandbox emulates the token endpoint
/// assert!(!format!("{cred:?}").contains("s3cret"));
/// # Ok(()) }
/// ```
pub struct AzureClientCredentials {
    tenant_id: String,
    client_id: String,
    client_secret: Secret,
    authority: Url,
    request: AzureTokenRequest,
    cache: TokenCache,
}

impl AzureClientCredentials {
    /// The public Azure AD authority.
    pub const DEFAULT_AUTHORITY: &'static str = "https://login.microsoftonline.com";

    /// Credentials for any resource or scope.
    pub fn new(
        tenant_id: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
        request: AzureTokenRequest,
    ) -> Result<Self, Error> {
        let tenant_id = tenant_id.into();
        let client_id = client_id.into();
        let client_secret = client_secret.into();
        encode_segment(&tenant_id, "tenant_id")?;
        if client_id.trim().is_empty() {
            return Err(Error::invalid_input("client_id", "must not be empty"));
        }
        if client_secret.is_empty() {
            return Err(Error::invalid_input("client_secret", "must not be empty"));
        }
        Ok(Self {
            tenant_id,
            client_id,
            client_secret,
            authority: parse_base_url(Self::DEFAULT_AUTHORITY, "authority")?,
            request,
            cache: TokenCache::new(),
        })
    }

    /// Credentials for a v1 `resource` (the vendor crate names its own, e.g.
    /// `OrdersClient::TOKEN_RESOURCE`).
    pub fn for_resource(
        tenant_id: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
        resource: impl Into<String>,
    ) -> Result<Self, Error> {
        Self::new(
            tenant_id,
            client_id,
            client_secret,
            AzureTokenRequest::Resource(resource.into()),
        )
    }

    /// Reads the Azure AD app from configuration keys: `TENANT_ID`, `CLIENT_ID`, `CLIENT_SECRET`
    /// (required; recorded as missing in `keys` when unset) and `AUTHORITY` (optional), under
    /// the prefixes of `keys` (e.g. `OFFERKIT_ORDERS`, then `OFFERKIT_AZURE`), for the v1
    /// `resource`. `Ok(None)` when a required key is missing: [`EnvSettings::finish`] names them.
    ///
    /// ```
    /// use offerkit_transport::{AzureClientCredentials, EnvSettings};
    /// let lookup = |k: &str| match k {
    ///     "OFFERKIT_AZURE_TENANT_ID" => Some("t".to_owned()),
    ///     "OFFERKIT_ORDERS_CLIENT_ID" => Some("c".to_owned()),
    ///     "OFFERKIT_ORDERS_CLIENT_SECRET" => Some("s".to_owned()),
    ///     _ => None,
    /// };
    /// let mut keys = EnvSettings::new("Partner Center orders", &["OFFERKIT_ORDERS", "OFFERKIT_AZURE"], &lookup);
    /// let cred = AzureClientCredentials::from_settings(&mut keys, "https://api.partnercenter.microsoft.com")?;
    /// assert!(cred.is_some() && keys.finish().is_ok());
    /// # Ok::<(), offerkit_transport::Error>(())
    /// ```
    pub fn from_settings(
        keys: &mut EnvSettings<'_>,
        resource: &str,
    ) -> Result<Option<Self>, Error> {
        let tenant_id = keys.required("TENANT_ID");
        let client_id = keys.required("CLIENT_ID");
        let client_secret = keys.secret("CLIENT_SECRET");
        let authority = keys.optional("AUTHORITY");
        let (Some(tenant_id), Some(client_id), Some(client_secret)) =
            (tenant_id, client_id, client_secret)
        else {
            return Ok(None);
        };
        let credential = Self::for_resource(tenant_id, client_id, client_secret, resource)?;
        match authority {
            Some(authority) => credential.with_authority(&authority).map(Some),
            None => Ok(Some(credential)),
        }
    }

    /// Sets the token endpoint base URL (default `https://login.microsoftonline.com`).
    pub fn with_authority(mut self, authority: &str) -> Result<Self, Error> {
        self.authority = parse_base_url(authority, "authority")?;
        Ok(self)
    }

    /// Sets how long before expiry the token is refreshed (default 5 minutes).
    pub fn with_refresh_margin(mut self, margin: Duration) -> Self {
        self.cache = TokenCache::with_refresh_margin(margin);
        self
    }

    fn token_url(&self) -> Result<Url, Error> {
        let tenant = encode_segment(&self.tenant_id, "tenant_id")?;
        let tail: &[&str] = match self.request {
            AzureTokenRequest::Resource(_) => &["oauth2", "token"],
            AzureTokenRequest::Scope(_) => &["oauth2", "v2.0", "token"],
        };
        let mut segments = vec![tenant];
        segments.extend(tail.iter().map(|s| (*s).to_owned()));
        Ok(build_url(&self.authority, &segments, &[]))
    }

    async fn fetch(&self, transport: &Transport) -> Result<super::AccessToken, Error> {
        let (key, value) = match &self.request {
            AzureTokenRequest::Resource(r) => ("resource", r.as_str()),
            AzureTokenRequest::Scope(s) => ("scope", s.as_str()),
        };
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", self.client_id.as_str()),
            ("client_secret", self.client_secret.expose()),
            (key, value),
        ];
        request_token(transport, &PROVIDER, self.token_url()?, &form).await
    }
}

impl fmt::Debug for AzureClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AzureClientCredentials")
            .field("tenant_id", &self.tenant_id)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("authority", &self.authority.as_str())
            .field("request", &self.request)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl Credential for AzureClientCredentials {
    async fn auth_headers(&self, transport: &Transport) -> Result<AuthHeaders, Error> {
        let (token, generation) = self.cache.get(|| self.fetch(transport)).await?;
        Ok(bearer(&token)?.with_generation(generation))
    }

    async fn invalidate(&self, rejected: &AuthHeaders) -> bool {
        self.cache.invalidate(rejected.generation()).await;
        true
    }
}
