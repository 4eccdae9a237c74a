//! Dates and datetimes kept as raw text and parsed on demand.
//!
//! Accepted forms: `YYYY-MM-DD`, optionally followed by `T` (or a space) and `HH:MM[:SS[.fraction]]`,
//! optionally followed by `Z` or an offset `±HH:MM` / `±HHMM`. Any number of fraction digits is read
//! (Microsoft sends seven), keeping nanosecond precision.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A date or datetime as the vendor sent it.
///
/// The raw text is what is stored, compared and written back, so nothing is lost; [`value`](Self::value)
/// interprets it. The .NET "minimum date" sentinels (`0001-01-01`, `0001-01-01T00:00:00`, also with a
/// fraction or offset) and empty text mean "not set".
///
/// ```
/// use offerkit_models::lenient::{DateValue, LenientDateTime};
/// assert_eq!(LenientDateTime::new("0001-01-01").value(), DateValue::NotSet);
/// assert!(LenientDateTime::new("0001-01-01T00:00:00").is_not_set());
/// let start = LenientDateTime::new("2021-12-21T21:29:54.9702903Z");
/// assert_eq!(start.timestamp().map(|t| t.unix_seconds()), Some(1640122194));
/// let garbage = LenientDateTime::new("2022-03-01-preview2T13:32:43.123456Z");
/// assert_eq!(garbage.value(), DateValue::Unparsable);
/// assert_eq!(garbage.raw(), "2022-03-01-preview2T13:32:43.123456Z");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct LenientDateTime(String);

/// What a [`LenientDateTime`] holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DateValue {
    /// Empty text or a `0001-01-01` sentinel: the date is not set (a job has not ended).
    NotSet,
    /// A date or datetime that parsed.
    At(Timestamp),
    /// Text that is not a date this parser understands; read it with [`LenientDateTime::raw`].
    Unparsable,
}

/// A parsed date with an optional time of day and UTC offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Timestamp {
    /// The calendar date.
    pub date: CalendarDate,
    /// The time of day, when the text had one.
    pub time: Option<TimeOfDay>,
    /// The UTC offset in minutes (`Z` is 0), when the text had one.
    pub offset_minutes: Option<i16>,
}

/// A proleptic Gregorian calendar date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CalendarDate {
    /// Year (0 to 9999).
    pub year: u16,
    /// Month, 1 to 12.
    pub month: u8,
    /// Day of the month, 1 to 31.
    pub day: u8,
}

/// A time of day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TimeOfDay {
    /// Hour, 0 to 23.
    pub hour: u8,
    /// Minute, 0 to 59.
    pub minute: u8,
    /// Second, 0 to 60 (leap second).
    pub second: u8,
    /// Nanoseconds, 0 to 999 999 999.
    pub nanosecond: u32,
}

impl LenientDateTime {
    /// Wraps date text as given.
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// The text exactly as read.
    pub fn raw(&self) -> &str {
        &self.0
    }

    /// Interprets the text.
    pub fn value(&self) -> DateValue {
        let text = self.0.trim();
        if text.is_empty() {
            return DateValue::NotSet;
        }
        match parse(text) {
            Some(ts) if ts.is_min_sentinel() => DateValue::NotSet,
            Some(ts) => DateValue::At(ts),
            None => DateValue::Unparsable,
        }
    }

    /// Whether the value is a "not set" sentinel.
    pub fn is_not_set(&self) -> bool {
        self.value() == DateValue::NotSet
    }

    /// The parsed timestamp, if the text is a real date.
    pub fn timestamp(&self) -> Option<Timestamp> {
        match self.value() {
            DateValue::At(ts) => Some(ts),
            DateValue::NotSet | DateValue::Unparsable => None,
        }
    }
}

impl Timestamp {
    fn is_min_sentinel(&self) -> bool {
        let midnight = self
            .time
            .is_none_or(|t| t.hour == 0 && t.minute == 0 && t.second == 0 && t.nanosecond == 0);
        self.date
            == CalendarDate {
                year: 1,
                month: 1,
                day: 1,
            }
            && midnight
    }

    /// Seconds since 1970-01-01T00:00:00Z. A missing time counts as midnight and a missing offset as UTC.
    pub fn unix_seconds(&self) -> i64 {
        let days = days_from_civil(
            i64::from(self.date.year),
            i64::from(self.date.month),
            i64::from(self.date.day),
        );
        let secs_of_day = self.time.map_or(0, |t| {
            i64::from(t.hour) * 3600 + i64::from(t.minute) * 60 + i64::from(t.second)
        });
        let offset = i64::from(self.offset_minutes.unwrap_or(0)) * 60;
        days * 86_400 + secs_of_day - offset
    }
}

/// Howard Hinnant's days-from-civil algorithm.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A tiny cursor over ASCII bytes.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn eat(&mut self, byte: u8) -> bool {
        if self.peek() == Some(byte) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn digits(&mut self, count: usize) -> Option<u32> {
        let mut value = 0u32;
        for _ in 0..count {
            let b = self.peek().filter(u8::is_ascii_digit)?;
            value = value * 10 + u32::from(b - b'0');
            self.pos += 1;
        }
        Some(value)
    }

    fn done(&self) -> bool {
        self.pos >= self.bytes.len()
    }
}

fn parse(text: &str) -> Option<Timestamp> {
    let mut c = Cursor {
        bytes: text.as_bytes(),
        pos: 0,
    };
    let year = u16::try_from(c.digits(4)?).ok()?;
    c.eat(b'-').then_some(())?;
    let month = u8::try_from(c.digits(2)?).ok()?;
    c.eat(b'-').then_some(())?;
    let day = u8::try_from(c.digits(2)?).ok()?;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    let date = CalendarDate { year, month, day };
    if c.done() {
        return Some(Timestamp {
            date,
            time: None,
            offset_minutes: None,
        });
    }
    if !(c.eat(b'T') || c.eat(b't') || c.eat(b' ')) {
        return None;
    }
    let hour = u8::try_from(c.digits(2)?).ok()?;
    c.eat(b':').then_some(())?;
    let minute = u8::try_from(c.digits(2)?).ok()?;
    let mut second = 0u8;
    let mut nanosecond = 0u32;
    if c.eat(b':') {
        second = u8::try_from(c.digits(2)?).ok()?;
        if c.eat(b'.') || c.eat(b',') {
            let mut scale = 100_000_000u32;
            let mut any = false;
            while let Some(b) = c.peek().filter(u8::is_ascii_digit) {
                nanosecond += u32::from(b - b'0') * scale;
                scale /= 10;
                any = true;
                c.pos += 1;
            }
            if !any {
                return None;
            }
        }
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let offset_minutes = if c.done() {
        None
    } else if c.eat(b'Z') || c.eat(b'z') {
        Some(0)
    } else {
        let sign: i16 = if c.eat(b'+') {
            1
        } else if c.eat(b'-') {
            -1
        } else {
            return None;
        };
        let oh = i16::try_from(c.digits(2)?).ok()?;
        c.eat(b':');
        let om = i16::try_from(c.digits(2)?).ok()?;
        if oh > 23 || om > 59 {
            return None;
        }
        Some(sign * (oh * 60 + om))
    };
    if !c.done() {
        return None;
    }
    Some(Timestamp {
        date,
        time: Some(TimeOfDay {
            hour,
            minute,
            second,
            nanosecond,
        }),
        offset_minutes,
    })
}

impl fmt::Display for LenientDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for LenientDateTime {
    fn from(text: &str) -> Self {
        Self::new(text)
    }
}

impl From<String> for LenientDateTime {
    fn from(text: String) -> Self {
        Self(text)
    }
}

impl Serialize for LenientDateTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for LenientDateTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_vendor_forms() {
        for text in [
            "2019-12-12T17:33:56.1306495Z",
            "2018-03-06T17:37:05.253-08:00",
            "2023-05-15T14:35:16.781+00:00",
            "2025-04-06T10:00:44.528Z",
            "2023-07-15",
        ] {
            assert!(LenientDateTime::new(text).timestamp().is_some(), "{text}");
        }
    }

    #[test]
    fn sentinels_and_garbage() {
        for text in [
            "0001-01-01",
            "0001-01-01T00:00:00",
            "0001-01-01T00:00:00.0000000Z",
            " ",
        ] {
            assert!(LenientDateTime::new(text).is_not_set(), "{text}");
        }
        for text in [
            "2023-02-30",
            "2023-13-01",
            "yesterday",
            "2023-01-01T25:00:00Z",
            "2023-01-01T10:00:00Zjunk",
        ] {
            assert_eq!(
                LenientDateTime::new(text).value(),
                DateValue::Unparsable,
                "{text}"
            );
        }
    }

    #[test]
    fn offsets_shift_unix_time() {
        let a = LenientDateTime::new("2018-03-06T17:37:05-08:00")
            .timestamp()
            .map(|t| t.unix_seconds());
        let b = LenientDateTime::new("2018-03-07T01:37:05Z")
            .timestamp()
            .map(|t| t.unix_seconds());
        assert_eq!(a, b);
    }
}
