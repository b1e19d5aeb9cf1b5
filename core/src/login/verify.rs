//! The relying party's side: checks an assertion against the challenge it consumed, in a fixed
//! order, failing closed at the first problem.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::sync::{Arc, Mutex};

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
use crate::cert::CardCertificate;
use crate::cms::TrustStore;
use crate::cms::trust::{CrlAnswer, Presented};

/// How many certificates a [`Policy`] remembers parsed. Only certificates issued by a trusted
/// CA are remembered, so strangers presenting made-up certificates cannot fill it; the oldest is
/// forgotten when it is full.
pub const MAX_REMEMBERED_CERTIFICATES: usize = 4096;
/// The most bytes of certificates a [`Policy`] remembers (each counted at
/// [`PARSED_SIZE_FACTOR`] times its DER size): with [`MAX_REMEMBERED_CERTIFICATES`], the bound
/// on the memory the cache can hold.
pub const MAX_REMEMBERED_BYTES: usize = 24 * 1024 * 1024;
/// A parsed certificate is counted as this many times its DER size (the DER kept, the parsed
/// structure and its names).
pub const PARSED_SIZE_FACTOR: usize = 4;

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
    /// Trusted certificates already parsed (shared by the clones a CRL refresh makes).
    pub remembered: CertificateCache,
}

/// Certificates from a trusted CA, parsed once and remembered by their SHA-256, bounded in count
/// ([`MAX_REMEMBERED_CERTIFICATES`]) and bytes ([`MAX_REMEMBERED_BYTES`]), oldest out first.
#[derive(Clone, Default)]
pub struct CertificateCache {
    inner: Arc<Mutex<CacheInner>>,
}

#[derive(Default)]
struct CacheInner {
    map: HashMap<[u8; 32], (Arc<Presented>, usize)>,
    order: VecDeque<[u8; 32]>,
    bytes: usize,
}

impl std::fmt::Debug for CertificateCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (count, bytes) = self.size();
        f.debug_struct("CertificateCache")
            .field("count", &count)
            .field("bytes", &bytes)
            .finish()
    }
}

impl CertificateCache {
    /// How many certificates are remembered, and their counted bytes.
    pub fn size(&self) -> (usize, usize) {
        self.inner
            .lock()
            .map(|c| (c.map.len(), c.bytes))
            .unwrap_or((0, 0))
    }

    fn get(&self, key: &[u8; 32]) -> Option<Arc<Presented>> {
        self.inner
            .lock()
            .ok()
            .and_then(|c| c.map.get(key).map(|(p, _)| p.clone()))
    }

    fn insert(&self, presented: Arc<Presented>) {
        let size = presented.certificate.der().len() * PARSED_SIZE_FACTOR;
        let Ok(mut c) = self.inner.lock() else { return };
        if size > MAX_REMEMBERED_BYTES || c.map.contains_key(&presented.sha256) {
            return;
        }
        while c.map.len() >= MAX_REMEMBERED_CERTIFICATES || c.bytes + size > MAX_REMEMBERED_BYTES {
            let Some(old) = c.order.pop_front() else {
                break;
            };
            if let Some((_, n)) = c.map.remove(&old) {
                c.bytes -= n;
            }
        }
        c.order.push_back(presented.sha256);
        c.bytes += size;
        c.map.insert(presented.sha256, (presented, size));
    }
}

/// Why a login was refused, and whether the assertion was signed by a key the server trusts (a
/// certificate from a trusted CA, or a bound device key): only such a refusal may use up the
/// challenge (an onlooker's garbage must not).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// Why.
    pub error: LoginError,
    /// The signature verified under a certificate issued by a trusted CA, or a bound device key.
    pub signed: bool,
}

impl From<LoginError> for Refusal {
    fn from(error: LoginError) -> Refusal {
        Refusal {
            error,
            signed: false,
        }
    }
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

/// The most challenges a [`MemoryNonceStore`] holds: past it, `put` is refused (anyone can ask
/// for a challenge, so an unbounded store is a way to exhaust memory).
pub const MAX_PENDING_NONCES: usize = 100_000;

/// A [`NonceStore`] in this process's memory, for a single server instance: at most
/// [`MAX_PENDING_NONCES`] challenges, the expired ones dropped through an index by expiry time
/// (never by scanning the live ones).
#[derive(Debug, Default)]
pub struct MemoryNonceStore {
    inner: Mutex<Pending>,
}

#[derive(Debug, Default)]
struct Pending {
    challenges: HashMap<String, Challenge>,
    by_expiry: BTreeSet<(i64, String)>,
}

impl NonceStore for MemoryNonceStore {
    fn put(&self, challenge: &Challenge) -> Result<(), LoginError> {
        let mut pending = self
            .inner
            .lock()
            .map_err(|_| LoginError::Store("poisoned".into()))?;
        let now = OffsetDateTime::now_utc().unix_timestamp();
        while let Some(first) = pending.by_expiry.first() {
            if first.0 >= now {
                break;
            }
            let (_, nonce) = pending.by_expiry.pop_first().unwrap_or_default();
            pending.challenges.remove(&nonce);
        }
        if pending.challenges.len() >= MAX_PENDING_NONCES {
            return Err(LoginError::Store(
                "too many logins in progress; try again in a minute".into(),
            ));
        }
        if let Some(old) = pending
            .challenges
            .insert(challenge.nonce.clone(), challenge.clone())
        {
            pending.by_expiry.remove(&(old.expires_at, old.nonce));
        }
        pending
            .by_expiry
            .insert((challenge.expires_at, challenge.nonce.clone()));
        Ok(())
    }

    fn take(&self, nonce: &str) -> Result<Option<Challenge>, LoginError> {
        let mut pending = self
            .inner
            .lock()
            .map_err(|_| LoginError::Store("poisoned".into()))?;
        let taken = pending.challenges.remove(nonce);
        if let Some(c) = &taken {
            pending.by_expiry.remove(&(c.expires_at, c.nonce.clone()));
        }
        Ok(taken)
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

    /// Checks the parts every login shares, in order: the challenge is fresh, and the signed
    /// client data (already parsed strictly) names this challenge, origin and relying party.
    fn common(
        &self,
        challenge: &Challenge,
        nonce: &str,
        data: &ClientData,
        kind: LoginKind,
        now: i64,
    ) -> Result<(), LoginError> {
        if now > challenge.expires_at {
            return Err(LoginError::Expired);
        }
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
        Ok(())
    }

    /// Checks a card login against its challenge, failing closed at the first problem: see
    /// [`Policy::check_card`], whose refusal this drops to its reason.
    pub fn verify_card(
        &self,
        challenge: &Challenge,
        nonce: &str,
        assertion: &DecodedAssertion,
        now: i64,
    ) -> Result<CardLogin, LoginError> {
        self.check_card(challenge, nonce, assertion, now)
            .map_err(|r| r.error)
    }

    /// Checks a card login, in this order: the client data parses strictly and names the
    /// certificate sent; the certificate chains to a trusted authentication CA; the RSA
    /// signature over the exact bytes verifies (from here the refusal is `signed`); then
    /// freshness, nonce, origin and relying party, validity, revocation (a current CRL is
    /// required), key usage, and not a signing certificate.
    pub fn check_card(
        &self,
        challenge: &Challenge,
        nonce: &str,
        assertion: &DecodedAssertion,
        now: i64,
    ) -> Result<CardLogin, Refusal> {
        let data = ClientData::parse_strict(&assertion.client_data)?;
        if data.kind != LoginKind::Card {
            return Err(LoginError::Malformed("wrong kind of login").into());
        }
        let der = assertion
            .certificate
            .as_deref()
            .ok_or(LoginError::Malformed("a card login needs its certificate"))?;
        let sha256: [u8; 32] = Sha256::digest(der).into();
        if data.cert_sha256.as_deref() != Some(&URL_SAFE_NO_PAD.encode(sha256)) {
            return Err(LoginError::CertificateMismatch.into());
        }
        let (presented, issuer) = self.trusted(der, sha256)?;
        if !presented
            .certificate
            .verify_sha256_message(&assertion.client_data, &assertion.signature)
        {
            return Err(LoginError::BadSignature.into());
        }
        let signed = |error: LoginError| Refusal {
            error,
            signed: true,
        };
        self.common(challenge, nonce, &data, LoginKind::Card, now)
            .map_err(signed)?;
        self.check_certificate(&presented, issuer, now)
            .map_err(signed)?;
        Ok(CardLogin {
            subject: presented.subject.clone(),
            serial: presented.serial.clone(),
            issuer: presented.issuer.clone(),
            device_key: data.device_key_der(),
        })
    }

    /// The certificate `der` (whose SHA-256 is `sha256`) parsed, with the index of the trusted
    /// CA that issued it; remembered only once it is known to come from a trusted CA.
    fn trusted(
        &self,
        der: &[u8],
        sha256: [u8; 32],
    ) -> Result<(Arc<Presented>, &CardCertificate), LoginError> {
        let presented = match self.remembered.get(&sha256) {
            Some(p) => p,
            None => {
                let certificate = CardCertificate::from_der(der)
                    .map_err(|_| LoginError::Malformed("unreadable certificate"))?;
                Arc::new(Presented {
                    sha256,
                    key_usage: certificate.key_usage(),
                    carries_personal_data: certificate.holder().is_some(),
                    role: certificate.role(),
                    subject: certificate.subject(),
                    issuer: certificate.issuer(),
                    serial: certificate.serial_hex(),
                    certificate,
                })
            }
        };
        let issuer = self
            .trust
            .issuer_of_hashed(&presented.certificate, sha256)
            .ok_or(LoginError::UntrustedIssuer)?;
        self.remembered.insert(presented.clone());
        Ok((presented, issuer))
    }

    /// The certificate checks of a card login once its trusted issuer is known: validity at `now`, revocation (a current CRL or OCSP answer saying "not revoked" is required), key usage,
    /// and not a signing certificate.
    fn check_certificate(
        &self,
        presented: &Presented,
        issuer: &CardCertificate,
        now: i64,
    ) -> Result<(), LoginError> {
        let certificate = &presented.certificate;
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
        if usage.contains(&"nonRepudiation")
            || presented.carries_personal_data
            || presented.role == Some(crate::cert::CertificateRole::Signing)
        {
            return Err(LoginError::SigningCertificate);
        }
        Ok(())
    }

    /// Checks again, at `now`, the authentication certificate a device was bound with: a device
    /// login stops working when the card's certificate expires or is revoked.
    pub fn recheck_certificate(&self, der: &[u8], now: i64) -> Result<(), LoginError> {
        let (presented, issuer) = self.trusted(der, Sha256::digest(der).into())?;
        self.check_certificate(&presented, issuer, now)
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
        self.check_device(challenge, nonce, assertion, bound_key, now)
            .map_err(|r| r.error)
    }

    /// [`Policy::verify_device`], in this order: the client data parses strictly and names the
    /// bound key, the ES256 signature (low-S only: the protocol has one encoding per signature)
    /// verifies (from here the refusal is `signed`), then the challenge checks.
    pub fn check_device(
        &self,
        challenge: &Challenge,
        nonce: &str,
        assertion: &DecodedAssertion,
        bound_key: &[u8],
        now: i64,
    ) -> Result<(), Refusal> {
        let data = ClientData::parse_strict(&assertion.client_data)?;
        if data.kind != LoginKind::Device {
            return Err(LoginError::Malformed("wrong kind of login").into());
        }
        if data.device_key_der().as_deref() != Some(bound_key) {
            return Err(LoginError::DeviceUnknown.into());
        }
        let key = p256::ecdsa::VerifyingKey::from_public_key_der(bound_key)
            .map_err(|_| LoginError::DeviceUnknown)?;
        verify_es256_low_s(&key, &assertion.client_data, &assertion.signature)?;
        self.common(challenge, nonce, &data, LoginKind::Device, now)
            .map_err(|error| Refusal {
                error,
                signed: true,
            })
    }
}

/// Verifies an ES256 signature (`r‖s`, 64 bytes) over `message`, refusing a high-S one: its
/// twin `(r, n−s)` verifies too, and accepting both would give every signature two encodings.
pub fn verify_es256_low_s(
    key: &p256::ecdsa::VerifyingKey,
    message: &[u8],
    signature: &[u8],
) -> Result<(), LoginError> {
    let signature =
        p256::ecdsa::Signature::from_slice(signature).map_err(|_| LoginError::BadSignature)?;
    if signature.normalize_s().is_some() {
        return Err(LoginError::BadSignature);
    }
    key.verify(message, &signature)
        .map_err(|_| LoginError::BadSignature)
}

/// The id of a device key: base64url SHA-256 of its SPKI DER.
pub fn device_key_id(spki_der: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(spki_der))
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::FieldBytes;
    use p256::ecdsa::SigningKey;

    /// `r‖(n−s)` for a signature `r‖s`.
    fn twin(signature: &p256::ecdsa::Signature) -> p256::ecdsa::Signature {
        let (r, s) = signature.split_scalars();
        p256::ecdsa::Signature::from_scalars(FieldBytes::from(*r), FieldBytes::from(-*s)).unwrap()
    }

    #[test]
    fn device_assertions_are_low_s_and_their_high_s_twins_are_refused() {
        let key = SigningKey::random(&mut rand::rngs::OsRng);
        let challenge = Challenge::new("rp.example", "https://rp.example", 1000, 60);
        // Signing is randomised by the message; a few tries cover both halves of the range.
        for i in 0..8 {
            let assertion =
                super::super::device_assertion(&key, &challenge, "https://rp.example", 1000 + i);
            let decoded = assertion.decode().unwrap();
            let low = p256::ecdsa::Signature::from_slice(&decoded.signature).unwrap();
            assert!(low.normalize_s().is_none(), "device_assertion signs low-S");
            let vk = key.verifying_key();
            verify_es256_low_s(vk, &decoded.client_data, &decoded.signature).unwrap();
            let high = twin(&low);
            // The twin is mathematically valid: only the low-S rule refuses it.
            assert!(vk.verify(&decoded.client_data, &high).is_ok());
            assert_eq!(
                verify_es256_low_s(vk, &decoded.client_data, &high.to_bytes()),
                Err(LoginError::BadSignature)
            );
        }
    }

    #[test]
    fn the_memory_nonce_store_is_bounded_and_drops_expired_challenges() {
        let store = MemoryNonceStore::default();
        let now = OffsetDateTime::now_utc().unix_timestamp();
        for _ in 0..MAX_PENDING_NONCES {
            store
                .put(&Challenge::new("rp", "https://rp", now - 100, 50))
                .unwrap();
        }
        // All of those expired: the next put drops them and fits.
        let live = Challenge::new("rp", "https://rp", now, 60);
        store.put(&live).unwrap();
        assert_eq!(store.inner.lock().unwrap().challenges.len(), 1);
        for _ in 1..MAX_PENDING_NONCES {
            store
                .put(&Challenge::new("rp", "https://rp", now, 60))
                .unwrap();
        }
        assert!(matches!(
            store.put(&Challenge::new("rp", "https://rp", now, 60)),
            Err(LoginError::Store(_))
        ));
        assert_eq!(store.take(&live.nonce).unwrap(), Some(live.clone()));
        assert_eq!(store.take(&live.nonce).unwrap(), None);
        let pending = store.inner.lock().unwrap();
        assert_eq!(pending.challenges.len(), pending.by_expiry.len());
    }
}
