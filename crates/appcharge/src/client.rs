//! [`AppchargeClient`] and its builder: base URL (production, Appcharge sandbox or any URL),
//! publisher token and transport.

use std::fmt;
use std::sync::Arc;

use offerkit_transport::{
    ClientSettings, Credential, EnvSettings, Secret, Service, StaticHeader, Transport, VendorClient,
};

use crate::Error;

/// What the transport needs to know about Appcharge: names, production URL, request-id headers.
pub static SERVICE: Service = Service::new("appcharge", "Appcharge", AppchargeClient::BASE_URL)
    .request_id_headers(&["x-request-id", "x-amzn-requestid", "x-amz-cf-id"]);

/// The header Appcharge reads the publisher token from.
const TOKEN_HEADER: &str = "x-publisher-token";

/// Which Appcharge deployment to talk to.
///
/// ```
/// use offerkit_appcharge::Environment;
/// assert_eq!(Environment::Sandbox.base_url(), "https://api-sandbox.appcharge.com");
/// assert_eq!(Environment::default(), Environment::Production);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Environment {
    /// `https://api.appcharge.com`.
    #[default]
    Production,
    /// `https://api-sandbox.appcharge.com` (a separate publisher token).
    Sandbox,
}

impl Environment {
    /// The base URL of this environment.
    pub fn base_url(self) -> &'static str {
        match self {
            Self::Production => offerkit_models::appcharge::BASE_URL,
            Self::Sandbox => offerkit_models::appcharge::SANDBOX_BASE_URL,
        }
    }
}

/// A client of the Appcharge Offers V2 API. Cheap to clone; share one per publisher token.
#[derive(Clone)]
pub struct AppchargeClient {
    pub(crate) http: VendorClient,
}

impl AppchargeClient {
    /// Appcharge's production API, the default base URL.
    pub const BASE_URL: &'static str = offerkit_models::appcharge::BASE_URL;
    /// The configuration key that overrides the base URL (optional).
    pub const URL_ENV: &'static str = "OFFERKIT_APPCHARGE_URL";
    /// The configuration key holding the publisher token (required by `from_env`).
    pub const TOKEN_ENV: &'static str = "OFFERKIT_APPCHARGE_PUBLISHER_TOKEN";

    /// Starts a builder (production base URL, default transport, no credential yet).
    pub fn builder() -> AppchargeClientBuilder {
        AppchargeClientBuilder::default()
    }

    /// A client configured from the process environment: [`AppchargeClient::TOKEN_ENV`] and,
    /// when set, [`AppchargeClient::URL_ENV`] (production otherwise).
    pub fn from_env() -> Result<Self, Error> {
        Self::from_lookup(&|name| std::env::var(name).ok())
    }

    /// Like [`AppchargeClient::from_env`], reading the keys through `lookup` (tests, profiles).
    ///
    /// ```
    /// use offerkit_appcharge::AppchargeClient;
    /// let client = AppchargeClient::from_lookup(&|name| match name {
    ///     "OFFERKIT_APPCHARGE_PUBLISHER_TOKEN" => Some("t".to_owned()),
    ///     "OFFERKIT_APPCHARGE_URL" => Some("http://127.0.0.1:9000".to_owned()),
    ///     _ => None,
    /// })?;
    /// assert_eq!(client.base_url(), "http://127.0.0.1:9000/");
    ///
    /// let err = AppchargeClient::from_lookup(&|_| None).unwrap_err();
    /// assert!(err.to_string().contains("set OFFERKIT_APPCHARGE_PUBLISHER_TOKEN"), "{err}");
    /// # Ok::<(), offerkit_appcharge::Error>(())
    /// ```
    pub fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, Error> {
        Self::builder().from_lookup(lookup)?.build()
    }

    /// The base URL requests go to, with a trailing `/`.
    pub fn base_url(&self) -> &str {
        self.http.base_url().as_str()
    }
}

impl fmt::Debug for AppchargeClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // VendorClient's Debug redacts the credential.
        f.debug_struct("AppchargeClient")
            .field("http", &self.http)
            .finish()
    }
}

/// Builds an [`AppchargeClient`]. A credential is required ([`AppchargeClientBuilder::publisher_token`]
/// or [`AppchargeClientBuilder::credential`]); everything else has a default.
///
/// ```
/// use std::time::Duration;
/// use offerkit_appcharge::{AppchargeClient, Environment};
/// use offerkit_appcharge::transport::{RetryPolicy, Transport};
/// let transport = Transport::builder()
///     .timeout(Duration::from_secs(10))
///     .retry_policy(RetryPolicy::default().with_max_retries(5))
///     .build()?;
/// let client = AppchargeClient::builder()
///     .environment(Environment::Sandbox)
///     .publisher_token("sandbox-token")
///     .transport(transport)
///     .build()?;
/// assert_eq!(client.base_url(), "https://api-sandbox.appcharge.com/");
/// # Ok::<(), offerkit_appcharge::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct AppchargeClientBuilder {
    settings: ClientSettings,
    environment: Environment,
}

impl AppchargeClientBuilder {
    /// Talks to `environment`'s base URL (default [`Environment::Production`]); a
    /// [`AppchargeClientBuilder::base_url`] wins over it.
    pub fn environment(mut self, environment: Environment) -> Self {
        self.environment = environment;
        self
    }

    /// Talks to this base URL (`https://`, or `http://` on a loopback host, e.g. the offerkit
    /// sandbox or a test server). A trailing slash is fine.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.settings = self.settings.base_url(url);
        self
    }

    /// Authenticates with this publisher token, sent as `x-publisher-token` (never printed).
    pub fn publisher_token(self, token: impl Into<Secret>) -> Self {
        self.credential(Arc::new(StaticHeader::new(TOKEN_HEADER, token)))
    }

    /// Authenticates with any [`Credential`] (for example a token from a secret store).
    pub fn credential(mut self, credential: Arc<dyn Credential>) -> Self {
        self.settings = self.settings.credential(credential);
        self
    }

    /// Sends through this transport (share one between clients to reuse connections; tests pass
    /// a mock). Default: [`Transport::new`].
    pub fn transport(mut self, transport: Transport) -> Self {
        self.settings = self.settings.transport(transport);
        self
    }

    /// Reads [`AppchargeClient::TOKEN_ENV`] (required) and [`AppchargeClient::URL_ENV`]
    /// (optional) through `lookup` into this builder, so the transport can still be set.
    ///
    /// ```
    /// # use offerkit_appcharge::AppchargeClient;
    /// let lookup = |name: &str| {
    ///     (name == "OFFERKIT_APPCHARGE_PUBLISHER_TOKEN").then(|| "t".to_owned())
    /// };
    /// let client = AppchargeClient::builder()
    ///     .from_lookup(&lookup)?
    ///     .transport(offerkit_appcharge::transport::Transport::new()?)
    ///     .build()?;
    /// assert_eq!(client.base_url(), "https://api.appcharge.com/");
    /// # Ok::<(), offerkit_appcharge::Error>(())
    /// ```
    pub fn from_lookup(self, lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let mut keys = EnvSettings::new(SERVICE.name(), &["OFFERKIT_APPCHARGE"], lookup);
        let token = keys.secret("PUBLISHER_TOKEN");
        let url = keys.optional("URL");
        keys.finish()
            .map_err(|missing| Error::Transport(missing.into()))?;
        let mut builder = self;
        if let Some(token) = token {
            builder = builder.publisher_token(token);
        }
        if let Some(url) = url {
            builder = builder.base_url(url);
        }
        Ok(builder)
    }

    /// Builds the client; fails on a missing credential or a refused base URL.
    ///
    /// ```
    /// # use offerkit_appcharge::AppchargeClient;
    /// let err = AppchargeClient::builder().build().unwrap_err();
    /// assert!(err.to_string().starts_with("invalid credential"));
    /// let err = AppchargeClient::builder().publisher_token("t").base_url("http://example.com").build().unwrap_err();
    /// assert!(err.to_string().starts_with("invalid base_url"));
    /// ```
    pub fn build(self) -> Result<AppchargeClient, Error> {
        if !self.settings.has_credential() {
            return Err(Error::InvalidArgument {
                argument: "credential",
                reason: format!(
                    "no publisher token: call .publisher_token(..) or .credential(..), or use \
                     AppchargeClient::from_env() with {} set",
                    AppchargeClient::TOKEN_ENV
                ),
            });
        }
        let settings = match self.settings.base_url_override() {
            Some(_) => self.settings,
            None => self.settings.base_url(self.environment.base_url()),
        };
        let http = settings.build(&SERVICE)?;
        Ok(AppchargeClient { http })
    }
}
