//! One module per non-trivial subcommand.

pub mod batch;
pub mod demo;
pub mod doctor;
pub mod job_progress;
pub mod sandbox;
pub mod single;
