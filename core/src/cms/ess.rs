//! The ESS signingCertificateV2 attribute's ASN.1 (RFC 5035 §3), which the `cms` crate does not define.

use der::Sequence;
use der::asn1::OctetString;
use spki::AlgorithmIdentifierOwned;
use x509_cert::ext::pkix::name::GeneralNames;
use x509_cert::serial_number::SerialNumber;

/// `SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2, policies … OPTIONAL }`.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct SigningCertificateV2 {
    /// The signer's certificate first.
    pub certs: Vec<EssCertIdV2>,
    /// Policy information (unused here; kept so that such attributes parse).
    pub policies: Option<Vec<der::Any>>,
}

/// `ESSCertIDv2 ::= SEQUENCE { hashAlgorithm DEFAULT sha256, certHash, issuerSerial OPTIONAL }`.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct EssCertIdV2 {
    /// Absent means SHA-256.
    pub hash_algorithm: Option<AlgorithmIdentifierOwned>,
    /// The hash of the whole DER certificate.
    pub cert_hash: OctetString,
    /// The certificate's issuer and serial number.
    pub issuer_serial: Option<IssuerSerial>,
}

/// `IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber CertificateSerialNumber }`.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct IssuerSerial {
    /// The issuer's name, as a directoryName.
    pub issuer: GeneralNames,
    /// The certificate's serial number.
    pub serial_number: SerialNumber,
}
