//! [`VendorName::Appcharge`]: builds its [`Retract`] impl from [`Config`].
//!
//! The impl (a struct wrapping the `offerkit_appcharge` client, with `#[async_trait] impl Retract`)
//! lives in this file; [`build`] reads `config.vendor(VendorName::Appcharge)`
//! (base URL, token URL, credentials) and returns it.

use std::sync::Arc;

use crate::config::Config;
use crate::error::Error;
use crate::retract::Retract;
use crate::vendor::VendorName;

/// Builds the impl, or says why it cannot (missing credentials, not wired).
pub(crate) fn build(config: &Config) -> Result<Arc<dyn Retract>, Error> {
    let _settings = config.vendor(VendorName::Appcharge);
    Err(super::not_wired(VendorName::Appcharge))
}
