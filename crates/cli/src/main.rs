//! The `offerkit` binary: see `offerkit --help` and the crate README.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    offerkit_cli::main().await.into()
}
