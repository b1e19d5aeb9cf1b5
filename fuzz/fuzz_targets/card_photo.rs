//! The card face's photo: JPEG 2000 from the card, decoded and re-encoded as PNG. A hostile card
//! must get an error, never a crash, a hang or gigabytes allocated.
#![no_main]

use kazasu_core::card::photo::jpeg2000_to_png;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = jpeg2000_to_png(data);
});
