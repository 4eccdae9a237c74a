//! [`Vendor::AdobeOffers`]: the `offerkit_adobe_offers` client mapped onto [`Retract`].
//!
//! - `retract`: [`AdobeOffersClient::delete_and_verify`]: DELETE, then a GET that must answer 404.
//!   A 404 on the DELETE is `AlreadyRetracted` (or `Retracted` when an earlier attempt of the
//!   DELETE may have done it, its answer lost); a read-back that still answers 200 is `Failed`
//!   (kind `vendor`). Adobe's DELETE has no body, so `response` stays empty.
//! - `probe`: [`AdobeOffersClient::get_offer`]: 200 is `Present` (with the offer), 404 is `Gone`.
//! - `query`: `get` reads one offer (404 is a `not-found` error); `list` follows `_links.next` until
//!   `limit` offers (all when no limit) of the requested type (`personalized` when none is given).
//! - `select`: follows `_links.next` (pages of 100); each `=` condition on a top-level string field
//!   (`id`, `name`, `description`, `status`, `createdBy`, `lastModifiedBy`) whose value reads as
//!   neither a number, a date, `true`, `false` nor `null`, and holds no `,`, is also
//!   sent as Adobe's `property=field==value` filter (documented on the list pages); every offer is
//!   tested again here. `~` is not sent: Adobe's `~` is a regular expression with undocumented case
//!   rules, so it could leave out offers a case-insensitive substring matches.
//! - `resume`: the default (deletes are synchronous).
//! - snapshots: with [`RetractContext::snapshots`] on, one `GET` before the DELETE keeps the offer
//!   as Adobe sent it ([`Details::snapshot`]); a 404 there leaves none.
//! - `restore`: `POST /offers` from the snapshot without the fields Adobe assigns; Adobe gives the
//!   offer a new id (reported as old -> new). The old id still answering is `exists`; on a resumed
//!   restore (or after a lost answer) an offer of the snapshot's name counts as the one created.
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
use crate::inspect::Inspection;
use crate::outcome::{Details, Outcome};
use crate::restore::{RestoreContext, RestoreDetails, RestoreOutcome, snapshot_object};
use crate::retract::{Probe, Query, Retract, RetractContext};
use crate::select::{Collector, Condition, Op, Pick, Select, Selection, Source};
use crate::target::{AdobeDelete, AdobeOfferType, ResourceRef, Target};
use crate::vendors::common::{
    answered_404, check_read, config_error, error_from, failed_from, inspect_read, record_json,
    with_request_id,
};
use offerkit_adobe_offers::ErrorInfo;
use offerkit_models::Vendor;

const VENDOR: Vendor = Vendor::AdobeOffers;

/// Builds the impl, or says why it cannot (missing keys, bad URL).
pub(crate) fn build(
    config: &Config,
    transport: &offerkit_transport::Transport,
) -> Result<Arc<dyn Retract>, Error> {
    let client = AdobeOffersClient::builder()
        .from_lookup(&config.lookup())
        .and_then(|builder| builder.transport(transport.clone()).build())
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

    async fn retract(&self, target: &Target, ctx: &RetractContext) -> Outcome {
        let (id, offer_type) = match offer_of(target) {
            Ok(o) => o,
            Err(e) => return Outcome::failed(e),
        };
        // Adobe's DELETE answers nothing: the snapshot is one GET before it, only when asked
        // for. A 404 there leaves no snapshot (the DELETE then finds it gone too).
        let snapshot = if ctx.snapshots() {
            match self.client.get_offer_raw(id, offer_type.clone()).await {
                Ok(read) => read.map(|r| r.raw),
                Err(e) => return failed_from(e, |e| error_from(e, None)),
            }
        } else {
            None
        };
        match self.client.delete_and_verify(id, offer_type).await {
            Ok(Retraction::Retracted(Deleted { request_id, .. })) => {
                let details = with_request_id(Details::new(), request_id.as_deref())
                    .with_note("deleted; the read-back answers 404");
                Outcome::Retracted(match snapshot {
                    Some(snapshot) => details.with_snapshot(snapshot),
                    None => details,
                })
            }
            Ok(Retraction::AlreadyRetracted(gone)) => {
                let mut outcome = answered_404("Adobe", &gone, "the read-back answers 404");
                // Read before a DELETE whose first answer was lost: this run deleted it.
                if let (Outcome::Retracted(details), Some(snapshot)) = (&mut outcome, snapshot) {
                    *details = std::mem::take(details).with_snapshot(snapshot);
                }
                outcome
            }
            Err(e) => failed_from(e, |e| error_from(e, None)),
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

    async fn restore(
        &self,
        target: &Target,
        snapshot: &Value,
        ctx: &RestoreContext,
    ) -> RestoreOutcome {
        let (old_id, offer_type) = match offer_of(target) {
            Ok(o) => o,
            Err(e) => return RestoreOutcome::failed(e),
        };
        let name = match snapshot_object(snapshot) {
            Ok(fields) => fields
                .get("name")
                .and_then(Value::as_str)
                .map(str::to_owned),
            Err(e) => return RestoreOutcome::failed(e),
        };
        let ids = |new: Option<String>| RestoreDetails::new().with_ids(old_id.as_str(), new);
        // The old id still answering means it was never deleted (or came back): leave it.
        match self.client.get_offer(old_id, offer_type.clone()).await {
            Ok(Some(_)) => {
                return RestoreOutcome::Exists(
                    ids(None).with_note(format!("Adobe still has {old_id}; it was left as it is")),
                );
            }
            Ok(None) => {}
            Err(e) => return RestoreOutcome::failed(error_from(e, None)),
        }
        // Adobe assigns a new id, so an earlier attempt's offer can only be found by its name.
        let named = |why: &'static str| {
            let name = name.clone();
            let offer_type = offer_type.clone();
            async move {
                let name = name?;
                let found = self
                    .client
                    .find_offers_named(offer_type, &name)
                    .await
                    .ok()?;
                let count = found.len();
                let id = found.into_iter().find_map(|o| o.id)?;
                let also = match count {
                    1 => String::new(),
                    n => format!(" ({n} offers carry that name; the first is reported)"),
                };
                Some(RestoreOutcome::Restored(ids(Some(id)).with_note(format!(
                    "{why}; an offer named {name:?} is there{also}"
                ))))
            }
        };
        if ctx.resumed()
            && let Some(found) = named("an earlier run of this restore started creating it").await
        {
            return found;
        }
        let body = offerkit_adobe_offers::restore_body(snapshot);
        match self.client.create_offer(offer_type.clone(), &body).await {
            Ok(created) => {
                let details = ids(created.id.map(|id| id.as_str().to_owned()))
                    .with_request_id(created.request_id.as_deref());
                RestoreOutcome::Restored(match &details.new_id {
                    Some(_) => details,
                    None => details.with_note("created; Adobe's answer names no id"),
                })
            }
            Err(e) => {
                let request_id = e.request_id().map(str::to_owned);
                let error = error_from(e, None);
                if !error.is_unreachable()
                    && let Some(found) = named("the create's answer was lost").await
                {
                    return found;
                }
                RestoreOutcome::Failed {
                    error,
                    details: ids(None).with_request_id(request_id.as_deref()),
                }
            }
        }
    }

    /// The probe's read, kept as the vendor sent it (`null`s included) for the snapshot; a
    /// retraction is reversible (`offerkit restore` re-creates the offer from its snapshot).
    async fn inspect(&self, target: &Target) -> Result<Inspection, Error> {
        let (id, offer_type) = offer_of(target)?;
        let read = self.client.get_offer_raw(id, offer_type).await;
        Ok(inspect_read(
            read.map_err(|e| error_from(e, None))?
                .map(|offer| offer.raw),
            || format!("Adobe answers 404 for {id}"),
        ))
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

    async fn select(&self, select: &Select) -> Result<Selection, Error> {
        self.select_offers(select).await
    }
}

/// Offers per page when selecting (Adobe's own default is unstated; the sandbox's is 10).
const SELECT_PAGE: u32 = 100;

impl Adobe {
    async fn select_offers(&self, select: &Select) -> Result<Selection, Error> {
        let Source::Adobe { offer_type } = &select.source else {
            return Err(crate::select::unsupported(VENDOR));
        };
        let offer_type = *offer_type;
        let mut options = ListOptions::new().limit(SELECT_PAGE);
        let mut sent = Vec::new();
        for condition in select.filter.conditions() {
            if let Some(property) = property_of(condition) {
                sent.push(property.clone());
                options = options.property(property);
            }
        }
        let mut collector = Collector::new(select);
        if !sent.is_empty() {
            collector.note(format!("asked Adobe for property {}", sent.join(", ")));
        }
        let mut pager = self.client.pager(offer_type_of(offer_type), options);
        while !collector.full() {
            let Some(page) = pager.next_page().await.map_err(|e| error_from(e, None))? else {
                break;
            };
            for offer in page.results.unwrap_or_default() {
                let json = record_json(&offer);
                collector.offer(&json, |_| {
                    Some(match offer.id.as_deref() {
                        None => Pick::skip("no id"),
                        Some(id) => Pick::of(AdobeOfferId::new(id), |id| {
                            Target::AdobeDelete(AdobeDelete::new(id, offer_type))
                        }),
                    })
                });
            }
        }
        Ok(collector.finish())
    }
}

/// The top-level offer fields that are plain strings in Adobe's offer model (docs/vendors.md), the
/// only ones a `property` filter is sent for: on an array (`schemas`) or an object Adobe's `==` is
/// not documented, and it could drop an offer our "any element equals" keeps.
const STRING_FIELDS: [&str; 6] = [
    "id",
    "name",
    "description",
    "status",
    "createdBy",
    "lastModifiedBy",
];

/// Adobe's `property` filter for `condition`, where it can only narrow what our check keeps: `=` on
/// a top-level string field, with a value Adobe cannot read differently (no number, date, boolean
/// or null, which our `=` also matches by value) and without `,` (Adobe splits a `property` on it).
fn property_of(condition: &Condition) -> Option<String> {
    let [field] = condition.path() else {
        return None;
    };
    let value = condition.value();
    let plain = condition.op() == Op::Eq
        && STRING_FIELDS.contains(&field.as_str())
        && !condition.value_is_ordinal()
        && offerkit_adobe_offers::is_plain_property_value(value);
    plain.then(|| format!("{field}=={value}"))
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
    fn only_plain_top_level_equalities_go_to_adobe() {
        let property = |text: &str| property_of(&Condition::parse(text).expect("condition"));
        assert_eq!(property("status=draft").as_deref(), Some("status==draft"));
        assert_eq!(
            property("name=Summer Sale").as_deref(),
            Some("name==Summer Sale")
        );
        for local in [
            "name~summer",
            "status!=draft",
            "rank.priority=1",
            "etag=2",
            "created=2023-05-15",
            "name=a,b",
            "enabled=true",
            "name=",
            "created>2023-05-15",
            "schemas=https://ns.adobe.com/experience/offer-management/personalized-offer;version=0.15",
            "custom=x",
        ] {
            assert_eq!(property(local), None, "{local}");
        }
    }

    #[test]
    fn build_needs_credentials_and_reads_the_ims_url() {
        let err = build(&Config::new(), &crate::vendors::test_transport())
            .err()
            .expect("no credentials");
        assert_eq!(err.kind(), ErrorKind::Config);
        assert!(err.message().contains("OFFERKIT_ADOBE_CLIENT_ID"), "{err}");
        let config = Config::new()
            .with_credential(VENDOR, "client-id", "id")
            .with_credential(VENDOR, "client-secret", "secret")
            .with_credential(VENDOR, "org-id", "ORG@AdobeOrg");
        assert!(build(&config, &crate::vendors::test_transport()).is_ok());
        let sandbox = config
            .clone()
            .with_base_url(VENDOR, "http://127.0.0.1:9/data/core/dps/")
            .with_credential(VENDOR, "ims-url", "http://127.0.0.1:9");
        assert!(build(&sandbox, &crate::vendors::test_transport()).is_ok());
        let bad = config.with_credential(VENDOR, "ims-url", "http://example.com");
        assert_eq!(
            build(&bad, &crate::vendors::test_transport())
                .err()
                .map(|e| e.kind()),
            Some(ErrorKind::Config)
        );
    }
}
