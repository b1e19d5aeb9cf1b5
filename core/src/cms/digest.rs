//! Digest algorithms for document signatures, and hashing a file as a stream (constant memory,
//! whatever its size).

use std::io::Read;

use const_oid::ObjectIdentifier;
use const_oid::db::rfc5912;
use rsa::Pkcs1v15Sign;
use sha2::{Digest, Sha256, Sha384, Sha512};

/// The hash a signature is made over. SHA-256 by default, as JPKI's own software does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DigestAlgorithm {
    /// SHA-256.
    #[default]
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl DigestAlgorithm {
    /// The algorithm's OID in CMS `digestAlgorithm` fields.
    pub fn oid(self) -> ObjectIdentifier {
        match self {
            DigestAlgorithm::Sha256 => rfc5912::ID_SHA_256,
            DigestAlgorithm::Sha384 => rfc5912::ID_SHA_384,
            DigestAlgorithm::Sha512 => rfc5912::ID_SHA_512,
        }
    }

    /// The matching `shaNNNWithRSAEncryption` signature algorithm.
    pub fn rsa_signature_oid(self) -> ObjectIdentifier {
        match self {
            DigestAlgorithm::Sha256 => rfc5912::SHA_256_WITH_RSA_ENCRYPTION,
            DigestAlgorithm::Sha384 => rfc5912::SHA_384_WITH_RSA_ENCRYPTION,
            DigestAlgorithm::Sha512 => rfc5912::SHA_512_WITH_RSA_ENCRYPTION,
        }
    }

    /// The algorithm named by a digest OID, if we support it.
    pub fn from_oid(oid: &ObjectIdentifier) -> Option<DigestAlgorithm> {
        [Self::Sha256, Self::Sha384, Self::Sha512]
            .into_iter()
            .find(|a| a.oid() == *oid)
    }

    /// The algorithm a `shaNNNWithRSAEncryption` OID implies, if we support it.
    pub fn from_rsa_signature_oid(oid: &ObjectIdentifier) -> Option<DigestAlgorithm> {
        [Self::Sha256, Self::Sha384, Self::Sha512]
            .into_iter()
            .find(|a| a.rsa_signature_oid() == *oid)
    }

    /// The hash of `data`.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        let mut h = Hasher::new(self);
        h.update(data);
        h.finish()
    }

    /// The DER `DigestInfo` (PKCS#1 v1.5) for `hash`, which the card signs.
    pub fn digest_info(self, hash: &[u8]) -> Vec<u8> {
        let scheme = match self {
            DigestAlgorithm::Sha256 => Pkcs1v15Sign::new::<Sha256>(),
            DigestAlgorithm::Sha384 => Pkcs1v15Sign::new::<Sha384>(),
            DigestAlgorithm::Sha512 => Pkcs1v15Sign::new::<Sha512>(),
        };
        [&scheme.prefix[..], hash].concat()
    }

    /// Its name as OpenSSL and the CLI spell it.
    pub fn name(self) -> &'static str {
        match self {
            DigestAlgorithm::Sha256 => "sha256",
            DigestAlgorithm::Sha384 => "sha384",
            DigestAlgorithm::Sha512 => "sha512",
        }
    }
}

impl std::fmt::Display for DigestAlgorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// An incremental hash of one of the [`DigestAlgorithm`]s.
#[derive(Clone)]
pub enum Hasher {
    /// SHA-256 state.
    Sha256(Sha256),
    /// SHA-384 state.
    Sha384(Sha384),
    /// SHA-512 state.
    Sha512(Sha512),
}

impl Hasher {
    /// A fresh hash.
    pub fn new(algorithm: DigestAlgorithm) -> Hasher {
        match algorithm {
            DigestAlgorithm::Sha256 => Hasher::Sha256(Sha256::new()),
            DigestAlgorithm::Sha384 => Hasher::Sha384(Sha384::new()),
            DigestAlgorithm::Sha512 => Hasher::Sha512(Sha512::new()),
        }
    }

    /// Adds bytes.
    pub fn update(&mut self, data: &[u8]) {
        match self {
            Hasher::Sha256(h) => h.update(data),
            Hasher::Sha384(h) => h.update(data),
            Hasher::Sha512(h) => h.update(data),
        }
    }

    /// The hash of everything added.
    pub fn finish(self) -> Vec<u8> {
        match self {
            Hasher::Sha256(h) => h.finalize().to_vec(),
            Hasher::Sha384(h) => h.finalize().to_vec(),
            Hasher::Sha512(h) => h.finalize().to_vec(),
        }
    }
}

/// How much is read at a time: large enough for full hashing speed, small enough to stay constant.
const CHUNK: usize = 1 << 20;

/// Hashes everything `reader` yields, calling `progress` with the bytes hashed so far after each chunk.
pub fn digest_reader<R: Read>(
    algorithm: DigestAlgorithm,
    mut reader: R,
    mut progress: impl FnMut(u64),
) -> std::io::Result<Vec<u8>> {
    let mut hasher = Hasher::new(algorithm);
    let mut buf = vec![0u8; CHUNK];
    let mut total = 0u64;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(&buf[..n]);
        total += n as u64;
        progress(total);
    }
    Ok(hasher.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_infos_have_the_rfc_8017_prefixes() {
        for (alg, len) in [
            (DigestAlgorithm::Sha256, 32),
            (DigestAlgorithm::Sha384, 48),
            (DigestAlgorithm::Sha512, 64),
        ] {
            let hash = alg.digest(b"abc");
            assert_eq!(hash.len(), len);
            let di = alg.digest_info(&hash);
            assert_eq!(di.len(), 19 + len);
            assert_eq!(usize::from(di[1]) + 2, di.len(), "outer SEQUENCE length");
            assert_eq!(usize::from(di[18]), len, "OCTET STRING length");
        }
        assert_eq!(
            DigestAlgorithm::Sha256.digest_info(&[0xAB; 32]),
            crate::card::jpki::sha256_digest_info(&[0xAB; 32])
        );
    }

    #[test]
    fn streaming_equals_one_shot_and_reports_progress() {
        let data: Vec<u8> = (0..(CHUNK * 2 + 123)).map(|i| i as u8).collect();
        let mut seen = vec![];
        let streamed = digest_reader(DigestAlgorithm::Sha384, &data[..], |n| seen.push(n)).unwrap();
        assert_eq!(streamed, DigestAlgorithm::Sha384.digest(&data));
        assert_eq!(seen.last().copied(), Some(data.len() as u64));
    }

    #[test]
    fn oids_round_trip() {
        for a in [
            DigestAlgorithm::Sha256,
            DigestAlgorithm::Sha384,
            DigestAlgorithm::Sha512,
        ] {
            assert_eq!(DigestAlgorithm::from_oid(&a.oid()), Some(a));
            assert_eq!(
                DigestAlgorithm::from_rsa_signature_oid(&a.rsa_signature_oid()),
                Some(a)
            );
        }
    }
}
