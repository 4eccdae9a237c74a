//! [`Config`]: endpoints and credentials per vendor, from env vars and/or a TOML profile.
//!
//! Profile file (every key optional; one table per vendor, named like
//! [`Vendor::as_str`]):
//!
//! ```toml
//! job-poll-interval-ms = 60000
//! job-deadline-secs = 1800
//!
//! [partner-center-ingestion]
//! base-url = "https://graph.microsoft.com/rp/product-ingestion"
//! token-url = "https://login.microsoftonline.com/<tenant>/oauth2/token"
//! tenant-id = "…"
//! client-id = "…"
//! client-secret = "…"
//!
//! [appcharge]
//! publisher-token = "…"
//! ```
//!
//! Environment: `OFFERKIT_<STEM>_URL`, `OFFERKIT_<STEM>_TOKEN_URL` and
//! `OFFERKIT_<STEM>_<KEY>` for any other key (`OFFERKIT_ADOBE_ORG_ID` → `org-id`), with
//! `<STEM>` one of `INGESTION`, `ORDERS`, `ADOBE`, `APPCHARGE`. Env wins over the file.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use std::time::Duration;

use crate::error::{Error, ErrorKind};
use offerkit_models::Vendor;

/// Everything needed to build a [`crate::Client`].
///
/// ```
/// use offerkit::{Config, Vendor};
/// let file = Config::from_toml_str(r#"
///     [appcharge]
///     base-url = "http://127.0.0.1:9000"
///     publisher-token = "secret"
/// "#).unwrap();
/// let env = Config::from_env_vars([("OFFERKIT_APPCHARGE_PUBLISHER_TOKEN", "from-env")]).unwrap();
/// let config = file.merged(env);
/// let appcharge = config.vendor(Vendor::Appcharge);
/// assert_eq!(appcharge.base_url.as_deref(), Some("http://127.0.0.1:9000"));
/// assert_eq!(appcharge.credential("publisher-token"), Some("from-env"));
/// assert!(!format!("{config:?}").contains("from-env")); // secrets never printed
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Config {
    /// Per-vendor settings; a missing entry means "all defaults".
    pub vendors: BTreeMap<Vendor, VendorConfig>,
    /// Job poll interval (default [`crate::RetractContext::DEFAULT_POLL_INTERVAL`]).
    pub job_poll_interval: Option<Duration>,
    /// Job deadline (default [`crate::RetractContext::DEFAULT_JOB_DEADLINE`]).
    pub job_deadline: Option<Duration>,
    /// The shared Partner Center settings (`[azure]`, `OFFERKIT_AZURE_*`): the fallback of both
    /// Partner Center vendors' Azure keys.
    pub azure: VendorConfig,
}

/// One vendor's endpoints and credentials.
#[derive(Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct VendorConfig {
    /// API base URL override (the vendor crate's production URL otherwise).
    pub base_url: Option<String>,
    /// Token endpoint override.
    pub token_url: Option<String>,
    /// Credential and option values by kebab-case key (`client-id`, `client-secret`,
    /// `tenant-id`, `org-id`, `sandbox-name`, `publisher-token`...).
    pub credentials: BTreeMap<String, String>,
}

impl VendorConfig {
    /// A credential or option by key.
    pub fn credential(&self, key: &str) -> Option<&str> {
        self.credentials.get(key).map(String::as_str)
    }

    /// A credential that must be present; the error tells where to set it.
    pub fn require(&self, vendor: Vendor, key: &str) -> Result<&str, Error> {
        self.credential(key).ok_or_else(|| {
            Error::new(
                ErrorKind::Config,
                format!(
                    "{vendor}: missing `{key}` (set env OFFERKIT_{}_{} or `{key}` under [{vendor}] in the profile)",
                    vendor.env_stem(),
                    key.to_ascii_uppercase().replace('-', "_"),
                ),
            )
        })
    }

    fn merge(&mut self, other: VendorConfig) {
        if other.base_url.is_some() {
            self.base_url = other.base_url;
        }
        if other.token_url.is_some() {
            self.token_url = other.token_url;
        }
        self.credentials.extend(other.credentials);
    }
}

impl fmt::Debug for VendorConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VendorConfig")
            .field("base_url", &self.base_url)
            .field("token_url", &self.token_url)
            .field("credentials", &self.credentials.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("vendors", &self.vendors)
            .field("job_poll_interval", &self.job_poll_interval)
            .field("job_deadline", &self.job_deadline)
            .finish()
    }
}

impl Config {
    /// An empty config (every vendor on defaults, no credentials).
    pub fn new() -> Self {
        Config::default()
    }

    /// Reads `OFFERKIT_*` variables from the process environment.
    pub fn from_env() -> Result<Self, Error> {
        Config::from_env_vars(std::env::vars())
    }

    /// Reads `OFFERKIT_*` variables from the given pairs (others are ignored).
    pub fn from_env_vars<K, V>(vars: impl IntoIterator<Item = (K, V)>) -> Result<Self, Error>
    where
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut config = Config::new();
        for (key, value) in vars {
            let (key, value) = (key.as_ref(), value.as_ref());
            let Some(rest) = key.strip_prefix("OFFERKIT_") else {
                continue;
            };
            match rest {
                "JOB_POLL_INTERVAL_MS" => {
                    config.job_poll_interval =
                        Some(Duration::from_millis(parse_number(key, value)?));
                    continue;
                }
                "JOB_DEADLINE_SECS" => {
                    config.job_deadline = Some(Duration::from_secs(parse_number(key, value)?));
                    continue;
                }
                _ => {}
            }
            let Some((vendor, field)) = Vendor::ALL.into_iter().find_map(|v| {
                rest.strip_prefix(v.env_stem())
                    .and_then(|f| f.strip_prefix('_'))
                    .map(|f| (v, f))
            }) else {
                continue;
            };
            let entry = config.vendors.entry(vendor).or_default();
            match field {
                "URL" | "BASE_URL" => entry.base_url = Some(value.to_owned()),
                "TOKEN_URL" => entry.token_url = Some(value.to_owned()),
                _ => {
                    let key = field.to_ascii_lowercase().replace('_', "-");
                    entry.credentials.insert(key, value.to_owned());
                }
            }
        }
        Ok(config)
    }

    /// Parses a TOML profile (see the module docs for the format).
    pub fn from_toml_str(text: &str) -> Result<Self, Error> {
        let table: toml::Table = text
            .parse()
            .map_err(|e| Error::new(ErrorKind::Config, format!("invalid profile TOML: {e}")))?;
        let mut config = Config::new();
        for (key, value) in table {
            match (key.as_str(), value) {
                ("job-poll-interval-ms", toml::Value::Integer(ms)) => {
                    config.job_poll_interval = Some(Duration::from_millis(non_negative(&key, ms)?))
                }
                ("job-deadline-secs", toml::Value::Integer(s)) => {
                    config.job_deadline = Some(Duration::from_secs(non_negative(&key, s)?))
                }
                (_, toml::Value::Table(section)) => {
                    let vendor = Vendor::parse(&key).ok_or_else(|| {
                        Error::new(
                            ErrorKind::Config,
                            format!("profile: unknown vendor section [{key}]"),
                        )
                    })?;
                    let entry = config.vendors.entry(vendor).or_default();
                    for (field, value) in section {
                        let toml::Value::String(value) = value else {
                            return Err(Error::new(
                                ErrorKind::Config,
                                format!("profile: [{key}] {field} must be a string"),
                            ));
                        };
                        match field.as_str() {
                            "base-url" | "url" => entry.base_url = Some(value),
                            "token-url" => entry.token_url = Some(value),
                            _ => {
                                entry.credentials.insert(field, value);
                            }
                        }
                    }
                }
                (_, _) => {
                    return Err(Error::new(
                        ErrorKind::Config,
                        format!("profile: unknown or mistyped top-level key `{key}`"),
                    ));
                }
            }
        }
        Ok(config)
    }

    /// Reads a TOML profile file.
    pub fn from_file(path: &Path) -> Result<Self, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::new(
                ErrorKind::Config,
                format!("cannot read profile {}: {e}", path.display()),
            )
        })?;
        Config::from_toml_str(&text)
    }

    /// `self` overridden by every value set in `other`.
    pub fn merged(mut self, other: Config) -> Self {
        for (vendor, settings) in other.vendors {
            self.vendors.entry(vendor).or_default().merge(settings);
        }
        if other.job_poll_interval.is_some() {
            self.job_poll_interval = other.job_poll_interval;
        }
        if other.job_deadline.is_some() {
            self.job_deadline = other.job_deadline;
        }
        self
    }

    /// Answers a vendor crate's configuration lookups (`OFFERKIT_<VENDOR>_<KEY>`, and
    /// `OFFERKIT_AZURE_<KEY>` for the Partner Center fallback) from this config, so that
    /// `XClient::builder().from_lookup(&config.lookup())` reads exactly the keys the vendor crate
    /// documents.
    ///
    /// ```
    /// use offerkit::{Config, Vendor};
    /// let config = Config::new()
    ///     .with_credential(Vendor::PartnerCenterOrders, "tenant-id", "t1")
    ///     .with_base_url(Vendor::PartnerCenterOrders, "http://127.0.0.1:9");
    /// let lookup = config.lookup();
    /// assert_eq!(lookup("OFFERKIT_ORDERS_TENANT_ID").as_deref(), Some("t1"));
    /// assert_eq!(lookup("OFFERKIT_ORDERS_URL").as_deref(), Some("http://127.0.0.1:9"));
    /// assert_eq!(lookup("OFFERKIT_INGESTION_TENANT_ID"), None);
    /// ```
    pub fn lookup(&self) -> impl Fn(&str) -> Option<String> + '_ {
        move |name| self.value_of(name)
    }

    fn value_of(&self, name: &str) -> Option<String> {
        let rest = name.strip_prefix("OFFERKIT_")?;
        let (settings, key) = match rest.strip_prefix("AZURE_") {
            Some(key) => (Some(&self.azure), key),
            None => {
                let (vendor, key) = Vendor::ALL.into_iter().find_map(|v| {
                    rest.strip_prefix(v.env_stem())
                        .and_then(|k| k.strip_prefix('_'))
                        .map(|k| (v, k))
                })?;
                (self.vendors.get(&vendor), key)
            }
        };
        let settings = settings?;
        if key == "URL" {
            return settings.base_url.clone();
        }
        settings
            .credential(&key.to_ascii_lowercase().replace('_', "-"))
            .map(str::to_owned)
    }

    /// The settings of `vendor` (defaults if none).
    pub fn vendor(&self, vendor: Vendor) -> VendorConfig {
        self.vendors.get(&vendor).cloned().unwrap_or_default()
    }

    /// Overrides `vendor`'s API base URL.
    pub fn with_base_url(mut self, vendor: Vendor, url: impl Into<String>) -> Self {
        self.vendors.entry(vendor).or_default().base_url = Some(url.into());
        self
    }

    /// Overrides `vendor`'s token endpoint.
    pub fn with_token_url(mut self, vendor: Vendor, url: impl Into<String>) -> Self {
        self.vendors.entry(vendor).or_default().token_url = Some(url.into());
        self
    }

    /// Sets one credential of `vendor`.
    pub fn with_credential(
        mut self,
        vendor: Vendor,
        key: impl Into<String>,
        value: impl Into<String>,
    ) -> Self {
        self.vendors
            .entry(vendor)
            .or_default()
            .credentials
            .insert(key.into(), value.into());
        self
    }

    /// Sets the job poll interval.
    pub fn with_job_poll_interval(mut self, interval: Duration) -> Self {
        self.job_poll_interval = Some(interval);
        self
    }
}

fn parse_number(key: &str, value: &str) -> Result<u64, Error> {
    value.trim().parse().map_err(|_| {
        Error::new(
            ErrorKind::Config,
            format!("{key} must be a non-negative integer, got `{value}`"),
        )
    })
}

fn non_negative(key: &str, n: i64) -> Result<u64, Error> {
    u64::try_from(n).map_err(|_| {
        Error::new(
            ErrorKind::Config,
            format!("profile: {key} must not be negative"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_maps_stems_and_keys() {
        let config = Config::from_env_vars([
            ("OFFERKIT_INGESTION_URL", "http://i"),
            ("OFFERKIT_ORDERS_TOKEN_URL", "http://t"),
            ("OFFERKIT_ADOBE_ORG_ID", "org"),
            ("OFFERKIT_JOB_POLL_INTERVAL_MS", "5"),
            ("PATH", "/bin"),
        ])
        .expect("env");
        assert_eq!(
            config
                .vendor(Vendor::PartnerCenterIngestion)
                .base_url
                .as_deref(),
            Some("http://i")
        );
        assert_eq!(
            config
                .vendor(Vendor::PartnerCenterOrders)
                .token_url
                .as_deref(),
            Some("http://t")
        );
        assert_eq!(
            config.vendor(Vendor::AdobeOffers).credential("org-id"),
            Some("org")
        );
        assert_eq!(config.job_poll_interval, Some(Duration::from_millis(5)));
    }

    #[test]
    fn profile_errors_are_config_errors() {
        let err = Config::from_toml_str("[acme]\nx = \"y\"").expect_err("unknown vendor");
        assert_eq!(err.kind(), ErrorKind::Config);
        let err = Config::from_toml_str("[adobe]\nx = 1").expect_err("non-string");
        assert!(err.message().contains("must be a string"));
        let missing = Config::new()
            .vendor(Vendor::AdobeOffers)
            .require(Vendor::AdobeOffers, "org-id")
            .expect_err("missing");
        assert!(missing.message().contains("OFFERKIT_ADOBE_ORG_ID"));
    }
}
