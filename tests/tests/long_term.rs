//! Long-term signatures made with the simulated card, a real TSA (OpenSSL's, `tests/src/tsa.rs`)
//! and the simulated office's CRLs, judged by Kazasu and by pyHanko's AdES validation
//! (`pyhanko sign adesverify`), OpenSSL (`ts -verify`, `cms -verify`) and poppler's `pdfsig`.
//! The scenario: sign, then the holder moves (the signing certificate is revoked) and the
//! certificate expires; a B-LT/B-LTA signature stays valid at its timestamp, a B-B one does not.

#![allow(clippy::unwrap_used)] // test helpers: a panic is the failure report

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use kazasu_core::cms::unsigned;
use kazasu_core::pdf;
use kazasu_tests::bins::{bin, run_kazasu, run_sim, text};
use kazasu_tests::pdf_fixture::sample_pdf;
use kazasu_tests::pyhanko::judged_valid;
use kazasu_tests::tsa::Tsa;
use kazasu_tests::{SIGN_PIN, TestCard};

/// Long after the test card's signing certificate expires (issued 2026-04-01, five years).
const AFTER_EXPIRY: &str = "2032-06-01T00:00:00Z";

/// A card, its office's trust material, a running TSA with a CRL of its CA.
struct Desk {
    card: TestCard,
    tsa: Tsa,
}

impl Desk {
    fn new() -> Desk {
        let card = TestCard::new();
        let tsa = Tsa::start(&card.dir().join("tsa"));
        let desk = Desk { card, tsa };
        desk.export_trust();
        desk.tsa_crl();
        std::fs::write(desk.path("contract.pdf"), sample_pdf(2)).unwrap();
        std::fs::write(desk.path("ledger.csv"), b"2026-12-03,invoice 42,10000\n").unwrap();
        desk
    }

    fn dir(&self) -> &Path {
        self.card.dir()
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir().join(name)
    }

    /// The office's CA certificates and current CRLs in `trust/`.
    fn export_trust(&self) {
        let out = run_sim(self.card.path(), &["office", "export-trust", "trust"]);
        assert!(out.status.success(), "{}", text(&out.stderr));
    }

    /// A new CRL of the TSA's CA (revoking nothing) in `tsa/crl.pem`.
    fn tsa_crl(&self) {
        std::fs::write(self.path("tsa/crl.pem"), self.tsa.crl(false)).unwrap();
    }

    /// A CRL of the TSA's CA dated `last`..`next` (as OpenSSL's `YYYYMMDDHHMMSSZ`) at `out`:
    /// what the CA publishes on that day.
    fn tsa_crl_dated(&self, last: &str, next: &str, out: &str) {
        let crl = self.tsa.crl_dated(false, Some((last, next)));
        std::fs::write(self.path(out), crl).unwrap();
    }

    /// pyHanko's AdES validation through its library (`tests/tools/pyhanko_ades_at.py`) at
    /// `at`, with `crls` known to the verifier: its report, ending "BOTTOM LINE: VALID|INVALID".
    fn pyhanko_ades_at(&self, pdf: &str, at: &str, crls: &[&str]) -> String {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tools/pyhanko_ades_at.py");
        let mut args = vec![
            script,
            pdf,
            at,
            "--trust",
            "trust/sign-ca.pem",
            "--trust",
            "tsa/ca.pem",
        ];
        for crl in crls {
            args.extend(["--crl", crl]);
        }
        let out = self.run("python3", &args);
        format!("{}{}", text(&out.stdout), text(&out.stderr))
    }

    fn kazasu(&self, args: &[&str], stdin: &str) -> Output {
        let reader = format!("sim:{}", self.card.path().display());
        let mut all = vec!["--reader", reader.as_str()];
        all.extend_from_slice(args);
        run_kazasu(&bin("kazasu"), self.dir(), &all, stdin)
    }

    /// `kazasu sign FILE -o OUTPUT --profile PROFILE SOURCES…` with the signing PIN typed.
    fn sign_with(&self, file: &str, output: &str, profile: &str, sources: &[&str]) -> Output {
        let mut args = vec![
            "sign",
            "--pin-stdin",
            file,
            "-o",
            output,
            "--profile",
            profile,
        ];
        args.extend_from_slice(sources);
        self.kazasu(&args, &format!("{SIGN_PIN}\n"))
    }

    /// `kazasu sign FILE --profile PROFILE` with the TSA and both CRLs, to `output`.
    fn sign(&self, file: &str, profile: &str, output: &str) -> Output {
        let url = self.tsa.url().to_owned();
        self.sign_with(
            file,
            output,
            profile,
            &[
                "--tsa",
                &url,
                "--tsa-trust",
                "tsa/ca.pem",
                "--crl",
                "trust/sign-crl.pem",
                "--crl",
                "tsa/crl.pem",
            ],
        )
    }

    fn signed(&self, file: &str, profile: &str, output: &str) {
        let out = self.sign(file, profile, output);
        assert!(out.status.success(), "kazasu sign: {}", text(&out.stderr));
    }

    /// `kazasu verify` trusting the signing CA and the TSA's CA, with the CRLs in `trust/`:
    /// (valid, report).
    fn verify(&self, args: &[&str]) -> (bool, String) {
        let mut all = vec![
            "verify",
            "--trust",
            "trust/sign-ca.pem",
            "--tsa-trust",
            "tsa/ca.pem",
        ];
        all.extend_from_slice(args);
        let out = self.kazasu(&all, "");
        let report = format!("{}{}", text(&out.stdout), text(&out.stderr));
        match out.status.code() {
            Some(0) => (true, report),
            Some(6) => (false, report),
            other => panic!("kazasu verify exited {other:?}: {report}"),
        }
    }

    fn run(&self, program: &str, args: &[&str]) -> Output {
        Command::new(program)
            .args(args)
            .current_dir(self.dir())
            .output()
            .unwrap_or_else(|e| panic!("{program} (installed by scripts/install-deps): {e}"))
    }

    /// pyHanko's AdES validation (ETSI EN 319 102-1, past signature validation with the
    /// embedded proof of existence), trusting the signing CA and the TSA's CA, optionally as of
    /// `at`: its report.
    fn pyhanko_ades(&self, pdf: &str, at: Option<&str>) -> String {
        let mut args = vec![
            "-m",
            "pyhanko",
            "sign",
            "adesverify",
            "--pretty-print",
            "--trust",
            "trust/sign-ca.pem",
            "--trust",
            "tsa/ca.pem",
            "--trust-replace",
        ];
        if let Some(at) = at {
            args.extend(["--validation-time", at]);
        }
        args.push(pdf);
        let out = self.run("python3", &args);
        format!("{}{}", text(&out.stdout), text(&out.stderr))
    }

    /// pyHanko's plain validation with revocation off (for B-T, which embeds none) of `file`
    /// (a PDF, or with `--detached SIG` the signed file).
    fn pyhanko_timestamped(&self, file: &[&str]) -> String {
        let mut args = vec![
            "-m",
            "pyhanko",
            "sign",
            "validate",
            "--pretty-print",
            "--no-revocation-check",
            "--trust",
            "trust/sign-ca.pem",
            "--trust",
            "tsa/ca.pem",
            "--trust-replace",
        ];
        args.extend_from_slice(file);
        let out = self.run("python3", &args);
        format!("{}{}", text(&out.stdout), text(&out.stderr))
    }

    /// The office registers a move, tomorrow (the simulated office dates revocations by day):
    /// the signing certificate is revoked after the signature; fresh CRLs exported.
    fn move_house(&self) {
        let tomorrow = (time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+9))
            + time::Duration::days(1))
        .date()
        .to_string();
        let out = run_sim(self.card.path(), &["clock", "set", &tomorrow]);
        assert!(out.status.success(), "clock set: {}", text(&out.stderr));
        let out = run_sim(
            self.card.path(),
            &["office", "move", "--address", "東京都千代田区霞が関2-1-2"],
        );
        assert!(out.status.success(), "office move: {}", text(&out.stderr));
        self.export_trust();
    }
}

#[test]
fn a_pades_b_lta_signature_outlives_a_move_and_the_certificate_in_kazasu_and_pyhanko() {
    let desk = Desk::new();
    desk.signed("contract.pdf", "pades-b-lta", "lta.pdf");
    desk.signed("contract.pdf", "pades-b", "bb.pdf");

    // Today: valid, at level B-LTA, with the DSS and the archive's horizon reported.
    let (valid, report) = desk.verify(&["--crl", "trust/sign-crl.pem", "lta.pdf"]);
    assert!(valid, "{report}");
    assert!(report.contains("PAdES level: B-LTA"), "{report}");
    assert!(report.contains("validation data (DSS)"), "{report}");
    assert!(report.contains("protects the document until"), "{report}");
    let ades = desk.pyhanko_ades("lta.pdf", None);
    assert!(judged_valid(&ades), "pyHanko: {ades}");

    // The holder moves: the signing certificate is revoked now, after the timestamp.
    desk.move_house();
    let (valid, report) = desk.verify(&["--crl", "trust/sign-crl.pem", "lta.pdf"]);
    assert!(
        valid,
        "revoked after the timestamp must stay valid: {report}"
    );
    assert!(report.contains("after the signature timestamp"), "{report}");
    let (valid, report) = desk.verify(&["--crl", "trust/sign-crl.pem", "bb.pdf"]);
    assert!(!valid, "a B-B signature of a revoked certificate: {report}");

    // Years later, past the certificate's expiry: the LTA document still verifies at its
    // timestamp; the B-B one does not.
    let (valid, report) = desk.verify(&["--at", AFTER_EXPIRY, "lta.pdf"]);
    assert!(valid, "{report}");
    assert!(report.contains("expired on"), "{report}");
    // pyHanko's AdES validation then, by a recipient holding the TSA's CRL of that day (the
    // archive timestamp itself is judged at the validation time, as ETSI EN 319 102-1 says).
    desk.tsa_crl_dated("20320531000000Z", "20320630000000Z", "tsa/crl-2032.pem");
    let ades = desk.pyhanko_ades_at("lta.pdf", AFTER_EXPIRY, &["tsa/crl-2032.pem"]);
    assert!(
        ades.contains("BOTTOM LINE: VALID"),
        "pyHanko, past expiry: {ades}"
    );
    let ades = desk.pyhanko_ades_at("bb.pdf", AFTER_EXPIRY, &["tsa/crl-2032.pem"]);
    assert!(
        ades.contains("BOTTOM LINE: INVALID"),
        "pyHanko, B-B past expiry: {ades}"
    );
    let (valid, report) = desk.verify(&["--at", AFTER_EXPIRY, "bb.pdf"]);
    assert!(!valid, "{report}");
    let ades = desk.pyhanko_ades("bb.pdf", Some(AFTER_EXPIRY));
    assert!(
        !judged_valid(&ades),
        "pyHanko accepted an expired B-B signature: {ades}"
    );
}

#[test]
fn each_pades_profile_reaches_its_level_and_the_timestamp_satisfies_openssl_and_pdfsig() {
    let desk = Desk::new();
    for (profile, level) in [
        ("pades-b-t", "B-T"),
        ("pades-b-lt", "B-LT"),
        ("pades-b-lta", "B-LTA"),
    ] {
        let output = format!("{profile}.pdf");
        desk.signed("contract.pdf", profile, &output);
        let (valid, report) = desk.verify(&["--crl", "trust/sign-crl.pem", &output]);
        assert!(valid, "{profile}: {report}");
        assert!(
            report.contains(&format!("PAdES level: {level}")),
            "{report}"
        );
        // B-T embeds no revocation data: pyHanko checks its timestamp with revocation off;
        // B-LT and B-LTA pass pyHanko's AdES validation on their embedded data alone.
        let report = if profile == "pades-b-t" {
            desk.pyhanko_timestamped(&[&output])
        } else {
            desk.pyhanko_ades(&output, None)
        };
        assert!(judged_valid(&report), "pyHanko on {profile}: {report}");
        assert!(
            report.contains("backed by a time stamping authority"),
            "{report}"
        );
    }

    // The signature timestamp token of B-T, checked by OpenSSL over the signature value.
    let bytes = std::fs::read(desk.path("pades-b-t.pdf")).unwrap();
    let sig = pdf::signatures(&bytes).unwrap().pop().unwrap();
    let token = unsigned::signature_timestamps(&sig.cms_der)
        .unwrap()
        .pop()
        .unwrap();
    std::fs::write(desk.path("token.der"), &token).unwrap();
    std::fs::write(
        desk.path("signature-value.bin"),
        unsigned::signature_value(&sig.cms_der).unwrap(),
    )
    .unwrap();
    let out = desk.run(
        "openssl",
        &[
            "ts",
            "-verify",
            "-token_in",
            "-in",
            "token.der",
            "-data",
            "signature-value.bin",
            "-CAfile",
            "tsa/ca.pem",
        ],
    );
    assert!(
        text(&out.stdout).contains("Verification: OK"),
        "openssl ts -verify: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );

    // The long-term parts cost the card nothing: B-LTA sends the card exactly the APDUs B-B does.
    let apdus = |profile: &str| {
        let url = desk.tsa.url().to_owned();
        let out = desk.kazasu(
            &[
                "--trace",
                "sign",
                "--pin-stdin",
                "contract.pdf",
                "-o",
                &format!("trace-{profile}.pdf"),
                "--profile",
                profile,
                "--tsa",
                &url,
                "--tsa-trust",
                "tsa/ca.pem",
                "--crl",
                "trust/sign-crl.pem",
                "--crl",
                "tsa/crl.pem",
            ],
            &format!("{SIGN_PIN}\n"),
        );
        let stderr = text(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        let line = stderr
            .lines()
            .find(|l| l.starts_with("trace: "))
            .unwrap()
            .to_owned();
        line.split_whitespace()
            .nth(1)
            .unwrap()
            .parse::<u32>()
            .unwrap()
    };
    let (bb, lta) = (apdus("pades-b"), apdus("pades-b-lta"));
    assert_eq!(bb, lta, "APDUs: B-B {bb}, B-LTA {lta}");
    eprintln!("APDUs to sign: B-B {bb}, B-LTA {lta}");

    let pdfsig = text(&desk.run("pdfsig", &["pades-b-lta.pdf"]).stdout);
    assert!(
        pdfsig.contains("Signature #2"),
        "pdfsig sees the document timestamp: {pdfsig}"
    );
}

#[test]
fn cades_t_and_lt_are_accepted_by_openssl_cms_and_verified_at_their_timestamp() {
    let desk = Desk::new();
    desk.signed("ledger.csv", "cades-t", "ledger.t.p7s");
    desk.signed("ledger.csv", "cades-lt", "ledger.lt.p7s");
    for sig in ["ledger.t.p7s", "ledger.lt.p7s"] {
        let out = desk.run(
            "openssl",
            &[
                "cms",
                "-verify",
                "-binary",
                "-inform",
                "DER",
                "-in",
                sig,
                "-content",
                "ledger.csv",
                "-CAfile",
                "trust/sign-ca.pem",
                "-purpose",
                "any",
                "-out",
                "/dev/null",
            ],
        );
        assert!(
            text(&out.stderr).contains("Verification successful"),
            "openssl cms on {sig}: {}",
            text(&out.stderr)
        );
    }
    // pyHanko sees and checks the signature timestamp of the detached CAdES-T signature.
    let report = desk.pyhanko_timestamped(&["--detached", "ledger.t.p7s", "ledger.csv"]);
    assert!(judged_valid(&report), "pyHanko on CAdES-T: {report}");
    assert!(
        report.contains("backed by a time stamping authority"),
        "{report}"
    );

    // The LT signature carries its own CRLs: no --crl needed, even after a move and expiry.
    desk.move_house();
    let (valid, report) = desk.verify(&[
        "--at",
        AFTER_EXPIRY,
        "--signature",
        "ledger.lt.p7s",
        "ledger.csv",
    ]);
    assert!(valid, "{report}");
    assert!(report.contains("timestamp"), "{report}");
    // Without a trusted TSA the timestamp proves nothing: expired, not valid.
    let out = desk.kazasu(
        &[
            "verify",
            "--trust",
            "trust/sign-ca.pem",
            "--at",
            AFTER_EXPIRY,
            "--signature",
            "ledger.lt.p7s",
            "ledger.csv",
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(6), "{}", text(&out.stdout));
}

#[test]
fn a_revision_appended_after_the_archive_timestamp_and_an_untrusted_tsa_are_refused() {
    let desk = Desk::new();
    desk.signed("contract.pdf", "pades-b-lta", "lta.pdf");
    let mut bytes = std::fs::read(desk.path("lta.pdf")).unwrap();
    // An unsigned revision after the document timestamp (a comment and a repeated trailer).
    let tail = bytes[bytes.len().saturating_sub(400)..].to_vec();
    let at = tail.windows(9).rposition(|w| w == b"startxref").unwrap();
    bytes.extend_from_slice(b"\n% appended\n");
    bytes.extend_from_slice(&tail[at..]);
    std::fs::write(desk.path("appended.pdf"), &bytes).unwrap();
    let (valid, report) = desk.verify(&["--crl", "trust/sign-crl.pem", "appended.pdf"]);
    assert!(!valid, "{report}");

    // A TSA whose CA is not trusted: nothing is written, the error says so.
    let url = desk.tsa.url().to_owned();
    let out = desk.sign_with(
        "contract.pdf",
        "untrusted.pdf",
        "pades-b-t",
        &["--tsa", &url, "--tsa-trust", "tsa/untrusted_ca.pem"],
    );
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("not trusted"),
        "{}",
        text(&out.stderr)
    );
    assert!(!desk.path("untrusted.pdf").exists());

    // A profile that needs a TSA, without one: refused before the card is asked.
    let out = desk.kazasu(
        &[
            "sign",
            "--pin-stdin",
            "contract.pdf",
            "--profile",
            "pades-b-lt",
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("--tsa"), "{}", text(&out.stderr));
}

#[test]
fn extend_adds_a_new_archive_timestamp_that_kazasu_and_pyhanko_accept() {
    let desk = Desk::new();
    desk.signed("contract.pdf", "pades-b-lta", "lta.pdf");
    // The TSA's CA publishes its next CRL after the archive timestamp was made: the renewal
    // embeds that one, which must prove the first TSA good at its time.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    desk.tsa_crl();
    let url = desk.tsa.url().to_owned();
    let out = desk.kazasu(
        &[
            "extend",
            "lta.pdf",
            "-o",
            "renewed.pdf",
            "--tsa",
            &url,
            "--tsa-trust",
            "tsa/ca.pem",
            "--crl",
            "tsa/crl.pem",
        ],
        "",
    );
    assert!(out.status.success(), "kazasu extend: {}", text(&out.stderr));
    let renewed = std::fs::read(desk.path("renewed.pdf")).unwrap();
    let stamps = pdf::signatures(&renewed)
        .unwrap()
        .iter()
        .filter(|s| s.sub_filter.as_deref() == Some("ETSI.RFC3161"))
        .count();
    assert_eq!(stamps, 2);
    let (valid, report) = desk.verify(&["--crl", "trust/sign-crl.pem", "renewed.pdf"]);
    assert!(valid, "{report}");
    let ades = desk.pyhanko_ades("renewed.pdf", None);
    assert!(judged_valid(&ades), "pyHanko: {ades}");

    // A B-B file has no archive to renew.
    desk.signed("contract.pdf", "pades-b", "bb.pdf");
    let out = desk.kazasu(
        &[
            "extend",
            "bb.pdf",
            "--tsa",
            &url,
            "--tsa-trust",
            "tsa/ca.pem",
        ],
        "",
    );
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("no document timestamp"),
        "{}",
        text(&out.stderr)
    );
}

/// `pdf` with its last signature's /Contents replaced by `cms_der` (zero-padded in place).
fn with_contents(pdf: &[u8], cms_der: &[u8]) -> Vec<u8> {
    let sig = pdf::signatures(pdf).unwrap().pop().unwrap();
    let (start, end) = (sig.byte_range[0].1 + 1, sig.byte_range[1].0 - 1);
    let hex = hex::encode_upper(cms_der);
    assert!(hex.len() <= end - start, "the new CMS does not fit");
    let mut out = pdf.to_vec();
    out[start..end].fill(b'0');
    out[start..start + hex.len()].copy_from_slice(hex.as_bytes());
    out
}

#[test]
fn a_timestamp_over_other_bytes_and_a_dss_without_revocation_data_are_refused() {
    let desk = Desk::new();
    // Another document: the same one signed in the same second would give the very same
    // signature value (PKCS#1 v1.5 is deterministic), which the token rightly covers.
    std::fs::write(desk.path("other.pdf"), sample_pdf(3)).unwrap();
    desk.signed("other.pdf", "pades-b", "bb.pdf");
    desk.signed("contract.pdf", "pades-b-t", "bt.pdf");

    // The B-B signature given the B-T signature's timestamp: a token over other bytes.
    let bb = std::fs::read(desk.path("bb.pdf")).unwrap();
    let bt = std::fs::read(desk.path("bt.pdf")).unwrap();
    let bb_cms = pdf::signatures(&bb).unwrap().pop().unwrap().cms_der;
    let bt_cms = pdf::signatures(&bt).unwrap().pop().unwrap().cms_der;
    let token = unsigned::signature_timestamps(&bt_cms)
        .unwrap()
        .pop()
        .unwrap();
    let forged = unsigned::add_signature_timestamp(&bb_cms, &token).unwrap();
    std::fs::write(desk.path("forged.pdf"), with_contents(&bb, &forged)).unwrap();
    let (valid, report) = desk.verify(&["--crl", "trust/sign-crl.pem", "forged.pdf"]);
    assert!(!valid, "{report}");
    assert!(
        report.contains("signature timestamp is not valid"),
        "{report}"
    );
    let pyhanko = desk.pyhanko_timestamped(&["forged.pdf"]);
    assert!(
        !judged_valid(&pyhanko),
        "pyHanko accepted a timestamp over other bytes: {pyhanko}"
    );

    // A DSS with the certificates but no CRL: past expiry nothing shows the certificate was
    // not revoked when it signed.
    let signer = pdf::signatures(&bt).unwrap().pop().unwrap();
    let certificates = unsigned::embedded_validation_data(&signer.cms_der)
        .unwrap()
        .certificates;
    let thin = pdf::add_dss(
        &bt,
        &kazasu_core::cms::ValidationData {
            certificates,
            ..Default::default()
        },
        &[],
    )
    .unwrap();
    std::fs::write(desk.path("thin.pdf"), thin).unwrap();
    let (valid, report) = desk.verify(&["--at", AFTER_EXPIRY, "thin.pdf"]);
    assert!(!valid, "{report}");
    assert!(report.contains("cannot be established"), "{report}");
    let ades = desk.pyhanko_ades("thin.pdf", Some(AFTER_EXPIRY));
    assert!(
        !judged_valid(&ades),
        "pyHanko accepted a DSS without revocation data: {ades}"
    );
}

#[test]
fn the_government_profile_is_adbe_pkcs7_detached_without_a_timestamp() {
    let desk = Desk::new();
    // No TSA is needed, nor asked.
    let out = desk.sign_with("contract.pdf", "filing.pdf", "government", &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let bytes = std::fs::read(desk.path("filing.pdf")).unwrap();
    let sig = pdf::signatures(&bytes).unwrap().pop().unwrap();
    assert_eq!(sig.sub_filter.as_deref(), Some("adbe.pkcs7.detached"));
    assert!(
        unsigned::signature_timestamps(&sig.cms_der)
            .unwrap()
            .is_empty()
    );
    let (valid, report) = desk.verify(&["--crl", "trust/sign-crl.pem", "filing.pdf"]);
    assert!(valid, "{report}");
    assert!(report.contains("PAdES level: B-B"), "{report}");
    let pyhanko = desk.pyhanko_timestamped(&["filing.pdf"]);
    assert!(judged_valid(&pyhanko), "{pyhanko}");
    let pdfsig = text(&desk.run("pdfsig", &["filing.pdf"]).stdout);
    assert!(pdfsig.contains("adbe.pkcs7.detached"), "{pdfsig}");
    // A detached file cannot take it: refused before the card.
    let out = desk.kazasu(
        &[
            "sign",
            "--pin-stdin",
            "ledger.csv",
            "--profile",
            "government",
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
}

#[test]
fn a_crl_given_as_a_url_is_downloaded_and_used_to_sign_b_lt_and_to_verify() {
    use kazasu_tests::child::{Killed, free_port};
    let desk = Desk::new();
    // The office's CRLs published over HTTP by Python's own web server.
    let port = free_port();
    let _server = Killed::new(
        Command::new("python3")
            .args([
                "-m",
                "http.server",
                "--bind",
                "127.0.0.1",
                &port.to_string(),
            ])
            .current_dir(desk.dir())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    let crl_url = format!("http://127.0.0.1:{port}/trust/sign-crl.pem");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "http.server did not start"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let url = desk.tsa.url().to_owned();
    let out = desk.sign_with(
        "contract.pdf",
        "lt.pdf",
        "pades-b-lt",
        &[
            "--tsa",
            &url,
            "--tsa-trust",
            "tsa/ca.pem",
            "--crl",
            &crl_url,
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let (valid, report) = desk.verify(&["--crl", &crl_url, "lt.pdf"]);
    assert!(valid, "{report}");
    assert!(report.contains("PAdES level: B-LT"), "{report}");
    // A URL that answers 404 is an error, not "no CRL".
    let missing = format!("http://127.0.0.1:{port}/trust/none.pem");
    let out = desk.kazasu(
        &[
            "verify",
            "--trust",
            "trust/sign-ca.pem",
            "--crl",
            &missing,
            "lt.pdf",
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("downloading the CRL"),
        "{}",
        text(&out.stderr)
    );
}

/// `kazasu sign contract.pdf --profile pades-b-lt` with the TSA, its CRL and `extra`.
fn sign_lt(desk: &Desk, output: &str, extra: &[&str]) -> Output {
    let tsa_url = desk.tsa.url().to_owned();
    let mut sources = vec![
        "--tsa",
        &tsa_url,
        "--tsa-trust",
        "tsa/ca.pem",
        "--crl",
        "tsa/crl.pem",
    ];
    sources.extend_from_slice(extra);
    desk.sign_with("contract.pdf", output, "pades-b-lt", &sources)
}

#[test]
fn an_ocsp_answer_from_a_real_responder_joins_the_dss_but_a_signing_certificate_still_needs_its_crl()
 {
    use kazasu_sim::CaKind;
    use kazasu_tests::ocsp::OcspResponder;
    let desk = Desk::new();
    let responder = OcspResponder::start(desk.card.path(), CaKind::Sign);
    let ocsp_url = responder.url();

    // The signing certificate names no OCSP responder (as on real cards): validators look only
    // for its CRL, so an OCSP answer alone would make a B-LT file nobody can check. Refused,
    // nothing written.
    let out = sign_lt(&desk, "ocsp-only.pdf", &["--ocsp", &ocsp_url]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("give that CRL (--crl)"),
        "{}",
        text(&out.stderr)
    );
    assert!(!desk.path("ocsp-only.pdf").exists());

    // With its CRL as well, the DSS holds both; Kazasu and pyHanko accept it.
    let out = sign_lt(
        &desk,
        "lt.pdf",
        &["--ocsp", &ocsp_url, "--crl", "trust/sign-crl.pem"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let (valid, report) = desk.verify(&["lt.pdf"]);
    assert!(valid, "{report}");
    assert!(report.contains("1 OCSP response(s)"), "{report}");
    assert!(report.contains("PAdES level: B-LT"), "{report}");
    let ades = desk.pyhanko_ades("lt.pdf", None);
    assert!(judged_valid(&ades), "pyHanko: {ades}");
}
