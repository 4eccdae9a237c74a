//! `offerkit sandbox serve`.

use std::io::Write;
use std::net::SocketAddr;

use offerkit::{Error, ErrorKind};
use offerkit_sandbox::{Sandbox, SandboxConfig};

use crate::args::ServeArgs;
use crate::exit::Exit;

/// Serves the sandbox until Ctrl-C or SIGTERM, then stops accepting, lets in-flight requests
/// finish and writes the state file.
pub async fn serve(args: &ServeArgs, json: bool) -> Exit {
    match serve_inner(args).await {
        Ok(()) => Exit::Success,
        Err(error) => {
            crate::print_error(&error, json);
            Exit::for_error(&error)
        }
    }
}

async fn serve_inner(args: &ServeArgs) -> Result<(), Error> {
    let config = SandboxConfig {
        host: args.host.clone(),
        port: args.port,
        seed: args.seed.clone(),
        state_file: args.state.clone(),
        ..SandboxConfig::default()
    };
    let config = args.quotas.iter().fold(config, |config, (scope, quota)| {
        config.with_quota(*scope, *quota)
    });
    let sandbox = Sandbox::start_with(config)
        .await
        .map_err(|e| Error::from_source(ErrorKind::Config, e))?;
    let mut banner = banner(sandbox.addr(), sandbox.base_url());
    for (scope, quota) in sandbox.quotas().iter() {
        banner.push_str(&format!(
            "quota: {scope} {quota} per {} (burst {})\n",
            scope.per(),
            quota.burst()
        ));
    }
    // The signal handlers first: a harness may send SIGTERM as soon as it has read the banner.
    let stopped = sandbox.wait();
    say(&banner);
    stopped
        .await
        .map_err(|e| Error::from_source(ErrorKind::Internal, e))?;
    match &args.state {
        Some(path) => say(&format!(
            "offerkit sandbox stopped; state written to {}\n",
            path.display()
        )),
        None => say("offerkit sandbox stopped\n"),
    }
    Ok(())
}

/// The start-up lines: the address actually bound and the root URL to give offerkit.
fn banner(bound: SocketAddr, base_url: &str) -> String {
    let root = base_url.trim_end_matches('/');
    let listening = if root.ends_with(&format!("//{bound}")) {
        root.to_owned()
    } else {
        // Bound to every interface: say so, and give the URL that reaches it from here.
        format!("http://{bound} (from this machine: {root})")
    };
    format!(
        "offerkit sandbox listening on {listening}\n\
         point offerkit at it with --sandbox-url {root} (or OFFERKIT_SANDBOX_URL); Ctrl-C or SIGTERM stops\n"
    )
}

/// Writes `text` to stderr in one write, ignoring failure. Never `eprintln!`: a harness that reads
/// the first line and closes the pipe must not make the server panic on a later write (a write
/// to a closed pipe fails with EPIPE; the server keeps serving and still exits 0).
fn say(text: &str) {
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::banner;

    #[test]
    fn banner_names_the_bound_address_and_the_url_to_use() {
        let local = banner("127.0.0.1:8787".parse().unwrap(), "http://127.0.0.1:8787");
        assert!(local.starts_with("offerkit sandbox listening on http://127.0.0.1:8787\n"));
        assert!(local.contains("--sandbox-url http://127.0.0.1:8787 "));
        let all = banner("0.0.0.0:8787".parse().unwrap(), "http://127.0.0.1:8787");
        assert!(all.starts_with(
            "offerkit sandbox listening on http://0.0.0.0:8787 (from this machine: http://127.0.0.1:8787)\n"
        ));
        let v6 = banner("[::]:8787".parse().unwrap(), "http://[::1]:8787");
        assert!(v6.starts_with(
            "offerkit sandbox listening on http://[::]:8787 (from this machine: http://[::1]:8787)\n"
        ));
    }
}
