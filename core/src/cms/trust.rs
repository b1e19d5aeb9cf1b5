//! What a verifier trusts: CA certificates (several generations may be trusted at once) and the
//! CRLs that say which certificates those CAs have revoked.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use der::{Decode, Encode};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use x509_cert::crl::CertificateList;
use x509_cert::name::Name;

use super::CmsError;
use super::digest::DigestAlgorithm;
use crate::cert::CardCertificate;

/// Trust anchors and revocation lists.
///
/// Signatures on certificates and CRLs are checked once and remembered (by the certificate's
/// SHA-256, and per CRL), so that a relying party does not repeat them at every login.
#[derive(Debug, Default, Clone)]
pub struct TrustStore {
    anchors: Vec<CardCertificate>,
    crls: Vec<Crl>,
    issuers: Arc<Mutex<HashMap<[u8; 32], Option<usize>>>>,
    parsed: Arc<Mutex<HashMap<[u8; 32], Arc<Presented>>>>,
}

/// A certificate someone presented, parsed once, with what its extensions say.
#[derive(Debug)]
pub struct Presented {
    /// The certificate.
    pub certificate: CardCertificate,
    /// Its SHA-256.
    pub sha256: [u8; 32],
    /// Its key usage names.
    pub key_usage: Vec<&'static str>,
    /// True when it carries the holder's name, address… (a JPKI signing certificate).
    pub carries_personal_data: bool,
    /// What its policies and usages say it is for ([`CardCertificate::role`]).
    pub role: Option<crate::cert::CertificateRole>,
    /// Its subject, issuer and serial as text (naming attributes is slow: done once).
    pub subject: String,
    /// Its issuer as text.
    pub issuer: String,
    /// Its serial number in hex.
    pub serial: String,
}

/// Remembered issuer checks are dropped when this many have accumulated.
const MAX_REMEMBERED: usize = 100_000;

/// A parsed certificate revocation list.
#[derive(Debug, Clone)]
pub struct Crl {
    list: CertificateList,
    /// The last anchor checked against this CRL, and the answer.
    signer: Arc<Mutex<Option<SignerCheck>>>,
}

/// An anchor's DER and whether its key signed a CRL.
type SignerCheck = (Vec<u8>, bool);

/// A revoked certificate's entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revoked {
    /// When the CA revoked it.
    pub on: OffsetDateTime,
}

/// What a CRL says about one certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CrlAnswer {
    /// No CRL from the certificate's issuer was given.
    NoCrl,
    /// The only CRLs from the issuer are not signed by a trusted key of that issuer.
    Unverifiable,
    /// The freshest CRL from the issuer is outside its validity at `at`.
    Stale {
        /// Its nextUpdate.
        next_update: Option<OffsetDateTime>,
        /// Its thisUpdate.
        this_update: OffsetDateTime,
    },
    /// Listed as revoked.
    Revoked(Revoked),
    /// Not listed in a current CRL.
    Good {
        /// The CRL's thisUpdate.
        this_update: OffsetDateTime,
    },
}

/// Splits PEM text into DER blocks with `label`, or takes `bytes` as one DER object.
fn der_objects(bytes: &[u8], label: &str) -> Result<Vec<Vec<u8>>, CmsError> {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) if t.contains("-----BEGIN") => t,
        _ => return Ok(vec![bytes.to_vec()]),
    };
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(&begin) {
        let after = &rest[start..];
        let stop = after
            .find(&end)
            .ok_or_else(|| CmsError::Pem(format!("a {label} block has no END line")))?;
        let block = &after[..stop + end.len()];
        let (found, der) = der::pem::decode_vec(block.as_bytes())
            .map_err(|e| CmsError::Pem(format!("{label}: {e}")))?;
        if found == label {
            out.push(der);
        }
        rest = &after[stop + end.len()..];
    }
    if out.is_empty() {
        return Err(CmsError::Pem(format!("no {label} block found")));
    }
    Ok(out)
}

fn to_offset(t: x509_cert::time::Time) -> OffsetDateTime {
    OffsetDateTime::from(t.to_system_time())
}

impl TrustStore {
    /// An empty store: nothing is trusted.
    pub fn new() -> TrustStore {
        TrustStore::default()
    }

    /// Trusts the CA certificates in `bytes` (DER, or PEM with one or more certificates).
    pub fn add_anchors(&mut self, bytes: &[u8]) -> Result<usize, CmsError> {
        let ders = der_objects(bytes, "CERTIFICATE")?;
        for der in &ders {
            self.anchors
                .push(CardCertificate::from_der(der).map_err(CmsError::Certificate)?);
        }
        Ok(ders.len())
    }

    /// Adds the CRLs in `bytes` (DER, or PEM `X509 CRL` blocks).
    pub fn add_crls(&mut self, bytes: &[u8]) -> Result<usize, CmsError> {
        let ders = der_objects(bytes, "X509 CRL")?;
        for der in &ders {
            let list = CertificateList::from_der(der).map_err(CmsError::Der)?;
            self.crls.push(Crl {
                list,
                signer: Arc::default(),
            });
        }
        Ok(ders.len())
    }

    /// The trusted CA certificates.
    pub fn anchors(&self) -> &[CardCertificate] {
        &self.anchors
    }

    /// Parses a certificate presented to us, remembering it by its SHA-256, so that the same
    /// person's next login skips the parsing.
    pub fn presented(&self, der: &[u8]) -> Result<Arc<Presented>, crate::cert::CertificateError> {
        let key: [u8; 32] = Sha256::digest(der).into();
        if let Some(known) = self.parsed.lock().ok().and_then(|m| m.get(&key).cloned()) {
            return Ok(known);
        }
        let certificate = CardCertificate::from_der(der)?;
        let presented = Arc::new(Presented {
            sha256: key,
            key_usage: certificate.key_usage(),
            carries_personal_data: certificate.holder().is_some(),
            role: certificate.role(),
            subject: certificate.subject(),
            issuer: certificate.issuer(),
            serial: certificate.serial_hex(),
            certificate,
        });
        if let Ok(mut m) = self.parsed.lock() {
            if m.len() >= MAX_REMEMBERED {
                m.clear();
            }
            m.insert(key, presented.clone());
        }
        Ok(presented)
    }

    /// The trusted CA that issued `certificate` (its name matches and its key made the signature).
    pub fn issuer_of(&self, certificate: &CardCertificate) -> Option<&CardCertificate> {
        self.issuer_of_hashed(certificate, Sha256::digest(certificate.der()).into())
    }

    /// [`TrustStore::issuer_of`] for a certificate whose SHA-256 is already known.
    pub fn issuer_of_hashed(
        &self,
        certificate: &CardCertificate,
        key: [u8; 32],
    ) -> Option<&CardCertificate> {
        if let Some(known) = self.issuers.lock().ok().and_then(|m| m.get(&key).copied()) {
            return known.map(|i| &self.anchors[i]);
        }
        let issuer = &certificate.x509().tbs_certificate.issuer;
        let found = self.anchors.iter().position(|a| {
            a.x509().tbs_certificate.subject == *issuer && certificate.is_signed_by(a)
        });
        if let Ok(mut m) = self.issuers.lock() {
            if m.len() >= MAX_REMEMBERED {
                m.clear();
            }
            m.insert(key, found);
        }
        found.map(|i| &self.anchors[i])
    }

    /// What the freshest trusted CRL from `issuer` says about `certificate` at time `at`.
    pub fn revocation(
        &self,
        certificate: &CardCertificate,
        issuer: &CardCertificate,
        at: OffsetDateTime,
    ) -> CrlAnswer {
        let name: &Name = &certificate.x509().tbs_certificate.issuer;
        let from_issuer: Vec<&Crl> = self
            .crls
            .iter()
            .filter(|c| c.list.tbs_cert_list.issuer == *name)
            .collect();
        if from_issuer.is_empty() {
            return CrlAnswer::NoCrl;
        }
        let Some(crl) = from_issuer
            .into_iter()
            .filter(|c| c.is_signed_by(issuer))
            .max_by_key(|c| to_offset(c.list.tbs_cert_list.this_update))
        else {
            return CrlAnswer::Unverifiable;
        };
        let tbs = &crl.list.tbs_cert_list;
        let this_update = to_offset(tbs.this_update);
        let next_update = tbs.next_update.map(to_offset);
        if this_update > at || next_update.is_some_and(|n| n < at) {
            return CrlAnswer::Stale {
                this_update,
                next_update,
            };
        }
        let serial = &certificate.x509().tbs_certificate.serial_number;
        match tbs
            .revoked_certificates
            .iter()
            .flatten()
            .find(|r| r.serial_number == *serial)
        {
            Some(entry) => CrlAnswer::Revoked(Revoked {
                on: to_offset(entry.revocation_date),
            }),
            None => CrlAnswer::Good { this_update },
        }
    }
}

impl Crl {
    /// True when `issuer`'s key signed this CRL (checked once per issuer, then remembered).
    fn is_signed_by(&self, issuer: &CardCertificate) -> bool {
        if let Ok(s) = self.signer.lock()
            && let Some((der, ok)) = s.as_ref()
            && der.as_slice() == issuer.der()
        {
            return *ok;
        }
        let ok = self.check_signature(issuer);
        if let Ok(mut s) = self.signer.lock() {
            *s = Some((issuer.der().to_vec(), ok));
        }
        ok
    }

    fn check_signature(&self, issuer: &CardCertificate) -> bool {
        let Some(algorithm) =
            DigestAlgorithm::from_rsa_signature_oid(&self.list.signature_algorithm.oid)
        else {
            return false;
        };
        let (Ok(tbs), Some(signature)) = (
            self.list.tbs_cert_list.to_der(),
            self.list.signature.as_bytes(),
        ) else {
            return false;
        };
        let digest_info = algorithm.digest_info(&algorithm.digest(&tbs));
        issuer.verify_signature(&digest_info, signature)
    }
}
