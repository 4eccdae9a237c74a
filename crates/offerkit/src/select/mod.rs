//! Finding targets by query: [`Select`] (what to list and which resources to keep) and
//! [`Selection`] (the targets, and how many resources were read), run by [`crate::Client::select`].
//!
//! Each vendor lists with its documented list call, every page until [`Select::limit`] targets
//! are found, keeps the resources [`Filter`] matches (server-side filters only narrow what is
//! sent; every resource is checked here again) and turns each into the [`Target`] that retracts
//! it. Nothing is changed.
//!
//! ```
//! use offerkit::select::{Filter, Select, Source};
//! use offerkit::{AdobeOfferType, Vendor};
//!
//! let select = Select::new(Source::Adobe { offer_type: AdobeOfferType::Personalized })
//!     .with_filter(Filter::parse_all(["status=draft"]).unwrap())
//!     .with_limit(10);
//! assert_eq!(select.vendor(), Vendor::AdobeOffers);
//! ```

// The paging helpers are used by the vendor impls: a build without any vendor has none.
#![cfg_attr(
    not(any(
        feature = "adobe-offers",
        feature = "appcharge",
        feature = "partner-center-orders",
        feature = "partner-center-ingestion"
    )),
    allow(dead_code)
)]

mod filter;

pub use filter::{Condition, Filter, FilterError, Op};

use serde_json::Value;

use crate::error::Error;
use crate::target::{AdobeOfferType, IfOutsideWindow, Target, WithdrawRole};
use offerkit_models::Vendor;
use offerkit_models::ids::{CustomerTenantId, InvalidId, PublisherOfferId};

/// What to list, per vendor, with the choices that decide each target.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Source {
    /// Appcharge offers, targets `delete`. With `ids`, read by the documented
    /// `GET /v2/offer?publisherOfferIds=…`; without, `GET /v2/offer` with no ids, which Appcharge
    /// does not document (it may be refused).
    Appcharge {
        /// The offers to read; empty = all (undocumented).
        ids: Vec<PublisherOfferId>,
    },
    /// Adobe Offer Library offers of one type, targets `delete`.
    Adobe {
        /// `personalized` or `fallback`.
        offer_type: AdobeOfferType,
    },
    /// A customer's Partner Center orders, targets `cancel`.
    Orders {
        /// The customer.
        customer: CustomerTenantId,
        /// Conditions under `lineItems.` test each line item on its own (all of them on the same
        /// item), and the target cancels only the matching line items. Without it, such a
        /// condition matches when any line item passes it and the target cancels the whole order.
        line_items: bool,
    },
    /// A customer's Partner Center subscriptions, targets `cancel-subscription`.
    Subscriptions {
        /// The customer.
        customer: CustomerTenantId,
        /// What each target does once its cancellation window has ended.
        if_outside_window: IfOutsideWindow,
    },
    /// Partner Center private offers, targets `delete` (drafts) or `withdraw` (live offers).
    Ingestion {
        /// Who withdraws a live offer.
        role: WithdrawRole,
    },
}

impl Source {
    /// The vendor that answers this source.
    pub fn vendor(&self) -> Vendor {
        match self {
            Source::Appcharge { .. } => Vendor::Appcharge,
            Source::Adobe { .. } => Vendor::AdobeOffers,
            Source::Orders { .. } | Source::Subscriptions { .. } => Vendor::PartnerCenterOrders,
            Source::Ingestion { .. } => Vendor::PartnerCenterIngestion,
        }
    }
}

/// A query for [`crate::Client::select`]: the source, the [`Filter`] and an optional limit.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Select {
    /// What to list.
    pub source: Source,
    /// Which resources to keep (all when empty).
    pub filter: Filter,
    /// Stop after this many targets (no more pages are read).
    pub limit: Option<usize>,
}

impl Select {
    /// Every resource of `source`.
    pub fn new(source: Source) -> Self {
        Select {
            source,
            filter: Filter::new(),
            limit: None,
        }
    }

    /// Keeps only resources `filter` matches.
    pub fn with_filter(mut self, filter: Filter) -> Self {
        self.filter = filter;
        self
    }

    /// Stops after `limit` targets.
    pub fn with_limit(mut self, limit: usize) -> Self {
        self.limit = Some(limit);
        self
    }

    /// The vendor that answers it.
    pub fn vendor(&self) -> Vendor {
        self.source.vendor()
    }
}

/// What [`crate::Client::select`] found.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Selection {
    /// One target per matching resource, in the vendor's listing order.
    pub targets: Vec<Target>,
    /// How many resources were read and tested (up to the one that reached the limit).
    pub read: usize,
    /// Remarks for the user: resources matched but left out (already retracted, a state with no
    /// retraction), server-side filters used, an undocumented call made.
    pub notes: Vec<String>,
}

impl Selection {
    /// How many resources matched (= targets).
    pub fn matched(&self) -> usize {
        self.targets.len()
    }
}

/// The loop every vendor's select shares: count each resource read, test it, keep its target,
/// and say when the limit is reached.
pub(crate) struct Collector<'a> {
    select: &'a Select,
    selection: Selection,
    skipped: std::collections::BTreeMap<String, usize>,
}

/// What a vendor makes of a resource that passed the filter.
pub(crate) enum Pick {
    /// Retract it with this target.
    Target(Target),
    /// Leave it out, for this reason (counted per reason in the notes).
    Skip(String),
}

impl Pick {
    /// The target `make` builds from the resource's id, or, when the id check refuses the id the
    /// vendor sent (`..`, control characters…), a skip saying why: one odd resource does not stop
    /// the listing.
    pub(crate) fn of<I>(id: Result<I, InvalidId>, make: impl FnOnce(I) -> Target) -> Pick {
        match id {
            Ok(id) => Pick::Target(make(id)),
            Err(e) => Pick::Skip(format!("an id offerkit refuses ({})", e.reason())),
        }
    }

    /// A skip for `reason`.
    pub(crate) fn skip(reason: impl Into<String>) -> Pick {
        Pick::Skip(reason.into())
    }
}

impl<'a> Collector<'a> {
    /// A collector for `select`.
    pub(crate) fn new(select: &'a Select) -> Self {
        Collector {
            select,
            selection: Selection::default(),
            skipped: Default::default(),
        }
    }

    /// Whether the limit is reached (stop reading pages).
    pub(crate) fn full(&self) -> bool {
        self.select
            .limit
            .is_some_and(|limit| self.selection.targets.len() >= limit)
    }

    /// Adds a note.
    #[cfg(any(feature = "adobe-offers", feature = "appcharge"))]
    pub(crate) fn note(&mut self, note: impl Into<String>) {
        self.selection.notes.push(note.into());
    }

    /// Reads one resource: tests it with `filter` (the select's own unless a vendor splits it)
    /// and, when it passes, keeps what `pick` makes of it (`None`: it does not match after all).
    /// Does nothing once full.
    pub(crate) fn offer_with(
        &mut self,
        filter: &Filter,
        resource: &Value,
        pick: impl FnOnce(&Value) -> Option<Pick>,
    ) {
        if self.full() {
            return;
        }
        self.selection.read += 1;
        if !filter.matches(resource) {
            return;
        }
        match pick(resource) {
            Some(Pick::Target(target)) => self.selection.targets.push(target),
            Some(Pick::Skip(reason)) => *self.skipped.entry(reason).or_default() += 1,
            None => {}
        }
    }

    /// [`Collector::offer_with`] with the select's filter.
    pub(crate) fn offer(&mut self, resource: &Value, pick: impl FnOnce(&Value) -> Option<Pick>) {
        let select: &'a Select = self.select;
        self.offer_with(&select.filter, resource, pick);
    }

    /// The selection, with one note per skip reason.
    pub(crate) fn finish(mut self) -> Selection {
        for (reason, n) in std::mem::take(&mut self.skipped) {
            let resources = if n == 1 { "resource" } else { "resources" };
            self.selection
                .notes
                .push(format!("left out {n} matching {resources}: {reason}"));
        }
        self.selection
    }
}

/// The error of a vendor impl without select.
pub(crate) fn unsupported(vendor: Vendor) -> Error {
    Error::unsupported(format!("{vendor} does not support select"))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::target::AppchargeDelete;

    fn target(id: &str) -> Target {
        Target::AppchargeDelete(AppchargeDelete::new(PublisherOfferId::new(id).expect("id")))
    }

    #[test]
    fn the_collector_counts_reads_keeps_matches_and_stops_at_the_limit() {
        let select = Select::new(Source::Appcharge { ids: Vec::new() })
            .with_filter(Filter::parse_all(["type=Bundle"]).expect("filter"))
            .with_limit(2);
        let mut collector = Collector::new(&select);
        let offers = [
            json!({"id": "a", "type": "Bundle"}),
            json!({"id": "b", "type": "SpecialOffer"}),
            json!({"id": "c", "type": "Bundle"}),
            json!({"id": "d", "type": "Bundle"}),
            json!({"id": "e", "type": "Bundle"}),
        ];
        for offer in &offers {
            collector.offer(offer, |o| {
                let id = o["id"].as_str().unwrap_or_default();
                Some(match id {
                    "c" => Pick::skip("already gone"),
                    "a" => Pick::of(PublisherOfferId::new(".."), |_| target("x")),
                    _ => Pick::Target(target(id)),
                })
            });
        }
        assert!(collector.full());
        let selection = collector.finish();
        assert_eq!(selection.read, 5, "read until the limit is reached");
        assert_eq!(selection.matched(), 2);
        assert_eq!(selection.targets, [target("d"), target("e")]);
        assert_eq!(selection.notes.len(), 2, "{:?}", selection.notes);
        assert!(
            selection.notes[1]
                .starts_with("left out 1 matching resource: an id offerkit refuses ("),
            "{:?}",
            selection.notes
        );
        assert_eq!(
            selection.notes[0],
            "left out 1 matching resource: already gone"
        );
    }

    #[test]
    fn sources_name_their_vendor() {
        let customer = CustomerTenantId::new("c").expect("id");
        assert_eq!(
            Source::Subscriptions {
                customer: customer.clone(),
                if_outside_window: IfOutsideWindow::Fail
            }
            .vendor(),
            Vendor::PartnerCenterOrders
        );
        assert_eq!(
            Source::Ingestion {
                role: WithdrawRole::Isv
            }
            .vendor(),
            Vendor::PartnerCenterIngestion
        );
        assert_eq!(
            Select::new(Source::Orders {
                customer,
                line_items: true
            })
            .vendor(),
            Vendor::PartnerCenterOrders
        );
    }
}
