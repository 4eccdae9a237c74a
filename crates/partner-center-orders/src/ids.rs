//! Validated identifiers: [`CustomerTenantId`] and [`OrderId`].
//!
//! Both are checked once, when built, so a typo (an empty value, a pasted newline) is reported with the
//! argument's name before any request is sent. Surrounding whitespace is trimmed because ids are often
//! pasted from portals and spreadsheets; Partner Center ids never contain spaces.

use std::fmt;
use std::str::FromStr;

use offerkit_transport::ids::{IdProblem, check_path_id};

use crate::Error;

macro_rules! id_newtype {
    ($(#[$meta:meta])* $name:ident, $argument:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// The argument name used in validation errors.
            pub const ARGUMENT: &'static str = $argument;

            /// Trims `id` and checks it is not empty and has no control characters.
            pub fn new(id: impl AsRef<str>) -> Result<Self, Error> {
                validate(id.as_ref(), $argument).map($name)
            }

            /// The id as sent to Partner Center (percent-encoded in the path by the transport).
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

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

        impl FromStr for $name {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $name::new(s)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = Error;
            fn try_from(s: &str) -> Result<Self, Self::Error> {
                $name::new(s)
            }
        }

        impl TryFrom<String> for $name {
            type Error = Error;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                $name::new(s)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = String::deserialize(d)?;
                $name::new(raw).map_err(serde::de::Error::custom)
            }
        }
    };
}

/// Trims `raw` and checks it with [`check_path_id`]. `.` and `..` are accepted here: the transport
/// refuses them when they would become a path segment.
fn validate(raw: &str, argument: &'static str) -> Result<String, Error> {
    match check_path_id(argument, raw.trim().to_owned()) {
        Ok(id) => Ok(id),
        Err(e) if e.problem() == IdProblem::DotSegment => Ok(e.into_value()),
        Err(e) if e.problem() == IdProblem::ControlCharacters => Err(Error::invalid_argument(
            argument,
            "must not contain control characters (a pasted newline or tab?)",
        )),
        Err(e) => Err(Error::invalid_argument(argument, e.reason())),
    }
}

id_newtype!(
    /// The customer's Azure AD tenant id (`customer-tenant-id` in the path; a GUID in practice).
    ///
    /// ```
    /// use offerkit_partner_center_orders::CustomerTenantId;
    /// let id = CustomerTenantId::new(" 45411344-b09d-47e7-9653-542006bf9766\n").unwrap();
    /// assert_eq!(id.as_str(), "45411344-b09d-47e7-9653-542006bf9766");
    /// let err = CustomerTenantId::new("  ").unwrap_err();
    /// assert_eq!(err.to_string(), "invalid customer_tenant_id: must not be empty");
    /// ```
    CustomerTenantId,
    "customer_tenant_id"
);

id_newtype!(
    /// A Partner Center order id, e.g. `2y6dF_rVgDAXMxypQPPnTquuXhKVK_3N1` (not a GUID, and not the
    /// order's short `alternateId`).
    ///
    /// ```
    /// use offerkit_partner_center_orders::OrderId;
    /// let id: OrderId = "2y6dF_rVgDAXMxypQPPnTquuXhKVK_3N1".parse().unwrap();
    /// assert_eq!(id.to_string(), "2y6dF_rVgDAXMxypQPPnTquuXhKVK_3N1");
    /// assert!(OrderId::new("").unwrap_err().to_string().contains("order_id"));
    /// ```
    OrderId,
    "order_id"
);
