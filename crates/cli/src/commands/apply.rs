//! `offerkit apply PLAN.jsonl`: the plan's `will-retract` targets through the batch engine.
//!
//! In order, and nothing is sent (no read either) before the last check passes:
//! 1. the plan is read and checked ([`crate::plan_file::read`]: a bad header or line is an input
//!    error naming the line);
//! 2. the current environment must be the plan's (the batch journal's fingerprint of the vendors
//!    the plan names);
//! 3. no more `will-retract` targets than `--max-targets`;
//! 4. confirmation: `--yes`, or on a terminal a y/N question after the counts per vendor and
//!    action and how many cannot be undone; without a terminal `--yes` is required.
//!
//! Every refusal exits 2. The targets then run as a batch whose input is the plan's
//! `will-retract` targets, each at its input line (results `line` is the input's), named by the
//! plan in the journal (default `PLAN.journal` beside it, `PLAN.sandbox.journal` against a
//! sandbox): a second `apply` of the same plan resumes. Each target is inspected again right
//! before its retraction ([`crate::batch::engine::Options::recheck`]): one that is no longer
//! `will-retract` is reported as it now is (already retracted, or failed as blocked with code
//! `ChangedSincePlan`) and nothing is sent for it.

use std::collections::BTreeMap;
use std::sync::Arc;

use offerkit::{Error, ErrorKind, Vendor};

use crate::args::ApplyArgs;
use crate::batch::input::{Input, InputFormat};
use crate::batch::journal::{self, Environment};
use crate::batch::report::{ProgressMode, count_table};
use crate::commands::batch::{
    Backend, Files, preflight, print_summary, refuse_clashes, run_input, run_options,
};
use crate::exit::Exit;
use crate::plan_file::{self, Plan, Planned};
use crate::setup::Session;

/// Runs the apply command.
pub async fn run(session: &Session, args: &ApplyArgs, json: bool) -> Exit {
    match apply(session, args, json).await {
        Ok(exit) => exit,
        Err(error) => {
            crate::print_error(&error, json);
            Exit::for_error(&error)
        }
    }
}

async fn apply(session: &Session, args: &ApplyArgs, json: bool) -> Result<Exit, Error> {
    let plan = plan_file::read(&args.plan)?;
    check_environment(&plan, &|vendors| session.environment(vendors), &args.plan)?;
    let chosen = plan.will_retract();
    if let Some(max) = args.max_targets
        && chosen.len() > max
    {
        return Err(Error::new(
            ErrorKind::Input,
            format!(
                "the plan has {} will-retract target(s), more than --max-targets {max}; nothing was sent",
                chosen.len()
            ),
        ));
    }
    if chosen.is_empty() {
        crate::commands::batch::notice("the plan has no will-retract target; nothing to do", json);
        return Ok(Exit::Success);
    }
    let name = std::fs::canonicalize(&args.plan)
        .unwrap_or_else(|_| args.plan.clone())
        .display()
        .to_string();
    let input = Input::spool_named(&mut targets_text(&chosen).as_bytes(), name)?;
    let files = Files {
        input: args.plan.clone(),
        // The plan's targets, spooled as JSONL lines.
        format: Some(InputFormat::Jsonl),
        journal: Some(
            args.journal
                .clone()
                .unwrap_or_else(|| journal::default_path(&args.plan, session.rehearsal)),
        ),
        new_journal: false,
        output: args.output.clone(),
    };
    // Everything that can refuse comes before the question: no "y" is asked for in vain.
    refuse_clashes(&files)?;
    let vendors: Vec<Vendor> = chosen
        .iter()
        .map(|p| p.target.vendor())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    preflight(&session.client, &vendors, "the plan")?;
    if !args.yes {
        confirm(&chosen)?;
    }
    let mut options = run_options(&args.pacing, &args.audit, session.client.context().clone());
    options.recheck = true;
    let environment = |vendors: &[Vendor]| session.environment(vendors);
    let backend = Backend {
        client: Arc::clone(&session.client),
        environment: &environment,
    };
    let summary = run_input(
        &backend,
        &files,
        &options,
        ProgressMode::detect(),
        json,
        input,
    )
    .await?;
    print_summary(&summary, &files, &options, json);
    Ok(Exit::for_batch(&summary))
}

/// Refuses a plan made against another environment than the current one.
fn check_environment(
    plan: &Plan,
    current: &dyn Fn(&[Vendor]) -> Environment,
    path: &std::path::Path,
) -> Result<(), Error> {
    let mut vendors = Vec::new();
    for id in plan.header.environment.keys() {
        let vendor = Vendor::parse(id).ok_or_else(|| {
            Error::new(
                ErrorKind::Input,
                format!(
                    "{}: line 1: unknown vendor {id:?} in the plan's environment; nothing was sent",
                    path.display()
                ),
            )
        })?;
        vendors.push(vendor);
    }
    for planned in &plan.targets {
        if !vendors.contains(&planned.target.vendor()) {
            return Err(Error::new(
                ErrorKind::Input,
                format!(
                    "{}: the plan's environment does not name {}, which its line {} uses; nothing was sent",
                    path.display(),
                    planned.target.vendor(),
                    planned.line
                ),
            ));
        }
    }
    let now = current(&vendors);
    let differences: Vec<String> = plan
        .header
        .environment
        .iter()
        .filter(|(vendor, theirs)| now.get(*vendor) != Some(theirs))
        .map(|(vendor, theirs)| {
            format!(
                "{vendor}: the plan has {}; this run uses {}",
                journal::describe(theirs),
                now.get(vendor).map_or_else(String::new, journal::describe)
            )
        })
        .collect();
    if differences.is_empty() {
        return Ok(());
    }
    Err(Error::new(
        ErrorKind::Config,
        format!(
            "the plan {} was made against another environment ({}). Nothing was sent. Make a new \
             plan against this environment with `offerkit plan`",
            path.display(),
            differences.join("; ")
        ),
    ))
}

/// Asks on the terminal; without one, refuses (`--yes` is required).
fn confirm(chosen: &[&Planned]) -> Result<(), Error> {
    crate::commands::confirm::confirm(
        &confirmation_text(chosen),
        "Retract these targets?",
        format!(
            "{} target(s) would be retracted and there is no terminal to confirm on: run again \
             with --yes to apply the plan; nothing was sent",
            chosen.len()
        ),
    )
}

/// The counts per vendor and action, and how many cannot be undone.
fn confirmation_text(chosen: &[&Planned]) -> String {
    let mut counts: BTreeMap<(Vendor, &'static str), (usize, usize)> = BTreeMap::new();
    for planned in chosen {
        let entry = counts
            .entry((planned.target.vendor(), planned.target.action().as_str()))
            .or_default();
        entry.0 += 1;
        if !planned.reversible {
            entry.1 += 1;
        }
    }
    let rows: Vec<(String, Vec<usize>)> = counts
        .iter()
        .map(|((vendor, action), (n, irreversible))| {
            (format!("{vendor} {action}"), vec![*n, *irreversible])
        })
        .collect();
    let irreversible: usize = counts.values().map(|(_, i)| i).sum();
    let mut text = count_table(&["targets", "irreversible"], &rows);
    text.push_str(&format!(
        "{} target(s) will be retracted; {irreversible} of them cannot be undone (not restorable).\n",
        chosen.len()
    ));
    text
}

/// The batch input of `chosen`: each target on its input line (blank lines between are skipped
/// by the reader), so results and journal name the input's line numbers.
fn targets_text(chosen: &[&Planned]) -> String {
    let mut text = String::new();
    let mut line = 1;
    for planned in chosen {
        while line < planned.line {
            text.push('\n');
            line += 1;
        }
        text.push_str(&planned.target.to_json().to_string());
        text.push('\n');
        line += 1;
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(text: &str) -> Plan {
        plan_file::parse("p", text.as_bytes()).expect("plan")
    }

    const PLAN: &str = concat!(
        r#"{"plan":{"version":1,"createdAt":"t","environment":{"appcharge":{"url":"http://a"}},"input":{"path":"/i","sha256":"00"}}}"#,
        "\n",
        r#"{"line":4,"key":"appcharge:delete:b","target":{"vendor":"appcharge","action":"delete","publisherOfferId":"b"},"verdict":"will-retract","reason":"r","reversible":true}"#,
        "\n",
        r#"{"line":2,"key":"appcharge:delete:a","target":{"vendor":"appcharge","action":"delete","publisherOfferId":"a"},"verdict":"will-retract","reason":"r","reversible":false}"#,
        "\n",
    );

    #[test]
    fn targets_keep_their_input_lines() {
        let plan = plan(PLAN);
        let text = targets_text(&plan.will_retract());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4);
        assert!(lines[1].contains("\"a\""), "{text}");
        assert!(lines[3].contains("\"b\""), "{text}");
        assert_eq!(lines[0], "");
        assert_eq!(lines[2], "");
    }

    #[test]
    fn another_environment_is_refused_naming_both() {
        let plan = plan(PLAN);
        let same = |_: &[Vendor]| plan.header.environment.clone();
        assert!(check_environment(&plan, &same, std::path::Path::new("p")).is_ok());
        let other = |_: &[Vendor]| {
            let mut env = Environment::new();
            env.entry("appcharge".to_owned())
                .or_default()
                .insert("url".to_owned(), "default".to_owned());
            env
        };
        let error = check_environment(&plan, &other, std::path::Path::new("p")).expect_err("x");
        assert_eq!(error.kind(), ErrorKind::Config);
        assert!(error.message().contains("url=http://a"), "{error}");
        assert!(error.message().contains("url=default"), "{error}");
    }

    #[test]
    fn the_confirmation_counts_irreversible_targets() {
        let plan = plan(PLAN);
        let text = confirmation_text(&plan.will_retract());
        assert!(text.contains("appcharge delete"), "{text}");
        assert!(
            text.contains("2 target(s) will be retracted; 1 of them cannot be undone"),
            "{text}"
        );
    }
}
