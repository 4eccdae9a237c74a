//! Bench input: `count` targets as JSONL and a sandbox seed holding exactly the resources they
//! retract. Figure 2 mixes a quarter per vendor (ingestion draft deletes, whole-order cancels spread
//! over 64 customer tenants, Adobe personalized/fallback deletes, Appcharge deletes); the
//! batch-at-scale figure uses only the Adobe and Appcharge deletes, its seed in chunks.

use std::io::Write;
use std::path::Path;

use serde_json::{Value, json};

use crate::Result;

/// How many customer tenants the order cancels are spread over (figure 2).
const TENANTS: usize = 64;

/// How many customer tenants the quota figure's order cancels are spread over.
pub(crate) const QUOTA_TENANTS: usize = 3;

/// The customer tenant of order `i`, one of `tenants`.
pub(crate) fn tenant(i: usize, tenants: usize) -> String {
    format!("4f5a3c1e-0000-4000-8000-{:012}", i % tenants.max(1))
}

/// One target and the seed resource it needs (orders spread over `tenants` customer tenants).
fn target(i: usize, tenants: usize) -> (Value, Section, Value) {
    let tenant = |i| tenant(i, tenants);
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

/// Which targets to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mix {
    /// A quarter per vendor (figure 2).
    All,
    /// Adobe and Appcharge deletes only, half each (the batch-at-scale figure: no job polling).
    Deletes,
    /// The quota figure: of every 7 targets, 3 whole-order cancels (over [`QUOTA_TENANTS`]
    /// customer tenants) and 4 Appcharge deletes (one publisher token).
    Quota,
}

impl Mix {
    /// `all` or `deletes`.
    pub(crate) fn parse(text: &str) -> Result<Self> {
        match text {
            "all" => Ok(Self::All),
            "deletes" => Ok(Self::Deletes),
            "quota" => Ok(Self::Quota),
            other => Err(format!("--mix {other}: expected all, deletes or quota")),
        }
    }

    /// The [`target`] index of the `n`-th generated target: for `Deletes`, the indices whose
    /// vendor is Adobe or Appcharge, so ids stay the ones figure 2 uses.
    fn index(self, n: usize) -> usize {
        match self {
            Self::All => n,
            Self::Deletes => 4 * (n / 2) + 2 + n % 2,
            Self::Quota => match (n / 7, n % 7) {
                (block, r) if r < 3 => 4 * (block * 3 + r) + 1,
                (block, r) => 4 * (block * 4 + r - 3) + 3,
            },
        }
    }

    /// How many customer tenants the order cancels are spread over.
    fn tenants(self) -> usize {
        match self {
            Self::Quota => QUOTA_TENANTS,
            Self::All | Self::Deletes => TENANTS,
        }
    }
}

/// The seed being written: resources per section, flushed as one JSON document per `chunk`.
struct Seed<W: Write> {
    out: W,
    parts: [Vec<Value>; 5],
    held: usize,
    chunk: usize,
    totals: [usize; 5],
}

impl<W: Write> Seed<W> {
    fn push(&mut self, section: Section, resource: Value) -> Result<()> {
        self.parts[section as usize].push(resource);
        self.totals[section as usize] += 1;
        self.held += 1;
        if self.held >= self.chunk {
            self.flush()?;
        }
        Ok(())
    }

    /// Writes the held resources as one seed document line (even when empty, so a seed of zero
    /// targets is still one valid document).
    fn flush(&mut self) -> Result<()> {
        let [ingestion, orders, personalized, fallback, appcharge] =
            std::mem::take(&mut self.parts);
        let doc = json!({
            "ingestion": {"privateOffers": ingestion},
            "orders": orders,
            "adobe": {"personalized": personalized, "fallback": fallback},
            "appcharge": {"offers": appcharge},
        });
        self.held = 0;
        writeln!(self.out, "{doc}").map_err(|e| e.to_string())
    }
}

/// Writes `count` targets of `mix` (JSONL) and the sandbox seed holding what they retract:
/// one seed document, or with `chunk` one document per line of at most `chunk` resources
/// (for `POST /_sandbox/seed`, whose body is limited). Returns the counts.
pub(crate) fn run(
    count: usize,
    mix: Mix,
    chunk: Option<usize>,
    targets: &Path,
    seed: &Path,
) -> Result<Value> {
    let create = |path: &Path| {
        std::fs::File::create(path)
            .map(std::io::BufWriter::new)
            .map_err(|e| format!("{}: {e}", path.display()))
    };
    let mut lines = create(targets)?;
    let mut seed_out = Seed {
        out: create(seed)?,
        parts: Default::default(),
        held: 0,
        chunk: chunk.unwrap_or(usize::MAX).max(1),
        totals: [0; 5],
    };
    let mut chunks = 0;
    for n in 0..count {
        let (t, section, resource) = target(mix.index(n), mix.tenants());
        writeln!(lines, "{t}").map_err(|e| format!("{}: {e}", targets.display()))?;
        seed_out.push(section, resource)?;
        if seed_out.held == 0 {
            chunks += 1;
        }
    }
    if seed_out.held > 0 || chunks == 0 {
        seed_out.flush()?;
        chunks += 1;
    }
    lines
        .flush()
        .map_err(|e| format!("{}: {e}", targets.display()))?;
    seed_out
        .out
        .flush()
        .map_err(|e| format!("{}: {e}", seed.display()))?;
    let t = seed_out.totals;
    Ok(json!({
        "targets": count,
        "ingestion": t[0],
        "orders": t[1],
        "adobe": t[2] + t[3],
        "appcharge": t[4],
        "seed_documents": chunks,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_vendor_gets_a_quarter() {
        let kinds: Vec<String> = (0..8)
            .map(|i| {
                target(i, TENANTS).0["vendor"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect();
        assert_eq!(kinds.iter().filter(|k| *k == "appcharge").count(), 2);
        assert_eq!(kinds.iter().filter(|k| *k == "adobe").count(), 2);
    }

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir =
            std::env::temp_dir().join(format!("offerkit-bench-gen-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir
    }

    #[test]
    fn deletes_are_adobe_and_appcharge_halves_with_a_chunked_seed_of_exactly_their_resources() {
        let dir = scratch("deletes");
        let (targets, seed) = (dir.join("t.jsonl"), dir.join("s.jsonl"));
        let counts = run(11, Mix::Deletes, Some(4), &targets, &seed).expect("generates");
        assert_eq!(counts["adobe"], 6);
        assert_eq!(counts["appcharge"], 5);
        assert_eq!(counts["seed_documents"], 3);
        let lines: Vec<Value> = std::fs::read_to_string(&targets)
            .expect("targets")
            .lines()
            .map(|l| serde_json::from_str(l).expect("json"))
            .collect();
        assert_eq!(lines.len(), 11);
        let mut wanted: Vec<String> = lines
            .iter()
            .map(|t| match t["vendor"].as_str() {
                Some("adobe") => format!("adobe:{}", t["offerId"].as_str().unwrap_or_default()),
                Some("appcharge") => {
                    format!("ac:{}", t["publisherOfferId"].as_str().unwrap_or_default())
                }
                other => panic!("unexpected vendor {other:?}"),
            })
            .collect();
        let mut seeded = Vec::new();
        for line in std::fs::read_to_string(&seed).expect("seed").lines() {
            let doc: Value = serde_json::from_str(line).expect("seed json");
            let mut held = 0;
            for kind in ["personalized", "fallback"] {
                for r in doc["adobe"][kind].as_array().expect("array") {
                    seeded.push(format!("adobe:{}", r["id"].as_str().unwrap_or_default()));
                    held += 1;
                }
            }
            for r in doc["appcharge"]["offers"].as_array().expect("array") {
                seeded.push(format!(
                    "ac:{}",
                    r["publisherOfferId"].as_str().unwrap_or_default()
                ));
                held += 1;
            }
            assert!((1..=4).contains(&held), "chunk of {held}");
        }
        wanted.sort();
        seeded.sort();
        assert_eq!(wanted, seeded);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_quota_mix_is_three_order_cancels_over_three_tenants_per_four_appcharge_deletes() {
        let dir = scratch("quota");
        let (targets, seed) = (dir.join("t.jsonl"), dir.join("s.json"));
        let counts = run(70, Mix::Quota, None, &targets, &seed).expect("generates");
        assert_eq!(
            (counts["orders"].clone(), counts["appcharge"].clone()),
            (json!(30), json!(40))
        );
        let lines: Vec<Value> = std::fs::read_to_string(&targets)
            .expect("targets")
            .lines()
            .map(|l| serde_json::from_str(l).expect("json"))
            .collect();
        let mut tenants: Vec<&str> = lines
            .iter()
            .filter_map(|t| t["customerTenantId"].as_str())
            .collect();
        tenants.sort_unstable();
        tenants.dedup();
        assert_eq!(tenants.len(), QUOTA_TENANTS);
        let mut keys: Vec<String> = lines.iter().map(Value::to_string).collect();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), 70, "every target is distinct");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn an_unchunked_seed_is_one_document_even_when_empty() {
        let dir = scratch("empty");
        let (targets, seed) = (dir.join("t.jsonl"), dir.join("s.json"));
        let counts = run(0, Mix::All, None, &targets, &seed).expect("generates");
        assert_eq!(counts["seed_documents"], 1);
        let doc: Value =
            serde_json::from_str(&std::fs::read_to_string(&seed).expect("seed")).expect("json");
        assert_eq!(doc["appcharge"]["offers"], json!([]));
        let counts = run(9, Mix::All, None, &targets, &seed).expect("generates");
        assert_eq!(
            (counts["seed_documents"].clone(), counts["orders"].clone()),
            (json!(1), json!(2))
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
