//! One error enum for every platform, keeping the core's meaning: a screen can match on the
//! variant (wrong PIN with tries left, locked, card removed…) and show [`MobileError::user_message`],
//! the core's own sentence for the person.

use kazasu_core::CardError;
use kazasu_core::cms::CmsError;
use kazasu_core::documents::DocumentError;
use kazasu_core::pin::PinFormatError;
use kazasu_core::problem::{ProblemKind, classify, transport_cause};
use kazasu_core::transport::TransportError;

use crate::types::PinKind;

/// What went wrong, in terms an app can act on.
///
/// Kotlin names it `MobileException`. Platform code implementing `CardChannel` raises
/// `CardRemoved`, `NoCard`, `Timeout` or `Transport`; whatever it raises reaches the caller as it
/// was raised. `user_message()` is the sentence to show.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Error)]
#[uniffi::export(Display)]
pub enum MobileError {
    /// The card refused the PIN and used one try.
    WrongPin {
        /// Which PIN.
        kind: PinKind,
        /// Tries left before the card locks it (1: warn that the next wrong one locks it).
        tries_left: u8,
    },
    /// The PIN is locked; it was not sent. Only the municipal office can reset it.
    PinLocked {
        /// Which PIN.
        kind: PinKind,
    },
    /// The card wants this PIN verified before the operation (nothing was read or signed).
    PinRequired {
        /// Which PIN.
        kind: PinKind,
    },
    /// The PIN breaks its kind's rule (length, characters); nothing was sent to the card.
    InvalidPin {
        /// Which rule, in words (never the PIN).
        reason: String,
    },
    /// The card left the field before answering: ask the person to hold it still and retry.
    CardRemoved,
    /// No card is there.
    NoCard,
    /// The card has no JPKI application: it is not a My Number Card.
    NotMyNumberCard,
    /// The card did not answer in time.
    Timeout {
        /// How long was waited (0 when unknown).
        millis: u64,
    },
    /// The link to the card failed (NFC off, reader or socket trouble).
    Transport {
        /// What failed.
        reason: String,
    },
    /// The card answered with an error, or with data of the wrong shape.
    Card {
        /// What was being done and what the card said.
        reason: String,
    },
    /// A certificate cannot be read or used (e.g. the signing certificate has expired).
    Certificate {
        /// Why, and what to do.
        reason: String,
    },
    /// An argument from the app is not acceptable (a challenge, a date, a digest); nothing was sent.
    InvalidInput {
        /// What is wrong with it.
        reason: String,
    },
    /// A failure nobody planned for, including an exception thrown by platform code.
    Unexpected {
        /// What happened.
        reason: String,
    },
}

impl std::fmt::Display for MobileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The structured variants are rebuilt into the core's errors so the words stay the core's.
        match self {
            MobileError::WrongPin { kind, tries_left } => CardError::WrongPin {
                kind: (*kind).into(),
                tries_left: *tries_left,
            }
            .fmt(f),
            MobileError::PinLocked { kind } => CardError::PinLocked {
                kind: (*kind).into(),
            }
            .fmt(f),
            MobileError::PinRequired { kind } => CardError::PinRequired {
                kind: (*kind).into(),
            }
            .fmt(f),
            MobileError::CardRemoved => TransportError::CardRemoved.fmt(f),
            MobileError::NoCard => TransportError::NoCard.fmt(f),
            MobileError::NotMyNumberCard => CardError::NotMyNumberCard.fmt(f),
            MobileError::Timeout { millis } => TransportError::Timeout { millis: *millis }.fmt(f),
            MobileError::InvalidPin { reason }
            | MobileError::Transport { reason }
            | MobileError::Card { reason }
            | MobileError::Certificate { reason }
            | MobileError::InvalidInput { reason }
            | MobileError::Unexpected { reason } => f.write_str(reason),
        }
    }
}

impl std::error::Error for MobileError {}

#[uniffi::export]
impl MobileError {
    /// The sentence to show the person: what happened and what to do next.
    pub fn user_message(&self) -> String {
        self.to_string()
    }
}

impl From<uniffi::UnexpectedUniFFICallbackError> for MobileError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        MobileError::Unexpected {
            reason: format!("the platform's card channel failed: {}", e.reason),
        }
    }
}

/// A platform's own error travelling through the core inside a `TransportError::Io`, so that it
/// comes back out exactly as the platform raised it (a type, not a marker string).
#[derive(Debug)]
pub(crate) struct FromPlatform(pub(crate) MobileError);

impl std::fmt::Display for FromPlatform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for FromPlatform {}

impl MobileError {
    /// The core's classification of `error` as a variant: the one place the bindings learn what a
    /// core error means (the CLI's exit codes and the app's codes read the same). A platform's
    /// own error comes back as it was raised.
    pub(crate) fn classified(error: &(dyn std::error::Error + 'static)) -> MobileError {
        if let Some(raised) = raised_by_platform(error) {
            return raised;
        }
        let problem = classify(error);
        let reason = error.to_string();
        let kind = problem.pin.map(PinKind::from);
        match (problem.kind, kind) {
            (ProblemKind::WrongPin, Some(kind)) => MobileError::WrongPin {
                kind,
                tries_left: problem.tries_left.unwrap_or(0),
            },
            (ProblemKind::PinLocked, Some(kind)) => MobileError::PinLocked { kind },
            (ProblemKind::PinRequired, Some(kind)) => MobileError::PinRequired { kind },
            (ProblemKind::InvalidPin, _) => MobileError::InvalidPin { reason },
            (ProblemKind::CardRemoved, _) => MobileError::CardRemoved,
            (ProblemKind::NoCard, _) => MobileError::NoCard,
            (ProblemKind::NotMyNumberCard, _) => MobileError::NotMyNumberCard,
            (ProblemKind::Timeout, _) => MobileError::Timeout {
                millis: timeout_millis(error),
            },
            (ProblemKind::ReaderUnavailable, _) => MobileError::Transport { reason },
            (ProblemKind::CardFailed, _) => MobileError::Card { reason },
            (ProblemKind::CertificateExpired | ProblemKind::CertificateNotYetValid, _) => {
                MobileError::Certificate { reason }
            }
            (kind, _) if kind.is_input_mistake() => MobileError::InvalidInput { reason },
            _ => MobileError::Unexpected { reason },
        }
    }
}

/// The platform's own error, when one is in `error`'s chain.
fn raised_by_platform(error: &(dyn std::error::Error + 'static)) -> Option<MobileError> {
    match transport_cause(error)? {
        TransportError::Io { source, .. } => source
            .get_ref()
            .and_then(|e| e.downcast_ref::<FromPlatform>())
            .map(|platform| platform.0.clone()),
        _ => None,
    }
}

/// How long a timed-out exchange waited, from the transport's own error.
fn timeout_millis(error: &(dyn std::error::Error + 'static)) -> u64 {
    match transport_cause(error) {
        Some(TransportError::Timeout { millis }) => *millis,
        _ => 0,
    }
}

/// Every core error becomes a `MobileError` through [`MobileError::classified`].
macro_rules! classified_from {
    ($($error:ty),* $(,)?) => {$(
        impl From<$error> for MobileError {
            fn from(e: $error) -> MobileError {
                MobileError::classified(&e)
            }
        }
    )*};
}

classified_from!(
    PinFormatError,
    TransportError,
    CardError,
    CmsError,
    DocumentError
);

#[cfg(test)]
mod tests {
    use super::*;
    use kazasu_core::apdu::StatusWord;
    use kazasu_core::pin::{self, Pin};

    #[test]
    fn pin_errors_keep_kind_tries_and_the_core_sentence() {
        let core = CardError::from_status(
            "verifying",
            StatusWord::RemainingRetries(1),
            Some(pin::PinKind::Sign),
        );
        let sentence = core.to_string();
        let e = MobileError::from(core);
        assert_eq!(
            e,
            MobileError::WrongPin {
                kind: PinKind::Sign,
                tries_left: 1
            }
        );
        assert_eq!(e.user_message(), sentence);
        assert!(sentence.contains("Last try"), "{sentence}");

        let locked = MobileError::from(CardError::PinLocked {
            kind: pin::PinKind::Auth,
        });
        assert_eq!(
            locked,
            MobileError::PinLocked {
                kind: PinKind::Auth
            }
        );
        assert!(locked.user_message().contains("municipal office"));
    }

    #[test]
    fn malformed_pins_are_invalid_pin_without_the_pin() {
        let e: MobileError = Pin::parse(pin::PinKind::Sign, "SECRET")
            .err()
            .unwrap()
            .into();
        let MobileError::InvalidPin { reason } = &e else {
            panic!("{e:?}")
        };
        assert!(!reason.contains("SECRET"));
        assert!(reason.contains("nothing was sent"), "{reason}");
    }

    #[test]
    fn transport_errors_keep_their_meaning() {
        assert_eq!(
            MobileError::from(CardError::Transport(TransportError::CardRemoved)),
            MobileError::CardRemoved
        );
        assert_eq!(
            MobileError::from(TransportError::Timeout { millis: 5000 }),
            MobileError::Timeout { millis: 5000 }
        );
        assert!(
            MobileError::CardRemoved
                .user_message()
                .contains("hold it still")
        );
        let e = MobileError::from(TransportError::ReaderUnavailable {
            reader: "tcp:x".into(),
            reason: "cannot connect".into(),
        });
        assert!(
            matches!(&e, MobileError::Transport { reason } if reason.contains("tcp:x")),
            "{e:?}"
        );
    }

    #[test]
    fn a_platform_error_comes_back_as_it_was_raised() {
        let raised = MobileError::Transport {
            reason: "NFC is switched off".into(),
        };
        let through_core = CardError::Transport(TransportError::Io {
            context: "the platform's card channel".into(),
            source: std::io::Error::other(FromPlatform(raised)),
        });
        assert_eq!(
            MobileError::from(through_core),
            MobileError::Transport {
                reason: "NFC is switched off".into()
            }
        );
    }

    #[test]
    fn a_platform_error_inside_a_document_signature_comes_back_as_raised() {
        let raised = MobileError::Timeout { millis: 1500 };
        let through_core =
            DocumentError::from(CmsError::Card(CardError::Transport(TransportError::Io {
                context: "the platform's card channel".into(),
                source: std::io::Error::other(FromPlatform(raised.clone())),
            })));
        assert_eq!(MobileError::from(through_core), raised);
        let timed_out = DocumentError::Card(CardError::Transport(TransportError::Timeout {
            millis: 700,
        }));
        assert_eq!(
            MobileError::from(timed_out),
            MobileError::Timeout { millis: 700 }
        );
    }

    #[test]
    fn not_a_my_number_card_and_card_answers() {
        assert_eq!(
            MobileError::from(CardError::NotMyNumberCard),
            MobileError::NotMyNumberCard
        );
        let e = MobileError::from(CardError::from_status(
            "reading",
            StatusWord::from(0x6A86),
            None,
        ));
        assert!(
            matches!(&e, MobileError::Card { reason } if reason.contains("6A 86")),
            "{e:?}"
        );
    }

    #[test]
    fn callback_failures_are_unexpected_not_a_crash() {
        let e = MobileError::from(uniffi::UnexpectedUniFFICallbackError {
            reason: "RuntimeException: boom".into(),
        });
        assert!(matches!(&e, MobileError::Unexpected { reason } if reason.contains("boom")));
    }
}
