//! The CLI's conventions as a process: named profiles in the default profile file, the
//! timeout/retry flags, CSV batch input (resumed exactly), completions and man pages.

use std::path::Path;

use offerkit_sandbox::{FaultKind, FaultMode, FaultRule, Sandbox};

use crate::cli_support::{
    NO_RATE_LIMITS, Run, TempDir, config_home, offerkit_with, sandbox_env, seed_appcharge,
};

/// Writes the default profile file of runs in `dir`, owner-only.
fn write_default_profile(dir: &Path, text: &str) -> std::path::PathBuf {
    let path = config_home(dir).join("offerkit/config.toml");
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(&path, text).expect("write profile");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    }
    path
}

async fn seeded(ids: &[&str]) -> Sandbox {
    let sandbox = Sandbox::start().await.expect("sandbox");
    seed_appcharge(
        &sandbox,
        &ids.iter().map(|id| (*id).to_owned()).collect::<Vec<_>>(),
    );
    sandbox
}

fn delete_args(id: &str) -> Vec<String> {
    ["appcharge", "delete", "--publisher-offer-id", id]
        .map(str::to_owned)
        .to_vec()
}

async fn run(env: &[(String, String)], dir: &Path, args: &[String]) -> Run {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    offerkit_with(env, dir, &args).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_named_profiles_come_from_the_default_file() {
    let sandbox = seeded(&["p-1", "p-2", "p-3"]).await;
    let root = sandbox.base_url().trim_end_matches('/').to_owned();
    let dir = TempDir::new("profiles");
    let profile_file = write_default_profile(
        dir.path(),
        &format!(
            "[profile.default.appcharge]\nurl = \"http://127.0.0.1:9\"\npublisher-token = \"default-token\"\n\n\
             [profile.staging]\nmax-retries = 0\n[profile.staging.appcharge]\nurl = \"{root}\"\npublisher-token = \"staging-token\"\n"
        ),
    );

    // --profile NAME reads [profile.NAME] of the default file.
    let mut args = vec!["--profile".to_owned(), "staging".to_owned()];
    args.extend(delete_args("p-1"));
    let staged = run(&[], dir.path(), &args).await;
    assert_eq!(staged.code, 0, "{staged:?}");
    assert_eq!(sandbox.succeeded_count("DELETE", "/v2/offer/p-1"), 1);

    // OFFERKIT_PROFILE is the same, in any position of the flags.
    let env = [("OFFERKIT_PROFILE".to_owned(), "staging".to_owned())];
    let from_env = run(&env, dir.path(), &delete_args("p-2")).await;
    assert_eq!(from_env.code, 0, "{from_env:?}");

    // An unknown name lists the names in the file, and nothing is sent.
    let mut args = delete_args("p-3");
    args.extend(["--profile".to_owned(), "prdo".to_owned()]);
    let unknown = run(&[], dir.path(), &args).await;
    assert_eq!(unknown.code, 2, "{unknown:?}");
    assert!(
        unknown
            .stderr
            .contains("unknown profile `prdo` (profiles: default, staging)")
            && unknown.stderr.contains(&profile_file.display().to_string()),
        "{unknown:?}"
    );

    // Without --profile the default profile is read (here: a closed port, so the call fails).
    let default = run(
        &[("OFFERKIT_MAX_RETRIES".to_owned(), "0".to_owned())],
        dir.path(),
        &delete_args("p-3"),
    )
    .await;
    assert_ne!(default.code, 0, "{default:?}");
    assert!(
        default.stderr.contains("127.0.0.1:9"),
        "the default profile's URL: {default:?}"
    );
    assert_eq!(sandbox.count("DELETE", "/v2/offer/p-3"), 0);

    // A value with a path separator is a file of its own: the single-profile format.
    let own = dir.path().join("own");
    std::fs::write(
        &own,
        format!("[appcharge]\nurl = \"{root}\"\npublisher-token = \"own-token\"\n"),
    )
    .expect("write");
    let mut args = vec!["--profile".to_owned(), own.display().to_string()];
    args.extend(delete_args("p-3"));
    let by_path = run(&[], dir.path(), &args).await;
    assert_eq!(by_path.code, 0, "{by_path:?}");

    // A name, with no default file at all, is an error naming the file it looked for.
    let empty = TempDir::new("profiles-none");
    let mut args = vec!["--profile".to_owned(), "staging".to_owned()];
    args.extend(delete_args("p-3"));
    let missing = run(&[], empty.path(), &args).await;
    assert_eq!(missing.code, 2, "{missing:?}");
    assert!(missing.stderr.contains("does not exist"), "{missing:?}");
    // ...while no name and no file is no error (the environment configures everything).
    let no_file = run(&sandbox_env(&sandbox), empty.path(), &delete_args("p-3")).await;
    assert_eq!(no_file.code, 3, "already retracted: {no_file:?}");
    sandbox.shutdown().await.expect("shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_retry_flags_reach_the_transport() {
    let sandbox = seeded(&["r-1", "r-2"]).await;
    let dir = TempDir::new("retry-flags");
    let env = sandbox_env(&sandbox);
    let outage = |path: &str| {
        FaultRule::new("DELETE", path, FaultKind::Status { status: 503 })
            .mode(FaultMode::NextN { next_n: 1 })
    };
    sandbox
        .inject_fault(outage("/v2/offer/r-1"))
        .expect("fault");
    let mut args = vec!["--max-retries".to_owned(), "0".to_owned()];
    args.extend(delete_args("r-1"));
    let no_retry = run(&env, dir.path(), &args).await;
    assert_eq!(no_retry.code, 1, "one 503 and no retry: {no_retry:?}");
    assert_eq!(sandbox.count("DELETE", "/v2/offer/r-1"), 1);

    sandbox
        .inject_fault(outage("/v2/offer/r-2"))
        .expect("fault");
    let mut args = delete_args("r-2");
    args.extend(["--retry-base-delay-ms", "1", "--retry-max-delay-ms", "1"].map(str::to_owned));
    let retried = run(&env, dir.path(), &args).await;
    assert_eq!(retried.code, 0, "the default retries: {retried:?}");
    assert_eq!(sandbox.count("DELETE", "/v2/offer/r-2"), 2);

    // A bad value names the flag that was given, not the variable it stands for.
    let mut args = delete_args("r-2");
    args.extend(["--timeout-secs", "0"].map(str::to_owned));
    let zero = run(&env, dir.path(), &args).await;
    assert_eq!(zero.code, 2, "{zero:?}");
    assert!(
        zero.stderr.contains("--timeout-secs must be at least 1"),
        "{zero:?}"
    );
    sandbox.shutdown().await.expect("shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_batch_reads_csv_and_resumes_by_physical_line() {
    let sandbox = seeded(&["c-1", "c,2", "c-3"]).await;
    let dir = TempDir::new("batch-csv");
    let input = dir.path().join("targets.csv");
    std::fs::write(
        &input,
        "\u{FEFF}# exported from the sheet\r\n\
         vendor,action,publisherOfferId,offerId,offerType\r\n\
         appcharge,delete,c-1,,\r\n\
         \r\n\
         appcharge,delete,\"c,2\",,\r\n\
         appcharge,delete,,,\r\n\
         appcharge,delete,\"c-3\r\n\
         \",,\r\n\
         appcharge,delete,c-3\r\n",
    )
    .expect("write");
    let input = input.display().to_string();
    let mut args = vec!["batch", input.as_str()];
    args.extend_from_slice(&NO_RATE_LIMITS);
    let first = offerkit_with(&sandbox_env(&sandbox), dir.path(), &args).await;
    assert_eq!(
        first.code, 2,
        "invalid rows and no vendor failure: {first:?}"
    );
    let by_line = |run: &Run| -> Vec<(u64, String, String)> {
        let mut rows: Vec<_> = run
            .json_lines()
            .iter()
            .map(|r| {
                (
                    r["line"].as_u64().unwrap_or(0),
                    r["status"].as_str().unwrap_or("").to_owned(),
                    r["error"].as_str().unwrap_or("").to_owned(),
                )
            })
            .collect();
        rows.sort();
        rows
    };
    let rows = by_line(&first);
    let statuses: Vec<(u64, &str)> = rows.iter().map(|(l, s, _)| (*l, s.as_str())).collect();
    assert_eq!(
        statuses,
        [
            (3, "retracted"),
            (5, "retracted"),
            (6, "invalid"),
            (7, "invalid"),
            (8, "invalid"),
            (9, "retracted")
        ],
        "{first:?}"
    );
    assert!(
        rows[2].2.contains("line 6")
            && rows[2]
                .2
                .contains("column 3 `publisherOfferId`: is required"),
        "{rows:?}"
    );
    assert!(rows[3].2.contains("line break"), "{rows:?}");

    // Resumed from the journal: the same rows by the same line numbers, nothing sent again.
    let again = offerkit_with(&sandbox_env(&sandbox), dir.path(), &args).await;
    let done: Vec<u64> = by_line(&again)
        .into_iter()
        .filter(|(_, s, _)| s == "skipped-done")
        .map(|(l, _, _)| l)
        .collect();
    assert_eq!(done, [3, 5, 9], "{again:?}");
    assert_eq!(sandbox.count("DELETE", "/v2/offer/c-1"), 1);

    // --format wins over the name: the same file read as JSONL is all invalid.
    let mut jsonl = vec![
        "batch",
        input.as_str(),
        "--format",
        "jsonl",
        "--dry-run",
        "--no-journal",
    ];
    jsonl.extend_from_slice(&NO_RATE_LIMITS);
    let as_jsonl = offerkit_with(&sandbox_env(&sandbox), dir.path(), &jsonl).await;
    let lines = as_jsonl.json_lines();
    assert!(!lines.is_empty(), "{as_jsonl:?}");
    assert!(
        lines.iter().all(|r| r["status"] == "invalid"),
        "{as_jsonl:?}"
    );
    sandbox.shutdown().await.expect("shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_completions_and_man_pages() {
    let dir = TempDir::new("completions");
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let script = offerkit_with(&[], dir.path(), &["completions", shell]).await;
        assert_eq!(script.code, 0, "{script:?}");
        for word in ["batch", "sandbox", "profile", "timeout-secs"] {
            assert!(script.stdout.contains(word), "{shell}: {word}");
        }
    }
    let page = offerkit_with(&[], dir.path(), &["man"]).await;
    assert!(page.stdout.contains(".SH NAME\nofferkit \\- "), "{page:?}");
    let man_dir = dir.path().join("man1");
    let pages = offerkit_with(
        &[],
        dir.path(),
        &["man", "--dir", &man_dir.display().to_string()],
    )
    .await;
    assert_eq!(pages.code, 0, "{pages:?}");
    let batch = std::fs::read_to_string(man_dir.join("offerkit-batch.1")).expect("batch page");
    assert!(batch.contains(".SH NAME"), "{batch}");
}
