//! `offerkit plan` and `offerkit apply` end to end, as real processes against a sandbox in the
//! test process: plan reads only (the sandbox journal has no mutating request), every verdict
//! with its reason, the plan header, exit codes; apply's refusals send no request at all, it
//! runs exactly the will-retract targets with the audit fields, reports a target changed since
//! the plan as it now is, and resumes an interrupted run from its journal.

use std::path::Path;

use offerkit_sandbox::{FaultKind, FaultRule, Sandbox};
use serde_json::{Value, json};

use crate::cli_support::{
    NO_RATE_LIMITS, Run, TempDir, effective, jsonl, offerkit_with, sandbox_env,
};

/// Appcharge `ac-1`, `ac-2` (present), Adobe `perso-1` (present), a live customer offer `po-live`
/// and a draft `po-draft`, an order bought in 2020 (`order-old`) and one from 2099 (`order-new`).
fn seed() -> Value {
    let line = |offer: &str| json!({"offerId": offer, "quantity": 1});
    json!({
        "appcharge": {"offers": [
            {"publisherOfferId": "ac-1", "name": "Pack 1", "type": "Bundle", "description": null},
            {"publisherOfferId": "ac-2", "name": "Pack 2", "type": "Bundle"}
        ]},
        "adobe": {"personalized": [{"id": "perso-1", "name": "Offer 1", "status": "approved"}]},
        "ingestion": {"privateOffers": [
            {"id": "po-live", "name": "live", "privateOfferType": "customerPromotion", "state": "live"},
            {"id": "po-draft", "name": "draft", "privateOfferType": "customerPromotion", "state": "draft"}
        ]},
        "orders": [
            {"id": "order-old", "referenceCustomerId": "customer-1", "creationDate": "2020-01-01T00:00:00Z",
             "lineItems": [line("DG7GMGF0FKZV:0003:DG7GMGF0DWMS")]},
            {"id": "order-new", "referenceCustomerId": "customer-1", "creationDate": "2099-01-01T00:00:00Z",
             "lineItems": [line("DG7GMGF0FKZV:0003:DG7GMGF0DWMS")]}
        ]
    })
}

async fn sandbox() -> Sandbox {
    let sandbox = Sandbox::start().await.expect("sandbox");
    sandbox.seed(&seed()).expect("seed");
    sandbox
}

fn appcharge(id: &str) -> Value {
    json!({"vendor": "appcharge", "action": "delete", "publisherOfferId": id})
}

fn order(id: &str, lines: &[u32]) -> Value {
    let mut target = json!({"vendor": "partner-center-orders", "action": "cancel",
        "customerTenantId": "customer-1", "orderId": id});
    if !lines.is_empty() {
        target["lineItems"] = json!(lines);
    }
    target
}

fn write_lines(dir: &Path, name: &str, lines: &[Value]) -> String {
    let path = dir.join(name);
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(&path, text).expect("write input");
    path.display().to_string()
}

async fn run(sandbox: &Sandbox, dir: &Path, command: &[&str]) -> Run {
    let mut args = command.to_vec();
    args.extend_from_slice(&NO_RATE_LIMITS);
    offerkit_with(&sandbox_env(sandbox), dir, &args).await
}

/// Requests that would change something: every DELETE, PATCH, POST and PUT but token calls.
fn mutating(sandbox: &Sandbox) -> Vec<String> {
    sandbox
        .journal()
        .iter()
        .filter(|e| matches!(e.method.as_str(), "DELETE" | "PATCH" | "POST" | "PUT"))
        .filter(|e| !e.path.contains("token"))
        .map(|e| format!("{} {}", e.method, e.path))
        .collect()
}

fn line_of<'a>(plan: &'a [Value], key: &str) -> &'a Value {
    plan.iter()
        .find(|l| l["key"] == key)
        .unwrap_or_else(|| panic!("{key} not in the plan: {plan:?}"))
}

#[tokio::test]
async fn plan_reads_only_and_gives_every_verdict_with_its_reason() {
    let sandbox = sandbox().await;
    let dir = TempDir::new("plan-verdicts");
    let input = write_lines(
        dir.path(),
        "targets.jsonl",
        &[
            appcharge("ac-1"),
            appcharge("ac-gone"),
            json!({"vendor": "adobe", "action": "delete", "offerId": "perso-1", "offerType": "personalized"}),
            json!({"vendor": "partner-center-ingestion", "action": "delete", "offerId": "po-live"}),
            json!({"vendor": "partner-center-ingestion", "action": "delete", "offerId": "po-draft"}),
            order("order-old", &[]),
            order("order-new", &[7]),
            order("order-missing", &[]),
            order("order-new", &[]),
        ],
    );
    sandbox
        .inject_fault(FaultRule::new(
            "GET",
            "/data/core/dps/offers/perso-1",
            FaultKind::Status { status: 400 },
        ))
        .expect("fault");
    let out = dir.path().join("plan.jsonl");
    let out_arg = out.display().to_string();
    let first = run(
        &sandbox,
        dir.path(),
        &["plan", &input, "--output", &out_arg],
    )
    .await;
    assert_eq!(first.code, 1, "an unknown verdict exits 1: {first:?}");
    assert_eq!(
        mutating(&sandbox),
        Vec::<String>::new(),
        "plan sent a mutating request"
    );

    let plan = jsonl(&std::fs::read_to_string(&out).expect("plan file"));
    let header = &plan[0]["plan"];
    assert_eq!(header["version"], 1);
    assert!(
        header["createdAt"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z')),
        "{header}"
    );
    let sha = header["input"]["sha256"].as_str().expect("sha256");
    assert_eq!(sha.len(), 64, "{sha}");
    assert!(sha.bytes().all(|b| b.is_ascii_hexdigit()), "{sha}");
    assert!(
        header["input"]["path"]
            .as_str()
            .is_some_and(|p| p.ends_with("targets.jsonl")),
        "{header}"
    );
    for vendor in [
        "appcharge",
        "adobe",
        "partner-center-ingestion",
        "partner-center-orders",
    ] {
        assert!(
            header["environment"][vendor]["url"].is_string(),
            "{vendor}: {header}"
        );
    }
    let lines = &plan[1..];
    assert_eq!(lines.len(), 9);
    assert_eq!(
        lines
            .iter()
            .map(|l| l["line"].as_u64().expect("line"))
            .collect::<Vec<_>>(),
        (1..=9).collect::<Vec<_>>(),
        "plan lines in input order"
    );

    let ac = line_of(lines, "appcharge:delete:ac-1");
    assert_eq!(ac["verdict"], "will-retract");
    assert_eq!(ac["reversible"], true);
    assert_eq!(ac["target"], appcharge("ac-1"));
    assert_eq!(ac["snapshot"]["publisherOfferId"], "ac-1");
    assert_eq!(ac["snapshot"]["name"], "Pack 1");
    assert!(
        ac["snapshot"]
            .as_object()
            .is_some_and(|o| o.get("description") == Some(&Value::Null)),
        "the snapshot keeps the vendor's nulls: {ac}"
    );

    let gone = line_of(lines, "appcharge:delete:ac-gone");
    assert_eq!(gone["verdict"], "already-retracted");
    assert_eq!(gone["reversible"], false);

    let adobe = line_of(lines, "adobe:delete:personalized:perso-1");
    assert_eq!(adobe["verdict"], "unknown");
    assert!(
        adobe["reason"]
            .as_str()
            .is_some_and(|r| r.contains("read failed")),
        "{adobe}"
    );
    assert_eq!(adobe["error"]["kind"], "rejected", "{adobe}");

    let live = line_of(lines, "partner-center-ingestion:delete:po-live");
    assert_eq!(live["verdict"], "blocked");
    assert!(
        live["reason"]
            .as_str()
            .is_some_and(|r| r.contains("only a draft")),
        "{live}"
    );
    assert_eq!(live["snapshot"]["state"], "live");
    let draft = line_of(lines, "partner-center-ingestion:delete:po-draft");
    assert_eq!(draft["verdict"], "will-retract");
    assert_eq!(draft["reversible"], false);

    let old = line_of(
        lines,
        "partner-center-orders:cancel:customer-1:order-old:all",
    );
    assert_eq!(old["verdict"], "blocked");
    assert!(
        old["reason"]
            .as_str()
            .is_some_and(|r| r.contains("ended on 2020-01-31")),
        "{old}"
    );
    let missing_line = line_of(lines, "partner-center-orders:cancel:customer-1:order-new:7");
    assert_eq!(missing_line["verdict"], "blocked");
    assert!(
        missing_line["reason"]
            .as_str()
            .is_some_and(|r| r.contains("[7]")),
        "{missing_line}"
    );
    let missing = line_of(
        lines,
        "partner-center-orders:cancel:customer-1:order-missing:all",
    );
    assert_eq!(missing["verdict"], "blocked");
    assert!(
        missing["reason"]
            .as_str()
            .is_some_and(|r| r.starts_with("not found")),
        "{missing}"
    );
    assert!(missing.get("snapshot").is_none(), "{missing}");
    let new = line_of(
        lines,
        "partner-center-orders:cancel:customer-1:order-new:all",
    );
    assert_eq!(new["verdict"], "will-retract");
    assert_eq!(new["snapshot"]["id"], "order-new");

    assert!(first.stderr.contains("will-retract"), "{}", first.stderr);
    assert!(
        first.stderr.contains("partner-center-orders"),
        "{}",
        first.stderr
    );

    // The fault gone, nothing is unknown: exit 0, blocked lines included; the same input has
    // the same hash.
    sandbox.clear_faults();
    let second = run(&sandbox, dir.path(), &["plan", &input]).await;
    assert_eq!(second.code, 0, "{second:?}");
    let again = second.json_lines();
    assert_eq!(again[0]["plan"]["input"]["sha256"], sha);
    assert_eq!(
        line_of(&again[1..], "adobe:delete:personalized:perso-1")["verdict"],
        "will-retract"
    );
    assert_eq!(mutating(&sandbox), Vec::<String>::new());
}

#[tokio::test]
async fn plan_names_invalid_lines_and_exits_2() {
    let sandbox = sandbox().await;
    let dir = TempDir::new("plan-invalid");
    let path = dir.path().join("targets.jsonl");
    std::fs::write(
        &path,
        format!(
            "{}\n{{\"vendor\":\"appcharge\"}}\n{}\n",
            appcharge("ac-1"),
            appcharge("ac-1")
        ),
    )
    .expect("write");
    let out = run(&sandbox, dir.path(), &["plan", &path.display().to_string()]).await;
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("line 2:"), "{}", out.stderr);
    assert!(
        out.stderr.contains("line 3: same target as line 1"),
        "{}",
        out.stderr
    );
    let plan = out.json_lines();
    assert_eq!(plan.len(), 2, "header and ac-1 once: {plan:?}");
}

#[tokio::test]
async fn plan_reads_csv_input_as_batch_does() {
    let sandbox = sandbox().await;
    let dir = TempDir::new("plan-csv");
    let path = dir.path().join("targets.csv");
    std::fs::write(
        &path,
        "vendor,action,publisherOfferId,customerTenantId,orderId\n\
         appcharge,delete,ac-1,,\n\
         partner-center-orders,cancel,,customer-1,order-old\n\
         appcharge,delete,gone,,\n",
    )
    .expect("write");
    let out = run(&sandbox, dir.path(), &["plan", &path.display().to_string()]).await;
    assert_eq!(out.code, 0, "{out:?}");
    let plan = out.json_lines();
    assert_eq!(plan.len(), 4, "header and one line per row: {plan:?}");
    let verdicts: Vec<(u64, &str)> = plan[1..]
        .iter()
        .map(|l| {
            (
                l["line"].as_u64().expect("line"),
                l["verdict"].as_str().expect("verdict"),
            )
        })
        .collect();
    assert_eq!(
        verdicts,
        vec![
            (2, "will-retract"),
            (3, "blocked"),
            (4, "already-retracted")
        ],
        "line numbers are the file's own lines"
    );
    assert_eq!(mutating(&sandbox), Vec::<String>::new());
}

/// Makes a plan of `lines` against `sandbox` in `dir`; returns its path.
async fn make_plan(sandbox: &Sandbox, dir: &Path, lines: &[Value]) -> String {
    let input = write_lines(dir, "targets.jsonl", lines);
    let plan = dir.join("plan.jsonl").display().to_string();
    let made = run(sandbox, dir, &["plan", &input, "-o", &plan]).await;
    assert_eq!(made.code, 0, "{made:?}");
    plan
}

#[tokio::test]
async fn apply_refusals_exit_2_and_send_no_request() {
    let sandbox = sandbox().await;
    let dir = TempDir::new("apply-refusals");
    let plan = make_plan(
        &sandbox,
        dir.path(),
        &[appcharge("ac-1"), appcharge("ac-2")],
    )
    .await;
    sandbox.clear_journal();

    // Without a terminal and without --yes.
    let unconfirmed = run(&sandbox, dir.path(), &["apply", &plan]).await;
    assert_eq!(unconfirmed.code, 2, "{unconfirmed:?}");
    assert!(
        unconfirmed.stderr.contains("--yes"),
        "{}",
        unconfirmed.stderr
    );

    // More will-retract targets than --max-targets.
    let capped = run(
        &sandbox,
        dir.path(),
        &["apply", &plan, "--yes", "--max-targets", "1"],
    )
    .await;
    assert_eq!(capped.code, 2, "{capped:?}");
    assert!(
        capped.stderr.contains("--max-targets 1"),
        "{}",
        capped.stderr
    );

    // Another environment: a second sandbox.
    let other = Sandbox::start().await.expect("other sandbox");
    other.seed(&seed()).expect("seed");
    let mut args = vec!["apply", plan.as_str(), "--yes"];
    args.extend_from_slice(&NO_RATE_LIMITS);
    let elsewhere = offerkit_with(&sandbox_env(&other), dir.path(), &args).await;
    assert_eq!(elsewhere.code, 2, "{elsewhere:?}");
    assert!(
        elsewhere.stderr.contains("another environment"),
        "{}",
        elsewhere.stderr
    );
    assert!(other.journal().is_empty(), "{:?}", other.journal());

    assert!(
        sandbox.journal().is_empty(),
        "a refusal sent {:?}",
        sandbox.journal()
    );
    assert!(
        !dir.path().join("plan.jsonl.journal").exists(),
        "a refusal wrote a journal"
    );

    // A bad plan line: named, exit 2, nothing sent.
    let text = std::fs::read_to_string(&plan).expect("plan");
    let broken = dir.path().join("broken.jsonl");
    std::fs::write(&broken, text.replacen("will-retract", "maybe", 1)).expect("write");
    let bad = run(
        &sandbox,
        dir.path(),
        &["apply", &broken.display().to_string(), "--yes"],
    )
    .await;
    assert_eq!(bad.code, 2, "{bad:?}");
    assert!(
        bad.stderr.contains("line 2: unknown verdict"),
        "{}",
        bad.stderr
    );
    assert!(sandbox.journal().is_empty());
}

#[tokio::test]
async fn a_rehearsal_plan_is_refused_against_another_environment() {
    let sandbox = sandbox().await;
    let dir = TempDir::new("apply-rehearsal");
    let input = write_lines(dir.path(), "targets.jsonl", &[appcharge("ac-1")]);
    let plan = dir.path().join("plan.jsonl").display().to_string();
    let root = sandbox.base_url().trim_end_matches('/').to_owned();
    let made = offerkit_with(
        &[],
        dir.path(),
        &["--sandbox-url", &root, "plan", &input, "-o", &plan],
    )
    .await;
    assert_eq!(made.code, 0, "{made:?}");
    sandbox.clear_journal();
    // The production environment (nothing configured but the publisher token and its URL).
    let production = vec![(
        "OFFERKIT_APPCHARGE_PUBLISHER_TOKEN".to_owned(),
        "prod-token-123456".to_owned(),
    )];
    let refused = offerkit_with(&production, dir.path(), &["apply", &plan, "--yes"]).await;
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(refused.stderr.contains("url=default"), "{}", refused.stderr);
    assert!(sandbox.journal().is_empty());
    // The same sandbox again is accepted.
    let accepted = offerkit_with(
        &[],
        dir.path(),
        &["--sandbox-url", &root, "apply", &plan, "--yes"],
    )
    .await;
    assert_eq!(accepted.code, 0, "{accepted:?}");
    assert_eq!(
        effective(&sandbox.journal(), "DELETE").get("/v2/offer/ac-1"),
        Some(&1)
    );
}

#[tokio::test]
async fn apply_runs_the_will_retract_targets_with_the_audit_fields_and_resumes() {
    let sandbox = sandbox().await;
    let dir = TempDir::new("apply-run");
    let plan = make_plan(
        &sandbox,
        dir.path(),
        &[
            appcharge("ac-gone"),
            appcharge("ac-1"),
            json!({"vendor": "partner-center-ingestion", "action": "delete", "offerId": "po-live"}),
            appcharge("ac-2"),
        ],
    )
    .await;
    let results = dir.path().join("results.jsonl");
    let results_arg = results.display().to_string();
    let applied = run(
        &sandbox,
        dir.path(),
        &[
            "apply",
            &plan,
            "--yes",
            "--reason",
            "ticket 42",
            "--actor",
            "alice",
            "-o",
            &results_arg,
        ],
    )
    .await;
    assert_eq!(applied.code, 0, "{applied:?}");
    let mut lines = jsonl(&std::fs::read_to_string(&results).expect("results"));
    // Results come in completion order.
    lines.sort_by_key(|l| l["line"].as_u64());
    assert_eq!(
        lines.len(),
        2,
        "only the will-retract targets run: {lines:?}"
    );
    assert_eq!(
        lines.iter().map(|l| l["line"].as_u64()).collect::<Vec<_>>(),
        [Some(2), Some(4)]
    );
    for line in &lines {
        assert_eq!(line["status"], "retracted", "{line}");
        assert_eq!(line["reason"], "ticket 42");
        assert_eq!(line["actor"], "alice");
        assert!(
            line["at"].as_str().is_some_and(|t| t.ends_with('Z')),
            "{line}"
        );
        assert!(line["snapshot"]["publisherOfferId"].is_string(), "{line}");
    }
    // The snapshot is the offer as it was, every field the publisher set.
    let ac1 = lines
        .iter()
        .find(|l| l["key"] == "appcharge:delete:ac-1")
        .expect("ac-1");
    assert_eq!(ac1["snapshot"]["name"], "Pack 1");
    assert_eq!(ac1["snapshot"]["type"], "Bundle");
    assert!(
        mutating(&sandbox)
            .iter()
            .all(|m| m.starts_with("DELETE /v2/offer/")),
        "{:?}",
        mutating(&sandbox)
    );

    let journal_path = dir.path().join("plan.jsonl.journal");
    let journal = std::fs::read_to_string(&journal_path).expect("journal beside the plan");
    let records = jsonl(&journal);
    let started: Vec<&Value> = records.iter().filter(|r| r["state"] == "started").collect();
    assert_eq!(started.len(), 2);
    for record in records.iter().filter(|r| r.get("state").is_some()) {
        assert_eq!(record["actor"], "alice", "{record}");
        assert_eq!(record["reason"], "ticket 42", "{record}");
    }

    // Interrupted after ac-2's DELETE and before its `done` record: cut that record off.
    let kept: String = journal
        .lines()
        .filter(|l| !(l.contains("\"done\"") && l.contains("ac-2")))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&journal_path, kept).expect("cut the journal");
    // Without --actor: the login name, from USER.
    let mut env = sandbox_env(&sandbox);
    env.push(("USER".to_owned(), "it-login".to_owned()));
    let mut args = vec!["apply", plan.as_str(), "--yes"];
    args.extend_from_slice(&NO_RATE_LIMITS);
    let resumed = offerkit_with(&env, dir.path(), &args).await;
    assert_eq!(resumed.code, 0, "{resumed:?}");
    let again = resumed.json_lines();
    let status = |key: &str| {
        again
            .iter()
            .find(|l| l["key"] == key)
            .map(|l| (l["status"].clone(), l["resumed"].clone()))
    };
    assert_eq!(
        status("appcharge:delete:ac-1"),
        Some((json!("skipped-done"), Value::Null))
    );
    assert_eq!(
        status("appcharge:delete:ac-2"),
        Some((json!("already-retracted"), json!("read-back")))
    );
    let deletes = effective(&sandbox.journal(), "DELETE");
    assert_eq!(deletes.get("/v2/offer/ac-1"), Some(&1));
    assert_eq!(deletes.get("/v2/offer/ac-2"), Some(&1));
    // The default actor is the login name.
    assert!(!again.is_empty());
    for line in &again {
        assert_eq!(line["actor"], "it-login", "{line}");
    }
}

#[tokio::test]
async fn a_target_changed_since_the_plan_is_reported_as_it_now_is() {
    let sandbox = sandbox().await;
    let dir = TempDir::new("apply-changed");
    let plan = make_plan(
        &sandbox,
        dir.path(),
        &[appcharge("ac-1"), appcharge("ac-2")],
    )
    .await;
    // Someone deletes ac-1 between the plan and the apply.
    let single = offerkit_with(
        &sandbox_env(&sandbox),
        dir.path(),
        &["appcharge", "delete", "--publisher-offer-id", "ac-1"],
    )
    .await;
    assert_eq!(single.code, 0, "{single:?}");
    let applied = run(&sandbox, dir.path(), &["apply", &plan, "--yes"]).await;
    assert_eq!(applied.code, 0, "{applied:?}");
    let lines = applied.json_lines();
    let ac1 = lines
        .iter()
        .find(|l| l["key"] == "appcharge:delete:ac-1")
        .expect("ac-1");
    assert_eq!(ac1["status"], "already-retracted", "{ac1}");
    assert!(
        ac1["outcome"]["note"]
            .as_str()
            .is_some_and(|n| n.contains("changed since the plan")),
        "{ac1}"
    );
    let deletes = effective(&sandbox.journal(), "DELETE");
    assert_eq!(
        deletes.get("/v2/offer/ac-1"),
        Some(&1),
        "only the out-of-band delete"
    );
    assert_eq!(deletes.get("/v2/offer/ac-2"), Some(&1));
}

#[tokio::test]
async fn batch_results_carry_the_audit_fields() {
    let sandbox = sandbox().await;
    let dir = TempDir::new("batch-audit");
    let input = write_lines(dir.path(), "targets.jsonl", &[appcharge("ac-1")]);
    let out = run(
        &sandbox,
        dir.path(),
        &["batch", &input, "--reason", "cleanup", "--actor", "bob"],
    )
    .await;
    assert_eq!(out.code, 0, "{out:?}");
    let lines = out.json_lines();
    assert_eq!(lines[0]["reason"], "cleanup");
    assert_eq!(lines[0]["actor"], "bob");
    assert!(lines[0]["at"].is_string());
    let journal =
        std::fs::read_to_string(dir.path().join("targets.jsonl.journal")).expect("journal");
    assert!(
        journal.contains(r#""actor":"bob","reason":"cleanup""#),
        "{journal}"
    );
}
