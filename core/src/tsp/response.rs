//! The TSA's answer: `TimeStampResp` (RFC 3161 §2.4.2). Its status says whether a token was
//! granted; the token must answer the very request sent (imprint, algorithm, nonce).

use der::asn1::BitString;
use der::{Decode, Encode, Sequence};

use super::request::magnitude;
use super::{TimestampRequest, TimestampToken, TspError};

/// The largest TSA response read: a token with a certificate chain is a few KiB; the
/// statusString and anything else fits easily.
pub const MAX_RESPONSE_SIZE: usize = 256 * 1024;

/// `TimeStampResp ::= SEQUENCE { status PKIStatusInfo, timeStampToken TimeStampToken OPTIONAL }`.
/// Decoded here rather than with `x509_tsp::TimeStampResp`: cmpv2 0.2's PKIFailureInfo gives
/// badTime the bit of badRequest, and the token is kept as the TSA's own bytes.
#[derive(Debug, Sequence)]
struct Response {
    status: StatusInfo,
    #[asn1(optional = "true")]
    token: Option<der::Any>,
}

/// `PKIStatusInfo ::= SEQUENCE { status PKIStatus, statusString PKIFreeText OPTIONAL,
/// failInfo PKIFailureInfo OPTIONAL }` (RFC 4210 §5.2.3).
#[derive(Debug, Sequence)]
struct StatusInfo {
    status: u32,
    #[asn1(optional = "true")]
    text: Option<Vec<String>>,
    #[asn1(optional = "true")]
    fail_info: Option<BitString>,
}

/// PKIStatus names (RFC 3161 §2.4.2).
const STATUS: &[&str] = &[
    "granted",
    "grantedWithMods",
    "rejection",
    "waiting",
    "revocationWarning",
    "revocationNotification",
];

/// PKIFailureInfo bit names (RFC 3161 §2.4.2 and RFC 4210 §5.2.3), by bit number.
const FAILURE: &[&str] = &[
    "badAlg: the digest algorithm is not accepted",
    "badMessageCheck",
    "badRequest: the request is not permitted or supported",
    "badTime",
    "badCertId",
    "badDataFormat: the request is malformed",
    "wrongAuthority",
    "incorrectData",
    "missingTimeStamp",
    "badPOP",
    "certRevoked",
    "certConfirmed",
    "wrongIntegrity",
    "badRecipientNonce",
    "timeNotAvailable: the TSA's clock is not available",
    "unacceptedPolicy: the requested policy is not supported",
    "unacceptedExtension: the requested extension is not supported",
    "addInfoNotAvailable: the additional information requested is not available",
    "badSenderNonce",
    "badCertTemplate",
    "signerNotTrusted",
    "transactionIdInUse",
    "unsupportedVersion",
    "notAuthorized",
    "systemUnavail",
    "systemFailure: the TSA failed",
    "duplicateCertReq",
];

/// The status's failure bits in words.
fn failure_words(bits: &BitString) -> Option<String> {
    let words: Vec<String> = bits
        .bits()
        .enumerate()
        .filter(|(_, set)| *set)
        .map(|(i, _)| match FAILURE.get(i) {
            Some(name) => (*name).to_owned(),
            None => format!("failure bit {i}"),
        })
        .collect();
    (!words.is_empty()).then(|| words.join(", "))
}

/// Checks the TSA's DER response to `request` and returns its TimeStampToken (DER
/// ContentInfo, as the TSA encoded it).
///
/// The status must be granted or grantedWithMods (otherwise [`TspError::Refused`] says the
/// status and failure in words), and the token must answer this request: the same digest
/// algorithm and imprint, and the same nonce. The token's signature is not checked here:
/// that is [`TimestampToken::verify`], with the trusted TSAs.
pub fn check_response(
    response_der: &[u8],
    request: &TimestampRequest,
) -> Result<Vec<u8>, TspError> {
    if response_der.len() > MAX_RESPONSE_SIZE {
        return Err(TspError::Limit {
            what: "timestamp response",
            source: crate::cms::limits::LimitError::TooLarge {
                what: "timestamp response",
                size: response_der.len(),
                max: MAX_RESPONSE_SIZE,
            },
        });
    }
    let response = Response::from_der(response_der).map_err(TspError::der("timestamp response"))?;
    let status = response.status.status;
    if status > 1 {
        return Err(TspError::Refused {
            status: STATUS
                .get(status as usize)
                .map_or_else(|| format!("status {status}"), |s| (*s).to_owned()),
            failure: response.status.fail_info.as_ref().and_then(failure_words),
            text: response
                .status
                .text
                .filter(|t| !t.is_empty())
                .map(|t| t.join("; ")),
        });
    }
    let token = response.token.ok_or(TspError::NoToken)?;
    let token_der = token.to_der().map_err(TspError::der("timestamp token"))?;
    let parsed = TimestampToken::parse(&token_der)?;
    if parsed.digest_algorithm() != request.algorithm() {
        return Err(TspError::Mismatch(
            "it timestamps a digest of another algorithm",
        ));
    }
    if parsed.imprint() != request.imprint() {
        return Err(TspError::Mismatch("it timestamps other data"));
    }
    match parsed.nonce() {
        None => Err(TspError::Mismatch("it carries no nonce")),
        Some(n) if magnitude(n) != magnitude(request.nonce()) => {
            Err(TspError::Mismatch("its nonce is not the request's"))
        }
        Some(_) => Ok(token_der),
    }
}

#[cfg(test)]
mod tests {
    use super::super::request::tlv;
    use super::*;
    use crate::cms::DigestAlgorithm;

    fn request() -> TimestampRequest {
        TimestampRequest::new(DigestAlgorithm::Sha256, &[7; 32])
    }

    #[test]
    fn a_rejection_is_told_in_words() {
        // status rejection, statusString "no", failInfo badAlg + badDataFormat (bits 0 and 5).
        let status = tlv(
            0x30,
            &[
                tlv(0x02, &[2]),
                tlv(0x30, &tlv(0x0C, b"no")),
                tlv(0x03, &[0x02, 0b1000_0100]),
            ]
            .concat(),
        );
        let err = check_response(&tlv(0x30, &status), &request()).unwrap_err();
        let TspError::Refused {
            status,
            failure,
            text,
        } = &err
        else {
            panic!("{err}");
        };
        assert_eq!(status, "rejection");
        assert_eq!(text.as_deref(), Some("no"));
        let failure = failure.as_deref().unwrap();
        assert!(
            failure.starts_with("badAlg") && failure.contains("badDataFormat"),
            "{failure}"
        );
        assert!(err.to_string().contains("refused: rejection"), "{err}");
    }

    #[test]
    fn granted_without_a_token_or_with_garbage_is_an_error() {
        let granted = tlv(0x30, &tlv(0x02, &[0]));
        assert!(matches!(
            check_response(&tlv(0x30, &granted), &request()),
            Err(TspError::NoToken)
        ));
        let with_junk = tlv(0x30, &[granted, tlv(0x30, &tlv(0x05, &[]))].concat());
        assert!(check_response(&with_junk, &request()).is_err());
        assert!(check_response(&[0x30, 0x80], &request()).is_err());
        assert!(check_response(&[], &request()).is_err());
    }

    #[test]
    fn an_oversized_response_is_refused_unread() {
        let huge = vec![0u8; MAX_RESPONSE_SIZE + 1];
        assert!(matches!(
            check_response(&huge, &request()),
            Err(TspError::Limit { .. })
        ));
    }
}
