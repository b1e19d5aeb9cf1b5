//! The 2-byte-length framing between a phone (or `kazasu --reader tcp:`) and `kazasu-sim serve
//! --tcp`: any byte stream, split anywhere, decodes to frames that re-encode to the same stream.
#![no_main]

use kazasu_core::transport::framing::{Control, FrameDecoder, encode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&cut, stream)) = data.split_first() else {
        return;
    };
    let mut decoder = FrameDecoder::new();
    let mut frames = Vec::new();
    for piece in stream.chunks(usize::from(cut).max(1)) {
        decoder.push(piece);
        while let Some(frame) = decoder.next_frame() {
            if frame.len() == 1 {
                let _ = Control::from_code(frame[0]);
            }
            frames.push(frame);
        }
    }
    let consumed: usize = frames.iter().map(|f| f.len() + 2).sum();
    let again: Vec<u8> = frames.iter().flat_map(|f| encode(f)).collect();
    assert_eq!(
        again,
        stream[..consumed],
        "frames re-encode to what was read"
    );
});
