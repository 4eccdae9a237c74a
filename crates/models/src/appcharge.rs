//! Appcharge publisher API: Offers V2 (feature `appcharge`).
//!
//! The record types are generated from `specs/appcharge.schema.json`.
//!
//! **Duplicate keys:** the `Deserialize` impls themselves tolerate duplicate keys (Appcharge's samples send
//! `"active": true, "active": true`): each record reads through `serde_json::Value`, where the last
//! occurrence of a key wins. Plain `serde_json::from_slice::<Offer>` therefore works everywhere;
//! [`parse_offer`] and [`parse_offer_list`] are thin conveniences.
//!
//! Other quirks handled: `quantity` as number or string, `offerUi: null` (kept as `Some(None)`), three
//! product-entry shapes ([`ProductEntry`]), open `type`/`subType` enums.
//!
//! ```
//! use offerkit_models::appcharge::{OfferType, parse_offer};
//! let offer = parse_offer(br#"{"publisherOfferId":"rolling-1","type":"RollingOffer","active":true,"active":true,"offerUi":null}"#).unwrap();
//! assert_eq!(offer.r#type, Some(OfferType::RollingOffer));
//! assert_eq!(offer.offer_ui, Some(None));
//! ```

pub use crate::generated::appcharge::*;

use crate::VendorErrorBody;
use crate::lenient::StringOrNumber;

/// Production base URL.
pub const BASE_URL: &str = "https://api.appcharge.com";
/// Sandbox base URL.
pub const SANDBOX_BASE_URL: &str = "https://api-sandbox.appcharge.com";

/// Parses one offer (the body of create/update/delete responses), tolerating duplicate keys.
pub fn parse_offer(bytes: &[u8]) -> Result<Offer, serde_json::Error> {
    serde_json::from_slice(bytes)
}

/// Parses the `{totalCount, offers}` list of `GET /v2/offer`, tolerating duplicate keys.
pub fn parse_offer_list(bytes: &[u8]) -> Result<OfferList, serde_json::Error> {
    serde_json::from_slice(bytes)
}

impl ProductEntry {
    /// The publisher's product id, wherever the shape keeps it.
    pub fn publisher_product_id(&self) -> Option<&str> {
        match self {
            Self::Nested(n) => n
                .publisher_product_id
                .as_deref()
                .or(n.product.publisher_product_id.as_deref()),
            Self::Product(p) => p.publisher_product_id.as_deref(),
            Self::Reference(r) => r.publisher_product_id.as_deref(),
        }
    }

    /// The quantity, wherever the shape keeps it (number or string).
    pub fn quantity(&self) -> Option<&StringOrNumber> {
        match self {
            Self::Nested(n) => n.quantity.as_ref().or(n.product.quantity.as_ref()),
            Self::Product(p) => p.quantity.as_ref(),
            Self::Reference(r) => r.quantity.as_ref(),
        }
    }
}

impl VendorErrorBody for AppchargeErrorBody {
    /// `code`, else V2 `errorCode`, else `statusCode`, else `error`.
    fn code(&self) -> Option<String> {
        self.code
            .as_ref()
            .or(self.error_code.as_ref())
            .or(self.status_code.as_ref())
            .map(ToString::to_string)
            .or_else(|| self.error.clone())
    }

    /// V2 `errorMessage`, else V1 `message` (a list is joined with "; "), else `error`. Blank
    /// texts count as absent.
    fn message(&self) -> Option<String> {
        let present = |s: &String| !s.trim().is_empty();
        self.error_message
            .as_ref()
            .and_then(text_of)
            .filter(present)
            .or_else(|| self.message.as_ref().and_then(text_of).filter(present))
            .or_else(|| self.error.clone().filter(present))
    }
}

/// A message field as text: a string as is, a list joined with "; ", `null` as absent, anything
/// else as its JSON text.
fn text_of(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Array(items) => Some(
            items
                .iter()
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        serde_json::Value::Null => None,
        other => Some(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(json: &str) -> AppchargeErrorBody {
        serde_json::from_str(json).expect("an error body")
    }

    #[test]
    fn every_error_shape_gives_its_code_and_message() {
        let cases = [
            // V2 `ErrorResponse` (errorCode is an int32; a string is read too).
            (
                r#"{"errorCode": 1002, "errorMessage": "Offer ui not found"}"#,
                Some("1002"),
                Some("Offer ui not found"),
            ),
            (
                r#"{"errorCode": "E7", "errorMessage": "x"}"#,
                Some("E7"),
                Some("x"),
            ),
            (r#"{"errorCode": 0, "errorMessage": "  "}"#, Some("0"), None),
            // V1 `{message, requestUrl, body}`.
            (
                r#"{"message": "Invalid priceInUsdCents", "requestUrl": "/offering/offer", "body": "{}"}"#,
                None,
                Some("Invalid priceInUsdCents"),
            ),
            // NestJS-style (an assumption).
            (
                r#"{"statusCode": 400, "message": ["a", "b"], "error": "Bad Request"}"#,
                Some("400"),
                Some("a; b"),
            ),
            (
                r#"{"error": "Unprocessable Entity"}"#,
                Some("Unprocessable Entity"),
                Some("Unprocessable Entity"),
            ),
            // Both dialects in one body: V2 wins for the message, an explicit `code` for the code.
            (
                r#"{"errorCode": 3, "errorMessage": "v2 text", "message": "v1 text", "code": "C"}"#,
                Some("C"),
                Some("v2 text"),
            ),
            // Hostile: a non-string errorMessage is shown as text, a null one is absent.
            (
                r#"{"errorCode": 5, "errorMessage": {"field": "name"}}"#,
                Some("5"),
                Some(r#"{"field":"name"}"#),
            ),
            (
                r#"{"errorCode": null, "errorMessage": null, "message": "v1"}"#,
                None,
                Some("v1"),
            ),
            ("{}", None, None),
        ];
        for (json, code, message) in cases {
            let b = body(json);
            assert_eq!(b.code().as_deref(), code, "{json}");
            assert_eq!(b.message().as_deref(), message, "{json}");
        }
    }

    #[test]
    fn the_v2_fields_are_typed_and_round_trip() {
        let b =
            body(r#"{"errorCode": 1002, "errorMessage": "Offer ui not found", "errorCode": 1003}"#);
        assert_eq!(b.error_code, Some(StringOrNumber::from(1003_i64)));
        assert_eq!(
            b.error_message,
            Some(serde_json::json!("Offer ui not found"))
        );
        assert!(b.extra.is_empty(), "{:?}", b.extra);
        let back = serde_json::to_value(&b).expect("serialize");
        assert_eq!(
            back,
            serde_json::json!({"errorCode": 1003, "errorMessage": "Offer ui not found"})
        );
    }
}
