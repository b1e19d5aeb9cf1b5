//! Looking at the card and looking after its PINs: the overview (no PIN, no try used), one PIN's
//! tries left, and changing a PIN.

use kazasu_core::PinStatus;
use kazasu_core::flows::{self, CardStatus};
use kazasu_core::pin::PinKind;
use serde::Serialize;
use tauri::{AppHandle, Runtime, State};

use super::parse_pin;
use crate::error::AppError;
use crate::progress::{Progress, Step};
use crate::state::AppState;

/// The overview screen's content.
#[derive(Debug, Serialize)]
pub struct Overview {
    /// Today in Japan, against which expiry and renewal are judged.
    pub today: String,
    /// The reader, as a person reads it.
    pub reader: String,
    /// Certificates, tries left and the card's lifecycle, as the core reads them.
    #[serde(flatten)]
    pub status: CardStatus,
}

pub use kazasu_core::cert::today_in_japan;

/// The "My card" screen: certificates, their lifecycle today in Japan, and every PIN's tries.
#[tauri::command(rename_all = "snake_case")]
pub async fn card_overview<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<Overview, AppError> {
    let today = today_in_japan();
    state
        .with_card(Progress::emitter(app), move |card| {
            let mut link = card.connect()?;
            card.progress().step(Step::Reading);
            let status = flows::card_status(&mut link, today)?;
            Ok(Overview {
                today: today.to_string(),
                reader: card.reader().to_string(),
                status,
            })
        })
        .await
}

/// One PIN's or code's tries left, read without using a try (shown before asking for it).
#[tauri::command(rename_all = "snake_case")]
pub async fn pin_status<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    kind: PinKind,
) -> Result<PinStatus, AppError> {
    state
        .with_card(Progress::emitter(app), move |card| {
            let mut link = card.connect()?;
            card.progress().step(Step::CheckingPin);
            Ok(flows::pin_status(&mut link, kind)?)
        })
        .await
}

/// Changes a holder's PIN (checked first, refused unsent when locked).
#[tauri::command(rename_all = "snake_case")]
pub async fn change_pin<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    kind: PinKind,
    current: String,
    new: String,
) -> Result<(), AppError> {
    let current = parse_pin(kind, current)?;
    let new = parse_pin(kind, new)?;
    state
        .with_card(Progress::emitter(app), move |card| {
            let mut link = card.connect()?;
            card.progress().step(Step::VerifyingPin);
            flows::change_pin(&mut link, &current, &new)?;
            tracing::info!(pin = %kind, "PIN changed");
            Ok(())
        })
        .await
}
