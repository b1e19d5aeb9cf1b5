//! The ESS signingCertificate attribute (RFC 2634 §5.4), version 1: a SHA-1 hash of the TSA's
//! certificate. RFC 3161 requires it and many TSAs (OpenSSL's before 3.0 among them) still send
//! it instead of signingCertificateV2. SHA-1 here only names a certificate inside data the TSA
//! signed with SHA-2; it is not what the signature rests on.

use der::Sequence;
use der::asn1::OctetString;

use crate::cert::CardCertificate;
use crate::cms::ess::IssuerSerial;

/// `id-aa-signingCertificate`.
pub(super) const ID_AA_SIGNING_CERTIFICATE: const_oid::ObjectIdentifier =
    const_oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.12");
/// `id-aa-signingCertificateV2`.
pub(super) const ID_AA_SIGNING_CERTIFICATE_V2: const_oid::ObjectIdentifier =
    const_oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.47");

/// `SigningCertificate ::= SEQUENCE { certs SEQUENCE OF ESSCertID, policies … OPTIONAL }`.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub(super) struct SigningCertificate {
    /// The signer's certificate first.
    pub certs: Vec<EssCertId>,
    /// Policy information (unused).
    pub policies: Option<Vec<der::Any>>,
}

/// `ESSCertID ::= SEQUENCE { certHash OCTET STRING (SHA-1), issuerSerial IssuerSerial OPTIONAL }`.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub(super) struct EssCertId {
    /// SHA-1 of the whole DER certificate.
    pub cert_hash: OctetString,
    /// The certificate's issuer and serial number.
    pub issuer_serial: Option<IssuerSerial>,
}

/// Checks that a signingCertificate names `certificate`: the first ESSCertID's SHA-1 of its
/// DER, and its issuer and serial number when given.
pub(super) fn names_certificate_v1(
    v: &SigningCertificate,
    certificate: &CardCertificate,
) -> Result<(), &'static str> {
    let first = v
        .certs
        .first()
        .ok_or("the signingCertificate attribute names no certificate")?;
    let hash = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, certificate.der());
    if first.cert_hash.as_bytes() != hash.as_ref() {
        return Err("the signed attributes name another certificate");
    }
    if let Some(issuer_serial) = &first.issuer_serial {
        let tbs = &certificate.x509().tbs_certificate;
        let issuer_ok = issuer_serial.issuer.iter().any(|n| {
            matches!(n, x509_cert::ext::pkix::name::GeneralName::DirectoryName(d) if *d == tbs.issuer)
        });
        if !issuer_ok || issuer_serial.serial_number != tbs.serial_number {
            return Err(
                "the signed attributes name another certificate's issuer and serial number",
            );
        }
    }
    Ok(())
}
