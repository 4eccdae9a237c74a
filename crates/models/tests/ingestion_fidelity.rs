//! Product-ingestion shapes seen in sources independent of the first reading (issue 14; docs/vendors.md,
//! "Partner Center product ingestion"): each test decodes the real shape and writes it back unchanged.
#![cfg(feature = "partner-center-ingestion")]

mod common;

use common::parse_lossless;
use offerkit_models::partner_center_ingestion::{
    ConfigureStatus, ErrorResourceId, JobError, JobResult, PrivateOffer, PrivateOfferPage,
};

/// A failed job as Microsoft's `inner-error` schema allows it (release-engineering/cloudpub
/// `schemas/azure/`, and its fixtures): `resourceId` as a durable id, as `{resourceName}` and as
/// `{externalId}`, nested `details`, lowerCamel codes.
const FAILED_JOB: &str = r#"{
    "$schema": "https://schema.mp.microsoft.com/schema/configure-status/2022-07-01",
    "jobId": "c32dd7e8-8619-462d-a96b-0ac1974bace5",
    "jobStatus": "completed",
    "jobResult": "failed",
    "jobStart": "2024-01-02T03:04:05.1234567Z",
    "jobEnd": "2024-01-02T03:05:05.7654321Z",
    "errors": [
        {"code": "conflict", "message": "The start date should be defined",
         "resourceId": "private-offer/456e-a345-c457-1234", "details": []},
        {"code": "badRequest", "message": "Invalid reference",
         "resourceId": {"resourceName": "newOfferPlan"},
         "details": [{"code": "notFound", "message": "plan/123 does not exist",
                      "resourceId": {"externalId": "plan-123"}, "details": []}]},
        "a bare message"
    ]
}"#;

#[test]
fn job_errors_keep_resource_references_and_nested_details() {
    let job: ConfigureStatus = parse_lossless(FAILED_JOB);
    let errors = job.error_list();
    assert_eq!(errors.len(), 3);
    assert_eq!(errors[0].code().as_deref(), Some("conflict"));
    assert_eq!(
        errors[0].resource(),
        Some("private-offer/456e-a345-c457-1234")
    );
    assert!(errors[0].details().is_empty());
    assert_eq!(errors[1].resource(), Some("newOfferPlan"));
    let nested = errors[1].details();
    assert_eq!(nested.len(), 1);
    assert_eq!(nested[0].code().as_deref(), Some("notFound"));
    assert_eq!(nested[0].resource(), Some("plan-123"));
    match &nested[0] {
        JobError::Detail(d) => assert!(matches!(
            &d.resource_id,
            Some(ErrorResourceId::Reference(r)) if r.external_id.as_deref() == Some("plan-123")
        )),
        other => panic!("{other:?}"),
    }
    assert_eq!(errors[2].message(), Some("a bare message"));
    assert_eq!(errors[2].resource(), None);
}

#[test]
fn a_resource_id_object_with_unknown_keys_still_decodes() {
    let job: ConfigureStatus = parse_lossless(
        r#"{"jobId":"j1","jobStatus":"completed","jobResult":"failed",
            "errors":[{"code":"conflict","message":"m","resourceId":{"somethingElse":"x"},"details":null}]}"#,
    );
    assert_eq!(job.error_list()[0].resource(), None);
    assert_eq!(job.error_list()[0].message(), Some("m"));
}

#[test]
fn job_id_spelled_job_id_uppercase() {
    // Microsoft's generic product-ingestion samples (product-ingestion-api.md) write `jobID`.
    let job: ConfigureStatus = parse_lossless(
        r#"{"$schema":"https://schema.mp.microsoft.com/schema/configure-status/2022-07-01",
            "jobID":"9ba9d1a2-6c8d-4b3c-9d3f-2e0f1c0f5a11","jobStatus":"notStarted","jobResult":"pending",
            "jobStart":"2022-03-01T13:32:43.123456Z","jobEnd":"0001-01-01T00:00:00","errors":[]}"#,
    );
    assert_eq!(job.id(), Some("9ba9d1a2-6c8d-4b3c-9d3f-2e0f1c0f5a11"));
    let both: ConfigureStatus = parse_lossless(r#"{"jobId":"a","jobID":"b"}"#);
    assert_eq!(both.id(), Some("a"), "the documented spelling wins");
}

#[test]
fn cancelled_is_a_job_result() {
    let job: ConfigureStatus = parse_lossless(
        r#"{"jobId":"j1","jobStatus":"completed","jobResult":"cancelled","errors":[]}"#,
    );
    assert_eq!(job.job_result, Some(JobResult::Cancelled));
    assert!(job.is_cancelled());
}

#[test]
fn validations_and_acceptance_links_are_typed() {
    let offer: PrivateOffer = parse_lossless(
        r#"{"$schema":"https://schema.mp.microsoft.com/schema/private-offer/2023-07-15",
            "id":"private-offer/o1","state":"live",
            "validations":[{"code":"invalidStartDate","message":"start is in the past",
                            "resourceId":"private-offer/o1","level":"warning"}],
            "acceptanceLinks":[{"beneficiaryId":"b1:b2_2019-05-31","link":"https://aka.ms/accept/o1"}]}"#,
    );
    let validations = offer.validations.clone().flatten().expect("validations");
    assert_eq!(validations[0].level.as_deref(), Some("warning"));
    assert_eq!(
        validations[0]
            .resource_id
            .as_ref()
            .and_then(ErrorResourceId::as_text),
        Some("private-offer/o1")
    );
    let links = offer.acceptance_links.flatten().expect("links");
    assert_eq!(links[0].beneficiary_id.as_deref(), Some("b1:b2_2019-05-31"));
    assert_eq!(links[0].link.as_deref(), Some("https://aka.ms/accept/o1"));
}

#[test]
fn query_pages_in_every_known_form() {
    // dstarr/partner-center-cli reads `privateOffers`.
    let page: PrivateOfferPage = parse_lossless(
        r#"{"privateOffers":[{"id":"private-offer/a"}],"@odata.nextLink":"https://x/next"}"#,
    );
    assert_eq!(page.private_offers.map(|o| o.len()), Some(1));
    assert_eq!(page.odata_next_link.as_deref(), Some("https://x/next"));
    let page: PrivateOfferPage =
        parse_lossless(r#"{"value":[{"id":"private-offer/a"}],"nextLink":"https://x/2"}"#);
    assert_eq!(page.value.map(|o| o.len()), Some(1));
    assert_eq!(page.plain_next_link.as_deref(), Some("https://x/2"));
}

#[test]
fn an_error_entry_of_an_unforeseen_shape_keeps_the_status_readable() {
    let job: ConfigureStatus = parse_lossless(
        r#"{"jobId":"j1","jobStatus":"completed","jobResult":"failed",
            "errors":[{"code":{"inner":"x"},"message":"odd code"},
                      {"code":"conflict","message":"m","resourceId":42},
                      17]}"#,
    );
    let errors = job.error_list();
    assert_eq!(errors.len(), 3);
    assert!(matches!(errors[0], JobError::Other(_)));
    assert_eq!(errors[0].message(), Some("odd code"));
    assert_eq!(errors[0].code(), None);
    assert_eq!(errors[1].code().as_deref(), Some("conflict"));
    assert_eq!(errors[1].resource(), None);
    assert!(matches!(errors[2], JobError::Other(_)));
}
