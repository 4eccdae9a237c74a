//! The request journal: recent requests plus exact per-path and per-route counters, in bounded
//! memory. Stored paths and queries are cut to [`TEXT_LIMIT`] bytes; the kept entries are capped
//! by number and by accounted bytes (oldest dropped first); past a number of distinct paths, new
//! ones are counted under one overflow key, so the totals stay exact.

use std::collections::{BTreeMap, VecDeque};
use std::mem::size_of;
use std::sync::Mutex;

use serde::Serialize;
use serde_json::{Map, Value, json};

use offerkit_models::Vendor;

use crate::quota::OVERFLOW_BUCKET;
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
    /// Whether the stored path, query, resource id or unknown-field list was cut (texts to 512
    /// bytes, the list to 64 names); the counters count the cut path.
    pub truncated: bool,
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
    /// The quota buckets the request took a token from (e.g.
    /// `partner-center-orders:customer:c1`); empty when no quota applies or it was throttled.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub quota_buckets: Vec<String>,
    /// The empty quota bucket that refused the request (answered 429, not executed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub throttled_by: Option<String>,
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

/// The longest path, query, resource id or unknown-field name a journal entry stores, in bytes.
pub const TEXT_LIMIT: usize = 512;

/// The most unknown-field names a journal entry stores.
const UNKNOWN_FIELDS_LIMIT: usize = 64;

/// The per-path counter key that counts every path seen after the cap of distinct paths.
pub const OVERFLOW_KEY: &str = "(other paths)";

/// `"METHOD path"`, the key of the per-path counters (the path cut as the journal stores it).
pub(crate) fn count_key(method: &str, path: &str) -> String {
    format!(
        "{} {}",
        method.to_ascii_uppercase(),
        cut(path, TEXT_LIMIT).unwrap_or(path)
    )
}

/// `text` cut to at most `limit` bytes on a character boundary, or `None` when it fits.
fn cut(text: &str, limit: usize) -> Option<&str> {
    if text.len() <= limit {
        return None;
    }
    let mut end = limit;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    Some(&text[..end])
}

/// Cuts `text` in place; returns whether it was cut.
fn cut_in_place(text: &mut String, limit: usize) -> bool {
    let Some(len) = cut(text, limit).map(str::len) else {
        return false;
    };
    text.truncate(len);
    text.shrink_to_fit();
    true
}

/// Bounds an entry's texts; returns whether anything was cut.
fn bound(entry: &mut JournalEntry) -> bool {
    let mut cut_any = cut_in_place(&mut entry.path, TEXT_LIMIT);
    cut_any |= cut_in_place(&mut entry.query, TEXT_LIMIT);
    if let Some(id) = &mut entry.resource_id {
        cut_any |= cut_in_place(id, TEXT_LIMIT);
    }
    if entry.unknown_fields.len() > UNKNOWN_FIELDS_LIMIT {
        entry.unknown_fields.truncate(UNKNOWN_FIELDS_LIMIT);
        cut_any = true;
    }
    for name in entry
        .unknown_fields
        .iter_mut()
        .chain(&mut entry.quota_buckets)
        .chain(&mut entry.throttled_by)
    {
        cut_any |= cut_in_place(name, TEXT_LIMIT);
    }
    cut_any
}

/// The bytes an entry is accounted for: the struct and every text it owns.
fn accounted_bytes(entry: &JournalEntry) -> usize {
    let texts = [
        &entry.time,
        &entry.method,
        &entry.path,
        &entry.query,
        &entry.vendor,
    ]
    .into_iter()
    .chain(&entry.route)
    .chain(&entry.resource_id)
    .chain(&entry.fault)
    .chain(&entry.throttled_by)
    .map(String::len)
    .sum::<usize>();
    let fields = entry
        .unknown_fields
        .iter()
        .chain(&entry.quota_buckets)
        .map(|f| f.len() + size_of::<String>())
        .sum::<usize>();
    size_of::<JournalEntry>() + texts + fields
}

/// The counters of one `METHOD path`.
#[derive(Debug, Default, Clone, Copy)]
struct PathCounts {
    all: u64,
    acted: u64,
    succeeded: u64,
    mutated: u64,
}

/// Bytes accounted per counted path on top of its key (the map node and the counts).
const COUNTER_OVERHEAD: usize = size_of::<String>() + size_of::<PathCounts>() + 16;

/// What the journal holds and its limits (`storage` in `GET /_sandbox/journal`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct JournalStorage {
    /// Entries kept.
    pub entries: usize,
    /// Bytes the kept entries are accounted for (each entry's struct and texts).
    pub bytes: usize,
    /// The cap on `bytes`.
    pub max_bytes: usize,
    /// Distinct `METHOD path` keys counted (the overflow key not included).
    pub counted_paths: usize,
    /// Bytes the per-path counters are accounted for (keys and counts).
    pub counter_bytes: usize,
    /// The cap on `counted_paths`.
    pub max_counted_paths: usize,
}

/// The journal's limits.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// Most entries kept.
    pub(crate) entries: usize,
    /// Most accounted bytes of kept entries.
    pub(crate) bytes: usize,
    /// Most distinct `METHOD path` keys counted.
    pub(crate) counted_paths: usize,
}

#[derive(Debug, Default)]
struct Inner {
    seq: u64,
    entries: VecDeque<JournalEntry>,
    entry_bytes: usize,
    by_path: BTreeMap<String, PathCounts>,
    counter_bytes: usize,
    overflow: PathCounts,
    by_route: BTreeMap<String, u64>,
    /// Requests admitted per quota bucket.
    admitted: BucketCounts,
    /// Requests throttled per quota bucket.
    throttled: BucketCounts,
}

/// A count per quota bucket label, at most a number of labels (later ones count under
/// [`OVERFLOW_BUCKET`], so totals stay exact).
#[derive(Debug, Default)]
struct BucketCounts {
    total: u64,
    by_bucket: BTreeMap<String, u64>,
}

impl BucketCounts {
    fn add(&mut self, label: &str, cap: usize) {
        self.total += 1;
        let key = if self.by_bucket.contains_key(label) || self.by_bucket.len() < cap {
            label
        } else {
            OVERFLOW_BUCKET
        };
        *self.by_bucket.entry(key.to_owned()).or_default() += 1;
    }

    fn get(&self, label: &str) -> u64 {
        self.by_bucket.get(label).copied().unwrap_or(0)
    }
}

impl Inner {
    /// The counters `key` counts under: its own, or the overflow bucket once the cap of
    /// distinct paths is reached. The key is copied only the first time it is seen.
    fn counters(&mut self, key: String, cap: usize) -> &mut PathCounts {
        if !self.by_path.contains_key(&key) {
            if self.by_path.len() >= cap {
                return &mut self.overflow;
            }
            self.counter_bytes += key.len() + COUNTER_OVERHEAD;
        }
        self.by_path.entry(key).or_default()
    }

    /// The counts for `METHOD path` (zero when unseen or counted under the overflow key).
    fn get(&self, method: &str, path: &str) -> PathCounts {
        self.by_path
            .get(&count_key(method, path))
            .copied()
            .unwrap_or_default()
    }
}

/// The journal.
#[derive(Debug)]
pub(crate) struct Journal {
    limits: Limits,
    inner: Mutex<Inner>,
}

impl Journal {
    pub(crate) fn new(limits: Limits) -> Self {
        Self {
            limits,
            inner: Mutex::new(Inner::default()),
        }
    }

    /// Records a request; the entry's `seq` is assigned here, its texts are bounded here.
    pub(crate) fn record(&self, mut entry: JournalEntry) {
        entry.truncated |= bound(&mut entry);
        let key = count_key(&entry.method, &entry.path);
        let route_key = entry.route.as_ref().map(|r| count_key(&entry.method, r));
        let size = accounted_bytes(&entry);
        let mut inner = lock(&self.inner);
        inner.seq += 1;
        entry.seq = inner.seq;
        let counts = inner.counters(key, self.limits.counted_paths);
        counts.all += 1;
        if entry.acted {
            counts.acted += 1;
            counts.succeeded += u64::from((200..300).contains(&entry.status));
            counts.mutated += u64::from(entry.mutated);
        }
        if let Some(rk) = route_key {
            *inner.by_route.entry(rk).or_default() += 1;
        }
        for bucket in &entry.quota_buckets {
            inner.admitted.add(bucket, self.limits.counted_paths);
        }
        if let Some(bucket) = &entry.throttled_by {
            inner.throttled.add(bucket, self.limits.counted_paths);
        }
        if self.limits.entries == 0 || size > self.limits.bytes {
            return;
        }
        while inner.entries.len() >= self.limits.entries
            || inner.entry_bytes + size > self.limits.bytes
        {
            let Some(old) = inner.entries.pop_front() else {
                break;
            };
            inner.entry_bytes -= accounted_bytes(&old);
        }
        inner.entry_bytes += size;
        inner.entries.push_back(entry);
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
        lock(&self.inner).get(method, path).all
    }

    /// Requests for `METHOD path` that reached the handler.
    pub(crate) fn acted_count(&self, method: &str, path: &str) -> u64 {
        lock(&self.inner).get(method, path).acted
    }

    /// Requests for `METHOD path` that reached the handler and were answered with a 2xx.
    pub(crate) fn succeeded_count(&self, method: &str, path: &str) -> u64 {
        lock(&self.inner).get(method, path).succeeded
    }

    /// Requests for `METHOD path` whose handler changed state.
    pub(crate) fn mutated_count(&self, method: &str, path: &str) -> u64 {
        lock(&self.inner).get(method, path).mutated
    }

    /// Requests the quota bucket `label` refused (all buckets' total when `None`).
    pub(crate) fn throttled_count(&self, label: Option<&str>) -> u64 {
        let inner = lock(&self.inner);
        label.map_or(inner.throttled.total, |l| inner.throttled.get(l))
    }

    /// Requests the quota bucket `label` admitted.
    pub(crate) fn admitted_count(&self, label: &str) -> u64 {
        lock(&self.inner).admitted.get(label)
    }

    /// What the journal holds.
    pub(crate) fn storage(&self) -> JournalStorage {
        let inner = lock(&self.inner);
        JournalStorage {
            entries: inner.entries.len(),
            bytes: inner.entry_bytes,
            max_bytes: self.limits.bytes,
            counted_paths: inner.by_path.len(),
            counter_bytes: inner.counter_bytes,
            max_counted_paths: self.limits.counted_paths,
        }
    }

    /// The counters as JSON; a map of one kind of count lists only the paths where it is not
    /// zero, and [`OVERFLOW_KEY`] once paths were folded into it.
    pub(crate) fn counts_json(&self) -> Value {
        let inner = lock(&self.inner);
        let overflowed = inner.overflow.all > 0;
        let map = |pick: fn(&PathCounts) -> u64| {
            let mut out: Map<String, Value> = inner
                .by_path
                .iter()
                .filter(|(_, c)| pick(c) > 0)
                .map(|(k, c)| (k.clone(), Value::from(pick(c))))
                .collect();
            if overflowed && pick(&inner.overflow) > 0 {
                out.insert(OVERFLOW_KEY.to_owned(), Value::from(pick(&inner.overflow)));
            }
            Value::Object(out)
        };
        json!({
            "total": inner.seq,
            "byPath": map(|c| c.all),
            "actedByPath": map(|c| c.acted),
            "succeededByPath": map(|c| c.succeeded),
            "mutatedByPath": map(|c| c.mutated),
            "byRoute": inner.by_route,
            "throttled": inner.throttled.total,
            "throttledByBucket": inner.throttled.by_bucket,
            "admittedByBucket": inner.admitted.by_bucket,
        })
    }

    /// Forgets entries and counters.
    pub(crate) fn clear(&self) {
        *lock(&self.inner) = Inner::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: String, query: String) -> JournalEntry {
        JournalEntry {
            seq: 0,
            time: "2030-01-01T00:00:00Z".to_owned(),
            method: "GET".to_owned(),
            path,
            query,
            truncated: false,
            route: None,
            resource_id: None,
            vendor: "unknown".to_owned(),
            status: 404,
            duration_micros: 1,
            acted: true,
            mutated: false,
            fault: None,
            unknown_fields: Vec::new(),
            quota_buckets: Vec::new(),
            throttled_by: None,
        }
    }

    #[test]
    fn many_distinct_long_paths_stay_within_the_limits() {
        let limits = Limits {
            entries: 100_000,
            bytes: 256 * 1024,
            counted_paths: 1_000,
        };
        let journal = Journal::new(limits);
        let long = "x".repeat(8 * 1024);
        for i in 0..20_000 {
            journal.record(entry(format!("/p/{i}/{long}"), format!("q={i}&{long}")));
        }
        let storage = journal.storage();
        assert!(storage.bytes <= limits.bytes, "{storage:?}");
        assert!(
            storage.entries > 100,
            "the byte cap, not the count, bounds: {storage:?}"
        );
        assert_eq!(storage.counted_paths, 1_000);
        assert!(
            storage.counter_bytes <= 1_000 * (TEXT_LIMIT + 4 + COUNTER_OVERHEAD),
            "{storage:?}"
        );
        for e in journal.entries(None, None, None) {
            assert!(e.truncated && e.path.len() <= TEXT_LIMIT && e.query.len() <= TEXT_LIMIT);
        }
        // The totals stay exact: the overflow bucket holds every path past the cap.
        let counts = journal.counts_json();
        assert_eq!(counts["total"], 20_000);
        for map in ["byPath", "actedByPath"] {
            let sum: u64 = counts[map]
                .as_object()
                .unwrap()
                .values()
                .map(|v| v.as_u64().unwrap())
                .sum();
            assert_eq!(sum, 20_000, "{map}");
        }
        assert_eq!(counts["byPath"][OVERFLOW_KEY], 19_000);
        // A counted long path is found by its full spelling (cut the same way).
        assert_eq!(journal.count("GET", &format!("/p/0/{long}")), 1);
        assert_eq!(journal.count("get", &format!("/p/999/{long}")), 1);
        assert_eq!(
            journal.count("GET", &format!("/p/1000/{long}")),
            0,
            "folded"
        );
    }

    #[test]
    fn cuts_on_a_character_boundary_and_only_when_too_long() {
        let mut e = entry(format!("/{}", "é".repeat(400)), "a=1".to_owned());
        assert!(bound(&mut e));
        assert!(e.path.len() <= TEXT_LIMIT && e.path.len() >= TEXT_LIMIT - 1);
        assert!(e.path.ends_with('é'));
        let mut short = entry("/v2/offer/a".to_owned(), String::new());
        assert!(!bound(&mut short));
        assert_eq!(short.path, "/v2/offer/a");
    }
}
