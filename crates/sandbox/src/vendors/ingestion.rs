//! Partner Center product ingestion (`/rp/product-ingestion`): configure jobs (and their cancellation)
//! and private offers, their store and seeding, the `{"error":{"code","message","details"}}` dialect with
//! lowerCamel codes, job errors shaped like Microsoft's `inner-error` (`code`, `message`, `resourceId`,
//! `details`), and the bearer check. Sources: `docs/vendors.md`, "Partner Center product ingestion".

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use axum::http::StatusCode;
use offerkit_models::Vendor;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::app::App;
use crate::config::JobProgression;
use crate::generated::fields::partner_center_ingestion as fields;
use crate::reply::{Ctx, Reply};
use crate::quota::{BucketKey, QuotaScope};
use crate::routing::{Api, Route, generic_throttle};
use crate::store::{ApiStore, Collection, each, list, section};
use crate::unknown::unknown_keys;
use crate::util::clock::{Clock, at_vendor_precision};
use crate::util::form::encode_component;
use crate::util::ids::Ids;
use crate::util::sync::{lock, read, write};
use crate::vendors::identity::{TokenProblem, bearer_tenant, check_bearer};

/// The product-ingestion API.
pub(crate) static INGESTION: Api = Api {
    vendor: Some(Vendor::PartnerCenterIngestion),
    name: "ingestion",
    owns: |path| path.starts_with("/rp/product-ingestion"),
    routes: &[
        Route::new("POST", "/rp/product-ingestion/configure", configure),
        Route::new("GET", "/rp/product-ingestion/configure/{jobId}/status", job_status),
        Route::new("POST", "/rp/product-ingestion/configure/{jobId}/cancel", cancel_job),
        Route::new("GET", "/rp/product-ingestion/configure/{jobId}", job_details),
        Route::new("GET", "/rp/product-ingestion/private-offer/query", query_offers),
        Route::new("GET", "/rp/product-ingestion/private-offer/{id}", get_offer),
    ],
    // Clients that send the resource id with its `private-offer/` prefix.
    aliases: &[(
        "/rp/product-ingestion/private-offer/private-offer/{id}",
        "/rp/product-ingestion/private-offer/{id}",
    )],
    authorize: Some(authorize),
    quota_buckets: Some(|ctx, app| vec![BucketKey::new(QuotaScope::Ingestion, bearer_tenant(ctx, app).to_ascii_lowercase())]),
    error: |status, message, _, _| error(status, ingestion_code(status), message),
    throttle: |secs, url| generic_throttle(INGESTION.error, secs, url),
};

/// The APIs of this slice.
pub(crate) static APIS: &[&Api] = &[&INGESTION];

/// Private offers and configure jobs.
#[derive(Debug, Default)]
pub(crate) struct Store {
    /// Private offers keyed by `private-offer/<id>`.
    pub(crate) offers: Collection,
    /// Configure jobs.
    pub(crate) jobs: Jobs,
    /// Held while a completed job is applied, so two jobs never interleave their changes.
    pub(crate) apply: Mutex<()>,
}

/// A parsed `ingestion` seed section.
pub(crate) struct Seed {
    offers: Vec<(String, Value)>,
    jobs: Vec<Job>,
}

impl ApiStore for Store {
    const SEED_KEY: &'static str = "ingestion";
    type Seed = Seed;

    fn parse_seed(section_value: Option<&Value>, ids: &Ids, _: &Clock) -> Result<Seed, String> {
        let ing = section(section_value, "ingestion")?;
        let offers = each(
            list(ing.get("privateOffers"), "ingestion.privateOffers")?,
            "ingestion.privateOffers",
            |o| normalize_seed_offer(o, ids),
        )?;
        let jobs = each(list(ing.get("jobs"), "ingestion.jobs")?, "ingestion.jobs", |j| {
            serde_json::from_value::<Job>(j.clone())
                .map(Job::into_vendor_form)
                .map_err(|e| e.to_string())
        })?;
        Ok(Seed { offers, jobs })
    }

    fn apply_seed(&self, seed: Seed) -> Vec<(&'static str, usize)> {
        let counts = vec![("privateOffers", seed.offers.len()), ("jobs", seed.jobs.len())];
        for (k, v) in seed.offers {
            self.offers.put(k, &v);
        }
        for job in seed.jobs {
            self.jobs.put(job);
        }
        counts
    }

    fn snapshot(&self) -> Value {
        json!({"privateOffers": self.offers.values(), "jobs": self.jobs.snapshot()})
    }

    fn clear(&self) {
        self.offers.clear();
        self.jobs.clear();
    }
}

/// `{"error":{"code","message","details":[]}}` (the response-error sample of Microsoft's
/// product-ingestion API doc carries `details`).
fn error(status: StatusCode, code: &str, message: impl Into<String>) -> Reply {
    Reply::json(
        status,
        json!({"error": {"code": code, "message": message.into(), "details": []}}),
    )
}

/// The lowerCamel error code of an HTTP status (`badRequest`, `conflict`, `notFound`, ...).
fn ingestion_code(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "badRequest",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "notFound",
        405 => "methodNotAllowed",
        409 => "conflict",
        413 => "payloadTooLarge",
        429 => "tooManyRequests",
        503 => "serviceUnavailable",
        500..=599 => "internalServerError",
        _ => "error",
    }
}

fn authorize(ctx: &Ctx, app: &App) -> Option<Reply> {
    check_bearer(ctx, app, Vendor::PartnerCenterIngestion).err().map(|p| {
        let msg = match p {
            TokenProblem::Missing => "Access token is empty.",
            TokenProblem::Unknown => "Access token validation failure. Invalid audience or unknown token.",
            TokenProblem::Expired => "Lifetime validation failed, the token is expired.",
            TokenProblem::WrongAudience => "Access token validation failure. Invalid audience: the token was not issued for https://graph.microsoft.com/.",
        };
        error(StatusCode::UNAUTHORIZED, "InvalidAuthenticationToken", msg)
            .header("www-authenticate", "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\"")
    })
}

/// `$version` of configure and status calls.
pub(crate) const CONFIGURE_VERSION: &str = "2022-07-01";
/// `$version` of private-offer reads.
pub(crate) const READ_VERSION: &str = "2023-07-15";
const STATUS_SCHEMA: &str = "https://schema.mp.microsoft.com/schema/configure-status/2022-07-01";
const CONFIGURE_SCHEMA: &str = "https://schema.mp.microsoft.com/schema/configure/2022-07-01";
const OFFER_SCHEMA: &str = "https://schema.mp.microsoft.com/schema/private-offer/2023-07-15";
const NOT_ENDED: &str = "0001-01-01";
const OFFER_TYPES: &[&str] = &[
    "customerPromotion",
    "cspPromotion",
    "multipartyPromotionOriginator",
    "multipartyPromotionChannelPartner",
];
const STATES: &[&str] = &["draft", "live", "withdrawn", "deleted"];

fn bad(message: impl Into<String>) -> Reply {
    error(StatusCode::BAD_REQUEST, "badRequest", message)
}

fn check_version(ctx: &Ctx, allowed: &[&str]) -> Option<Reply> {
    match ctx.query("$version") {
        None => Some(bad(format!(
            "The $version query parameter is required (use $version={}).",
            allowed.join(" or $version=")
        ))),
        Some(v) if allowed.contains(&v.trim()) => None,
        Some(v) => Some(bad(format!(
            "Unsupported $version '{v}' for this operation; use {}.",
            allowed.join(" or ")
        ))),
    }
}

/// Strips all whitespace (the docs print schema URIs with stray spaces).
fn squash(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

fn canonical(value: &str, allowed: &[&str]) -> Option<&'static str> {
    OFFER_TYPES
        .iter()
        .chain(STATES.iter())
        .copied()
        .find(|a| allowed.contains(a) && a.eq_ignore_ascii_case(value.trim()))
}

fn is_private_offer(resource: &Value) -> bool {
    resource
        .get("$schema")
        .and_then(Value::as_str)
        .is_some_and(|s| squash(s).contains("/private-offer/"))
        || resource
            .get("$schema")
            .and_then(Value::as_str)
            .is_some_and(|s| squash(s).contains("/private-offer-mpo"))
}

/// Validates the envelope; returns unknown fields on success.
fn validate_envelope(body: &Value) -> Result<Vec<String>, String> {
    let obj = body
        .as_object()
        .ok_or("Schema validation failed: the request body must be a JSON object.")?;
    let schema = obj
        .get("$schema")
        .and_then(Value::as_str)
        .ok_or("Schema validation failed: '$schema' is required.")?;
    if !squash(schema).ends_with("/configure/2022-07-01") {
        return Err(format!(
            "Schema validation failed: '$schema' must be {CONFIGURE_SCHEMA}, got '{schema}'."
        ));
    }
    let resources = obj
        .get("resources")
        .and_then(Value::as_array)
        .ok_or("Schema validation failed: 'resources' is required and must be an array.")?;
    if resources.is_empty() {
        return Err(
            "Schema validation failed: 'resources' must contain at least one resource.".to_owned(),
        );
    }
    let mut unknown = Vec::new();
    unknown_keys(body, fields::CONFIGURE_REQUEST, "", &mut unknown);
    for (i, r) in resources.iter().enumerate() {
        let ro = r.as_object().ok_or(format!(
            "Schema validation failed: resources[{i}] must be an object."
        ))?;
        let rs = ro.get("$schema").and_then(Value::as_str).ok_or(format!(
            "Schema validation failed: resources[{i}].$schema is required."
        ))?;
        if !is_private_offer(r) {
            if !squash(rs).contains("schema.mp.microsoft.com")
                && !squash(rs).contains("product-ingestion")
            {
                return Err(format!(
                    "Schema validation failed: resources[{i}].$schema '{rs}' is not a known resource schema."
                ));
            }
            continue;
        }
        unknown_keys(
            r,
            fields::PRIVATE_OFFER,
            &format!("resources[{i}]."),
            &mut unknown,
        );
        for (field, allowed) in [("privateOfferType", OFFER_TYPES), ("state", STATES)] {
            match ro.get(field) {
                None | Some(Value::Null) => {}
                Some(Value::String(s)) if canonical(s, allowed).is_some() => {}
                Some(other) => {
                    return Err(format!(
                        "Schema validation failed: resources[{i}].{field} must be one of {}, got {other}.",
                        allowed.join(", ")
                    ));
                }
            }
        }
        match ro.get("id") {
            None | Some(Value::Null) => {
                if !ro.get("name").is_some_and(Value::is_string) {
                    return Err(format!(
                        "Schema validation failed: resources[{i}].name is required to create a private offer."
                    ));
                }
                if ro.get("privateOfferType").is_none() {
                    return Err(format!(
                        "Schema validation failed: resources[{i}].privateOfferType is required to create a private offer."
                    ));
                }
            }
            Some(Value::String(id))
                if id.starts_with("private-offer/") && id.len() > "private-offer/".len() => {}
            Some(other) => {
                return Err(format!(
                    "Schema validation failed: resources[{i}].id must look like \"private-offer/<id>\", got {other}."
                ));
            }
        }
        for field in ["name", "preparedBy", "notes", "start", "end", "acceptBy"] {
            if ro
                .get(field)
                .is_some_and(|v| !v.is_string() && !v.is_null())
            {
                return Err(format!(
                    "Schema validation failed: resources[{i}].{field} must be a string."
                ));
            }
        }
        for field in [
            "pricing",
            "beneficiaries",
            "partners",
            "notificationContacts",
        ] {
            if ro.get(field).is_some_and(|v| !v.is_array() && !v.is_null()) {
                return Err(format!(
                    "Schema validation failed: resources[{i}].{field} must be an array."
                ));
            }
        }
    }
    Ok(unknown)
}

/// `POST /configure`.
fn configure(ctx: &Ctx, app: &App) -> Reply {
    if let Some(r) = check_version(ctx, &[CONFIGURE_VERSION]) {
        return r;
    }
    let body = match ctx.json_body() {
        Ok(b) => b,
        Err(r) => return r,
    };
    let unknown = match validate_envelope(&body) {
        Ok(u) => u,
        Err(msg) => return bad(msg),
    };
    let job = Job {
        job_id: app.ids.guid(),
        created_ms: app.clock.unix_millis(),
        polls: 0,
        job_start: app.clock.rfc3339(),
        resources: body
            .get("resources")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default(),
        outcome: None,
    };
    let view = status_json(&job, 0, app);
    app.stores.ingestion.jobs.put(job);
    Reply::json(StatusCode::ACCEPTED, view)
        .with_unknown(unknown)
        .mutated()
}

fn step_of(job: &Job, progression: JobProgression, now_millis: i64) -> u32 {
    if job.outcome.is_some() {
        return 2;
    }
    match progression {
        JobProgression::Polls(0) => {
            if job.polls > 0 {
                2
            } else {
                0
            }
        }
        JobProgression::Polls(k) => (job.polls / k).min(2),
        JobProgression::Time(d) => {
            let elapsed = u128::try_from(now_millis.saturating_sub(job.created_ms)).unwrap_or(0);
            match d.as_millis() {
                0 => 2,
                step => u32::try_from((elapsed / step).min(2)).unwrap_or(2),
            }
        }
    }
}

fn status_json(job: &Job, step: u32, app: &App) -> Value {
    let (status, result) = match (&job.outcome, step) {
        (Some(o), _) => (
            "completed",
            if o.succeeded {
                "succeeded"
            } else if o.cancelled {
                "cancelled"
            } else {
                "failed"
            },
        ),
        (None, 0) => ("notStarted", "pending"),
        (None, _) => ("running", "pending"),
    };
    let mut v = json!({
        "$schema": STATUS_SCHEMA,
        "jobId": job.job_id,
        "jobStatus": status,
        "jobResult": result,
        "jobStart": job.job_start,
        "jobEnd": job.outcome.as_ref().map_or(NOT_ENDED.to_owned(), |o| o.job_end.clone()),
        "errors": job.outcome.as_ref().map_or(Vec::new(), |o| o.errors.clone()),
    });
    if let (Some(uri), Some(obj)) = (
        job.outcome.as_ref().and_then(|o| o.resource_uri.clone()),
        v.as_object_mut(),
    ) {
        obj.insert("resourceUri".to_owned(), json!(uri));
    }
    let _ = app;
    v
}

/// Advances a job by one poll (when `poll`), completes it when due, and returns its status view.
fn observe(app: &App, cell: &std::sync::Mutex<Job>, poll: bool) -> (Value, bool) {
    let mut job = lock(cell);
    if poll && job.outcome.is_none() {
        job.polls = job.polls.saturating_add(1);
    }
    let step = step_of(&job, app.config.job_progression, app.clock.unix_millis());
    let mut completed_now = false;
    if step >= 2 && job.outcome.is_none() {
        let outcome = apply(app, &job);
        job.outcome = Some(outcome);
        completed_now = true;
    }
    (status_json(&job, step, app), completed_now)
}

/// Completes time-based jobs that are due (so reads reflect them without a status poll).
fn settle_due(app: &App) {
    if matches!(app.config.job_progression, JobProgression::Time(_)) {
        for cell in app.stores.ingestion.jobs.pending() {
            let _ = observe(app, &cell, false);
        }
    }
}

/// `GET /configure/{jobId}/status`.
fn job_status(ctx: &Ctx, app: &App) -> Reply {
    let id = ctx.param("jobId");
    if let Some(r) = check_version(ctx, &[CONFIGURE_VERSION, READ_VERSION]) {
        return r;
    }
    let Some(cell) = app.stores.ingestion.jobs.get(id) else {
        return error(
            StatusCode::NOT_FOUND,
            "notFound",
            format!("Job {id} was not found."),
        );
    };
    let (view, completed_now) = observe(app, &cell, true);
    let reply = Reply::ok(view);
    if completed_now {
        reply.mutated()
    } else {
        reply
    }
}

/// `GET /configure/{jobId}`: the resources of a completed job.
fn job_details(ctx: &Ctx, app: &App) -> Reply {
    let id = ctx.param("jobId");
    if let Some(r) = check_version(ctx, &[CONFIGURE_VERSION, READ_VERSION]) {
        return r;
    }
    let Some(cell) = app.stores.ingestion.jobs.get(id) else {
        return error(
            StatusCode::NOT_FOUND,
            "notFound",
            format!("Job {id} was not found."),
        );
    };
    settle_due(app);
    let job = lock(&cell);
    match &job.outcome {
        Some(o) => Reply::ok(json!({"$schema": CONFIGURE_SCHEMA, "resources": o.resources})),
        None => bad(format!(
            "Job {id} has not completed yet; poll /configure/{id}/status until jobStatus is completed."
        )),
    }
}

/// `POST /configure/{jobId}/cancel` ("Cancel a configuration request" in Microsoft's product-ingestion
/// API doc): a job that has not completed ends as `cancelled` without applying anything. The answer's
/// status and body are not documented: the sandbox answers 200 with the job status (assumed), and 409
/// `conflict` for a job that already completed.
fn cancel_job(ctx: &Ctx, app: &App) -> Reply {
    let id = ctx.param("jobId");
    if let Some(r) = check_version(ctx, &[CONFIGURE_VERSION]) {
        return r;
    }
    let Some(cell) = app.stores.ingestion.jobs.get(id) else {
        return error(
            StatusCode::NOT_FOUND,
            "notFound",
            format!("Job {id} was not found."),
        );
    };
    settle_due(app);
    let mut job = lock(&cell);
    if job.outcome.is_some() {
        return error(
            StatusCode::CONFLICT,
            "conflict",
            format!("Job {id} has already completed and can no longer be cancelled."),
        );
    }
    job.outcome = Some(JobOutcome {
        succeeded: false,
        cancelled: true,
        errors: Vec::new(),
        resource_uri: None,
        job_end: app.clock.rfc3339(),
        resources: Vec::new(),
    });
    app.mark_dirty();
    Reply::ok(status_json(&job, 2, app)).mutated()
}

/// Offers per query page unless `$maxpagesize` says otherwise (assumed: Microsoft documents no size).
const QUERY_PAGE_SIZE: usize = 100;
/// The largest `$maxpagesize` the sandbox accepts.
const MAX_QUERY_PAGE_SIZE: usize = 1000;

/// `GET /private-offer/query`: the offers under `privateOffers` (the key the only tested public client,
/// dstarr/partner-center-cli, reads), in pages of `$maxpagesize`, each linking the next by `@nextLink`
/// (the product list's documented spelling) with an opaque `$skipToken`.
fn query_offers(ctx: &Ctx, app: &App) -> Reply {
    if let Some(r) = check_version(ctx, &[READ_VERSION]) {
        return r;
    }
    let size = match ctx.query("$maxpagesize") {
        None => QUERY_PAGE_SIZE,
        Some(text) => match text.trim().parse::<usize>() {
            Ok(n) if (1..=MAX_QUERY_PAGE_SIZE).contains(&n) => n,
            _ => {
                return bad(format!(
                    "$maxpagesize must be an integer between 1 and {MAX_QUERY_PAGE_SIZE}."
                ));
            }
        },
    };
    settle_due(app);
    let after = ctx.query("$skipToken").filter(|t| !t.is_empty());
    let offers = &app.stores.ingestion.offers;
    let (page, _) = offers.page(after, size);
    let mut body = json!({});
    if page.len() == size
        && let Some((last, _)) = page.last()
        && !offers.page(Some(last), 1).0.is_empty()
        && let Some(obj) = body.as_object_mut()
    {
        obj.insert(
            "@nextLink".to_owned(),
            json!(format!(
                "{}/rp/product-ingestion/private-offer/query?$version={READ_VERSION}&$maxpagesize={size}&$skipToken={}",
                app.base_url,
                encode_component(last)
            )),
        );
    }
    let items: Vec<Value> = page.into_iter().map(|(_, v)| v).collect();
    if let Some(obj) = body.as_object_mut() {
        obj.insert("privateOffers".to_owned(), Value::Array(items));
    }
    Reply::ok(body)
}

/// `GET /private-offer/{id}`.
fn get_offer(ctx: &Ctx, app: &App) -> Reply {
    let id = ctx.param("id");
    if let Some(r) = check_version(ctx, &[READ_VERSION]) {
        return r;
    }
    settle_due(app);
    match app
        .stores
        .ingestion
        .offers
        .get_serialized(&format!("private-offer/{id}"))
    {
        Some(v) => Reply::ok_serialized(v),
        None => error(StatusCode::NOT_FOUND, "notFound", "Resource not found"),
    }
}

/// A job error as Microsoft's `inner-error` schema has it: lowerCamel `code`, `message`, the
/// `resourceId` it is about (the durable id, or `{"resourceName": …}` for a resource being created) and
/// a `details` list (empty here; a production client refuses an error without it).
fn job_error(code: &str, message: String, resource: &Value) -> Value {
    let resource_id = match resource.get("id").and_then(Value::as_str) {
        Some(id) => json!(id),
        None => match resource.get("resourceName").and_then(Value::as_str) {
            Some(name) => json!({"resourceName": name}),
            None => Value::Null,
        },
    };
    json!({"code": code, "message": message, "resourceId": resource_id, "details": []})
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

fn is_partner(offer_type: &str) -> bool {
    offer_type.eq_ignore_ascii_case("multipartyPromotionChannelPartner")
}

fn touch(v: &mut Value, state: Option<&str>, ids: &Ids, clock: &Clock) {
    if let Some(obj) = v.as_object_mut() {
        if let Some(s) = state {
            obj.insert("state".to_owned(), json!(s));
        }
        obj.insert("lastModified".to_owned(), json!(clock.today()));
        obj.insert("eTag".to_owned(), json!(format!("\"{}\"", ids.guid())));
    }
}

/// Evaluates one resource against the working set; `Err` is the job error.
fn plan_one(
    res: &Value,
    work: &mut HashMap<String, Value>,
    app: &App,
) -> Result<(Option<String>, bool), Value> {
    let requested_state = canonical(text(res, "state"), STATES);
    let role_partner = is_partner(text(res, "privateOfferType"));
    let Some(id) = res.get("id").and_then(Value::as_str) else {
        // Create.
        let state = requested_state.unwrap_or("draft");
        if !matches!(state, "draft" | "live") {
            return Err(job_error(
                "badRequest",
                format!("A new private offer can be created in state draft or live, not {state}."), res));
        }
        let key = format!("private-offer/{}", app.ids.guid());
        let mut offer = res.clone();
        if let Some(obj) = offer.as_object_mut() {
            obj.insert("id".to_owned(), json!(key));
            if let Some(t) = canonical(text(res, "privateOfferType"), OFFER_TYPES) {
                obj.insert("privateOfferType".to_owned(), json!(t));
            }
        }
        touch(&mut offer, Some(state), &app.ids, &app.clock);
        work.insert(key.clone(), offer);
        return Ok((Some(key), false));
    };
    let current = match work.get(id) {
        Some(v) => v.clone(),
        None => match app.stores.ingestion.offers.get(id) {
            Some(v) => v,
            None => {
                return Err(job_error(
                "notFound",
                    format!("Private offer {id} was not found."), res));
            }
        },
    };
    let stored_state = text(&current, "state").to_ascii_lowercase();
    let stored_type = text(&current, "privateOfferType").to_ascii_lowercase();
    let is_mpo = stored_type.starts_with("multipartypromotion");
    let mut next = current.clone();
    match requested_state {
        Some("deleted") => {
            if role_partner {
                return Err(job_error(
                "forbidden",
                    format!(
                        "Only the originator (ISV) can delete multiparty private offer {id}; the channel partner cannot."
                    ), res));
            }
            if stored_state != "draft" {
                return Err(job_error(
                "conflict",
                    format!(
                        "Private offer {id} is {stored_state}; only a draft private offer can be deleted (withdraw a live offer instead)."
                    ), res));
            }
            touch(&mut next, Some("deleted"), &app.ids, &app.clock);
            work.insert(id.to_owned(), next);
            Ok((None, true))
        }
        Some("withdrawn") => {
            if stored_state == "withdrawn" {
                return Err(job_error(
                "conflict",
                    format!("Private offer {id} is already withdrawn."), res));
            }
            if stored_state != "live" {
                return Err(job_error(
                "conflict",
                    format!(
                        "Private offer {id} is {stored_state}; only a live private offer can be withdrawn (delete a draft instead)."
                    ), res));
            }
            let sub = match current.get("subState").and_then(Value::as_str) {
                Some(s) => s.to_ascii_lowercase(),
                None if is_mpo => "pendingpartneraction".to_owned(),
                None => "pendingacceptance".to_owned(),
            };
            if sub == "accepted" {
                return Err(job_error(
                "conflict",
                    format!(
                        "Private offer {id} has been accepted by the customer and can no longer be withdrawn."
                    ), res));
            }
            if role_partner {
                if !is_mpo {
                    return Err(job_error(
                "forbidden",
                        format!(
                            "Private offer {id} is not a multiparty private offer; a channel partner cannot withdraw it."
                        ), res));
                }
                if sub == "pendingpartneraction" {
                    return Err(job_error(
                "conflict",
                        format!(
                            "The selling partner has not published private offer {id}; there is nothing for the partner to withdraw."
                        ), res));
                }
                if let Some(obj) = next.as_object_mut() {
                    obj.insert("subState".to_owned(), json!("pendingPartnerAction"));
                }
                touch(&mut next, None, &app.ids, &app.clock);
            } else {
                if is_mpo && sub == "pendingacceptance" {
                    return Err(job_error(
                "conflict",
                        format!(
                            "The selling partner has published private offer {id} to the customer; the partner must withdraw it before the ISV can."
                        ), res));
                }
                touch(&mut next, Some("withdrawn"), &app.ids, &app.clock);
            }
            work.insert(id.to_owned(), next);
            Ok((Some(id.to_owned()), false))
        }
        other => {
            if stored_state != "draft" {
                return Err(job_error(
                "conflict",
                    format!(
                        "Private offer {id} is {stored_state}; only a draft private offer can be updated."
                    ), res));
            }
            if let (Some(target), Some(src)) = (next.as_object_mut(), res.as_object()) {
                for (k, v) in src {
                    target.insert(k.clone(), v.clone());
                }
            }
            touch(&mut next, Some(other.unwrap_or("draft")), &app.ids, &app.clock);
            work.insert(id.to_owned(), next);
            Ok((Some(id.to_owned()), false))
        }
    }
}

/// Applies a job's resources atomically: all changes or none.
fn apply(app: &App, job: &Job) -> JobOutcome {
    let _guard = lock(&app.stores.ingestion.apply);
    let mut work: HashMap<String, Value> = HashMap::new();
    let mut errs = Vec::new();
    let mut touched = Vec::new();
    let mut only_deletes = true;
    for res in &job.resources {
        if !is_private_offer(res) {
            only_deletes = false;
            touched.push(Err(res.clone()));
            continue;
        }
        match plan_one(res, &mut work, app) {
            Ok((key, deleted)) => {
                only_deletes &= deleted;
                touched.push(Ok(key.unwrap_or_else(|| text(res, "id").to_owned())));
            }
            Err(e) => errs.push(e),
        }
    }
    let end = app.clock.rfc3339();
    if !errs.is_empty() {
        return JobOutcome {
            succeeded: false,
            cancelled: false,
            errors: errs,
            resource_uri: None,
            job_end: end,
            resources: Vec::new(),
        };
    }
    for (k, v) in &work {
        app.stores.ingestion.offers.put(k.clone(), v);
    }
    let resources = touched
        .into_iter()
        .map(|t| match t {
            Ok(key) => work.get(&key).cloned().unwrap_or(Value::Null),
            Err(other) => other,
        })
        .collect();
    let resource_uri = (!only_deletes).then(|| {
        format!(
            "{}/rp/product-ingestion/configure/{}?$version={CONFIGURE_VERSION}",
            app.base_url, job.job_id
        )
    });
    app.mark_dirty();
    JobOutcome {
        succeeded: true,
        cancelled: false,
        errors: Vec::new(),
        resource_uri,
        job_end: end,
        resources,
    }
}

/// Normalises a seeded private offer: `id` gets its `private-offer/` prefix, `state` defaults to draft.
fn normalize_seed_offer(offer: &Value, ids: &Ids) -> Result<(String, Value), String> {
    let mut v = offer.clone();
    let obj = v
        .as_object_mut()
        .ok_or("a private offer must be an object")?;
    let id = match obj.get("id") {
        None | Some(Value::Null) => format!("private-offer/{}", ids.guid()),
        Some(Value::String(s)) if s.starts_with("private-offer/") => s.clone(),
        Some(Value::String(s)) if !s.is_empty() => format!("private-offer/{s}"),
        Some(_) => return Err("id must be a non-empty string".to_owned()),
    };
    obj.insert("id".to_owned(), json!(id));
    obj.entry("$schema").or_insert(json!(OFFER_SCHEMA));
    obj.entry("state").or_insert(json!("draft"));
    if let Some(s) = obj.get("state").and_then(Value::as_str)
        && canonical(s, STATES).is_none()
    {
        return Err(format!("state must be one of {}", STATES.join(", ")));
    }
    Ok((id, v))
}

/// A configure job: the request it was created from and, once completed, its outcome.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Job {
    /// The job id (a GUID).
    pub(crate) job_id: String,
    /// Creation time, Unix milliseconds.
    pub(crate) created_ms: i64,
    /// Status polls seen so far.
    #[serde(default)]
    pub(crate) polls: u32,
    /// `jobStart` as reported.
    pub(crate) job_start: String,
    /// The `resources` of the configure request.
    #[serde(default)]
    pub(crate) resources: Vec<Value>,
    /// Set when the job completed (its effect has then been applied).
    #[serde(default)]
    pub(crate) outcome: Option<JobOutcome>,
}

impl Job {
    /// A seeded job as the vendor would answer it: timestamps cut to 7 fractional digits, and every
    /// object error given the `details` list clients expect.
    fn into_vendor_form(mut self) -> Self {
        self.job_start = at_vendor_precision(&self.job_start);
        if let Some(outcome) = &mut self.outcome {
            outcome.job_end = at_vendor_precision(&outcome.job_end);
            for error in &mut outcome.errors {
                if let Some(obj) = error.as_object_mut() {
                    obj.entry("details").or_insert_with(|| json!([]));
                }
            }
        }
        self
    }
}

/// How a completed job ended.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct JobOutcome {
    /// `true` for `jobResult: succeeded`.
    pub(crate) succeeded: bool,
    /// `true` for `jobResult: cancelled` (`POST configure/{jobId}/cancel` before the job completed).
    #[serde(default)]
    pub(crate) cancelled: bool,
    /// `errors` items (`{code, message, resourceId, details}`).
    #[serde(default)]
    pub(crate) errors: Vec<Value>,
    /// `resourceUri` (absent for delete jobs and failures).
    #[serde(default)]
    pub(crate) resource_uri: Option<String>,
    /// `jobEnd`.
    pub(crate) job_end: String,
    /// The resources as they are after the job (for `GET /configure/{jobId}`).
    #[serde(default)]
    pub(crate) resources: Vec<Value>,
}

/// All jobs, each behind its own lock.
#[derive(Debug, Default)]
pub(crate) struct Jobs {
    map: RwLock<HashMap<String, Arc<Mutex<Job>>>>,
}

impl Jobs {
    pub(crate) fn put(&self, job: Job) {
        write(&self.map).insert(job.job_id.clone(), Arc::new(Mutex::new(job)));
    }

    pub(crate) fn get(&self, id: &str) -> Option<Arc<Mutex<Job>>> {
        read(&self.map).get(id).cloned()
    }

    /// Jobs not yet completed.
    pub(crate) fn pending(&self) -> Vec<Arc<Mutex<Job>>> {
        let cells: Vec<_> = read(&self.map).values().cloned().collect();
        cells
            .into_iter()
            .filter(|c| lock(c).outcome.is_none())
            .collect()
    }

    pub(crate) fn snapshot(&self) -> Vec<Value> {
        let cells: Vec<_> = read(&self.map).values().cloned().collect();
        let mut jobs: Vec<Job> = cells.iter().map(|c| lock(c).clone()).collect();
        jobs.sort_by(|a, b| {
            a.created_ms
                .cmp(&b.created_ms)
                .then_with(|| a.job_id.cmp(&b.job_id))
        });
        jobs.iter()
            .filter_map(|j| serde_json::to_value(j).ok())
            .collect()
    }

    pub(crate) fn clear(&self) {
        write(&self.map).clear();
    }
}
