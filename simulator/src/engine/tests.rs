//! The simulator's files against the bytes of a real test card (`core/tests/fixtures/real-card/`).

use kazasu_core::card::tlv::{Tlv, TlvHeader};
use time::macros::date;

use super::{CERT_EF_SIZE, Content, card_info, jpki, stored};
use crate::card_state::CertKind;
use crate::holder::HolderProfile;

const REAL_MY_NUMBER_EF: &[u8] =
    include_bytes!("../../../core/tests/fixtures/real-card/text-0001-physical.bin");
const REAL_BASIC_FACTS_EF: &[u8] =
    include_bytes!("../../../core/tests/fixtures/real-card/text-0002.bin");

/// The holder of the real test card, as its files spell them (family and given name apart).
fn real_card_holder() -> HolderProfile {
    HolderProfile {
        name: "黒桐 幹也".to_owned(),
        name_alt: "コクトウ ミキヤ".to_owned(),
        sex: '1',
        birth_date: date!(1980 - 02 - 17),
        address: "東京都清瀬市観布子南１２－７－２０２".to_owned(),
        address_alt: "Tokyo".to_owned(),
        my_number: "537686677188".to_owned(),
        municipality: Default::default(),
    }
}

#[test]
fn my_number_ef_is_byte_for_byte_the_real_cards() {
    let ef = stored(Content::MyNumber, card_info::my_number(&real_card_holder()));
    assert_eq!(ef, REAL_MY_NUMBER_EF);
    assert_eq!(ef.len(), 17);
    assert_eq!(&ef[15..], [0xFF, 0xFF]);
}

#[test]
fn basic_facts_object_is_byte_for_byte_the_real_cards() {
    let object = card_info::basic_facts(&real_card_holder());
    assert_eq!(
        object, REAL_BASIC_FACTS_EF,
        "same tags, offset table, U+3000 and lengths as the real file"
    );
}

/// Tags in order, offsets that point at each field, U+3000 in the name, filler after the object.
fn assert_shaped_like_the_real_file(ef: &[u8]) {
    let header = TlvHeader::parse(ef).unwrap();
    assert_eq!(header.tag, 0xFF20);
    let (outer, rest) = Tlv::parse(ef).unwrap();
    assert!(
        !rest.is_empty() && rest.iter().all(|b| *b == 0xFF),
        "FF filler after the object"
    );
    let tags: Vec<u32> = outer.children().map(|c| c.unwrap().tag).collect();
    let real_tags: Vec<u32> = Tlv::parse(REAL_BASIC_FACTS_EF)
        .unwrap()
        .0
        .children()
        .map(|c| c.unwrap().tag)
        .collect();
    assert_eq!(tags, real_tags);
    assert_eq!(
        &ef[header.header_len..header.header_len + 3],
        [0xDF, 0x21, 0x08]
    );
    let table = header.header_len + 3;
    for (i, tag) in [0xDF22u16, 0xDF23, 0xDF24, 0xDF25].into_iter().enumerate() {
        let at = usize::from(u16::from_be_bytes([
            ef[table + 2 * i],
            ef[table + 2 * i + 1],
        ]));
        assert_eq!(
            &ef[at..at + 2],
            tag.to_be_bytes(),
            "offset {i} points at {tag:X}"
        );
    }
    let name = outer
        .children()
        .map(Result::unwrap)
        .find(|c| c.tag == 0xDF22)
        .unwrap();
    assert!(
        std::str::from_utf8(name.value)
            .unwrap()
            .contains('\u{3000}'),
        "family and given name separated by U+3000"
    );
}

#[test]
fn basic_facts_ef_is_shaped_like_the_real_file() {
    let sample = HolderProfile::sample();
    let object = card_info::basic_facts(&sample);
    // The sample holder's name and address are a few characters off the real card's.
    let diff = object.len().abs_diff(REAL_BASIC_FACTS_EF.len());
    assert!(
        diff < 32,
        "object of {} bytes vs the real {}",
        object.len(),
        REAL_BASIC_FACTS_EF.len()
    );
    assert_shaped_like_the_real_file(&stored(Content::BasicFacts, object));

    // A long address moves past 127 bytes (81 xx length): the offsets follow.
    let mut long = sample;
    long.address = "神奈川県川崎市中原区小杉町一丁目".repeat(4);
    let object = card_info::basic_facts(&long);
    assert_eq!(&object[2..3], [0x81]);
    assert_shaped_like_the_real_file(&stored(Content::BasicFacts, object));
}

#[test]
fn token_info_is_160_bytes_with_the_label_first() {
    let ef = stored(Content::TokenInfo, jpki::token_info("JPKIAPICCTOKEN2"));
    assert_eq!(ef.len(), 160);
    assert_eq!(&ef[..32], b"JPKIAPICCTOKEN2                 ");
    assert_eq!(
        kazasu_core::TokenKind::from_label(&ef[..32]),
        kazasu_core::TokenKind::MyNumberCard
    );
}

#[test]
fn certificate_efs_have_filler_whatever_the_certificate_size() {
    for len in [822usize, 1590, 1758, 2047, 2048, 2500] {
        let size = Content::Cert(CertKind::Auth).ef_size(len);
        assert!(size >= CERT_EF_SIZE && size >= len, "{len} → {size}");
        if len < 2048 {
            assert_eq!(size, CERT_EF_SIZE);
        }
    }
    assert!(Content::Cert(CertKind::Sign).ef_size(2500) > 2500);
    assert_eq!(Content::CertPresence.ef_size(3), 3);
}
