//! What a verifier trusts: CA certificates (several generations may be trusted at once), and
//! the revocation evidence about their certificates: CRLs and OCSP responses.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use const_oid::ObjectIdentifier;
use der::{Decode, Encode};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use x509_cert::crl::{CertificateList, RevokedCert};
use x509_cert::ext::pkix::crl::dp::IssuingDistributionPoint;
use x509_cert::ext::pkix::name::DistributionPointName;
use x509_cert::ext::pkix::{BasicConstraints, CrlDistributionPoints, CrlNumber};
use x509_cert::name::Name;

use super::CmsError;
use super::digest::DigestAlgorithm;
use crate::cert::CardCertificate;
use crate::ocsp::{self, OcspError, OcspStatus};

/// Trust anchors and revocation lists.
///
/// Signatures on certificates and CRLs are checked once and remembered (by the certificate's
/// SHA-256, and per CRL), so that a relying party does not repeat them at every login.
#[derive(Debug, Clone)]
pub struct TrustStore {
    anchors: Vec<CardCertificate>,
    crls: Vec<Crl>,
    ocsp_responses: Vec<Arc<Vec<u8>>>,
    ocsp_source: Option<Arc<dyn OcspSource>>,
    crl_grace: time::Duration,
    issuers: Arc<Mutex<HashMap<[u8; 32], usize>>>,
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

/// Remembered issuers are dropped when this many certificates have accumulated. Only
/// certificates a trusted CA really issued are remembered, so strangers' certificates never
/// fill it (nor empty it for the people who log in every day).
const MAX_REMEMBERED: usize = 100_000;

/// How long after its nextUpdate a CRL is still used, unless [`TrustStore::set_crl_grace`]
/// says otherwise: none. A CRL past its nextUpdate may be missing revocations made since, so
/// by default the answer is "revocation unknown" from that instant.
pub const DEFAULT_CRL_GRACE: time::Duration = time::Duration::ZERO;

/// OCSP responses one store keeps ([`TrustStore::add_ocsp_response`]): a verifier gives one
/// per certificate it checks, a relying party caches its own.
pub const MAX_OCSP_RESPONSES: usize = 256;

/// `id-ce-cRLNumber`.
const CRL_NUMBER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.20");
/// `id-ce-deltaCRLIndicator`.
const DELTA_CRL_INDICATOR: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.27");
/// `id-ce-issuingDistributionPoint` (x509-cert 0.2 gives its type the wrong OID).
const ISSUING_DISTRIBUTION_POINT: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.28");
/// `id-ce-certificateIssuer`: a CRL entry about another CA's certificate (indirect CRL).
const CERTIFICATE_ISSUER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.29");
/// CRL extensions understood (or harmless) here; any other marked critical makes a CRL unusable.
const KNOWN_CRL_EXTENSIONS: &[&str] = &[
    "2.5.29.35",         // authorityKeyIdentifier
    "2.5.29.20",         // cRLNumber
    "2.5.29.28",         // issuingDistributionPoint
    "2.5.29.27",         // deltaCRLIndicator (refused below)
    "2.5.29.46",         // freshestCRL
    "2.5.29.18",         // issuerAltName
    "1.3.6.1.5.5.7.1.1", // authorityInfoAccess
];
/// CRL entry extensions understood here.
const KNOWN_ENTRY_EXTENSIONS: &[&str] = &[
    "2.5.29.21", // reasonCode
    "2.5.29.24", // invalidityDate
    "2.5.29.23", // holdInstructionCode
    "2.5.29.29", // certificateIssuer (refused below)
];

/// A parsed certificate revocation list, with what its extensions say about its use.
#[derive(Debug, Clone)]
pub struct Crl {
    list: CertificateList,
    /// Its DER, as given: evidence kept for long-term signatures.
    der: Arc<Vec<u8>>,
    /// Its cRLNumber (big-endian, no leading zeros), if it has one.
    number: Option<Vec<u8>>,
    /// Its issuingDistributionPoint, if it has one.
    scope: Option<IssuingDistributionPoint>,
    /// Why it cannot be used for any certificate (delta, indirect, unknown critical extension).
    unusable: Option<Unusable>,
    /// Revoked serial numbers → index in the list, so that a large CRL is searched in O(1).
    index: Arc<HashMap<Vec<u8>, usize>>,
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

/// Why no CRL given can say whether a certificate is revoked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Unusable {
    /// CRLs name the issuer but none is signed by its key (another CA with the same name, or altered).
    #[error("the CRL naming the issuer is not signed by the trusted CA's key")]
    NotSignedByIssuer,
    /// An indirect CRL (listing another CA's certificates): not supported.
    #[error("the CRL is an indirect CRL, which Kazasu does not use")]
    Indirect,
    /// A delta CRL lists only the changes since a base CRL.
    #[error("the CRL is a delta CRL; give the CA's complete CRL")]
    Delta,
    /// An extension marked critical that Kazasu does not understand.
    #[error("the CRL has a critical extension Kazasu does not understand ({0})")]
    UnknownCriticalExtension(String),
    /// Its issuingDistributionPoint does not cover this certificate.
    #[error("the CRL does not cover this certificate: {0}")]
    OutOfScope(&'static str),
    /// It covers only some revocation reasons.
    #[error("the CRL covers only some revocation reasons; give the CA's complete CRL")]
    SomeReasonsOnly,
    /// Its nextUpdate (plus the grace) has passed.
    #[error("the CRL expired: its next update was due {}", rfc3339(*next_update))]
    Expired {
        /// Its nextUpdate.
        next_update: OffsetDateTime,
        /// Its thisUpdate.
        this_update: OffsetDateTime,
    },
    /// It has no nextUpdate: nothing says it is current.
    #[error("the CRL has no next update, so nothing says it is current")]
    NoNextUpdate,
    /// Issued after the time asked about.
    #[error("the CRL was issued {}, after the time checked", rfc3339(*this_update))]
    NotYetIssued {
        /// Its thisUpdate.
        this_update: OffsetDateTime,
    },
    /// Its extensions cannot be read.
    #[error("the CRL's {0} extension cannot be read")]
    Malformed(&'static str),
    /// An OCSP response about the certificate cannot be used (not signed by the CA, stale…).
    #[error("{0}")]
    Ocsp(OcspError),
    /// The CA's OCSP responder says it does not know the certificate.
    #[error("the OCSP responder does not know the certificate")]
    OcspUnknown,
}

/// What the CRLs and OCSP responses say about one certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RevocationAnswer {
    /// Not checked: no CRL naming the certificate's issuer and no OCSP response about the
    /// certificate was given.
    NoCrl,
    /// Evidence was given, but none can say: revocation unknown (never "not revoked").
    Unknown(Unusable),
    /// Listed as revoked by the newest usable CRL, or answered revoked by the CA's responder.
    Revoked(Revoked),
    /// Not listed in a current CRL signed by the issuer and covering the certificate, or
    /// answered good by the CA's responder in a current response; and revoked by neither.
    Good {
        /// The CRL's or OCSP answer's thisUpdate.
        this_update: OffsetDateTime,
        /// Its nextUpdate (for an OCSP answer without one, thisUpdate plus
        /// [`ocsp::MAX_AGE_WITHOUT_NEXT_UPDATE`]).
        next_update: OffsetDateTime,
        /// Which evidence said so.
        source: RevocationSource,
    },
}

/// The former name of [`RevocationAnswer`], from when only CRLs were consulted.
pub type CrlAnswer = RevocationAnswer;

/// Where a store gets an OCSP response about a certificate when it is asked about one: a
/// relying party's responder client with its cache. [`TrustStore::revocation`] checks what it
/// gives like any response ([`ocsp::check`]); a source that has none (responder unreachable)
/// says `None`, and revocation is then decided by the other evidence alone.
pub trait OcspSource: Send + Sync + std::fmt::Debug {
    /// A DER OCSPResponse about `certificate`, issued by the trusted `issuer`, current at `at`
    /// as far as the source knows (a nonce, if it sent one, already checked); `None` if it has
    /// none.
    fn response_for(
        &self,
        certificate: &CardCertificate,
        issuer: &CardCertificate,
        at: OffsetDateTime,
    ) -> Option<Vec<u8>>;
}

/// Which kind of evidence decided that a certificate is not revoked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevocationSource {
    /// The CA's CRL.
    Crl,
    /// An OCSP response signed by the CA or its authorised responder.
    Ocsp,
}

impl std::fmt::Display for RevocationSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            RevocationSource::Crl => "CRL",
            RevocationSource::Ocsp => "OCSP answer",
        })
    }
}

/// Revocation evidence that decided, as the CA or its responder signed it: what a long-term
/// signature embeds (a PDF's DSS, CAdES revocation values) so that it can be checked later
/// without asking anyone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Evidence {
    /// A DER CRL.
    Crl(Vec<u8>),
    /// A DER OCSPResponse.
    Ocsp(Vec<u8>),
}

/// Where one CRL stands in its CA's sequence: the CA key that signed it and how new it is.
/// kazasu-rp compares these so that a refresh never goes back to an older CRL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrlVersion {
    /// SHA-256 of the trusted CA certificate whose key signed it.
    pub signer: [u8; 32],
    /// Its cRLNumber (big-endian, no leading zeros), if it has one.
    pub number: Option<Vec<u8>>,
    /// Its thisUpdate.
    pub this_update: OffsetDateTime,
}

impl CrlVersion {
    /// True when `self` is an older CRL than `other` from the same CA key: a lower cRLNumber
    /// (when both have one), or the same number or none and an earlier thisUpdate.
    pub fn is_older_than(&self, other: &CrlVersion) -> bool {
        if self.signer != other.signer {
            return false;
        }
        match (&self.number, &other.number) {
            (Some(a), Some(b)) if a != b => (a.len(), a) < (b.len(), b),
            _ => self.this_update < other.this_update,
        }
    }
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.to_string())
}

/// Splits PEM text into DER blocks with `label`, or takes `bytes` as one DER object.
pub(crate) fn der_objects(bytes: &[u8], label: &str) -> Result<Vec<Vec<u8>>, CmsError> {
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

impl Default for TrustStore {
    fn default() -> TrustStore {
        TrustStore {
            anchors: Vec::new(),
            crls: Vec::new(),
            ocsp_responses: Vec::new(),
            ocsp_source: None,
            crl_grace: DEFAULT_CRL_GRACE,
            issuers: Arc::default(),
        }
    }
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
        let crls = parse_crls(bytes)?;
        let count = crls.len();
        self.crls.extend(crls);
        Ok(count)
    }

    /// Adds one DER OCSPResponse as revocation evidence. It is refused now if it is too large,
    /// not DER, not successful or not a basic response; its signature, subject and freshness
    /// are checked each time it is consulted ([`ocsp::check`]). Its nonce is not: whoever
    /// fetched it checks that ([`ocsp::OcspRequest::nonce`]).
    pub fn add_ocsp_response(&mut self, der: &[u8]) -> Result<(), OcspError> {
        if self.ocsp_responses.len() >= MAX_OCSP_RESPONSES {
            return Err(OcspError::Limit(super::limits::LimitError::TooMany {
                what: "OCSP responses in one trust store",
                max: MAX_OCSP_RESPONSES,
            }));
        }
        ocsp::validate(der)?;
        self.ocsp_responses.push(Arc::new(der.to_vec()));
        Ok(())
    }

    /// Asks `source` for an OCSP response each time revocation is decided, beside the CRLs and
    /// responses given (a relying party's per-login responder, with its own cache).
    pub fn set_ocsp_source(&mut self, source: Arc<dyn OcspSource>) {
        self.ocsp_source = Some(source);
    }

    /// True when an [`OcspSource`] is consulted ([`TrustStore::set_ocsp_source`]).
    pub fn has_ocsp_source(&self) -> bool {
        self.ocsp_source.is_some()
    }

    /// How long after its nextUpdate a CRL is still used ([`DEFAULT_CRL_GRACE`] unless set).
    pub fn set_crl_grace(&mut self, grace: time::Duration) {
        self.crl_grace = grace;
    }

    /// The version of each CRL in `bytes` (see [`TrustStore::add_crls`]), or `None` for a CRL
    /// that no trusted CA signed.
    pub fn crl_versions(&self, bytes: &[u8]) -> Result<Vec<Option<CrlVersion>>, CmsError> {
        Ok(parse_crls(bytes)?
            .iter()
            .map(|crl| {
                let signer = self.anchors.iter().find(|a| {
                    a.x509().tbs_certificate.subject == crl.list.tbs_cert_list.issuer
                        && crl.is_signed_by(a)
                })?;
                Some(CrlVersion {
                    signer: Sha256::digest(signer.der()).into(),
                    number: crl.number.clone(),
                    this_update: crl.this_update(),
                })
            })
            .collect())
    }

    /// The trusted CA certificates.
    pub fn anchors(&self) -> &[CardCertificate] {
        &self.anchors
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
            return Some(&self.anchors[known]);
        }
        let issuer = &certificate.x509().tbs_certificate.issuer;
        let found = self.anchors.iter().position(|a| {
            a.x509().tbs_certificate.subject == *issuer && certificate.is_signed_by(a)
        });
        if let (Some(i), Ok(mut m)) = (found, self.issuers.lock()) {
            if m.len() >= MAX_REMEMBERED {
                m.clear();
            }
            m.insert(key, i);
        }
        found.map(|i| &self.anchors[i])
    }

    /// What the CRLs and OCSP responses say about `certificate`, issued by the trusted
    /// `issuer`, at time `at`.
    ///
    /// The one place revocation is decided, for documents and logins alike. A CRL counts only
    /// when it is signed by `issuer`'s key, is complete and direct (no delta, indirect or
    /// unknown critical extension), and its issuingDistributionPoint covers the certificate;
    /// of those, the newest (cRLNumber, then thisUpdate) decides. It says "not revoked" only
    /// if it is current at `at` (issued before, nextUpdate plus the grace after). An OCSP
    /// response counts when [`ocsp::check`] accepts it. Revoked by either wins; else good by
    /// either is good; anything else is [`RevocationAnswer::Unknown`], or
    /// [`RevocationAnswer::NoCrl`] when there was no evidence at all.
    pub fn revocation(
        &self,
        certificate: &CardCertificate,
        issuer: &CardCertificate,
        at: OffsetDateTime,
    ) -> RevocationAnswer {
        self.decide(certificate, issuer, at).0
    }

    /// The CRL and OCSP responses (DER, as given) that decide [`TrustStore::revocation`] for
    /// `certificate` at `at`: the CRL it was judged by and every usable OCSP answer about it.
    /// Empty when revocation is not known.
    pub fn evidence_for(
        &self,
        certificate: &CardCertificate,
        issuer: &CardCertificate,
        at: OffsetDateTime,
    ) -> Vec<Evidence> {
        self.decide(certificate, issuer, at).1
    }

    /// The answer and the evidence behind it.
    fn decide(
        &self,
        certificate: &CardCertificate,
        issuer: &CardCertificate,
        at: OffsetDateTime,
    ) -> (RevocationAnswer, Vec<Evidence>) {
        let (crl_answer, crl) = self.crl_revocation(certificate, issuer, at);
        let asked = self
            .ocsp_source
            .as_ref()
            .and_then(|source| source.response_for(certificate, issuer, at))
            .map(Arc::new);
        let answers: Vec<_> = self
            .ocsp_responses
            .iter()
            .chain(asked.iter())
            .filter(|der| ocsp::is_about(der, certificate, issuer))
            .map(|der| (der, ocsp::check(der, certificate, issuer, None, at)))
            .collect();
        let mut evidence: Vec<Evidence> = Vec::new();
        if let (Some(crl), RevocationAnswer::Good { .. } | RevocationAnswer::Revoked(_)) =
            (crl, &crl_answer)
        {
            evidence.push(Evidence::Crl(crl.der.to_vec()));
        }
        for (der, answer) in &answers {
            if matches!(
                answer,
                Ok(a) if matches!(a.status, OcspStatus::Good | OcspStatus::Revoked { .. })
            ) {
                evidence.push(Evidence::Ocsp(der.to_vec()));
            }
        }
        if matches!(crl_answer, RevocationAnswer::Revoked(_)) {
            return (crl_answer, evidence);
        }
        let ok = || answers.iter().filter_map(|(_, a)| a.as_ref().ok());
        if let Some(on) = ok().find_map(|a| match a.status {
            OcspStatus::Revoked { on, .. } => Some(on),
            _ => None,
        }) {
            return (RevocationAnswer::Revoked(Revoked { on }), evidence);
        }
        if matches!(crl_answer, RevocationAnswer::Good { .. }) {
            return (crl_answer, evidence);
        }
        if let Some(good) = ok().find(|a| a.status == OcspStatus::Good) {
            let good = RevocationAnswer::Good {
                this_update: good.this_update,
                next_update: good
                    .next_update
                    .unwrap_or(good.this_update + ocsp::MAX_AGE_WITHOUT_NEXT_UPDATE),
                source: RevocationSource::Ocsp,
            };
            return (good, evidence);
        }
        // Nothing says "not revoked": say why, preferring what the CRL said.
        let ocsp_why = answers.iter().find_map(|(_, a)| match a {
            Err(e) => Some(Unusable::Ocsp(e.clone())),
            Ok(a) if a.status == OcspStatus::Unknown => Some(Unusable::OcspUnknown),
            Ok(_) => None,
        });
        let answer = match (crl_answer, ocsp_why) {
            (RevocationAnswer::NoCrl, Some(why)) => RevocationAnswer::Unknown(why),
            (answer, _) => answer,
        };
        (answer, Vec::new())
    }

    /// What the CRLs alone say, and the CRL that said it.
    fn crl_revocation(
        &self,
        certificate: &CardCertificate,
        issuer: &CardCertificate,
        at: OffsetDateTime,
    ) -> (RevocationAnswer, Option<&Crl>) {
        let name: &Name = &certificate.x509().tbs_certificate.issuer;
        let mut named = self
            .crls
            .iter()
            .filter(|c| c.list.tbs_cert_list.issuer == *name)
            .peekable();
        if named.peek().is_none() {
            return (RevocationAnswer::NoCrl, None);
        }
        let mut why = Unusable::NotSignedByIssuer;
        let mut newest: Option<&Crl> = None;
        for crl in named {
            if !crl.is_signed_by(issuer) {
                continue;
            }
            if let Err(reason) = crl.covers(certificate) {
                why = reason;
                continue;
            }
            if newest.is_none_or(|n| crl.is_newer_than(n)) {
                newest = Some(crl);
            }
        }
        let Some(crl) = newest else {
            return (RevocationAnswer::Unknown(why), None);
        };
        // A revocation stands even in a CRL that is no longer current.
        if let Some(entry) = crl.entry(&certificate.x509().tbs_certificate.serial_number) {
            let revoked = Revoked {
                on: to_offset(entry.revocation_date),
            };
            return (RevocationAnswer::Revoked(revoked), Some(crl));
        }
        let this_update = crl.this_update();
        let Some(next_update) = crl.list.tbs_cert_list.next_update.map(to_offset) else {
            return (RevocationAnswer::Unknown(Unusable::NoNextUpdate), None);
        };
        if this_update > at {
            let why = Unusable::NotYetIssued { this_update };
            return (RevocationAnswer::Unknown(why), None);
        }
        if next_update + self.crl_grace < at {
            let why = Unusable::Expired {
                next_update,
                this_update,
            };
            return (RevocationAnswer::Unknown(why), None);
        }
        let good = RevocationAnswer::Good {
            this_update,
            next_update,
            source: RevocationSource::Crl,
        };
        (good, Some(crl))
    }
}

/// Parses the CRLs in `bytes` (DER, or PEM `X509 CRL` blocks), after the linear DER checks.
fn parse_crls(bytes: &[u8]) -> Result<Vec<Crl>, CmsError> {
    der_objects(bytes, "X509 CRL")?
        .iter()
        .map(|der| {
            super::limits::check_crl(der)?;
            let list = CertificateList::from_der(der).map_err(CmsError::Der)?;
            Ok(Crl::new(list, der.clone()))
        })
        .collect()
}

fn is_ca(certificate: &CardCertificate) -> bool {
    matches!(
        certificate.x509().tbs_certificate.get::<BasicConstraints>(),
        Ok(Some((_, BasicConstraints { ca: true, .. })))
    )
}

impl Crl {
    fn new(list: CertificateList, der: Vec<u8>) -> Crl {
        let mut number = None;
        let mut scope = None;
        let mut unusable = None;
        let mut flag = |reason: Unusable| {
            unusable.get_or_insert(reason);
        };
        for ext in list.tbs_cert_list.crl_extensions.iter().flatten() {
            let value = ext.extn_value.as_bytes();
            if ext.extn_id == CRL_NUMBER {
                match CrlNumber::from_der(value) {
                    Ok(n) => number = Some(n.0.as_bytes().to_vec()),
                    Err(_) => flag(Unusable::Malformed("cRLNumber")),
                }
            } else if ext.extn_id == ISSUING_DISTRIBUTION_POINT {
                match IssuingDistributionPoint::from_der(value) {
                    Ok(idp) => scope = Some(idp),
                    Err(_) => flag(Unusable::Malformed("issuingDistributionPoint")),
                }
            } else if ext.extn_id == DELTA_CRL_INDICATOR {
                flag(Unusable::Delta);
            } else if ext.critical
                && !KNOWN_CRL_EXTENSIONS.contains(&ext.extn_id.to_string().as_str())
            {
                flag(Unusable::UnknownCriticalExtension(ext.extn_id.to_string()));
            }
        }
        if scope.as_ref().is_some_and(|s| s.indirect_crl) {
            flag(Unusable::Indirect);
        }
        let mut index = HashMap::new();
        for (i, entry) in list
            .tbs_cert_list
            .revoked_certificates
            .iter()
            .flatten()
            .enumerate()
        {
            for ext in entry.crl_entry_extensions.iter().flatten() {
                if ext.extn_id == CERTIFICATE_ISSUER {
                    flag(Unusable::Indirect);
                } else if ext.critical
                    && !KNOWN_ENTRY_EXTENSIONS.contains(&ext.extn_id.to_string().as_str())
                {
                    flag(Unusable::UnknownCriticalExtension(ext.extn_id.to_string()));
                }
            }
            index
                .entry(entry.serial_number.as_bytes().to_vec())
                .or_insert(i);
        }
        Crl {
            list,
            der: Arc::new(der),
            number,
            scope,
            unusable,
            index: Arc::new(index),
            signer: Arc::default(),
        }
    }

    fn this_update(&self) -> OffsetDateTime {
        to_offset(self.list.tbs_cert_list.this_update)
    }

    /// Newer by cRLNumber when both have one, else by thisUpdate.
    fn is_newer_than(&self, other: &Crl) -> bool {
        match (&self.number, &other.number) {
            (Some(a), Some(b)) if a != b => (a.len(), a) > (b.len(), b),
            _ => self.this_update() > other.this_update(),
        }
    }

    /// The entry revoking `serial`, if any.
    fn entry(&self, serial: &x509_cert::serial_number::SerialNumber) -> Option<&RevokedCert> {
        let i = *self.index.get(serial.as_bytes())?;
        self.list
            .tbs_cert_list
            .revoked_certificates
            .as_ref()?
            .get(i)
    }

    /// Whether this CRL may speak about `certificate` (RFC 5280 §6.3.3 (b)): complete, direct,
    /// and with an issuingDistributionPoint (if any) that covers it.
    fn covers(&self, certificate: &CardCertificate) -> Result<(), Unusable> {
        if let Some(reason) = &self.unusable {
            return Err(reason.clone());
        }
        let Some(idp) = &self.scope else {
            return Ok(());
        };
        if idp.only_contains_attribute_certs {
            return Err(Unusable::OutOfScope(
                "it covers only attribute certificates",
            ));
        }
        let ca = is_ca(certificate);
        if idp.only_contains_ca_certs && !ca {
            return Err(Unusable::OutOfScope("it covers only CA certificates"));
        }
        if idp.only_contains_user_certs && ca {
            return Err(Unusable::OutOfScope(
                "it covers only end-entity certificates",
            ));
        }
        if idp.only_some_reasons.is_some() {
            return Err(Unusable::SomeReasonsOnly);
        }
        if let Some(point) = &idp.distribution_point {
            let listed = certificate
                .x509()
                .tbs_certificate
                .get::<CrlDistributionPoints>()
                .ok()
                .flatten()
                .is_some_and(|(_, points)| {
                    points
                        .0
                        .iter()
                        .filter_map(|p| p.distribution_point.as_ref())
                        .any(|p| same_point(p, point))
                });
            if !listed {
                return Err(Unusable::OutOfScope(
                    "it is for a distribution point the certificate does not name",
                ));
            }
        }
        Ok(())
    }

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

/// Two distribution point names match when they are equal or share a general name.
fn same_point(a: &DistributionPointName, b: &DistributionPointName) -> bool {
    match (a, b) {
        (DistributionPointName::FullName(x), DistributionPointName::FullName(y)) => {
            x.iter().any(|n| y.contains(n))
        }
        _ => a == b,
    }
}
