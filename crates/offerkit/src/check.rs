//! [`Check`]: can this vendor be used with this configuration? A token, then one cheap read that
//! needs no target id ([`Retract::check`](crate::Retract::check)), each step with the exact fix
//! when it fails. `offerkit doctor` prints it.

use offerkit_models::Vendor;

use crate::error::{Error, ErrorKind};

/// The result of one step of a [`Check`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum CheckStep {
    /// The step worked; the note says what was done ("Azure AD client-credentials token obtained").
    Passed(String),
    /// The step failed: the error, and what to do about it.
    Failed {
        /// What went wrong (its [`Display`](std::fmt::Display) holds the cause chain).
        error: Error,
        /// The fix, for a person: the variable to set, the secret to renew, the role to grant.
        fix: String,
    },
    /// The step was not run; the note says why (an earlier step failed, no such read exists).
    Skipped(String),
}

impl CheckStep {
    /// A failed step, with the fix [`fix_for`] gives for `error`.
    pub fn failed(vendor: Vendor, stage: Stage, error: Error) -> Self {
        let fix = fix_for(vendor, stage, &error);
        CheckStep::Failed { error, fix }
    }

    /// `false` only for [`CheckStep::Failed`].
    pub fn is_ok(&self) -> bool {
        !matches!(self, CheckStep::Failed { .. })
    }

    /// `passed`, `failed` or `skipped`.
    pub fn as_str(&self) -> &'static str {
        match self {
            CheckStep::Passed(_) => "passed",
            CheckStep::Failed { .. } => "failed",
            CheckStep::Skipped(_) => "skipped",
        }
    }
}

/// JSON form: `{"status":"passed"|"failed"|"skipped","note"?,"error"?,"fix"?}`.
impl serde::Serialize for CheckStep {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("status", self.as_str())?;
        match self {
            CheckStep::Passed(note) | CheckStep::Skipped(note) => {
                map.serialize_entry("note", note)?;
            }
            CheckStep::Failed { error, fix } => {
                map.serialize_entry("error", error)?;
                map.serialize_entry("detail", &error.to_string())?;
                map.serialize_entry("fix", fix)?;
            }
        }
        map.end()
    }
}

/// Which step of a check an error comes from: it decides the fix (a 401 from the token endpoint
/// is a wrong secret; a 403 from the API is a missing role).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Stage {
    /// Building the client from the configuration (missing or invalid keys).
    Config,
    /// Obtaining a token.
    Token,
    /// The read call.
    Read,
}

/// One vendor's check: a token, then a read.
#[derive(Debug, Clone, serde::Serialize)]
#[non_exhaustive]
pub struct Check {
    /// Obtaining a token (or, for a static credential, saying there is none to obtain).
    pub token: CheckStep,
    /// One read call that needs no target id.
    pub read: CheckStep,
}

impl Check {
    /// A check of the two steps.
    pub fn new(token: CheckStep, read: CheckStep) -> Self {
        Check { token, read }
    }

    /// The check when the read itself obtains the token (no separate token call): a token failure
    /// (the identity provider refused, or could not be reached) fails the token step and skips the
    /// read; any other outcome means the token was obtained.
    pub fn from_read(
        vendor: Vendor,
        token_note: &str,
        read: Result<String, (Error, bool)>,
    ) -> Self {
        match read {
            Ok(note) => Check::new(
                CheckStep::Passed(token_note.to_owned()),
                CheckStep::Passed(note),
            ),
            Err((error, true)) => Check::new(
                CheckStep::failed(vendor, Stage::Token, error),
                CheckStep::Skipped("no token".to_owned()),
            ),
            Err((error, false)) => Check::new(
                CheckStep::Passed(token_note.to_owned()),
                CheckStep::failed(vendor, Stage::Read, error),
            ),
        }
    }

    /// The check of a vendor whose token step ran on its own (`token`, already passed): the
    /// read's outcome after it.
    pub fn after_token(
        vendor: Vendor,
        token: CheckStep,
        read: Result<String, (Error, bool)>,
    ) -> Self {
        match read {
            Ok(note) => Check::new(token, CheckStep::Passed(note)),
            Err((error, _)) => Check::new(token, CheckStep::failed(vendor, Stage::Read, error)),
        }
    }

    /// `true` when no step failed.
    pub fn is_ok(&self) -> bool {
        self.token.is_ok() && self.read.is_ok()
    }
}

/// The fix for `error` at `stage` of checking `vendor`, for a person to act on.
///
/// ```
/// use offerkit::{Error, ErrorKind, Stage, Vendor, fix_for};
/// let denied = Error::new(ErrorKind::Auth, "forbidden").with_http_status(403);
/// assert!(fix_for(Vendor::AdobeOffers, Stage::Read, &denied).contains("product profile"));
/// ```
pub fn fix_for(vendor: Vendor, stage: Stage, error: &Error) -> String {
    let env = |key: &str| vendor.env_key(key);
    if error.kind() == ErrorKind::Config || stage == Stage::Config {
        return format!(
            "{} (see `offerkit --help` for every key, README \"Using it for real\")",
            error.message()
        );
    }
    let url_keys = match (vendor, stage) {
        (Vendor::PartnerCenterIngestion | Vendor::PartnerCenterOrders, Stage::Token) => {
            format!("{} (or OFFERKIT_AZURE_AUTHORITY)", env("AUTHORITY"))
        }
        (Vendor::AdobeOffers, Stage::Token) => env("IMS_URL"),
        _ => env("URL"),
    };
    if error.is_unreachable() || error.kind() == ErrorKind::Transport {
        return format!(
            "network: no answer from the {}; check {url_keys} (unset means the production \
             URL), DNS, the proxy (HTTPS_PROXY) and the firewall",
            if stage == Stage::Token {
                "token endpoint"
            } else {
                "API"
            }
        );
    }
    let status = error.http_status();
    match (vendor, stage) {
        (Vendor::PartnerCenterIngestion | Vendor::PartnerCenterOrders, Stage::Token) => format!(
            "Azure AD refused the client credentials: check {} (the Directory (tenant) ID), {} \
             (the app registration's Application (client) ID) and {} (a secret's Value, not its \
             ID, under Certificates & secrets, not expired); OFFERKIT_AZURE_* is the shared \
             fallback",
            env("TENANT_ID"),
            env("CLIENT_ID"),
            env("CLIENT_SECRET")
        ),
        (Vendor::AdobeOffers, Stage::Token) => format!(
            "Adobe IMS refused the client credentials: check {} and {} against the Developer \
             Console project's OAuth Server-to-Server credential, and {} (the credential's \
             scopes)",
            env("CLIENT_ID"),
            env("CLIENT_SECRET"),
            env("SCOPES")
        ),
        (_, Stage::Token) => "the credential was refused; check it".to_owned(),
        (Vendor::PartnerCenterIngestion, Stage::Read) if matches!(status, Some(401 | 403)) => {
            "the token was refused by the product-ingestion API: add the Entra app to the \
             Partner Center account (Account settings > User management > Microsoft Entra \
             applications) with the Manager role, and check that OFFERKIT_INGESTION_TENANT_ID \
             is the publisher's tenant"
                .to_owned()
        }
        (Vendor::PartnerCenterOrders, Stage::Read) if matches!(status, Some(401 | 403)) => {
            "the token was refused by the Partner Center API: register the Entra app for app-only \
             access in Partner Center (Account settings > App management), in the partner's \
             tenant (OFFERKIT_ORDERS_TENANT_ID)"
                .to_owned()
        }
        (Vendor::AdobeOffers, Stage::Read) if matches!(status, Some(401 | 403)) => format!(
            "the token was refused by Adobe Experience Platform: add the Adobe Journey \
             Optimizer API to the Developer Console project with a product profile that can \
             reach sandbox {} (default prod), and check {} (the IMS org id, ending in @AdobeOrg)",
            env("SANDBOX_NAME"),
            env("ORG_ID")
        ),
        (Vendor::Appcharge, Stage::Read) if matches!(status, Some(401 | 403)) => format!(
            "Appcharge refused the publisher token: copy it again from the Publisher Dashboard \
             (Settings > Integration) into {}, and check that {} is the environment the token \
             belongs to (sandbox https://api-sandbox.appcharge.com or production)",
            env("PUBLISHER_TOKEN"),
            env("URL")
        ),
        (_, _) if status == Some(404) => format!(
            "the API answered 404: check {} (the base URL, including its path)",
            env("URL")
        ),
        _ => format!(
            "the vendor refused the read; see the error, and check {} and the account's access",
            env("URL")
        ),
    }
}
