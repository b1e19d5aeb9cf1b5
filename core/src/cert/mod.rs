//! The certificates on the card: parsed with `x509-cert`, checked with `rsa`, and described the
//! way a card holder needs (holder attributes, expiry in Japan time, the renewal window).

mod holder;
mod lifecycle;
mod roots;

use der::{Decode, Encode};
use rsa::pkcs8::DecodePublicKey;
use rsa::{Pkcs1v15Sign, RsaPublicKey};
use time::{Date, OffsetDateTime};
use x509_cert::Certificate;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, CertificatePolicies, ExtendedKeyUsage, KeyUsage, SubjectKeyIdentifier,
};

use crate::vocabulary::CertSlot;

pub use holder::{
    HOLDER_ATTRIBUTE_ARC, HolderAttributes, JapaneseEra, birth_date_value, is_placeholder,
    parse_birth_date,
};
pub use lifecycle::{JST, Lifecycle, lifecycle, renewal_opens_on, today_in_japan};
pub use roots::{BuiltinRoot, builtin_root_of, builtin_roots, builtin_roots_for};

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

/// JPKI's certificate policy for user-authentication certificates (利用者証明用), marked
/// critical in every real one.
pub const AUTH_POLICY_OID: const_oid::ObjectIdentifier =
    const_oid::ObjectIdentifier::new_unwrap("1.2.392.200149.8.5.1.0.30");
/// JPKI's certificate policy for signing certificates (署名用), marked critical.
pub const SIGN_POLICY_OID: const_oid::ObjectIdentifier =
    const_oid::ObjectIdentifier::new_unwrap("1.2.392.200149.8.5.1.0.20");
/// `id-kp-clientAuth`, the extended key usage of a user-authentication certificate.
pub const CLIENT_AUTH_OID: const_oid::ObjectIdentifier =
    const_oid::ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.2");

/// What a JPKI certificate is for: each card holds one of each, under two separate roots.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CertificateRole {
    /// User authentication (利用者証明用): logging in; carries no personal data.
    Authentication,
    /// Signing (署名用): documents; carries the holder's name, address, birth date and sex.
    Signing,
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

    /// The certificate policy OIDs (empty without a certificatePolicies extension).
    pub fn policies(&self) -> Vec<const_oid::ObjectIdentifier> {
        match self.cert.tbs_certificate.get::<CertificatePolicies>() {
            Ok(Some((_, policies))) => policies.0.iter().map(|p| p.policy_identifier).collect(),
            _ => Vec::new(),
        }
    }

    /// The extended key usage OIDs (empty without the extension).
    pub fn extended_key_usage(&self) -> Vec<const_oid::ObjectIdentifier> {
        match self.cert.tbs_certificate.get::<ExtendedKeyUsage>() {
            Ok(Some((_, usage))) => usage.0,
            _ => Vec::new(),
        }
    }

    /// Whether this is a user-authentication or a signing certificate, or `None` when nothing
    /// says (CA certificates, foreign certificates).
    ///
    /// The JPKI policy OID decides ([`AUTH_POLICY_OID`], [`SIGN_POLICY_OID`]); without one, a
    /// certificate with nonRepudiation or holder attributes is a signing certificate, and one
    /// with the clientAuth extended key usage an authentication certificate. A certificate that
    /// names both policies is a signing certificate: it is never good for logging in.
    pub fn role(&self) -> Option<CertificateRole> {
        let policies = self.policies();
        if policies.contains(&SIGN_POLICY_OID) {
            return Some(CertificateRole::Signing);
        }
        if policies.contains(&AUTH_POLICY_OID) {
            return Some(CertificateRole::Authentication);
        }
        if self.key_usage().contains(&"nonRepudiation") || self.holder().is_some() {
            return Some(CertificateRole::Signing);
        }
        if self.extended_key_usage().contains(&CLIENT_AUTH_OID) {
            return Some(CertificateRole::Authentication);
        }
        None
    }

    /// The subject key identifier, if the certificate has one.
    pub fn subject_key_identifier(&self) -> Option<Vec<u8>> {
        match self.cert.tbs_certificate.get::<SubjectKeyIdentifier>() {
            Ok(Some((_, ski))) => Some(ski.0.as_bytes().to_vec()),
            _ => None,
        }
    }

    /// The OCSP responder URL its authorityInfoAccess names (`http…` only), if any. JPKI
    /// authentication certificates name one; signing certificates do not.
    pub fn ocsp_url(&self) -> Option<String> {
        use x509_cert::ext::pkix::AuthorityInfoAccessSyntax;
        use x509_cert::ext::pkix::name::GeneralName;
        let Ok(Some((_, aia))) = self.cert.tbs_certificate.get::<AuthorityInfoAccessSyntax>()
        else {
            return None;
        };
        aia.0
            .iter()
            .find_map(|access| match &access.access_location {
                GeneralName::UniformResourceIdentifier(uri)
                    if access.access_method == const_oid::db::rfc5912::ID_AD_OCSP
                        && uri.as_str().starts_with("http") =>
                {
                    Some(uri.as_str().to_owned())
                }
                _ => None,
            })
    }

    /// The key identifier of the issuer's key (authorityKeyIdentifier), if the certificate has one.
    pub fn authority_key_identifier(&self) -> Option<Vec<u8>> {
        match self.cert.tbs_certificate.get::<AuthorityKeyIdentifier>() {
            Ok(Some((_, aki))) => aki.key_identifier.map(|k| k.as_bytes().to_vec()),
            _ => None,
        }
    }

    /// The candidate whose key signed this certificate.
    ///
    /// Names do not decide: two J-LIS CA generations share one name with different keys. The
    /// candidates whose subject key identifier matches this certificate's authority key
    /// identifier are tried first, then the others; the signature check is what decides.
    pub fn issuer_among<'a>(
        &self,
        candidates: &'a [CardCertificate],
    ) -> Option<&'a CardCertificate> {
        let wanted = self.authority_key_identifier();
        let by_key_id =
            |c: &&CardCertificate| wanted.is_some() && c.subject_key_identifier() == wanted;
        candidates
            .iter()
            .filter(by_key_id)
            .chain(candidates.iter().filter(|c| !by_key_id(c)))
            .find(|c| self.is_signed_by(c))
    }

    /// Size of the RSA modulus in bits (2048 on every JPKI certificate).
    pub fn public_key_bits(&self) -> usize {
        use rsa::traits::PublicKeyParts;
        self.public_key.size() * 8
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

    /// A real test card's certificates: the authentication one names J-LIS's OCSP responder,
    /// the signing one none (why a long-term signature must carry the signing CA's CRL).
    #[test]
    fn the_real_authentication_certificate_names_an_ocsp_responder_and_the_signing_one_none() {
        let auth = CardCertificate::from_der(include_bytes!(
            "../../tests/fixtures/real-card/jpki-auth-cert.der"
        ))
        .unwrap();
        let sign = CardCertificate::from_der(include_bytes!(
            "../../tests/fixtures/real-card/jpki-sign-cert.der"
        ))
        .unwrap();
        assert_eq!(
            auth.ocsp_url().as_deref(),
            Some("http://test-ocspauthnorm.jpki.go.jp")
        );
        assert_eq!(sign.ocsp_url(), None);
    }
    use super::fixtures::*;
    use super::*;
    use crate::vocabulary::Sex;
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

/// Tests on certificates read off a real JPKI test card (`O=JPKI-TEST`, synthetic holder):
/// what passes here passes on a card, whatever the simulator does.
#[cfg(test)]
mod real_card {
    use super::*;
    use crate::cms::TrustStore;
    use crate::vocabulary::Sex;
    use time::macros::date;

    const SIGN: &[u8] = include_bytes!("../../tests/fixtures/real-card/jpki-sign-cert.der");
    const AUTH: &[u8] = include_bytes!("../../tests/fixtures/real-card/jpki-auth-cert.der");
    const CARD_SIGN_CA: &[u8] =
        include_bytes!("../../tests/fixtures/real-card/jpki-sign-ca-cert.der");
    const CARD_AUTH_CA: &[u8] =
        include_bytes!("../../tests/fixtures/real-card/jpki-auth-ca-cert.der");
    const TEST_ROOTS: [(&str, &[u8]); 4] = [
        (
            "authca-test-2019",
            include_bytes!("../../tests/fixtures/real-card/roots/test/authca-test-2019.cer"),
        ),
        (
            "authca-test-2023",
            include_bytes!("../../tests/fixtures/real-card/roots/test/authca-test-2023.cer"),
        ),
        (
            "signca-test-2019",
            include_bytes!("../../tests/fixtures/real-card/roots/test/signca-test-2019.cer"),
        ),
        (
            "signca-test-2024",
            include_bytes!("../../tests/fixtures/real-card/roots/test/signca-test-2024.cer"),
        ),
    ];

    fn cert(der: &[u8]) -> CardCertificate {
        CardCertificate::from_der(der).unwrap()
    }

    fn test_root(name: &str) -> CardCertificate {
        let (_, der) = TEST_ROOTS.iter().find(|(n, _)| *n == name).unwrap();
        cert(der)
    }

    #[test]
    fn the_signing_certificate_names_the_holder() {
        let sign = cert(SIGN);
        assert_eq!(sign.der().len(), 1758);
        let holder = sign
            .holder()
            .expect("a signing certificate carries holder attributes");
        assert_eq!(holder.name.as_deref(), Some("黒桐\u{3000}幹也"));
        assert_eq!(holder.birth_date, Some(date!(1980 - 02 - 17)));
        assert_eq!(holder.sex, Some(Sex::Male));
        assert_eq!(
            holder.address.as_deref(),
            Some("東京都清瀬市観布子南１２－７－２０２")
        );
        assert_eq!(sign.signer_name(), "黒桐\u{3000}幹也");
        // The subject names the municipality in romaji, never the person.
        assert_eq!(
            sign.subject(),
            "CN=202510161726000013413221003A,L=Kiyose-shi,L=Tokyo-to,C=JP"
        );
    }

    #[test]
    fn placeholders_are_not_reported_as_values() {
        // The card writes `00000` and eighteen `0`s where no alternative form applies.
        let holder = cert(SIGN).holder().unwrap();
        assert_eq!(holder.name_alternative, None);
        assert_eq!(holder.address_alternative, None);
        let json = serde_json::to_value(cert(SIGN).summary(CertSlot::Sign, date!(2026 - 01 - 01)))
            .unwrap();
        assert_eq!(json["holder"]["birth_date"], "1980-02-17");
        assert_eq!(json["holder"]["name_alternative"], serde_json::Value::Null);
        assert_eq!(
            json["holder"]["address_alternative"],
            serde_json::Value::Null
        );
    }

    #[test]
    fn the_birth_date_starts_with_the_era_digit() {
        // `319800217`: era 3 (Showa) then 1980-02-17, which is Showa 55.
        assert!(SIGN.windows(9).any(|w| w == b"319800217"));
        assert_eq!(JapaneseEra::of(date!(1980 - 02 - 17)), JapaneseEra::Showa);
        assert_eq!(birth_date_value(date!(1980 - 02 - 17)), "319800217");
        // Valid until the 5th birthday after issue (2025-10-27): 2030-02-17, Japan time.
        assert_eq!(cert(SIGN).expires_on(), date!(2030 - 02 - 17));
    }

    #[test]
    fn the_authentication_certificate_has_no_personal_data() {
        let auth = cert(AUTH);
        assert_eq!(auth.der().len(), 1590);
        assert!(auth.holder().is_none());
        assert_eq!(auth.subject(), "CN=997794E9AGCIEG13221003A,C=JP");
        assert_eq!(auth.signer_name(), auth.subject());
    }

    #[test]
    fn roles_come_from_policies_extended_key_usage_and_key_usage() {
        let auth = cert(AUTH);
        assert_eq!(auth.role(), Some(CertificateRole::Authentication));
        assert_eq!(auth.policies(), [AUTH_POLICY_OID]);
        assert_eq!(auth.extended_key_usage(), [CLIENT_AUTH_OID]);
        assert_eq!(auth.key_usage(), ["digitalSignature"]);

        let sign = cert(SIGN);
        assert_eq!(sign.role(), Some(CertificateRole::Signing));
        assert_eq!(sign.policies(), [SIGN_POLICY_OID]);
        assert!(sign.extended_key_usage().is_empty());
        assert_eq!(sign.key_usage(), ["digitalSignature", "nonRepudiation"]);

        // CA certificates are neither.
        assert_eq!(cert(CARD_SIGN_CA).role(), None);
        assert_eq!(cert(CARD_AUTH_CA).role(), None);
    }

    #[test]
    fn each_certificate_chains_to_the_test_root_holding_its_key_not_the_one_with_its_name() {
        let roots: Vec<CardCertificate> = TEST_ROOTS.iter().map(|(_, d)| cert(d)).collect();
        for (leaf, right, wrong) in [
            (AUTH, "authca-test-2023", "authca-test-2019"),
            (SIGN, "signca-test-2024", "signca-test-2019"),
        ] {
            let leaf = cert(leaf);
            let (right, wrong) = (test_root(right), test_root(wrong));
            // Same name, other key: a lookup by name alone would pick either.
            assert_eq!(right.subject(), wrong.subject());
            assert_eq!(leaf.issuer(), wrong.subject());
            assert!(leaf.is_signed_by(&right) && !leaf.is_signed_by(&wrong));
            assert_eq!(
                leaf.authority_key_identifier(),
                right.subject_key_identifier()
            );
            assert_ne!(
                leaf.authority_key_identifier(),
                wrong.subject_key_identifier()
            );
            // Whichever order the roots come in.
            let mut reversed = roots.clone();
            reversed.reverse();
            for list in [&roots, &reversed] {
                assert_eq!(leaf.issuer_among(list).map(|c| c.der()), Some(right.der()));
            }
            // Only the wrong generation: no issuer, although the name matches.
            assert!(leaf.issuer_among(std::slice::from_ref(&wrong)).is_none());
            // The trust store used by `kazasu verify` and the login verifier agrees.
            let mut store = TrustStore::new();
            for (_, der) in TEST_ROOTS {
                store.add_anchors(der).unwrap();
            }
            assert_eq!(store.issuer_of(&leaf).map(|c| c.der()), Some(right.der()));
        }
        // The CA certificates the card hands over are those roots.
        assert_eq!(CARD_AUTH_CA, test_root("authca-test-2023").der());
        assert_eq!(CARD_SIGN_CA, test_root("signca-test-2024").der());
    }

    #[test]
    fn the_built_in_production_roots_do_not_trust_test_cards() {
        let anchors: Vec<CardCertificate> = builtin_roots()
            .iter()
            .map(BuiltinRoot::certificate)
            .collect();
        let mut store = TrustStore::new();
        for root in builtin_roots() {
            store.add_anchors(root.der).unwrap();
        }
        for leaf in [AUTH, SIGN, CARD_AUTH_CA, CARD_SIGN_CA] {
            let leaf = cert(leaf);
            assert!(leaf.issuer_among(&anchors).is_none(), "{}", leaf.subject());
            assert!(store.issuer_of(&leaf).is_none());
        }
    }
}
