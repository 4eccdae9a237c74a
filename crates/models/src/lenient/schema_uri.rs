//! `$schema` URIs tolerant of the stray spaces the Microsoft docs print.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A `$schema` value. The raw text is kept (and written back); comparisons use the
/// [normalised](SchemaUri::normalized) form with all whitespace removed, so
/// `" https://…/private-offer/ 2023-07-15"` is recognised as the private-offer schema.
///
/// ```
/// use offerkit_models::lenient::SchemaUri;
/// let uri = SchemaUri::new("https://schema.mp.microsoft.com/schema/private-offer/ 2023-07-15");
/// assert!(uri.matches("https://schema.mp.microsoft.com/schema/private-offer/2023-07-15"));
/// assert_eq!(uri.kind(), Some("private-offer".to_owned()));
/// assert_eq!(uri.version(), Some("2023-07-15".to_owned()));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct SchemaUri(String);

impl SchemaUri {
    /// Wraps a schema URI as given.
    pub fn new(uri: impl Into<String>) -> Self {
        Self(uri.into())
    }

    /// The text exactly as read.
    pub fn raw(&self) -> &str {
        &self.0
    }

    /// The text with every whitespace character removed.
    pub fn normalized(&self) -> String {
        self.0.chars().filter(|c| !c.is_whitespace()).collect()
    }

    /// Whether this names the same schema as `uri` (whitespace ignored, ASCII case-insensitive).
    pub fn matches(&self, uri: &str) -> bool {
        let other: String = uri.chars().filter(|c| !c.is_whitespace()).collect();
        self.normalized().eq_ignore_ascii_case(&other)
    }

    /// The last path segment, usually the schema version (`2023-07-15`).
    pub fn version(&self) -> Option<String> {
        self.segments().last().map(str::to_owned)
    }

    /// The segment before the version, usually the resource kind (`private-offer`, `configure-status`).
    pub fn kind(&self) -> Option<String> {
        self.segments().rev().nth(1).map(str::to_owned)
    }

    fn segments(&self) -> std::vec::IntoIter<&str> {
        let trimmed = self.0.trim().trim_end_matches('/');
        trimmed
            .split('/')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .into_iter()
    }
}

impl fmt::Display for SchemaUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for SchemaUri {
    fn from(uri: &str) -> Self {
        Self::new(uri)
    }
}

impl From<String> for SchemaUri {
    fn from(uri: String) -> Self {
        Self(uri)
    }
}

impl Serialize for SchemaUri {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for SchemaUri {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self)
    }
}
