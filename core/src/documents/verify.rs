//! Checking document signatures: a detached CMS over a stream, and every signature of a PDF
//! against the revision it signed.

use std::io::Read;

use serde::Serialize;
use time::OffsetDateTime;

use super::DocumentError;
use crate::cms::unsigned::{self, ValidationData};
use crate::cms::{
    self, Check, CheckKind, DetachedSignature, Outcome, ProvenTime, Purpose, TrustStore, Verdict,
};
use crate::pdf::{self, ChangesAfter, Coverage};
use crate::tsp::{TimestampToken, TimestampVerdict};

/// The most signature timestamps checked on one signature; more is a hostile file.
pub const MAX_SIGNATURE_TIMESTAMPS: usize = 8;

/// Checks a detached signature over the content `reader` yields (hashed as a stream), with no
/// trusted TSA: its timestamps are reported but prove nothing.
pub fn verify_detached(
    signature_der: &[u8],
    content: impl Read,
    trust: &TrustStore,
    now: OffsetDateTime,
    progress: impl FnMut(u64),
) -> Result<Verdict, DocumentError> {
    verify_detached_with(
        signature_der,
        content,
        trust,
        &TrustStore::new(),
        now,
        progress,
    )
}

/// Checks a detached signature (CAdES B, T or LT): its timestamps against the TSA anchors of
/// `tsa_trust`, its embedded CRLs and OCSP answers as revocation evidence, and the signer's
/// certificate at the time the earliest trusted timestamp proves, when there is one.
pub fn verify_detached_with(
    signature_der: &[u8],
    content: impl Read,
    trust: &TrustStore,
    tsa_trust: &TrustStore,
    now: OffsetDateTime,
    progress: impl FnMut(u64),
) -> Result<Verdict, DocumentError> {
    let signature = DetachedSignature::parse(signature_der)?;
    let digest = cms::digest_reader(signature.digest_algorithm(), content, progress)?;
    Ok(check_signature(
        &signature,
        signature_der,
        &digest,
        trust,
        tsa_trust,
        now,
        &[],
    ))
}

/// Adds the CRLs and OCSP answers of `data` to `trust` as evidence (unusable ones are skipped:
/// they simply do not count).
fn with_evidence(trust: &TrustStore, data: &ValidationData) -> TrustStore {
    let mut trust = trust.clone();
    for crl in &data.crls {
        let _ = trust.add_crls(crl);
    }
    for response in &data.ocsp_responses {
        let _ = trust.add_ocsp_response(response);
    }
    trust
}

/// Checks one CMS signature with its signature timestamps; `later` are times that later
/// document timestamps prove it existed at.
fn check_signature(
    signature: &DetachedSignature,
    cms_der: &[u8],
    digest: &[u8],
    trust: &TrustStore,
    tsa_trust: &TrustStore,
    now: OffsetDateTime,
    later: &[ProvenTime],
) -> Verdict {
    let embedded = unsigned::embedded_validation_data(cms_der).unwrap_or_default();
    let trust = with_evidence(trust, &embedded);
    let tsa_trust = with_evidence(tsa_trust, &embedded);
    let mut problems = Vec::new();
    let mut stamps = Vec::new();
    let tokens = unsigned::signature_timestamps(cms_der).unwrap_or_default();
    if tokens.len() > MAX_SIGNATURE_TIMESTAMPS {
        problems.push(format!(
            "it carries {} signature timestamps; at most {MAX_SIGNATURE_TIMESTAMPS} are checked",
            tokens.len()
        ));
    }
    let value = unsigned::signature_value(cms_der).unwrap_or_default();
    for der in tokens.iter().take(MAX_SIGNATURE_TIMESTAMPS) {
        match TimestampToken::parse(der) {
            Ok(token) => {
                let imprint = token.digest_algorithm().digest(&value);
                stamps.push(token.verify(&imprint, &tsa_trust, stamp_time(&token, now)));
            }
            Err(e) => problems.push(format!("a signature timestamp cannot be read: {e}")),
        }
    }
    let proof = stamps
        .iter()
        .filter(|v| v.valid)
        .map(|v| proof(v, "signature"))
        .chain(later.iter().cloned())
        .min_by_key(|p| p.at);
    let mut verdict = signature.verify_at(
        digest,
        &trust,
        Purpose::DocumentSigning,
        now,
        proof.as_ref(),
    );
    for stamp in &stamps {
        let (outcome, detail) = if stamp.valid {
            (
                Outcome::Passed,
                format!(
                    "signature timestamp of {} by {}",
                    rfc3339(stamp.gen_time),
                    stamp.tsa.as_deref().unwrap_or("an unnamed TSA")
                ),
            )
        } else {
            let why: Vec<&str> = stamp.failures().map(|c| c.detail.as_str()).collect();
            (
                Outcome::Failed,
                format!("the signature timestamp is not valid: {}", why.join("; ")),
            )
        };
        verdict.checks.push(Check {
            check: CheckKind::Timestamp,
            outcome,
            detail,
        });
    }
    for problem in problems {
        verdict.checks.push(Check {
            check: CheckKind::Timestamp,
            outcome: Outcome::Failed,
            detail: problem,
        });
    }
    verdict.timestamps = stamps;
    let valid = verdict.failures().next().is_none();
    verdict.valid = valid;
    verdict
}

/// What a valid `kind` ("signature", "document") timestamp proves.
fn proof(stamp: &TimestampVerdict, kind: &str) -> ProvenTime {
    ProvenTime {
        at: stamp.gen_time,
        by: format!(
            "the {kind} timestamp by {}",
            stamp.tsa.as_deref().unwrap_or("a trusted TSA")
        ),
    }
}

/// The time a timestamp's TSA certificate is judged at: its own genTime (what it proves is
/// fixed then; a TSA revoked or expired later does not undo it), never later than `now`.
fn stamp_time(token: &TimestampToken, now: OffsetDateTime) -> OffsetDateTime {
    token.gen_time().min(now)
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.to_string())
}

/// How many certificates, CRLs and OCSP answers a PDF's DSS holds.
#[derive(Debug, Clone, Serialize)]
pub struct DssSummary {
    /// Certificates.
    pub certificates: usize,
    /// CRLs.
    pub crls: usize,
    /// OCSP responses.
    pub ocsp_responses: usize,
}

/// One signature in a PDF and what was found about it.
#[derive(Debug, Clone, Serialize)]
pub struct PdfSignatureVerdict {
    /// The signature field's name.
    pub field: Option<String>,
    /// The signature's SubFilter (`ETSI.CAdES.detached`, `adbe.pkcs7.detached`).
    pub sub_filter: Option<String>,
    /// How much of the file its byte range covers, in words.
    pub coverage: String,
    /// True when its byte range reaches the end of the file.
    pub covers_whole_file: bool,
    /// What later revisions did to what it signed: `intact` (nothing), `allowed` (only what
    /// later signers may change), `modified` (what it signed was changed: not valid), or
    /// `not checked` (its byte range is unusable).
    pub changes_after_signing: &'static str,
    /// The changes after signing, in words.
    pub changes: Vec<String>,
    /// What it allows later changes to do (certification level, locked fields), in words.
    pub permissions: Vec<String>,
    /// The CMS verdict (absent when the signature could not even be parsed, and for a document
    /// timestamp).
    pub verdict: Option<Verdict>,
    /// For a document timestamp (`ETSI.RFC3161`): its verdict.
    pub document_timestamp: Option<TimestampVerdict>,
    /// The PAdES level its proof reaches: `B-B`, `B-T`, `B-LT` or `B-LTA` (signatures only).
    pub level: Option<&'static str>,
    /// Why it is not valid, beyond the CMS checks.
    pub problems: Vec<String>,
    /// True when this signature is valid.
    pub valid: bool,
}

/// The verdict on a signed PDF.
#[derive(Debug, Clone, Serialize)]
pub struct PdfVerdict {
    /// True when there is at least one signature, every one is valid (which includes: nothing it
    /// signed was changed by a later revision), and the last covers the whole file.
    pub valid: bool,
    /// Every signature, in file order.
    pub signatures: Vec<PdfSignatureVerdict>,
    /// Problems with the file as a whole.
    pub problems: Vec<String>,
    /// What its Document Security Store holds, when it has one.
    pub dss: Option<DssSummary>,
    /// Until when the last document timestamp protects the document (its TSA certificate's
    /// expiry): renew it with `kazasu extend` before then.
    pub protected_until: Option<String>,
}

/// Checks every signature in a PDF against the revision it signed, judges what later revisions
/// changed, and checks that nothing unsigned was added after the last one.
pub fn verify_pdf(
    bytes: &[u8],
    trust: &TrustStore,
    now: OffsetDateTime,
) -> Result<PdfVerdict, DocumentError> {
    verify_pdf_with(bytes, trust, &TrustStore::new(), now)
}

/// Like [`verify_pdf`], with the TSA anchors of `tsa_trust`: timestamps (signature and
/// document) are checked, the DSS's CRLs and OCSP answers count as revocation evidence, and
/// each signature is judged at the time its earliest trusted timestamp proves.
pub fn verify_pdf_with(
    bytes: &[u8],
    trust: &TrustStore,
    tsa_trust: &TrustStore,
    now: OffsetDateTime,
) -> Result<PdfVerdict, DocumentError> {
    let found = pdf::signatures(bytes)?;
    let dss = pdf::dss_contents(bytes)?;
    let trust = &with_evidence(trust, &dss);
    let tsa_trust = &with_evidence(tsa_trust, &dss);
    // Document timestamps first: a valid one proves every signature before it existed then.
    let mut doc_stamps: Vec<Option<TimestampVerdict>> = Vec::with_capacity(found.len());
    let mut protected_until = None;
    for sig in &found {
        if sig.sub_filter.as_deref() != Some("ETSI.RFC3161") {
            doc_stamps.push(None);
            continue;
        }
        let verdict = match (
            pdf::signed_parts(bytes, sig),
            TimestampToken::parse(&sig.cms_der),
        ) {
            (Ok(parts), Ok(token)) => {
                let mut hasher = cms::digest::Hasher::new(token.digest_algorithm());
                for part in parts {
                    hasher.update(part);
                }
                let v = token.verify(&hasher.finish(), tsa_trust, stamp_time(&token, now));
                if v.valid {
                    protected_until = token.tsa_certificate().map(|c| rfc3339(c.not_after()));
                }
                Some(v)
            }
            _ => None,
        };
        doc_stamps.push(verdict);
    }
    let mut problems = Vec::new();
    if found.is_empty() {
        problems.push("the PDF has no signatures".to_owned());
    }
    let count = found.len();
    let mut signatures = Vec::with_capacity(count);
    for (i, sig) in found.iter().enumerate() {
        let mut sig_problems = Vec::new();
        let (coverage, whole) = match &sig.coverage {
            Coverage::Ok {
                whole_file: true, ..
            } => (
                "the whole file except its own signature value".to_owned(),
                true,
            ),
            Coverage::Ok {
                whole_file: false, ..
            } => {
                let end = sig.byte_range.get(1).map_or(0, |&(b, c)| b + c);
                (
                    format!(
                        "the revision it signed (the first {end} of {} bytes), not what was added later",
                        bytes.len()
                    ),
                    false,
                )
            }
            Coverage::Bad(why) => {
                sig_problems.push(format!("its byte range is not acceptable: {why}"));
                (why.clone(), false)
            }
        };
        let (changes_after_signing, changes) = match (&sig.coverage, &sig.changes_after) {
            (Coverage::Bad(_), _) => ("not checked", Vec::new()),
            (_, ChangesAfter::None) => ("intact", Vec::new()),
            (_, ChangesAfter::Allowed(what)) => ("allowed", what.clone()),
            (_, ChangesAfter::Modified(what)) => {
                sig_problems.push(format!(
                    "the document was modified after this signature: {}",
                    what.join("; ")
                ));
                ("modified", what.clone())
            }
        };
        // A DSS added after the last signature (PAdES B-LT) is validation data, not content.
        let only_validation_data = matches!(&sig.changes_after,
            ChangesAfter::Allowed(what) if what.iter().all(|w| w.starts_with("validation data (DSS)")));
        if i + 1 == count
            && !whole
            && !only_validation_data
            && matches!(sig.coverage, Coverage::Ok { .. })
        {
            problems.push(
                "the file was changed after the last signature: a revision that nobody signed was appended"
                    .to_owned(),
            );
        }
        let later: Vec<ProvenTime> = doc_stamps
            .iter()
            .skip(i + 1)
            .flatten()
            .filter(|v| v.valid)
            .map(|v| proof(v, "document"))
            .collect();
        let document_timestamp = doc_stamps[i].clone();
        let is_doc_stamp = sig.sub_filter.as_deref() == Some("ETSI.RFC3161");
        if is_doc_stamp {
            match &document_timestamp {
                None => sig_problems.push("its timestamp token cannot be read".to_owned()),
                Some(v) if !v.valid => {
                    let why: Vec<&str> = v.failures().map(|c| c.detail.as_str()).collect();
                    sig_problems.push(format!(
                        "the document timestamp is not valid: {}",
                        why.join("; ")
                    ));
                }
                Some(_) => {}
            }
        }
        let verdict = match pdf::signed_parts(bytes, sig) {
            Ok(_) if is_doc_stamp => None,
            Ok(parts) => match DetachedSignature::parse(&sig.cms_der) {
                Ok(cms_sig) => {
                    let mut hasher = cms::digest::Hasher::new(cms_sig.digest_algorithm());
                    for part in parts {
                        hasher.update(part);
                    }
                    Some(check_signature(
                        &cms_sig,
                        &sig.cms_der,
                        &hasher.finish(),
                        trust,
                        tsa_trust,
                        now,
                        &later,
                    ))
                }
                Err(e) => {
                    sig_problems.push(format!("its CMS cannot be read: {e}"));
                    None
                }
            },
            Err(e) => {
                sig_problems.push(e.to_string());
                None
            }
        };
        // PAdES: the SubFilter ETSI.CAdES.detached promises a CAdES signature.
        if sig.sub_filter.as_deref() == Some("ETSI.CAdES.detached")
            && verdict
                .as_ref()
                .is_some_and(|v| v.format != cms::SignatureFormat::CadesBes)
        {
            sig_problems.push(
                "its SubFilter ETSI.CAdES.detached promises CAdES, but it is a PKCS#7 signature, not CAdES-BES"
                    .to_owned(),
            );
        }
        let valid = sig_problems.is_empty()
            && (verdict.as_ref().is_some_and(|v| v.valid)
                || (is_doc_stamp && document_timestamp.as_ref().is_some_and(|v| v.valid)));
        let level = verdict.as_ref().map(|v| {
            let timestamped = v.timestamps.iter().any(|t| t.valid);
            let revocation_embedded = (!dss.crls.is_empty() || !dss.ocsp_responses.is_empty())
                && v.checks
                    .iter()
                    .any(|c| c.check == CheckKind::Revocation && c.outcome == Outcome::Passed);
            match (timestamped, revocation_embedded, later.is_empty()) {
                (false, _, _) => "B-B",
                (true, false, _) => "B-T",
                (true, true, true) => "B-LT",
                (true, true, false) => "B-LTA",
            }
        });
        signatures.push(PdfSignatureVerdict {
            field: sig.field_name.clone(),
            sub_filter: sig.sub_filter.clone(),
            coverage,
            covers_whole_file: whole,
            changes_after_signing,
            changes,
            permissions: sig.permissions.clone(),
            verdict,
            document_timestamp,
            level,
            problems: sig_problems,
            valid,
        });
    }
    let valid = problems.is_empty() && signatures.iter().all(|s| s.valid);
    let dss = (!dss.is_empty()).then_some(DssSummary {
        certificates: dss.certificates.len(),
        crls: dss.crls.len(),
        ocsp_responses: dss.ocsp_responses.len(),
    });
    Ok(PdfVerdict {
        valid,
        signatures,
        problems,
        dss,
        protected_until,
    })
}
