//! The plan file `offerkit plan` writes and `offerkit apply` reads: JSONL, a header line
//! `{"plan": {"version": 1, "createdAt", "environment", "input": {"path", "sha256"}}}`, then one
//! line per target `{"line", "key", "target", "verdict", "reason", "reversible", "snapshot"?,
//! "error"?}`.

use std::collections::HashSet;
use std::io::{BufReader, Read};
use std::path::Path;

use offerkit::{Error, ErrorKind, Inspection, Target, Verdict};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::batch::input::{Lines, RawLine};
use crate::batch::journal::Environment;

/// The plan format this version writes and reads.
pub const VERSION: u32 = 1;

/// The first line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Header {
    /// Its one field.
    pub plan: HeaderBody,
}

/// What the header says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HeaderBody {
    /// [`VERSION`].
    pub version: u32,
    /// When the plan was made (RFC 3339, UTC).
    pub created_at: String,
    /// Where the reads went: the batch journal's fingerprint
    /// ([`crate::setup::Session::environment`]) of the vendors the input uses.
    pub environment: Environment,
    /// The input the plan was made from.
    pub input: InputRef,
}

/// The input of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputRef {
    /// As named in the journal (canonical path, or `<stdin>`).
    pub path: String,
    /// Lowercase hex SHA-256 of its bytes.
    pub sha256: String,
}

/// One target line as written.
#[derive(Debug, Serialize)]
pub struct LineOut<'a> {
    /// The input line.
    pub line: usize,
    /// [`Target::key`].
    pub key: &'a str,
    /// The target as the batch format spells it.
    pub target: &'a Target,
    /// What a retraction would do.
    pub verdict: Verdict,
    /// Why.
    pub reason: &'a str,
    /// Whether a restore could undo it.
    pub reversible: bool,
    /// The resource as read, when read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<&'a Value>,
    /// For `unknown`: the read's error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<&'a Error>,
}

impl<'a> LineOut<'a> {
    /// The line of `target` (input line `line`) inspected as `inspection`.
    pub fn new(line: usize, key: &'a str, target: &'a Target, inspection: &'a Inspection) -> Self {
        LineOut {
            line,
            key,
            target,
            verdict: inspection.verdict,
            reason: &inspection.reason,
            reversible: inspection.reversible,
            snapshot: inspection.snapshot.as_ref(),
            error: inspection.error.as_ref(),
        }
    }
}

/// One target line as read back.
#[derive(Debug, Deserialize)]
struct LineIn {
    line: usize,
    key: String,
    target: Value,
    verdict: String,
    #[serde(default)]
    reversible: bool,
}

/// A target of a plan, checked.
#[derive(Debug, Clone)]
pub struct Planned {
    /// The input line it came from.
    pub line: usize,
    /// The target.
    pub target: Target,
    /// Its verdict.
    pub verdict: Verdict,
    /// Whether a restore could undo it.
    pub reversible: bool,
}

/// A plan file, read and checked.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The header.
    pub header: HeaderBody,
    /// Every target line, in file order.
    pub targets: Vec<Planned>,
}

impl Plan {
    /// The `will-retract` targets, by input line.
    pub fn will_retract(&self) -> Vec<&Planned> {
        let mut planned: Vec<&Planned> = self
            .targets
            .iter()
            .filter(|p| p.verdict == Verdict::WillRetract)
            .collect();
        planned.sort_by_key(|p| p.line);
        planned
    }
}

/// Reads and checks the plan at `path`: a bad header or line is an input error naming the line.
pub fn read(path: &Path) -> Result<Plan, Error> {
    let file = std::fs::File::open(path).map_err(|e| {
        Error::new(
            ErrorKind::Input,
            format!("cannot read the plan {}: {e}", path.display()),
        )
    })?;
    parse(&path.display().to_string(), file)
}

/// Reads and checks a plan from `reader` (`name` in messages).
pub fn parse(name: &str, reader: impl Read) -> Result<Plan, Error> {
    let bad = |line: usize, why: String| {
        Error::new(
            ErrorKind::Input,
            format!("{name}: line {line}: {why}; nothing was sent"),
        )
    };
    // The batch reader: lines capped in length, a BOM and CRLF ends handled.
    let mut lines = Lines::new(BufReader::new(reader));
    let text = |raw: RawLine| {
        raw.text
            .map_err(|e| bad(raw.number, format!("cannot read: {e}")))
    };
    let first = match lines.next() {
        Some(raw) => text(raw?)?,
        None => return Err(bad(1, "empty file: not a plan".to_owned())),
    };
    let header: Header = serde_json::from_str(&first).map_err(|e| {
        bad(
            1,
            format!("not a plan header ({{\"plan\": {{\"version\": 1, …}}}}): {e}"),
        )
    })?;
    if header.plan.version != VERSION {
        return Err(bad(
            1,
            format!(
                "plan version {} is not supported (this offerkit reads version {VERSION})",
                header.plan.version
            ),
        ));
    }
    let mut targets = Vec::new();
    let mut keys = HashSet::new();
    let mut lines_seen = HashSet::new();
    for raw in lines {
        let raw = raw?;
        let number = raw.number;
        let line = text(raw)?;
        let text = line.trim();
        if text.is_empty() {
            continue;
        }
        let raw: LineIn =
            serde_json::from_str(text).map_err(|e| bad(number, format!("not a plan line: {e}")))?;
        let target = Target::from_value(raw.target)
            .map_err(|e| bad(number, format!("invalid target: {e}")))?;
        if target.key() != raw.key {
            return Err(bad(
                number,
                format!(
                    "key {} does not match its target (whose key is {}): was the plan edited?",
                    raw.key,
                    target.key()
                ),
            ));
        }
        let verdict = Verdict::parse(&raw.verdict).ok_or_else(|| {
            bad(
                number,
                format!(
                    "unknown verdict {:?} (will-retract, already-retracted, blocked or unknown)",
                    raw.verdict
                ),
            )
        })?;
        if raw.line == 0 || !lines_seen.insert(raw.line) {
            return Err(bad(
                number,
                format!("input line {} is not a line number or repeats", raw.line),
            ));
        }
        if !keys.insert(raw.key.clone()) {
            return Err(bad(number, format!("target {} appears twice", raw.key)));
        }
        targets.push(Planned {
            line: raw.line,
            target,
            verdict,
            reversible: raw.reversible,
        });
    }
    Ok(Plan {
        header: header.plan,
        targets,
    })
}

/// Lowercase hex SHA-256 of the file at `path`.
pub fn sha256_file(path: &Path) -> Result<String, Error> {
    use sha2::Digest;
    let mut file = std::fs::File::open(path).map_err(|e| {
        Error::new(
            ErrorKind::Input,
            format!("cannot read {}: {e}", path.display()),
        )
    })?;
    let mut hasher = sha2::Sha256::new();
    std::io::copy(&mut file, &mut hasher).map_err(|e| {
        Error::new(
            ErrorKind::Input,
            format!("cannot read {}: {e}", path.display()),
        )
    })?;
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = r#"{"plan":{"version":1,"createdAt":"t","environment":{},"input":{"path":"/i","sha256":"00"}}}"#;

    fn line(n: usize, key: &str, verdict: &str) -> String {
        format!(
            r#"{{"line":{n},"key":"{key}","target":{{"vendor":"appcharge","action":"delete","publisherOfferId":"p{n}"}},"verdict":"{verdict}","reason":"r","reversible":true}}"#
        )
    }

    #[test]
    fn a_good_plan_reads_back_its_will_retract_lines_in_input_order() {
        let text = format!(
            "{HEADER}\n{}\n\n{}\n{}\n",
            line(5, "appcharge:delete:p5", "will-retract"),
            line(2, "appcharge:delete:p2", "will-retract"),
            line(3, "appcharge:delete:p3", "blocked")
        );
        let plan = parse("p", text.as_bytes()).expect("plan");
        assert_eq!(plan.targets.len(), 3);
        let lines: Vec<usize> = plan.will_retract().iter().map(|p| p.line).collect();
        assert_eq!(lines, [2, 5]);
    }

    #[test]
    fn bad_lines_are_named_by_number() {
        let cases = [
            (String::new(), "line 1: empty file"),
            (
                "{\"plan\":{\"version\":2}}".to_owned(),
                "line 1: not a plan header",
            ),
            (
                HEADER.replace("\"version\":1", "\"version\":9"),
                "line 1: plan version 9",
            ),
            (
                format!(
                    "{HEADER}\n{}",
                    line(1, "appcharge:delete:other", "will-retract")
                ),
                "line 2: key appcharge:delete:other does not match",
            ),
            (
                format!("{HEADER}\n\n{}", line(1, "appcharge:delete:p1", "maybe")),
                "line 3: unknown verdict",
            ),
            (
                format!(
                    "{HEADER}\n{}\n{}",
                    line(1, "appcharge:delete:p1", "blocked"),
                    line(1, "appcharge:delete:p1", "blocked")
                ),
                "line 3: input line 1",
            ),
            (format!("{HEADER}\nnot json"), "line 2: not a plan line"),
        ];
        for (text, expected) in cases {
            let error = parse("p.jsonl", text.as_bytes()).expect_err(expected);
            assert_eq!(error.kind(), ErrorKind::Input);
            assert!(
                error.message().contains(expected),
                "{expected}: {}",
                error.message()
            );
        }
    }
}
