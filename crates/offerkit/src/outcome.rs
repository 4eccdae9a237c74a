//! [`Outcome`]: the uniform result of one retraction, whatever the vendor.

use serde::ser::SerializeMap;
use serde_json::Value;

use crate::error::Error;
use offerkit_models::ids::JobId;

/// The result of retracting one [`crate::Target`].
///
/// Never an `Err`: a failure is an outcome too, so batch runs can record it and go on.
///
/// ```
/// use offerkit::{Details, Outcome, Status};
/// let out = Outcome::Retracted(Details::new().with_request_id("req-1"));
/// assert_eq!(out.status(), Status::Retracted);
/// assert_eq!(out.details().request_id.as_deref(), Some("req-1"));
/// assert_eq!(
///     serde_json::to_value(&out).unwrap(),
///     serde_json::json!({"status": "retracted", "requestId": "req-1"}),
/// );
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Outcome {
    /// This call retracted the target. That includes a delete whose first attempt's answer was
    /// lost and whose retry found the target gone (the vendor answered 404): that attempt most
    /// likely did it, and [`Details::note`] says so.
    Retracted(Details),
    /// The target was already gone (deleted, withdrawn, cancelled) before this call, and no
    /// attempt of this call can have done it.
    AlreadyRetracted(Details),
    /// The retraction failed.
    Failed {
        /// What went wrong.
        error: Error,
        /// Whatever the vendor answered before failing.
        details: Details,
    },
}

/// The data-free status of an [`Outcome`], for counting and exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Status {
    /// See [`Outcome::Retracted`].
    Retracted,
    /// See [`Outcome::AlreadyRetracted`].
    AlreadyRetracted,
    /// See [`Outcome::Failed`].
    Failed,
}

impl Status {
    /// `retracted`, `already-retracted` or `failed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Retracted => "retracted",
            Status::AlreadyRetracted => "already-retracted",
            Status::Failed => "failed",
        }
    }
}

/// What the vendor told us while retracting: filled in by the vendor impl.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Details {
    /// The vendor's request id of the retracting call (`MS-RequestId`, `x-request-id`...).
    pub request_id: Option<String>,
    /// The vendor's typed response, serialized (the deleted offer, the patched order,
    /// the final job status...).
    pub response: Option<Value>,
    /// For asynchronous vendors (ingestion): the job and its final state.
    pub job: Option<JobInfo>,
    /// A short human note, e.g. "confirmed by read-back after an interrupted run".
    pub note: Option<String>,
    /// Set when the target was met another way than asked: a `cancel-subscription` past its
    /// window that stopped the renewal instead.
    pub fallback: Option<Fallback>,
    /// The resource as it was before this retraction, exactly as the vendor returned it (nulls
    /// kept): what `offerkit restore` re-creates from. Appcharge's DELETE answers it; Adobe's is
    /// one GET before the DELETE (only when [`crate::RetractContext::snapshots`] is on); orders
    /// and subscriptions are read before their PATCH. Not part of the outcome's JSON: results
    /// lines carry it beside the outcome, as `snapshot`.
    pub snapshot: Option<Value>,
}

/// A fallback a retraction took (JSON `"fallback": "stop-renewal"`, `"windowEnded": "YYYY-MM-DD"`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fallback {
    /// The cancellation window had ended; the renewal was stopped instead.
    StopRenewal {
        /// The window's last day (`YYYY-MM-DD`, UTC), when known.
        window_ended: Option<String>,
    },
}

impl Fallback {
    /// `stop-renewal`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Fallback::StopRenewal { .. } => "stop-renewal",
        }
    }
}

impl Details {
    /// Empty details.
    pub fn new() -> Self {
        Details::default()
    }

    /// Sets the request id.
    pub fn with_request_id(mut self, id: impl Into<String>) -> Self {
        self.request_id = Some(id.into());
        self
    }

    /// Sets the response; pass the vendor's typed response serialized with
    /// `serde_json::to_value`. Its strings are scrubbed of every known secret (it is a 2xx
    /// body, which the transport does not scan, on its way to output, journal and results).
    pub fn with_response(mut self, mut response: Value) -> Self {
        offerkit_transport::Redactor::global().scrub_json(&mut response);
        self.response = Some(response);
        self
    }

    /// Sets the job info.
    pub fn with_job(mut self, job: JobInfo) -> Self {
        self.job = Some(job);
        self
    }

    /// Sets the note.
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }

    /// Sets the snapshot of the resource before the retraction (scrubbed of known secrets, like
    /// [`Details::with_response`]).
    pub fn with_snapshot(mut self, mut snapshot: Value) -> Self {
        offerkit_transport::Redactor::global().scrub_json(&mut snapshot);
        self.snapshot = Some(snapshot);
        self
    }

    /// Sets the fallback taken.
    pub fn with_fallback(mut self, fallback: Fallback) -> Self {
        self.fallback = Some(fallback);
        self
    }
}

/// An asynchronous vendor job and its last known state.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct JobInfo {
    /// The job id.
    pub id: JobId,
    /// The job status as the vendor spells it (`completed`, `running`...).
    pub status: String,
    /// The job result as the vendor spells it (`succeeded`, `failed`...), once known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
}

impl JobInfo {
    /// A job with its status and (optional) result.
    pub fn new(id: JobId, status: impl Into<String>, result: Option<String>) -> Self {
        JobInfo {
            id,
            status: status.into(),
            result,
        }
    }
}

impl Outcome {
    /// A failure with no vendor details.
    pub fn failed(error: Error) -> Self {
        Outcome::Failed {
            error,
            details: Details::new(),
        }
    }

    /// The status without data.
    pub fn status(&self) -> Status {
        match self {
            Outcome::Retracted(_) => Status::Retracted,
            Outcome::AlreadyRetracted(_) => Status::AlreadyRetracted,
            Outcome::Failed { .. } => Status::Failed,
        }
    }

    /// The vendor details, whatever the status.
    pub fn details(&self) -> &Details {
        match self {
            Outcome::Retracted(d) | Outcome::AlreadyRetracted(d) => d,
            Outcome::Failed { details, .. } => details,
        }
    }

    /// Mutable access to the details (e.g. to add a note).
    pub fn details_mut(&mut self) -> &mut Details {
        match self {
            Outcome::Retracted(d) | Outcome::AlreadyRetracted(d) => d,
            Outcome::Failed { details, .. } => details,
        }
    }

    /// The error, if failed.
    pub fn error(&self) -> Option<&Error> {
        match self {
            Outcome::Failed { error, .. } => Some(error),
            _ => None,
        }
    }

    /// True unless failed: the target is gone now.
    pub fn is_success(&self) -> bool {
        !matches!(self, Outcome::Failed { .. })
    }
}

/// JSON form: `{"status", "requestId"?, "job"?, "note"?, "fallback"?, "windowEnded"?, "error"?,
/// "response"?}`.
impl serde::Serialize for Outcome {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let details = self.details();
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("status", &self.status())?;
        if let Some(id) = &details.request_id {
            map.serialize_entry("requestId", id)?;
        }
        if let Some(job) = &details.job {
            map.serialize_entry("job", job)?;
        }
        if let Some(note) = &details.note {
            map.serialize_entry("note", note)?;
        }
        if let Some(fallback) = &details.fallback {
            map.serialize_entry("fallback", fallback.as_str())?;
            let Fallback::StopRenewal { window_ended } = fallback;
            if let Some(date) = window_ended {
                map.serialize_entry("windowEnded", date)?;
            }
        }
        if let Some(error) = self.error() {
            map.serialize_entry("error", error)?;
        }
        if let Some(response) = &details.response {
            map.serialize_entry("response", response)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    #[test]
    fn failed_outcome_serializes_error_and_job() {
        let job = JobInfo::new(
            JobId::new("j1").expect("id"),
            "completed",
            Some("failed".into()),
        );
        let out = Outcome::Failed {
            error: Error::new(ErrorKind::Job, "job failed"),
            details: Details::new().with_job(job),
        };
        assert!(!out.is_success());
        assert_eq!(
            serde_json::to_value(&out).expect("json"),
            serde_json::json!({
                "status": "failed",
                "job": {"id": "j1", "status": "completed", "result": "failed"},
                "error": {"kind": "job", "class": "vendor", "message": "job failed"}
            })
        );
    }
}
