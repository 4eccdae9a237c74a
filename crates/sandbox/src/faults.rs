//! Deterministic fault injection: rules matched by method and path glob.

use std::sync::{Arc, Mutex, RwLock};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::util::glob::glob_match;
use crate::util::sync::{lock, read, write};

/// A fault rule, as posted to `POST /_sandbox/faults`.
///
/// ```
/// use offerkit_sandbox::FaultRule;
/// let rule: FaultRule = serde_json::from_str(
///     r#"{"method":"DELETE","path":"/v2/offer/*","mode":{"nextN":2},
///         "fault":{"kind":"throttle","retryAfterSeconds":1}}"#,
/// ).unwrap();
/// assert_eq!(rule.path, "/v2/offer/*");
/// ```
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct FaultRule {
    /// HTTP method to match (case-insensitive); absent or `*` matches any.
    #[serde(default)]
    pub method: Option<String>,
    /// Path glob (`*` matches any characters, `/` included), compared with the path without query.
    pub path: String,
    /// Which matching requests get the fault; absent means every one.
    #[serde(default)]
    pub mode: Option<FaultMode>,
    /// What happens to them.
    pub fault: FaultKind,
    /// Before the handler acts (default; the server did not act) or after (it did). `truncate` defaults to after.
    #[serde(default)]
    pub when: Option<FaultTiming>,
}

impl FaultRule {
    /// A rule for `method` and path glob `path` that applies `fault` to every match.
    pub fn new(method: &str, path: &str, fault: FaultKind) -> Self {
        Self {
            method: Some(method.to_owned()),
            path: path.to_owned(),
            mode: None,
            fault,
            when: None,
        }
    }

    /// Sets the mode.
    #[must_use]
    pub fn mode(mut self, mode: FaultMode) -> Self {
        self.mode = Some(mode);
        self
    }

    /// Sets the timing.
    #[must_use]
    pub fn when(mut self, when: FaultTiming) -> Self {
        self.when = Some(when);
        self
    }

    fn timing(&self) -> FaultTiming {
        self.when.unwrap_or(match self.fault {
            FaultKind::Truncate => FaultTiming::After,
            _ => FaultTiming::Before,
        })
    }

    fn validate(&self) -> Result<(), String> {
        if self.path.is_empty() {
            return Err("path must not be empty (use \"*\" for every path)".to_owned());
        }
        match self.mode {
            Some(FaultMode::EveryK { every_k: 0 }) => {
                return Err("everyK must be at least 1".to_owned());
            }
            Some(FaultMode::Probability { probability, .. })
                if !(0.0..=1.0).contains(&probability) =>
            {
                return Err("probability must be between 0 and 1".to_owned());
            }
            _ => {}
        }
        match self.fault {
            FaultKind::Status { status } if !(400..=599).contains(&status) => {
                Err("status must be between 400 and 599".to_owned())
            }
            FaultKind::Delay { millis } if millis > 600_000 => {
                Err("delay millis must be at most 600000".to_owned())
            }
            FaultKind::Throttle {
                retry_after_seconds,
            } if retry_after_seconds > 86_400 => {
                Err("retryAfterSeconds must be at most 86400".to_owned())
            }
            _ => Ok(()),
        }
    }
}

/// Which of the matching requests get the fault.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
#[serde(untagged)]
#[non_exhaustive]
pub enum FaultMode {
    /// The next `n` matching requests (`{"nextN":3}`); the rule is spent afterwards.
    NextN {
        /// How many.
        #[serde(rename = "nextN")]
        next_n: u32,
    },
    /// Every k-th matching request: the k-th, 2k-th, … (`{"everyK":5}`).
    EveryK {
        /// The period.
        #[serde(rename = "everyK")]
        every_k: u32,
    },
    /// Each matching request with this probability, drawn from a PRNG seeded with `seed`
    /// (`{"probability":0.2,"seed":42}`), so a run is reproducible.
    Probability {
        /// Between 0 and 1.
        probability: f64,
        /// PRNG seed.
        #[serde(default)]
        seed: u64,
    },
}

/// What a fault does.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub enum FaultKind {
    /// 429 with `Retry-After` and the vendor's throttling body.
    Throttle {
        /// The `Retry-After` value in seconds (default 1).
        #[serde(default = "one", rename = "retryAfterSeconds")]
        retry_after_seconds: u64,
    },
    /// This status (400-599) with the vendor's error body.
    Status {
        /// The HTTP status.
        status: u16,
    },
    /// Wait this long, then answer normally.
    Delay {
        /// Milliseconds.
        millis: u64,
    },
    /// Close the connection without a (complete) response.
    Drop,
    /// Send the headers and half the body, then close the connection.
    Truncate,
}

fn one() -> u64 {
    1
}

/// Before or after the handler acts.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum FaultTiming {
    /// The request never reaches the handler: nothing changes.
    Before,
    /// The handler acts (state changes), then the client gets the fault.
    After,
}

/// Identifies an injected rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct FaultId(pub u64);

#[derive(Debug)]
struct Active {
    id: u64,
    rule: FaultRule,
    state: Mutex<Counters>,
}

#[derive(Debug)]
struct Counters {
    matched: u64,
    fired: u64,
    /// Seeded per rule, so a probability rule fires on the same requests in every run.
    rng: fastrand::Rng,
}

/// A fault chosen for one request.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Decision {
    pub(crate) kind: FaultKind,
    pub(crate) timing: FaultTiming,
}

impl Decision {
    /// Label for the journal.
    pub(crate) fn label(&self) -> String {
        match self.kind {
            FaultKind::Throttle { .. } => "throttle".to_owned(),
            FaultKind::Status { status } => format!("status:{status}"),
            FaultKind::Delay { millis } => format!("delay:{millis}ms"),
            FaultKind::Drop => "drop".to_owned(),
            FaultKind::Truncate => "truncate".to_owned(),
        }
    }
}

/// The active rules.
#[derive(Debug, Default)]
pub(crate) struct Faults {
    rules: RwLock<Vec<Arc<Active>>>,
    next_id: std::sync::atomic::AtomicU64,
}

impl Faults {
    /// Adds a rule after validating it.
    pub(crate) fn add(&self, rule: FaultRule) -> Result<FaultId, String> {
        rule.validate()?;
        let id = self
            .next_id
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            + 1;
        let seed = match rule.mode {
            Some(FaultMode::Probability { seed, .. }) => seed,
            _ => id,
        };
        write(&self.rules).push(Arc::new(Active {
            id,
            rule,
            state: Mutex::new(Counters {
                matched: 0,
                fired: 0,
                rng: fastrand::Rng::with_seed(seed),
            }),
        }));
        Ok(FaultId(id))
    }

    /// Removes one rule; returns whether it existed.
    pub(crate) fn remove(&self, id: u64) -> bool {
        let mut rules = write(&self.rules);
        let before = rules.len();
        rules.retain(|r| r.id != id);
        rules.len() != before
    }

    /// Removes every rule.
    pub(crate) fn clear(&self) {
        write(&self.rules).clear();
    }

    /// Decides whether this request gets a fault (the first matching rule that fires wins).
    pub(crate) fn decide(&self, method: &str, path: &str) -> Option<Decision> {
        let rules = read(&self.rules);
        if rules.is_empty() {
            return None;
        }
        for active in rules.iter() {
            let rule = &active.rule;
            let method_ok = rule
                .method
                .as_deref()
                .is_none_or(|m| m == "*" || m.eq_ignore_ascii_case(method));
            if !method_ok || !glob_match(&rule.path, path) {
                continue;
            }
            let mut c = lock(&active.state);
            let fire = match rule.mode {
                None => true,
                Some(FaultMode::NextN { next_n }) => c.fired < u64::from(next_n),
                Some(FaultMode::EveryK { every_k }) => {
                    (c.matched + 1) % u64::from(every_k.max(1)) == 0
                }
                Some(FaultMode::Probability { probability, .. }) => c.rng.f64() < probability,
            };
            c.matched += 1;
            if fire {
                c.fired += 1;
                return Some(Decision {
                    kind: rule.fault,
                    timing: rule.timing(),
                });
            }
        }
        None
    }

    /// The rules with their counters.
    pub(crate) fn list_json(&self) -> Value {
        let rules = read(&self.rules);
        let items: Vec<Value> = rules
            .iter()
            .map(|a| {
                let c = lock(&a.state);
                let mut v = serde_json::to_value(&a.rule).unwrap_or(Value::Null);
                if let Some(obj) = v.as_object_mut() {
                    obj.insert("id".to_owned(), json!(a.id));
                    obj.insert("matched".to_owned(), json!(c.matched));
                    obj.insert("fired".to_owned(), json!(c.fired));
                    obj.insert("timing".to_owned(), json!(a.rule.timing()));
                }
                v
            })
            .collect();
        json!({"faults": items})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn throttle() -> FaultKind {
        FaultKind::Throttle {
            retry_after_seconds: 1,
        }
    }

    #[test]
    fn next_n_fires_n_times() {
        let f = Faults::default();
        f.add(
            FaultRule::new("DELETE", "/v2/offer/*", throttle())
                .mode(FaultMode::NextN { next_n: 2 }),
        )
        .unwrap();
        assert!(f.decide("DELETE", "/v2/offer/a").is_some());
        assert!(f.decide("GET", "/v2/offer/a").is_none());
        assert!(f.decide("DELETE", "/v2/offer/b").is_some());
        assert!(f.decide("DELETE", "/v2/offer/a").is_none());
    }

    #[test]
    fn every_k() {
        let f = Faults::default();
        f.add(FaultRule::new("*", "*", FaultKind::Drop).mode(FaultMode::EveryK { every_k: 3 }))
            .unwrap();
        let fired: Vec<bool> = (0..6).map(|_| f.decide("GET", "/x").is_some()).collect();
        assert_eq!(fired, vec![false, false, true, false, false, true]);
    }

    #[test]
    fn probability_is_reproducible() {
        let run = || {
            let f = Faults::default();
            f.add(
                FaultRule::new("GET", "*", FaultKind::Status { status: 503 }).mode(
                    FaultMode::Probability {
                        probability: 0.3,
                        seed: 7,
                    },
                ),
            )
            .unwrap();
            (0..100)
                .map(|_| f.decide("GET", "/a").is_some())
                .collect::<Vec<_>>()
        };
        let a = run();
        assert_eq!(a, run());
        let n = a.iter().filter(|x| **x).count();
        assert!((10..=50).contains(&n), "{n}");
    }

    #[test]
    fn validation() {
        let f = Faults::default();
        assert!(
            f.add(FaultRule::new(
                "GET",
                "*",
                FaultKind::Status { status: 200 }
            ))
            .is_err()
        );
        assert!(
            f.add(FaultRule::new("GET", "*", throttle()).mode(FaultMode::EveryK { every_k: 0 }))
                .is_err()
        );
        let parsed: FaultRule = serde_json::from_str(
            r#"{"path":"*","mode":{"probability":0.5,"seed":1},"fault":{"kind":"truncate"}}"#,
        )
        .unwrap();
        assert_eq!(parsed.timing(), FaultTiming::After);
        assert!(
            serde_json::from_str::<FaultRule>(r#"{"path":"*","fault":{"kind":"explode"}}"#)
                .is_err()
        );
    }
}
