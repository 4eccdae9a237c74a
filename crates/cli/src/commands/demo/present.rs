//! How the demo explains itself: one plain-words description per target, the HTTP calls
//! the sandbox saw for it, and a one-line result.

use offerkit::Target;
use offerkit_sandbox::JournalEntry;
use serde_json::Value;

use crate::batch::engine::LineResult;

/// What `target` does, in plain words.
pub fn what(target: &Target) -> String {
    match target {
        Target::IngestionDelete(t) => format!(
            "Partner Center: delete draft private offer {} (configure job, polled to its end)",
            t.offer_id
        ),
        Target::IngestionWithdraw(t) => {
            let who = match t.role {
                offerkit::WithdrawRole::SellingPartner => "the selling partner",
                _ => "the ISV (originator)",
            };
            format!(
                "Partner Center: withdraw private offer {} as {who} (configure job, polled)",
                t.offer_id
            )
        }
        Target::OrdersCancel(t) if t.line_items.is_empty() => format!(
            "Partner Center: cancel the whole order {} of customer {}",
            t.order_id, t.customer_tenant_id
        ),
        Target::OrdersCancel(t) => {
            let items: Vec<String> = t.line_items.iter().map(u32::to_string).collect();
            format!(
                "Partner Center: cancel line items {} of order {} (the others stay)",
                items.join(", "),
                t.order_id
            )
        }
        Target::OrdersCancelSubscription(t) => format!(
            "Partner Center: cancel subscription {} inside its cancellation window (read, then PATCH status deleted with its ETag; cannot be undone){}",
            t.subscription_id,
            if t.if_outside_window == offerkit::IfOutsideWindow::StopRenewal {
                "; past the window, stop its renewal instead"
            } else {
                ""
            }
        ),
        Target::OrdersStopRenewal(t) => format!(
            "Partner Center: turn auto-renew off for subscription {} (it runs to the end of its term)",
            t.subscription_id
        ),
        Target::AdobeDelete(t) => format!(
            "Adobe Offer Library: delete {} offer {} (then read back, expecting 404)",
            t.offer_type.as_str(),
            t.offer_id
        ),
        Target::AppchargeDelete(t) => format!(
            "Appcharge: delete web-store offer {} (the API returns the deleted offer)",
            t.publisher_offer_id
        ),
        _ => target.key(),
    }
}

/// The result in one line: status, job, request id, note, error.
pub fn result_line(result: &LineResult) -> String {
    let mut parts = vec![result.status.as_str().to_owned()];
    let parsed: Option<Value> = result
        .outcome
        .as_ref()
        .and_then(|raw| serde_json::from_str(raw.get()).ok());
    let outcome = parsed.as_ref();
    let text = |v: Option<&Value>, key: &str| {
        v.and_then(|v| v.get(key))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    if let Some(job) = outcome.and_then(|o| o.get("job")) {
        let status = text(Some(job), "status").unwrap_or_default();
        let mut state = status;
        if let Some(res) = text(Some(job), "result") {
            state.push('/');
            state.push_str(&res);
        }
        parts.push(format!(
            "job {} {state}",
            text(Some(job), "id").unwrap_or_default()
        ));
    }
    if let Some(id) = text(outcome, "requestId") {
        parts.push(format!("request id {id}"));
    }
    if let Some(seen) = outcome.and_then(|o| o.get("response")).and_then(evidence) {
        parts.push(seen);
    }
    if let Some(note) = text(outcome, "note") {
        parts.push(note);
    }
    if let Some(message) = text(outcome.and_then(|o| o.get("error")), "message") {
        parts.push(format!("error: {message}"));
    }
    if let Some(error) = &result.error {
        parts.push(error.clone());
    }
    parts.join(" · ")
}

/// What the vendor's response shows: an order's line quantities and status, or the
/// deleted Appcharge offer's name.
fn evidence(response: &Value) -> Option<String> {
    if let Some(order) = response.get("order") {
        let lines: Vec<String> = order
            .get("lineItems")
            .and_then(Value::as_array)?
            .iter()
            .map(|item| {
                let n = item.get("lineItemNumber").map_or(Value::Null, Clone::clone);
                let q = item.get("quantity").map_or(Value::Null, Clone::clone);
                format!("#{n}={q}")
            })
            .collect();
        let status = order.get("status").and_then(Value::as_str).unwrap_or("?");
        return Some(format!(
            "order now {status}, line quantities {}",
            lines.join(" ")
        ));
    }
    let name = response.get("name").and_then(Value::as_str)?;
    response
        .get("publisherOfferId")
        .map(|_| format!("the API returned the deleted offer \"{name}\""))
}

/// The vendor calls among `entries` (token calls summarised), in order, as
/// `GET /private-offer/x → 200`; consecutive repeats are folded into `×n`.
pub fn http_trail(entries: &[JournalEntry]) -> Vec<String> {
    let mut calls: Vec<(String, usize)> = Vec::new();
    for entry in entries {
        let call = match entry.vendor.as_str() {
            "azure-ad" | "ims" => format!("{} token → {}", entry.vendor, entry.status),
            _ => format!(
                "{} {} → {}{}",
                entry.method,
                short_path(&entry.path),
                entry.status,
                entry
                    .fault
                    .as_deref()
                    .map(|f| format!(" (injected {f})"))
                    .unwrap_or_default()
            ),
        };
        match calls.last_mut() {
            Some((last, n)) if *last == call => *n += 1,
            _ => calls.push((call, 1)),
        }
    }
    calls
        .into_iter()
        .map(|(call, n)| if n > 1 { format!("{call} ×{n}") } else { call })
        .collect()
}

/// A vendor path without its well-known base (`/rp/product-ingestion`, `/data/core/dps`,
/// `/v1/customers/{tenant}`).
fn short_path(path: &str) -> &str {
    if let Some(rest) = path.strip_prefix("/rp/product-ingestion") {
        return rest;
    }
    if let Some(rest) = path.strip_prefix("/data/core/dps") {
        return rest;
    }
    if let Some(rest) = path.strip_prefix("/v1/customers/") {
        return rest.find('/').map_or(rest, |i| &rest[i..]);
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn responses_give_evidence() {
        let order = serde_json::json!({"order": {"status": "completed", "lineItems": [
            {"lineItemNumber": 0, "quantity": 0}, {"lineItemNumber": 1, "quantity": 1}]}});
        assert_eq!(
            evidence(&order).as_deref(),
            Some("order now completed, line quantities #0=0 #1=1")
        );
        let offer = serde_json::json!({"publisherOfferId": "p", "name": "Pack"});
        assert_eq!(
            evidence(&offer).as_deref(),
            Some("the API returned the deleted offer \"Pack\"")
        );
        assert_eq!(evidence(&serde_json::json!({"jobId": "j"})), None);
    }

    #[test]
    fn paths_lose_their_vendor_base() {
        assert_eq!(
            short_path("/rp/product-ingestion/configure/j/status"),
            "/configure/j/status"
        );
        assert_eq!(short_path("/v1/customers/t/orders/o"), "/orders/o");
        assert_eq!(short_path("/data/core/dps/offers/x"), "/offers/x");
        assert_eq!(short_path("/v2/offer/p"), "/v2/offer/p");
    }

    #[test]
    fn every_demo_target_has_a_description() {
        for t in super::super::targets() {
            let target = Target::from_value(t).expect("valid");
            assert!(!what(&target).contains(':') || what(&target).contains(": "));
        }
    }
}
