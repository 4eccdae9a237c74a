//! The product-ingestion client against an httpmock server: the seed's exact requests and responses,
//! every documented error, the quirks of vendors.md section 1.7, the already-retracted paths, id handling.

use std::sync::Arc;
use std::time::Duration;

use httpmock::Method::{GET, POST};
use httpmock::MockServer;
use offerkit_partner_center_ingestion::models::{
    ConfigureRequest, JobStatus, PrivateOfferState, PrivateOfferType,
};
use offerkit_partner_center_ingestion::transport::mock::{MockResponse, MockTransport};
use offerkit_partner_center_ingestion::transport::{RetryPolicy, StaticToken, Transport};
use offerkit_partner_center_ingestion::{
    DeletePrivateOffer, Error, ErrorInfo, IngestionClient, JobHandle, JobId, JobOutcome,
    JobPurpose, JobState, OfferGone, PrivateOfferId, Retraction, WithdrawPrivateOffer,
    WithdrawRole,
};
use serde_json::{Value, json};

const PREFIX: &str = "/rp/product-ingestion";
const JOB_ID: &str = "c32dd7e8-8619-462d-a96b-0ac1974bace5";
const OFFER: &str = "456e-a345-c457-1234";
const TOKEN: &str = "test-token";

fn client(server: &MockServer) -> IngestionClient {
    let transport = Transport::builder()
        .retry_policy(RetryPolicy::immediate(2))
        .build()
        .expect("transport");
    IngestionClient::builder()
        .base_url(format!("{}{PREFIX}", server.base_url()))
        .credential(Arc::new(StaticToken::new(TOKEN)))
        .transport(transport)
        .build()
        .expect("client")
}

fn offer_id() -> PrivateOfferId {
    PrivateOfferId::new(OFFER).expect("offer id")
}

/// The configure response of the seed document (both delete and withdraw).
fn seed_response() -> Value {
    json!({
        "$schema": "https://schema.mp.microsoft.com/schema/configure-status/2022-07-01",
        "jobId": JOB_ID,
        "jobStatus": "notStarted",
        "jobResult": "pending",
        "jobStart": "2021-12-21T21:29:54.9702903Z",
        "jobEnd": "0001-01-01",
        "errors": []
    })
}

/// A seed request body; the docs print them as invalid JSON (quirk 1) with a space in the resource
/// `$schema` (quirk 2) and `multiPartyPromotionChannelPartner` (quirk 3): we send the canonical forms.
fn seed_body(offer_type: &str, state: &str) -> Value {
    json!({
        "$schema": "https://schema.mp.microsoft.com/schema/configure/2022-07-01",
        "resources": [{
            "$schema": "https://schema.mp.microsoft.com/schema/private-offer/2023-07-15",
            "id": "private-offer/456e-a345-c457-1234",
            "name": "privateOffercustomer1705",
            "privateOfferType": offer_type,
            "state": state
        }]
    })
}

fn status(job_status: &str, result: &str, errors: Value) -> Value {
    json!({
        // Quirk 2: the status `$schema` has a leading space.
        "$schema": " https://schema.mp.microsoft.com/schema/configure-status/2022-07-01",
        "jobId": JOB_ID,
        "jobStatus": job_status,
        "jobResult": result,
        "jobStart": "2021-12-21T21:29:54.9702903Z",
        "jobEnd": if job_status == "completed" { "2021-12-21T21:30:31.085Z" } else { "0001-01-01" },
        "errors": errors
    })
}

fn offer(state: &str, offer_type: &str) -> Value {
    json!({
        "$schema": "https://schema.mp.microsoft.com/schema/private-offer/2023-07-15",
        "id": "private-offer/456e-a345-c457-1234",
        "name": "privateOffercustomer1705",
        "privateOfferType": offer_type,
        "state": state,
        "eTag": "\"7d02cb1b-0000-0100-0000-64a4b2730000\""
    })
}

fn not_found() -> Value {
    json!({"error": {"code": "NotFound", "message": "Resource not found"}})
}

async fn expect_configure(server: &MockServer, body: Value) -> httpmock::Mock<'_> {
    server
        .mock_async(|when, then| {
            when.method(POST)
                .path(format!("{PREFIX}/configure"))
                .query_param("$version", "2022-07-01")
                .header("authorization", format!("Bearer {TOKEN}"))
                .header("content-type", "application/json")
                .header("accept", "application/json")
                .json_body(body);
            then.status(202)
                .header("content-type", "application/json")
                .header("request-id", "req-configure-1")
                .json_body(seed_response());
        })
        .await
}

async fn expect_get_offer(server: &MockServer, status: u16, body: Value) -> httpmock::Mock<'_> {
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("{PREFIX}/private-offer/{OFFER}"))
                .query_param("$version", "2023-07-15")
                .header("authorization", format!("Bearer {TOKEN}"));
            then.status(status)
                .header("content-type", "application/json")
                .json_body(body);
        })
        .await
}

async fn expect_status(server: &MockServer, body: Value) -> httpmock::Mock<'_> {
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("{PREFIX}/configure/{JOB_ID}/status"))
                .query_param("$version", "2022-07-01")
                .header("authorization", format!("Bearer {TOKEN}"));
            then.status(200)
                .header("content-type", "application/json")
                .json_body(body);
        })
        .await
}

fn submitted(
    r: Retraction<offerkit_partner_center_ingestion::Submitted, OfferGone>,
) -> offerkit_partner_center_ingestion::Submitted {
    match r {
        Retraction::Retracted(s) => s,
        other => panic!("expected a submitted job, got {other:?}"),
    }
}

// ---- the seed document: exact requests and responses ----

#[tokio::test]
async fn seed_delete_request_and_response() {
    let server = MockServer::start_async().await;
    let post = expect_configure(
        &server,
        seed_body("multipartyPromotionOriginator", "deleted"),
    )
    .await;
    let request = DeletePrivateOffer::new(offer_id())
        .name("privateOffercustomer1705")
        .private_offer_type(PrivateOfferType::MultipartyPromotionOriginator)
        .check_state(false);
    let job = submitted(
        client(&server)
            .delete_private_offer(request)
            .await
            .expect("delete"),
    );
    post.assert_async().await;
    assert_eq!(job.handle.job_id.as_str(), JOB_ID);
    assert_eq!(
        job.handle.purpose,
        JobPurpose::Delete {
            offer_id: offer_id()
        }
    );
    assert!(job.handle.submitted_at_unix_ms.is_some());
    assert_eq!(job.request_id.as_deref(), Some("req-configure-1"));
    assert_eq!(job.status.job_status, Some(JobStatus::NotStarted));
    assert!(
        job.status.ended_at().is_none(),
        "jobEnd 0001-01-01 means not ended"
    );
    assert_eq!(
        serde_json::to_value(&job.status).expect("json"),
        seed_response()
    );
}

#[tokio::test]
async fn seed_withdraw_isv_body() {
    let server = MockServer::start_async().await;
    let post = expect_configure(
        &server,
        seed_body("multipartyPromotionOriginator", "withdrawn"),
    )
    .await;
    let request = WithdrawPrivateOffer::isv(offer_id())
        .name("privateOffercustomer1705")
        .check_state(false);
    let job = submitted(
        client(&server)
            .withdraw_private_offer(request)
            .await
            .expect("withdraw"),
    );
    post.assert_async().await;
    assert_eq!(
        job.handle.purpose,
        JobPurpose::Withdraw {
            offer_id: offer_id(),
            role: WithdrawRole::Isv
        }
    );
}

#[tokio::test]
async fn seed_withdraw_selling_partner_body_uses_canonical_casing() {
    let server = MockServer::start_async().await;
    let post = expect_configure(
        &server,
        seed_body("multipartyPromotionChannelPartner", "withdrawn"),
    )
    .await;
    let request = WithdrawPrivateOffer::selling_partner(offer_id())
        .name("privateOffercustomer1705")
        .check_state(false);
    submitted(
        client(&server)
            .withdraw_private_offer(request)
            .await
            .expect("withdraw"),
    );
    post.assert_async().await;
}

#[tokio::test]
async fn configure_sends_several_resources_in_one_job() {
    let server = MockServer::start_async().await;
    let post = expect_configure(
        &server,
        json!({
            "$schema": "https://schema.mp.microsoft.com/schema/configure/2022-07-01",
            "resources": [
                {"$schema": "https://schema.mp.microsoft.com/schema/private-offer/2023-07-15",
                 "id": "private-offer/draft-1", "name": "Draft 1",
                 "privateOfferType": "customerPromotion", "state": "deleted"},
                {"$schema": "https://schema.mp.microsoft.com/schema/private-offer/2023-07-15",
                 "id": "private-offer/live-2", "privateOfferType": "multipartyPromotionOriginator",
                 "state": "withdrawn"}
            ]
        }),
    )
    .await;
    let request = ConfigureRequest::new(vec![
        DeletePrivateOffer::new(PrivateOfferId::new("private-offer/draft-1").expect("id"))
            .name("Draft 1")
            .private_offer_type(PrivateOfferType::CustomerPromotion)
            .to_resource(),
        WithdrawPrivateOffer::isv(PrivateOfferId::new("live-2").expect("id")).to_resource(),
    ]);
    let job = client(&server)
        .configure(&request)
        .await
        .expect("configure");
    post.assert_async().await;
    assert_eq!(
        job.handle.purpose,
        JobPurpose::Configure {
            resources: vec![
                "private-offer/draft-1".into(),
                "private-offer/live-2".into()
            ]
        }
    );
    let empty = client(&server)
        .configure(&ConfigureRequest::new(Vec::new()))
        .await
        .expect_err("empty");
    assert!(matches!(
        empty,
        Error::InvalidArgument {
            argument: "resources",
            ..
        }
    ));
}

// ---- state check first ----

#[tokio::test]
async fn delete_reads_the_offer_first_and_fills_name_and_type() {
    let server = MockServer::start_async().await;
    let get = expect_get_offer(&server, 200, offer("draft", "customerPromotion")).await;
    let post = expect_configure(&server, seed_body("customerPromotion", "deleted")).await;
    let job = submitted(
        client(&server)
            .delete_private_offer(DeletePrivateOffer::new(offer_id()))
            .await
            .expect("delete"),
    );
    get.assert_async().await;
    post.assert_async().await;
    assert_eq!(job.handle.job_id.as_str(), JOB_ID);
}

#[tokio::test]
async fn delete_of_a_live_offer_is_not_draft_before_any_configure_call() {
    let server = MockServer::start_async().await;
    expect_get_offer(&server, 200, offer("live", "multipartyPromotionOriginator")).await;
    let post = expect_configure(
        &server,
        seed_body("multipartyPromotionOriginator", "deleted"),
    )
    .await;
    let err = client(&server)
        .delete_private_offer(DeletePrivateOffer::new(offer_id()))
        .await
        .expect_err("not draft");
    assert!(err.is_not_draft(), "{err}");
    match &err {
        Error::NotDraft { state, job, .. } => {
            assert_eq!(*state, PrivateOfferState::Live);
            assert!(job.is_none());
        }
        other => panic!("{other:?}"),
    }
    assert!(
        err.to_string()
            .contains("only a draft private offer can be deleted")
    );
    post.assert_calls_async(0).await;
}

#[tokio::test]
async fn delete_of_a_missing_offer_is_already_retracted() {
    let server = MockServer::start_async().await;
    let get = expect_get_offer(&server, 404, not_found()).await;
    let post = expect_configure(
        &server,
        seed_body("multipartyPromotionOriginator", "deleted"),
    )
    .await;
    let result = client(&server)
        .delete_private_offer(DeletePrivateOffer::new(offer_id()))
        .await
        .expect("already");
    assert_eq!(result, OfferGone::retraction(offer_id(), None));
    get.assert_calls_async(1).await; // a 404 is not retried
    post.assert_calls_async(0).await;
}

#[tokio::test]
async fn delete_of_a_deleted_offer_is_already_retracted() {
    let server = MockServer::start_async().await;
    expect_get_offer(
        &server,
        200,
        offer("deleted", "multipartyPromotionOriginator"),
    )
    .await;
    let result = client(&server)
        .delete_private_offer(DeletePrivateOffer::new(offer_id()))
        .await
        .expect("already");
    assert_eq!(
        result,
        OfferGone::retraction(offer_id(), Some(PrivateOfferState::Deleted))
    );
}

#[tokio::test]
async fn withdraw_of_a_withdrawn_legacy_offer_is_already_retracted() {
    let server = MockServer::start_async().await;
    // Quirk 7: the legacy GET answers an envelope with "state": "Withdrawn" and `_etag`.
    expect_get_offer(
        &server,
        200,
        json!({
            "$schema": "https://product-ingestion.azureedge.net/schema/configure/2022-03-01-preview2",
            "resources": [{
                "$schema": "https://product-ingestion.azureedge.net/schema/private-offer/2022-03-01-preview2",
                "id": "private-offer/456e-a345-c457-1234",
                "name": "privateOffercustomer1705",
                "state": "Withdrawn",
                "_etag": "\"9000a8b4-0000-0800-0000-6239f2f60000\""
            }]
        }),
    )
    .await;
    let post = expect_configure(
        &server,
        seed_body("multipartyPromotionOriginator", "withdrawn"),
    )
    .await;
    let result = client(&server)
        .withdraw_private_offer(WithdrawPrivateOffer::isv(offer_id()))
        .await
        .expect("already");
    assert_eq!(
        result,
        OfferGone::retraction(offer_id(), Some(PrivateOfferState::Withdrawn))
    );
    post.assert_calls_async(0).await;
}

#[tokio::test]
async fn selling_partner_withdraw_of_an_unpublished_offer_is_already_retracted() {
    let server = MockServer::start_async().await;
    let mut body = offer("live", "multiPartyPromotionChannelPartner");
    body["subState"] = json!("pendingPartnerAction");
    expect_get_offer(&server, 200, body).await;
    let result = client(&server)
        .withdraw_private_offer(WithdrawPrivateOffer::selling_partner(offer_id()))
        .await
        .expect("already");
    assert!(result.is_already_retracted());
}

#[tokio::test]
async fn withdraw_of_a_live_offer_submits_with_the_read_name() {
    let server = MockServer::start_async().await;
    let mut live = offer("live", "multiPartyPromotionChannelPartner");
    live["subState"] = json!("pendingAcceptance");
    expect_get_offer(&server, 200, live).await;
    let post = expect_configure(
        &server,
        seed_body("multipartyPromotionChannelPartner", "withdrawn"),
    )
    .await;
    let result = client(&server)
        .withdraw_private_offer(WithdrawPrivateOffer::selling_partner(offer_id()))
        .await
        .expect("withdraw");
    assert!(result.is_retracted());
    post.assert_async().await;
}

// ---- documented errors ----

#[tokio::test]
async fn configure_400_is_a_bad_request_with_the_vendor_message() {
    let server = MockServer::start_async().await;
    let post = server
        .mock_async(|when, then| {
            when.method(POST).path(format!("{PREFIX}/configure"));
            then.status(400).json_body(json!({"error": {
                "code": "BadRequest", "message": "Schema validation failed: 'resources' is required."}}));
        })
        .await;
    let request = DeletePrivateOffer::new(offer_id())
        .private_offer_type(PrivateOfferType::CustomerPromotion)
        .check_state(false);
    let err = client(&server)
        .delete_private_offer(request)
        .await
        .expect_err("400");
    match &err {
        Error::BadRequest { message, .. } => assert!(message.contains("Schema validation failed")),
        other => panic!("{other:?}"),
    }
    assert_eq!(err.code().as_deref(), Some("BadRequest"));
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    post.assert_calls_async(1).await;
}

#[tokio::test]
async fn configure_401_is_unauthorized() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path(format!("{PREFIX}/configure"));
            then.status(401)
                .json_body(json!({"error": {"code": "Unauthorized", "message": "Invalid token"}}));
        })
        .await;
    let request = WithdrawPrivateOffer::isv(offer_id()).check_state(false);
    let err = client(&server)
        .withdraw_private_offer(request)
        .await
        .expect_err("401");
    assert!(
        matches!(err, Error::Unauthorized { status: 401, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn configure_is_not_repeated_after_a_500_but_is_after_a_429() {
    let server = MockServer::start_async().await;
    let failing = server
        .mock_async(|when, then| {
            when.method(POST).path(format!("{PREFIX}/configure"));
            then.status(500)
                .json_body(json!({"error": {"code": "InternalServerError", "message": "boom"}}));
        })
        .await;
    let request = DeletePrivateOffer::new(offer_id())
        .private_offer_type(PrivateOfferType::CustomerPromotion)
        .check_state(false);
    let err = client(&server)
        .delete_private_offer(request.clone())
        .await
        .expect_err("500");
    assert!(err.is_transient());
    // A resubmission would create a second job: the server may have acted, so no retry.
    failing.assert_calls_async(1).await;
    failing.delete_async().await;

    let throttled = server
        .mock_async(|when, then| {
            when.method(POST).path(format!("{PREFIX}/configure"));
            then.status(429)
                .header("retry-after", "0")
                .json_body(json!({"error": {"code": "TooManyRequests"}}));
        })
        .await;
    let err = client(&server)
        .delete_private_offer(request)
        .await
        .expect_err("429");
    // 429 means the server did not act: retried (2 retries in this test's policy).
    throttled.assert_calls_async(3).await;
    assert!(
        matches!(err, Error::Transport(_)) && err.is_transient(),
        "{err:?}"
    );
}

#[tokio::test]
async fn get_404_is_offer_not_found_with_the_vendor_code() {
    let server = MockServer::start_async().await;
    expect_get_offer(&server, 404, not_found()).await;
    let err = client(&server)
        .get_private_offer(&offer_id())
        .await
        .expect_err("404");
    assert!(matches!(err, Error::OfferNotFound { .. }));
    assert!(err.is_not_found());
    assert_eq!(err.code().as_deref(), Some("NotFound"));
}

#[tokio::test]
async fn get_401_is_unauthorized() {
    let server = MockServer::start_async().await;
    expect_get_offer(
        &server,
        401,
        json!({"error": {"code": "Unauthorized", "message": "expired"}}),
    )
    .await;
    let err = client(&server)
        .get_private_offer(&offer_id())
        .await
        .expect_err("401");
    assert!(
        matches!(err, Error::Unauthorized { status: 401, .. }),
        "{err:?}"
    );
}

// ---- reads and their quirks ----

#[tokio::test]
async fn get_accepts_the_bare_2023_resource_with_doc_quirks() {
    let server = MockServer::start_async().await;
    let mut body = offer("live", "multiPartyPromotionChannelPartner");
    body["$schema"] = json!("https://schema.mp.microsoft.com/schema/private-offer/ 2023-07-15");
    body["lastModified"] = json!("0001-01-01");
    body["futureField"] = json!({"kept": true});
    expect_get_offer(&server, 200, body).await;
    let got = client(&server)
        .get_private_offer(&offer_id())
        .await
        .expect("get");
    assert!(
        got.is_private_offer(),
        "a $schema with a space is still recognised"
    );
    assert_eq!(
        got.private_offer_type,
        Some(PrivateOfferType::MultipartyPromotionChannelPartner)
    );
    assert_eq!(got.state, Some(PrivateOfferState::Live));
    assert_eq!(got.extra["futureField"], json!({"kept": true}));
    assert_eq!(
        got.etag.as_deref(),
        Some("\"7d02cb1b-0000-0100-0000-64a4b2730000\"")
    );
}

#[tokio::test]
async fn get_picks_the_matching_resource_of_a_legacy_envelope() {
    let server = MockServer::start_async().await;
    expect_get_offer(
        &server,
        200,
        json!({"$schema": "https://schema.mp.microsoft.com/schema/configure/2022-07-01", "resources": [
            {"$schema": "https://schema.mp.microsoft.com/schema/price-and-availability-private-offer-plan/2023-07-15", "id": "price-and-availability-private-offer-plan/x"},
            {"$schema": "https://schema.mp.microsoft.com/schema/private-offer/2023-07-15", "id": "private-offer/456e-a345-c457-1234", "state": "Live"}
        ]}),
    )
    .await;
    let got = client(&server)
        .get_private_offer(&offer_id())
        .await
        .expect("get");
    assert_eq!(got.id.as_deref(), Some("private-offer/456e-a345-c457-1234"));
    assert_eq!(got.state, Some(PrivateOfferState::Live));
}

#[tokio::test]
async fn query_follows_next_links_and_honours_the_limit() {
    let server = MockServer::start_async().await;
    let next = format!(
        "{}{PREFIX}/private-offer/query?$version=2023-07-15&$skiptoken=page2",
        server.base_url()
    );
    let first = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("{PREFIX}/private-offer/query"))
                .query_param("$version", "2023-07-15")
                .query_param_missing("$skiptoken");
            then.status(200).json_body(json!({
                "value": [{"id": "private-offer/a", "state": "draft"}, {"id": "private-offer/b", "state": "live"}],
                "@nextLink": next
            }));
        })
        .await;
    let second = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("{PREFIX}/private-offer/query"))
                .query_param("$version", "2023-07-15")
                .query_param("$skiptoken", "page2");
            then.status(200)
                .json_body(json!({"value": [{"id": "private-offer/c", "state": "withdrawn"}]}));
        })
        .await;
    let all = client(&server)
        .query_private_offers()
        .send()
        .await
        .expect("query");
    let ids: Vec<_> = all.iter().filter_map(|o| o.id.as_deref()).collect();
    assert_eq!(
        ids,
        ["private-offer/a", "private-offer/b", "private-offer/c"]
    );
    first.assert_calls_async(1).await;
    second.assert_calls_async(1).await;

    let two = client(&server)
        .query_private_offers()
        .limit(2)
        .send()
        .await
        .expect("query");
    assert_eq!(two.len(), 2);
    second.assert_calls_async(1).await; // the limit was reached on page 1
}

#[tokio::test]
async fn query_accepts_a_bare_array() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("{PREFIX}/private-offer/query"));
            then.status(200)
                .json_body(json!([{"id": "private-offer/a"}]));
        })
        .await;
    let all = client(&server)
        .query_private_offers()
        .send()
        .await
        .expect("query");
    assert_eq!(all.len(), 1);
}

// ---- the job ----

#[tokio::test]
async fn job_status_reads_a_running_job_with_sentinel_end() {
    let server = MockServer::start_async().await;
    let mut running = status("running", "pending", json!([]));
    running["jobEnd"] = json!("0001-01-01T00:00:00");
    expect_status(&server, running).await;
    let job = client(&server)
        .job_status(&JobId::new(JOB_ID).expect("id"))
        .await
        .expect("status");
    assert_eq!(job.job_status, Some(JobStatus::Running));
    assert!(job.ended_at().is_none());
    assert!(!JobState::from_status(job).is_finished());
}

#[tokio::test]
async fn poller_waits_to_success() {
    let server = MockServer::start_async().await;
    let poll = expect_status(&server, status("completed", "succeeded", json!([]))).await;
    let handle = JobHandle::new(JobId::new(JOB_ID).expect("id"));
    let outcome = client(&server)
        .poller(handle)
        .poll_interval(Duration::ZERO)
        .await
        .expect("wait");
    assert!(outcome.is_succeeded());
    assert!(
        outcome.status().resource_uri.is_none(),
        "delete jobs have no resourceUri"
    );
    assert!(outcome.status().ended_at().is_some());
    poll.assert_calls_async(1).await;
}

#[tokio::test]
async fn poller_reports_failed_jobs_with_string_and_object_errors() {
    let server = MockServer::start_async().await;
    expect_status(
        &server,
        status(
            "completed",
            "failed",
            json!([{"code": "Conflict", "message": "The start date should be defined"}, "plain text error"]),
        ),
    )
    .await;
    let outcome = client(&server)
        .poller(JobHandle::new(JobId::new(JOB_ID).expect("id")))
        .poll_interval(Duration::ZERO)
        .wait()
        .await
        .expect("wait");
    match outcome {
        JobOutcome::Failed { errors, .. } => {
            assert_eq!(errors.len(), 2);
            assert_eq!(errors[0].code().as_deref(), Some("Conflict"));
            assert_eq!(errors[1].message(), Some("plain text error"));
        }
        other => panic!("{other:?}"),
    }
}

/// A client on `mock` (no I/O), for the paused-clock poller tests.
fn mock_client(mock: &MockTransport) -> IngestionClient {
    IngestionClient::builder()
        .base_url(format!("https://graph.example{PREFIX}"))
        .credential(Arc::new(StaticToken::new(TOKEN)))
        .transport(mock.transport())
        .build()
        .expect("client")
}

// On a paused clock with a mock transport (answers without I/O), so the number of polls inside
// the deadline does not depend on how loaded the machine is.
#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn poller_times_out_with_the_time_waited_and_last_status() {
    let running = status("running", "pending", json!([]));
    let mock = MockTransport::new(move |req| {
        assert_eq!(
            req.url.path(),
            format!("{PREFIX}/configure/{JOB_ID}/status")
        );
        MockResponse::json(200, &running)
    });
    let client = mock_client(&mock);
    let err = client
        .poller(JobHandle::new(JobId::new(JOB_ID).expect("id")))
        .poll_interval(Duration::from_millis(5))
        .deadline(Duration::from_millis(200))
        .wait()
        .await
        .expect_err("timeout");
    match &err {
        Error::JobTimeout {
            waited,
            last_status,
            ..
        } => {
            assert!(*waited >= Duration::from_millis(200));
            assert_eq!(
                last_status.as_ref().and_then(|s| s.job_status.clone()),
                Some(JobStatus::Running)
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("running/pending"), "{err}");
    assert!(mock.requests().len() >= 2);
}

// The progress hook: before each pause, the state and the time to the next poll (paused clock,
// mock transport: two pending answers, then success).
#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn poller_reports_progress_before_each_pause() {
    let calls = Arc::new(std::sync::atomic::AtomicU32::new(0));
    let seen = calls.clone();
    let mock = MockTransport::new(move |_req| {
        let n = seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let body = if n < 2 {
            status("running", "pending", json!([]))
        } else {
            status("completed", "succeeded", json!([]))
        };
        MockResponse::json(200, &body)
    });
    let client = mock_client(&mock);
    let progress = Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = progress.clone();
    let outcome = client
        .poller(JobHandle::new(JobId::new(JOB_ID).expect("id")))
        .poll_interval(Duration::from_secs(60))
        .on_progress(move |p| sink.lock().expect("lock").push(p.clone()))
        .wait()
        .await
        .expect("wait");
    assert!(outcome.is_succeeded());
    let progress = progress.lock().expect("lock");
    let states: Vec<(&str, u32, Duration)> = progress
        .iter()
        .map(|p| (p.state.as_str(), p.polls, p.next_poll_in))
        .collect();
    assert_eq!(
        states,
        [
            // No submission time in the handle: the first poll comes at once.
            ("submitted", 0, Duration::ZERO),
            ("running", 1, Duration::from_secs(60)),
            ("running", 2, Duration::from_secs(60)),
        ]
    );
    assert!(progress.iter().all(|p| p.job_id.as_str() == JOB_ID));
}

#[tokio::test]
async fn unknown_job_is_job_not_found() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("{PREFIX}/configure/{JOB_ID}/status"));
            then.status(404).json_body(not_found());
        })
        .await;
    let err = client(&server)
        .poller(JobHandle::new(JobId::new(JOB_ID).expect("id")))
        .poll_interval(Duration::ZERO)
        .wait()
        .await
        .expect_err("404");
    assert!(
        matches!(err, Error::JobNotFound { .. }) && err.is_not_found(),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_saved_handle_resumes_polling_in_a_new_client() {
    let server = MockServer::start_async().await;
    expect_status(&server, status("completed", "succeeded", json!([]))).await;
    let handle = JobHandle::new(JobId::new(JOB_ID).expect("id")).with_purpose(JobPurpose::Delete {
        offer_id: offer_id(),
    });
    let saved = serde_json::to_string(&handle).expect("save");
    assert_eq!(
        serde_json::from_str::<Value>(&saved).expect("json"),
        json!({"jobId": JOB_ID, "purpose": {"kind": "delete", "offerId": OFFER}})
    );
    let restored: JobHandle = serde_json::from_str(&saved).expect("restore");
    let end = client(&server)
        .poller(restored)
        .poll_interval(Duration::ZERO)
        .wait_retraction()
        .await
        .expect("wait");
    assert!(end.is_retracted());
}

async fn failed_job_then_read_back(
    read_back: (u16, Value),
    purpose: JobPurpose,
) -> Result<bool, Error> {
    let server = MockServer::start_async().await;
    expect_status(
        &server,
        status(
            "completed",
            "failed",
            json!([{"code": "Conflict", "message": "Private offer is already withdrawn."}]),
        ),
    )
    .await;
    expect_get_offer(&server, read_back.0, read_back.1).await;
    client(&server)
        .poller(JobHandle::new(JobId::new(JOB_ID).expect("id")).with_purpose(purpose))
        .poll_interval(Duration::ZERO)
        .wait_retraction()
        .await
        .map(|r| r.is_already_retracted())
}

#[tokio::test]
async fn failed_jobs_are_explained_by_reading_the_offer_back() {
    let withdraw = JobPurpose::Withdraw {
        offer_id: offer_id(),
        role: WithdrawRole::Isv,
    };
    let delete = JobPurpose::Delete {
        offer_id: offer_id(),
    };
    // Already withdrawn / deleted / missing: already retracted.
    assert!(
        failed_job_then_read_back(
            (200, offer("withdrawn", "multipartyPromotionOriginator")),
            withdraw.clone()
        )
        .await
        .expect("ok")
    );
    assert!(
        failed_job_then_read_back(
            (200, offer("deleted", "multipartyPromotionOriginator")),
            delete.clone()
        )
        .await
        .expect("ok")
    );
    assert!(
        failed_job_then_read_back((404, not_found()), delete.clone())
            .await
            .expect("ok")
    );
    // A delete of a live offer: NotDraft, carrying the failed job.
    let err = failed_job_then_read_back(
        (200, offer("live", "multipartyPromotionOriginator")),
        delete.clone(),
    )
    .await
    .expect_err("not draft");
    assert!(
        matches!(
            &err,
            Error::NotDraft {
                job: Some(_),
                state: PrivateOfferState::Live,
                ..
            }
        ),
        "{err:?}"
    );
    // Anything else: JobFailed with the job's errors.
    let err = failed_job_then_read_back(
        (200, offer("live", "multipartyPromotionOriginator")),
        withdraw,
    )
    .await
    .expect_err("failed");
    assert!(err.is_job_failed());
    assert_eq!(err.job_errors().len(), 1);
    assert_eq!(err.code().as_deref(), Some("Conflict"));
    assert!(
        err.to_string()
            .contains("Conflict: Private offer is already withdrawn."),
        "{err}"
    );
}

// ---- ids ----

#[tokio::test]
async fn an_id_with_slash_and_query_stays_one_path_segment() {
    let server = MockServer::start_async().await;
    let get = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("{PREFIX}/private-offer/a%2Fb%3Fx%3D1"))
                .query_param("$version", "2023-07-15");
            then.status(200)
                .json_body(json!({"id": "private-offer/a/b?x=1", "state": "draft"}));
        })
        .await;
    let id = PrivateOfferId::new("private-offer/a/b?x=1").expect("id");
    assert_eq!(id.as_str(), "a/b?x=1");
    let got = client(&server).get_private_offer(&id).await.expect("get");
    assert_eq!(got.state, Some(PrivateOfferState::Draft));
    get.assert_async().await;
}

#[test]
fn ids_are_validated_naming_the_argument() {
    for bad in ["", "   ", "private-offer/", "a\nb", "  abc ", ".", ".."] {
        let err = Error::from(PrivateOfferId::new(bad).expect_err(bad));
        assert!(
            matches!(
                err,
                Error::InvalidArgument {
                    argument: "offer_id",
                    ..
                }
            ),
            "{bad:?}: {err}"
        );
        assert!(err.is_invalid_argument());
    }
    let err = JobId::new(" ").expect_err("blank");
    assert_eq!(err.to_string(), "invalid job_id: must not be empty");
    let from_json: Result<PrivateOfferId, _> = serde_json::from_str("\"\"");
    assert!(from_json.is_err());
}
