//! `offerkit batch FILE.jsonl`.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use offerkit::{Client, Error, ErrorKind, RetractContext};

use crate::args::BatchArgs;
use crate::batch::engine::{self, Options, Summary};
use crate::batch::journal;
use crate::batch::rate::Limits;
use crate::batch::report::{self, Progress, ProgressMode};
use crate::exit::Exit;

/// Builds engine options from the command line.
pub fn options(args: &BatchArgs, context: RetractContext) -> Options {
    let mut limits = Limits::default();
    for o in &args.rate_limits {
        limits.set(o.vendor, o.per_minute);
    }
    let journal = if args.no_journal {
        None
    } else {
        Some(
            args.journal
                .clone()
                .unwrap_or_else(|| journal::default_path(&args.file)),
        )
    };
    Options {
        concurrency: usize::from(args.concurrency),
        dry_run: args.dry_run,
        journal,
        limits,
        context,
    }
}

/// Runs the batch command.
pub async fn run(client: Arc<Client>, args: &BatchArgs, json: bool) -> Exit {
    let options = options(args, client.context().clone());
    match run_file(
        client,
        &args.file,
        args.output.as_deref(),
        &options,
        ProgressMode::detect(),
    )
    .await
    {
        Ok(summary) => {
            print_summary(&summary, &options, json);
            Exit::for_batch(&summary)
        }
        Err(error) => {
            crate::print_error(&error, json);
            Exit::for_error(&error)
        }
    }
}

/// Reads `input`, runs it, writes results JSONL to `output` (stdout if `None`).
pub async fn run_file(
    client: Arc<Client>,
    input: &Path,
    output: Option<&Path>,
    options: &Options,
    progress: ProgressMode,
) -> Result<Summary, Error> {
    let text = std::fs::read_to_string(input).map_err(|e| {
        Error::new(
            ErrorKind::Input,
            format!("cannot read {}: {e}", input.display()),
        )
    })?;
    let entries = crate::batch::input::parse(&text);
    let mut out: Box<dyn Write> = match output {
        Some(path) => Box::new(File::create(path).map_err(|e| {
            Error::new(
                ErrorKind::Input,
                format!("cannot create {}: {e}", path.display()),
            )
        })?),
        None => Box::new(std::io::stdout()),
    };
    let mut progress = Progress::new(entries.len(), progress);
    let mut write_error = None;
    let summary = engine::run(client, entries, options, |result| {
        progress.finished(result);
        if let Err(e) = report::write_jsonl(out.as_mut(), result) {
            write_error.get_or_insert(e);
        }
    })
    .await;
    progress.finish();
    if let Some(e) = write_error {
        return Err(Error::new(
            ErrorKind::Internal,
            format!("cannot write results: {e}"),
        ));
    }
    summary
}

/// Prints the summary table (or JSON) on stderr.
pub fn print_summary(summary: &Summary, options: &Options, json: bool) {
    if json {
        let counts: serde_json::Map<String, serde_json::Value> = summary
            .counts
            .iter()
            .map(|((v, s), n)| (format!("{v}:{}", s.as_str()), (*n).into()))
            .collect();
        let line = serde_json::json!({
            "summary": counts,
            "invalid": summary.invalid,
            "duplicates": summary.duplicates,
            "journal": options.journal.as_ref().map(|p: &PathBuf| p.display().to_string()),
        });
        eprintln!("{line}");
        return;
    }
    eprint!("{}", report::summary_table(summary));
    if let Some(path) = &options.journal
        && !options.dry_run
    {
        eprintln!("journal: {}", path.display());
    }
}
