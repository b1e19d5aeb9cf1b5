//! The card-info and card-surface applications' own keys, as a card shows them: a
//! card-verifiable certificate (`7F 21`), raw public keys (`90` exponent, `91` modulus) and
//! PKCS#1 v1.5 SHA-256 signatures, shaped like `real-card/test-card/text-0004.bin`.

use kazasu_core::card::tlv::encode as tlv;
use rsa::traits::PublicKeyParts;
use rsa::{Pkcs1v15Sign, RsaPrivateKey, RsaPublicKey};
use sha2::{Digest, Sha256};

/// A 16-byte key reference as cards write them: 7 characters, `08 05`, a 3-digit generation,
/// then zeros (`6000033` `08 05` `001` `00 00 00 00`).
pub(crate) fn reference(name: &str, generation: &str) -> [u8; 16] {
    let mut out = [0u8; 16];
    out[..7].copy_from_slice(&name.as_bytes()[..7]);
    out[7] = 0x08;
    out[8] = 0x05;
    out[9..12].copy_from_slice(&generation.as_bytes()[..3]);
    out
}

/// `90 03 <exponent> 91 82 01 00 <modulus>`.
pub(crate) fn public_key_tlvs(key: &RsaPublicKey) -> Vec<u8> {
    let mut out = tlv(&[0x90], &key.e().to_bytes_be());
    out.extend(tlv(&[0x91], &key.n().to_bytes_be()));
    out
}

/// The body (`5F 4E`) of a card-verifiable certificate: authority, holder, public key.
pub(crate) fn cvc_body(authority: &[u8; 16], holder: &[u8; 16], key: &RsaPublicKey) -> Vec<u8> {
    let mut body = authority.to_vec();
    body.extend_from_slice(holder);
    body.extend(public_key_tlvs(key));
    body
}

/// `7F 21 { 5F 4E body, 5F 37 signature }`.
pub(crate) fn cvc(body: &[u8], signature: &[u8]) -> Vec<u8> {
    let mut inner = tlv(&[0x5F, 0x4E], body);
    inner.extend(tlv(&[0x5F, 0x37], signature));
    tlv(&[0x7F, 0x21], &inner)
}

/// PKCS#1 v1.5 signature over SHA-256 of `data`.
pub(crate) fn sign_sha256(key: &RsaPrivateKey, data: &[u8]) -> Vec<u8> {
    key.sign(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(data))
        .expect("an RSA-2048 key signs a SHA-256 hash")
}

/// PKCS#1 v1.5 type-1 signature over `digest_info` exactly as given (what `80 2A` does).
pub(crate) fn sign_raw(key: &RsaPrivateKey, digest_info: &[u8]) -> Option<Vec<u8>> {
    key.sign(Pkcs1v15Sign::new_unprefixed(), digest_info).ok()
}
