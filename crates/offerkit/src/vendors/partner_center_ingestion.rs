//! [`Vendor::PartnerCenterIngestion`]: deleting and withdrawing Partner Center private offers
//! through the `offerkit_partner_center_ingestion` client.
//!
//! - `retract`: delete (draft) or withdraw (ISV or selling partner body, from the target's role),
//!   with the offer read first. The configure job is recorded with [`RetractContext::record_job`]
//!   (the crate's `JobHandle` as JSON in [`JobHandle::data`]) as soon as the vendor accepts it, then
//!   polled at [`RetractContext::poll_interval`] until [`RetractContext::job_deadline`].
//!   `AlreadyRetracted` when the offer is missing, already deleted (delete) or already withdrawn
//!   (withdraw), found before the call or, after a failed job, by reading the offer back.
//! - `resume`: polls the recorded job; if the vendor no longer knows it (404) the offer is read back:
//!   gone means `AlreadyRetracted`, still present means it is retracted again.
//! - `probe`: reads the offer: 404 or retracted in the target's sense is `Gone`, else `Present`.
//! - `query`: `get` reads an offer, `list` runs the private-offer query (`limit` applied), `status`
//!   reads a job's status.
//!
//! Settings (`[partner-center-ingestion]` or `OFFERKIT_INGESTION_*`): `base-url`, `token-url` (a full
//! `…/{tenant}/oauth2/token` URL or just the authority), `tenant-id`, `client-id`, `client-secret`.

use std::sync::Arc;

use async_trait::async_trait;
use offerkit_partner_center_ingestion::models::{ConfigureStatus, PrivateOfferType};
use offerkit_partner_center_ingestion::transport::{
    AzureClientCredentials, Error as TransportError,
};
use offerkit_partner_center_ingestion::{
    self as ingestion, DeletePrivateOffer, IngestionClient, JobHandle as IngestionJob,
    JobId as IngestionJobId, JobPurpose, PrivateOfferId as IngestionOfferId, Retraction, Submitted,
    WithdrawPrivateOffer, WithdrawRole as IngestionRole,
};
use serde_json::Value;

use crate::config::Config;
use crate::error::{Error, ErrorKind};
use crate::ids::{JobId, PrivateOfferId};
use crate::outcome::{Details, JobInfo, Outcome};
use crate::retract::{JobHandle, Probe, Query, Retract, RetractContext};
use crate::target::{ResourceRef, Target, WithdrawRole};
use crate::vendors::common::{
    azure_credentials, config_error, to_value, with_code_and_status, with_request_id,
};
use offerkit_models::Vendor;

const VENDOR: Vendor = Vendor::PartnerCenterIngestion;

/// Builds the impl, or says why it cannot (missing credentials, bad URL).
pub(crate) fn build(config: &Config) -> Result<Arc<dyn Retract>, Error> {
    let settings = config.vendor(VENDOR);
    let credential = azure_credentials(VENDOR, &settings, |tenant, client, secret| {
        AzureClientCredentials::product_ingestion(tenant, client, secret)
    })?;
    let mut builder = IngestionClient::builder().credential(Arc::new(credential));
    if let Some(url) = &settings.base_url {
        builder = builder.base_url(url.clone());
    }
    let client = builder.build().map_err(|e| config_error(VENDOR, e))?;
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
        match target {
            Target::IngestionDelete(t) => {
                let mut delete = DeletePrivateOffer::new(offer_id(&t.offer_id)?);
                if let Some(name) = &t.name {
                    delete = delete.name(name.clone());
                }
                if let Some(kind) = &t.private_offer_type {
                    delete = delete.private_offer_type(PrivateOfferType::parse(kind));
                }
                Ok(Self::Delete(delete))
            }
            Target::IngestionWithdraw(t) => {
                let mut withdraw = WithdrawPrivateOffer::new(offer_id(&t.offer_id)?, role(t.role));
                if let Some(name) = &t.name {
                    withdraw = withdraw.name(name.clone());
                }
                if let Some(kind) = &t.private_offer_type {
                    withdraw = withdraw.private_offer_type(PrivateOfferType::parse(kind));
                }
                Ok(Self::Withdraw(withdraw))
            }
            other => Err(Error::input(format!(
                "{VENDOR} cannot retract {other} (expected a delete or withdraw target)"
            ))),
        }
    }

    fn offer_id(&self) -> &IngestionOfferId {
        match self {
            Self::Delete(d) => d.offer_id(),
            Self::Withdraw(w) => w.offer_id(),
        }
    }

    fn purpose(&self) -> JobPurpose {
        match self {
            Self::Delete(d) => JobPurpose::Delete {
                offer_id: d.offer_id().clone(),
            },
            Self::Withdraw(w) => JobPurpose::Withdraw {
                offer_id: w.offer_id().clone(),
                role: w.role(),
            },
        }
    }
}

fn offer_id(id: &PrivateOfferId) -> Result<IngestionOfferId, Error> {
    IngestionOfferId::new(id.as_str()).map_err(|e| facade_error(&e))
}

fn role(role: WithdrawRole) -> IngestionRole {
    match role {
        WithdrawRole::SellingPartner => IngestionRole::SellingPartner,
        _ => IngestionRole::Isv,
    }
}

#[async_trait]
impl Retract for PartnerCenterIngestion {
    fn vendor(&self) -> Vendor {
        VENDOR
    }

    async fn retract(&self, target: &Target, ctx: &RetractContext) -> Outcome {
        let request = match Request::of(target) {
            Ok(r) => r,
            Err(e) => return Outcome::failed(e),
        };
        let submitted = match request {
            Request::Delete(d) => self.client.delete_private_offer(d).await,
            Request::Withdraw(w) => self.client.withdraw_private_offer(w).await,
        };
        let submitted = match submitted {
            Ok(Retraction::Retracted(submitted)) => submitted,
            Ok(already) => return already_retracted(&already, "found before the configure call"),
            Err(e) => return failed(e, Details::new()),
        };
        let job = match job_of(&submitted.handle) {
            Ok(job) => job,
            Err(e) => return Outcome::failed(e),
        };
        if let Err(e) = ctx.record_job(target, &job).await {
            return Outcome::Failed {
                error: e,
                details: submitted_details(&submitted),
            };
        }
        let end = self.poll(submitted.handle.clone(), ctx).await;
        let mut outcome = finish(end, &submitted.handle.job_id);
        if let Some(id) = &submitted.request_id {
            let details = outcome.details_mut();
            details.request_id.get_or_insert_with(|| id.clone());
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
            Err(e) => Err(facade_error(&e).with_source(e)),
        }
    }

    async fn query(&self, query: &Query) -> Result<Details, Error> {
        match query {
            Query::Get(ResourceRef::PrivateOffer(id)) => {
                let offer = self
                    .client
                    .get_private_offer(&offer_id(id)?)
                    .await
                    .map_err(|e| facade_error(&e).with_source(e))?;
                Ok(Details::new().with_response(to_value(&offer)))
            }
            Query::List(list) => {
                let mut request = self.client.query_private_offers();
                if let Some(limit) = list.limit {
                    request = request.limit(usize::try_from(limit).unwrap_or(usize::MAX));
                }
                let offers = request
                    .send()
                    .await
                    .map_err(|e| facade_error(&e).with_source(e))?;
                Ok(Details::new().with_response(to_value(&offers)))
            }
            Query::JobStatus { job, .. } => {
                let job_id = IngestionJobId::new(job.id.as_str()).map_err(|e| facade_error(&e))?;
                let status = self
                    .client
                    .job_status(&job_id)
                    .await
                    .map_err(|e| facade_error(&e).with_source(e))?;
                Ok(Details::new()
                    .with_job(job_info(&job.id, &status))
                    .with_response(to_value(&status)))
            }
            other => Err(Error::unsupported(format!(
                "{VENDOR} cannot answer `{}` for this resource",
                other.name()
            ))),
        }
    }
}

impl PartnerCenterIngestion {
    /// Polls `handle` at the context's interval until its deadline and explains the end.
    async fn poll(
        &self,
        handle: IngestionJob,
        ctx: &RetractContext,
    ) -> Result<Retraction<ConfigureStatus>, ingestion::Error> {
        self.client
            .poller(handle)
            .poll_interval(ctx.poll_interval())
            .deadline(ctx.job_deadline())
            .wait_retraction()
            .await
    }
}

/// The facade's journal record of a job: its id, with the crate's handle as data.
fn job_of(handle: &IngestionJob) -> Result<JobHandle, Error> {
    let id = JobId::new(handle.job_id.as_str()).map_err(Error::from)?;
    let data = serde_json::to_value(handle).map_err(|e| {
        Error::new(
            ErrorKind::Internal,
            format!("could not serialize the job handle: {e}"),
        )
    })?;
    Ok(JobHandle::new(id).with_data(data))
}

/// The crate's handle back from a journal record; a record without data (written by hand or by an
/// older version) gets its purpose from the target.
fn handle_of(target: &Target, job: &JobHandle) -> Result<IngestionJob, Error> {
    if let Some(data) = &job.data
        && let Ok(handle) = serde_json::from_value::<IngestionJob>(data.clone())
        && handle.job_id.as_str() == job.id.as_str()
    {
        return Ok(handle);
    }
    let job_id = IngestionJobId::new(job.id.as_str()).map_err(|e| facade_error(&e))?;
    Ok(IngestionJob::new(job_id).with_purpose(Request::of(target)?.purpose()))
}

/// The outcome of a finished (or abandoned) poll.
fn finish(
    end: Result<Retraction<ConfigureStatus>, ingestion::Error>,
    job_id: &IngestionJobId,
) -> Outcome {
    let id = JobId::new(job_id.as_str()).ok();
    match end {
        Ok(Retraction::Retracted(status)) => {
            let mut details = Details::new().with_response(to_value(&status));
            if let Some(id) = &id {
                details = details.with_job(job_info(id, &status));
            }
            Outcome::Retracted(details)
        }
        Ok(already) => already_retracted(
            &already,
            "the job failed and the offer reads back retracted",
        ),
        Err(e) => {
            let mut details = Details::new();
            let status = match &e {
                ingestion::Error::JobFailed { status, .. } => Some(status.as_ref()),
                ingestion::Error::NotDraft { job, .. } => job.as_deref(),
                ingestion::Error::JobTimeout { last_status, .. } => last_status.as_deref(),
                _ => None,
            };
            if let Some(status) = status {
                details = details.with_response(to_value(status));
            }
            if let Some(id) = &id {
                let info = match status {
                    Some(status) => job_info(id, status),
                    None => JobInfo::new(id.clone(), "unknown", None),
                };
                details = details.with_job(info);
            }
            failed(e, details)
        }
    }
}

fn already_retracted<T>(result: &Retraction<T>, how: &str) -> Outcome {
    let (response, note) = match result {
        Retraction::AlreadyRetracted { offer_id, state } => (
            serde_json::json!({
                "offerId": offer_id.resource_id(),
                "state": state.as_ref().map(|s| s.as_str()),
            }),
            match state {
                Some(state) => format!("private offer already {state} ({how})"),
                None => format!("private offer not found ({how})"),
            },
        ),
        _ => (Value::Null, how.to_owned()),
    };
    Outcome::AlreadyRetracted(Details::new().with_response(response).with_note(note))
}

fn submitted_details(submitted: &Submitted) -> Details {
    with_request_id(
        Details::new().with_response(to_value(&submitted.status)),
        submitted.request_id.as_deref(),
    )
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
        error: facade_error(&err).with_source(err),
        details,
    }
}

/// The facade error for a crate error: kind, code and HTTP status (the message is the crate's).
fn facade_error(err: &ingestion::Error) -> Error {
    use ingestion::Error as E;
    let kind = match err {
        E::InvalidArgument { .. } => ErrorKind::Input,
        E::OfferNotFound { .. } | E::JobNotFound { .. } => ErrorKind::NotFound,
        E::NotDraft { .. } | E::BadRequest { .. } => ErrorKind::Rejected,
        E::JobFailed { .. } | E::JobTimeout { .. } => ErrorKind::Job,
        E::Unauthorized { .. } => ErrorKind::Auth,
        E::UnexpectedResponse { .. } => ErrorKind::Vendor,
        E::Transport(t) => transport_kind(t),
        _ => ErrorKind::Vendor,
    };
    let code = err
        .vendor_code()
        .or_else(|| err.is_not_draft().then(|| "NotDraft".to_owned()));
    with_code_and_status(
        Error::new(kind, err.to_string()),
        code,
        err.status().map(|s| s.as_u16()),
    )
}

fn transport_kind(err: &TransportError) -> ErrorKind {
    match err {
        TransportError::InvalidInput { .. } => ErrorKind::Config,
        TransportError::Auth(_) => ErrorKind::Auth,
        TransportError::Throttled(_) => ErrorKind::RateLimited,
        TransportError::Decode(_) | TransportError::BodyTooLarge { .. } => ErrorKind::Vendor,
        TransportError::Api(api) => match api.status.as_u16() {
            401 | 403 => ErrorKind::Auth,
            404 => ErrorKind::NotFound,
            429 => ErrorKind::RateLimited,
            400..=499 => ErrorKind::Rejected,
            _ => ErrorKind::Vendor,
        },
        _ => ErrorKind::Transport,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_credentials_are_a_config_error() {
        let err = build(&Config::new()).err().expect("no credentials");
        assert_eq!(err.kind(), ErrorKind::Config);
        assert!(err.message().contains("OFFERKIT_INGESTION_TENANT_ID"));
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
                offer_id: IngestionOfferId::new("o1").expect("id"),
                role: IngestionRole::SellingPartner
            }
        );
        let recorded = job_of(&handle).expect("record");
        assert_eq!(handle_of(&target, &recorded).expect("again"), handle);
    }
}
