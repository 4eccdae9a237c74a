#![doc = include_str!("../README.md")]
//!
//! # Example
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), offerkit_sandbox::SandboxError> {
//! use offerkit_sandbox::{FaultKind, FaultMode, FaultRule, Sandbox};
//!
//! let sandbox = Sandbox::start().await?;
//! // The next two Appcharge deletes get a 429 with Retry-After: 1; the server does not act on them.
//! sandbox.inject_fault(
//!     FaultRule::new("DELETE", "/v2/offer/*", FaultKind::Throttle { retry_after_seconds: 1 })
//!         .mode(FaultMode::NextN { next_n: 2 }),
//! )?;
//! println!("point your clients at {}", sandbox.base_url());
//! sandbox.shutdown().await?;
//! # Ok(()) }
//! ```
//!
//! Modules: `vendors/` holds one slice per API family (routes, handlers, store, seeding, error
//! dialect, credential check); beside them the generic parts, which know no vendor.
// docs.rs builds with `--cfg docsrs` on nightly: feature-gated items get their "Available on crate feature" badge.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![recursion_limit = "512"]
// `Reply` (the error side of handler helpers) is a short-lived per-request value; boxing it buys nothing.
#![allow(clippy::result_large_err)]

/// The accept loop: HTTP/1.1 connections with a header-read timeout, graceful stop.
mod accept;
/// Shared state: config, the slices' stores, faults, journal, ids; seeding and the state file.
mod app;
/// [`SandboxConfig`] and its parts.
mod config;
/// The control API under `/_sandbox/`.
mod control;
/// Fault rules and the decision per request.
mod faults;
/// Generated from `specs/` by `cargo xtask codegen`: known-field lists and OpenAPI schemas.
mod generated;
/// The request journal and its exact counters.
mod journal;
/// The OpenAPI document: paths written here, schemas generated.
mod openapi;
/// The atomic state file.
mod persist;
/// Vendor quotas: token buckets per vendor bucket, and the 429 a request gets from an empty one.
mod quota;
/// The request context handlers read and the reply they produce.
mod reply;
/// Route tables and path matching.
mod routing;
/// The [`Sandbox`] handle and the request pipeline.
mod server;
/// Keyed JSON collections and the contract of a slice's store.
mod store;
/// The unknown-field report.
mod unknown;
/// Clocks, forms, globs, ids, poison-tolerant locks.
mod util;
/// One slice per API family.
mod vendors;

pub use config::{CancelWindows, ClientCredential, JobProgression, SandboxConfig};
pub use faults::{FaultId, FaultKind, FaultMode, FaultRule, FaultTiming};
pub use journal::{JournalEntry, JournalStorage};
pub use quota::{Quota, QuotaError, QuotaScope, Quotas};
pub use server::{Sandbox, WARNING_HEADER};
pub use vendors::identity::Audience;

/// The OpenAPI 3 document describing every path the sandbox serves (also at `GET /_sandbox/openapi.json`).
pub fn openapi_document() -> serde_json::Value {
    openapi::document()
}

/// Errors starting, seeding or stopping a sandbox.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SandboxError {
    /// The address could not be bound.
    #[error("could not bind {0}: {1}")]
    Bind(String, #[source] std::io::Error),
    /// Reading or writing a file failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// A seed document was invalid (nothing was applied).
    #[error("invalid seed: {0}")]
    Seed(String),
    /// A saved state file could not be loaded.
    #[error("invalid state file: {0}")]
    State(String),
    /// A fault rule was invalid.
    #[error("invalid fault rule: {0}")]
    Fault(String),
}
