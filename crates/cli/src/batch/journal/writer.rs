//! The journal's one writer thread: group commits, and a stop on the first failed write.
//!
//! It takes every line waiting at that moment, writes them in one `write`, calls `sync_data` once,
//! and only then tells each caller its line is durable: 64 concurrent targets share one fsync
//! instead of queueing for 64 (an fsync per record made a 10,000-target batch twice as slow as
//! its HTTP calls, `cargo xtask bench` figure 2).
//!
//! A failed write or sync fails its whole group, cuts the file back to the end of the last whole
//! record (so a half-written line never sits before a later one), and fails every later line
//! without writing it: the run stops on the first record that could not be made durable
//! (a full disk must not turn into a failure per remaining target).

use std::fs::File;
use std::io::Write;
use std::sync::mpsc::{Receiver, Sender};
use std::sync::{Arc, OnceLock};

/// Where the writer puts lines: a file, or a failing double in tests.
pub trait Sink: Send + 'static {
    /// Appends `bytes` at the end.
    fn append(&mut self, bytes: &[u8]) -> std::io::Result<()>;
    /// Makes everything appended so far durable.
    fn sync(&mut self) -> std::io::Result<()>;
    /// Cuts the sink back to `len` bytes.
    fn truncate(&mut self, len: u64) -> std::io::Result<()>;
}

impl Sink for File {
    fn append(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.write_all(bytes)
    }

    fn sync(&mut self) -> std::io::Result<()> {
        self.sync_data()
    }

    fn truncate(&mut self, len: u64) -> std::io::Result<()> {
        // The file is opened for appending: the next write goes to the new end.
        self.set_len(len)
    }
}

/// One line and who to tell once it is durable.
pub struct Pending {
    /// The serialized line, `\n` included.
    pub text: String,
    /// Answered once the line is durable (or, without `sync`, written), or with why not.
    pub durable: tokio::sync::oneshot::Sender<Result<(), String>>,
    /// Whether the line must be on disk before its caller goes on (`started`, `job-submitted`,
    /// the header). A `done` line need not: losing it costs one read-back, and the next synced
    /// group (or the writer's end) makes it durable with the rest.
    pub sync: bool,
}

/// The first write failure, shared by the writer and every journal handle.
pub type Failure = Arc<OnceLock<String>>;

/// The writer thread: lines go in through [`Writer::send`]; dropping the writer waits until
/// every line sent is written and the sink closed (for a file: its lock released), so a journal
/// dropped by one run can be opened by the next at once.
#[derive(Debug)]
pub struct Writer {
    sender: Option<Sender<Pending>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Writer {
    /// Hands a line to the thread; `Err` if it stopped.
    pub fn send(&self, line: Pending) -> Result<(), ()> {
        match &self.sender {
            Some(sender) => sender.send(line).map_err(|_| ()),
            None => Err(()),
        }
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        drop(self.sender.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Starts the writer thread over `sink`, whose whole records end at `len` bytes.
pub fn spawn(sink: impl Sink, len: u64, failure: Failure) -> std::io::Result<Writer> {
    let (sender, receiver) = std::sync::mpsc::channel();
    let thread = std::thread::Builder::new()
        .name("offerkit-journal".to_owned())
        .spawn(move || group_commit(sink, len, &receiver, &failure))?;
    Ok(Writer {
        sender: Some(sender),
        thread: Some(thread),
    })
}

fn group_commit(mut sink: impl Sink, mut len: u64, lines: &Receiver<Pending>, failure: &Failure) {
    let mut buffer = Vec::new();
    while let Ok(first) = lines.recv() {
        let mut group = vec![first];
        group.extend(lines.try_iter());
        if let Some(error) = failure.get() {
            answer(group, &Err(error.clone()));
            continue;
        }
        buffer.clear();
        for line in &group {
            buffer.extend_from_slice(line.text.as_bytes());
        }
        // A group of `done` lines only is written without its own sync (figure 5: half the
        // fsyncs of a run); the next group that needs one, or the writer's end, syncs them too.
        let needs_sync = group.iter().any(|line| line.sync);
        let result = sink
            .append(&buffer)
            .and_then(|()| if needs_sync { sink.sync() } else { Ok(()) });
        match result {
            Ok(()) => {
                len += buffer.len() as u64;
                answer(group, &Ok(()));
            }
            Err(error) => {
                let mut message = error.to_string();
                // Keep going to answer every caller; the file is cut to its last whole record.
                if let Err(cut) = sink.truncate(len).and_then(|()| sink.sync()) {
                    message.push_str(&format!(
                        "; cutting the journal back to its last whole record also failed ({cut})"
                    ));
                }
                let message = failure.get_or_init(|| message).clone();
                answer(group, &Err(message));
            }
        }
    }
    finish(&mut sink, failure);
}

/// Makes every written line durable when the writer ends (the last `done` records).
fn finish(sink: &mut impl Sink, failure: &Failure) {
    if failure.get().is_none() {
        let _ = sink.sync();
    }
}

fn answer(group: Vec<Pending>, result: &Result<(), String>) {
    for line in group {
        // A caller that stopped waiting (its task was cancelled) needs no answer.
        let _ = line.durable.send(result.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// A sink that holds bytes in memory and fails every append once `budget` bytes are used,
    /// after writing what fits (a full disk).
    struct Filling {
        bytes: Arc<Mutex<Vec<u8>>>,
        budget: Arc<Mutex<usize>>,
    }

    impl Sink for Filling {
        fn append(&mut self, bytes: &[u8]) -> std::io::Result<()> {
            let mut budget = self.budget.lock().expect("lock");
            let fits = bytes.len().min(*budget);
            self.bytes
                .lock()
                .expect("lock")
                .extend_from_slice(&bytes[..fits]);
            *budget -= fits;
            if fits < bytes.len() {
                return Err(std::io::Error::from_raw_os_error(28)); // ENOSPC
            }
            Ok(())
        }
        fn sync(&mut self) -> std::io::Result<()> {
            Ok(())
        }
        fn truncate(&mut self, len: u64) -> std::io::Result<()> {
            self.bytes.lock().expect("lock").truncate(len as usize);
            Ok(())
        }
    }

    async fn send(sender: &Writer, text: &str) -> Result<(), String> {
        let (durable, done) = tokio::sync::oneshot::channel();
        sender
            .send(Pending {
                text: format!("{text}\n"),
                durable,
                sync: true,
            })
            .expect("writer alive");
        done.await.expect("answered")
    }

    #[tokio::test]
    async fn a_failed_partial_write_is_cut_back_and_stops_every_later_line() {
        let bytes = Arc::new(Mutex::new(Vec::new()));
        let budget = Arc::new(Mutex::new(10));
        let sink = Filling {
            bytes: Arc::clone(&bytes),
            budget: Arc::clone(&budget),
        };
        let failure = Failure::default();
        let sender = spawn(sink, 0, Arc::clone(&failure)).expect("spawn");
        send(&sender, "first").await.expect("fits");
        let error = send(&sender, "second line").await.expect_err("disk full");
        assert!(error.contains("os error 28"), "{error}");
        assert_eq!(
            *bytes.lock().expect("lock"),
            b"first\n",
            "the torn part is cut"
        );
        // Space comes back: nothing more is written in this run.
        *budget.lock().expect("lock") = 1000;
        assert_eq!(send(&sender, "third").await, Err(error.clone()));
        assert_eq!(*bytes.lock().expect("lock"), b"first\n");
        assert_eq!(failure.get(), Some(&error));
    }
}
