//! Numbers that vendors send either as JSON numbers or as strings.

use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Number;

/// A value sent as a number by some samples and as a string by others (`"quantity": "100"`,
/// `"expires_in": "3600"`, `"code": 3000`). The form read is kept and written back.
///
/// ```
/// use offerkit_models::lenient::StringOrNumber;
/// let a: StringOrNumber = serde_json::from_str("\"100\"").unwrap();
/// let b: StringOrNumber = serde_json::from_str("100").unwrap();
/// assert_eq!(a.as_i64(), Some(100));
/// assert_eq!(b.as_i64(), Some(100));
/// assert_eq!(serde_json::to_string(&a).unwrap(), "\"100\"");
/// assert_eq!(a.to_string(), "100");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StringOrNumber {
    /// Sent as a JSON number.
    Number(Number),
    /// Sent as a JSON string (not necessarily numeric).
    String(String),
}

impl StringOrNumber {
    /// The value as an `i64`, parsing a string form (surrounding whitespace ignored).
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Self::Number(n) => n.as_i64(),
            Self::String(s) => s.trim().parse().ok(),
        }
    }

    /// The value as a `u64`, parsing a string form (surrounding whitespace ignored).
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Self::Number(n) => n.as_u64(),
            Self::String(s) => s.trim().parse().ok(),
        }
    }

    /// The value as an `f64`, parsing a string form (finite values only).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Self::Number(n) => n.as_f64(),
            Self::String(s) => s.trim().parse::<f64>().ok().filter(|f| f.is_finite()),
        }
    }
}

impl fmt::Display for StringOrNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Number(n) => fmt::Display::fmt(n, f),
            Self::String(s) => f.write_str(s),
        }
    }
}

impl From<i64> for StringOrNumber {
    fn from(value: i64) -> Self {
        Self::Number(value.into())
    }
}

impl From<u64> for StringOrNumber {
    fn from(value: u64) -> Self {
        Self::Number(value.into())
    }
}

impl From<&str> for StringOrNumber {
    fn from(value: &str) -> Self {
        Self::String(value.to_owned())
    }
}

impl From<String> for StringOrNumber {
    fn from(value: String) -> Self {
        Self::String(value)
    }
}

impl Serialize for StringOrNumber {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Number(n) => n.serialize(serializer),
            Self::String(s) => serializer.serialize_str(s),
        }
    }
}

struct StringOrNumberVisitor;

impl Visitor<'_> for StringOrNumberVisitor {
    type Value = StringOrNumber;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number or a string")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(StringOrNumber::Number(v.into()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(StringOrNumber::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Number::from_f64(v)
            .map(StringOrNumber::Number)
            .ok_or_else(|| E::custom("a non-finite number"))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(StringOrNumber::String(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(StringOrNumber::String(v))
    }
}

impl<'de> Deserialize<'de> for StringOrNumber {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StringOrNumberVisitor)
    }
}
