//! Every id a user passes to offerkit, defined once: [`path_id!`](crate::path_id) and the one id check.
//!
//! An id becomes one path segment (or a resource name) of a request, so it is checked once, when
//! it is built: [`check_path_id`] refuses an empty id, surrounding whitespace, `.` and `..`,
//! control characters and ids longer than [`MAX_ID_BYTES`]. Any other character is allowed (the
//! transport percent-encodes path parameters, so `a/b?x=1` or `urn:offer:1` stays one segment).
//!
//! The library refuses surrounding whitespace rather than trimming it: a pasted id with a trailing
//! space names a different resource. Only input parsers (the CLI reading a batch file) may trim.
//!
//! | Type | Vendor | Argument name in errors |
//! |---|---|---|
//! | [`PrivateOfferId`] | Partner Center ingestion | `offer_id` |
//! | [`JobId`] | Partner Center ingestion | `job_id` |
//! | [`CustomerTenantId`] | Partner Center orders | `customer_id` |
//! | [`OrderId`] | Partner Center orders | `order_id` |
//! | [`SubscriptionId`] | Partner Center orders | `subscription_id` |
//! | [`AdobeOfferId`] | Adobe Offer Library | `offer_id` |
//! | [`PublisherOfferId`] | Appcharge | `publisher_offer_id` |
//!
//! ```
//! use offerkit_models::ids::{IdProblem, PublisherOfferId};
//!
//! let id = PublisherOfferId::new("special-offer-1")?;
//! assert_eq!(id.as_str(), "special-offer-1");
//!
//! let err = PublisherOfferId::new("special-offer-1 ").unwrap_err();
//! assert_eq!(err.problem(), IdProblem::SurroundingWhitespace);
//! assert_eq!(
//!     err.to_string(),
//!     "invalid publisher_offer_id: `special-offer-1 ` has leading or trailing whitespace"
//! );
//! # Ok::<(), offerkit_models::ids::InvalidId>(())
//! ```

use std::fmt;

/// The longest id accepted, in bytes. Vendor ids are far shorter (GUIDs, durable ids, a few dozen
/// characters); a longer value is a pasted document, not an id.
pub const MAX_ID_BYTES: usize = 1024;

/// Checks an id that will become one path segment (or a resource name) of a request.
///
/// Refused, in this order: empty or only whitespace; longer than [`MAX_ID_BYTES`]; leading or
/// trailing whitespace; `.` or `..` (they would change the request path); control characters.
///
/// ```
/// use offerkit_models::ids::{IdProblem, check_path_id};
///
/// assert_eq!(check_path_id("offer_id", "summer-sale".to_owned())?, "summer-sale");
/// let err = check_path_id("offer_id", "..".to_owned()).unwrap_err();
/// assert_eq!(err.problem(), IdProblem::DotSegment);
/// assert_eq!(err.reason(), "`..` is not a valid id (it would change the request path)");
/// # Ok::<(), offerkit_models::ids::InvalidId>(())
/// ```
pub fn check_path_id(argument: &'static str, value: String) -> Result<String, InvalidId> {
    let problem = if value.trim().is_empty() {
        IdProblem::Empty
    } else if value.len() > MAX_ID_BYTES {
        IdProblem::TooLong
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
pub enum IdProblem {
    /// Empty or only whitespace.
    Empty,
    /// Longer than [`MAX_ID_BYTES`].
    TooLong,
    /// Leading or trailing whitespace.
    SurroundingWhitespace,
    /// `.` or `..`.
    DotSegment,
    /// A control character (a pasted newline or tab, a NUL).
    ControlCharacters,
}

/// An id refused by [`check_path_id`]: which argument, why, and the value as given.
///
/// Displays as `invalid {argument}: {reason}`. A refused value is quoted in the reason only up to
/// 64 characters, so a 10 MB "id" does not end up copied into every message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidId {
    argument: &'static str,
    problem: IdProblem,
    value: String,
}

impl InvalidId {
    /// The argument name of the id type (for example `publisher_offer_id`).
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

    /// The reason as text, without the argument name (e.g. `must not be empty`).
    ///
    /// ```
    /// use offerkit_models::ids::check_path_id;
    /// let err = check_path_id("job_id", "a\nb".to_owned()).unwrap_err();
    /// assert_eq!(err.reason(), "`a\\nb` contains control characters");
    /// ```
    pub fn reason(&self) -> String {
        let shown = quoted(&self.value);
        match self.problem {
            IdProblem::Empty => "must not be empty".to_owned(),
            IdProblem::TooLong => format!(
                "is {} bytes long; an id has at most {MAX_ID_BYTES} bytes",
                self.value.len()
            ),
            IdProblem::SurroundingWhitespace => {
                format!("`{shown}` has leading or trailing whitespace")
            }
            IdProblem::DotSegment => {
                format!("`{shown}` is not a valid id (it would change the request path)")
            }
            IdProblem::ControlCharacters => format!("`{shown}` contains control characters"),
        }
    }
}

/// The value escaped for a message, cut after 64 characters.
fn quoted(value: &str) -> String {
    const SHOWN: usize = 64;
    let mut chars = value.chars();
    let head: String = chars.by_ref().take(SHOWN).collect();
    let more = chars.next().is_some();
    let mut text = head.escape_debug().to_string();
    if more {
        text.push('…');
    }
    text
}

impl fmt::Display for InvalidId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid {}: {}", self.argument, self.reason())
    }
}

impl std::error::Error for InvalidId {}

/// Declares a checked id newtype: `new` runs [`check_path_id`] (after an optional normaliser),
/// and the type gets `as_str`, `into_string`, `Display`, `AsRef<str>`, `FromStr`, `TryFrom`,
/// and serde support that checks on deserialize.
///
/// ```
/// offerkit_models::path_id! {
///     /// A widget's id.
///     WidgetId, "widget_id"
/// }
/// assert!(WidgetId::new("w-1").is_ok());
/// assert!(WidgetId::new("").is_err());
/// assert_eq!(WidgetId::ARGUMENT, "widget_id");
/// ```
#[macro_export]
macro_rules! path_id {
    ($(#[$meta:meta])* $name:ident, $argument:literal $(, normalize = $normalize:expr)?) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            /// The argument name used in validation errors.
            pub const ARGUMENT: &'static str = $argument;

            /// Checks and wraps an id ([`check_path_id`](crate::ids::check_path_id)).
            pub fn new(id: impl Into<String>) -> Result<Self, $crate::ids::InvalidId> {
                let id: String = id.into();
                $(let id: String = ($normalize)(id);)?
                $crate::ids::check_path_id(Self::ARGUMENT, id).map(Self)
            }

            /// The id as sent to the vendor.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The id as an owned `String`.
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl ::std::convert::AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::ids::InvalidId;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::new(s)
            }
        }

        impl ::std::convert::TryFrom<&str> for $name {
            type Error = $crate::ids::InvalidId;
            fn try_from(s: &str) -> Result<Self, Self::Error> {
                Self::new(s)
            }
        }

        impl ::std::convert::TryFrom<String> for $name {
            type Error = $crate::ids::InvalidId;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::new(s)
            }
        }

        impl $crate::__serde::Serialize for $name {
            fn serialize<S: $crate::__serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> $crate::__serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = <String as $crate::__serde::Deserialize>::deserialize(d)?;
                Self::new(raw).map_err(<D::Error as $crate::__serde::de::Error>::custom)
            }
        }
    };
}

const PRIVATE_OFFER_PREFIX: &str = "private-offer/";

path_id! {
    /// A Partner Center private offer's durable id (`private-offer/<id>` is accepted and reduced
    /// to `<id>`; [`PrivateOfferId::resource_id`] gives the prefixed form back).
    ///
    /// ```
    /// use offerkit_models::ids::PrivateOfferId;
    /// let id = PrivateOfferId::new("private-offer/4a3b")?;
    /// assert_eq!(id.as_str(), "4a3b");
    /// assert_eq!(id.resource_id(), "private-offer/4a3b");
    /// # Ok::<(), offerkit_models::ids::InvalidId>(())
    /// ```
    PrivateOfferId, "offer_id", normalize = |id: String| match id.strip_prefix(PRIVATE_OFFER_PREFIX) {
        Some(bare) => bare.to_owned(),
        None => id,
    }
}

impl PrivateOfferId {
    /// The id in the `private-offer/<id>` form product ingestion uses in `resourceName` and
    /// `durableId` references.
    pub fn resource_id(&self) -> String {
        format!("{PRIVATE_OFFER_PREFIX}{}", self.0)
    }
}

path_id! {
    /// A Partner Center product-ingestion configure job id.
    JobId, "job_id"
}

path_id! {
    /// A Partner Center customer's tenant id (the `{customer-tenant-id}` of the orders API).
    CustomerTenantId, "customer_id"
}

path_id! {
    /// A Partner Center order id.
    OrderId, "order_id"
}

path_id! {
    /// A Partner Center subscription id.
    SubscriptionId, "subscription_id"
}

path_id! {
    /// An Adobe Offer Library offer id (`id` or `@id`; these contain `:`, for example
    /// `xcore:personalized-offer:124e8bf0d9f6d7f2`).
    AdobeOfferId, "offer_id"
}

path_id! {
    /// An Appcharge offer's `publisherOfferId` (the "External ID" in the Publisher Dashboard).
    PublisherOfferId, "publisher_offer_id"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_empty_long_padded_dots_and_control() {
        let long = "x".repeat(MAX_ID_BYTES + 1);
        let cases = [
            ("", IdProblem::Empty),
            ("   ", IdProblem::Empty),
            (long.as_str(), IdProblem::TooLong),
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
            assert!(err.to_string().len() < 200, "message stays short: {err}");
        }
        let longest = "y".repeat(MAX_ID_BYTES);
        for good in [
            "a",
            "a/b?x=1",
            "special offer 1",
            "🎉",
            "...",
            "xcore:personalized-offer:1",
            longest.as_str(),
        ] {
            assert_eq!(
                check_path_id("offer_id", good.to_owned()).expect(good),
                good
            );
        }
    }

    #[test]
    fn every_id_type_uses_the_one_check() {
        assert_eq!(
            PublisherOfferId::new(" a").expect_err("padded").argument(),
            "publisher_offer_id"
        );
        assert!(AdobeOfferId::new("..").is_err());
        assert!(OrderId::new("o\n1").is_err());
        assert!(CustomerTenantId::new("").is_err());
        assert!(SubscriptionId::new(" s").is_err());
        assert!(JobId::new("x".repeat(2000)).is_err());
        assert!(PrivateOfferId::new("private-offer/").is_err());
        assert_eq!(
            PrivateOfferId::new("private-offer/abc")
                .expect("prefixed")
                .as_str(),
            "abc"
        );
    }

    #[test]
    fn serde_checks_on_the_way_in() {
        let ok: AdobeOfferId = serde_json::from_str("\"xcore:offer:1\"").expect("valid");
        assert_eq!(
            serde_json::to_string(&ok).expect("ser"),
            "\"xcore:offer:1\""
        );
        let err = serde_json::from_str::<PublisherOfferId>("\" x\"").expect_err("padded");
        assert!(
            err.to_string().contains("leading or trailing whitespace"),
            "{err}"
        );
    }
}
