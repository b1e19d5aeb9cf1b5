//! The one error every command returns: a stable `code` the front end words in Japanese or English,
//! the English sentence for logs, and the few facts a person needs (which PIN, tries left).
//! The codes are listed in `tauri-app/IPC.md`.

use kazasu_core::CardError;
use kazasu_core::documents::DocumentError;
use kazasu_core::flows::LoginError;
use kazasu_core::login::service::ServiceError;
use kazasu_core::pin::{PinFormatError, PinKind};
use kazasu_core::problem::classify;
use kazasu_core::transport::TransportError;
use serde::Serialize;

/// An error as the front end receives it (the rejected value of `invoke`). Never carries a PIN.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    /// What went wrong, as a stable word (`wrong_pin`, `card_removed`, …).
    pub code: &'static str,
    /// The core's sentence in English.
    pub message: String,
    /// The PIN concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pin: Option<PinKind>,
    /// Tries left after a wrong PIN.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tries_left: Option<u8>,
    /// The login service's HTTP status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// A short technical reason (the service's, the file system's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The file concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

impl AppError {
    /// An error with a code and a sentence, and no details yet.
    pub fn new(code: &'static str, message: impl Into<String>) -> AppError {
        AppError {
            code,
            message: message.into(),
            pin: None,
            tries_left: None,
            status: None,
            reason: None,
            path: None,
        }
    }

    /// Adds the short technical reason.
    pub fn reason(mut self, reason: impl Into<String>) -> AppError {
        self.reason = Some(reason.into());
        self
    }

    /// Adds the file concerned.
    pub fn path(mut self, path: &std::path::Path) -> AppError {
        self.path = Some(path.display().to_string());
        self
    }

    /// A file that could not be read or written.
    pub fn file(path: &std::path::Path, doing: &str, e: &std::io::Error) -> AppError {
        AppError::new("file", format!("{doing} {}: {e}", path.display()))
            .path(path)
            .reason(e.to_string())
    }

    /// An argument that makes no sense.
    pub fn invalid_input(reason: impl Into<String>) -> AppError {
        let reason = reason.into();
        AppError::new("invalid_input", reason.clone()).reason(reason)
    }
}

impl AppError {
    /// The core's classification of `error`, with its sentence: the one place the app learns
    /// what a core error means (the CLI's exit codes and the bindings read the same).
    pub fn classified(error: &(dyn std::error::Error + 'static)) -> AppError {
        let problem = classify(error);
        AppError {
            code: problem.kind.app_code(),
            message: error.to_string(),
            pin: problem.pin,
            tries_left: problem.tries_left,
            status: problem.http_status,
            reason: problem.detail,
            path: None,
        }
    }
}

/// Every core error becomes an `AppError` through [`AppError::classified`].
macro_rules! classified_from {
    ($($error:ty),* $(,)?) => {$(
        impl From<$error> for AppError {
            fn from(e: $error) -> AppError {
                AppError::classified(&e)
            }
        }
    )*};
}

classified_from!(
    PinFormatError,
    TransportError,
    CardError,
    DocumentError,
    ServiceError,
    LoginError
);

impl From<tauri_plugin_kazasu_nfc::Error> for AppError {
    fn from(e: tauri_plugin_kazasu_nfc::Error) -> AppError {
        use tauri_plugin_kazasu_nfc::Error as Nfc;
        let message = e.to_string();
        match e {
            Nfc::Unsupported => AppError::new("nfc_unavailable", message),
            Nfc::NfcUnavailable { reason } => {
                AppError::new("nfc_unavailable", message).reason(reason)
            }
            Nfc::Cancelled => AppError::new("nfc_cancelled", message),
            Nfc::NoCard => AppError::new("no_card", message),
            Nfc::NotMyNumberCard => AppError::new("not_my_number_card", message),
            Nfc::CardRemoved | Nfc::SessionClosed { .. } => AppError::new("card_removed", message),
            Nfc::Timeout { .. } => AppError::new("timeout", message),
            Nfc::Transport { reason } => {
                AppError::new("reader_unavailable", message).reason(reason)
            }
            Nfc::Apdu(apdu) => AppError::new("card_error", message).reason(apdu.to_string()),
            other => AppError::new("internal", message).reason(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrong_pin_says_which_and_how_many_tries_are_left() {
        let e = AppError::from(CardError::WrongPin {
            kind: PinKind::Auth,
            tries_left: 1,
        });
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["code"], "wrong_pin");
        assert_eq!(json["pin"], "auth");
        assert_eq!(json["tries_left"], 1);
        assert!(json.get("status").is_none());
    }

    #[test]
    fn a_mistyped_access_code_names_the_code_not_a_pin() {
        for (error, kind) in [
            (
                PinFormatError::CheckDigit {
                    kind: PinKind::SurfaceCodeA,
                },
                "surface_code_a",
            ),
            (
                PinFormatError::Date {
                    kind: PinKind::SurfaceCodeB,
                },
                "surface_code_b",
            ),
        ] {
            let json = serde_json::to_value(AppError::from(error)).unwrap();
            assert_eq!(json["code"], "invalid_pin");
            assert_eq!(json["pin"], kind);
        }
    }

    #[test]
    fn a_card_pulled_away_inside_a_document_signature_is_card_removed() {
        let e = AppError::from(DocumentError::Card(CardError::Transport(
            TransportError::CardRemoved,
        )));
        assert_eq!(e.code, "card_removed");
        // The CMS builder passes the card's failure on inside its own error.
        let e = AppError::from(DocumentError::Cms(kazasu_core::cms::CmsError::Card(
            CardError::Transport(TransportError::CardRemoved),
        )));
        assert_eq!(e.code, "card_removed");
    }

    #[test]
    fn every_core_code_is_worded_by_the_front_end() {
        let catalogue = include_str!("../../src/i18n/catalogue.ts");
        for kind in kazasu_core::problem::ProblemKind::ALL {
            let key = format!("\"error.{}\"", kind.app_code());
            assert!(catalogue.contains(&key), "no wording for {key}");
        }
    }
}
