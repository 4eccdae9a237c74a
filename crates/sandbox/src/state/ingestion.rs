//! Configure jobs of the product-ingestion API.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{lock, read, write};

/// A configure job: the request it was created from and, once completed, its outcome.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Job {
    /// The job id (a GUID).
    pub(crate) job_id: String,
    /// Creation time, Unix milliseconds.
    pub(crate) created_ms: i64,
    /// Status polls seen so far.
    #[serde(default)]
    pub(crate) polls: u32,
    /// `jobStart` as reported.
    pub(crate) job_start: String,
    /// The `resources` of the configure request.
    #[serde(default)]
    pub(crate) resources: Vec<Value>,
    /// Set when the job completed (its effect has then been applied).
    #[serde(default)]
    pub(crate) outcome: Option<JobOutcome>,
}

/// How a completed job ended.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct JobOutcome {
    /// `true` for `jobResult: succeeded`.
    pub(crate) succeeded: bool,
    /// `errors` items (`{code, message}`).
    #[serde(default)]
    pub(crate) errors: Vec<Value>,
    /// `resourceUri` (absent for delete jobs and failures).
    #[serde(default)]
    pub(crate) resource_uri: Option<String>,
    /// `jobEnd`.
    pub(crate) job_end: String,
    /// The resources as they are after the job (for `GET /configure/{jobId}`).
    #[serde(default)]
    pub(crate) resources: Vec<Value>,
}

/// All jobs, each behind its own lock.
#[derive(Debug, Default)]
pub(crate) struct Jobs {
    map: std::sync::RwLock<HashMap<String, Arc<Mutex<Job>>>>,
}

impl Jobs {
    pub(crate) fn put(&self, job: Job) {
        write(&self.map).insert(job.job_id.clone(), Arc::new(Mutex::new(job)));
    }

    pub(crate) fn get(&self, id: &str) -> Option<Arc<Mutex<Job>>> {
        read(&self.map).get(id).cloned()
    }

    /// Jobs not yet completed.
    pub(crate) fn pending(&self) -> Vec<Arc<Mutex<Job>>> {
        let cells: Vec<_> = read(&self.map).values().cloned().collect();
        cells
            .into_iter()
            .filter(|c| lock(c).outcome.is_none())
            .collect()
    }

    pub(crate) fn snapshot(&self) -> Vec<Value> {
        let cells: Vec<_> = read(&self.map).values().cloned().collect();
        let mut jobs: Vec<Job> = cells.iter().map(|c| lock(c).clone()).collect();
        jobs.sort_by(|a, b| {
            a.created_ms
                .cmp(&b.created_ms)
                .then_with(|| a.job_id.cmp(&b.job_id))
        });
        jobs.iter()
            .filter_map(|j| serde_json::to_value(j).ok())
            .collect()
    }

    pub(crate) fn clear(&self) {
        write(&self.map).clear();
    }
}
