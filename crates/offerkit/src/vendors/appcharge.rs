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
//! - `select`: with ids, the documented read (`GET /v2/offer?publisherOfferIds=…`, 50 ids a
//!   request, until the limit); without, `GET /v2/offer` with no ids ([`AppchargeClient::list_offers`]),
//!   which Appcharge does not document and may refuse: the selection's notes say so, and a refusal's
//!   message says to name the offers. Appcharge documents no paging for V2: one answer holds them all.
//! - `resume`: the default (deletes are synchronous).
//! - `restore`: `POST /v2/offer` from the snapshot (the DELETE's echo, always kept) without the
//!   fields Appcharge assigns, after a read by `publisherOfferId` that must not find it (found is
//!   `exists`, never overwritten; a 409 too). A create whose answer is lost is read back.
//!
//! Settings: the crate's own keys, `OFFERKIT_APPCHARGE_PUBLISHER_TOKEN` (required) and
//! `OFFERKIT_APPCHARGE_URL`, answered from the profile and environment by [`Config::lookup`].

use std::sync::Arc;

use async_trait::async_trait;
use offerkit_appcharge::{
    AppchargeClient, CreateOutcome, Deleted, ErrorInfo, MAX_IDS_PER_REQUEST, Retraction, WithRaw,
};
use serde_json::Value;

use crate::check::Check;
use crate::config::Config;
use crate::error::{Error, ErrorKind};
use crate::inspect::Inspection;
use crate::outcome::{Details, Outcome};
use crate::restore::{RestoreContext, RestoreDetails, RestoreOutcome, snapshot_object};
use crate::retract::{Probe, Query, Retract, RetractContext};
use crate::select::{Collector, Pick, Select, Selection, Source};
use crate::target::{AppchargeDelete, ResourceRef, Target};
use crate::vendors::common::{
    answered_404, check_read, config_error, error_from, failed_from, inspect_read, record_json,
    with_request_id,
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
pub(crate) fn build(
    config: &Config,
    transport: &offerkit_transport::Transport,
) -> Result<Arc<dyn Retract>, Error> {
    let client = AppchargeClient::builder()
        .from_lookup(&config.lookup())
        .and_then(|builder| builder.transport(transport.clone()).build())
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
        match self.client.delete_and_verify_raw(id).await {
            Ok(Retraction::Retracted(Deleted {
                value: WithRaw { value, raw, .. },
                request_id,
            })) => {
                // The DELETE answers the deleted offer: the snapshot costs nothing, so it is
                // always kept.
                let mut details =
                    with_request_id(Details::new(), request_id.as_deref()).with_snapshot(raw);
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
            Err(e) => failed_from(e, |e| error_from(e, None)),
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

    async fn restore(
        &self,
        target: &Target,
        snapshot: &Value,
        ctx: &RestoreContext,
    ) -> RestoreOutcome {
        let id = match offer_id_of(target) {
            Ok(id) => id,
            Err(e) => return RestoreOutcome::failed(e),
        };
        let mut body = match snapshot_object(snapshot) {
            Ok(_) => offerkit_appcharge::restore_body(snapshot),
            Err(e) => return RestoreOutcome::failed(e),
        };
        // The offer is re-created under the id that was deleted, whatever the DELETE echoed.
        if let Some(fields) = body.as_object_mut() {
            fields.insert("publisherOfferId".to_owned(), Value::from(id.as_str()));
        }
        // Never overwrite: an offer with this id is left as it is (Appcharge's answer to a
        // create of an existing id is not documented; the read decides before anything is sent).
        match self.client.get_offer(id).await {
            Ok(Some(_)) if ctx.resumed() => {
                return RestoreOutcome::Restored(RestoreDetails::new().with_note(format!(
                    "an earlier run of this restore started creating {id}; a read finds it"
                )));
            }
            Ok(Some(_)) => {
                return RestoreOutcome::Exists(RestoreDetails::new().with_note(format!(
                    "an offer with publisherOfferId {id} exists; it was left as it is"
                )));
            }
            Ok(None) => {}
            Err(e) => return RestoreOutcome::failed(error_from(e, None)),
        }
        match self.client.create_offer(&body).await {
            Ok(CreateOutcome::Created { request_id, .. }) => RestoreOutcome::Restored(
                RestoreDetails::new().with_request_id(request_id.as_deref()),
            ),
            Ok(CreateOutcome::Exists {
                message,
                request_id,
            }) => RestoreOutcome::Exists(
                RestoreDetails::new()
                    .with_request_id(request_id.as_deref())
                    .with_note(format!(
                        "Appcharge answered 409{}; the offer was left as it is",
                        message.map(|m| format!(" ({m})")).unwrap_or_default()
                    )),
            ),
            Ok(other) => RestoreOutcome::failed(Error::new(
                ErrorKind::Internal,
                format!("unexpected create outcome {other:?}"),
            )),
            Err(e) => {
                let request_id = e.request_id().map(str::to_owned);
                let error = error_from(e, None);
                // The answer may be lost after Appcharge created it: the read is the truth.
                if !error.is_unreachable()
                    && let Ok(Some(_)) = self.client.get_offer(id).await
                {
                    return RestoreOutcome::Restored(RestoreDetails::new().with_note(format!(
                        "the create failed ({}), but a read finds {id}: the create's answer was lost",
                        error.message()
                    )));
                }
                RestoreOutcome::Failed {
                    error,
                    details: RestoreDetails::new().with_request_id(request_id.as_deref()),
                }
            }
        }
    }

    /// The probe's read, kept as the vendor sent it (`null`s included) for the snapshot; a
    /// retraction is reversible (`offerkit restore` re-creates the offer from its snapshot).
    async fn inspect(&self, target: &Target) -> Result<Inspection, Error> {
        let id = offer_id_of(target)?;
        let read = self.client.get_offer_raw(id).await;
        Ok(inspect_read(
            read.map_err(|e| error_from(e, None))?
                .map(|offer| offer.raw),
            || format!("{id} is not among Appcharge's offers"),
        ))
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

    async fn select(&self, select: &Select) -> Result<Selection, Error> {
        let Source::Appcharge { ids } = &select.source else {
            return Err(crate::select::unsupported(VENDOR));
        };
        let mut collector = Collector::new(select);
        if ids.is_empty() {
            collector.note(LIST_WITHOUT_IDS);
            let list = self.client.list_offers().await.map_err(|e| {
                let refused = e.status().is_some_and(|s| s.is_client_error());
                let error = error_from(e, None);
                if refused {
                    let message = format!("{}; {NAME_THE_OFFERS}", error.message());
                    error.with_message(message)
                } else {
                    error
                }
            })?;
            keep(&mut collector, list.offers.unwrap_or_default(), None);
        } else {
            for chunk in ids.chunks(MAX_IDS_PER_REQUEST) {
                if collector.full() {
                    break;
                }
                let list = self
                    .client
                    .get_offers(chunk)
                    .await
                    .map_err(|e| error_from(e, None))?;
                keep(&mut collector, list.offers.unwrap_or_default(), Some(chunk));
            }
        }
        Ok(collector.finish())
    }
}

/// The note of a select without ids.
const LIST_WITHOUT_IDS: &str = "listed with GET /v2/offer without publisherOfferIds, which \
    Appcharge does not document (it documents publisherOfferIds as required)";

/// What a refused listing without ids adds to its message.
const NAME_THE_OFFERS: &str = "Appcharge documents GET /v2/offer only with publisherOfferIds: \
    name the offers to select from (offerkit select appcharge --id ID)";

/// Tests each listed offer; with `asked`, only the offers asked for count (an answer may list
/// others).
fn keep(
    collector: &mut Collector<'_>,
    offers: Vec<offerkit_appcharge::models::Offer>,
    asked: Option<&[PublisherOfferId]>,
) {
    for offer in offers {
        let id = offer.publisher_offer_id.as_deref().unwrap_or_default();
        if asked.is_some_and(|asked| !asked.iter().any(|a| a.as_str() == id)) {
            continue;
        }
        let json = record_json(&offer);
        collector.offer(&json, |_| {
            Some(match id {
                "" => Pick::skip("no publisherOfferId"),
                id => Pick::of(PublisherOfferId::new(id), |id| {
                    Target::AppchargeDelete(AppchargeDelete::new(id))
                }),
            })
        });
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
        let err = build(&Config::new(), &crate::vendors::test_transport())
            .err()
            .expect("no token");
        assert_eq!(err.kind(), ErrorKind::Config);
        assert!(
            err.message().contains("OFFERKIT_APPCHARGE_PUBLISHER_TOKEN"),
            "{err}"
        );
        let config = Config::new().with_credential(VENDOR, "publisher-token", "t");
        assert!(build(&config, &crate::vendors::test_transport()).is_ok());
        let sandbox = config
            .clone()
            .with_base_url(VENDOR, "https://api-sandbox.appcharge.com");
        assert!(build(&sandbox, &crate::vendors::test_transport()).is_ok());
        let url = config.with_base_url(VENDOR, "http://example.com");
        let err = build(&url, &crate::vendors::test_transport())
            .err()
            .expect("plain http to a remote host");
        assert_eq!(err.kind(), ErrorKind::Config);
        assert!(err.message().contains("base_url"), "{err}");
    }
}
