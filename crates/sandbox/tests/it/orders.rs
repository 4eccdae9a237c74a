use offerkit_sandbox::SandboxConfig;
use reqwest::Method;
use serde_json::{Value, json};

use crate::Env;

fn days_ago(days: i64) -> String {
    let t = time::OffsetDateTime::now_utc() - time::Duration::days(days);
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

async fn create(env: &Env, body: Value) -> Value {
    let (s, o) = env
        .send(Method::POST, "/v1/customers/cust-1/orders", Some(body))
        .await;
    assert_eq!(s, 201, "{o}");
    o
}

fn two_lines(created: Option<String>) -> Value {
    let mut b = json!({"billingCycle": "one_time", "lineItems": [
        {"offerId": "DG7GMGF0FKZV:0003:DG7GMGF0DWMS", "quantity": 2, "friendlyName": "perpetual"},
        {"offerId": "CFQ7TTC0LH18:0001:CFQ7TTC0K971", "quantity": 1, "termDuration": "P1Y"}
    ]});
    if let Some(c) = created {
        b["creationDate"] = json!(c);
    }
    b
}

fn cancel(id: &str, lines: &[u64]) -> Value {
    json!({"id": id, "status": "cancelled", "lineItems": lines.iter().map(|n| json!({"lineItemNumber": n})).collect::<Vec<_>>()})
}

#[tokio::test]
async fn create_get_list_and_cancel_line_by_line() {
    let env = Env::new().await;
    let order = create(&env, two_lines(None)).await;
    let id = order["id"].as_str().unwrap();
    assert_eq!(order["status"], "completed");
    assert_eq!(order["lineItems"][1]["lineItemNumber"], 1);
    assert_eq!(
        order["lineItems"][0]["friendlyName"], "perpetual",
        "fields are kept"
    );
    let path = format!("/v1/customers/cust-1/orders/{id}");
    let (s, got) = env.get(&path).await;
    assert_eq!((s, &got), (200, &order));
    let (_, list) = env.get("/v1/customers/cust-1/orders").await;
    assert_eq!(list["totalCount"], 1);
    assert_eq!(list["attributes"]["objectType"], "Collection");
    let (_, other) = env.get("/v1/customers/someone-else/orders").await;
    assert_eq!(other["totalCount"], 0);

    let (s, after) = env.send(Method::PATCH, &path, Some(cancel(id, &[0]))).await;
    assert_eq!(s, 200, "{after}");
    assert_eq!(after["lineItems"][0]["quantity"], 0);
    assert_eq!(after["lineItems"][1]["quantity"], 1);
    assert_eq!(after["status"], "completed", "partially cancelled");
    let (_, after) = env
        .send(Method::PATCH, &path, Some(cancel(id, &[0, 1])))
        .await;
    assert_eq!(after["status"], "cancelled");
    let (s, again) = env.send(Method::PATCH, &path, Some(cancel(id, &[0]))).await;
    assert_eq!(
        (s, again["lineItems"][0]["quantity"].as_u64()),
        (200, Some(0)),
        "idempotent"
    );
    let (_, prov) = env.get(&format!("{path}/provisioningstatus")).await;
    assert_eq!(prov["items"][0]["status"], "Unfulfilled");
    assert_eq!(env.sb.acted_count("PATCH", &path), 3);
    // Two cancels changed the order; the idempotent repeat did not.
    assert_eq!(env.sb.mutated_count("PATCH", &path), 2);
    let last = env
        .sb
        .journal()
        .into_iter()
        .rev()
        .find(|e| e.method == "PATCH");
    assert!(!last.expect("journaled").mutated);
}

#[tokio::test]
async fn no_line_items_cancels_the_whole_order() {
    let env = Env::new().await;
    let order = create(&env, two_lines(None)).await;
    let id = order["id"].as_str().unwrap();
    let (s, after) = env
        .send(
            Method::PATCH,
            &format!("/v1/customers/cust-1/orders/{id}"),
            Some(json!({"id": id, "status": "cancelled"})),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(after["status"], "cancelled");
    // The alternateId is accepted as the body id too (newer doc revisions send it).
    let order = create(&env, two_lines(None)).await;
    let (s, _) = env
        .send(
            Method::PATCH,
            &format!(
                "/v1/customers/cust-1/orders/{}",
                order["id"].as_str().unwrap()
            ),
            Some(json!({"id": order["alternateId"], "status": "cancelled"})),
        )
        .await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn unknown_order_is_20000() {
    let env = Env::new().await;
    let (s, b) = env
        .send(
            Method::PATCH,
            "/v1/customers/cust-1/orders/nope",
            Some(json!({"id": "nope", "status": "cancelled"})),
        )
        .await;
    assert_eq!(s, 404);
    assert_eq!(b["code"], 20000);
    assert_eq!(b["source"], "PartnerFD");
    assert_eq!(b["data"], json!([]));
    let (s, _) = env.get("/v1/customers/cust-1/orders/nope").await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn cancellation_windows() {
    let env = Env::new().await;
    // Perpetual: 30 days.
    let old = create(
        &env,
        json!({"creationDate": days_ago(31), "lineItems": [{"offerId": "A:B:C", "quantity": 1}]}),
    )
    .await;
    let path = format!(
        "/v1/customers/cust-1/orders/{}",
        old["id"].as_str().unwrap()
    );
    let (s, b) = env
        .send(Method::PATCH, &path, Some(json!({"status": "cancelled"})))
        .await;
    assert_eq!(s, 400);
    // The vendor's code and text (error-code table): 900117, the window's length in days.
    assert_eq!(b["code"], 900117);
    let d = b["description"].as_str().unwrap();
    assert!(d.contains("passed your 30-day cancellation window"), "{d}");
    assert_eq!(
        env.sb.state()["orders"][0]["lineItems"][0]["quantity"],
        1,
        "nothing changed"
    );
    let recent = create(
        &env,
        json!({"creationDate": days_ago(29), "lineItems": [{"offerId": "A:B:C", "quantity": 1}]}),
    )
    .await;
    let (s, _) = env
        .send(
            Method::PATCH,
            &format!(
                "/v1/customers/cust-1/orders/{}",
                recent["id"].as_str().unwrap()
            ),
            Some(json!({"status": "cancelled"})),
        )
        .await;
    assert_eq!(s, 200);
    // Subscription: 7 days.
    let sub = create(&env, two_lines(Some(days_ago(8)))).await;
    let path = format!(
        "/v1/customers/cust-1/orders/{}",
        sub["id"].as_str().unwrap()
    );
    let (s, _) = env
        .send(
            Method::PATCH,
            &path,
            Some(
                cancel("", &[0])
                    .as_object()
                    .map(|o| {
                        let mut o = o.clone();
                        o.remove("id");
                        Value::Object(o)
                    })
                    .unwrap(),
            ),
        )
        .await;
    assert_eq!(s, 200, "the perpetual line is still in its 30-day window");
    let (s, b) = env
        .send(
            Method::PATCH,
            &path,
            Some(json!({"status": "cancelled", "lineItems": [{"lineItemNumber": 1}]})),
        )
        .await;
    assert_eq!(s, 400);
    assert_eq!(b["code"], 900117, "{b}");
    assert!(
        b["description"]
            .as_str()
            .unwrap()
            .contains("passed your 7-day cancellation window"),
        "{b}"
    );
}

#[tokio::test]
async fn configurable_windows_and_bad_cancel_bodies() {
    let env = Env::with(SandboxConfig {
        cancel_windows: offerkit_sandbox::CancelWindows {
            perpetual: std::time::Duration::ZERO,
            subscription: std::time::Duration::from_secs(86_400 * 365),
        },
        ..SandboxConfig::default()
    })
    .await;
    let order = create(&env, two_lines(Some(days_ago(100)))).await;
    let id = order["id"].as_str().unwrap();
    let path = format!("/v1/customers/cust-1/orders/{id}");
    let (s, _) = env.send(Method::PATCH, &path, Some(cancel(id, &[1]))).await;
    assert_eq!(s, 200);
    let (s, _) = env.send(Method::PATCH, &path, Some(cancel(id, &[0]))).await;
    assert_eq!(s, 400);
    for (body, code) in [
        (json!({"status": "completed"}), 800002),
        (
            json!({"status": "cancelled", "lineItems": [{"lineItemNumber": 9}]}),
            3000,
        ),
        (
            json!({"status": "cancelled", "lineItems": [{"lineItemNumber": 1, "offerId": "WRONG"}]}),
            3000,
        ),
        (
            json!({"status": "cancelled", "lineItems": [{"lineItemNumber": "one"}]}),
            3000,
        ),
        (json!({"id": "other-order", "status": "cancelled"}), 3000),
        (json!({"status": "cancelled", "lineItems": "all"}), 3000),
    ] {
        let (s, b) = env.send(Method::PATCH, &path, Some(body.clone())).await;
        assert_eq!((s, b["code"].as_u64()), (400, Some(code)), "{body}");
    }
    for bad in [
        json!({}),
        json!({"lineItems": []}),
        json!({"lineItems": [{"quantity": 1}]}),
        json!({"lineItems": [{"offerId": "a", "quantity": -1}]}),
        json!({"lineItems": [{"offerId": "a"}], "creationDate": "yesterday"}),
    ] {
        let (s, b) = env
            .send(
                Method::POST,
                "/v1/customers/cust-1/orders",
                Some(bad.clone()),
            )
            .await;
        assert_eq!((s, b["code"].as_u64()), (400, Some(800002)), "{bad}");
    }
}

#[tokio::test]
async fn request_ids_are_echoed() {
    let env = Env::new().await;
    let resp = env
        .req(Method::GET, "/v1/customers/c/orders")
        .header("MS-RequestId", "r-1")
        .header("MS-CorrelationId", "c-1")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["ms-requestid"], "r-1");
    assert_eq!(resp.headers()["ms-correlationid"], "c-1");
}

#[tokio::test]
async fn the_customers_list_names_every_customer_with_an_order_or_a_subscription() {
    let env = Env::new().await;
    let (s, empty) = env.get("/v1/customers").await;
    assert_eq!(s, 200, "{empty}");
    assert_eq!(empty["totalCount"], 0);
    assert_eq!(empty["attributes"]["objectType"], "Collection");
    create(&env, two_lines(None)).await;
    let (s, _) = env
        .send(
            Method::POST,
            "/v1/customers/Cust-2/orders",
            Some(two_lines(None)),
        )
        .await;
    assert_eq!(s, 201);
    let (_, all) = env.get("/v1/customers").await;
    let ids: Vec<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["cust-1", "cust-2"], "each customer once, in id order");
    assert_eq!(all["items"][0]["companyProfile"]["tenantId"], "cust-1");
    let (_, one) = env.get("/v1/customers?size=1").await;
    assert_eq!(one["totalCount"], 1);
    let (s, bad) = env.get("/v1/customers?size=0").await;
    assert_eq!(s, 400, "{bad}");
    assert_eq!(bad["code"], 800002);
}
