//! OCSP against a real responder: OpenSSL's `openssl ocsp`, serving the simulated J-LIS's CAs
//! from the office's revocations and signing with the CA's delegated responder key. Asked
//! through the core (`kazasu_core::ocsp`) and through `kazasu verify --ocsp`; every answer that
//! cannot be trusted (about another certificate, signed by the wrong key, stale, replayed, or
//! a refusal) is refused and never taken for "not revoked".

#![allow(clippy::unwrap_used)] // test helpers: a panic is the failure report

use std::process::Output;

use kazasu_core::cert::CardCertificate;
use kazasu_core::cms::TrustStore;
use kazasu_core::cms::trust::{Evidence, RevocationAnswer, RevocationSource, Unusable};
use kazasu_core::ocsp::{self, OcspError, OcspRequest, OcspStatus};
use kazasu_sim::{CaKind, CardState, CertKind, Jlis};
use kazasu_tests::bins::{bin, run_kazasu, run_sim, text};
use kazasu_tests::child::free_port;
use kazasu_tests::ocsp::{NEXT_UPDATE_MINUTES, OcspResponder, Signer};
use kazasu_tests::rp::RelyingParty;
use kazasu_tests::{AUTH_PIN, SIGN_PIN, TestCard};
use time::{Duration, OffsetDateTime};

/// A card's certificate of `ca` and that CA's certificate.
fn pair(card: &TestCard, ca: CaKind) -> (CardCertificate, CardCertificate) {
    let state = CardState::load(card.path()).unwrap();
    let kind = match ca {
        CaKind::Auth => CertKind::Auth,
        CaKind::Sign => CertKind::Sign,
    };
    let jlis = Jlis::for_card(card.path()).unwrap();
    (
        CardCertificate::from_der(state.certificate_der(kind)).unwrap(),
        CardCertificate::from_der(jlis.ca_cert_der(ca)).unwrap(),
    )
}

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

#[test]
fn a_good_certificate_is_good_and_a_move_makes_the_signing_one_revoked() {
    let card = TestCard::new();
    let mut responder = OcspResponder::start(card.path(), CaKind::Sign);
    let (cert, ca) = pair(&card, CaKind::Sign);

    let (response, answer) = ocsp::ask(&responder.url(), &cert, &ca, now()).unwrap();
    assert_eq!(answer.status, OcspStatus::Good);
    assert!(answer.responder.contains("OCSP Responder"), "{answer:?}");
    let next = answer
        .next_update
        .expect("openssl -nmin gives a nextUpdate");
    assert_eq!(
        (next - answer.this_update).whole_minutes(),
        NEXT_UPDATE_MINUTES
    );
    let mut trust = TrustStore::new();
    trust.add_anchors(ca.der()).unwrap();
    trust.add_ocsp_response(&response).unwrap();
    assert!(matches!(
        trust.revocation(&cert, &ca, now()),
        RevocationAnswer::Good {
            source: RevocationSource::Ocsp,
            ..
        }
    ));
    assert_eq!(
        trust.evidence_for(&cert, &ca, now()),
        vec![Evidence::Ocsp(response.clone())]
    );
    // The CA's current CRL (from before the move) says good too.
    let crl = Jlis::for_card(card.path())
        .unwrap()
        .crl_der(CaKind::Sign)
        .unwrap();
    trust.add_crls(&crl).unwrap();

    // The holder moves: the office revokes the signing certificate.
    run_sim(
        card.path(),
        &["office", "move", "--address", "東京都千代田区千代田1-1"],
    );
    responder.refresh();
    let (revoked, answer) = ocsp::ask(&responder.url(), &cert, &ca, now()).unwrap();
    let OcspStatus::Revoked { on, reason } = answer.status else {
        panic!("not revoked: {answer:?}");
    };
    assert_eq!(format!("{reason:?}"), "Some(AffiliationChanged)");
    assert!(on <= now());
    // A revocation stands whenever it was said (as in a CRL), even judged as of before it.
    let before = ocsp::check(&revoked, &cert, &ca, None, now() - Duration::days(1)).unwrap();
    assert!(matches!(before.status, OcspStatus::Revoked { .. }));
    // Revoked by the responder wins over the older CRL's "good", and both are the evidence.
    trust.add_ocsp_response(&revoked).unwrap();
    assert!(matches!(
        trust.revocation(&cert, &ca, now()),
        RevocationAnswer::Revoked(_)
    ));
    let evidence = trust.evidence_for(&cert, &ca, now());
    assert!(evidence.contains(&Evidence::Ocsp(revoked)), "{evidence:?}");
    assert!(evidence.contains(&Evidence::Crl(crl)), "{evidence:?}");

    // And the other way round: the CRL made after the move wins over the responder's earlier
    // (still current) "good".
    let mut trust = TrustStore::new();
    trust.add_anchors(ca.der()).unwrap();
    trust.add_ocsp_response(&response).unwrap();
    let new_crl = Jlis::for_card(card.path())
        .unwrap()
        .crl_der(CaKind::Sign)
        .unwrap();
    trust.add_crls(&new_crl).unwrap();
    assert!(matches!(
        trust.revocation(&cert, &ca, now()),
        RevocationAnswer::Revoked(_)
    ));
}

#[test]
fn the_authentication_certificate_is_asked_at_its_own_ca() {
    let card = TestCard::new();
    let responder = OcspResponder::start(card.path(), CaKind::Auth);
    let (cert, ca) = pair(&card, CaKind::Auth);
    let (_, answer) = ocsp::ask(&responder.url(), &cert, &ca, now()).unwrap();
    assert_eq!(answer.status, OcspStatus::Good);
    // The simulated card's certificate names a responder that never resolves.
    assert_eq!(cert.ocsp_url().as_deref(), Some(kazasu_sim::OCSP_URL));
}

#[test]
fn an_answer_about_another_certificate_is_refused() {
    let card = TestCard::new();
    let responder = OcspResponder::start(card.path(), CaKind::Auth);
    let (cert, ca) = pair(&card, CaKind::Auth);
    let (sign, _) = pair(&card, CaKind::Sign);
    let request = OcspRequest::new(&cert, &ca);
    let response = ocsp::fetch(&responder.url(), &request).unwrap();
    assert!(ocsp::check(&response, &cert, &ca, request.nonce(), now()).is_ok());
    assert_eq!(
        ocsp::check(&response, &sign, &ca, request.nonce(), now()),
        Err(OcspError::OtherCertificate)
    );
    // Given to a trust store, it says nothing about the other certificate.
    let mut trust = TrustStore::new();
    trust.add_ocsp_response(&response).unwrap();
    assert_eq!(trust.revocation(&sign, &ca, now()), RevocationAnswer::NoCrl);
    assert!(trust.evidence_for(&sign, &ca, now()).is_empty());
}

#[test]
fn only_the_ca_or_a_responder_it_authorised_may_sign() {
    let card = TestCard::new();
    let (cert, ca) = pair(&card, CaKind::Auth);
    // The CA's own key: accepted.
    let by_ca = OcspResponder::signed_by(card.path(), CaKind::Auth, Signer::Ca);
    let (_, answer) = ocsp::ask(&by_ca.url(), &cert, &ca, now()).unwrap();
    assert_eq!(answer.status, OcspStatus::Good);
    drop(by_ca);
    // A certificate the CA issued, but not for OCSP (the card's own authentication key).
    let by_card = OcspResponder::signed_by(card.path(), CaKind::Auth, Signer::CardAuthKey);
    assert_eq!(
        ocsp::ask(&by_card.url(), &cert, &ca, now()).unwrap_err(),
        OcspError::NotSignedByIssuer
    );
    drop(by_card);
    // A responder authorised by the other CA.
    let by_other = OcspResponder::signed_by(card.path(), CaKind::Auth, Signer::OtherCasResponder);
    let request = OcspRequest::new(&cert, &ca);
    let response = ocsp::fetch(&by_other.url(), &request).unwrap();
    assert_eq!(
        ocsp::check(&response, &cert, &ca, request.nonce(), now()),
        Err(OcspError::NotSignedByIssuer)
    );
    // A trust store given it says "unknown", never "not revoked".
    let mut trust = TrustStore::new();
    trust.add_ocsp_response(&response).unwrap();
    assert_eq!(
        trust.revocation(&cert, &ca, now()),
        RevocationAnswer::Unknown(Unusable::Ocsp(OcspError::NotSignedByIssuer))
    );
    assert!(trust.evidence_for(&cert, &ca, now()).is_empty());
}

#[test]
fn a_stale_answer_is_refused() {
    let card = TestCard::new();
    let responder = OcspResponder::start(card.path(), CaKind::Auth);
    let (cert, ca) = pair(&card, CaKind::Auth);
    let request = OcspRequest::new(&cert, &ca);
    let response = ocsp::fetch(&responder.url(), &request).unwrap();
    let later = now() + Duration::minutes(NEXT_UPDATE_MINUTES + 1);
    assert!(matches!(
        ocsp::check(&response, &cert, &ca, request.nonce(), later),
        Err(OcspError::Stale { .. })
    ));
    // Before the responder said it (beyond the clock skew) it proves nothing either.
    let earlier = now() - ocsp::CLOCK_SKEW - Duration::minutes(1);
    assert!(matches!(
        ocsp::check(&response, &cert, &ca, request.nonce(), earlier),
        Err(OcspError::NotYetIssued { .. })
    ));
    let mut trust = TrustStore::new();
    trust.add_ocsp_response(&response).unwrap();
    assert!(matches!(
        trust.revocation(&cert, &ca, later),
        RevocationAnswer::Unknown(Unusable::Ocsp(OcspError::Stale { .. }))
    ));
}

#[test]
fn a_replayed_answer_is_refused() {
    let card = TestCard::new();
    let responder = OcspResponder::start(card.path(), CaKind::Auth);
    let (cert, ca) = pair(&card, CaKind::Auth);
    let first = OcspRequest::new(&cert, &ca);
    let old = ocsp::fetch(&responder.url(), &first).unwrap();
    assert!(ocsp::check(&old, &cert, &ca, first.nonce(), now()).is_ok());
    let second = OcspRequest::new(&cert, &ca);
    assert_ne!(first.nonce(), second.nonce());
    assert_eq!(
        ocsp::check(&old, &cert, &ca, second.nonce(), now()),
        Err(OcspError::NonceMismatch)
    );
    // An answer to a request without a nonce cannot stand in for one that sent one.
    let plain = ocsp::fetch(
        &responder.url(),
        &OcspRequest::new(&cert, &ca).without_nonce(),
    )
    .unwrap();
    assert!(ocsp::check(&plain, &cert, &ca, None, now()).is_ok());
    assert_eq!(
        ocsp::check(&plain, &cert, &ca, second.nonce(), now()),
        Err(OcspError::NonceMismatch)
    );
}

/// OpenSSL's responder never refuses a well-formed request: asked about another CA's
/// certificate it answers "unknown", signed with its own key (and a request it cannot parse
/// makes it exit without answering). Non-successful responseStatus values are therefore
/// checked with hand-encoded responses in `core/src/ocsp/tests.rs` and by the `ocsp` fuzz
/// target; here, the answers a real responder gives that must not count.
#[test]
fn another_cas_responder_or_none_is_never_good() {
    let card = TestCard::new();
    let responder = OcspResponder::start(card.path(), CaKind::Auth);
    let (cert, ca) = pair(&card, CaKind::Auth);
    // Asked about the signing certificate, the authentication CA's responder answers with a
    // key the signing CA never authorised.
    let (sign, sign_ca) = pair(&card, CaKind::Sign);
    let request = OcspRequest::new(&sign, &sign_ca);
    let answer = ocsp::fetch(&responder.url(), &request).unwrap();
    assert_eq!(
        ocsp::check(&answer, &sign, &sign_ca, request.nonce(), now()),
        Err(OcspError::NotSignedByIssuer)
    );
    let mut trust = TrustStore::new();
    trust.add_ocsp_response(&answer).unwrap();
    assert_eq!(
        trust.revocation(&sign, &sign_ca, now()),
        RevocationAnswer::Unknown(Unusable::Ocsp(OcspError::NotSignedByIssuer))
    );
    // Nobody listening.
    let nobody = format!("http://127.0.0.1:{}/", free_port());
    assert!(matches!(
        ocsp::ask(&nobody, &cert, &ca, now()),
        Err(OcspError::Unreachable { .. })
    ));
    assert_eq!(trust.revocation(&cert, &ca, now()), RevocationAnswer::NoCrl);
}

/// `kazasu verify doc.txt` against the test signing CA with `extra` arguments.
fn verify(card: &TestCard, extra: &[&str]) -> (Output, String) {
    let mut args = vec!["verify", "doc.txt", "--trust", "trust/sign-ca.pem"];
    args.extend_from_slice(extra);
    let out = run_kazasu(&bin("kazasu"), card.dir(), &args, "");
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    (out, all)
}

#[test]
fn kazasu_verify_asks_the_responder_given() {
    let card = TestCard::new();
    run_sim(card.path(), &["office", "export-trust", "trust"]);
    std::fs::write(card.dir().join("doc.txt"), "a contract").unwrap();
    let reader = format!("sim:{}", card.path().display());
    let out = run_kazasu(
        &bin("kazasu"),
        card.dir(),
        &["--reader", &reader, "sign", "--pin-stdin", "doc.txt"],
        &format!("{SIGN_PIN}\n"),
    );
    assert!(out.status.success(), "kazasu sign: {}", text(&out.stderr));
    let mut responder = OcspResponder::start(card.path(), CaKind::Sign);
    let url = responder.url();

    // Neither CRL nor OCSP: revocation not checked (not passed, not failed).
    let (out, report) = verify(&card, &[]);
    assert!(out.status.success(), "{report}");
    assert!(report.contains("revocation not checked"), "{report}");

    let (out, report) = verify(&card, &["--ocsp", &url]);
    assert!(out.status.success(), "{report}");
    assert!(report.contains("not revoked (OCSP answer of"), "{report}");

    // Judged as of a time past the answer's nextUpdate: stale, an error, not "not revoked".
    let later = (now() + Duration::minutes(NEXT_UPDATE_MINUTES + 1))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let (out, report) = verify(&card, &["--ocsp", &url, "--at", &later]);
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert!(report.contains("stale"), "{report}");
    assert!(!report.contains("VALID"), "{report}");

    // The signing certificate names no responder: none is guessed.
    let (out, report) = verify(&card, &["--ocsp-from-certificate"]);
    assert!(!out.status.success(), "{report}");
    assert!(report.contains("names no OCSP responder"), "{report}");

    run_sim(
        card.path(),
        &["office", "move", "--address", "東京都千代田区千代田1-1"],
    );
    responder.refresh();
    let (out, report) = verify(&card, &["--ocsp", &url]);
    assert_eq!(out.status.code(), Some(6), "{report}");
    assert!(report.contains("NOT VALID"), "{report}");
    assert!(report.contains("revoked on"), "{report}");

    // An unreachable responder is an error, never a valid signature.
    drop(responder);
    let (out, report) = verify(&card, &["--ocsp", &url]);
    assert!(!out.status.success(), "{report}");
    assert!(!report.contains("VALID"), "{report}");
    assert!(report.contains("could not be asked"), "{report}");
}

/// `kazasu login` with the card against a kazasu-rp that has no CRL and asks `ocsp`.
fn login_with_ocsp_only(card: &TestCard, ocsp: &str) -> Output {
    // Only the CA: the configured CRL file does not exist, so OCSP alone can say "not revoked".
    let trust = card.dir().join("ca-only");
    std::fs::create_dir_all(&trust).unwrap();
    std::fs::copy(
        card.dir().join("trust/auth-ca.pem"),
        trust.join("auth-ca.pem"),
    )
    .unwrap();
    let rp = RelyingParty::start(
        card.dir(),
        &trust,
        &format!("[revocation]\nocsp = {ocsp:?}\n"),
    );
    let reader = format!("sim:{}", card.path().display());
    run_kazasu(
        &bin("kazasu"),
        card.dir(),
        &["--reader", &reader, "login", rp.url(), "--pin-stdin"],
        &format!("{AUTH_PIN}\n"),
    )
}

#[test]
fn kazasu_rp_asks_its_responder_at_each_login() {
    let card = TestCard::new();
    run_sim(card.path(), &["office", "export-trust", "trust"]);
    let mut responder = OcspResponder::start(card.path(), CaKind::Auth);
    let url = responder.url();

    let out = login_with_ocsp_only(&card, &url);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("Logged in"),
        "{}",
        text(&out.stdout)
    );

    // The certificate names a responder that never resolves: nothing says "not revoked".
    let out = login_with_ocsp_only(&card, "aia");
    assert!(!out.status.success(), "{}", text(&out.stdout));
    assert!(
        text(&out.stderr).contains("revocation"),
        "{}",
        text(&out.stderr)
    );

    run_sim(card.path(), &["office", "revoke", "--auth"]);
    responder.refresh();
    let out = login_with_ocsp_only(&card, &url);
    assert!(!out.status.success(), "{}", text(&out.stdout));
    assert!(
        text(&out.stderr).contains("revoked"),
        "{}",
        text(&out.stderr)
    );

    // No responder listening and no CRL: refused, never let in.
    drop(responder);
    let out = login_with_ocsp_only(&card, &url);
    assert!(!out.status.success(), "{}", text(&out.stdout));
    assert!(
        !text(&out.stdout).contains("Logged in"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn kazasu_sim_exports_a_responder_and_an_index_for_openssl() {
    let card = TestCard::new();
    run_sim(card.path(), &["office", "export-ocsp", "ocsp"]);
    let dir = card.dir().join("ocsp");
    let (auth, auth_ca) = pair(&card, CaKind::Auth);
    let read_pem = |name: &str| {
        let text = std::fs::read_to_string(dir.join(name)).unwrap();
        let (_, der) = der::pem::decode_vec(text.as_bytes()).unwrap();
        CardCertificate::from_der(&der).unwrap()
    };
    let responder = read_pem("auth-ocsp.pem");
    assert!(responder.is_signed_by(&auth_ca));
    assert!(
        responder
            .extended_key_usage()
            .contains(&ocsp::id_kp_ocsp_signing())
    );
    assert_eq!(read_pem("auth-ca.pem").der(), auth_ca.der());
    let index = std::fs::read_to_string(dir.join("auth-index.txt")).unwrap();
    let line = |index: &str| {
        index
            .lines()
            .find(|l| l.split('\t').nth(3) == Some(auth.serial_hex().as_str()))
            .map(str::to_owned)
    };
    assert!(line(&index).unwrap().starts_with("V\t"), "{index}");
    // The same responder key after an office act; the index now says revoked.
    run_sim(card.path(), &["office", "revoke", "--auth"]);
    run_sim(card.path(), &["office", "export-ocsp", "ocsp"]);
    assert_eq!(read_pem("auth-ocsp.pem").der(), responder.der());
    let index = std::fs::read_to_string(dir.join("auth-index.txt")).unwrap();
    let revoked = line(&index).unwrap();
    assert!(revoked.starts_with("R\t"), "{index}");
    assert!(revoked.contains(",cessationOfOperation\t"), "{revoked}");
}

#[test]
fn a_certificate_the_responder_does_not_know_is_unknown_never_good() {
    let card = TestCard::new();
    let mut responder = OcspResponder::start(card.path(), CaKind::Sign);
    let (old, ca) = pair(&card, CaKind::Sign);
    // A new signing certificate the running responder's index does not list yet.
    run_sim(card.path(), &["office", "reissue-sign"]);
    let (new, _) = pair(&card, CaKind::Sign);
    assert_ne!(old.serial_hex(), new.serial_hex());
    let (response, answer) = ocsp::ask(&responder.url(), &new, &ca, now()).unwrap();
    assert_eq!(answer.status, OcspStatus::Unknown);
    let mut trust = TrustStore::new();
    trust.add_ocsp_response(&response).unwrap();
    assert_eq!(
        trust.revocation(&new, &ca, now()),
        RevocationAnswer::Unknown(Unusable::OcspUnknown)
    );
    assert!(trust.evidence_for(&new, &ca, now()).is_empty());
    // Once the index is rewritten: the new one is good, the superseded one (on no card any
    // more) revoked.
    responder.refresh();
    let (_, answer) = ocsp::ask(&responder.url(), &new, &ca, now()).unwrap();
    assert_eq!(answer.status, OcspStatus::Good);
    let (_, answer) = ocsp::ask(&responder.url(), &old, &ca, now()).unwrap();
    let OcspStatus::Revoked { reason, .. } = answer.status else {
        panic!("not revoked: {answer:?}");
    };
    assert_eq!(format!("{reason:?}"), "Some(Superseded)");
}

#[test]
fn kazasu_verify_asks_about_each_signature_of_a_pdf() {
    let card = TestCard::new();
    run_sim(card.path(), &["office", "export-trust", "trust"]);
    std::fs::write(
        card.dir().join("contract.pdf"),
        kazasu_tests::pdf_fixture::sample_pdf(1),
    )
    .unwrap();
    let reader = format!("sim:{}", card.path().display());
    let out = run_kazasu(
        &bin("kazasu"),
        card.dir(),
        &["--reader", &reader, "sign", "--pin-stdin", "contract.pdf"],
        &format!("{SIGN_PIN}\n"),
    );
    assert!(out.status.success(), "kazasu sign: {}", text(&out.stderr));
    let mut responder = OcspResponder::start(card.path(), CaKind::Sign);
    let args = [
        "verify",
        "contract-signed.pdf",
        "--trust",
        "trust/sign-ca.pem",
        "--ocsp",
    ];
    let run = |url: &str| {
        let mut all = args.to_vec();
        all.push(url);
        let out = run_kazasu(&bin("kazasu"), card.dir(), &all, "");
        (
            out.status.code(),
            format!("{}{}", text(&out.stdout), text(&out.stderr)),
        )
    };
    let (code, report) = run(&responder.url());
    assert_eq!(code, Some(0), "{report}");
    assert!(report.contains("not revoked (OCSP answer of"), "{report}");
    run_sim(
        card.path(),
        &["office", "move", "--address", "東京都千代田区千代田1-1"],
    );
    responder.refresh();
    let (code, report) = run(&responder.url());
    assert_eq!(code, Some(6), "{report}");
    assert!(report.contains("revoked on"), "{report}");
}

#[test]
fn a_suspension_is_revoked_on_hold_until_it_is_lifted() {
    let card = TestCard::new();
    let mut responder = OcspResponder::start(card.path(), CaKind::Auth);
    let (cert, ca) = pair(&card, CaKind::Auth);
    run_sim(card.path(), &["office", "suspend"]);
    responder.refresh();
    let (_, answer) = ocsp::ask(&responder.url(), &cert, &ca, now()).unwrap();
    let OcspStatus::Revoked { reason, .. } = answer.status else {
        panic!("not revoked: {answer:?}");
    };
    assert_eq!(format!("{reason:?}"), "Some(CertificateHold)");
    run_sim(card.path(), &["office", "resume"]);
    responder.refresh();
    let (_, answer) = ocsp::ask(&responder.url(), &cert, &ca, now()).unwrap();
    assert_eq!(answer.status, OcspStatus::Good);
}
