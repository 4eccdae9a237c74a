//! Read operations: one order, a customer's orders, an order's provisioning status.

use offerkit_models::ids::{CustomerTenantId, OrderId};
use offerkit_models::partner_center_orders::{Order, OrderCollection, ProvisioningStatus};
use offerkit_transport::Request;
use tracing::Instrument;

use crate::error::Scope;
use crate::{Error, OrdersClient};

impl OrdersClient {
    /// `GET /v1/customers/{customer-tenant-id}/orders/{order-id}`.
    ///
    /// A missing order is [`Error::OrderNotFound`] (code 20000).
    ///
    /// ```no_run
    /// # use offerkit_partner_center_orders::{CustomerTenantId, OrderId, OrdersClient};
    /// # async fn run(client: &OrdersClient) -> Result<(), offerkit_partner_center_orders::Error> {
    /// let customer = CustomerTenantId::new("45411344-b09d-47e7-9653-542006bf9766")?;
    /// let order = client.get_order(&customer, &OrderId::new("2y6dF_rVgDAXMxypQPPnTquuXhKVK_3N1")?).await?;
    /// for line in order.line_items.unwrap_or_default() {
    ///     println!("{:?} cancelled: {}", line.line_item_number, line.is_cancelled());
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn get_order(
        &self,
        customer: &CustomerTenantId,
        order: &OrderId,
    ) -> Result<Order, Error> {
        self.fetch_order(customer, order).await.map(|(o, _)| o)
    }

    /// `GET /v1/customers/{customer-tenant-id}/orders`: `{totalCount, items, links, attributes}`.
    /// New orders can take up to 15 minutes to appear.
    ///
    /// ```no_run
    /// # use offerkit_partner_center_orders::{CustomerTenantId, OrdersClient};
    /// # async fn run(client: &OrdersClient) -> Result<(), offerkit_partner_center_orders::Error> {
    /// let orders = client.list_orders(&CustomerTenantId::new("45411344-b09d-47e7-9653-542006bf9766")?).await?;
    /// println!("{} orders", orders.total_count.unwrap_or_default());
    /// # Ok(()) }
    /// ```
    pub async fn list_orders(&self, customer: &CustomerTenantId) -> Result<OrderCollection, Error> {
        let span =
            tracing::debug_span!("offerkit.orders.list_orders", customer_tenant_id = %customer);
        self.customer_orders("list_orders", customer)
            .send_json()
            .instrument(span)
            .await
            .map_err(|e| {
                Error::from_transport(
                    e,
                    Scope {
                        customer: Some(customer),
                        ..Scope::default()
                    },
                )
            })
    }

    /// `GET /v1/customers/{customer-tenant-id}/orders/{order-id}/provisioningstatus`: one entry per
    /// line item (`fulfilled`, `unfulfilled`, `prefulfillmentPending`).
    ///
    /// ```no_run
    /// # use offerkit_partner_center_orders::{CustomerTenantId, OrderId, OrdersClient};
    /// # async fn run(client: &OrdersClient, c: CustomerTenantId, o: OrderId) -> Result<(), offerkit_partner_center_orders::Error> {
    /// let status = client.provisioning_status(&c, &o).await?;
    /// for item in status.items.unwrap_or_default() {
    ///     println!("line {:?}: {:?}", item.line_item_number, item.status);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn provisioning_status(
        &self,
        customer: &CustomerTenantId,
        order: &OrderId,
    ) -> Result<ProvisioningStatus, Error> {
        let span = tracing::debug_span!("offerkit.orders.provisioning_status", customer_tenant_id = %customer, order_id = %order);
        self.order_request(
            self.vendor_client().get("provisioning_status"),
            customer,
            order,
        )
        .path("provisioningstatus")
        .send_json()
        .instrument(span)
        .await
        .map_err(|e| Error::from_transport(e, scope(customer, order)))
    }

    /// Reads an order and returns it with the call's request id.
    pub(crate) async fn fetch_order(
        &self,
        customer: &CustomerTenantId,
        order: &OrderId,
    ) -> Result<(Order, Option<String>), Error> {
        self.read_order(customer, order, |r| r.json::<Order>())
            .await
    }

    /// [`OrdersClient::fetch_order`], keeping the order's JSON as sent (the snapshot of a
    /// cancellation's pre-read).
    pub(crate) async fn fetch_order_raw(
        &self,
        customer: &CustomerTenantId,
        order: &OrderId,
    ) -> Result<(offerkit_models::raw::WithRaw<Order>, Option<String>), Error> {
        self.read_order(customer, order, |r| r.json_with_raw::<Order>())
            .await
    }

    /// `GET` the order and `parse` its body once (typed, or typed and raw: only snapshot
    /// callers pay for the second parse), with the call's request id.
    async fn read_order<T>(
        &self,
        customer: &CustomerTenantId,
        order: &OrderId,
        parse: impl FnOnce(&offerkit_transport::Response) -> Result<T, offerkit_transport::Error>,
    ) -> Result<(T, Option<String>), Error> {
        let span = tracing::debug_span!("offerkit.orders.get_order", customer_tenant_id = %customer, order_id = %order);
        async {
            let response = self
                .order_request(self.vendor_client().get("get_order"), customer, order)
                .send()
                .await?;
            let order = parse(&response)?;
            Ok((order, response.request_id().map(str::to_owned)))
        }
        .instrument(span)
        .await
        .map_err(|e| Error::from_transport(e, scope(customer, order)))
    }

    fn customer_orders(&self, operation: &'static str, customer: &CustomerTenantId) -> Request {
        self.vendor_client()
            .get(operation)
            .path("v1/customers")
            .path_param(CustomerTenantId::ARGUMENT, customer)
            .path("orders")
    }

    /// `{base}/v1/customers/{customer}/orders/{order}` on `request`.
    pub(crate) fn order_request(
        &self,
        request: Request,
        customer: &CustomerTenantId,
        order: &OrderId,
    ) -> Request {
        request
            .path("v1/customers")
            .path_param(CustomerTenantId::ARGUMENT, customer)
            .path("orders")
            .path_param(OrderId::ARGUMENT, order)
    }
}

pub(crate) fn scope<'a>(customer: &'a CustomerTenantId, order: &'a OrderId) -> Scope<'a> {
    Scope {
        customer: Some(customer),
        order: Some(order),
        subscription: None,
    }
}
