//! Routing, knowing no vendor: each API the sandbox serves is an [`Api`], a table of
//! `(method, path template)` routes plus its credential check and error dialect. A path is matched
//! segment by segment (`{name}` captures one decoded segment; repeated and trailing slashes are
//! ignored), first template wins.

use axum::http::StatusCode;

use crate::app::App;
use crate::quota::BucketKey;
use crate::reply::{Ctx, Reply};
use crate::util::form::decode_segment;
use offerkit_models::Vendor;

/// A handler: the request (with its path parameters) and the shared state.
pub(crate) type Handler = fn(&Ctx, &App) -> Reply;

/// One operation.
#[derive(Debug)]
pub(crate) struct Route {
    /// `GET`, `POST`, ...
    pub(crate) method: &'static str,
    /// The path template, as in the OpenAPI document and the journal (`/v2/offer/{publisherOfferId}`).
    pub(crate) template: &'static str,
    pub(crate) handler: Handler,
}

impl Route {
    pub(crate) const fn new(
        method: &'static str,
        template: &'static str,
        handler: Handler,
    ) -> Self {
        Self {
            method,
            template,
            handler,
        }
    }
}

/// One API the sandbox serves.
#[derive(Debug)]
pub(crate) struct Api {
    /// The vendor whose API this is; `None` for the identity providers and the control API.
    pub(crate) vendor: Option<Vendor>,
    /// Its name where it is no vendor's (`azure-ad`, `ims`, `control`), for the journal.
    pub(crate) name: &'static str,
    /// Whether a path is this API's, also when no route matches (so a 404 speaks its dialect).
    pub(crate) owns: fn(&str) -> bool,
    /// Routes in matching order; the methods of one template in `Allow` order.
    pub(crate) routes: &'static [Route],
    /// Extra path patterns served as another template (`(pattern, template)`).
    pub(crate) aliases: &'static [(&'static str, &'static str)],
    /// The credential check run before every handler; `Some(reply)` is the refusal.
    pub(crate) authorize: Option<fn(&Ctx, &App) -> Option<Reply>>,
    /// The quota buckets a request counts against (run after the credential check, only when a
    /// quota is set); `None` for APIs that are never throttled (token endpoints, control).
    pub(crate) quota_buckets: Option<fn(&Ctx, &App) -> Vec<BucketKey>>,
    /// An error body for `(status, message, request url, echoed request body)`.
    pub(crate) error: fn(StatusCode, &str, &str, &str) -> Reply,
    /// The 429 body for `Retry-After: seconds` (the header is added by the caller).
    pub(crate) throttle: fn(u64, &str) -> Reply,
}

/// A path matched to a template of an API.
#[derive(Debug)]
pub(crate) struct Matched {
    pub(crate) template: &'static str,
    pub(crate) params: Vec<(&'static str, String)>,
}

/// Path parameters that scope a resource rather than name it (not reported as the resource id).
const SCOPE_PARAMS: &[&str] = &["tenant", "customerId"];

impl Matched {
    /// The resource id named by the path: its last parameter that is not a scope.
    pub(crate) fn resource_id(&self) -> Option<&str> {
        self.params
            .iter()
            .rev()
            .find(|(k, _)| !SCOPE_PARAMS.contains(k))
            .map(|(_, v)| v.as_str())
    }
}

impl Api {
    /// The template `path` matches, with its parameters.
    pub(crate) fn matches(&self, path: &str) -> Option<Matched> {
        let segs: Vec<String> = path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(decode_segment)
            .collect();
        let templates = self.routes.iter().map(|r| (r.template, r.template));
        templates
            .chain(self.aliases.iter().copied())
            .find_map(|(pattern, template)| {
                capture(pattern, &segs).map(|params| Matched { template, params })
            })
    }

    /// The route for `method` on `template`.
    pub(crate) fn route(&self, template: &str, method: &str) -> Option<&'static Route> {
        self.routes
            .iter()
            .find(|r| r.template == template && r.method.eq_ignore_ascii_case(method))
    }

    /// The 429 this API answers when throttling: its throttling body and `Retry-After: secs`.
    pub(crate) fn throttled(&self, secs: u64, url: &str) -> Reply {
        (self.throttle)(secs, url).header("retry-after", secs.to_string())
    }

    /// The methods `template` answers, in `Allow` order.
    pub(crate) fn methods(&self, template: &str) -> Vec<&'static str> {
        self.routes
            .iter()
            .filter(|r| r.template == template)
            .map(|r| r.method)
            .collect()
    }
}

fn capture(pattern: &'static str, segs: &[String]) -> Option<Vec<(&'static str, String)>> {
    let parts: Vec<&'static str> = pattern.split('/').filter(|s| !s.is_empty()).collect();
    if parts.len() != segs.len() {
        return None;
    }
    let mut params = Vec::new();
    for (part, seg) in parts.iter().zip(segs) {
        match part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
            Some(name) => params.push((name, seg.clone())),
            None if part == seg => {}
            None => return None,
        }
    }
    Some(params)
}

/// The default 429 body: the API's generic error with the usual message.
pub(crate) fn generic_throttle(
    error: fn(StatusCode, &str, &str, &str) -> Reply,
    retry_after: u64,
    url: &str,
) -> Reply {
    let msg = format!("Rate limit is exceeded. Try again in {retry_after} seconds.");
    error(StatusCode::TOO_MANY_REQUESTS, &msg, url, "")
}
