//! The server: the running [`Sandbox`] handle and the request pipeline every request goes through
//! (body cap, routing, faults, auth, handler, unknown-field warning, journal).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::Value;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::SandboxError;
use crate::accept;
use crate::app::App;
use crate::config::SandboxConfig;
use crate::control::{CONTROL, SEED_ROUTE};
use crate::faults::{Decision, FaultId, FaultKind, FaultRule, FaultTiming};
use crate::journal::{JournalEntry, JournalStorage, api_label};
use crate::quota::{Admission, Quotas};
use crate::reply::{Ctx, Reply};
use crate::routing::{Api, Matched};
use crate::store::SeedMode;
use crate::unknown::warning_header;
use crate::util::form::parse_form;
use crate::vendors::{self, identity::Audience};

/// Header carrying the unknown-field report.
pub const WARNING_HEADER: &str = "x-offerkit-sandbox-warning";

/// A running sandbox. Dropping it stops the server (use [`Sandbox::shutdown`] to also wait and
/// flush the state file).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), offerkit_sandbox::SandboxError> {
/// use offerkit_sandbox::Sandbox;
/// let sandbox = Sandbox::start().await?;
/// assert!(sandbox.base_url().starts_with("http://127.0.0.1:"));
/// sandbox.seed(&serde_json::json!({"appcharge": {"offers": [
///     {"publisherOfferId": "starter-pack", "name": "Starter pack", "type": "Bundle"}
/// ]}}))?;
/// assert_eq!(sandbox.count("DELETE", "/v2/offer/starter-pack"), 0);
/// sandbox.shutdown().await?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Sandbox {
    shared: Arc<App>,
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<()>>,
    flusher: Option<JoinHandle<()>>,
}

impl Sandbox {
    /// Starts a sandbox on 127.0.0.1 on a free port, with in-memory state.
    pub async fn start() -> Result<Self, SandboxError> {
        Self::start_with(SandboxConfig::default()).await
    }

    /// Starts a sandbox with `config`: binds, loads the state file (or else the seed file), and serves.
    pub async fn start_with(config: SandboxConfig) -> Result<Self, SandboxError> {
        let listener = tokio::net::TcpListener::bind((config.host.as_str(), config.port))
            .await
            .map_err(|e| SandboxError::Bind(format!("{}:{}", config.host, config.port), e))?;
        let addr = listener.local_addr().map_err(SandboxError::Io)?;
        // Bound to every interface (0.0.0.0 or ::): the URL names the loopback address of the
        // same family, which reaches it from this machine.
        let host = match addr.ip() {
            ip if !ip.is_unspecified() => ip.to_string(),
            std::net::IpAddr::V4(_) => "127.0.0.1".to_owned(),
            std::net::IpAddr::V6(_) => "::1".to_owned(),
        };
        let base_url = if addr.is_ipv6() {
            format!("http://[{host}]:{}", addr.port())
        } else {
            format!("http://{host}:{}", addr.port())
        };
        let shared = Arc::new(App::new(config, base_url));
        shared.load_initial()?;

        let router = Router::new().fallback(dispatch).with_state(shared.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(accept::serve(
            listener,
            router,
            shared.config.read_timeout,
            stopped,
        ));
        let flusher = shared.config.state_file.is_some().then(|| {
            let sh = shared.clone();
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    let sh2 = sh.clone();
                    let res = tokio::task::spawn_blocking(move || sh2.flush()).await;
                    if let Ok(Err(e)) = res {
                        tracing::warn!(error = %e, "could not write the sandbox state file");
                    }
                }
            })
        });
        tracing::info!(base_url = %shared.base_url, "offerkit sandbox listening");
        Ok(Self {
            shared,
            addr,
            stop: Some(stop),
            server: Some(server),
            flusher,
        })
    }

    /// The root URL, e.g. `http://127.0.0.1:40123`. Every vendor's base URL is derived from it:
    /// ingestion `{root}/rp/product-ingestion`, orders `{root}/v1`, Adobe `{root}/data/core/dps`,
    /// Appcharge `{root}`, Azure AD `{root}/{tenant}/oauth2/token`, IMS `{root}/ims/token/v3`.
    pub fn base_url(&self) -> &str {
        &self.shared.base_url
    }

    /// The bound socket address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting requests, lets in-flight ones finish (up to 5 s) and writes the state file.
    pub async fn shutdown(mut self) -> Result<(), SandboxError> {
        self.stop_and_join().await
    }

    /// Serves until Ctrl-C (SIGINT) or, on Unix, SIGTERM, then shuts down like
    /// [`Sandbox::shutdown`]: stops accepting, lets in-flight requests finish, writes the state
    /// file. For the CLI. The signal handlers are installed by this call, before the future is
    /// first polled, so a signal sent as soon as it returns (say, after a "listening" line printed
    /// in between) is not missed. Call it inside a Tokio runtime.
    pub fn wait(mut self) -> impl Future<Output = Result<(), SandboxError>> {
        let signal = stop_signal();
        async move {
            signal.await;
            self.stop_and_join().await
        }
    }

    async fn stop_and_join(&mut self) -> Result<(), SandboxError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            let abort = server.abort_handle();
            if tokio::time::timeout(Duration::from_secs(5), server)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
        if let Some(f) = self.flusher.take() {
            f.abort();
        }
        let sh = self.shared.clone();
        tokio::task::spawn_blocking(move || sh.flush())
            .await
            .map_err(|e| SandboxError::Io(std::io::Error::other(e)))?
    }

    /// Journal entries kept in memory, oldest first (control-API calls are not journaled).
    pub fn journal(&self) -> Vec<JournalEntry> {
        self.shared.journal.entries(None, None, None)
    }

    /// How many `method path` requests reached the server (path without query, e.g.
    /// `count("DELETE", "/v2/offer/abc")`), faulted ones included. A path first seen after
    /// [`SandboxConfig::max_counted_paths`] distinct ones is counted only in the overflow bucket
    /// of [`Sandbox::counts`] (this answers 0 for it).
    pub fn count(&self, method: &str, path: &str) -> u64 {
        self.shared.journal.count(method, path)
    }

    /// How many `method path` requests reached the handler: no fault answered first and the
    /// request was not refused early (auth, body cap). Includes handler answers such as 404.
    pub fn acted_count(&self, method: &str, path: &str) -> u64 {
        self.shared.journal.acted_count(method, path)
    }

    /// How many `method path` requests reached the handler and were answered with a 2xx: for
    /// a delete, the number of times the resource was actually removed (a repeat answers 404).
    pub fn succeeded_count(&self, method: &str, path: &str) -> u64 {
        self.shared.journal.succeeded_count(method, path)
    }

    /// How many `method path` requests changed the sandbox's state: a cancel PATCH whose
    /// lines were already at quantity 0 reached the handler and answered 200, but is not counted.
    pub fn mutated_count(&self, method: &str, path: &str) -> u64 {
        self.shared.journal.mutated_count(method, path)
    }

    /// The journal counters as JSON (`total`, `byPath`, `actedByPath`, `succeededByPath`,
    /// `mutatedByPath`, `byRoute`). Past [`SandboxConfig::max_counted_paths`] distinct paths, new
    /// ones are counted under `"(other paths)"`, so the sums still equal `total`.
    pub fn counts(&self) -> Value {
        self.shared.journal.counts_json()
    }

    /// What the journal holds against its limits (also `storage` in `GET /_sandbox/journal`).
    pub fn journal_storage(&self) -> JournalStorage {
        self.shared.journal.storage()
    }

    /// Forgets journal entries and counters.
    pub fn clear_journal(&self) {
        self.shared.journal.clear();
    }

    /// Adds a fault rule (same rules as `POST /_sandbox/faults`).
    pub fn inject_fault(&self, rule: FaultRule) -> Result<FaultId, SandboxError> {
        self.shared.faults.add(rule).map_err(SandboxError::Fault)
    }

    /// Removes one fault rule; returns whether it existed.
    pub fn remove_fault(&self, id: FaultId) -> bool {
        self.shared.faults.remove(id.0)
    }

    /// Removes every fault rule.
    pub fn clear_faults(&self) {
        self.shared.faults.clear();
    }

    /// Merges a seed document (the `--seed` / `GET /_sandbox/state` format) into the state.
    pub fn seed(&self, seed: &Value) -> Result<(), SandboxError> {
        self.shared
            .seed(seed, SeedMode::Merge)
            .map(|_| ())
            .map_err(SandboxError::Seed)
    }

    /// Replaces the whole state with a seed document.
    pub fn seed_replace(&self, seed: &Value) -> Result<(), SandboxError> {
        self.shared
            .seed(seed, SeedMode::Replace)
            .map(|_| ())
            .map_err(SandboxError::Seed)
    }

    /// Empties every store (tokens, faults and the journal are kept).
    pub fn reset(&self) {
        self.shared.stores.clear();
        self.shared.mark_dirty();
    }

    /// The whole state in seed format.
    pub fn state(&self) -> Value {
        self.shared.snapshot()
    }

    /// The sandbox's current time: the real clock until [`Sandbox::set_clock`] or
    /// [`Sandbox::advance_clock`] (same as `GET /_sandbox/clock`).
    pub fn now(&self) -> SystemTime {
        let ms = self.shared.clock.unix_millis();
        let since_epoch = Duration::from_millis(ms.unsigned_abs());
        if ms >= 0 {
            UNIX_EPOCH + since_epoch
        } else {
            UNIX_EPOCH - since_epoch
        }
    }

    /// Stops the sandbox's clock at `now`: cancellation windows, job progression by time, token
    /// expiry and every timestamp the sandbox writes read it (same as `POST /_sandbox/clock`
    /// with `{"now": …}`). It moves only when advanced, until [`Sandbox::use_real_clock`].
    pub fn set_clock(&self, now: SystemTime) {
        let ms = match now.duration_since(UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
            Err(e) => i64::try_from(e.duration().as_millis()).map_or(i64::MIN, |ms| -ms),
        };
        self.shared.clock.set(ms);
    }

    /// Moves the sandbox's clock forward by `by` (a real clock stops at now + `by`); same as
    /// `POST /_sandbox/clock` with `{"advanceSeconds": …}`.
    pub fn advance_clock(&self, by: Duration) {
        self.shared
            .clock
            .advance(i64::try_from(by.as_millis()).unwrap_or(i64::MAX));
    }

    /// Follows the real clock again (same as `DELETE /_sandbox/clock`).
    pub fn use_real_clock(&self) {
        self.shared.clock.use_real();
    }

    /// The quotas in force (same as `GET /_sandbox/quotas`'s `quotas`).
    pub fn quotas(&self) -> Quotas {
        self.shared.quotas.quotas()
    }

    /// Replaces the quotas (an empty [`Quotas`] throttles nothing); every bucket starts full
    /// (same as `PUT /_sandbox/quotas`).
    pub fn set_quotas(&self, quotas: Quotas) {
        self.shared.quotas.set(quotas);
    }

    /// Refills every quota bucket (same as `POST /_sandbox/quotas/reset`); the journal's
    /// throttle counters are cleared with [`Sandbox::clear_journal`].
    pub fn refill_quotas(&self) {
        self.shared.quotas.refill_all();
    }

    /// How many requests a quota bucket refused with a 429, e.g.
    /// `throttled_count(Some("partner-center-orders:customer:c1"))`; every bucket's with `None`.
    /// Publisher tokens are named by a digest: `appcharge:token:sha256-<8 hex>` (see
    /// `GET /_sandbox/quotas`).
    pub fn throttled_count(&self, bucket: Option<&str>) -> u64 {
        self.shared.journal.throttled_count(bucket)
    }

    /// How many requests a quota bucket admitted (took a token for).
    pub fn admitted_count(&self, bucket: &str) -> u64 {
        self.shared.journal.admitted_count(bucket)
    }

    /// Issues a bearer token without the token endpoint (lifetime from the config).
    pub fn issue_token(&self, audience: Audience) -> String {
        let lifetime = match audience {
            Audience::Adobe => self.shared.config.ims_token_lifetime,
            _ => self.shared.config.azure_token_lifetime,
        };
        let secs = i64::try_from(lifetime.as_secs()).unwrap_or(i64::MAX / 2);
        self.shared
            .stores
            .identity
            .issue(&self.shared.ids, audience, "sandbox-test", secs)
            .access_token
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(f) = self.flusher.take() {
            f.abort();
        }
        let _ = self.shared.flush();
    }
}

/// Installs the SIGTERM and SIGINT handlers now; the future completes on the first of them.
#[cfg(unix)]
fn stop_signal() -> impl Future<Output = ()> {
    use tokio::signal::unix::{SignalKind, signal};
    let term = signal(SignalKind::terminate());
    let interrupt = signal(SignalKind::interrupt());
    async move {
        match (term, interrupt) {
            (Ok(mut term), Ok(mut interrupt)) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = interrupt.recv() => {}
                }
            }
            // No handler could be installed: Ctrl-C is still honoured.
            _ => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
}

/// Ctrl-C.
#[cfg(not(unix))]
fn stop_signal() -> impl Future<Output = ()> {
    async {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// What the pipeline sends.
enum Outcome {
    Reply(Reply),
    Truncate(Reply),
    Drop,
}

/// The API that claims `path` (by prefix, repeated slashes ignored), if any.
fn owner(path: &str) -> Option<&'static Api> {
    let normal: String = path
        .split('/')
        .filter(|s| !s.is_empty())
        .flat_map(|s| ["/", s])
        .collect();
    vendors::apis()
        .chain([&CONTROL])
        .find(|api| (api.owns)(&normal))
}

/// The single entry point for every request.
async fn dispatch(State(app): State<Arc<App>>, req: Request) -> Response {
    let started = Instant::now();
    let time = app.clock.rfc3339();
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_owned();
    let raw_query = parts.uri.query().unwrap_or("").to_owned();
    let api = owner(&path);
    let matched = api.and_then(|a| a.matches(&path));
    let cap = body_cap(&app.config, matched.as_ref());
    let declared_too_big = parts
        .headers
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .is_some_and(|n| n > cap as u64);
    let (bytes, body_read) = if declared_too_big {
        (bytes::Bytes::new(), BodyRead::TooBig(cap))
    } else {
        let read = axum::body::to_bytes(body, cap);
        match tokio::time::timeout(app.config.read_timeout, read).await {
            Ok(Ok(b)) => (b, BodyRead::Complete),
            Ok(Err(_)) => (bytes::Bytes::new(), BodyRead::TooBig(cap)),
            Err(_) => (bytes::Bytes::new(), BodyRead::TooSlow),
        }
    };
    let ctx = Ctx {
        method: parts.method,
        query: parse_form(&raw_query),
        path,
        raw_query,
        headers: parts.headers,
        body: bytes,
        api,
        params: matched
            .as_ref()
            .map(|m| m.params.clone())
            .unwrap_or_default(),
    };
    let is_control = api.is_some_and(|a| std::ptr::eq(a, &CONTROL));
    let decision = if is_control {
        None
    } else {
        app.faults.decide(ctx.method.as_str(), &ctx.path)
    };

    let mut acted = false;
    let mut mutated = false;
    let mut quota = QuotaNote::default();
    // An "after" delay is served once the change is made and journaled, so a client that
    // gives up (or is killed) while waiting cannot hide a change that really happened.
    let mut delay_after = None;
    let outcome = match decision {
        Some(d)
            if d.timing == FaultTiming::Before && !matches!(d.kind, FaultKind::Delay { .. }) =>
        {
            fault_outcome(d, &ctx, None)
        }
        _ => {
            if let Some(Decision {
                kind: FaultKind::Delay { millis },
                timing: FaultTiming::Before,
            }) = decision
            {
                tokio::time::sleep(Duration::from_millis(millis)).await;
            }
            let reply = process(
                &ctx,
                &app,
                matched.as_ref(),
                body_read,
                &mut acted,
                &mut quota,
            );
            mutated = reply.mutated;
            if reply.mutated {
                app.mark_dirty();
            }
            match decision {
                Some(d) if d.timing == FaultTiming::After => {
                    if let FaultKind::Delay { millis } = d.kind {
                        delay_after = Some(Duration::from_millis(millis));
                        Outcome::Reply(reply)
                    } else {
                        fault_outcome(d, &ctx, Some(reply))
                    }
                }
                _ => Outcome::Reply(reply),
            }
        }
    };

    let (status, unknown) = match &outcome {
        Outcome::Reply(r) | Outcome::Truncate(r) => (r.status.as_u16(), r.unknown_fields.clone()),
        Outcome::Drop => (0, Vec::new()),
    };
    if !is_control {
        app.journal.record(JournalEntry {
            seq: 0,
            time,
            method: ctx.method.to_string(),
            path: ctx.path.clone(),
            query: ctx.raw_query.clone(),
            truncated: false,
            route: matched.as_ref().map(|m| m.template.to_owned()),
            resource_id: matched
                .as_ref()
                .and_then(Matched::resource_id)
                .map(str::to_owned),
            vendor: api_label(api).to_owned(),
            status,
            duration_micros: u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
            acted,
            mutated,
            fault: decision.map(|d| d.label()),
            unknown_fields: unknown,
            quota_buckets: quota.buckets,
            throttled_by: quota.throttled_by,
        });
    }
    if let Some(delay) = delay_after {
        tokio::time::sleep(delay).await;
    }
    into_response(outcome)
}

/// How reading the request body ended.
#[derive(Debug, Clone, Copy)]
enum BodyRead {
    Complete,
    /// Larger than this cap.
    TooBig(usize),
    /// Not complete within the read timeout.
    TooSlow,
}

/// The largest body a request may send: the seed route takes whole data sets.
fn body_cap(config: &SandboxConfig, matched: Option<&Matched>) -> usize {
    match matched {
        Some(m) if m.template == SEED_ROUTE => config.max_seed_body_bytes,
        _ => config.max_body_bytes,
    }
}

/// What the quota check did to a request, for the journal.
#[derive(Debug, Default)]
struct QuotaNote {
    /// The buckets it took a token from.
    buckets: Vec<String>,
    /// The empty bucket that refused it.
    throttled_by: Option<String>,
}

/// Routing, body cap and read timeout, auth, the quota check and the handler.
fn process(
    ctx: &Ctx,
    app: &App,
    matched: Option<&Matched>,
    body_read: BodyRead,
    acted: &mut bool,
    quota: &mut QuotaNote,
) -> Reply {
    let (Some(api), Some(m)) = (ctx.api, matched) else {
        return not_found(ctx);
    };
    let Some(route) = api.route(m.template, ctx.method.as_str()) else {
        return method_not_allowed(ctx, api, m.template);
    };
    match body_read {
        BodyRead::Complete => {}
        BodyRead::TooBig(cap) => {
            let msg = format!("The request body is larger than the sandbox limit of {cap} bytes.");
            return ctx.error(StatusCode::PAYLOAD_TOO_LARGE, &msg, false);
        }
        BodyRead::TooSlow => {
            let msg = format!(
                "The request body did not arrive within the sandbox's read timeout of {} ms.",
                app.config.read_timeout.as_millis()
            );
            // The rest of the body may still come: the connection cannot be reused.
            return ctx
                .error(StatusCode::REQUEST_TIMEOUT, &msg, false)
                .header("connection", "close");
        }
    }
    if let Some(authorize) = api.authorize
        && let Some(refusal) = authorize(ctx, app)
    {
        return refusal;
    }
    // After the credential check (a refused request costs no quota, and the token's tenant is
    // known), before the handler: a throttled request changes nothing.
    if let Some(buckets) = api.quota_buckets
        && app.quotas.is_active()
    {
        match app
            .quotas
            .admit(&buckets(ctx, app), app.clock.unix_millis())
        {
            Admission::Free => {}
            Admission::Admitted(labels) => quota.buckets = labels,
            Admission::Throttled {
                bucket,
                retry_after_secs,
            } => {
                quota.throttled_by = Some(bucket);
                return api.throttled(retry_after_secs, &ctx.url());
            }
        }
    }
    *acted = true;
    (route.handler)(ctx, app)
}

/// 404 for an unknown path, in the dialect its prefix suggests.
fn not_found(ctx: &Ctx) -> Reply {
    let msg = format!(
        "No route for {} {}. Served prefixes: /rp/product-ingestion, /v1/customers, /data/core/dps/offers, /v2/offer, /{{tenant}}/oauth2, /ims/token/v3, /_sandbox (see /_sandbox/openapi.json).",
        ctx.method, ctx.path
    );
    ctx.error(StatusCode::NOT_FOUND, &msg, false)
}

/// 405 with an `Allow` header.
fn method_not_allowed(ctx: &Ctx, api: &Api, template: &str) -> Reply {
    let allow = api.methods(template).join(", ");
    let msg = format!(
        "{} is not supported on {template}; allowed: {allow}",
        ctx.method
    );
    ctx.error(StatusCode::METHOD_NOT_ALLOWED, &msg, false)
        .header("allow", allow)
}

fn fault_outcome(d: Decision, ctx: &Ctx, real: Option<Reply>) -> Outcome {
    match d.kind {
        FaultKind::Throttle {
            retry_after_seconds,
        } => {
            let api = ctx.api.unwrap_or(&CONTROL);
            Outcome::Reply(api.throttled(retry_after_seconds, &ctx.url()))
        }
        FaultKind::Status { status } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            let msg = format!("Injected fault: the service answered {status}.");
            Outcome::Reply(ctx.error(status, &msg, true))
        }
        FaultKind::Drop => Outcome::Drop,
        FaultKind::Truncate => Outcome::Truncate(real.unwrap_or_else(|| {
            ctx.error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Injected fault: truncated error response.",
                true,
            )
        })),
        FaultKind::Delay { .. } => {
            Outcome::Reply(real.unwrap_or_else(|| Reply::empty(StatusCode::OK)))
        }
    }
}

fn into_response(outcome: Outcome) -> Response {
    let (mut reply, truncate) = match outcome {
        Outcome::Drop => {
            let stream = futures::stream::iter(vec![Err::<bytes::Bytes, std::io::Error>(
                std::io::Error::other("injected fault: connection dropped"),
            )]);
            let mut resp = Response::new(Body::from_stream(stream));
            resp.headers_mut()
                .insert("content-length", HeaderValue::from_static("64"));
            return resp;
        }
        Outcome::Reply(r) => (r, false),
        Outcome::Truncate(r) => (r, true),
    };
    let is_json = reply.is_json();
    let bytes = reply.take_body_bytes();
    let mut resp = if truncate {
        let full = bytes.len().max(2);
        let half = bytes::Bytes::copy_from_slice(&bytes[..bytes.len() / 2]);
        // Yield half the body, give hyper time to flush it, then fail the stream: the client sees
        // the headers and a short body, then the connection closes.
        let stream = futures::StreamExt::chain(
            futures::stream::iter(vec![Ok::<bytes::Bytes, std::io::Error>(half)]),
            futures::stream::once(async {
                tokio::time::sleep(Duration::from_millis(20)).await;
                Err(std::io::Error::other("injected fault: truncated body"))
            }),
        );
        let mut resp = Response::new(Body::from_stream(stream));
        if let Ok(v) = HeaderValue::from_str(&full.to_string()) {
            resp.headers_mut().insert("content-length", v);
        }
        resp
    } else {
        Response::new(Body::from(bytes))
    };
    *resp.status_mut() = reply.status;
    let headers = resp.headers_mut();
    if is_json {
        headers.insert(
            "content-type",
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
    }
    for (name, value) in &reply.headers {
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            headers.append(n, v);
        }
    }
    if !reply.unknown_fields.is_empty()
        && let Ok(v) = HeaderValue::from_str(&warning_header(&reply.unknown_fields))
    {
        headers.insert(WARNING_HEADER, v);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::owner;

    /// The API and template a path resolves to, with its parameters.
    fn resolve(path: &str) -> Option<(&'static str, Vec<(&'static str, String)>)> {
        let m = owner(path)?.matches(path)?;
        Some((m.template, m.params))
    }

    #[test]
    fn resolves_vendor_paths() {
        assert_eq!(
            resolve("/rp/product-ingestion/private-offer/query"),
            Some(("/rp/product-ingestion/private-offer/query", vec![]))
        );
        assert_eq!(
            resolve("/rp/product-ingestion/private-offer/private-offer/x"),
            Some((
                "/rp/product-ingestion/private-offer/{id}",
                vec![("id", "x".to_owned())]
            ))
        );
        assert_eq!(
            resolve("/data/core/dps//offers/a%20b/"),
            Some(("/data/core/dps/offers/{id}", vec![("id", "a b".to_owned())]))
        );
        assert_eq!(
            resolve("/t/oauth2/v2.0/token"),
            Some((
                "/{tenant}/oauth2/v2.0/token",
                vec![("tenant", "t".to_owned())]
            ))
        );
        assert_eq!(
            resolve("/v1/customers/c/orders/o"),
            Some((
                "/v1/customers/{customerId}/orders/{orderId}",
                vec![("customerId", "c".to_owned()), ("orderId", "o".to_owned())]
            ))
        );
        assert_eq!(resolve("/nope"), None);
    }
}
