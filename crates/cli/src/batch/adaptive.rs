//! Adaptive per-bucket pacing (`--pacing adaptive`, the default): the vendor's quota is what the
//! run measures and follows.
//!
//! Each bucket ([`offerkit::Target::rate_limit_key`]: orders per customer tenant, every other
//! vendor as one bucket) spaces its HTTP attempts evenly at its current rate. The transport asks
//! the bucket before every attempt of every call made for one of its targets (retract, probe,
//! read-back, job polls, retries: [`offerkit::pacing`]) and tells it of each 429.
//!
//! The rule, AIMD with the decrease fitted to what the vendor let through:
//! - **start** at the configured or documented rate (`--initial-rate`, else `--rate-limit`, else
//!   the defaults of [`super::rate::Limits`]), never above the `--rate-limit` ceiling;
//! - **on a 429** answering an attempt sent since the bucket's last pause: the whole bucket
//!   pauses until `Retry-After` (1 s when the vendor sends none): attempts queued or about to go
//!   wait, however many calls are in flight, and the 429s of attempts sent *before* the pause
//!   only extend it, they do not lower the rate again (one pause per episode). The new rate is
//!   the rate the vendor actually accepted since the previous pause (accepted attempts over the
//!   time from that pause's end to this one's), held between half and nine tenths of the old
//!   rate: a token-bucket quota lets a burst through first, so the measure alone can be too high
//!   (hence at most 0.9x), and a short window can measure too low (hence at least 0.5x);
//!   A 429 with `Retry-After: 0` asks for no wait: it is counted, and neither pauses the bucket
//!   nor lowers its rate (gateways and the sandbox's injected faults send it);
//! - **after a quiet period** (no 429 for max(5 s, twice the last `Retry-After`), at least 10
//!   accepted attempts at the current rate, and attempts that had to wait for their slot: the
//!   rate is what holds the run back) the rate goes up again: doubling until the first
//!   429 of the run, with a shorter quiet period then (2 s and 5 accepted attempts: a rate
//!   started far too low reaches the quota within seconds), then by a twentieth of the rate
//!   (additive increase, probing the quota gently).
//!
//! Why not plain AIMD (halve on a 429): against a steady quota it runs at about three quarters of
//! it on average, a run 1.3x longer than it needs; fitting the decrease to the accepted rate keeps
//! the run within a few per cent of the quota. Why not only a token bucket fitted to the
//! `Retry-After`s: the header tells when the next request may go, not the quota's size, and
//! vendors round it to whole seconds; the accepted rate measures the quota directly.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use offerkit::pacing::{Admit, Pacer};
use tokio::time::Instant;

use super::rate::{Limits, vendor_of};

/// The pause after a 429 without `Retry-After`.
const DEFAULT_PAUSE: Duration = Duration::from_secs(1);
/// The shortest quiet period before the rate goes up.
const QUIET: Duration = Duration::from_secs(5);
/// Accepted attempts at the current rate before it goes up.
const QUIET_ANSWERS: u64 = 10;
/// Before the run's first 429 (doubling), the quiet period and the accepted attempts are shorter:
/// nothing has been measured yet to stay away from, and every second at a rate far too low is
/// lost. Figure 6 of `cargo xtask bench` (start at a quarter of the quota): 5 s and 10 attempts
/// took 1.104x the quota-bound minimum, these 2 s and 5 attempts 1.082x (from 10x too high: 1.02x
/// either way).
const SLOW_START_QUIET: Duration = Duration::from_secs(2);
/// See [`SLOW_START_QUIET`].
const SLOW_START_ANSWERS: u64 = 5;
/// The lowest rate a bucket falls to (requests per minute).
const FLOOR: f64 = 1.0;

/// One bucket's figures, for the progress line and the summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketStats {
    /// The bucket ([`offerkit::Target::rate_limit_key`]).
    pub bucket: String,
    /// Its current rate in requests per minute; `None` = unlimited (no 429 seen, no limit set).
    pub per_minute: Option<u32>,
    /// HTTP attempts admitted.
    pub requests: u64,
    /// Attempts answered 429 (or 503 with `Retry-After`).
    pub throttled: u64,
    /// Bucket-wide pauses (one per episode of 429s).
    pub pauses: u64,
}

/// Every bucket of a run.
#[derive(Debug)]
pub struct AdaptivePacing {
    start: Limits,
    ceilings: Limits,
    buckets: Mutex<HashMap<String, Arc<Bucket>>>,
    /// Set whenever any bucket's rate changes: [`AdaptivePacing::stats`] with `changed_only`,
    /// asked after every result, returns at once while it is clear (no lock of every bucket).
    any_changed: Arc<AtomicBool>,
}

impl AdaptivePacing {
    /// Buckets starting at `start` and never above `ceilings` (0 = no ceiling).
    pub fn new(start: Limits, ceilings: Limits) -> Self {
        AdaptivePacing {
            start,
            ceilings,
            buckets: Mutex::new(HashMap::new()),
            any_changed: Arc::new(AtomicBool::new(false)),
        }
    }

    /// A pacer for one target's calls, counting against `bucket`.
    pub fn pacer(&self, bucket: &str) -> Arc<dyn Pacer> {
        let mut buckets = lock(&self.buckets);
        let bucket = match buckets.get(bucket) {
            Some(existing) => Arc::clone(existing),
            None => {
                let created = Arc::new(self.new_bucket(bucket));
                buckets.insert(bucket.to_owned(), Arc::clone(&created));
                created
            }
        };
        Arc::new(TargetPacer {
            bucket,
            epoch: AtomicU64::new(0),
        })
    }

    /// A bucket at its vendor's start rate, never above its ceiling.
    fn new_bucket(&self, name: &str) -> Bucket {
        let per_minute = |limits: &Limits| {
            let n = vendor_of(name).map_or(0, |v| limits.per_minute(v));
            (n > 0).then_some(f64::from(n))
        };
        let ceiling = per_minute(&self.ceilings);
        let rate = match (per_minute(&self.start), ceiling) {
            (Some(start), Some(ceiling)) => Some(start.min(ceiling)),
            (start, ceiling) => start.or(ceiling),
        };
        Bucket::new(
            name.to_owned(),
            rate,
            ceiling,
            Arc::clone(&self.any_changed),
        )
    }

    /// Every bucket's figures, by name; `changed_only` keeps those whose rate changed since the
    /// last call that asked (and marks them seen).
    pub fn stats(&self, changed_only: bool) -> Vec<BucketStats> {
        if changed_only && !self.any_changed.swap(false, Ordering::AcqRel) {
            return Vec::new();
        }
        let buckets = lock(&self.buckets);
        let mut stats: Vec<BucketStats> = buckets
            .values()
            .filter_map(|b| {
                let mut state = lock(&b.state);
                if !changed_only {
                    return Some(b.stats(&state));
                }
                std::mem::take(&mut state.changed).then(|| b.stats(&state))
            })
            .collect();
        stats.sort_by(|a, b| a.bucket.cmp(&b.bucket));
        stats
    }
}

/// One bucket's state, shared by the pacers of its targets.
#[derive(Debug)]
struct Bucket {
    name: String,
    ceiling: Option<f64>,
    state: Mutex<State>,
    /// The pacing's [`AdaptivePacing::any_changed`].
    any_changed: Arc<AtomicBool>,
}

#[derive(Debug)]
struct State {
    /// Requests per minute; `None` = unlimited.
    rate: Option<f64>,
    /// The earliest time the next attempt may go.
    next_free: Instant,
    /// Bumped by each pause: an attempt admitted before it belongs to the old episode.
    epoch: u64,
    /// The time the current measuring window began (the last pause's end, or the first admit).
    window_start: Option<Instant>,
    /// Attempts of this epoch answered without throttling.
    accepted: u64,
    /// Accepted attempts since the rate last changed.
    accepted_at_rate: u64,
    /// When the rate last changed (a pause's end for a decrease).
    changed_at: Instant,
    /// Whether any 429 was seen (ends the doubling).
    throttled_once: bool,
    /// Whether an attempt waited for its slot since the rate last changed: only a bucket whose
    /// rate is what holds the run back goes faster (else the rate would grow without bound
    /// while concurrency or latency set the pace, and take many 429s to come down).
    saturated: bool,
    last_retry_after: Duration,
    requests: u64,
    throttled: u64,
    pauses: u64,
    /// The rate changed since [`AdaptivePacing::stats`] last reported it.
    changed: bool,
}

impl Bucket {
    fn new(
        name: String,
        rate: Option<f64>,
        ceiling: Option<f64>,
        any_changed: Arc<AtomicBool>,
    ) -> Self {
        let now = Instant::now();
        Bucket {
            name,
            ceiling,
            any_changed,
            state: Mutex::new(State {
                rate,
                next_free: now,
                epoch: 0,
                window_start: None,
                accepted: 0,
                accepted_at_rate: 0,
                changed_at: now,
                throttled_once: false,
                saturated: false,
                last_retry_after: Duration::ZERO,
                requests: 0,
                throttled: 0,
                pauses: 0,
                changed: false,
            }),
        }
    }

    fn stats(&self, state: &State) -> BucketStats {
        BucketStats {
            bucket: self.name.clone(),
            per_minute: state.rate.map(|r| r.round() as u32),
            requests: state.requests,
            throttled: state.throttled,
            pauses: state.pauses,
        }
    }

    /// Waits for this bucket's next slot; returns the epoch the attempt is admitted in. A pause
    /// that begins while waiting sends the attempt back to the queue.
    async fn admit(&self) -> u64 {
        loop {
            let (slot, epoch) = {
                let mut state = lock(&self.state);
                let now = Instant::now();
                let slot = state.next_free.max(now);
                if let Some(rate) = state.rate {
                    state.next_free = slot + Duration::from_secs_f64(60.0 / rate);
                }
                if slot <= now {
                    return state.admitted(now);
                }
                state.saturated = true;
                (slot, state.epoch)
            };
            tokio::time::sleep_until(slot).await;
            let mut state = lock(&self.state);
            if state.epoch == epoch {
                return state.admitted(Instant::now());
            }
        }
    }

    /// A 429 to an attempt admitted in `epoch`.
    fn throttled(&self, epoch: u64, retry_after: Option<Duration>) {
        let mut state = lock(&self.state);
        state.throttled += 1;
        if retry_after == Some(Duration::ZERO) {
            // The vendor asks for no wait at all: counted, but no pause and no slower rate.
            return;
        }
        let pause = retry_after.unwrap_or(DEFAULT_PAUSE);
        let now = Instant::now();
        let until = now + pause;
        if epoch != state.epoch {
            // Sent before the current pause began: the same episode; wait as long as it says.
            state.next_free = state.next_free.max(until);
            return;
        }
        let window = until.saturating_duration_since(state.window_start.unwrap_or(now));
        let measured = (state.accepted as f64) * 60.0 / window.as_secs_f64().max(0.001);
        let rate = match state.rate {
            Some(old) => measured.clamp(old * 0.5, old * 0.9),
            // Unlimited so far: what the vendor let through is all there is to go by.
            None => measured,
        };
        state.rate = Some(rate.max(FLOOR));
        state.epoch += 1;
        state.pauses += 1;
        state.next_free = until;
        state.window_start = Some(until);
        state.accepted = 0;
        state.accepted_at_rate = 0;
        state.changed_at = until;
        state.throttled_once = true;
        state.saturated = false;
        state.last_retry_after = pause;
        state.changed = true;
        self.any_changed.store(true, Ordering::Release);
    }

    /// An answer that was not throttling, to an attempt admitted in `epoch`.
    fn succeeded(&self, epoch: u64) {
        let mut state = lock(&self.state);
        if epoch != state.epoch {
            return;
        }
        state.accepted += 1;
        state.accepted_at_rate += 1;
        let Some(rate) = state.rate else { return };
        let now = Instant::now();
        let (quiet, answers) = if state.throttled_once {
            (QUIET.max(state.last_retry_after * 2), QUIET_ANSWERS)
        } else {
            (SLOW_START_QUIET, SLOW_START_ANSWERS)
        };
        if !state.saturated || state.accepted_at_rate < answers || now < state.changed_at + quiet {
            return;
        }
        let raised = if state.throttled_once {
            rate * 1.05
        } else {
            rate * 2.0
        };
        let raised = self.ceiling.map_or(raised, |c| raised.min(c));
        if raised > rate {
            state.rate = Some(raised);
            state.accepted_at_rate = 0;
            state.saturated = false;
            state.changed_at = now;
            state.changed = true;
            self.any_changed.store(true, Ordering::Release);
        }
    }
}

impl State {
    fn admitted(&mut self, now: Instant) -> u64 {
        self.requests += 1;
        self.window_start.get_or_insert(now);
        self.epoch
    }
}

/// The pacer of one target: its bucket, and the epoch its latest attempt was admitted in
/// (a target's attempts are sequential).
struct TargetPacer {
    bucket: Arc<Bucket>,
    epoch: AtomicU64,
}

impl Pacer for TargetPacer {
    fn admit(&self) -> Admit<'_> {
        Box::pin(async move {
            let epoch = self.bucket.admit().await;
            self.epoch.store(epoch, Ordering::Relaxed);
        })
    }

    fn throttled(&self, retry_after: Option<Duration>) {
        self.bucket
            .throttled(self.epoch.load(Ordering::Relaxed), retry_after);
    }

    fn succeeded(&self) {
        self.bucket.succeeded(self.epoch.load(Ordering::Relaxed));
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests;
