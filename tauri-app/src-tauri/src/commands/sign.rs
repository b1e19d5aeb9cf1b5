//! Signing a document: a PDF is signed inside (PAdES), any other file gets a detached `.p7s`
//! (CAdES). The file is read and hashed before the card is needed, the card checks the signing PIN
//! and signs once, the result is written atomically (never over the original), then checked.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use kazasu_core::cms::{
    self, CardSigner, CheckKind, DetachedSignature, DigestAlgorithm, DocumentSigner, Outcome,
    Purpose, TrustStore, Verdict,
};
use kazasu_core::pdf::{SignOptions, Visible};
use kazasu_core::pin::PinKind;
use kazasu_core::{JpkiApp, KeyKind, documents};
use serde::Serialize;
use tauri::{AppHandle, Runtime, State};
use time::OffsetDateTime;

use super::parse_pin;
use crate::error::AppError;
use crate::progress::{Progress, Step};
use crate::state::AppState;

/// Where the visible signature box goes: the lower left of page 1, in PDF points.
const STAMP: [f32; 4] = [36.0, 36.0, 276.0, 96.0];

/// The save name the sign screen proposes.
#[derive(Debug, Serialize)]
pub struct Suggestion {
    pub output: String,
    pub pdf: bool,
}

/// One check on the new signature, for the result screen.
#[derive(Debug, Serialize)]
pub struct CheckResult {
    pub check: CheckKind,
    pub outcome: Outcome,
    pub detail: String,
}

/// What the check of the new signature found.
#[derive(Debug, Serialize)]
pub struct Verification {
    /// No check that could be made failed.
    pub valid: bool,
    /// The signer's CA is one this computer trusts.
    pub trusted: bool,
    pub checks: Vec<CheckResult>,
}

/// A document that was signed.
#[derive(Debug, Serialize)]
pub struct Signed {
    pub output: String,
    pub format: &'static str,
    pub signer: String,
    pub signing_time: String,
    pub verification: Verification,
}

#[tauri::command(rename_all = "snake_case")]
pub fn suggest_output(input: String) -> Result<Suggestion, AppError> {
    let input = PathBuf::from(input);
    let pdf = documents::is_pdf_file(&input).map_err(|e| AppError::file(&input, "reading", &e))?;
    // An earlier signed copy is kept: propose the next free name.
    let output = free_name(&documents::signed_output_path(&input, pdf));
    Ok(Suggestion {
        output: output.display().to_string(),
        pdf,
    })
}

/// `first`, or `name-2.ext`, `name-3.ext`… whichever does not exist yet.
fn free_name(first: &Path) -> PathBuf {
    if !first.exists() {
        return first.to_path_buf();
    }
    (2..1000)
        .map(|n| numbered(first, n))
        .find(|p| !p.exists())
        .unwrap_or_else(|| first.to_path_buf())
}

fn numbered(path: &Path, n: u32) -> PathBuf {
    let stem = path.file_stem().unwrap_or_default().to_string_lossy();
    match path.extension() {
        Some(ext) => path.with_file_name(format!("{stem}-{n}.{}", ext.to_string_lossy())),
        None => path.with_file_name(format!("{stem}-{n}")),
    }
}

/// The document, read and hashed before the card is needed.
enum Prepared {
    Pdf(Vec<u8>),
    Detached(Vec<u8>),
}

#[tauri::command(rename_all = "snake_case")]
pub async fn sign_document<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    input: String,
    output: String,
    pin: String,
    visible: bool,
    overwrite: bool,
) -> Result<Signed, AppError> {
    let pin = parse_pin(PinKind::Sign, pin)?;
    let input = PathBuf::from(input);
    let output = PathBuf::from(output);
    check_paths(&input, &output, overwrite)?;
    let trust = state.trust().clone();
    state
        .with_card(Progress::emitter(app), move |card| {
            let progress = card.progress();
            let algorithm = DigestAlgorithm::Sha256;
            let signing_time = OffsetDateTime::now_utc();

            // No card needed yet: a missing or unreadable file costs no PIN.
            progress.step(Step::Reading);
            let pdf = documents::is_pdf_file(&input)
                .map_err(|e| AppError::file(&input, "reading", &e))?;
            if visible && !pdf {
                return Err(AppError::invalid_input("a visible signature needs a PDF"));
            }
            let prepared = if pdf {
                let bytes =
                    std::fs::read(&input).map_err(|e| AppError::file(&input, "reading", &e))?;
                kazasu_core::pdf::prepare(&bytes, &SignOptions::default()).map_err(|e| {
                    AppError::new(
                        "not_a_pdf",
                        format!("{} cannot be signed as a PDF: {e}", input.display()),
                    )
                    .reason(e.to_string())
                })?;
                Prepared::Pdf(bytes)
            } else {
                let file = File::open(&input).map_err(|e| AppError::file(&input, "opening", &e))?;
                let size = file.metadata().map(|m| m.len()).unwrap_or(0);
                let digest = cms::digest_reader(algorithm, file, |n| progress.hashed(n, size))
                    .map_err(|e| AppError::file(&input, "reading", &e))?;
                Prepared::Detached(digest)
            };

            let mut link = card.connect()?;
            progress.step(Step::VerifyingPin);
            let app = JpkiApp::select(&mut link)?;
            // Refuses a locked PIN without sending it; a wrong one uses a try.
            let mut signer = CardSigner::with_app(app, KeyKind::Sign, &pin)?;
            let signer_name = signer.certificate().signer_name();
            progress.step(Step::Signing);
            let (written, format, digest) = match prepared {
                Prepared::Detached(digest) => (
                    documents::sign_digest_detached(
                        &mut signer,
                        algorithm,
                        digest.clone(),
                        signing_time,
                    )?,
                    "cades",
                    Some(digest),
                ),
                Prepared::Pdf(bytes) => {
                    let options = SignOptions {
                        signing_time,
                        visible: visible.then(|| Visible {
                            page: 1,
                            rect: STAMP,
                            lines: documents::stamp_lines(signer.certificate(), signing_time),
                        }),
                        ..SignOptions::default()
                    };
                    (
                        documents::sign_pdf(&mut signer, &bytes, algorithm, &options)?,
                        "pades",
                        None,
                    )
                }
            };
            progress.step(Step::Writing);
            write_new_file(&output, &written, overwrite)?;

            progress.step(Step::Verifying);
            let trust_store = trust.load();
            let verdict = match digest {
                Some(digest) => Some(
                    DetachedSignature::parse(&written)
                        .map_err(|e| {
                            AppError::new("internal", "the new signature cannot be read back")
                                .reason(e.to_string())
                        })?
                        .verify(
                            &digest,
                            &trust_store,
                            Purpose::DocumentSigning,
                            OffsetDateTime::now_utc(),
                        ),
                ),
                None => documents::verify_pdf(&written, &trust_store, OffsetDateTime::now_utc())?
                    .signatures
                    .pop()
                    .and_then(|s| s.verdict),
            };
            Ok(Signed {
                output: output.display().to_string(),
                format,
                signer: signer_name,
                signing_time: signing_time
                    .format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_default(),
                verification: verification(verdict, &trust_store),
            })
        })
        .await
}

/// Refuses an output that would replace the document, or an existing file unless asked to.
fn check_paths(input: &Path, output: &Path, overwrite: bool) -> Result<(), AppError> {
    if input.as_os_str().is_empty() || output.as_os_str().is_empty() {
        return Err(AppError::invalid_input(
            "choose the document and where to save the signed copy",
        ));
    }
    let same = input == output
        || matches!((input.canonicalize(), output.canonicalize()), (Ok(a), Ok(b)) if a == b);
    if same {
        return Err(AppError::new(
            "same_file",
            "the signed copy would replace the document itself; choose another name",
        ));
    }
    if output.exists() && !overwrite {
        return Err(AppError::new(
            "output_exists",
            format!("{} exists already", output.display()),
        )
        .path(output));
    }
    Ok(())
}

/// Writes through a temporary file in the same folder, renamed into place once complete: a
/// failed write never leaves a truncated file, and without `overwrite` an existing file is kept.
fn write_new_file(path: &Path, bytes: &[u8], overwrite: bool) -> Result<(), AppError> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut temp =
        tempfile::NamedTempFile::new_in(dir).map_err(|e| AppError::file(path, "writing", &e))?;
    temp.write_all(bytes)
        .and_then(|()| temp.as_file().sync_all())
        .map_err(|e| AppError::file(path, "writing", &e))?;
    let persisted = if overwrite {
        temp.persist(path)
    } else {
        temp.persist_noclobber(path)
    };
    persisted.map(drop).map_err(|e| {
        if e.error.kind() == std::io::ErrorKind::AlreadyExists {
            AppError::new(
                "output_exists",
                format!("{} exists already", path.display()),
            )
            .path(path)
        } else {
            AppError::file(path, "writing", &e.error)
        }
    })
}

/// The verdict in the result screen's terms. With no CA configured on this computer the chain
/// and revocation cannot be judged: they are "not checked", not failures.
fn verification(verdict: Option<Verdict>, trust: &TrustStore) -> Verification {
    let Some(verdict) = verdict else {
        return Verification {
            valid: false,
            trusted: false,
            checks: Vec::new(),
        };
    };
    let no_anchors = trust.anchors().is_empty();
    let checks: Vec<CheckResult> = verdict
        .checks
        .into_iter()
        .map(|c| {
            if no_anchors && matches!(c.check, CheckKind::Chain | CheckKind::Revocation) {
                CheckResult {
                    check: c.check,
                    outcome: Outcome::NotChecked,
                    detail: "no trusted CA is configured on this computer".to_owned(),
                }
            } else {
                CheckResult {
                    check: c.check,
                    outcome: c.outcome,
                    detail: c.detail,
                }
            }
        })
        .collect();
    let trusted = checks
        .iter()
        .any(|c| c.check == CheckKind::Chain && c.outcome == Outcome::Passed);
    Verification {
        valid: checks.iter().all(|c| c.outcome != Outcome::Failed),
        trusted,
        checks,
    }
}
