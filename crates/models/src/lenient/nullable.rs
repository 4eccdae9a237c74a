//! Keeping an explicit `null` apart from an absent field.

use serde::{Deserialize, Deserializer};

/// `deserialize_with` helper for `Option<Option<T>>` fields: absent stays `None` (through
/// `#[serde(default)]`), `null` becomes `Some(None)` and a value becomes `Some(Some(value))`, so a document
/// read and written back keeps its `null`s.
///
/// ```
/// #[derive(serde::Deserialize, serde::Serialize, PartialEq, Debug)]
/// struct Doc {
///     #[serde(default, deserialize_with = "offerkit_models::lenient::nullable",
///             skip_serializing_if = "Option::is_none")]
///     ui: Option<Option<u8>>,
/// }
/// let null: Doc = serde_json::from_str(r#"{"ui":null}"#).unwrap();
/// assert_eq!(null.ui, Some(None));
/// assert_eq!(serde_json::to_string(&null).unwrap(), r#"{"ui":null}"#);
/// let absent: Doc = serde_json::from_str("{}").unwrap();
/// assert_eq!(absent.ui, None);
/// ```
pub fn nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}
