//! `offerkit batch`: many targets from a JSONL or CSV file (or stdin), resumable through a journal,
//! in bounded memory whatever the input's size.
//!
//! - `audit`: who ran it and why (`--actor`, `--reason`), in journal records and results;
//! - `input`: the input, read line by line, each line checked on its own;
//! - `csv_rows`: CSV input: the header row and one target per row;
//! - `keys`: target identity as compact hashes, checked against the real keys;
//! - `scan`: the first pass (index, vendors used);
//! - `journal`: the durable, locked, environment-bound journal and its replay;
//! - `rate`: per-vendor rate limits and fixed pacing;
//! - `adaptive`: adaptive per-bucket pacing that follows the vendor's 429s;
//! - `engine`: concurrency, the resume algorithm and the stops;
//! - `report`: progress, results JSONL and the summary table.

pub mod adaptive;
pub mod audit;
pub mod csv_rows;
pub mod engine;
pub mod input;
pub mod journal;
pub mod keys;
pub mod rate;
pub mod report;
pub mod scan;
