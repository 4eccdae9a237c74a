//! The adaptive pacer on tokio's paused clock: virtual time only, nothing sleeps for real.

use std::time::Duration;

use offerkit::Vendor;
use tokio::time::Instant;

use super::*;

fn limits(pairs: &[(Vendor, u32)]) -> Limits {
    let mut limits = Limits::unlimited();
    for (vendor, n) in pairs {
        limits.set(*vendor, *n);
    }
    limits
}

fn stats(pacing: &AdaptivePacing, bucket: &str) -> BucketStats {
    pacing
        .stats(false)
        .into_iter()
        .find(|b| b.bucket == bucket)
        .expect("bucket")
}

const SECS2: Option<Duration> = Some(Duration::from_secs(2));

#[tokio::test(start_paused = true)]
async fn a_burst_of_429s_across_in_flight_requests_is_one_pause() {
    let pacing = AdaptivePacing::new(limits(&[(Vendor::Appcharge, 600)]), Limits::unlimited());
    let pacers: Vec<_> = (0..8).map(|_| pacing.pacer("appcharge")).collect();
    let start = Instant::now();
    for p in &pacers {
        p.admit().await;
    }
    // 600/min: one every 100 ms.
    assert_eq!(start.elapsed(), Duration::from_millis(700));
    // All eight were in flight; all are answered 429.
    let throttled_at = Instant::now();
    for p in &pacers {
        p.throttled(SECS2);
    }
    let s = stats(&pacing, "appcharge");
    assert_eq!((s.requests, s.throttled, s.pauses), (8, 8, 1));
    assert_eq!(
        s.per_minute,
        Some(300),
        "lowered once (nothing accepted: half), not eight times"
    );
    // Every one of them waits for the one pause, then they go at the new rate (200 ms apart).
    let mut admitted = Vec::new();
    for p in &pacers {
        p.admit().await;
        admitted.push(throttled_at.elapsed());
    }
    assert_eq!(admitted[0], Duration::from_secs(2));
    assert_eq!(admitted[7], Duration::from_millis(2000 + 7 * 200));
    assert_eq!(stats(&pacing, "appcharge").pauses, 1);
}

#[tokio::test(start_paused = true)]
async fn an_attempt_queued_when_the_pause_begins_waits_for_its_end() {
    let pacing = AdaptivePacing::new(limits(&[(Vendor::Appcharge, 600)]), Limits::unlimited());
    let (first, second) = (pacing.pacer("appcharge"), pacing.pacer("appcharge"));
    first.admit().await;
    let start = Instant::now();
    // `second` has the slot at +100 ms; the 429 to `first` arrives before it.
    let ((), ()) = tokio::join!(second.admit(), async { first.throttled(SECS2) });
    assert_eq!(
        start.elapsed(),
        Duration::from_secs(2),
        "sent back to the queue"
    );
}

#[tokio::test(start_paused = true)]
async fn the_rate_drops_on_a_429_and_recovers_after_a_quiet_period() {
    let pacing = AdaptivePacing::new(limits(&[(Vendor::Appcharge, 600)]), Limits::unlimited());
    let p = pacing.pacer("appcharge");
    p.admit().await;
    p.throttled(Some(Duration::from_secs(1)));
    assert_eq!(stats(&pacing, "appcharge").per_minute, Some(300));
    assert_eq!(pacing.stats(true).len(), 1, "the change is reported once");
    assert!(pacing.stats(true).is_empty());
    // Quiet: every attempt accepted. After 5 s and 10 answers, +5 % per period.
    let mut rates = Vec::new();
    for _ in 0..200 {
        p.admit().await;
        p.succeeded();
        rates.push(stats(&pacing, "appcharge").per_minute.expect("limited"));
    }
    assert!(
        rates.windows(2).all(|w| w[1] >= w[0]),
        "never lowered without a 429"
    );
    assert_eq!(rates[10], 300, "not before the quiet period");
    let last = *rates.last().expect("rates");
    assert!(last > 330, "probed upward: {last}");
    assert_eq!(stats(&pacing, "appcharge").throttled, 1);
}

#[tokio::test(start_paused = true)]
async fn a_rate_set_far_too_low_doubles_until_the_first_429() {
    let pacing = AdaptivePacing::new(limits(&[(Vendor::Appcharge, 60)]), Limits::unlimited());
    let p = pacing.pacer("appcharge");
    let start = Instant::now();
    while stats(&pacing, "appcharge").per_minute < Some(960) {
        p.admit().await;
        p.succeeded();
    }
    // 60 → 120 → 240 → 480 → 960 in four quiet periods (the first takes 10 answers at 1/s).
    assert!(
        start.elapsed() <= Duration::from_secs(30),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test(start_paused = true)]
async fn the_rate_does_not_grow_while_something_else_sets_the_pace() {
    let pacing = AdaptivePacing::new(limits(&[(Vendor::Appcharge, 600)]), Limits::unlimited());
    let p = pacing.pacer("appcharge");
    // One attempt a second (latency, concurrency) never waits for a 100 ms slot.
    for _ in 0..100 {
        p.admit().await;
        p.succeeded();
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    assert_eq!(stats(&pacing, "appcharge").per_minute, Some(600));
}

#[tokio::test(start_paused = true)]
async fn buckets_are_isolated() {
    let pacing = AdaptivePacing::new(
        limits(&[(Vendor::PartnerCenterOrders, 300)]),
        Limits::unlimited(),
    );
    let t1 = pacing.pacer("partner-center-orders:t1");
    let t2 = pacing.pacer("partner-center-orders:t2");
    t1.admit().await;
    t2.admit().await;
    t1.throttled(Some(Duration::from_secs(30)));
    let start = Instant::now();
    t2.admit().await;
    assert_eq!(
        start.elapsed(),
        Duration::from_millis(200),
        "t2 only waits for its own slot"
    );
    assert_eq!(
        stats(&pacing, "partner-center-orders:t2").per_minute,
        Some(300)
    );
    assert_eq!(stats(&pacing, "partner-center-orders:t2").throttled, 0);
    assert_eq!(
        stats(&pacing, "partner-center-orders:t1").per_minute,
        Some(150)
    );
    // A third pacer of t1 shares t1's pause.
    let again = pacing.pacer("partner-center-orders:t1");
    again.admit().await;
    assert!(start.elapsed() >= Duration::from_secs(30));
}

#[tokio::test(start_paused = true)]
async fn the_rate_limit_is_a_hard_ceiling() {
    // --initial-rate above the ceiling starts at the ceiling; probing never passes it.
    let pacing = AdaptivePacing::new(
        limits(&[(Vendor::Appcharge, 5000)]),
        limits(&[(Vendor::Appcharge, 700)]),
    );
    let p = pacing.pacer("appcharge");
    assert_eq!(stats(&pacing, "appcharge").per_minute, Some(700));
    let start = Instant::now();
    for _ in 0..2000 {
        p.admit().await;
        p.succeeded();
    }
    assert_eq!(stats(&pacing, "appcharge").per_minute, Some(700));
    // 2000 attempts at 700/min: the first at once, then one every 60/700 s.
    let spacing = Duration::from_secs_f64(60.0 / 700.0);
    assert!(start.elapsed() >= spacing * 1999 - Duration::from_millis(1));
    // No ceiling and no start: unlimited until a 429.
    let open = AdaptivePacing::new(Limits::unlimited(), Limits::unlimited());
    assert_eq!(stats_of(&open, "adobe"), None);
}

fn stats_of(pacing: &AdaptivePacing, bucket: &str) -> Option<u32> {
    let _pacer = pacing.pacer(bucket);
    stats(pacing, bucket).per_minute
}

/// A vendor quota as a token bucket: `per_minute` refill, `capacity` burst, whole-second
/// `Retry-After` (rounded up) when empty.
struct Quota {
    tokens: f64,
    capacity: f64,
    per_second: f64,
    at: Instant,
}

impl Quota {
    fn new(per_minute: f64, capacity: f64) -> Self {
        Quota {
            tokens: capacity,
            capacity,
            per_second: per_minute / 60.0,
            at: Instant::now(),
        }
    }

    /// `None` if accepted, else the `Retry-After`.
    fn take(&mut self) -> Option<Duration> {
        let now = Instant::now();
        let refill = now.duration_since(self.at).as_secs_f64() * self.per_second;
        self.tokens = (self.tokens + refill).min(self.capacity);
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            None
        } else {
            let wait = ((1.0 - self.tokens) / self.per_second).ceil().max(1.0);
            Some(Duration::from_secs_f64(wait))
        }
    }
}

/// Runs `n` requests (each retried until accepted) against `quota`; returns (elapsed, 429s).
async fn run_against(pacing: &AdaptivePacing, quota: &mut Quota, n: usize) -> (Duration, u64) {
    let start = Instant::now();
    for _ in 0..n {
        let p = pacing.pacer("appcharge");
        loop {
            p.admit().await;
            match quota.take() {
                None => {
                    p.succeeded();
                    break;
                }
                Some(after) => p.throttled(Some(after)),
            }
        }
    }
    (start.elapsed(), stats(pacing, "appcharge").throttled)
}

/// The targets against a 600/min quota, 3,000 requests, started at 6000/min (far too
/// high) and at 60/min (far too low), with a one-minute burst and with a small one: within 1.10x
/// of the quota-bound minimum (the burst, then the rest at the quota's rate) and at most 2 %
/// answered 429. Virtual time: the run takes well under a second.
#[tokio::test(start_paused = true)]
async fn from_far_too_high_or_too_low_it_settles_near_the_quota_with_few_429s() {
    for (start, burst) in [(6000, 600.0), (60, 600.0), (6000, 10.0), (60, 10.0)] {
        let pacing =
            AdaptivePacing::new(limits(&[(Vendor::Appcharge, start)]), Limits::unlimited());
        let mut quota = Quota::new(600.0, burst);
        let (elapsed, throttled) = run_against(&pacing, &mut quota, 3000).await;
        let minimum = (3000.0 - burst) / 10.0;
        let ratio = elapsed.as_secs_f64() / minimum;
        let case = format!("start {start}/min, burst {burst}: {elapsed:?}, {throttled} throttled");
        assert!(
            (0.99..=1.10).contains(&ratio),
            "{case}: {ratio:.3}x the minimum"
        );
        assert!(throttled <= 60, "{case} (2 % is 60)");
    }
}
