//! [`Error`]: everything an Appcharge call can fail with.

use offerkit_models::VendorErrorBody;
use offerkit_models::appcharge::AppchargeErrorBody;
use offerkit_models::ids::InvalidId;
use offerkit_transport::{ErrorInfo, Refusal, StatusCode};

/// The error of every `offerkit-appcharge` call.
///
/// Appcharge's own answers that a caller usually handles are typed ([`Error::Unauthorized`],
/// [`Error::Rejected`]); everything else (connection failures, timeouts, 5xx, throttling after
/// retries, an unreadable body) is the transport's [`offerkit_transport::Error`] in
/// [`Error::Transport`], which says whether the request reached Appcharge.
///
/// A 404 on delete is not an error: it is [`crate::Retraction::AlreadyRetracted`] (once a read
/// confirms it, with [`crate::AppchargeClient::delete_and_verify`]; a read that still lists the
/// offer is [`Error::StillPresent`]).
///
/// The accessors (`status`, `code`, `message`, `request_id`, `is_transient`, `is_unauthorized`,
/// `is_invalid_argument`) come from [`ErrorInfo`]; `code` and `message` read Appcharge's typed
/// body ([`Error::error_body`]).
///
/// ```
/// use offerkit_appcharge::{Error, ErrorInfo};
/// fn advice(err: &Error) -> &'static str {
///     if err.is_unauthorized() {
///         "check OFFERKIT_APPCHARGE_PUBLISHER_TOKEN"
///     } else if err.is_transient() {
///         "try again later"
///     } else {
///         "fix the request"
///     }
/// }
/// let err = Error::from(offerkit_appcharge::PublisherOfferId::new("").unwrap_err());
/// assert_eq!(advice(&err), "fix the request");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An argument was refused before anything was sent (an invalid id, an empty id list, a
    /// missing publisher token).
    #[error("invalid {argument}: {reason}")]
    InvalidArgument {
        /// The argument, e.g. `publisher_offer_id`.
        argument: &'static str,
        /// Why it was refused.
        reason: String,
    },

    /// Appcharge refused the publisher token (HTTP 401, or 403 for a token of another publisher).
    ///
    /// [`ErrorInfo::message`], [`ErrorInfo::request_id`] and [`Error::error_body`] read the answer.
    #[error(
        "Appcharge refused the publisher token (HTTP {status}){}; check the x-publisher-token value \
         (env OFFERKIT_APPCHARGE_PUBLISHER_TOKEN; Publisher Dashboard > Settings > Integration) and \
         that the base URL matches the token's environment (production or sandbox)",
        answer_suffix(source)
    )]
    Unauthorized {
        /// 401 or 403.
        status: u16,
        /// The transport's error, with the raw and parsed body.
        #[source]
        source: offerkit_transport::Error,
    },

    /// Appcharge rejected the request (400, 409, 422 or another 4xx): fix the request, do not retry.
    ///
    /// The message says what Appcharge said: the V2 `errorMessage` and `errorCode`, or the V1
    /// `message`. [`ErrorInfo::message`] (a list of validation messages is joined with `; `),
    /// [`ErrorInfo::code`], [`ErrorInfo::request_id`] and [`Error::error_body`] (the typed
    /// [`AppchargeErrorBody`]) read the answer.
    #[error(
        "Appcharge rejected `{operation}` with HTTP {status}{}{}",
        answer_suffix(source),
        refusal_hint(operation)
    )]
    Rejected {
        /// The operation, e.g. `get_offers`.
        operation: &'static str,
        /// The HTTP status.
        status: u16,
        /// The transport's error, with the raw and parsed body.
        #[source]
        source: offerkit_transport::Error,
    },

    /// [`crate::AppchargeClient::delete_and_verify`]: the DELETE answered 404, but reading the
    /// offer back (`GET /v2/offer?publisherOfferIds=<id>`) still lists it. The offer is live and
    /// was not deleted; a 404 that the read refutes is never taken as "already retracted".
    #[error(
        "Appcharge answered 404 to the deletion of offer {publisher_offer_id}, but reading it back \
         still lists it{}{}: the offer is live, not deleted; check the base URL, then try again",
        active.map(|a| format!(" (active: {a})")).unwrap_or_default(),
        request_id.as_deref().map(|id| format!(" (request id {id})")).unwrap_or_default()
    )]
    StillPresent {
        /// The offer.
        publisher_offer_id: String,
        /// Its `active` flag as read back.
        active: Option<bool>,
        /// The request id of the read-back.
        request_id: Option<String>,
    },

    /// Any other failure: connection, timeout, 5xx, throttling after retries, an unreadable body,
    /// a refused base URL or missing configuration keys.
    #[error(transparent)]
    Transport(#[from] offerkit_transport::Error),
}

impl Error {
    /// Sorts a transport error into the typed variants (401/403, other 4xx except 404 and 429).
    pub(crate) fn from_transport(operation: &'static str, err: offerkit_transport::Error) -> Self {
        match err.refusal() {
            Some(Refusal::Unauthorized(status)) => Self::Unauthorized {
                status,
                source: err,
            },
            Some(Refusal::Rejected(status)) => Self::Rejected {
                operation,
                status,
                source: err,
            },
            _ => Self::Transport(err),
        }
    }

    /// `true` for [`Error::StillPresent`].
    pub fn is_still_present(&self) -> bool {
        matches!(self, Self::StillPresent { .. })
    }

    /// `true` when Appcharge rejected the request ([`Error::Rejected`]).
    pub fn is_rejected(&self) -> bool {
        matches!(self, Self::Rejected { .. })
    }

    /// Appcharge's error body, typed, when the answer had a JSON one: V2 `{errorCode,
    /// errorMessage}`, V1 `{message, requestUrl, body}` or `{statusCode, message[], error}`.
    pub fn error_body(&self) -> Option<AppchargeErrorBody> {
        answer_body(self.transport_error()?)
    }
}

/// The body of an answer, when `err` is one (also the last answer of a throttled call).
fn answer_body(err: &offerkit_transport::Error) -> Option<AppchargeErrorBody> {
    match err {
        offerkit_transport::Error::Api(api) => serde_json::from_str(&api.body).ok(),
        offerkit_transport::Error::Throttled(t) => serde_json::from_str(&t.last.body).ok(),
        _ => None,
    }
}

/// `: <Appcharge's message> (error code <code>) (request id <id>)`, each part when known: what
/// Appcharge said, read with its own error model (V2 `errorMessage`/`errorCode`, V1 `message`,
/// message lists), which also gives the code the transport's generic suffix leaves out.
fn answer_suffix(err: &offerkit_transport::Error) -> String {
    let body = answer_body(err);
    let mut text = String::new();
    if let Some(message) = body.as_ref().and_then(VendorErrorBody::message) {
        text.push_str(": ");
        text.push_str(message.trim());
    }
    if let Some(code) = body.as_ref().and_then(VendorErrorBody::code) {
        text.push_str(" (error code ");
        text.push_str(code.trim());
        text.push(')');
    }
    if let Some(id) = err.request_id() {
        text.push_str(" (request id ");
        text.push_str(id);
        text.push(')');
    }
    text
}

/// What a refusal of `operation` most likely means, when the documentation says more than the
/// answer: `list_offers` sends `GET /v2/offer` without `publisherOfferIds`, which the V2 OpenAPI
/// marks required (docs/vendors.md, "Appcharge").
fn refusal_hint(operation: &str) -> &'static str {
    match operation {
        LIST_OFFERS => {
            "; Appcharge documents GET /v2/offer only with publisherOfferIds (marked required), so \
             listing every offer may be refused: read the offers you know with get_offers"
        }
        _ => "",
    }
}

/// The operation name of [`crate::AppchargeClient::list_offers`].
pub(crate) const LIST_OFFERS: &str = "list_offers";

/// An id refused by the one id check is this crate's [`Error::InvalidArgument`].
impl From<InvalidId> for Error {
    fn from(err: InvalidId) -> Self {
        Self::InvalidArgument {
            argument: err.argument(),
            reason: err.reason(),
        }
    }
}

/// Appcharge's own answers know more than the transport's generic reading: the typed body gives
/// the code and message, and the read-back of [`Error::StillPresent`] answered 200 with its own
/// request id.
impl ErrorInfo for Error {
    fn transport_error(&self) -> Option<&offerkit_transport::Error> {
        match self {
            Self::InvalidArgument { .. } | Self::StillPresent { .. } => None,
            Self::Unauthorized { source, .. }
            | Self::Rejected { source, .. }
            | Self::Transport(source) => Some(source),
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

    fn request_id(&self) -> Option<&str> {
        match self {
            Self::StillPresent { request_id, .. } => request_id.as_deref(),
            _ => self
                .transport_error()
                .and_then(offerkit_transport::Error::request_id),
        }
    }

    /// Appcharge's code: `code`, else V2 `errorCode`, else `statusCode`, else `error` of the typed
    /// body.
    fn code(&self) -> Option<String> {
        self.error_body()
            .and_then(|b| b.code())
            .or_else(|| self.transport_error()?.error_body()?.code.clone())
    }

    /// Appcharge's message: V2 `errorMessage`, else V1 `message` (a list is joined with `; `), else
    /// `error` of the typed body.
    fn message(&self) -> Option<String> {
        self.error_body()
            .and_then(|b| b.message())
            .or_else(|| self.transport_error()?.error_body()?.message.clone())
    }

    fn is_invalid_argument(&self) -> bool {
        matches!(self, Self::InvalidArgument { .. })
            || matches!(
                self.transport_error(),
                Some(offerkit_transport::Error::InvalidInput { .. })
            )
    }
}

#[cfg(test)]
mod tests {
    //! Every [`ErrorInfo`] accessor, on real errors built from mock answers.

    use offerkit_transport::mock::{MockResponse, MockTransport};
    use serde_json::json;

    use super::*;
    use crate::{AppchargeClient, PublisherOfferId};

    /// The error `delete_offer` returns when every attempt gets `answer`.
    async fn delete_error(answer: MockResponse) -> Error {
        let mock = MockTransport::new(move |_| answer.clone());
        let client = AppchargeClient::builder()
            .publisher_token("t")
            .transport(mock.transport())
            .build()
            .expect("client");
        let id = PublisherOfferId::new("x").expect("id");
        client.delete_offer(&id).await.expect_err("an error")
    }

    /// status, code, message, request id, transient, unauthorized, invalid argument.
    type Row<'a> = (
        Option<u16>,
        Option<&'a str>,
        Option<&'a str>,
        Option<&'a str>,
        bool,
        bool,
        bool,
    );

    #[tokio::test]
    async fn every_accessor_on_every_kind_of_error() {
        let answer = |status: u16, body: serde_json::Value| {
            MockResponse::json(status, &body).header("x-request-id", "r-1")
        };
        let invalid_id = Error::from(PublisherOfferId::new(" x").expect_err("padded"));
        let no_config = AppchargeClient::from_lookup(&|_| None).expect_err("no token");
        let bad_url = AppchargeClient::builder()
            .publisher_token("t")
            .base_url("http://example.com")
            .build()
            .expect_err("remote http");
        let cases: Vec<(&str, Error, Row<'_>)> = vec![
            ("invalid id", invalid_id, (None, None, None, None, false, false, true)),
            ("missing config", no_config, (None, None, None, None, false, false, true)),
            ("refused base url", bad_url, (None, None, None, None, false, false, true)),
            (
                "401",
                delete_error(answer(401, json!({"message": "Unauthorized: bad token", "requestUrl": "/v2/offer/x"}))).await,
                (Some(401), None, Some("Unauthorized: bad token"), Some("r-1"), false, true, false),
            ),
            (
                "403",
                delete_error(answer(403, json!({"statusCode": 403, "error": "Forbidden", "message": "Forbidden resource"}))).await,
                (Some(403), Some("403"), Some("Forbidden resource"), Some("r-1"), false, true, false),
            ),
            (
                "400 in the V2 shape",
                delete_error(answer(400, json!({"errorCode": 1002, "errorMessage": "Offer design not found"}))).await,
                (Some(400), Some("1002"), Some("Offer design not found"), Some("r-1"), false, false, false),
            ),
            (
                "400 with a list of messages",
                delete_error(answer(400, json!({"statusCode": 400, "message": ["a", "b"], "error": "Bad Request"}))).await,
                (Some(400), Some("400"), Some("a; b"), Some("r-1"), false, false, false),
            ),
            (
                "409 with a code",
                delete_error(answer(409, json!({"message": "Offer is in use", "code": "OFFER_IN_USE"}))).await,
                (Some(409), Some("OFFER_IN_USE"), Some("Offer is in use"), Some("r-1"), false, false, false),
            ),
            (
                "422 with only an error name",
                delete_error(answer(422, json!({"error": "Unprocessable Entity"}))).await,
                (Some(422), Some("Unprocessable Entity"), Some("Unprocessable Entity"), Some("r-1"), false, false, false),
            ),
            (
                "503 after retries",
                delete_error(answer(503, json!({"message": "Service Unavailable"}))).await,
                (Some(503), None, Some("Service Unavailable"), Some("r-1"), true, false, false),
            ),
            (
                "429 after retries",
                delete_error(answer(429, json!({"message": "Rate limit"})).header("retry-after", "0")).await,
                (Some(429), None, Some("Rate limit"), Some("r-1"), true, false, false),
            ),
            (
                "text body",
                delete_error(MockResponse::text(401, "Not Authorized")).await,
                (Some(401), None, None, None, false, true, false),
            ),
            (
                "connection refused",
                delete_error(MockResponse::connect_error()).await,
                (None, None, None, None, true, false, false),
            ),
        ];
        for (name, err, expected) in &cases {
            let (code, message) = (err.code(), err.message());
            let actual: Row<'_> = (
                err.status().map(|s| s.as_u16()),
                code.as_deref(),
                message.as_deref(),
                err.request_id(),
                err.is_transient(),
                err.is_unauthorized(),
                err.is_invalid_argument(),
            );
            assert_eq!(&actual, expected, "{name}: {err}");
        }
    }
}
