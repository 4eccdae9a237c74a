//! The control API under `/_sandbox/`: health, state, seed, reset, journal, faults, OpenAPI.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::errors;
use crate::faults::FaultRule;
use crate::reply::{Ctx, Reply};
use crate::server::Shared;
use crate::state::SeedMode;

/// A control endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ControlPath {
    Health,
    State,
    Seed,
    Reset,
    Journal,
    Faults,
    Fault(String),
    OpenApi,
}

impl ControlPath {
    pub(crate) fn resolve(rest: &[&str]) -> Option<Self> {
        Some(match rest {
            ["health"] => Self::Health,
            ["state"] => Self::State,
            ["seed"] => Self::Seed,
            ["reset"] => Self::Reset,
            ["journal"] => Self::Journal,
            ["faults"] => Self::Faults,
            ["faults", id] => Self::Fault((*id).to_owned()),
            ["openapi.json"] => Self::OpenApi,
            _ => return None,
        })
    }

    pub(crate) fn template(&self) -> &'static str {
        match self {
            Self::Health => "/_sandbox/health",
            Self::State => "/_sandbox/state",
            Self::Seed => "/_sandbox/seed",
            Self::Reset => "/_sandbox/reset",
            Self::Journal => "/_sandbox/journal",
            Self::Faults => "/_sandbox/faults",
            Self::Fault(_) => "/_sandbox/faults/{id}",
            Self::OpenApi => "/_sandbox/openapi.json",
        }
    }

    pub(crate) fn methods(&self) -> &'static [Method] {
        match self {
            Self::Health | Self::State | Self::OpenApi => &[Method::GET],
            Self::Seed | Self::Reset => &[Method::POST],
            Self::Journal => &[Method::GET, Method::DELETE],
            Self::Faults => &[Method::GET, Method::POST, Method::DELETE],
            Self::Fault(_) => &[Method::DELETE],
        }
    }
}

fn bad(msg: impl Into<String>) -> Reply {
    errors::control(StatusCode::BAD_REQUEST, msg)
}

/// Runs a control endpoint (method already checked).
pub(crate) fn handle(c: &ControlPath, ctx: &Ctx, sh: &Shared) -> Reply {
    let m = &ctx.method;
    match c {
        ControlPath::Health => {
            Reply::ok(json!({"status": "ok", "version": env!("CARGO_PKG_VERSION")}))
        }
        ControlPath::OpenApi => Reply::ok(crate::openapi::document()),
        ControlPath::State => Reply::ok(sh.snapshot()),
        ControlPath::Reset => {
            sh.stores.clear();
            Reply::ok(json!({"reset": true})).mutated()
        }
        ControlPath::Seed => {
            let mode = match ctx.query("mode") {
                None | Some("merge") => SeedMode::Merge,
                Some("replace") => SeedMode::Replace,
                Some(other) => return bad(format!("mode must be merge or replace, got {other:?}")),
            };
            let body = match ctx.json() {
                Ok(b) => b,
                Err(e) => return bad(e),
            };
            match sh.seed(&body, mode) {
                Ok(summary) => Reply::ok(json!({"loaded": summary})).mutated(),
                Err(e) => bad(e),
            }
        }
        ControlPath::Journal if m == Method::DELETE => {
            sh.journal.clear();
            Reply::ok(json!({"cleared": true}))
        }
        ControlPath::Journal => {
            let limit = match ctx.query("limit").map(str::parse::<usize>) {
                None => None,
                Some(Ok(n)) => Some(n),
                Some(Err(_)) => None,
            };
            let entries = sh
                .journal
                .entries(ctx.query("method"), ctx.query("pathPrefix"), limit);
            Reply::ok(json!({"entries": entries, "counts": sh.journal.counts_json()}))
        }
        ControlPath::Faults if m == Method::POST => {
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
                match sh.faults.add(rule) {
                    Ok(id) => ids.push(id.0),
                    Err(e) => return bad(e),
                }
            }
            Reply::json(StatusCode::CREATED, json!({"ids": ids}))
        }
        ControlPath::Faults if m == Method::DELETE => {
            sh.faults.clear();
            Reply::ok(json!({"cleared": true}))
        }
        ControlPath::Faults => Reply::ok(sh.faults.list_json()),
        ControlPath::Fault(id) => match id.parse::<u64>() {
            Ok(n) if sh.faults.remove(n) => Reply::ok(json!({"removed": n})),
            _ => errors::control(StatusCode::NOT_FOUND, format!("no fault rule with id {id}")),
        },
    }
}
