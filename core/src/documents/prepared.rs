//! Signing a document, checked first and acted second: [`PreparedDocument::open`] reads and
//! checks the file (hashing a detached one with progress) before the card is needed, the front end
//! opens a [`PinGate`] for the signing PIN and shows its tries, then [`PreparedDocument::sign`]
//! verifies the PIN and signs once. A PDF is signed inside (PAdES), any other file gets a detached
//! CAdES signature; one type hides which.

use std::fs::File;
use std::path::{Path, PathBuf};

use time::OffsetDateTime;

use super::{
    DocumentError, LongTermSources, Profile, sign_detached_profile, sign_pdf, signed_output_path,
    stamp_lines,
};
use crate::cms::{self, CardSigner, DetachedSignature, DigestAlgorithm, DocumentSigner};
use crate::cms::{Purpose, TrustStore, Verdict};
use crate::flows::PinGate;
use crate::pdf::{self, SignOptions, Visible};
use crate::pin::{Pin, PinKind};
use crate::transport::Transport;
use crate::vocabulary::KeyKind;

/// How the front end wants the document signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SignAs {
    /// A PDF inside, anything else detached: decided by the file's first bytes.
    #[default]
    Auto,
    /// Inside, as a PDF (an error when the file is not one).
    Pdf,
    /// A detached signature, whatever the file.
    Detached,
}

/// What kind of signature a document gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SignatureKind {
    /// PAdES: the signature inside the PDF, added by incremental update.
    Pades,
    /// A detached CAdES-BES signature (`.p7s`) beside the file.
    CadesDetached,
}

/// Where a visible signature box goes; its text is made from the certificate and the time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placement {
    /// The page, counting from 1.
    pub page: usize,
    /// Two opposite corners `x1 y1 x2 y2`, in points.
    pub rect: [f32; 4],
}

/// How to sign, decided before the file is read: all of it is checked before the card is needed.
#[derive(Debug, Clone, Default)]
pub struct SignSettings {
    /// PDF inside, detached, or decided by the file.
    pub sign_as: SignAs,
    /// The digest algorithm.
    pub algorithm: DigestAlgorithm,
    /// A visible box on a page (PDF only), or `None` for an invisible signature.
    pub visible: Option<Placement>,
    /// `/Reason` of a PDF signature: why the document is signed.
    pub reason: Option<String>,
    /// `/Location` of a PDF signature: where it is signed.
    pub location: Option<String>,
    /// The signature field: an empty one of that name the author placed is filled, else a new
    /// field gets the name; `None` adds `SignatureN`.
    pub field: Option<String>,
    /// The profile; `None` is baseline B (PAdES for a PDF, CAdES otherwise).
    pub profile: Option<Profile>,
    /// Where a timestamped or long-term profile gets its timestamps and revocation data.
    pub sources: LongTermSources,
}

/// A document read, checked and (when detached) hashed: no card was needed yet.
pub struct PreparedDocument {
    path: PathBuf,
    settings: SignSettings,
    profile: Profile,
    body: Body,
}

enum Body {
    /// The whole PDF: the signature goes inside it.
    Pdf(Vec<u8>),
    /// Only the file's digest: the file itself is never held in memory.
    Detached(Vec<u8>),
}

/// A signature the card made, not yet written anywhere.
pub struct SignedDocument {
    /// The signed PDF, or the detached signature (DER CMS).
    pub bytes: Vec<u8>,
    /// Which of the two it is.
    pub format: SignatureKind,
    /// The signer's name from the signing certificate.
    pub signer: String,
    /// The digest algorithm used.
    pub algorithm: DigestAlgorithm,
    /// The signing time the signature claims.
    pub signing_time: OffsetDateTime,
    /// The profile it was made with.
    pub profile: Profile,
    /// The detached document's digest, to check the signature against.
    digest: Option<Vec<u8>>,
}

impl PreparedDocument {
    /// Reads and checks `path`. A PDF is read whole and checked signable; any other file is hashed
    /// as a stream, calling `progress(bytes_done, bytes_total)` as it goes.
    pub fn open(
        path: &Path,
        settings: &SignSettings,
        mut progress: impl FnMut(u64, u64),
    ) -> Result<PreparedDocument, DocumentError> {
        let algorithm = settings.algorithm;
        let file_error = |doing, source| DocumentError::File {
            doing,
            path: path.to_owned(),
            source,
        };
        let pdf = match settings.sign_as {
            SignAs::Pdf => true,
            SignAs::Detached => false,
            SignAs::Auto => super::is_pdf_file(path).map_err(|e| file_error("reading", e))?,
        };
        if settings.visible.is_some() && !pdf {
            return Err(DocumentError::VisibleNeedsPdf);
        }
        let profile = settings.profile.unwrap_or(Profile::baseline(pdf));
        if profile.is_pdf() != pdf {
            return Err(DocumentError::ProfileDoesNotFit { profile, pdf });
        }
        settings.sources.check_for(profile)?;
        let body = if pdf {
            let bytes = std::fs::read(path).map_err(|e| file_error("reading", e))?;
            // The same checks the signature will go through (the page and box of a visible
            // signature included), without the card: a bad PDF or page costs no PIN.
            let check = SignOptions {
                field_name: settings.field.clone(),
                visible: settings.visible.map(|place| Visible {
                    page: place.page,
                    rect: place.rect,
                    lines: Vec::new(),
                }),
                ..SignOptions::default()
            };
            pdf::prepare(&bytes, &check).map_err(|source| DocumentError::NotSignablePdf {
                path: path.to_owned(),
                source,
            })?;
            Body::Pdf(bytes)
        } else {
            let file = File::open(path).map_err(|e| file_error("opening", e))?;
            let total = file.metadata().map(|m| m.len()).unwrap_or(0);
            let digest = cms::digest_reader(algorithm, file, |done| progress(done, total))
                .map_err(|e| file_error("reading", e))?;
            Body::Detached(digest)
        };
        Ok(PreparedDocument {
            path: path.to_owned(),
            settings: settings.clone(),
            profile,
            body,
        })
    }

    /// The kind of signature the document will get.
    pub fn format(&self) -> SignatureKind {
        match self.body {
            Body::Pdf(_) => SignatureKind::Pades,
            Body::Detached(_) => SignatureKind::CadesDetached,
        }
    }

    /// The profile it will be signed with.
    pub fn profile(&self) -> Profile {
        self.profile
    }

    /// The document's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Where the signed copy goes unless the person says otherwise (never the document itself).
    pub fn default_output(&self) -> PathBuf {
        signed_output_path(&self.path, self.format() == SignatureKind::Pades)
    }

    /// Refuses an output that is the document itself (also through another path to it).
    pub fn check_output(&self, output: &Path) -> Result<(), DocumentError> {
        let same = output == self.path
            || matches!((self.path.canonicalize(), output.canonicalize()), (Ok(a), Ok(b)) if a == b);
        if same {
            return Err(DocumentError::OutputIsDocument);
        }
        Ok(())
    }

    /// Verifies the signing PIN through `gate` (refused unsent when locked or of another kind)
    /// and signs once, claiming `signing_time`. The signing certificate must be valid then.
    pub fn sign<T: Transport>(
        &self,
        gate: PinGate<T>,
        pin: &Pin,
        signing_time: OffsetDateTime,
    ) -> Result<SignedDocument, DocumentError> {
        gate.check(pin)?;
        let app = gate.into_jpki(PinKind::Sign)?;
        let mut signer = CardSigner::with_app(app, KeyKind::Sign, pin)?;
        let signer_name = signer.certificate().signer_name();
        let algorithm = self.settings.algorithm;
        let (bytes, digest) = match &self.body {
            Body::Detached(digest) => (
                sign_detached_profile(
                    &mut signer,
                    algorithm,
                    digest.clone(),
                    signing_time,
                    self.profile,
                    &self.settings.sources,
                )?,
                Some(digest.clone()),
            ),
            Body::Pdf(original) => {
                let options = SignOptions {
                    field_name: self.settings.field.clone(),
                    signing_time,
                    reason: self.settings.reason.clone(),
                    location: self.settings.location.clone(),
                    visible: self.settings.visible.map(|place| Visible {
                        page: place.page,
                        rect: place.rect,
                        lines: stamp_lines(signer.certificate(), signing_time),
                    }),
                    ..SignOptions::default()
                };
                let signed = sign_pdf(
                    &mut signer,
                    original,
                    algorithm,
                    &options,
                    self.profile,
                    &self.settings.sources,
                )?;
                (signed, None)
            }
        };
        Ok(SignedDocument {
            bytes,
            format: self.format(),
            signer: signer_name,
            algorithm,
            signing_time,
            profile: self.profile,
            digest,
        })
    }
}

impl SignedDocument {
    /// Checks the new signature as a recipient would (the last one, for a PDF); `None` when it
    /// cannot even be read back.
    pub fn check(&self, trust: &TrustStore, now: OffsetDateTime) -> Option<Verdict> {
        match &self.digest {
            Some(digest) => DetachedSignature::parse(&self.bytes)
                .ok()
                .map(|signature| signature.verify(digest, trust, Purpose::DocumentSigning, now)),
            None => super::verify_pdf(&self.bytes, trust, now)
                .ok()?
                .signatures
                .pop()
                .and_then(|s| s.verdict),
        }
    }
}
