//! The common view of the vendors' error bodies.

/// What every vendor error body can tell: a code and a message, whichever shape the vendor used.
///
/// ```
/// # #[cfg(feature = "partner-center-orders")] {
/// use offerkit_models::VendorErrorBody;
/// use offerkit_models::partner_center_orders::OrdersErrorBody;
/// let throttled: OrdersErrorBody =
///     serde_json::from_str(r#"{"statusCode": 429, "message": "Rate limit is exceeded."}"#).unwrap();
/// assert_eq!(throttled.code().as_deref(), Some("429"));
/// assert_eq!(throttled.message().as_deref(), Some("Rate limit is exceeded."));
/// # }
/// ```
pub trait VendorErrorBody {
    /// The vendor's error code as text (numeric codes are rendered in decimal), if the body has one.
    fn code(&self) -> Option<String>;
    /// The human-readable message, if the body has one.
    fn message(&self) -> Option<String>;
}
