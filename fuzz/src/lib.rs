//! What the fuzz targets share: the simulated card they start from.

use std::sync::OnceLock;

use kazasu_sim::{CardState, HolderProfile, IssueOptions, issue_card};

/// The card every input starts from: `KAZASU_FUZZ_CARD` (issued once by `scripts/fuzz-seeds`),
/// else one issued now (two RSA keys: seconds).
pub fn card() -> &'static CardState {
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
