//! A pacing hook for callers that share a quota between many calls (the CLI's batch engine).
//!
//! A [`Pacer`] installed with [`scope`] for a future sees *every HTTP attempt* of every call made
//! inside it (first attempts, retries, read-backs, job polls): [`Pacer::admit`] is awaited before
//! each attempt, [`Pacer::throttled`] is told of each 429 and each 503 with `Retry-After`, and
//! [`Pacer::succeeded`] of every other answer. While a pacer is present the wait after a
//! throttled attempt is the pacer's (its next `admit`), not the call's own sleep: one pause for
//! the whole bucket however many of its calls were throttled at once. Such an attempt uses
//! [`crate::RetryPolicy::max_throttled_retries`] instead of `max_retries`, and the time spent in
//! `admit` does not count against the call's total deadline (the pacer's queue is the caller's
//! choice, not the call's). `Retry-After` above [`crate::RetryPolicy::max_retry_after`] still ends
//! the call with [`crate::Error::Throttled`].
//!
//! Without a pacer (single commands) nothing changes: each call honours its own `Retry-After`.
//! Token requests are never paced: the credential's token endpoint is another service.
//!
//! ```
//! use std::sync::Arc;
//! use std::sync::atomic::{AtomicUsize, Ordering};
//! use std::time::Duration;
//! use offerkit_transport::pacing::{self, Admit, Pacer};
//!
//! #[derive(Default)]
//! struct Counting(AtomicUsize);
//!
//! impl Pacer for Counting {
//!     fn admit(&self) -> Admit<'_> {
//!         self.0.fetch_add(1, Ordering::Relaxed);
//!         Box::pin(async {})
//!     }
//!     fn throttled(&self, _retry_after: Option<Duration>) {}
//!     fn succeeded(&self) {}
//! }
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let pacer = Arc::new(Counting::default());
//! let inside = pacing::scope(pacer.clone(), async { pacing::is_paced() }).await;
//! assert!(inside);
//! assert!(!pacing::is_paced());
//! # }
//! ```

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

/// The future [`Pacer::admit`] returns.
pub type Admit<'a> = Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

/// Paces the HTTP attempts of the calls made inside a [`scope`].
pub trait Pacer: Send + Sync {
    /// Resolves when the next attempt may be sent.
    fn admit(&self) -> Admit<'_>;

    /// The attempt was refused for its quota (429, or 503 with `Retry-After`); `retry_after` is
    /// the server's value when it sent one. The next [`Pacer::admit`] of this scope resolves when
    /// the pacer says the retry may go.
    fn throttled(&self, retry_after: Option<Duration>);

    /// The attempt got any other answer (a success, or an error that is not throttling).
    fn succeeded(&self);
}

tokio::task_local! {
    static PACER: Option<Arc<dyn Pacer>>;
}

/// Runs `future` with `pacer` pacing every HTTP attempt made inside it.
pub fn scope<F: Future>(pacer: Arc<dyn Pacer>, future: F) -> impl Future<Output = F::Output> {
    PACER.scope(Some(pacer), future)
}

/// Runs `future` with no pacer, even inside a [`scope`] (token requests: another service).
pub(crate) fn unpaced<F: Future>(future: F) -> impl Future<Output = F::Output> {
    PACER.scope(None, future)
}

/// The pacer of the current scope, if any.
pub(crate) fn current() -> Option<Arc<dyn Pacer>> {
    PACER.try_with(Clone::clone).ok().flatten()
}

/// Tells `pacer` how an attempt ended (`outcome` `None`: a success or an accepted status;
/// `answered`: a response came back). Returns the `Retry-After` of a throttled attempt, whose
/// wait is then the pacer's.
pub(crate) fn report(
    pacer: &dyn Pacer,
    outcome: Option<crate::retry::Outcome>,
    answered: bool,
) -> Option<Option<Duration>> {
    match outcome.and_then(crate::retry::Outcome::throttle) {
        Some(retry_after) => {
            pacer.throttled(retry_after);
            Some(retry_after)
        }
        None => {
            if answered {
                pacer.succeeded();
            }
            None
        }
    }
}

/// Whether the current task runs inside a [`scope`] (and not in a token request).
pub fn is_paced() -> bool {
    PACER.try_with(Option::is_some).unwrap_or(false)
}
