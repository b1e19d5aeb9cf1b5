//! Use cases for documents: sign a file (detached CAdES) or a PDF (PAdES, by incremental
//! update) with the card's signing key, and check such signatures.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Serialize;
use time::OffsetDateTime;

use crate::CardError;
use crate::card::CertSlot;
use crate::cert::{CardCertificate, JST, Lifecycle};
use crate::cms::{
    self, CmsError, DetachedSignature, DigestAlgorithm, DocumentSigner, Purpose, SignRequest,
    TrustStore, Verdict,
};
use crate::pdf::{self, ChangesAfter, Coverage, PdfError};

/// Why a document could not be signed or checked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DocumentError {
    /// The card refused or failed.
    #[error(transparent)]
    Card(#[from] CardError),
    /// Building or reading the CMS failed.
    #[error(transparent)]
    Cms(#[from] CmsError),
    /// The PDF could not be read or written.
    #[error(transparent)]
    Pdf(#[from] PdfError),
    /// Reading the document failed.
    #[error("reading the document: {0}")]
    Read(#[from] std::io::Error),
    /// The signing certificate cannot sign now.
    #[error(
        "your signing certificate {state}; a signature made with it would not be valid. The municipal office issues a new one"
    )]
    CertificateUnusable {
        /// "expired on …" or "is valid only from …".
        state: String,
    },
}

/// Whether the file at `path` starts like a PDF (`%PDF-`): such files are signed inside
/// (PAdES), anything else gets a detached `.p7s`.
pub fn is_pdf_file(path: &Path) -> std::io::Result<bool> {
    let mut head = [0u8; 5];
    let mut file = std::fs::File::open(path)?;
    let mut filled = 0;
    while filled < head.len() {
        match file.read(&mut head[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(&head[..filled] == b"%PDF-")
}

/// Where a signed copy goes by default: `contract.pdf` → `contract-signed.pdf`, and
/// `report.xml` → `report.xml.p7s`. Never the document itself.
pub fn signed_output_path(document: &Path, pdf: bool) -> PathBuf {
    if pdf {
        let stem = document.file_stem().unwrap_or_default().to_string_lossy();
        document.with_file_name(format!("{stem}-signed.pdf"))
    } else {
        let mut name = document.as_os_str().to_owned();
        name.push(".p7s");
        PathBuf::from(name)
    }
}

/// The text of a visible signature box: what signed, which certificate, when (in Japan).
pub fn stamp_lines(certificate: &CardCertificate, signing_time: OffsetDateTime) -> Vec<String> {
    vec![
        "Digitally signed with a My Number Card".to_owned(),
        format!("Serial {}", certificate.serial_hex()),
        signing_time
            .to_offset(JST)
            .format(time::macros::format_description!(
                "[year]-[month]-[day] [hour]:[minute] JST"
            ))
            .unwrap_or_default(),
    ]
}

/// Checks that `certificate` may sign at `at`: not expired, already valid.
fn usable_at(certificate: &CardCertificate, at: OffsetDateTime) -> Result<(), DocumentError> {
    match certificate.lifecycle_on(at.to_offset(JST).date()) {
        Lifecycle::Expired => Err(DocumentError::CertificateUnusable {
            state: format!("expired on {}", certificate.expires_on()),
        }),
        Lifecycle::NotYetValid => Err(DocumentError::CertificateUnusable {
            state: format!(
                "is valid only from {}",
                certificate.not_before().to_offset(JST).date()
            ),
        }),
        Lifecycle::Valid | Lifecycle::RenewalWindow { .. } => Ok(()),
    }
}

/// The signer's certificate and, when the card has it, its CA, to travel with the signature.
fn chain<T: crate::transport::Transport>(signer: &mut cms::CardSigner<T>) -> Vec<CardCertificate> {
    signer
        .card_certificate(CertSlot::SignCa)
        .map(|ca| vec![ca])
        .unwrap_or_default()
}

/// Makes a detached CAdES-BES signature over `content_digest` with an unlocked card signer.
pub fn sign_digest_detached<T: crate::transport::Transport>(
    signer: &mut cms::CardSigner<T>,
    algorithm: DigestAlgorithm,
    content_digest: Vec<u8>,
    signing_time: OffsetDateTime,
) -> Result<Vec<u8>, DocumentError> {
    usable_at(signer.certificate(), signing_time)?;
    let extra_certificates = chain(signer);
    Ok(cms::sign_detached(
        signer,
        &SignRequest {
            algorithm,
            content_digest,
            signing_time,
            extra_certificates,
        },
    )?)
}

/// Signs a PDF: the original bytes are kept, the signature is added by incremental update.
pub fn sign_pdf<T: crate::transport::Transport>(
    signer: &mut cms::CardSigner<T>,
    original: &[u8],
    algorithm: DigestAlgorithm,
    options: &pdf::SignOptions,
) -> Result<Vec<u8>, DocumentError> {
    usable_at(signer.certificate(), options.signing_time)?;
    let prepared = pdf::prepare(original, options)?;
    let mut hasher = cms::digest::Hasher::new(algorithm);
    for part in prepared.signed_parts() {
        hasher.update(part);
    }
    let cms_der = sign_digest_detached(signer, algorithm, hasher.finish(), options.signing_time)?;
    Ok(prepared.finish(&cms_der)?)
}

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

#[cfg(test)]
mod tests {
    use super::signed_output_path;
    use std::path::Path;

    #[test]
    fn default_outputs_never_replace_the_document() {
        assert_eq!(
            signed_output_path(Path::new("/d/contract.pdf"), true),
            Path::new("/d/contract-signed.pdf")
        );
        assert_eq!(
            signed_output_path(Path::new("/d/report.xml"), false),
            Path::new("/d/report.xml.p7s")
        );
    }
}
