//! The card-surface application (券面事項確認AP): the card's face as the card stores it, to
//! compare a person with their card. Photo (JPEG 2000), images of name, address and My Number,
//! birth date, sex and expiry, each signed by the application's key.
//!
//! Three keys open it: the birth-date key (the age record only), code A (My Number) and code B
//! (birth date, expiry year, security code) for the face. What each signature covers was found
//! on a test card's bytes (`core/tests/fixtures/real-card/surface-*.bin`, tests below).

use std::fmt;

use rsa::Pkcs1v15Sign;
use sha2::{Digest, Sha256};
use time::Date;

use crate::error::CardError;
use crate::ids::{Application, mynumber};
use crate::pin::{Pin, PinKind};
use crate::transport::Transport;

use super::Sex;
use super::card_info::parse_ymd;
use super::cvc::{CardVerifiableCertificate, verifies};
use super::tlv::{Tlv, objects};
use super::{PinStatus, Session};

/// The card face (EF `0002`, behind code A or B).
#[derive(Clone, PartialEq, Eq, serde::Serialize)]
pub struct CardFace {
    /// Date of birth.
    #[serde(serialize_with = "crate::serde_util::ymd")]
    pub birth_date: Date,
    /// Sex.
    pub sex: Sex,
    /// The name as printed, a PNG image.
    #[serde(skip)]
    pub name_image: Vec<u8>,
    /// The address as printed, a PNG image.
    #[serde(skip)]
    pub address_image: Vec<u8>,
    /// The face photo as stored: JPEG 2000 (see [`super::photo::jpeg2000_to_png`]).
    #[serde(skip)]
    pub photo_jpeg2000: Vec<u8>,
    /// Last day the card is valid.
    #[serde(serialize_with = "crate::serde_util::ymd")]
    pub expires_on: Date,
    /// The security code as printed, a PNG image.
    #[serde(skip)]
    pub security_code_image: Vec<u8>,
    /// Whether the application key's signature covers everything above.
    pub signed: bool,
}

/// Shows the facts and the sizes of the images, not the images.
impl fmt::Debug for CardFace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CardFace")
            .field("birth_date", &self.birth_date)
            .field("sex", &self.sex)
            .field("photo_len", &self.photo_jpeg2000.len())
            .field("expires_on", &self.expires_on)
            .field("signed", &self.signed)
            .finish_non_exhaustive()
    }
}

/// The age record (EF `0001`, behind the birth-date key): the birth date, signed.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct AgeRecord {
    /// Date of birth.
    #[serde(serialize_with = "crate::serde_util::ymd")]
    pub birth_date: Date,
    /// Whether the application key's signature covers it.
    pub signed: bool,
}

/// One field of a record: its tag, the whole object and its value.
type Field<'a> = (u32, &'a [u8], &'a [u8]);

/// The children of a record `outer_tag { … }`; filler ignored.
fn children<'a>(
    bytes: &'a [u8],
    outer_tag: u32,
    what: &'static str,
) -> Result<Vec<Field<'a>>, CardError> {
    let malformed = |reason: String| CardError::Malformed { what, reason };
    let (outer, _) = Tlv::parse(bytes).map_err(|e| malformed(e.to_string()))?;
    if outer.tag != outer_tag {
        return Err(malformed(format!(
            "it starts with tag {:X}, not {outer_tag:X}",
            outer.tag
        )));
    }
    objects(outer.value)
        .map(|object| {
            let (child, whole) = object.map_err(|e| malformed(e.to_string()))?;
            Ok((child.tag, whole, child.value))
        })
        .collect()
}

fn field<'a>(
    fields: &[Field<'a>],
    tag: u32,
    what: &'static str,
) -> Result<(&'a [u8], &'a [u8]), CardError> {
    fields
        .iter()
        .find(|(t, _, _)| *t == tag)
        .map(|(_, whole, value)| (*whole, *value))
        .ok_or_else(|| CardError::Malformed {
            what,
            reason: format!("field {tag:X} is missing"),
        })
}

fn date(value: &[u8], what: &'static str) -> Result<Date, CardError> {
    parse_ymd(value).ok_or_else(|| CardError::Malformed {
        what,
        reason: "a date is not YYYYMMDD".to_owned(),
    })
}

impl CardFace {
    /// Parses EF `0002` and checks its signature with `certificate`'s key: a SHA-256
    /// `DigestInfo` holding three hashes, of `DF22`–`DF24`, of `DF25`–`DF26` and of `DF27`.
    pub fn parse(bytes: &[u8], certificate: &CardVerifiableCertificate) -> Result<Self, CardError> {
        const WHAT: &str = "card face";
        let fields = children(bytes, 0xFF20, WHAT)?;
        let get = |tag| field(&fields, tag, WHAT);
        let sex_code = String::from_utf8_lossy(get(0xDF23)?.1).into_owned();
        let span = |first: u32, last: u32| -> Result<Vec<u8>, CardError> {
            let mut out = Vec::new();
            for tag in first..=last {
                out.extend_from_slice(get(tag)?.0);
            }
            Ok(out)
        };
        let mut digest_info = FACE_DIGEST_INFO_PREFIX.to_vec();
        for (first, last) in [(0xDF22, 0xDF24), (0xDF25, 0xDF26), (0xDF27, 0xDF27)] {
            digest_info.extend_from_slice(&Sha256::digest(span(first, last)?));
        }
        let signature = get(0xDF28)?.1;
        let signed = signature.len() == rsa::traits::PublicKeyParts::size(&certificate.public_key)
            && certificate
                .public_key
                .verify(Pkcs1v15Sign::new_unprefixed(), &digest_info, signature)
                .is_ok();
        Ok(Self {
            birth_date: date(get(0xDF22)?.1, WHAT)?,
            sex: Sex::from_code(&sex_code).ok_or_else(|| CardError::Malformed {
                what: WHAT,
                reason: "the sex code is not 1, 2 or 9".to_owned(),
            })?,
            name_image: get(0xDF25)?.1.to_vec(),
            address_image: get(0xDF26)?.1.to_vec(),
            photo_jpeg2000: get(0xDF27)?.1.to_vec(),
            expires_on: date(get(0xDF29)?.1, WHAT)?,
            security_code_image: get(0xDF2A)?.1.to_vec(),
            signed,
        })
    }
}

/// The start of the card face's `DigestInfo`: SHA-256, then a 96-byte octet string.
pub const FACE_DIGEST_INFO_PREFIX: [u8; 19] = [
    0x30, 0x71, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x60,
];

/// Checks a record `{ data…, signature }` signed over SHA-256 of its objects before the signature.
fn signed_over_preceding(
    fields: &[Field<'_>],
    signature_tag: u32,
    certificate: &CardVerifiableCertificate,
) -> bool {
    let mut covered = Vec::new();
    for (tag, whole, value) in fields {
        if *tag == signature_tag {
            return verifies(
                &certificate.public_key,
                &Sha256::digest(&covered).into(),
                value,
            );
        }
        covered.extend_from_slice(whole);
    }
    false
}

impl AgeRecord {
    /// Parses EF `0001` (`FF 10 { DF 11 birth date, DF 12 public key, DF 13 signature }`).
    pub fn parse(bytes: &[u8], certificate: &CardVerifiableCertificate) -> Result<Self, CardError> {
        const WHAT: &str = "age record";
        let fields = children(bytes, 0xFF10, WHAT)?;
        Ok(Self {
            birth_date: date(field(&fields, 0xDF11, WHAT)?.1, WHAT)?,
            signed: signed_over_preceding(&fields, 0xDF13, certificate),
        })
    }
}

/// The My Number image (EF `0005`: `FF 40 { DF 41 PNG, DF 42 public key, DF 43 signature }`);
/// the PNG and whether the application key's signature covers it.
pub fn parse_my_number_image(
    bytes: &[u8],
    certificate: &CardVerifiableCertificate,
) -> Result<(Vec<u8>, bool), CardError> {
    const WHAT: &str = "My Number image";
    let fields = children(bytes, 0xFF40, WHAT)?;
    let png = field(&fields, 0xDF41, WHAT)?.1.to_vec();
    Ok((png, signed_over_preceding(&fields, 0xDF43, certificate)))
}

/// A session with the card-surface application.
pub struct SurfaceApp<T: Transport> {
    session: Session<T>,
    certificate: Option<CardVerifiableCertificate>,
}

/// Shows the session state; never data.
impl<T: Transport> fmt::Debug for SurfaceApp<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SurfaceApp")
            .field("session", &self.session)
            .finish_non_exhaustive()
    }
}

impl<T: Transport> SurfaceApp<T> {
    /// Selects the application (`D3 92 10 00 31 00 01 01 04 02`).
    pub fn select(transport: T) -> Result<Self, CardError> {
        let aid = mynumber::SURFACE_AID;
        let session = Session::select_app(transport, aid, CardError::AppNotFound { aid })?;
        Ok(Self {
            session,
            certificate: None,
        })
    }

    /// Tries left on one of its keys, without using one.
    pub fn status_of(&mut self, kind: PinKind) -> Result<PinStatus, CardError> {
        check_kind(kind)?;
        self.session.pin_status(kind)
    }

    /// Presents a key once; never sent when the card reports it locked.
    pub fn verify_pin(&mut self, pin: &Pin) -> Result<(), CardError> {
        check_kind(pin.kind())?;
        self.session.verify(pin)
    }

    /// The application's card-verifiable certificate (EF `0004`, free), read once.
    pub fn certificate(&mut self) -> Result<CardVerifiableCertificate, CardError> {
        if let Some(certificate) = &self.certificate {
            return Ok(certificate.clone());
        }
        let bytes = self.session.read_tlv_file(
            mynumber::EF_SURFACE_CVC,
            "reading the card-surface certificate",
            None,
            "card-verifiable certificate",
        )?;
        let certificate = CardVerifiableCertificate::parse(&bytes)?;
        self.certificate = Some(certificate.clone());
        Ok(certificate)
    }

    fn opened_face_with(&self) -> PinKind {
        if self.session.is_verified(PinKind::SurfaceCodeB) {
            PinKind::SurfaceCodeB
        } else {
            PinKind::SurfaceCodeA
        }
    }

    /// The card face (EF `0002`): code A or B first.
    pub fn card_face(&mut self) -> Result<CardFace, CardError> {
        let certificate = self.certificate()?;
        let pin = self.opened_face_with();
        let bytes = self.session.read_tlv_file(
            mynumber::EF_SURFACE_FACE,
            "reading the card face",
            Some(pin),
            "card face",
        )?;
        CardFace::parse(&bytes, &certificate)
    }

    /// The age record (EF `0001`): the birth-date key first.
    pub fn age_record(&mut self) -> Result<AgeRecord, CardError> {
        let certificate = self.certificate()?;
        let bytes = self.session.read_tlv_file(
            mynumber::EF_SURFACE_AGE,
            "reading the age record",
            Some(PinKind::SurfaceBirthDate),
            "age record",
        )?;
        AgeRecord::parse(&bytes, &certificate)
    }

    /// The My Number as an image (EF `0005`, code A first): the PNG and whether it is signed.
    pub fn my_number_image(&mut self) -> Result<(Vec<u8>, bool), CardError> {
        let certificate = self.certificate()?;
        let bytes = self.session.read_tlv_file(
            mynumber::EF_SURFACE_MY_NUMBER_IMAGE,
            "reading the My Number image",
            Some(PinKind::SurfaceCodeA),
            "My Number image",
        )?;
        parse_my_number_image(&bytes, &certificate)
    }

    /// Ends the session and gives the transport back.
    pub fn into_transport(self) -> T {
        self.session.into_transport()
    }
}

fn check_kind(kind: PinKind) -> Result<(), CardError> {
    super::check_kind(kind, Application::Surface)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CVC: &[u8] = include_bytes!("../../tests/fixtures/real-card/surface-0004.bin");
    const AGE: &[u8] = include_bytes!("../../tests/fixtures/real-card/surface-0001.bin");
    const FACE: &[u8] = include_bytes!("../../tests/fixtures/real-card/surface-0002.bin");
    const IMAGE: &[u8] = include_bytes!("../../tests/fixtures/real-card/surface-0005.bin");

    fn cvc() -> CardVerifiableCertificate {
        CardVerifiableCertificate::parse(CVC).unwrap()
    }

    #[test]
    fn reads_a_real_card_face_and_checks_its_signature() {
        let face = CardFace::parse(FACE, &cvc()).unwrap();
        assert!(face.signed);
        assert_eq!(face.birth_date.to_string(), "1980-02-17");
        assert_eq!(face.expires_on.to_string(), "2035-02-17");
        assert_eq!(face.sex, Sex::Male);
        assert!(face.name_image.starts_with(b"\x89PNG"));
        assert!(face.address_image.starts_with(b"\x89PNG"));
        assert!(face.security_code_image.starts_with(b"\x89PNG"));
        let png = super::super::photo::jpeg2000_to_png(&face.photo_jpeg2000).unwrap();
        assert!(png.starts_with(b"\x89PNG"));
    }

    #[test]
    fn a_changed_photo_breaks_the_face_signature() {
        let mut face = FACE.to_vec();
        face[2000] ^= 0x01; // inside DF27, the photo
        assert!(!CardFace::parse(&face, &cvc()).unwrap().signed);
    }

    #[test]
    fn reads_the_real_age_record_and_my_number_image() {
        let age = AgeRecord::parse(AGE, &cvc()).unwrap();
        assert!(age.signed);
        assert_eq!(age.birth_date.to_string(), "1980-02-17");
        let (png, signed) = parse_my_number_image(IMAGE, &cvc()).unwrap();
        assert!(signed && png.starts_with(b"\x89PNG"));
    }
}
