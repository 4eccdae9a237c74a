use super::*;
use crate::testutil::TempDir;

fn header() -> EnvironmentLine {
    EnvironmentLine {
        offerkit_journal: FORMAT,
        input: Some("in".to_owned()),
        environment: Environment::new(),
        at: now(),
    }
}

fn index(keys: &[&str]) -> KeyIndex {
    let mut index = KeyIndex::with_capacity(keys.len());
    for (i, key) in keys.iter().enumerate() {
        index.add(key, i + 1);
    }
    index.seal();
    index
}

#[tokio::test]
async fn a_torn_last_line_is_cut_before_appending() {
    let dir = TempDir::new("journal");
    let path = dir.path().join("in.jsonl.journal");
    let header = serde_json::to_string(&header()).expect("json");
    std::fs::write(&path, format!("{header}\n{{\"line\":1,\"key\":\"x\",\"sta")).expect("write");
    let keys = index(&["x"]);
    let locked = lock(&path).expect("lock");
    let before = locked.replay(&keys).expect("replay");
    assert_eq!(before.torn_last_line, Some(2));
    let journal = locked.start(None).await.expect("start");
    journal.started(1, "x").await.expect("append");
    drop(journal);
    let after = replay_file(&path, &keys).expect("replay");
    assert_eq!(after.torn_last_line, None);
    assert!(after.corrupt_lines.is_empty());
    assert_eq!(after.lines, 2);
    assert_eq!(after.prior(0), Some(Prior::InFlight));
}

#[tokio::test]
async fn a_second_lock_of_one_journal_is_refused_until_the_first_ends() {
    let dir = TempDir::new("journal-lock");
    let path = dir.path().join("j");
    let first = lock(&path).expect("first");
    let second = lock(&path).expect_err("second");
    assert!(second.to_string().contains("in use"), "{second}");
    assert!(second.to_string().contains(&path.display().to_string()));
    assert!(move_aside(&path).is_err(), "a held journal is not moved");
    drop(first);
    let aside = move_aside(&path).expect("move").expect("existed");
    assert!(aside.to_string_lossy().ends_with(".old"));
    assert!(!path.exists());
    lock(&path).expect("free again");
}

#[tokio::test]
async fn the_header_is_written_once_at_the_start() {
    let dir = TempDir::new("journal-header");
    let path = dir.path().join("j");
    let journal = lock(&path)
        .expect("lock")
        .start(Some(&header()))
        .await
        .expect("start");
    journal.started(1, "k").await.expect("append");
    let text = std::fs::read_to_string(&path).expect("read");
    let first = text.lines().next().expect("a line");
    assert!(EnvironmentLine::marks(first.as_bytes()), "{first}");
    let replay = replay_file(&path, &index(&["k"])).expect("replay");
    assert_eq!(replay.format, Format::Two);
    assert_eq!(replay.recorded.input.as_deref(), Some("in"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_appends_are_each_durable_whole_lines() {
    let dir = TempDir::new("journal-group");
    let path = dir.path().join("in.jsonl.journal");
    let journal = lock(&path)
        .expect("lock")
        .start(Some(&header()))
        .await
        .expect("start");
    let writers = (0..200).map(|i| {
        let journal = journal.clone();
        tokio::spawn(async move {
            let key = format!("appcharge:delete:p{i}");
            journal.started(i, &key).await.expect("append");
            // Once `started` returned, the record must already be in the file.
            let text = std::fs::read_to_string(journal.path()).expect("read");
            assert!(text.contains(&format!("\"{key}\"")));
        })
    });
    for writer in writers.collect::<Vec<_>>() {
        writer.await.expect("writer task");
    }
    let keys: Vec<String> = (0..200).map(|i| format!("appcharge:delete:p{i}")).collect();
    let keys = index(&keys.iter().map(String::as_str).collect::<Vec<_>>());
    let replay = replay_file(&path, &keys).expect("replay");
    assert!(replay.corrupt_lines.is_empty() && replay.torn_last_line.is_none());
    assert!((0..200).all(|slot| replay.prior(slot) == Some(Prior::InFlight)));
}

#[test]
fn default_paths_keep_sandbox_runs_apart() {
    let input = Path::new("/tmp/x/targets.jsonl");
    assert_eq!(
        default_path(input, false),
        PathBuf::from("/tmp/x/targets.jsonl.journal")
    );
    assert_eq!(
        default_path(input, true),
        PathBuf::from("/tmp/x/targets.jsonl.sandbox.journal")
    );
}
