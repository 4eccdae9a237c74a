//! The whole reviewed change as a user runs it, one process per step against `offerkit sandbox
//! serve` (a process of its own, seeded from a file): `select` (two vendors) -> `plan` (no
//! mutating request reaches the sandbox: its journal says so) -> `apply --yes` with a reason and
//! an actor -> `restore --yes`: the Appcharge offer is back with every field it had, the Adobe
//! offer is back under a new id, and the offers `select` left out were never touched.

use std::path::Path;

use serde_json::{Value, json};

use crate::cli_support::{Run, TempDir, command, jsonl, without_fields};
use crate::sandbox_serve::{Served, http, serve};

/// The fields the vendors assign on create, left out of a comparison after a re-create.
const APPCHARGE_ASSIGNED: [&str; 4] = ["offerId", "publisherId", "createdAt", "updatedAt"];

fn seed() -> Value {
    json!({
        "appcharge": {"offers": [
            {"publisherOfferId": "summer:sale", "name": "Summer sale", "displayName": "Summer!",
             "type": "SpecialOffer", "active": true, "segments": ["New User", "VIP"],
             "offerUi": null, "priority": 3, "publisherTabId": "tab-1",
             "productsSequence": [{"index": 1, "products": [{"publisherProductId": "gems", "quantity": 10}],
                                   "priceInUsdCents": 499}],
             "futureField": {"kept": [1, null]}},
            {"publisherOfferId": "bundle-2", "name": "Bundle two", "type": "Bundle"}
        ]},
        "adobe": {"personalized": [
            {"id": "perso-1", "name": "Perso one", "status": "approved", "rank": {"priority": 7},
             "customThing": ["x"]},
            {"id": "perso-2", "name": "Perso two", "status": "draft"}
        ]}
    })
}

/// The CLI pointed at the served sandbox (`--sandbox-url`), run in `dir`.
async fn offerkit_served(served: &Served, dir: &Path, args: &[&str]) -> Run {
    let root = format!("http://{}", served.addr);
    let output = command(&[], dir)
        .arg("--sandbox-url")
        .arg(&root)
        .args(args)
        .output()
        .await
        .expect("run offerkit");
    Run::from(output)
}

/// The sandbox's journal entries as `METHOD path` lines.
async fn requests(served: &Served) -> Vec<String> {
    let (status, body) = http(&served.addr, "GET", "/_sandbox/journal", None).await;
    assert_eq!(status, 200, "{body}");
    let journal: Value = serde_json::from_str(&body).expect("journal JSON");
    journal["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| {
            format!(
                "{} {}",
                e["method"].as_str().unwrap_or("?"),
                e["path"].as_str().unwrap_or("?")
            )
        })
        .collect()
}

/// Journal lines that could change something: every method but GET, token requests aside.
fn mutating(requests: &[String]) -> Vec<&String> {
    requests
        .iter()
        .filter(|r| !r.starts_with("GET ") && !r.contains("token"))
        .collect()
}

async fn appcharge_offer(served: &Served, id: &str) -> Option<Value> {
    let path = format!("/v2/offer?publisherOfferIds={}", id.replace(':', "%3A"));
    let (status, body) = http(&served.addr, "GET", &path, None).await;
    if status == 404 {
        return None;
    }
    let list: Value = serde_json::from_str(&body).expect("offers JSON");
    list["offers"]
        .as_array()?
        .iter()
        .find(|o| o["publisherOfferId"] == id)
        .cloned()
}

/// The sandbox's personalized Adobe offers, from its state (the control API).
async fn adobe_offers(served: &Served) -> Vec<Value> {
    let (status, body) = http(&served.addr, "GET", "/_sandbox/state", None).await;
    assert_eq!(status, 200, "{body}");
    let state: Value = serde_json::from_str(&body).expect("state JSON");
    state["adobe"]["personalized"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[tokio::test]
async fn select_plan_apply_restore_as_a_user_runs_it() {
    let dir = TempDir::new("workflow");
    let seed_file = dir.path().join("seed.json");
    std::fs::write(&seed_file, seed().to_string()).expect("write seed");
    let served = serve(dir.path(), &["--seed", seed_file.to_str().expect("utf-8")]).await;
    let before = appcharge_offer(&served, "summer:sale")
        .await
        .expect("seeded offer");

    // 1. select: each vendor's matching resources as batch target lines.
    let appcharge = offerkit_served(
        &served,
        dir.path(),
        &[
            "select",
            "appcharge",
            "--id",
            "summer:sale",
            "--id",
            "bundle-2",
            "--where",
            "type=SpecialOffer",
            "--where",
            "segments=New User",
        ],
    )
    .await;
    assert_eq!(appcharge.code, 0, "{appcharge:?}");
    assert!(
        appcharge.stderr.trim_end().ends_with("read 2, matched 1"),
        "{}",
        appcharge.stderr
    );
    let adobe = offerkit_served(
        &served,
        dir.path(),
        &[
            "select",
            "adobe",
            "--offer-type",
            "personalized",
            "--where",
            "status=approved",
        ],
    )
    .await;
    assert_eq!(adobe.code, 0, "{adobe:?}");
    let targets: Vec<Value> = appcharge
        .json_lines()
        .into_iter()
        .chain(adobe.json_lines())
        .collect();
    assert_eq!(
        targets,
        vec![
            json!({"vendor": "appcharge", "action": "delete", "publisherOfferId": "summer:sale"}),
            json!({"vendor": "adobe", "action": "delete", "offerId": "perso-1", "offerType": "personalized"}),
        ]
    );
    let targets_file = dir.path().join("targets.jsonl");
    let text: String = targets.iter().map(|t| format!("{t}\n")).collect();
    std::fs::write(&targets_file, text).expect("write targets");
    assert!(
        mutating(&requests(&served).await).is_empty(),
        "select only reads"
    );

    // 2. plan: read-only, every target will be retracted and can be undone.
    let plan = offerkit_served(
        &served,
        dir.path(),
        &["plan", "targets.jsonl", "--output", "plan.jsonl"],
    )
    .await;
    assert_eq!(plan.code, 0, "{plan:?}");
    let plan_lines = jsonl(&std::fs::read_to_string(dir.path().join("plan.jsonl")).expect("plan"));
    assert_eq!(plan_lines.len(), 3, "a header and one line per target");
    assert_eq!(plan_lines[0]["plan"]["version"], 1);
    for line in &plan_lines[1..] {
        assert_eq!(line["verdict"], "will-retract", "{line}");
        assert_eq!(line["reversible"], true, "{line}");
        assert!(line["snapshot"].is_object(), "{line}");
    }
    let after_plan = requests(&served).await;
    assert!(
        mutating(&after_plan).is_empty(),
        "plan sent a mutating request: {after_plan:?}"
    );

    // 3. apply: the reviewed plan, audited.
    let before_apply = requests(&served).await.len();
    let apply = offerkit_served(
        &served,
        dir.path(),
        &[
            "apply",
            "plan.jsonl",
            "--yes",
            "--reason",
            "ticket 7",
            "--actor",
            "alice",
            "--output",
            "results.jsonl",
        ],
    )
    .await;
    assert_eq!(apply.code, 0, "{apply:?}");
    let results =
        jsonl(&std::fs::read_to_string(dir.path().join("results.jsonl")).expect("results"));
    assert_eq!(results.len(), 2, "{results:?}");
    for line in &results {
        assert_eq!(line["status"], "retracted", "{line}");
        assert_eq!(line["reason"], "ticket 7", "{line}");
        assert_eq!(line["actor"], "alice", "{line}");
        assert!(line["at"].is_string(), "{line}");
        assert!(line["snapshot"].is_object(), "{line}");
    }
    assert_eq!(appcharge_offer(&served, "summer:sale").await, None);
    let adobe_reads = requests(&served).await[before_apply..]
        .iter()
        .filter(|r| r.as_str() == "GET /data/core/dps/offers/perso-1")
        .count();
    assert_eq!(
        adobe_reads, 2,
        "apply's second look (also the snapshot) and the read that confirms the delete, no more"
    );
    let remaining: Vec<Value> = adobe_offers(&served)
        .await
        .into_iter()
        .map(|o| o["id"].clone())
        .collect();
    assert_eq!(
        remaining,
        vec![json!("perso-2")],
        "only the selected one went"
    );
    assert!(
        appcharge_offer(&served, "bundle-2").await.is_some(),
        "not selected, untouched"
    );

    // 4. restore: both back; Appcharge under its id with every field, Adobe under a new id.
    let restore = offerkit_served(
        &served,
        dir.path(),
        &[
            "restore",
            "results.jsonl",
            "--yes",
            "--output",
            "restored.jsonl",
        ],
    )
    .await;
    assert_eq!(restore.code, 0, "{restore:?}");
    let restored =
        jsonl(&std::fs::read_to_string(dir.path().join("restored.jsonl")).expect("restored"));
    assert_eq!(restored.len(), 2, "{restored:?}");
    assert!(
        restored.iter().all(|l| l["status"] == "restored"),
        "{restored:?}"
    );
    let back = appcharge_offer(&served, "summer:sale")
        .await
        .expect("the Appcharge offer is back");
    assert_eq!(
        without_fields(back, &APPCHARGE_ASSIGNED),
        without_fields(before, &APPCHARGE_ASSIGNED),
        "every field the user set comes back"
    );
    let adobe_line = restored
        .iter()
        .find(|l| l["vendor"] == "adobe")
        .expect("an adobe line");
    assert_eq!(adobe_line["oldId"], "perso-1");
    let new_id = adobe_line["newId"].as_str().expect("a new id");
    assert_ne!(new_id, "perso-1");
    let offers = adobe_offers(&served).await;
    let recreated = offers
        .iter()
        .find(|o| o["id"] == new_id)
        .expect("the new id is listed");
    assert_eq!(recreated["name"], "Perso one");
    assert_eq!(recreated["rank"], json!({"priority": 7}));
    assert_eq!(recreated["customThing"], json!(["x"]));
}
