//! Newtypes for the identifiers a user passes in: they cannot be empty or padded.

use std::fmt;

use crate::target::TargetError;

macro_rules! id_newtype {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Checks the id (non-empty, no surrounding whitespace, no control characters)
            /// and wraps it.
            pub fn new(id: impl Into<String>) -> Result<Self, TargetError> {
                let id = id.into();
                check_id(&id)?;
                Ok($name(id))
            }

            /// The id as sent to the vendor.
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

        impl std::str::FromStr for $name {
            type Err = TargetError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
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

fn check_id(id: &str) -> Result<(), TargetError> {
    if id.is_empty() {
        return Err(TargetError::value("must not be empty"));
    }
    if id.trim() != id {
        return Err(TargetError::value("must not start or end with whitespace"));
    }
    if id.chars().any(char::is_control) {
        return Err(TargetError::value("must not contain control characters"));
    }
    Ok(())
}

id_newtype!(
    /// A Partner Center private offer id, without the `private-offer/` prefix
    /// (e.g. `456e-a345-c457-1234`).
    ///
    /// ```
    /// use offerkit::PrivateOfferId;
    /// let id: PrivateOfferId = "456e-a345-c457-1234".parse().unwrap();
    /// assert_eq!(id.as_str(), "456e-a345-c457-1234");
    /// assert!(PrivateOfferId::new("").is_err());
    /// ```
    PrivateOfferId
);
id_newtype!(
    /// A customer's Azure AD tenant id (Partner Center orders are scoped by it).
    TenantId
);
id_newtype!(
    /// A Partner Center order id (e.g. `2y6dF_rVgDAXMxypQPPnTquuXhKVK_3N1`; not a GUID).
    OrderId
);
id_newtype!(
    /// An Adobe Offer Library offer id (e.g. `personalizedOffer1234`).
    AdobeOfferId
);
id_newtype!(
    /// The publisher's own Appcharge offer key (`publisherOfferId`), used in the path.
    PublisherOfferId
);
id_newtype!(
    /// An asynchronous vendor job id (Partner Center ingestion `jobId`).
    JobId
);

impl PrivateOfferId {
    /// Accepts both `456e-...` and the resource form `private-offer/456e-...`.
    pub fn parse_lenient(raw: &str) -> Result<Self, TargetError> {
        PrivateOfferId::new(raw.strip_prefix("private-offer/").unwrap_or(raw))
    }

    /// The resource id used in configure bodies: `private-offer/<id>`.
    pub fn resource_id(&self) -> String {
        format!("private-offer/{}", self.0)
    }
}
