//! Signing a document: the core's prepared document (a PDF inside, any other file detached; read
//! and hashed before the card is needed; one PIN check and one signature), written atomically
//! (never over the original), then checked. This file words it for the sign screen, with the
//! profile the person chose (baseline, long-term, archive, government) and the timestamp service
//! and revocation data of the trust folder ([`crate::trust`]).

use std::path::{Path, PathBuf};

use kazasu_core::cms::{CheckKind, Outcome, TrustStore, Verdict};
use kazasu_core::documents::{
    self, DocumentError, LongTermSources, Placement, PreparedDocument, Profile, SignSettings,
    SignatureKind,
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
use crate::trust::TrustDir;

/// The profiles the sign screen offers, in its order: for a PDF the standard signature, the one
/// that keeps its proof for years, the archive one and the government one; for any other file
/// the standard and the long-term detached signature. (`sign_document` takes every profile.)
pub const OFFERED: [Profile; 6] = [
    Profile::PadesB,
    Profile::PadesBLt,
    Profile::PadesBLta,
    Profile::Government,
    Profile::CadesB,
    Profile::CadesLt,
];

/// One profile the sign screen offers, and whether this computer can sign with it now.
#[derive(Debug, Serialize)]
pub struct ProfileChoice {
    /// The profile's name (`pades-b-lt`), the key the screen words it by.
    pub name: &'static str,
    /// It signs inside a PDF (else it is a detached signature of any file).
    pub pdf: bool,
    /// It asks a time-stamping authority for a timestamp.
    pub needs_timestamp: bool,
    /// It can be chosen: what it needs is configured.
    pub available: bool,
    /// When not available, what is missing: `tsa` (no `tsa.toml`), `tsa_settings` (`tsa.toml`
    /// is unusable), `tsa_trust` (no CA in `tsa/`) or `revocation` (no CRL in the trust folder).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing: Option<&'static str>,
}

/// What the sign screen can offer: every profile and the sources configured for them.
#[derive(Debug, Serialize)]
pub struct SigningSetup {
    /// The trust folder, where `tsa.toml` and `tsa/` go.
    pub trust_dir: Option<String>,
    /// The TSA URL of `tsa.toml`.
    pub tsa_url: Option<String>,
    /// Why `tsa.toml` cannot be used, when it cannot.
    pub tsa_problem: Option<AppError>,
    /// How many CAs in `tsa/` are trusted for timestamps.
    pub tsa_anchors: usize,
    /// How many CRL files the trust folder and `tsa/` hold.
    pub crls: usize,
    /// The profiles, in the order offered.
    pub profiles: Vec<ProfileChoice>,
}

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
    /// The profile it was signed with (`pades-b-lt`).
    pub profile: &'static str,
    /// For a PDF, the PAdES level the check found (`B-B`, `B-T`, `B-LT`, `B-LTA`).
    pub level: Option<&'static str>,
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

/// The profiles the sign screen offers and which of them the trust folder's settings allow,
/// read afresh (a `tsa.toml` written meanwhile is seen at once). Needs no card.
#[tauri::command(rename_all = "snake_case")]
pub fn signing_setup(state: State<'_, AppState>) -> SigningSetup {
    setup(state.trust())
}

/// [`signing_setup`] for a trust folder.
pub fn setup(trust: &TrustDir) -> SigningSetup {
    let (sources, tsa_problem) = match trust.long_term_sources() {
        Ok(sources) => (sources, None),
        Err(e) => {
            // Everything else in the folder still counts; only the TSA is unusable.
            let sources = trust.tsa_trust_and_crls();
            (sources, Some(AppError::from(e)))
        }
    };
    let profiles = OFFERED
        .into_iter()
        .map(|profile| {
            let missing = if tsa_problem.is_some() && profile.needs_timestamp() {
                Some("tsa_settings")
            } else {
                missing(&sources, profile)
            };
            ProfileChoice {
                name: profile.name(),
                pdf: profile.is_pdf(),
                needs_timestamp: profile.needs_timestamp(),
                available: missing.is_none(),
                missing,
            }
        })
        .collect();
    SigningSetup {
        trust_dir: trust.path().map(|p| p.display().to_string()),
        tsa_url: sources.tsa_url.clone(),
        tsa_problem,
        tsa_anchors: sources.tsa_trust.anchors().len(),
        crls: sources.crls.len(),
        profiles,
    }
}

/// What `profile` lacks in `sources`, as [`ProfileChoice::missing`] names it.
fn missing(sources: &LongTermSources, profile: Profile) -> Option<&'static str> {
    match sources.check_for(profile) {
        Ok(()) => None,
        Err(DocumentError::NeedsTsa { .. }) => Some("tsa"),
        Err(DocumentError::NeedsTsaTrust { .. }) => Some("tsa_trust"),
        Err(_) => Some("revocation"),
    }
}

/// The profile the screen sent: `None` (or empty) is the baseline for the file; anything else
/// must be a profile's name.
pub fn parse_profile(name: Option<&str>) -> Result<Option<Profile>, AppError> {
    match name.map(str::trim) {
        None | Some("") => Ok(None),
        Some(name) => Profile::from_name(name).map(Some).ok_or_else(|| {
            let known: Vec<&str> = Profile::ALL.iter().map(|p| p.name()).collect();
            AppError::invalid_input(format!(
                "there is no signing profile called {name:?}; the profiles are {}",
                known.join(", ")
            ))
        }),
    }
}

/// The timestamps and revocation data `profile` needs, from the trust folder; checked here so
/// that what is missing is said in the app's terms (the file or folder to fill), before the
/// card is needed.
pub fn sources_for(
    trust: &TrustDir,
    profile: Option<Profile>,
) -> Result<LongTermSources, AppError> {
    let Some(profile) = profile else {
        return Ok(LongTermSources::default());
    };
    if !profile.needs_timestamp() && !profile.embeds_validation_data() {
        return Ok(LongTermSources::default());
    }
    let sources = trust.long_term_sources()?;
    let folder = trust
        .path()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "the trust folder (KAZASU_TRUST_DIR)".to_owned());
    let why = match missing(&sources, profile) {
        None => return Ok(sources),
        Some("tsa") => format!(
            "the {profile} profile needs a timestamp service: put its URL in {folder}/{} (url = \"https://…\")",
            crate::trust::TSA_SETTINGS
        ),
        Some("tsa_trust") => format!(
            "the {profile} profile needs the timestamp service's CA certificate in {folder}/{}/",
            crate::trust::TSA_FOLDER
        ),
        Some(_) => format!(
            "the {profile} profile embeds revocation data: put the signing CA's CRL in {folder}"
        ),
    };
    Err(AppError::invalid_input(why))
}

/// Signs a document with the signing PIN in the chosen profile (`None`: the baseline for the
/// file), writes the signed copy and checks it.
#[tauri::command(rename_all = "snake_case")]
#[allow(clippy::too_many_arguments)] // each is one field of the sign screen
pub async fn sign_document<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    input: String,
    output: String,
    pin: String,
    visible: bool,
    overwrite: bool,
    profile: Option<String>,
) -> Result<Signed, AppError> {
    let pin = parse_pin(PinKind::Sign, pin)?;
    let profile = parse_profile(profile.as_deref())?;
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
            progress.step(Step::Reading);
            let settings = SignSettings {
                visible: visible.then_some(STAMP),
                profile,
                sources: sources_for(&trust, profile)?,
                ..SignSettings::default()
            };
            // No card needed yet: a missing or unreadable file costs no PIN.
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
            let (verdict, level) = check(
                &signed,
                &input,
                &trust_store,
                &settings.sources.tsa_trust,
                OffsetDateTime::now_utc(),
            );
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
                profile: signed.profile.name(),
                level,
                verification: verification(verdict, &trust_store),
            })
        })
        .await
}

/// Checks the new signature as a recipient would, its timestamps against the TSA CAs: for a
/// PDF the verdict on the signature just added (before any document timestamp after it) and
/// the PAdES level it reaches; for a detached signature the verdict over the document, read
/// again. `None` when it cannot even be read back.
fn check(
    signed: &documents::SignedDocument,
    input: &Path,
    trust: &TrustStore,
    tsa_trust: &TrustStore,
    now: OffsetDateTime,
) -> (Option<Verdict>, Option<&'static str>) {
    match signed.format {
        SignatureKind::Pades => {
            let Ok(found) = documents::verify_pdf_with(&signed.bytes, trust, tsa_trust, now) else {
                return (None, None);
            };
            found
                .signatures
                .into_iter()
                .rev()
                .find(|s| s.verdict.is_some())
                .map(|s| (s.verdict, s.level))
                .unwrap_or((None, None))
        }
        SignatureKind::CadesDetached => {
            let verdict = std::fs::File::open(input).ok().and_then(|file| {
                documents::verify_detached_with(
                    &signed.bytes,
                    std::io::BufReader::new(file),
                    trust,
                    tsa_trust,
                    now,
                    |_| {},
                )
                .ok()
            });
            (verdict, None)
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_profile_name_is_taken_and_nothing_else() {
        for profile in Profile::ALL {
            assert_eq!(parse_profile(Some(profile.name())).unwrap(), Some(profile));
        }
        assert_eq!(parse_profile(None).unwrap(), None);
        assert_eq!(parse_profile(Some("  ")).unwrap(), None);
        assert_eq!(
            parse_profile(Some(" pades-b-lt ")).unwrap(),
            Some(Profile::PadesBLt)
        );
        for bad in ["PADES-B", "pades-b-ltaa", "b-lt", "long"] {
            let e = parse_profile(Some(bad)).unwrap_err();
            assert_eq!(e.code, "invalid_input");
            assert!(
                e.message.contains(bad) && e.message.contains("government"),
                "{e}"
            );
        }
    }

    #[test]
    fn with_no_trust_folder_only_what_needs_no_timestamp_is_offered() {
        let setup = setup(&TrustDir(None));
        let offered: Vec<(&str, Option<&str>)> =
            setup.profiles.iter().map(|p| (p.name, p.missing)).collect();
        assert_eq!(
            offered,
            [
                ("pades-b", None),
                ("pades-b-lt", Some("tsa")),
                ("pades-b-lta", Some("tsa")),
                ("government", None),
                ("cades-b", None),
                ("cades-lt", Some("tsa")),
            ]
        );
        assert!(sources_for(&TrustDir(None), Some(Profile::Government)).is_ok());
        let e = sources_for(&TrustDir(None), Some(Profile::CadesLt)).unwrap_err();
        assert!(e.message.contains("tsa.toml"), "{e}");
    }
}
