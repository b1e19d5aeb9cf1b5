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
    let fields = [
        tlv(&[0xDF, 0x22], name.as_bytes()),
        tlv(&[0xDF, 0x23], holder.address.as_bytes()),
        tlv(&[0xDF, 0x24], holder.birth_date_yyyymmdd().as_bytes()),
        tlv(&[0xDF, 0x25], holder.sex.to_string().as_bytes()),
    ];
    const OFFSET_TABLE_LEN: usize = 3 + 8;
    let body_len = OFFSET_TABLE_LEN + fields.iter().map(Vec::len).sum::<usize>();
    // The outer header's size decides where the fields start: encode it once to measure it.
    let outer_header_len = tlv(&[0xFF, 0x20], &vec![0; body_len]).len() - body_len;
    let mut offsets = Vec::with_capacity(8);
    let mut at = outer_header_len + OFFSET_TABLE_LEN;
    for field in &fields {
        let offset = u16::try_from(at).expect("EF 0002 is far below 64 KiB");
        offsets.extend(offset.to_be_bytes());
        at += field.len();
    }
    let mut body = tlv(&[0xDF, 0x21], &offsets);
    for field in fields {
        body.extend(field);
    }
    tlv(&[0xFF, 0x20], &body)
}
