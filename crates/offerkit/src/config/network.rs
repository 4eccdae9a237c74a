//! [`Network`]: the timeout and retry settings of every vendor's calls (the
//! [`super::KeyScope::Global`] keys `TIMEOUT_SECS`, `MAX_RETRIES`, ...), and the one
//! [`Transport`] built from them that every vendor client shares.

use std::time::Duration;

use offerkit_transport::{RetryPolicy, Transport};

use crate::error::{Error, ErrorKind};

/// Timeouts and retries; `None` keeps the transport's default (see [`crate::CONFIG_KEYS`] for
/// each key and its default).
///
/// ```
/// use std::time::Duration;
/// use offerkit::Config;
/// let config = Config::from_env_vars([("OFFERKIT_TIMEOUT_SECS", "5"), ("OFFERKIT_MAX_RETRIES", "0")]).unwrap();
/// assert_eq!(config.network.timeout, Some(Duration::from_secs(5)));
/// assert_eq!(config.network.max_retries, Some(0));
/// let zero = Config::from_toml_str("timeout-secs = 0").unwrap_err();
/// assert!(zero.to_string().contains("at least 1"), "{zero}");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Network {
    /// `TIMEOUT_SECS`: one attempt, body included.
    pub timeout: Option<Duration>,
    /// `TOTAL_TIMEOUT_SECS`: one call across all its attempts and waits.
    pub total_timeout: Option<Duration>,
    /// `CONNECT_TIMEOUT_SECS`: opening a connection.
    pub connect_timeout: Option<Duration>,
    /// `MAX_RETRIES`: retries after the first attempt.
    pub max_retries: Option<u32>,
    /// `RETRY_BASE_DELAY_MS`: the first backoff ceiling.
    pub retry_base_delay: Option<Duration>,
    /// `RETRY_MAX_DELAY_MS`: the largest backoff ceiling.
    pub retry_max_delay: Option<Duration>,
    /// `MAX_RETRY_AFTER_SECS`: the longest `Retry-After` waited for.
    pub max_retry_after: Option<Duration>,
}

impl Network {
    /// Sets `key` (a global key other than the job settings): `n` as a count, `duration` as the
    /// same number in the key's unit. `shown` names the key in errors.
    pub(crate) fn set(
        &mut self,
        key: &str,
        n: u64,
        duration: Duration,
        shown: &str,
    ) -> Result<(), Error> {
        let at_least_one = |value: Duration| {
            if value.is_zero() {
                Err(Error::new(
                    ErrorKind::Config,
                    format!("{shown} must be at least 1"),
                ))
            } else {
                Ok(Some(value))
            }
        };
        match key {
            "TIMEOUT_SECS" => self.timeout = at_least_one(duration)?,
            "TOTAL_TIMEOUT_SECS" => self.total_timeout = at_least_one(duration)?,
            "CONNECT_TIMEOUT_SECS" => self.connect_timeout = at_least_one(duration)?,
            "MAX_RETRIES" => {
                self.max_retries =
                    Some(u32::try_from(n).map_err(|_| {
                        Error::new(ErrorKind::Config, format!("{shown} is too large"))
                    })?)
            }
            "RETRY_BASE_DELAY_MS" => self.retry_base_delay = Some(duration),
            "RETRY_MAX_DELAY_MS" => self.retry_max_delay = Some(duration),
            "MAX_RETRY_AFTER_SECS" => self.max_retry_after = Some(duration),
            other => {
                return Err(Error::new(
                    ErrorKind::Internal,
                    format!("the global key {other} has no setting"),
                ));
            }
        }
        Ok(())
    }

    /// `self` overridden by every value set in `other`.
    pub(crate) fn merge(&mut self, other: Network) {
        fn take<T>(mine: &mut Option<T>, theirs: Option<T>) {
            if theirs.is_some() {
                *mine = theirs;
            }
        }
        take(&mut self.timeout, other.timeout);
        take(&mut self.total_timeout, other.total_timeout);
        take(&mut self.connect_timeout, other.connect_timeout);
        take(&mut self.max_retries, other.max_retries);
        take(&mut self.retry_base_delay, other.retry_base_delay);
        take(&mut self.retry_max_delay, other.retry_max_delay);
        take(&mut self.max_retry_after, other.max_retry_after);
    }

    /// The retry policy: the transport's default with the settings given.
    pub(crate) fn retry_policy(&self) -> RetryPolicy {
        let mut policy = RetryPolicy::default();
        if let Some(n) = self.max_retries {
            policy = policy.with_max_retries(n);
        }
        let base = self.retry_base_delay.unwrap_or(policy.base_delay);
        let max = self.retry_max_delay.unwrap_or(policy.max_delay);
        policy = policy.with_backoff(base, max);
        if let Some(wait) = self.max_retry_after {
            policy = policy.with_max_retry_after(wait);
        }
        policy
    }

    /// The transport every vendor client of a [`crate::Client`] shares (one connection pool).
    pub(crate) fn transport(&self) -> Result<Transport, Error> {
        let mut builder = Transport::builder().retry_policy(self.retry_policy());
        if let Some(t) = self.timeout {
            builder = builder.timeout(t);
        }
        if let Some(t) = self.total_timeout {
            builder = builder.total_timeout(t);
        }
        if let Some(t) = self.connect_timeout {
            builder = builder.connect_timeout(t);
        }
        builder
            .build()
            .map_err(|e| Error::from_source(ErrorKind::Config, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{CONFIG_KEYS, Config, KeyScope};

    #[test]
    fn every_global_key_has_a_setting_and_its_documented_default() {
        let retry = RetryPolicy::default();
        let defaults = [
            ("TIMEOUT_SECS", Transport::DEFAULT_TIMEOUT.as_secs()),
            (
                "TOTAL_TIMEOUT_SECS",
                Transport::DEFAULT_TOTAL_TIMEOUT.as_secs(),
            ),
            (
                "CONNECT_TIMEOUT_SECS",
                Transport::DEFAULT_CONNECT_TIMEOUT.as_secs(),
            ),
            ("MAX_RETRIES", u64::from(retry.max_retries)),
            ("RETRY_BASE_DELAY_MS", retry.base_delay.as_millis() as u64),
            ("RETRY_MAX_DELAY_MS", retry.max_delay.as_millis() as u64),
            ("MAX_RETRY_AFTER_SECS", retry.max_retry_after.as_secs()),
            (
                "JOB_POLL_INTERVAL_MS",
                crate::RetractContext::DEFAULT_POLL_INTERVAL.as_millis() as u64,
            ),
            (
                "JOB_DEADLINE_SECS",
                crate::RetractContext::DEFAULT_JOB_DEADLINE.as_secs(),
            ),
        ];
        let globals: Vec<_> = CONFIG_KEYS
            .iter()
            .filter(|k| k.scope == KeyScope::Global)
            .collect();
        assert_eq!(globals.len(), defaults.len());
        for key in globals {
            let (_, default) = defaults
                .iter()
                .find(|(name, _)| *name == key.key)
                .unwrap_or_else(|| panic!("{} has no default here", key.key));
            assert!(
                key.about.contains(&format!("(default {default}")),
                "{}: {}",
                key.key,
                key.about
            );
            let config = Config::from_env_vars([(key.env_name(), "7")]).expect(key.key);
            assert_ne!(config, Config::new(), "{} sets nothing", key.key);
            let profile =
                Config::from_toml_str(&format!("{} = 7", key.profile_key())).expect(key.key);
            assert_eq!(profile, config, "{}", key.key);
        }
    }

    #[test]
    fn the_policy_keeps_defaults_it_is_not_given() {
        let network = Network {
            retry_max_delay: Some(Duration::from_millis(500)),
            ..Network::default()
        };
        let policy = network.retry_policy();
        assert_eq!(policy.max_delay, Duration::from_millis(500));
        assert_eq!(policy.base_delay, RetryPolicy::default().base_delay);
        assert_eq!(policy.max_retries, RetryPolicy::default().max_retries);
        assert!(network.transport().is_ok());
    }

    #[test]
    fn bad_values_name_their_key() {
        let err = Config::from_env_vars([("OFFERKIT_MAX_RETRIES", "-1")]).expect_err("negative");
        assert!(err.message().contains("OFFERKIT_MAX_RETRIES"), "{err}");
        let err = Config::from_toml_str("max-retries = \"3\"").expect_err("string");
        assert!(err.message().contains("max-retries"), "{err}");
        let err = Config::from_toml_str("max-retrys = 3").expect_err("typo");
        assert!(
            err.message().contains("did you mean `max-retries`"),
            "{err}"
        );
        let err = Config::from_env_vars([("OFFERKIT_TOTAL_TIMEOUT_SECS", "0")]).expect_err("zero");
        assert!(
            err.message().contains("OFFERKIT_TOTAL_TIMEOUT_SECS"),
            "{err}"
        );
    }
}
