//! Small helpers, one job per file.

pub(crate) mod clock;
pub(crate) mod form;
pub(crate) mod glob;
pub(crate) mod ids;
pub(crate) mod jwt;
pub(crate) mod sync;
