//! [`Error`]: every way an ingestion call can fail, with the vendor's meaning typed.

use std::time::Duration;

use offerkit_models::VendorErrorBody;
use offerkit_models::ids::{InvalidId, JobId, PrivateOfferId};
use offerkit_models::partner_center_ingestion::{
    ConfigureStatus, IngestionErrorResponse, JobError, PrivateOfferState,
};
use offerkit_transport::{Error as TransportError, ErrorInfo};

/// An error from the product-ingestion client.
///
/// Vendor answers with a meaning are typed ([`Error::OfferNotFound`], [`Error::NotDraft`],
/// [`Error::JobFailed`], ...); everything else is [`Error::Transport`] with the transport's own kinds, which
/// say whether the request reached the server. The accessors (`status`, `code`, `message`, `request_id`,
/// `is_transient`, `is_unauthorized`, `is_invalid_argument`) come from [`ErrorInfo`].
///
/// ```
/// use offerkit_partner_center_ingestion::{Error, ErrorInfo};
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
/// # let _ = explain;
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
    /// The poller's deadline passed before the job ended: its outcome is **still unknown** (not failed).
    /// The job keeps running vendor-side: resume polling later with `handle`
    /// ([`IngestionClient::poller`](crate::IngestionClient::poller)).
    #[error(
        "the outcome of configure job {job_id} is still unknown: it did not finish within {waited:?} \
         (last status: {}); it keeps running on the vendor side, so resume polling it later with its job \
         handle",
        describe_status(last_status.as_deref())
    )]
    JobTimeout {
        /// The job.
        job_id: JobId,
        /// How long the poller waited.
        waited: Duration,
        /// The last status read, if any status call succeeded.
        last_status: Option<Box<ConfigureStatus>>,
        /// The job to resume polling (serializable: store it).
        handle: Box<crate::JobHandle>,
    },
    /// The configure job ended with `jobResult: cancelled` (someone called
    /// `POST configure/{jobId}/cancel`) and the offer did not read back as retracted.
    #[error("configure job {job_id} was cancelled before it applied its changes")]
    JobCancelled {
        /// The job.
        job_id: JobId,
        /// The job's `errors`, if any.
        errors: Vec<JobError>,
        /// The final job status.
        status: Box<ConfigureStatus>,
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
    #[error(transparent)]
    Transport(TransportError),
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
    pub fn from_transport(err: TransportError) -> Self {
        let TransportError::Api(api) = &err else {
            return Self::Transport(err);
        };
        match api.status.as_u16() {
            400 => Self::BadRequest {
                message: api
                    .message()
                    .or_else(|| api.code())
                    .unwrap_or_else(|| api.body.trim().to_owned()),
                source: err,
            },
            status @ (401 | 403) => Self::Unauthorized {
                status,
                source: err,
            },
            _ => Self::Transport(err),
        }
    }

    /// Whether the offer or job does not exist (404).
    pub fn is_not_found(&self) -> bool {
        match self {
            Self::OfferNotFound { .. } | Self::JobNotFound { .. } => true,
            Self::Transport(e) => e.is_not_found(),
            _ => false,
        }
    }

    /// Whether a delete was refused because the offer is not in draft.
    pub fn is_not_draft(&self) -> bool {
        matches!(self, Self::NotDraft { .. })
    }

    /// Whether the configure job ended as failed.
    pub fn is_job_failed(&self) -> bool {
        matches!(self, Self::JobFailed { .. })
    }

    /// Whether the poller's deadline passed before the job ended.
    pub fn is_job_timeout(&self) -> bool {
        matches!(self, Self::JobTimeout { .. })
    }

    /// Whether the call's outcome is still unknown (the job may yet succeed or fail): the poller's
    /// deadline passed. Resume with [`Error::job_handle`].
    pub fn is_outcome_unknown(&self) -> bool {
        self.is_job_timeout()
    }

    /// The job to resume polling, when the outcome is still unknown ([`Error::JobTimeout`]).
    pub fn job_handle(&self) -> Option<&crate::JobHandle> {
        match self {
            Self::JobTimeout { handle, .. } => Some(handle),
            _ => None,
        }
    }

    /// Whether the configure job was cancelled.
    pub fn is_job_cancelled(&self) -> bool {
        matches!(self, Self::JobCancelled { .. })
    }

    /// The job's `errors` for [`Error::JobFailed`]; empty otherwise.
    pub fn job_errors(&self) -> &[JobError] {
        match self {
            Self::JobFailed { errors, .. } | Self::JobCancelled { errors, .. } => errors,
            _ => &[],
        }
    }

    /// The vendor's typed error body, when the answer had one.
    fn error_body(&self) -> Option<IngestionErrorResponse> {
        match self.transport_error()? {
            TransportError::Api(api) => serde_json::from_str(&api.body).ok(),
            _ => None,
        }
    }
}

impl ErrorInfo for Error {
    fn transport_error(&self) -> Option<&TransportError> {
        match self {
            Self::OfferNotFound { source, .. }
            | Self::JobNotFound { source, .. }
            | Self::BadRequest { source, .. }
            | Self::Unauthorized { source, .. }
            | Self::Transport(source) => Some(source),
            _ => None,
        }
    }

    /// The HTTP error body's `error.code`, or the first job error's `code`.
    fn code(&self) -> Option<String> {
        match self {
            Self::JobFailed { errors, .. } | Self::JobCancelled { errors, .. } => {
                errors.iter().find_map(JobError::code)
            }
            _ => self.error_body().and_then(|b| b.code()).or_else(|| {
                self.transport_error()
                    .and_then(TransportError::error_body)
                    .and_then(|b| b.code.clone())
            }),
        }
    }

    /// The HTTP error body's `error.message`, or the first job error's `message`.
    fn message(&self) -> Option<String> {
        match self {
            Self::JobFailed { errors, .. } | Self::JobCancelled { errors, .. } => {
                errors.iter().find_map(|e| e.message().map(str::to_owned))
            }
            _ => self.error_body().and_then(|b| b.message()).or_else(|| {
                self.transport_error()
                    .and_then(TransportError::error_body)
                    .and_then(|b| b.message.clone())
            }),
        }
    }

    /// Also `true` for [`Error::JobTimeout`]: the job keeps running, so a later poll may see its end.
    fn is_transient(&self) -> bool {
        match self {
            Self::JobTimeout { .. } => true,
            _ => self
                .transport_error()
                .is_some_and(TransportError::is_transient),
        }
    }

    fn is_invalid_argument(&self) -> bool {
        match self {
            Self::InvalidArgument { .. } => true,
            _ => matches!(
                self.transport_error(),
                Some(TransportError::InvalidInput { .. })
            ),
        }
    }
}

impl From<TransportError> for Error {
    fn from(err: TransportError) -> Self {
        Self::from_transport(err)
    }
}

impl From<InvalidId> for Error {
    fn from(err: InvalidId) -> Self {
        Self::InvalidArgument {
            argument: err.argument(),
            reason: err.reason(),
        }
    }
}

/// `code: message; code: message` for the first few job errors, scrubbed of every known secret
/// (the job status is a 2xx body, so the transport has not scrubbed it).
fn summarize(errors: &[JobError]) -> String {
    if errors.is_empty() {
        return "no errors reported".to_owned();
    }
    let mut parts: Vec<String> = errors
        .iter()
        .take(3)
        .map(|e| {
            let text = match (e.code(), e.message()) {
                (Some(code), Some(message)) => format!("{code}: {message}"),
                (Some(code), None) => code,
                (None, Some(message)) => message.to_owned(),
                (None, None) => "unspecified error".to_owned(),
            };
            match e.resource() {
                Some(resource) => format!("{text} ({resource})"),
                None => text,
            }
        })
        .collect();
    if errors.len() > 3 {
        parts.push(format!("and {} more", errors.len() - 3));
    }
    offerkit_transport::Redactor::global()
        .scrub(&parts.join("; "))
        .into_owned()
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

#[cfg(test)]
mod tests {
    //! The accessors of [`ErrorInfo`] over real errors built from `MockTransport` answers.

    use std::sync::Arc;

    use offerkit_transport::StaticToken;
    use offerkit_transport::mock::{MockResponse, MockTransport};
    use serde_json::json;

    use super::*;
    use crate::{IngestionClient, JobHandle, JobPurpose};

    fn client(answer: impl Fn() -> MockResponse + Send + Sync + 'static) -> IngestionClient {
        IngestionClient::builder()
            .credential(Arc::new(StaticToken::new("t")))
            .transport(MockTransport::new(move |_req| answer()).transport())
            .build()
            .expect("client")
    }

    async fn read_error(answer: fn() -> MockResponse) -> Error {
        let id = PrivateOfferId::new("o1").expect("id");
        client(answer)
            .get_private_offer(&id)
            .await
            .expect_err("an error answer")
    }

    /// (status, code, message, request id, transient, unauthorized, invalid argument)
    type Row = (
        Option<u16>,
        Option<&'static str>,
        Option<&'static str>,
        Option<&'static str>,
        bool,
        bool,
        bool,
    );

    fn matches_row(err: &Error, expected: Row) -> bool {
        let (status, code, message, request_id, transient, unauthorized, invalid) = expected;
        err.status().map(|s| s.as_u16()) == status
            && err.code().as_deref() == code
            && err.message().as_deref() == message
            && err.request_id() == request_id
            && err.is_transient() == transient
            && err.is_unauthorized() == unauthorized
            && err.is_invalid_argument() == invalid
    }

    /// A job status is a 2xx body the transport does not scan: its error messages are scrubbed
    /// when the error is shown.
    #[tokio::test]
    async fn a_failed_job_that_echoes_the_token_does_not_show_it() {
        const TOKEN: &str = "ingestion-job-echo-token~0123456789";
        let failed_job = IngestionClient::builder()
            .credential(Arc::new(StaticToken::new(TOKEN)))
            .transport(
                MockTransport::new(|req| {
                    let auth = req.header("authorization").unwrap_or_default();
                    MockResponse::json(
                        200,
                        &json!({"jobId": "j1", "jobStatus": "completed", "jobResult": "failed",
                                "errors": [{"code": "Unauthorized", "message": format!("bad {auth}")}]}),
                    )
                })
                .transport(),
            )
            .build()
            .expect("client")
            .poller(
                JobHandle::new(JobId::new("j1").expect("id"))
                    .with_purpose(JobPurpose::Configure { resources: vec![] }),
            )
            .poll_interval(Duration::ZERO)
            .wait_retraction()
            .await
            .expect_err("job failed");
        let shown = failed_job.to_string();
        assert!(
            shown.contains("Unauthorized: bad Bearer [redacted]"),
            "{shown}"
        );
        assert!(!shown.contains(&TOKEN[..16]), "{shown}");
    }

    #[tokio::test]
    async fn every_accessor_over_real_errors() {
        let failed_job = client(|| {
            MockResponse::json(
                200,
                &json!({"jobId": "j1", "jobStatus": "completed", "jobResult": "failed",
                        "errors": [{"code": "Conflict", "message": "already withdrawn"}]}),
            )
        })
        .poller(
            JobHandle::new(JobId::new("j1").expect("id"))
                .with_purpose(JobPurpose::Configure { resources: vec![] }),
        )
        .poll_interval(Duration::ZERO)
        .wait_retraction()
        .await
        .expect_err("job failed");
        let cases: Vec<(&str, Error, Row)> = vec![
            (
                "refused id",
                PrivateOfferId::new(" o1").expect_err("padded").into(),
                (None, None, None, None, false, false, true),
            ),
            (
                "404 offer",
                read_error(|| {
                    MockResponse::json(
                        404,
                        &json!({"error": {"code": "NotFound", "message": "gone"}}),
                    )
                    .header("request-id", "r-404")
                })
                .await,
                (
                    Some(404),
                    Some("NotFound"),
                    Some("gone"),
                    Some("r-404"),
                    false,
                    false,
                    false,
                ),
            ),
            (
                "400",
                read_error(|| {
                    MockResponse::json(
                        400,
                        &json!({"error": {"code": "BadRequest", "message": "schema"}}),
                    )
                })
                .await,
                (
                    Some(400),
                    Some("BadRequest"),
                    Some("schema"),
                    None,
                    false,
                    false,
                    false,
                ),
            ),
            (
                "403",
                read_error(|| MockResponse::json(403, &json!({"error": {"code": "Forbidden"}})))
                    .await,
                (Some(403), Some("Forbidden"), None, None, false, true, false),
            ),
            (
                "503",
                read_error(|| MockResponse::json(503, &json!({"error": {"code": "Busy"}}))).await,
                (Some(503), Some("Busy"), None, None, true, false, false),
            ),
            (
                "connect",
                read_error(MockResponse::connect_error).await,
                (None, None, None, None, true, false, false),
            ),
            (
                "job failed",
                failed_job,
                (
                    None,
                    Some("Conflict"),
                    Some("already withdrawn"),
                    None,
                    false,
                    false,
                    false,
                ),
            ),
        ];
        for (name, err, expected) in cases {
            assert!(
                matches_row(&err, expected),
                "{name}: {expected:?} for {err:?}"
            );
        }
    }
}
