//! "Log in with the card" end to end: `kazasu login` with the simulated card against a running
//! `kazasu-rp`, as a person would use them. (Protocol corner cases are in relying-party/tests.)

#![allow(clippy::unwrap_used)] // test helpers: a panic is the failure report

use std::process::{Command, Output};

use kazasu_core::pin::PinKind;
use kazasu_tests::bins::{bin, run_kazasu, run_sim, text};
use kazasu_tests::rp::RelyingParty;
use kazasu_tests::{AUTH_PIN, TestCard};

fn sim(card: &TestCard, args: &[&str]) {
    run_sim(card.path(), args);
}

/// A card, its CA and CRL exported, and a relying party trusting them.
fn setup() -> (TestCard, RelyingParty) {
    let card = TestCard::new();
    sim(&card, &["office", "export-trust", "trust"]);
    let rp = RelyingParty::start(card.dir(), &card.dir().join("trust"), "");
    (card, rp)
}

fn login(card: &TestCard, args: &[&str], stdin: &str) -> Output {
    let reader = format!("sim:{}", card.path().display());
    let mut all = vec!["--reader", reader.as_str(), "login"];
    all.extend_from_slice(args);
    run_kazasu(&bin("kazasu"), card.dir(), &all, stdin)
}

fn auth_serial(card: &TestCard) -> String {
    kazasu_core::cert::CardCertificate::from_der(
        card.state().certificate_der(kazasu_sim::CertKind::Auth),
    )
    .unwrap()
    .serial_hex()
}

#[test]
fn a_good_login_gives_a_session_for_the_cards_certificate() {
    let (card, rp) = setup();
    let out = login(&card, &[rp.url(), "--pin-stdin"], &format!("{AUTH_PIN}\n"));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains(&format!("Logged in to {}", rp.url())),
        "{stdout}"
    );
    assert!(
        stdout
            .to_lowercase()
            .contains(&auth_serial(&card).to_lowercase()),
        "{stdout}"
    );
    let out = login(&card, &[rp.url(), "--pin-stdin"], &format!("{AUTH_PIN}\n"));
    let json = run_kazasu(
        &bin("kazasu"),
        card.dir(),
        &[
            "--reader",
            &format!("sim:{}", card.path().display()),
            "--json",
            "login",
            rp.url(),
            "--pin-stdin",
        ],
        &format!("{AUTH_PIN}\n"),
    );
    assert!(out.status.success() && json.status.success());
    let session: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(
        session["token"].as_str().unwrap().split('.').count(),
        3,
        "a JWS"
    );
    assert_eq!(card.state().tries_left(PinKind::Auth), 3);
}

/// `--trace` counts a login's APDUs as for every other command: a cold login is 5 where the
/// link carries extended length (the in-process card does), as `tests/budget.rs` asserts.
#[test]
fn trace_counts_the_apdus_of_a_login() {
    let (card, rp) = setup();
    let reader = format!("sim:{}", card.path().display());
    let out = run_kazasu(
        &bin("kazasu"),
        card.dir(),
        &[
            "--trace",
            "--reader",
            &reader,
            "login",
            rp.url(),
            "--pin-stdin",
        ],
        &format!("{AUTH_PIN}\n"),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("trace: 5 APDUs"),
        "{}",
        text(&out.stderr)
    );
}

/// The person sees which service asks (its origin and relying-party id) before the PIN is
/// asked for: here the PIN never comes (empty input), and the service was already named.
#[test]
fn the_service_is_named_before_the_pin_is_asked() {
    let (card, rp) = setup();
    let out = login(&card, &[rp.url(), "--pin-stdin"], "");
    assert_ne!(out.status.code(), Some(0));
    let err = text(&out.stderr);
    let named = err
        .find(&format!(
            "Logging in to {} (relying party \"127.0.0.1\")",
            rp.url()
        ))
        .unwrap_or_else(|| panic!("the service is not named: {err}"));
    let pin = err
        .find("reading the")
        .unwrap_or_else(|| panic!("no PIN was asked for: {err}"));
    assert!(named < pin, "{err}");
    assert_eq!(card.state().tries_left(PinKind::Auth), 3);
}

#[test]
fn a_wrong_pin_costs_a_try_and_sends_nothing() {
    let (card, rp) = setup();
    let out = login(&card, &[rp.url(), "--pin-stdin"], "0000\n");
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("2 tries left"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_locked_pin_is_refused_before_anything_is_sent() {
    let card = TestCard::new();
    for _ in 0..3 {
        run_kazasu(
            &bin("kazasu"),
            card.dir(),
            &[
                "--reader",
                &format!("sim:{}", card.path().display()),
                "pin",
                "verify",
                "--auth",
                "--pin-stdin",
            ],
            "0000\n",
        );
    }
    // Nothing listens here: an attempt to contact the service would fail differently.
    let out = login(
        &card,
        &["http://127.0.0.1:9/", "--pin-stdin"],
        &format!("{AUTH_PIN}\n"),
    );
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("municipal office"), "{err}");
    assert!(!err.contains("reach"), "no request was attempted: {err}");
}

#[test]
fn a_login_for_another_origin_is_refused() {
    let (card, rp) = setup();
    // The same server reached by another name: the client signs the origin it really talks to.
    let other = rp.url().replace("127.0.0.1", "localhost");
    let out = login(&card, &[&other, "--pin-stdin"], &format!("{AUTH_PIN}\n"));
    assert_ne!(out.status.code(), Some(0));
    let err = text(&out.stderr);
    assert!(err.contains("refused") && err.contains("origin"), "{err}");
}

#[test]
fn a_revoked_authentication_certificate_is_refused() {
    let card = TestCard::new();
    sim(&card, &["office", "revoke", "--auth"]);
    sim(&card, &["office", "export-trust", "trust"]);
    let rp = RelyingParty::start(card.dir(), &card.dir().join("trust"), "");
    let out = login(&card, &[rp.url(), "--pin-stdin"], &format!("{AUTH_PIN}\n"));
    assert_ne!(out.status.code(), Some(0));
    assert!(
        text(&out.stderr).contains("revoked"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_service_trusting_another_ca_refuses_the_card() {
    let card = TestCard::new();
    sim(&card, &["office", "export-trust", "trust"]);
    // The "other" CA: a fresh one made with OpenSSL, with the card's CRL file name.
    let foreign = card.dir().join("foreign");
    std::fs::create_dir(&foreign).unwrap();
    let out = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "30",
            "-subj",
            "/C=JP/O=Elsewhere CA",
        ])
        .arg("-keyout")
        .arg(foreign.join("key.pem"))
        .arg("-out")
        .arg(foreign.join("auth-ca.pem"))
        .output()
        .unwrap();
    assert!(out.status.success());
    std::fs::copy(
        card.dir().join("trust/auth-crl.pem"),
        foreign.join("auth-crl.pem"),
    )
    .unwrap();
    let rp = RelyingParty::start(card.dir(), &foreign, "");
    let out = login(&card, &[rp.url(), "--pin-stdin"], &format!("{AUTH_PIN}\n"));
    assert_ne!(out.status.code(), Some(0));
    assert!(
        text(&out.stderr).contains("not from a trusted"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_bound_device_logs_in_without_the_card_until_it_is_revoked() {
    let (card, rp) = setup();
    let out = login(
        &card,
        &[rp.url(), "--bind-device", "--pin-stdin"],
        &format!("{AUTH_PIN}\n"),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    // The key is kept for this card at this service only, readable by this user only, written
    // whole (no temporary file left beside it).
    let dir = card.dir().join("data").join("kazasu").join("devices");
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let name = files[0].file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        name.ends_with(&format!(".{}.pem", auth_serial(&card).to_lowercase())),
        "{name}"
    );
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&files[0]).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // Without the card: the reader names a card that does not exist.
    let no_card = |args: &[&str]| {
        let mut all = vec!["--reader", "sim:/nonexistent/card.json", "--json", "login"];
        all.extend_from_slice(args);
        run_kazasu(&bin("kazasu"), card.dir(), &all, "")
    };
    let out = no_card(&[rp.url(), "--device"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let session: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let token = session["token"].as_str().unwrap().to_owned();
    let device_id = session["device_id"].as_str().unwrap().to_owned();
    // A device session is not enough for a high-assurance operation.
    let high = ureq::get(&format!("{}/v1/high-assurance", rp.url()))
        .set("Authorization", &format!("Bearer {token}"))
        .call();
    assert!(matches!(high, Err(ureq::Error::Status(403, _))), "{high:?}");
    // The person revokes the device; it can no longer log in.
    let revoked = ureq::delete(&format!("{}/v1/devices/{device_id}", rp.url()))
        .set("Authorization", &format!("Bearer {token}"))
        .call()
        .unwrap();
    assert_eq!(revoked.status(), 204);
    let out = no_card(&[rp.url(), "--device"]);
    assert_ne!(out.status.code(), Some(0));
    assert!(
        text(&out.stderr).contains("unknown or revoked device"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn an_expired_challenge_is_refused() {
    let card = TestCard::new();
    sim(&card, &["office", "export-trust", "trust"]);
    let rp = RelyingParty::start(
        card.dir(),
        &card.dir().join("trust"),
        "challenge_ttl_seconds = 1",
    );
    let made: serde_json::Value = ureq::post(&format!("{}/v1/login/challenge", rp.url()))
        .send_json(serde_json::json!({}))
        .unwrap()
        .into_json()
        .unwrap();
    let url = made["challenge_url"].as_str().unwrap().to_owned();
    std::thread::sleep(std::time::Duration::from_millis(2500));
    let out = login(&card, &[&url, "--pin-stdin"], &format!("{AUTH_PIN}\n"));
    assert_ne!(out.status.code(), Some(0));
    assert!(
        text(&out.stderr).contains("expired"),
        "{}",
        text(&out.stderr)
    );
}
