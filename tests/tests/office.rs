//! The municipal office: revocation on a move or marriage, suspension, renewal from 3 months
//! before expiry, and CRLs that OpenSSL reads and enforces.

#![allow(clippy::unwrap_used)] // test helpers: a panic is the failure report

use std::path::Path;
use std::process::Command as Process;

use kazasu_core::pin::{Pin, PinKind};
use kazasu_core::{CardInfoApp, CertSlot, JpkiApp, KeyKind};
use kazasu_sim::{CaKind, CertStatus, Jlis, Office, SimError};
use kazasu_tests::{AUTH_PIN, CARD_INFO_PIN, SIGN_PIN, TestCard};
use time::macros::date;

fn openssl(args: &[&str], files: &[&Path]) -> (bool, String) {
    let out = Process::new("openssl")
        .args(args)
        .args(files)
        .output()
        .expect("run openssl");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn write_pem(path: &Path, label: &str, der: &[u8]) {
    std::fs::write(
        path,
        der::pem::encode_string(label, der::pem::LineEnding::LF, der).unwrap(),
    )
    .unwrap();
}

/// OpenSSL's verdict on `cert` with `ca`'s certificate and current CRL.
fn openssl_verify_with_crl(card: &TestCard, ca: CaKind, cert_der: &[u8]) -> (bool, String) {
    // Judge "as of" a fixed day inside the certificates' validity, with the CRL dated that day,
    // so the test means the same next year as today.
    Jlis::open_or_create(card.dir())
        .unwrap()
        .set_clock(Some(date!(2027 - 01 - 01)))
        .unwrap();
    let office = Office::open(card.path()).unwrap();
    let dir = card.dir();
    let bundle = dir.join("ca-and-crl.pem");
    let mut pem = der::pem::encode_string(
        "CERTIFICATE",
        der::pem::LineEnding::LF,
        office.jlis().ca_cert_der(ca),
    )
    .unwrap();
    pem += &der::pem::encode_string(
        "X509 CRL",
        der::pem::LineEnding::LF,
        &office.crl(ca).unwrap(),
    )
    .unwrap();
    std::fs::write(&bundle, pem).unwrap();
    let leaf = dir.join("leaf.pem");
    write_pem(&leaf, "CERTIFICATE", cert_der);
    let noon_2027_01_01_jst = "1798772400";
    openssl(
        &[
            "verify",
            "-crl_check",
            "-attime",
            noon_2027_01_01_jst,
            "-CAfile",
        ],
        &[&bundle, &leaf],
    )
}

fn crl_text(card: &TestCard, ca: CaKind) -> String {
    let crl = Office::open(card.path()).unwrap().crl(ca).unwrap();
    let path = card.dir().join("crl.der");
    std::fs::write(&path, crl).unwrap();
    let (ok, text) = openssl(
        &["crl", "-inform", "DER", "-noout", "-text", "-in"],
        &[&path],
    );
    assert!(ok, "OpenSSL reads the CRL: {text}");
    text
}

#[test]
fn a_fresh_card_verifies_against_its_cas_and_empty_crls() {
    let card = TestCard::new();
    let s = card.state();
    for (ca, kind) in [
        (CaKind::Auth, kazasu_sim::CertKind::Auth),
        (CaKind::Sign, kazasu_sim::CertKind::Sign),
    ] {
        let (ok, text) = openssl_verify_with_crl(&card, ca, s.certificate_der(kind));
        assert!(ok, "{ca:?}: {text}");
        assert!(crl_text(&card, ca).contains("No Revoked Certificates"));
    }
}

#[test]
fn moving_revokes_the_signing_certificate_only() {
    let card = TestCard::new();
    let before = card.state();
    Office::open(card.path())
        .unwrap()
        .move_address("東京都千代田区永田町一丁目7番1号", "Tokyo Chiyoda")
        .unwrap();
    let after = card.state();
    assert_eq!(after.cert_status(CaKind::Sign), CertStatus::Revoked);
    assert_eq!(after.cert_status(CaKind::Auth), CertStatus::Valid);

    let sign_crl = crl_text(&card, CaKind::Sign);
    assert!(sign_crl.contains(before.serial(CaKind::Sign)), "{sign_crl}");
    assert!(sign_crl.contains("Affiliation Changed"), "{sign_crl}");
    assert!(!crl_text(&card, CaKind::Auth).contains(before.serial(CaKind::Auth)));

    let (ok, text) = openssl_verify_with_crl(
        &card,
        CaKind::Sign,
        after.certificate_der(kazasu_sim::CertKind::Sign),
    );
    assert!(
        !ok && text.contains("revoked"),
        "OpenSSL rejects the revoked signing certificate: {text}"
    );
    let (ok, text) = openssl_verify_with_crl(
        &card,
        CaKind::Auth,
        after.certificate_der(kazasu_sim::CertKind::Auth),
    );
    assert!(ok, "the authentication certificate still verifies: {text}");

    // The authentication key still logs in; the card-info application shows the new address.
    let mut app = JpkiApp::select(card.transport()).unwrap();
    app.verify_pin(&Pin::parse(PinKind::Auth, AUTH_PIN).unwrap())
        .unwrap();
    app.sign_sha256(KeyKind::Auth, &[1; 32]).unwrap();
    let mut info = CardInfoApp::select(card.transport()).unwrap();
    info.verify_pin(&Pin::parse(PinKind::CardInfo, CARD_INFO_PIN).unwrap())
        .unwrap();
    assert_eq!(
        info.basic_facts().unwrap().address,
        "東京都千代田区永田町一丁目7番1号"
    );
}

#[test]
fn marriage_revokes_the_signing_certificate_and_reissue_names_the_new_name() {
    let card = TestCard::new();
    let mut office = Office::open(card.path()).unwrap();
    office.change_name("電子 花子", "デンシ ハナコ").unwrap();
    assert_eq!(office.card().cert_status(CaKind::Sign), CertStatus::Revoked);
    office.reissue_sign_cert().unwrap();
    let mut app = JpkiApp::select(card.transport()).unwrap();
    app.verify_pin(&Pin::parse(PinKind::Sign, SIGN_PIN).unwrap())
        .unwrap();
    let cert = app.certificate(CertSlot::Sign).unwrap();
    assert_eq!(cert.holder().unwrap().name.as_deref(), Some("電子 花子"));
    let (ok, text) = openssl_verify_with_crl(&card, CaKind::Sign, cert.der());
    assert!(ok, "the new signing certificate verifies: {text}");
    // And it signs with the new key, checked against the new certificate by the core.
    app.sign_sha256(KeyKind::Sign, &[2; 32]).unwrap();
}

#[test]
fn suspension_puts_both_on_hold_and_resumption_lifts_it() {
    let card = TestCard::new();
    let s = card.state();
    let mut office = Office::open(card.path()).unwrap();
    office.suspend().unwrap();
    for ca in [CaKind::Auth, CaKind::Sign] {
        let text = crl_text(&card, ca);
        assert!(
            text.contains(s.serial(ca)) && text.contains("Certificate Hold"),
            "{text}"
        );
    }
    office.resume().unwrap();
    for ca in [CaKind::Auth, CaKind::Sign] {
        assert!(!crl_text(&card, ca).contains(s.serial(ca)));
        assert_eq!(card.state().cert_status(ca), CertStatus::Valid);
    }
    assert!(
        Office::open(card.path()).unwrap().resume().is_err(),
        "nothing left to resume"
    );
}

#[test]
fn renewal_opens_exactly_3_months_before_expiry() {
    let card = TestCard::new();
    let old = card.state();
    assert_eq!(old.cert_expires_on(CaKind::Auth), date!(2031 - 03 - 15));
    Jlis::open_or_create(card.dir())
        .unwrap()
        .set_clock(Some(date!(2030 - 12 - 14)))
        .unwrap();
    let err = Office::open(card.path()).unwrap().renew().unwrap_err();
    assert!(
        matches!(err, SimError::RenewalTooEarly { opens_on } if opens_on == date!(2030 - 12 - 15)),
        "{err}"
    );
    assert_eq!(
        card.state().serial(CaKind::Auth),
        old.serial(CaKind::Auth),
        "nothing changed"
    );

    Jlis::open_or_create(card.dir())
        .unwrap()
        .set_clock(Some(date!(2030 - 12 - 15)))
        .unwrap();
    let renewed = Office::open(card.path()).unwrap().renew().unwrap();
    assert_eq!(renewed, vec![CaKind::Auth, CaKind::Sign]);
    let new = card.state();
    for ca in [CaKind::Auth, CaKind::Sign] {
        assert_ne!(new.serial(ca), old.serial(ca));
        // Five birthdays after 2030-12-15.
        assert_eq!(new.cert_expires_on(ca), date!(2035 - 03 - 15));
        let text = crl_text(&card, ca);
        assert!(
            text.contains(old.serial(ca)) && text.contains("Superseded"),
            "{text}"
        );
    }
    // The card reads and signs with the renewed key and certificate.
    let mut app = JpkiApp::select(card.transport()).unwrap();
    assert_eq!(
        app.certificate(CertSlot::Auth).unwrap().expires_on(),
        date!(2035 - 03 - 15)
    );
    app.verify_pin(&Pin::parse(PinKind::Auth, AUTH_PIN).unwrap())
        .unwrap();
    app.sign_sha256(KeyKind::Auth, &[3; 32]).unwrap();
}

#[test]
fn the_office_refuses_a_malformed_new_pin() {
    let card = TestCard::new();
    let err = Office::open(card.path())
        .unwrap()
        .unlock_pin(PinKind::Sign, "abc")
        .unwrap_err();
    assert!(
        matches!(
            err,
            SimError::PinFormat {
                kind: PinKind::Sign,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(card.state().pin(PinKind::Sign), SIGN_PIN);
}
