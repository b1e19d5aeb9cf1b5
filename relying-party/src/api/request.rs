//! Reading a request: the body within its size limit, strict JSON with the right content type,
//! the path's nonce, and the request bodies' shapes. Every refusal is a 4xx with a reason.

use axum::body::Bytes;
use axum::extract::Path;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::http::{HeaderMap, StatusCode, header};
use kazasu_core::login::Assertion;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::MAX_BODY;
use crate::error::ApiError;

pub(super) fn short(text: String) -> String {
    const MAX: usize = 200;
    if text.len() <= MAX {
        return text;
    }
    let mut end = MAX;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

pub(super) fn body(body: Result<Bytes, BytesRejection>) -> Result<Bytes, ApiError> {
    body.map_err(|rejection| {
        let status = rejection.status();
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                status,
                format!("the request body is larger than {} KiB", MAX_BODY / 1024),
            )
        } else {
            ApiError::new(status, "cannot read the request body")
        }
    })
}

/// Parses a JSON body strictly; `optional` accepts an empty body as `{}` without a content type.
pub(super) fn parse_json<T: DeserializeOwned>(
    headers: &HeaderMap,
    bytes: &[u8],
    optional: bool,
) -> Result<T, ApiError> {
    let empty = bytes.iter().all(u8::is_ascii_whitespace);
    let bytes: &[u8] = if optional && empty { b"{}" } else { bytes };
    let json_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().eq_ignore_ascii_case("application/json"));
    match json_type {
        Some(true) => {}
        None if optional => {}
        _ => {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "expected Content-Type: application/json",
            ));
        }
    }
    serde_json::from_slice(bytes).map_err(|e| {
        let status = match e.classify() {
            serde_json::error::Category::Data => StatusCode::UNPROCESSABLE_ENTITY,
            _ => StatusCode::BAD_REQUEST,
        };
        ApiError::new(status, short(format!("malformed request: {e}")))
    })
}

pub(super) fn path(p: Result<Path<String>, PathRejection>) -> Result<String, ApiError> {
    p.map(|Path(s)| s)
        .map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, "malformed path"))
}

/// A challenge request: `{}` or `{"origin": "<one of allowed_origins>"}`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ChallengeRequest {
    #[serde(default)]
    pub(super) origin: Option<String>,
}

/// A finish request: the challenge's nonce and the assertion.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FinishRequest {
    pub(super) nonce: String,
    pub(super) assertion: Assertion,
    /// A link proof made with the signing key (card logins; see `oidc::accounts`).
    #[serde(default)]
    pub(super) link: Option<Assertion>,
}
