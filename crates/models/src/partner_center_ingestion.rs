//! Microsoft Partner Center product-ingestion API: private offers (feature `partner-center-ingestion`).
//!
//! The record types are generated from `specs/partner_center_ingestion.schema.json`. What the docs get
//! wrong is absorbed here: `privateOfferType` in any casing, `$schema` with stray spaces, `jobEnd` of
//! `0001-01-01` meaning "not ended", unparsable `jobStart` kept as text, job errors as strings or objects
//! (with a `resourceId` that is a durable id or a reference object, and nested `details`), `jobID` for
//! `jobId`, and the private-offer GET returning either the bare resource or the legacy envelope.
//! Sources: `docs/vendors.md`, "Partner Center product ingestion".
//!
//! ```
//! use offerkit_models::partner_center_ingestion::{ConfigureStatus, JobStatus};
//! let job: ConfigureStatus = serde_json::from_str(r#"{
//!     "$schema": " https://schema.mp.microsoft.com/schema/configure-status/2022-07-01",
//!     "jobId": "c32dd7e8-8619-462d-a96b-0ac1974bace5", "jobStatus": "notStarted",
//!     "jobResult": "pending", "jobStart": "2021-12-21T21:29:54.9702903Z", "jobEnd": "0001-01-01", "errors": []
//! }"#).unwrap();
//! assert_eq!(job.job_status, Some(JobStatus::NotStarted));
//! assert!(job.ended_at().is_none());
//! ```

pub use crate::generated::partner_center_ingestion::*;

use crate::VendorErrorBody;
use crate::lenient::{LenientDateTime, SchemaUri};

/// Base URL of the product-ingestion API (reached through Microsoft Graph).
pub const BASE_URL: &str = "https://graph.microsoft.com/rp/product-ingestion";
/// `$version` of the configure and configure-status calls.
pub const CONFIGURE_VERSION: &str = "2022-07-01";
/// `$version` of the private-offer read and query calls (and the private-offer schema).
pub const PRIVATE_OFFER_VERSION: &str = "2023-07-15";
/// `$schema` of the configure envelope.
pub const CONFIGURE_SCHEMA: &str = "https://schema.mp.microsoft.com/schema/configure/2022-07-01";
/// `$schema` of a configure job.
pub const CONFIGURE_STATUS_SCHEMA: &str =
    "https://schema.mp.microsoft.com/schema/configure-status/2022-07-01";
/// `$schema` of a private offer (customer and CSP offers).
pub const PRIVATE_OFFER_SCHEMA: &str =
    "https://schema.mp.microsoft.com/schema/private-offer/2023-07-15";
/// `$schema` of a multiparty private offer, originator (ISV) view.
pub const PRIVATE_OFFER_MPO_ORIGINATOR_SCHEMA: &str =
    "https://schema.mp.microsoft.com/schema/private-offer-mpo-originator/2023-07-15";
/// `$schema` of a multiparty private offer, channel-partner view.
pub const PRIVATE_OFFER_MPO_CHANNEL_PARTNER_SCHEMA: &str =
    "https://schema.mp.microsoft.com/schema/private-offer-mpo-channel-partner/2023-07-15";
/// `$schema` of an absolute-pricing plan resource referenced from `pricing[].priceDetails`.
pub const PRICE_AND_AVAILABILITY_PRIVATE_OFFER_PLAN_SCHEMA: &str =
    "https://schema.mp.microsoft.com/schema/price-and-availability-private-offer-plan/2023-07-15";

impl ConfigureRequest {
    /// A configure envelope (`CONFIGURE_SCHEMA`) around `resources`.
    pub fn new(resources: Vec<PrivateOffer>) -> Self {
        Self {
            schema: SchemaUri::new(CONFIGURE_SCHEMA),
            resources,
            extra: serde_json::Map::new(),
        }
    }
}

impl PrivateOffer {
    /// Whether `$schema` names one of the private-offer schemas (whitespace ignored), as opposed to another
    /// resource kind carried in the same envelope.
    pub fn is_private_offer(&self) -> bool {
        self.schema.as_ref().is_some_and(|s| {
            s.kind()
                .is_some_and(|kind| kind.starts_with("private-offer"))
        })
    }
}

impl ConfigureStatus {
    /// The job id: `jobId`, or `jobID` as Microsoft's generic product-ingestion samples spell it.
    ///
    /// ```
    /// use offerkit_models::partner_center_ingestion::ConfigureStatus;
    /// let job: ConfigureStatus = serde_json::from_str(r#"{"jobID": "j1", "jobStatus": "running"}"#).unwrap();
    /// assert_eq!(job.id(), Some("j1"));
    /// ```
    pub fn id(&self) -> Option<&str> {
        self.job_id
            .as_deref()
            .or_else(|| self.extra.get("jobID").and_then(serde_json::Value::as_str))
    }

    /// Whether the job was cancelled (`jobResult: cancelled`, after `POST configure/{jobId}/cancel`).
    pub fn is_cancelled(&self) -> bool {
        self.job_result == Some(JobResult::Cancelled)
    }

    /// When the job ended: `None` while it has not (`0001-01-01` sentinels or no `jobEnd`).
    /// Unparsable text is returned as is; read it with [`LenientDateTime::raw`].
    pub fn ended_at(&self) -> Option<&LenientDateTime> {
        self.job_end.as_ref().filter(|end| !end.is_not_set())
    }

    /// Whether the job has completed (successfully or not).
    pub fn is_completed(&self) -> bool {
        self.job_status == Some(JobStatus::Completed)
    }

    /// The job's errors (empty when there are none or `errors` is `null`).
    pub fn error_list(&self) -> &[JobError] {
        self.errors
            .as_ref()
            .and_then(Option::as_deref)
            .unwrap_or(&[])
    }
}

impl JobError {
    /// The error code, when the entry is an object with one (a text or number `code`).
    pub fn code(&self) -> Option<String> {
        match self {
            Self::Detail(detail) => detail.code.as_ref().map(ToString::to_string),
            Self::Message(_) => None,
            Self::Other(value) => value.get("code").and_then(|code| match code {
                serde_json::Value::String(s) => Some(s.clone()),
                serde_json::Value::Number(n) => Some(n.to_string()),
                _ => None,
            }),
        }
    }

    /// The message: the string entry itself or the object's `message`.
    pub fn message(&self) -> Option<&str> {
        match self {
            Self::Detail(detail) => detail.message.as_deref(),
            Self::Message(message) => Some(message),
            Self::Other(value) => value.get("message").and_then(serde_json::Value::as_str),
        }
    }

    /// The resource the error is about, as text (see [`ErrorResourceId::as_text`]).
    pub fn resource(&self) -> Option<&str> {
        match self {
            Self::Detail(detail) => detail
                .resource_id
                .as_ref()
                .and_then(ErrorResourceId::as_text),
            Self::Message(_) | Self::Other(_) => None,
        }
    }

    /// The nested `details` (empty for a string entry, a missing or a `null` list, or an entry of
    /// another shape).
    pub fn details(&self) -> &[JobError] {
        match self {
            Self::Detail(detail) => detail
                .details
                .as_ref()
                .and_then(Option::as_deref)
                .unwrap_or(&[]),
            Self::Message(_) | Self::Other(_) => &[],
        }
    }
}

impl ErrorResourceId {
    /// The durable id, else the reference's `resourceName`, `externalId` or `durableId`.
    ///
    /// ```
    /// use offerkit_models::partner_center_ingestion::ErrorResourceId;
    /// let by_name: ErrorResourceId = serde_json::from_str(r#"{"resourceName": "newOffer"}"#).unwrap();
    /// assert_eq!(by_name.as_text(), Some("newOffer"));
    /// let durable: ErrorResourceId = serde_json::from_str(r#""private-offer/o1""#).unwrap();
    /// assert_eq!(durable.as_text(), Some("private-offer/o1"));
    /// ```
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Self::DurableId(id) => Some(id),
            Self::Other(_) => None,
            Self::Reference(r) => r
                .resource_name
                .as_deref()
                .or(r.external_id.as_deref())
                .or(r.durable_id.as_deref()),
        }
    }
}

impl PrivateOfferDocument {
    /// The private offers in the document: the bare resource, or every resource of the envelope.
    pub fn into_offers(self) -> Vec<PrivateOffer> {
        match self {
            Self::Envelope(envelope) => envelope.resources,
            Self::Resource(offer) => vec![offer],
        }
    }
}

impl VendorErrorBody for IngestionErrorResponse {
    fn code(&self) -> Option<String> {
        self.error
            .as_ref()
            .and_then(|e| e.code.as_ref().map(ToString::to_string))
            .or_else(|| extra_text(&self.extra, "code"))
    }

    fn message(&self) -> Option<String> {
        self.error
            .as_ref()
            .and_then(|e| e.message.clone())
            .or_else(|| extra_text(&self.extra, "message"))
    }
}

fn extra_text(extra: &serde_json::Map<String, serde_json::Value>, key: &str) -> Option<String> {
    match extra.get(key)? {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Null => None,
        other => Some(other.to_string()),
    }
}
