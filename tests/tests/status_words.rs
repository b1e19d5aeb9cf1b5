//! Every status word the card answers, seen raw on the wire and as the error the core turns it into.

use kazasu_core::apdu::{Command, Response, StatusWord};
use kazasu_core::ids::mynumber::*;
use kazasu_core::pin::{Pin, PinKind};
use kazasu_core::transport::Transport;
use kazasu_core::{CardError, CertSlot, JpkiApp, KeyKind, PinStatus};
use kazasu_sim::{BlockedStatus, SimTransport};
use kazasu_tests::{SIGN_PIN, TestCard};

fn send(sim: &mut SimTransport, cmd: Command) -> Response {
    Response::parse(&sim.transmit(&cmd.to_bytes().unwrap()).unwrap()).unwrap()
}

fn select_aid(aid: &[u8]) -> Command {
    Command::new(0x00, 0xA4, 0x04, 0x0C).with_data(aid.to_vec())
}

fn select_ef(fid: kazasu_core::ids::FileId) -> Command {
    Command::new(0x00, 0xA4, 0x02, 0x0C).with_data(fid.to_bytes().to_vec())
}

fn read(offset: u16, le: u32) -> Command {
    Command::new(0x00, 0xB0, (offset >> 8) as u8, offset as u8).with_le(le)
}

fn sw(r: &Response) -> StatusWord {
    r.status()
}

#[test]
fn unknown_application_is_6a82_and_the_client_says_it_is_not_this_card() {
    let card = TestCard::new();
    let mut sim = card.transport();
    let r = send(
        &mut sim,
        select_aid(&[0xA0, 0x00, 0x00, 0x00, 0x03, 0x10, 0x10]),
    );
    assert_eq!(sw(&r), StatusWord::FileNotFound);
    for aid in [JPKI_AID, CARD_INFO_AID, SURFACE_AID] {
        assert!(
            send(&mut sim, select_aid(aid.as_bytes())).is_success(),
            "{aid:?} is on the card"
        );
    }
}

#[test]
fn unknown_file_is_6a82() {
    let card = TestCard::new();
    let mut sim = card.transport();
    send(&mut sim, select_aid(JPKI_AID.as_bytes()));
    assert_eq!(
        sw(&send(&mut sim, select_ef(kazasu_core::ids::FileId(0x1234)))),
        StatusWord::FileNotFound
    );
}

#[test]
fn reading_without_a_current_file_is_6986() {
    let card = TestCard::new();
    let mut sim = card.transport();
    send(&mut sim, select_aid(JPKI_AID.as_bytes()));
    assert_eq!(sw(&send(&mut sim, read(0, 256))), StatusWord::NoCurrentEf);
}

#[test]
fn reading_past_the_end_is_an_error_never_empty_data() {
    let card = TestCard::new();
    let n = card
        .state()
        .certificate_der(kazasu_sim::CertKind::Auth)
        .len();
    let mut sim = card.transport();
    send(&mut sim, select_aid(JPKI_AID.as_bytes()));
    send(&mut sim, select_ef(EF_AUTH_CERT));
    // Offset at the end: wrong parameters.
    let r = send(&mut sim, read(n as u16, 256));
    assert_eq!(sw(&r), StatusWord::WrongParameters);
    assert!(r.data().is_empty());
    // An explicit Le beyond the end: 6C xx with the exact length left.
    let last = (n - 10) as u16;
    let r = send(&mut sim, read(last, 200));
    assert_eq!(sw(&r), StatusWord::WrongLe(10));
    // Le = 00 (256) returns what is left, no more.
    let r = send(&mut sim, read(last, 256));
    assert!(r.is_success());
    assert_eq!(r.data().len(), 10);
}

#[test]
fn signing_certificate_and_signing_key_need_the_pin_69_82() {
    let card = TestCard::new();
    let mut sim = card.transport();
    send(&mut sim, select_aid(JPKI_AID.as_bytes()));
    send(&mut sim, select_ef(EF_SIGN_CERT));
    assert_eq!(
        sw(&send(&mut sim, read(0, 256))),
        StatusWord::SecurityStatusNotSatisfied
    );
    send(&mut sim, select_ef(EF_SIGN_KEY));
    let sign = Command::new(0x80, 0x2A, 0x00, 0x80)
        .with_data(vec![0u8; 51])
        .with_le(256);
    assert_eq!(
        sw(&send(&mut sim, sign)),
        StatusWord::SecurityStatusNotSatisfied
    );

    let mut app = JpkiApp::select(card.transport()).unwrap();
    let err = app.read_certificate(CertSlot::Sign).unwrap_err();
    assert!(
        matches!(
            err,
            CardError::PinRequired {
                kind: PinKind::Sign
            }
        ),
        "{err:?}"
    );
    let err = app.sign_sha256(KeyKind::Auth, &[0; 32]).unwrap_err();
    assert!(
        matches!(
            err,
            CardError::PinRequired {
                kind: PinKind::Auth
            }
        ),
        "{err:?}"
    );
}

#[test]
fn empty_verify_reports_tries_without_using_one_63cx() {
    let card = TestCard::new();
    let mut sim = card.transport();
    send(&mut sim, select_aid(JPKI_AID.as_bytes()));
    send(&mut sim, select_ef(EF_SIGN_PIN));
    let empty = || Command::new(0x00, 0x20, 0x00, 0x80);
    for _ in 0..10 {
        assert_eq!(
            sw(&send(&mut sim, empty())),
            StatusWord::RemainingRetries(5)
        );
    }
    assert_eq!(card.state().tries_left(PinKind::Sign), 5);
    // After a right PIN, the empty VERIFY says "verified"; re-selecting the AP forgets it.
    assert!(
        send(
            &mut sim,
            Command::new(0x00, 0x20, 0x00, 0x80).with_data(SIGN_PIN.as_bytes().to_vec())
        )
        .is_success()
    );
    assert_eq!(sw(&send(&mut sim, empty())), StatusWord::Success);
    send(&mut sim, select_aid(JPKI_AID.as_bytes()));
    send(&mut sim, select_ef(EF_SIGN_PIN));
    assert_eq!(
        sw(&send(&mut sim, empty())),
        StatusWord::RemainingRetries(5)
    );
}

#[test]
fn power_off_clears_the_verified_state() {
    let card = TestCard::new();
    let mut sim = card.transport();
    let mut app = JpkiApp::select(&mut sim).unwrap();
    app.verify_pin(&Pin::parse(PinKind::Sign, SIGN_PIN).unwrap())
        .unwrap();
    assert_eq!(app.pin_status(PinKind::Sign).unwrap(), PinStatus::Verified);
    drop(app);
    sim.power_cycle();
    let mut app = JpkiApp::select(&mut sim).unwrap();
    assert_eq!(
        app.pin_status(PinKind::Sign).unwrap(),
        PinStatus::Remaining(5)
    );
}

fn block_and_check(status: BlockedStatus, expected: StatusWord) {
    let card = TestCard::with_blocked_status(status);
    let mut sim = card.transport();
    send(&mut sim, select_aid(JPKI_AID.as_bytes()));
    send(&mut sim, select_ef(EF_AUTH_PIN));
    let wrong = || Command::new(0x00, 0x20, 0x00, 0x80).with_data(b"0000".to_vec());
    assert_eq!(
        sw(&send(&mut sim, wrong())),
        StatusWord::RemainingRetries(2)
    );
    assert_eq!(
        sw(&send(&mut sim, wrong())),
        StatusWord::RemainingRetries(1)
    );
    assert_eq!(
        sw(&send(&mut sim, wrong())),
        StatusWord::RemainingRetries(0)
    );
    assert_eq!(sw(&send(&mut sim, wrong())), expected);
    assert_eq!(
        sw(&send(&mut sim, Command::new(0x00, 0x20, 0x00, 0x80))),
        expected
    );

    // Whatever the card's dialect, the client says "locked" and never sends the PIN.
    let mut app = JpkiApp::select(card.transport()).unwrap();
    assert_eq!(app.pin_status(PinKind::Auth).unwrap(), PinStatus::Locked);
    let err = app
        .verify_pin(&Pin::parse(PinKind::Auth, "0000").unwrap())
        .unwrap_err();
    assert!(
        matches!(
            err,
            CardError::PinLocked {
                kind: PinKind::Auth
            }
        ),
        "{err:?}"
    );
}

#[test]
fn blocked_pin_answers_6983_by_default() {
    block_and_check(
        BlockedStatus::Sw6983,
        StatusWord::AuthenticationMethodBlocked,
    );
}

#[test]
fn blocked_pin_can_answer_6984() {
    block_and_check(BlockedStatus::Sw6984, StatusWord::ReferenceDataNotUsable);
}

#[test]
fn blocked_pin_can_answer_63c0() {
    block_and_check(BlockedStatus::Sw63C0, StatusWord::RemainingRetries(0));
}

#[test]
fn malformed_commands_get_iso_errors() {
    let card = TestCard::new();
    let mut sim = card.transport();
    send(&mut sim, select_aid(JPKI_AID.as_bytes()));
    // Wrong CLA, unknown INS, bad P1/P2, wrong length.
    assert_eq!(
        sw(&send(&mut sim, Command::new(0x90, 0xB0, 0, 0).with_le(256))),
        StatusWord::ClassNotSupported
    );
    assert_eq!(
        sw(&send(&mut sim, Command::new(0x00, 0x50, 0, 0))),
        StatusWord::InstructionNotSupported
    );
    assert_eq!(
        sw(&send(
            &mut sim,
            Command::new(0x00, 0xA4, 0x07, 0x0C).with_data(vec![0x00, 0x0A])
        )),
        StatusWord::IncorrectP1P2
    );
    assert_eq!(
        sw(&send(
            &mut sim,
            Command::new(0x00, 0xA4, 0x02, 0x0C).with_data(vec![0x00])
        )),
        StatusWord::WrongLength
    );
}

#[test]
fn every_status_word_the_card_answers_maps_to_words_a_person_can_act_on() {
    let cases = [
        (StatusWord::RemainingRetries(2), "2 tries left"),
        (StatusWord::AuthenticationMethodBlocked, "municipal office"),
        (StatusWord::ReferenceDataNotUsable, "municipal office"),
        (StatusWord::SecurityStatusNotSatisfied, "PIN"),
    ];
    for (status, words) in cases {
        let err = CardError::from_status("verifying the PIN", status, Some(PinKind::Sign));
        assert!(err.to_string().contains(words), "{status:?} → {err}");
    }
    for status in [
        StatusWord::FileNotFound,
        StatusWord::NoCurrentEf,
        StatusWord::IncorrectP1P2,
        StatusWord::WrongLength,
        StatusWord::InstructionNotSupported,
        StatusWord::ClassNotSupported,
        StatusWord::WrongParameters,
    ] {
        let text = CardError::from_status("reading a file", status, None).to_string();
        let [sw1, sw2] = status.to_bytes();
        assert!(
            text.contains(&format!("{sw1:02X} {sw2:02X}")),
            "names the status word: {text}"
        );
        assert!(
            text.contains(status.meaning()),
            "says what it means: {text}"
        );
    }
}
