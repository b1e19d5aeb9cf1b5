//! `GET /oidc/jwks`: the key ID tokens and access tokens are signed with (the session key, EC
//! P-256, ES256), as the discovery document's `jwks_uri`.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::api::AppState;

/// The JWKS.
pub async fn jwks(State(s): State<Arc<AppState>>) -> Response {
    (
        [(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=300"),
        )],
        axum::Json(s.key.jwks()),
    )
        .into_response()
}
