//! [`MockTransport`]: a function-backed [`HttpSend`] for unit tests (feature `test-util`).
//!
//! Build a [`Transport`] on it and hand that to any vendor client; every request (token calls
//! included) goes to your function instead of the network.
//!
//! ```
//! use offerkit_transport::mock::{MockResponse, MockTransport};
//! use offerkit_transport::{Service, StaticHeader, VendorClient};
//! static APPCHARGE: Service = Service::new("appcharge", "Appcharge", "https://api.appcharge.com");
//! use std::sync::Arc;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), offerkit_transport::Error> {
//! let mock = MockTransport::new(|req| match (req.method.as_str(), req.url.path()) {
//!     ("DELETE", "/v2/offer/summer-sale") => MockResponse::json(200, &serde_json::json!({"publisherOfferId": "summer-sale"})),
//!     _ => MockResponse::new(404),
//! });
//! let client = VendorClient::new(
//!     &APPCHARGE,
//!     &mock.transport(),
//!     "https://api.appcharge.com",
//!     Arc::new(StaticHeader::new("x-publisher-token", "t")),
//! )?;
//! let offer: serde_json::Value = client.delete("delete_offer").path("v2/offer")
//!     .path_param("publisher_offer_id", "summer-sale").send_json().await?;
//! assert_eq!(offer["publisherOfferId"], "summer-sale");
//! assert_eq!(mock.requests()[0].header("x-publisher-token"), Some("t"));
//! # Ok(()) }
//! ```

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use serde::Serialize;

use crate::http_send::{HttpRequest, HttpResponse, HttpSend, SendError, SendOptions};
use crate::{RetryPolicy, Transport};

type Handler = dyn Fn(&HttpRequest) -> MockResponse + Send + Sync;

/// An [`HttpSend`] that answers with a function and records every request.
#[derive(Clone)]
pub struct MockTransport {
    handler: Arc<Handler>,
    log: Arc<Mutex<Vec<HttpRequest>>>,
}

impl MockTransport {
    /// Answers every request with `handler`.
    pub fn new(handler: impl Fn(&HttpRequest) -> MockResponse + Send + Sync + 'static) -> Self {
        Self {
            handler: Arc::new(handler),
            log: Arc::default(),
        }
    }

    /// A [`Transport`] over this mock, retrying without delays ([`RetryPolicy::immediate`]`(3)`).
    pub fn transport(&self) -> Transport {
        let built = Transport::builder()
            .http_client(self.clone())
            .retry_policy(RetryPolicy::immediate(3))
            .build();
        match built {
            Ok(t) => t,
            // Only a bad user agent can fail, and the default one is valid.
            Err(e) => unreachable!("mock transport: {e}"),
        }
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<HttpRequest> {
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl fmt::Debug for MockTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockTransport").finish_non_exhaustive()
    }
}

#[async_trait]
impl HttpSend for MockTransport {
    async fn send(
        &self,
        request: HttpRequest,
        options: SendOptions,
    ) -> Result<HttpResponse, SendError> {
        let reply = (self.handler)(&request);
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(request);
        match reply.0 {
            Reply::Response(r) if r.body.len() > options.max_body_bytes => {
                Err(SendError::BodyTooLarge)
            }
            Reply::Response(r) => Ok(r),
            Reply::ConnectError => Err(SendError::Connect("mock: connection refused".into())),
            Reply::Timeout => Err(SendError::Timeout),
            Reply::Dropped => Err(SendError::Io("mock: connection reset by peer".into())),
        }
    }
}

/// What the mock answers.
#[derive(Debug, Clone)]
pub struct MockResponse(Reply);

#[derive(Debug, Clone)]
enum Reply {
    Response(HttpResponse),
    ConnectError,
    Timeout,
    Dropped,
}

impl MockResponse {
    /// An empty answer with `status` (an invalid code becomes 500).
    pub fn new(status: u16) -> Self {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        Self(Reply::Response(HttpResponse::new(
            status,
            HeaderMap::new(),
            Bytes::new(),
        )))
    }

    /// A JSON answer.
    pub fn json(status: u16, body: &impl Serialize) -> Self {
        let bytes = serde_json::to_vec(body).unwrap_or_default();
        Self::new(status)
            .header("content-type", "application/json")
            .body(bytes)
    }

    /// A text answer.
    pub fn text(status: u16, body: impl Into<String>) -> Self {
        Self::new(status)
            .header("content-type", "text/plain")
            .body(body.into())
    }

    /// Sets the body.
    pub fn body(mut self, body: impl Into<Bytes>) -> Self {
        if let Reply::Response(r) = &mut self.0 {
            r.body = body.into();
        }
        self
    }

    /// Adds a header (ignored if the name or value is invalid).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        if let (Reply::Response(r), Ok(n), Ok(v)) = (
            &mut self.0,
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            r.headers.append(n, v);
        }
        self
    }

    /// The connection is refused (the request was not sent).
    pub fn connect_error() -> Self {
        Self(Reply::ConnectError)
    }

    /// The attempt times out (the request may have been sent and acted on).
    pub fn timeout() -> Self {
        Self(Reply::Timeout)
    }

    /// The connection breaks after the request was written: the server may have acted, its
    /// answer is lost.
    pub fn dropped() -> Self {
        Self(Reply::Dropped)
    }
}
