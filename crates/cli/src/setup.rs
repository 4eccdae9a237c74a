//! Turns global options into a [`Client`]: profile, env, `--sandbox`, URL overrides.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use offerkit::{
    Client, Config, Error, ErrorKind, ProfileChoice, ProfilePermissions, Vendor,
    authority_from_token_url, ims_url_from_token_url,
};
use offerkit_sandbox::Sandbox;

use crate::args::Global;
use crate::batch::journal::{Environment, embedded_sandbox};

/// The job poll interval used against the sandbox unless overridden.
pub const SANDBOX_POLL_INTERVAL: Duration = Duration::from_millis(50);

/// A ready client and, with `--sandbox`, the sandbox it points at (kept alive).
pub struct Session {
    /// The client.
    pub client: Arc<Client>,
    /// The embedded sandbox, if started.
    pub sandbox: Option<Sandbox>,
    /// The configuration the client was built from.
    pub config: Config,
    /// Whether the calls go to a sandbox (`--sandbox` or `--sandbox-url`), not a vendor.
    pub rehearsal: bool,
}

impl Session {
    /// Where each of `vendors`' calls go, without secrets (for the batch journal): the settings of
    /// [`Config::environment`], or `sandbox=embedded` for the embedded sandbox, whose port and
    /// state are new every run.
    pub fn environment(&self, vendors: &[Vendor]) -> Environment {
        if self.sandbox.is_some() {
            return embedded_sandbox(vendors);
        }
        vendors
            .iter()
            .map(|v| (v.id().to_owned(), self.config.environment(*v)))
            .collect()
    }

    /// Stops the embedded sandbox, if any.
    pub async fn close(self) {
        if let Some(sandbox) = self.sandbox {
            let _ = sandbox.shutdown().await;
        }
    }
}

/// Builds the session: profile, then env (wins), then `--sandbox` / `--sandbox-url`, then
/// flags (win).
pub async fn session(global: &Global) -> Result<Session, Error> {
    let mut config = profile(global, offerkit::default_profile_file().as_deref())?;
    config = config.merged(Config::from_env()?);
    let sandbox = if global.sandbox {
        let sandbox = start_sandbox().await?;
        config = config.merged(sandbox_config(sandbox.base_url()));
        Some(sandbox)
    } else {
        if let Some(root) = &global.sandbox_url {
            config = config.merged(sandbox_config(root));
        }
        None
    };
    config = config.merged(flag_config(global)?);
    for warning in &config.warnings {
        errln!("offerkit: {warning}");
    }
    Ok(Session {
        client: Arc::new(Client::from_config(&config)),
        rehearsal: sandbox.is_some() || global.sandbox_url.is_some(),
        sandbox,
        config,
    })
}

/// The profile `--profile` (or `OFFERKIT_PROFILE`) chooses, `default_file` being the default
/// profile file: a name in it, a file of its own, or nothing (that file's default profile, if
/// the file exists).
pub fn profile(global: &Global, default_file: Option<&Path>) -> Result<Config, Error> {
    let choice = match &global.profile {
        Some(value) => ProfileChoice::parse(value),
        None => ProfileChoice::Default,
    };
    Config::load_profile(&choice, default_file, profile_permissions(global))
}

/// `--strict-permissions`: refuse an exposed profile rather than warn.
fn profile_permissions(global: &Global) -> ProfilePermissions {
    if global.strict_permissions {
        ProfilePermissions::Refuse
    } else {
        ProfilePermissions::Warn
    }
}

/// Starts an in-memory sandbox on a free loopback port.
pub async fn start_sandbox() -> Result<Sandbox, Error> {
    Sandbox::start()
        .await
        .map_err(|e| Error::from_source(ErrorKind::Internal, e))
}

/// Every vendor pointed at a sandbox at `root` (its API paths, its token endpoints at the root:
/// `/{tenant}/oauth2/token` and `/ims/token/v3`), with sandbox credentials.
pub fn sandbox_config(root: &str) -> Config {
    let root = root.trim_end_matches('/');
    let mut config = Config::new()
        .with_base_url(
            Vendor::PartnerCenterIngestion,
            format!("{root}/rp/product-ingestion"),
        )
        .with_base_url(Vendor::PartnerCenterOrders, root)
        .with_base_url(Vendor::AdobeOffers, format!("{root}/data/core/dps"))
        .with_credential(Vendor::AdobeOffers, "ims-url", root)
        .with_base_url(Vendor::Appcharge, root)
        .with_job_poll_interval(SANDBOX_POLL_INTERVAL);
    for vendor in [Vendor::PartnerCenterIngestion, Vendor::PartnerCenterOrders] {
        config = config
            .with_credential(vendor, "authority", root)
            .with_credential(vendor, "tenant-id", "sandbox-tenant")
            .with_credential(vendor, "client-id", "sandbox-client")
            .with_credential(vendor, "client-secret", "sandbox-secret");
    }
    config
        .with_credential(Vendor::AdobeOffers, "client-id", "sandbox-client")
        .with_credential(Vendor::AdobeOffers, "client-secret", "sandbox-secret")
        .with_credential(Vendor::AdobeOffers, "org-id", "sandbox-org@AdobeOrg")
        .with_credential(Vendor::AdobeOffers, "sandbox-name", "prod")
        .with_credential(
            Vendor::Appcharge,
            "publisher-token",
            "sandbox-publisher-token",
        )
}

fn flag_config(global: &Global) -> Result<Config, Error> {
    let mut config = Config::new();
    let urls = [
        (Vendor::PartnerCenterIngestion, &global.ingestion_url),
        (Vendor::PartnerCenterOrders, &global.orders_url),
        (Vendor::AdobeOffers, &global.adobe_url),
        (Vendor::Appcharge, &global.appcharge_url),
    ];
    for (vendor, url) in urls {
        if let Some(url) = url {
            config = config.with_base_url(vendor, url.clone());
        }
    }
    // The deprecated token-URL flags name a whole token endpoint; what the credentials take is
    // its authority (Azure) or base (IMS).
    let legacy = [
        (
            Vendor::PartnerCenterIngestion,
            "--ingestion-token-url",
            &global.ingestion_token_url,
        ),
        (
            Vendor::PartnerCenterOrders,
            "--orders-token-url",
            &global.orders_token_url,
        ),
    ];
    for (vendor, old_flag, token_url) in legacy {
        let authority = global.azure_authority.clone().or_else(|| {
            let url = token_url.as_deref()?;
            deprecated(old_flag, "--azure-authority");
            Some(authority_from_token_url(url))
        });
        if let Some(authority) = authority {
            config = config.with_credential(vendor, "authority", authority);
        }
    }
    let ims = global.adobe_ims_url.clone().or_else(|| {
        let url = global.adobe_token_url.as_deref()?;
        deprecated("--adobe-token-url", "--adobe-ims-url");
        Some(ims_url_from_token_url(url))
    });
    if let Some(ims) = ims {
        config = config.with_credential(Vendor::AdobeOffers, "ims-url", ims);
    }
    // The timeout, retry and job flags are the key table's global keys: read as such, and an
    // error names the flag that was given.
    let network = Config::from_env_vars(global.network.as_env()).map_err(|e| {
        let message = offerkit::CONFIG_KEYS
            .iter()
            .fold(e.message().to_owned(), |text, key| match key.flag() {
                Some(flag) => text.replace(&key.env_name(), &flag),
                None => text,
            });
        Error::new(e.kind(), message)
    })?;
    Ok(config.merged(network))
}

/// Says on stderr that a hidden flag that was given is deprecated.
fn deprecated(old: &str, new: &str) {
    errln!("offerkit: {old} is deprecated and will be removed; use {new}");
}
