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
use x509_cert::attr::{Attribute, AttributeValue};

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
    /// A trusted RFC 3161 timestamp covers the signature (CAdES-T, PAdES B-T).
    Timestamp,
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

/// A time at which a trusted timestamp proves the signature existed, and which one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvenTime {
    /// The timestamp's genTime.
    pub at: OffsetDateTime,
    /// What proves it, in words ("the signature timestamp by TSA …").
    pub by: String,
}

/// What kind of signature it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SignatureFormat {
    /// CAdES-BES: signed content type, message digest and a signingCertificateV2 that names
    /// the signer's certificate (by hash, and by issuer and serial when given).
    CadesBes,
    /// A plain PKCS#7 / CMS signature: nothing signed binds it to its certificate.
    Pkcs7,
}

impl std::fmt::Display for SignatureFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SignatureFormat::CadesBes => "CAdES-BES",
            SignatureFormat::Pkcs7 => "PKCS#7 signature, not CAdES-BES",
        })
    }
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
    /// CAdES-BES only when its signingCertificateV2 was checked and names the signer.
    pub format: SignatureFormat,
    /// Every check made.
    pub checks: Vec<Check>,
    /// The signature timestamps it carries, each checked (filled in by
    /// [`crate::documents`], which knows the trusted TSAs).
    pub timestamps: Vec<crate::tsp::TimestampVerdict>,
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

/// The one value of the attribute `oid`, if present: present twice, or with other than one
/// value, is an error (a second message digest could make one signature fit two documents).
pub(crate) fn single_value<'a>(
    attrs: &'a Option<x509_cert::attr::Attributes>,
    oid: const_oid::ObjectIdentifier,
    name: &str,
) -> Result<Option<&'a AttributeValue>, String> {
    let mut found = attrs.iter().flat_map(|s| s.iter()).filter(|a| a.oid == oid);
    let Some(first) = found.next() else {
        return Ok(None);
    };
    if found.next().is_some() {
        return Err(format!("the {name} attribute appears more than once"));
    }
    let mut values = first.values.iter();
    match (values.next(), values.next()) {
        (Some(one), None) => Ok(Some(one)),
        _ => Err(format!(
            "the {name} attribute has {} values instead of one",
            first.values.len()
        )),
    }
}

/// The name of a broken digest or signature algorithm (SHA-1, MD5), if `oid` is one.
pub(crate) fn weak_algorithm(oid: &const_oid::ObjectIdentifier) -> Option<&'static str> {
    const WEAK: &[(&str, &str)] = &[
        ("1.3.14.3.2.26", "SHA-1"),
        ("1.2.840.113549.2.5", "MD5"),
        ("1.2.840.113549.1.1.5", "SHA-1"),
        ("1.2.840.113549.1.1.4", "MD5"),
        ("1.3.14.3.2.29", "SHA-1"),
    ];
    let text = oid.to_string();
    WEAK.iter().find(|(o, _)| *o == text).map(|(_, name)| *name)
}

/// Checks that a signingCertificateV2 names `certificate`: the first ESSCertIDv2's hash (a
/// SHA-2) of its DER, and its issuer and serial number when given.
pub(crate) fn names_certificate(
    v: &ess::SigningCertificateV2,
    certificate: &CardCertificate,
) -> Result<(), &'static str> {
    let first = v
        .certs
        .first()
        .ok_or("the signingCertificateV2 attribute names no certificate")?;
    let algorithm = match &first.hash_algorithm {
        None => DigestAlgorithm::Sha256,
        Some(a) => DigestAlgorithm::from_oid(&a.oid).ok_or(
            "the signingCertificateV2 attribute hashes the certificate with an unsupported or broken algorithm",
        )?,
    };
    if first.cert_hash.as_bytes() != algorithm.digest(certificate.der()) {
        return Err("the signed attributes name another certificate");
    }
    if let Some(issuer_serial) = &first.issuer_serial {
        let tbs = &certificate.x509().tbs_certificate;
        let issuer_ok = issuer_serial.issuer.iter().any(|n| {
            matches!(n, x509_cert::ext::pkix::name::GeneralName::DirectoryName(d) if *d == tbs.issuer)
        });
        if !issuer_ok || issuer_serial.serial_number != tbs.serial_number {
            return Err(
                "the signed attributes name another certificate's issuer and serial number",
            );
        }
    }
    Ok(())
}

impl DetachedSignature {
    /// Parses a DER CMS `ContentInfo` holding SignedData with exactly one signer and no content.
    pub fn parse(der: &[u8]) -> Result<DetachedSignature, CmsError> {
        // Linear checks first: the decoder below sorts every SET OF in quadratic time.
        super::limits::check_cms(der)?;
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
        if let Some(weak) = weak_algorithm(&signer_info.digest_alg.oid) {
            return Err(CmsError::WeakAlgorithm(weak));
        }
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
        self.verify_at(content_digest, trust, purpose, now, None)
    }

    /// Like [`Self::verify`], but when a trusted timestamp `proven` shows that the signature
    /// existed at some time, the certificate's validity and revocation are judged at that time:
    /// a certificate that expired, or was revoked, after it still gives a valid signature, and
    /// the check says why.
    pub fn verify_at(
        &self,
        content_digest: &[u8],
        trust: &TrustStore,
        purpose: Purpose,
        now: OffsetDateTime,
        proven: Option<&ProvenTime>,
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

        // 1. The content: the signed messageDigest (or, with no signed attributes, the signature
        //    itself). Signed attributes must carry exactly one content type (plain data, as the
        //    encapsulated content says) and exactly one message digest (RFC 5652 §5.3, §11).
        let signed_bytes_digest = match attrs {
            Some(set) => {
                let content_type = single_value(attrs, rfc5911::ID_CONTENT_TYPE, "content type");
                let digest = single_value(attrs, rfc5911::ID_MESSAGE_DIGEST, "message digest");
                let data = |v: &AttributeValue| {
                    v.decode_as::<const_oid::ObjectIdentifier>().ok() == Some(rfc5911::ID_DATA)
                };
                let econtent_ok =
                    self.signed_data.encap_content_info.econtent_type == rfc5911::ID_DATA;
                match (content_type, digest) {
                    (Err(why), _) | (_, Err(why)) => {
                        check(CheckKind::Content, Outcome::Failed, why)
                    }
                    (Ok(None), _) => check(
                        CheckKind::Content,
                        Outcome::Failed,
                        "the signed attributes carry no content type".into(),
                    ),
                    (Ok(Some(ct)), _) if !data(ct) || !econtent_ok => check(
                        CheckKind::Content,
                        Outcome::Failed,
                        "the signed content type is not plain data".into(),
                    ),
                    (_, Ok(None)) => check(
                        CheckKind::Content,
                        Outcome::Failed,
                        "the signature carries no message digest".into(),
                    ),
                    (_, Ok(Some(d))) => {
                        if der::asn1::OctetString::from_der(&d.to_der().unwrap_or_default())
                            .is_ok_and(|d| d.as_bytes() == content_digest)
                        {
                            check(
                                CheckKind::Content,
                                Outcome::Passed,
                                "the document is exactly the one that was signed".into(),
                            )
                        } else {
                            check(
                                CheckKind::Content,
                                Outcome::Failed,
                                "the document has changed since it was signed".into(),
                            )
                        }
                    }
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
        } else if let Some(weak) = weak_algorithm(sig_alg) {
            check(
                CheckKind::Signature,
                Outcome::Failed,
                format!("the signature is made with {weak}, which is broken"),
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

        // 3. signingCertificateV2 binds the signature to this certificate (CAdES-BES). Without
        //    it this is a PKCS#7 signature, reported as such and never as CAdES-BES.
        match single_value(
            attrs,
            rfc5911::ID_AA_SIGNING_CERTIFICATE_V_2,
            "signingCertificateV2",
        ) {
            Err(why) => check(CheckKind::SigningCertificate, Outcome::Failed, why),
            Ok(None) => check(
                CheckKind::SigningCertificate,
                Outcome::NotChecked,
                if attrs.is_none() {
                    "PKCS#7 signature, not CAdES-BES: it has no signed attributes".into()
                } else {
                    "PKCS#7 signature, not CAdES-BES: no signingCertificateV2 binds it to its certificate".into()
                },
            ),
            Ok(Some(v)) => match v.decode_as::<ess::SigningCertificateV2>() {
                Err(_) => check(
                    CheckKind::SigningCertificate,
                    Outcome::Failed,
                    "the signingCertificateV2 attribute is malformed".into(),
                ),
                Ok(v) => match names_certificate(&v, &certificate) {
                    Ok(()) => check(
                        CheckKind::SigningCertificate,
                        Outcome::Passed,
                        "CAdES-BES: the signed signingCertificateV2 names this certificate".into(),
                    ),
                    Err(why) => check(CheckKind::SigningCertificate, Outcome::Failed, why.into()),
                },
            },
        }

        // 4. The chain to a trusted CA.
        let issuer = trust.issuer_of(&certificate);
        match issuer {
            Some(ca) => check(
                CheckKind::Chain,
                Outcome::Passed,
                match crate::cert::builtin_root_of(ca.der()) {
                    Some(root) => format!(
                        "issued by the built-in J-LIS root {} (generation {}): {}",
                        root.name,
                        root.generation,
                        ca.subject()
                    ),
                    None => format!("issued by the trusted CA {}", ca.subject()),
                },
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

        // 5. Validity when it signed (the CA's too): at the time a trusted timestamp proves, else
        //    at the time the signer claims.
        let claimed = self.signing_time();
        let at = proven.map(|p| p.at).or(claimed).unwrap_or(now);
        let within = |c: &CardCertificate| c.not_before() <= at && at <= c.not_after();
        if let Some(proof) =
            proven.filter(|_| within(&certificate) && certificate.not_after() < now)
        {
            check(
                CheckKind::Validity,
                Outcome::Passed,
                format!(
                    "valid at {} as {} proves; it expired on {}, after that",
                    rfc3339(proof.at),
                    proof.by,
                    rfc3339(certificate.not_after())
                ),
            );
        } else if !within(&certificate) {
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

        // 7. Revocation, by the issuer's CRL or OCSP answers; with a trusted timestamp, at its
        //    time: a revocation after it, or evidence issued after it that lists none, leaves the
        //    signature valid.
        let answer =
            issuer.map(|ca| trust.revocation(&certificate, ca, proven.map_or(now, |p| p.at)));
        let answer = match (answer, proven) {
            (Some(CrlAnswer::Revoked(r)), Some(proof)) if r.on > proof.at => {
                check(
                    CheckKind::Revocation,
                    Outcome::Passed,
                    format!(
                        "revoked on {}, after {} proves the signature was made ({})",
                        rfc3339(r.on),
                        proof.by,
                        rfc3339(proof.at)
                    ),
                );
                None
            }
            (
                Some(CrlAnswer::Unknown(super::trust::Unusable::NotYetIssued { this_update })),
                Some(proof),
            ) => {
                check(
                    CheckKind::Revocation,
                    Outcome::Passed,
                    format!(
                        "not revoked at {} ({}): revocation data issued later ({}) lists no revocation",
                        rfc3339(proof.at),
                        proof.by,
                        rfc3339(this_update)
                    ),
                );
                None
            }
            (answer, _) => Some(answer),
        };
        if let Some(answer) = answer {
            match answer {
                None => check(
                    CheckKind::Revocation,
                    Outcome::NotChecked,
                    "no trusted issuer to ask".into(),
                ),
                // Valid only thanks to a timestamp (the certificate has expired since): without
                // revocation data from that time nothing shows it was not revoked then.
                Some(CrlAnswer::NoCrl)
                    if proven.is_some() && certificate.not_after() < now =>
                {
                    check(
                        CheckKind::Revocation,
                        Outcome::Failed,
                        "revocation at the time of the timestamp cannot be established: the certificate has expired, and the signature carries no revocation data from then (B-LT) and none was given"
                            .into(),
                    )
                }
                Some(CrlAnswer::NoCrl) => check(
                    CheckKind::Revocation,
                    Outcome::NotChecked,
                    "revocation not checked: no CRL from the issuer (--crl) nor OCSP answer (--ocsp) was given"
                        .into(),
                ),
                Some(CrlAnswer::Unknown(why)) => check(
                    CheckKind::Revocation,
                    Outcome::Failed,
                    format!("revocation unknown: {why}"),
                ),
                Some(CrlAnswer::Revoked(r)) => check(
                    CheckKind::Revocation,
                    Outcome::Failed,
                    format!("the certificate was revoked on {}", rfc3339(r.on)),
                ),
                Some(CrlAnswer::Good {
                    this_update,
                    next_update,
                    source,
                }) => check(
                    CheckKind::Revocation,
                    Outcome::Passed,
                    format!(
                        "not revoked ({source} of {}, next update {})",
                        rfc3339(this_update),
                        rfc3339(next_update)
                    ),
                ),
            }
        }
        self.verdict(Some(&certificate), checks)
    }

    fn verdict(&self, certificate: Option<&CardCertificate>, checks: Vec<Check>) -> Verdict {
        let cades = checks
            .iter()
            .any(|c| c.check == CheckKind::SigningCertificate && c.outcome == Outcome::Passed);
        Verdict {
            format: if cades {
                SignatureFormat::CadesBes
            } else {
                SignatureFormat::Pkcs7
            },
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
            timestamps: Vec::new(),
        }
    }
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_else(|_| t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CardError;
    use crate::cert::fixtures::{CA_CERT, SIGN_CERT, SIGN_KEY};
    use crate::cms::limits::tests::tlv;
    use crate::cms::limits::{LimitError, MAX_ATTRIBUTES, MAX_CERTIFICATES};
    use crate::cms::{DocumentSigner, SignRequest, sign_detached};
    use rsa::pkcs8::DecodePrivateKey;
    use rsa::{Pkcs1v15Sign, RsaPrivateKey};

    /// The fixture signing key in software, standing in for the card.
    struct SoftKey {
        key: RsaPrivateKey,
        certificate: CardCertificate,
    }

    impl DocumentSigner for SoftKey {
        fn certificate(&self) -> &CardCertificate {
            &self.certificate
        }
        fn sign_digest_info(&mut self, digest_info: &[u8]) -> Result<Vec<u8>, CardError> {
            Ok(self
                .key
                .sign(Pkcs1v15Sign::new_unprefixed(), digest_info)
                .unwrap())
        }
    }

    fn signed(content: &[u8]) -> Vec<u8> {
        let mut signer = SoftKey {
            key: RsaPrivateKey::from_pkcs8_der(SIGN_KEY).unwrap(),
            certificate: CardCertificate::from_der(SIGN_CERT).unwrap(),
        };
        sign_detached(
            &mut signer,
            &SignRequest {
                algorithm: DigestAlgorithm::Sha256,
                content_digest: DigestAlgorithm::Sha256.digest(content),
                signing_time: time::macros::datetime!(2026-12-01 00:00 UTC),
                extra_certificates: vec![],
            },
        )
        .unwrap()
    }

    fn trust() -> TrustStore {
        let mut trust = TrustStore::new();
        trust.add_anchors(CA_CERT).unwrap();
        trust
    }

    #[test]
    fn kazasus_own_signature_is_cades_bes() {
        let der = signed(b"doc");
        let sig = DetachedSignature::parse(&der).unwrap();
        let verdict = sig.verify(
            &DigestAlgorithm::Sha256.digest(b"doc"),
            &trust(),
            Purpose::DocumentSigning,
            time::macros::datetime!(2026-12-02 00:00 UTC),
        );
        assert!(verdict.valid, "{verdict:?}");
        assert_eq!(verdict.format, SignatureFormat::CadesBes);
    }

    #[test]
    fn signing_certificate_v2_must_name_the_signer_by_hash_and_issuer_serial() {
        use x509_cert::ext::pkix::name::GeneralName;
        use x509_cert::serial_number::SerialNumber;
        let cert = CardCertificate::from_der(SIGN_CERT).unwrap();
        let tbs = &cert.x509().tbs_certificate;
        let id = |hash: Vec<u8>, serial: &[u8]| ess::SigningCertificateV2 {
            certs: vec![ess::EssCertIdV2 {
                hash_algorithm: None,
                cert_hash: der::asn1::OctetString::new(hash).unwrap(),
                issuer_serial: Some(ess::IssuerSerial {
                    issuer: vec![GeneralName::DirectoryName(tbs.issuer.clone())],
                    serial_number: SerialNumber::new(serial).unwrap(),
                }),
            }],
            policies: None,
        };
        let hash = DigestAlgorithm::Sha256.digest(cert.der());
        let serial = tbs.serial_number.as_bytes();
        assert_eq!(names_certificate(&id(hash.clone(), serial), &cert), Ok(()));
        assert!(names_certificate(&id(hash, &[0x77]), &cert).is_err());
        assert!(names_certificate(&id(vec![0; 32], serial), &cert).is_err());
        let empty = ess::SigningCertificateV2 {
            certs: vec![],
            policies: None,
        };
        assert!(names_certificate(&empty, &cert).is_err());
    }

    /// Kazasu's own signature with `count` extra (distinct, reverse-ordered) elements in the
    /// certificates field (tag 0xA0 of SignedData) or in the signed attributes.
    fn swollen(count: usize, in_attributes: bool) -> Vec<u8> {
        let info = ContentInfo::from_der(&signed(b"doc")).unwrap();
        let mut sd: SignedData = info.content.decode_as().unwrap();
        let oid = |i: usize| {
            // 1.2.3.<i> as distinct OIDs, built in descending order below.
            const_oid::ObjectIdentifier::new(&format!("1.2.3.{i}")).unwrap()
        };
        let mut extra = Vec::new();
        for i in (0..count).rev() {
            let elem = if in_attributes {
                tlv(
                    0x30,
                    &[oid(i).to_der().unwrap(), tlv(0x31, &tlv(0x05, &[]))].concat(),
                )
            } else {
                // [3] OtherCertificateFormat { otherCertFormat, otherCert }
                tlv(
                    0xA3,
                    &tlv(0x30, &[oid(i).to_der().unwrap(), tlv(0x05, &[])].concat()),
                )
            };
            extra.extend(elem);
        }
        let (tag, own) = if in_attributes {
            let attrs = sd
                .signer_infos
                .0
                .get(0)
                .unwrap()
                .signed_attrs
                .clone()
                .unwrap();
            (
                0xA0,
                attrs
                    .iter()
                    .map(|a| a.to_der().unwrap())
                    .collect::<Vec<_>>()
                    .concat(),
            )
        } else {
            let certs = sd.certificates.take().unwrap();
            (
                0xA0,
                certs
                    .0
                    .iter()
                    .map(|c| c.to_der().unwrap())
                    .collect::<Vec<_>>()
                    .concat(),
            )
        };
        let field = tlv(tag, &[extra, own].concat());
        // Re-assemble SignedData by hand with the swollen field.
        let version = sd.version.to_der().unwrap();
        let digests = sd.digest_algorithms.to_der().unwrap();
        let encap = sd.encap_content_info.to_der().unwrap();
        let body = if in_attributes {
            let si = sd.signer_infos.0.get(0).unwrap().clone();
            let signer = tlv(
                0x30,
                &[
                    si.version.to_der().unwrap(),
                    si.sid.to_der().unwrap(),
                    si.digest_alg.to_der().unwrap(),
                    field,
                    si.signature_algorithm.to_der().unwrap(),
                    si.signature.to_der().unwrap(),
                ]
                .concat(),
            );
            let certs = sd.certificates.as_ref().unwrap();
            let certs = tlv(
                0xA0,
                &certs
                    .0
                    .iter()
                    .map(|c| c.to_der().unwrap())
                    .collect::<Vec<_>>()
                    .concat(),
            );
            [version, digests, encap, certs, tlv(0x31, &signer)].concat()
        } else {
            let signers = sd.signer_infos.to_der().unwrap();
            [version, digests, encap, field, signers].concat()
        };
        let signed_data = tlv(0x30, &body);
        tlv(
            0x30,
            &[
                rfc5911::ID_SIGNED_DATA.to_der().unwrap(),
                tlv(0xA0, &signed_data),
            ]
            .concat(),
        )
    }

    #[test]
    fn a_signature_swollen_with_certificates_or_attributes_is_refused_at_once() {
        // 20 000 elements out of order (~240 KB): the der crate's insertion sort would make
        // 2·10⁸ comparisons, each re-encoding two certificates (minutes); the walk stops at
        // the limit after reading a few dozen headers.
        for (in_attributes, what, max) in [
            (false, "certificates", MAX_CERTIFICATES),
            (true, "signed attributes", MAX_ATTRIBUTES),
        ] {
            let der = swollen(20_000, in_attributes);
            assert!(der.len() > 200_000, "{}", der.len());
            let started = std::time::Instant::now();
            let err = DetachedSignature::parse(&der).unwrap_err();
            assert!(
                matches!(&err, CmsError::Limit(LimitError::TooMany { what: w, max: m }) if *w == what && *m == max),
                "{err}"
            );
            // Generous: linear work takes milliseconds even in a debug build.
            assert!(started.elapsed() < std::time::Duration::from_secs(5));
        }
    }

    #[test]
    fn a_few_extra_elements_out_of_order_are_still_read() {
        let der = swollen(5, false);
        let sig = DetachedSignature::parse(&der).unwrap();
        assert!(sig.signer_certificate().is_some());
        let der = swollen(MAX_CERTIFICATES - 2, false);
        assert!(matches!(
            DetachedSignature::parse(&der),
            Err(CmsError::Limit(LimitError::Unsorted { .. }))
        ));
    }
}
