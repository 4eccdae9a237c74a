//! `offerkit restore RESULTS.jsonl`: re-creates what a batch (or apply) run retracted, from the
//! `snapshot` of each `retracted` results line, journaled and resumable.
//!
//! In order, so that a refused run sends nothing (no read either): the results file is read and
//! every line checked (a bad line is an error naming it); `--only` keys must name retracted
//! lines; the vendors to call must be configured; the run must be confirmed (`--yes`, or a `y` on
//! a terminal); the journal is locked, replayed and checked against this environment. Then, per
//! line: a Partner Center line (or one without a snapshot) is `not-restorable` without a call;
//! otherwise `started` is made durable before the vendor is called, and `done` written after.
//!
//! Resume: a key with a record (started, failed, or done as `restored`) is restored with
//! [`RestoreContext::with_resumed`], so the vendor impl looks for what the earlier attempt created
//! before it creates anything; a key done as `exists` is reported again without a call.

use std::collections::{BTreeMap, HashSet};
use std::fs::File;
use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};

use offerkit::{
    Error, ErrorKind, RestoreContext, RestoreOutcome, RestoreStatus, Target, Vendor, is_restorable,
    not_restorable_reason,
};
use serde_json::{Map, Value};

use crate::args::RestoreArgs;
use crate::batch::input::Lines;
use crate::batch::journal::{self, Journal};
use crate::batch::keys::KeyIndex;
use crate::batch::report::count_table;
use crate::commands::batch::{preflight, report_replay};
use crate::exit::Exit;
use crate::setup::Session;

/// One `retracted` line of the results file.
#[derive(Debug)]
struct Entry {
    /// The results file's line number.
    line: usize,
    key: String,
    target: Target,
    snapshot: Option<Value>,
}

/// Runs the restore command.
pub async fn run(session: &Session, args: &RestoreArgs, json: bool) -> Exit {
    match restore(session, args, json).await {
        Ok(exit) => exit,
        Err(error) => {
            crate::print_error(&error, json);
            Exit::for_error(&error)
        }
    }
}

async fn restore(session: &Session, args: &RestoreArgs, json: bool) -> Result<Exit, Error> {
    let entries = select(read_results(&args.file)?, &args.only)?;
    let journal_path = args
        .journal
        .clone()
        .unwrap_or_else(|| default_journal(&args.file, session.rehearsal));
    refuse_clashes(&args.file, &journal_path, args.output.as_deref())?;
    let vendors: Vec<Vendor> = entries
        .iter()
        .filter(|e| e.snapshot.is_some() && is_restorable(e.target.vendor()))
        .map(|e| e.target.vendor())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    preflight(&session.client, &vendors, "the results file")?;
    confirm(&entries, args.yes)?;

    let mut index = KeyIndex::with_capacity(entries.len());
    for entry in &entries {
        index.add(&entry.key, entry.line);
    }
    index.seal();
    let environment = session.environment(&vendors);
    // The journal binds to the results file itself, however it is named (as a batch journal
    // binds to its input): `restore ./r.jsonl` resumes `restore r.jsonl`.
    let input = std::fs::canonicalize(&args.file)
        .unwrap_or_else(|_| args.file.clone())
        .display()
        .to_string();
    let (replay, journal) = journal::open(&journal_path, &index, &input, &environment).await?;
    report_replay(Some(&journal_path), &replay, json);

    let mut out = crate::commands::batch::open_output(args.output.as_deref())?;
    let mut counts: BTreeMap<(Vendor, RestoreStatus), usize> = BTreeMap::new();
    let mut stopped = None;
    for entry in &entries {
        let slot = index.slot(&entry.key);
        let prior = slot.and_then(|s| replay.prior(s));
        let done_status = slot.and_then(|s| replay.done_status(s));
        let outcome =
            match restore_one(session, &journal, entry, prior.is_some(), done_status).await {
                Ok(outcome) => outcome,
                Err(error) => {
                    stopped = Some(error);
                    break;
                }
            };
        *counts
            .entry((entry.target.vendor(), outcome.status()))
            .or_default() += 1;
        write_line(out.as_mut(), entry, &outcome)
            .map_err(|e| output_error(args.output.as_deref(), &e))?;
    }
    out.flush()
        .map_err(|e| output_error(args.output.as_deref(), &e))?;
    print_summary(&counts, &journal_path, json);
    if let Some(error) = stopped {
        return Err(error);
    }
    let failed = counts
        .iter()
        .any(|((_, status), n)| *status == RestoreStatus::Failed && *n > 0);
    Ok(if failed {
        Exit::VendorFailure
    } else {
        Exit::Success
    })
}

/// Restores one line: `not-restorable` without a call, or through the journal.
async fn restore_one(
    session: &Session,
    journal: &Journal,
    entry: &Entry,
    resumed: bool,
    done_status: Option<&str>,
) -> Result<RestoreOutcome, Error> {
    let vendor = entry.target.vendor();
    if !is_restorable(vendor) {
        return Ok(RestoreOutcome::not_restorable(not_restorable_reason(
            vendor,
        )));
    }
    let Some(snapshot) = &entry.snapshot else {
        return Ok(RestoreOutcome::not_restorable(
            "no snapshot: the results line does not hold the resource as it was (written by an \
             offerkit without snapshots, or the retraction's answer was lost)",
        ));
    };
    if done_status == Some("exists") {
        return Ok(RestoreOutcome::Exists(
            offerkit::RestoreDetails::new()
                .with_note("an earlier run of this journal found it there; it was left as it is"),
        ));
    }
    if let Some(error) = journal.failure() {
        return Err(error);
    }
    journal.started(entry.line, &entry.key).await?;
    let ctx = RestoreContext::new().with_resumed(resumed);
    let outcome = session.client.restore(&entry.target, snapshot, &ctx).await;
    let raw = serde_json::value::to_raw_value(&outcome)
        .map_err(|e| Error::new(ErrorKind::Internal, format!("restore outcome: {e}")))?;
    // Not waited for: a lost `done` costs a read on resume, never a second create.
    drop(journal.done(entry.line, &entry.key, &raw));
    Ok(outcome)
}

/// Reads every `retracted` line of the results file; any unreadable line is an error naming it.
fn read_results(path: &Path) -> Result<Vec<Entry>, Error> {
    let file = File::open(path).map_err(|e| {
        Error::new(
            ErrorKind::Input,
            format!("cannot read {}: {e}", path.display()),
        )
    })?;
    let bad = |line: usize, why: String| {
        Error::new(
            ErrorKind::Input,
            format!("{} line {line}: {why}; nothing was sent", path.display()),
        )
    };
    let mut entries = Vec::new();
    let mut seen = HashSet::new();
    // The batch reader: lines capped in length, a BOM and CRLF ends handled.
    for raw in Lines::new(BufReader::new(file)) {
        let raw = raw?;
        let line = raw.number;
        let text = raw
            .text
            .map_err(|e| bad(line, format!("cannot be read ({e})")))?;
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        let mut fields: Map<String, Value> = serde_json::from_str(text)
            .map_err(|e| bad(line, format!("is not a JSON object ({e})")))?;
        let status = match fields.get("status") {
            Some(Value::String(s)) => s.clone(),
            Some(_) => return Err(bad(line, "field `status` is not a string".to_owned())),
            None => {
                return Err(bad(
                    line,
                    "has no `status` (is this a results file?)".to_owned(),
                ));
            }
        };
        if status != "retracted" {
            continue;
        }
        let key = match fields.get("key") {
            Some(Value::String(k)) => k.clone(),
            _ => {
                return Err(bad(
                    line,
                    "a retracted line needs its `key` (a string)".to_owned(),
                ));
            }
        };
        let target = Target::from_key(&key)
            .map_err(|e| bad(line, format!("field `key`: {}", e.message())))?;
        let snapshot = match fields.remove("snapshot") {
            None | Some(Value::Null) => None,
            Some(object @ Value::Object(_)) => Some(object),
            Some(_) => {
                return Err(bad(
                    line,
                    "field `snapshot` is not a JSON object".to_owned(),
                ));
            }
        };
        // The same retraction twice (results files concatenated): the first one counts.
        if seen.insert(key.clone()) {
            entries.push(Entry {
                line,
                key,
                target,
                snapshot,
            });
        }
    }
    Ok(entries)
}

/// Keeps the entries `--only` names (all without it); a key that names no retracted line is an
/// error, so a typo never restores nothing silently.
fn select(entries: Vec<Entry>, only: &[String]) -> Result<Vec<Entry>, Error> {
    if only.is_empty() {
        return Ok(entries);
    }
    let missing: Vec<&String> = only
        .iter()
        .filter(|k| !entries.iter().any(|e| &e.key == *k))
        .collect();
    if !missing.is_empty() {
        return Err(Error::new(
            ErrorKind::Input,
            format!(
                "--only {}: no retracted line of the results file has this key; nothing was sent",
                missing
                    .iter()
                    .map(|k| k.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    Ok(entries
        .into_iter()
        .filter(|e| only.contains(&e.key))
        .collect())
}

/// `--yes`, or a `y` typed on a terminal after the counts per vendor; without a terminal a
/// refusal (exit 2), before any request.
fn confirm(entries: &[Entry], yes: bool) -> Result<(), Error> {
    if yes {
        return Ok(());
    }
    let restorable: Vec<&Entry> = entries
        .iter()
        .filter(|e| e.snapshot.is_some() && is_restorable(e.target.vendor()))
        .collect();
    if restorable.is_empty() {
        // Nothing would be created: reporting the lines needs no confirmation.
        return Ok(());
    }
    let mut per_vendor: BTreeMap<Vendor, usize> = BTreeMap::new();
    for entry in &restorable {
        *per_vendor.entry(entry.target.vendor()).or_default() += 1;
    }
    let rows: Vec<(String, Vec<usize>)> = per_vendor
        .iter()
        .map(|(vendor, n)| (vendor.id().to_owned(), vec![*n]))
        .collect();
    let mut text = String::from("offerkit restore will re-create:\n");
    text.push_str(&count_table(&["to re-create"], &rows));
    let others = entries.len() - restorable.len();
    if others > 0 {
        text.push_str(&format!("({others} other line(s) cannot be restored)\n"));
    }
    crate::commands::confirm::confirm(
        &text,
        "Proceed?",
        format!(
            "restore would re-create {} resource(s) and there is no terminal to confirm on: \
             run again with --yes; nothing was sent",
            restorable.len()
        ),
    )
}

/// `RESULTS.jsonl.restore.journal` beside the results file (`….restore.sandbox.journal` for
/// runs against a sandbox, so a rehearsal never shares a journal with a real run).
pub fn default_journal(results: &Path, sandbox: bool) -> PathBuf {
    let mut name = results.as_os_str().to_owned();
    name.push(if sandbox {
        ".restore.sandbox.journal"
    } else {
        ".restore.journal"
    });
    PathBuf::from(name)
}

/// The results file, the journal and the output must be three files.
fn refuse_clashes(results: &Path, journal: &Path, output: Option<&Path>) -> Result<(), Error> {
    let mut named: Vec<(&str, &Path)> = vec![
        ("the results file", results),
        ("the journal (--journal)", journal),
    ];
    if let Some(output) = output {
        named.push(("the output (-o/--output)", output));
    }
    crate::commands::batch::refuse_same_files(&named)
}

fn output_error(path: Option<&Path>, e: &std::io::Error) -> Error {
    Error::new(
        ErrorKind::Internal,
        format!(
            "cannot write results to {}: {e}; the journal has every outcome",
            path.map_or("stdout".to_owned(), |p| p.display().to_string())
        ),
    )
}

/// `{"line", "key", "vendor", "status", "oldId"?, "newId"?, "requestId"?, "note"?, "reason"?,
/// "error"?}`; a closed stdout loses the line, not the run.
fn write_line(out: &mut dyn Write, entry: &Entry, outcome: &RestoreOutcome) -> std::io::Result<()> {
    let mut line = Map::new();
    line.insert("line".to_owned(), entry.line.into());
    line.insert("key".to_owned(), entry.key.clone().into());
    line.insert("vendor".to_owned(), entry.target.vendor().id().into());
    if let Ok(Value::Object(fields)) = serde_json::to_value(outcome) {
        line.extend(fields);
    }
    let mut text = Value::Object(line).to_string();
    text.push('\n');
    match out.write_all(text.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e),
        _ => Ok(()),
    }
}

/// Counts per vendor and status on stderr (`{"summary": {"vendor:status": n}}` with `--json`).
fn print_summary(counts: &BTreeMap<(Vendor, RestoreStatus), usize>, journal: &Path, json: bool) {
    let text = if json {
        let summary: Map<String, Value> = counts
            .iter()
            .map(|((v, s), n)| (format!("{}:{}", v.id(), s.as_str()), (*n).into()))
            .collect();
        format!(
            "{}\n",
            serde_json::json!({"summary": summary, "journal": journal.display().to_string()})
        )
    } else {
        let statuses: Vec<RestoreStatus> = counts
            .keys()
            .map(|(_, status)| *status)
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut per_vendor: BTreeMap<Vendor, Vec<usize>> = BTreeMap::new();
        for ((vendor, status), n) in counts {
            let row = per_vendor
                .entry(*vendor)
                .or_insert_with(|| vec![0; statuses.len()]);
            if let Some(i) = statuses.iter().position(|s| s == status) {
                row[i] = *n;
            }
        }
        let columns: Vec<&str> = statuses.iter().map(|s| s.as_str()).collect();
        let rows: Vec<(String, Vec<usize>)> = per_vendor
            .into_iter()
            .map(|(vendor, row)| (vendor.id().to_owned(), row))
            .collect();
        let mut text = String::new();
        if !counts.is_empty() {
            text.push_str(&count_table(&columns, &rows));
        }
        if counts.is_empty() {
            text.push_str("nothing to restore: no retracted line\n");
        }
        text.push_str(&format!("journal: {}\n", journal.display()));
        text
    };
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}
