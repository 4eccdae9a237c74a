//! A quick load check (not the benchmark): `cargo run --release -p offerkit-sandbox --example load -- [SECONDS] [CONCURRENCY]`.
//!
//! Starts a sandbox in-process, seeds 1,000 Appcharge offers and 1,000 orders, then runs a mix of reads,
//! creates, deletes and order cancels from `CONCURRENCY` tasks, and prints requests per second and latency.

use std::time::{Duration, Instant};

use offerkit_sandbox::{Audience, Sandbox, SandboxConfig};
use serde_json::json;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let secs: u64 = args.next().map(|s| s.parse()).transpose()?.unwrap_or(3);
    let conc: usize = args.next().map(|s| s.parse()).transpose()?.unwrap_or(64);
    let started = Instant::now();
    let sb = Sandbox::start_with(SandboxConfig::default()).await?;
    println!("ready in {:?}", started.elapsed());
    let offers: Vec<_> = (0..1000)
        .map(|i| json!({"publisherOfferId": format!("o{i}"), "name": "Pack", "type": "Bundle"}))
        .collect();
    let orders: Vec<_> = (0..1000)
        .map(|i| json!({"id": format!("ord{i}"), "referenceCustomerId": "c", "lineItems": [{"offerId": "A:B:C", "quantity": 1}, {"offerId": "D:E:F", "quantity": 1}]}))
        .collect();
    sb.seed(&json!({"appcharge": {"offers": offers}, "orders": orders}))?;
    let token = sb.issue_token(Audience::PartnerCenter);
    let base = sb.base_url().to_owned();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(conc)
        .build()?;
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut tasks = Vec::new();
    for t in 0..conc {
        let (client, base, token) = (client.clone(), base.clone(), token.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut i = t;
            while Instant::now() < deadline {
                let t0 = Instant::now();
                let req = match i % 4 {
                    0 => client.get(format!("{base}/v2/offer?publisherOfferIds=o{}", i % 1000)).header("x-publisher-token", "x"),
                    1 => client.get(format!("{base}/v1/customers/c/orders/ord{}", i % 1000)).bearer_auth(&token),
                    2 => client.post(format!("{base}/v2/offer")).header("x-publisher-token", "x")
                        .json(&json!({"publisherOfferId": format!("n{t}-{i}"), "name": "Pack", "type": "Bundle"})),
                    _ => client.patch(format!("{base}/v1/customers/c/orders/ord{}", i % 1000)).bearer_auth(&token)
                        .json(&json!({"status": "cancelled", "lineItems": [{"lineItemNumber": 0}]})),
                };
                if let Ok(resp) = req.send().await {
                    let _ = resp.bytes().await;
                }
                lat.push(t0.elapsed());
                i += conc;
            }
            lat
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await?);
    }
    all.sort();
    let n = all.len();
    let pct = |p: f64| {
        all.get(((n as f64 * p) as usize).min(n.saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    println!(
        "{n} requests in {secs}s with {conc} tasks: {:.0} req/s; p50 {:?}, p99 {:?}, max {:?}",
        n as f64 / secs as f64,
        pct(0.5),
        pct(0.99),
        pct(1.0)
    );
    println!("server journal total: {}", sb.counts()["total"]);
    sb.shutdown().await?;
    Ok(())
}
