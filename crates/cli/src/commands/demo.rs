//! `offerkit demo`: embedded sandbox + seed + one batch covering every operation.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use offerkit::{Client, Error, ErrorKind};
use serde_json::{Value, json};

use crate::batch::engine::{self, Options, Summary};
use crate::batch::rate::Limits;
use crate::batch::report;
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
            {"id": "private-offer/demo-mpo-partner", "name": "mpoPartnerOffer", "privateOfferType": "multipartyPromotionChannelPartner", "state": "live"}
        ]},
        "orders": [
            {"id": "demo-order-partial", "referenceCustomerId": TENANT, "billingCycle": "one_time", "status": "completed", "creationDate": created,
             "lineItems": [line(0, "DG7GMGF0FKZV:0003:DG7GMGF0DWMS"), line(1, "DG7GMGF0FKZV:0004:DG7GMGF0DWMS"), line(2, "DG7GMGF0FKZV:0005:DG7GMGF0DWMS")]},
            {"id": "demo-order-whole", "referenceCustomerId": TENANT, "billingCycle": "one_time", "status": "completed", "creationDate": created,
             "lineItems": [line(0, "DG7GMGF0FKZV:0003:DG7GMGF0DWMS")]}
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
    println!("sandbox: {}", sandbox.base_url());
    sandbox
        .seed(&seed())
        .map_err(|e| Error::from_source(ErrorKind::Internal, e))?;
    let targets = targets();
    println!("seeded: 3 private offers, 2 orders, 2 Adobe offers, 1 Appcharge offer");

    let input = dir.join("demo.jsonl");
    let text: String = targets.iter().map(|t| format!("{t}\n")).collect();
    std::fs::write(&input, text).map_err(|e| io("cannot write", &input, e))?;
    let journal = dir.join("demo.jsonl.journal");
    let _ = std::fs::remove_file(&journal);
    println!(
        "batch: {} ({} targets), journal {}",
        input.display(),
        targets.len(),
        journal.display()
    );

    let config = setup::sandbox_config(sandbox.base_url());
    let client = Arc::new(Client::from_config(&config));
    let options = Options {
        concurrency: 8,
        dry_run: false,
        journal: Some(journal),
        limits: Limits::unlimited(),
        context: client.context().clone(),
    };
    let entries = crate::batch::input::parse(
        &std::fs::read_to_string(&input).map_err(|e| io("cannot read", &input, e))?,
    );
    let summary = engine::run(client, entries, &options, |result| {
        if json_output {
            crate::print_json_line(result);
        } else {
            println!("{}", report::describe(result));
        }
    })
    .await?;
    print!("{}", report::summary_table(&summary));
    let _ = sandbox.shutdown().await;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_demo_target_is_valid_and_distinct() {
        let text: String = targets().iter().map(|t| format!("{t}\n")).collect();
        let entries = crate::batch::input::parse(&text);
        assert_eq!(entries.len(), 8);
        assert!(
            entries
                .iter()
                .all(|e| matches!(e, crate::batch::input::Entry::Valid { .. }))
        );
    }

    #[tokio::test]
    async fn the_sandbox_accepts_the_demo_seed() {
        let sandbox = setup::start_sandbox().await.expect("start");
        sandbox.seed(&seed()).expect("seed accepted");
        let _ = sandbox.shutdown().await;
    }
}
