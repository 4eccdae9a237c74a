//! [`GenericErrorBody`]: any vendor's JSON error body, read without a vendor model; and
//! [`ErrorInfo`], the accessors every vendor crate's error answers the same way.

use http::StatusCode;
use offerkit_models::VendorErrorBody;
use serde_json::Value;

use crate::Error;

/// What every offerkit error can tell, whichever vendor crate it comes from. A vendor error
/// implements [`ErrorInfo::transport_error`] and overrides a default only where its own variants
/// know more (an invalid argument it checked itself, a typed vendor code).
///
/// ```
/// use offerkit_transport::{Error, ErrorInfo};
/// let err = Error::invalid_input("offer_id", "must not be empty");
/// assert!(err.is_invalid_argument());
/// assert!(!err.is_transient());
/// assert_eq!(err.status(), None);
/// ```
pub trait ErrorInfo: std::error::Error {
    /// The transport error underneath, when there is one.
    fn transport_error(&self) -> Option<&Error>;

    /// The HTTP status of the vendor's answer, when there was one.
    fn status(&self) -> Option<StatusCode> {
        self.transport_error().and_then(Error::status)
    }

    /// The vendor's error code, when its answer had one.
    fn code(&self) -> Option<String> {
        self.transport_error()?.error_body()?.code.clone()
    }

    /// The vendor's error message, when its answer had one.
    fn message(&self) -> Option<String> {
        self.transport_error()?.error_body()?.message.clone()
    }

    /// The vendor's request id (or the one offerkit sent), when known.
    fn request_id(&self) -> Option<&str> {
        self.transport_error().and_then(Error::request_id)
    }

    /// `true` if the same call may succeed later (connect, timeout, throttling, 5xx).
    fn is_transient(&self) -> bool {
        self.transport_error().is_some_and(Error::is_transient)
    }

    /// `true` when the credentials were refused: a 401/403 answer, or a token request refused
    /// by the identity provider.
    fn is_unauthorized(&self) -> bool {
        match self.transport_error() {
            // A throttled (429) or timed-out (408) token request is no refusal of the credentials.
            Some(Error::Auth(auth)) => auth.status.is_some_and(|s| {
                s.is_client_error()
                    && s != StatusCode::TOO_MANY_REQUESTS
                    && s != StatusCode::REQUEST_TIMEOUT
            }),
            Some(e) => matches!(
                e.status(),
                Some(StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN)
            ),
            None => false,
        }
    }

    /// `true` when an argument or setting was refused before anything was sent.
    fn is_invalid_argument(&self) -> bool {
        matches!(self.transport_error(), Some(Error::InvalidInput { .. }))
    }
}

impl ErrorInfo for Error {
    fn transport_error(&self) -> Option<&Error> {
        Some(self)
    }
}

/// An error body read without a vendor-specific model.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct GenericErrorBody {
    /// The error code, as text (numbers are converted).
    pub code: Option<String>,
    /// The error message.
    pub message: Option<String>,
    /// The whole body.
    pub raw: Value,
}

impl GenericErrorBody {
    /// Reads a JSON error body, every string in it scrubbed of known secrets
    /// ([`crate::Redactor`]). `None` when the body is not JSON.
    pub fn parse(body: &[u8]) -> Option<Self> {
        let mut raw: Value = serde_json::from_slice(body).ok()?;
        crate::Redactor::global().scrub_json(&mut raw);
        let nested = raw.get("error").filter(|v| v.is_object());
        let pick = |keys: &[&str]| {
            keys.iter()
                .find_map(|k| nested.and_then(|n| n.get(*k)).and_then(text))
                .or_else(|| keys.iter().find_map(|k| raw.get(*k).and_then(text)))
        };
        let code = pick(&["code", "error_code", "errorCode", "statusCode", "type"])
            .or_else(|| raw.get("error").and_then(Value::as_str).map(str::to_owned));
        let message = pick(&[
            "message",
            // `{errorCode, errorMessage}` bodies.
            "errorMessage",
            "description",
            "detail",
            "title",
            "error_description",
        ]);
        Some(Self { code, message, raw })
    }
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        // A list of messages (validation errors of NestJS-style APIs such as Appcharge's).
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().filter_map(text).collect();
            (!parts.is_empty()).then(|| parts.join("; "))
        }
        _ => None,
    }
}

impl VendorErrorBody for GenericErrorBody {
    fn code(&self) -> Option<String> {
        self.code.clone()
    }

    fn message(&self) -> Option<String> {
        self.message.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generic_shapes() {
        let cases: &[(&str, Option<&str>, Option<&str>)] = &[
            (
                r#"{"code":"2000","description":"Order not found"}"#,
                Some("2000"),
                Some("Order not found"),
            ),
            (
                r#"{"statusCode":429,"message":"Rate limit"}"#,
                Some("429"),
                Some("Rate limit"),
            ),
            (
                r#"{"error_code":"401013","message":"Oauth token is not valid"}"#,
                Some("401013"),
                Some("Oauth token is not valid"),
            ),
            (
                r#"{"error":{"code":"notFound","message":"Resource not found"}}"#,
                Some("notFound"),
                Some("Resource not found"),
            ),
            (
                r#"{"type":"x","title":"Resource not found","status":404,"detail":"d"}"#,
                Some("x"),
                Some("d"),
            ),
            (
                r#"{"message":"bad","requestUrl":"/v2/offer"}"#,
                None,
                Some("bad"),
            ),
            (
                r#"{"errorCode":1002,"errorMessage":"Offer not found"}"#,
                Some("1002"),
                Some("Offer not found"),
            ),
            (
                r#"{"message":["name must be longer","type is required"]}"#,
                None,
                Some("name must be longer; type is required"),
            ),
        ];
        for (body, code, message) in cases {
            let parsed = GenericErrorBody::parse(body.as_bytes()).expect("json");
            assert_eq!(parsed.code.as_deref(), *code, "{body}");
            assert_eq!(parsed.message.as_deref(), *message, "{body}");
        }
        assert!(GenericErrorBody::parse(b"<html>").is_none());
    }
}
