//! The emulated PN532 on its serial line: whatever a host writes (frames, garbage, split
//! anywhere), the chip answers without panicking and its buffer stays bounded.
#![no_main]

use std::sync::OnceLock;

use kazasu_sim::frontend::pn532::Pn532;
use kazasu_sim::frontend::slot::CardSlot;
use kazasu_sim::{CardState, HolderProfile, IssueOptions, SimTransport, issue_card};
use libfuzzer_sys::fuzz_target;

/// The card every input starts from: `KAZASU_FUZZ_CARD` (issued once by `scripts/fuzz-seeds`),
/// else one issued now (two RSA keys: seconds).
fn card() -> &'static CardState {
    static CARD: OnceLock<CardState> = OnceLock::new();
    CARD.get_or_init(|| {
        if let Some(path) = std::env::var_os("KAZASU_FUZZ_CARD") {
            return CardState::load(std::path::Path::new(&path)).expect("KAZASU_FUZZ_CARD");
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("card.json");
        issue_card(&path, &HolderProfile::sample(), &IssueOptions::default()).expect("issue");
        CardState::load(&path).expect("load")
    })
}

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
