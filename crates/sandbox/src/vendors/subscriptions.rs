//! Partner Center subscriptions (`/v1/customers/{customerId}/subscriptions`): read, list, and the
//! PATCH that cancels (`status: deleted`, inside `cancellationAllowedUntilDate` by the sandbox clock)
//! or turns auto-renew off; the ETag; the store and its `"subscriptions"` seed section. The routes
//! are served by the orders API (same host, auth and error dialect); see `orders.rs`.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::app::App;
use crate::generated::fields::partner_center_orders as fields;
use crate::reply::{Ctx, Reply};
use crate::routing::Api;
use crate::store::{ApiStore, Collection, each};
use crate::unknown::unknown_keys;
use crate::util::clock::{Clock, parse_rfc3339, rfc3339_secs};
use crate::util::ids::Ids;
use crate::vendors::orders::{echo, error, outside_window};

/// No API of its own: the orders API serves [`list`], [`get`] and [`patch`].
pub(crate) static APIS: &[&Api] = &[];

/// The sandbox-only field naming a seeded subscription's customer (never answered).
const CUSTOMER_FIELD: &str = "customerTenantId";

/// The default window when a seed gives none: 7 days from `creationDate` (the new-commerce
/// cancellation policy; real windows vary per purchase, renewal and added seat).
const DEFAULT_WINDOW_SECS: i64 = 7 * 86_400;

/// Subscriptions keyed by `<customer id, lowercase>/<subscription id, lowercase>`.
#[derive(Debug, Default)]
pub(crate) struct Store {
    pub(crate) subscriptions: Collection,
}

impl ApiStore for Store {
    const SEED_KEY: &'static str = "subscriptions";
    type Seed = Vec<(String, Value)>;

    fn parse_seed(section: Option<&Value>, ids: &Ids, clock: &Clock) -> Result<Self::Seed, String> {
        match section {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(items)) => each(items, "subscriptions", |s| normalize_seed(s, ids, clock)),
            Some(_) => Err("subscriptions must be an array of subscriptions".to_owned()),
        }
    }

    fn apply_seed(&self, seed: Self::Seed) -> Vec<(&'static str, usize)> {
        let n = seed.len();
        for (k, v) in seed {
            self.subscriptions.put(k, &v);
        }
        vec![("subscriptions", n)]
    }

    /// In seed format: each with its `customerTenantId`.
    fn snapshot(&self) -> Value {
        Value::Array(self.subscriptions.values())
    }

    fn clear(&self) {
        self.subscriptions.clear();
    }
}

fn key(customer: &str, subscription: &str) -> String {
    format!(
        "{}/{}",
        customer.to_ascii_lowercase(),
        subscription.to_ascii_lowercase()
    )
}

/// The resource as Partner Center answers it (without the sandbox-only customer field).
fn answer(mut stored: Value) -> Value {
    if let Some(obj) = stored.as_object_mut() {
        obj.remove(CUSTOMER_FIELD);
    }
    stored
}

fn not_found(subscription: &str) -> Reply {
    error(
        StatusCode::NOT_FOUND,
        20003,
        format!("Subscription with ID {subscription} not found."),
    )
}

fn bad(code: u32, description: impl Into<String>) -> Reply {
    error(StatusCode::BAD_REQUEST, code, description)
}

/// Checks a seeded subscription and fills the server's fields: `id`, `status: active`,
/// `autoRenewEnabled: true`, `quantity: 1`, `creationDate` (now), `cancellationAllowedUntilDate`
/// (`creationDate` + 7 days; an explicit `null` means not cancellable and is kept), links and an
/// `attributes.etag`.
fn normalize_seed(sub: &Value, ids: &Ids, clock: &Clock) -> Result<(String, Value), String> {
    let mut v = sub.clone();
    let obj = v.as_object_mut().ok_or("a subscription must be a JSON object")?;
    let customer = obj
        .get(CUSTOMER_FIELD)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
        .ok_or("customerTenantId (the customer tenant id, sandbox-only) is required")?
        .to_owned();
    let id = match obj.get("id") {
        None | Some(Value::Null) => ids.guid(),
        Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
        Some(other) => return Err(format!("id must be a non-empty string, got {other}")),
    };
    obj.insert("id".to_owned(), json!(id));
    let created = match obj.get("creationDate") {
        None | Some(Value::Null) => clock.unix_secs(),
        Some(Value::String(s)) => {
            parse_rfc3339(s).ok_or(format!("creationDate must be an RFC 3339 date-time, got {s:?}"))?
        }
        Some(other) => return Err(format!("creationDate must be a string, got {other}")),
    };
    obj.entry("creationDate")
        .or_insert_with(|| json!(rfc3339_secs(created)));
    match obj.get("cancellationAllowedUntilDate") {
        None => {
            obj.insert(
                "cancellationAllowedUntilDate".to_owned(),
                json!(rfc3339_secs(created.saturating_add(DEFAULT_WINDOW_SECS))),
            );
        }
        Some(Value::Null) => {}
        Some(Value::String(s)) if parse_rfc3339(s).is_some() => {}
        Some(other) => {
            return Err(format!(
                "cancellationAllowedUntilDate must be an RFC 3339 date-time or null, got {other}"
            ));
        }
    }
    match obj.get("status") {
        None | Some(Value::Null) => {
            obj.insert("status".to_owned(), json!("active"));
        }
        Some(Value::String(_)) => {}
        Some(other) => return Err(format!("status must be a string, got {other}")),
    }
    match obj.get("autoRenewEnabled") {
        None | Some(Value::Null) => {
            obj.insert("autoRenewEnabled".to_owned(), json!(true));
        }
        Some(Value::Bool(_)) => {}
        Some(other) => return Err(format!("autoRenewEnabled must be a boolean, got {other}")),
    }
    match obj.get("quantity") {
        None => {
            obj.insert("quantity".to_owned(), json!(1));
        }
        Some(q) if q.as_u64().is_some() => {}
        Some(q) => return Err(format!("quantity must be a non-negative integer, got {q}")),
    }
    obj.entry("links").or_insert_with(|| {
        json!({"self": {"uri": format!("/customers/{customer}/subscriptions/{id}"), "method": "GET", "headers": []}})
    });
    let attributes = obj
        .entry("attributes")
        .or_insert_with(|| json!({"objectType": "Subscription"}));
    let attrs = attributes
        .as_object_mut()
        .ok_or("attributes must be an object")?;
    attrs.entry("etag").or_insert_with(|| json!(ids.hex(16)));
    Ok((key(&customer, &id), v))
}

/// `GET /v1/customers/{c}/subscriptions/{s}`.
pub(crate) fn get(ctx: &Ctx, app: &App) -> Reply {
    let (customer, id) = (ctx.param("customerId"), ctx.param("subscriptionId"));
    match app.stores.subscriptions.subscriptions.get(&key(customer, id)) {
        Some(v) => echo(ctx, Reply::ok(answer(v))),
        None => echo(ctx, not_found(id)),
    }
}

/// `GET /v1/customers/{c}/subscriptions`.
pub(crate) fn list(ctx: &Ctx, app: &App) -> Reply {
    let customer = ctx.param("customerId");
    let items: Vec<Value> = app
        .stores
        .subscriptions
        .subscriptions
        .values_with_prefix(&format!("{}/", customer.to_ascii_lowercase()))
        .into_iter()
        .map(answer)
        .collect();
    echo(
        ctx,
        Reply::ok(json!({
            "totalCount": items.len(),
            "items": items,
            "links": {"self": {"uri": format!("/customers/{customer}/subscriptions"), "method": "GET", "headers": []}},
            "attributes": {"objectType": "Collection"},
        })),
    )
}

/// The window's length in whole seconds, for the vendor's "{0}-day" text.
fn window_length(stored: &Value, end: i64) -> u64 {
    let created = stored
        .get("creationDate")
        .and_then(Value::as_str)
        .and_then(parse_rfc3339)
        .unwrap_or(end.saturating_sub(DEFAULT_WINDOW_SECS));
    // Rounded to whole days when within a minute of one (a `23:59:00Z` end, as in the docs).
    let secs = u64::try_from(end.saturating_sub(created)).unwrap_or(0);
    let days = (secs + 60) / 86_400;
    if days > 0 && secs.abs_diff(days * 86_400) <= 60 {
        days * 86_400
    } else {
        secs
    }
}

/// `PATCH /v1/customers/{c}/subscriptions/{s}`: the whole resource with `status: deleted` (cancel,
/// inside the window only) and/or `autoRenewEnabled` changed (while active). The ETag, from
/// `If-Match` or the body's `attributes.etag`, must be the current one (2055 otherwise).
pub(crate) fn patch(ctx: &Ctx, app: &App) -> Reply {
    let (customer, id) = (ctx.param("customerId"), ctx.param("subscriptionId"));
    let body = match ctx.json_body() {
        Ok(b) => b,
        Err(r) => return echo(ctx, r),
    };
    if !body.is_object() {
        return echo(ctx, bad(800002, "Invalid request input: the body must be a Subscription object."));
    }
    let mut unknown = Vec::new();
    unknown_keys(&body, fields::SUBSCRIPTION, "", &mut unknown);
    let sent_etag = ctx
        .header("if-match")
        .map(str::to_owned)
        .or_else(|| {
            body.pointer("/attributes/etag")
                .and_then(Value::as_str)
                .map(str::to_owned)
        });
    let reply = app
        .stores
        .subscriptions
        .subscriptions
        .update(&key(customer, id), |stored| {
            patch_stored(stored, &body, sent_etag.as_deref(), app)
        })
        .unwrap_or_else(|| not_found(id));
    echo(ctx, reply.with_unknown(unknown))
}

fn patch_stored(stored: &mut Value, body: &Value, sent_etag: Option<&str>, app: &App) -> Reply {
    let id = stored.get("id").and_then(Value::as_str).unwrap_or_default().to_owned();
    let current_etag = stored.pointer("/attributes/etag").and_then(Value::as_str);
    if let (Some(sent), Some(current)) = (sent_etag, current_etag)
        && sent != current
    {
        return bad(2055, "Etag is no longer valid");
    }
    let status = stored.get("status").and_then(Value::as_str).unwrap_or("active").to_ascii_lowercase();
    if status == "deleted" {
        return bad(2011, format!("Subscription with ID {id} and deleted status can't be updated."));
    }
    let wanted_status = match body.get("status") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if !s.eq_ignore_ascii_case(&status) => Some(s.to_ascii_lowercase()),
        Some(Value::String(_)) => None,
        Some(other) => return bad(800002, format!("Invalid request input: status must be a string, got {other}.")),
    };
    let wanted_renew = match body.get("autoRenewEnabled") {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) if Some(*b) != stored.get("autoRenewEnabled").and_then(Value::as_bool) => Some(*b),
        Some(Value::Bool(_)) => None,
        Some(other) => {
            return bad(800002, format!("Invalid request input: autoRenewEnabled must be a boolean, got {other}."));
        }
    };
    if let Some(wanted) = &wanted_status {
        if wanted != "deleted" {
            return bad(800096, "Can't update the status for this subscription");
        }
        if status != "active" {
            return bad(800091, "Can't update a subscription with suspended status");
        }
        let end = match stored.get("cancellationAllowedUntilDate") {
            Some(Value::String(s)) => parse_rfc3339(s),
            _ => None,
        };
        match end {
            None => return bad(800096, "Can't update the status for this subscription"),
            Some(end) if app.clock.unix_secs() > end => return outside_window(window_length(stored, end)),
            Some(_) => {}
        }
    }
    if wanted_renew.is_some() && status != "active" {
        return bad(800091, "Can't update a subscription with suspended status");
    }
    if wanted_status.is_none() && wanted_renew.is_none() {
        // Nothing to change: the resource as it is, not a mutation.
        return Reply::ok(answer(stored.clone()));
    }
    if let Some(obj) = stored.as_object_mut() {
        if let Some(s) = wanted_status {
            // Cancelled: `status: deleted`, quantity kept (as the docs' sample shows).
            obj.insert("status".to_owned(), json!(s));
        }
        if let Some(r) = wanted_renew {
            obj.insert("autoRenewEnabled".to_owned(), json!(r));
        }
        if let Some(attrs) = obj.get_mut("attributes").and_then(Value::as_object_mut) {
            attrs.insert("etag".to_owned(), json!(app.ids.hex(16)));
        }
    }
    Reply::ok(answer(stored.clone())).mutated()
}
