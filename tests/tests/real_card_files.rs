//! The simulator's card-info and card-surface files against the bytes of a real test card
//! (`core/tests/fixtures/real-card/`): same tags in the same order, same fixed sizes with `FF`
//! filler, offset tables that point at each field, certificates with the same reference layout.
//! What passes against the simulator must pass against a card.

#![allow(clippy::unwrap_used)] // test helpers: a panic is the failure report

use kazasu_core::apdu::{Command, StatusWord};
use kazasu_core::card::tlv::Tlv;
use kazasu_core::ids::mynumber::*;
use kazasu_core::ids::{Aid, FileId};
use kazasu_core::pin::PinKind;
use kazasu_core::transport::TransportExt;
use kazasu_tests::{CARD_INFO_PIN, TestCard};

macro_rules! real {
    ($name:literal) => {
        include_bytes!(concat!("../../core/tests/fixtures/real-card/", $name)).as_slice()
    };
}

/// The whole EF as the simulator stores it, after presenting `secret` to `key` if given.
fn read_ef(card: &TestCard, aid: Aid, file: FileId, secret: Option<(PinKind, String)>) -> Vec<u8> {
    let mut t = card.transport();
    let ok = |t: &mut kazasu_sim::SimTransport, c: Command| {
        let r = t.exchange(&c).unwrap();
        assert_eq!(r.status(), StatusWord::Success, "{c:?}");
        r.into_data()
    };
    ok(
        &mut t,
        Command::new(0x00, 0xA4, 0x04, 0x0C).with_data(aid.as_bytes()),
    );
    if let Some((kind, value)) = secret {
        let sfi = kind.file_id().0 as u8;
        ok(
            &mut t,
            Command::new(0x00, 0x20, 0x00, 0x80 | sfi).with_data(value.into_bytes()),
        );
    }
    let sfi = file.0 as u8;
    ok(
        &mut t,
        Command::new(0x00, 0xB0, 0x80 | sfi, 0x00).with_le(65536),
    )
}

/// The tags of the children of the first object, in order.
fn child_tags(ef: &[u8]) -> (u32, Vec<u32>) {
    let (outer, _) = Tlv::parse(ef).unwrap();
    let tags = outer.children().map(|c| c.unwrap().tag).collect();
    (outer.tag, tags)
}

/// Object then only `FF` filler.
fn assert_filler_after_object(ef: &[u8], what: &str) {
    let (_, rest) = Tlv::parse(ef).unwrap();
    assert!(
        rest.iter().all(|b| *b == 0xFF),
        "{what}: FF filler after the object"
    );
}

fn assert_same_shape(ours: &[u8], real: &[u8], what: &str, same_size: bool) {
    assert_eq!(child_tags(ours), child_tags(real), "{what}: tags");
    assert_filler_after_object(ours, what);
    if same_size {
        assert_eq!(ours.len(), real.len(), "{what}: EF size");
    }
}

/// An offset table `DF 21` whose entries point at each following field, in order.
fn assert_offset_table_points_at_fields(ef: &[u8], what: &str) {
    let (outer, _) = Tlv::parse(ef).unwrap();
    let children: Vec<_> = outer.children().map(Result::unwrap).collect();
    assert_eq!(children[0].tag, 0xDF21, "{what}: offset table first");
    let offsets = children[0].value;
    assert_eq!(
        offsets.len(),
        2 * (children.len() - 1),
        "{what}: one offset per field"
    );
    for (i, field) in children[1..].iter().enumerate() {
        let at = usize::from(u16::from_be_bytes([offsets[2 * i], offsets[2 * i + 1]]));
        assert_eq!(
            &ef[at..at + 2],
            &field.tag.to_be_bytes()[2..],
            "{what}: offset {i} points at {:X}",
            field.tag
        );
    }
}

/// `7F 21 { 5F 4E refs + key, 5F 37 signature }` with 16-byte references (`08 05` after 7
/// characters) and an RSA-2048 key.
fn assert_certificate_layout(ef: &[u8], what: &str) {
    let (outer, _) = Tlv::parse(ef).unwrap();
    assert_eq!(outer.tag, 0x7F21, "{what}");
    let body = outer.children().next().unwrap().unwrap();
    assert_eq!(body.tag, 0x5F4E);
    assert_eq!(body.value.len(), 297, "{what}: body size");
    for reference in [&body.value[..16], &body.value[16..32]] {
        assert!(reference[..7].iter().all(u8::is_ascii_digit), "{what}");
        assert_eq!(&reference[7..9], [0x08, 0x05], "{what}");
    }
    assert_eq!(
        &body.value[32..41],
        [0x90, 0x03, 0x01, 0x00, 0x01, 0x91, 0x82, 0x01, 0x00]
    );
}

#[test]
fn card_info_files_are_shaped_like_a_real_cards() {
    let card = TestCard::new();
    let pin = Some((PinKind::CardInfo, CARD_INFO_PIN.to_owned()));
    let ef = |file, secret: Option<(PinKind, String)>| read_ef(&card, CARD_INFO_AID, file, secret);

    let integrity = ef(EF_CARD_INFO_INTEGRITY, pin.clone());
    assert_same_shape(&integrity, real!("text-0003.bin"), "EF 0003", true);
    let certificate = ef(EF_CARD_INFO_CVC, None);
    assert_same_shape(&certificate, real!("text-0004.bin"), "EF 0004", true);
    assert_certificate_layout(&certificate, "EF 0004");
    assert_certificate_layout(real!("text-0004.bin"), "real EF 0004");
    assert_same_shape(
        &ef(EF_CARD_INFO_0005, None),
        real!("text-0005.bin"),
        "EF 0005",
        true,
    );
    assert_same_shape(
        &ef(EF_CARD_INFO_SM_KEY, pin.clone()),
        real!("text-0006.bin"),
        "EF 0006",
        true,
    );
    assert_same_shape(
        &ef(EF_CARD_INFO_SM_RECORD, pin.clone()),
        real!("text-0007.bin"),
        "EF 0007",
        true,
    );
    // Code A opens EF 0001 and the integrity record, as on a card; not EF 0002.
    let code_a = Some((PinKind::CardInfoCodeA, card.code(PinKind::CardInfoCodeA)));
    assert_eq!(
        ef(EF_MY_NUMBER, code_a.clone()).len(),
        real!("text-0001-physical.bin").len()
    );
    assert_eq!(ef(EF_CARD_INFO_INTEGRITY, code_a).len(), 336);
}

#[test]
fn card_surface_files_are_shaped_like_a_real_cards() {
    let card = TestCard::new();
    let ef = |file, secret: Option<(PinKind, String)>| read_ef(&card, SURFACE_AID, file, secret);
    let birth = Some((
        PinKind::SurfaceBirthDate,
        card.code(PinKind::SurfaceBirthDate),
    ));
    let code_a = Some((PinKind::SurfaceCodeA, card.code(PinKind::SurfaceCodeA)));

    assert_same_shape(
        &ef(EF_SURFACE_AGE, birth),
        real!("surface-0001.bin"),
        "EF 0001",
        true,
    );
    let face = ef(EF_SURFACE_FACE, code_a.clone());
    // The images differ in size from a real card's (greyscale, another font): tags and layout only.
    assert_same_shape(&face, real!("surface-0002.bin"), "EF 0002", false);
    assert_offset_table_points_at_fields(&face, "EF 0002");
    assert_offset_table_points_at_fields(real!("surface-0002.bin"), "real EF 0002");
    assert_same_shape(
        &ef(EF_SURFACE_BASIC, None),
        real!("surface-0003.bin"),
        "EF 0003",
        true,
    );
    let certificate = ef(EF_SURFACE_CVC, None);
    assert_same_shape(&certificate, real!("surface-0004.bin"), "EF 0004", true);
    assert_certificate_layout(&certificate, "EF 0004");
    assert_same_shape(
        &ef(EF_SURFACE_MY_NUMBER_IMAGE, code_a),
        real!("surface-0005.bin"),
        "EF 0005",
        false,
    );
}

#[test]
fn every_real_file_is_parsed_by_the_core() {
    use kazasu_core::card::authenticity::IntegrityRecord;
    use kazasu_core::card::cvc::CardVerifiableCertificate;
    use kazasu_core::card::surface::{AgeRecord, CardFace, parse_my_number_image};
    let info_cvc = CardVerifiableCertificate::parse(real!("text-0004.bin")).unwrap();
    assert!(
        IntegrityRecord::parse(real!("text-0003.bin"))
            .unwrap()
            .is_signed_by(&info_cvc)
    );
    let surface_cvc = CardVerifiableCertificate::parse(real!("surface-0004.bin")).unwrap();
    assert!(
        AgeRecord::parse(real!("surface-0001.bin"), &surface_cvc)
            .unwrap()
            .signed
    );
    assert!(
        CardFace::parse(real!("surface-0002.bin"), &surface_cvc)
            .unwrap()
            .signed
    );
    assert!(
        parse_my_number_image(real!("surface-0005.bin"), &surface_cvc)
            .unwrap()
            .1
    );
    // The chain objects GET DATA returns with no application selected: authority first, then holder.
    let mf_chain = CardVerifiableCertificate::parse(real!("mf-do-F8.bin")).unwrap();
    assert_eq!(mf_chain.authority_name(), "6000020");
    let mf_ca = CardVerifiableCertificate::parse(real!("mf-do-7F21.bin")).unwrap();
    assert_eq!(mf_ca.authority_name(), "1322130");
    assert_eq!(
        &mf_chain.holder[..7],
        b"1322130",
        "F8 holds the key that 7F21's authority names"
    );
    // The key files: raw RSA public keys.
    let (key, _) = Tlv::parse(real!("text-0006.bin")).unwrap();
    assert!(kazasu_core::card::cvc::parse_public_key(key.value).is_ok());
}
