//! Adaptive pacing end to end: the CLI as a process against the sandbox, with every second
//! request of all (deletes, cancels, read-backs, token requests) answered 429 with
//! `Retry-After: 1`. Every target is still retracted exactly once (the sandbox journal), each
//! bucket paused for its 429s rather than each request on its own, and the summary reports
//! each bucket's rate and throttled requests.

use offerkit_sandbox::{FaultKind, FaultMode, FaultRule, Sandbox};
use serde_json::{Value, json};

use crate::cli_support::{TempDir, effective, jsonl, offerkit_with, sandbox_env};

/// `n` Appcharge offers and `n` orders over two customer tenants: seed and target lines.
fn fleet(n: usize) -> (Value, Vec<Value>) {
    let mut offers = Vec::new();
    let mut orders = Vec::new();
    let mut lines = Vec::new();
    for i in 0..n {
        let id = format!("ac-{i}");
        offers.push(json!({"publisherOfferId": id, "name": format!("Pack {i}"), "type": "Bundle"}));
        lines.push(json!({"vendor": "appcharge", "action": "delete", "publisherOfferId": id}));
        let tenant = format!("customer-{}", i % 2);
        let order = format!("order-{i}");
        orders.push(json!({"id": order, "referenceCustomerId": tenant,
            "creationDate": "2099-01-01T00:00:00Z",
            "lineItems": [{"offerId": "DG7GMGF0FKZV:0003:DG7GMGF0DWMS", "quantity": 1}]}));
        lines.push(
            json!({"vendor": "partner-center-orders", "action": "cancel",
            "customerTenantId": tenant, "orderId": order}),
        );
    }
    let seed = json!({"orders": orders, "appcharge": {"offers": offers}});
    (seed, lines)
}

/// Targets per vendor. Each burst of 429s costs its bucket a 1 s pause (`Retry-After: 1`), and with
/// every second request throttled there is about one burst per target: kept small, and started
/// at a high rate, so that the run takes seconds.
const N: usize = 6;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_of_all_calls_throttled_still_retracts_each_target_exactly_once() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let (seed, lines) = fleet(N);
    sandbox.seed(&seed).expect("seed");
    sandbox
        .inject_fault(
            FaultRule::new(
                "*",
                "*",
                FaultKind::Throttle {
                    retry_after_seconds: 1,
                },
            )
            .mode(FaultMode::EveryK { every_k: 2 }),
        )
        .expect("fault");
    let dir = TempDir::new("pacing-half-throttled");
    let input = dir.path().join("targets.jsonl");
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(&input, text).expect("input");
    let input = input.display().to_string();
    let args = [
        "--json",
        "batch",
        &input,
        "--output",
        "results.jsonl",
        "--initial-rate",
        "appcharge=60000",
        "--initial-rate",
        "partner-center-orders=60000",
    ];
    let run = offerkit_with(&sandbox_env(&sandbox), dir.path(), &args).await;
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);

    let results =
        jsonl(&std::fs::read_to_string(dir.path().join("results.jsonl")).expect("results"));
    assert_eq!(results.len(), lines.len());
    let not_retracted: Vec<_> = results
        .iter()
        .filter(|r| r["status"] != "retracted")
        .collect();
    assert!(not_retracted.is_empty(), "{not_retracted:?}");

    // Exactly once, per the sandbox: one acted, answered DELETE per offer and PATCH per order.
    let journal = sandbox.journal();
    let deletes = effective(&journal, "DELETE");
    let patches = effective(&journal, "PATCH");
    for i in 0..N {
        let offer = format!("/v2/offer/ac-{i}");
        assert_eq!(deletes.get(&offer), Some(&1), "{offer}");
        let order = format!("/v1/customers/customer-{}/orders/order-{i}", i % 2);
        assert_eq!(patches.get(&order), Some(&1), "{order}");
    }
    let throttled = journal.iter().filter(|e| e.status == 429).count();
    assert!(
        throttled * 2 >= journal.len() - 1,
        "half of all requests were throttled: {throttled} of {}",
        journal.len()
    );

    // The summary names each bucket with its rate, requests and 429s.
    // Progress lines name each change of a bucket's rate.
    assert!(
        run.stderr
            .lines()
            .any(|l| l.starts_with("offerkit: pacing: appcharge ") && l.contains(" throttled)")),
        "{}",
        run.stderr
    );
    let summary = run
        .stderr
        .lines()
        .filter(|l| l.starts_with('{'))
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|l| l.get("summary").is_some())
        .expect("summary line");
    assert_eq!(summary["pacing"], "adaptive");
    let buckets = summary["buckets"].as_array().expect("buckets");
    let names: Vec<&str> = buckets
        .iter()
        .filter_map(|b| b["bucket"].as_str())
        .collect();
    assert_eq!(
        names,
        [
            "appcharge",
            "partner-center-orders:customer-0",
            "partner-center-orders:customer-1"
        ]
    );
    let mut counted = 0;
    for bucket in buckets {
        let throttled = bucket["throttled"].as_u64().expect("throttled");
        let pauses = bucket["pauses"].as_u64().expect("pauses");
        let rate = bucket["ratePerMinute"].as_u64().expect("a rate");
        assert!(
            throttled > 0 && pauses > 0 && pauses <= throttled,
            "{bucket}"
        );
        assert!(rate < 60000, "lowered from the initial rate: {bucket}");
        assert!(
            bucket["requests"].as_u64().expect("requests") > throttled,
            "{bucket}"
        );
        counted += throttled;
    }
    // Every 429 of the vendor calls was reported to its bucket (the sandbox's other 429s
    // answered token requests, which no bucket paces).
    let vendor_429s = journal
        .iter()
        .filter(|e| e.status == 429 && !e.path.contains("oauth2"))
        .count() as u64;
    assert_eq!(counted, vendor_429s);
    sandbox.shutdown().await.expect("shutdown");
}
