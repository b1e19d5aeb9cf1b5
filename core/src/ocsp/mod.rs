//! OCSP (RFC 6960): asking a CA's responder whether one certificate is revoked, and checking
//! its answer as strictly as a CRL is checked.
//!
//! [`OcspRequest`] builds the question (CertID with SHA-1, as RFC 5019 responders expect, and a
//! nonce); [`fetch`] (feature `online`) posts it; [`check`] decides what a response says about
//! one certificate at one time. [`crate::cms::TrustStore`] takes checked responses as revocation
//! evidence beside CRLs, so revocation is still decided in one place.

#[cfg(feature = "online")]
mod fetch;
mod request;
mod response;

#[cfg(feature = "online")]
pub use fetch::{CONNECT_TIMEOUT, MAX_FETCHED_SIZE, READ_TIMEOUT, ask, fetch};
pub use request::{NONCE_LENGTH, OcspRequest};
pub use response::{
    CLOCK_SKEW, MAX_AGE_WITHOUT_NEXT_UPDATE, MAX_RESPONSE_SIZE, OcspAnswer, OcspStatus,
    ResponseStatus, check, id_kp_ocsp_signing, is_about, validate,
};

use crate::cms::limits::LimitError;

/// Why an OCSP request could not be made, sent, or why its response says nothing usable.
///
/// None of these is ever "not revoked": a caller that meets one knows nothing more about
/// revocation than before.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OcspError {
    /// The request could not be encoded (a certificate field out of range).
    #[error("the OCSP request could not be encoded: {0}")]
    Encode(String),
    /// The responder could not be reached, or answered with an HTTP error.
    #[error("the OCSP responder at {url} could not be asked: {reason}")]
    Unreachable {
        /// The responder's URL.
        url: String,
        /// What failed (connection, timeout, HTTP status).
        reason: String,
    },
    /// Refused before decoding: too large, too many elements, or not DER.
    #[error("the OCSP response was refused before reading it: {0}")]
    Limit(#[from] LimitError),
    /// Not a DER OCSPResponse.
    #[error("the OCSP response is not valid DER: {0}")]
    Der(String),
    /// The responder said it could not answer (malformedRequest, internalError, tryLater…).
    #[error("the OCSP responder did not answer: {0}")]
    NotSuccessful(ResponseStatus),
    /// A successful response whose body is not a BasicOCSPResponse.
    #[error("the OCSP response is of type {0}, not a basic OCSP response")]
    NotBasic(String),
    /// No single response in it is about the certificate asked about.
    #[error("the OCSP response is about another certificate")]
    OtherCertificate,
    /// Signed with an algorithm Kazasu does not check.
    #[error("the OCSP response is signed with {0}, which Kazasu does not accept")]
    UnsupportedSignature(String),
    /// Neither the CA's key nor an authorised responder's key made the signature.
    #[error(
        "the OCSP response is not signed by the certificate's CA nor by a responder that CA authorised"
    )]
    NotSignedByIssuer,
    /// Issued (thisUpdate) after the time asked about, beyond the allowed clock skew.
    #[error("the OCSP response was issued {}, after the time checked", rfc3339(*this_update))]
    NotYetIssued {
        /// Its thisUpdate.
        this_update: time::OffsetDateTime,
    },
    /// Its nextUpdate has passed: the responder may know of a revocation since.
    #[error("the OCSP response is stale: its next update was due {}", rfc3339(*next_update))]
    Stale {
        /// Its nextUpdate (or thisUpdate plus [`MAX_AGE_WITHOUT_NEXT_UPDATE`] when it has none).
        next_update: time::OffsetDateTime,
    },
    /// A nonce was sent and the response carries none or another one: it may be replayed.
    #[error("the OCSP response does not carry the request's nonce (it may be a replayed answer)")]
    NonceMismatch,
}

pub(crate) fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.to_string())
}

#[cfg(test)]
mod tests;
