//! APDU budgets, counted through `Traced`: what a real NFC tap costs in round trips.

#![allow(clippy::unwrap_used)] // test helpers: a panic is the failure report

use kazasu_core::pin::{Pin, PinKind};
use kazasu_core::transport::{Traced, Transport, TransportError};
use kazasu_core::{CertSlot, JpkiApp, KeyKind, PinStatus, flows};
use kazasu_tests::{AUTH_PIN, SIGN_PIN, TestCard};

fn chunks(n: usize) -> u64 {
    n.div_ceil(256) as u64
}

/// A link that cannot carry extended APDUs, like a PN532's frames.
struct ShortOnly<T>(T);

impl<T: Transport> Transport for ShortOnly<T> {
    fn transmit(&mut self, apdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.0.transmit(apdu)
    }
}

/// The cold login of a card: read the auth certificate, tries left, verify, sign.
fn cold_login<T: Transport>(link: T) -> (T, usize) {
    let mut app = JpkiApp::select(link).unwrap();
    let der = app.read_certificate(CertSlot::Auth).unwrap();
    assert_eq!(
        app.pin_status(PinKind::Auth).unwrap(),
        PinStatus::Remaining(3)
    );
    app.verify_pin(&Pin::parse(PinKind::Auth, AUTH_PIN).unwrap())
        .unwrap();
    // Checked against the certificate before it is returned.
    let sig = app.sign_sha256(KeyKind::Auth, &[7u8; 32]).unwrap();
    assert_eq!(sig.len(), 256);
    (app.into_transport(), der.len())
}

#[test]
fn a_cold_login_costs_5_apdus_where_extended_length_works() {
    let card = TestCard::new();
    let (link, _) = cold_login(Traced::new(card.transport()));
    assert_eq!(
        link.stats().apdus,
        5,
        "select, read the certificate, tries left, verify, sign"
    );
}

#[test]
fn status_costs_at_most_10_apdus_where_extended_length_works() {
    let card = TestCard::new();
    let mut link = Traced::new(card.transport());
    let status = flows::card_status(&mut link, kazasu_tests::issue_date()).unwrap();
    assert_eq!(status.pins.len(), 3);
    assert!(status.certificate(CertSlot::Auth).is_some());
    assert!(status.certificate(CertSlot::AuthCa).is_some());
    assert!(status.certificate(CertSlot::SignCa).is_some());
    assert!(
        link.stats().apdus <= 10,
        "kazasu status took {} APDUs",
        link.stats().apdus
    );
}

#[test]
fn a_card_refusing_short_ids_or_extended_length_still_works() {
    let no_short_ids = |c: &mut kazasu_sim::CardConfig| c.short_ef_ids = false;
    let no_extended = |c: &mut kazasu_sim::CardConfig| c.extended_length = false;
    for (key, budget, change) in [
        (
            "short_ef_ids",
            0u64,
            &no_short_ids as &dyn Fn(&mut kazasu_sim::CardConfig),
        ),
        ("extended_length", 0, &no_extended),
    ] {
        let card = TestCard::new().configure(change);
        let (link, n) = cold_login(Traced::new(card.transport()));
        let apdus = link.stats().apdus;
        // One refused fast-path command, then the classic budget.
        assert!(
            apdus <= chunks(n) + 7 + 2 + budget,
            "{key} off: {apdus} APDUs"
        );
        let status =
            flows::card_status(Traced::new(card.transport()), kazasu_tests::issue_date()).unwrap();
        assert!(status.certificate(CertSlot::Auth).is_some(), "{key} off");
    }
}

#[test]
fn reading_each_certificate_costs_one_select_plus_one_read_per_256_bytes() {
    // Over a link that cannot carry extended APDUs (a PN532, say).
    let card = TestCard::new();
    let mut app = JpkiApp::select(Traced::new(ShortOnly(card.transport()))).unwrap();
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
    let mut link = Traced::new(ShortOnly(card.transport()));
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

#[test]
fn each_certificate_is_one_read_binary_where_extended_length_works() {
    let card = TestCard::new();
    let mut app = JpkiApp::select(Traced::new(card.transport())).unwrap();
    app.verify_pin(&Pin::parse(PinKind::Sign, SIGN_PIN).unwrap())
        .unwrap();
    for slot in CertSlot::ALL {
        app.transport_mut().take_stats();
        let der = app.read_certificate(slot).unwrap();
        assert!(der.len() > 256, "{slot:?}");
        assert_eq!(app.transport_mut().take_stats().apdus, 1, "{slot:?}");
    }
}
