//! Revocation data used only within its scope, for documents (`kazasu verify`) and logins
//! (the core's login policy) alike: CRLs made by OpenSSL's `openssl ca -gencrl` with the
//! simulated J-LIS's own CA keys, and by an impostor CA with the same name. A CRL that cannot
//! speak about a certificate gives "revocation unknown", never "not revoked".

#![allow(clippy::unwrap_used)] // test helpers: a panic is the failure report

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use kazasu_core::cert::CardCertificate;
use kazasu_core::cms::TrustStore;
use kazasu_core::login::{LoginError, Policy};
use kazasu_sim::CertKind;
use kazasu_tests::bins::{bin, run_kazasu, run_sim, text};
use kazasu_tests::{SIGN_PIN, TestCard};

/// A test card with its trust exported, a signed document, and OpenSSL CA directories
/// holding the simulated CAs' keys.
struct Bench {
    card: TestCard,
}

/// Which of the two J-LIS CAs.
#[derive(Clone, Copy)]
enum Ca {
    Sign,
    Auth,
}

impl Ca {
    fn name(self) -> &'static str {
        match self {
            Ca::Sign => "sign",
            Ca::Auth => "auth",
        }
    }
}

/// How `openssl ca -gencrl` is asked to make a CRL.
#[derive(Default)]
struct CrlSpec<'a> {
    /// `issuingDistributionPoint` lines (without the section header), marked critical.
    idp: Option<&'a str>,
    /// `-crl_lastupdate` / `-crl_nextupdate` (`YYYYMMDDHHMMSSZ`); a day from now otherwise.
    last_update: Option<String>,
    next_update: Option<String>,
    /// The cRLNumber to give it.
    number: Option<u32>,
    /// List the card's certificate of this CA as revoked.
    revoke_card: bool,
    /// Sign with this impostor key and certificate (same name, another key) instead.
    impostor: bool,
}

fn stamp(offset: time::Duration) -> String {
    let t = time::OffsetDateTime::now_utc() + offset;
    format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

impl Bench {
    fn new() -> Bench {
        let bench = Bench {
            card: TestCard::new(),
        };
        run_sim(bench.card.path(), &["office", "export-trust", "trust"]);
        for ca in [Ca::Sign, Ca::Auth] {
            bench.openssl_ca_dir(ca);
        }
        bench
    }

    fn path(&self, name: &str) -> PathBuf {
        self.card.dir().join(name)
    }

    fn run(&self, program: &str, args: &[&str]) -> Output {
        let out = Command::new(program)
            .args(args)
            .current_dir(self.card.dir())
            .output()
            .unwrap_or_else(|e| panic!("{program} (installed by scripts/install-deps): {e}"));
        assert!(
            out.status.success(),
            "{program} {args:?}: {}",
            text(&out.stderr)
        );
        out
    }

    /// `ca-<name>/`: the J-LIS CA's key (read from the simulator's `jlis.json`) and
    /// certificate, and an impostor: another key with a self-signed certificate of the same name.
    fn openssl_ca_dir(&self, ca: Ca) {
        let dir = self.path(&format!("ca-{}", ca.name()));
        std::fs::create_dir_all(&dir).unwrap();
        let jlis: serde_json::Value =
            serde_json::from_slice(&std::fs::read(self.path("jlis.json")).unwrap()).unwrap();
        let key = jlis[format!("{}_ca", ca.name())]["key_pem"]
            .as_str()
            .unwrap();
        std::fs::write(dir.join("key.pem"), key).unwrap();
        std::fs::copy(
            self.path(&format!("trust/{}-ca.pem", ca.name())),
            dir.join("ca.pem"),
        )
        .unwrap();
        let d = format!("ca-{}", ca.name());
        self.run(
            "openssl",
            &[
                "genpkey",
                "-algorithm",
                "RSA",
                "-pkeyopt",
                "rsa_keygen_bits:2048",
                "-out",
                &format!("{d}/impostor-key.pem"),
            ],
        );
        // The genuine CA certificate re-signed with the impostor key: same name, other key.
        self.run(
            "openssl",
            &[
                "x509",
                "-in",
                &format!("{d}/ca.pem"),
                "-key",
                &format!("{d}/impostor-key.pem"),
                "-out",
                &format!("{d}/impostor.pem"),
            ],
        );
    }

    fn card_certificate(&self, ca: Ca) -> CardCertificate {
        let kind = match ca {
            Ca::Sign => CertKind::Sign,
            Ca::Auth => CertKind::Auth,
        };
        CardCertificate::from_der(self.card.state().certificate_der(kind)).unwrap()
    }

    /// Makes `<out>` (PEM) with `openssl ca -gencrl` as `spec` says.
    fn crl(&self, ca: Ca, out: &str, spec: &CrlSpec<'_>) {
        let d = format!("ca-{}", ca.name());
        let dir = self.path(&d);
        let mut index = String::new();
        if spec.revoke_card {
            let cert = self.card_certificate(ca);
            index = format!(
                "R\t300101000000Z\t{}\t{}\tunknown\t/CN=card\n",
                &stamp(-time::Duration::hours(3))[2..],
                cert.serial_hex()
            );
        }
        std::fs::write(dir.join("index.txt"), index).unwrap();
        std::fs::write(
            dir.join("crlnumber"),
            format!("{:02X}\n", spec.number.unwrap_or(1)),
        )
        .unwrap();
        let idp = spec
            .idp
            .map(|lines| format!("issuingDistributionPoint = critical, @idp\n[ idp ]\n{lines}\n"))
            .unwrap_or_default();
        let config = format!(
            "[ ca ]\ndefault_ca = dflt\n[ dflt ]\ndatabase = {d}/index.txt\ncrlnumber = {d}/crlnumber\n\
             default_md = sha256\ndefault_crl_days = 1\ncrl_extensions = crl_ext\n\
             [ crl_ext ]\nauthorityKeyIdentifier = keyid:always\n{idp}"
        );
        std::fs::write(dir.join("ca.cnf"), config).unwrap();
        let (key, cert) = if spec.impostor {
            (format!("{d}/impostor-key.pem"), format!("{d}/impostor.pem"))
        } else {
            (format!("{d}/key.pem"), format!("{d}/ca.pem"))
        };
        let mut args = vec![
            "ca".to_owned(),
            "-config".into(),
            format!("{d}/ca.cnf"),
            "-gencrl".into(),
            "-keyfile".into(),
            key,
            "-cert".into(),
            cert,
            "-out".into(),
            out.into(),
        ];
        if let Some(t) = &spec.last_update {
            args.extend(["-crl_lastupdate".into(), t.clone()]);
        }
        if let Some(t) = &spec.next_update {
            args.extend(["-crl_nextupdate".into(), t.clone()]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        self.run("openssl", &args);
    }

    /// Signs `doc.txt` with the card through `kazasu sign`.
    fn signed_document(&self) {
        std::fs::write(self.path("doc.txt"), "a contract").unwrap();
        let reader = format!("sim:{}", self.card.path().display());
        let out = run_kazasu(
            &bin("kazasu"),
            self.card.dir(),
            &["--reader", &reader, "sign", "--pin-stdin", "doc.txt"],
            &format!("{SIGN_PIN}\n"),
        );
        assert!(out.status.success(), "kazasu sign: {}", text(&out.stderr));
    }

    /// `kazasu verify doc.txt` trusting the signing CA, with `crls`: (exit code, report).
    fn verify(&self, crls: &[&str]) -> (Option<i32>, String) {
        let mut args = vec!["verify", "doc.txt", "--trust", "trust/sign-ca.pem"];
        for crl in crls {
            args.extend(["--crl", crl]);
        }
        let out = run_kazasu(&bin("kazasu"), self.card.dir(), &args, "");
        (
            out.status.code(),
            format!("{}{}", text(&out.stdout), text(&out.stderr)),
        )
    }

    /// The login policy's check of the card's authentication certificate, with `crls`.
    fn login_check(&self, crls: &[&str]) -> Result<(), LoginError> {
        let mut trust = TrustStore::new();
        trust
            .add_anchors(&std::fs::read(self.path("trust/auth-ca.pem")).unwrap())
            .unwrap();
        for crl in crls {
            trust
                .add_crls(&std::fs::read(self.path(crl)).unwrap())
                .unwrap();
        }
        let policy = Policy {
            rp_id: "rp.example".into(),
            allowed_origins: vec!["https://rp.example".into()],
            trust,
            max_skew: 60,
            remembered: Default::default(),
        };
        policy.recheck_certificate(
            self.card_certificate(Ca::Auth).der(),
            time::OffsetDateTime::now_utc().unix_timestamp(),
        )
    }

    /// The same CRL spec for both CAs: `<name>-sign.pem` and `<name>-auth.pem`.
    fn both(&self, name: &str, spec: &CrlSpec<'_>) -> (String, String) {
        let sign = format!("{name}-sign.pem");
        let auth = format!("{name}-auth.pem");
        self.crl(Ca::Sign, &sign, spec);
        self.crl(Ca::Auth, &auth, spec);
        (sign, auth)
    }

    /// Asserts that documents and logins both say "revocation unknown" with these CRLs.
    fn assert_unknown(&self, sign_crls: &[&str], auth_crls: &[&str], why: &str) {
        let (code, report) = self.verify(sign_crls);
        assert_eq!(code, Some(6), "{report}");
        assert!(report.contains("revocation unknown"), "{report}");
        assert!(report.contains(why), "{report}");
        assert!(!report.contains("not revoked"), "{report}");
        assert!(
            matches!(
                self.login_check(auth_crls),
                Err(LoginError::RevocationUnknown)
            ),
            "{:?}",
            self.login_check(auth_crls)
        );
    }
}

fn exists(path: &Path) -> bool {
    path.exists()
}

#[test]
fn a_current_crl_from_the_issuer_says_not_revoked_and_a_listing_says_revoked() {
    let bench = Bench::new();
    bench.signed_document();
    let (sign, auth) = bench.both("good", &CrlSpec::default());
    assert!(exists(&bench.path(&sign)));
    let (code, report) = bench.verify(&[&sign]);
    assert_eq!(code, Some(0), "{report}");
    assert!(report.contains("not revoked"), "{report}");
    assert!(report.contains("VALID (CAdES-BES)"), "{report}");
    bench.login_check(&[&auth]).unwrap();

    let (sign, auth) = bench.both(
        "revoked",
        &CrlSpec {
            revoke_card: true,
            ..CrlSpec::default()
        },
    );
    let (code, report) = bench.verify(&[&sign]);
    assert_eq!(code, Some(6), "{report}");
    assert!(report.contains("revoked on"), "{report}");
    assert!(matches!(
        bench.login_check(&[&auth]),
        Err(LoginError::Revoked { .. })
    ));
}

#[test]
fn a_crl_by_another_ca_with_the_same_name_is_not_used() {
    let bench = Bench::new();
    bench.signed_document();
    let (sign, auth) = bench.both(
        "impostor",
        &CrlSpec {
            impostor: true,
            ..CrlSpec::default()
        },
    );
    bench.assert_unknown(&[&sign], &[&auth], "not signed by the trusted CA");
    // Even beside the genuine CRL listing the card, the impostor's newer one changes nothing.
    let (genuine_sign, genuine_auth) = bench.both(
        "genuine",
        &CrlSpec {
            revoke_card: true,
            number: Some(1),
            ..CrlSpec::default()
        },
    );
    let (newer_sign, newer_auth) = bench.both(
        "impostor-newer",
        &CrlSpec {
            impostor: true,
            number: Some(9),
            ..CrlSpec::default()
        },
    );
    let (code, report) = bench.verify(&[&genuine_sign, &newer_sign]);
    assert_eq!(code, Some(6), "{report}");
    assert!(report.contains("revoked on"), "{report}");
    assert!(matches!(
        bench.login_check(&[&genuine_auth, &newer_auth]),
        Err(LoginError::Revoked { .. })
    ));
}

#[test]
fn a_crl_for_ca_certificates_only_says_nothing_about_a_card() {
    let bench = Bench::new();
    bench.signed_document();
    let (sign, auth) = bench.both(
        "ca-only",
        &CrlSpec {
            idp: Some("onlyCA = TRUE"),
            ..CrlSpec::default()
        },
    );
    bench.assert_unknown(&[&sign], &[&auth], "covers only CA certificates");
    let (sign, auth) = bench.both(
        "attribute-only",
        &CrlSpec {
            idp: Some("onlyAA = TRUE"),
            ..CrlSpec::default()
        },
    );
    bench.assert_unknown(&[&sign], &[&auth], "covers only attribute certificates");
    let (sign, auth) = bench.both(
        "some-reasons",
        &CrlSpec {
            idp: Some("onlysomereasons = keyCompromise"),
            ..CrlSpec::default()
        },
    );
    bench.assert_unknown(&[&sign], &[&auth], "only some revocation reasons");
    let (sign, auth) = bench.both(
        "other-point",
        &CrlSpec {
            idp: Some("fullname = URI:http://crl.example/partition-7.crl"),
            ..CrlSpec::default()
        },
    );
    bench.assert_unknown(&[&sign], &[&auth], "distribution point");
    // A user-certificates-only CRL does cover a card.
    let (sign, auth) = bench.both(
        "user-only",
        &CrlSpec {
            idp: Some("onlyuser = TRUE"),
            ..CrlSpec::default()
        },
    );
    let (code, report) = bench.verify(&[&sign]);
    assert_eq!(code, Some(0), "{report}");
    bench.login_check(&[&auth]).unwrap();
}

#[test]
fn an_expired_crl_gives_revocation_unknown() {
    let bench = Bench::new();
    bench.signed_document();
    let (sign, auth) = bench.both(
        "expired",
        &CrlSpec {
            last_update: Some(stamp(-time::Duration::days(3))),
            next_update: Some(stamp(-time::Duration::hours(1))),
            ..CrlSpec::default()
        },
    );
    bench.assert_unknown(&[&sign], &[&auth], "expired");
    // With a grace longer than the hour since its nextUpdate, it is used again.
    let mut trust = TrustStore::new();
    trust
        .add_anchors(&std::fs::read(bench.path("trust/auth-ca.pem")).unwrap())
        .unwrap();
    trust
        .add_crls(&std::fs::read(bench.path(&auth)).unwrap())
        .unwrap();
    trust.set_crl_grace(time::Duration::hours(2));
    let policy = Policy {
        rp_id: "rp.example".into(),
        allowed_origins: vec!["https://rp.example".into()],
        trust,
        max_skew: 60,
        remembered: Default::default(),
    };
    policy
        .recheck_certificate(
            bench.card_certificate(Ca::Auth).der(),
            time::OffsetDateTime::now_utc().unix_timestamp(),
        )
        .unwrap();
}

#[test]
fn an_older_crl_given_with_a_newer_one_does_not_hide_a_revocation() {
    let bench = Bench::new();
    bench.signed_document();
    // CRL number 2 lists the card; CRL number 1, replayed with a later thisUpdate, does not.
    let (newer_sign, newer_auth) = bench.both(
        "newer",
        &CrlSpec {
            revoke_card: true,
            number: Some(2),
            last_update: Some(stamp(-time::Duration::hours(2))),
            next_update: Some(stamp(time::Duration::days(1))),
            ..CrlSpec::default()
        },
    );
    let (older_sign, older_auth) = bench.both(
        "older",
        &CrlSpec {
            number: Some(1),
            last_update: Some(stamp(-time::Duration::hours(1))),
            next_update: Some(stamp(time::Duration::days(1))),
            ..CrlSpec::default()
        },
    );
    for order in [[&newer_sign, &older_sign], [&older_sign, &newer_sign]] {
        let (code, report) = bench.verify(&[order[0], order[1]]);
        assert_eq!(code, Some(6), "{report}");
        assert!(report.contains("revoked on"), "{report}");
    }
    assert!(matches!(
        bench.login_check(&[&older_auth, &newer_auth]),
        Err(LoginError::Revoked { .. })
    ));
}
