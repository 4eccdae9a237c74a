//! One test binary for every end-to-end test.

mod appcharge;
mod partner_center_ingestion;
mod partner_center_orders;
