//! Reading credentials from environment variables.

use crate::{Error, Secret};

/// Every environment variable offerkit reads, with what it holds.
pub const ENV_VARS: &[(&str, &str)] = &[
    (
        "OFFERKIT_AZURE_TENANT_ID",
        "Entra (Azure AD) tenant id of the partner (required for Partner Center)",
    ),
    (
        "OFFERKIT_AZURE_CLIENT_ID",
        "Entra application (client) id (required for Partner Center)",
    ),
    (
        "OFFERKIT_AZURE_CLIENT_SECRET",
        "Entra client secret (required for Partner Center)",
    ),
    (
        "OFFERKIT_AZURE_AUTHORITY",
        "token endpoint base URL (optional, default https://login.microsoftonline.com)",
    ),
    (
        "OFFERKIT_ADOBE_CLIENT_ID",
        "Adobe Developer Console client id, also sent as x-api-key (required for Adobe)",
    ),
    (
        "OFFERKIT_ADOBE_CLIENT_SECRET",
        "Adobe client secret (required for Adobe)",
    ),
    (
        "OFFERKIT_ADOBE_ORG_ID",
        "IMS organisation id, sent as x-gw-ims-org-id (required for Adobe)",
    ),
    (
        "OFFERKIT_ADOBE_SANDBOX_NAME",
        "AEP sandbox, sent as x-sandbox-name (optional, default `prod`)",
    ),
    (
        "OFFERKIT_ADOBE_SCOPES",
        "comma-separated IMS scopes (optional, see AdobeImsCredentials::DEFAULT_SCOPES)",
    ),
    (
        "OFFERKIT_ADOBE_IMS_URL",
        "IMS base URL (optional, default https://ims-na1.adobelogin.com)",
    ),
    (
        "OFFERKIT_APPCHARGE_PUBLISHER_TOKEN",
        "Appcharge publisher token, sent as x-publisher-token (required for Appcharge)",
    ),
];

/// Reads variables through a lookup function (the process environment, or a map in tests).
pub(crate) struct Env<'a> {
    lookup: &'a dyn Fn(&str) -> Option<String>,
}

impl<'a> Env<'a> {
    pub(crate) fn new(lookup: &'a dyn Fn(&str) -> Option<String>) -> Self {
        Self { lookup }
    }

    pub(crate) fn optional(&self, name: &'static str) -> Option<String> {
        (self.lookup)(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }

    pub(crate) fn required(&self, name: &'static str) -> Result<String, Error> {
        self.optional(name).ok_or_else(|| {
            Error::invalid_input(name, "the environment variable is not set or empty")
        })
    }

    pub(crate) fn secret(&self, name: &'static str) -> Result<Secret, Error> {
        self.required(name).map(Secret::new)
    }
}

/// The process environment.
pub(crate) fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}
