//! The `offerkit` CLI end to end: every single-operation subcommand, `--sandbox`,
//! and `demo`, as a real process against a sandbox in the test process (`sandbox serve` is in
//! `sandbox_serve.rs`).
//! Checks stdout (`--json` and the readable summary) and the documented exit codes:
//! 0 success, 1 vendor/API failure, 2 user error, 3 already retracted.
//!
//! Batch runs (1,000 targets with faults, `kill -9` and resume, malformed lines) are in
//! `cli_batch.rs`; helpers in `cli_support.rs`.

use offerkit_sandbox::{FaultKind, FaultRule, Sandbox};
use serde_json::json;

use crate::cli_support::{TempDir, command, offerkit, offerkit_with, sandbox_env};

const TENANT: &str = "e2e-customer";

async fn seeded() -> Sandbox {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let recent = "2099-01-01T00:00:00Z"; // future: always inside the cancellation window
    sandbox
        .seed(&json!({
            "ingestion": {"privateOffers": [
                {"id": "private-offer/draft-1", "name": "draft one", "privateOfferType": "customerPromotion", "state": "draft"},
                {"id": "private-offer/mpo-isv", "name": "mpo isv", "privateOfferType": "multipartyPromotionOriginator", "state": "live"},
                {"id": "private-offer/mpo-partner", "name": "mpo partner", "privateOfferType": "multipartyPromotionChannelPartner",
                 "state": "live", "subState": "pendingAcceptance"}
            ]},
            "orders": [
                {"id": "order-partial", "referenceCustomerId": TENANT, "creationDate": recent, "lineItems": [
                    {"offerId": "DG7GMGF0FKZV:0003:DG7GMGF0DWMS", "quantity": 2},
                    {"offerId": "DG7GMGF0FKZV:0004:DG7GMGF0DWMS", "quantity": 1}]},
                {"id": "order-whole", "referenceCustomerId": TENANT, "creationDate": recent, "lineItems": [
                    {"offerId": "DG7GMGF0FKZV:0003:DG7GMGF0DWMS", "quantity": 1}]},
                {"id": "order-old", "referenceCustomerId": TENANT, "creationDate": "2020-01-01T00:00:00Z", "lineItems": [
                    {"offerId": "DG7GMGF0FKZV:0003:DG7GMGF0DWMS", "quantity": 1}]}
            ],
            "adobe": {
                "personalized": [{"id": "perso-1", "name": "Perso one", "status": "approved"}],
                "fallback": [{"id": "fallback-1", "name": "Fallback one", "status": "approved"}]
            },
            "appcharge": {"offers": [
                {"publisherOfferId": "ac-1", "name": "Starter pack", "type": "Bundle"},
                {"publisherOfferId": "ac-2", "name": "Second pack", "type": "Bundle"}
            ]}
        }))
        .expect("seed");
    sandbox
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_appcharge_delete_get_and_exit_codes() {
    let sandbox = seeded().await;

    let get = offerkit(
        &sandbox,
        &["--json", "appcharge", "get", "--publisher-offer-id", "ac-1"],
    )
    .await;
    assert_eq!(get.code, 0, "{get:?}");
    assert_eq!(get.json()["publisherOfferId"], "ac-1");

    let delete = offerkit(
        &sandbox,
        &["appcharge", "delete", "--publisher-offer-id", "ac-1"],
    )
    .await;
    assert_eq!(delete.code, 0, "{delete:?}");
    assert!(
        delete.stdout.starts_with("retracted appcharge:delete:ac-1"),
        "{delete:?}"
    );
    let again = offerkit(
        &sandbox,
        &[
            "--json",
            "appcharge",
            "delete",
            "--publisher-offer-id",
            "ac-1",
        ],
    )
    .await;
    assert_eq!(again.code, 3, "already retracted: {again:?}");
    assert_eq!(again.json()["status"], "already-retracted");
    assert_eq!(sandbox.succeeded_count("DELETE", "/v2/offer/ac-1"), 1);

    let gone = offerkit(
        &sandbox,
        &["appcharge", "get", "--publisher-offer-id", "ac-1"],
    )
    .await;
    assert_eq!(
        gone.code, 1,
        "reading a missing offer is a vendor answer: {gone:?}"
    );

    // User errors: invalid id, unknown flag, missing credentials.
    let empty = offerkit(
        &sandbox,
        &["appcharge", "delete", "--publisher-offer-id", ""],
    )
    .await;
    assert_eq!(empty.code, 2, "{empty:?}");
    assert!(empty.stderr.contains("--publisher-offer-id"), "{empty:?}");
    let bad_flag = offerkit(&sandbox, &["appcharge", "delete", "--nope"]).await;
    assert_eq!(bad_flag.code, 2, "{bad_flag:?}");
    let env: Vec<_> = sandbox_env(&sandbox)
        .into_iter()
        .filter(|(k, _)| k != "OFFERKIT_APPCHARGE_PUBLISHER_TOKEN")
        .collect();
    let dir = TempDir::new("creds");
    let no_token = offerkit_with(
        &env,
        dir.path(),
        &["appcharge", "delete", "--publisher-offer-id", "ac-2"],
    )
    .await;
    assert_eq!(no_token.code, 2, "{no_token:?}");
    assert!(
        no_token
            .stderr
            .contains("OFFERKIT_APPCHARGE_PUBLISHER_TOKEN"),
        "{no_token:?}"
    );
    assert_eq!(sandbox.count("DELETE", "/v2/offer/ac-2"), 0);

    // A vendor failure: the server keeps answering 500.
    sandbox
        .inject_fault(FaultRule::new(
            "DELETE",
            "/v2/offer/ac-2",
            FaultKind::Status { status: 500 },
        ))
        .expect("fault");
    let failing = offerkit(
        &sandbox,
        &[
            "--json",
            "appcharge",
            "delete",
            "--publisher-offer-id",
            "ac-2",
        ],
    )
    .await;
    assert_eq!(failing.code, 1, "{failing:?}");
    assert_eq!(failing.json()["status"], "failed");
    assert_eq!(failing.json()["error"]["class"], "vendor");
    sandbox.shutdown().await.expect("shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_ingestion_delete_withdraw_status_get() {
    let sandbox = seeded().await;

    let delete = offerkit(
        &sandbox,
        &["--json", "ingestion", "delete", "--offer-id", "draft-1"],
    )
    .await;
    assert_eq!(delete.code, 0, "{delete:?}");
    let out = delete.json();
    assert_eq!(out["status"], "retracted");
    assert_eq!(out["job"]["status"], "completed");
    assert_eq!(out["job"]["result"], "succeeded");
    let job_id = out["job"]["id"].as_str().expect("job id").to_owned();

    let status = offerkit(
        &sandbox,
        &["--json", "ingestion", "status", "--job-id", &job_id],
    )
    .await;
    assert_eq!(status.code, 0, "{status:?}");
    assert_eq!(status.json()["jobStatus"], "completed");
    assert_eq!(status.json()["jobResult"], "succeeded");

    let get = offerkit(
        &sandbox,
        &[
            "--json",
            "ingestion",
            "get",
            "--offer-id",
            "private-offer/draft-1",
        ],
    )
    .await;
    assert_eq!(get.code, 0, "{get:?}");
    assert_eq!(get.json()["state"], "deleted");

    let again = offerkit(&sandbox, &["ingestion", "delete", "--offer-id", "draft-1"]).await;
    assert_eq!(again.code, 3, "{again:?}");
    assert!(again.stdout.starts_with("already-retracted "), "{again:?}");

    // Both withdraw bodies, readable output with the job line.
    for (offer, role) in [("mpo-isv", "isv"), ("mpo-partner", "selling-partner")] {
        let run = offerkit(
            &sandbox,
            &["ingestion", "withdraw", "--offer-id", offer, "--role", role],
        )
        .await;
        assert_eq!(run.code, 0, "{offer}: {run:?}");
        assert!(
            run.stdout.starts_with(&format!(
                "retracted partner-center-ingestion:withdraw:{offer}:{role}"
            )),
            "{run:?}"
        );
        assert!(
            run.stdout.contains("  job ") && run.stdout.contains("completed (succeeded)"),
            "{run:?}"
        );
    }
    // Withdrawing a draft is refused by the vendor.
    sandbox
        .seed(&json!({"ingestion": {"privateOffers": [
            {"id": "private-offer/draft-2", "name": "draft two", "privateOfferType": "customerPromotion", "state": "draft"}]}}))
        .expect("seed");
    let refused = offerkit(
        &sandbox,
        &[
            "ingestion",
            "withdraw",
            "--offer-id",
            "draft-2",
            "--role",
            "isv",
        ],
    )
    .await;
    assert_eq!(refused.code, 1, "{refused:?}");
    let bad_role = offerkit(
        &sandbox,
        &[
            "ingestion",
            "withdraw",
            "--offer-id",
            "x",
            "--role",
            "customer",
        ],
    )
    .await;
    assert_eq!(bad_role.code, 2, "{bad_role:?}");
    // One configure call per retraction, none for the repeat.
    assert_eq!(
        crate::cli_support::configure_jobs_per_offer(&sandbox.state())
            .get("private-offer/draft-1")
            .map(Vec::len),
        Some(1)
    );
    sandbox.shutdown().await.expect("shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_orders_cancel_get_list() {
    let sandbox = seeded().await;
    let order = |id: &str| format!("/v1/customers/{TENANT}/orders/{id}");

    let partial = offerkit(
        &sandbox,
        &[
            "--json",
            "orders",
            "cancel",
            "--customer",
            TENANT,
            "--order",
            "order-partial",
            "--line-item",
            "0",
        ],
    )
    .await;
    assert_eq!(partial.code, 0, "{partial:?}");
    assert_eq!(partial.json()["status"], "retracted");
    assert!(partial.json()["requestId"].is_string(), "{partial:?}");

    let get = offerkit(
        &sandbox,
        &[
            "--json",
            "orders",
            "get",
            "--customer",
            TENANT,
            "--order",
            "order-partial",
        ],
    )
    .await;
    assert_eq!(get.code, 0, "{get:?}");
    let items = get.json()["lineItems"].clone();
    assert_eq!(items[0]["quantity"], 0, "{get:?}");
    assert_eq!(items[1]["quantity"], 1, "{get:?}");
    assert_eq!(get.json()["status"], "completed");

    let whole = offerkit(
        &sandbox,
        &[
            "orders",
            "cancel",
            "--customer",
            TENANT,
            "--order",
            "order-whole",
        ],
    )
    .await;
    assert_eq!(whole.code, 0, "{whole:?}");
    assert!(whole.stdout.contains("request id "), "{whole:?}");
    let again = offerkit(
        &sandbox,
        &[
            "orders",
            "cancel",
            "--customer",
            TENANT,
            "--order",
            "order-whole",
        ],
    )
    .await;
    assert_eq!(again.code, 3, "{again:?}");
    assert_eq!(sandbox.succeeded_count("PATCH", &order("order-whole")), 1);

    let old = offerkit(
        &sandbox,
        &[
            "--json",
            "orders",
            "cancel",
            "--customer",
            TENANT,
            "--order",
            "order-old",
        ],
    )
    .await;
    assert_eq!(old.code, 1, "out of the cancellation window: {old:?}");
    assert_eq!(old.json()["error"]["code"], "900117");

    let list = offerkit(
        &sandbox,
        &["--json", "orders", "list", "--customer", TENANT],
    )
    .await;
    assert_eq!(list.code, 0, "{list:?}");
    assert!(
        list.stdout.contains("order-partial") && list.stdout.contains("order-old"),
        "{list:?}"
    );
    sandbox.shutdown().await.expect("shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_adobe_delete_get_list() {
    let sandbox = seeded().await;
    let list = offerkit(
        &sandbox,
        &[
            "--json",
            "adobe",
            "list",
            "--offer-type",
            "personalized",
            "--limit",
            "5",
        ],
    )
    .await;
    assert_eq!(list.code, 0, "{list:?}");
    assert!(list.stdout.contains("perso-1"), "{list:?}");

    let get = offerkit(
        &sandbox,
        &[
            "--json",
            "adobe",
            "get",
            "--offer-id",
            "fallback-1",
            "--offer-type",
            "fallback",
        ],
    )
    .await;
    assert_eq!(get.code, 0, "{get:?}");
    assert!(get.stdout.contains("Fallback one"), "{get:?}");

    let delete = offerkit(
        &sandbox,
        &[
            "adobe",
            "delete",
            "--offer-id",
            "perso-1",
            "--offer-type",
            "personalized",
        ],
    )
    .await;
    assert_eq!(delete.code, 0, "{delete:?}");
    assert!(
        delete
            .stdout
            .starts_with("retracted adobe:delete:personalized:perso-1"),
        "{delete:?}"
    );
    // Verified by a 404 read-back.
    let path = "/data/core/dps/offers/perso-1";
    assert_eq!(sandbox.succeeded_count("DELETE", path), 1);
    let journal = sandbox.journal();
    assert!(
        journal
            .iter()
            .any(|e| e.method == "GET" && e.path == path && e.status == 404)
    );

    let again = offerkit(
        &sandbox,
        &[
            "--json",
            "adobe",
            "delete",
            "--offer-id",
            "perso-1",
            "--offer-type",
            "personalized",
        ],
    )
    .await;
    assert_eq!(again.code, 3, "{again:?}");
    let missing = offerkit(
        &sandbox,
        &[
            "adobe",
            "get",
            "--offer-id",
            "perso-1",
            "--offer-type",
            "personalized",
        ],
    )
    .await;
    assert_eq!(missing.code, 1, "{missing:?}");
    sandbox.shutdown().await.expect("shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_embedded_sandbox_flag_and_help() {
    // --sandbox: an empty embedded sandbox, no credentials in the environment.
    let dir = TempDir::new("flag");
    let list = offerkit_with(
        &[],
        dir.path(),
        &["--sandbox", "--json", "orders", "list", "--customer", "c1"],
    )
    .await;
    assert_eq!(list.code, 0, "{list:?}");
    let gone = offerkit_with(
        &[],
        dir.path(),
        &[
            "--sandbox",
            "appcharge",
            "delete",
            "--publisher-offer-id",
            "x",
        ],
    )
    .await;
    assert_eq!(gone.code, 3, "{gone:?}");
    let help = offerkit_with(&[], dir.path(), &["--help"]).await;
    assert_eq!(help.code, 0);
    assert!(help.stdout.contains("Exit codes:"), "{help:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_endpoint_flags_override_env() {
    let sandbox = seeded().await;
    // The env points Appcharge at a closed port; the flag wins.
    let mut env = sandbox_env(&sandbox);
    for (k, v) in &mut env {
        if k == "OFFERKIT_APPCHARGE_URL" {
            *v = "http://127.0.0.1:9".to_owned();
        }
    }
    let dir = TempDir::new("flags");
    let run = offerkit_with(
        &env,
        dir.path(),
        &[
            "--appcharge-url",
            sandbox.base_url(),
            "appcharge",
            "delete",
            "--publisher-offer-id",
            "ac-2",
        ],
    )
    .await;
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(sandbox.succeeded_count("DELETE", "/v2/offer/ac-2"), 1);
    sandbox.shutdown().await.expect("shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_demo_retracts_every_target() {
    let dir = TempDir::new("demo");
    let demo_dir = dir.path().join("demo");
    let demo_arg = demo_dir.display().to_string();
    let run = offerkit_with(&[], dir.path(), &["demo", "--dir", &demo_arg]).await;
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("every target retracted"), "{run:?}");
    assert!(
        run.stdout.contains("→ 404"),
        "the Adobe read-back is shown: {run:?}"
    );
    let results = std::fs::read_to_string(demo_dir.join("demo.results.jsonl")).expect("results");
    let results = crate::cli_support::jsonl(&results);
    assert_eq!(results.len(), 10);
    assert!(
        results.iter().all(|r| r["status"] == "retracted"),
        "{results:?}"
    );

    let json = offerkit_with(&[], dir.path(), &["--json", "demo"]).await;
    assert_eq!(json.code, 0, "{json:?}");
    assert_eq!(json.json_lines().len(), 10);
}

/// `--sandbox-url ROOT` (and `OFFERKIT_SANDBOX_URL`) point every vendor's API and token
/// endpoints at a running sandbox, with sandbox credentials: no other setting needed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_sandbox_url_points_every_vendor_at_a_running_sandbox() {
    let sandbox = seeded().await;
    let dir = TempDir::new("sandbox-url");
    let root = sandbox.base_url().trim_end_matches('/').to_owned();
    let orders = offerkit_with(
        &[],
        dir.path(),
        &[
            "--sandbox-url",
            &root,
            "--json",
            "orders",
            "cancel",
            "--customer",
            TENANT,
            "--order",
            "order-whole",
        ],
    )
    .await;
    assert_eq!(orders.code, 0, "{orders:?}");
    let env = [("OFFERKIT_SANDBOX_URL".to_owned(), root.clone())];
    for args in [
        &["appcharge", "delete", "--publisher-offer-id", "ac-2"][..],
        &[
            "adobe",
            "delete",
            "--offer-id",
            "perso-1",
            "--offer-type",
            "personalized",
        ][..],
        &["ingestion", "delete", "--offer-id", "draft-1"][..],
    ] {
        let run = offerkit_with(&env, dir.path(), args).await;
        assert_eq!(run.code, 0, "{args:?}: {run:?}");
    }
    // The token endpoints of the running sandbox were used (Azure AD and Adobe IMS).
    let journal = sandbox.journal();
    let paths: Vec<&str> = journal.iter().map(|e| e.path.as_str()).collect();
    assert!(
        paths.iter().any(|p| p.ends_with("/oauth2/token")),
        "{paths:?}"
    );
    assert!(paths.contains(&"/ims/token/v3"), "{paths:?}");
    sandbox.shutdown().await.expect("shutdown");
}

/// The CLI reads the same keys as the vendor crates: `OFFERKIT_AZURE_*` is the shared
/// fallback of both Partner Center vendors, and `--azure-authority` / the deprecated
/// `--orders-token-url` set the token endpoint's authority.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_reads_the_azure_fallback_and_the_authority_flags() {
    let sandbox = seeded().await;
    let dir = TempDir::new("azure");
    let root = sandbox.base_url().trim_end_matches('/').to_owned();
    let env: Vec<(String, String)> = [
        ("OFFERKIT_ORDERS_URL", root.as_str()),
        ("OFFERKIT_AZURE_TENANT_ID", "e2e-partner"),
        ("OFFERKIT_AZURE_CLIENT_ID", "e2e-client"),
        ("OFFERKIT_AZURE_CLIENT_SECRET", "e2e-secret"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let list = offerkit_with(
        &env,
        dir.path(),
        &[
            "--azure-authority",
            &root,
            "--json",
            "orders",
            "list",
            "--customer",
            TENANT,
        ],
    )
    .await;
    assert_eq!(list.code, 0, "{list:?}");
    let old_flag = offerkit_with(
        &env,
        dir.path(),
        &[
            "--orders-token-url",
            &format!("{root}/{{tenant}}/oauth2/token"),
            "orders",
            "list",
            "--customer",
            TENANT,
        ],
    )
    .await;
    assert_eq!(old_flag.code, 0, "{old_flag:?}");
    assert!(
        old_flag.stderr.contains("--orders-token-url is deprecated"),
        "{old_flag:?}"
    );
    sandbox.shutdown().await.expect("shutdown");
}

/// Configuration mistakes are usage errors (exit 2) that name what is wrong: an unknown key
/// with the nearest known one, and every missing key of a vendor at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_configuration_errors_name_the_keys() {
    let dir = TempDir::new("config-errors");
    let typo = [(
        "OFFERKIT_APPCHARGE_PUBLISHER_TOKN".to_owned(),
        "t".to_owned(),
    )];
    let run = offerkit_with(
        &typo,
        dir.path(),
        &["appcharge", "delete", "--publisher-offer-id", "x"],
    )
    .await;
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr
            .contains("did you mean `OFFERKIT_APPCHARGE_PUBLISHER_TOKEN`?"),
        "{run:?}"
    );
    let missing = offerkit_with(&[], dir.path(), &["orders", "list", "--customer", TENANT]).await;
    assert_eq!(missing.code, 2, "{missing:?}");
    for key in [
        "OFFERKIT_ORDERS_TENANT_ID",
        "OFFERKIT_ORDERS_CLIENT_ID",
        "OFFERKIT_ORDERS_CLIENT_SECRET",
    ] {
        assert!(missing.stderr.contains(key), "{key}: {missing:?}");
    }
    let help = offerkit_with(&[], dir.path(), &["--help"]).await;
    for key in offerkit::CONFIG_KEYS {
        assert!(help.stdout.contains(&key.env_name()), "{}", key.env_name());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_output_to_closed_pipes_never_panics() {
    // A harness that reads nothing and closes both pipes at once (`offerkit demo | true`): every
    // write fails with EPIPE, and the command still ends with its own exit code, not a panic (101).
    let dir = TempDir::new("closed-pipes");
    let mut child = command(&[], dir.path())
        .args(["demo", "--dir", &dir.path().display().to_string()])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    drop(child.stdout.take());
    drop(child.stderr.take());
    let status = child.wait().await.expect("wait");
    assert_eq!(status.code(), Some(0), "{status:?}");
}
