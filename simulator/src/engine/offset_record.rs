//! The record shape of the card-info EF 0002 and the card face EF 0002: `FF 20 { DF 21
//! <2-byte offset from the start of the file to each field>, fields… }`, as on a test card.

use kazasu_core::card::tlv::encode as tlv;

/// `objects` (whole TLVs, in order) behind an offset table that points at each of them.
pub(super) fn offset_record(objects: &[&[u8]]) -> Vec<u8> {
    let table_len = 3 + 2 * objects.len();
    let body_len = table_len + objects.iter().map(|o| o.len()).sum::<usize>();
    // The outer header's size decides where the fields start: encode it once to measure it.
    let outer_header_len = tlv(&[0xFF, 0x20], &vec![0; body_len]).len() - body_len;
    let mut offsets = Vec::with_capacity(2 * objects.len());
    let mut at = outer_header_len + table_len;
    for object in objects {
        let offset = u16::try_from(at).expect("these records are far below 64 KiB");
        offsets.extend(offset.to_be_bytes());
        at += object.len();
    }
    let mut body = tlv(&[0xDF, 0x21], &offsets);
    for object in objects {
        body.extend_from_slice(object);
    }
    tlv(&[0xFF, 0x20], &body)
}
