//! The emulated PN532 on its serial line: whatever a host writes (frames, garbage, split
//! anywhere), the chip answers without panicking and its buffer stays bounded.
#![no_main]

use kazasu_fuzz::card;
use kazasu_sim::SimTransport;
use kazasu_sim::frontend::pn532::Pn532;
use kazasu_sim::frontend::slot::CardSlot;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let slot = CardSlot::with_card(
        SimTransport::in_memory(card().clone()),
        vec![0x3B, 0x80, 0x80, 0x01, 0x01],
    )
    .shared();
    let mut chip = Pn532::new(slot);
    // The first byte picks where the stream is cut, as a serial line delivers it in pieces.
    let Some((&cut, stream)) = data.split_first() else {
        return;
    };
    for piece in stream.chunks(usize::from(cut).max(1)) {
        let _ = chip.feed(piece);
    }
});
