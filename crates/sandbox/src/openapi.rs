//! The OpenAPI document.

use serde_json::{Value, json};

/// Builds the document.
pub(crate) fn document() -> Value {
    json!({"openapi": "3.0.3"})
}
