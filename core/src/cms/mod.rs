//! Document signatures in CMS: detached CAdES-BES made with the card's signing key, and a
//! verifier at least as strict as the tools recipients use (OpenSSL, pyHanko, poppler).

pub mod digest;
pub(crate) mod ess;
pub mod limits;
pub mod sign;
pub mod trust;
pub mod unsigned;
pub mod verify;

pub use digest::{DigestAlgorithm, digest_reader};
pub use sign::{CardSigner, DocumentSigner, SignRequest, sign_detached};
pub use trust::TrustStore;
pub use unsigned::ValidationData;
pub use verify::{
    Check, CheckKind, DetachedSignature, Outcome, ProvenTime, Purpose, SignatureFormat, Verdict,
};

use crate::CardError;
use crate::cert::CertificateError;

/// Why a CMS signature could not be made or read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CmsError {
    /// The card refused or failed.
    #[error(transparent)]
    Card(#[from] CardError),
    /// A digest of the wrong length for its algorithm.
    #[error("a {algorithm} digest is {expected} bytes, not {len}", expected = algorithm.digest(&[]).len())]
    DigestLength {
        /// The algorithm.
        algorithm: DigestAlgorithm,
        /// The length given.
        len: usize,
    },
    /// The `cms` builder failed.
    #[error("building the CMS structure failed: {0}")]
    Build(String),
    /// Malformed DER.
    #[error("the signature is not valid DER: {0}")]
    Der(der::Error),
    /// Refused before decoding: too large, too many elements, or not DER.
    #[error("the signature was refused before reading it: {0}")]
    Limit(#[from] limits::LimitError),
    /// Malformed PEM.
    #[error("cannot read PEM: {0}")]
    Pem(String),
    /// A certificate that cannot be used.
    #[error(transparent)]
    Certificate(#[from] CertificateError),
    /// A CMS that is not SignedData.
    #[error("this CMS file is not a signature (SignedData)")]
    NotSignedData,
    /// A signature that carries the content instead of pointing at it.
    #[error("the signature contains the document itself; Kazasu checks detached signatures")]
    NotDetached,
    /// Zero or several signers.
    #[error("the signature has {count} signers; Kazasu checks signatures with exactly one")]
    SignerCount {
        /// How many.
        count: usize,
    },
    /// SHA-1 or MD5: collisions can be made, so such a signature proves nothing.
    #[error(
        "the signature uses {0}, which is broken: it is not valid (SHA-256, SHA-384 and SHA-512 are accepted)"
    )]
    WeakAlgorithm(&'static str),
    /// A digest algorithm we do not support.
    #[error("unsupported digest algorithm {0} (SHA-256, SHA-384 and SHA-512 are)")]
    UnsupportedAlgorithm(String),
}

impl CmsError {
    fn build(e: impl std::fmt::Display) -> CmsError {
        CmsError::Build(e.to_string())
    }
}
