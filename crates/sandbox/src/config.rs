//! Start-up configuration of a sandbox.

use std::path::PathBuf;
use std::time::Duration;

use crate::quota::{Quota, QuotaScope, Quotas};

/// How a sandbox is started. `SandboxConfig::default()` binds 127.0.0.1 on a free port with in-memory state.
///
/// ```
/// use offerkit_sandbox::{JobProgression, SandboxConfig};
/// let config = SandboxConfig {
///     port: 0,
///     job_progression: JobProgression::Polls(0),
///     ..SandboxConfig::default()
/// };
/// assert_eq!(config.host, "127.0.0.1");
/// ```
#[derive(Debug, Clone)]

pub struct SandboxConfig {
    /// Address to bind (default `127.0.0.1`).
    pub host: String,
    /// Port to bind; `0` (the default) picks a free port.
    pub port: u16,
    /// A seed file (same JSON as `GET /_sandbox/state`), applied at start when there is no saved state.
    pub seed: Option<PathBuf>,
    /// Persist state to this file (written atomically) and reload it at start.
    pub state_file: Option<PathBuf>,
    /// How configure jobs advance from `notStarted` through `running` to `completed`.
    pub job_progression: JobProgression,
    /// Lifetime of Azure AD tokens (default 3600 s).
    pub azure_token_lifetime: Duration,
    /// Lifetime of Adobe IMS tokens (default 86 399 s).
    pub ims_token_lifetime: Duration,
    /// When set, only these client id / secret pairs get tokens; otherwise any non-empty pair does.
    pub clients: Option<Vec<ClientCredential>>,
    /// When set, only these `x-publisher-token` values are accepted by the Appcharge API.
    pub publisher_tokens: Option<Vec<String>>,
    /// Tokens accepted everywhere without calling a token endpoint (handy from shell scripts); never expire.
    pub static_tokens: Vec<String>,
    /// Cancellation windows for Partner Center orders.
    pub cancel_windows: CancelWindows,
    /// Largest request body accepted (default 1 MiB); larger bodies get a 413.
    pub max_body_bytes: usize,
    /// Largest body `POST /_sandbox/seed` accepts (default 64 MiB), so large data sets load in
    /// one request.
    pub max_seed_body_bytes: usize,
    /// A client must send a request's head, and then its body, each within this long (default
    /// 10 s); a slower one is disconnected (a late body gets a 408 first). An idle keep-alive
    /// connection is closed after it too.
    pub read_timeout: Duration,
    /// How many journal entries are kept in memory (oldest dropped first; counters stay exact).
    pub journal_capacity: usize,
    /// How many bytes the kept journal entries may take (default 64 MiB; oldest dropped first).
    /// Each entry stores at most 512 bytes of path and of query.
    pub journal_max_bytes: usize,
    /// How many distinct `METHOD path` keys the per-path counters keep (default 10 000); later
    /// new paths are counted under one `"(other paths)"` key, so totals stay exact.
    pub max_counted_paths: usize,
    /// Vendor quotas (token buckets per vendor bucket); empty (the default) throttles nothing.
    /// Also settable at run time through `PUT /_sandbox/quotas`.
    pub quotas: Quotas,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            host: "127.0.0.1".to_owned(),
            port: 0,
            seed: None,
            state_file: None,
            job_progression: JobProgression::default(),
            azure_token_lifetime: Duration::from_secs(3600),
            ims_token_lifetime: Duration::from_secs(86_399),
            clients: None,
            publisher_tokens: None,
            static_tokens: Vec::new(),
            cancel_windows: CancelWindows::default(),
            max_body_bytes: 1024 * 1024,
            max_seed_body_bytes: 64 * 1024 * 1024,
            read_timeout: Duration::from_secs(10),
            journal_capacity: 100_000,
            journal_max_bytes: 64 * 1024 * 1024,
            max_counted_paths: 10_000,
            quotas: Quotas::default(),
        }
    }
}

impl SandboxConfig {
    /// The same configuration with `quota` on `scope`'s buckets.
    ///
    /// ```
    /// use offerkit_sandbox::{Quota, QuotaScope, SandboxConfig};
    /// let config = SandboxConfig::default()
    ///     .with_quota(QuotaScope::Appcharge, Quota::per_minute(600))
    ///     .with_quota(QuotaScope::OrdersCustomer, Quota::per_minute(300));
    /// assert_eq!(config.quotas.get(QuotaScope::Appcharge), Some(Quota::per_minute(600)));
    /// ```
    #[must_use]
    pub fn with_quota(mut self, scope: QuotaScope, quota: Quota) -> Self {
        self.quotas.set(scope, quota);
        self
    }
}

/// How a product-ingestion configure job moves `notStarted -> running -> completed`.
///
/// The configure response always says `notStarted`. The job's effect (delete, withdraw, create) is
/// applied at the moment the job is first observed `completed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum JobProgression {
    /// Advance one state every `n` status polls. `Polls(1)` (the default): poll 1 says `running`,
    /// poll 2 says `completed`. `Polls(0)`: the first poll already says `completed`.
    Polls(u32),
    /// Advance one state every `step` of wall time since the job was created.
    Time(Duration),
}

impl Default for JobProgression {
    fn default() -> Self {
        Self::Polls(1)
    }
}

/// A client id and secret accepted by the token endpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientCredential {
    /// The `client_id`.
    pub client_id: String,
    /// The `client_secret`.
    pub client_secret: String,
}

/// Partner Center cancellation windows, counted from the order's `creationDate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CancelWindows {
    /// Perpetual software (line items without `termDuration`): default 30 days.
    pub perpetual: Duration,
    /// Software subscriptions (line items with a `termDuration`): default 7 days.
    pub subscription: Duration,
}

impl Default for CancelWindows {
    fn default() -> Self {
        Self {
            perpetual: Duration::from_secs(30 * 86_400),
            subscription: Duration::from_secs(7 * 86_400),
        }
    }
}
