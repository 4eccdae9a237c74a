//! The journal's binding to what it was written against: the input and, per vendor, the
//! non-secret settings that say where its calls went ([`offerkit::Config::environment`]).
//!
//! A journal line `{"offerkitJournal":2,"input":…,"environment":{vendor:{key:value}},"at":…}`
//! opens every format-2 journal, and another one (environment only) is appended when a later run
//! uses a vendor the journal had not seen. A run whose settings differ for a vendor both use is
//! refused before anything is sent: a rehearsal against a sandbox, or a staging run, must never
//! make a production run skip its targets.

use std::collections::BTreeMap;

use offerkit::{Error, ErrorKind, Vendor};
use serde::{Deserialize, Serialize};

/// The journal format this version writes.
pub const FORMAT: u32 = 2;

/// Per vendor id, its non-secret settings.
pub type Environment = BTreeMap<String, BTreeMap<String, String>>;

/// The header line, and the later environment lines.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnvironmentLine {
    /// The format ([`FORMAT`]); its presence marks the line.
    pub offerkit_journal: u32,
    /// The input it was written for (header only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
    /// The settings of each vendor used.
    pub environment: Environment,
    /// When it was written.
    pub at: String,
}

impl EnvironmentLine {
    /// Whether a raw journal line is an environment line (it starts with its marker field).
    pub fn marks(raw: &[u8]) -> bool {
        raw.starts_with(br#"{"offerkitJournal""#)
    }
}

/// What the journal recorded about its environment.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Recorded {
    /// The input named by the header.
    pub input: Option<String>,
    /// Every vendor's settings, from all environment lines.
    pub environment: Environment,
}

impl Recorded {
    /// Adds what one environment line says (a vendor already recorded keeps its first settings).
    pub fn add(&mut self, line: EnvironmentLine) {
        if self.input.is_none() {
            self.input = line.input;
        }
        for (vendor, settings) in line.environment {
            self.environment.entry(vendor).or_insert(settings);
        }
    }
}

/// Checks this run against what the journal recorded. `Ok(Some(environment))` names the vendors
/// the journal has not seen yet (to append); a mismatch is an [`ErrorKind::Config`] error naming
/// both settings and how to start a new journal.
pub fn check(
    journal: &str,
    recorded: &Recorded,
    input: &str,
    current: &Environment,
) -> Result<Option<Environment>, Error> {
    if let Some(theirs) = &recorded.input
        && theirs != input
    {
        return Err(refusal(
            journal,
            &format!("it was written for the input {theirs}, and this run reads {input}"),
        ));
    }
    let mut differences = Vec::new();
    let mut unseen = Environment::new();
    for (vendor, ours) in current {
        match recorded.environment.get(vendor) {
            None => {
                unseen.insert(vendor.clone(), ours.clone());
            }
            Some(theirs) if theirs != ours => {
                differences.push(format!(
                    "{vendor}: the journal has {}; this run uses {}",
                    describe(theirs),
                    describe(ours)
                ));
            }
            Some(_) => {}
        }
    }
    if !differences.is_empty() {
        return Err(refusal(
            journal,
            &format!(
                "it was written against another environment ({})",
                differences.join("; ")
            ),
        ));
    }
    Ok((!unseen.is_empty()).then_some(unseen))
}

fn refusal(journal: &str, why: &str) -> Error {
    Error::new(
        ErrorKind::Config,
        format!(
            "journal {journal} does not belong to this run: {why}. Nothing was sent. To start over \
             against this environment, name another journal with --journal FILE, or (batch) run \
             again with --new-journal, which keeps the old journal beside it"
        ),
    )
}

/// `url=https://…, tenant-id=…`
pub fn describe(settings: &BTreeMap<String, String>) -> String {
    settings
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The environment of an embedded sandbox (`--sandbox`): its port changes every run, and its
/// state with it, so it is named rather than described.
pub fn embedded_sandbox(vendors: &[Vendor]) -> Environment {
    vendors
        .iter()
        .map(|v| {
            let settings = BTreeMap::from([("sandbox".to_owned(), "embedded".to_owned())]);
            (v.id().to_owned(), settings)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str, &str)]) -> Environment {
        let mut env = Environment::new();
        for (vendor, key, value) in pairs {
            env.entry((*vendor).to_owned())
                .or_default()
                .insert((*key).to_owned(), (*value).to_owned());
        }
        env
    }

    #[test]
    fn another_environment_is_refused_naming_both() {
        let recorded = Recorded {
            input: Some("/in.jsonl".to_owned()),
            environment: env(&[("appcharge", "url", "http://127.0.0.1:1")]),
        };
        let production = env(&[("appcharge", "url", "default")]);
        let error = check("j", &recorded, "/in.jsonl", &production).expect_err("refused");
        let text = error.to_string();
        assert!(text.contains("url=http://127.0.0.1:1"), "{text}");
        assert!(text.contains("url=default"), "{text}");
        assert!(text.contains("--new-journal"), "{text}");
        assert_eq!(error.kind(), ErrorKind::Config);
    }

    #[test]
    fn the_same_environment_passes_and_new_vendors_are_named() {
        let recorded = Recorded {
            input: Some("/in.jsonl".to_owned()),
            environment: env(&[("appcharge", "url", "u")]),
        };
        let current = env(&[("appcharge", "url", "u"), ("adobe", "org-id", "o")]);
        let unseen = check("j", &recorded, "/in.jsonl", &current).expect("same");
        assert_eq!(unseen, Some(env(&[("adobe", "org-id", "o")])));
        let other_input = check("j", &recorded, "/other.jsonl", &current).expect_err("input");
        assert!(other_input.to_string().contains("/other.jsonl"));
    }

    #[test]
    fn environment_lines_are_recognised_by_their_first_field() {
        let line = EnvironmentLine {
            offerkit_journal: FORMAT,
            input: None,
            environment: env(&[("appcharge", "url", "u")]),
            at: "t".to_owned(),
        };
        let text = serde_json::to_string(&line).expect("json");
        assert!(EnvironmentLine::marks(text.as_bytes()), "{text}");
        assert!(!EnvironmentLine::marks(br#"{"line":1,"key":"k"}"#));
    }
}
