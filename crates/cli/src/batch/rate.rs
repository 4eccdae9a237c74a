//! Per-vendor rate limits, keyed by [`offerkit::Target::rate_limit_key`] (orders: per
//! customer tenant). Requests in one bucket are spaced evenly: `n` per minute means one
//! every `60/n` seconds. [`PacingMode::Fixed`] keeps that rate for the whole run (one slot per
//! logical call); [`PacingMode::Adaptive`] (see `super::adaptive`) starts from it and follows
//! the vendor's 429s.

use std::collections::HashMap;
use std::str::FromStr;
use std::time::Duration;

use offerkit::Vendor;
use tokio::sync::Mutex;
use tokio::time::Instant;

/// Requests per minute for each vendor (0 = unlimited).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    per_minute: HashMap<Vendor, u32>,
}

impl Default for Limits {
    /// Documented or conservative defaults: Partner Center orders 500/min per tenant
    /// (documented); ingestion configure 60/min (undocumented; job polls are paced
    /// separately at one per minute per job); Adobe 600/min (CRUD limit undocumented);
    /// Appcharge 5000/min (documented for Appcharge's price API only).
    fn default() -> Self {
        Limits {
            per_minute: HashMap::from([
                (Vendor::PartnerCenterIngestion, 60),
                (Vendor::PartnerCenterOrders, 500),
                (Vendor::AdobeOffers, 600),
                (Vendor::Appcharge, 5000),
            ]),
        }
    }
}

impl Limits {
    /// No limits at all.
    pub fn unlimited() -> Self {
        Limits {
            per_minute: HashMap::new(),
        }
    }

    /// Sets one vendor's limit.
    pub fn set(&mut self, vendor: Vendor, per_minute: u32) {
        self.per_minute.insert(vendor, per_minute);
    }

    /// One vendor's limit (0 = unlimited).
    pub fn per_minute(&self, vendor: Vendor) -> u32 {
        self.per_minute.get(&vendor).copied().unwrap_or(0)
    }

    fn spacing(&self, bucket: &str) -> Option<Duration> {
        match self.per_minute(vendor_of(bucket)?) {
            0 => None,
            n => Some(Duration::from_secs(60) / n),
        }
    }
}

/// The vendor of a bucket name (`partner-center-orders:tenant` → orders).
pub(crate) fn vendor_of(bucket: &str) -> Option<Vendor> {
    Vendor::parse(bucket.split(':').next().unwrap_or(bucket))
}

/// How a batch paces its buckets (`--pacing`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum PacingMode {
    /// Start at the configured or documented rate; pause the bucket once on a 429 and lower the
    /// rate, probe upward after a quiet period; `--rate-limit` stays a hard ceiling.
    #[default]
    Adaptive,
    /// A fixed rate per bucket, one slot per logical call; each request honours its own
    /// `Retry-After`.
    Fixed,
}

impl PacingMode {
    /// `adaptive` or `fixed`.
    pub fn as_str(self) -> &'static str {
        match self {
            PacingMode::Adaptive => "adaptive",
            PacingMode::Fixed => "fixed",
        }
    }
}

/// `VENDOR=N` as given to `--rate-limit` and `--initial-rate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitOverride {
    /// The vendor.
    pub vendor: Vendor,
    /// Requests per minute (0 = unlimited).
    pub per_minute: u32,
}

impl FromStr for LimitOverride {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (vendor, n) = s
            .split_once('=')
            .ok_or_else(|| format!("expected VENDOR=PER_MINUTE, got `{s}`"))?;
        let vendor =
            Vendor::parse(vendor.trim()).ok_or_else(|| format!("unknown vendor `{vendor}`"))?;
        let per_minute = n
            .trim()
            .parse()
            .map_err(|_| format!("`{n}` is not a whole number of requests per minute"))?;
        Ok(LimitOverride { vendor, per_minute })
    }
}

/// Shared pacing state: the next free slot of each bucket.
#[derive(Debug)]
pub struct RateLimiter {
    limits: Limits,
    next_free: Mutex<HashMap<String, Instant>>,
}

impl RateLimiter {
    /// A limiter enforcing `limits`.
    pub fn new(limits: Limits) -> Self {
        RateLimiter {
            limits,
            next_free: Mutex::new(HashMap::new()),
        }
    }

    /// Reserves the next slot of `bucket` and returns how long to wait for it.
    pub async fn reserve(&self, bucket: &str) -> Duration {
        let Some(spacing) = self.limits.spacing(bucket) else {
            return Duration::ZERO;
        };
        let now = Instant::now();
        let mut next_free = self.next_free.lock().await;
        let slot = next_free
            .get(bucket)
            .copied()
            .filter(|t| *t > now)
            .unwrap_or(now);
        next_free.insert(bucket.to_owned(), slot + spacing);
        slot - now
    }

    /// Waits for the next slot of `bucket`.
    pub async fn acquire(&self, bucket: &str) {
        let wait = self.reserve(bucket).await;
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn buckets_are_per_tenant_for_orders_and_per_vendor_otherwise() {
        let limiter = RateLimiter::new(Limits::default());
        let spacing = Duration::from_millis(120); // 500/min
        assert_eq!(
            limiter.reserve("partner-center-orders:t1").await,
            Duration::ZERO
        );
        assert_eq!(limiter.reserve("partner-center-orders:t1").await, spacing);
        assert_eq!(
            limiter.reserve("partner-center-orders:t1").await,
            spacing * 2
        );
        // Another tenant has its own bucket.
        assert_eq!(
            limiter.reserve("partner-center-orders:t2").await,
            Duration::ZERO
        );
        // Appcharge: 5000/min = 12 ms.
        assert_eq!(limiter.reserve("appcharge").await, Duration::ZERO);
        assert_eq!(
            limiter.reserve("appcharge").await,
            Duration::from_millis(12)
        );
    }

    #[tokio::test(start_paused = true)]
    async fn zero_means_unlimited_and_overrides_parse() {
        let mut limits = Limits::default();
        let o: LimitOverride = "adobe=0".parse().expect("parse");
        limits.set(o.vendor, o.per_minute);
        let limiter = RateLimiter::new(limits);
        assert_eq!(limiter.reserve("adobe").await, Duration::ZERO);
        assert_eq!(limiter.reserve("adobe").await, Duration::ZERO);
        assert!("adobe".parse::<LimitOverride>().is_err());
        assert!("acme=5".parse::<LimitOverride>().is_err());
        assert_eq!(
            "partner-center-orders=10".parse::<LimitOverride>(),
            Ok(LimitOverride {
                vendor: Vendor::PartnerCenterOrders,
                per_minute: 10
            })
        );
    }
}
