//! The batch engine: input lines as a stream, bounded concurrency, rate limits, the per-target
//! resume algorithm, and the stops (a failed journal write, an unreachable vendor).
//!
//! Pacing ([`Options::pacing`]): fixed waits for the bucket's slot before each logical call;
//! adaptive (the default) runs each target inside [`offerkit::pacing::scope`] with its bucket's
//! pacer, so every HTTP attempt of it waits for the bucket and reports 429s to it.
//!
//! For each valid target, by what the journal says about its key:
//! - `done` with a success outcome: skip (`skipped-done`);
//! - `job-submitted`, or `done` as failed after a job that was not seen to end (poll deadline,
//!   polling error): [`offerkit::Client::resume`] that job (no new submission);
//! - `started` without `done`, or `done` as failed with no open job, or a key whose record may be
//!   lost (corrupt journal lines, a format-1 journal): [`offerkit::Client::probe`] first; `Gone`
//!   is recorded as already retracted, `Present` is retracted as below;
//! - nothing: record `started` (durable), call the vendor, record `done`. The `done` record is
//!   written after the target's concurrency slot is given back, and without an fsync of its own
//!   (the next `started` group's, or the end of the run, makes it durable): losing it costs only a
//!   read-back on resume, and no target waits for an fsync that protects nothing.
//!
//! The run starts no new target once a journal write failed (in-flight ones finish), and none of
//! a vendor's once [`Options::unreachable_after`] calls in a row could not connect to it: those
//! are `not-attempted`, and the journal lets a later run take them up.

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use futures::StreamExt;
use futures::stream::FuturesUnordered;
use offerkit::{
    Client, Error, ErrorClass, ErrorKind, Outcome, Probe, RetractContext, Status, Target, Vendor,
    Verdict,
};
use serde::Serialize;
use serde_json::value::RawValue;

use super::adaptive::{AdaptivePacing, BucketStats};
use super::audit::Audit;
use super::input::{Checkpoints, Input, Parsed};
use super::journal::{Durable, Journal, Prior, Replay};
use super::keys::{KeyIndex, Place};
use super::rate::{Limits, PacingMode, RateLimiter};
use super::scan::Scan;

/// How to run a batch.
#[derive(Debug, Clone)]
pub struct Options {
    /// At most this many targets in flight (at least 1).
    pub concurrency: usize,
    /// Validate and report what would happen; call nothing, write no journal.
    pub dry_run: bool,
    /// Per-vendor rates to start from (fixed pacing: the rates).
    pub limits: Limits,
    /// Hard per-vendor ceilings (`--rate-limit`; 0 = none): adaptive pacing never goes above.
    pub ceilings: Limits,
    /// Adaptive (follow the vendor's 429s) or fixed pacing.
    pub pacing: PacingMode,
    /// Poll interval and deadline for asynchronous jobs.
    pub context: RetractContext,
    /// A vendor's remaining targets are not attempted once this many of its calls in a row
    /// could not connect (connection refused, DNS, TLS setup).
    pub unreachable_after: usize,
    /// Who runs it and why: written into the journal's `started`/`done` records and, with the
    /// time, into every results line.
    pub audit: Option<Audit>,
    /// `offerkit apply`: inspect each target again right before its retraction
    /// ([`offerkit::Client::inspect`]); one that is no longer `will-retract` is reported as it now
    /// is and not retracted (see `rechecked` in this module).
    pub recheck: bool,
}

impl Options {
    /// Consecutive connect failures that stop a vendor's targets, by default.
    pub const UNREACHABLE_AFTER: usize = 5;
}

impl Default for Options {
    fn default() -> Self {
        Options {
            concurrency: 16,
            dry_run: false,
            limits: Limits::default(),
            ceilings: Limits::unlimited(),
            pacing: PacingMode::default(),
            context: RetractContext::new(),
            unreachable_after: Options::UNREACHABLE_AFTER,
            audit: None,
            recheck: false,
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
    /// Not started: the run stopped (journal write failed, vendor unreachable); a later run
    /// with the same journal does it.
    NotAttempted,
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
            LineStatus::NotAttempted => "not-attempted",
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
    /// This run's [`Outcome`], serialized once (the journal's `done` record holds the same text).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Box<RawValue>>,
    /// The resource as it was before this run retracted it ([`offerkit::Details::snapshot`]),
    /// what `offerkit restore` re-creates from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<Box<RawValue>>,
    /// Why the line is invalid, duplicate or not attempted, or a journal problem.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Why the run was made (`--reason`).
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "shared_str")]
    pub reason: Option<Arc<str>>,
    /// Who ran it (`--actor`, default the login name).
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "shared_str")]
    pub actor: Option<Arc<str>>,
    /// When the line finished (RFC 3339, UTC), on runs with audit fields.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    /// The human summary of the outcome (request id, job, error), for progress lines.
    #[serde(skip)]
    pub detail: Option<String>,
    /// Failure family, for exit codes (not serialized; `outcome.error.class` has it).
    #[serde(skip)]
    pub class: Option<ErrorClass>,
    /// The fallback the retraction took (`stop-renewal`), for its own summary row (the outcome
    /// JSON has it as `fallback`).
    #[serde(skip)]
    pub fallback: Option<&'static str>,
}

/// A shared audit text as a JSON string.
fn shared_str<S: serde::Serializer>(value: &Option<Arc<str>>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(value.as_deref().unwrap_or_default())
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
            snapshot: None,
            error: None,
            reason: None,
            actor: None,
            at: None,
            detail: None,
            class: None,
            fallback: None,
        }
    }

    fn for_target(line: usize, target: &Keyed, status: LineStatus) -> Self {
        LineResult {
            key: Some(target.key.clone()),
            vendor: Some(target.target.vendor()),
            ..LineResult::new(line, status)
        }
    }

    fn not_attempted(line: usize, target: &Keyed, why: String) -> Self {
        LineResult {
            error: Some(why),
            ..LineResult::for_target(line, target, LineStatus::NotAttempted)
        }
    }

    fn from_outcome(line: usize, target: &Keyed, outcome: &Outcome) -> Self {
        let status = match outcome.status() {
            Status::Retracted => LineStatus::Retracted,
            Status::AlreadyRetracted => LineStatus::AlreadyRetracted,
            _ => LineStatus::Failed,
        };
        let raw = serde_json::value::to_raw_value(outcome).ok();
        LineResult {
            outcome: raw,
            snapshot: outcome
                .details()
                .snapshot
                .as_ref()
                .and_then(|s| serde_json::value::to_raw_value(s).ok()),
            detail: Some(describe_outcome(outcome)).filter(|d| !d.is_empty()),
            class: outcome.error().map(Error::class),
            fallback: outcome.details().fallback.as_ref().map(|f| f.as_str()),
            ..LineResult::for_target(line, target, status)
        }
    }
}

/// ` [job j1 completed succeeded] (request r-1): message`
fn describe_outcome(outcome: &Outcome) -> String {
    let details = outcome.details();
    let mut text = String::new();
    if let Some(job) = &details.job {
        text.push_str(&format!(
            " [job {} {} {}]",
            job.id,
            job.status,
            job.result.as_deref().unwrap_or("")
        ));
    }
    if let Some(request) = &details.request_id {
        text.push_str(&format!(" (request {request})"));
    }
    if let Some(error) = outcome.error() {
        text.push_str(&format!(": {}", error.message()));
    }
    text
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
    /// Of the counts, those that took a fallback: (vendor, fallback, status) → count.
    pub fallbacks: HashMap<(Vendor, &'static str, LineStatus), usize>,
    /// Why the run stopped starting targets (a failed journal write, an input read error).
    pub stopped: Option<String>,
    /// Valid lines never reached because the run stopped.
    pub unreached: usize,
    /// Each bucket's rate and throttled requests at the end (adaptive pacing).
    pub buckets: Vec<BucketStats>,
}

impl Summary {
    fn add(&mut self, result: &LineResult) {
        match (result.vendor, result.status) {
            (_, LineStatus::Invalid) => self.invalid += 1,
            (_, LineStatus::Duplicate) => self.duplicates += 1,
            (Some(vendor), status) => *self.counts.entry((vendor, status)).or_default() += 1,
            (None, _) => {}
        }
        if let (Some(vendor), Some(fallback)) = (result.vendor, result.fallback) {
            *self
                .fallbacks
                .entry((vendor, fallback, result.status))
                .or_default() += 1;
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

/// What the engine tells its caller as it goes.
#[derive(Debug)]
pub enum Event<'a> {
    /// One line finished (in completion order).
    Result(&'a LineResult),
    /// Something to say once (a vendor found unreachable, the run stopping).
    Notice(&'a str),
    /// Buckets whose rate changed (adaptive pacing), with their figures.
    Pacing(&'a [BucketStats]),
}

/// A run's pacing: fixed slots per logical call, or a [`offerkit::pacing::Pacer`] per target
/// that the transport asks before every attempt. The batch engine and `offerkit plan`'s reads
/// use it alike.
pub enum Pacing {
    /// Fixed pacing: the rates stay as set.
    Fixed(RateLimiter),
    /// Adaptive pacing: each bucket follows the vendor's 429s.
    Adaptive(AdaptivePacing),
}

impl Pacing {
    /// The pacing `mode` starting from `limits`, never above `ceilings` (adaptive).
    pub fn new(mode: PacingMode, limits: &Limits, ceilings: &Limits) -> Self {
        match mode {
            PacingMode::Fixed => Pacing::Fixed(RateLimiter::new(limits.clone())),
            PacingMode::Adaptive => {
                Pacing::Adaptive(AdaptivePacing::new(limits.clone(), ceilings.clone()))
            }
        }
    }

    fn for_options(options: &Options) -> Self {
        Pacing::new(options.pacing, &options.limits, &options.ceilings)
    }

    /// Fixed pacing: waits for `bucket`'s next slot before a logical call. Adaptive pacing
    /// waits per attempt, inside the transport.
    pub async fn acquire(&self, bucket: &str) {
        if let Pacing::Fixed(limiter) = self {
            limiter.acquire(bucket).await;
        }
    }

    /// Runs one target's work, paced per attempt when adaptive.
    pub async fn run<T>(&self, bucket: &str, work: impl std::future::Future<Output = T>) -> T {
        match self {
            Pacing::Fixed(_) => work.await,
            Pacing::Adaptive(adaptive) => {
                offerkit::pacing::scope(adaptive.pacer(bucket), work).await
            }
        }
    }

    /// Every bucket's figures, or only those whose rate changed since the last ask.
    pub fn stats(&self, changed_only: bool) -> Vec<BucketStats> {
        match self {
            Pacing::Fixed(_) => Vec::new(),
            Pacing::Adaptive(adaptive) => adaptive.stats(changed_only),
        }
    }
}

/// A valid target and its [`Target::key`], computed once per line (the journal records, the
/// result line and the lookups all use it).
struct Keyed {
    target: Box<Target>,
    key: String,
}

/// One input line, classified.
enum Entry {
    Valid {
        line: usize,
        target: Keyed,
        slot: usize,
    },
    Invalid {
        line: usize,
        error: String,
    },
    Duplicate {
        line: usize,
        first_line: usize,
        key: String,
    },
    /// A different target whose key hash equals an earlier line's: never run in this batch (the
    /// journal state of the two could not be told apart).
    Collision {
        line: usize,
        target: Keyed,
        other_line: usize,
    },
}

/// The input's lines as classified entries, in order, parsed one at a time.
struct Entries<'a> {
    input: &'a Input,
    index: &'a KeyIndex,
    checkpoints: &'a Checkpoints,
    lines: super::input::Lines<std::io::BufReader<std::fs::File>>,
}

impl Iterator for Entries<'_> {
    type Item = Result<Entry, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let raw = match self.lines.next()? {
                Ok(raw) => raw,
                Err(e) => return Some(Err(e)),
            };
            let line = raw.number;
            let target = match self.input.parse(&raw) {
                Parsed::Skip => continue,
                Parsed::Invalid(error) => return Some(Ok(Entry::Invalid { line, error })),
                Parsed::Target(target) => target,
            };
            return Some(self.classify(line, target));
        }
    }
}

impl Entries<'_> {
    fn classify(&self, line: usize, target: Box<Target>) -> Result<Entry, Error> {
        let key = target.key();
        let place = self.index.place(&key, line).ok_or_else(|| {
            Error::new(
                ErrorKind::Input,
                format!(
                    "{}: line {line} changed after the batch started reading it",
                    self.input.name()
                ),
            )
        })?;
        Ok(match place {
            Place::First { slot, .. } => Entry::Valid {
                line,
                target: Keyed { target, key },
                slot,
            },
            Place::Later { first_line, .. } => {
                // The hashes are equal: compare the real keys (the earlier line read again).
                let earlier = self.input.reread(self.checkpoints, first_line)?;
                match self.input.parse(&earlier) {
                    Parsed::Target(first) if first.key() == key => Entry::Duplicate {
                        line,
                        first_line,
                        key,
                    },
                    _ => Entry::Collision {
                        line,
                        target: Keyed { target, key },
                        other_line: first_line,
                    },
                }
            }
        })
    }
}

/// Per-vendor count of consecutive calls that could not connect.
#[derive(Debug, Default)]
struct Breaker {
    consecutive: HashMap<Vendor, usize>,
    open: std::collections::HashSet<Vendor>,
}

impl Breaker {
    /// Notes one finished call; returns the notice to give if this opened the breaker.
    fn note(
        &mut self,
        vendor: Vendor,
        outcome_error: Option<&Error>,
        limit: usize,
    ) -> Option<String> {
        if self.open.contains(&vendor) {
            return None;
        }
        let count = self.consecutive.entry(vendor).or_default();
        match outcome_error {
            Some(error) if error.is_unreachable() => *count += 1,
            _ => *count = 0,
        }
        if *count < limit.max(1) {
            return None;
        }
        let why = format!(
            "{vendor} is unreachable: {count} calls in a row could not connect (last: {}); its \
             remaining targets are not attempted — fix the URL or network and run the same \
             command again to do them",
            outcome_error.map(Error::message).unwrap_or_default()
        );
        self.open.insert(vendor);
        Some(why)
    }
}

/// Runs the input against `client`. `journal` is `None` for dry runs and `--no-journal`.
pub async fn run(
    client: Arc<Client>,
    input: &Input,
    scan: &Scan,
    replay: &Replay,
    journal: Option<Journal>,
    options: &Options,
    mut on_event: impl FnMut(Event<'_>),
) -> Result<Summary, Error> {
    let mut summary = Summary::default();
    let pacing = Pacing::for_options(options);
    let breaker = Mutex::new(Breaker::default());
    let mut entries = Entries {
        input,
        index: &scan.index,
        checkpoints: &scan.checkpoints,
        lines: input.lines()?,
    };
    let mut input_error: Option<Error> = None;
    if let (Some(journal), Some(audit)) = (&journal, &options.audit) {
        journal.set_audit(audit.clone());
    }
    {
        let worker = Worker {
            client: &client,
            journal: journal.as_ref(),
            pacing: &pacing,
            context: &options.context,
            breaker: &breaker,
            replay,
            dry_run: options.dry_run,
            recheck: options.recheck,
        };
        let worker = &worker;
        let next_entries = std::iter::from_fn(|| {
            if input_error.is_some() || journal.as_ref().is_some_and(|j| j.failure().is_some()) {
                return None;
            }
            match entries.next()? {
                Ok(entry) => Some(entry),
                Err(error) => {
                    input_error = Some(error);
                    None
                }
            }
        });
        let mut running = futures::stream::iter(next_entries)
            .map(|entry| worker.process(entry))
            .buffer_unordered(options.concurrency.max(1));
        type Pending<'f> = Pin<Box<dyn std::future::Future<Output = LineResult> + 'f>>;
        let mut recording: FuturesUnordered<Pending<'_>> = FuturesUnordered::new();
        loop {
            tokio::select! {
                Some((result, durable, error)) = running.next() => {
                    if let (Some(vendor), LineStatus::Retracted | LineStatus::AlreadyRetracted | LineStatus::Failed) = (result.vendor, result.status) {
                        let opened = breaker
                            .lock()
                            .ok()
                            .and_then(|mut b| b.note(vendor, error.as_ref(), options.unreachable_after));
                        if let Some(notice) = opened {
                            on_event(Event::Notice(&notice));
                        }
                    }
                    match durable {
                        Some(durable) => recording.push(Box::pin(recorded(result, durable))),
                        None => finish(result, options.audit.as_ref(), &mut summary, &mut on_event),
                    }
                    let changed = pacing.stats(true);
                    if !changed.is_empty() {
                        on_event(Event::Pacing(&changed));
                    }
                }
                Some(result) = recording.next(), if !recording.is_empty() => {
                    finish(result, options.audit.as_ref(), &mut summary, &mut on_event)
                }
                else => break,
            }
        }
    }
    summary.buckets = pacing.stats(false);
    let stop = match (&input_error, journal.as_ref().and_then(Journal::failure)) {
        (_, Some(failure)) => Some(failure),
        (Some(error), None) => Some(error.clone()),
        (None, None) => None,
    };
    if let Some(stop) = stop {
        summary.unreached = entries
            .filter(|e| matches!(e, Ok(Entry::Valid { .. })))
            .count();
        let message = format!(
            "the run stopped: {}. {} target(s) were not started; run the same command again to \
             do them (nothing is repeated)",
            stop.message(),
            summary.unreached
        );
        on_event(Event::Notice(&message));
        summary.stopped = Some(message);
        *summary.failures.entry(stop.class()).or_default() += 1;
        if input_error.is_some() {
            return Err(stop);
        }
    }
    Ok(summary)
}

/// Counts one finished line and reports it, with the run's audit fields.
fn finish(
    mut result: LineResult,
    audit: Option<&Audit>,
    summary: &mut Summary,
    on_event: &mut impl FnMut(Event<'_>),
) {
    if let Some(audit) = audit {
        result.actor = Some(Arc::clone(&audit.actor));
        result.reason = audit.reason.clone();
        result.at = Some(super::journal::now());
    }
    summary.add(&result);
    on_event(Event::Result(&result));
}

/// Waits for a `done` record to be durable; a failure is noted on the result.
async fn recorded(mut result: LineResult, durable: Durable) -> LineResult {
    if let Err(error) = durable.wait().await {
        result.error = Some(format!(
            "the outcome was not recorded ({}); a later run reads it back",
            error.message()
        ));
        result.class.get_or_insert(ErrorClass::Transport);
    }
    result
}

struct Worker<'a> {
    client: &'a Client,
    journal: Option<&'a Journal>,
    pacing: &'a Pacing,
    context: &'a RetractContext,
    breaker: &'a Mutex<Breaker>,
    replay: &'a Replay,
    dry_run: bool,
    recheck: bool,
}

/// A finished line, the durability of its `done` record, and the error of its outcome.
type Processed = (LineResult, Option<Durable>, Option<Error>);

impl Worker<'_> {
    async fn process(&self, entry: Entry) -> Processed {
        match entry {
            Entry::Invalid { line, error } => (
                LineResult {
                    error: Some(format!("line {line}: {error}")),
                    class: Some(ErrorClass::User),
                    ..LineResult::new(line, LineStatus::Invalid)
                },
                None,
                None,
            ),
            Entry::Duplicate {
                line,
                first_line,
                key,
            } => (
                LineResult {
                    key: Some(key),
                    error: Some(format!(
                        "line {line}: same target as line {first_line}; not run twice"
                    )),
                    ..LineResult::new(line, LineStatus::Duplicate)
                },
                None,
                None,
            ),
            Entry::Collision {
                line,
                target,
                other_line,
            } => (
                LineResult {
                    error: Some(format!(
                        "line {line}: not run: its key's hash equals that of line {other_line}, a \
                         different target; run it in a separate batch"
                    )),
                    class: Some(ErrorClass::User),
                    ..LineResult::for_target(line, &target, LineStatus::Failed)
                },
                None,
                None,
            ),
            Entry::Valid { line, target, slot } => {
                let prior = self.replay.prior(slot);
                if self.dry_run {
                    return (plan(self.client, line, &target, prior.as_ref()), None, None);
                }
                self.target(line, &target, prior.as_ref()).await
            }
        }
    }

    /// Why `vendor`'s next target must not start, in a few words (the notice said the rest once).
    fn stopped(&self, vendor: Vendor) -> Option<String> {
        if self.journal.and_then(Journal::failure).is_some() {
            return Some("the journal could not be written".to_owned());
        }
        let breaker = self.breaker.lock().ok()?;
        breaker
            .open
            .contains(&vendor)
            .then(|| format!("{vendor} is unreachable"))
    }

    async fn target(&self, line: usize, keyed: &Keyed, prior: Option<&Prior>) -> Processed {
        let target = &*keyed.target;
        if let Some(Prior::Done) = prior {
            return (
                LineResult::for_target(line, keyed, LineStatus::SkippedDone),
                None,
                None,
            );
        }
        if let Some(why) = self.stopped(target.vendor()) {
            return (LineResult::not_attempted(line, keyed, why), None, None);
        }
        let bucket = target.rate_limit_key();
        self.pacing
            .run(&bucket, self.retract(line, keyed, &bucket, prior))
            .await
    }

    /// The calls of one target that is not done: resume its job, read it back, or retract it.
    async fn retract(
        &self,
        line: usize,
        keyed: &Keyed,
        bucket: &str,
        prior: Option<&Prior>,
    ) -> Processed {
        let target = &*keyed.target;
        let ctx = match self.journal {
            Some(journal) => self
                .context
                .clone()
                .with_job_recorder(journal.recorder(line)),
            None => self.context.clone(),
        };
        let (outcome, resumed) = match (prior, prior.and_then(Prior::job_to_resume)) {
            (_, Some(job)) => {
                self.pacing.acquire(bucket).await;
                (self.client.resume(target, job, &ctx).await, Some("job"))
            }
            (Some(_), None) => {
                self.pacing.acquire(bucket).await;
                match self.client.probe(target).await {
                    Ok(Probe::Gone(details)) => (
                        Outcome::AlreadyRetracted(details.with_note(
                            "found retracted on read-back after an interrupted or failed attempt",
                        )),
                        Some("read-back"),
                    ),
                    Ok(_) => match self.call(line, keyed, bucket, &ctx).await {
                        Ok(outcome) => (outcome, Some("read-back")),
                        Err(result) => return (*result, None, None),
                    },
                    Err(error) => (Outcome::failed(error), Some("read-back")),
                }
            }
            (None, None) => match self.call(line, keyed, bucket, &ctx).await {
                Ok(outcome) => (outcome, None),
                Err(result) => return (*result, None, None),
            },
        };
        let mut result = LineResult::from_outcome(line, keyed, &outcome);
        result.resumed = resumed;
        let durable = match (self.journal, &result.outcome) {
            (Some(journal), Some(raw)) => Some(journal.done(line, &keyed.key, raw)),
            _ => None,
        };
        let error = outcome.error().cloned();
        (result, durable, error)
    }

    /// `started` (durable) → vendor call. A failed `started` write means no call: the target is
    /// not attempted.
    async fn call(
        &self,
        line: usize,
        keyed: &Keyed,
        bucket: &str,
        ctx: &RetractContext,
    ) -> Result<Outcome, Box<LineResult>> {
        if let Some(journal) = self.journal
            && let Err(error) = journal.started(line, &keyed.key).await
        {
            let why = error.message().to_owned();
            return Err(Box::new(LineResult::not_attempted(line, keyed, why)));
        }
        let mut read = None;
        if self.recheck {
            self.pacing.acquire(bucket).await;
            let now = self.client.inspect(&keyed.target).await;
            if let Some(outcome) = rechecked(&now) {
                return Ok(outcome);
            }
            read = now.snapshot;
        }
        self.pacing.acquire(bucket).await;
        // The second look read the resource right before its retraction: that read is its
        // snapshot, so the vendor makes no read of its own for one (Adobe's pre-delete GET).
        let mut outcome = match &read {
            Some(_) if ctx.snapshots() => {
                let without_reads = ctx.clone().with_snapshots(false);
                self.client
                    .retract_with(&keyed.target, &without_reads)
                    .await
            }
            _ => self.client.retract_with(&keyed.target, ctx).await,
        };
        // The vendor's own snapshot (Appcharge's DELETE answer, the orders read) wins.
        if ctx.snapshots()
            && outcome.is_success()
            && outcome.details().snapshot.is_none()
            && let Some(snapshot) = read
        {
            outcome.details_mut().snapshot = Some(snapshot);
        }
        Ok(outcome)
    }
}

/// `offerkit apply`'s second look at a target planned `will-retract`: `None` when it still is (the
/// retraction goes ahead); otherwise the outcome it is reported with, nothing sent: already
/// retracted (`already-retracted`, noted as changed since the plan), blocked now (`failed`, kind
/// `rejected`, code `ChangedSincePlan`) or unreadable (`failed` with the read's error).
fn rechecked(now: &offerkit::Inspection) -> Option<Outcome> {
    let mut details = offerkit::Details::new();
    if let Some(snapshot) = now.snapshot.clone() {
        details = details.with_response(snapshot);
    }
    match now.verdict {
        Verdict::WillRetract => None,
        Verdict::AlreadyRetracted => Some(Outcome::AlreadyRetracted(details.with_note(format!(
            "changed since the plan: already retracted now ({}); nothing was sent",
            now.reason
        )))),
        Verdict::Blocked => Some(Outcome::Failed {
            error: Error::new(
                ErrorKind::Rejected,
                format!(
                    "changed since the plan: now blocked ({}); nothing was sent",
                    now.reason
                ),
            )
            .with_code("ChangedSincePlan"),
            details,
        }),
        _ => Some(Outcome::failed(now.error.clone().unwrap_or_else(|| {
            Error::new(ErrorKind::Transport, now.reason.clone())
        }))),
    }
}

/// Dry run: what would happen to one valid target.
fn plan(client: &Client, line: usize, target: &Keyed, prior: Option<&Prior>) -> LineResult {
    if let Err(error) = client.vendor(target.target.vendor()) {
        return LineResult::from_outcome(line, target, &Outcome::failed(error));
    }
    match prior {
        Some(Prior::Done) => LineResult::for_target(line, target, LineStatus::SkippedDone),
        Some(prior) if prior.job_to_resume().is_some() => {
            LineResult::for_target(line, target, LineStatus::WouldResumeJob)
        }
        Some(_) => LineResult::for_target(line, target, LineStatus::WouldCheckThenRetract),
        None => LineResult::for_target(line, target, LineStatus::WouldRetract),
    }
}

#[cfg(test)]
mod tests;
