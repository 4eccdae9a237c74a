//! [`Vendor`]: which API a request goes to, and what each vendor expects of the transport.

use std::fmt;

use http::HeaderName;

/// The vendor APIs offerkit talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Vendor {
    /// Microsoft Partner Center product ingestion (`graph.microsoft.com/rp/product-ingestion`).
    PartnerCenterIngestion,
    /// Microsoft Partner Center orders (`api.partnercenter.microsoft.com`).
    PartnerCenterOrders,
    /// Adobe Journey Optimizer Offer Library (`platform.adobe.io/data/core/dps`).
    AdobeOffers,
    /// Appcharge publisher API (`api.appcharge.com`).
    Appcharge,
}

impl Vendor {
    /// A short, stable, lowercase identifier (used in tracing fields): `partner-center-ingestion`, ...
    pub fn id(self) -> &'static str {
        match self {
            Self::PartnerCenterIngestion => "partner-center-ingestion",
            Self::PartnerCenterOrders => "partner-center-orders",
            Self::AdobeOffers => "adobe-offers",
            Self::Appcharge => "appcharge",
        }
    }

    /// The human-readable name used in error messages.
    pub fn name(self) -> &'static str {
        match self {
            Self::PartnerCenterIngestion => "Partner Center product ingestion",
            Self::PartnerCenterOrders => "Partner Center orders",
            Self::AdobeOffers => "Adobe Offer Library",
            Self::Appcharge => "Appcharge",
        }
    }

    /// The production base URL.
    pub fn default_base_url(self) -> &'static str {
        match self {
            Self::PartnerCenterIngestion => "https://graph.microsoft.com/rp/product-ingestion",
            Self::PartnerCenterOrders => "https://api.partnercenter.microsoft.com",
            Self::AdobeOffers => "https://platform.adobe.io/data/core/dps",
            Self::Appcharge => "https://api.appcharge.com",
        }
    }

    /// The header that carries a per-logical-call idempotency key, reused on every retry
    /// (Partner Center orders: `MS-RequestId`).
    pub fn idempotency_key_header(self) -> Option<&'static str> {
        match self {
            Self::PartnerCenterOrders => Some("MS-RequestId"),
            _ => None,
        }
    }

    /// The header that carries a correlation id, fresh for every logical call
    /// (Partner Center orders: `MS-CorrelationId`).
    pub fn correlation_header(self) -> Option<&'static str> {
        match self {
            Self::PartnerCenterOrders => Some("MS-CorrelationId"),
            _ => None,
        }
    }

    /// Response headers that carry the vendor's request id, in order of preference.
    pub fn request_id_headers(self) -> &'static [&'static str] {
        match self {
            Self::PartnerCenterOrders => &["ms-requestid", "ms-cv", "x-request-id"],
            Self::PartnerCenterIngestion => &[
                "request-id",
                "client-request-id",
                "x-ms-request-id",
                "x-request-id",
            ],
            Self::AdobeOffers => &["x-request-id", "x-adobe-request-id"],
            Self::Appcharge => &["x-request-id", "x-amzn-requestid", "x-amz-cf-id"],
        }
    }

    /// [`Vendor::request_id_headers`] as pre-built header names (no parsing per response).
    pub(crate) fn request_id_header_names(self) -> &'static [HeaderName] {
        static ORDERS: [HeaderName; 3] = [
            HeaderName::from_static("ms-requestid"),
            HeaderName::from_static("ms-cv"),
            HeaderName::from_static("x-request-id"),
        ];
        static INGESTION: [HeaderName; 4] = [
            HeaderName::from_static("request-id"),
            HeaderName::from_static("client-request-id"),
            HeaderName::from_static("x-ms-request-id"),
            HeaderName::from_static("x-request-id"),
        ];
        static ADOBE: [HeaderName; 2] = [
            HeaderName::from_static("x-request-id"),
            HeaderName::from_static("x-adobe-request-id"),
        ];
        static APPCHARGE: [HeaderName; 3] = [
            HeaderName::from_static("x-request-id"),
            HeaderName::from_static("x-amzn-requestid"),
            HeaderName::from_static("x-amz-cf-id"),
        ];
        match self {
            Self::PartnerCenterOrders => &ORDERS,
            Self::PartnerCenterIngestion => &INGESTION,
            Self::AdobeOffers => &ADOBE,
            Self::Appcharge => &APPCHARGE,
        }
    }
}

impl fmt::Display for Vendor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::Vendor;

    #[test]
    fn request_id_header_names_match_the_public_list() {
        for v in [
            Vendor::PartnerCenterIngestion,
            Vendor::PartnerCenterOrders,
            Vendor::AdobeOffers,
            Vendor::Appcharge,
        ] {
            let names: Vec<&str> = v
                .request_id_header_names()
                .iter()
                .map(|n| n.as_str())
                .collect();
            assert_eq!(names, v.request_id_headers(), "{v:?}");
        }
    }
}
