//! [`WithRaw`]: a typed vendor record together with the JSON the vendor sent, exactly as sent.

/// A record as typed, and as the vendor sent it: `raw` keeps what the typed model cannot
/// (explicit `null`s, the order and spelling of keys), for snapshots that must give back exactly
/// what was read (`offerkit restore`, plans).
///
/// ```
/// use offerkit_models::raw::WithRaw;
/// let read = WithRaw::new(1_u8, serde_json::json!({"a": null}));
/// assert!(read.raw["a"].is_null());
/// assert_eq!(read.into_value(), 1);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct WithRaw<T> {
    /// The typed record.
    pub value: T,
    /// The vendor's JSON, unchanged.
    pub raw: serde_json::Value,
}

impl<T> WithRaw<T> {
    /// Pairs a typed record with its JSON.
    pub fn new(value: T, raw: serde_json::Value) -> Self {
        WithRaw { value, raw }
    }

    /// The typed record alone.
    pub fn into_value(self) -> T {
        self.value
    }
}

/// `value` without the top-level `fields` (a snapshot minus the fields a vendor assigns, for a
/// re-create); every other field, explicit `null`s included, stays as it was, in its order.
///
/// ```
/// use serde_json::json;
/// let body = offerkit_models::raw::without_fields(&json!({"id": 1, "name": "a", "x": null}), &["id"]);
/// assert_eq!(body, json!({"name": "a", "x": null}));
/// ```
pub fn without_fields(value: &serde_json::Value, fields: &[&str]) -> serde_json::Value {
    let mut value = value.clone();
    if let Some(object) = value.as_object_mut() {
        for field in fields {
            object.shift_remove(*field);
        }
    }
    value
}
