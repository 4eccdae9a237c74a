//! [`RedactedString`]: a string that never shows up in `Debug` output.

use std::fmt;

/// A credential-bearing string (an access token) that serializes as itself but prints as
/// `"[redacted]"` in `Debug`, so logging a parsed token response never leaks the token.
///
/// ```
/// use offerkit_models::lenient::RedactedString;
/// let token: RedactedString = serde_json::from_str(r#""eyJ0eXAi""#).unwrap();
/// assert_eq!(token.expose(), "eyJ0eXAi");
/// assert_eq!(format!("{token:?}"), "[redacted]");
/// assert_eq!(serde_json::to_string(&token).unwrap(), r#""eyJ0eXAi""#);
/// ```
#[derive(Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct RedactedString(String);

impl RedactedString {
    /// Wraps `value`.
    pub fn new(value: impl Into<String>) -> Self {
        RedactedString(value.into())
    }

    /// The secret text; call it only where the value is sent, never where it is logged.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Takes the secret text out.
    pub fn into_inner(self) -> String {
        self.0
    }

    /// Whether the text is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for RedactedString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}
