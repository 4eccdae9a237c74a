//! `offerkit select` end to end: the real process against a sandbox in the test process, per
//! vendor with filters, paging across pages, `--limit`, server-side Adobe `property` filters, the
//! output fed to `offerkit batch --dry-run`, stderr's `read N, matched M`, and that no mutating
//! request reaches the sandbox.

use offerkit_sandbox::Sandbox;
use serde_json::{Value, json};

use crate::cli_support::{Run, TempDir, offerkit, offerkit_with, sandbox_env};

const CUSTOMER: &str = "select-customer";

/// 230 personalized offers (every other one a draft, every fifth named "Summer …"), orders,
/// 150 private offers across states, three Appcharge offers and subscriptions.
async fn seeded() -> Sandbox {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let personalized: Vec<Value> = (0..230)
        .map(|i| {
            json!({
                "id": format!("perso-{i:03}"),
                "name": if i % 5 == 0 { format!("Summer sale {i}") } else { format!("Offer {i}") },
                "status": if i % 2 == 0 { "draft" } else { "approved" },
                "rank": {"priority": i % 10},
            })
        })
        .collect();
    let private_offers: Vec<Value> = (0..150)
        .map(|i| {
            let state = ["draft", "live", "withdrawn"][i % 3];
            json!({"id": format!("private-offer/po-{i:03}"), "name": format!("po {i}"),
                   "privateOfferType": "customerPromotion", "state": state})
        })
        .collect();
    sandbox
        .seed(&json!({
            "adobe": {"personalized": personalized,
                      "fallback": [{"id": "fb-1", "name": "Fallback", "status": "approved"}]},
            "ingestion": {"privateOffers": private_offers},
            "orders": [
                {"id": "order-new", "referenceCustomerId": CUSTOMER, "creationDate": "2099-01-02T00:00:00Z",
                 "lineItems": [
                    {"offerId": "OFFER-A", "quantity": 2},
                    {"offerId": "OFFER-B", "quantity": 1},
                    {"offerId": "OFFER-A", "quantity": 5},
                    {"offerId": "OFFER-A", "quantity": 0}]},
                {"id": "order-mixed", "referenceCustomerId": CUSTOMER, "creationDate": "2099-01-03T00:00:00Z",
                 "lineItems": [
                    {"offerId": "OFFER-B", "quantity": 1},
                    {"offerId": "OFFER-C", "quantity": 9}]},
                {"id": "order-old", "referenceCustomerId": CUSTOMER, "creationDate": "2020-01-01T00:00:00Z",
                 "lineItems": [{"offerId": "OFFER-A", "quantity": 1}]}
            ],
            "subscriptions": [
                {"customerTenantId": CUSTOMER, "id": "sub-live", "offerId": "CFQ7TTC0LH18:0001",
                 "quantity": 5, "creationDate": "2099-01-01T00:00:00Z", "status": "active"},
                {"customerTenantId": CUSTOMER, "id": "sub-gone", "offerId": "CFQ7TTC0LH18:0001",
                 "quantity": 5, "creationDate": "2099-01-01T00:00:00Z", "status": "deleted"}
            ],
            "appcharge": {"offers": [
                {"publisherOfferId": "ac-special", "name": "Special", "type": "SpecialOffer", "segments": ["Whales", "New User"]},
                {"publisherOfferId": "ac-bundle", "name": "Bundle", "type": "Bundle", "segments": ["New User"]},
                {"publisherOfferId": "ac-other", "name": "Other", "type": "SpecialOffer", "segments": []}
            ]}
        }))
        .expect("seed");
    sandbox
}

/// `read N, matched M` from the last stderr line (which it must be).
fn counts(run: &Run) -> (u64, u64) {
    let last = run.stderr.lines().last().unwrap_or_default();
    let rest = last
        .strip_prefix("read ")
        .unwrap_or_else(|| panic!("stderr does not end with `read N, matched M`: {run:?}"));
    let (read, matched) = rest.split_once(", matched ").expect("matched");
    (
        read.parse().expect("read N"),
        matched.parse().expect("matched M"),
    )
}

/// The `key` field of every target line.
fn field(run: &Run, key: &str) -> Vec<String> {
    run.json_lines()
        .iter()
        .map(|t| t[key].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Every request that reached the sandbox was a read (token requests aside).
fn assert_read_only(sandbox: &Sandbox) {
    for entry in sandbox.journal() {
        if entry.vendor == "azure-ad" || entry.vendor == "ims" {
            continue;
        }
        assert_eq!(
            entry.method, "GET",
            "a mutating request reached the sandbox: {entry:?}"
        );
        assert!(!entry.mutated, "{entry:?}");
    }
}

fn list_requests(sandbox: &Sandbox, path: &str) -> Vec<String> {
    sandbox
        .journal()
        .into_iter()
        .filter(|e| e.method == "GET" && e.path == path)
        .map(|e| e.query)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn select_adobe_pages_pushes_equalities_down_and_stops_at_the_limit() {
    let sandbox = seeded().await;
    let path = "/data/core/dps/offers";

    // `status=draft` goes to Adobe as `property=status==draft`; `name~summer` is checked here.
    let run = offerkit(
        &sandbox,
        &[
            "select",
            "adobe",
            "--offer-type",
            "personalized",
            "--where",
            "status=draft",
            "--where",
            "name~SUMMER",
        ],
    )
    .await;
    assert_eq!(run.code, 0, "{run:?}");
    let targets = run.json_lines();
    // Drafts are the even ids, "Summer" every fifth: multiples of ten, 0..=220.
    assert_eq!(targets.len(), 23, "{run:?}");
    assert_eq!(
        targets[0],
        json!({"vendor": "adobe", "action": "delete", "offerId": "perso-000", "offerType": "personalized"})
    );
    assert_eq!(targets[22]["offerId"], "perso-220");
    assert_eq!(
        counts(&run),
        (115, 23),
        "the sandbox sent only the 115 drafts"
    );
    assert!(run.stderr.contains("property status==draft"), "{run:?}");
    let queries = list_requests(&sandbox, path);
    assert_eq!(queries.len(), 2, "115 drafts in pages of 100: {queries:?}");
    assert!(
        queries
            .iter()
            .all(|q| q.contains("property=status%3D%3Ddraft")),
        "the next link keeps the filter: {queries:?}"
    );

    // No push-down: all 230 read over three pages; numbers compare as numbers.
    assert_read_only(&sandbox);
    sandbox.clear_journal();
    let run = offerkit(
        &sandbox,
        &[
            "select",
            "adobe",
            "--offer-type",
            "personalized",
            "--where",
            "rank.priority>8",
        ],
    )
    .await;
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(counts(&run), (230, 23));
    assert_eq!(list_requests(&sandbox, path).len(), 3);

    // --limit: one page read, five targets.
    assert_read_only(&sandbox);
    sandbox.clear_journal();
    let run = offerkit(
        &sandbox,
        &[
            "select",
            "adobe",
            "--offer-type",
            "personalized",
            "--where",
            "status!=draft",
            "--limit",
            "5",
        ],
    )
    .await;
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        field(&run, "offerId"),
        [
            "perso-001",
            "perso-003",
            "perso-005",
            "perso-007",
            "perso-009"
        ]
    );
    assert_eq!(counts(&run), (10, 5));
    assert_eq!(list_requests(&sandbox, path).len(), 1);

    let fallback = offerkit(&sandbox, &["select", "adobe", "--offer-type", "fallback"]).await;
    assert_eq!(fallback.code, 0, "{fallback:?}");
    assert_eq!(fallback.json_lines()[0]["offerType"], "fallback");
    assert_eq!(counts(&fallback), (1, 1));
    assert_read_only(&sandbox);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn select_ingestion_orders_and_subscriptions_make_the_right_targets() {
    let sandbox = seeded().await;

    let run = offerkit(&sandbox, &["select", "ingestion"]).await;
    assert_eq!(run.code, 0, "{run:?}");
    let targets = run.json_lines();
    assert_eq!(counts(&run), (150, 100), "{run:?}");
    assert_eq!(
        targets[0],
        json!({"vendor": "partner-center-ingestion", "action": "delete", "offerId": "po-000"})
    );
    assert_eq!(
        targets[1],
        json!({"vendor": "partner-center-ingestion", "action": "withdraw", "offerId": "po-001", "role": "isv"})
    );
    assert!(
        run.stderr
            .contains("left out 50 matching resources: already withdrawn"),
        "{run:?}"
    );
    assert_eq!(
        list_requests(&sandbox, "/rp/product-ingestion/private-offer/query").len(),
        2,
        "150 offers in pages of 100"
    );

    let live = offerkit(
        &sandbox,
        &[
            "select",
            "ingestion",
            "--where",
            "state=live",
            "--role",
            "selling-partner",
            "--limit",
            "2",
        ],
    )
    .await;
    assert_eq!(live.code, 0, "{live:?}");
    let targets = live.json_lines();
    assert_eq!(targets.len(), 2);
    assert!(
        targets
            .iter()
            .all(|t| t["role"] == "selling-partner" && t["action"] == "withdraw")
    );
    assert_eq!(counts(&live), (5, 2));

    // Whole orders by date.
    let orders = offerkit(
        &sandbox,
        &[
            "select",
            "orders",
            "--customer",
            CUSTOMER,
            "--where",
            "creationDate>2099-01-01",
        ],
    )
    .await;
    assert_eq!(orders.code, 0, "{orders:?}");
    let mut ids = field(&orders, "orderId");
    ids.sort();
    assert_eq!(ids, ["order-mixed", "order-new"], "{orders:?}");
    assert!(
        orders
            .json_lines()
            .iter()
            .all(|t| t.get("lineItems").is_none())
    );
    assert_eq!(counts(&orders), (3, 2));

    // Without --line-items, `lineItems.` conditions may hold on different items (any item):
    // order-mixed has an OFFER-B item and an item of quantity 9.
    let any = offerkit(
        &sandbox,
        &[
            "select",
            "orders",
            "--customer",
            CUSTOMER,
            "--where",
            "lineItems.offerId=OFFER-B",
            "--where",
            "lineItems.quantity>4",
        ],
    )
    .await;
    assert_eq!(any.code, 0, "{any:?}");
    let mut ids = field(&any, "orderId");
    ids.sort();
    assert_eq!(ids, ["order-mixed", "order-new"]);

    // With --line-items, both must hold on the same item, and only those items are cancelled.
    let items = offerkit(
        &sandbox,
        &[
            "select",
            "orders",
            "--customer",
            CUSTOMER,
            "--line-items",
            "--where",
            "lineItems.offerId=OFFER-A",
            "--where",
            "lineItems.quantity>1",
        ],
    )
    .await;
    assert_eq!(items.code, 0, "{items:?}");
    let targets = items.json_lines();
    assert_eq!(targets.len(), 1, "{items:?}");
    let order_new = &targets[0];
    assert_eq!(order_new["orderId"], "order-new");
    let numbers: Vec<u64> = order_new["lineItems"]
        .as_array()
        .expect("lineItems")
        .iter()
        .filter_map(Value::as_u64)
        .collect();
    assert_eq!(
        numbers.len(),
        2,
        "the two OFFER-A items of quantity > 1: {order_new}"
    );
    assert_eq!(counts(&items), (3, 1));

    // A line item already at quantity 0 is not listed again.
    let left = offerkit(
        &sandbox,
        &[
            "select",
            "orders",
            "--customer",
            CUSTOMER,
            "--line-items",
            "--where",
            "lineItems.offerId=OFFER-A",
        ],
    )
    .await;
    assert_eq!(left.code, 0, "{left:?}");
    let targets = left.json_lines();
    assert_eq!(targets.len(), 2, "{left:?}");
    let new = targets
        .iter()
        .find(|t| t["orderId"] == "order-new")
        .expect("order-new");
    assert_eq!(
        new["lineItems"],
        json!([0, 2]),
        "line 3 is already cancelled: {left:?}"
    );

    let subs = offerkit(
        &sandbox,
        &[
            "select",
            "subscriptions",
            "--customer",
            CUSTOMER,
            "--if-outside-window",
            "stop-renewal",
        ],
    )
    .await;
    assert_eq!(subs.code, 0, "{subs:?}");
    assert_eq!(
        subs.json_lines(),
        [
            json!({"vendor": "partner-center-orders", "action": "cancel-subscription",
                "customerTenantId": CUSTOMER, "subscriptionId": "sub-live",
                "ifOutsideWindow": "stop-renewal"})
        ]
    );
    assert!(subs.stderr.contains("already deleted"), "{subs:?}");
    assert_read_only(&sandbox);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn select_appcharge_reads_named_offers_and_its_output_feeds_batch() {
    let sandbox = seeded().await;
    let dir = TempDir::new("select");
    let env = sandbox_env(&sandbox);

    let run = offerkit_with(
        &env,
        dir.path(),
        &[
            "select",
            "appcharge",
            "--id",
            "ac-special",
            "--id",
            "ac-bundle",
            "--id",
            "ac-other",
            "--id",
            "ac-missing",
            "--where",
            "type=SpecialOffer",
            "--where",
            "segments=New User",
        ],
    )
    .await;
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.json_lines(),
        [json!({"vendor": "appcharge", "action": "delete", "publisherOfferId": "ac-special"})]
    );
    assert_eq!(counts(&run), (3, 1));

    // Without ids: the undocumented listing, which the sandbox refuses as Appcharge documents it.
    let refused = offerkit(&sandbox, &["select", "appcharge"]).await;
    assert_eq!(refused.code, 1, "{refused:?}");
    assert!(refused.stderr.contains("--id"), "{refused:?}");
    assert!(refused.stdout.is_empty(), "{refused:?}");

    // Every vendor's output is valid batch input: a dry run judges every line would-retract.
    let mut lines = run.stdout.clone();
    for args in [
        &[
            "select",
            "adobe",
            "--offer-type",
            "personalized",
            "--limit",
            "3",
        ][..],
        &["select", "ingestion", "--limit", "4"][..],
        &[
            "select",
            "orders",
            "--customer",
            CUSTOMER,
            "--line-items",
            "--where",
            "lineItems.offerId=OFFER-A",
        ][..],
        &["select", "subscriptions", "--customer", CUSTOMER][..],
    ] {
        let out = offerkit_with(&env, dir.path(), args).await;
        assert_eq!(out.code, 0, "{out:?}");
        lines.push_str(&out.stdout);
    }
    let input = dir.path().join("selected.jsonl");
    std::fs::write(&input, &lines).expect("write");
    let count = lines.lines().count();
    assert_eq!(count, 1 + 3 + 4 + 2 + 1, "{lines}");
    let dry = offerkit_with(
        &env,
        dir.path(),
        &["batch", input.to_str().expect("path"), "--dry-run"],
    )
    .await;
    assert_eq!(dry.code, 0, "{dry:?}");
    let results = dry.json_lines();
    assert_eq!(results.len(), count, "{dry:?}");
    assert!(
        results.iter().all(|r| r["status"] == "would-retract"),
        "{dry:?}"
    );
    assert_read_only(&sandbox);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn select_refuses_bad_conditions_and_misplaced_options_before_any_request() {
    let sandbox = seeded().await;
    let bad = offerkit(
        &sandbox,
        &[
            "select",
            "adobe",
            "--offer-type",
            "personalized",
            "--where",
            "creationDate>>x",
        ],
    )
    .await;
    assert_eq!(bad.code, 2, "{bad:?}");
    assert!(bad.stderr.contains("`creationDate>>x`"), "{bad:?}");
    assert!(bad.stderr.contains("`>>` is not an operator"), "{bad:?}");
    let word = offerkit(
        &sandbox,
        &["select", "ingestion", "--where", "created<yesterday"],
    )
    .await;
    assert_eq!(word.code, 2, "{word:?}");
    assert!(word.stderr.contains("`yesterday`"), "{word:?}");
    let misplaced = offerkit(&sandbox, &["select", "ingestion", "--customer", "c"]).await;
    assert_eq!(misplaced.code, 2, "{misplaced:?}");
    assert!(
        misplaced.stderr.contains("--customer does not apply"),
        "{misplaced:?}"
    );
    let missing = offerkit(&sandbox, &["select", "orders"]).await;
    assert_eq!(missing.code, 2, "{missing:?}");
    assert!(missing.stderr.contains("needs --customer"), "{missing:?}");
    assert!(sandbox.journal().is_empty(), "nothing was sent");
}
