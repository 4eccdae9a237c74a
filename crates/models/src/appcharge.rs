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
    /// `code`, else `statusCode`, else `error`.
    fn code(&self) -> Option<String> {
        self.code
            .as_ref()
            .or(self.status_code.as_ref())
            .map(ToString::to_string)
            .or_else(|| self.error.clone())
    }

    /// `message` (a list is joined with "; "), else `error`.
    fn message(&self) -> Option<String> {
        let from_message = match self.message.as_ref() {
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            Some(serde_json::Value::Array(items)) => Some(
                items
                    .iter()
                    .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            Some(serde_json::Value::Null) | None => None,
            Some(other) => Some(other.to_string()),
        };
        from_message.or_else(|| self.error.clone())
    }
}
