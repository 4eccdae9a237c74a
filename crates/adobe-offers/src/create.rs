//! Re-creating an offer: `POST /offers?offer-type=…` from a pre-delete snapshot, without the
//! fields Adobe assigns (Adobe gives the new offer a new id), and finding offers by name.

use offerkit_models::adobe_offers::{Offer, OfferType};
use offerkit_models::ids::AdobeOfferId;
use serde_json::Value;

use crate::offers::offer_type_param;
use crate::{AdobeOffersClient, Error, ListOptions};

/// The fields Adobe assigns to an offer, left out of a re-create: `id`, `etag`, the created and
/// modified times (`created`, `modified`; `createdDate`, `lastModifiedDate` in create answers)
/// and authors (`createdBy`, `lastModifiedBy`, `createdByClientId`, `lastModifiedByClientId`),
/// and `sandboxId`. Every other field of the snapshot is sent as it was.
pub const SERVER_ASSIGNED_FIELDS: &[&str] = &[
    "id",
    "etag",
    "created",
    "modified",
    "createdDate",
    "lastModifiedDate",
    "createdBy",
    "lastModifiedBy",
    "createdByClientId",
    "lastModifiedByClientId",
    "sandboxId",
];

/// What `POST /offers` answered: Adobe's metadata of the new offer.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CreatedOffer {
    /// The id Adobe assigned (`None` if the answer named none).
    pub id: Option<AdobeOfferId>,
    /// The answer as sent (`{etag, createdBy, lastModifiedBy, id, sandboxId, createdDate, …}`).
    pub response: Value,
    /// The request id of the answer.
    pub request_id: Option<String>,
}

/// The body that re-creates the offer `snapshot` describes (an offer as `GET /offers/{id}`
/// answered it): the snapshot without [`SERVER_ASSIGNED_FIELDS`], every other field (explicit
/// `null`s included) as it was.
///
/// ```
/// use serde_json::json;
/// let body = offerkit_adobe_offers::restore_body(&json!({
///     "id": "personalizedOffer1", "etag": 3, "sandboxId": "s", "created": "t", "createdBy": "a",
///     "name": "Summer", "status": "approved", "rank": {"priority": 2}, "description": null,
/// }));
/// assert_eq!(body, json!({"name": "Summer", "status": "approved", "rank": {"priority": 2}, "description": null}));
/// ```
pub fn restore_body(snapshot: &Value) -> Value {
    offerkit_models::raw::without_fields(snapshot, SERVER_ASSIGNED_FIELDS)
}

impl AdobeOffersClient {
    /// `POST /offers?offer-type=personalized|fallback` with `body` (`Content-Type:
    /// application/json`, as the Offer Library's create pages send it; see [`restore_body`] to
    /// build it from a snapshot). Adobe assigns the new offer's id ([`CreatedOffer::id`]).
    ///
    /// A create is not idempotent: the transport repeats it only after an attempt that cannot
    /// have reached Adobe. When an attempt's answer is lost this returns that error, and the
    /// offer may exist under an id nobody was told; [`AdobeOffersClient::find_offers_named`]
    /// finds it by name.
    ///
    /// ```no_run
    /// use offerkit_adobe_offers::{AdobeOffersClient, OfferType};
    /// # async fn run(client: AdobeOffersClient, snapshot: serde_json::Value) -> Result<(), offerkit_adobe_offers::Error> {
    /// let body = offerkit_adobe_offers::restore_body(&snapshot);
    /// let created = client.create_offer(OfferType::Personalized, &body).await?;
    /// println!("new id {:?}", created.id);
    /// # Ok(()) }
    /// ```
    pub async fn create_offer(
        &self,
        offer_type: OfferType,
        body: &Value,
    ) -> Result<CreatedOffer, Error> {
        const OPERATION: &str = "create_offer";
        let kind = offer_type_param(&offer_type)?;
        if !body.is_object() {
            return Err(Error::InvalidArgument {
                argument: "body",
                reason: "an offer to create is a JSON object".to_owned(),
            });
        }
        tracing::debug!(offer_type = kind, "adobe: creating offer");
        let response = self
            .http
            .post(OPERATION)
            .path("offers")
            .query("offer-type", kind)
            .json(body)
            .send()
            .await
            .map_err(|e| Error::from_transport(OPERATION, e))?;
        let request_id = response.request_id().map(str::to_owned);
        let answer = response.json_opt::<Value>()?.unwrap_or(Value::Null);
        let id = answer
            .get("id")
            .and_then(Value::as_str)
            .and_then(|id| AdobeOfferId::new(id).ok());
        Ok(CreatedOffer {
            id,
            response: answer,
            request_id,
        })
    }

    /// The offers of `offer_type` whose `name` is exactly `name`: a listing filtered with
    /// `property=name==<name>` (Adobe's documented list filter) when the name can be sent so
    /// ([`crate::is_plain_property_value`]: a name with a `,` cannot), checked again here, so a server
    /// that ignores the filter, or a name that cannot be filtered on, still gives the right
    /// answer (at the cost of reading every page).
    ///
    /// ```no_run
    /// use offerkit_adobe_offers::{AdobeOffersClient, OfferType};
    /// # async fn run(client: AdobeOffersClient) -> Result<(), offerkit_adobe_offers::Error> {
    /// let found = client.find_offers_named(OfferType::Fallback, "Winter fallback").await?;
    /// println!("{} offers carry that name", found.len());
    /// # Ok(()) }
    /// ```
    pub async fn find_offers_named(
        &self,
        offer_type: OfferType,
        name: &str,
    ) -> Result<Vec<Offer>, Error> {
        let options = if crate::is_plain_property_value(name) {
            ListOptions::new().property(format!("name=={name}"))
        } else {
            ListOptions::new()
        };
        let mut pager = self.pager(offer_type, options);
        let mut found = Vec::new();
        while let Some(page) = pager.next_page().await? {
            found.extend(
                page.results
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|offer| offer.name.as_deref() == Some(name)),
            );
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use offerkit_transport::AdobeImsCredentials;
    use offerkit_transport::mock::{MockResponse, MockTransport};
    use serde_json::json;

    use super::*;

    fn client(mock: &MockTransport) -> AdobeOffersClient {
        let credentials = AdobeImsCredentials::new("id", "secret", "ORG@AdobeOrg")
            .expect("credentials")
            .with_ims_url("https://ims.example")
            .expect("ims url");
        AdobeOffersClient::builder()
            .ims_credentials(credentials)
            .transport(mock.transport())
            .build()
            .expect("client")
    }

    fn token(req: &offerkit_transport::HttpRequest) -> Option<MockResponse> {
        (req.url.path() == "/ims/token/v3").then(|| {
            MockResponse::json(
                200,
                &json!({"access_token": "t", "token_type": "bearer", "expires_in": 86399}),
            )
        })
    }

    fn snapshot() -> Value {
        json!({
            "id": "personalizedOffer1:a",
            "name": "Summer sale",
            "status": "approved",
            "description": null,
            "schemas": ["https://ns.adobe.com/experience/offer-management/personalized-offer;version=0.15"],
            "representations": [{"channel": "https://ns.adobe.com/xdm/channel-types/web", "placement": "xcore:offer-placement:1", "components": [{"type": "html", "format": "text/html", "content": "<p>hi</p>"}]}],
            "selectionConstraint": {"startDate": "2026-01-01T00:00:00.000Z", "endDate": "2027-01-01T00:00:00.000Z", "profileConstraintType": "none"},
            "rank": {"priority": 5},
            "cappingConstraint": {},
            "customThing": [1, 2],
            "etag": 4,
            "created": "2026-01-01T00:00:00.000+00:00",
            "modified": "2026-01-02T00:00:00.000+00:00",
            "createdBy": "a@AdobeID",
            "lastModifiedBy": "b@AdobeID",
            "createdByClientId": "a",
            "lastModifiedByClientId": "b",
            "sandboxId": "sb-1"
        })
    }

    #[tokio::test]
    async fn the_create_sends_every_user_field_and_no_server_field() {
        let mock = MockTransport::new(|req| {
            token(req).unwrap_or_else(|| {
                MockResponse::json(
                    201,
                    &json!({"id": "personalizedOfferNEW", "etag": 1, "sandboxId": "sb-1"}),
                )
                .header("x-request-id", "r-create")
            })
        });
        let created = client(&mock)
            .create_offer(OfferType::Personalized, &restore_body(&snapshot()))
            .await
            .expect("created");
        assert_eq!(
            created.id.as_ref().map(AdobeOfferId::as_str),
            Some("personalizedOfferNEW")
        );
        assert_eq!(created.request_id.as_deref(), Some("r-create"));
        let requests = mock.requests();
        let post = requests.last().expect("the create");
        assert_eq!(post.method, "POST");
        assert_eq!(
            post.url.as_str(),
            "https://platform.adobe.io/data/core/dps/offers?offer-type=personalized"
        );
        assert_eq!(post.header("content-type"), Some("application/json"));
        assert_eq!(post.header("x-gw-ims-org-id"), Some("ORG@AdobeOrg"));
        let sent: Value = serde_json::from_slice(&post.body).expect("json");
        let mut expected = snapshot();
        for field in SERVER_ASSIGNED_FIELDS {
            expected.as_object_mut().expect("object").remove(*field);
        }
        assert_eq!(
            sent, expected,
            "every user field, the null and the unknown one kept"
        );
        assert!(sent.get("id").is_none() && sent.get("etag").is_none());
    }

    #[tokio::test]
    async fn a_lost_create_answer_is_not_repeated_and_names_are_matched_exactly() {
        let mock = MockTransport::new(|req| token(req).unwrap_or_else(MockResponse::dropped));
        let err = client(&mock)
            .create_offer(OfferType::Fallback, &json!({"name": "x"}))
            .await
            .expect_err("lost");
        assert!(offerkit_transport::ErrorInfo::is_transient(&err), "{err:?}");
        let posts = mock
            .requests()
            .iter()
            .filter(|r| r.url.path().ends_with("/offers"))
            .count();
        assert_eq!(posts, 1, "a create is never blindly repeated");

        // A server that ignores the filter: only the exact name counts.
        let mock = MockTransport::new(|req| {
            token(req).unwrap_or_else(|| {
                assert!(
                    req.url.query().is_some_and(|q| q.contains("property=name%3D%3DSummer")),
                    "{}",
                    req.url
                );
                MockResponse::json(
                    200,
                    &json!({"results": [{"id": "a", "name": "Summer"}, {"id": "b", "name": "Summer sale"}, {"id": "c", "name": "summer"}], "count": 3}),
                )
            })
        });
        let found = client(&mock)
            .find_offers_named(OfferType::Personalized, "Summer")
            .await
            .expect("listed");
        let ids: Vec<_> = found.iter().filter_map(|o| o.id.as_deref()).collect();
        assert_eq!(ids, ["a"]);
    }

    #[tokio::test]
    async fn a_name_with_a_comma_is_matched_without_the_property_filter() {
        // `property=name==Sale, 50 %` would be split by Adobe into two filters and find nothing:
        // a restore that resumes would then create the offer a second time.
        let mock = MockTransport::new(|req| {
            token(req).unwrap_or_else(|| {
                assert!(
                    !req.url.query().is_some_and(|q| q.contains("property")),
                    "no property filter: {}",
                    req.url
                );
                MockResponse::json(
                    200,
                    &json!({"results": [{"id": "a", "name": "Sale, 50 %"}, {"id": "b", "name": "Sale"}], "count": 2}),
                )
            })
        });
        let found = client(&mock)
            .find_offers_named(OfferType::Personalized, "Sale, 50 %")
            .await
            .expect("listed");
        let ids: Vec<_> = found.iter().filter_map(|o| o.id.as_deref()).collect();
        assert_eq!(ids, ["a"]);
    }
}
