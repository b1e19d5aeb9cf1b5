//! The card pulled away at each step of `kazasu sign`, `kazasu login` and `kazasu pin change`,
//! through the real TCP front-end (`kazasu-sim serve --tcp`, control line `tear INS`): every time
//! the core's one classification answers "card removed" (exit 5), nothing is written, and no try
//! is lost. The app's commands (tauri-app/src-tauri/tests/commands.rs) and the Python bindings
//! (mobile/tests/python/test_session.py) pull the card at the same steps and get `card_removed`
//! and `MobileError.CardRemoved`.

use std::process::Output;

use kazasu_core::pin::PinKind;
use kazasu_core::problem::{ProblemKind, exit};
use kazasu_tests::bins::{bin, run_kazasu, run_sim, text};
use kazasu_tests::pdf_fixture::sample_pdf;
use kazasu_tests::rp::RelyingParty;
use kazasu_tests::served::Served;
use kazasu_tests::{AUTH_PIN, SIGN_PIN, TestCard};

/// Serves a fresh card over TCP with the card to be pulled at the next command with `step`'s INS.
fn pulled_at(card: &TestCard, step: &str) -> (Served, String) {
    let mut served = Served::start(card.path(), &["--tcp", "127.0.0.1:0"]);
    let reader = format!("tcp:{}", served.tcp_address());
    served.control(&format!("tear {step}"));
    (served, reader)
}

fn run(card: &TestCard, reader: &str, args: &[&str], stdin: &str) -> Output {
    let mut all = vec!["--reader", reader];
    all.extend_from_slice(args);
    run_kazasu(&bin("kazasu"), card.dir(), &all, stdin)
}

/// What every front end must say: exit 5 with the core's sentence, and the card's tries intact.
fn assert_card_removed(out: &Output, card: &TestCard, step: &str) {
    let stderr = text(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(ProblemKind::CardRemoved.exit_code()),
        "pulled at {step}: {stderr}"
    );
    assert_eq!(ProblemKind::CardRemoved.exit_code(), exit::CARD_TROUBLE);
    assert!(
        stderr.contains("the card was removed"),
        "pulled at {step}: {stderr}"
    );
    let state = card.state();
    for kind in PinKind::ALL {
        assert_eq!(
            state.tries_left(kind),
            kind.retry_limit(),
            "pulled at {step}: a try of the {kind} was lost"
        );
    }
}

#[test]
fn a_signature_pulled_away_at_each_step_is_card_removed_and_writes_nothing() {
    for step in ["select", "verify", "read", "sign"] {
        let card = TestCard::new();
        let document = card.dir().join("contract.pdf");
        std::fs::write(&document, sample_pdf(1)).unwrap();
        let (_served, reader) = pulled_at(&card, step);
        let out = run(
            &card,
            &reader,
            &["sign", document.to_str().unwrap(), "--pin-stdin"],
            &format!("{SIGN_PIN}\n"),
        );
        assert_card_removed(&out, &card, step);
        assert!(
            !card.dir().join("contract-signed.pdf").exists(),
            "pulled at {step}: a signed copy was written"
        );
    }
}

#[test]
fn a_login_pulled_away_at_each_step_is_card_removed_and_logs_nobody_in() {
    let trust_from = TestCard::new();
    run_sim(trust_from.path(), &["office", "export-trust", "trust"]);
    for step in ["select", "verify", "read", "sign"] {
        // Each card comes from the same test J-LIS, so one relying party trusts them all.
        let card = trust_from.twin();
        let rp = RelyingParty::start(card.dir(), &trust_from.dir().join("trust"), "");
        let (_served, reader) = pulled_at(&card, step);
        let out = run(
            &card,
            &reader,
            &["login", rp.url(), "--pin-stdin"],
            &format!("{AUTH_PIN}\n"),
        );
        assert_card_removed(&out, &card, step);
        assert!(
            !text(&out.stdout).contains("Logged in"),
            "pulled at {step}: {}",
            text(&out.stdout)
        );
    }
}

#[test]
fn a_pin_change_pulled_away_at_each_step_is_card_removed_and_keeps_the_old_pin() {
    for step in ["select", "change"] {
        let card = TestCard::new();
        let (mut served, reader) = pulled_at(&card, step);
        let out = run(
            &card,
            &reader,
            &["pin", "change", "--auth", "--pin-stdin"],
            &format!("{AUTH_PIN}\n9999\n"),
        );
        assert_card_removed(&out, &card, step);
        // Back on the reader, the old PIN still opens it.
        served.control("insert");
        let out = run(
            &card,
            &reader,
            &["pin", "verify", "--auth", "--pin-stdin"],
            &format!("{AUTH_PIN}\n"),
        );
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    }
}
