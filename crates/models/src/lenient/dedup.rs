//! Duplicate-key tolerant parsing.
//!
//! serde's derived struct deserializers reject a repeated field (`"active": true, "active": true`), which
//! Appcharge responses contain. Going through [`serde_json::Value`] first collapses duplicates with
//! **last key wins** semantics (the key keeps its first position), the same rule JavaScript's `JSON.parse`
//! applies.
//!
//! Only the outermost tolerant value is buffered: while a buffered [`Value`] is being turned into
//! records, nested tolerant records read it directly (a `Value` cannot hold duplicate keys), so a
//! document is copied once, not once per nesting level.

use std::cell::Cell;

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

thread_local! {
    /// How many buffered values this thread is currently turning into records.
    static RESOLVING: Cell<u32> = const { Cell::new(0) };
}

/// Marks "a buffered, duplicate-free [`Value`] is being read on this thread" for its lifetime
/// (also when reading fails or panics part-way).
struct Resolving;

impl Resolving {
    fn enter() -> Self {
        RESOLVING.with(|depth| depth.set(depth.get().saturating_add(1)));
        Resolving
    }
}

impl Drop for Resolving {
    fn drop(&mut self) {
        RESOLVING.with(|depth| depth.set(depth.get().saturating_sub(1)));
    }
}

/// Whether the input being read on this thread is already a buffered [`Value`] (so it has no
/// duplicate keys and a tolerant record may read it directly). Generated `Deserialize` impls
/// check it before buffering.
pub fn duplicates_resolved() -> bool {
    RESOLVING.with(|depth| depth.get() > 0)
}

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
    let _resolving = Resolving::enter();
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
    let _resolving = Resolving::enter();
    strict(value).map_err(D::Error::custom)
}

/// Renames alternative spellings of fields to their canonical name in a JSON object, so a record
/// whose vendor spells a field two ways (Appcharge's `subtype` next to `subType`) reads either,
/// and reads a document carrying both without a "duplicate field" error. Generated
/// `Deserialize` impls of records with `x-aliases` call it on the buffered value.
///
/// `fields` lists `(canonical, aliases)`. The canonical spelling wins over an alias; when only
/// aliases are present, the last one listed that is present wins. Non-objects are left alone.
///
/// ```
/// use serde_json::json;
/// let mut both = json!({"subtype": "DailyBonus", "subType": "PostPurchase"});
/// offerkit_models::lenient::fold_aliases(&mut both, &[("subType", &["subtype"])]);
/// assert_eq!(both, json!({"subType": "PostPurchase"}));
/// let mut alias_only = json!({"subtype": "DailyBonus"});
/// offerkit_models::lenient::fold_aliases(&mut alias_only, &[("subType", &["subtype"])]);
/// assert_eq!(alias_only, json!({"subType": "DailyBonus"}));
/// ```
pub fn fold_aliases(value: &mut Value, fields: &[(&str, &[&str])]) {
    let Some(object) = value.as_object_mut() else {
        return;
    };
    for (canonical, aliases) in fields {
        let mut found = None;
        for alias in *aliases {
            if let Some(v) = object.remove(*alias) {
                found = Some(v);
            }
        }
        if let Some(v) = found {
            object.entry(*canonical).or_insert(v);
        }
    }
}
