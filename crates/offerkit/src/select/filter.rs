//! The `--where 'PATH OP VALUE'` language of `offerkit select`: [`Condition`] (one test) and
//! [`Filter`] (several, ANDed), matched against a resource's JSON as the vendor returns it.
//!
//! # Grammar
//!
//! `PATH OP VALUE`, the operator being the first of `!=`, `=`, `~`, `<`, `>` in the text.
//! - PATH: dot-separated keys into the JSON (`lineItems.offerId`, `rank.priority`); surrounding
//!   spaces are ignored; no segment may be empty. Where the value at a step is an array, a numeric
//!   segment indexes it (`lineItems.0.offerId`) and any other segment applies to every element.
//! - VALUE: the rest of the text, surrounding spaces removed. It may not start with `=`, `<`, `>`
//!   or `~` (that is a doubled operator, such as `==` or `>>`). `<` and `>` need a number or a date.
//!
//! # How values compare
//!
//! The path yields every value it reaches (arrays flattened). Against each one:
//! - `=`: equal when the texts are equal (a JSON string as is; a number, `true`, `false` or `null`
//!   as JSON writes it); otherwise, when both read as numbers, numerically (`1` = `1.0`); otherwise,
//!   when both read as dates, as instants (`2026-11-01` = `2026-11-01T00:00:00Z`).
//! - `~`: the value's text contains VALUE, ignoring case (objects never contain anything).
//! - `<`, `>`: numerically when VALUE is a number, as instants when it is a date; a value that does
//!   not read the same way does not match.
//! - `=`, `~`, `<`, `>` match when any reached value matches; `!=` matches when no reached value is
//!   equal, so a missing field matches `!=`.
//!
//! Numbers are JSON numbers, or text in JSON's number syntax (`12`, `-0.5`, `1e3`; not `012`).
//! Dates are RFC 3339 (`2026-11-01T10:00:00Z`, `…+02:00`), a date and time without offset (read as
//! UTC, as Partner Center writes some), or a date alone (`2026-11-01`, midnight UTC).

use std::fmt;
use std::str::FromStr;

use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, PrimitiveDateTime};

/// A comparison operator of a [`Condition`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Op {
    /// `=`: equal (text, number or instant).
    Eq,
    /// `!=`: no reached value is equal.
    Ne,
    /// `~`: contains, ignoring case.
    Contains,
    /// `<`: less than (number or instant).
    Lt,
    /// `>`: greater than (number or instant).
    Gt,
}

impl Op {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Contains => "~",
            Op::Lt => "<",
            Op::Gt => ">",
        }
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a `--where` text is not a condition; the message quotes the text and names the bad part.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}`: {reason}")]
pub struct FilterError {
    text: String,
    reason: String,
}

impl FilterError {
    fn new(text: &str, reason: impl Into<String>) -> Self {
        FilterError {
            text: text.to_owned(),
            reason: reason.into(),
        }
    }

    /// The condition text as given.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// What is wrong with it.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

/// A number or instant, read once from a condition's VALUE.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Ordinal {
    Number(f64),
    Instant(OffsetDateTime),
}

/// One `PATH OP VALUE` test.
///
/// ```
/// use offerkit::select::{Condition, Op};
/// use serde_json::json;
///
/// let recent: Condition = "creationDate>2026-11-01".parse().unwrap();
/// assert_eq!(recent.op(), Op::Gt);
/// assert!(recent.matches(&json!({"creationDate": "2026-11-02T08:00:00Z"})));
/// assert!(!recent.matches(&json!({"creationDate": "2026-10-31T23:59:59Z"})));
///
/// let segment: Condition = "segments=New User".parse().unwrap();
/// assert!(segment.matches(&json!({"segments": ["Whales", "New User"]})));
///
/// let err = "creationDate>>x".parse::<Condition>().unwrap_err();
/// assert!(err.to_string().contains("`>>`"), "{err}");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    text: String,
    path: Vec<String>,
    op: Op,
    value: String,
    ordinal: Option<Ordinal>,
}

impl Condition {
    /// Parses `PATH OP VALUE` (see the module docs for the grammar).
    pub fn parse(text: &str) -> Result<Condition, FilterError> {
        let Some((at, op)) = find_op(text) else {
            return Err(FilterError::new(
                text,
                "no operator: write PATH OP VALUE with OP one of =, !=, ~, <, > (e.g. status=draft)",
            ));
        };
        let raw_path = text[..at].trim();
        let rest = &text[at + op.as_str().len()..];
        if raw_path.is_empty() {
            return Err(FilterError::new(
                text,
                format!("the path before `{op}` is empty"),
            ));
        }
        let path: Vec<String> = raw_path.split('.').map(str::to_owned).collect();
        if let Some(bad) = path
            .iter()
            .find(|s| s.trim().is_empty() || s.trim() != s.as_str())
        {
            return Err(FilterError::new(
                text,
                format!(
                    "the path `{raw_path}` has an empty or space-padded segment `{bad}` (write a.b.c)"
                ),
            ));
        }
        let value = rest.trim();
        if let Some(first) = value.chars().next().filter(|c| "=<>~".contains(*c)) {
            return Err(FilterError::new(
                text,
                format!(
                    "`{op}{first}` is not an operator: after `{raw_path}{op}` the value `{value}` starts \
                     with `{first}` (operators are =, !=, ~, <, >)"
                ),
            ));
        }
        let ordinal = number(value)
            .map(Ordinal::Number)
            .or_else(|| instant(value).map(Ordinal::Instant));
        match op {
            Op::Lt | Op::Gt if ordinal.is_none() => {
                return Err(FilterError::new(
                    text,
                    format!(
                        "the value `{value}` after `{op}` is neither a number nor a date (RFC 3339, \
                         or YYYY-MM-DD for midnight UTC)"
                    ),
                ));
            }
            Op::Contains if value.is_empty() => {
                return Err(FilterError::new(text, "the value after `~` is empty"));
            }
            _ => {}
        }
        Ok(Condition {
            text: text.to_owned(),
            path,
            op,
            value: value.to_owned(),
            ordinal,
        })
    }

    /// The text this condition was parsed from.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The path's segments.
    pub fn path(&self) -> &[String] {
        &self.path
    }

    /// The operator.
    pub fn op(&self) -> Op {
        self.op
    }

    /// The value as written (surrounding spaces removed).
    pub fn value(&self) -> &str {
        &self.value
    }

    /// Whether the value reads as a number or a date (so `=` may match other spellings of it).
    pub fn value_is_ordinal(&self) -> bool {
        self.ordinal.is_some()
    }

    /// This condition with the first `n` path segments removed (`None` when nothing would remain).
    // Used by the orders `--line-items` selection (and the tests).
    #[cfg_attr(not(feature = "partner-center-orders"), allow(dead_code))]
    pub(crate) fn without_prefix(&self, n: usize) -> Option<Condition> {
        (self.path.len() > n).then(|| Condition {
            path: self.path[n..].to_vec(),
            ..self.clone()
        })
    }

    /// Whether `resource` passes this condition.
    pub fn matches(&self, resource: &Value) -> bool {
        let mut reached = Vec::new();
        reach(resource, &self.path, &mut reached);
        match self.op {
            Op::Ne => !reached.iter().any(|v| self.equals(v)),
            Op::Eq => reached.iter().any(|v| self.equals(v)),
            Op::Contains => {
                let needle = self.value.to_lowercase();
                reached
                    .iter()
                    .any(|v| text_of(v).is_some_and(|t| t.to_lowercase().contains(&needle)))
            }
            Op::Lt => reached
                .iter()
                .any(|v| self.compare(v) == Some(std::cmp::Ordering::Less)),
            Op::Gt => reached
                .iter()
                .any(|v| self.compare(v) == Some(std::cmp::Ordering::Greater)),
        }
    }

    fn equals(&self, value: &Value) -> bool {
        match text_of(value) {
            Some(text) if text == self.value => true,
            Some(_) => self.compare(value) == Some(std::cmp::Ordering::Equal),
            None => false,
        }
    }

    /// `value` against this condition's number or instant, when both read the same way.
    fn compare(&self, value: &Value) -> Option<std::cmp::Ordering> {
        match (self.ordinal?, value) {
            (Ordinal::Number(want), Value::Number(n)) => n.as_f64()?.partial_cmp(&want),
            (Ordinal::Number(want), Value::String(s)) => number(s)?.partial_cmp(&want),
            (Ordinal::Instant(want), Value::String(s)) => Some(instant(s)?.cmp(&want)),
            _ => None,
        }
    }
}

impl FromStr for Condition {
    type Err = FilterError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Condition::parse(text)
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}{}", self.path.join("."), self.op, self.value)
    }
}

/// Several [`Condition`]s, all of which must match (an empty filter matches everything).
///
/// ```
/// use offerkit::select::Filter;
/// use serde_json::json;
///
/// let filter = Filter::parse_all(["type=SpecialOffer", "name~summer"]).unwrap();
/// assert!(filter.matches(&json!({"type": "SpecialOffer", "name": "Summer Sale"})));
/// assert!(!filter.matches(&json!({"type": "Bundle", "name": "Summer Sale"})));
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    conditions: Vec<Condition>,
}

impl Filter {
    /// A filter that matches everything.
    pub fn new() -> Self {
        Filter::default()
    }

    /// Parses each text as a [`Condition`]; the first bad one is the error.
    pub fn parse_all<I, S>(texts: I) -> Result<Filter, FilterError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let conditions = texts
            .into_iter()
            .map(|t| Condition::parse(t.as_ref()))
            .collect::<Result<_, _>>()?;
        Ok(Filter { conditions })
    }

    /// Adds a condition.
    pub fn and(mut self, condition: Condition) -> Self {
        self.conditions.push(condition);
        self
    }

    /// The conditions.
    pub fn conditions(&self) -> &[Condition] {
        &self.conditions
    }

    /// Whether every condition matches `resource`.
    pub fn matches(&self, resource: &Value) -> bool {
        self.conditions.iter().all(|c| c.matches(resource))
    }

    /// Splits off the conditions under the top-level key `key` (`lineItems.x=1`), with that
    /// segment removed: `(the others, the ones under key)`. A condition on `key` itself stays with
    /// the others.
    #[cfg_attr(not(feature = "partner-center-orders"), allow(dead_code))]
    pub(crate) fn split_under(&self, key: &str) -> (Filter, Filter) {
        let (mut rest, mut under) = (Filter::new(), Filter::new());
        for c in &self.conditions {
            match c.without_prefix(1).filter(|_| c.path[0] == key) {
                Some(inner) => under.conditions.push(inner),
                None => rest.conditions.push(c.clone()),
            }
        }
        (rest, under)
    }
}

/// The first operator in `text` and where it starts.
fn find_op(text: &str) -> Option<(usize, Op)> {
    let bytes = text.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        let op = match b {
            b'!' if bytes.get(i + 1) == Some(&b'=') => Op::Ne,
            b'=' => Op::Eq,
            b'~' => Op::Contains,
            b'<' => Op::Lt,
            b'>' => Op::Gt,
            _ => continue,
        };
        return Some((i, op));
    }
    None
}

/// Every value `path` reaches from `value`, arrays flattened.
fn reach<'a>(value: &'a Value, path: &[String], out: &mut Vec<&'a Value>) {
    match (value, path.split_first()) {
        (Value::Array(items), _) if path.is_empty() => {
            for item in items {
                reach(item, path, out);
            }
        }
        (_, None) => out.push(value),
        (Value::Object(map), Some((key, rest))) => {
            if let Some(next) = map.get(key.as_str()) {
                reach(next, rest, out);
            }
        }
        (Value::Array(items), Some((key, rest))) => match key.parse::<usize>() {
            Ok(index) => {
                if let Some(item) = items.get(index) {
                    reach(item, rest, out);
                }
            }
            Err(_) => {
                for item in items {
                    reach(item, path, out);
                }
            }
        },
        _ => {}
    }
}

/// A scalar's text: a string as is, anything else as JSON writes it; `None` for an object.
fn text_of(value: &Value) -> Option<std::borrow::Cow<'_, str>> {
    match value {
        Value::String(s) => Some(std::borrow::Cow::Borrowed(s)),
        Value::Object(_) | Value::Array(_) => None,
        other => Some(std::borrow::Cow::Owned(other.to_string())),
    }
}

/// `text` as a number when it has JSON's number syntax.
fn number(text: &str) -> Option<f64> {
    let Ok(Value::Number(n)) = serde_json::from_str::<Value>(text) else {
        return None;
    };
    // `serde_json` accepts surrounding whitespace; a value is already trimmed, a field is not.
    (text.trim() == text).then_some(())?;
    n.as_f64()
}

/// `text` as an instant: RFC 3339, a date-time without offset (UTC), or a date (midnight UTC).
fn instant(text: &str) -> Option<OffsetDateTime> {
    if let Ok(t) = OffsetDateTime::parse(text, &Rfc3339) {
        return Some(t);
    }
    let no_offset = format_description!(
        version = 2,
        "[year]-[month]-[day][first [T] [t] [ ]][hour]:[minute]:[second][optional [.[subsecond]]]"
    );
    if let Ok(t) = PrimitiveDateTime::parse(text, &no_offset) {
        return Some(t.assume_utc());
    }
    let date = format_description!("[year]-[month]-[day]");
    Date::parse(text, &date)
        .ok()
        .map(|d| d.midnight().assume_utc())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn c(text: &str) -> Condition {
        Condition::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn err(text: &str) -> String {
        Condition::parse(text)
            .err()
            .unwrap_or_else(|| panic!("{text} parsed"))
            .to_string()
    }

    #[test]
    fn parses_each_operator_and_keeps_inner_spaces() {
        for (text, op, path, value) in [
            ("state=draft", Op::Eq, "state", "draft"),
            ("state!=draft", Op::Ne, "state", "draft"),
            ("name~Summer", Op::Contains, "name", "Summer"),
            ("rank.priority<3", Op::Lt, "rank.priority", "3"),
            (
                "creationDate>2026-11-01",
                Op::Gt,
                "creationDate",
                "2026-11-01",
            ),
            (" segments = New User ", Op::Eq, "segments", "New User"),
            ("name=a=b", Op::Eq, "name", "a=b"),
            ("name=", Op::Eq, "name", ""),
        ] {
            let cond = c(text);
            assert_eq!(cond.op(), op, "{text}");
            assert_eq!(cond.path().join("."), path, "{text}");
            assert_eq!(cond.value(), value, "{text}");
            assert_eq!(cond.text(), text);
        }
        assert_eq!(c("a.b ~ x y").to_string(), "a.b~x y");
    }

    #[test]
    fn bad_input_names_the_bad_part() {
        let doubled = err("creationDate>>x");
        assert!(doubled.starts_with("`creationDate>>x`:"), "{doubled}");
        assert!(doubled.contains("`>>` is not an operator"), "{doubled}");
        assert!(err("status==draft").contains("`==` is not an operator"));
        assert!(err("status").contains("no operator"));
        assert!(err("=draft").contains("path before `=` is empty"));
        assert!(err("a..b=1").contains("empty or space-padded segment"));
        assert!(err("a. b=1").contains("segment ` b`"));
        let word = err("creationDate<yesterday");
        assert!(
            word.contains("`yesterday` after `<` is neither a number nor a date"),
            "{word}"
        );
        assert!(err("creationDate>").contains("value `` after `>`"));
        assert!(err("name~").contains("after `~` is empty"));
        assert!(err("d>2026-13-01").contains("neither a number nor a date"));
        let e = Condition::parse("x<y").expect_err("error");
        assert_eq!(e.text(), "x<y");
        assert!(e.reason().contains("`y`"));
    }

    #[test]
    fn equality_is_exact_text_then_number_then_instant() {
        let r = json!({"state": "Draft", "n": 2, "s": "2.0", "b": true, "z": null,
                       "d": "2026-11-01T00:00:00.000+00:00"});
        assert!(c("state=Draft").matches(&r));
        assert!(!c("state=draft").matches(&r), "= is case-sensitive");
        assert!(c("n=2").matches(&r));
        assert!(c("n=2.0").matches(&r));
        assert!(c("s=2").matches(&r));
        assert!(c("b=true").matches(&r));
        assert!(c("z=null").matches(&r));
        assert!(c("d=2026-11-01").matches(&r), "date-only is midnight UTC");
        assert!(c("d=2026-11-01T01:00:00+01:00").matches(&r));
        assert!(!c("d=2026-11-02").matches(&r));
        assert!(
            !c("n=02").matches(&json!({"n": "2"})),
            "02 is not a JSON number"
        );
    }

    #[test]
    fn not_equal_holds_when_no_reached_value_is_equal() {
        let r = json!({"segments": ["Whales", "New User"], "state": "live"});
        assert!(c("state!=draft").matches(&r));
        assert!(!c("state!=live").matches(&r));
        assert!(!c("segments!=Whales").matches(&r));
        assert!(c("segments!=Dolphins").matches(&r));
        assert!(
            c("missing!=x").matches(&r),
            "a missing field has no equal value"
        );
        assert!(!c("missing=x").matches(&r));
    }

    #[test]
    fn contains_ignores_case_and_reads_scalars_as_text() {
        let r = json!({"name": "Summer SALE", "etag": 12, "obj": {"a": "sale"}});
        assert!(c("name~sale").matches(&r));
        assert!(c("name~summer s").matches(&r));
        assert!(!c("name~winter").matches(&r));
        assert!(c("etag~1").matches(&r));
        assert!(!c("obj~sale").matches(&r), "objects contain nothing");
        assert!(c("obj.a~SALE").matches(&r));
    }

    #[test]
    fn less_and_greater_compare_numbers_and_instants() {
        let r = json!({"rank": {"priority": 5}, "price": "9.5",
                       "created": "2023-05-15T14:35:16.781+00:00",
                       "pc": "2026-11-01T10:00:00.1234567Z", "plain": "2026-11-01T10:00:00",
                       "name": "abc"});
        assert!(c("rank.priority>4").matches(&r));
        assert!(!c("rank.priority>5").matches(&r));
        assert!(c("rank.priority<5.5").matches(&r));
        assert!(c("price<10").matches(&r));
        assert!(c("created>2023-05-15").matches(&r));
        assert!(c("created<2023-05-16").matches(&r));
        assert!(!c("created>2023-05-15T14:35:17Z").matches(&r));
        assert!(
            c("pc>2026-11-01T10:00:00Z").matches(&r),
            "7 fractional digits"
        );
        assert!(
            c("plain>2026-11-01T09:59:59Z").matches(&r),
            "no offset is UTC"
        );
        assert!(
            !c("name>1").matches(&r),
            "text that is no number never compares"
        );
        assert!(!c("created>5").matches(&r), "a date is no number");
        assert!(!c("missing>1").matches(&r));
    }

    #[test]
    fn arrays_match_when_any_element_matches_and_indexes_select_one() {
        let order = json!({"lineItems": [
            {"lineItemNumber": 0, "offerId": "A", "quantity": 1},
            {"lineItemNumber": 1, "offerId": "B", "quantity": 7}
        ]});
        assert!(c("lineItems.offerId=B").matches(&order));
        assert!(c("lineItems.quantity>5").matches(&order));
        assert!(!c("lineItems.quantity>7").matches(&order));
        assert!(c("lineItems.1.offerId=B").matches(&order));
        assert!(!c("lineItems.0.offerId=B").matches(&order));
        assert!(!c("lineItems.9.offerId=B").matches(&order));
        let nested = json!({"a": [[{"b": "x"}], [{"b": "y"}]]});
        assert!(c("a.b=y").matches(&nested));
        assert!(c("tags~RED").matches(&json!({"tags": ["blue", "dark red"]})));
    }

    #[test]
    fn a_filter_ands_its_conditions_and_splits_by_key() {
        let filter = Filter::parse_all(["status=completed", "lineItems.offerId=B", "lineItems!=x"])
            .expect("filter");
        let order = json!({"status": "completed", "lineItems": [{"offerId": "B"}]});
        assert!(filter.matches(&order));
        assert!(!filter.matches(&json!({"status": "cancelled", "lineItems": [{"offerId": "B"}]})));
        assert!(Filter::new().matches(&json!({})));
        let (rest, under) = filter.split_under("lineItems");
        assert_eq!(rest.conditions().len(), 2);
        assert_eq!(under.conditions().len(), 1);
        assert_eq!(under.conditions()[0].path(), ["offerId"]);
        assert!(under.matches(&json!({"offerId": "B"})));
        let bad = Filter::parse_all(["a=1", "b>>2"]).expect_err("error");
        assert_eq!(bad.text(), "b>>2");
    }
}
