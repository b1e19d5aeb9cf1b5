//! The relying party's side: checks an assertion against the challenge it consumed, in a fixed
//! order, failing closed at the first problem.

use std::collections::HashMap;
use std::sync::Mutex;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::ecdsa::signature::Verifier as _;
use p256::pkcs8::DecodePublicKey;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::LoginError;
use super::assertion::DecodedAssertion;
use super::challenge::Challenge;
use super::client_data::{ClientData, LoginKind};
use crate::cms::TrustStore;
use crate::cms::trust::{CrlAnswer, Presented};

/// What the relying party accepts.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Its id (domain).
    pub rp_id: String,
    /// Origins a login may come from.
    pub allowed_origins: Vec<String>,
    /// The authentication CAs (several generations) and their CRLs.
    pub trust: TrustStore,
    /// Tolerated clock difference between the app and the server, in seconds.
    pub max_skew: i64,
}

/// Who logged in with the card.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CardLogin {
    /// The certificate's subject (for JPKI authentication certificates, a serial-like CN only).
    pub subject: String,
    /// The certificate's serial number in hex: the stable identifier of the person's card.
    pub serial: String,
    /// The issuing CA.
    pub issuer: String,
    /// A device key (P-256 SPKI DER) the app asked to bind, if any.
    #[serde(skip)]
    pub device_key: Option<Vec<u8>>,
}

/// Single-use storage of issued challenges.
pub trait NonceStore: Send + Sync {
    /// Remembers a challenge until it expires.
    fn put(&self, challenge: &Challenge) -> Result<(), LoginError>;
    /// Removes and returns the challenge with this nonce, atomically: two callers never both get it.
    fn take(&self, nonce: &str) -> Result<Option<Challenge>, LoginError>;
}

/// A [`NonceStore`] in this process's memory, for a single server instance.
#[derive(Debug, Default)]
pub struct MemoryNonceStore {
    challenges: Mutex<HashMap<String, Challenge>>,
}

impl NonceStore for MemoryNonceStore {
    fn put(&self, challenge: &Challenge) -> Result<(), LoginError> {
        let mut map = self
            .challenges
            .lock()
            .map_err(|_| LoginError::Store("poisoned".into()))?;
        let now = OffsetDateTime::now_utc().unix_timestamp();
        map.retain(|_, c| c.expires_at >= now);
        map.insert(challenge.nonce.clone(), challenge.clone());
        Ok(())
    }

    fn take(&self, nonce: &str) -> Result<Option<Challenge>, LoginError> {
        let mut map = self
            .challenges
            .lock()
            .map_err(|_| LoginError::Store("poisoned".into()))?;
        Ok(map.remove(nonce))
    }
}

impl Policy {
    /// Consumes the challenge named `nonce` from `store` first, then checks the assertion:
    /// see [`Policy::verify_card`]. A malformed assertion must be refused before calling this.
    pub fn finish_card(
        &self,
        store: &dyn NonceStore,
        nonce: &str,
        assertion: &DecodedAssertion,
        now: i64,
    ) -> Result<CardLogin, LoginError> {
        let challenge = store.take(nonce)?.ok_or(LoginError::UnknownChallenge)?;
        self.verify_card(&challenge, nonce, assertion, now)
    }

    /// Checks the parts every login shares, in order: the challenge is fresh, the signed bytes
    /// parse strictly and name this challenge, origin and relying party.
    fn common(
        &self,
        challenge: &Challenge,
        nonce: &str,
        signed: &[u8],
        kind: LoginKind,
        now: i64,
    ) -> Result<ClientData, LoginError> {
        if now > challenge.expires_at {
            return Err(LoginError::Expired);
        }
        let data = ClientData::parse_strict(signed)?;
        if data.kind != kind {
            return Err(LoginError::Malformed("wrong kind of login"));
        }
        if data.nonce != nonce || data.nonce != challenge.nonce {
            return Err(LoginError::NonceMismatch);
        }
        if data.signed_at < challenge.issued_at - self.max_skew
            || data.signed_at > now + self.max_skew
            || data.issued_at != challenge.issued_at
        {
            return Err(LoginError::Expired);
        }
        if data.origin != challenge.origin || !self.allowed_origins.contains(&data.origin) {
            return Err(LoginError::WrongOrigin {
                origin: data.origin.chars().take(100).collect(),
            });
        }
        if data.rp_id != self.rp_id || challenge.rp_id != self.rp_id {
            return Err(LoginError::WrongRelyingParty);
        }
        Ok(data)
    }

    /// Checks a card login against the challenge already taken from the store, failing closed
    /// at the first problem: freshness, strict parse, origin and relying party, the certificate
    /// (the hash in the client data, chain to an authentication CA, validity, revocation, key
    /// usage, not a signing certificate), and last the RSA signature over the exact bytes.
    pub fn verify_card(
        &self,
        challenge: &Challenge,
        nonce: &str,
        assertion: &DecodedAssertion,
        now: i64,
    ) -> Result<CardLogin, LoginError> {
        let data = self.common(
            challenge,
            nonce,
            &assertion.client_data,
            LoginKind::Card,
            now,
        )?;
        let der = assertion
            .certificate
            .as_deref()
            .ok_or(LoginError::Malformed("a card login needs its certificate"))?;
        let presented = self
            .trust
            .presented(der)
            .map_err(|_| LoginError::Malformed("unreadable certificate"))?;
        let certificate = &presented.certificate;
        if data.cert_sha256.as_deref() != Some(&URL_SAFE_NO_PAD.encode(presented.sha256)) {
            return Err(LoginError::CertificateMismatch);
        }
        self.check_certificate(&presented, now)?;
        if !certificate.verify_sha256_message(&assertion.client_data, &assertion.signature) {
            return Err(LoginError::BadSignature);
        }
        Ok(CardLogin {
            subject: presented.subject.clone(),
            serial: presented.serial.clone(),
            issuer: presented.issuer.clone(),
            device_key: data.device_key_der(),
        })
    }

    /// The certificate checks of a card login: chain to an authentication CA, validity at
    /// `now`, revocation (a current CRL is required), key usage, and not a signing certificate.
    fn check_certificate(&self, presented: &Presented, now: i64) -> Result<(), LoginError> {
        let certificate = &presented.certificate;
        let issuer = self
            .trust
            .issuer_of_hashed(certificate, presented.sha256)
            .ok_or(LoginError::UntrustedIssuer)?;
        let at = OffsetDateTime::from_unix_timestamp(now).map_err(|_| LoginError::Expired)?;
        if at < certificate.not_before() || at > certificate.not_after() {
            return Err(LoginError::CertificateExpired);
        }
        match self.trust.revocation(certificate, issuer, at) {
            CrlAnswer::Good { .. } => {}
            CrlAnswer::Revoked(r) => return Err(LoginError::Revoked { on: r.on.date() }),
            CrlAnswer::NoCrl => return Err(LoginError::RevocationUnknown),
            CrlAnswer::Unknown(why) => {
                // The reason stays in the server's log; the client only learns "unknown".
                tracing::debug!(reason = %why, "revocation unknown");
                return Err(LoginError::RevocationUnknown);
            }
        }
        let usage = &presented.key_usage;
        if !usage.contains(&"digitalSignature") {
            return Err(LoginError::KeyUsage);
        }
        if usage.contains(&"nonRepudiation") || presented.carries_personal_data {
            return Err(LoginError::SigningCertificate);
        }
        Ok(())
    }

    /// Checks again, at `now`, the authentication certificate a device was bound with: a device
    /// login stops working when the card's certificate expires or is revoked.
    pub fn recheck_certificate(&self, der: &[u8], now: i64) -> Result<(), LoginError> {
        let presented = self
            .trust
            .presented(der)
            .map_err(|_| LoginError::Malformed("unreadable certificate"))?;
        self.check_certificate(&presented, now)
    }

    /// Checks a device login: the same challenge checks, then an ES256 signature by the device
    /// key named in the client data, which the caller must have found bound and not revoked
    /// (`bound_key`, SPKI DER).
    pub fn verify_device(
        &self,
        challenge: &Challenge,
        nonce: &str,
        assertion: &DecodedAssertion,
        bound_key: &[u8],
        now: i64,
    ) -> Result<(), LoginError> {
        let data = self.common(
            challenge,
            nonce,
            &assertion.client_data,
            LoginKind::Device,
            now,
        )?;
        if data.device_key_der().as_deref() != Some(bound_key) {
            return Err(LoginError::DeviceUnknown);
        }
        let key = p256::ecdsa::VerifyingKey::from_public_key_der(bound_key)
            .map_err(|_| LoginError::DeviceUnknown)?;
        let signature = p256::ecdsa::Signature::from_slice(&assertion.signature)
            .map_err(|_| LoginError::BadSignature)?;
        key.verify(&assertion.client_data, &signature)
            .map_err(|_| LoginError::BadSignature)
    }
}

/// The id of a device key: base64url SHA-256 of its SPKI DER.
pub fn device_key_id(spki_der: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(spki_der))
}
