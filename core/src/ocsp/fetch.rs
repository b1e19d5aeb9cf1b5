//! Asking a responder over HTTP (RFC 6960 appendix A: POST `application/ocsp-request`).

use std::io::Read;
use std::time::Duration;

use super::{OcspError, OcspRequest};

/// How long connecting to a responder may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a whole exchange may take once connected: a responder that trickles bytes is
/// cut off here.
pub const READ_TIMEOUT: Duration = Duration::from_secs(10);
/// The most bytes read from a responder; a longer body is refused, not truncated.
pub const MAX_FETCHED_SIZE: usize = super::MAX_RESPONSE_SIZE;

/// Posts `request` to the responder at `url` and returns its DER response, unchecked: give it
/// to [`super::check`] with [`OcspRequest::nonce`].
///
/// A failure to connect, an HTTP error status, another content type or a body larger than
/// [`MAX_FETCHED_SIZE`] is [`OcspError::Unreachable`]: it never means "not revoked".
pub fn fetch(url: &str, request: &OcspRequest) -> Result<Vec<u8>, OcspError> {
    let unreachable = |reason: String| OcspError::Unreachable {
        url: url.to_owned(),
        reason,
    };
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(unreachable(
            "only http:// and https:// responders are asked".into(),
        ));
    }
    let body = request.to_der()?;
    let agent = ureq::AgentBuilder::new()
        .timeout_connect(CONNECT_TIMEOUT)
        .timeout(READ_TIMEOUT)
        .redirects(0)
        .build();
    let response = agent
        .post(url)
        .set("Content-Type", "application/ocsp-request")
        .set("Accept", "application/ocsp-response")
        .send_bytes(&body)
        .map_err(|e| match e {
            ureq::Error::Status(code, _) => unreachable(format!("HTTP status {code}")),
            ureq::Error::Transport(t) => unreachable(t.to_string()),
        })?;
    let content_type = response.content_type().to_owned();
    if content_type != "application/ocsp-response" {
        return Err(unreachable(format!(
            "it answered {content_type}, not application/ocsp-response"
        )));
    }
    let mut der = Vec::new();
    response
        .into_reader()
        .take(MAX_FETCHED_SIZE as u64 + 1)
        .read_to_end(&mut der)
        .map_err(|e| unreachable(e.to_string()))?;
    if der.len() > MAX_FETCHED_SIZE {
        return Err(unreachable(format!(
            "its answer is longer than the {MAX_FETCHED_SIZE} bytes Kazasu reads"
        )));
    }
    Ok(der)
}

/// Asks the responder at `url` about `cert` (issued by the trusted `issuer`) with a fresh
/// nonce, and returns its response (DER) with what it says, once [`super::check`] accepted it at
/// `at`: what a verifier adds to its [`crate::cms::TrustStore`] or a signer embeds.
pub fn ask(
    url: &str,
    cert: &crate::cert::CardCertificate,
    issuer: &crate::cert::CardCertificate,
    at: time::OffsetDateTime,
) -> Result<(Vec<u8>, super::OcspAnswer), OcspError> {
    let request = OcspRequest::new(cert, issuer);
    let response = fetch(url, &request)?;
    let answer = super::check(&response, cert, issuer, request.nonce(), at)?;
    Ok((response, answer))
}
