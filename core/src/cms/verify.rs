//! Checking a detached CMS signature the way a careful recipient would: the content, the
//! signature, the certificate it names, its chain to a trusted CA, its validity when it
//! signed, what it may be used for, and whether its CA has revoked it.

use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier, SignerInfo};
use const_oid::db::{rfc5911, rfc5912};
use der::{Decode, Encode};
use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use x509_cert::attr::Attribute;

use super::digest::DigestAlgorithm;
use super::trust::{CrlAnswer, TrustStore};
use super::{CmsError, ess};
use crate::cert::CardCertificate;

/// What the signer's certificate must be good for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// Signing documents: digitalSignature and nonRepudiation (JPKI's signing certificate).
    /// An authentication certificate is refused.
    DocumentSigning,
    /// Proving who one is: digitalSignature (JPKI's authentication certificate).
    Authentication,
}

/// One check and how it went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// What was checked.
    pub check: CheckKind,
    /// Passed, failed, or not checked.
    pub outcome: Outcome,
    /// In words, for a person.
    pub detail: String,
}

/// The checks, in the order they are made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckKind {
    /// The signed digest matches the content.
    Content,
    /// The signature was made by the certificate's key over the signed attributes.
    Signature,
    /// The signed signingCertificateV2 names this very certificate.
    SigningCertificate,
    /// The certificate was issued by a trusted CA.
    Chain,
    /// The certificate was valid when it signed.
    Validity,
    /// The certificate may sign for this purpose.
    KeyUsage,
    /// The CA has not revoked the certificate.
    Revocation,
}

/// A check's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// It held.
    Passed,
    /// It did not: the signature is not valid.
    Failed,
    /// It could not be made (e.g. no CRL given); the signature may still be valid.
    NotChecked,
}

/// Who signed, as the certificate says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Signer {
    /// Subject DN.
    pub subject: String,
    /// Issuer DN.
    pub issuer: String,
    /// Serial number in hex.
    pub serial: String,
    /// The holder's name, for a JPKI signing certificate.
    pub name: Option<String>,
}

/// The verdict on one signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// True when no check failed.
    pub valid: bool,
    /// The signer, when the certificate was found.
    pub signer: Option<Signer>,
    /// The signingTime the signer claims (RFC 3339).
    pub signing_time: Option<String>,
    /// The digest algorithm.
    pub digest_algorithm: DigestAlgorithm,
    /// Every check made.
    pub checks: Vec<Check>,
}

impl Verdict {
    /// The checks that failed.
    pub fn failures(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| c.outcome == Outcome::Failed)
    }
}

/// A parsed detached CMS signature, ready to be checked against its content's digest.
#[derive(Debug, Clone)]
pub struct DetachedSignature {
    signed_data: SignedData,
    signer_info: SignerInfo,
    algorithm: DigestAlgorithm,
}

fn attribute(
    attrs: &Option<x509_cert::attr::Attributes>,
    oid: const_oid::ObjectIdentifier,
) -> Option<&Attribute> {
    attrs.as_ref()?.iter().find(|a| a.oid == oid)
}

impl DetachedSignature {
    /// Parses a DER CMS `ContentInfo` holding SignedData with exactly one signer and no content.
    pub fn parse(der: &[u8]) -> Result<DetachedSignature, CmsError> {
        let info = ContentInfo::from_der(der).map_err(CmsError::Der)?;
        if info.content_type != rfc5911::ID_SIGNED_DATA {
            return Err(CmsError::NotSignedData);
        }
        let signed_data: SignedData = info.content.decode_as().map_err(CmsError::Der)?;
        if signed_data.encap_content_info.econtent.is_some() {
            return Err(CmsError::NotDetached);
        }
        let mut signers = signed_data.signer_infos.0.iter();
        let signer_info = match (signers.next(), signers.next()) {
            (Some(one), None) => one.clone(),
            (None, _) => return Err(CmsError::SignerCount { count: 0 }),
            (Some(_), Some(_)) => {
                return Err(CmsError::SignerCount {
                    count: signed_data.signer_infos.0.len(),
                });
            }
        };
        let algorithm =
            DigestAlgorithm::from_oid(&signer_info.digest_alg.oid).ok_or_else(|| {
                CmsError::UnsupportedAlgorithm(signer_info.digest_alg.oid.to_string())
            })?;
        Ok(DetachedSignature {
            signed_data,
            signer_info,
            algorithm,
        })
    }

    /// The algorithm the content must be hashed with.
    pub fn digest_algorithm(&self) -> DigestAlgorithm {
        self.algorithm
    }

    /// The signer's certificate, found in the signature by the signer identifier.
    pub fn signer_certificate(&self) -> Option<CardCertificate> {
        let certs = self.signed_data.certificates.as_ref()?;
        certs.0.iter().find_map(|choice| {
            let CertificateChoices::Certificate(cert) = choice else {
                return None;
            };
            let tbs = &cert.tbs_certificate;
            let matches = match &self.signer_info.sid {
                SignerIdentifier::IssuerAndSerialNumber(id) => {
                    id.issuer == tbs.issuer && id.serial_number == tbs.serial_number
                }
                SignerIdentifier::SubjectKeyIdentifier(ski) => tbs
                    .get::<x509_cert::ext::pkix::SubjectKeyIdentifier>()
                    .ok()
                    .flatten()
                    .is_some_and(|(_, own)| own == *ski),
            };
            if !matches {
                return None;
            }
            CardCertificate::from_der(&cert.to_der().ok()?).ok()
        })
    }

    /// The signingTime the signer put in the signed attributes.
    pub fn signing_time(&self) -> Option<OffsetDateTime> {
        let attr = attribute(&self.signer_info.signed_attrs, rfc5911::ID_SIGNING_TIME)?;
        let value = attr.values.iter().next()?;
        let time = x509_cert::time::Time::from_der(&value.to_der().ok()?).ok()?;
        Some(OffsetDateTime::from(time.to_system_time()))
    }

    /// Checks this signature over content whose digest (with [`Self::digest_algorithm`]) is
    /// `content_digest`, for `purpose`, against `trust`. `now` dates the CRLs' freshness and
    /// stands in for the signing time when the signature has none.
    pub fn verify(
        &self,
        content_digest: &[u8],
        trust: &TrustStore,
        purpose: Purpose,
        now: OffsetDateTime,
    ) -> Verdict {
        let mut checks = Vec::new();
        let mut check = |check: CheckKind, outcome: Outcome, detail: String| {
            checks.push(Check {
                check,
                outcome,
                detail,
            });
        };
        let attrs = &self.signer_info.signed_attrs;

        // 1. The content: the signed messageDigest (or, with no signed attributes, the signature itself).
        let signed_bytes_digest = match attrs {
            Some(set) => {
                let digest = attribute(attrs, rfc5911::ID_MESSAGE_DIGEST)
                    .and_then(|a| a.values.iter().next())
                    .and_then(|v| der::asn1::OctetString::from_der(&v.to_der().ok()?).ok());
                let content_type_ok = attribute(attrs, rfc5911::ID_CONTENT_TYPE)
                    .and_then(|a| a.values.iter().next())
                    .and_then(|v| v.decode_as::<const_oid::ObjectIdentifier>().ok())
                    == Some(rfc5911::ID_DATA);
                match digest {
                    Some(d) if d.as_bytes() == content_digest && content_type_ok => check(
                        CheckKind::Content,
                        Outcome::Passed,
                        "the document is exactly the one that was signed".into(),
                    ),
                    Some(_) if !content_type_ok => check(
                        CheckKind::Content,
                        Outcome::Failed,
                        "the signed content type is missing or is not plain data".into(),
                    ),
                    Some(_) => check(
                        CheckKind::Content,
                        Outcome::Failed,
                        "the document has changed since it was signed".into(),
                    ),
                    None => check(
                        CheckKind::Content,
                        Outcome::Failed,
                        "the signature carries no message digest".into(),
                    ),
                }
                set.to_der().ok().map(|der| self.algorithm.digest(&der))
            }
            None => Some(content_digest.to_vec()),
        };

        // 2. The signature, by the certificate the signature names.
        let certificate = self.signer_certificate();
        let Some(certificate) = certificate else {
            check(
                CheckKind::Signature,
                Outcome::Failed,
                "the signer's certificate is not in the signature".into(),
            );
            return self.verdict(None, checks);
        };
        let sig_alg = &self.signer_info.signature_algorithm.oid;
        let alg_ok = *sig_alg == rfc5912::RSA_ENCRYPTION
            || DigestAlgorithm::from_rsa_signature_oid(sig_alg) == Some(self.algorithm);
        let signature_ok = alg_ok
            && signed_bytes_digest.is_some_and(|d| {
                certificate.verify_signature(
                    &self.algorithm.digest_info(&d),
                    self.signer_info.signature.as_bytes(),
                )
            });
        if signature_ok {
            check(
                CheckKind::Signature,
                Outcome::Passed,
                "made by the key of the signer's certificate".into(),
            );
        } else if !alg_ok {
            check(
                CheckKind::Signature,
                Outcome::Failed,
                format!("unsupported or mismatched signature algorithm {sig_alg}"),
            );
        } else {
            check(
                CheckKind::Signature,
                Outcome::Failed,
                "the signature does not match the signer's certificate: it was altered or forged"
                    .into(),
            );
        }

        // 3. signingCertificateV2 binds the signature to this certificate.
        match attribute(attrs, rfc5911::ID_AA_SIGNING_CERTIFICATE_V_2)
            .and_then(|a| a.values.iter().next())
            .map(|v| v.decode_as::<ess::SigningCertificateV2>())
        {
            None => check(
                CheckKind::SigningCertificate,
                Outcome::NotChecked,
                "no signingCertificateV2 attribute (not CAdES)".into(),
            ),
            Some(Err(_)) => check(
                CheckKind::SigningCertificate,
                Outcome::Failed,
                "the signingCertificateV2 attribute is malformed".into(),
            ),
            Some(Ok(v)) => {
                let first = v.certs.first();
                let hash_alg = first
                    .and_then(|c| c.hash_algorithm.as_ref())
                    .map_or(Some(DigestAlgorithm::Sha256), |a| {
                        DigestAlgorithm::from_oid(&a.oid)
                    });
                let ok = match (first, hash_alg) {
                    (Some(c), Some(alg)) => c.cert_hash.as_bytes() == alg.digest(certificate.der()),
                    _ => false,
                };
                if ok {
                    check(
                        CheckKind::SigningCertificate,
                        Outcome::Passed,
                        "the signed attributes name this certificate".into(),
                    )
                } else {
                    check(
                        CheckKind::SigningCertificate,
                        Outcome::Failed,
                        "the signed attributes name another certificate".into(),
                    )
                }
            }
        }

        // 4. The chain to a trusted CA.
        let issuer = trust.issuer_of(&certificate);
        match issuer {
            Some(ca) => check(
                CheckKind::Chain,
                Outcome::Passed,
                format!("issued by the trusted CA {}", ca.subject()),
            ),
            None => check(
                CheckKind::Chain,
                Outcome::Failed,
                format!(
                    "issued by {}, which is not among the {} trusted CA certificate(s)",
                    certificate.issuer(),
                    trust.anchors().len()
                ),
            ),
        }

        // 5. Validity when it signed (the CA's too).
        let claimed = self.signing_time();
        let at = claimed.unwrap_or(now);
        let within = |c: &CardCertificate| c.not_before() <= at && at <= c.not_after();
        if !within(&certificate) {
            check(
                CheckKind::Validity,
                Outcome::Failed,
                format!(
                    "the certificate was not valid when it signed ({}): valid from {} to {}",
                    rfc3339(at),
                    rfc3339(certificate.not_before()),
                    rfc3339(certificate.not_after())
                ),
            );
        } else if certificate.not_after() < now {
            // Without a trusted timestamp the claimed signing time proves nothing once the
            // certificate has expired: OpenSSL and pyHanko refuse such signatures too.
            check(
                CheckKind::Validity,
                Outcome::Failed,
                format!(
                    "the certificate expired on {}; with no trusted timestamp the signature can no longer be relied on",
                    rfc3339(certificate.not_after())
                ),
            );
        } else if issuer.is_some_and(|ca| !within(ca)) {
            check(
                CheckKind::Validity,
                Outcome::Failed,
                "the issuing CA's certificate was not valid when it signed".into(),
            );
        } else {
            check(
                CheckKind::Validity,
                Outcome::Passed,
                format!(
                    "valid when it signed ({}); expires {}",
                    rfc3339(at),
                    rfc3339(certificate.not_after())
                ),
            );
        }

        // 6. What it may sign.
        let usage = certificate.key_usage();
        let needed: &[&str] = match purpose {
            Purpose::DocumentSigning => &["digitalSignature", "nonRepudiation"],
            Purpose::Authentication => &["digitalSignature"],
        };
        let missing: Vec<&str> = needed
            .iter()
            .copied()
            .filter(|n| !usage.contains(n))
            .collect();
        if missing.is_empty() {
            check(
                CheckKind::KeyUsage,
                Outcome::Passed,
                format!("key usage {}", usage.join(", ")),
            );
        } else if purpose == Purpose::DocumentSigning && usage.contains(&"digitalSignature") {
            check(
                CheckKind::KeyUsage,
                Outcome::Failed,
                "an authentication certificate cannot sign documents (no nonRepudiation)".into(),
            );
        } else {
            check(
                CheckKind::KeyUsage,
                Outcome::Failed,
                format!("the certificate's key usage lacks {}", missing.join(", ")),
            );
        }

        // 7. Revocation, by the issuer's CRL.
        match issuer.map(|ca| trust.revocation(&certificate, ca, now)) {
            None => check(
                CheckKind::Revocation,
                Outcome::NotChecked,
                "no trusted issuer to ask".into(),
            ),
            Some(CrlAnswer::NoCrl) => check(
                CheckKind::Revocation,
                Outcome::NotChecked,
                "no CRL from the issuer was given (--crl)".into(),
            ),
            Some(CrlAnswer::Unverifiable) => check(
                CheckKind::Revocation,
                Outcome::Failed,
                "the issuer's CRL is not signed by the trusted CA".into(),
            ),
            Some(CrlAnswer::Stale {
                this_update,
                next_update,
            }) => check(
                CheckKind::Revocation,
                Outcome::Failed,
                format!(
                    "the issuer's CRL is not current (issued {}, next update {}); get a fresh one",
                    rfc3339(this_update),
                    next_update.map_or("none".to_owned(), rfc3339)
                ),
            ),
            Some(CrlAnswer::Revoked(r)) => check(
                CheckKind::Revocation,
                Outcome::Failed,
                format!("the certificate was revoked on {}", rfc3339(r.on)),
            ),
            Some(CrlAnswer::Good { this_update }) => check(
                CheckKind::Revocation,
                Outcome::Passed,
                format!("not revoked (CRL of {})", rfc3339(this_update)),
            ),
        }
        self.verdict(Some(&certificate), checks)
    }

    fn verdict(&self, certificate: Option<&CardCertificate>, checks: Vec<Check>) -> Verdict {
        Verdict {
            valid: !checks.iter().any(|c| c.outcome == Outcome::Failed),
            signer: certificate.map(|c| Signer {
                subject: c.subject(),
                issuer: c.issuer(),
                serial: c.serial_hex(),
                name: c.holder().and_then(|h| h.name),
            }),
            signing_time: self.signing_time().map(rfc3339),
            digest_algorithm: self.algorithm,
            checks,
        }
    }
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_else(|_| t.to_string())
}
