//! RFC 3161 timestamps: asking a time-stamping authority (TSA) to sign "these bytes existed at
//! this time", checking that its answer fits the question, and verifying a timestamp token
//! later against trusted TSA certificates. CAdES-T and PAdES B-T put such tokens beside a
//! signature; the core does no network I/O except [`request_token`] (feature `online`).

mod ess;
#[cfg(feature = "online")]
mod online;
mod raw;
mod repeated;
mod request;
mod response;
mod token;
mod verify;

#[cfg(feature = "online")]
pub use online::{CONNECT_TIMEOUT, HTTP_TIMEOUT, request_token};
pub use request::{NONCE_LEN, TimestampRequest};
pub use response::{MAX_RESPONSE_SIZE, check_response};
pub use token::{MAX_TOKEN_SIZE, TimestampToken};
pub use verify::{MAX_CHAIN_LENGTH, MAX_CLOCK_SKEW, TimestampVerdict};

use crate::cms::limits::LimitError;

/// Why a timestamp could not be obtained or read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TspError {
    /// Malformed DER in a response or token.
    #[error("the {what} is not valid DER: {source}")]
    Der {
        /// What was being read.
        what: &'static str,
        /// What the decoder said.
        source: der::Error,
    },
    /// Refused before decoding: too large, too many elements, nested too deep.
    #[error("the {what} was refused before reading it: {source}")]
    Limit {
        /// What was being read.
        what: &'static str,
        /// The limit broken.
        source: LimitError,
    },
    /// The TSA answered with a status other than granted: it issued no timestamp.
    #[error("the time-stamping authority refused: {status}{}{}",
        failure.as_ref().map(|f| format!(" ({f})")).unwrap_or_default(),
        text.as_ref().map(|t| format!(": {t}")).unwrap_or_default())]
    Refused {
        /// The PKIStatus in words (`rejection`, `waiting`…).
        status: String,
        /// The PKIFailureInfo bits in words (`badAlg, badRequest`), when given.
        failure: Option<String>,
        /// The TSA's own statusString, when given.
        text: Option<String>,
    },
    /// The TSA granted the request but sent no token.
    #[error("the time-stamping authority granted the request but sent no timestamp token")]
    NoToken,
    /// The token does not answer the request sent: another imprint, algorithm or nonce.
    #[error("the time-stamping authority's answer is for another request: {0}")]
    Mismatch(&'static str),
    /// The token is not a SignedData holding a TSTInfo.
    #[error("this is not an RFC 3161 timestamp token: {0}")]
    NotATimestamp(&'static str),
    /// SHA-1 or MD5, which prove nothing.
    #[error("the timestamp uses {0}, which is broken (SHA-256, SHA-384 and SHA-512 are accepted)")]
    WeakAlgorithm(&'static str),
    /// A digest algorithm Kazasu does not support.
    #[error(
        "the timestamp uses the unsupported digest algorithm {0} (SHA-256, SHA-384 and SHA-512 are)"
    )]
    UnsupportedAlgorithm(String),
    /// The imprint's length does not fit its algorithm.
    #[error("a {algorithm} imprint is {expected} bytes, not {len}", expected = algorithm.digest(&[]).len())]
    ImprintLength {
        /// The algorithm.
        algorithm: crate::cms::DigestAlgorithm,
        /// The length given.
        len: usize,
    },
    /// The TSA could not be reached (DNS, connection, TLS, timeout).
    #[error("the time-stamping authority at {url} could not be reached: {reason}")]
    Unreachable {
        /// The TSA's URL.
        url: String,
        /// What failed.
        reason: String,
    },
    /// The TSA's web server answered with an HTTP error or not with a timestamp reply.
    #[error("the time-stamping authority at {url} answered {reason}")]
    Http {
        /// The TSA's URL.
        url: String,
        /// The HTTP status or the wrong content.
        reason: String,
    },
}

impl TspError {
    fn der(what: &'static str) -> impl FnOnce(der::Error) -> TspError {
        move |source| TspError::Der { what, source }
    }

    fn limit(what: &'static str) -> impl FnOnce(LimitError) -> TspError {
        move |source| TspError::Limit { what, source }
    }
}
