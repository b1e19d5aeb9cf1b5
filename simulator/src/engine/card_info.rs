//! The card-info input support application (券面事項入力補助AP): My Number and the four basic facts.

use kazasu_core::card::tlv::encode as tlv;
use kazasu_core::ids::FileId;
use kazasu_core::ids::mynumber::*;
use kazasu_core::pin::PinKind;
use sha2::{Digest, Sha256};

use super::offset_record::offset_record;
use super::{AppKeyKind, Card, Content, Ef, app_key};
use crate::holder::HolderProfile;

/// The authority and holder references in this application's certificate, as on a test card.
pub(crate) const CVC_REFERENCES: (&str, &str) = ("6000033", "1322131");

const PIN_OR_A: &[PinKind] = &[PinKind::CardInfo, PinKind::CardInfoCodeA];
const PIN_OR_B: &[PinKind] = &[PinKind::CardInfo, PinKind::CardInfoCodeB];
const PIN_OR_EITHER: &[PinKind] = &[
    PinKind::CardInfo,
    PinKind::CardInfoCodeA,
    PinKind::CardInfoCodeB,
];

/// The file `fid` in the card-info application, if there is one. Access as `real-card/README.md`
/// lists it: the PIN opens everything, code A only My Number, code B only the basic facts.
pub(super) fn file(fid: FileId) -> Option<Ef> {
    let binary = |content, needs| Some(Ef::Binary { content, needs });
    match fid {
        EF_CARD_INFO_PIN => Some(Ef::Pin(PinKind::CardInfo)),
        EF_CARD_INFO_PIN_A => Some(Ef::Pin(PinKind::CardInfoCodeA)),
        EF_CARD_INFO_PIN_B => Some(Ef::Pin(PinKind::CardInfoCodeB)),
        EF_MY_NUMBER => binary(Content::MyNumber, PIN_OR_A),
        EF_BASIC_FACTS => binary(Content::BasicFacts, PIN_OR_B),
        EF_CARD_INFO_INTEGRITY => binary(Content::Integrity, PIN_OR_EITHER),
        EF_CARD_INFO_CVC => binary(Content::Cvc(AppKeyKind::CardInfo), &[]),
        EF_CARD_INFO_0005 => binary(Content::CardInfo0005, &[]),
        EF_CARD_INFO_SM_KEY => binary(Content::CardInfoPublicKey, PIN_OR_EITHER),
        EF_CARD_INFO_SM_RECORD => binary(Content::CardInfoSignedKey, PIN_OR_EITHER),
        _ => None,
    }
}

/// EF 0003's size on a test card (the record fills it).
pub const INTEGRITY_EF_SIZE: usize = 336;
/// EF 0005's size on a test card.
pub const EF_0005_SIZE: usize = 164;
/// EF 0006's size on a test card.
pub const PUBLIC_KEY_EF_SIZE: usize = 269;
/// EF 0007's size on a test card.
pub const SIGNED_KEY_EF_SIZE: usize = 536;

/// EF 0003: `FF 30 { DF 31 SHA-256 of EF 0001 as stored, DF 32 SHA-256 of EF 0002's fields
/// after the offset table, DF 33 signature over both objects }`, as on a test card.
pub(super) fn integrity(card: &Card) -> Vec<u8> {
    let Some(key) = card.app_private_key(AppKeyKind::CardInfo) else {
        return Vec::new();
    };
    let my_number_file = card.file_bytes(Content::MyNumber);
    let facts = basic_facts(&card.state.holder);
    let fields = kazasu_core::card::authenticity::facts_digest_input(&facts)
        .expect("the simulator's own EF 0002 parses");
    let mut signed = tlv(&[0xDF, 0x31], &Sha256::digest(&my_number_file));
    signed.extend(tlv(&[0xDF, 0x32], &Sha256::digest(fields)));
    let signature = app_key::sign_sha256(&key, &signed);
    signed.extend(tlv(&[0xDF, 0x33], &signature));
    tlv(&[0xFF, 0x30], &signed)
}

/// EF 0005: `FF 40 { DF 41 4 bytes, DF 42 key reference, DF 43 128 bytes }`, shaped as on a
/// test card; what DF 43 holds there is not known, so it is the first 128 bytes of the
/// application key's modulus.
pub(super) fn ef_0005(card: &Card) -> Vec<u8> {
    let Some(key) = card.app_private_key(AppKeyKind::CardInfo) else {
        return Vec::new();
    };
    use rsa::traits::PublicKeyParts;
    let mut body = tlv(&[0xDF, 0x41], &[0x01, 0x03, 0x0E, 0x01]);
    body.extend(tlv(&[0xDF, 0x42], &app_key::reference("6000034", "001")));
    body.extend(tlv(&[0xDF, 0x43], &key.n().to_bytes_be()[..128]));
    tlv(&[0xFF, 0x40], &body)
}

/// EF 0006: the application's public key, `A1 { 90, 91 }`. On a card it is a secure-messaging
/// key; the simulator has no secure messaging and shows its application key.
pub(super) fn public_key(card: &Card) -> Vec<u8> {
    let Some(key) = card.app_private_key(AppKeyKind::CardInfo) else {
        return Vec::new();
    };
    tlv(
        &[0xA1],
        &app_key::public_key_tlvs(&rsa::RsaPublicKey::from(&key)),
    )
}

/// EF 0007: `FF 50 { DF 51 public key, DF 52 signature }`.
pub(super) fn signed_key(card: &Card) -> Vec<u8> {
    let Some(key) = card.app_private_key(AppKeyKind::CardInfo) else {
        return Vec::new();
    };
    let public = app_key::public_key_tlvs(&rsa::RsaPublicKey::from(&key));
    let mut body = tlv(&[0xDF, 0x51], &public);
    body.extend(tlv(&[0xDF, 0x52], &app_key::sign_sha256(&key, &public)));
    tlv(&[0xFF, 0x50], &body)
}

/// Size of EF 0001 on a card: `FF 10 0C`, 12 digits, then two bytes of `FF` filler.
pub const MY_NUMBER_EF_SIZE: usize = 17;

/// Size of EF 0002 here: room for a long name and address. The object's own length on a test
/// card is 104 bytes; the EF's allocated size has not been observed, so this is a choice.
pub const BASIC_FACTS_EF_SIZE: usize = 512;

/// EF 0001: `FF 10 0C` and the 12 ASCII digits (filler follows, see [`MY_NUMBER_EF_SIZE`]).
pub(super) fn my_number(holder: &HolderProfile) -> Vec<u8> {
    tlv(&[0xFF, 0x10], holder.my_number.as_bytes())
}

/// EF 0002 as a card writes it: `FF 20 len`, then `DF 21 08` with four 2-byte offsets from the
/// start of the file to the next four fields, `DF 22` name (family and given name separated by
/// U+3000), `DF 23` address, `DF 24` birth date `YYYYMMDD`, `DF 25` sex code.
pub(super) fn basic_facts(holder: &HolderProfile) -> Vec<u8> {
    let name = holder
        .name
        .split_whitespace()
        .collect::<Vec<_>>()
        .join("\u{3000}");
    offset_record(&[
        &tlv(&[0xDF, 0x22], name.as_bytes()),
        &tlv(&[0xDF, 0x23], holder.address.as_bytes()),
        &tlv(&[0xDF, 0x24], holder.birth_date_yyyymmdd().as_bytes()),
        &tlv(&[0xDF, 0x25], holder.sex.to_string().as_bytes()),
    ])
}
