//! What can go wrong talking to the card, each case worded so a person knows what to do next.
//!
//! Status words are turned into a [`CardError`] in one place, [`CardError::from_status`], so every
//! application client maps `63 Cx`, `69 82`, `69 83`/`69 84`/`63 C0` and friends the same way.

use crate::apdu::StatusWord;
use crate::cert::CertificateError;
use crate::ids::{Aid, FileId};
use crate::pin::{PinFormatError, PinKind};
use crate::transport::TransportError;
use crate::vocabulary::KeyKind;

/// Everything a card operation can fail with; match on it, or show its message to the person.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CardError {
    /// The card refused the PIN and used one try (`63 Cx` with `x` > 0).
    #[error("{}", wrong_pin_message(*kind, *tries_left))]
    WrongPin {
        /// Which PIN was wrong.
        kind: PinKind,
        /// Tries left before the card locks it.
        tries_left: u8,
    },
    /// The PIN is locked (`69 83`, `69 84` or `63 C0`): no PIN was or will be accepted.
    #[error(
        "the {kind} is locked: only your municipal office can reset it (bring the card and a photo ID); until then this blocks {locks}",
        locks = kind.locks()
    )]
    PinLocked {
        /// Which PIN is locked.
        kind: PinKind,
    },
    /// The operation needs a PIN that was not verified in this session (`69 82`).
    #[error(
        "the card wants the {kind} before this operation: verify it first (nothing was read or signed)"
    )]
    PinRequired {
        /// The PIN to verify first.
        kind: PinKind,
    },
    /// The JPKI application is missing (`6A 82` on SELECT): this is not a My Number Card.
    #[error(
        "this card has no JPKI application: it is not a My Number Card (or another card is closer to the reader); place only your My Number Card on the reader"
    )]
    NotMyNumberCard,
    /// Another application the operation needs is missing (`6A 82` on SELECT).
    #[error(
        "the card has no application {aid} (answer 6A 82): it is not a My Number Card, or a kind of card this tool does not support"
    )]
    AppNotFound {
        /// The application that was selected.
        aid: Aid,
    },
    /// A file the operation needs is missing in the selected application (`6A 82` on SELECT EF).
    #[error(
        "file {file} is not on this card (answer 6A 82): the card may be a different card type or an unsupported generation"
    )]
    FileNotFound {
        /// The elementary file that was selected.
        file: FileId,
    },
    /// A PIN was used with an application it does not belong to (a programming error).
    #[error("the {kind} belongs to the {belongs_to}, not to the {used_with}")]
    PinNotInApplication {
        /// The PIN passed in.
        kind: PinKind,
        /// Where that PIN lives.
        belongs_to: &'static str,
        /// The application it was used with.
        used_with: &'static str,
    },
    /// An access code was given to a PIN change: codes are made of what is printed on the card.
    #[error("the {kind} cannot be changed: it is made of what is printed on the card")]
    NotChangeable {
        /// The code passed in.
        kind: PinKind,
    },
    /// Old and new PIN in a change are of different kinds (a programming error).
    #[error("cannot change the {old} into a {new}: both must be the same PIN")]
    MismatchedPins {
        /// Kind of the current PIN.
        old: PinKind,
        /// Kind of the new PIN.
        new: PinKind,
    },
    /// The `DigestInfo` to sign is empty or does not fit one short command APDU.
    #[error(
        "a DigestInfo of {len} bytes cannot be signed: it must be 1 to 255 bytes (nothing was sent to the card)"
    )]
    DigestInfoLength {
        /// Its length.
        len: usize,
    },
    /// A key was asked to sign with the other key's PIN (a programming error); nothing was sent.
    #[error("the {key} key is unlocked by the {needs}, not by the {given} (nothing was sent to the card)", needs = key.pin_kind())]
    PinDoesNotUnlockKey {
        /// The key asked for.
        key: KeyKind,
        /// The PIN given.
        given: PinKind,
    },
    /// The PIN was refused by the client's own rules; nothing was sent to the card.
    #[error(transparent)]
    InvalidPinFormat(#[from] PinFormatError),
    /// The APDU did not make it to the card and back.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The card answered with a status word that has no more specific error here.
    #[error("{operation} failed: the card answered {status_hex} ({meaning})", status_hex = hex_status(*status), meaning = status.meaning())]
    Card {
        /// What was being done, in words ("reading the signing certificate").
        operation: &'static str,
        /// The card's status word.
        status: StatusWord,
    },
    /// The card returned data that does not have the expected shape.
    #[error("the card returned a malformed {what}: {reason}")]
    Malformed {
        /// What was being parsed ("certificate length", "My Number").
        what: &'static str,
        /// What was wrong with it (never the personal data itself).
        reason: String,
    },
    /// The card's signature does not verify with the public key of its own certificate.
    #[error(
        "the card returned a signature that does not match its {key} certificate; nothing was signed (try again, and if it persists the card may be faulty)"
    )]
    SignatureMismatch {
        /// The key that signed.
        key: KeyKind,
    },
    /// A certificate read from the card could not be understood.
    #[error(transparent)]
    Certificate(#[from] CertificateError),
}

impl CardError {
    /// Turns a non-success status word into the error a person can act on.
    ///
    /// `pin` is the PIN that guards the operation, if any: with it, `63 Cx` becomes
    /// [`CardError::WrongPin`], the three "blocked" answers [`CardError::PinLocked`] and
    /// `69 82` [`CardError::PinRequired`]. Everything else is a [`CardError::Card`].
    ///
    /// ```
    /// use kazasu_core::{CardError, apdu::StatusWord, pin::PinKind};
    /// let err = CardError::from_status("verifying", StatusWord::RemainingRetries(2), Some(PinKind::Auth));
    /// assert_eq!(err.to_string(), "wrong authentication PIN: 2 tries left");
    /// ```
    pub fn from_status(operation: &'static str, status: StatusWord, pin: Option<PinKind>) -> Self {
        match (pin, status) {
            (Some(kind), s) if s.is_pin_blocked() => CardError::PinLocked { kind },
            (Some(kind), StatusWord::RemainingRetries(tries_left)) => {
                CardError::WrongPin { kind, tries_left }
            }
            (Some(kind), StatusWord::SecurityStatusNotSatisfied) => CardError::PinRequired { kind },
            _ => CardError::Card { operation, status },
        }
    }

    /// True when the error means a PIN can no longer be used until the municipal office resets it.
    pub fn is_pin_locked(&self) -> bool {
        matches!(self, CardError::PinLocked { .. })
    }
}

fn hex_status(status: StatusWord) -> String {
    let [sw1, sw2] = status.to_bytes();
    format!("{sw1:02X} {sw2:02X}")
}

fn wrong_pin_message(kind: PinKind, tries_left: u8) -> String {
    match tries_left {
        1 => format!(
            "wrong {kind}: 1 try left. Last try: one more wrong PIN locks {}, and only your municipal office can unlock it",
            kind.locks()
        ),
        n => format!("wrong {kind}: {n} tries left"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(sw: u16, pin: Option<PinKind>) -> CardError {
        CardError::from_status("testing", StatusWord::from(sw), pin)
    }

    #[test]
    fn retries_map_to_wrong_pin_with_the_count() {
        let err = map(0x63C2, Some(PinKind::Auth));
        assert!(matches!(
            err,
            CardError::WrongPin {
                kind: PinKind::Auth,
                tries_left: 2
            }
        ));
        assert_eq!(err.to_string(), "wrong authentication PIN: 2 tries left");
    }

    #[test]
    fn last_try_warns_and_names_what_locks() {
        let text = map(0x63C1, Some(PinKind::Sign)).to_string();
        assert!(text.contains("1 try left"), "{text}");
        assert!(text.contains("Last try"), "{text}");
        assert!(text.contains("the signing certificate"), "{text}");
    }

    #[test]
    fn every_blocked_dialect_is_pin_locked() {
        for sw in [0x63C0, 0x6983, 0x6984] {
            let err = map(sw, Some(PinKind::CardInfo));
            assert!(
                matches!(
                    err,
                    CardError::PinLocked {
                        kind: PinKind::CardInfo
                    }
                ),
                "{sw:04X}: {err:?}"
            );
            let text = err.to_string();
            assert!(
                text.contains("municipal office") && text.contains("photo ID"),
                "{text}"
            );
        }
    }

    #[test]
    fn security_status_is_pin_required() {
        let err = map(0x6982, Some(PinKind::Sign));
        assert!(matches!(
            err,
            CardError::PinRequired {
                kind: PinKind::Sign
            }
        ));
        assert!(err.to_string().contains("verify it first"));
    }

    #[test]
    fn without_a_pin_everything_is_a_card_error_with_hex_and_meaning() {
        let err = map(0x6982, None);
        let text = err.to_string();
        assert!(matches!(err, CardError::Card { .. }));
        assert!(text.contains("69 82"), "{text}");
        assert!(text.contains("security status not satisfied"), "{text}");
        let text = map(0x6A86, Some(PinKind::Auth)).to_string();
        assert_eq!(
            text,
            "testing failed: the card answered 6A 86 (incorrect parameters P1-P2)"
        );
    }

    #[test]
    fn application_and_file_errors_say_what_to_do() {
        assert!(
            CardError::NotMyNumberCard
                .to_string()
                .contains("not a My Number Card")
        );
        let text = CardError::FileNotFound { file: FileId(0x1B) }.to_string();
        assert!(text.contains("001B") && text.contains("6A 82"), "{text}");
        let text = CardError::SignatureMismatch { key: KeyKind::Sign }.to_string();
        assert!(text.contains("nothing was signed"), "{text}");
    }
}

#[cfg(test)]
mod bounds {
    /// Callers box it into `anyhow::Error` and send it across threads (mobile bridges).
    #[test]
    fn card_error_is_send_sync_static() {
        fn check<E: std::error::Error + Send + Sync + 'static>() {}
        check::<super::CardError>();
        check::<crate::cert::CertificateError>();
        check::<crate::mynumber::MyNumberError>();
    }
}
