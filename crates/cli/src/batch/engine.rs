//! The batch engine: journal replay, bounded concurrency, rate limits, and the
//! per-target resume algorithm.
//!
//! For each valid target, by what the journal says about its key:
//! - `done` with a success outcome: skip (`skipped-done`);
//! - `job-submitted`, or `done` as failed after a job that was not seen to end (poll
//!   deadline, polling error): [`offerkit::Client::resume`] that job (no new submission);
//! - `started` without `done`, or `done` as failed with no open job (the job completed as
//!   failed, or there was none): [`offerkit::Client::probe`] first; `Gone` is recorded as
//!   already retracted, `Present` is retracted as below;
//! - nothing: record `started` (fsync'd), call the vendor, record `done` (fsync'd).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use futures::StreamExt;
use offerkit::{
    Client, Details, Error, ErrorClass, ErrorKind, Outcome, Probe, RetractContext, Status, Target,
    Vendor,
};
use serde::Serialize;
use serde_json::Value;

use super::input::Entry;
use super::journal::{self, Journal, Prior};
use super::rate::{Limits, RateLimiter};

/// How to run a batch.
#[derive(Debug, Clone)]
pub struct Options {
    /// At most this many targets in flight (at least 1).
    pub concurrency: usize,
    /// Validate and report what would happen; call nothing, write no journal.
    pub dry_run: bool,
    /// The journal file; `None` disables resumability.
    pub journal: Option<PathBuf>,
    /// Per-vendor rate limits.
    pub limits: Limits,
    /// Poll interval and deadline for asynchronous jobs.
    pub context: RetractContext,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            concurrency: 16,
            dry_run: false,
            journal: None,
            limits: Limits::default(),
            context: RetractContext::new(),
        }
    }
}

/// What happened to one input line (one results JSONL record).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LineStatus {
    /// Retracted by this run.
    Retracted,
    /// Found already retracted.
    AlreadyRetracted,
    /// The retraction failed.
    Failed,
    /// Done by an earlier run (journal).
    SkippedDone,
    /// The line is not a valid target.
    Invalid,
    /// The same target appeared on an earlier line.
    Duplicate,
    /// Dry run: would be retracted.
    WouldRetract,
    /// Dry run: would be read back first (in flight in an earlier run), then retracted if present.
    WouldCheckThenRetract,
    /// Dry run: would resume the recorded job.
    WouldResumeJob,
}

impl LineStatus {
    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            LineStatus::Retracted => "retracted",
            LineStatus::AlreadyRetracted => "already-retracted",
            LineStatus::Failed => "failed",
            LineStatus::SkippedDone => "skipped-done",
            LineStatus::Invalid => "invalid",
            LineStatus::Duplicate => "duplicate",
            LineStatus::WouldRetract => "would-retract",
            LineStatus::WouldCheckThenRetract => "would-check-then-retract",
            LineStatus::WouldResumeJob => "would-resume-job",
        }
    }
}

/// One results JSONL record.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LineResult {
    /// 1-based input line.
    pub line: usize,
    /// The status.
    pub status: LineStatus,
    /// [`Target::key`], for valid lines.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// The vendor, for valid lines.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vendor: Option<Vendor>,
    /// How an interrupted earlier attempt was taken up: `read-back` or `job`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resumed: Option<&'static str>,
    /// The serialized [`Outcome`] (this run's, or the earlier run's for `skipped-done`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Value>,
    /// Why the line is invalid/duplicate, or a journal problem.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Failure family, for exit codes (not serialized; `outcome.error.class` has it).
    #[serde(skip)]
    pub class: Option<ErrorClass>,
}

impl LineResult {
    fn new(line: usize, status: LineStatus) -> Self {
        LineResult {
            line,
            status,
            key: None,
            vendor: None,
            resumed: None,
            outcome: None,
            error: None,
            class: None,
        }
    }

    fn for_target(line: usize, target: &Target, status: LineStatus) -> Self {
        LineResult {
            key: Some(target.key()),
            vendor: Some(target.vendor()),
            ..LineResult::new(line, status)
        }
    }

    fn from_outcome(line: usize, target: &Target, outcome: &Outcome) -> Self {
        let status = match outcome.status() {
            Status::Retracted => LineStatus::Retracted,
            Status::AlreadyRetracted => LineStatus::AlreadyRetracted,
            _ => LineStatus::Failed,
        };
        LineResult {
            outcome: serde_json::to_value(outcome).ok(),
            class: outcome.error().map(Error::class),
            ..LineResult::for_target(line, target, status)
        }
    }
}

/// Counts per vendor and status, plus line-level problems.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// (vendor, status) → count.
    pub counts: HashMap<(Vendor, LineStatus), usize>,
    /// Invalid lines.
    pub invalid: usize,
    /// Duplicate lines.
    pub duplicates: usize,
    /// Failures by class.
    pub failures: HashMap<ErrorClass, usize>,
    /// Journal lines ignored on replay (a torn last line after a kill).
    pub journal_ignored_lines: usize,
}

impl Summary {
    fn add(&mut self, result: &LineResult) {
        match (result.vendor, result.status) {
            (_, LineStatus::Invalid) => self.invalid += 1,
            (_, LineStatus::Duplicate) => self.duplicates += 1,
            (Some(vendor), status) => *self.counts.entry((vendor, status)).or_default() += 1,
            (None, _) => {}
        }
        if let Some(class) = result.class {
            *self.failures.entry(class).or_default() += 1;
        }
    }

    /// Total of `status` over all vendors.
    pub fn total(&self, status: LineStatus) -> usize {
        self.counts
            .iter()
            .filter(|((_, s), _)| *s == status)
            .map(|(_, n)| n)
            .sum()
    }
}

/// Runs `entries` against `client`, calling `on_result` for each line as it finishes
/// (in completion order). Fails only if the journal cannot be read or opened.
pub async fn run(
    client: Arc<Client>,
    entries: Vec<Entry>,
    options: &Options,
    mut on_result: impl FnMut(&LineResult),
) -> Result<Summary, Error> {
    let replay = match &options.journal {
        Some(path) => journal::replay(path)?,
        None => journal::Replay::default(),
    };
    let journal = match (&options.journal, options.dry_run) {
        (Some(path), false) => Some(Journal::open(path)?),
        _ => None,
    };
    let mut summary = Summary {
        journal_ignored_lines: replay.ignored_lines,
        ..Summary::default()
    };
    let limiter = Arc::new(RateLimiter::new(options.limits.clone()));
    let priors = Arc::new(replay.priors);
    let dry_run = options.dry_run;

    let tasks = entries.into_iter().map(|entry| {
        let client = Arc::clone(&client);
        let journal = journal.clone();
        let limiter = Arc::clone(&limiter);
        let priors = Arc::clone(&priors);
        let context = options.context.clone();
        async move {
            match entry {
                Entry::Invalid { line, error } => LineResult {
                    error: Some(format!("line {line}: {error}")),
                    class: Some(ErrorClass::User),
                    ..LineResult::new(line, LineStatus::Invalid)
                },
                Entry::Duplicate {
                    line,
                    first_line,
                    key,
                } => LineResult {
                    key: Some(key),
                    error: Some(format!(
                        "line {line}: same target as line {first_line}; not run twice"
                    )),
                    ..LineResult::new(line, LineStatus::Duplicate)
                },
                Entry::Valid { line, target } => {
                    let prior = priors.get(&target.key());
                    if dry_run {
                        plan(&client, line, &target, prior)
                    } else {
                        let worker = Worker {
                            client: &client,
                            journal: journal.as_ref(),
                            limiter: &limiter,
                            context,
                        };
                        worker.process(line, &target, prior).await
                    }
                }
            }
        }
    });
    let mut results = futures::stream::iter(tasks).buffer_unordered(options.concurrency.max(1));
    while let Some(result) = results.next().await {
        summary.add(&result);
        on_result(&result);
    }
    Ok(summary)
}

/// Dry run: what would happen to one valid target.
fn plan(client: &Client, line: usize, target: &Target, prior: Option<&Prior>) -> LineResult {
    if let Err(error) = client.vendor(target.vendor()) {
        return LineResult::from_outcome(line, target, &Outcome::failed(error));
    }
    match prior {
        Some(Prior::Done { outcome }) => LineResult {
            outcome: Some(outcome.clone()),
            ..LineResult::for_target(line, target, LineStatus::SkippedDone)
        },
        Some(prior) if prior.job_to_resume().is_some() => {
            LineResult::for_target(line, target, LineStatus::WouldResumeJob)
        }
        Some(Prior::JobSubmitted { .. } | Prior::InFlight | Prior::Failed { .. }) => {
            LineResult::for_target(line, target, LineStatus::WouldCheckThenRetract)
        }
        None => LineResult::for_target(line, target, LineStatus::WouldRetract),
    }
}

struct Worker<'a> {
    client: &'a Client,
    journal: Option<&'a Journal>,
    limiter: &'a RateLimiter,
    context: RetractContext,
}

impl Worker<'_> {
    async fn process(&self, line: usize, target: &Target, prior: Option<&Prior>) -> LineResult {
        let bucket = target.rate_limit_key();
        let ctx = match self.journal {
            Some(journal) => self
                .context
                .clone()
                .with_job_recorder(journal.recorder(line)),
            None => self.context.clone(),
        };
        let resume = prior.and_then(Prior::job_to_resume);
        let (outcome, resumed) = match (prior, resume) {
            (Some(Prior::Done { outcome }), _) => {
                return LineResult {
                    outcome: Some(outcome.clone()),
                    ..LineResult::for_target(line, target, LineStatus::SkippedDone)
                };
            }
            (_, Some(job)) => {
                self.limiter.acquire(&bucket).await;
                (self.client.resume(target, job, &ctx).await, Some("job"))
            }
            (Some(_), None) => (
                self.read_back_then_retract(line, target, &bucket, &ctx)
                    .await,
                Some("read-back"),
            ),
            (None, None) => (self.call(line, target, &bucket, &ctx).await, None),
        };
        let mut result = LineResult::from_outcome(line, target, &outcome);
        result.resumed = resumed;
        if let Some(journal) = self.journal
            && let Err(error) = journal.done(line, target, &outcome).await
        {
            result.error = Some(format!("journal: {error}"));
            result.class = Some(ErrorClass::Transport);
        }
        result
    }

    /// Probe first; `Gone` is already retracted, `Present` is retracted.
    async fn read_back_then_retract(
        &self,
        line: usize,
        target: &Target,
        bucket: &str,
        ctx: &RetractContext,
    ) -> Outcome {
        self.limiter.acquire(bucket).await;
        match self.client.probe(target).await {
            Ok(Probe::Gone(details)) => {
                Outcome::AlreadyRetracted(details.with_note(
                    "found retracted on read-back after an interrupted or failed attempt",
                ))
            }
            Ok(_) => self.call(line, target, bucket, ctx).await,
            Err(error) => Outcome::failed(error),
        }
    }

    /// `started` (durable) → vendor call. A failed `started` write means no call.
    async fn call(
        &self,
        line: usize,
        target: &Target,
        bucket: &str,
        ctx: &RetractContext,
    ) -> Outcome {
        if let Some(journal) = self.journal
            && let Err(error) = journal.started(line, target).await
        {
            return Outcome::Failed {
                error: Error::new(ErrorKind::Internal, format!("not attempted: {error}")),
                details: Details::new(),
            };
        }
        self.limiter.acquire(bucket).await;
        self.client.retract_with(target, ctx).await
    }
}

#[cfg(test)]
mod tests;
