//! Partner Center orders (`/v1/customers/{customerId}/orders`): create, read, list and cancel line
//! items (the subscription routes, handled in `subscriptions.rs`, are served here too); the order
//! store and its seeding; the `{"code","description",...}` dialect and the bearer check.

use axum::http::StatusCode;
use offerkit_models::Vendor;
use serde_json::{Value, json};

use crate::app::App;
use crate::generated::fields::partner_center_orders as fields;
use crate::reply::{Ctx, Reply};
use crate::routing::{Api, Route};
use crate::store::{ApiStore, Collection, each};
use crate::unknown::unknown_keys;
use crate::util::clock::{Clock, parse_rfc3339};
use crate::util::ids::Ids;
use crate::quota::{BucketKey, QuotaScope};
use crate::vendors::identity::{TokenProblem, bearer_tenant, check_bearer};
use crate::vendors::subscriptions;

/// The orders API.
pub(crate) static ORDERS: Api = Api {
    vendor: Some(Vendor::PartnerCenterOrders),
    name: "orders",
    owns: |path| path.starts_with("/v1/customers"),
    routes: &[
        Route::new("GET", "/v1/customers", customers),
        Route::new("GET", "/v1/customers/{customerId}/orders", list),
        Route::new("POST", "/v1/customers/{customerId}/orders", create),
        Route::new("GET", "/v1/customers/{customerId}/orders/{orderId}", get),
        Route::new("PATCH", "/v1/customers/{customerId}/orders/{orderId}", cancel),
        Route::new("GET", "/v1/customers/{customerId}/orders/{orderId}/provisioningstatus", provisioning),
        Route::new("GET", "/v1/customers/{customerId}/subscriptions", subscriptions::list),
        Route::new("GET", "/v1/customers/{customerId}/subscriptions/{subscriptionId}", subscriptions::get),
        Route::new("PATCH", "/v1/customers/{customerId}/subscriptions/{subscriptionId}", subscriptions::patch),
    ],
    aliases: &[],
    authorize: Some(authorize),
    quota_buckets: Some(quota_buckets),
    error: generic_error,
    throttle: |secs, _| throttle(secs),
};

/// The APIs of this slice.
pub(crate) static APIS: &[&Api] = &[&ORDERS];

/// Orders keyed by `<customer id, lowercase>/<order id>`.
#[derive(Debug, Default)]
pub(crate) struct Store {
    pub(crate) orders: Collection,
}

impl ApiStore for Store {
    const SEED_KEY: &'static str = "orders";
    type Seed = Vec<(String, Value)>;

    fn parse_seed(section: Option<&Value>, ids: &Ids, clock: &Clock) -> Result<Self::Seed, String> {
        match section {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(items)) => each(items, "orders", |o| normalize_seed_order(o, ids, clock)),
            Some(_) => Err("orders must be an array of orders".to_owned()),
        }
    }

    fn apply_seed(&self, seed: Self::Seed) -> Vec<(&'static str, usize)> {
        let n = seed.len();
        for (k, v) in seed {
            self.orders.put(k, &v);
        }
        vec![("orders", n)]
    }

    fn snapshot(&self) -> Value {
        Value::Array(self.orders.values())
    }

    fn clear(&self) {
        self.orders.clear();
    }
}

/// Key of an order in the store.
fn order_key(customer: &str, order: &str) -> String {
    format!("{}/{}", customer.to_ascii_lowercase(), order)
}

/// `{"code","description","data":[],"source":"PartnerFD"}` (numeric code, as in the examples).
pub(crate) fn error(status: StatusCode, code: u32, description: impl Into<String>) -> Reply {
    Reply::json(
        status,
        json!({"code": code, "description": description.into(), "data": [], "source": "PartnerFD"}),
    )
}

/// Throttling: `{"statusCode":429,"message":"Rate limit is exceeded. Try again in N seconds."}`.
fn throttle(retry_after: u64) -> Reply {
    Reply::json(
        StatusCode::TOO_MANY_REQUESTS,
        json!({"statusCode": 429, "message": format!("Rate limit is exceeded. Try again in {retry_after} seconds.")}),
    )
}

/// Partner Center throttles per customer tenant (the path's, case-insensitive like the store) and
/// per partner tenant (the token's).
fn quota_buckets(ctx: &Ctx, app: &App) -> Vec<BucketKey> {
    let partner = BucketKey::new(QuotaScope::OrdersPartner, bearer_tenant(ctx, app).to_ascii_lowercase());
    match ctx.param("customerId") {
        // `GET /v1/customers` names no customer: only the partner's bucket applies.
        "" => vec![partner],
        customer => vec![BucketKey::new(QuotaScope::OrdersCustomer, customer.to_ascii_lowercase()), partner],
    }
}

fn generic_error(status: StatusCode, message: &str, _: &str, _: &str) -> Reply {
    let code = status.as_u16();
    if code == 429 {
        return throttle(1);
    }
    let pc = match code {
        404 => 1000,
        401 => 400,
        400 | 413 | 415 => 800002,
        500..=599 => 800003,
        other => u32::from(other),
    };
    error(status, pc, message)
}

fn authorize(ctx: &Ctx, app: &App) -> Option<Reply> {
    check_bearer(ctx, app, Vendor::PartnerCenterOrders).err().map(|p| {
        let reply = match p {
            TokenProblem::Missing => error(StatusCode::UNAUTHORIZED, 800001, "Partner Token missing"),
            TokenProblem::Unknown => error(StatusCode::UNAUTHORIZED, 400, "Access denied: the token is not valid."),
            TokenProblem::Expired => error(StatusCode::UNAUTHORIZED, 400, "Access denied: the token has expired."),
            TokenProblem::WrongAudience => error(
                StatusCode::UNAUTHORIZED,
                400,
                "Access denied: the token was not issued for https://api.partnercenter.microsoft.com.",
            ),
        };
        reply.header("www-authenticate", "OAuth realm=urn:cpsvc:cpid:sandbox")
    })
}

/// Unknown fields of an order body, line items included.
fn unknown_order_fields(order: &Value) -> Vec<String> {
    let mut out = Vec::new();
    unknown_keys(order, fields::ORDER, "", &mut out);
    if let Some(items) = order.get("lineItems").and_then(Value::as_array) {
        for (i, item) in items.iter().enumerate() {
            unknown_keys(item, fields::ORDER_LINE_ITEM, &format!("lineItems[{i}]."), &mut out);
        }
    }
    out
}

fn bad(code: u32, msg: impl Into<String>) -> Reply {
    error(StatusCode::BAD_REQUEST, code, msg)
}

fn not_found(order: &str, customer: &str) -> Reply {
    error(
        StatusCode::NOT_FOUND,
        20000,
        format!("Order Id not found: order {order} does not exist for customer {customer}."),
    )
}

/// Adds the `MS-RequestId` / `MS-CorrelationId` echo headers.
pub(crate) fn echo(ctx: &Ctx, reply: Reply) -> Reply {
    let mut reply = reply;
    for h in ["ms-requestid", "ms-correlationid"] {
        if let Some(v) = ctx.header(h) {
            reply = reply.header(h, v);
        }
    }
    reply
}

fn links(customer: &str, id: &str) -> Value {
    let uri = format!("/customers/{customer}/orders/{id}");
    json!({
        "self": {"uri": uri, "method": "GET", "headers": []},
        "provisioningStatus": {"uri": format!("{uri}/provisioningstatus"), "method": "GET", "headers": []},
        "patchOperation": {"uri": uri, "method": "PATCH", "headers": []},
    })
}

/// Fills the server-side fields of an order being created or seeded; validates line items.
fn complete_order(
    order: &mut Value,
    customer: &str,
    ids: &Ids,
    clock: &Clock,
) -> Result<(), String> {
    let obj = order
        .as_object_mut()
        .ok_or("the order must be a JSON object")?;
    let items = obj
        .get_mut("lineItems")
        .and_then(Value::as_array_mut)
        .ok_or("lineItems is required and must be an array")?;
    if items.is_empty() {
        return Err("lineItems must contain at least one line item".to_owned());
    }
    for (i, item) in items.iter_mut().enumerate() {
        let it = item
            .as_object_mut()
            .ok_or(format!("lineItems[{i}] must be an object"))?;
        if it
            .get("offerId")
            .is_none_or(|v| v.as_str().is_none_or(|s| s.is_empty()))
        {
            return Err(format!(
                "lineItems[{i}].offerId is required and must be a non-empty string"
            ));
        }
        match it.get("quantity") {
            None => {
                it.insert("quantity".to_owned(), json!(1));
            }
            Some(q) if q.as_u64().is_some() => {}
            Some(q) => {
                return Err(format!(
                    "lineItems[{i}].quantity must be a non-negative integer, got {q}"
                ));
            }
        }
        match it.get("lineItemNumber") {
            None => {
                it.insert("lineItemNumber".to_owned(), json!(i));
            }
            Some(n) if n.as_u64().is_some() => {}
            Some(n) => {
                return Err(format!(
                    "lineItems[{i}].lineItemNumber must be a non-negative integer, got {n}"
                ));
            }
        }
        check_line_types(it, i)?;
        if it
            .get("termDuration")
            .is_some_and(|v| !v.is_string() && !v.is_null())
        {
            return Err(format!(
                "lineItems[{i}].termDuration must be an ISO-8601 duration string such as P1M"
            ));
        }
    }
    let mut numbers: Vec<u64> = items
        .iter()
        .filter_map(|i| i.get("lineItemNumber").and_then(Value::as_u64))
        .collect();
    numbers.sort_unstable();
    numbers.dedup();
    if numbers.len() != items.len() {
        return Err("lineItemNumber values must be unique".to_owned());
    }
    match obj.get("creationDate") {
        None | Some(Value::Null) => {
            obj.insert("creationDate".to_owned(), json!(clock.rfc3339()));
        }
        Some(Value::String(s)) if parse_rfc3339(s).is_some() => {}
        Some(other) => {
            return Err(format!(
                "creationDate must be an RFC 3339 date-time, got {other}"
            ));
        }
    }
    if let Some(v) = obj.get("totalPrice").filter(|v| !v.is_null() && !v.is_number()) {
        return Err(format!("totalPrice must be a number, got {v}"));
    }
    if let Some(v) = obj
        .get("partnerOnRecordAttestationAccepted")
        .filter(|v| !v.is_null() && !v.is_boolean())
    {
        return Err(format!(
            "partnerOnRecordAttestationAccepted must be a boolean, got {v}"
        ));
    }
    let id = match obj.get("id") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
        None | Some(Value::Null) => ids.hex(33),
        Some(Value::String(_)) => ids.hex(33),
        Some(other) => return Err(format!("id must be a string, got {other}")),
    };
    obj.insert("id".to_owned(), json!(id));
    obj.entry("alternateId")
        .or_insert_with(|| json!(ids.hex(12)));
    obj.insert("referenceCustomerId".to_owned(), json!(customer));
    obj.entry("billingCycle").or_insert(json!("one_time"));
    obj.entry("currencyCode").or_insert(json!("USD"));
    obj.entry("currencySymbol").or_insert(json!("$"));
    obj.entry("transactionType")
        .or_insert(json!("UserPurchase"));
    obj.entry("links").or_insert_with(|| links(customer, &id));
    obj.entry("attributes")
        .or_insert(json!({"objectType": "Order"}));
    let status = order_status(order);
    if let Some(obj) = order.as_object_mut() {
        obj.entry("status").or_insert(json!(status));
    }
    Ok(())
}

/// The typed line-item fields of the .NET SDK's `OrderLineItem`: `pricing` (an object of numbers,
/// or `null` as in audit records), `additionalPartnerIdsOnRecord` (strings), `attestationAccepted`
/// (a boolean), `promotionId` (a string) and `customTermEndDate` (a date-time).
fn check_line_types(it: &serde_json::Map<String, Value>, i: usize) -> Result<(), String> {
    match it.get("pricing") {
        None | Some(Value::Null) => {}
        Some(Value::Object(p)) => {
            for key in fields::PRICING {
                if let Some(v) = p.get(*key).filter(|v| !v.is_null() && !v.is_number()) {
                    return Err(format!("lineItems[{i}].pricing.{key} must be a number, got {v}"));
                }
            }
        }
        Some(other) => return Err(format!("lineItems[{i}].pricing must be an object, got {other}")),
    }
    if let Some(v) = it.get("additionalPartnerIdsOnRecord").filter(|v| {
        !v.is_null() && v.as_array().is_none_or(|a| a.iter().any(|x| !x.is_string()))
    }) {
        return Err(format!(
            "lineItems[{i}].additionalPartnerIdsOnRecord must be an array of strings, got {v}"
        ));
    }
    if let Some(v) = it.get("attestationAccepted").filter(|v| !v.is_null() && !v.is_boolean()) {
        return Err(format!("lineItems[{i}].attestationAccepted must be a boolean, got {v}"));
    }
    if let Some(v) = it.get("promotionId").filter(|v| !v.is_null() && !v.is_string()) {
        return Err(format!("lineItems[{i}].promotionId must be a string, got {v}"));
    }
    match it.get("customTermEndDate") {
        None | Some(Value::Null) => Ok(()),
        Some(Value::String(d)) if parse_rfc3339(d).is_some() => Ok(()),
        Some(other) => Err(format!(
            "lineItems[{i}].customTermEndDate must be an RFC 3339 date-time, got {other}"
        )),
    }
}

/// `cancelled` when every line item has quantity 0, else `completed`.
fn order_status(order: &Value) -> &'static str {
    let all_zero = order
        .get("lineItems")
        .and_then(Value::as_array)
        .is_some_and(|items| {
            items
                .iter()
                .all(|i| i.get("quantity").and_then(Value::as_u64) == Some(0))
        });
    if all_zero { "cancelled" } else { "completed" }
}

/// `POST /v1/customers/{c}/orders`.
fn create(ctx: &Ctx, app: &App) -> Reply {
    let customer = ctx.param("customerId");
    let mut body = match ctx.json_body() {
        Ok(b) => b,
        Err(r) => return r,
    };
    let unknown = unknown_order_fields(&body);
    if let Err(msg) = complete_order(&mut body, customer, &app.ids, &app.clock) {
        return echo(ctx, bad(800002, format!("Invalid request input: {msg}")));
    }
    let id = body
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    if !app
        .stores
        .orders
        .orders
        .put_new(order_key(customer, &id), &body)
    {
        return echo(
            ctx,
            error(
                StatusCode::CONFLICT,
                800002,
                format!("Invalid request input: order {id} already exists."),
            ),
        );
    }
    echo(
        ctx,
        Reply::json(StatusCode::CREATED, body)
            .with_unknown(unknown)
            .mutated(),
    )
}

/// `GET /v1/customers/{c}/orders/{o}`.
fn get(ctx: &Ctx, app: &App) -> Reply {
    let (customer, order) = (ctx.param("customerId"), ctx.param("orderId"));
    match app.stores.orders.orders.get_serialized(&order_key(customer, order)) {
        Some(v) => echo(ctx, Reply::ok_serialized(v)),
        None => echo(ctx, not_found(order, customer)),
    }
}

/// `GET /v1/customers/{c}/orders`.
fn list(ctx: &Ctx, app: &App) -> Reply {
    let customer = ctx.param("customerId");
    let items = app
        .stores
        .orders
        .orders
        .values_with_prefix(&format!("{}/", customer.to_ascii_lowercase()));
    echo(
        ctx,
        Reply::ok(json!({
            "totalCount": items.len(),
            "items": items,
            "links": {"self": {"uri": format!("/customers/{customer}/orders"), "method": "GET", "headers": []}},
            "attributes": {"objectType": "Collection"},
        })),
    )
}

/// `GET /v1/customers[?size=N]`: the customers the sandbox knows (every customer tenant an order
/// or a subscription is stored under), in id order, at most `size` (Partner Center "Get a list of
/// customers": `{totalCount, items, links, attributes}`; the real API pages with a continuation
/// token, which the sandbox does not emulate).
fn customers(ctx: &Ctx, app: &App) -> Reply {
    let size = match ctx.query("size").map(str::parse::<usize>) {
        None => usize::MAX,
        Some(Ok(n)) if n > 0 => n,
        Some(_) => return echo(ctx, error(StatusCode::BAD_REQUEST, 800002, "size must be a positive number")),
    };
    let tenants: std::collections::BTreeSet<String> = app
        .stores
        .orders
        .orders
        .keys()
        .into_iter()
        .chain(app.stores.subscriptions.subscriptions.keys())
        .filter_map(|key| key.split_once('/').map(|(customer, _)| customer.to_owned()))
        .collect();
    let items: Vec<Value> = tenants
        .into_iter()
        .take(size)
        .map(|id| {
            json!({
                "id": id,
                "companyProfile": {"tenantId": id, "domain": format!("{id}.onmicrosoft.com")},
                "relationshipToPartner": "reseller",
                "attributes": {"objectType": "Customer"},
            })
        })
        .collect();
    echo(
        ctx,
        Reply::ok(json!({
            "totalCount": items.len(),
            "items": items,
            "links": {"self": {"uri": "/customers", "method": "GET", "headers": []}},
            "attributes": {"objectType": "Collection"},
        })),
    )
}

/// `GET /v1/customers/{c}/orders/{o}/provisioningstatus`.
fn provisioning(ctx: &Ctx, app: &App) -> Reply {
    let (customer, order) = (ctx.param("customerId"), ctx.param("orderId"));
    let Some(v) = app.stores.orders.orders.get(&order_key(customer, order)) else {
        return echo(ctx, not_found(order, customer));
    };
    let items: Vec<Value> = v
        .get("lineItems")
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .map(|i| {
                    let q = i.get("quantity").and_then(Value::as_u64).unwrap_or(0);
                    json!({
                        "lineItemNumber": i.get("lineItemNumber"),
                        "status": if q == 0 { "Unfulfilled" } else { "Fulfilled" },
                        "quantityProvisioningInformation": [],
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    echo(
        ctx,
        Reply::ok(
            json!({"totalCount": items.len(), "items": items, "attributes": {"objectType": "Collection"}}),
        ),
    )
}

/// The vendor's refusal of a cancellation after its window: code 900117 ("You have passed your
/// {0}-day cancellation window. We are unable to cancel your purchase") for a window of whole
/// days, 900213 (the `{0}-hour` variant) otherwise (Partner Center error-code table,
/// `developer/error-codes.md`). The real text names only the window's length, not its end.
pub(crate) fn outside_window(window_secs: u64) -> Reply {
    if window_secs >= 86_400 && window_secs.is_multiple_of(86_400) {
        bad(
            900117,
            format!(
                "You have passed your {}-day cancellation window. We are unable to cancel your purchase",
                window_secs / 86_400
            ),
        )
    } else {
        bad(
            900213,
            format!(
                "You have passed your {}-hour cancellation window. We are unable to cancel your purchase",
                window_secs.div_ceil(3600)
            ),
        )
    }
}

/// Perpetual (no `termDuration`) or subscription (has one).
fn is_subscription(item: &Value) -> bool {
    item.get("termDuration")
        .and_then(Value::as_str)
        .is_some_and(|s| !s.trim().is_empty())
}

/// `PATCH /v1/customers/{c}/orders/{o}`: cancel line items (all when `lineItems` is absent or empty).
fn cancel(ctx: &Ctx, app: &App) -> Reply {
    let (customer, order) = (ctx.param("customerId"), ctx.param("orderId"));
    let body = match ctx.json_body() {
        Ok(b) => b,
        Err(r) => return echo(ctx, r),
    };
    if !body.is_object() {
        return echo(
            ctx,
            bad(
                800002,
                "Invalid request input: the body must be an Order object.",
            ),
        );
    }
    let unknown = unknown_order_fields(&body);
    match body.get("status") {
        Some(Value::String(s)) if s.eq_ignore_ascii_case("cancelled") => {}
        other => {
            return echo(
                ctx,
                bad(
                    800002,
                    format!(
                        "Invalid request input: only cancellation is supported on this order; set \"status\": \"cancelled\" (got {}).",
                        other.map_or("nothing".to_owned(), Value::to_string)
                    ),
                ),
            );
        }
    }
    let key = order_key(customer, order);
    app.stores
        .orders
        .orders
        .update(&key, |stored| {
        if let Some(id) = body.get("id").filter(|v| !v.is_null()) {
            let matches = id.as_str().is_some_and(|s| {
                Some(s) == stored.get("id").and_then(Value::as_str)
                    || Some(s) == stored.get("alternateId").and_then(Value::as_str)
            });
            if !matches {
                return echo(
                    ctx,
                    bad(
                        3000,
                        format!(
                            "Invalid property: body id {id} does not match order {order} in the path."
                        ),
                    ),
                );
            }
        }
        let lines = stored
            .get("lineItems")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let requested: Vec<(u64, Option<String>)> = match body.get("lineItems") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => {
                let mut out = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    let Some(n) = item.get("lineItemNumber").and_then(Value::as_u64) else {
                        return echo(
                            ctx,
                            bad(
                                3000,
                                format!(
                                    "Invalid property: lineItems[{i}].lineItemNumber is required and must be a non-negative integer."
                                ),
                            ),
                        );
                    };
                    let offer = match item.get("offerId") {
                        None | Some(Value::Null) => None,
                        Some(Value::String(s)) => Some(s.clone()),
                        Some(other) => {
                            return echo(
                                ctx,
                                bad(
                                    3000,
                                    format!(
                                        "Invalid property: lineItems[{i}].offerId must be a string, got {other}."
                                    ),
                                ),
                            );
                        }
                    };
                    out.push((n, offer));
                }
                out
            }
            Some(_) => {
                return echo(
                    ctx,
                    bad(3000, "Invalid property: lineItems must be an array."),
                );
            }
        };
        let targets: Vec<usize> = if requested.is_empty() {
            (0..lines.len()).collect()
        } else {
            let mut t = Vec::new();
            for (n, offer) in &requested {
                let Some(pos) = lines
                    .iter()
                    .position(|l| l.get("lineItemNumber").and_then(Value::as_u64) == Some(*n))
                else {
                    return echo(
                        ctx,
                        bad(
                            3000,
                            format!("Invalid property: order {order} has no line item {n}."),
                        ),
                    );
                };
                if let Some(o) = offer {
                    let actual = lines[pos]
                        .get("offerId")
                        .and_then(Value::as_str)
                        .unwrap_or("");
                    if !o.eq_ignore_ascii_case(actual) {
                        return echo(
                            ctx,
                            bad(
                                3000,
                                format!(
                                    "Invalid property: line item {n} has offerId {actual}, not {o}."
                                ),
                            ),
                        );
                    }
                }
                t.push(pos);
            }
            t
        };
        let created = stored
            .get("creationDate")
            .and_then(Value::as_str)
            .and_then(parse_rfc3339)
            .unwrap_or_else(|| app.clock.unix_secs());
        let now = app.clock.unix_secs();
        for &pos in &targets {
            let line = &lines[pos];
            if line.get("quantity").and_then(Value::as_u64) == Some(0) {
                continue;
            }
            // 30 days for perpetual software, 7 for software subscriptions (configurable).
            let window = if is_subscription(line) {
                app.config.cancel_windows.subscription
            } else {
                app.config.cancel_windows.perpetual
            };
            let deadline = created.saturating_add(i64::try_from(window.as_secs()).unwrap_or(i64::MAX));
            if now > deadline {
                return echo(ctx, outside_window(window.as_secs()));
            }
        }
        // A repeat (every named line already at 0) answers the order unchanged and is not a
        // mutation, so the journal can tell a real cancellation from an idempotent replay.
        let mut changed = false;
        if let Some(items) = stored.get_mut("lineItems").and_then(Value::as_array_mut) {
            for &pos in &targets {
                if let Some(obj) = items.get_mut(pos).and_then(Value::as_object_mut) {
                    changed |= obj.get("quantity").and_then(Value::as_u64) != Some(0);
                    obj.insert("quantity".to_owned(), json!(0));
                }
            }
        }
        let status = order_status(stored);
        if let Some(obj) = stored.as_object_mut() {
            changed |= obj.get("status").and_then(Value::as_str) != Some(status);
            obj.insert("status".to_owned(), json!(status));
        }
        let reply = Reply::ok(stored.clone()).with_unknown(unknown);
        echo(ctx, if changed { reply.mutated() } else { reply })
        })
        .unwrap_or_else(|| echo(ctx, not_found(order, customer)))
}

/// Normalises a seeded order (needs `referenceCustomerId`).
fn normalize_seed_order(
    order: &Value,
    ids: &Ids,
    clock: &Clock,
) -> Result<(String, Value), String> {
    let customer = order
        .get("referenceCustomerId")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or("referenceCustomerId (the customer tenant id) is required")?
        .to_owned();
    let mut v = order.clone();
    complete_order(&mut v, &customer, ids, clock)?;
    let id = v
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    Ok((order_key(&customer, &id), v))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn reports_nested_line_items() {
        let order = json!({"id": "x", "lineItmes": [], "lineItems": [{"offerId": "a", "qty": 1}]});
        assert_eq!(
            super::unknown_order_fields(&order),
            vec!["lineItmes".to_owned(), "lineItems[0].qty".to_owned()]
        );
    }
}
