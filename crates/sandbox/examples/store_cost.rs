//! What a stored resource costs in memory against its JSON size (a bench note, Linux only):
//! `cargo run --release -p offerkit-sandbox --example store_cost -- [COUNT] [KIND…]`.
//!
//! Seeds COUNT resources of each KIND (`appcharge` offers, `orders` with two line items,
//! `adobe` personalized offers; default all, but run one kind per process for clean figures:
//! freed memory stays with the allocator) in batches of 1,000, so the transient seed documents
//! stay small and their memory is reused, and prints the growth of the resident set per
//! resource next to the
//! compact JSON size of the stored resource (from `GET /_sandbox/state`).

use offerkit_sandbox::Sandbox;
use serde_json::{Value, json};

/// Resident set size in bytes (`/proc/self/statm`, pages of 4 KiB).
fn rss() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0, |pages| pages * 4096)
}

fn batch(kind: &str, from: usize, n: usize) -> Value {
    let items: Vec<Value> = (from..from + n)
        .map(|i| match kind {
            "appcharge" => json!({"publisherOfferId": format!("offer-{i:08}"), "name": format!("Starter pack {i}"),
                "type": "Bundle", "description": "A bundle of coins and gems for new players.",
                "productsSequence": [{"index": 1, "products": [{"publisherProductId": "coins", "quantity": 1000}]}]}),
            "orders" => json!({"id": format!("order-{i:08}"), "referenceCustomerId": "customer-tenant-1", "billingCycle": "one_time",
                "lineItems": [{"offerId": "DG7GMGF0FKZV:0003:DG7GMGF0DWMS", "quantity": 2, "friendlyName": "SQL Server"},
                              {"offerId": "CFQ7TTC0LH18:0001:CFQ7TTC0K971", "quantity": 1, "termDuration": "P1Y"}]}),
            _ => json!({"id": format!("personalizedOffer{i:016x}"), "name": format!("Spring promotion {i}"),
                "status": "approved", "selectionConstraint": {"startDate": "2030-01-01T00:00:00Z", "endDate": "2030-03-31T00:00:00Z"},
                "rank": {"priority": 3}, "representations": [{"channel": "https://ns.adobe.com/xdm/channels/web",
                "placement": "xcore:offer-placement:1234", "components": [{"type": "html", "content": "<p>Spring</p>"}]}]}),
        })
        .collect();
    match kind {
        "appcharge" => json!({"appcharge": {"offers": items}}),
        "orders" => json!({"orders": items}),
        _ => json!({"adobe": {"personalized": items}}),
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let count: usize = args
        .next()
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(100_000);
    let mut kinds: Vec<String> = args.collect();
    if kinds.is_empty() {
        kinds = ["appcharge", "orders", "adobe"].map(str::to_owned).to_vec();
    }
    for kind in kinds.iter().map(String::as_str) {
        let sandbox = Sandbox::start().await?;
        // Warm up the allocator with one batch seeded and removed.
        sandbox.seed(&batch(kind, 0, 1_000))?;
        sandbox.reset();
        let before = rss();
        for from in (0..count).step_by(1_000) {
            sandbox.seed(&batch(kind, from, 1_000.min(count - from)))?;
        }
        let grown = rss().saturating_sub(before);
        let state = sandbox.state();
        let stored = match kind {
            "appcharge" => &state["appcharge"]["offers"],
            "orders" => &state["orders"],
            _ => &state["adobe"]["personalized"],
        };
        let json_bytes: usize = stored
            .as_array()
            .map(|a| a.iter().map(|v| v.to_string().len()).sum())
            .unwrap_or(0);
        drop(state);
        println!(
            "{kind:>9}: {count} stored, JSON {:.0} B each, resident set +{:.0} B each ({:.2}x)",
            json_bytes as f64 / count as f64,
            grown as f64 / count as f64,
            grown as f64 / json_bytes.max(1) as f64
        );
        sandbox.shutdown().await?;
    }
    Ok(())
}
