//! The card-info and token EF parsers (My Number, the four basic facts, the token label),
//! fed what a hostile or broken card could return.
#![no_main]

use kazasu_core::TokenKind;
use kazasu_core::card::BasicFacts;
use kazasu_core::mynumber::MyNumber;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = BasicFacts::from_tlv(data);
    let _ = MyNumber::from_ascii(data);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = MyNumber::parse(text);
    }
    let _ = TokenKind::from_label(data);
});
