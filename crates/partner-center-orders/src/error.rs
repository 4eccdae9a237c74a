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
use offerkit_models::ids::{CustomerTenantId, InvalidId, OrderId, SubscriptionId};
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
///         e if e.is_outside_cancellation_window() => "too late to cancel",
///         Error::RefusedByPolicy { meaning, .. } => *meaning,
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
    /// The cancellation window has ended: codes 900117 ("You have passed your {0}-day cancellation
    /// window. We are unable to cancel your purchase") and 900213 (the `{0}-hour` variant) of the
    /// Partner Center error-code table (`developer/error-codes.md`), or a subscription whose
    /// `cancellationAllowedUntilDate` has passed by this client's clock (then nothing was sent).
    /// Nothing was cancelled; past the window, turning auto-renew off is the only lever left.
    #[error(
        "the cancellation window has ended{}; nothing was cancelled{}",
        ended_on(window_ended),
        answer_suffix(answer)
    )]
    OutsideCancellationWindow {
        /// The window's last day, `YYYY-MM-DD` (UTC), when known: the subscription's
        /// `cancellationAllowedUntilDate` (the vendor's refusal names only the window's length).
        window_ended: Option<String>,
        /// What Partner Center said; `None` when the client's own pre-check refused.
        answer: Option<Box<VendorAnswer>>,
        /// The transport error; `None` when nothing was sent.
        #[source]
        source: Option<Box<TransportError>>,
    },
    /// A business rule refuses the change, whoever asks: not a credential problem, and the same
    /// call fails the same way. Codes (meanings from the Partner Center error-code table,
    /// `developer/error-codes.md`): see [`POLICY_REFUSALS`].
    #[error("Partner Center refused by policy: {meaning} ({answer})")]
    RefusedByPolicy {
        /// The documented meaning of the code.
        meaning: &'static str,
        /// What Partner Center said.
        answer: Box<VendorAnswer>,
        /// The transport error.
        #[source]
        source: Box<TransportError>,
    },
    /// Code 2055 "Etag is no longer valid" (or HTTP 412): the resource changed since it was read.
    /// Nothing was changed; read it again before retrying.
    #[error("the resource changed since it was read (stale ETag); nothing was changed ({answer})")]
    ChangedSinceRead {
        /// What Partner Center said.
        answer: Box<VendorAnswer>,
        /// The transport error.
        #[source]
        source: Box<TransportError>,
    },
    /// Codes 900278 "There is a pending operation on this subscription. Please try again after 24
    /// hours" and 800082 "Subscription is not ready to be updated" (HTTP 409): try again later.
    #[error("Partner Center has an operation pending on this resource; try again later ({answer})")]
    PendingOperation {
        /// What Partner Center said.
        answer: Box<VendorAnswer>,
        /// The transport error.
        #[source]
        source: Box<TransportError>,
    },
    /// Code 20003 "Subscription with ID {0} not found" (or any 404 on a subscription).
    #[error(
        "Partner Center subscription {} was not found for customer {} ({answer})",
        opt(subscription_id),
        opt(customer_tenant_id)
    )]
    SubscriptionNotFound {
        /// The customer, when the call named one.
        customer_tenant_id: Option<CustomerTenantId>,
        /// The subscription, when the call named one.
        subscription_id: Option<SubscriptionId>,
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
    pub(crate) subscription: Option<&'a SubscriptionId>,
}

/// Business refusals typed as [`Error::RefusedByPolicy`]: code and its meaning in the Partner Center
/// error-code table (`developer/error-codes.md`; kvamseek/partner-center is a public copy of the docs
/// source). Several are answered with HTTP 403, which without this table would read as refused
/// credentials.
pub const POLICY_REFUSALS: &[(&str, &str)] = &[
    (
        "800019",
        "non-sandbox tenants aren't allowed to cancel purchases other than software subscriptions and perpetual software",
    ),
    (
        "800060",
        "your order is in progress; check your order history for recent orders in a few minutes",
    ),
    ("800061", "the order can't be canceled"),
    (
        "800063",
        "this order can't be canceled; use PATCH /customers/{customer}/subscriptions/{subscriptionId} instead",
    ),
    (
        "800077",
        "cancelling seat-based SaaS isn't supported via patch order; use patch subscription instead",
    ),
    (
        "800091",
        "a subscription with suspended status can't be updated",
    ),
    (
        "800093",
        "the subscription isn't eligible to be auto-renewed",
    ),
    ("800096", "the status of this subscription can't be updated"),
    (
        "900279",
        "update operations are no longer allowed for this subscription",
    ),
    (
        "900280",
        "update operations are currently not allowed for this subscription",
    ),
];

/// Codes whose description says the cancellation window has ended (error-code table:
/// 900117 days, 900213 hours).
const OUTSIDE_WINDOW_CODES: &[&str] = &["900117", "900213"];

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
        } else if let Some(meaning) = POLICY_REFUSALS
            .iter()
            .find(|(code, _)| answer.code_is(code))
            .map(|(_, meaning)| *meaning)
        {
            // Before the 401/403 branch: 800019 and 800077 come with HTTP 403.
            Self::RefusedByPolicy {
                meaning,
                answer,
                source,
            }
        } else if OUTSIDE_WINDOW_CODES.iter().any(|c| answer.code_is(c)) {
            Self::OutsideCancellationWindow {
                window_ended: None,
                answer: Some(answer),
                source: Some(source),
            }
        } else if answer.code_is("2055") || answer.status == 412 {
            Self::ChangedSinceRead { answer, source }
        } else if answer.code_is("900278") || answer.code_is("800082") {
            Self::PendingOperation { answer, source }
        } else if answer.code_is("20003") || (answer.status == 404 && scope.subscription.is_some())
        {
            Self::SubscriptionNotFound {
                customer_tenant_id: scope.customer.cloned(),
                subscription_id: scope.subscription.cloned(),
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
            | Self::RefusedByPolicy { answer, .. }
            | Self::ChangedSinceRead { answer, .. }
            | Self::PendingOperation { answer, .. }
            | Self::SubscriptionNotFound { answer, .. }
            | Self::InvalidInput { answer, .. }
            | Self::NoRelationship { answer, .. }
            | Self::Unauthorized { answer, .. }
            | Self::Throttled { answer, .. }
            | Self::Api { answer, .. } => Some(answer.as_ref()),
            Self::OutsideCancellationWindow { answer, .. } => answer.as_deref(),
            _ => None,
        }
    }

    /// `true` for [`Error::OrderNotFound`] and [`Error::SubscriptionNotFound`].
    pub fn is_not_found(&self) -> bool {
        matches!(
            self,
            Self::OrderNotFound { .. } | Self::SubscriptionNotFound { .. }
        )
    }

    /// `true` for [`Error::RefusedByPolicy`]: a business rule, not the credentials, refused it.
    pub fn is_refused_by_policy(&self) -> bool {
        matches!(self, Self::RefusedByPolicy { .. })
    }

    /// `true` for [`Error::ChangedSinceRead`] (stale ETag).
    pub fn is_changed_since_read(&self) -> bool {
        matches!(self, Self::ChangedSinceRead { .. })
    }

    /// The window's last day (`YYYY-MM-DD`) of an [`Error::OutsideCancellationWindow`], when known.
    pub fn cancellation_window_ended(&self) -> Option<&str> {
        match self {
            Self::OutsideCancellationWindow { window_ended, .. } => window_ended.as_deref(),
            _ => None,
        }
    }

    /// Names the window's last day on an [`Error::OutsideCancellationWindow`] that has none.
    pub(crate) fn with_window_end(self, date: Option<String>) -> Self {
        match self {
            Self::OutsideCancellationWindow {
                window_ended: None,
                answer,
                source,
            } => Self::OutsideCancellationWindow {
                window_ended: date,
                answer,
                source,
            },
            other => other,
        }
    }

    /// `true` for [`Error::Throttled`].
    pub fn is_throttled(&self) -> bool {
        matches!(self, Self::Throttled { .. })
    }

    /// `true` when a cancellation was refused because its window has ended: codes 900117 (days)
    /// and 900213 (hours) of the error-code table, the client's own pre-check, and code 4018
    /// whose description says so.
    pub fn is_outside_cancellation_window(&self) -> bool {
        matches!(
            self,
            Self::OutsideCancellationWindow { .. }
                | Self::UnableToProcess {
                    outside_cancellation_window: true,
                    ..
                }
        )
    }

    /// `true` when Partner Center refused the request itself (4xx other than not-found, auth and
    /// throttling): the cases where a read-back may show the order already cancelled.
    pub(crate) fn is_rejection(&self) -> bool {
        match self {
            Self::UnableToProcess { .. }
            | Self::InvalidInput { .. }
            | Self::RefusedByPolicy { .. }
            | Self::OutsideCancellationWindow {
                source: Some(_), ..
            } => true,
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
            | Self::RefusedByPolicy { source, .. }
            | Self::ChangedSinceRead { source, .. }
            | Self::PendingOperation { source, .. }
            | Self::SubscriptionNotFound { source, .. }
            | Self::InvalidInput { source, .. }
            | Self::NoRelationship { source, .. }
            | Self::Unauthorized { source, .. }
            | Self::Throttled { source, .. }
            | Self::Api { source, .. } => Some(source.as_ref()),
            Self::Transport(source) => Some(source.as_ref()),
            Self::OutsideCancellationWindow { source, .. } => source.as_deref(),
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

fn ended_on(date: &Option<String>) -> String {
    date.as_ref()
        .map_or_else(String::new, |d| format!(" (it ended on {d})"))
}

fn answer_suffix(answer: &Option<Box<VendorAnswer>>) -> String {
    answer
        .as_ref()
        .map_or_else(String::new, |a| format!(" ({a})"))
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
