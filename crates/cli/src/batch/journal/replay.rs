//! Reading a journal back, line by line, into what resume needs per key and no more: one byte of
//! state per input key, plus the job of the keys with one still open.
//!
//! Per key the replay keeps the last record's state and the last recorded job that no later
//! outcome saw end (`job.status` `completed`). That job wins over a read-back: a run that gave up
//! on it (poll deadline, polling error) or was killed while retrying resumes it rather than
//! submitting a second one.
//!
//! An unreadable line is named by its number. A torn last line (a write cut short by a kill or a
//! full disk) described a record that never became durable, so the call it announced was never
//! made. An unreadable line anywhere else is corruption: the key it described cannot be known, so
//! every target without a `done` record is read back before it is retracted. The same holds for a
//! format-1 journal, which names no environment: its records are not trusted, every target is
//! read back first.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::BufRead;

use offerkit::JobHandle;
use serde::Deserialize;

use super::environment::{EnvironmentLine, Recorded};
use super::record::State;
use crate::batch::keys::KeyIndex;

/// What an earlier run left for one key.
#[derive(Debug, Clone, PartialEq)]
pub enum Prior {
    /// Finished and the target is gone: skip it.
    Done,
    /// Finished as failed. With `job`, the failure came after that job was recorded and the job
    /// was not seen to end (the poll deadline passed, or polling itself failed): the job may still
    /// run vendor-side, so it is resumed, never resubmitted. Without: read back, then retract.
    Failed {
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
            Prior::JobSubmitted { job } | Prior::Failed { job: Some(job) } => Some(job),
            _ => None,
        }
    }
}

/// The last record's state for one key, in one byte.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Last {
    #[default]
    Nothing,
    Started,
    JobSubmitted,
    Succeeded,
    Failed,
}

/// Which journal format was read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Format {
    /// No journal, or an empty one.
    #[default]
    New,
    /// Written by offerkit 0.1: records without an environment line before them.
    One,
    /// The current format.
    Two,
}

/// The replayed journal.
#[derive(Debug, Default)]
pub struct Replay {
    /// The format found.
    pub format: Format,
    /// The input and environment it recorded.
    pub recorded: Recorded,
    last: Vec<Last>,
    open_jobs: HashMap<usize, JobHandle>,
    /// The success status of a `done` record other than a retraction's (a restore's `restored`
    /// or `exists`), by slot: only restore journals have any.
    done_statuses: HashMap<usize, Box<str>>,
    /// Unreadable lines before the last one (corruption), by number.
    pub corrupt_lines: Vec<usize>,
    /// The last line, if it was torn (never durable).
    pub torn_last_line: Option<usize>,
    /// Records whose key is not in this input.
    pub foreign_records: usize,
    /// Lines read.
    pub lines: usize,
    /// A format-1 journal continued in format 2: its first records are not trusted.
    pub continues_one: bool,
}

impl Replay {
    /// An empty replay for `index`.
    pub fn new(index: &KeyIndex) -> Self {
        Replay {
            last: vec![Last::Nothing; index.slots()],
            ..Replay::default()
        }
    }

    /// Whether targets without a record must be read back first: the journal has records
    /// whose keys cannot be known (corruption) or trusted (format 1).
    pub fn reads_back_unknown(&self) -> bool {
        self.format == Format::One || self.continues_one || !self.corrupt_lines.is_empty()
    }

    /// What the journal says of the key in `slot`.
    pub fn prior(&self, slot: usize) -> Option<Prior> {
        let open_job = || self.open_jobs.get(&slot).cloned();
        let last = self.last.get(slot).copied().unwrap_or_default();
        Some(match last {
            Last::Nothing if self.reads_back_unknown() => Prior::InFlight,
            Last::Nothing => return None,
            _ if self.format == Format::One => Prior::InFlight,
            // A later `started` (a retry) must not hide an earlier job: resume it instead of
            // submitting another.
            Last::Started | Last::JobSubmitted => match open_job() {
                Some(job) => Prior::JobSubmitted { job },
                None => Prior::InFlight,
            },
            Last::Succeeded => Prior::Done,
            Last::Failed => Prior::Failed { job: open_job() },
        })
    }

    /// The status of the last `done` record of the key in `slot`, when it was a restore's
    /// success (`restored`, `exists`); `None` for retractions.
    pub fn done_status(&self, slot: usize) -> Option<&str> {
        match self.last.get(slot) {
            Some(Last::Succeeded) => self.done_statuses.get(&slot).map(AsRef::as_ref),
            _ => None,
        }
    }

    fn apply(&mut self, slot: usize, record: RecordView<'_>) {
        let last = match record.state {
            State::Started => Last::Started,
            State::JobSubmitted => {
                if let Some(job) = record.job {
                    self.open_jobs.insert(slot, job);
                }
                Last::JobSubmitted
            }
            State::Done => {
                let outcome = record.outcome.unwrap_or_default();
                if let Some(ended) = outcome.ended_job()
                    && self
                        .open_jobs
                        .get(&slot)
                        .is_some_and(|o| o.id.as_str() == ended)
                {
                    self.open_jobs.remove(&slot);
                }
                if outcome.succeeded() {
                    match outcome.status.as_deref() {
                        Some(status @ ("restored" | "exists")) => {
                            self.done_statuses.insert(slot, status.into());
                        }
                        _ => {
                            self.done_statuses.remove(&slot);
                        }
                    }
                    Last::Succeeded
                } else {
                    Last::Failed
                }
            }
        };
        if let Some(entry) = self.last.get_mut(slot) {
            *entry = last;
        }
    }
}

/// The fields replay reads of a record; the rest of the outcome is skipped unparsed.
#[derive(Deserialize)]
struct RecordView<'a> {
    #[serde(borrow)]
    key: Cow<'a, str>,
    state: State,
    #[serde(default)]
    job: Option<JobHandle>,
    #[serde(default, borrow)]
    outcome: Option<OutcomeView<'a>>,
}

#[derive(Deserialize, Default)]
struct OutcomeView<'a> {
    #[serde(default, borrow)]
    status: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    job: Option<JobView<'a>>,
}

#[derive(Deserialize)]
struct JobView<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(default, borrow)]
    status: Option<Cow<'a, str>>,
}

impl OutcomeView<'_> {
    fn succeeded(&self) -> bool {
        // A retraction's successes, and a restore's (`offerkit restore` journals the same way).
        matches!(
            self.status.as_deref(),
            Some("retracted" | "already-retracted" | "restored" | "exists")
        )
    }

    /// The id of the job this outcome saw end (`job.status` is `completed`), if any.
    fn ended_job(&self) -> Option<&str> {
        let job = self.job.as_ref()?;
        job.status
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case("completed"))
            .then_some(job.id.as_ref())
    }
}

/// Replays a journal from `reader` against the keys of `index`.
pub fn replay(mut reader: impl BufRead, index: &KeyIndex) -> std::io::Result<Replay> {
    let mut replay = Replay::new(index);
    let mut raw = Vec::new();
    let mut number = 0;
    let mut last_unreadable = None;
    loop {
        raw.clear();
        if reader.read_until(b'\n', &mut raw)? == 0 {
            break;
        }
        number += 1;
        let ended = raw.last() == Some(&b'\n');
        let line = raw.trim_ascii();
        if line.is_empty() {
            continue;
        }
        if let Some(previous) = last_unreadable.take() {
            replay.corrupt_lines.push(previous);
        }
        if !read_line(&mut replay, line, index) {
            if ended {
                replay.corrupt_lines.push(number);
            } else {
                last_unreadable = Some(number);
            }
        }
    }
    replay.torn_last_line = last_unreadable;
    replay.lines = number;
    Ok(replay)
}

/// Applies one non-blank line; `false` if it cannot be read.
fn read_line(replay: &mut Replay, line: &[u8], index: &KeyIndex) -> bool {
    if EnvironmentLine::marks(line) {
        let Ok(environment) = serde_json::from_slice::<EnvironmentLine>(line) else {
            return false;
        };
        match replay.format {
            Format::New => replay.format = Format::Two,
            Format::One => {
                // The format-1 records before this line name no environment: forget what they
                // said (every target they may describe is read back), trust what follows.
                replay.format = Format::Two;
                replay.continues_one = true;
                replay
                    .last
                    .iter_mut()
                    .for_each(|last| *last = Last::Nothing);
                replay.open_jobs.clear();
            }
            Format::Two => {}
        }
        replay.recorded.add(environment);
        return true;
    }
    let Ok(record) = serde_json::from_slice::<RecordView<'_>>(line) else {
        return false;
    };
    if replay.format == Format::New {
        replay.format = Format::One;
    }
    match index.slot(&record.key) {
        Some(slot) => replay.apply(slot, record),
        None => replay.foreign_records += 1,
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use offerkit::JobId;

    const HEADER: &str = r#"{"offerkitJournal":2,"input":"i","environment":{},"at":"t"}"#;

    fn line(key: &str, state: &str, extra: &str) -> String {
        format!(r#"{{"line":1,"key":"{key}","state":"{state}"{extra},"at":"t"}}"#)
    }

    fn index(keys: &[&str]) -> KeyIndex {
        let mut index = KeyIndex::with_capacity(keys.len());
        for (i, key) in keys.iter().enumerate() {
            index.add(key, i + 1);
        }
        index.seal();
        index
    }

    fn prior(replay: &Replay, index: &KeyIndex, key: &str) -> Option<Prior> {
        replay.prior(index.slot(key).expect("key in index"))
    }

    #[test]
    fn replay_distinguishes_done_failed_inflight_and_jobs() {
        let text = [
            HEADER.to_owned(),
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
            line("not-in-input", "started", ""),
        ]
        .join("\n")
            + "\n"
            + r#"{"line":9,"key":"f","sta"#; // torn by kill -9
        let keys = index(&["a", "b", "c", "d", "e", "f", "g"]);
        let replay = replay(text.as_bytes(), &keys).expect("replay");
        assert_eq!(replay.format, Format::Two);
        assert_eq!(replay.torn_last_line, Some(13));
        assert!(replay.corrupt_lines.is_empty());
        assert!(!replay.reads_back_unknown());
        assert_eq!(replay.foreign_records, 1);
        assert_eq!(prior(&replay, &keys, "a"), Some(Prior::Done));
        assert_eq!(prior(&replay, &keys, "b"), Some(Prior::InFlight));
        let job = JobHandle::new(JobId::new("j1").expect("id"));
        assert_eq!(
            prior(&replay, &keys, "c"),
            Some(Prior::JobSubmitted { job })
        );
        assert_eq!(
            prior(&replay, &keys, "d"),
            Some(Prior::Failed { job: None })
        );
        assert!(matches!(
            prior(&replay, &keys, "e"),
            Some(Prior::JobSubmitted { .. })
        ));
        assert_eq!(
            prior(&replay, &keys, "f"),
            None,
            "a torn record was never durable"
        );
        assert_eq!(prior(&replay, &keys, "g"), None);
    }

    #[test]
    fn corrupt_middle_lines_are_named_and_make_unknown_targets_read_back() {
        let text = [
            HEADER.to_owned(),
            line("a", "started", ""),
            "{garbage".to_owned(),
            line("a", "done", r#","outcome":{"status":"retracted"}"#),
            "\u{0}\u{0}\u{0}".to_owned(),
            line("b", "started", ""),
        ]
        .join("\n")
            + "\n";
        let keys = index(&["a", "b", "c"]);
        let replay = replay(text.as_bytes(), &keys).expect("replay");
        assert_eq!(replay.corrupt_lines, [3, 5]);
        assert_eq!(replay.torn_last_line, None);
        assert_eq!(prior(&replay, &keys, "a"), Some(Prior::Done));
        assert_eq!(prior(&replay, &keys, "b"), Some(Prior::InFlight));
        assert_eq!(
            prior(&replay, &keys, "c"),
            Some(Prior::InFlight),
            "its record may be the lost one"
        );
    }

    #[test]
    fn a_format_one_journal_is_read_back_not_trusted() {
        let text = line("a", "done", r#","outcome":{"status":"retracted"}"#) + "\n";
        let keys = index(&["a", "b"]);
        let replay = replay(text.as_bytes(), &keys).expect("replay");
        assert_eq!(replay.format, Format::One);
        assert_eq!(prior(&replay, &keys, "a"), Some(Prior::InFlight));
        assert_eq!(prior(&replay, &keys, "b"), Some(Prior::InFlight));
    }

    #[test]
    fn a_format_one_journal_continued_in_format_two_trusts_only_the_new_records() {
        let text = [
            line("a", "done", r#","outcome":{"status":"retracted"}"#),
            line("b", "done", r#","outcome":{"status":"retracted"}"#),
            HEADER.to_owned(),
            line("a", "done", r#","outcome":{"status":"already-retracted"}"#),
        ]
        .join("\n");
        let keys = index(&["a", "b", "c"]);
        let replay = replay(text.as_bytes(), &keys).expect("replay");
        assert_eq!(replay.format, Format::Two, "the environment is checked");
        assert_eq!(prior(&replay, &keys, "a"), Some(Prior::Done));
        assert_eq!(prior(&replay, &keys, "b"), Some(Prior::InFlight));
        assert_eq!(prior(&replay, &keys, "c"), Some(Prior::InFlight));
    }

    #[test]
    fn a_failure_after_an_unfinished_job_resumes_that_job() {
        let text = [
            HEADER.to_owned(),
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
        let keys = index(&["g", "h", "i", "k", "l", "m"]);
        let replay = replay(text.as_bytes(), &keys).expect("replay");
        let job = |id: &str| JobHandle::new(JobId::new(id).expect("id"));
        let resumes =
            |key: &str| prior(&replay, &keys, key).and_then(|p| p.job_to_resume().cloned());
        assert_eq!(resumes("g"), Some(job("j3")));
        assert!(matches!(
            prior(&replay, &keys, "g"),
            Some(Prior::Failed { .. })
        ));
        assert_eq!(resumes("h"), None);
        assert_eq!(resumes("i"), None);
        assert_eq!(resumes("k"), None);
        assert_eq!(resumes("l"), Some(job("j7")));
        assert_eq!(resumes("m"), Some(job("j8")));
    }
}
