//! Certificate life cycle on chosen dates: valid to the holder's 5th birthday after issue,
//! renewal from 3 months before, and what the municipal office does to it.

#![allow(clippy::unwrap_used)] // test helpers: a panic is the failure report

use kazasu_core::cert::{CardCertificate, Lifecycle};
use kazasu_core::flows;
use kazasu_core::pin::{Pin, PinKind};
use kazasu_core::{CertSlot, JpkiApp};
use kazasu_tests::{SIGN_PIN, TestCard};
use time::macros::date;

fn auth_lifecycle(card: &TestCard, on: time::Date) -> Lifecycle {
    let status = flows::card_status(card.transport(), on).unwrap();
    status
        .certificate(CertSlot::Auth)
        .expect("auth certificate is free to read")
        .lifecycle
}

fn sign_cert(card: &TestCard) -> CardCertificate {
    let mut app = JpkiApp::select(card.transport()).unwrap();
    app.verify_pin(&Pin::parse(PinKind::Sign, SIGN_PIN).unwrap())
        .unwrap();
    app.certificate(CertSlot::Sign).unwrap()
}

#[test]
fn certificates_run_to_the_holders_5th_birthday_after_issue() {
    // Holder born 1990-03-15, card issued 2026-04-01: 5th birthday after issue is 2031-03-15.
    let card = TestCard::new();
    let status = flows::card_status(card.transport(), date!(2027 - 01 - 01)).unwrap();
    let auth = status.certificate(CertSlot::Auth).unwrap();
    assert_eq!(auth.expires_on, date!(2031 - 03 - 15));
    assert_eq!(sign_cert(&card).expires_on(), date!(2031 - 03 - 15));
}

#[test]
fn life_cycle_on_chosen_dates() {
    let card = TestCard::new();
    let opens = date!(2030 - 12 - 15);
    assert_eq!(
        auth_lifecycle(&card, date!(2026 - 03 - 31)),
        Lifecycle::NotYetValid
    );
    assert_eq!(
        auth_lifecycle(&card, date!(2026 - 04 - 01)),
        Lifecycle::Valid
    );
    assert_eq!(
        auth_lifecycle(&card, date!(2030 - 12 - 14)),
        Lifecycle::Valid
    );
    assert_eq!(
        auth_lifecycle(&card, opens),
        Lifecycle::RenewalWindow { opens_on: opens }
    );
    assert_eq!(
        auth_lifecycle(&card, date!(2031 - 03 - 15)),
        Lifecycle::RenewalWindow { opens_on: opens }
    );
    assert_eq!(
        auth_lifecycle(&card, date!(2031 - 03 - 16)),
        Lifecycle::Expired
    );
    let sign = sign_cert(&card);
    assert_eq!(
        sign.lifecycle_on(date!(2031 - 01 - 01)),
        Lifecycle::RenewalWindow { opens_on: opens }
    );
    assert_eq!(sign.lifecycle_on(date!(2031 - 03 - 16)), Lifecycle::Expired);
}

#[test]
fn status_reads_the_free_certificates_and_every_pin_without_using_a_try() {
    let card = TestCard::new();
    let status = flows::card_status(card.transport(), date!(2027 - 01 - 01)).unwrap();
    assert_eq!(status.token, kazasu_core::TokenKind::MyNumberCard);
    for slot in [CertSlot::Auth, CertSlot::AuthCa, CertSlot::SignCa] {
        assert!(status.certificate(slot).is_some(), "{slot} read");
    }
    assert!(
        status.certificate(CertSlot::Sign).is_none(),
        "the signing certificate needs the PIN"
    );
    assert_eq!(
        status.pin(PinKind::Auth),
        Some(kazasu_core::PinStatus::Remaining(3))
    );
    assert_eq!(
        status.pin(PinKind::Sign),
        Some(kazasu_core::PinStatus::Remaining(5))
    );
    assert_eq!(
        status.pin(PinKind::CardInfo),
        Some(kazasu_core::PinStatus::Remaining(3))
    );
    let s = card.state();
    assert_eq!(
        [
            s.tries_left(PinKind::Auth),
            s.tries_left(PinKind::Sign),
            s.tries_left(PinKind::CardInfo)
        ],
        [3, 5, 3]
    );
}

#[test]
fn the_auth_certificate_has_no_personal_data_and_the_sign_certificate_names_the_holder() {
    let card = TestCard::new();
    let holder = card.state().holder().clone();
    let mut app = JpkiApp::select(card.transport()).unwrap();
    let auth = app.certificate(CertSlot::Auth).unwrap();
    assert!(
        auth.holder()
            .is_none_or(|h| h.name.is_none() && h.address.is_none())
    );
    assert!(!auth.subject().contains(&holder.name));
    assert_eq!(auth.key_usage(), vec!["digitalSignature"]);
    let sign = sign_cert(&card);
    let attrs = sign.holder().expect("holder attributes");
    assert_eq!(attrs.name.as_deref(), Some(holder.name.as_str()));
    assert_eq!(attrs.address.as_deref(), Some(holder.address.as_str()));
    assert_eq!(attrs.birth_date, Some(holder.birth_date));
    assert!(sign.key_usage().contains(&"nonRepudiation"));
    // Both chain to their own test CA.
    let auth_ca = app.certificate(CertSlot::AuthCa).unwrap();
    let sign_ca = app.certificate(CertSlot::SignCa).unwrap();
    assert!(auth.is_signed_by(&auth_ca) && !auth.is_signed_by(&sign_ca));
    assert!(sign.is_signed_by(&sign_ca));
}
