//! Card-verifiable certificates (`7F 21`, or as GET DATA returns them) and raw RSA public keys (`90` exponent, `91` modulus):
//! how the card-info and card-surface applications publish the keys they sign with.
//!
//! Layout, as read off a test card (`real-card/test-card/text-0004.bin`): `7F 21 { 5F 4E body,
//! 5F 37 signature }`, the body being a 16-byte authority reference, a 16-byte holder reference,
//! then `90 03 <exponent>` and `91 82 01 00 <modulus>`. J-LIS does not publish the key that signs
//! these certificates, so a client can check what an application key signed, not who issued it.

use rsa::traits::PublicKeyParts;
use rsa::{BigUint, Pkcs1v15Sign, RsaPublicKey};
use sha2::Sha256;

use crate::error::CardError;

use super::tlv::{Tlv, TlvIter};

/// Length of the authority and holder references at the start of a certificate body.
pub const REFERENCE_LEN: usize = 16;

/// Largest RSA modulus accepted from a card, in bytes (RSA-4096); cards use 2048 bits.
pub const MAX_MODULUS_LEN: usize = 512;

/// An application's card-verifiable certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardVerifiableCertificate {
    /// Who signed it (certification authority reference), as on the card.
    pub authority: [u8; REFERENCE_LEN],
    /// Whose key it holds (certificate holder reference).
    pub holder: [u8; REFERENCE_LEN],
    /// The application's public key.
    pub public_key: RsaPublicKey,
}

impl CardVerifiableCertificate {
    /// Parses a `7F 21` object (filler after it is ignored).
    pub fn parse(bytes: &[u8]) -> Result<Self, CardError> {
        let malformed = |reason: String| CardError::Malformed {
            what: "card-verifiable certificate",
            reason,
        };
        let (outer, _) = Tlv::parse(bytes).map_err(|e| malformed(e.to_string()))?;
        // In an EF it is wrapped in 7F 21; GET DATA with no application selected gives a header
        // list (4D) followed by the body and signature as they are (`mf-do-*.bin`).
        let fields = match outer.tag {
            0x7F21 => TlvIter::new(outer.value),
            0x4D => TlvIter::new(bytes),
            other => {
                return Err(malformed(format!(
                    "it starts with tag {other:X}, not 7F21 or 4D"
                )));
            }
        };
        let body = fields
            .map_while(Result::ok)
            .find(|c| c.tag == 0x5F4E)
            .ok_or_else(|| malformed("it has no body (5F4E)".to_owned()))?;
        if body.value.len() < 2 * REFERENCE_LEN {
            return Err(malformed("its body is too short".to_owned()));
        }
        let (authority, rest) = body.value.split_at(REFERENCE_LEN);
        let (holder, key) = rest.split_at(REFERENCE_LEN);
        Ok(Self {
            authority: authority.try_into().expect("split at 16"),
            holder: holder.try_into().expect("split at 16"),
            public_key: parse_public_key(key)?,
        })
    }

    /// The authority reference as text: its leading printable characters (`6000033`).
    pub fn authority_name(&self) -> String {
        reference_text(&self.authority)
    }

    /// Whether `signature` is this key's PKCS#1 v1.5 signature over the SHA-256 `hash`.
    pub fn verifies(&self, hash: &[u8; 32], signature: &[u8]) -> bool {
        verifies(&self.public_key, hash, signature)
    }
}

/// Whether `signature` is `key`'s PKCS#1 v1.5 signature over the SHA-256 `hash`.
pub fn verifies(key: &RsaPublicKey, hash: &[u8; 32], signature: &[u8]) -> bool {
    signature.len() == key.size()
        && key
            .verify(Pkcs1v15Sign::new::<Sha256>(), hash, signature)
            .is_ok()
}

/// Reads `90 <exponent> 91 <modulus>` (in any order; other tags skipped) into an RSA key.
pub fn parse_public_key(bytes: &[u8]) -> Result<RsaPublicKey, CardError> {
    let malformed = |reason: String| CardError::Malformed {
        what: "public key",
        reason,
    };
    let (mut exponent, mut modulus) = (None, None);
    for child in TlvIter::new(bytes) {
        let child = child.map_err(|e| malformed(e.to_string()))?;
        match child.tag {
            0x90 => exponent = Some(child.value),
            0x91 => modulus = Some(child.value),
            _ => {}
        }
    }
    let exponent = exponent.ok_or_else(|| malformed("no exponent (90)".to_owned()))?;
    let modulus = modulus.ok_or_else(|| malformed("no modulus (91)".to_owned()))?;
    if modulus.len() > MAX_MODULUS_LEN || exponent.len() > 8 {
        return Err(malformed(format!(
            "a {}-byte modulus is beyond the {MAX_MODULUS_LEN} bytes accepted",
            modulus.len()
        )));
    }
    RsaPublicKey::new(
        BigUint::from_bytes_be(modulus),
        BigUint::from_bytes_be(exponent),
    )
    .map_err(|e| malformed(e.to_string()))
}

/// The printable start of a 16-byte reference.
fn reference_text(reference: &[u8]) -> String {
    reference
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric())
        .map(|b| char::from(*b))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT_0004: &[u8] = include_bytes!("../../tests/fixtures/real-card/text-0004.bin");
    const TEXT_0003: &[u8] = include_bytes!("../../tests/fixtures/real-card/text-0003.bin");

    #[test]
    fn reads_the_real_card_info_certificate() {
        let cvc = CardVerifiableCertificate::parse(TEXT_0004).unwrap();
        assert_eq!(cvc.authority_name(), "6000033");
        assert_eq!(cvc.public_key.size(), 256);
        // EF 0003's signature (DF33) is this key's, over SHA-256 of the DF31 and DF32 objects.
        use sha2::Digest;
        let hash: [u8; 32] = Sha256::digest(&TEXT_0003[5..75]).into();
        assert!(cvc.verifies(&hash, &TEXT_0003[80..336]));
        assert!(!cvc.verifies(&[0; 32], &TEXT_0003[80..336]));
    }

    #[test]
    fn refuses_what_is_not_a_certificate() {
        assert!(CardVerifiableCertificate::parse(TEXT_0003).is_err());
        assert!(CardVerifiableCertificate::parse(&[0x7F, 0x21, 0x00]).is_err());
        let mut huge = vec![0x91, 0x82, 0x04, 0x01];
        huge.extend(vec![0xAB; 0x401]);
        assert!(parse_public_key(&huge).is_err());
    }
}
