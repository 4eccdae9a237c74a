//! [`Secret`]: a string that never prints itself.

use std::fmt;

/// A secret string (client secret, access token, publisher token).
///
/// `Debug` and `Display` print `[redacted]`; the only way to read the value is [`Secret::expose`].
/// Equality is constant-time in the length of the shorter value. Creating one teaches the value
/// to [`Redactor::global`], so no error built from a server's answer can repeat it.
///
/// [`Redactor::global`]: crate::Redactor::global
///
/// ```
/// use offerkit_transport::Secret;
/// let token = Secret::new("s3cr3t");
/// assert_eq!(format!("{token:?} {token}"), "Secret([redacted]) [redacted]");
/// assert_eq!(token.expose(), "s3cr3t");
/// ```
#[derive(Clone, Default)]
pub struct Secret(Box<str>);

impl Secret {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Self {
        let value = value.into().into_boxed_str();
        crate::Redactor::global().learn(&value);
        Self(value)
    }

    /// The secret value. Do not log it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// `true` if the value is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        let (a, b) = (self.0.as_bytes(), other.0.as_bytes());
        let mut diff = a.len() ^ b.len();
        for (x, y) in a.iter().zip(b.iter()) {
            diff |= usize::from(x ^ y);
        }
        diff == 0
    }
}

impl Eq for Secret {}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self::new(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self::new(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_and_compares() {
        let s = Secret::new("hunter2");
        assert!(!format!("{s:?}{s}{s:#?}").contains("hunter2"));
        assert_eq!(s, Secret::from("hunter2"));
        assert_ne!(s, Secret::from("hunter3"));
        assert_ne!(s, Secret::from("hunter22"));
    }
}
