//! Errors as the HTTP API returns them: a status code and `{"error": "<short reason>"}`.
//! Every refusal maps to a 4xx (or 503 when the store or revocation data is unavailable);
//! nothing a client sends can produce a 500.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kazasu_core::login::LoginError;

use crate::session::TokenError;
use crate::store::StoreError;

/// An error response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The short reason.
    pub reason: String,
}

impl ApiError {
    /// An error with this status and reason.
    pub fn new(status: StatusCode, reason: impl Into<String>) -> ApiError {
        ApiError {
            status,
            reason: reason.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(serde_json::json!({ "error": self.reason })),
        )
            .into_response()
    }
}

/// The status for a refused login.
pub fn login_status(e: &LoginError) -> StatusCode {
    match e {
        LoginError::Malformed(_) => StatusCode::BAD_REQUEST,
        LoginError::UnknownChallenge => StatusCode::NOT_FOUND,
        LoginError::Expired => StatusCode::GONE,
        LoginError::KeyUsage | LoginError::SigningCertificate => StatusCode::FORBIDDEN,
        LoginError::RevocationUnknown | LoginError::Store(_) => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::UNAUTHORIZED,
    }
}

impl From<LoginError> for ApiError {
    fn from(e: LoginError) -> ApiError {
        ApiError::new(login_status(&e), e.to_string())
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, e.to_string())
    }
}

impl From<TokenError> for ApiError {
    fn from(e: TokenError) -> ApiError {
        let status = match e {
            TokenError::Signing => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::UNAUTHORIZED,
        };
        ApiError::new(status, e.to_string())
    }
}
