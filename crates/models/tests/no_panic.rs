//! Property tests: no input, however malformed, makes a model parser panic.
//!
//! Two kinds of input: arbitrary JSON values (well-formed JSON of any shape, including
//! the wrong types in the right places) and arbitrary byte strings built by corrupting
//! real vendor payloads (truncation, byte flips, insertions). Each is handed to every
//! top-level model type and to every error-body parser; the only requirement is that the
//! parser returns (Ok or Err) instead of panicking. The case count is bounded so the
//! suite stays fast in `cargo test`; raise `PROPTEST_CASES` locally for a longer hunt.

use proptest::prelude::*;
use serde_json::Value;

/// Real payloads to corrupt: one response per vendor, including quirky ones.
const SAMPLES: &[&str] = &[
    r#"{"$schema":" https://schema.mp.microsoft.com/schema/configure-status/2022-07-01","jobId":"c32dd7e8","jobStatus":"notStarted","jobResult":"pending","jobStart":"2021-12-21T21:29:54.9702903Z","jobEnd":"0001-01-01","errors":[{"code":"Conflict","message":"x"},"plain"]}"#,
    r#"{"$schema":"https://schema.mp.microsoft.com/schema/private-offer/ 2023-07-15","id":"private-offer/1","name":"n","privateOfferType":"multiPartyPromotionChannelPartner","state":"Live","pricing":[{"product":"product/1","discountType":"Percentage","priceDetails":"price/1"}]}"#,
    r#"{"id":"2y6d","status":"completed","creationDate":"2019-12-12T17:33:56.1306495Z","lineItems":[{"lineItemNumber":0,"offerId":"A:B:C","quantity":"0","links":{"sku":{"uri":"/x","method":"GET","headers":[]}}}]}"#,
    r#"{"code":20000,"description":"Order not found","data":[],"source":"PartnerFD"}"#,
    r#"{"statusCode":429,"message":"Rate limit is exceeded. Try again in 57 seconds."}"#,
    r#"{"results":[{"id":"p1","etag":3,"status":"approved"}],"count":1,"total":2,"_links":{"next":{"href":"/offers?offer-type=PERSONALIZED&start=p1","type":"application/json"}}}"#,
    r#"{"error_code":"401013","message":"Oauth token is not valid"}"#,
    r#"{"type":"http://ns.adobe.com/aep/errors/XDM-1010-404","title":"Resource not found","status":404,"report":{}}"#,
    r#"{"publisherOfferId":"o","active":true,"active":true,"offerUi":null,"productsSequence":[{"index":1,"products":[{"publisherProductId":"p","quantity":"100","priority":"Main"}]}]}"#,
    r#"{"totalCount":1,"offers":[{"publisherOfferId":"o","type":"PopUp","type":"string"}]}"#,
    r#"{"access_token":"t","token_type":"Bearer","expires_in":"3600","ext_expires_in":3600}"#,
];

/// Parses `bytes` into every model and error type; panics are the only failure.
fn parse_everything(bytes: &[u8]) {
    macro_rules! try_parse {
        ($($ty:ty),* $(,)?) => { $( let _ = serde_json::from_slice::<$ty>(bytes); )* };
    }
    try_parse!(
        offerkit_models::auth::TokenResponse,
        offerkit_models::lenient::LenientDateTime
    );
    {
        use offerkit_models::partner_center_ingestion::*;
        try_parse!(
            ConfigureRequest,
            ConfigureStatus,
            PrivateOffer,
            PrivateOfferDocument,
            PrivateOfferPage,
            IngestionErrorResponse
        );
        if let Ok(status) = serde_json::from_slice::<ConfigureStatus>(bytes) {
            let _ = (
                status.ended_at(),
                status.is_completed(),
                status.error_list(),
            );
        }
    }
    {
        use offerkit_models::partner_center_orders::*;
        try_parse!(
            Order,
            OrderCollection,
            CancelOrderRequest,
            ProvisioningStatus,
            OrdersErrorBody
        );
    }
    {
        use offerkit_models::adobe_offers::*;
        try_parse!(Offer, OfferPage, OfferMutationResponse, AepError);
        if let Ok(page) = serde_json::from_slice::<OfferPage>(bytes) {
            let _ = page.next_href();
        }
    }
    {
        use offerkit_models::appcharge::*;
        try_parse!(Offer, OfferList, AppchargeErrorBody);
        let _ = parse_offer(bytes);
        let _ = parse_offer_list(bytes);
    }
    // Whatever parsed must also serialize without panicking.
    if let Ok(value) = serde_json::from_slice::<offerkit_models::appcharge::Offer>(bytes) {
        let _ = serde_json::to_vec(&value);
    }
}

fn arbitrary_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        // Strings that look like the values our lenient types special-case.
        prop_oneof![
            Just("0001-01-01".to_owned()),
            Just("0001-01-01T00:00:00".to_owned()),
            Just("2022-03-01-preview2T13:32:43.123456Z".to_owned()),
            Just("9999-99-99T99:99:99.9999999999+99:99".to_owned()),
            ".{0,24}",
        ]
        .prop_map(Value::String),
    ];
    // Keys drawn from the fields the models know, so wrong types land on real fields.
    let key = prop_oneof![
        Just("jobEnd"),
        Just("jobStart"),
        Just("jobStatus"),
        Just("errors"),
        Just("$schema"),
        Just("state"),
        Just("privateOfferType"),
        Just("pricing"),
        Just("priceDetails"),
        Just("lineItems"),
        Just("quantity"),
        Just("code"),
        Just("statusCode"),
        Just("error_code"),
        Just("status"),
        Just("_links"),
        Just("next"),
        Just("href"),
        Just("etag"),
        Just("offers"),
        Just("productsSequence"),
        Just("products"),
        Just("product"),
        Just("offerUi"),
        Just("schedule"),
        Just("expires_in"),
        Just("error"),
        Just("resources"),
        Just("value"),
        Just("results"),
        Just("type"),
        Just("active"),
        Just("creationDate"),
        Just("x"),
    ]
    .prop_map(str::to_owned);
    leaf.prop_recursive(5, 64, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key.clone(), inner), 0..8)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
        ]
    })
}

fn corrupted_sample() -> impl Strategy<Value = Vec<u8>> {
    (
        0..SAMPLES.len(),
        prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 0..6),
        any::<prop::sample::Index>(),
    )
        .prop_map(|(which, edits, cut)| {
            let mut bytes = SAMPLES[which].as_bytes().to_vec();
            for (at, byte, op) in edits {
                if bytes.is_empty() {
                    bytes.push(byte);
                    continue;
                }
                let i = at.index(bytes.len());
                match op {
                    0 => bytes[i] = byte,
                    1 => bytes.insert(i, byte),
                    _ => {
                        bytes.remove(i);
                    }
                }
            }
            let keep = cut.index(bytes.len() + 1);
            // Truncate only sometimes: a corrupted but complete body is the common case.
            if keep % 3 == 0 {
                bytes.truncate(keep);
            }
            bytes
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_json_never_panics(value in arbitrary_json()) {
        let bytes = serde_json::to_vec(&value).unwrap();
        parse_everything(&bytes);
    }

    #[test]
    fn corrupted_vendor_payloads_never_panic(bytes in corrupted_sample()) {
        parse_everything(&bytes);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        parse_everything(&bytes);
    }

    #[test]
    fn lenient_dates_never_panic(text in ".{0,40}") {
        let json = serde_json::to_vec(&Value::String(text)).unwrap();
        if let Ok(date) = serde_json::from_slice::<offerkit_models::lenient::LenientDateTime>(&json) {
            let _ = date.value();
        }
    }
}

#[test]
fn every_sample_is_valid_json() {
    // Keeps the corpus honest: the corruptions start from payloads that do parse.
    for sample in SAMPLES {
        serde_json::from_str::<Value>(sample).unwrap();
    }
}
