//! [`CONFIG_KEYS`]: every configuration key offerkit reads, once, for every layer: the vendor
//! crates' `from_env`, the facade's [`crate::Config`] and the CLI all read exactly these.

use offerkit_models::Vendor;

/// Which settings a key belongs to: one vendor, the `AZURE` fallback both Partner Center
/// vendors read, or every vendor (timeouts, retries, job polling).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyScope {
    /// `OFFERKIT_<VENDOR>_<KEY>`, `[<vendor>]` in a profile.
    Vendor(Vendor),
    /// `OFFERKIT_AZURE_<KEY>`, `[azure]` in a profile: the fallback of the Partner Center keys.
    Azure,
    /// `OFFERKIT_<KEY>`, at the top level of a profile, and a CLI flag `--<key>` (kebab-case):
    /// settings of every vendor's calls. Their values are non-negative integers in the unit the
    /// key's name ends with (`_MS`, `_SECS`; a count otherwise).
    Global,
}

impl KeyScope {
    /// The environment variable of `key` (`TENANT_ID`) in this scope: `OFFERKIT_ORDERS_TENANT_ID`.
    pub fn env_name(self, key: &str) -> String {
        match self {
            KeyScope::Vendor(v) => v.env_key(key),
            KeyScope::Azure => format!("OFFERKIT_AZURE_{key}"),
            KeyScope::Global => format!("OFFERKIT_{key}"),
        }
    }

    /// The profile table of this scope: `orders`, `azure`, ...; empty for [`KeyScope::Global`]
    /// (the top level of a profile).
    pub fn profile_table(self) -> &'static str {
        match self {
            KeyScope::Vendor(v) => v.profile_table(),
            KeyScope::Azure => "azure",
            KeyScope::Global => "",
        }
    }

    /// Where this scope's keys sit in a profile, for messages: `[orders]`, or `the top level`.
    pub fn profile_place(self) -> String {
        match self {
            KeyScope::Global => "the top level".to_owned(),
            other => format!("[{}]", other.profile_table()),
        }
    }
}

/// One configuration key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConfigKey {
    /// Whose key it is.
    pub scope: KeyScope,
    /// The key as in the environment variable (`TENANT_ID`).
    pub key: &'static str,
    /// `true` when the vendor cannot be used without it.
    pub required: bool,
    /// `true` for secrets (never printed).
    pub secret: bool,
    /// What it holds.
    pub about: &'static str,
}

impl ConfigKey {
    /// The environment variable: `OFFERKIT_ORDERS_TENANT_ID`.
    pub fn env_name(&self) -> String {
        self.scope.env_name(self.key)
    }

    /// The profile key, kebab-case: `tenant-id`.
    pub fn profile_key(&self) -> String {
        kebab(self.key)
    }

    /// The profile table: `orders`, `azure`, ...; empty for a [`KeyScope::Global`] key.
    pub fn profile_table(&self) -> &'static str {
        self.scope.profile_table()
    }

    /// The CLI flag of a [`KeyScope::Global`] key (`--timeout-secs`); `None` for vendor keys
    /// (set them in the environment or a profile).
    pub fn flag(&self) -> Option<String> {
        (self.scope == KeyScope::Global).then(|| format!("--{}", self.profile_key()))
    }
}

/// `TENANT_ID` -> `tenant-id`.
pub(crate) fn kebab(key: &str) -> String {
    key.to_ascii_lowercase().replace('_', "-")
}

/// `tenant-id` -> `TENANT_ID`.
pub(crate) fn screaming(key: &str) -> String {
    key.to_ascii_uppercase().replace('-', "_")
}

const fn key(
    scope: KeyScope,
    key: &'static str,
    required: bool,
    secret: bool,
    about: &'static str,
) -> ConfigKey {
    ConfigKey {
        scope,
        key,
        required,
        secret,
        about,
    }
}

const INGESTION: KeyScope = KeyScope::Vendor(Vendor::PartnerCenterIngestion);
const ORDERS: KeyScope = KeyScope::Vendor(Vendor::PartnerCenterOrders);
const ADOBE: KeyScope = KeyScope::Vendor(Vendor::AdobeOffers);
const APPCHARGE: KeyScope = KeyScope::Vendor(Vendor::Appcharge);
const AZURE: KeyScope = KeyScope::Azure;
const GLOBAL: KeyScope = KeyScope::Global;

/// Every configuration key, in the order of the documented table.
#[rustfmt::skip]
pub const CONFIG_KEYS: &[ConfigKey] = &[
    key(INGESTION, "URL", false, false, "product-ingestion API base URL (default https://graph.microsoft.com/rp/product-ingestion)"),
    key(INGESTION, "TENANT_ID", true, false, "Entra (Azure AD) tenant id of the publisher"),
    key(INGESTION, "CLIENT_ID", true, false, "Entra application (client) id"),
    key(INGESTION, "CLIENT_SECRET", true, true, "Entra client secret"),
    key(INGESTION, "AUTHORITY", false, false, "token endpoint base URL (default https://login.microsoftonline.com)"),
    key(ORDERS, "URL", false, false, "Partner Center API base URL (default https://api.partnercenter.microsoft.com)"),
    key(ORDERS, "TENANT_ID", true, false, "Entra (Azure AD) tenant id of the partner"),
    key(ORDERS, "CLIENT_ID", true, false, "Entra application (client) id"),
    key(ORDERS, "CLIENT_SECRET", true, true, "Entra client secret"),
    key(ORDERS, "AUTHORITY", false, false, "token endpoint base URL (default https://login.microsoftonline.com)"),
    key(AZURE, "TENANT_ID", false, false, "fallback tenant id for both Partner Center vendors"),
    key(AZURE, "CLIENT_ID", false, false, "fallback client id for both Partner Center vendors"),
    key(AZURE, "CLIENT_SECRET", false, true, "fallback client secret for both Partner Center vendors"),
    key(AZURE, "AUTHORITY", false, false, "fallback token endpoint base URL for both Partner Center vendors"),
    key(ADOBE, "URL", false, false, "Offer Library base URL (default https://platform.adobe.io/data/core/dps)"),
    key(ADOBE, "IMS_URL", false, false, "Adobe IMS base URL (default https://ims-na1.adobelogin.com)"),
    key(ADOBE, "CLIENT_ID", true, false, "Developer Console client id, also sent as x-api-key"),
    key(ADOBE, "CLIENT_SECRET", true, true, "Developer Console client secret"),
    key(ADOBE, "ORG_ID", true, false, "IMS organisation id, sent as x-gw-ims-org-id"),
    key(ADOBE, "SANDBOX_NAME", false, false, "AEP sandbox, sent as x-sandbox-name (default prod)"),
    key(ADOBE, "SCOPES", false, false, "comma-separated IMS scopes"),
    key(APPCHARGE, "URL", false, false, "Appcharge API base URL (default https://api.appcharge.com; sandbox https://api-sandbox.appcharge.com)"),
    key(APPCHARGE, "PUBLISHER_TOKEN", true, true, "publisher token, sent as x-publisher-token"),
    key(GLOBAL, "TIMEOUT_SECS", false, false, "time allowed for one HTTP attempt, body included, in seconds (default 30)"),
    key(GLOBAL, "TOTAL_TIMEOUT_SECS", false, false, "time allowed for one call across all its attempts and waits, in seconds (default 60)"),
    key(GLOBAL, "CONNECT_TIMEOUT_SECS", false, false, "time allowed to open a connection, in seconds (default 10)"),
    key(GLOBAL, "MAX_RETRIES", false, false, "retries after a first attempt that failed in a retryable way (default 3; 0 turns retries off)"),
    key(GLOBAL, "RETRY_BASE_DELAY_MS", false, false, "first backoff ceiling, doubled per retry, in milliseconds (default 200)"),
    key(GLOBAL, "RETRY_MAX_DELAY_MS", false, false, "largest backoff ceiling, in milliseconds (default 20000)"),
    key(GLOBAL, "MAX_RETRY_AFTER_SECS", false, false, "longest Retry-After waited for; a longer one ends the call as throttled, in seconds (default 60)"),
    key(GLOBAL, "JOB_POLL_INTERVAL_MS", false, false, "interval between two ingestion job status polls, in milliseconds (default 60000; 50 against the sandbox)"),
    key(GLOBAL, "JOB_DEADLINE_SECS", false, false, "how long an ingestion job is polled before its outcome is reported as unknown, in seconds (default 1800)"),
];

/// The keys of one scope.
pub(crate) fn keys_of(scope: KeyScope) -> impl Iterator<Item = &'static ConfigKey> {
    CONFIG_KEYS.iter().filter(move |k| k.scope == scope)
}

/// The known key of `scope` nearest to `unknown` (by edit distance), for "did you mean".
pub(crate) fn nearest(scope: KeyScope, unknown: &str) -> Option<&'static ConfigKey> {
    let unknown = screaming(unknown);
    keys_of(scope)
        .map(|k| (distance(&unknown, k.key), k))
        .filter(|(d, k)| *d <= k.key.len().max(3) / 2 + 1)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Levenshtein distance over bytes (keys are ASCII).
fn distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous[j] + usize::from(ca != cb);
            current.push(substitute.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

/// The key table as Markdown (the facade README embeds it; a test keeps the two equal).
pub fn markdown_table() -> String {
    let mut text =
        String::from("| Variable | Profile key | Required | Meaning |\n|---|---|---|---|\n");
    for k in CONFIG_KEYS {
        let place = match k.scope {
            KeyScope::Global => "top level".to_owned(),
            scope => format!("`[{}]`", scope.profile_table()),
        };
        text.push_str(&format!(
            "| `{}` | {place} `{}` | {} | {} |\n",
            k.env_name(),
            k.profile_key(),
            if k.required { "yes" } else { "no" },
            code_urls(k.about)
        ));
    }
    text
}

/// `about` with every URL in backticks (Markdown), the text otherwise unchanged.
fn code_urls(about: &str) -> String {
    about
        .split(' ')
        .map(|word| {
            let url_end = word.find([')', ';', ',']).unwrap_or(word.len());
            let (url, rest) = word.split_at(url_end);
            if url.starts_with("https://") || url.starts_with("http://") {
                format!("`{url}`{rest}")
            } else {
                word.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_suggests_typos_and_not_noise() {
        assert_eq!(
            nearest(ORDERS, "tenant-idd").map(|k| k.key),
            Some("TENANT_ID")
        );
        assert_eq!(nearest(ADOBE, "IMS_URI").map(|k| k.key), Some("IMS_URL"));
        assert_eq!(nearest(ORDERS, "token-url").map(|k| k.key), None);
        assert_eq!(nearest(APPCHARGE, "xyzzy-frobnicate"), None);
    }

    #[test]
    fn the_readme_table_is_this_table() {
        let readme = include_str!("../../README.md");
        assert!(
            readme.contains(&markdown_table()),
            "crates/offerkit/README.md must contain the key table exactly as \
             offerkit::config::markdown_table() prints it:\n{}",
            markdown_table()
        );
    }
}
