//! [`Error`]: everything an Offer Library call can fail with, with the AEP gateway codes typed
//! and Adobe's error body parsed once, when the error is built.

use offerkit_models::VendorErrorBody;
use offerkit_models::adobe_offers::{AepError, AepErrorKind, OfferType};
use offerkit_models::ids::{IdProblem, InvalidId};
use offerkit_transport::{ErrorInfo, MissingSettings, Refusal, StatusCode};

/// The Adobe I/O gateway error codes (`{"error_code": "401013", "message": …}`) offerkit explains.
///
/// ```
/// use offerkit_adobe_offers::GatewayError;
/// assert_eq!(GatewayError::from_code("401013"), Some(GatewayError::InvalidToken));
/// assert_eq!(GatewayError::InvalidToken.code(), "401013");
/// assert_eq!(GatewayError::from_code("999999"), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum GatewayError {
    /// `401013` "Oauth token is not valid": expired, revoked, or from another IMS org/environment.
    InvalidToken,
    /// `403010` "Oauth token is missing.".
    MissingToken,
    /// `403000` "Api Key is required": no `x-api-key` header.
    ApiKeyRequired,
    /// `403003` "Api Key is invalid": `x-api-key` is not the client id of the project.
    ApiKeyInvalid,
    /// `400003` "Missing header": `x-gw-ims-org-id` is missing.
    MissingOrgHeader,
}

impl GatewayError {
    /// The gateway code this variant stands for.
    ///
    /// ```
    /// # use offerkit_adobe_offers::GatewayError;
    /// assert_eq!(GatewayError::MissingOrgHeader.code(), "400003");
    /// ```
    pub fn code(self) -> &'static str {
        match self {
            Self::InvalidToken => "401013",
            Self::MissingToken => "403010",
            Self::ApiKeyRequired => "403000",
            Self::ApiKeyInvalid => "403003",
            Self::MissingOrgHeader => "400003",
        }
    }

    /// The variant for a gateway `error_code`, if offerkit knows it.
    ///
    /// ```
    /// # use offerkit_adobe_offers::GatewayError;
    /// assert_eq!(GatewayError::from_code(" 403003 "), Some(GatewayError::ApiKeyInvalid));
    /// ```
    pub fn from_code(code: &str) -> Option<Self> {
        match code.trim() {
            "401013" => Some(Self::InvalidToken),
            "403010" => Some(Self::MissingToken),
            "403000" => Some(Self::ApiKeyRequired),
            "403003" => Some(Self::ApiKeyInvalid),
            "400003" => Some(Self::MissingOrgHeader),
            _ => None,
        }
    }

    /// What to check.
    ///
    /// ```
    /// # use offerkit_adobe_offers::GatewayError;
    /// assert!(GatewayError::ApiKeyRequired.advice().contains("x-api-key"));
    /// ```
    pub fn advice(self) -> &'static str {
        match self {
            Self::InvalidToken => {
                "the access token is not valid (expired, revoked, or issued for another org); check \
                 OFFERKIT_ADOBE_CLIENT_ID / OFFERKIT_ADOBE_CLIENT_SECRET and the IMS URL"
            }
            Self::MissingToken => "no access token was sent (Authorization: Bearer …)",
            Self::ApiKeyRequired => {
                "no API key was sent; x-api-key must be the Developer Console client id"
            }
            Self::ApiKeyInvalid => {
                "the API key is not valid; x-api-key must be the client id of the Developer Console \
                 project (OFFERKIT_ADOBE_CLIENT_ID)"
            }
            Self::MissingOrgHeader => {
                "the x-gw-ims-org-id header is missing; set OFFERKIT_ADOBE_ORG_ID (…@AdobeOrg)"
            }
        }
    }
}

/// The error of every `offerkit-adobe-offers` call.
///
/// The Offer Library's own answers that a caller usually handles are typed; everything else
/// (connection failures, timeouts, 5xx, throttling after retries, an unreadable body, a failed IMS
/// token request, missing configuration) is the transport's [`offerkit_transport::Error`] in
/// [`Error::Transport`]. A 404 on delete is not an error: it is
/// [`Retraction::AlreadyRetracted`](crate::Retraction::AlreadyRetracted).
///
/// Read any error through [`ErrorInfo`] (`status`, `code`, `message`, `request_id`,
/// `is_transient`, `is_unauthorized`, `is_invalid_argument`):
///
/// ```
/// use offerkit_adobe_offers::{Error, ErrorInfo};
/// fn advice(err: &Error) -> &'static str {
///     if err.is_unauthorized() {
///         "check the OFFERKIT_ADOBE_* credentials"
///     } else if err.is_still_present() {
///         "Adobe said deleted but still serves it: check again later"
///     } else if err.is_transient() {
///         "try again later"
///     } else {
///         "fix the request"
///     }
/// }
/// let err = Error::from(offerkit_adobe_offers::AdobeOfferId::new("").unwrap_err());
/// assert_eq!(advice(&err), "fix the request");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An argument was refused before anything was sent (an id, an offer type, a credential).
    #[error("invalid {argument}: {reason}")]
    InvalidArgument {
        /// The argument, e.g. `offer_id`.
        argument: &'static str,
        /// Why it was refused.
        reason: String,
    },

    /// The Adobe I/O gateway refused the call with one of the codes in [`GatewayError`].
    #[error("Adobe gateway error {} (HTTP {status}): {}", error.code(), error.advice())]
    Gateway {
        /// Which gateway error.
        error: GatewayError,
        /// The HTTP status (401, 403 or 400).
        status: u16,
        /// Adobe's body (`{error_code, message}`).
        body: Box<AepError>,
        /// The transport's error, with the raw body.
        #[source]
        source: offerkit_transport::Error,
    },

    /// 401 or 403 without a known gateway code: the credentials do not allow this call.
    #[error(
        "Adobe refused the credentials (HTTP {status}){}; check OFFERKIT_ADOBE_CLIENT_ID, \
         OFFERKIT_ADOBE_ORG_ID, OFFERKIT_ADOBE_SANDBOX_NAME and the product profile's permissions",
        source.answer_suffix()
    )]
    Unauthorized {
        /// 401 or 403.
        status: u16,
        /// Adobe's body, when it was one of the AEP shapes.
        body: Option<Box<AepError>>,
        /// The transport's error, with the raw body.
        #[source]
        source: offerkit_transport::Error,
    },

    /// The Offer Library rejected the request (400, 409, 415, 422…): fix the request, do not retry.
    /// The problem details or the content-type error are in `body` ([`Error::aep_error`]).
    #[error("Adobe rejected `{operation}` with HTTP {status}{}", source.answer_suffix())]
    Rejected {
        /// The operation, e.g. `list_offers`.
        operation: &'static str,
        /// The HTTP status.
        status: u16,
        /// Adobe's body, when it was one of the AEP shapes.
        body: Option<Box<AepError>>,
        /// The transport's error, with the raw body.
        #[source]
        source: offerkit_transport::Error,
    },

    /// `delete_and_verify`: the DELETE succeeded but the read-back still answered 200.
    #[error(
        "Adobe accepted the deletion of {offer_type} offer {offer_id}, but reading it back still \
         returns it (HTTP 200){}; check again before retrying",
        request_id.as_deref().map(|id| format!(" (request id {id})")).unwrap_or_default()
    )]
    StillPresent {
        /// The offer.
        offer_id: String,
        /// Its type.
        offer_type: OfferType,
        /// The request id of the read-back.
        request_id: Option<String>,
    },

    /// Any other failure: connection, timeout, 5xx, throttling after retries, an unreadable body,
    /// a failed IMS token request, missing configuration keys.
    #[error(transparent)]
    Transport(#[from] offerkit_transport::Error),
}

impl Error {
    /// Sorts a transport error into the typed variants, parsing Adobe's body once.
    pub(crate) fn from_transport(operation: &'static str, err: offerkit_transport::Error) -> Self {
        let (status, body) = match &err {
            offerkit_transport::Error::Api(api) => (
                api.status,
                serde_json::from_str::<AepError>(&api.body)
                    .ok()
                    .map(Box::new),
            ),
            _ => return Self::Transport(err),
        };
        let gateway = body
            .as_ref()
            .and_then(|b| b.error_code.as_ref())
            .and_then(|c| GatewayError::from_code(&c.to_string()))
            .filter(|_| status.is_client_error());
        match (gateway, body, err.refusal()) {
            (Some(error), Some(body), _) => Self::Gateway {
                error,
                status: status.as_u16(),
                body,
                source: err,
            },
            (_, body, Some(Refusal::Unauthorized(status))) => Self::Unauthorized {
                status,
                body,
                source: err,
            },
            (_, body, Some(Refusal::Rejected(status))) => Self::Rejected {
                operation,
                status,
                body,
                source: err,
            },
            _ => Self::Transport(err),
        }
    }

    /// `true` for [`Error::Rejected`].
    pub fn is_rejected(&self) -> bool {
        matches!(self, Self::Rejected { .. })
    }

    /// `true` for [`Error::StillPresent`].
    pub fn is_still_present(&self) -> bool {
        matches!(self, Self::StillPresent { .. })
    }

    /// The gateway error, for [`Error::Gateway`].
    pub fn gateway_error(&self) -> Option<GatewayError> {
        match self {
            Self::Gateway { error, .. } => Some(*error),
            _ => None,
        }
    }

    /// Adobe's typed error body ([`AepError`]: gateway, problem details or content-type shape) of
    /// a refusal ([`Error::Gateway`], [`Error::Unauthorized`], [`Error::Rejected`]). The body of
    /// any other answer (5xx, 429) is the raw text in the transport error.
    pub fn aep_error(&self) -> Option<&AepError> {
        match self {
            Self::Gateway { body, .. } => Some(body),
            Self::Unauthorized { body, .. } | Self::Rejected { body, .. } => body.as_deref(),
            _ => None,
        }
    }

    /// Which of the three AEP error shapes [`Error::aep_error`] has.
    pub fn aep_error_kind(&self) -> Option<AepErrorKind> {
        self.aep_error().map(AepError::kind)
    }
}

/// Adobe's own answers know more than the transport's generic reading: the typed body gives the
/// code and message, a gateway code means the credentials were refused whatever its status (400003
/// is a 400), and the read-back of [`Error::StillPresent`] answered 200 with its own request id.
impl ErrorInfo for Error {
    fn transport_error(&self) -> Option<&offerkit_transport::Error> {
        match self {
            Self::Gateway { source, .. }
            | Self::Unauthorized { source, .. }
            | Self::Rejected { source, .. }
            | Self::Transport(source) => Some(source),
            Self::InvalidArgument { .. } | Self::StillPresent { .. } => None,
        }
    }

    fn status(&self) -> Option<StatusCode> {
        match self {
            Self::StillPresent { .. } => Some(StatusCode::OK),
            _ => self
                .transport_error()
                .and_then(offerkit_transport::Error::status),
        }
    }

    fn code(&self) -> Option<String> {
        match self.aep_error() {
            Some(body) => body.code(),
            None => self.transport_error()?.error_body()?.code.clone(),
        }
    }

    fn message(&self) -> Option<String> {
        match self.aep_error() {
            Some(body) => body.message(),
            None => self.transport_error()?.error_body()?.message.clone(),
        }
    }

    fn request_id(&self) -> Option<&str> {
        match self {
            Self::StillPresent { request_id, .. } => request_id.as_deref(),
            _ => self
                .transport_error()
                .and_then(offerkit_transport::Error::request_id),
        }
    }

    fn is_unauthorized(&self) -> bool {
        match self {
            Self::Gateway { .. } | Self::Unauthorized { .. } => true,
            Self::Transport(e) => e.is_unauthorized(),
            _ => false,
        }
    }

    fn is_invalid_argument(&self) -> bool {
        match self {
            Self::InvalidArgument { .. } => true,
            Self::Transport(e) => e.is_invalid_argument(),
            _ => false,
        }
    }
}

/// An id refused by the one id check: nothing was sent.
impl From<InvalidId> for Error {
    fn from(err: InvalidId) -> Self {
        let reason = match err.problem() {
            IdProblem::SurroundingWhitespace => format!(
                "{}; pass the id exactly as the Offer Library returns it",
                err.reason()
            ),
            _ => err.reason(),
        };
        Self::InvalidArgument {
            argument: err.argument(),
            reason,
        }
    }
}

/// Required `OFFERKIT_ADOBE_*` keys that are not set, all of them in one error.
impl From<MissingSettings> for Error {
    fn from(err: MissingSettings) -> Self {
        Self::Transport(err.into())
    }
}

#[cfg(test)]
mod tests {
    //! Real errors, built from `MockTransport` answers, against every accessor.

    use offerkit_models::ids::AdobeOfferId;
    use offerkit_transport::AdobeImsCredentials;
    use offerkit_transport::mock::{MockResponse, MockTransport};
    use serde_json::json;

    use super::*;
    use crate::{AdobeOffersClient, ListOptions};

    /// A client whose every Offer Library call is answered by `answer` (after a good token), or
    /// whose token request is answered by `token` when given.
    fn client(answer: MockResponse, token: Option<MockResponse>) -> AdobeOffersClient {
        let mock = MockTransport::new(move |req| match req.url.path() {
            "/ims/token/v3" => token.clone().unwrap_or_else(|| {
                MockResponse::json(200, &json!({"access_token": "t", "expires_in": 86399}))
            }),
            _ => answer.clone(),
        });
        let ims = AdobeImsCredentials::new("id", "secret", "ORG@AdobeOrg").expect("credentials");
        AdobeOffersClient::builder()
            .ims_credentials(ims)
            .transport(mock.transport())
            .build()
            .expect("client")
    }

    fn with_id(response: MockResponse) -> MockResponse {
        response.header("x-request-id", "req-1")
    }

    /// What one row expects: status, code, message, request id, transient, unauthorized,
    /// invalid argument.
    type Expect = (
        Option<u16>,
        Option<&'static str>,
        Option<&'static str>,
        Option<&'static str>,
        bool,
        bool,
        bool,
    );

    #[tokio::test]
    async fn every_accessor_of_every_variant() {
        let offer = AdobeOfferId::new("o1").expect("id");
        let problem = json!({"type": "http://ns.adobe.com/aep/errors/DPS-1010-400",
            "title": "Bad request", "status": 400, "detail": "Invalid property filter"});
        let gateway = |code: &str, message: &str| json!({"error_code": code, "message": message});
        let rows: Vec<(&str, Error, Expect)> = vec![
            (
                "invalid id",
                Error::from(AdobeOfferId::new(" o1").expect_err("padded")),
                (None, None, None, None, false, false, true),
            ),
            (
                "invalid offer type",
                client(MockResponse::new(200), None)
                    .delete_offer(&offer, OfferType::parse("archived"))
                    .await
                    .expect_err("type"),
                (None, None, None, None, false, false, true),
            ),
            (
                "gateway 401013",
                client(
                    with_id(MockResponse::json(
                        401,
                        &gateway("401013", "Oauth token is not valid"),
                    )),
                    None,
                )
                .delete_offer(&offer, OfferType::Personalized)
                .await
                .expect_err("401"),
                (
                    Some(401),
                    Some("401013"),
                    Some("Oauth token is not valid"),
                    Some("req-1"),
                    false,
                    true,
                    false,
                ),
            ),
            (
                "gateway 400003",
                client(
                    MockResponse::json(400, &gateway("400003", "Missing header")),
                    None,
                )
                .delete_offer(&offer, OfferType::Personalized)
                .await
                .expect_err("400"),
                (
                    Some(400),
                    Some("400003"),
                    Some("Missing header"),
                    None,
                    false,
                    true,
                    false,
                ),
            ),
            (
                "unauthorized 403",
                client(
                    with_id(MockResponse::json(
                        403,
                        &json!({"type": "x", "title": "Forbidden", "status": 403}),
                    )),
                    None,
                )
                .get_offer(&offer, OfferType::Personalized)
                .await
                .expect_err("403"),
                (
                    Some(403),
                    Some("x"),
                    Some("Forbidden"),
                    Some("req-1"),
                    false,
                    true,
                    false,
                ),
            ),
            (
                "rejected 400",
                client(with_id(MockResponse::json(400, &problem)), None)
                    .list_offers(OfferType::Personalized, &ListOptions::new())
                    .await
                    .expect_err("400"),
                (
                    Some(400),
                    Some("http://ns.adobe.com/aep/errors/DPS-1010-400"),
                    Some("Invalid property filter"),
                    Some("req-1"),
                    false,
                    false,
                    false,
                ),
            ),
            (
                "server error",
                client(
                    MockResponse::json(503, &json!({"title": "Unavailable", "status": 503})),
                    None,
                )
                .delete_offer(&offer, OfferType::Fallback)
                .await
                .expect_err("503"),
                (
                    Some(503),
                    None,
                    Some("Unavailable"),
                    None,
                    true,
                    false,
                    false,
                ),
            ),
            (
                "throttled",
                client(MockResponse::new(429).header("retry-after", "0"), None)
                    .delete_offer(&offer, OfferType::Fallback)
                    .await
                    .expect_err("429"),
                (Some(429), None, None, None, true, false, false),
            ),
            (
                "token refused",
                client(
                    MockResponse::new(200),
                    Some(MockResponse::json(400, &json!({"error": "invalid_client"}))),
                )
                .delete_offer(&offer, OfferType::Fallback)
                .await
                .expect_err("token"),
                (Some(400), None, None, None, false, true, false),
            ),
            (
                "still present",
                client(with_id(MockResponse::json(200, &json!({"id": "o1"}))), None)
                    .delete_and_verify(&offer, OfferType::Personalized)
                    .await
                    .expect_err("still there"),
                (Some(200), None, None, Some("req-1"), false, false, false),
            ),
        ];
        for (name, err, expected) in rows {
            let got = (
                err.status().map(|s| s.as_u16()),
                err.code(),
                err.message(),
                err.request_id().map(str::to_owned),
                err.is_transient(),
                err.is_unauthorized(),
                err.is_invalid_argument(),
            );
            let (status, code, message, request_id, transient, unauthorized, invalid) = expected;
            let want = (
                status,
                code.map(str::to_owned),
                message.map(str::to_owned),
                request_id.map(str::to_owned),
                transient,
                unauthorized,
                invalid,
            );
            assert_eq!(got, want, "{name}: {err:?}");
        }
    }

    #[test]
    fn ids_refused_as_invalid_offer_ids() {
        for bad in ["", "   ", " a", "a\t", "a\nb", "a\u{0}b", ".", ".."] {
            let err = Error::from(AdobeOfferId::new(bad).expect_err(bad));
            assert!(err.to_string().starts_with("invalid offer_id: "), "{err}");
        }
        for good in [
            "a",
            "a/b?x=1",
            "special offer 1",
            "🎉",
            "...",
            "xcore:personalized-offer:1",
        ] {
            assert_eq!(AdobeOfferId::new(good).expect(good).as_str(), good);
        }
        let padded = Error::from(AdobeOfferId::new("a ").expect_err("padded"));
        assert!(
            padded
                .to_string()
                .contains("exactly as the Offer Library returns it"),
            "{padded}"
        );
    }

    #[test]
    fn ids_are_checked_when_deserialized() {
        let ok: AdobeOfferId = serde_json::from_str("\"x\"").expect("valid");
        assert_eq!(serde_json::to_string(&ok).expect("ser"), "\"x\"");
        assert!(serde_json::from_str::<AdobeOfferId>("\"\"").is_err());
    }
}
