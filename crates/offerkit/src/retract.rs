//! The [`Retract`] trait every vendor implements once, and what it is handed.
//!
//! # Contract ("neither repeats nor skips")
//!
//! A batch runner records `started` durably, calls [`Retract::retract`], then records
//! `done`. If it is killed in between it cannot know whether the vendor saw the call, so
//! on restart it calls [`Retract::probe`] first and only retracts again when the probe
//! says [`Probe::Present`]. Asynchronous vendors (ingestion jobs) additionally call
//! [`RetractContext::record_job`] as soon as the vendor has accepted the job and before
//! polling; a restart then calls [`Retract::resume`] with that job instead of
//! submitting a second one.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde_json::Value;

use crate::check::{Check, CheckStep};
use crate::error::Error;
use crate::outcome::{Details, Outcome};
use crate::target::{AdobeOfferType, ResourceRef, Target};
use offerkit_models::Vendor;
use offerkit_models::ids::{CustomerTenantId, JobId};

/// One vendor's retraction logic. Implement it once per vendor; the
/// [`crate::Client`] registry, the CLI and the batch journal do the rest.
///
/// ```
/// use offerkit::{async_trait, Details, Error, Outcome, Probe, Retract, RetractContext, Target, Vendor};
///
/// struct Appcharge;
///
/// #[async_trait]
/// impl Retract for Appcharge {
///     fn vendor(&self) -> Vendor {
///         Vendor::Appcharge
///     }
///     async fn retract(&self, _target: &Target, _ctx: &RetractContext) -> Outcome {
///         // DELETE /v2/offer/{publisherOfferId}; a 404 means AlreadyRetracted.
///         Outcome::Retracted(Details::new().with_request_id("r-1"))
///     }
///     async fn probe(&self, _target: &Target) -> Result<Probe, Error> {
///         // GET /v2/offer?publisherOfferIds=...; empty list means Gone.
///         Ok(Probe::Gone(Details::new()))
///     }
/// }
/// ```
#[async_trait]
pub trait Retract: Send + Sync {
    /// The vendor this impl serves; targets of other vendors are never passed in.
    fn vendor(&self) -> Vendor;

    /// Performs the retraction and reports the outcome.
    ///
    /// Must answer [`Outcome::AlreadyRetracted`] (not `Failed`) when the vendor says
    /// the target is already gone (404 on delete, order already cancelled, offer already
    /// withdrawn, a delete job failing because the offer no longer exists...).
    /// Asynchronous vendors must call [`RetractContext::record_job`] right after the
    /// vendor accepted the job, before polling, and poll at
    /// [`RetractContext::poll_interval`] until [`RetractContext::job_deadline`].
    async fn retract(&self, target: &Target, ctx: &RetractContext) -> Outcome;

    /// Reads the target back without changing anything: is it still there to retract?
    ///
    /// Used on resume for targets whose previous call may or may not have reached the
    /// vendor. Must be side-effect free. `Gone` for a partial order cancellation means
    /// every listed line item is cancelled.
    async fn probe(&self, target: &Target) -> Result<Probe, Error>;

    /// Continues a retraction whose job was recorded through
    /// [`RetractContext::record_job`] by an earlier, interrupted run: poll that job
    /// to its end (re-probing if the vendor no longer knows the job) and report.
    ///
    /// The default (for synchronous vendors, which never record jobs) fails with
    /// [`crate::ErrorKind::Unsupported`].
    async fn resume(&self, target: &Target, job: &JobHandle, ctx: &RetractContext) -> Outcome {
        let _ = (job, ctx);
        Outcome::failed(Error::unsupported(format!(
            "{} does not use asynchronous jobs; cannot resume {target}",
            self.vendor()
        )))
    }

    /// Whether this vendor can be used as configured: a token, then one cheap read that needs no
    /// target id, each step with the fix when it fails ([`Check`]; `offerkit doctor`). Read-only.
    /// The default skips both steps.
    async fn check(&self) -> Check {
        let skipped = || CheckStep::Skipped(format!("{} has no check", self.vendor()));
        Check::new(skipped(), skipped())
    }

    /// Read-only operations (`get`, `list`, job `status`) for the CLI. The default
    /// answers [`crate::ErrorKind::Unsupported`].
    async fn query(&self, query: &Query) -> Result<Details, Error> {
        Err(Error::unsupported(format!(
            "{} does not support {}",
            self.vendor(),
            query.name()
        )))
    }
}

/// What [`Retract::probe`] found.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Probe {
    /// Still there: the retraction has not happened (yet) and may be performed.
    Present(Details),
    /// Already retracted (deleted, withdrawn, cancelled, 404): nothing to do.
    Gone(Details),
}

/// A durable reference to an asynchronous vendor job, as recorded in the journal.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct JobHandle {
    /// The vendor's job id.
    pub id: JobId,
    /// Anything else the vendor impl needs to resume (kept verbatim in the journal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
}

impl JobHandle {
    /// A handle to job `id`.
    pub fn new(id: JobId) -> Self {
        JobHandle { id, data: None }
    }

    /// Adds vendor data needed to resume.
    pub fn with_data(mut self, data: Value) -> Self {
        self.data = Some(data);
        self
    }
}

/// Receives job handles durably; implemented by the batch journal.
#[async_trait]
pub trait JobRecorder: Send + Sync {
    /// Persists `job` for `target` (flushed to disk) before returning.
    async fn record_job(&self, target: &Target, job: &JobHandle) -> Result<(), Error>;
}

/// Settings and hooks for one retraction call.
///
/// ```
/// use std::time::Duration;
/// use offerkit::RetractContext;
/// let ctx = RetractContext::new().with_poll_interval(Duration::from_millis(20));
/// assert_eq!(ctx.poll_interval(), Duration::from_millis(20));
/// ```
#[derive(Clone)]
pub struct RetractContext {
    poll_interval: Duration,
    job_deadline: Duration,
    recorder: Option<Arc<dyn JobRecorder>>,
    snapshots: bool,
    progress: Option<ProgressHook>,
}

/// The hook of [`RetractContext::with_job_progress`].
type ProgressHook = Arc<dyn Fn(&JobProgress) + Send + Sync>;

/// Where an asynchronous vendor job stands while a retraction waits for it, handed to the hook of
/// [`RetractContext::with_job_progress`] before each pause between two status polls.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct JobProgress {
    /// The vendor running the job.
    pub vendor: Vendor,
    /// The vendor's job id.
    pub job_id: JobId,
    /// The job's last state as the vendor spelled it (`notStarted`, `running`, ...), or
    /// `submitted` before the first status poll.
    pub state: String,
    /// Status polls made so far.
    pub polls: u32,
    /// Time spent waiting so far.
    pub waited: Duration,
    /// The pause before the next status poll.
    pub next_poll_in: Duration,
}

impl JobProgress {
    /// The progress of `vendor`'s job `job_id`.
    pub fn new(
        vendor: Vendor,
        job_id: JobId,
        state: impl Into<String>,
        polls: u32,
        waited: Duration,
        next_poll_in: Duration,
    ) -> Self {
        JobProgress {
            vendor,
            job_id,
            state: state.into(),
            polls,
            waited,
            next_poll_in,
        }
    }
}

impl RetractContext {
    /// The documented ingestion poll rate: at most one status request per minute.
    pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(60);
    /// How long to wait for a job before giving up (the job keeps running vendor-side).
    pub const DEFAULT_JOB_DEADLINE: Duration = Duration::from_secs(30 * 60);

    /// Defaults: poll every 60 s, give up after 30 min, no recorder.
    pub fn new() -> Self {
        RetractContext {
            poll_interval: Self::DEFAULT_POLL_INTERVAL,
            job_deadline: Self::DEFAULT_JOB_DEADLINE,
            recorder: None,
            snapshots: false,
            progress: None,
        }
    }

    /// Sets the job poll interval.
    pub fn with_poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval;
        self
    }

    /// Sets the job deadline.
    pub fn with_job_deadline(mut self, deadline: Duration) -> Self {
        self.job_deadline = deadline;
        self
    }

    /// Sets where job handles are recorded.
    pub fn with_job_recorder(mut self, recorder: Arc<dyn JobRecorder>) -> Self {
        self.recorder = Some(recorder);
        self
    }

    /// Calls `hook` while a retraction waits for an asynchronous job (Partner Center ingestion's
    /// configure jobs), before each pause between two status polls: the job's state and when the
    /// next poll comes. For a caller that shows progress (the CLI's single commands: a spinner
    /// or a line per poll); the hook must not block. Synchronous vendors never call it.
    ///
    /// ```
    /// use offerkit::RetractContext;
    /// let ctx = RetractContext::new().with_job_progress(|p| {
    ///     eprintln!("job {}: {}, next poll in {:?}", p.job_id, p.state, p.next_poll_in)
    /// });
    /// # let _ = ctx;
    /// ```
    pub fn with_job_progress(
        mut self,
        hook: impl Fn(&JobProgress) + Send + Sync + 'static,
    ) -> Self {
        self.progress = Some(Arc::new(hook));
        self
    }

    /// Hands `progress` to the hook of [`RetractContext::with_job_progress`], if any (vendor
    /// impls call it from their poll loop).
    pub fn report_progress(&self, progress: &JobProgress) {
        if let Some(hook) = &self.progress {
            hook(progress);
        }
    }

    /// Whether a progress hook is set.
    pub fn has_job_progress(&self) -> bool {
        self.progress.is_some()
    }

    /// Asks for [`crate::Details::snapshot`]: the resource as it was before the retraction, even
    /// where that costs one more read (Adobe). Off by default in the library; `offerkit batch`
    /// and `offerkit apply` turn it on.
    pub fn with_snapshots(mut self, snapshots: bool) -> Self {
        self.snapshots = snapshots;
        self
    }

    /// Whether the caller wants [`crate::Details::snapshot`] filled in.
    pub fn snapshots(&self) -> bool {
        self.snapshots
    }

    /// How long to sleep between two job status polls.
    pub fn poll_interval(&self) -> Duration {
        self.poll_interval
    }

    /// How long to poll before answering a [`crate::ErrorKind::Job`] failure.
    pub fn job_deadline(&self) -> Duration {
        self.job_deadline
    }

    /// Records `job` durably (no-op without a recorder). Call it after the vendor
    /// accepted the job and before the first poll; if it fails, return
    /// `Outcome::Failed` with this error without polling.
    pub async fn record_job(&self, target: &Target, job: &JobHandle) -> Result<(), Error> {
        match &self.recorder {
            Some(recorder) => recorder.record_job(target, job).await,
            None => Ok(()),
        }
    }
}

impl Default for RetractContext {
    fn default() -> Self {
        RetractContext::new()
    }
}

impl std::fmt::Debug for RetractContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RetractContext")
            .field("poll_interval", &self.poll_interval)
            .field("job_deadline", &self.job_deadline)
            .field("recorder", &self.recorder.is_some())
            .field("snapshots", &self.snapshots)
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

/// A read-only request for [`Retract::query`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Query {
    /// Read one resource (`get`).
    Get(ResourceRef),
    /// List resources (`list`).
    List(ListQuery),
    /// Read an asynchronous job's status (`ingestion status`).
    JobStatus {
        /// The vendor owning the job.
        vendor: Vendor,
        /// The job.
        job: JobHandle,
    },
}

impl Query {
    /// The vendor that answers this query.
    pub fn vendor(&self) -> Vendor {
        match self {
            Query::Get(resource) => resource.vendor(),
            Query::List(list) => list.vendor,
            Query::JobStatus { vendor, .. } => *vendor,
        }
    }

    /// `get`, `list` or `status`.
    pub fn name(&self) -> &'static str {
        match self {
            Query::Get(_) => "get",
            Query::List(_) => "list",
            Query::JobStatus { .. } => "status",
        }
    }
}

/// Parameters of [`Query::List`]; each vendor uses the ones that apply to it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListQuery {
    /// The vendor to list.
    pub vendor: Vendor,
    /// Partner Center orders: the customer whose orders to list.
    pub customer_tenant_id: Option<CustomerTenantId>,
    /// Adobe: which kind of offers to list.
    pub adobe_offer_type: Option<AdobeOfferType>,
    /// At most this many items (vendor paging permitting).
    pub limit: Option<u32>,
    /// Partner Center orders: list the customer's subscriptions instead of its orders.
    pub orders_subscriptions: bool,
}

impl ListQuery {
    /// A list query with no filter.
    pub fn new(vendor: Vendor) -> Self {
        ListQuery {
            vendor,
            customer_tenant_id: None,
            adobe_offer_type: None,
            limit: None,
            orders_subscriptions: false,
        }
    }

    /// Partner Center orders: lists subscriptions instead of orders (needs a customer).
    pub fn subscriptions(mut self) -> Self {
        self.orders_subscriptions = true;
        self
    }

    /// Restricts to one customer (orders).
    pub fn with_customer(mut self, tenant: CustomerTenantId) -> Self {
        self.customer_tenant_id = Some(tenant);
        self
    }

    /// Restricts to one offer type (Adobe).
    pub fn with_adobe_offer_type(mut self, offer_type: AdobeOfferType) -> Self {
        self.adobe_offer_type = Some(offer_type);
        self
    }

    /// Caps the number of items.
    pub fn with_limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }
}
