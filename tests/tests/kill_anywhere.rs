//! Killing the card at any instant (SIGKILL) never gives a try back, never changes a PIN half-way,
//! never un-revokes a certificate and never corrupts a state file.
//!
//! `sim-hammer` works a copy of the test card as fast as it can — wrong PINs, PIN changes, office
//! acts — printing a line once each answer is on disk; the test kills it at a random instant and
//! checks the files against every line it read. Rounds per mode: [`KILLS_PER_MODE`], or
//! `KAZASU_KILLS` (`scripts/kill-test` runs 1000 per mode).

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use kazasu_core::pin::PinKind;
use kazasu_sim::{CaKind, CardState, Jlis, Office};
use kazasu_tests::{SIGN_PIN, TestCard};

/// Kills per mode in an ordinary test run; `KAZASU_KILLS` overrides it.
const KILLS_PER_MODE: u32 = 60;
/// The second signing PIN the change and office modes alternate with.
const OTHER_PIN: &str = "OTHER2027";

fn kills() -> u32 {
    std::env::var("KAZASU_KILLS")
        .ok()
        .and_then(|k| k.parse().ok())
        .unwrap_or(KILLS_PER_MODE)
}

/// A xorshift generator: every run kills at the same instants, so a failure replays.
struct Instants(u64);

impl Instants {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// Runs the hammer, lets it print `lines` lines, sleeps up to `extra_micros` into the next act,
/// kills it, and returns every line it printed before dying.
fn run_and_kill(card: &Path, args: &[&str], lines: usize, extra_micros: u64) -> Vec<String> {
    let mut child: Child = Command::new(env!("CARGO_BIN_EXE_sim-hammer"))
        .arg(card)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start sim-hammer");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    while seen.len() < lines {
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(line) => seen.push(line),
            Err(_) => break,
        }
    }
    std::thread::sleep(Duration::from_micros(extra_micros));
    child.kill().ok();
    child.wait().ok();
    reader.join().ok();
    // Lines printed between our last read and the kill count too.
    seen.extend(rx.try_iter());
    seen
}

fn load(card: &Path, round: u32) -> CardState {
    CardState::load(card)
        .unwrap_or_else(|e| panic!("round {round}: the card file must always load: {e}"))
}

/// No state file but the card's and the J-LIS's (a kill mid-write may leave a temporary file).
fn assert_two_state_files(card: &TestCard) {
    let json: Vec<_> = std::fs::read_dir(card.dir())
        .expect("card directory")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    assert_eq!(json.len(), 2, "card and J-LIS only: {json:?}");
}

/// The most tries the card may have left after it answered `answer` to a wrong PIN.
fn tries_bound(answer: &str) -> u8 {
    match answer.strip_prefix("63C") {
        Some(x) => u8::from_str_radix(x, 16).expect("hex digit"),
        // Blocked, in each of the ways a card may say it.
        None if matches!(answer, "6983" | "6984") => 0,
        None => panic!("unexpected answer {answer}"),
    }
}

#[test]
fn a_wrong_pin_is_counted_before_the_card_answers() {
    let card = TestCard::new();
    let mut instants = Instants(0x9E37_79B9_7F4A_7C15);
    for round in 0..kills() {
        let r = instants.next();
        let lines = run_and_kill(
            card.path(),
            &["verify", "WRONG000"],
            (r % 6) as usize,
            (r >> 8) % 3000,
        );
        let state = load(card.path(), round);
        if let Some(answer) = lines.last() {
            let left = state.tries_left(PinKind::Sign);
            assert!(
                left <= tries_bound(answer),
                "round {round}: the card answered {answer} but its file says {left} tries left"
            );
        }
        if state.is_blocked(PinKind::Sign) {
            Office::open(card.path())
                .expect("office")
                .unlock_pin(PinKind::Sign, SIGN_PIN)
                .expect("unlock");
        }
    }
    assert_two_state_files(&card);
}

#[test]
fn a_pin_change_is_whole_or_not_at_all() {
    let card = TestCard::new();
    let pins = [SIGN_PIN, OTHER_PIN];
    let mut instants = Instants(0x2545_F491_4F6C_DD1D);
    for round in 0..kills() {
        let r = instants.next();
        let lines = run_and_kill(
            card.path(),
            &["change", pins[0], pins[1]],
            (r % 8) as usize,
            (r >> 8) % 3000,
        );
        let state = load(card.path(), round);
        let stored = state.pin(PinKind::Sign);
        assert!(
            pins.contains(&stored),
            "round {round}: a PIN half-changed: {stored:?}"
        );
        // The last change the card confirmed is on disk (or a later one that it had no time to print).
        if let Some(last) = lines.iter().rev().find(|l| l.starts_with("C 9000 ")) {
            let confirmed = &last["C 9000 ".len()..];
            let after_it = lines.iter().rev().take_while(|l| *l != last).count();
            assert!(
                stored == confirmed || after_it > 0,
                "round {round}: the card confirmed {confirmed} but its file holds {stored}"
            );
        }
        assert!(
            !state.is_blocked(PinKind::Sign),
            "round {round}: the right PIN, presented every time, must never use up the counter"
        );
        // The stored PIN is the one the card checks: it opens the card.
        let mut sim = card.transport();
        kazasu_core::JpkiApp::select(&mut sim)
            .expect("select")
            .verify_pin(&kazasu_core::pin::Pin::parse(PinKind::Sign, stored).expect("PIN"))
            .unwrap_or_else(|e| {
                panic!("round {round}: the stored PIN does not open the card: {e}")
            });
    }
    assert_two_state_files(&card);
}

#[test]
fn an_office_act_never_loses_a_revocation() {
    let card = TestCard::new();
    let pins = [SIGN_PIN, OTHER_PIN];
    let mut instants = Instants(0xD1B5_4A32_D192_ED03);
    let mut ever_revoked: BTreeSet<String> = BTreeSet::new();
    // Office acts issue RSA keys: fewer, slower rounds do the same job.
    for round in 0..kills().div_ceil(4) {
        let r = instants.next();
        let lines = run_and_kill(
            card.path(),
            &["office", pins[0], pins[1]],
            (r % 5) as usize,
            (r >> 8) % 200_000,
        );
        let state = load(card.path(), round);
        let jlis = Jlis::for_card(card.path())
            .unwrap_or_else(|e| panic!("round {round}: the J-LIS file must always load: {e}"));
        let revoked: BTreeSet<String> = jlis
            .revocations(CaKind::Sign)
            .iter()
            .map(|r| r.serial.clone())
            .collect();
        assert!(
            ever_revoked.is_subset(&revoked),
            "round {round}: a revocation went missing: {:?}",
            ever_revoked.difference(&revoked).collect::<Vec<_>>()
        );
        for line in &lines {
            if let Some(serial) = line.strip_prefix("M ") {
                assert!(
                    revoked.contains(serial),
                    "round {round}: confirmed revocation of {serial} is not on the CRL"
                );
            }
        }
        ever_revoked = revoked;
        assert!(
            pins.contains(&state.pin(PinKind::Sign)),
            "round {round}: a PIN half-reset"
        );
        // The CRL the office publishes still comes out whole and signed.
        jlis.crl_der(CaKind::Sign)
            .unwrap_or_else(|e| panic!("round {round}: no CRL after the kill: {e}"));
    }
    assert!(
        !ever_revoked.is_empty(),
        "no office act completed: kill later"
    );
    assert_two_state_files(&card);
}
