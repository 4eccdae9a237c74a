//! Hand-written, quirk-tolerant building blocks that the generated models refer to.
//!
//! The specs in `specs/` name these types through `specs/lenient.schema.json`; `cargo xtask codegen` never
//! writes this module. Each block accepts what the vendors really send and writes back what it read:
//!
//! - [`lenient_enum!`](crate::lenient_enum): enums parsed case-insensitively (ignoring `_`, `-` and spaces),
//!   unknown values kept in an `Other(String)` variant, written back in the vendor's canonical casing.
//! - [`LenientDateTime`]: dates and datetimes kept as raw text, parsed on demand; `0001-01-01` style
//!   sentinels read as "not set" and unparsable text stays available.
//! - [`StringOrNumber`]: numbers that some samples send as strings (`"quantity": "100"`, `"expires_in": "3600"`).
//! - [`SchemaUri`]: `$schema` values, recognised even with stray spaces.
//! - [`RedactedString`]: access tokens that never appear in `Debug` output.
//! - [`nullable`] and [`from_slice_tolerant`]: explicit `null` kept apart from "absent", and duplicate-key
//!   tolerant parsing.

mod date;
mod dedup;
mod enums;
mod nullable;
mod number;
mod redacted;
mod schema_uri;

pub use date::{CalendarDate, DateValue, LenientDateTime, TimeOfDay, Timestamp};
pub use dedup::{
    deserialize_via_value, duplicates_resolved, fold_aliases, from_slice_tolerant,
    from_str_tolerant,
};
pub use enums::enum_text_eq;
pub use nullable::nullable;
pub use number::StringOrNumber;
pub use redacted::RedactedString;
pub use schema_uri::SchemaUri;
