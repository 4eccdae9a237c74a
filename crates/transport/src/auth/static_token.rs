//! Credentials that never change: a bearer token, a single header, or nothing.

use std::fmt;

use async_trait::async_trait;

use super::{AuthHeaders, Credential};
use crate::{Error, Secret, Transport};

/// A fixed bearer token: `Authorization: Bearer <token>`.
///
/// ```
/// use offerkit_transport::StaticToken;
/// let cred = StaticToken::new("eyJ0eXAi...");
/// assert!(!format!("{cred:?}").contains("eyJ0"));
/// ```
#[derive(Clone)]
pub struct StaticToken {
    token: Secret,
    /// Built once (`None` if the token cannot be a header value: `auth_headers` reports why).
    headers: Option<AuthHeaders>,
}

impl StaticToken {
    /// A bearer token.
    pub fn new(token: impl Into<Secret>) -> Self {
        let token = token.into();
        let headers = bearer(&token).ok();
        Self { token, headers }
    }
}

impl fmt::Debug for StaticToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StaticToken")
            .field("token", &self.token)
            .finish()
    }
}

#[async_trait]
impl Credential for StaticToken {
    async fn auth_headers(&self, _transport: &Transport) -> Result<AuthHeaders, Error> {
        match &self.headers {
            Some(headers) => Ok(headers.clone()),
            None => bearer(&self.token),
        }
    }
}

/// `Authorization: Bearer <token>`, marked sensitive.
pub(super) fn bearer(token: &Secret) -> Result<AuthHeaders, Error> {
    AuthHeaders::new().with_secret("authorization", &format!("Bearer {}", token.expose()))
}

/// A fixed secret header, for example Appcharge's `x-publisher-token`.
///
/// ```
/// use offerkit_transport::StaticHeader;
/// let cred = StaticHeader::new("x-publisher-token", "pub-token");
/// assert!(!format!("{cred:?}").contains("pub-token"));
/// ```
#[derive(Clone)]
pub struct StaticHeader {
    name: String,
    value: Secret,
    /// Built once (`None` if name or value cannot be a header: `auth_headers` reports why).
    headers: Option<AuthHeaders>,
}

impl StaticHeader {
    /// Any header name with a secret value.
    pub fn new(name: impl Into<String>, value: impl Into<Secret>) -> Self {
        let (name, value): (String, Secret) = (name.into(), value.into());
        let headers = AuthHeaders::new().with_secret(&name, value.expose()).ok();
        Self {
            name,
            value,
            headers,
        }
    }
}

impl fmt::Debug for StaticHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StaticHeader")
            .field("name", &self.name)
            .field("value", &self.value)
            .finish()
    }
}

#[async_trait]
impl Credential for StaticHeader {
    async fn auth_headers(&self, _transport: &Transport) -> Result<AuthHeaders, Error> {
        match &self.headers {
            Some(headers) => Ok(headers.clone()),
            None => AuthHeaders::new().with_secret(&self.name, self.value.expose()),
        }
    }
}

/// No authentication (token endpoints, public resources, tests).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoCredential;

#[async_trait]
impl Credential for NoCredential {
    async fn auth_headers(&self, _transport: &Transport) -> Result<AuthHeaders, Error> {
        Ok(AuthHeaders::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A token that cannot be a header value is reported when the headers are asked for.
    #[tokio::test]
    async fn an_invalid_token_is_reported_by_auth_headers() {
        let transport = Transport::new().expect("transport");
        let credential = StaticToken::new("line\nbreak");
        let err = credential
            .auth_headers(&transport)
            .await
            .expect_err("invalid header value");
        assert!(err.to_string().contains("authorization"), "{err}");
    }
}
