//! `offerkit demo`: embedded sandbox + seed + one batch covering every operation.

mod present;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use offerkit::{Client, Error, ErrorKind, Target, Vendor};
use serde_json::{Value, json};

use crate::batch::engine::{self, Event, LineStatus, Options, Summary};
use crate::batch::journal::embedded_sandbox;
use crate::batch::rate::Limits;
use crate::batch::report;
use crate::commands::batch::{self, Backend, Files};
use crate::exit::Exit;
use crate::setup;

/// The demo customer tenant.
pub const TENANT: &str = "4f5a3c1e-0000-4000-8000-00000000c0de";

/// Seeds one resource for every target of [`targets`].
pub fn seed() -> Value {
    let created = crate::batch::journal::now();
    let line = |n: u32, offer: &str| json!({"lineItemNumber": n, "offerId": offer, "friendlyName": format!("Software {n}"), "quantity": 1, "termDuration": "P1Y"});
    json!({
        "ingestion": {"privateOffers": [
            {"id": "private-offer/demo-draft-1", "name": "privateOffercustomer1705", "privateOfferType": "customerPromotion", "state": "draft"},
            {"id": "private-offer/demo-mpo-isv", "name": "mpoOriginatorOffer", "privateOfferType": "multipartyPromotionOriginator", "state": "live"},
            {"id": "private-offer/demo-mpo-partner", "name": "mpoPartnerOffer", "privateOfferType": "multipartyPromotionChannelPartner", "state": "live", "subState": "pendingAcceptance"}
        ]},
        "orders": [
            {"id": "demo-order-partial", "referenceCustomerId": TENANT, "billingCycle": "one_time", "status": "completed", "creationDate": created,
             "lineItems": [line(0, "DG7GMGF0FKZV:0003:DG7GMGF0DWMS"), line(1, "DG7GMGF0FKZV:0004:DG7GMGF0DWMS"), line(2, "DG7GMGF0FKZV:0005:DG7GMGF0DWMS")]},
            {"id": "demo-order-whole", "referenceCustomerId": TENANT, "billingCycle": "one_time", "status": "completed", "creationDate": created,
             "lineItems": [line(0, "DG7GMGF0FKZV:0003:DG7GMGF0DWMS")]}
        ],
        "subscriptions": [
            {"customerTenantId": TENANT, "id": "demo-sub-new", "offerId": "CFQ7TTC0LH18:0001:CFQ7TTC0K59S", "offerName": "Microsoft 365 Business Basic",
             "quantity": 10, "termDuration": "P1Y", "billingCycle": "monthly", "creationDate": created},
            {"customerTenantId": TENANT, "id": "demo-sub-renewing", "offerId": "CFQ7TTC0LDPB:0001:CFQ7TTC0K5BF", "offerName": "Microsoft 365 Business Standard",
             "quantity": 5, "termDuration": "P1Y", "billingCycle": "annual", "creationDate": "2025-01-01T00:00:00Z"}
        ],
        "adobe": {
            "personalized": [{"id": "personalizedOffer1234", "name": "Demo personalized offer", "status": "approved"}],
            "fallback": [{"id": "fallbackOffer1234", "name": "Demo fallback offer", "status": "approved"}]
        },
        "appcharge": {"offers": [
            {"publisherOfferId": "special-offer-1", "name": "My Special Offer", "type": "SpecialOffer", "active": true}
        ]}
    })
}

/// The demo batch: every operation of every vendor.
pub fn targets() -> Vec<Value> {
    vec![
        json!({"vendor":"partner-center-ingestion","action":"delete","offerId":"demo-draft-1","name":"privateOffercustomer1705"}),
        json!({"vendor":"partner-center-ingestion","action":"withdraw","offerId":"demo-mpo-isv","role":"isv","name":"mpoOriginatorOffer"}),
        json!({"vendor":"partner-center-ingestion","action":"withdraw","offerId":"demo-mpo-partner","role":"selling-partner","name":"mpoPartnerOffer"}),
        json!({"vendor":"partner-center-orders","action":"cancel","customerTenantId":TENANT,"orderId":"demo-order-partial","lineItems":[0,2]}),
        json!({"vendor":"partner-center-orders","action":"cancel","customerTenantId":TENANT,"orderId":"demo-order-whole"}),
        json!({"vendor":"partner-center-orders","action":"cancel-subscription","customerTenantId":TENANT,"subscriptionId":"demo-sub-new"}),
        json!({"vendor":"partner-center-orders","action":"stop-renewal","customerTenantId":TENANT,"subscriptionId":"demo-sub-renewing"}),
        json!({"vendor":"adobe","action":"delete","offerId":"personalizedOffer1234","offerType":"personalized"}),
        json!({"vendor":"adobe","action":"delete","offerId":"fallbackOffer1234","offerType":"fallback"}),
        json!({"vendor":"appcharge","action":"delete","publisherOfferId":"special-offer-1"}),
    ]
}

/// Runs the demo; `dir` keeps its files (else a fresh temp dir).
pub async fn run(dir: Option<PathBuf>, json_output: bool) -> Exit {
    match run_inner(dir, json_output).await {
        Ok(summary) => Exit::for_batch(&summary),
        Err(error) => {
            crate::print_error(&error, json_output);
            Exit::for_error(&error)
        }
    }
}

async fn run_inner(dir: Option<PathBuf>, json_output: bool) -> Result<Summary, Error> {
    let started = Instant::now();
    let io = |what: &str, path: &Path, e: std::io::Error| {
        Error::new(
            ErrorKind::Internal,
            format!("{what} {}: {e}", path.display()),
        )
    };
    let dir = match dir {
        Some(dir) => dir,
        None => std::env::temp_dir().join(format!("offerkit-demo-{}", std::process::id())),
    };
    std::fs::create_dir_all(&dir).map_err(|e| io("cannot create", &dir, e))?;

    let sandbox = setup::start_sandbox().await?;
    sandbox
        .seed(&seed())
        .map_err(|e| Error::from_source(ErrorKind::Internal, e))?;
    let targets = targets();
    let input = dir.join("demo.jsonl");
    let text: String = targets.iter().map(|t| format!("{t}\n")).collect();
    std::fs::write(&input, text).map_err(|e| io("cannot write", &input, e))?;
    let journal = dir.join("demo.jsonl.journal");
    let _ = std::fs::remove_file(&journal);
    let by_line: HashMap<usize, Target> = targets
        .iter()
        .enumerate()
        .filter_map(|(i, value)| Some((i + 1, Target::from_value(value.clone()).ok()?)))
        .collect();
    if !json_output {
        print_header(sandbox.base_url(), &input, &journal, targets.len());
    }

    let config = setup::sandbox_config(sandbox.base_url());
    let client = Arc::new(Client::from_config(&config));
    // One target at a time, so that every sandbox request between two results belongs
    // to the target that just finished: the demo can show each one's HTTP calls.
    let options = Options {
        concurrency: 1,
        limits: Limits::unlimited(),
        context: client.context().clone(),
        ..Options::default()
    };
    let environment = |vendors: &[Vendor]| embedded_sandbox(vendors);
    let backend = Backend {
        client: Arc::clone(&client),
        environment: &environment,
    };
    let files = Files {
        input: input.clone(),
        format: None,
        journal: Some(journal),
        new_journal: false,
        output: None,
    };
    let prepared = batch::prepare(&backend, &files, &options, json_output).await?;
    let results_path = dir.join("demo.results.jsonl");
    let mut results_file =
        std::fs::File::create(&results_path).map_err(|e| io("cannot create", &results_path, e))?;
    let total = by_line.len();
    let mut seen = 0;
    let mut done = 0;
    let summary = engine::run(
        client,
        &prepared.input,
        &prepared.scan,
        &prepared.replay,
        prepared.journal,
        &options,
        |event| {
            let result = match event {
                Event::Result(result) => result,
                Event::Notice(text) => {
                    errln!("offerkit: {text}");
                    return;
                }
                // The demo's sandbox does not throttle.
                Event::Pacing(_) => return,
            };
            let journal = sandbox.journal();
            let calls = journal.get(seen..).unwrap_or_default();
            seen = journal.len();
            done += 1;
            if let Err(e) = report::write_jsonl(&mut results_file, result) {
                errln!("warning: cannot write {}: {e}", results_path.display());
            }
            if json_output {
                crate::print_json_line(result);
                return;
            }
            let what = by_line
                .get(&result.line)
                .map_or_else(|| format!("line {}", result.line), present::what);
            outln!("[{done}/{total}] line {}: {what}", result.line);
            let trail = present::http_trail(calls);
            if !trail.is_empty() {
                outln!("      calls   {}", trail.join(", "));
            }
            outln!("      result  {}", present::result_line(result));
        },
    )
    .await?;
    let _ = sandbox.shutdown().await;
    if !json_output {
        print_footer(&summary, &dir, started.elapsed());
    }
    Ok(summary)
}

fn print_header(sandbox: &str, input: &Path, journal: &Path, targets: usize) {
    outln!("offerkit demo: one retraction of every kind, against a local sandbox");
    outln!("(an in-process emulator of the four vendor APIs: no credentials, no network)\n");
    outln!("  sandbox  {sandbox}");
    outln!(
        "  seeded   3 private offers, 2 orders, 2 subscriptions, 2 Adobe offers, 1 Appcharge offer"
    );
    outln!(
        "  input    {} ({targets} targets, one JSON object per line)",
        input.display()
    );
    outln!(
        "  journal  {} (what `offerkit batch` records to resume after a crash)\n",
        journal.display()
    );
    outln!("Running the batch, one target at a time so each one's HTTP calls can be shown:\n");
}

fn print_footer(summary: &Summary, dir: &Path, elapsed: std::time::Duration) {
    outln!();
    let _ = std::io::Write::write_all(
        &mut std::io::stdout().lock(),
        report::summary_table(summary).as_bytes(),
    );
    let failed = summary.total(LineStatus::Failed);
    let verdict = if failed == 0 && summary.invalid == 0 {
        "every target retracted".to_owned()
    } else {
        format!("{failed} target(s) failed")
    };
    outln!(
        "\n{verdict} in {:.1} s; input, journal and results are in {}",
        elapsed.as_secs_f64(),
        dir.display()
    );
    outln!("next: `offerkit batch --help` (input format, journal, resume) and `offerkit --help`");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_demo_target_is_valid_and_distinct() {
        let keys: std::collections::HashSet<String> = targets()
            .into_iter()
            .map(|t| Target::from_value(t).expect("valid target").key())
            .collect();
        assert_eq!(keys.len(), 10);
    }

    #[tokio::test]
    async fn the_sandbox_accepts_the_demo_seed() {
        let sandbox = setup::start_sandbox().await.expect("start");
        sandbox.seed(&seed()).expect("seed accepted");
        let _ = sandbox.shutdown().await;
    }
}
