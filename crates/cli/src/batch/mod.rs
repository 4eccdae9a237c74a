//! `offerkit batch`: many targets from a JSONL file, resumable through a journal.
//!
//! - `input`: line parsing and validation;
//! - `journal`: the durable journal and its replay;
//! - `rate`: per-vendor rate limits;
//! - `engine`: concurrency and the resume algorithm;
//! - `report`: progress, results JSONL and the summary table.

pub mod engine;
pub mod input;
pub mod journal;
pub mod rate;
pub mod report;
