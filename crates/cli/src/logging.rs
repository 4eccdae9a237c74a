//! `-v` / `-vv` and `RUST_LOG`: a `tracing-subscriber` on stderr, so the request spans the library
//! emits (`offerkit.request`: vendor, operation, method, path, attempt, status, request id) and its
//! retry events can be seen.
//!
//! | Given | Filter |
//! |---|---|
//! | nothing | `warn` (the library's warnings only; nothing in a normal run) |
//! | `-v` | `warn,offerkit=debug` (one line per request when its span closes, and every retry) |
//! | `-vv` | `warn,offerkit=trace` |
//! | `RUST_LOG` | that filter (it wins over `-v`), e.g. `RUST_LOG=offerkit_transport=debug` |
//!
//! The spans hold no secret: credentials travel in headers, which are never recorded, and request
//! ids are scrubbed before they are (see `offerkit_transport::Redactor`).

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::FmtSpan;

/// The filter for `verbose` (the count of `-v`) when `RUST_LOG` is not set.
pub fn default_filter(verbose: u8) -> &'static str {
    match verbose {
        0 => "warn",
        1 => "warn,offerkit=debug",
        _ => "warn,offerkit=trace",
    }
}

/// Installs the subscriber for the process (once; a second call does nothing): `RUST_LOG` when set
/// and valid, else [`default_filter`] of `verbose`. Colours only when stderr is a terminal.
pub fn init(verbose: u8) {
    let filter = match std::env::var("RUST_LOG") {
        Ok(spec) if !spec.trim().is_empty() => EnvFilter::try_new(&spec).unwrap_or_else(|e| {
            errln!(
                "offerkit: RUST_LOG `{spec}` is not a valid filter ({e}); using `{}`",
                default_filter(verbose)
            );
            EnvFilter::new(default_filter(verbose))
        }),
        _ => EnvFilter::new(default_filter(verbose)),
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_span_events(FmtSpan::CLOSE)
        .with_target(true)
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_level_is_a_valid_filter_and_more_v_shows_more() {
        for verbose in 0..=3 {
            assert!(
                EnvFilter::try_new(default_filter(verbose)).is_ok(),
                "{verbose}"
            );
        }
        assert_eq!(default_filter(0), "warn");
        assert!(default_filter(1).contains("offerkit=debug"));
        assert_eq!(default_filter(2), default_filter(5));
    }
}
