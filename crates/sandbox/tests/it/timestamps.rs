//! Every timestamp the sandbox answers has at most 7 fractional digits, as the vendors send (docs/vendors.md,
//! "Sandbox: tokens and timestamps"), whatever the real clock's precision.

use reqwest::Method;
use serde_json::{Value, json};

use crate::Env;

/// The longest run of fractional-second digits in any date-time inside `text` (0 when there is none).
fn longest_fraction(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut longest = 0;
    for (i, _) in text.match_indices('.') {
        // `hh:mm:ss.` before the dot.
        let is_time = i >= 8
            && bytes[i - 3] == b':'
            && bytes[i - 6] == b':'
            && bytes[i - 2..i].iter().all(u8::is_ascii_digit);
        if is_time {
            let digits = bytes[i + 1..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
            longest = longest.max(digits);
        }
    }
    longest
}

fn assert_vendor_precision(what: &str, value: &Value) {
    match value {
        Value::String(s) => assert!(longest_fraction(s) <= 7, "{what}: {s}"),
        Value::Array(items) => items.iter().for_each(|v| assert_vendor_precision(what, v)),
        Value::Object(map) => map.values().for_each(|v| assert_vendor_precision(what, v)),
        _ => {}
    }
}

#[test]
fn the_scanner_sees_long_fractions() {
    assert_eq!(longest_fraction("2024-01-02T03:04:05.123456789Z"), 9);
    assert_eq!(
        longest_fraction("at 2024-01-02T03:04:05.1234567Z and 1.5"),
        7
    );
    assert_eq!(longest_fraction("version 1.123456789"), 0);
}

#[tokio::test]
async fn answers_of_every_vendor_keep_to_seven_fractional_digits() {
    let env = Env::new().await;
    let mut answers: Vec<(&str, Value)> = Vec::new();
    env.sb
        .seed(&json!({"ingestion": {"privateOffers": [
            {"id": "d1", "name": "o", "privateOfferType": "customerPromotion", "state": "draft"}]}}))
        .unwrap();
    let envelope = json!({"$schema": "https://schema.mp.microsoft.com/schema/configure/2022-07-01",
        "resources": [{"$schema": "https://schema.mp.microsoft.com/schema/private-offer/2023-07-15",
                       "id": "private-offer/d1", "name": "o", "privateOfferType": "customerPromotion", "state": "deleted"}]});
    let (_, job) = env
        .send(
            Method::POST,
            "/rp/product-ingestion/configure?$version=2022-07-01",
            Some(envelope),
        )
        .await;
    let status = format!(
        "/rp/product-ingestion/configure/{}/status?$version=2022-07-01",
        job["jobId"].as_str().unwrap()
    );
    answers.push(("configure", job));
    for _ in 0..2 {
        answers.push(("job status", env.get(&status).await.1));
    }
    let order =
        json!({"lineItems": [{"offerId": "DZH318Z0BQ3Q:0001:DZH318Z0BQ3Q", "quantity": 1}]});
    answers.push((
        "order",
        env.send(Method::POST, "/v1/customers/cust-1/orders", Some(order))
            .await
            .1,
    ));
    let adobe = json!({"name": "Summer", "status": "draft", "representations": [{"channel": "https://ns.adobe.com/xdm/channel-types/web", "placement": "p1", "components": []}],
        "selectionConstraint": {"startDate": "2024-01-01T00:00:00Z", "endDate": "2030-01-01T00:00:00Z", "profileConstraintType": "none"}, "rank": {"priority": 1}});
    answers.push((
        "adobe offer",
        env.send(
            Method::POST,
            "/data/core/dps/offers?offer-type=personalized",
            Some(adobe),
        )
        .await
        .1,
    ));
    let (_, token_error) = crate::read(
        env.http
            .post(env.url("/t/oauth2/token"))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .unwrap(),
    )
    .await;
    answers.push(("token error", token_error));
    answers.push(("state", env.sb.state()));
    answers.push(("journal", env.get("/_sandbox/journal").await.1));
    for (what, answer) in &answers {
        assert_ne!(answer, &Value::Null, "{what}");
        assert_vendor_precision(what, answer);
    }
}
