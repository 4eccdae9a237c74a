//! Validated identifiers: [`PrivateOfferId`] and [`JobId`].

use std::fmt;

use offerkit_transport::ids::{IdProblem, check_path_id};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::Error;

/// The prefix of a private offer's durable id on the wire (`private-offer/<id>`).
const RESOURCE_PREFIX: &str = "private-offer/";

/// Checks a user-supplied id: surrounding whitespace is trimmed, and the rest must pass
/// [`check_path_id`] (non-empty, no control characters); `.` and `..` are accepted here, as before
/// (the transport refuses them when they would become a path segment). `argument` names the
/// parameter in the error.
fn check(raw: &str, argument: &'static str) -> Result<String, Error> {
    match check_path_id(argument, raw.trim().to_owned()) {
        Ok(id) => Ok(id),
        Err(e) if e.problem() == IdProblem::DotSegment => Ok(e.into_value()),
        Err(e) if e.problem() == IdProblem::ControlCharacters => Err(Error::invalid_argument(
            argument,
            "must not contain control characters",
        )),
        Err(e) => Err(Error::invalid_argument(argument, e.reason())),
    }
}

/// A private offer's id, without the `private-offer/` prefix (e.g. `456e-a345-c457-1234`).
///
/// Accepts the bare id and the durable resource id (`private-offer/456e-…`); surrounding whitespace is
/// trimmed. [`PrivateOfferId::resource_id`] gives the form the configure body uses; paths use the bare id
/// as one percent-encoded segment, so an id such as `a/b?x=1` can never change the URL.
///
/// ```
/// use offerkit_partner_center_ingestion::PrivateOfferId;
/// let id = PrivateOfferId::new("private-offer/456e-a345-c457-1234")?;
/// assert_eq!(id.as_str(), "456e-a345-c457-1234");
/// assert_eq!(id.resource_id(), "private-offer/456e-a345-c457-1234");
/// assert_eq!(PrivateOfferId::new(" 456e ")?.as_str(), "456e");
/// let err = PrivateOfferId::new("private-offer/").unwrap_err();
/// assert_eq!(err.to_string(), "invalid offer_id: must not be empty");
/// # Ok::<(), offerkit_partner_center_ingestion::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PrivateOfferId(String);

impl PrivateOfferId {
    /// Validates `id` (bare or `private-offer/`-prefixed).
    pub fn new(id: impl AsRef<str>) -> Result<Self, Error> {
        let trimmed = id.as_ref().trim();
        let bare = trimmed.strip_prefix(RESOURCE_PREFIX).unwrap_or(trimmed);
        check(bare, "offer_id").map(Self)
    }

    /// The bare id, as used in `GET /private-offer/{id}`.
    ///
    /// ```
    /// # use offerkit_partner_center_ingestion::PrivateOfferId;
    /// assert_eq!(PrivateOfferId::new("abc")?.as_str(), "abc");
    /// # Ok::<(), offerkit_partner_center_ingestion::Error>(())
    /// ```
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The durable resource id used in configure bodies: `private-offer/<id>`.
    ///
    /// ```
    /// # use offerkit_partner_center_ingestion::PrivateOfferId;
    /// assert_eq!(PrivateOfferId::new("abc")?.resource_id(), "private-offer/abc");
    /// # Ok::<(), offerkit_partner_center_ingestion::Error>(())
    /// ```
    pub fn resource_id(&self) -> String {
        format!("{RESOURCE_PREFIX}{}", self.0)
    }
}

/// A configure job's id (a GUID such as `c32dd7e8-8619-462d-a96b-0ac1974bace5`), trimmed and non-empty.
///
/// ```
/// use offerkit_partner_center_ingestion::JobId;
/// let id = JobId::new("c32dd7e8-8619-462d-a96b-0ac1974bace5")?;
/// assert_eq!(id.to_string(), "c32dd7e8-8619-462d-a96b-0ac1974bace5");
/// assert_eq!(JobId::new("").unwrap_err().to_string(), "invalid job_id: must not be empty");
/// # Ok::<(), offerkit_partner_center_ingestion::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct JobId(String);

impl JobId {
    /// Validates `id`.
    pub fn new(id: impl AsRef<str>) -> Result<Self, Error> {
        check(id.as_ref(), "job_id").map(Self)
    }

    /// The id as sent to the vendor.
    ///
    /// ```
    /// # use offerkit_partner_center_ingestion::JobId;
    /// assert_eq!(JobId::new("j1")?.as_str(), "j1");
    /// # Ok::<(), offerkit_partner_center_ingestion::Error>(())
    /// ```
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

macro_rules! id_traits {
    ($name:ident) => {
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::str::FromStr for $name {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::new(s)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = Error;
            fn try_from(s: &str) -> Result<Self, Self::Error> {
                Self::new(s)
            }
        }

        impl TryFrom<String> for $name {
            type Error = Error;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::new(s)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let raw = String::deserialize(deserializer)?;
                Self::new(raw).map_err(serde::de::Error::custom)
            }
        }
    };
}

id_traits!(PrivateOfferId);
id_traits!(JobId);
