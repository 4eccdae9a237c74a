//! [`Vendor::PartnerCenterOrders`]: cancelling Partner Center orders through the
//! `offerkit_partner_center_orders` client.
//!
//! - `retract`: [`OrdersClient::cancel_order`] with the target's line items (none = the whole order).
//!   `AlreadyRetracted` when the requested lines were already at quantity 0 (or the order
//!   `cancelled`); a 200 that leaves a requested line active is reported as `Failed` (`rejected`).
//! - `probe`: reads the order; every requested line at quantity 0 (or the order `cancelled`) is
//!   `Gone`, otherwise `Present`. An order Partner Center does not know (404, code 20000) is an
//!   `Err` of kind `not-found`, not `Gone`: a cancellation never deletes an order, so a missing one
//!   means a wrong id or customer, which a resumed batch must report rather than count as done.
//! - `query`: `get` reads the order, `list` lists a customer's orders (`--customer` required,
//!   `limit` applied to the items).
//! - `cancel-subscription` / `stop-renewal` targets: [`OrdersClient::cancel_subscription`] (with
//!   `ifOutsideWindow: stop-renewal`, a renewal stopped instead is `Retracted` with
//!   [`Fallback::StopRenewal`] and the window's end date) and [`OrdersClient::stop_renewal`]. Probe:
//!   `Gone` when the subscription is `deleted`; for a renewal stop (or the fallback, past the
//!   window) also when auto-renew is off; a missing subscription is an `Err` of kind `not-found`.
//! - `select`: orders: one `GET /v1/customers/{c}/orders` (Partner Center documents no paging for
//!   it: `links` has only `self`), targets `cancel`, whole orders unless `line_items`, then only the
//!   line items that pass every `lineItems.` condition on their own (and are not cancelled yet);
//!   subscriptions: one
//!   `GET …/subscriptions`, targets `cancel-subscription`. Orders (or the selected line items)
//!   already cancelled and deleted subscriptions are left out, with a note.
//! - `resume`: the default (cancellations are synchronous).
//! - snapshots: the order (line-item cancellations) or subscription as read before the PATCH, as
//!   Partner Center sent it; `restore` is the default `not-restorable`.
//!
//! Settings: the crate's own keys, `OFFERKIT_ORDERS_TENANT_ID`, `_CLIENT_ID`, `_CLIENT_SECRET`,
//! `_AUTHORITY`, `_URL` (`OFFERKIT_AZURE_*` as the fallback of the Azure keys), answered from the
//! profile and environment by [`Config::lookup`].

use std::sync::Arc;

use async_trait::async_trait;
use offerkit_partner_center_orders::{
    self as orders, AlreadyCancelled, CancelOrder, CancelResult, CancelSubscription, OrdersClient,
    Retraction, SubscriptionOutcome, SubscriptionResult,
};

use crate::check::{Check, CheckStep};
use crate::config::Config;
use crate::error::{Error, ErrorKind};
use crate::inspect::Inspection;
use crate::outcome::{Details, Fallback, Outcome};
use crate::retract::{Probe, Query, Retract, RetractContext};
use crate::select::{Collector, Filter, Pick, Select, Selection, Source};
use crate::target::{IfOutsideWindow, OrdersCancel, OrdersCancelSubscription, ResourceRef, Target};
use crate::vendors::common::{
    AZURE_TOKEN, check_read, check_token, config_error, error_from, failed_from, to_value,
    with_request_id,
};
use offerkit_models::Vendor;
use offerkit_models::ids::{CustomerTenantId, OrderId, SubscriptionId};

const VENDOR: Vendor = Vendor::PartnerCenterOrders;

/// Builds the impl, or says why it cannot (missing credentials, bad URL).
pub(crate) fn build(
    config: &Config,
    transport: &offerkit_transport::Transport,
) -> Result<Arc<dyn Retract>, Error> {
    let client = OrdersClient::builder()
        .from_lookup(&config.lookup())
        .and_then(|builder| builder.transport(transport.clone()).build())
        .map_err(|e| config_error(VENDOR, e))?;
    Ok(Arc::new(PartnerCenterOrders { client }))
}

/// The [`Retract`] impl for Partner Center orders.
struct PartnerCenterOrders {
    client: OrdersClient,
}

#[async_trait]
impl Retract for PartnerCenterOrders {
    fn vendor(&self) -> Vendor {
        VENDOR
    }

    async fn retract(&self, target: &Target, _ctx: &RetractContext) -> Outcome {
        match target {
            Target::OrdersCancelSubscription(t) => {
                let cancel = CancelSubscription::new(
                    t.customer_tenant_id.clone(),
                    t.subscription_id.clone(),
                )
                .if_outside_window(match t.if_outside_window {
                    IfOutsideWindow::StopRenewal => orders::IfOutsideWindow::StopRenewal,
                    _ => orders::IfOutsideWindow::Fail,
                });
                return subscription_outcome(
                    self.client.cancel_subscription(&cancel).await,
                    "already cancelled (status deleted); nothing was changed",
                );
            }
            Target::OrdersStopRenewal(t) => {
                return subscription_outcome(
                    self.client
                        .stop_renewal(&t.customer_tenant_id, &t.subscription_id)
                        .await,
                    "renewal already off; nothing was changed",
                );
            }
            _ => {}
        }
        let cancel = match cancel_of(target) {
            Ok(c) => c,
            Err(e) => return Outcome::failed(e),
        };
        match self.client.cancel_order(&cancel).await {
            Ok(Retraction::Retracted(result)) if !result.is_complete() => Outcome::Failed {
                error: Error::new(
                    ErrorKind::Rejected,
                    format!(
                        "Partner Center answered the cancellation of order {} with 200, but line item(s) {:?} are still active",
                        cancel.order_id(),
                        result.not_cancelled()
                    ),
                ),
                details: details(&result),
            },
            Ok(Retraction::Retracted(result)) => Outcome::Retracted(details(&result)),
            Ok(Retraction::AlreadyRetracted(AlreadyCancelled {
                current, evidence, ..
            })) => Outcome::AlreadyRetracted(details(&current).with_note(format!(
                "already cancelled ({}); nothing was changed",
                evidence.as_str()
            ))),
            Err(e) => failed_from(e, facade_error),
        }
    }

    async fn probe(&self, target: &Target) -> Result<Probe, Error> {
        let (customer, subscription, renewal_counts) = match target {
            Target::OrdersCancelSubscription(t) => (
                &t.customer_tenant_id,
                &t.subscription_id,
                t.if_outside_window == IfOutsideWindow::StopRenewal,
            ),
            Target::OrdersStopRenewal(t) => (&t.customer_tenant_id, &t.subscription_id, true),
            _ => return self.probe_order(target).await,
        };
        let sub = self
            .client
            .get_subscription(customer, subscription)
            .await
            .map_err(facade_error)?;
        let renewal_off = sub.auto_renew_enabled == Some(false)
            && (matches!(target, Target::OrdersStopRenewal(_))
                || orders::is_past_cancellation_window(&sub));
        let gone = sub.is_deleted() || (renewal_counts && renewal_off);
        let details = Details::new().with_response(to_value(&sub));
        Ok(if gone {
            Probe::Gone(details)
        } else {
            Probe::Present(details)
        })
    }

    /// Token: Azure AD client credentials (resource `https://api.partnercenter.microsoft.com`).
    /// Read: the partner's customers, one (`GET /v1/customers?size=1`, the read that needs no
    /// customer tenant id).
    async fn check(&self) -> Check {
        let token = check_token(VENDOR, self.client.vendor_client(), AZURE_TOKEN).await;
        if !token.is_ok() {
            return Check::new(token, CheckStep::Skipped("no token".to_owned()));
        }
        let read = check_read(
            self.client.list_customers(1).await,
            |page| {
                format!(
                    "listed the partner's customers (size 1): {} read",
                    page.items.as_ref().map_or(0, Vec::len)
                )
            },
            facade_error,
        );
        Check::after_token(VENDOR, token, read)
    }

    /// Reads the order or subscription and applies Partner Center's rules to what was read: an
    /// order or subscription it does not know (404) is blocked ("not found": a cancellation never
    /// deletes one); a line item the order does not have, or a cancellation window that has ended
    /// (named by its last day: [`orders::cancel_refusal`], [`orders::cancellation_window_end`]), is
    /// blocked, unless a `cancel-subscription` falls back to stopping the renewal. Never reversible.
    async fn inspect(&self, target: &Target) -> Result<Inspection, Error> {
        let (customer, subscription) = match target {
            Target::OrdersCancelSubscription(t) => (&t.customer_tenant_id, &t.subscription_id),
            Target::OrdersStopRenewal(t) => (&t.customer_tenant_id, &t.subscription_id),
            _ => return self.inspect_order(target).await,
        };
        let sub = match self.client.get_subscription(customer, subscription).await {
            Ok(sub) => sub,
            Err(orders::Error::SubscriptionNotFound { .. }) => {
                return Ok(Inspection::blocked(format!(
                    "not found: Partner Center has no subscription {subscription} for customer {customer}"
                )));
            }
            Err(e) => return Err(facade_error(e)),
        };
        let renewal_off = sub.auto_renew_enabled == Some(false);
        let past = orders::is_past_cancellation_window(&sub);
        let ended = || match orders::cancellation_window_end(&sub) {
            Some(date) => format!("the cancellation window ended on {date}"),
            None => "the subscription cannot be cancelled (cancellationAllowedUntilDate is null)"
                .to_owned(),
        };
        let inspection = match target {
            _ if sub.is_deleted() => {
                Inspection::already_retracted("the subscription is cancelled (status deleted)")
            }
            Target::OrdersStopRenewal(_) if renewal_off => {
                Inspection::already_retracted("auto-renew is already off")
            }
            Target::OrdersStopRenewal(_) => {
                Inspection::will_retract("auto-renew is on; it would be turned off", false)
            }
            Target::OrdersCancelSubscription(t) if past => match t.if_outside_window {
                IfOutsideWindow::StopRenewal if renewal_off => Inspection::already_retracted(
                    format!("{}, and auto-renew is already off", ended()),
                ),
                IfOutsideWindow::StopRenewal => Inspection::will_retract(
                    format!("{}: the renewal would be stopped instead", ended()),
                    false,
                ),
                _ => Inspection::blocked(format!(
                    "{} (Partner Center refuses it with 900117; ifOutsideWindow stop-renewal would stop the renewal instead)",
                    ended()
                )),
            },
            _ => Inspection::will_retract(
                match orders::cancellation_window_end(&sub) {
                    Some(date) => format!(
                        "inside the cancellation window (until {date}); cancelling cannot be undone"
                    ),
                    None => "cancelling cannot be undone".to_owned(),
                },
                false,
            ),
        };
        Ok(inspection.with_snapshot(to_value(&sub)))
    }

    async fn query(&self, query: &Query) -> Result<Details, Error> {
        if let Query::Get(ResourceRef::Subscription {
            customer_tenant_id,
            subscription_id,
        }) = query
        {
            let read = self
                .client
                .get_subscription(customer_tenant_id, subscription_id)
                .await
                .map_err(facade_error)?;
            return Ok(Details::new().with_response(to_value(&read)));
        }
        if let Query::List(list) = query
            && list.orders_subscriptions
        {
            let customer = list.customer_tenant_id.as_ref().ok_or_else(|| {
                Error::input(format!(
                    "{VENDOR}: listing subscriptions needs a customer tenant id (--customer)"
                ))
            })?;
            let mut collection = self
                .client
                .list_subscriptions(customer)
                .await
                .map_err(facade_error)?;
            if let (Some(limit), Some(items)) = (list.limit, collection.items.as_mut()) {
                items.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
            }
            return Ok(Details::new().with_response(to_value(&collection)));
        }
        self.query_orders(query).await
    }

    async fn select(&self, select: &Select) -> Result<Selection, Error> {
        match &select.source {
            Source::Orders {
                customer,
                line_items,
            } => self.select_orders(select, customer, *line_items).await,
            Source::Subscriptions {
                customer,
                if_outside_window,
            } => {
                self.select_subscriptions(select, customer, *if_outside_window)
                    .await
            }
            _ => Err(crate::select::unsupported(VENDOR)),
        }
    }
}

/// The `lineItems` key of an order, under which `--line-items` conditions test each item.
const LINE_ITEMS: &str = "lineItems";

impl PartnerCenterOrders {
    async fn select_orders(
        &self,
        select: &Select,
        customer: &CustomerTenantId,
        by_line_item: bool,
    ) -> Result<Selection, Error> {
        let collection = self
            .client
            .list_orders(customer)
            .await
            .map_err(facade_error)?;
        let (order_filter, item_filter) = if by_line_item {
            select.filter.split_under(LINE_ITEMS)
        } else {
            (select.filter.clone(), Filter::new())
        };
        let mut collector = Collector::new(select);
        for order in collection.items.unwrap_or_default() {
            let json = to_value(&order);
            collector.offer_with(&order_filter, &json, |json| {
                let Some(id) = order.id.as_deref() else {
                    return Some(Pick::skip("an order without id"));
                };
                let lines = if by_line_item {
                    let mut lines = matching_lines(json, &item_filter);
                    if lines.is_empty() {
                        return None;
                    }
                    // Only what is left to cancel: a line at quantity 0 already is.
                    lines.retain(|n| !orders::already_cancelled(&order, &[*n]));
                    if lines.is_empty() {
                        return Some(Pick::skip("already cancelled"));
                    }
                    lines
                } else {
                    if orders::already_cancelled(&order, &[]) {
                        return Some(Pick::skip("already cancelled"));
                    }
                    Vec::new()
                };
                Some(Pick::of(OrderId::new(id), |id| {
                    Target::OrdersCancel(OrdersCancel::new(customer.clone(), id, lines))
                }))
            });
        }
        Ok(collector.finish())
    }

    async fn select_subscriptions(
        &self,
        select: &Select,
        customer: &CustomerTenantId,
        if_outside_window: IfOutsideWindow,
    ) -> Result<Selection, Error> {
        let collection = self
            .client
            .list_subscriptions(customer)
            .await
            .map_err(facade_error)?;
        let mut collector = Collector::new(select);
        for sub in collection.items.unwrap_or_default() {
            let json = to_value(&sub);
            collector.offer(&json, |_| {
                let Some(id) = sub.id.as_deref() else {
                    return Some(Pick::skip("a subscription without id"));
                };
                if sub.is_deleted() {
                    return Some(Pick::skip("already deleted"));
                }
                Some(Pick::of(SubscriptionId::new(id), |id| {
                    Target::OrdersCancelSubscription(
                        OrdersCancelSubscription::new(customer.clone(), id)
                            .if_outside_window(if_outside_window),
                    )
                }))
            });
        }
        Ok(collector.finish())
    }
}

/// The numbers of the order's line items that pass `filter` each on their own.
fn matching_lines(order: &serde_json::Value, filter: &Filter) -> Vec<u32> {
    order
        .get(LINE_ITEMS)
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
        .filter(|item| filter.matches(item))
        .filter_map(|item| item.get("lineItemNumber")?.as_u64())
        .filter_map(|n| u32::try_from(n).ok())
        .collect()
}

impl PartnerCenterOrders {
    async fn probe_order(&self, target: &Target) -> Result<Probe, Error> {
        let cancel = cancel_of(target)?;
        let order = self
            .client
            .get_order(cancel.customer_tenant_id(), cancel.order_id())
            .await
            .map_err(facade_error)?;
        let lines = cancel.requested_line_items();
        let gone = orders::already_cancelled(&order, &lines);
        let details =
            Details::new().with_response(to_value(&CancelResult::from_order(order, lines)));
        Ok(if gone {
            Probe::Gone(details)
        } else {
            Probe::Present(details)
        })
    }

    async fn inspect_order(&self, target: &Target) -> Result<Inspection, Error> {
        let cancel = cancel_of(target)?;
        let (customer, id) = (cancel.customer_tenant_id(), cancel.order_id());
        let order = match self.client.get_order(customer, id).await {
            Ok(order) => order,
            Err(orders::Error::OrderNotFound { .. }) => {
                return Ok(Inspection::blocked(format!(
                    "not found: Partner Center has no order {id} for customer {customer}"
                )));
            }
            Err(e) => return Err(facade_error(e)),
        };
        let lines = cancel.requested_line_items();
        let what = if lines.is_empty() {
            "the order".to_owned()
        } else {
            format!("line item(s) {lines:?}")
        };
        let inspection = if orders::already_cancelled(&order, &lines) {
            Inspection::already_retracted(format!("{what} already cancelled"))
        } else if let Some(rule) = orders::cancel_refusal(&order, &lines, orders::now_unix()) {
            Inspection::blocked(rule)
        } else {
            Inspection::will_retract(
                format!("{what} would be cancelled (cannot be undone)"),
                false,
            )
        };
        Ok(inspection.with_snapshot(to_value(&order)))
    }

    async fn query_orders(&self, query: &Query) -> Result<Details, Error> {
        match query {
            Query::Get(ResourceRef::Order {
                customer_tenant_id,
                order_id,
            }) => {
                let read = self
                    .client
                    .get_order(customer_tenant_id, order_id)
                    .await
                    .map_err(facade_error)?;
                Ok(Details::new().with_response(to_value(&read)))
            }
            Query::List(list) => {
                let customer = list.customer_tenant_id.as_ref().ok_or_else(|| {
                    Error::input(format!(
                        "{VENDOR}: listing orders needs a customer tenant id (--customer)"
                    ))
                })?;
                let mut collection = self
                    .client
                    .list_orders(customer)
                    .await
                    .map_err(facade_error)?;
                if let (Some(limit), Some(items)) = (list.limit, collection.items.as_mut()) {
                    items.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
                }
                Ok(Details::new().with_response(to_value(&collection)))
            }
            other => Err(Error::unsupported(format!(
                "{VENDOR} does not support {} for this resource",
                other.name()
            ))),
        }
    }
}

/// The cancellation a target asks for.
fn cancel_of(target: &Target) -> Result<CancelOrder, Error> {
    let Target::OrdersCancel(t) = target else {
        return Err(Error::unsupported(format!(
            "{VENDOR} cannot perform {target}"
        )));
    };
    let (customer, order) = (t.customer_tenant_id.clone(), t.order_id.clone());
    Ok(if t.line_items.is_empty() {
        CancelOrder::whole(customer, order)
    } else {
        CancelOrder::line_items(customer, order, t.line_items.iter().copied())
    })
}

/// The outcome of a subscription call: a fallback taken is its own, visible result.
fn subscription_outcome(
    result: Result<SubscriptionOutcome, orders::Error>,
    already_note: &str,
) -> Outcome {
    match result {
        Ok(Retraction::Retracted(r)) => Outcome::Retracted(subscription_details(&r, None)),
        // The refused retry found the change made: the lost first attempt made it (DESIGN.md).
        Ok(Retraction::AlreadyRetracted(r)) if r.earlier_attempt_may_have_acted => {
            let details = subscription_details(&r, None);
            let note = details.note.clone();
            Outcome::Retracted(details.with_note(match note {
                Some(n) => format!("{n}; an earlier attempt of this call, whose answer was lost, most likely made the change"),
                None => "an earlier attempt of this call, whose answer was lost, most likely made the change".to_owned(),
            }))
        }
        Ok(Retraction::AlreadyRetracted(r)) => {
            Outcome::AlreadyRetracted(subscription_details(&r, Some(already_note)))
        }
        Err(e) => failed_from(e, facade_error),
    }
}

fn subscription_details(result: &SubscriptionResult, already_note: Option<&str>) -> Details {
    let mut details = with_request_id(
        Details::new().with_response(to_value(result)),
        result.request_id.as_deref(),
    );
    // The subscription as read before the PATCH (audit only: not restorable).
    if let Some(before) = &result.before {
        details = details.with_snapshot(before.clone());
    }
    if result.fallback == Some(orders::Fallback::StopRenewal) {
        let ended = result.window_ended.as_deref().unwrap_or("date unknown");
        let what = if already_note.is_some() {
            "renewal already stopped"
        } else {
            "renewal stopped"
        };
        details = details
            .with_fallback(Fallback::StopRenewal {
                window_ended: result.window_ended.clone(),
            })
            .with_note(format!(
                "{what} (outside the cancellation window, ended {ended})"
            ));
    } else if let Some(note) = already_note {
        details = details.with_note(note);
    }
    details
}

fn details(result: &CancelResult) -> Details {
    let details = with_request_id(
        Details::new().with_response(to_value(result)),
        result.request_id.as_deref(),
    );
    // The order as read before the PATCH, when it was read (audit only: not restorable).
    match &result.before {
        Some(before) => details.with_snapshot(before.clone()),
        None => details,
    }
}

/// The facade error; only the variants whose kind the accessors cannot tell are named (code
/// 20000 is not-found whatever the status, and a 429 answer is throttling, not a rejection).
fn facade_error(err: orders::Error) -> Error {
    let kind = match &err {
        orders::Error::OrderNotFound { .. } | orders::Error::SubscriptionNotFound { .. } => {
            Some(ErrorKind::NotFound)
        }
        // The client's own window check sent nothing, so the accessors cannot tell.
        orders::Error::OutsideCancellationWindow { .. } => Some(ErrorKind::Rejected),
        orders::Error::Throttled { .. } => Some(ErrorKind::RateLimited),
        _ => None,
    };
    error_from(err, kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_credentials_are_config_errors() {
        let err = build(&Config::new(), &crate::vendors::test_transport())
            .err()
            .expect("no credentials");
        assert_eq!(err.kind(), ErrorKind::Config);
        assert!(err.message().contains("OFFERKIT_ORDERS_TENANT_ID"), "{err}");
    }

    #[test]
    fn the_azure_fallback_configures_orders() {
        let config = Config::from_env_vars([
            ("OFFERKIT_AZURE_TENANT_ID", "t"),
            ("OFFERKIT_AZURE_CLIENT_ID", "c"),
            ("OFFERKIT_AZURE_CLIENT_SECRET", "s"),
            ("OFFERKIT_ORDERS_URL", "http://127.0.0.1:9"),
        ])
        .expect("config");
        assert!(build(&config, &crate::vendors::test_transport()).is_ok());
    }
}
