//! Engine tests with fake vendors: exactly-once across an interrupted run.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use offerkit::{
    Client, Details, Error, JobHandle, JobId, JobInfo, Outcome, Probe, Retract, RetractContext,
    Target, Vendor, async_trait,
};

use super::*;
use crate::testutil::TempDir;

/// What the fake "vendor side" remembers, shared across runs.
#[derive(Default)]
struct World {
    /// key → number of times the retraction took effect vendor-side.
    effects: Mutex<HashMap<String, usize>>,
    /// job id → key, submitted but not finished.
    jobs: Mutex<HashMap<String, String>>,
    /// (event, key) in call order: "retract", "probe", "resume".
    events: Mutex<Vec<(&'static str, String)>>,
    calls: AtomicUsize,
    hung: AtomicUsize,
    /// Retractions that ran inside a pacing scope (adaptive pacing).
    paced: AtomicUsize,
}

impl World {
    fn event(&self, kind: &'static str, target: &Target) {
        self.events.lock().expect("lock").push((kind, target.key()));
    }
    fn effect(&self, key: &str) {
        *self
            .effects
            .lock()
            .expect("lock")
            .entry(key.to_owned())
            .or_default() += 1;
    }
    fn is_gone(&self, key: &str) -> bool {
        self.effects.lock().expect("lock").contains_key(key)
    }
}

struct Fake {
    vendor: Vendor,
    world: Arc<World>,
    /// Calls numbered from this on hang forever (even ones after taking effect or
    /// submitting their job, odd ones before reaching the vendor).
    hang_from: Option<usize>,
}

#[async_trait]
impl Retract for Fake {
    fn vendor(&self) -> Vendor {
        self.vendor
    }

    async fn retract(&self, target: &Target, ctx: &RetractContext) -> Outcome {
        self.world.event("retract", target);
        if offerkit::pacing::is_paced() {
            self.world.paced.fetch_add(1, Ordering::SeqCst);
        }
        let n = self.world.calls.fetch_add(1, Ordering::SeqCst);
        let key = target.key();
        let hang = self.hang_from.is_some_and(|k| n >= k);
        if hang && n % 2 == 1 {
            self.world.hung.fetch_add(1, Ordering::SeqCst);
            return std::future::pending().await;
        }
        if self.world.is_gone(&key) {
            return Outcome::AlreadyRetracted(Details::new());
        }
        if self.vendor == Vendor::PartnerCenterIngestion {
            let id = format!("job-{n}");
            self.world
                .jobs
                .lock()
                .expect("lock")
                .insert(id.clone(), key.clone());
            let handle = JobHandle::new(JobId::new(id.clone()).expect("id"));
            if let Err(error) = ctx.record_job(target, &handle).await {
                return Outcome::failed(error);
            }
            if hang {
                self.world.hung.fetch_add(1, Ordering::SeqCst);
                return std::future::pending().await; // polling, then killed
            }
            self.world.jobs.lock().expect("lock").remove(&id);
            self.world.effect(&key);
            let job = JobInfo::new(handle.id, "completed", Some("succeeded".into()));
            return Outcome::Retracted(Details::new().with_job(job));
        }
        self.world.effect(&key);
        if hang {
            self.world.hung.fetch_add(1, Ordering::SeqCst);
            return std::future::pending().await; // response lost
        }
        Outcome::Retracted(Details::new().with_request_id(format!("req-{n}")))
    }

    async fn probe(&self, target: &Target) -> Result<Probe, Error> {
        self.world.event("probe", target);
        Ok(if self.world.is_gone(&target.key()) {
            Probe::Gone(Details::new())
        } else {
            Probe::Present(Details::new())
        })
    }

    async fn resume(&self, target: &Target, job: &JobHandle, _: &RetractContext) -> Outcome {
        self.world.event("resume", target);
        let finished = self
            .world
            .jobs
            .lock()
            .expect("lock")
            .remove(job.id.as_str());
        match finished {
            Some(key) => {
                self.world.effect(&key);
                Outcome::Retracted(Details::new())
            }
            None => Outcome::AlreadyRetracted(Details::new()),
        }
    }
}

fn client(world: &Arc<World>, hang_from: Option<usize>) -> Arc<Client> {
    let fake = |vendor| {
        Arc::new(Fake {
            vendor,
            world: Arc::clone(world),
            hang_from,
        })
    };
    Arc::new(
        Client::builder()
            .register(fake(Vendor::Appcharge))
            .register(fake(Vendor::PartnerCenterIngestion))
            .build(),
    )
}

fn input_text(n: usize) -> String {
    (0..n)
        .map(|i| {
            if i % 2 == 0 {
                format!(r#"{{"vendor":"appcharge","action":"delete","publisherOfferId":"p{i}"}}"#)
            } else {
                format!(
                    r#"{{"vendor":"partner-center-ingestion","action":"delete","offerId":"o{i}"}}"#
                )
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Engine options and the journal of one test run.
struct Setup {
    options: Options,
    journal: Option<PathBuf>,
}

fn options(journal: Option<PathBuf>) -> Setup {
    Setup {
        options: Options {
            concurrency: 4,
            limits: Limits::unlimited(),
            ..Options::default()
        },
        journal,
    }
}

/// Runs `text` as the batch command does (input file beside the journal, so every run of one
/// journal reads the same input), reporting each result.
async fn run(
    client: Arc<Client>,
    text: &str,
    setup: &Setup,
    mut on_result: impl FnMut(&LineResult),
) -> Result<Summary, Error> {
    let spool;
    let input = match &setup.journal {
        Some(journal) => {
            let path = journal.with_extension("input.jsonl");
            std::fs::write(&path, text).expect("write input");
            path
        }
        None => {
            spool = tempfile::NamedTempFile::new().expect("temp file");
            std::fs::write(spool.path(), text).expect("write input");
            spool.path().to_owned()
        }
    };
    let environment = |_: &[Vendor]| crate::batch::journal::Environment::new();
    let backend = crate::commands::batch::Backend {
        client: Arc::clone(&client),
        environment: &environment,
    };
    let files = crate::commands::batch::Files {
        input,
        format: None,
        journal: setup.journal.clone(),
        new_journal: false,
        output: None,
    };
    let prepared = crate::commands::batch::prepare(&backend, &files, &setup.options, false).await?;
    super::run(
        client,
        &prepared.input,
        &prepared.scan,
        &prepared.replay,
        prepared.journal,
        &setup.options,
        |event| {
            if let Event::Result(result) = event {
                on_result(result)
            }
        },
    )
    .await
}

#[tokio::test]
async fn interrupted_run_resumes_without_repeating_or_skipping() {
    let dir = TempDir::new("engine");
    let journal_path = dir.path().join("targets.jsonl.journal");
    let text = input_text(20);
    let world = Arc::new(World::default());

    // Run 1: the 9th call onwards hangs; kill the run once all 4 slots are stuck.
    {
        let first_options = options(Some(journal_path.clone()));
        let run = run(client(&world, Some(8)), &text, &first_options, |_| {});
        tokio::pin!(run);
        loop {
            tokio::select! {
                _ = &mut run => panic!("run 1 should not finish"),
                _ = tokio::time::sleep(Duration::from_millis(1)) => {
                    if world.hung.load(Ordering::SeqCst) == 4 { break; }
                }
            }
        }
    } // dropped = killed
    let in_flight: HashSet<String> = {
        let events = world.events.lock().expect("lock");
        events[8..].iter().map(|(_, key)| key.clone()).collect()
    };
    assert_eq!(in_flight.len(), 4);
    world.events.lock().expect("lock").clear();

    // Run 2: no hangs.
    let mut results = Vec::new();
    let summary = run(
        client(&world, None),
        &text,
        &options(Some(journal_path.clone())),
        |r| results.push(r.clone()),
    )
    .await
    .expect("run 2");

    // Every target took effect exactly once.
    let effects = world.effects.lock().expect("lock").clone();
    assert_eq!(effects.len(), 20, "{effects:?}");
    assert!(effects.values().all(|n| *n == 1), "{effects:?}");
    // The 8 finished in run 1 were skipped, never touched again.
    assert_eq!(summary.total(LineStatus::SkippedDone), 8);
    assert_eq!(summary.total(LineStatus::Failed), 0);
    // Every in-flight target was read back (or its job resumed) before anything else.
    let events = world.events.lock().expect("lock").clone();
    for key in &in_flight {
        let first = events.iter().find(|(_, k)| k == key).expect("touched");
        assert!(
            first.0 == "probe" || first.0 == "resume",
            "{key} acted before reading back: {events:?}"
        );
    }
    // Nothing else was probed, and nothing done was touched.
    let touched: HashSet<&String> = events.iter().map(|(_, k)| k).collect();
    assert_eq!(touched.len(), 12);
    let resumed: Vec<_> = results.iter().filter(|r| r.resumed.is_some()).collect();
    assert_eq!(resumed.len(), 4);

    // Run 3: everything is done.
    world.events.lock().expect("lock").clear();
    let summary = run(
        client(&world, None),
        &text,
        &options(Some(journal_path)),
        |_| {},
    )
    .await
    .expect("run 3");
    assert_eq!(summary.total(LineStatus::SkippedDone), 20);
    assert!(world.events.lock().expect("lock").is_empty());
}

#[tokio::test]
async fn bad_lines_do_not_stop_the_others_and_dry_run_calls_nothing() {
    let world = Arc::new(World::default());
    let text = format!(
        "{}\n{{\"vendor\":\"appcharge\"}}\n{}\n{}",
        r#"{"vendor":"appcharge","action":"delete","publisherOfferId":"a"}"#,
        r#"{"vendor":"appcharge","action":"delete","publisherOfferId":"a"}"#,
        r#"{"vendor":"appcharge","action":"delete","publisherOfferId":".."}"#,
    );
    let mut dry = options(None);
    dry.options.dry_run = true;
    let mut results = Vec::new();
    let summary = run(client(&world, None), &text, &dry, |r| {
        results.push(r.clone())
    })
    .await
    .expect("dry run");
    assert!(world.events.lock().expect("lock").is_empty());
    results.sort_by_key(|r| r.line);
    let statuses: Vec<_> = results.iter().map(|r| r.status).collect();
    assert_eq!(
        statuses,
        [
            LineStatus::WouldRetract,
            LineStatus::Invalid,
            LineStatus::Duplicate,
            LineStatus::Invalid,
        ]
    );
    assert_eq!(
        results[1].error.as_deref(),
        Some("line 2: field `action`: is required")
    );
    assert_eq!(summary.invalid, 2);

    let summary = run(client(&world, None), &text, &options(None), |_| {})
        .await
        .expect("run");
    assert_eq!(summary.total(LineStatus::Retracted), 1);
    assert_eq!(summary.failures.get(&ErrorClass::User), Some(&2));
}

#[tokio::test]
async fn a_vendor_that_cannot_be_called_stops_the_batch_before_any_call() {
    let world = Arc::new(World::default());
    let text = [
        r#"{"vendor":"appcharge","action":"delete","publisherOfferId":"a"}"#,
        r#"{"vendor":"adobe","action":"delete","offerId":"x","offerType":"fallback"}"#,
    ]
    .join("\n");
    let error = run(client(&world, None), &text, &options(None), |_| {})
        .await
        .expect_err("refused");
    assert_eq!(error.kind(), offerkit::ErrorKind::Config);
    assert!(error.message().contains("adobe"), "{error}");
    assert!(
        world.events.lock().expect("lock").is_empty(),
        "nothing called"
    );
}

/// An ingestion fake whose retract records a job and then fails as `job_end` says;
/// counts every call.
struct JobFake {
    job_end: (&'static str, Option<&'static str>),
    retracts: AtomicUsize,
    resumes: AtomicUsize,
    probes: AtomicUsize,
}

impl JobFake {
    fn new(status: &'static str, result: Option<&'static str>) -> Arc<Self> {
        Arc::new(JobFake {
            job_end: (status, result),
            retracts: AtomicUsize::new(0),
            resumes: AtomicUsize::new(0),
            probes: AtomicUsize::new(0),
        })
    }
}

#[async_trait]
impl Retract for JobFake {
    fn vendor(&self) -> Vendor {
        Vendor::PartnerCenterIngestion
    }

    async fn retract(&self, target: &Target, ctx: &RetractContext) -> Outcome {
        let n = self.retracts.fetch_add(1, Ordering::SeqCst);
        let id = JobId::new(format!("job-{n}")).expect("id");
        if let Err(error) = ctx.record_job(target, &JobHandle::new(id.clone())).await {
            return Outcome::failed(error);
        }
        let (status, result) = self.job_end;
        Outcome::Failed {
            error: Error::new(offerkit::ErrorKind::Job, "job did not succeed"),
            details: Details::new().with_job(JobInfo::new(id, status, result.map(Into::into))),
        }
    }

    async fn probe(&self, _: &Target) -> Result<Probe, Error> {
        self.probes.fetch_add(1, Ordering::SeqCst);
        Ok(Probe::Present(Details::new()))
    }

    async fn resume(&self, _: &Target, job: &JobHandle, _: &RetractContext) -> Outcome {
        self.resumes.fetch_add(1, Ordering::SeqCst);
        let info = JobInfo::new(job.id.clone(), "completed", Some("succeeded".into()));
        Outcome::Retracted(Details::new().with_job(info))
    }
}

async fn run_twice(fake: &Arc<JobFake>) -> Vec<LineResult> {
    let dir = TempDir::new("job-rule");
    let journal = Some(dir.path().join("t.jsonl.journal"));
    let text = r#"{"vendor":"partner-center-ingestion","action":"delete","offerId":"o1"}"#;
    let client = Arc::new(Client::builder().register(fake.clone()).build());
    let mut results = Vec::new();
    for _ in 0..2 {
        run(Arc::clone(&client), text, &options(journal.clone()), |r| {
            results.push(r.clone())
        })
        .await
        .expect("run");
    }
    results
}

#[tokio::test]
async fn a_job_given_up_on_is_resumed_not_resubmitted() {
    // Run 1 stops polling while the job still runs (deadline); run 2 must poll that job.
    let fake = JobFake::new("running", None);
    let results = run_twice(&fake).await;
    assert_eq!(
        fake.retracts.load(Ordering::SeqCst),
        1,
        "a second job was submitted"
    );
    assert_eq!(fake.resumes.load(Ordering::SeqCst), 1);
    assert_eq!(fake.probes.load(Ordering::SeqCst), 0);
    assert_eq!(results[1].status, LineStatus::Retracted);
    assert_eq!(results[1].resumed, Some("job"));
}

#[tokio::test]
async fn a_job_that_ended_failed_falls_back_to_read_back_and_retract() {
    let fake = JobFake::new("completed", Some("failed"));
    let results = run_twice(&fake).await;
    assert_eq!(fake.resumes.load(Ordering::SeqCst), 0);
    assert_eq!(fake.probes.load(Ordering::SeqCst), 1);
    assert_eq!(fake.retracts.load(Ordering::SeqCst), 2);
    assert_eq!(results[1].resumed, Some("read-back"));
}

#[tokio::test]
async fn adaptive_pacing_runs_each_call_in_its_buckets_scope_and_fixed_pacing_does_not() {
    for (pacing, paced, buckets) in [
        (
            PacingMode::Adaptive,
            6,
            vec!["appcharge", "partner-center-ingestion"],
        ),
        (PacingMode::Fixed, 0, vec![]),
    ] {
        let world = Arc::new(World::default());
        let mut setup = options(None);
        setup.options.pacing = pacing;
        let summary = run(client(&world, None), &input_text(6), &setup, |_| {})
            .await
            .expect("run");
        assert_eq!(summary.total(LineStatus::Retracted), 6, "{pacing:?}");
        assert_eq!(world.paced.load(Ordering::SeqCst), paced, "{pacing:?}");
        let names: Vec<&str> = summary.buckets.iter().map(|b| b.bucket.as_str()).collect();
        assert_eq!(names, buckets, "{pacing:?}");
        // These fake vendors send no HTTP: nothing was admitted or throttled.
        assert!(
            summary
                .buckets
                .iter()
                .all(|b| b.requests == 0 && b.throttled == 0)
        );
    }
}
