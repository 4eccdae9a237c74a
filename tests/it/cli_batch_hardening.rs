//! `offerkit batch` hardened for production (issue 12), as a real process against
//! sandboxes in the test process: the journal is bound to its environment and locked,
//! keys cannot run together, a failed durable write stops the run resumably, replay names
//! unreadable lines, input lines are judged one by one, configuration is checked before
//! the first call, a dead endpoint trips a breaker, and an outcome says what this run did
//! (a lost delete response, a 404 that is not true).
//!
//! "Nothing sent" and "nothing repeated" are read from the sandbox request journal.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use offerkit_sandbox::{FaultKind, FaultRule, Sandbox, SandboxConfig};
use serde_json::{Value, json};

use crate::cli_support::{
    BIN, NO_RATE_LIMITS, Run, TempDir, command, command_running, jsonl, offerkit_with,
    offerkit_with_stdin, sandbox_env, seed_appcharge,
};

/// The Appcharge delete line for `id`.
fn appcharge_line(id: &str) -> String {
    json!({"vendor": "appcharge", "action": "delete", "publisherOfferId": id}).to_string()
}

/// The Appcharge delete path for `id` (ids here need no escaping).
fn appcharge_path(id: &str) -> String {
    format!("/v2/offer/{id}")
}

/// `n` ids `<tag>-0`, `<tag>-1`, …
fn ids(tag: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{tag}-{i}")).collect()
}

/// Writes `lines` (newline-terminated) to `dir/name` and returns its path.
fn write_lines(dir: &Path, name: &str, lines: &[String]) -> String {
    let path = dir.join(name);
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(&path, text).expect("write input");
    path.display().to_string()
}

/// Writes one Appcharge delete line per id to `dir/targets.jsonl`.
fn write_appcharge_input(dir: &Path, ids: &[String]) -> String {
    let lines: Vec<String> = ids.iter().map(|id| appcharge_line(id)).collect();
    write_lines(dir, "targets.jsonl", &lines)
}

/// `batch ARGS… --rate-limit …=0` with `env`, in `dir`.
async fn batch(env: &[(String, String)], dir: &Path, args: &[&str]) -> Run {
    offerkit_with(env, dir, &batch_args(args)).await
}

/// `["batch", ARGS…, --rate-limit …=0]`.
fn batch_args<'a>(args: &[&'a str]) -> Vec<&'a str> {
    let mut all = vec!["batch"];
    all.extend_from_slice(args);
    all.extend_from_slice(&NO_RATE_LIMITS);
    all
}

/// Results per input line.
fn by_line(results: &[Value]) -> HashMap<u64, Value> {
    results
        .iter()
        .map(|r| (r["line"].as_u64().unwrap_or(0), r.clone()))
        .collect()
}

/// The status of every result, counted.
fn status_counts(results: &[Value]) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for r in results {
        *counts
            .entry(r["status"].as_str().unwrap_or("?").to_owned())
            .or_default() += 1;
    }
    counts
}

/// Requests the sandbox saw, as `(method, path)`.
fn requests(sandbox: &Sandbox) -> Vec<(String, String)> {
    sandbox
        .journal()
        .into_iter()
        .map(|e| (e.method, e.path))
        .collect()
}

/// The journal's lines: the v2 header first, then records.
fn journal_lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// `done` records in the journal so far (0 if it does not exist yet).
fn done_records(path: &Path) -> usize {
    journal_lines(path)
        .iter()
        .filter(|l| l.contains(r#""state":"done""#))
        .count()
}

/// The 1-based number of the journal line recording `state` for the Appcharge offer `id`.
fn journal_line_of(path: &Path, id: &str, state: &str) -> usize {
    let key = format!(r#""key":"appcharge:delete:{id}""#);
    let state = format!(r#""state":"{state}""#);
    journal_lines(path)
        .iter()
        .position(|l| l.contains(&key) && l.contains(&state))
        .map(|i| i + 1)
        .unwrap_or_else(|| panic!("no {state} record for {id} in {:?}", journal_lines(path)))
}

/// Polls `ready` every 10 ms (at most 10 s): waits for another process, never for a time.
async fn wait_until(what: &str, mut ready: impl FnMut() -> bool) {
    for _ in 0..1000 {
        if ready() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("timed out waiting until {what}");
}

/// `sandbox_env` with `key` set to `value`.
fn with_var(mut env: Vec<(String, String)>, key: &str, value: &str) -> Vec<(String, String)> {
    env.retain(|(k, _)| k != key);
    env.push((key.to_owned(), value.to_owned()));
    env
}

/// `env` without the keys for which `drop` is true.
fn without(env: Vec<(String, String)>, drop: impl Fn(&str) -> bool) -> Vec<(String, String)> {
    env.into_iter().filter(|(k, _)| !drop(k)).collect()
}

// ---------------------------------------------------------------------------------------
// The lock
// ---------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_run_on_a_journal_in_use_exits_at_once_sending_and_touching_nothing() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let offers = ids("lock", 120);
    seed_appcharge(&sandbox, &offers);
    // One target hangs in the sandbox, so run 1 holds its journal for as long as the test
    // needs (it is killed at the end); every other target finishes.
    let held = &offers[3];
    sandbox
        .inject_fault(FaultRule::new(
            "DELETE",
            &appcharge_path(held),
            FaultKind::Delay { millis: 120_000 },
        ))
        .expect("fault");
    let dir = TempDir::new("batch-lock");
    let input = write_appcharge_input(dir.path(), &offers);
    let journal = dir.path().join("targets.jsonl.journal");
    let results = dir.path().join("results.jsonl");
    let env = sandbox_env(&sandbox);

    let mut first = command(&env, dir.path())
        .args(batch_args(&[
            &input,
            "--concurrency",
            "4",
            "-o",
            "results.jsonl",
        ]))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn run 1");
    let others: Vec<String> = offers.iter().filter(|id| *id != held).cloned().collect();
    wait_until("run 1 finished all but the held target", || {
        let answered = others
            .iter()
            .all(|id| sandbox.succeeded_count("DELETE", &appcharge_path(id)) == 1);
        answered && done_records(&journal) == others.len()
    })
    .await;
    assert!(first.try_wait().expect("wait").is_none(), "run 1 ended");
    let sent_before = sandbox.journal().len();
    let journal_before = std::fs::read(&journal).expect("journal");
    let results_before = std::fs::read(&results).expect("run 1's results file");
    let sentinel = dir.path().join("other-results.jsonl");
    std::fs::write(&sentinel, "sentinel\n").expect("write");

    // The same command, and the same with another results file: both refused at once.
    // The same command; the same with another results file; and one asking for a new
    // journal, which must not move a journal in use aside.
    let seconds: [&[&str]; 3] = [
        &[&input, "-o", "results.jsonl"],
        &[&input, "-o", "other-results.jsonl"],
        &[&input, "--new-journal", "-o", "other-results.jsonl"],
    ];
    for args in seconds {
        // (Bounded only so that a run that is not refused fails the test instead of
        // waiting for the held target.)
        let second = tokio::time::timeout(Duration::from_secs(30), batch(&env, dir.path(), args))
            .await
            .expect("the second run did not exit at once");
        assert_eq!(second.code, 2, "{second:?}");
        assert!(second.stderr.contains("in use"), "{second:?}");
        assert!(
            second.stderr.contains("targets.jsonl.journal"),
            "names the journal: {second:?}"
        );
    }
    assert_eq!(
        sandbox.journal().len(),
        sent_before,
        "the second run sent nothing"
    );
    assert_eq!(std::fs::read(&journal).expect("journal"), journal_before);
    // The lock is taken before `-o` is opened: neither file was truncated or written.
    assert_eq!(
        std::fs::read_to_string(&sentinel).expect("sentinel"),
        "sentinel\n"
    );
    let results_after = std::fs::read(&results).expect("results");
    assert!(
        results_after.starts_with(&results_before),
        "run 1's results file was rewritten"
    );
    let entries: Vec<String> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !entries.iter().any(|n| n.ends_with(".old")),
        "a journal in use was moved aside: {entries:?}"
    );

    // Killed, run 1 holds nothing any more: the same command resumes and finishes.
    first.start_kill().expect("kill -9 run 1");
    let _ = first.wait().await;
    sandbox.clear_faults();
    let resumed = batch(&env, dir.path(), &[&input, "-o", "results.jsonl"]).await;
    assert_eq!(resumed.code, 0, "{resumed:?}");
    let results = jsonl(&std::fs::read_to_string(&results).expect("results"));
    assert_eq!(
        status_counts(&results).get("skipped-done"),
        Some(&others.len()),
        "{results:?}"
    );
    assert_eq!(sandbox.succeeded_count("DELETE", &appcharge_path(held)), 1);
    assert_eq!(sandbox.state()["appcharge"]["offers"], json!([]));
}

// ---------------------------------------------------------------------------------------
// The environment a journal was written against
// ---------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_journal_of_another_environment_is_refused_until_a_new_journal_is_started() {
    let staging = Sandbox::start().await.expect("sandbox");
    let production = Sandbox::start().await.expect("sandbox");
    let offers = ids("env", 4);
    seed_appcharge(&staging, &offers);
    seed_appcharge(&production, &offers);
    let dir = TempDir::new("batch-env");
    let input = write_appcharge_input(dir.path(), &offers);
    let journal = dir.path().join("targets.jsonl.journal");

    let run = batch(&sandbox_env(&staging), dir.path(), &[&input]).await;
    assert_eq!(run.code, 0, "{run:?}");
    let header: Value =
        serde_json::from_str(&journal_lines(&journal)[0]).expect("the header is JSON");
    assert_eq!(header["offerkitJournal"], 2, "{header}");
    let appcharge = header["environment"]["appcharge"].to_string();
    assert!(appcharge.contains(staging.base_url()), "{header}");
    let text = std::fs::read_to_string(&journal).expect("journal");
    assert!(
        !text.contains("e2e-publisher-token") && !text.contains("e2e-secret"),
        "the journal holds a secret: {text}"
    );
    let staging_journal = text;

    // The production run with staging's journal: refused, naming both, nothing sent.
    let refused = batch(&sandbox_env(&production), dir.path(), &[&input]).await;
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(
        refused.stderr.contains(staging.base_url())
            && refused.stderr.contains(production.base_url()),
        "names both environments: {refused:?}"
    );
    assert!(refused.stderr.contains("--new-journal"), "{refused:?}");
    assert!(
        requests(&production).is_empty(),
        "{:?}",
        requests(&production)
    );
    assert_eq!(
        std::fs::read_to_string(&journal).expect("journal"),
        staging_journal
    );

    // A new secret is not a new environment: the same URL resumes (all done).
    let rotated = with_var(
        sandbox_env(&staging),
        "OFFERKIT_APPCHARGE_PUBLISHER_TOKEN",
        "e2e-rotated-token",
    );
    let resumed = batch(&rotated, dir.path(), &[&input]).await;
    assert_eq!(resumed.code, 0, "{resumed:?}");
    assert_eq!(
        status_counts(&resumed.json_lines()).get("skipped-done"),
        Some(&offers.len()),
        "{resumed:?}"
    );
    let staging_journal = std::fs::read_to_string(&journal).expect("journal");

    // --new-journal moves the old one aside and acts.
    let fresh = batch(
        &sandbox_env(&production),
        dir.path(),
        &[&input, "--new-journal"],
    )
    .await;
    assert_eq!(fresh.code, 0, "{fresh:?}");
    let results = fresh.json_lines();
    assert_eq!(
        status_counts(&results).get("retracted"),
        Some(&offers.len())
    );
    for id in &offers {
        assert_eq!(production.count("DELETE", &appcharge_path(id)), 1, "{id}");
    }
    let moved: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            name.starts_with("targets.jsonl.journal.") && name.ends_with(".old")
        })
        .collect();
    assert_eq!(moved.len(), 1, "{moved:?}");
    let name = moved[0].file_name().and_then(|n| n.to_str()).unwrap_or("");
    let stamp = &name["targets.jsonl.journal.".len()..name.len() - ".old".len()];
    assert!(is_utc_stamp(stamp), "{name}");
    assert_eq!(
        std::fs::read_to_string(&moved[0]).expect("moved journal"),
        staging_journal
    );
    staging.shutdown().await.expect("shutdown");
    production.shutdown().await.expect("shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vendor_new_to_the_journal_is_recorded_then_held_to_its_environment() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let elsewhere = Sandbox::start().await.expect("sandbox");
    seed_appcharge(&sandbox, &["mixed-ac".to_owned()]);
    let perso = json!({"adobe": {"personalized": [
        {"id": "mixed-perso", "name": "Offer", "status": "approved"}]}});
    sandbox.seed(&perso).expect("seed");
    elsewhere.seed(&perso).expect("seed");
    let dir = TempDir::new("batch-env-added");
    let adobe_line = json!({"vendor": "adobe", "action": "delete", "offerId": "mixed-perso",
                            "offerType": "personalized"})
    .to_string();
    let env = sandbox_env(&sandbox);

    // Run 1 uses Appcharge only; the same file then gains an Adobe line.
    let input = write_lines(dir.path(), "targets.jsonl", &[appcharge_line("mixed-ac")]);
    let first = batch(&env, dir.path(), &[&input]).await;
    assert_eq!(first.code, 0, "{first:?}");
    write_lines(
        dir.path(),
        "targets.jsonl",
        &[appcharge_line("mixed-ac"), adobe_line],
    );
    let second = batch(&env, dir.path(), &[&input]).await;
    assert_eq!(
        second.code, 0,
        "a vendor the journal has not seen: {second:?}"
    );
    let results = by_line(&second.json_lines());
    assert_eq!(results[&1]["status"], "skipped-done", "{results:?}");
    assert_eq!(results[&2]["status"], "retracted", "{results:?}");

    // Adobe is now recorded too: pointing it elsewhere is refused.
    let moved = with_var(
        env.clone(),
        "OFFERKIT_ADOBE_URL",
        &format!("{}/data/core/dps", elsewhere.base_url()),
    );
    let refused = batch(&moved, dir.path(), &[&input]).await;
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(
        refused.stderr.contains(elsewhere.base_url()),
        "{}",
        refused.stderr
    );
    assert!(
        requests(&elsewhere).is_empty(),
        "{:?}",
        requests(&elsewhere)
    );
    sandbox.shutdown().await.expect("shutdown");
    elsewhere.shutdown().await.expect("shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_journal_twice_in_a_row_keeps_both_old_journals() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let offers = ids("twice", 2);
    seed_appcharge(&sandbox, &offers);
    let dir = TempDir::new("batch-new-twice");
    let input = write_appcharge_input(dir.path(), &offers);
    let journal = dir.path().join("targets.jsonl.journal");
    let env = sandbox_env(&sandbox);

    let mut kept = Vec::new();
    let first = batch(&env, dir.path(), &[&input]).await;
    assert_eq!(first.code, 0, "{first:?}");
    kept.push(std::fs::read_to_string(&journal).expect("journal"));
    // Two new journals within (most likely) the same second: the second move must not
    // replace the first one's old journal.
    for _ in 0..2 {
        let run = batch(&env, dir.path(), &[&input, "--new-journal"]).await;
        assert_eq!(run.code, 0, "{run:?}");
        kept.push(std::fs::read_to_string(&journal).expect("journal"));
    }
    let mut old: Vec<String> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "old"))
        .map(|p| std::fs::read_to_string(p).expect("old journal"))
        .collect();
    assert_eq!(old.len(), 2, "an old journal was replaced by the next one");
    old.sort();
    let mut expected = kept[..2].to_vec();
    expected.sort();
    assert_eq!(old, expected, "every moved journal is kept");
    sandbox.shutdown().await.expect("shutdown");
}

/// `yyyymmddThhmmssZ`.
fn is_utc_stamp(stamp: &str) -> bool {
    let b = stamp.as_bytes();
    b.len() == 16
        && b[8] == b'T'
        && b[15] == b'Z'
        && b[..8].iter().chain(&b[9..15]).all(u8::is_ascii_digit)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rehearsal_against_a_sandbox_does_not_make_the_real_run_skip() {
    let rehearsal = Sandbox::start().await.expect("sandbox");
    let offers = ids("rehearse", 3);
    seed_appcharge(&rehearsal, &offers);
    let rehearsal_url = rehearsal.base_url().to_owned();
    // The embedded sandbox (empty: every offer is already gone there), and an
    // `offerkit sandbox serve` stand-in through --sandbox-url.
    for flag in [vec!["--sandbox"], vec!["--sandbox-url", &rehearsal_url]] {
        let real = Sandbox::start().await.expect("sandbox");
        seed_appcharge(&real, &offers);
        let dir = TempDir::new("batch-rehearsal");
        let input = write_appcharge_input(dir.path(), &offers);
        let mut args = flag.clone();
        args.push(&input);
        let rehearsed = batch(&[], dir.path(), &args).await;
        assert_eq!(rehearsed.code, 0, "{flag:?}: {rehearsed:?}");
        assert!(dir.path().join("targets.jsonl.sandbox.journal").exists());
        assert!(
            !dir.path().join("targets.jsonl.journal").exists(),
            "{flag:?}: a rehearsal wrote the real run's default journal"
        );

        let run = batch(&sandbox_env(&real), dir.path(), &[&input]).await;
        assert_eq!(run.code, 0, "{flag:?}: {run:?}");
        let results = run.json_lines();
        assert_eq!(
            status_counts(&results).get("retracted"),
            Some(&offers.len()),
            "{flag:?}: {results:?}"
        );
        for id in &offers {
            assert_eq!(real.succeeded_count("DELETE", &appcharge_path(id)), 1);
        }
        assert_eq!(real.state()["appcharge"]["offers"], json!([]));
        real.shutdown().await.expect("shutdown");
    }
    rehearsal.shutdown().await.expect("shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_v1_journal_is_not_trusted_its_targets_are_read_back_and_it_continues_in_v2() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let offers = ids("v1", 3);
    // v1-0 was retracted by the 0.1 run; v1-1's call was announced, never made (killed).
    seed_appcharge(&sandbox, &offers[1..]);
    let dir = TempDir::new("batch-v1");
    let input = write_appcharge_input(dir.path(), &offers);
    let journal = dir.path().join("targets.jsonl.journal");
    // What offerkit 0.1 wrote: no header, records only. It names no environment (it may
    // be a rehearsal's), so its `done` cannot be believed without a read.
    let v1 = [
        json!({"line": 1, "key": "appcharge:delete:v1-0", "state": "started", "at": "2026-01-01T00:00:00Z"}),
        json!({"line": 1, "key": "appcharge:delete:v1-0", "state": "done",
               "outcome": {"status": "retracted"}, "at": "2026-01-01T00:00:01Z"}),
        json!({"line": 2, "key": "appcharge:delete:v1-1", "state": "started", "at": "2026-01-01T00:00:02Z"}),
    ]
    .iter()
    .map(|r| format!("{r}\n"))
    .collect::<String>();
    std::fs::write(&journal, &v1).expect("write v1 journal");
    let env = sandbox_env(&sandbox);

    let run = batch(&env, dir.path(), &[&input]).await;
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stderr.contains("targets.jsonl.journal") && run.stderr.contains("read back"),
        "says why every target is read back: {}",
        run.stderr
    );
    let results = by_line(&run.json_lines());
    for line in [1, 2, 3] {
        assert_eq!(results[&line]["resumed"], "read-back", "{results:?}");
    }
    assert_eq!(results[&1]["status"], "already-retracted", "{results:?}");
    assert_eq!(results[&2]["status"], "retracted", "{results:?}");
    assert_eq!(results[&3]["status"], "retracted", "{results:?}");
    assert_eq!(sandbox.count("DELETE", &appcharge_path("v1-0")), 0);
    assert_eq!(sandbox.state()["appcharge"]["offers"], json!([]));
    assert!(
        std::fs::read_to_string(&journal)
            .expect("journal")
            .starts_with(&v1),
        "the 0.1 records are kept"
    );

    // It continues in format 2, bound to this environment: a resume is all done, and
    // another environment is refused.
    let again = batch(&env, dir.path(), &[&input]).await;
    assert_eq!(again.code, 0, "{again:?}");
    assert_eq!(
        status_counts(&again.json_lines()).get("skipped-done"),
        Some(&3),
        "{again:?}"
    );
    let elsewhere = Sandbox::start().await.expect("sandbox");
    let refused = batch(&sandbox_env(&elsewhere), dir.path(), &[&input]).await;
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(requests(&elsewhere).is_empty());
    elsewhere.shutdown().await.expect("shutdown");
    sandbox.shutdown().await.expect("shutdown");
}

// ---------------------------------------------------------------------------------------
// Keys
// ---------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ids_with_colons_that_would_join_to_one_key_are_two_targets() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let order = |tenant: &str, id: &str| {
        json!({"id": id, "referenceCustomerId": tenant, "creationDate": "2099-01-01T00:00:00Z",
               "lineItems": [{"offerId": "DG7GMGF0FKZV:0003:DG7GMGF0DWMS", "quantity": 2}]})
    };
    sandbox
        .seed(&json!({"orders": [order("a", "b:c"), order("a:b", "c"), order("x%3Ay", "z"), order("x:y", "z")]}))
        .expect("seed");
    let dir = TempDir::new("batch-keys");
    let line = |tenant: &str, id: &str| {
        json!({"vendor": "partner-center-orders", "action": "cancel",
               "customerTenantId": tenant, "orderId": id})
        .to_string()
    };
    let input = write_lines(
        dir.path(),
        "targets.jsonl",
        &[
            line("a", "b:c"),
            line("a:b", "c"),
            // An id that looks escaped already.
            line("x%3Ay", "z"),
            line("x:y", "z"),
        ],
    );
    let env = sandbox_env(&sandbox);

    let run = batch(&env, dir.path(), &[&input]).await;
    assert_eq!(run.code, 0, "{run:?}");
    let results = run.json_lines();
    assert_eq!(results.len(), 4, "{results:?}");
    assert!(
        results.iter().all(|r| r["status"] == "retracted"),
        "{results:?}"
    );
    for order in sandbox.state()["orders"].as_array().expect("orders") {
        assert_eq!(order["lineItems"][0]["quantity"], 0, "{order}");
    }
    // And the journal tells them apart on resume.
    let again = batch(&env, dir.path(), &[&input]).await;
    assert_eq!(
        status_counts(&again.json_lines()).get("skipped-done"),
        Some(&4),
        "{again:?}"
    );
    sandbox.shutdown().await.expect("shutdown");
}

// ---------------------------------------------------------------------------------------
// A failed durable write
// ---------------------------------------------------------------------------------------

/// The journal file may not grow past this in the limited run: RLIMIT_FSIZE, set by
/// bash's `ulimit -f` (KiB) with SIGXFSZ ignored, so a write past it fails with EFBIG
/// ("File too large") after a partial write, as on a full disk. Results go to stdout, a
/// pipe, which the limit does not cover. (The workspace forbids `unsafe`, so no
/// `pre_exec` + `setrlimit` here.)
const JOURNAL_LIMIT_KIB: usize = 8;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_journal_write_stops_the_run_and_the_rerun_finishes_without_repeating() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let offers = ids("full", 80);
    seed_appcharge(&sandbox, &offers);
    let dir = TempDir::new("batch-full");
    let input = write_appcharge_input(dir.path(), &offers);
    let journal = dir.path().join("targets.jsonl.journal");
    let env = sandbox_env(&sandbox);
    let args = batch_args(&[&input, "--concurrency", "4"]);

    let output = command_running(&env, dir.path(), "bash")
        .arg("-c")
        .arg(format!(
            "trap '' XFSZ; ulimit -f {JOURNAL_LIMIT_KIB} && exec \"$0\" \"$@\""
        ))
        .arg(BIN)
        .args(&args)
        .output()
        .await
        .expect("spawn bash");
    let run = Run::from(output);
    assert_eq!(run.code, 1, "{run:?}");
    // One error says why, not one per target (progress lines of the targets it touched
    // may mention it; the summary may repeat the same message).
    let mut errors: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains("File too large") && !l.starts_with('['))
        .map(|l| l.trim_start_matches("offerkit: "))
        .collect();
    errors.dedup();
    assert_eq!(errors.len(), 1, "one error: {errors:#?}");
    assert!(
        errors[0].contains("targets.jsonl.journal"),
        "names the journal: {}",
        run.stderr
    );
    // Nothing failed one by one: what started finished, the rest was not attempted.
    let results = run.json_lines();
    for r in &results {
        assert!(
            matches!(r["status"].as_str(), Some("retracted" | "not-attempted")),
            "{r}"
        );
    }
    let sent: usize = offers
        .iter()
        .map(|id| sandbox.count("DELETE", &appcharge_path(id)) as usize)
        .sum();
    assert!(
        sent < offers.len() / 2,
        "the run went on after the journal failed: {sent} of {} sent",
        offers.len()
    );
    assert!(std::fs::metadata(&journal).expect("journal").len() <= JOURNAL_LIMIT_KIB as u64 * 1024);

    // Space is back: the same command finishes the rest, repeating no vendor call.
    let rerun = batch(&env, dir.path(), &[&input, "--concurrency", "4"]).await;
    assert_eq!(rerun.code, 0, "{rerun:?}");
    let results = rerun.json_lines();
    assert_eq!(results.len(), offers.len());
    for r in &results {
        assert!(
            matches!(
                r["status"].as_str(),
                Some("retracted" | "already-retracted" | "skipped-done")
            ),
            "{r}"
        );
    }
    for id in &offers {
        assert_eq!(
            sandbox.count("DELETE", &appcharge_path(id)),
            1,
            "{id}: {:?}",
            sandbox
                .journal()
                .iter()
                .filter(|e| e.path == appcharge_path(id))
                .map(|e| (&e.method, e.status))
                .collect::<Vec<_>>()
        );
    }
    assert_eq!(sandbox.state()["appcharge"]["offers"], json!([]));

    // The half-written record was not left in the middle of the journal.
    let replay = batch(&env, dir.path(), &[&input]).await;
    assert_eq!(replay.code, 0, "{replay:?}");
    assert!(!replay.stderr.contains("unreadable"), "{}", replay.stderr);
    assert_eq!(
        status_counts(&replay.json_lines()).get("skipped-done"),
        Some(&offers.len()),
        "{replay:?}"
    );
    sandbox.shutdown().await.expect("shutdown");
}

// ---------------------------------------------------------------------------------------
// Replay of a damaged journal
// ---------------------------------------------------------------------------------------

/// Six Appcharge offers retracted one at a time (so the journal holds each target's
/// `started` then `done`), in `dir`; returns the sandbox, the ids, the input and journal.
async fn finished_run(tag: &str, dir: &Path) -> (Sandbox, Vec<String>, String, PathBuf) {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let offers = ids(tag, 6);
    seed_appcharge(&sandbox, &offers);
    let input = write_appcharge_input(dir, &offers);
    let run = batch(&sandbox_env(&sandbox), dir, &[&input, "--concurrency", "1"]).await;
    assert_eq!(run.code, 0, "{run:?}");
    let journal = dir.join("targets.jsonl.journal");
    (sandbox, offers, input, journal)
}

/// Replaces the journal's 1-based line `n` with `text`.
fn overwrite_line(journal: &Path, n: usize, text: &str) {
    let mut lines = journal_lines(journal);
    lines[n - 1] = text.to_owned();
    let joined: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(journal, joined).expect("write journal");
}

/// Whether one line of `stderr` says `word` and names the journal line number `n`.
fn names_line(stderr: &str, word: &str, n: usize) -> bool {
    stderr.lines().any(|l| {
        l.contains(word)
            && l.split(|c: char| !c.is_ascii_digit())
                .any(|number| number == n.to_string())
    })
}

/// Whether `stderr` reports a torn last line (a line saying "torn" that is not the
/// corruption notice, which may say "not a torn last line").
fn says_torn(stderr: &str) -> bool {
    stderr
        .lines()
        .any(|l| l.contains("torn") && !l.contains("unreadable"))
}

/// Asserts the resumed result of `id` read the offer back, and that no second DELETE went out.
fn assert_read_back(sandbox: &Sandbox, results: &[Value], id: &str) {
    let key = format!("appcharge:delete:{id}");
    let result = results
        .iter()
        .find(|r| r["key"] == key.as_str())
        .unwrap_or_else(|| panic!("no result for {key}: {results:?}"));
    assert_eq!(result["resumed"], "read-back", "{result}");
    assert!(
        matches!(
            result["status"].as_str(),
            Some("retracted" | "already-retracted")
        ),
        "{result}"
    );
    assert_eq!(sandbox.count("DELETE", &appcharge_path(id)), 1, "{id}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_names_a_corrupt_middle_line_and_reads_its_target_back() {
    let dir = TempDir::new("batch-corrupt");
    let (sandbox, offers, input, journal) = finished_run("corrupt", dir.path()).await;
    let damaged = journal_line_of(&journal, &offers[2], "done");
    overwrite_line(&journal, damaged, r#"{"line":3,"key":"appcharge:del"#);

    let run = batch(&sandbox_env(&sandbox), dir.path(), &[&input]).await;
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        names_line(&run.stderr, "unreadable", damaged),
        "{}",
        run.stderr
    );
    assert!(
        !says_torn(&run.stderr),
        "a middle line is not a torn last line: {}",
        run.stderr
    );
    let results = run.json_lines();
    assert_read_back(&sandbox, &results, &offers[2]);
    assert_eq!(
        status_counts(&results).get("skipped-done"),
        Some(&(offers.len() - 1)),
        "{results:?}"
    );
    sandbox.shutdown().await.expect("shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_tells_a_torn_last_line_apart_and_reads_its_target_back() {
    let dir = TempDir::new("batch-torn");
    let (sandbox, offers, input, journal) = finished_run("torn", dir.path()).await;
    let last = journal_lines(&journal).len();
    assert_eq!(last, journal_line_of(&journal, &offers[5], "done"));
    // The last record cut in half, without its newline (a kill during the write).
    let text = std::fs::read_to_string(&journal).expect("journal");
    let record = journal_lines(&journal)[last - 1].clone();
    let cut = text.len() - 1 - record.len() / 2;
    std::fs::write(&journal, &text[..cut]).expect("write journal");

    let run = batch(&sandbox_env(&sandbox), dir.path(), &[&input]).await;
    assert_eq!(run.code, 0, "{run:?}");
    assert!(names_line(&run.stderr, "torn", last), "{}", run.stderr);
    assert!(
        !run.stderr.contains("unreadable"),
        "a torn last line is not corruption: {}",
        run.stderr
    );
    let results = run.json_lines();
    assert_read_back(&sandbox, &results, &offers[5]);
    assert_eq!(
        status_counts(&results).get("skipped-done"),
        Some(&(offers.len() - 1)),
        "{results:?}"
    );
    sandbox.shutdown().await.expect("shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_whose_every_record_was_lost_is_read_back_not_repeated() {
    let dir = TempDir::new("batch-lost");
    let (sandbox, offers, input, journal) = finished_run("lost", dir.path()).await;
    let started = journal_line_of(&journal, &offers[1], "started");
    let done = journal_line_of(&journal, &offers[1], "done");
    overwrite_line(&journal, started, "\u{1}garbage");
    overwrite_line(&journal, done, "{]");

    let run = batch(&sandbox_env(&sandbox), dir.path(), &[&input]).await;
    assert_eq!(run.code, 0, "{run:?}");
    for n in [started, done] {
        assert!(names_line(&run.stderr, "unreadable", n), "{}", run.stderr);
    }
    assert_read_back(&sandbox, &run.json_lines(), &offers[1]);
    sandbox.shutdown().await.expect("shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupt_header_never_lets_another_environment_skip_targets() {
    let dir = TempDir::new("batch-header");
    let (staging, offers, input, journal) = finished_run("header", dir.path()).await;
    overwrite_line(&journal, 1, r#"{"offerkitJournal":2,"environm"#);
    let production = Sandbox::start().await.expect("sandbox");
    seed_appcharge(&production, &offers);

    // Either refused (nothing sent) or every target read back and acted on: never skipped.
    let run = batch(&sandbox_env(&production), dir.path(), &[&input]).await;
    assert!(names_line(&run.stderr, "unreadable", 1), "{}", run.stderr);
    let results = run.json_lines();
    if run.code == 2 {
        assert!(
            requests(&production).is_empty(),
            "{:?}",
            requests(&production)
        );
    } else {
        assert_eq!(run.code, 0, "{run:?}");
        assert!(
            !results.iter().any(|r| r["status"] == "skipped-done"),
            "skipped on a journal of unknown environment: {results:?}"
        );
        assert_eq!(production.state()["appcharge"]["offers"], json!([]));
    }
    staging.shutdown().await.expect("shutdown");
    production.shutdown().await.expect("shutdown");
}

// ---------------------------------------------------------------------------------------
// Input
// ---------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_byte_order_mark_is_ignored_and_invalid_utf8_invalidates_only_its_line() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let offers = ids("utf", 3);
    seed_appcharge(&sandbox, &offers);
    let dir = TempDir::new("batch-utf8");
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(appcharge_line(&offers[0]).as_bytes());
    bytes.extend_from_slice(
        b"\n{\"vendor\":\"appcharge\",\"action\":\"delete\",\"publisherOfferId\":\"utf-\xFF\"}\n",
    );
    // Line 3 as a Windows editor saves it.
    bytes.extend_from_slice(appcharge_line(&offers[2]).as_bytes());
    bytes.extend_from_slice(b"\r\n");
    let input = dir.path().join("targets.jsonl");
    std::fs::write(&input, &bytes).expect("write");

    let run = batch(
        &sandbox_env(&sandbox),
        dir.path(),
        &[&input.display().to_string()],
    )
    .await;
    assert_eq!(
        run.code, 2,
        "an invalid line and no vendor failure: {run:?}"
    );
    let results = by_line(&run.json_lines());
    assert_eq!(results.len(), 3, "{results:?}");
    assert_eq!(results[&1]["status"], "retracted", "{results:?}");
    assert_eq!(results[&2]["status"], "invalid", "{results:?}");
    assert!(
        results[&2]["error"]
            .as_str()
            .unwrap_or("")
            .starts_with("line 2: "),
        "{results:?}"
    );
    assert_eq!(results[&3]["status"], "retracted", "{results:?}");
    let deletes: Vec<_> = requests(&sandbox)
        .into_iter()
        .filter(|(m, _)| m == "DELETE")
        .collect();
    assert_eq!(deletes.len(), 2, "{deletes:?}");
    sandbox.shutdown().await.expect("shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ids_too_long_or_dot_dot_are_invalid_before_any_call() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let longest = "L".repeat(1024);
    seed_appcharge(&sandbox, std::slice::from_ref(&longest));
    let dir = TempDir::new("batch-ids");
    let too_long = "L".repeat(1025);
    let huge = "H".repeat(2 << 20);
    let lines = [
        appcharge_line(&longest),
        appcharge_line(&too_long),
        appcharge_line(".."),
        appcharge_line("."),
        appcharge_line(&huge),
        json!({"vendor": "adobe", "action": "delete", "offerId": "..", "offerType": "fallback"})
            .to_string(),
    ];
    let input = write_lines(dir.path(), "targets.jsonl", &lines);

    let run = batch(&sandbox_env(&sandbox), dir.path(), &[&input]).await;
    assert_eq!(run.code, 2, "{:?}", run.stderr);
    let results = by_line(&run.json_lines());
    assert_eq!(
        results[&1]["status"], "retracted",
        "the limit is 1,024 bytes"
    );
    for line in 2..=6 {
        assert_eq!(results[&line]["status"], "invalid", "line {line}");
        let error = results[&line]["error"].as_str().unwrap_or("");
        assert!(error.starts_with(&format!("line {line}: ")), "{error:.200}");
    }
    // A 2 MiB id is not copied around: the whole output stays small.
    assert!(
        run.stdout.len() + run.stderr.len() < 64 * 1024,
        "{} bytes of output",
        run.stdout.len() + run.stderr.len()
    );
    // Only the valid line was sent (the sandbox journal keeps the first 512 bytes of a path).
    let sent = requests(&sandbox);
    assert_eq!(sent.len(), 1, "{sent:.300?}");
    assert_eq!(sent[0].0, "DELETE");
    assert!(
        appcharge_path(&longest).starts_with(&sent[0].1),
        "{:.300}",
        sent[0].1
    );
    sandbox.shutdown().await.expect("shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn output_or_journal_naming_the_input_or_each_other_is_refused_and_changes_nothing() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let offers = ids("clash", 2);
    seed_appcharge(&sandbox, &offers);
    let dir = TempDir::new("batch-clash");
    let input = write_appcharge_input(dir.path(), &offers);
    let input_text = std::fs::read_to_string(&input).expect("input");
    let env = sandbox_env(&sandbox);
    // A real journal, of a finished run.
    let first = batch(&env, dir.path(), &[&input, "--journal", "mine.journal"]).await;
    assert_eq!(first.code, 0, "{first:?}");
    let journal = dir.path().join("mine.journal");
    let journal_text = std::fs::read_to_string(&journal).expect("journal");
    let journal = journal.display().to_string();
    let sent = requests(&sandbox).len();

    // Each names one file twice, spelled the same way or another way (relative to the
    // working directory, which is `dir`).
    std::os::unix::fs::symlink("targets.jsonl", dir.path().join("alias.jsonl")).expect("symlink");
    let clashes: [&[&str]; 6] = [
        &[&input, "-o", &input],
        &[&input, "-o", "./targets.jsonl"],
        &[&input, "-o", "alias.jsonl"],
        &[&input, "--journal", &input, "-o", "results.jsonl"],
        &[&input, "--journal", &journal, "-o", &journal],
        &[
            "targets.jsonl",
            "--journal",
            "mine.journal",
            "-o",
            "./mine.journal",
        ],
    ];
    for args in clashes {
        let run = batch(&env, dir.path(), args).await;
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
        assert_eq!(
            std::fs::read_to_string(&input).expect("input"),
            input_text,
            "{args:?}"
        );
        assert_eq!(
            std::fs::read_to_string(&journal).expect("journal"),
            journal_text,
            "{args:?}"
        );
    }
    assert_eq!(requests(&sandbox).len(), sent, "{:?}", requests(&sandbox));
    sandbox.shutdown().await.expect("shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_output_that_is_a_hard_link_of_the_input_is_refused() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let offers = ids("hardlink", 2);
    seed_appcharge(&sandbox, &offers);
    let dir = TempDir::new("batch-hardlink");
    let input = write_appcharge_input(dir.path(), &offers);
    let input_text = std::fs::read_to_string(&input).expect("input");
    // Another name for the same file: no path comparison can tell, the inode can.
    std::fs::hard_link(&input, dir.path().join("same.jsonl")).expect("hard link");

    let run = batch(
        &sandbox_env(&sandbox),
        dir.path(),
        &[&input, "-o", "same.jsonl"],
    )
    .await;
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(std::fs::read_to_string(&input).expect("input"), input_text);
    assert!(requests(&sandbox).is_empty(), "{:?}", requests(&sandbox));
    sandbox.shutdown().await.expect("shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_input_that_can_be_read_only_once_is_run_or_refused_never_hung_on() {
    // `offerkit batch <(jq … targets.json)`: the shell passes a pipe by name.
    let sandbox = Sandbox::start().await.expect("sandbox");
    let offers = ids("fifo", 3);
    seed_appcharge(&sandbox, &offers);
    let dir = TempDir::new("batch-fifo");
    let fifo = dir.path().join("targets.pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo");
    assert!(made.success());
    let text: String = offers
        .iter()
        .map(|id| format!("{}\n", appcharge_line(id)))
        .collect();
    let writer_path = fifo.clone();
    // A plain thread: it blocks in open() until the CLI opens the pipe, writes once, and
    // closes it, as the shell's process substitution does.
    std::thread::spawn(move || {
        use std::io::Write;
        if let Ok(mut pipe) = std::fs::OpenOptions::new().write(true).open(&writer_path) {
            let _ = pipe.write_all(text.as_bytes());
        }
    });
    let fifo = fifo.display().to_string();
    // (Bounded only so that a hang fails the test.)
    let run = tokio::time::timeout(
        Duration::from_secs(20),
        batch(
            &sandbox_env(&sandbox),
            dir.path(),
            &[&fifo, "--journal", "pipe.journal"],
        ),
    )
    .await
    .expect("the run hung on a named pipe");
    if run.code == 2 {
        assert!(requests(&sandbox).is_empty(), "{:?}", requests(&sandbox));
    } else {
        assert_eq!(run.code, 0, "{run:?}");
        assert_eq!(
            status_counts(&run.json_lines()).get("retracted"),
            Some(&offers.len()),
            "{run:?}"
        );
    }
    sandbox.shutdown().await.expect("shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stdin_input_needs_a_journal_choice_and_then_resumes_like_a_file() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let offers = ids("stdin", 3);
    seed_appcharge(&sandbox, &offers);
    let dir = TempDir::new("batch-stdin");
    let text: String = offers
        .iter()
        .map(|id| format!("{}\n", appcharge_line(id)))
        .collect();
    let env = sandbox_env(&sandbox);

    let refused = offerkit_with_stdin(&env, dir.path(), &batch_args(&["-"]), text.as_bytes()).await;
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(
        refused.stderr.contains("--journal") && refused.stderr.contains("--no-journal"),
        "{refused:?}"
    );
    assert!(requests(&sandbox).is_empty());

    let args = batch_args(&["-", "--journal", "stdin.journal"]);
    let run = offerkit_with_stdin(&env, dir.path(), &args, text.as_bytes()).await;
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        status_counts(&run.json_lines()).get("retracted"),
        Some(&offers.len())
    );
    let again = offerkit_with_stdin(&env, dir.path(), &args, text.as_bytes()).await;
    assert_eq!(again.code, 0, "{again:?}");
    assert_eq!(
        status_counts(&again.json_lines()).get("skipped-done"),
        Some(&offers.len()),
        "{again:?}"
    );

    // Without a journal: nothing to resume, the targets are simply run (already gone now).
    let unjournaled = offerkit_with_stdin(
        &env,
        dir.path(),
        &batch_args(&["-", "--no-journal"]),
        text.as_bytes(),
    )
    .await;
    assert_eq!(unjournaled.code, 0, "{unjournaled:?}");
    assert_eq!(
        status_counts(&unjournaled.json_lines()).get("already-retracted"),
        Some(&offers.len()),
        "{unjournaled:?}"
    );
    sandbox.shutdown().await.expect("shutdown");
}

// ---------------------------------------------------------------------------------------
// Systemic failures
// ---------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_settings_of_every_vendor_used_are_reported_at_once_before_any_call() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let dir = TempDir::new("batch-preflight");
    let mut lines = Vec::new();
    for i in 0..200 {
        lines.push(appcharge_line(&format!("pre-{i}")));
        lines.push(
            json!({"vendor": "adobe", "action": "delete", "offerId": format!("perso-{i}"),
                   "offerType": "personalized"})
            .to_string(),
        );
        lines.push(
            json!({"vendor": "partner-center-orders", "action": "cancel",
                   "customerTenantId": "customer-0", "orderId": format!("order-{i}")})
            .to_string(),
        );
    }
    let input = write_lines(dir.path(), "targets.jsonl", &lines);
    let missing = [
        "OFFERKIT_APPCHARGE_PUBLISHER_TOKEN",
        "OFFERKIT_ADOBE_CLIENT_SECRET",
        "OFFERKIT_ORDERS_CLIENT_ID",
    ];
    // Ingestion is not configured at all, and not used: not a problem.
    let env = without(sandbox_env(&sandbox), |k| {
        missing.contains(&k) || k.starts_with("OFFERKIT_INGESTION_")
    });

    let run = batch(&env, dir.path(), &[&input]).await;
    assert_eq!(run.code, 2, "{run:?}");
    for key in missing {
        assert!(run.stderr.contains(key), "{key} in {}", run.stderr);
    }
    assert!(
        !run.stderr.contains("OFFERKIT_INGESTION_"),
        "an unused vendor: {}",
        run.stderr
    );
    assert!(
        run.stderr.lines().count() < 20,
        "reported once, not per target: {}",
        run.stderr
    );
    assert!(
        !run.stdout.contains("\"failed\""),
        "no per-target failures: {:.500}",
        run.stdout
    );
    assert!(requests(&sandbox).is_empty(), "{:?}", requests(&sandbox));
    assert!(
        !dir.path().join("targets.jsonl.journal").exists()
            || done_records(&dir.path().join("targets.jsonl.journal")) == 0
    );
    sandbox.shutdown().await.expect("shutdown");
}

/// A loopback port where nothing listens (bound and released; the sandbox that stands
/// for the endpoint coming back binds it again later).
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_endpoint_trips_its_vendor_only_and_a_later_run_does_the_rest() {
    let adobe = Sandbox::start().await.expect("sandbox");
    let perso: Vec<String> = ids("perso", 4);
    let offers: Vec<Value> = perso
        .iter()
        .map(|id| json!({"id": id, "name": id, "status": "approved"}))
        .collect();
    adobe
        .seed(&json!({"adobe": {"personalized": offers}}))
        .expect("seed");
    let dead = ids("dead", 30);
    let mut lines: Vec<String> = dead.iter().map(|id| appcharge_line(id)).collect();
    lines.extend(perso.iter().map(|id| {
        json!({"vendor": "adobe", "action": "delete", "offerId": id, "offerType": "personalized"})
            .to_string()
    }));
    let dir = TempDir::new("batch-dead");
    let input = write_lines(dir.path(), "targets.jsonl", &lines);
    let port = free_port();
    let dead_url = format!("http://127.0.0.1:{port}");
    let env = with_var(sandbox_env(&adobe), "OFFERKIT_APPCHARGE_URL", &dead_url);

    let run = batch(&env, dir.path(), &[&input, "--concurrency", "4"]).await;
    assert_eq!(run.code, 1, "{run:?}");
    let results = run.json_lines();
    let appcharge: Vec<&Value> = results
        .iter()
        .filter(|r| r["key"].as_str().unwrap_or("").starts_with("appcharge:"))
        .collect();
    assert_eq!(appcharge.len(), dead.len());
    let counts = status_counts(&appcharge.iter().map(|r| (*r).clone()).collect::<Vec<_>>());
    let failed = counts.get("failed").copied().unwrap_or(0);
    let not_attempted = counts.get("not-attempted").copied().unwrap_or(0);
    assert_eq!(failed + not_attempted, dead.len(), "{counts:?}");
    // 5 consecutive connect failures trip the breaker; up to 3 more were in flight.
    assert!((1..=8).contains(&failed), "{counts:?}");
    let unreachable = run
        .stderr
        .lines()
        .filter(|l| l.contains("unreachable") && !l.starts_with('['))
        .count();
    assert_eq!(unreachable, 1, "said once: {}", run.stderr);
    // The other vendor went on.
    for id in &perso {
        let path = format!("/data/core/dps/offers/{id}");
        assert_eq!(adobe.succeeded_count("DELETE", &path), 1, "{id}");
    }

    // The endpoint is back (same URL): the journal lets the rerun do the rest.
    let appcharge_back = Sandbox::start_with(SandboxConfig {
        port,
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox on the dead port");
    assert_eq!(appcharge_back.base_url(), dead_url);
    seed_appcharge(&appcharge_back, &dead);
    let rerun = batch(&env, dir.path(), &[&input, "--concurrency", "4"]).await;
    assert_eq!(rerun.code, 0, "{rerun:?}");
    let results = by_line(&rerun.json_lines());
    for line in 1..=dead.len() as u64 {
        assert!(
            matches!(
                results[&line]["status"].as_str(),
                Some("retracted" | "already-retracted")
            ),
            "{}",
            results[&line]
        );
    }
    for line in dead.len() as u64 + 1..=lines.len() as u64 {
        assert_eq!(results[&line]["status"], "skipped-done");
    }
    assert_eq!(appcharge_back.state()["appcharge"]["offers"], json!([]));
    appcharge_back.shutdown().await.expect("shutdown");
    adobe.shutdown().await.expect("shutdown");
}

// ---------------------------------------------------------------------------------------
// Outcomes that are true
// ---------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delete_whose_response_was_lost_is_retracted_by_this_run_not_already_gone() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    sandbox
        .seed(&json!({
            "appcharge": {"offers": [{"publisherOfferId": "lost-resp", "name": "Pack", "type": "Bundle"}]},
            "adobe": {"personalized": [{"id": "lost-perso", "name": "Offer", "status": "approved"}]},
        }))
        .expect("seed");
    // Each DELETE acts, then its connection drops: the retry is answered 404.
    for path in ["/v2/offer/lost-resp", "/data/core/dps/offers/lost-perso"] {
        sandbox
            .inject_fault(
                FaultRule::new("DELETE", path, FaultKind::Drop)
                    .mode(offerkit_sandbox::FaultMode::NextN { next_n: 1 })
                    .when(offerkit_sandbox::FaultTiming::After),
            )
            .expect("fault");
    }
    let dir = TempDir::new("batch-lost-response");
    let input = write_lines(
        dir.path(),
        "targets.jsonl",
        &[
            appcharge_line("lost-resp"),
            json!({"vendor": "adobe", "action": "delete", "offerId": "lost-perso",
                   "offerType": "personalized"})
            .to_string(),
        ],
    );

    let run = batch(&sandbox_env(&sandbox), dir.path(), &[&input]).await;
    assert_eq!(run.code, 0, "{run:?}");
    let results = by_line(&run.json_lines());
    for line in [1, 2] {
        assert_eq!(
            results[&line]["status"], "retracted",
            "this run's first attempt deleted it: {}",
            results[&line]
        );
    }
    assert!(
        !run.stderr.contains("nothing was deleted"),
        "{}",
        run.stderr
    );
    let state = sandbox.state();
    assert_eq!(state["appcharge"]["offers"], json!([]));
    assert_eq!(state["adobe"]["personalized"], json!([]));
    sandbox.shutdown().await.expect("shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lone_404_to_an_appcharge_delete_is_read_back_before_it_counts_as_gone() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    seed_appcharge(&sandbox, &["still-live".to_owned()]);
    // A 404 that is not true (a proxy, a transient routing fault): the offer stays live.
    let path = appcharge_path("still-live");
    sandbox
        .inject_fault(
            FaultRule::new("DELETE", &path, FaultKind::Status { status: 404 })
                .mode(offerkit_sandbox::FaultMode::NextN { next_n: 1 }),
        )
        .expect("fault");
    let dir = TempDir::new("batch-lone-404");
    let input = write_appcharge_input(dir.path(), &["still-live".to_owned()]);
    let journal = dir.path().join("targets.jsonl.journal");

    let run = batch(&sandbox_env(&sandbox), dir.path(), &[&input]).await;
    let result = run.json_lines().first().cloned().unwrap_or(Value::Null);
    let read_back = requests(&sandbox)
        .iter()
        .any(|(method, p)| method == "GET" && p.starts_with("/v2/offer"));
    assert!(read_back, "no read-back: {run:?}");
    let live = sandbox.state()["appcharge"]["offers"] != json!([]);
    if live {
        // Whatever the run decided, it must not claim the offer is gone.
        assert_ne!(result["status"], "already-retracted", "{result}");
        assert_ne!(result["status"], "retracted", "{result}");
        assert_ne!(run.code, 0, "{run:?}");
        // And the journal does not call it done, so a rerun tries again.
        let journal_text = std::fs::read_to_string(&journal).unwrap_or_default();
        assert!(
            !journal_text.contains(r#""status":"already-retracted""#)
                && !journal_text.contains(r#""status":"retracted""#),
            "{journal_text}"
        );
    } else {
        assert_eq!(result["status"], "retracted", "{result}");
        assert_eq!(sandbox.succeeded_count("DELETE", &path), 1);
    }
    sandbox.shutdown().await.expect("shutdown");
}
