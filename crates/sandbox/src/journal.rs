//! The request journal: recent requests plus exact per-path and per-route counters.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;

use serde::Serialize;
use serde_json::{Value, json};

use offerkit_models::Vendor;

use crate::routing::Api;
use crate::util::sync::lock;

/// One request as the sandbox saw it.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct JournalEntry {
    /// Sequence number, from 1.
    pub seq: u64,
    /// When the request arrived (RFC 3339).
    pub time: String,
    /// HTTP method.
    pub method: String,
    /// Path without the query.
    pub path: String,
    /// Raw query string (may be empty).
    pub query: String,
    /// Route template, e.g. `DELETE /v2/offer/{publisherOfferId}`'s `/v2/offer/{publisherOfferId}`.
    pub route: Option<String>,
    /// The resource id named in the path (order id, offer id, job id), if any.
    pub resource_id: Option<String>,
    /// `ingestion`, `orders`, `adobe`, `appcharge`, `azure-ad`, `ims` or `unknown`.
    pub vendor: String,
    /// Status sent (0 when the connection was dropped).
    pub status: u16,
    /// Time spent in the sandbox, microseconds.
    pub duration_micros: u64,
    /// Whether the handler ran (false when a fault answered first or the request was refused early).
    pub acted: bool,
    /// Whether the handler changed state (false for reads and for idempotent repeats such as
    /// cancelling a line already at quantity 0).
    pub mutated: bool,
    /// The injected fault, if any (e.g. `throttle`, `status:503`, `drop`).
    pub fault: Option<String>,
    /// Request fields the sandbox did not recognise (e.g. `lineItems[0].ofer`).
    pub unknown_fields: Vec<String>,
}

#[derive(Debug, Default)]
struct Inner {
    seq: u64,
    entries: VecDeque<JournalEntry>,
    by_path: BTreeMap<String, u64>,
    acted_by_path: BTreeMap<String, u64>,
    succeeded_by_path: BTreeMap<String, u64>,
    mutated_by_path: BTreeMap<String, u64>,
    by_route: BTreeMap<String, u64>,
}

/// The journal.
#[derive(Debug)]
pub(crate) struct Journal {
    capacity: usize,
    inner: Mutex<Inner>,
}

/// The journal's `vendor` name of the API a request was for (`unknown` when none claimed it).
/// The vendor names are the short ones the journal has always printed.
pub(crate) fn api_label(api: Option<&Api>) -> &'static str {
    match api {
        None => "unknown",
        Some(api) => match api.vendor {
            Some(Vendor::PartnerCenterIngestion) => "ingestion",
            Some(Vendor::PartnerCenterOrders) => "orders",
            Some(Vendor::AdobeOffers) => "adobe",
            Some(Vendor::Appcharge) => "appcharge",
            None => api.name,
        },
    }
}

/// `"METHOD path"`, the key of the per-path counters.
pub(crate) fn count_key(method: &str, path: &str) -> String {
    format!("{} {}", method.to_ascii_uppercase(), path)
}

/// Adds one to `key`'s counter; the key is copied only the first time it is seen.
fn bump(counters: &mut BTreeMap<String, u64>, key: &str) {
    match counters.get_mut(key) {
        Some(n) => *n += 1,
        None => {
            counters.insert(key.to_owned(), 1);
        }
    }
}

impl Journal {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            capacity,
            inner: Mutex::new(Inner::default()),
        }
    }

    /// Records a request; the entry's `seq` is assigned here.
    pub(crate) fn record(&self, mut entry: JournalEntry) {
        let key = count_key(&entry.method, &entry.path);
        let route_key = entry.route.as_ref().map(|r| count_key(&entry.method, r));
        let mut inner = lock(&self.inner);
        inner.seq += 1;
        entry.seq = inner.seq;
        if entry.acted {
            bump(&mut inner.acted_by_path, &key);
            if (200..300).contains(&entry.status) {
                bump(&mut inner.succeeded_by_path, &key);
            }
            if entry.mutated {
                bump(&mut inner.mutated_by_path, &key);
            }
        }
        bump(&mut inner.by_path, &key);
        if let Some(rk) = route_key {
            bump(&mut inner.by_route, &rk);
        }
        if self.capacity > 0 {
            if inner.entries.len() >= self.capacity {
                inner.entries.pop_front();
            }
            inner.entries.push_back(entry);
        }
    }

    /// Kept entries, oldest first, optionally filtered.
    pub(crate) fn entries(
        &self,
        method: Option<&str>,
        path_prefix: Option<&str>,
        limit: Option<usize>,
    ) -> Vec<JournalEntry> {
        let inner = lock(&self.inner);
        let matching: Vec<&JournalEntry> = inner
            .entries
            .iter()
            .filter(|e| method.is_none_or(|m| e.method.eq_ignore_ascii_case(m)))
            .filter(|e| path_prefix.is_none_or(|p| e.path.starts_with(p)))
            .collect();
        let skip = limit.map_or(0, |l| matching.len().saturating_sub(l));
        matching.into_iter().skip(skip).cloned().collect()
    }

    /// Requests for `METHOD path` (all, including faulted ones).
    pub(crate) fn count(&self, method: &str, path: &str) -> u64 {
        lock(&self.inner)
            .by_path
            .get(&count_key(method, path))
            .copied()
            .unwrap_or(0)
    }

    /// Requests for `METHOD path` that reached the handler.
    pub(crate) fn acted_count(&self, method: &str, path: &str) -> u64 {
        lock(&self.inner)
            .acted_by_path
            .get(&count_key(method, path))
            .copied()
            .unwrap_or(0)
    }

    /// Requests for `METHOD path` that reached the handler and were answered with a 2xx.
    pub(crate) fn succeeded_count(&self, method: &str, path: &str) -> u64 {
        lock(&self.inner)
            .succeeded_by_path
            .get(&count_key(method, path))
            .copied()
            .unwrap_or(0)
    }

    /// Requests for `METHOD path` whose handler changed state.
    pub(crate) fn mutated_count(&self, method: &str, path: &str) -> u64 {
        lock(&self.inner)
            .mutated_by_path
            .get(&count_key(method, path))
            .copied()
            .unwrap_or(0)
    }

    /// The counters as JSON.
    pub(crate) fn counts_json(&self) -> Value {
        let inner = lock(&self.inner);
        json!({
            "total": inner.seq,
            "byPath": inner.by_path,
            "actedByPath": inner.acted_by_path,
            "succeededByPath": inner.succeeded_by_path,
            "mutatedByPath": inner.mutated_by_path,
            "byRoute": inner.by_route,
        })
    }

    /// Forgets entries and counters.
    pub(crate) fn clear(&self) {
        *lock(&self.inner) = Inner::default();
    }
}
