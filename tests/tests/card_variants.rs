//! Where real tokens differ and nobody knows which way a card goes, the client is tested against
//! each variant: phone-embedded certificates (`JPKIAPGPSETOKEN`: the authentication certificate
//! needs the authentication PIN), whether re-selecting an application logs its PINs out, and
//! whether VERIFY writes the try off before or after comparing.

#![allow(clippy::unwrap_used)] // test helpers: a panic is the failure report

use kazasu_core::card::PinStatus;
use kazasu_core::login::{Challenge, card_assertion_with};
use kazasu_core::pin::{Pin, PinKind};
use kazasu_core::{CardError, CertSlot, JpkiApp, TokenKind, flows};
use kazasu_tests::{AUTH_PIN, TestCard};

fn auth_pin() -> Pin {
    Pin::parse(PinKind::Auth, AUTH_PIN).unwrap()
}

fn challenge() -> Challenge {
    Challenge {
        nonce: "bm9uY2Vub25jZW5vbmNlbm9uY2Vub25jZQ".into(),
        rp_id: "login.example.jp".into(),
        origin: "https://login.example.jp".into(),
        issued_at: 1_780_000_000,
        expires_at: 1_780_000_300,
    }
}

fn phone_token() -> TestCard {
    TestCard::new().configure(|c| c.token_label = "JPKIAPGPSETOKEN".into())
}

#[test]
fn a_phone_token_shows_its_authentication_certificate_only_after_the_pin() {
    let card = phone_token();
    let status = flows::card_status(card.transport(), kazasu_tests::issue_date()).unwrap();
    assert_eq!(status.token, TokenKind::PhoneEmbedded);
    let auth = status
        .certificates
        .iter()
        .find(|c| c.slot == CertSlot::Auth)
        .unwrap();
    assert_eq!(auth.needs_pin, Some(PinKind::Auth), "{auth:?}");
    assert_eq!(
        status.pin(PinKind::Auth),
        Some(PinStatus::Remaining(3)),
        "the status used no try"
    );

    let mut app = JpkiApp::select(card.transport()).unwrap();
    assert!(matches!(
        app.read_certificate(CertSlot::Auth).unwrap_err(),
        CardError::PinRequired {
            kind: PinKind::Auth
        }
    ));
    app.verify_pin(&auth_pin()).unwrap();
    assert!(app.read_certificate(CertSlot::Auth).is_ok());
}

#[test]
fn a_login_works_on_a_phone_token_and_on_a_card_alike() {
    for card in [TestCard::new(), phone_token()] {
        let mut app = JpkiApp::select(card.transport()).unwrap();
        let assertion = card_assertion_with(
            &mut app,
            &auth_pin(),
            &challenge(),
            "https://login.example.jp",
            1_780_000_010,
            None,
        )
        .unwrap();
        assert!(assertion.certificate.is_some());
        // One VERIFY with the PIN either way: no try used, none left over.
        assert_eq!(card.state().tries_left(PinKind::Auth), 3);
    }
}

#[test]
fn the_client_works_whether_or_not_reselecting_logs_out() {
    for logs_out in [true, false] {
        let card = TestCard::new().configure(|c| c.reselect_logs_out = logs_out);
        let mut link = card.transport();
        // Verify, then select the application again, as a second operation in one tap does.
        JpkiApp::select(&mut link)
            .unwrap()
            .verify_pin(&auth_pin())
            .unwrap();
        let mut app = JpkiApp::select(&mut link).unwrap();
        // The client never assumes the PIN survived: it is not reported verified …
        assert_eq!(
            app.pin_status(PinKind::Auth).unwrap(),
            PinStatus::Remaining(3),
            "reselect_logs_out = {logs_out}"
        );
        // … and signing says so when the card forgot it, or works when it did not.
        let result = app.sign_sha256(kazasu_core::KeyKind::Auth, &[1; 32]);
        match (logs_out, result) {
            (
                true,
                Err(CardError::PinRequired {
                    kind: PinKind::Auth,
                }),
            ) => {}
            (false, Ok(signature)) => assert_eq!(signature.len(), 256),
            (_, other) => panic!("reselect_logs_out = {logs_out}: {other:?}"),
        }
        // Verifying again works in both cases and costs nothing.
        app.verify_pin(&auth_pin()).unwrap();
        assert!(
            app.sign_sha256(kazasu_core::KeyKind::Auth, &[1; 32])
                .is_ok()
        );
        assert_eq!(card.state().tries_left(PinKind::Auth), 3);
    }
}

#[test]
fn a_wrong_pin_costs_exactly_one_try_whenever_the_card_takes_it() {
    for first in [true, false] {
        let card = TestCard::new().configure(|c| c.spend_try_first = first);
        let wrong = Pin::parse(PinKind::Auth, "0000").unwrap();
        let err = JpkiApp::select(card.transport())
            .unwrap()
            .verify_pin(&wrong)
            .unwrap_err();
        assert!(
            matches!(err, CardError::WrongPin { tries_left: 2, .. }),
            "spend_try_first = {first}: {err:?}"
        );
        assert_eq!(card.state().tries_left(PinKind::Auth), 2);
        let mut app = JpkiApp::select(card.transport()).unwrap();
        assert_eq!(
            app.pin_status(PinKind::Auth).unwrap(),
            PinStatus::Remaining(2)
        );
        app.verify_pin(&auth_pin()).unwrap();
        assert_eq!(
            card.state().tries_left(PinKind::Auth),
            3,
            "spend_try_first = {first}"
        );
    }
}
