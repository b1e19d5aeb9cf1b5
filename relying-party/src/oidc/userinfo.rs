//! `GET`/`POST /oidc/userinfo`: with an access token from the token endpoint, the subject.
//! Without the personal-data scopes there is nothing else to say: the card released nothing.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::errors::{Code, OAuthError};
use super::token::{ACCESS_TOKEN_TYP, AccessToken};
use crate::api::{AppState, now};

fn invalid(description: &str) -> OAuthError {
    OAuthError::new(Code::InvalidToken, description)
}

/// The userinfo response.
pub async fn userinfo(State(s): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let result = (|| {
        let value = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| invalid("a Bearer access token is required"))?;
        let token = value
            .strip_prefix("Bearer ")
            .ok_or_else(|| invalid("a Bearer access token is required"))?;
        let claims: AccessToken = s
            .key
            .verify_claims(token.trim(), ACCESS_TOKEN_TYP)
            .map_err(|_| invalid("the access token is not valid"))?;
        if claims.iss != s.oidc.issuer || claims.aud != s.oidc.endpoint("/userinfo") {
            return Err(invalid("the access token is for another server"));
        }
        if now() >= claims.exp {
            return Err(invalid("the access token has expired"));
        }
        Ok(claims)
    })();
    match result {
        Ok(claims) => (
            [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))],
            Json({
                let mut body = claims.personal.unwrap_or_default();
                body.insert("sub".into(), json!(claims.sub));
                serde_json::Value::Object(body)
            }),
        )
            .into_response(),
        Err(e) => e.into_response(),
    }
}
