//! [`Error`]: every way an ingestion call can fail, with the vendor's meaning typed.

use std::time::Duration;

use offerkit_models::partner_center_ingestion::{ConfigureStatus, JobError, PrivateOfferState};
use offerkit_transport::StatusCode;

use crate::ids::{JobId, PrivateOfferId};

/// The transport error this crate wraps (re-exported for matching on its kinds).
pub use offerkit_transport::Error as TransportError;

/// An error from the product-ingestion client.
///
/// Vendor answers with a meaning are typed ([`Error::OfferNotFound`], [`Error::NotDraft`],
/// [`Error::JobFailed`], ...); everything else is [`Error::Transport`] with the transport's own kinds, which
/// say whether the request reached the server.
///
/// ```
/// use offerkit_partner_center_ingestion::{Error, PrivateOfferId};
/// fn explain(err: &Error) -> &'static str {
///     if err.is_not_found() {
///         "no such offer or job"
///     } else if err.is_not_draft() {
///         "withdraw it instead"
///     } else if err.is_transient() {
///         "try again later"
///     } else {
///         "see the message"
///     }
/// }
/// let err = PrivateOfferId::new("").unwrap_err();
/// assert_eq!(explain(&err), "see the message");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An argument was refused before anything was sent.
    #[error("invalid {argument}: {reason}")]
    InvalidArgument {
        /// The argument (`offer_id`, `job_id`, `base_url`, ...).
        argument: &'static str,
        /// Why it was refused.
        reason: String,
    },
    /// `GET /private-offer/{id}` answered 404: the offer does not exist (or is not visible to this account).
    #[error("private offer {offer_id} was not found (HTTP 404)")]
    OfferNotFound {
        /// The offer.
        offer_id: PrivateOfferId,
        /// The 404 answer.
        #[source]
        source: TransportError,
    },
    /// Only a draft private offer can be deleted; this one is in another state. Raised before the configure
    /// call when the state was checked first, or after a delete job failed and a read-back showed the state.
    #[error(
        "private offer {offer_id} is {state}, not draft: only a draft private offer can be deleted \
         (withdraw a live offer instead)"
    )]
    NotDraft {
        /// The offer.
        offer_id: PrivateOfferId,
        /// Its current state.
        state: PrivateOfferState,
        /// The failed job, when the error was found after the configure call.
        job: Option<Box<ConfigureStatus>>,
    },
    /// `GET /configure/{jobId}/status` answered 404: the vendor does not know the job.
    #[error("configure job {job_id} is unknown to the vendor (HTTP 404)")]
    JobNotFound {
        /// The job.
        job_id: JobId,
        /// The 404 answer.
        #[source]
        source: TransportError,
    },
    /// The configure job completed with `jobResult` other than `succeeded`.
    #[error("configure job {job_id} failed: {}", summarize(errors))]
    JobFailed {
        /// The job.
        job_id: JobId,
        /// The job's `errors`.
        errors: Vec<JobError>,
        /// The final job status.
        status: Box<ConfigureStatus>,
    },
    /// The job was still running when the poller's deadline passed. The job keeps running vendor-side:
    /// poll it again later with its [`crate::JobHandle`].
    #[error(
        "configure job {job_id} did not finish within {waited:?} (last status: {}); it keeps running \
         on the vendor side, so poll it again later",
        describe_status(last_status.as_deref())
    )]
    JobTimeout {
        /// The job.
        job_id: JobId,
        /// How long the poller waited.
        waited: Duration,
        /// The last status read, if any status call succeeded.
        last_status: Option<Box<ConfigureStatus>>,
    },
    /// The vendor refused the request body or parameters (HTTP 400, schema validation).
    #[error("the product-ingestion API rejected the request (HTTP 400): {message}")]
    BadRequest {
        /// The vendor's message (or the raw body).
        message: String,
        /// The 400 answer.
        #[source]
        source: TransportError,
    },
    /// The vendor refused the credentials (HTTP 401 or 403).
    #[error(
        "the product-ingestion API refused the credentials (HTTP {status}): use an Azure AD token for \
         resource https://graph.microsoft.com/ from an app associated with the Partner Center account"
    )]
    Unauthorized {
        /// 401 or 403.
        status: u16,
        /// The answer.
        #[source]
        source: TransportError,
    },
    /// The vendor answered 2xx with a body this crate cannot use.
    #[error("unexpected product-ingestion `{operation}` response: {reason}")]
    UnexpectedResponse {
        /// The operation.
        operation: &'static str,
        /// What is wrong with the body.
        reason: String,
    },
    /// Any other failure from the HTTP layer (connect, timeout, 5xx, throttling, undecodable body, token).
    #[error("{0}")]
    Transport(#[source] TransportError),
}

impl Error {
    /// Builds an [`Error::InvalidArgument`].
    ///
    /// ```
    /// use offerkit_partner_center_ingestion::Error;
    /// let err = Error::invalid_argument("offer_id", "must not be empty");
    /// assert_eq!(err.to_string(), "invalid offer_id: must not be empty");
    /// ```
    pub fn invalid_argument(argument: &'static str, reason: impl Into<String>) -> Self {
        Self::InvalidArgument {
            argument,
            reason: reason.into(),
        }
    }

    /// Classifies a transport error: 400 becomes [`Error::BadRequest`], 401/403 [`Error::Unauthorized`],
    /// anything else [`Error::Transport`].
    ///
    /// ```
    /// use offerkit_partner_center_ingestion::{Error, TransportError};
    /// let err = Error::from_transport(TransportError::invalid_input("base_url", "bad"));
    /// assert!(matches!(err, Error::Transport(_)));
    /// ```
    pub fn from_transport(err: TransportError) -> Self {
        match err.status().map(|s| s.as_u16()) {
            Some(400) if matches!(err, TransportError::Api(_)) => {
                let message = match &err {
                    TransportError::Api(api) => api
                        .message()
                        .or_else(|| api.code())
                        .unwrap_or_else(|| api.body.trim().to_owned()),
                    _ => String::new(),
                };
                Self::BadRequest {
                    message,
                    source: err,
                }
            }
            Some(status @ (401 | 403)) if matches!(err, TransportError::Api(_)) => {
                Self::Unauthorized {
                    status,
                    source: err,
                }
            }
            _ => Self::Transport(err),
        }
    }

    /// Whether the offer or job does not exist (404).
    ///
    /// ```
    /// # use offerkit_partner_center_ingestion::Error;
    /// assert!(!Error::invalid_argument("offer_id", "x").is_not_found());
    /// ```
    pub fn is_not_found(&self) -> bool {
        match self {
            Self::OfferNotFound { .. } | Self::JobNotFound { .. } => true,
            Self::Transport(e) => e.is_not_found(),
            _ => false,
        }
    }

    /// Whether a delete was refused because the offer is not in draft.
    ///
    /// ```
    /// # use offerkit_partner_center_ingestion::Error;
    /// assert!(!Error::invalid_argument("offer_id", "x").is_not_draft());
    /// ```
    pub fn is_not_draft(&self) -> bool {
        matches!(self, Self::NotDraft { .. })
    }

    /// Whether the configure job ended as failed.
    ///
    /// ```
    /// # use offerkit_partner_center_ingestion::Error;
    /// assert!(!Error::invalid_argument("offer_id", "x").is_job_failed());
    /// ```
    pub fn is_job_failed(&self) -> bool {
        matches!(self, Self::JobFailed { .. })
    }

    /// Whether the poller's deadline passed before the job ended.
    ///
    /// ```
    /// # use offerkit_partner_center_ingestion::Error;
    /// assert!(!Error::invalid_argument("offer_id", "x").is_job_timeout());
    /// ```
    pub fn is_job_timeout(&self) -> bool {
        matches!(self, Self::JobTimeout { .. })
    }

    /// Whether trying again later may succeed (connect failure, timeout, throttling, 5xx, job timeout).
    ///
    /// ```
    /// # use offerkit_partner_center_ingestion::Error;
    /// assert!(!Error::invalid_argument("offer_id", "x").is_transient());
    /// ```
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Transport(e) => e.is_transient(),
            Self::JobTimeout { .. } => true,
            _ => false,
        }
    }

    /// The underlying transport error, when there is one.
    ///
    /// ```
    /// # use offerkit_partner_center_ingestion::Error;
    /// assert!(Error::invalid_argument("offer_id", "x").transport_error().is_none());
    /// ```
    pub fn transport_error(&self) -> Option<&TransportError> {
        match self {
            Self::OfferNotFound { source, .. }
            | Self::JobNotFound { source, .. }
            | Self::BadRequest { source, .. }
            | Self::Unauthorized { source, .. }
            | Self::Transport(source) => Some(source),
            _ => None,
        }
    }

    /// The HTTP status of the vendor's answer, when there was one.
    ///
    /// ```
    /// # use offerkit_partner_center_ingestion::Error;
    /// assert_eq!(Error::invalid_argument("offer_id", "x").status(), None);
    /// ```
    pub fn status(&self) -> Option<StatusCode> {
        self.transport_error().and_then(TransportError::status)
    }

    /// The vendor's request id (`request-id`, `client-request-id`, ...), when known.
    ///
    /// ```
    /// # use offerkit_partner_center_ingestion::Error;
    /// assert_eq!(Error::invalid_argument("offer_id", "x").request_id(), None);
    /// ```
    pub fn request_id(&self) -> Option<&str> {
        self.transport_error().and_then(TransportError::request_id)
    }

    /// The vendor's error code: the HTTP error body's `error.code`, or the first job error's `code`.
    ///
    /// ```
    /// # use offerkit_partner_center_ingestion::Error;
    /// assert_eq!(Error::invalid_argument("offer_id", "x").vendor_code(), None);
    /// ```
    pub fn vendor_code(&self) -> Option<String> {
        match self {
            Self::JobFailed { errors, .. } => errors.iter().find_map(JobError::code),
            _ => self
                .transport_error()
                .and_then(TransportError::error_body)
                .and_then(|v| v.code.clone()),
        }
    }

    /// The job's `errors` for [`Error::JobFailed`]; empty otherwise.
    ///
    /// ```
    /// # use offerkit_partner_center_ingestion::Error;
    /// assert!(Error::invalid_argument("offer_id", "x").job_errors().is_empty());
    /// ```
    pub fn job_errors(&self) -> &[JobError] {
        match self {
            Self::JobFailed { errors, .. } => errors,
            _ => &[],
        }
    }
}

impl From<TransportError> for Error {
    fn from(err: TransportError) -> Self {
        Self::from_transport(err)
    }
}

/// `code: message; code: message` for the first few job errors.
fn summarize(errors: &[JobError]) -> String {
    if errors.is_empty() {
        return "no errors reported".to_owned();
    }
    let mut parts: Vec<String> = errors
        .iter()
        .take(3)
        .map(|e| match (e.code(), e.message()) {
            (Some(code), Some(message)) => format!("{code}: {message}"),
            (Some(code), None) => code,
            (None, Some(message)) => message.to_owned(),
            (None, None) => "unspecified error".to_owned(),
        })
        .collect();
    if errors.len() > 3 {
        parts.push(format!("and {} more", errors.len() - 3));
    }
    parts.join("; ")
}

/// `jobStatus/jobResult` of a status, or `none` when no status call succeeded.
pub(crate) fn describe_status(status: Option<&ConfigureStatus>) -> String {
    match status {
        None => "none read".to_owned(),
        Some(s) => format!(
            "{}/{}",
            s.job_status.as_ref().map_or("unknown", |v| v.as_str()),
            s.job_result.as_ref().map_or("unknown", |v| v.as_str())
        ),
    }
}
