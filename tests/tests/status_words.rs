//! Every status word the card answers, seen raw on the wire and as the error the core turns it into.

#![allow(clippy::unwrap_used)] // test helpers: a panic is the failure report

use kazasu_core::apdu::{Command, Response, StatusWord};
use kazasu_core::ids::mynumber::*;
use kazasu_core::pin::{Pin, PinKind};
use kazasu_core::transport::{MAX_RESPONSE_DATA, Transport, TransportError};
use kazasu_core::{CardError, CertSlot, JpkiApp, KeyKind, PinStatus};
use kazasu_sim::{BlockedStatus, Fault, SimTransport};
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
    for aid in [
        JPKI_AID,
        CARD_INFO_AID,
        SURFACE_AID,
        COMMON_CARD_AID,
        RESIDENT_REGISTRY_AID,
    ] {
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
fn files_are_fixed_size_with_ff_filler_and_reads_past_the_end_are_6b00() {
    let card = TestCard::new();
    let n = card
        .state()
        .certificate_der(kazasu_sim::CertKind::Auth)
        .len();
    let mut sim = card.transport();
    send(&mut sim, select_aid(JPKI_AID.as_bytes()));
    send(&mut sim, select_ef(EF_AUTH_CERT));
    // The certificate is followed by FF filler: the EF is larger than the certificate.
    let r = send(&mut sim, read(n as u16, 16));
    assert!(r.is_success(), "{}", sw(&r));
    assert_eq!(r.data(), [0xFF; 16]);
    // An Le longer than what is left returns the rest of the file with 90 00.
    let size = kazasu_sim::CERT_EF_SIZE.max(n);
    let last = (size - 10) as u16;
    let r = send(&mut sim, read(last, 200));
    assert!(r.is_success(), "{}", sw(&r));
    assert_eq!(r.data(), [0xFF; 10]);
    // An offset past the end: wrong parameters, no data.
    let r = send(&mut sim, read(size as u16, 256));
    assert_eq!(sw(&r), StatusWord::WrongParameters);
    assert!(r.data().is_empty());

    // EF 0006 (token info) is 160 bytes; EF 0008 is 3.
    for (fid, len) in [(EF_TOKEN_INFO, 160), (EF_CERT_PRESENCE, 3)] {
        send(&mut sim, select_ef(fid));
        let r = send(&mut sim, read(0, 256));
        assert!(r.is_success(), "{fid}: {}", sw(&r));
        assert_eq!(r.data().len(), len, "{fid}");
    }
    send(&mut sim, select_ef(EF_TOKEN_INFO));
    assert!(
        send(&mut sim, read(0, 32))
            .data()
            .starts_with(b"JPKIAPICCTOKEN2 ")
    );

    // The client still gets exactly the certificate.
    let mut app = JpkiApp::select(card.transport()).unwrap();
    assert_eq!(
        app.read_certificate(CertSlot::Auth).unwrap(),
        card.state().certificate_der(kazasu_sim::CertKind::Auth)
    );
}

#[test]
fn card_info_files_are_shaped_like_a_real_cards() {
    let card = TestCard::new();
    let mut sim = card.transport();
    send(&mut sim, select_aid(CARD_INFO_AID.as_bytes()));
    send(&mut sim, select_ef(EF_CARD_INFO_PIN));
    let verify = Command::new(0x00, 0x20, 0x00, 0x80)
        .with_data(kazasu_tests::CARD_INFO_PIN.as_bytes().to_vec());
    assert!(send(&mut sim, verify).is_success());
    send(&mut sim, select_ef(EF_MY_NUMBER));
    let r = send(&mut sim, read(0, 256));
    assert!(r.is_success());
    assert_eq!(r.data().len(), 17);
    assert_eq!(&r.data()[..3], [0xFF, 0x10, 0x0C]);
    assert_eq!(&r.data()[15..], [0xFF, 0xFF]);
    send(&mut sim, select_ef(EF_BASIC_FACTS));
    let r = send(&mut sim, read(0, 256));
    assert!(r.is_success());
    assert_eq!(&r.data()[..2], [0xFF, 0x20]);
    assert_eq!(&r.data()[3..6], [0xDF, 0x21, 0x08]);
    assert_eq!(*r.data().last().unwrap(), 0xFF, "filler after the object");
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
    // After a right PIN the empty VERIFY still says 63 C5, like a real card, never 90 00.
    assert!(
        send(
            &mut sim,
            Command::new(0x00, 0x20, 0x00, 0x80).with_data(SIGN_PIN.as_bytes().to_vec())
        )
        .is_success()
    );
    assert_eq!(
        sw(&send(&mut sim, empty())),
        StatusWord::RemainingRetries(5)
    );
    // ...while the card does hold the PIN as verified: the signing certificate is readable.
    send(&mut sim, select_ef(EF_SIGN_CERT));
    assert!(send(&mut sim, read(0, 256)).is_success());
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

/// Blocks the authentication PIN of a card answering `status`, checks the raw answers (`data`
/// to a VERIFY with a PIN, `empty` to an empty VERIFY), then the client.
fn block_and_check(status: BlockedStatus, data: StatusWord, empty: StatusWord) {
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
    // The wrong try that uses the counter up answers 63 C0 in every dialect.
    assert_eq!(
        sw(&send(&mut sim, wrong())),
        StatusWord::RemainingRetries(0)
    );
    assert_eq!(sw(&send(&mut sim, wrong())), data);
    let right =
        Command::new(0x00, 0x20, 0x00, 0x80).with_data(kazasu_tests::AUTH_PIN.as_bytes().to_vec());
    assert_eq!(sw(&send(&mut sim, right)), data, "even the right PIN");
    assert_eq!(
        sw(&send(&mut sim, Command::new(0x00, 0x20, 0x00, 0x80))),
        empty
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
fn blocked_pin_answers_like_a_real_card_by_default() {
    assert_eq!(BlockedStatus::default(), BlockedStatus::Card);
    block_and_check(
        BlockedStatus::default(),
        StatusWord::ReferenceDataNotUsable,
        StatusWord::RemainingRetries(0),
    );
}

#[test]
fn blocked_pin_can_answer_6983() {
    block_and_check(
        BlockedStatus::Sw6983,
        StatusWord::AuthenticationMethodBlocked,
        StatusWord::AuthenticationMethodBlocked,
    );
}

#[test]
fn blocked_pin_can_answer_6984() {
    block_and_check(
        BlockedStatus::Sw6984,
        StatusWord::ReferenceDataNotUsable,
        StatusWord::ReferenceDataNotUsable,
    );
}

#[test]
fn blocked_pin_can_answer_63c0() {
    block_and_check(
        BlockedStatus::Sw63C0,
        StatusWord::RemainingRetries(0),
        StatusWord::RemainingRetries(0),
    );
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

#[test]
fn a_hostile_reader_chaining_for_ever_is_an_error_not_a_memory_leak() {
    let card = TestCard::new();
    let mut sim = card.transport();
    sim.set_fault(Some(Fault::EndlessGetResponse));
    let err = JpkiApp::select(&mut sim).unwrap_err();
    assert!(
        matches!(
            err,
            CardError::Transport(TransportError::ResponseTooLong { max }) if max == MAX_RESPONSE_DATA
        ),
        "{err:?}"
    );
}

#[test]
fn a_6c_answer_to_verify_never_makes_the_client_send_the_pin_again() {
    let card = TestCard::new();
    let mut sim = card.transport();
    sim.set_fault(Some(Fault::WrongLeToVerify));
    let mut app = JpkiApp::select(&mut sim).unwrap();
    let err = app
        .verify_pin(&Pin::parse(PinKind::Sign, SIGN_PIN).unwrap())
        .unwrap_err();
    assert!(
        matches!(
            err,
            CardError::Transport(TransportError::RefusedResend { ins: 0x20, .. })
        ),
        "{err:?}"
    );
    assert!(!app.is_verified(PinKind::Sign));
    drop(app);
    assert_eq!(sim.pins_received(), 1, "the PIN crossed the link once");
    assert_eq!(card.state().tries_left(PinKind::Sign), 5);
}
