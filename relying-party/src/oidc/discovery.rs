//! `GET /.well-known/openid-configuration`: what an OIDC client library needs to know about the
//! provider (OpenID Connect Discovery 1.0), every endpoint under the issuer.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use super::ACR_CARD;
use crate::api::AppState;

/// The discovery document.
pub async fn configuration(State(s): State<Arc<AppState>>) -> Json<Value> {
    let p = &s.oidc;
    Json(json!({
        "issuer": p.issuer,
        "authorization_endpoint": p.endpoint("/authorize"),
        "token_endpoint": p.endpoint("/token"),
        "userinfo_endpoint": p.endpoint("/userinfo"),
        "jwks_uri": p.endpoint("/jwks"),
        "end_session_endpoint": p.endpoint("/end_session"),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["ES256"],
        "token_endpoint_auth_methods_supported": ["private_key_jwt", "client_secret_basic"],
        "token_endpoint_auth_signing_alg_values_supported": ["ES256", "RS256"],
        "code_challenge_methods_supported": ["S256"],
        "scopes_supported": ["openid", "name", "address", "birthdate", "gender"],
        "claims_supported": ["iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "amr", "acr",
                             "name", "address", "birthdate", "gender"],
        "acr_values_supported": [ACR_CARD],
        "authorization_response_iss_parameter_supported": true,
        "request_parameter_supported": false,
        "request_uri_parameter_supported": false,
        "claims_parameter_supported": false,
    }))
}
