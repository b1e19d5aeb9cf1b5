//! Use cases for documents: sign a file (detached CAdES) or a PDF (PAdES, by incremental
//! update) with the card's signing key ([`PreparedDocument`]), and check such signatures
//! ([`verify_pdf`], [`verify_detached`]).

mod long_term;
mod prepared;
mod verify;
mod write;

pub use long_term::{DOC_TIMESTAMP_CAPACITY, LongTermSources, Profile, extend};
pub use prepared::{
    Placement, PreparedDocument, SignAs, SignSettings, SignatureKind, SignedDocument,
};
pub use verify::{
    DssSummary, MAX_SIGNATURE_TIMESTAMPS, PdfSignatureVerdict, PdfVerdict, verify_detached,
    verify_detached_with, verify_pdf, verify_pdf_with,
};
pub use write::write_file;

use std::io::Read;
use std::path::{Path, PathBuf};

use time::OffsetDateTime;

use crate::CardError;
use crate::card::CertSlot;
use crate::cert::{CardCertificate, JST, Lifecycle};
use crate::cms::{self, CmsError, DigestAlgorithm, DocumentSigner, SignRequest};
use crate::pdf::{self, PdfError};

/// Why a document could not be signed or checked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DocumentError {
    /// The card refused or failed.
    #[error(transparent)]
    Card(#[from] CardError),
    /// Building or reading the CMS failed (never a card failure: that is [`DocumentError::Card`]).
    #[error(transparent)]
    Cms(CmsError),
    /// The PDF could not be read or written.
    #[error(transparent)]
    Pdf(#[from] PdfError),
    /// Reading the document failed.
    #[error("reading the document: {0}")]
    Read(#[from] std::io::Error),
    /// A named file could not be opened, read or written.
    #[error("{doing} {}: {source}", path.display())]
    File {
        /// "reading", "opening", "writing".
        doing: &'static str,
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// The file starts like a PDF but cannot be signed as one.
    #[error("{} cannot be signed as a PDF: {source}", path.display())]
    NotSignablePdf {
        /// The file.
        path: PathBuf,
        /// Why.
        source: PdfError,
    },
    /// A visible signature box was asked for a file that is not a PDF.
    #[error("a visible signature needs a PDF")]
    VisibleNeedsPdf,
    /// The signed copy would replace the document itself.
    #[error("the signed copy would replace the document itself; choose another name")]
    OutputIsDocument,
    /// The output exists and replacing it was not asked for.
    #[error("{} exists already", path.display())]
    OutputExists {
        /// The file.
        path: PathBuf,
    },
    /// A timestamp could not be obtained or read.
    #[error(transparent)]
    Timestamp(#[from] crate::tsp::TspError),
    /// An OCSP answer could not be obtained or used.
    #[error(transparent)]
    Ocsp(#[from] crate::ocsp::OcspError),
    /// The profile signs PDFs and the file is not one, or the other way round.
    #[error("the {profile} profile is for {}; this file is {}", if profile.is_pdf() { "PDFs" } else { "detached signatures of any file" }, if *pdf { "a PDF (use pades-b, pades-b-t, pades-b-lt, pades-b-lta or government)" } else { "not a PDF (use cades-b, cades-t or cades-lt)" })]
    ProfileDoesNotFit {
        /// The profile asked for.
        profile: Profile,
        /// Whether the file is a PDF.
        pdf: bool,
    },
    /// A timestamped profile was asked for without a time-stamping authority.
    #[error("the {profile} profile needs a time-stamping authority: give its URL (--tsa)")]
    NeedsTsa {
        /// The profile asked for.
        profile: Profile,
    },
    /// A timestamped profile was asked for without saying which TSAs are trusted.
    #[error(
        "the {profile} profile needs the time-stamping authority's CA certificate, to check its timestamps (--tsa-trust)"
    )]
    NeedsTsaTrust {
        /// The profile asked for.
        profile: Profile,
    },
    /// A long-term profile was asked for with no revocation source.
    #[error(
        "the {profile} profile embeds revocation data: give the signing CA's CRL (--crl) or an OCSP responder (--ocsp)"
    )]
    NeedsRevocationSource {
        /// The profile asked for.
        profile: Profile,
    },
    /// The TSA's token failed its checks; it was not kept.
    #[error("the time-stamping authority's timestamp is not trusted: {why}")]
    TimestampNotTrusted {
        /// The failed checks, in words.
        why: String,
    },
    /// The revocation sources say the signing certificate is revoked.
    #[error(
        "your signing certificate was revoked on {on}; a signature made with it is not valid. The municipal office issues a new one"
    )]
    SignerRevoked {
        /// When.
        on: OffsetDateTime,
    },
    /// No source given says the certificate is good now.
    #[error(
        "no CRL or OCSP answer given covers {certificate} now: give its CA's current CRL (--crl) or an OCSP responder (--ocsp)"
    )]
    NoRevocationData {
        /// The certificate's subject.
        certificate: String,
    },
    /// Only an OCSP answer covers a certificate that names no OCSP responder: validators would
    /// not use it, so the signature would not be long-term.
    #[error(
        "{certificate} names no OCSP responder, so validators look only for its CA's CRL: give that CRL (--crl); an OCSP answer alone would not be used"
    )]
    NeedsCrl {
        /// The certificate's subject.
        certificate: String,
    },
    /// `extend` on a file with no document timestamp.
    #[error(
        "the PDF has no document timestamp to renew: sign it with the pades-b-lta profile first"
    )]
    NotAnArchive,
    /// The signing certificate cannot sign now.
    #[error(
        "your signing certificate {state}; a signature made with it would not be valid. The municipal office issues a new one"
    )]
    CertificateUnusable {
        /// "expired on …" or "is valid only from …".
        state: String,
        /// True when it has expired, false when it is not valid yet.
        expired: bool,
    },
}

/// A card failure inside the CMS builder is the card's: one path, [`DocumentError::Card`].
impl From<CmsError> for DocumentError {
    fn from(error: CmsError) -> Self {
        match error {
            CmsError::Card(card) => DocumentError::Card(card),
            other => DocumentError::Cms(other),
        }
    }
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
            expired: true,
        }),
        Lifecycle::NotYetValid => Err(DocumentError::CertificateUnusable {
            state: format!(
                "is valid only from {}",
                certificate.not_before().to_offset(JST).date()
            ),
            expired: false,
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

/// Raises a detached signature the card just made to `profile`: a signature timestamp
/// (CAdES-T), then the certificates and revocation data (CAdES-LT).
fn raise_detached<T: crate::transport::Transport>(
    signer: &mut cms::CardSigner<T>,
    cms_der: Vec<u8>,
    algorithm: DigestAlgorithm,
    profile: Profile,
    sources: &LongTermSources,
    now: OffsetDateTime,
) -> Result<(Vec<u8>, Vec<crate::tsp::TimestampToken>), DocumentError> {
    if !profile.needs_timestamp() {
        return Ok((cms_der, Vec::new()));
    }
    let (mut cms_der, token) =
        long_term::add_signature_timestamp(&cms_der, algorithm, sources, now)?;
    if profile == Profile::CadesLt {
        let data = signer_validation_data(signer, &[&token], sources, now)?;
        cms_der = cms::unsigned::add_validation_data(&cms_der, &data)?;
    }
    Ok((cms_der, vec![token]))
}

/// The validation data of the card's signer and the TSAs of `tokens`.
fn signer_validation_data<T: crate::transport::Transport>(
    signer: &mut cms::CardSigner<T>,
    tokens: &[&crate::tsp::TimestampToken],
    sources: &LongTermSources,
    now: OffsetDateTime,
) -> Result<cms::ValidationData, DocumentError> {
    let certificate = signer.certificate().clone();
    let ca = chain(signer)
        .into_iter()
        .next()
        .ok_or_else(|| DocumentError::NoRevocationData {
            certificate: certificate.subject(),
        })?;
    long_term::validation_data(&certificate, &ca, tokens, sources, now)
}

/// Signs `content_digest` detached with `profile` (CAdES B, T or LT).
pub fn sign_detached_profile<T: crate::transport::Transport>(
    signer: &mut cms::CardSigner<T>,
    algorithm: DigestAlgorithm,
    content_digest: Vec<u8>,
    signing_time: OffsetDateTime,
    profile: Profile,
    sources: &LongTermSources,
) -> Result<Vec<u8>, DocumentError> {
    let cms_der = sign_digest_detached(signer, algorithm, content_digest, signing_time)?;
    Ok(raise_detached(signer, cms_der, algorithm, profile, sources, signing_time)?.0)
}

/// Signs a PDF: the original bytes are kept, the signature is added by incremental update,
/// then (by `profile`) its timestamp, a DSS with its validation data, and a document timestamp.
pub fn sign_pdf<T: crate::transport::Transport>(
    signer: &mut cms::CardSigner<T>,
    original: &[u8],
    algorithm: DigestAlgorithm,
    options: &pdf::SignOptions,
    profile: Profile,
    sources: &LongTermSources,
) -> Result<Vec<u8>, DocumentError> {
    usable_at(signer.certificate(), options.signing_time)?;
    let now = options.signing_time;
    let options = pdf::SignOptions {
        kind: profile.field(),
        ..options.clone()
    };
    let prepared = pdf::prepare(original, &options)?;
    let mut hasher = cms::digest::Hasher::new(algorithm);
    for part in prepared.signed_parts() {
        hasher.update(part);
    }
    let cms_der = sign_digest_detached(signer, algorithm, hasher.finish(), now)?;
    let (cms_der, tokens) = if profile.needs_timestamp() {
        let (cms_der, token) =
            long_term::add_signature_timestamp(&cms_der, algorithm, sources, now)?;
        (cms_der, vec![token])
    } else {
        (cms_der, Vec::new())
    };
    let capacity = prepared.capacity();
    let mut signed = prepared.finish(&cms_der)?;
    if profile.embeds_validation_data() {
        let refs: Vec<_> = tokens.iter().collect();
        let data = signer_validation_data(signer, &refs, sources, now)?;
        // The DSS's VRI names the signature by its /Contents as stored, padding included.
        let mut contents = cms_der;
        contents.resize(capacity, 0);
        signed = pdf::add_dss(&signed, &data, &[contents])?;
    }
    if profile == Profile::PadesBLta {
        signed = long_term::add_document_timestamp(&signed, sources, now)?.0;
    }
    Ok(signed)
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
