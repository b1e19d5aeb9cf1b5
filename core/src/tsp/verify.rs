//! Verifying a timestamp token: it covers the given imprint, the TSA signed it, the signed
//! attributes name the TSA's certificate, that certificate chains to a trusted TSA anchor, is
//! for timestamping only, was valid at genTime, and is not revoked.

use const_oid::db::{rfc5911, rfc5912};
use der::{Decode, Encode};
use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{BasicConstraints, ExtendedKeyUsage};

use super::TimestampToken;
use super::ess::{
    ID_AA_SIGNING_CERTIFICATE, ID_AA_SIGNING_CERTIFICATE_V2, SigningCertificate,
    names_certificate_v1,
};
use super::token::ID_CT_TST_INFO;
use crate::cert::CardCertificate;
use crate::cms::trust::RevocationAnswer;
use crate::cms::verify::{names_certificate, single_value};
use crate::cms::{Check, CheckKind, Outcome, TrustStore};

/// How many intermediate CA certificates from the token may stand between the TSA's
/// certificate and a trusted anchor (public TSAs use one).
pub const MAX_CHAIN_LENGTH: usize = 4;

/// How far in the future of the verifier's clock a genTime may lie: clocks differ a little;
/// a token dated later than that was not made by an honest TSA before now.
pub const MAX_CLOCK_SKEW: time::Duration = time::Duration::minutes(5);

/// `id-kp-timeStamping`.
const ID_KP_TIME_STAMPING: const_oid::ObjectIdentifier =
    const_oid::ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.8");
/// `id-ce-extKeyUsage`.
const ID_CE_EXT_KEY_USAGE: const_oid::ObjectIdentifier =
    const_oid::ObjectIdentifier::new_unwrap("2.5.29.37");

/// The verdict on one timestamp token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimestampVerdict {
    /// True when no check failed.
    pub valid: bool,
    /// When the TSA says the imprint existed.
    #[serde(with = "time::serde::rfc3339")]
    pub gen_time: OffsetDateTime,
    /// The TSA certificate's subject, when it was found.
    pub tsa: Option<String>,
    /// The subject of the trusted anchor the TSA's certificate chains to.
    pub anchor: Option<String>,
    /// Every check made, with [`CheckKind`]s of a signature's checks.
    pub checks: Vec<Check>,
}

impl TimestampVerdict {
    /// The checks that failed.
    pub fn failures(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| c.outcome == Outcome::Failed)
    }
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_else(|_| t.to_string())
}

fn is_ca(certificate: &CardCertificate) -> bool {
    matches!(
        certificate.x509().tbs_certificate.get::<BasicConstraints>(),
        Ok(Some((_, BasicConstraints { ca: true, .. })))
    )
}

/// RFC 3161 §2.3: the TSA's certificate has exactly one extended key usage, id-kp-timeStamping,
/// in an extension marked critical.
fn timestamping_only(certificate: &CardCertificate) -> Result<(), String> {
    let extension = certificate
        .x509()
        .tbs_certificate
        .extensions
        .iter()
        .flatten()
        .find(|e| e.extn_id == ID_CE_EXT_KEY_USAGE)
        .ok_or("the TSA's certificate has no extended key usage (timeStamping is required)")?;
    let usage = ExtendedKeyUsage::from_der(extension.extn_value.as_bytes())
        .map_err(|_| "the TSA's certificate's extended key usage cannot be read")?;
    if usage.0 != [ID_KP_TIME_STAMPING] {
        let names: Vec<String> = usage.0.iter().map(ToString::to_string).collect();
        return Err(format!(
            "the TSA's certificate's extended key usage is {}, not timeStamping alone",
            names.join(", ")
        ));
    }
    if !extension.critical {
        return Err("the TSA's certificate's timeStamping usage is not marked critical".into());
    }
    // RFC 3161 §2.3 and OpenSSL's timestamp-signing purpose: a key usage, when present,
    // allows signing (digitalSignature, nonRepudiation) and nothing else.
    let usage = certificate.key_usage();
    let signs = usage
        .iter()
        .any(|u| *u == "digitalSignature" || *u == "nonRepudiation");
    let other = usage
        .iter()
        .any(|u| *u != "digitalSignature" && *u != "nonRepudiation");
    if !usage.is_empty() && (!signs || other) {
        return Err(format!(
            "the TSA's certificate's key usage ({}) is not for signing timestamps only",
            usage.join(", ")
        ));
    }
    Ok(())
}

impl TimestampToken {
    /// Checks this token as a timestamp over `imprint` (what the token should cover, hashed
    /// with [`Self::digest_algorithm`]), issued by a TSA whose certificate chains to an anchor
    /// of `trust` (a store of TSA anchors, not of card CAs). `now` dates the CRLs' freshness
    /// and bounds genTime. A revocation that cannot be checked (no CRL) is
    /// [`Outcome::NotChecked`], not a failure.
    pub fn verify(
        &self,
        imprint: &[u8],
        trust: &TrustStore,
        now: OffsetDateTime,
    ) -> TimestampVerdict {
        let mut checks = Vec::new();
        let mut check = |check: CheckKind, outcome: Outcome, detail: String| {
            checks.push(Check {
                check,
                outcome,
                detail,
            });
        };
        let gen_time = self.gen_time();

        // 1. What it timestamps.
        if self.imprint() == imprint {
            check(
                CheckKind::Content,
                Outcome::Passed,
                format!(
                    "the timestamp covers exactly these data ({})",
                    self.digest_algorithm()
                ),
            );
        } else {
            check(
                CheckKind::Content,
                Outcome::Failed,
                "the timestamp is for other data".into(),
            );
        }

        // 2. The TSA's signature over the TSTInfo, through the signed attributes (RFC 3161
        //    §2.4.2 and RFC 5652 §5.3-5.4: content type id-ct-TSTInfo, message digest).
        let certificate = match self.find_tsa_certificate() {
            Ok(c) => c,
            Err(why) => {
                check(CheckKind::Signature, Outcome::Failed, why);
                return self.verdict(None, None, checks);
            }
        };
        let tsa_name = certificate.subject();
        let attrs = &self.signer_info.signed_attrs;
        let algorithm = self.signer_algorithm;
        let content_type = single_value(attrs, rfc5911::ID_CONTENT_TYPE, "content type");
        let digest = single_value(attrs, rfc5911::ID_MESSAGE_DIGEST, "message digest");
        let signed = match (attrs, content_type, digest) {
            (None, _, _) => Err("the timestamp has no signed attributes".to_owned()),
            (_, Err(why), _) | (_, _, Err(why)) => Err(why),
            (_, Ok(None), _) => Err("the signed attributes carry no content type".to_owned()),
            (_, _, Ok(None)) => Err("the signed attributes carry no message digest".to_owned()),
            (Some(set), Ok(Some(ct)), Ok(Some(d))) => {
                if ct.decode_as::<const_oid::ObjectIdentifier>().ok() != Some(ID_CT_TST_INFO) {
                    Err("the signed content type is not TSTInfo".to_owned())
                } else if d
                    .decode_as::<der::asn1::OctetString>()
                    .ok()
                    .is_none_or(|d| d.as_bytes() != algorithm.digest(&self.tst_der))
                {
                    Err("the TSTInfo was changed after the TSA signed it".to_owned())
                } else {
                    let sig_alg = &self.signer_info.signature_algorithm.oid;
                    let alg_ok = *sig_alg == rfc5912::RSA_ENCRYPTION
                        || crate::cms::DigestAlgorithm::from_rsa_signature_oid(sig_alg)
                            == Some(algorithm);
                    // The bytes as sent; re-encoding would sort them, as the decoder did.
                    let sent = match &self.signed_attributes {
                        Some(sent) => Ok(sent.clone()),
                        None => set.to_der(),
                    };
                    let ok = alg_ok
                        && sent.is_ok_and(|der| {
                            certificate.verify_signature(
                                &algorithm.digest_info(&algorithm.digest(&der)),
                                self.signer_info.signature.as_bytes(),
                            )
                        });
                    if ok {
                        Ok(())
                    } else if !alg_ok {
                        Err(format!(
                            "the TSA signed with {sig_alg}, which is not RSA with {algorithm}"
                        ))
                    } else {
                        Err("the TSA's signature does not verify with its certificate".to_owned())
                    }
                }
            }
        };
        match signed {
            Ok(()) => check(
                CheckKind::Signature,
                Outcome::Passed,
                format!("signed by the TSA {tsa_name} ({algorithm})"),
            ),
            Err(why) => check(CheckKind::Signature, Outcome::Failed, why),
        }

        // 3. The signed attributes name the TSA's certificate (ESS signingCertificateV2, or
        //    version 1), and the TSTInfo's tsa field, when present, names it too.
        let v2 = single_value(attrs, ID_AA_SIGNING_CERTIFICATE_V2, "signingCertificateV2");
        let v1 = single_value(attrs, ID_AA_SIGNING_CERTIFICATE, "signingCertificate");
        let named = match (v2, v1) {
            (Err(why), _) | (_, Err(why)) => Err(why),
            (Ok(Some(v)), _) => v
                .decode_as::<crate::cms::ess::SigningCertificateV2>()
                .map_err(|_| "the signingCertificateV2 attribute is malformed".to_owned())
                .and_then(|v| names_certificate(&v, &certificate).map_err(str::to_owned))
                .map(|()| "signingCertificateV2"),
            (_, Ok(Some(v))) => v
                .decode_as::<SigningCertificate>()
                .map_err(|_| "the signingCertificate attribute is malformed".to_owned())
                .and_then(|v| names_certificate_v1(&v, &certificate).map_err(str::to_owned))
                .map(|()| "signingCertificate"),
            _ => Err(
                "the signed attributes do not name the TSA's certificate (RFC 3161 requires signingCertificate)"
                    .to_owned(),
            ),
        };
        let named = named.and_then(|attribute| match &self.tst.tsa {
            Some(GeneralName::DirectoryName(name))
                if *name != certificate.x509().tbs_certificate.subject =>
            {
                Err(format!(
                    "the timestamp names the TSA {name}, but {tsa_name} signed it"
                ))
            }
            _ => Ok(attribute),
        });
        match named {
            Ok(attribute) => check(
                CheckKind::SigningCertificate,
                Outcome::Passed,
                format!("the signed {attribute} names the TSA's certificate"),
            ),
            Err(why) => check(CheckKind::SigningCertificate, Outcome::Failed, why),
        }

        // 4. The chain to a trusted TSA anchor, through CA certificates the token carries.
        let intermediates: Vec<CardCertificate> = self
            .certificates()
            .filter_map(|c| CardCertificate::from_der(&c.to_der().ok()?).ok())
            .filter(|c| is_ca(c) && c.der() != certificate.der())
            .collect();
        let mut path: Vec<&CardCertificate> = Vec::new();
        let mut anchor = None;
        let mut current = &certificate;
        loop {
            if let Some(a) = trust.issuer_of(current) {
                anchor = Some(a);
                break;
            }
            if path.len() >= MAX_CHAIN_LENGTH {
                break;
            }
            let next = intermediates.iter().find(|c| {
                c.x509().tbs_certificate.subject == current.x509().tbs_certificate.issuer
                    && !path.iter().any(|p| p.der() == c.der())
                    && current.is_signed_by(c)
            });
            match next {
                Some(c) => {
                    path.push(c);
                    current = c;
                }
                None => break,
            }
        }
        match anchor {
            Some(a) => check(
                CheckKind::Chain,
                Outcome::Passed,
                if path.is_empty() {
                    format!("issued by the trusted TSA CA {}", a.subject())
                } else {
                    format!(
                        "issued through {} to the trusted TSA CA {}",
                        path.iter()
                            .map(|c| c.subject())
                            .collect::<Vec<_>>()
                            .join(", "),
                        a.subject()
                    )
                },
            ),
            None => check(
                CheckKind::Chain,
                Outcome::Failed,
                format!(
                    "the TSA's certificate, issued by {}, does not chain to any of the {} trusted TSA certificate(s)",
                    certificate.issuer(),
                    trust.anchors().len()
                ),
            ),
        }

        // 5. Valid at genTime (the whole chain), and genTime not in the future.
        let within = |c: &CardCertificate| c.not_before() <= gen_time && gen_time <= c.not_after();
        let invalid = std::iter::once(&certificate)
            .chain(path.iter().copied())
            .chain(anchor)
            .find(|c| !within(c));
        if gen_time > now + MAX_CLOCK_SKEW {
            check(
                CheckKind::Validity,
                Outcome::Failed,
                format!(
                    "the timestamp is dated {}, in the future",
                    rfc3339(gen_time)
                ),
            );
        } else if let Some(c) = invalid {
            check(
                CheckKind::Validity,
                Outcome::Failed,
                format!(
                    "{} was not valid at the timestamp's time {}: valid from {} to {}",
                    c.subject(),
                    rfc3339(gen_time),
                    rfc3339(c.not_before()),
                    rfc3339(c.not_after())
                ),
            );
        } else {
            check(
                CheckKind::Validity,
                Outcome::Passed,
                format!(
                    "the TSA's certificate was valid at {} (until {})",
                    rfc3339(gen_time),
                    rfc3339(certificate.not_after())
                ),
            );
        }

        // 6. For timestamping only.
        match timestamping_only(&certificate) {
            Ok(()) => check(
                CheckKind::KeyUsage,
                Outcome::Passed,
                "the TSA's certificate is for timestamping only (critical extended key usage)"
                    .into(),
            ),
            Err(why) => check(CheckKind::KeyUsage, Outcome::Failed, why),
        }

        // 7. Revocation of the TSA's certificate, by its issuer's CRL.
        let issuer = path.first().copied().or(anchor);
        match issuer.map(|ca| trust.revocation(&certificate, ca, now)) {
            None => check(
                CheckKind::Revocation,
                Outcome::NotChecked,
                "no trusted issuer to ask".into(),
            ),
            Some(RevocationAnswer::NoCrl) => check(
                CheckKind::Revocation,
                Outcome::NotChecked,
                "revocation of the TSA's certificate not checked: no CRL or OCSP answer from its issuer was given"
                    .into(),
            ),
            // Judged at a past time (genTime): a CRL or answer issued since, naming no
            // revocation, shows the certificate was good then (validation data is gathered
            // after the timestamp is made).
            Some(RevocationAnswer::Unknown(crate::cms::trust::Unusable::NotYetIssued {
                this_update,
            })) if this_update >= gen_time => check(
                CheckKind::Revocation,
                Outcome::Passed,
                format!(
                    "the TSA's certificate was not revoked at {}: revocation data issued later ({}) lists no revocation",
                    rfc3339(gen_time),
                    rfc3339(this_update)
                ),
            ),
            Some(RevocationAnswer::Unknown(why)) => check(
                CheckKind::Revocation,
                Outcome::Failed,
                format!("revocation of the TSA's certificate unknown: {why}"),
            ),
            Some(RevocationAnswer::Revoked(r)) => check(
                CheckKind::Revocation,
                Outcome::Failed,
                format!("the TSA's certificate was revoked on {}", rfc3339(r.on)),
            ),
            Some(RevocationAnswer::Good {
                this_update,
                source,
                ..
            }) => check(
                CheckKind::Revocation,
                Outcome::Passed,
                format!(
                    "the TSA's certificate is not revoked ({source} of {})",
                    rfc3339(this_update)
                ),
            ),
        }

        self.verdict(Some(tsa_name), anchor.map(CardCertificate::subject), checks)
    }

    fn verdict(
        &self,
        tsa: Option<String>,
        anchor: Option<String>,
        checks: Vec<Check>,
    ) -> TimestampVerdict {
        TimestampVerdict {
            valid: !checks.iter().any(|c| c.outcome == Outcome::Failed),
            gen_time: self.gen_time(),
            tsa,
            anchor,
            checks,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cms::DigestAlgorithm;

    /// A token OpenSSL's TSA made (`openssl ts -reply`, SHA-1 signingCertificate, the TSA's CA
    /// in the token) over SHA-256("the signature value"); the fuzz target's seed too.
    const TOKEN: &[u8] = include_bytes!("../../../fuzz/seeds/timestamp/openssl-token.der");

    fn imprint() -> Vec<u8> {
        DigestAlgorithm::Sha256.digest(b"the signature value")
    }

    /// Trusts the CA certificate the token carries.
    fn trust(token: &TimestampToken) -> TrustStore {
        let ca = token
            .certificates()
            .find(|c| {
                c.tbs_certificate
                    .subject
                    .to_string()
                    .contains("Fuzz TSA CA")
            })
            .unwrap()
            .to_der()
            .unwrap();
        let mut trust = TrustStore::new();
        trust.add_anchors(&ca).unwrap();
        trust
    }

    fn after(token: &TimestampToken) -> OffsetDateTime {
        token.gen_time() + time::Duration::hours(1)
    }

    #[test]
    fn openssls_token_is_read_and_verified() {
        let token = TimestampToken::parse(TOKEN).unwrap();
        assert_eq!(token.digest_algorithm(), DigestAlgorithm::Sha256);
        assert_eq!(token.imprint(), imprint());
        assert_eq!(token.policy().to_string(), "1.2.3.4.1");
        assert_eq!(token.tsa_certificate().unwrap().subject(), "CN=Fuzz TSA");
        let verdict = token.verify(&imprint(), &trust(&token), after(&token));
        assert!(verdict.valid, "{verdict:#?}");
        assert_eq!(verdict.anchor.as_deref(), Some("CN=Fuzz TSA CA"));
    }

    #[test]
    fn a_token_dated_after_the_verifiers_clock_fails() {
        let token = TimestampToken::parse(TOKEN).unwrap();
        let trust = trust(&token);
        let early = token.gen_time() - MAX_CLOCK_SKEW - time::Duration::seconds(1);
        let verdict = token.verify(&imprint(), &trust, early);
        let failed: Vec<CheckKind> = verdict.failures().map(|c| c.check).collect();
        assert_eq!(failed, [CheckKind::Validity], "{verdict:#?}");
    }

    #[test]
    fn the_signature_covers_the_signed_attributes_in_the_order_sent() {
        // The same attributes in another order: the decoder sorts them back, but the TSA
        // signed the order it sent (and OpenSSL checks that order), so this is not its token.
        let sent = super::super::raw::signed_attributes_as_sent(TOKEN).unwrap();
        let (_, content, _) = super::super::raw::split(&sent).unwrap();
        let mut attributes = super::super::raw::elements(content).unwrap();
        attributes.swap(0, 1);
        let reordered = attributes.concat();
        let at = TOKEN
            .windows(content.len())
            .position(|w| w == content)
            .unwrap();
        let mut bytes = TOKEN.to_vec();
        bytes[at..at + content.len()].copy_from_slice(&reordered);
        let token = TimestampToken::parse(&bytes).unwrap();
        let verdict = token.verify(&imprint(), &trust(&token), after(&token));
        let failed: Vec<CheckKind> = verdict.failures().map(|c| c.check).collect();
        assert_eq!(failed, [CheckKind::Signature], "{verdict:#?}");
    }

    #[test]
    fn every_single_byte_change_is_an_error_or_a_verdict_never_valid_and_never_a_panic() {
        let original = TimestampToken::parse(TOKEN).unwrap();
        let trust = trust(&original);
        let now = after(&original);
        // The CA's certificate rides along unsigned and unused (the anchor is the trusted
        // copy): a change there may leave the token valid. Anywhere else it must not.
        let ca = trust.anchors()[0].der();
        let ca_at = TOKEN.windows(ca.len()).position(|w| w == ca).unwrap();
        let mut valid = Vec::new();
        for i in (0..TOKEN.len()).filter(|i| !(ca_at..ca_at + ca.len()).contains(i)) {
            for flip in [0x01u8, 0x80] {
                let mut bytes = TOKEN.to_vec();
                bytes[i] ^= flip;
                if let Ok(token) = TimestampToken::parse(&bytes)
                    && token.verify(&imprint(), &trust, now).valid
                {
                    valid.push((i, flip));
                }
            }
        }
        assert_eq!(valid, [], "changes that left the token valid");
    }
}
