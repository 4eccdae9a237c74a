//! [`AppchargeClient`] and its builder: base URL (production, Appcharge sandbox or any URL),
//! publisher token and transport.

use std::fmt;
use std::sync::Arc;

use offerkit_transport::{Credential, Service, StaticHeader, Transport, VendorClient};

use crate::Error;

/// What the transport needs to know about Appcharge: names, production URL, request-id headers.
pub static SERVICE: Service = Service::new("appcharge", "Appcharge", PRODUCTION_BASE_URL)
    .request_id_headers(&["x-request-id", "x-amzn-requestid", "x-amz-cf-id"]);

/// Appcharge's production API.
pub const PRODUCTION_BASE_URL: &str = offerkit_models::appcharge::BASE_URL;
/// Appcharge's sandbox API (a separate publisher token).
pub const SANDBOX_BASE_URL: &str = offerkit_models::appcharge::SANDBOX_BASE_URL;
/// The environment variable holding the publisher token (`x-publisher-token`).
pub const TOKEN_ENV: &str = StaticHeader::APPCHARGE_ENV;
/// The environment variable that overrides the base URL (optional; same name as the facade's).
pub const URL_ENV: &str = "OFFERKIT_APPCHARGE_URL";

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
    /// `https://api-sandbox.appcharge.com`.
    Sandbox,
}

impl Environment {
    /// The base URL of this environment.
    ///
    /// ```
    /// # use offerkit_appcharge::Environment;
    /// assert_eq!(Environment::Production.base_url(), "https://api.appcharge.com");
    /// ```
    pub fn base_url(self) -> &'static str {
        match self {
            Self::Production => PRODUCTION_BASE_URL,
            Self::Sandbox => SANDBOX_BASE_URL,
        }
    }
}

/// A client of the Appcharge Offers V2 API. Cheap to clone; share one per publisher token.
///
/// ```no_run
/// use offerkit_appcharge::{AppchargeClient, PublisherOfferId, Retraction};
/// # async fn run() -> Result<(), offerkit_appcharge::Error> {
/// let client = AppchargeClient::builder().publisher_token("pub-token").build()?;
/// match client.delete_offer(&PublisherOfferId::new("special-offer-1")?).await? {
///     Retraction::Retracted { value, .. } => println!("deleted {:?}", value.name),
///     Retraction::AlreadyRetracted { .. } => println!("was already gone"),
///     _ => {}
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct AppchargeClient {
    pub(crate) http: VendorClient,
}

impl AppchargeClient {
    /// Starts a builder (production base URL, default transport, no credential yet).
    ///
    /// ```
    /// use offerkit_appcharge::{AppchargeClient, Environment};
    /// let client = AppchargeClient::builder()
    ///     .environment(Environment::Sandbox)
    ///     .publisher_token("sandbox-token")
    ///     .build()?;
    /// assert_eq!(client.base_url(), "https://api-sandbox.appcharge.com/");
    /// # Ok::<(), offerkit_appcharge::Error>(())
    /// ```
    pub fn builder() -> AppchargeClientBuilder {
        AppchargeClientBuilder::default()
    }

    /// A client configured from the environment: the token from `OFFERKIT_APPCHARGE_PUBLISHER_TOKEN`
    /// and, when set, the base URL from `OFFERKIT_APPCHARGE_URL` (production otherwise).
    ///
    /// ```no_run
    /// let client = offerkit_appcharge::AppchargeClient::from_env()?;
    /// # let _ = client; Ok::<(), offerkit_appcharge::Error>(())
    /// ```
    pub fn from_env() -> Result<Self, Error> {
        Self::from_lookup(&|name| std::env::var(name).ok())
    }

    /// Like [`AppchargeClient::from_env`], reading variables through `lookup` (tests, config files).
    ///
    /// ```
    /// use offerkit_appcharge::AppchargeClient;
    /// let client = AppchargeClient::from_lookup(&|name| match name {
    ///     "OFFERKIT_APPCHARGE_PUBLISHER_TOKEN" => Some("t".to_owned()),
    ///     "OFFERKIT_APPCHARGE_URL" => Some("http://127.0.0.1:9000".to_owned()),
    ///     _ => None,
    /// })?;
    /// assert_eq!(client.base_url(), "http://127.0.0.1:9000/");
    /// # Ok::<(), offerkit_appcharge::Error>(())
    /// ```
    pub fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let read = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let token = read(TOKEN_ENV).ok_or_else(|| Error::InvalidArgument {
            argument: TOKEN_ENV,
            reason: "the environment variable is not set or empty (the publisher token is in the \
                     Publisher Dashboard under Settings > Integration)"
                .to_owned(),
        })?;
        let mut builder = Self::builder().publisher_token(token);
        if let Some(url) = read(URL_ENV) {
            builder = builder.base_url(url);
        }
        builder.build()
    }

    /// The base URL requests go to.
    ///
    /// ```
    /// # use offerkit_appcharge::AppchargeClient;
    /// let client = AppchargeClient::builder().publisher_token("t").build()?;
    /// assert_eq!(client.base_url(), "https://api.appcharge.com/");
    /// # Ok::<(), offerkit_appcharge::Error>(())
    /// ```
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
/// use offerkit_appcharge::AppchargeClient;
/// use offerkit_appcharge::transport::{RetryPolicy, Transport};
/// let transport = Transport::builder()
///     .timeout(Duration::from_secs(10))
///     .retry_policy(RetryPolicy::default().with_max_retries(5))
///     .build()?;
/// let client = AppchargeClient::builder()
///     .base_url("http://127.0.0.1:8080")
///     .publisher_token("t")
///     .transport(transport)
///     .build()?;
/// # let _ = client; Ok::<(), offerkit_appcharge::Error>(())
/// ```
#[derive(Default)]
pub struct AppchargeClientBuilder {
    base_url: Option<String>,
    environment: Environment,
    credential: Option<Arc<dyn Credential>>,
    transport: Option<Transport>,
}

impl AppchargeClientBuilder {
    /// Talks to `environment`'s base URL (default [`Environment::Production`]); a
    /// [`AppchargeClientBuilder::base_url`] wins over it.
    ///
    /// ```
    /// # use offerkit_appcharge::{AppchargeClient, Environment};
    /// let b = AppchargeClient::builder().environment(Environment::Sandbox);
    /// # let _ = b;
    /// ```
    pub fn environment(mut self, environment: Environment) -> Self {
        self.environment = environment;
        self
    }

    /// Talks to this base URL (`https://`, or `http://` on a loopback host, e.g. the offerkit sandbox
    /// or a test server). A trailing slash is fine.
    ///
    /// ```
    /// # use offerkit_appcharge::AppchargeClient;
    /// let client = AppchargeClient::builder().base_url("https://api-sandbox.appcharge.com/").publisher_token("t").build()?;
    /// assert_eq!(client.base_url(), "https://api-sandbox.appcharge.com/");
    /// # Ok::<(), offerkit_appcharge::Error>(())
    /// ```
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Authenticates with this publisher token, sent as `x-publisher-token` (never printed).
    ///
    /// ```
    /// # use offerkit_appcharge::AppchargeClient;
    /// let client = AppchargeClient::builder().publisher_token("s3cret").build()?;
    /// assert!(!format!("{client:?}").contains("s3cret"));
    /// # Ok::<(), offerkit_appcharge::Error>(())
    /// ```
    pub fn publisher_token(self, token: impl Into<String>) -> Self {
        self.credential(Arc::new(StaticHeader::appcharge(token.into())))
    }

    /// Authenticates with any [`Credential`] (for example a token from a secret store).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use offerkit_appcharge::AppchargeClient;
    /// use offerkit_appcharge::transport::StaticHeader;
    /// let client = AppchargeClient::builder()
    ///     .credential(Arc::new(StaticHeader::appcharge("t")))
    ///     .build()?;
    /// # let _ = client; Ok::<(), offerkit_appcharge::Error>(())
    /// ```
    pub fn credential(mut self, credential: Arc<dyn Credential>) -> Self {
        self.credential = Some(credential);
        self
    }

    /// Sends through this transport (share one between clients to reuse connections; tests pass a
    /// mock). Default: [`Transport::new`].
    ///
    /// ```
    /// # use offerkit_appcharge::AppchargeClient;
    /// let transport = offerkit_appcharge::transport::Transport::new()?;
    /// let client = AppchargeClient::builder().publisher_token("t").transport(transport).build()?;
    /// # let _ = client; Ok::<(), offerkit_appcharge::Error>(())
    /// ```
    pub fn transport(mut self, transport: Transport) -> Self {
        self.transport = Some(transport);
        self
    }

    /// Builds the client; fails on a missing credential or an invalid base URL.
    ///
    /// ```
    /// # use offerkit_appcharge::AppchargeClient;
    /// let err = AppchargeClient::builder().build().unwrap_err();
    /// assert!(err.to_string().starts_with("invalid credential"));
    /// let err = AppchargeClient::builder().publisher_token("t").base_url("http://example.com").build().unwrap_err();
    /// assert!(err.to_string().starts_with("invalid base_url"));
    /// ```
    pub fn build(self) -> Result<AppchargeClient, Error> {
        let credential = self.credential.ok_or_else(|| Error::InvalidArgument {
            argument: "credential",
            reason: format!(
                "no publisher token: call .publisher_token(..) or .credential(..), or use \
                 AppchargeClient::from_env() with {TOKEN_ENV} set"
            ),
        })?;
        let transport = match self.transport {
            Some(t) => t,
            None => Transport::new()?,
        };
        let base_url = self
            .base_url
            .unwrap_or_else(|| self.environment.base_url().to_owned());
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
        Ok(AppchargeClient { http })
    }
}

impl fmt::Debug for AppchargeClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppchargeClientBuilder")
            .field("base_url", &self.base_url)
            .field("environment", &self.environment)
            .field("credential", &self.credential)
            .field("transport", &self.transport.is_some())
            .finish()
    }
}
