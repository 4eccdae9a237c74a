//! Product ingestion (`/rp/product-ingestion`): configure jobs and private offers.

use std::collections::HashMap;

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::config::JobProgression;
use crate::errors;
use crate::fields;
use crate::reply::{Ctx, Reply};
use crate::server::Shared;
use crate::state::{Job, JobOutcome, lock};
use crate::util::{IdGen, now_rfc3339, today, unix_millis};

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
    errors::ingestion(StatusCode::BAD_REQUEST, "BadRequest", message)
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
    fields::unknown_keys(body, fields::CONFIGURE, "", &mut unknown);
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
        fields::unknown_keys(
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
pub(crate) fn configure(ctx: &Ctx, sh: &Shared) -> Reply {
    if let Some(r) = check_version(ctx, &[CONFIGURE_VERSION]) {
        return r;
    }
    let body = match super::json_body(ctx) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let unknown = match validate_envelope(&body) {
        Ok(u) => u,
        Err(msg) => return bad(msg),
    };
    let job = Job {
        job_id: sh.ids.guid(),
        created_ms: unix_millis(),
        polls: 0,
        job_start: now_rfc3339(),
        resources: body
            .get("resources")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default(),
        outcome: None,
    };
    let view = status_json(&job, 0, sh);
    sh.stores.jobs.put(job);
    Reply::json(StatusCode::ACCEPTED, view)
        .with_unknown(unknown)
        .mutated()
}

fn step_of(job: &Job, progression: JobProgression) -> u32 {
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
            let elapsed = u128::try_from(unix_millis().saturating_sub(job.created_ms)).unwrap_or(0);
            match d.as_millis() {
                0 => 2,
                step => u32::try_from((elapsed / step).min(2)).unwrap_or(2),
            }
        }
    }
}

fn status_json(job: &Job, step: u32, sh: &Shared) -> Value {
    let (status, result) = match (&job.outcome, step) {
        (Some(o), _) => (
            "completed",
            if o.succeeded { "succeeded" } else { "failed" },
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
    let _ = sh;
    v
}

/// Advances a job by one poll (when `poll`), completes it when due, and returns its status view.
fn observe(sh: &Shared, cell: &std::sync::Mutex<Job>, poll: bool) -> (Value, bool) {
    let mut job = lock(cell);
    if poll && job.outcome.is_none() {
        job.polls = job.polls.saturating_add(1);
    }
    let step = step_of(&job, sh.config.job_progression);
    let mut completed_now = false;
    if step >= 2 && job.outcome.is_none() {
        let outcome = apply(sh, &job);
        job.outcome = Some(outcome);
        completed_now = true;
    }
    (status_json(&job, step, sh), completed_now)
}

/// Completes time-based jobs that are due (so reads reflect them without a status poll).
fn settle_due(sh: &Shared) {
    if matches!(sh.config.job_progression, JobProgression::Time(_)) {
        for cell in sh.stores.jobs.pending() {
            let _ = observe(sh, &cell, false);
        }
    }
}

/// `GET /configure/{jobId}/status`.
pub(crate) fn job_status(ctx: &Ctx, sh: &Shared, id: &str) -> Reply {
    if let Some(r) = check_version(ctx, &[CONFIGURE_VERSION, READ_VERSION]) {
        return r;
    }
    let Some(cell) = sh.stores.jobs.get(id) else {
        return errors::ingestion(
            StatusCode::NOT_FOUND,
            "NotFound",
            format!("Job {id} was not found."),
        );
    };
    let (view, completed_now) = observe(sh, &cell, true);
    let reply = Reply::ok(view);
    if completed_now {
        reply.mutated()
    } else {
        reply
    }
}

/// `GET /configure/{jobId}`: the resources of a completed job.
pub(crate) fn job_details(ctx: &Ctx, sh: &Shared, id: &str) -> Reply {
    if let Some(r) = check_version(ctx, &[CONFIGURE_VERSION, READ_VERSION]) {
        return r;
    }
    let Some(cell) = sh.stores.jobs.get(id) else {
        return errors::ingestion(
            StatusCode::NOT_FOUND,
            "NotFound",
            format!("Job {id} was not found."),
        );
    };
    settle_due(sh);
    let job = lock(&cell);
    match &job.outcome {
        Some(o) => Reply::ok(json!({"$schema": CONFIGURE_SCHEMA, "resources": o.resources})),
        None => bad(format!(
            "Job {id} has not completed yet; poll /configure/{id}/status until jobStatus is completed."
        )),
    }
}

/// `GET /private-offer/query`.
pub(crate) fn query_offers(ctx: &Ctx, sh: &Shared) -> Reply {
    if let Some(r) = check_version(ctx, &[READ_VERSION]) {
        return r;
    }
    settle_due(sh);
    Reply::ok(json!({"value": sh.stores.offers.values()}))
}

/// `GET /private-offer/{id}`.
pub(crate) fn get_offer(ctx: &Ctx, sh: &Shared, id: &str) -> Reply {
    if let Some(r) = check_version(ctx, &[READ_VERSION]) {
        return r;
    }
    settle_due(sh);
    match sh
        .stores
        .offers
        .get_serialized(&format!("private-offer/{id}"))
    {
        Some(v) => Reply::ok_serialized(v),
        None => errors::ingestion(StatusCode::NOT_FOUND, "NotFound", "Resource not found"),
    }
}

fn err(code: &str, message: String) -> Value {
    json!({"code": code, "message": message})
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

fn is_partner(offer_type: &str) -> bool {
    offer_type.eq_ignore_ascii_case("multipartyPromotionChannelPartner")
}

fn touch(v: &mut Value, state: Option<&str>, ids: &IdGen) {
    if let Some(obj) = v.as_object_mut() {
        if let Some(s) = state {
            obj.insert("state".to_owned(), json!(s));
        }
        obj.insert("lastModified".to_owned(), json!(today()));
        obj.insert("eTag".to_owned(), json!(format!("\"{}\"", ids.guid())));
    }
}

/// Evaluates one resource against the working set; `Err` is the job error.
fn plan_one(
    res: &Value,
    work: &mut HashMap<String, Value>,
    sh: &Shared,
) -> Result<(Option<String>, bool), Value> {
    let requested_state = canonical(text(res, "state"), STATES);
    let role_partner = is_partner(text(res, "privateOfferType"));
    let Some(id) = res.get("id").and_then(Value::as_str) else {
        // Create.
        let state = requested_state.unwrap_or("draft");
        if !matches!(state, "draft" | "live") {
            return Err(err(
                "BadRequest",
                format!("A new private offer can be created in state draft or live, not {state}."),
            ));
        }
        let key = format!("private-offer/{}", sh.ids.guid());
        let mut offer = res.clone();
        if let Some(obj) = offer.as_object_mut() {
            obj.insert("id".to_owned(), json!(key));
            if let Some(t) = canonical(text(res, "privateOfferType"), OFFER_TYPES) {
                obj.insert("privateOfferType".to_owned(), json!(t));
            }
        }
        touch(&mut offer, Some(state), &sh.ids);
        work.insert(key.clone(), offer);
        return Ok((Some(key), false));
    };
    let current = match work.get(id) {
        Some(v) => v.clone(),
        None => match sh.stores.offers.get_clone(id) {
            Some(v) => v,
            None => {
                return Err(err(
                    "NotFound",
                    format!("Private offer {id} was not found."),
                ));
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
                return Err(err(
                    "Forbidden",
                    format!(
                        "Only the originator (ISV) can delete multiparty private offer {id}; the channel partner cannot."
                    ),
                ));
            }
            if stored_state != "draft" {
                return Err(err(
                    "Conflict",
                    format!(
                        "Private offer {id} is {stored_state}; only a draft private offer can be deleted (withdraw a live offer instead)."
                    ),
                ));
            }
            touch(&mut next, Some("deleted"), &sh.ids);
            work.insert(id.to_owned(), next);
            Ok((None, true))
        }
        Some("withdrawn") => {
            if stored_state == "withdrawn" {
                return Err(err(
                    "Conflict",
                    format!("Private offer {id} is already withdrawn."),
                ));
            }
            if stored_state != "live" {
                return Err(err(
                    "Conflict",
                    format!(
                        "Private offer {id} is {stored_state}; only a live private offer can be withdrawn (delete a draft instead)."
                    ),
                ));
            }
            let sub = match current.get("subState").and_then(Value::as_str) {
                Some(s) => s.to_ascii_lowercase(),
                None if is_mpo => "pendingpartneraction".to_owned(),
                None => "pendingacceptance".to_owned(),
            };
            if sub == "accepted" {
                return Err(err(
                    "Conflict",
                    format!(
                        "Private offer {id} has been accepted by the customer and can no longer be withdrawn."
                    ),
                ));
            }
            if role_partner {
                if !is_mpo {
                    return Err(err(
                        "Forbidden",
                        format!(
                            "Private offer {id} is not a multiparty private offer; a channel partner cannot withdraw it."
                        ),
                    ));
                }
                if sub == "pendingpartneraction" {
                    return Err(err(
                        "Conflict",
                        format!(
                            "The selling partner has not published private offer {id}; there is nothing for the partner to withdraw."
                        ),
                    ));
                }
                if let Some(obj) = next.as_object_mut() {
                    obj.insert("subState".to_owned(), json!("pendingPartnerAction"));
                }
                touch(&mut next, None, &sh.ids);
            } else {
                if is_mpo && sub == "pendingacceptance" {
                    return Err(err(
                        "Conflict",
                        format!(
                            "The selling partner has published private offer {id} to the customer; the partner must withdraw it before the ISV can."
                        ),
                    ));
                }
                touch(&mut next, Some("withdrawn"), &sh.ids);
            }
            work.insert(id.to_owned(), next);
            Ok((Some(id.to_owned()), false))
        }
        other => {
            if stored_state != "draft" {
                return Err(err(
                    "Conflict",
                    format!(
                        "Private offer {id} is {stored_state}; only a draft private offer can be updated."
                    ),
                ));
            }
            if let (Some(target), Some(src)) = (next.as_object_mut(), res.as_object()) {
                for (k, v) in src {
                    target.insert(k.clone(), v.clone());
                }
            }
            touch(&mut next, Some(other.unwrap_or("draft")), &sh.ids);
            work.insert(id.to_owned(), next);
            Ok((Some(id.to_owned()), false))
        }
    }
}

/// Applies a job's resources atomically: all changes or none.
fn apply(sh: &Shared, job: &Job) -> JobOutcome {
    let _guard = lock(&sh.ingestion_apply);
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
        match plan_one(res, &mut work, sh) {
            Ok((key, deleted)) => {
                only_deletes &= deleted;
                touched.push(Ok(key.unwrap_or_else(|| text(res, "id").to_owned())));
            }
            Err(e) => errs.push(e),
        }
    }
    let end = now_rfc3339();
    if !errs.is_empty() {
        return JobOutcome {
            succeeded: false,
            errors: errs,
            resource_uri: None,
            job_end: end,
            resources: Vec::new(),
        };
    }
    for (k, v) in &work {
        sh.stores.offers.put(k.clone(), v.clone());
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
            sh.base_url, job.job_id
        )
    });
    sh.mark_dirty();
    JobOutcome {
        succeeded: true,
        errors: Vec::new(),
        resource_uri,
        job_end: end,
        resources,
    }
}

/// Normalises a seeded private offer: `id` gets its `private-offer/` prefix, `state` defaults to draft.
pub(crate) fn normalize_seed_offer(offer: &Value, ids: &IdGen) -> Result<(String, Value), String> {
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
