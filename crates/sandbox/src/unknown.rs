//! The unknown-field report: request fields no known-field list names (the lists are generated
//! from `specs/` into `generated/fields.rs`).

use serde_json::Value;

/// Appends `prefix + key` for every key of `value` (an object) not in `known`.
pub(crate) fn unknown_keys(value: &Value, known: &[&str], prefix: &str, out: &mut Vec<String>) {
    if let Some(obj) = value.as_object() {
        for key in obj.keys() {
            if !known.contains(&key.as_str()) {
                out.push(format!("{prefix}{key}"));
            }
        }
    }
}

/// The warning header value for a list of unknown fields.
pub(crate) fn warning_header(fields: &[String]) -> String {
    let list = fields.join(", ");
    let clean: String = list
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '?'
            }
        })
        .take(1000)
        .collect();
    format!("unknown field(s) ignored: {clean}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn header_lists_fields() {
        assert!(super::warning_header(&["a".into(), "b".into()]).ends_with("a, b"));
    }
}
