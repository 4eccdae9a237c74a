//! [`VendorError`]: the vendor's error body, parsed.

use serde_json::Value;

use crate::Vendor;

/// A vendor's error body.
///
/// With a vendor's cargo feature on (`appcharge`, `adobe-offers`, ...), its body is parsed into the
/// offerkit-models type for that vendor; any other JSON error body lands in [`VendorError::Other`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum VendorError {
    /// A JSON error body read generically (`code`/`error_code`/`statusCode`/`error.code` and
    /// `message`/`description`/`detail`/`title`/`error.message`).
    Other(GenericErrorBody),
}

impl VendorError {
    /// Parses an error body sent by `vendor`. `None` when the body is not JSON.
    pub fn parse(vendor: Vendor, body: &[u8]) -> Option<Self> {
        let _ = vendor;
        GenericErrorBody::parse(body).map(Self::Other)
    }

    /// The vendor's error code, if the body had one.
    pub fn code(&self) -> Option<String> {
        match self {
            Self::Other(b) => b.code.clone(),
        }
    }

    /// The vendor's error message, if the body had one.
    pub fn message(&self) -> Option<String> {
        match self {
            Self::Other(b) => b.message.clone(),
        }
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
    /// Reads a JSON error body. `None` when the body is not JSON.
    pub fn parse(body: &[u8]) -> Option<Self> {
        let raw: Value = serde_json::from_slice(body).ok()?;
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
        _ => None,
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
        ];
        for (body, code, message) in cases {
            let parsed = GenericErrorBody::parse(body.as_bytes()).expect("json");
            assert_eq!(parsed.code.as_deref(), *code, "{body}");
            assert_eq!(parsed.message.as_deref(), *message, "{body}");
        }
        assert!(GenericErrorBody::parse(b"<html>").is_none());
    }
}
