//! One test binary for every end-to-end test.

mod appcharge;
