use offerkit_sandbox::{ClientCredential, SandboxConfig};
use reqwest::Method;
use serde_json::json;
use std::time::Duration;

use crate::{Env, read};

#[tokio::test]
async fn azure_v1_v2_and_ims_tokens_have_documented_shapes() {
    let env = Env::new().await;
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", "id"),
        ("client_secret", "s"),
        ("resource", "https://api.partnercenter.microsoft.com"),
    ];
    let (s, v1) = read(
        env.http
            .post(env.url("/my-tenant/oauth2/token"))
            .form(&form)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(v1["token_type"], "Bearer");
    assert_eq!(v1["expires_in"], "3600", "v1 sends numbers as strings");
    assert!(v1["expires_on"].is_string());
    let token = v1["access_token"].as_str().unwrap().to_owned();
    // The v1 token works on orders (its resource) but not on ingestion (Graph).
    let ok = env
        .http
        .get(env.url("/v1/customers/c/orders"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    let (s, body) = read(
        env.http
            .get(env.url("/rp/product-ingestion/private-offer/query?$version=2023-07-15"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 401);
    assert_eq!(body["error"]["code"], "InvalidAuthenticationToken");

    let form2 = [
        ("grant_type", "client_credentials"),
        ("client_id", "id"),
        ("client_secret", "s"),
        ("scope", "https://graph.microsoft.com/.default"),
    ];
    let (s, v2) = read(
        env.http
            .post(env.url("/t/oauth2/v2.0/token"))
            .form(&form2)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(v2["expires_in"], 3600);

    let ims = [
        ("grant_type", "client_credentials"),
        ("client_id", "id"),
        ("client_secret", "s"),
        ("scope", "openid,AdobeID"),
    ];
    let (s, t) = read(
        env.http
            .post(env.url("/ims/token/v3"))
            .form(&ims)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(t["token_type"], "bearer");
    assert_eq!(t["expires_in"], 86399);
}

#[tokio::test]
async fn token_endpoint_errors() {
    let config = SandboxConfig {
        clients: Some(vec![ClientCredential {
            client_id: "good".into(),
            client_secret: "secret".into(),
        }]),
        ..SandboxConfig::default()
    };
    let env = Env::with(config).await;
    let (s, b) = read(
        env.http
            .post(env.url("/t/oauth2/token"))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 400);
    assert_eq!(b["error"], "invalid_request");
    assert!(
        b["error_description"]
            .as_str()
            .unwrap()
            .starts_with("AADSTS900144")
    );
    assert_eq!(b["error_codes"][0], 900144);
    let bad = [
        ("grant_type", "client_credentials"),
        ("client_id", "good"),
        ("client_secret", "wrong"),
        ("resource", "r"),
    ];
    let (s, b) = read(
        env.http
            .post(env.url("/t/oauth2/token"))
            .form(&bad)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 401);
    assert_eq!(b["error"], "invalid_client");
    let (s, b) = read(
        env.http
            .post(env.url("/t/oauth2/token"))
            .form(&[("grant_type", "password")])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (s, b["error"].as_str()),
        (400, Some("unsupported_grant_type"))
    );
    let (s, b) = read(
        env.http
            .post(env.url(
                "/ims/token/v3?client_id=good&client_secret=wrong&grant_type=client_credentials",
            ))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((s, b["error"].as_str()), (401, Some("invalid_client")));
    let (s, _) = read(
        env.http
            .post(env.url(
                "/ims/token/v3?client_id=good&client_secret=secret&grant_type=client_credentials",
            ))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200, "IMS accepts query parameters");
}

#[tokio::test]
async fn tokens_expire() {
    let config = SandboxConfig {
        azure_token_lifetime: Duration::ZERO,
        ..SandboxConfig::default()
    };
    let env = Env::with(config).await;
    let (s, b) = env.get("/v1/customers/c/orders").await;
    assert_eq!(s, 401, "a zero-lifetime token is already expired");
    assert_eq!(b["code"], 400);
    assert!(b["description"].as_str().unwrap().contains("expired"));
}

#[tokio::test]
async fn missing_credentials_get_each_vendors_body() {
    let env = Env::new().await;
    let raw = |m: Method, p: &str| env.http.request(m, env.url(p));
    let (s, b) = read(
        raw(Method::GET, "/v1/customers/c/orders")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (s, b.clone()),
        (
            401,
            json!({"code": 800001, "description": "Partner Token missing", "data": [], "source": "PartnerFD"})
        )
    );
    let (s, b) = read(
        raw(
            Method::GET,
            "/rp/product-ingestion/private-offer/query?$version=2023-07-15",
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(s, 401);
    assert_eq!(b["error"]["message"], "Access token is empty.");
    let (s, b) = read(
        raw(Method::GET, "/data/core/dps/offers?offer-type=personalized")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (s, b),
        (
            403,
            json!({"error_code": "403000", "message": "Api Key is required"})
        )
    );
    let (s, b) = read(
        raw(Method::GET, "/data/core/dps/offers?offer-type=personalized")
            .header("x-api-key", "k")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (s, b),
        (
            403,
            json!({"error_code": "403010", "message": "Oauth token is missing."})
        )
    );
    let (s, b) = read(
        raw(Method::GET, "/data/core/dps/offers?offer-type=personalized")
            .header("x-api-key", "k")
            .bearer_auth("junk")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (s, b),
        (
            401,
            json!({"error_code": "401013", "message": "Oauth token is not valid"})
        )
    );
    let (s, b) = read(
        raw(Method::GET, "/data/core/dps/offers?offer-type=personalized")
            .header("x-api-key", "k")
            .bearer_auth(&env.ims)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((s, b["error_code"].as_str()), (400, Some("400003")));
    let (s, b) = read(raw(Method::GET, "/v2/offer").send().await.unwrap()).await;
    assert_eq!(s, 401);
    assert_eq!(
        b,
        json!({"errorCode": 401, "errorMessage": "Unauthorized: The publisher token is missing or invalid"}),
        "the Offers V2 error shape"
    );
    // Junk bearer on orders.
    let (s, b) = read(
        raw(Method::GET, "/v1/customers/c/orders")
            .bearer_auth("junk")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((s, b["code"].as_u64()), (401, Some(400)));
}

#[tokio::test]
async fn publisher_tokens_and_static_tokens() {
    let config = SandboxConfig {
        publisher_tokens: Some(vec!["only-this".into()]),
        static_tokens: vec!["dev".into()],
        ..SandboxConfig::default()
    };
    let env = Env::with(config).await;
    let (s, _) = read(
        env.http
            .get(env.url("/v2/offer"))
            .header("x-publisher-token", "other")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 401);
    let (s, _) = read(
        env.http
            .get(env.url("/v2/offer?publisherOfferIds=a"))
            .header("x-publisher-token", "only-this")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200);
    let (s, _) = read(
        env.http
            .get(env.url("/v1/customers/c/orders"))
            .bearer_auth("dev")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200, "static tokens work everywhere");
}
