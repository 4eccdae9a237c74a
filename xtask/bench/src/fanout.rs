//! Figure 2's baseline: a bare `reqwest` fan-out (fixed concurrency) sending the HTTP calls the
//! offerkit CLI sends for the same targets, against a sandbox: one token per credential
//! (Azure AD for ingestion, Azure AD for orders, Adobe IMS), then per target
//! - ingestion delete: `GET /private-offer/{id}` (state check, as the ingestion crate does), `POST
//!   /configure` with the private offer in state `deleted`, then `GET /configure/{jobId}/status`
//!   every `poll_ms` until `completed`;
//! - orders cancel: `GET` the order (as the orders crate does), then `PATCH
//!   /v1/customers/{c}/orders/{o}` with `{"status":"cancelled"}`;
//! - Adobe delete: `DELETE /data/core/dps/offers/{id}?offer-type=T`, then a `GET` expecting 404;
//! - Appcharge delete: `DELETE /v2/offer/{id}`.
//!
//! Every JSON answer is parsed into `serde_json::Value`. No retries, journal or rate limiting.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use reqwest::{Client, Method, RequestBuilder};
use serde_json::{Value, json};

use crate::Result;

/// Fan-out settings.
pub(crate) struct Options {
    /// Sandbox base URL.
    pub(crate) base: String,
    /// The targets JSONL.
    pub(crate) targets: PathBuf,
    /// Concurrent targets.
    pub(crate) concurrency: usize,
    /// Pause before each job status poll.
    pub(crate) poll_ms: u64,
}

const CONFIGURE_SCHEMA: &str = "https://schema.mp.microsoft.com/schema/configure/2022-07-01";
const OFFER_SCHEMA: &str = "https://schema.mp.microsoft.com/schema/private-offer/2023-07-15";
const VERSION: &str = "$version=2022-07-01";
/// Upper bound on status polls per job (so a stuck job cannot hang the bench).
const MAX_POLLS: usize = 1_200;

/// Bearer tokens, fetched once.
struct Tokens {
    ingestion: String,
    orders: String,
    adobe: String,
}

struct Shared {
    client: Client,
    base: String,
    tokens: Tokens,
    poll: Duration,
    targets: Vec<Value>,
    next: AtomicUsize,
    failures: AtomicUsize,
    requests: AtomicUsize,
}

/// Runs the fan-out and returns wall time and counts.
pub(crate) fn run(options: &Options) -> Result<Value> {
    let start = Instant::now();
    let text = std::fs::read_to_string(&options.targets)
        .map_err(|e| format!("{}: {e}", options.targets.display()))?;
    let targets = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(serde_json::from_str)
        .collect::<std::result::Result<Vec<Value>, _>>()
        .map_err(|e| format!("targets: {e}"))?;
    let count = targets.len();
    let base = options.base.trim_end_matches('/').to_owned();
    let concurrency = options.concurrency.max(1);
    let poll = Duration::from_millis(options.poll_ms);
    let shared = crate::runtime(2)?.block_on(async move {
        let client = Client::new();
        let tokens = Tokens {
            ingestion: azure_token(&client, &base, "https://graph.microsoft.com/").await?,
            orders: azure_token(&client, &base, "https://api.partnercenter.microsoft.com").await?,
            adobe: ims_token(&client, &base).await?,
        };
        let shared = Arc::new(Shared {
            client,
            base,
            tokens,
            poll,
            targets,
            next: AtomicUsize::new(0),
            failures: AtomicUsize::new(0),
            requests: AtomicUsize::new(3),
        });
        let workers: Vec<_> = (0..concurrency)
            .map(|_| tokio::spawn(worker(Arc::clone(&shared))))
            .collect();
        for w in workers {
            w.await.map_err(|e| format!("worker: {e}"))?;
        }
        Ok::<_, String>(shared)
    })?;
    Ok(json!({
        "targets": count,
        "concurrency": concurrency,
        "wall_ms": start.elapsed().as_secs_f64() * 1000.0,
        "requests": shared.requests.load(Ordering::Relaxed),
        "failures": shared.failures.load(Ordering::Relaxed),
    }))
}

async fn worker(sh: Arc<Shared>) {
    loop {
        let i = sh.next.fetch_add(1, Ordering::Relaxed);
        let Some(target) = sh.targets.get(i) else {
            return;
        };
        if let Err(message) = retract(&sh, target).await
            && sh.failures.fetch_add(1, Ordering::Relaxed) < 5
        {
            eprintln!("fanout: line {}: {message}", i + 1);
        }
    }
}

fn field<'a>(target: &'a Value, name: &str) -> Result<&'a str> {
    target
        .get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("target without {name}"))
}

async fn retract(sh: &Shared, t: &Value) -> Result<()> {
    let base = &sh.base;
    match field(t, "vendor")? {
        "partner-center-ingestion" => {
            let read = format!(
                "{base}/rp/product-ingestion/private-offer/{}?$version=2023-07-15",
                field(t, "offerId")?
            );
            call(sh, ingestion(sh, Method::GET, &read)).await?;
            let body = json!({"$schema": CONFIGURE_SCHEMA, "resources": [{
                "$schema": OFFER_SCHEMA,
                "id": format!("private-offer/{}", field(t, "offerId")?),
                "name": field(t, "name")?,
                "privateOfferType": field(t, "privateOfferType")?,
                "state": "deleted",
            }]});
            let url = format!("{base}/rp/product-ingestion/configure?{VERSION}");
            let job = call(sh, ingestion(sh, Method::POST, &url).json_body(&body)).await?;
            let id = job
                .get("jobId")
                .and_then(Value::as_str)
                .ok_or("configure answer without jobId")?;
            let url = format!("{base}/rp/product-ingestion/configure/{id}/status?{VERSION}");
            for _ in 0..MAX_POLLS {
                tokio::time::sleep(sh.poll).await;
                let status = call(sh, ingestion(sh, Method::GET, &url)).await?;
                if status.get("jobStatus").and_then(Value::as_str) == Some("completed") {
                    return match status.get("jobResult").and_then(Value::as_str) {
                        Some("succeeded") => Ok(()),
                        other => Err(format!("job {id} ended {other:?}")),
                    };
                }
            }
            Err(format!("job {id} did not complete"))
        }
        "partner-center-orders" => {
            let url = format!(
                "{base}/v1/customers/{}/orders/{}",
                field(t, "customerTenantId")?,
                field(t, "orderId")?
            );
            call(sh, sh.client.get(&url).bearer_auth(&sh.tokens.orders)).await?;
            let request = sh
                .client
                .patch(url)
                .bearer_auth(&sh.tokens.orders)
                .json_body(&json!({"status": "cancelled"}));
            call(sh, request).await.map(drop)
        }
        "adobe" => {
            let url = format!(
                "{base}/data/core/dps/offers/{}?offer-type={}",
                field(t, "offerId")?,
                field(t, "offerType")?
            );
            call(sh, adobe(sh, Method::DELETE, &url)).await?;
            let response = send(sh, adobe(sh, Method::GET, &url)).await?;
            if response.0 == 404 {
                Ok(())
            } else {
                Err(format!("read-back answered {}", response.0))
            }
        }
        "appcharge" => {
            let url = format!("{base}/v2/offer/{}", field(t, "publisherOfferId")?);
            let request = sh
                .client
                .delete(url)
                .header("x-publisher-token", "sandbox-publisher-token");
            call(sh, request).await.map(drop)
        }
        other => Err(format!("unknown vendor {other}")),
    }
}

fn ingestion(sh: &Shared, method: Method, url: &str) -> RequestBuilder {
    sh.client
        .request(method, url)
        .bearer_auth(&sh.tokens.ingestion)
}

fn adobe(sh: &Shared, method: Method, url: &str) -> RequestBuilder {
    sh.client
        .request(method, url)
        .bearer_auth(&sh.tokens.adobe)
        .header("x-api-key", "sandbox-client")
        .header("x-gw-ims-org-id", "sandbox-org@AdobeOrg")
        .header("x-sandbox-name", "prod")
}

/// A JSON body without reqwest's `json` feature (the workspace does not turn it on).
trait JsonBody {
    fn json_body(self, body: &Value) -> Self;
}

impl JsonBody for RequestBuilder {
    fn json_body(self, body: &Value) -> Self {
        self.header("content-type", "application/json")
            .body(body.to_string())
    }
}

/// Sends and returns the status and the parsed JSON body (`Null` when empty).
async fn send(sh: &Shared, request: RequestBuilder) -> Result<(u16, Value)> {
    sh.requests.fetch_add(1, Ordering::Relaxed);
    let response = request
        .header("accept", "application/json")
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    let bytes = response.bytes().await.map_err(|e| e.to_string())?;
    let value = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).map_err(|e| format!("json: {e}"))?
    };
    Ok((status, value))
}

/// Sends and requires a 2xx answer.
async fn call(sh: &Shared, request: RequestBuilder) -> Result<Value> {
    let (status, value) = send(sh, request).await?;
    if (200..300).contains(&status) {
        Ok(value)
    } else {
        Err(format!("HTTP {status}: {value}"))
    }
}

async fn token(client: &Client, url: String, form: String) -> Result<String> {
    let response = client
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .map_err(|e| format!("token: {e}"))?;
    let bytes = response.bytes().await.map_err(|e| format!("token: {e}"))?;
    let value: Value = serde_json::from_slice(&bytes).map_err(|e| format!("token json: {e}"))?;
    value
        .get("access_token")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| format!("token answer without access_token: {value}"))
}

async fn azure_token(client: &Client, base: &str, resource: &str) -> Result<String> {
    let form = format!(
        "grant_type=client_credentials&client_id=sandbox-client&client_secret=sandbox-secret&resource={}",
        resource.replace(':', "%3A").replace('/', "%2F")
    );
    token(client, format!("{base}/sandbox-tenant/oauth2/token"), form).await
}

async fn ims_token(client: &Client, base: &str) -> Result<String> {
    let form = "grant_type=client_credentials&client_id=sandbox-client&client_secret=sandbox-secret&scope=openid%2CAdobeID%2Cadditional_info.projectedProductContext";
    token(client, format!("{base}/ims/token/v3"), form.to_owned()).await
}
