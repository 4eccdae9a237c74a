//! Who retracted, and why: `--actor` and `--reason` of `offerkit batch` and `offerkit apply`,
//! written into every journal `started`/`done` record and every results line (with `at`, the
//! time).

use std::sync::Arc;

/// The audit fields of a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Audit {
    /// Who runs it: `--actor`, else the login name ([`login_name`]).
    pub actor: Arc<str>,
    /// Why: `--reason`, when given.
    pub reason: Option<Arc<str>>,
}

impl Audit {
    /// The audit of a run from its flags: `actor` defaults to [`login_name`].
    pub fn new(actor: Option<&str>, reason: Option<&str>) -> Self {
        let actor = actor
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map_or_else(login_name, str::to_owned);
        Audit {
            actor: actor.into(),
            reason: reason.map(Arc::from),
        }
    }
}

/// The login name of the user running offerkit: the `USER` environment variable, else `USERNAME`
/// (Windows), else `unknown`. (Read from the environment, not from the system's user database.)
pub fn login_name() -> String {
    ["USER", "USERNAME"]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .map(|v| v.trim().to_owned())
        .find(|v| !v.is_empty())
        .unwrap_or_else(|| "unknown".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_explicit_actor_wins_and_a_blank_one_falls_back() {
        let audit = Audit::new(Some("alice"), Some("ticket 7"));
        assert_eq!(&*audit.actor, "alice");
        assert_eq!(audit.reason.as_deref(), Some("ticket 7"));
        let fallback = Audit::new(Some("  "), None);
        assert_eq!(&*fallback.actor, login_name());
        assert!(!fallback.actor.is_empty());
        assert_eq!(fallback.reason, None);
    }
}
