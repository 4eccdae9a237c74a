//! Vendor wiring: one module per vendor, each behind its cargo feature, each turning a
//! [`Config`] into that vendor's [`Retract`] impl. Adding a vendor = one module here +
//! one arm in [`build`].

use std::sync::Arc;

use crate::config::Config;
use crate::error::Error;
use crate::retract::Retract;
use offerkit_models::Vendor;
use offerkit_transport::Transport;

#[cfg(feature = "adobe-offers")]
pub(crate) mod adobe_offers;
#[cfg(feature = "appcharge")]
pub(crate) mod appcharge;
#[cfg(any(
    feature = "adobe-offers",
    feature = "appcharge",
    feature = "partner-center-ingestion",
    feature = "partner-center-orders"
))]
mod common;
#[cfg(feature = "partner-center-ingestion")]
pub(crate) mod partner_center_ingestion;
#[cfg(feature = "partner-center-orders")]
pub(crate) mod partner_center_orders;

/// Builds `vendor`'s impl from `config` on `transport` (shared by every vendor of a client), or
/// says why it cannot.
pub(crate) fn build(
    vendor: Vendor,
    config: &Config,
    transport: &Transport,
) -> Result<Arc<dyn Retract>, Error> {
    match vendor {
        #[cfg(feature = "partner-center-ingestion")]
        Vendor::PartnerCenterIngestion => partner_center_ingestion::build(config, transport),
        #[cfg(feature = "partner-center-orders")]
        Vendor::PartnerCenterOrders => partner_center_orders::build(config, transport),
        #[cfg(feature = "adobe-offers")]
        Vendor::AdobeOffers => adobe_offers::build(config, transport),
        #[cfg(feature = "appcharge")]
        Vendor::Appcharge => appcharge::build(config, transport),
        #[allow(unreachable_patterns)]
        other => Err({
            let _ = (config, transport);
            Error::unsupported(format!(
                "{other} is not compiled in (enable the `{}` cargo feature of offerkit)",
                other.cargo_feature()
            ))
        }),
    }
}

/// `true` when this build of the facade has `vendor`'s cargo feature on.
pub(crate) fn is_compiled_in(vendor: Vendor) -> bool {
    match vendor {
        Vendor::PartnerCenterIngestion => cfg!(feature = "partner-center-ingestion"),
        Vendor::PartnerCenterOrders => cfg!(feature = "partner-center-orders"),
        Vendor::AdobeOffers => cfg!(feature = "adobe-offers"),
        Vendor::Appcharge => cfg!(feature = "appcharge"),
    }
}

/// A default transport for the vendor modules' unit tests.
#[cfg(test)]
pub(crate) fn test_transport() -> Transport {
    crate::config::Network::default()
        .transport()
        .unwrap_or_else(|e| panic!("transport: {e}"))
}
