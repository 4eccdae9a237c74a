//! Appcharge Offers V2 (`/v2/offer`).

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::errors;
use crate::fields;
use crate::reply::{Ctx, Reply};
use crate::server::Shared;
use crate::state::lock;
use crate::util::{IdGen, now_rfc3339};

fn error(ctx: &Ctx, status: StatusCode, msg: impl Into<String>) -> Reply {
    errors::appcharge(status, msg, &ctx.url(), &ctx.body_text())
}

/// Checks the fields every offer needs; returns the publisherOfferId.
fn validate(body: &Value) -> Result<String, String> {
    if !body.is_object() {
        return Err("The request body must be a JSON object".to_owned());
    }
    let id = body
        .get("publisherOfferId")
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
        .ok_or("publisherOfferId is required and must be a non-empty string")?;
    if id.contains('/') {
        return Err("publisherOfferId must not contain '/'".to_owned());
    }
    if body
        .get("name")
        .and_then(Value::as_str)
        .is_none_or(|s| s.chars().filter(|c| !c.is_whitespace()).count() < 3)
    {
        return Err("name is required and must have at least 3 non-blank characters".to_owned());
    }
    if body
        .get("type")
        .and_then(Value::as_str)
        .is_none_or(|s| s.is_empty())
    {
        return Err(
            "type is required (e.g. Bundle, SpecialOffer, RollingOffer, PopUp, CheckoutLink)"
                .to_owned(),
        );
    }
    for (field, ok) in [
        ("active", body.get("active").is_none_or(Value::is_boolean)),
        ("segments", body.get("segments").is_none_or(Value::is_array)),
        (
            "productsSequence",
            body.get("productsSequence").is_none_or(Value::is_array),
        ),
        (
            "priority",
            body.get("priority").is_none_or(Value::is_number),
        ),
    ] {
        if !ok {
            return Err(format!("{field} has the wrong type"));
        }
    }
    Ok(id.to_owned())
}

fn fill(v: &mut Value, ids: &IdGen, keep: Option<&Value>) {
    let now = now_rfc3339();
    if let Some(obj) = v.as_object_mut() {
        let old = |k: &str| keep.and_then(|o| o.get(k)).cloned();
        obj.insert(
            "offerId".to_owned(),
            old("offerId").unwrap_or_else(|| json!(ids.hex(24))),
        );
        obj.entry("publisherId")
            .or_insert_with(|| old("publisherId").unwrap_or_else(|| json!("sandbox-publisher")));
        obj.insert(
            "createdAt".to_owned(),
            old("createdAt").unwrap_or_else(|| json!(now)),
        );
        obj.insert("updatedAt".to_owned(), json!(now));
        obj.entry("active").or_insert(json!(true));
        if !obj.contains_key("displayName") {
            let name = obj.get("name").cloned().unwrap_or(Value::Null);
            obj.insert("displayName".to_owned(), name);
        }
    }
}

/// `POST /v2/offer`.
pub(crate) fn create(ctx: &Ctx, sh: &Shared) -> Reply {
    let mut body = match super::json_body(ctx) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let id = match validate(&body) {
        Ok(id) => id,
        Err(msg) => return error(ctx, StatusCode::BAD_REQUEST, msg),
    };
    let mut unknown = Vec::new();
    fields::unknown_keys(&body, fields::APPCHARGE_OFFER, "", &mut unknown);
    fill(&mut body, &sh.ids, None);
    if !sh.stores.appcharge.put_new(id.clone(), body.clone()) {
        return error(
            ctx,
            StatusCode::CONFLICT,
            format!("An offer with publisherOfferId {id} already exists"),
        );
    }
    Reply::json(StatusCode::CREATED, body)
        .with_unknown(unknown)
        .mutated()
}

/// `PUT /v2/offer/{publisherOfferId}`: replaces the offer (keeps `offerId` and `createdAt`).
pub(crate) fn update(ctx: &Ctx, sh: &Shared, id: &str) -> Reply {
    let mut body = match super::json_body(ctx) {
        Ok(b) => b,
        Err(r) => return r,
    };
    if let Some(obj) = body.as_object_mut() {
        obj.entry("publisherOfferId").or_insert(json!(id));
    }
    match validate(&body) {
        Ok(body_id) if body_id != id => {
            return error(
                ctx,
                StatusCode::BAD_REQUEST,
                format!("publisherOfferId {body_id} in the body does not match {id} in the path"),
            );
        }
        Ok(_) => {}
        Err(msg) => return error(ctx, StatusCode::BAD_REQUEST, msg),
    }
    let mut unknown = Vec::new();
    fields::unknown_keys(&body, fields::APPCHARGE_OFFER, "", &mut unknown);
    let Some(cell) = sh.stores.appcharge.get(id) else {
        return error(ctx, StatusCode::NOT_FOUND, format!("Offer {id} not found"));
    };
    let mut stored = lock(&cell);
    fill(&mut body, &sh.ids, Some(&stored));
    *stored = body.clone();
    Reply::ok(body).with_unknown(unknown).mutated()
}

/// `GET /v2/offer?publisherOfferIds=a,b`.
pub(crate) fn list(ctx: &Ctx, sh: &Shared) -> Reply {
    let offers: Vec<Value> = match ctx
        .query("publisherOfferIds")
        .filter(|s| !s.trim().is_empty())
    {
        None => sh.stores.appcharge.values(),
        Some(ids) => ids
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .filter_map(|id| sh.stores.appcharge.get_clone(id))
            .collect(),
    };
    Reply::ok(json!({"totalCount": offers.len(), "offers": offers}))
}

/// `GET /v2/offer/{publisherOfferId}` (a convenience; Appcharge documents the list form).
pub(crate) fn get(ctx: &Ctx, sh: &Shared, id: &str) -> Reply {
    match sh.stores.appcharge.get_serialized(id) {
        Some(v) => Reply::ok_serialized(v),
        None => error(ctx, StatusCode::NOT_FOUND, format!("Offer {id} not found")),
    }
}

/// `DELETE /v2/offer/{publisherOfferId}`: returns the deleted offer.
pub(crate) fn delete(ctx: &Ctx, sh: &Shared, id: &str) -> Reply {
    match sh.stores.appcharge.remove(id) {
        Some(v) => Reply::ok(v).mutated(),
        None => error(ctx, StatusCode::NOT_FOUND, format!("Offer {id} not found")),
    }
}

/// Normalises a seeded Appcharge offer.
pub(crate) fn normalize_seed_offer(offer: &Value, ids: &IdGen) -> Result<(String, Value), String> {
    let id = offer
        .get("publisherOfferId")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty() && !s.contains('/'))
        .ok_or("publisherOfferId is required (a non-empty string without '/')")?
        .to_owned();
    let mut v = offer.clone();
    let keep = offer.clone();
    fill(&mut v, ids, Some(&keep));
    if let (Some(obj), Some(updated)) = (v.as_object_mut(), keep.get("updatedAt")) {
        obj.insert("updatedAt".to_owned(), updated.clone());
    }
    Ok((id, v))
}
