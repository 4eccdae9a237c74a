//! [`Vendor::Appcharge`]: deleting Appcharge Offers V2 offers through the
//! `offerkit_appcharge` client.
//!
//! - `retract`: [`AppchargeClient::delete_offer`]; the deleted offer (as Appcharge returned it) is
//!   the response, a 404 is `AlreadyRetracted`.
//! - `probe`: [`AppchargeClient::get_offer`] (`GET /v2/offer?publisherOfferIds=<id>`): listed is
//!   `Present`, absent is `Gone`.
//! - `query`: `get` reads one offer (absent is a `not-found` error), `list` reads every offer
//!   (`limit` applied to the items).
//! - `resume`: the default (deletes are synchronous).
//!
//! Settings (`[appcharge]` or `OFFERKIT_APPCHARGE_*`): `publisher-token` (required), `base-url`
//! (default production `https://api.appcharge.com`), or `environment = "sandbox"` for
//! `https://api-sandbox.appcharge.com`.

use std::sync::Arc;

use async_trait::async_trait;
use offerkit_appcharge::transport::Error as TransportError;
use offerkit_appcharge::{
    AppchargeClient, Environment, Error as AppchargeError, PublisherOfferId, Retraction,
};

use crate::config::Config;
use crate::error::{Error, ErrorKind};
use crate::ids::PublisherOfferId as TargetOfferId;
use crate::outcome::{Details, Outcome};
use crate::retract::{Probe, Query, Retract, RetractContext};
use crate::target::{ResourceRef, Target};
use crate::vendors::common::{
    answered_404, config_error, failed_call, record_json, transport_kind, with_code_and_status,
    with_request_id,
};
use offerkit_models::Vendor;

const VENDOR: Vendor = Vendor::Appcharge;

/// Builds the impl, or says why it cannot (missing token, bad URL).
pub(crate) fn build(config: &Config) -> Result<Arc<dyn Retract>, Error> {
    let settings = config.vendor(VENDOR);
    let token = settings.require(VENDOR, "publisher-token")?;
    let environment = match settings.credential("environment").map(str::trim) {
        None | Some("") => Environment::Production,
        Some(e) if e.eq_ignore_ascii_case("production") => Environment::Production,
        Some(e) if e.eq_ignore_ascii_case("sandbox") => Environment::Sandbox,
        Some(other) => {
            return Err(Error::new(
                ErrorKind::Config,
                format!("{VENDOR}: environment `{other}` is not `production` or `sandbox`"),
            ));
        }
    };
    let mut builder = AppchargeClient::builder()
        .environment(environment)
        .publisher_token(token);
    if let Some(url) = &settings.base_url {
        builder = builder.base_url(url.clone());
    }
    let client = builder.build().map_err(|e| config_error(VENDOR, e))?;
    Ok(Arc::new(Appcharge { client }))
}

/// The [`Retract`] impl for Appcharge.
struct Appcharge {
    client: AppchargeClient,
}

#[async_trait]
impl Retract for Appcharge {
    fn vendor(&self) -> Vendor {
        VENDOR
    }

    async fn retract(&self, target: &Target, _ctx: &RetractContext) -> Outcome {
        let id = match offer_id_of(target) {
            Ok(id) => id,
            Err(e) => return Outcome::failed(e),
        };
        match self.client.delete_offer(&id).await {
            Ok(Retraction::Retracted { value, request_id }) => {
                let mut details = with_request_id(Details::new(), request_id.as_deref());
                if value.publisher_offer_id.as_deref() != Some(id.as_str()) {
                    details = details.with_note(format!(
                        "Appcharge echoed publisherOfferId {:?} for {id}",
                        value.publisher_offer_id.as_deref().unwrap_or_default()
                    ));
                }
                Outcome::Retracted(details.with_response(record_json(&value)))
            }
            Ok(Retraction::AlreadyRetracted {
                message,
                request_id,
            }) => answered_404("Appcharge", message.as_deref(), request_id.as_deref()),
            Ok(_) => Outcome::failed(Error::new(
                ErrorKind::Internal,
                "unknown retraction result from offerkit-appcharge",
            )),
            Err(e) => {
                let request_id = e.request_id().map(str::to_owned);
                failed_call(facade_error(e), request_id.as_deref())
            }
        }
    }

    async fn probe(&self, target: &Target) -> Result<Probe, Error> {
        let id = offer_id_of(target)?;
        match self.client.get_offer(&id).await.map_err(facade_error)? {
            Some(offer) => Ok(Probe::Present(
                Details::new().with_response(record_json(&offer)),
            )),
            None => Ok(Probe::Gone(
                Details::new().with_note(format!("{id} is not among Appcharge's offers")),
            )),
        }
    }

    async fn query(&self, query: &Query) -> Result<Details, Error> {
        match query {
            Query::Get(ResourceRef::AppchargeOffer(raw)) => {
                let id = convert_id(raw)?;
                match self.client.get_offer(&id).await.map_err(facade_error)? {
                    Some(offer) => Ok(Details::new().with_response(record_json(&offer))),
                    None => Err(Error::new(
                        ErrorKind::NotFound,
                        format!("Appcharge has no offer with publisherOfferId {id}"),
                    )),
                }
            }
            Query::List(list) => {
                let mut all = self.client.list_offers().await.map_err(facade_error)?;
                if let (Some(limit), Some(offers)) = (list.limit, all.offers.as_mut()) {
                    offers.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
                }
                let response = serde_json::to_value(&all).map_err(internal)?;
                Ok(Details::new().with_response(response))
            }
            other => Err(Error::unsupported(format!(
                "{VENDOR} does not support {} for this resource",
                other.name()
            ))),
        }
    }
}

fn offer_id_of(target: &Target) -> Result<PublisherOfferId, Error> {
    match target {
        Target::AppchargeDelete(t) => convert_id(&t.publisher_offer_id),
        other => Err(Error::input(format!(
            "{VENDOR} cannot perform {other}: not an Appcharge target"
        ))),
    }
}

fn convert_id(id: &TargetOfferId) -> Result<PublisherOfferId, Error> {
    PublisherOfferId::new(id.as_str())
        .map_err(|e| Error::input(format!("field `publisherOfferId`: {e}")).with_source(e))
}

fn internal(e: serde_json::Error) -> Error {
    Error::new(ErrorKind::Internal, e.to_string()).with_source(e)
}

/// Classifies a crate error for exit codes and retry decisions, keeping it as the source.
fn facade_error(err: AppchargeError) -> Error {
    let kind = match &err {
        AppchargeError::InvalidArgument { .. } => ErrorKind::Input,
        AppchargeError::Unauthorized { .. } => ErrorKind::Auth,
        AppchargeError::Rejected { .. } => ErrorKind::Rejected,
        AppchargeError::Transport(t) => transport_kind(t),
        _ => ErrorKind::Vendor,
    };
    let code = err
        .transport_error()
        .and_then(TransportError::error_body)
        .and_then(|v| v.code.clone());
    let status = err.status();
    with_code_and_status(Error::new(kind, err.to_string()), code, status).with_source(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_needs_a_token_and_a_known_environment() {
        let err = build(&Config::new()).err().expect("no token");
        assert_eq!(err.kind(), ErrorKind::Config);
        assert!(
            err.message().contains("OFFERKIT_APPCHARGE_PUBLISHER_TOKEN"),
            "{err}"
        );
        let config = Config::new().with_credential(VENDOR, "publisher-token", "t");
        assert!(build(&config).is_ok());
        let sandbox = config
            .clone()
            .with_credential(VENDOR, "environment", "Sandbox");
        assert!(build(&sandbox).is_ok());
        let bad = config
            .clone()
            .with_credential(VENDOR, "environment", "staging");
        assert_eq!(build(&bad).err().map(|e| e.kind()), Some(ErrorKind::Config));
        let url = config.with_base_url(VENDOR, "http://example.com");
        let err = build(&url).err().expect("plain http to a remote host");
        assert_eq!(err.kind(), ErrorKind::Config);
        assert!(err.message().contains("base_url"), "{err}");
    }
}
