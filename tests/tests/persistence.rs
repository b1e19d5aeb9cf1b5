//! Killing the card at any instant never gives a try back and never corrupts its state file.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use kazasu_core::pin::PinKind;
use kazasu_tests::{SIGN_PIN, TestCard};

/// The tries the card may have left at most, given the last answer the hammer printed:
/// `63 Cx` says x are left; the blocked answer (`69 84` on a real card, `69 83` on others) says none are.
fn bound_from(answer: &str) -> u8 {
    match answer.strip_prefix("63C") {
        Some(x) => u8::from_str_radix(x, 16).expect("hex digit"),
        None if answer == "6984" || answer == "6983" => 0,
        None => panic!("unexpected answer {answer}"),
    }
}

#[test]
fn killing_the_card_mid_flight_never_returns_a_try_nor_corrupts_the_file() {
    let card = TestCard::new();
    let hammer = env!("CARGO_BIN_EXE_sim-hammer");
    // Vary the instant of the kill: after 1..=N answers, plus a random extra delay inside the next one.
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut kills = 0;
    for round in 0..40u32 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let answers_before_kill = (seed % 6) as usize;
        let extra_micros = (seed >> 8) % 3000;

        let mut child = Command::new(hammer)
            .arg(card.path())
            .arg("WRONG000")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start sim-hammer");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut last = None;
        for _ in 0..answers_before_kill {
            match rx.recv_timeout(Duration::from_secs(30)) {
                Ok(line) => last = Some(line),
                Err(_) => break,
            }
        }
        std::thread::sleep(Duration::from_micros(extra_micros));
        child.kill().ok();
        child.wait().ok();
        kills += 1;
        // Answers printed between our last read and the kill count too.
        while let Ok(line) = rx.try_recv() {
            last = Some(line);
        }
        let state = kazasu_sim::CardState::load(card.path())
            .unwrap_or_else(|e| panic!("round {round}: the state file must always load: {e}"));
        if let Some(answer) = last {
            let left = state.tries_left(PinKind::Sign);
            assert!(
                left <= bound_from(&answer),
                "round {round}: the card answered {answer} but the file says {left} tries left"
            );
        }
        if state.is_blocked(PinKind::Sign) {
            kazasu_sim::Office::open(card.path())
                .unwrap()
                .unlock_pin(PinKind::Sign, SIGN_PIN)
                .unwrap();
        }
    }
    assert_eq!(kills, 40);
    // A kill mid-write may leave a temporary file, never a second state file.
    let json: Vec<_> = std::fs::read_dir(card.dir())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    assert_eq!(json.len(), 2, "card and J-LIS only: {json:?}");
}
