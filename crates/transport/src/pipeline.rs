//! [`Transport`]: the shared HTTP pipeline (timeouts, retries, auth per attempt, body cap, tracing).
//!
//! For each logical call the pipeline runs, in order:
//! 1. fix the total deadline and the request ids (same on every attempt);
//! 2. per attempt: ask the credential for headers (a refreshed token is used on retry);
//! 3. send through the [`HttpSend`] with the per-attempt timeout (never past the deadline) and the
//!    body cap;
//! 4. on 401 with a token credential: drop the token and try once more with a fresh one;
//! 5. ask the [`RetryPolicy`] whether and when to retry, sleep, go to 2; a retried attempt that
//!    may have reached the vendor (anything but a connect failure, 429, or 503 with
//!    `Retry-After`) marks the answer [`Response::earlier_attempt_may_have_acted`].
//!
//! Inside a [`crate::pacing::scope`] each attempt first waits for the pacer's `admit` (that
//! time is not counted against the deadline), each answer is reported to the pacer, and a
//! throttled attempt's wait is the pacer's, not step 5's sleep.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use tokio::time::Instant;
use tracing::Instrument;
use url::Url;

use crate::http_send::{HttpRequest, HttpResponse, HttpSend, ReqwestSend, SendError, SendOptions};
use crate::pacing;
use crate::redact::scrubbed;
use crate::retry::{Decision, Outcome, decide, decide_paced, parse_retry_after};
use crate::{
    AuthHeaders, Credential, Error, Idempotency, Redactor, Response, RetryPolicy, Service,
};

/// The shared HTTP pipeline. Cheap to clone (an `Arc` inside); build one and share it between all
/// vendor clients so they reuse connections.
///
/// ```
/// use std::time::Duration;
/// use offerkit_transport::{RetryPolicy, Transport};
/// # fn main() -> Result<(), offerkit_transport::Error> {
/// let transport = Transport::builder()
///     .timeout(Duration::from_secs(20))
///     .retry_policy(RetryPolicy::default().with_max_retries(5))
///     .build()?;
/// # let _ = transport; Ok(()) }
/// ```
#[derive(Clone)]
pub struct Transport {
    inner: Arc<Inner>,
}

struct Inner {
    http: Arc<dyn HttpSend>,
    retry: RetryPolicy,
    timeout: Duration,
    total_timeout: Duration,
    max_body_bytes: usize,
    user_agent: HeaderValue,
}

impl Transport {
    /// The default connect timeout: 10 s.
    pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
    /// The default per-attempt timeout: 30 s.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
    /// The default total deadline of one call across all attempts: 60 s.
    pub const DEFAULT_TOTAL_TIMEOUT: Duration = Duration::from_secs(60);
    /// The default response body cap: 8 MiB.
    pub const DEFAULT_MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

    /// A transport with every default (rustls, retries on, timeouts as documented).
    pub fn new() -> Result<Self, Error> {
        Self::builder().build()
    }

    /// Starts configuring a transport.
    pub fn builder() -> TransportBuilder {
        TransportBuilder::default()
    }

    /// The retry policy.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    /// The response body cap in bytes.
    pub fn max_body_bytes(&self) -> usize {
        self.inner.max_body_bytes
    }

    /// Runs one logical call through the pipeline and returns the final response, whatever its
    /// status.
    pub(crate) async fn execute(&self, call: Call) -> Result<Response, Error> {
        let span = tracing::debug_span!(
            "offerkit.request",
            vendor = call.service.id(),
            operation = call.operation,
            method = %call.method,
            path = call.url.path(),
            attempt = tracing::field::Empty,
            status = tracing::field::Empty,
            request_id = tracing::field::Empty,
            elapsed_ms = tracing::field::Empty,
        );
        self.run(call, &span).instrument(span.clone()).await
    }

    /// The attempt loop: auth headers, one attempt, then [`decide`] whether to go again.
    async fn run(&self, mut call: Call, span: &tracing::Span) -> Result<Response, Error> {
        let inner = &*self.inner;
        let policy = call.retry.as_ref().unwrap_or(&inner.retry);
        let start = Instant::now();
        let mut deadline = start + call.total_timeout.unwrap_or(inner.total_timeout);
        if !call.headers.contains_key(header::USER_AGENT) {
            call.headers
                .insert(header::USER_AGENT, inner.user_agent.clone());
        }
        let mut attempts = 0u32;
        let mut retries = 0u32;
        let mut throttled_retries = 0u32;
        let mut auth_retried = false;
        // A batch's pacer (see `pacing`): looked up once per call; `None` costs nothing more.
        let pacer = pacing::current();
        // Set once a retried attempt may have reached the vendor and acted (its answer lost):
        // the final answer is then perhaps about this call's own earlier work.
        let mut earlier_attempt_may_have_acted = false;
        loop {
            attempts += 1;
            span.record("attempt", attempts);
            if let Some(pacer) = &pacer {
                // The pacer's queue is the caller's: it does not use up the call's deadline.
                let queued = Instant::now();
                pacer.admit().await;
                deadline += queued.elapsed();
            }
            let auth = match &call.credential {
                Some(c) => Some(c.auth_headers(self).await?),
                None => None,
            };
            // Read after the credential: time spent waiting for a token counts against the call.
            let remaining = deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                return Err(timeout_error(&call, start, attempts));
            }
            let result = self.attempt(&call, auth.as_ref(), remaining).await;
            let outcome = match &result {
                // A success or a status the caller interprets: the answer, whatever the retry
                // policy says.
                Ok(r) if r.status.is_success() || call.accepted.contains(&r.status) => None,
                Ok(r) => {
                    if r.status == StatusCode::UNAUTHORIZED
                        && !auth_retried
                        && let (Some(c), Some(a)) = (&call.credential, &auth)
                        && c.invalidate(a).await
                    {
                        auth_retried = true;
                        // An answer like any other for the pacer (it was admitted): not a 429.
                        if let Some(p) = pacer.as_deref() {
                            pacing::report(p, None, true);
                        }
                        tracing::debug!(
                            attempt = attempts,
                            "401: token dropped, retrying once with a fresh token"
                        );
                        continue;
                    }
                    Some(Outcome::Status {
                        status: r.status,
                        retry_after: parse_retry_after(&r.headers, SystemTime::now()),
                    })
                }
                Err(SendError::BodyTooLarge) => None,
                Err(SendError::Connect(_)) => Some(Outcome::Connect),
                Err(SendError::Timeout) => Some(Outcome::Timeout),
                Err(SendError::Io(_)) => Some(Outcome::Io),
            };
            let paced_throttle = pacer
                .as_deref()
                .and_then(|p| pacing::report(p, outcome, result.is_ok()));
            if let Some(outcome) = outcome {
                let decision = match paced_throttle {
                    Some(retry_after) => decide_paced(policy, retry_after, throttled_retries),
                    None => decide(
                        policy,
                        outcome,
                        retries,
                        call.idempotency,
                        deadline.saturating_duration_since(Instant::now()),
                        fastrand::f64(),
                    ),
                };
                if let Decision::Retry(delay) = decision {
                    if paced_throttle.is_some() {
                        // The pacer's next `admit` is the wait; nothing of this call's own.
                        tracing::debug!(attempt = attempts, ?outcome, "throttled: the pacer waits");
                        throttled_retries += 1;
                        continue;
                    }
                    tracing::debug!(
                        attempt = attempts,
                        ?outcome,
                        delay_ms = delay.as_millis() as u64,
                        "retrying"
                    );
                    tokio::time::sleep(delay).await;
                    retries += 1;
                    earlier_attempt_may_have_acted |= outcome.may_have_acted();
                    continue;
                }
            }
            span.record("elapsed_ms", start.elapsed().as_millis() as u64);
            let response =
                result.map_err(|e| send_error(&call, e, start, attempts, inner.max_body_bytes))?;
            return Ok(call.into_response(
                response,
                attempts,
                earlier_attempt_may_have_acted,
                span,
            ));
        }
    }

    /// One attempt: the call's request with this attempt's auth headers, sent within the
    /// attempt timeout (never past the deadline) and the body cap.
    async fn attempt(
        &self,
        call: &Call,
        auth: Option<&AuthHeaders>,
        remaining: Duration,
    ) -> Result<HttpResponse, SendError> {
        let inner = &*self.inner;
        let options = SendOptions::new(inner.timeout.min(remaining), inner.max_body_bytes);
        let request = call.attempt_request(auth);
        match tokio::time::timeout(options.timeout, inner.http.send(request, options)).await {
            Ok(Ok(r)) if r.body.len() > inner.max_body_bytes => Err(SendError::BodyTooLarge),
            Ok(sent) => sent,
            Err(_elapsed) => Err(SendError::Timeout),
        }
    }
}

fn timeout_error(call: &Call, start: Instant, attempts: u32) -> Error {
    Error::Timeout {
        service: call.service.name(),
        operation: call.operation,
        elapsed: start.elapsed(),
        attempts,
    }
}

fn send_error(call: &Call, err: SendError, start: Instant, attempts: u32, limit: usize) -> Error {
    let (service, operation) = (call.service.name(), call.operation);
    match err {
        SendError::Connect(source) => {
            let mut url = call.url.clone();
            url.set_query(None);
            Error::Connect {
                service,
                operation,
                url: url.to_string(),
                attempts,
                source: scrubbed(source),
            }
        }
        SendError::Timeout => timeout_error(call, start, attempts),
        SendError::Io(source) => Error::Io {
            service,
            operation,
            attempts,
            source: scrubbed(source),
        },
        SendError::BodyTooLarge => Error::BodyTooLarge {
            service,
            operation,
            limit,
        },
    }
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transport")
            .field("http", &self.inner.http)
            .field("retry", &self.inner.retry)
            .field("timeout", &self.inner.timeout)
            .field("total_timeout", &self.inner.total_timeout)
            .field("max_body_bytes", &self.inner.max_body_bytes)
            .finish()
    }
}

/// One logical call as the pipeline sees it. Owned, so the pipeline's future borrows nothing.
pub(crate) struct Call {
    pub(crate) service: &'static Service,
    pub(crate) operation: &'static str,
    pub(crate) method: Method,
    pub(crate) url: Url,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    pub(crate) idempotency: Idempotency,
    pub(crate) credential: Option<Arc<dyn Credential>>,
    pub(crate) total_timeout: Option<Duration>,
    pub(crate) retry: Option<RetryPolicy>,
    /// Statuses the caller interprets itself: never retried.
    pub(crate) accepted: Vec<StatusCode>,
    /// The idempotency key sent (Partner Center `MS-RequestId`), the request id when the answer
    /// carries none.
    pub(crate) request_id: Option<String>,
    /// The correlation id sent (Partner Center `MS-CorrelationId`).
    pub(crate) correlation_id: Option<String>,
}

impl Call {
    /// The request of one attempt: the call's headers plus this attempt's auth headers.
    fn attempt_request(&self, auth: Option<&AuthHeaders>) -> HttpRequest {
        let mut headers = self.headers.clone();
        if let Some(auth) = auth {
            for (name, value) in auth.headers() {
                headers.insert(name.clone(), value.clone());
            }
        }
        HttpRequest {
            method: self.method.clone(),
            url: self.url.clone(),
            headers,
            body: self.body.clone(),
        }
    }

    /// The final answer as a [`Response`], with the vendor's request id when it sent one.
    fn into_response(
        self,
        response: HttpResponse,
        attempts: u32,
        earlier_attempt_may_have_acted: bool,
        span: &tracing::Span,
    ) -> Response {
        let answered_id = self
            .service
            .request_id_header_names()
            .iter()
            .find_map(|name| response.headers.get(*name).and_then(|v| v.to_str().ok()))
            .map(|id| Redactor::global().scrub(id).into_owned());
        span.record("status", response.status.as_u16());
        span.record("request_id", answered_id.as_deref());
        Response {
            accepted: self.accepted.contains(&response.status),
            service: self.service,
            operation: self.operation,
            status: response.status,
            headers: response.headers,
            body: response.body,
            request_id: answered_id.or(self.request_id),
            correlation_id: self.correlation_id,
            attempts,
            earlier_attempt_may_have_acted,
        }
    }
}

/// Configures a [`Transport`]. Every setting has a documented default.
pub struct TransportBuilder {
    connect_timeout: Duration,
    timeout: Duration,
    total_timeout: Duration,
    max_body_bytes: usize,
    retry: RetryPolicy,
    http: Option<Arc<dyn HttpSend>>,
    reqwest: Option<reqwest::Client>,
    user_agent: String,
    #[cfg(feature = "native-tls")]
    native_tls: bool,
}

impl Default for TransportBuilder {
    fn default() -> Self {
        Self {
            connect_timeout: Transport::DEFAULT_CONNECT_TIMEOUT,
            timeout: Transport::DEFAULT_TIMEOUT,
            total_timeout: Transport::DEFAULT_TOTAL_TIMEOUT,
            max_body_bytes: Transport::DEFAULT_MAX_BODY_BYTES,
            retry: RetryPolicy::default(),
            http: None,
            reqwest: None,
            user_agent: concat!("offerkit/", env!("CARGO_PKG_VERSION")).to_owned(),
            #[cfg(feature = "native-tls")]
            native_tls: false,
        }
    }
}

impl TransportBuilder {
    /// Time allowed to open a connection (default 10 s). Applies to the built-in reqwest client only.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Time allowed for one attempt, body included (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Time allowed for one call across all attempts and waits (default 60 s).
    pub fn total_timeout(mut self, timeout: Duration) -> Self {
        self.total_timeout = timeout;
        self
    }

    /// The largest response body read (default 8 MiB); larger is [`Error::BodyTooLarge`].
    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        self.max_body_bytes = bytes;
        self
    }

    /// Replaces the retry policy ([`RetryPolicy::none`] turns retries off).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Uses your own `reqwest::Client` (proxy, TLS roots, ...). Its redirect, proxy and connect
    /// timeout settings apply; offerkit's per-attempt timeout, retries and body cap still do.
    pub fn reqwest_client(mut self, client: reqwest::Client) -> Self {
        self.reqwest = Some(client);
        self
    }

    /// Uses any [`HttpSend`] (another HTTP stack, or `MockTransport` from the `test-util` feature).
    pub fn http_client(mut self, http: impl HttpSend + 'static) -> Self {
        self.http = Some(Arc::new(http));
        self
    }

    /// Sets the `User-Agent` (default `offerkit/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Uses the platform TLS stack instead of rustls for the built-in client.
    #[cfg(feature = "native-tls")]
    pub fn native_tls(mut self, on: bool) -> Self {
        self.native_tls = on;
        self
    }

    /// Builds the transport.
    pub fn build(self) -> Result<Transport, Error> {
        let user_agent = HeaderValue::from_str(&self.user_agent).map_err(|_| {
            Error::invalid_input("user_agent", "contains characters not allowed in a header")
        })?;
        let http: Arc<dyn HttpSend> = match (self.http, self.reqwest) {
            (Some(http), _) => http,
            (None, Some(client)) => Arc::new(ReqwestSend::new(client)),
            (None, None) => {
                #[allow(unused_mut)]
                let mut builder = reqwest::Client::builder()
                    .connect_timeout(self.connect_timeout)
                    .redirect(reqwest::redirect::Policy::none())
                    .pool_idle_timeout(Duration::from_secs(90));
                #[cfg(feature = "native-tls")]
                if self.native_tls {
                    builder = builder.use_native_tls();
                }
                let client = builder.build().map_err(|e| {
                    Error::invalid_input(
                        "http client",
                        format!("the HTTP client could not be built: {e}"),
                    )
                })?;
                Arc::new(ReqwestSend::new(client))
            }
        };
        Ok(Transport {
            inner: Arc::new(Inner {
                http,
                retry: self.retry,
                timeout: self.timeout,
                total_timeout: self.total_timeout,
                max_body_bytes: self.max_body_bytes,
                user_agent,
            }),
        })
    }
}

impl fmt::Debug for TransportBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransportBuilder")
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("total_timeout", &self.total_timeout)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}
