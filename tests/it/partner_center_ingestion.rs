//! Partner Center product ingestion end to end against the offerkit sandbox: the crate's client (delete,
//! withdraw, job polling, read-back, already-retracted repeats) and the facade's `Retract` impl, with Azure AD
//! tokens from the sandbox's token endpoint.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use offerkit::{
    Client, Config, JobHandle, JobId, JobRecorder, Probe, Query, ResourceRef, Status, Target,
    Vendor, async_trait,
};
use offerkit_partner_center_ingestion::models::{PrivateOfferState, PrivateOfferType};
use offerkit_partner_center_ingestion::transport::AzureClientCredentials;
use offerkit_partner_center_ingestion::{
    DeletePrivateOffer, IngestionClient, OfferGone, PrivateOfferId, Retraction, Submitted,
    WithdrawPrivateOffer,
};
use offerkit_sandbox::Sandbox;
use serde_json::json;

const CONFIGURE: &str = "/rp/product-ingestion/configure";
const TENANT: &str = "sandbox-tenant";

fn seed(sandbox: &Sandbox) {
    sandbox
        .seed(&json!({"ingestion": {"privateOffers": [
            {"id": "draft-1", "name": "Draft offer", "privateOfferType": "multipartyPromotionOriginator", "state": "draft"},
            {"id": "live-1", "name": "Live offer", "privateOfferType": "customerPromotion", "state": "live", "subState": "pendingAcceptance"},
            {"id": "draft-2", "name": "Facade draft", "privateOfferType": "customerPromotion", "state": "draft"}
        ]}}))
        .expect("seed");
}

fn client(sandbox: &Sandbox) -> IngestionClient {
    let credential = AzureClientCredentials::for_resource(
        TENANT,
        "sandbox-client",
        "sandbox-secret",
        IngestionClient::TOKEN_RESOURCE,
    )
    .and_then(|c| c.with_authority(sandbox.base_url()))
    .expect("credential");
    IngestionClient::builder()
        .base_url(format!("{}/rp/product-ingestion", sandbox.base_url()))
        .credential(Arc::new(credential))
        .build()
        .expect("client")
}

fn id(raw: &str) -> PrivateOfferId {
    PrivateOfferId::new(raw).expect("offer id")
}

fn submitted(result: Retraction<Submitted, OfferGone>) -> Submitted {
    match result {
        Retraction::Retracted(s) => s,
        other => panic!("expected a submitted job, got {other:?}"),
    }
}

async fn wait(
    client: &IngestionClient,
    job: Submitted,
) -> Retraction<offerkit_partner_center_ingestion::models::ConfigureStatus, OfferGone> {
    client
        .poller(job.handle)
        .poll_interval(Duration::ZERO)
        .deadline(Duration::from_secs(10))
        .wait_retraction()
        .await
        .expect("job")
}

#[tokio::test]
async fn deletes_and_withdraws_reads_back_and_repeats_as_already_retracted() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    seed(&sandbox);
    let client = client(&sandbox);

    // Delete the draft: one configure call, polled to success.
    let job = submitted(
        client
            .delete_private_offer(DeletePrivateOffer::new(id("private-offer/draft-1")))
            .await
            .expect("delete"),
    );
    assert_eq!(sandbox.count("POST", CONFIGURE), 1);
    let end = wait(&client, job).await;
    let Retraction::Retracted(status) = end else {
        panic!("expected Retracted, got {end:?}")
    };
    assert!(
        status.resource_uri.is_none(),
        "delete jobs have no resourceUri"
    );
    assert!(status.ended_at().is_some());
    let read = client
        .get_private_offer(&id("draft-1"))
        .await
        .expect("read back");
    assert_eq!(read.state, Some(PrivateOfferState::Deleted));

    // The repeat is already retracted and never reaches configure.
    let again = client
        .delete_private_offer(DeletePrivateOffer::new(id("draft-1")))
        .await
        .expect("repeat");
    assert_eq!(
        again,
        OfferGone::retraction(id("draft-1"), Some(PrivateOfferState::Deleted))
    );
    assert_eq!(
        sandbox.count("POST", CONFIGURE),
        1,
        "exactly one configure call reached the server"
    );

    // Deleting a live offer is refused before any call.
    let err = client
        .delete_private_offer(DeletePrivateOffer::new(id("live-1")))
        .await
        .expect_err("not draft");
    assert!(err.is_not_draft(), "{err}");
    assert_eq!(sandbox.count("POST", CONFIGURE), 1);

    // Withdraw the live customer offer as its publisher: the type read from the offer is sent.
    let job = submitted(
        client
            .withdraw_private_offer(WithdrawPrivateOffer::isv(id("live-1")))
            .await
            .expect("withdraw"),
    );
    assert!(wait(&client, job).await.is_retracted());
    let read = client
        .get_private_offer(&id("live-1"))
        .await
        .expect("read back");
    assert_eq!(read.state, Some(PrivateOfferState::Withdrawn));
    assert_eq!(
        read.private_offer_type,
        Some(PrivateOfferType::CustomerPromotion)
    );
    assert_eq!(sandbox.count("POST", CONFIGURE), 2);

    let again = client
        .withdraw_private_offer(WithdrawPrivateOffer::isv(id("live-1")))
        .await
        .expect("repeat");
    assert!(again.is_already_retracted());
    assert_eq!(sandbox.count("POST", CONFIGURE), 2);

    // Without the state check the vendor's job fails ("already withdrawn"); the read-back explains it.
    let job = submitted(
        client
            .withdraw_private_offer(
                WithdrawPrivateOffer::isv(id("live-1"))
                    .private_offer_type(PrivateOfferType::CustomerPromotion)
                    .check_state(false),
            )
            .await
            .expect("blind withdraw"),
    );
    assert_eq!(
        wait(&client, job).await,
        OfferGone::retraction(id("live-1"), Some(PrivateOfferState::Withdrawn))
    );
    assert_eq!(sandbox.count("POST", CONFIGURE), 3);

    let listed = client.query_private_offers().send().await.expect("query");
    assert_eq!(listed.len(), 3);
    sandbox.shutdown().await.expect("shutdown");
}

/// Keeps the job handles the facade records.
#[derive(Default)]
struct Recorded(Mutex<Vec<JobHandle>>);

#[async_trait]
impl JobRecorder for Recorded {
    async fn record_job(&self, _target: &Target, job: &JobHandle) -> Result<(), offerkit::Error> {
        self.0.lock().expect("lock").push(job.clone());
        Ok(())
    }
}

#[tokio::test]
async fn facade_retracts_records_the_job_probes_resumes_and_queries() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    seed(&sandbox);
    let vendor = Vendor::PartnerCenterIngestion;
    let config = Config::new()
        .with_base_url(
            vendor,
            format!("{}/rp/product-ingestion", sandbox.base_url()),
        )
        .with_credential(vendor, "authority", sandbox.base_url())
        .with_credential(vendor, "tenant-id", TENANT)
        .with_credential(vendor, "client-id", "sandbox-client")
        .with_credential(vendor, "client-secret", "sandbox-secret")
        .with_job_poll_interval(Duration::ZERO);
    let client = Client::from_config(&config);
    let target = Target::from_json(
        r#"{"vendor":"partner-center-ingestion","action":"delete","offerId":"draft-2"}"#,
    )
    .expect("target");
    assert!(matches!(
        client.probe(&target).await.expect("probe"),
        Probe::Present(_)
    ));

    let recorder = Arc::new(Recorded::default());
    let ctx = client.context().clone().with_job_recorder(recorder.clone());
    let outcome = client.retract_with(&target, &ctx).await;
    assert_eq!(outcome.status(), Status::Retracted, "{outcome:?}");
    let job = outcome.details().job.clone().expect("job info");
    assert_eq!(job.status, "completed");
    assert_eq!(job.result.as_deref(), Some("succeeded"));
    assert_eq!(
        outcome.details().response.as_ref().expect("status")["jobResult"],
        "succeeded"
    );
    let recorded = recorder.0.lock().expect("lock").clone();
    assert_eq!(
        recorded.len(),
        1,
        "the job is recorded once, before polling"
    );
    assert_eq!(recorded[0].id, job.id);
    assert_eq!(
        recorded[0].data.as_ref().expect("data")["purpose"]["kind"],
        "delete"
    );
    assert_eq!(sandbox.count("POST", CONFIGURE), 1);

    // Read back, repeat, resume.
    assert!(matches!(
        client.probe(&target).await.expect("probe"),
        Probe::Gone(_)
    ));
    let again = client.retract(&target).await;
    assert_eq!(again.status(), Status::AlreadyRetracted, "{again:?}");
    assert_eq!(
        sandbox.count("POST", CONFIGURE),
        1,
        "exactly one configure call reached the server"
    );
    let resumed = client.resume(&target, &recorded[0], client.context()).await;
    assert_eq!(resumed.status(), Status::Retracted, "{resumed:?}");
    let unknown = JobHandle::new(JobId::new("00000000-0000-0000-0000-000000000000").expect("id"));
    let resumed = client.resume(&target, &unknown, client.context()).await;
    assert_eq!(resumed.status(), Status::AlreadyRetracted, "{resumed:?}");
    assert_eq!(sandbox.count("POST", CONFIGURE), 1);

    // Queries for the CLI.
    let offer = client
        .query(&Query::Get(ResourceRef::PrivateOffer(
            offerkit::PrivateOfferId::new("draft-2").expect("id"),
        )))
        .await
        .expect("get");
    assert_eq!(offer.response.expect("offer")["state"], "deleted");
    let status = client
        .query(&Query::JobStatus {
            vendor,
            job: JobHandle::new(job.id.clone()),
        })
        .await
        .expect("status");
    assert_eq!(
        status.job.expect("job").result.as_deref(),
        Some("succeeded")
    );
    let list = client
        .query(&Query::List(offerkit::ListQuery::new(vendor).with_limit(2)))
        .await
        .expect("list");
    assert_eq!(
        list.response.expect("offers").as_array().map(Vec::len),
        Some(2)
    );
    sandbox.shutdown().await.expect("shutdown");
}

// ---- issue 14: faithful to the vendor ----

fn facade_config(sandbox: &Sandbox) -> Config {
    let vendor = Vendor::PartnerCenterIngestion;
    Config::new()
        .with_base_url(
            vendor,
            format!("{}/rp/product-ingestion", sandbox.base_url()),
        )
        .with_credential(vendor, "authority", sandbox.base_url())
        .with_credential(vendor, "tenant-id", TENANT)
        .with_credential(vendor, "client-id", "sandbox-client")
        .with_credential(vendor, "client-secret", "sandbox-secret")
        .with_job_poll_interval(Duration::ZERO)
}

#[tokio::test]
async fn the_query_follows_the_sandbox_pages_of_private_offers() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let offers: Vec<_> = (0..250)
        .map(|i| json!({"id": format!("o{i:03}"), "name": "n", "privateOfferType": "customerPromotion"}))
        .collect();
    sandbox
        .seed(&json!({"ingestion": {"privateOffers": offers}}))
        .expect("seed");
    let listed = client(&sandbox)
        .query_private_offers()
        .send()
        .await
        .expect("query");
    assert_eq!(listed.len(), 250, "every page, not only the first");
    assert_eq!(listed[249].id.as_deref(), Some("private-offer/o249"));
    assert_eq!(
        sandbox.count("GET", "/rp/product-ingestion/private-offer/query"),
        3
    );
    sandbox.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn a_job_cancelled_in_the_sandbox_ends_as_cancelled() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    seed(&sandbox);
    let client = client(&sandbox);
    let job = submitted(
        client
            .delete_private_offer(DeletePrivateOffer::new(id("draft-1")))
            .await
            .expect("delete"),
    );
    client.cancel_job(&job.handle.job_id).await.expect("cancel");
    let outcome = client
        .poller(job.handle.clone())
        .poll_interval(Duration::ZERO)
        .wait()
        .await
        .expect("outcome");
    assert!(outcome.is_cancelled(), "{outcome:?}");
    assert_eq!(
        outcome.status().job_result,
        Some(offerkit_partner_center_ingestion::models::JobResult::Cancelled)
    );
    let err = client
        .poller(job.handle)
        .poll_interval(Duration::ZERO)
        .wait_retraction()
        .await
        .expect_err("cancelled");
    assert!(err.is_job_cancelled(), "{err:?}");
    let offer = client
        .get_private_offer(&id("draft-1"))
        .await
        .expect("read");
    assert_eq!(offer.state, Some(PrivateOfferState::Draft));
    sandbox.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn a_failed_sandbox_job_decodes_with_lower_camel_codes_and_resource_ids() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    seed(&sandbox);
    let client = client(&sandbox);
    // Deleting a live offer without the pre-read: the job fails; its error is about that offer.
    let job = submitted(
        client
            .delete_private_offer(
                DeletePrivateOffer::new(id("live-1"))
                    .private_offer_type(PrivateOfferType::CustomerPromotion)
                    .check_state(false),
            )
            .await
            .expect("submitted"),
    );
    let outcome = client
        .poller(job.handle)
        .poll_interval(Duration::ZERO)
        .wait()
        .await
        .expect("decodes");
    let offerkit_partner_center_ingestion::JobOutcome::Failed { errors, status } = &outcome else {
        panic!("{outcome:?}");
    };
    assert_eq!(errors[0].code().as_deref(), Some("conflict"));
    assert_eq!(errors[0].resource(), Some("private-offer/live-1"));
    assert!(errors[0].details().is_empty());
    for time in [&status.job_start, &status.job_end] {
        let raw = serde_json::to_value(time).expect("json");
        let text = raw.as_str().expect("text");
        let digits = text.split_once('.').map_or(0, |(_, f)| {
            f.chars().take_while(char::is_ascii_digit).count()
        });
        assert!(digits <= 7, "{text}");
    }
    sandbox.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn a_passed_deadline_in_the_facade_is_still_unknown_and_resumable() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    seed(&sandbox);
    let mut config = facade_config(&sandbox);
    config.job_deadline = Some(Duration::ZERO);
    let client = Client::from_config(&config);
    let target = Target::from_json(
        r#"{"vendor":"partner-center-ingestion","action":"delete","offerId":"draft-2"}"#,
    )
    .expect("target");
    let outcome = client.retract(&target).await;
    let error = outcome.error().expect("not finished");
    assert_eq!(error.code(), Some("OutcomeUnknown"), "{outcome:?}");
    assert!(
        error.message().contains("still unknown"),
        "{}",
        error.message()
    );
    let details = outcome.details();
    assert_ne!(
        details.job.as_ref().map(|j| j.status.as_str()),
        Some("completed")
    );
    let handle = details.response.as_ref().expect("response")["jobHandle"].clone();
    let job = JobHandle::new(JobId::new(handle["jobId"].as_str().expect("job id")).expect("id"))
        .with_data(handle);
    // Resuming with the handle (and a normal deadline) learns the outcome.
    let patient = Client::from_config(&facade_config(&sandbox));
    let resumed = patient.resume(&target, &job, patient.context()).await;
    assert_eq!(resumed.status(), Status::Retracted, "{resumed:?}");
    assert_eq!(sandbox.count("POST", CONFIGURE), 1, "not submitted twice");
    sandbox.shutdown().await.expect("shutdown");
}
