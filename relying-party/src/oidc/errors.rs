//! OAuth 2.0 / OpenID Connect error responses: JSON `{"error", "error_description"}` from the
//! token and userinfo endpoints (4xx for anything a client sent, never 5xx; `no-store`), and
//! for the authorization endpoint either an error page (when the client or its redirect URI
//! cannot be trusted: never a redirect to an unregistered URI) or a redirect to the registered
//! URI with `error`, `error_description`, `state` and `iss`.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;

use crate::store::StoreError;

/// The OAuth error codes this provider answers with (RFC 6749 §4.1.2.1 and §5.2, OIDC Core
/// §3.1.2.6, RFC 6750 §3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    /// A parameter is missing, repeated, malformed or not allowed.
    InvalidRequest,
    /// The client could not be authenticated.
    InvalidClient,
    /// The code is unknown, used, expired, or for another client, redirect URI or verifier.
    InvalidGrant,
    /// The client may not use this grant or authentication method.
    UnauthorizedClient,
    /// Only `authorization_code` is supported.
    UnsupportedGrantType,
    /// Only `code` is supported.
    UnsupportedResponseType,
    /// The scope lacks `openid`.
    InvalidScope,
    /// The person refused, or the card login was refused.
    AccessDenied,
    /// `prompt=none`: a card login always needs the person.
    LoginRequired,
    /// Request objects are not supported.
    RequestNotSupported,
    /// The bearer token is missing, expired or not ours.
    InvalidToken,
    /// The store or the revocation data is unavailable (503).
    TemporarilyUnavailable,
}

impl Code {
    /// The code as the specifications spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::InvalidRequest => "invalid_request",
            Code::InvalidClient => "invalid_client",
            Code::InvalidGrant => "invalid_grant",
            Code::UnauthorizedClient => "unauthorized_client",
            Code::UnsupportedGrantType => "unsupported_grant_type",
            Code::UnsupportedResponseType => "unsupported_response_type",
            Code::InvalidScope => "invalid_scope",
            Code::AccessDenied => "access_denied",
            Code::LoginRequired => "login_required",
            Code::RequestNotSupported => "request_not_supported",
            Code::InvalidToken => "invalid_token",
            Code::TemporarilyUnavailable => "temporarily_unavailable",
        }
    }
}

/// An error from the token or userinfo endpoint.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {description}", code.as_str())]
pub struct OAuthError {
    /// The error code.
    pub code: Code,
    /// A short description for the client's developer (never a secret).
    pub description: String,
}

impl OAuthError {
    /// An error with this code and description.
    pub fn new(code: Code, description: impl Into<String>) -> OAuthError {
        OAuthError {
            code,
            description: description.into(),
        }
    }

    /// The HTTP status: 401 for client and token authentication, 503 when unavailable, else 400.
    pub fn status(&self) -> StatusCode {
        match self.code {
            Code::InvalidClient | Code::InvalidToken => StatusCode::UNAUTHORIZED,
            Code::TemporarilyUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::BAD_REQUEST,
        }
    }
}

impl From<StoreError> for OAuthError {
    fn from(e: StoreError) -> OAuthError {
        OAuthError::new(Code::TemporarilyUnavailable, e.to_string())
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let status = self.status();
        let mut response = (
            status,
            [
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
                (header::PRAGMA, HeaderValue::from_static("no-cache")),
            ],
            Json(json!({
                "error": self.code.as_str(),
                "error_description": self.description,
            })),
        )
            .into_response();
        let challenge = match self.code {
            Code::InvalidClient => Some("Basic realm=\"kazasu-rp\""),
            Code::InvalidToken => Some("Bearer error=\"invalid_token\""),
            _ => None,
        };
        if let Some(value) = challenge {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(value));
        }
        response
    }
}

/// An error at the authorization endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorizeError {
    /// The client or redirect URI cannot be trusted, or the browser is not the one that
    /// started: an error page for the person, no redirect.
    Page {
        /// The HTTP status.
        status: StatusCode,
        /// What went wrong, for the person.
        message: String,
    },
    /// Sent back to the client at its registered redirect URI.
    Redirect {
        /// The registered redirect URI.
        redirect_uri: String,
        /// The error.
        error: OAuthError,
        /// The client's `state`, when it sent one.
        state: Option<String>,
        /// The issuer (RFC 9207).
        issuer: String,
    },
}

impl AuthorizeError {
    /// An error page.
    pub fn page(status: StatusCode, message: impl Into<String>) -> AuthorizeError {
        AuthorizeError::Page {
            status,
            message: message.into(),
        }
    }
}

impl From<StoreError> for AuthorizeError {
    fn from(e: StoreError) -> AuthorizeError {
        AuthorizeError::page(StatusCode::SERVICE_UNAVAILABLE, e.to_string())
    }
}

/// `uri` with the query parameters added (keeping any it has).
pub fn with_query(uri: &str, params: &[(&str, &str)]) -> String {
    match url::Url::parse(uri) {
        Ok(mut url) => {
            url.query_pairs_mut().extend_pairs(params);
            url.to_string()
        }
        // Registered URIs are checked to parse when the configuration is loaded.
        Err(_) => uri.to_owned(),
    }
}

impl IntoResponse for AuthorizeError {
    fn into_response(self) -> Response {
        match self {
            AuthorizeError::Page { status, message } => {
                super::page::message(status, "Cannot log in", &message)
            }
            AuthorizeError::Redirect {
                redirect_uri,
                error,
                state,
                issuer,
            } => {
                let mut params = vec![
                    ("error", error.code.as_str()),
                    ("error_description", error.description.as_str()),
                ];
                if let Some(state) = &state {
                    params.push(("state", state.as_str()));
                }
                params.push(("iss", issuer.as_str()));
                Redirect::to(&with_query(&redirect_uri, &params)).into_response()
            }
        }
    }
}
