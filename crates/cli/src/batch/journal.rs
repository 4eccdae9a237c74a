//! The durable batch journal: append-only JSONL, every record fsync'd before the call
//! it describes goes on.
//!
//! Record: `{"line":N,"key":"vendor:action:ids","state":"started"|"job-submitted"|"done",
//! "job"?:{"id":…},"outcome"?:{…},"at":"RFC 3339"}`.
//!
//! Replay keeps, per key, the last record and the last recorded job that no later
//! outcome saw end (`job.status` `completed`). That job wins over a read-back: a run that
//! gave up on it (poll deadline, polling error) or was killed while retrying resumes it
//! rather than submitting a second one. A line that does not parse (a torn last line
//! after `kill -9`, or garbage) is ignored and counted.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use offerkit::{Error, ErrorKind, JobHandle, JobRecorder, Outcome, Target, async_trait};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The state a record declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    /// About to call the vendor (written before the call).
    Started,
    /// The vendor accepted an asynchronous job (written before polling).
    JobSubmitted,
    /// The call ended; `outcome` says how.
    Done,
}

/// One journal line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Input line number (informational; identity is `key`).
    pub line: usize,
    /// [`Target::key`].
    pub key: String,
    /// What happened.
    pub state: State,
    /// The job, for `job-submitted`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job: Option<JobHandle>,
    /// The serialized [`Outcome`], for `done`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Value>,
    /// When it was written (RFC 3339, UTC).
    pub at: String,
}

/// What an earlier run left for one key.
#[derive(Debug, Clone, PartialEq)]
pub enum Prior {
    /// Finished and the target is gone: skip it.
    Done {
        /// The recorded outcome.
        outcome: Value,
    },
    /// Finished as failed. With `job`, the failure came after that job was recorded and
    /// the job was not seen to fail (e.g. the poll deadline passed or polling itself
    /// failed): the job may still run vendor-side, so it is resumed, never resubmitted.
    /// Without `job`: read back first (the vendor may have acted), then retract.
    Failed {
        /// The recorded outcome.
        outcome: Value,
        /// The recorded job to resume, if it may still be running.
        job: Option<JobHandle>,
    },
    /// A job was accepted and never seen to the end: resume it.
    JobSubmitted {
        /// The job.
        job: JobHandle,
    },
    /// The call may or may not have reached the vendor: read back before acting.
    InFlight,
}

impl Prior {
    /// The job to resume instead of reading back and retracting, if any.
    pub fn job_to_resume(&self) -> Option<&JobHandle> {
        match self {
            Prior::JobSubmitted { job } | Prior::Failed { job: Some(job), .. } => Some(job),
            _ => None,
        }
    }
}

/// The replayed journal.
#[derive(Debug, Default)]
pub struct Replay {
    /// Last state per key.
    pub priors: HashMap<String, Prior>,
    /// Lines that did not parse (torn last line, corruption).
    pub ignored_lines: usize,
}

/// Reads a journal; a missing file is an empty journal.
pub fn replay(path: &Path) -> Result<Replay, Error> {
    let text = match std::fs::read(path) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Replay::default()),
        Err(e) => {
            return Err(Error::new(
                ErrorKind::Input,
                format!("cannot read journal {}: {e}", path.display()),
            ));
        }
    };
    Ok(replay_text(&text))
}

/// Per-key replay state: the last record, and the last job recorded unless a later
/// outcome showed that job ended (completed, whatever its result).
#[derive(Default)]
struct KeyState {
    last: Option<Record>,
    open_job: Option<JobHandle>,
}

impl KeyState {
    fn apply(&mut self, record: Record) {
        match record.state {
            State::JobSubmitted => self.open_job = record.job.clone().or(self.open_job.take()),
            State::Done => {
                let ended = record.outcome.as_ref().and_then(ended_job);
                if let (Some(open), Some(ended)) = (&self.open_job, ended)
                    && open.id.as_str() == ended
                {
                    self.open_job = None;
                }
            }
            State::Started => {}
        }
        self.last = Some(record);
    }

    fn prior(self) -> Option<Prior> {
        let record = self.last?;
        Some(match record.state {
            State::Started => match self.open_job {
                // A later `started` (a retry) must not hide an earlier job: resume it
                // instead of submitting another.
                Some(job) => Prior::JobSubmitted { job },
                None => Prior::InFlight,
            },
            State::JobSubmitted => match record.job.or(self.open_job) {
                Some(job) => Prior::JobSubmitted { job },
                None => Prior::InFlight,
            },
            State::Done => {
                let outcome = record.outcome.unwrap_or(Value::Null);
                let succeeded = matches!(
                    outcome.get("status").and_then(Value::as_str),
                    Some("retracted" | "already-retracted")
                );
                if succeeded {
                    Prior::Done { outcome }
                } else {
                    Prior::Failed {
                        outcome,
                        job: self.open_job,
                    }
                }
            }
        })
    }
}

/// The id of the job an outcome saw end (`job.status` is `completed`), if any.
fn ended_job(outcome: &Value) -> Option<&str> {
    let job = outcome.get("job")?;
    let status = job.get("status").and_then(Value::as_str)?;
    if status.eq_ignore_ascii_case("completed") {
        job.get("id").and_then(Value::as_str)
    } else {
        None
    }
}

/// Replays journal text (see [`replay`]).
pub fn replay_text(text: &str) -> Replay {
    let mut ignored_lines = 0;
    let mut keys: HashMap<String, KeyState> = HashMap::new();
    for raw in text.split('\n') {
        if raw.trim().is_empty() {
            continue;
        }
        let Ok(record) = serde_json::from_str::<Record>(raw) else {
            ignored_lines += 1;
            continue;
        };
        keys.entry(record.key.clone()).or_default().apply(record);
    }
    let priors = keys
        .into_iter()
        .filter_map(|(key, state)| state.prior().map(|prior| (key, prior)))
        .collect();
    Replay {
        priors,
        ignored_lines,
    }
}

/// An open journal; cheap to clone, safe to share between tasks.
///
/// Appends go through one writer thread that commits in groups: it takes every record
/// waiting at that moment, writes them in one `write`, calls `sync_data` once, and only
/// then lets each caller go on. Every record is still on disk before the call it
/// announces is made (the resume guarantee), but 64 concurrent targets share one fsync
/// instead of queueing for 64: an fsync per record made a 10,000-target batch twice as
/// slow as the HTTP calls themselves (`cargo xtask bench`, figure 2).
#[derive(Debug, Clone)]
pub struct Journal {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    path: PathBuf,
    /// Lines for the writer thread; it exits when the last `Journal` clone is dropped.
    writer: std::sync::mpsc::Sender<PendingLine>,
}

/// One serialized record and who to tell once it is durable.
struct PendingLine {
    text: String,
    durable: tokio::sync::oneshot::Sender<Result<(), String>>,
}

impl Journal {
    /// Opens `path` for appending (creating it). A torn last line from a killed run is
    /// terminated first so the next record starts on its own line.
    pub fn open(path: &Path) -> Result<Journal, Error> {
        let io_err = |e: std::io::Error| {
            Error::new(
                ErrorKind::Internal,
                format!("cannot open journal {}: {e}", path.display()),
            )
        };
        let needs_newline = match std::fs::read(path) {
            Ok(bytes) => bytes.last().is_some_and(|b| *b != b'\n'),
            Err(_) => false,
        };
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(io_err)?;
        if needs_newline {
            file.write_all(b"\n").map_err(io_err)?;
            file.sync_data().map_err(io_err)?;
        }
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("offerkit-journal".to_owned())
            .spawn(move || group_commit(file, &receiver))
            .map_err(io_err)?;
        Ok(Journal {
            inner: Arc::new(Inner {
                path: path.to_owned(),
                writer: sender,
            }),
        })
    }

    /// The file path.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Appends one record and waits until it is on disk (`sync_data`).
    pub async fn append(&self, record: Record) -> Result<(), Error> {
        let mut text = serde_json::to_string(&record)
            .map_err(|e| Error::new(ErrorKind::Internal, format!("journal record: {e}")))?;
        text.push('\n');
        let (durable, on_disk) = tokio::sync::oneshot::channel();
        let writer_gone = || {
            Error::new(
                ErrorKind::Internal,
                "the journal writer stopped; nothing more is recorded",
            )
        };
        self.inner
            .writer
            .send(PendingLine { text, durable })
            .map_err(|_| writer_gone())?;
        on_disk.await.map_err(|_| writer_gone())?.map_err(|e| {
            Error::new(
                ErrorKind::Internal,
                format!("cannot write journal {}: {e}", self.inner.path.display()),
            )
        })
    }

    /// Records `started` for `target` from input line `line`.
    pub async fn started(&self, line: usize, target: &Target) -> Result<(), Error> {
        self.append(record(line, target.key(), State::Started))
            .await
    }

    /// Records `done` with `outcome`.
    pub async fn done(&self, line: usize, target: &Target, outcome: &Outcome) -> Result<(), Error> {
        let mut rec = record(line, target.key(), State::Done);
        rec.outcome = Some(serde_json::to_value(outcome).unwrap_or(Value::Null));
        self.append(rec).await
    }

    /// A [`JobRecorder`] writing `job-submitted` records tagged with `line`.
    pub fn recorder(&self, line: usize) -> Arc<dyn JobRecorder> {
        Arc::new(LineRecorder {
            journal: self.clone(),
            line,
        })
    }
}

struct LineRecorder {
    journal: Journal,
    line: usize,
}

#[async_trait]
impl JobRecorder for LineRecorder {
    async fn record_job(&self, target: &Target, job: &JobHandle) -> Result<(), Error> {
        let mut rec = record(self.line, target.key(), State::JobSubmitted);
        rec.job = Some(job.clone());
        self.journal.append(rec).await
    }
}

fn record(line: usize, key: String, state: State) -> Record {
    Record {
        line,
        key,
        state,
        job: None,
        outcome: None,
        at: now(),
    }
}

/// The current time as RFC 3339 UTC.
pub fn now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// The default journal path: the input path plus `.journal`.
pub fn default_path(input: &Path) -> PathBuf {
    let mut name = input.as_os_str().to_owned();
    name.push(".journal");
    PathBuf::from(name)
}

/// The writer thread: waits for a line, takes every other line already waiting, writes
/// them together, syncs once, then answers each. A failed write or sync fails the whole
/// group (none of its callers may assume its record is durable).
fn group_commit(mut file: File, lines: &std::sync::mpsc::Receiver<PendingLine>) {
    while let Ok(first) = lines.recv() {
        let mut group = vec![first];
        group.extend(lines.try_iter());
        let mut buffer = String::with_capacity(group.iter().map(|l| l.text.len()).sum());
        for line in &group {
            buffer.push_str(&line.text);
        }
        let result = file
            .write_all(buffer.as_bytes())
            .and_then(|()| file.sync_data())
            .map_err(|e| e.to_string());
        for line in group {
            // A caller that stopped waiting (its task was cancelled) needs no answer.
            let _ = line.durable.send(result.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use offerkit::JobId;

    fn line(key: &str, state: &str, extra: &str) -> String {
        format!(r#"{{"line":1,"key":"{key}","state":"{state}"{extra},"at":"t"}}"#)
    }

    #[test]
    fn replay_distinguishes_done_failed_inflight_and_jobs() {
        let text = [
            line("a", "started", ""),
            line("a", "done", r#","outcome":{"status":"retracted"}"#),
            line("b", "started", ""),
            line("c", "started", ""),
            line("c", "job-submitted", r#","job":{"id":"j1"}"#),
            line("d", "started", ""),
            line("d", "done", r#","outcome":{"status":"failed"}"#),
            line("e", "started", ""),
            line("e", "job-submitted", r#","job":{"id":"j2"}"#),
            line("e", "started", ""),
        ]
        .join("\n")
            + "\n"
            + r#"{"line":9,"key":"f","sta"#; // torn by kill -9
        let replay = replay_text(&text);
        assert_eq!(replay.ignored_lines, 1);
        assert!(matches!(replay.priors["a"], Prior::Done { .. }));
        assert_eq!(replay.priors["b"], Prior::InFlight);
        let job = JobHandle::new(JobId::new("j1").expect("id"));
        assert_eq!(replay.priors["c"], Prior::JobSubmitted { job });
        assert!(matches!(replay.priors["d"], Prior::Failed { .. }));
        assert!(matches!(replay.priors["e"], Prior::JobSubmitted { .. }));
        assert!(!replay.priors.contains_key("f"));
    }

    #[test]
    fn a_failure_after_an_unfinished_job_resumes_that_job() {
        let text = [
            // Deadline passed while the job was still running: resume it.
            line("g", "started", ""),
            line("g", "job-submitted", r#","job":{"id":"j3"}"#),
            line(
                "g",
                "done",
                r#","outcome":{"status":"failed","job":{"id":"j3","status":"running"}}"#,
            ),
            // The job ended as failed: read back, then retract.
            line("h", "started", ""),
            line("h", "job-submitted", r#","job":{"id":"j4"}"#),
            line(
                "h",
                "done",
                r#","outcome":{"status":"failed","job":{"id":"j4","status":"completed","result":"failed"}}"#,
            ),
            // Resumed later and then seen to fail: read back, then retract.
            line("i", "job-submitted", r#","job":{"id":"j5"}"#),
            line(
                "i",
                "done",
                r#","outcome":{"status":"failed","job":{"id":"j5","status":"running"}}"#,
            ),
            line(
                "i",
                "done",
                r#","outcome":{"status":"failed","job":{"id":"j5","status":"Completed","result":"failed"}}"#,
            ),
            // A terminal job, then a new attempt that failed before any job: read back.
            line("k", "job-submitted", r#","job":{"id":"j6"}"#),
            line(
                "k",
                "done",
                r#","outcome":{"status":"failed","job":{"id":"j6","status":"completed","result":"failed"}}"#,
            ),
            line("k", "started", ""),
            line("k", "done", r#","outcome":{"status":"failed"}"#),
            // Polling itself failed (no job state in the outcome): resume.
            line("l", "job-submitted", r#","job":{"id":"j7"}"#),
            line("l", "done", r#","outcome":{"status":"failed"}"#),
            // Another job's end does not close this one.
            line("m", "job-submitted", r#","job":{"id":"j8"}"#),
            line(
                "m",
                "done",
                r#","outcome":{"status":"failed","job":{"id":"other","status":"completed"}}"#,
            ),
        ]
        .join("\n");
        let replay = replay_text(&text);
        let job = |id: &str| JobHandle::new(JobId::new(id).expect("id"));
        let resumes = |key: &str| replay.priors[key].job_to_resume().cloned();
        assert_eq!(resumes("g"), Some(job("j3")));
        assert!(matches!(replay.priors["g"], Prior::Failed { .. }));
        assert_eq!(resumes("h"), None);
        assert_eq!(resumes("i"), None);
        assert_eq!(resumes("k"), None);
        assert_eq!(resumes("l"), Some(job("j7")));
        assert_eq!(resumes("m"), Some(job("j8")));
    }

    #[tokio::test]
    async fn appends_survive_reopen_after_a_torn_line() {
        let dir = crate::testutil::TempDir::new("journal");
        let path = dir.path().join("in.jsonl.journal");
        std::fs::write(&path, r#"{"line":1,"key":"x","state":"star"#).expect("write");
        let journal = Journal::open(&path).expect("open");
        let target =
            Target::from_json(r#"{"vendor":"appcharge","action":"delete","publisherOfferId":"p"}"#)
                .expect("target");
        journal.started(1, &target).await.expect("append");
        let replay = replay(&path).expect("replay");
        assert_eq!(replay.ignored_lines, 1);
        assert_eq!(replay.priors["appcharge:delete:p"], Prior::InFlight);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_appends_are_each_durable_whole_lines() {
        let dir = crate::testutil::TempDir::new("journal-group");
        let path = dir.path().join("in.jsonl.journal");
        let journal = Journal::open(&path).expect("open");
        let writers = (0..200).map(|i| {
            let journal = journal.clone();
            tokio::spawn(async move {
                let target = Target::from_json(&format!(
                    r#"{{"vendor":"appcharge","action":"delete","publisherOfferId":"p{i}"}}"#
                ))
                .expect("target");
                journal.started(i, &target).await.expect("append");
                // Once `started` returned, the record must already be in the file.
                let text = std::fs::read_to_string(journal.path()).expect("read");
                assert!(text.contains(&format!("\"appcharge:delete:p{i}\"")));
            })
        });
        for writer in writers.collect::<Vec<_>>() {
            writer.await.expect("writer task");
        }
        let replay = replay(&path).expect("replay");
        assert_eq!(replay.ignored_lines, 0, "no torn or interleaved lines");
        assert_eq!(replay.priors.len(), 200);
        assert!(replay.priors.values().all(|p| *p == Prior::InFlight));
    }

    #[test]
    fn default_path_sits_next_to_the_input() {
        assert_eq!(
            default_path(Path::new("/tmp/x/targets.jsonl")),
            PathBuf::from("/tmp/x/targets.jsonl.journal")
        );
    }
}
