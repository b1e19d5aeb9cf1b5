//! A software My Number Card: the JPKI and card-info applications, the test CA ("J-LIS") that
//! issues its certificates, and the municipal office that unlocks, revokes and renews them.
//!
//! The simulator is a library first: tests, the CLI and apps talk to it in-process through
//! [`SimTransport`], which implements the core's `Transport`. Every card is one JSON file,
//! written atomically before the card answers, with its J-LIS (`jlis.json`) beside it.
//!
//! ```no_run
//! use kazasu_sim::{HolderProfile, IssueOptions, SimTransport, issue_card};
//! let path = std::path::Path::new("/tmp/kazasu-doc/card.json");
//! issue_card(path, &HolderProfile::sample(), &IssueOptions::default())?;
//! let card = SimTransport::open(path)?;
//! # Ok::<(), kazasu_sim::SimError>(())
//! ```

mod card_state;
mod engine;
mod error;
pub mod frontend;
mod hexbytes;
mod holder;
mod jlis;
mod municipal;
mod persist;
mod sim_transport;

use std::path::{Path, PathBuf};

pub use card_state::{
    BlockedStatus, CardConfig, CardPins, CardState, CertKind, CertStatus, IssueOptions, issue_card,
};
pub use engine::CERT_EF_SIZE;
pub use error::SimError;
pub use holder::{
    ADDRESS_ALT_PLACEHOLDER, HolderProfile, Municipality, NAME_ALT_PLACEHOLDER, anniversary,
    nth_birthday_after, with_check_digit,
};
pub use jlis::{
    CaKind, JLIS_FILE, Jlis, OCSP_URL, Revocation, RevocationReason, SIMULATOR_UNIT,
    TEST_ORGANISATION, ca_name,
};
pub use municipal::Office;
pub use sim_transport::{Fault, MY_NUMBER_CARD_ATR, SimTransport};

/// The default simulated card: `<data dir>/kazasu/sim/card.json` (e.g. `~/.local/share/kazasu/sim/card.json`).
pub fn default_card_path() -> Result<PathBuf, SimError> {
    let dirs = directories::ProjectDirs::from("", "", "kazasu").ok_or(SimError::NoDataDir)?;
    Ok(dirs.data_dir().join("sim").join("card.json"))
}

/// Issues a sample card at `path` unless one is there; returns whether it made one.
///
/// The sample card has the default test PINs (auth `1234`, sign `KAZASU1`, card-info `1234`).
pub fn ensure_card(path: &Path) -> Result<bool, SimError> {
    if path.exists() {
        return Ok(false);
    }
    issue_card(path, &HolderProfile::sample(), &IssueOptions::default())?;
    Ok(true)
}
