//! Signing a document: the core's prepared document (a PDF inside, any other file detached; read
//! and hashed before the card is needed; one PIN check and one signature), written atomically
//! (never over the original), then checked. This file words it for the sign screen.

use std::path::{Path, PathBuf};

use kazasu_core::cms::{CheckKind, Outcome, TrustStore, Verdict};
use kazasu_core::documents::{
    self, DocumentError, Placement, PreparedDocument, SignSettings, SignatureKind,
};
use kazasu_core::flows::PinGate;
use kazasu_core::pin::PinKind;
use serde::Serialize;
use tauri::{AppHandle, Runtime, State};
use time::OffsetDateTime;

use super::parse_pin;
use crate::error::AppError;
use crate::progress::{Progress, Step};
use crate::state::AppState;

/// Where the visible signature box goes: the lower left of page 1, in PDF points.
const STAMP: Placement = Placement {
    page: 1,
    rect: [36.0, 36.0, 276.0, 96.0],
};

/// The save name the sign screen proposes.
#[derive(Debug, Serialize)]
pub struct Suggestion {
    /// A free name beside the document.
    pub output: String,
    /// The document is a PDF (signed inside; a visible box is possible).
    pub pdf: bool,
}

/// One check on the new signature, for the result screen.
#[derive(Debug, Serialize)]
pub struct CheckResult {
    /// What was checked.
    pub check: CheckKind,
    /// Passed, failed or not checked.
    pub outcome: Outcome,
    /// Why, in words.
    pub detail: String,
}

/// What the check of the new signature found.
#[derive(Debug, Serialize)]
pub struct Verification {
    /// No check that could be made failed.
    pub valid: bool,
    /// The signer's CA is one this computer trusts.
    pub trusted: bool,
    /// Every check, in order.
    pub checks: Vec<CheckResult>,
}

/// A document that was signed.
#[derive(Debug, Serialize)]
pub struct Signed {
    /// Where the signed copy (or the detached signature) was written.
    pub output: String,
    /// `pades` or `cades`.
    pub format: &'static str,
    /// The signer's name from the signing certificate.
    pub signer: String,
    /// The signing time the signature claims (RFC 3339).
    pub signing_time: String,
    /// The new signature, checked as a recipient would.
    pub verification: Verification,
}

/// The save name the sign screen proposes for a document (never the document itself, never an
/// existing file).
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

/// Signs a document with the signing PIN, writes the signed copy and checks it.
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
    if input.as_os_str().is_empty() || output.as_os_str().is_empty() {
        return Err(AppError::invalid_input(
            "choose the document and where to save the signed copy",
        ));
    }
    let trust = state.trust().clone();
    state
        .with_card(Progress::emitter(app), move |card| {
            let progress = card.progress();
            let settings = SignSettings {
                visible: visible.then_some(STAMP),
                ..SignSettings::default()
            };
            // No card needed yet: a missing or unreadable file costs no PIN.
            progress.step(Step::Reading);
            let prepared = PreparedDocument::open(&input, &settings, |done, total| {
                progress.hashed(done, total)
            })?;
            prepared.check_output(&output)?;
            if output.exists() && !overwrite {
                return Err(DocumentError::OutputExists { path: output }.into());
            }

            let mut link = card.connect()?;
            progress.step(Step::VerifyingPin);
            // Refuses a locked PIN without sending it; a wrong one uses a try.
            let gate = PinGate::open(&mut link, PinKind::Sign)?;
            progress.step(Step::Signing);
            let signed = prepared.sign(gate, &pin, OffsetDateTime::now_utc())?;
            progress.step(Step::Writing);
            documents::write_file(&output, &signed.bytes, overwrite)?;

            progress.step(Step::Verifying);
            let trust_store = trust.load();
            let verdict = signed.check(&trust_store, OffsetDateTime::now_utc());
            Ok(Signed {
                output: output.display().to_string(),
                format: match signed.format {
                    SignatureKind::Pades => "pades",
                    SignatureKind::CadesDetached => "cades",
                },
                signer: signed.signer,
                signing_time: signed
                    .signing_time
                    .format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_default(),
                verification: verification(verdict, &trust_store),
            })
        })
        .await
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
