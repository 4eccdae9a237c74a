//! What a single ingestion command shows while its configure job runs (minutes, at the documented
//! poll rate): the job's state and the next poll time, on stderr, from the facade's
//! [`RetractContext::with_job_progress`] hook. A spinner on a terminal, a line per poll otherwise.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use offerkit::{JobProgress, RetractContext};
use time::OffsetDateTime;
use time::macros::format_description;

/// The progress display of one retraction; [`JobProgressView::finish`] clears the spinner.
pub struct JobProgressView {
    spinner: Option<ProgressBar>,
}

impl JobProgressView {
    /// `ctx` with a progress hook: a spinner when stderr is a terminal, else one line per poll.
    pub fn attach(ctx: &RetractContext) -> (RetractContext, JobProgressView) {
        if std::io::stderr().is_terminal() {
            let spinner = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            if let Ok(style) = ProgressStyle::with_template("{spinner} {elapsed:>3} {wide_msg}") {
                spinner.set_style(style);
            }
            spinner.set_message("submitting the configure request");
            spinner.enable_steady_tick(Duration::from_millis(120));
            let shown = spinner.clone();
            let ctx = ctx
                .clone()
                .with_job_progress(move |p| shown.set_message(describe(p, now())));
            (
                ctx,
                JobProgressView {
                    spinner: Some(spinner),
                },
            )
        } else {
            let ctx = ctx
                .clone()
                .with_job_progress(|p| errln!("offerkit: {}", describe(p, now())));
            (ctx, JobProgressView { spinner: None })
        }
    }

    /// Clears the spinner (the outcome is printed next).
    pub fn finish(self) {
        if let Some(spinner) = self.spinner {
            spinner.finish_and_clear();
        }
    }
}

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

/// `job J: running after 2 polls; next poll at 12:01:00 UTC (in 60s)` (the vendor is the command's).
pub fn describe(p: &JobProgress, now: OffsetDateTime) -> String {
    let at = now + p.next_poll_in;
    let clock = at
        .format(format_description!("[hour]:[minute]:[second]"))
        .unwrap_or_default();
    let polls = match p.polls {
        0 => String::new(),
        1 => " after 1 poll".to_owned(),
        n => format!(" after {n} polls"),
    };
    let next = if p.polls == 0 { "first" } else { "next" };
    format!(
        "job {}: {}{polls}; {next} poll at {clock} UTC (in {}s)",
        p.job_id,
        p.state,
        p.next_poll_in.as_secs_f64().round()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use offerkit::{JobId, Vendor};

    fn progress(state: &str, polls: u32, next: Duration) -> JobProgress {
        JobProgress::new(
            Vendor::PartnerCenterIngestion,
            JobId::new("j-1").expect("id"),
            state,
            polls,
            Duration::from_secs(1),
            next,
        )
    }

    #[test]
    fn a_line_names_the_job_its_state_and_the_next_poll_time() {
        let noon = OffsetDateTime::from_unix_timestamp(43_200).expect("time");
        assert_eq!(
            describe(&progress("submitted", 0, Duration::ZERO), noon),
            "job j-1: submitted; first poll at 12:00:00 UTC (in 0s)"
        );
        assert_eq!(
            describe(&progress("running", 2, Duration::from_secs(60)), noon),
            "job j-1: running after 2 polls; next poll at 12:01:00 UTC (in 60s)"
        );
        assert!(
            describe(&progress("notStarted", 1, Duration::from_millis(50)), noon)
                .contains("after 1 poll;")
        );
    }
}
