//! Issue 14: the client against the shapes real sources show (docs/vendors.md, "Partner Center product
//! ingestion"), over `MockTransport` (no sockets, no sleeping on a real clock).

use std::sync::Arc;
use std::time::Duration;

use offerkit_partner_center_ingestion::models::{JobStatus, PrivateOfferType};
use offerkit_partner_center_ingestion::transport::StaticToken;
use offerkit_partner_center_ingestion::transport::mock::{MockResponse, MockTransport};
use offerkit_partner_center_ingestion::{
    DeletePrivateOffer, Error, ErrorInfo, IngestionClient, JobHandle, JobId, JobOutcome,
    JobPurpose, PrivateOfferId, Retraction,
};
use serde_json::{Value, json};

const BASE: &str = "https://graph.example/rp/product-ingestion";
const JOB: &str = "c32dd7e8-8619-462d-a96b-0ac1974bace5";

fn client(mock: &MockTransport) -> IngestionClient {
    IngestionClient::builder()
        .base_url(BASE)
        .credential(Arc::new(StaticToken::new("t")))
        .transport(mock.transport())
        .build()
        .expect("client")
}

/// A mock answering each request by the URL's path and query (after the base), from `pages`.
fn by_url(pages: Vec<(&'static str, Value)>) -> MockTransport {
    MockTransport::new(move |req| {
        let url = req.url.as_str();
        let tail = url.strip_prefix(BASE).unwrap_or(url);
        match pages.iter().find(|(key, _)| tail == *key) {
            Some((_, body)) => MockResponse::json(200, body),
            None => MockResponse::json(
                404,
                &json!({"error": {"code": "notFound", "message": tail}}),
            ),
        }
    })
}

fn ids(offers: &[offerkit_partner_center_ingestion::models::PrivateOffer]) -> Vec<&str> {
    offers.iter().filter_map(|o| o.id.as_deref()).collect()
}

#[tokio::test]
async fn query_reads_private_offers_and_follows_every_next_link_spelling() {
    let mock = by_url(vec![
        (
            "/private-offer/query?$version=2023-07-15",
            json!({"privateOffers": [{"id": "private-offer/a"}],
                   "@odata.nextLink": format!("{BASE}/private-offer/query?$version=2023-07-15&page=2")}),
        ),
        (
            "/private-offer/query?$version=2023-07-15&page=2",
            json!({"value": [{"id": "private-offer/b"}],
                   "nextLink": format!("{BASE}/private-offer/query?page=3")}),
        ),
        (
            // A link without `$version` gets it added.
            "/private-offer/query?page=3&$version=2023-07-15",
            json!({"privateOffers": [{"id": "private-offer/c"}],
                   "@nextLink": format!("{BASE}/private-offer/query?$version=2023-07-15&page=4")}),
        ),
        (
            "/private-offer/query?$version=2023-07-15&page=4",
            json!([{"id": "private-offer/d"}]),
        ),
    ]);
    let offers = client(&mock)
        .query_private_offers()
        .send()
        .await
        .expect("query");
    assert_eq!(
        ids(&offers),
        [
            "private-offer/a",
            "private-offer/b",
            "private-offer/c",
            "private-offer/d"
        ]
    );
    assert_eq!(mock.requests().len(), 4);
}

#[tokio::test]
async fn a_page_with_an_unrecognised_list_is_an_unexpected_response_not_an_empty_one() {
    let mock = by_url(vec![(
        "/private-offer/query?$version=2023-07-15",
        json!({"items": [{"id": "private-offer/a"}], "count": 1}),
    )]);
    let err = client(&mock)
        .query_private_offers()
        .send()
        .await
        .expect_err("unknown page shape");
    match &err {
        Error::UnexpectedResponse { operation, reason } => {
            assert_eq!(*operation, "query_private_offers");
            assert!(reason.contains("`items`"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    // A page with no list at all is an empty page; a non-object, non-array answer is refused.
    let empty = by_url(vec![(
        "/private-offer/query?$version=2023-07-15",
        json!({"count": 0}),
    )]);
    assert!(
        client(&empty)
            .query_private_offers()
            .send()
            .await
            .expect("empty")
            .is_empty()
    );
    let text = by_url(vec![(
        "/private-offer/query?$version=2023-07-15",
        json!("nope"),
    )]);
    assert!(matches!(
        client(&text).query_private_offers().send().await,
        Err(Error::UnexpectedResponse { .. })
    ));
}

#[tokio::test]
async fn configure_reads_job_id_spelled_job_id_uppercase() {
    let mock = MockTransport::new(|_req| {
        MockResponse::json(
            202,
            &json!({"jobID": JOB, "jobStatus": "notStarted", "jobResult": "pending", "errors": []}),
        )
    });
    let request = DeletePrivateOffer::new(PrivateOfferId::new("o1").expect("id"))
        .private_offer_type(PrivateOfferType::CustomerPromotion)
        .check_state(false);
    let submitted = client(&mock)
        .delete_private_offer(request)
        .await
        .expect("submitted");
    let Retraction::Retracted(submitted) = submitted else {
        panic!("expected a job");
    };
    assert_eq!(submitted.handle.job_id.as_str(), JOB);
}

#[tokio::test]
async fn a_delete_without_the_pre_read_must_name_the_offer_type() {
    let mock = MockTransport::new(|_req| MockResponse::json(500, &json!({})));
    let request =
        DeletePrivateOffer::new(PrivateOfferId::new("o1").expect("id")).check_state(false);
    let err = client(&mock)
        .delete_private_offer(request)
        .await
        .expect_err("type required");
    assert!(err.is_invalid_argument(), "{err:?}");
    assert!(err.to_string().contains("privateOfferType"), "{err}");
    assert!(mock.requests().is_empty(), "nothing may be sent");
    // With the pre-read, the type read from the offer is sent (not the seed example's).
    let mock = MockTransport::new(|req| match req.method.as_str() {
        "GET" => MockResponse::json(
            200,
            &json!({"id": "private-offer/o1", "state": "draft", "privateOfferType": "cspPromotion"}),
        ),
        _ => MockResponse::json(202, &json!({"jobId": JOB, "jobStatus": "notStarted"})),
    });
    let request = DeletePrivateOffer::new(PrivateOfferId::new("o1").expect("id"));
    client(&mock)
        .delete_private_offer(request)
        .await
        .expect("submitted");
    let sent: Value = serde_json::from_slice(&mock.requests()[1].body).expect("json");
    assert_eq!(sent["resources"][0]["privateOfferType"], "cspPromotion");
}

#[tokio::test]
async fn a_failed_job_with_reference_resource_ids_keeps_its_outcome() {
    let mock = MockTransport::new(|_req| {
        MockResponse::json(
            200,
            &json!({"jobId": JOB, "jobStatus": "completed", "jobResult": "failed",
                    "errors": [{"code": "badRequest", "message": "Invalid plan reference",
                                "resourceId": {"resourceName": "newPlan"},
                                "details": [{"code": "notFound", "message": "plan/1 does not exist",
                                             "resourceId": {"externalId": "plan-1"}, "details": []}]}]}),
        )
    });
    let outcome = client(&mock)
        .poller(JobHandle::new(JobId::new(JOB).expect("id")))
        .poll_interval(Duration::ZERO)
        .wait()
        .await
        .expect("the status decodes");
    let JobOutcome::Failed { errors, .. } = &outcome else {
        panic!("{outcome:?}");
    };
    assert_eq!(errors[0].resource(), Some("newPlan"));
    assert_eq!(errors[0].details()[0].resource(), Some("plan-1"));
    let err = client(&mock)
        .poller(JobHandle::new(JobId::new(JOB).expect("id")))
        .poll_interval(Duration::ZERO)
        .wait_retraction()
        .await
        .expect_err("failed");
    assert_eq!(err.code().as_deref(), Some("badRequest"));
    assert!(err.to_string().contains("(newPlan)"), "{err}");
}

#[tokio::test]
async fn a_cancelled_job_is_cancelled_not_failed() {
    let mock = MockTransport::new(|req| {
        let path = req.url.path();
        if req.method.as_str() == "POST" && path.ends_with("/cancel") {
            MockResponse::new(202)
        } else if path.ends_with("/status") {
            MockResponse::json(
                200,
                &json!({"jobId": JOB, "jobStatus": "completed", "jobResult": "cancelled", "errors": []}),
            )
        } else {
            MockResponse::json(200, &json!({"id": "private-offer/o1", "state": "draft"}))
        }
    });
    let client = client(&mock);
    let job = JobId::new(JOB).expect("id");
    client.cancel_job(&job).await.expect("cancel");
    assert_eq!(
        mock.requests()[0].url.as_str(),
        format!("{BASE}/configure/{JOB}/cancel?$version=2022-07-01")
    );
    let outcome = client
        .poller(JobHandle::new(job.clone()))
        .poll_interval(Duration::ZERO)
        .wait()
        .await
        .expect("outcome");
    assert!(outcome.is_cancelled(), "{outcome:?}");
    // The offer is still a draft: the delete did not happen, and the error says the job was cancelled.
    let handle = JobHandle::new(job).with_purpose(JobPurpose::Delete {
        offer_id: PrivateOfferId::new("o1").expect("id"),
    });
    let err = client
        .poller(handle)
        .poll_interval(Duration::ZERO)
        .wait_retraction()
        .await
        .expect_err("cancelled");
    assert!(err.is_job_cancelled(), "{err:?}");
    assert!(!err.is_job_failed());
}

// On a paused clock with a mock transport, so the deadline passes without real waiting.
#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn a_passing_deadline_is_still_unknown_with_the_handle_to_resume() {
    let mock = MockTransport::new(|_req| {
        MockResponse::json(
            200,
            &json!({"jobId": JOB, "jobStatus": "running", "jobResult": "pending"}),
        )
    });
    let handle = JobHandle::new(JobId::new(JOB).expect("id")).with_purpose(JobPurpose::Delete {
        offer_id: PrivateOfferId::new("o1").expect("id"),
    });
    let err = client(&mock)
        .poller(handle.clone())
        .poll_interval(Duration::from_secs(60))
        .deadline(Duration::from_secs(120))
        .wait_retraction()
        .await
        .expect_err("deadline");
    assert!(err.is_outcome_unknown());
    assert!(!err.is_job_failed());
    assert!(err.is_transient(), "a later poll may see the end");
    assert!(err.to_string().contains("still unknown"), "{err}");
    assert!(!err.to_string().contains("failed"), "{err}");
    let resume = err.job_handle().expect("handle").clone();
    assert_eq!(resume, handle);
    // The handle survives a round trip through storage and resumes the same job.
    let stored: JobHandle =
        serde_json::from_str(&serde_json::to_string(&resume).expect("json")).expect("handle");
    let done = MockTransport::new(|_req| {
        MockResponse::json(
            200,
            &json!({"jobId": JOB, "jobStatus": "completed", "jobResult": "succeeded"}),
        )
    });
    let outcome = client(&done)
        .poller(stored)
        .poll_interval(Duration::ZERO)
        .wait()
        .await;
    assert_eq!(
        outcome.expect("resumed").status().job_status,
        Some(JobStatus::Completed)
    );
}
