//! Delete one Adobe Journey Optimizer personalized offer, verified, against the in-process offerkit
//! sandbox (its IMS token endpoint included; no account needed).
//!
//! ```sh
//! cargo run -p offerkit-adobe-offers --example delete_offer
//! ```
//!
//! Against the real API, build the client with `AdobeOffersClient::from_env()` instead (the
//! `OFFERKIT_ADOBE_*` keys of the README); everything after that line stays the same.

use offerkit_adobe_offers::{AdobeOfferId, AdobeOffersClient, OfferType, Retraction};
use offerkit_sandbox::Sandbox;
use serde_json::json;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    run().await
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start().await?;
    sandbox.seed(&json!({"adobe": {"personalized": [
        {"id": "summer-sale", "name": "Summer sale", "status": "approved"}
    ]}}))?;

    // The same keys `from_env` reads, answered here so the example is self-contained.
    let root = sandbox.base_url().to_owned();
    let client = AdobeOffersClient::from_lookup(&|key| match key {
        "OFFERKIT_ADOBE_CLIENT_ID" => Some("example-client".to_owned()),
        "OFFERKIT_ADOBE_CLIENT_SECRET" => Some("example-secret".to_owned()),
        "OFFERKIT_ADOBE_ORG_ID" => Some("EXAMPLE@AdobeOrg".to_owned()),
        "OFFERKIT_ADOBE_IMS_URL" => Some(root.clone()),
        "OFFERKIT_ADOBE_URL" => Some(format!("{root}/data/core/dps")),
        _ => None,
    })?;

    let id = AdobeOfferId::new("summer-sale")?;
    // Deletes, then reads the offer back: only a 404 to that read counts as retracted.
    let outcome = client
        .delete_and_verify(&id, OfferType::Personalized)
        .await?;
    match &outcome {
        Retraction::Retracted(deleted) => println!(
            "deleted {id}; the read-back answers 404 (request {:?})",
            deleted.request_id.as_deref().unwrap_or("-")
        ),
        Retraction::AlreadyRetracted(gone) => println!("{id} was already gone: {:?}", gone.message),
    }

    let deletes = sandbox.acted_count("DELETE", "/data/core/dps/offers/summer-sale");
    sandbox.shutdown().await?;
    if deletes != 1 || !outcome.is_retracted() {
        return Err(format!("expected one DELETE that retracted the offer, saw {deletes}").into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn the_example_deletes_the_offer() {
        super::run().await.unwrap();
    }
}
