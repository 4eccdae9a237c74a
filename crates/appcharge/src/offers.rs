//! The Offers V2 operations: delete one offer, read offers back.

use offerkit_models::appcharge::{Offer, OfferList};
use offerkit_transport::StatusCode;

use crate::{AppchargeClient, Deleted, Error, NotFound, PublisherOfferId, Retraction};

/// How many ids go into one `GET /v2/offer?publisherOfferIds=…` request; longer lists are split so
/// the URL stays far below the common 8 KiB limit.
pub const MAX_IDS_PER_REQUEST: usize = 50;

impl AppchargeClient {
    /// `DELETE /v2/offer/{publisherOfferId}`: deletes the offer and returns it as Appcharge sent it.
    ///
    /// A 404 is [`Retraction::AlreadyRetracted`] with Appcharge's message (the offer was gone
    /// before this call), not an error. The deleted offer is parsed leniently (duplicate keys, `quantity` as text, `offerUi:
    /// null`, unknown fields kept in `extra`). Appcharge may echo a different `publisherOfferId`
    /// than the one in the path (a documented sample does); the answer is returned as sent.
    /// DELETE is idempotent, so transient failures (timeouts, 5xx) are retried by the transport.
    ///
    /// ```no_run
    /// use offerkit_appcharge::{AppchargeClient, Deleted, PublisherOfferId, Retraction};
    /// # async fn run(client: AppchargeClient) -> Result<(), offerkit_appcharge::Error> {
    /// let id = PublisherOfferId::new("special-offer-1")?;
    /// if let Retraction::Retracted(Deleted { value: offer, request_id }) = client.delete_offer(&id).await? {
    ///     println!("deleted {:?} (request {request_id:?})", offer.display_name);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn delete_offer(
        &self,
        id: &PublisherOfferId,
    ) -> Result<Retraction<Deleted<Offer>, NotFound>, Error> {
        const OPERATION: &str = "delete_offer";
        tracing::debug!(publisher_offer_id = %id, "appcharge: deleting offer");
        let outcome = self
            .http
            .delete(OPERATION)
            .path("v2/offer")
            .path_param(PublisherOfferId::ARGUMENT, id.as_str())
            // Appcharge's documented request sends it although there is no body.
            .header("content-type", "application/json")
            .send_or_gone()
            .await
            .map_err(|e| Error::from_transport(OPERATION, e))?;
        let deleted = match outcome {
            Retraction::Retracted(deleted) => deleted,
            Retraction::AlreadyRetracted(gone) => {
                tracing::debug!(publisher_offer_id = %id, "appcharge: offer already gone (404)");
                return Ok(Retraction::AlreadyRetracted(gone));
            }
        };
        // An empty 2xx body is not documented; treat it as "deleted, nothing echoed".
        let offer = deleted.value.json_opt::<Offer>()?.unwrap_or_else(|| Offer {
            publisher_offer_id: Some(id.as_str().to_owned()),
            ..Offer::default()
        });
        if let Some(echoed) = offer
            .publisher_offer_id
            .as_deref()
            .filter(|e| *e != id.as_str())
        {
            tracing::debug!(
                publisher_offer_id = %id,
                echoed,
                "appcharge: the deleted offer carries another publisherOfferId than the path"
            );
        }
        Ok(Retraction::Retracted(Deleted {
            value: offer,
            request_id: deleted.request_id,
        }))
    }

    /// Deletes, and believes a 404 only once a read confirms it: a 404 to the DELETE is followed by
    /// `GET /v2/offer?publisherOfferIds=<id>`, and only an answer that does not list the offer (or
    /// a 404, as for [`AppchargeClient::get_offer`]) makes it [`Retraction::AlreadyRetracted`].
    /// A read that still lists the offer is [`Error::StillPresent`]: the DELETE said 404 but the
    /// offer is live, so nothing was retracted. A read that fails is that error (nothing is
    /// believed unconfirmed).
    ///
    /// A 2xx needs no read: Appcharge answers it with the deleted offer. The `NotFound` evidence
    /// keeps [`NotFound::earlier_attempt_may_have_acted`]: when set, an earlier attempt of this
    /// DELETE (its answer lost) most likely deleted the offer.
    ///
    /// ```no_run
    /// use offerkit_appcharge::{AppchargeClient, Error, PublisherOfferId, Retraction};
    /// # async fn run(client: AppchargeClient) -> Result<(), Error> {
    /// match client.delete_and_verify(&PublisherOfferId::new("special-offer-1")?).await {
    ///     Ok(Retraction::Retracted(deleted)) => println!("deleted {:?}", deleted.value.name),
    ///     Ok(Retraction::AlreadyRetracted(gone)) if gone.earlier_attempt_may_have_acted => {
    ///         println!("gone: the first attempt most likely deleted it, its answer was lost")
    ///     }
    ///     Ok(Retraction::AlreadyRetracted(_)) => println!("gone before this call (read back)"),
    ///     Err(e) if e.is_still_present() => println!("404, yet still listed: {e}"),
    ///     Err(e) => return Err(e),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn delete_and_verify(
        &self,
        id: &PublisherOfferId,
    ) -> Result<Retraction<Deleted<Offer>, NotFound>, Error> {
        let gone = match self.delete_offer(id).await? {
            Retraction::AlreadyRetracted(gone) => gone,
            retracted => return Ok(retracted),
        };
        match self.fetch_offer("verify_deleted", id).await? {
            (None, _) => Ok(Retraction::AlreadyRetracted(gone)),
            (Some(offer), request_id) => Err(Error::StillPresent {
                publisher_offer_id: id.as_str().to_owned(),
                active: offer.active,
                request_id,
            }),
        }
    }

    /// `GET /v2/offer?publisherOfferIds=a,b`: the offers with these ids that exist (absent ids are
    /// simply not in the list). This is the documented read: `publisherOfferIds` is required.
    ///
    /// More than [`MAX_IDS_PER_REQUEST`] ids are fetched in several requests and merged
    /// (`totalCount` is then the number of offers returned). An empty slice is refused (use
    /// [`AppchargeClient::list_offers`], undocumented, for everything), and so is an id containing a comma, which
    /// the comma-separated parameter cannot carry.
    ///
    /// ```no_run
    /// use offerkit_appcharge::{AppchargeClient, PublisherOfferId};
    /// # async fn run(client: AppchargeClient) -> Result<(), offerkit_appcharge::Error> {
    /// let ids = [PublisherOfferId::new("bundle-1")?, PublisherOfferId::new("rolling-1")?];
    /// let list = client.get_offers(&ids).await?;
    /// for offer in list.offers.unwrap_or_default() {
    ///     println!("{:?} active={:?}", offer.publisher_offer_id, offer.active);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn get_offers(&self, ids: &[PublisherOfferId]) -> Result<OfferList, Error> {
        const ARGUMENT: &str = "publisher_offer_ids";
        if ids.is_empty() {
            return Err(Error::InvalidArgument {
                argument: ARGUMENT,
                reason: "pass at least one id (list_offers reads every offer)".to_owned(),
            });
        }
        if let Some(bad) = ids.iter().find(|id| id.as_str().contains(',')) {
            return Err(Error::InvalidArgument {
                argument: ARGUMENT,
                reason: format!(
                    "`{bad}` contains a comma, which publisherOfferIds uses as its separator; \
                     read it with get_offer instead"
                ),
            });
        }
        let mut chunks = ids.chunks(MAX_IDS_PER_REQUEST);
        let first = chunks.next().unwrap_or_default();
        let mut merged = self.get_offers_once(first).await?;
        let mut rest = chunks.peekable();
        if rest.peek().is_none() {
            return Ok(merged);
        }
        let mut offers = merged.offers.take().unwrap_or_default();
        for chunk in rest {
            offers.extend(
                self.get_offers_once(chunk)
                    .await?
                    .offers
                    .unwrap_or_default(),
            );
        }
        merged.total_count = i64::try_from(offers.len()).ok();
        merged.offers = Some(offers);
        Ok(merged)
    }

    async fn get_offers_once(&self, ids: &[PublisherOfferId]) -> Result<OfferList, Error> {
        const OPERATION: &str = "get_offers";
        let joined = ids
            .iter()
            .map(PublisherOfferId::as_str)
            .collect::<Vec<_>>()
            .join(",");
        tracing::debug!(count = ids.len(), "appcharge: reading offers");
        self.http
            .get(OPERATION)
            .path("v2/offer")
            .query("publisherOfferIds", joined)
            .send_json::<OfferList>()
            .await
            .map_err(|e| Error::from_transport(OPERATION, e))
    }

    /// One offer by id, or `None` when Appcharge does not have it (absent from the list, or 404).
    ///
    /// Only an offer whose `publisherOfferId` equals `id` is returned, so a server that ignored
    /// the filter cannot make another offer look present.
    ///
    /// ```no_run
    /// use offerkit_appcharge::{AppchargeClient, PublisherOfferId};
    /// # async fn run(client: AppchargeClient) -> Result<(), offerkit_appcharge::Error> {
    /// let id = PublisherOfferId::new("special-offer-1")?;
    /// match client.get_offer(&id).await? {
    ///     Some(offer) => println!("still there, active={:?}", offer.active),
    ///     None => println!("gone"),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn get_offer(&self, id: &PublisherOfferId) -> Result<Option<Offer>, Error> {
        Ok(self.fetch_offer("get_offers", id).await?.0)
    }

    /// One offer by id exactly as Appcharge sent it (every field, `null`s included), or `None`
    /// when Appcharge does not have it: what a snapshot for a later re-create keeps (the typed
    /// [`Offer`] leaves out fields sent as `null`).
    ///
    /// ```no_run
    /// use offerkit_appcharge::{AppchargeClient, PublisherOfferId};
    /// # async fn run(client: AppchargeClient) -> Result<(), offerkit_appcharge::Error> {
    /// let id = PublisherOfferId::new("special-offer-1")?;
    /// if let Some(offer) = client.get_offer_json(&id).await? {
    ///     println!("{offer}");
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn get_offer_json(
        &self,
        id: &PublisherOfferId,
    ) -> Result<Option<serde_json::Value>, Error> {
        let response = self.offer_response("get_offers", id).await?;
        if response.status() == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let list: serde_json::Value = response.json()?;
        Ok(list
            .get("offers")
            .and_then(serde_json::Value::as_array)
            .and_then(|offers| {
                offers.iter().find(|offer| {
                    offer.get("publisherOfferId").and_then(|v| v.as_str()) == Some(id.as_str())
                })
            })
            .cloned())
    }

    /// `GET /v2/offer?publisherOfferIds=<id>`, a 404 accepted.
    async fn offer_response(
        &self,
        operation: &'static str,
        id: &PublisherOfferId,
    ) -> Result<offerkit_transport::Response, Error> {
        self.http
            .get(operation)
            .path("v2/offer")
            .query("publisherOfferIds", id.as_str())
            .accept_status(StatusCode::NOT_FOUND)
            .send()
            .await
            .map_err(|e| Error::from_transport(operation, e))
    }

    /// `GET /v2/offer?publisherOfferIds=<id>`: the offer with exactly this id (absent from the
    /// list, or a 404, is `None`) and the answer's request id.
    async fn fetch_offer(
        &self,
        operation: &'static str,
        id: &PublisherOfferId,
    ) -> Result<(Option<Offer>, Option<String>), Error> {
        let response = self.offer_response(operation, id).await?;
        let request_id = response.request_id().map(str::to_owned);
        if response.status() == StatusCode::NOT_FOUND {
            return Ok((None, request_id));
        }
        let offer = response
            .json::<OfferList>()?
            .offers
            .unwrap_or_default()
            .into_iter()
            .find(|offer| offer.publisher_offer_id.as_deref() == Some(id.as_str()));
        Ok((offer, request_id))
    }

    /// `GET /v2/offer` without a filter: every offer of the publisher, **if Appcharge answers it**.
    ///
    /// Not documented: Appcharge documents `GET /v2/offer` only with `publisherOfferIds`, marked
    /// required (the Offers V2 "Get offers" page and the V2 OpenAPI, api-evangelist/appcharge,
    /// 3rd-party; docs/vendors.md, "Appcharge"), and no V2 paging. The real API may refuse this
    /// request or answer it differently; prefer [`AppchargeClient::get_offers`] with the ids you
    /// know. A refusal is [`Error::Rejected`], and its message says so. The offerkit sandbox
    /// follows the documentation and refuses it (HTTP 400).
    ///
    /// ```no_run
    /// # async fn run(client: offerkit_appcharge::AppchargeClient) -> Result<(), offerkit_appcharge::Error> {
    /// let all = client.list_offers().await?;
    /// println!("{} offers", all.total_count.unwrap_or_default());
    /// # Ok(()) }
    /// ```
    pub async fn list_offers(&self) -> Result<OfferList, Error> {
        const OPERATION: &str = crate::error::LIST_OFFERS;
        tracing::debug!("appcharge: listing offers without publisherOfferIds (undocumented)");
        self.http
            .get(OPERATION)
            .path("v2/offer")
            .send_json::<OfferList>()
            .await
            .map_err(|e| Error::from_transport(OPERATION, e))
    }
}

#[cfg(test)]
mod tests {
    //! Unit tests without a server: how a downstream crate can test code that uses this client,
    //! with `offerkit-transport`'s `test-util` feature.

    use offerkit_transport::ErrorInfo;
    use offerkit_transport::mock::{MockResponse, MockTransport};
    use serde_json::json;

    use super::*;

    fn client(mock: &MockTransport) -> AppchargeClient {
        AppchargeClient::builder()
            .publisher_token("t")
            .transport(mock.transport())
            .build()
            .expect("client")
    }

    #[tokio::test]
    async fn delete_then_repeat_with_a_mock_transport() {
        let deleted = std::sync::atomic::AtomicBool::new(false);
        let mock = MockTransport::new(move |req| match (req.method.as_str(), req.url.path()) {
            ("DELETE", "/v2/offer/summer-sale")
                if !deleted.swap(true, std::sync::atomic::Ordering::SeqCst) =>
            {
                MockResponse::json(
                    200,
                    &json!({"publisherOfferId": "summer-sale", "active": true}),
                )
                .header("x-request-id", "r-1")
            }
            _ => MockResponse::json(404, &json!({"message": "Offer summer-sale not found"})),
        });
        let c = client(&mock);
        let id = PublisherOfferId::new("summer-sale").expect("id");

        let first = c.delete_offer(&id).await.expect("first");
        let deleted = first.retracted().expect("retracted");
        assert_eq!(deleted.request_id.as_deref(), Some("r-1"));
        assert_eq!(deleted.value.active, Some(true));

        let second = c.delete_offer(&id).await.expect("second");
        assert!(second.is_already_retracted());

        let requests = mock.requests();
        assert_eq!(requests.len(), 2);
        assert_eq!(requests[0].header("x-publisher-token"), Some("t"));
        assert_eq!(
            requests[0].url.as_str(),
            "https://api.appcharge.com/v2/offer/summer-sale"
        );
    }

    /// A mock where DELETE gets `delete` (then 404 on any retry) and the read lists `listed`.
    fn verify_mock(delete: MockResponse, listed: serde_json::Value) -> MockTransport {
        let deletes = std::sync::atomic::AtomicU32::new(0);
        MockTransport::new(move |req| match req.method.as_str() {
            "DELETE" if deletes.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 => {
                delete.clone()
            }
            "DELETE" => MockResponse::json(404, &json!({"message": "Offer a not found"}))
                .header("x-request-id", "r-delete"),
            _ => MockResponse::json(200, &listed).header("x-request-id", "r-read"),
        })
    }

    fn calls(mock: &MockTransport) -> Vec<String> {
        mock.requests()
            .iter()
            .map(|r| format!("{} {}", r.method, r.url))
            .collect()
    }

    #[tokio::test]
    async fn delete_and_verify_confirms_a_404_with_a_read() {
        let none = json!({"totalCount": 0, "offers": []});
        let mock = verify_mock(MockResponse::json(404, &json!({"message": "gone"})), none);
        let out = client(&mock)
            .delete_and_verify(&PublisherOfferId::new("a").expect("id"))
            .await
            .expect("confirmed");
        let gone = out.already().expect("already retracted");
        assert_eq!(gone.message.as_deref(), Some("gone"));
        assert!(!gone.earlier_attempt_may_have_acted);
        assert_eq!(
            calls(&mock),
            [
                "DELETE https://api.appcharge.com/v2/offer/a",
                "GET https://api.appcharge.com/v2/offer?publisherOfferIds=a",
            ]
        );
    }

    #[tokio::test]
    async fn delete_and_verify_refuses_a_404_when_the_offer_is_still_listed() {
        let listed =
            json!({"totalCount": 1, "offers": [{"publisherOfferId": "a", "active": true}]});
        let mock = verify_mock(MockResponse::json(404, &json!({"message": "gone"})), listed);
        let err = client(&mock)
            .delete_and_verify(&PublisherOfferId::new("a").expect("id"))
            .await
            .expect_err("a live offer is not already retracted");
        assert!(err.is_still_present(), "{err:?}");
        assert_eq!(err.request_id(), Some("r-read"));
        assert_eq!(err.status(), Some(StatusCode::OK));
        assert!(!err.is_transient());
        assert_eq!(
            err.to_string(),
            "Appcharge answered 404 to the deletion of offer a, but reading it back still lists it \
             (active: true) (request id r-read): the offer is live, not deleted; check the base \
             URL, then try again"
        );
    }

    #[tokio::test]
    async fn delete_and_verify_does_not_believe_an_unconfirmed_404() {
        // The read itself fails: the 404 is neither confirmed nor refuted, so it is an error.
        let mock = MockTransport::new(|req| match req.method.as_str() {
            "DELETE" => MockResponse::new(404),
            _ => MockResponse::json(500, &json!({"message": "boom"})),
        });
        let err = client(&mock)
            .delete_and_verify(&PublisherOfferId::new("a").expect("id"))
            .await
            .expect_err("unconfirmed");
        assert_eq!(err.status(), Some(StatusCode::INTERNAL_SERVER_ERROR));
        assert!(err.is_transient());
    }

    #[tokio::test]
    async fn delete_and_verify_keeps_the_lost_answer_mark_and_reads_nothing_after_a_200() {
        // The first DELETE's connection breaks after sending; the retry answers 404; the read
        // confirms the offer is gone.
        let none = json!({"totalCount": 0, "offers": []});
        let mock = verify_mock(MockResponse::dropped(), none);
        let out = client(&mock)
            .delete_and_verify(&PublisherOfferId::new("a").expect("id"))
            .await
            .expect("confirmed");
        let gone = out.already().expect("gone");
        assert!(gone.earlier_attempt_may_have_acted, "{gone:?}");
        assert_eq!(gone.request_id.as_deref(), Some("r-delete"));
        assert_eq!(calls(&mock).len(), 3, "DELETE, DELETE, GET");

        let echoed = json!({"publisherOfferId": "a", "active": true});
        let mock = verify_mock(MockResponse::json(200, &echoed), json!({}));
        let out = client(&mock)
            .delete_and_verify(&PublisherOfferId::new("a").expect("id"))
            .await
            .expect("deleted");
        assert!(out.is_retracted());
        assert_eq!(
            calls(&mock),
            ["DELETE https://api.appcharge.com/v2/offer/a"]
        );
    }

    #[tokio::test]
    async fn get_offer_reads_the_list_form() {
        let mock = MockTransport::new(|req| {
            assert_eq!(req.url.query(), Some("publisherOfferIds=a"));
            MockResponse::json(
                200,
                &json!({"totalCount": 1, "offers": [{"publisherOfferId": "a"}]}),
            )
        });
        let found = client(&mock)
            .get_offer(&PublisherOfferId::new("a").expect("id"))
            .await
            .expect("get");
        assert!(found.is_some());
    }
}
