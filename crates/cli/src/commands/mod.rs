//! One module per non-trivial subcommand.

pub mod batch;
pub mod demo;
pub mod sandbox;
pub mod select;
pub mod single;
