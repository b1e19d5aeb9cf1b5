//! The card-surface application (券面事項確認AP): the card's face, shaped like
//! `real-card/test-card/surface-*.bin` — same tags, offset table and signatures (by the
//! application key, over what `kazasu_core::card::surface` checks).

use kazasu_core::card::tlv::encode as tlv;
use kazasu_core::ids::FileId;
use kazasu_core::ids::mynumber::*;
use kazasu_core::pin::PinKind;
use rsa::Pkcs1v15Sign;
use sha2::{Digest, Sha256};

use super::offset_record::offset_record;
use super::{AppKeyKind, Card, Content, Ef, app_key, images};

/// The authority and holder references in this application's certificate, as on a test card.
pub(crate) const CVC_REFERENCES: (&str, &str) = ("6000023", "1322121");

const CODE_A_OR_B: &[PinKind] = &[PinKind::SurfaceCodeA, PinKind::SurfaceCodeB];

/// The file `fid` in the card-surface application, if there is one.
pub(super) fn file(fid: FileId) -> Option<Ef> {
    let binary = |content, needs| Some(Ef::Binary { content, needs });
    match fid {
        EF_SURFACE_BIRTH_DATE_KEY => Some(Ef::Pin(PinKind::SurfaceBirthDate)),
        EF_SURFACE_CODE_B => Some(Ef::Pin(PinKind::SurfaceCodeB)),
        EF_SURFACE_CODE_A => Some(Ef::Pin(PinKind::SurfaceCodeA)),
        EF_SURFACE_AGE => binary(Content::SurfaceAge, &[PinKind::SurfaceBirthDate]),
        EF_SURFACE_FACE => binary(Content::SurfaceFace, CODE_A_OR_B),
        EF_SURFACE_BASIC => binary(Content::SurfaceBasic, &[]),
        EF_SURFACE_CVC => binary(Content::Cvc(AppKeyKind::Surface), &[]),
        EF_SURFACE_MY_NUMBER_IMAGE => {
            binary(Content::SurfaceMyNumberImage, &[PinKind::SurfaceCodeA])
        }
        _ => None,
    }
}

/// EF 0001's size on a test card.
pub const AGE_EF_SIZE: usize = 547;
/// EF 0002's size here: room for the photo and three text images (3070 bytes on a test card,
/// whose images are 1-bit; the simulator's are greyscale).
pub const FACE_EF_SIZE: usize = 8192;
/// EF 0003's size on a test card.
pub const BASIC_EF_SIZE: usize = 320;
/// EF 0005's size here (686 bytes on a test card).
pub const MY_NUMBER_IMAGE_EF_SIZE: usize = 1024;

fn ymd(date: time::Date) -> String {
    format!(
        "{:04}{:02}{:02}",
        date.year(),
        date.month() as u8,
        date.day()
    )
}

/// EF 0001: `FF 10 { DF 11 birth date, DF 12 public key, DF 13 signature over both }`.
pub(super) fn age_record(card: &Card) -> Vec<u8> {
    let Some(key) = card.app_private_key(AppKeyKind::Surface) else {
        return Vec::new();
    };
    let mut body = tlv(&[0xDF, 0x11], ymd(card.state.holder.birth_date).as_bytes());
    body.extend(tlv(&[0xDF, 0x12], &public(&key)));
    let signature = app_key::sign_sha256(&key, &body);
    body.extend(tlv(&[0xDF, 0x13], &signature));
    tlv(&[0xFF, 0x10], &body)
}

fn public(key: &rsa::RsaPrivateKey) -> Vec<u8> {
    app_key::public_key_tlvs(&rsa::RsaPublicKey::from(key))
}

/// EF 0002: `FF 20 { DF 21 offsets, DF 22 birth date, DF 23 sex, DF 24 public key, DF 25 name
/// image, DF 26 address image, DF 27 photo, DF 28 signature, DF 29 expiry, DF 2A security code
/// image }`. DF 28 signs a SHA-256 `DigestInfo` of three hashes: DF22–24, DF25–26, DF27.
pub(super) fn face(card: &Card) -> Vec<u8> {
    let Some(key) = card.app_private_key(AppKeyKind::Surface) else {
        return Vec::new();
    };
    let holder = &card.state.holder;
    let name = tlv(&[0xDF, 0x25], &images::text_png(&holder.name));
    let address = tlv(&[0xDF, 0x26], &images::text_png(&holder.address));
    let photo = tlv(&[0xDF, 0x27], images::PHOTO_JP2);
    let birth = tlv(&[0xDF, 0x22], ymd(holder.birth_date).as_bytes());
    let sex = tlv(&[0xDF, 0x23], holder.sex.to_string().as_bytes());
    let public_key = tlv(&[0xDF, 0x24], &public(&key));
    let mut digest_info = kazasu_core::card::surface::FACE_DIGEST_INFO_PREFIX.to_vec();
    digest_info.extend(Sha256::digest([&birth[..], &sex, &public_key].concat()));
    digest_info.extend(Sha256::digest([&name[..], &address].concat()));
    digest_info.extend(Sha256::digest(&photo));
    let signature = key
        .sign(Pkcs1v15Sign::new_unprefixed(), &digest_info)
        .expect("a 115-byte DigestInfo fits RSA-2048");
    offset_record(&[
        &birth,
        &sex,
        &public_key,
        &name,
        &address,
        &photo,
        &tlv(&[0xDF, 0x28], &signature),
        &tlv(&[0xDF, 0x29], ymd(card.state.card_expires_on).as_bytes()),
        &tlv(&[0xDF, 0x2A], &images::text_png(&card.state.security_code)),
    ])
}

/// EF 0003: `FF 30 { DF 31, DF 32 key reference, DF 33, DF 34 municipality code, DF 35
/// reference + signature }`, shaped as on a test card.
pub(super) fn basic_data(card: &Card) -> Vec<u8> {
    let Some(key) = card.app_private_key(AppKeyKind::Surface) else {
        return Vec::new();
    };
    let mut body = tlv(&[0xDF, 0x31], &[0x06, 0x03, 0x0E, 0x01]);
    body.extend(tlv(&[0xDF, 0x32], &app_key::reference("6000024", "001")));
    body.extend(tlv(&[0xDF, 0x33], &[0x00]));
    body.extend(tlv(
        &[0xDF, 0x34],
        card.state.holder.municipality.code.as_bytes(),
    ));
    let mut signed = app_key::reference("5900025", "001").to_vec();
    signed.extend(app_key::sign_sha256(&key, &body));
    body.extend(tlv(&[0xDF, 0x35], &signed));
    tlv(&[0xFF, 0x30], &body)
}

/// EF 0005: `FF 40 { DF 41 My Number image, DF 42 public key, DF 43 signature over both }`.
pub(super) fn my_number_image(card: &Card) -> Vec<u8> {
    let Some(key) = card.app_private_key(AppKeyKind::Surface) else {
        return Vec::new();
    };
    let mut body = tlv(
        &[0xDF, 0x41],
        &images::text_png(&card.state.holder.my_number),
    );
    body.extend(tlv(&[0xDF, 0x42], &public(&key)));
    let signature = app_key::sign_sha256(&key, &body);
    body.extend(tlv(&[0xDF, 0x43], &signature));
    tlv(&[0xFF, 0x40], &body)
}
