//! A timestamp token: CMS SignedData whose content is a `TSTInfo` (RFC 3161 §2.4.2), read
//! within bounds and kept with its own bytes.

use cms::cert::CertificateChoices;
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{SignedData, SignerIdentifier, SignerInfo};
use const_oid::ObjectIdentifier;
use const_oid::db::rfc5911;
use der::asn1::Int;
use der::{Decode, Encode, Sequence, Tag, Tagged};
use time::OffsetDateTime;
use x509_cert::ext::Extensions;
use x509_cert::ext::pkix::name::GeneralName;

use super::TspError;
use crate::cert::CardCertificate;
use crate::cms::DigestAlgorithm;
use crate::cms::verify::weak_algorithm;

/// The largest timestamp token read. Real tokens with their TSA's chain are 2–8 KiB; CAdES-T
/// and PAdES put them inside signatures, which are bounded by
/// [`crate::cms::limits::MAX_SIGNATURE_SIZE`] too.
pub const MAX_TOKEN_SIZE: usize = 128 * 1024;

/// `id-ct-TSTInfo`.
pub(super) const ID_CT_TST_INFO: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.4");

/// `TSTInfo` (RFC 3161 §2.4.2) with genTime kept raw: `der` 0.7's GeneralizedTime refuses
/// fractions of a second, which many TSAs send (RFC 3161 allows them).
#[derive(Debug, Clone, Sequence)]
pub(super) struct TstInfo {
    pub version: u8,
    pub policy: ObjectIdentifier,
    pub message_imprint: x509_tsp::MessageImprint,
    pub serial_number: Int,
    pub gen_time: der::Any,
    #[asn1(optional = "true")]
    pub accuracy: Option<x509_tsp::Accuracy>,
    #[asn1(default = "Default::default")]
    pub ordering: bool,
    #[asn1(optional = "true")]
    pub nonce: Option<Int>,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub tsa: Option<GeneralName>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    pub extensions: Option<Extensions>,
}

/// A parsed timestamp token: what it timestamps, when, and by whom.
#[derive(Debug, Clone)]
pub struct TimestampToken {
    der: Vec<u8>,
    pub(super) signed_data: SignedData,
    pub(super) signer_info: SignerInfo,
    /// The eContent: the DER TSTInfo the signature covers.
    pub(super) tst_der: Vec<u8>,
    /// The signed attributes as the TSA sent them (SET-tagged), which its signature covers.
    pub(super) signed_attributes: Option<Vec<u8>>,
    pub(super) tst: TstInfo,
    gen_time: OffsetDateTime,
    algorithm: DigestAlgorithm,
    /// The algorithm of the signer's message digest and signature.
    pub(super) signer_algorithm: DigestAlgorithm,
}

fn not(why: &'static str) -> TspError {
    TspError::NotATimestamp(why)
}

/// The supported SHA-2 named by `oid`, or why not.
fn sha2(oid: &ObjectIdentifier) -> Result<DigestAlgorithm, TspError> {
    if let Some(weak) = weak_algorithm(oid) {
        return Err(TspError::WeakAlgorithm(weak));
    }
    DigestAlgorithm::from_oid(oid).ok_or_else(|| TspError::UnsupportedAlgorithm(oid.to_string()))
}

/// True when an algorithm identifier has no parameters, or NULL ones (SHA-2, RSA).
fn plain(algorithm: &spki::AlgorithmIdentifierOwned) -> bool {
    algorithm
        .parameters
        .as_ref()
        .is_none_or(|p| p.tag() == Tag::Null && p.value().is_empty())
}

/// Reads a GeneralizedTime `YYYYMMDDHHMMSS[.fff…]Z` (RFC 3161 §2.4.2: UTC, fraction without
/// trailing zeros); `None` for anything else.
fn generalized_time(value: &der::Any) -> Option<OffsetDateTime> {
    if value.tag() != Tag::GeneralizedTime {
        return None;
    }
    let text = std::str::from_utf8(value.value()).ok()?;
    let text = text.strip_suffix('Z')?;
    let (whole, fraction) = match text.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (text, None),
    };
    if whole.len() != 14 || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = |range: std::ops::Range<usize>| whole[range].parse::<u32>().ok();
    let month = time::Month::try_from(u8::try_from(n(4..6)?).ok()?).ok()?;
    let date = time::Date::from_calendar_date(
        i32::try_from(n(0..4)?).ok()?,
        month,
        u8::try_from(n(6..8)?).ok()?,
    )
    .ok()?;
    let mut nanos = 0u32;
    if let Some(f) = fraction {
        if f.is_empty() || f.len() > 9 || f.ends_with('0') || !f.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        nanos = f.parse::<u32>().ok()? * 10u32.pow(9 - f.len() as u32);
    }
    let clock = time::Time::from_hms_nano(
        u8::try_from(n(8..10)?).ok()?,
        u8::try_from(n(10..12)?).ok()?,
        u8::try_from(n(12..14)?).ok()?,
        nanos,
    )
    .ok()?;
    Some(time::PrimitiveDateTime::new(date, clock).assume_utc())
}

impl TimestampToken {
    /// Parses a DER timestamp token (a CMS ContentInfo holding SignedData over a TSTInfo,
    /// with exactly one signer). Bounded: at most [`MAX_TOKEN_SIZE`] bytes, and the linear
    /// DER checks of [`crate::cms::limits::check_cms`] before anything is decoded. A
    /// certificate the token carries twice is read once (see `repeated.rs`).
    pub fn parse(der: &[u8]) -> Result<TimestampToken, TspError> {
        if der.len() > MAX_TOKEN_SIZE {
            return Err(TspError::Limit {
                what: "timestamp token",
                source: crate::cms::limits::LimitError::TooLarge {
                    what: "timestamp token",
                    size: der.len(),
                    max: MAX_TOKEN_SIZE,
                },
            });
        }
        crate::cms::limits::check_cms(der).map_err(TspError::limit("timestamp token"))?;
        let deduplicated = super::repeated::without_repeated_certificates(der);
        let info = ContentInfo::from_der(deduplicated.as_deref().unwrap_or(der))
            .map_err(TspError::der("timestamp token"))?;
        if info.content_type != rfc5911::ID_SIGNED_DATA {
            return Err(not("it is not CMS SignedData"));
        }
        let signed_data: SignedData = info
            .content
            .decode_as()
            .map_err(TspError::der("timestamp token"))?;
        let encap = &signed_data.encap_content_info;
        if encap.econtent_type != ID_CT_TST_INFO {
            return Err(not("its content is not a TSTInfo"));
        }
        let econtent = encap
            .econtent
            .as_ref()
            .ok_or(not("it carries no TSTInfo"))?;
        if econtent.tag() != Tag::OctetString {
            return Err(not("its TSTInfo is not in an OCTET STRING"));
        }
        let tst_der = econtent.value().to_vec();
        let tst = TstInfo::from_der(&tst_der).map_err(TspError::der("TSTInfo"))?;
        if tst.version != 1 {
            return Err(not("its TSTInfo is not version 1"));
        }
        let mut signers = signed_data.signer_infos.0.iter();
        let signer_info = match (signers.next(), signers.next()) {
            (Some(one), None) => one.clone(),
            _ => return Err(not("it does not have exactly one signer")),
        };
        // RFC 5652 §5.1, §5.3: SignedData version 3 for a content other than id-data; a
        // SignerInfo's version follows its identifier. The algorithm identifiers carry no
        // parameters but NULL, and the signer's digest algorithm is among those declared.
        // Nothing of this is signed: checked so that the token has one encoding.
        if signed_data.version != CmsVersion::V3 {
            return Err(not("its SignedData is not version 3"));
        }
        let signer_version = match signer_info.sid {
            SignerIdentifier::IssuerAndSerialNumber(_) => CmsVersion::V1,
            SignerIdentifier::SubjectKeyIdentifier(_) => CmsVersion::V3,
        };
        if signer_info.version != signer_version {
            return Err(not(
                "its SignerInfo's version does not match its signer identifier",
            ));
        }
        if !plain(&signer_info.digest_alg)
            || !plain(&signer_info.signature_algorithm)
            || !signed_data
                .digest_algorithms
                .iter()
                .any(|a| a.oid == signer_info.digest_alg.oid && plain(a))
        {
            return Err(not("its algorithm identifiers are malformed or undeclared"));
        }
        let signer_algorithm = sha2(&signer_info.digest_alg.oid)?;
        let algorithm = sha2(&tst.message_imprint.hash_algorithm.oid)?;
        let len = tst.message_imprint.hashed_message.as_bytes().len();
        if len != algorithm.digest(&[]).len() {
            return Err(TspError::ImprintLength { algorithm, len });
        }
        let gen_time = generalized_time(&tst.gen_time)
            .ok_or(not("its genTime is not a UTC GeneralizedTime"))?;
        Ok(TimestampToken {
            der: der.to_vec(),
            signed_data,
            signer_info,
            tst_der,
            signed_attributes: super::raw::signed_attributes_as_sent(der),
            tst,
            gen_time,
            algorithm,
            signer_algorithm,
        })
    }

    /// When the TSA says the imprint existed (genTime), in UTC.
    pub fn gen_time(&self) -> OffsetDateTime {
        self.gen_time
    }

    /// The algorithm of the imprint: hash what the token should cover with it.
    pub fn digest_algorithm(&self) -> DigestAlgorithm {
        self.algorithm
    }

    /// The digest the TSA timestamped.
    pub fn imprint(&self) -> &[u8] {
        self.tst.message_imprint.hashed_message.as_bytes()
    }

    /// The token's serial number as uppercase hex (unique per TSA).
    pub fn serial_hex(&self) -> String {
        hex::encode_upper(self.tst.serial_number.as_bytes())
    }

    /// The TSA policy under which the token was issued.
    pub fn policy(&self) -> ObjectIdentifier {
        self.tst.policy
    }

    /// The nonce the TSA copied from the request, as the DER INTEGER's contents octets.
    pub fn nonce(&self) -> Option<&[u8]> {
        self.tst.nonce.as_ref().map(Int::as_bytes)
    }

    /// The TSA's certificate: the one in the token that its signer identifier names, when it
    /// is there and is an RSA certificate Kazasu can read.
    pub fn tsa_certificate(&self) -> Option<CardCertificate> {
        self.find_tsa_certificate().ok()
    }

    /// [`Self::tsa_certificate`], or why there is none.
    pub(super) fn find_tsa_certificate(&self) -> Result<CardCertificate, String> {
        let found = self
            .certificates()
            .find(|cert| {
                let tbs = &cert.tbs_certificate;
                match &self.signer_info.sid {
                    SignerIdentifier::IssuerAndSerialNumber(id) => {
                        id.issuer == tbs.issuer && id.serial_number == tbs.serial_number
                    }
                    SignerIdentifier::SubjectKeyIdentifier(ski) => tbs
                        .get::<x509_cert::ext::pkix::SubjectKeyIdentifier>()
                        .ok()
                        .flatten()
                        .is_some_and(|(_, own)| own == *ski),
                }
            })
            .ok_or(
                "the TSA's certificate is not in the token (it was requested without certReq)",
            )?;
        let der = found
            .to_der()
            .map_err(|e| format!("the TSA's certificate cannot be encoded: {e}"))?;
        CardCertificate::from_der(&der)
            .map_err(|e| format!("the TSA's certificate cannot be used: {e}"))
    }

    /// The X.509 certificates the token carries.
    pub(super) fn certificates(&self) -> impl Iterator<Item = &x509_cert::Certificate> {
        self.signed_data
            .certificates
            .iter()
            .flat_map(|set| set.0.iter())
            .filter_map(|choice| match choice {
                CertificateChoices::Certificate(c) => Some(c),
                _ => None,
            })
    }

    /// The token's DER bytes, as the TSA encoded them (to embed in a signature).
    pub fn der(&self) -> &[u8] {
        &self.der
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cms::limits::tests::tlv;

    fn time_of(text: &str) -> Option<OffsetDateTime> {
        let der = tlv(0x18, text.as_bytes());
        generalized_time(&der::Any::from_der(&der).unwrap())
    }

    #[test]
    fn gen_time_with_and_without_fractions() {
        assert_eq!(
            time_of("20261203161500Z"),
            Some(time::macros::datetime!(2026-12-03 16:15:00 UTC))
        );
        assert_eq!(
            time_of("20261203161500.125Z"),
            Some(time::macros::datetime!(2026-12-03 16:15:00.125 UTC))
        );
        for bad in [
            "20261203161500",
            "20261203161500.120Z",
            "20261203161500.Z",
            "2026120316150Z",
            "20261303161500Z",
            "20261203161500+0900",
            "2026120316150aZ",
            "20261203161500.1234567891Z",
        ] {
            assert_eq!(time_of(bad), None, "{bad}");
        }
    }

    #[test]
    fn garbage_and_oversized_tokens_are_errors_not_panics() {
        for bytes in [
            &[][..],
            &[0x30, 0x00],
            &[0x30, 0x80, 0x00, 0x00],
            &[0x30, 0x03, 0x02, 0x01, 0x01],
            &[0xFF; 40],
        ] {
            assert!(TimestampToken::parse(bytes).is_err());
        }
        let huge = tlv(0x30, &vec![0u8; MAX_TOKEN_SIZE]);
        assert!(matches!(
            TimestampToken::parse(&huge),
            Err(TspError::Limit { .. })
        ));
    }

    #[test]
    fn a_token_swollen_with_certificates_is_refused_before_decoding() {
        // 40 000 distinct "certificates" out of order: the der crate would sort them in
        // quadratic time; the linear walk stops at MAX_CERTIFICATES.
        let many: Vec<u8> = (0..40_000u32)
            .rev()
            .flat_map(|i| tlv(0x30, &tlv(0x02, &i.to_be_bytes())))
            .collect();
        let signed_data = tlv(
            0x30,
            &[
                tlv(0x02, &[3]),
                tlv(0x31, &[]),
                tlv(0x30, &ID_CT_TST_INFO.to_der().unwrap()),
                tlv(0xA0, &many),
                tlv(0x31, &[]),
            ]
            .concat(),
        );
        let token = tlv(
            0x30,
            &[
                rfc5911::ID_SIGNED_DATA.to_der().unwrap(),
                tlv(0xA0, &signed_data),
            ]
            .concat(),
        );
        assert!(token.len() > MAX_TOKEN_SIZE);
        assert!(matches!(
            TimestampToken::parse(&token),
            Err(TspError::Limit { .. })
        ));
        let few = &many[..many.len() / 4];
        let token = tlv(
            0x30,
            &[
                rfc5911::ID_SIGNED_DATA.to_der().unwrap(),
                tlv(
                    0xA0,
                    &tlv(
                        0x30,
                        &[tlv(0x02, &[3]), tlv(0x31, &[]), tlv(0xA0, few)].concat(),
                    ),
                ),
            ]
            .concat(),
        );
        assert!(token.len() <= MAX_TOKEN_SIZE);
        let started = std::time::Instant::now();
        let err = TimestampToken::parse(&token).unwrap_err();
        assert!(
            matches!(
                &err,
                TspError::Limit {
                    source: crate::cms::limits::LimitError::TooMany { .. },
                    ..
                }
            ),
            "{err}"
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }

    #[test]
    fn a_kazasu_signature_is_not_a_timestamp() {
        // A CAdES signature is SignedData too, but over id-data and without content.
        let signed = tlv(
            0x30,
            &[
                rfc5911::ID_SIGNED_DATA.to_der().unwrap(),
                tlv(
                    0xA0,
                    &tlv(
                        0x30,
                        &[
                            tlv(0x02, &[1]),
                            tlv(0x31, &[]),
                            tlv(0x30, &rfc5911::ID_DATA.to_der().unwrap()),
                            tlv(0x31, &[]),
                        ]
                        .concat(),
                    ),
                ),
            ]
            .concat(),
        );
        assert!(matches!(
            TimestampToken::parse(&signed),
            Err(TspError::NotATimestamp(_))
        ));
    }
}
