//! The OpenAPI 3.0 document of everything the sandbox serves (`GET /_sandbox/openapi.json`).

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
                Some(r("IngestionError")),
            ),
        ),
        (
            "401",
            resp(
                "Missing, unknown or expired token",
                Some(r("IngestionError")),
            ),
        ),
        ("404", resp("Not found", Some(r("IngestionError")))),
        ("405", resp("Method not allowed", Some(r("IngestionError")))),
        ("413", resp("Body too large", Some(r("IngestionError")))),
    ]
}

fn pc_errors() -> Vec<(&'static str, Value)> {
    vec![
        (
            "400",
            resp(
                "Invalid input or outside the cancellation window",
                Some(r("PartnerCenterError")),
            ),
        ),
        (
            "401",
            resp("Missing or invalid token", Some(r("PartnerCenterError"))),
        ),
        (
            "404",
            resp(
                "Order not found (code 20000)",
                Some(r("PartnerCenterError")),
            ),
        ),
        (
            "405",
            resp("Method not allowed", Some(r("PartnerCenterError"))),
        ),
        (
            "409",
            resp("Order id already exists", Some(r("PartnerCenterError"))),
        ),
        ("413", resp("Body too large", Some(r("PartnerCenterError")))),
        (
            "429",
            resp("Throttled (injected)", Some(r("PartnerCenterThrottle"))),
        ),
    ]
}

fn adobe_errors() -> Vec<(&'static str, Value)> {
    vec![
        (
            "400",
            resp(
                "Bad request",
                Some(json!({"oneOf": [r("AdobeProblem"), r("AdobeGatewayError")]})),
            ),
        ),
        ("401", resp("Token not valid", Some(r("AdobeGatewayError")))),
        (
            "403",
            resp("Api key or token missing", Some(r("AdobeGatewayError"))),
        ),
        ("404", resp("Not found", Some(r("AdobeProblem")))),
        ("405", resp("Method not allowed", Some(r("AdobeProblem")))),
        ("409", resp("Id already exists", Some(r("AdobeProblem")))),
        ("413", resp("Body too large", Some(r("AdobeProblem")))),
    ]
}

fn ac_errors() -> Vec<(&'static str, Value)> {
    vec![
        ("400", resp("Bad request", Some(r("AppchargeError")))),
        (
            "401",
            resp(
                "Missing or invalid x-publisher-token",
                Some(r("AppchargeError")),
            ),
        ),
        ("404", resp("Offer not found", Some(r("AppchargeError")))),
        ("405", resp("Method not allowed", Some(r("AppchargeError")))),
        (
            "409",
            resp("publisherOfferId already exists", Some(r("AppchargeError"))),
        ),
        ("413", resp("Body too large", Some(r("AppchargeError")))),
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
    let ctl_err = || resp("Bad request", Some(r("ControlError")));
    let form = "application/x-www-form-urlencoded";
    json!({
        "/{tenant}/oauth2/token": {"post": Op {
            summary: "Azure AD v1 client credentials token", tag: "tokens", security: Some(json!([])),
            params: vec![path_param("tenant")],
            body: Some((r("AzureV1TokenRequest"), form)),
            responses: vec![("200", resp("Token (numbers as strings)", Some(r("AzureV1Token")))), ("400", resp("Invalid request", Some(r("AzureTokenError")))), ("401", resp("Invalid client", Some(r("AzureTokenError"))))],
        }.build()},
        "/{tenant}/oauth2/v2.0/token": {"post": Op {
            summary: "Azure AD v2 client credentials token", tag: "tokens", security: Some(json!([])),
            params: vec![path_param("tenant")],
            body: Some((r("AzureV2TokenRequest"), form)),
            responses: vec![("200", resp("Token", Some(r("AzureV2Token")))), ("400", resp("Invalid request", Some(r("AzureTokenError")))), ("401", resp("Invalid client", Some(r("AzureTokenError"))))],
        }.build()},
        "/ims/token/v3": {"post": Op {
            summary: "Adobe IMS client credentials token", tag: "tokens", security: Some(json!([])),
            params: vec![],
            body: Some((r("ImsTokenRequest"), form)),
            responses: vec![("200", resp("Token (expires_in in seconds)", Some(r("ImsToken")))), ("400", resp("Invalid request", Some(r("ImsTokenError")))), ("401", resp("Invalid client", Some(r("ImsTokenError"))))],
        }.build()},
        "/rp/product-ingestion/configure": {"post": Op {
            summary: "Submit a configure job (create, delete, withdraw private offers)", tag: "ingestion", security: azure_sec(),
            params: vec![version("2022-07-01")],
            body: Some((r("ConfigureRequest"), "application/json")),
            responses: with(vec![("202", resp("Job accepted (jobStatus notStarted)", Some(r("ConfigureStatus"))))], ing_errors()),
        }.build()},
        "/rp/product-ingestion/configure/{jobId}/status": {"get": Op {
            summary: "Poll a configure job", tag: "ingestion", security: azure_sec(),
            params: vec![path_param("jobId"), version("2022-07-01")],
            body: None,
            responses: with(vec![("200", resp("Job status", Some(r("ConfigureStatus"))))], ing_errors()),
        }.build()},
        "/rp/product-ingestion/configure/{jobId}": {"get": Op {
            summary: "Resources of a completed configure job", tag: "ingestion", security: azure_sec(),
            params: vec![path_param("jobId"), version("2022-07-01")],
            body: None,
            responses: with(vec![("200", resp("Job resources", Some(r("ConfigureRequest"))))], ing_errors()),
        }.build()},
        "/rp/product-ingestion/private-offer/query": {"get": Op {
            summary: "List private offers", tag: "ingestion", security: azure_sec(),
            params: vec![version("2023-07-15")],
            body: None,
            responses: with(vec![("200", resp("Private offers", Some(json!({"type": "object", "required": ["value"], "properties": {"value": {"type": "array", "items": r("PrivateOffer")}}}))))], ing_errors()),
        }.build()},
        "/rp/product-ingestion/private-offer/{id}": {"get": Op {
            summary: "Get a private offer (id without the private-offer/ prefix)", tag: "ingestion", security: azure_sec(),
            params: vec![path_param("id"), version("2023-07-15")],
            body: None,
            responses: with(vec![("200", resp("Private offer", Some(r("PrivateOffer"))))], ing_errors()),
        }.build()},
        "/v1/customers/{customerId}/orders": {
            "get": Op {
                summary: "List a customer's orders", tag: "orders", security: azure_sec(),
                params: vec![path_param("customerId")], body: None,
                responses: with(vec![("200", resp("Orders", Some(r("OrderCollection"))))], pc_errors()),
            }.build(),
            "post": Op {
                summary: "Create an order", tag: "orders", security: azure_sec(),
                params: vec![path_param("customerId")], body: Some((r("Order"), "application/json")),
                responses: with(vec![("201", resp("Created order", Some(r("Order"))))], pc_errors()),
            }.build(),
        },
        "/v1/customers/{customerId}/orders/{orderId}": {
            "get": Op {
                summary: "Get an order", tag: "orders", security: azure_sec(),
                params: vec![path_param("customerId"), path_param("orderId")], body: None,
                responses: with(vec![("200", resp("Order", Some(r("Order"))))], pc_errors()),
            }.build(),
            "patch": Op {
                summary: "Cancel line items of an order", tag: "orders", security: azure_sec(),
                params: vec![path_param("customerId"), path_param("orderId")], body: Some((r("CancelRequest"), "application/json")),
                responses: with(vec![("200", resp("Order after cancellation", Some(r("Order"))))], pc_errors()),
            }.build(),
        },
        "/v1/customers/{customerId}/orders/{orderId}/provisioningstatus": {"get": Op {
            summary: "Order provisioning status", tag: "orders", security: azure_sec(),
            params: vec![path_param("customerId"), path_param("orderId")], body: None,
            responses: with(vec![("200", resp("Per-line status", Some(json!({"type": "object"}))))], pc_errors()),
        }.build()},
        "/data/core/dps/offers": {
            "get": Op {
                summary: "List offers", tag: "adobe", security: adobe_sec(),
                params: vec![offer_type(), query("limit", false, json!({"type": "integer", "minimum": 1, "maximum": 1000}), "Page size (default 10)"), query("start", false, json!({"type": "string"}), "Cursor from _links.next.href")],
                body: None,
                responses: with(vec![("200", resp("A page of offers", Some(r("AdobeOfferList"))))], adobe_errors()),
            }.build(),
            "post": Op {
                summary: "Create an offer", tag: "adobe", security: adobe_sec(),
                params: vec![offer_type()], body: Some((r("AdobeOffer"), "application/json")),
                responses: with(vec![("201", resp("Created", Some(r("AdobeOfferMeta"))))], adobe_errors()),
            }.build(),
        },
        "/data/core/dps/offers/{id}": {
            "get": Op {
                summary: "Look up an offer", tag: "adobe", security: adobe_sec(),
                params: vec![path_param("id"), offer_type()], body: None,
                responses: with(vec![("200", resp("Offer", Some(r("AdobeOffer"))))], adobe_errors()),
            }.build(),
            "delete": Op {
                summary: "Delete an offer (200, empty body)", tag: "adobe", security: adobe_sec(),
                params: vec![path_param("id"), offer_type()], body: None,
                responses: with(vec![("200", resp("Deleted; the body is empty", None))], adobe_errors()),
            }.build(),
            "patch": Op {
                summary: "Update an offer with JSON Patch", tag: "adobe", security: adobe_sec(),
                params: vec![path_param("id"), offer_type()], body: Some((json!({"type": "array", "items": r("JsonPatchOp")}), "application/json")),
                responses: with(vec![("200", resp("Updated", Some(r("AdobeOfferMeta"))))], adobe_errors()),
            }.build(),
        },
        "/v2/offer": {
            "get": Op {
                summary: "Get Appcharge offers", tag: "appcharge", security: appcharge_sec(),
                params: vec![query("publisherOfferIds", false, json!({"type": "string"}), "Comma-separated publisherOfferIds")], body: None,
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
            responses: vec![("200", resp("State", Some(r("Seed"))))]}.build()},
        "/_sandbox/seed": {"post": Op {summary: "Seed state (merge by default, or mode=replace)", tag: "control", security: Some(json!([])),
            params: vec![query("mode", false, json!({"type": "string", "enum": ["merge", "replace"]}), "merge (default) or replace")],
            body: Some((r("Seed"), "application/json")),
            responses: vec![("200", resp("Loaded counts", Some(json!({"type": "object"})))), ("400", ctl_err())]}.build()},
        "/_sandbox/reset": {"post": Op {summary: "Empty every store", tag: "control", security: Some(json!([])), params: vec![], body: None,
            responses: vec![("200", resp("Reset", Some(json!({"type": "object"}))))]}.build()},
        "/_sandbox/journal": {
            "get": Op {summary: "Request journal and counters", tag: "control", security: Some(json!([])),
                params: vec![query("method", false, json!({"type": "string"}), "Filter by method"), query("pathPrefix", false, json!({"type": "string"}), "Filter by path prefix"), query("limit", false, json!({"type": "integer", "minimum": 0}), "Only the last N entries")],
                body: None, responses: vec![("200", resp("Journal", Some(r("Journal")))), ("400", ctl_err())]}.build(),
            "delete": Op {summary: "Clear the journal", tag: "control", security: Some(json!([])), params: vec![], body: None,
                responses: vec![("200", resp("Cleared", Some(json!({"type": "object"}))))]}.build(),
        },
        "/_sandbox/faults": {
            "get": Op {summary: "List fault rules", tag: "control", security: Some(json!([])), params: vec![], body: None,
                responses: vec![("200", resp("Rules with counters", Some(json!({"type": "object"}))))]}.build(),
            "post": Op {summary: "Add fault rules", tag: "control", security: Some(json!([])), params: vec![],
                body: Some((json!({"oneOf": [r("FaultRule"), {"type": "array", "items": r("FaultRule")}]}), "application/json")),
                responses: vec![("201", resp("Rule ids", Some(json!({"type": "object"})))), ("400", ctl_err())]}.build(),
            "delete": Op {summary: "Remove every fault rule", tag: "control", security: Some(json!([])), params: vec![], body: None,
                responses: vec![("200", resp("Cleared", Some(json!({"type": "object"}))))]}.build(),
        },
        "/_sandbox/faults/{id}": {"delete": Op {summary: "Remove one fault rule", tag: "control", security: Some(json!([])), params: vec![path_param("id")], body: None,
            responses: vec![("200", resp("Removed", Some(json!({"type": "object"})))), ("404", resp("No such rule", Some(r("ControlError"))))]}.build()},
        "/_sandbox/openapi.json": {"get": Op {summary: "This document", tag: "control", security: Some(json!([])), params: vec![], body: None,
            responses: vec![("200", resp("OpenAPI document", Some(json!({"type": "object"}))))]}.build()},
    })
}

fn schemas() -> Value {
    let s = json!({"type": "string"});
    let obj = json!({"type": "object"});
    // Non-blank text (the sandbox rejects empty and whitespace-only values).
    let ne = json!({"type": "string", "pattern": "\\S"});
    json!({
        "IngestionError": {"type": "object", "required": ["error"], "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {"code": s, "message": s}}}},
        "PartnerCenterError": {"type": "object", "required": ["code", "description", "data", "source"], "properties": {"code": {"type": "integer"}, "description": s, "data": {"type": "array"}, "source": s}},
        "PartnerCenterThrottle": {"type": "object", "required": ["statusCode", "message"], "properties": {"statusCode": {"type": "integer"}, "message": s}},
        "AdobeGatewayError": {"type": "object", "required": ["error_code", "message"], "properties": {"error_code": s, "message": s}},
        "AdobeProblem": {"type": "object", "required": ["type", "title", "status"], "properties": {"type": s, "title": s, "status": {"type": "integer"}, "detail": s}},
        "AppchargeError": {"type": "object", "required": ["message"], "properties": {"message": s, "requestUrl": s, "body": s}},
        "AzureTokenError": {"type": "object", "required": ["error", "error_description"], "properties": {"error": s, "error_description": s, "error_codes": {"type": "array", "items": {"type": "integer"}}}},
        "ImsTokenError": {"type": "object", "required": ["error"], "properties": {"error": s, "error_description": s}},
        "ControlError": {"type": "object", "required": ["error", "message"], "properties": {"error": s, "message": s}},
        "AzureV1TokenRequest": {"type": "object", "required": ["grant_type", "client_id", "client_secret", "resource"], "properties": {"grant_type": {"type": "string", "enum": ["client_credentials"]}, "client_id": ne, "client_secret": ne, "resource": ne}},
        "AzureV2TokenRequest": {"type": "object", "required": ["grant_type", "client_id", "client_secret", "scope"], "properties": {"grant_type": {"type": "string", "enum": ["client_credentials"]}, "client_id": ne, "client_secret": ne, "scope": ne}},
        "ImsTokenRequest": {"type": "object", "required": ["grant_type", "client_id", "client_secret"], "properties": {"grant_type": {"type": "string", "enum": ["client_credentials"]}, "client_id": ne, "client_secret": ne, "scope": s}},
        "AzureV1Token": {"type": "object", "required": ["token_type", "expires_in", "access_token"], "properties": {"token_type": s, "expires_in": s, "ext_expires_in": s, "expires_on": s, "not_before": s, "resource": s, "access_token": s}},
        "AzureV2Token": {"type": "object", "required": ["token_type", "expires_in", "access_token"], "properties": {"token_type": s, "expires_in": {"type": "integer"}, "ext_expires_in": {"type": "integer"}, "access_token": s}},
        "ImsToken": {"type": "object", "required": ["access_token", "token_type", "expires_in"], "properties": {"access_token": s, "token_type": s, "expires_in": {"type": "integer"}}},
        "ConfigureRequest": {"type": "object", "required": ["$schema", "resources"], "properties": {"$schema": {"type": "string", "pattern": "configure/\\s*2022-07-01\\s*$", "example": "https://schema.mp.microsoft.com/schema/configure/2022-07-01"}, "resources": {"type": "array", "minItems": 1, "items": r("PrivateOffer")}}},
        "PrivateOffer": {"type": "object", "required": ["$schema"], "properties": {
            "$schema": {"type": "string", "pattern": "schema\\.mp\\.microsoft\\.com|product-ingestion", "example": "https://schema.mp.microsoft.com/schema/private-offer/2023-07-15"},
            "id": {"type": "string", "example": "private-offer/456e-a345-c457-1234"}, "name": s, "resourceName": s,
            "privateOfferType": {"type": "string", "enum": ["customerPromotion", "cspPromotion", "multipartyPromotionOriginator", "multipartyPromotionChannelPartner"]},
            "state": {"type": "string", "enum": ["draft", "live", "withdrawn", "deleted"]},
            "subState": {"type": "string", "enum": ["pendingPartnerAction", "pendingAcceptance", "accepted"]},
            "offerPricingType": s, "variableStartDate": {"type": "boolean"}, "start": s, "end": s, "acceptBy": s, "lastModified": s,
            "preparedBy": s, "notificationContacts": {"type": "array", "items": s}, "notes": s, "eTag": s,
            "pricing": {"type": "array", "items": obj}, "beneficiaries": {"type": "array", "items": obj}, "partners": {"type": "array", "items": obj}}},
        "ConfigureStatus": {"type": "object", "required": ["jobId", "jobStatus", "jobResult"], "properties": {
            "$schema": s, "jobId": s, "jobStatus": {"type": "string", "enum": ["notStarted", "running", "completed"]},
            "jobResult": {"type": "string", "enum": ["pending", "succeeded", "failed"]}, "jobStart": s, "jobEnd": s, "resourceUri": s,
            "errors": {"type": "array", "items": {"type": "object", "properties": {"code": s, "message": s}}}}},
        "OrderLineItem": {"type": "object", "required": ["offerId"], "properties": {
            "lineItemNumber": {"type": "integer", "minimum": 0}, "offerId": {"type": "string", "pattern": "\\S", "example": "DG7GMGF0FKZV:0003:DG7GMGF0DWMS"},
            "quantity": {"type": "integer", "minimum": 0}, "termDuration": {"type": "string", "example": "P1Y"}, "friendlyName": s, "subscriptionId": s, "transactionType": s}},
        "Order": {"type": "object", "required": ["lineItems"], "properties": {
            "id": s, "alternateId": s, "referenceCustomerId": s, "billingCycle": s, "creationDate": {"type": "string", "format": "date-time"},
            "status": {"type": "string", "enum": ["completed", "cancelled", "pending", "unknown"]}, "currencyCode": s, "transactionType": s,
            "lineItems": {"type": "array", "minItems": 1, "items": r("OrderLineItem")}, "links": obj, "attributes": obj}},
        "CancelRequest": {"type": "object", "required": ["status"], "properties": {
            "id": s, "status": {"type": "string", "enum": ["cancelled"]},
            "lineItems": {"type": "array", "items": {"type": "object", "required": ["lineItemNumber"], "properties": {"lineItemNumber": {"type": "integer", "minimum": 0}, "offerId": s}}}}},
        "OrderCollection": {"type": "object", "required": ["totalCount", "items"], "properties": {"totalCount": {"type": "integer"}, "items": {"type": "array", "items": r("Order")}, "links": obj, "attributes": obj}},
        "AdobeOffer": {"type": "object", "required": ["name"], "properties": {
            "id": {"type": "string", "pattern": "^[^/]+$"}, "name": {"type": "string", "pattern": "\\S"}, "description": s, "status": {"type": "string", "enum": ["draft", "approved", "archived"]},
            "representations": {"type": "array", "items": obj}, "selectionConstraint": obj, "rank": {"type": "object", "properties": {"priority": {"type": "integer"}}},
            "cappingConstraint": obj, "frequencyCappingConstraints": {"type": "array", "items": obj}, "etag": {"type": "integer"}, "created": s, "modified": s}},
        "AdobeOfferMeta": {"type": "object", "required": ["id"], "properties": {"id": s, "etag": {"type": "integer"}, "createdDate": s, "lastModifiedDate": s, "sandboxId": s}},
        "AdobeOfferList": {"type": "object", "required": ["results", "count", "total", "_links"], "properties": {"results": {"type": "array", "items": r("AdobeOffer")}, "count": {"type": "integer"}, "total": {"type": "integer"}, "_links": obj}},
        "JsonPatchOp": {"type": "object", "required": ["op", "path"], "properties": {"op": {"type": "string", "enum": ["add", "replace", "remove"]}, "path": s, "value": {}}},
        "AppchargeOffer": {"type": "object", "required": ["publisherOfferId", "name", "type"], "properties": {
            "publisherOfferId": {"type": "string", "pattern": "^[^/]*\\S[^/]*$"}, "name": {"type": "string", "pattern": "(\\S.*){3}"}, "type": {"type": "string", "pattern": "\\S"},
            "offerId": s, "publisherId": s, "displayName": s, "description": s, "subType": s, "active": {"type": "boolean"},
            "segments": {"type": "array", "items": s}, "productsSequence": {"type": "array", "items": obj}, "priority": {"type": "integer"},
            "offerUi": {"type": "object", "nullable": true}, "schedule": obj, "createdAt": s, "updatedAt": s}},
        "AppchargeOfferList": {"type": "object", "required": ["totalCount", "offers"], "properties": {"totalCount": {"type": "integer"}, "offers": {"type": "array", "items": r("AppchargeOffer")}}},
        "Seed": {"type": "object", "properties": {
            "ingestion": {"type": "object", "properties": {"privateOffers": {"type": "array", "items": r("PrivateOffer")}, "jobs": {"type": "array", "items": obj}}},
            "orders": {"type": "array", "items": {"allOf": [r("Order"), {"type": "object", "required": ["referenceCustomerId"], "properties": {"referenceCustomerId": ne}}]}},
            "adobe": {"type": "object", "properties": {"personalized": {"type": "array", "items": r("AdobeOffer")}, "fallback": {"type": "array", "items": r("AdobeOffer")}}},
            "appcharge": {"type": "object", "properties": {"offers": {"type": "array", "items": r("AppchargeOffer")}}},
            "tokens": {"type": "array", "items": obj}}},
        "FaultRule": {"type": "object", "required": ["path", "fault"], "properties": {
            "method": s, "path": {"type": "string", "minLength": 1, "example": "/v2/offer/*"},
            "mode": {"oneOf": [
                {"type": "object", "required": ["nextN"], "properties": {"nextN": {"type": "integer", "minimum": 0}}},
                {"type": "object", "required": ["everyK"], "properties": {"everyK": {"type": "integer", "minimum": 1}}},
                {"type": "object", "required": ["probability"], "properties": {"probability": {"type": "number", "minimum": 0, "maximum": 1}, "seed": {"type": "integer", "minimum": 0}}}]},
            "fault": {"type": "object", "required": ["kind"], "properties": {
                "kind": {"type": "string", "enum": ["throttle", "status", "delay", "drop", "truncate"]},
                "retryAfterSeconds": {"type": "integer", "minimum": 0}, "status": {"type": "integer", "minimum": 400, "maximum": 599}, "millis": {"type": "integer", "minimum": 0}}},
            "when": {"type": "string", "enum": ["before", "after"]}}},
        "JournalEntry": {"type": "object", "properties": {
            "seq": {"type": "integer"}, "time": s, "method": s, "path": s, "query": s, "route": {"type": "string", "nullable": true},
            "resourceId": {"type": "string", "nullable": true}, "vendor": s, "status": {"type": "integer"}, "durationMicros": {"type": "integer"},
            "acted": {"type": "boolean"}, "fault": {"type": "string", "nullable": true}, "unknownFields": {"type": "array", "items": s}}},
        "Journal": {"type": "object", "required": ["entries", "counts"], "properties": {"entries": {"type": "array", "items": r("JournalEntry")}, "counts": obj}},
    })
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
    #[test]
    fn every_route_template_is_documented() {
        let doc = super::document();
        let paths = doc["paths"].as_object().unwrap();
        for template in [
            "/{tenant}/oauth2/token",
            "/{tenant}/oauth2/v2.0/token",
            "/ims/token/v3",
            "/rp/product-ingestion/configure",
            "/rp/product-ingestion/configure/{jobId}/status",
            "/rp/product-ingestion/configure/{jobId}",
            "/rp/product-ingestion/private-offer/query",
            "/rp/product-ingestion/private-offer/{id}",
            "/v1/customers/{customerId}/orders",
            "/v1/customers/{customerId}/orders/{orderId}",
            "/v1/customers/{customerId}/orders/{orderId}/provisioningstatus",
            "/data/core/dps/offers",
            "/data/core/dps/offers/{id}",
            "/v2/offer",
            "/v2/offer/{publisherOfferId}",
        ] {
            assert!(paths.contains_key(template), "{template}");
        }
    }
}
