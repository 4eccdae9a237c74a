//! The generic store: keyed JSON collections (one lock per collection for the map, one lock per
//! resource for its body, so requests on unrelated resources never wait for each other), and the
//! contract each API's store meets so seeding, snapshots and reset work the same for all of them.

use std::collections::BTreeMap;
use std::ops::Bound;
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

/// One stored resource: its compact JSON text. A `serde_json::Value` tree costs 5-9 times its
/// JSON size (measured with `examples/store_cost.rs`); the text costs its size. Handlers read a
/// parsed copy and write through [`Collection::update`].
type Cell = Arc<Mutex<Box<str>>>;

fn to_text(value: &Value) -> Box<str> {
    value.to_string().into_boxed_str()
}

/// The stored text as a value; the text was written by [`to_text`], so it always parses.
fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or(Value::Null)
}

/// A keyed set of JSON resources, ordered by key (one lock for the map, one per resource).
#[derive(Debug, Default)]
pub(crate) struct Collection {
    map: RwLock<BTreeMap<Box<str>, Cell>>,
}

impl Collection {
    fn cell(&self, key: &str) -> Option<Cell> {
        read(&self.map).get(key).cloned()
    }

    /// A copy of the resource for `key`.
    pub(crate) fn get(&self, key: &str) -> Option<Value> {
        self.cell(key).map(|cell| parse(&lock(&cell)))
    }

    /// The resource for `key` serialised as JSON (the stored text, copied).
    pub(crate) fn get_serialized(&self, key: &str) -> Option<Vec<u8>> {
        self.cell(key).map(|cell| lock(&cell).as_bytes().to_vec())
    }

    /// Runs `f` on the resource for `key` under its lock and stores what `f` left if it changed
    /// it (an early return that leaves it alone stores nothing). `None` when there is none.
    pub(crate) fn update<R>(&self, key: &str, f: impl FnOnce(&mut Value) -> R) -> Option<R> {
        let cell = self.cell(key)?;
        let mut text = lock(&cell);
        let mut value = parse(&text);
        let out = f(&mut value);
        let next = to_text(&value);
        if next != *text {
            *text = next;
        }
        Some(out)
    }

    /// Inserts or replaces.
    pub(crate) fn put(&self, key: String, value: &Value) {
        let cell = Arc::new(Mutex::new(to_text(value)));
        write(&self.map).insert(key.into_boxed_str(), cell);
    }

    /// Inserts only when `key` is free; returns whether it did.
    pub(crate) fn put_new(&self, key: String, value: &Value) -> bool {
        let cell = Arc::new(Mutex::new(to_text(value)));
        let mut map = write(&self.map);
        if map.contains_key(key.as_str()) {
            return false;
        }
        map.insert(key.into_boxed_str(), cell);
        true
    }

    /// Removes and returns the resource.
    pub(crate) fn remove(&self, key: &str) -> Option<Value> {
        let cell = write(&self.map).remove(key)?;
        let value = parse(&lock(&cell));
        Some(value)
    }

    /// Copies of all resources whose key starts with `prefix`, in key order.
    pub(crate) fn values_with_prefix(&self, prefix: &str) -> Vec<Value> {
        let cells: Vec<Cell> = read(&self.map)
            .range::<str, _>((Bound::Included(prefix), Bound::Unbounded))
            .take_while(|(k, _)| k.starts_with(prefix))
            .map(|(_, v)| v.clone())
            .collect();
        cells.iter().map(|c| parse(&lock(c))).collect()
    }

    /// Every key, in order.
    pub(crate) fn keys(&self) -> Vec<String> {
        read(&self.map).keys().map(|k| k.to_string()).collect()
    }

    /// Copies of all resources, in key order.
    pub(crate) fn values(&self) -> Vec<Value> {
        self.values_with_prefix("")
    }

    /// Up to `limit` resources with a key after `after` (exclusive), plus the number of resources.
    pub(crate) fn page(&self, after: Option<&str>, limit: usize) -> (Vec<(String, Value)>, usize) {
        let map = read(&self.map);
        let total = map.len();
        let start = after.map_or(Bound::Unbounded, Bound::Excluded);
        let cells: Vec<(String, Cell)> = map
            .range::<str, _>((start, Bound::Unbounded))
            .take(limit)
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        drop(map);
        (
            cells
                .into_iter()
                .map(|(k, c)| (k, parse(&lock(&c))))
                .collect(),
            total,
        )
    }

    /// Empties the collection.
    pub(crate) fn clear(&self) {
        write(&self.map).clear();
    }

    /// Bytes the collection's resources and keys take on the heap, by its own accounting: each
    /// resource's text, key, cell (reference counts, lock, text pointer) and map slot.
    #[cfg(test)]
    pub(crate) fn heap_bytes(&self) -> usize {
        const PER_RESOURCE: usize = 2 * std::mem::size_of::<usize>() // Arc counts
            + std::mem::size_of::<Mutex<Box<str>>>()
            + std::mem::size_of::<Box<str>>() + std::mem::size_of::<Cell>() // map slot
            + 16; // B-tree node share
        read(&self.map)
            .iter()
            .map(|(k, c)| k.len() + lock(c).len() + PER_RESOURCE)
            .sum()
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::Collection;

    /// A stored resource costs at most 1.5 times its compact JSON size (a parsed tree cost 5-9
    /// times), and `update` stores a change but not an untouched read.
    #[test]
    fn a_resource_costs_about_its_json_size() {
        let collection = Collection::default();
        let mut json_bytes = 0;
        for i in 0..1_000 {
            let offer = json!({"publisherOfferId": format!("offer-{i:08}"), "name": format!("Starter pack {i}"),
                "type": "Bundle", "offerId": "65f1c0de9a1b2c3d4e5f6a7b", "createdAt": "2030-01-01T00:00:00Z",
                "productsSequence": [{"index": 1, "products": [{"publisherProductId": "coins", "quantity": 1000}]}]});
            json_bytes += offer.to_string().len();
            collection.put(format!("offer-{i:08}"), &offer);
        }
        let cost = collection.heap_bytes();
        assert!(
            cost * 2 <= json_bytes * 3,
            "{cost} B for {json_bytes} B of JSON"
        );

        let key = "offer-00000007";
        assert_eq!(
            collection.update(key, |v| v["name"].clone()),
            Some(json!("Starter pack 7"))
        );
        assert_eq!(collection.heap_bytes(), cost, "a read stores nothing new");
        collection.update(key, |v| v["name"] = json!("Renamed"));
        assert_eq!(collection.get(key).unwrap()["name"], "Renamed");
        assert_eq!(
            collection.get_serialized(key).unwrap(),
            collection.get(key).unwrap().to_string().into_bytes()
        );
        assert!(collection.update("missing", |_| ()).is_none());
        assert!(!collection.put_new(key.to_owned(), &json!({})));
        assert_eq!(collection.values_with_prefix("offer-0000000").len(), 10);
        let (page, total) = collection.page(Some("offer-00000997"), 5);
        assert_eq!((page.len(), total), (2, 1_000));
        assert_eq!(collection.remove(key).unwrap()["name"], "Renamed");
        assert!(collection.get(key).is_none());
    }
}
