//! Ids: checking user-supplied ids before they go into a request path, and random request ids.
//!
//! [`check_path_id`] is the one check every vendor crate's id newtype builds on.

use std::fmt;

/// Checks an id that will become one path segment (or a resource name) of a request.
///
/// Refused, in this order: empty or only whitespace; leading or trailing whitespace (a pasted id
/// with a trailing space would name a different resource); `.` or `..` (they would change the
/// request path); control characters. Any other character is allowed: the transport
/// percent-encodes path parameters, so an id like `a/b?x=1` stays one segment.
///
/// `argument` names the parameter in the error. A crate whose ids are trimmed rather than refused
/// for surrounding whitespace trims before calling; one that accepts a problem (see
/// [`IdProblem`]) takes the value back with [`InvalidId::into_value`]. `.`/`..` never contain
/// control characters, so accepting [`IdProblem::DotSegment`] skips no other check.
///
/// ```
/// use offerkit_transport::ids::{check_path_id, IdProblem};
///
/// assert_eq!(check_path_id("offer_id", "summer-sale".to_owned())?, "summer-sale");
///
/// let err = check_path_id("offer_id", " summer-sale".to_owned()).unwrap_err();
/// assert_eq!(err.problem(), IdProblem::SurroundingWhitespace);
/// assert_eq!(err.to_string(), "invalid offer_id: ` summer-sale` has leading or trailing whitespace");
/// assert_eq!(
///     check_path_id("offer_id", "..".to_owned()).unwrap_err().reason(),
///     "`..` is not a valid id (it would change the request path)"
/// );
/// # Ok::<(), offerkit_transport::ids::InvalidId>(())
/// ```
pub fn check_path_id(argument: &'static str, value: String) -> Result<String, InvalidId> {
    let problem = if value.trim().is_empty() {
        IdProblem::Empty
    } else if value.trim() != value {
        IdProblem::SurroundingWhitespace
    } else if value == "." || value == ".." {
        IdProblem::DotSegment
    } else if value.chars().any(char::is_control) {
        IdProblem::ControlCharacters
    } else {
        return Ok(value);
    };
    Err(InvalidId {
        argument,
        problem,
        value,
    })
}

/// Why [`check_path_id`] refused an id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum IdProblem {
    /// Empty or only whitespace.
    Empty,
    /// Leading or trailing whitespace.
    SurroundingWhitespace,
    /// `.` or `..`.
    DotSegment,
    /// A control character (a pasted newline or tab, a NUL).
    ControlCharacters,
}

/// An id refused by [`check_path_id`]: which argument, why, and the value as given.
///
/// Displays as `invalid {argument}: {reason}`, the same shape as [`crate::Error::InvalidInput`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidId {
    argument: &'static str,
    problem: IdProblem,
    value: String,
}

impl InvalidId {
    /// The argument name given to [`check_path_id`].
    pub fn argument(&self) -> &'static str {
        self.argument
    }

    /// Why the id was refused.
    pub fn problem(&self) -> IdProblem {
        self.problem
    }

    /// The refused value, as given.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// Takes the refused value back, for a caller that accepts this problem (for example a crate
    /// that lets `.` through because the transport's path check refuses it when it is sent).
    ///
    /// ```
    /// use offerkit_transport::ids::{check_path_id, IdProblem};
    /// let err = check_path_id("order_id", "..".to_owned()).unwrap_err();
    /// assert_eq!(err.problem(), IdProblem::DotSegment);
    /// assert_eq!(err.into_value(), "..");
    /// ```
    pub fn into_value(self) -> String {
        self.value
    }

    /// The reason as text, without the argument name (e.g. `must not be empty`).
    ///
    /// ```
    /// use offerkit_transport::ids::check_path_id;
    /// let err = check_path_id("job_id", "a\nb".to_owned()).unwrap_err();
    /// assert_eq!(err.reason(), "`a\\nb` contains control characters");
    /// ```
    pub fn reason(&self) -> String {
        match self.problem {
            IdProblem::Empty => "must not be empty".to_owned(),
            IdProblem::SurroundingWhitespace => format!(
                "`{}` has leading or trailing whitespace",
                self.value.escape_debug()
            ),
            IdProblem::DotSegment => format!(
                "`{}` is not a valid id (it would change the request path)",
                self.value
            ),
            IdProblem::ControlCharacters => {
                format!(
                    "`{}` contains control characters",
                    self.value.escape_debug()
                )
            }
        }
    }
}

impl fmt::Display for InvalidId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid {}: {}", self.argument, self.reason())
    }
}

impl std::error::Error for InvalidId {}

impl From<InvalidId> for crate::Error {
    fn from(err: InvalidId) -> Self {
        crate::Error::invalid_input(err.argument, err.reason())
    }
}

/// A random UUID v4 in its canonical text form (used for `MS-RequestId` / `MS-CorrelationId`).
pub(crate) fn new_uuid() -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&fastrand::u64(..).to_be_bytes());
    bytes[8..].copy_from_slice(&fastrand::u64(..).to_be_bytes());
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let mut text = String::with_capacity(36);
    for (i, b) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            text.push('-');
        }
        text.push(char::from(HEX[usize::from(b >> 4)]));
        text.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::{IdProblem, check_path_id};

    #[test]
    fn path_ids_refuse_empty_padded_dots_and_control() {
        let cases = [
            ("", IdProblem::Empty),
            ("   ", IdProblem::Empty),
            (" a", IdProblem::SurroundingWhitespace),
            ("a\t", IdProblem::SurroundingWhitespace),
            (".", IdProblem::DotSegment),
            ("..", IdProblem::DotSegment),
            ("a\nb", IdProblem::ControlCharacters),
            ("a\u{0}b", IdProblem::ControlCharacters),
        ];
        for (bad, problem) in cases {
            let err = check_path_id("offer_id", bad.to_owned()).expect_err(bad);
            assert_eq!(err.problem(), problem, "{bad:?}");
            assert_eq!(err.argument(), "offer_id");
            assert_eq!(err.value(), bad);
            assert!(err.to_string().starts_with("invalid offer_id: "), "{err}");
        }
        for good in ["a", "a/b?x=1", "special offer 1", "🎉", "..."] {
            assert_eq!(
                check_path_id("offer_id", good.to_owned()).expect(good),
                good
            );
        }
    }

    #[test]
    fn invalid_id_becomes_invalid_input() {
        let err = check_path_id("job_id", String::new()).expect_err("empty");
        let err = crate::Error::from(err);
        assert!(matches!(err, crate::Error::InvalidInput { .. }));
        assert_eq!(err.to_string(), "invalid job_id: must not be empty");
    }

    #[test]
    fn uuid_shape() {
        let a = super::new_uuid();
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"));
        assert_ne!(a, super::new_uuid());
        for (i, c) in a.char_indices() {
            if matches!(i, 8 | 13 | 18 | 23) {
                assert_eq!(c, '-', "{a}");
            } else {
                assert!(c.is_ascii_hexdigit() && !c.is_ascii_uppercase(), "{a}");
            }
        }
    }
}
