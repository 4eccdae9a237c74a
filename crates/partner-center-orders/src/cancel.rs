//! Cancelling software purchases: [`CancelOrder`] (what to cancel), [`CancelResult`] (what Partner
//! Center now says), [`AlreadyCancelled`] (the evidence of a repeat) and
//! [`OrdersClient::cancel_order`], which reads first, PATCHes, and confirms after a refusal.

use std::collections::BTreeMap;

use offerkit_models::Retraction;
use offerkit_models::ids::{CustomerTenantId, OrderId};
use offerkit_models::partner_center_orders::{
    CancelLineItem, CancelOrderRequest, Order, OrderLineItem, OrderStatus,
};
use offerkit_transport::{ErrorInfo, Idempotency};
use tracing::Instrument;

use crate::orders::scope;
use crate::{Error, OrdersClient};

/// What [`OrdersClient::cancel_order`] returns: `Retracted` with what this call cancelled, or
/// `AlreadyRetracted` with the order as read back and why it counts as cancelled already.
pub type CancelOutcome = Retraction<CancelResult, AlreadyCancelled>;

/// What to cancel: a whole order, or some of its line items.
///
/// ```
/// use offerkit_partner_center_orders::{CancelOrder, CustomerTenantId, OrderId};
/// # fn main() -> Result<(), offerkit_partner_center_orders::Error> {
/// let customer = CustomerTenantId::new("45411344-b09d-47e7-9653-542006bf9766")?;
/// let order = OrderId::new("2y6dF_rVgDAXMxypQPPnTquuXhKVK_3N1")?;
///
/// let whole = CancelOrder::whole(customer.clone(), order.clone());
/// assert!(whole.is_whole_order());
///
/// // Lines 0 and 2; the client reads the order to find their offer ids.
/// let some = CancelOrder::line_items(customer.clone(), order.clone(), [2, 0, 2]);
/// assert_eq!(some.requested_line_items(), vec![0, 2]);
///
/// // With the offer id given, no read is needed.
/// let known = CancelOrder::line_items(customer, order, [])
///     .offer_id(0, "DG7GMGF0FKZV:0003:DG7GMGF0DWMS");
/// assert_eq!(known.requested_line_items(), vec![0]);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancelOrder {
    customer: CustomerTenantId,
    order: OrderId,
    /// `None`: the whole order. `Some`: line number -> offer id when known.
    lines: Option<BTreeMap<u32, Option<String>>>,
    pre_read: Option<bool>,
    request_id: Option<String>,
}

impl CancelOrder {
    /// Cancels every line item of the order (the body has no `lineItems`).
    pub fn whole(customer: CustomerTenantId, order: OrderId) -> Self {
        Self {
            customer,
            order,
            lines: None,
            pre_read: None,
            request_id: None,
        }
    }

    /// Cancels the line items numbered `line_items` (duplicates ignored). An empty list is refused
    /// when sent, never taken to mean the whole order: use [`CancelOrder::whole`] for that.
    pub fn line_items(
        customer: CustomerTenantId,
        order: OrderId,
        line_items: impl IntoIterator<Item = u32>,
    ) -> Self {
        Self {
            customer,
            order,
            lines: Some(line_items.into_iter().map(|n| (n, None)).collect()),
            pre_read: None,
            request_id: None,
        }
    }

    /// Gives the `offerId` of line `line_item_number` (and adds the line if it was not named yet, which
    /// turns a whole-order cancellation into a line-item one). When every line has its offer id, the
    /// client does not read the order first.
    pub fn offer_id(mut self, line_item_number: u32, offer_id: impl Into<String>) -> Self {
        self.lines
            .get_or_insert_with(BTreeMap::new)
            .insert(line_item_number, Some(offer_id.into()));
        self
    }

    /// Forces (`true`) or skips (`false`) the read before the PATCH. Default: read for whole orders
    /// and when an offer id is missing. Without the read, a repeat of an earlier cancellation is
    /// reported as `Retracted` unless Partner Center refuses it.
    pub fn pre_read(mut self, pre_read: bool) -> Self {
        self.pre_read = Some(pre_read);
        self
    }

    /// Uses this `MS-RequestId` for the PATCH instead of a fresh UUID (to repeat a call whose answer
    /// was lost with the same idempotency key).
    pub fn request_id(mut self, request_id: impl Into<String>) -> Self {
        self.request_id = Some(request_id.into());
        self
    }

    /// The customer.
    pub fn customer_tenant_id(&self) -> &CustomerTenantId {
        &self.customer
    }

    /// The order.
    pub fn order_id(&self) -> &OrderId {
        &self.order
    }

    /// `true` when no line items are named.
    pub fn is_whole_order(&self) -> bool {
        self.lines.is_none()
    }

    /// The requested line numbers, sorted (empty for a whole order).
    pub fn requested_line_items(&self) -> Vec<u32> {
        self.lines
            .as_ref()
            .map(|l| l.keys().copied().collect())
            .unwrap_or_default()
    }

    fn needs_pre_read(&self) -> bool {
        self.pre_read.unwrap_or_else(|| match &self.lines {
            None => true,
            Some(lines) => lines.values().any(Option::is_none),
        })
    }
}

/// The order after a cancellation, with what it means.
///
/// ```
/// use offerkit_models::partner_center_orders::Order;
/// use offerkit_partner_center_orders::CancelResult;
/// let order: Order = serde_json::from_value(serde_json::json!({
///     "id": "o1", "status": "completed",
///     "lineItems": [{"lineItemNumber": 0, "quantity": 0}, {"lineItemNumber": 1, "quantity": 1}]
/// })).unwrap();
/// let result = CancelResult::from_order(order, vec![0]);
/// assert_eq!(result.cancelled_line_items, vec![0]);
/// assert_eq!(result.remaining_line_items, vec![1]);
/// assert!(!result.whole_order_cancelled); // `completed` after a partial cancel: success
/// assert!(result.is_complete());
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CancelResult {
    /// The order as Partner Center returned it (every field kept).
    pub order: Order,
    /// The line numbers asked for (empty: the whole order).
    pub requested_line_items: Vec<u32>,
    /// Line numbers now at quantity 0.
    pub cancelled_line_items: Vec<u32>,
    /// Line numbers still active (quantity above 0).
    pub remaining_line_items: Vec<u32>,
    /// `true` when the order is `cancelled` (every line cancelled); `false` after a partial
    /// cancellation (status `completed`), which is still a success.
    pub whole_order_cancelled: bool,
    /// The `MS-RequestId` of the call that returned the order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// The `MS-CorrelationId` of that call.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<String>,
    /// The order as read before the PATCH, exactly as Partner Center sent it, when this call read
    /// it first (always, unless `CancelOrder::pre_read(false)` with every line's offer id given).
    /// Not serialized.
    #[serde(skip)]
    pub before: Option<serde_json::Value>,
}

impl CancelResult {
    /// Reads `order` against the requested line numbers (empty: the whole order).
    pub fn from_order(order: Order, requested_line_items: Vec<u32>) -> Self {
        let lines = numbered_lines(&order);
        let cancelled_line_items = lines
            .iter()
            .filter(|(_, l)| l.is_cancelled())
            .map(|(n, _)| *n)
            .collect();
        let remaining_line_items = lines
            .iter()
            .filter(|(_, l)| !l.is_cancelled())
            .map(|(n, _)| *n)
            .collect();
        let whole_order_cancelled = is_whole_order_cancelled(&order);
        Self {
            order,
            requested_line_items,
            cancelled_line_items,
            remaining_line_items,
            whole_order_cancelled,
            request_id: None,
            correlation_id: None,
            before: None,
        }
    }

    /// `true` when everything asked is cancelled: every requested line at quantity 0, or the whole
    /// order cancelled when no lines were named.
    pub fn is_complete(&self) -> bool {
        self.not_cancelled().is_empty()
    }

    /// Requested line numbers that are still active (for a whole order: every active line).
    ///
    /// ```
    /// use offerkit_models::partner_center_orders::Order;
    /// use offerkit_partner_center_orders::CancelResult;
    /// let order: Order = serde_json::from_value(serde_json::json!({
    ///     "lineItems": [{"lineItemNumber": 0, "quantity": 2}]
    /// })).unwrap();
    /// assert_eq!(CancelResult::from_order(order, vec![]).not_cancelled(), vec![0]);
    /// ```
    pub fn not_cancelled(&self) -> Vec<u32> {
        if self.requested_line_items.is_empty() {
            if self.whole_order_cancelled {
                return Vec::new();
            }
            return self.remaining_line_items.clone();
        }
        self.requested_line_items
            .iter()
            .copied()
            .filter(|n| !self.cancelled_line_items.contains(n))
            .collect()
    }

    fn with_ids(mut self, request_id: Option<String>, correlation_id: Option<String>) -> Self {
        self.request_id = request_id;
        self.correlation_id = correlation_id;
        self
    }
}

/// The evidence of [`Retraction::AlreadyRetracted`]: everything asked was already at quantity 0
/// (or the order `cancelled`) before this call.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AlreadyCancelled {
    /// The order as read back, against the requested lines.
    pub current: CancelResult,
    /// How it was established.
    pub evidence: Evidence,
}

/// How an [`AlreadyCancelled`] was established.
///
/// ```
/// use offerkit_partner_center_orders::Evidence;
/// assert_eq!(Evidence::PreRead.as_str(), "pre-read");
/// let e = Evidence::ConfirmedAfterRejection { code: Some("800002".into()), description: None };
/// assert_eq!(e.as_str(), "confirmed-after-rejection");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
#[non_exhaustive]
pub enum Evidence {
    /// The read before the cancel showed every requested line at quantity 0 (or the order
    /// `cancelled`); no PATCH was sent.
    PreRead,
    /// Partner Center refused the PATCH, and a read right after showed every requested line already
    /// at quantity 0: the refusal was about lines that were already cancelled.
    ConfirmedAfterRejection {
        /// The refusal's error code.
        code: Option<String>,
        /// The refusal's description.
        description: Option<String>,
    },
}

impl Evidence {
    /// `pre-read` or `confirmed-after-rejection`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::PreRead => "pre-read",
            Self::ConfirmedAfterRejection { .. } => "confirmed-after-rejection",
        }
    }
}

/// Whether everything `line_items` names is already cancelled in `order` (empty: the whole order).
/// This is the check behind [`AlreadyCancelled`]; use it to probe an order you read.
///
/// ```
/// use offerkit_models::partner_center_orders::Order;
/// use offerkit_partner_center_orders::already_cancelled;
/// let order: Order = serde_json::from_value(serde_json::json!({
///     "status": "completed",
///     "lineItems": [{"lineItemNumber": 0, "quantity": 0}, {"lineItemNumber": 1, "quantity": "3"}]
/// })).unwrap();
/// assert!(already_cancelled(&order, &[0]));
/// assert!(!already_cancelled(&order, &[0, 1]));
/// assert!(!already_cancelled(&order, &[]));
/// assert!(!already_cancelled(&order, &[7])); // a line the order does not have is not cancelled
/// ```
pub fn already_cancelled(order: &Order, line_items: &[u32]) -> bool {
    if line_items.is_empty() {
        return is_whole_order_cancelled(order);
    }
    let lines = numbered_lines(order);
    line_items
        .iter()
        .all(|n| lines.iter().any(|(m, line)| m == n && line.is_cancelled()))
}

/// Partner Center's cancellation window of a perpetual software purchase, from its purchase date: "Full
/// refund within 30 calendar days of purchase" (new-commerce cancellation policy, see docs/vendors.md).
pub const PERPETUAL_WINDOW_DAYS: i64 = 30;
/// The window of a software subscription (a line item with a `termDuration`): "within seven calendar days
/// of purchase" (same policy).
pub const SUBSCRIPTION_WINDOW_DAYS: i64 = 7;

/// Why Partner Center would refuse to cancel `line_items` of `order` (empty: the whole order), read
/// from the order alone, or `None` when nothing in it says so: a named line item the order does not
/// have (what [`OrdersClient::cancel_order`] refuses as [`Error::LineItemsNotFound`]), or a line still
/// to cancel whose window ([`PERPETUAL_WINDOW_DAYS`], [`SUBSCRIPTION_WINDOW_DAYS`] from the order's
/// `creationDate`) ended before `now_unix` (Partner Center answers 900117); the window's last day is
/// named. An order without a readable `creationDate` is not judged by its window.
///
/// ```
/// use offerkit_models::partner_center_orders::Order;
/// use offerkit_partner_center_orders::cancel_refusal;
/// let order: Order = serde_json::from_value(serde_json::json!({
///     "creationDate": "2026-01-01T00:00:00Z",
///     "lineItems": [{"lineItemNumber": 0, "quantity": 1}, {"lineItemNumber": 1, "quantity": 1, "termDuration": "P1M"}]
/// })).unwrap();
/// let jan_5 = 1_767_571_200; // 2026-01-05T00:00:00Z
/// assert_eq!(cancel_refusal(&order, &[], jan_5), None);
/// assert!(cancel_refusal(&order, &[7], jan_5).unwrap().contains("7"));
/// let feb_1 = 1_769_904_000; // 2026-02-01T00:00:00Z
/// assert!(cancel_refusal(&order, &[0], feb_1).unwrap().contains("2026-01-31"));
/// assert!(cancel_refusal(&order, &[1], jan_5 + 4 * 86_400).unwrap().contains("2026-01-08"));
/// ```
pub fn cancel_refusal(order: &Order, line_items: &[u32], now_unix: i64) -> Option<String> {
    let lines = numbered_lines(order);
    let missing: Vec<u32> = line_items
        .iter()
        .copied()
        .filter(|n| !lines.iter().any(|(m, _)| m == n))
        .collect();
    if !missing.is_empty() {
        let available: Vec<u32> = lines.iter().map(|(n, _)| *n).collect();
        return Some(format!(
            "line item(s) {missing:?} do not exist in the order (it has {available:?})"
        ));
    }
    let created = order.creation_date.as_ref()?.timestamp()?.unix_seconds();
    lines
        .iter()
        .filter(|(n, line)| {
            !line.is_cancelled() && (line_items.is_empty() || line_items.contains(n))
        })
        .filter_map(|(n, line)| {
            let term = line.term_duration.as_deref().is_some_and(|t| !t.trim().is_empty());
            let days = if term {
                SUBSCRIPTION_WINDOW_DAYS
            } else {
                PERPETUAL_WINDOW_DAYS
            };
            let end = created.saturating_add(days * 86_400);
            (now_unix > end).then_some((*n, days, end))
        })
        .min_by_key(|(_, _, end)| *end)
        .map(|(n, days, end)| {
            format!(
                "the cancellation window ended on {} (line item {n}: {days} days from the purchase; \
                 Partner Center refuses it with 900117)",
                crate::subscriptions::utc_date(end)
            )
        })
}

/// Status `cancelled`, or every line at quantity 0 (an answer without a status).
fn is_whole_order_cancelled(order: &Order) -> bool {
    match &order.status {
        Some(OrderStatus::Cancelled) => true,
        Some(_) => false,
        None => {
            let lines = numbered_lines(order);
            !lines.is_empty() && lines.iter().all(|(_, l)| l.is_cancelled())
        }
    }
}

/// The order's lines with their numbers (the position when a line has no valid number).
fn numbered_lines(order: &Order) -> Vec<(u32, &OrderLineItem)> {
    order
        .line_items
        .as_deref()
        .unwrap_or_default()
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let number = line
                .line_item_number
                .and_then(|n| u32::try_from(n).ok())
                .or_else(|| u32::try_from(i).ok())
                .unwrap_or(u32::MAX);
            (number, line)
        })
        .collect()
}

impl OrdersClient {
    /// Cancels a whole order or some of its line items.
    ///
    /// Returns [`Retraction::Retracted`] with the order Partner Center sent back (a partial
    /// cancellation leaves it `completed`: that is success), or [`Retraction::AlreadyRetracted`] when
    /// everything asked was already at quantity 0.
    ///
    /// Each line in the PATCH body needs its `offerId`: unless every line's offer id was given, the
    /// order is read first (so is a whole order), the named lines are checked to exist
    /// ([`Error::LineItemsNotFound`]) and only lines not yet cancelled are sent; when nothing is
    /// left, no PATCH is sent ([`Evidence::PreRead`]). When Partner Center refuses the PATCH, a read
    /// right after may show the lines already cancelled ([`Evidence::ConfirmedAfterRejection`]).
    /// The PATCH is retried on timeouts and 5xx with the same `MS-RequestId`, Partner Center's
    /// idempotency key (setting a quantity to 0 is a state assignment).
    ///
    /// ```no_run
    /// use offerkit_partner_center_orders::{CancelOrder, CustomerTenantId, OrderId, OrdersClient, Retraction};
    /// # async fn run(client: &OrdersClient) -> Result<(), offerkit_partner_center_orders::Error> {
    /// let customer = CustomerTenantId::new("45411344-b09d-47e7-9653-542006bf9766")?;
    /// let order = OrderId::new("2y6dF_rVgDAXMxypQPPnTquuXhKVK_3N1")?;
    /// match client.cancel_order(&CancelOrder::line_items(customer, order, [0])).await? {
    ///     Retraction::Retracted(result) => println!("now cancelled: {:?}", result.cancelled_line_items),
    ///     Retraction::AlreadyRetracted(already) => println!("nothing to do ({})", already.evidence.as_str()),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn cancel_order(&self, cancel: &CancelOrder) -> Result<CancelOutcome, Error> {
        let requested = cancel.requested_line_items();
        let span = tracing::info_span!(
            "offerkit.orders.cancel_order",
            customer_tenant_id = %cancel.customer,
            order_id = %cancel.order,
            line_items = ?requested,
        );
        self.cancel_inner(cancel, requested).instrument(span).await
    }

    async fn cancel_inner(
        &self,
        cancel: &CancelOrder,
        requested: Vec<u32>,
    ) -> Result<CancelOutcome, Error> {
        if cancel.lines.as_ref().is_some_and(BTreeMap::is_empty) {
            return Err(Error::invalid_argument(
                "line_items",
                "is empty; name at least one line item, or use CancelOrder::whole to cancel the whole order",
            ));
        }
        let mut lines = cancel.lines.clone();
        let mut before = None;
        if cancel.needs_pre_read() {
            let (read, request_id) = self
                .fetch_order_raw(&cancel.customer, &cancel.order)
                .await?;
            let order = read.value;
            if already_cancelled(&order, &requested) {
                tracing::info!("already cancelled; no PATCH sent");
                let mut current =
                    CancelResult::from_order(order, requested).with_ids(request_id, None);
                current.before = Some(read.raw);
                return Ok(Retraction::AlreadyRetracted(AlreadyCancelled {
                    current,
                    evidence: Evidence::PreRead,
                }));
            }
            before = Some(read.raw);
            if let Some(lines) = &mut lines {
                fill_from_order(&cancel.order, lines, &order)?;
            }
        }
        let body = CancelOrderRequest::new(
            cancel.order.as_str(),
            lines
                .unwrap_or_default()
                .into_iter()
                .map(|(n, offer)| CancelLineItem {
                    line_item_number: i64::from(n),
                    offer_id: offer,
                    extra: serde_json::Map::new(),
                })
                .collect(),
        );
        let mut request = self
            .order_request(
                self.vendor_client().patch("cancel_order"),
                &cancel.customer,
                &cancel.order,
            )
            .idempotency(Idempotency::Keyed)
            .json(&body);
        if let Some(id) = &cancel.request_id {
            request = request.idempotency_key(id.clone());
        }
        let sent = async {
            let response = request.send().await?;
            let order: Order = response.json()?;
            Ok((
                order,
                response.request_id().map(str::to_owned),
                response.correlation_id().map(str::to_owned),
            ))
        }
        .await;
        match sent {
            Ok((order, request_id, correlation_id)) => {
                let mut result =
                    CancelResult::from_order(order, requested).with_ids(request_id, correlation_id);
                result.before = before;
                if !result.is_complete() {
                    tracing::warn!(not_cancelled = ?result.not_cancelled(), "Partner Center answered 200 but some requested lines are still active");
                }
                Ok(Retraction::Retracted(result))
            }
            Err(e) => {
                let err = Error::from_transport(e, scope(&cancel.customer, &cancel.order));
                self.confirm_after_rejection(cancel, requested, err).await
            }
        }
    }

    /// Partner Center refused the PATCH: if a read shows everything asked already cancelled, the
    /// refusal was about lines that were already gone.
    async fn confirm_after_rejection(
        &self,
        cancel: &CancelOrder,
        requested: Vec<u32>,
        err: Error,
    ) -> Result<CancelOutcome, Error> {
        if !err.is_rejection() {
            return Err(err);
        }
        match self.fetch_order(&cancel.customer, &cancel.order).await {
            Ok((order, request_id)) if already_cancelled(&order, &requested) => {
                tracing::info!(%err, "PATCH refused, but the order shows the lines already cancelled");
                Ok(Retraction::AlreadyRetracted(AlreadyCancelled {
                    evidence: Evidence::ConfirmedAfterRejection {
                        code: err.code(),
                        description: err.message(),
                    },
                    current: CancelResult::from_order(order, requested).with_ids(request_id, None),
                }))
            }
            _ => Err(err),
        }
    }
}

/// Checks every requested line exists, fills in missing offer ids, and drops lines already cancelled
/// (so the PATCH names only what still needs cancelling).
fn fill_from_order(
    order_id: &OrderId,
    lines: &mut BTreeMap<u32, Option<String>>,
    order: &Order,
) -> Result<(), Error> {
    let existing = numbered_lines(order);
    let missing: Vec<u32> = lines
        .keys()
        .copied()
        .filter(|n| !existing.iter().any(|(m, _)| m == n))
        .collect();
    if !missing.is_empty() {
        return Err(Error::LineItemsNotFound {
            order_id: order_id.clone(),
            missing,
            available: existing.iter().map(|(n, _)| *n).collect(),
        });
    }
    lines.retain(|n, offer| {
        let Some((_, line)) = existing.iter().find(|(m, _)| m == n) else {
            return true;
        };
        if offer.is_none() {
            offer.clone_from(&line.offer_id);
        }
        !line.is_cancelled()
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use offerkit_transport::StaticToken;
    use offerkit_transport::mock::{MockResponse, MockTransport};
    use serde_json::json;

    use super::*;

    fn client(mock: &MockTransport) -> OrdersClient {
        OrdersClient::builder()
            .credential(std::sync::Arc::new(StaticToken::new("t")))
            .transport(mock.transport())
            .build()
            .expect("client")
    }

    fn ids() -> (CustomerTenantId, OrderId) {
        (
            CustomerTenantId::new("c1").expect("id"),
            OrderId::new("o1").expect("id"),
        )
    }

    #[tokio::test]
    async fn whole_order_reads_first_then_patches_without_line_items() {
        let mock = MockTransport::new(|req| match req.method.as_str() {
            "GET" => MockResponse::json(
                200,
                &json!({"id": "o1", "status": "completed", "lineItems": [{"lineItemNumber": 0, "offerId": "a", "quantity": 2}]}),
            ),
            _ => MockResponse::json(
                200,
                &json!({"id": "o1", "status": "cancelled", "lineItems": [{"lineItemNumber": 0, "offerId": "a", "quantity": 0}]}),
            ),
        });
        let (c, o) = ids();
        let outcome = client(&mock)
            .cancel_order(&CancelOrder::whole(c, o))
            .await
            .expect("cancel");
        assert!(
            outcome
                .retracted()
                .expect("retracted")
                .whole_order_cancelled
        );
        let requests = mock.requests();
        assert_eq!(requests.len(), 2);
        assert_eq!(requests[0].url.path(), "/v1/customers/c1/orders/o1");
        assert_eq!(requests[1].method.as_str(), "PATCH");
        assert_eq!(requests[1].header("ms-contract-version"), Some("v1"));
        assert_eq!(
            requests[1].json_body(),
            json!({"id": "o1", "status": "cancelled"})
        );
    }

    #[tokio::test]
    async fn offer_ids_given_means_no_read() {
        let mock = MockTransport::new(|_| {
            MockResponse::json(
                200,
                &json!({"id": "o1", "status": "completed", "lineItems": [{"lineItemNumber": 3, "quantity": 0}, {"lineItemNumber": 4, "quantity": 1}]}),
            )
        });
        let (c, o) = ids();
        let outcome = client(&mock)
            .cancel_order(&CancelOrder::line_items(c, o, [3]).offer_id(3, "x:y:z"))
            .await
            .expect("cancel");
        assert_eq!(mock.requests().len(), 1);
        assert_eq!(
            mock.requests()[0].json_body(),
            json!({"id": "o1", "status": "cancelled", "lineItems": [{"lineItemNumber": 3, "offerId": "x:y:z"}]})
        );
        let result = outcome.into_retracted().expect("retracted");
        assert_eq!(result.cancelled_line_items, vec![3]);
        assert_eq!(result.remaining_line_items, vec![4]);
        assert!(!result.whole_order_cancelled);
    }
}
