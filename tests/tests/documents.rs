//! Signing documents with the simulated card, checked by Kazasu and by the tools recipients
//! use: OpenSSL (`cms -verify`, with `-crl_check`), pyHanko (PDF and detached) and poppler's
//! `pdfsig`. Every negative case is refused by Kazasu and by at least one of them.

#![allow(clippy::unwrap_used)] // test helpers: a panic is the failure report

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use kazasu_core::card::KeyKind;
use kazasu_core::cert::CardCertificate;
use kazasu_core::cms::{self, CardSigner, DigestAlgorithm, SignRequest};
use kazasu_core::pin::{Pin, PinKind};
use kazasu_sim::CertKind;
use kazasu_tests::bins::{bin, run_kazasu, run_sim, text};
use kazasu_tests::pdf_fixture::sample_pdf;
use kazasu_tests::{AUTH_PIN, SIGN_PIN, TestCard};

/// A card, its trust material exported by the office, and a working directory (the card's).
struct Desk {
    card: TestCard,
}

impl Desk {
    fn new() -> Desk {
        let desk = Desk {
            card: TestCard::new(),
        };
        desk.export_trust();
        desk
    }

    fn dir(&self) -> &Path {
        self.card.dir()
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir().join(name)
    }

    fn sim(&self, args: &[&str]) -> Output {
        run_sim(self.card.path(), args)
    }

    /// The office's CA certificates and fresh CRLs in `trust/`, and OpenSSL's CA+CRL file.
    fn export_trust(&self) {
        self.sim(&["office", "export-trust", "trust"]);
        let mut both = std::fs::read(self.path("trust/sign-ca.pem")).unwrap();
        both.extend(std::fs::read(self.path("trust/sign-crl.pem")).unwrap());
        std::fs::write(self.path("trust/sign-ca+crl.pem"), both).unwrap();
    }

    fn kazasu(&self, args: &[&str], stdin: &str) -> Output {
        let reader = format!("sim:{}", self.card.path().display());
        let mut all = vec!["--reader", reader.as_str()];
        all.extend_from_slice(args);
        run_kazasu(&bin("kazasu"), self.dir(), &all, stdin)
    }

    fn sign(&self, args: &[&str]) -> Output {
        let mut all = vec!["sign", "--pin-stdin"];
        all.extend_from_slice(args);
        let out = self.kazasu(&all, &format!("{SIGN_PIN}\n"));
        assert!(out.status.success(), "kazasu sign: {}", text(&out.stderr));
        out
    }

    /// `kazasu verify` trusting the signing CA, with its CRL: (valid, report).
    fn verify(&self, args: &[&str]) -> (bool, String) {
        let mut all = vec![
            "verify",
            "--trust",
            "trust/sign-ca.pem",
            "--crl",
            "trust/sign-crl.pem",
        ];
        all.extend_from_slice(args);
        let out = self.kazasu(&all, "");
        let report = text(&out.stdout);
        match out.status.code() {
            Some(0) => (true, report),
            Some(6) => (false, report),
            other => panic!("kazasu verify exited {other:?}: {}", text(&out.stderr)),
        }
    }

    fn run(&self, program: &str, args: &[&str]) -> Output {
        Command::new(program)
            .args(args)
            .current_dir(self.dir())
            .output()
            .unwrap_or_else(|e| panic!("{program} (installed by scripts/install-deps): {e}"))
    }

    /// `openssl cms -verify` of a detached signature, optionally with the CRL.
    fn openssl_accepts(&self, doc: &str, sig: &str, crl_check: bool) -> bool {
        let mut args = vec![
            "cms",
            "-verify",
            "-binary",
            "-inform",
            "DER",
            "-in",
            sig,
            "-content",
            doc,
            "-purpose",
            "any",
            "-out",
            "/dev/null",
        ];
        if crl_check {
            args.extend(["-CAfile", "trust/sign-ca+crl.pem", "-crl_check"]);
        } else {
            args.extend(["-CAfile", "trust/sign-ca.pem"]);
        }
        let out = self.run("openssl", &args);
        let ok = out.status.success() && text(&out.stderr).contains("Verification successful");
        if !ok {
            eprintln!("openssl: {}", text(&out.stderr));
        }
        ok
    }

    /// pyHanko's command line (`python3 -m pyhanko`, so no PATH shim is needed).
    fn pyhanko(&self, args: &[&str]) -> Output {
        let mut all = vec!["-m", "pyhanko"];
        all.extend_from_slice(args);
        self.run("python3", &all)
    }

    /// pyHanko's executive summary of a signed PDF, trusting only the signing CA.
    fn pyhanko_pdf(&self, pdf: &str) -> String {
        let out = self.pyhanko(&[
            "sign",
            "validate",
            "--executive-summary",
            "--trust",
            "trust/sign-ca.pem",
            "--trust-replace",
            "--no-revocation-check",
            pdf,
        ]);
        format!("{}{}", text(&out.stdout), text(&out.stderr))
    }

    /// pyHanko's executive summary of a detached signature.
    fn pyhanko_detached(&self, doc: &str, sig: &str) -> String {
        let out = self.pyhanko(&[
            "sign",
            "validate",
            "--executive-summary",
            "--detached",
            sig,
            "--trust",
            "trust/sign-ca.pem",
            "--trust-replace",
            "--no-revocation-check",
            doc,
        ]);
        format!("{}{}", text(&out.stdout), text(&out.stderr))
    }

    /// poppler's `pdfsig` with an NSS database trusting the signing CA (it always exits 0).
    fn pdfsig(&self, pdf: &str) -> String {
        if !self.path("nss").exists() {
            std::fs::create_dir(self.path("nss")).unwrap();
            let out = self.run("certutil", &["-N", "-d", "sql:nss", "--empty-password"]);
            assert!(out.status.success(), "{}", text(&out.stderr));
            let out = self.run(
                "certutil",
                &[
                    "-A",
                    "-d",
                    "sql:nss",
                    "-n",
                    "kazasu-sign-ca",
                    "-t",
                    "CT,C,C",
                    "-i",
                    "trust/sign-ca.pem",
                ],
            );
            assert!(out.status.success(), "{}", text(&out.stderr));
        }
        text(&self.run("pdfsig", &["-nssdir", "sql:nss", pdf]).stdout)
    }

    /// `openssl cms -sign -cades` of `doc` with a key and certificate file: `doc.p7s` (DER).
    fn openssl_sign(&self, doc: &str, key: &str, cert: &str) {
        let out_file = format!("{doc}.p7s");
        let out = self.run(
            "openssl",
            &[
                "cms", "-sign", "-cades", "-binary", "-in", doc, "-signer", cert, "-inkey", key,
                "-outform", "DER", "-out", &out_file, "-md", "sha256",
            ],
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
    }

    fn key_file(&self, kind: CertKind) -> (String, String) {
        let state = self.card.state();
        let (key, name) = match kind {
            CertKind::Sign => (state.sign_key_pkcs8_pem().to_owned(), "sign"),
            _ => (state.auth_key_pkcs8_pem().to_owned(), "auth"),
        };
        let cert = CardCertificate::from_der(state.certificate_der(kind)).unwrap();
        std::fs::write(self.path(&format!("{name}-key.pem")), key).unwrap();
        std::fs::write(
            self.path(&format!("{name}-cert.pem")),
            cert.to_pem().unwrap(),
        )
        .unwrap();
        (format!("{name}-key.pem"), format!("{name}-cert.pem"))
    }
}

fn pyhanko_valid(summary: &str) -> bool {
    summary
        .lines()
        .any(|l| l.trim_end().ends_with(":VALID") || l.trim() == "VALID")
}

fn pdfsig_valid(report: &str) -> bool {
    report.contains("Signature is Valid.")
        && report.contains("Certificate is Trusted.")
        && report.contains("Total document signed")
}

#[test]
fn a_detached_signature_passes_openssl_with_crl_pyhanko_and_kazasu() {
    let desk = Desk::new();
    std::fs::write(desk.path("report.xml"), "<e-filing>令和8年分</e-filing>\n").unwrap();
    desk.sign(&["report.xml"]);
    assert!(desk.path("report.xml.p7s").exists());
    assert!(desk.openssl_accepts("report.xml", "report.xml.p7s", false));
    assert!(desk.openssl_accepts("report.xml", "report.xml.p7s", true));
    let summary = desk.pyhanko_detached("report.xml", "report.xml.p7s");
    assert!(pyhanko_valid(&summary), "{summary}");
    let (valid, report) = desk.verify(&["report.xml"]);
    assert!(valid, "{report}");
    assert!(report.contains("電子\u{3000}太郎"), "{report}");
    assert!(report.contains("not revoked"), "{report}");
}

#[test]
fn sha384_and_sha512_on_request() {
    let desk = Desk::new();
    std::fs::write(desk.path("a.txt"), "a").unwrap();
    for digest in ["sha384", "sha512"] {
        let out = format!("a.{digest}.p7s");
        desk.sign(&["--digest", digest, "a.txt", "-o", &out]);
        assert!(desk.openssl_accepts("a.txt", &out, true), "{digest}");
        let (valid, report) = desk.verify(&["a.txt", "--signature", &out]);
        assert!(valid, "{report}");
    }
}

#[test]
fn a_signed_pdf_passes_pyhanko_pdfsig_and_kazasu_and_keeps_the_original_bytes() {
    let desk = Desk::new();
    let original = sample_pdf(2);
    std::fs::write(desk.path("contract.pdf"), &original).unwrap();
    desk.sign(&[
        "contract.pdf",
        "--reason",
        "agreed",
        "--location",
        "Kawasaki",
    ]);
    let signed = std::fs::read(desk.path("contract-signed.pdf")).unwrap();
    assert_eq!(
        &signed[..original.len()],
        &original[..],
        "incremental update"
    );
    assert!(pyhanko_valid(&desk.pyhanko_pdf("contract-signed.pdf")));
    let report = desk.pdfsig("contract-signed.pdf");
    assert!(pdfsig_valid(&report), "{report}");
    assert!(report.contains("ETSI.CAdES.detached"), "{report}");
    let (valid, report) = desk.verify(&["contract-signed.pdf"]);
    assert!(valid, "{report}");
}

#[test]
fn a_visible_signature_and_a_second_signature_on_top() {
    let desk = Desk::new();
    std::fs::write(desk.path("form.pdf"), sample_pdf(1)).unwrap();
    desk.sign(&["form.pdf", "--visible", "1:36,36,300,96", "-o", "once.pdf"]);
    desk.sign(&["once.pdf", "-o", "twice.pdf"]);
    let summary = desk.pyhanko_pdf("twice.pdf");
    assert_eq!(
        summary
            .lines()
            .filter(|l| l.trim_end().ends_with(":VALID"))
            .count(),
        2,
        "{summary}"
    );
    let (valid, report) = desk.verify(&["twice.pdf"]);
    assert!(valid, "{report}");
    assert!(report.contains("2 signature(s)"), "{report}");
    let report = desk.pdfsig("twice.pdf");
    assert!(report.contains("Signature #2"), "{report}");
}

#[test]
fn a_changed_byte_is_refused_by_everyone() {
    let desk = Desk::new();
    std::fs::write(desk.path("doc.txt"), "pay 100 yen").unwrap();
    desk.sign(&["doc.txt"]);
    std::fs::write(desk.path("doc.txt"), "pay 900 yen").unwrap();
    assert!(!desk.openssl_accepts("doc.txt", "doc.txt.p7s", false));
    assert!(!pyhanko_valid(
        &desk.pyhanko_detached("doc.txt", "doc.txt.p7s")
    ));
    let (valid, report) = desk.verify(&["doc.txt"]);
    assert!(!valid);
    assert!(report.contains("changed since it was signed"), "{report}");

    std::fs::write(desk.path("c.pdf"), sample_pdf(1)).unwrap();
    desk.sign(&["c.pdf"]);
    let mut pdf = std::fs::read(desk.path("c-signed.pdf")).unwrap();
    let at = find(&pdf, b"page 1 of 1").expect("the page text");
    pdf[at + 5] = b'7';
    std::fs::write(desk.path("c-tampered.pdf"), pdf).unwrap();
    assert!(!pyhanko_valid(&desk.pyhanko_pdf("c-tampered.pdf")));
    assert!(!pdfsig_valid(&desk.pdfsig("c-tampered.pdf")));
    let (valid, report) = desk.verify(&["c-tampered.pdf"]);
    assert!(!valid, "{report}");
}

#[test]
fn a_foreign_trust_anchor_is_refused() {
    let desk = Desk::new();
    std::fs::write(desk.path("doc.txt"), "x").unwrap();
    desk.sign(&["doc.txt"]);
    let out = desk.run(
        "openssl",
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "foreign.key",
            "-out",
            "foreign-ca.pem",
            "-subj",
            "/C=JP/O=JPKI/OU=Someone Else CA",
            "-days",
            "3650",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    // Only that CA (not also the built-in J-LIS roots, which do not issue test cards either).
    let out = desk.kazasu(
        &[
            "verify",
            "doc.txt",
            "--no-default-trust",
            "--trust",
            "foreign-ca.pem",
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(6));
    assert!(
        text(&out.stdout).contains("not among the 1 trusted CA"),
        "{}",
        text(&out.stdout)
    );
    let out = desk.run(
        "openssl",
        &[
            "cms",
            "-verify",
            "-binary",
            "-inform",
            "DER",
            "-in",
            "doc.txt.p7s",
            "-content",
            "doc.txt",
            "-CAfile",
            "foreign-ca.pem",
            "-purpose",
            "any",
            "-out",
            "/dev/null",
        ],
    );
    assert!(!out.status.success());
    // Several CA generations may be trusted at once: the right one among them is found.
    let out = desk.kazasu(
        &[
            "verify",
            "doc.txt",
            "--trust",
            "foreign-ca.pem",
            "--trust",
            "trust/sign-ca.pem",
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
}

#[test]
fn a_signing_certificate_revoked_after_a_move_is_refused() {
    let desk = Desk::new();
    std::fs::write(desk.path("doc.txt"), "before the move").unwrap();
    desk.sign(&["doc.txt"]);
    assert!(desk.openssl_accepts("doc.txt", "doc.txt.p7s", true));
    desk.sim(&["office", "move", "--address", "東京都千代田区千代田1-1"]);
    desk.export_trust();
    assert!(!desk.openssl_accepts("doc.txt", "doc.txt.p7s", true));
    let (valid, report) = desk.verify(&["doc.txt"]);
    assert!(!valid);
    assert!(report.contains("revoked on"), "{report}");
}

#[test]
fn an_expired_certificate_is_refused_and_kazasu_will_not_sign_with_one() {
    let desk = Desk::new();
    // A card issued in 2014: its certificates ran to the holder's birthday in 2019.
    desk.sim(&["clock", "set", "2014-06-01"]);
    desk.sim(&[
        "new",
        "--force",
        "--sign-pin",
        SIGN_PIN,
        "--auth-pin",
        AUTH_PIN,
    ]);
    desk.sim(&["clock", "system"]);
    desk.export_trust();
    std::fs::write(desk.path("doc.txt"), "late").unwrap();
    let out = desk.kazasu(
        &["sign", "--pin-stdin", "doc.txt"],
        &format!("{SIGN_PIN}\n"),
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("expired on"),
        "{}",
        text(&out.stderr)
    );
    assert!(!desk.path("doc.txt.p7s").exists());
    // The same key signing through OpenSSL: every verifier refuses the expired certificate.
    let (key, cert) = desk.key_file(CertKind::Sign);
    desk.openssl_sign("doc.txt", &key, &cert);
    assert!(!desk.openssl_accepts("doc.txt", "doc.txt.p7s", false));
    assert!(!pyhanko_valid(
        &desk.pyhanko_detached("doc.txt", "doc.txt.p7s")
    ));
    let (valid, report) = desk.verify(&["doc.txt"]);
    assert!(!valid);
    assert!(
        report.contains("not valid when it signed") || report.contains("expired"),
        "{report}"
    );
}

#[test]
fn an_authentication_certificate_cannot_sign_documents() {
    let desk = Desk::new();
    std::fs::write(desk.path("doc.txt"), "signed with the wrong key").unwrap();
    // Through the library (the CLI has no way to ask for it): the auth key makes a CAdES signature.
    let mut signer = CardSigner::unlock(
        desk.card.transport(),
        KeyKind::Auth,
        &Pin::parse(PinKind::Auth, AUTH_PIN).unwrap(),
    )
    .unwrap();
    let der = cms::sign_detached(
        &mut signer,
        &SignRequest {
            algorithm: DigestAlgorithm::Sha256,
            content_digest: DigestAlgorithm::Sha256.digest(b"signed with the wrong key"),
            signing_time: time::OffsetDateTime::now_utc(),
            extra_certificates: vec![],
        },
    )
    .unwrap();
    std::fs::write(desk.path("doc.txt.p7s"), der).unwrap();
    let out = desk.kazasu(
        &[
            "verify",
            "doc.txt",
            "--trust",
            "trust/auth-ca.pem",
            "--crl",
            "trust/auth-crl.pem",
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(6));
    let report = text(&out.stdout);
    assert!(
        report.contains("authentication certificate cannot sign documents"),
        "{report}"
    );
    // pyHanko requires nonRepudiation of a document signer too.
    let out = desk.pyhanko(&[
        "sign",
        "validate",
        "--executive-summary",
        "--detached",
        "doc.txt.p7s",
        "--trust",
        "trust/auth-ca.pem",
        "--trust-replace",
        "--no-revocation-check",
        "doc.txt",
    ]);
    let summary = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(!pyhanko_valid(&summary), "{summary}");
}

#[test]
fn an_unsigned_revision_appended_after_the_signature_is_refused() {
    let desk = Desk::new();
    std::fs::write(desk.path("c.pdf"), sample_pdf(1)).unwrap();
    desk.sign(&["c.pdf"]);
    let mut pdf = std::fs::read(desk.path("c-signed.pdf")).unwrap();
    append_unsigned_revision(&mut pdf);
    std::fs::write(desk.path("c-appended.pdf"), &pdf).unwrap();
    let report = desk.pdfsig("c-appended.pdf");
    assert!(!report.contains("Total document signed"), "{report}");
    let (valid, report) = desk.verify(&["c-appended.pdf"]);
    assert!(!valid);
    assert!(
        report.contains("changed after the last signature"),
        "{report}"
    );
}

#[test]
fn a_byte_range_with_a_gap_is_refused() {
    let desk = Desk::new();
    std::fs::write(desk.path("c.pdf"), sample_pdf(1)).unwrap();
    desk.sign(&["c.pdf"]);
    let mut pdf = std::fs::read(desk.path("c-signed.pdf")).unwrap();
    // Move the second range's start 10 bytes later (same width): 10 unsigned bytes.
    let at = find(&pdf, b"/ByteRange").expect("a ByteRange");
    let open = at + pdf[at..].iter().position(|&b| b == b'[').unwrap();
    let close = open + pdf[open..].iter().position(|&b| b == b']').unwrap();
    let nums: Vec<usize> = std::str::from_utf8(&pdf[open + 1..close])
        .unwrap()
        .split_whitespace()
        .map(|n| n.parse().unwrap())
        .collect();
    let original = format!("{} {} {} {}", nums[0], nums[1], nums[2], nums[3]);
    let gapped = format!("{} {} {} {}", nums[0], nums[1], nums[2] + 10, nums[3] - 10);
    let mut range = gapped.into_bytes();
    range.resize(close - open - 1, b' ');
    assert!(original.len() <= range.len());
    pdf[open + 1..close].copy_from_slice(&range);
    std::fs::write(desk.path("c-gap.pdf"), &pdf).unwrap();
    assert!(!pyhanko_valid(&desk.pyhanko_pdf("c-gap.pdf")));
    let (valid, report) = desk.verify(&["c-gap.pdf"]);
    assert!(!valid);
    assert!(report.contains("byte range"), "{report}");
}

#[test]
fn kazasu_accepts_signatures_made_by_openssl_and_pyhanko() {
    let desk = Desk::new();
    let (key, cert) = desk.key_file(CertKind::Sign);
    std::fs::write(
        desk.path("doc.txt"),
        "signed by OpenSSL with the card's key",
    )
    .unwrap();
    desk.openssl_sign("doc.txt", &key, &cert);
    let (valid, report) = desk.verify(&["doc.txt"]);
    assert!(valid, "{report}");

    std::fs::write(desk.path("p.pdf"), sample_pdf(1)).unwrap();
    let out = desk.pyhanko(&[
        "sign",
        "addsig",
        "--field",
        "Sig1",
        "--use-pades",
        "pemder",
        "--no-pass",
        "--key",
        &key,
        "--cert",
        &cert,
        "p.pdf",
        "p-pyhanko.pdf",
    ]);
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let (valid, report) = desk.verify(&["p-pyhanko.pdf"]);
    assert!(valid, "{report}");
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Appends an incremental update that nobody signed: a new version of the page content.
fn append_unsigned_revision(pdf: &mut Vec<u8>) {
    let text = String::from_utf8_lossy(pdf).into_owned();
    let startxref = text.rfind("startxref").unwrap();
    let prev: usize = text[startxref + 9..]
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let trailer_at = text.rfind("trailer").unwrap_or(startxref);
    let root = text[trailer_at..]
        .split("/Root")
        .nth(1)
        .and_then(|r| r.split('R').next())
        .map(|r| r.trim().to_owned())
        .unwrap_or_else(|| "1 0".to_owned());
    let size: usize = text[trailer_at..]
        .split("/Size")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .and_then(|n| n.trim_end_matches(['/', '>']).parse().ok())
        .unwrap_or(100);
    let obj_at = pdf.len() + 1;
    let body = format!("\n{size} 0 obj\n<< /Producer (someone else) >>\nendobj\n");
    let xref_at = pdf.len() + body.len();
    let update = format!(
        "{body}xref\n{size} 1\n{obj_at:010} 00000 n \ntrailer\n<< /Size {} /Root {root} R /Prev {prev} /Info {size} 0 R >>\nstartxref\n{xref_at}\n%%EOF\n",
        size + 1
    );
    pdf.extend_from_slice(update.as_bytes());
}
