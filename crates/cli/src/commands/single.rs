//! `offerkit ingestion|orders|adobe|appcharge …`: one retraction or one read.

use offerkit::{
    AdobeDelete, AdobeOfferId, AppchargeDelete, Client, CustomerTenantId, Details, Error,
    IfOutsideWindow, IngestionDelete, IngestionWithdraw, JobHandle, JobId, ListQuery, OrderId,
    OrdersCancel, OrdersCancelSubscription, OrdersStopRenewal, Outcome, PrivateOfferId,
    PublisherOfferId, Query, ResourceRef, SubscriptionId, Target, TargetError, Vendor,
};

use crate::args::{
    AdobeCmd, AdobeRef, AppchargeCmd, Command, IngestionCmd, OfferRef, OrderRef, OrdersCmd,
    SubscriptionRef,
};
use crate::commands::job_progress::JobProgressView;
use crate::exit::Exit;

/// What a vendor subcommand asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// A retraction.
    Retract(Target),
    /// A read.
    Query(Query),
}

/// Translates a vendor subcommand; `None` for non-vendor commands.
pub fn op(command: &Command) -> Option<Result<Op, Error>> {
    let op = match command {
        Command::Ingestion(cmd) => ingestion(cmd),
        Command::Orders(cmd) => orders(cmd),
        Command::Adobe(cmd) => adobe(cmd),
        Command::Appcharge(cmd) => appcharge(cmd),
        _ => return None,
    };
    Some(op)
}

/// Runs `op` and prints the result; returns the exit code.
pub async fn run(client: &Client, op: &Op, json: bool) -> Exit {
    match op {
        Op::Retract(target) => {
            let outcome = if target.vendor() == Vendor::PartnerCenterIngestion {
                // A configure job: minutes of polling, shown on stderr.
                let (ctx, view) = JobProgressView::attach(client.context());
                let outcome = client.retract_with(target, &ctx).await;
                view.finish();
                outcome
            } else {
                client.retract(target).await
            };
            print_outcome(target, &outcome, json);
            Exit::for_outcome(&outcome)
        }
        Op::Query(query) => match client.query(query).await {
            Ok(details) => {
                print_details(&details, json);
                Exit::Success
            }
            Err(error) => {
                crate::print_error(&error, json);
                Exit::for_error(&error)
            }
        },
    }
}

fn print_outcome(target: &Target, outcome: &Outcome, json: bool) {
    if json {
        crate::print_json(outcome);
        return;
    }
    let details = outcome.details();
    outln!("{} {}", outcome.status().as_str(), target.key());
    if let Some(job) = &details.job {
        outln!(
            "  job {} {}{}",
            job.id,
            job.status,
            job.result
                .as_deref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default()
        );
    }
    if let Some(id) = &details.request_id {
        outln!("  request id {id}");
    }
    if let Some(note) = &details.note {
        outln!("  {note}");
    }
    if let Some(error) = outcome.error() {
        errln!("error: {error}");
    }
}

fn print_details(details: &Details, json: bool) {
    match (&details.response, json) {
        (Some(response), true) => crate::print_json(response),
        (Some(response), false) => {
            if let Some(id) = &details.request_id {
                outln!("request id {id}");
            }
            crate::print_json(response);
        }
        (None, _) => outln!("(no content)"),
    }
}

fn ingestion(cmd: &IngestionCmd) -> Result<Op, Error> {
    Ok(match cmd {
        IngestionCmd::Delete(offer) => {
            let mut t = IngestionDelete::new(offer_id(offer)?);
            t.name = offer.name.clone();
            t.private_offer_type = offer.private_offer_type.clone();
            Op::Retract(Target::IngestionDelete(t))
        }
        IngestionCmd::Withdraw { offer, role } => {
            let mut t = IngestionWithdraw::new(offer_id(offer)?, *role);
            t.name = offer.name.clone();
            t.private_offer_type = offer.private_offer_type.clone();
            Op::Retract(Target::IngestionWithdraw(t))
        }
        IngestionCmd::Status { job_id } => Op::Query(Query::JobStatus {
            vendor: Vendor::PartnerCenterIngestion,
            job: JobHandle::new(
                JobId::new(job_id.clone())
                    .map_err(|e| TargetError::from(e).in_field("--job-id"))?,
            ),
        }),
        IngestionCmd::Get { offer_id } => Op::Query(Query::Get(ResourceRef::PrivateOffer(
            PrivateOfferId::new(offer_id.as_str())
                .map_err(|e| TargetError::from(e).in_field("--offer-id"))?,
        ))),
    })
}

fn offer_id(offer: &OfferRef) -> Result<PrivateOfferId, Error> {
    Ok(PrivateOfferId::new(offer.offer_id.as_str())
        .map_err(|e| TargetError::from(e).in_field("--offer-id"))?)
}

fn order_ids(order: &OrderRef) -> Result<(CustomerTenantId, OrderId), Error> {
    Ok((
        CustomerTenantId::new(order.customer.clone())
            .map_err(|e| TargetError::from(e).in_field("--customer"))?,
        OrderId::new(order.order.clone()).map_err(|e| TargetError::from(e).in_field("--order"))?,
    ))
}

fn subscription_ids(r: &SubscriptionRef) -> Result<(CustomerTenantId, SubscriptionId), Error> {
    Ok((
        CustomerTenantId::new(r.customer.clone())
            .map_err(|e| TargetError::from(e).in_field("--customer"))?,
        SubscriptionId::new(r.subscription.clone())
            .map_err(|e| TargetError::from(e).in_field("--subscription"))?,
    ))
}

fn orders(cmd: &OrdersCmd) -> Result<Op, Error> {
    Ok(match cmd {
        OrdersCmd::Cancel { order, line_items } => {
            let (tenant, order) = order_ids(order)?;
            Op::Retract(Target::OrdersCancel(OrdersCancel::new(
                tenant,
                order,
                line_items.clone(),
            )))
        }
        OrdersCmd::Get(order) => {
            let (customer_tenant_id, order_id) = order_ids(order)?;
            Op::Query(Query::Get(ResourceRef::Order {
                customer_tenant_id,
                order_id,
            }))
        }
        OrdersCmd::List { customer } => Op::Query(Query::List(
            ListQuery::new(Vendor::PartnerCenterOrders).with_customer(
                CustomerTenantId::new(customer.clone())
                    .map_err(|e| TargetError::from(e).in_field("--customer"))?,
            ),
        )),
        OrdersCmd::CancelSubscription {
            subscription,
            if_outside_window,
        } => {
            let (tenant, id) = subscription_ids(subscription)?;
            let choice = if if_outside_window == "stop-renewal" {
                IfOutsideWindow::StopRenewal
            } else {
                IfOutsideWindow::Fail
            };
            Op::Retract(Target::OrdersCancelSubscription(
                OrdersCancelSubscription::new(tenant, id).if_outside_window(choice),
            ))
        }
        OrdersCmd::StopRenewal(subscription) => {
            let (tenant, id) = subscription_ids(subscription)?;
            Op::Retract(Target::OrdersStopRenewal(OrdersStopRenewal::new(
                tenant, id,
            )))
        }
        OrdersCmd::Subscriptions { customer } => Op::Query(Query::List(
            ListQuery::new(Vendor::PartnerCenterOrders)
                .with_customer(
                    CustomerTenantId::new(customer.clone())
                        .map_err(|e| TargetError::from(e).in_field("--customer"))?,
                )
                .subscriptions(),
        )),
    })
}

fn adobe_id(r: &AdobeRef) -> Result<AdobeOfferId, Error> {
    Ok(AdobeOfferId::new(r.offer_id.clone())
        .map_err(|e| TargetError::from(e).in_field("--offer-id"))?)
}

fn adobe(cmd: &AdobeCmd) -> Result<Op, Error> {
    Ok(match cmd {
        AdobeCmd::Delete(r) => Op::Retract(Target::AdobeDelete(AdobeDelete::new(
            adobe_id(r)?,
            r.offer_type,
        ))),
        AdobeCmd::Get(r) => Op::Query(Query::Get(ResourceRef::AdobeOffer {
            offer_id: adobe_id(r)?,
            offer_type: r.offer_type,
        })),
        AdobeCmd::List { offer_type, limit } => {
            let mut q = ListQuery::new(Vendor::AdobeOffers).with_adobe_offer_type(*offer_type);
            if let Some(limit) = limit {
                q = q.with_limit(*limit);
            }
            Op::Query(Query::List(q))
        }
    })
}

fn publisher_id(raw: &str) -> Result<PublisherOfferId, Error> {
    Ok(PublisherOfferId::new(raw)
        .map_err(|e| TargetError::from(e).in_field("--publisher-offer-id"))?)
}

fn appcharge(cmd: &AppchargeCmd) -> Result<Op, Error> {
    Ok(match cmd {
        AppchargeCmd::Delete { publisher_offer_id } => Op::Retract(Target::AppchargeDelete(
            AppchargeDelete::new(publisher_id(publisher_offer_id)?),
        )),
        AppchargeCmd::Get { publisher_offer_id } => Op::Query(Query::Get(
            ResourceRef::AppchargeOffer(publisher_id(publisher_offer_id)?),
        )),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args::Cli;
    use clap::Parser;

    fn op_of(args: &[&str]) -> Result<Op, Error> {
        let cli = Cli::try_parse_from(args).expect("parse");
        op(&cli.command).expect("vendor command")
    }

    #[test]
    fn subcommands_build_the_same_targets_as_jsonl() {
        let Ok(Op::Retract(t)) = op_of(&[
            "offerkit",
            "orders",
            "cancel",
            "--customer",
            "c",
            "--order",
            "o",
            "--line-item",
            "2",
            "--line-item",
            "0",
        ]) else {
            panic!("retract")
        };
        assert_eq!(t.key(), "partner-center-orders:cancel:c:o:0,2");
        let Ok(Op::Retract(t)) = op_of(&[
            "offerkit",
            "ingestion",
            "withdraw",
            "--offer-id",
            "private-offer/x",
            "--role",
            "selling-partner",
        ]) else {
            panic!("retract")
        };
        assert_eq!(
            t.key(),
            "partner-center-ingestion:withdraw:x:selling-partner"
        );
        let err = op_of(&[
            "offerkit",
            "appcharge",
            "delete",
            "--publisher-offer-id",
            "",
        ])
        .expect_err("empty id");
        assert_eq!(
            err.to_string(),
            "input: field `--publisher-offer-id`: must not be empty"
        );
        assert_eq!(Exit::for_error(&err), Exit::Usage);
    }
}
