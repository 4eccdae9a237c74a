//! Adobe Journey Optimizer Offer Library API (feature `adobe-offers`).
//!
//! The record types are generated from `specs/adobe_offers.schema.json`. One [`Offer`] type serves
//! personalized and fallback offers (a fallback offer may carry `selectionConstraint` and `rank`,
//! as Adobe's fallback create sample sends them, or lack them, as its lookup sample does);
//! [`OfferType`] is the `offer-type` query parameter. [`AepError`] reads all three Experience
//! Platform error shapes.
//!
//! ```
//! use offerkit_models::VendorErrorBody;
//! use offerkit_models::adobe_offers::{AepError, AepErrorKind};
//! let gateway: AepError =
//!     serde_json::from_str(r#"{"error_code":"401013","message":"Oauth token is not valid"}"#).unwrap();
//! assert_eq!(gateway.kind(), AepErrorKind::Gateway);
//! assert_eq!(gateway.code().as_deref(), Some("401013"));
//! ```

pub use crate::generated::adobe_offers::*;

use crate::VendorErrorBody;

/// Endpoint path of the Offer Library API (no trailing slash; join paths with one `/`).
pub const ENDPOINT_PATH: &str = "https://platform.adobe.io/data/core/dps";

/// Which of the three Experience Platform error shapes an [`AepError`] has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AepErrorKind {
    /// Gateway/auth error `{error_code, message}`.
    Gateway,
    /// Service problem details `{type, title, status, detail, report?, error-chain?}`.
    ProblemDetails,
    /// The content-type error (`/placeholder/type/uri`, "A valid content-type must be specified").
    ContentType,
    /// None of the known fields.
    Unknown,
}

impl AepError {
    /// Which shape this error has.
    pub fn kind(&self) -> AepErrorKind {
        let mentions_content_type = self
            .detail
            .as_deref()
            .is_some_and(|d| d.to_ascii_lowercase().contains("content-type"));
        if self.error_code.is_some() {
            AepErrorKind::Gateway
        } else if self.r#type.as_deref() == Some("/placeholder/type/uri") || mentions_content_type {
            AepErrorKind::ContentType
        } else if self.r#type.is_some() || self.title.is_some() || self.detail.is_some() {
            AepErrorKind::ProblemDetails
        } else {
            AepErrorKind::Unknown
        }
    }
}

impl VendorErrorBody for AepError {
    /// `error_code`, else the problem `type` URI, else `status`.
    fn code(&self) -> Option<String> {
        self.error_code
            .as_ref()
            .map(ToString::to_string)
            .or_else(|| self.r#type.clone())
            .or_else(|| self.status.as_ref().map(ToString::to_string))
    }

    /// `message`, else `detail`, else `title`.
    fn message(&self) -> Option<String> {
        self.message
            .clone()
            .or_else(|| self.detail.clone())
            .or_else(|| self.title.clone())
    }
}

impl OfferPage {
    /// `_links.next.href` verbatim (keep its `offer-type=PERSONALIZED` casing), if there is a next page.
    pub fn next_href(&self) -> Option<&str> {
        self.links.as_ref()?.next.as_ref()?.href.as_deref()
    }
}
