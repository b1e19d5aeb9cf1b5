//! PIN rules of the My Number Card, enforced before anything reaches the card.
//!
//! A [`Pin`] can only be made by [`Pin::parse`], which applies the card holder's
//! rules; a malformed PIN therefore never costs a try. PIN bytes are wiped on
//! drop and the type has no `Debug` or `Display`.

use std::fmt;

use zeroize::Zeroizing;

use crate::ids::{Application, FileId, mynumber};

/// The secrets a client can present to the card: the holder's three PINs, and the access codes
/// that open the card-info and card-surface data without a PIN.
///
/// Every kind is protected the same way: checked against its format before anything is sent,
/// its tries read (without using one) before it is asked for, and never sent once locked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PinKind {
    /// User-authentication PIN (利用者証明用パスワード): 4 digits, 3 tries.
    Auth,
    /// Signing PIN (署名用パスワード): 6–16 of A–Z and 0–9 with a letter and a digit, 5 tries.
    Sign,
    /// Card-info input support AP PIN (券面事項入力補助用暗証番号): 4 digits, 3 tries.
    CardInfo,
    /// Card-info AP code A (EF 0014): the 12-digit My Number; opens My Number only.
    CardInfoCodeA,
    /// Card-info AP code B (EF 0015): birth date `YYMMDD` + card expiry year `YYYY` + the
    /// card's 4-digit security code; opens the four basic facts only.
    CardInfoCodeB,
    /// Card-surface AP birth-date key (EF 0011): birth date `YYMMDD` in the Japanese era
    /// calendar (平成2年3月15日 is `020315`); opens the age record.
    SurfaceBirthDate,
    /// Card-surface AP code A (EF 0013): the 12-digit My Number; opens the card face and the
    /// My Number image.
    SurfaceCodeA,
    /// Card-surface AP code B (EF 0012): era birth date `YYMMDD` + expiry year `YYYY` +
    /// security code; opens the card face.
    SurfaceCodeB,
}

/// Tries Kazasu assumes for an access code. Real cards do not publish it; the client always
/// shows what the card's empty VERIFY says, and the simulator issues codes with this many.
pub const ACCESS_CODE_TRIES: u8 = 10;

impl PinKind {
    /// The holder's three PINs, in the order the CLI shows them (the ones a person sets,
    /// changes and has reset at the municipal office).
    pub const ALL: [PinKind; 3] = [PinKind::Auth, PinKind::Sign, PinKind::CardInfo];

    /// The access codes: made of what is printed on the card, never changed by the holder.
    pub const ACCESS_CODES: [PinKind; 5] = [
        PinKind::CardInfoCodeA,
        PinKind::CardInfoCodeB,
        PinKind::SurfaceBirthDate,
        PinKind::SurfaceCodeA,
        PinKind::SurfaceCodeB,
    ];

    /// Consecutive wrong entries before the card locks it (see [`ACCESS_CODE_TRIES`] for codes).
    pub fn retry_limit(self) -> u8 {
        match self {
            PinKind::Auth | PinKind::CardInfo => 3,
            PinKind::Sign => 5,
            _ => ACCESS_CODE_TRIES,
        }
    }

    /// Whether this is one of the holder's PINs (changeable) rather than an access code.
    pub fn is_holder_pin(self) -> bool {
        matches!(self, PinKind::Auth | PinKind::Sign | PinKind::CardInfo)
    }

    /// The application that holds it: the one place a PIN or code is tied to its application.
    pub fn application(self) -> Application {
        match self {
            PinKind::Auth | PinKind::Sign => Application::Jpki,
            PinKind::CardInfo | PinKind::CardInfoCodeA | PinKind::CardInfoCodeB => {
                Application::CardInfo
            }
            PinKind::SurfaceBirthDate | PinKind::SurfaceCodeA | PinKind::SurfaceCodeB => {
                Application::Surface
            }
        }
    }

    /// Its elementary file in its application.
    pub fn file_id(self) -> FileId {
        match self {
            PinKind::Auth => mynumber::EF_AUTH_PIN,
            PinKind::Sign => mynumber::EF_SIGN_PIN,
            PinKind::CardInfo => mynumber::EF_CARD_INFO_PIN,
            PinKind::CardInfoCodeA => mynumber::EF_CARD_INFO_PIN_A,
            PinKind::CardInfoCodeB => mynumber::EF_CARD_INFO_PIN_B,
            PinKind::SurfaceBirthDate => mynumber::EF_SURFACE_BIRTH_DATE_KEY,
            PinKind::SurfaceCodeA => mynumber::EF_SURFACE_CODE_A,
            PinKind::SurfaceCodeB => mynumber::EF_SURFACE_CODE_B,
        }
    }

    /// What it looks like, for prompts and errors.
    pub fn rule(self) -> &'static str {
        match self {
            PinKind::Auth | PinKind::CardInfo => "exactly 4 digits",
            PinKind::Sign => {
                "6 to 16 characters, uppercase letters A-Z and digits 0-9, with at least one letter and one digit"
            }
            PinKind::CardInfoCodeA | PinKind::SurfaceCodeA => {
                "the 12-digit My Number printed on the back of the card"
            }
            PinKind::CardInfoCodeB | PinKind::SurfaceCodeB => {
                "14 digits: birth date YYMMDD (Japanese era year), the card's expiry year YYYY and the 4-digit security code on its face"
            }
            PinKind::SurfaceBirthDate => "birth date as 6 digits YYMMDD (Japanese era year)",
        }
    }

    /// What stops working while this PIN is locked.
    pub fn locks(self) -> &'static str {
        match self {
            PinKind::Auth => "the user-authentication certificate (logging in)",
            PinKind::Sign => "the signing certificate (signing documents)",
            PinKind::CardInfo => "reading My Number and the basic facts from the card",
            PinKind::CardInfoCodeA => "reading My Number with code A",
            PinKind::CardInfoCodeB => "reading the basic facts with code B",
            PinKind::SurfaceBirthDate => "reading the age record",
            PinKind::SurfaceCodeA | PinKind::SurfaceCodeB => "reading the card face",
        }
    }
}

impl fmt::Display for PinKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PinKind::Auth => "authentication PIN",
            PinKind::Sign => "signing PIN",
            PinKind::CardInfo => "card-info PIN",
            PinKind::CardInfoCodeA => "card-info code A",
            PinKind::CardInfoCodeB => "card-info code B",
            PinKind::SurfaceBirthDate => "card-face birth-date key",
            PinKind::SurfaceCodeA => "card-face code A",
            PinKind::SurfaceCodeB => "card-face code B",
        })
    }
}

/// Why a typed PIN was refused before reaching the card. Never contains the PIN.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PinFormatError {
    /// Wrong number of characters.
    #[error("the {kind} must be {rule}; you typed {len} characters (nothing was sent to the card)", rule = kind.rule())]
    Length {
        /// The PIN or code.
        kind: PinKind,
        /// Characters typed.
        len: usize,
    },
    /// A character outside the allowed set (position counted from 1).
    #[error("the {kind} must be {rule}; character {position} is not allowed (nothing was sent to the card)", rule = kind.rule())]
    Character {
        /// The PIN or code.
        kind: PinKind,
        /// The first character not allowed, counted from 1.
        position: usize,
    },
    /// A signing PIN with no letter.
    #[error("the signing PIN needs at least one letter A-Z (nothing was sent to the card)")]
    NoLetter,
    /// A signing PIN with no digit.
    #[error("the signing PIN needs at least one digit 0-9 (nothing was sent to the card)")]
    NoDigit,
    /// A My Number whose last digit does not match the other eleven: a typing mistake.
    #[error(
        "the {kind} is not a valid My Number: its check digit does not match (nothing was sent to the card)"
    )]
    CheckDigit {
        /// The code.
        kind: PinKind,
    },
    /// A date part with a month or day that cannot be.
    #[error(
        "the {kind} starts with a birth date that cannot be (month 01-12, day 01-31; nothing was sent to the card)"
    )]
    Date {
        /// The code.
        kind: PinKind,
    },
}

impl PinFormatError {
    /// The PIN or code whose rule was broken.
    pub fn kind(&self) -> Option<PinKind> {
        match self {
            PinFormatError::Length { kind, .. }
            | PinFormatError::Character { kind, .. }
            | PinFormatError::CheckDigit { kind }
            | PinFormatError::Date { kind } => Some(*kind),
            PinFormatError::NoLetter | PinFormatError::NoDigit => Some(PinKind::Sign),
        }
    }
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
            _ if !kind.is_holder_pin() => {
                if let Some(i) = chars.iter().position(|c| !c.is_ascii_digit()) {
                    return Err(bad_char(i));
                }
                let expected = match kind {
                    PinKind::CardInfoCodeA | PinKind::SurfaceCodeA => 12,
                    PinKind::SurfaceBirthDate => 6,
                    _ => 14,
                };
                if len != expected {
                    return Err(PinFormatError::Length { kind, len });
                }
                let digits = input.as_bytes();
                if expected == 12 {
                    let mut first = [0u8; 11];
                    for (d, c) in first.iter_mut().zip(digits) {
                        *d = c - b'0';
                    }
                    if crate::mynumber::check_digit(&first) != digits[11] - b'0' {
                        return Err(PinFormatError::CheckDigit { kind });
                    }
                } else {
                    let two = |at: usize| (digits[at] - b'0') * 10 + (digits[at + 1] - b'0');
                    if !(1..=12).contains(&two(2)) || !(1..=31).contains(&two(4)) {
                        return Err(PinFormatError::Date { kind });
                    }
                }
                Ok(Pin {
                    kind,
                    bytes: Zeroizing::new(digits.to_vec()),
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
            _ => unreachable!("access codes are handled above"),
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
    fn access_codes() {
        let ok = |kind, s| Pin::parse(kind, s).is_ok();
        for kind in [PinKind::CardInfoCodeA, PinKind::SurfaceCodeA] {
            assert!(ok(kind, "123456789018"), "valid check digit");
            assert_eq!(
                Pin::parse(kind, "123456789010").err(),
                Some(PinFormatError::CheckDigit { kind })
            );
            assert!(!ok(kind, "12345678901"), "11 digits");
        }
        for kind in [PinKind::CardInfoCodeB, PinKind::SurfaceCodeB] {
            assert!(ok(kind, "02031520351234"));
            assert_eq!(
                Pin::parse(kind, "02131520351234").err(),
                Some(PinFormatError::Date { kind })
            );
            assert!(!ok(kind, "0203152035123"), "13 digits");
            assert!(!ok(kind, "0203152035123A"), "letter");
        }
        assert!(ok(PinKind::SurfaceBirthDate, "020315"));
        assert!(!ok(PinKind::SurfaceBirthDate, "020300"), "day 00");
        assert!(
            !ok(PinKind::SurfaceBirthDate, "19900315"),
            "Gregorian YYYYMMDD"
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
