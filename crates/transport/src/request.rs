//! [`Request`]: one operation, built in one expression by a vendor crate and sent through the
//! [`Transport`](crate::Transport).

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::http_send::RedactedHeaders;
use crate::pipeline::Call;
use crate::urls::{build_url, encode_segment, resolve_link};
use offerkit_models::retraction::{Deleted, NotFound, Retraction};

use crate::{Error, GenericErrorBody, Idempotency, Response, RetryPolicy, Transport, VendorClient};

/// One call to a vendor operation. Errors in building (a bad id, a body that does not serialize)
/// are kept and returned by `send`, so an operation reads as one expression:
///
/// ```no_run
/// # use offerkit_transport::{Error, Idempotency, VendorClient};
/// # #[derive(serde::Deserialize)] struct Offer {}
/// # async fn delete_offer(client: &VendorClient, publisher_offer_id: &str) -> Result<Offer, Error> {
/// client
///     .delete("delete_offer")
///     .path("v2/offer")
///     .path_param("publisher_offer_id", publisher_offer_id)
///     .send_json::<Offer>()
///     .await
/// # }
/// ```
#[must_use = "a request does nothing until it is sent"]
pub struct Request {
    client: VendorClient,
    operation: &'static str,
    method: Method,
    segments: Vec<Cow<'static, str>>,
    link: Option<String>,
    query: Vec<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
    idempotency: Idempotency,
    idempotency_key: Option<String>,
    correlation_id: Option<String>,
    accepted: Vec<StatusCode>,
    total_timeout: Option<Duration>,
    retry: Option<RetryPolicy>,
    error: Option<Error>,
}

impl Request {
    /// A request; the idempotency defaults from the method ([`Idempotency::for_method`]).
    pub fn new(client: &VendorClient, method: Method, operation: &'static str) -> Self {
        Self {
            client: client.clone(),
            operation,
            idempotency: Idempotency::for_method(&method),
            method,
            segments: Vec::new(),
            link: None,
            query: Vec::new(),
            headers: HeaderMap::new(),
            body: Bytes::new(),
            idempotency_key: None,
            correlation_id: None,
            accepted: Vec::new(),
            total_timeout: None,
            retry: None,
            error: None,
        }
    }

    fn fail(mut self, err: Error) -> Self {
        self.error.get_or_insert(err);
        self
    }

    /// Appends fixed path segments written in the vendor crate (`"v1/customers"`), split on `/`
    /// and taken as they are. Never pass user input here: use [`Request::path_param`].
    pub fn path(mut self, fixed: &'static str) -> Self {
        self.segments.extend(
            fixed
                .split('/')
                .filter(|s| !s.is_empty())
                .map(Cow::Borrowed),
        );
        self
    }

    /// Appends one segment from user input, percent-encoded so it can never change the path or
    /// query (`../x` and `a/b?c` stay one segment). `argument` names it in errors; empty, `.` and
    /// `..` are refused.
    pub fn path_param(mut self, argument: &'static str, value: impl AsRef<str>) -> Self {
        match encode_segment(value.as_ref(), argument) {
            Ok(segment) => {
                self.segments.push(Cow::Owned(segment));
                self
            }
            Err(e) => self.fail(e),
        }
    }

    /// Sends to a link the vendor returned (for example Adobe `_links.next.href`), absolute or
    /// relative, instead of the path. It must have the base URL's origin.
    pub fn link(mut self, href: impl Into<String>) -> Self {
        self.link = Some(href.into());
        self
    }

    /// Adds a query parameter (encoded).
    pub fn query(mut self, key: &str, value: impl ToString) -> Self {
        self.query.push((key.to_owned(), value.to_string()));
        self
    }

    /// Adds a query parameter when `value` is `Some`.
    pub fn query_opt(self, key: &str, value: Option<impl ToString>) -> Self {
        match value {
            Some(v) => self.query(key, v),
            None => self,
        }
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        match header_pair(name, value) {
            Ok((n, v)) => {
                self.headers.insert(n, v);
                self
            }
            Err(e) => self.fail(e),
        }
    }

    /// Serializes `body` as the JSON body (`Content-Type: application/json`).
    pub fn json<T: Serialize + ?Sized>(mut self, body: &T) -> Self {
        match serde_json::to_vec(body) {
            Ok(bytes) => {
                self.body = Bytes::from(bytes);
                self.headers.insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                );
                self
            }
            Err(e) => self.fail(Error::invalid_input(
                "body",
                format!("could not be serialized as JSON: {e}"),
            )),
        }
    }

    /// Sets a raw body and its content type.
    pub fn body(mut self, body: impl Into<Bytes>, content_type: &'static str) -> Self {
        self.body = body.into();
        self.headers
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        self
    }

    /// Declares whether the operation is safe to repeat (default from the method).
    pub fn idempotency(mut self, idempotency: Idempotency) -> Self {
        self.idempotency = idempotency;
        self
    }

    /// Uses this idempotency key (Partner Center `MS-RequestId`) instead of a fresh UUID.
    pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = Some(key.into());
        self
    }

    /// Uses this correlation id (Partner Center `MS-CorrelationId`) instead of a fresh UUID.
    pub fn correlation_id(mut self, id: impl Into<String>) -> Self {
        self.correlation_id = Some(id.into());
        self
    }

    /// Treats `status` as an answer for the caller to interpret rather than an error: `send`
    /// returns the [`Response`] (and does not retry it).
    pub fn accept_status(mut self, status: StatusCode) -> Self {
        self.accepted.push(status);
        self
    }

    /// Overrides the transport's total deadline for this call.
    pub fn total_timeout(mut self, timeout: Duration) -> Self {
        self.total_timeout = Some(timeout);
        self
    }

    /// Overrides the transport's retry policy for this call.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Sends; 2xx and accepted statuses are `Ok`, any other status is [`Error::Api`] or
    /// [`Error::Throttled`].
    pub async fn send(self) -> Result<Response, Error> {
        let (transport, call) = self.into_call()?;
        let response = transport.execute(call).await?;
        if response.is_success() || response.accepted {
            Ok(response)
        } else {
            Err(response.into_error())
        }
    }

    /// Sends and decodes a 2xx body as `T` (errors name the JSON path that failed).
    pub async fn send_json<T: DeserializeOwned>(self) -> Result<T, Error> {
        self.send().await?.json()
    }

    /// Sends a call where a 404 means "already gone" (a DELETE of the vendors that answer 404 for
    /// a resource deleted before): a 2xx is [`Retraction::Retracted`] with the response (the
    /// vendor crate decides what its body means: Appcharge echoes the deleted offer, Adobe sends
    /// nothing), a 404 is [`Retraction::AlreadyRetracted`] with the 404's message. Any other
    /// status is an error, as with [`Request::send`].
    ///
    /// A 404 that answers a retry after an attempt that may have reached the vendor (a timeout, a
    /// connection broken after the request was written, a 5xx) is marked
    /// [`NotFound::earlier_attempt_may_have_acted`]: that attempt most likely did the deletion and
    /// its answer was lost ([`Response::earlier_attempt_may_have_acted`]).
    ///
    /// ```no_run
    /// # use offerkit_transport::{Error, VendorClient};
    /// # async fn run(client: &VendorClient) -> Result<(), Error> {
    /// let outcome = client
    ///     .delete("delete_offer")
    ///     .path("v2/offer")
    ///     .path_param("publisher_offer_id", "summer-sale")
    ///     .send_or_gone()
    ///     .await?;
    /// if let Some(deleted) = outcome.retracted() {
    ///     let echoed: Option<serde_json::Value> = deleted.value.json_opt()?;
    ///     println!("deleted now: {echoed:?}");
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn send_or_gone(self) -> Result<Retraction<Deleted<Response>, NotFound>, Error> {
        let response = self.accept_status(StatusCode::NOT_FOUND).send().await?;
        let request_id = response.request_id().map(str::to_owned);
        if response.status() == StatusCode::NOT_FOUND {
            let message = GenericErrorBody::parse(response.body()).and_then(|b| b.message);
            return Ok(Retraction::AlreadyRetracted(NotFound {
                message,
                request_id,
                earlier_attempt_may_have_acted: response.earlier_attempt_may_have_acted(),
            }));
        }
        Ok(Retraction::Retracted(Deleted {
            value: response,
            request_id,
        }))
    }

    /// Sends and returns the response whatever its status (retries still apply).
    pub async fn send_raw(self) -> Result<Response, Error> {
        let (transport, call) = self.into_call()?;
        transport.execute(call).await
    }

    /// The URL, the headers (client defaults, request ids) and the settings of this call, or the
    /// first error met while building it.
    fn into_call(mut self) -> Result<(Transport, Call), Error> {
        if let Some(err) = self.error.take() {
            return Err(err);
        }
        let client = &*self.client.inner;
        let service = client.service;
        let url = match &self.link {
            Some(link) => resolve_link(&client.base_url, link, &self.query)?,
            None => build_url(&client.base_url, &self.segments, &self.query),
        };
        // The request's own headers win over the client's defaults (one value per name on both
        // sides).
        let mut headers = std::mem::take(&mut self.headers);
        for (name, value) in &client.default_headers {
            if !headers.contains_key(name) {
                headers.insert(name.clone(), value.clone());
            }
        }
        let request_id = service.idempotency_key_header_name().map(|name| {
            (
                name,
                self.idempotency_key.take().unwrap_or_else(new_request_id),
            )
        });
        let correlation_id = service.correlation_header_name().map(|name| {
            (
                name,
                self.correlation_id.take().unwrap_or_else(new_request_id),
            )
        });
        for (name, value) in request_id.iter().chain(correlation_id.iter()) {
            let (name, value) = header_pair(name, value)?;
            headers.insert(name, value);
        }
        let call = Call {
            service,
            operation: self.operation,
            method: self.method,
            url,
            headers,
            body: self.body,
            idempotency: self.idempotency,
            credential: Some(Arc::clone(&client.credential)),
            total_timeout: self.total_timeout,
            retry: self.retry,
            accepted: self.accepted,
            request_id: request_id.map(|(_, id)| id),
            correlation_id: correlation_id.map(|(_, id)| id),
        };
        Ok((client.transport.clone(), call))
    }
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("service", &self.client.inner.service.id())
            .field("operation", &self.operation)
            .field("method", &self.method)
            .field("segments", &self.segments)
            .field("query", &self.query)
            .field("headers", &RedactedHeaders(&self.headers))
            .field("body_len", &self.body.len())
            .field("idempotency", &self.idempotency)
            .finish_non_exhaustive()
    }
}

pub(crate) fn header_pair(name: &str, value: &str) -> Result<(HeaderName, HeaderValue), Error> {
    let n = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
        Error::invalid_input(
            "header name",
            format!("`{name}` is not a valid header name"),
        )
    })?;
    let v = HeaderValue::from_str(value).map_err(|_| {
        Error::invalid_input(
            format!("{name} header"),
            "the value contains characters not allowed in a header",
        )
    })?;
    Ok((n, v))
}

/// A random UUID v4 in its canonical (lowercase, hyphenated) text form: the `MS-RequestId` /
/// `MS-CorrelationId` of a call that was not given one. The idempotency key of a keyed call, so it
/// comes from the operating system's random source (`uuid`'s `v4`, through getrandom).
fn new_request_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn request_ids_are_distinct_lowercase_v4_uuids() {
        let a = super::new_request_id();
        let parsed = uuid::Uuid::parse_str(&a).unwrap();
        assert_eq!(parsed.get_version(), Some(uuid::Version::Random), "{a}");
        assert_eq!(parsed.get_variant(), uuid::Variant::RFC4122, "{a}");
        assert_eq!(a.len(), 36);
        assert_eq!(a, a.to_ascii_lowercase());
        assert_ne!(a, super::new_request_id());
    }
}
