//! Partner Center new-commerce subscriptions end to end against the sandbox (issue 15): cancel
//! inside the window, repeats, the window by the client's clock and by the vendor's, the
//! stop-renewal fallback, stale ETags and throttling.

use std::time::{Duration, UNIX_EPOCH};

use offerkit_partner_center_orders::{
    CancelSubscription, CustomerTenantId, Error, ErrorInfo, Fallback, IfOutsideWindow, Retraction,
    SubscriptionId,
};

/// The crate's client configured as a user would (shared with the orders tests).
use crate::partner_center_orders::client;
use offerkit_sandbox::{FaultKind, FaultMode, FaultRule, Sandbox};
use serde_json::{Value, json};

const CUSTOMER: &str = "1f53d7b3-cd04-43a3-a09f-e52f3eb3c205";
/// 2030-01-01T00:00:00Z: the sandbox's clock in these tests (the client's own clock is earlier, so
/// its pre-check sees 2030 windows open).
const JAN_2030: u64 = 1_893_456_000;

fn sub(id: &str, created: &str) -> Value {
    json!({
        "customerTenantId": CUSTOMER,
        "id": id,
        "offerId": "CFQ7TTC0LH18:0001:CFQ7TTC0K59S",
        "offerName": "Microsoft 365 Business Basic",
        "quantity": 25,
        "creationDate": created,
        "termDuration": "P1Y",
        "billingCycle": "monthly",
    })
}

async fn sandbox_with(subs: Vec<Value>) -> Sandbox {
    let sandbox = Sandbox::start().await.expect("sandbox");
    sandbox.set_clock(UNIX_EPOCH + Duration::from_secs(JAN_2030));
    sandbox
        .seed(&json!({ "subscriptions": subs }))
        .expect("seed");
    sandbox
}

fn path(id: &str) -> String {
    format!("/v1/customers/{CUSTOMER}/subscriptions/{id}")
}

fn cancel(id: &str) -> CancelSubscription {
    CancelSubscription::new(
        CustomerTenantId::new(CUSTOMER).expect("id"),
        SubscriptionId::new(id).expect("id"),
    )
}

fn customer() -> CustomerTenantId {
    CustomerTenantId::new(CUSTOMER).expect("id")
}

fn stored(sandbox: &Sandbox, id: &str) -> Value {
    sandbox.state()["subscriptions"]
        .as_array()
        .and_then(|subs| subs.iter().find(|s| s["id"] == id).cloned())
        .expect("stored subscription")
}

#[tokio::test]
async fn cancel_inside_the_window_then_a_repeat_is_already_retracted() {
    let sandbox = sandbox_with(vec![sub("sub-new", "2030-01-01T00:00:00Z")]).await;
    let client = client(&sandbox);

    let first = client
        .cancel_subscription(&cancel("sub-new"))
        .await
        .expect("cancel");
    let Retraction::Retracted(done) = first else {
        panic!("expected retracted, got {first:?}");
    };
    assert!(done.subscription.is_deleted());
    assert_eq!(done.fallback, None);
    assert_eq!(
        done.subscription.quantity.as_ref().and_then(|q| q.as_u64()),
        Some(25),
        "quantity kept, as the docs show"
    );
    assert_eq!(sandbox.count("PATCH", &path("sub-new")), 1);
    assert_eq!(stored(&sandbox, "sub-new")["status"], "deleted");
    // The seed filled the window: creationDate + 7 days.
    assert_eq!(
        stored(&sandbox, "sub-new")["cancellationAllowedUntilDate"],
        "2030-01-08T00:00:00Z"
    );

    let again = client
        .cancel_subscription(&cancel("sub-new"))
        .await
        .expect("repeat");
    assert!(again.is_already_retracted(), "{again:?}");
    assert_eq!(
        sandbox.count("PATCH", &path("sub-new")),
        1,
        "no PATCH for a repeat"
    );

    let listed = client.list_subscriptions(&customer()).await.expect("list");
    assert_eq!(listed.total_count, Some(1));
    let item = &listed.items.expect("items")[0];
    assert!(
        !item.extra.contains_key("customerTenantId"),
        "the sandbox-only field is never answered"
    );
    sandbox.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn outside_the_window_by_the_clients_clock_nothing_is_sent() {
    let sandbox = sandbox_with(vec![sub("sub-old", "2020-01-01T00:00:00Z")]).await;
    let client = client(&sandbox);

    let err = client
        .cancel_subscription(&cancel("sub-old"))
        .await
        .expect_err("too late");
    assert!(err.is_outside_cancellation_window(), "{err:?}");
    assert!(
        matches!(err, Error::OutsideCancellationWindow { answer: None, .. }),
        "{err:?}"
    );
    assert_eq!(err.cancellation_window_ended(), Some("2020-01-08"));
    assert!(err.to_string().contains("2020-01-08"), "{err}");
    assert_eq!(sandbox.count("PATCH", &path("sub-old")), 0, "no PATCH");

    // With the fallback, the renewal is stopped instead, visibly.
    let out = client
        .cancel_subscription(&cancel("sub-old").if_outside_window(IfOutsideWindow::StopRenewal))
        .await
        .expect("fallback");
    let Retraction::Retracted(stopped) = out else {
        panic!("expected retracted, got {out:?}");
    };
    assert_eq!(stopped.fallback, Some(Fallback::StopRenewal));
    assert_eq!(stopped.window_ended.as_deref(), Some("2020-01-08"));
    assert_eq!(stopped.subscription.auto_renew_enabled, Some(false));
    assert!(
        !stopped.subscription.is_deleted(),
        "still active until its term ends"
    );
    assert_eq!(stored(&sandbox, "sub-old")["autoRenewEnabled"], false);
    assert_eq!(sandbox.count("PATCH", &path("sub-old")), 1);

    // Renewal already off: already retracted, with the same fallback field.
    let again = client
        .cancel_subscription(&cancel("sub-old").if_outside_window(IfOutsideWindow::StopRenewal))
        .await
        .expect("repeat");
    let Retraction::AlreadyRetracted(already) = again else {
        panic!("expected already retracted, got {again:?}");
    };
    assert_eq!(already.fallback, Some(Fallback::StopRenewal));
    assert_eq!(sandbox.count("PATCH", &path("sub-old")), 1);
    sandbox.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn the_vendors_clock_refusing_is_the_same_typed_error() {
    let sandbox = sandbox_with(vec![sub("sub-edge", "2030-01-01T00:00:00Z")]).await;
    // The client's clock says the window is open; the sandbox's is past it.
    sandbox.advance_clock(Duration::from_secs(9 * 86_400));
    let client = client(&sandbox);
    let err = client
        .cancel_subscription(&cancel("sub-edge"))
        .await
        .expect_err("refused by the vendor");
    assert!(err.is_outside_cancellation_window(), "{err:?}");
    assert_eq!(err.code().as_deref(), Some("900117"));
    assert_eq!(err.cancellation_window_ended(), Some("2030-01-08"));
    assert!(
        err.to_string().contains("7-day cancellation window"),
        "{err}"
    );
    assert_eq!(stored(&sandbox, "sub-edge")["status"], "active");

    let out = client
        .cancel_subscription(&cancel("sub-edge").if_outside_window(IfOutsideWindow::StopRenewal))
        .await
        .expect("fallback");
    let stopped = out.into_retracted().expect("retracted");
    assert_eq!(stopped.fallback, Some(Fallback::StopRenewal));
    assert_eq!(stopped.window_ended.as_deref(), Some("2030-01-08"));
    assert_eq!(stored(&sandbox, "sub-edge")["autoRenewEnabled"], false);
    sandbox.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn stop_renewal_twice_the_second_is_already_retracted() {
    let sandbox = sandbox_with(vec![sub("sub-renew", "2020-01-01T00:00:00Z")]).await;
    let client = client(&sandbox);
    let id = SubscriptionId::new("sub-renew").expect("id");
    let first = client.stop_renewal(&customer(), &id).await.expect("stop");
    assert!(first.is_retracted(), "{first:?}");
    let second = client.stop_renewal(&customer(), &id).await.expect("again");
    assert!(second.is_already_retracted(), "{second:?}");
    assert_eq!(sandbox.count("PATCH", &path("sub-renew")), 1);
    assert_eq!(sandbox.mutated_count("PATCH", &path("sub-renew")), 1);
    sandbox.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn a_stale_etag_is_refused_by_the_sandbox_and_the_client_re_reads_once() {
    let sandbox = sandbox_with(vec![sub("sub-etag", "2030-01-01T00:00:00Z")]).await;
    let client = client(&sandbox);
    let id = SubscriptionId::new("sub-etag").expect("id");
    let before = client
        .get_subscription(&customer(), &id)
        .await
        .expect("read");
    let old_etag = before.etag().expect("etag").to_owned();
    // Someone else changes it: the ETag moves on.
    client.stop_renewal(&customer(), &id).await.expect("stop");
    let after = client
        .get_subscription(&customer(), &id)
        .await
        .expect("read");
    assert_ne!(after.etag(), Some(old_etag.as_str()));

    // A PATCH with the old ETag (in the body, as read) is refused with the vendor's 2055.
    let http = raw_patch_as_read(&sandbox, &before).await;
    assert_eq!(http.0, 400, "{}", http.1);
    assert_eq!(http.1["code"], 2055, "{}", http.1);

    // A stale answer to the client's PATCH (HTTP 412 once): re-read once, retried once, done.
    sandbox
        .inject_fault(
            FaultRule::new(
                "PATCH",
                &path("sub-etag"),
                FaultKind::Status { status: 412 },
            )
            .mode(FaultMode::NextN { next_n: 1 }),
        )
        .expect("fault");
    let gets = sandbox.count("GET", &path("sub-etag"));
    let out = client
        .cancel_subscription(&cancel("sub-etag"))
        .await
        .expect("cancel after one stale answer");
    assert!(out.is_retracted(), "{out:?}");
    assert_eq!(
        sandbox.count("GET", &path("sub-etag")),
        gets + 2,
        "read, re-read"
    );
    assert_eq!(
        sandbox.mutated_count("PATCH", &path("sub-etag")),
        2,
        "renewal stop + cancel"
    );

    // Stale twice: the typed error, after exactly one re-read and one retry.
    sandbox
        .seed(&json!({"subscriptions": [sub("sub-etag2", "2030-01-01T00:00:00Z")]}))
        .expect("seed");
    sandbox
        .inject_fault(
            FaultRule::new(
                "PATCH",
                &path("sub-etag2"),
                FaultKind::Status { status: 412 },
            )
            .mode(FaultMode::NextN { next_n: 2 }),
        )
        .expect("fault");
    let err = client
        .cancel_subscription(&cancel("sub-etag2"))
        .await
        .expect_err("stale twice");
    assert!(err.is_changed_since_read(), "{err:?}");
    assert_eq!(sandbox.count("PATCH", &path("sub-etag2")), 2);
    assert_eq!(stored(&sandbox, "sub-etag2")["status"], "active");
    sandbox.shutdown().await.expect("shutdown");
}

/// A raw PATCH of `sub` as read (its old `attributes.etag`), through the client's transport-level
/// client so the request carries a token.
async fn raw_patch_as_read(
    sandbox: &Sandbox,
    sub: &offerkit_partner_center_orders::models::Subscription,
) -> (u16, Value) {
    let mut body = serde_json::to_value(sub).expect("json");
    body["status"] = json!("deleted");
    let client = client(sandbox);
    let result = client
        .vendor_client()
        .patch("raw_patch")
        .path("v1/customers")
        .path_param("customer", CUSTOMER)
        .path("subscriptions")
        .path_param("subscription", sub.id.as_deref().unwrap_or_default())
        .json(&body)
        .send()
        .await;
    match result {
        Ok(r) => (r.status().as_u16(), r.json().unwrap_or(Value::Null)),
        Err(offerkit_partner_center_orders::transport::Error::Api(api)) => (
            api.status.as_u16(),
            serde_json::from_str(&api.body).unwrap_or(Value::Null),
        ),
        Err(other) => panic!("{other}"),
    }
}

#[tokio::test]
async fn throttled_patch_waits_retry_after_and_acts_once() {
    let sandbox = sandbox_with(vec![sub("sub-busy", "2030-01-01T00:00:00Z")]).await;
    sandbox
        .inject_fault(
            FaultRule::new(
                "PATCH",
                &path("sub-busy"),
                FaultKind::Throttle {
                    retry_after_seconds: 0,
                },
            )
            .mode(FaultMode::NextN { next_n: 1 }),
        )
        .expect("fault");
    let out = client(&sandbox)
        .cancel_subscription(&cancel("sub-busy"))
        .await
        .expect("cancel");
    assert!(out.is_retracted(), "{out:?}");
    assert_eq!(sandbox.count("PATCH", &path("sub-busy")), 2);
    assert_eq!(sandbox.acted_count("PATCH", &path("sub-busy")), 1);
    sandbox.shutdown().await.expect("shutdown");
}

/// The cancellation acts but its answer is lost (a 500 after the handler ran): the retry, with the
/// same `MS-RequestId`, is refused (2011, already deleted); the read back shows it deleted, and the
/// facade reports it as retracted by this call, not as "nothing was done".
#[tokio::test]
async fn a_lost_answer_then_a_refused_retry_is_retracted_by_this_call() {
    let sandbox = sandbox_with(vec![sub("sub-lost", "2030-01-01T00:00:00Z")]).await;
    sandbox
        .inject_fault(
            FaultRule::new(
                "PATCH",
                &path("sub-lost"),
                FaultKind::Status { status: 500 },
            )
            .when(offerkit_sandbox::FaultTiming::After)
            .mode(FaultMode::NextN { next_n: 1 }),
        )
        .expect("fault");
    let crate_out = client(&sandbox)
        .cancel_subscription(&cancel("sub-lost"))
        .await
        .expect("cancel");
    let Retraction::AlreadyRetracted(r) = &crate_out else {
        panic!("expected the evidence of a refused retry, got {crate_out:?}");
    };
    assert!(r.earlier_attempt_may_have_acted, "{r:?}");
    assert_eq!(sandbox.count("PATCH", &path("sub-lost")), 2);
    assert_eq!(sandbox.mutated_count("PATCH", &path("sub-lost")), 1);

    sandbox
        .seed(&json!({"subscriptions": [sub("sub-lost2", "2030-01-01T00:00:00Z")]}))
        .expect("seed");
    sandbox
        .inject_fault(
            FaultRule::new(
                "PATCH",
                &path("sub-lost2"),
                FaultKind::Status { status: 500 },
            )
            .when(offerkit_sandbox::FaultTiming::After)
            .mode(FaultMode::NextN { next_n: 1 }),
        )
        .expect("fault");
    let out = facade(&sandbox)
        .retract(&target("cancel-subscription", "sub-lost2", ""))
        .await;
    assert_eq!(out.status(), offerkit::Status::Retracted, "{out:?}");
    assert!(
        out.details()
            .note
            .as_deref()
            .is_some_and(|n| n.contains("earlier attempt")),
        "{out:?}"
    );
    sandbox.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn a_missing_subscription_is_typed_not_found() {
    let sandbox = sandbox_with(vec![]).await;
    let err = client(&sandbox)
        .cancel_subscription(&cancel("no-such"))
        .await
        .expect_err("missing");
    assert!(matches!(err, Error::SubscriptionNotFound { .. }), "{err:?}");
    assert!(err.is_not_found());
    assert_eq!(err.code().as_deref(), Some("20003"));
    sandbox.shutdown().await.expect("shutdown");
}

fn facade(sandbox: &Sandbox) -> offerkit::Client {
    let vendor = offerkit::Vendor::PartnerCenterOrders;
    let config = offerkit::Config::new()
        .with_base_url(vendor, sandbox.base_url())
        .with_credential(vendor, "authority", sandbox.base_url())
        .with_credential(vendor, "tenant-id", "sandbox-tenant")
        .with_credential(vendor, "client-id", "sandbox-client")
        .with_credential(vendor, "client-secret", "sandbox-secret");
    offerkit::Client::from_config(&config)
}

fn target(action: &str, id: &str, extra: &str) -> offerkit::Target {
    offerkit::Target::from_json(&format!(
        r#"{{"vendor":"partner-center-orders","action":"{action}","customerTenantId":"{CUSTOMER}","subscriptionId":"{id}"{extra}}}"#
    ))
    .expect("target")
}

/// The facade's outcomes follow the issue's decisions: cancel -> retracted, repeat ->
/// already-retracted, past the window -> failed naming the date, with the fallback -> retracted
/// with `"fallback": "stop-renewal"` and the date; probes agree.
#[tokio::test]
async fn facade_targets_outcomes_and_probes() {
    use offerkit::{Probe, Status};
    let sandbox = sandbox_with(vec![
        sub("f-new", "2030-01-01T00:00:00Z"),
        sub("f-old", "2020-01-01T00:00:00Z"),
        sub("f-renew", "2020-01-01T00:00:00Z"),
    ])
    .await;
    let client = facade(&sandbox);

    let cancel = target("cancel-subscription", "f-new", "");
    assert!(matches!(
        client.probe(&cancel).await.expect("probe"),
        Probe::Present(_)
    ));
    let out = client.retract(&cancel).await;
    assert_eq!(out.status(), Status::Retracted, "{out:?}");
    let again = client.retract(&cancel).await;
    assert_eq!(again.status(), Status::AlreadyRetracted, "{again:?}");
    assert!(matches!(
        client.probe(&cancel).await.expect("probe"),
        Probe::Gone(_)
    ));

    let late = target("cancel-subscription", "f-old", "");
    let failed = client.retract(&late).await;
    assert_eq!(failed.status(), Status::Failed);
    let error = failed.error().expect("error");
    assert_eq!(error.kind(), offerkit::ErrorKind::Rejected);
    assert!(error.message().contains("2020-01-08"), "{error}");
    assert_eq!(sandbox.count("PATCH", &path("f-old")), 0);

    let fallback = target(
        "cancel-subscription",
        "f-old",
        r#","ifOutsideWindow":"stop-renewal""#,
    );
    assert!(matches!(
        client.probe(&fallback).await.expect("probe"),
        Probe::Present(_)
    ));
    let out = client.retract(&fallback).await;
    assert_eq!(out.status(), Status::Retracted, "{out:?}");
    let json = serde_json::to_value(&out).expect("json");
    assert_eq!(json["fallback"], "stop-renewal", "{json}");
    assert_eq!(json["windowEnded"], "2020-01-08", "{json}");
    assert_eq!(
        json["note"],
        "renewal stopped (outside the cancellation window, ended 2020-01-08)"
    );
    let again = client.retract(&fallback).await;
    assert_eq!(again.status(), Status::AlreadyRetracted, "{again:?}");
    assert_eq!(
        serde_json::to_value(&again).expect("json")["fallback"],
        "stop-renewal"
    );
    assert!(matches!(
        client.probe(&fallback).await.expect("probe"),
        Probe::Gone(_)
    ));
    // Without the fallback the same subscription is still not cancelled.
    assert!(matches!(
        client.probe(&late).await.expect("probe"),
        Probe::Present(_)
    ));

    let stop = target("stop-renewal", "f-renew", "");
    assert_eq!(client.retract(&stop).await.status(), Status::Retracted);
    assert_eq!(
        client.retract(&stop).await.status(),
        Status::AlreadyRetracted
    );
    assert!(matches!(
        client.probe(&stop).await.expect("probe"),
        Probe::Gone(_)
    ));
    assert_eq!(sandbox.count("PATCH", &path("f-renew")), 1);

    let missing = target("stop-renewal", "nope", "");
    let err = client.probe(&missing).await.expect_err("missing");
    assert_eq!(err.kind(), offerkit::ErrorKind::NotFound);
    sandbox.shutdown().await.expect("shutdown");
}

mod cli {
    //! The CLI as a real process: `orders cancel-subscription`, `stop-renewal`, `subscriptions`,
    //! and a batch of these targets killed and resumed.

    use std::time::Duration;

    use offerkit_sandbox::{FaultKind, FaultMode, FaultRule, FaultTiming, Sandbox};
    use serde_json::json;

    use super::{CUSTOMER, path, sub};
    use crate::cli_support::{
        NO_RATE_LIMITS, TempDir, command, jsonl, offerkit, offerkit_with, sandbox_env,
    };

    /// Inside the window by any clock: created in 2099.
    const FUTURE: &str = "2099-01-01T00:00:00Z";

    async fn seeded(subs: Vec<serde_json::Value>) -> Sandbox {
        let sandbox = Sandbox::start().await.expect("sandbox");
        sandbox
            .seed(&json!({ "subscriptions": subs }))
            .expect("seed");
        sandbox
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn cli_subscription_commands_outcomes_and_exit_codes() {
        let sandbox = seeded(vec![
            sub("c-new", FUTURE),
            sub("c-old", "2020-01-01T00:00:00Z"),
            sub("c-renew", FUTURE),
        ])
        .await;
        let cancel = |id: &'static str, extra: &'static [&'static str]| {
            let mut args = vec![
                "orders",
                "cancel-subscription",
                "--customer",
                CUSTOMER,
                "--subscription",
                id,
            ];
            args.extend_from_slice(extra);
            args
        };

        let done = offerkit(&sandbox, &cancel("c-new", &[])).await;
        assert_eq!(done.code, 0, "{done:?}");
        assert!(done.stdout.starts_with("retracted "), "{done:?}");
        let again = offerkit(&sandbox, &cancel("c-new", &[])).await;
        assert_eq!(again.code, 3, "already retracted: {again:?}");
        assert_eq!(sandbox.count("PATCH", &path("c-new")), 1);

        let mut late_args = vec!["--json"];
        late_args.extend(cancel("c-old", &[]));
        let late = offerkit(&sandbox, &late_args).await;
        assert_eq!(late.code, 1, "outside the window: {late:?}");
        assert_eq!(late.json()["status"], "failed");
        let message = late.json()["error"]["message"]
            .as_str()
            .unwrap_or("")
            .to_owned();
        assert!(message.contains("2020-01-08"), "{message}");
        assert_eq!(sandbox.count("PATCH", &path("c-old")), 0);

        let fallback = offerkit(
            &sandbox,
            &cancel("c-old", &["--if-outside-window", "stop-renewal"]),
        )
        .await;
        assert_eq!(fallback.code, 0, "{fallback:?}");
        assert!(
            fallback
                .stdout
                .contains("renewal stopped (outside the cancellation window, ended 2020-01-08)"),
            "{fallback:?}"
        );

        let stop = [
            "orders",
            "stop-renewal",
            "--customer",
            CUSTOMER,
            "--subscription",
            "c-renew",
        ];
        assert_eq!(offerkit(&sandbox, &stop).await.code, 0);
        assert_eq!(offerkit(&sandbox, &stop).await.code, 3);

        let list = offerkit(
            &sandbox,
            &["--json", "orders", "subscriptions", "--customer", CUSTOMER],
        )
        .await;
        assert_eq!(list.code, 0, "{list:?}");
        assert_eq!(list.json()["totalCount"], 3);

        let bad = offerkit(
            &sandbox,
            &cancel("c-new", &["--if-outside-window", "suspend"]),
        )
        .await;
        assert_eq!(bad.code, 2, "a user error: {bad:?}");
        sandbox.shutdown().await.expect("shutdown");
    }

    /// A batch of subscription targets killed (SIGKILL) while a cancellation's answer is in flight
    /// (the sandbox has cancelled it and holds the answer back), then resumed: the interrupted
    /// target is read back, not sent again, and every subscription changed exactly once.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn cli_batch_of_subscription_targets_killed_and_resumed_acts_exactly_once() {
        let sandbox = seeded(vec![
            sub("b-1", FUTURE),
            sub("b-2", "2020-01-01T00:00:00Z"),
            sub("b-3", FUTURE),
        ])
        .await;
        let dir = TempDir::new("subs-batch");
        let input = dir.path().join("targets.jsonl");
        let lines = [
            format!(
                r#"{{"vendor":"partner-center-orders","action":"cancel-subscription","customerTenantId":"{CUSTOMER}","subscriptionId":"b-1"}}"#
            ),
            format!(
                r#"{{"vendor":"partner-center-orders","action":"cancel-subscription","customerTenantId":"{CUSTOMER}","subscriptionId":"b-2","ifOutsideWindow":"stop-renewal"}}"#
            ),
            format!(
                r#"{{"vendor":"partner-center-orders","action":"stop-renewal","customerTenantId":"{CUSTOMER}","subscriptionId":"b-3"}}"#
            ),
        ];
        std::fs::write(&input, lines.join("\n")).expect("write");
        let input = input.display().to_string();
        // b-1's PATCH acts, then its answer is held back far longer than the test runs.
        sandbox
            .inject_fault(
                FaultRule::new("PATCH", &path("b-1"), FaultKind::Delay { millis: 600_000 })
                    .when(FaultTiming::After)
                    .mode(FaultMode::NextN { next_n: 1 }),
            )
            .expect("fault");

        let mut args = vec![
            "batch",
            input.as_str(),
            "--concurrency",
            "1",
            "--output",
            "run1.jsonl",
        ];
        args.extend_from_slice(&NO_RATE_LIMITS);
        let mut child = command(&sandbox_env(&sandbox), dir.path())
            .args(&args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn");
        let mut waited = 0;
        while sandbox.mutated_count("PATCH", &path("b-1")) < 1 {
            assert!(
                child.try_wait().expect("wait").is_none(),
                "run 1 ended early"
            );
            assert!(waited < 6000, "run 1 never cancelled b-1");
            tokio::time::sleep(Duration::from_millis(10)).await;
            waited += 1;
        }
        child.start_kill().expect("kill -9");
        assert_eq!(child.wait().await.expect("wait").code(), None, "killed");

        sandbox.clear_faults();
        let mut resume = vec!["batch", input.as_str(), "--output", "run2.jsonl"];
        resume.extend_from_slice(&NO_RATE_LIMITS);
        let run = offerkit_with(&sandbox_env(&sandbox), dir.path(), &resume).await;
        assert_eq!(run.code, 0, "stdout: {} stderr: {}", run.stdout, run.stderr);
        let results =
            jsonl(&std::fs::read_to_string(dir.path().join("run2.jsonl")).expect("results"));
        assert_eq!(results.len(), 3, "{results:?}");
        let by_key = |id: &str| {
            results
                .iter()
                .find(|r| {
                    r["key"]
                        .as_str()
                        .is_some_and(|k| k.contains(&format!(":{id}")))
                })
                .cloned()
                .unwrap_or_else(|| panic!("no result for {id}: {results:?}"))
        };
        let first = by_key("b-1");
        assert!(first["resumed"].is_string(), "read back first: {first}");
        assert!(
            matches!(
                first["status"].as_str(),
                Some("retracted" | "already-retracted")
            ),
            "{first}"
        );
        let second = by_key("b-2");
        assert_eq!(second["status"], "retracted", "{second}");
        assert!(
            second.to_string().contains("stop-renewal"),
            "the fallback is visible: {second}"
        );
        assert_eq!(by_key("b-3")["status"], "retracted");
        for id in ["b-1", "b-2", "b-3"] {
            assert_eq!(
                sandbox.mutated_count("PATCH", &path(id)),
                1,
                "{id} changed exactly once"
            );
        }
        assert_eq!(
            sandbox.count("PATCH", &path("b-1")),
            1,
            "b-1 was not sent again"
        );
        sandbox.shutdown().await.expect("shutdown");
    }
}
