//! Documented request field sets, and the unknown-field report built from them.

use serde_json::Value;

/// Configure envelope.
pub(crate) const CONFIGURE: &[&str] = &["$schema", "resources"];

/// Private-offer resource (schema 2023-07-15), including read-only fields a client may echo back.
pub(crate) const PRIVATE_OFFER: &[&str] = &[
    "$schema",
    "id",
    "resourceName",
    "name",
    "privateOfferType",
    "offerPricingType",
    "state",
    "subState",
    "variableStartDate",
    "start",
    "end",
    "acceptBy",
    "lastModified",
    "preparedBy",
    "notificationContacts",
    "termsAndConditionsDocSasUrl",
    "termsAndConditionsDocs",
    "originatorTermsAndConditionsDocs",
    "beneficiaries",
    "partners",
    "pricing",
    "originatorPricing",
    "upgradedFrom",
    "acceptanceLinks",
    "validations",
    "notes",
    "eTag",
    "_etag",
];

/// Partner Center order.
pub(crate) const ORDER: &[&str] = &[
    "id",
    "alternateId",
    "referenceCustomerId",
    "billingCycle",
    "transactionType",
    "lineItems",
    "currencyCode",
    "currencySymbol",
    "creationDate",
    "status",
    "links",
    "client",
    "attributes",
];

/// Partner Center order line item.
pub(crate) const LINE_ITEM: &[&str] = &[
    "lineItemNumber",
    "offerId",
    "subscriptionId",
    "parentSubscriptionId",
    "friendlyName",
    "quantity",
    "termDuration",
    "transactionType",
    "partnerIdOnRecord",
    "provisioningContext",
    "links",
    "renewsTo",
    "pricing",
];

/// Adobe Offer Library offer (personalized and fallback).
pub(crate) const ADOBE_OFFER: &[&str] = &[
    "id",
    "name",
    "description",
    "status",
    "created",
    "modified",
    "etag",
    "schemas",
    "createdBy",
    "lastModifiedBy",
    "representations",
    "selectionConstraint",
    "rank",
    "cappingConstraint",
    "frequencyCappingConstraints",
    "characteristics",
    "tags",
    "createdDate",
    "lastModifiedDate",
    "sandboxId",
    "createdByClientId",
    "lastModifiedByClientId",
    "datasetId",
];

/// JSON Patch operation.
pub(crate) const JSON_PATCH_OP: &[&str] = &["op", "path", "value", "from"];

/// Appcharge offer (V2).
pub(crate) const APPCHARGE_OFFER: &[&str] = &[
    "publisherId",
    "offerId",
    "publisherOfferId",
    "name",
    "displayName",
    "description",
    "type",
    "subType",
    "active",
    "segments",
    "publisherTabId",
    "offerUi",
    "offerUiId",
    "offerExternalUiId",
    "productsSequence",
    "productSale",
    "priceDiscount",
    "schedule",
    "badges",
    "priority",
    "startOver",
    "showAfter",
    "triggers",
    "displayRule",
    "rewardCalendar",
    "deeplinkUrl",
    "createdAt",
    "updatedAt",
];

/// Appends `prefix + key` for every key of `value` (an object) not in `known`.
pub(crate) fn unknown_keys(value: &Value, known: &[&str], prefix: &str, out: &mut Vec<String>) {
    if let Some(obj) = value.as_object() {
        for key in obj.keys() {
            if !known.contains(&key.as_str()) {
                out.push(format!("{prefix}{key}"));
            }
        }
    }
}

/// Unknown fields of an order body, line items included.
pub(crate) fn unknown_order_fields(order: &Value) -> Vec<String> {
    let mut out = Vec::new();
    unknown_keys(order, ORDER, "", &mut out);
    if let Some(items) = order.get("lineItems").and_then(Value::as_array) {
        for (i, item) in items.iter().enumerate() {
            unknown_keys(item, LINE_ITEM, &format!("lineItems[{i}]."), &mut out);
        }
    }
    out
}

/// The warning header value for a list of unknown fields.
pub(crate) fn warning_header(fields: &[String]) -> String {
    let list = fields.join(", ");
    let clean: String = list
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '?'
            }
        })
        .take(1000)
        .collect();
    format!("unknown field(s) ignored: {clean}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reports_nested_line_items() {
        let order = json!({"id": "x", "lineItmes": [], "lineItems": [{"offerId": "a", "qty": 1}]});
        assert_eq!(
            unknown_order_fields(&order),
            vec!["lineItmes".to_owned(), "lineItems[0].qty".to_owned()]
        );
        assert!(warning_header(&["a".into(), "b".into()]).ends_with("a, b"));
    }
}
