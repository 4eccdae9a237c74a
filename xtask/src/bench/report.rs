//! The bench report: one row per measured quantity, printed as a markdown table and written as JSON.

use serde_json::{Value, json};

/// One line of the report.
#[derive(Debug, Clone)]
pub struct Row {
    /// Figure number and what the row measures.
    pub figure: String,
    /// offerkit's value (with unit).
    pub offerkit: String,
    /// The baseline's value (with unit), or `-`.
    pub baseline: String,
    /// The ratio offerkit / baseline (or the figure itself when there is no baseline).
    pub ratio: Option<f64>,
    /// The target, as text.
    pub target: String,
    /// Whether the target was met; `None` when not measurable.
    pub pass: Option<bool>,
}

impl Row {
    /// A row that could not be measured, with the reason.
    pub fn unavailable(figure: &str, target: &str, reason: &str) -> Self {
        Self {
            figure: figure.to_owned(),
            offerkit: format!("unavailable: {reason}"),
            baseline: "-".to_owned(),
            ratio: None,
            target: target.to_owned(),
            pass: None,
        }
    }
}

/// The markdown table.
pub fn markdown(rows: &[Row]) -> String {
    let mut out = String::from(
        "| figure | offerkit | baseline | ratio | target | result |\n|---|---|---|---|---|---|\n",
    );
    for r in rows {
        let ratio = r.ratio.map_or("-".to_owned(), |x| format!("{x:.3}"));
        let result = match r.pass {
            Some(true) => "pass",
            Some(false) => "FAIL",
            None => "n/a",
        };
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            r.figure.replace('|', "/"),
            r.offerkit.replace('|', "/"),
            r.baseline.replace('|', "/"),
            ratio,
            r.target,
            result
        ));
    }
    out
}

/// The JSON report: the rows plus each figure's raw measurements.
pub fn json(rows: &[Row], raw: &Value, quick: bool) -> Value {
    json!({
        "quick": quick,
        "rows": rows.iter().map(|r| json!({
            "figure": r.figure,
            "offerkit": r.offerkit,
            "baseline": r.baseline,
            "ratio": r.ratio,
            "target": r.target,
            "pass": r.pass,
        })).collect::<Vec<_>>(),
        "raw": raw,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_has_one_line_per_row() {
        let rows = vec![
            Row {
                figure: "1".into(),
                offerkit: "1 ms".into(),
                baseline: "1 ms".into(),
                ratio: Some(1.0),
                target: "<= 1.05".into(),
                pass: Some(true),
            },
            Row::unavailable("3 WireMock", ">= 3x", "java missing"),
        ];
        let table = markdown(&rows);
        assert_eq!(table.lines().count(), 4);
        assert!(table.contains("| pass |") && table.contains("| n/a |"));
    }
}
