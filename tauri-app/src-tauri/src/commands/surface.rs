//! The card's face from its card-surface application (券面事項確認AP): the code's state first (a
//! locked code is refused before anything is sent), then the face as the window shows it: the
//! images as `data:` URLs, the facts printed on the card, and whether the card's signature covers
//! them. The core reads and checks everything; this file only shapes it for the window.

use kazasu_core::card::Sex;
use kazasu_core::flows;
use kazasu_core::pin::PinKind;
use kazasu_core::{CardError, PinStatus};
use serde::Serialize;
use tauri::{AppHandle, Runtime, State};

use super::parse_pin;
use crate::error::AppError;
use crate::progress::{Progress, Step};
use crate::state::AppState;

/// The card face, ready to show. No `Debug`: it holds the holder's photo and My Number image.
#[derive(Serialize)]
pub struct CardSurface {
    /// The code that opened it: `surface_code_a` or `surface_code_b`.
    pub code: PinKind,
    /// Date of birth, `YYYY-MM-DD`.
    pub birth_date: String,
    /// Sex, as printed on the card.
    pub sex: Sex,
    /// The card's last valid day, `YYYY-MM-DD`.
    pub expires_on: String,
    /// The face photo as a PNG `data:` URL; `None` when it could not be converted.
    pub photo: Option<String>,
    /// Why the photo could not be converted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub photo_error: Option<String>,
    /// The name as printed, a PNG `data:` URL.
    pub name_image: String,
    /// The address as printed, a PNG `data:` URL.
    pub address_image: String,
    /// The security code as printed, a PNG `data:` URL.
    pub security_code_image: String,
    /// The My Number as printed, a PNG `data:` URL (code A only).
    pub my_number_image: Option<String>,
    /// Whether the card-surface application's signature covers everything above.
    pub signed: bool,
    /// The code's tries after it opened the face (read again; `None` if that read failed).
    pub status: Option<PinStatus>,
}

/// Reads the card face with code A (`surface_code_a`) or code B (`surface_code_b`). The tries left
/// are shown beforehand with `pin_status`; a locked code is refused here before it is sent.
#[tauri::command(rename_all = "snake_case")]
pub async fn card_surface<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    kind: PinKind,
    code: String,
) -> Result<CardSurface, AppError> {
    if !matches!(kind, PinKind::SurfaceCodeA | PinKind::SurfaceCodeB) {
        return Err(AppError::invalid_input(format!(
            "the card face opens with card-face code A or B, not the {kind}"
        )));
    }
    let code = parse_pin(kind, code)?;
    state
        .with_card(Progress::emitter(app), move |card| {
            let progress = card.progress();
            let mut link = card.connect()?;
            progress.step(Step::CheckingPin);
            if flows::pin_status(&mut link, kind)? == PinStatus::Locked {
                return Err(CardError::PinLocked { kind }.into());
            }
            progress.step(Step::VerifyingPin);
            let surface = flows::read_surface(&mut link, &code)?;
            drop(code);
            progress.step(Step::CheckingPin);
            let status = flows::pin_status(&mut link, kind)
                .inspect_err(|e| tracing::warn!(error = %e, "tries left after reading the face"))
                .ok();
            let face = &surface.face;
            let (my_number_image, my_number_signed) = match &surface.my_number_image {
                Some((png, signed)) => (Some(png_data_url(png)), *signed),
                None => (None, true),
            };
            tracing::info!(code = %kind, signed = face.signed, "card face read");
            Ok(CardSurface {
                code: kind,
                birth_date: face.birth_date.to_string(),
                sex: face.sex,
                expires_on: face.expires_on.to_string(),
                photo: surface.photo_png.as_deref().ok().map(png_data_url),
                photo_error: surface.photo_png.as_ref().err().cloned(),
                name_image: png_data_url(&face.name_image),
                address_image: png_data_url(&face.address_image),
                security_code_image: png_data_url(&face.security_code_image),
                my_number_image,
                signed: face.signed && my_number_signed,
                status,
            })
        })
        .await
}

/// `data:image/png;base64,…` for PNG bytes.
fn png_data_url(png: &[u8]) -> String {
    use base64::Engine;
    format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(png)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_png_becomes_a_data_url() {
        assert_eq!(png_data_url(b"\x89PNG"), "data:image/png;base64,iVBORw==");
    }
}
