//! One error enum for every platform, keeping the core's meaning: a screen can match on the
//! variant (wrong PIN with tries left, locked, card removed…) and show [`MobileError::user_message`],
//! the core's own sentence for the person.

use kazasu_core::CardError;
use kazasu_core::cms::CmsError;
use kazasu_core::documents::DocumentError;
use kazasu_core::pin::PinFormatError;
use kazasu_core::transport::TransportError;

use crate::types::PinKind;

/// What went wrong, in terms an app can act on.
///
/// Kotlin names it `MobileException`. Platform code implementing `CardChannel` raises
/// `CardRemoved`, `NoCard`, `Timeout` or `Transport`; whatever it raises reaches the caller as it
/// was raised. `user_message()` is the sentence to show.
#[derive(Debug, PartialEq, Eq, uniffi::Error)]
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

impl From<PinFormatError> for MobileError {
    fn from(e: PinFormatError) -> Self {
        MobileError::InvalidPin {
            reason: e.to_string(),
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

impl From<TransportError> for MobileError {
    fn from(e: TransportError) -> Self {
        match e {
            TransportError::CardRemoved => MobileError::CardRemoved,
            TransportError::NoCard => MobileError::NoCard,
            TransportError::Timeout { millis } => MobileError::Timeout { millis },
            // A platform's own error, carried through the core unchanged (see `ChannelTransport`).
            TransportError::Io { source, .. }
                if source.get_ref().is_some_and(|e| e.is::<FromPlatform>()) =>
            {
                let inner = source.into_inner().expect("checked above");
                match inner.downcast::<FromPlatform>() {
                    Ok(platform) => platform.0,
                    Err(other) => MobileError::Transport {
                        reason: other.to_string(),
                    },
                }
            }
            other => MobileError::Transport {
                reason: other.to_string(),
            },
        }
    }
}

impl From<CardError> for MobileError {
    fn from(e: CardError) -> Self {
        match e {
            CardError::WrongPin { kind, tries_left } => MobileError::WrongPin {
                kind: kind.into(),
                tries_left,
            },
            CardError::PinLocked { kind } => MobileError::PinLocked { kind: kind.into() },
            CardError::PinRequired { kind } => MobileError::PinRequired { kind: kind.into() },
            CardError::NotMyNumberCard => MobileError::NotMyNumberCard,
            CardError::InvalidPinFormat(e) => e.into(),
            CardError::Transport(e) => e.into(),
            CardError::Certificate(e) => MobileError::Certificate {
                reason: e.to_string(),
            },
            // Programming errors of the caller: nothing was sent.
            e @ (CardError::PinNotInApplication { .. }
            | CardError::MismatchedPins { .. }
            | CardError::PinDoesNotUnlockKey { .. }
            | CardError::DigestInfoLength { .. }) => MobileError::InvalidInput {
                reason: e.to_string(),
            },
            // What the card said: a missing application or file, a status word, malformed data,
            // a signature that does not match its certificate.
            e => MobileError::Card {
                reason: e.to_string(),
            },
        }
    }
}

impl From<CmsError> for MobileError {
    fn from(e: CmsError) -> Self {
        match e {
            CmsError::Card(e) => e.into(),
            CmsError::Certificate(e) => MobileError::Certificate {
                reason: e.to_string(),
            },
            e @ (CmsError::DigestLength { .. } | CmsError::UnsupportedAlgorithm(_)) => {
                MobileError::InvalidInput {
                    reason: e.to_string(),
                }
            }
            e => MobileError::Unexpected {
                reason: e.to_string(),
            },
        }
    }
}

impl From<DocumentError> for MobileError {
    fn from(e: DocumentError) -> Self {
        match e {
            DocumentError::Card(e) => e.into(),
            DocumentError::Cms(e) => e.into(),
            e @ DocumentError::CertificateUnusable { .. } => MobileError::Certificate {
                reason: e.to_string(),
            },
            e => MobileError::Unexpected {
                reason: e.to_string(),
            },
        }
    }
}

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
