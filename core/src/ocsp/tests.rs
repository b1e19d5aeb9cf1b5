//! Requests as responders expect them, and hostile responses refused without panicking. The
//! answers of a real responder (`openssl ocsp`) are checked in `tests/tests/ocsp.rs`.

use der::{Decode, Encode};
use time::OffsetDateTime;

use super::*;
use crate::cert::CardCertificate;
use crate::cms::TrustStore;

const AUTH_CERT: &[u8] = include_bytes!("../../tests/fixtures/real-card/jpki-auth-cert.der");
const AUTH_CA: &[u8] = include_bytes!("../../tests/fixtures/real-card/jpki-auth-ca-cert.der");

fn pair() -> (CardCertificate, CardCertificate) {
    (
        CardCertificate::from_der(AUTH_CERT).unwrap(),
        CardCertificate::from_der(AUTH_CA).unwrap(),
    )
}

#[test]
fn a_request_names_the_certificate_with_sha1_and_carries_a_fresh_nonce() {
    let (cert, ca) = pair();
    let request = OcspRequest::new(&cert, &ca);
    let der = request.to_der().unwrap();
    let parsed = x509_ocsp::OcspRequest::from_der(&der).unwrap();
    let single = &parsed.tbs_request.request_list[0].req_cert;
    assert_eq!(single.hash_algorithm.oid.to_string(), "1.3.14.3.2.26");
    let key = ca
        .x509()
        .tbs_certificate
        .subject_public_key_info
        .subject_public_key
        .raw_bytes();
    let sha1 = |b: &[u8]| {
        ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, b)
            .as_ref()
            .to_vec()
    };
    assert_eq!(single.issuer_key_hash.as_bytes(), sha1(key));
    let name = ca.x509().tbs_certificate.subject.to_der().unwrap();
    assert_eq!(single.issuer_name_hash.as_bytes(), sha1(&name));
    assert_eq!(
        single.serial_number,
        cert.x509().tbs_certificate.serial_number
    );
    let nonce = parsed.nonce().unwrap();
    assert_eq!(nonce.0.as_bytes(), request.nonce().unwrap());
    assert_eq!(request.nonce().unwrap().len(), NONCE_LENGTH);
    assert_ne!(OcspRequest::new(&cert, &ca).nonce(), request.nonce());
    let plain = request.without_nonce();
    assert!(plain.nonce().is_none());
    let parsed = x509_ocsp::OcspRequest::from_der(&plain.to_der().unwrap()).unwrap();
    assert!(parsed.tbs_request.request_extensions.is_none());
}

#[test]
fn a_real_authentication_certificate_names_its_responder() {
    let (cert, _) = pair();
    assert!(cert.ocsp_url().is_some_and(|u| u.starts_with("http")));
}

/// `check` against a real certificate pair at a fixed time.
fn check_bytes(bytes: &[u8]) -> Result<OcspAnswer, OcspError> {
    let (cert, ca) = pair();
    let at = OffsetDateTime::UNIX_EPOCH + time::Duration::days(20_000);
    check(bytes, &cert, &ca, None, at)
}

#[test]
fn refusals_and_other_response_types_say_so() {
    // OCSPResponse { responseStatus tryLater } and { unauthorized }.
    assert_eq!(
        check_bytes(&[0x30, 0x03, 0x0A, 0x01, 0x03]),
        Err(OcspError::NotSuccessful(ResponseStatus::TryLater))
    );
    assert_eq!(
        check_bytes(&[0x30, 0x03, 0x0A, 0x01, 0x06]),
        Err(OcspError::NotSuccessful(ResponseStatus::Unauthorized))
    );
    // successful, with responseBytes of type 1.2.840.113549 (not id-pkix-ocsp-basic).
    let body = [
        0x30, 0x11, 0x0A, 0x01, 0x00, 0xA0, 0x0C, 0x30, 0x0A, 0x06, 0x06, 0x2A, 0x86, 0x48, 0x86,
        0xF7, 0x0D, 0x04, 0x00,
    ];
    assert_eq!(
        check_bytes(&body),
        Err(OcspError::NotBasic("1.2.840.113549".into()))
    );
    // successful without a body.
    assert!(matches!(
        check_bytes(&[0x30, 0x03, 0x0A, 0x01, 0x00]),
        Err(OcspError::Der(_))
    ));
}

#[test]
fn hostile_bytes_are_refused_within_the_limits() {
    let too_large = vec![0x30; MAX_RESPONSE_SIZE + 1];
    assert!(matches!(
        check_bytes(&too_large),
        Err(OcspError::Limit(
            crate::cms::limits::LimitError::TooLarge { .. }
        ))
    ));
    let mut deep = vec![0x05, 0x00];
    for _ in 0..200 {
        let mut outer = vec![0x30, 0x82];
        outer.extend_from_slice(&(deep.len() as u16).to_be_bytes());
        outer.extend_from_slice(&deep);
        deep = outer;
    }
    assert!(check_bytes(&deep).is_err());
    for bytes in [
        &[][..],
        &[0x30],
        &[0x30, 0x80, 0x00, 0x00],
        &[0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF],
        b"not der at all",
    ] {
        assert!(check_bytes(bytes).is_err(), "{bytes:?}");
        assert!(validate(bytes).is_err());
    }
    let mut trust = TrustStore::new();
    assert!(trust.add_ocsp_response(b"\x30\x03\x0A\x01\x01").is_err());
}

#[test]
fn an_ocsp_failure_is_revocation_unavailable() {
    let error = OcspError::Unreachable {
        url: "http://127.0.0.1:1/".into(),
        reason: "connection refused".into(),
    };
    assert_eq!(
        crate::problem::classify(&error).kind,
        crate::problem::ProblemKind::RevocationUnavailable
    );
}
