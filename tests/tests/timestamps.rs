//! RFC 3161 timestamps against a real TSA: OpenSSL's own (`openssl ts -reply`) over HTTP, with
//! its own test CA. Kazasu's verdict on each token is compared with `openssl ts -verify`'s.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use kazasu_core::cms::{CheckKind, DigestAlgorithm, Outcome, TrustStore};
use kazasu_core::tsp::{
    TimestampRequest, TimestampToken, TimestampVerdict, TspError, check_response, request_token,
};
use kazasu_tests::tsa::{POLICY, Tsa};
use time::OffsetDateTime;

const DATA: &[u8] = b"a CAdES signature value, or any bytes worth a timestamp";

fn trusting(ca: &Path) -> TrustStore {
    let mut trust = TrustStore::new();
    trust.add_anchors(&std::fs::read(ca).unwrap()).unwrap();
    trust
}

/// A token over `data` from the TSA, with `algorithm`.
fn token_for(tsa: &Tsa, algorithm: DigestAlgorithm, data: &[u8]) -> Vec<u8> {
    let request = TimestampRequest::new(algorithm, &algorithm.digest(data));
    request_token(tsa.url(), &request).unwrap()
}

fn outcome(verdict: &TimestampVerdict, kind: CheckKind) -> Outcome {
    verdict
        .checks
        .iter()
        .find(|c| c.check == kind)
        .unwrap_or_else(|| panic!("no {kind:?} check in {verdict:#?}"))
        .outcome
}

/// `openssl ts -verify` of the token `token` over the file `data`, trusting `ca`: its success
/// and what it said.
fn openssl_verify(dir: &Path, token: &[u8], data: &[u8], ca: &Path) -> (bool, String) {
    let token_file = dir.join("token.der");
    let data_file = dir.join("data.bin");
    std::fs::write(&token_file, token).unwrap();
    std::fs::write(&data_file, data).unwrap();
    let out = std::process::Command::new("openssl")
        .args(["ts", "-verify", "-token_in", "-in"])
        .arg(&token_file)
        .arg("-data")
        .arg(&data_file)
        .arg("-CAfile")
        .arg(ca)
        .output()
        .unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (
        out.status.success() && said.contains("Verification: OK"),
        said,
    )
}

#[test]
fn a_token_from_openssls_tsa_verifies_here_and_in_openssl() {
    let dir = tempfile::tempdir().unwrap();
    let tsa = Tsa::start(dir.path());
    let before = OffsetDateTime::now_utc();
    for algorithm in [DigestAlgorithm::Sha256, DigestAlgorithm::Sha512] {
        let der = token_for(&tsa, algorithm, DATA);
        let token = TimestampToken::parse(&der).unwrap();
        assert_eq!(token.der(), der.as_slice());
        assert_eq!(token.digest_algorithm(), algorithm);
        assert_eq!(token.imprint(), algorithm.digest(DATA));
        assert_eq!(token.policy().to_string(), POLICY);
        assert!(!token.serial_hex().is_empty());
        let tsa_cert = token.tsa_certificate().unwrap();
        assert!(
            tsa_cert.subject().contains("Kazasu Test TSA"),
            "{}",
            tsa_cert.subject()
        );
        let now = OffsetDateTime::now_utc();
        // genTime is the TSA's clock, in milliseconds (clock_precision_digits = 3).
        assert!(token.gen_time() >= before - time::Duration::seconds(1));
        assert!(token.gen_time() <= now + time::Duration::seconds(1));

        let verdict = token.verify(&algorithm.digest(DATA), &trusting(&tsa.ca_pem()), now);
        assert!(verdict.valid, "{verdict:#?}");
        assert_eq!(verdict.gen_time, token.gen_time());
        assert!(
            verdict
                .tsa
                .as_deref()
                .unwrap()
                .contains("CN=Kazasu Test TSA")
        );
        assert!(
            verdict
                .anchor
                .as_deref()
                .unwrap()
                .contains("Kazasu Test TSA CA")
        );
        for kind in [
            CheckKind::Content,
            CheckKind::Signature,
            CheckKind::SigningCertificate,
            CheckKind::Chain,
            CheckKind::Validity,
            CheckKind::KeyUsage,
        ] {
            assert_eq!(
                outcome(&verdict, kind),
                Outcome::Passed,
                "{kind:?}: {verdict:#?}"
            );
        }
        // No CRL of the test CA was given: unknown, not a failure.
        assert_eq!(
            outcome(&verdict, CheckKind::Revocation),
            Outcome::NotChecked
        );

        let (ok, said) = openssl_verify(dir.path(), &der, DATA, &tsa.ca_pem());
        assert!(ok, "openssl ts -verify refused Kazasu's token: {said}");
    }
}

#[test]
fn a_token_over_other_bytes_is_refused_here_and_by_openssl() {
    let dir = tempfile::tempdir().unwrap();
    let tsa = Tsa::start(dir.path());
    let der = token_for(&tsa, DigestAlgorithm::Sha256, DATA);
    let token = TimestampToken::parse(&der).unwrap();
    let other = b"other bytes";
    let verdict = token.verify(
        &DigestAlgorithm::Sha256.digest(other),
        &trusting(&tsa.ca_pem()),
        OffsetDateTime::now_utc(),
    );
    assert!(!verdict.valid);
    let failed: Vec<CheckKind> = verdict.failures().map(|c| c.check).collect();
    assert_eq!(failed, [CheckKind::Content], "{verdict:#?}");
    let (ok, said) = openssl_verify(dir.path(), &der, other, &tsa.ca_pem());
    assert!(!ok, "openssl accepted a token over other data: {said}");
}

#[test]
fn a_tsa_not_in_the_trust_list_is_refused_here_and_by_openssl() {
    let dir = tempfile::tempdir().unwrap();
    let tsa = Tsa::start(dir.path());
    let der = token_for(&tsa, DigestAlgorithm::Sha256, DATA);
    let token = TimestampToken::parse(&der).unwrap();
    let imprint = DigestAlgorithm::Sha256.digest(DATA);
    let now = OffsetDateTime::now_utc();
    for trust in [trusting(&tsa.untrusted_ca_pem()), TrustStore::new()] {
        let verdict = token.verify(&imprint, &trust, now);
        assert!(!verdict.valid);
        assert_eq!(
            outcome(&verdict, CheckKind::Chain),
            Outcome::Failed,
            "{verdict:#?}"
        );
        assert_eq!(outcome(&verdict, CheckKind::Signature), Outcome::Passed);
        assert_eq!(verdict.anchor, None);
    }
    // The TSA's own certificate is not a CA: trusting it is not trusting an issuer.
    let verdict = token.verify(&imprint, &trusting(&tsa.tsa_pem()), now);
    assert_eq!(
        outcome(&verdict, CheckKind::Chain),
        Outcome::Failed,
        "{verdict:#?}"
    );
    let (ok, said) = openssl_verify(dir.path(), &der, DATA, &tsa.untrusted_ca_pem());
    assert!(!ok, "openssl accepted an untrusted TSA: {said}");
}

#[test]
fn a_signer_without_the_timestamping_usage_is_refused_here_and_by_openssl() {
    let dir = tempfile::tempdir().unwrap();
    let tsa = Tsa::start(dir.path());
    let genuine = token_for(&tsa, DigestAlgorithm::Sha256, DATA);
    let der = tsa.resign_without_timestamping_usage(&genuine);
    let token = TimestampToken::parse(&der).unwrap();
    assert!(
        token
            .tsa_certificate()
            .unwrap()
            .subject()
            .contains("no timeStamping")
    );
    let verdict = token.verify(
        &DigestAlgorithm::Sha256.digest(DATA),
        &trusting(&tsa.ca_pem()),
        OffsetDateTime::now_utc(),
    );
    assert!(!verdict.valid);
    // Everything holds but what the certificate is for.
    let failed: Vec<CheckKind> = verdict.failures().map(|c| c.check).collect();
    assert_eq!(failed, [CheckKind::KeyUsage], "{verdict:#?}");
    let (ok, said) = openssl_verify(dir.path(), &der, DATA, &tsa.ca_pem());
    assert!(
        !ok,
        "openssl accepted a token signed without timeStamping: {said}"
    );

    // A TSTInfo that names its TSA, signed by another certificate: that is refused as well.
    let request = TimestampRequest::new(
        DigestAlgorithm::Sha256,
        &DigestAlgorithm::Sha256.digest(DATA),
    );
    let named = check_response(&tsa.reply("tsa_ess_v1", &request.to_der()), &request).unwrap();
    let der = tsa.resign_without_timestamping_usage(&named);
    let verdict = TimestampToken::parse(&der).unwrap().verify(
        &DigestAlgorithm::Sha256.digest(DATA),
        &trusting(&tsa.ca_pem()),
        OffsetDateTime::now_utc(),
    );
    let failed: Vec<CheckKind> = verdict.failures().map(|c| c.check).collect();
    assert_eq!(
        failed,
        [CheckKind::SigningCertificate, CheckKind::KeyUsage],
        "{verdict:#?}"
    );
    assert!(
        verdict.checks[2]
            .detail
            .contains("names the TSA CN=Kazasu Test TSA"),
        "{verdict:#?}"
    );
}

#[test]
fn an_answer_to_another_request_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let tsa = Tsa::start(dir.path());
    let imprint = DigestAlgorithm::Sha256.digest(DATA);
    let asked = TimestampRequest::new(DigestAlgorithm::Sha256, &imprint);
    let replayed = TimestampRequest::new(DigestAlgorithm::Sha256, &imprint);
    let response = tsa.reply("tsa_default", &replayed.to_der());
    // The same data, a fresh nonce: an old (or someone else's) answer is not this one's.
    let err = check_response(&response, &asked).unwrap_err();
    assert!(matches!(err, TspError::Mismatch(_)), "{err}");
    assert!(err.to_string().contains("nonce"), "{err}");
    // Another imprint with the same nonce is refused too, and the right pair is accepted.
    assert!(check_response(&response, &replayed).is_ok());
    let other = TimestampRequest::new(
        DigestAlgorithm::Sha256,
        &DigestAlgorithm::Sha256.digest(b"x"),
    );
    let response = tsa.reply("tsa_default", &other.to_der());
    assert!(matches!(
        check_response(&response, &asked),
        Err(TspError::Mismatch(_))
    ));
}

#[test]
fn the_tsa_refusing_is_told_in_words() {
    let dir = tempfile::tempdir().unwrap();
    let tsa = Tsa::start(dir.path());
    // The TSA's policy does not accept SHA-384 (ACCEPTED_DIGESTS).
    let request = TimestampRequest::new(
        DigestAlgorithm::Sha384,
        &DigestAlgorithm::Sha384.digest(DATA),
    );
    let err = request_token(tsa.url(), &request).unwrap_err();
    let TspError::Refused {
        status, failure, ..
    } = &err
    else {
        panic!("not a refusal: {err}");
    };
    assert_eq!(status, "rejection", "{err}");
    assert!(
        failure.as_deref().unwrap_or_default().contains("badAlg"),
        "{err}"
    );
}

#[test]
fn a_signing_certificate_v1_and_a_repeated_certificate_are_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let tsa = Tsa::start(dir.path());
    let imprint = DigestAlgorithm::Sha256.digest(DATA);
    let request = TimestampRequest::new(DigestAlgorithm::Sha256, &imprint);
    let response = tsa.reply("tsa_ess_v1", &request.to_der());
    let der = check_response(&response, &request).unwrap();
    let token = TimestampToken::parse(&der).unwrap();
    // The TSA's certificate is in the token twice (its chain file and certReq): read once.
    let tsa_der = token.tsa_certificate().unwrap().der().to_vec();
    let copies = der.windows(tsa_der.len()).filter(|w| *w == tsa_der).count();
    assert_eq!(copies, 2);
    let verdict = token.verify(
        &imprint,
        &trusting(&tsa.ca_pem()),
        OffsetDateTime::now_utc(),
    );
    assert!(verdict.valid, "{verdict:#?}");
    let named = verdict
        .checks
        .iter()
        .find(|c| c.check == CheckKind::SigningCertificate)
        .unwrap();
    assert!(
        named.detail.contains("signingCertificate "),
        "{}",
        named.detail
    );
    let (ok, said) = openssl_verify(dir.path(), &der, DATA, &tsa.ca_pem());
    assert!(ok, "{said}");
}

#[test]
fn a_token_changed_after_signing_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let tsa = Tsa::start(dir.path());
    let der = token_for(&tsa, DigestAlgorithm::Sha256, DATA);
    let token = TimestampToken::parse(&der).unwrap();
    // Change the policy inside the TSTInfo (1.2.3.4.1 → 1.2.3.4.2): still a well-formed token.
    let policy = [0x06, 0x04, 0x2A, 0x03, 0x04, 0x01];
    let at = der.windows(policy.len()).position(|w| w == policy).unwrap();
    let mut changed = der.clone();
    changed[at + policy.len() - 1] = 0x02;
    let tampered = TimestampToken::parse(&changed).unwrap();
    assert_ne!(tampered.policy(), token.policy());
    let verdict = tampered.verify(
        &DigestAlgorithm::Sha256.digest(DATA),
        &trusting(&tsa.ca_pem()),
        OffsetDateTime::now_utc(),
    );
    let failed: Vec<CheckKind> = verdict.failures().map(|c| c.check).collect();
    assert_eq!(failed, [CheckKind::Signature], "{verdict:#?}");
}

#[test]
fn an_unreachable_tsa_is_an_error_not_a_hang() {
    let port = kazasu_tests::child::free_port();
    let request = TimestampRequest::new(DigestAlgorithm::Sha256, &[0; 32]);
    let err = request_token(&format!("http://127.0.0.1:{port}/"), &request).unwrap_err();
    assert!(matches!(err, TspError::Unreachable { .. }), "{err}");
    let short = TimestampRequest::new(DigestAlgorithm::Sha256, &[0; 20]);
    assert!(matches!(
        request_token("http://127.0.0.1:9/", &short),
        Err(TspError::ImprintLength { .. })
    ));
}

#[test]
fn a_tsa_under_an_intermediate_ca_chains_through_the_token_to_the_root() {
    let dir = tempfile::tempdir().unwrap();
    let tsa = Tsa::start(dir.path());
    let imprint = DigestAlgorithm::Sha256.digest(DATA);
    let request = TimestampRequest::new(DigestAlgorithm::Sha256, &imprint);
    let der = check_response(&tsa.reply("tsa_intermediate", &request.to_der()), &request).unwrap();
    let token = TimestampToken::parse(&der).unwrap();
    let now = OffsetDateTime::now_utc();
    let verdict = token.verify(&imprint, &trusting(&tsa.ca_pem()), now);
    assert!(verdict.valid, "{verdict:#?}");
    let chain = verdict
        .checks
        .iter()
        .find(|c| c.check == CheckKind::Chain)
        .unwrap();
    assert!(
        chain.detail.contains("through CN=Kazasu Test TSA Sub CA"),
        "{}",
        chain.detail
    );
    assert_eq!(
        verdict.anchor.as_deref(),
        Some("CN=Kazasu Test TSA CA,O=Kazasu tests")
    );
    let (ok, said) = openssl_verify(dir.path(), &der, DATA, &tsa.ca_pem());
    assert!(ok, "{said}");
    // The intermediate proves nothing without the root: trusting another CA fails.
    let verdict = token.verify(&imprint, &trusting(&tsa.untrusted_ca_pem()), now);
    assert_eq!(
        outcome(&verdict, CheckKind::Chain),
        Outcome::Failed,
        "{verdict:#?}"
    );
}

#[test]
fn the_tsas_revocation_is_read_from_its_cas_crl() {
    let dir = tempfile::tempdir().unwrap();
    let tsa = Tsa::start(dir.path());
    let der = token_for(&tsa, DigestAlgorithm::Sha256, DATA);
    let token = TimestampToken::parse(&der).unwrap();
    let imprint = DigestAlgorithm::Sha256.digest(DATA);
    for (revoked, expected) in [(false, Outcome::Passed), (true, Outcome::Failed)] {
        let mut trust = trusting(&tsa.ca_pem());
        trust.add_crls(&tsa.crl(revoked)).unwrap();
        // The CRL's thisUpdate is in whole seconds: judge a moment after it.
        let now = OffsetDateTime::now_utc() + time::Duration::seconds(2);
        let verdict = token.verify(&imprint, &trust, now);
        let check = verdict
            .checks
            .iter()
            .find(|c| c.check == CheckKind::Revocation)
            .unwrap();
        assert_eq!(check.outcome, expected, "{verdict:#?}");
        assert_eq!(verdict.valid, !revoked);
        if revoked {
            assert!(check.detail.contains("was revoked on"), "{}", check.detail);
        }
    }
}

#[test]
fn a_web_server_that_is_no_tsa_is_an_http_error() {
    // Python's own file server answers a POST with 501.
    let port = kazasu_tests::child::free_port();
    let dir = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new("python3")
        .args(["-u", "-m", "http.server", "--bind", "127.0.0.1"])
        .arg(port.to_string())
        .current_dir(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let lines = kazasu_tests::child::lines_of(&mut child);
    let _server = kazasu_tests::child::Killed::new(child);
    kazasu_tests::child::line_with(&lines, "Serving HTTP", std::time::Duration::from_secs(20))
        .unwrap();
    let request = TimestampRequest::new(DigestAlgorithm::Sha256, &[0; 32]);
    let err = request_token(&format!("http://127.0.0.1:{port}/"), &request).unwrap_err();
    assert!(
        matches!(&err, TspError::Http { reason, .. } if reason == "HTTP 501"),
        "{err}"
    );
}
