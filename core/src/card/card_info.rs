//! The card-info input support application (券面事項入力補助AP): My Number and the four basic
//! facts (name, address, birth date, sex) as text, behind its own 4-digit PIN.

use std::fmt;

use time::{Date, Month};

use crate::error::CardError;
use crate::ids::{Application, mynumber};
use crate::mynumber::MyNumber;
use crate::pin::{Pin, PinKind};
use crate::transport::Transport;

use super::Sex;
use super::authenticity::{Authenticity, IntegrityRecord};
use super::cvc::CardVerifiableCertificate;
use super::tlv::Tlv;
use super::{PinStatus, Session};

/// The four basic facts (基本4情報) as printed on the card's face.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct BasicFacts {
    /// Full name.
    pub name: String,
    /// Address of residence.
    pub address: String,
    /// Date of birth.
    #[serde(serialize_with = "crate::serde_util::ymd")]
    pub birth_date: Date,
    /// Sex.
    pub sex: Sex,
}

impl BasicFacts {
    /// Parses the contents of EF `0002`: `FF 20 len { DF 21 header, DF 22 name, DF 23 address,
    /// DF 24 birth date YYYYMMDD, DF 25 sex }`. Unknown children are skipped.
    pub fn from_tlv(bytes: &[u8]) -> Result<BasicFacts, CardError> {
        let malformed = |reason: String| CardError::Malformed {
            what: "basic-facts record",
            reason,
        };
        let (outer, _) = Tlv::parse(bytes).map_err(|e| malformed(e.to_string()))?;
        if outer.tag != 0xFF20 {
            return Err(malformed(format!(
                "it starts with tag {:X}, not FF20",
                outer.tag
            )));
        }
        let (mut name, mut address, mut birth, mut sex) = (None, None, None, None);
        for child in outer.children() {
            let child = child.map_err(|e| malformed(e.to_string()))?;
            let text = || {
                String::from_utf8(child.value.to_vec())
                    .map(|s| s.trim_end_matches(['\0', ' ']).to_owned())
                    .map_err(|_| malformed(format!("field {:X} is not UTF-8", child.tag)))
            };
            match child.tag {
                0xDF22 => name = Some(text()?),
                0xDF23 => address = Some(text()?),
                0xDF24 => {
                    birth = Some(parse_ymd(child.value).ok_or_else(|| {
                        malformed("the birth date is not a YYYYMMDD date".to_owned())
                    })?)
                }
                0xDF25 => {
                    sex = Some(
                        Sex::from_code(&text()?)
                            .ok_or_else(|| malformed("the sex code is not 1, 2 or 9".to_owned()))?,
                    )
                }
                _ => {}
            }
        }
        let missing = |field: &str| malformed(format!("the {field} is missing"));
        Ok(BasicFacts {
            name: name.ok_or_else(|| missing("name"))?,
            address: address.ok_or_else(|| missing("address"))?,
            birth_date: birth.ok_or_else(|| missing("birth date"))?,
            sex: sex.ok_or_else(|| missing("sex"))?,
        })
    }
}

/// Parses `YYYYMMDD` (ASCII) into a date.
pub(crate) fn parse_ymd(bytes: &[u8]) -> Option<Date> {
    if bytes.len() != 8 || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let s = std::str::from_utf8(bytes).ok()?;
    let year: i32 = s[0..4].parse().ok()?;
    let month: u8 = s[4..6].parse().ok()?;
    let day: u8 = s[6..8].parse().ok()?;
    Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()
}

/// A session with the card-info input support application.
///
/// Everything in it is behind the card-info PIN (4 digits, its own counter of 3 tries). Like
/// [`crate::JpkiApp`] it skips redundant SELECTs, reads files without going past their end, and
/// never sends a PIN to a PIN the card reports locked.
pub struct CardInfoApp<T: Transport> {
    session: Session<T>,
}

/// Shows the selected file and known PIN state; never data.
impl<T: Transport> fmt::Debug for CardInfoApp<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CardInfoApp")
            .field("session", &self.session)
            .finish()
    }
}

impl<T: Transport> CardInfoApp<T> {
    /// Selects the application (`00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08`).
    pub fn select(transport: T) -> Result<Self, CardError> {
        let aid = mynumber::CARD_INFO_AID;
        let session = Session::select_app(transport, aid, CardError::AppNotFound { aid })?;
        Ok(Self { session })
    }

    /// Tries left on the card-info PIN, without using one.
    pub fn pin_status(&mut self) -> Result<PinStatus, CardError> {
        self.session.pin_status(PinKind::CardInfo)
    }

    /// Tries left on the card-info PIN or one of its access codes, without using one.
    pub fn status_of(&mut self, kind: PinKind) -> Result<PinStatus, CardError> {
        check_kind(kind)?;
        self.session.pin_status(kind)
    }

    /// Whether this session verified the card-info PIN (the card cannot tell).
    pub fn is_verified(&self) -> bool {
        self.session.is_verified(PinKind::CardInfo)
    }

    /// Presents the card-info PIN, code A or code B once (see [`crate::JpkiApp::verify_pin`]
    /// for the rules): the PIN opens everything, code A only My Number, code B only the facts.
    pub fn verify_pin(&mut self, pin: &Pin) -> Result<(), CardError> {
        check_kind(pin.kind())?;
        self.session.verify(pin)
    }

    /// Verifies `old`, then replaces it by `new` (the card-info PIN only: codes never change).
    pub fn change_pin(&mut self, old: &Pin, new: &Pin) -> Result<(), CardError> {
        check_kind(old.kind())?;
        if !old.kind().is_holder_pin() {
            return Err(CardError::NotChangeable { kind: old.kind() });
        }
        self.session.change(old, new)
    }

    /// The secret this session opened `alternative`'s data with: the PIN unless only the code was verified.
    fn opened_by(&self, alternative: PinKind) -> PinKind {
        if self.session.is_verified(alternative) && !self.is_verified() {
            alternative
        } else {
            PinKind::CardInfo
        }
    }

    /// EF `0001` as stored, filler included (17 bytes on a card): what EF 0003's digest covers.
    pub fn my_number_file(&mut self) -> Result<Vec<u8>, CardError> {
        let pin = self.opened_by(PinKind::CardInfoCodeA);
        self.session
            .read_start(mynumber::EF_MY_NUMBER, 256, "reading My Number", Some(pin))
    }

    /// Reads My Number (EF `0001`: `FF 10 0C` + 12 ASCII digits) and checks its check digit.
    pub fn my_number(&mut self) -> Result<MyNumber, CardError> {
        let bytes = self.my_number_file()?;
        parse_my_number(&bytes)
    }

    /// EF `0002`'s record (without filler).
    pub fn basic_facts_file(&mut self) -> Result<Vec<u8>, CardError> {
        let pin = self.opened_by(PinKind::CardInfoCodeB);
        self.session.read_tlv_file(
            mynumber::EF_BASIC_FACTS,
            "reading the basic facts",
            Some(pin),
            "basic-facts record",
        )
    }

    /// Reads the four basic facts (EF `0002`).
    pub fn basic_facts(&mut self) -> Result<BasicFacts, CardError> {
        BasicFacts::from_tlv(&self.basic_facts_file()?)
    }

    /// The application's card-verifiable certificate (EF `0004`, free to read).
    pub fn certificate(&mut self) -> Result<CardVerifiableCertificate, CardError> {
        let bytes = self.session.read_tlv_file(
            mynumber::EF_CARD_INFO_CVC,
            "reading the card-info certificate",
            None,
            "card-verifiable certificate",
        )?;
        CardVerifiableCertificate::parse(&bytes)
    }

    /// The integrity record (EF `0003`: digests of EF 0001 and 0002 and a signature over them);
    /// the PIN or either code must have been verified.
    pub fn integrity_record(&mut self) -> Result<IntegrityRecord, CardError> {
        let pin = if self.is_verified() {
            PinKind::CardInfo
        } else if self.session.is_verified(PinKind::CardInfoCodeB) {
            PinKind::CardInfoCodeB
        } else {
            PinKind::CardInfoCodeA
        };
        let bytes = self.session.read_tlv_file(
            mynumber::EF_CARD_INFO_INTEGRITY,
            "reading the card-info integrity record",
            Some(pin),
            "integrity record",
        )?;
        IntegrityRecord::parse(&bytes)
    }

    /// The card's own signature (`80 2A 00 00`, no PIN) over a SHA-256 `DigestInfo` of `hash`.
    pub fn internal_signature(&mut self, hash: &[u8; 32]) -> Result<Vec<u8>, CardError> {
        let command =
            super::commands::application_signature(&super::jpki::sha256_digest_info(hash));
        let response = self.session.exchange(&command)?;
        match response.status() {
            crate::apdu::StatusWord::Success => Ok(response.into_data()),
            status => Err(CardError::from_status(
                "asking the card to sign a challenge",
                status,
                None,
            )),
        }
    }

    /// Checks that the card and what was read from it are genuine: EF 0003's signature by the
    /// key of EF 0004 over the digests, those digests against `my_number_file` / `facts_file`
    /// (whichever were read), and a fresh random challenge signed by the card.
    pub fn authenticity(
        &mut self,
        my_number_file: Option<&[u8]>,
        facts_file: Option<&[u8]>,
    ) -> Result<Authenticity, CardError> {
        let unavailable = |e: CardError| match e {
            CardError::FileNotFound { file } => Ok(Authenticity::Unavailable {
                reason: format!("the card has no file {file} in its card-info application"),
            }),
            other => Err(other),
        };
        let certificate = match self.certificate() {
            Ok(c) => c,
            Err(e) => return unavailable(e),
        };
        let record = match self.integrity_record() {
            Ok(r) => r,
            Err(e) => return unavailable(e),
        };
        let challenge: [u8; 32] = rand::random();
        // A card that refuses to sign proves nothing, which the verdict then says.
        let live = match self.internal_signature(&challenge) {
            Ok(signature) => signature,
            Err(CardError::Card { status, .. }) => {
                tracing::debug!(target: "kazasu::card", %status, "the card did not sign the challenge");
                Vec::new()
            }
            Err(e) => return Err(e),
        };
        Ok(Authenticity::judge(
            &certificate,
            &record,
            my_number_file,
            facts_file,
            &challenge,
            &live,
        ))
    }

    /// The transport underneath; call [`CardInfoApp::forget_card_state`] after sending through it yourself.
    pub fn transport_mut(&mut self) -> &mut T {
        self.session.transport_mut()
    }

    /// Forgets which file is selected and which PIN states were seen.
    pub fn forget_card_state(&mut self) {
        self.session.forget_state();
    }

    /// Ends the session and gives the transport back.
    pub fn into_transport(self) -> T {
        self.session.into_transport()
    }
}

/// Parses EF `0001` (`FF 10 0C` + 12 digits, filler after it) and checks the check digit.
pub fn parse_my_number(bytes: &[u8]) -> Result<MyNumber, CardError> {
    let malformed = |reason: String| CardError::Malformed {
        what: "My Number",
        reason,
    };
    let (tlv, _) = Tlv::parse(bytes).map_err(|e| malformed(e.to_string()))?;
    if tlv.tag != 0xFF10 {
        return Err(malformed(format!(
            "it starts with tag {:X}, not FF10",
            tlv.tag
        )));
    }
    MyNumber::from_ascii(tlv.value).map_err(|e| malformed(e.to_string()))
}

fn check_kind(kind: PinKind) -> Result<(), CardError> {
    super::check_kind(kind, Application::CardInfo)
}
