//! The words the rest of the core is written in: the keys, certificate slots, PIN states, token
//! kinds and sex codes of the My Number Card. A leaf module: it depends on the APDU, identifier
//! and PIN layers only, so the application clients, certificates and errors can all use it
//! without importing each other.

use std::fmt;

use crate::apdu::StatusWord;
use crate::ids::{FileId, mynumber};
use crate::pin::PinKind;

/// The two private keys of the JPKI application.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyKind {
    /// User-authentication key: logging in; unlocked by the 4-digit authentication PIN.
    Auth,
    /// Signing key: signing documents; unlocked by the 6–16 character signing PIN.
    Sign,
}

impl KeyKind {
    /// The PIN that unlocks this key.
    pub fn pin_kind(self) -> PinKind {
        match self {
            KeyKind::Auth => PinKind::Auth,
            KeyKind::Sign => PinKind::Sign,
        }
    }

    /// The certificate holding this key's public half.
    pub fn certificate(self) -> CertSlot {
        match self {
            KeyKind::Auth => CertSlot::Auth,
            KeyKind::Sign => CertSlot::Sign,
        }
    }

    /// The key's elementary file, selected before COMPUTE DIGITAL SIGNATURE.
    pub fn file_id(self) -> FileId {
        match self {
            KeyKind::Auth => mynumber::EF_AUTH_KEY,
            KeyKind::Sign => mynumber::EF_SIGN_KEY,
        }
    }
}

impl fmt::Display for KeyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeyKind::Auth => "user-authentication",
            KeyKind::Sign => "signing",
        })
    }
}

/// The four certificates in the JPKI application.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CertSlot {
    /// User-authentication certificate (free to read).
    Auth,
    /// CA certificate for authentication (free to read).
    AuthCa,
    /// Signing certificate: holds personal data, readable only after the signing PIN.
    Sign,
    /// CA certificate for signing (free to read).
    SignCa,
}

impl CertSlot {
    /// Every slot, in the order people see them.
    pub const ALL: [CertSlot; 4] = [
        CertSlot::Auth,
        CertSlot::AuthCa,
        CertSlot::Sign,
        CertSlot::SignCa,
    ];

    /// The certificate's elementary file.
    pub fn file_id(self) -> FileId {
        match self {
            CertSlot::Auth => mynumber::EF_AUTH_CERT,
            CertSlot::AuthCa => mynumber::EF_AUTH_CA_CERT,
            CertSlot::Sign => mynumber::EF_SIGN_CERT,
            CertSlot::SignCa => mynumber::EF_SIGN_CA_CERT,
        }
    }

    /// The PIN the card wants before it lets this certificate be read (on a My Number Card).
    pub fn required_pin(self) -> Option<PinKind> {
        match self {
            CertSlot::Sign => Some(PinKind::Sign),
            _ => None,
        }
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }

    pub(crate) fn reading(self) -> &'static str {
        match self {
            CertSlot::Auth => "reading the user-authentication certificate",
            CertSlot::AuthCa => "reading the authentication CA certificate",
            CertSlot::Sign => "reading the signing certificate",
            CertSlot::SignCa => "reading the signing CA certificate",
        }
    }
}

impl fmt::Display for CertSlot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CertSlot::Auth => "user-authentication certificate",
            CertSlot::AuthCa => "authentication CA certificate",
            CertSlot::Sign => "signing certificate",
            CertSlot::SignCa => "signing CA certificate",
        })
    }
}

/// A PIN's state: what an empty VERIFY says (tries left, without using one), combined with
/// what this client remembers of its own session.
///
/// A real card answers an empty VERIFY with `63 Cx` even right after a correct VERIFY, so
/// [`PinStatus::Verified`] comes from the client having seen a successful VERIFY since it
/// selected the application, never from the card.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(tag = "state", content = "tries_left", rename_all = "snake_case")]
pub enum PinStatus {
    /// Not verified in this session; this many wrong PINs in a row lock it.
    Remaining(u8),
    /// Verified in this session: this client presented it successfully since it selected the
    /// application (the card itself never says so).
    Verified,
    /// Locked: only the municipal office can reset it.
    Locked,
}

impl PinStatus {
    /// Tries left, when the card said.
    pub fn tries_left(self) -> Option<u8> {
        match self {
            PinStatus::Remaining(n) => Some(n),
            _ => None,
        }
    }

    /// Reads the answer to an empty VERIFY; `None` for a status word that is not about the PIN.
    ///
    /// Real cards answer `63 Cx` whatever the session state; `90 00` (which some other applets
    /// give once verified) is read as [`PinStatus::Verified`], but nothing relies on it.
    pub fn from_status(status: StatusWord) -> Option<PinStatus> {
        match status {
            s if s.is_pin_blocked() => Some(PinStatus::Locked),
            StatusWord::RemainingRetries(n) => Some(PinStatus::Remaining(n)),
            StatusWord::Success => Some(PinStatus::Verified),
            _ => None,
        }
    }
}

/// Which kind of JPKI token answered, from the label at the start of EF `0006`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    /// `JPKIAPICCTOKEN2`: the My Number Card.
    MyNumberCard,
    /// `JPKIAPICCTOKEN`: the older Basic Resident Registry card.
    ResidentRegistryCard,
    /// `JPKIAPGPSETOKEN`: certificates embedded in an Android phone.
    PhoneEmbedded,
    /// Any other label, as read (trimmed).
    Unknown(String),
}

impl TokenKind {
    /// Classifies the space- or NUL-padded label read from the token-info file.
    ///
    /// ```
    /// use kazasu_core::TokenKind;
    /// assert_eq!(TokenKind::from_label(b"JPKIAPICCTOKEN2                 "), TokenKind::MyNumberCard);
    /// assert_eq!(TokenKind::from_label(b"JPKIAPICCTOKEN  "), TokenKind::ResidentRegistryCard);
    /// ```
    pub fn from_label(label: &[u8]) -> TokenKind {
        let text = String::from_utf8_lossy(label);
        let trimmed = text.trim_end_matches([' ', '\0']).trim_start();
        match trimmed {
            "JPKIAPICCTOKEN2" => TokenKind::MyNumberCard,
            "JPKIAPICCTOKEN" => TokenKind::ResidentRegistryCard,
            "JPKIAPGPSETOKEN" => TokenKind::PhoneEmbedded,
            other => TokenKind::Unknown(other.to_owned()),
        }
    }
}

impl fmt::Display for TokenKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenKind::MyNumberCard => f.write_str("My Number Card"),
            TokenKind::ResidentRegistryCard => f.write_str("Basic Resident Registry card"),
            TokenKind::PhoneEmbedded => f.write_str("phone-embedded JPKI certificates"),
            TokenKind::Unknown(label) => write!(f, "unknown JPKI token {label:?}"),
        }
    }
}

/// Sex as the card records it (ISO/IEC 5218 codes `1`, `2`, `9`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// Code `1`.
    Male,
    /// Code `2`.
    Female,
    /// Code `9`.
    NotApplicable,
}

impl Sex {
    /// Reads a one-character code (`1`, `2`, `9`); `None` for anything else.
    pub fn from_code(code: &str) -> Option<Sex> {
        match code.trim() {
            "1" => Some(Sex::Male),
            "2" => Some(Sex::Female),
            "9" => Some(Sex::NotApplicable),
            _ => None,
        }
    }
}

impl fmt::Display for Sex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Sex::Male => "male",
            Sex::Female => "female",
            Sex::NotApplicable => "not applicable",
        })
    }
}
