//! [`Transport`]: the shared HTTP pipeline (timeouts, retries, auth per attempt, body cap, tracing).
//!
//! For each logical call the pipeline runs, in order:
//! 1. fix the total deadline and the request ids (same on every attempt);
//! 2. per attempt: ask the credential for headers (a refreshed token is used on retry);
//! 3. send through the [`HttpSend`] with the per-attempt timeout (never past the deadline) and the
//!    body cap;
//! 4. on 401 with a token credential: drop the token and try once more with a fresh one;
//! 5. ask the [`RetryPolicy`] whether and when to retry, sleep, go to 2.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use tracing::Instrument;
use url::Url;

use crate::http_send::{HttpRequest, HttpResponse, HttpSend, ReqwestSend, SendError, SendOptions};
use crate::retry::{Decision, Outcome, decide, parse_retry_after};
use crate::{AuthHeaders, Credential, Error, Idempotency, RetryPolicy};

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
    /// `true` when `http` is a [`ReqwestSend`] built here or from a `reqwest::Client`: it applies
    /// the per-attempt timeout itself, so no second timer wraps each attempt.
    sender_enforces_timeout: bool,
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

    /// Runs one logical call through the pipeline; returns the final response whatever its status.
    ///
    /// The pipeline's state (the call, the attempt's request and response, the timers) lives in
    /// one heap allocation made here, so the futures of the layers above stay a few hundred bytes
    /// instead of carrying (and copying at every `.await`) kilobytes each.
    pub(crate) fn execute(
        &self,
        call: Call,
    ) -> Pin<Box<dyn Future<Output = Result<Exchange, Error>> + Send>> {
        let span = tracing::debug_span!(
            "offerkit.request",
            vendor = call.service_id,
            operation = call.operation,
            method = %call.method,
            path = call.url.path(),
            attempt = tracing::field::Empty,
            status = tracing::field::Empty,
            request_id = tracing::field::Empty,
            elapsed_ms = tracing::field::Empty,
        );
        Box::pin(self.clone().run(call, span.clone()).instrument(span))
    }

    /// The attempt loop. A plain `fn` returning an `async move` block, not an `async fn`: the
    /// block uses its captures in place, where an `async fn` would also copy its arguments into
    /// locals and carry both (this future is the one allocation of a call; keeping it small keeps
    /// it in the allocator's fast path).
    #[allow(
        clippy::manual_async_fn,
        reason = "an async fn would hold its arguments twice (see above)"
    )]
    fn run(
        self,
        mut call: Call,
        span: tracing::Span,
    ) -> impl Future<Output = Result<Exchange, Error>> + Send {
        async move {
            let inner = &*self.inner;
            let policy = call.retry.as_ref().unwrap_or(&inner.retry);
            let start = tokio::time::Instant::now();
            let total_timeout = call.total_timeout.unwrap_or(inner.total_timeout);
            let deadline = start + total_timeout;
            if !call.headers.contains_key(header::USER_AGENT) {
                call.headers
                    .insert(header::USER_AGENT, inner.user_agent.clone());
            }
            let mut attempts = 0u32;
            let mut retries = 0u32;
            let mut auth_retried = false;
            loop {
                attempts += 1;
                span.record("attempt", attempts);
                let mut waited_for_auth = false;
                let auth = match &call.credential {
                    Some(c) => match c.ready_auth_headers() {
                        Some(ready) => Some(ready),
                        None => {
                            waited_for_auth = true;
                            Some(c.auth_headers(&self).await?)
                        }
                    },
                    None => None,
                };
                // A first attempt that did not wait for a token starts with the whole budget (the
                // clock was just read); any other reads the clock again.
                let remaining = if attempts == 1 && !waited_for_auth {
                    total_timeout
                } else {
                    deadline.saturating_duration_since(tokio::time::Instant::now())
                };
                if remaining.is_zero() {
                    return Err(timeout_error(&call, start, attempts));
                }
                let options = SendOptions::new(inner.timeout.min(remaining), inner.max_body_bytes);
                let request = call.attempt_request(auth.as_ref());
                // One timer per attempt: the built-in reqwest client enforces `options.timeout`
                // itself (connect, send and the whole body); any other `HttpSend` is bounded here.
                let sent = if inner.sender_enforces_timeout {
                    inner.http.send(request, options).await
                } else {
                    // Boxed: only custom senders take this path, and a timer inline would grow
                    // every call's future.
                    Box::pin(tokio::time::timeout(
                        options.timeout,
                        inner.http.send(request, options),
                    ))
                    .await
                    .unwrap_or(Err(SendError::Timeout))
                };
                let result = match sent {
                    Ok(r) if r.body.len() > inner.max_body_bytes => Err(SendError::BodyTooLarge),
                    r => r,
                };
                let outcome = match &result {
                    // A success or a status the caller interprets: the answer, whatever the
                    // retry policy says.
                    Ok(r) if r.status.is_success() || call.accepted.contains(&r.status) => None,
                    Ok(response) => {
                        if response.status == StatusCode::UNAUTHORIZED
                            && !auth_retried
                            && let (Some(c), Some(a)) = (&call.credential, &auth)
                            && c.invalidate(a).await
                        {
                            auth_retried = true;
                            tracing::debug!(
                                attempt = attempts,
                                "401: token dropped, retrying once with a fresh token"
                            );
                            continue;
                        }
                        Some(Outcome::Status {
                            status: response.status,
                            // Only 4xx/5xx can be retried, so only they need `Retry-After`.
                            retry_after: if response.status.is_client_error()
                                || response.status.is_server_error()
                            {
                                parse_retry_after(&response.headers, SystemTime::now())
                            } else {
                                None
                            },
                        })
                    }
                    Err(SendError::BodyTooLarge) => {
                        return Err(Error::BodyTooLarge {
                            service: call.service,
                            operation: call.operation,
                            limit: inner.max_body_bytes,
                        });
                    }
                    Err(SendError::Connect(_)) => Some(Outcome::Connect),
                    Err(SendError::Timeout) => Some(Outcome::Timeout),
                    Err(SendError::Io(_)) => Some(Outcome::Io),
                };
                let decision = match outcome {
                    None => Decision::Stop,
                    Some(outcome) => decide(
                        policy,
                        outcome,
                        retries,
                        call.idempotency,
                        deadline.saturating_duration_since(tokio::time::Instant::now()),
                        fastrand::f64(),
                    ),
                };
                if let Decision::Retry(delay) = decision {
                    tracing::debug!(
                        attempt = attempts,
                        ?outcome,
                        delay_ms = delay.as_millis() as u64,
                        "retrying"
                    );
                    // Boxed for the same reason: most calls never wait.
                    Box::pin(tokio::time::sleep(delay)).await;
                    retries += 1;
                    continue;
                }
                if !span.is_disabled() {
                    span.record("elapsed_ms", start.elapsed().as_millis() as u64);
                }
                let response = match result {
                    Ok(response) => response,
                    Err(e) => {
                        return Err(send_error(&call, e, start, attempts, inner.max_body_bytes));
                    }
                };
                let request_id = call
                    .request_id_headers
                    .iter()
                    .find_map(|name| response.headers.get(*name).and_then(|v| v.to_str().ok()))
                    .map(str::to_owned);
                if !span.is_disabled() {
                    span.record("status", response.status.as_u16());
                    span.record("request_id", request_id.as_deref());
                }
                return Ok(Exchange {
                    accepted: call.accepted.contains(&response.status),
                    response,
                    attempts,
                    request_id,
                });
            }
        }
    }
}

fn timeout_error(call: &Call, start: tokio::time::Instant, attempts: u32) -> Error {
    Error::Timeout {
        service: call.service,
        operation: call.operation,
        elapsed: start.elapsed(),
        attempts,
    }
}

fn send_error(
    call: &Call,
    err: SendError,
    start: tokio::time::Instant,
    attempts: u32,
    limit: usize,
) -> Error {
    let (service, operation) = (call.service, call.operation);
    match err {
        SendError::Connect(source) => {
            let mut url = call.url.clone();
            url.set_query(None);
            Error::Connect {
                service,
                operation,
                url: url.to_string(),
                attempts,
                source,
            }
        }
        SendError::Timeout => timeout_error(call, start, attempts),
        SendError::Io(source) => Error::Io {
            service,
            operation,
            attempts,
            source,
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
    /// The service's name, for error messages.
    pub(crate) service: &'static str,
    /// The service's id, for the tracing span.
    pub(crate) service_id: &'static str,
    /// Response headers carrying the service's request id.
    pub(crate) request_id_headers: &'static [&'static str],
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
}

/// The final response of a call and how many attempts it took.
pub(crate) struct Exchange {
    pub(crate) response: HttpResponse,
    pub(crate) attempts: u32,
    /// The vendor's request id from the response headers.
    pub(crate) request_id: Option<String>,
    /// The status is one of the call's accepted statuses.
    pub(crate) accepted: bool,
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
        let sender_enforces_timeout = self.http.is_none();
        let http: Arc<dyn HttpSend> = match (self.http, self.reqwest) {
            (Some(http), _) => http,
            (None, Some(client)) => Arc::new(ReqwestSend::new(client)),
            (None, None) => {
                #[allow(unused_mut)]
                let mut builder = reqwest::Client::builder()
                    .connect_timeout(self.connect_timeout)
                    // The usual attempt timeout, set once; an attempt with less time left (near
                    // the call's deadline) sets its own.
                    .timeout(self.timeout)
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
                Arc::new(ReqwestSend::with_client_timeout(client, self.timeout))
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
                sender_enforces_timeout,
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
