//! New-commerce subscriptions: read them, cancel one inside its window
//! ([`OrdersClient::cancel_subscription`]: `PATCH` the whole resource to `status: deleted`), or stop
//! its renewal ([`OrdersClient::stop_renewal`]: `autoRenewEnabled: false`), the only lever left once
//! the window has ended. A cancellation cannot be undone.

use std::time::{SystemTime, UNIX_EPOCH};

use offerkit_models::Retraction;
use offerkit_models::ids::{CustomerTenantId, SubscriptionId};
use offerkit_models::partner_center_orders::{
    CancellationWindow, Subscription, SubscriptionCollection, SubscriptionStatus,
};
use offerkit_transport::{ErrorInfo, Idempotency, Request};
use tracing::Instrument;

use crate::error::Scope;
use crate::{Error, OrdersClient};

/// What [`OrdersClient::cancel_subscription`] and [`OrdersClient::stop_renewal`] return:
/// `Retracted` when this call changed the subscription, `AlreadyRetracted` when it was already so
/// (cancelled; or, for a renewal stop, renewal already off). Both carry the subscription as read.
pub type SubscriptionOutcome = Retraction<SubscriptionResult, SubscriptionResult>;

/// What to do when a subscription's cancellation window has ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum IfOutsideWindow {
    /// Fail with [`Error::OutsideCancellationWindow`], naming the window's last day (default).
    #[default]
    Fail,
    /// Stop the renewal instead; the result says so ([`SubscriptionResult::fallback`]).
    StopRenewal,
}

/// The fallback a cancellation took instead of cancelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Fallback {
    /// The window had ended; the renewal was stopped instead (the subscription runs to its term end).
    StopRenewal,
}

/// A subscription after a call, with what the call did.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SubscriptionResult {
    /// The subscription as Partner Center returned it (every field kept).
    pub subscription: Subscription,
    /// Set when a cancellation stopped the renewal instead, because the window had ended.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fallback: Option<Fallback>,
    /// The cancellation window's last day (`YYYY-MM-DD`, UTC), when a fallback was taken.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window_ended: Option<String>,
    /// The `MS-RequestId` of the call that returned the subscription.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// On `AlreadyRetracted`: the PATCH of this call was retried after an attempt whose answer was
    /// lost and then refused (e.g. 2011 "deleted status can't be updated"), so that earlier attempt
    /// most likely made the change; report it as done by this call.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub earlier_attempt_may_have_acted: bool,
    /// The subscription as this call first read it, before any PATCH, exactly as Partner Center
    /// sent it. Not serialized.
    #[serde(skip)]
    pub before: Option<serde_json::Value>,
}

impl SubscriptionResult {
    fn new(subscription: Subscription, request_id: Option<String>) -> Self {
        Self {
            subscription,
            fallback: None,
            window_ended: None,
            request_id,
            earlier_attempt_may_have_acted: false,
            before: None,
        }
    }

    fn read_first(mut self, before: &serde_json::Value) -> Self {
        self.before = Some(before.clone());
        self
    }

    fn stopped_instead(mut self, window_ended: Option<String>) -> Self {
        self.fallback = Some(Fallback::StopRenewal);
        self.window_ended = window_ended;
        self
    }
}

/// What to cancel: one subscription, and what to do past its window.
///
/// ```
/// use offerkit_partner_center_orders::{CancelSubscription, CustomerTenantId, IfOutsideWindow, SubscriptionId};
/// # fn main() -> Result<(), offerkit_partner_center_orders::Error> {
/// let cancel = CancelSubscription::new(
///     CustomerTenantId::new("45411344-b09d-47e7-9653-542006bf9766")?,
///     SubscriptionId::new("d3b7c9a2-9a4b-40b2-b075-6e442909e3e7")?,
/// )
/// .if_outside_window(IfOutsideWindow::StopRenewal);
/// assert_eq!(cancel.outside_window(), IfOutsideWindow::StopRenewal);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancelSubscription {
    customer: CustomerTenantId,
    subscription: SubscriptionId,
    if_outside_window: IfOutsideWindow,
    request_id: Option<String>,
}

impl CancelSubscription {
    /// Cancels `subscription` of `customer`; past the window, fails ([`IfOutsideWindow::Fail`]).
    pub fn new(customer: CustomerTenantId, subscription: SubscriptionId) -> Self {
        Self {
            customer,
            subscription,
            if_outside_window: IfOutsideWindow::Fail,
            request_id: None,
        }
    }

    /// What to do when the window has ended.
    pub fn if_outside_window(mut self, choice: IfOutsideWindow) -> Self {
        self.if_outside_window = choice;
        self
    }

    /// Uses this `MS-RequestId` for the PATCH (to repeat a call whose answer was lost).
    pub fn request_id(mut self, request_id: impl Into<String>) -> Self {
        self.request_id = Some(request_id.into());
        self
    }

    /// The customer.
    pub fn customer_tenant_id(&self) -> &CustomerTenantId {
        &self.customer
    }

    /// The subscription.
    pub fn subscription_id(&self) -> &SubscriptionId {
        &self.subscription
    }

    /// The choice past the window.
    pub fn outside_window(&self) -> IfOutsideWindow {
        self.if_outside_window
    }
}

/// The change a PATCH makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    Cancel,
    StopRenewal,
}

impl Change {
    /// Whether `sub` already shows the change.
    fn done(self, sub: &Subscription) -> bool {
        match self {
            Self::Cancel => sub.is_deleted(),
            // A cancelled subscription does not renew either.
            Self::StopRenewal => sub.is_deleted() || sub.auto_renew_enabled == Some(false),
        }
    }

    fn apply(self, sub: &mut Subscription) {
        match self {
            Self::Cancel => sub.status = Some(SubscriptionStatus::Deleted),
            Self::StopRenewal => sub.auto_renew_enabled = Some(false),
        }
    }

    fn operation(self) -> &'static str {
        match self {
            Self::Cancel => "cancel_subscription",
            Self::StopRenewal => "stop_renewal",
        }
    }
}

impl OrdersClient {
    /// `GET /v1/customers/{customer-tenant-id}/subscriptions/{subscription-id}`.
    ///
    /// A missing subscription is [`Error::SubscriptionNotFound`] (code 20003).
    pub async fn get_subscription(
        &self,
        customer: &CustomerTenantId,
        subscription: &SubscriptionId,
    ) -> Result<Subscription, Error> {
        self.fetch_subscription(customer, subscription)
            .await
            .map(|(s, _)| s)
    }

    /// `GET /v1/customers/{customer-tenant-id}/subscriptions`: `{totalCount, items, links, attributes}`.
    pub async fn list_subscriptions(
        &self,
        customer: &CustomerTenantId,
    ) -> Result<SubscriptionCollection, Error> {
        let span = tracing::debug_span!("offerkit.orders.list_subscriptions", customer_tenant_id = %customer);
        self.vendor_client()
            .get("list_subscriptions")
            .path("v1/customers")
            .path_param(CustomerTenantId::ARGUMENT, customer)
            .path("subscriptions")
            .send_json()
            .instrument(span)
            .await
            .map_err(|e| {
                Error::from_transport(
                    e,
                    Scope {
                        customer: Some(customer),
                        ..Scope::default()
                    },
                )
            })
    }

    /// Cancels a subscription inside its cancellation window.
    ///
    /// Reads it first: already `deleted` is [`Retraction::AlreadyRetracted`] (no PATCH). Past
    /// `cancellationAllowedUntilDate` by this client's clock (or with that date `null`: not
    /// cancellable), nothing is sent: [`Error::OutsideCancellationWindow`] names the window's last
    /// day, or with [`IfOutsideWindow::StopRenewal`] the renewal is stopped instead
    /// ([`SubscriptionResult::fallback`]). Otherwise the whole resource as read is sent back with
    /// `status: deleted` (`PATCH`, `If-Match` with its `attributes.etag`). Partner Center's own
    /// window refusal (900117/900213) is the same typed error (or the same fallback); a stale ETag
    /// (2055) re-reads once and retries once. The PATCH is retried with the same `MS-RequestId`.
    ///
    /// A cancellation cannot be undone: the service is not restored, a new purchase is needed.
    pub async fn cancel_subscription(
        &self,
        cancel: &CancelSubscription,
    ) -> Result<SubscriptionOutcome, Error> {
        let span = tracing::info_span!(
            "offerkit.orders.cancel_subscription",
            customer_tenant_id = %cancel.customer,
            subscription_id = %cancel.subscription,
        );
        self.cancel_subscription_inner(cancel)
            .instrument(span)
            .await
    }

    async fn cancel_subscription_inner(
        &self,
        cancel: &CancelSubscription,
    ) -> Result<SubscriptionOutcome, Error> {
        let (customer, id) = (&cancel.customer, &cancel.subscription);
        let (first, request_id) = self.fetch_subscription_raw(customer, id).await?;
        let before = first.raw;
        self.cancel_subscription_read(cancel, first.value, request_id)
            .await
            .map(|out| {
                out.map(|r| r.read_first(&before))
                    .map_gone(|r| r.read_first(&before))
            })
    }

    async fn cancel_subscription_read(
        &self,
        cancel: &CancelSubscription,
        mut sub: Subscription,
        mut request_id: Option<String>,
    ) -> Result<SubscriptionOutcome, Error> {
        let (customer, id) = (&cancel.customer, &cancel.subscription);
        let mut stale_retry = true;
        let mut maybe_acted = false;
        loop {
            if sub.is_deleted() {
                let mut result = SubscriptionResult::new(sub, request_id);
                result.earlier_attempt_may_have_acted = maybe_acted;
                return Ok(Retraction::AlreadyRetracted(result));
            }
            if let Some(ended) = window_has_ended(&sub, now_unix()) {
                return match cancel.if_outside_window {
                    IfOutsideWindow::Fail => Err(Error::OutsideCancellationWindow {
                        window_ended: ended,
                        answer: None,
                        source: None,
                    }),
                    IfOutsideWindow::StopRenewal => self
                        .stop_renewal_of(customer, id, sub, request_id, None)
                        .await
                        .map(|o| {
                            o.map(|r| r.stopped_instead(ended.clone()))
                                .map_gone(|r| r.stopped_instead(ended))
                        }),
                };
            }
            let window_end = window_end_date(&sub);
            match self
                .patch(
                    customer,
                    id,
                    &sub,
                    Change::Cancel,
                    cancel.request_id.as_deref(),
                )
                .await
            {
                Ok(result) => return Ok(Retraction::Retracted(result)),
                Err(err) if err.is_outside_cancellation_window() => {
                    let err = err.with_window_end(window_end.clone());
                    if cancel.if_outside_window == IfOutsideWindow::Fail {
                        return Err(err);
                    }
                    tracing::info!(%err, "outside the window by Partner Center's clock; stopping the renewal instead");
                    let (current, rid) = self.fetch_subscription(customer, id).await?;
                    return self
                        .stop_renewal_of(customer, id, current, rid, None)
                        .await
                        .map(|o| {
                            o.map(|r| r.stopped_instead(window_end.clone()))
                                .map_gone(|r| r.stopped_instead(window_end))
                        });
                }
                Err(err) if err.is_changed_since_read() && stale_retry => {
                    tracing::info!(%err, "stale ETag; reading the subscription again");
                    stale_retry = false;
                    // A retry after a lost answer finds the ETag moved on by its own first attempt.
                    maybe_acted |= was_retried(&err);
                    (sub, request_id) = self.fetch_subscription(customer, id).await?;
                }
                Err(err) => {
                    return self
                        .confirm_after_refusal(customer, id, Change::Cancel, err)
                        .await;
                }
            }
        }
    }

    /// Stops a subscription's renewal (`autoRenewEnabled: false`): it runs to the end of its term
    /// and is not billed for another. Renewal already off (or the subscription cancelled) is
    /// [`Retraction::AlreadyRetracted`] with no PATCH. Same ETag and retry rules as
    /// [`OrdersClient::cancel_subscription`].
    pub async fn stop_renewal(
        &self,
        customer: &CustomerTenantId,
        subscription: &SubscriptionId,
    ) -> Result<SubscriptionOutcome, Error> {
        let span = tracing::info_span!(
            "offerkit.orders.stop_renewal",
            customer_tenant_id = %customer,
            subscription_id = %subscription,
        );
        async {
            let (first, request_id) = self.fetch_subscription_raw(customer, subscription).await?;
            let before = first.raw;
            self.stop_renewal_of(customer, subscription, first.value, request_id, None)
                .await
                .map(|out| {
                    out.map(|r| r.read_first(&before))
                        .map_gone(|r| r.read_first(&before))
                })
        }
        .instrument(span)
        .await
    }

    /// Stops the renewal of `sub` (as just read), re-reading once after a stale ETag.
    async fn stop_renewal_of(
        &self,
        customer: &CustomerTenantId,
        id: &SubscriptionId,
        mut sub: Subscription,
        mut request_id: Option<String>,
        key: Option<&str>,
    ) -> Result<SubscriptionOutcome, Error> {
        let mut stale_retry = true;
        let mut maybe_acted = false;
        loop {
            if Change::StopRenewal.done(&sub) {
                let mut result = SubscriptionResult::new(sub, request_id);
                result.earlier_attempt_may_have_acted = maybe_acted;
                return Ok(Retraction::AlreadyRetracted(result));
            }
            match self
                .patch(customer, id, &sub, Change::StopRenewal, key)
                .await
            {
                Ok(result) => return Ok(Retraction::Retracted(result)),
                Err(err) if err.is_changed_since_read() && stale_retry => {
                    tracing::info!(%err, "stale ETag; reading the subscription again");
                    stale_retry = false;
                    // A retry after a lost answer finds the ETag moved on by its own first attempt.
                    maybe_acted |= was_retried(&err);
                    (sub, request_id) = self.fetch_subscription(customer, id).await?;
                }
                Err(err) => {
                    return self
                        .confirm_after_refusal(customer, id, Change::StopRenewal, err)
                        .await;
                }
            }
        }
    }

    /// Partner Center refused the PATCH: a read right after may show the change already made
    /// (e.g. 2011 "Subscription with ID {0} and deleted status can't be updated").
    async fn confirm_after_refusal(
        &self,
        customer: &CustomerTenantId,
        id: &SubscriptionId,
        change: Change,
        err: Error,
    ) -> Result<SubscriptionOutcome, Error> {
        if !err.is_rejection() {
            return Err(err);
        }
        // Retried after a lost answer (a timeout, a 5xx): the first attempt may have acted.
        let retried = was_retried(&err);
        match self.fetch_subscription(customer, id).await {
            Ok((sub, request_id)) if change.done(&sub) => {
                tracing::info!(%err, retried, "PATCH refused, but the subscription already shows the change");
                let mut result = SubscriptionResult::new(sub, request_id);
                result.earlier_attempt_may_have_acted = retried;
                Ok(Retraction::AlreadyRetracted(result))
            }
            _ => Err(err),
        }
    }

    /// `PATCH` the whole resource as read, with `change` applied and its ETag in `If-Match`.
    async fn patch(
        &self,
        customer: &CustomerTenantId,
        id: &SubscriptionId,
        read: &Subscription,
        change: Change,
        key: Option<&str>,
    ) -> Result<SubscriptionResult, Error> {
        let mut body = read.clone();
        change.apply(&mut body);
        let mut request = self
            .subscription_request(self.vendor_client().patch(change.operation()), customer, id)
            .idempotency(Idempotency::Keyed)
            .json(&body);
        if let Some(etag) = read.etag() {
            request = request.header("If-Match", etag);
        }
        if let Some(key) = key {
            request = request.idempotency_key(key.to_owned());
        }
        async {
            let response = request.send().await?;
            let sub: Subscription = response.json()?;
            Ok(SubscriptionResult::new(
                sub,
                response.request_id().map(str::to_owned),
            ))
        }
        .await
        .map_err(|e| Error::from_transport(e, sub_scope(customer, id)))
    }

    /// Reads a subscription and returns it with the call's request id.
    async fn fetch_subscription(
        &self,
        customer: &CustomerTenantId,
        id: &SubscriptionId,
    ) -> Result<(Subscription, Option<String>), Error> {
        self.read_subscription(customer, id, |r| r.json::<Subscription>())
            .await
    }

    /// [`OrdersClient::fetch_subscription`], keeping the subscription's JSON as sent (the
    /// snapshot of a cancellation or renewal stop).
    async fn fetch_subscription_raw(
        &self,
        customer: &CustomerTenantId,
        id: &SubscriptionId,
    ) -> Result<(offerkit_models::raw::WithRaw<Subscription>, Option<String>), Error> {
        self.read_subscription(customer, id, |r| r.json_with_raw::<Subscription>())
            .await
    }

    /// `GET` the subscription and `parse` its body once (typed, or typed and raw for
    /// snapshots), with the call's request id.
    async fn read_subscription<T>(
        &self,
        customer: &CustomerTenantId,
        id: &SubscriptionId,
        parse: impl FnOnce(&offerkit_transport::Response) -> Result<T, offerkit_transport::Error>,
    ) -> Result<(T, Option<String>), Error> {
        let span = tracing::debug_span!("offerkit.orders.get_subscription", customer_tenant_id = %customer, subscription_id = %id);
        async {
            let response = self
                .subscription_request(self.vendor_client().get("get_subscription"), customer, id)
                .send()
                .await?;
            let sub = parse(&response)?;
            Ok((sub, response.request_id().map(str::to_owned)))
        }
        .instrument(span)
        .await
        .map_err(|e| Error::from_transport(e, sub_scope(customer, id)))
    }

    fn subscription_request(
        &self,
        request: Request,
        customer: &CustomerTenantId,
        id: &SubscriptionId,
    ) -> Request {
        request
            .path("v1/customers")
            .path_param(CustomerTenantId::ARGUMENT, customer)
            .path("subscriptions")
            .path_param(SubscriptionId::ARGUMENT, id)
    }
}

/// Whether the refused call was a retry after an attempt whose answer was lost (a timeout, a 5xx),
/// so that first attempt may have made the change.
fn was_retried(err: &Error) -> bool {
    matches!(
        err.transport_error(),
        Some(offerkit_transport::Error::Api(api)) if api.attempts > 1
    )
}

fn sub_scope<'a>(customer: &'a CustomerTenantId, id: &'a SubscriptionId) -> Scope<'a> {
    Scope {
        customer: Some(customer),
        order: None,
        subscription: Some(id),
    }
}

/// Whether `sub`'s cancellation window has ended by this machine's clock (or the subscription
/// cannot be cancelled at all: `cancellationAllowedUntilDate: null`), the check
/// [`OrdersClient::cancel_subscription`] makes before sending anything.
pub fn is_past_cancellation_window(sub: &Subscription) -> bool {
    window_has_ended(sub, now_unix()).is_some()
}

/// The last day of `sub`'s cancellation window (`YYYY-MM-DD`, UTC), when it names one.
pub fn cancellation_window_end(sub: &Subscription) -> Option<String> {
    window_end_date(sub)
}

/// `Some(last day)` when the window has ended at `now` (`Some(None)`: not cancellable at all,
/// `cancellationAllowedUntilDate: null`); `None` while cancellable or when only the vendor can tell.
fn window_has_ended(sub: &Subscription, now: i64) -> Option<Option<String>> {
    match sub.cancellation_window() {
        CancellationWindow::Until(end) if now > end => Some(Some(utc_date(end))),
        CancellationWindow::NotCancellable => Some(None),
        _ => None,
    }
}

/// The window's last day, when the subscription names it.
fn window_end_date(sub: &Subscription) -> Option<String> {
    match sub.cancellation_window() {
        CancellationWindow::Until(end) => Some(utc_date(end)),
        _ => None,
    }
}

/// This machine's clock as Unix seconds (what the window checks compare with).
pub fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// `YYYY-MM-DD` (UTC) of a Unix time (Howard Hinnant's civil-from-days).
pub(crate) fn utc_date(unix_secs: i64) -> String {
    let z = unix_secs.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use offerkit_transport::StaticToken;
    use offerkit_transport::mock::{MockResponse, MockTransport};
    use serde_json::json;

    use super::*;

    #[test]
    fn utc_dates() {
        assert_eq!(utc_date(0), "1970-01-01");
        assert_eq!(utc_date(1_634_255_940), "2021-10-14");
        assert_eq!(utc_date(951_782_400), "2000-02-29");
        assert_eq!(utc_date(-1), "1969-12-31");
    }

    fn client(mock: &MockTransport) -> OrdersClient {
        OrdersClient::builder()
            .credential(std::sync::Arc::new(StaticToken::new("t")))
            .transport(mock.transport())
            .build()
            .expect("client")
    }

    #[tokio::test]
    async fn the_patch_sends_the_whole_resource_with_if_match() {
        let read = json!({"id": "s1", "status": "active", "autoRenewEnabled": true, "quantity": 3,
            "cancellationAllowedUntilDate": "2999-01-01T00:00:00Z", "actionTaken": false,
            "attributes": {"objectType": "Subscription", "etag": "\"e1\""}});
        let mock = MockTransport::new(move |req| match req.method.as_str() {
            "GET" => MockResponse::json(200, &read),
            _ => {
                let mut body = req.json_body();
                body["attributes"]["etag"] = json!("\"e2\"");
                MockResponse::json(200, &body)
            }
        });
        let cancel = CancelSubscription::new(
            CustomerTenantId::new("c1").expect("id"),
            SubscriptionId::new("s1").expect("id"),
        );
        let outcome = client(&mock)
            .cancel_subscription(&cancel)
            .await
            .expect("cancel");
        assert!(
            outcome
                .retracted()
                .expect("retracted")
                .subscription
                .is_deleted()
        );
        let requests = mock.requests();
        assert_eq!(requests.len(), 2);
        assert_eq!(requests[1].url.path(), "/v1/customers/c1/subscriptions/s1");
        assert_eq!(requests[1].header("if-match"), Some("\"e1\""));
        let sent = requests[1].json_body();
        assert_eq!(sent["status"], "deleted");
        assert_eq!(sent["quantity"], 3, "the whole resource goes back");
        assert_eq!(sent["actionTaken"], false, "unknown fields included");
        assert_eq!(sent["attributes"]["etag"], "\"e1\"");
    }

    #[tokio::test]
    async fn a_null_window_is_not_cancellable_and_nothing_is_sent() {
        let mock = MockTransport::new(|_| {
            MockResponse::json(
                200,
                &json!({"id": "s1", "status": "active", "cancellationAllowedUntilDate": null}),
            )
        });
        let cancel = CancelSubscription::new(
            CustomerTenantId::new("c1").expect("id"),
            SubscriptionId::new("s1").expect("id"),
        );
        let err = client(&mock)
            .cancel_subscription(&cancel)
            .await
            .expect_err("refused");
        assert!(err.is_outside_cancellation_window(), "{err:?}");
        assert_eq!(err.cancellation_window_ended(), None);
        assert_eq!(mock.requests().len(), 1, "only the read");
    }
}
