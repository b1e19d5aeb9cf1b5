//! Asking a TSA over HTTP (RFC 3161 §3.4): POST the request, read a bounded answer, check it.

use std::io::Read;
use std::time::Duration;

use super::{TimestampRequest, TspError, check_response};

use super::MAX_RESPONSE_SIZE;

/// How long connecting to the TSA may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long the whole exchange with the TSA may take (public TSAs answer within a second).
pub const HTTP_TIMEOUT: Duration = Duration::from_secs(30);

/// The URL for messages: without any user:password it may carry (a secret, never logged).
fn shown(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let host_end = rest.find('/').unwrap_or(rest.len());
            match rest[..host_end].rfind('@') {
                Some(at) => format!("{scheme}://…@{}", &rest[at + 1..]),
                None => url.to_owned(),
            }
        }
        None => url.to_owned(),
    }
}

/// Asks the TSA at `url` for a timestamp: POSTs `request` as `application/timestamp-query`,
/// reads at most [`MAX_RESPONSE_SIZE`] bytes within [`HTTP_TIMEOUT`], and returns the token
/// after [`check_response`].
pub fn request_token(url: &str, request: &TimestampRequest) -> Result<Vec<u8>, TspError> {
    let algorithm = request.algorithm();
    let len = request.imprint().len();
    if len != algorithm.digest(&[]).len() {
        return Err(TspError::ImprintLength { algorithm, len });
    }
    let agent = ureq::AgentBuilder::new()
        .timeout_connect(CONNECT_TIMEOUT)
        .timeout(HTTP_TIMEOUT)
        .build();
    let response = match agent
        .post(url)
        .set("Content-Type", "application/timestamp-query")
        .send_bytes(&request.to_der())
    {
        Ok(r) => r,
        Err(ureq::Error::Status(status, _)) => {
            return Err(TspError::Http {
                url: shown(url),
                reason: format!("HTTP {status}"),
            });
        }
        Err(ureq::Error::Transport(t)) => {
            return Err(TspError::Unreachable {
                url: shown(url),
                reason: t.kind().to_string(),
            });
        }
    };
    let content_type = response.content_type().to_owned();
    if content_type != "application/timestamp-reply"
        && content_type != "application/timestamp-response"
    {
        return Err(TspError::Http {
            url: shown(url),
            reason: format!("with {content_type}, not a timestamp reply"),
        });
    }
    let mut body = Vec::new();
    response
        .into_reader()
        .take(MAX_RESPONSE_SIZE as u64 + 1)
        .read_to_end(&mut body)
        .map_err(|e| TspError::Unreachable {
            url: shown(url),
            reason: e.to_string(),
        })?;
    check_response(&body, request)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_in_the_url_are_not_shown() {
        assert_eq!(
            shown("https://u:secret@tsa.example/ts"),
            "https://…@tsa.example/ts"
        );
        assert_eq!(shown("http://tsa.example/a@b"), "http://tsa.example/a@b");
    }
}
