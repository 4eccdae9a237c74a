//! [`Error`]: everything an Appcharge call can fail with.

use offerkit_models::appcharge::AppchargeErrorBody;
use offerkit_transport::Refusal;

/// The error of every `offerkit-appcharge` call.
///
/// Appcharge's own answers that a caller usually handles are typed ([`Error::Unauthorized`],
/// [`Error::Rejected`]); everything else (connection failures, timeouts, 5xx, throttling after
/// retries, an unreadable body) is the transport's [`offerkit_transport::Error`] in
/// [`Error::Transport`], which says whether the request reached Appcharge.
///
/// A 404 on delete is not an error: it is [`crate::Retraction::AlreadyRetracted`].
///
/// ```
/// use offerkit_appcharge::Error;
/// fn advice(err: &Error) -> &'static str {
///     if err.is_unauthorized() {
///         "check OFFERKIT_APPCHARGE_PUBLISHER_TOKEN"
///     } else if err.is_transient() {
///         "try again later"
///     } else {
///         "fix the request"
///     }
/// }
/// let err = offerkit_appcharge::PublisherOfferId::new("").unwrap_err();
/// assert_eq!(advice(&err), "fix the request");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An argument was refused before anything was sent (empty id, whitespace around it...).
    #[error("invalid {argument}: {reason}")]
    InvalidArgument {
        /// The argument, e.g. `publisher_offer_id`.
        argument: &'static str,
        /// Why it was refused.
        reason: String,
    },

    /// Appcharge refused the publisher token (HTTP 401, or 403 for a token of another publisher).
    ///
    /// [`Error::message`], [`Error::request_id`] and [`Error::error_body`] read the answer.
    #[error(
        "Appcharge refused the publisher token (HTTP {status}){}; check the x-publisher-token value \
         (env OFFERKIT_APPCHARGE_PUBLISHER_TOKEN; Publisher Dashboard > Settings > Integration) and \
         that the base URL matches the token's environment (production or sandbox)",
        source.answer_suffix()
    )]
    Unauthorized {
        /// 401 or 403.
        status: u16,
        /// The transport's error, with the raw and parsed body.
        #[source]
        source: offerkit_transport::Error,
    },

    /// Appcharge rejected the request (400, 409, 422 or another 4xx): fix the request, do not retry.
    ///
    /// [`Error::message`] (a list of validation messages is joined with `; `), [`Error::request_id`]
    /// and [`Error::error_body`] (the typed [`AppchargeErrorBody`]) read the answer.
    #[error(
        "Appcharge rejected `{operation}` with HTTP {status}{}",
        source.answer_suffix()
    )]
    Rejected {
        /// The operation, e.g. `get_offers`.
        operation: &'static str,
        /// The HTTP status.
        status: u16,
        /// The transport's error, with the raw and parsed body.
        #[source]
        source: offerkit_transport::Error,
    },

    /// Any other failure: connection, timeout, 5xx, throttling after retries, an unreadable body.
    #[error(transparent)]
    Transport(#[from] offerkit_transport::Error),
}

impl Error {
    /// Sorts a transport error into the typed variants (401/403, other 4xx except 404 and 429).
    pub(crate) fn from_transport(operation: &'static str, err: offerkit_transport::Error) -> Self {
        match err.refusal() {
            Some(Refusal::Unauthorized(status)) => Self::Unauthorized {
                status,
                source: err,
            },
            Some(Refusal::Rejected(status)) => Self::Rejected {
                operation,
                status,
                source: err,
            },
            _ => Self::Transport(err),
        }
    }

    /// `true` when Appcharge refused the publisher token ([`Error::Unauthorized`]).
    ///
    /// ```
    /// # let err = offerkit_appcharge::PublisherOfferId::new("").unwrap_err();
    /// assert!(!err.is_unauthorized());
    /// ```
    pub fn is_unauthorized(&self) -> bool {
        matches!(self, Self::Unauthorized { .. })
    }

    /// `true` when Appcharge rejected the request ([`Error::Rejected`]).
    ///
    /// ```
    /// # let err = offerkit_appcharge::PublisherOfferId::new("").unwrap_err();
    /// assert!(!err.is_rejected());
    /// ```
    pub fn is_rejected(&self) -> bool {
        matches!(self, Self::Rejected { .. })
    }

    /// `true` for an argument refused before sending ([`Error::InvalidArgument`]).
    ///
    /// ```
    /// # let err = offerkit_appcharge::PublisherOfferId::new("").unwrap_err();
    /// assert!(err.is_invalid_argument());
    /// ```
    pub fn is_invalid_argument(&self) -> bool {
        matches!(self, Self::InvalidArgument { .. })
            || matches!(
                self,
                Self::Transport(offerkit_transport::Error::InvalidInput { .. })
            )
    }

    /// `true` if the same call may succeed later (connect, timeout, throttling, 5xx).
    ///
    /// ```
    /// # let err = offerkit_appcharge::PublisherOfferId::new("").unwrap_err();
    /// assert!(!err.is_transient());
    /// ```
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Transport(e) if e.is_transient())
    }

    /// The HTTP status of Appcharge's answer, when there was one.
    ///
    /// ```
    /// # let err = offerkit_appcharge::PublisherOfferId::new("").unwrap_err();
    /// assert_eq!(err.status(), None);
    /// ```
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::InvalidArgument { .. } => None,
            Self::Unauthorized { status, .. } | Self::Rejected { status, .. } => Some(*status),
            Self::Transport(e) => e.status().map(|s| s.as_u16()),
        }
    }

    /// Appcharge's request id, when known.
    ///
    /// ```
    /// # let err = offerkit_appcharge::PublisherOfferId::new("").unwrap_err();
    /// assert_eq!(err.request_id(), None);
    /// ```
    pub fn request_id(&self) -> Option<&str> {
        self.transport_error()
            .and_then(offerkit_transport::Error::request_id)
    }

    /// Appcharge's error message, when its answer had one (a list is joined with `; `).
    ///
    /// ```
    /// # let err = offerkit_appcharge::PublisherOfferId::new("").unwrap_err();
    /// assert_eq!(err.message(), None);
    /// ```
    pub fn message(&self) -> Option<String> {
        use offerkit_models::VendorErrorBody;
        self.error_body().and_then(|b| b.message())
    }

    /// Appcharge's error body, typed, when the answer had a JSON one.
    ///
    /// ```
    /// # let err = offerkit_appcharge::PublisherOfferId::new("").unwrap_err();
    /// assert!(err.error_body().is_none());
    /// ```
    pub fn error_body(&self) -> Option<AppchargeErrorBody> {
        match self.transport_error()? {
            offerkit_transport::Error::Api(api) => serde_json::from_str(&api.body).ok(),
            offerkit_transport::Error::Throttled(t) => serde_json::from_str(&t.last.body).ok(),
            _ => None,
        }
    }

    /// The transport error underneath, when there is one.
    ///
    /// ```
    /// # let err = offerkit_appcharge::PublisherOfferId::new("").unwrap_err();
    /// assert!(err.transport_error().is_none());
    /// ```
    pub fn transport_error(&self) -> Option<&offerkit_transport::Error> {
        match self {
            Self::InvalidArgument { .. } => None,
            Self::Unauthorized { source, .. }
            | Self::Rejected { source, .. }
            | Self::Transport(source) => Some(source),
        }
    }
}
