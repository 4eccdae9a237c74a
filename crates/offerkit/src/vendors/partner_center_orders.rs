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
//! - `resume`: the default (cancellations are synchronous).
//!
//! Settings (`[partner-center-orders]` or `OFFERKIT_ORDERS_*`): `base-url`, `token-url` (a full
//! `…/{tenant}/oauth2/token` URL or just the authority), `tenant-id`, `client-id`, `client-secret`.

use std::sync::Arc;

use async_trait::async_trait;
use offerkit_partner_center_orders::transport::AzureClientCredentials;
use offerkit_partner_center_orders::{
    self as orders, CancelOrder, CancelResult, CustomerTenantId, OrderId, OrdersClient, Retraction,
};

use crate::config::Config;
use crate::error::{Error, ErrorKind};
use crate::ids::{OrderId as TargetOrderId, TenantId};
use crate::outcome::{Details, Outcome};
use crate::retract::{Probe, Query, Retract, RetractContext};
use crate::target::{ResourceRef, Target};
use crate::vendors::common::{
    azure_credentials, config_error, failed_call, to_value, transport_kind, with_code_and_status,
    with_request_id,
};
use offerkit_models::Vendor;

const VENDOR: Vendor = Vendor::PartnerCenterOrders;

/// Builds the impl, or says why it cannot (missing credentials, bad URL).
pub(crate) fn build(config: &Config) -> Result<Arc<dyn Retract>, Error> {
    let settings = config.vendor(VENDOR);
    let credential = azure_credentials(VENDOR, &settings, |tenant, client, secret| {
        AzureClientCredentials::partner_center(tenant, client, secret)
    })?;
    let mut builder = OrdersClient::builder().credential(credential);
    if let Some(url) = &settings.base_url {
        builder = builder.base_url(url.clone());
    }
    let client = builder.build().map_err(|e| config_error(VENDOR, e))?;
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
            Ok(Retraction::AlreadyRetracted { current, evidence }) => {
                Outcome::AlreadyRetracted(details(&current).with_note(format!(
                    "already cancelled ({}); nothing was changed",
                    evidence.as_str()
                )))
            }
            Ok(_) => Outcome::failed(Error::new(
                ErrorKind::Internal,
                "unknown retraction result from offerkit-partner-center-orders",
            )),
            Err(e) => {
                let request_id = e.request_id().map(str::to_owned);
                failed_call(facade_error(e), request_id.as_deref())
            }
        }
    }

    async fn probe(&self, target: &Target) -> Result<Probe, Error> {
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

    async fn query(&self, query: &Query) -> Result<Details, Error> {
        match query {
            Query::Get(ResourceRef::Order {
                customer_tenant_id,
                order_id,
            }) => {
                let (customer, order) = ids(customer_tenant_id, order_id)?;
                let read = self
                    .client
                    .get_order(&customer, &order)
                    .await
                    .map_err(facade_error)?;
                Ok(Details::new().with_response(to_value(&read)))
            }
            Query::List(list) => {
                let tenant = list.customer_tenant_id.as_ref().ok_or_else(|| {
                    Error::input(format!(
                        "{VENDOR}: listing orders needs a customer tenant id (--customer)"
                    ))
                })?;
                let customer = CustomerTenantId::new(tenant.as_str()).map_err(input_error)?;
                let mut collection = self
                    .client
                    .list_orders(&customer)
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
    let (customer, order) = ids(&t.customer_tenant_id, &t.order_id)?;
    Ok(if t.line_items.is_empty() {
        CancelOrder::whole(customer, order)
    } else {
        CancelOrder::line_items(customer, order, t.line_items.iter().copied())
    })
}

fn ids(tenant: &TenantId, order: &TargetOrderId) -> Result<(CustomerTenantId, OrderId), Error> {
    Ok((
        CustomerTenantId::new(tenant.as_str()).map_err(input_error)?,
        OrderId::new(order.as_str()).map_err(input_error)?,
    ))
}

fn details(result: &CancelResult) -> Details {
    with_request_id(
        Details::new().with_response(to_value(result)),
        result.request_id.as_deref(),
    )
}

fn input_error(err: orders::Error) -> Error {
    Error::new(ErrorKind::Input, err.to_string()).with_source(err)
}

/// Classifies a crate error for the facade, keeping code, status and source.
fn facade_error(err: orders::Error) -> Error {
    let kind = match &err {
        orders::Error::InvalidArgument { .. } | orders::Error::LineItemsNotFound { .. } => {
            ErrorKind::Input
        }
        orders::Error::OrderNotFound { .. } => ErrorKind::NotFound,
        orders::Error::Unauthorized { .. } => ErrorKind::Auth,
        orders::Error::Throttled { .. } => ErrorKind::RateLimited,
        orders::Error::UnableToProcess { .. }
        | orders::Error::InvalidInput { .. }
        | orders::Error::NoRelationship { .. } => ErrorKind::Rejected,
        orders::Error::Api { answer, .. } if answer.status < 500 => ErrorKind::Rejected,
        orders::Error::Api { .. } => ErrorKind::Vendor,
        // The crate keeps only unsent and undecodable failures as `Transport` (API answers,
        // throttling and invalid input have their own variants).
        orders::Error::Transport(t) => transport_kind(t),
        _ => ErrorKind::Vendor,
    };
    let code = err.code().map(str::to_owned);
    let status = err.status();
    with_code_and_status(Error::from_source(kind, err), code, status)
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
}
