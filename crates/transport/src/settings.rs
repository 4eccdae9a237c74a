//! The settings every vendor client is built from ([`ClientSettings`]), and reading them from
//! configuration keys ([`EnvSettings`]): the one builder behind the four vendor builders.

use std::fmt;
use std::sync::Arc;

use crate::{Credential, Error, Secret, Service, Transport, VendorClient};

/// Base URL, credential and transport: what a vendor crate's builder collects before it builds
/// its client. Each vendor builder wraps one and adds only its typed credential sugar.
///
/// ```
/// use std::sync::Arc;
/// use offerkit_transport::{ClientSettings, Service, StaticHeader};
///
/// static WIDGETS: Service = Service::new("widgets", "Widget API", "https://api.widgets.example");
/// let client = ClientSettings::default()
///     .credential(Arc::new(StaticHeader::new("x-api-key", "k")))
///     .build(&WIDGETS)?;
/// assert_eq!(client.base_url().as_str(), "https://api.widgets.example/");
///
/// let missing = ClientSettings::default().build(&WIDGETS).unwrap_err();
/// assert!(missing.to_string().contains("credential"), "{missing}");
/// # Ok::<(), offerkit_transport::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct ClientSettings {
    base_url: Option<String>,
    credential: Option<Arc<dyn Credential>>,
    transport: Option<Transport>,
}

impl ClientSettings {
    /// Talks to this base URL instead of the service's production URL (`https://`, or `http://`
    /// on a loopback host, e.g. the offerkit sandbox).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The base URL set so far, if any.
    pub fn base_url_override(&self) -> Option<&str> {
        self.base_url.as_deref()
    }

    /// Authenticates with this credential.
    pub fn credential(mut self, credential: Arc<dyn Credential>) -> Self {
        self.credential = Some(credential);
        self
    }

    /// `true` once a credential is set.
    pub fn has_credential(&self) -> bool {
        self.credential.is_some()
    }

    /// Sends through this transport (default: [`Transport::new`]). Share one transport between
    /// clients to share its connection pool.
    pub fn transport(mut self, transport: Transport) -> Self {
        self.transport = Some(transport);
        self
    }

    /// The client for `service`. Fails when no credential was set or the base URL is refused.
    pub fn build(self, service: &'static Service) -> Result<VendorClient, Error> {
        let credential = self.credential.ok_or_else(|| {
            Error::invalid_input(
                "credential",
                format!(
                    "no credential for {service}: set one on the builder, or build the client \
                     with from_env()"
                ),
            )
        })?;
        let transport = match self.transport {
            Some(t) => t,
            None => Transport::new()?,
        };
        // One form whatever was given: exactly one trailing `/`, so `base_url()` reads the same in
        // every vendor crate and relative paths and links join under a base that has a path.
        let url = self
            .base_url
            .as_deref()
            .unwrap_or(service.default_base_url());
        let url = format!("{}/", url.trim().trim_end_matches('/'));
        VendorClient::new(service, &transport, &url, credential)
    }
}

impl fmt::Debug for ClientSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientSettings")
            .field("base_url", &self.base_url)
            .field("credential", &self.credential)
            .field("transport", &self.transport.is_some())
            .finish()
    }
}

/// Reads a vendor's configuration keys `OFFERKIT_<VENDOR>_<KEY>` through a lookup function (the
/// process environment, a profile, a map in tests), trying fallback prefixes in order, and
/// collects every missing required key so one error can name them all.
///
/// ```
/// use offerkit_transport::EnvSettings;
/// let lookup = |name: &str| (name == "OFFERKIT_AZURE_TENANT_ID").then(|| "t1".to_owned());
/// let mut keys = EnvSettings::new("Partner Center orders", &["OFFERKIT_ORDERS", "OFFERKIT_AZURE"], &lookup);
/// assert_eq!(keys.required("TENANT_ID").as_deref(), Some("t1"));
/// assert_eq!(keys.required("CLIENT_ID"), None);
/// assert!(keys.secret("CLIENT_SECRET").is_none());
/// let err = keys.finish().unwrap_err();
/// assert_eq!(err.keys(), ["OFFERKIT_ORDERS_CLIENT_ID", "OFFERKIT_ORDERS_CLIENT_SECRET"]);
/// assert_eq!(
///     err.to_string(),
///     "Partner Center orders is not configured: set OFFERKIT_ORDERS_CLIENT_ID, \
///      OFFERKIT_ORDERS_CLIENT_SECRET (OFFERKIT_AZURE_* is accepted too)"
/// );
/// ```
pub struct EnvSettings<'a> {
    service: &'static str,
    prefixes: &'a [&'a str],
    lookup: &'a dyn Fn(&str) -> Option<String>,
    missing: Vec<String>,
}

impl<'a> EnvSettings<'a> {
    /// Reads keys of `service` (its name, for the error) under `prefixes`, first one first.
    pub fn new(
        service: &'static str,
        prefixes: &'a [&'a str],
        lookup: &'a dyn Fn(&str) -> Option<String>,
    ) -> Self {
        Self {
            service,
            prefixes,
            lookup,
            missing: Vec::new(),
        }
    }

    /// The full name of `key` under the first prefix (`OFFERKIT_ORDERS_TENANT_ID`).
    pub fn name(&self, key: &str) -> String {
        match self.prefixes.first() {
            Some(prefix) => format!("{prefix}_{key}"),
            None => key.to_owned(),
        }
    }

    /// The value of `key` under the first prefix that has it, trimmed; empty counts as unset.
    pub fn optional(&self, key: &str) -> Option<String> {
        self.prefixes.iter().find_map(|prefix| {
            (self.lookup)(&format!("{prefix}_{key}"))
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        })
    }

    /// The value of `key` under the first prefix only: a vendor's own key that has no fallback
    /// (an API URL fits one vendor, never a shared prefix).
    pub fn own(&self, key: &str) -> Option<String> {
        let prefix = self.prefixes.first()?;
        (self.lookup)(&format!("{prefix}_{key}"))
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }

    /// Like [`EnvSettings::optional`]; when unset, the key is recorded as missing.
    pub fn required(&mut self, key: &str) -> Option<String> {
        let value = self.optional(key);
        if value.is_none() {
            self.missing.push(self.name(key));
        }
        value
    }

    /// A required secret.
    pub fn secret(&mut self, key: &str) -> Option<Secret> {
        self.required(key).map(Secret::new)
    }

    /// `Ok` when every required key was set; otherwise the error naming each missing one.
    pub fn finish(self) -> Result<(), MissingSettings> {
        if self.missing.is_empty() {
            return Ok(());
        }
        Err(MissingSettings {
            service: self.service,
            keys: self.missing,
            fallbacks: self
                .prefixes
                .iter()
                .skip(1)
                .map(|p| format!("{p}_*"))
                .collect(),
        })
    }
}

/// Required configuration keys that were not set, all of them at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingSettings {
    service: &'static str,
    keys: Vec<String>,
    fallbacks: Vec<String>,
}

impl MissingSettings {
    /// The service that is not configured.
    pub fn service(&self) -> &'static str {
        self.service
    }

    /// The missing keys, by their full primary name.
    pub fn keys(&self) -> &[String] {
        &self.keys
    }
}

impl fmt::Display for MissingSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} is not configured: set {}",
            self.service,
            self.keys.join(", ")
        )?;
        if !self.fallbacks.is_empty() {
            write!(f, " ({} is accepted too)", self.fallbacks.join(", "))?;
        }
        Ok(())
    }
}

impl std::error::Error for MissingSettings {}

/// `invalid <service> configuration: set <keys>`: an [`Error::InvalidInput`], never sent.
impl From<MissingSettings> for Error {
    fn from(err: MissingSettings) -> Self {
        let mut reason = format!("set {}", err.keys.join(", "));
        if !err.fallbacks.is_empty() {
            reason.push_str(&format!(" ({} is accepted too)", err.fallbacks.join(", ")));
        }
        Error::invalid_input(format!("{} configuration", err.service), reason)
    }
}
