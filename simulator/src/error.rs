//! What can go wrong in the simulator, with the file or rule involved.

use std::path::PathBuf;

use kazasu_core::pin::{PinFormatError, PinKind};

/// Errors from the simulated card, its test CA and the municipal office.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SimError {
    /// A state file could not be read or written.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done ("reading", "writing").
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// A state file exists but is not a state this simulator understands; it is left untouched.
    #[error("{path} is not a usable simulator state file: {reason}")]
    BadStateFile {
        /// The file.
        path: PathBuf,
        /// Why (bad JSON, unknown version, bad key...).
        reason: String,
    },
    /// No card file where one was expected.
    #[error("no simulated card at {0}: create one with `kazasu-sim new --card {0}`")]
    NoCard(PathBuf),
    /// A card file already exists and would be overwritten.
    #[error("a simulated card already exists at {0}: pass --force to replace it")]
    CardExists(PathBuf),
    /// A PIN given to the office breaks the card holder's rules.
    #[error("the office refuses the new {kind}: {source}")]
    PinFormat {
        /// Which PIN.
        kind: PinKind,
        /// The rule it breaks.
        source: PinFormatError,
    },
    /// Renewal is only possible from 3 months before expiry.
    #[error(
        "renewal opens on {opens_on} (3 months before the certificate expires); come back then"
    )]
    RenewalTooEarly {
        /// First day renewal is possible.
        opens_on: time::Date,
    },
    /// A certificate cannot be renewed or resumed in its current state.
    #[error("the {what} certificate is {state}: {advice}")]
    CertificateState {
        /// Which certificate.
        what: &'static str,
        /// Its state.
        state: &'static str,
        /// What to do instead.
        advice: &'static str,
    },
    /// A holder profile value is invalid.
    #[error("invalid holder data: {0}")]
    Holder(String),
    /// Key generation, certificate or CRL building failed.
    #[error("issuing failed: {0}")]
    Issue(String),
    /// No data directory could be found for the default card.
    #[error("cannot find a data directory for the default simulated card (is HOME set?)")]
    NoDataDir,
}

impl SimError {
    pub(crate) fn io(action: &'static str, path: &std::path::Path, source: std::io::Error) -> Self {
        SimError::Io {
            action,
            path: path.to_owned(),
            source,
        }
    }

    pub(crate) fn issue(e: impl std::fmt::Display) -> Self {
        SimError::Issue(e.to_string())
    }
}
