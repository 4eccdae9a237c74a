//! `offerkit plan FILE.jsonl`: every target read from its vendor ([`offerkit::Client::inspect`]),
//! nothing changed, and what a retraction would do written as a plan ([`crate::plan_file`]).
//!
//! The input is read with the batch reader (invalid lines named by number on stderr and left out
//! of the plan; a repeated target planned once), the reads run with bounded concurrency under the
//! batch rate limits, the plan lines come out in input order, and a table per vendor and verdict
//! goes to stderr. Exit 0 when no target is `unknown`, 1 when one is, else 2 when a line was
//! invalid.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Write;

use futures::StreamExt;
use offerkit::{Error, ErrorKind, Target, Vendor, Verdict};

use crate::args::PlanArgs;
use crate::batch::engine::Pacing;
use crate::batch::input::{Input, Parsed};
use crate::batch::journal;
use crate::batch::report::{count_table, write_jsonl};
use crate::commands::batch::{limits, notice, open_output, preflight, refuse_same_files};
use crate::exit::Exit;
use crate::plan_file::{Header, HeaderBody, InputRef, LineOut, VERSION, sha256_file};
use crate::setup::Session;

/// Runs the plan command.
pub async fn run(session: &Session, args: &PlanArgs, json: bool) -> Exit {
    match plan(session, args, json).await {
        Ok(exit) => exit,
        Err(error) => {
            crate::print_error(&error, json);
            Exit::for_error(&error)
        }
    }
}

/// One valid, first-seen target of the input.
struct Entry {
    line: usize,
    key: String,
    target: Target,
}

/// The input's targets, its invalid lines and its repeats.
#[derive(Default)]
struct Read {
    entries: Vec<Entry>,
    invalid: Vec<(usize, String)>,
    duplicates: Vec<(usize, usize)>,
}

fn read_targets(input: &Input) -> Result<Read, Error> {
    let mut read = Read::default();
    let mut first_line: HashMap<String, usize> = HashMap::new();
    for raw in input.lines()? {
        let raw = raw?;
        match input.parse(&raw) {
            Parsed::Skip => {}
            Parsed::Invalid(error) => read.invalid.push((raw.number, error)),
            Parsed::Target(target) => {
                let key = target.key();
                if let Some(first) = first_line.get(&key) {
                    read.duplicates.push((raw.number, *first));
                    continue;
                }
                first_line.insert(key.clone(), raw.number);
                read.entries.push(Entry {
                    line: raw.number,
                    key,
                    target: *target,
                });
            }
        }
    }
    Ok(read)
}

async fn plan(session: &Session, args: &PlanArgs, json: bool) -> Result<Exit, Error> {
    if let Some(output) = &args.output
        && args.file != std::path::Path::new("-")
    {
        refuse_same_files(&[("the input", &args.file), ("the plan file", output)])?;
    }
    let input = Input::open_as(&args.file, args.format)?;
    let sha256 = sha256_file(input.path())?;
    let read = read_targets(&input)?;
    for (line, error) in &read.invalid {
        notice(&format!("line {line}: {error} (not planned)"), json);
    }
    for (line, first) in &read.duplicates {
        notice(
            &format!("line {line}: same target as line {first}; planned once"),
            json,
        );
    }
    let vendors: Vec<Vendor> = read
        .entries
        .iter()
        .map(|e| e.target.vendor())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    // A vendor without credentials is a setup error (exit 2), not a plan of `unknown` lines.
    preflight(&session.client, &vendors, "the input")?;
    let header = Header {
        plan: HeaderBody {
            version: VERSION,
            created_at: journal::now(),
            environment: session.environment(&vendors),
            input: InputRef {
                path: input.name().to_owned(),
                sha256,
            },
        },
    };
    let mut out = open_output(args.output.as_deref())?;
    let write_failed = |e: std::io::Error| {
        Error::new(
            ErrorKind::Internal,
            format!(
                "cannot write the plan to {}: {e}",
                args.output
                    .as_deref()
                    .map_or("stdout".to_owned(), |p| p.display().to_string())
            ),
        )
    };
    write_jsonl(out.as_mut(), &header).map_err(write_failed)?;

    // The reads are paced as a batch run's calls are (`--pacing`, `--rate-limit`, `--initial-rate`).
    let (start, ceilings) = limits(&args.pacing);
    let pacing = Pacing::new(args.pacing.mode, &start, &ceilings);
    let client = &session.client;
    let pacing = &pacing;
    let mut inspected = futures::stream::iter(read.entries)
        .map(|entry| async move {
            let bucket = entry.target.rate_limit_key();
            pacing.acquire(&bucket).await;
            let inspection = pacing.run(&bucket, client.inspect(&entry.target)).await;
            (entry, inspection)
        })
        .buffered(usize::from(args.pacing.concurrency));
    let mut counts: BTreeMap<(Vendor, Verdict), usize> = BTreeMap::new();
    while let Some((entry, inspection)) = inspected.next().await {
        *counts
            .entry((entry.target.vendor(), inspection.verdict))
            .or_default() += 1;
        let line = LineOut::new(entry.line, &entry.key, &entry.target, &inspection);
        write_jsonl(out.as_mut(), &line).map_err(write_failed)?;
    }
    out.flush().map_err(write_failed)?;
    print_summary(&counts, read.invalid.len(), read.duplicates.len(), json);
    let unknown: usize = counts
        .iter()
        .filter(|((_, v), _)| *v == Verdict::Unknown)
        .map(|(_, n)| n)
        .sum();
    Ok(if unknown > 0 {
        Exit::VendorFailure
    } else if !read.invalid.is_empty() {
        Exit::Usage
    } else {
        Exit::Success
    })
}

/// The table per vendor and verdict (or one JSON line) on stderr.
fn print_summary(
    counts: &BTreeMap<(Vendor, Verdict), usize>,
    invalid: usize,
    duplicates: usize,
    json: bool,
) {
    let text = if json {
        let summary: serde_json::Map<String, serde_json::Value> = counts
            .iter()
            .map(|((v, verdict), n)| (format!("{v}:{}", verdict.as_str()), (*n).into()))
            .collect();
        format!(
            "{}\n",
            serde_json::json!({"plan": summary, "invalid": invalid, "duplicates": duplicates})
        )
    } else {
        let rows: Vec<(String, Vec<usize>)> = Vendor::ALL
            .into_iter()
            .filter(|v| counts.keys().any(|(vendor, _)| vendor == v))
            .map(|v| {
                let cells = Verdict::ALL
                    .iter()
                    .map(|verdict| counts.get(&(v, *verdict)).copied().unwrap_or(0))
                    .collect();
                (v.id().to_owned(), cells)
            })
            .collect();
        let mut text = count_table(&Verdict::ALL.map(Verdict::as_str), &rows);
        if invalid > 0 || duplicates > 0 {
            text.push_str(&format!(
                "invalid lines: {invalid} (not planned), duplicate lines: {duplicates}\n"
            ));
        }
        text
    };
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}
