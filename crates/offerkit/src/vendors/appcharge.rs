//! [`Vendor::Appcharge`]: deleting Appcharge Offers V2 offers through the
//! `offerkit_appcharge` client.
//!
//! - `retract`: [`AppchargeClient::delete_and_verify`]; the deleted offer (as Appcharge returned it)
//!   is the response. A 404 is confirmed by a read (`GET /v2/offer?publisherOfferIds=<id>`): not
//!   listed is `AlreadyRetracted` (or `Retracted` when an earlier attempt of the DELETE may have
//!   done it, its answer lost); still listed is `Failed` (kind `vendor`): the offer is live.
//! - `probe`: [`AppchargeClient::get_offer`] (`GET /v2/offer?publisherOfferIds=<id>`): listed is
//!   `Present`, absent is `Gone`.
//! - `query`: `get` reads one offer (absent is a `not-found` error). `list` is unsupported:
//!   Appcharge documents `GET /v2/offer` only with `publisherOfferIds` (marked required), so the
//!   facade lists by the documented means only, that is by id (`get`); the crate's `list_offers`
//!   stays available, with that risk documented (docs/vendors.md, "Appcharge").
//! - `resume`: the default (deletes are synchronous).
//!
//! Settings: the crate's own keys, `OFFERKIT_APPCHARGE_PUBLISHER_TOKEN` (required) and
//! `OFFERKIT_APPCHARGE_URL`, answered from the profile and environment by [`Config::lookup`].

use std::sync::Arc;

use async_trait::async_trait;
use offerkit_appcharge::{AppchargeClient, Deleted, ErrorInfo, Retraction};

use crate::check::Check;
use crate::config::Config;
use crate::error::{Error, ErrorKind};
use crate::outcome::{Details, Outcome};
use crate::retract::{Probe, Query, Retract, RetractContext};
use crate::target::{ResourceRef, Target};
use crate::vendors::common::{
    answered_404, check_read, config_error, error_from, failed_call, record_json, with_request_id,
};
use offerkit_models::Vendor;
use offerkit_models::ids::PublisherOfferId;

const VENDOR: Vendor = Vendor::Appcharge;

/// The publisher offer id [`Retract::check`] reads: one no offer is expected to have.
const CHECK_OFFER_ID: &str = "offerkit-doctor-check";

/// Why `list` is refused before anything is sent.
const LIST_UNDOCUMENTED: &str = "appcharge does not support list: Appcharge documents GET \
    /v2/offer only with publisherOfferIds (marked required), so every offer cannot be listed by a \
    documented means; read offers by id (get)";

/// Builds the impl, or says why it cannot (missing token, bad URL).
pub(crate) fn build(config: &Config) -> Result<Arc<dyn Retract>, Error> {
    let client = AppchargeClient::builder()
        .from_lookup(&config.lookup())
        .and_then(|builder| builder.build())
        .map_err(|e| config_error(VENDOR, e))?;
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
        match self.client.delete_and_verify(id).await {
            Ok(Retraction::Retracted(Deleted { value, request_id })) => {
                let mut details = with_request_id(Details::new(), request_id.as_deref());
                if value.publisher_offer_id.as_deref() != Some(id.as_str()) {
                    details = details.with_note(format!(
                        "Appcharge echoed publisherOfferId {:?} for {id}",
                        value.publisher_offer_id.as_deref().unwrap_or_default()
                    ));
                }
                Outcome::Retracted(details.with_response(record_json(&value)))
            }
            Ok(Retraction::AlreadyRetracted(gone)) => {
                answered_404("Appcharge", &gone, "a read no longer lists the offer")
            }
            Err(e) => {
                let request_id = e.request_id().map(str::to_owned);
                failed_call(error_from(e, None), request_id.as_deref())
            }
        }
    }

    async fn probe(&self, target: &Target) -> Result<Probe, Error> {
        let id = offer_id_of(target)?;
        match self
            .client
            .get_offer(id)
            .await
            .map_err(|e| error_from(e, None))?
        {
            Some(offer) => Ok(Probe::Present(
                Details::new().with_response(record_json(&offer)),
            )),
            None => Ok(Probe::Gone(
                Details::new().with_note(format!("{id} is not among Appcharge's offers")),
            )),
        }
    }

    /// Token: none to obtain (a static publisher token). Read: `GET /v2/offer?publisherOfferIds=`
    /// an id no one uses, the documented read, which lists nothing.
    async fn check(&self) -> Check {
        let probe = PublisherOfferId::new(CHECK_OFFER_ID).map_err(|e| Error::input(e.to_string()));
        let read = match probe {
            Ok(id) => check_read(
                self.client.get_offers(&[id]).await,
                |list| {
                    format!(
                        "read offers by id ({} listed for `{CHECK_OFFER_ID}`)",
                        list.offers.as_ref().map_or(0, Vec::len)
                    )
                },
                |e| error_from(e, None),
            ),
            Err(e) => Err((e, false)),
        };
        Check::from_read(
            VENDOR,
            "static publisher token: nothing to obtain (sent as x-publisher-token)",
            read,
        )
    }

    async fn query(&self, query: &Query) -> Result<Details, Error> {
        match query {
            Query::Get(ResourceRef::AppchargeOffer(id)) => {
                match self
                    .client
                    .get_offer(id)
                    .await
                    .map_err(|e| error_from(e, None))?
                {
                    Some(offer) => Ok(Details::new().with_response(record_json(&offer))),
                    None => Err(Error::new(
                        ErrorKind::NotFound,
                        format!("Appcharge has no offer with publisherOfferId {id}"),
                    )),
                }
            }
            Query::List(_) => Err(Error::unsupported(LIST_UNDOCUMENTED.to_owned())),
            other => Err(Error::unsupported(format!(
                "{VENDOR} does not support {} for this resource",
                other.name()
            ))),
        }
    }
}

fn offer_id_of(target: &Target) -> Result<&PublisherOfferId, Error> {
    match target {
        Target::AppchargeDelete(t) => Ok(&t.publisher_offer_id),
        other => Err(Error::input(format!(
            "{VENDOR} cannot perform {other}: not an Appcharge target"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_needs_a_token_and_an_acceptable_url() {
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
            .with_base_url(VENDOR, "https://api-sandbox.appcharge.com");
        assert!(build(&sandbox).is_ok());
        let url = config.with_base_url(VENDOR, "http://example.com");
        let err = build(&url).err().expect("plain http to a remote host");
        assert_eq!(err.kind(), ErrorKind::Config);
        assert!(err.message().contains("base_url"), "{err}");
    }
}
