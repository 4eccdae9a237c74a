//! Every JSON example of the four seed documents parses (after the named repairs the invalid ones need)
//! and survives a lossless round trip.

// With only some vendor features on, some helpers are unused.
#![cfg_attr(
    not(all(
        feature = "partner-center-ingestion",
        feature = "partner-center-orders",
        feature = "appcharge"
    )),
    allow(unused_imports, dead_code)
)]

mod common;

use common::{
    assert_invalid_json, json_examples, parse_lossless, parse_lossless_canonical, repair, seed,
};

const SEED_INGESTION: &str = "000_78d613d84c90a98d.txt";
const SEED_ORDERS: &str = "001_7be0832dbc1ab379.txt";
const SEED_ADOBE: &str = "002_c7bac7a4f43be236.txt";
const SEED_APPCHARGE: &str = "003_61e0b68ec9893e38.txt";

const CONFIGURE_SCHEMA_LINE: &str =
    "\"$schema\": \"https://schema.mp.microsoft.com/schema/configure/2022-07-01\"\n";
const CONFIGURE_SCHEMA_LINE_FIXED: &str =
    "\"$schema\": \"https://schema.mp.microsoft.com/schema/configure/2022-07-01\",\n";

#[test]
fn seed_example_counts() {
    assert_eq!(json_examples(&seed(SEED_INGESTION)).len(), 5);
    assert_eq!(json_examples(&seed(SEED_ORDERS)).len(), 3);
    // The Adobe seed (delete a personalized offer) has no JSON: DELETE returns 200 with an empty body.
    assert_eq!(json_examples(&seed(SEED_ADOBE)).len(), 0);
    assert_eq!(json_examples(&seed(SEED_APPCHARGE)).len(), 2);
}

#[cfg(feature = "partner-center-ingestion")]
mod ingestion {
    use super::*;
    use offerkit_models::partner_center_ingestion::{
        CONFIGURE_SCHEMA, ConfigureRequest, ConfigureStatus, JobResult, JobStatus,
        PRIVATE_OFFER_SCHEMA, PrivateOfferState, PrivateOfferType,
    };

    fn examples() -> Vec<String> {
        json_examples(&seed(SEED_INGESTION))
    }

    fn missing_comma(text: &str) -> String {
        repair(
            text,
            "missing comma after the envelope's $schema line",
            CONFIGURE_SCHEMA_LINE,
            CONFIGURE_SCHEMA_LINE_FIXED,
        )
    }

    #[test]
    fn delete_request() {
        let raw = &examples()[0];
        assert_invalid_json(raw);
        let req: ConfigureRequest = parse_lossless(&missing_comma(raw));
        assert!(req.schema.matches(CONFIGURE_SCHEMA));
        let offer = &req.resources[0];
        assert_eq!(offer.state, Some(PrivateOfferState::Deleted));
        assert_eq!(
            offer.private_offer_type,
            Some(PrivateOfferType::MultipartyPromotionOriginator)
        );
        assert_eq!(
            offer.id.as_deref(),
            Some("private-offer/456e-a345-c457-1234")
        );
    }

    #[test]
    fn withdraw_request_for_isv() {
        let raw = &examples()[2];
        assert_invalid_json(raw);
        let req: ConfigureRequest = parse_lossless(&missing_comma(raw));
        let offer = &req.resources[0];
        assert_eq!(offer.state, Some(PrivateOfferState::Withdrawn));
        // `private-offer/ 2023-07-15`: the stray space is tolerated and kept.
        let schema = offer.schema.as_ref().unwrap();
        assert!(schema.matches(PRIVATE_OFFER_SCHEMA));
        assert_eq!(
            schema.raw(),
            "https://schema.mp.microsoft.com/schema/private-offer/ 2023-07-15"
        );
    }

    #[test]
    fn withdraw_request_for_selling_partner() {
        let raw = &examples()[3];
        assert_invalid_json(raw);
        let fixed = repair(
            &missing_comma(raw),
            "opening quote missing before the resource's $schema key",
            "        $schema\":",
            "        \"$schema\":",
        );
        // The seller sample says `multiPartyPromotionChannelPartner`; it is written back canonically.
        let req: ConfigureRequest = parse_lossless_canonical(
            &fixed,
            &[(
                "\"multiPartyPromotionChannelPartner\"",
                "\"multipartyPromotionChannelPartner\"",
            )],
        );
        let offer = &req.resources[0];
        assert_eq!(
            offer.private_offer_type,
            Some(PrivateOfferType::MultipartyPromotionChannelPartner)
        );
        assert!(offer.is_private_offer());
    }

    #[test]
    fn job_responses() {
        for index in [1, 4] {
            let job: ConfigureStatus = parse_lossless(&examples()[index]);
            assert_eq!(job.job_status, Some(JobStatus::NotStarted));
            assert_eq!(job.job_result, Some(JobResult::Pending));
            assert!(
                job.ended_at().is_none(),
                "jobEnd 0001-01-01 reads as not ended"
            );
            assert!(job.job_start.as_ref().unwrap().timestamp().is_some());
            assert!(job.error_list().is_empty());
        }
    }
}

#[cfg(feature = "partner-center-orders")]
mod orders {
    use super::*;
    use offerkit_models::partner_center_orders::{
        BillingCycle, CancelOrderRequest, LineItemTransactionType, Order, OrderStatus,
    };

    fn examples() -> Vec<String> {
        json_examples(&seed(SEED_ORDERS))
    }

    #[test]
    fn cancel_request_body_with_typos() {
        let raw = &examples()[0];
        assert_invalid_json(raw);
        let fixed = repair(raw, "curly opening quotes", "\u{201c}", "\"");
        let fixed = repair(&fixed, "curly closing quotes", "\u{201d}", "\"");
        let fixed = repair(
            &fixed,
            "opening quote missing before the status key",
            "    status\":",
            "    \"status\":",
        );
        let req: CancelOrderRequest = parse_lossless(&fixed);
        assert_eq!(req.status, Some(OrderStatus::Cancelled));
        assert_eq!(req.line_items.as_ref().unwrap()[0].line_item_number, 0);
    }

    #[test]
    fn cancel_request_example() {
        let req: CancelOrderRequest = parse_lossless(&examples()[1]);
        assert_eq!(req.id, "2y6dF_rVgDAXMxypQPPnTquuXhKVK_3N1");
    }

    #[test]
    fn cancel_response() {
        let order: Order = parse_lossless_canonical(
            &examples()[2],
            &[(
                "\"transactionType\": \"New\"",
                "\"transactionType\": \"new\"",
            )],
        );
        assert_eq!(order.status, Some(OrderStatus::Completed));
        assert_eq!(order.billing_cycle, Some(BillingCycle::OneTime));
        let lines = order.line_items.as_ref().unwrap();
        assert!(lines[0].is_cancelled());
        assert!(!lines[1].is_cancelled());
        assert_eq!(
            lines[0].transaction_type,
            Some(LineItemTransactionType::New)
        );
        // `New` on the wire parses as the known `new` and is written back in the canonical casing.
        assert_eq!(
            serde_json::to_value(&lines[0].transaction_type).unwrap(),
            "new"
        );
        let links = order.links.as_ref().unwrap();
        assert_eq!(
            links.patch_operation.as_ref().unwrap().method.as_deref(),
            Some("PATCH")
        );
        assert!(order.creation_date.as_ref().unwrap().timestamp().is_some());
    }
}

#[cfg(feature = "appcharge")]
mod appcharge {
    use super::*;
    use offerkit_models::appcharge::{
        Offer, OfferType, ProductEntry, ProductPriority, parse_offer,
    };

    #[test]
    fn delete_special_offer_response() {
        let examples = json_examples(&seed(SEED_APPCHARGE));
        for text in &examples {
            let offer: Offer = parse_lossless(text);
            assert_eq!(offer.r#type, Some(OfferType::SpecialOffer));
            assert_eq!(offer.publisher_offer_id.as_deref(), Some("special-offer-1"));
            let step = &offer.products_sequence.as_ref().unwrap()[0];
            let entry = &step.products.as_ref().unwrap()[0];
            assert!(
                matches!(entry, ProductEntry::Nested(n) if n.priority == Some(ProductPriority::Main))
            );
            assert_eq!(entry.quantity().and_then(|q| q.as_i64()), Some(1000));
            assert_eq!(parse_offer(text.as_bytes()).unwrap(), offer);
        }
    }
}
