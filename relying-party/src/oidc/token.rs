//! `POST /oidc/token`: the authorization code grant. The client is authenticated first
//! (`private_key_jwt` or `client_secret_basic`), then the code is taken (once, atomically,
//! whatever follows) and checked: same client, same redirect URI, PKCE S256 verifier, not
//! expired. The answer carries an ID token (ES256: `iss sub aud exp iat auth_time nonce amr
//! acr`, `sub` pairwise) and an access token for the userinfo endpoint, with
//! `Cache-Control: no-store`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::clients::Credentials;
use super::codes;
use super::errors::{Code, OAuthError};
use super::{ACR_CARD, TOKEN_TTL};
use crate::api::{AUDIT, AppState, now};
use crate::session::new_jti;

/// The header `typ` of access tokens (RFC 9068).
pub const ACCESS_TOKEN_TYP: &str = "at+jwt";

/// What an ID token says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdToken {
    /// The issuer.
    pub iss: String,
    /// The pairwise subject.
    pub sub: String,
    /// The client.
    pub aud: String,
    /// Expiry (Unix seconds).
    pub exp: i64,
    /// Issued at.
    pub iat: i64,
    /// When the card logged in.
    pub auth_time: i64,
    /// The client's nonce.
    pub nonce: String,
    /// `["card"]`.
    pub amr: Vec<String>,
    /// [`ACR_CARD`].
    pub acr: String,
    /// The client (authorized party).
    pub azp: String,
    /// Left half of SHA-256 of the access token (OIDC Core §3.1.3.6).
    pub at_hash: String,
    /// The personal claims released with consent (`name`, `address`, `birthdate`, `gender`).
    #[serde(flatten)]
    pub personal: serde_json::Map<String, serde_json::Value>,
}

/// What an access token says (RFC 9068 shape).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessToken {
    /// The issuer.
    pub iss: String,
    /// The pairwise subject.
    pub sub: String,
    /// The userinfo endpoint.
    pub aud: String,
    /// The client.
    pub client_id: String,
    /// The scope granted.
    pub scope: String,
    /// Expiry.
    pub exp: i64,
    /// Issued at.
    pub iat: i64,
    /// When the card logged in.
    pub auth_time: i64,
    /// A unique id.
    pub jti: String,
    /// The personal claims released with consent, for the userinfo endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub personal: Option<serde_json::Map<String, serde_json::Value>>,
}

fn invalid_request(description: &str) -> OAuthError {
    OAuthError::new(Code::InvalidRequest, description)
}

fn invalid_grant(description: &str) -> OAuthError {
    OAuthError::new(Code::InvalidGrant, description)
}

/// The form's fields; a repeated one is an error (RFC 6749 §3.2).
fn form(headers: &HeaderMap, bytes: &[u8]) -> Result<HashMap<String, String>, OAuthError> {
    let form_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            v.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    if !form_type {
        return Err(invalid_request(
            "the body must be application/x-www-form-urlencoded",
        ));
    }
    let mut map = HashMap::new();
    for (k, v) in url::form_urlencoded::parse(bytes) {
        if map.insert(k.into_owned(), v.into_owned()).is_some() {
            return Err(invalid_request("a parameter is repeated"));
        }
    }
    Ok(map)
}

/// `POST /oidc/token`.
pub async fn token(
    State(s): State<Arc<AppState>>,
    headers: HeaderMap,
    bytes: Result<Bytes, BytesRejection>,
) -> Response {
    match exchange(&s, &headers, bytes).await {
        Ok(body) => (
            [
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
                (header::PRAGMA, HeaderValue::from_static("no-cache")),
            ],
            Json(body),
        )
            .into_response(),
        Err(e) => {
            tracing::info!(target: AUDIT, event = "oidc_token_refused", error = e.code.as_str(), reason = %e.description);
            e.into_response()
        }
    }
}

async fn exchange(
    s: &AppState,
    headers: &HeaderMap,
    bytes: Result<Bytes, BytesRejection>,
) -> Result<serde_json::Value, OAuthError> {
    let bytes = bytes.map_err(|_| invalid_request("cannot read the request body"))?;
    let params = form(headers, &bytes)?;
    let get = |k: &str| params.get(k).map(String::as_str);
    let provider = &s.oidc;
    let now = now();
    let credentials = Credentials {
        headers,
        client_id: get("client_id"),
        assertion_type: get("client_assertion_type"),
        assertion: get("client_assertion"),
    };
    let client = provider
        .authenticate(s.store.as_ref(), &credentials, now)
        .await?;
    match get("grant_type") {
        Some("authorization_code") => {}
        None => return Err(invalid_request("grant_type is required")),
        Some(_) => {
            return Err(OAuthError::new(
                Code::UnsupportedGrantType,
                "only authorization_code is supported",
            ));
        }
    }
    let code = get("code").ok_or_else(|| invalid_request("code is required"))?;
    let redirect_uri =
        get("redirect_uri").ok_or_else(|| invalid_request("redirect_uri is required"))?;
    // Taken before anything else is checked: a code is redeemed once, rightly or not.
    let grant = codes::take_code(s.store.as_ref(), code)
        .await?
        .ok_or_else(|| invalid_grant("the code is unknown, expired or already used"))?;
    if grant.client_id != client.config.client_id {
        return Err(invalid_grant("the code was issued to another client"));
    }
    if grant.redirect_uri != redirect_uri {
        return Err(invalid_grant(
            "redirect_uri differs from the authorization request's",
        ));
    }
    if now > grant.expires_at {
        return Err(invalid_grant("the code has expired"));
    }
    let verifier =
        get("code_verifier").ok_or_else(|| invalid_grant("code_verifier is required"))?;
    if !codes::pkce_matches(verifier, &grant.code_challenge) {
        return Err(invalid_grant(
            "code_verifier does not match the code_challenge",
        ));
    }
    let sub = provider
        .pairwise_key
        .subject(&client.config.sector(), &grant.account);
    let access = AccessToken {
        iss: provider.issuer.clone(),
        sub: sub.clone(),
        aud: provider.endpoint("/userinfo"),
        client_id: client.config.client_id.clone(),
        scope: grant.scope.clone(),
        exp: now + TOKEN_TTL,
        iat: now,
        auth_time: grant.auth_time,
        jti: new_jti(),
        personal: grant.claims.clone(),
    };
    let access_token = s
        .key
        .sign_claims(ACCESS_TOKEN_TYP, &access)
        .map_err(|_| OAuthError::new(Code::TemporarilyUnavailable, "cannot sign"))?;
    let digest = Sha256::digest(access_token.as_bytes());
    let id = IdToken {
        iss: provider.issuer.clone(),
        sub,
        aud: client.config.client_id.clone(),
        exp: now + TOKEN_TTL,
        iat: now,
        auth_time: grant.auth_time,
        nonce: grant.nonce,
        amr: vec!["card".to_owned()],
        acr: ACR_CARD.to_owned(),
        azp: client.config.client_id.clone(),
        at_hash: URL_SAFE_NO_PAD.encode(&digest[..16]),
        personal: grant.claims.unwrap_or_default(),
    };
    let id_token = s
        .key
        .sign_claims("JWT", &id)
        .map_err(|_| OAuthError::new(Code::TemporarilyUnavailable, "cannot sign"))?;
    tracing::info!(target: AUDIT, event = "oidc_token_issued", client_id = %client.config.client_id);
    Ok(json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": TOKEN_TTL,
        "id_token": id_token,
        "scope": grant.scope,
    }))
}
