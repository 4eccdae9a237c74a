//! One module per non-trivial subcommand.

pub mod apply;
pub mod batch;
pub mod completions;
pub mod confirm;
pub mod demo;
pub mod doctor;
pub mod job_progress;
pub mod man;
pub mod plan;
pub mod restore;
pub mod sandbox;
pub mod select;
pub mod single;
