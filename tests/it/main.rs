//! One test binary for every end-to-end test.

mod partner_center_orders;
