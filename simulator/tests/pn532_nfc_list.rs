//! libnfc's own `nfc-list` (libnfc-bin) against the software PN532 on a pseudo-terminal: the
//! real `pn532_uart` driver opens the line, polls every modulation, and must list the simulated
//! card as an ISO/IEC 14443-4 Type B target, with a new random PUPI at every activation and the
//! protocol info of a real My Number Card.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

use kazasu_sim::frontend::pn532::Pn532;
use kazasu_sim::frontend::pn532::pty::PtyLink;
use kazasu_sim::frontend::slot::{CardSlot, SharedSlot, lock};
use kazasu_sim::{HolderProfile, IssueOptions, MY_NUMBER_CARD_ATR, issue_card};

/// nfc-list never takes this long against the emulator; past it the test fails instead of hanging.
const NFC_LIST_TIMEOUT: Duration = Duration::from_secs(30);

/// Issues the sample card once for this test binary (RSA key generation is slow).
fn issued_card() -> &'static Path {
    static CARD: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, path) = CARD.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("card.json");
        issue_card(&path, &HolderProfile::sample(), &IssueOptions::default()).expect("issue card");
        (dir, path)
    });
    path
}

/// A slot holding a fresh copy of the sample card.
fn slot() -> (SharedSlot, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("card.json");
    std::fs::copy(issued_card(), &path).expect("copy card");
    let slot = CardSlot::open(path, MY_NUMBER_CARD_ATR.to_vec())
        .expect("open card")
        .shared();
    (slot, dir)
}

fn nfc_list_available() -> bool {
    Command::new("nfc-list")
        .arg("-h")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

/// Serves a PN532 in front of `slot` on a fresh pty and runs `nfc-list args…` on it; returns
/// nfc-list's stdout and stderr.
fn run_nfc_list(slot: SharedSlot, args: &[&str]) -> (String, String) {
    let pty = Arc::new(PtyLink::open(None).expect("open pty"));
    let stop = Arc::new(AtomicBool::new(false));
    let server = {
        let (pty, stop) = (pty.clone(), stop.clone());
        thread::spawn(move || {
            let mut chip = Pn532::new(slot);
            pty.serve(&mut chip, &stop)
        })
    };

    let connstring = format!("pn532_uart:{}", pty.slave_path().display());
    let mut child = Command::new("nfc-list")
        .args(args)
        .env("LIBNFC_DEVICE", &connstring)
        .env("LIBNFC_AUTO_SCAN", "false")
        .env("LIBNFC_INTRUSIVE_SCAN", "false")
        .env_remove("LIBNFC_DEFAULT_DEVICE")
        .env_remove("LIBNFC_LOG_LEVEL")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run nfc-list");
    // Drain the pipes while waiting so a chatty child can never block on them.
    let mut stdout_pipe = child.stdout.take().expect("stdout");
    let mut stderr_pipe = child.stderr.take().expect("stderr");
    let out_reader = thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout_pipe.read_to_string(&mut text);
        text
    });
    let err_reader = thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr_pipe.read_to_string(&mut text);
        text
    });

    let deadline = Instant::now() + NFC_LIST_TIMEOUT;
    let timed_out = loop {
        if child.try_wait().expect("wait for nfc-list").is_some() {
            break false;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            break true;
        }
        thread::sleep(Duration::from_millis(20));
    };
    let stdout = out_reader.join().expect("stdout reader");
    let stderr = err_reader.join().expect("stderr reader");

    stop.store(true, Ordering::Relaxed);
    server
        .join()
        .expect("server thread")
        .expect("serve the pty");
    assert!(
        !timed_out,
        "nfc-list did not finish in {NFC_LIST_TIMEOUT:?}\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    (stdout, stderr)
}

/// The PUPI nfc-list printed (`PUPI: 4b  5a  53  31`), as bytes.
fn listed_pupi(stdout: &str) -> Option<Vec<u8>> {
    let line = stdout.lines().find(|l| l.contains("PUPI:"))?;
    let hex: String = line.split("PUPI:").nth(1)?.split_whitespace().collect();
    hex::decode(hex).ok()
}

#[test]
fn nfc_list_finds_the_card_as_type_b() {
    assert!(
        nfc_list_available(),
        "nfc-list is not installed: scripts/install-deps installs libnfc-bin"
    );
    let (slot, _dir) = slot();
    // The default mask polls every modulation libnfc knows, so every command it sends is met.
    let (stdout, stderr) = run_nfc_list(slot, &[]);
    let context = format!("stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(
        stdout.contains("NFC device: user defined device opened"),
        "device opened\n{context}"
    );
    assert!(
        stdout.contains("1 ISO14443B passive target(s) found"),
        "one Type B target\n{context}"
    );
    assert!(
        stdout.contains("ISO/IEC 14443-4B (106 kbps) target:"),
        "ISO/IEC 14443-4B target\n{context}"
    );
    let pupi = listed_pupi(&stdout).unwrap_or_else(|| panic!("a PUPI\n{context}"));
    assert_eq!(pupi.len(), 4, "a 4-byte PUPI\n{context}");
    // Protocol info as read off cards: 106/212/424 kbit/s, 256-byte frames, FWI 13 (about 2.5 s).
    assert!(
        stdout.contains("Protocol Info: b3  81  d1"),
        "a My Number Card's protocol info\n{context}"
    );
    assert!(
        !stdout.contains("ISO14443A passive target(s) found:"),
        "no Type A target\n{context}"
    );
    assert!(!stderr.contains("error"), "no libnfc error\n{context}");
}

#[test]
fn nfc_list_finds_nothing_without_a_card() {
    assert!(
        nfc_list_available(),
        "nfc-list is not installed: scripts/install-deps installs libnfc-bin"
    );
    let (slot, _dir) = slot();
    lock(&slot).remove();
    let (stdout, stderr) = run_nfc_list(slot, &["-v", "-t", "8"]);
    let context = format!("stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(
        stdout.contains("NFC device: user defined device opened"),
        "device opened\n{context}"
    );
    // With -v nfc-list reports the empty poll explicitly.
    assert!(
        stdout.contains("0 ISO14443B passive target(s) found"),
        "no Type B target\n{context}"
    );
    assert!(!stdout.contains("PUPI"), "no target listed\n{context}");
}

#[test]
fn every_activation_shows_a_new_pupi() {
    assert!(
        nfc_list_available(),
        "nfc-list is not installed: scripts/install-deps installs libnfc-bin"
    );
    let (slot, _dir) = slot();
    let first = run_nfc_list(slot.clone(), &[]).0;
    let second = run_nfc_list(slot, &[]).0;
    let (a, b) = (listed_pupi(&first), listed_pupi(&second));
    assert!(
        a.is_some() && b.is_some(),
        "two listings\n{first}\n{second}"
    );
    assert_ne!(
        a, b,
        "a My Number Card never shows the same PUPI twice (one-time NFC ID)"
    );
}
