//! Delete one draft Partner Center private offer through the product-ingestion API against the in-process
//! offerkit sandbox (its Azure AD token endpoint included; no account needed): submit the configure job,
//! then poll it to its end.
//!
//! ```sh
//! cargo run -p offerkit-partner-center-ingestion --example delete_private_offer
//! ```
//!
//! Against the real API, build the client with `IngestionClient::from_env()` instead
//! (`OFFERKIT_INGESTION_TENANT_ID`, `_CLIENT_ID`, `_CLIENT_SECRET`), and keep the default poll interval
//! (60 s, the documented maximum rate); everything else stays the same.

use std::time::Duration;

use offerkit_partner_center_ingestion::{
    DeletePrivateOffer, IngestionClient, PrivateOfferId, Retraction,
};
use offerkit_sandbox::Sandbox;
use serde_json::json;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    run().await
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start().await?;
    sandbox.seed(&json!({"ingestion": {"privateOffers": [
        {"id": "draft-1", "name": "Draft offer", "privateOfferType": "customerPromotion", "state": "draft"}
    ]}}))?;

    // The same keys `from_env` reads, answered here so the example is self-contained.
    let root = sandbox.base_url().to_owned();
    let client = IngestionClient::from_lookup(&|key| match key {
        "OFFERKIT_INGESTION_TENANT_ID" => Some("example-tenant".to_owned()),
        "OFFERKIT_INGESTION_CLIENT_ID" => Some("example-client".to_owned()),
        "OFFERKIT_INGESTION_CLIENT_SECRET" => Some("example-secret".to_owned()),
        "OFFERKIT_INGESTION_AUTHORITY" => Some(root.clone()),
        "OFFERKIT_INGESTION_URL" => Some(format!("{root}/rp/product-ingestion")),
        _ => None,
    })?;

    let id = PrivateOfferId::new("draft-1")?;
    let retracted = match client
        .delete_private_offer(DeletePrivateOffer::new(id))
        .await?
    {
        Retraction::Retracted(submitted) => {
            println!("job {} submitted; polling it", submitted.handle.job_id);
            // The sandbox's job moves one state per poll, so there is nothing to wait for here.
            let end = client
                .poller(submitted.handle)
                .poll_interval(Duration::ZERO)
                .deadline(Duration::from_secs(60))
                .wait_retraction()
                .await?;
            println!("deleted by this run: {}", end.is_retracted());
            end.is_retracted()
        }
        Retraction::AlreadyRetracted(gone) => {
            println!("already gone ({:?})", gone.state);
            false
        }
    };

    sandbox.shutdown().await?;
    if !retracted {
        return Err("expected the job to delete the draft offer".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn the_example_deletes_the_draft_offer() {
        super::run().await.unwrap();
    }
}
