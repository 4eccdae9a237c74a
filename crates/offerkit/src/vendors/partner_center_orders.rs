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
//! - `resume`: the default (cancellations are synchronous).
//!
//! Settings: the crate's own keys, `OFFERKIT_ORDERS_TENANT_ID`, `_CLIENT_ID`, `_CLIENT_SECRET`,
//! `_AUTHORITY`, `_URL` (`OFFERKIT_AZURE_*` as the fallback of the Azure keys), answered from the
//! profile and environment by [`Config::lookup`].

use std::sync::Arc;

use async_trait::async_trait;
use offerkit_partner_center_orders::{
    self as orders, AlreadyCancelled, CancelOrder, CancelResult, CancelSubscription, ErrorInfo,
    OrdersClient, Retraction, SubscriptionOutcome, SubscriptionResult,
};

use crate::check::{Check, CheckStep};
use crate::config::Config;
use crate::error::{Error, ErrorKind};
use crate::outcome::{Details, Fallback, Outcome};
use crate::retract::{Probe, Query, Retract, RetractContext};
use crate::target::{IfOutsideWindow, ResourceRef, Target};
use crate::vendors::common::{
    AZURE_TOKEN, check_token, config_error, error_from, failed_call, to_value, with_request_id,
};
use offerkit_models::Vendor;

const VENDOR: Vendor = Vendor::PartnerCenterOrders;

/// Builds the impl, or says why it cannot (missing credentials, bad URL).
pub(crate) fn build(config: &Config) -> Result<Arc<dyn Retract>, Error> {
    let client = OrdersClient::builder()
        .from_lookup(&config.lookup())
        .and_then(|builder| builder.build())
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
            Err(e) => {
                let request_id = e.request_id().map(str::to_owned);
                failed_call(facade_error(e), request_id.as_deref())
            }
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
    /// Read: skipped, every orders read needs a customer tenant id.
    async fn check(&self) -> Check {
        let token = check_token(VENDOR, self.client.vendor_client(), AZURE_TOKEN).await;
        let read = if token.is_ok() {
            "every Partner Center orders read needs a customer: try `offerkit orders list \
             --customer <tenant-id>`"
        } else {
            "no token"
        };
        Check::new(token, CheckStep::Skipped(read.to_owned()))
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
        Err(e) => {
            let request_id = e.request_id().map(str::to_owned);
            failed_call(facade_error(e), request_id.as_deref())
        }
    }
}

fn subscription_details(result: &SubscriptionResult, already_note: Option<&str>) -> Details {
    let mut details = with_request_id(
        Details::new().with_response(to_value(result)),
        result.request_id.as_deref(),
    );
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
    with_request_id(
        Details::new().with_response(to_value(result)),
        result.request_id.as_deref(),
    )
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
        let err = build(&Config::new()).err().expect("no credentials");
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
        assert!(build(&config).is_ok());
    }
}
