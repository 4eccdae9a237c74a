//! The OAuth client-credentials token call shared by Azure AD and Adobe IMS.

use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, header};
use serde::Deserialize;
use serde_json::Value;
use url::Url;

use super::AccessToken;
use crate::error::AuthError;
use crate::pipeline::Call;
use crate::{Error, Idempotency, Secret, Service, Transport};
use offerkit_models::auth::TokenResponse;

/// Lifetime assumed when the provider sends no `expires_in`.
const DEFAULT_LIFETIME: Duration = Duration::from_secs(300);

#[derive(Deserialize)]
struct TokenErrorBody {
    error: Option<Value>,
    error_description: Option<String>,
    message: Option<String>,
}

/// POSTs a form to a token endpoint and reads `{access_token, expires_in}` (`expires_in` may be a
/// number or a string).
pub(crate) async fn request_token(
    transport: &Transport,
    provider: &'static Service,
    url: Url,
    form: &[(&str, &str)],
) -> Result<AccessToken, Error> {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-www-form-urlencoded"),
    );
    let call = Call {
        service: provider,
        operation: "token",
        method: Method::POST,
        url,
        headers,
        body: Bytes::from(body),
        // A token request has no side effect: safe to repeat.
        idempotency: Idempotency::Idempotent,
        credential: None,
        total_timeout: None,
        retry: None,
        accepted: Vec::new(),
        request_id: None,
        correlation_id: None,
    };
    let provider = provider.name();
    let fail = |status, error, description, source| {
        Error::Auth(Box::new(AuthError::new(
            provider,
            status,
            error,
            description,
            source,
        )))
    };
    // A token request is the token endpoint's, not the vendor's: never paced.
    let response = match crate::pacing::unpaced(transport.execute(call)).await {
        Ok(r) => r,
        Err(e) => return Err(fail(None, None, None, Some(Box::new(e)))),
    };
    if !response.status.is_success() {
        let parsed: Option<TokenErrorBody> = serde_json::from_slice(&response.body).ok();
        let (error, description) = match parsed {
            Some(b) => (
                b.error
                    .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned)),
                b.error_description.or(b.message),
            ),
            None => (
                None,
                Some(String::from_utf8_lossy(&response.body).into_owned()),
            ),
        };
        return Err(fail(Some(response.status), error, description, None));
    }
    // `TokenResponse` derives `Debug` with the token in it: move the token into a `Secret` at once
    // and never format the parsed value.
    let parsed: TokenResponse = serde_json::from_slice(&response.body).map_err(|e| {
        let reason = format!(
            "the token response is not a valid token response ({})",
            e.classify_name()
        );
        fail(Some(response.status), None, Some(reason), None)
    })?;
    if parsed.access_token.is_empty() {
        return Err(fail(
            Some(response.status),
            None,
            Some("the token response has no access_token".into()),
            None,
        ));
    }
    let expires_in = parsed
        .expires_in_seconds()
        .map_or(DEFAULT_LIFETIME, Duration::from_secs);
    Ok(AccessToken::new(
        Secret::new(parsed.access_token.into_inner()),
        expires_in,
    ))
}

trait ClassifyName {
    fn classify_name(&self) -> &'static str;
}

impl ClassifyName for serde_json::Error {
    /// The error category only: serde messages can quote the input, which holds the token.
    fn classify_name(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "I/O error",
            serde_json::error::Category::Syntax => "invalid JSON",
            serde_json::error::Category::Data => "unexpected field types",
            serde_json::error::Category::Eof => "truncated JSON",
        }
    }
}
