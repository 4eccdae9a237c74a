//! The generic store: keyed JSON collections (one lock per collection for the map, one lock per
//! resource for its body, so requests on unrelated resources never wait for each other), and the
//! contract each API's store meets so seeding, snapshots and reset work the same for all of them.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, RwLock};

use serde_json::{Map, Value};

use crate::util::clock::Clock;
use crate::util::ids::Ids;
use crate::util::sync::{lock, read, write};

/// What an API keeps: its part of the seed document and of `GET /_sandbox/state`.
pub(crate) trait ApiStore: Default {
    /// Its key in seed documents and in the state document.
    const SEED_KEY: &'static str;
    /// A seed section that was checked and normalised, ready to apply.
    type Seed;
    /// Checks and normalises the seed section (`None` when the seed has none). Nothing is applied.
    /// Missing timestamps are stamped from `clock`.
    fn parse_seed(section: Option<&Value>, ids: &Ids, clock: &Clock) -> Result<Self::Seed, String>;
    /// Applies a parsed section; returns what it loaded, e.g. `[("orders", 3)]`.
    fn apply_seed(&self, seed: Self::Seed) -> Vec<(&'static str, usize)>;
    /// The store in seed format.
    fn snapshot(&self) -> Value;
    /// Empties the store (`POST /_sandbox/reset`, and a seed in replace mode).
    fn clear(&self);
}

/// Whether a seed is merged into the state or replaces it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SeedMode {
    Merge,
    Replace,
}

/// A keyed set of JSON resources, ordered by key.
#[derive(Debug, Default)]
pub(crate) struct Collection {
    map: RwLock<BTreeMap<String, Arc<Mutex<Value>>>>,
}

impl Collection {
    /// The resource cell for `key`.
    pub(crate) fn get(&self, key: &str) -> Option<Arc<Mutex<Value>>> {
        read(&self.map).get(key).cloned()
    }

    /// A copy of the resource for `key`.
    pub(crate) fn get_clone(&self, key: &str) -> Option<Value> {
        self.get(key).map(|cell| lock(&cell).clone())
    }

    /// The resource for `key` serialised as JSON, read under its lock without a copy.
    pub(crate) fn get_serialized(&self, key: &str) -> Option<Vec<u8>> {
        self.get(key)
            .map(|cell| serde_json::to_vec(&*lock(&cell)).unwrap_or_default())
    }

    /// Inserts or replaces.
    pub(crate) fn put(&self, key: String, value: Value) {
        write(&self.map).insert(key, Arc::new(Mutex::new(value)));
    }

    /// Inserts only when `key` is free; returns whether it did.
    pub(crate) fn put_new(&self, key: String, value: Value) -> bool {
        let mut map = write(&self.map);
        if map.contains_key(&key) {
            return false;
        }
        map.insert(key, Arc::new(Mutex::new(value)));
        true
    }

    /// Removes and returns the resource.
    pub(crate) fn remove(&self, key: &str) -> Option<Value> {
        let cell = write(&self.map).remove(key)?;
        let value = lock(&cell).clone();
        Some(value)
    }

    /// Copies of all resources whose key starts with `prefix`, in key order.
    pub(crate) fn values_with_prefix(&self, prefix: &str) -> Vec<Value> {
        let cells: Vec<Arc<Mutex<Value>>> = read(&self.map)
            .range(prefix.to_owned()..)
            .take_while(|(k, _)| k.starts_with(prefix))
            .map(|(_, v)| v.clone())
            .collect();
        cells.iter().map(|c| lock(c).clone()).collect()
    }

    /// Copies of all resources, in key order.
    pub(crate) fn values(&self) -> Vec<Value> {
        self.values_with_prefix("")
    }

    /// Up to `limit` resources with a key after `after` (exclusive), plus the number of resources.
    pub(crate) fn page(&self, after: Option<&str>, limit: usize) -> (Vec<(String, Value)>, usize) {
        let map = read(&self.map);
        let total = map.len();
        let cells: Vec<(String, Arc<Mutex<Value>>)> = match after {
            Some(a) => map
                .range::<str, _>((std::ops::Bound::Excluded(a), std::ops::Bound::Unbounded))
                .take(limit)
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            None => map
                .iter()
                .take(limit)
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        };
        drop(map);
        (
            cells
                .into_iter()
                .map(|(k, c)| (k, lock(&c).clone()))
                .collect(),
            total,
        )
    }

    /// Empties the collection.
    pub(crate) fn clear(&self) {
        write(&self.map).clear();
    }
}

static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();

/// A seed section that must be an object (absent and `null` read as empty).
pub(crate) fn section<'a>(
    value: Option<&'a Value>,
    key: &str,
) -> Result<&'a Map<String, Value>, String> {
    match value {
        None | Some(Value::Null) => Ok(EMPTY.get_or_init(Map::new)),
        Some(Value::Object(m)) => Ok(m),
        Some(_) => Err(format!("{key} must be an object")),
    }
}

/// A seed list (absent and `null` read as empty).
pub(crate) fn list<'a>(value: Option<&'a Value>, label: &str) -> Result<&'a [Value], String> {
    match value {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(_) => Err(format!("{label} must be an array")),
    }
}

/// Normalises every item of a seed list with `f`, prefixing errors with `label[i]`.
pub(crate) fn each<T>(
    items: &[Value],
    label: &str,
    mut f: impl FnMut(&Value) -> Result<T, String>,
) -> Result<Vec<T>, String> {
    items
        .iter()
        .enumerate()
        .map(|(i, item)| f(item).map_err(|e| format!("{label}[{i}]: {e}")))
        .collect()
}
