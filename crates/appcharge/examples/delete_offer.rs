//! Delete one Appcharge offer, end to end, against the in-process offerkit sandbox (no account needed).
//!
//! ```sh
//! cargo run -p offerkit-appcharge --example delete_offer
//! ```
//!
//! Against the real API, build the client with `AppchargeClient::from_env()` instead
//! (`OFFERKIT_APPCHARGE_PUBLISHER_TOKEN`); everything after that line stays the same.

use offerkit_appcharge::{AppchargeClient, PublisherOfferId, Retraction};
use offerkit_sandbox::Sandbox;
use serde_json::json;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    run().await
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start().await?;
    sandbox.seed(&json!({"appcharge": {"offers": [
        {"publisherOfferId": "starter-pack", "name": "Starter pack", "type": "Bundle"}
    ]}}))?;

    // The same keys `from_env` reads, answered here so the example is self-contained.
    let root = sandbox.base_url().to_owned();
    let client = AppchargeClient::from_lookup(&|key| match key {
        "OFFERKIT_APPCHARGE_URL" => Some(root.clone()),
        "OFFERKIT_APPCHARGE_PUBLISHER_TOKEN" => Some("example-publisher-token".to_owned()),
        _ => None,
    })?;

    let id = PublisherOfferId::new("starter-pack")?;
    // `delete_and_verify` confirms a 404 with a read before believing it (the facade and CLI use it).
    match client.delete_and_verify(&id).await? {
        Retraction::Retracted(deleted) => println!(
            "deleted {id} (request {:?})",
            deleted.request_id.as_deref().unwrap_or("-")
        ),
        Retraction::AlreadyRetracted(gone) => println!("{id} was already gone: {:?}", gone.message),
    }
    // Running it again is safe: the offer is now already retracted.
    let again = client.delete_and_verify(&id).await?;
    println!(
        "second run: already retracted = {}",
        again.is_already_retracted()
    );

    let deletes = sandbox.acted_count("DELETE", "/v2/offer/starter-pack");
    sandbox.shutdown().await?;
    if deletes != 2 || !again.is_already_retracted() {
        return Err(
            format!("expected two DELETEs and an already-retracted repeat, saw {deletes}").into(),
        );
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
