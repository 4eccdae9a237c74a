//! The control API under `/_sandbox/`: health, state, seed, reset, journal, faults, clock, OpenAPI.
//! Its requests are neither journaled nor faulted.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::app::App;
use crate::faults::FaultRule;
use crate::quota::Quotas;
use crate::reply::{Ctx, Reply, sandbox_error};
use crate::routing::{Api, Route, generic_throttle};
use crate::store::SeedMode;
use crate::util::clock::parse_rfc3339_millis;

/// The seed route, whose body cap is [`crate::SandboxConfig::max_seed_body_bytes`].
pub(crate) const SEED_ROUTE: &str = "/_sandbox/seed";

/// The control API.
pub(crate) static CONTROL: Api = Api {
    vendor: None,
    name: "control",
    owns: |path| path.starts_with("/_sandbox"),
    routes: &[
        Route {
            method: "GET",
            template: "/_sandbox/health",
            handler: |_, _| {
                Reply::ok(json!({"status": "ok", "version": env!("CARGO_PKG_VERSION")}))
            },
        },
        Route::new("GET", "/_sandbox/state", |_, app| Reply::ok(app.snapshot())),
        Route::new("POST", SEED_ROUTE, seed),
        Route {
            method: "POST",
            template: "/_sandbox/reset",
            handler: |_, app| {
                app.stores.clear();
                Reply::ok(json!({"reset": true})).mutated()
            },
        },
        Route::new("GET", "/_sandbox/journal", journal),
        Route {
            method: "DELETE",
            template: "/_sandbox/journal",
            handler: |_, app| {
                app.journal.clear();
                Reply::ok(json!({"cleared": true}))
            },
        },
        Route::new("GET", "/_sandbox/faults", |_, app| {
            Reply::ok(app.faults.list_json())
        }),
        Route::new("POST", "/_sandbox/faults", add_faults),
        Route {
            method: "DELETE",
            template: "/_sandbox/faults",
            handler: |_, app| {
                app.faults.clear();
                Reply::ok(json!({"cleared": true}))
            },
        },
        Route::new("DELETE", "/_sandbox/faults/{id}", remove_fault),
        Route::new("GET", "/_sandbox/clock", |_, app| {
            Reply::ok(app.clock.json())
        }),
        Route::new("POST", "/_sandbox/clock", set_clock),
        Route {
            method: "DELETE",
            template: "/_sandbox/clock",
            handler: |_, app| {
                app.clock.use_real();
                Reply::ok(app.clock.json())
            },
        },
        Route::new("GET", QUOTAS_ROUTE, quotas),
        Route::new("PUT", QUOTAS_ROUTE, set_quotas),
        Route {
            method: "DELETE",
            template: QUOTAS_ROUTE,
            handler: |_, app| {
                app.quotas.set(Quotas::default());
                quotas_reply(app)
            },
        },
        Route {
            method: "POST",
            template: "/_sandbox/quotas/reset",
            handler: |_, app| {
                app.quotas.refill_all();
                quotas_reply(app)
            },
        },
        Route::new("GET", "/_sandbox/openapi.json", |_, _| {
            Reply::ok(crate::openapi::document())
        }),
    ],
    aliases: &[],
    authorize: None,
    quota_buckets: None,
    error: |status, message, _, _| sandbox_error(status, message),
    throttle: |secs, url| generic_throttle(CONTROL.error, secs, url),
};

fn bad(msg: impl Into<String>) -> Reply {
    sandbox_error(StatusCode::BAD_REQUEST, msg)
}

fn seed(ctx: &Ctx, app: &App) -> Reply {
    let mode = match ctx.query("mode") {
        None | Some("merge") => SeedMode::Merge,
        Some("replace") => SeedMode::Replace,
        Some(other) => return bad(format!("mode must be merge or replace, got {other:?}")),
    };
    let body = match ctx.json() {
        Ok(b) => b,
        Err(e) => return bad(e),
    };
    match app.seed(&body, mode) {
        Ok(summary) => Reply::ok(json!({"loaded": summary})).mutated(),
        Err(e) => bad(e),
    }
}

fn journal(ctx: &Ctx, app: &App) -> Reply {
    let limit = ctx.query("limit").and_then(|l| l.parse::<usize>().ok());
    let entries = app
        .journal
        .entries(ctx.query("method"), ctx.query("pathPrefix"), limit);
    Reply::ok(
        json!({"entries": entries, "counts": app.journal.counts_json(), "storage": app.journal.storage()}),
    )
}

fn add_faults(ctx: &Ctx, app: &App) -> Reply {
    let body = match ctx.json() {
        Ok(b) => b,
        Err(e) => return bad(e),
    };
    let rules: Vec<Value> = match body {
        Value::Array(items) => items,
        other => vec![other],
    };
    let mut parsed = Vec::new();
    for (i, r) in rules.into_iter().enumerate() {
        match serde_json::from_value::<FaultRule>(r) {
            Ok(rule) => parsed.push(rule),
            Err(e) => return bad(format!("fault rule {i}: {e}")),
        }
    }
    let mut ids = Vec::new();
    for rule in parsed {
        match app.faults.add(rule) {
            Ok(id) => ids.push(id.0),
            Err(e) => return bad(e),
        }
    }
    Reply::json(StatusCode::CREATED, json!({"ids": ids}))
}

fn remove_fault(ctx: &Ctx, app: &App) -> Reply {
    let id = ctx.param("id");
    match id.parse::<u64>() {
        Ok(n) if app.faults.remove(n) => Reply::ok(json!({"removed": n})),
        _ => sandbox_error(StatusCode::NOT_FOUND, format!("no fault rule with id {id}")),
    }
}

/// `/_sandbox/quotas`.
const QUOTAS_ROUTE: &str = "/_sandbox/quotas";

/// `GET /_sandbox/quotas`.
fn quotas(_: &Ctx, app: &App) -> Reply {
    quotas_reply(app)
}

/// The quotas, each bucket's tokens now, and the journal's per-bucket counts.
fn quotas_reply(app: &App) -> Reply {
    let mut body = app.quotas.json(app.clock.unix_millis());
    let counts = app.journal.counts_json();
    if let Some(obj) = body.as_object_mut() {
        for key in ["throttled", "throttledByBucket", "admittedByBucket"] {
            obj.insert(key.to_owned(), counts[key].clone());
        }
    }
    Reply::ok(body)
}

/// `PUT /_sandbox/quotas` with `{"orders": "300/min", "appcharge": "600/min,burst=10"}`:
/// replaces every quota (`{}` removes them all); every bucket starts full.
fn set_quotas(ctx: &Ctx, app: &App) -> Reply {
    let body = match ctx.json() {
        Ok(b) => b,
        Err(e) => return bad(e),
    };
    match Quotas::from_json(&body) {
        Ok(quotas) => {
            app.quotas.set(quotas);
            quotas_reply(app)
        }
        Err(e) => bad(e.to_string()),
    }
}

/// `POST /_sandbox/clock`: `{"now": "<RFC 3339>"}` stops the clock there; `{"advanceSeconds": n}`
/// moves it (a real clock stops at now + n).
fn set_clock(ctx: &Ctx, app: &App) -> Reply {
    const USAGE: &str = r#"the body must be {"now": "<RFC 3339>"} or {"advanceSeconds": <number>}"#;
    let body = match ctx.json() {
        Ok(b) => b,
        Err(e) => return bad(e),
    };
    let Some(obj) = body.as_object().filter(|o| o.len() == 1) else {
        return bad(USAGE);
    };
    match (obj.get("now"), obj.get("advanceSeconds")) {
        (Some(now), None) => match now.as_str().and_then(parse_rfc3339_millis) {
            Some(ms) => app.clock.set(ms),
            None => return bad(format!("now must be RFC 3339 text, got {now}")),
        },
        (None, Some(secs)) => match secs.as_f64().map(|s| (s * 1000.0).round()) {
            // ±10^15 ms is about 31,700 years: any real test, and no overflow.
            Some(ms) if ms.abs() < 1e15 => app.clock.advance(ms as i64),
            _ => {
                return bad(format!(
                    "advanceSeconds must be a number of seconds, got {secs}"
                ));
            }
        },
        _ => return bad(USAGE),
    }
    Reply::ok(app.clock.json())
}
