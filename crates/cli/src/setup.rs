//! Turns global options into a [`Client`]: profile, env, `--sandbox`, URL overrides.

use std::sync::Arc;
use std::time::Duration;

use offerkit::{Client, Config, Error, ErrorKind, Vendor};
use offerkit_sandbox::Sandbox;

use crate::args::Global;

/// The job poll interval used against the sandbox unless overridden.
pub const SANDBOX_POLL_INTERVAL: Duration = Duration::from_millis(50);

/// A ready client and, with `--sandbox`, the sandbox it points at (kept alive).
pub struct Session {
    /// The client.
    pub client: Arc<Client>,
    /// The embedded sandbox, if started.
    pub sandbox: Option<Sandbox>,
}

impl Session {
    /// Stops the embedded sandbox, if any.
    pub async fn close(self) {
        if let Some(sandbox) = self.sandbox {
            let _ = sandbox.shutdown().await;
        }
    }
}

/// Builds the session: profile file, then env (wins), then `--sandbox`, then flags (win).
pub async fn session(global: &Global) -> Result<Session, Error> {
    let mut config = match &global.profile {
        Some(path) => Config::from_file(path)?,
        None => Config::new(),
    };
    config = config.merged(Config::from_env()?);
    let sandbox = if global.sandbox {
        let sandbox = start_sandbox().await?;
        config = config.merged(sandbox_config(sandbox.base_url()));
        Some(sandbox)
    } else {
        None
    };
    config = config.merged(flag_config(global));
    Ok(Session {
        client: Arc::new(Client::from_config(&config)),
        sandbox,
    })
}

/// Starts an in-memory sandbox on a free loopback port.
pub async fn start_sandbox() -> Result<Sandbox, Error> {
    Sandbox::start()
        .await
        .map_err(|e| Error::from_source(ErrorKind::Internal, e))
}

/// Every vendor pointed at a sandbox at `base`, with sandbox credentials.
pub fn sandbox_config(base: &str) -> Config {
    let base = base.trim_end_matches('/');
    let mut config = Config::new()
        .with_base_url(
            Vendor::PartnerCenterIngestion,
            format!("{base}/rp/product-ingestion"),
        )
        .with_token_url(
            Vendor::PartnerCenterIngestion,
            format!("{base}/{{tenant}}/oauth2/token"),
        )
        .with_base_url(Vendor::PartnerCenterOrders, base)
        .with_token_url(
            Vendor::PartnerCenterOrders,
            format!("{base}/{{tenant}}/oauth2/token"),
        )
        .with_base_url(Vendor::AdobeOffers, format!("{base}/data/core/dps"))
        .with_token_url(Vendor::AdobeOffers, format!("{base}/ims/token/v3"))
        .with_base_url(Vendor::Appcharge, base)
        .with_job_poll_interval(SANDBOX_POLL_INTERVAL);
    for vendor in [Vendor::PartnerCenterIngestion, Vendor::PartnerCenterOrders] {
        config = config
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

fn flag_config(global: &Global) -> Config {
    let mut config = Config::new();
    let urls = [
        (
            Vendor::PartnerCenterIngestion,
            &global.ingestion_url,
            &global.ingestion_token_url,
        ),
        (
            Vendor::PartnerCenterOrders,
            &global.orders_url,
            &global.orders_token_url,
        ),
        (
            Vendor::AdobeOffers,
            &global.adobe_url,
            &global.adobe_token_url,
        ),
        (Vendor::Appcharge, &global.appcharge_url, &None),
    ];
    for (vendor, base, token) in urls {
        if let Some(url) = base {
            config = config.with_base_url(vendor, url.clone());
        }
        if let Some(url) = token {
            config = config.with_token_url(vendor, url.clone());
        }
    }
    if let Some(ms) = global.poll_interval_ms {
        config = config.with_job_poll_interval(Duration::from_millis(ms));
    }
    config
}
