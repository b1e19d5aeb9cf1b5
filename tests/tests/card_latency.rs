//! A card that takes a real card's time (`kazasu-sim serve --latency card`: about a second per
//! signature, a few milliseconds per read) still signs through every link the simulator serves:
//! the readers' and the core's timeouts allow for it.

use std::time::{Duration, Instant};

use kazasu_tests::bins::{bin, run_kazasu, text};
use kazasu_tests::served::Served;
use kazasu_tests::{SIGN_PIN, TestCard};

/// What the latency model adds to one signature, at least (`Latency::CARD.signature`).
const SIGNATURE_TIME: Duration = Duration::from_millis(900);

/// Signs a small file through `reader` and checks the signature; returns how long `kazasu sign` took.
fn sign_through(card: &TestCard, reader: &str) -> Duration {
    let document = card.dir().join("document.txt");
    std::fs::write(&document, "signed through a slow card\n").expect("write the document");
    let started = Instant::now();
    let out = run_kazasu(
        &bin("kazasu"),
        card.dir(),
        &["--reader", reader, "sign", "--pin-stdin", "document.txt"],
        &format!("{SIGN_PIN}\n"),
    );
    let took = started.elapsed();
    assert!(
        out.status.success(),
        "kazasu sign through {reader}: {}",
        text(&out.stderr)
    );
    let out = run_kazasu(
        &bin("kazasu"),
        card.dir(),
        &["verify", "document.txt", "--trust", "sign-ca.pem"],
        "",
    );
    assert!(
        out.status.success(),
        "the signature made through {reader} verifies: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    took
}

fn export_sign_ca(card: &TestCard) {
    kazasu_tests::bins::run_sim(card.path(), &["ca-export", "--sign", "-o", "sign-ca.pem"]);
}

#[test]
fn a_slow_card_signs_over_tcp() {
    let card = TestCard::new();
    export_sign_ca(&card);
    let served = Served::start(card.path(), &["--tcp", "127.0.0.1:0", "--latency", "card"]);
    let took = sign_through(&card, &format!("tcp:{}", served.tcp_address()));
    assert!(took >= SIGNATURE_TIME, "the latency model was on: {took:?}");
}

#[test]
fn a_slow_card_signs_through_libnfc_and_the_pn532() {
    let card = TestCard::new();
    export_sign_ca(&card);
    let served = Served::start(card.path(), &["--pn532", "--latency", "card"]);
    let took = sign_through(&card, &format!("nfc:{}", served.pn532_connstring()));
    assert!(took >= SIGNATURE_TIME, "the latency model was on: {took:?}");
}
