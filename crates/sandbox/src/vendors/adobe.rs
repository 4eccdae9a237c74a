//! Adobe Offer Library (`/data/core/dps/offers`): personalized and fallback offers, their store and
//! seeding, the gateway and problem-details dialects and the API-key / IMS-token / org check.

use axum::http::StatusCode;
use offerkit_models::Vendor;
use serde_json::{Value, json};

use crate::app::App;
use crate::generated::fields::adobe_offers as fields;
use crate::quota::{BucketKey, QuotaScope};
use crate::reply::{Ctx, Reply};
use crate::routing::{Api, Route};
use crate::store::{ApiStore, Collection, each, list as seed_list, section};
use crate::unknown::unknown_keys;
use crate::util::clock::Clock;

mod property;
use crate::util::form::encode_component;
use crate::util::ids::Ids;
use crate::vendors::identity::{TokenProblem, check_bearer};

/// The Offer Library API.
pub(crate) static ADOBE: Api = Api {
    vendor: Some(Vendor::AdobeOffers),
    name: "adobe",
    owns: |path| path.starts_with("/data/core/dps"),
    routes: &[
        Route::new("GET", "/data/core/dps/offers", list),
        Route::new("POST", "/data/core/dps/offers", create),
        Route::new("GET", "/data/core/dps/offers/{id}", get),
        Route::new("DELETE", "/data/core/dps/offers/{id}", delete),
        Route::new("PATCH", "/data/core/dps/offers/{id}", patch),
    ],
    aliases: &[],
    authorize: Some(authorize),
    // Checked after `authorize`, so the org header is there.
    quota_buckets: Some(|ctx, _| vec![BucketKey::new(QuotaScope::Adobe, ctx.header("x-gw-ims-org-id").unwrap_or_default().trim())]),
    error: |status, message, _, _| match status.as_u16() {
        401 => gateway(status, "401013", message),
        403 => gateway(status, "403003", message),
        429 => gateway(status, THROTTLED_CODE, message),
        _ => problem(
            Problem::Other,
            status,
            status.canonical_reason().unwrap_or("Error"),
            message,
        ),
    },
    throttle: |_, _| gateway(StatusCode::TOO_MANY_REQUESTS, THROTTLED_CODE, "Too many requests"),
};

/// The gateway's throttling code: `{"error_code":"429050","message":"Too many requests"}` (see
/// `docs/vendors.md`, "Sandbox: quotas").
const THROTTLED_CODE: &str = "429050";

/// The APIs of this slice.
pub(crate) static APIS: &[&Api] = &[&ADOBE];

/// Offers keyed by id, one collection per offer type.
#[derive(Debug, Default)]
pub(crate) struct Store {
    personalized: Collection,
    fallback: Collection,
}

impl Store {
    fn collection(&self, kind: &str) -> &Collection {
        if kind == "personalized" {
            &self.personalized
        } else {
            &self.fallback
        }
    }
}

const KINDS: [&str; 2] = ["personalized", "fallback"];

impl ApiStore for Store {
    const SEED_KEY: &'static str = "adobe";
    type Seed = Vec<(&'static str, String, Value)>;

    fn parse_seed(
        section_value: Option<&Value>,
        ids: &Ids,
        clock: &Clock,
    ) -> Result<Self::Seed, String> {
        let adobe = section(section_value, "adobe")?;
        let mut offers = Vec::new();
        for kind in KINDS {
            let items = seed_list(adobe.get(kind), kind)?;
            for (k, v) in each(items, &format!("adobe.{kind}"), |o| {
                normalize_seed_offer(o, kind, ids, clock)
            })? {
                offers.push((kind, k, v));
            }
        }
        Ok(offers)
    }

    fn apply_seed(&self, seed: Self::Seed) -> Vec<(&'static str, usize)> {
        let n = seed.len();
        for (kind, k, v) in seed {
            self.collection(kind).put(k, &v);
        }
        vec![("adobeOffers", n)]
    }

    fn snapshot(&self) -> Value {
        json!({"personalized": self.personalized.values(), "fallback": self.fallback.values()})
    }

    fn clear(&self) {
        self.personalized.clear();
        self.fallback.clear();
    }
}

/// Gateway errors: `{"error_code":"403000","message":"Api Key is required"}` (`error_code` is a string).
fn gateway(status: StatusCode, code: &str, message: &str) -> Reply {
    Reply::json(status, json!({"error_code": code, "message": message}))
}

fn authorize(ctx: &Ctx, app: &App) -> Option<Reply> {
    if ctx.header("x-api-key").is_none_or(|k| k.trim().is_empty()) {
        return Some(gateway(StatusCode::FORBIDDEN, "403000", "Api Key is required"));
    }
    match check_bearer(ctx, app, Vendor::AdobeOffers) {
        Err(TokenProblem::Missing) => {
            return Some(gateway(StatusCode::FORBIDDEN, "403010", "Oauth token is missing."));
        }
        Err(_) => return Some(gateway(StatusCode::UNAUTHORIZED, "401013", "Oauth token is not valid")),
        Ok(()) => {}
    }
    if ctx.header("x-gw-ims-org-id").is_none_or(|k| k.trim().is_empty()) {
        return Some(gateway(StatusCode::BAD_REQUEST, "400003", "Missing header: x-gw-ims-org-id"));
    }
    None
}

const DEFAULT_LIMIT: usize = 10;
const MAX_LIMIT: usize = 1000;

/// What went wrong, for the problem `type` of a problem-details answer: each kind of problem has
/// its own type URI, as RFC 7807 means it (the type identifies the problem, not the status).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Problem {
    /// A query parameter (`offer-type`, `limit`) is missing or invalid.
    Query,
    /// The request body is not an acceptable offer.
    Body,
    /// A JSON Patch document or operation is invalid.
    Patch,
    /// No offer with this id and type.
    NotFound,
    /// An offer with this id exists already.
    Conflict,
    /// Any other answer in this dialect (a too-large body, an injected fault, ...).
    Other,
}

impl Problem {
    /// The four-digit code of the type URI. Adobe documents the form of the URI, not the codes of
    /// the Offer Library (DPS) service, so these are the sandbox's own (an assumption,
    /// docs/vendors.md).
    fn code(self) -> u16 {
        match self {
            Self::Other => 1000,
            Self::Query => 1001,
            Self::Body => 1002,
            Self::Patch => 1003,
            Self::NotFound => 1010,
            Self::Conflict => 1020,
        }
    }

    /// `https://ns.adobe.com/aep/errors/DPS-<code>-<status>`: the documented AEP form
    /// `https://ns.adobe.com/aep/errors/<ERROR-CODE>` with codes like `EXEG-0104-422` (service,
    /// four digits, HTTP status), from the Edge Network Server API "Error handling" page;
    /// XDM's troubleshooting guide shows the same form (`XDM-1010-404`).
    fn type_uri(self, status: StatusCode) -> String {
        format!(
            "https://ns.adobe.com/aep/errors/DPS-{:04}-{}",
            self.code(),
            status.as_u16()
        )
    }
}

/// A problem-details answer `{type, title, status, detail}` (AEP's service shape).
fn problem(kind: Problem, status: StatusCode, title: &str, detail: impl Into<String>) -> Reply {
    Reply::json(
        status,
        json!({
            "type": kind.type_uri(status),
            "title": title,
            "status": status.as_u16(),
            "detail": detail.into(),
        }),
    )
}

/// The content-type refusal, AEP's third error shape, verbatim from the troubleshooting guide:
/// `{"type":"/placeholder/type/uri","status":400,"title":"BadRequestError","detail":"A valid
/// content-type must be specified"}`. Sent to a POST or PATCH whose `Content-Type` is not JSON
/// (the Offer Library pages require `application/json`).
fn require_json_content_type(ctx: &Ctx) -> Result<(), Reply> {
    let json = ctx
        .header("content-type")
        .and_then(|t| t.split(';').next())
        .map(|t| t.trim().to_ascii_lowercase())
        .is_some_and(|t| t == "application/json" || t.ends_with("+json"));
    if json {
        return Ok(());
    }
    Err(Reply::json(
        StatusCode::BAD_REQUEST,
        json!({
            "type": "/placeholder/type/uri",
            "status": 400,
            "title": "BadRequestError",
            "detail": "A valid content-type must be specified",
        }),
    ))
}

/// `personalized` or `fallback` from `offer-type` (case-insensitive), or the 400.
fn offer_type(ctx: &Ctx) -> Result<&'static str, Reply> {
    match ctx
        .query("offer-type")
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("personalized") => Ok("personalized"),
        Some("fallback") => Ok("fallback"),
        Some(other) => Err(problem(
            Problem::Query,
            StatusCode::BAD_REQUEST,
            "BadRequestError",
            format!(
                "Invalid offer-type '{other}'; use offer-type=personalized or offer-type=fallback."
            ),
        )),
        None => Err(problem(
            Problem::Query,
            StatusCode::BAD_REQUEST,
            "BadRequestError",
            "The offer-type query parameter is required (personalized or fallback).",
        )),
    }
}

fn store<'a>(app: &'a App, kind: &str) -> &'a Collection {
    app.stores.adobe.collection(kind)
}

fn schema_for(kind: &str) -> &'static str {
    if kind == "personalized" {
        "https://ns.adobe.com/experience/offer-management/personalized-offer;version=0.15"
    } else {
        "https://ns.adobe.com/experience/offer-management/fallback-offer;version=0.8"
    }
}

fn not_found(id: &str, kind: &str) -> Reply {
    problem(
        Problem::NotFound,
        StatusCode::NOT_FOUND,
        "Resource not found",
        format!("No {kind} offer with id {id} was found."),
    )
}

fn meta(v: &Value) -> Value {
    let g = |k: &str| v.get(k).cloned().unwrap_or(Value::Null);
    json!({
        "etag": g("etag"), "createdBy": g("createdBy"), "lastModifiedBy": g("lastModifiedBy"), "id": g("id"),
        "sandboxId": g("sandboxId"), "createdDate": g("created"), "lastModifiedDate": g("modified"),
        "createdByClientId": g("createdByClientId"), "lastModifiedByClientId": g("lastModifiedByClientId"),
    })
}

fn fill(v: &mut Value, kind: &str, client: &str, sandbox: &str, ids: &Ids, clock: &Clock) {
    let now = clock.rfc3339();
    if let Some(obj) = v.as_object_mut() {
        obj.entry("id")
            .or_insert_with(|| json!(format!("{kind}Offer{}", ids.hex(16))));
        obj.entry("status").or_insert(json!("draft"));
        obj.entry("schemas")
            .or_insert_with(|| json!([schema_for(kind)]));
        obj.entry("etag").or_insert(json!(1));
        obj.entry("created").or_insert_with(|| json!(now));
        obj.entry("modified").or_insert_with(|| json!(now));
        obj.entry("createdBy")
            .or_insert_with(|| json!(format!("{client}@AdobeID")));
        obj.entry("lastModifiedBy")
            .or_insert_with(|| json!(format!("{client}@AdobeID")));
        obj.entry("createdByClientId").or_insert(json!(client));
        obj.entry("lastModifiedByClientId").or_insert(json!(client));
        obj.entry("sandboxId").or_insert(json!(sandbox));
    }
}

/// `POST /offers?offer-type=…`.
fn create(ctx: &Ctx, app: &App) -> Reply {
    let kind = match offer_type(ctx) {
        Ok(k) => k,
        Err(r) => return r,
    };
    if let Err(r) = require_json_content_type(ctx) {
        return r;
    }
    let mut body = match ctx.json_body() {
        Ok(b) => b,
        Err(r) => return r,
    };
    if !body.is_object() {
        return problem(
            Problem::Body,
            StatusCode::BAD_REQUEST,
            "BadRequestError",
            "The request body must be a JSON object.",
        );
    }
    if body
        .get("name")
        .is_none_or(|n| n.as_str().is_none_or(|s| s.trim().is_empty()))
    {
        return problem(
            Problem::Body,
            StatusCode::BAD_REQUEST,
            "BadRequestError",
            "name is required and must be a non-empty string.",
        );
    }
    if body.get("id").is_some_and(|i| {
        !i.as_str()
            .is_some_and(|s| !s.is_empty() && !s.contains('/'))
    }) {
        return problem(
            Problem::Body,
            StatusCode::BAD_REQUEST,
            "BadRequestError",
            "id, when given, must be a non-empty string without '/'.",
        );
    }
    for (field, ok) in [
        (
            "representations",
            body.get("representations").is_none_or(Value::is_array),
        ),
        ("rank", body.get("rank").is_none_or(Value::is_object)),
        (
            "selectionConstraint",
            body.get("selectionConstraint").is_none_or(Value::is_object),
        ),
        ("status", body.get("status").is_none_or(Value::is_string)),
    ] {
        if !ok {
            return problem(
                Problem::Body,
                StatusCode::BAD_REQUEST,
                "BadRequestError",
                format!("{field} has the wrong type."),
            );
        }
    }
    let mut unknown = Vec::new();
    unknown_keys(&body, fields::OFFER, "", &mut unknown);
    let client = ctx.header("x-api-key").unwrap_or("sandbox").to_owned();
    let sandbox = ctx.header("x-sandbox-name").unwrap_or("prod").to_owned();
    fill(&mut body, kind, &client, &sandbox, &app.ids, &app.clock);
    let id = body
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let m = meta(&body);
    if !store(app, kind).put_new(id.clone(), &body) {
        return problem(
            Problem::Conflict,
            StatusCode::CONFLICT,
            "Conflict",
            format!("An offer with id {id} already exists."),
        );
    }
    Reply::json(StatusCode::CREATED, m)
        .with_unknown(unknown)
        .mutated()
}

/// `GET /offers/{id}?offer-type=…`.
fn get(ctx: &Ctx, app: &App) -> Reply {
    let id = ctx.param("id");
    let kind = match offer_type(ctx) {
        Ok(k) => k,
        Err(r) => return r,
    };
    match store(app, kind).get_serialized(id) {
        Some(v) => Reply::ok_serialized(v),
        None => not_found(id, kind),
    }
}

/// `DELETE /offers/{id}?offer-type=…`: 200 with an empty body.
fn delete(ctx: &Ctx, app: &App) -> Reply {
    let id = ctx.param("id");
    let kind = match offer_type(ctx) {
        Ok(k) => k,
        Err(r) => return r,
    };
    match store(app, kind).remove(id) {
        Some(_) => Reply::empty(StatusCode::OK).mutated(),
        None => not_found(id, kind),
    }
}

/// `GET /offers?offer-type=…&limit=&start=&property=…`: pages in id order of the offers every
/// `property` expression passes (see [`property`]); `_links.next.href` carries the cursor and the
/// filters.
fn list(ctx: &Ctx, app: &App) -> Reply {
    let kind = match offer_type(ctx) {
        Ok(k) => k,
        Err(r) => return r,
    };
    let limit = match ctx.query("limit") {
        None => DEFAULT_LIMIT,
        Some(l) => match l.trim().parse::<usize>() {
            Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
            _ => {
                return problem(
                    Problem::Query,
                    StatusCode::BAD_REQUEST,
                    "BadRequestError",
                    format!("limit must be an integer between 1 and {MAX_LIMIT}."),
                );
            }
        },
    };
    let raw_properties: Vec<&str> = ctx
        .query
        .iter()
        .filter(|(k, _)| k == "property")
        .map(|(_, v)| v.as_str())
        .collect();
    let filters = match property::parse_all(raw_properties.iter().copied()) {
        Ok(f) => f,
        Err(e) => return problem(Problem::Query, StatusCode::BAD_REQUEST, "BadRequestError", e),
    };
    let start = ctx.query("start").filter(|s| !s.is_empty());
    let (page, total, more) = matching(store(app, kind), start, limit, &filters);
    let upper = kind.to_ascii_uppercase();
    let carried: String = raw_properties
        .iter()
        .map(|p| format!("&property={}", encode_component(p)))
        .collect();
    let self_href = format!(
        "/offers?offer-type={upper}&limit={limit}{carried}{}",
        start.map_or(String::new(), |s| format!("&start={}", encode_component(s)))
    );
    let mut links = json!({"self": {"href": self_href, "type": "application/json"}});
    if more
        && let Some((last, _)) = page.last()
        && let Some(obj) = links.as_object_mut()
    {
        obj.insert(
            "next".to_owned(),
            json!({"href": format!("/offers?offer-type={upper}&limit={limit}{carried}&start={}", encode_component(last)), "type": "application/json"}),
        );
    }
    let results: Vec<Value> = page.into_iter().map(|(_, v)| v).collect();
    Reply::ok(json!({"results": results, "count": results.len(), "total": total, "_links": links}))
}

/// Up to `limit` offers after `after` (id order) that pass every filter, how many pass in all,
/// and whether more pass after the page. One pass over the store, 100 offers at a time.
fn matching(
    offers: &Collection,
    after: Option<&str>,
    limit: usize,
    filters: &[property::Property],
) -> (Vec<(String, Value)>, usize, bool) {
    if filters.is_empty() {
        let (mut page, total) = offers.page(after, limit.saturating_add(1));
        let more = page.len() > limit;
        page.truncate(limit);
        return (page, total, more);
    }
    let passes = |offer: &Value| filters.iter().all(|f| f.matches(offer));
    let (mut page, mut total, mut more) = (Vec::new(), 0, false);
    let mut cursor: Option<String> = None;
    loop {
        let (batch, _) = offers.page(cursor.as_deref(), 100);
        let Some((last, _)) = batch.last() else { break };
        cursor = Some(last.clone());
        for (key, offer) in batch {
            if !passes(&offer) {
                continue;
            }
            total += 1;
            if after.is_some_and(|a| key.as_str() <= a) {
                continue;
            }
            if page.len() < limit {
                page.push((key, offer));
            } else {
                more = true;
            }
        }
    }
    (page, total, more)
}

/// Applies one JSON Patch operation (add / replace / remove) to `doc`.
fn apply_op(doc: &mut Value, op: &Value) -> Result<(), String> {
    let kind = op
        .get("op")
        .and_then(Value::as_str)
        .ok_or("each operation needs an \"op\" string")?;
    let path = op
        .get("path")
        .and_then(Value::as_str)
        .ok_or("each operation needs a \"path\" string")?;
    if !path.starts_with('/') || path.len() < 2 {
        return Err(format!(
            "path {path:?} must be a JSON pointer such as /name"
        ));
    }
    if matches!(path, "/id" | "/etag" | "/created" | "/createdBy") {
        return Err(format!("{path} is read-only"));
    }
    let (parent_ptr, last) = path.rsplit_once('/').unwrap_or(("", path));
    let last = last.replace("~1", "/").replace("~0", "~");
    let parent = if parent_ptr.is_empty() {
        Some(&mut *doc)
    } else {
        doc.pointer_mut(parent_ptr)
    };
    let parent = parent.ok_or(format!("path {path} does not exist"))?;
    match (kind, parent) {
        ("add" | "replace", Value::Object(map)) => {
            let value = op
                .get("value")
                .cloned()
                .ok_or("add and replace need a \"value\"")?;
            if kind == "replace" && !map.contains_key(&last) {
                return Err(format!("path {path} does not exist"));
            }
            map.insert(last, value);
            Ok(())
        }
        ("add" | "replace", Value::Array(items)) => {
            let value = op
                .get("value")
                .cloned()
                .ok_or("add and replace need a \"value\"")?;
            if last == "-" && kind == "add" {
                items.push(value);
                return Ok(());
            }
            let i: usize = last
                .parse()
                .map_err(|_| format!("{last} is not an array index"))?;
            match kind {
                "add" if i <= items.len() => items.insert(i, value),
                "replace" if i < items.len() => items[i] = value,
                _ => return Err(format!("index {i} is out of range")),
            }
            Ok(())
        }
        ("remove", Value::Object(map)) => map
            .remove(&last)
            .map(|_| ())
            .ok_or(format!("path {path} does not exist")),
        ("remove", Value::Array(items)) => {
            let i: usize = last
                .parse()
                .map_err(|_| format!("{last} is not an array index"))?;
            if i < items.len() {
                items.remove(i);
                Ok(())
            } else {
                Err(format!("index {i} is out of range"))
            }
        }
        ("add" | "replace" | "remove", _) => Err(format!(
            "path {path} does not point into an object or array"
        )),
        (other, _) => Err(format!(
            "unsupported op {other:?}; use add, replace or remove"
        )),
    }
}

/// `PATCH /offers/{id}?offer-type=…` with a JSON Patch array.
fn patch(ctx: &Ctx, app: &App) -> Reply {
    let id = ctx.param("id");
    let kind = match offer_type(ctx) {
        Ok(k) => k,
        Err(r) => return r,
    };
    if let Err(r) = require_json_content_type(ctx) {
        return r;
    }
    let body = match ctx.json_body() {
        Ok(b) => b,
        Err(r) => return r,
    };
    let Some(ops) = body.as_array() else {
        return problem(
            Problem::Patch,
            StatusCode::BAD_REQUEST,
            "BadRequestError",
            "The body must be a JSON Patch array: [{\"op\":\"replace\",\"path\":\"/name\",\"value\":…}].",
        );
    };
    let mut unknown = Vec::new();
    for (i, op) in ops.iter().enumerate() {
        unknown_keys(op, fields::PATCH_OPERATION, &format!("[{i}]."), &mut unknown);
    }
    store(app, kind)
        .update(id, |stored| {
            let mut next = stored.clone();
        for (i, op) in ops.iter().enumerate() {
            if let Err(e) = apply_op(&mut next, op) {
                return problem(
                    Problem::Patch,
                    StatusCode::BAD_REQUEST,
                    "BadRequestError",
                    format!("operation {i}: {e}"),
                );
            }
        }
        if let Some(obj) = next.as_object_mut() {
            let etag = obj.get("etag").and_then(Value::as_i64).unwrap_or(0) + 1;
            obj.insert("etag".to_owned(), json!(etag));
            obj.insert("modified".to_owned(), json!(app.clock.rfc3339()));
            if let Some(client) = ctx.header("x-api-key") {
                obj.insert("lastModifiedByClientId".to_owned(), json!(client));
            }
        }
        *stored = next;
        let mut m = meta(stored);
        if let Some(obj) = m.as_object_mut() {
            obj.insert(
                "datasetId".to_owned(),
                stored.get("datasetId").cloned().unwrap_or(Value::Null),
            );
        }
        Reply::ok(m).with_unknown(unknown).mutated()
        })
        .unwrap_or_else(|| not_found(id, kind))
}

/// Normalises a seeded Adobe offer.
fn normalize_seed_offer(
    offer: &Value,
    kind: &str,
    ids: &Ids,
    clock: &Clock,
) -> Result<(String, Value), String> {
    let mut v = offer.clone();
    if !v.is_object() {
        return Err("an offer must be an object".to_owned());
    }
    if v.get("id")
        .is_some_and(|i| i.as_str().is_none_or(|s| s.is_empty()))
    {
        return Err("id must be a non-empty string".to_owned());
    }
    fill(&mut v, kind, "sandbox-seed", "prod", ids, clock);
    let id = v
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    Ok((id, v))
}
