//! What a responder's answer says about one certificate, once its signature, subject, freshness
//! and nonce are checked.

use der::asn1::{AnyRef, BitStringRef};
use der::{Decode, Encode, Sequence};
use spki::AlgorithmIdentifierRef;
use time::{Duration, OffsetDateTime};
use x509_cert::ext::pkix::CrlReason;
use x509_ocsp::{
    BasicOcspResponse, CertStatus, OcspGeneralizedTime, OcspResponse, OcspResponseStatus,
    ResponderId, SingleResponse,
};

use super::OcspError;
use super::request::{SHA1, SHA256, cert_id};
use crate::cert::CardCertificate;

/// The largest OCSP response read. A response about one certificate with its responder's
/// certificate is under 4 KiB; this leaves room for a chain and many single responses.
pub const MAX_RESPONSE_SIZE: usize = 64 * 1024;
/// How far a response's thisUpdate may lie after the time checked: the responder's clock and
/// ours disagree by a little.
pub const CLOCK_SKEW: Duration = Duration::minutes(5);
/// How long after its thisUpdate a response without nextUpdate is used. RFC 6960 lets a
/// responder leave nextUpdate out ("newer information is always available"); such an answer
/// is only as good as it is recent.
pub const MAX_AGE_WITHOUT_NEXT_UPDATE: Duration = Duration::hours(1);

/// `id-kp-OCSPSigning`: the extended key usage a CA gives the certificate of a responder it
/// delegates to.
pub const fn id_kp_ocsp_signing() -> const_oid::ObjectIdentifier {
    const_oid::db::rfc5280::ID_KP_OCSP_SIGNING
}

/// `sha256WithRSAEncryption` and its longer siblings: the response signatures Kazasu checks.
const SIGNATURES: &[(&str, &ring::signature::RsaParameters)] = &[
    (
        "1.2.840.113549.1.1.11",
        &ring::signature::RSA_PKCS1_2048_8192_SHA256,
    ),
    (
        "1.2.840.113549.1.1.12",
        &ring::signature::RSA_PKCS1_2048_8192_SHA384,
    ),
    (
        "1.2.840.113549.1.1.13",
        &ring::signature::RSA_PKCS1_2048_8192_SHA512,
    ),
];

/// A responder's refusal to answer (an OCSPResponse's responseStatus other than successful).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ResponseStatus {
    /// It could not read the request.
    #[error("malformed request")]
    MalformedRequest,
    /// It failed.
    #[error("internal error")]
    InternalError,
    /// It is busy: ask again later.
    #[error("try later")]
    TryLater,
    /// It wants signed requests.
    #[error("signed request required")]
    SigRequired,
    /// It does not answer for this CA (or this client).
    #[error("unauthorized")]
    Unauthorized,
}

/// What the responder said about the certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OcspStatus {
    /// Not revoked (as of the answer's thisUpdate).
    Good,
    /// Revoked.
    Revoked {
        /// When the CA revoked it.
        on: OffsetDateTime,
        /// Why, if the responder said.
        reason: Option<CrlReason>,
    },
    /// The responder does not know the certificate: never "not revoked".
    Unknown,
}

/// A checked answer about one certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OcspAnswer {
    /// What it says.
    pub status: OcspStatus,
    /// When the responder knew this to be true.
    pub this_update: OffsetDateTime,
    /// When newer information will be available, if it said.
    pub next_update: Option<OffsetDateTime>,
    /// When the response was signed.
    pub produced_at: OffsetDateTime,
    /// Who signed it: the responder's name (RFC 4514) or key hash.
    pub responder: String,
}

/// A BasicOCSPResponse as its bytes arrived, so the signature is checked over exactly the
/// bytes signed.
#[derive(Sequence)]
struct RawBasic<'a> {
    tbs_response_data: AnyRef<'a>,
    signature_algorithm: AlgorithmIdentifierRef<'a>,
    signature: BitStringRef<'a>,
    #[asn1(context_specific = "0", optional = "true", tag_mode = "EXPLICIT")]
    certs: Option<AnyRef<'a>>,
}

/// A successful response's body, decoded.
struct Parsed<'a> {
    basic: BasicOcspResponse,
    raw: RawBasic<'a>,
}

fn der_error(e: der::Error) -> OcspError {
    OcspError::Der(e.to_string())
}

/// Decodes `response_der` (after the size and structure limits) down to its BasicOCSPResponse.
fn parse(response_der: &[u8]) -> Result<(OcspResponse, Vec<u8>), OcspError> {
    crate::cms::limits::check_ocsp_response(response_der, MAX_RESPONSE_SIZE)?;
    let response = OcspResponse::from_der(response_der).map_err(der_error)?;
    let status = match response.response_status {
        OcspResponseStatus::Successful => None,
        OcspResponseStatus::MalformedRequest => Some(ResponseStatus::MalformedRequest),
        OcspResponseStatus::InternalError => Some(ResponseStatus::InternalError),
        OcspResponseStatus::TryLater => Some(ResponseStatus::TryLater),
        OcspResponseStatus::SigRequired => Some(ResponseStatus::SigRequired),
        OcspResponseStatus::Unauthorized => Some(ResponseStatus::Unauthorized),
    };
    if let Some(status) = status {
        return Err(OcspError::NotSuccessful(status));
    }
    let Some(bytes) = &response.response_bytes else {
        return Err(OcspError::Der("a successful response has no body".into()));
    };
    if bytes.response_type != const_oid::db::rfc6960::ID_PKIX_OCSP_BASIC {
        return Err(OcspError::NotBasic(bytes.response_type.to_string()));
    }
    let body = bytes.response.as_bytes().to_vec();
    Ok((response, body))
}

fn parse_basic(body: &[u8]) -> Result<Parsed<'_>, OcspError> {
    Ok(Parsed {
        basic: BasicOcspResponse::from_der(body).map_err(der_error)?,
        raw: RawBasic::from_der(body).map_err(der_error)?,
    })
}

/// Refuses `response_der` unless it is a successful, basic OCSP response within the limits;
/// says nothing about its signature or subject (that is [`check`]'s work).
pub fn validate(response_der: &[u8]) -> Result<(), OcspError> {
    let (_, body) = parse(response_der)?;
    parse_basic(&body).map(|_| ())
}

/// The single response about `cert` (issued by `issuer`), if there is one.
fn single_about<'a>(
    basic: &'a BasicOcspResponse,
    cert: &CardCertificate,
    issuer: &CardCertificate,
) -> Option<&'a SingleResponse> {
    let sha1 = cert_id(SHA1, cert, issuer);
    let sha256 = cert_id(SHA256, cert, issuer);
    basic
        .tbs_response_data
        .responses
        .iter()
        .find(|single| sha1.matches(&single.cert_id) || sha256.matches(&single.cert_id))
}

/// True when `response_der` is a successful response with a single response about `cert`
/// (issued by `issuer`). Nothing is checked: this only sorts responses before [`check`].
pub fn is_about(response_der: &[u8], cert: &CardCertificate, issuer: &CardCertificate) -> bool {
    let Ok((_, body)) = parse(response_der) else {
        return false;
    };
    parse_basic(&body).is_ok_and(|p| single_about(&p.basic, cert, issuer).is_some())
}

/// What `response_der`, a DER OCSPResponse, says about `cert`, issued by the trusted `issuer`,
/// at time `at`.
///
/// The response must be successful and basic; signed by `issuer`'s key, or by a responder
/// certificate that `issuer` signed, valid at `at` and carrying id-kp-OCSPSigning (and by no
/// other key); have a single response whose CertID is `cert`'s; carry `expected_nonce` when one
/// was sent; and be current at `at`: thisUpdate no later than `at` plus [`CLOCK_SKEW`], and
/// nextUpdate (or thisUpdate plus [`MAX_AGE_WITHOUT_NEXT_UPDATE`] without one) not passed. A
/// revocation stands even in an answer not current at `at` (as in a CRL): its date says when.
pub fn check(
    response_der: &[u8],
    cert: &CardCertificate,
    issuer: &CardCertificate,
    expected_nonce: Option<&[u8]>,
    at: OffsetDateTime,
) -> Result<OcspAnswer, OcspError> {
    let (_, body) = parse(response_der)?;
    let parsed = parse_basic(&body)?;
    let single = single_about(&parsed.basic, cert, issuer).ok_or(OcspError::OtherCertificate)?;
    check_signature(&parsed, issuer, at)?;
    let data = &parsed.basic.tbs_response_data;
    if let Some(expected) = expected_nonce
        && data.nonce().is_none_or(|n| n.0.as_bytes() != expected)
    {
        return Err(OcspError::NonceMismatch);
    }
    let this_update = to_offset(single.this_update)?;
    let next_update = single.next_update.map(to_offset).transpose()?;
    let status = match single.cert_status {
        CertStatus::Good(_) => OcspStatus::Good,
        CertStatus::Revoked(info) => OcspStatus::Revoked {
            on: to_offset(info.revocation_time)?,
            reason: info.revocation_reason,
        },
        CertStatus::Unknown(_) => OcspStatus::Unknown,
    };
    let answer = OcspAnswer {
        status,
        this_update,
        next_update,
        produced_at: to_offset(data.produced_at)?,
        responder: match &data.responder_id {
            ResponderId::ByName(name) => name.to_string(),
            ResponderId::ByKey(hash) => format!("key {}", hex::encode(hash.as_bytes())),
        },
    };
    // A revocation stands whenever it was said, as in a CRL: the caller compares its date with
    // the time that matters.
    if matches!(answer.status, OcspStatus::Revoked { .. }) {
        return Ok(answer);
    }
    if this_update > at + CLOCK_SKEW {
        return Err(OcspError::NotYetIssued { this_update });
    }
    let until = next_update.unwrap_or(this_update + MAX_AGE_WITHOUT_NEXT_UPDATE);
    if at > until {
        return Err(OcspError::Stale { next_update: until });
    }
    Ok(answer)
}

/// Checks that `issuer`'s key, or a responder `issuer` authorised, signed the response.
fn check_signature(
    parsed: &Parsed<'_>,
    issuer: &CardCertificate,
    at: OffsetDateTime,
) -> Result<(), OcspError> {
    let oid = parsed.raw.signature_algorithm.oid.to_string();
    let Some((_, algorithm)) = SIGNATURES.iter().find(|(o, _)| *o == oid) else {
        return Err(OcspError::UnsupportedSignature(oid));
    };
    let (Ok(signed), Some(signature)) = (
        parsed.raw.tbs_response_data.to_der(),
        parsed.raw.signature.as_bytes(),
    ) else {
        return Err(OcspError::NotSignedByIssuer);
    };
    let made_by = |key: &CardCertificate| {
        let bits = key
            .x509()
            .tbs_certificate
            .subject_public_key_info
            .subject_public_key
            .raw_bytes();
        ring::signature::UnparsedPublicKey::new(*algorithm, bits)
            .verify(&signed, signature)
            .is_ok()
    };
    if made_by(issuer) {
        return Ok(());
    }
    for responder in parsed.basic.certs.iter().flatten() {
        let Ok(der) = responder.to_der() else {
            continue;
        };
        let Ok(responder) = CardCertificate::from_der(&der) else {
            continue;
        };
        let authorised = responder.x509().tbs_certificate.issuer
            == issuer.x509().tbs_certificate.subject
            && responder.is_signed_by(issuer)
            && responder
                .extended_key_usage()
                .contains(&id_kp_ocsp_signing())
            && responder.not_before() <= at + CLOCK_SKEW
            && at <= responder.not_after();
        if authorised && made_by(&responder) {
            return Ok(());
        }
    }
    Err(OcspError::NotSignedByIssuer)
}

fn to_offset(t: OcspGeneralizedTime) -> Result<OffsetDateTime, OcspError> {
    i64::try_from(t.0.to_unix_duration().as_secs())
        .ok()
        .and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok())
        .ok_or_else(|| OcspError::Der("a time cannot be represented".into()))
}
