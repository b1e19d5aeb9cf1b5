//! Authorization requests and codes in the store (memory, or Redis shared by the instances).
//!
//! An authorization request is kept under its login challenge's nonce until the browser that
//! started it continues, which takes it (once). A code is kept under the SHA-256 of its value
//! (a store dump holds no usable code) for the configured code lifetime, and taken atomically
//! by the token request (`GETDEL` in Redis): of two redemptions, one wins, and any redemption,
//! good or bad, uses it up.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::store::{Store, StoreError};

/// The store kind of authorization requests.
const REQUEST_KIND: &str = "oidc-request";
/// The store kind of codes.
const CODE_KIND: &str = "oidc-code";
/// Random bytes in a code.
const CODE_BYTES: usize = 32;
/// The shortest and longest PKCE verifier and challenge (RFC 7636 §4.1).
pub const PKCE_LENGTH: std::ops::RangeInclusive<usize> = 43..=128;

/// Where an authorization request stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Progress {
    /// Waiting for the card.
    Pending,
    /// The card logged in.
    Done {
        /// The account it logged in to.
        account: String,
        /// When (Unix seconds).
        auth_time: i64,
        /// The personal claims released with the holder's consent (from the signing
        /// certificate), if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        claims: Option<serde_json::Map<String, serde_json::Value>>,
    },
    /// The card login was refused.
    Failed {
        /// Why (shown to the client as `error_description`).
        reason: String,
    },
}

/// An authorization request, from the authorization page to the code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthRequest {
    /// The client.
    pub client_id: String,
    /// Its redirect URI (registered, exactly).
    pub redirect_uri: String,
    /// The scope asked for.
    pub scope: String,
    /// The client's `state`.
    pub state: String,
    /// The client's `nonce`, echoed in the ID token.
    pub nonce: String,
    /// The PKCE S256 challenge.
    pub code_challenge: String,
    /// SHA-256 (base64url) of the secret in the cookie of the browser that opened the page.
    pub browser: String,
    /// The personal-data scopes asked for (`name`, `address`, `birthdate`, `gender`), in
    /// [`super::claims::PERSONAL_SCOPES`] order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub personal: Vec<String>,
    /// The holder's answer on the consent screen: `None` until asked and answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<bool>,
    /// Where it stands.
    pub progress: Progress,
}

/// What a code stands for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeGrant {
    /// The client it was issued to.
    pub client_id: String,
    /// The redirect URI it was sent to: the token request must name the same.
    pub redirect_uri: String,
    /// The scope.
    pub scope: String,
    /// The ID token's `nonce`.
    pub nonce: String,
    /// The PKCE S256 challenge the verifier must meet.
    pub code_challenge: String,
    /// The account.
    pub account: String,
    /// When the card logged in.
    pub auth_time: i64,
    /// When the code stops being accepted (Unix seconds).
    pub expires_at: i64,
    /// The personal claims released with consent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claims: Option<serde_json::Map<String, serde_json::Value>>,
}

fn corrupt() -> StoreError {
    StoreError::Unavailable("a stored authorization request is corrupt".into())
}

fn decode<T: serde::de::DeserializeOwned>(text: Option<String>) -> Result<Option<T>, StoreError> {
    text.map(|t| serde_json::from_str(&t).map_err(|_| corrupt()))
        .transpose()
}

/// Keeps a new authorization request under its challenge's nonce.
pub async fn put_request(
    store: &dyn Store,
    nonce: &str,
    request: &AuthRequest,
    ttl: Duration,
) -> Result<(), StoreError> {
    let json = serde_json::to_string(request).map_err(|_| corrupt())?;
    if store.put_new(REQUEST_KIND, nonce, &json, Some(ttl)).await? {
        Ok(())
    } else {
        Err(StoreError::Unavailable("nonce already in use".into()))
    }
}

/// The authorization request of a nonce.
pub async fn get_request(
    store: &dyn Store,
    nonce: &str,
) -> Result<Option<AuthRequest>, StoreError> {
    decode(store.get(REQUEST_KIND, nonce).await?)
}

/// Replaces the authorization request of a nonce (the consent answer).
pub async fn put_request_again(
    store: &dyn Store,
    nonce: &str,
    request: &AuthRequest,
    ttl: Duration,
) -> Result<(), StoreError> {
    let json = serde_json::to_string(request).map_err(|_| corrupt())?;
    store.put(REQUEST_KIND, nonce, &json, Some(ttl)).await
}

/// Takes the authorization request of a nonce (once).
pub async fn take_request(
    store: &dyn Store,
    nonce: &str,
) -> Result<Option<AuthRequest>, StoreError> {
    decode(store.take(REQUEST_KIND, nonce).await?)
}

/// Records the card's outcome on a pending authorization request, if the nonce has one.
pub async fn set_progress(
    store: &dyn Store,
    nonce: &str,
    progress: Progress,
    ttl: Duration,
) -> Result<(), StoreError> {
    let Some(mut request) = get_request(store, nonce).await? else {
        return Ok(());
    };
    if request.progress != Progress::Pending {
        return Ok(());
    }
    request.progress = progress;
    let json = serde_json::to_string(&request).map_err(|_| corrupt())?;
    store.put(REQUEST_KIND, nonce, &json, Some(ttl)).await
}

fn code_key(code: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(code.as_bytes()))
}

/// Issues a code for `grant`, kept for `ttl`; returns the code.
pub async fn issue_code(
    store: &dyn Store,
    grant: &CodeGrant,
    ttl: Duration,
) -> Result<String, StoreError> {
    let mut bytes = [0u8; CODE_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let code = URL_SAFE_NO_PAD.encode(bytes);
    let json = serde_json::to_string(grant).map_err(|_| corrupt())?;
    if store
        .put_new(CODE_KIND, &code_key(&code), &json, Some(ttl))
        .await?
    {
        Ok(code)
    } else {
        Err(StoreError::Unavailable("code collision".into()))
    }
}

/// Takes a code (once): `None` if unknown, used or dropped by the store.
pub async fn take_code(store: &dyn Store, code: &str) -> Result<Option<CodeGrant>, StoreError> {
    if code.is_empty() || code.len() > 128 {
        return Ok(None);
    }
    decode(store.take(CODE_KIND, &code_key(code)).await?)
}

/// True when `text` is a well-formed PKCE verifier or S256 challenge (43 to 128 unreserved
/// characters).
pub fn is_pkce_text(text: &str) -> bool {
    PKCE_LENGTH.contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

/// Whether `verifier` meets the S256 `challenge`: BASE64URL(SHA256(verifier)) == challenge.
pub fn pkce_matches(verifier: &str, challenge: &str) -> bool {
    is_pkce_text(verifier)
        && URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) == challenge
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryStore;

    #[test]
    fn pkce_s256_per_rfc_7636_appendix_b() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert!(pkce_matches(verifier, challenge));
        assert!(!pkce_matches(&verifier.replace('d', "e"), challenge));
        assert!(!pkce_matches("short", challenge));
        assert!(!pkce_matches(challenge, challenge));
    }

    #[tokio::test]
    async fn a_code_is_taken_once_and_expires() {
        let store = MemoryStore::new();
        let grant = CodeGrant {
            client_id: "c".into(),
            redirect_uri: "http://x/cb".into(),
            scope: "openid".into(),
            nonce: "n".into(),
            code_challenge: "x".repeat(43),
            account: "a".into(),
            auth_time: 1,
            expires_at: 2,
            claims: None,
        };
        let code = issue_code(&store, &grant, Duration::from_secs(60))
            .await
            .unwrap();
        assert_eq!(take_code(&store, &code).await.unwrap(), Some(grant.clone()));
        assert_eq!(take_code(&store, &code).await.unwrap(), None);
        let code = issue_code(&store, &grant, Duration::ZERO).await.unwrap();
        assert_eq!(take_code(&store, &code).await.unwrap(), None, "expired");
    }
}
