//! Tokens the sandbox issues, and each vendor's check of incoming credentials.

use std::collections::HashMap;
use std::sync::RwLock;

use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::config::SandboxConfig;
use crate::errors;
use crate::reply::{Ctx, Reply};
use crate::state::{read, write};
use crate::util::{IdGen, unix_now};

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

    fn allows(self, vendor: errors::Vendor) -> bool {
        matches!(
            (self, vendor),
            (Self::Graph | Self::AnyMicrosoft, errors::Vendor::Ingestion)
                | (
                    Self::PartnerCenter | Self::AnyMicrosoft,
                    errors::Vendor::Orders
                )
                | (Self::Adobe, errors::Vendor::Adobe)
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

/// The token registry.
#[derive(Debug, Default)]
pub(crate) struct Tokens {
    map: RwLock<HashMap<String, TokenInfo>>,
    statics: Vec<String>,
}

impl Tokens {
    pub(crate) fn new(statics: Vec<String>) -> Self {
        Self {
            map: RwLock::default(),
            statics,
        }
    }

    /// Issues a token.
    pub(crate) fn issue(
        &self,
        ids: &IdGen,
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
            expires_at: unix_now() + lifetime_secs,
        };
        let mut map = write(&self.map);
        let now = unix_now();
        if map.len() > 10_000 {
            map.retain(|_, t| t.expires_at > now);
        }
        map.insert(info.access_token.clone(), info.clone());
        info
    }

    /// Checks a bearer token for `vendor`.
    pub(crate) fn check(
        &self,
        token: Option<&str>,
        vendor: errors::Vendor,
    ) -> Result<(), TokenProblem> {
        let token = token
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(TokenProblem::Missing)?;
        if self.statics.iter().any(|s| s == token) {
            return Ok(());
        }
        let map = read(&self.map);
        let info = map.get(token).ok_or(TokenProblem::Unknown)?;
        if info.expires_at <= unix_now() {
            return Err(TokenProblem::Expired);
        }
        if !info.audience.allows(vendor) {
            return Err(TokenProblem::WrongAudience);
        }
        Ok(())
    }

    pub(crate) fn snapshot(&self) -> Vec<Value> {
        let now = unix_now();
        let mut tokens: Vec<&TokenInfo> = Vec::new();
        let map = read(&self.map);
        tokens.extend(map.values().filter(|t| t.expires_at > now));
        tokens.sort_by(|a, b| a.access_token.cmp(&b.access_token));
        tokens
            .iter()
            .filter_map(|t| serde_json::to_value(t).ok())
            .collect()
    }

    pub(crate) fn restore(&self, tokens: &Value) {
        if let Some(items) = tokens.as_array() {
            let mut map = write(&self.map);
            for item in items {
                if let Ok(info) = serde_json::from_value::<TokenInfo>(item.clone()) {
                    map.insert(info.access_token.clone(), info);
                }
            }
        }
    }
}

/// The token in `Authorization: Bearer <token>` (tolerates the double space Adobe prints).
pub(crate) fn bearer(ctx: &Ctx) -> Option<&str> {
    let value = ctx.header("authorization")?.trim();
    let (scheme, rest) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
}

/// Runs the vendor's credential check; `Some(reply)` is the refusal.
pub(crate) fn authorize(ctx: &Ctx, tokens: &Tokens, config: &SandboxConfig) -> Option<Reply> {
    use errors::Vendor;
    match ctx.vendor {
        Vendor::Ingestion => tokens.check(bearer(ctx), Vendor::Ingestion).err().map(|p| {
            let msg = match p {
                TokenProblem::Missing => "Access token is empty.",
                TokenProblem::Unknown => "Access token validation failure. Invalid audience or unknown token.",
                TokenProblem::Expired => "Lifetime validation failed, the token is expired.",
                TokenProblem::WrongAudience => "Access token validation failure. Invalid audience: the token was not issued for https://graph.microsoft.com/.",
            };
            errors::ingestion(StatusCode::UNAUTHORIZED, "InvalidAuthenticationToken", msg)
                .header("www-authenticate", "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\"")
        }),
        Vendor::Orders => tokens.check(bearer(ctx), Vendor::Orders).err().map(|p| {
            let reply = match p {
                TokenProblem::Missing => errors::orders(StatusCode::UNAUTHORIZED, 800001, "Partner Token missing"),
                TokenProblem::Unknown => errors::orders(StatusCode::UNAUTHORIZED, 400, "Access denied: the token is not valid."),
                TokenProblem::Expired => errors::orders(StatusCode::UNAUTHORIZED, 400, "Access denied: the token has expired."),
                TokenProblem::WrongAudience => errors::orders(
                    StatusCode::UNAUTHORIZED,
                    400,
                    "Access denied: the token was not issued for https://api.partnercenter.microsoft.com.",
                ),
            };
            reply.header("www-authenticate", "OAuth realm=urn:cpsvc:cpid:sandbox")
        }),
        Vendor::Adobe => {
            if ctx.header("x-api-key").is_none_or(|k| k.trim().is_empty()) {
                return Some(errors::adobe_gateway(StatusCode::FORBIDDEN, "403000", "Api Key is required"));
            }
            match tokens.check(bearer(ctx), Vendor::Adobe) {
                Err(TokenProblem::Missing) => {
                    return Some(errors::adobe_gateway(StatusCode::FORBIDDEN, "403010", "Oauth token is missing."));
                }
                Err(_) => return Some(errors::adobe_gateway(StatusCode::UNAUTHORIZED, "401013", "Oauth token is not valid")),
                Ok(()) => {}
            }
            if ctx.header("x-gw-ims-org-id").is_none_or(|k| k.trim().is_empty()) {
                return Some(errors::adobe_gateway(StatusCode::BAD_REQUEST, "400003", "Missing header: x-gw-ims-org-id"));
            }
            None
        }
        Vendor::Appcharge => {
            let token = ctx.header("x-publisher-token").map(str::trim).filter(|t| !t.is_empty());
            let ok = match (token, &config.publisher_tokens) {
                (None, _) => false,
                (Some(t), Some(allowed)) => allowed.iter().any(|a| a == t) || config.static_tokens.iter().any(|s| s == t),
                (Some(_), None) => true,
            };
            (!ok).then(|| {
                errors::appcharge(
                    StatusCode::UNAUTHORIZED,
                    "Unauthorized: The publisher token is missing or invalid",
                    &ctx.url(),
                    "",
                )
            })
        }
        _ => None,
    }
}
