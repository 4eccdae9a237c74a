//! [`Config`]: endpoints and credentials per vendor, from environment variables and/or a TOML
//! profile, with exactly the keys of [`CONFIG_KEYS`] (the vendor crates read the same ones).
//!
//! Profile file (every key optional; one table per vendor, `[azure]` for the Partner Center
//! fallback, the [`KeyScope::Global`] keys at the top level):
//!
//! ```toml
//! job-poll-interval-ms = 60000
//! timeout-secs = 30
//!
//! [azure]
//! tenant-id = "…"
//! client-id = "…"
//! client-secret = "…"
//!
//! [ingestion]
//! url = "https://graph.microsoft.com/rp/product-ingestion"
//!
//! [appcharge]
//! publisher-token = "…"
//! ```
//!
//! Named profiles put such a profile in a `[profile.NAME]` table each (`[profile.prod]`,
//! `[profile.prod.azure]`, ...), see [`ProfileChoice`] and [`Config::load_profile`].
//!
//! Environment: `OFFERKIT_<VENDOR>_<KEY>` (and `OFFERKIT_AZURE_<KEY>`), `<VENDOR>` one of
//! `INGESTION`, `ORDERS`, `ADOBE`, `APPCHARGE`. A key that is not in [`CONFIG_KEYS`] is an error
//! naming the nearest known key, so a typo cannot silently leave a setting unset.

mod keys;
mod network;
mod permissions;
mod profiles;
mod retired;

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use std::time::Duration;

use offerkit_models::Vendor;

use crate::error::{Error, ErrorKind};
pub use keys::{CONFIG_KEYS, ConfigKey, KeyScope, markdown_table};
use keys::{kebab, keys_of, nearest, screaming};
pub use network::Network;
pub use permissions::ProfilePermissions;
pub use profiles::{ProfileChoice, default_profile_file};
pub use retired::{authority_from_token_url, ims_url_from_token_url};

/// Everything needed to build a [`crate::Client`].
///
/// ```
/// use offerkit::{Config, Vendor};
/// let file = Config::from_toml_str(r#"
///     [appcharge]
///     url = "http://127.0.0.1:9000"
///     publisher-token = "secret"
/// "#).unwrap();
/// let env = Config::from_env_vars([("OFFERKIT_APPCHARGE_PUBLISHER_TOKEN", "from-env")]).unwrap();
/// let config = file.merged(env);
/// let appcharge = config.vendor(Vendor::Appcharge);
/// assert_eq!(appcharge.base_url.as_deref(), Some("http://127.0.0.1:9000"));
/// assert_eq!(appcharge.credential("publisher-token"), Some("from-env"));
/// assert!(!format!("{config:?}").contains("from-env")); // secrets never printed
///
/// let typo = Config::from_toml_str("[orders]\ntenant-idd = \"t\"").unwrap_err();
/// assert!(typo.to_string().contains("did you mean `tenant-id`"), "{typo}");
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Config {
    /// Per-vendor settings; a missing entry means "all defaults".
    pub vendors: BTreeMap<Vendor, VendorConfig>,
    /// The shared Partner Center settings (`[azure]`, `OFFERKIT_AZURE_*`): the fallback of both
    /// Partner Center vendors' Azure keys.
    pub azure: VendorConfig,
    /// Job poll interval (default [`crate::RetractContext::DEFAULT_POLL_INTERVAL`]).
    pub job_poll_interval: Option<Duration>,
    /// Job deadline (default [`crate::RetractContext::DEFAULT_JOB_DEADLINE`]).
    pub job_deadline: Option<Duration>,
    /// Timeouts and retries of every vendor's calls (the [`KeyScope::Global`] keys).
    pub network: Network,
    /// Deprecated keys that were read anyway (the previous scheme's `token-url`, `base-url`,
    /// ...) and a profile holding a secret that group or others may read: one message each, for
    /// the caller to show once.
    pub warnings: Vec<String>,
}

/// One vendor's settings.
#[derive(Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct VendorConfig {
    /// API base URL override (`URL`; the vendor crate's production URL otherwise).
    pub base_url: Option<String>,
    /// Every other key's value, by kebab-case key (`tenant-id`, `client-secret`, `ims-url`, ...).
    pub credentials: BTreeMap<String, String>,
}

impl VendorConfig {
    /// A value by kebab-case key.
    pub fn credential(&self, key: &str) -> Option<&str> {
        self.credentials.get(key).map(String::as_str)
    }

    /// Sets a value by kebab-case key (`url` sets the base URL).
    fn set(&mut self, key: &str, value: String) {
        if key == "url" {
            self.base_url = Some(value);
        } else {
            self.credentials.insert(key.to_owned(), value);
        }
    }

    fn merge(&mut self, other: VendorConfig) {
        if other.base_url.is_some() {
            self.base_url = other.base_url;
        }
        self.credentials.extend(other.credentials);
    }
}

impl fmt::Debug for VendorConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VendorConfig")
            .field("base_url", &self.base_url)
            .field("keys", &self.credentials.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("vendors", &self.vendors)
            .field("azure", &self.azure)
            .field("job_poll_interval", &self.job_poll_interval)
            .field("job_deadline", &self.job_deadline)
            .field("network", &self.network)
            .finish()
    }
}

/// Where a key was read: the environment names keys `OFFERKIT_ORDERS_TENANT_ID`, a profile
/// `tenant-id` in `[orders]`, and an error names them the way the user wrote them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    Env,
    Profile,
}

impl Origin {
    fn name(self, key: &ConfigKey) -> String {
        match self {
            Origin::Env => key.env_name(),
            Origin::Profile => key.profile_key(),
        }
    }
}

/// Checks `key` (kebab-case) against the known keys of `scope`; the error names the nearest one.
fn check_key(scope: KeyScope, key: &str, origin: Origin) -> Result<(), Error> {
    let wanted = screaming(key);
    if keys_of(scope).any(|k| k.key == wanted) {
        return Ok(());
    }
    let known: Vec<String> = keys_of(scope).map(|k| origin.name(k)).collect();
    let hint = match nearest(scope, key) {
        Some(k) => format!("did you mean `{}`?", origin.name(k)),
        None => format!("known keys: {}", known.join(", ")),
    };
    let retired = match wanted.as_str() {
        "TOKEN_URL" => {
            " (token URLs are no longer configured: set `authority` (Partner Center) or \
             `ims-url` (Adobe) to the identity provider's base URL)"
        }
        _ => "",
    };
    let shown = match origin {
        Origin::Env => format!("`{}`", scope.env_name(&wanted)),
        Origin::Profile => format!("`{key}` in {}", scope.profile_place()),
    };
    Err(Error::new(
        ErrorKind::Config,
        format!("unknown configuration key {shown}{retired}; {hint}"),
    ))
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

    /// Reads `OFFERKIT_*` variables from the given pairs (others are ignored). A variable of a
    /// vendor (`OFFERKIT_ORDERS_...`) that is not a known key is an error.
    pub fn from_env_vars<K, V>(vars: impl IntoIterator<Item = (K, V)>) -> Result<Self, Error>
    where
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut config = Config::new();
        for (name, value) in vars {
            let (name, value) = (name.as_ref(), value.as_ref());
            let Some(rest) = name.strip_prefix("OFFERKIT_") else {
                continue;
            };
            if keys_of(KeyScope::Global).any(|k| k.key == rest) {
                config.set_global(rest, parse_number(name, value)?, name)?;
                continue;
            }
            let scoped = match rest.strip_prefix("AZURE_") {
                Some(key) => Some((KeyScope::Azure, key)),
                None => Vendor::ALL.into_iter().find_map(|v| {
                    rest.strip_prefix(v.env_stem())
                        .and_then(|k| k.strip_prefix('_'))
                        .map(|k| (KeyScope::Vendor(v), k))
                }),
            };
            // Other OFFERKIT_* variables (OFFERKIT_SANDBOX_URL, the CLI's own) are not ours.
            let Some((scope, key)) = scoped else {
                continue;
            };
            config.set_checked(scope, key, value.to_owned(), Origin::Env)?;
        }
        Ok(config)
    }

    /// Sets a known key; a retired one is translated with a warning; anything else is an error
    /// naming the nearest known key.
    fn set_checked(
        &mut self,
        scope: KeyScope,
        key: &str,
        value: String,
        origin: Origin,
    ) -> Result<(), Error> {
        if let Some((now, warning)) = retired::translate(scope, key, &value) {
            if let Some((new_key, new_value)) = now {
                self.settings_mut(scope).set(&new_key, new_value);
            }
            self.warnings.push(warning);
            return Ok(());
        }
        check_key(scope, key, origin)?;
        self.settings_mut(scope).set(&kebab(key), value);
        Ok(())
    }

    fn settings_mut(&mut self, scope: KeyScope) -> &mut VendorConfig {
        match scope {
            KeyScope::Vendor(v) => self.vendors.entry(v).or_default(),
            // Global keys are numbers, set by `set_global`, never through here.
            KeyScope::Azure | KeyScope::Global => &mut self.azure,
        }
    }

    /// Parses a TOML profile (see the module docs for the format). Tables are named by any
    /// spelling [`Vendor::parse`] knows (`[orders]`, `[partner-center-orders]`, ...) or `[azure]`.
    /// A text with `[profile.NAME]` tables is read as its `default` profile (none: an empty
    /// config with a warning); [`Config::from_toml_profile`] picks another.
    pub fn from_toml_str(text: &str) -> Result<Self, Error> {
        Config::from_toml_profile(text, None)
    }

    /// Parses one profile of a TOML text: `name` (a `[profile.NAME]` table), or with `None` the
    /// whole text when it has no `[profile.*]` tables and its `default` profile when it has.
    ///
    /// ```
    /// use offerkit::{Config, Vendor};
    /// let text = r#"
    ///     [profile.default.appcharge]
    ///     url = "http://127.0.0.1:9000"
    ///     [profile.staging]
    ///     timeout-secs = 5
    ///     [profile.staging.appcharge]
    ///     url = "https://api-sandbox.appcharge.com"
    /// "#;
    /// let staging = Config::from_toml_profile(text, Some("staging")).unwrap();
    /// assert_eq!(staging.vendor(Vendor::Appcharge).base_url.as_deref(), Some("https://api-sandbox.appcharge.com"));
    /// assert_eq!(staging.network.timeout, Some(std::time::Duration::from_secs(5)));
    /// let default = Config::from_toml_profile(text, None).unwrap();
    /// assert_eq!(default.vendor(Vendor::Appcharge).base_url.as_deref(), Some("http://127.0.0.1:9000"));
    /// let unknown = Config::from_toml_profile(text, Some("prod")).unwrap_err();
    /// assert!(unknown.to_string().contains("profiles: default, staging"), "{unknown}");
    /// ```
    pub fn from_toml_profile(text: &str, name: Option<&str>) -> Result<Self, Error> {
        let table: toml::Table = text
            .parse()
            .map_err(|e| Error::new(ErrorKind::Config, format!("invalid profile TOML: {e}")))?;
        profiles::select(table, name).map(|selected| selected.config)
    }

    /// Reads one profile's table (the whole file, or one `[profile.NAME]`).
    fn from_profile_table(table: toml::Table) -> Result<Self, Error> {
        let mut config = Config::new();
        for (key, value) in table {
            match value {
                toml::Value::Table(section) => {
                    let scope = if key.eq_ignore_ascii_case("azure") {
                        KeyScope::Azure
                    } else {
                        let vendor = Vendor::parse(&key).ok_or_else(|| {
                            let known: Vec<&str> =
                                Vendor::ALL.iter().map(|v| v.profile_table()).collect();
                            Error::new(
                                ErrorKind::Config,
                                format!(
                                    "profile: unknown table [{key}] (expected one of: {}, azure)",
                                    known.join(", ")
                                ),
                            )
                        })?;
                        KeyScope::Vendor(vendor)
                    };
                    for (field, value) in section {
                        let toml::Value::String(value) = value else {
                            let global =
                                keys_of(KeyScope::Global).any(|k| k.key == screaming(&field));
                            let hint = if global {
                                " (it is a setting of every vendor: put it at the top level of \
                                 the profile, before its first table)"
                            } else {
                                ""
                            };
                            return Err(Error::new(
                                ErrorKind::Config,
                                format!("profile: [{key}] {field} must be a string{hint}"),
                            ));
                        };
                        config.set_checked(scope, &field, value, Origin::Profile)?;
                    }
                }
                toml::Value::Integer(n) => {
                    check_key(KeyScope::Global, &key, Origin::Profile)?;
                    let n = u64::try_from(n).map_err(|_| {
                        Error::new(
                            ErrorKind::Config,
                            format!("profile: {key} must not be negative"),
                        )
                    })?;
                    config.set_global(&screaming(&key), n, &key)?;
                }
                _ => {
                    check_key(KeyScope::Global, &key, Origin::Profile)?;
                    return Err(Error::new(
                        ErrorKind::Config,
                        format!("profile: {key} must be a non-negative integer"),
                    ));
                }
            }
        }
        Ok(config)
    }

    /// Sets the [`KeyScope::Global`] key `key` (`TIMEOUT_SECS`) to `n` in the unit its name
    /// ends with; `shown` names it in errors the way the user wrote it.
    fn set_global(&mut self, key: &str, n: u64, shown: &str) -> Result<(), Error> {
        let unit = if key.ends_with("_MS") {
            Duration::from_millis(n)
        } else {
            Duration::from_secs(n)
        };
        match key {
            "JOB_POLL_INTERVAL_MS" => self.job_poll_interval = Some(unit),
            "JOB_DEADLINE_SECS" => self.job_deadline = Some(unit),
            _ => self.network.set(key, n, unit, shown)?,
        }
        Ok(())
    }

    /// Reads a TOML profile file; if it holds a secret and group or others may read it (Unix),
    /// with a warning naming the file and the `chmod 600` fix ([`ProfilePermissions::Warn`]).
    pub fn from_file(path: &Path) -> Result<Self, Error> {
        Config::from_file_with(path, ProfilePermissions::Warn)
    }

    /// Reads a TOML profile file, applying `permissions` when it holds a secret (a client secret
    /// or publisher token) and group or others may read it (Unix only).
    ///
    /// ```
    /// # #[cfg(unix)] {
    /// use std::os::unix::fs::PermissionsExt;
    /// use offerkit::{Config, ProfilePermissions};
    /// let path = std::env::temp_dir().join(format!("offerkit-doc-{}.toml", std::process::id()));
    /// std::fs::write(&path, "[appcharge]\npublisher-token = \"t0k3n-s3cr3t\"\n").unwrap();
    /// std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    /// let warned = Config::from_file(&path).unwrap();
    /// assert!(warned.warnings[0].contains("chmod 600"), "{:?}", warned.warnings);
    /// assert!(Config::from_file_with(&path, ProfilePermissions::Refuse).is_err());
    /// std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    /// assert!(Config::from_file_with(&path, ProfilePermissions::Refuse).unwrap().warnings.is_empty());
    /// # std::fs::remove_file(&path).unwrap();
    /// # }
    /// ```
    pub fn from_file_with(path: &Path, permissions: ProfilePermissions) -> Result<Self, Error> {
        Config::from_profile_file(path, None, permissions)
    }

    /// `true` when a secret key (a client secret, a publisher token) is set.
    fn holds_secret(&self) -> bool {
        CONFIG_KEYS.iter().filter(|k| k.secret).any(|k| {
            let settings = match k.scope {
                KeyScope::Vendor(v) => self.vendors.get(&v),
                KeyScope::Azure => Some(&self.azure),
                KeyScope::Global => None,
            };
            settings
                .and_then(|s| s.credential(&k.profile_key()))
                .is_some()
        })
    }

    /// `self` overridden by every value set in `other`.
    pub fn merged(mut self, other: Config) -> Self {
        for (vendor, settings) in other.vendors {
            self.vendors.entry(vendor).or_default().merge(settings);
        }
        self.azure.merge(other.azure);
        self.warnings.extend(other.warnings);
        if other.job_poll_interval.is_some() {
            self.job_poll_interval = other.job_poll_interval;
        }
        if other.job_deadline.is_some() {
            self.job_deadline = other.job_deadline;
        }
        self.network.merge(other.network);
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

    /// The non-secret settings that say *where* `vendor`'s calls go: its base URL (`default` when
    /// the vendor crate's production URL is used), token authority or IMS URL, tenant, client and
    /// organisation ids, sandbox name — every key of the table that is not a secret, with the
    /// Partner Center vendors' `[azure]` fallback applied. Two runs with equal environments
    /// address the same vendor account; the batch journal records it to refuse a resume against
    /// another one. Secrets are left out on purpose (and rotating one is not a new environment).
    ///
    /// ```
    /// # use offerkit::{Config, Vendor};
    /// let config = Config::from_toml_str(
    ///     "[azure]\ntenant-id = \"t1\"\nclient-secret = \"s\"\n[orders]\nurl = \"http://127.0.0.1:9\"",
    /// )
    /// .unwrap();
    /// let env = config.environment(Vendor::PartnerCenterOrders);
    /// assert_eq!(env["url"], "http://127.0.0.1:9"); // a trailing `/` would not change it
    /// assert_eq!(env["tenant-id"], "t1");
    /// assert!(!env.contains_key("client-secret"));
    /// assert_eq!(config.environment(Vendor::Appcharge)["url"], "default");
    /// ```
    pub fn environment(&self, vendor: Vendor) -> BTreeMap<String, String> {
        let mut environment = BTreeMap::new();
        for key in keys_of(KeyScope::Vendor(vendor)).filter(|k| !k.secret) {
            let value = self.value_of(&key.env_name()).or_else(|| {
                let shares_azure = matches!(
                    vendor,
                    Vendor::PartnerCenterIngestion | Vendor::PartnerCenterOrders
                );
                shares_azure
                    .then(|| self.value_of(&KeyScope::Azure.env_name(key.key)))
                    .flatten()
            });
            // `https://host/` and `https://host` address the same place.
            let value = value.map(|v| v.trim().trim_end_matches('/').to_owned());
            match (value, key.key) {
                (Some(value), _) => environment.insert(key.profile_key(), value),
                (None, "URL") => environment.insert(key.profile_key(), "default".to_owned()),
                (None, _) => None,
            };
        }
        environment
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_maps_stems_and_keys() {
        let config = Config::from_env_vars([
            ("OFFERKIT_INGESTION_URL", "http://i"),
            ("OFFERKIT_ORDERS_AUTHORITY", "http://t"),
            ("OFFERKIT_AZURE_TENANT_ID", "shared"),
            ("OFFERKIT_ADOBE_ORG_ID", "org"),
            ("OFFERKIT_JOB_POLL_INTERVAL_MS", "5"),
            ("OFFERKIT_SANDBOX_URL", "http://127.0.0.1:1"),
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
        let lookup = config.lookup();
        assert_eq!(
            lookup("OFFERKIT_ORDERS_AUTHORITY").as_deref(),
            Some("http://t")
        );
        assert_eq!(
            lookup("OFFERKIT_AZURE_TENANT_ID").as_deref(),
            Some("shared")
        );
        assert_eq!(lookup("OFFERKIT_ADOBE_ORG_ID").as_deref(), Some("org"));
        assert_eq!(config.job_poll_interval, Some(Duration::from_millis(5)));
    }

    #[test]
    fn unknown_keys_name_the_nearest_known_one() {
        let err = Config::from_env_vars([("OFFERKIT_ORDERS_TENANTID", "t")]).expect_err("typo");
        assert!(
            err.message().contains("`OFFERKIT_ORDERS_TENANTID`")
                && err
                    .message()
                    .contains("did you mean `OFFERKIT_ORDERS_TENANT_ID`?"),
            "{err}"
        );
        let err = Config::from_toml_str("[azure]\ntoken-url = \"x\"").expect_err("retired");
        assert!(err.message().contains("authority"), "{err}");
        let err = Config::from_toml_str("[adobe]\nims-uri = \"x\"").expect_err("typo");
        assert!(err.message().contains("did you mean `ims-url`?"), "{err}");
        let err = Config::from_toml_str("[azure]\nsecret = \"x\"").expect_err("unknown");
        assert!(err.message().contains("[azure]"), "{err}");
    }

    #[test]
    fn retired_keys_still_work_for_one_release_with_a_warning() {
        let config = Config::from_env_vars([
            (
                "OFFERKIT_ORDERS_TOKEN_URL",
                "http://127.0.0.1:9/{tenant}/oauth2/token",
            ),
            (
                "OFFERKIT_ADOBE_TOKEN_URL",
                "http://127.0.0.1:9/ims/token/v3",
            ),
            ("OFFERKIT_ADOBE_API_KEY", "k"),
            ("OFFERKIT_APPCHARGE_BASE_URL", "http://127.0.0.1:8"),
        ])
        .expect("retired keys are read");
        let lookup = config.lookup();
        assert_eq!(
            lookup("OFFERKIT_ORDERS_AUTHORITY").as_deref(),
            Some("http://127.0.0.1:9")
        );
        assert_eq!(
            lookup("OFFERKIT_ADOBE_IMS_URL").as_deref(),
            Some("http://127.0.0.1:9")
        );
        assert_eq!(
            lookup("OFFERKIT_APPCHARGE_URL").as_deref(),
            Some("http://127.0.0.1:8")
        );
        assert_eq!(config.warnings.len(), 4, "{:?}", config.warnings);
        assert!(config.warnings.iter().all(|w| w.contains("deprecated")));
        let sandbox =
            Config::from_toml_str("[appcharge]\nenvironment = \"sandbox\"").expect("retired");
        assert_eq!(
            sandbox.vendor(Vendor::Appcharge).base_url.as_deref(),
            Some("https://api-sandbox.appcharge.com")
        );
    }

    #[test]
    fn profile_errors_are_config_errors() {
        let err = Config::from_toml_str("[acme]\nx = \"y\"").expect_err("unknown vendor");
        assert_eq!(err.kind(), ErrorKind::Config);
        let err = Config::from_toml_str("[adobe]\norg-id = 1").expect_err("non-string");
        assert!(err.message().contains("must be a string"));
    }

    #[test]
    fn every_vendor_table_spelling_and_the_same_keys_as_env() {
        let profile = Config::from_toml_str(
            "[partner-center-orders]\ntenant-id = \"a\"\n[ingestion]\nurl = \"http://x\"",
        )
        .expect("profile");
        let env = Config::from_env_vars([
            ("OFFERKIT_ORDERS_TENANT_ID", "a"),
            ("OFFERKIT_INGESTION_URL", "http://x"),
        ])
        .expect("env");
        assert_eq!(profile, env);
    }
}
