//! The simulator served over TCP (`kazasu-sim serve --tcp`) for phones and emulators, reached
//! with the core's `tcp:` transport.

use kazasu_core::pin::PinKind;
use kazasu_tests::bins::{bin, run_kazasu, text};
use kazasu_tests::served::Served;
use kazasu_tests::transcript::{assert_same, run_every_command};
use kazasu_tests::{AUTH_PIN, TestCard};

#[test]
fn every_kazasu_command_over_tcp_matches_in_process() {
    let card = TestCard::new();
    let served = Served::start(card.path(), &["--tcp", "127.0.0.1:0"]);
    let twin = card.twin();
    let in_process = run_every_command(&format!("sim:{}", twin.path().display()), twin.dir());
    let over_tcp = run_every_command(&format!("tcp:{}", served.tcp_address()), card.dir());
    assert_same(&in_process, &over_tcp, "TCP");
}

#[test]
fn pulling_the_card_away_during_verify_costs_no_try() {
    let card = TestCard::new();
    let mut served = Served::start(card.path(), &["--tcp", "127.0.0.1:0"]);
    let reader = format!("tcp:{}", served.tcp_address());
    served.control("tear verify");
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
    assert_eq!(out.status.code(), Some(5), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("the card was removed"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(card.state().tries_left(PinKind::Auth), 3);
    // While the card is away a reader finds none; back on the reader, it answers again.
    let out = run_kazasu(
        &bin("kazasu"),
        card.dir(),
        &["--reader", &reader, "status"],
        "",
    );
    assert!(
        text(&out.stderr).contains("no card found"),
        "{}",
        text(&out.stderr)
    );
    served.control("insert");
    let out = run_kazasu(
        &bin("kazasu"),
        card.dir(),
        &["--reader", &reader, "pin", "status"],
        "",
    );
    assert!(
        text(&out.stdout).contains("3 tries left of 3"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn no_server_is_a_clear_error() {
    let card = TestCard::new();
    // A port nothing listens on: bind one, then free it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = run_kazasu(
        &bin("kazasu"),
        card.dir(),
        &["--reader", &format!("tcp:127.0.0.1:{port}"), "status"],
        "",
    );
    assert_eq!(out.status.code(), Some(5));
    assert!(
        text(&out.stderr).contains("kazasu-sim serve --tcp"),
        "{}",
        text(&out.stderr)
    );
}
