//! `offerkit sandbox serve`.

use std::io::Write;
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
    // Written once and never with eprintln!: a harness that reads the first line and closes the
    // pipe must not make the server panic on the second (a write to a closed stderr fails; the
    // server keeps serving).
    let root = sandbox.base_url().trim_end_matches('/').to_owned();
    let _ = write!(
        std::io::stderr().lock(),
        "offerkit sandbox listening on {root}\n\
         point offerkit at it with --sandbox-url {root} (or OFFERKIT_SANDBOX_URL); Ctrl-C stops\n"
    );
    let _ = tokio::signal::ctrl_c().await;
    sandbox
        .shutdown()
        .await
        .map_err(|e| Error::from_source(ErrorKind::Internal, e))
}
