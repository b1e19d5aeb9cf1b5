//! Is this a genuine card, and is what it gave unaltered? The card-info application answers with
//! its integrity record (EF 0003), its key's certificate (EF 0004) and its own signature.
//!
//! Found on a test card's bytes (`core/tests/fixtures/real-card/`): EF 0003 is `FF 30 { DF 31
//! SHA-256 of EF 0001 as stored (17 bytes, filler included), DF 32 SHA-256 of EF 0002's fields
//! after its offset table, DF 33 signature }`, and DF 33 is the EF 0004 key's PKCS#1 v1.5
//! signature over SHA-256 of the DF 31 and DF 32 objects.

use sha2::{Digest, Sha256};

use crate::error::CardError;

use super::cvc::CardVerifiableCertificate;
use super::tlv::{Tlv, objects};

/// EF 0003 of the card-info application.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IntegrityRecord {
    /// SHA-256 of EF 0001 as stored.
    pub my_number_digest: [u8; 32],
    /// SHA-256 of EF 0002's fields (`DF 22`–`DF 25` objects).
    pub facts_digest: [u8; 32],
    /// The bytes the signature covers: the `DF 31` and `DF 32` objects.
    signed: Vec<u8>,
    /// The signature (`DF 33`).
    signature: Vec<u8>,
}

impl IntegrityRecord {
    /// Parses EF 0003 (filler after it ignored).
    pub fn parse(bytes: &[u8]) -> Result<Self, CardError> {
        let malformed = |reason: String| CardError::Malformed {
            what: "integrity record",
            reason,
        };
        let (outer, _) = Tlv::parse(bytes).map_err(|e| malformed(e.to_string()))?;
        if outer.tag != 0xFF30 {
            return Err(malformed(format!(
                "it starts with tag {:X}, not FF30",
                outer.tag
            )));
        }
        let (mut my_number, mut facts, mut signature) = (None, None, None);
        let mut signed = Vec::new();
        for object in objects(outer.value) {
            let (child, whole) = object.map_err(|e| malformed(e.to_string()))?;
            match child.tag {
                0xDF31 => {
                    my_number = Some(
                        digest(child.value)
                            .ok_or_else(|| malformed("DF31 is not 32 bytes".into()))?,
                    );
                    signed.extend_from_slice(whole);
                }
                0xDF32 => {
                    facts = Some(
                        digest(child.value)
                            .ok_or_else(|| malformed("DF32 is not 32 bytes".into()))?,
                    );
                    signed.extend_from_slice(whole);
                }
                0xDF33 => signature = Some(child.value.to_vec()),
                _ => {}
            }
        }
        Ok(Self {
            my_number_digest: my_number.ok_or_else(|| malformed("DF31 is missing".into()))?,
            facts_digest: facts.ok_or_else(|| malformed("DF32 is missing".into()))?,
            signed,
            signature: signature.ok_or_else(|| malformed("DF33 is missing".into()))?,
        })
    }

    /// Whether `certificate`'s key signed this record.
    pub fn is_signed_by(&self, certificate: &CardVerifiableCertificate) -> bool {
        certificate.verifies(&Sha256::digest(&self.signed).into(), &self.signature)
    }
}

fn digest(bytes: &[u8]) -> Option<[u8; 32]> {
    bytes.try_into().ok()
}

/// The part of EF 0002's record that DF 32 digests: the fields after the offset table.
pub fn facts_digest_input(record: &[u8]) -> Option<&[u8]> {
    let (outer, _) = Tlv::parse(record).ok()?;
    let (first, after) = Tlv::parse(outer.value).ok()?;
    Some(if first.tag == 0xDF21 {
        after
    } else {
        outer.value
    })
}

/// What the checks found. Serialised for `--json` as `{"verdict": …}`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Authenticity {
    /// The record is signed by the application's key, what was read matches it, and the card
    /// signed a fresh challenge with that key: the data came unaltered from the card that holds it.
    Genuine {
        /// The certificate authority reference in EF 0004 (J-LIS publishes no root for these
        /// certificates, so the chain above the application key is not checked).
        authority: String,
    },
    /// The record and the data agree and are signed, but the card's answer to the challenge
    /// does not verify with the published key: possession of the key is not shown.
    DataSignedOnly {
        /// The certificate authority reference in EF 0004.
        authority: String,
    },
    /// The data read does not match the card's signed record, or the record's signature is
    /// wrong: the data or the card has been tampered with.
    Altered {
        /// What did not match, in words.
        reason: &'static str,
    },
    /// The card has no integrity record or certificate to check against.
    Unavailable {
        /// Why, in words.
        reason: String,
    },
}

impl Authenticity {
    /// Judges what was read (`my_number_file` as stored, `facts_file` the EF 0002 record).
    pub fn judge(
        certificate: &CardVerifiableCertificate,
        record: &IntegrityRecord,
        my_number_file: Option<&[u8]>,
        facts_file: Option<&[u8]>,
        challenge: &[u8; 32],
        live_signature: &[u8],
    ) -> Authenticity {
        if !record.is_signed_by(certificate) {
            return Authenticity::Altered {
                reason: "the card's integrity record is not signed by its card-info key",
            };
        }
        if let Some(file) = my_number_file
            && <[u8; 32]>::from(Sha256::digest(file)) != record.my_number_digest
        {
            return Authenticity::Altered {
                reason: "My Number does not match the card's signed record",
            };
        }
        if let Some(record_bytes) = facts_file {
            let matches = facts_digest_input(record_bytes).is_some_and(|fields| {
                <[u8; 32]>::from(Sha256::digest(fields)) == record.facts_digest
            });
            if !matches {
                return Authenticity::Altered {
                    reason: "the basic facts do not match the card's signed record",
                };
            }
        }
        let authority = certificate.authority_name();
        if certificate.verifies(challenge, live_signature) {
            Authenticity::Genuine { authority }
        } else {
            Authenticity::DataSignedOnly { authority }
        }
    }

    /// True for [`Authenticity::Genuine`].
    pub fn is_genuine(&self) -> bool {
        matches!(self, Authenticity::Genuine { .. })
    }
}

impl std::fmt::Display for Authenticity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Authenticity::Genuine { authority } => write!(
                f,
                "genuine: the card signed a fresh challenge with its card-info key (certificate from {authority}), and that key's signed record matches what was read"
            ),
            Authenticity::DataSignedOnly { authority } => write!(
                f,
                "data signed by the card-info key (certificate from {authority}), but the card's own signature does not verify with it: the card's possession of the key is not shown"
            ),
            Authenticity::Altered { reason } => write!(f, "NOT GENUINE: {reason}"),
            Authenticity::Unavailable { reason } => write!(f, "not checked: {reason}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT_0001: &[u8] =
        include_bytes!("../../tests/fixtures/real-card/text-0001-physical.bin");
    const TEXT_0002: &[u8] = include_bytes!("../../tests/fixtures/real-card/text-0002.bin");
    const TEXT_0003: &[u8] = include_bytes!("../../tests/fixtures/real-card/text-0003.bin");
    const TEXT_0004: &[u8] = include_bytes!("../../tests/fixtures/real-card/text-0004.bin");

    fn judge(my_number: &[u8], facts: &[u8]) -> Authenticity {
        let cvc = CardVerifiableCertificate::parse(TEXT_0004).unwrap();
        let record = IntegrityRecord::parse(TEXT_0003).unwrap();
        // A test card's private key is not at hand: the live check cannot pass on these bytes.
        Authenticity::judge(
            &cvc,
            &record,
            Some(my_number),
            Some(facts),
            &[7; 32],
            &[0; 256],
        )
    }

    #[test]
    fn the_real_cards_record_covers_its_my_number_and_facts() {
        assert_eq!(
            judge(TEXT_0001, TEXT_0002),
            Authenticity::DataSignedOnly {
                authority: "6000033".into()
            }
        );
    }

    #[test]
    fn one_changed_byte_is_caught() {
        let mut facts = TEXT_0002.to_vec();
        let last = facts.len() - 1;
        facts[last] = b'2'; // sex 1 -> 2
        assert!(matches!(
            judge(TEXT_0001, &facts),
            Authenticity::Altered { .. }
        ));
        let mut number = TEXT_0001.to_vec();
        number[5] ^= 1;
        assert!(matches!(
            judge(&number, TEXT_0002),
            Authenticity::Altered { .. }
        ));
        let mut record = TEXT_0003.to_vec();
        record[10] ^= 1;
        let cvc = CardVerifiableCertificate::parse(TEXT_0004).unwrap();
        assert!(!IntegrityRecord::parse(&record).unwrap().is_signed_by(&cvc));
    }
}
