//! Checking document signatures: a detached CMS over a stream, and every signature of a PDF
//! against the revision it signed.

use std::io::Read;

use serde::Serialize;
use time::OffsetDateTime;

use super::DocumentError;
use crate::cms::{self, DetachedSignature, Purpose, TrustStore, Verdict};
use crate::pdf::{self, ChangesAfter, Coverage};

/// Checks a detached signature over the content `reader` yields (hashed as a stream).
pub fn verify_detached(
    signature_der: &[u8],
    content: impl Read,
    trust: &TrustStore,
    now: OffsetDateTime,
    progress: impl FnMut(u64),
) -> Result<Verdict, DocumentError> {
    let signature = DetachedSignature::parse(signature_der)?;
    let digest = cms::digest_reader(signature.digest_algorithm(), content, progress)?;
    Ok(signature.verify(&digest, trust, Purpose::DocumentSigning, now))
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
    /// The CMS verdict (absent when the signature could not even be parsed).
    pub verdict: Option<Verdict>,
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
}

/// Checks every signature in a PDF against the revision it signed, judges what later revisions
/// changed, and checks that nothing unsigned was added after the last one.
pub fn verify_pdf(
    bytes: &[u8],
    trust: &TrustStore,
    now: OffsetDateTime,
) -> Result<PdfVerdict, DocumentError> {
    let found = pdf::signatures(bytes)?;
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
        if i + 1 == count && !whole && matches!(sig.coverage, Coverage::Ok { .. }) {
            problems.push(
                "the file was changed after the last signature: a revision that nobody signed was appended"
                    .to_owned(),
            );
        }
        let verdict = match pdf::signed_parts(bytes, sig) {
            Ok(parts) => match DetachedSignature::parse(&sig.cms_der) {
                Ok(cms_sig) => {
                    let mut hasher = cms::digest::Hasher::new(cms_sig.digest_algorithm());
                    for part in parts {
                        hasher.update(part);
                    }
                    Some(cms_sig.verify(&hasher.finish(), trust, Purpose::DocumentSigning, now))
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
        let valid = sig_problems.is_empty() && verdict.as_ref().is_some_and(|v| v.valid);
        signatures.push(PdfSignatureVerdict {
            field: sig.field_name.clone(),
            sub_filter: sig.sub_filter.clone(),
            coverage,
            covers_whole_file: whole,
            changes_after_signing,
            changes,
            verdict,
            problems: sig_problems,
            valid,
        });
    }
    let valid = problems.is_empty() && signatures.iter().all(|s| s.valid);
    Ok(PdfVerdict {
        valid,
        signatures,
        problems,
    })
}
