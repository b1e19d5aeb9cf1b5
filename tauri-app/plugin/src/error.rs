//! The plugin's errors, the phone's error codes they come from, and what they mean to the core.

use std::io;

use kazasu_core::apdu::ApduError;
use kazasu_core::transport::TransportError;

/// The reader name in [`TransportError::ReaderUnavailable`].
pub const READER_NAME: &str = "this phone's NFC";

/// The codes the phone side rejects a command with (`invoke.reject(message, code)`).
pub mod code {
    /// No NFC hardware, NFC switched off, or (iOS) this iPhone cannot read tags.
    pub const NFC_UNAVAILABLE: &str = "NFC_UNAVAILABLE";
    /// The person closed the NFC sheet (iOS), or the app called [`crate::Nfc::cancel`].
    pub const CANCELLED: &str = "CANCELLED";
    /// No card was tapped while the phone waited for one.
    pub const NO_CARD: &str = "NO_CARD";
    /// A tag was found that is not ISO-DEP (Android) or answers none of the listed AIDs (iOS).
    pub const NOT_MY_NUMBER_CARD: &str = "NOT_MY_NUMBER_CARD";
    /// The tag was lost (moved away) before the card answered.
    pub const CARD_REMOVED: &str = "CARD_REMOVED";
    /// The card did not answer within the session's time-out.
    pub const TIMEOUT: &str = "TIMEOUT";
    /// The session is not open any more: closed, replaced by a newer one, the app went to the
    /// background (Android), or the system ended it (iOS, about 60 s).
    pub const SESSION_CLOSED: &str = "SESSION_CLOSED";
    /// Any other NFC failure, including a command the phone cannot send (too long, extended
    /// length without support).
    pub const TRANSPORT: &str = "TRANSPORT";
    /// The arguments did not parse (a bug on one side of the bridge).
    pub const INVALID_ARGS: &str = "INVALID_ARGS";
}

/// What went wrong with the phone's NFC.
///
/// | phone code | [`Error`] | [`TransportError`] |
/// |---|---|---|
/// | (desktop, no phone) | `Unsupported` | `ReaderUnavailable { reader: "this phone's NFC", .. }` |
/// | `NFC_UNAVAILABLE` | `NfcUnavailable { reason }` | `ReaderUnavailable { reader: "this phone's NFC", reason }` |
/// | `CANCELLED` | `Cancelled` | `Io { context: "reading the card was cancelled", source: Interrupted }` |
/// | `NO_CARD` | `NoCard` | `NoCard` |
/// | `NOT_MY_NUMBER_CARD` | `NotMyNumberCard` | `NoCard` (only `open` sees it; no `TransportError` says "wrong card") |
/// | `CARD_REMOVED` | `CardRemoved` | `CardRemoved` |
/// | `TIMEOUT` | `Timeout { millis }` (the session's time-out) | `Timeout { millis }` |
/// | `SESSION_CLOSED` | `SessionClosed { reason }` | `Io { context: "the phone's NFC session has ended", source: ConnectionAborted }` |
/// | `TRANSPORT` | `Transport { reason }` | `Io { context: "the phone's NFC link failed", source: Other }` |
/// | `INVALID_ARGS`, no code, any other code, a JNI or JSON failure | `Bridge { reason }` | `Io { context: "the NFC plugin's bridge failed", source: Other }` |
/// | (Rust side) command < 4 bytes, response < 2 bytes | `Apdu(..)` | `Malformed(..)` |
/// | (Rust side) command or response over the ISO 7816-4 maximum, answer not hex | `Bridge { reason }` | `Io { context: "the NFC plugin's bridge failed", .. }` |
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Not a phone: there is no NFC plugin on desktops.
    #[error("the phone's NFC is only available in the Android and iOS app")]
    Unsupported,
    /// The phone cannot read NFC now.
    #[error("NFC is not available: {reason}")]
    NfcUnavailable {
        /// Why, as the phone says it.
        reason: String,
    },
    /// The person closed the NFC sheet, or the app cancelled.
    #[error("reading the card was cancelled")]
    Cancelled,
    /// No card was tapped in time.
    #[error("no card found: hold your My Number Card to the phone")]
    NoCard,
    /// The tag found cannot be a My Number Card.
    #[error("this card is not a My Number Card")]
    NotMyNumberCard,
    /// The card left the phone before answering.
    #[error("the card was removed: hold it still against the phone and try again")]
    CardRemoved,
    /// The card did not answer in time.
    #[error("the card did not answer in time ({millis} ms); hold it still against the phone")]
    Timeout {
        /// How long was waited, in milliseconds.
        millis: u64,
    },
    /// The phone's session ended (closed, replaced, app in the background, iOS's time limit).
    #[error("the NFC session has ended ({reason}); start again")]
    SessionClosed {
        /// Why, as the phone says it.
        reason: String,
    },
    /// The phone's NFC link failed otherwise.
    #[error("the phone's NFC link failed: {reason}")]
    Transport {
        /// What failed.
        reason: String,
    },
    /// An APDU too short to be one.
    #[error(transparent)]
    Apdu(#[from] ApduError),
    /// The bridge between Rust and the phone's code failed (a bug, or a version mismatch).
    #[error("the NFC plugin's bridge failed: {reason}")]
    Bridge {
        /// What failed.
        reason: String,
    },
}

impl Error {
    /// The error a phone rejection means. `timeout_ms` is the session's time-out, reported by
    /// [`Error::Timeout`].
    pub fn from_phone(code: Option<&str>, message: Option<&str>, timeout_ms: u64) -> Error {
        let reason = || message.unwrap_or("no reason given").to_owned();
        match code {
            Some(code::NFC_UNAVAILABLE) => Error::NfcUnavailable { reason: reason() },
            Some(code::CANCELLED) => Error::Cancelled,
            Some(code::NO_CARD) => Error::NoCard,
            Some(code::NOT_MY_NUMBER_CARD) => Error::NotMyNumberCard,
            Some(code::CARD_REMOVED) => Error::CardRemoved,
            Some(code::TIMEOUT) => Error::Timeout { millis: timeout_ms },
            Some(code::SESSION_CLOSED) => Error::SessionClosed { reason: reason() },
            Some(code::TRANSPORT) => Error::Transport { reason: reason() },
            Some(other) => Error::Bridge {
                reason: format!("[{other}] {}", reason()),
            },
            None => Error::Bridge { reason: reason() },
        }
    }

    /// The error of a failed `run_mobile_plugin`.
    #[cfg(mobile)]
    pub(crate) fn from_invoke(
        error: tauri::plugin::mobile::PluginInvokeError,
        timeout_ms: u64,
    ) -> Error {
        use tauri::plugin::mobile::PluginInvokeError;
        match error {
            PluginInvokeError::InvokeRejected(rejected) => Error::from_phone(
                rejected.code.as_deref(),
                rejected.message.as_deref(),
                timeout_ms,
            ),
            other => Error::Bridge {
                reason: other.to_string(),
            },
        }
    }
}

impl From<Error> for TransportError {
    fn from(error: Error) -> TransportError {
        let io = |context: &str, kind: io::ErrorKind, reason: String| TransportError::Io {
            context: context.to_owned(),
            source: io::Error::new(kind, reason),
        };
        match error {
            Error::Unsupported => TransportError::ReaderUnavailable {
                reader: READER_NAME.to_owned(),
                reason: Error::Unsupported.to_string(),
            },
            Error::NfcUnavailable { reason } => TransportError::ReaderUnavailable {
                reader: READER_NAME.to_owned(),
                reason,
            },
            Error::Cancelled => io(
                "reading the card was cancelled",
                io::ErrorKind::Interrupted,
                "the NFC session was closed before the card answered".to_owned(),
            ),
            Error::NoCard | Error::NotMyNumberCard => TransportError::NoCard,
            Error::CardRemoved => TransportError::CardRemoved,
            Error::Timeout { millis } => TransportError::Timeout { millis },
            Error::SessionClosed { reason } => io(
                "the phone's NFC session has ended",
                io::ErrorKind::ConnectionAborted,
                reason,
            ),
            Error::Transport { reason } => {
                io("the phone's NFC link failed", io::ErrorKind::Other, reason)
            }
            Error::Apdu(e) => TransportError::Malformed(e),
            Error::Bridge { reason } => io(
                "the NFC plugin's bridge failed",
                io::ErrorKind::Other,
                reason,
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phone(code: &str) -> Error {
        Error::from_phone(Some(code), Some("why"), 5000)
    }

    #[test]
    fn phone_codes_map_to_errors() {
        assert!(
            matches!(phone(code::NFC_UNAVAILABLE), Error::NfcUnavailable { reason } if reason == "why")
        );
        assert!(matches!(phone(code::CANCELLED), Error::Cancelled));
        assert!(matches!(phone(code::NO_CARD), Error::NoCard));
        assert!(matches!(
            phone(code::NOT_MY_NUMBER_CARD),
            Error::NotMyNumberCard
        ));
        assert!(matches!(phone(code::CARD_REMOVED), Error::CardRemoved));
        assert!(matches!(
            phone(code::TIMEOUT),
            Error::Timeout { millis: 5000 }
        ));
        assert!(
            matches!(phone(code::SESSION_CLOSED), Error::SessionClosed { reason } if reason == "why")
        );
        assert!(matches!(phone(code::TRANSPORT), Error::Transport { reason } if reason == "why"));
        assert!(
            matches!(phone(code::INVALID_ARGS), Error::Bridge { reason } if reason == "[INVALID_ARGS] why")
        );
        assert!(matches!(phone("SOMETHING_NEW"), Error::Bridge { .. }));
        // Tauri's own rejections ("Plugin … not initialized", an uncaught exception) have no code.
        assert!(
            matches!(Error::from_phone(None, Some("Plugin kazasu-nfc not initialized"), 0), Error::Bridge { reason } if reason.contains("not initialized"))
        );
        assert!(matches!(
            Error::from_phone(None, None, 0),
            Error::Bridge { .. }
        ));
    }

    #[test]
    fn errors_map_onto_the_core_transport_errors() {
        let t = |e: Error| TransportError::from(e);
        assert!(matches!(t(Error::CardRemoved), TransportError::CardRemoved));
        assert!(matches!(t(Error::NoCard), TransportError::NoCard));
        assert!(matches!(t(Error::NotMyNumberCard), TransportError::NoCard));
        assert!(matches!(
            t(Error::Timeout { millis: 5000 }),
            TransportError::Timeout { millis: 5000 }
        ));
        assert!(
            matches!(t(Error::NfcUnavailable { reason: "off".into() }), TransportError::ReaderUnavailable { reader, reason } if reader == READER_NAME && reason == "off")
        );
        assert!(matches!(
            t(Error::Unsupported),
            TransportError::ReaderUnavailable { .. }
        ));
        assert!(
            matches!(t(Error::Cancelled), TransportError::Io { source, .. } if source.kind() == io::ErrorKind::Interrupted)
        );
        assert!(
            matches!(t(Error::SessionClosed { reason: "ended".into() }), TransportError::Io { source, .. } if source.kind() == io::ErrorKind::ConnectionAborted)
        );
        assert!(
            matches!(t(Error::Transport { reason: "x".into() }), TransportError::Io { context, .. } if context.contains("link"))
        );
        assert!(
            matches!(t(Error::Bridge { reason: "x".into() }), TransportError::Io { context, .. } if context.contains("bridge"))
        );
        assert!(matches!(
            t(Error::Apdu(ApduError::ResponseTooShort { len: 1 })),
            TransportError::Malformed(ApduError::ResponseTooShort { len: 1 })
        ));
    }

    #[test]
    fn the_core_message_names_the_phone() {
        let message = TransportError::from(Error::NfcUnavailable {
            reason: "NFC is switched off".into(),
        })
        .to_string();
        assert!(
            message.contains("this phone's NFC") && message.contains("switched off"),
            "{message}"
        );
    }
}
