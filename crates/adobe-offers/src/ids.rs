//! [`OfferId`]: an Offer Library offer id, checked before anything is sent.

use std::fmt;

use offerkit_transport::ids::{IdProblem, check_path_id};

use crate::Error;

/// An Offer Library offer id (`id` of a personalized or fallback offer, e.g.
/// `personalizedOffer1234` or `xcore:personalized-offer:124e8bf2b8f6fb8a`), as used in
/// `/offers/{id}?offer-type=…`.
///
/// Checked on construction by [`offerkit_transport::ids::check_path_id`]: not empty, no
/// surrounding whitespace (a pasted id with a trailing space would name a different offer), no
/// control characters, not `.` or `..`. Any other character is allowed; the client percent-encodes
/// it, so an id like `a/b?x=1` stays one path segment.
///
/// ```
/// use offerkit_adobe_offers::OfferId;
/// let id = OfferId::new("personalizedOffer1234")?;
/// assert_eq!(id.as_str(), "personalizedOffer1234");
///
/// let err = OfferId::new("  ").unwrap_err();
/// assert_eq!(err.to_string(), "invalid offer_id: must not be empty");
/// # Ok::<(), offerkit_adobe_offers::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct OfferId(String);

impl OfferId {
    /// The argument name used in validation errors.
    pub const ARGUMENT: &'static str = "offer_id";

    /// Checks and wraps an id.
    ///
    /// ```
    /// use offerkit_adobe_offers::OfferId;
    /// assert!(OfferId::new("personalizedOffer1234").is_ok());
    /// assert!(OfferId::new(" personalizedOffer1234").is_err());
    /// ```
    pub fn new(id: impl Into<String>) -> Result<Self, Error> {
        check_path_id(Self::ARGUMENT, id.into())
            .map(Self)
            .map_err(|e| {
                let reason = match e.problem() {
                    IdProblem::SurroundingWhitespace => {
                        format!(
                            "{}; pass the id exactly as the Offer Library returns it",
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

    /// The id as sent to Adobe.
    ///
    /// ```
    /// # use offerkit_adobe_offers::OfferId;
    /// assert_eq!(OfferId::new("fallbackOffer1")?.as_str(), "fallbackOffer1");
    /// # Ok::<(), offerkit_adobe_offers::Error>(())
    /// ```
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The id as an owned `String`.
    ///
    /// ```
    /// # use offerkit_adobe_offers::OfferId;
    /// let raw: String = OfferId::new("fallbackOffer1")?.into_string();
    /// assert_eq!(raw, "fallbackOffer1");
    /// # Ok::<(), offerkit_adobe_offers::Error>(())
    /// ```
    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for OfferId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for OfferId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for OfferId {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl TryFrom<&str> for OfferId {
    type Error = Error;

    fn try_from(s: &str) -> Result<Self, Self::Error> {
        Self::new(s)
    }
}

impl TryFrom<String> for OfferId {
    type Error = Error;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::new(s)
    }
}

impl<'de> serde::Deserialize<'de> for OfferId {
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
            let err = OfferId::new(bad).expect_err(bad);
            assert!(err.to_string().starts_with("invalid offer_id: "), "{err}");
        }
        for good in ["a", "a/b?x=1", "special offer 1", "🎉", "..."] {
            assert_eq!(OfferId::new(good).expect(good).as_str(), good);
        }
    }

    #[test]
    fn serde_validates() {
        let ok: OfferId = serde_json::from_str("\"x\"").expect("valid");
        assert_eq!(serde_json::to_string(&ok).expect("ser"), "\"x\"");
        assert!(serde_json::from_str::<OfferId>("\"\"").is_err());
    }
}
