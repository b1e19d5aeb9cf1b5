//! The cross-device login page in a real browser: headless Debian Chromium, driven by Playwright
//! (`tests/browser/cross-device.mjs`, playwright-core from npm), shows the QR code and flips to
//! "Logged in" when `kazasu login` finishes the challenge with the simulated card.
//!
//! Needs `node`, `/usr/bin/chromium` and `npm ci --prefix tests/browser`. The screenshots are
//! kept in `target/kazasu-screenshots/` for a person to look at.

use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use kazasu_core::cert::CardCertificate;
use kazasu_sim::CertKind;
use kazasu_tests::bins::{bin, text};
use kazasu_tests::child::{Killed, line_with, lines_of, log, target_dir};
use kazasu_tests::rp::RelyingParty;
use kazasu_tests::{AUTH_PIN, TestCard};

/// How long the browser may take to start and show the QR code.
const PAGE_READY: Duration = Duration::from_secs(60);
/// How long `kazasu login` may take.
const LOGIN: Duration = Duration::from_secs(60);
/// How long the page may take to notice the login and the script to exit (the script itself
/// gives up after 60 s).
const PAGE_DONE: Duration = Duration::from_secs(90);

/// `kazasu ARGS` in `home` with `stdin` fed in, killed after `patience`: (status, stdout, stderr).
fn kazasu_with_timeout(
    home: &Path,
    args: &[&str],
    stdin: &str,
    patience: Duration,
) -> (ExitStatus, String, String) {
    let out_path = home.join("kazasu-login.out");
    let err_path = home.join("kazasu-login.err");
    let mut child = Killed::new(
        Command::new(bin("kazasu"))
            .args(args)
            .current_dir(home)
            .env("HOME", home)
            .env("XDG_DATA_HOME", home.join("data"))
            .env_remove("KAZASU_READER")
            .stdin(Stdio::piped())
            .stdout(File::create(&out_path).expect("kazasu stdout file"))
            .stderr(File::create(&err_path).expect("kazasu stderr file"))
            .spawn()
            .expect("run kazasu"),
    );
    // kazasu may exit before reading stdin: a closed pipe is fine.
    let _ = child
        .child()
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(stdin.as_bytes());
    let status = child.wait_for(patience).unwrap_or_else(|| {
        panic!(
            "kazasu {args:?} did not finish within {patience:?}; stderr so far:\n{}",
            log(&err_path)
        )
    });
    (status, log(&out_path), log(&err_path))
}

#[test]
fn the_cross_device_page_flips_to_logged_in_when_the_card_logs_in() {
    let started = Instant::now();
    let browser_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("browser");
    assert!(
        browser_dir.join("node_modules/playwright-core").is_dir(),
        "playwright-core is not installed in {}: run `npm ci --prefix tests/browser` \
         (scripts/install-deps does it)",
        browser_dir.join("node_modules").display()
    );

    // The card, its issuer's trust material, and a relying party trusting it.
    let card = TestCard::new();
    let out = Command::new(bin("kazasu-sim"))
        .arg("--card")
        .arg(card.path())
        .args(["office", "export-trust", "trust"])
        .current_dir(card.dir())
        .output()
        .expect("run kazasu-sim");
    assert!(
        out.status.success(),
        "kazasu-sim office export-trust: {}",
        text(&out.stderr)
    );
    let rp = RelyingParty::start(card.dir(), &card.dir().join("trust"), "");
    let url = rp.url().to_owned();

    // Fresh screenshots where a person can find them.
    let shots = target_dir().join("kazasu-screenshots");
    std::fs::create_dir_all(&shots).expect("screenshot directory");
    for old in ["1-waiting.png", "2-logged-in.png", "failure.png"] {
        let _ = std::fs::remove_file(shots.join(old));
    }
    let node_log = shots.join("cross-device.log");
    let mut node = Killed::new(
        Command::new("node")
            .arg("cross-device.mjs")
            .arg(format!("{url}/"))
            .arg(&shots)
            .current_dir(&browser_dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(File::create(&node_log).expect("node log"))
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run node (Node.js 20 or later is needed): {e}")),
    );
    let lines = lines_of(node.child());
    let challenge_url = line_with(&lines, "CHALLENGE_URL ", PAGE_READY).unwrap_or_else(|e| {
        panic!(
            "the page did not show a challenge: {e}; the script's log:\n{}",
            log(&node_log)
        )
    });
    assert!(
        challenge_url.starts_with(&format!("{url}/v1/login/challenge/")),
        "unexpected challenge URL {challenge_url:?}"
    );

    // The card logs in elsewhere (a phone, here the CLI with the simulator).
    let reader = format!("sim:{}", card.path().display());
    let (status, stdout, stderr) = kazasu_with_timeout(
        card.dir(),
        &["--reader", &reader, "login", &challenge_url, "--pin-stdin"],
        &format!("{AUTH_PIN}\n"),
        LOGIN,
    );
    assert!(
        status.success(),
        "kazasu login: {status}\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );

    // The page notices by itself.
    let page_status = line_with(&lines, "STATUS ", PAGE_DONE).unwrap_or_else(|e| {
        panic!(
            "the page did not report logging in: {e}; the script's log:\n{}",
            log(&node_log)
        )
    });
    let exit = node
        .wait_for(Duration::from_secs(20))
        .expect("the script exits after STATUS");
    assert!(
        exit.success(),
        "cross-device.mjs: {exit}; its log:\n{}",
        log(&node_log)
    );
    let serial = CardCertificate::from_der(card.state().certificate_der(CertKind::Auth))
        .expect("the card's authentication certificate")
        .serial_hex();
    assert!(
        page_status.contains("Logged in"),
        "the page says {page_status:?}"
    );
    assert!(
        page_status
            .to_ascii_uppercase()
            .contains(&serial.to_ascii_uppercase()),
        "the page says {page_status:?}, not the card's serial {serial}"
    );

    for shot in ["1-waiting.png", "2-logged-in.png"] {
        let path = shots.join(shot);
        let size = std::fs::metadata(&path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            .len();
        assert!(size > 0, "{} is empty", path.display());
    }
    println!(
        "page: {page_status}; screenshots in {} ({:.1} s)",
        shots.display(),
        started.elapsed().as_secs_f64()
    );
}
