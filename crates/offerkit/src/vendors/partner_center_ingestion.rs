//! [`VendorName::PartnerCenterIngestion`]: builds its [`Retract`] impl from [`Config`].
//!
//! The impl (a struct wrapping the `offerkit_partner_center_ingestion` client, with `#[async_trait] impl Retract`)
//! lives in this file; [`build`] reads `config.vendor(VendorName::PartnerCenterIngestion)`
//! (base URL, token URL, credentials) and returns it.

use std::sync::Arc;

use crate::config::Config;
use crate::error::Error;
use crate::retract::Retract;
use crate::vendor::VendorName;

/// Builds the impl, or says why it cannot (missing credentials, not wired).
pub(crate) fn build(config: &Config) -> Result<Arc<dyn Retract>, Error> {
    let _settings = config.vendor(VendorName::PartnerCenterIngestion);
    Err(super::not_wired(VendorName::PartnerCenterIngestion))
}
