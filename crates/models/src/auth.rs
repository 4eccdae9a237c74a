//! OAuth token responses of Azure AD / Microsoft Entra and Adobe IMS (not feature-gated).
//!
//! ```
//! use offerkit_models::auth::TokenResponse;
//! let azure: TokenResponse = serde_json::from_str(
//!     r#"{"token_type":"Bearer","expires_in":"3600","ext_expires_in":"3600","access_token":"t"}"#).unwrap();
//! assert_eq!(azure.expires_in_seconds(), Some(3600));
//! let ims: TokenResponse = serde_json::from_str(
//!     r#"{"access_token":"t","token_type":"bearer","expires_in":86399}"#).unwrap();
//! assert_eq!(ims.expires_in_seconds(), Some(86399));
//! ```

pub use crate::generated::auth::*;

impl TokenResponse {
    /// `expires_in` in seconds, whether it was sent as a number or a string.
    pub fn expires_in_seconds(&self) -> Option<u64> {
        self.expires_in
            .as_ref()
            .and_then(crate::lenient::StringOrNumber::as_u64)
    }

    /// `expires_on` (Azure AD v1) as Unix seconds.
    pub fn expires_on_unix(&self) -> Option<u64> {
        self.expires_on
            .as_ref()
            .and_then(crate::lenient::StringOrNumber::as_u64)
    }
}
