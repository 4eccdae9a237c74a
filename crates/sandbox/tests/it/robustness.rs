use offerkit_sandbox::SandboxConfig;
use reqwest::Method;
use serde_json::json;

use crate::{Env, read};

const WRITE_PATHS: &[(&str, &str)] = &[
    (
        "POST",
        "/rp/product-ingestion/configure?$version=2022-07-01",
    ),
    ("POST", "/v1/customers/c/orders"),
    ("PATCH", "/v1/customers/c/orders/o1"),
    ("POST", "/data/core/dps/offers?offer-type=personalized"),
    ("PATCH", "/data/core/dps/offers/a1?offer-type=personalized"),
    ("POST", "/v2/offer"),
    ("PUT", "/v2/offer/x"),
];

async fn seeded() -> Env {
    let env = Env::new().await;
    env.sb.seed(&json!({
        "orders": [{"id": "o1", "referenceCustomerId": "c", "lineItems": [{"offerId": "A:B:C", "quantity": 1}]}],
        "adobe": {"personalized": [{"id": "a1", "name": "x"}]},
        "appcharge": {"offers": [{"publisherOfferId": "x", "name": "Pack", "type": "Bundle"}]}
    })).unwrap();
    env
}

#[tokio::test]
async fn malformed_json_gets_a_vendor_style_400() {
    let env = seeded().await;
    for (m, p) in WRITE_PATHS {
        for body in [
            "{not json",
            "",
            "[",
            "\"just a string\"",
            "null",
            "12",
            "{\"a\":",
            "\u{0}\u{1}",
        ] {
            let method = Method::from_bytes(m.as_bytes()).unwrap();
            let resp = env
                .req(method, p)
                .header("content-type", "application/json")
                .body(body.to_owned())
                .send()
                .await
                .unwrap();
            let status = resp.status().as_u16();
            let text = resp.text().await.unwrap();
            assert!(
                (400..500).contains(&status),
                "{m} {p} {body:?} -> {status} {text}"
            );
            let v: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert!(v.is_object(), "{text}");
        }
    }
}

#[tokio::test]
async fn wrong_types_never_5xx() {
    let env = seeded().await;
    let values = [
        json!(null),
        json!(1),
        json!("s"),
        json!(true),
        json!([]),
        json!({}),
        json!([{}]),
        json!({"lineItems": {}}),
        json!({"resources": "x", "$schema": 1}),
        json!({"status": 5, "lineItems": [null, 1, "x"]}),
        json!([{"op": 1, "path": []}]),
    ];
    for (m, p) in WRITE_PATHS {
        for v in &values {
            let method = Method::from_bytes(m.as_bytes()).unwrap();
            let (s, _) = env.send(method, p, Some(v.clone())).await;
            assert!(s < 500, "{m} {p} {v} -> {s}");
        }
    }
}

#[tokio::test]
async fn huge_bodies_are_capped() {
    let env = Env::with(SandboxConfig {
        max_body_bytes: 1024,
        ..SandboxConfig::default()
    })
    .await;
    let big = format!("{{\"name\":\"{}\"}}", "x".repeat(4096));
    let (s, b) = read(
        env.req(Method::POST, "/v2/offer")
            .body(big.clone())
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 413);
    assert!(
        b["errorMessage"].is_string(),
        "Appcharge V2-style body: {b}"
    );
    let (s, b) = read(
        env.req(Method::POST, "/v1/customers/c/orders")
            .body(big.clone())
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((s, b["source"].as_str()), (413, Some("PartnerFD")));
    // Chunked (no content-length) is capped too.
    let stream = futures::stream::iter(vec![
        Ok::<_, std::io::Error>(big.clone().into_bytes()),
        Ok(big.into_bytes()),
    ]);
    let (s, _) = read(
        env.req(Method::POST, "/v2/offer")
            .body(reqwest::Body::wrap_stream(stream))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 413);
    let (s, _) = env.get("/v2/offer?publisherOfferIds=a").await;
    assert_eq!(s, 200, "still serving");
}

#[tokio::test]
async fn unknown_paths_and_methods() {
    let env = Env::new().await;
    let (s, b) = read(env.http.get(env.url("/nothing/here")).send().await.unwrap()).await;
    assert_eq!(s, 404);
    assert_eq!(b["error"], "not_found");
    let (s, b) = env.get("/v1/customers/c/nothing").await;
    assert_eq!((s, b["code"].as_u64()), (404, Some(1000)));
    let (s, b) = env.get("/rp/product-ingestion/unknown").await;
    assert_eq!((s, b["error"]["code"].as_str()), (404, Some("notFound")));
    let resp = env
        .req(Method::DELETE, "/v1/customers/c/orders/o1")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 405);
    assert_eq!(resp.headers()["allow"], "GET, PATCH");
    let (s, _) = read(
        env.http
            .put(env.url("/_sandbox/state"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 405);
    let (s, _) = read(env.http.get(env.url("/%ff%fe/%00")).send().await.unwrap()).await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn parallel_requests_on_many_resources() {
    let env = std::sync::Arc::new(Env::new().await);
    let mut tasks = Vec::new();
    for i in 0..32 {
        let env = env.clone();
        tasks.push(tokio::spawn(async move {
            let id = format!("offer-{i}");
            let (s, _) = env
                .send(
                    Method::POST,
                    "/v2/offer",
                    Some(json!({"publisherOfferId": id, "name": "Pack", "type": "Bundle"})),
                )
                .await;
            assert_eq!(s, 201);
            let (s, _) = env
                .send(Method::DELETE, &format!("/v2/offer/{id}"), None)
                .await;
            assert_eq!(s, 200);
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(env.sb.counts()["total"], 64);
}

/// 600 requests with distinct 1 KiB paths and queries: the journal stores 512 bytes of each
/// (marked truncated), keeps within its byte cap, counts at most `max_counted_paths` distinct
/// paths (the rest under one overflow key) and its totals stay exact. Read from the sandbox's
/// own accounting.
#[tokio::test]
async fn distinct_long_paths_keep_the_journal_bounded() {
    let env = Env::with(SandboxConfig {
        journal_max_bytes: 128 * 1024,
        max_counted_paths: 200,
        ..SandboxConfig::default()
    })
    .await;
    let long = "a".repeat(1024);
    for i in 0..600 {
        let (s, _) = env.get(&format!("/v2/offer/{i}-{long}?q={long}")).await;
        assert_eq!(s, 404);
    }
    let (s, j) = env.get("/_sandbox/journal").await;
    assert_eq!(s, 200);
    let storage = &j["storage"];
    let bytes = storage["bytes"].as_u64().unwrap();
    assert!(bytes <= 128 * 1024, "{storage}");
    assert_eq!(storage["countedPaths"], 200, "{storage}");
    assert!(
        storage["counterBytes"].as_u64().unwrap() < 200 * 1024,
        "{storage}"
    );
    let entries = j["entries"].as_array().unwrap();
    assert_eq!(entries.len() as u64, storage["entries"].as_u64().unwrap());
    assert!(entries.len() > 50, "{storage}");
    for e in entries {
        assert_eq!(e["truncated"], true);
        assert_eq!(e["path"].as_str().unwrap().len(), 512);
        assert_eq!(e["query"].as_str().unwrap().len(), 512);
    }
    assert_eq!(entries.last().unwrap()["seq"], 600, "the newest are kept");
    let counts = &j["counts"];
    assert_eq!(counts["total"], 600);
    let sum: u64 = counts["byPath"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(sum, 600, "exact in total");
    assert_eq!(counts["byPath"]["(other paths)"], 400);
    assert_eq!(
        env.sb.journal_storage().counted_paths,
        200,
        "the handle reads the same accounting"
    );
    // A short path is stored whole and unmarked.
    env.get("/v2/offer/short").await;
    let last = env.sb.journal().pop().unwrap();
    assert_eq!(
        (last.path.as_str(), last.truncated),
        ("/v2/offer/short", false)
    );
}

/// Reads until the server closes the connection (EOF or reset); what it sent before. Panics if
/// it is still open after 10 s (the configured limits in these tests are 200 ms).
async fn until_closed(stream: &mut tokio::net::TcpStream) -> String {
    use tokio::io::AsyncReadExt;
    let mut got = Vec::new();
    let read = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    assert!(
        read.is_ok(),
        "the server kept the connection open: {:?}",
        String::from_utf8_lossy(&got)
    );
    String::from_utf8_lossy(&got).into_owned()
}

fn quick_timeouts() -> SandboxConfig {
    SandboxConfig {
        read_timeout: std::time::Duration::from_millis(200),
        ..SandboxConfig::default()
    }
}

/// Clients that stall mid-headers, or connect and send nothing, are disconnected; many of them
/// at once do not keep descriptors forever. A prompt request on the same server still works.
#[tokio::test]
async fn slow_or_silent_headers_are_disconnected() {
    use tokio::io::AsyncWriteExt;
    let env = Env::with(quick_timeouts()).await;
    let addr = env.sb.addr();
    let mut stalled = Vec::new();
    for i in 0..40 {
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        if i % 2 == 0 {
            stream
                .write_all(b"GET /_sandbox/health HTTP/1.1\r\nHost: sandbox\r\nX-Slow: ")
                .await
                .unwrap();
        }
        stalled.push(stream);
    }
    for stream in &mut stalled {
        let answer = until_closed(stream).await;
        assert!(!answer.contains("200 OK"), "{answer}");
    }
    let (s, _) = env.get("/_sandbox/health").await;
    assert_eq!(s, 200);
}

/// A body slower than the limit gets a 408 in the vendor's dialect and the connection closes;
/// nothing was acted on.
#[tokio::test]
async fn a_stalled_body_gets_408_and_is_disconnected() {
    use tokio::io::AsyncWriteExt;
    let env = Env::with(quick_timeouts()).await;
    let mut stream = tokio::net::TcpStream::connect(env.sb.addr()).await.unwrap();
    stream
        .write_all(
            b"PUT /v2/offer/x HTTP/1.1\r\nHost: sandbox\r\nx-publisher-token: t\r\n\
              content-type: application/json\r\ncontent-length: 100\r\n\r\n{\"name\":",
        )
        .await
        .unwrap();
    let answer = until_closed(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("read timeout of 200 ms"), "{answer}");
    assert_eq!(env.sb.count("PUT", "/v2/offer/x"), 1);
    assert_eq!(env.sb.acted_count("PUT", "/v2/offer/x"), 0);
}
