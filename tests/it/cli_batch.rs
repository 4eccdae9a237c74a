//! `offerkit batch` end to end, as a real process against a sandbox in the test process:
//! 1,000 mixed targets through injected 429s and 503s, a run killed with SIGKILL and
//! resumed, malformed lines and dry runs. "Exactly once" is read from the sandbox
//! journal: per resource, one mutating call that the sandbox acted on and answered 2xx
//! (a retry refused by an injected fault before acting is not a repeat), and one
//! configure job per private offer.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::Duration;

use offerkit_sandbox::{
    FaultKind, FaultMode, FaultRule, FaultTiming, JobProgression, Sandbox, SandboxConfig,
};
use serde_json::{Value, json};

use crate::cli_support::{
    Run, TempDir, command, configure_jobs_per_offer, effective, jsonl, offerkit_with, sandbox_env,
};

/// Batch flags that lift the production rate limits (the sandbox has none).
const NO_LIMITS: [&str; 8] = [
    "--rate-limit",
    "partner-center-ingestion=0",
    "--rate-limit",
    "partner-center-orders=0",
    "--rate-limit",
    "adobe=0",
    "--rate-limit",
    "appcharge=0",
];

/// A mixed set of resources and one target line for each.
struct Fleet {
    seed: Value,
    lines: Vec<Value>,
    appcharge: Vec<String>,
    adobe: Vec<String>,
    orders: Vec<String>,
    offers: Vec<String>,
}

/// `n` targets of each vendor: Appcharge deletes; Adobe deletes (personalized and
/// fallback); orders cancelled whole or line item 0 only, over five customers; private
/// offers deleted (drafts), withdrawn by the ISV, or withdrawn by the selling partner.
fn fleet(n: usize) -> Fleet {
    let mut f = Fleet {
        seed: Value::Null,
        lines: Vec::new(),
        appcharge: Vec::new(),
        adobe: Vec::new(),
        orders: Vec::new(),
        offers: Vec::new(),
    };
    let (mut ac, mut perso, mut fallback, mut orders, mut offers) =
        (vec![], vec![], vec![], vec![], vec![]);
    for i in 0..n {
        let id = format!("ac-{i}");
        ac.push(json!({"publisherOfferId": id, "name": format!("Pack {i}"), "type": "Bundle"}));
        f.lines
            .push(json!({"vendor": "appcharge", "action": "delete", "publisherOfferId": id}));
        f.appcharge.push(format!("/v2/offer/{id}"));

        let (kind, id) = if i % 2 == 0 {
            ("personalized", format!("perso-{i}"))
        } else {
            ("fallback", format!("fallback-{i}"))
        };
        let offer = json!({"id": id, "name": format!("Offer {i}"), "status": "approved"});
        if i % 2 == 0 {
            perso.push(offer)
        } else {
            fallback.push(offer)
        }
        f.lines
            .push(json!({"vendor": "adobe", "action": "delete", "offerId": id, "offerType": kind}));
        f.adobe.push(format!("/data/core/dps/offers/{id}"));

        let tenant = format!("customer-{}", i % 5);
        let id = format!("order-{i}");
        orders.push(
            json!({"id": id, "referenceCustomerId": tenant, "creationDate": "2099-01-01T00:00:00Z",
            "lineItems": [{"offerId": "DG7GMGF0FKZV:0003:DG7GMGF0DWMS", "quantity": 2},
                          {"offerId": "DG7GMGF0FKZV:0004:DG7GMGF0DWMS", "quantity": 1}]}),
        );
        let mut line = json!({"vendor": "partner-center-orders", "action": "cancel", "customerTenantId": tenant, "orderId": id});
        if i % 2 == 0 {
            line["lineItems"] = json!([0]);
        }
        f.lines.push(line);
        f.orders.push(format!("/v1/customers/{tenant}/orders/{id}"));

        let id = format!("po-{i}");
        let (offer, line) = match i % 5 {
            0 => (
                json!({"id": id, "name": format!("mpo {i}"), "privateOfferType": "multipartyPromotionOriginator", "state": "live"}),
                json!({"vendor": "partner-center-ingestion", "action": "withdraw", "offerId": id, "role": "isv"}),
            ),
            1 => (
                json!({"id": id, "name": format!("partner {i}"), "privateOfferType": "multipartyPromotionChannelPartner",
                       "state": "live", "subState": "pendingAcceptance"}),
                json!({"vendor": "partner-center-ingestion", "action": "withdraw", "offerId": id, "role": "selling-partner"}),
            ),
            _ => (
                json!({"id": id, "name": format!("draft {i}"), "privateOfferType": "customerPromotion", "state": "draft"}),
                json!({"vendor": "partner-center-ingestion", "action": "delete", "offerId": id}),
            ),
        };
        offers.push(offer);
        f.lines.push(line);
        f.offers.push(format!("private-offer/{id}"));
    }
    f.seed = json!({
        "ingestion": {"privateOffers": offers},
        "orders": orders,
        "adobe": {"personalized": perso, "fallback": fallback},
        "appcharge": {"offers": ac},
    });
    f
}

fn write_input(dir: &Path, lines: &[Value]) -> String {
    let path = dir.join("targets.jsonl");
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(&path, text).expect("write input");
    path.display().to_string()
}

async fn batch(sandbox: &Sandbox, dir: &Path, args: &[&str]) -> Run {
    let mut all = vec!["batch"];
    all.extend_from_slice(args);
    all.extend_from_slice(&NO_LIMITS);
    offerkit_with(&sandbox_env(sandbox), dir, &all).await
}

/// Asserts every resource of `fleet` was retracted exactly once, per the sandbox.
///
/// Ingestion: exactly one configure job per offer took effect. With `one_job_each`, no
/// other job was submitted either. A run killed after Partner Center accepted a
/// configure call and before the journal recorded its job id cannot know that job (the
/// API has no idempotency key and no job listing); the resumed run reads the offer back
/// and, if the first job has not settled yet, submits again, and that second job is
/// refused by the vendor (not a draft / already withdrawn): two submissions, one effect.
fn assert_exactly_once(sandbox: &Sandbox, fleet: &Fleet, one_job_each: bool) {
    let journal = sandbox.journal();
    let deletes = effective(&journal, "DELETE");
    let patches = effective(&journal, "PATCH");
    for path in fleet.appcharge.iter().chain(&fleet.adobe) {
        assert_eq!(
            deletes.get(path),
            Some(&1),
            "{path}: {:?}",
            journal
                .iter()
                .filter(|e| &e.path == path)
                .map(|e| (&e.method, e.status, e.acted, &e.fault))
                .collect::<Vec<_>>()
        );
    }
    for path in &fleet.orders {
        assert_eq!(
            patches.get(path),
            Some(&1),
            "{path}: {:?}",
            journal
                .iter()
                .filter(|e| &e.path == path)
                .map(|e| (&e.method, e.status, e.acted, &e.fault))
                .collect::<Vec<_>>()
        );
    }
    let jobs = configure_jobs_per_offer(&sandbox.state());
    for id in &fleet.offers {
        let of_offer = jobs.get(id).cloned().unwrap_or_default();
        let effects = of_offer
            .iter()
            .filter(|j| j.succeeded == Some(true))
            .count();
        assert_eq!(effects, 1, "{id}: {of_offer:?}");
        if one_job_each {
            assert_eq!(of_offer.len(), 1, "{id}: {of_offer:?}");
        }
    }
    if one_job_each {
        assert_eq!(
            sandbox.succeeded_count("POST", "/rp/product-ingestion/configure"),
            fleet.offers.len() as u64
        );
    }
    // And the end state says so.
    let state = sandbox.state();
    assert_eq!(state["appcharge"]["offers"], json!([]));
    assert_eq!(state["adobe"]["personalized"], json!([]));
    assert_eq!(state["adobe"]["fallback"], json!([]));
    for order in state["orders"].as_array().expect("orders") {
        assert_eq!(order["lineItems"][0]["quantity"], 0, "{order}");
    }
    for offer in state["ingestion"]["privateOffers"]
        .as_array()
        .expect("offers")
    {
        let retracted = matches!(offer["state"].as_str(), Some("deleted" | "withdrawn"))
            || offer["subState"] == "pendingPartnerAction";
        assert!(retracted, "{offer}");
    }
}

/// One-shot faults (`nextN`) so that no single call can exhaust its retries: each
/// request path is matched by at most one rule, and no rule fires more than 3 times
/// (the transport makes 4 attempts).
fn inject_throttling_and_outages(sandbox: &Sandbox, fleet: &Fleet) -> usize {
    let throttle = || FaultKind::Throttle {
        retry_after_seconds: 0,
    };
    let outage = || FaultKind::Status { status: 503 };
    let once = FaultMode::NextN { next_n: 1 };
    let mut rules = vec![
        FaultRule::new("POST", "/rp/product-ingestion/configure", throttle())
            .mode(FaultMode::NextN { next_n: 3 }),
        FaultRule::new("GET", "/rp/product-ingestion/configure/*/status", outage())
            .mode(FaultMode::NextN { next_n: 3 }),
    ];
    for (i, path) in fleet.appcharge.iter().enumerate() {
        match i % 5 {
            0 => rules.push(FaultRule::new("DELETE", path, throttle()).mode(once)),
            1 => rules.push(FaultRule::new("DELETE", path, outage()).mode(once)),
            _ => {}
        }
    }
    for (i, path) in fleet.adobe.iter().enumerate() {
        match i % 5 {
            0 => rules.push(FaultRule::new("DELETE", path, outage()).mode(once)),
            1 => rules.push(FaultRule::new("DELETE", path, throttle()).mode(once)),
            2 => rules.push(FaultRule::new("GET", path, throttle()).mode(once)),
            _ => {}
        }
    }
    for (i, path) in fleet.orders.iter().enumerate() {
        match i % 5 {
            0 => rules.push(FaultRule::new("PATCH", path, throttle()).mode(once)),
            1 => rules.push(FaultRule::new("GET", path, outage()).mode(once)),
            _ => {}
        }
    }
    for (i, id) in fleet.offers.iter().enumerate() {
        if i % 5 == 2 {
            let path = format!("/rp/product-ingestion/{id}");
            rules.push(FaultRule::new("GET", &path, outage()).mode(once));
        }
    }
    let n = rules.len();
    for rule in rules {
        sandbox.inject_fault(rule).expect("fault");
    }
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_batch_of_1000_through_429s_and_503s_retracts_each_exactly_once() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let fleet = fleet(250);
    sandbox.seed(&fleet.seed).expect("seed");
    let rules = inject_throttling_and_outages(&sandbox, &fleet);
    let dir = TempDir::new("batch-1000");
    let input = write_input(dir.path(), &fleet.lines);
    assert_eq!(fleet.lines.len(), 1000);

    let run = batch(&sandbox, dir.path(), &[&input, "--output", "results.jsonl"]).await;
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    let results =
        jsonl(&std::fs::read_to_string(dir.path().join("results.jsonl")).expect("results"));
    assert_eq!(results.len(), 1000);
    let failed: Vec<_> = results
        .iter()
        .filter(|r| r["status"] != "retracted")
        .collect();
    assert!(failed.is_empty(), "{failed:?}");
    assert_exactly_once(&sandbox, &fleet, true);

    // The faults really happened, and were answered by retries.
    let faulted = sandbox
        .journal()
        .iter()
        .filter(|e| e.fault.is_some())
        .count();
    assert!(
        faulted >= rules,
        "only {faulted} faulted requests for {rules} rules"
    );
    let statuses: Vec<u16> = sandbox
        .journal()
        .iter()
        .filter(|e| e.fault.is_some())
        .map(|e| e.status)
        .collect();
    assert!(statuses.contains(&429) && statuses.contains(&503));
    // Plain progress lines and the summary table on stderr (not a terminal here).
    assert!(run.stderr.contains("[1000/1000] "), "{}", run.stderr);
    assert!(
        run.stderr
            .lines()
            .any(|l| l.starts_with("total") && l.contains("1000")),
        "{}",
        run.stderr
    );
    sandbox.shutdown().await.expect("shutdown");
}

/// Keys whose last journal record is a successful `done`, and keys with any other last
/// record (in flight, job submitted, failed).
fn journal_keys(text: &str) -> (HashSet<String>, HashSet<String>) {
    let mut last: HashMap<String, Value> = HashMap::new();
    for line in text.lines() {
        // A torn last line (the kill) is skipped, as the CLI does.
        if let Ok(record) = serde_json::from_str::<Value>(line)
            && let Some(key) = record["key"].as_str()
        {
            last.insert(key.to_owned(), record);
        }
    }
    let mut finished = HashSet::new();
    let mut interrupted = HashSet::new();
    for (key, record) in last {
        let ok = record["state"] == "done"
            && matches!(
                record["outcome"]["status"].as_str(),
                Some("retracted" | "already-retracted")
            );
        if ok {
            finished.insert(key);
        } else {
            interrupted.insert(key);
        }
    }
    (finished, interrupted)
}

/// `done` records in the journal so far.
fn done_records(journal: &Path) -> usize {
    std::fs::read_to_string(journal)
        .map(|t| {
            t.lines()
                .filter(|l| l.contains(r#""state":"done""#))
                .count()
        })
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_batch_killed_with_sigkill_resumes_without_repeating_or_skipping() {
    // Jobs run vendor-side whether or not anyone polls them, as in production.
    let sandbox = Sandbox::start_with(SandboxConfig {
        job_progression: JobProgression::Time(Duration::from_millis(20)),
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox");
    let fleet = fleet(60);
    sandbox.seed(&fleet.seed).expect("seed");
    // Some calls act and then lose their response (the connection drops): the resumed
    // run must find them retracted by reading back, not retract them again.
    let drop_after = |method: &str, path: &str| {
        FaultRule::new(method, path, FaultKind::Drop)
            .mode(FaultMode::NextN { next_n: 1 })
            .when(FaultTiming::After)
    };
    // (Not on order PATCHes: the orders crate repeats a PATCH whose connection dropped
    // with the same MS-RequestId, Partner Center's idempotency key, and the sandbox
    // journal cannot yet tell that no-op repeat from a second cancellation.)
    for (i, ac) in fleet.appcharge.iter().enumerate() {
        if i % 7 == 3 {
            sandbox
                .inject_fault(drop_after("DELETE", ac))
                .expect("fault");
        }
    }
    // Slow every mutating call and job poll down (before acting) so the kill lands with
    // calls in flight.
    let delay = FaultKind::Delay { millis: 40 };
    for (method, path) in [
        ("DELETE", "/v2/offer/*"),
        ("DELETE", "/data/core/dps/offers/*"),
        ("PATCH", "/v1/customers/*"),
        ("POST", "/rp/product-ingestion/configure"),
        ("GET", "/rp/product-ingestion/configure/*"),
    ] {
        sandbox
            .inject_fault(FaultRule::new(method, path, delay))
            .expect("fault");
    }
    let dir = TempDir::new("batch-kill");
    let input = write_input(dir.path(), &fleet.lines);
    let journal = dir.path().join("targets.jsonl.journal");

    // Run 1: killed (SIGKILL) once a fifth of the targets are done.
    let mut args = vec![
        "batch",
        input.as_str(),
        "--concurrency",
        "8",
        "--output",
        "run1.jsonl",
    ];
    args.extend_from_slice(&NO_LIMITS);
    let mut child = command(&sandbox_env(&sandbox), dir.path())
        .args(&args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    let mut waited = 0;
    while done_records(&journal) < fleet.lines.len() / 5 {
        assert!(
            child.try_wait().expect("wait").is_none(),
            "run 1 ended before it could be killed"
        );
        assert!(waited < 3000, "run 1 made no progress");
        tokio::time::sleep(Duration::from_millis(10)).await;
        waited += 1;
    }
    child.start_kill().expect("kill -9");
    let status = child.wait().await.expect("wait");
    assert_eq!(status.code(), None, "killed by a signal");
    let journal_text = std::fs::read_to_string(&journal).expect("journal");

    // Run 2: no faults; resumes from the journal.
    sandbox.clear_faults();
    let run = batch(&sandbox, dir.path(), &[&input, "--output", "run2.jsonl"]).await;
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    let results = jsonl(&std::fs::read_to_string(dir.path().join("run2.jsonl")).expect("results"));
    assert_eq!(results.len(), fleet.lines.len());
    let (finished, interrupted) = journal_keys(&journal_text);
    assert!(!interrupted.is_empty(), "the kill interrupted nothing");
    for r in &results {
        let key = r["key"].as_str().unwrap_or("");
        if finished.contains(key) {
            assert_eq!(r["status"], "skipped-done", "{r}");
        } else if interrupted.contains(key) {
            // Read back (or its job resumed) before anything else.
            assert!(r["resumed"].is_string(), "{r}");
            assert!(
                matches!(
                    r["status"].as_str(),
                    Some("retracted" | "already-retracted")
                ),
                "{r}"
            );
        } else {
            assert_eq!(r["status"], "retracted", "{r}");
        }
    }
    assert_exactly_once(&sandbox, &fleet, false);
    sandbox.shutdown().await.expect("shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_batch_reports_malformed_lines_by_number_and_runs_the_others() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    sandbox
        .seed(&json!({"appcharge": {"offers": [
            {"publisherOfferId": "m-1", "name": "Pack one", "type": "Bundle"},
            {"publisherOfferId": "m-2", "name": "Pack two", "type": "Bundle"}]}}))
        .expect("seed");
    let dir = TempDir::new("batch-bad");
    let input = dir.path().join("targets.jsonl");
    std::fs::write(
        &input,
        [
            r#"{"vendor":"appcharge","action":"delete","publisherOfferId":"m-1"}"#,
            "",
            "{not json",
            r#"{"vendor":"appcharge","action":"delete"}"#,
            r#"{"vendor":"appcharge","action":"delete","publisherOfferId":"m-2"}"#,
            r#"{"vendor":"appcharge","action":"delete","publisherOfferId":"m-1"}"#,
            r#"{"vendor":"acme","action":"delete","id":"x"}"#,
        ]
        .join("\n"),
    )
    .expect("write");
    let input = input.display().to_string();

    // Dry run: every line judged, nothing sent.
    let dry = batch(&sandbox, dir.path(), &[&input, "--dry-run"]).await;
    assert_eq!(dry.code, 2, "{dry:?}");
    let statuses: Vec<(u64, String)> = dry
        .json_lines()
        .iter()
        .map(|r| {
            (
                r["line"].as_u64().unwrap_or(0),
                r["status"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    for expected in [
        (1, "would-retract"),
        (3, "invalid"),
        (4, "invalid"),
        (5, "would-retract"),
        (6, "duplicate"),
        (7, "invalid"),
    ] {
        assert!(
            statuses.contains(&(expected.0, expected.1.to_owned())),
            "{expected:?} in {statuses:?}"
        );
    }
    assert_eq!(sandbox.journal().len(), 0, "a dry run calls nothing");

    let run = batch(&sandbox, dir.path(), &[&input]).await;
    assert_eq!(run.code, 2, "invalid lines and no vendor failure: {run:?}");
    let results = run.json_lines();
    let by_line: HashMap<u64, &Value> = results
        .iter()
        .map(|r| (r["line"].as_u64().unwrap_or(0), r))
        .collect();
    assert_eq!(by_line.len(), 6, "{results:?}");
    assert_eq!(by_line[&1]["status"], "retracted");
    assert_eq!(by_line[&5]["status"], "retracted");
    assert_eq!(by_line[&3]["status"], "invalid");
    assert!(
        by_line[&3]["error"]
            .as_str()
            .unwrap_or("")
            .starts_with("line 3: "),
        "{results:?}"
    );
    assert!(
        by_line[&4]["error"]
            .as_str()
            .unwrap_or("")
            .contains("publisherOfferId"),
        "{results:?}"
    );
    assert_eq!(by_line[&6]["status"], "duplicate");
    assert!(
        by_line[&7]["error"]
            .as_str()
            .unwrap_or("")
            .starts_with("line 7: "),
        "{results:?}"
    );
    assert!(run.stderr.contains("line 3"), "{}", run.stderr);
    assert_eq!(sandbox.succeeded_count("DELETE", "/v2/offer/m-1"), 1);
    assert_eq!(sandbox.succeeded_count("DELETE", "/v2/offer/m-2"), 1);

    // Run again: the journal skips what is done.
    let again = batch(&sandbox, dir.path(), &[&input]).await;
    let skipped = again
        .json_lines()
        .iter()
        .filter(|r| r["status"] == "skipped-done")
        .count();
    assert_eq!(skipped, 2, "{again:?}");
    assert_eq!(sandbox.count("DELETE", "/v2/offer/m-1"), 1);
    sandbox.shutdown().await.expect("shutdown");
}
