//! Delete and withdraw Microsoft Partner Center private offers through the product-ingestion API, and
//! follow the configure job to its end.
//!
//! | Module | What it does | Endpoint |
//! |---|---|---|
//! | `client` | [`IngestionClient`] and its builder (base URL, Azure AD credential, transport) | |
//! | `retract` | [`DeletePrivateOffer`], [`WithdrawPrivateOffer`] (ISV / selling partner), state check first | `POST /configure?$version=2022-07-01` |
//! | `configure` | [`IngestionClient::configure`]: any envelope, several resources in one job; [`Submitted`] | `POST /configure?$version=2022-07-01` |
//! | `job` | [`JobHandle`] (serializable), [`Poller`] (step or wait), [`JobState`], [`JobOutcome`] | `GET /configure/{jobId}/status?$version=2022-07-01` |
//! | `offers` | [`IngestionClient::get_private_offer`], [`IngestionClient::query_private_offers`] | `GET /private-offer/{id}`, `GET /private-offer/query` (`$version=2023-07-15`) |
//! | `retraction` | [`Retraction`]: retracted by this call, or already retracted | |
//! | `error` | [`Error`]: typed vendor meanings over the transport error | |
//! | `ids` | [`PrivateOfferId`], [`JobId`]: validated ids | |
//!
//! The vendor models are re-exported as [`models`], the HTTP layer as [`transport`].
//!
//! ```no_run
//! use std::time::Duration;
//! use offerkit_partner_center_ingestion::{IngestionClient, PrivateOfferId, Retraction, WithdrawPrivateOffer};
//!
//! # async fn run() -> Result<(), offerkit_partner_center_ingestion::Error> {
//! let client = IngestionClient::from_env()?; // OFFERKIT_AZURE_TENANT_ID, _CLIENT_ID, _CLIENT_SECRET
//! let request = WithdrawPrivateOffer::isv(PrivateOfferId::new("456e-a345-c457-1234")?);
//! match client.withdraw_private_offer(request).await? {
//!     Retraction::Retracted(submitted) => {
//!         // Store submitted.handle (serde) to resume polling after a crash.
//!         let end = client
//!             .poller(submitted.handle)
//!             .deadline(Duration::from_secs(20 * 60))
//!             .wait_retraction()
//!             .await?;
//!         println!("withdrawn: {}", end.is_retracted());
//!     }
//!     Retraction::AlreadyRetracted { state, .. } => println!("already gone ({state:?})"),
//!     _ => {}
//! }
//! # Ok(()) }
//! ```

#![forbid(unsafe_code)]

mod client;
mod configure;
mod error;
mod ids;
mod job;
mod offers;
mod retract;
mod retraction;

pub use client::{BASE_URL_ENV, IngestionClient, IngestionClientBuilder, SERVICE};
pub use configure::Submitted;
pub use error::{Error, TransportError};
pub use ids::{JobId, PrivateOfferId};
pub use job::{JobHandle, JobOutcome, JobPurpose, JobState, Poller};
pub use offers::PrivateOfferQuery;
pub use retract::{
    DeletePrivateOffer, WithdrawPrivateOffer, WithdrawRole, is_deleted, is_withdrawn,
};
pub use retraction::Retraction;

/// The product-ingestion models (`offerkit_models::partner_center_ingestion`): [`models::PrivateOffer`],
/// [`models::ConfigureRequest`], [`models::ConfigureStatus`], the `$version` constants, ...
pub use offerkit_models::partner_center_ingestion as models;
/// The HTTP layer: credentials ([`transport::AzureClientCredentials`]), [`transport::Transport`],
/// [`transport::RetryPolicy`], and `mock` with its `test-util` feature.
pub use offerkit_transport as transport;
