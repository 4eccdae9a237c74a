//! The request context handlers read and the reply they produce.

use axum::http::{HeaderMap, Method, StatusCode};
use serde_json::{Value, json};

use crate::routing::Api;

/// What a handler sees of a request: already read, size-checked and decoded.
#[derive(Debug)]
pub(crate) struct Ctx {
    pub(crate) method: Method,
    pub(crate) path: String,
    pub(crate) raw_query: String,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) headers: HeaderMap,
    pub(crate) body: bytes::Bytes,
    /// The API the path belongs to (it decides the error dialect); `None` when no API claims it.
    pub(crate) api: Option<&'static Api>,
    /// Parameters of the matched route (`{name}` segments, decoded).
    pub(crate) params: Vec<(&'static str, String)>,
}

impl Ctx {
    /// First query parameter named `name` (exact match).
    pub(crate) fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A path parameter of the matched route (empty when the route has none of that name).
    pub(crate) fn param(&self, name: &str) -> &str {
        self.params
            .iter()
            .find(|(k, _)| *k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// An error body in the dialect of the API the request is for. `echo_body` repeats the
    /// request body where the dialect does (Appcharge).
    pub(crate) fn error(&self, status: StatusCode, message: &str, echo_body: bool) -> Reply {
        let body = if echo_body {
            self.body_text()
        } else {
            String::new()
        };
        match self.api {
            Some(api) => (api.error)(status, message, &self.url(), &body),
            None => sandbox_error(status, message),
        }
    }

    /// The body as JSON, or a 400 in the API's dialect.
    pub(crate) fn json_body(&self) -> Result<Value, Reply> {
        self.json()
            .map_err(|e| self.error(StatusCode::BAD_REQUEST, &e, true))
    }

    /// A header as text.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The request URL as a client would print it (path and query).
    pub(crate) fn url(&self) -> String {
        if self.raw_query.is_empty() {
            self.path.clone()
        } else {
            format!("{}?{}", self.path, self.raw_query)
        }
    }

    /// The body as (lossy) text, for error echoes.
    pub(crate) fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Parses the body as JSON; `Err` holds a human-readable reason.
    pub(crate) fn json(&self) -> Result<Value, String> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Err("the request body is empty; a JSON document is required".to_owned());
        }
        serde_json::from_slice(&self.body)
            .map_err(|e| format!("the request body is not valid JSON: {e}"))
    }
}

/// Body of a reply.
#[derive(Debug, Clone)]
pub(crate) enum ReplyBody {
    Json(Value),
    /// JSON already serialised, straight from a store under its lock (a read that copies
    /// nothing).
    Serialized(Vec<u8>),
    Empty,
}

/// A handler's answer, turned into bytes by the server.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) body: ReplyBody,
    pub(crate) headers: Vec<(String, String)>,
    /// Request fields the handler did not recognise (reported in the journal and a warning header).
    pub(crate) unknown_fields: Vec<String>,
    /// The handler changed state.
    pub(crate) mutated: bool,
}

impl Reply {
    /// A JSON reply.
    pub(crate) fn json(status: StatusCode, body: Value) -> Self {
        Self {
            status,
            body: ReplyBody::Json(body),
            headers: Vec::new(),
            unknown_fields: Vec::new(),
            mutated: false,
        }
    }

    /// A 200 JSON reply.
    pub(crate) fn ok(body: Value) -> Self {
        Self::json(StatusCode::OK, body)
    }

    /// 200 with JSON that is already serialised.
    pub(crate) fn ok_serialized(body: Vec<u8>) -> Self {
        Self {
            body: ReplyBody::Serialized(body),
            ..Self::empty(StatusCode::OK)
        }
    }

    /// A reply with no body.
    pub(crate) fn empty(status: StatusCode) -> Self {
        Self {
            status,
            body: ReplyBody::Empty,
            headers: Vec::new(),
            unknown_fields: Vec::new(),
            mutated: false,
        }
    }

    /// Adds a header.
    pub(crate) fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    /// Marks the reply as having changed state.
    pub(crate) fn mutated(mut self) -> Self {
        self.mutated = true;
        self
    }

    /// Attaches unknown-field findings.
    pub(crate) fn with_unknown(mut self, fields: Vec<String>) -> Self {
        self.unknown_fields.extend(fields);
        self
    }

    /// Whether the body is JSON.
    pub(crate) fn is_json(&self) -> bool {
        matches!(self.body, ReplyBody::Json(_) | ReplyBody::Serialized(_))
    }

    /// Takes the body out as bytes, serialising it if needed.
    pub(crate) fn take_body_bytes(&mut self) -> Vec<u8> {
        match std::mem::replace(&mut self.body, ReplyBody::Empty) {
            ReplyBody::Json(v) => serde_json::to_vec(&v).unwrap_or_default(),
            ReplyBody::Serialized(bytes) => bytes,
            ReplyBody::Empty => Vec::new(),
        }
    }
}

/// The sandbox's own error body (control API, and paths no API claims): `{"error","message"}`.
pub(crate) fn sandbox_error(status: StatusCode, message: impl Into<String>) -> Reply {
    let error = status
        .canonical_reason()
        .unwrap_or("error")
        .to_ascii_lowercase()
        .replace(' ', "_");
    Reply::json(status, json!({"error": error, "message": message.into()}))
}
