//! The Kazasu app in a real window: the debug build of `kazasu-app` under Xvfb, driven through
//! tauri-driver and Debian's WebKitWebDriver by `tests/browser/app-window.mjs` (selenium-webdriver
//! from npm), against the simulated card served over TCP and a running `kazasu-rp`.
//!
//! Checks what a card holder would notice: the overview, the card face (a wrong then the right
//! code A: the photo shown, the card's signature holding), a wrong then right PIN at login (the
//! card's counter goes 3 → 2 → 3), the card pulled away while signing (clear message, no file, no
//! try lost), and a signed PDF that pyHanko accepts. Screenshots of every screen are kept in
//! `target/kazasu-screenshots/app/`; the README shows them.
//!
//! Needs `xvfb-run`, `WebKitWebDriver` (webkit2gtk-driver), `tauri-driver` (`cargo install
//! tauri-driver --locked`), node and `npm ci --prefix tests/browser`: scripts/install-deps does it.

use std::ffi::OsStr;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use kazasu_core::pin::PinKind;
use kazasu_tests::app_driver::AppDriver;
use kazasu_tests::bins::{bin, run_kazasu, run_sim, text};
use kazasu_tests::child::{log, target_dir};
use kazasu_tests::pdf_fixture::sample_pdf;
use kazasu_tests::rp::RelyingParty;
use kazasu_tests::served::Served;
use kazasu_tests::{AUTH_PIN, CARD_INFO_PIN, SIGN_PIN, TestCard};

/// The card-info PIN the window changes to.
const NEW_CARD_INFO_PIN: &str = "1357";

/// Another well-formed My Number than `number`: the first digit changed and the check digit made
/// to match, so the card (not the app) refuses it.
fn another_my_number(number: &str) -> String {
    let mut digits: Vec<u8> = number.bytes().map(|b| b - b'0').collect();
    digits[0] = (digits[0] + 1) % 10;
    let first: [u8; 11] = digits[..11].try_into().expect("a 12-digit My Number");
    digits[11] = kazasu_core::mynumber::check_digit(&first);
    digits.iter().map(|d| char::from(b'0' + d)).collect()
}

/// pyHanko's executive summary of a signed PDF, trusting only the card's signing CA.
fn pyhanko_summary(dir: &Path, pdf: &Path) -> String {
    let out = Command::new("python3")
        .args(["-m", "pyhanko", "sign", "validate", "--executive-summary"])
        .arg("--trust")
        .arg(dir.join("trust/sign-ca.pem"))
        .args(["--trust-replace", "--no-revocation-check"])
        .arg(pdf)
        .output()
        .expect("run pyHanko");
    format!("{}{}", text(&out.stdout), text(&out.stderr))
}

#[test]
fn a_card_holder_sees_the_card_logs_in_and_signs_in_the_app_window() {
    let started = Instant::now();

    // The card on a TCP "reader", its CAs trusted by the app and by a running relying party.
    let card = TestCard::new();
    run_sim(card.path(), &["office", "export-trust", "trust"]);
    let rp = RelyingParty::start(card.dir(), &card.dir().join("trust"), "");
    // With a real card's answering times: a signature takes about a second, as over NFC.
    let mut served = Served::start(card.path(), &["--tcp", "127.0.0.1:0", "--latency", "card"]);
    let input = card.dir().join("contract.pdf");
    std::fs::write(&input, sample_pdf(2)).expect("write the PDF");
    let output = card.dir().join("contract-signed.pdf");
    // Code A is the My Number printed on the card (the simulated card's file holds it).
    let code_a = card.code(PinKind::SurfaceCodeA);

    let shots = target_dir().join("kazasu-screenshots/app");
    let _ = std::fs::remove_dir_all(&shots);
    std::fs::create_dir_all(&shots).expect("screenshot directory");

    // A virtual display, and tauri-driver in it (it starts WebKitWebDriver, which starts the app).
    let driver = AppDriver::start(
        card.dir(),
        &[("KAZASU_TRUST_DIR", card.dir().join("trust").as_os_str())],
        shots.join("tauri-driver.log"),
    );

    let mut script = driver.script(
        "app-window.mjs",
        &shots,
        &[
            ("SIM_ADDRESS", OsStr::new(&served.tcp_address())),
            ("RP_URL", OsStr::new(&rp.url())),
            ("INPUT_PDF", OsStr::new(&input)),
            ("OUTPUT_PDF", OsStr::new(&output)),
            ("AUTH_PIN", OsStr::new(&AUTH_PIN)),
            ("SIGN_PIN", OsStr::new(&SIGN_PIN)),
            ("CARD_INFO_PIN", OsStr::new(&CARD_INFO_PIN)),
            ("NEW_CARD_INFO_PIN", OsStr::new(&NEW_CARD_INFO_PIN)),
            ("CODE_A", OsStr::new(&code_a)),
            ("WRONG_CODE_A", OsStr::new(&another_my_number(&code_a))),
        ],
        || format!("simulator log:\n{}", log(&card.dir().join("serve.log"))),
    );

    let card_face = script.step("CARD_FACE ");
    assert_eq!(
        card.state().tries_left(PinKind::SurfaceCodeA),
        PinKind::SurfaceCodeA.retry_limit(),
        "the right code A resets its counter"
    );
    let logged_in = script.step("LOGGED_IN ");
    assert_eq!(
        card.state().tries_left(PinKind::Auth),
        3,
        "the right PIN resets the counter"
    );

    // The signature is torn off the card: the app must say so, write nothing, and lose no try.
    script.step("READY_TO_SIGN");
    served.control("tear sign");
    script.tell("tear armed");
    let torn = script.step("TORN ");
    assert!(
        !output.exists(),
        "no signed file after the card was pulled away: {torn}"
    );
    assert_eq!(card.state().tries_left(PinKind::Sign), 5);
    served.control("insert");
    script.tell("card is back");
    let signed = script.step("SIGNED ");
    let changed = script.step("PIN_CHANGED ");
    script.step("DONE");
    script.finish();

    // What was signed in the window passes a third-party validator.
    let summary = pyhanko_summary(card.dir(), &output);
    assert!(
        summary
            .lines()
            .any(|l| l.trim_end().ends_with(":VALID") || l.trim() == "VALID"),
        "pyHanko does not accept the app's signed PDF:\n{summary}"
    );
    assert_eq!(
        std::fs::read(&input).unwrap(),
        sample_pdf(2),
        "the original is untouched"
    );

    // The card takes the new card-info PIN, through another client.
    let out = run_kazasu(
        &bin("kazasu"),
        card.dir(),
        &[
            "--reader",
            &format!("tcp:{}", served.tcp_address()),
            "pin",
            "verify",
            "--card-info",
            "--pin-stdin",
        ],
        &format!("{NEW_CARD_INFO_PIN}\n"),
    );
    assert!(
        out.status.success(),
        "the new card-info PIN ({changed}) is refused: {}",
        text(&out.stderr)
    );

    for shot in [
        "1-readers.png",
        "2-overview.png",
        "3-login-wrong-pin.png",
        "4-logged-in.png",
        "5-sign-card-removed.png",
        "6-signed.png",
        "7-change-pin.png",
        "8-overview-ja.png",
        "card-face.png",
    ] {
        let size = std::fs::metadata(shots.join(shot))
            .map(|m| m.len())
            .unwrap_or(0);
        assert!(size > 10_000, "{shot} is missing or blank ({size} bytes)");
    }
    println!(
        "card face: {card_face}\nlogin: {logged_in}\nsigned: {signed}\npyHanko: {}\nscreenshots in {} ({:.1} s)",
        summary.trim(),
        shots.display(),
        started.elapsed().as_secs_f64()
    );
}
