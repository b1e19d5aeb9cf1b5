//! Both keys sign through the core client, the signatures verify against the card's certificates,
//! and they equal OpenSSL's `dgst -sha256 -sign` with the same private key, byte for byte.

#![allow(clippy::unwrap_used)] // test helpers: a panic is the failure report

use std::process::Command as Process;

use kazasu_core::cert::CardCertificate;
use kazasu_core::pin::{Pin, PinKind};
use kazasu_core::{CertSlot, JpkiApp, KeyKind};
use kazasu_tests::{AUTH_PIN, SIGN_PIN, TestCard};
use sha2::{Digest, Sha256};

const DOCUMENT: &[u8] =
    b"Kazasu known-answer test: the same key must give the same PKCS#1 v1.5 signature.\n";

fn card_signature(card: &TestCard, key: KeyKind) -> (Vec<u8>, CardCertificate) {
    let (pin_kind, pin, slot) = match key {
        KeyKind::Auth => (PinKind::Auth, AUTH_PIN, CertSlot::Auth),
        KeyKind::Sign => (PinKind::Sign, SIGN_PIN, CertSlot::Sign),
    };
    let mut app = JpkiApp::select(card.transport()).expect("select JPKI AP");
    app.verify_pin(&Pin::parse(pin_kind, pin).unwrap())
        .expect("verify PIN");
    let hash: [u8; 32] = Sha256::digest(DOCUMENT).into();
    let sig = app.sign_sha256(key, &hash).expect("sign");
    let cert = CardCertificate::from_der(&app.read_certificate(slot).expect("read cert"))
        .expect("parse cert");
    (sig, cert)
}

fn openssl_signature(card: &TestCard, key: KeyKind) -> Vec<u8> {
    let state = card.state();
    let pem = match key {
        KeyKind::Auth => state.auth_key_pkcs8_pem(),
        KeyKind::Sign => state.sign_key_pkcs8_pem(),
    };
    let key_path = card.dir().join("key.pem");
    let doc_path = card.dir().join("doc.txt");
    std::fs::write(&key_path, pem.as_bytes()).unwrap();
    std::fs::write(&doc_path, DOCUMENT).unwrap();
    let out = Process::new("openssl")
        .args(["dgst", "-sha256", "-sign"])
        .arg(&key_path)
        .arg(&doc_path)
        .output()
        .expect("run openssl (install it with scripts/install-deps)");
    assert!(
        out.status.success(),
        "openssl failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn check(key: KeyKind) {
    let card = TestCard::new();
    let (sig, cert) = card_signature(&card, key);
    assert_eq!(sig.len(), 256, "RSA-2048 signature");
    let hash: [u8; 32] = Sha256::digest(DOCUMENT).into();
    let mut digest_info = hex::decode("3031300d060960864801650304020105000420").unwrap();
    digest_info.extend_from_slice(&hash);
    assert!(
        cert.verify_signature(&digest_info, &sig),
        "signature verifies against the certificate"
    );
    assert_eq!(
        sig,
        openssl_signature(&card, key),
        "card and OpenSSL agree byte for byte"
    );
}

#[test]
fn auth_key_signature_verifies_and_equals_openssl() {
    check(KeyKind::Auth);
}

#[test]
fn sign_key_signature_verifies_and_equals_openssl() {
    check(KeyKind::Sign);
}

#[test]
fn openssl_verifies_card_signature_with_exported_certificate() {
    let card = TestCard::new();
    let (sig, cert) = card_signature(&card, KeyKind::Sign);
    let dir = card.dir();
    std::fs::write(dir.join("cert.pem"), cert.to_pem().unwrap()).unwrap();
    std::fs::write(dir.join("doc.txt"), DOCUMENT).unwrap();
    std::fs::write(dir.join("doc.sig"), &sig).unwrap();
    let pubkey = Process::new("openssl")
        .args(["x509", "-pubkey", "-noout", "-in"])
        .arg(dir.join("cert.pem"))
        .output()
        .unwrap();
    assert!(pubkey.status.success());
    std::fs::write(dir.join("pub.pem"), &pubkey.stdout).unwrap();
    let verify = Process::new("openssl")
        .args(["dgst", "-sha256", "-verify"])
        .arg(dir.join("pub.pem"))
        .arg("-signature")
        .arg(dir.join("doc.sig"))
        .arg(dir.join("doc.txt"))
        .output()
        .unwrap();
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
    assert_eq!(
        String::from_utf8_lossy(&verify.stdout).trim(),
        "Verified OK"
    );
}

#[test]
fn signing_without_pin_is_refused_and_nothing_is_returned() {
    let card = TestCard::new();
    let mut app = JpkiApp::select(card.transport()).unwrap();
    let err = app.sign_sha256(KeyKind::Sign, &[0u8; 32]).unwrap_err();
    assert!(
        matches!(
            err,
            kazasu_core::CardError::PinRequired {
                kind: PinKind::Sign
            }
        ),
        "got {err:?}"
    );
}
