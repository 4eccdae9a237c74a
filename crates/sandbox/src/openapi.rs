//! The OpenAPI 3.0 document of everything the sandbox serves (`GET /_sandbox/openapi.json`): the
//! paths and operations are written here; the schemas are generated from `specs/` (and the
//! sandbox's own `sandbox.schema.json`) into `generated/openapi_schemas.json`.

use serde_json::{Map, Value, json};

fn r(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

fn content(schema: Value) -> Value {
    json!({"application/json": {"schema": schema}})
}

fn resp(desc: &str, schema: Option<Value>) -> Value {
    match schema {
        Some(s) => json!({"description": desc, "content": content(s)}),
        None => json!({"description": desc}),
    }
}

fn path_param(name: &str) -> Value {
    json!({"name": name, "in": "path", "required": true, "schema": {"type": "string", "minLength": 1}})
}

fn query(name: &str, required: bool, schema: Value, desc: &str) -> Value {
    json!({"name": name, "in": "query", "required": required, "schema": schema, "description": desc})
}

fn version(v: &str) -> Value {
    query(
        "$version",
        true,
        json!({"type": "string", "enum": [v]}),
        "API version (required)",
    )
}

fn offer_type() -> Value {
    query(
        "offer-type",
        true,
        json!({"type": "string", "enum": ["personalized", "fallback"]}),
        "Offer type",
    )
}

struct Op {
    summary: &'static str,
    tag: &'static str,
    security: Option<Value>,
    params: Vec<Value>,
    body: Option<(Value, &'static str)>,
    responses: Vec<(&'static str, Value)>,
}

impl Op {
    fn build(self) -> Value {
        let mut o = Map::new();
        o.insert("summary".into(), json!(self.summary));
        o.insert("tags".into(), json!([self.tag]));
        o.insert(
            "operationId".into(),
            json!(
                self.summary
                    .replace(|c: char| !c.is_ascii_alphanumeric(), "_")
            ),
        );
        if !self.params.is_empty() {
            o.insert("parameters".into(), Value::Array(self.params));
        }
        if let Some((schema, ct)) = self.body {
            o.insert(
                "requestBody".into(),
                json!({"required": true, "content": {ct: {"schema": schema}}}),
            );
        }
        if let Some(s) = self.security {
            o.insert("security".into(), s);
        }
        let responses: Map<String, Value> = self
            .responses
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
        o.insert("responses".into(), Value::Object(responses));
        Value::Object(o)
    }
}

fn azure_sec() -> Option<Value> {
    Some(json!([{"azureBearer": []}]))
}
fn adobe_sec() -> Option<Value> {
    Some(json!([{"imsBearer": [], "adobeApiKey": [], "adobeImsOrg": []}]))
}
fn appcharge_sec() -> Option<Value> {
    Some(json!([{"publisherToken": []}]))
}

fn ing_errors() -> Vec<(&'static str, Value)> {
    vec![
        (
            "400",
            resp(
                "Bad request (schema validation, $version)",
                Some(r("PartnerCenterIngestionIngestionErrorResponse")),
            ),
        ),
        (
            "401",
            resp(
                "Missing, unknown or expired token",
                Some(r("PartnerCenterIngestionIngestionErrorResponse")),
            ),
        ),
        (
            "404",
            resp(
                "Not found",
                Some(r("PartnerCenterIngestionIngestionErrorResponse")),
            ),
        ),
        (
            "405",
            resp(
                "Method not allowed",
                Some(r("PartnerCenterIngestionIngestionErrorResponse")),
            ),
        ),
        (
            "413",
            resp(
                "Body too large",
                Some(r("PartnerCenterIngestionIngestionErrorResponse")),
            ),
        ),
    ]
}

fn pc_errors() -> Vec<(&'static str, Value)> {
    vec![
        (
            "400",
            resp(
                "Invalid input or outside the cancellation window",
                Some(r("PartnerCenterOrdersOrdersErrorBody")),
            ),
        ),
        (
            "401",
            resp(
                "Missing or invalid token",
                Some(r("PartnerCenterOrdersOrdersErrorBody")),
            ),
        ),
        (
            "404",
            resp(
                "Order not found (code 20000)",
                Some(r("PartnerCenterOrdersOrdersErrorBody")),
            ),
        ),
        (
            "405",
            resp(
                "Method not allowed",
                Some(r("PartnerCenterOrdersOrdersErrorBody")),
            ),
        ),
        (
            "409",
            resp(
                "Order id already exists",
                Some(r("PartnerCenterOrdersOrdersErrorBody")),
            ),
        ),
        (
            "413",
            resp(
                "Body too large",
                Some(r("PartnerCenterOrdersOrdersErrorBody")),
            ),
        ),
        (
            "429",
            resp(
                "Throttled (injected)",
                Some(r("PartnerCenterOrdersOrdersErrorBody")),
            ),
        ),
    ]
}

fn adobe_errors() -> Vec<(&'static str, Value)> {
    vec![
        ("400", resp("Bad request", Some(r("AdobeOffersAepError")))),
        (
            "401",
            resp("Token not valid", Some(r("AdobeOffersAepError"))),
        ),
        (
            "403",
            resp("Api key or token missing", Some(r("AdobeOffersAepError"))),
        ),
        ("404", resp("Not found", Some(r("AdobeOffersAepError")))),
        (
            "405",
            resp("Method not allowed", Some(r("AdobeOffersAepError"))),
        ),
        (
            "409",
            resp("Id already exists", Some(r("AdobeOffersAepError"))),
        ),
        (
            "413",
            resp("Body too large", Some(r("AdobeOffersAepError"))),
        ),
    ]
}

fn ac_errors() -> Vec<(&'static str, Value)> {
    vec![
        (
            "400",
            resp("Bad request", Some(r("AppchargeAppchargeErrorBody"))),
        ),
        (
            "401",
            resp(
                "Missing or invalid x-publisher-token",
                Some(r("AppchargeAppchargeErrorBody")),
            ),
        ),
        (
            "404",
            resp("Offer not found", Some(r("AppchargeAppchargeErrorBody"))),
        ),
        (
            "405",
            resp("Method not allowed", Some(r("AppchargeAppchargeErrorBody"))),
        ),
        (
            "409",
            resp(
                "publisherOfferId already exists",
                Some(r("AppchargeAppchargeErrorBody")),
            ),
        ),
        (
            "413",
            resp("Body too large", Some(r("AppchargeAppchargeErrorBody"))),
        ),
    ]
}

fn with(
    mut base: Vec<(&'static str, Value)>,
    extra: Vec<(&'static str, Value)>,
) -> Vec<(&'static str, Value)> {
    base.extend(extra);
    base
}

fn paths() -> Value {
    let ctl_err = || resp("Bad request", Some(r("SandboxControlError")));
    let form = "application/x-www-form-urlencoded";
    json!({
        "/{tenant}/oauth2/token": {"post": Op {
            summary: "Azure AD v1 client credentials token", tag: "tokens", security: Some(json!([])),
            params: vec![path_param("tenant")],
            body: Some((r("SandboxAzureV1TokenRequest"), form)),
            responses: vec![("200", resp("Token (numbers as strings)", Some(r("AuthTokenResponse")))), ("400", resp("Invalid request", Some(r("SandboxAzureTokenError")))), ("401", resp("Invalid client", Some(r("SandboxAzureTokenError"))))],
        }.build()},
        "/{tenant}/oauth2/v2.0/token": {"post": Op {
            summary: "Azure AD v2 client credentials token", tag: "tokens", security: Some(json!([])),
            params: vec![path_param("tenant")],
            body: Some((r("SandboxAzureV2TokenRequest"), form)),
            responses: vec![("200", resp("Token", Some(r("AuthTokenResponse")))), ("400", resp("Invalid request", Some(r("SandboxAzureTokenError")))), ("401", resp("Invalid client", Some(r("SandboxAzureTokenError"))))],
        }.build()},
        "/ims/token/v3": {"post": Op {
            summary: "Adobe IMS client credentials token", tag: "tokens", security: Some(json!([])),
            params: vec![],
            body: Some((r("SandboxImsTokenRequest"), form)),
            responses: vec![("200", resp("Token (expires_in in seconds)", Some(r("AuthTokenResponse")))), ("400", resp("Invalid request", Some(r("SandboxImsTokenError")))), ("401", resp("Invalid client", Some(r("SandboxImsTokenError"))))],
        }.build()},
        "/rp/product-ingestion/configure": {"post": Op {
            summary: "Submit a configure job (create, delete, withdraw private offers)", tag: "ingestion", security: azure_sec(),
            params: vec![version("2022-07-01")],
            body: Some((r("PartnerCenterIngestionConfigureRequest"), "application/json")),
            responses: with(vec![("202", resp("Job accepted (jobStatus notStarted)", Some(r("PartnerCenterIngestionConfigureStatus"))))], ing_errors()),
        }.build()},
        "/rp/product-ingestion/configure/{jobId}/status": {"get": Op {
            summary: "Poll a configure job", tag: "ingestion", security: azure_sec(),
            params: vec![path_param("jobId"), version("2022-07-01")],
            body: None,
            responses: with(vec![("200", resp("Job status", Some(r("PartnerCenterIngestionConfigureStatus"))))], ing_errors()),
        }.build()},
        "/rp/product-ingestion/configure/{jobId}/cancel": {"post": Op {
            summary: "Cancel a configure job that has not completed (it ends as jobResult cancelled)", tag: "ingestion", security: azure_sec(),
            params: vec![path_param("jobId"), version("2022-07-01")],
            body: None,
            responses: with(vec![("200", resp("Job status (answer shape assumed)", Some(r("PartnerCenterIngestionConfigureStatus"))))], ing_errors()),
        }.build()},
        "/rp/product-ingestion/configure/{jobId}": {"get": Op {
            summary: "Resources of a completed configure job", tag: "ingestion", security: azure_sec(),
            params: vec![path_param("jobId"), version("2022-07-01")],
            body: None,
            responses: with(vec![("200", resp("Job resources", Some(r("PartnerCenterIngestionConfigureRequest"))))], ing_errors()),
        }.build()},
        "/rp/product-ingestion/private-offer/query": {"get": Op {
            summary: "List private offers", tag: "ingestion", security: azure_sec(),
            params: vec![version("2023-07-15"), query("$maxpagesize", false, json!({"type": "integer", "minimum": 1, "maximum": 1000}), "Page size (default 100; sandbox assumption)"), query("$skipToken", false, json!({"type": "string"}), "Cursor from @nextLink")],
            body: None,
            responses: with(vec![("200", resp("Private offers under privateOffers, next page in @nextLink", Some(r("PartnerCenterIngestionPrivateOfferPage"))))], ing_errors()),
        }.build()},
        "/rp/product-ingestion/private-offer/{id}": {"get": Op {
            summary: "Get a private offer (id without the private-offer/ prefix)", tag: "ingestion", security: azure_sec(),
            params: vec![path_param("id"), version("2023-07-15")],
            body: None,
            responses: with(vec![("200", resp("Private offer", Some(r("PartnerCenterIngestionPrivateOffer"))))], ing_errors()),
        }.build()},
        "/v1/customers": {
            "get": Op {
                summary: "List the partner's customers", tag: "orders", security: azure_sec(),
                params: vec![query("size", false, json!({"type": "integer", "minimum": 1}), "At most this many customers.")], body: None,
                responses: with(vec![("200", resp("Customers", Some(r("PartnerCenterOrdersCustomerCollection"))))], pc_errors()),
            }.build(),
        },
        "/v1/customers/{customerId}/orders": {
            "get": Op {
                summary: "List a customer's orders", tag: "orders", security: azure_sec(),
                params: vec![path_param("customerId")], body: None,
                responses: with(vec![("200", resp("Orders", Some(r("PartnerCenterOrdersOrderCollection"))))], pc_errors()),
            }.build(),
            "post": Op {
                summary: "Create an order", tag: "orders", security: azure_sec(),
                params: vec![path_param("customerId")], body: Some((r("PartnerCenterOrdersOrder"), "application/json")),
                responses: with(vec![("201", resp("Created order", Some(r("PartnerCenterOrdersOrder"))))], pc_errors()),
            }.build(),
        },
        "/v1/customers/{customerId}/orders/{orderId}": {
            "get": Op {
                summary: "Get an order", tag: "orders", security: azure_sec(),
                params: vec![path_param("customerId"), path_param("orderId")], body: None,
                responses: with(vec![("200", resp("Order", Some(r("PartnerCenterOrdersOrder"))))], pc_errors()),
            }.build(),
            "patch": Op {
                summary: "Cancel line items of an order", tag: "orders", security: azure_sec(),
                params: vec![path_param("customerId"), path_param("orderId")], body: Some((r("PartnerCenterOrdersCancelOrderRequest"), "application/json")),
                responses: with(vec![("200", resp("Order after cancellation", Some(r("PartnerCenterOrdersOrder"))))], pc_errors()),
            }.build(),
        },
        "/v1/customers/{customerId}/orders/{orderId}/provisioningstatus": {"get": Op {
            summary: "Order provisioning status", tag: "orders", security: azure_sec(),
            params: vec![path_param("customerId"), path_param("orderId")], body: None,
            responses: with(vec![("200", resp("Per-line status", Some(r("PartnerCenterOrdersProvisioningStatus"))))], pc_errors()),
        }.build()},
        "/v1/customers/{customerId}/subscriptions": {"get": Op {
            summary: "List a customer's subscriptions", tag: "orders", security: azure_sec(),
            params: vec![path_param("customerId")], body: None,
            responses: with(vec![("200", resp("Subscriptions", Some(r("PartnerCenterOrdersSubscriptionCollection"))))], pc_errors()),
        }.build()},
        "/v1/customers/{customerId}/subscriptions/{subscriptionId}": {
            "get": Op {
                summary: "Get a subscription", tag: "orders", security: azure_sec(),
                params: vec![path_param("customerId"), path_param("subscriptionId")], body: None,
                responses: with(vec![("200", resp("Subscription", Some(r("PartnerCenterOrdersSubscription"))))], pc_errors()),
            }.build(),
            "patch": Op {
                summary: "Update a subscription: the whole resource with status deleted (cancel, inside cancellationAllowedUntilDate) or autoRenewEnabled changed; If-Match or attributes.etag must be current", tag: "orders", security: azure_sec(),
                params: vec![path_param("customerId"), path_param("subscriptionId")], body: Some((r("PartnerCenterOrdersSubscription"), "application/json")),
                responses: with(vec![("200", resp("Subscription after the update", Some(r("PartnerCenterOrdersSubscription"))))], pc_errors()),
            }.build(),
        },
        "/data/core/dps/offers": {
            "get": Op {
                summary: "List offers", tag: "adobe", security: adobe_sec(),
                params: vec![offer_type(), query("limit", false, json!({"type": "integer", "minimum": 1, "maximum": 1000}), "Page size (default 10)"), query("start", false, json!({"type": "string"}), "Cursor from _links.next.href")],
                body: None,
                responses: with(vec![("200", resp("A page of offers", Some(r("AdobeOffersOfferPage"))))], adobe_errors()),
            }.build(),
            "post": Op {
                summary: "Create an offer", tag: "adobe", security: adobe_sec(),
                params: vec![offer_type()], body: Some((r("AdobeOffersOffer"), "application/json")),
                responses: with(vec![("201", resp("Created", Some(r("AdobeOffersOfferMutationResponse"))))], adobe_errors()),
            }.build(),
        },
        "/data/core/dps/offers/{id}": {
            "get": Op {
                summary: "Look up an offer", tag: "adobe", security: adobe_sec(),
                params: vec![path_param("id"), offer_type()], body: None,
                responses: with(vec![("200", resp("Offer", Some(r("AdobeOffersOffer"))))], adobe_errors()),
            }.build(),
            "delete": Op {
                summary: "Delete an offer (200, empty body)", tag: "adobe", security: adobe_sec(),
                params: vec![path_param("id"), offer_type()], body: None,
                responses: with(vec![("200", resp("Deleted; the body is empty", None))], adobe_errors()),
            }.build(),
            "patch": Op {
                summary: "Update an offer with JSON Patch", tag: "adobe", security: adobe_sec(),
                params: vec![path_param("id"), offer_type()], body: Some((json!({"type": "array", "items": r("AdobeOffersPatchOperation")}), "application/json")),
                responses: with(vec![("200", resp("Updated", Some(r("AdobeOffersOfferMutationResponse"))))], adobe_errors()),
            }.build(),
        },
        "/v2/offer": {
            "get": Op {
                summary: "Get Appcharge offers", tag: "appcharge", security: appcharge_sec(),
                params: vec![query("publisherOfferIds", true, json!({"type": "string"}), "Comma-separated publisherOfferIds (required, as Appcharge documents it)")], body: None,
                responses: with(vec![("200", resp("Offers", Some(r("AppchargeOfferList"))))], ac_errors()),
            }.build(),
            "post": Op {
                summary: "Create an Appcharge offer", tag: "appcharge", security: appcharge_sec(),
                params: vec![], body: Some((r("AppchargeOffer"), "application/json")),
                responses: with(vec![("201", resp("Created offer", Some(r("AppchargeOffer"))))], ac_errors()),
            }.build(),
        },
        "/v2/offer/{publisherOfferId}": {
            "get": Op {
                summary: "Get one Appcharge offer", tag: "appcharge", security: appcharge_sec(),
                params: vec![path_param("publisherOfferId")], body: None,
                responses: with(vec![("200", resp("Offer", Some(r("AppchargeOffer"))))], ac_errors()),
            }.build(),
            "put": Op {
                summary: "Replace an Appcharge offer", tag: "appcharge", security: appcharge_sec(),
                params: vec![path_param("publisherOfferId")], body: Some((r("AppchargeOffer"), "application/json")),
                responses: with(vec![("200", resp("Updated offer", Some(r("AppchargeOffer"))))], ac_errors()),
            }.build(),
            "delete": Op {
                summary: "Delete an Appcharge offer (returns it)", tag: "appcharge", security: appcharge_sec(),
                params: vec![path_param("publisherOfferId")], body: None,
                responses: with(vec![("200", resp("The deleted offer", Some(r("AppchargeOffer"))))], ac_errors()),
            }.build(),
        },
        "/_sandbox/health": {"get": Op {summary: "Health", tag: "control", security: Some(json!([])), params: vec![], body: None,
            responses: vec![("200", resp("OK", Some(json!({"type": "object"}))))]}.build()},
        "/_sandbox/state": {"get": Op {summary: "Read the whole state (seed format)", tag: "control", security: Some(json!([])), params: vec![], body: None,
            responses: vec![("200", resp("State", Some(r("SandboxSeed"))))]}.build()},
        "/_sandbox/seed": {"post": Op {summary: "Seed state (merge by default, or mode=replace)", tag: "control", security: Some(json!([])),
            params: vec![query("mode", false, json!({"type": "string", "enum": ["merge", "replace"]}), "merge (default) or replace")],
            body: Some((r("SandboxSeed"), "application/json")),
            responses: vec![("200", resp("Loaded counts", Some(json!({"type": "object"})))), ("400", ctl_err())]}.build()},
        "/_sandbox/reset": {"post": Op {summary: "Empty every store", tag: "control", security: Some(json!([])), params: vec![], body: None,
            responses: vec![("200", resp("Reset", Some(json!({"type": "object"}))))]}.build()},
        "/_sandbox/journal": {
            "get": Op {summary: "Request journal and counters", tag: "control", security: Some(json!([])),
                params: vec![query("method", false, json!({"type": "string"}), "Filter by method"), query("pathPrefix", false, json!({"type": "string"}), "Filter by path prefix"), query("limit", false, json!({"type": "integer", "minimum": 0}), "Only the last N entries")],
                body: None, responses: vec![("200", resp("Journal", Some(r("SandboxJournal")))), ("400", ctl_err())]}.build(),
            "delete": Op {summary: "Clear the journal", tag: "control", security: Some(json!([])), params: vec![], body: None,
                responses: vec![("200", resp("Cleared", Some(json!({"type": "object"}))))]}.build(),
        },
        "/_sandbox/faults": {
            "get": Op {summary: "List fault rules", tag: "control", security: Some(json!([])), params: vec![], body: None,
                responses: vec![("200", resp("Rules with counters", Some(json!({"type": "object"}))))]}.build(),
            "post": Op {summary: "Add fault rules", tag: "control", security: Some(json!([])), params: vec![],
                body: Some((json!({"oneOf": [r("SandboxFaultRule"), {"type": "array", "items": r("SandboxFaultRule")}]}), "application/json")),
                responses: vec![("201", resp("Rule ids", Some(json!({"type": "object"})))), ("400", ctl_err())]}.build(),
            "delete": Op {summary: "Remove every fault rule", tag: "control", security: Some(json!([])), params: vec![], body: None,
                responses: vec![("200", resp("Cleared", Some(json!({"type": "object"}))))]}.build(),
        },
        "/_sandbox/faults/{id}": {"delete": Op {summary: "Remove one fault rule", tag: "control", security: Some(json!([])), params: vec![path_param("id")], body: None,
            responses: vec![("200", resp("Removed", Some(json!({"type": "object"})))), ("404", resp("No such rule", Some(r("SandboxControlError"))))]}.build()},
        "/_sandbox/clock": {
            "get": Op {summary: "The sandbox's time (real until set)", tag: "control", security: Some(json!([])), params: vec![], body: None,
                responses: vec![("200", resp("Clock", Some(r("SandboxClock"))))]}.build(),
            "post": Op {summary: "Stop the clock at an instant or move it (cancellation windows, job progression by time, token expiry)", tag: "control", security: Some(json!([])), params: vec![],
                body: Some((r("SandboxClockChange"), "application/json")),
                responses: vec![("200", resp("Clock", Some(r("SandboxClock")))), ("400", ctl_err())]}.build(),
            "delete": Op {summary: "Follow the real clock again", tag: "control", security: Some(json!([])), params: vec![], body: None,
                responses: vec![("200", resp("Clock", Some(r("SandboxClock"))))]}.build(),
        },
        "/_sandbox/quotas": {
            "get": Op {summary: "Vendor quotas, each bucket's tokens and the per-bucket throttle counts", tag: "control", security: Some(json!([])), params: vec![], body: None,
                responses: vec![("200", resp("Quotas", Some(r("SandboxQuotas"))))]}.build(),
            "put": Op {summary: "Replace every quota (token buckets per vendor bucket; buckets start full)", tag: "control", security: Some(json!([])), params: vec![],
                body: Some((r("SandboxQuotasChange"), "application/json")),
                responses: vec![("200", resp("Quotas", Some(r("SandboxQuotas")))), ("400", ctl_err())]}.build(),
            "delete": Op {summary: "Remove every quota (nothing is throttled)", tag: "control", security: Some(json!([])), params: vec![], body: None,
                responses: vec![("200", resp("Quotas", Some(r("SandboxQuotas"))))]}.build(),
        },
        "/_sandbox/quotas/reset": {"post": Op {summary: "Refill every quota bucket", tag: "control", security: Some(json!([])), params: vec![], body: None,
            responses: vec![("200", resp("Quotas", Some(r("SandboxQuotas"))))]}.build()},
        "/_sandbox/openapi.json": {"get": Op {summary: "This document", tag: "control", security: Some(json!([])), params: vec![], body: None,
            responses: vec![("200", resp("OpenAPI document", Some(json!({"type": "object"}))))]}.build()},
    })
}

/// The generated `components/schemas`.
fn schemas() -> Value {
    // The file is generated and drift-checked; a test parses it, so `Null` never ships.
    serde_json::from_str(crate::generated::OPENAPI_SCHEMAS).unwrap_or(Value::Null)
}

/// Builds the document.
pub(crate) fn document() -> Value {
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "offerkit sandbox",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Local emulator of Partner Center product ingestion, Partner Center orders, the Adobe Offer Library and Appcharge Offers V2, with token endpoints and a control API under /_sandbox/. Unknown request fields are reported in the x-offerkit-sandbox-warning header."
        },
        "servers": [{"url": "/"}],
        "tags": [
            {"name": "tokens"}, {"name": "ingestion"}, {"name": "orders"}, {"name": "adobe"}, {"name": "appcharge"}, {"name": "control"}
        ],
        "paths": paths(),
        "components": {
            "schemas": schemas(),
            "securitySchemes": {
                "azureBearer": {"type": "http", "scheme": "bearer", "description": "Token from /{tenant}/oauth2/token or /{tenant}/oauth2/v2.0/token"},
                "imsBearer": {"type": "http", "scheme": "bearer", "description": "Token from /ims/token/v3"},
                "adobeApiKey": {"type": "apiKey", "in": "header", "name": "x-api-key"},
                "adobeImsOrg": {"type": "apiKey", "in": "header", "name": "x-gw-ims-org-id"},
                "publisherToken": {"type": "apiKey", "in": "header", "name": "x-publisher-token"}
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use serde_json::Value;

    use crate::control::CONTROL;
    use crate::vendors;

    /// Every `(method, template)` the router serves is documented, and every documented
    /// operation is served.
    #[test]
    fn documents_exactly_the_served_routes() {
        let doc = super::document();
        let documented: BTreeSet<(String, String)> = doc["paths"]
            .as_object()
            .unwrap()
            .iter()
            .flat_map(|(path, ops)| {
                ops.as_object()
                    .unwrap()
                    .keys()
                    .map(move |m| (m.to_ascii_uppercase(), path.clone()))
            })
            .collect();
        let served: BTreeSet<(String, String)> = vendors::apis()
            .chain([&CONTROL])
            .flat_map(|api| api.routes)
            .map(|r| (r.method.to_owned(), r.template.to_owned()))
            .collect();
        assert_eq!(served, documented);
    }

    /// Every `$ref` names a schema of the document.
    #[test]
    fn every_reference_resolves() {
        fn refs(v: &Value, out: &mut Vec<String>) {
            match v {
                Value::Object(o) => {
                    if let Some(Value::String(r)) = o.get("$ref") {
                        out.push(r.clone());
                    }
                    o.values().for_each(|x| refs(x, out));
                }
                Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
                _ => {}
            }
        }
        let doc = super::document();
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        assert!(schemas.contains_key("PartnerCenterOrdersOrder"));
        let mut all = Vec::new();
        refs(&doc, &mut all);
        for r in all {
            let name = r.strip_prefix("#/components/schemas/").unwrap();
            assert!(schemas.contains_key(name), "{r}");
        }
    }
}
