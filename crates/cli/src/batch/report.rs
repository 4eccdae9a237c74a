//! Batch output: progress (bar on a terminal, plain lines otherwise), results JSONL and
//! the summary table.

use std::io::Write;

use indicatif::{ProgressBar, ProgressStyle};
use offerkit::Vendor;

use super::adaptive::BucketStats;
use super::engine::{LineResult, LineStatus, Summary};

/// How progress is shown on stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressMode {
    /// An indicatif bar (stderr is a terminal).
    Bar,
    /// One plain line per finished target.
    Lines,
    /// Nothing.
    Quiet,
}

impl ProgressMode {
    /// `Bar` if stderr is a terminal, else `Lines`.
    pub fn detect() -> Self {
        use std::io::IsTerminal;
        if std::io::stderr().is_terminal() {
            ProgressMode::Bar
        } else {
            ProgressMode::Lines
        }
    }
}

/// Progress display for `total` lines.
pub struct Progress {
    mode: ProgressMode,
    bar: Option<ProgressBar>,
    done: usize,
    total: usize,
    /// Plain lines go to stderr through a writer thread that batches what arrives within
    /// [`StderrBatcher::WAIT`] into one `write`.
    ///
    /// Kept because `cargo xtask bench` (figure 5) shows it pays: one `write` per line was 18 %
    /// of a 100k-target resume's CPU.
    lines: Option<StderrBatcher>,
}

/// A thread that writes lines to stderr in batches: a line waits at most [`StderrBatcher::WAIT`].
/// Dropping it writes what is left and ends the thread. A closed stderr is ignored.
struct StderrBatcher {
    sender: Option<std::sync::mpsc::Sender<String>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl StderrBatcher {
    /// The longest a line waits for others to share its write.
    const WAIT: std::time::Duration = std::time::Duration::from_millis(100);

    fn start() -> Option<Self> {
        let (sender, receiver) = std::sync::mpsc::channel::<String>();
        let thread = std::thread::Builder::new()
            .name("offerkit-progress".to_owned())
            .spawn(move || {
                let mut batch = String::new();
                while let Ok(first) = receiver.recv() {
                    batch.push_str(&first);
                    let deadline = std::time::Instant::now() + Self::WAIT;
                    while batch.len() < 64 * 1024 {
                        let left = deadline.saturating_duration_since(std::time::Instant::now());
                        match receiver.recv_timeout(left) {
                            Ok(line) => batch.push_str(&line),
                            Err(_) => break,
                        }
                    }
                    let _ = std::io::stderr().lock().write_all(batch.as_bytes());
                    batch.clear();
                }
            })
            .ok()?;
        Some(StderrBatcher {
            sender: Some(sender),
            thread: Some(thread),
        })
    }

    fn line(&self, text: String) {
        if let Some(sender) = &self.sender {
            // The thread only ends when this is dropped.
            let _ = sender.send(text);
        }
    }
}

impl Drop for StderrBatcher {
    fn drop(&mut self) {
        drop(self.sender.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Progress {
    /// Starts showing progress.
    pub fn new(total: usize, mode: ProgressMode) -> Self {
        let bar = (mode == ProgressMode::Bar).then(|| {
            let bar = ProgressBar::new(total as u64);
            let style = ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} {prefix} {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar());
            bar.set_style(style);
            bar
        });
        Progress {
            mode,
            bar,
            done: 0,
            total,
            lines: (mode == ProgressMode::Lines)
                .then(StderrBatcher::start)
                .flatten(),
        }
    }

    /// One plain line, batched when possible, written at once otherwise.
    fn line(&self, text: String) {
        match &self.lines {
            Some(lines) => lines.line(text),
            None => {
                let _ = std::io::stderr().lock().write_all(text.as_bytes());
            }
        }
    }

    /// Reports one finished line.
    pub fn finished(&mut self, result: &LineResult) {
        self.done += 1;
        let text = describe(result);
        match (&self.bar, self.mode) {
            (Some(bar), _) => {
                bar.inc(1);
                if matches!(
                    result.status,
                    LineStatus::Failed | LineStatus::Invalid | LineStatus::Duplicate
                ) {
                    bar.println(text);
                } else {
                    bar.set_message(text);
                }
            }
            (None, ProgressMode::Lines) => {
                self.line(format!("[{}/{}] {text}\n", self.done, self.total));
            }
            _ => {}
        }
    }

    /// Buckets whose rate changed: the bar's message (with the last result) or one plain line,
    /// `offerkit: pacing: appcharge 540/min (16 throttled)`.
    pub fn pacing(&mut self, buckets: &[BucketStats]) {
        let text = format!("pacing: {}", pacing_line(buckets));
        match &self.bar {
            Some(bar) => bar.set_prefix(text),
            None if self.mode == ProgressMode::Quiet => {}
            None => self.line(format!("offerkit: {text}\n")),
        }
    }

    /// Says something once, above the bar or as its own line.
    pub fn notice(&mut self, text: &str) {
        match &self.bar {
            Some(bar) => bar.println(format!("offerkit: {text}")),
            None if self.mode == ProgressMode::Quiet => {}
            None => self.line(format!("offerkit: {text}\n")),
        }
    }

    /// Writes what is buffered and removes the bar.
    pub fn finish(self) {
        drop(self.lines);
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}

/// One human line for a result: `line 3 appcharge:delete:p1 retracted (request r-1)`.
pub fn describe(result: &LineResult) -> String {
    let mut text = format!("line {} ", result.line);
    if let Some(key) = &result.key {
        text.push_str(key);
        text.push(' ');
    }
    text.push_str(result.status.as_str());
    if let Some(how) = result.resumed {
        text.push_str(&format!(" (resumed by {how})"));
    }
    if let Some(detail) = &result.detail {
        text.push_str(detail);
    }
    if let Some(error) = &result.error {
        let prefix = format!("line {}: ", result.line);
        text.push_str(&format!(
            ": {}",
            error.strip_prefix(&prefix).unwrap_or(error)
        ));
    }
    text.trim_end().to_owned()
}

/// `appcharge 540/min (16 throttled), partner-center-orders:t1 300/min (0 throttled)`.
pub fn pacing_line(buckets: &[BucketStats]) -> String {
    buckets
        .iter()
        .map(|b| format!("{} {} ({} throttled)", b.bucket, rate(b), b.throttled))
        .collect::<Vec<_>>()
        .join(", ")
}

fn rate(bucket: &BucketStats) -> String {
    match bucket.per_minute {
        Some(n) => format!("{n}/min"),
        None => "unlimited".to_owned(),
    }
}

/// The buckets for the `--json` summary: `[{"bucket","ratePerMinute","requests","throttled","pauses"}]`
/// (`ratePerMinute` null = unlimited).
pub fn buckets_json(buckets: &[BucketStats]) -> serde_json::Value {
    buckets
        .iter()
        .map(|b| {
            serde_json::json!({
                "bucket": b.bucket,
                "ratePerMinute": b.per_minute,
                "requests": b.requests,
                "throttled": b.throttled,
                "pauses": b.pauses,
            })
        })
        .collect()
}

/// Writes one value (a results or plan line) as a JSON line (the writer is buffered by the caller).
pub fn write_jsonl(out: &mut dyn Write, value: &impl serde::Serialize) -> std::io::Result<()> {
    let mut line = serde_json::to_vec(value).map_err(std::io::Error::other)?;
    line.push(b'\n');
    out.write_all(&line)
}

const COLUMNS: [LineStatus; 8] = [
    LineStatus::Retracted,
    LineStatus::AlreadyRetracted,
    LineStatus::Failed,
    LineStatus::NotAttempted,
    LineStatus::SkippedDone,
    LineStatus::WouldRetract,
    LineStatus::WouldCheckThenRetract,
    LineStatus::WouldResumeJob,
];

/// The summary table: one row per vendor with any target, one column per status seen.
pub fn summary_table(summary: &Summary) -> String {
    let columns: Vec<LineStatus> = COLUMNS
        .into_iter()
        .filter(|s| summary.total(*s) > 0)
        .collect();
    let vendors: Vec<Vendor> = Vendor::ALL
        .into_iter()
        .filter(|v| summary.counts.keys().any(|(vendor, _)| vendor == v))
        .collect();
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut header = vec!["vendor".to_owned()];
    header.extend(columns.iter().map(|c| c.as_str().to_owned()));
    rows.push(header);
    for vendor in &vendors {
        let mut row = vec![vendor.id().to_owned()];
        for column in &columns {
            let n = summary
                .counts
                .get(&(*vendor, *column))
                .copied()
                .unwrap_or(0);
            row.push(n.to_string());
        }
        rows.push(row);
        // Its own row for each fallback taken (counted in the vendor's row as well).
        let mut fallbacks: Vec<&'static str> = summary
            .fallbacks
            .keys()
            .filter(|(v, _, _)| v == vendor)
            .map(|(_, f, _)| *f)
            .collect();
        fallbacks.sort_unstable();
        fallbacks.dedup();
        for fallback in fallbacks {
            let mut row = vec![format!("  of which {fallback}")];
            for column in &columns {
                let n = summary
                    .fallbacks
                    .get(&(*vendor, fallback, *column))
                    .copied()
                    .unwrap_or(0);
                row.push(n.to_string());
            }
            rows.push(row);
        }
    }
    let mut total = vec!["total".to_owned()];
    total.extend(columns.iter().map(|c| summary.total(*c).to_string()));
    rows.push(total);

    let mut out = align(&rows);
    if summary.invalid > 0 || summary.duplicates > 0 {
        out.push_str(&format!(
            "invalid lines: {}, duplicate lines: {}\n",
            summary.invalid, summary.duplicates
        ));
    }
    if summary.buckets.iter().any(|b| b.throttled > 0) {
        out.push('\n');
        out.push_str(&pacing_table(&summary.buckets));
    }
    if let Some(stopped) = &summary.stopped {
        out.push_str(stopped);
        out.push('\n');
    }
    out
}

/// The buckets' table: `bucket  rate/min  requests  throttled  pauses`, shown when any bucket
/// was throttled.
fn pacing_table(buckets: &[BucketStats]) -> String {
    let mut rows = vec![
        ["bucket", "rate", "requests", "throttled", "pauses"]
            .map(str::to_owned)
            .to_vec(),
    ];
    rows.extend(buckets.iter().map(|b| {
        vec![
            b.bucket.clone(),
            rate(b),
            b.requests.to_string(),
            b.throttled.to_string(),
            b.pauses.to_string(),
        ]
    }));
    align(&rows)
}

/// A plain count table: a `vendor` column, one column per name in `columns`, one row per entry
/// of `rows` and a `total` row.
pub fn count_table(columns: &[&str], rows: &[(String, Vec<usize>)]) -> String {
    let mut cells: Vec<Vec<String>> = Vec::with_capacity(rows.len() + 2);
    let mut header = vec!["vendor".to_owned()];
    header.extend(columns.iter().map(|c| (*c).to_owned()));
    cells.push(header);
    for (name, counts) in rows {
        let mut row = vec![name.clone()];
        row.extend(counts.iter().map(usize::to_string));
        cells.push(row);
    }
    let mut total = vec!["total".to_owned()];
    total.extend((0..columns.len()).map(|i| {
        rows.iter()
            .map(|(_, c)| c.get(i).copied().unwrap_or(0))
            .sum::<usize>()
            .to_string()
    }));
    cells.push(total);
    align(&cells)
}

/// Rows as aligned text: the first column left-aligned, the others right-aligned, two spaces
/// apart.
fn align(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|i| {
            rows.iter()
                .map(|r| r.get(i).map_or(0, String::len))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(i, cell)| match i {
                0 => format!("{cell:<w$}", w = widths[i]),
                _ => format!("{cell:>w$}", w = widths[i]),
            })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_has_vendor_rows_and_totals() {
        let mut summary = Summary::default();
        summary
            .counts
            .insert((Vendor::Appcharge, LineStatus::Retracted), 3);
        summary
            .counts
            .insert((Vendor::AdobeOffers, LineStatus::Failed), 1);
        summary.invalid = 2;
        summary
            .counts
            .insert((Vendor::PartnerCenterOrders, LineStatus::Retracted), 2);
        summary.fallbacks.insert(
            (
                Vendor::PartnerCenterOrders,
                "stop-renewal",
                LineStatus::Retracted,
            ),
            1,
        );
        let table = summary_table(&summary);
        assert_eq!(
            table,
            "vendor                   retracted  failed\n\
             partner-center-orders            2       0\n  \
             of which stop-renewal          1       0\n\
             adobe                            0       1\n\
             appcharge                        3       0\n\
             total                            5       1\n\
             invalid lines: 2, duplicate lines: 0\n"
        );
    }

    #[test]
    fn pacing_rows_follow_the_table_when_a_bucket_was_throttled() {
        let bucket = |name: &str, per_minute, throttled| BucketStats {
            bucket: name.to_owned(),
            per_minute,
            requests: 40,
            throttled,
            pauses: throttled.min(1),
        };
        let mut summary = Summary::default();
        summary
            .counts
            .insert((Vendor::Appcharge, LineStatus::Retracted), 40);
        summary.buckets = vec![bucket("appcharge", Some(540), 0)];
        assert!(
            !summary_table(&summary).contains("throttled"),
            "none throttled"
        );
        summary.buckets = vec![
            bucket("appcharge", Some(540), 16),
            bucket("partner-center-orders:t1", None, 0),
        ];
        let table = summary_table(&summary);
        let (_, pacing) = table
            .split_once("\n\n")
            .expect("a blank line, then the buckets");
        assert_eq!(
            pacing,
            "bucket                         rate  requests  throttled  pauses\n\
             appcharge                   540/min        40         16       1\n\
             partner-center-orders:t1  unlimited        40          0       0\n"
        );
        assert_eq!(
            pacing_line(&summary.buckets),
            "appcharge 540/min (16 throttled), partner-center-orders:t1 unlimited (0 throttled)"
        );
        let json = buckets_json(&summary.buckets);
        assert_eq!(json[0]["ratePerMinute"], 540);
        assert_eq!(json[1]["ratePerMinute"], serde_json::Value::Null);
        assert_eq!(json[0]["throttled"], 16);
    }
}
