//! One test binary for every end-to-end test.

mod adobe_offers;
mod appcharge;
mod cli;
mod cli_batch;
mod cli_batch_hardening;
mod cli_conventions;
mod cli_doctor;
mod cli_plan;
mod cli_restore;
mod cli_select;
mod cli_support;
mod cli_workflow;
mod dockerfile;
mod pacing;
mod partner_center_ingestion;
mod partner_center_orders;
mod sandbox_languages;
mod sandbox_quota;
mod sandbox_serve;
mod secrets;
mod subscriptions;
