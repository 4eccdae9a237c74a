//! Adobe Offer Library (`/data/core/dps/offers`): personalized and fallback offers.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::errors;
use crate::fields;
use crate::reply::{Ctx, Reply};
use crate::server::Shared;
use crate::state::{Collection, lock};
use crate::util::{IdGen, encode_component, now_rfc3339};

const DEFAULT_LIMIT: usize = 10;
const MAX_LIMIT: usize = 1000;

fn problem(status: StatusCode, title: &str, detail: impl Into<String>) -> Reply {
    errors::adobe_problem(status, title, detail)
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
            StatusCode::BAD_REQUEST,
            "BadRequestError",
            format!(
                "Invalid offer-type '{other}'; use offer-type=personalized or offer-type=fallback."
            ),
        )),
        None => Err(problem(
            StatusCode::BAD_REQUEST,
            "BadRequestError",
            "The offer-type query parameter is required (personalized or fallback).",
        )),
    }
}

fn store<'a>(sh: &'a Shared, kind: &str) -> &'a Collection {
    if kind == "personalized" {
        &sh.stores.adobe_personalized
    } else {
        &sh.stores.adobe_fallback
    }
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

fn fill(v: &mut Value, kind: &str, client: &str, sandbox: &str, ids: &IdGen) {
    let now = now_rfc3339();
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
pub(crate) fn create(ctx: &Ctx, sh: &Shared) -> Reply {
    let kind = match offer_type(ctx) {
        Ok(k) => k,
        Err(r) => return r,
    };
    let mut body = match super::json_body(ctx) {
        Ok(b) => b,
        Err(r) => return r,
    };
    if !body.is_object() {
        return problem(
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
                StatusCode::BAD_REQUEST,
                "BadRequestError",
                format!("{field} has the wrong type."),
            );
        }
    }
    let mut unknown = Vec::new();
    fields::unknown_keys(&body, fields::ADOBE_OFFER, "", &mut unknown);
    let client = ctx.header("x-api-key").unwrap_or("sandbox").to_owned();
    let sandbox = ctx.header("x-sandbox-name").unwrap_or("prod").to_owned();
    fill(&mut body, kind, &client, &sandbox, &sh.ids);
    let id = body
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let m = meta(&body);
    if !store(sh, kind).put_new(id.clone(), body) {
        return problem(
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
pub(crate) fn get(ctx: &Ctx, sh: &Shared, id: &str) -> Reply {
    let kind = match offer_type(ctx) {
        Ok(k) => k,
        Err(r) => return r,
    };
    match store(sh, kind).get_serialized(id) {
        Some(v) => Reply::ok_serialized(v),
        None => not_found(id, kind),
    }
}

/// `DELETE /offers/{id}?offer-type=…`: 200 with an empty body.
pub(crate) fn delete(ctx: &Ctx, sh: &Shared, id: &str) -> Reply {
    let kind = match offer_type(ctx) {
        Ok(k) => k,
        Err(r) => return r,
    };
    match store(sh, kind).remove(id) {
        Some(_) => Reply::empty(StatusCode::OK).mutated(),
        None => not_found(id, kind),
    }
}

/// `GET /offers?offer-type=…&limit=&start=`: pages in id order, `_links.next.href` carries the cursor.
pub(crate) fn list(ctx: &Ctx, sh: &Shared) -> Reply {
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
                    StatusCode::BAD_REQUEST,
                    "BadRequestError",
                    format!("limit must be an integer between 1 and {MAX_LIMIT}."),
                );
            }
        },
    };
    let start = ctx.query("start").filter(|s| !s.is_empty());
    let (page, total) = store(sh, kind).page(start, limit);
    let upper = kind.to_ascii_uppercase();
    let self_href = format!(
        "/offers?offer-type={upper}&limit={limit}{}",
        start.map_or(String::new(), |s| format!("&start={}", encode_component(s)))
    );
    let mut links = json!({"self": {"href": self_href, "type": "application/json"}});
    if page.len() == limit
        && let Some((last, _)) = page.last()
    {
        let (more, _) = store(sh, kind).page(Some(last), 1);
        if !more.is_empty()
            && let Some(obj) = links.as_object_mut()
        {
            obj.insert(
                        "next".to_owned(),
                        json!({"href": format!("/offers?offer-type={upper}&limit={limit}&start={}", encode_component(last)), "type": "application/json"}),
                    );
        }
    }
    let results: Vec<Value> = page.into_iter().map(|(_, v)| v).collect();
    Reply::ok(json!({"results": results, "count": results.len(), "total": total, "_links": links}))
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
pub(crate) fn patch(ctx: &Ctx, sh: &Shared, id: &str) -> Reply {
    let kind = match offer_type(ctx) {
        Ok(k) => k,
        Err(r) => return r,
    };
    let body = match super::json_body(ctx) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let Some(ops) = body.as_array() else {
        return problem(
            StatusCode::BAD_REQUEST,
            "BadRequestError",
            "The body must be a JSON Patch array: [{\"op\":\"replace\",\"path\":\"/name\",\"value\":…}].",
        );
    };
    let mut unknown = Vec::new();
    for (i, op) in ops.iter().enumerate() {
        fields::unknown_keys(op, fields::JSON_PATCH_OP, &format!("[{i}]."), &mut unknown);
    }
    let Some(cell) = store(sh, kind).get(id) else {
        return not_found(id, kind);
    };
    let mut stored = lock(&cell);
    let mut next = stored.clone();
    for (i, op) in ops.iter().enumerate() {
        if let Err(e) = apply_op(&mut next, op) {
            return problem(
                StatusCode::BAD_REQUEST,
                "BadRequestError",
                format!("operation {i}: {e}"),
            );
        }
    }
    if let Some(obj) = next.as_object_mut() {
        let etag = obj.get("etag").and_then(Value::as_i64).unwrap_or(0) + 1;
        obj.insert("etag".to_owned(), json!(etag));
        obj.insert("modified".to_owned(), json!(now_rfc3339()));
        if let Some(client) = ctx.header("x-api-key") {
            obj.insert("lastModifiedByClientId".to_owned(), json!(client));
        }
    }
    *stored = next;
    let mut m = meta(&stored);
    if let Some(obj) = m.as_object_mut() {
        obj.insert(
            "datasetId".to_owned(),
            stored.get("datasetId").cloned().unwrap_or(Value::Null),
        );
    }
    Reply::ok(m).with_unknown(unknown).mutated()
}

/// Normalises a seeded Adobe offer.
pub(crate) fn normalize_seed_offer(
    offer: &Value,
    kind: &str,
    ids: &IdGen,
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
    fill(&mut v, kind, "sandbox-seed", "prod", ids);
    let id = v
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    Ok((id, v))
}
