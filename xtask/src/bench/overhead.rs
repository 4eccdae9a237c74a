//! Figure 1: client overhead (offerkit vs bare reqwest, sequential, in-process stub server).

use serde_json::{Value, json};

use super::Ctx;
use super::procs::run_json;
use super::report::Row;

const FIGURE: &str =
    "1 client overhead: sequential Appcharge deletes, median of alternating blocks";
const TARGET: f64 = 1.05;

/// Runs `offerkit-bench overhead` and turns its JSON into a row.
pub fn run(ctx: &Ctx) -> (Vec<Row>, Value) {
    let (requests, rounds) = if ctx.quick { (1_000, 4) } else { (10_000, 20) };
    let mut command = ctx.bench();
    command.args([
        "overhead",
        "--requests",
        &requests.to_string(),
        "--rounds",
        &rounds.to_string(),
    ]);
    match run_json(command) {
        Ok(v) => {
            let f = |k: &str| v.get(k).and_then(Value::as_f64).unwrap_or(f64::NAN);
            let ratio = f("ratio");
            let row = Row {
                figure: format!("{FIGURE} (n={requests} each, {rounds} blocks per side)"),
                offerkit: format!(
                    "{:.0} ms ({:.1} µs/req)",
                    f("offerkit_ms"),
                    f("offerkit_us_per_request")
                ),
                baseline: format!(
                    "{:.0} ms ({:.1} µs/req)",
                    f("bare_ms"),
                    f("bare_us_per_request")
                ),
                ratio: Some(ratio),
                target: format!("<= {TARGET}"),
                pass: Some(ratio <= TARGET),
            };
            (vec![row], v)
        }
        Err(e) => (
            vec![Row::unavailable(FIGURE, &format!("<= {TARGET}"), &e)],
            json!({"error": e}),
        ),
    }
}
