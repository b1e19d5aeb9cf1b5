//! PIN rules of the My Number Card, enforced before anything reaches the card.
//!
//! A [`Pin`] can only be made by [`Pin::parse`], which applies the card holder's
//! rules; a malformed PIN therefore never costs a try. PIN bytes are wiped on
//! drop and the type has no `Debug` or `Display`.

use std::fmt;

use zeroize::Zeroizing;

use crate::ids::{FileId, mynumber};

/// The three PINs a client can verify on the card.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PinKind {
    /// User-authentication PIN (利用者証明用パスワード): 4 digits, 3 tries.
    Auth,
    /// Signing PIN (署名用パスワード): 6–16 of A–Z and 0–9 with a letter and a digit, 5 tries.
    Sign,
    /// Card-info input support AP PIN (券面事項入力補助用暗証番号): 4 digits, 3 tries.
    CardInfo,
}

impl PinKind {
    /// Every kind, in the order the CLI shows them.
    pub const ALL: [PinKind; 3] = [PinKind::Auth, PinKind::Sign, PinKind::CardInfo];

    /// Consecutive wrong PINs before the card locks it.
    pub fn retry_limit(self) -> u8 {
        match self {
            PinKind::Auth | PinKind::CardInfo => 3,
            PinKind::Sign => 5,
        }
    }

    /// The PIN's elementary file in its application.
    pub fn file_id(self) -> FileId {
        match self {
            PinKind::Auth => mynumber::EF_AUTH_PIN,
            PinKind::Sign => mynumber::EF_SIGN_PIN,
            PinKind::CardInfo => mynumber::EF_CARD_INFO_PIN,
        }
    }

    /// What the PIN looks like, for prompts and errors.
    pub fn rule(self) -> &'static str {
        match self {
            PinKind::Auth | PinKind::CardInfo => "exactly 4 digits",
            PinKind::Sign => {
                "6 to 16 characters, uppercase letters A-Z and digits 0-9, with at least one letter and one digit"
            }
        }
    }

    /// What stops working while this PIN is locked.
    pub fn locks(self) -> &'static str {
        match self {
            PinKind::Auth => "the user-authentication certificate (logging in)",
            PinKind::Sign => "the signing certificate (signing documents)",
            PinKind::CardInfo => "reading My Number and the basic facts from the card",
        }
    }
}

impl fmt::Display for PinKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PinKind::Auth => "authentication PIN",
            PinKind::Sign => "signing PIN",
            PinKind::CardInfo => "card-info PIN",
        })
    }
}

/// Why a typed PIN was refused before reaching the card. Never contains the PIN.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PinFormatError {
    /// Wrong number of characters.
    #[error("the {kind} must be {rule}; you typed {len} characters (nothing was sent to the card)", rule = kind.rule())]
    Length { kind: PinKind, len: usize },
    /// A character outside the allowed set (position counted from 1).
    #[error("the {kind} must be {rule}; character {position} is not allowed (nothing was sent to the card)", rule = kind.rule())]
    Character { kind: PinKind, position: usize },
    /// A signing PIN with no letter.
    #[error("the signing PIN needs at least one letter A-Z (nothing was sent to the card)")]
    NoLetter,
    /// A signing PIN with no digit.
    #[error("the signing PIN needs at least one digit 0-9 (nothing was sent to the card)")]
    NoDigit,
}

/// A PIN that follows its kind's rule. Wiped from memory on drop, never printed.
pub struct Pin {
    kind: PinKind,
    bytes: Zeroizing<Vec<u8>>,
    uppercased: bool,
}

impl Pin {
    /// Checks `input` against the rule for `kind`.
    ///
    /// Lowercase letters in a signing PIN are upper-cased (the card only knows
    /// A–Z); [`Pin::was_uppercased`] says so, so the caller can tell the user.
    ///
    /// ```
    /// use kazasu_core::pin::{Pin, PinKind};
    /// assert!(Pin::parse(PinKind::Auth, "1234").is_ok());
    /// assert!(Pin::parse(PinKind::Auth, "12345").is_err());
    /// let sign = Pin::parse(PinKind::Sign, "abc123").unwrap();
    /// assert!(sign.was_uppercased());
    /// assert!(Pin::parse(PinKind::Sign, "ABCDEF").is_err()); // no digit
    /// ```
    pub fn parse(kind: PinKind, input: &str) -> Result<Pin, PinFormatError> {
        let chars: Vec<char> = input.chars().collect();
        let len = chars.len();
        let bad_char = |i: usize| PinFormatError::Character {
            kind,
            position: i + 1,
        };
        match kind {
            PinKind::Auth | PinKind::CardInfo => {
                if let Some(i) = chars.iter().position(|c| !c.is_ascii_digit()) {
                    return Err(bad_char(i));
                }
                if len != 4 {
                    return Err(PinFormatError::Length { kind, len });
                }
                Ok(Pin {
                    kind,
                    bytes: Zeroizing::new(input.as_bytes().to_vec()),
                    uppercased: false,
                })
            }
            PinKind::Sign => {
                if let Some(i) = chars.iter().position(|c| !c.is_ascii_alphanumeric()) {
                    return Err(bad_char(i));
                }
                if !(6..=16).contains(&len) {
                    return Err(PinFormatError::Length { kind, len });
                }
                if !chars.iter().any(|c| c.is_ascii_alphabetic()) {
                    return Err(PinFormatError::NoLetter);
                }
                if !chars.iter().any(|c| c.is_ascii_digit()) {
                    return Err(PinFormatError::NoDigit);
                }
                let uppercased = chars.iter().any(|c| c.is_ascii_lowercase());
                Ok(Pin {
                    kind,
                    bytes: Zeroizing::new(input.to_ascii_uppercase().into_bytes()),
                    uppercased,
                })
            }
        }
    }

    /// Which PIN this is.
    pub fn kind(&self) -> PinKind {
        self.kind
    }

    /// True when lowercase letters were upper-cased to follow the rule.
    pub fn was_uppercased(&self) -> bool {
        self.uppercased
    }

    /// The ASCII bytes the card expects in VERIFY.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_digit_pins() {
        for kind in [PinKind::Auth, PinKind::CardInfo] {
            assert!(Pin::parse(kind, "0000").is_ok());
            assert_eq!(
                Pin::parse(kind, "123").err(),
                Some(PinFormatError::Length { kind, len: 3 })
            );
            assert_eq!(
                Pin::parse(kind, "12a4").err(),
                Some(PinFormatError::Character { kind, position: 3 })
            );
            assert!(Pin::parse(kind, "１２３４").is_err(), "full-width digits");
            assert!(Pin::parse(kind, "").is_err());
        }
    }

    #[test]
    fn signing_pins() {
        let ok = |s| Pin::parse(PinKind::Sign, s).is_ok();
        assert!(ok("ABC123"));
        assert!(ok("A2345678901234BC"));
        assert!(!ok("AB123"), "too short");
        assert!(!ok("A23456789012345BC"), "too long");
        assert!(!ok("ABCDEFG"), "no digit");
        assert!(!ok("1234567"), "no letter");
        assert!(!ok("ABC-123"), "symbol");
        assert!(!ok("ABC 123"), "space");
        assert!(!ok("ÄBC123"), "non-ASCII letter");
        let pin = Pin::parse(PinKind::Sign, "abC123").unwrap();
        assert!(pin.was_uppercased());
        assert_eq!(pin.as_bytes(), b"ABC123");
        assert!(
            !Pin::parse(PinKind::Sign, "ABC123")
                .unwrap()
                .was_uppercased()
        );
    }

    #[test]
    fn errors_never_echo_the_pin() {
        let err = Pin::parse(PinKind::Sign, "SECRET")
            .err()
            .unwrap()
            .to_string();
        assert!(!err.contains("SECRET"), "{err}");
    }
}
