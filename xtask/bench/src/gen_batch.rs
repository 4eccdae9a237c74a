//! Figure 2's input: `count` mixed targets (a quarter per vendor: ingestion draft deletes, whole-order
//! cancels spread over 64 customer tenants, Adobe personalized/fallback deletes, Appcharge deletes)
//! as JSONL, and a sandbox seed holding exactly the resources they retract.

use std::io::Write;
use std::path::Path;

use serde_json::{Value, json};

use crate::Result;

/// How many customer tenants the order cancels are spread over.
const TENANTS: usize = 64;

/// The customer tenant of order `i`.
pub(crate) fn tenant(i: usize) -> String {
    format!("4f5a3c1e-0000-4000-8000-{:012}", i % TENANTS)
}

/// One target and the seed resource it needs.
fn target(i: usize) -> (Value, Section, Value) {
    match i % 4 {
        0 => (
            json!({"vendor": "partner-center-ingestion", "action": "delete", "offerId": format!("bench-draft-{i}"),
                   "name": format!("benchOffer{i}"), "privateOfferType": "customerPromotion"}),
            Section::Ingestion,
            json!({"id": format!("private-offer/bench-draft-{i}"), "name": format!("benchOffer{i}"),
                   "privateOfferType": "customerPromotion", "state": "draft"}),
        ),
        1 => (
            json!({"vendor": "partner-center-orders", "action": "cancel", "customerTenantId": tenant(i),
                   "orderId": format!("bench-order-{i}")}),
            Section::Orders,
            json!({"id": format!("bench-order-{i}"), "referenceCustomerId": tenant(i), "billingCycle": "one_time",
                   "status": "completed", "lineItems": [{"lineItemNumber": 0, "offerId": "DG7GMGF0FKZV:0003:DG7GMGF0DWMS",
                   "friendlyName": "Software 0", "quantity": 1, "termDuration": "P1Y"}]}),
        ),
        2 => {
            let kind = if i % 8 == 2 {
                "personalized"
            } else {
                "fallback"
            };
            (
                json!({"vendor": "adobe", "action": "delete", "offerId": format!("benchAdobe{i}"), "offerType": kind}),
                if kind == "personalized" {
                    Section::AdobePersonalized
                } else {
                    Section::AdobeFallback
                },
                json!({"id": format!("benchAdobe{i}"), "name": format!("Bench offer {i}"), "status": "approved"}),
            )
        }
        _ => (
            json!({"vendor": "appcharge", "action": "delete", "publisherOfferId": format!("bench-ac-{i}")}),
            Section::Appcharge,
            json!({"publisherOfferId": format!("bench-ac-{i}"), "name": "Bench Offer", "type": "SpecialOffer", "active": true}),
        ),
    }
}

/// Which part of the seed a resource goes to.
#[derive(Clone, Copy)]
enum Section {
    Ingestion,
    Orders,
    AdobePersonalized,
    AdobeFallback,
    Appcharge,
}

/// Writes `targets` (JSONL) and `seed` (sandbox seed JSON); returns the counts.
pub(crate) fn run(count: usize, targets: &Path, seed: &Path) -> Result<Value> {
    let mut lines = Vec::with_capacity(count * 120);
    let mut parts: [Vec<Value>; 5] = Default::default();
    for i in 0..count {
        let (t, section, resource) = target(i);
        writeln!(lines, "{t}").map_err(|e| e.to_string())?;
        parts[section as usize].push(resource);
    }
    let counts = json!({
        "targets": count,
        "ingestion": parts[0].len(),
        "orders": parts[1].len(),
        "adobe": parts[2].len() + parts[3].len(),
        "appcharge": parts[4].len(),
    });
    let [ingestion, orders, personalized, fallback, appcharge] = parts;
    let seed_doc = json!({
        "ingestion": {"privateOffers": ingestion},
        "orders": orders,
        "adobe": {"personalized": personalized, "fallback": fallback},
        "appcharge": {"offers": appcharge},
    });
    std::fs::write(targets, lines).map_err(|e| format!("{}: {e}", targets.display()))?;
    std::fs::write(seed, seed_doc.to_string()).map_err(|e| format!("{}: {e}", seed.display()))?;
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_vendor_gets_a_quarter() {
        let kinds: Vec<String> = (0..8)
            .map(|i| {
                target(i).0["vendor"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect();
        assert_eq!(kinds.iter().filter(|k| *k == "appcharge").count(), 2);
        assert_eq!(kinds.iter().filter(|k| *k == "adobe").count(), 2);
    }
}
