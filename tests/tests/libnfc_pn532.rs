//! The simulator behind libnfc's real `pn532_uart` driver, through the PN532 emulated on a
//! pseudo-terminal: `kazasu --reader nfc:pn532_uart:/dev/pts/N` must do what it does in-process.

use kazasu_core::pin::PinKind;
use kazasu_tests::bins::{bin, run_kazasu, text};
use kazasu_tests::served::Served;
use kazasu_tests::transcript::{assert_same, run_every_command};
use kazasu_tests::{AUTH_PIN, SIGN_PIN, TestCard};

fn card_on_pn532() -> (TestCard, Served, String) {
    let card = TestCard::new();
    let served = Served::start(card.path(), &["--pn532"]);
    let reader = format!("nfc:{}", served.pn532_connstring());
    (card, served, reader)
}

#[test]
fn every_kazasu_command_through_libnfc_matches_in_process() {
    let (card, _served, reader) = card_on_pn532();
    let twin = card.twin();
    let in_process = run_every_command(&format!("sim:{}", twin.path().display()), twin.dir());
    let through_libnfc = run_every_command(&reader, card.dir());
    assert_same(&in_process, &through_libnfc, "libnfc + PN532");
}

#[test]
fn pulling_the_card_away_during_a_signature_costs_no_try() {
    let (card, mut served, reader) = card_on_pn532();
    std::fs::write(card.dir().join("doc"), "contract").unwrap();
    // The PIN is accepted, then the card leaves as the signature command reaches it.
    served.control("tear sign");
    let out = run_kazasu(
        &bin("kazasu"),
        card.dir(),
        &[
            "--reader",
            &reader,
            "sign-raw",
            "--key",
            "sign",
            "--pin-stdin",
            "doc",
            "-o",
            "doc.sig",
        ],
        &format!("{SIGN_PIN}\n"),
    );
    assert_eq!(out.status.code(), Some(5), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("the card was removed"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(card.state().tries_left(PinKind::Sign), 5);
    assert!(
        !card.dir().join("doc.sig").exists(),
        "no signature file from a failed signing"
    );
}

#[test]
fn no_card_on_the_reader_is_a_clear_error() {
    let (card, mut served, reader) = card_on_pn532();
    served.control("remove");
    let out = run_kazasu(
        &bin("kazasu"),
        card.dir(),
        &["--reader", &reader, "status"],
        "",
    );
    assert_eq!(out.status.code(), Some(5));
    assert!(
        text(&out.stderr).contains("no card found"),
        "{}",
        text(&out.stderr)
    );
    served.control("insert");
    let out = run_kazasu(
        &bin("kazasu"),
        card.dir(),
        &[
            "--reader",
            &reader,
            "pin",
            "verify",
            "--auth",
            "--pin-stdin",
        ],
        &format!("{AUTH_PIN}\n"),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn a_missing_device_is_a_clear_error() {
    let card = TestCard::new();
    let out = run_kazasu(
        &bin("kazasu"),
        card.dir(),
        &[
            "--reader",
            "nfc:pn532_uart:/dev/kazasu-no-such-tty",
            "status",
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(5));
    let err = text(&out.stderr);
    assert!(err.contains("no such NFC device"), "{err}");
}
