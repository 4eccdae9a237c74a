//! Credentials that never change: a bearer token, a single header, or nothing.

use std::fmt;

use async_trait::async_trait;

use super::env::{Env, process_env};
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
    /// The header built once; `None` when the token is not a valid header value (the error is
    /// then reported by `auth_headers`, as before).
    prebuilt: Option<AuthHeaders>,
}

impl StaticToken {
    /// A bearer token.
    pub fn new(token: impl Into<Secret>) -> Self {
        let token = token.into();
        let prebuilt = bearer(&token).ok();
        Self { token, prebuilt }
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
        match &self.prebuilt {
            Some(headers) => Ok(headers.clone()),
            None => bearer(&self.token),
        }
    }

    fn ready_auth_headers(&self) -> Option<AuthHeaders> {
        self.prebuilt.clone()
    }
}

fn bearer(token: &Secret) -> Result<AuthHeaders, Error> {
    AuthHeaders::new().with_secret("authorization", &format!("Bearer {}", token.expose()))
}

/// A fixed secret header, for example Appcharge's `x-publisher-token`.
///
/// ```
/// use offerkit_transport::StaticHeader;
/// let cred = StaticHeader::appcharge("pub-token");
/// assert!(!format!("{cred:?}").contains("pub-token"));
/// ```
#[derive(Clone)]
pub struct StaticHeader {
    name: String,
    value: Secret,
    /// The header built once; `None` when name or value is invalid (the error is then reported
    /// by `auth_headers`, as before).
    prebuilt: Option<AuthHeaders>,
}

impl StaticHeader {
    /// The header Appcharge reads the publisher token from.
    pub const APPCHARGE_HEADER: &'static str = "x-publisher-token";
    /// The environment variable [`StaticHeader::appcharge_from_env`] reads.
    pub const APPCHARGE_ENV: &'static str = "OFFERKIT_APPCHARGE_PUBLISHER_TOKEN";

    /// Any header name with a secret value.
    pub fn new(name: impl Into<String>, value: impl Into<Secret>) -> Self {
        let (name, value) = (name.into(), value.into());
        let prebuilt = AuthHeaders::new().with_secret(&name, value.expose()).ok();
        Self {
            name,
            value,
            prebuilt,
        }
    }

    /// Appcharge: `x-publisher-token: <token>`.
    pub fn appcharge(token: impl Into<Secret>) -> Self {
        Self::new(Self::APPCHARGE_HEADER, token)
    }

    /// Appcharge, token from `OFFERKIT_APPCHARGE_PUBLISHER_TOKEN`.
    pub fn appcharge_from_env() -> Result<Self, Error> {
        Self::appcharge_from_lookup(&process_env)
    }

    /// Appcharge, token from a lookup function (for tests and custom config sources).
    pub fn appcharge_from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, Error> {
        Ok(Self::appcharge(
            Env::new(lookup).secret(Self::APPCHARGE_ENV)?,
        ))
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
        match &self.prebuilt {
            Some(headers) => Ok(headers.clone()),
            None => AuthHeaders::new().with_secret(&self.name, self.value.expose()),
        }
    }

    fn ready_auth_headers(&self) -> Option<AuthHeaders> {
        self.prebuilt.clone()
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

    fn ready_auth_headers(&self) -> Option<AuthHeaders> {
        Some(AuthHeaders::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The transport takes `ready_auth_headers` instead of awaiting `auth_headers`: they must agree.
    #[tokio::test]
    async fn ready_headers_are_the_awaited_headers() {
        let transport = Transport::new().expect("transport");
        let credentials: [&dyn Credential; 3] = [
            &StaticToken::new("token-1"),
            &StaticHeader::appcharge("publisher-1"),
            &NoCredential,
        ];
        for credential in credentials {
            let ready = credential
                .ready_auth_headers()
                .expect("static headers are ready");
            let awaited = credential.auth_headers(&transport).await.expect("headers");
            assert_eq!(ready.headers(), awaited.headers(), "{credential:?}");
            assert!(ready.headers().values().all(|v| v.is_sensitive()));
        }
    }

    /// A token that cannot be a header value is not "ready": the awaited path reports the error.
    #[tokio::test]
    async fn an_invalid_token_is_reported_by_the_awaited_path() {
        let transport = Transport::new().expect("transport");
        let credential = StaticToken::new("line\nbreak");
        assert!(credential.ready_auth_headers().is_none());
        let err = credential
            .auth_headers(&transport)
            .await
            .expect_err("invalid header value");
        assert!(err.to_string().contains("authorization"), "{err}");
    }
}
