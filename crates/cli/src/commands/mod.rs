//! One module per non-trivial subcommand.

pub mod batch;
pub mod completions;
pub mod demo;
pub mod man;
pub mod sandbox;
pub mod single;
