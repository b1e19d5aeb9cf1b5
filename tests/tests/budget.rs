//! APDU budgets, counted through `Traced`: what a real NFC tap costs in round trips.

use kazasu_core::pin::{Pin, PinKind};
use kazasu_core::transport::Traced;
use kazasu_core::{CertSlot, JpkiApp, KeyKind, PinStatus};
use kazasu_tests::{AUTH_PIN, SIGN_PIN, TestCard};

fn chunks(n: usize) -> u64 {
    n.div_ceil(256) as u64
}

#[test]
fn reading_each_certificate_costs_one_select_plus_one_read_per_256_bytes() {
    let card = TestCard::new();
    let mut app = JpkiApp::select(Traced::new(card.transport())).unwrap();
    app.verify_pin(&Pin::parse(PinKind::Sign, SIGN_PIN).unwrap())
        .unwrap();
    for slot in [
        CertSlot::Auth,
        CertSlot::AuthCa,
        CertSlot::Sign,
        CertSlot::SignCa,
    ] {
        app.transport_mut().take_stats();
        let der = app.read_certificate(slot).unwrap();
        let stats = app.transport_mut().take_stats();
        assert_eq!(
            stats.apdus,
            1 + chunks(der.len()),
            "{slot:?}: {} bytes read in {} APDUs",
            der.len(),
            stats.apdus
        );
    }
}

#[test]
fn certificate_lengths_cover_chunk_boundaries() {
    // The sign certificate carries personal data and is larger than the auth certificate:
    // together they exercise a final chunk shorter than 256 bytes.
    let card = TestCard::new();
    let state = card.state();
    let auth = state.certificate_der(kazasu_sim::CertKind::Auth).len();
    assert!(
        auth > 256,
        "an auth certificate spans more than one chunk ({auth} bytes)"
    );
}

#[test]
fn login_flow_from_a_fresh_card_fits_the_budget() {
    let card = TestCard::new();
    let mut link = Traced::new(card.transport());
    let n = {
        let mut app = JpkiApp::select(&mut link).unwrap();
        let der = app.read_certificate(CertSlot::Auth).unwrap();
        assert_eq!(
            app.pin_status(PinKind::Auth).unwrap(),
            PinStatus::Remaining(3)
        );
        app.verify_pin(&Pin::parse(PinKind::Auth, AUTH_PIN).unwrap())
            .unwrap();
        let sig = app.sign_sha256(KeyKind::Auth, &[7u8; 32]).unwrap();
        assert_eq!(sig.len(), 256);
        der.len()
    };
    let stats = link.stats();
    assert!(
        stats.apdus <= chunks(n) + 7,
        "login flow used {} APDUs for a {n}-byte certificate (budget {})",
        stats.apdus,
        chunks(n) + 7
    );
}
