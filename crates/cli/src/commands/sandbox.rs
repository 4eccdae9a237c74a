//! `offerkit sandbox serve`.

use std::path::PathBuf;

use offerkit::{Error, ErrorKind};
use offerkit_sandbox::{Sandbox, SandboxConfig};

use crate::exit::Exit;

/// Serves the sandbox until Ctrl-C.
pub async fn serve(port: u16, seed: Option<PathBuf>, state: Option<PathBuf>, json: bool) -> Exit {
    match serve_inner(port, seed, state).await {
        Ok(()) => Exit::Success,
        Err(error) => {
            crate::print_error(&error, json);
            Exit::for_error(&error)
        }
    }
}

async fn serve_inner(
    port: u16,
    seed: Option<PathBuf>,
    state: Option<PathBuf>,
) -> Result<(), Error> {
    let config = SandboxConfig {
        port,
        seed,
        state_file: state,
        ..SandboxConfig::default()
    };
    let sandbox = Sandbox::start_with(config)
        .await
        .map_err(|e| Error::from_source(ErrorKind::Config, e))?;
    eprintln!("offerkit sandbox listening on {}", sandbox.base_url());
    eprintln!(
        "point offerkit at it with --ingestion-url/--orders-url/... or use --sandbox; Ctrl-C stops"
    );
    let _ = tokio::signal::ctrl_c().await;
    sandbox
        .shutdown()
        .await
        .map_err(|e| Error::from_source(ErrorKind::Internal, e))
}
