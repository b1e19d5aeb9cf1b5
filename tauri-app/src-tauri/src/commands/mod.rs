//! The Tauri commands the front end invokes (see `tauri-app/IPC.md`). Each file holds one task:
//! choosing a reader, looking at the card, reading its face, logging in, signing.

pub mod card;
pub mod login;
pub mod readers;
pub mod sign;
pub mod surface;

use kazasu_core::pin::{Pin, PinKind};
use zeroize::Zeroizing;

use crate::error::AppError;

/// Checks a typed PIN against its kind's rule and wipes the text: a malformed PIN is refused
/// here and never reaches the card.
fn parse_pin(kind: PinKind, typed: String) -> Result<Pin, AppError> {
    let typed = Zeroizing::new(typed);
    Ok(Pin::parse(kind, &typed)?)
}
