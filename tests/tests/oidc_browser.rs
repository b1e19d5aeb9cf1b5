//! "Log in with My Number Card" at a service built with Authlib, in a real browser: headless
//! Debian Chromium driven by Playwright (`tests/browser/oidc-login.mjs`) opens the demo service
//! (`examples/oidc-demo`), is sent to kazasu-rp's authorization page, and comes back logged in
//! once the phone (`kazasu login <QR URL>` with the simulated card) has logged in. Redis and two
//! kazasu-rp instances, as in `oidc.rs`.
//!
//! Screenshots of each step go to `target/kazasu-screenshots/oidc/`; with `KAZASU_BLESS=1` they
//! are also copied into `docs/oidc/`, where the README shows them.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use kazasu_tests::bins::text;
use kazasu_tests::child::{Killed, line_with, lines_of, log, target_dir};
use kazasu_tests::oidc::{OidcBench, PIN};
use kazasu_tests::{AUTH_PIN, SIGN_PIN};

/// The screenshots of a plain login, in order.
const SHOTS: [&str; 3] = ["1-service.png", "2-authorize.png", "3-logged-in.png"];
/// The screenshots of a login that shares the name and date of birth, in order.
const PERSONAL_SHOTS: [&str; 4] = [
    "personal-1-service.png",
    "personal-2-consent.png",
    "personal-3-authorize.png",
    "personal-4-logged-in.png",
];

#[test]
fn a_person_logs_in_to_an_authlib_service_with_the_card() {
    let status = browser_login(&[], &SHOTS, &format!("{PIN}\n"));
    assert!(!status.contains("birthdate"), "{status}");
}

#[test]
fn a_person_consents_to_share_their_name_and_date_of_birth() {
    let status = browser_login(
        &["personal"],
        &PERSONAL_SHOTS,
        &format!("{AUTH_PIN}\n{SIGN_PIN}\n"),
    );
    let holder = kazasu_sim::HolderProfile::sample();
    // The page text has its white space folded (U+3000 included).
    assert!(
        status.contains(&holder.name.replace('\u{3000}', " ")),
        "{status}"
    );
    assert!(status.contains(&holder.birth_date.to_string()), "{status}");
    assert!(
        !status.contains("address"),
        "not asked, not released: {status}"
    );
}

/// The demo in Chromium, the phone answering with `stdin`: the demo's final text.
fn browser_login(mode: &[&str], shots_expected: &[&str], stdin: &str) -> String {
    let browser_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("browser");
    assert!(
        browser_dir.join("node_modules/playwright-core").is_dir(),
        "playwright-core is not installed: run `npm ci --prefix tests/browser` (scripts/install-deps)"
    );
    let bench = OidcBench::start(
        "[oidc]\nsign_trust_anchors = [\"{trust}/sign-ca.pem\"]\nsign_crls = [\"{trust}/sign-crl.pem\"]\n",
        |_| {},
    );
    let shots = target_dir().join("kazasu-screenshots").join("oidc");
    std::fs::create_dir_all(&shots).unwrap();
    for old in shots_expected {
        let _ = std::fs::remove_file(shots.join(old));
    }
    let node_log = shots.join(format!("oidc-login{}.log", mode.join("-")));
    let mut node = Killed::new(
        Command::new("node")
            .arg("oidc-login.mjs")
            .arg(format!("{}/", bench.demo))
            .arg(&shots)
            .args(mode)
            .current_dir(&browser_dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&node_log).unwrap())
            .spawn()
            .expect("node"),
    );
    let lines = lines_of(node.child());
    let challenge_url = line_with(&lines, "CHALLENGE_URL ", Duration::from_secs(60))
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", log(&node_log), bench.logs()));
    assert!(
        challenge_url.starts_with(&format!("{}/v1/login/challenge/", bench.issuer)),
        "{challenge_url}"
    );
    let out = bench.phone_with(bench.card.path(), &challenge_url, &[], stdin);
    assert!(
        out.status.success(),
        "kazasu login: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let status = line_with(&lines, "STATUS ", Duration::from_secs(90))
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", log(&node_log), bench.logs()));
    assert!(
        status.contains("Logged in with the My Number Card"),
        "{status}"
    );
    assert!(
        status.contains("sub") && status.contains("card"),
        "{status}"
    );
    let exit = node
        .wait_for(Duration::from_secs(20))
        .expect("the script exits");
    assert!(exit.success(), "{}", log(&node_log));
    let bless = std::env::var_os("KAZASU_BLESS").is_some();
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/oidc");
    for shot in shots_expected {
        let path = shots.join(shot);
        assert!(
            std::fs::metadata(&path).unwrap().len() > 0,
            "{}",
            path.display()
        );
        if bless {
            std::fs::create_dir_all(&docs).unwrap();
            std::fs::copy(&path, docs.join(shot)).unwrap();
        }
    }
    status
}
