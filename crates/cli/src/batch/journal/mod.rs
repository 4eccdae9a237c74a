//! The durable batch journal: append-only JSONL, every record fsync'd before the call it
//! announces goes on, bound to the environment it was written against, held under an exclusive
//! lock for the whole run.
//!
//! - `environment`: the header and the check that refuses another environment or input;
//! - `record`: the record lines;
//! - `replay`: reading it back into a compact per-key state;
//! - `writer`: the group-commit writer thread that stops at the first failed write.

mod environment;
mod record;
mod replay;
mod writer;

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use offerkit::{Error, ErrorKind, JobHandle, JobRecorder, Target, async_trait};
use serde_json::value::RawValue;

pub use environment::{
    Environment, EnvironmentLine, FORMAT, Recorded, check, describe, embedded_sandbox,
};
pub use record::{Record, State, now};
pub use replay::{Format, Prior, Replay};

use crate::batch::audit::Audit;
use crate::batch::input::same_inode;
use crate::batch::keys::KeyIndex;

/// The default journal of `input`: `FILE.journal` beside it, or `FILE.sandbox.journal` for
/// runs against a sandbox, so a rehearsal never shares a journal with a real run.
pub fn default_path(input: &Path, sandbox: bool) -> PathBuf {
    let mut name = input.as_os_str().to_owned();
    name.push(if sandbox {
        ".sandbox.journal"
    } else {
        ".journal"
    });
    PathBuf::from(name)
}

/// A journal file held under an exclusive advisory lock (released when the run ends, also when
/// the process is killed).
#[derive(Debug)]
pub struct Locked {
    path: PathBuf,
    file: File,
}

/// Takes the lock of the journal at `path`, creating the file. Another process holding it is an
/// error naming the journal: two runs of one journal would both act on every target.
///
/// After locking, the path must still name the locked file: a `--new-journal` run may have moved
/// it aside between our open and our lock, and locking the moved-aside file would let two runs
/// act at once. Then the new file at `path` is opened and locked instead.
pub fn lock(path: &Path) -> Result<Locked, Error> {
    for _ in 0..8 {
        let file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(|e| io_error("cannot open journal", path, &e))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(Error::new(
                    ErrorKind::Config,
                    format!(
                        "journal {} is in use by another offerkit run; nothing was sent. \
                         Wait for that run to end (or stop it) and run again",
                        path.display()
                    ),
                ));
            }
            Err(TryLockError::Error(e)) => return Err(io_error("cannot lock journal", path, &e)),
        }
        let locked = file.metadata();
        let named = std::fs::metadata(path);
        let still_named = match (&locked, &named) {
            (Ok(locked), Ok(named)) => cfg!(not(unix)) || same_inode(locked, named),
            _ => false,
        };
        if still_named {
            return Ok(Locked {
                path: path.to_owned(),
                file,
            });
        }
    }
    Err(Error::new(
        ErrorKind::Config,
        format!(
            "journal {} keeps being replaced while this run locks it; nothing was sent",
            path.display()
        ),
    ))
}

/// Moves the journal at `path` aside to `<path>.<UTC time>.old` (for `--new-journal`), after
/// making sure no run holds it; never over an earlier one (`….old`, `…-2.old`, ...). Returns
/// where it went, or `None` if there was none.
pub fn move_aside(path: &Path) -> Result<Option<PathBuf>, Error> {
    if !path.exists() {
        return Ok(None);
    }
    let held = lock(path)?;
    let stamp = time::OffsetDateTime::now_utc()
        .format(time::macros::format_description!(
            "[year][month][day]T[hour][minute][second]Z"
        ))
        .unwrap_or_default();
    for n in 1..1000 {
        let mut name = path.as_os_str().to_owned();
        match n {
            1 => name.push(format!(".{stamp}.old")),
            n => name.push(format!(".{stamp}-{n}.old")),
        }
        let aside = PathBuf::from(name);
        // A hard link never replaces an existing file (rename would): the first free name wins.
        match std::fs::hard_link(path, &aside) {
            Ok(()) => {
                std::fs::remove_file(path)
                    .map_err(|e| io_error("cannot move journal", path, &e))?;
                drop(held);
                return Ok(Some(aside));
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(io_error("cannot move journal", path, &e)),
        }
    }
    Err(Error::new(
        ErrorKind::Internal,
        format!(
            "cannot move journal {}: no free name beside it",
            path.display()
        ),
    ))
}

impl Locked {
    /// The file path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Replays the journal against the keys of `index`.
    pub fn replay(&self, index: &KeyIndex) -> Result<Replay, Error> {
        replay_file(&self.path, index)
    }

    /// Starts appending: cuts a torn last line (it was never durable), writes `first` (the header
    /// or an environment line) if given, and starts the writer thread.
    pub async fn start(self, first: Option<&EnvironmentLine>) -> Result<Journal, Error> {
        let Locked { path, mut file } = self;
        let io = |what: &str, e: &std::io::Error| io_error(what, &path, e);
        let len = whole_records_end(&mut file).map_err(|e| io("cannot read journal", &e))?;
        let current = file
            .metadata()
            .map_err(|e| io("cannot read journal", &e))?
            .len();
        if len != current {
            file.set_len(len)
                .and_then(|()| file.sync_data())
                .map_err(|e| io("cannot cut the torn end of journal", &e))?;
        }
        let failure = writer::Failure::default();
        let sender = writer::spawn(file, len, Arc::clone(&failure))
            .map_err(|e| io("cannot start the journal writer for", &e))?;
        let journal = Journal {
            inner: Arc::new(Inner {
                path,
                writer: sender,
                failure,
                audit: std::sync::OnceLock::new(),
            }),
        };
        if let Some(line) = first {
            let mut text = serde_json::to_string(line)
                .map_err(|e| Error::new(ErrorKind::Internal, format!("journal header: {e}")))?;
            text.push('\n');
            journal.append_line(text, true).wait().await?;
        }
        Ok(journal)
    }
}

/// Locks the journal at `path`, replays it against `index`, refuses it when it was written for
/// another input or environment ([`check`]), and starts it: a new (or 0.1-format) journal first
/// gets the line naming `input` and `environment`, a format-2 one a line naming only the vendors
/// it had not seen. The one way `batch`, `apply` and `restore` open a journal to write.
pub async fn open(
    path: &Path,
    index: &KeyIndex,
    input: &str,
    environment: &Environment,
) -> Result<(Replay, Journal), Error> {
    let locked = lock(path)?;
    let replay = locked.replay(index)?;
    let first = match replay.format {
        Format::New | Format::One => Some(EnvironmentLine {
            offerkit_journal: FORMAT,
            input: Some(input.to_owned()),
            environment: environment.clone(),
            at: now(),
        }),
        Format::Two => check(
            &path.display().to_string(),
            &replay.recorded,
            input,
            environment,
        )?
        .map(|environment| EnvironmentLine {
            offerkit_journal: FORMAT,
            input: None,
            environment,
            at: now(),
        }),
    };
    let journal = locked.start(first.as_ref()).await?;
    Ok((replay, journal))
}

/// Replays the journal at `path` without locking it (a dry run changes nothing); a missing file
/// is an empty journal.
pub fn replay_file(path: &Path, index: &KeyIndex) -> Result<Replay, Error> {
    match File::open(path) {
        Ok(file) => replay::replay(BufReader::with_capacity(256 * 1024, file), index)
            .map_err(|e| io_error("cannot read journal", path, &e)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Replay::new(index)),
        Err(e) => Err(io_error("cannot read journal", path, &e)),
    }
}

/// The length of the file up to and including its last `\n`.
fn whole_records_end(file: &mut File) -> std::io::Result<u64> {
    let mut end = file.metadata()?.len();
    let mut chunk = vec![0; 64 * 1024];
    while end > 0 {
        let start = end.saturating_sub(chunk.len() as u64);
        let part = &mut chunk[..(end - start) as usize];
        file.seek(SeekFrom::Start(start))?;
        file.read_exact(part)?;
        if let Some(i) = part.iter().rposition(|b| *b == b'\n') {
            return Ok(start + i as u64 + 1);
        }
        end = start;
    }
    Ok(0)
}

fn io_error(what: &str, path: &Path, e: &std::io::Error) -> Error {
    Error::new(
        ErrorKind::Internal,
        format!("{what} {}: {e}", path.display()),
    )
}

/// An open journal; cheap to clone, safe to share between tasks.
#[derive(Debug, Clone)]
pub struct Journal {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    path: PathBuf,
    /// The writer thread; it ends (and the file is closed) when the last clone is dropped.
    writer: writer::Writer,
    failure: writer::Failure,
    /// The run's `--actor`/`--reason`, written into `started` and `done` records once set.
    audit: std::sync::OnceLock<Audit>,
}

/// A line handed to the writer; [`Durable::wait`] says when it is on disk.
#[must_use = "a record is durable only once `wait` says so"]
pub struct Durable {
    path: PathBuf,
    answer: Result<tokio::sync::oneshot::Receiver<Result<(), String>>, ()>,
}

impl Durable {
    /// Waits until the line is on disk, or says why it is not.
    pub async fn wait(self) -> Result<(), Error> {
        let failed = |why: &str| {
            Error::new(
                ErrorKind::Internal,
                format!("cannot write journal {}: {why}", self.path.display()),
            )
        };
        let gone = "the journal writer stopped";
        match self.answer {
            Ok(receiver) => match receiver.await {
                Ok(Ok(())) => Ok(()),
                Ok(Err(why)) => Err(failed(&why)),
                Err(_) => Err(failed(gone)),
            },
            Err(()) => Err(failed(gone)),
        }
    }
}

impl Journal {
    /// The file path.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// The first failed write, once one happened: the run must start nothing more.
    pub fn failure(&self) -> Option<Error> {
        self.inner.failure.get().map(|why| {
            Error::new(
                ErrorKind::Internal,
                format!("cannot write journal {}: {why}", self.inner.path.display()),
            )
        })
    }

    fn append_line(&self, text: String, sync: bool) -> Durable {
        let (durable, answer) = tokio::sync::oneshot::channel();
        let sent = self.inner.writer.send(writer::Pending {
            text,
            durable,
            sync,
        });
        Durable {
            path: self.inner.path.clone(),
            answer: sent.map(|()| answer),
        }
    }

    /// Hands one record to the writer; a `done` record is written without waiting for its own
    /// sync (see the writer).
    pub fn append(&self, record: &Record<'_>) -> Durable {
        self.append_line(record.to_line(), record.state != State::Done)
    }

    /// Records `started` for `key` from input line `line` and waits until it is durable.
    pub async fn started(&self, line: usize, key: &str) -> Result<(), Error> {
        self.append(&Record {
            line,
            key,
            state: State::Started,
            job: None,
            outcome: None,
            actor: self.actor(),
            reason: self.reason(),
            at: now(),
        })
        .wait()
        .await
    }

    /// Sets the run's audit fields (the first call wins).
    pub fn set_audit(&self, audit: Audit) {
        let _ = self.inner.audit.set(audit);
    }

    fn actor(&self) -> Option<&str> {
        self.inner.audit.get().map(|a| &*a.actor)
    }

    fn reason(&self) -> Option<&str> {
        self.inner.audit.get().and_then(|a| a.reason.as_deref())
    }

    /// Hands `done` with the serialized `outcome` to the writer.
    pub fn done(&self, line: usize, key: &str, outcome: &RawValue) -> Durable {
        self.append(&Record {
            line,
            key,
            state: State::Done,
            job: None,
            outcome: Some(outcome),
            actor: self.actor(),
            reason: self.reason(),
            at: now(),
        })
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
        let key = target.key();
        self.journal
            .append(&Record {
                line: self.line,
                key: &key,
                state: State::JobSubmitted,
                job: Some(job),
                outcome: None,
                actor: None,
                reason: None,
                at: now(),
            })
            .wait()
            .await
    }
}

#[cfg(test)]
mod tests;
