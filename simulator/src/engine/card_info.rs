//! The card-info input support application (券面事項入力補助AP): My Number and the four basic facts.

use kazasu_core::card::tlv::encode as tlv;
use kazasu_core::ids::FileId;
use kazasu_core::ids::mynumber::{EF_BASIC_FACTS, EF_CARD_INFO_PIN, EF_MY_NUMBER};
use kazasu_core::pin::PinKind;

use super::{Content, Ef};
use crate::holder::HolderProfile;

/// The file `fid` in the card-info application, if there is one.
pub(super) fn file(fid: FileId) -> Option<Ef> {
    let guarded = |content| {
        Some(Ef::Binary {
            content,
            needs: Some(PinKind::CardInfo),
        })
    };
    match fid {
        EF_CARD_INFO_PIN => Some(Ef::Pin(PinKind::CardInfo)),
        EF_MY_NUMBER => guarded(Content::MyNumber),
        EF_BASIC_FACTS => guarded(Content::BasicFacts),
        _ => None,
    }
}

/// EF 0001: `FF 10 0C` and the 12 ASCII digits.
pub(super) fn my_number(holder: &HolderProfile) -> Vec<u8> {
    tlv(&[0xFF, 0x10], holder.my_number.as_bytes())
}

/// EF 0002: `FF 20` holding header, name, address, birth date (YYYYMMDD) and sex code.
pub(super) fn basic_facts(holder: &HolderProfile) -> Vec<u8> {
    let mut body = tlv(&[0xDF, 0x21], &[0x01, 0x00, 0x00]);
    body.extend(tlv(&[0xDF, 0x22], holder.name.as_bytes()));
    body.extend(tlv(&[0xDF, 0x23], holder.address.as_bytes()));
    body.extend(tlv(&[0xDF, 0x24], holder.birth_date_yyyymmdd().as_bytes()));
    body.extend(tlv(&[0xDF, 0x25], holder.sex.to_string().as_bytes()));
    tlv(&[0xFF, 0x20], &body)
}
