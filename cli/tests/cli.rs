//! `kazasu` as a person or a script uses it, against simulated cards.

use std::path::Path;
use std::process::{Command, Output};

use kazasu_core::pin::PinKind;
use kazasu_sim::CertKind;
use kazasu_tests::bins::{run_kazasu, text};
use kazasu_tests::{AUTH_PIN, CARD_INFO_PIN, SIGN_PIN, TestCard};

/// Runs `kazasu --reader sim:CARD ARGS` with `stdin` fed in, in an empty home directory.
fn kazasu(card: &TestCard, args: &[&str], stdin: &str) -> Output {
    let reader = format!("sim:{}", card.path().display());
    let mut all = vec!["--reader", reader.as_str()];
    all.extend_from_slice(args);
    run(card.dir(), &all, stdin)
}

fn run(home: &Path, args: &[&str], stdin: &str) -> Output {
    run_kazasu(Path::new(env!("CARGO_BIN_EXE_kazasu")), home, args, stdin)
}

fn tries(card: &TestCard) -> [u8; 3] {
    let s = card.state();
    [
        s.tries_left(PinKind::Auth),
        s.tries_left(PinKind::Sign),
        s.tries_left(PinKind::CardInfo),
    ]
}

#[test]
fn status_shows_token_certificates_and_tries() {
    let card = TestCard::new();
    let out = kazasu(&card, &["status", "--at", "2027-01-01"], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("My Number Card"), "{stdout}");
    assert!(
        stdout.contains("2031-03-15"),
        "expiry of the auth certificate: {stdout}"
    );
    assert!(
        stdout.contains("3 tries left") && stdout.contains("5 tries left"),
        "{stdout}"
    );
}

#[test]
fn status_json_reports_renewal_window_on_a_chosen_date() {
    let card = TestCard::new();
    let out = kazasu(&card, &["--json", "status", "--at", "2031-01-10"], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    let s = v.to_string();
    assert!(s.contains("renewal_window"), "{s}");
    let out = kazasu(&card, &["--json", "status", "--at", "2031-03-16"], "");
    let s = text(&out.stdout);
    assert!(s.contains("expired"), "{s}");
}

#[test]
fn trace_reports_apdus_and_bytes() {
    let card = TestCard::new();
    let out = kazasu(&card, &["--trace", "pin", "status"], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("APDUs") && stderr.contains("bytes sent"),
        "{stderr}"
    );
}

#[test]
fn wrong_pin_exits_3_and_says_tries_left() {
    let card = TestCard::new();
    let out = kazasu(&card, &["pin", "verify", "--auth", "--pin-stdin"], "0000\n");
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("2 tries left"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(tries(&card), [2, 5, 3]);
}

#[test]
fn malformed_pins_exit_2_and_cost_nothing() {
    let card = TestCard::new();
    for (flag, bad) in [
        ("--auth", "123"),
        ("--auth", "12345"),
        ("--sign", "ABCDEF"),
        ("--sign", "abc-123"),
        ("--card-info", "abcd"),
    ] {
        let out = kazasu(
            &card,
            &["pin", "verify", flag, "--pin-stdin"],
            &format!("{bad}\n"),
        );
        assert_eq!(
            out.status.code(),
            Some(2),
            "{flag} {bad:?}: {}",
            text(&out.stderr)
        );
    }
    assert_eq!(tries(&card), [3, 5, 3], "no counter moved");
}

#[test]
fn last_try_is_announced_before_the_pin_is_asked() {
    let card = TestCard::new();
    kazasu(&card, &["pin", "verify", "--auth", "--pin-stdin"], "0000\n");
    kazasu(&card, &["pin", "verify", "--auth", "--pin-stdin"], "0000\n");
    let out = kazasu(
        &card,
        &["pin", "verify", "--auth", "--pin-stdin"],
        &format!("{AUTH_PIN}\n"),
    );
    assert!(out.status.success());
    assert!(
        text(&out.stderr).to_lowercase().contains("last try"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn locked_pin_exits_4_without_asking_for_the_pin() {
    let card = TestCard::new();
    for _ in 0..3 {
        kazasu(&card, &["pin", "verify", "--auth", "--pin-stdin"], "0000\n");
    }
    // No PIN on stdin: a locked PIN must be refused before one is read.
    let out = kazasu(&card, &["pin", "verify", "--auth", "--pin-stdin"], "");
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("municipal office"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn pin_change_then_old_pin_fails() {
    let card = TestCard::new();
    let out = kazasu(
        &card,
        &["pin", "change", "--sign", "--pin-stdin"],
        &format!("{SIGN_PIN}\nnewpin77\n"),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("uppercase"),
        "lowercase was converted and said so"
    );
    let out = kazasu(
        &card,
        &["pin", "verify", "--sign", "--pin-stdin"],
        &format!("{SIGN_PIN}\n"),
    );
    assert_eq!(out.status.code(), Some(3));
    let out = kazasu(
        &card,
        &["pin", "verify", "--sign", "--pin-stdin"],
        "NEWPIN77\n",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn cert_export_pem_and_der_are_read_by_openssl() {
    let card = TestCard::new();
    let pem = card.dir().join("auth.pem");
    let out = kazasu(
        &card,
        &["cert", "export", "auth", "-o", pem.to_str().unwrap()],
        "",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let der = card.dir().join("sign.der");
    let out = kazasu(
        &card,
        &[
            "cert",
            "export",
            "sign",
            "--der",
            "--pin-stdin",
            "-o",
            der.to_str().unwrap(),
        ],
        &format!("{SIGN_PIN}\n"),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    for (file, form) in [(&pem, "PEM"), (&der, "DER")] {
        let o = Command::new("openssl")
            .args(["x509", "-noout", "-subject", "-inform", form, "-in"])
            .arg(file)
            .output()
            .unwrap();
        assert!(o.status.success(), "{form}: {}", text(&o.stderr));
    }
}

#[test]
fn sign_raw_makes_a_signature_openssl_accepts() {
    let card = TestCard::new();
    let doc = card.dir().join("doc.txt");
    std::fs::write(&doc, b"a document").unwrap();
    let out = kazasu(
        &card,
        &[
            "sign-raw",
            "--key",
            "sign",
            "--pin-stdin",
            doc.to_str().unwrap(),
        ],
        &format!("{SIGN_PIN}\n"),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let pem = card.dir().join("sign.pem");
    let out = kazasu(
        &card,
        &[
            "cert",
            "export",
            "sign",
            "--pin-stdin",
            "-o",
            pem.to_str().unwrap(),
        ],
        &format!("{SIGN_PIN}\n"),
    );
    assert!(out.status.success());
    let pubkey = Command::new("openssl")
        .args(["x509", "-pubkey", "-noout", "-in"])
        .arg(&pem)
        .output()
        .unwrap();
    std::fs::write(card.dir().join("pub.pem"), pubkey.stdout).unwrap();
    let v = Command::new("openssl")
        .args(["dgst", "-sha256", "-verify"])
        .arg(card.dir().join("pub.pem"))
        .arg("-signature")
        .arg(card.dir().join("doc.txt.sig"))
        .arg(&doc)
        .output()
        .unwrap();
    assert!(v.status.success(), "{}", text(&v.stdout));
}

#[test]
fn sign_raw_of_a_missing_file_asks_for_no_pin() {
    let card = TestCard::new();
    let missing = card.dir().join("nope.txt");
    let out = kazasu(
        &card,
        &[
            "sign-raw",
            "--key",
            "auth",
            "--pin-stdin",
            missing.to_str().unwrap(),
        ],
        "0000\n",
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(tries(&card), [3, 5, 3]);
}

#[test]
fn card_info_shows_my_number_and_basic_facts() {
    let card = TestCard::new();
    let out = kazasu(
        &card,
        &["--json", "card-info", "--pin-stdin"],
        &format!("{CARD_INFO_PIN}\n"),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let holder = card.state().holder().clone();
    let s = v.to_string();
    // The card separates family and given name with U+3000, as real cards do.
    assert!(s.contains(&holder.name.replace(' ', "\u{3000}")), "{s}");
    assert!(s.contains(&holder.address), "{s}");
    assert!(s.contains(holder.my_number.as_str()), "{s}");
}

#[test]
fn card_info_with_code_b_shows_the_facts_and_says_the_card_is_genuine() {
    let card = TestCard::new();
    let code_b = card.code(PinKind::CardInfoCodeB);
    let out = kazasu(
        &card,
        &["card-info", "--code-b", "--pin-stdin"],
        &format!("{code_b}\n"),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("Card:        genuine"), "{stdout}");
    assert!(stdout.contains("Birth date:  1990-03-15"), "{stdout}");
    assert!(
        !stdout.contains("My Number"),
        "code B does not open My Number: {stdout}"
    );
    assert!(text(&out.stderr).contains("card-info code B: 10 tries left"));

    // A wrong code: exit 3 with the tries left; a mistyped one: exit 2, nothing sent.
    let out = kazasu(
        &card,
        &["card-info", "--code-a", "--pin-stdin"],
        "000000000000\n",
    );
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("9 tries left"),
        "{}",
        text(&out.stderr)
    );
    let out = kazasu(
        &card,
        &["card-info", "--code-a", "--pin-stdin"],
        "123456789010\n",
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert_eq!(card.state().tries_left(PinKind::CardInfoCodeA), 9);
}

#[test]
fn card_surface_writes_the_photo_as_png_and_the_images() {
    let card = TestCard::new();
    let code_a = card.code(PinKind::SurfaceCodeA);
    let out_dir = card.dir().join("face");
    let out = kazasu(
        &card,
        &[
            "card-surface",
            "--pin-stdin",
            "-o",
            out_dir.to_str().unwrap(),
        ],
        &format!("{code_a}\n"),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("key signed the face, photo and images"),
        "{stdout}"
    );
    for name in [
        "photo.png",
        "photo.jp2",
        "name.png",
        "address.png",
        "security-code.png",
        "my-number.png",
    ] {
        assert!(out_dir.join(name).is_file(), "{name} written: {stdout}");
    }
    let photo = std::fs::read(out_dir.join("photo.png")).unwrap();
    let reader = png::Decoder::new(std::io::Cursor::new(photo))
        .read_info()
        .unwrap();
    assert!(reader.info().width >= 100, "a real picture");
}

#[test]
fn a_default_card_is_created_on_first_use() {
    let home = tempfile::tempdir().unwrap();
    let out = run(home.path(), &["--reader", "sim", "status"], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("created a simulated My Number Card"));
    assert!(home.path().join("data/kazasu/sim/card.json").exists());
    let out = run(home.path(), &["--reader", "sim", "status"], "");
    assert!(!text(&out.stderr).contains("created"), "only once");
}

#[test]
fn without_a_reader_the_default_never_falls_back_to_a_test_card() {
    let home = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_kazasu"))
        .arg("status")
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env_remove("KAZASU_READER")
        // A PC/SC service that is not there, whatever runs on this machine.
        .env("PCSCLITE_CSOCK_NAME", home.path().join("no-pcscd.comm"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(5), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("no card found on a PC/SC reader"), "{err}");
    assert!(err.contains("PC/SC service is not running"), "{err}");
    assert!(err.contains("--reader"), "{err}");
    assert!(!home.path().join("data/kazasu/sim/card.json").exists());
}

#[test]
fn a_missing_sim_path_is_an_error_not_a_new_card() {
    let home = tempfile::tempdir().unwrap();
    let path = home.path().join("typo.json");
    let out = run(
        home.path(),
        &["--reader", &format!("sim:{}", path.display()), "status"],
        "",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("kazasu-sim new"));
    assert!(!path.exists());
}

#[test]
fn verify_trusts_the_built_in_jlis_roots_not_the_simulator_unless_told() {
    let card = TestCard::new();
    std::fs::write(card.dir().join("doc.txt"), "agreed").unwrap();
    let out = kazasu(
        &card,
        &["sign", "--pin-stdin", "doc.txt"],
        &format!("{SIGN_PIN}\n"),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let ca = card.dir().join("sign-ca.der");
    std::fs::write(&ca, card.state().certificate_der(CertKind::SignCa)).unwrap();
    let ca = ca.to_str().unwrap();

    // Only the built-in J-LIS roots: the simulator's test CA is not among them.
    let out = run(card.dir(), &["verify", "doc.txt"], "");
    assert_eq!(out.status.code(), Some(6), "{}", text(&out.stderr));
    // The simulator's CA given by hand: trusted beside the built-in roots, or alone.
    let out = run(card.dir(), &["verify", "doc.txt", "--trust", ca], "");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let out = run(
        card.dir(),
        &["verify", "doc.txt", "--no-default-trust", "--trust", ca],
        "",
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    // Trusting nothing at all is a usage error, not a verdict.
    let out = run(card.dir(), &["verify", "doc.txt", "--no-default-trust"], "");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("--trust"),
        "{}",
        text(&out.stderr)
    );
}
