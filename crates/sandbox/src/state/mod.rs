//! In-memory stores: one lock per collection for the map, one lock per resource for its body,
//! so requests on unrelated resources never wait for each other.

mod ingestion;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};

use serde_json::{Map, Value, json};

pub(crate) use ingestion::{Job, JobOutcome, Jobs};

use crate::util::IdGen;

/// Locks a mutex, recovering the data if a previous holder panicked.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Read-locks an `RwLock`, recovering from poisoning.
pub(crate) fn read<T>(m: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    m.read().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Write-locks an `RwLock`, recovering from poisoning.
pub(crate) fn write<T>(m: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    m.write().unwrap_or_else(std::sync::PoisonError::into_inner)
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

/// Every vendor's resources.
#[derive(Debug, Default)]
pub(crate) struct Stores {
    /// Private offers keyed by `private-offer/<id>`.
    pub(crate) offers: Collection,
    /// Configure jobs.
    pub(crate) jobs: Jobs,
    /// Orders keyed by `<customer id, lowercase>/<order id>`.
    pub(crate) orders: Collection,
    /// Adobe personalized offers keyed by id.
    pub(crate) adobe_personalized: Collection,
    /// Adobe fallback offers keyed by id.
    pub(crate) adobe_fallback: Collection,
    /// Appcharge offers keyed by `publisherOfferId`.
    pub(crate) appcharge: Collection,
}

/// Key of an order in [`Stores::orders`].
pub(crate) fn order_key(customer: &str, order: &str) -> String {
    format!("{}/{}", customer.to_ascii_lowercase(), order)
}

/// Whether a seed is merged into the state or replaces it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SeedMode {
    Merge,
    Replace,
}

impl Stores {
    /// The whole state in seed format.
    pub(crate) fn snapshot(&self) -> Value {
        json!({
            "ingestion": {"privateOffers": self.offers.values(), "jobs": self.jobs.snapshot()},
            "orders": self.orders.values(),
            "adobe": {"personalized": self.adobe_personalized.values(), "fallback": self.adobe_fallback.values()},
            "appcharge": {"offers": self.appcharge.values()},
        })
    }

    /// Empties every store.
    pub(crate) fn clear(&self) {
        self.offers.clear();
        self.jobs.clear();
        self.orders.clear();
        self.adobe_personalized.clear();
        self.adobe_fallback.clear();
        self.appcharge.clear();
    }

    /// Validates a seed document fully, then applies it. Nothing changes when it is invalid.
    pub(crate) fn apply_seed(
        &self,
        seed: &Value,
        mode: SeedMode,
        ids: &IdGen,
    ) -> Result<SeedSummary, String> {
        let obj = seed.as_object().ok_or("a seed must be a JSON object")?;
        for key in obj.keys() {
            if ![
                "ingestion",
                "orders",
                "adobe",
                "appcharge",
                "tokens",
                "$comment",
            ]
            .contains(&key.as_str())
            {
                return Err(format!(
                    "unknown top-level seed key {key:?}; expected ingestion, orders, adobe, appcharge, tokens"
                ));
            }
        }
        let ing = section(obj, "ingestion")?;
        let offers = list(ing, "privateOffers", "ingestion.privateOffers")?
            .iter()
            .enumerate()
            .map(|(i, o)| {
                crate::routes::ingestion::normalize_seed_offer(o, ids)
                    .map_err(|e| format!("ingestion.privateOffers[{i}]: {e}"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let jobs = list(ing, "jobs", "ingestion.jobs")?
            .iter()
            .enumerate()
            .map(|(i, j)| {
                serde_json::from_value::<Job>(j.clone())
                    .map_err(|e| format!("ingestion.jobs[{i}]: {e}"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let orders = match obj.get("orders") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, o)| {
                    crate::routes::orders::normalize_seed_order(o, ids)
                        .map_err(|e| format!("orders[{i}]: {e}"))
                })
                .collect::<Result<Vec<_>, _>>()?,
            Some(_) => return Err("orders must be an array of orders".to_owned()),
        };
        let adobe = section(obj, "adobe")?;
        let mut adobe_offers = Vec::new();
        for kind in ["personalized", "fallback"] {
            for (i, o) in list(adobe, kind, kind)?.iter().enumerate() {
                let (k, v) = crate::routes::adobe::normalize_seed_offer(o, kind, ids)
                    .map_err(|e| format!("adobe.{kind}[{i}]: {e}"))?;
                adobe_offers.push((kind, k, v));
            }
        }
        let ac = section(obj, "appcharge")?;
        let ac_offers = list(ac, "offers", "appcharge.offers")?
            .iter()
            .enumerate()
            .map(|(i, o)| {
                crate::routes::appcharge::normalize_seed_offer(o, ids)
                    .map_err(|e| format!("appcharge.offers[{i}]: {e}"))
            })
            .collect::<Result<Vec<_>, _>>()?;

        if mode == SeedMode::Replace {
            self.clear();
        }
        let summary = SeedSummary {
            private_offers: offers.len(),
            jobs: jobs.len(),
            orders: orders.len(),
            adobe_offers: adobe_offers.len(),
            appcharge_offers: ac_offers.len(),
        };
        for (k, v) in offers {
            self.offers.put(k, v);
        }
        for job in jobs {
            self.jobs.put(job);
        }
        for (k, v) in orders {
            self.orders.put(k, v);
        }
        for (kind, k, v) in adobe_offers {
            if kind == "personalized" {
                self.adobe_personalized.put(k, v);
            } else {
                self.adobe_fallback.put(k, v);
            }
        }
        for (k, v) in ac_offers {
            self.appcharge.put(k, v);
        }
        Ok(summary)
    }
}

/// How many resources a seed loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SeedSummary {
    pub(crate) private_offers: usize,
    pub(crate) jobs: usize,
    pub(crate) orders: usize,
    pub(crate) adobe_offers: usize,
    pub(crate) appcharge_offers: usize,
}

static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();

fn section<'a>(obj: &'a Map<String, Value>, key: &str) -> Result<&'a Map<String, Value>, String> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(EMPTY.get_or_init(Map::new)),
        Some(Value::Object(m)) => Ok(m),
        Some(_) => Err(format!("{key} must be an object")),
    }
}

fn list<'a>(obj: &'a Map<String, Value>, key: &str, label: &str) -> Result<&'a [Value], String> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(_) => Err(format!("{label} must be an array")),
    }
}
