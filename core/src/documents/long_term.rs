//! Signatures that outlive the certificate: the profiles a document can be signed with, and
//! what each adds after the card has signed — a signature timestamp (B-T), the certificates and
//! revocation data that prove the signer's certificate good at that time (B-LT), a document
//! timestamp over all of it (B-LTA) — and [`extend`], which renews a B-LTA archive.
//!
//! Nothing here is guessed: the time-stamping authority, the TSA certificates trusted and the
//! revocation sources are given by the person, and every answer is checked before it is kept.

use serde::Serialize;
use time::OffsetDateTime;

use super::DocumentError;
use crate::cert::CardCertificate;
use crate::cms::{self, DigestAlgorithm, TrustStore, ValidationData};
use crate::ocsp;
use crate::pdf::{self, SignOptions, SignatureField};
use crate::tsp::{self, TimestampRequest, TimestampToken};

/// Bytes of DER reserved for a document timestamp token in a PDF (tokens with a TSA chain are
/// 3–6 KB).
pub const DOC_TIMESTAMP_CAPACITY: usize = 16 * 1024;

/// How a document is signed: the ETSI baseline levels of PAdES (PDF) and CAdES (other files),
/// and the plain PKCS#7 form some Japanese government systems require.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Profile {
    /// PAdES baseline B: the signature alone. Valid while the certificate is.
    PadesB,
    /// PAdES B-T: plus a trusted timestamp proving when it was signed.
    PadesBT,
    /// PAdES B-LT: plus the certificates and revocation data (DSS) proving the certificate good
    /// at that time.
    PadesBLt,
    /// PAdES B-LTA: plus a document timestamp over everything, renewed with `extend`.
    PadesBLta,
    /// `adbe.pkcs7.detached` with no timestamp: what government filing systems accept.
    Government,
    /// CAdES-BES (baseline B), detached.
    CadesB,
    /// CAdES-T: plus a signature timestamp.
    CadesT,
    /// CAdES with complete validation data (baseline LT): timestamp, certificates, CRLs and
    /// OCSP responses in the signature.
    CadesLt,
}

impl Profile {
    /// Every profile, in the order they are offered.
    pub const ALL: [Profile; 8] = [
        Profile::PadesB,
        Profile::PadesBT,
        Profile::PadesBLt,
        Profile::PadesBLta,
        Profile::Government,
        Profile::CadesB,
        Profile::CadesT,
        Profile::CadesLt,
    ];

    /// The name on the command line and in the app (`pades-b-lt`).
    pub fn name(self) -> &'static str {
        match self {
            Profile::PadesB => "pades-b",
            Profile::PadesBT => "pades-b-t",
            Profile::PadesBLt => "pades-b-lt",
            Profile::PadesBLta => "pades-b-lta",
            Profile::Government => "government",
            Profile::CadesB => "cades-b",
            Profile::CadesT => "cades-t",
            Profile::CadesLt => "cades-lt",
        }
    }

    /// The profile called `name`, if any.
    pub fn from_name(name: &str) -> Option<Profile> {
        Profile::ALL.into_iter().find(|p| p.name() == name)
    }

    /// What it is for, in plain words.
    pub fn purpose(self) -> &'static str {
        match self {
            Profile::PadesB | Profile::CadesB => {
                "valid while the certificate is (up to five years); no network needed"
            }
            Profile::PadesBT | Profile::CadesT => {
                "proves when it was signed with a trusted timestamp"
            }
            Profile::PadesBLt | Profile::CadesLt => {
                "keeps its proof for years: timestamp, certificates and revocation data inside"
            }
            Profile::PadesBLta => {
                "keeps its proof for decades: B-LT plus an archive timestamp, renewed with `kazasu extend`"
            }
            Profile::Government => {
                "for government filings: adbe.pkcs7.detached, no timestamp (e-Gov, registry attachments)"
            }
        }
    }

    /// True for the profiles that sign inside a PDF.
    pub fn is_pdf(self) -> bool {
        matches!(
            self,
            Profile::PadesB
                | Profile::PadesBT
                | Profile::PadesBLt
                | Profile::PadesBLta
                | Profile::Government
        )
    }

    /// The baseline profile for a PDF or for a detached signature.
    pub fn baseline(pdf: bool) -> Profile {
        if pdf {
            Profile::PadesB
        } else {
            Profile::CadesB
        }
    }

    /// True when it needs a time-stamping authority.
    pub fn needs_timestamp(self) -> bool {
        !matches!(
            self,
            Profile::PadesB | Profile::CadesB | Profile::Government
        )
    }

    /// True when it embeds certificates and revocation data.
    pub fn embeds_validation_data(self) -> bool {
        matches!(
            self,
            Profile::PadesBLt | Profile::PadesBLta | Profile::CadesLt
        )
    }

    /// The signature dictionary a PDF profile writes.
    pub(crate) fn field(self) -> SignatureField {
        match self {
            Profile::Government => SignatureField::Pkcs7Detached,
            _ => SignatureField::CadesDetached,
        }
    }
}

impl std::fmt::Display for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Where timestamps and revocation data come from, as the person configured them.
#[derive(Debug, Clone, Default)]
pub struct LongTermSources {
    /// The time-stamping authority's URL (RFC 3161 over HTTP).
    pub tsa_url: Option<String>,
    /// The CAs whose time-stamping authorities are trusted.
    pub tsa_trust: TrustStore,
    /// CRLs (DER or PEM) to embed: the signing CA's and the TSA CA's.
    pub crls: Vec<Vec<u8>>,
    /// An OCSP responder to ask about the signer's certificate instead of the one its
    /// certificate names (JPKI signing certificates name none).
    pub ocsp_url: Option<String>,
}

impl LongTermSources {
    /// Checks, before the card is needed, that `profile` has what it needs.
    pub fn check_for(&self, profile: Profile) -> Result<(), DocumentError> {
        if profile.needs_timestamp() {
            if self.tsa_url.is_none() {
                return Err(DocumentError::NeedsTsa { profile });
            }
            if self.tsa_trust.anchors().is_empty() {
                return Err(DocumentError::NeedsTsaTrust { profile });
            }
        }
        if profile.embeds_validation_data() && self.crls.is_empty() && self.ocsp_url.is_none() {
            return Err(DocumentError::NeedsRevocationSource { profile });
        }
        Ok(())
    }
}

/// Asks the TSA for a token over `data` (hashed with `algorithm`) and keeps it only when it is
/// valid now: the right imprint and nonce, a TSA certificate for timestamping issued by a
/// trusted TSA CA.
pub(crate) fn timestamp(
    sources: &LongTermSources,
    algorithm: DigestAlgorithm,
    data_digest: &[u8],
    now: OffsetDateTime,
) -> Result<TimestampToken, DocumentError> {
    let url = sources.tsa_url.as_deref().ok_or(DocumentError::NeedsTsa {
        profile: Profile::PadesBT,
    })?;
    let request = TimestampRequest::new(algorithm, data_digest);
    let der = tsp::request_token(url, &request)?;
    let token = TimestampToken::parse(&der)?;
    let verdict = token.verify(data_digest, &sources.tsa_trust, now);
    if !verdict.valid {
        let why = verdict
            .checks
            .iter()
            .filter(|c| c.outcome == cms::Outcome::Failed)
            .map(|c| c.detail.clone())
            .collect::<Vec<_>>()
            .join("; ");
        return Err(DocumentError::TimestampNotTrusted { why });
    }
    Ok(token)
}

/// Adds a signature timestamp (over the signature value) to a CMS signature.
pub(crate) fn add_signature_timestamp(
    cms_der: &[u8],
    algorithm: DigestAlgorithm,
    sources: &LongTermSources,
    now: OffsetDateTime,
) -> Result<(Vec<u8>, TimestampToken), DocumentError> {
    let value = cms::unsigned::signature_value(cms_der)?;
    let token = timestamp(sources, algorithm, &algorithm.digest(&value), now)?;
    Ok((
        cms::unsigned::add_signature_timestamp(cms_der, token.der())?,
        token,
    ))
}

/// The certificates, CRLs and OCSP answers that prove `signer` (issued by `ca`) and each TSA of
/// `tokens` good at `now`. The signer must be covered by a current CRL or OCSP answer (and not
/// revoked); TSA certificates get whatever the sources hold for them.
pub(crate) fn validation_data(
    signer: &CardCertificate,
    ca: &CardCertificate,
    tokens: &[&TimestampToken],
    sources: &LongTermSources,
    now: OffsetDateTime,
) -> Result<ValidationData, DocumentError> {
    let mut data = ValidationData::default();
    data.certificates.push(signer.der().to_vec());
    data.certificates.push(ca.der().to_vec());

    // The signer: the CRLs given (those its CA signed), then OCSP if a responder is known.
    let crls = crls_about(signer, ca, &sources.crls, now)?;
    if let Some(on) = crls.revoked {
        return Err(DocumentError::SignerRevoked { on });
    }
    let covered_by_crl = !crls.good.is_empty();
    data.crls.extend(crls.good);
    let mut covered_by_ocsp = false;
    let ocsp_url = sources.ocsp_url.clone().or_else(|| signer.ocsp_url());
    if let Some(url) = ocsp_url {
        let request = ocsp::OcspRequest::new(signer, ca);
        let response = ocsp::fetch(&url, &request)?;
        let answer = ocsp::check(&response, signer, ca, request.nonce(), now)?;
        match answer.status {
            ocsp::OcspStatus::Good => {
                covered_by_ocsp = true;
                data.ocsp_responses.push(response);
            }
            ocsp::OcspStatus::Revoked { on, .. } => {
                return Err(DocumentError::SignerRevoked { on });
            }
            ocsp::OcspStatus::Unknown => {}
        }
    }
    // Validators consult OCSP only for a certificate that names a responder (pyHanko, like
    // RFC 5280 practice): for a JPKI signing certificate, which names none, only a CRL counts.
    let ocsp_counts = covered_by_ocsp && signer.ocsp_url().is_some();
    if !covered_by_crl && !ocsp_counts {
        return Err(if covered_by_ocsp {
            DocumentError::NeedsCrl {
                certificate: signer.subject(),
            }
        } else {
            DocumentError::NoRevocationData {
                certificate: signer.subject(),
            }
        });
    }

    // Each TSA: its certificate, its CA, and what the sources say about it.
    for token in tokens {
        if let Some(tsa) = token.tsa_certificate() {
            data.merge(tsa_validation_data(&tsa, sources, now)?);
        }
    }
    let mut unique = ValidationData::default();
    unique.merge(data);
    Ok(unique)
}

/// What the CRLs given say about `certificate`, issued by `ca`, at `now`.
struct CrlsAbout {
    /// The DER CRLs, signed by `ca`, that say it is not revoked.
    good: Vec<Vec<u8>>,
    /// When one of them says it was revoked.
    revoked: Option<OffsetDateTime>,
}

/// Each CRL of `crls` (DER or PEM) that `ca` signed, judged about `certificate` at `now`.
fn crls_about(
    certificate: &CardCertificate,
    ca: &CardCertificate,
    crls: &[Vec<u8>],
    now: OffsetDateTime,
) -> Result<CrlsAbout, DocumentError> {
    let mut trust = TrustStore::new();
    trust.add_anchors(ca.der())?;
    let mut about = CrlsAbout {
        good: Vec::new(),
        revoked: None,
    };
    for crl in crls {
        let mut one = trust.clone();
        if one.add_crls(crl).is_err() {
            continue;
        }
        match one.revocation(certificate, ca, now) {
            cms::trust::CrlAnswer::Good { .. } => about.good.extend(crl_ders(crl)),
            cms::trust::CrlAnswer::Revoked(r) => about.revoked = Some(r.on),
            _ => {}
        }
    }
    Ok(about)
}

/// A TSA's certificate, its CA from the trusted TSA CAs, the CRLs given that show it good at
/// `now`, and its own OCSP responder's answer when it names one.
fn tsa_validation_data(
    tsa: &CardCertificate,
    sources: &LongTermSources,
    now: OffsetDateTime,
) -> Result<ValidationData, DocumentError> {
    let mut data = ValidationData::default();
    data.certificates.push(tsa.der().to_vec());
    let Some(ca) = sources.tsa_trust.issuer_of(tsa) else {
        return Ok(data);
    };
    data.certificates.push(ca.der().to_vec());
    data.crls = crls_about(tsa, ca, &sources.crls, now)?.good;
    if let Some(url) = tsa.ocsp_url() {
        let request = ocsp::OcspRequest::new(tsa, ca);
        if let Ok(response) = ocsp::fetch(&url, &request)
            && ocsp::check(&response, tsa, ca, request.nonce(), now).is_ok()
        {
            data.ocsp_responses.push(response);
        }
    }
    Ok(data)
}

/// The DER CRLs in `bytes` (DER, or PEM blocks).
fn crl_ders(bytes: &[u8]) -> Vec<Vec<u8>> {
    crate::cms::trust::der_objects(bytes, "X509 CRL").unwrap_or_default()
}

/// Appends a document timestamp (PAdES B-LTA) over the whole of `pdf`.
pub(crate) fn add_document_timestamp(
    pdf: &[u8],
    sources: &LongTermSources,
    now: OffsetDateTime,
) -> Result<(Vec<u8>, TimestampToken), DocumentError> {
    let options = SignOptions {
        kind: SignatureField::DocTimeStamp,
        contents_capacity: DOC_TIMESTAMP_CAPACITY,
        signing_time: now,
        ..SignOptions::default()
    };
    let prepared = pdf::prepare(pdf, &options)?;
    let algorithm = DigestAlgorithm::Sha256;
    let mut hasher = cms::digest::Hasher::new(algorithm);
    for part in prepared.signed_parts() {
        hasher.update(part);
    }
    let token = timestamp(sources, algorithm, &hasher.finish(), now)?;
    Ok((prepared.finish(token.der())?, token))
}

/// Renews a PAdES B-LTA archive: adds the validation data of its last document timestamp's
/// TSA (from `sources`) to the DSS, then a new document timestamp over everything. The file
/// must already hold a document timestamp.
pub fn extend(
    pdf: &[u8],
    sources: &LongTermSources,
    now: OffsetDateTime,
) -> Result<Vec<u8>, DocumentError> {
    let last = pdf::signatures(pdf)?
        .into_iter()
        .rev()
        .find(|s| s.sub_filter.as_deref() == Some("ETSI.RFC3161"))
        .ok_or(DocumentError::NotAnArchive)?;
    let token = TimestampToken::parse(&last.cms_der)?;
    let data = match token.tsa_certificate() {
        Some(tsa) => tsa_validation_data(&tsa, sources, now)?,
        None => ValidationData::default(),
    };
    let with_dss = pdf::add_dss(pdf, &data, &[])?;
    Ok(add_document_timestamp(&with_dss, sources, now)?.0)
}
