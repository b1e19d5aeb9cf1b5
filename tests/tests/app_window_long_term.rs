//! The app's sign screen and the long-term profiles, in the real window: the debug build of
//! `kazasu-app` under Xvfb, driven through tauri-driver and Debian's WebKitWebDriver by
//! `tests/browser/app-window-long-term.mjs` (selenium-webdriver from npm), against the simulated
//! card served over TCP and a real time-stamping authority (OpenSSL's, `tests/src/tsa.rs`).
//!
//! A card holder opens the sign screen with no timestamp service set: "Keeps its proof for
//! years" is disabled and says to fill `tsa.toml`. The TSA's URL goes into `tsa.toml` and its CA
//! into `tsa/` of the trust folder; shown again, the screen offers the option, the holder signs
//! with it, and the signed PDF is B-LT for `kazasu verify` and valid for pyHanko's AdES
//! validation. Screenshots go to `target/kazasu-screenshots/app-long-term/`.
//!
//! Needs what `tests/tests/app_window.rs` needs: `xvfb-run`, `WebKitWebDriver`, `tauri-driver`,
//! node and `npm ci --prefix tests/browser` (scripts/install-deps does it), and the front end
//! built into `kazasu-app` (`npm run --prefix tauri-app build`, then `cargo build --bins`).

#![allow(clippy::unwrap_used)] // test helpers: a panic is the failure report

use std::ffi::OsStr;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use kazasu_core::pin::PinKind;
use kazasu_tests::app_driver::AppDriver;
use kazasu_tests::bins::{bin, run_kazasu, run_sim, text};
use kazasu_tests::child::{log, target_dir};
use kazasu_tests::pdf_fixture::sample_pdf;
use kazasu_tests::pyhanko::judged_valid;
use kazasu_tests::served::Served;
use kazasu_tests::tsa::Tsa;
use kazasu_tests::{SIGN_PIN, TestCard};

/// A CRL of the TSA's CA (revoking nothing) at `out`.
fn tsa_crl(tsa: &Tsa, out: &Path) {
    std::fs::write(out, tsa.crl(false)).unwrap();
}

/// pyHanko's AdES validation report of `pdf`, trusting only the signing CA and the TSA's CA.
fn pyhanko_ades(dir: &Path, pdf: &Path) -> String {
    let out = Command::new("python3")
        .args(["-m", "pyhanko", "sign", "adesverify", "--pretty-print"])
        .args([
            "--trust",
            "trust/sign-ca.pem",
            "--trust",
            "trust/tsa/ca.pem",
        ])
        .arg("--trust-replace")
        .arg(pdf)
        .current_dir(dir)
        .output()
        .expect("run pyHanko (scripts/install-deps installs it)");
    format!("{}{}", text(&out.stdout), text(&out.stderr))
}

#[test]
fn a_card_holder_signs_a_pdf_that_keeps_its_proof_for_years_in_the_app_window() {
    let started = Instant::now();

    // The card on a TCP "reader", its office's CAs and CRLs in the app's trust folder, and a
    // running TSA the app is not told about yet.
    let card = TestCard::new();
    let out = run_sim(card.path(), &["office", "export-trust", "trust"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let trust = card.dir().join("trust");
    let tsa = Tsa::start(&card.dir().join("tsa-server"));
    let served = Served::start(card.path(), &["--tcp", "127.0.0.1:0"]);
    let input = card.dir().join("contract.pdf");
    std::fs::write(&input, sample_pdf(2)).expect("write the PDF");
    let output = card.dir().join("contract-signed.pdf");

    let shots = target_dir().join("kazasu-screenshots/app-long-term");
    let _ = std::fs::remove_dir_all(&shots);
    std::fs::create_dir_all(&shots).expect("screenshot directory");

    let driver = AppDriver::start(
        card.dir(),
        &[("KAZASU_TRUST_DIR", trust.as_os_str())],
        shots.join("tauri-driver.log"),
    );

    let mut script = driver.script(
        "app-window-long-term.mjs",
        &shots,
        &[
            ("SIM_ADDRESS", OsStr::new(&served.tcp_address())),
            ("INPUT_PDF", OsStr::new(&input)),
            ("OUTPUT_PDF", OsStr::new(&output)),
            ("SIGN_PIN", OsStr::new(&SIGN_PIN)),
            ("TSA_URL", OsStr::new(&tsa.url())),
        ],
        || format!("TSA log:\n{}", log(&tsa.dir().join("tsa.log"))),
    );

    // No TSA set: the option is disabled and nothing was asked of the TSA.
    let no_tsa = script.step("NO_TSA ");
    assert!(
        !log(&tsa.dir().join("tsa.log")).contains("POST"),
        "the app contacted a TSA nobody configured: {no_tsa}"
    );
    // The person configures it: the URL in tsa.toml, the TSA's CA and its CRL in tsa/.
    std::fs::write(trust.join("tsa.toml"), format!("url = \"{}\"\n", tsa.url())).unwrap();
    std::fs::create_dir(trust.join("tsa")).unwrap();
    std::fs::copy(tsa.ca_pem(), trust.join("tsa/ca.pem")).unwrap();
    tsa_crl(&tsa, &trust.join("tsa/crl.pem"));
    script.tell("tsa configured");

    let signed = script.step("SIGNED ");
    script.step("DONE");
    script.finish();
    assert_eq!(card.state().tries_left(PinKind::Sign), 5);
    assert!(
        log(&tsa.dir().join("tsa.log")).contains("POST"),
        "the signature was made without asking the configured TSA"
    );

    // Kazasu's own check, trusting the signing CA and the TSA's CA.
    let out = run_kazasu(
        &bin("kazasu"),
        card.dir(),
        &[
            "verify",
            "--trust",
            "trust/sign-ca.pem",
            "--tsa-trust",
            "trust/tsa/ca.pem",
            "--crl",
            "trust/sign-crl.pem",
            output.to_str().unwrap(),
        ],
        "",
    );
    let report = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "kazasu verify: {report}");
    assert!(report.contains("PAdES level: B-LT"), "{report}");

    // And a third party's: pyHanko's AdES validation on the embedded data alone.
    let ades = pyhanko_ades(card.dir(), &output);
    assert!(judged_valid(&ades), "pyHanko: {ades}");
    assert_eq!(
        std::fs::read(&input).unwrap(),
        sample_pdf(2),
        "the original is untouched"
    );

    for shot in [
        "sign-profiles-no-tsa.png",
        "sign-profiles.png",
        "signed-long-term.png",
        "sign-profiles-ja.png",
    ] {
        let size = std::fs::metadata(shots.join(shot))
            .map(|m| m.len())
            .unwrap_or(0);
        assert!(size > 10_000, "{shot} is missing or blank ({size} bytes)");
    }
    println!(
        "no TSA: {no_tsa}\nsigned: {signed}\nscreenshots in {} ({:.1} s)",
        shots.display(),
        started.elapsed().as_secs_f64()
    );
}
