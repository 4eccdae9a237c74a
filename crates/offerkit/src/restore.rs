//! [`RestoreOutcome`]: the result of re-creating what a retraction removed, from its snapshot
//! ([`crate::Details::snapshot`]), through [`crate::Retract::restore`].
//!
//! Only some vendors allow it: Appcharge offers come back under the same `publisherOfferId`, Adobe
//! offers under a new id Adobe assigns. Partner Center retractions cannot be undone through its
//! API ([`not_restorable_reason`]). A resource that already exists is reported as
//! [`RestoreOutcome::Exists`], never overwritten.

use serde::ser::SerializeMap;

use crate::error::Error;
use offerkit_models::Vendor;

/// Settings of one restore call.
///
/// ```
/// use offerkit::RestoreContext;
/// assert!(RestoreContext::new().with_resumed(true).resumed());
/// ```
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct RestoreContext {
    resumed: bool,
}

impl RestoreContext {
    /// A first attempt.
    pub fn new() -> Self {
        RestoreContext::default()
    }

    /// Marks the call as taking up an earlier attempt that may have created the resource (a
    /// journal says it started): the vendor impl looks for what that attempt created before it
    /// creates anything.
    pub fn with_resumed(mut self, resumed: bool) -> Self {
        self.resumed = resumed;
        self
    }

    /// Whether an earlier attempt may have created the resource.
    pub fn resumed(&self) -> bool {
        self.resumed
    }
}

/// What the vendor said while restoring.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct RestoreDetails {
    /// The vendor's request id of the deciding call.
    pub request_id: Option<String>,
    /// The retracted resource's id (Adobe: the old id).
    pub old_id: Option<String>,
    /// The re-created resource's id when the vendor assigned a new one (Adobe).
    pub new_id: Option<String>,
    /// A short human note.
    pub note: Option<String>,
}

impl RestoreDetails {
    /// Empty details.
    pub fn new() -> Self {
        RestoreDetails::default()
    }

    /// Sets the request id, when there is one.
    pub fn with_request_id(mut self, id: Option<&str>) -> Self {
        self.request_id = id.map(str::to_owned).or(self.request_id);
        self
    }

    /// Sets the old and new ids.
    pub fn with_ids(mut self, old: impl Into<String>, new: Option<String>) -> Self {
        self.old_id = Some(old.into());
        self.new_id = new;
        self
    }

    /// Sets the note.
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }
}

/// The result of restoring one retracted target. Never an `Err`: a failure is an outcome too.
///
/// ```
/// use offerkit::{RestoreDetails, RestoreOutcome, RestoreStatus};
/// let out = RestoreOutcome::Restored(RestoreDetails::new().with_ids("o1", Some("o2".into())));
/// assert_eq!(out.status(), RestoreStatus::Restored);
/// assert_eq!(
///     serde_json::to_value(&out).unwrap(),
///     serde_json::json!({"status": "restored", "oldId": "o1", "newId": "o2"}),
/// );
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum RestoreOutcome {
    /// The resource was re-created (by this call, or by an earlier attempt this call found).
    Restored(RestoreDetails),
    /// The resource already exists: nothing was created or changed.
    Exists(RestoreDetails),
    /// The vendor cannot re-create it (Partner Center), or nothing was kept to re-create it from.
    NotRestorable {
        /// Why.
        reason: String,
    },
    /// The restore failed.
    Failed {
        /// What went wrong.
        error: Error,
        /// What the vendor answered before failing.
        details: RestoreDetails,
    },
}

/// The data-free status of a [`RestoreOutcome`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum RestoreStatus {
    /// See [`RestoreOutcome::Restored`].
    Restored,
    /// See [`RestoreOutcome::Exists`].
    Exists,
    /// See [`RestoreOutcome::NotRestorable`].
    NotRestorable,
    /// See [`RestoreOutcome::Failed`].
    Failed,
}

impl RestoreStatus {
    /// `restored`, `exists`, `not-restorable` or `failed`.
    pub fn as_str(self) -> &'static str {
        match self {
            RestoreStatus::Restored => "restored",
            RestoreStatus::Exists => "exists",
            RestoreStatus::NotRestorable => "not-restorable",
            RestoreStatus::Failed => "failed",
        }
    }
}

impl RestoreOutcome {
    /// A failure with no vendor details.
    pub fn failed(error: Error) -> Self {
        RestoreOutcome::Failed {
            error,
            details: RestoreDetails::new(),
        }
    }

    /// Not restorable, because `reason`.
    pub fn not_restorable(reason: impl Into<String>) -> Self {
        RestoreOutcome::NotRestorable {
            reason: reason.into(),
        }
    }

    /// The status without data.
    pub fn status(&self) -> RestoreStatus {
        match self {
            RestoreOutcome::Restored(_) => RestoreStatus::Restored,
            RestoreOutcome::Exists(_) => RestoreStatus::Exists,
            RestoreOutcome::NotRestorable { .. } => RestoreStatus::NotRestorable,
            RestoreOutcome::Failed { .. } => RestoreStatus::Failed,
        }
    }

    /// The vendor details (empty for `NotRestorable`).
    pub fn details(&self) -> Option<&RestoreDetails> {
        match self {
            RestoreOutcome::Restored(d) | RestoreOutcome::Exists(d) => Some(d),
            RestoreOutcome::Failed { details, .. } => Some(details),
            RestoreOutcome::NotRestorable { .. } => None,
        }
    }

    /// The error, if failed.
    pub fn error(&self) -> Option<&Error> {
        match self {
            RestoreOutcome::Failed { error, .. } => Some(error),
            _ => None,
        }
    }
}

/// JSON form: `{"status", "oldId"?, "newId"?, "requestId"?, "note"?, "reason"?, "error"?}`.
impl serde::Serialize for RestoreOutcome {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("status", &self.status())?;
        if let Some(details) = self.details() {
            if let Some(old) = &details.old_id {
                map.serialize_entry("oldId", old)?;
            }
            if let Some(new) = &details.new_id {
                map.serialize_entry("newId", new)?;
            }
            if let Some(id) = &details.request_id {
                map.serialize_entry("requestId", id)?;
            }
            if let Some(note) = &details.note {
                map.serialize_entry("note", note)?;
            }
        }
        if let RestoreOutcome::NotRestorable { reason } = self {
            map.serialize_entry("reason", reason)?;
        }
        if let Some(error) = self.error() {
            map.serialize_entry("error", error)?;
        }
        map.end()
    }
}

/// Whether offerkit can re-create what a retraction of `vendor` removed (Adobe, Appcharge).
pub fn is_restorable(vendor: Vendor) -> bool {
    matches!(vendor, Vendor::AdobeOffers | Vendor::Appcharge)
}

/// Why `vendor`'s retractions cannot be restored (the default of [`crate::Retract::restore`]).
pub fn not_restorable_reason(vendor: Vendor) -> String {
    match vendor {
        Vendor::PartnerCenterIngestion => {
            "Partner Center cannot undo a private offer's deletion or \
            withdrawal: a new private offer would get a new id and need the customer's acceptance \
            again; create it anew in Partner Center"
                .to_owned()
        }
        Vendor::PartnerCenterOrders => "Partner Center cannot reinstate a cancelled order or \
            subscription (a cancellation is final, and a renewal stop is undone by turning \
            auto-renew on in Partner Center); purchase again if needed"
            .to_owned(),
        other => format!("{other} retractions cannot be undone through its API"),
    }
}

/// The snapshot as a JSON object, or why nothing can be re-created from it.
#[cfg(any(feature = "adobe-offers", feature = "appcharge"))]
pub(crate) fn snapshot_object(
    snapshot: &serde_json::Value,
) -> Result<&serde_json::Map<String, serde_json::Value>, Error> {
    snapshot.as_object().ok_or_else(|| {
        Error::input("the snapshot is not a JSON object; nothing can be re-created from it")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    #[test]
    fn every_status_serializes_with_its_fields() {
        let exists = RestoreOutcome::Exists(
            RestoreDetails::new()
                .with_request_id(Some("r-1"))
                .with_note("left as it is"),
        );
        assert_eq!(
            serde_json::to_value(&exists).expect("json"),
            serde_json::json!({"status": "exists", "requestId": "r-1", "note": "left as it is"})
        );
        let not =
            RestoreOutcome::not_restorable(not_restorable_reason(Vendor::PartnerCenterOrders));
        let json = serde_json::to_value(&not).expect("json");
        assert_eq!(json["status"], "not-restorable");
        assert!(
            json["reason"]
                .as_str()
                .is_some_and(|r| r.contains("cancelled order"))
        );
        let failed = RestoreOutcome::failed(Error::new(ErrorKind::Rejected, "no"));
        assert_eq!(failed.status().as_str(), "failed");
        assert_eq!(
            serde_json::to_value(&failed).expect("json")["error"]["message"],
            "no"
        );
    }
}
