//! Figure 1: client overhead. `requests` sequential Appcharge deletes through the offerkit client
//! vs the same DELETE through a bare `reqwest::Client`, both against one in-process [`Stub`].
//! The requests are split into `rounds` blocks per side that alternate (offerkit, bare, offerkit,
//! bare, ...) after a warm-up of each, so both sides sample the same machine noise; the figure is
//! the ratio of the median block times (the ratio of the fastest blocks is reported too).

use std::time::{Duration, Instant};

use offerkit_appcharge::{AppchargeClient, Offer, PublisherOfferId, Retraction};
use serde_json::{Value, json};

use crate::Result;
use crate::stats::median;
use crate::stub::Stub;

/// The deleted offer the stub returns (what the sandbox returns for a small offer).
const BODY: &[u8] = br#"{"publisherOfferId":"bench-offer","offerId":"65a1f0c2e4b0a1b2c3d4e5f6","publisherId":"sandbox-publisher","name":"Bench Offer","displayName":"Bench Offer","type":"SpecialOffer","active":true,"segments":[],"productsSequence":[],"createdAt":"2025-01-01T00:00:00Z","updatedAt":"2025-01-01T00:00:00Z"}"#;
const OFFER_ID: &str = "bench-offer";
const TOKEN: &str = "bench-publisher-token";
const WARMUP: usize = 200;

/// Which client a run drives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    /// Both, alternating: the figure.
    Both,
    /// Only offerkit (to profile it alone with perf, strace or callgrind).
    Offerkit,
    /// Only the bare reqwest client.
    Bare,
}

impl Side {
    /// Parses `both`, `offerkit` or `bare`.
    pub(crate) fn parse(text: &str) -> Result<Self> {
        match text {
            "both" => Ok(Self::Both),
            "offerkit" => Ok(Self::Offerkit),
            "bare" => Ok(Self::Bare),
            other => Err(format!("--side {other}: expected both, offerkit or bare")),
        }
    }
}

/// Runs the figure and returns its JSON.
pub(crate) fn run(requests: usize, rounds: usize, side: Side) -> Result<Value> {
    let stub = Stub::start(BODY)?;
    let base = format!("http://{}", stub.addr);
    let result = crate::runtime(1)?.block_on(measure(&base, requests, rounds.max(1), side));
    stub.stop();
    result
}

async fn measure(base: &str, requests: usize, rounds: usize, side: Side) -> Result<Value> {
    let offerkit = offerkit_client(base)?;
    let bare = reqwest::Client::new();
    let (with_offerkit, with_bare) = (side != Side::Bare, side != Side::Offerkit);
    if with_offerkit {
        offerkit_round(&offerkit, WARMUP).await?;
    }
    if with_bare {
        bare_round(&bare, base, WARMUP).await?;
    }
    let block = (requests / rounds).max(1);
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        if with_offerkit {
            ours.push(ms(offerkit_round(&offerkit, block).await?));
        }
        if with_bare {
            theirs.push(ms(bare_round(&bare, base, block).await?));
        }
    }
    if side != Side::Both {
        // One side alone gives no ratio: report its times only.
        let times = if with_offerkit {
            &mut ours
        } else {
            &mut theirs
        };
        let median_ms = median(&mut times.clone());
        return Ok(json!({
            "side": if with_offerkit { "offerkit" } else { "bare" },
            "requests": block * rounds,
            "rounds_ms": times,
            "us_per_request": median_ms * 1000.0 / block as f64,
        }));
    }
    let (ours_ms, bare_ms) = (median(&mut ours.clone()), median(&mut theirs.clone()));
    let fastest = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
    Ok(json!({
        "requests": block * rounds,
        "rounds": rounds,
        "block": block,
        "offerkit_rounds_ms": ours,
        "bare_rounds_ms": theirs,
        "offerkit_ms": ours_ms * rounds as f64,
        "bare_ms": bare_ms * rounds as f64,
        "offerkit_us_per_request": ours_ms * 1000.0 / block as f64,
        "bare_us_per_request": bare_ms * 1000.0 / block as f64,
        "ratio": ours_ms / bare_ms,
        "ratio_fastest_blocks": fastest(&ours) / fastest(&theirs),
        "offerkit_path": "offerkit_appcharge::AppchargeClient::delete_offer (default transport: retries, timeouts, tracing spans, request ids) -> Retraction<Offer>",
        "bare_path": "reqwest::Client::new() DELETE with x-publisher-token, accept and content-type headers -> bytes -> serde_json::from_slice::<Offer>",
    }))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn offerkit_client(base: &str) -> Result<AppchargeClient> {
    AppchargeClient::builder()
        .base_url(base)
        .publisher_token(TOKEN)
        .build()
        .map_err(|e| format!("offerkit client: {e}"))
}

async fn offerkit_round(client: &AppchargeClient, n: usize) -> Result<Duration> {
    let id = PublisherOfferId::new(OFFER_ID).map_err(|e| e.to_string())?;
    let start = Instant::now();
    for _ in 0..n {
        match client.delete_offer(&id).await {
            Ok(Retraction::Retracted(deleted)) => {
                std::hint::black_box(deleted.value);
            }
            Ok(_) => return Err("offerkit delete: not retracted".to_owned()),
            Err(e) => return Err(format!("offerkit delete: {e}")),
        }
    }
    Ok(start.elapsed())
}

async fn bare_round(client: &reqwest::Client, base: &str, n: usize) -> Result<Duration> {
    let start = Instant::now();
    for _ in 0..n {
        let response = client
            .delete(format!("{base}/v2/offer/{OFFER_ID}"))
            .header("x-publisher-token", TOKEN)
            .header("accept", "application/json")
            .header("content-type", "application/json")
            .send()
            .await
            .map_err(|e| format!("bare delete: {e}"))?;
        if !response.status().is_success() {
            return Err(format!("bare delete: HTTP {}", response.status()));
        }
        let bytes = response
            .bytes()
            .await
            .map_err(|e| format!("bare delete body: {e}"))?;
        let deleted: Offer =
            serde_json::from_slice(&bytes).map_err(|e| format!("bare delete json: {e}"))?;
        std::hint::black_box(deleted);
    }
    Ok(start.elapsed())
}
