//! The identity providers in front of the vendor APIs: Azure AD (`/{tenant}/oauth2/token` v1 and
//! `/{tenant}/oauth2/v2.0/token`) and Adobe IMS (`/ims/token/v3`), the tokens they issue, and the
//! bearer-token check the Microsoft and Adobe APIs run.
//!
//! Tokens are JWT-shaped, as the vendors' are (clients decode `exp` to decide whether to reuse one), with
//! the claims of each issuer ([`Issuer`]) and `exp` matching `expires_in`; they are signed with the
//! sandbox's own HS256 key (`util::jwt`) and validated, as before, by looking them up in the store.
//! Sources: `docs/vendors.md`, "Sandbox: tokens and timestamps".

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
use crate::util::jwt::Signer;
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
    quota_buckets: None,
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
    quota_buckets: None,
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
    /// The tenant an Azure AD token was issued for (its `tid`); a quota's partner tenant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) tenant: Option<String>,
}

/// Why a token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenProblem {
    Missing,
    Unknown,
    Expired,
    WrongAudience,
}

/// Which endpoint issues a token, and so which claims its JWT carries.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Issuer<'a> {
    /// Azure AD v1 (`/{tenant}/oauth2/token`, `resource=`): `ver` 1.0, `iss` `https://sts.windows.net/{tid}/`.
    AzureV1 {
        /// The tenant of the path.
        tenant: &'a str,
        /// The `resource` asked for (the token's `aud`).
        resource: &'a str,
    },
    /// Azure AD v2 (`/{tenant}/oauth2/v2.0/token`, `scope=`): `ver` 2.0, `aud` the scope without
    /// `/.default`, `azp` as well as `appid`.
    AzureV2 {
        /// The tenant of the path.
        tenant: &'a str,
        /// The `scope` asked for.
        scope: &'a str,
    },
    /// Adobe IMS (`/ims/token/v3`): `type`, `client_id`, `created_at` and `expires_in` in milliseconds
    /// (as text), plus `iat` / `exp`.
    Ims {
        /// The `scope` asked for, if any.
        scope: Option<&'a str>,
    },
}

impl Issuer<'static> {
    /// The issuer a token of `audience` issued without the token endpoint comes from.
    fn for_audience(audience: Audience) -> Self {
        match audience {
            Audience::Adobe => Self::Ims { scope: None },
            Audience::PartnerCenter => Self::AzureV1 {
                tenant: "sandbox-tenant",
                resource: "https://api.partnercenter.microsoft.com",
            },
            Audience::Graph | Audience::AnyMicrosoft => Self::AzureV1 {
                tenant: "sandbox-tenant",
                resource: "https://graph.microsoft.com/",
            },
        }
    }
}

impl Issuer<'_> {
    /// The tenant the token is issued for (Azure AD only).
    fn tenant(self) -> Option<String> {
        match self {
            Self::AzureV1 { tenant, .. } | Self::AzureV2 { tenant, .. } => Some(tenant.to_owned()),
            Self::Ims { .. } => None,
        }
    }

    /// The JWT payload of a token for `client_id`, issued at `now` and expiring at `exp` (Unix seconds).
    fn claims(self, ids: &Ids, client_id: &str, now: i64, exp: i64) -> Value {
        let principal = ids.guid();
        match self {
            Self::AzureV1 { tenant, resource } => json!({
                "aud": resource.trim_end_matches('/'),
                "iss": format!("https://sts.windows.net/{tenant}/"),
                "iat": now, "nbf": now, "exp": exp,
                "appid": client_id, "appidacr": "1", "idtyp": "app",
                "oid": principal, "sub": principal, "tid": tenant,
                "uti": ids.hex(22), "ver": "1.0",
            }),
            Self::AzureV2 { tenant, scope } => json!({
                "aud": scope.trim_end_matches("/.default").trim_end_matches('/'),
                "iss": format!("https://login.microsoftonline.com/{tenant}/v2.0"),
                "iat": now, "nbf": now, "exp": exp,
                "appid": client_id, "azp": client_id, "azpacr": "1", "idtyp": "app",
                "oid": principal, "sub": principal, "tid": tenant,
                "uti": ids.hex(22), "ver": "2.0",
            }),
            Self::Ims { scope } => json!({
                "id": ids.hex(32),
                "type": "access_token",
                "client_id": client_id,
                "user_id": format!("{}@techacct.adobe.com", ids.hex(24).to_ascii_uppercase()),
                "as": "ims-na1",
                "scope": scope.unwrap_or(""),
                "created_at": now.saturating_mul(1000).to_string(),
                "expires_in": exp.saturating_sub(now).saturating_mul(1000).to_string(),
                "iat": now, "exp": exp,
            }),
        }
    }
}

/// The issued tokens: this slice's store. Expiry is read from the sandbox's clock.
#[derive(Debug, Default)]
pub(crate) struct Store {
    map: RwLock<HashMap<String, TokenInfo>>,
    clock: Arc<Clock>,
    signer: Signer,
}

impl Store {
    /// An empty store whose tokens expire by `clock`, signed with a fresh key.
    pub(crate) fn with_clock(clock: Arc<Clock>) -> Self {
        Self {
            map: RwLock::default(),
            clock,
            signer: Signer::default(),
        }
    }

    /// Issues a token of `audience` as its usual issuer would (for tokens made without the token
    /// endpoint).
    pub(crate) fn issue(
        &self,
        ids: &Ids,
        audience: Audience,
        client_id: &str,
        lifetime_secs: i64,
    ) -> TokenInfo {
        self.issue_from(
            Issuer::for_audience(audience),
            ids,
            audience,
            client_id,
            lifetime_secs,
        )
    }

    /// Issues a JWT-shaped token from `issuer`, valid for `lifetime_secs` (its `exp`).
    pub(crate) fn issue_from(
        &self,
        issuer: Issuer<'_>,
        ids: &Ids,
        audience: Audience,
        client_id: &str,
        lifetime_secs: i64,
    ) -> TokenInfo {
        let now = self.clock.unix_secs();
        let expires_at = now.saturating_add(lifetime_secs);
        let claims = issuer.claims(ids, client_id, now, expires_at);
        let info = TokenInfo {
            access_token: self.signer.sign(&claims),
            audience,
            client_id: client_id.to_owned(),
            expires_at,
            tenant: issuer.tenant(),
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

    /// The tenant a bearer token was issued for, if the sandbox issued it.
    pub(crate) fn tenant_of(&self, token: &str) -> Option<String> {
        read(&self.map).get(token).and_then(|t| t.tenant.clone())
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

/// The partner tenant of the request's bearer token, for quotas: the tenant the token was issued
/// for; a static token stands for a tenant of its own, named by its digest (never by the token).
pub(crate) fn bearer_tenant(ctx: &Ctx, app: &App) -> String {
    let Some(token) = bearer(ctx).filter(|t| !t.is_empty()) else {
        return "(no token)".to_owned();
    };
    if app.config.static_tokens.iter().any(|s| s == token) {
        return format!("static-token-{}", crate::quota::digest(token));
    }
    app.stores
        .identity
        .tenant_of(token)
        .unwrap_or_else(|| "(unknown tenant)".to_owned())
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
    let tenant = ctx.param("tenant");
    let issuer = if v2 {
        Issuer::AzureV2 {
            tenant,
            scope: target,
        }
    } else {
        Issuer::AzureV1 {
            tenant,
            resource: target,
        }
    };
    let info = app.stores.identity.issue_from(
        issuer,
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
    let info = app.stores.identity.issue_from(
        Issuer::Ims {
            scope: get(&p, "scope"),
        },
        &app.ids,
        Audience::Adobe,
        client_id,
        lifetime,
    );
    Reply::ok(
        json!({"access_token": info.access_token, "token_type": "bearer", "expires_in": lifetime}),
    )
    .mutated()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::jwt;

    #[test]
    fn issued_tokens_are_signed_jwts_with_exp_from_the_clock() {
        let clock = Arc::new(Clock::default());
        clock.set(1_700_000_000_500);
        let store = Store::with_clock(clock.clone());
        let ids = Ids::from_clock();
        let info = store.issue(&ids, Audience::PartnerCenter, "c1", 3600);
        assert!(store.signer.verify(&info.access_token));
        let claims = jwt::claims(&info.access_token).expect("claims");
        assert_eq!(claims["exp"].as_i64(), Some(1_700_003_600));
        assert_eq!(info.expires_at, 1_700_003_600);
        assert_eq!(claims["aud"], "https://api.partnercenter.microsoft.com");
        assert_eq!(claims["appid"], "c1");
        assert_eq!(
            store.check(Some(&info.access_token), Vendor::PartnerCenterOrders, &[]),
            Ok(())
        );
        // Two tokens issued in the same instant still differ (`uti`).
        let again = store.issue(&ids, Audience::PartnerCenter, "c1", 3600);
        assert_ne!(again.access_token, info.access_token);
        clock.advance(3_600_000);
        assert_eq!(
            store.check(Some(&info.access_token), Vendor::PartnerCenterOrders, &[]),
            Err(TokenProblem::Expired)
        );
    }
}
