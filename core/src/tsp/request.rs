//! The question put to a TSA: `TimeStampReq` (RFC 3161 §2.4.1) with the imprint of what is to
//! be timestamped, a fresh nonce, and a request for the TSA's certificate.

use rand::RngCore;

use crate::cms::DigestAlgorithm;

/// Bytes of random nonce in each request: 64 bits, as OpenSSL's `ts -query` sends.
pub const NONCE_LEN: usize = 8;

/// One timestamp request: what to timestamp (a digest and its algorithm) and the nonce that
/// ties the TSA's answer to this request and no other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimestampRequest {
    algorithm: DigestAlgorithm,
    imprint: Vec<u8>,
    nonce: [u8; NONCE_LEN],
}

impl TimestampRequest {
    /// A request for a timestamp over `imprint`, the `algorithm` digest of what is to be
    /// timestamped (for CAdES-T, the signature value), with a random 64-bit nonce and certReq
    /// set so that the token carries the TSA's certificate. An imprint of the wrong length is
    /// refused by `request_token` before anything is sent.
    pub fn new(algorithm: DigestAlgorithm, imprint: &[u8]) -> TimestampRequest {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        TimestampRequest {
            algorithm,
            imprint: imprint.to_vec(),
            nonce,
        }
    }

    /// The digest algorithm of the imprint.
    pub fn algorithm(&self) -> DigestAlgorithm {
        self.algorithm
    }

    /// The digest being timestamped.
    pub fn imprint(&self) -> &[u8] {
        &self.imprint
    }

    /// The nonce as an unsigned big-endian number ([`NONCE_LEN`] bytes).
    pub fn nonce(&self) -> &[u8] {
        &self.nonce
    }

    /// The DER `TimeStampReq`: version 1, messageImprint (the algorithm without parameters,
    /// as RFC 5754 prefers), nonce, certReq TRUE; no policy, no extensions.
    pub fn to_der(&self) -> Vec<u8> {
        let algorithm = tlv(0x30, &tlv(0x06, self.algorithm.oid().as_bytes()));
        let imprint = tlv(0x30, &[algorithm, tlv(0x04, &self.imprint)].concat());
        let body = [
            tlv(0x02, &[1]),
            imprint,
            tlv(0x02, &unsigned_integer(&self.nonce)),
            tlv(0x01, &[0xFF]),
        ]
        .concat();
        tlv(0x30, &body)
    }
}

/// A DER TLV with a definite length (values here are far below 4 GiB).
pub(super) fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let len = content.len();
    let mut out = Vec::with_capacity(len + 6);
    out.push(tag);
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

/// The contents octets of the DER INTEGER whose unsigned big-endian value is `value`.
fn unsigned_integer(value: &[u8]) -> Vec<u8> {
    let digits = magnitude(value);
    match digits.first() {
        None => vec![0],
        Some(&b) if b >= 0x80 => [&[0u8][..], digits].concat(),
        Some(_) => digits.to_vec(),
    }
}

/// `value` without leading zero bytes: two encodings of one number compare equal.
pub(super) fn magnitude(value: &[u8]) -> &[u8] {
    let zeros = value.iter().take_while(|&&b| b == 0).count();
    &value[zeros..]
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::Decode;

    #[test]
    fn the_request_is_a_timestampreq_with_nonce_and_certreq() {
        let imprint = DigestAlgorithm::Sha384.digest(b"abc");
        let request = TimestampRequest::new(DigestAlgorithm::Sha384, &imprint);
        let parsed = x509_tsp::TimeStampReq::from_der(&request.to_der()).unwrap();
        assert_eq!(parsed.version, x509_tsp::TspVersion::V1);
        assert_eq!(
            parsed.message_imprint.hash_algorithm.oid,
            DigestAlgorithm::Sha384.oid()
        );
        assert!(parsed.message_imprint.hash_algorithm.parameters.is_none());
        assert_eq!(parsed.message_imprint.hashed_message.as_bytes(), imprint);
        assert!(parsed.cert_req);
        assert!(parsed.req_policy.is_none());
        let nonce = parsed.nonce.unwrap();
        assert_eq!(magnitude(nonce.as_bytes()), magnitude(request.nonce()));
        assert_eq!(request.nonce().len(), NONCE_LEN);
    }

    #[test]
    fn nonces_differ_and_encode_as_positive_minimal_integers() {
        let a = TimestampRequest::new(DigestAlgorithm::Sha256, &[0; 32]);
        let b = TimestampRequest::new(DigestAlgorithm::Sha256, &[0; 32]);
        assert_ne!(a.nonce(), b.nonce());
        assert_eq!(unsigned_integer(&[0x80, 1]), vec![0, 0x80, 1]);
        assert_eq!(unsigned_integer(&[0, 0, 0x7F]), vec![0x7F]);
        assert_eq!(unsigned_integer(&[0, 0]), vec![0]);
    }
}
