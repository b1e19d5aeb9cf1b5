//! What `kazasu verify` calls a detached signature made by OpenSSL with the card's key:
//! CAdES-BES only with signed content type, message digest and a signingCertificateV2 naming
//! the signer; a plain PKCS#7 (`-noattr`, or no `-cades`) is reported as such; SHA-1 is not
//! valid (exit code 6).

#![allow(clippy::unwrap_used)] // test helpers: a panic is the failure report

use std::process::{Command, Output};

use kazasu_core::cert::CardCertificate;
use kazasu_sim::CertKind;
use kazasu_tests::TestCard;
use kazasu_tests::bins::{bin, run_kazasu, run_sim, text};

struct Desk {
    card: TestCard,
}

impl Desk {
    /// A card, its trust exported, its signing key and certificate as PEM files (the way
    /// tests/tests/documents.rs signs with `openssl cms -sign`), and a document.
    fn new() -> Desk {
        let desk = Desk {
            card: TestCard::new(),
        };
        run_sim(desk.card.path(), &["office", "export-trust", "trust"]);
        let state = desk.card.state();
        let cert = CardCertificate::from_der(state.certificate_der(CertKind::Sign)).unwrap();
        std::fs::write(
            desk.card.dir().join("sign-key.pem"),
            state.sign_key_pkcs8_pem(),
        )
        .unwrap();
        std::fs::write(
            desk.card.dir().join("sign-cert.pem"),
            cert.to_pem().unwrap(),
        )
        .unwrap();
        std::fs::write(desk.card.dir().join("doc.txt"), "令和8年 契約書").unwrap();
        desk
    }

    fn run(&self, program: &str, args: &[&str]) -> Output {
        Command::new(program)
            .args(args)
            .current_dir(self.card.dir())
            .output()
            .unwrap_or_else(|e| panic!("{program} (installed by scripts/install-deps): {e}"))
    }

    /// `openssl cms -sign` of doc.txt into `out` with `extra` options.
    fn openssl_sign(&self, out: &str, extra: &[&str]) {
        let mut args = vec![
            "cms",
            "-sign",
            "-binary",
            "-in",
            "doc.txt",
            "-signer",
            "sign-cert.pem",
            "-inkey",
            "sign-key.pem",
            "-outform",
            "DER",
            "-out",
            out,
        ];
        args.extend_from_slice(extra);
        let o = self.run("openssl", &args);
        assert!(o.status.success(), "{}", text(&o.stderr));
    }

    /// OpenSSL's own verdict on the signature (no revocation check).
    fn openssl_accepts(&self, sig: &str) -> bool {
        let o = self.run(
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
                "doc.txt",
                "-CAfile",
                "trust/sign-ca.pem",
                "-purpose",
                "any",
                "-out",
                "/dev/null",
            ],
        );
        o.status.success()
    }

    /// `kazasu verify` (text, then `--json`): exit code, report, JSON.
    fn verify(&self, sig: &str) -> (Option<i32>, String, String) {
        let args = [
            "verify",
            "doc.txt",
            "--signature",
            sig,
            "--trust",
            "trust/sign-ca.pem",
            "--crl",
            "trust/sign-crl.pem",
        ];
        let out = run_kazasu(&bin("kazasu"), self.card.dir(), &args, "");
        let mut json_args = vec!["--json"];
        json_args.extend_from_slice(&args);
        let json = run_kazasu(&bin("kazasu"), self.card.dir(), &json_args, "");
        assert_eq!(json.status.code(), out.status.code());
        (
            out.status.code(),
            format!("{}{}", text(&out.stdout), text(&out.stderr)),
            text(&json.stdout),
        )
    }
}

#[test]
fn openssl_cades_with_sha256_is_cades_bes() {
    let desk = Desk::new();
    desk.openssl_sign("cades.p7s", &["-cades", "-md", "sha256"]);
    assert!(desk.openssl_accepts("cades.p7s"));
    let (code, report, json) = desk.verify("cades.p7s");
    assert_eq!(code, Some(0), "{report}");
    assert!(report.contains("VALID (CAdES-BES)"), "{report}");
    assert!(json.contains("\"format\": \"cades_bes\""), "{json}");
}

#[test]
fn a_signature_without_signing_certificate_v2_is_pkcs7_not_cades_bes() {
    let desk = Desk::new();
    // Signed attributes (content type, message digest, signing time…) but no -cades.
    desk.openssl_sign("plain.p7s", &["-md", "sha256"]);
    // Without any signed attributes.
    desk.openssl_sign("noattr.p7s", &["-noattr", "-md", "sha256"]);
    for sig in ["plain.p7s", "noattr.p7s"] {
        assert!(desk.openssl_accepts(sig), "{sig}");
        let (code, report, json) = desk.verify(sig);
        // A sound PKCS#7 signature stays valid, but is never called CAdES-BES.
        assert_eq!(code, Some(0), "{sig}: {report}");
        assert!(
            report.contains("VALID (PKCS#7 signature, not CAdES-BES)"),
            "{sig}: {report}"
        );
        assert!(!report.contains("VALID (CAdES-BES)"), "{sig}: {report}");
        assert!(json.contains("\"format\": \"pkcs7\""), "{sig}: {json}");
    }
}

#[test]
fn sha1_signatures_are_not_valid_with_exit_code_6() {
    let desk = Desk::new();
    desk.openssl_sign("sha1.p7s", &["-cades", "-md", "sha1"]);
    desk.openssl_sign("sha1-noattr.p7s", &["-noattr", "-md", "sha1"]);
    for sig in ["sha1.p7s", "sha1-noattr.p7s"] {
        let (code, report, _) = desk.verify(sig);
        assert_eq!(code, Some(6), "{sig}: {report}");
        assert!(report.contains("SHA-1"), "{sig}: {report}");
    }
}

#[test]
fn a_pdf_whose_subfilter_promises_cades_but_holds_pkcs7_is_not_valid() {
    let desk = Desk::new();
    let original = kazasu_tests::pdf_fixture::sample_pdf(1);
    for (name, extra, valid) in [
        ("cades", &["-cades"][..], true),
        ("noattr", &["-noattr"][..], false),
    ] {
        // Kazasu prepares the PDF (SubFilter ETSI.CAdES.detached); OpenSSL signs its byte range.
        let prepared = kazasu_core::pdf::prepare(&original, &Default::default()).unwrap();
        std::fs::write(
            desk.card.dir().join("doc.txt"),
            prepared.signed_parts().concat(),
        )
        .unwrap();
        let p7s = format!("{name}.p7s");
        let mut options = vec!["-md", "sha256"];
        options.extend_from_slice(extra);
        desk.openssl_sign(&p7s, &options);
        let cms = std::fs::read(desk.card.dir().join(&p7s)).unwrap();
        let pdf = format!("{name}.pdf");
        std::fs::write(desk.card.dir().join(&pdf), prepared.finish(&cms).unwrap()).unwrap();
        let out = run_kazasu(
            &bin("kazasu"),
            desk.card.dir(),
            &["verify", &pdf, "--trust", "trust/sign-ca.pem"],
            "",
        );
        let report = text(&out.stdout);
        if valid {
            assert_eq!(out.status.code(), Some(0), "{report}");
        } else {
            assert_eq!(out.status.code(), Some(6), "{report}");
            assert!(
                report.contains("ETSI.CAdES.detached promises CAdES"),
                "{report}"
            );
        }
    }
}
