//! Text taken from certificates reaches the terminal with its control characters escaped: a
//! holder name carrying terminal escapes (retitle the window, clear the screen) cannot forge
//! `kazasu verify`'s verdict or hide it.

use kazasu_tests::bins::{bin, run_kazasu, text};

/// Sets the terminal's title, clears the screen and writes a fake verdict on a fresh line.
const HOSTILE_NAME: &str = "\u{1b}]0;pwned\u{7}\u{1b}[2J\rVALID\u{3000}Evil";

#[test]
fn a_hostile_name_in_a_certificate_is_printed_escaped() {
    let dir = tempfile::tempdir().expect("temp dir");
    let card = dir.path().join("card.json");
    let sim = |args: &[&str]| {
        let out = std::process::Command::new(bin("kazasu-sim"))
            .arg("--card")
            .arg(&card)
            .args(args)
            .current_dir(dir.path())
            .output()
            .expect("run kazasu-sim");
        assert!(
            out.status.success(),
            "kazasu-sim {args:?}: {}",
            text(&out.stderr)
        );
    };
    sim(&["new", "--name", HOSTILE_NAME, "--sign-pin", "TEST2026"]);
    sim(&["ca-export", "--sign", "-o", "sign-ca.pem"]);
    std::fs::write(dir.path().join("document.txt"), "a document\n").expect("write");
    let reader = format!("sim:{}", card.display());
    let out = run_kazasu(
        &bin("kazasu"),
        dir.path(),
        &["--reader", &reader, "sign", "--pin-stdin", "document.txt"],
        "TEST2026\n",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = run_kazasu(
        &bin("kazasu"),
        dir.path(),
        &[
            "verify",
            "document.txt",
            "--no-default-trust",
            "--trust",
            "sign-ca.pem",
        ],
        "",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    assert!(
        !out.stdout
            .iter()
            .any(|&b| b == 0x1B || b == 0x07 || b == b'\r'),
        "raw control characters reached the terminal: {shown:?}"
    );
    assert!(
        shown.contains("\\u{1b}]0;pwned"),
        "the name is shown, escaped: {shown}"
    );
}
