//! "Log in with the card": the relying party's challenge, the client data the app signs with
//! the authentication key, the assertion it sends back, and the verifier.
//!
//! The relying party never sees the PIN, and learns only the authentication certificate (no
//! name, no address): a signing certificate, which carries them, is refused.

pub mod assertion;
pub mod challenge;
pub mod client_data;
pub mod link;
#[cfg(feature = "service")]
pub mod service;
pub mod verify;

pub use assertion::{
    Assertion, DecodedAssertion, card_assertion, card_assertion_with, device_assertion,
};
pub use challenge::Challenge;
pub use client_data::{ClientData, LoginKind};
pub use link::{LinkedHolder, link_proof_with, verify_link};
pub use verify::{
    CardLogin, CertificateCache, MemoryNonceStore, NonceStore, Policy, Refusal, device_key_id,
    verify_es256_low_s,
};

/// Why a login was refused. Messages are short: they go back to the client as they are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LoginError {
    /// The request or the signed data is not what the protocol says.
    #[error("malformed: {0}")]
    Malformed(&'static str),
    /// No such challenge, or it was already used.
    #[error("unknown or already used challenge")]
    UnknownChallenge,
    /// The challenge expired, or the signing time is outside it.
    #[error("the challenge has expired; start again")]
    Expired,
    /// The signed nonce is not the challenge's.
    #[error("the signed data is for another challenge")]
    NonceMismatch,
    /// The login was made for another origin.
    #[error("wrong origin {origin:?}")]
    WrongOrigin {
        /// The origin the client signed (truncated).
        origin: String,
    },
    /// The login was made for another relying party.
    #[error("wrong relying party")]
    WrongRelyingParty,
    /// The certificate is not the one the client data names.
    #[error("the certificate is not the one that was signed for")]
    CertificateMismatch,
    /// Not issued by a trusted authentication CA.
    #[error("the certificate is not from a trusted authentication CA")]
    UntrustedIssuer,
    /// Outside its validity.
    #[error("the certificate is expired or not yet valid")]
    CertificateExpired,
    /// Revoked by its CA.
    #[error("the certificate was revoked on {on}")]
    Revoked {
        /// The revocation date.
        on: time::Date,
    },
    /// No current CRL to check against: refused rather than guessed.
    #[error("revocation cannot be checked (no current CRL)")]
    RevocationUnknown,
    /// Not usable for signatures.
    #[error("the certificate may not be used to log in (key usage)")]
    KeyUsage,
    /// A signing certificate, which carries personal data, was presented.
    #[error("a signing certificate cannot be used to log in; use the authentication certificate")]
    SigningCertificate,
    /// The signature does not verify.
    #[error("the signature does not verify")]
    BadSignature,
    /// The device key is not bound, or was revoked.
    #[error("unknown or revoked device")]
    DeviceUnknown,
    /// The challenge store failed.
    #[error("challenge store unavailable: {0}")]
    Store(String),
}
