//! Configure jobs: `GET /configure/{jobId}/status`, the serializable [`JobHandle`] and the [`Poller`].

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use offerkit_models::Retraction;
use offerkit_models::ids::{JobId, PrivateOfferId};
use offerkit_models::partner_center_ingestion::{
    CONFIGURE_VERSION, ConfigureStatus, JobError, JobResult, JobStatus, PrivateOfferState,
};
use offerkit_transport::ErrorInfo;
use serde::{Deserialize, Serialize};
use tracing::Instrument;

use crate::offers::{OfferGone, WithdrawRole, is_deleted, is_withdrawn};
use crate::{Error, IngestionClient};

/// A durable reference to a configure job: store it (it is `Serialize`/`Deserialize`) to resume polling
/// in a later process with [`IngestionClient::poller`].
///
/// ```
/// use offerkit_partner_center_ingestion::{JobHandle, JobId};
/// let handle = JobHandle::new(JobId::new("c32dd7e8-8619-462d-a96b-0ac1974bace5")?);
/// let saved = serde_json::to_string(&handle).unwrap();
/// let restored: JobHandle = serde_json::from_str(&saved).unwrap();
/// assert_eq!(restored, handle);
/// # Ok::<(), offerkit_partner_center_ingestion::InvalidId>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct JobHandle {
    /// The vendor's job id.
    pub job_id: JobId,
    /// When the configure call was accepted (Unix milliseconds), used to keep the first poll a full
    /// interval after submission.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submitted_at_unix_ms: Option<u64>,
    /// What the job does, so a failed job can be explained (already retracted, not draft).
    #[serde(default)]
    pub purpose: JobPurpose,
}

impl JobHandle {
    /// A handle to job `job_id` of unknown purpose and submission time (e.g. read from a log).
    ///
    /// ```
    /// # use offerkit_partner_center_ingestion::{JobHandle, JobId, JobPurpose};
    /// let handle = JobHandle::new(JobId::new("j1")?);
    /// assert_eq!(handle.purpose, JobPurpose::default());
    /// # Ok::<(), offerkit_partner_center_ingestion::InvalidId>(())
    /// ```
    pub fn new(job_id: JobId) -> Self {
        Self {
            job_id,
            submitted_at_unix_ms: None,
            purpose: JobPurpose::default(),
        }
    }

    /// Sets what the job does.
    ///
    /// ```
    /// # use offerkit_partner_center_ingestion::{JobHandle, JobId, JobPurpose, PrivateOfferId};
    /// let handle = JobHandle::new(JobId::new("j1")?)
    ///     .with_purpose(JobPurpose::Delete { offer_id: PrivateOfferId::new("o1")? });
    /// # let _ = handle; Ok::<(), offerkit_partner_center_ingestion::Error>(())
    /// ```
    pub fn with_purpose(mut self, purpose: JobPurpose) -> Self {
        self.purpose = purpose;
        self
    }
}

/// What a configure job was submitted for.
///
/// ```
/// use offerkit_partner_center_ingestion::{JobPurpose, PrivateOfferId, WithdrawRole};
/// let purpose = JobPurpose::Withdraw { offer_id: PrivateOfferId::new("o1")?, role: WithdrawRole::Isv };
/// assert_eq!(
///     serde_json::to_value(&purpose).unwrap(),
///     serde_json::json!({"kind": "withdraw", "offerId": "o1", "role": "isv"}),
/// );
/// # Ok::<(), offerkit_partner_center_ingestion::InvalidId>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
#[non_exhaustive]
pub enum JobPurpose {
    /// A generic configure call over these resource ids.
    Configure {
        /// The `id`s of the submitted resources (new resources have none).
        #[serde(default)]
        resources: Vec<String>,
    },
    /// Delete one draft private offer.
    Delete {
        /// The offer.
        offer_id: PrivateOfferId,
    },
    /// Withdraw one private offer.
    Withdraw {
        /// The offer.
        offer_id: PrivateOfferId,
        /// Who withdraws.
        role: WithdrawRole,
    },
}

impl Default for JobPurpose {
    fn default() -> Self {
        Self::Configure {
            resources: Vec::new(),
        }
    }
}

/// What one status call found: still pending, or finished with an outcome.
///
/// ```
/// use offerkit_partner_center_ingestion::JobState;
/// use offerkit_partner_center_ingestion::models::ConfigureStatus;
/// let status: ConfigureStatus = serde_json::from_str(
///     r#"{"jobId":"j1","jobStatus":"running","jobResult":"pending","jobEnd":"0001-01-01"}"#).unwrap();
/// let state = JobState::from_status(status);
/// assert!(!state.is_finished());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "state", content = "value", rename_all = "camelCase")]
#[non_exhaustive]
pub enum JobState {
    /// `notStarted` or `running`.
    Pending(ConfigureStatus),
    /// The job ended.
    Finished(JobOutcome),
}

impl JobState {
    /// Classifies a status: finished once `jobStatus` is `completed` or `jobResult` is no longer `pending`.
    /// A finished job succeeded when `jobResult` is `succeeded` (or absent/`pending` with no errors), was
    /// cancelled when it is `cancelled`, and failed otherwise.
    ///
    /// ```
    /// use offerkit_partner_center_ingestion::{JobOutcome, JobState};
    /// let status = serde_json::from_str(r#"{"jobId":"j1","jobStatus":"completed","jobResult":"failed",
    ///     "errors":[{"code":"Conflict","message":"The start date should be defined"}]}"#).unwrap();
    /// match JobState::from_status(status) {
    ///     JobState::Finished(JobOutcome::Failed { errors, .. }) => assert_eq!(errors.len(), 1),
    ///     other => panic!("{other:?}"),
    /// }
    /// ```
    pub fn from_status(status: ConfigureStatus) -> Self {
        let completed = status.job_status == Some(JobStatus::Completed);
        let result = status.job_result.clone();
        let decided = matches!(
            result,
            Some(JobResult::Succeeded | JobResult::Failed | JobResult::Cancelled)
        );
        if !completed && !decided {
            return Self::Pending(status);
        }
        let succeeded = match result {
            Some(JobResult::Succeeded) => true,
            None | Some(JobResult::Pending) => status.error_list().is_empty(),
            _ => false,
        };
        let errors = status.error_list().to_vec();
        if succeeded {
            Self::Finished(JobOutcome::Succeeded(status))
        } else if status.is_cancelled() {
            Self::Finished(JobOutcome::Cancelled { errors, status })
        } else {
            Self::Finished(JobOutcome::Failed { errors, status })
        }
    }

    /// Whether the job ended.
    ///
    /// ```
    /// # use offerkit_partner_center_ingestion::JobState;
    /// let done = JobState::from_status(serde_json::from_str(r#"{"jobStatus":"completed","jobResult":"succeeded"}"#).unwrap());
    /// assert!(done.is_finished());
    /// ```
    pub fn is_finished(&self) -> bool {
        matches!(self, Self::Finished(_))
    }

    /// The status the state was read from.
    ///
    /// ```
    /// # use offerkit_partner_center_ingestion::JobState;
    /// let state = JobState::from_status(serde_json::from_str(r#"{"jobId":"j1","jobStatus":"running"}"#).unwrap());
    /// assert_eq!(state.status().job_id.as_deref(), Some("j1"));
    /// ```
    pub fn status(&self) -> &ConfigureStatus {
        match self {
            Self::Pending(status) => status,
            Self::Finished(outcome) => outcome.status(),
        }
    }
}

/// How a finished job ended.
///
/// ```
/// use offerkit_partner_center_ingestion::JobOutcome;
/// # fn report(outcome: JobOutcome) {
/// match outcome {
///     JobOutcome::Succeeded(status) => println!("done at {:?}", status.ended_at()),
///     JobOutcome::Failed { errors, .. } => println!("{} error(s)", errors.len()),
///     _ => {}
/// }
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "camelCase")]
#[non_exhaustive]
pub enum JobOutcome {
    /// `jobResult: succeeded`.
    Succeeded(ConfigureStatus),
    /// `jobResult: failed`, with the job's `errors`.
    Failed {
        /// The job's errors (strings or `{code, message, resourceId, details}` objects).
        errors: Vec<JobError>,
        /// The final status.
        status: ConfigureStatus,
    },
    /// `jobResult: cancelled`: someone cancelled the job (`POST configure/{jobId}/cancel`) before it
    /// applied its resources.
    Cancelled {
        /// The job's errors, if it reported any.
        errors: Vec<JobError>,
        /// The final status.
        status: ConfigureStatus,
    },
}

impl JobOutcome {
    /// Whether the job succeeded.
    ///
    /// ```
    /// # use offerkit_partner_center_ingestion::JobOutcome;
    /// assert!(JobOutcome::Succeeded(Default::default()).is_succeeded());
    /// ```
    pub fn is_succeeded(&self) -> bool {
        matches!(self, Self::Succeeded(_))
    }

    /// Whether the job was cancelled.
    ///
    /// ```
    /// # use offerkit_partner_center_ingestion::JobOutcome;
    /// let cancelled = JobOutcome::Cancelled { errors: vec![], status: Default::default() };
    /// assert!(cancelled.is_cancelled() && !cancelled.is_succeeded());
    /// ```
    pub fn is_cancelled(&self) -> bool {
        matches!(self, Self::Cancelled { .. })
    }

    /// The final status.
    ///
    /// ```
    /// # use offerkit_partner_center_ingestion::JobOutcome;
    /// assert_eq!(JobOutcome::Succeeded(Default::default()).status().job_id, None);
    /// ```
    pub fn status(&self) -> &ConfigureStatus {
        match self {
            Self::Succeeded(status)
            | Self::Failed { status, .. }
            | Self::Cancelled { status, .. } => status,
        }
    }
}

impl IngestionClient {
    /// Reads a job's status once (`GET /configure/{jobId}/status?$version=2022-07-01`). A 404 is
    /// [`Error::JobNotFound`]. Microsoft asks for at most one status call per minute per job; the
    /// [`Poller`] keeps to that.
    ///
    /// ```no_run
    /// # async fn run(client: offerkit_partner_center_ingestion::IngestionClient) -> Result<(), offerkit_partner_center_ingestion::Error> {
    /// use offerkit_partner_center_ingestion::JobId;
    /// let status = client.job_status(&JobId::new("c32dd7e8-8619-462d-a96b-0ac1974bace5")?).await?;
    /// println!("{:?} / {:?}", status.job_status, status.job_result);
    /// # Ok(()) }
    /// ```
    pub async fn job_status(&self, job_id: &JobId) -> Result<ConfigureStatus, Error> {
        let result = self
            .http
            .get("configure_status")
            .path("configure")
            .path_param("job_id", job_id.as_str())
            .path("status")
            .query("$version", CONFIGURE_VERSION)
            .send_json::<ConfigureStatus>()
            .instrument(tracing::debug_span!("ingestion.job_status", job_id = %job_id))
            .await;
        match result {
            Ok(status) => Ok(status),
            Err(e) if e.is_not_found() => Err(Error::JobNotFound {
                job_id: job_id.clone(),
                source: e,
            }),
            Err(e) => Err(e.into()),
        }
    }

    /// Asks the vendor to cancel a configure job that has not completed
    /// (`POST /configure/{jobId}/cancel?$version=2022-07-01`, "Cancel a configuration request" in
    /// Microsoft's product-ingestion API doc). The job then ends with `jobResult: cancelled`; poll it to
    /// see that. The answer's body is not documented and is not read. A 404 is [`Error::JobNotFound`].
    ///
    /// ```no_run
    /// # async fn run(client: offerkit_partner_center_ingestion::IngestionClient) -> Result<(), offerkit_partner_center_ingestion::Error> {
    /// use offerkit_partner_center_ingestion::JobId;
    /// client.cancel_job(&JobId::new("c32dd7e8-8619-462d-a96b-0ac1974bace5")?).await?;
    /// # Ok(()) }
    /// ```
    pub async fn cancel_job(&self, job_id: &JobId) -> Result<(), Error> {
        let result = self
            .http
            .post("configure_cancel")
            .path("configure")
            .path_param("job_id", job_id.as_str())
            .path("cancel")
            .query("$version", CONFIGURE_VERSION)
            .send()
            .instrument(tracing::debug_span!("ingestion.cancel_job", job_id = %job_id))
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e) if e.is_not_found() => Err(Error::JobNotFound {
                job_id: job_id.clone(),
                source: e,
            }),
            Err(e) => Err(e.into()),
        }
    }

    /// A poller for `handle` with the defaults (a status call every 60 s, give up after 30 min).
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use offerkit_partner_center_ingestion::{JobHandle, JobId};
    /// # async fn run(client: offerkit_partner_center_ingestion::IngestionClient) -> Result<(), offerkit_partner_center_ingestion::Error> {
    /// let saved = r#"{"jobId":"c32dd7e8-8619-462d-a96b-0ac1974bace5"}"#; // from an earlier process
    /// let handle: JobHandle = serde_json::from_str(saved).unwrap();
    /// let outcome = client.poller(handle).deadline(Duration::from_secs(600)).await?;
    /// # let _ = outcome; Ok(()) }
    /// ```
    pub fn poller(&self, handle: JobHandle) -> Poller {
        Poller {
            client: self.clone(),
            handle,
            poll_interval: Poller::DEFAULT_POLL_INTERVAL,
            deadline: Poller::DEFAULT_DEADLINE,
            last_status: None,
            on_progress: None,
            polls: 0,
        }
    }
}

/// Follows one configure job to its end: [`Poller::step`] makes one status call, [`Poller::wait`] (or
/// `.await` on the poller) polls at [`Poller::poll_interval`] until the job ends or [`Poller::deadline`]
/// passes.
///
/// Transient polling failures (connect errors, timeouts, 5xx, throttling; each already retried by the
/// transport) do not stop the wait; other errors (401, 404, ...) do.
///
/// ```no_run
/// use std::time::Duration;
/// use offerkit_partner_center_ingestion::{JobOutcome, JobState};
/// # async fn run(client: offerkit_partner_center_ingestion::IngestionClient, handle: offerkit_partner_center_ingestion::JobHandle) -> Result<(), offerkit_partner_center_ingestion::Error> {
/// // Step by hand...
/// let mut poller = client.poller(handle.clone());
/// if let JobState::Finished(outcome) = poller.step().await? {
///     println!("already finished: {}", outcome.is_succeeded());
/// }
/// // ...or wait for the end.
/// match client.poller(handle).poll_interval(Duration::from_secs(90)).wait().await? {
///     JobOutcome::Succeeded(_) => println!("done"),
///     JobOutcome::Failed { errors, .. } => println!("failed: {errors:?}"),
///     _ => {}
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a poller does nothing until stepped or awaited"]
pub struct Poller {
    client: IngestionClient,
    handle: JobHandle,
    poll_interval: Duration,
    deadline: Duration,
    last_status: Option<ConfigureStatus>,
    on_progress: Option<ProgressHook>,
    polls: u32,
}

/// Where a [`Poller::wait`] stands, handed to the [`Poller::on_progress`] hook before each pause:
/// what the job's last status said and when the next status call comes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PollProgress {
    /// The job.
    pub job_id: JobId,
    /// The last `jobStatus` read (`notStarted`, `running`, ...), or `submitted` before the first
    /// status call.
    pub state: String,
    /// Status calls made so far by this poller.
    pub polls: u32,
    /// Time since this wait began.
    pub waited: Duration,
    /// The pause before the next status call.
    pub next_poll_in: Duration,
}

/// The callback of [`Poller::on_progress`].
#[derive(Clone)]
struct ProgressHook(std::sync::Arc<dyn Fn(&PollProgress) + Send + Sync>);

impl std::fmt::Debug for ProgressHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProgressHook")
    }
}

impl Poller {
    /// The documented cadence: at most one status request per minute.
    ///
    /// ```
    /// # use offerkit_partner_center_ingestion::Poller;
    /// assert_eq!(Poller::DEFAULT_POLL_INTERVAL.as_secs(), 60);
    /// ```
    pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(60);
    /// How long [`Poller::wait`] waits by default before [`Error::JobTimeout`].
    ///
    /// ```
    /// # use offerkit_partner_center_ingestion::Poller;
    /// assert_eq!(Poller::DEFAULT_DEADLINE.as_secs(), 30 * 60);
    /// ```
    pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(30 * 60);

    /// Sets the time between two status calls (default 60 s, the documented maximum rate).
    ///
    /// ```
    /// # use std::{sync::Arc, time::Duration};
    /// # use offerkit_partner_center_ingestion::{IngestionClient, JobHandle, JobId, transport::StaticToken};
    /// # fn main() -> Result<(), offerkit_partner_center_ingestion::Error> {
    /// # let client = IngestionClient::builder().credential(Arc::new(StaticToken::new("t"))).build()?;
    /// let poller = client.poller(JobHandle::new(JobId::new("j1")?)).poll_interval(Duration::from_secs(120));
    /// # let _ = poller; Ok(()) }
    /// ```
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval;
        self
    }

    /// Sets how long [`Poller::wait`] polls before giving up with [`Error::JobTimeout`] (default 30 min).
    ///
    /// ```
    /// # use std::{sync::Arc, time::Duration};
    /// # use offerkit_partner_center_ingestion::{IngestionClient, JobHandle, JobId, transport::StaticToken};
    /// # fn main() -> Result<(), offerkit_partner_center_ingestion::Error> {
    /// # let client = IngestionClient::builder().credential(Arc::new(StaticToken::new("t"))).build()?;
    /// let poller = client.poller(JobHandle::new(JobId::new("j1")?)).deadline(Duration::from_secs(3600));
    /// # let _ = poller; Ok(()) }
    /// ```
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// Calls `hook` before each pause of [`Poller::wait`] (after submission and after every
    /// status call that finds the job still pending) with the job's state and the time to the
    /// next status call: what a command line shows while a job runs for minutes. It must not
    /// block.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use offerkit_partner_center_ingestion::{IngestionClient, JobHandle, JobId, transport::StaticToken};
    /// # fn main() -> Result<(), offerkit_partner_center_ingestion::Error> {
    /// # let client = IngestionClient::builder().credential(Arc::new(StaticToken::new("t"))).build()?;
    /// let poller = client
    ///     .poller(JobHandle::new(JobId::new("j1")?))
    ///     .on_progress(|p| eprintln!("job {}: {}, next poll in {:?}", p.job_id, p.state, p.next_poll_in));
    /// # let _ = poller; Ok(()) }
    /// ```
    pub fn on_progress(mut self, hook: impl Fn(&PollProgress) + Send + Sync + 'static) -> Self {
        self.on_progress = Some(ProgressHook(std::sync::Arc::new(hook)));
        self
    }

    /// Tells the progress hook, if any, that the next status call comes after `pause`.
    fn report(&self, start: tokio::time::Instant, pause: Duration) {
        let Some(hook) = &self.on_progress else {
            return;
        };
        let state = self
            .last_status
            .as_ref()
            .and_then(|s| s.job_status.as_ref())
            .map_or("submitted", |s| s.as_str());
        (hook.0)(&PollProgress {
            job_id: self.handle.job_id.clone(),
            state: state.to_owned(),
            polls: self.polls,
            waited: start.elapsed(),
            next_poll_in: pause,
        });
    }

    /// The job being followed.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use offerkit_partner_center_ingestion::{IngestionClient, JobHandle, JobId, transport::StaticToken};
    /// # fn main() -> Result<(), offerkit_partner_center_ingestion::Error> {
    /// # let client = IngestionClient::builder().credential(Arc::new(StaticToken::new("t"))).build()?;
    /// let poller = client.poller(JobHandle::new(JobId::new("j1")?));
    /// assert_eq!(poller.handle().job_id.as_str(), "j1");
    /// # Ok(()) }
    /// ```
    pub fn handle(&self) -> &JobHandle {
        &self.handle
    }

    /// The last status read by this poller, if any.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use offerkit_partner_center_ingestion::{IngestionClient, JobHandle, JobId, transport::StaticToken};
    /// # fn main() -> Result<(), offerkit_partner_center_ingestion::Error> {
    /// # let client = IngestionClient::builder().credential(Arc::new(StaticToken::new("t"))).build()?;
    /// let poller = client.poller(JobHandle::new(JobId::new("j1")?));
    /// assert!(poller.last_status().is_none());
    /// # Ok(()) }
    /// ```
    pub fn last_status(&self) -> Option<&ConfigureStatus> {
        self.last_status.as_ref()
    }

    /// Makes one status call and classifies the answer. Does not sleep: pace the calls yourself.
    ///
    /// ```no_run
    /// # async fn run(mut poller: offerkit_partner_center_ingestion::Poller) -> Result<(), offerkit_partner_center_ingestion::Error> {
    /// let state = poller.step().await?;
    /// println!("finished: {}", state.is_finished());
    /// # Ok(()) }
    /// ```
    pub async fn step(&mut self) -> Result<JobState, Error> {
        self.polls += 1;
        let status = self.client.job_status(&self.handle.job_id).await?;
        self.last_status = Some(status.clone());
        Ok(JobState::from_status(status))
    }

    /// Polls until the job ends (`Ok` whether it succeeded, failed or was cancelled) or the deadline passes
    /// ([`Error::JobTimeout`]: the outcome is still unknown, never "failed"; the error carries the
    /// [`JobHandle`] to resume with, the time waited and the last status).
    ///
    /// The first call comes one interval after submission when the handle knows when that was (so a
    /// resumed job is polled at once if the interval has passed), right away otherwise.
    ///
    /// ```no_run
    /// # async fn run(poller: offerkit_partner_center_ingestion::Poller) -> Result<(), offerkit_partner_center_ingestion::Error> {
    /// let outcome = poller.wait().await?;
    /// println!("succeeded: {}", outcome.is_succeeded());
    /// # Ok(()) }
    /// ```
    pub async fn wait(mut self) -> Result<JobOutcome, Error> {
        let start = tokio::time::Instant::now();
        let mut pause = self.first_pause();
        loop {
            let remaining = self.deadline.saturating_sub(start.elapsed());
            self.report(start, pause.min(remaining));
            tokio::time::sleep(pause.min(remaining)).await;
            pause = self.poll_interval;
            match self.step().await {
                Ok(JobState::Finished(outcome)) => return Ok(outcome),
                Ok(JobState::Pending(status)) => {
                    tracing::debug!(
                        job_id = %self.handle.job_id,
                        status = %crate::error::describe_status(Some(&status)),
                        "configure job still pending"
                    );
                }
                Err(e) if e.is_transient() => {
                    tracing::debug!(job_id = %self.handle.job_id, error = %e, "status poll failed; polling on");
                }
                Err(e) => return Err(e),
            }
            if start.elapsed() >= self.deadline {
                return Err(Error::JobTimeout {
                    job_id: self.handle.job_id.clone(),
                    waited: start.elapsed(),
                    last_status: self.last_status.take().map(Box::new),
                    handle: Box::new(self.handle.clone()),
                });
            }
        }
    }

    /// Like [`Poller::wait`], then explains the end of a delete or withdraw job: success is
    /// [`Retraction::Retracted`] with the final status; a failed job whose offer reads back as missing or
    /// already retracted is [`Retraction::AlreadyRetracted`]; a failed delete of a non-draft offer is
    /// [`Error::NotDraft`]; any other failure is [`Error::JobFailed`].
    ///
    /// ```no_run
    /// # async fn run(client: offerkit_partner_center_ingestion::IngestionClient) -> Result<(), offerkit_partner_center_ingestion::Error> {
    /// use offerkit_partner_center_ingestion::{PrivateOfferId, Retraction, WithdrawPrivateOffer};
    /// let request = WithdrawPrivateOffer::isv(PrivateOfferId::new("456e-a345-c457-1234")?);
    /// if let Retraction::Retracted(submitted) = client.withdraw_private_offer(request).await? {
    ///     match client.poller(submitted.handle).wait_retraction().await? {
    ///         Retraction::Retracted(status) => println!("withdrawn at {:?}", status.ended_at()),
    ///         _ => println!("someone else withdrew it first"),
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn wait_retraction(self) -> Result<Retraction<ConfigureStatus, OfferGone>, Error> {
        let client = self.client.clone();
        let handle = self.handle.clone();
        match self.wait().await? {
            JobOutcome::Succeeded(status) => Ok(Retraction::Retracted(status)),
            JobOutcome::Failed { errors, status } => {
                client.explain_failure(&handle, errors, status).await
            }
            JobOutcome::Cancelled { errors, status } => {
                client.explain_failure(&handle, errors, status).await
            }
        }
    }

    /// How long to wait before the first status call.
    fn first_pause(&self) -> Duration {
        let Some(submitted) = self.handle.submitted_at_unix_ms else {
            return Duration::ZERO;
        };
        let since = now_unix_ms().map_or(0, |now| now.saturating_sub(submitted));
        self.poll_interval
            .saturating_sub(Duration::from_millis(since))
    }
}

impl IntoFuture for Poller {
    type Output = Result<JobOutcome, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.wait())
    }
}

impl IngestionClient {
    /// Turns a failed or cancelled delete/withdraw job into "already retracted", "not draft", "job
    /// cancelled" or "job failed", reading the offer back because the job's error codes are not documented.
    async fn explain_failure(
        &self,
        handle: &JobHandle,
        errors: Vec<JobError>,
        status: ConfigureStatus,
    ) -> Result<Retraction<ConfigureStatus, OfferGone>, Error> {
        let job_failed = |errors, status: ConfigureStatus| {
            if status.is_cancelled() {
                Error::JobCancelled {
                    job_id: handle.job_id.clone(),
                    errors,
                    status: Box::new(status),
                }
            } else {
                Error::JobFailed {
                    job_id: handle.job_id.clone(),
                    errors,
                    status: Box::new(status),
                }
            }
        };
        let (offer_id, role) = match &handle.purpose {
            JobPurpose::Delete { offer_id } => (offer_id, None),
            JobPurpose::Withdraw { offer_id, role } => (offer_id, Some(*role)),
            JobPurpose::Configure { .. } => return Err(job_failed(errors, status)),
        };
        let offer = match self.get_private_offer(offer_id).await {
            Ok(offer) => offer,
            Err(Error::OfferNotFound { .. }) => {
                return Ok(OfferGone::retraction(offer_id.clone(), None));
            }
            Err(e) => {
                tracing::debug!(offer_id = %offer_id, error = %e, "read-back after a failed job failed");
                return Err(job_failed(errors, status));
            }
        };
        let gone = match role {
            None => is_deleted(&offer),
            Some(role) => is_withdrawn(&offer, role),
        };
        if gone {
            return Ok(OfferGone::retraction(offer_id.clone(), offer.state));
        }
        match (role, offer.state) {
            (None, Some(state)) if state != PrivateOfferState::Draft && !status.is_cancelled() => {
                Err(Error::NotDraft {
                    offer_id: offer_id.clone(),
                    state,
                    job: Some(Box::new(status)),
                })
            }
            _ => Err(job_failed(errors, status)),
        }
    }
}

/// Milliseconds since the Unix epoch, when the clock is sane.
pub(crate) fn now_unix_ms() -> Option<u64> {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .ok()
        .and_then(|d| u64::try_from(d.as_millis()).ok())
}

#[cfg(test)]
mod tests {
    //! Unit tests over `MockTransport`: how a downstream crate can test code using this client without a
    //! server.

    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use offerkit_transport::StaticToken;
    use offerkit_transport::mock::{MockResponse, MockTransport};
    use serde_json::json;

    use super::*;

    fn client(mock: &MockTransport) -> IngestionClient {
        IngestionClient::builder()
            .base_url("https://graph.microsoft.com/rp/product-ingestion")
            .credential(Arc::new(StaticToken::new("t")))
            .transport(mock.transport())
            .build()
            .expect("client")
    }

    #[tokio::test]
    async fn transient_poll_failures_keep_the_poller_going() {
        let calls = Arc::new(AtomicUsize::new(0));
        let seen = calls.clone();
        // The mock transport retries a GET 3 times: the first 4 attempts (one poll) fail with 503.
        let mock = MockTransport::new(move |_req| {
            if seen.fetch_add(1, Ordering::SeqCst) < 4 {
                MockResponse::json(503, &json!({"error": {"code": "ServiceUnavailable"}}))
            } else {
                MockResponse::json(
                    200,
                    &json!({"jobId": "j1", "jobStatus": "completed", "jobResult": "succeeded"}),
                )
            }
        });
        let outcome = client(&mock)
            .poller(JobHandle::new(JobId::new("j1").expect("id")))
            .poll_interval(Duration::ZERO)
            .wait()
            .await
            .expect("wait");
        assert!(outcome.is_succeeded());
        assert_eq!(calls.load(Ordering::SeqCst), 5);
        let url = mock.requests()[0].url.to_string();
        assert_eq!(
            url,
            "https://graph.microsoft.com/rp/product-ingestion/configure/j1/status?$version=2022-07-01"
        );
    }

    #[tokio::test]
    async fn ids_are_percent_encoded_as_one_segment() {
        let mock = MockTransport::new(|_req| MockResponse::json(200, &json!({"state": "draft"})));
        let id = PrivateOfferId::new("a/b?x=1").expect("id");
        client(&mock).get_private_offer(&id).await.expect("get");
        assert_eq!(
            mock.requests()[0].url.as_str(),
            "https://graph.microsoft.com/rp/product-ingestion/private-offer/a%2Fb%3Fx%3D1?$version=2023-07-15"
        );
    }

    #[tokio::test]
    async fn a_permanent_poll_failure_stops_the_poller() {
        let mock = MockTransport::new(|_req| {
            MockResponse::json(403, &json!({"error": {"code": "Forbidden"}}))
        });
        let err = client(&mock)
            .poller(JobHandle::new(JobId::new("j1").expect("id")))
            .poll_interval(Duration::ZERO)
            .wait()
            .await
            .expect_err("403");
        assert!(
            matches!(err, Error::Unauthorized { status: 403, .. }),
            "{err:?}"
        );
        assert_eq!(mock.requests().len(), 1);
    }

    #[test]
    fn completed_without_result_counts_as_success_only_without_errors() {
        let ok: ConfigureStatus =
            serde_json::from_value(json!({"jobStatus": "completed"})).expect("status");
        assert!(matches!(
            JobState::from_status(ok),
            JobState::Finished(JobOutcome::Succeeded(_))
        ));
        let bad: ConfigureStatus =
            serde_json::from_value(json!({"jobStatus": "completed", "errors": ["x"]}))
                .expect("status");
        assert!(matches!(
            JobState::from_status(bad),
            JobState::Finished(JobOutcome::Failed { .. })
        ));
        let cancelled: ConfigureStatus =
            serde_json::from_value(json!({"jobStatus": "running", "jobResult": "Cancelled"}))
                .expect("status");
        assert!(matches!(
            JobState::from_status(cancelled),
            JobState::Finished(JobOutcome::Cancelled { .. })
        ));
    }
}
