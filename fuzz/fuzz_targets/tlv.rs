//! BER-TLV as the card's EFs use it: parsing walks any input, nested, without panicking,
//! and every value lies inside the input.
#![no_main]

use kazasu_core::card::tlv::{Tlv, TlvIter};
use libfuzzer_sys::fuzz_target;

/// How deep the walk follows constructed-looking values (the card's EFs nest two levels).
const DEPTH: usize = 8;

fn walk(bytes: &[u8], depth: usize) {
    for item in TlvIter::new(bytes) {
        let Ok(tlv) = item else { break };
        assert!(tlv.value.len() <= bytes.len());
        if depth < DEPTH {
            walk(tlv.value, depth + 1);
            let _ = tlv.children().count();
        }
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok((tlv, rest)) = Tlv::parse(data) {
        assert!(tlv.value.len() + rest.len() < data.len() + 1);
    }
    walk(data, 0);
});
