//! Route table: maps a method and path to the handler of one vendor.

pub(crate) mod adobe;
pub(crate) mod appcharge;
pub(crate) mod control;
pub(crate) mod ingestion;
pub(crate) mod orders;
pub(crate) mod tokens;

use axum::http::{Method, StatusCode};

use crate::errors;
use crate::reply::{Ctx, Reply};
use crate::server::Shared;
use crate::util::decode_segment;

/// A resolved path with its parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Endpoint {
    AzureTokenV1,
    AzureTokenV2,
    ImsToken,
    IngConfigure,
    IngJobStatus(String),
    IngJob(String),
    IngOfferQuery,
    IngOffer(String),
    Orders(String),
    Order(String, String),
    OrderProvisioning(String, String),
    AdobeOffers,
    AdobeOffer(String),
    AcOffers,
    AcOffer(String),
    Control(control::ControlPath),
}

impl Endpoint {
    /// Route template (for the journal and per-route counters).
    pub(crate) fn template(&self) -> &'static str {
        match self {
            Self::AzureTokenV1 => "/{tenant}/oauth2/token",
            Self::AzureTokenV2 => "/{tenant}/oauth2/v2.0/token",
            Self::ImsToken => "/ims/token/v3",
            Self::IngConfigure => "/rp/product-ingestion/configure",
            Self::IngJobStatus(_) => "/rp/product-ingestion/configure/{jobId}/status",
            Self::IngJob(_) => "/rp/product-ingestion/configure/{jobId}",
            Self::IngOfferQuery => "/rp/product-ingestion/private-offer/query",
            Self::IngOffer(_) => "/rp/product-ingestion/private-offer/{id}",
            Self::Orders(_) => "/v1/customers/{customerId}/orders",
            Self::Order(..) => "/v1/customers/{customerId}/orders/{orderId}",
            Self::OrderProvisioning(..) => {
                "/v1/customers/{customerId}/orders/{orderId}/provisioningstatus"
            }
            Self::AdobeOffers => "/data/core/dps/offers",
            Self::AdobeOffer(_) => "/data/core/dps/offers/{id}",
            Self::AcOffers => "/v2/offer",
            Self::AcOffer(_) => "/v2/offer/{publisherOfferId}",
            Self::Control(c) => c.template(),
        }
    }

    /// Methods the endpoint answers.
    pub(crate) fn methods(&self) -> &'static [Method] {
        match self {
            Self::AzureTokenV1 | Self::AzureTokenV2 | Self::ImsToken | Self::IngConfigure => {
                &[Method::POST]
            }
            Self::IngJobStatus(_)
            | Self::IngJob(_)
            | Self::IngOfferQuery
            | Self::IngOffer(_)
            | Self::OrderProvisioning(..) => &[Method::GET],
            Self::Orders(_) | Self::AdobeOffers | Self::AcOffers => &[Method::GET, Method::POST],
            Self::Order(..) => &[Method::GET, Method::PATCH],
            Self::AdobeOffer(_) => &[Method::GET, Method::DELETE, Method::PATCH],
            Self::AcOffer(_) => &[Method::GET, Method::DELETE, Method::PUT],
            Self::Control(c) => c.methods(),
        }
    }

    /// The resource id named by the path, if any.
    pub(crate) fn resource_id(&self) -> Option<&str> {
        match self {
            Self::IngJobStatus(id)
            | Self::IngJob(id)
            | Self::IngOffer(id)
            | Self::AdobeOffer(id)
            | Self::AcOffer(id) => Some(id),
            Self::Order(_, id) | Self::OrderProvisioning(_, id) => Some(id),
            _ => None,
        }
    }
}

/// Resolves a path (tolerating repeated and trailing slashes).
pub(crate) fn resolve(path: &str) -> Option<Endpoint> {
    let segs: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(decode_segment)
        .collect();
    let s: Vec<&str> = segs.iter().map(String::as_str).collect();
    let own = |x: &str| x.to_owned();
    Some(match s.as_slice() {
        ["_sandbox", rest @ ..] => Endpoint::Control(control::ControlPath::resolve(rest)?),
        [_tenant, "oauth2", "token"] => Endpoint::AzureTokenV1,
        [_tenant, "oauth2", "v2.0", "token"] => Endpoint::AzureTokenV2,
        ["ims", "token", "v3"] => Endpoint::ImsToken,
        ["rp", "product-ingestion", rest @ ..] => match rest {
            ["configure"] => Endpoint::IngConfigure,
            ["configure", job, "status"] => Endpoint::IngJobStatus(own(job)),
            ["configure", job] => Endpoint::IngJob(own(job)),
            ["private-offer", "query"] => Endpoint::IngOfferQuery,
            ["private-offer", id] | ["private-offer", "private-offer", id] => {
                Endpoint::IngOffer(own(id))
            }
            _ => return None,
        },
        ["v1", "customers", customer, "orders"] => Endpoint::Orders(own(customer)),
        ["v1", "customers", customer, "orders", order] => {
            Endpoint::Order(own(customer), own(order))
        }
        [
            "v1",
            "customers",
            customer,
            "orders",
            order,
            "provisioningstatus",
        ] => Endpoint::OrderProvisioning(own(customer), own(order)),
        ["data", "core", "dps", "offers"] => Endpoint::AdobeOffers,
        ["data", "core", "dps", "offers", id] => Endpoint::AdobeOffer(own(id)),
        ["v2", "offer"] => Endpoint::AcOffers,
        ["v2", "offer", id] => Endpoint::AcOffer(own(id)),
        _ => return None,
    })
}

/// Whether the endpoint needs vendor credentials.
pub(crate) fn needs_auth(ep: &Endpoint) -> bool {
    !matches!(
        ep,
        Endpoint::AzureTokenV1 | Endpoint::AzureTokenV2 | Endpoint::ImsToken | Endpoint::Control(_)
    )
}

/// Runs the handler for an endpoint whose method is allowed.
pub(crate) fn handle(ep: &Endpoint, ctx: &Ctx, sh: &Shared) -> Reply {
    let m = &ctx.method;
    match ep {
        Endpoint::AzureTokenV1 => tokens::azure(ctx, sh, false),
        Endpoint::AzureTokenV2 => tokens::azure(ctx, sh, true),
        Endpoint::ImsToken => tokens::ims(ctx, sh),
        Endpoint::IngConfigure => ingestion::configure(ctx, sh),
        Endpoint::IngJobStatus(id) => ingestion::job_status(ctx, sh, id),
        Endpoint::IngJob(id) => ingestion::job_details(ctx, sh, id),
        Endpoint::IngOfferQuery => ingestion::query_offers(ctx, sh),
        Endpoint::IngOffer(id) => ingestion::get_offer(ctx, sh, id),
        Endpoint::Orders(c) if m == Method::POST => orders::create(ctx, sh, c),
        Endpoint::Orders(c) => orders::list(ctx, sh, c),
        Endpoint::Order(c, o) if m == Method::PATCH => orders::cancel(ctx, sh, c, o),
        Endpoint::Order(c, o) => orders::get(ctx, sh, c, o),
        Endpoint::OrderProvisioning(c, o) => orders::provisioning(ctx, sh, c, o),
        Endpoint::AdobeOffers if m == Method::POST => adobe::create(ctx, sh),
        Endpoint::AdobeOffers => adobe::list(ctx, sh),
        Endpoint::AdobeOffer(id) if m == Method::DELETE => adobe::delete(ctx, sh, id),
        Endpoint::AdobeOffer(id) if m == Method::PATCH => adobe::patch(ctx, sh, id),
        Endpoint::AdobeOffer(id) => adobe::get(ctx, sh, id),
        Endpoint::AcOffers if m == Method::POST => appcharge::create(ctx, sh),
        Endpoint::AcOffers => appcharge::list(ctx, sh),
        Endpoint::AcOffer(id) if m == Method::DELETE => appcharge::delete(ctx, sh, id),
        Endpoint::AcOffer(id) if m == Method::PUT => appcharge::update(ctx, sh, id),
        Endpoint::AcOffer(id) => appcharge::get(ctx, sh, id),
        Endpoint::Control(c) => control::handle(c, ctx, sh),
    }
}

/// 404 for an unknown path, in the dialect its prefix suggests.
pub(crate) fn not_found(ctx: &Ctx) -> Reply {
    let msg = format!(
        "No route for {} {}. Served prefixes: /rp/product-ingestion, /v1/customers, /data/core/dps/offers, /v2/offer, /{{tenant}}/oauth2, /ims/token/v3, /_sandbox (see /_sandbox/openapi.json).",
        ctx.method, ctx.path
    );
    errors::for_vendor(ctx.vendor, StatusCode::NOT_FOUND, &msg, &ctx.url(), "")
}

/// 405 with an `Allow` header.
pub(crate) fn method_not_allowed(ctx: &Ctx, ep: &Endpoint) -> Reply {
    let allow: Vec<&str> = ep.methods().iter().map(Method::as_str).collect();
    let msg = format!(
        "{} is not supported on {}; allowed: {}",
        ctx.method,
        ep.template(),
        allow.join(", ")
    );
    errors::for_vendor(
        ctx.vendor,
        StatusCode::METHOD_NOT_ALLOWED,
        &msg,
        &ctx.url(),
        "",
    )
    .header("allow", allow.join(", "))
}

/// The body as JSON, or the vendor's 400.
pub(crate) fn json_body(ctx: &Ctx) -> Result<serde_json::Value, Reply> {
    ctx.json().map_err(|e| {
        errors::for_vendor(
            ctx.vendor,
            StatusCode::BAD_REQUEST,
            &e,
            &ctx.url(),
            &ctx.body_text(),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_vendor_paths() {
        assert_eq!(
            resolve("/rp/product-ingestion/private-offer/query"),
            Some(Endpoint::IngOfferQuery)
        );
        assert_eq!(
            resolve("/rp/product-ingestion/private-offer/private-offer/x"),
            Some(Endpoint::IngOffer("x".into()))
        );
        assert_eq!(
            resolve("/data/core/dps//offers/a%20b/"),
            Some(Endpoint::AdobeOffer("a b".into()))
        );
        assert_eq!(
            resolve("/t/oauth2/v2.0/token"),
            Some(Endpoint::AzureTokenV2)
        );
        assert_eq!(
            resolve("/v1/customers/c/orders/o"),
            Some(Endpoint::Order("c".into(), "o".into()))
        );
        assert_eq!(resolve("/nope"), None);
    }
}
