//! `offerkit batch FILE.jsonl` (or `FILE.csv`, or `-` for stdin).
//!
//! In order, so that a refused run changes nothing: the arguments are checked (no output file
//! may be the input or the journal); the input is read once (checked, indexed); every vendor it
//! uses must be configured (all missing keys named at once); the journal is locked, replayed and
//! checked against this run's environment and input; only then is the results file created and
//! the first call made.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use offerkit::{Client, Error, ErrorKind, Vendor};

use crate::args::{AuditArgs, BatchArgs, PacingArgs};
use crate::batch::audit::Audit;
use crate::batch::engine::{self, Event, Options, Summary};
use crate::batch::input::{Input, InputFormat, is_same_file};
use crate::batch::journal::{self, Environment, Format, Journal, Replay};
use crate::batch::rate::Limits;
use crate::batch::report::{self, Progress, ProgressMode};
use crate::batch::scan;
use crate::exit::Exit;
use crate::setup::Session;

/// Where a batch reads, records and writes.
#[derive(Debug, Clone)]
pub struct Files {
    /// The input (`-` for stdin).
    pub input: PathBuf,
    /// Its format (`None`: by its name).
    pub format: Option<InputFormat>,
    /// The journal; `None` runs without one (not resumable).
    pub journal: Option<PathBuf>,
    /// Move an existing journal aside and start a new one.
    pub new_journal: bool,
    /// The results JSONL; stdout if `None`.
    pub output: Option<PathBuf>,
}

/// What a batch runs against: the client and the environment it addresses.
pub struct Backend<'a> {
    /// The client.
    pub client: Arc<Client>,
    /// The non-secret settings of the given vendors (see [`Session::environment`]).
    pub environment: &'a dyn Fn(&[Vendor]) -> Environment,
}

/// Builds engine options from the command line.
pub fn options(args: &BatchArgs, context: offerkit::RetractContext) -> Options {
    Options {
        dry_run: args.dry_run,
        ..run_options(&args.pacing, &args.audit, context)
    }
}

/// The engine options `batch` and `apply` share: concurrency and pacing, the audit fields, and
/// snapshots on unless `--no-snapshots`.
pub fn run_options(
    pacing: &PacingArgs,
    audit: &AuditArgs,
    context: offerkit::RetractContext,
) -> Options {
    let (limits, ceilings) = limits(pacing);
    Options {
        concurrency: usize::from(pacing.concurrency),
        dry_run: false,
        limits,
        ceilings,
        pacing: pacing.mode,
        context: context.with_snapshots(!audit.no_snapshots),
        unreachable_after: Options::UNREACHABLE_AFTER,
        audit: Some(Audit::new(audit.actor.as_deref(), audit.reason.as_deref())),
        recheck: false,
    }
}

/// The rates each vendor starts from (the default rates, `--rate-limit`, then `--initial-rate`,
/// never above its `--rate-limit`) and the hard ceilings (`--rate-limit`; 0 = none).
pub fn limits(pacing: &PacingArgs) -> (Limits, Limits) {
    let mut limits = Limits::default();
    let mut ceilings = Limits::unlimited();
    for o in &pacing.rate_limits {
        limits.set(o.vendor, o.per_minute);
        ceilings.set(o.vendor, o.per_minute);
    }
    for o in &pacing.initial_rates {
        let ceiling = ceilings.per_minute(o.vendor);
        let start = match (o.per_minute, ceiling) {
            (0, c) => c,
            (n, 0) => n,
            (n, c) => n.min(c),
        };
        limits.set(o.vendor, start);
    }
    (limits, ceilings)
}

/// The files of a run from the command line, with the default journal.
pub fn files(args: &BatchArgs, rehearsal: bool) -> Result<Files, Error> {
    let journal = match (&args.journal, args.no_journal) {
        (_, true) => None,
        (Some(path), false) => Some(path.clone()),
        (None, false) if args.file == Path::new("-") => {
            return Err(Error::new(
                ErrorKind::Input,
                "`offerkit batch -` reads stdin, which has no place for a default journal: name \
                 one with --journal FILE (or run with --no-journal, which cannot resume)",
            ));
        }
        (None, false) => Some(journal::default_path(&args.file, rehearsal)),
    };
    Ok(Files {
        input: args.file.clone(),
        format: args.format,
        journal,
        new_journal: args.new_journal,
        output: args.output.clone(),
    })
}

/// Runs the batch command.
pub async fn run(session: &Session, args: &BatchArgs, json: bool) -> Exit {
    // Results lines keep what each retraction removed (`snapshot`, unless `--no-snapshots`), for
    // `offerkit restore`: `run_options` sets it.
    let options = options(args, session.client.context().clone());
    let environment = |vendors: &[Vendor]| session.environment(vendors);
    let backend = Backend {
        client: Arc::clone(&session.client),
        environment: &environment,
    };
    let result = match files(args, session.rehearsal) {
        Ok(files) => run_files(&backend, &files, &options, ProgressMode::detect(), json)
            .await
            .map(|summary| (summary, files)),
        Err(error) => Err(error),
    };
    match result {
        Ok((summary, files)) => {
            print_summary(&summary, &files, &options, json);
            Exit::for_batch(&summary)
        }
        Err(error) => {
            crate::print_error(&error, json);
            Exit::for_error(&error)
        }
    }
}

/// A batch ready to run: checked, indexed, its journal locked and replayed.
pub struct Prepared {
    /// The input.
    pub input: Input,
    /// The first pass over it.
    pub scan: scan::Scan,
    /// What the journal says.
    pub replay: Replay,
    /// The open journal (`None` for dry runs and `--no-journal`).
    pub journal: Option<Journal>,
}

/// Everything before the first call: arguments, input, preflight, journal (see the module doc).
pub async fn prepare(
    backend: &Backend<'_>,
    files: &Files,
    options: &Options,
    json: bool,
) -> Result<Prepared, Error> {
    let input = Input::open_as(&files.input, files.format)?;
    prepare_input(backend, files, options, json, input).await
}

/// [`prepare`] of an input already open (`offerkit apply` hands in the plan's targets).
pub async fn prepare_input(
    backend: &Backend<'_>,
    files: &Files,
    options: &Options,
    json: bool,
    input: Input,
) -> Result<Prepared, Error> {
    refuse_clashes(files)?;
    let scan = scan::scan(&input)?;
    let vendors: Vec<Vendor> = scan.vendors.iter().copied().collect();
    preflight(&backend.client, &vendors, "the input")?;
    let environment = (backend.environment)(&vendors);
    let (replay, journal) = match &files.journal {
        None => (Replay::new(&scan.index), None),
        Some(path) if options.dry_run => {
            let replay = journal::replay_file(path, &scan.index)?;
            check_journal(path, &replay, &input, &environment)?;
            (replay, None)
        }
        Some(path) => {
            if files.new_journal
                && let Some(aside) = journal::move_aside(path)?
            {
                notice(&format!("the old journal is now {}", aside.display()), json);
            }
            let (replay, journal) =
                journal::open(path, &scan.index, input.name(), &environment).await?;
            (replay, Some(journal))
        }
    };
    report_replay(files.journal.as_deref(), &replay, json);
    Ok(Prepared {
        input,
        scan,
        replay,
        journal,
    })
}

/// Runs `files` against `backend`: the whole batch command but for the summary.
pub async fn run_files(
    backend: &Backend<'_>,
    files: &Files,
    options: &Options,
    progress: ProgressMode,
    json: bool,
) -> Result<Summary, Error> {
    let input = Input::open_as(&files.input, files.format)?;
    run_input(backend, files, options, progress, json, input).await
}

/// [`run_files`] of an input already open.
pub async fn run_input(
    backend: &Backend<'_>,
    files: &Files,
    options: &Options,
    progress: ProgressMode,
    json: bool,
    input: Input,
) -> Result<Summary, Error> {
    let Prepared {
        input,
        scan,
        replay,
        journal,
    } = prepare_input(backend, files, options, json, input).await?;
    let mut out = open_output(files.output.as_deref())?;
    let mut progress = Progress::new(scan.lines, progress);
    let mut write_error = None;
    let summary = engine::run(
        Arc::clone(&backend.client),
        &input,
        &scan,
        &replay,
        journal,
        options,
        |event| match event {
            Event::Result(result) => {
                progress.finished(result);
                if write_error.is_none()
                    && let Err(e) = report::write_jsonl(out.as_mut(), result)
                {
                    write_error = Some(e);
                }
            }
            Event::Notice(text) => progress.notice(text),
            Event::Pacing(buckets) => progress.pacing(buckets),
        },
    )
    .await;
    progress.finish();
    let flushed = out.flush();
    let summary = summary?;
    if let Some(e) = write_error.or(flushed.err()) {
        return Err(Error::new(
            ErrorKind::Internal,
            format!(
                "cannot write results to {}: {e}; the journal has every outcome",
                files
                    .output
                    .as_deref()
                    .map_or("stdout".to_owned(), |p| p.display().to_string())
            ),
        ));
    }
    Ok(summary)
}

/// Refuses an output file that is the input or the journal, and a journal that is the input:
/// truncating it would destroy it.
pub(crate) fn refuse_clashes(files: &Files) -> Result<(), Error> {
    let stdin = files.input == Path::new("-");
    let mut named: Vec<(&str, &Path)> = Vec::new();
    if !stdin {
        named.push(("the input", &files.input));
    }
    if let Some(journal) = &files.journal {
        named.push(("the journal (--journal)", journal));
    }
    if let Some(output) = &files.output {
        named.push(("the results file (-o/--output)", output));
    }
    refuse_same_files(&named)
}

/// Refuses two of the `named` files (what each is, its path) that are one file: writing one would
/// destroy the other.
pub(crate) fn refuse_same_files(named: &[(&str, &Path)]) -> Result<(), Error> {
    // The same file by identity (device and inode): also a hard link or a symlink to it.
    let same = |a: &Path, b: &Path| {
        is_same_file(a, b)
            || matches!(
                (std::fs::canonicalize(a), std::fs::canonicalize(b)),
                (Ok(a), Ok(b)) if a == b
            )
    };
    for (i, (a_name, a)) in named.iter().enumerate() {
        for (b_name, b) in &named[i + 1..] {
            if same(a, b) {
                return Err(Error::new(
                    ErrorKind::Input,
                    format!(
                        "{b_name} {} is also {a_name}; name different files (nothing was changed)",
                        b.display()
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Every vendor the input uses must be usable: all problems in one error, before any call.
pub(crate) fn preflight(client: &Client, vendors: &[Vendor], what: &str) -> Result<(), Error> {
    let problems: Vec<String> = vendors
        .iter()
        .filter_map(|v| client.vendor(*v).err())
        .map(|e| e.message().to_owned())
        .collect();
    if problems.is_empty() {
        return Ok(());
    }
    Err(Error::new(
        ErrorKind::Config,
        format!(
            "{what} uses vendors that cannot be called; nothing was sent: {}",
            problems.join("; ")
        ),
    ))
}

/// Checks the replayed journal against this run; returns the vendors it has not seen.
fn check_journal(
    path: &Path,
    replay: &Replay,
    input: &Input,
    environment: &Environment,
) -> Result<Option<Environment>, Error> {
    let name = path.display().to_string();
    match replay.format {
        Format::New | Format::One => Ok(None),
        Format::Two => journal::check(&name, &replay.recorded, input.name(), environment),
    }
}

/// Says once what the replay found that the user should know.
pub(crate) fn report_replay(path: Option<&Path>, replay: &Replay, json: bool) {
    let Some(path) = path else { return };
    let path = path.display();
    if replay.format == Format::One {
        notice(
            &format!(
                "journal {path} was written by offerkit 0.1 and names no environment: its records \
                 are not trusted; every target is read back before it is retracted, and the \
                 journal continues in format 2"
            ),
            json,
        );
    }
    if replay.continues_one {
        notice(
            &format!(
                "journal {path} began in offerkit 0.1's format: those first records are not \
                 trusted, and targets without a later record are read back first"
            ),
            json,
        );
    }
    if !replay.corrupt_lines.is_empty() {
        const SHOWN: usize = 20;
        let mut lines: Vec<String> = replay
            .corrupt_lines
            .iter()
            .take(SHOWN)
            .map(usize::to_string)
            .collect();
        if replay.corrupt_lines.len() > SHOWN {
            lines.push(format!("and {} more", replay.corrupt_lines.len() - SHOWN));
        }
        notice(
            &format!(
                "journal {path}: line(s) {} are unreadable (corrupt, not a torn last line); the \
                 targets they described cannot be known, so every target without an outcome is \
                 read back before it is retracted",
                lines.join(", ")
            ),
            json,
        );
    }
    if replay.foreign_records > 0 {
        notice(
            &format!(
                "journal {path}: {} record(s) are for targets not in this input (was the input \
                 edited?); they are ignored",
                replay.foreign_records
            ),
            json,
        );
    }
    if let Some(line) = replay.torn_last_line {
        notice(
            &format!(
                "journal {path}: the last line ({line}) was torn by an interrupted run; it never \
                 became durable, so its call was not made, and it is cut off"
            ),
            json,
        );
    }
}

/// The results (or plan) file, or stdout, buffered.
pub fn open_output(path: Option<&Path>) -> Result<Box<dyn Write>, Error> {
    Ok(match path {
        Some(path) => Box::new(BufWriter::with_capacity(
            64 * 1024,
            File::create(path).map_err(|e| {
                Error::new(
                    ErrorKind::Input,
                    format!("cannot create {}: {e}", path.display()),
                )
            })?,
        )),
        None => Box::new(BufWriter::with_capacity(64 * 1024, std::io::stdout())),
    })
}

/// A line on stderr (`{"notice":…}` with `--json`); a closed stderr is ignored.
pub fn notice(text: &str, json: bool) {
    let line = if json {
        format!("{}\n", serde_json::json!({ "notice": text }))
    } else {
        format!("offerkit: {text}\n")
    };
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}

/// Prints the summary table (or JSON) on stderr.
pub fn print_summary(summary: &Summary, files: &Files, options: &Options, json: bool) {
    let text = if json {
        let counts: serde_json::Map<String, serde_json::Value> = summary
            .counts
            .iter()
            .map(|((v, s), n)| (format!("{v}:{}", s.as_str()), (*n).into()))
            .collect();
        let fallbacks: serde_json::Map<String, serde_json::Value> = summary
            .fallbacks
            .iter()
            .map(|((v, f, s), n)| (format!("{v}:{f}:{}", s.as_str()), (*n).into()))
            .collect();
        let line = serde_json::json!({
            "summary": counts,
            "fallbacks": fallbacks,
            "invalid": summary.invalid,
            "duplicates": summary.duplicates,
            "notStarted": summary.unreached,
            "pacing": options.pacing.as_str(),
            "buckets": report::buckets_json(&summary.buckets),
            "stopped": summary.stopped,
            "journal": files.journal.as_ref().map(|p| p.display().to_string()),
        });
        format!("{line}\n")
    } else {
        let mut text = report::summary_table(summary);
        if let Some(path) = &files.journal
            && !options.dry_run
        {
            text.push_str(&format!("journal: {}\n", path.display()));
        }
        text
    };
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}
