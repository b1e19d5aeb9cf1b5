//! The simulator's state file: refused when unreadable (and left untouched), a failed write
//! changes nothing, and a removed card is reported as such.

#![allow(clippy::unwrap_used)] // test helpers: a panic is the failure report

use kazasu_core::apdu::{Command, Response, StatusWord};
use kazasu_core::ids::mynumber::{EF_AUTH_PIN, JPKI_AID};
use kazasu_core::pin::{Pin, PinKind};
use kazasu_core::transport::{Transport, TransportError};
use kazasu_core::{CardError, JpkiApp};
use kazasu_sim::{SimError, SimTransport};
use kazasu_tests::{AUTH_PIN, TestCard};

fn send(sim: &mut SimTransport, cmd: Command) -> Response {
    Response::parse(&sim.transmit(&cmd.to_bytes().unwrap()).unwrap()).unwrap()
}

#[test]
fn a_corrupt_or_unknown_version_file_is_refused_and_left_untouched() {
    let card = TestCard::new();
    let good = std::fs::read_to_string(card.path()).unwrap();
    for bad in [
        good[..good.len() / 2].to_owned(),
        good.replacen("\"version\": 1", "\"version\": 99", 1),
    ] {
        std::fs::write(card.path(), &bad).unwrap();
        let err = SimTransport::open(card.path()).err().expect("refused");
        assert!(matches!(err, SimError::BadStateFile { .. }), "{err}");
        assert!(
            err.to_string().contains(&card.path().display().to_string()),
            "names the file: {err}"
        );
        assert_eq!(
            std::fs::read_to_string(card.path()).unwrap(),
            bad,
            "left as it was"
        );
    }
}

#[test]
fn a_failed_write_answers_6581_and_changes_nothing() {
    let card = TestCard::new();
    let mut sim = card.transport();
    send(
        &mut sim,
        Command::new(0x00, 0xA4, 0x04, 0x0C).with_data(JPKI_AID.as_bytes().to_vec()),
    );
    send(
        &mut sim,
        Command::new(0x00, 0xA4, 0x02, 0x0C).with_data(EF_AUTH_PIN.to_bytes().to_vec()),
    );
    sim.fail_next_persist();
    let r = send(
        &mut sim,
        Command::new(0x00, 0x20, 0x00, 0x80).with_data(AUTH_PIN.as_bytes().to_vec()),
    );
    assert_eq!(r.status(), StatusWord::MemoryFailure);
    // Not verified, no try spent, in memory or on disk.
    let r = send(&mut sim, Command::new(0x00, 0x20, 0x00, 0x80));
    assert_eq!(r.status(), StatusWord::RemainingRetries(3));
    assert_eq!(card.state().tries_left(PinKind::Auth), 3);

    // The client reports it as card trouble, not as a wrong PIN.
    let mut sim = card.transport();
    sim.fail_next_persist();
    let mut app = JpkiApp::select(&mut sim).unwrap();
    app.pin_status(PinKind::Auth).unwrap();
    let err = app
        .verify_pin(&Pin::parse(PinKind::Auth, AUTH_PIN).unwrap())
        .unwrap_err();
    assert!(
        matches!(
            err,
            CardError::Card {
                status: StatusWord::MemoryFailure,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn a_removed_card_is_reported_as_removed() {
    let card = TestCard::new();
    let mut sim = card.transport();
    sim.remove();
    let err = JpkiApp::select(&mut sim).expect_err("no card");
    assert!(
        matches!(err, CardError::Transport(TransportError::CardRemoved)),
        "{err:?}"
    );
    sim.insert();
    JpkiApp::select(&mut sim).unwrap();
}
