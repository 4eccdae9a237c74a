//! [`TokenCache`]: cache a token, refresh it early, one refresh at a time.

use std::fmt;
use std::future::Future;
use std::time::Duration;

use tokio::sync::{Mutex, RwLock};
use tokio::time::Instant;

use crate::{Error, Secret};

/// A token from an identity provider.
#[derive(Clone)]
#[non_exhaustive]
pub struct AccessToken {
    /// The token.
    pub token: Secret,
    /// Its lifetime from now.
    pub expires_in: Duration,
}

impl AccessToken {
    /// A token valid for `expires_in` from now.
    pub fn new(token: impl Into<Secret>, expires_in: Duration) -> Self {
        Self {
            token: token.into(),
            expires_in,
        }
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("token", &self.token)
            .field("expires_in", &self.expires_in)
            .finish()
    }
}

struct Cached {
    token: Secret,
    expires_at: Instant,
    refresh_at: Instant,
    generation: u64,
}

/// Caches one token.
///
/// - A token is reused until `refresh_margin` before it expires (at most a tenth of its lifetime
///   for short-lived tokens), then refreshed.
/// - Single flight: when many callers find no fresh token, exactly one runs the fetch; the rest
///   wait for it and reuse its token.
/// - If a refresh fails while the old token is still valid, the old token is used.
/// - [`TokenCache::invalidate`] drops the token after a 401, only if it is still the cached one.
pub struct TokenCache {
    state: RwLock<Option<Cached>>,
    refresh: Mutex<u64>,
    refresh_margin: Duration,
}

impl TokenCache {
    /// The default refresh margin: 5 minutes.
    pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(300);

    /// An empty cache with the default refresh margin.
    pub fn new() -> Self {
        Self::with_refresh_margin(Self::DEFAULT_REFRESH_MARGIN)
    }

    /// An empty cache that refreshes `margin` before expiry.
    pub fn with_refresh_margin(margin: Duration) -> Self {
        Self {
            state: RwLock::new(None),
            refresh: Mutex::new(0),
            refresh_margin: margin,
        }
    }

    /// The cached token and its generation, fetching a new one with `fetch` when needed.
    pub async fn get<F, Fut>(&self, fetch: F) -> Result<(Secret, u64), Error>
    where
        F: FnOnce() -> Fut + Send,
        Fut: Future<Output = Result<AccessToken, Error>> + Send,
    {
        if let Some(hit) = self.fresh().await {
            return Ok(hit);
        }
        let mut generation = self.refresh.lock().await;
        if let Some(hit) = self.fresh().await {
            return Ok(hit);
        }
        match fetch().await {
            Ok(token) => {
                *generation += 1;
                let now = Instant::now();
                let margin = self.refresh_margin.min(token.expires_in / 10);
                let cached = Cached {
                    token: token.token,
                    expires_at: now + token.expires_in,
                    refresh_at: now + token.expires_in.saturating_sub(margin),
                    generation: *generation,
                };
                let hit = (cached.token.clone(), cached.generation);
                *self.state.write().await = Some(cached);
                Ok(hit)
            }
            Err(err) => {
                let state = self.state.read().await;
                match state.as_ref() {
                    Some(c) if Instant::now() < c.expires_at => {
                        tracing::debug!(
                            "token refresh failed; the cached token is still valid and is used"
                        );
                        Ok((c.token.clone(), c.generation))
                    }
                    _ => Err(err),
                }
            }
        }
    }

    /// Drops the cached token if it is still generation `generation`.
    pub async fn invalidate(&self, generation: u64) {
        let mut state = self.state.write().await;
        if state.as_ref().is_some_and(|c| c.generation == generation) {
            *state = None;
        }
    }

    async fn fresh(&self) -> Option<(Secret, u64)> {
        let state = self.state.read().await;
        state
            .as_ref()
            .filter(|c| Instant::now() < c.refresh_at)
            .map(|c| (c.token.clone(), c.generation))
    }
}

impl Default for TokenCache {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenCache")
            .field("refresh_margin", &self.refresh_margin)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[tokio::test(start_paused = true)]
    async fn refreshes_before_expiry_and_keeps_valid_token_on_failure() {
        let cache = TokenCache::new();
        let calls = AtomicU32::new(0);
        let fetch = |ok: bool| {
            let n = calls.fetch_add(1, Ordering::SeqCst);
            async move {
                if ok {
                    Ok(AccessToken::new(format!("t{n}"), Duration::from_secs(3600)))
                } else {
                    Err(Error::invalid_input("x", "down"))
                }
            }
        };
        let (t, g) = cache.get(|| fetch(true)).await.expect("token");
        assert_eq!((t.expose(), g), ("t0", 1));
        tokio::time::advance(Duration::from_secs(3600 - 301)).await;
        assert_eq!(
            cache.get(|| fetch(true)).await.expect("cached").0.expose(),
            "t0"
        );
        tokio::time::advance(Duration::from_secs(2)).await;
        // Inside the margin: refresh fails, the old token is still valid.
        assert_eq!(
            cache
                .get(|| fetch(false))
                .await
                .expect("fallback")
                .0
                .expose(),
            "t0"
        );
        assert_eq!(
            cache
                .get(|| fetch(true))
                .await
                .expect("refreshed")
                .0
                .expose(),
            "t2"
        );
        // Invalidation of an old generation is ignored; of the current one drops the token.
        cache.invalidate(1).await;
        assert_eq!(
            cache.get(|| fetch(true)).await.expect("same").0.expose(),
            "t2"
        );
        cache.invalidate(2).await;
        assert_eq!(
            cache.get(|| fetch(true)).await.expect("new").0.expose(),
            "t3"
        );
        tokio::time::advance(Duration::from_secs(7200)).await;
        assert!(
            cache.get(|| fetch(false)).await.is_err(),
            "expired and refresh failed"
        );
    }

    #[tokio::test]
    async fn single_flight() {
        let cache = Arc::new(TokenCache::new());
        let calls = Arc::new(AtomicU32::new(0));
        let mut tasks = Vec::new();
        for _ in 0..50 {
            let (cache, calls) = (cache.clone(), calls.clone());
            tasks.push(tokio::spawn(async move {
                cache
                    .get(|| async move {
                        calls.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        Ok(AccessToken::new("tok", Duration::from_secs(3600)))
                    })
                    .await
            }));
        }
        for t in tasks {
            assert_eq!(t.await.expect("join").expect("token").0.expose(), "tok");
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }
}
