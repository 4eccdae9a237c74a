//! [`Inspection`]: what a retraction of one target would do, read without changing anything (the
//! answer of [`crate::Retract::inspect`] and [`crate::Client::inspect`], one line of
//! `offerkit plan`).

use serde_json::Value;

use crate::error::Error;
use crate::retract::Probe;

/// What a retraction would do, as far as a read can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Verdict {
    /// The target is there and nothing read says the vendor would refuse: it would be retracted.
    WillRetract,
    /// Already gone (deleted, withdrawn, cancelled, 404 for the 404-means-gone vendors).
    AlreadyRetracted,
    /// The vendor would refuse it, by a rule evaluated on what was read ([`Inspection::reason`]
    /// names it).
    Blocked,
    /// The read failed: nothing is known ([`Inspection::reason`] holds the error).
    Unknown,
}

impl Verdict {
    /// Every verdict, in the order summaries show them.
    pub const ALL: [Verdict; 4] = [
        Verdict::WillRetract,
        Verdict::AlreadyRetracted,
        Verdict::Blocked,
        Verdict::Unknown,
    ];

    /// `will-retract`, `already-retracted`, `blocked` or `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::WillRetract => "will-retract",
            Verdict::AlreadyRetracted => "already-retracted",
            Verdict::Blocked => "blocked",
            Verdict::Unknown => "unknown",
        }
    }

    /// Parses [`Verdict::as_str`]'s spelling.
    pub fn parse(raw: &str) -> Option<Verdict> {
        Verdict::ALL.into_iter().find(|v| v.as_str() == raw)
    }
}

/// The read-only answer about one target.
///
/// ```
/// use offerkit::{Inspection, Verdict};
/// let plan = Inspection::will_retract("the offer is live", true)
///     .with_snapshot(serde_json::json!({"publisherOfferId": "p1", "offerUi": null}));
/// assert_eq!(plan.verdict, Verdict::WillRetract);
/// assert!(plan.reversible);
/// let nothing = Inspection::already_retracted("404");
/// assert!(!nothing.reversible);
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Inspection {
    /// What would happen.
    pub verdict: Verdict,
    /// Why, in a few words (the vendor rule for `blocked`, the error for `unknown`).
    pub reason: String,
    /// Whether `offerkit restore` could undo the retraction (Appcharge, Adobe); `false` where
    /// nothing would be done.
    pub reversible: bool,
    /// The resource as read, when it was read.
    pub snapshot: Option<Value>,
    /// For `unknown`: the error of the read.
    pub error: Option<Error>,
}

impl Inspection {
    fn new(verdict: Verdict, reason: impl Into<String>, reversible: bool) -> Self {
        Inspection {
            verdict,
            reason: reason.into(),
            reversible,
            snapshot: None,
            error: None,
        }
    }

    /// It would be retracted; `reversible` says whether a restore could undo it.
    pub fn will_retract(reason: impl Into<String>, reversible: bool) -> Self {
        Inspection::new(Verdict::WillRetract, reason, reversible)
    }

    /// Already gone: nothing would be done.
    pub fn already_retracted(reason: impl Into<String>) -> Self {
        Inspection::new(Verdict::AlreadyRetracted, reason, false)
    }

    /// The vendor would refuse it: `rule` says by which rule.
    pub fn blocked(rule: impl Into<String>) -> Self {
        Inspection::new(Verdict::Blocked, rule, false)
    }

    /// The read failed.
    pub fn unknown(error: Error) -> Self {
        let mut inspection = Inspection::new(
            Verdict::Unknown,
            format!("the read failed: {}", error.message()),
            false,
        );
        inspection.error = Some(error);
        inspection
    }

    /// Sets the resource as read (scrubbed of known secrets, like [`crate::Details::with_snapshot`]).
    pub fn with_snapshot(mut self, mut snapshot: Value) -> Self {
        offerkit_transport::Redactor::global().scrub_json(&mut snapshot);
        self.snapshot = Some(snapshot);
        self
    }

    /// The inspection a plain [`crate::Retract::probe`] gives (for vendors without client-side
    /// rules): `Present` would be retracted, `Gone` is already retracted; the probe's response
    /// is the snapshot, its note the reason.
    pub fn from_probe(probe: Probe, reversible: bool) -> Self {
        let (inspection, details) = match probe {
            Probe::Present(details) => (
                Inspection::will_retract(
                    details.note.clone().unwrap_or_else(|| {
                        "found; nothing read says the vendor would refuse".to_owned()
                    }),
                    reversible,
                ),
                details,
            ),
            Probe::Gone(details) => (
                Inspection::already_retracted(
                    details
                        .note
                        .clone()
                        .unwrap_or_else(|| "already retracted".to_owned()),
                ),
                details,
            ),
        };
        match details.response {
            Some(snapshot) => inspection.with_snapshot(snapshot),
            None => inspection,
        }
    }
}
