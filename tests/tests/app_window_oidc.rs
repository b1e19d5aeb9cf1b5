//! "Log in with My Number Card" (OpenID Connect, #15) in the app's real window: the debug build of
//! `kazasu-app` under Xvfb, driven through tauri-driver and WebKitWebDriver by
//! `tests/browser/app-window-oidc.mjs`.
//!
//! The Authlib demo starts an authorization asking for `name` and `birthdate`; the browser's side
//! (over HTTP, as `kazasu_tests::oidc` plays it) allows the consent and reads the page's
//! `kazasu://` link; the card holder pastes that link into the app's login screen, which names the
//! client and the claims, and types the authentication PIN and then the signing PIN. The browser
//! then gets its code, and Authlib's token answer carries the claims from the signing
//! certificate. Real Redis, kazasu-rp, Authlib, and the simulated card served over TCP.
//!
//! Needs what `app_window.rs` needs (xvfb-run, WebKitWebDriver, tauri-driver, node,
//! `npm ci --prefix tests/browser`) and what `oidc_claims.rs` needs (Redis, Authlib): all from
//! scripts/install-deps.

#![allow(clippy::unwrap_used)]

use std::ffi::OsStr;

use kazasu_core::pin::PinKind;
use kazasu_tests::app_driver::AppDriver;
use kazasu_tests::child::target_dir;
use kazasu_tests::oidc::{DEMO_CLIENT, OidcBench, get, open_with_consent, query_of, wait_done};
use kazasu_tests::served::Served;
use kazasu_tests::{AUTH_PIN, SIGN_PIN};

/// Where the signing CA and CRL are (claims come from a verified signing certificate).
const SIGNING: &str = "[oidc]\nsign_trust_anchors = [\"{trust}/sign-ca.pem\"]\nsign_crls = [\"{trust}/sign-crl.pem\"]\n";
/// What the demo asks for, and how the consent screen lists it.
const SCOPE: &str = "openid name birthdate";
const LISTED: [&str; 2] = ["your name", "your date of birth"];

#[test]
fn the_app_window_shows_who_asks_for_what_and_the_demo_gets_the_claims() {
    login_in_the_window("paste");
}

/// The app started with the page's link, as the system starts it for a `kazasu://` link (the
/// scheme registered through Tauri's deep-link plugin): the login screen comes filled in.
#[test]
fn the_app_opened_with_the_pages_link_comes_to_the_login_screen_filled_in() {
    login_in_the_window("open");
}

/// One OIDC login in the window, the link pasted (`mode` "paste") or given at start ("open").
fn login_in_the_window(mode: &str) {
    let bench = OidcBench::start(SIGNING, |_| {});
    let holder = kazasu_sim::HolderProfile::sample();
    let served = Served::start(bench.card.path(), &["--tcp", "127.0.0.1:0"]);

    // The browser's side: the demo's authorization, the consent allowed, the page's app link.
    let start = bench.authlib("start", DEMO_CLIENT, &["--scope", SCOPE]);
    let opened = open_with_consent(start["url"].as_str().unwrap(), &LISTED, true);
    let mut link = url::Url::parse("kazasu://login").unwrap();
    link.query_pairs_mut()
        .append_pair("url", &opened.challenge_url);

    let shots = target_dir().join(format!("kazasu-screenshots/app-oidc-{mode}"));
    let _ = std::fs::remove_dir_all(&shots);
    std::fs::create_dir_all(&shots).expect("screenshot directory");
    let data = bench.card.dir().join("app-home");
    let driver = AppDriver::start(&data, &[], shots.join("tauri-driver.log"));

    let script = driver.script(
        "app-window-oidc.mjs",
        &shots,
        &[
            ("SIM_ADDRESS", OsStr::new(&served.tcp_address())),
            ("APP_LINK", OsStr::new(&link.as_str())),
            ("AUTH_PIN", OsStr::new(&AUTH_PIN)),
            ("SIGN_PIN", OsStr::new(&SIGN_PIN)),
            ("LINK_MODE", OsStr::new(&mode)),
        ],
        || format!("providers:\n{}", bench.logs()),
    );
    let asks = script.step("ASKS ");
    let logged_in = script.step("LOGGED_IN ");
    script.step("DONE");
    script.finish();
    // Both PINs were right: both counters full.
    let state = bench.card.state();
    assert_eq!(
        (
            state.tries_left(PinKind::Auth),
            state.tries_left(PinKind::Sign)
        ),
        (3, 5)
    );

    // The browser gets its code; Authlib's token answer carries the consented claims only.
    assert_eq!(wait_done(&bench.issuer, &opened.nonce)["state"], "done");
    let next = get(
        &format!("{}/oidc/continue/{}", bench.issuer, opened.nonce),
        Some(&opened.cookie),
    );
    let code = query_of(&next.location.expect("a redirect to the demo"))["code"].clone();
    let answer = bench.authlib(
        "token",
        DEMO_CLIENT,
        &[
            "--code",
            &code,
            "--secret",
            &bench.secret,
            "--code-verifier",
            start["code_verifier"].as_str().unwrap(),
            "--nonce",
            start["nonce"].as_str().unwrap(),
        ],
    );
    assert_eq!(answer["ok"], true, "{answer}");
    assert_eq!(answer["claims"]["name"], holder.name.as_str(), "{answer}");
    assert_eq!(
        answer["claims"]["birthdate"],
        holder.birth_date.to_string(),
        "{answer}"
    );
    assert!(answer["claims"].get("address").is_none(), "{answer}");
    for shot in [
        format!("oidc-{mode}-1-asks.png"),
        format!("oidc-{mode}-2-logged-in.png"),
    ] {
        let size = std::fs::metadata(shots.join(&shot))
            .map(|m| m.len())
            .unwrap_or(0);
        assert!(size > 10_000, "{shot} is missing or blank ({size} bytes)");
    }
    println!(
        "asks: {asks}\nlogin: {logged_in}\nscreenshots in {}",
        shots.display()
    );
}
