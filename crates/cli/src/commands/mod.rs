//! One module per non-trivial subcommand.

pub mod apply;
pub mod batch;
pub mod demo;
pub mod plan;
pub mod sandbox;
pub mod single;
