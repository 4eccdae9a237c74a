//! Reading private offers (`GET /private-offer/{id}`, `GET /private-offer/query`, `$version=2023-07-15`)
//! and what a read says: is the offer already deleted or withdrawn ([`OfferGone`])?

use offerkit_models::Retraction;
use offerkit_models::ids::PrivateOfferId;
use offerkit_models::partner_center_ingestion::{
    PRIVATE_OFFER_VERSION, PrivateOffer, PrivateOfferDocument, PrivateOfferPage, PrivateOfferState,
    PrivateOfferSubState, PrivateOfferType,
};
use serde::{Deserialize, Serialize};
use tracing::Instrument;

use crate::{Error, IngestionClient};

/// How many `@nextLink` pages a query follows at most, so a vendor that keeps answering with a next link
/// cannot loop forever.
const MAX_PAGES: usize = 1000;

/// Which side of a (multiparty) private offer withdraws it; picks the documented body.
///
/// ```
/// use offerkit_partner_center_ingestion::WithdrawRole;
/// assert_eq!(serde_json::to_value(WithdrawRole::SellingPartner).unwrap(), "sellingPartner");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum WithdrawRole {
    /// The ISV (MPO originator), or the publisher of a customer / CSP offer.
    Isv,
    /// The selling (channel) partner of a multiparty offer.
    SellingPartner,
}

impl WithdrawRole {
    /// The `privateOfferType` sent when none is given and none was read: `multipartyPromotionOriginator`
    /// for the ISV, `multipartyPromotionChannelPartner` for the selling partner (as documented).
    ///
    /// ```
    /// use offerkit_partner_center_ingestion::WithdrawRole;
    /// use offerkit_partner_center_ingestion::models::PrivateOfferType;
    /// assert_eq!(WithdrawRole::Isv.default_offer_type(), PrivateOfferType::MultipartyPromotionOriginator);
    /// ```
    pub fn default_offer_type(self) -> PrivateOfferType {
        match self {
            Self::Isv => PrivateOfferType::MultipartyPromotionOriginator,
            Self::SellingPartner => PrivateOfferType::MultipartyPromotionChannelPartner,
        }
    }
}

/// Whether `offer` is already deleted (`state: deleted`).
///
/// ```
/// use offerkit_partner_center_ingestion::is_deleted;
/// let offer = serde_json::from_str(r#"{"id":"private-offer/o1","state":"Deleted"}"#).unwrap();
/// assert!(is_deleted(&offer));
/// ```
pub fn is_deleted(offer: &PrivateOffer) -> bool {
    offer.state == Some(PrivateOfferState::Deleted)
}

/// Whether `offer` is already withdrawn as far as `role` is concerned: `state` is `withdrawn` or `deleted`,
/// or, for the selling partner, the offer is back with the partner (`subState: pendingPartnerAction`,
/// i.e. not published to the customer).
///
/// ```
/// use offerkit_partner_center_ingestion::{is_withdrawn, WithdrawRole};
/// let live = serde_json::from_str(r#"{"state":"live","subState":"pendingAcceptance"}"#).unwrap();
/// assert!(!is_withdrawn(&live, WithdrawRole::Isv));
/// let back_with_partner = serde_json::from_str(r#"{"state":"live","subState":"pendingPartnerAction"}"#).unwrap();
/// assert!(is_withdrawn(&back_with_partner, WithdrawRole::SellingPartner));
/// ```
pub fn is_withdrawn(offer: &PrivateOffer, role: WithdrawRole) -> bool {
    match offer.state {
        Some(PrivateOfferState::Withdrawn | PrivateOfferState::Deleted) => true,
        _ => {
            role == WithdrawRole::SellingPartner
                && offer.sub_state == Some(PrivateOfferSubState::PendingPartnerAction)
        }
    }
}

/// Why Partner Center would refuse to delete `offer` (already read, not yet deleted), or `None` when it
/// would accept: only a draft private offer can be deleted; a live one is withdrawn instead. This is the
/// check [`IngestionClient::delete_private_offer`] makes before it submits ([`Error::NotDraft`]).
///
/// ```
/// use offerkit_partner_center_ingestion::delete_refusal;
/// let live = serde_json::from_str(r#"{"state":"live"}"#).unwrap();
/// assert!(delete_refusal(&live).unwrap().contains("only a draft"));
/// let draft = serde_json::from_str(r#"{"state":"draft"}"#).unwrap();
/// assert_eq!(delete_refusal(&draft), None);
/// ```
pub fn delete_refusal(offer: &PrivateOffer) -> Option<String> {
    let state = offer
        .state
        .clone()
        .filter(|s| *s != PrivateOfferState::Draft && *s != PrivateOfferState::Deleted)?;
    Some(format!(
        "the private offer is {state}: only a draft private offer can be deleted (withdraw a live offer instead)"
    ))
}

/// Why Partner Center would refuse `role`'s withdrawal of `offer` (already read, not yet withdrawn in
/// `role`'s sense, see [`is_withdrawn`]), or `None` when it would accept:
/// - only a live private offer can be withdrawn (a draft is deleted instead);
/// - an offer the customer accepted (`subState: accepted`) can no longer be withdrawn;
/// - a selling partner withdraws only a multiparty offer (`privateOfferType`
///   `multipartyPromotion…`);
/// - the ISV cannot withdraw a multiparty offer that its selling partner has published to the
///   customer (`subState: pendingAcceptance`): the partner withdraws it first.
///
/// ```
/// use offerkit_partner_center_ingestion::{withdraw_refusal, WithdrawRole};
/// let accepted = serde_json::from_str(r#"{"state":"live","subState":"accepted"}"#).unwrap();
/// assert!(withdraw_refusal(&accepted, WithdrawRole::Isv).unwrap().contains("accepted"));
/// let customer = serde_json::from_str(
///     r#"{"state":"live","subState":"pendingAcceptance","privateOfferType":"customerPromotion"}"#,
/// ).unwrap();
/// assert_eq!(withdraw_refusal(&customer, WithdrawRole::Isv), None);
/// assert!(withdraw_refusal(&customer, WithdrawRole::SellingPartner).unwrap().contains("multiparty"));
/// ```
pub fn withdraw_refusal(offer: &PrivateOffer, role: WithdrawRole) -> Option<String> {
    if let Some(state) = offer
        .state
        .clone()
        .filter(|s| *s != PrivateOfferState::Live)
    {
        return Some(format!(
            "the private offer is {state}: only a live private offer can be withdrawn (delete a draft instead)"
        ));
    }
    let multiparty = matches!(
        offer.private_offer_type,
        Some(
            PrivateOfferType::MultipartyPromotionOriginator
                | PrivateOfferType::MultipartyPromotionChannelPartner
        )
    );
    match (&offer.sub_state, role) {
        (Some(PrivateOfferSubState::Accepted), _) => Some(
            "the customer accepted the private offer (subState accepted): it can no longer be withdrawn"
                .to_owned(),
        ),
        (_, WithdrawRole::SellingPartner) if !multiparty => Some(
            "the private offer is not a multiparty offer: a selling partner cannot withdraw it (use role isv)"
                .to_owned(),
        ),
        (Some(PrivateOfferSubState::PendingAcceptance), WithdrawRole::Isv) if multiparty => Some(
            "the selling partner has published this multiparty offer to the customer (subState \
             pendingAcceptance): the partner must withdraw it (role selling-partner) before the ISV can"
                .to_owned(),
        ),
        _ => None,
    }
}

/// The evidence of an offer that was already retracted: the [`Retraction::AlreadyRetracted`] side of a
/// delete or withdraw.
///
/// Reported when the offer is missing (404, `state: None`), already `deleted` (delete), already
/// `withdrawn` or `deleted` (withdraw), or, for a selling partner, already back with the partner
/// (`subState: pendingPartnerAction`); found either before the configure call (state checked first) or
/// after a failed job whose read-back shows the offer gone.
///
/// ```
/// use offerkit_partner_center_ingestion::{OfferGone, PrivateOfferId, Retraction};
/// use offerkit_partner_center_ingestion::models::PrivateOfferState;
/// let again: Retraction<(), OfferGone> =
///     OfferGone::retraction(PrivateOfferId::new("o1")?, Some(PrivateOfferState::Deleted));
/// assert_eq!(again.already().and_then(|g| g.state.clone()), Some(PrivateOfferState::Deleted));
/// # Ok::<(), offerkit_partner_center_ingestion::InvalidId>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OfferGone {
    /// The offer.
    pub offer_id: PrivateOfferId,
    /// Its state as read back; `None` when the offer was not found at all.
    pub state: Option<PrivateOfferState>,
}

impl OfferGone {
    /// `Retraction::AlreadyRetracted` with this evidence.
    pub fn retraction<T>(
        offer_id: PrivateOfferId,
        state: Option<PrivateOfferState>,
    ) -> Retraction<T, Self> {
        Retraction::AlreadyRetracted(Self { offer_id, state })
    }
}

impl IngestionClient {
    /// Reads one private offer (`GET /private-offer/{id}?$version=2023-07-15`).
    ///
    /// Accepts both the 2023 bare resource and the legacy `{"$schema", "resources": [...]}` envelope (the
    /// resource with the matching id, else the first). A 404 is [`Error::OfferNotFound`].
    ///
    /// ```no_run
    /// use offerkit_partner_center_ingestion::{IngestionClient, PrivateOfferId};
    /// use offerkit_partner_center_ingestion::models::PrivateOfferState;
    /// # async fn run(client: IngestionClient) -> Result<(), offerkit_partner_center_ingestion::Error> {
    /// let offer = client.get_private_offer(&PrivateOfferId::new("456e-a345-c457-1234")?).await?;
    /// if offer.state == Some(PrivateOfferState::Draft) {
    ///     println!("{} can be deleted", offer.name.unwrap_or_default());
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn get_private_offer(
        &self,
        offer_id: &PrivateOfferId,
    ) -> Result<PrivateOffer, Error> {
        let result = self
            .http
            .get("get_private_offer")
            .path("private-offer")
            .path_param("offer_id", offer_id.as_str())
            .query("$version", PRIVATE_OFFER_VERSION)
            .send_json::<PrivateOfferDocument>()
            .instrument(tracing::debug_span!("ingestion.get_private_offer", offer_id = %offer_id))
            .await;
        let document = match result {
            Ok(document) => document,
            Err(e) if e.is_not_found() => {
                return Err(Error::OfferNotFound {
                    offer_id: offer_id.clone(),
                    source: e,
                });
            }
            Err(e) => return Err(e.into()),
        };
        pick_offer(document.into_offers(), offer_id).ok_or_else(|| Error::UnexpectedResponse {
            operation: "get_private_offer",
            reason: "the legacy private-offer envelope has no resources".to_owned(),
        })
    }

    /// Lists private offers (`GET /private-offer/query?$version=2023-07-15`), following `@nextLink`,
    /// `@odata.nextLink` or `nextLink`.
    ///
    /// ```no_run
    /// # async fn run(client: offerkit_partner_center_ingestion::IngestionClient) -> Result<(), offerkit_partner_center_ingestion::Error> {
    /// let offers = client.query_private_offers().limit(50).send().await?;
    /// for offer in offers {
    ///     println!("{:?} {:?}", offer.id, offer.state);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn query_private_offers(&self) -> PrivateOfferQuery {
        PrivateOfferQuery {
            client: self.clone(),
            limit: None,
        }
    }
}

/// The resource with `offer_id` among `offers`, else the first private offer, else the first resource.
fn pick_offer(offers: Vec<PrivateOffer>, offer_id: &PrivateOfferId) -> Option<PrivateOffer> {
    let wanted = offer_id.resource_id();
    let index = offers
        .iter()
        .position(|o| {
            o.id.as_deref()
                .is_some_and(|id| id == wanted || id == offer_id.as_str())
        })
        .or_else(|| offers.iter().position(PrivateOffer::is_private_offer))
        .unwrap_or(0);
    offers.into_iter().nth(index)
}

/// A private-offer query; [`PrivateOfferQuery::send`] runs it.
///
/// The response shape of `/private-offer/query` is not documented: pages with the offers under
/// `privateOffers` or `value`, and a bare JSON array, are accepted; any of `@nextLink`, `@odata.nextLink`
/// and `nextLink` is followed. A page with an unrecognised list and none of these is
/// [`Error::UnexpectedResponse`] (see `docs/vendors.md`).
///
/// ```no_run
/// # async fn run(client: offerkit_partner_center_ingestion::IngestionClient) -> Result<(), offerkit_partner_center_ingestion::Error> {
/// let first_ten = client.query_private_offers().limit(10).send().await?;
/// # let _ = first_ten; Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a query does nothing until sent"]
pub struct PrivateOfferQuery {
    client: IngestionClient,
    limit: Option<usize>,
}

impl PrivateOfferQuery {
    /// Stops after `limit` offers (no more pages are fetched once reached).
    ///
    /// ```no_run
    /// # async fn run(client: offerkit_partner_center_ingestion::IngestionClient) -> Result<(), offerkit_partner_center_ingestion::Error> {
    /// let five = client.query_private_offers().limit(5).send().await?;
    /// assert!(five.len() <= 5);
    /// # Ok(()) }
    /// ```
    pub fn limit(mut self, limit: usize) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Fetches the pages and returns the offers.
    ///
    /// ```no_run
    /// # async fn run(client: offerkit_partner_center_ingestion::IngestionClient) -> Result<(), offerkit_partner_center_ingestion::Error> {
    /// let all = client.query_private_offers().send().await?;
    /// # let _ = all; Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Vec<PrivateOffer>, Error> {
        let limit = self.limit.unwrap_or(usize::MAX);
        let mut offers = Vec::new();
        let mut pages = self.pages();
        while offers.len() < limit {
            match pages.next_page().await? {
                Some(page) => offers.extend(page),
                None => break,
            }
        }
        offers.truncate(limit);
        Ok(offers)
    }

    /// The query one page at a time (the limit does not apply), for a caller that decides after
    /// each page whether to read on.
    ///
    /// ```no_run
    /// # async fn run(client: offerkit_partner_center_ingestion::IngestionClient) -> Result<(), offerkit_partner_center_ingestion::Error> {
    /// let mut pages = client.query_private_offers().pages();
    /// while let Some(page) = pages.next_page().await? {
    ///     println!("{} offers", page.len());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn pages(self) -> PrivateOfferPages {
        PrivateOfferPages {
            client: self.client,
            next: Some(None),
            read: 0,
        }
    }
}

/// The pages of a [`PrivateOfferQuery`], read one at a time ([`PrivateOfferPages::next_page`]).
#[derive(Debug, Clone)]
#[must_use = "pages are read by next_page"]
pub struct PrivateOfferPages {
    client: IngestionClient,
    /// `None` when done; `Some(None)` before the first page; `Some(Some(link))` for the next one.
    next: Option<Option<String>>,
    read: usize,
}

impl PrivateOfferPages {
    /// The next page's offers, or `None` after the last page (at most 1,000 pages are read).
    pub async fn next_page(&mut self) -> Result<Option<Vec<PrivateOffer>>, Error> {
        let Some(next) = self.next.take() else {
            return Ok(None);
        };
        if self.read >= MAX_PAGES {
            return Ok(None);
        }
        self.read += 1;
        let request = self.client.http.get("query_private_offers");
        let request = match next {
            // The link is opaque; add `$version` only when it does not carry one.
            Some(link) if link.contains("$version=") || link.contains("%24version=") => {
                request.link(link)
            }
            Some(link) => request.link(link).query("$version", PRIVATE_OFFER_VERSION),
            None => request
                .path("private-offer/query")
                .query("$version", PRIVATE_OFFER_VERSION),
        };
        let body: serde_json::Value = request
            .send_json()
            .instrument(tracing::debug_span!("ingestion.query_private_offers"))
            .await?;
        let (items, link) = read_page(body)?;
        self.next = link.map(Some);
        Ok(Some(items))
    }
}

/// The item keys a query page may carry its offers under: `privateOffers` (dstarr/partner-center-cli, the
/// only tested public client) and `value` (the OData form of Microsoft's product list).
const ITEM_KEYS: [&str; 2] = ["privateOffers", "value"];

/// Reads one answer of the query: a page object with its offers under one of [`ITEM_KEYS`] (or none at
/// all: an empty page) and an optional next link, or a bare array (one page, no next link).
///
/// A page whose offers sit under an unrecognised array key is refused rather than read as empty, so a
/// shape change at the vendor cannot silently return 0 offers.
fn read_page(body: serde_json::Value) -> Result<(Vec<PrivateOffer>, Option<String>), Error> {
    let unexpected = |reason: String| Error::UnexpectedResponse {
        operation: "query_private_offers",
        reason,
    };
    if body.is_array() {
        let offers = serde_json::from_value(body)
            .map_err(|e| unexpected(format!("the page is an array of something else: {e}")))?;
        return Ok((offers, None));
    }
    if !body.is_object() {
        return Err(unexpected(format!(
            "expected a page object or an array, got {}",
            json_kind(&body)
        )));
    }
    let page: PrivateOfferPage = serde_json::from_value(body)
        .map_err(|e| unexpected(format!("the page does not decode: {e}")))?;
    let next = [
        &page.next_link,
        &page.odata_next_link,
        &page.plain_next_link,
    ]
    .into_iter()
    .flatten()
    .find(|link| !link.trim().is_empty())
    .cloned();
    let offers = match (page.private_offers, page.value) {
        (Some(offers), _) | (None, Some(offers)) => offers,
        (None, None) => {
            let mut unknown: Vec<&str> = page
                .extra
                .iter()
                .filter(|(_, v)| v.is_array())
                .map(|(k, _)| k.as_str())
                .collect();
            if !unknown.is_empty() {
                unknown.sort_unstable();
                return Err(unexpected(format!(
                    "the page has no `{}` list but unrecognised list(s) `{}`",
                    ITEM_KEYS.join("` or `"),
                    unknown.join("`, `")
                )));
            }
            Vec::new()
        }
    };
    Ok((offers, next))
}

/// `null`, `boolean`, `number`, `string`, `array` or `object`.
fn json_kind(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}
