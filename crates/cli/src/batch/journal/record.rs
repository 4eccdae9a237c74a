//! One journal record: `{"line":N,"key":…,"state":…,"job"?:{…},"outcome"?:{…},"actor"?,"reason"?,"at":…}`
//! (replay reads `key`, `state`, `job` and `outcome` only, so older journals resume unchanged).

use offerkit::JobHandle;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// The state a record declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    /// About to call the vendor (durable before the call).
    Started,
    /// The vendor accepted an asynchronous job (durable before polling).
    JobSubmitted,
    /// The call ended; `outcome` says how.
    Done,
}

/// One record as written.
#[derive(Debug, Serialize)]
pub struct Record<'a> {
    /// Input line number (informational; identity is `key`).
    pub line: usize,
    /// [`offerkit::Target::key`].
    pub key: &'a str,
    /// What happened.
    pub state: State,
    /// The job, for `job-submitted`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job: Option<&'a JobHandle>,
    /// The outcome, serialized once, for `done`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<&'a RawValue>,
    /// Who ran it (`--actor`), on `started` and `done` records of runs that name one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor: Option<&'a str>,
    /// Why (`--reason`), on `started` and `done` records of runs that give one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'a str>,
    /// When it was written (RFC 3339, UTC).
    pub at: String,
}

impl Record<'_> {
    /// The record as one journal line, `\n` included.
    pub fn to_line(&self) -> String {
        let mut text = serde_json::to_string(self).unwrap_or_else(|e| {
            // Only a non-string map key can fail here, and records have none.
            format!(r#"{{"unserializable":"{e}"}}"#)
        });
        text.push('\n');
        text
    }
}

/// The current time as RFC 3339 UTC.
pub fn now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
