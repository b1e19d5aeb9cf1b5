//! Every `kazasu` command, run in order through one reader, recorded so that two readers can be
//! compared: the same card behind pcscd, libnfc or TCP must give what it gives in-process.

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::bins::{bin, run_kazasu, text};
use crate::{AUTH_PIN, CARD_INFO_PIN, SIGN_PIN};

/// One command's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The command line after `--reader …`.
    pub command: String,
    /// Its exit code.
    pub code: Option<i32>,
    /// What it printed on standard output.
    pub stdout: String,
    /// SHA-256 of the file it wrote, if it wrote one.
    pub written: Option<String>,
}

/// What every command does, with the PINs it reads from standard input and the file it writes.
fn script() -> Vec<(Vec<&'static str>, String, Option<&'static str>)> {
    let wrong_sign = "WRONG123\n".to_owned();
    vec![
        (vec!["status", "--at", "2027-01-01"], String::new(), None),
        (
            vec!["--json", "status", "--at", "2027-01-01"],
            String::new(),
            None,
        ),
        (vec!["pin", "status"], String::new(), None),
        (vec!["cert", "show", "auth"], String::new(), None),
        (vec!["cert", "export", "auth-ca"], String::new(), None),
        (vec!["cert", "export", "sign-ca"], String::new(), None),
        (
            vec!["cert", "export", "auth", "--der", "-o", "auth.der"],
            String::new(),
            Some("auth.der"),
        ),
        (
            vec!["cert", "show", "sign", "--pin-stdin"],
            format!("{SIGN_PIN}\n"),
            None,
        ),
        (
            vec!["pin", "verify", "--sign", "--pin-stdin"],
            wrong_sign,
            None,
        ),
        (
            vec!["pin", "verify", "--auth", "--pin-stdin"],
            format!("{AUTH_PIN}\n"),
            None,
        ),
        (
            vec!["card-info", "--pin-stdin"],
            format!("{CARD_INFO_PIN}\n"),
            None,
        ),
        (
            vec![
                "sign-raw",
                "--key",
                "auth",
                "--pin-stdin",
                "doc.txt",
                "-o",
                "auth.sig",
            ],
            format!("{AUTH_PIN}\n"),
            Some("auth.sig"),
        ),
        (
            vec![
                "sign-raw",
                "--key",
                "sign",
                "--pin-stdin",
                "doc.txt",
                "-o",
                "sign.sig",
            ],
            format!("{SIGN_PIN}\n"),
            Some("sign.sig"),
        ),
        (
            vec!["pin", "change", "--auth", "--pin-stdin"],
            format!("{AUTH_PIN}\n9876\n"),
            None,
        ),
        (
            vec!["pin", "verify", "--auth", "--pin-stdin"],
            "9876\n".to_owned(),
            None,
        ),
        (vec!["pin", "status"], String::new(), None),
    ]
}

/// Runs every command through `reader` (a `--reader` value), working in `home`.
pub fn run_every_command(reader: &str, home: &Path) -> Vec<Step> {
    std::fs::write(
        home.join("doc.txt"),
        "かざす: the same document, signed through every reader\n",
    )
    .expect("write the document");
    let kazasu = bin("kazasu");
    script()
        .into_iter()
        .map(|(args, stdin, writes)| {
            let mut all = vec!["--reader", reader];
            all.extend_from_slice(&args);
            let out = run_kazasu(&kazasu, home, &all, &stdin);
            let written = writes
                .and_then(|f| std::fs::read(home.join(f)).ok())
                .map(|bytes| {
                    let _ = std::fs::remove_file(home.join(writes.unwrap_or_default()));
                    hex::encode(Sha256::digest(bytes))
                });
            Step {
                command: args.join(" "),
                code: out.status.code(),
                stdout: text(&out.stdout),
                written,
            }
        })
        .collect()
}

/// Asserts that two transcripts are the same, command by command, and that they did something.
pub fn assert_same(expected: &[Step], actual: &[Step], reader: &str) {
    assert_eq!(expected.len(), actual.len());
    for (e, a) in expected.iter().zip(actual) {
        assert_eq!(
            e, a,
            "`kazasu {}` through {reader} differs from in-process",
            e.command
        );
    }
    // Guard against two equally broken runs: the script's expected exit codes.
    let codes: Vec<Option<i32>> = expected.iter().map(|s| s.code).collect();
    let mut want = vec![Some(0); codes.len()];
    want[8] = Some(3); // the wrong signing PIN
    assert_eq!(codes, want, "{expected:#?}");
}
