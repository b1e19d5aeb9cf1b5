//! The question asked of a responder: one certificate's CertID, and a nonce.

use der::Encode;
use der::asn1::{Null, OctetString};
use spki::AlgorithmIdentifierOwned;
use x509_cert::ext::Extension;
use x509_ocsp::ext::Nonce;
use x509_ocsp::{CertId, Request, TbsRequest};

use super::OcspError;
use crate::cert::CardCertificate;

/// Bytes of the random nonce a request carries (RFC 8954 recommends 32 at most; 16 is what
/// OpenSSL sends).
pub const NONCE_LENGTH: usize = 16;

/// `id-sha1`: the CertID hash RFC 5019 responders (and J-LIS's) expect.
pub(crate) const SHA1: const_oid::ObjectIdentifier =
    const_oid::ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
/// `id-sha256`, accepted in a response's CertID too.
pub(crate) const SHA256: const_oid::ObjectIdentifier =
    const_oid::ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");

/// An OCSP request about one certificate.
#[derive(Debug, Clone)]
pub struct OcspRequest {
    cert_id: CertHashes,
    nonce: Option<Vec<u8>>,
}

/// What a CertID says, as plain bytes: the hash of the issuer's name and key, and the serial.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CertHashes {
    pub algorithm: const_oid::ObjectIdentifier,
    pub name_hash: Vec<u8>,
    pub key_hash: Vec<u8>,
    pub serial: Vec<u8>,
}

impl CertHashes {
    /// True when `id` names the same certificate.
    pub fn matches(&self, id: &CertId) -> bool {
        id.hash_algorithm.oid == self.algorithm
            && id.issuer_name_hash.as_bytes() == self.name_hash
            && id.issuer_key_hash.as_bytes() == self.key_hash
            && id.serial_number.as_bytes() == self.serial
    }

    fn to_cert_id(&self) -> Result<CertId, der::Error> {
        Ok(CertId {
            hash_algorithm: AlgorithmIdentifierOwned {
                oid: self.algorithm,
                parameters: Some(Null.into()),
            },
            issuer_name_hash: OctetString::new(self.name_hash.clone())?,
            issuer_key_hash: OctetString::new(self.key_hash.clone())?,
            serial_number: x509_cert::serial_number::SerialNumber::new(&self.serial)?,
        })
    }
}

impl OcspRequest {
    /// A request about `cert`, issued by `issuer`, with a fresh random nonce: the response must
    /// echo it, so an old answer cannot be replayed.
    pub fn new(cert: &CardCertificate, issuer: &CardCertificate) -> OcspRequest {
        let nonce: [u8; NONCE_LENGTH] = rand::random();
        OcspRequest {
            cert_id: cert_id(SHA1, cert, issuer),
            nonce: Some(nonce.to_vec()),
        }
    }

    /// The same request without a nonce, for responders that serve pre-computed answers
    /// (RFC 5019): freshness then rests on thisUpdate and nextUpdate alone.
    pub fn without_nonce(mut self) -> OcspRequest {
        self.nonce = None;
        self
    }

    /// The nonce sent, to give to [`super::check`].
    pub fn nonce(&self) -> Option<&[u8]> {
        self.nonce.as_deref()
    }

    /// The DER `OCSPRequest`, unsigned (as responders expect).
    pub fn to_der(&self) -> Result<Vec<u8>, OcspError> {
        let encode = |e: der::Error| OcspError::Encode(e.to_string());
        let request_extensions = match &self.nonce {
            Some(nonce) => {
                let value = Nonce(OctetString::new(nonce.clone()).map_err(encode)?)
                    .to_der()
                    .map_err(encode)?;
                Some(vec![Extension {
                    extn_id: const_oid::db::rfc6960::ID_PKIX_OCSP_NONCE,
                    critical: false,
                    extn_value: OctetString::new(value).map_err(encode)?,
                }])
            }
            None => None,
        };
        x509_ocsp::OcspRequest {
            tbs_request: TbsRequest {
                version: x509_ocsp::Version::V1,
                requestor_name: None,
                request_list: vec![Request {
                    req_cert: self.cert_id.to_cert_id().map_err(encode)?,
                    single_request_extensions: None,
                }],
                request_extensions,
            },
            optional_signature: None,
        }
        .to_der()
        .map_err(encode)
    }
}

/// The CertID of `cert` under `issuer` with the hash `algorithm` (SHA-1, else SHA-256): the
/// hash of the issuer's name (DER) and of its public key's bits, and the serial number.
pub(crate) fn cert_id(
    algorithm: const_oid::ObjectIdentifier,
    cert: &CardCertificate,
    issuer: &CardCertificate,
) -> CertHashes {
    let digest = if algorithm == SHA1 {
        &ring::digest::SHA1_FOR_LEGACY_USE_ONLY
    } else {
        &ring::digest::SHA256
    };
    let hash = |bytes: &[u8]| ring::digest::digest(digest, bytes).as_ref().to_vec();
    let tbs = &issuer.x509().tbs_certificate;
    // A name that was decoded encodes again; were it not to, no responder's hash would match.
    let name = tbs.subject.to_der().unwrap_or_default();
    CertHashes {
        algorithm: if algorithm == SHA1 { SHA1 } else { SHA256 },
        name_hash: hash(&name),
        key_hash: hash(tbs.subject_public_key_info.subject_public_key.raw_bytes()),
        serial: cert
            .x509()
            .tbs_certificate
            .serial_number
            .as_bytes()
            .to_vec(),
    }
}
