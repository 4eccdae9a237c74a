use reqwest::Method;
use serde_json::json;

use crate::Env;

const P: &str = "/data/core/dps/offers?offer-type=personalized";

#[tokio::test]
async fn create_lookup_delete_then_404() {
    let env = Env::new().await;
    let offer = json!({"name": "Summer", "status": "approved", "representations": [{"channel": "https://ns.adobe.com/xdm/channel-types/web", "placement": "p1", "components": []}],
        "selectionConstraint": {"startDate": "2024-01-01T00:00:00Z", "endDate": "2030-01-01T00:00:00Z", "profileConstraintType": "none"}, "rank": {"priority": 1}});
    let (s, meta) = env.send(Method::POST, P, Some(offer.clone())).await;
    assert_eq!(s, 201);
    let id = meta["id"].as_str().unwrap().to_owned();
    assert_eq!(meta["createdByClientId"], "my-client");
    assert!(meta["createdDate"].is_string());
    let path = format!("/data/core/dps/offers/{id}?offer-type=personalized");
    let (s, got) = env.get(&path).await;
    assert_eq!(s, 200);
    assert_eq!(got["representations"], offer["representations"]);
    assert_eq!(got["rank"], offer["rank"]);
    assert!(got["etag"].is_i64());
    // Wrong offer type: not found.
    let (s, _) = env
        .get(&format!("/data/core/dps/offers/{id}?offer-type=fallback"))
        .await;
    assert_eq!(s, 404);

    let resp = env.req(Method::DELETE, &path).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.text().await.unwrap(),
        "",
        "DELETE answers 200 with an empty body"
    );
    let (s, b) = env.get(&path).await;
    assert_eq!(s, 404);
    assert_eq!(b["status"], 404);
    assert_eq!(b["title"], "Resource not found");
    assert_eq!(
        b["type"], "https://ns.adobe.com/aep/errors/DPS-1010-404",
        "the documented AEP form <service>-<four digits>-<status>"
    );
    let (s, _) = env.send(Method::DELETE, &path, None).await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn list_pages_with_links_next() {
    let env = Env::new().await;
    let offers: Vec<_> = (0..5)
        .map(|i| json!({"id": format!("offer{i}"), "name": format!("n{i}")}))
        .collect();
    env.sb.seed(&json!({"adobe": {"personalized": offers, "fallback": [{"id": "fb", "name": "fallback"}]}})).unwrap();
    let mut seen = Vec::new();
    let mut next = Some("/offers?offer-type=personalized&limit=2".to_owned());
    let mut pages = 0;
    while let Some(href) = next {
        let (s, page) = env.get(&format!("/data/core/dps{href}")).await;
        assert_eq!(s, 200, "{page}");
        assert_eq!(page["total"], 5);
        pages += 1;
        for r in page["results"].as_array().unwrap() {
            seen.push(r["id"].as_str().unwrap().to_owned());
        }
        next = page["_links"]["next"]["href"].as_str().map(str::to_owned);
        if let Some(n) = &next {
            assert!(
                n.contains("offer-type=PERSONALIZED"),
                "uppercase in next.href, as documented"
            );
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, vec!["offer0", "offer1", "offer2", "offer3", "offer4"]);
    let (_, fb) = env.get("/data/core/dps/offers?offer-type=fallback").await;
    assert_eq!(fb["count"], 1);
}

#[tokio::test]
async fn patch_and_validation() {
    let env = Env::new().await;
    env.sb
        .seed(&json!({"adobe": {"fallback": [{"id": "fb1", "name": "old", "description": "d"}]}}))
        .unwrap();
    let path = "/data/core/dps/offers/fb1?offer-type=fallback";
    let (s, meta) = env.send(Method::PATCH, path, Some(json!([{"op": "replace", "path": "/name", "value": "new"}, {"op": "remove", "path": "/description"}]))).await;
    assert_eq!(s, 200, "{meta}");
    assert_eq!(meta["etag"], 2);
    let (_, got) = env.get(path).await;
    assert_eq!(got["name"], "new");
    assert!(got.get("description").is_none());
    let (s, _) = env
        .send(
            Method::PATCH,
            path,
            Some(json!([{"op": "replace", "path": "/nope", "value": 1}])),
        )
        .await;
    assert_eq!(s, 400);
    let (s, _) = env
        .send(Method::PATCH, path, Some(json!({"op": "replace"})))
        .await;
    assert_eq!(s, 400);
    let (s, b) = env
        .send(
            Method::POST,
            "/data/core/dps/offers",
            Some(json!({"name": "x"})),
        )
        .await;
    assert_eq!(
        (s, b["status"].as_u64()),
        (400, Some(400)),
        "offer-type is required"
    );
    let (s, _) = env
        .send(
            Method::POST,
            "/data/core/dps/offers?offer-type=bogus",
            Some(json!({"name": "x"})),
        )
        .await;
    assert_eq!(s, 400);
    let (s, _) = env
        .send(Method::POST, P, Some(json!({"status": "draft"})))
        .await;
    assert_eq!(s, 400, "name is required");
    let (s, _) = env
        .get("/data/core/dps/offers?offer-type=personalized&limit=0")
        .await;
    assert_eq!(s, 400);
}

/// Adobe's own "Create a fallback offer" sample (Offer Library API, Legacy) sends
/// `selectionConstraint` and `rank`: accepted, kept and read back, not reported as unknown.
#[tokio::test]
async fn fallback_offer_create_sample_with_selection_constraint_and_rank() {
    let env = Env::new().await;
    let sample = json!({
        "name": "Test Fallback Offer DPS",
        "description": "Fallback Offer description",
        "status": "approved",
        "selectionConstraint": {
            "startDate": "2022-06-10T00:30:00.000+00:00",
            "endDate": "2032-06-06T23:29:21.402+00:00",
            "profileConstraintType": "none"
        },
        "representations": [{
            "components": [{"deliveryURL": "https://mysite.com", "type": "imagelink", "format": "image/png"}],
            "channel": "https://ns.adobe.com/xdm/channel-types/web",
            "placement": "offerPlacement1234"
        }],
        "rank": {"priority": 1}
    });
    let (s, meta) = env
        .send(
            Method::POST,
            "/data/core/dps/offers?offer-type=fallback",
            Some(sample.clone()),
        )
        .await;
    assert_eq!(s, 201, "{meta}");
    assert_eq!(
        env.sb.journal().pop().unwrap().unknown_fields,
        Vec::<String>::new()
    );
    let id = meta["id"].as_str().unwrap().to_owned();
    let (s, got) = env
        .get(&format!("/data/core/dps/offers/{id}?offer-type=fallback"))
        .await;
    assert_eq!(s, 200);
    assert_eq!(got["selectionConstraint"], sample["selectionConstraint"]);
    assert_eq!(got["rank"], sample["rank"]);
    assert_eq!(
        got["schemas"],
        json!(["https://ns.adobe.com/experience/offer-management/fallback-offer;version=0.8"])
    );
    // A wrongly typed rank is still refused, for fallback offers as for personalized ones.
    let mut bad = sample.clone();
    bad["rank"] = json!(1);
    let (s, b) = env
        .send(
            Method::POST,
            "/data/core/dps/offers?offer-type=fallback",
            Some(bad),
        )
        .await;
    assert_eq!(
        (s, b["type"].as_str()),
        (400, Some("https://ns.adobe.com/aep/errors/DPS-1002-400"))
    );
}

/// Every documented AEP error shape is answered: problem details with a type URI per kind of
/// problem, the gateway `{error_code, message}`, and the content-type refusal verbatim.
#[tokio::test]
async fn the_three_error_shapes_and_problem_types() {
    let env = Env::new().await;
    let type_of = |b: &serde_json::Value| b["type"].as_str().unwrap_or_default().to_owned();
    let (s, b) = env.get("/data/core/dps/offers?offer-type=bogus").await;
    assert_eq!(
        (s, type_of(&b)),
        (
            400,
            "https://ns.adobe.com/aep/errors/DPS-1001-400".to_owned()
        )
    );
    let (s, b) = env
        .get("/data/core/dps/offers?offer-type=personalized&limit=x")
        .await;
    assert_eq!(
        (s, type_of(&b)),
        (
            400,
            "https://ns.adobe.com/aep/errors/DPS-1001-400".to_owned()
        )
    );
    let (s, b) = env
        .send(Method::POST, P, Some(json!({"status": "draft"})))
        .await;
    assert_eq!(
        (s, type_of(&b)),
        (
            400,
            "https://ns.adobe.com/aep/errors/DPS-1002-400".to_owned()
        )
    );
    let (s, _) = env
        .send(Method::POST, P, Some(json!({"id": "dup", "name": "One"})))
        .await;
    assert_eq!(s, 201);
    let (s, b) = env
        .send(Method::POST, P, Some(json!({"id": "dup", "name": "One"})))
        .await;
    assert_eq!(
        (s, type_of(&b)),
        (
            409,
            "https://ns.adobe.com/aep/errors/DPS-1020-409".to_owned()
        )
    );
    let patch = "/data/core/dps/offers/dup?offer-type=personalized";
    let (s, b) = env
        .send(Method::PATCH, patch, Some(json!({"op": "replace"})))
        .await;
    assert_eq!(
        (s, type_of(&b)),
        (
            400,
            "https://ns.adobe.com/aep/errors/DPS-1003-400".to_owned()
        )
    );
    assert_eq!(
        (&b["title"], &b["status"]),
        (&json!("BadRequestError"), &json!(400))
    );
    assert!(b["detail"].is_string());
    // The content-type shape, for a POST and a PATCH without a JSON Content-Type.
    let content_type = json!({"type": "/placeholder/type/uri", "status": 400, "title": "BadRequestError",
        "detail": "A valid content-type must be specified"});
    for (method, path) in [(Method::POST, P), (Method::PATCH, patch)] {
        for header in [
            None,
            Some("text/plain"),
            Some("application/x-www-form-urlencoded"),
        ] {
            let mut req = env.req(method.clone(), path).body(r#"{"name": "Two"}"#);
            if let Some(h) = header {
                req = req.header("content-type", h);
            }
            let (s, b) = crate::read(req.send().await.unwrap()).await;
            assert_eq!((s, &b), (400, &content_type), "{method} {header:?}");
        }
    }
    // A JSON content type with parameters is fine.
    let req = env
        .req(Method::POST, P)
        .header("content-type", "application/json; charset=utf-8")
        .body(r#"{"name": "Three"}"#);
    assert_eq!(crate::read(req.send().await.unwrap()).await.0, 201);
    // The gateway shape (a missing API key).
    let (s, b) = crate::read(env.http.get(env.url(P)).send().await.unwrap()).await;
    assert_eq!(
        (s, b),
        (
            403,
            json!({"error_code": "403000", "message": "Api Key is required"})
        )
    );
}
