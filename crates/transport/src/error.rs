//! [`Error`]: every way a call can fail, each saying whether the request reached the server.

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use http::StatusCode;

use crate::{GenericErrorBody, Redactor, ScrubbedError};

/// A boxed error from the HTTP stack.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Whether a failed request reached the server, which decides whether repeating it is safe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RequestSent {
    /// The request was never sent (invalid input, connect failure, token failure).
    No,
    /// The request may have been sent (timeout, connection dropped mid-flight).
    Maybe,
    /// The server answered.
    Yes,
}

/// The error returned by every offerkit call.
///
/// Match on the kind; each variant documents whether the request was sent (also
/// available as [`Error::request_sent`]).
///
/// ```
/// use offerkit_transport::Error;
/// fn describe(err: &Error) -> String {
///     match err {
///         Error::Api(api) if api.status.as_u16() == 404 => "no such offer".to_owned(),
///         Error::Api(api) => format!("vendor said {}", api.status),
///         Error::Throttled(t) => format!("throttled, retry after {:?}", t.retry_after),
///         other => other.to_string(),
///     }
/// }
/// # let _ = describe;
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An argument was refused before anything was sent. Not sent.
    #[error("invalid {argument}: {reason}")]
    InvalidInput {
        /// The argument or setting (for example `offer_id`, `base_url`, `OFFERKIT_AZURE_TENANT_ID`).
        argument: Cow<'static, str>,
        /// Why it was refused.
        reason: String,
    },
    /// No connection could be made. Not sent; always safe to repeat.
    #[error(
        "could not connect to {service} for `{operation}` at {url} after {attempts} attempt(s); \
         check the base URL, proxy and network ({})", ErrorChain::new(&**.source)
    )]
    Connect {
        /// The service (vendor name or identity provider).
        service: &'static str,
        /// The operation.
        operation: &'static str,
        /// The URL without its query.
        url: String,
        /// Attempts made.
        attempts: u32,
        /// The underlying error.
        #[source]
        source: BoxError,
    },
    /// No answer within the per-attempt timeout or the total deadline. Maybe sent.
    #[error(
        "{service} `{operation}` timed out after {elapsed:?} ({attempts} attempt(s)); it may have been \
         processed, so check its effect before repeating it, or raise the timeout"
    )]
    Timeout {
        /// The service.
        service: &'static str,
        /// The operation.
        operation: &'static str,
        /// Time spent on the whole call.
        elapsed: Duration,
        /// Attempts made.
        attempts: u32,
    },
    /// The response body was larger than the configured cap. Sent.
    #[error(
        "the {service} `{operation}` response body is larger than the {limit}-byte limit; \
         raise TransportBuilder::max_body_bytes if this is expected"
    )]
    BodyTooLarge {
        /// The service.
        service: &'static str,
        /// The operation.
        operation: &'static str,
        /// The configured limit in bytes.
        limit: usize,
    },
    /// The connection failed after the request may have been written. Maybe sent.
    #[error(
        "the connection to {service} failed during `{operation}` after {attempts} attempt(s): {}",
        ErrorChain::new(&**.source)
    )]
    Io {
        /// The service.
        service: &'static str,
        /// The operation.
        operation: &'static str,
        /// Attempts made.
        attempts: u32,
        /// The underlying error.
        #[source]
        source: BoxError,
    },
    /// A token could not be obtained. The API request was not sent.
    #[error(transparent)]
    Auth(Box<AuthError>),
    /// The vendor answered with an error status. Sent.
    #[error(transparent)]
    Api(Box<ApiError>),
    /// The vendor answered with a body that does not match the expected type. Sent.
    #[error(transparent)]
    Decode(Box<DecodeError>),
    /// The vendor was still throttling (429, or 503 with `Retry-After`) when retries ran out. Sent.
    #[error(transparent)]
    Throttled(Box<ThrottledError>),
}

impl Error {
    /// Builds an [`Error::InvalidInput`].
    pub fn invalid_input(
        argument: impl Into<Cow<'static, str>>,
        reason: impl Into<String>,
    ) -> Self {
        Self::InvalidInput {
            argument: argument.into(),
            reason: reason.into(),
        }
    }

    /// Whether the request reached the server.
    pub fn request_sent(&self) -> RequestSent {
        match self {
            Self::InvalidInput { .. } | Self::Connect { .. } | Self::Auth(_) => RequestSent::No,
            Self::Timeout { .. } | Self::Io { .. } => RequestSent::Maybe,
            Self::BodyTooLarge { .. } | Self::Api(_) | Self::Decode(_) | Self::Throttled(_) => {
                RequestSent::Yes
            }
        }
    }

    /// The HTTP status of the vendor's answer, when there was one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Api(e) => Some(e.status),
            Self::Throttled(e) => Some(e.last.status),
            Self::Decode(e) => Some(e.status),
            Self::Auth(e) => e.status,
            _ => None,
        }
    }

    /// `true` for an API answer of 404 Not Found.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(StatusCode::NOT_FOUND) && matches!(self, Self::Api(_))
    }

    /// `true` for an API answer of 409 Conflict.
    pub fn is_conflict(&self) -> bool {
        self.status() == Some(StatusCode::CONFLICT) && matches!(self, Self::Api(_))
    }

    /// The vendor's request id (or the id offerkit sent), when known.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Self::Api(e) => e.request_id.as_deref(),
            Self::Throttled(e) => e.last.request_id.as_deref(),
            _ => None,
        }
    }

    /// The vendor's error body read generically (code and message), when the answer had a JSON
    /// one. A vendor crate parses its own typed body from [`ApiError::body`].
    pub fn error_body(&self) -> Option<&GenericErrorBody> {
        match self {
            Self::Api(e) => e.error_body.as_ref(),
            Self::Throttled(e) => e.last.error_body.as_ref(),
            _ => None,
        }
    }

    /// What an API answer ([`Error::Api`]) refuses, for vendor crates that type refusals: 401/403 is
    /// [`Refusal::Unauthorized`], any other 4xx except 404 (gone), 408 and 429 (worth repeating) is
    /// [`Refusal::Rejected`]. `None` for those, for 5xx and for anything that is not an answer.
    ///
    /// ```
    /// use offerkit_transport::Error;
    /// assert_eq!(Error::invalid_input("offer_id", "must not be empty").refusal(), None);
    /// ```
    pub fn refusal(&self) -> Option<Refusal> {
        let Self::Api(api) = self else {
            return None;
        };
        match api.status {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
                Some(Refusal::Unauthorized(api.status.as_u16()))
            }
            s if s.is_client_error()
                && s != StatusCode::NOT_FOUND
                && s != StatusCode::REQUEST_TIMEOUT
                && s != StatusCode::TOO_MANY_REQUESTS =>
            {
                Some(Refusal::Rejected(s.as_u16()))
            }
            _ => None,
        }
    }

    /// `: <vendor message> (request id <id>)`, each part when known (empty when neither is): the
    /// tail a vendor crate appends to its own error message for this answer.
    ///
    /// ```
    /// use offerkit_transport::Error;
    /// assert_eq!(Error::invalid_input("offer_id", "must not be empty").answer_suffix(), "");
    /// ```
    pub fn answer_suffix(&self) -> String {
        let mut text = String::new();
        if let Some(m) = self
            .error_body()
            .and_then(|b| b.message.clone())
            .filter(|m| !m.trim().is_empty())
        {
            text.push_str(": ");
            text.push_str(m.trim());
        }
        if let Some(id) = self.request_id() {
            text.push_str(" (request id ");
            text.push_str(id);
            text.push(')');
        }
        text
    }

    /// `true` if no connection could be made to the service or to its token endpoint
    /// (connection refused, DNS, TLS setup): nothing was sent, and more calls to the same base
    /// URL will likely fail the same way.
    pub fn is_unreachable(&self) -> bool {
        match self {
            Self::Connect { .. } => true,
            Self::Auth(e) => e.source.as_ref().is_some_and(|s| s.is_unreachable()),
            _ => false,
        }
    }

    /// `true` if trying the same call later may succeed (connect, timeout, throttling, 5xx).
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Connect { .. } | Self::Timeout { .. } | Self::Io { .. } | Self::Throttled(_) => {
                true
            }
            Self::Api(e) => matches!(e.status.as_u16(), 408 | 429 | 500 | 502 | 503 | 504),
            Self::Auth(e) => e.source.as_ref().is_some_and(|s| s.is_transient()),
            _ => false,
        }
    }
}

/// An id refused by the one id check is an invalid input, never sent.
impl From<offerkit_models::ids::InvalidId> for Error {
    fn from(err: offerkit_models::ids::InvalidId) -> Self {
        Error::invalid_input(err.argument(), err.reason())
    }
}

/// A token request to an identity provider failed. Built only through `AuthError::new`, which
/// scrubs what the provider said ([`Redactor`]).
#[derive(Debug)]
#[non_exhaustive]
pub struct AuthError {
    /// `Azure AD` or `Adobe IMS`.
    pub provider: &'static str,
    /// The token endpoint's HTTP status, when it answered.
    pub status: Option<StatusCode>,
    /// The provider's error code (`error`, for example `invalid_client`).
    pub error: Option<String>,
    /// The provider's error text (`error_description`), or the raw body when it did not parse.
    pub description: Option<String>,
    /// The transport error, when the token endpoint could not be reached.
    pub source: Option<Box<Error>>,
}

impl AuthError {
    /// The error, with the provider's code and text scrubbed of every known secret (a token
    /// endpoint that echoes the form would otherwise repeat the client secret).
    pub(crate) fn new(
        provider: &'static str,
        status: Option<StatusCode>,
        error: Option<String>,
        description: Option<String>,
        source: Option<Box<Error>>,
    ) -> Self {
        let redactor = Redactor::global();
        let scrub = |text: Option<String>| text.map(|t| redactor.scrub_body(t.as_bytes()));
        Self {
            provider,
            status,
            error: scrub(error),
            description: scrub(description),
            source,
        }
    }
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the {} token request failed", self.provider)?;
        if let Some(status) = self.status {
            write!(f, " with HTTP {status}")?;
        }
        if let Some(code) = &self.error {
            write!(f, " ({code})")?;
        }
        if let Some(text) = &self.description {
            write!(f, ": {}", excerpt(text, 300))?;
        }
        match &self.source {
            // The endpoint never answered: the source says why (network, proxy, URL, timeout) and
            // what to check; the credentials were not judged.
            Some(source) => write!(f, " (no answer from the token endpoint): {source}"),
            None => f.write_str("; check the tenant / org id, client id, client secret and scopes"),
        }
    }
}

impl std::error::Error for AuthError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// What an API answer refuses ([`Error::refusal`]); each carries the HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refusal {
    /// 401 or 403: the credentials were refused.
    Unauthorized(u16),
    /// Another 4xx (not 404, 408 or 429): the vendor refused this request; repeating it will not help.
    Rejected(u16),
}

/// The vendor answered with an error status. Built only through `ApiError::new`, which scrubs
/// the body and the request id ([`Redactor`]).
#[derive(Debug)]
#[non_exhaustive]
pub struct ApiError {
    /// The service's name (from its [`crate::Service`]).
    pub service: &'static str,
    /// The operation.
    pub operation: &'static str,
    /// The HTTP status.
    pub status: StatusCode,
    /// The error body read generically, when it was JSON.
    pub error_body: Option<GenericErrorBody>,
    /// The body text (lossy UTF-8), always kept, every known secret replaced by
    /// [`Redactor::MARKER`].
    pub body: String,
    /// The vendor's request id, or the id offerkit sent.
    pub request_id: Option<String>,
    /// The correlation id offerkit sent (Partner Center), if any.
    pub correlation_id: Option<String>,
    /// The `Retry-After` the server sent, if any.
    pub retry_after: Option<Duration>,
    /// Attempts made.
    pub attempts: u32,
}

impl ApiError {
    /// The answer of `service` to `operation`: the body (and the generic error body read from
    /// it) and the request id are scrubbed of every known secret.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        service: &'static str,
        operation: &'static str,
        status: StatusCode,
        body: &[u8],
        request_id: Option<String>,
        correlation_id: Option<String>,
        retry_after: Option<Duration>,
        attempts: u32,
    ) -> Self {
        let redactor = Redactor::global();
        let body = redactor.scrub_body(body);
        Self {
            service,
            operation,
            status,
            error_body: GenericErrorBody::parse(body.as_bytes()),
            body,
            request_id: request_id.map(|id| redactor.scrub(&id).into_owned()),
            correlation_id,
            retry_after,
            attempts,
        }
    }

    /// The vendor's error code, when the body had one.
    pub fn code(&self) -> Option<String> {
        self.error_body.as_ref().and_then(|b| b.code.clone())
    }

    /// The vendor's error message, when the body had one.
    pub fn message(&self) -> Option<String> {
        self.error_body.as_ref().and_then(|b| b.message.clone())
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} `{}` failed with HTTP {}",
            self.service, self.operation, self.status
        )?;
        let code = self.code();
        let message = self.message();
        if let Some(code) = &code {
            write!(f, " [{code}]")?;
        }
        match (&message, self.body.trim()) {
            (Some(m), _) => write!(f, ": {}", excerpt(m, 300))?,
            (None, "") => {}
            (None, body) if code.is_none() => write!(f, ": {}", excerpt(body, 200))?,
            (None, _) => {}
        }
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// A response body did not match the expected type. Built only through `DecodeError::new`,
/// which scrubs the excerpt, the path and the parser's message ([`Redactor`]).
#[derive(Debug)]
#[non_exhaustive]
pub struct DecodeError {
    /// The service.
    pub service: &'static str,
    /// The operation.
    pub operation: &'static str,
    /// The HTTP status of the response.
    pub status: StatusCode,
    /// The Rust type that failed to decode.
    pub type_name: &'static str,
    /// The JSON path of the failure (for example `offers[3].schedule.timeFrames[0].startTime`).
    pub path: String,
    /// The start of the body (at most 200 characters).
    pub excerpt: String,
    /// The serde error's text (it can quote the body, so it is kept scrubbed).
    pub source: ScrubbedError,
}

impl DecodeError {
    /// The failure to read `body` as `type_name` at `path`, scrubbed of every known secret.
    pub(crate) fn new(
        service: &'static str,
        operation: &'static str,
        status: StatusCode,
        type_name: &'static str,
        path: &str,
        body: &[u8],
        source: &serde_json::Error,
    ) -> Self {
        let redactor = Redactor::global();
        Self {
            service,
            operation,
            status,
            type_name,
            path: redactor.scrub(path).into_owned(),
            excerpt: excerpt(&redactor.scrub_body(body), 200),
            source: ScrubbedError::new(source),
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "could not read the {} `{}` response as {} at `{}`: {} (body starts with: {})",
            self.service, self.operation, self.type_name, self.path, self.source, self.excerpt
        )
    }
}

impl std::error::Error for DecodeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// The vendor kept throttling until retries or the deadline ran out.
#[derive(Debug)]
#[non_exhaustive]
pub struct ThrottledError {
    /// The last `Retry-After` the server sent.
    pub retry_after: Option<Duration>,
    /// The last answer.
    pub last: ApiError,
}

impl fmt::Display for ThrottledError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} `{}` is still throttled (HTTP {}) after {} attempt(s)",
            self.last.service, self.last.operation, self.last.status, self.last.attempts
        )?;
        match self.retry_after {
            Some(d) => write!(
                f,
                "; the server asked to wait {}s before trying again",
                d.as_secs()
            )?,
            None => f.write_str("; try again later")?,
        }
        if let Some(id) = &self.last.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ThrottledError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.last)
    }
}

/// An error and its causes as one line, each cause once: `top: cause: cause`, where a cause whose
/// text is already part of the line (a wrapper that repeats its source's message) is left out.
///
/// ```
/// use offerkit_transport::ErrorChain;
/// #[derive(Debug)]
/// struct Outer(std::io::Error);
/// impl std::fmt::Display for Outer {
///     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
///         f.write_str("error sending request")
///     }
/// }
/// impl std::error::Error for Outer {
///     fn source(&self) -> Option<&(dyn std::error::Error + 'static)> { Some(&self.0) }
/// }
/// let err = Outer(std::io::Error::other("Connection refused"));
/// assert_eq!(ErrorChain::new(&err).to_string(), "error sending request: Connection refused");
/// ```
#[derive(Clone, Copy)]
pub struct ErrorChain<'a>(&'a (dyn std::error::Error + 'static));

impl<'a> ErrorChain<'a> {
    /// The chain of `err` (itself, then each [`std::error::Error::source`]).
    pub fn new(err: &'a (dyn std::error::Error + 'static)) -> Self {
        Self(err)
    }

    /// Appends to `line` the text of `first` and of each of its sources that `line` does not
    /// already contain, each after `": "`: the one rule by which every offerkit error prints its
    /// causes.
    pub fn append_causes(line: &mut String, first: Option<&(dyn std::error::Error + 'static)>) {
        let mut next = first;
        while let Some(err) = next {
            let text = err.to_string();
            let text = text.trim();
            if !text.is_empty() && !line.contains(text) {
                if !line.is_empty() {
                    line.push_str(": ");
                }
                line.push_str(text);
            }
            next = err.source();
        }
    }
}

impl fmt::Display for ErrorChain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut line = String::new();
        Self::append_causes(&mut line, Some(self.0));
        f.write_str(&line)
    }
}

impl fmt::Debug for ErrorChain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// The first `max` characters of `text`, with an ellipsis when cut.
pub(crate) fn excerpt(text: &str, max: usize) -> String {
    let text = text.trim();
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(body: &str, request_id: Option<&str>) -> Error {
        Error::Api(Box::new(ApiError::new(
            "Appcharge",
            "delete_offer",
            StatusCode::BAD_REQUEST,
            body.as_bytes(),
            request_id.map(str::to_owned),
            None,
            None,
            1,
        )))
    }

    #[test]
    fn answer_suffix_has_the_message_and_request_id_when_known() {
        assert_eq!(
            api(r#"{"message":" bad id "}"#, Some("r-1")).answer_suffix(),
            ": bad id (request id r-1)"
        );
        assert_eq!(api(r#"{"message":"  "}"#, None).answer_suffix(), "");
        assert_eq!(
            api("not json", Some("r-2")).answer_suffix(),
            " (request id r-2)"
        );
    }

    /// An error with a source, as the HTTP stack nests them.
    #[derive(Debug)]
    struct Nested(&'static str, Option<Box<Nested>>);

    impl fmt::Display for Nested {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
    }

    impl std::error::Error for Nested {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            self.1
                .as_deref()
                .map(|e| e as &(dyn std::error::Error + 'static))
        }
    }

    fn dns_failure() -> BoxError {
        let io = Nested(
            "failed to lookup address information: Name or service not known",
            None,
        );
        let connect = Nested("dns error", Some(Box::new(io)));
        let client = Nested("client error (Connect)", Some(Box::new(connect)));
        crate::redact::scrubbed(Box::new(Nested(
            "error sending request for url (https://login.example.invalid/t/oauth2/token)",
            Some(Box::new(client)),
        )))
    }

    #[test]
    fn a_connect_error_prints_its_whole_cause_chain_once() {
        let err = Error::Connect {
            service: "Azure AD",
            operation: "token",
            url: "https://login.example.invalid/t/oauth2/token".to_owned(),
            attempts: 1,
            source: dns_failure(),
        };
        let text = err.to_string();
        assert!(
            text.ends_with(
                "(error sending request for url (https://login.example.invalid/t/oauth2/token): \
                 client error (Connect): dns error: failed to lookup address information: Name or \
                 service not known)"
            ),
            "{text}"
        );
        // A wrapper repeating its source's text is printed once.
        let repeated = Nested("dns error", Some(Box::new(Nested("dns error", None))));
        assert_eq!(ErrorChain::new(&repeated).to_string(), "dns error");
    }

    #[test]
    fn an_unreachable_token_endpoint_is_not_blamed_on_the_credentials() {
        let connect = Error::Connect {
            service: "Azure AD",
            operation: "token",
            url: "https://login.example.invalid/t/oauth2/token".to_owned(),
            attempts: 1,
            source: dns_failure(),
        };
        let auth = Error::Auth(Box::new(AuthError::new(
            "Azure AD",
            None,
            None,
            None,
            Some(Box::new(connect)),
        )));
        assert!(auth.is_unreachable());
        let text = auth.to_string();
        assert!(!text.contains("client secret"), "{text}");
        assert!(
            text.contains("proxy and network") && text.contains("Name or service not known"),
            "{text}"
        );
        let refused = AuthError::new(
            "Azure AD",
            Some(StatusCode::UNAUTHORIZED),
            Some("invalid_client".into()),
            None,
            None,
        );
        assert!(refused.to_string().contains("client secret"), "{refused}");
    }

    #[test]
    fn refusal_sorts_client_errors() {
        let with_status = |status: u16| {
            let mut err = api("{}", None);
            if let Error::Api(a) = &mut err {
                a.status = StatusCode::from_u16(status).expect("status");
            }
            err.refusal()
        };
        assert_eq!(with_status(401), Some(Refusal::Unauthorized(401)));
        assert_eq!(with_status(403), Some(Refusal::Unauthorized(403)));
        assert_eq!(with_status(400), Some(Refusal::Rejected(400)));
        assert_eq!(with_status(409), Some(Refusal::Rejected(409)));
        for status in [404, 408, 429, 500, 503] {
            assert_eq!(with_status(status), None, "{status}");
        }
    }
}
