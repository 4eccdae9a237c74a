//! One test per vendor quirk the models must absorb (vendors.md sections 1.7, 2.5, 3.6, 4.5).

// With only some vendor features on, some imports are unused.
#![cfg_attr(
    not(all(
        feature = "partner-center-ingestion",
        feature = "partner-center-orders",
        feature = "adobe-offers",
        feature = "appcharge"
    )),
    allow(unused_imports)
)]

mod common;

use common::{parse_lossless, parse_lossless_canonical};
use offerkit_models::VendorErrorBody;
use offerkit_models::auth::TokenResponse;
use offerkit_models::lenient::{DateValue, LenientDateTime, SchemaUri, StringOrNumber};

#[test]
fn expires_in_as_string_or_number() {
    let azure: TokenResponse = parse_lossless(
        r#"{"token_type":"Bearer","expires_in":"3600","ext_expires_in":"3600","expires_on":"1700000000",
            "not_before":"1699996400","resource":"https://api.partnercenter.microsoft.com","access_token":"a"}"#,
    );
    assert_eq!(azure.expires_in_seconds(), Some(3600));
    assert_eq!(azure.expires_on_unix(), Some(1_700_000_000));
    let ims: TokenResponse =
        parse_lossless(r#"{"access_token":"a","token_type":"bearer","expires_in":86399,"id":"x"}"#);
    assert_eq!(ims.expires_in, Some(StringOrNumber::from(86399_u64)));
    assert_eq!(ims.extra["id"], "x");
}

#[test]
fn unparsable_dates_keep_their_text() {
    let d = LenientDateTime::new("2022-03-01-preview2T13:32:43.123456Z");
    assert_eq!(d.value(), DateValue::Unparsable);
    assert_eq!(
        serde_json::to_string(&d).unwrap(),
        "\"2022-03-01-preview2T13:32:43.123456Z\""
    );
}

#[test]
fn schema_uris_with_stray_spaces() {
    let uri: SchemaUri = serde_json::from_str(
        r#"" https://schema.mp.microsoft.com/schema/configure-status/2022-07-01""#,
    )
    .unwrap();
    assert!(uri.matches("https://schema.mp.microsoft.com/schema/configure-status/2022-07-01"));
    assert_eq!(uri.kind().as_deref(), Some("configure-status"));
}

#[cfg(feature = "partner-center-ingestion")]
mod ingestion {
    use super::*;
    use offerkit_models::partner_center_ingestion::*;

    #[test]
    fn private_offer_type_any_casing_written_canonically() {
        for sent in [
            "multiPartyPromotionChannelPartner",
            "MULTIPARTYPROMOTIONCHANNELPARTNER",
            "multipartyPromotionChannelPartner",
        ] {
            let t: PrivateOfferType = serde_json::from_value(sent.into()).unwrap();
            assert_eq!(t, PrivateOfferType::MultipartyPromotionChannelPartner);
            assert_eq!(
                serde_json::to_value(&t).unwrap(),
                "multipartyPromotionChannelPartner"
            );
        }
        let legacy: PrivateOfferState = serde_json::from_value("Live".into()).unwrap();
        assert_eq!(legacy, PrivateOfferState::Live);
    }

    #[test]
    fn unknown_enum_values_are_kept() {
        let t: PrivateOfferType = serde_json::from_value("".into()).unwrap();
        assert_eq!(t, PrivateOfferType::Other(String::new()));
        let t: PrivateOfferType = serde_json::from_value("resellerPromotion".into()).unwrap();
        assert!(!t.is_known());
        assert_eq!(serde_json::to_value(&t).unwrap(), "resellerPromotion");
    }

    #[test]
    fn job_end_sentinels_read_as_not_ended() {
        for end in ["0001-01-01", "0001-01-01T00:00:00"] {
            let job: ConfigureStatus =
                parse_lossless(&format!(r#"{{"jobStatus":"running","jobEnd":"{end}"}}"#));
            assert!(job.ended_at().is_none(), "{end}");
            assert_eq!(
                job.job_end.as_ref().map(LenientDateTime::raw),
                Some(end),
                "raw text kept"
            );
        }
        let done: ConfigureStatus = parse_lossless(
            r#"{"jobStatus":"completed","jobResult":"succeeded","jobEnd":"2021-12-21T21:30:10.1234567Z",
                "resourceUri":"https://product-ingestion.mp.microsoft.com/configure/c32dd7e8"}"#,
        );
        assert!(done.ended_at().is_some());
        assert!(done.is_completed());
    }

    #[test]
    fn garbage_job_start_is_kept() {
        let job: ConfigureStatus =
            parse_lossless(r#"{"jobStart":"2022-03-01-preview2T13:32:43.123456Z"}"#);
        let start = job.job_start.unwrap();
        assert_eq!(start.value(), DateValue::Unparsable);
        assert_eq!(start.raw(), "2022-03-01-preview2T13:32:43.123456Z");
    }

    #[test]
    fn job_errors_as_strings_or_objects() {
        let job: ConfigureStatus = parse_lossless(
            r#"{"jobResult":"failed","errors":[{"code":"Conflict","message":"The start date should be defined"},"plain text"]}"#,
        );
        let errors = job.error_list();
        assert_eq!(errors[0].code().as_deref(), Some("Conflict"));
        assert_eq!(errors[1].message(), Some("plain text"));
        let null_errors: ConfigureStatus = parse_lossless(r#"{"errors":null}"#);
        assert_eq!(null_errors.errors, Some(None));
    }

    #[test]
    fn private_offer_read_back_bare_or_envelope() {
        let bare: PrivateOfferDocument = parse_lossless(
            r#"{"$schema":"https://schema.mp.microsoft.com/schema/private-offer/2023-07-15","id":"private-offer/1","state":"live","eTag":"\"7d02\""}"#,
        );
        assert_eq!(bare.into_offers()[0].etag.as_deref(), Some("\"7d02\""));
        let legacy: PrivateOfferDocument = parse_lossless_canonical(
            r#"{"$schema":"https://product-ingestion.azureedge.net/schema/configure/2022-03-01-preview2",
                "resources":[{"id":"private-offer/1","state":"Live","_etag":"x","acceptBy":null,"lastModified":"0001-01-01",
                "pricing":[{"product":"product/1","discountType":"Percentage","discountPercentage":5,"featureAvailabilityId":null}]}]}"#,
            &[
                ("\"Live\"", "\"live\""),
                ("\"Percentage\"", "\"percentage\""),
            ],
        );
        let offers = legacy.into_offers();
        assert_eq!(offers[0].state, Some(PrivateOfferState::Live));
        assert_eq!(offers[0].accept_by, Some(None));
        assert!(offers[0].last_modified.as_ref().unwrap().is_not_set());
    }

    #[test]
    fn price_details_object_or_durable_id() {
        let p: Pricing = parse_lossless(r#"{"priceDetails":{"resourceName":"newPlan1"}}"#);
        assert!(matches!(p.price_details, Some(PriceDetails::Reference(_))));
        let p: Pricing =
            parse_lossless(r#"{"priceDetails":"price-and-availability-private-offer-plan/1"}"#);
        assert!(matches!(p.price_details, Some(PriceDetails::DurableId(_))));
    }

    #[test]
    fn error_response() {
        let e: IngestionErrorResponse =
            parse_lossless(r#"{"error":{"code":"notFound","message":"Resource not found"}}"#);
        assert_eq!(e.code().as_deref(), Some("notFound"));
        assert_eq!(e.message().as_deref(), Some("Resource not found"));
    }

    #[test]
    fn configure_request_builder_writes_the_envelope_schema() {
        let req = ConfigureRequest::new(vec![PrivateOffer {
            schema: Some(PRIVATE_OFFER_SCHEMA.into()),
            state: Some(PrivateOfferState::Withdrawn),
            ..Default::default()
        }]);
        let v = serde_json::to_value(&req).unwrap();
        assert_eq!(v["$schema"], CONFIGURE_SCHEMA);
        assert_eq!(v["resources"][0]["state"], "withdrawn");
    }
}

#[cfg(feature = "partner-center-orders")]
mod orders {
    use super::*;
    use offerkit_models::partner_center_orders::*;

    #[test]
    fn numeric_or_string_error_codes() {
        let numeric: OrdersErrorBody = parse_lossless(
            r#"{"code":3000,"description":"Invalid property","data":["x"],"source":"PartnerFD"}"#,
        );
        let text: OrdersErrorBody =
            parse_lossless(r#"{"code":"3000","description":"Invalid property"}"#);
        assert_eq!(numeric.code(), text.code());
        assert_eq!(numeric.message().as_deref(), Some("Invalid property"));
    }

    #[test]
    fn throttling_error_shape() {
        let e: OrdersErrorBody = parse_lossless(
            r#"{"statusCode":429,"message":"Rate limit is exceeded. Try again in 57 seconds."}"#,
        );
        assert_eq!(e.code().as_deref(), Some("429"));
        assert!(e.message().unwrap().contains("57 seconds"));
    }

    #[test]
    fn billing_cycle_spellings() {
        for sent in ["one_time", "OneTime", "ONE_TIME"] {
            let b: BillingCycle = serde_json::from_value(sent.into()).unwrap();
            assert_eq!(b, BillingCycle::OneTime);
            assert_eq!(b.as_str(), "one_time");
        }
    }

    #[test]
    fn collection_and_provisioning_status() {
        let c: OrderCollection = parse_lossless(
            r#"{"totalCount":1,"items":[{"id":"o1","status":"pending","creationDate":"2018-03-06T17:37:05.253-08:00"}],
                "links":{"self":{"uri":"/customers/c/orders","method":"GET","headers":[]}},"attributes":{"objectType":"Collection"}}"#,
        );
        assert_eq!(c.items.unwrap()[0].status, Some(OrderStatus::Pending));
        let p: ProvisioningStatus = parse_lossless_canonical(
            r#"{"totalCount":1,"items":[{"lineItemNumber":0,"status":"Fulfilled"}]}"#,
            &[("\"Fulfilled\"", "\"fulfilled\"")],
        );
        assert_eq!(
            p.items.unwrap()[0].status,
            Some(ProvisioningState::Fulfilled)
        );
    }
}

#[cfg(feature = "adobe-offers")]
mod adobe {
    use super::*;
    use offerkit_models::adobe_offers::*;

    #[test]
    fn three_error_shapes() {
        let gateway: AepError =
            parse_lossless(r#"{"error_code":"403010","message":"Oauth token is missing."}"#);
        assert_eq!(
            (gateway.kind(), gateway.code().as_deref()),
            (AepErrorKind::Gateway, Some("403010"))
        );
        let problem: AepError = parse_lossless(
            r#"{"type":"http://ns.adobe.com/aep/errors/XDM-1010-404","title":"Resource not found","status":404,
                "report":{"tenantInfo":{"sandboxName":"prod"}},"detail":"gone",
                "error-chain":[{"serviceId":"s","errorCode":"e","invokingServiceId":"i","unixTimeStampMs":1}]}"#,
        );
        assert_eq!(problem.kind(), AepErrorKind::ProblemDetails);
        assert_eq!(problem.message().as_deref(), Some("gone"));
        let content: AepError = parse_lossless(
            r#"{"type":"/placeholder/type/uri","status":400,"title":"BadRequestError","detail":"A valid content-type must be specified"}"#,
        );
        assert_eq!(content.kind(), AepErrorKind::ContentType);
    }

    #[test]
    fn fallback_create_sample_with_selection_constraint_and_rank() {
        // Adobe's "Create a fallback offer" request body, verbatim.
        let offer: Offer = parse_lossless(
            r#"{"name":"Test Fallback Offer DPS","description":"Fallback Offer description","status":"approved",
                "selectionConstraint":{"startDate":"2022-06-10T00:30:00.000+00:00","endDate":"2032-06-06T23:29:21.402+00:00","profileConstraintType":"none"},
                "representations":[{"components":[{"deliveryURL":"https://mysite.com","type":"imagelink","format":"image/png"}],
                  "channel":"https://ns.adobe.com/xdm/channel-types/web","placement":"offerPlacement1234"}],
                "rank":{"priority":1}}"#,
        );
        assert!(offer.extra.is_empty(), "{:?}", offer.extra);
        let constraint = offer.selection_constraint.as_ref().unwrap();
        assert_eq!(constraint.profile_constraint_type.as_deref(), Some("none"));
        assert!(constraint.extra.is_empty());
        assert_eq!(offer.rank.as_ref().and_then(|r| r.priority), Some(1));
    }

    #[test]
    fn list_page_with_links_and_fallback_offer() {
        let page: OfferPage = parse_lossless(
            r#"{"results":[{"id":"personalizedOffer1234","name":"P","status":"approved","etag":1,
                  "created":"2023-05-15T14:35:16.781+00:00","schemas":["https://ns.adobe.com/experience/offer-management/personalized-offer;version=0.15"],
                  "representations":[{"channel":"https://ns.adobe.com/xdm/channel-types/web","placement":"p1",
                    "components":[{"type":"html","format":"text/html","language":["en-us"],"content":"<p>hi</p>"}]}],
                  "selectionConstraint":{"startDate":"2022-06-13T05:00:00.000+00:00","endDate":"2022-12-13T05:00:00.000+00:00","profileConstraintType":"none"},
                  "rank":{"priority":1},"cappingConstraint":{},
                  "frequencyCappingConstraints":[{"enabled":true,"limit":1,"scope":"global","entity":"offer","repeat":{"enabled":true,"unit":"month","unitCount":1}}]},
                 {"id":"fallbackOffer1","name":"F","description":"d","status":"draft","etag":2}],
                "count":2,"total":3,
                "_links":{"self":{"href":"/offers?offer-type=personalized","type":"application/json"},
                          "next":{"href":"/offers?start=x&offer-type=PERSONALIZED","type":"application/json"}}}"#,
        );
        assert_eq!(
            page.next_href(),
            Some("/offers?start=x&offer-type=PERSONALIZED")
        );
        let results = page.results.unwrap();
        assert_eq!(results[1].status, Some(OfferStatus::Draft));
        assert!(results[1].selection_constraint.is_none());
        let t: OfferType = serde_json::from_value("PERSONALIZED".into()).unwrap();
        assert_eq!(t.as_str(), "personalized");
    }
}

#[cfg(feature = "appcharge")]
mod appcharge {
    use super::*;
    use offerkit_models::appcharge::*;

    #[test]
    fn duplicate_keys_do_not_fail() {
        let text = r#"{"publisherOfferId":"rolling-1","active":true,"active":true,"type":"PopUp","subType":"DailyBonus",
            "productsSequence":[{"index":1,"index":1,"products":[{"publisherProductId":"p","quantity":1,"quantity":2}]}],
            "type":"string"}"#;
        let offer: Offer = serde_json::from_str(text).unwrap();
        assert_eq!(offer.active, Some(true));
        assert_eq!(
            offer.r#type,
            Some(OfferType::Other("string".into())),
            "last key wins"
        );
        let entry = &offer.products_sequence.as_ref().unwrap()[0]
            .products
            .as_ref()
            .unwrap()[0];
        assert_eq!(entry.quantity().and_then(StringOrNumber::as_i64), Some(2));
        assert_eq!(parse_offer(text.as_bytes()).unwrap(), offer);
        let list = parse_offer_list(
            br#"{"totalCount":1,"totalCount":1,"offers":[{"active":false,"active":true}]}"#,
        )
        .unwrap();
        assert_eq!(list.offers.unwrap()[0].active, Some(true));
    }

    #[test]
    fn nested_records_tolerate_duplicates_when_parsed_on_their_own() {
        // Only the outermost tolerant value is buffered; a nested type parsed directly, or
        // inside a plain container, still buffers (and so tolerates duplicates) itself.
        let image: ProductImage =
            serde_json::from_str(r#"{"type":"product","url":"a","url":"b"}"#).unwrap();
        assert_eq!(image.url.as_deref(), Some("b"));
        let steps: Vec<ProductSequenceEntry> =
            serde_json::from_str(r#"[{"index":1,"index":2},{"index":3}]"#).unwrap();
        assert_eq!(steps[0].index, Some(2));
        // A failed tolerant parse leaves no "already buffered" state behind on the thread.
        assert!(serde_json::from_str::<Offer>(r#"{"active":"yes","active":1}"#).is_err());
        assert!(!offerkit_models::lenient::duplicates_resolved());
        let again: ProductImage = serde_json::from_str(r#"{"url":"a","url":"c"}"#).unwrap();
        assert_eq!(again.url.as_deref(), Some("c"));
    }

    #[test]
    fn quantity_string_or_number() {
        let e: ProductEntry =
            parse_lossless(r#"{"publisherProductId":"coins","quantity":"100","priority":"Main"}"#);
        assert_eq!(e.quantity(), Some(&StringOrNumber::String("100".into())));
        assert_eq!(e.quantity().and_then(StringOrNumber::as_i64), Some(100));
    }

    #[test]
    fn null_offer_ui() {
        let offer: Offer =
            parse_lossless(r#"{"publisherOfferId":"b1","type":"Bundle","offerUi":null}"#);
        assert_eq!(offer.offer_ui, Some(None));
    }

    #[test]
    fn three_product_entry_shapes() {
        let nested: ProductEntry = parse_lossless(
            r#"{"product":{"publisherProductId":"p","name":"Coins","type":"Quantity"},"quantity":5}"#,
        );
        // The schema skeleton's `quantity` is written back as the samples' canonical `Quantity`.
        let flat: ProductEntry = parse_lossless_canonical(
            r#"{"publisherProductId":"p","name":"Coins","type":"quantity","suffix":"🎉","priority":"Sub","images":[{"type":"product","url":""}]}"#,
            &[("\"quantity\"", "\"Quantity\"")],
        );
        let reference: ProductEntry =
            parse_lossless(r#"{"publisherProductId":"p","quantity":"100","priority":"Main"}"#);
        assert!(matches!(nested, ProductEntry::Nested(_)));
        assert!(
            matches!(&flat, ProductEntry::Product(p) if p.r#type == Some(ProductType::Quantity))
        );
        assert!(matches!(reference, ProductEntry::Reference(_)));
        for e in [&nested, &flat, &reference] {
            assert_eq!(e.publisher_product_id(), Some("p"));
        }
    }

    #[test]
    fn every_offer_part_round_trips() {
        let offer: Offer = parse_lossless(
            r##"{"offerId":"1","publisherOfferId":"daily","name":"Daily","type":"PopUp","subType":"RewardCalendar","active":true,
                "segments":["\"New User\""],"priority":1,"startOver":true,"showAfter":"login",
                "offerUi":{"offerUiId":"u","borderColor":{"colorOne":"#fff","colorTwo":"","direction":""},"borderWidth":2,
                  "specialOffer":{"templateType":"t","presentOfferEndTimer":true,"title":"T","fontSize":24,"fontWeight":"bold",
                    "fontColor":{"colorOne":"#000"},"subTitle":{"text":"s","fontSize":12},"backgroundColor":{"colorOne":"#111"}}},
                "productsSequence":[{"index":1,"priceInUsdCents":0,"playerClickedTtl":5,"products":[],"badges":[{"publisherBadgeId":"b","position":"top"}]}],
                "productSale":{"sale":100,"type":"percentage"},"priceDiscount":{"discount":20.5,"type":"fixed_amount","priceBeforeDiscount":9.99},
                "schedule":{"permanent":false,"timeFrames":[{"startTime":"2025-04-06T10:00:00.000Z","endTime":"2025-04-07T10:00:00.000Z","notes":"n","id":"t1"}]},
                "triggers":[{"type":"event","eventName":"purchase","every":2,"rules":[{"fieldName":"amount","operator":">","value":5}]}],
                "displayRule":{"frequency":"daily","cooldownInMinutes":60},
                "rewardCalendar":{"resetBehavior":"r","popupTrigger":"p","rewardCollectionBehavior":"c"},
                "deeplinkUrl":"https://x","createdAt":"2025-04-06T10:00:44.528Z","somethingNew":{"nested":[1,2]}}"##,
        );
        assert_eq!(offer.extra["somethingNew"]["nested"][1], 2);
        assert_eq!(
            offer.price_discount.unwrap().r#type,
            Some(DiscountKind::FixedAmount)
        );
    }

    #[test]
    fn lowercase_subtype_is_read_as_sub_type() {
        // DailyBonusOfferDtoResponse / PostPurchaseOfferDtoResponse spell it `subtype`.
        let offer: Offer = serde_json::from_str(
            r#"{"publisherOfferId":"daily-1","type":"PopUp","subtype":"DailyBonus","active":true}"#,
        )
        .unwrap();
        assert_eq!(offer.sub_type, Some(OfferSubType::DailyBonus));
        assert!(offer.extra.is_empty(), "{:?}", offer.extra);
        // Written back in the canonical spelling only.
        let back = serde_json::to_value(&offer).unwrap();
        assert_eq!(back["subType"], "DailyBonus");
        assert!(back.get("subtype").is_none());
        // Both spellings in one answer: no "duplicate field" error, `subType` wins, in either order.
        for text in [
            r#"{"subtype":"DailyBonus","subType":"PostPurchase"}"#,
            r#"{"subType":"PostPurchase","subtype":"DailyBonus"}"#,
        ] {
            let offer: Offer = serde_json::from_str(text).unwrap();
            assert_eq!(offer.sub_type, Some(OfferSubType::PostPurchase), "{text}");
        }
        // Nested in the list, and with duplicate keys of the alias itself (last wins).
        let list = parse_offer_list(
            br#"{"totalCount":1,"offers":[{"publisherOfferId":"pp","subtype":"StoreRefresh","subtype":"PostPurchase"}]}"#,
        )
        .unwrap();
        assert_eq!(
            list.offers.unwrap()[0].sub_type,
            Some(OfferSubType::PostPurchase)
        );
    }

    #[test]
    fn progress_bar_offer_and_the_newer_typed_fields() {
        // Shapes of ProgressBarDtoResponse, SpecialOfferDtoResponse and StoreRefreshPopupDtoResponse.
        let offer: Offer = parse_lossless(
            r#"{"publisherOfferId":"bar-1","name":"My ProgressBar Offer 1","type":"ProgressBar","active":true,
                "offerUi":{"offerUiId":"68b41c5aa1c5b1a284737e9b","offerExternalUiId":"Real_Store_Refresh","offerUiType":"ProgressBar"},
                "productsSequence":[{"index":1,"id":"m1","priceInUsdCents":0,"barSize":10,"playerAvailability":5,"hidePlayerAvailability":true,
                  "progressBarPoints":[{"publisherBarId":"bar-2","points":3}],"products":[]}]}"#,
        );
        assert_eq!(offer.r#type, Some(OfferType::ProgressBar));
        assert_eq!(
            offer.r#type.as_ref().map(OfferType::as_str),
            Some("ProgressBar")
        );
        let ui = offer.offer_ui.clone().flatten().unwrap();
        assert_eq!(
            ui.offer_external_ui_id.as_deref(),
            Some("Real_Store_Refresh")
        );
        assert!(ui.extra.is_empty(), "{:?}", ui.extra);
        let step = &offer.products_sequence.as_ref().unwrap()[0];
        assert_eq!(step.hide_player_availability, Some(true));
        assert_eq!(step.bar_size, Some(10));
        let points = &step.progress_bar_points.as_ref().unwrap()[0];
        assert_eq!(points.publisher_bar_id.as_deref(), Some("bar-2"));
        assert!(step.extra.is_empty(), "{:?}", step.extra);
    }

    #[test]
    fn v2_error_body() {
        // components.schemas.ErrorResponse of the V2 OpenAPI.
        let e: AppchargeErrorBody =
            parse_lossless(r#"{"errorCode":1002,"errorMessage":"Offer design not found"}"#);
        assert_eq!(e.code().as_deref(), Some("1002"));
        assert_eq!(e.message().as_deref(), Some("Offer design not found"));
    }

    #[test]
    fn error_body() {
        let e: AppchargeErrorBody =
            parse_lossless(r#"{"message":"Invalid offer","requestUrl":"/v2/offer","body":"{}"}"#);
        assert_eq!(e.message().as_deref(), Some("Invalid offer"));
        let list: AppchargeErrorBody = parse_lossless(
            r#"{"statusCode":400,"message":["name too short","bad type"],"error":"Bad Request"}"#,
        );
        assert_eq!(list.code().as_deref(), Some("400"));
        assert_eq!(list.message().as_deref(), Some("name too short; bad type"));
    }
}

#[test]
fn unknown_fields_are_kept_at_every_level() {
    let token: TokenResponse =
        parse_lossless(r#"{"access_token":"a","new_field":{"deep":[null,true]}}"#);
    assert_eq!(token.extra["new_field"]["deep"][1], true);
}
