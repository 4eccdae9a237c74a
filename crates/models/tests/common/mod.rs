//! Helpers shared by the integration tests: reading the seed documents and checking round trips.
#![allow(dead_code)]

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// The text of a seed document, copied verbatim from `../shared/seeds/` into `tests/fixtures/seeds/`.
pub fn seed(name: &str) -> String {
    let path = format!("{}/tests/fixtures/seeds/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Every JSON example of a seed document, exactly as printed: the bodies of its fenced ```JSON and ```http
/// blocks (HTTP request/status lines and headers before the first `{` line skipped), and unfenced objects
/// that start with a `{` line at column 0 (the Appcharge page has no fences).
pub fn json_examples(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let fence = line.trim_start();
        if let Some(lang) = fence.strip_prefix("```") {
            let lang = lang.trim().to_ascii_lowercase();
            let body: Vec<&str> = lines
                .by_ref()
                .take_while(|l| !l.trim_start().starts_with("```"))
                .collect();
            if (lang == "json" || lang == "http")
                && let Some(start) = body.iter().position(|l| l.trim_start().starts_with('{'))
            {
                out.push(body[start..].join("\n"));
            }
        } else if line == "{" {
            let mut body = vec![line];
            for l in lines.by_ref() {
                body.push(l);
                if l == "}" {
                    break;
                }
            }
            out.push(body.join("\n"));
        }
    }
    out
}

/// A named textual repair of an invalid seed example. Panics if `from` does not occur, so a repair never
/// silently stops applying.
pub fn repair(text: &str, what: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "repair `{what}`: `{from}` not found");
    text.replace(from, to)
}

/// Parses `text` as `T`, checks it serializes back to the same JSON value (every field kept, numbers as
/// read) and that parse → serialize → parse gives an equal value.
pub fn parse_lossless<T>(text: &str) -> T
where
    T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug,
{
    parse_lossless_canonical(text, &[])
}

/// [`parse_lossless`] where enum values are expected to be written back in canonical casing: each
/// `(sent, canonical)` pair (JSON string literals, quotes included) is applied to the original before
/// comparing.
pub fn parse_lossless_canonical<T>(text: &str, canonical: &[(&str, &str)]) -> T
where
    T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug,
{
    let parsed: T =
        serde_json::from_str(text).unwrap_or_else(|e| panic!("parse failed: {e}\n{text}"));
    let written = serde_json::to_value(&parsed).expect("serialize");
    let mut expected = text.to_owned();
    for (sent, canonical) in canonical {
        expected = repair(&expected, "canonical enum casing", sent, canonical);
    }
    let original: Value = serde_json::from_str(&expected).expect("original is JSON");
    assert_eq!(written, original, "writing back lost or changed something");
    let reparsed: T = serde_json::from_value(written).expect("reparse");
    assert_eq!(
        reparsed, parsed,
        "parse -> serialize -> parse changed the value"
    );
    parsed
}

/// `serde_json` rejects `text` (the seed example really is invalid, so the repair is needed).
pub fn assert_invalid_json(text: &str) {
    assert!(
        serde_json::from_str::<Value>(text).is_err(),
        "expected invalid JSON:\n{text}"
    );
}
