//! The Offer Library operations: delete (and verify), look up, list with `_links.next` paging.

use offerkit_models::adobe_offers::{Offer, OfferPage, OfferType};
use offerkit_models::ids::AdobeOfferId;
use offerkit_models::raw::WithRaw;
use offerkit_models::retraction::{Deleted, NotFound, Retraction};
use offerkit_transport::StatusCode;

use crate::{AdobeOffersClient, Error};

/// The `offer-type` query value, or why `offer_type` cannot be sent.
pub(crate) fn offer_type_param(offer_type: &OfferType) -> Result<&'static str, Error> {
    match offer_type {
        OfferType::Personalized => Ok("personalized"),
        OfferType::Fallback => Ok("fallback"),
        other => Err(Error::InvalidArgument {
            argument: "offer_type",
            reason: format!("`{other}` is not `personalized` or `fallback`"),
        }),
    }
}

impl AdobeOffersClient {
    /// `DELETE /offers/{id}?offer-type=personalized|fallback`.
    ///
    /// Adobe answers 200 with an empty body (quirk 1: nothing is kept), so the retracted value is
    /// `Deleted<()>` with Adobe's request id. A 404 is [`Retraction::AlreadyRetracted`] with
    /// Adobe's message (the offer was gone before this call), not an error. DELETE is idempotent,
    /// so transient failures are retried by the transport. Prefer
    /// [`AdobeOffersClient::delete_and_verify`], which also confirms the 404 read-back.
    ///
    /// ```no_run
    /// use offerkit_adobe_offers::{AdobeOfferId, AdobeOffersClient, OfferType};
    /// # async fn run(client: AdobeOffersClient) -> Result<(), offerkit_adobe_offers::Error> {
    /// let id = AdobeOfferId::new("personalizedOffer1234")?;
    /// let out = client.delete_offer(&id, OfferType::Personalized).await?;
    /// assert!(out.is_retracted() || out.is_already_retracted());
    /// # Ok(()) }
    /// ```
    pub async fn delete_offer(
        &self,
        id: &AdobeOfferId,
        offer_type: OfferType,
    ) -> Result<Retraction<Deleted<()>, NotFound>, Error> {
        const OPERATION: &str = "delete_offer";
        let kind = offer_type_param(&offer_type)?;
        tracing::debug!(offer_id = %id, offer_type = kind, "adobe: deleting offer");
        let out = self
            .http
            .delete(OPERATION)
            .path("offers")
            .path_param(AdobeOfferId::ARGUMENT, id.as_str())
            .query("offer-type", kind)
            // Adobe's documented request sends it although there is no body.
            .header("content-type", "application/json")
            // The answer body is empty and never read: a 200 is the deletion.
            .send_or_gone()
            .await
            .map_err(|e| Error::from_transport(OPERATION, e))?;
        if out.is_already_retracted() {
            tracing::debug!(offer_id = %id, "adobe: offer already gone (404)");
        }
        Ok(out.map(|deleted| Deleted {
            value: (),
            request_id: deleted.request_id,
        }))
    }

    /// Deletes, then reads the offer back and requires the 404 Adobe documents as the
    /// confirmation. A read-back that still answers 200 is [`Error::StillPresent`].
    ///
    /// ```no_run
    /// use offerkit_adobe_offers::{AdobeOfferId, AdobeOffersClient, Error, OfferType};
    /// # async fn run(client: AdobeOffersClient) -> Result<(), Error> {
    /// match client.delete_and_verify(&AdobeOfferId::new("fallbackOffer1")?, OfferType::Fallback).await {
    ///     Ok(out) => println!("gone (already before: {})", out.is_already_retracted()),
    ///     Err(e) if e.is_still_present() => println!("deleted but still served: {e}"),
    ///     Err(e) => return Err(e),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn delete_and_verify(
        &self,
        id: &AdobeOfferId,
        offer_type: OfferType,
    ) -> Result<Retraction<Deleted<()>, NotFound>, Error> {
        let deleted = self.delete_offer(id, offer_type.clone()).await?;
        match self.fetch_offer("verify_deleted", id, &offer_type).await? {
            (None, _) => Ok(deleted),
            (Some(_), request_id) => Err(Error::StillPresent {
                offer_id: id.as_str().to_owned(),
                offer_type,
                request_id,
            }),
        }
    }

    /// `GET /offers/{id}?offer-type=…`: the offer, or `None` on 404.
    ///
    /// ```no_run
    /// use offerkit_adobe_offers::{AdobeOfferId, AdobeOffersClient, OfferType};
    /// # async fn run(client: AdobeOffersClient) -> Result<(), offerkit_adobe_offers::Error> {
    /// let id = AdobeOfferId::new("personalizedOffer1234")?;
    /// if let Some(offer) = client.get_offer(&id, OfferType::Personalized).await? {
    ///     println!("{:?} is {:?}", offer.name, offer.status);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn get_offer(
        &self,
        id: &AdobeOfferId,
        offer_type: OfferType,
    ) -> Result<Option<Offer>, Error> {
        Ok(self.fetch_offer("get_offer", id, &offer_type).await?.0)
    }

    /// [`AdobeOffersClient::get_offer`], keeping the offer's JSON exactly as Adobe sent it
    /// ([`WithRaw::raw`], explicit `null`s kept): the snapshot taken before a delete, which
    /// `offerkit restore` re-creates the offer from.
    pub async fn get_offer_raw(
        &self,
        id: &AdobeOfferId,
        offer_type: OfferType,
    ) -> Result<Option<WithRaw<Offer>>, Error> {
        let response = self.read_offer("get_offer", id, &offer_type).await?;
        if response.status() == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        Ok(Some(response.json_with_raw::<Offer>()?))
    }

    async fn fetch_offer(
        &self,
        operation: &'static str,
        id: &AdobeOfferId,
        offer_type: &OfferType,
    ) -> Result<(Option<Offer>, Option<String>), Error> {
        let response = self.read_offer(operation, id, offer_type).await?;
        let request_id = response.request_id().map(str::to_owned);
        if response.status() == StatusCode::NOT_FOUND {
            return Ok((None, request_id));
        }
        Ok((Some(response.json::<Offer>()?), request_id))
    }

    /// `GET /offers/{id}?offer-type=…`, a 404 accepted as an answer.
    async fn read_offer(
        &self,
        operation: &'static str,
        id: &AdobeOfferId,
        offer_type: &OfferType,
    ) -> Result<offerkit_transport::Response, Error> {
        let kind = offer_type_param(offer_type)?;
        self.http
            .get(operation)
            .path("offers")
            .path_param(AdobeOfferId::ARGUMENT, id.as_str())
            .query("offer-type", kind)
            .accept_status(StatusCode::NOT_FOUND)
            .send()
            .await
            .map_err(|e| Error::from_transport(operation, e))
    }

    /// `GET /offers?offer-type=…&limit=…&property=…&orderBy=…`: the first page.
    /// Follow it with [`AdobeOffersClient::next_page`] or use [`AdobeOffersClient::pager`].
    ///
    /// ```no_run
    /// use offerkit_adobe_offers::{AdobeOffersClient, ListOptions, OfferType};
    /// # async fn run(client: AdobeOffersClient) -> Result<(), offerkit_adobe_offers::Error> {
    /// let page = client
    ///     .list_offers(OfferType::Personalized, &ListOptions::new().limit(50).property("status==approved"))
    ///     .await?;
    /// println!("{} of {:?}", page.results.as_ref().map_or(0, Vec::len), page.total);
    /// # Ok(()) }
    /// ```
    pub async fn list_offers(
        &self,
        offer_type: OfferType,
        options: &ListOptions,
    ) -> Result<OfferPage, Error> {
        const OPERATION: &str = "list_offers";
        let kind = offer_type_param(&offer_type)?;
        let mut request = self
            .http
            .get(OPERATION)
            .path("offers")
            .query("offer-type", kind)
            .query_opt("limit", options.limit);
        for property in &options.properties {
            request = request.query("property", property);
        }
        request
            .query_opt("orderBy", options.order_by.as_deref())
            .send_json::<OfferPage>()
            .await
            .map_err(|e| Error::from_transport(OPERATION, e))
    }

    /// The page after `page`, following `_links.next.href` verbatim (quirk 3: it says
    /// `offer-type=PERSONALIZED` in upper case; it is sent as is). A relative href is joined to the
    /// endpoint path as Adobe documents; it must stay on the base URL's host. `None` on the last page.
    ///
    /// ```no_run
    /// use offerkit_adobe_offers::{AdobeOffersClient, ListOptions, OfferType};
    /// # async fn run(client: AdobeOffersClient) -> Result<(), offerkit_adobe_offers::Error> {
    /// let mut page = client.list_offers(OfferType::Fallback, &ListOptions::new()).await?;
    /// while let Some(next) = client.next_page(&page).await? {
    ///     page = next;
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn next_page(&self, page: &OfferPage) -> Result<Option<OfferPage>, Error> {
        match page.next_href().filter(|h| !h.trim().is_empty()) {
            Some(href) => self.follow(href).await.map(Some),
            None => Ok(None),
        }
    }

    async fn follow(&self, href: &str) -> Result<OfferPage, Error> {
        const OPERATION: &str = "list_offers_next";
        self.http
            .get(OPERATION)
            // The transport resolves `/offers?...` against the endpoint path, as Adobe documents.
            .link(href.trim())
            .send_json::<OfferPage>()
            .await
            .map_err(|e| Error::from_transport(OPERATION, e))
    }

    /// Every page of a listing, one at a time.
    ///
    /// ```no_run
    /// use offerkit_adobe_offers::{AdobeOffersClient, ListOptions, OfferType};
    /// # async fn run(client: AdobeOffersClient) -> Result<(), offerkit_adobe_offers::Error> {
    /// let mut pager = client.pager(OfferType::Personalized, ListOptions::new().limit(100));
    /// while let Some(page) = pager.next_page().await? {
    ///     for offer in page.results.unwrap_or_default() {
    ///         println!("{:?}", offer.id);
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub fn pager(&self, offer_type: OfferType, options: ListOptions) -> OfferPager {
        OfferPager {
            client: self.clone(),
            offer_type,
            options,
            state: PagerState::Start,
        }
    }
}

/// Options of [`AdobeOffersClient::list_offers`].
///
/// ```
/// use offerkit_adobe_offers::ListOptions;
/// let options = ListOptions::new().limit(20).property("name~Summer").order_by("-modified");
/// assert_eq!(options.limit, Some(20));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListOptions {
    /// `limit`: items per page.
    pub limit: Option<u32>,
    /// `property` filters, each `[!]field[op]value` with op one of `== != <= >= < > ~`; repeatable.
    pub properties: Vec<String>,
    /// `orderBy`: a field, `-` prefix for descending.
    pub order_by: Option<String>,
}

/// Whether `value` can go into a `property` filter as `field==value` and mean exactly that
/// text: not empty, no `,` (Adobe splits a `property` value on commas into ANDed filters, so
/// `name==a,b` would filter on `name==a` and a field `b`), and not `true`, `false` or `null`
/// (which may compare as JSON literals). A value that fails this is matched client-side instead.
///
/// ```
/// use offerkit_adobe_offers::is_plain_property_value;
/// assert!(is_plain_property_value("Summer sale"));
/// assert!(!is_plain_property_value("Sale, 50 % off"));
/// assert!(!is_plain_property_value(""));
/// ```
pub fn is_plain_property_value(value: &str) -> bool {
    !value.is_empty() && !value.contains(',') && !["true", "false", "null"].contains(&value)
}

impl ListOptions {
    /// No options (Adobe's default page size and order).
    ///
    /// ```
    /// assert_eq!(offerkit_adobe_offers::ListOptions::new().limit, None);
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `limit`.
    ///
    /// ```
    /// assert_eq!(offerkit_adobe_offers::ListOptions::new().limit(5).limit, Some(5));
    /// ```
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Adds a `property` filter.
    ///
    /// ```
    /// let o = offerkit_adobe_offers::ListOptions::new().property("status==approved");
    /// assert_eq!(o.properties, ["status==approved"]);
    /// ```
    pub fn property(mut self, filter: impl Into<String>) -> Self {
        self.properties.push(filter.into());
        self
    }

    /// Sets `orderBy`.
    ///
    /// ```
    /// let o = offerkit_adobe_offers::ListOptions::new().order_by("-created");
    /// assert_eq!(o.order_by.as_deref(), Some("-created"));
    /// ```
    pub fn order_by(mut self, field: impl Into<String>) -> Self {
        self.order_by = Some(field.into());
        self
    }
}

/// Walks a listing page by page ([`AdobeOffersClient::pager`]). Stops after the last page, or when
/// Adobe hands back a `next` link it already gave (so a looping cursor cannot spin forever).
#[derive(Debug)]
pub struct OfferPager {
    client: AdobeOffersClient,
    offer_type: OfferType,
    options: ListOptions,
    state: PagerState,
}

#[derive(Debug)]
enum PagerState {
    Start,
    Next { href: String, seen: Vec<String> },
    Done,
}

impl OfferPager {
    /// The next page, or `None` when there are no more.
    ///
    /// ```no_run
    /// # use offerkit_adobe_offers::{AdobeOffersClient, ListOptions, OfferType};
    /// # async fn run(client: AdobeOffersClient) -> Result<(), offerkit_adobe_offers::Error> {
    /// let mut pager = client.pager(OfferType::Fallback, ListOptions::new());
    /// let first = pager.next_page().await?;
    /// # let _ = first; Ok(()) }
    /// ```
    pub async fn next_page(&mut self) -> Result<Option<OfferPage>, Error> {
        let (page, seen) = match std::mem::replace(&mut self.state, PagerState::Done) {
            PagerState::Done => return Ok(None),
            PagerState::Start => (
                self.client
                    .list_offers(self.offer_type.clone(), &self.options)
                    .await?,
                Vec::new(),
            ),
            PagerState::Next { href, mut seen } => {
                let page = self.client.follow(&href).await?;
                seen.push(href);
                (page, seen)
            }
        };
        if let Some(next) = page.next_href().filter(|h| !h.trim().is_empty()) {
            if seen.iter().any(|s| s == next) {
                tracing::warn!(
                    href = %offerkit_transport::Redactor::global().scrub(next),
                    "adobe: a next link repeats; stopping the listing"
                );
            } else {
                self.state = PagerState::Next {
                    href: next.to_owned(),
                    seen,
                };
            }
        }
        Ok(Some(page))
    }

    /// Every remaining offer, stopping once `max` offers are collected (when given).
    ///
    /// ```no_run
    /// # use offerkit_adobe_offers::{AdobeOffersClient, ListOptions, OfferType};
    /// # async fn run(client: AdobeOffersClient) -> Result<(), offerkit_adobe_offers::Error> {
    /// let all = client.pager(OfferType::Personalized, ListOptions::new()).collect(Some(500)).await?;
    /// # let _ = all; Ok(()) }
    /// ```
    pub async fn collect(mut self, max: Option<usize>) -> Result<Vec<Offer>, Error> {
        let mut offers = Vec::new();
        while let Some(page) = self.next_page().await? {
            offers.extend(page.results.unwrap_or_default());
            if let Some(max) = max.filter(|m| offers.len() >= *m) {
                offers.truncate(max);
                break;
            }
        }
        Ok(offers)
    }
}

#[cfg(test)]
mod tests {
    //! Unit tests without a server: how a downstream crate can test code that uses this client,
    //! with `offerkit-transport`'s `test-util` feature. The mock answers the IMS token call too.

    use offerkit_transport::AdobeImsCredentials;
    use offerkit_transport::mock::{MockResponse, MockTransport};
    use serde_json::json;

    use super::*;

    #[tokio::test]
    async fn delete_and_verify_with_a_mock_transport() {
        let mock = MockTransport::new(|req| match (req.method.as_str(), req.url.path()) {
            ("POST", "/ims/token/v3") => MockResponse::json(
                200,
                &json!({"access_token": "t", "token_type": "bearer", "expires_in": 86399}),
            ),
            ("DELETE", "/data/core/dps/offers/o1") => MockResponse::new(200),
            _ => MockResponse::json(404, &json!({"title": "Resource not found", "status": 404})),
        });
        let credentials = AdobeImsCredentials::new("id", "secret", "ORG@AdobeOrg")
            .expect("credentials")
            .with_ims_url("https://ims.example")
            .expect("ims url");
        let client = AdobeOffersClient::builder()
            .ims_credentials(credentials)
            .transport(mock.transport())
            .build()
            .expect("client");
        let out = client
            .delete_and_verify(&AdobeOfferId::new("o1").expect("id"), OfferType::Fallback)
            .await
            .expect("verified");
        assert!(out.is_retracted());
        let calls: Vec<_> = mock
            .requests()
            .iter()
            .map(|r| format!("{} {}", r.method, r.url))
            .collect();
        assert_eq!(
            calls,
            [
                "POST https://ims.example/ims/token/v3",
                "DELETE https://platform.adobe.io/data/core/dps/offers/o1?offer-type=fallback",
                "GET https://platform.adobe.io/data/core/dps/offers/o1?offer-type=fallback",
            ]
        );
        assert_eq!(
            mock.requests()[1].header("x-gw-ims-org-id"),
            Some("ORG@AdobeOrg")
        );
    }
}
