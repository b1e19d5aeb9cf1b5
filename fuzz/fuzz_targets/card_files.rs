//! The parsers of what the card's files hold (My Number, the four basic facts, the token label,
//! the card-info integrity record, card-verifiable certificates, the card face, age record and
//! My Number image), fed what a hostile or broken card could return.
#![no_main]

use kazasu_core::TokenKind;
use kazasu_core::card::BasicFacts;
use kazasu_core::card::authenticity::{IntegrityRecord, facts_digest_input};
use kazasu_core::card::cvc::{CardVerifiableCertificate, parse_public_key};
use kazasu_core::card::surface::{AgeRecord, CardFace, parse_my_number_image};
use kazasu_core::mynumber::MyNumber;
use libfuzzer_sys::fuzz_target;

/// A real card-surface certificate, to check the signatures of fuzzed records against.
const SURFACE_CVC: &[u8] = include_bytes!("../../core/tests/fixtures/real-card/surface-0004.bin");

fuzz_target!(|data: &[u8]| {
    let _ = BasicFacts::from_tlv(data);
    let _ = MyNumber::from_ascii(data);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = MyNumber::parse(text);
    }
    let _ = TokenKind::from_label(data);
    let _ = IntegrityRecord::parse(data);
    let _ = facts_digest_input(data);
    let _ = parse_public_key(data);
    if let Ok(cvc) = CardVerifiableCertificate::parse(data) {
        let _ = cvc.authority_name();
    }
    let cvc = CardVerifiableCertificate::parse(SURFACE_CVC).expect("a real certificate");
    let _ = CardFace::parse(data, &cvc);
    let _ = AgeRecord::parse(data, &cvc);
    let _ = parse_my_number_image(data, &cvc);
});
