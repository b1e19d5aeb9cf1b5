//! The simulator behind the real pcscd through vsmartcard's vpcd, used by unmodified OpenSC and by
//! `kazasu --reader pcsc`. Each test starts pcscd (unless one runs) and stops it after; they run
//! one at a time (`.config/nextest.toml`).

use std::path::Path;
use std::process::{Command, Output};

use kazasu_core::cert::CardCertificate;
use kazasu_core::pin::PinKind;
use kazasu_sim::CertKind;
use kazasu_tests::bins::{bin, run_kazasu, text};
use kazasu_tests::pcscd::Pcscd;
use kazasu_tests::served::Served;
use kazasu_tests::transcript::{assert_same, run_every_command};
use kazasu_tests::{AUTH_PIN, SIGN_PIN, TestCard};
use sha2::{Digest, Sha256};

const OPENSC_PKCS11: &str = "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so";

/// pcscd running, the card in its virtual reader, and pcscd seeing it.
fn card_in_pcscd() -> (Pcscd, TestCard, Served) {
    let pcscd = Pcscd::start();
    let card = TestCard::new();
    let served = Served::start(card.path(), &["--vpcd"]);
    pcscd.wait_for_card(true);
    (pcscd, card, served)
}

/// Runs an OpenSC tool in `dir`, with its configuration and caches kept out of the user's.
fn opensc(dir: &Path, tool: &str, args: &[&str]) -> Output {
    Command::new(tool)
        .args(args)
        .current_dir(dir)
        .env("HOME", dir)
        .output()
        .unwrap_or_else(|e| panic!("run {tool} (install opensc with scripts/install-deps): {e}"))
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

#[test]
fn opensc_names_the_card_jpki() {
    let (_pcscd, card, _served) = card_in_pcscd();
    let out = ok(&opensc(card.dir(), "opensc-tool", &["-n"]));
    assert_eq!(out.trim(), "jpki");
}

#[test]
fn pkcs15_tool_lists_both_pins_keys_and_certificates() {
    let (_pcscd, card, _served) = card_in_pcscd();
    let out = ok(&opensc(card.dir(), "pkcs15-tool", &["-D"]));
    for object in [
        "PIN [User Authentication PIN]",
        "PIN [Digital Signature PIN]",
        "Private RSA Key [User Authentication Key]",
        "Private RSA Key [Digital Signature Key]",
        "X.509 Certificate [User Authentication Certificate]",
        "X.509 Certificate [Digital Signature Certificate]",
        "X.509 Certificate [User Authentication Certificate CA]",
        "X.509 Certificate [Digital Signature Certificate CA]",
    ] {
        assert!(out.contains(object), "{object} missing from:\n{out}");
    }
    // The counters OpenSC reads are the simulator's: 3 for the auth PIN, 5 for the signing PIN.
    let tries: Vec<&str> = out.lines().filter(|l| l.contains("Tries left")).collect();
    assert_eq!(tries.len(), 2, "{out}");
    assert!(
        tries[0].trim().ends_with('3') && tries[1].trim().ends_with('5'),
        "{tries:?}"
    );
}

#[test]
fn pkcs15_tool_reads_the_four_certificates_byte_for_byte() {
    let (_pcscd, card, _served) = card_in_pcscd();
    let state = card.state();
    for (id, kind, pin) in [
        ("01", CertKind::Auth, None),
        ("02", CertKind::Sign, Some(SIGN_PIN)),
        ("03", CertKind::AuthCa, None),
        ("04", CertKind::SignCa, None),
    ] {
        let file = format!("cert{id}.pem");
        let mut args = vec!["--read-certificate", id, "-o", &file];
        if let Some(pin) = pin {
            args.extend(["--verify-pin", "--auth-id", "02", "--pin", pin]);
        }
        ok(&opensc(card.dir(), "pkcs15-tool", &args));
        let pem = std::fs::read_to_string(card.dir().join(&file)).unwrap();
        let (label, der) = der::pem::decode_vec(pem.as_bytes()).expect("OpenSC wrote PEM");
        assert_eq!(label, "CERTIFICATE");
        assert_eq!(der, state.certificate_der(kind), "certificate {id}");
    }
}

#[test]
fn pkcs11_tool_signs_with_the_authentication_key() {
    let (_pcscd, card, _served) = card_in_pcscd();
    let doc = "ログイン challenge 2026-11-26";
    std::fs::write(card.dir().join("doc"), doc).unwrap();
    ok(&opensc(
        card.dir(),
        "pkcs11-tool",
        &[
            "--module",
            OPENSC_PKCS11,
            "--login",
            "--pin",
            AUTH_PIN,
            "--sign",
            "--id",
            "01",
            "-m",
            "SHA256-RSA-PKCS",
            "-i",
            "doc",
            "-o",
            "doc.sig",
        ],
    ));
    let signature = std::fs::read(card.dir().join("doc.sig")).unwrap();
    let cert = CardCertificate::from_der(card.state().certificate_der(CertKind::Auth)).unwrap();
    let digest: [u8; 32] = Sha256::digest(doc).into();
    let digest_info = kazasu_core::card::jpki::sha256_digest_info(&digest);
    assert!(
        cert.verify_signature(&digest_info, &signature),
        "OpenSC's signature does not verify with the authentication certificate"
    );
    assert_eq!(
        card.state().tries_left(PinKind::Auth),
        3,
        "a right PIN costs nothing"
    );
}

#[test]
fn a_wrong_pin_sent_by_opensc_costs_exactly_one_try() {
    let (_pcscd, card, _served) = card_in_pcscd();
    let out = opensc(
        card.dir(),
        "pkcs15-tool",
        &["--verify-pin", "--auth-id", "01", "--pin", "0000"],
    );
    assert!(
        !out.status.success() || text(&out.stderr).contains("incorrect"),
        "{out:?}"
    );
    assert_eq!(card.state().tries_left(PinKind::Auth), 2);
    assert_eq!(
        card.state().tries_left(PinKind::Sign),
        5,
        "the other PIN is untouched"
    );
    // And OpenSC reports the counter the card now holds.
    let dump = ok(&opensc(card.dir(), "pkcs15-tool", &["-D"]));
    let auth_tries = dump.lines().find(|l| l.contains("Tries left")).unwrap();
    assert!(auth_tries.trim().ends_with('2'), "{auth_tries}");
}

#[test]
fn every_kazasu_command_through_pcscd_matches_in_process() {
    let (_pcscd, card, _served) = card_in_pcscd();
    let twin = card.twin();
    let in_process = run_every_command(&format!("sim:{}", twin.path().display()), twin.dir());
    let through_pcscd = run_every_command("pcsc:Virtual PCD 00 00", card.dir());
    assert_same(&in_process, &through_pcscd, "pcscd + vpcd");
    // With no --reader, kazasu finds the one reader holding a card.
    let out = run_kazasu(&bin("kazasu"), card.dir(), &["pin", "status"], "");
    assert!(ok(&out).contains("authentication PIN"), "{out:?}");
}

#[test]
fn pulling_the_card_away_during_verify_costs_no_try() {
    let (pcscd, card, mut served) = card_in_pcscd();
    served.control("tear verify");
    let out = run_kazasu(
        &bin("kazasu"),
        card.dir(),
        &["--reader", "pcsc", "pin", "verify", "--auth", "--pin-stdin"],
        &format!("{AUTH_PIN}\n"),
    );
    assert_eq!(out.status.code(), Some(5), "{out:?}");
    assert!(
        text(&out.stderr).contains("the card was removed"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(card.state().tries_left(PinKind::Auth), 3);
    // Put it back: the next command works, with every try still there.
    pcscd.wait_for_card(false);
    served.control("insert");
    let out = run_kazasu(
        &bin("kazasu"),
        card.dir(),
        &[
            "--reader",
            "pcsc",
            "--wait",
            "10",
            "pin",
            "verify",
            "--auth",
            "--pin-stdin",
        ],
        &format!("{AUTH_PIN}\n"),
    );
    assert!(ok(&out).contains("correct"));
}

#[test]
fn the_card_is_found_again_after_pcscd_restarts() {
    let (mut pcscd, card, _served) = card_in_pcscd();
    pcscd.restart();
    pcscd.wait_for_card(true);
    let out = run_kazasu(
        &bin("kazasu"),
        card.dir(),
        &["--reader", "pcsc:0", "pin", "status"],
        "",
    );
    assert!(ok(&out).contains("3 tries left of 3"));
}

#[test]
fn kazasu_readers_lists_the_virtual_readers_and_the_card() {
    let (_pcscd, card, mut served) = card_in_pcscd();
    let out = run_kazasu(&bin("kazasu"), card.dir(), &["--json", "readers"], "");
    let rows: serde_json::Value = serde_json::from_str(&ok(&out)).unwrap();
    assert_eq!(rows[0]["name"], "Virtual PCD 00 00");
    assert_eq!(rows[0]["card_present"], true);
    assert_eq!(rows[0]["atr"], "3BE000FF8131FE4514");
    assert_eq!(rows[1]["card_present"], false);
    served.control("remove");
    _pcscd.wait_for_card(false);
    let out = run_kazasu(
        &bin("kazasu"),
        card.dir(),
        &["--reader", "pcsc:0", "status"],
        "",
    );
    assert_eq!(out.status.code(), Some(5));
    assert!(
        text(&out.stderr).contains("no card found"),
        "{}",
        text(&out.stderr)
    );
}
