//! End-to-end tests of the sandbox over HTTP.

// Test helpers may unwrap (clippy.toml allows it inside #[test] functions only).
#![allow(clippy::unwrap_used)]

mod adobe;
mod appcharge;
mod auth;
mod clock;
mod control;
mod ingestion;
mod orders;
mod quota;
mod robustness;
mod timestamps;

use offerkit_sandbox::{Audience, Sandbox, SandboxConfig};
use reqwest::{Client, Method, Response};
use serde_json::Value;

/// A sandbox plus a client and ready-made tokens.
pub(crate) struct Env {
    pub(crate) sb: Sandbox,
    pub(crate) http: Client,
    pub(crate) graph: String,
    pub(crate) pc: String,
    pub(crate) ims: String,
}

impl Env {
    pub(crate) async fn new() -> Self {
        Self::with(SandboxConfig::default()).await
    }

    pub(crate) async fn with(config: SandboxConfig) -> Self {
        let sb = Sandbox::start_with(config).await.expect("sandbox starts");
        let graph = sb.issue_token(Audience::Graph);
        let pc = sb.issue_token(Audience::PartnerCenter);
        let ims = sb.issue_token(Audience::Adobe);
        Self {
            sb,
            http: Client::new(),
            graph,
            pc,
            ims,
        }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{}", self.sb.base_url(), path)
    }

    /// A request with the right credentials for the vendor the path belongs to.
    pub(crate) fn req(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let rb = self.http.request(method, self.url(path));
        if path.starts_with("/rp/") {
            rb.bearer_auth(&self.graph)
        } else if path.starts_with("/v1/") {
            rb.bearer_auth(&self.pc)
        } else if path.starts_with("/data/") {
            rb.bearer_auth(&self.ims)
                .header("x-api-key", "my-client")
                .header("x-gw-ims-org-id", "ORG@AdobeOrg")
        } else if path.starts_with("/v2/") {
            rb.header("x-publisher-token", "pub-token")
        } else {
            rb
        }
    }

    pub(crate) async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut rb = self.req(method, path);
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        read(rb.send().await.expect("request sent")).await
    }

    pub(crate) async fn get(&self, path: &str) -> (u16, Value) {
        self.send(Method::GET, path, None).await
    }
}

/// Status and JSON body (`Null` for an empty body).
pub(crate) async fn read(resp: Response) -> (u16, Value) {
    let status = resp.status().as_u16();
    let text = resp.text().await.expect("body read");
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).expect("JSON body")
    };
    (status, body)
}
