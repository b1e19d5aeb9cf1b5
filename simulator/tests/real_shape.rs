//! The simulator's certificates have the shape of a real card's: compared, structure by structure,
//! with the certificates read off a real JPKI test card (`core/tests/fixtures/real-card/`).

#![allow(clippy::unwrap_used)] // test helpers: a panic is the failure report

use der::{Decode, Encode, Tag, Tagged};
use kazasu_core::cert::{CardCertificate, CertificateRole, JapaneseEra, builtin_roots};
use kazasu_sim::{
    CardState, CertKind, HolderProfile, IssueOptions, SIMULATOR_UNIT, TEST_ORGANISATION, issue_card,
};
use x509_cert::Certificate;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use x509_cert::ext::pkix::{
    AuthorityInfoAccessSyntax, AuthorityKeyIdentifier, CertificatePolicies, CrlDistributionPoints,
    IssuerAltName, SubjectAltName,
};
use x509_cert::name::Name;

const REAL_AUTH: &[u8] = include_bytes!("../../core/tests/fixtures/real-card/jpki-auth-cert.der");
const REAL_SIGN: &[u8] = include_bytes!("../../core/tests/fixtures/real-card/jpki-sign-cert.der");

/// Issues one sample card (four RSA keys: slow) and returns its state.
fn sample_card() -> (tempfile::TempDir, CardState) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("card.json");
    issue_card(&path, &HolderProfile::sample(), &IssueOptions::default()).unwrap();
    let state = CardState::load(&path).unwrap();
    (dir, state)
}

/// Attribute types and string tags of a name, RDN by RDN.
fn name_shape(name: &Name) -> Vec<(String, Tag)> {
    name.0
        .iter()
        .flat_map(|rdn| rdn.0.iter())
        .map(|atv| (atv.oid.to_string(), atv.value.tag()))
        .collect()
}

fn values(name: &Name) -> Vec<String> {
    name.0
        .iter()
        .flat_map(|rdn| rdn.0.iter())
        .map(|atv| String::from_utf8(atv.value.value().to_vec()).unwrap())
        .collect()
}

fn ext<T: for<'a> Decode<'a> + const_oid::AssociatedOid>(cert: &Certificate) -> Option<T> {
    cert.tbs_certificate
        .get::<T>()
        .unwrap()
        .map(|(_, value)| value)
}

/// Everything that makes a JPKI certificate's form, in a comparable value.
#[derive(Debug, PartialEq, Eq)]
struct Shape {
    signature_algorithm: String,
    key_bits: usize,
    subject: Vec<(String, Tag)>,
    common_name_length: usize,
    issuer: Vec<(String, Tag)>,
    extensions: Vec<(String, bool)>,
    alt_names: Vec<(String, Tag)>,
    policies: Vec<(String, Vec<String>)>,
    issuer_alt_name: Vec<Vec<(String, Tag)>>,
    crl_distribution_points: Vec<Vec<(String, Tag)>>,
    ocsp: Vec<String>,
    authority_key_identifier: (bool, bool, bool),
}

fn shape(der: &[u8]) -> Shape {
    let cert = Certificate::from_der(der).unwrap();
    let card = CardCertificate::from_der(der).unwrap();
    let tbs = &cert.tbs_certificate;
    // The common name's length is part of the form (23 and 28); the localities are names.
    let common_name_length = values(&tbs.subject).last().unwrap().chars().count();
    let alt_names = ext::<SubjectAltName>(&cert)
        .map(|san| {
            san.0
                .iter()
                .map(|name| {
                    let GeneralName::OtherName(other) = name else {
                        panic!("only otherName entries: {name:?}");
                    };
                    // `[0] EXPLICIT` is part of otherName's syntax: the value is what is inside.
                    (other.type_id.to_string(), other.value.tag())
                })
                .collect()
        })
        .unwrap_or_default();
    let policies = ext::<CertificatePolicies>(&cert)
        .map(|p| {
            p.0.iter()
                .map(|info| {
                    let qualifiers = info
                        .policy_qualifiers
                        .iter()
                        .flatten()
                        .map(|q| q.policy_qualifier_id.to_string())
                        .collect();
                    (info.policy_identifier.to_string(), qualifiers)
                })
                .collect()
        })
        .unwrap_or_default();
    let dir_names = |names: &[GeneralName]| -> Vec<Vec<(String, Tag)>> {
        names
            .iter()
            .map(|n| match n {
                GeneralName::DirectoryName(name) => name_shape(name),
                other => panic!("a directory name, not {other:?}"),
            })
            .collect()
    };
    let issuer_alt_name = ext::<IssuerAltName>(&cert)
        .map(|ian| dir_names(&ian.0))
        .unwrap_or_default();
    let crl_distribution_points = ext::<CrlDistributionPoints>(&cert)
        .map(|dps| {
            dps.0
                .iter()
                .flat_map(|dp| {
                    assert!(dp.crl_issuer.is_none() && dp.reasons.is_none());
                    match &dp.distribution_point {
                        Some(DistributionPointName::FullName(names)) => dir_names(names),
                        other => panic!("a full name, not {other:?}"),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let ocsp = ext::<AuthorityInfoAccessSyntax>(&cert)
        .map(|aia| {
            aia.0
                .iter()
                .map(|d| {
                    assert!(matches!(
                        d.access_location,
                        GeneralName::UniformResourceIdentifier(_)
                    ));
                    d.access_method.to_string()
                })
                .collect()
        })
        .unwrap_or_default();
    let aki = ext::<AuthorityKeyIdentifier>(&cert).unwrap();
    Shape {
        signature_algorithm: cert.signature_algorithm.oid.to_string(),
        key_bits: card.public_key_bits(),
        subject: name_shape(&tbs.subject),
        common_name_length,
        issuer: name_shape(&tbs.issuer),
        extensions: tbs
            .extensions
            .iter()
            .flatten()
            .map(|e| (e.extn_id.to_string(), e.critical))
            .collect(),
        alt_names,
        policies,
        issuer_alt_name,
        crl_distribution_points,
        ocsp,
        authority_key_identifier: (
            aki.key_identifier.is_some(),
            aki.authority_cert_issuer.is_some(),
            aki.authority_cert_serial_number.is_some(),
        ),
    }
}

#[test]
fn simulated_certificates_have_the_structure_of_real_ones() {
    let (_dir, card) = sample_card();
    for (kind, real) in [(CertKind::Auth, REAL_AUTH), (CertKind::Sign, REAL_SIGN)] {
        let simulated = card.certificate_der(kind);
        let (sim_shape, real_shape) = (shape(simulated), shape(real));
        assert_eq!(sim_shape, real_shape, "{kind:?}");
        // About the same size: what fits a real card's EF and a reader's buffers fits here.
        let (sim_len, real_len) = (simulated.len() as f64, real.len() as f64);
        assert!(
            (sim_len - real_len).abs() <= real_len * 0.10,
            "{kind:?}: {sim_len} bytes against {real_len} on a real card"
        );
    }
}

#[test]
fn simulated_certificates_read_like_real_ones_and_say_whose_they_are() {
    let (_dir, card) = sample_card();
    let holder = card.holder().clone();
    let sign = CardCertificate::from_der(card.certificate_der(CertKind::Sign)).unwrap();
    let auth = CardCertificate::from_der(card.certificate_der(CertKind::Auth)).unwrap();
    assert_eq!(sign.role(), Some(CertificateRole::Signing));
    assert_eq!(auth.role(), Some(CertificateRole::Authentication));
    assert!(auth.holder().is_none());
    let attrs = sign.holder().unwrap();
    assert!(holder.name.contains('\u{3000}'), "{}", holder.name);
    assert_eq!(attrs.name.as_deref(), Some(holder.name.as_str()));
    assert_eq!(attrs.address.as_deref(), Some(holder.address.as_str()));
    assert_eq!(attrs.birth_date, Some(holder.birth_date));
    // No alternative forms: the card's placeholders, which read as none.
    assert_eq!(attrs.name_alternative, None);
    assert_eq!(attrs.address_alternative, None);
    // Birth date with its era digit (1990: Heisei, 4).
    assert_eq!(JapaneseEra::of(holder.birth_date).code(), '4');
    let der = card.certificate_der(CertKind::Sign);
    assert!(der.windows(9).any(|w| w == b"419900315"));
    // Subject: the municipality in romaji, as on the real card.
    assert!(
        sign.subject()
            .contains("L=Kawasaki-shi,L=Kanagawa-ken,C=JP")
    );
    // Issued by J-LIS-shaped test CAs that say they are Kazasu's simulator.
    for cert in [&sign, &auth] {
        let issuer = cert.issuer();
        assert!(
            issuer.contains(&format!("O={TEST_ORGANISATION}")),
            "{issuer}"
        );
        assert!(issuer.contains(SIMULATOR_UNIT), "{issuer}");
        assert!(
            !issuer.contains("Japan Agency for Local Authority"),
            "{issuer}"
        );
    }
    // The certificates chain to the card's CA certificates, and to no built-in J-LIS root.
    let sign_ca = CardCertificate::from_der(card.certificate_der(CertKind::SignCa)).unwrap();
    let auth_ca = CardCertificate::from_der(card.certificate_der(CertKind::AuthCa)).unwrap();
    assert_eq!(
        sign.issuer_among(&[auth_ca.clone(), sign_ca.clone()])
            .map(|c| c.der()),
        Some(sign_ca.der())
    );
    assert_eq!(
        sign.authority_key_identifier(),
        sign_ca.subject_key_identifier()
    );
    assert!(auth.is_signed_by(&auth_ca));
    let roots: Vec<CardCertificate> = builtin_roots().iter().map(|r| r.certificate()).collect();
    assert!(sign.issuer_among(&roots).is_none() && auth.issuer_among(&roots).is_none());
    // The DER the card serves is exactly what was issued (no re-encoding on the way).
    assert_eq!(
        Certificate::from_der(der).unwrap().to_der().unwrap(),
        der,
        "canonical DER"
    );
}
