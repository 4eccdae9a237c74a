//! [`Vendor`]: the vendor APIs offerkit covers, with every name each layer uses for them.

use std::fmt;

/// A vendor API offerkit covers. The one vendor enum of the workspace: the facade's targets,
/// the CLI, configuration keys and the sandbox's journal all name vendors through it.
///
/// | Variant | [`Vendor::id`] (JSON, CLI) | [`Vendor::env_stem`] | [`Vendor::cargo_feature`] |
/// |---|---|---|---|
/// | `PartnerCenterIngestion` | `partner-center-ingestion` | `INGESTION` | `partner-center-ingestion` |
/// | `PartnerCenterOrders` | `partner-center-orders` | `ORDERS` | `partner-center-orders` |
/// | `AdobeOffers` | `adobe` | `ADOBE` | `adobe-offers` |
/// | `Appcharge` | `appcharge` | `APPCHARGE` | `appcharge` |
///
/// ```
/// use offerkit_models::Vendor;
/// assert_eq!(Vendor::parse("adobe-offers"), Some(Vendor::AdobeOffers));
/// assert_eq!(Vendor::parse("ORDERS"), Some(Vendor::PartnerCenterOrders));
/// assert_eq!(Vendor::AdobeOffers.id(), "adobe");
/// assert_eq!(Vendor::PartnerCenterOrders.env_key("TENANT_ID"), "OFFERKIT_ORDERS_TENANT_ID");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Vendor {
    /// Microsoft Partner Center product ingestion (private offers).
    PartnerCenterIngestion,
    /// Microsoft Partner Center orders and subscriptions.
    PartnerCenterOrders,
    /// Adobe Journey Optimizer Offer Library.
    AdobeOffers,
    /// Appcharge web-store offers (Offers V2).
    Appcharge,
}

impl Vendor {
    /// Every vendor, in a stable order.
    pub const ALL: [Vendor; 4] = [
        Vendor::PartnerCenterIngestion,
        Vendor::PartnerCenterOrders,
        Vendor::AdobeOffers,
        Vendor::Appcharge,
    ];

    /// The stable lowercase name used in target files, CLI arguments, journals and traces.
    pub fn id(self) -> &'static str {
        match self {
            Self::PartnerCenterIngestion => "partner-center-ingestion",
            Self::PartnerCenterOrders => "partner-center-orders",
            Self::AdobeOffers => "adobe",
            Self::Appcharge => "appcharge",
        }
    }

    /// The human-readable name used in messages.
    pub fn name(self) -> &'static str {
        match self {
            Self::PartnerCenterIngestion => "Partner Center product ingestion",
            Self::PartnerCenterOrders => "Partner Center orders",
            Self::AdobeOffers => "Adobe Offer Library",
            Self::Appcharge => "Appcharge",
        }
    }

    /// The cargo feature (of the facade and of the models crate) that compiles this vendor in.
    pub fn cargo_feature(self) -> &'static str {
        match self {
            Self::PartnerCenterIngestion => "partner-center-ingestion",
            Self::PartnerCenterOrders => "partner-center-orders",
            Self::AdobeOffers => "adobe-offers",
            Self::Appcharge => "appcharge",
        }
    }

    /// The `<VENDOR>` of its configuration keys `OFFERKIT_<VENDOR>_<KEY>`.
    pub fn env_stem(self) -> &'static str {
        match self {
            Self::PartnerCenterIngestion => "INGESTION",
            Self::PartnerCenterOrders => "ORDERS",
            Self::AdobeOffers => "ADOBE",
            Self::Appcharge => "APPCHARGE",
        }
    }

    /// The environment variable of one of its configuration keys: `OFFERKIT_<VENDOR>_<KEY>`.
    pub fn env_key(self, key: &str) -> String {
        format!("OFFERKIT_{}_{key}", self.env_stem())
    }

    /// The profile table of its settings in a TOML profile (`[ingestion]`, `[orders]`, ...).
    pub fn profile_table(self) -> &'static str {
        match self {
            Self::PartnerCenterIngestion => "ingestion",
            Self::PartnerCenterOrders => "orders",
            Self::AdobeOffers => "adobe",
            Self::Appcharge => "appcharge",
        }
    }

    /// Reads any of the names above, ignoring ASCII case (`adobe`, `adobe-offers`, `ADOBE`,
    /// `ingestion`, `partner-center-ingestion`, ...).
    pub fn parse(raw: &str) -> Option<Vendor> {
        let raw = raw.trim();
        Self::ALL.into_iter().find(|v| {
            [v.id(), v.cargo_feature(), v.env_stem(), v.profile_table()]
                .iter()
                .any(|name| name.eq_ignore_ascii_case(raw))
        })
    }
}

impl fmt::Display for Vendor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl std::str::FromStr for Vendor {
    type Err = UnknownVendor;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s).ok_or_else(|| UnknownVendor(s.to_owned()))
    }
}

/// A vendor name [`Vendor::parse`] does not know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownVendor(pub String);

impl fmt::Display for UnknownVendor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let known: Vec<&str> = Vendor::ALL.iter().map(|v| v.id()).collect();
        write!(
            f,
            "unknown vendor `{}` (expected one of: {})",
            self.0.escape_debug(),
            known.join(", ")
        )
    }
}

impl std::error::Error for UnknownVendor {}

impl serde::Serialize for Vendor {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id())
    }
}

impl<'de> serde::Deserialize<'de> for Vendor {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        raw.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::Vendor;

    #[test]
    fn every_name_parses_back() {
        for v in Vendor::ALL {
            for name in [v.id(), v.cargo_feature(), v.env_stem(), v.profile_table()] {
                assert_eq!(Vendor::parse(name), Some(v), "{name}");
                assert_eq!(Vendor::parse(&name.to_uppercase()), Some(v), "{name}");
            }
            let json = serde_json::to_string(&v).expect("ser");
            assert_eq!(serde_json::from_str::<Vendor>(&json).expect("de"), v);
        }
        assert_eq!(Vendor::parse("adobe-offer"), None);
        assert!(
            "nope"
                .parse::<Vendor>()
                .expect_err("unknown")
                .to_string()
                .contains("partner-center-orders")
        );
    }
}
