//! [`VendorName`]: the four vendors, their JSON names and their cargo features.

use std::fmt;

/// One vendor API; the registry key of [`crate::Client`].
///
/// ```
/// use offerkit::VendorName;
/// assert_eq!(VendorName::parse("adobe-offers"), Some(VendorName::Adobe));
/// assert_eq!(VendorName::Adobe.as_str(), "adobe");
/// assert_eq!(VendorName::Adobe.cargo_feature(), "adobe-offers");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum VendorName {
    /// Microsoft Partner Center product-ingestion API (private offers).
    PartnerCenterIngestion,
    /// Microsoft Partner Center REST API (orders).
    PartnerCenterOrders,
    /// Adobe Journey Optimizer Offer Library.
    Adobe,
    /// Appcharge publisher API, Offers V2.
    Appcharge,
}

impl VendorName {
    /// Every vendor, in display order.
    pub const ALL: [VendorName; 4] = [
        VendorName::PartnerCenterIngestion,
        VendorName::PartnerCenterOrders,
        VendorName::Adobe,
        VendorName::Appcharge,
    ];

    /// The canonical name used in JSON lines, journal keys and config sections.
    pub fn as_str(self) -> &'static str {
        match self {
            VendorName::PartnerCenterIngestion => "partner-center-ingestion",
            VendorName::PartnerCenterOrders => "partner-center-orders",
            VendorName::Adobe => "adobe",
            VendorName::Appcharge => "appcharge",
        }
    }

    /// The cargo feature of the `offerkit` crate that compiles this vendor in.
    pub fn cargo_feature(self) -> &'static str {
        match self {
            VendorName::PartnerCenterIngestion => "partner-center-ingestion",
            VendorName::PartnerCenterOrders => "partner-center-orders",
            VendorName::Adobe => "adobe-offers",
            VendorName::Appcharge => "appcharge",
        }
    }

    /// Parses a canonical name or cargo feature name (ASCII case-insensitive).
    pub fn parse(raw: &str) -> Option<VendorName> {
        VendorName::ALL.into_iter().find(|v| {
            v.as_str().eq_ignore_ascii_case(raw) || v.cargo_feature().eq_ignore_ascii_case(raw)
        })
    }

    /// The config/env-var stem: `INGESTION`, `ORDERS`, `ADOBE`, `APPCHARGE`.
    pub fn env_stem(self) -> &'static str {
        match self {
            VendorName::PartnerCenterIngestion => "INGESTION",
            VendorName::PartnerCenterOrders => "ORDERS",
            VendorName::Adobe => "ADOBE",
            VendorName::Appcharge => "APPCHARGE",
        }
    }

    /// Whether this build of `offerkit` has the vendor's cargo feature on.
    pub fn is_compiled_in(self) -> bool {
        match self {
            VendorName::PartnerCenterIngestion => cfg!(feature = "partner-center-ingestion"),
            VendorName::PartnerCenterOrders => cfg!(feature = "partner-center-orders"),
            VendorName::Adobe => cfg!(feature = "adobe-offers"),
            VendorName::Appcharge => cfg!(feature = "appcharge"),
        }
    }
}

impl fmt::Display for VendorName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for VendorName {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}
