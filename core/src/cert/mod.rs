//! The certificates on the card: parsed with `x509-cert`, checked with `rsa`, and described the
//! way a card holder needs (holder attributes, expiry in Japan time, the renewal window).

mod holder;
mod lifecycle;

use der::{Decode, Encode};
use rsa::pkcs8::DecodePublicKey;
use rsa::{Pkcs1v15Sign, RsaPublicKey};
use time::{Date, OffsetDateTime};
use x509_cert::Certificate;
use x509_cert::ext::pkix::KeyUsage;

use crate::card::CertSlot;

pub use holder::{HOLDER_ATTRIBUTE_ARC, HolderAttributes};
pub use lifecycle::{JST, Lifecycle, lifecycle, renewal_opens_on};

/// Why bytes from the card are not a usable certificate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CertificateError {
    /// Not a DER X.509 certificate.
    #[error("the certificate is not valid DER X.509: {0}")]
    Der(#[from] der::Error),
    /// The subject key is not RSA (JPKI certificates are RSA-2048).
    #[error("the certificate's key is not RSA but {algorithm}: not a JPKI certificate")]
    NotRsa {
        /// The key algorithm's OID.
        algorithm: String,
    },
    /// The RSA key inside cannot be read.
    #[error("the certificate's RSA key cannot be read: {reason}")]
    BadKey {
        /// What the RSA parser said.
        reason: String,
    },
    /// A validity time outside what dates can represent.
    #[error("the certificate's validity period cannot be represented as a date")]
    Time,
    /// Refused before decoding: too large, too many elements, or not DER.
    #[error("the certificate was refused before reading it: {0}")]
    Limit(#[from] crate::cms::limits::LimitError),
    /// PEM encoding failed.
    #[error("the certificate could not be written as PEM: {0}")]
    Pem(der::pem::Error),
}

/// `rsaEncryption`.
const RSA_ENCRYPTION: const_oid::ObjectIdentifier =
    const_oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
/// `sha256WithRSAEncryption`.
const SHA256_WITH_RSA: const_oid::ObjectIdentifier =
    const_oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");

/// A certificate read from the card, with its RSA public key and validity already decoded.
#[derive(Clone, Debug)]
pub struct CardCertificate {
    der: Vec<u8>,
    cert: Certificate,
    public_key: RsaPublicKey,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
}

impl CardCertificate {
    /// Parses DER bytes (exactly one certificate, nothing after it).
    pub fn from_der(bytes: &[u8]) -> Result<Self, CertificateError> {
        // Linear checks first: the decoder sorts every SET OF in quadratic time.
        crate::cms::limits::check_certificate(bytes)?;
        let cert = Certificate::from_der(bytes)?;
        let tbs = &cert.tbs_certificate;
        let spki = &tbs.subject_public_key_info;
        if spki.algorithm.oid != RSA_ENCRYPTION {
            return Err(CertificateError::NotRsa {
                algorithm: spki.algorithm.oid.to_string(),
            });
        }
        let public_key = RsaPublicKey::from_public_key_der(&spki.to_der()?).map_err(|e| {
            CertificateError::BadKey {
                reason: e.to_string(),
            }
        })?;
        let to_time = |t: x509_cert::time::Time| {
            i64::try_from(t.to_unix_duration().as_secs())
                .ok()
                .and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok())
                .ok_or(CertificateError::Time)
        };
        let not_before = to_time(tbs.validity.not_before)?;
        let not_after = to_time(tbs.validity.not_after)?;
        Ok(Self {
            der: bytes.to_vec(),
            cert,
            public_key,
            not_before,
            not_after,
        })
    }

    /// The DER bytes as read from the card.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The certificate as PEM (`-----BEGIN CERTIFICATE-----`, LF line endings).
    pub fn to_pem(&self) -> Result<String, CertificateError> {
        der::pem::encode_string("CERTIFICATE", der::pem::LineEnding::LF, &self.der)
            .map_err(CertificateError::Pem)
    }

    /// The parsed X.509 structure, for anything not covered here.
    pub fn x509(&self) -> &Certificate {
        &self.cert
    }

    /// Subject name in RFC 4514 form (`CN=...,O=...`).
    pub fn subject(&self) -> String {
        self.cert.tbs_certificate.subject.to_string()
    }

    /// Issuer name in RFC 4514 form.
    pub fn issuer(&self) -> String {
        self.cert.tbs_certificate.issuer.to_string()
    }

    /// Serial number as uppercase hex, as `openssl x509 -serial` shows it.
    pub fn serial_hex(&self) -> String {
        hex::encode_upper(self.cert.tbs_certificate.serial_number.as_bytes())
    }

    /// Start of validity.
    pub fn not_before(&self) -> OffsetDateTime {
        self.not_before
    }

    /// End of validity (the last valid instant).
    pub fn not_after(&self) -> OffsetDateTime {
        self.not_after
    }

    /// The last day of validity in Japan time, the date the card holder is told.
    pub fn expires_on(&self) -> Date {
        self.not_after.to_offset(JST).date()
    }

    /// Where the certificate stands on `date` (a Japan-time calendar date): not yet valid,
    /// valid, inside the 3-month renewal window, or expired.
    pub fn lifecycle_on(&self, date: Date) -> Lifecycle {
        lifecycle(self.not_before, self.not_after, date)
    }

    /// The subject's RSA public key.
    pub fn public_key(&self) -> RsaPublicKey {
        self.public_key.clone()
    }

    /// True when `signature` is this key's PKCS#1 v1.5 signature over the DER `digest_info`.
    pub fn verify_signature(&self, digest_info: &[u8], signature: &[u8]) -> bool {
        self.public_key
            .verify(Pkcs1v15Sign::new_unprefixed(), digest_info, signature)
            .is_ok()
    }

    /// True when this certificate's key made `signature`, an RSA PKCS#1 v1.5 signature over the
    /// SHA-256 of `message`. Uses ring's verifier, as fast as OpenSSL's: relying parties check
    /// many logins per second with it.
    pub fn verify_sha256_message(&self, message: &[u8], signature: &[u8]) -> bool {
        let Some(key) = self
            .cert
            .tbs_certificate
            .subject_public_key_info
            .subject_public_key
            .as_bytes()
        else {
            return false;
        };
        ring::signature::UnparsedPublicKey::new(&ring::signature::RSA_PKCS1_2048_8192_SHA256, key)
            .verify(message, signature)
            .is_ok()
    }

    /// True when `issuer`'s key made this certificate's sha256WithRSAEncryption signature.
    pub fn is_signed_by(&self, issuer: &CardCertificate) -> bool {
        if self.cert.signature_algorithm.oid != SHA256_WITH_RSA {
            return false;
        }
        let (Ok(tbs), Some(sig)) = (
            self.cert.tbs_certificate.to_der(),
            self.cert.signature.as_bytes(),
        ) else {
            return false;
        };
        issuer.verify_sha256_message(&tbs, sig)
    }

    /// Key usage names as RFC 5280 spells them (`digitalSignature`, `nonRepudiation`, ...);
    /// empty when the certificate has no key-usage extension.
    pub fn key_usage(&self) -> Vec<&'static str> {
        let Ok(Some((_, usage))) = self.cert.tbs_certificate.get::<KeyUsage>() else {
            return Vec::new();
        };
        [
            (usage.digital_signature(), "digitalSignature"),
            (usage.non_repudiation(), "nonRepudiation"),
            (usage.key_encipherment(), "keyEncipherment"),
            (usage.data_encipherment(), "dataEncipherment"),
            (usage.key_agreement(), "keyAgreement"),
            (usage.key_cert_sign(), "keyCertSign"),
            (usage.crl_sign(), "cRLSign"),
            (usage.encipher_only(), "encipherOnly"),
            (usage.decipher_only(), "decipherOnly"),
        ]
        .into_iter()
        .filter_map(|(set, name)| set.then_some(name))
        .collect()
    }

    /// The holder's name, address, birth date and sex, from the signing certificate's
    /// subjectAltName; `None` when there are none (authentication and CA certificates).
    pub fn holder(&self) -> Option<HolderAttributes> {
        holder::from_certificate(&self.cert)
    }

    /// Who signs with this certificate, for a person: the holder's name when the certificate
    /// carries it (a signing certificate), otherwise its subject.
    pub fn signer_name(&self) -> String {
        self.holder()
            .and_then(|h| h.name)
            .unwrap_or_else(|| self.subject())
    }

    /// Everything a status screen or `--json` output shows about this certificate on `today`.
    pub fn summary(&self, slot: CertSlot, today: Date) -> CertificateSummary {
        CertificateSummary {
            slot,
            subject: self.subject(),
            issuer: self.issuer(),
            serial: self.serial_hex(),
            not_before: self.not_before,
            not_after: self.not_after,
            expires_on: self.expires_on(),
            lifecycle: self.lifecycle_on(today),
            key_usage: self.key_usage(),
            holder: self.holder(),
            size_bytes: self.der.len(),
        }
    }
}

/// A certificate described for people and scripts (serializes to the `--json` shape).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CertificateSummary {
    /// Which certificate this is.
    pub slot: CertSlot,
    /// Subject name (RFC 4514).
    pub subject: String,
    /// Issuer name (RFC 4514).
    pub issuer: String,
    /// Serial number, uppercase hex.
    pub serial: String,
    /// Start of validity (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    pub not_before: OffsetDateTime,
    /// End of validity (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    pub not_after: OffsetDateTime,
    /// Last valid day in Japan time (`YYYY-MM-DD`).
    #[serde(serialize_with = "crate::serde_util::ymd")]
    pub expires_on: Date,
    /// Where it stands on the date asked about.
    pub lifecycle: Lifecycle,
    /// Key usage names.
    pub key_usage: Vec<&'static str>,
    /// Holder attributes (signing certificate only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub holder: Option<HolderAttributes>,
    /// DER size.
    pub size_bytes: usize,
}

#[cfg(test)]
pub(crate) mod fixtures {
    //! Certificates made by `testdata/make-fixtures.sh` with OpenSSL (test keys only).

    /// JPKI-shaped signing certificate: digitalSignature + nonRepudiation, six holder
    /// attributes (birth date as PrintableString), valid 2026-03-15T00:00:00Z to 2031-03-15T14:59:59Z.
    pub const SIGN_CERT: &[u8] = include_bytes!("../../testdata/test-sign-cert.der");
    /// Its private key (PKCS#8 DER).
    pub const SIGN_KEY: &[u8] = include_bytes!("../../testdata/test-sign-key.pk8");
    /// Authentication certificate: digitalSignature, no holder attributes, same validity.
    pub const AUTH_CERT: &[u8] = include_bytes!("../../testdata/test-auth-cert.der");
    /// Its private key (PKCS#8 DER).
    pub const AUTH_KEY: &[u8] = include_bytes!("../../testdata/test-auth-key.pk8");
    /// The self-signed test CA that issued both.
    pub const CA_CERT: &[u8] = include_bytes!("../../testdata/test-ca.der");
}

#[cfg(test)]
mod tests {
    use super::fixtures::*;
    use super::*;
    use crate::card::Sex;
    use rsa::RsaPrivateKey;
    use rsa::pkcs8::DecodePrivateKey;
    use time::macros::{date, datetime};

    #[test]
    fn parses_the_fields_people_see() {
        let cert = CardCertificate::from_der(SIGN_CERT).unwrap();
        assert_eq!(cert.subject(), "CN=1000001SIGN,L=Tokyo,C=JP");
        assert!(cert.issuer().contains("O=JPKI"), "{}", cert.issuer());
        assert_eq!(cert.serial_hex(), "1000");
        assert_eq!(cert.not_before(), datetime!(2026-03-15 00:00:00 UTC));
        assert_eq!(cert.not_after(), datetime!(2031-03-15 14:59:59 UTC));
        assert_eq!(cert.expires_on(), date!(2031 - 03 - 15));
        assert_eq!(cert.key_usage(), ["digitalSignature", "nonRepudiation"]);
        assert_eq!(cert.der(), SIGN_CERT);
        let auth = CardCertificate::from_der(AUTH_CERT).unwrap();
        assert_eq!(auth.key_usage(), ["digitalSignature"]);
        assert!(auth.holder().is_none());
    }

    #[test]
    fn holder_attributes_from_subject_alt_name() {
        let holder = CardCertificate::from_der(SIGN_CERT)
            .unwrap()
            .holder()
            .unwrap();
        assert_eq!(holder.name.as_deref(), Some("山田 太郎"));
        assert_eq!(holder.name_alternative.as_deref(), Some("ヤマダ タロウ"));
        assert_eq!(holder.sex, Some(Sex::Male));
        // Encoded as a PrintableString, not UTF8String: still read.
        assert_eq!(holder.birth_date, Some(date!(1980 - 01 - 15)));
        assert_eq!(holder.address.as_deref(), Some("東京都千代田区千代田1-1"));
        assert_eq!(holder.address_alternative.as_deref(), Some("トウキョウト"));
    }

    #[test]
    fn chain_and_signatures() {
        let ca = CardCertificate::from_der(CA_CERT).unwrap();
        let sign = CardCertificate::from_der(SIGN_CERT).unwrap();
        assert!(sign.is_signed_by(&ca));
        assert!(!sign.is_signed_by(&sign));

        let key = RsaPrivateKey::from_pkcs8_der(SIGN_KEY).unwrap();
        let di = crate::card::jpki::sha256_digest_info(&[5; 32]);
        let sig = key.sign(Pkcs1v15Sign::new_unprefixed(), &di).unwrap();
        assert!(sign.verify_signature(&di, &sig));
        let other = crate::card::jpki::sha256_digest_info(&[6; 32]);
        assert!(!sign.verify_signature(&other, &sig));
        let auth = CardCertificate::from_der(AUTH_CERT).unwrap();
        assert!(!auth.verify_signature(&di, &sig), "another key's signature");
    }

    #[test]
    fn pem_round_trips_through_openssl_shape() {
        let cert = CardCertificate::from_der(AUTH_CERT).unwrap();
        let pem = cert.to_pem().unwrap();
        assert!(pem.starts_with("-----BEGIN CERTIFICATE-----\n"));
        assert!(pem.trim_end().ends_with("-----END CERTIFICATE-----"));
        let (label, der) = der::pem::decode_vec(pem.as_bytes()).unwrap();
        assert_eq!(label, "CERTIFICATE");
        assert_eq!(der, AUTH_CERT);
    }

    #[test]
    fn garbage_is_a_der_error() {
        assert!(matches!(
            CardCertificate::from_der(&[0x30, 0x03, 1, 2, 3]),
            Err(CertificateError::Der(_))
        ));
        let mut trailing = AUTH_CERT.to_vec();
        trailing.push(0);
        assert!(CardCertificate::from_der(&trailing).is_err());
    }

    #[test]
    fn summary_serializes_for_json() {
        let cert = CardCertificate::from_der(SIGN_CERT).unwrap();
        let summary = cert.summary(CertSlot::Sign, date!(2031 - 01 - 10));
        let v = serde_json::to_value(&summary).unwrap();
        assert_eq!(v["slot"], "sign");
        assert_eq!(v["not_after"], "2031-03-15T14:59:59Z");
        assert_eq!(v["expires_on"], "2031-03-15");
        assert_eq!(v["lifecycle"]["state"], "renewal_window");
        assert_eq!(v["lifecycle"]["opens_on"], "2030-12-15");
        assert_eq!(v["holder"]["birth_date"], "1980-01-15");
        assert_eq!(v["holder"]["sex"], "male");
        assert_eq!(v["size_bytes"], SIGN_CERT.len());
        let auth = CardCertificate::from_der(AUTH_CERT)
            .unwrap()
            .summary(CertSlot::Auth, date!(2027 - 01 - 01));
        let v = serde_json::to_value(&auth).unwrap();
        assert_eq!(v["lifecycle"]["state"], "valid");
        assert!(v.get("holder").is_none());
    }
}
