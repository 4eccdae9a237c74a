//! Re-creating an offer: `POST /v2/offer` from a snapshot, without the fields Appcharge assigns.

use offerkit_models::appcharge::Offer;
use offerkit_models::raw::WithRaw;
use offerkit_transport::{GenericErrorBody, StatusCode};
use serde_json::Value;

use crate::{AppchargeClient, Error};

/// The fields Appcharge assigns to an offer, left out of a re-create: `offerId`, `publisherId`,
/// `createdAt`, `updatedAt` (every other field of the snapshot, `publisherOfferId` included, is
/// sent as it was).
pub const SERVER_ASSIGNED_FIELDS: &[&str] = &["offerId", "publisherId", "createdAt", "updatedAt"];

/// What `POST /v2/offer` achieved.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum CreateOutcome {
    /// Appcharge created the offer and answered it.
    Created {
        /// The offer as Appcharge answered it (typed, and its JSON as sent).
        offer: Box<WithRaw<Offer>>,
        /// The request id of the answer.
        request_id: Option<String>,
    },
    /// An offer with this `publisherOfferId` already exists (HTTP 409): nothing was changed.
    Exists {
        /// Appcharge's message.
        message: Option<String>,
        /// The request id of the answer.
        request_id: Option<String>,
    },
}

/// The body that re-creates the offer `snapshot` describes: the snapshot (an offer as Appcharge
/// answered it, e.g. the DELETE's echo) without [`SERVER_ASSIGNED_FIELDS`]. Every other field,
/// explicit `null`s included, is kept as it was.
///
/// ```
/// use serde_json::json;
/// let body = offerkit_appcharge::restore_body(&json!({
///     "offerId": "65f0", "publisherId": "p", "createdAt": "t", "updatedAt": "t",
///     "publisherOfferId": "summer", "name": "Summer", "offerUi": null,
/// }));
/// assert_eq!(body, json!({"publisherOfferId": "summer", "name": "Summer", "offerUi": null}));
/// ```
pub fn restore_body(snapshot: &Value) -> Value {
    offerkit_models::raw::without_fields(snapshot, SERVER_ASSIGNED_FIELDS)
}

impl AppchargeClient {
    /// `POST /v2/offer` with `body` (an offer's fields, `publisherOfferId` required; see
    /// [`restore_body`] to build it from a snapshot). A 409 is [`CreateOutcome::Exists`]: an offer
    /// with this `publisherOfferId` is there, and it is not overwritten.
    ///
    /// A create is not idempotent: the transport repeats it only after an attempt that cannot
    /// have reached Appcharge (a refused connection, a 429). When an attempt's answer is lost (a
    /// timeout, a dropped connection, a 5xx) this returns that error; read the offer back with
    /// [`AppchargeClient::get_offer`] to learn whether it was created.
    ///
    /// ```no_run
    /// use offerkit_appcharge::{AppchargeClient, CreateOutcome};
    /// # async fn run(client: AppchargeClient, snapshot: serde_json::Value) -> Result<(), offerkit_appcharge::Error> {
    /// match client.create_offer(&offerkit_appcharge::restore_body(&snapshot)).await? {
    ///     CreateOutcome::Created { offer, .. } => println!("created {:?}", offer.value.offer_id),
    ///     CreateOutcome::Exists { .. } => println!("already there; left as it is"),
    ///     _ => {}
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn create_offer(&self, body: &Value) -> Result<CreateOutcome, Error> {
        const OPERATION: &str = "create_offer";
        if body
            .get("publisherOfferId")
            .and_then(Value::as_str)
            .is_none_or(|id| id.trim().is_empty())
        {
            return Err(Error::InvalidArgument {
                argument: "body",
                reason: "an offer to create needs a non-empty publisherOfferId".to_owned(),
            });
        }
        let id = body.get("publisherOfferId").and_then(Value::as_str);
        tracing::debug!(publisher_offer_id = id, "appcharge: creating offer");
        let response = self
            .http
            .post(OPERATION)
            .path("v2/offer")
            .json(body)
            .accept_status(StatusCode::CONFLICT)
            .send()
            .await
            .map_err(|e| Error::from_transport(OPERATION, e))?;
        let request_id = response.request_id().map(str::to_owned);
        if response.status() == StatusCode::CONFLICT {
            let message = GenericErrorBody::parse(response.body()).and_then(|b| b.message);
            return Ok(CreateOutcome::Exists {
                message,
                request_id,
            });
        }
        let offer = if response.body().iter().all(u8::is_ascii_whitespace) {
            // Not documented: keep what was sent as what exists.
            WithRaw::new(
                serde_json::from_value(body.clone()).unwrap_or_default(),
                body.clone(),
            )
        } else {
            response.json_with_raw::<Offer>()?
        };
        Ok(CreateOutcome::Created {
            offer: Box::new(offer),
            request_id,
        })
    }
}

#[cfg(test)]
mod tests {
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

    fn snapshot() -> Value {
        json!({
            "publisherId": "pub-1",
            "offerId": "65f0c0ffee",
            "publisherOfferId": "summer:sale",
            "name": "Summer sale",
            "type": "SpecialOffer",
            "active": false,
            "segments": ["New User", "VIP"],
            "offerUi": null,
            "productsSequence": [{"index": 1, "products": [{"publisherProductId": "gems", "quantity": "10"}], "priceInUsdCents": 499}],
            "futureField": {"kept": true},
            "createdAt": "2026-01-01T00:00:00.000Z",
            "updatedAt": "2026-02-01T00:00:00.000Z"
        })
    }

    #[tokio::test]
    async fn the_create_sends_every_user_field_and_no_server_field() {
        let mock = MockTransport::new(|req| {
            let mut echo: Value = serde_json::from_slice(&req.body).expect("json body");
            echo["offerId"] = json!("new-offer-id");
            MockResponse::json(201, &echo).header("x-request-id", "r-create")
        });
        let out = client(&mock)
            .create_offer(&restore_body(&snapshot()))
            .await
            .expect("created");
        let CreateOutcome::Created { offer, request_id } = out else {
            panic!("not created: {out:?}");
        };
        assert_eq!(request_id.as_deref(), Some("r-create"));
        assert_eq!(offer.value.offer_id.as_deref(), Some("new-offer-id"));
        let requests = mock.requests();
        assert_eq!(requests.len(), 1);
        assert_eq!(requests[0].method, "POST");
        assert_eq!(
            requests[0].url.as_str(),
            "https://api.appcharge.com/v2/offer"
        );
        assert_eq!(requests[0].header("content-type"), Some("application/json"));
        let sent: Value = serde_json::from_slice(&requests[0].body).expect("json");
        let mut expected = snapshot();
        for field in SERVER_ASSIGNED_FIELDS {
            expected.as_object_mut().expect("object").remove(*field);
        }
        assert_eq!(
            sent, expected,
            "every user field, the null and the unknown one kept"
        );
        for field in SERVER_ASSIGNED_FIELDS {
            assert!(sent.get(*field).is_none(), "{field} must not be sent");
        }
    }

    #[tokio::test]
    async fn a_conflict_is_exists_and_a_lost_answer_is_not_repeated() {
        let mock = MockTransport::new(|_| {
            MockResponse::json(
                409,
                &json!({"errorCode": 409, "errorMessage": "An offer with publisherOfferId summer:sale already exists"}),
            )
        });
        let out = client(&mock)
            .create_offer(&restore_body(&snapshot()))
            .await
            .expect("answered");
        assert!(
            matches!(&out, CreateOutcome::Exists { message: Some(m), .. } if m.contains("already exists")),
            "{out:?}"
        );

        // The connection drops after the request was written: the create may have happened, so
        // it is not sent again.
        let mock = MockTransport::new(|_| MockResponse::dropped());
        let err = client(&mock)
            .create_offer(&restore_body(&snapshot()))
            .await
            .expect_err("lost answer");
        assert!(offerkit_transport::ErrorInfo::is_transient(&err), "{err:?}");
        assert_eq!(
            mock.requests().len(),
            1,
            "a create is never blindly repeated"
        );
    }

    #[tokio::test]
    async fn a_body_without_a_publisher_offer_id_is_refused_before_sending() {
        let mock = MockTransport::new(|_| MockResponse::new(500));
        let err = client(&mock)
            .create_offer(&json!({"name": "x"}))
            .await
            .expect_err("refused");
        assert!(matches!(err, Error::InvalidArgument { .. }), "{err:?}");
        assert!(mock.requests().is_empty());
    }
}
