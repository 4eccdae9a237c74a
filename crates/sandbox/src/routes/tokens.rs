//! Token endpoints: Azure AD v1 (`/{tenant}/oauth2/token`), v2 (`/{tenant}/oauth2/v2.0/token`), Adobe IMS (`/ims/token/v3`).

use axum::http::StatusCode;
use serde_json::json;

use crate::auth::Audience;
use crate::errors;
use crate::reply::{Ctx, Reply};
use crate::server::Shared;
use crate::util::{parse_form, unix_now};

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

fn client_ok(sh: &Shared, id: &str, secret: &str) -> bool {
    match &sh.config.clients {
        None => true,
        Some(list) => list
            .iter()
            .any(|c| c.client_id == id && c.client_secret == secret),
    }
}

/// Azure AD client-credentials grant (v1 with `resource`, v2 with `scope`).
pub(crate) fn azure(ctx: &Ctx, sh: &Shared, v2: bool) -> Reply {
    let trace = sh.ids.guid();
    let p = params(ctx);
    let bad = |error: &str, code: u32, desc: &str| {
        errors::azure(StatusCode::BAD_REQUEST, error, code, desc, &trace)
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
        return errors::azure(
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
    if !client_ok(sh, client_id, secret) {
        return errors::azure(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            7000215,
            "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.",
            &trace,
        );
    }
    let lifetime = sh.config.azure_token_lifetime.as_secs() as i64;
    let info = sh.tokens.issue(
        &sh.ids,
        Audience::from_resource(target),
        client_id,
        lifetime,
    );
    let now = unix_now();
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
pub(crate) fn ims(ctx: &Ctx, sh: &Shared) -> Reply {
    let p = params(ctx);
    let Some(client_id) = get(&p, "client_id") else {
        return errors::ims(
            StatusCode::BAD_REQUEST,
            "invalid_client",
            "invalid client_id parameter",
        );
    };
    match get(&p, "grant_type") {
        Some("client_credentials") => {}
        Some(_) => {
            return errors::ims(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "unsupported grant_type parameter",
            );
        }
        None => {
            return errors::ims(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "missing grant_type parameter",
            );
        }
    }
    let Some(secret) = get(&p, "client_secret") else {
        return errors::ims(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "invalid client_secret parameter",
        );
    };
    if !client_ok(sh, client_id, secret) {
        return errors::ims(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "invalid client_secret parameter",
        );
    }
    let lifetime = sh.config.ims_token_lifetime.as_secs() as i64;
    let info = sh
        .tokens
        .issue(&sh.ids, Audience::Adobe, client_id, lifetime);
    Reply::ok(
        json!({"access_token": info.access_token, "token_type": "bearer", "expires_in": lifetime}),
    )
    .mutated()
}
