//! Appcharge Offers V2 (`/v2/offer`): offers, their store and seeding, the V2 error dialect
//! `{"errorCode","errorMessage"}` and the `x-publisher-token` check.

use axum::http::StatusCode;
use offerkit_models::Vendor;
use serde_json::{Value, json};

use crate::app::App;
use crate::generated::fields::appcharge as fields;
use crate::quota::{BucketKey, QuotaScope, digest};
use crate::reply::{Ctx, Reply};
use crate::routing::{Api, Route};
use crate::store::{ApiStore, Collection, each, list as seed_list, section};
use crate::unknown::unknown_keys;
use crate::util::clock::Clock;
use crate::util::ids::Ids;

/// The Offers V2 API.
pub(crate) static APPCHARGE: Api = Api {
    vendor: Some(Vendor::Appcharge),
    name: "appcharge",
    owns: |path| path.starts_with("/v2/offer"),
    routes: &[
        Route::new("GET", "/v2/offer", list),
        Route::new("POST", "/v2/offer", create),
        Route::new("GET", "/v2/offer/{publisherOfferId}", get),
        Route::new("DELETE", "/v2/offer/{publisherOfferId}", delete),
        Route::new("PUT", "/v2/offer/{publisherOfferId}", update),
    ],
    aliases: &[],
    authorize: Some(authorize),
    // One bucket per publisher token, named by its digest (the token is a secret).
    quota_buckets: Some(|ctx, _| vec![BucketKey::new(QuotaScope::Appcharge, digest(ctx.header("x-publisher-token").unwrap_or_default().trim()))]),
    error: |status, message, _, _| v2_error(status, message),
    throttle: |_, _| v2_error(StatusCode::TOO_MANY_REQUESTS, "Rate limit exceeded"),
};

/// The APIs of this slice.
pub(crate) static APIS: &[&Api] = &[&APPCHARGE];

/// Offers keyed by `publisherOfferId`.
#[derive(Debug, Default)]
pub(crate) struct Store {
    offers: Collection,
}

impl ApiStore for Store {
    const SEED_KEY: &'static str = "appcharge";
    type Seed = Vec<(String, Value)>;

    fn parse_seed(
        section_value: Option<&Value>,
        ids: &Ids,
        clock: &Clock,
    ) -> Result<Self::Seed, String> {
        let ac = section(section_value, "appcharge")?;
        each(
            seed_list(ac.get("offers"), "appcharge.offers")?,
            "appcharge.offers",
            |o| normalize_seed_offer(o, ids, clock),
        )
    }

    fn apply_seed(&self, seed: Self::Seed) -> Vec<(&'static str, usize)> {
        let n = seed.len();
        for (k, v) in seed {
            self.offers.put(k, &v);
        }
        vec![("appchargeOffers", n)]
    }

    fn snapshot(&self) -> Value {
        json!({"offers": self.offers.values()})
    }

    fn clear(&self) {
        self.offers.clear();
    }
}

/// The Offers V2 error body `{"errorCode": <int>, "errorMessage": "..."}`
/// (`components.schemas.ErrorResponse` of the V2 OpenAPI, api-evangelist/appcharge, 3rd-party).
/// Appcharge documents no `errorCode` values, so the sandbox sends the HTTP status (an
/// assumption, docs/vendors.md); the V1 `{message, requestUrl, body}` is not sent on `/v2/offer`.
fn v2_error(status: StatusCode, message: &str) -> Reply {
    Reply::json(
        status,
        json!({"errorCode": status.as_u16(), "errorMessage": message}),
    )
}

fn authorize(ctx: &Ctx, app: &App) -> Option<Reply> {
    let config = &app.config;
    let token = ctx.header("x-publisher-token").map(str::trim).filter(|t| !t.is_empty());
    let ok = match (token, &config.publisher_tokens) {
        (None, _) => false,
        (Some(t), Some(allowed)) => allowed.iter().any(|a| a == t) || config.static_tokens.iter().any(|s| s == t),
        (Some(_), None) => true,
    };
    (!ok).then(|| {
        v2_error(
            StatusCode::UNAUTHORIZED,
            "Unauthorized: The publisher token is missing or invalid",
        )
    })
}

fn error(status: StatusCode, msg: impl Into<String>) -> Reply {
    v2_error(status, &msg.into())
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
            "type is required (e.g. Bundle, SpecialOffer, RollingOffer, PopUp, ProgressBar, CheckoutLink)"
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

fn fill(v: &mut Value, ids: &Ids, clock: &Clock, keep: Option<&Value>) {
    let now = clock.rfc3339();
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
fn create(ctx: &Ctx, app: &App) -> Reply {
    let mut body = match ctx.json_body() {
        Ok(b) => b,
        Err(r) => return r,
    };
    let id = match validate(&body) {
        Ok(id) => id,
        Err(msg) => return error(StatusCode::BAD_REQUEST, msg),
    };
    let mut unknown = Vec::new();
    unknown_keys(&body, fields::OFFER, "", &mut unknown);
    fill(&mut body, &app.ids, &app.clock, None);
    if !app.stores.appcharge.offers.put_new(id.clone(), &body) {
        return error(
            StatusCode::CONFLICT,
            format!("An offer with publisherOfferId {id} already exists"),
        );
    }
    Reply::json(StatusCode::CREATED, body)
        .with_unknown(unknown)
        .mutated()
}

/// `PUT /v2/offer/{publisherOfferId}`: replaces the offer (keeps `offerId` and `createdAt`).
fn update(ctx: &Ctx, app: &App) -> Reply {
    let id = ctx.param("publisherOfferId");
    let mut body = match ctx.json_body() {
        Ok(b) => b,
        Err(r) => return r,
    };
    if let Some(obj) = body.as_object_mut() {
        obj.entry("publisherOfferId").or_insert(json!(id));
    }
    match validate(&body) {
        Ok(body_id) if body_id != id => {
            return error(
                StatusCode::BAD_REQUEST,
                format!("publisherOfferId {body_id} in the body does not match {id} in the path"),
            );
        }
        Ok(_) => {}
        Err(msg) => return error(StatusCode::BAD_REQUEST, msg),
    }
    let mut unknown = Vec::new();
    unknown_keys(&body, fields::OFFER, "", &mut unknown);
    let updated = app.stores.appcharge.offers.update(id, |stored| {
        fill(&mut body, &app.ids, &app.clock, Some(stored));
        *stored = body.clone();
    });
    if updated.is_none() {
        return error(StatusCode::NOT_FOUND, format!("Offer {id} not found"));
    }
    Reply::ok(body).with_unknown(unknown).mutated()
}

/// `GET /v2/offer?publisherOfferIds=a,b`. `publisherOfferIds` is required, as Appcharge documents
/// it: without it (or with no id in it) the answer is a 400, since the vendor documents no way to
/// list every offer (what the real API answers then is not documented; docs/vendors.md).
fn list(ctx: &Ctx, app: &App) -> Reply {
    let ids: Vec<&str> = ctx
        .query("publisherOfferIds")
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if ids.is_empty() {
        return error(
            StatusCode::BAD_REQUEST,
            "publisherOfferIds is required: one or more publisherOfferId values, separated by commas",
        );
    }
    let offers: Vec<Value> = ids
        .into_iter()
        .filter_map(|id| app.stores.appcharge.offers.get(id))
        .collect();
    Reply::ok(json!({"totalCount": offers.len(), "offers": offers}))
}

/// `GET /v2/offer/{publisherOfferId}` (a convenience; Appcharge documents the list form).
fn get(ctx: &Ctx, app: &App) -> Reply {
    let id = ctx.param("publisherOfferId");
    match app.stores.appcharge.offers.get_serialized(id) {
        Some(v) => Reply::ok_serialized(v),
        None => error(StatusCode::NOT_FOUND, format!("Offer {id} not found")),
    }
}

/// `DELETE /v2/offer/{publisherOfferId}`: returns the deleted offer.
fn delete(ctx: &Ctx, app: &App) -> Reply {
    let id = ctx.param("publisherOfferId");
    match app.stores.appcharge.offers.remove(id) {
        Some(v) => Reply::ok(v).mutated(),
        None => error(StatusCode::NOT_FOUND, format!("Offer {id} not found")),
    }
}

/// Normalises a seeded Appcharge offer.
fn normalize_seed_offer(
    offer: &Value,
    ids: &Ids,
    clock: &Clock,
) -> Result<(String, Value), String> {
    let id = offer
        .get("publisherOfferId")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty() && !s.contains('/'))
        .ok_or("publisherOfferId is required (a non-empty string without '/')")?
        .to_owned();
    let mut v = offer.clone();
    let keep = offer.clone();
    fill(&mut v, ids, clock, Some(&keep));
    if let (Some(obj), Some(updated)) = (v.as_object_mut(), keep.get("updatedAt")) {
        obj.insert("updatedAt".to_owned(), updated.clone());
    }
    Ok((id, v))
}
