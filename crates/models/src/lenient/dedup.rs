//! Duplicate-key tolerant parsing.
//!
//! serde's derived struct deserializers reject a repeated field (`"active": true, "active": true`), which
//! Appcharge responses contain. Going through [`serde_json::Value`] first collapses duplicates with
//! **last key wins** semantics (the key keeps its first position), the same rule JavaScript's `JSON.parse`
//! applies.

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// Parses `bytes` as `T`, tolerating duplicate keys at any depth (last key wins).
///
/// ```
/// #[derive(serde::Deserialize)]
/// struct Flag { active: bool }
/// let flag: Flag = offerkit_models::lenient::from_slice_tolerant(br#"{"active": true, "active": false}"#).unwrap();
/// assert!(!flag.active);
/// ```
pub fn from_slice_tolerant<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, serde_json::Error> {
    let value: Value = serde_json::from_slice(bytes)?;
    serde_json::from_value(value)
}

/// [`from_slice_tolerant`] for text.
pub fn from_str_tolerant<T: DeserializeOwned>(text: &str) -> Result<T, serde_json::Error> {
    from_slice_tolerant(text.as_bytes())
}

/// Building block for tolerant `Deserialize` impls: buffers the input as a [`Value`] (collapsing duplicate
/// keys) and hands it to `strict`, usually the struct's derived `#[serde(remote = "Self")]` deserializer.
pub fn deserialize_via_value<'de, D, T>(
    deserializer: D,
    strict: impl FnOnce(Value) -> Result<T, serde_json::Error>,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    let value = Value::deserialize(deserializer)?;
    strict(value).map_err(D::Error::custom)
}
