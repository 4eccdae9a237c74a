//! What the transport's test binaries share: services shaped like the vendor crates' own
//! (request-id headers, Partner Center's keyed `MS-RequestId` and `MS-CorrelationId`), and a
//! transport that retries without waiting. Each binary uses a part of it.
#![allow(dead_code)]

use offerkit_transport::{RetryPolicy, Service, Transport};

pub static APPCHARGE: Service = Service::new("appcharge", "Appcharge", "https://api.appcharge.com")
    .request_id_headers(&["x-request-id"]);

pub static ORDERS: Service = Service::new(
    "partner-center-orders",
    "Partner Center orders",
    "https://api.partnercenter.microsoft.com",
)
.request_id_headers(&["ms-requestid", "ms-cv", "x-request-id"])
.idempotency_key_header("MS-RequestId")
.correlation_header("MS-CorrelationId");

pub static ADOBE: Service = Service::new(
    "adobe",
    "Adobe Offer Library",
    "https://platform.adobe.io/data/core/dps",
)
.request_id_headers(&["x-request-id"]);

pub static INGESTION: Service = Service::new(
    "partner-center-ingestion",
    "Partner Center product ingestion",
    "https://graph.microsoft.com/rp/product-ingestion",
)
.request_id_headers(&["request-id", "x-ms-request-id"]);

/// A transport with up to `retries` retries and no backoff.
pub fn transport(retries: u32) -> Transport {
    Transport::builder()
        .retry_policy(RetryPolicy::immediate(retries))
        .build()
        .expect("transport")
}
