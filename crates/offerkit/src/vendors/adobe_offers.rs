//! [`Vendor::AdobeOffers`]: the `offerkit_adobe_offers` client mapped onto [`Retract`].
//!
//! - `retract`: [`AdobeOffersClient::delete_and_verify`]: DELETE, then a GET that must answer 404.
//!   A 404 on the DELETE is `AlreadyRetracted` (or `Retracted` when an earlier attempt of the
//!   DELETE may have done it, its answer lost); a read-back that still answers 200 is `Failed`
//!   (kind `vendor`). Adobe's DELETE has no body, so `response` stays empty.
//! - `probe`: [`AdobeOffersClient::get_offer`]: 200 is `Present` (with the offer), 404 is `Gone`.
//! - `query`: `get` reads one offer (404 is a `not-found` error); `list` follows `_links.next` until
//!   `limit` offers (all when no limit) of the requested type (`personalized` when none is given).
//! - `resume`: the default (deletes are synchronous).
//!
//! Settings: the `OFFERKIT_ADOBE_*` keys (`[adobe]` in a profile), read by the crate itself through
//! [`Config::lookup`].

use std::sync::Arc;

use async_trait::async_trait;
use offerkit_adobe_offers::{
    AdobeOfferId, AdobeOffersClient, Deleted, ListOptions, OfferType, Retraction,
};
use serde_json::{Value, json};

use crate::check::Check;
use crate::config::Config;
use crate::error::{Error, ErrorKind};
use crate::outcome::{Details, Outcome};
use crate::retract::{Probe, Query, Retract, RetractContext};
use crate::target::{AdobeOfferType, ResourceRef, Target};
use crate::vendors::common::{
    answered_404, check_read, config_error, error_from, failed_call, record_json, with_request_id,
};
use offerkit_adobe_offers::ErrorInfo;
use offerkit_models::Vendor;

const VENDOR: Vendor = Vendor::AdobeOffers;

/// Builds the impl, or says why it cannot (missing keys, bad URL).
pub(crate) fn build(config: &Config) -> Result<Arc<dyn Retract>, Error> {
    let client = AdobeOffersClient::builder()
        .from_lookup(&config.lookup())
        .and_then(|builder| builder.build())
        .map_err(|e| config_error(VENDOR, e))?;
    Ok(Arc::new(Adobe { client }))
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
        match self.client.delete_and_verify(id, offer_type).await {
            Ok(Retraction::Retracted(Deleted { request_id, .. })) => Outcome::Retracted(
                with_request_id(Details::new(), request_id.as_deref())
                    .with_note("deleted; the read-back answers 404"),
            ),
            Ok(Retraction::AlreadyRetracted(gone)) => {
                answered_404("Adobe", &gone, "the read-back answers 404")
            }
            Err(e) => {
                let request_id = e.request_id().map(str::to_owned);
                failed_call(error_from(e, None), request_id.as_deref())
            }
        }
    }

    async fn probe(&self, target: &Target) -> Result<Probe, Error> {
        let (id, offer_type) = offer_of(target)?;
        match self
            .client
            .get_offer(id, offer_type)
            .await
            .map_err(|e| error_from(e, None))?
        {
            Some(offer) => Ok(Probe::Present(
                Details::new().with_response(record_json(&offer)),
            )),
            None => Ok(Probe::Gone(
                Details::new().with_note(format!("Adobe answers 404 for {id}")),
            )),
        }
    }

    /// Token and read in one: listing personalized offers with `limit=1` first obtains an IMS
    /// token (OAuth Server-to-Server).
    async fn check(&self) -> Check {
        let options = ListOptions::new().limit(1);
        let read = self
            .client
            .list_offers(OfferType::Personalized, &options)
            .await;
        let read = check_read(
            read,
            |page| {
                format!(
                    "listed personalized offers (limit 1): {} read",
                    page.results.as_ref().map_or(0, Vec::len)
                )
            },
            |e| error_from(e, None),
        );
        Check::from_read(
            VENDOR,
            "Adobe IMS OAuth Server-to-Server token obtained",
            read,
        )
    }

    async fn query(&self, query: &Query) -> Result<Details, Error> {
        match query {
            Query::Get(ResourceRef::AdobeOffer {
                offer_id,
                offer_type,
            }) => {
                let kind = offer_type_of(*offer_type);
                match self
                    .client
                    .get_offer(offer_id, kind.clone())
                    .await
                    .map_err(|e| error_from(e, None))?
                {
                    Some(offer) => Ok(Details::new().with_response(record_json(&offer))),
                    None => Err(Error::new(
                        ErrorKind::NotFound,
                        format!("Adobe has no {kind} offer with id {offer_id}"),
                    )),
                }
            }
            Query::List(list) => {
                let kind = offer_type_of(
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
                    .map_err(|e| error_from(e, None))?;
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

/// The offer a target names: its id as it is, and the crate's offer type.
fn offer_of(target: &Target) -> Result<(&AdobeOfferId, OfferType), Error> {
    match target {
        Target::AdobeDelete(t) => Ok((&t.offer_id, offer_type_of(t.offer_type))),
        other => Err(Error::input(format!(
            "{VENDOR} cannot perform {other}: not an Adobe target"
        ))),
    }
}

/// The facade's offer type as the crate's `offer-type` value.
fn offer_type_of(offer_type: AdobeOfferType) -> OfferType {
    match offer_type {
        AdobeOfferType::Personalized => OfferType::Personalized,
        AdobeOfferType::Fallback => OfferType::Fallback,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_needs_credentials_and_reads_the_ims_url() {
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
            .with_credential(VENDOR, "ims-url", "http://127.0.0.1:9");
        assert!(build(&sandbox).is_ok());
        let bad = config.with_credential(VENDOR, "ims-url", "http://example.com");
        assert_eq!(build(&bad).err().map(|e| e.kind()), Some(ErrorKind::Config));
    }
}
