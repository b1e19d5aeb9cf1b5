//! Kazasu on phones: the My Number Card's use cases for Kotlin (Android), Swift (iOS) and Python,
//! through uniffi.
//!
//! This crate is thin on purpose: it converts types and errors and holds a session's link to the
//! card; every protocol step, PIN rule and check is the core's. The platform reaches the card
//! through a [`CardChannel`] it implements (IsoDep on Android, CoreNFC on iOS), or, in
//! development, through [`CardSession::connect_tcp`] to `kazasu-sim serve --tcp`.
//!
//! ```no_run
//! use kazasu_mobile::{CardSession, PinKind};
//! let session = CardSession::connect_tcp("127.0.0.1:35970".into())?;
//! let status = session.status(None)?;
//! session.verify_pin(PinKind::Auth, "1234".into())?;
//! # Ok::<(), kazasu_mobile::MobileError>(())
//! ```

mod channel;
mod error;
mod session;
mod types;

pub use channel::CardChannel;
pub use error::MobileError;
pub use session::CardSession;
pub use types::{
    CardStatus, CertSlot, CertificateStatus, CertificateSummary, DigestKind, HolderAttributes,
    Identity, Lifecycle, PinKind, PinReport, PinStatus, Sex, TokenKind,
};

uniffi::setup_scaffolding!();
