//! Identifiers on the card: application IDs and elementary-file IDs, and the
//! well-known ones of the My Number Card.

use std::fmt;

/// An application identifier (5 to 16 bytes), selected by DF name.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Aid {
    bytes: [u8; 16],
    len: u8,
}

impl Aid {
    /// Builds an AID at compile time; panics (at compile time when used in a const) if not 5–16 bytes.
    pub const fn new(bytes: &[u8]) -> Self {
        assert!(
            bytes.len() >= 5 && bytes.len() <= 16,
            "an AID is 5 to 16 bytes"
        );
        let mut buf = [0u8; 16];
        let mut i = 0;
        while i < bytes.len() {
            buf[i] = bytes[i];
            i += 1;
        }
        Self {
            bytes: buf,
            len: bytes.len() as u8,
        }
    }

    /// An AID from received bytes, if it has a valid length.
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        (5..=16).contains(&bytes.len()).then(|| Self::new(bytes))
    }

    /// The AID bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }
}

impl fmt::Debug for Aid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Aid({self})")
    }
}

impl fmt::Display for Aid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode_upper(self.as_bytes()))
    }
}

/// A two-byte elementary-file identifier, selected with `00 A4 02 0C 02 FID`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u16);

impl FileId {
    /// The identifier as sent on the wire.
    pub fn to_bytes(self) -> [u8; 2] {
        self.0.to_be_bytes()
    }
}

impl fmt::Debug for FileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FileId({:04X})", self.0)
    }
}

impl fmt::Display for FileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04X}", self.0)
    }
}

/// The on-card applications Kazasu speaks to, each holding its own PINs or access codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Application {
    /// 公的個人認証AP: the certificates, keys, and the authentication and signing PINs.
    Jpki,
    /// 券面事項入力補助AP: My Number and the four basic facts, the card-info PIN and codes A/B.
    CardInfo,
    /// 券面事項確認AP: the card's face, the birth-date key and codes A/B.
    Surface,
}

impl Application {
    /// Its AID, as SELECT by DF name sends it.
    pub fn aid(self) -> Aid {
        match self {
            Application::Jpki => mynumber::JPKI_AID,
            Application::CardInfo => mynumber::CARD_INFO_AID,
            Application::Surface => mynumber::SURFACE_AID,
        }
    }

    /// Its name in words, for errors.
    pub fn name(self) -> &'static str {
        match self {
            Application::Jpki => "JPKI application",
            Application::CardInfo => "card-info application",
            Application::Surface => "card-surface application",
        }
    }
}

/// The applications and files of the My Number Card, as real clients address them.
pub mod mynumber {
    use super::{Aid, FileId};

    /// 公的個人認証AP: the two certificates, their keys and PINs.
    pub const JPKI_AID: Aid =
        Aid::new(&[0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01]);
    /// 券面事項入力補助AP: My Number and the four basic facts as text.
    pub const CARD_INFO_AID: Aid =
        Aid::new(&[0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08]);
    /// 券面事項確認AP (card-surface AP): face photo and images of name and address.
    pub const SURFACE_AID: Aid =
        Aid::new(&[0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x02]);
    /// 共通カードAP (common card AP): the card's serial record (serial, municipality, expiry).
    pub const COMMON_CARD_AID: Aid =
        Aid::new(&[0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x01, 0x00]);
    /// 住基AP (resident-registry AP): used by municipal systems only.
    pub const RESIDENT_REGISTRY_AID: Aid =
        Aid::new(&[0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x01]);

    /// JPKI AP: token information, 160 bytes (a `CK_TOKEN_INFO`; 32-byte space-padded label first).
    pub const EF_TOKEN_INFO: FileId = FileId(0x0006);
    /// JPKI AP: user-authentication certificate.
    pub const EF_AUTH_CERT: FileId = FileId(0x000A);
    /// JPKI AP: CA certificate for authentication.
    pub const EF_AUTH_CA_CERT: FileId = FileId(0x000B);
    /// JPKI AP: signing certificate (readable after the signing PIN).
    pub const EF_SIGN_CERT: FileId = FileId(0x0001);
    /// JPKI AP: CA certificate for signing.
    pub const EF_SIGN_CA_CERT: FileId = FileId(0x0002);
    /// JPKI AP: which certificates the card carries (3 bytes, e.g. `8F 8F 00`).
    pub const EF_CERT_PRESENCE: FileId = FileId(0x0008);
    /// JPKI AP: authentication private key.
    pub const EF_AUTH_KEY: FileId = FileId(0x0017);
    /// JPKI AP: authentication PIN (4 digits, 3 tries).
    pub const EF_AUTH_PIN: FileId = FileId(0x0018);
    /// JPKI AP: signing private key.
    pub const EF_SIGN_KEY: FileId = FileId(0x001A);
    /// JPKI AP: signing PIN (6–16 of A–Z 0–9, 5 tries).
    pub const EF_SIGN_PIN: FileId = FileId(0x001B);

    /// Card-info AP: PIN (4 digits, 3 tries).
    pub const EF_CARD_INFO_PIN: FileId = FileId(0x0011);
    /// Card-info AP: code A (the 12-digit My Number); opens EF 0001 only.
    pub const EF_CARD_INFO_PIN_A: FileId = FileId(0x0014);
    /// Card-info AP: code B (birth date YYMMDD + expiry year + security code); opens EF 0002 only.
    pub const EF_CARD_INFO_PIN_B: FileId = FileId(0x0015);
    /// Card-info AP: integrity record (`FF 30`: SHA-256 of EF 0001 and of EF 0002's fields,
    /// signed with the application's own key).
    pub const EF_CARD_INFO_INTEGRITY: FileId = FileId(0x0003);
    /// Card-info AP: the application's card-verifiable certificate (`7F 21`), free to read.
    pub const EF_CARD_INFO_CVC: FileId = FileId(0x0004);
    /// Card-info AP: `FF 40` record (a key reference and a 1024-bit value), free to read.
    pub const EF_CARD_INFO_0005: FileId = FileId(0x0005);
    /// Card-info AP: secure-messaging public key (`A1`).
    pub const EF_CARD_INFO_SM_KEY: FileId = FileId(0x0006);
    /// Card-info AP: signed secure-messaging key record (`FF 50`).
    pub const EF_CARD_INFO_SM_RECORD: FileId = FileId(0x0007);

    /// Card-surface AP: birth-date key (era YYMMDD); opens the age record.
    pub const EF_SURFACE_BIRTH_DATE_KEY: FileId = FileId(0x0011);
    /// Card-surface AP: code B (era birth date + expiry year + security code); opens the card face.
    pub const EF_SURFACE_CODE_B: FileId = FileId(0x0012);
    /// Card-surface AP: code A (the My Number); opens the card face and the My Number image.
    pub const EF_SURFACE_CODE_A: FileId = FileId(0x0013);
    /// Card-surface AP: age record (`FF 10`: birth date, public key, signature).
    pub const EF_SURFACE_AGE: FileId = FileId(0x0001);
    /// Card-surface AP: the card face (`FF 20`: offsets, birth date, sex, public key, images of
    /// name and address, photo as JPEG 2000, signature, expiry, security-code image).
    pub const EF_SURFACE_FACE: FileId = FileId(0x0002);
    /// Card-surface AP: application basic data (`FF 30`), free to read.
    pub const EF_SURFACE_BASIC: FileId = FileId(0x0003);
    /// Card-surface AP: the application's card-verifiable certificate (`7F 21`), free to read.
    pub const EF_SURFACE_CVC: FileId = FileId(0x0004);
    /// Card-surface AP: the My Number as an image (`FF 40`), behind code A.
    pub const EF_SURFACE_MY_NUMBER_IMAGE: FileId = FileId(0x0005);
    /// Card-info AP: My Number as `FF 10 0C` + 12 ASCII digits, then `FF FF` filler (17 bytes).
    pub const EF_MY_NUMBER: FileId = FileId(0x0001);
    /// Card-info AP: the four basic facts as `FF 20` TLV (`DF 21` offset table, `DF 22`–`DF 25`), then filler.
    pub const EF_BASIC_FACTS: FileId = FileId(0x0002);
}
