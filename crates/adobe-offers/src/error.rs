//! [`Error`]: everything an Offer Library call can fail with, with the AEP gateway codes typed.

use offerkit_models::adobe_offers::{AepError, AepErrorKind, OfferType};
use offerkit_transport::Refusal;

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
/// token request) is the transport's [`offerkit_transport::Error`] in [`Error::Transport`].
/// A 404 on delete is not an error: it is [`crate::Retraction::AlreadyRetracted`].
///
/// ```
/// use offerkit_adobe_offers::Error;
/// fn advice(err: &Error) -> &'static str {
///     if err.is_auth() {
///         "check the OFFERKIT_ADOBE_* credentials"
///     } else if err.is_still_present() {
///         "Adobe said deleted but still serves it: check again later"
///     } else if err.is_transient() {
///         "try again later"
///     } else {
///         "fix the request"
///     }
/// }
/// let err = offerkit_adobe_offers::OfferId::new("").unwrap_err();
/// assert_eq!(advice(&err), "fix the request");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An argument was refused before anything was sent.
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
        /// The transport's error, with the raw and parsed body.
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
        /// The transport's error, with the raw and parsed body.
        #[source]
        source: offerkit_transport::Error,
    },

    /// The Offer Library rejected the request (400, 409, 415, 422…): fix the request, do not retry.
    /// Problem details and the content-type error are read by [`Error::aep_error`].
    #[error("Adobe rejected `{operation}` with HTTP {status}{}", source.answer_suffix())]
    Rejected {
        /// The operation, e.g. `list_offers`.
        operation: &'static str,
        /// The HTTP status.
        status: u16,
        /// The transport's error, with the raw and parsed body.
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
    /// or a failed IMS token request.
    #[error(transparent)]
    Transport(#[from] offerkit_transport::Error),
}

impl Error {
    /// Sorts a transport error into the typed variants.
    pub(crate) fn from_transport(operation: &'static str, err: offerkit_transport::Error) -> Self {
        let Some(status) = err
            .status()
            .filter(|_| matches!(err, offerkit_transport::Error::Api(_)))
        else {
            return Self::Transport(err);
        };
        let gateway = err
            .error_body()
            .and_then(|b| b.code.clone())
            .and_then(|c| GatewayError::from_code(&c))
            .filter(|_| status.is_client_error());
        if let Some(error) = gateway {
            return Self::Gateway {
                error,
                status: status.as_u16(),
                source: err,
            };
        }
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

    /// `true` when the credentials were refused ([`Error::Gateway`], [`Error::Unauthorized`], or a
    /// failed IMS token request).
    ///
    /// ```
    /// # let err = offerkit_adobe_offers::OfferId::new("").unwrap_err();
    /// assert!(!err.is_auth());
    /// ```
    pub fn is_auth(&self) -> bool {
        matches!(
            self,
            Self::Gateway { .. }
                | Self::Unauthorized { .. }
                | Self::Transport(offerkit_transport::Error::Auth(_))
        )
    }

    /// `true` for [`Error::Rejected`].
    ///
    /// ```
    /// # let err = offerkit_adobe_offers::OfferId::new("").unwrap_err();
    /// assert!(!err.is_rejected());
    /// ```
    pub fn is_rejected(&self) -> bool {
        matches!(self, Self::Rejected { .. })
    }

    /// `true` for [`Error::StillPresent`].
    ///
    /// ```
    /// # let err = offerkit_adobe_offers::OfferId::new("").unwrap_err();
    /// assert!(!err.is_still_present());
    /// ```
    pub fn is_still_present(&self) -> bool {
        matches!(self, Self::StillPresent { .. })
    }

    /// `true` for an argument refused before sending.
    ///
    /// ```
    /// # let err = offerkit_adobe_offers::OfferId::new("").unwrap_err();
    /// assert!(err.is_invalid_argument());
    /// ```
    pub fn is_invalid_argument(&self) -> bool {
        matches!(
            self,
            Self::InvalidArgument { .. }
                | Self::Transport(offerkit_transport::Error::InvalidInput { .. })
        )
    }

    /// `true` if the same call may succeed later (connect, timeout, throttling, 5xx).
    ///
    /// ```
    /// # let err = offerkit_adobe_offers::OfferId::new("").unwrap_err();
    /// assert!(!err.is_transient());
    /// ```
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Transport(e) if e.is_transient())
    }

    /// The gateway error, for [`Error::Gateway`].
    ///
    /// ```
    /// # let err = offerkit_adobe_offers::OfferId::new("").unwrap_err();
    /// assert_eq!(err.gateway_error(), None);
    /// ```
    pub fn gateway_error(&self) -> Option<GatewayError> {
        match self {
            Self::Gateway { error, .. } => Some(*error),
            _ => None,
        }
    }

    /// The HTTP status of Adobe's answer, when there was one.
    ///
    /// ```
    /// # let err = offerkit_adobe_offers::OfferId::new("").unwrap_err();
    /// assert_eq!(err.status(), None);
    /// ```
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Gateway { status, .. }
            | Self::Unauthorized { status, .. }
            | Self::Rejected { status, .. } => Some(*status),
            Self::StillPresent { .. } => Some(200),
            Self::Transport(e) => e.status().map(|s| s.as_u16()),
            Self::InvalidArgument { .. } => None,
        }
    }

    /// Adobe's request id, when known.
    ///
    /// ```
    /// # let err = offerkit_adobe_offers::OfferId::new("").unwrap_err();
    /// assert_eq!(err.request_id(), None);
    /// ```
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Self::StillPresent { request_id, .. } => request_id.as_deref(),
            _ => self
                .transport_error()
                .and_then(offerkit_transport::Error::request_id),
        }
    }

    /// Adobe's error code (`error_code`, else the problem `type`, else `status`), when sent.
    ///
    /// ```
    /// # let err = offerkit_adobe_offers::OfferId::new("").unwrap_err();
    /// assert_eq!(err.code(), None);
    /// ```
    pub fn code(&self) -> Option<String> {
        self.transport_error()
            .and_then(offerkit_transport::Error::error_body)
            .and_then(|b| b.code.clone())
    }

    /// Adobe's error message (`message`, else `detail`, else `title`), when sent.
    ///
    /// ```
    /// # let err = offerkit_adobe_offers::OfferId::new("").unwrap_err();
    /// assert_eq!(err.message(), None);
    /// ```
    pub fn message(&self) -> Option<String> {
        self.transport_error()
            .and_then(offerkit_transport::Error::error_body)
            .and_then(|b| b.message.clone())
    }

    /// The error body, typed ([`AepError`]: gateway, problem details or content-type shape).
    ///
    /// ```
    /// # let err = offerkit_adobe_offers::OfferId::new("").unwrap_err();
    /// assert!(err.aep_error().is_none());
    /// ```
    pub fn aep_error(&self) -> Option<AepError> {
        match self.transport_error()? {
            offerkit_transport::Error::Api(api) => serde_json::from_str(&api.body).ok(),
            offerkit_transport::Error::Throttled(t) => serde_json::from_str(&t.last.body).ok(),
            _ => None,
        }
    }

    /// Which of the three AEP error shapes the body has, when it had one.
    ///
    /// ```
    /// # let err = offerkit_adobe_offers::OfferId::new("").unwrap_err();
    /// assert_eq!(err.aep_error_kind(), None);
    /// ```
    pub fn aep_error_kind(&self) -> Option<AepErrorKind> {
        self.aep_error().as_ref().map(AepError::kind)
    }

    /// The transport error underneath, when there is one.
    ///
    /// ```
    /// # let err = offerkit_adobe_offers::OfferId::new("").unwrap_err();
    /// assert!(err.transport_error().is_none());
    /// ```
    pub fn transport_error(&self) -> Option<&offerkit_transport::Error> {
        match self {
            Self::Gateway { source, .. }
            | Self::Unauthorized { source, .. }
            | Self::Rejected { source, .. }
            | Self::Transport(source) => Some(source),
            Self::InvalidArgument { .. } | Self::StillPresent { .. } => None,
        }
    }
}
