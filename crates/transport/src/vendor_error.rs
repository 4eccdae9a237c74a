//! [`VendorError`]: the vendor's error body, parsed.

use offerkit_models::VendorErrorBody;
use serde_json::Value;

use crate::Vendor;

/// A vendor's error body.
///
/// With a vendor's cargo feature on (`partner-center-ingestion`, `partner-center-orders`,
/// `adobe-offers`, `appcharge`), its body is parsed into the offerkit-models type for that vendor;
/// otherwise, or when that type does not fit the body, any JSON body lands in [`VendorError::Other`].
/// [`VendorError::code`] and [`VendorError::message`] work the same for every variant.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum VendorError {
    /// Partner Center product ingestion: `{"error": {"code", "message", ...}}`.
    #[cfg(feature = "partner-center-ingestion")]
    PartnerCenterIngestion(offerkit_models::partner_center_ingestion::IngestionErrorResponse),
    /// Partner Center orders: `{code, description, ...}` or the 429 `{statusCode, message}`.
    #[cfg(feature = "partner-center-orders")]
    PartnerCenterOrders(offerkit_models::partner_center_orders::OrdersErrorBody),
    /// Adobe Experience Platform: gateway `{error_code, message}` or problem details.
    #[cfg(feature = "adobe-offers")]
    AdobeOffers(offerkit_models::adobe_offers::AepError),
    /// Appcharge: `{message, ...}`.
    #[cfg(feature = "appcharge")]
    Appcharge(offerkit_models::appcharge::AppchargeErrorBody),
    /// A JSON error body read generically (`code`/`error_code`/`statusCode`/`error.code` and
    /// `message`/`description`/`detail`/`title`/`error.message`).
    Other(GenericErrorBody),
}

impl VendorError {
    /// Parses an error body sent by `vendor`. `None` when the body is not JSON.
    pub fn parse(vendor: Vendor, body: &[u8]) -> Option<Self> {
        let typed = match vendor {
            #[cfg(feature = "partner-center-ingestion")]
            Vendor::PartnerCenterIngestion => serde_json::from_slice(body)
                .ok()
                .map(Self::PartnerCenterIngestion),
            #[cfg(feature = "partner-center-orders")]
            Vendor::PartnerCenterOrders => serde_json::from_slice(body)
                .ok()
                .map(Self::PartnerCenterOrders),
            #[cfg(feature = "adobe-offers")]
            Vendor::AdobeOffers => serde_json::from_slice(body).ok().map(Self::AdobeOffers),
            #[cfg(feature = "appcharge")]
            Vendor::Appcharge => serde_json::from_slice(body).ok().map(Self::Appcharge),
            #[allow(unreachable_patterns)]
            _ => None,
        };
        typed.or_else(|| GenericErrorBody::parse(body).map(Self::Other))
    }

    fn body(&self) -> &dyn VendorErrorBody {
        match self {
            #[cfg(feature = "partner-center-ingestion")]
            Self::PartnerCenterIngestion(b) => b,
            #[cfg(feature = "partner-center-orders")]
            Self::PartnerCenterOrders(b) => b,
            #[cfg(feature = "adobe-offers")]
            Self::AdobeOffers(b) => b,
            #[cfg(feature = "appcharge")]
            Self::Appcharge(b) => b,
            Self::Other(b) => b,
        }
    }

    /// The vendor's error code, if the body had one.
    pub fn code(&self) -> Option<String> {
        self.body().code()
    }

    /// The vendor's error message, if the body had one.
    pub fn message(&self) -> Option<String> {
        self.body().message()
    }
}

/// An error body read without a vendor-specific model.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct GenericErrorBody {
    /// The error code, as text (numbers are converted).
    pub code: Option<String>,
    /// The error message.
    pub message: Option<String>,
    /// The whole body.
    pub raw: Value,
}

impl GenericErrorBody {
    /// Reads a JSON error body. `None` when the body is not JSON.
    pub fn parse(body: &[u8]) -> Option<Self> {
        let raw: Value = serde_json::from_slice(body).ok()?;
        let nested = raw.get("error").filter(|v| v.is_object());
        let pick = |keys: &[&str]| {
            keys.iter()
                .find_map(|k| nested.and_then(|n| n.get(*k)).and_then(text))
                .or_else(|| keys.iter().find_map(|k| raw.get(*k).and_then(text)))
        };
        let code = pick(&["code", "error_code", "errorCode", "statusCode", "type"])
            .or_else(|| raw.get("error").and_then(Value::as_str).map(str::to_owned));
        let message = pick(&[
            "message",
            "description",
            "detail",
            "title",
            "error_description",
        ]);
        Some(Self { code, message, raw })
    }
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

impl VendorErrorBody for GenericErrorBody {
    fn code(&self) -> Option<String> {
        self.code.clone()
    }

    fn message(&self) -> Option<String> {
        self.message.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generic_shapes() {
        let cases: &[(&str, Option<&str>, Option<&str>)] = &[
            (
                r#"{"code":"2000","description":"Order not found"}"#,
                Some("2000"),
                Some("Order not found"),
            ),
            (
                r#"{"statusCode":429,"message":"Rate limit"}"#,
                Some("429"),
                Some("Rate limit"),
            ),
            (
                r#"{"error_code":"401013","message":"Oauth token is not valid"}"#,
                Some("401013"),
                Some("Oauth token is not valid"),
            ),
            (
                r#"{"error":{"code":"notFound","message":"Resource not found"}}"#,
                Some("notFound"),
                Some("Resource not found"),
            ),
            (
                r#"{"type":"x","title":"Resource not found","status":404,"detail":"d"}"#,
                Some("x"),
                Some("d"),
            ),
            (
                r#"{"message":"bad","requestUrl":"/v2/offer"}"#,
                None,
                Some("bad"),
            ),
        ];
        for (body, code, message) in cases {
            let parsed = GenericErrorBody::parse(body.as_bytes()).expect("json");
            assert_eq!(parsed.code.as_deref(), *code, "{body}");
            assert_eq!(parsed.message.as_deref(), *message, "{body}");
        }
        assert!(GenericErrorBody::parse(b"<html>").is_none());
    }

    #[test]
    fn vendor_bodies_give_code_and_message() {
        let cases: &[(Vendor, &str, &str, &str)] = &[
            (
                Vendor::PartnerCenterOrders,
                r#"{"code":"2000","description":"Order not found"}"#,
                "2000",
                "Order not found",
            ),
            (
                Vendor::PartnerCenterOrders,
                r#"{"statusCode":429,"message":"Rate limit"}"#,
                "429",
                "Rate limit",
            ),
            (
                Vendor::AdobeOffers,
                r#"{"error_code":"401013","message":"Oauth token is not valid"}"#,
                "401013",
                "Oauth token is not valid",
            ),
            (
                Vendor::PartnerCenterIngestion,
                r#"{"error":{"code":"notFound","message":"Resource not found"}}"#,
                "notFound",
                "Resource not found",
            ),
        ];
        for (vendor, body, code, message) in cases {
            let parsed = VendorError::parse(*vendor, body.as_bytes()).expect("json");
            assert_eq!(parsed.code().as_deref(), Some(*code), "{body}");
            assert_eq!(parsed.message().as_deref(), Some(*message), "{body}");
        }
        let appcharge =
            VendorError::parse(Vendor::Appcharge, br#"{"message":"bad offer"}"#).expect("json");
        assert_eq!(appcharge.message().as_deref(), Some("bad offer"));
        assert!(VendorError::parse(Vendor::Appcharge, b"Not Authorized").is_none());
    }
}
