//! Vendor quotas: a token bucket per vendor bucket *as the vendor defines it* (Partner Center
//! orders per customer tenant and per partner tenant, ingestion per tenant, Adobe per IMS org,
//! Appcharge per publisher token). A request that finds its bucket empty is answered 429 with
//! `Retry-After` and the vendor's throttling body, and is not executed.
//!
//! A bucket holds at most `burst` tokens and refills continuously at the quota's rate, read from
//! the sandbox's clock (so a test that sets the clock refills buckets only when it advances it).
//! Sources and assumptions: `docs/vendors.md`, "Sandbox: quotas".

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::{Mutex, RwLock};
use std::time::Duration;

use offerkit_models::Vendor;
use serde_json::{Map, Value, json};

use crate::util::sync::{lock, read, write};

/// Which vendor bucket a quota applies to.
///
/// ```
/// use offerkit_sandbox::QuotaScope;
/// assert_eq!(QuotaScope::parse("orders"), Some(QuotaScope::OrdersCustomer));
/// assert_eq!(QuotaScope::parse("orders-partner"), Some(QuotaScope::OrdersPartner));
/// assert_eq!(QuotaScope::parse("appcharge").map(|s| s.name()), Some("appcharge"));
/// assert_eq!(QuotaScope::parse("adobe-partner"), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum QuotaScope {
    /// Partner Center product ingestion, one bucket per tenant (the bearer token's `tid`).
    Ingestion,
    /// Partner Center orders, one bucket per customer tenant (the `{customerId}` of
    /// `/v1/customers/{customerId}/...`).
    OrdersCustomer,
    /// Partner Center orders, one bucket per partner tenant (the bearer token's `tid`); checked
    /// as well as the customer tenant's.
    OrdersPartner,
    /// Adobe Offer Library, one bucket per IMS organisation (`x-gw-ims-org-id`).
    Adobe,
    /// Appcharge Offers V2, one bucket per publisher token (`x-publisher-token`).
    Appcharge,
}

impl QuotaScope {
    /// Every scope, in the order quotas are listed.
    pub const ALL: [QuotaScope; 5] = [
        Self::Ingestion,
        Self::OrdersCustomer,
        Self::OrdersPartner,
        Self::Adobe,
        Self::Appcharge,
    ];

    /// The vendor whose requests this scope counts.
    pub fn vendor(self) -> Vendor {
        match self {
            Self::Ingestion => Vendor::PartnerCenterIngestion,
            Self::OrdersCustomer | Self::OrdersPartner => Vendor::PartnerCenterOrders,
            Self::Adobe => Vendor::AdobeOffers,
            Self::Appcharge => Vendor::Appcharge,
        }
    }

    /// The name `--quota` and the control API use: the vendor's profile-table name (`ingestion`,
    /// `orders`, `adobe`, `appcharge`), and `orders-partner` for the per-partner orders quota.
    pub fn name(self) -> &'static str {
        match self {
            Self::OrdersPartner => "orders-partner",
            other => other.vendor().profile_table(),
        }
    }

    /// What one bucket of this scope is, in words (`customer tenant`, `publisher token`, ...).
    pub fn per(self) -> &'static str {
        match self {
            Self::Ingestion => "tenant",
            Self::OrdersCustomer => "customer tenant",
            Self::OrdersPartner => "partner tenant",
            Self::Adobe => "IMS org",
            Self::Appcharge => "publisher token",
        }
    }

    /// The word naming this scope's buckets in a bucket label.
    fn label_word(self) -> &'static str {
        match self {
            Self::Ingestion => "tenant",
            Self::OrdersCustomer => "customer",
            Self::OrdersPartner => "partner",
            Self::Adobe => "org",
            Self::Appcharge => "token",
        }
    }

    /// A vendor in any spelling [`Vendor::parse`] accepts (orders: the per-customer-tenant quota),
    /// or that spelling followed by `-partner` for Partner Center orders' per-partner quota.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        if let Some(vendor) = Vendor::parse(text) {
            return Some(Self::of_vendor(vendor));
        }
        let lower = text.to_ascii_lowercase();
        let stem = lower
            .strip_suffix("-partner")
            .or_else(|| lower.strip_suffix("_partner"))?;
        (Vendor::parse(stem) == Some(Vendor::PartnerCenterOrders)).then_some(Self::OrdersPartner)
    }

    fn of_vendor(vendor: Vendor) -> Self {
        match vendor {
            Vendor::PartnerCenterIngestion => Self::Ingestion,
            Vendor::PartnerCenterOrders => Self::OrdersCustomer,
            Vendor::AdobeOffers => Self::Adobe,
            _ => Self::Appcharge,
        }
    }
}

impl fmt::Display for QuotaScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A rate and a burst: `requests` per `per`, at most `burst` at once.
///
/// The default burst is one second's worth of the rate, rounded up, at least 1 (`600/min`: 10;
/// `300/min`: 5; `30/min`: 1; `20/s`: 20).
///
/// ```
/// use std::time::Duration;
/// use offerkit_sandbox::Quota;
/// let q: Quota = "300/min".parse().unwrap();
/// assert_eq!((q.requests(), q.per(), q.burst()), (300, Duration::from_secs(60), 5));
/// let q: Quota = "20/s,burst=40".parse().unwrap();
/// assert_eq!((q.requests(), q.burst()), (20, 40));
/// assert_eq!(q.to_string(), "20/s,burst=40");
/// assert_eq!("600/min,burst=10".parse::<Quota>().unwrap(), Quota::per_minute(600));
/// assert!("300/hour".parse::<Quota>().unwrap_err().to_string().contains("`hour`"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    requests: u32,
    per: Duration,
    burst: u32,
}

impl Quota {
    /// `requests` per minute, default burst.
    pub fn per_minute(requests: u32) -> Self {
        Self::new(requests, Duration::from_secs(60))
    }

    /// `requests` per second, default burst.
    pub fn per_second(requests: u32) -> Self {
        Self::new(requests, Duration::from_secs(1))
    }

    fn new(requests: u32, per: Duration) -> Self {
        let per_second = f64::from(requests) / per.as_secs_f64();
        Self {
            requests,
            per,
            burst: Self::default_burst(per_second),
        }
    }

    /// One second's worth of `per_second`, rounded up, at least 1.
    fn default_burst(per_second: f64) -> u32 {
        (per_second.ceil() as u32).max(1)
    }

    /// The same rate with a bucket of `burst` tokens (at least 1).
    #[must_use]
    pub fn with_burst(mut self, burst: u32) -> Self {
        self.burst = burst.max(1);
        self
    }

    /// Requests per [`Quota::per`].
    pub fn requests(&self) -> u32 {
        self.requests
    }

    /// The period of the rate (a minute or a second).
    pub fn per(&self) -> Duration {
        self.per
    }

    /// The bucket's capacity.
    pub fn burst(&self) -> u32 {
        self.burst
    }

    /// The rate in requests per minute.
    pub fn per_minute_rate(&self) -> f64 {
        f64::from(self.requests) * 60.0 / self.per.as_secs_f64()
    }

    /// Tokens per millisecond.
    fn per_milli(&self) -> f64 {
        f64::from(self.requests) / (self.per.as_secs_f64() * 1000.0)
    }

    /// The JSON the control API shows.
    fn json(&self, scope: QuotaScope) -> Value {
        json!({
            "rate": self.to_string(),
            "requestsPerMinute": self.per_minute_rate(),
            "burst": self.burst,
            "per": scope.per(),
        })
    }
}

impl fmt::Display for Quota {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = if self.per == Duration::from_secs(1) {
            "s"
        } else {
            "min"
        };
        write!(f, "{}/{unit}", self.requests)?;
        if self.burst != Self::new(self.requests, self.per).burst {
            write!(f, ",burst={}", self.burst)?;
        }
        Ok(())
    }
}

/// A quota text that does not parse; the message names the bad part.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct QuotaError(String);

impl std::str::FromStr for Quota {
    type Err = QuotaError;

    /// `N/min` or `N/s` (also `minute`, `m`, `sec`, `second`), optionally `,burst=B`; N and B
    /// are whole numbers, N at least 1.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = |why: String| QuotaError(format!("quota `{}`: {why}", text.trim()));
        let mut parts = text.trim().split(',');
        let rate = parts.next().unwrap_or_default().trim();
        let (n, unit) = rate
            .split_once('/')
            .ok_or_else(|| bad(format!("`{rate}` is not N/min or N/s")))?;
        let requests: u32 = n
            .trim()
            .parse()
            .map_err(|_| bad(format!("`{}` is not a whole number of requests", n.trim())))?;
        if requests == 0 {
            return Err(bad(
                "the rate must be at least 1 (leave a vendor out for no quota)".to_owned(),
            ));
        }
        let per = match unit.trim().to_ascii_lowercase().as_str() {
            "min" | "m" | "minute" => Duration::from_secs(60),
            "s" | "sec" | "second" => Duration::from_secs(1),
            other => return Err(bad(format!("unit `{other}` is not min or s"))),
        };
        let mut quota = Self::new(requests, per);
        for extra in parts {
            let (key, value) = extra
                .split_once('=')
                .ok_or_else(|| bad(format!("`{}` is not burst=N", extra.trim())))?;
            if !key.trim().eq_ignore_ascii_case("burst") {
                return Err(bad(format!("unknown option `{}` (only burst)", key.trim())));
            }
            let burst: u32 = value
                .trim()
                .parse()
                .ok()
                .filter(|b| *b >= 1)
                .ok_or_else(|| {
                    bad(format!(
                        "burst `{}` is not a whole number >= 1",
                        value.trim()
                    ))
                })?;
            quota = quota.with_burst(burst);
        }
        Ok(quota)
    }
}

/// The quotas of a sandbox, at most one per [`QuotaScope`]. Empty (the default): nothing is
/// throttled.
///
/// ```
/// use offerkit_sandbox::{Quotas, QuotaScope};
/// let mut quotas = Quotas::default();
/// quotas.parse_setting("appcharge=600/min").unwrap();
/// quotas.parse_setting("orders=300/min").unwrap();
/// assert_eq!(quotas.get(QuotaScope::Appcharge).map(|q| q.burst()), Some(10));
/// let err = quotas.parse_setting("acme=5/min").unwrap_err().to_string();
/// assert!(err.contains("`acme`"), "{err}");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Quotas {
    by_scope: BTreeMap<QuotaScope, Quota>,
}

impl Quotas {
    /// Sets (replaces) the quota of `scope`.
    pub fn set(&mut self, scope: QuotaScope, quota: Quota) {
        self.by_scope.insert(scope, quota);
    }

    /// The quota of `scope`, if any.
    pub fn get(&self, scope: QuotaScope) -> Option<Quota> {
        self.by_scope.get(&scope).copied()
    }

    /// Whether no quota is set.
    pub fn is_empty(&self) -> bool {
        self.by_scope.is_empty()
    }

    /// Every quota set.
    pub fn iter(&self) -> impl Iterator<Item = (QuotaScope, Quota)> + '_ {
        self.by_scope.iter().map(|(s, q)| (*s, *q))
    }

    /// Parses and sets `SCOPE=RATE` (what `offerkit sandbox serve --quota` takes), e.g.
    /// `orders=300/min`, `orders-partner=1000/min`, `appcharge=10/s,burst=20`.
    pub fn parse_setting(&mut self, setting: &str) -> Result<(QuotaScope, Quota), QuotaError> {
        let (scope, rate) = setting.split_once('=').ok_or_else(|| {
            QuotaError(format!("`{}` is not VENDOR=N/min (or N/s)", setting.trim()))
        })?;
        let scope = parse_scope(scope)?;
        let quota: Quota = rate.parse()?;
        self.set(scope, quota);
        Ok((scope, quota))
    }

    /// Reads the control API's body: `{"orders": "300/min", "appcharge": "600/min,burst=10"}`.
    pub(crate) fn from_json(body: &Value) -> Result<Self, QuotaError> {
        let obj = body.as_object().ok_or_else(|| {
            QuotaError(r#"the body must be an object such as {"orders": "300/min"}"#.to_owned())
        })?;
        let mut quotas = Self::default();
        for (key, value) in obj {
            let scope = parse_scope(key)?;
            let text = value.as_str().ok_or_else(|| {
                QuotaError(format!(
                    "`{key}`: the rate must be text such as \"300/min\", got {value}"
                ))
            })?;
            let quota: Quota = text.parse()?;
            quotas.set(scope, quota);
        }
        Ok(quotas)
    }

    fn json(&self) -> Value {
        Value::Object(
            self.iter()
                .map(|(s, q)| (s.name().to_owned(), q.json(s)))
                .collect(),
        )
    }
}

fn parse_scope(text: &str) -> Result<QuotaScope, QuotaError> {
    QuotaScope::parse(text).ok_or_else(|| {
        QuotaError(format!(
            "unknown quota vendor `{}`; expected ingestion, orders, orders-partner, adobe or appcharge (or a vendor id)",
            text.trim()
        ))
    })
}

/// One bucket a request is counted against: its scope and the value that names it (a tenant, an
/// org, a publisher token's digest).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct BucketKey {
    pub(crate) scope: QuotaScope,
    pub(crate) value: String,
}

impl BucketKey {
    pub(crate) fn new(scope: QuotaScope, value: impl Into<String>) -> Self {
        Self {
            scope,
            value: value.into(),
        }
    }

    /// `vendor:word:value`, e.g. `partner-center-orders:customer:c1`, `appcharge:token:sha256-1a2b3c4d`:
    /// the bucket's name in the journal and the control API.
    pub(crate) fn label(&self) -> String {
        format!(
            "{}:{}:{}",
            self.scope.vendor().id(),
            self.scope.label_word(),
            self.value
        )
    }
}

/// A secret (a publisher token) as a bucket value that does not reveal it: `sha256-` and the first
/// 8 hex digits of its SHA-256.
pub(crate) fn digest(secret: &str) -> String {
    let hash = ring::digest::digest(&ring::digest::SHA256, secret.as_bytes());
    let hex: String = hash.as_ref()[..4]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256-{hex}")
}

/// The most buckets kept; past it, full buckets are forgotten (a full bucket is the same as a new
/// one), and if none is full, new keys share one overflow bucket.
const MAX_BUCKETS: usize = 10_000;
/// The label of the shared overflow bucket.
pub(crate) const OVERFLOW_BUCKET: &str = "(other buckets)";

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    /// The clock reading of the last refill, Unix milliseconds.
    at_millis: i64,
}

impl Bucket {
    fn full(quota: Quota, now: i64) -> Self {
        Self {
            tokens: f64::from(quota.burst),
            at_millis: now,
        }
    }

    fn refill(&mut self, quota: Quota, now: i64) {
        // A clock set back refills nothing and restarts from the new reading.
        let elapsed = now.saturating_sub(self.at_millis).max(0);
        self.tokens =
            (self.tokens + elapsed as f64 * quota.per_milli()).min(f64::from(quota.burst));
        self.at_millis = now;
    }

    /// Whole seconds until one token is there, rounded up, at least 1 (as vendors send it).
    fn retry_after_secs(&self, quota: Quota) -> u64 {
        let missing = (1.0 - self.tokens).max(0.0);
        let millis = missing / quota.per_milli();
        ((millis / 1000.0).ceil() as u64).max(1)
    }
}

/// What the quota check decided for one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Admission {
    /// No quota applies.
    Free,
    /// A token was taken from each of these buckets (labels).
    Admitted(Vec<String>),
    /// This bucket (label) was empty; nothing was taken from any bucket.
    Throttled {
        bucket: String,
        retry_after_secs: u64,
    },
}

/// The quotas in force and their buckets.
#[derive(Debug, Default)]
pub(crate) struct QuotaState {
    quotas: RwLock<Quotas>,
    buckets: Mutex<HashMap<BucketKey, Bucket>>,
}

impl QuotaState {
    pub(crate) fn new(quotas: Quotas) -> Self {
        Self {
            quotas: RwLock::new(quotas),
            buckets: Mutex::default(),
        }
    }

    /// Whether any quota is set (a request needs no bucket keys otherwise).
    pub(crate) fn is_active(&self) -> bool {
        !read(&self.quotas).is_empty()
    }

    /// The quotas in force.
    pub(crate) fn quotas(&self) -> Quotas {
        read(&self.quotas).clone()
    }

    /// Replaces the quotas; every bucket starts full.
    pub(crate) fn set(&self, quotas: Quotas) {
        *write(&self.quotas) = quotas;
        self.refill_all();
    }

    /// Forgets every bucket: each starts full again.
    pub(crate) fn refill_all(&self) {
        lock(&self.buckets).clear();
    }

    /// Takes one token from each of `keys`' buckets (those whose scope has a quota), or none
    /// when one of them is empty.
    pub(crate) fn admit(&self, keys: &[BucketKey], now_millis: i64) -> Admission {
        let quotas = read(&self.quotas);
        let applicable: Vec<(&BucketKey, Quota)> = keys
            .iter()
            .filter_map(|k| quotas.get(k.scope).map(|q| (k, q)))
            .collect();
        if applicable.is_empty() {
            return Admission::Free;
        }
        let mut buckets = lock(&self.buckets);
        let mut labels = Vec::with_capacity(applicable.len());
        let mut refusal: Option<(String, u64)> = None;
        let mut resolved = Vec::with_capacity(applicable.len());
        for (key, quota) in &applicable {
            let slot = slot_key(&mut buckets, key, &quotas, &resolved, now_millis);
            let bucket = buckets
                .entry(slot.clone())
                .or_insert_with(|| Bucket::full(*quota, now_millis));
            bucket.refill(*quota, now_millis);
            let label = if slot.value == OVERFLOW_BUCKET {
                OVERFLOW_BUCKET.to_owned()
            } else {
                key.label()
            };
            if bucket.tokens < 1.0 {
                let wait = bucket.retry_after_secs(*quota);
                if refusal.as_ref().is_none_or(|(_, w)| wait > *w) {
                    refusal = Some((label.clone(), wait));
                }
            }
            labels.push(label);
            resolved.push(slot);
        }
        if let Some((bucket, retry_after_secs)) = refusal {
            return Admission::Throttled {
                bucket,
                retry_after_secs,
            };
        }
        for slot in resolved {
            if let Some(b) = buckets.get_mut(&slot) {
                b.tokens -= 1.0;
            }
        }
        Admission::Admitted(labels)
    }

    /// `GET /_sandbox/quotas`: the quotas and each bucket's tokens now (refilled to `now`).
    pub(crate) fn json(&self, now_millis: i64) -> Value {
        let quotas = read(&self.quotas);
        let buckets = lock(&self.buckets);
        let mut listed: Vec<(String, f64)> = buckets
            .iter()
            .filter_map(|(k, b)| {
                let quota = quotas.get(k.scope)?;
                let mut b = *b;
                b.refill(quota, now_millis);
                let label = if k.value == OVERFLOW_BUCKET {
                    OVERFLOW_BUCKET.to_owned()
                } else {
                    k.label()
                };
                Some((label, (b.tokens * 1000.0).floor() / 1000.0))
            })
            .collect();
        listed.sort_by(|a, b| a.0.cmp(&b.0));
        let tokens: Map<String, Value> = listed
            .into_iter()
            .map(|(label, t)| (label, json!(t)))
            .collect();
        json!({"quotas": quotas.json(), "tokens": tokens})
    }
}

/// The key `key` is kept under: itself, or (past [`MAX_BUCKETS`], when no full bucket can be
/// forgotten) the overflow bucket of its scope. A bucket is forgotten only when it is full by its
/// own scope's quota (forgetting it changes nothing) and is not one this request already took
/// (`keep`).
fn slot_key(
    buckets: &mut HashMap<BucketKey, Bucket>,
    key: &BucketKey,
    quotas: &Quotas,
    keep: &[BucketKey],
    now: i64,
) -> BucketKey {
    if buckets.contains_key(key) || buckets.len() < MAX_BUCKETS {
        return key.clone();
    }
    buckets.retain(|k, b| {
        if keep.contains(k) {
            return true;
        }
        // A scope without a quota any more: its buckets count for nothing.
        let Some(quota) = quotas.get(k.scope) else {
            return false;
        };
        let mut b = *b;
        b.refill(quota, now);
        b.tokens < f64::from(quota.burst)
    });
    if buckets.len() < MAX_BUCKETS {
        key.clone()
    } else {
        BucketKey::new(key.scope, OVERFLOW_BUCKET)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn customer(c: &str) -> BucketKey {
        BucketKey::new(QuotaScope::OrdersCustomer, c)
    }

    fn state(settings: &[&str]) -> QuotaState {
        let mut quotas = Quotas::default();
        for s in settings {
            quotas.parse_setting(s).expect(s);
        }
        QuotaState::new(quotas)
    }

    #[test]
    fn parses_rates_and_names_the_bad_part() {
        let q: Quota = " 600 / min ".parse().expect("spaces are fine");
        assert_eq!((q.requests(), q.burst()), (600, 10));
        assert_eq!(q.per_minute_rate(), 600.0);
        let q: Quota = "30/min".parse().expect("parses");
        assert_eq!(q.burst(), 1, "less than one a second: burst 1");
        let q: Quota = "7/s".parse().expect("parses");
        assert_eq!((q.burst(), q.per_minute_rate()), (7, 420.0));
        for (text, names) in [
            ("300", "`300` is not N/min"),
            ("x/min", "`x` is not a whole number"),
            ("-3/min", "`-3` is not a whole number"),
            ("0/min", "at least 1"),
            ("300/hour", "unit `hour`"),
            ("300/min,burst=0", "burst `0`"),
            ("300/min,burst=many", "burst `many`"),
            ("300/min,size=3", "unknown option `size`"),
            ("300/min,3", "`3` is not burst=N"),
        ] {
            let err = text.parse::<Quota>().expect_err(text).to_string();
            assert!(err.contains(names), "{text}: {err}");
            assert!(err.contains(&format!("quota `{text}`")), "{text}: {err}");
        }
        let mut quotas = Quotas::default();
        let err = quotas.parse_setting("appcharge").unwrap_err().to_string();
        assert!(err.contains("`appcharge` is not VENDOR=N/min"), "{err}");
        let err = quotas
            .parse_setting("adobe-partner=5/min")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("unknown quota vendor `adobe-partner`"),
            "{err}"
        );
        let err = quotas
            .parse_setting("orders=5/week")
            .unwrap_err()
            .to_string();
        assert!(err.contains("unit `week`"), "{err}");
        assert!(quotas.is_empty(), "nothing set by a failed parse");
        for spelling in ["partner-center-orders", "ORDERS", " orders "] {
            assert_eq!(
                QuotaScope::parse(spelling),
                Some(QuotaScope::OrdersCustomer),
                "{spelling}"
            );
        }
        assert_eq!(
            QuotaScope::parse("partner-center-orders-partner"),
            Some(QuotaScope::OrdersPartner)
        );
    }

    #[test]
    fn a_bucket_refills_continuously_up_to_its_burst() {
        let s = state(&["orders=300/min"]); // 5 a second, burst 5
        let t0 = 1_000_000;
        for _ in 0..5 {
            assert!(matches!(
                s.admit(&[customer("c1")], t0),
                Admission::Admitted(_)
            ));
        }
        assert_eq!(
            s.admit(&[customer("c1")], t0),
            Admission::Throttled {
                bucket: "partner-center-orders:customer:c1".to_owned(),
                retry_after_secs: 1
            }
        );
        // 199 ms later: 0.995 of a token, still empty; 200 ms: one token.
        assert!(matches!(
            s.admit(&[customer("c1")], t0 + 199),
            Admission::Throttled { .. }
        ));
        assert!(matches!(
            s.admit(&[customer("c1")], t0 + 200),
            Admission::Admitted(_)
        ));
        assert!(matches!(
            s.admit(&[customer("c1")], t0 + 200),
            Admission::Throttled { .. }
        ));
        // A long pause refills only up to the burst.
        let later = t0 + 3_600_000;
        let admitted = (0..10)
            .filter(|_| matches!(s.admit(&[customer("c1")], later), Admission::Admitted(_)))
            .count();
        assert_eq!(admitted, 5);
        // A clock set back refills nothing.
        assert!(matches!(
            s.admit(&[customer("c1")], t0),
            Admission::Throttled { .. }
        ));
    }

    #[test]
    fn retry_after_is_whole_seconds_rounded_up() {
        let s = state(&["appcharge=6/min"]); // one per 10 s, burst 1
        let key = BucketKey::new(QuotaScope::Appcharge, "t");
        assert!(matches!(
            s.admit(std::slice::from_ref(&key), 0),
            Admission::Admitted(_)
        ));
        let wait = |at| match s.admit(std::slice::from_ref(&key), at) {
            Admission::Throttled {
                retry_after_secs, ..
            } => retry_after_secs,
            other => panic!("{other:?}"),
        };
        assert_eq!(wait(0), 10);
        assert_eq!(wait(500), 10, "9.5 s rounds up");
        assert_eq!(wait(9_001), 1);
    }

    #[test]
    fn buckets_are_isolated_and_orders_check_both_tenants() {
        let s = state(&["orders=60/min", "orders-partner=120/min"]); // bursts 1 and 2
        let partner = |p: &str| BucketKey::new(QuotaScope::OrdersPartner, p);
        assert!(
            matches!(s.admit(&[customer("c1"), partner("p")], 0), Admission::Admitted(l) if l.len() == 2)
        );
        // c1 is empty, c2 is not: another customer tenant has its own bucket.
        assert!(
            matches!(s.admit(&[customer("c1"), partner("p")], 0), Admission::Throttled { bucket, .. } if bucket.ends_with("customer:c1"))
        );
        assert!(matches!(
            s.admit(&[customer("c2"), partner("p")], 0),
            Admission::Admitted(_)
        ));
        // Now the partner bucket is empty, whatever the customer; a refused request took nothing
        // from the customer bucket.
        assert!(
            matches!(s.admit(&[customer("c3"), partner("p")], 0), Admission::Throttled { bucket, .. } if bucket.ends_with("partner:p"))
        );
        assert!(matches!(
            s.admit(&[customer("c3"), partner("q")], 0),
            Admission::Admitted(_)
        ));
        // Scopes without a quota are free.
        assert_eq!(
            s.admit(&[BucketKey::new(QuotaScope::Adobe, "org")], 0),
            Admission::Free
        );
        s.refill_all();
        assert!(matches!(
            s.admit(&[customer("c1"), partner("p")], 0),
            Admission::Admitted(_)
        ));
    }

    #[test]
    fn many_buckets_stay_bounded() {
        let s = state(&["orders=60/min"]);
        for i in 0..MAX_BUCKETS {
            assert!(matches!(
                s.admit(&[customer(&format!("c{i}"))], 0),
                Admission::Admitted(_)
            ));
        }
        // Every bucket is in use: new tenants share the overflow bucket (burst 1).
        assert_eq!(
            s.admit(&[customer("extra-1")], 0),
            Admission::Admitted(vec![OVERFLOW_BUCKET.to_owned()])
        );
        assert!(
            matches!(s.admit(&[customer("extra-2")], 0), Admission::Throttled { bucket, .. } if bucket == OVERFLOW_BUCKET)
        );
        assert!(lock(&s.buckets).len() <= MAX_BUCKETS + 1);
        // Once they refilled, old buckets make room for new ones.
        assert!(
            matches!(s.admit(&[customer("fresh")], 60_000), Admission::Admitted(l) if l[0].ends_with("customer:fresh"))
        );
        assert!(lock(&s.buckets).len() <= MAX_BUCKETS);
    }

    #[test]
    fn a_publisher_token_is_named_by_its_digest() {
        let label = BucketKey::new(QuotaScope::Appcharge, digest("secret-token-1")).label();
        assert!(label.starts_with("appcharge:token:sha256-"), "{label}");
        assert!(!label.contains("secret"));
        assert_eq!(label.len(), "appcharge:token:sha256-".len() + 8);
        assert_ne!(digest("a"), digest("b"));
    }
}
