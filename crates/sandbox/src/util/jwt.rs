//! JWT-shaped (RFC 7519) access tokens signed with a per-sandbox key (HS256, RFC 7518 §3.2).
//!
//! Real clients decode the payload of an Azure AD or Adobe IMS token (`exp` above all, to decide whether to
//! reuse it) without verifying the signature, which only the vendor can. The sandbox signs with a random
//! key of its own so the tokens are well-formed JWTs; it still validates a token by looking it up in its
//! store, so the key never needs to outlive the process.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::hmac;
use serde_json::{Value, json};

/// The `kid` the sandbox's tokens name, so nobody mistakes them for a vendor's.
const KEY_ID: &str = "offerkit-sandbox-hs256";

/// Signs JWTs with one HMAC-SHA256 key.
pub(crate) struct Signer {
    key: hmac::Key,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer").finish_non_exhaustive()
    }
}

impl Default for Signer {
    /// A signer with a fresh random 256-bit key.
    fn default() -> Self {
        let secret: Vec<u8> = (0..32).map(|_| fastrand::u8(..)).collect();
        Self::new(&secret)
    }
}

impl Signer {
    /// A signer with `secret` as its key.
    pub(crate) fn new(secret: &[u8]) -> Self {
        Self {
            key: hmac::Key::new(hmac::HMAC_SHA256, secret),
        }
    }

    /// `header.payload.signature` for `claims` (a JSON object), each part base64url without padding.
    pub(crate) fn sign(&self, claims: &Value) -> String {
        let header = json!({"typ": "JWT", "alg": "HS256", "kid": KEY_ID});
        let signing_input = format!("{}.{}", encode(&header), encode(claims));
        let signature = hmac::sign(&self.key, signing_input.as_bytes());
        format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature.as_ref())
        )
    }

    /// Whether `token` is a JWT this signer signed (tests only: the sandbox validates a bearer token by
    /// its store, which also holds tokens restored from a saved state, signed with an earlier key).
    #[cfg(test)]
    pub(crate) fn verify(&self, token: &str) -> bool {
        let Some((signing_input, signature)) = token.rsplit_once('.') else {
            return false;
        };
        URL_SAFE_NO_PAD
            .decode(signature)
            .is_ok_and(|sig| hmac::verify(&self.key, signing_input.as_bytes(), &sig).is_ok())
    }
}

fn encode(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

/// The claims of a JWT's payload, without checking anything (what a client does to read `exp`).
#[cfg(test)]
pub(crate) fn claims(token: &str) -> Option<Value> {
    let mut parts = token.split('.');
    let (_header, payload) = (parts.next()?, parts.next()?);
    let bytes = URL_SAFE_NO_PAD.decode(payload).ok()?;
    serde_json::from_slice(&bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_decodes_and_verifies() {
        let signer = Signer::new(b"k");
        let token = signer.sign(&json!({"aud": "https://graph.microsoft.com", "exp": 2}));
        assert_eq!(token.split('.').count(), 3);
        assert!(!token.contains('='), "no padding");
        assert_eq!(claims(&token).unwrap()["exp"], 2);
        let header: Value = serde_json::from_slice(
            &URL_SAFE_NO_PAD
                .decode(token.split('.').next().unwrap())
                .unwrap(),
        )
        .unwrap();
        assert_eq!(header["alg"], "HS256");
        assert!(signer.verify(&token));
        assert!(!Signer::new(b"other").verify(&token));
        let mut tampered = token.clone();
        tampered.insert(tampered.find('.').unwrap() + 1, 'x');
        assert!(!signer.verify(&tampered));
        assert!(!signer.verify("not-a-jwt"));
        assert!(claims("not-a-jwt").is_none());
    }
}
