//! `offerkit-e2e`: the `offerkit` command line, built inside the tests package so the
//! end-to-end tests can spawn (and `kill -9`) the real process. Same main as
//! `crates/cli/src/main.rs`.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    offerkit_cli::main().await.into()
}
