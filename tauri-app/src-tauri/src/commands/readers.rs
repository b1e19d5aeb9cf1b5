//! The first screen: which readers there are, and which one to use. Nothing here touches a card.

use serde::Serialize;
use tauri::State;

use crate::error::AppError;
use crate::reader::Reader;
use crate::state::AppState;

/// Where `kazasu-sim serve --tcp` is usually found.
pub const SIMULATOR_ADDRESS: &str = "127.0.0.1:35970";

/// What the app is and what it trusts.
#[derive(Debug, Serialize)]
pub struct AppInfo {
    /// The app's version.
    pub version: &'static str,
    /// True on a phone.
    pub mobile: bool,
    /// The folder of CA certificates this computer trusts for signatures, if any.
    pub trust_dir: Option<String>,
    /// How many trusted CAs were found there.
    pub trust_anchors: usize,
}

/// One PC/SC reader.
#[derive(Debug, Serialize)]
pub struct PcscReader {
    /// The reader's name, as pcscd gives it.
    pub name: String,
    /// A card is on it.
    pub card_present: bool,
}

/// Every way to reach a card from this device.
#[derive(Debug, Serialize)]
pub struct Readers {
    /// The PC/SC readers (desktop).
    pub pcsc: Vec<PcscReader>,
    /// Why PC/SC readers could not be listed (pcscd not running…).
    pub pcsc_error: Option<AppError>,
    /// libnfc devices can be used (desktop).
    pub nfc: bool,
    /// This device reads the card by NFC itself (phone).
    pub phone: bool,
    /// Where `kazasu-sim serve --tcp` listens by default.
    pub simulator_address: &'static str,
    /// The reader chosen now.
    pub current: Option<Reader>,
}

/// What the first screen shows about the app itself.
#[tauri::command(rename_all = "snake_case")]
pub fn app_info(state: State<'_, AppState>) -> AppInfo {
    AppInfo {
        version: env!("CARGO_PKG_VERSION"),
        mobile: cfg!(mobile),
        trust_dir: state.trust().path().map(|p| p.display().to_string()),
        trust_anchors: state.trust().load().anchors().len(),
    }
}

/// Every way to reach a card from this device, and the one chosen.
#[tauri::command(rename_all = "snake_case")]
pub async fn list_readers(state: State<'_, AppState>) -> Result<Readers, AppError> {
    // Asking pcscd may block for a moment: not on the UI thread.
    let (pcsc, pcsc_error) = tauri::async_runtime::spawn_blocking(pcsc_readers)
        .await
        .map_err(|e| AppError::new("internal", "listing readers failed").reason(e.to_string()))?;
    Ok(Readers {
        pcsc,
        pcsc_error,
        nfc: cfg!(desktop),
        phone: state.phone(),
        simulator_address: SIMULATOR_ADDRESS,
        current: state.reader(),
    })
}

#[cfg(desktop)]
fn pcsc_readers() -> (Vec<PcscReader>, Option<AppError>) {
    match kazasu_core::transport::pcsc::list_readers() {
        Ok(list) => (
            list.into_iter()
                .map(|r| PcscReader {
                    name: r.name,
                    card_present: r.card_present,
                })
                .collect(),
            None,
        ),
        Err(e) => (Vec::new(), Some(e.into())),
    }
}

#[cfg(mobile)]
fn pcsc_readers() -> (Vec<PcscReader>, Option<AppError>) {
    (Vec::new(), None)
}

/// Chooses the reader every later command uses (checked first; nothing is opened yet).
#[tauri::command(rename_all = "snake_case")]
pub fn choose_reader(state: State<'_, AppState>, reader: Reader) -> Result<(), AppError> {
    reader.validate()?;
    if reader == Reader::Phone && !state.phone() {
        return Err(AppError::new(
            "nfc_unavailable",
            "this device cannot read the card by NFC",
        ));
    }
    tracing::info!(%reader, "reader chosen");
    state.choose(reader);
    Ok(())
}
