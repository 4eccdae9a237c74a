//! [`HttpSend`]: the one seam between offerkit and an HTTP stack, and its reqwest implementation.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use bytes::{Bytes, BytesMut};
use http::{HeaderMap, Method, StatusCode};
use url::Url;

use crate::error::BoxError;

/// One fully built request, ready to go on the wire (auth headers included).
///
/// `Debug` prints header values only for an allow-list of harmless headers.
#[derive(Clone)]
#[non_exhaustive]
pub struct HttpRequest {
    /// The method.
    pub method: Method,
    /// The absolute URL, path and query already encoded.
    pub url: Url,
    /// All headers, including authentication.
    pub headers: HeaderMap,
    /// The body (empty for none).
    pub body: Bytes,
}

impl HttpRequest {
    /// A header's value as text, if present and visible ASCII.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body parsed as JSON (`Value::Null` when empty or not JSON). Handy in mocks.
    pub fn json_body(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.url.as_str())
            .field("headers", &RedactedHeaders(&self.headers))
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// A buffered response.
#[derive(Clone)]
#[non_exhaustive]
pub struct HttpResponse {
    /// The status.
    pub status: StatusCode,
    /// The headers.
    pub headers: HeaderMap,
    /// The whole body, at most the configured cap.
    pub body: Bytes,
}

impl HttpResponse {
    /// A response from its parts.
    pub fn new(status: StatusCode, headers: HeaderMap, body: Bytes) -> Self {
        Self {
            status,
            headers,
            body,
        }
    }
}

impl fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("headers", &RedactedHeaders(&self.headers))
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// Limits for one attempt.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct SendOptions {
    /// Time allowed for this attempt (connect, send, and reading the whole body); the transport
    /// enforces it around [`HttpSend::send`].
    pub timeout: Duration,
    /// The largest body to read; a larger one is [`SendError::BodyTooLarge`].
    pub max_body_bytes: usize,
}

impl SendOptions {
    /// Options from their parts.
    pub fn new(timeout: Duration, max_body_bytes: usize) -> Self {
        Self {
            timeout,
            max_body_bytes,
        }
    }
}

/// Why one attempt produced no response.
#[derive(Debug)]
#[non_exhaustive]
pub enum SendError {
    /// No connection could be made: the request was not sent.
    Connect(BoxError),
    /// No complete answer in time: the request may have been sent.
    Timeout,
    /// The connection broke: the request may have been sent.
    Io(BoxError),
    /// The body was larger than [`SendOptions::max_body_bytes`].
    BodyTooLarge,
}

/// Sends one HTTP request and buffers the response. Implement it to plug in another HTTP stack or a
/// test double (see `MockTransport` with the `test-util` feature).
///
/// Implementations should not retry, follow redirects or add headers, and need not enforce
/// [`SendOptions::timeout`]: the [`crate::Transport`] does all of that (it drops the future of an
/// attempt that runs out of time).
#[async_trait]
pub trait HttpSend: Send + Sync + fmt::Debug {
    /// Sends `request` and reads the response body within `options`.
    async fn send(
        &self,
        request: HttpRequest,
        options: SendOptions,
    ) -> Result<HttpResponse, SendError>;
}

/// [`HttpSend`] over a `reqwest::Client`.
#[derive(Debug, Clone)]
pub struct ReqwestSend {
    client: reqwest::Client,
}

impl ReqwestSend {
    /// Wraps a client. Its own redirect, proxy and TLS settings apply.
    pub fn new(client: reqwest::Client) -> Self {
        Self { client }
    }
}

#[async_trait]
impl HttpSend for ReqwestSend {
    async fn send(
        &self,
        request: HttpRequest,
        options: SendOptions,
    ) -> Result<HttpResponse, SendError> {
        // Built directly rather than through `RequestBuilder`: the header map is moved in, not
        // re-inserted header by header. The transport bounds the attempt with `options.timeout`.
        let mut http_request = reqwest::Request::new(request.method, request.url);
        *http_request.headers_mut() = request.headers;
        if !request.body.is_empty() {
            *http_request.body_mut() = Some(request.body.into());
        }
        let mut response = self.client.execute(http_request).await.map_err(classify)?;
        let limit = options.max_body_bytes;
        let declared = response.content_length().unwrap_or(0);
        if declared > limit as u64 {
            return Err(SendError::BodyTooLarge);
        }
        let status = response.status();
        let headers = std::mem::take(response.headers_mut());
        // Chunk by chunk, enforcing the cap as they arrive: a declared length can be absent or
        // wrong.
        let mut body = BytesMut::with_capacity(declared as usize);
        while let Some(chunk) = response.chunk().await.map_err(classify)? {
            if body.len() + chunk.len() > limit {
                return Err(SendError::BodyTooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        Ok(HttpResponse {
            status,
            headers,
            body: body.freeze(),
        })
    }
}

fn classify(err: reqwest::Error) -> SendError {
    if err.is_connect() {
        SendError::Connect(Box::new(err))
    } else if err.is_timeout() {
        SendError::Timeout
    } else {
        SendError::Io(Box::new(err))
    }
}

/// Headers whose values are safe to print.
const VISIBLE_HEADERS: &[&str] = &[
    "accept",
    "content-type",
    "content-length",
    "user-agent",
    "retry-after",
    "ms-requestid",
    "ms-correlationid",
    "x-request-id",
    "request-id",
    "x-sandbox-name",
    "date",
];

/// `Debug` for a header map that prints values only for [`VISIBLE_HEADERS`].
pub(crate) struct RedactedHeaders<'a>(pub(crate) &'a HeaderMap);

impl fmt::Debug for RedactedHeaders<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (name, value) in self.0 {
            if VISIBLE_HEADERS.contains(&name.as_str()) && !value.is_sensitive() {
                map.entry(&name.as_str(), &value.to_str().unwrap_or("<binary>"));
            } else {
                map.entry(
                    &name.as_str(),
                    &format_args!("<redacted, {} bytes>", value.len()),
                );
            }
        }
        map.finish()
    }
}
