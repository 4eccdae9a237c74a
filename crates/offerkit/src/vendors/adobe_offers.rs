//! [`Vendor::AdobeOffers`]: deleting Adobe Offer Library offers through the
//! `offerkit_adobe_offers` client.
//!
//! - `retract`: [`AdobeOffersClient::delete_and_verify`]: DELETE, then a GET that must answer 404.
//!   A 404 on the DELETE is `AlreadyRetracted`; a read-back that still answers 200 is `Failed`
//!   (kind `vendor`). Adobe's DELETE has no body, so `response` stays empty.
//! - `probe`: [`AdobeOffersClient::get_offer`]: 200 is `Present` (with the offer), 404 is `Gone`.
//! - `query`: `get` reads one offer (404 is a `not-found` error); `list` follows `_links.next` until
//!   `limit` offers (all when no limit) of the requested type (`personalized` when none is given).
//! - `resume`: the default (deletes are synchronous).
//!
//! Settings (`[adobe]` or `OFFERKIT_ADOBE_*`): `client-id`, `client-secret`, `org-id` (required),
//! `sandbox-name` (default `prod`), `scopes`, `base-url` (default
//! `https://platform.adobe.io/data/core/dps`), `token-url` (the IMS host, or its full
//! `…/ims/token/v3` URL) or `ims-url`.

use std::sync::Arc;

use async_trait::async_trait;
use offerkit_adobe_offers::transport::AdobeImsCredentials;
use offerkit_adobe_offers::{
    AdobeOffersClient, Error as AdobeError, ListOptions, OfferId, OfferType, Retraction,
};
use serde_json::{Value, json};

use crate::config::Config;
use crate::error::{Error, ErrorKind};
use crate::ids::AdobeOfferId;
use crate::outcome::{Details, Outcome};
use crate::retract::{Probe, Query, Retract, RetractContext};
use crate::target::{AdobeOfferType, ResourceRef, Target};
use crate::vendors::common::{
    answered_404, config_error, failed_call, record_json, transport_kind, with_code_and_status,
    with_request_id,
};
use offerkit_models::Vendor;

const VENDOR: Vendor = Vendor::AdobeOffers;

/// Builds the impl, or says why it cannot (missing credentials, bad URL).
pub(crate) fn build(config: &Config) -> Result<Arc<dyn Retract>, Error> {
    let settings = config.vendor(VENDOR);
    let mut ims = AdobeImsCredentials::new(
        settings.require(VENDOR, "client-id")?,
        settings.require(VENDOR, "client-secret")?,
        settings.require(VENDOR, "org-id")?,
    )
    .map_err(|e| config_error(VENDOR, e))?;
    if let Some(sandbox) = settings.credential("sandbox-name") {
        ims = ims.with_sandbox(sandbox);
    }
    if let Some(scopes) = settings.credential("scopes") {
        ims = ims.with_scopes(scopes);
    }
    let ims_url = settings
        .token_url
        .as_deref()
        .or(settings.credential("ims-url"))
        .map(ims_host);
    if let Some(url) = ims_url {
        ims = ims
            .with_ims_url(&url)
            .map_err(|e| config_error(VENDOR, e))?;
    }
    let mut builder = AdobeOffersClient::builder().ims_credentials(ims);
    if let Some(url) = &settings.base_url {
        builder = builder.base_url(url.clone());
    }
    let client = builder.build().map_err(|e| config_error(VENDOR, e))?;
    Ok(Arc::new(Adobe { client }))
}

/// The IMS base URL of a token URL: `https://ims-na1.adobelogin.com/ims/token/v3` gives
/// `https://ims-na1.adobelogin.com`; a URL without that suffix is taken as the base itself.
fn ims_host(token_url: &str) -> String {
    let url = token_url.trim().trim_end_matches('/');
    url.strip_suffix("/ims/token/v3").unwrap_or(url).to_owned()
}

/// The [`Retract`] impl for the Adobe Offer Library.
struct Adobe {
    client: AdobeOffersClient,
}

#[async_trait]
impl Retract for Adobe {
    fn vendor(&self) -> Vendor {
        VENDOR
    }

    async fn retract(&self, target: &Target, _ctx: &RetractContext) -> Outcome {
        let (id, offer_type) = match offer_of(target) {
            Ok(o) => o,
            Err(e) => return Outcome::failed(e),
        };
        match self.client.delete_and_verify(&id, offer_type).await {
            Ok(Retraction::Retracted { request_id, .. }) => Outcome::Retracted(
                with_request_id(Details::new(), request_id.as_deref())
                    .with_note("deleted; the read-back answers 404"),
            ),
            Ok(Retraction::AlreadyRetracted {
                message,
                request_id,
            }) => answered_404("Adobe", message.as_deref(), request_id.as_deref()),
            Ok(_) => Outcome::failed(Error::new(
                ErrorKind::Internal,
                "unknown retraction result from offerkit-adobe-offers",
            )),
            Err(e) => {
                let request_id = e.request_id().map(str::to_owned);
                failed_call(facade_error(e), request_id.as_deref())
            }
        }
    }

    async fn probe(&self, target: &Target) -> Result<Probe, Error> {
        let (id, offer_type) = offer_of(target)?;
        match self
            .client
            .get_offer(&id, offer_type)
            .await
            .map_err(facade_error)?
        {
            Some(offer) => Ok(Probe::Present(
                Details::new().with_response(record_json(&offer)),
            )),
            None => Ok(Probe::Gone(
                Details::new().with_note(format!("Adobe answers 404 for {id}")),
            )),
        }
    }

    async fn query(&self, query: &Query) -> Result<Details, Error> {
        match query {
            Query::Get(ResourceRef::AdobeOffer {
                offer_id,
                offer_type,
            }) => {
                let id = convert_id(offer_id)?;
                let kind = convert_type(*offer_type);
                match self
                    .client
                    .get_offer(&id, kind.clone())
                    .await
                    .map_err(facade_error)?
                {
                    Some(offer) => Ok(Details::new().with_response(record_json(&offer))),
                    None => Err(Error::new(
                        ErrorKind::NotFound,
                        format!("Adobe has no {kind} offer with id {id}"),
                    )),
                }
            }
            Query::List(list) => {
                let kind = convert_type(
                    list.adobe_offer_type
                        .unwrap_or(AdobeOfferType::Personalized),
                );
                let max = list.limit.map(|l| usize::try_from(l).unwrap_or(usize::MAX));
                let mut options = ListOptions::new();
                if let Some(limit) = list.limit {
                    options = options.limit(limit.clamp(1, 1000));
                }
                let offers = self
                    .client
                    .pager(kind.clone(), options)
                    .collect(max)
                    .await
                    .map_err(facade_error)?;
                let results: Vec<Value> = offers.iter().map(record_json).collect();
                Ok(Details::new().with_response(json!({
                    "offerType": kind.as_str(),
                    "count": results.len(),
                    "results": results,
                })))
            }
            other => Err(Error::unsupported(format!(
                "{VENDOR} does not support {} for this resource",
                other.name()
            ))),
        }
    }
}

fn offer_of(target: &Target) -> Result<(OfferId, OfferType), Error> {
    match target {
        Target::AdobeDelete(t) => Ok((convert_id(&t.offer_id)?, convert_type(t.offer_type))),
        other => Err(Error::input(format!(
            "{VENDOR} cannot perform {other}: not an Adobe target"
        ))),
    }
}

fn convert_id(id: &AdobeOfferId) -> Result<OfferId, Error> {
    OfferId::new(id.as_str())
        .map_err(|e| Error::input(format!("field `offerId`: {e}")).with_source(e))
}

fn convert_type(offer_type: AdobeOfferType) -> OfferType {
    match offer_type {
        AdobeOfferType::Fallback => OfferType::Fallback,
        _ => OfferType::Personalized,
    }
}

/// Classifies a crate error for exit codes and retry decisions, keeping it as the source.
fn facade_error(err: AdobeError) -> Error {
    let kind = match &err {
        AdobeError::InvalidArgument { .. } => ErrorKind::Input,
        AdobeError::Gateway { .. } | AdobeError::Unauthorized { .. } => ErrorKind::Auth,
        AdobeError::Rejected { .. } => ErrorKind::Rejected,
        AdobeError::StillPresent { .. } => ErrorKind::Vendor,
        AdobeError::Transport(t) => transport_kind(t),
        _ => ErrorKind::Vendor,
    };
    let code = err.code();
    let status = err.status();
    with_code_and_status(Error::new(kind, err.to_string()), code, status).with_source(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_needs_credentials_and_accepts_token_urls() {
        let err = build(&Config::new()).err().expect("no credentials");
        assert_eq!(err.kind(), ErrorKind::Config);
        assert!(err.message().contains("OFFERKIT_ADOBE_CLIENT_ID"), "{err}");
        let config = Config::new()
            .with_credential(VENDOR, "client-id", "id")
            .with_credential(VENDOR, "client-secret", "secret")
            .with_credential(VENDOR, "org-id", "ORG@AdobeOrg");
        assert!(build(&config).is_ok());
        let sandbox = config
            .clone()
            .with_base_url(VENDOR, "http://127.0.0.1:9/data/core/dps/")
            .with_token_url(VENDOR, "http://127.0.0.1:9/ims/token/v3");
        assert!(build(&sandbox).is_ok());
        let bad = config.with_token_url(VENDOR, "http://example.com/ims/token/v3");
        assert_eq!(build(&bad).err().map(|e| e.kind()), Some(ErrorKind::Config));
    }

    #[test]
    fn ims_host_strips_the_token_path() {
        assert_eq!(
            ims_host("https://ims-na1.adobelogin.com/ims/token/v3/"),
            "https://ims-na1.adobelogin.com"
        );
        assert_eq!(ims_host("http://127.0.0.1:9"), "http://127.0.0.1:9");
    }
}
