//! [`Error`]: every way an orders call can fail, with Partner Center's error codes typed.
//!
//! Partner Center answers errors as `{"code": 20000, "description": "...", "data": [], "source": "PartnerFD"}`
//! (the code is documented as a string but sent as a number) and throttling as
//! `{"statusCode": 429, "message": "..."}`. Both are read with
//! [`OrdersErrorBody`](offerkit_models::partner_center_orders::OrdersErrorBody); the codes that matter for
//! cancellations get their own variant, everything else keeps its code and description in [`Error::Api`].

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use offerkit_models::VendorErrorBody;
use offerkit_models::ids::{CustomerTenantId, InvalidId, OrderId};
use offerkit_models::partner_center_orders::OrdersErrorBody;
use offerkit_transport::{Error as TransportError, ErrorInfo};

/// What Partner Center said when it refused a call: HTTP status, error code, description, request id.
///
/// ```
/// use offerkit_partner_center_orders::VendorAnswer;
/// let answer = VendorAnswer::new(404, Some("20000".into()), Some("Order Id not found".into()));
/// assert_eq!(answer.to_string(), "HTTP 404, code 20000: Order Id not found");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct VendorAnswer {
    /// The HTTP status.
    pub status: u16,
    /// The Partner Center error code as text (`"20000"`, `"4018"`, `"429"` for the throttling shape).
    pub code: Option<String>,
    /// The description (`description`, or `message` of the throttling shape), HTML entities decoded.
    pub description: Option<String>,
    /// The `MS-RequestId` of the call (the one Partner Center echoed, or the one offerkit sent).
    pub request_id: Option<String>,
    /// The `MS-CorrelationId` offerkit sent.
    pub correlation_id: Option<String>,
}

impl VendorAnswer {
    /// An answer from its parts (request ids unset).
    pub fn new(status: u16, code: Option<String>, description: Option<String>) -> Self {
        Self {
            status,
            code,
            description,
            request_id: None,
            correlation_id: None,
        }
    }

    fn from_api(api: &offerkit_transport::ApiError) -> Self {
        let body: Option<OrdersErrorBody> = serde_json::from_str(&api.body).ok();
        let code = body.as_ref().and_then(VendorErrorBody::code);
        let description = body
            .as_ref()
            .and_then(VendorErrorBody::message)
            .map(|d| decode_entities(&d));
        Self {
            status: api.status.as_u16(),
            code,
            description,
            request_id: api.request_id.clone(),
            correlation_id: api.correlation_id.clone(),
        }
    }

    fn code_is(&self, code: &str) -> bool {
        self.code.as_deref().map(str::trim) == Some(code)
    }
}

impl fmt::Display for VendorAnswer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {}", self.status)?;
        if let Some(code) = &self.code {
            write!(f, ", code {code}")?;
        }
        if let Some(description) = &self.description {
            write!(f, ": {description}")?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " (MS-RequestId {id})")?;
        }
        Ok(())
    }
}

/// The error of every call in this crate.
///
/// Match on the variant, or use the [`ErrorInfo`] accessors (`status`, `code`, `message`,
/// `request_id`, `is_transient`, `is_unauthorized`, `is_invalid_argument`) and the predicates
/// [`Error::is_not_found`], [`Error::is_throttled`], [`Error::is_outside_cancellation_window`]. The
/// underlying transport error is kept as the [`source`](std::error::Error::source) of every variant
/// that involved a request.
///
/// ```
/// use offerkit_partner_center_orders::{Error, ErrorInfo};
/// fn advice(err: &Error) -> &'static str {
///     match err {
///         Error::OrderNotFound { .. } => "check the customer and order ids",
///         Error::UnableToProcess { outside_cancellation_window: true, .. } => "too late to cancel",
///         Error::Throttled { .. } => "slow down",
///         e if e.is_transient() => "try again later",
///         _ => "see the message",
///     }
/// }
/// # let _ = advice;
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An argument or setting was refused before anything was sent (an invalid id, an empty
    /// line-item list, a bad base URL, missing `OFFERKIT_ORDERS_*` keys...).
    #[error("invalid {argument}: {reason}")]
    InvalidArgument {
        /// The argument, e.g. `customer_id`, `line_items`, `base_url`, or the missing keys.
        argument: Cow<'static, str>,
        /// Why it was refused.
        reason: String,
    },
    /// Some requested line numbers do not exist on the order (found by the read before the cancel).
    /// Nothing was cancelled.
    #[error(
        "order {order_id} has no line item {}; its line items are {}. Nothing was cancelled",
        list(missing),
        list(available)
    )]
    LineItemsNotFound {
        /// The order.
        order_id: OrderId,
        /// The requested line numbers the order does not have.
        missing: Vec<u32>,
        /// The line numbers the order has.
        available: Vec<u32>,
    },
    /// Partner Center does not know the order for this customer (code 20000, or any 404 on an order).
    #[error(
        "Partner Center order {} was not found for customer {} ({answer})",
        opt(order_id),
        opt(customer_tenant_id)
    )]
    OrderNotFound {
        /// The customer, when the call named one.
        customer_tenant_id: Option<CustomerTenantId>,
        /// The order, when the call named one.
        order_id: Option<OrderId>,
        /// What Partner Center said.
        answer: Box<VendorAnswer>,
        /// The transport error.
        #[source]
        source: Box<TransportError>,
    },
    /// Code 4018 "Unable to process this order", e.g. a cancellation outside the cancellation window
    /// (30 days for perpetual software, 7 days for software subscriptions). Nothing was cancelled.
    #[error("Partner Center could not process the order{} ({answer})", if *outside_cancellation_window {
        ": the cancellation window has ended (30 days for perpetual software, 7 days for software subscriptions)"
    } else { "" })]
    UnableToProcess {
        /// Whether the description says the cancellation window has ended.
        outside_cancellation_window: bool,
        /// What Partner Center said.
        answer: Box<VendorAnswer>,
        /// The transport error.
        #[source]
        source: Box<TransportError>,
    },
    /// Code 800002 "Invalid request input" or 3000 "Invalid property": the request was refused as
    /// malformed (a body id that does not match the path, an unknown line item, a wrong offer id...).
    #[error("Partner Center refused the request as invalid ({answer})")]
    InvalidInput {
        /// What Partner Center said.
        answer: Box<VendorAnswer>,
        /// The transport error.
        #[source]
        source: Box<TransportError>,
    },
    /// Code 20002: the partner has no commerce relationship with this customer.
    #[error(
        "the partner has no commerce relationship with this customer; check the customer tenant id ({answer})"
    )]
    NoRelationship {
        /// What Partner Center said.
        answer: Box<VendorAnswer>,
        /// The transport error.
        #[source]
        source: Box<TransportError>,
    },
    /// 401/403, codes 400 "Access denied" and 800001 "Partner token missing": the token was refused,
    /// or the app lacks access. Check the Azure AD app, its consent and the token resource
    /// `https://api.partnercenter.microsoft.com`.
    #[error(
        "Partner Center refused the credentials ({answer}); check the Azure AD app, its Partner Center \
         consent and the token resource https://api.partnercenter.microsoft.com"
    )]
    Unauthorized {
        /// What Partner Center said.
        answer: Box<VendorAnswer>,
        /// The transport error.
        #[source]
        source: Box<TransportError>,
    },
    /// 429 (the Order resource allows 500 requests per minute per tenant) still answered after the
    /// transport's retries, each of which waited `Retry-After`.
    #[error("Partner Center is still throttling ({answer}){}", match retry_after {
        Some(d) => format!("; it asked to wait {}s", d.as_secs()),
        None => String::new(),
    })]
    Throttled {
        /// The last `Retry-After`.
        retry_after: Option<Duration>,
        /// What Partner Center said.
        answer: Box<VendorAnswer>,
        /// The transport error.
        #[source]
        source: Box<TransportError>,
    },
    /// Any other error answer, with its code and description kept.
    #[error("Partner Center answered an error ({answer})")]
    Api {
        /// What Partner Center said.
        answer: Box<VendorAnswer>,
        /// The transport error.
        #[source]
        source: Box<TransportError>,
    },
    /// No usable answer: connect failure, timeout, token failure, unreadable body...
    #[error(transparent)]
    Transport(Box<TransportError>),
}

/// Any transport error, typed with the Partner Center codes (without an order to name).
impl From<TransportError> for Error {
    fn from(err: TransportError) -> Self {
        Self::from_transport(err, Scope::default())
    }
}

/// An id refused by [`offerkit_models::ids::check_path_id`]: nothing was sent.
impl From<InvalidId> for Error {
    fn from(err: InvalidId) -> Self {
        Self::invalid_argument(err.argument(), err.reason())
    }
}

/// The order a call was about, used to fill [`Error::OrderNotFound`].
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Scope<'a> {
    pub(crate) customer: Option<&'a CustomerTenantId>,
    pub(crate) order: Option<&'a OrderId>,
}

impl Error {
    /// Builds an [`Error::InvalidArgument`].
    ///
    /// ```
    /// use offerkit_partner_center_orders::Error;
    /// let err = Error::invalid_argument("line_items", "must not be empty");
    /// assert_eq!(err.to_string(), "invalid line_items: must not be empty");
    /// ```
    pub fn invalid_argument(
        argument: impl Into<Cow<'static, str>>,
        reason: impl Into<String>,
    ) -> Self {
        Self::InvalidArgument {
            argument: argument.into(),
            reason: reason.into(),
        }
    }

    /// Types a transport error with the Partner Center error codes.
    pub(crate) fn from_transport(err: TransportError, scope: Scope<'_>) -> Self {
        let (answer, retry_after, throttled) = match &err {
            TransportError::InvalidInput { argument, reason } => {
                return Self::InvalidArgument {
                    argument: argument.clone(),
                    reason: reason.clone(),
                };
            }
            TransportError::Api(api) => (VendorAnswer::from_api(api), api.retry_after, false),
            TransportError::Throttled(t) => (VendorAnswer::from_api(&t.last), t.retry_after, true),
            _ => return Self::Transport(Box::new(err)),
        };
        let source = Box::new(err);
        let answer = Box::new(answer);
        if throttled || answer.status == 429 {
            Self::Throttled {
                retry_after,
                answer,
                source,
            }
        } else if answer.code_is("20000") || (answer.status == 404 && scope.order.is_some()) {
            Self::OrderNotFound {
                customer_tenant_id: scope.customer.cloned(),
                order_id: scope.order.cloned(),
                answer,
                source,
            }
        } else if answer.code_is("4018") {
            let outside_cancellation_window = answer.description.as_deref().is_some_and(|d| {
                let d = d.to_ascii_lowercase();
                d.contains("cancellation window") || d.contains("cancel window")
            });
            Self::UnableToProcess {
                outside_cancellation_window,
                answer,
                source,
            }
        } else if answer.code_is("20002") {
            Self::NoRelationship { answer, source }
        } else if matches!(answer.status, 401 | 403)
            || answer.code_is("400")
            || answer.code_is("800001")
        {
            Self::Unauthorized { answer, source }
        } else if answer.code_is("800002") || answer.code_is("3000") {
            Self::InvalidInput { answer, source }
        } else {
            Self::Api { answer, source }
        }
    }

    /// What Partner Center answered (status, typed code, decoded description, `MS-RequestId`),
    /// for every variant that had an answer.
    pub fn answer(&self) -> Option<&VendorAnswer> {
        match self {
            Self::OrderNotFound { answer, .. }
            | Self::UnableToProcess { answer, .. }
            | Self::InvalidInput { answer, .. }
            | Self::NoRelationship { answer, .. }
            | Self::Unauthorized { answer, .. }
            | Self::Throttled { answer, .. }
            | Self::Api { answer, .. } => Some(answer.as_ref()),
            _ => None,
        }
    }

    /// `true` for [`Error::OrderNotFound`].
    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::OrderNotFound { .. })
    }

    /// `true` for [`Error::Throttled`].
    pub fn is_throttled(&self) -> bool {
        matches!(self, Self::Throttled { .. })
    }

    /// `true` when Partner Center refused a cancellation because its window has ended (code 4018).
    pub fn is_outside_cancellation_window(&self) -> bool {
        matches!(
            self,
            Self::UnableToProcess {
                outside_cancellation_window: true,
                ..
            }
        )
    }

    /// `true` when Partner Center refused the request itself (4xx other than not-found, auth and
    /// throttling): the cases where a read-back may show the order already cancelled.
    pub(crate) fn is_rejection(&self) -> bool {
        match self {
            Self::UnableToProcess { .. } | Self::InvalidInput { .. } => true,
            Self::Api { answer, .. } => matches!(answer.status, 400 | 409 | 412 | 422),
            _ => false,
        }
    }
}

/// The common accessors. `code` and `message` come from Partner Center's typed body (numeric or
/// string code, HTML entities decoded); `status`, `request_id` and `is_transient` are the
/// transport's.
impl ErrorInfo for Error {
    fn transport_error(&self) -> Option<&TransportError> {
        match self {
            Self::OrderNotFound { source, .. }
            | Self::UnableToProcess { source, .. }
            | Self::InvalidInput { source, .. }
            | Self::NoRelationship { source, .. }
            | Self::Unauthorized { source, .. }
            | Self::Throttled { source, .. }
            | Self::Api { source, .. } => Some(source.as_ref()),
            Self::Transport(source) => Some(source.as_ref()),
            Self::InvalidArgument { .. } | Self::LineItemsNotFound { .. } => None,
        }
    }

    fn code(&self) -> Option<String> {
        self.answer().and_then(|a| a.code.clone())
    }

    fn message(&self) -> Option<String> {
        self.answer().and_then(|a| a.description.clone())
    }

    /// Codes 400 and 800001 are refused credentials whatever the status; a 403 with another code
    /// (20002, no relationship) is not.
    fn is_unauthorized(&self) -> bool {
        match self {
            Self::Unauthorized { .. } => true,
            Self::Transport(e) => e.is_unauthorized(),
            _ => false,
        }
    }

    /// Missing line items count too: nothing was changed, and the same call fails the same way.
    fn is_invalid_argument(&self) -> bool {
        matches!(
            self,
            Self::InvalidArgument { .. } | Self::LineItemsNotFound { .. }
        )
    }
}

fn list(items: &[u32]) -> String {
    if items.is_empty() {
        return "(none)".to_owned();
    }
    items
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn opt<T: fmt::Display>(value: &Option<T>) -> String {
    value
        .as_ref()
        .map_or_else(|| "(unnamed)".to_owned(), ToString::to_string)
}

/// Partner Center descriptions may carry HTML entities (`&#39;`); decode the common ones.
fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    text.replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_html_entities() {
        assert_eq!(
            decode_entities("can&#39;t &quot;x&quot; &amp;"),
            "can't \"x\" &"
        );
        assert_eq!(decode_entities("plain"), "plain");
    }
}
