//! The partner's customers: the one orders-side read that needs no customer tenant id (what
//! `offerkit doctor` checks a setup with).

use offerkit_models::partner_center_orders::CustomerCollection;
use tracing::Instrument;

use crate::error::Scope;
use crate::{Error, OrdersClient};

impl OrdersClient {
    /// `GET /v1/customers?size={size}`: the first page of the partner's customers,
    /// `{totalCount, items, links, attributes}` (Partner Center "Get a list of customers",
    /// <https://learn.microsoft.com/en-us/partner-center/developer/get-a-list-of-customers>).
    ///
    /// ```no_run
    /// # async fn run(client: &offerkit_partner_center_orders::OrdersClient) -> Result<(), offerkit_partner_center_orders::Error> {
    /// let page = client.list_customers(1).await?;
    /// println!("{} customer(s) on the first page", page.items.map_or(0, |c| c.len()));
    /// # Ok(()) }
    /// ```
    pub async fn list_customers(&self, size: u32) -> Result<CustomerCollection, Error> {
        let span = tracing::debug_span!("offerkit.orders.list_customers", size);
        self.vendor_client()
            .get("list_customers")
            .path("v1/customers")
            .query("size", size)
            .send_json()
            .instrument(span)
            .await
            .map_err(|e| Error::from_transport(e, Scope::default()))
    }
}
