//! [`PublisherOfferId`]: the publisher's offer key, checked before anything is sent.

use std::fmt;

use offerkit_transport::ids::{IdProblem, check_path_id};

use crate::Error;

/// The publisher's offer id (`publisherOfferId`, the "External ID" in the Publisher Dashboard), the
/// key Appcharge uses in `/v2/offer/{publisherOfferId}`.
///
/// Checked on construction by [`offerkit_transport::ids::check_path_id`]: not empty, no
/// surrounding whitespace (a pasted id with a trailing space would name a different offer), no
/// control characters, not `.` or `..`. Any other character is allowed; the client percent-encodes
/// it, so an id like `a/b?x=1` stays one path segment.
///
/// ```
/// use offerkit_appcharge::PublisherOfferId;
/// let id = PublisherOfferId::new("special-offer-1")?;
/// assert_eq!(id.as_str(), "special-offer-1");
///
/// let err = PublisherOfferId::new("  ").unwrap_err();
/// assert_eq!(err.to_string(), "invalid publisher_offer_id: must not be empty");
/// # Ok::<(), offerkit_appcharge::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct PublisherOfferId(String);

impl PublisherOfferId {
    /// The argument name used in validation errors.
    pub const ARGUMENT: &'static str = "publisher_offer_id";

    /// Checks and wraps an id.
    ///
    /// ```
    /// use offerkit_appcharge::PublisherOfferId;
    /// assert!(PublisherOfferId::new("rolling-1").is_ok());
    /// assert!(PublisherOfferId::new(" rolling-1").is_err());
    /// ```
    pub fn new(id: impl Into<String>) -> Result<Self, Error> {
        check_path_id(Self::ARGUMENT, id.into())
            .map(Self)
            .map_err(|e| {
                let reason = match e.problem() {
                    IdProblem::SurroundingWhitespace => {
                        format!(
                            "{}; pass the id exactly as shown in the Publisher Dashboard",
                            e.reason()
                        )
                    }
                    _ => e.reason(),
                };
                Error::InvalidArgument {
                    argument: Self::ARGUMENT,
                    reason,
                }
            })
    }

    /// The id as sent to Appcharge.
    ///
    /// ```
    /// # use offerkit_appcharge::PublisherOfferId;
    /// assert_eq!(PublisherOfferId::new("bundle-7")?.as_str(), "bundle-7");
    /// # Ok::<(), offerkit_appcharge::Error>(())
    /// ```
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The id as an owned `String`.
    ///
    /// ```
    /// # use offerkit_appcharge::PublisherOfferId;
    /// let raw: String = PublisherOfferId::new("bundle-7")?.into_string();
    /// assert_eq!(raw, "bundle-7");
    /// # Ok::<(), offerkit_appcharge::Error>(())
    /// ```
    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for PublisherOfferId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for PublisherOfferId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for PublisherOfferId {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl TryFrom<&str> for PublisherOfferId {
    type Error = Error;

    fn try_from(s: &str) -> Result<Self, Self::Error> {
        Self::new(s)
    }
}

impl TryFrom<String> for PublisherOfferId {
    type Error = Error;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::new(s)
    }
}

impl<'de> serde::Deserialize<'de> for PublisherOfferId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Self::new(raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_empty_padded_and_control() {
        for bad in ["", "   ", " a", "a\t", "a\nb", "a\u{0}b", ".", ".."] {
            let err = PublisherOfferId::new(bad).expect_err(bad);
            assert!(
                err.to_string().starts_with("invalid publisher_offer_id: "),
                "{err}"
            );
        }
        for good in ["a", "a/b?x=1", "special offer 1", "🎉", "..."] {
            assert_eq!(PublisherOfferId::new(good).expect(good).as_str(), good);
        }
    }

    #[test]
    fn serde_validates() {
        let ok: PublisherOfferId = serde_json::from_str("\"x\"").expect("valid");
        assert_eq!(serde_json::to_string(&ok).expect("ser"), "\"x\"");
        assert!(serde_json::from_str::<PublisherOfferId>("\"\"").is_err());
    }
}
