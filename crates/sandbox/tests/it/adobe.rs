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
    assert!(
        b["type"]
            .as_str()
            .unwrap()
            .starts_with("http://ns.adobe.com/aep/errors/")
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
