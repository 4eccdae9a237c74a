//! Repository automation: `cargo xtask codegen|bench|release`.
fn main() {}
