//! The one error type of the facade, with a [`ErrorKind`] for classification.

use std::fmt;
use std::sync::Arc;

/// What went wrong, coarsely: enough to pick an exit code or decide whether to retry.
///
/// Every kind belongs to one [`ErrorClass`] (see [`ErrorKind::class`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ErrorKind {
    /// The target or its input line is invalid (empty id, unknown vendor, wrong type...).
    Input,
    /// Configuration is missing or invalid (no credentials, bad profile file, bad URL).
    Config,
    /// The vendor is not compiled in (cargo feature off) or not wired into the facade.
    Unsupported,
    /// The vendor refused our credentials (401/403).
    Auth,
    /// The vendor does not know the resource (404), where that is not a success.
    NotFound,
    /// The vendor rejected the request (4xx other than auth/not-found, business rule).
    Rejected,
    /// The vendor throttled us and retries were exhausted (429).
    RateLimited,
    /// The vendor failed (5xx) or answered something unparsable.
    Vendor,
    /// An asynchronous vendor job finished as failed, or did not finish in time.
    Job,
    /// The request never got a usable answer (connect, TLS, timeout).
    Transport,
    /// A bug or local I/O problem inside offerkit (e.g. the journal could not be written).
    Internal,
}

/// The three families of failure a caller usually cares about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ErrorClass {
    /// The caller must fix something: input, configuration, choice of features.
    User,
    /// The vendor said no or failed.
    Vendor,
    /// The network or offerkit itself failed; the vendor may never have seen the request.
    Transport,
}

impl ErrorKind {
    /// The family this kind belongs to.
    ///
    /// ```
    /// use offerkit::{ErrorClass, ErrorKind};
    /// assert_eq!(ErrorKind::Input.class(), ErrorClass::User);
    /// assert_eq!(ErrorKind::Rejected.class(), ErrorClass::Vendor);
    /// ```
    pub fn class(self) -> ErrorClass {
        match self {
            ErrorKind::Input | ErrorKind::Config | ErrorKind::Unsupported => ErrorClass::User,
            ErrorKind::Auth
            | ErrorKind::NotFound
            | ErrorKind::Rejected
            | ErrorKind::RateLimited
            | ErrorKind::Vendor
            | ErrorKind::Job => ErrorClass::Vendor,
            ErrorKind::Transport | ErrorKind::Internal => ErrorClass::Transport,
        }
    }

    /// The stable kebab-case name used in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Input => "input",
            ErrorKind::Config => "config",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::Auth => "auth",
            ErrorKind::NotFound => "not-found",
            ErrorKind::Rejected => "rejected",
            ErrorKind::RateLimited => "rate-limited",
            ErrorKind::Vendor => "vendor",
            ErrorKind::Job => "job",
            ErrorKind::Transport => "transport",
            ErrorKind::Internal => "internal",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The facade's error: a kind, a message, and optionally the vendor's error code,
/// the HTTP status and the underlying (vendor or transport) error.
///
/// Cheap to clone: the source is shared.
///
/// ```
/// use offerkit::{Error, ErrorKind};
/// let err = Error::new(ErrorKind::Rejected, "offer is not in draft")
///     .with_code("Conflict")
///     .with_http_status(400);
/// assert_eq!(err.kind(), ErrorKind::Rejected);
/// assert_eq!(err.code(), Some("Conflict"));
/// assert_eq!(err.to_string(), "rejected: offer is not in draft (code Conflict, HTTP 400)");
/// ```
#[derive(Clone)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    code: Option<String>,
    http_status: Option<u16>,
    unreachable: bool,
    source: Option<Arc<dyn std::error::Error + Send + Sync + 'static>>,
}

impl Error {
    /// An error of `kind` with a human-readable message.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            code: None,
            http_status: None,
            unreachable: false,
            source: None,
        }
    }

    /// Wraps a vendor or transport error; the message is the source's `Display`.
    pub fn from_source(
        kind: ErrorKind,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        let message = source.to_string();
        Error {
            source: Some(Arc::new(source)),
            ..Error::new(kind, message)
        }
    }

    /// Shorthand for an [`ErrorKind::Input`] error about one field of a target.
    pub fn input(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Input, message)
    }

    /// Shorthand for an [`ErrorKind::Unsupported`] error.
    pub fn unsupported(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Unsupported, message)
    }

    /// Adds the vendor's error code (e.g. `"20000"`, `"401013"`, `"Conflict"`).
    pub fn with_code(mut self, code: impl Into<String>) -> Self {
        self.code = Some(code.into());
        self
    }

    /// Adds the HTTP status of the failed response.
    pub fn with_http_status(mut self, status: u16) -> Self {
        self.http_status = Some(status);
        self
    }

    /// Attaches the underlying error, keeping the message.
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Arc::new(source));
        self
    }

    /// Replaces the message (to add what the caller can do about it), keeping the rest.
    #[cfg(feature = "appcharge")]
    pub(crate) fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = message.into();
        self
    }

    /// Marks the error as "the service could not be reached" (see [`Error::is_unreachable`]).
    pub(crate) fn unreachable(mut self) -> Self {
        self.unreachable = true;
        self
    }

    /// `true` when no connection could be made to the vendor or its token endpoint (connection
    /// refused, DNS, TLS setup): nothing was sent, and the next call to the same URL will likely
    /// fail the same way. The batch stops a vendor's targets after a few of these in a row.
    pub fn is_unreachable(&self) -> bool {
        self.unreachable
    }

    /// The classification.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The family of the classification; shorthand for `self.kind().class()`.
    pub fn class(&self) -> ErrorClass {
        self.kind.class()
    }

    /// The human-readable message (without kind, code or status).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The vendor's error code, if it sent one.
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    /// The HTTP status of the failed response, if there was one.
    pub fn http_status(&self) -> Option<u16> {
        self.http_status
    }

    /// The wrapped vendor/transport error; downcast it to the vendor crate's type
    /// for full detail.
    pub fn source_error(&self) -> Option<&(dyn std::error::Error + Send + Sync + 'static)> {
        self.source.as_deref()
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.kind)
            .field("message", &self.message)
            .field("code", &self.code)
            .field("http_status", &self.http_status)
            .field("source", &self.source)
            .finish()
    }
}

/// `kind: message`, then each cause of the source chain the message does not already hold (once,
/// by [`offerkit_transport::ErrorChain`]'s rule: down to "dns error: failed to lookup address
/// information" or "Connection refused"), then the vendor code and HTTP status.
impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut line = format!("{}: {}", self.kind, self.message);
        offerkit_transport::ErrorChain::append_causes(
            &mut line,
            self.source
                .as_deref()
                .map(|s| s as &(dyn std::error::Error + 'static)),
        );
        f.write_str(&line)?;
        match (&self.code, self.http_status) {
            (Some(code), Some(status)) => write!(f, " (code {code}, HTTP {status})"),
            (Some(code), None) => write!(f, " (code {code})"),
            (None, Some(status)) => write!(f, " (HTTP {status})"),
            (None, None) => Ok(()),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.source {
            Some(source) => Some(source.as_ref() as &(dyn std::error::Error + 'static)),
            None => None,
        }
    }
}

/// JSON form: `{"kind","class","message","code"?,"httpStatus"?}`.
impl serde::Serialize for Error {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("kind", &self.kind)?;
        map.serialize_entry("class", &self.kind.class())?;
        map.serialize_entry("message", &self.message)?;
        if let Some(code) = &self.code {
            map.serialize_entry("code", code)?;
        }
        if let Some(status) = self.http_status {
            map.serialize_entry("httpStatus", &status)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_cover_every_kind() {
        assert_eq!(ErrorKind::Config.class(), ErrorClass::User);
        assert_eq!(ErrorKind::Unsupported.class(), ErrorClass::User);
        assert_eq!(ErrorKind::Job.class(), ErrorClass::Vendor);
        assert_eq!(ErrorKind::Transport.class(), ErrorClass::Transport);
    }

    #[test]
    fn source_is_kept_and_serialized_form_is_stable() {
        let io = std::io::Error::other("disk full");
        let err = Error::from_source(ErrorKind::Internal, io);
        assert_eq!(err.message(), "disk full");
        assert!(std::error::Error::source(&err).is_some());
        let json = serde_json::to_value(err.with_http_status(500)).expect("serialize");
        assert_eq!(
            json,
            serde_json::json!({"kind":"internal","class":"transport","message":"disk full","httpStatus":500})
        );
    }
}
