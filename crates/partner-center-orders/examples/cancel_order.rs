//! Cancel one line item of a Partner Center order against the in-process offerkit sandbox (its Azure AD
//! token endpoint included; no account needed).
//!
//! ```sh
//! cargo run -p offerkit-partner-center-orders --example cancel_order
//! ```
//!
//! Against the real API, build the client with `OrdersClient::from_env()` instead
//! (`OFFERKIT_ORDERS_TENANT_ID`, `_CLIENT_ID`, `_CLIENT_SECRET`); everything after that line stays the same.

use offerkit_partner_center_orders::{
    CancelOrder, CustomerTenantId, OrderId, OrdersClient, Retraction,
};
use offerkit_sandbox::Sandbox;
use serde_json::json;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    run().await
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start().await?;
    // Created now, so the 30-day cancellation window of perpetual software is open.
    sandbox.seed(&json!({"orders": [{
        "id": "order-1",
        "referenceCustomerId": "customer-1",
        "lineItems": [
            {"offerId": "DG7GMGF0FKZV:0003:DG7GMGF0DWMS", "quantity": 2},
            {"offerId": "DG7GMGF0FKZW:0002:DG7GMGF0DWMT", "quantity": 1}
        ]
    }]}))?;

    // The same keys `from_env` reads, answered here so the example is self-contained.
    let root = sandbox.base_url().to_owned();
    let client = OrdersClient::from_lookup(&|key| match key {
        "OFFERKIT_ORDERS_TENANT_ID" => Some("example-tenant".to_owned()),
        "OFFERKIT_ORDERS_CLIENT_ID" => Some("example-client".to_owned()),
        "OFFERKIT_ORDERS_CLIENT_SECRET" => Some("example-secret".to_owned()),
        "OFFERKIT_ORDERS_AUTHORITY" | "OFFERKIT_ORDERS_URL" => Some(root.clone()),
        _ => None,
    })?;

    let customer = CustomerTenantId::new("customer-1")?;
    let order = OrderId::new("order-1")?;
    // Line item 0 only; the client reads the order first to name its offer id in the PATCH.
    let cancel = CancelOrder::line_items(customer, order, [0]);
    let outcome = client.cancel_order(&cancel).await?;
    match &outcome {
        Retraction::Retracted(r) => println!(
            "cancelled line items {:?}; still active {:?}; whole order cancelled: {}",
            r.cancelled_line_items, r.remaining_line_items, r.whole_order_cancelled
        ),
        Retraction::AlreadyRetracted(already) => {
            println!("already cancelled ({})", already.evidence.as_str())
        }
    }
    // A repeat is reported as already retracted, not as a second cancellation.
    let again = client.cancel_order(&cancel).await?;
    println!(
        "second run: already retracted = {}",
        again.is_already_retracted()
    );

    sandbox.shutdown().await?;
    if !outcome.is_retracted() || !again.is_already_retracted() {
        return Err("expected a cancellation, then an already-retracted repeat".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn the_example_cancels_the_line_item() {
        super::run().await.unwrap();
    }
}
