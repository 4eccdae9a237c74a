//! When offerkit repeats a request: [`RetryPolicy`], [`Idempotency`] and the pure decision function.
//!
//! A failed attempt is retried when all of these hold:
//! 1. the failure is transient: a connect error, a timeout, a dropped connection, or HTTP 408, 429,
//!    500, 502, 503 or 504;
//! 2. repeating is safe: the operation is [`Idempotency::Idempotent`] or [`Idempotency::Keyed`], or
//!    the server cannot have acted on it (connect error, 429, 503 with `Retry-After`);
//! 3. fewer than [`RetryPolicy::max_retries`] retries were made;
//! 4. the wait (full-jitter exponential backoff, or `Retry-After` when longer) ends before the total
//!    deadline, and `Retry-After` is not above [`RetryPolicy::max_retry_after`].
//!
//! 400, 401, 403, 404, 409 and every other status are never retried by the policy (a 401 gets one
//! separate retry with a fresh token, see [`crate::Credential`]).

use std::time::{Duration, SystemTime};

use http::{HeaderMap, HeaderName, Method, StatusCode};

/// Whether an operation may be sent twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Idempotency {
    /// Repeating has no extra effect (GET, PUT, DELETE). Retried on every transient failure.
    Idempotent,
    /// Repeating could act twice (POST, PATCH). Retried only when the server cannot have acted:
    /// connect failure, 429, or 503 with `Retry-After`.
    NotIdempotent,
    /// Not naturally idempotent, but the vendor de-duplicates repeats that carry the same
    /// idempotency key, which offerkit reuses on every attempt (Partner Center `MS-RequestId`).
    /// Retried like [`Idempotency::Idempotent`].
    Keyed,
}

impl Idempotency {
    /// The default for an HTTP method: GET, HEAD, OPTIONS, PUT and DELETE are idempotent.
    pub fn for_method(method: &Method) -> Self {
        match *method {
            Method::GET | Method::HEAD | Method::OPTIONS | Method::PUT | Method::DELETE => {
                Self::Idempotent
            }
            _ => Self::NotIdempotent,
        }
    }

    fn safe_to_repeat(self) -> bool {
        matches!(self, Self::Idempotent | Self::Keyed)
    }
}

/// How failed attempts are retried. A plain value: copy it, change fields, or use [`RetryPolicy::none`].
///
/// ```
/// use std::time::Duration;
/// use offerkit_transport::RetryPolicy;
///
/// let default = RetryPolicy::default();
/// assert_eq!(default.max_retries, 3);
/// assert_eq!(default.base_delay, Duration::from_millis(200));
/// assert_eq!(default.max_delay, Duration::from_secs(20));
///
/// let patient = RetryPolicy::default().with_max_retries(6);
/// let off = RetryPolicy::none();
/// assert_eq!(off.max_retries, 0);
/// # let _ = patient;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Retries after the first attempt. Default 3 (so at most 4 attempts).
    pub max_retries: u32,
    /// The first backoff ceiling; doubles per retry. Default 200 ms.
    pub base_delay: Duration,
    /// The largest backoff ceiling. Default 20 s.
    pub max_delay: Duration,
    /// Full jitter: wait a random time between zero and the ceiling. Default `true`.
    pub jitter: bool,
    /// The longest `Retry-After` offerkit waits for; a longer one ends the call with
    /// [`crate::Error::Throttled`] carrying the server's value. Default 60 s.
    pub max_retry_after: Duration,
    /// Inside a [`crate::pacing::scope`]: how many throttled attempts (429, 503 with
    /// `Retry-After`) one call retries, apart from [`RetryPolicy::max_retries`]; the pacer owns
    /// the wait. Default 10. Without a pacer, throttled attempts use `max_retries` as before.
    pub max_throttled_retries: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(20),
            jitter: true,
            max_retry_after: Duration::from_secs(60),
            max_throttled_retries: 10,
        }
    }
}

impl RetryPolicy {
    /// No retries at all (the 401 token refresh still happens).
    pub fn none() -> Self {
        Self {
            max_retries: 0,
            max_throttled_retries: 0,
            ..Self::default()
        }
    }

    /// Retries without waiting (tests); `Retry-After` is still honoured.
    pub fn immediate(max_retries: u32) -> Self {
        Self {
            max_retries,
            base_delay: Duration::ZERO,
            max_delay: Duration::ZERO,
            jitter: false,
            ..Self::default()
        }
    }

    /// Sets [`RetryPolicy::max_retries`].
    pub fn with_max_retries(mut self, max_retries: u32) -> Self {
        self.max_retries = max_retries;
        self
    }

    /// Sets [`RetryPolicy::base_delay`] and [`RetryPolicy::max_delay`].
    pub fn with_backoff(mut self, base_delay: Duration, max_delay: Duration) -> Self {
        self.base_delay = base_delay;
        self.max_delay = max_delay;
        self
    }

    /// Sets [`RetryPolicy::jitter`].
    pub fn with_jitter(mut self, jitter: bool) -> Self {
        self.jitter = jitter;
        self
    }

    /// Sets [`RetryPolicy::max_retry_after`].
    pub fn with_max_retry_after(mut self, max_retry_after: Duration) -> Self {
        self.max_retry_after = max_retry_after;
        self
    }

    /// Sets [`RetryPolicy::max_throttled_retries`].
    pub fn with_max_throttled_retries(mut self, max_throttled_retries: u32) -> Self {
        self.max_throttled_retries = max_throttled_retries;
        self
    }

    /// The backoff ceiling before retry number `retry` (0-based): `min(max_delay, base_delay * 2^retry)`.
    pub fn backoff_ceiling(&self, retry: u32) -> Duration {
        let factor = 1u32.checked_shl(retry.min(31)).unwrap_or(u32::MAX);
        self.base_delay.saturating_mul(factor).min(self.max_delay)
    }
}

/// What happened on one failed attempt (one the retry policy looks at).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// No connection was made.
    Connect,
    /// No answer in time.
    Timeout,
    /// The connection broke after the request may have been written.
    Io,
    /// The server answered.
    Status {
        status: StatusCode,
        retry_after: Option<Duration>,
    },
}

impl Outcome {
    /// Whether the vendor may have acted on this attempt. Only what is known to stop before the
    /// vendor acts says no: no connection was made (connect refused, DNS, TLS), or the vendor
    /// refused to take the request in (429, 503 with `Retry-After`). A timeout, a connection
    /// broken after the request was written and any other answered status (500, 502, 504, 408,
    /// 503 without `Retry-After`) may follow the work being done, its answer lost.
    ///
    /// The one definition behind both "a non-idempotent call may be repeated" ([`decide`]) and
    /// "an earlier attempt of this call may have done it" ([`crate::Response::earlier_attempt_may_have_acted`]).
    pub(crate) fn may_have_acted(self) -> bool {
        !matches!(self, Outcome::Connect) && self.throttle().is_none()
    }

    /// `Some(retry_after)` when the vendor refused the attempt for its quota: a 429, or a 503
    /// with `Retry-After` (the attempts [`Outcome::may_have_acted`] says cannot have acted).
    pub(crate) fn throttle(self) -> Option<Option<Duration>> {
        match self {
            Outcome::Status {
                status,
                retry_after,
            } if status == StatusCode::TOO_MANY_REQUESTS
                || (status == StatusCode::SERVICE_UNAVAILABLE && retry_after.is_some()) =>
            {
                Some(retry_after)
            }
            _ => None,
        }
    }

    /// Whether the failure may pass on its own: a connect error, a timeout, a dropped
    /// connection, or HTTP 408, 429, 500, 502, 503 or 504.
    fn is_transient(self) -> bool {
        match self {
            Outcome::Connect | Outcome::Timeout | Outcome::Io => true,
            Outcome::Status { status, .. } => {
                matches!(status.as_u16(), 408 | 429 | 500 | 502 | 503 | 504)
            }
        }
    }
}

/// What to do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Wait, then try again.
    Retry(Duration),
    /// Give up and report the last outcome.
    Stop,
}

/// The retry decision, with no I/O: `retries_done` retries were already made, `remaining` is the
/// time left before the deadline, `random` is in `[0, 1)` (the jitter draw).
pub(crate) fn decide(
    policy: &RetryPolicy,
    outcome: Outcome,
    retries_done: u32,
    idempotency: Idempotency,
    remaining: Duration,
    random: f64,
) -> Decision {
    let retryable =
        outcome.is_transient() && (idempotency.safe_to_repeat() || !outcome.may_have_acted());
    let retry_after = match outcome {
        Outcome::Status { retry_after, .. } => retry_after,
        _ => None,
    };
    if !retryable || retries_done >= policy.max_retries {
        return Decision::Stop;
    }
    let ceiling = policy.backoff_ceiling(retries_done);
    let mut delay = if policy.jitter {
        ceiling.mul_f64(random.clamp(0.0, 1.0))
    } else {
        ceiling
    };
    if let Some(after) = retry_after {
        if after > policy.max_retry_after {
            return Decision::Stop;
        }
        delay = delay.max(after);
    }
    if delay >= remaining {
        return Decision::Stop;
    }
    Decision::Retry(delay)
}

/// The retry decision for a throttled attempt inside a [`crate::pacing::scope`]: the pacer owns
/// the wait, so a retry is immediate (its `admit` waits); `throttled_done` throttled retries were
/// already made. A `Retry-After` above [`RetryPolicy::max_retry_after`] still stops the call.
pub(crate) fn decide_paced(
    policy: &RetryPolicy,
    retry_after: Option<Duration>,
    throttled_done: u32,
) -> Decision {
    let too_long = retry_after.is_some_and(|after| after > policy.max_retry_after);
    if too_long || throttled_done >= policy.max_throttled_retries {
        Decision::Stop
    } else {
        Decision::Retry(Duration::ZERO)
    }
}

/// Reads `Retry-After` (delay seconds or HTTP-date), or `retry-after-ms` / `x-ms-retry-after-ms`.
pub(crate) fn parse_retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    static MS_NAMES: [HeaderName; 2] = [
        HeaderName::from_static("retry-after-ms"),
        HeaderName::from_static("x-ms-retry-after-ms"),
    ];
    for name in &MS_NAMES {
        if let Some(ms) = header_str(headers, name).and_then(|v| v.parse::<f64>().ok())
            && ms.is_finite()
            && ms >= 0.0
        {
            return Some(Duration::from_secs_f64(ms / 1000.0));
        }
    }
    let value = header_str(headers, &http::header::RETRY_AFTER)?;
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    if let Ok(secs) = value.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

fn header_str<'a>(headers: &'a HeaderMap, name: &HeaderName) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Idempotency::*;

    const LONG: Duration = Duration::from_secs(3600);

    fn status(code: u16, retry_after: Option<u64>) -> Outcome {
        Outcome::Status {
            status: StatusCode::from_u16(code).expect("valid status"),
            retry_after: retry_after.map(Duration::from_secs),
        }
    }

    #[test]
    fn decision_table() {
        let p = RetryPolicy::default().with_jitter(false);
        let retry = |o, i| decide(&p, o, 0, i, LONG, 0.5) != Decision::Stop;
        // (outcome, idempotent?, not idempotent?)
        let table = [
            (Outcome::Connect, true, true),
            (Outcome::Timeout, true, false),
            (Outcome::Io, true, false),
            (status(408, None), true, false),
            (status(429, None), true, true),
            (status(500, None), true, false),
            (status(502, None), true, false),
            (status(503, None), true, false),
            (status(503, Some(1)), true, true),
            (status(504, None), true, false),
            (status(400, None), false, false),
            (status(401, None), false, false),
            (status(403, None), false, false),
            (status(404, None), false, false),
            (status(409, None), false, false),
            (status(501, None), false, false),
            (status(200, None), false, false),
        ];
        for (outcome, idem, not_idem) in table {
            assert_eq!(retry(outcome, Idempotent), idem, "{outcome:?} idempotent");
            assert_eq!(retry(outcome, Keyed), idem, "{outcome:?} keyed");
            assert_eq!(
                retry(outcome, NotIdempotent),
                not_idem,
                "{outcome:?} not idempotent"
            );
        }
    }

    #[test]
    fn throttles_are_429_and_503_with_retry_after_only() {
        assert_eq!(status(429, None).throttle(), Some(None));
        assert_eq!(
            status(429, Some(2)).throttle(),
            Some(Some(Duration::from_secs(2)))
        );
        assert_eq!(
            status(503, Some(1)).throttle(),
            Some(Some(Duration::from_secs(1)))
        );
        assert_eq!(status(503, None).throttle(), None);
        assert_eq!(status(500, None).throttle(), None);
        assert_eq!(Outcome::Connect.throttle(), None);
        // Every throttle is an attempt that cannot have acted.
        for o in [status(429, None), status(503, Some(1))] {
            assert!(!o.may_have_acted());
        }
    }

    #[test]
    fn paced_throttles_retry_at_once_within_their_own_allowance() {
        let p = RetryPolicy::default().with_max_throttled_retries(2);
        let secs = |n| Some(Duration::from_secs(n));
        assert_eq!(
            decide_paced(&p, secs(5), 0),
            Decision::Retry(Duration::ZERO)
        );
        assert_eq!(decide_paced(&p, None, 1), Decision::Retry(Duration::ZERO));
        assert_eq!(
            decide_paced(&p, secs(5), 2),
            Decision::Stop,
            "allowance used"
        );
        assert_eq!(
            decide_paced(&p, secs(61), 0),
            Decision::Stop,
            "above max_retry_after"
        );
    }

    #[test]
    fn may_have_acted_says_no_only_before_the_vendor_acts() {
        let table = [
            (Outcome::Connect, false),
            (Outcome::Timeout, true),
            (Outcome::Io, true),
            (status(408, None), true),
            (status(429, None), false),
            (status(429, Some(1)), false),
            (status(500, None), true),
            (status(502, None), true),
            (status(503, None), true),
            (status(503, Some(1)), false),
            (status(504, None), true),
        ];
        for (outcome, acted) in table {
            assert_eq!(outcome.may_have_acted(), acted, "{outcome:?}");
        }
    }

    #[test]
    fn backoff_grows_caps_and_jitters() {
        let p = RetryPolicy::default().with_jitter(false);
        let delays: Vec<_> = (0..10)
            .map(
                |n| match decide(&p, Outcome::Connect, n, Idempotent, LONG, 0.0) {
                    Decision::Retry(d) => Some(d),
                    Decision::Stop => None,
                },
            )
            .collect();
        assert_eq!(delays[0], Some(Duration::from_millis(200)));
        assert_eq!(delays[1], Some(Duration::from_millis(400)));
        assert_eq!(delays[2], Some(Duration::from_millis(800)));
        assert_eq!(delays[3], None, "max_retries = 3");
        let many = RetryPolicy::default()
            .with_max_retries(40)
            .with_jitter(false);
        assert_eq!(
            decide(&many, Outcome::Connect, 30, Idempotent, LONG, 0.0),
            Decision::Retry(Duration::from_secs(20))
        );
        let jittered = RetryPolicy::default();
        assert_eq!(
            decide(&jittered, Outcome::Connect, 2, Idempotent, LONG, 0.25),
            Decision::Retry(Duration::from_millis(200))
        );
        assert_eq!(
            decide(&jittered, Outcome::Connect, 2, Idempotent, LONG, 0.0),
            Decision::Retry(Duration::ZERO)
        );
    }

    #[test]
    fn retry_after_and_deadline() {
        let p = RetryPolicy::default().with_jitter(false);
        assert_eq!(
            decide(&p, status(429, Some(7)), 0, NotIdempotent, LONG, 0.0),
            Decision::Retry(Duration::from_secs(7))
        );
        assert_eq!(
            decide(&p, status(429, Some(61)), 0, Idempotent, LONG, 0.0),
            Decision::Stop,
            "above max_retry_after"
        );
        assert_eq!(
            decide(
                &p,
                status(429, Some(7)),
                0,
                Idempotent,
                Duration::from_secs(5),
                0.0
            ),
            Decision::Stop,
            "beyond the deadline"
        );
        assert_eq!(
            decide(
                &p,
                Outcome::Connect,
                0,
                Idempotent,
                Duration::from_millis(100),
                0.0
            ),
            Decision::Stop
        );
        assert_eq!(
            decide(
                &RetryPolicy::none(),
                status(503, None),
                0,
                Idempotent,
                LONG,
                0.0
            ),
            Decision::Stop
        );
    }

    #[test]
    fn parses_retry_after_forms() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let mut h = HeaderMap::new();
        assert_eq!(parse_retry_after(&h, now), None);
        h.insert("retry-after", "57".parse().expect("header"));
        assert_eq!(parse_retry_after(&h, now), Some(Duration::from_secs(57)));
        let date = httpdate::fmt_http_date(now + Duration::from_secs(30));
        h.insert("retry-after", date.parse().expect("header"));
        assert_eq!(parse_retry_after(&h, now), Some(Duration::from_secs(30)));
        let past = httpdate::fmt_http_date(now - Duration::from_secs(30));
        h.insert("retry-after", past.parse().expect("header"));
        assert_eq!(parse_retry_after(&h, now), Some(Duration::ZERO));
        h.insert("retry-after", "soon".parse().expect("header"));
        assert_eq!(parse_retry_after(&h, now), None);
        h.insert("x-ms-retry-after-ms", "1500".parse().expect("header"));
        assert_eq!(
            parse_retry_after(&h, now),
            Some(Duration::from_millis(1500))
        );
    }
}
