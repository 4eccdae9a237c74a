//! Figure 3's load generator: `connections` keep-alive HTTP/1.1 connections (hyper), each sending
//! one `GET` after another for a fixed time, after an unrecorded warm-up of the same shape.
//! Latency is recorded per request in microseconds; only 2xx answers count as served.

use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::Request;
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};

use crate::Result;
use crate::stats::percentile;

/// Load settings.
pub(crate) struct Options {
    /// `http://127.0.0.1:PORT/path?query`.
    pub(crate) url: String,
    /// Concurrent connections.
    pub(crate) connections: usize,
    /// Measured seconds.
    pub(crate) seconds: u64,
    /// Unrecorded warm-up seconds before.
    pub(crate) warmup_seconds: u64,
    /// One extra `NAME:VALUE` header.
    pub(crate) header: Option<String>,
}

/// Where and what to send.
#[derive(Clone)]
struct Target {
    authority: String,
    path: String,
    header: Option<(String, String)>,
}

/// One connection's tally.
#[derive(Default)]
struct Tally {
    latencies_us: Vec<u32>,
    errors: u64,
}

/// Longest wait for one answer; a request slower than this counts as an error.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
/// A connection that fails this often in a row gives up for the phase.
const MAX_CONSECUTIVE_ERRORS: u32 = 100;

/// Runs warm-up and measurement; returns requests per second and latency percentiles.
pub(crate) fn run(options: &Options) -> Result<Value> {
    let target = parse_url(&options.url, options.header.as_deref())?;
    let connections = options.connections.max(1);
    crate::runtime(2)?.block_on(async {
        if options.warmup_seconds > 0 {
            phase(
                &target,
                connections,
                Duration::from_secs(options.warmup_seconds),
            )
            .await?;
        }
        let start = Instant::now();
        let tally = phase(
            &target,
            connections,
            Duration::from_secs(options.seconds.max(1)),
        )
        .await?;
        let elapsed = start.elapsed().as_secs_f64();
        let mut latencies = tally.latencies_us;
        latencies.sort_unstable();
        let ms = |us: u32| f64::from(us) / 1000.0;
        Ok(json!({
            "connections": connections,
            "seconds": elapsed,
            "requests": latencies.len(),
            "errors": tally.errors,
            "rps": latencies.len() as f64 / elapsed,
            "p50_ms": ms(percentile(&latencies, 50.0)),
            "p99_ms": ms(percentile(&latencies, 99.0)),
            "max_ms": ms(latencies.last().copied().unwrap_or(0)),
        }))
    })
}

fn parse_url(url: &str, header: Option<&str>) -> Result<Target> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| format!("{url}: only http:// URLs"))?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    if !authority.starts_with("127.0.0.1:") {
        return Err(format!("{url}: the load generator only talks to 127.0.0.1"));
    }
    let header = match header {
        None => None,
        Some(h) => {
            let (name, value) = h
                .split_once(':')
                .ok_or_else(|| format!("--header {h}: expected NAME:VALUE"))?;
            Some((name.trim().to_owned(), value.trim().to_owned()))
        }
    };
    Ok(Target {
        authority: authority.to_owned(),
        path: path.to_owned(),
        header,
    })
}

async fn phase(target: &Target, connections: usize, length: Duration) -> Result<Tally> {
    let deadline = Instant::now() + length;
    let tasks: Vec<_> = (0..connections)
        .map(|_| tokio::spawn(connection(target.clone(), deadline)))
        .collect();
    let mut total = Tally::default();
    for task in tasks {
        let tally = task.await.map_err(|e| format!("load task: {e}"))?;
        total.latencies_us.extend(tally.latencies_us);
        total.errors += tally.errors;
    }
    Ok(total)
}

async fn connection(target: Target, deadline: Instant) -> Tally {
    let mut tally = Tally::default();
    let mut sender: Option<SendRequest<Empty<Bytes>>> = None;
    let mut consecutive = 0u32;
    while Instant::now() < deadline && consecutive < MAX_CONSECUTIVE_ERRORS {
        let ready = match sender.take() {
            Some(s) if !s.is_closed() => Ok(s),
            _ => connect(&target.authority).await,
        };
        let started = Instant::now();
        let outcome = match ready {
            Ok(mut s) => {
                let result = tokio::time::timeout(REQUEST_TIMEOUT, one(&mut s, &target)).await;
                sender = Some(s);
                match result {
                    Ok(r) => r,
                    Err(_) => Err("timed out".to_owned()),
                }
            }
            Err(e) => Err(e),
        };
        match outcome {
            Ok(()) => {
                consecutive = 0;
                let us = started.elapsed().as_micros();
                tally
                    .latencies_us
                    .push(u32::try_from(us).unwrap_or(u32::MAX));
            }
            Err(_) => {
                consecutive += 1;
                tally.errors += 1;
                sender = None;
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }
    tally
}

async fn connect(authority: &str) -> Result<SendRequest<Empty<Bytes>>> {
    let stream = tokio::net::TcpStream::connect(authority)
        .await
        .map_err(|e| e.to_string())?;
    let _ = stream.set_nodelay(true);
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok(sender)
}

async fn one(sender: &mut SendRequest<Empty<Bytes>>, target: &Target) -> Result<()> {
    sender.ready().await.map_err(|e| e.to_string())?;
    let mut builder = Request::get(target.path.as_str())
        .header("host", target.authority.as_str())
        .header("accept", "application/json");
    if let Some((name, value)) = &target.header {
        builder = builder.header(name.as_str(), value.as_str());
    }
    let request = builder.body(Empty::new()).map_err(|e| e.to_string())?;
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status();
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?;
    std::hint::black_box(body.to_bytes());
    if status.is_success() {
        Ok(())
    } else {
        Err(format!("HTTP {status}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_loopback_urls_only() {
        let t = parse_url(
            "http://127.0.0.1:8080/v2/offer/x?a=b",
            Some("x-publisher-token: t"),
        )
        .expect("parses");
        assert_eq!(t.authority, "127.0.0.1:8080");
        assert_eq!(t.path, "/v2/offer/x?a=b");
        assert_eq!(t.header, Some(("x-publisher-token".into(), "t".into())));
        assert!(parse_url("http://example.com/", None).is_err());
        assert!(parse_url("https://127.0.0.1:1/", None).is_err());
    }
}
