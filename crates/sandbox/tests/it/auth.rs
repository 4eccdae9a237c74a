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

/// The payload of a JWT, decoded as a client does to read `exp` (no signature check).
fn jwt_claims(token: &str) -> serde_json::Value {
    use base64::Engine;
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "header.payload.signature: {token}");
    let decode = |part: &str| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(part)
            .unwrap_or_else(|e| panic!("base64url without padding: {e}"))
    };
    let header: serde_json::Value = serde_json::from_slice(&decode(parts[0])).unwrap();
    assert_eq!(header["typ"], "JWT");
    assert_eq!(header["alg"], "HS256");
    assert!(!decode(parts[2]).is_empty(), "signed");
    serde_json::from_slice(&decode(parts[1])).unwrap()
}

#[tokio::test]
async fn tokens_are_jwts_whose_exp_matches_expires_in() {
    let env = Env::new().await;
    env.sb
        .set_clock(std::time::UNIX_EPOCH + Duration::from_secs(1_900_000_000));
    let post = |path: &'static str, form: Vec<(&'static str, &'static str)>| {
        let request = env.http.post(env.url(path)).form(&form);
        async move { read(request.send().await.unwrap()).await }
    };
    let (s, v1) = post(
        "/tenant-a/oauth2/token",
        vec![
            ("grant_type", "client_credentials"),
            ("client_id", "app-1"),
            ("client_secret", "s"),
            ("resource", "https://graph.microsoft.com/"),
        ],
    )
    .await;
    assert_eq!(s, 200, "{v1}");
    let claims = jwt_claims(v1["access_token"].as_str().unwrap());
    let expires_in: i64 = v1["expires_in"].as_str().unwrap().parse().unwrap();
    assert_eq!(claims["iat"], 1_900_000_000);
    assert_eq!(claims["nbf"], 1_900_000_000);
    assert_eq!(claims["exp"].as_i64(), Some(1_900_000_000 + expires_in));
    assert_eq!(
        claims["exp"].to_string(),
        v1["expires_on"].as_str().unwrap()
    );
    assert_eq!(claims["aud"], "https://graph.microsoft.com");
    assert_eq!(claims["tid"], "tenant-a");
    assert_eq!(claims["appid"], "app-1");
    assert_eq!(claims["ver"], "1.0");
    assert_eq!(claims["iss"], "https://sts.windows.net/tenant-a/");

    let (s, v2) = post(
        "/tenant-b/oauth2/v2.0/token",
        vec![
            ("grant_type", "client_credentials"),
            ("client_id", "app-2"),
            ("client_secret", "s"),
            ("scope", "https://api.partnercenter.microsoft.com/.default"),
        ],
    )
    .await;
    assert_eq!(s, 200, "{v2}");
    let claims = jwt_claims(v2["access_token"].as_str().unwrap());
    assert_eq!(
        claims["exp"].as_i64(),
        Some(1_900_000_000 + v2["expires_in"].as_i64().unwrap())
    );
    assert_eq!(claims["aud"], "https://api.partnercenter.microsoft.com");
    assert_eq!(
        (claims["tid"].as_str(), claims["appid"].as_str()),
        (Some("tenant-b"), Some("app-2"))
    );
    assert_eq!(claims["ver"], "2.0");

    let (s, ims) = post(
        "/ims/token/v3",
        vec![
            ("grant_type", "client_credentials"),
            ("client_id", "adobe-1"),
            ("client_secret", "s"),
            ("scope", "openid,AdobeID"),
        ],
    )
    .await;
    assert_eq!(s, 200, "{ims}");
    let token = ims["access_token"].as_str().unwrap().to_owned();
    let claims = jwt_claims(&token);
    let expires_in = ims["expires_in"].as_i64().unwrap();
    assert_eq!(claims["exp"].as_i64(), Some(1_900_000_000 + expires_in));
    assert_eq!(claims["client_id"], "adobe-1");
    assert_eq!(claims["type"], "access_token");
    assert_eq!(
        claims["expires_in"],
        (expires_in * 1000).to_string(),
        "IMS counts in ms"
    );
    assert_eq!(claims["created_at"], "1900000000000");

    // Still validated as before: the token works until `exp`, then it is expired.
    let adobe = |token: &str| {
        env.http
            .get(env.url("/data/core/dps/offers?offer-type=personalized"))
            .bearer_auth(token.to_owned())
            .header("x-api-key", "adobe-1")
            .header("x-gw-ims-org-id", "ORG@AdobeOrg")
            .header("x-sandbox-name", "prod")
            .send()
    };
    assert_eq!(adobe(&token).await.unwrap().status(), 200);
    env.sb
        .advance_clock(Duration::from_secs(u64::try_from(expires_in).unwrap()));
    assert_eq!(adobe(&token).await.unwrap().status(), 401);
    // A forged token with the same claims but another signature is not one the sandbox issued.
    let mut forged = token.clone();
    forged.truncate(token.rfind('.').unwrap() + 1);
    forged.push_str("AAAA");
    env.sb
        .set_clock(std::time::UNIX_EPOCH + Duration::from_secs(1_900_000_000));
    assert_eq!(adobe(&forged).await.unwrap().status(), 401);
}
