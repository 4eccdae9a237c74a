//! The `offerkit` command line.
fn main() {}
