//! The sandbox's clock (real until a test sets it) and RFC 3339 text.
//!
//! Every time-based rule reads [`Clock`]: cancellation windows, job progression by time, token
//! expiry, and the timestamps stamped on resources and journal entries. Each sandbox has its own,
//! so two sandboxes in one process never see each other's time.

use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::sync::lock;

/// The real clock until [`Clock::set`] or [`Clock::advance`]; from then on it stands still at the
/// instant set (so a test that sets it is not at the mercy of how long the machine takes), and
/// moves only when advanced, until [`Clock::use_real`].
#[derive(Debug, Default)]
pub(crate) struct Clock {
    /// The frozen instant, Unix milliseconds; `None` follows the real clock.
    frozen_millis: Mutex<Option<i64>>,
}

impl Clock {
    /// Milliseconds since the Unix epoch.
    pub(crate) fn unix_millis(&self) -> i64 {
        lock(&self.frozen_millis).unwrap_or_else(real_millis)
    }

    /// Seconds since the Unix epoch.
    pub(crate) fn unix_secs(&self) -> i64 {
        self.unix_millis().div_euclid(1000)
    }

    /// The current time as RFC 3339 text (UTC, `Z`).
    pub(crate) fn rfc3339(&self) -> String {
        rfc3339_millis(self.unix_millis())
    }

    /// The current date as `YYYY-MM-DD`.
    pub(crate) fn today(&self) -> String {
        let now = datetime(self.unix_millis());
        format!(
            "{:04}-{:02}-{:02}",
            now.year(),
            u8::from(now.month()),
            now.day()
        )
    }

    /// Stops the clock at `unix_millis`.
    pub(crate) fn set(&self, unix_millis: i64) {
        *lock(&self.frozen_millis) = Some(unix_millis);
    }

    /// Moves the clock by `millis` (negative moves it back); a real clock stops at now + `millis`.
    pub(crate) fn advance(&self, millis: i64) {
        let mut frozen = lock(&self.frozen_millis);
        let now = frozen.unwrap_or_else(real_millis);
        *frozen = Some(now.saturating_add(millis));
    }

    /// Follows the real clock again.
    pub(crate) fn use_real(&self) {
        *lock(&self.frozen_millis) = None;
    }

    /// `{"now": "<RFC 3339>", "set": bool}`, the `/_sandbox/clock` answer.
    pub(crate) fn json(&self) -> Value {
        let frozen = *lock(&self.frozen_millis);
        let now = frozen.unwrap_or_else(real_millis);
        json!({"now": rfc3339_millis(now), "set": frozen.is_some()})
    }
}

/// The real time as RFC 3339 text, for text no rule reads and no sandbox is at hand for (the
/// timestamp inside an Azure AD error body).
pub(crate) fn real_rfc3339() -> String {
    rfc3339_millis(real_millis())
}

/// The real clock, Unix milliseconds.
fn real_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

fn datetime(unix_millis: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(unix_millis) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// The most fractional-second digits a vendor sends (.NET's 100 ns ticks, e.g.
/// `2021-12-21T21:29:54.9702903Z`); clients written against the vendors may refuse more.
pub(crate) const MAX_FRACTION_DIGITS: usize = 7;

/// `text` with any fraction of a second cut to [`MAX_FRACTION_DIGITS`] digits (truncated, not rounded, so
/// a time never moves forward). Text that is not an RFC 3339 date-time with a fraction is returned as is.
pub(crate) fn at_vendor_precision(text: &str) -> String {
    let Some(dot) = text.find('.').filter(|&i| text[..i].contains('T')) else {
        return text.to_owned();
    };
    let digits = text[dot + 1..]
        .bytes()
        .take_while(u8::is_ascii_digit)
        .count();
    if digits <= MAX_FRACTION_DIGITS {
        return text.to_owned();
    }
    let keep_end = dot + 1 + MAX_FRACTION_DIGITS;
    format!("{}{}", &text[..keep_end], &text[dot + 1 + digits..])
}

/// RFC 3339 text for a Unix timestamp in milliseconds (so at most 3 fractional digits, within the
/// vendors' [`MAX_FRACTION_DIGITS`]).
pub(crate) fn rfc3339_millis(unix_millis: i64) -> String {
    datetime(unix_millis)
        .format(&Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_owned())
}

/// RFC 3339 text for a Unix timestamp in seconds.
pub(crate) fn rfc3339_secs(secs: i64) -> String {
    rfc3339_millis(secs.saturating_mul(1000))
}

/// Parses RFC 3339 (any number of fractional digits, `Z` or an offset) to Unix seconds.
pub(crate) fn parse_rfc3339(text: &str) -> Option<i64> {
    parse_rfc3339_millis(text).map(|ms| ms.div_euclid(1000))
}

/// Parses RFC 3339 to Unix milliseconds (finer digits are dropped).
pub(crate) fn parse_rfc3339_millis(text: &str) -> Option<i64> {
    OffsetDateTime::parse(text.trim(), &Rfc3339)
        .ok()
        .and_then(|t| i64::try_from(t.unix_timestamp_nanos().div_euclid(1_000_000)).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(
            parse_rfc3339("2019-12-12T17:33:56.1306495Z"),
            Some(1_576_172_036)
        );
        assert_eq!(
            parse_rfc3339_millis("2019-12-12T17:33:56.1306495Z"),
            Some(1_576_172_036_130)
        );
        assert!(parse_rfc3339("2018-03-06T17:37:05.253-08:00").is_some());
        assert!(parse_rfc3339("garbage").is_none());
        assert_eq!(rfc3339_secs(1_576_172_036), "2019-12-12T17:33:56Z");
    }

    #[test]
    fn fractions_are_cut_to_the_vendors_seven_digits() {
        assert_eq!(
            at_vendor_precision("2024-01-02T03:04:05.123456789Z"),
            "2024-01-02T03:04:05.1234567Z"
        );
        assert_eq!(
            at_vendor_precision("2024-01-02T03:04:05.999999999+02:00"),
            "2024-01-02T03:04:05.9999999+02:00"
        );
        for unchanged in [
            "2021-12-21T21:29:54.9702903Z",
            "2021-12-21T21:29:54Z",
            "0001-01-01",
            "version 1.123456789",
            "",
        ] {
            assert_eq!(at_vendor_precision(unchanged), unchanged);
        }
        // What the clock itself writes never exceeds the limit.
        for millis in [0, 1, 999, 1_576_172_036_130, -1] {
            let text = rfc3339_millis(millis);
            assert_eq!(at_vendor_precision(&text), text);
        }
    }

    #[test]
    fn a_set_clock_stands_still_and_moves_only_when_advanced() {
        let clock = Clock::default();
        assert_eq!(clock.json()["set"], false);
        let real = clock.unix_millis();
        assert!(real > 1_600_000_000_000, "follows the real clock");
        clock.set(parse_rfc3339_millis("2030-02-28T23:59:59.500Z").unwrap());
        assert_eq!(clock.rfc3339(), "2030-02-28T23:59:59.5Z");
        assert_eq!(clock.today(), "2030-02-28");
        clock.advance(500);
        assert_eq!(clock.today(), "2030-03-01");
        assert_eq!(
            clock.unix_secs(),
            parse_rfc3339("2030-03-01T00:00:00Z").unwrap()
        );
        clock.advance(-86_400_000);
        assert_eq!(clock.rfc3339(), "2030-02-28T00:00:00Z");
        assert_eq!(
            clock.json(),
            json!({"now": "2030-02-28T00:00:00Z", "set": true})
        );
        clock.use_real();
        assert_eq!(clock.json()["set"], false);
        assert!(clock.unix_millis() >= real);
    }
}
