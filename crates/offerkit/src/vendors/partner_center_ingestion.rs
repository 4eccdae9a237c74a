//! [`Vendor::PartnerCenterIngestion`]: deleting and withdrawing Partner Center private offers
//! through the `offerkit_partner_center_ingestion` client.
//!
//! - `retract`: delete (draft) or withdraw (ISV or selling partner body, from the target's role),
//!   with the offer read first. The configure job is recorded with [`RetractContext::record_job`]
//!   (the crate's `JobHandle` as JSON in [`JobHandle::data`]) as soon as the vendor accepts it, then
//!   polled at [`RetractContext::poll_interval`] until [`RetractContext::job_deadline`].
//! - `resume`: polls the recorded job; if the vendor no longer knows it (404) the offer is read back:
//!   gone means `AlreadyRetracted`, still present means it is retracted again.
//! - `probe`: reads the offer: 404 or retracted in the target's sense is `Gone`, else `Present`.
//! - `query`: `get` reads an offer, `list` runs the private-offer query, `status` reads a job.
//! - `select`: the private-offer query page by page (`@nextLink`), until the limit; a `draft` is a
//!   `delete` target, a `live` offer a `withdraw` by the select's role; withdrawn or deleted offers
//!   (and a selling partner's offer already back with the partner) and other states are left out,
//!   with a note.
//!
//! Settings: the crate's own keys (`OFFERKIT_INGESTION_*`, `OFFERKIT_AZURE_*`), answered by
//! [`Config::lookup`].

use std::sync::Arc;

use async_trait::async_trait;
use offerkit_models::Vendor;
use offerkit_models::ids::{JobId, PrivateOfferId};
use offerkit_partner_center_ingestion::models::{ConfigureStatus, PrivateOfferType};
use offerkit_partner_center_ingestion::{
    self as ingestion, DeletePrivateOffer, ErrorInfo, IngestionClient, JobHandle as IngestionJob,
    JobPurpose, OfferGone, Retraction, Submitted, WithdrawPrivateOffer,
    WithdrawRole as IngestionRole,
};

use crate::check::{Check, CheckStep};
use crate::config::Config;
use crate::error::{Error, ErrorKind};
use crate::inspect::Inspection;
use crate::outcome::{Details, JobInfo, Outcome};
use crate::retract::{JobHandle, JobProgress, Probe, Query, Retract, RetractContext};
use crate::select::{Collector, Pick, Select, Selection, Source};
use crate::target::{IngestionDelete, IngestionWithdraw, ResourceRef, Target, WithdrawRole};
use crate::vendors::common::{
    AZURE_TOKEN, check_read, check_token, config_error, error_from, to_value, with_request_id,
};

const VENDOR: Vendor = Vendor::PartnerCenterIngestion;

/// Builds the impl, or says why it cannot (missing credentials, bad URL).
pub(crate) fn build(
    config: &Config,
    transport: &offerkit_transport::Transport,
) -> Result<Arc<dyn Retract>, Error> {
    let client = IngestionClient::builder()
        .from_lookup(&config.lookup())
        .and_then(|b| b.transport(transport.clone()).build())
        .map_err(|e| config_error(VENDOR, e))?;
    Ok(Arc::new(PartnerCenterIngestion { client }))
}

/// The [`Retract`] impl for Partner Center product ingestion.
struct PartnerCenterIngestion {
    client: IngestionClient,
}

/// What a target asks of the vendor crate.
enum Request {
    Delete(DeletePrivateOffer),
    Withdraw(WithdrawPrivateOffer),
}

impl Request {
    fn of(target: &Target) -> Result<Self, Error> {
        let offer_type = |kind: &Option<String>| kind.as_deref().map(PrivateOfferType::parse);
        match target {
            Target::IngestionDelete(t) => {
                let mut delete = DeletePrivateOffer::new(t.offer_id.clone());
                if let Some(name) = &t.name {
                    delete = delete.name(name.clone());
                }
                if let Some(kind) = offer_type(&t.private_offer_type) {
                    delete = delete.private_offer_type(kind);
                }
                Ok(Self::Delete(delete))
            }
            Target::IngestionWithdraw(t) => {
                let role = match t.role {
                    WithdrawRole::SellingPartner => IngestionRole::SellingPartner,
                    _ => IngestionRole::Isv,
                };
                let mut withdraw = WithdrawPrivateOffer::new(t.offer_id.clone(), role);
                if let Some(name) = &t.name {
                    withdraw = withdraw.name(name.clone());
                }
                if let Some(kind) = offer_type(&t.private_offer_type) {
                    withdraw = withdraw.private_offer_type(kind);
                }
                Ok(Self::Withdraw(withdraw))
            }
            other => Err(Error::input(format!(
                "{VENDOR} cannot retract {other} (expected a delete or withdraw target)"
            ))),
        }
    }

    fn offer_id(&self) -> &PrivateOfferId {
        match self {
            Self::Delete(d) => d.offer_id(),
            Self::Withdraw(w) => w.offer_id(),
        }
    }

    fn purpose(&self) -> JobPurpose {
        let offer_id = self.offer_id().clone();
        match self {
            Self::Delete(_) => JobPurpose::Delete { offer_id },
            Self::Withdraw(w) => JobPurpose::Withdraw {
                offer_id,
                role: w.role(),
            },
        }
    }
}

#[async_trait]
impl Retract for PartnerCenterIngestion {
    fn vendor(&self) -> Vendor {
        VENDOR
    }

    async fn retract(&self, target: &Target, ctx: &RetractContext) -> Outcome {
        let submitted = match Request::of(target) {
            Ok(Request::Delete(d)) => self.client.delete_private_offer(d).await,
            Ok(Request::Withdraw(w)) => self.client.withdraw_private_offer(w).await,
            Err(e) => return Outcome::failed(e),
        };
        let submitted: Submitted = match submitted {
            Ok(Retraction::Retracted(submitted)) => submitted,
            Ok(Retraction::AlreadyRetracted(gone)) => {
                return already_retracted(&gone, "found before the configure call");
            }
            Err(e) => return failed(e, Details::new()),
        };
        if let Err(error) = ctx.record_job(target, &job_of(&submitted.handle)).await {
            let details = Details::new().with_response(to_value(&submitted.status));
            let details = with_request_id(details, submitted.request_id.as_deref());
            return Outcome::Failed { error, details };
        }
        let end = self.poll(submitted.handle.clone(), ctx).await;
        let mut outcome = finish(end, &submitted.handle.job_id);
        if let Some(id) = submitted.request_id {
            outcome.details_mut().request_id.get_or_insert(id);
        }
        outcome
    }

    async fn resume(&self, target: &Target, job: &JobHandle, ctx: &RetractContext) -> Outcome {
        let handle = match handle_of(target, job) {
            Ok(h) => h,
            Err(e) => return Outcome::failed(e),
        };
        match self.poll(handle.clone(), ctx).await {
            Err(ingestion::Error::JobNotFound { .. }) => match self.probe(target).await {
                Ok(Probe::Gone(details)) => Outcome::AlreadyRetracted(details.with_note(
                    "the vendor no longer knows the recorded job; the offer reads back retracted",
                )),
                Ok(_) => {
                    let mut outcome = self.retract(target, ctx).await;
                    let note = "the vendor no longer knows the recorded job and the offer is still there: submitted again";
                    outcome
                        .details_mut()
                        .note
                        .get_or_insert_with(|| note.to_owned());
                    outcome
                }
                Err(error) => Outcome::Failed {
                    error,
                    details: Details::new().with_note("recorded job unknown to the vendor"),
                },
            },
            end => finish(end, &handle.job_id),
        }
    }

    async fn probe(&self, target: &Target) -> Result<Probe, Error> {
        let request = Request::of(target)?;
        let id = request.offer_id();
        match self.client.get_private_offer(id).await {
            Ok(offer) => {
                let gone = match &request {
                    Request::Delete(_) => ingestion::is_deleted(&offer),
                    Request::Withdraw(w) => ingestion::is_withdrawn(&offer, w.role()),
                };
                let details = Details::new().with_response(to_value(&offer));
                Ok(if gone {
                    Probe::Gone(details)
                } else {
                    Probe::Present(details)
                })
            }
            Err(e) if e.is_not_found() => Ok(Probe::Gone(
                Details::new().with_note(format!("private offer {id} was not found (404)")),
            )),
            Err(e) => Err(facade_error(e)),
        }
    }

    /// Token: Azure AD client credentials (resource `https://graph.microsoft.com/`). Read: the
    /// private offers query with a limit of 1.
    async fn check(&self) -> Check {
        let token = check_token(VENDOR, self.client.vendor_client(), AZURE_TOKEN).await;
        if !token.is_ok() {
            return Check::new(token, CheckStep::Skipped("no token".to_owned()));
        }
        let read = self.client.query_private_offers().limit(1).send().await;
        let read = check_read(
            read,
            |offers| format!("listed private offers (limit 1): {} read", offers.len()),
            facade_error,
        );
        Check::after_token(VENDOR, token, read)
    }

    /// Reads the offer: 404 or retracted in the target's sense is already retracted; a delete of
    /// an offer that is not a draft, or a withdraw Partner Center would refuse (state, `subState`,
    /// multiparty role: [`ingestion::withdraw_refusal`]) is blocked. Never reversible.
    async fn inspect(&self, target: &Target) -> Result<Inspection, Error> {
        let request = Request::of(target)?;
        let id = request.offer_id();
        let offer = match self.client.get_private_offer(id).await {
            Ok(offer) => offer,
            Err(e) if e.is_not_found() => {
                return Ok(Inspection::already_retracted(format!(
                    "private offer {id} was not found (404)"
                )));
            }
            Err(e) => return Err(facade_error(e)),
        };
        let (gone, refusal) = match &request {
            Request::Delete(_) => (
                ingestion::is_deleted(&offer),
                ingestion::delete_refusal(&offer),
            ),
            Request::Withdraw(w) => (
                ingestion::is_withdrawn(&offer, w.role()),
                ingestion::withdraw_refusal(&offer, w.role()),
            ),
        };
        let state = offer
            .state
            .as_ref()
            .map_or("without a state", |s| s.as_str());
        let inspection = match (gone, refusal) {
            (true, _) => Inspection::already_retracted(format!("the private offer is {state}")),
            (false, Some(rule)) => Inspection::blocked(rule),
            (false, None) => Inspection::will_retract(
                format!(
                    "the private offer is {state}; a configure job would retract it (not reversible)"
                ),
                false,
            ),
        };
        Ok(inspection.with_snapshot(to_value(&offer)))
    }

    async fn query(&self, query: &Query) -> Result<Details, Error> {
        let details = match query {
            Query::Get(ResourceRef::PrivateOffer(id)) => {
                let offer = self.client.get_private_offer(id).await;
                Details::new().with_response(to_value(&offer.map_err(facade_error)?))
            }
            Query::List(list) => {
                let mut request = self.client.query_private_offers();
                if let Some(limit) = list.limit {
                    request = request.limit(usize::try_from(limit).unwrap_or(usize::MAX));
                }
                let offers = request.send().await.map_err(facade_error)?;
                Details::new().with_response(to_value(&offers))
            }
            Query::JobStatus { job, .. } => {
                let status = self
                    .client
                    .job_status(&job.id)
                    .await
                    .map_err(facade_error)?;
                Details::new()
                    .with_job(job_info(&job.id, &status))
                    .with_response(to_value(&status))
            }
            other => {
                return Err(Error::unsupported(format!(
                    "{VENDOR} cannot answer `{}` for this resource",
                    other.name()
                )));
            }
        };
        Ok(details)
    }

    async fn select(&self, select: &Select) -> Result<Selection, Error> {
        let Source::Ingestion { role } = &select.source else {
            return Err(crate::select::unsupported(VENDOR));
        };
        let role = *role;
        let crate_role = match role {
            WithdrawRole::SellingPartner => IngestionRole::SellingPartner,
            _ => IngestionRole::Isv,
        };
        let mut collector = Collector::new(select);
        let mut pages = self.client.query_private_offers().pages();
        while !collector.full() {
            let Some(page) = pages.next_page().await.map_err(facade_error)? else {
                break;
            };
            for offer in page {
                let json = to_value(&offer);
                collector.offer(&json, |_| Some(pick_offer(&offer, role, crate_role)));
            }
        }
        Ok(collector.finish())
    }
}

/// The target of a listed private offer: delete a draft, withdraw a live offer (as `role`).
fn pick_offer(
    offer: &ingestion::models::PrivateOffer,
    role: WithdrawRole,
    crate_role: IngestionRole,
) -> Pick {
    use ingestion::models::PrivateOfferState as State;
    let Some(id) = offer.id.as_deref() else {
        return Pick::skip("a private offer without id");
    };
    let id = PrivateOfferId::new(id);
    match &offer.state {
        Some(State::Draft) => Pick::of(id, |id| Target::IngestionDelete(IngestionDelete::new(id))),
        Some(State::Live) if ingestion::is_withdrawn(offer, crate_role) => {
            Pick::skip(format!("already withdrawn for role {}", role.as_str()))
        }
        Some(State::Live) => Pick::of(id, |id| {
            Target::IngestionWithdraw(IngestionWithdraw::new(id, role))
        }),
        Some(State::Withdrawn) => Pick::skip("already withdrawn"),
        Some(State::Deleted) => Pick::skip("already deleted"),
        Some(other) => Pick::skip(format!("state {other} (neither draft nor live)")),
        None => Pick::skip("no state"),
    }
}

impl PartnerCenterIngestion {
    /// Polls `handle` at the context's interval until its deadline and explains the end.
    async fn poll(
        &self,
        handle: IngestionJob,
        ctx: &RetractContext,
    ) -> Result<Retraction<ConfigureStatus, OfferGone>, ingestion::Error> {
        let mut poller = self
            .client
            .poller(handle)
            .poll_interval(ctx.poll_interval())
            .deadline(ctx.job_deadline());
        if ctx.has_job_progress() {
            let ctx = ctx.clone();
            poller = poller.on_progress(move |p| {
                ctx.report_progress(&JobProgress::new(
                    VENDOR,
                    p.job_id.clone(),
                    p.state.clone(),
                    p.polls,
                    p.waited,
                    p.next_poll_in,
                ));
            });
        }
        poller.wait_retraction().await
    }
}

/// The facade's journal record of a job: its id, with the crate's handle as data.
fn job_of(handle: &IngestionJob) -> JobHandle {
    JobHandle::new(handle.job_id.clone()).with_data(to_value(handle))
}

/// The crate's handle back from a journal record; a record without data (written by hand or by an
/// older version) gets its purpose from the target.
fn handle_of(target: &Target, job: &JobHandle) -> Result<IngestionJob, Error> {
    if let Some(data) = &job.data
        && let Ok(handle) = serde_json::from_value::<IngestionJob>(data.clone())
        && handle.job_id == job.id
    {
        return Ok(handle);
    }
    Ok(IngestionJob::new(job.id.clone()).with_purpose(Request::of(target)?.purpose()))
}

/// The outcome of a finished (or abandoned) poll.
fn finish(
    end: Result<Retraction<ConfigureStatus, OfferGone>, ingestion::Error>,
    id: &JobId,
) -> Outcome {
    match end {
        Ok(Retraction::Retracted(status)) => Outcome::Retracted(
            Details::new()
                .with_response(to_value(&status))
                .with_job(job_info(id, &status)),
        ),
        Ok(Retraction::AlreadyRetracted(gone)) => {
            already_retracted(&gone, "the job failed and the offer reads back retracted")
        }
        Err(ingestion::Error::JobTimeout {
            job_id,
            waited,
            last_status,
            handle,
        }) => still_unknown(id, &job_id, waited, last_status.as_deref(), &handle),
        Err(e) => {
            let status = match &e {
                ingestion::Error::JobFailed { status, .. } => Some(status.as_ref()),
                ingestion::Error::NotDraft { job, .. } => job.as_deref(),
                ingestion::Error::JobCancelled { status, .. } => Some(status.as_ref()),
                _ => None,
            };
            let details = match status {
                Some(status) => Details::new()
                    .with_response(to_value(status))
                    .with_job(job_info(id, status)),
                None => Details::new().with_job(JobInfo::new(id.clone(), "unknown", None)),
            };
            failed(e, details)
        }
    }
}

/// The poll deadline passed: the job's outcome is still unknown (it may yet succeed). The facade's
/// outcome has no "unknown" state, so this is reported as a [`ErrorKind::Job`] error with code
/// `OutcomeUnknown`, a note saying so, the last status as the job's state and the crate's job handle
/// (`{"jobHandle": …}`) to resume with; the batch journal already holds the job (`job-submitted`).
fn still_unknown(
    id: &JobId,
    job_id: &JobId,
    waited: std::time::Duration,
    last_status: Option<&ConfigureStatus>,
    handle: &IngestionJob,
) -> Outcome {
    let message = format!(
        "the outcome of configure job {job_id} is still unknown: it did not finish within {waited:?} and \
         keeps running on the vendor side; resume polling it with its job handle"
    );
    let job = match last_status {
        Some(status) => job_info(id, status),
        None => JobInfo::new(id.clone(), "unknown", None),
    };
    let response = serde_json::json!({
        "jobHandle": to_value(handle),
        "lastStatus": last_status.map(to_value),
    });
    Outcome::Failed {
        error: Error::new(ErrorKind::Job, message).with_code("OutcomeUnknown"),
        details: Details::new()
            .with_job(job)
            .with_response(response)
            .with_note("outcome still unknown (poll deadline passed); resume the job to learn it"),
    }
}

fn already_retracted(gone: &OfferGone, how: &str) -> Outcome {
    let response = serde_json::json!({
        "offerId": gone.offer_id.resource_id(),
        "state": gone.state.as_ref().map(|s| s.as_str()),
    });
    let note = match &gone.state {
        Some(state) => format!("private offer already {state} ({how})"),
        None => format!("private offer not found ({how})"),
    };
    Outcome::AlreadyRetracted(Details::new().with_response(response).with_note(note))
}

fn job_info(id: &JobId, status: &ConfigureStatus) -> JobInfo {
    JobInfo::new(
        id.clone(),
        status.job_status.as_ref().map_or("unknown", |s| s.as_str()),
        status.job_result.as_ref().map(|r| r.as_str().to_owned()),
    )
}

fn failed(err: ingestion::Error, details: Details) -> Outcome {
    let details = with_request_id(details, err.request_id());
    Outcome::Failed {
        error: facade_error(err),
        details,
    }
}

/// The facade error: by [`ErrorInfo`], except where this vendor's own variants know better.
fn facade_error(err: ingestion::Error) -> Error {
    use ingestion::Error as E;
    let kind = match &err {
        E::NotDraft { .. } => Some(ErrorKind::Rejected),
        E::JobFailed { .. } | E::JobCancelled { .. } | E::JobTimeout { .. } => Some(ErrorKind::Job),
        _ => None,
    };
    let not_draft = err.is_not_draft();
    let error = error_from(err, kind);
    if not_draft {
        error.with_code("NotDraft")
    } else {
        error
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_credentials_are_a_config_error() {
        let err = build(&Config::new(), &crate::vendors::test_transport())
            .err()
            .expect("no credentials");
        assert_eq!(err.kind(), ErrorKind::Config);
        assert!(
            err.message().contains("OFFERKIT_INGESTION_TENANT_ID"),
            "{}",
            err.message()
        );
    }

    #[test]
    fn a_passed_deadline_is_reported_as_still_unknown_with_the_handle() {
        let id = JobId::new("j1").expect("id");
        let handle = IngestionJob::new(id.clone()).with_purpose(JobPurpose::Delete {
            offer_id: PrivateOfferId::new("o1").expect("id"),
        });
        let last: ConfigureStatus = serde_json::from_value(
            serde_json::json!({"jobId": "j1", "jobStatus": "running", "jobResult": "pending"}),
        )
        .expect("status");
        let outcome = still_unknown(
            &id,
            &id,
            std::time::Duration::from_secs(1800),
            Some(&last),
            &handle,
        );
        let error = outcome.error().expect("an error");
        assert_eq!(error.code(), Some("OutcomeUnknown"));
        assert!(
            error.message().contains("still unknown"),
            "{}",
            error.message()
        );
        assert!(!error.message().contains("failed"), "{}", error.message());
        let details = outcome.details();
        assert_eq!(
            details.job.as_ref().map(|j| j.status.as_str()),
            Some("running")
        );
        let stored = details.response.as_ref().expect("response")["jobHandle"].clone();
        let resumed: IngestionJob = serde_json::from_value(stored).expect("the handle");
        assert_eq!(resumed, handle);
    }

    #[test]
    fn a_journal_record_without_data_resumes_with_the_target_purpose() {
        let target = Target::from_json(
            r#"{"vendor":"partner-center-ingestion","action":"withdraw","offerId":"o1","role":"selling-partner"}"#,
        )
        .expect("target");
        let job = JobHandle::new(JobId::new("j1").expect("id"));
        let handle = handle_of(&target, &job).expect("handle");
        assert_eq!(
            handle.purpose,
            JobPurpose::Withdraw {
                offer_id: PrivateOfferId::new("o1").expect("id"),
                role: IngestionRole::SellingPartner
            }
        );
        let recorded = job_of(&handle);
        assert_eq!(handle_of(&target, &recorded).expect("again"), handle);
    }
}
