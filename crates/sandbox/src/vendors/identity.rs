//! The identity providers in front of the vendor APIs: Azure AD (`/{tenant}/oauth2/token` v1 and
//! `/{tenant}/oauth2/v2.0/token`) and Adobe IMS (`/ims/token/v3`), the tokens they issue, and the
//! bearer-token check the Microsoft and Adobe APIs run.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use axum::http::StatusCode;
use offerkit_models::Vendor;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::app::App;
use crate::reply::{Ctx, Reply};
use crate::routing::{Api, Route, generic_throttle};
use crate::store::ApiStore;
use crate::util::clock::{Clock, real_rfc3339};
use crate::util::form::parse_form;
use crate::util::ids::Ids;
use crate::util::sync::{read, write};

/// Azure AD.
pub(crate) static AZURE_AD: Api = Api {
    vendor: None,
    name: "azure-ad",
    owns: |path| path.contains("/oauth2/"),
    routes: &[
        Route::new("POST", "/{tenant}/oauth2/token", |ctx, app| azure(ctx, app, false)),
        Route::new("POST", "/{tenant}/oauth2/v2.0/token", |ctx, app| azure(ctx, app, true)),
    ],
    aliases: &[],
    authorize: None,
    error: azure_generic_error,
    throttle: |secs, url| generic_throttle(azure_generic_error, secs, url),
};

/// Adobe IMS.
pub(crate) static IMS: Api = Api {
    vendor: None,
    name: "ims",
    owns: |path| path.starts_with("/ims/"),
    routes: &[Route::new("POST", "/ims/token/v3", ims)],
    aliases: &[],
    authorize: None,
    error: |status, message, _, _| {
        let error = if status.as_u16() >= 500 {
            "server_error"
        } else {
            "invalid_request"
        };
        ims_error(status, error, message)
    },
    throttle: |secs, url| generic_throttle(IMS.error, secs, url),
};

/// The APIs of this slice, in matching order.
pub(crate) static APIS: &[&Api] = &[&IMS, &AZURE_AD];

/// Which APIs a token may call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum Audience {
    /// Azure AD token for Microsoft Graph (product ingestion).
    Graph,
    /// Azure AD token for Partner Center (orders).
    PartnerCenter,
    /// Azure AD token with an unrecognised resource: accepted by both Microsoft APIs.
    AnyMicrosoft,
    /// Adobe IMS token.
    Adobe,
}

impl Audience {
    /// The audience an Azure AD `resource` / `scope` names.
    pub(crate) fn from_resource(resource: &str) -> Self {
        let r = resource.to_ascii_lowercase();
        if r.contains("partnercenter") {
            Self::PartnerCenter
        } else if r.contains("graph.microsoft") {
            Self::Graph
        } else {
            Self::AnyMicrosoft
        }
    }

    fn allows(self, vendor: Vendor) -> bool {
        matches!(
            (self, vendor),
            (
                Self::Graph | Self::AnyMicrosoft,
                Vendor::PartnerCenterIngestion
            ) | (
                Self::PartnerCenter | Self::AnyMicrosoft,
                Vendor::PartnerCenterOrders
            ) | (Self::Adobe, Vendor::AdobeOffers)
        )
    }
}

/// One issued token.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TokenInfo {
    pub(crate) access_token: String,
    pub(crate) audience: Audience,
    pub(crate) client_id: String,
    /// Unix seconds.
    pub(crate) expires_at: i64,
}

/// Why a token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenProblem {
    Missing,
    Unknown,
    Expired,
    WrongAudience,
}

/// The issued tokens: this slice's store. Expiry is read from the sandbox's clock.
#[derive(Debug, Default)]
pub(crate) struct Store {
    map: RwLock<HashMap<String, TokenInfo>>,
    clock: Arc<Clock>,
}

impl Store {
    /// An empty store whose tokens expire by `clock`.
    pub(crate) fn with_clock(clock: Arc<Clock>) -> Self {
        Self {
            map: RwLock::default(),
            clock,
        }
    }

    /// Issues a token.
    pub(crate) fn issue(
        &self,
        ids: &Ids,
        audience: Audience,
        client_id: &str,
        lifetime_secs: i64,
    ) -> TokenInfo {
        let prefix = match audience {
            Audience::Adobe => "sbx-ims",
            _ => "sbx-aad",
        };
        let info = TokenInfo {
            access_token: ids.token(prefix),
            audience,
            client_id: client_id.to_owned(),
            expires_at: self.clock.unix_secs() + lifetime_secs,
        };
        let mut map = write(&self.map);
        let now = self.clock.unix_secs();
        if map.len() > 10_000 {
            map.retain(|_, t| t.expires_at > now);
        }
        map.insert(info.access_token.clone(), info.clone());
        info
    }

    /// Checks a bearer token for `vendor`; the configured static tokens pass everywhere.
    pub(crate) fn check(
        &self,
        token: Option<&str>,
        vendor: Vendor,
        statics: &[String],
    ) -> Result<(), TokenProblem> {
        let token = token
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(TokenProblem::Missing)?;
        if statics.iter().any(|s| s == token) {
            return Ok(());
        }
        let map = read(&self.map);
        let info = map.get(token).ok_or(TokenProblem::Unknown)?;
        if info.expires_at <= self.clock.unix_secs() {
            return Err(TokenProblem::Expired);
        }
        if !info.audience.allows(vendor) {
            return Err(TokenProblem::WrongAudience);
        }
        Ok(())
    }
}

impl ApiStore for Store {
    const SEED_KEY: &'static str = "tokens";
    type Seed = Vec<Value>;

    fn parse_seed(section: Option<&Value>, _: &Ids, _: &Clock) -> Result<Self::Seed, String> {
        match section {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(items)) if items.iter().all(Value::is_object) => Ok(items.clone()),
            Some(_) => Err(
                "tokens must be an array of token objects (as GET /_sandbox/state shows them)"
                    .to_owned(),
            ),
        }
    }

    fn apply_seed(&self, seed: Self::Seed) -> Vec<(&'static str, usize)> {
        let mut map = write(&self.map);
        for item in seed {
            if let Ok(info) = serde_json::from_value::<TokenInfo>(item) {
                map.insert(info.access_token.clone(), info);
            }
        }
        Vec::new()
    }

    fn snapshot(&self) -> Value {
        let now = self.clock.unix_secs();
        let map = read(&self.map);
        let mut tokens: Vec<&TokenInfo> = map.values().filter(|t| t.expires_at > now).collect();
        tokens.sort_by(|a, b| a.access_token.cmp(&b.access_token));
        Value::Array(
            tokens
                .iter()
                .filter_map(|t| serde_json::to_value(t).ok())
                .collect(),
        )
    }

    /// Tokens survive a reset: a client holding one keeps working against the emptied state.
    fn clear(&self) {}
}

/// The token in `Authorization: Bearer <token>` (tolerates the double space Adobe prints).
pub(crate) fn bearer(ctx: &Ctx) -> Option<&str> {
    let value = ctx.header("authorization")?.trim();
    let (scheme, rest) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
}

/// Checks the request's bearer token for `vendor`.
pub(crate) fn check_bearer(ctx: &Ctx, app: &App, vendor: Vendor) -> Result<(), TokenProblem> {
    app.stores
        .identity
        .check(bearer(ctx), vendor, &app.config.static_tokens)
}

/// Azure AD: `{"error","error_description":"AADSTS…","error_codes":[…],…}`.
fn azure_error(status: StatusCode, error: &str, aadsts: u32, description: &str, trace: &str) -> Reply {
    Reply::json(
        status,
        json!({
            "error": error,
            "error_description": format!("AADSTS{aadsts}: {description}\r\nTrace ID: {trace}\r\nCorrelation ID: {trace}\r\nTimestamp: {}", real_rfc3339()),
            "error_codes": [aadsts],
            "timestamp": real_rfc3339(),
            "trace_id": trace,
            "correlation_id": trace,
        }),
    )
}

fn azure_generic_error(status: StatusCode, message: &str, _: &str, _: &str) -> Reply {
    let code = status.as_u16();
    let error = if code >= 500 {
        "temporarily_unavailable"
    } else {
        "invalid_request"
    };
    azure_error(
        status,
        error,
        90000 + u32::from(code),
        message,
        "00000000-0000-0000-0000-000000000000",
    )
}

/// Adobe IMS: `{"error","error_description"}`.
fn ims_error(status: StatusCode, error: &str, description: &str) -> Reply {
    Reply::json(
        status,
        json!({"error": error, "error_description": description}),
    )
}

/// Form parameters from the body, then the query string (IMS allows either).
fn params(ctx: &Ctx) -> Vec<(String, String)> {
    let mut p = parse_form(&String::from_utf8_lossy(&ctx.body));
    p.extend(ctx.query.iter().cloned());
    p
}

fn get<'a>(p: &'a [(String, String)], name: &str) -> Option<&'a str> {
    p.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.trim().is_empty())
}

fn client_ok(app: &App, id: &str, secret: &str) -> bool {
    match &app.config.clients {
        None => true,
        Some(list) => list
            .iter()
            .any(|c| c.client_id == id && c.client_secret == secret),
    }
}

/// Azure AD client-credentials grant (v1 with `resource`, v2 with `scope`).
fn azure(ctx: &Ctx, app: &App, v2: bool) -> Reply {
    let trace = app.ids.guid();
    let p = params(ctx);
    let bad = |error: &str, code: u32, desc: &str| {
        azure_error(StatusCode::BAD_REQUEST, error, code, desc, &trace)
    };
    let Some(grant) = get(&p, "grant_type") else {
        return bad(
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'grant_type'.",
        );
    };
    if grant != "client_credentials" {
        return bad(
            "unsupported_grant_type",
            70003,
            "The app requested an unsupported grant type. The sandbox supports 'client_credentials'.",
        );
    }
    let Some(client_id) = get(&p, "client_id") else {
        return bad(
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'client_id'.",
        );
    };
    let Some(secret) = get(&p, "client_secret") else {
        return azure_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            7000218,
            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
            &trace,
        );
    };
    let target = if v2 {
        get(&p, "scope")
    } else {
        get(&p, "resource")
    };
    let Some(target) = target else {
        let (name, code) = if v2 {
            ("scope", 900144)
        } else {
            ("resource", 50001)
        };
        return bad(
            "invalid_request",
            code,
            &format!("The request body must contain the following parameter: '{name}'."),
        );
    };
    if !client_ok(app, client_id, secret) {
        return azure_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            7000215,
            "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.",
            &trace,
        );
    }
    let lifetime = app.config.azure_token_lifetime.as_secs() as i64;
    let info = app.stores.identity.issue(
        &app.ids,
        Audience::from_resource(target),
        client_id,
        lifetime,
    );
    let now = app.clock.unix_secs();
    let body = if v2 {
        json!({"token_type": "Bearer", "expires_in": lifetime, "ext_expires_in": lifetime, "access_token": info.access_token})
    } else {
        json!({
            "token_type": "Bearer",
            "expires_in": lifetime.to_string(),
            "ext_expires_in": lifetime.to_string(),
            "expires_on": info.expires_at.to_string(),
            "not_before": now.to_string(),
            "resource": target,
            "access_token": info.access_token,
        })
    };
    Reply::ok(body).mutated()
}

/// Adobe IMS client-credentials grant.
fn ims(ctx: &Ctx, app: &App) -> Reply {
    let p = params(ctx);
    let Some(client_id) = get(&p, "client_id") else {
        return ims_error(
            StatusCode::BAD_REQUEST,
            "invalid_client",
            "invalid client_id parameter",
        );
    };
    match get(&p, "grant_type") {
        Some("client_credentials") => {}
        Some(_) => {
            return ims_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "unsupported grant_type parameter",
            );
        }
        None => {
            return ims_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "missing grant_type parameter",
            );
        }
    }
    let Some(secret) = get(&p, "client_secret") else {
        return ims_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "invalid client_secret parameter",
        );
    };
    if !client_ok(app, client_id, secret) {
        return ims_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "invalid client_secret parameter",
        );
    }
    let lifetime = app.config.ims_token_lifetime.as_secs() as i64;
    let info = app
        .stores
        .identity
        .issue(&app.ids, Audience::Adobe, client_id, lifetime);
    Reply::ok(
        json!({"access_token": info.access_token, "token_type": "bearer", "expires_in": lifetime}),
    )
    .mutated()
}
