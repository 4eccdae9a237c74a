//! [`Response`]: a buffered vendor answer, and JSON decoding with the failing path.

use std::fmt;
use std::time::SystemTime;

use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use serde::de::DeserializeOwned;

use crate::error::{ApiError, DecodeError, ThrottledError};
use crate::http_send::RedactedHeaders;
use crate::retry::parse_retry_after;
use crate::{Error, Service};

/// A vendor's answer: status, headers, the whole body, and ids for support requests.
#[derive(Clone)]
pub struct Response {
    pub(crate) service: &'static Service,
    pub(crate) operation: &'static str,
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    pub(crate) request_id: Option<String>,
    pub(crate) correlation_id: Option<String>,
    pub(crate) attempts: u32,
    /// A retried attempt may have reached the vendor and acted, its answer lost.
    pub(crate) earlier_attempt_may_have_acted: bool,
    /// The status is one the caller declared with [`crate::Request::accept_status`].
    pub(crate) accepted: bool,
}

impl Response {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// `true` for 2xx.
    pub fn is_success(&self) -> bool {
        self.status.is_success()
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// One header as text, if present and visible ASCII.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The body as text (invalid UTF-8 replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The vendor's request id (from the headers its [`crate::Service`] names), or the `MS-RequestId` offerkit sent.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The `MS-CorrelationId` offerkit sent (Partner Center orders).
    pub fn correlation_id(&self) -> Option<&str> {
        self.correlation_id.as_deref()
    }

    /// How many attempts the call took.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// `true` when an earlier attempt of this call may have reached the vendor and done the work,
    /// its answer lost (a timeout, a connection broken after the request was written, a 5xx), and
    /// the call was retried. Then this answer may describe that earlier work: a 404 to a retried
    /// DELETE most likely means the first attempt deleted it. `false` when every earlier attempt is
    /// known not to have acted (connect failure, 429, 503 with `Retry-After`, a 401 answered
    /// before the token refresh) or there was none.
    pub fn earlier_attempt_may_have_acted(&self) -> bool {
        self.earlier_attempt_may_have_acted
    }

    /// The service that answered.
    pub fn service(&self) -> &'static Service {
        self.service
    }

    /// The operation name.
    pub fn operation(&self) -> &'static str {
        self.operation
    }

    /// Decodes the body as `T`; on failure the error names the type and the JSON path.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, Error> {
        decode(self.service.name(), self.operation, self.status, &self.body)
    }

    /// Like [`Response::json`], but an empty (or whitespace-only) body is `None`
    /// (Adobe answers DELETE with 200 and no body).
    pub fn json_opt<T: DeserializeOwned>(&self) -> Result<Option<T>, Error> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(None);
        }
        self.json().map(Some)
    }

    /// Decodes the body as `T` and keeps it as sent ([`offerkit_models::raw::WithRaw`]): the
    /// typed record for decisions, the vendor's JSON (explicit `null`s kept) for snapshots. Parses
    /// the body twice; only callers that need the raw JSON pay for it.
    pub fn json_with_raw<T: DeserializeOwned>(
        &self,
    ) -> Result<offerkit_models::raw::WithRaw<T>, Error> {
        let value = self.json::<T>()?;
        let raw = self.json::<serde_json::Value>()?;
        Ok(offerkit_models::raw::WithRaw::new(value, raw))
    }

    /// `Ok(self)` for 2xx; otherwise the [`Error`] offerkit would return for this answer.
    pub fn error_for_status(self) -> Result<Self, Error> {
        if self.status.is_success() {
            Ok(self)
        } else {
            Err(self.into_error())
        }
    }

    /// The error for this answer: [`Error::Throttled`] for 429 (and 503 with `Retry-After`),
    /// [`Error::Api`] otherwise, with the vendor's error body parsed.
    pub fn into_error(self) -> Error {
        let retry_after = parse_retry_after(&self.headers, SystemTime::now());
        let api = ApiError::new(
            self.service.name(),
            self.operation,
            self.status,
            &self.body,
            self.request_id,
            self.correlation_id,
            retry_after,
            self.attempts,
        );
        let throttled = api.status == StatusCode::TOO_MANY_REQUESTS
            || (api.status == StatusCode::SERVICE_UNAVAILABLE && retry_after.is_some());
        if throttled {
            Error::Throttled(Box::new(ThrottledError {
                retry_after,
                last: api,
            }))
        } else {
            Error::Api(Box::new(api))
        }
    }
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("service", &self.service.id())
            .field("operation", &self.operation)
            .field("status", &self.status)
            .field("headers", &RedactedHeaders(&self.headers))
            .field("body_len", &self.body.len())
            .field("request_id", &self.request_id)
            .field("attempts", &self.attempts)
            .field(
                "earlier_attempt_may_have_acted",
                &self.earlier_attempt_may_have_acted,
            )
            .finish()
    }
}

/// Decodes JSON with the path of the first failure.
pub(crate) fn decode<T: DeserializeOwned>(
    service: &'static str,
    operation: &'static str,
    status: StatusCode,
    body: &[u8],
) -> Result<T, Error> {
    let fail = |path: String, source: serde_json::Error| {
        Error::Decode(Box::new(DecodeError::new(
            service,
            operation,
            status,
            std::any::type_name::<T>(),
            &path,
            body,
            &source,
        )))
    };
    // Fast path: plain serde_json (what a bare client does). Only a failure pays for a second,
    // path-tracking pass, so errors still name the JSON path at no cost on success.
    if let Ok(value) = serde_json::from_slice::<T>(body) {
        return Ok(value);
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    let value: T = serde_path_to_error::deserialize(&mut de)
        .map_err(|e| fail(e.path().to_string(), e.into_inner()))?;
    de.end().map_err(|e| fail(".".to_owned(), e))?;
    Ok(value)
}
