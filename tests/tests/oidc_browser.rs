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

/// The screenshots, in order.
const SHOTS: [&str; 3] = ["1-service.png", "2-authorize.png", "3-logged-in.png"];

#[test]
fn a_person_logs_in_to_an_authlib_service_with_the_card() {
    let browser_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("browser");
    assert!(
        browser_dir.join("node_modules/playwright-core").is_dir(),
        "playwright-core is not installed: run `npm ci --prefix tests/browser` (scripts/install-deps)"
    );
    let bench = OidcBench::start("", |_| {});
    let shots = target_dir().join("kazasu-screenshots").join("oidc");
    std::fs::create_dir_all(&shots).unwrap();
    for old in SHOTS.iter().chain(&["failure.png"]) {
        let _ = std::fs::remove_file(shots.join(old));
    }
    let node_log = shots.join("oidc-login.log");
    let mut node = Killed::new(
        Command::new("node")
            .arg("oidc-login.mjs")
            .arg(format!("{}/", bench.demo))
            .arg(&shots)
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
    let out = bench.phone(&challenge_url, PIN);
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
    for shot in SHOTS {
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
}
