//! `POST /configure?$version=2022-07-01`: submitting resources, which starts a job ([`Submitted`]).

use offerkit_models::partner_center_ingestion::{
    CONFIGURE_VERSION, ConfigureRequest, ConfigureStatus,
};
use offerkit_transport::Idempotency;
use serde::Serialize;
use tracing::Instrument;

use offerkit_models::ids::JobId;

use crate::job::{JobHandle, JobPurpose, now_unix_ms};
use crate::{Error, IngestionClient};

/// A configure call the vendor accepted: the job to follow, the first job status and the request id.
///
/// ```
/// use offerkit_partner_center_ingestion::{JobHandle, JobId, Submitted};
/// # fn show(submitted: &Submitted) {
/// println!("job {} accepted (request id {:?})", submitted.handle.job_id, submitted.request_id);
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Submitted {
    /// The job, serializable so a later process can resume polling it.
    pub handle: JobHandle,
    /// The configure response (normally `jobStatus: notStarted`, `jobResult: pending`).
    pub status: ConfigureStatus,
    /// The vendor's request id of the configure call, when it sent one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl IngestionClient {
    /// Submits any configure envelope (`POST /configure?$version=2022-07-01`), for example several
    /// deletes and withdrawals in one job, and returns the accepted job.
    ///
    /// The call is not idempotent (a resubmission creates a second job), so it is retried only when the
    /// server cannot have acted on it (connection refused, 429, 503 with `Retry-After`).
    ///
    /// ```no_run
    /// use offerkit_partner_center_ingestion::{DeletePrivateOffer, PrivateOfferId, WithdrawPrivateOffer};
    /// use offerkit_partner_center_ingestion::models::ConfigureRequest;
    /// # async fn run(client: offerkit_partner_center_ingestion::IngestionClient) -> Result<(), offerkit_partner_center_ingestion::Error> {
    /// let request = ConfigureRequest::new(vec![
    ///     DeletePrivateOffer::new(PrivateOfferId::new("draft-offer-1")?).name("Draft 1").to_resource(),
    ///     WithdrawPrivateOffer::isv(PrivateOfferId::new("live-offer-2")?).name("Live 2").to_resource(),
    /// ]);
    /// let submitted = client.configure(&request).await?;
    /// let outcome = client.poller(submitted.handle).wait().await?;
    /// println!("succeeded: {}", outcome.is_succeeded());
    /// # Ok(()) }
    /// ```
    pub async fn configure(&self, request: &ConfigureRequest) -> Result<Submitted, Error> {
        let resources = request
            .resources
            .iter()
            .filter_map(|r| r.id.clone())
            .collect();
        self.submit(request, JobPurpose::Configure { resources })
            .await
    }

    /// Sends the envelope and wraps the accepted job with `purpose`.
    pub(crate) async fn submit(
        &self,
        request: &ConfigureRequest,
        purpose: JobPurpose,
    ) -> Result<Submitted, Error> {
        if request.resources.is_empty() {
            return Err(Error::invalid_argument(
                "resources",
                "a configure request needs at least one resource",
            ));
        }
        let span = tracing::debug_span!(
            "ingestion.configure",
            resources = request.resources.len(),
            job_id = tracing::field::Empty,
        );
        let response = self
            .http
            .post("configure")
            .path("configure")
            .query("$version", CONFIGURE_VERSION)
            .json(request)
            .idempotency(Idempotency::NotIdempotent)
            .send()
            .instrument(span.clone())
            .await?;
        let status: ConfigureStatus = response.json()?;
        let job_id = status
            .id()
            .map(JobId::new)
            .transpose()
            .ok()
            .flatten()
            .ok_or_else(|| Error::UnexpectedResponse {
                operation: "configure",
                reason: "the configure response has no jobId (nor jobID)".to_owned(),
            })?;
        span.record("job_id", job_id.as_str());
        tracing::debug!(parent: &span, job_id = %job_id, "configure job accepted");
        let handle = JobHandle {
            job_id,
            submitted_at_unix_ms: now_unix_ms(),
            purpose,
        };
        Ok(Submitted {
            handle,
            status,
            request_id: response.request_id().map(str::to_owned),
        })
    }
}
