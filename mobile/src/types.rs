//! The core's data as uniffi records and enums, converted field by field.
//!
//! Dates a person reads (expiry, renewal, birth date) are Japan-time calendar days as
//! `YYYY-MM-DD` strings: a platform date type would carry a time zone they do not have.

use std::time::SystemTime;

use kazasu_core::card;
use kazasu_core::cert;
use kazasu_core::cms::DigestAlgorithm;
use kazasu_core::flows;
use kazasu_core::pin;
use time::Date;

/// `YYYY-MM-DD`.
pub(crate) fn ymd(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// The three PINs of the card.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum PinKind {
    /// User-authentication PIN (利用者証明用パスワード): 4 digits, 3 tries. Logging in.
    Auth,
    /// Signing PIN (署名用パスワード): 6–16 of A–Z and 0–9 with a letter and a digit, 5 tries.
    Sign,
    /// Card-info PIN (券面事項入力補助用暗証番号): 4 digits, 3 tries. My Number and the basic facts.
    CardInfo,
    /// Card-info code A: the 12-digit My Number; opens My Number only.
    CardInfoCodeA,
    /// Card-info code B: era birth date YYMMDD + expiry year + security code; opens the facts only.
    CardInfoCodeB,
    /// Card-surface birth-date key (era YYMMDD): the age record.
    SurfaceBirthDate,
    /// Card-surface code A (the My Number): the card face.
    SurfaceCodeA,
    /// Card-surface code B: the card face.
    SurfaceCodeB,
}

impl From<PinKind> for pin::PinKind {
    fn from(kind: PinKind) -> Self {
        match kind {
            PinKind::Auth => pin::PinKind::Auth,
            PinKind::Sign => pin::PinKind::Sign,
            PinKind::CardInfo => pin::PinKind::CardInfo,
            PinKind::CardInfoCodeA => pin::PinKind::CardInfoCodeA,
            PinKind::CardInfoCodeB => pin::PinKind::CardInfoCodeB,
            PinKind::SurfaceBirthDate => pin::PinKind::SurfaceBirthDate,
            PinKind::SurfaceCodeA => pin::PinKind::SurfaceCodeA,
            PinKind::SurfaceCodeB => pin::PinKind::SurfaceCodeB,
        }
    }
}

impl From<pin::PinKind> for PinKind {
    fn from(kind: pin::PinKind) -> Self {
        match kind {
            pin::PinKind::Auth => PinKind::Auth,
            pin::PinKind::Sign => PinKind::Sign,
            pin::PinKind::CardInfo => PinKind::CardInfo,
            pin::PinKind::CardInfoCodeA => PinKind::CardInfoCodeA,
            pin::PinKind::CardInfoCodeB => PinKind::CardInfoCodeB,
            pin::PinKind::SurfaceBirthDate => PinKind::SurfaceBirthDate,
            pin::PinKind::SurfaceCodeA => PinKind::SurfaceCodeA,
            pin::PinKind::SurfaceCodeB => PinKind::SurfaceCodeB,
        }
    }
}

/// The four certificates of the JPKI application.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum CertSlot {
    /// User-authentication certificate (free to read; no name or address in it).
    Auth,
    /// The CA certificate that issued it.
    AuthCa,
    /// Signing certificate: carries name, address, birth date and sex; needs the signing PIN.
    Sign,
    /// The CA certificate that issued it.
    SignCa,
}

impl From<CertSlot> for card::CertSlot {
    fn from(slot: CertSlot) -> Self {
        match slot {
            CertSlot::Auth => card::CertSlot::Auth,
            CertSlot::AuthCa => card::CertSlot::AuthCa,
            CertSlot::Sign => card::CertSlot::Sign,
            CertSlot::SignCa => card::CertSlot::SignCa,
        }
    }
}

impl From<card::CertSlot> for CertSlot {
    fn from(slot: card::CertSlot) -> Self {
        match slot {
            card::CertSlot::Auth => CertSlot::Auth,
            card::CertSlot::AuthCa => CertSlot::AuthCa,
            card::CertSlot::Sign => CertSlot::Sign,
            card::CertSlot::SignCa => CertSlot::SignCa,
        }
    }
}

/// What an empty VERIFY says about a PIN (no try is used to find out).
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum PinStatus {
    /// Not verified; this many wrong PINs in a row lock it.
    Remaining {
        /// Tries left.
        tries_left: u8,
    },
    /// Verified in the card's current session.
    Verified,
    /// Locked: only the municipal office can reset it.
    Locked,
}

impl From<card::PinStatus> for PinStatus {
    fn from(status: card::PinStatus) -> Self {
        match status {
            card::PinStatus::Remaining(tries_left) => PinStatus::Remaining { tries_left },
            card::PinStatus::Verified => PinStatus::Verified,
            card::PinStatus::Locked => PinStatus::Locked,
        }
    }
}

/// One PIN's state.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct PinReport {
    /// Which PIN.
    pub kind: PinKind,
    /// Its state.
    pub status: PinStatus,
}

impl From<flows::PinReport> for PinReport {
    fn from(report: flows::PinReport) -> Self {
        PinReport {
            kind: report.pin.into(),
            status: report.status.into(),
        }
    }
}

/// Which kind of JPKI token answered.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum TokenKind {
    /// The My Number Card.
    MyNumberCard,
    /// The older Basic Resident Registry card.
    ResidentRegistryCard,
    /// JPKI certificates embedded in an Android phone.
    PhoneEmbedded,
    /// Any other label, as read.
    Unknown {
        /// The token label.
        label: String,
    },
}

impl From<card::TokenKind> for TokenKind {
    fn from(kind: card::TokenKind) -> Self {
        match kind {
            card::TokenKind::MyNumberCard => TokenKind::MyNumberCard,
            card::TokenKind::ResidentRegistryCard => TokenKind::ResidentRegistryCard,
            card::TokenKind::PhoneEmbedded => TokenKind::PhoneEmbedded,
            card::TokenKind::Unknown(label) => TokenKind::Unknown { label },
        }
    }
}

/// Where a certificate stands on the day asked about (a Japan-time date).
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum Lifecycle {
    /// Before its first valid day.
    NotYetValid,
    /// Valid; renewal is not open yet.
    Valid,
    /// Still valid, and the municipal office can renew it since `opens_on`.
    RenewalWindow {
        /// First day renewal is possible (`YYYY-MM-DD`).
        opens_on: String,
    },
    /// Past its last valid day: the municipal office must issue a new one.
    Expired,
}

impl From<cert::Lifecycle> for Lifecycle {
    fn from(lifecycle: cert::Lifecycle) -> Self {
        match lifecycle {
            cert::Lifecycle::NotYetValid => Lifecycle::NotYetValid,
            cert::Lifecycle::Valid => Lifecycle::Valid,
            cert::Lifecycle::RenewalWindow { opens_on } => Lifecycle::RenewalWindow {
                opens_on: ymd(opens_on),
            },
            cert::Lifecycle::Expired => Lifecycle::Expired,
        }
    }
}

/// Sex as the card records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum Sex {
    /// Code 1.
    Male,
    /// Code 2.
    Female,
    /// Code 9.
    NotApplicable,
}

impl From<card::Sex> for Sex {
    fn from(sex: card::Sex) -> Self {
        match sex {
            card::Sex::Male => Sex::Male,
            card::Sex::Female => Sex::Female,
            card::Sex::NotApplicable => Sex::NotApplicable,
        }
    }
}

/// The holder's data in the signing certificate (absent from the others).
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct HolderAttributes {
    /// Name.
    pub name: Option<String>,
    /// Name in its alternative script.
    pub name_alternative: Option<String>,
    /// Sex.
    pub sex: Option<Sex>,
    /// Birth date (`YYYY-MM-DD`).
    pub birth_date: Option<String>,
    /// Address.
    pub address: Option<String>,
    /// Address in its alternative script.
    pub address_alternative: Option<String>,
}

impl From<cert::HolderAttributes> for HolderAttributes {
    fn from(h: cert::HolderAttributes) -> Self {
        HolderAttributes {
            name: h.name,
            name_alternative: h.name_alternative,
            sex: h.sex.map(Sex::from),
            birth_date: h.birth_date.map(ymd),
            address: h.address,
            address_alternative: h.address_alternative,
        }
    }
}

/// A certificate described for a status screen.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct CertificateSummary {
    /// Which certificate.
    pub slot: CertSlot,
    /// Subject name (RFC 4514).
    pub subject: String,
    /// Issuer name (RFC 4514).
    pub issuer: String,
    /// Serial number, uppercase hex.
    pub serial: String,
    /// Start of validity.
    pub not_before: SystemTime,
    /// End of validity.
    pub not_after: SystemTime,
    /// Last valid day in Japan time (`YYYY-MM-DD`).
    pub expires_on: String,
    /// Where it stands on the day asked about.
    pub lifecycle: Lifecycle,
    /// Key usage names (`digitalSignature`, `nonRepudiation`…).
    pub key_usage: Vec<String>,
    /// Holder attributes (signing certificate only).
    pub holder: Option<HolderAttributes>,
    /// DER size in bytes.
    pub size_bytes: u32,
}

impl From<cert::CertificateSummary> for CertificateSummary {
    fn from(s: cert::CertificateSummary) -> Self {
        CertificateSummary {
            slot: s.slot.into(),
            subject: s.subject,
            issuer: s.issuer,
            serial: s.serial,
            not_before: s.not_before.into(),
            not_after: s.not_after.into(),
            expires_on: ymd(s.expires_on),
            lifecycle: s.lifecycle.into(),
            key_usage: s.key_usage.into_iter().map(str::to_owned).collect(),
            holder: s.holder.map(HolderAttributes::from),
            size_bytes: u32::try_from(s.size_bytes).unwrap_or(u32::MAX),
        }
    }
}

/// One certificate slot in a status report: its summary, or why there is none.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct CertificateStatus {
    /// Which certificate.
    pub slot: CertSlot,
    /// The summary, when it could be read.
    pub summary: Option<CertificateSummary>,
    /// The PIN needed to read it, when that is why there is no summary.
    pub needs_pin: Option<PinKind>,
    /// Why it could not be read or understood otherwise (a sentence for the person).
    pub unavailable: Option<String>,
}

impl From<flows::CertificateStatus> for CertificateStatus {
    fn from(c: flows::CertificateStatus) -> Self {
        CertificateStatus {
            slot: c.slot.into(),
            summary: c.summary.map(CertificateSummary::from),
            needs_pin: c.needs_pin.map(PinKind::from),
            unavailable: c.unavailable,
        }
    }
}

/// Everything readable without a PIN.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct CardStatus {
    /// Which kind of token answered.
    pub token: TokenKind,
    /// The four certificate slots: auth, auth CA, sign, sign CA.
    pub certificates: Vec<CertificateStatus>,
    /// Authentication, signing and (when the card has the application) card-info PIN.
    pub pins: Vec<PinReport>,
}

impl From<flows::CardStatus> for CardStatus {
    fn from(s: flows::CardStatus) -> Self {
        CardStatus {
            token: s.token.into(),
            certificates: s.certificates.into_iter().map(Into::into).collect(),
            pins: s.pins.into_iter().map(Into::into).collect(),
        }
    }
}

/// My Number and the four basic facts, from the card-info application.
///
/// `my_number` is the full number: show it masked unless the person asks to see it.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
pub struct Identity {
    /// The 12-digit My Number (check digit verified).
    pub my_number: String,
    /// Full name.
    pub name: String,
    /// Address of residence.
    pub address: String,
    /// Birth date (`YYYY-MM-DD`).
    pub birth_date: String,
    /// Sex.
    pub sex: Sex,
    /// Whether the card proved it is genuine (its signed record matches, and it signed a fresh
    /// challenge with its card-info key).
    pub genuine: bool,
}

/// Never prints the number in full (as the core's `MyNumber`).
impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity")
            .field("my_number", &"********")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl From<flows::Identity> for Identity {
    fn from(i: flows::Identity) -> Self {
        Identity {
            // The PIN opens both; with a code, the other half is empty.
            my_number: i
                .my_number
                .as_ref()
                .map(|n| n.reveal().to_owned())
                .unwrap_or_default(),
            name: i.facts.as_ref().map(|f| f.name.clone()).unwrap_or_default(),
            address: i
                .facts
                .as_ref()
                .map(|f| f.address.clone())
                .unwrap_or_default(),
            birth_date: i
                .facts
                .as_ref()
                .map(|f| ymd(f.birth_date))
                .unwrap_or_default(),
            sex: i
                .facts
                .as_ref()
                .map(|f| f.sex)
                .unwrap_or(card::Sex::NotApplicable)
                .into(),
            genuine: i.authenticity.is_genuine(),
        }
    }
}

/// The hash a document's digest was made with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum DigestKind {
    /// SHA-256 (32 bytes), as JPKI's own software uses.
    Sha256,
    /// SHA-384 (48 bytes).
    Sha384,
    /// SHA-512 (64 bytes).
    Sha512,
}

impl From<DigestKind> for DigestAlgorithm {
    fn from(kind: DigestKind) -> Self {
        match kind {
            DigestKind::Sha256 => DigestAlgorithm::Sha256,
            DigestKind::Sha384 => DigestAlgorithm::Sha384,
            DigestKind::Sha512 => DigestAlgorithm::Sha512,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn dates_are_japan_calendar_days() {
        assert_eq!(ymd(date!(2031 - 03 - 05)), "2031-03-05");
        let l: Lifecycle = cert::Lifecycle::RenewalWindow {
            opens_on: date!(2030 - 12 - 15),
        }
        .into();
        assert_eq!(
            l,
            Lifecycle::RenewalWindow {
                opens_on: "2030-12-15".into()
            }
        );
    }

    #[test]
    fn kinds_round_trip() {
        for k in pin::PinKind::ALL
            .into_iter()
            .chain(pin::PinKind::ACCESS_CODES)
        {
            assert_eq!(pin::PinKind::from(PinKind::from(k)), k);
        }
        for s in card::CertSlot::ALL {
            assert_eq!(card::CertSlot::from(CertSlot::from(s)), s);
        }
    }

    #[test]
    fn identity_debug_masks_the_number() {
        let i = Identity {
            my_number: "123456789018".into(),
            name: "n".into(),
            address: "a".into(),
            birth_date: "1990-03-15".into(),
            sex: Sex::Male,
            genuine: true,
        };
        assert!(!format!("{i:?}").contains("123456789018"));
    }
}
