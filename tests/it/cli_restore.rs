//! `offerkit restore` end to end, as a real process against a sandbox in the test process: a
//! batch run's results (with snapshots) restored, every field compared with a read before the
//! delete; Adobe offers back under new ids; Partner Center lines not restorable; an existing
//! offer reported, never overwritten; `--only`; no terminal without `--yes`; bad lines; and a
//! restore interrupted after its POST resumed without creating twice.

use std::path::Path;

use offerkit_adobe_offers::{AdobeOfferId, AdobeOffersClient, OfferType};
use offerkit_appcharge::{AppchargeClient, PublisherOfferId};
use offerkit_sandbox::Sandbox;
use serde_json::{Value, json};

use crate::cli_support::{
    NO_RATE_LIMITS, Run, TempDir, jsonl, offerkit_with, sandbox_env, without_fields,
};

fn seed() -> Value {
    json!({
        "appcharge": {"offers": [
            {"publisherOfferId": "summer:sale", "name": "Summer sale", "displayName": "Summer!",
             "type": "SpecialOffer", "active": false, "segments": ["New User", "VIP"],
             "offerUi": null, "priority": 3, "publisherTabId": "tab-1",
             "productsSequence": [{"index": 1, "products": [{"publisherProductId": "gems", "quantity": 10}],
                                   "priceInUsdCents": 499}],
             "badges": [{"publisherBadgeId": "hot"}], "futureField": {"kept": [1, null]}},
            {"publisherOfferId": "bundle-2", "name": "Bundle two", "type": "Bundle"}
        ]},
        "adobe": {
            "personalized": [
                {"id": "perso-1", "name": "Perso one", "status": "approved", "description": null,
                 "rank": {"priority": 7},
                 "selectionConstraint": {"startDate": "2026-01-01T00:00:00.000Z", "endDate": "2027-01-01T00:00:00.000Z", "profileConstraintType": "none"},
                 "representations": [{"channel": "https://ns.adobe.com/xdm/channel-types/web", "placement": "xcore:offer-placement:1",
                                      "components": [{"type": "html", "format": "text/html", "content": "<p>hi</p>"}]}],
                 "cappingConstraint": {}, "customThing": ["x"]}
            ],
            "fallback": [{"id": "fallback-1", "name": "Fallback one", "status": "draft"}]
        },
        "orders": [{"id": "order-1", "referenceCustomerId": "customer-1", "creationDate": "2099-01-01T00:00:00Z",
                    "lineItems": [{"offerId": "DG7GMGF0FKZV:0003:DG7GMGF0DWMS", "quantity": 1}]}]
    })
}

fn targets() -> Vec<Value> {
    vec![
        json!({"vendor": "appcharge", "action": "delete", "publisherOfferId": "summer:sale"}),
        json!({"vendor": "appcharge", "action": "delete", "publisherOfferId": "bundle-2"}),
        json!({"vendor": "adobe", "action": "delete", "offerId": "perso-1", "offerType": "personalized"}),
        json!({"vendor": "adobe", "action": "delete", "offerId": "fallback-1", "offerType": "fallback"}),
        json!({"vendor": "partner-center-orders", "action": "cancel", "customerTenantId": "customer-1", "orderId": "order-1"}),
    ]
}

fn env_lookup(env: &[(String, String)]) -> impl Fn(&str) -> Option<String> + '_ {
    move |key| env.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
}

async fn appcharge_raw(client: &AppchargeClient, id: &str) -> Option<Value> {
    let id = PublisherOfferId::new(id).expect("id");
    client
        .get_offer_raw(&id)
        .await
        .expect("read")
        .map(|r| r.raw)
}

async fn adobe_raw(client: &AdobeOffersClient, id: &str, kind: OfferType) -> Option<Value> {
    let id = AdobeOfferId::new(id).expect("id");
    client
        .get_offer_raw(&id, kind)
        .await
        .expect("read")
        .map(|r| r.raw)
}

fn write_lines(path: &Path, lines: &[Value]) {
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(path, text).expect("write");
}

fn mutations(sandbox: &Sandbox) -> Vec<String> {
    sandbox
        .journal()
        .into_iter()
        .filter(|e| e.method != "GET" && e.vendor != "ims" && e.vendor != "azure-ad")
        .map(|e| format!("{} {} {}", e.method, e.path, e.status))
        .collect()
}

fn by_key<'a>(lines: &'a [Value], key: &str) -> &'a Value {
    lines
        .iter()
        .find(|l| l["key"] == key)
        .unwrap_or_else(|| panic!("no line for {key}: {lines:?}"))
}

async fn restore(env: &[(String, String)], dir: &Path, args: &[&str]) -> Run {
    let mut all = vec!["restore"];
    all.extend_from_slice(args);
    offerkit_with(env, dir, &all).await
}

#[tokio::test]
async fn batch_results_restore_every_field_and_adobe_gets_new_ids() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    sandbox.seed(&seed()).expect("seed");
    let env = sandbox_env(&sandbox);
    let dir = TempDir::new("restore");
    let appcharge = AppchargeClient::from_lookup(&env_lookup(&env)).expect("appcharge");
    let adobe = AdobeOffersClient::from_lookup(&env_lookup(&env)).expect("adobe");

    let before_summer = appcharge_raw(&appcharge, "summer:sale")
        .await
        .expect("seeded");
    let before_bundle = appcharge_raw(&appcharge, "bundle-2").await.expect("seeded");
    let before_perso = adobe_raw(&adobe, "perso-1", OfferType::Personalized)
        .await
        .expect("seeded");
    let before_fallback = adobe_raw(&adobe, "fallback-1", OfferType::Fallback)
        .await
        .expect("seeded");
    // Sent as explicit nulls (not just absent): what "nulls kept" below is about.
    assert_eq!(before_summer.get("offerUi"), Some(&Value::Null));
    assert_eq!(before_perso.get("description"), Some(&Value::Null));

    let input = dir.path().join("targets.jsonl");
    write_lines(&input, &targets());
    let mut args = vec!["batch", "targets.jsonl", "-o", "results.jsonl"];
    args.extend(NO_RATE_LIMITS);
    let batch = offerkit_with(&env, dir.path(), &args).await;
    assert_eq!(batch.code, 0, "{batch:?}");
    let results =
        jsonl(&std::fs::read_to_string(dir.path().join("results.jsonl")).expect("results"));
    // The snapshots are the resources exactly as read before the delete (nulls kept).
    assert_eq!(
        by_key(&results, "appcharge:delete:summer%3Asale")["snapshot"],
        before_summer
    );
    assert_eq!(
        by_key(&results, "adobe:delete:personalized:perso-1")["snapshot"],
        before_perso
    );
    // The order as read before its PATCH: kept for the audit, not restorable.
    let order = &by_key(
        &results,
        "partner-center-orders:cancel:customer-1:order-1:all",
    )["snapshot"];
    assert_eq!(order["id"], "order-1", "{order}");
    assert_eq!(
        order["lineItems"][0]["quantity"], 1,
        "before the cancellation: {order}"
    );
    assert!(
        appcharge_raw(&appcharge, "summer:sale").await.is_none(),
        "deleted"
    );

    // No terminal and no --yes: refused before any request.
    sandbox.clear_journal();
    let refused = restore(&env, dir.path(), &["results.jsonl"]).await;
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(refused.stderr.contains("--yes"), "{}", refused.stderr);
    assert!(refused.stdout.is_empty());
    assert!(
        sandbox.journal().is_empty(),
        "no request at all: {:?}",
        sandbox.journal()
    );

    let run = restore(
        &env,
        dir.path(),
        &["results.jsonl", "--yes", "-o", "restored.jsonl"],
    )
    .await;
    assert_eq!(run.code, 0, "{run:?}");
    let lines = jsonl(&std::fs::read_to_string(dir.path().join("restored.jsonl")).expect("out"));
    assert_eq!(lines.len(), 5, "{lines:?}");
    for key in [
        "appcharge:delete:summer%3Asale",
        "appcharge:delete:bundle-2",
    ] {
        assert_eq!(by_key(&lines, key)["status"], "restored", "{lines:?}");
    }
    let orders = by_key(
        &lines,
        "partner-center-orders:cancel:customer-1:order-1:all",
    );
    assert_eq!(orders["status"], "not-restorable");
    assert!(
        orders["reason"]
            .as_str()
            .is_some_and(|r| r.contains("Partner Center"))
    );

    // Appcharge: the same offer again, every field but the ones Appcharge assigns.
    let server = offerkit_appcharge::SERVER_ASSIGNED_FIELDS;
    for (id, before) in [
        ("summer:sale", &before_summer),
        ("bundle-2", &before_bundle),
    ] {
        let after = appcharge_raw(&appcharge, id).await.expect("restored");
        assert_eq!(
            without_fields(after.clone(), server),
            without_fields(before.clone(), server),
            "{id}"
        );
        assert_ne!(
            after["offerId"], before["offerId"],
            "Appcharge assigned a new offerId"
        );
    }
    // Adobe: back under new ids, reported old -> new, every user field kept.
    let server = offerkit_adobe_offers::SERVER_ASSIGNED_FIELDS;
    for (key, old, kind, before) in [
        (
            "adobe:delete:personalized:perso-1",
            "perso-1",
            OfferType::Personalized,
            &before_perso,
        ),
        (
            "adobe:delete:fallback:fallback-1",
            "fallback-1",
            OfferType::Fallback,
            &before_fallback,
        ),
    ] {
        let line = by_key(&lines, key);
        assert_eq!(line["status"], "restored", "{line}");
        assert_eq!(line["oldId"], old);
        let new = line["newId"].as_str().expect("newId");
        assert_ne!(new, old);
        assert!(
            adobe_raw(&adobe, old, kind.clone()).await.is_none(),
            "the old id stays gone"
        );
        let after = adobe_raw(&adobe, new, kind).await.expect("the new offer");
        assert_eq!(
            without_fields(after, server),
            without_fields(before.clone(), server),
            "{key}"
        );
    }
    let posts: Vec<String> = mutations(&sandbox);
    assert_eq!(posts.len(), 4, "one create per restorable line: {posts:?}");
    assert!(
        posts
            .iter()
            .all(|p| p.starts_with("POST ") && p.ends_with(" 201")),
        "{posts:?}"
    );

    // The same restore again: its journal says done; nothing is created twice.
    sandbox.clear_journal();
    let again = restore(&env, dir.path(), &["results.jsonl", "--yes"]).await;
    assert_eq!(again.code, 0, "{again:?}");
    let again_lines = again.json_lines();
    let perso = by_key(&again_lines, "adobe:delete:personalized:perso-1");
    assert_eq!(
        perso["newId"],
        by_key(&lines, "adobe:delete:personalized:perso-1")["newId"]
    );
    assert!(mutations(&sandbox).is_empty(), "{:?}", mutations(&sandbox));
    sandbox.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn existing_offers_only_bad_lines_and_an_interrupted_restore() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    sandbox
        .seed(&json!({"appcharge": {"offers": [
            {"publisherOfferId": "taken", "name": "Someone else's", "type": "Bundle", "active": true}
        ]}}))
        .expect("seed");
    let env = sandbox_env(&sandbox);
    let dir = TempDir::new("restore-edge");
    let appcharge = AppchargeClient::from_lookup(&env_lookup(&env)).expect("appcharge");
    let adobe = AdobeOffersClient::from_lookup(&env_lookup(&env)).expect("adobe");
    let taken_before = appcharge_raw(&appcharge, "taken").await.expect("seeded");

    // Apply-style results lines (with audit fields), written by hand.
    let results = [
        json!({"line": 1, "status": "retracted", "key": "appcharge:delete:taken", "vendor": "appcharge",
               "outcome": {"status": "retracted"}, "reason": "cleanup", "actor": "ops",
               "snapshot": {"publisherOfferId": "taken", "name": "The old one", "type": "Bundle", "offerId": "x"}}),
        json!({"line": 2, "status": "retracted", "key": "appcharge:delete:back", "vendor": "appcharge",
               "snapshot": {"publisherOfferId": "back", "name": "Back again", "type": "Bundle", "segments": ["a"],
                            "offerId": "o-1", "publisherId": "p", "createdAt": "t", "updatedAt": "t"}}),
        json!({"line": 3, "status": "retracted", "key": "appcharge:delete:no-snapshot", "vendor": "appcharge"}),
        json!({"line": 4, "status": "already-retracted", "key": "appcharge:delete:ignored", "vendor": "appcharge"}),
        json!({"line": 5, "status": "retracted", "key": "adobe:delete:fallback:fb-9", "vendor": "adobe",
               "snapshot": {"id": "fb-9", "name": "Winter fallback", "status": "approved", "etag": 2, "sandboxId": "prod"}}),
    ];
    let path = dir.path().join("results.jsonl");
    write_lines(&path, &results);

    // A bad line is an error naming it; nothing is sent.
    let bad_path = dir.path().join("bad.jsonl");
    std::fs::write(&bad_path, format!("{}\nnot json\n", results[1])).expect("write");
    sandbox.clear_journal();
    let bad = restore(&env, dir.path(), &["bad.jsonl", "--yes"]).await;
    assert_eq!(bad.code, 2, "{bad:?}");
    assert!(bad.stderr.contains("bad.jsonl line 2"), "{}", bad.stderr);
    let unknown = restore(
        &env,
        dir.path(),
        &["results.jsonl", "--yes", "--only", "appcharge:delete:nope"],
    )
    .await;
    assert_eq!(unknown.code, 2, "{unknown:?}");
    assert!(
        unknown.stderr.contains("appcharge:delete:nope"),
        "{}",
        unknown.stderr
    );
    assert!(sandbox.journal().is_empty(), "{:?}", sandbox.journal());

    // --only: just that line.
    let only = restore(
        &env,
        dir.path(),
        &["results.jsonl", "--yes", "--only", "appcharge:delete:taken"],
    )
    .await;
    assert_eq!(only.code, 0, "{only:?}");
    let lines = only.json_lines();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["status"], "exists");
    assert_eq!(lines[0]["line"], 1);
    assert_eq!(
        appcharge_raw(&appcharge, "taken").await,
        Some(taken_before.clone()),
        "not overwritten"
    );
    assert!(mutations(&sandbox).is_empty(), "{:?}", mutations(&sandbox));

    // The whole file, interrupted after the creates: the `done` records are lost, as when the
    // process is killed right after the POSTs answered.
    let journal = dir.path().join("results.jsonl.restore.journal");
    let first = restore(&env, dir.path(), &["results.jsonl", "--yes"]).await;
    assert_eq!(first.code, 0, "{first:?}");
    let first_lines = first.json_lines();
    assert_eq!(
        first_lines.len(),
        4,
        "the already-retracted line is not a restore: {first_lines:?}"
    );
    assert_eq!(
        by_key(&first_lines, "appcharge:delete:taken")["status"],
        "exists"
    );
    assert_eq!(
        by_key(&first_lines, "appcharge:delete:back")["status"],
        "restored"
    );
    let none = by_key(&first_lines, "appcharge:delete:no-snapshot");
    assert_eq!(none["status"], "not-restorable");
    assert!(
        none["reason"]
            .as_str()
            .is_some_and(|r| r.contains("no snapshot")),
        "{none}"
    );
    let winter = by_key(&first_lines, "adobe:delete:fallback:fb-9");
    assert_eq!(winter["status"], "restored");
    let new_id = winter["newId"].as_str().expect("new id").to_owned();
    let back = appcharge_raw(&appcharge, "back").await.expect("back");
    assert_eq!(back["segments"], json!(["a"]));
    assert_ne!(back["offerId"], "o-1");

    let text = std::fs::read_to_string(&journal).expect("journal");
    let kept: String = text
        .lines()
        .filter(|l| !l.contains(r#""state":"done""#))
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(kept.contains(r#""state":"started""#), "{text}");
    std::fs::write(&journal, kept).expect("cut the done records");

    sandbox.clear_journal();
    let resumed = restore(&env, dir.path(), &["results.jsonl", "--yes"]).await;
    assert_eq!(resumed.code, 0, "{resumed:?}");
    let lines = resumed.json_lines();
    assert_eq!(
        by_key(&lines, "appcharge:delete:back")["status"],
        "restored"
    );
    let winter = by_key(&lines, "adobe:delete:fallback:fb-9");
    assert_eq!(winter["status"], "restored", "{winter}");
    assert_eq!(
        winter["newId"],
        new_id.as_str(),
        "found by name, not created again"
    );
    assert!(
        mutations(&sandbox).is_empty(),
        "no second create: {:?}",
        mutations(&sandbox)
    );
    let named = adobe
        .find_offers_named(OfferType::Fallback, "Winter fallback")
        .await
        .expect("list");
    assert_eq!(named.len(), 1, "one Winter fallback offer");
    sandbox.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn a_create_whose_answer_is_lost_is_read_back_not_repeated() {
    use offerkit_sandbox::{FaultKind, FaultMode, FaultRule, FaultTiming};
    let sandbox = Sandbox::start().await.expect("sandbox");
    let env = sandbox_env(&sandbox);
    let dir = TempDir::new("restore-lost");
    for path in ["/v2/offer", "/data/core/dps/offers"] {
        sandbox
            .inject_fault(
                FaultRule::new("POST", path, FaultKind::Drop)
                    .when(FaultTiming::After)
                    .mode(FaultMode::NextN { next_n: 1 }),
            )
            .expect("fault");
    }
    let results = [
        json!({"line": 1, "status": "retracted", "key": "appcharge:delete:lost-1", "vendor": "appcharge",
               "snapshot": {"publisherOfferId": "lost-1", "name": "Lost answer", "type": "Bundle"}}),
        json!({"line": 2, "status": "retracted", "key": "adobe:delete:personalized:p-lost", "vendor": "adobe",
               "snapshot": {"id": "p-lost", "name": "Lost Adobe answer", "status": "draft"}}),
    ];
    write_lines(&dir.path().join("results.jsonl"), &results);
    let run = restore(&env, dir.path(), &["results.jsonl", "--yes"]).await;
    assert_eq!(run.code, 0, "{run:?}");
    let lines = run.json_lines();
    let ac = by_key(&lines, "appcharge:delete:lost-1");
    assert_eq!(ac["status"], "restored", "{ac}");
    assert!(
        ac["note"].as_str().is_some_and(|n| n.contains("lost")),
        "{ac}"
    );
    let adobe_line = by_key(&lines, "adobe:delete:personalized:p-lost");
    assert_eq!(adobe_line["status"], "restored", "{adobe_line}");
    assert!(
        adobe_line["newId"].as_str().is_some(),
        "found by name: {adobe_line}"
    );
    let posts = mutations(&sandbox);
    assert_eq!(posts.len(), 2, "each create sent once: {posts:?}");
    sandbox.shutdown().await.expect("shutdown");
}
