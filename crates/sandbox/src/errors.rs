//! Vendor error bodies, shaped exactly as each vendor documents them.

use axum::http::StatusCode;
use serde_json::json;

use crate::reply::Reply;

/// Which API a request belongs to (decides the error dialect).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Vendor {
    Ingestion,
    Orders,
    Adobe,
    Appcharge,
    AzureAd,
    Ims,
    Control,
    Unknown,
}

impl Vendor {
    /// Guesses the vendor from a request path.
    pub(crate) fn from_path(path: &str) -> Self {
        if path.starts_with("/rp/product-ingestion") {
            Self::Ingestion
        } else if path.starts_with("/v1/customers") {
            Self::Orders
        } else if path.starts_with("/data/core/dps") {
            Self::Adobe
        } else if path.starts_with("/v2/offer") {
            Self::Appcharge
        } else if path.starts_with("/ims/") {
            Self::Ims
        } else if path.contains("/oauth2/") {
            Self::AzureAd
        } else if path.starts_with("/_sandbox") {
            Self::Control
        } else {
            Self::Unknown
        }
    }

    /// Short lowercase name used in the journal.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Ingestion => "ingestion",
            Self::Orders => "orders",
            Self::Adobe => "adobe",
            Self::Appcharge => "appcharge",
            Self::AzureAd => "azure-ad",
            Self::Ims => "ims",
            Self::Control => "control",
            Self::Unknown => "unknown",
        }
    }
}

/// Product ingestion: `{"error":{"code","message"}}`.
pub(crate) fn ingestion(status: StatusCode, code: &str, message: impl Into<String>) -> Reply {
    Reply::json(
        status,
        json!({"error": {"code": code, "message": message.into()}}),
    )
}

/// Partner Center: `{"code","description","data":[],"source":"PartnerFD"}` (numeric code, as in the examples).
pub(crate) fn orders(status: StatusCode, code: u32, description: impl Into<String>) -> Reply {
    Reply::json(
        status,
        json!({"code": code, "description": description.into(), "data": [], "source": "PartnerFD"}),
    )
}

/// Partner Center throttling: `{"statusCode":429,"message":"Rate limit is exceeded. Try again in N seconds."}`.
pub(crate) fn orders_throttle(retry_after: u64) -> Reply {
    Reply::json(
        StatusCode::TOO_MANY_REQUESTS,
        json!({"statusCode": 429, "message": format!("Rate limit is exceeded. Try again in {retry_after} seconds.")}),
    )
}

/// Adobe gateway: `{"error_code":"403000","message":"Api Key is required"}` (`error_code` is a string).
pub(crate) fn adobe_gateway(status: StatusCode, code: &str, message: &str) -> Reply {
    Reply::json(status, json!({"error_code": code, "message": message}))
}

/// Adobe service problem details: `{"type","title","status","detail"}`.
pub(crate) fn adobe_problem(status: StatusCode, title: &str, detail: impl Into<String>) -> Reply {
    Reply::json(
        status,
        json!({
            "type": format!("http://ns.adobe.com/aep/errors/DPS-{}-{}", 1000 + status.as_u16(), status.as_u16()),
            "title": title,
            "status": status.as_u16(),
            "detail": detail.into(),
        }),
    )
}

/// Appcharge: `{"message","requestUrl","body"}`.
pub(crate) fn appcharge(
    status: StatusCode,
    message: impl Into<String>,
    url: &str,
    body: &str,
) -> Reply {
    Reply::json(
        status,
        json!({"message": message.into(), "requestUrl": url, "body": body}),
    )
}

/// Azure AD: `{"error","error_description":"AADSTS…","error_codes":[…],…}`.
pub(crate) fn azure(
    status: StatusCode,
    error: &str,
    aadsts: u32,
    description: &str,
    trace: &str,
) -> Reply {
    Reply::json(
        status,
        json!({
            "error": error,
            "error_description": format!("AADSTS{aadsts}: {description}\r\nTrace ID: {trace}\r\nCorrelation ID: {trace}\r\nTimestamp: {}", crate::util::now_rfc3339()),
            "error_codes": [aadsts],
            "timestamp": crate::util::now_rfc3339(),
            "trace_id": trace,
            "correlation_id": trace,
        }),
    )
}

/// Adobe IMS: `{"error","error_description"}`.
pub(crate) fn ims(status: StatusCode, error: &str, description: &str) -> Reply {
    Reply::json(
        status,
        json!({"error": error, "error_description": description}),
    )
}

/// Control API and unknown paths: `{"error","message"}`.
pub(crate) fn control(status: StatusCode, message: impl Into<String>) -> Reply {
    let error = status
        .canonical_reason()
        .unwrap_or("error")
        .to_ascii_lowercase()
        .replace(' ', "_");
    Reply::json(status, json!({"error": error, "message": message.into()}))
}

/// A generic error in `vendor`'s dialect for `status` (used by fault injection, 404/405/413, bad JSON).
pub(crate) fn for_vendor(
    vendor: Vendor,
    status: StatusCode,
    message: &str,
    url: &str,
    body: &str,
) -> Reply {
    let code = status.as_u16();
    match vendor {
        Vendor::Ingestion => ingestion(status, ingestion_code(status), message),
        Vendor::Orders => {
            if code == 429 {
                return orders_throttle(1);
            }
            let pc = match code {
                404 => 1000,
                401 => 400,
                400 | 413 | 415 => 800002,
                500..=599 => 800003,
                other => u32::from(other),
            };
            orders(status, pc, message)
        }
        Vendor::Adobe => match code {
            401 => adobe_gateway(status, "401013", message),
            403 => adobe_gateway(status, "403003", message),
            429 => adobe_gateway(status, "429001", message),
            _ => adobe_problem(
                status,
                status.canonical_reason().unwrap_or("Error"),
                message,
            ),
        },
        Vendor::Appcharge => appcharge(status, message, url, body),
        Vendor::AzureAd => {
            let error = if code >= 500 {
                "temporarily_unavailable"
            } else {
                "invalid_request"
            };
            azure(
                status,
                error,
                90000 + u32::from(code),
                message,
                "00000000-0000-0000-0000-000000000000",
            )
        }
        Vendor::Ims => ims(
            status,
            if code >= 500 {
                "server_error"
            } else {
                "invalid_request"
            },
            message,
        ),
        Vendor::Control | Vendor::Unknown => control(status, message),
    }
}

fn ingestion_code(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "BadRequest",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "NotFound",
        405 => "MethodNotAllowed",
        409 => "Conflict",
        413 => "PayloadTooLarge",
        429 => "TooManyRequests",
        503 => "ServiceUnavailable",
        500..=599 => "InternalServerError",
        _ => "Error",
    }
}

/// The body a vendor sends with a 429 and `Retry-After: secs`.
pub(crate) fn throttle(vendor: Vendor, retry_after: u64, url: &str) -> Reply {
    let msg = format!("Rate limit is exceeded. Try again in {retry_after} seconds.");
    let reply = match vendor {
        Vendor::Orders => orders_throttle(retry_after),
        Vendor::Adobe => {
            adobe_gateway(StatusCode::TOO_MANY_REQUESTS, "429001", "Too many requests")
        }
        Vendor::Appcharge => appcharge(
            StatusCode::TOO_MANY_REQUESTS,
            "Rate limit exceeded",
            url,
            "",
        ),
        other => for_vendor(other, StatusCode::TOO_MANY_REQUESTS, &msg, url, ""),
    };
    reply.header("retry-after", retry_after.to_string())
}
