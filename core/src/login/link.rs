//! Linking a new authentication certificate to a person's account with the signing key.
//!
//! An authentication certificate is renewed every five years and a reissued card has new ones,
//! but a relying party's account — and the identifier its services know the person by — must
//! stay. The card's signing certificate names the holder (name and birth date, in its
//! subjectAltName); a signature made with the signing PIN over the current login's challenge
//! and the new authentication certificate's hash proves that the person holding this card is the
//! one the signing certificate names. The relying party keeps only a keyed hash of name and
//! birth date per account and links the new certificate to the account whose hash matches, as
//! platform operators link certificates.
//!
//! [`link_proof_with`] makes the proof on the card (signing PIN); [`verify_link`] checks it
//! against the signing CAs (chain, validity, revocation, non-repudiation key usage).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use time::{Date, OffsetDateTime};

use super::LoginError;
use super::assertion::{Assertion, DecodedAssertion};
use super::challenge::Challenge;
use super::client_data::{ClientData, LoginKind, VERSION};
use crate::CardError;
use crate::card::{CertSlot, JpkiApp, KeyKind};
use crate::cert::CardCertificate;
use crate::cms::TrustStore;
use crate::cms::trust::CrlAnswer;
use crate::pin::{Pin, PinKind};
use crate::transport::Transport;

/// The holder as a verified link proof's signing certificate names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkedHolder {
    /// Name (family and given, as the certificate writes it).
    pub name: String,
    /// Birth date.
    pub birth_date: Date,
    /// Address, when the certificate states one (released only with the holder's consent).
    pub address: Option<String>,
    /// Sex, when the certificate states one (released only with the holder's consent).
    pub sex: Option<crate::vocabulary::Sex>,
}

/// Makes a link proof on the card: verifies the signing PIN, reads the signing certificate, and
/// signs (with the signing key) client data of kind [`LoginKind::Link`] naming `challenge`,
/// `origin` and the SHA-256 of `auth_certificate` (the authentication certificate of the login
/// it goes with).
pub fn link_proof_with<T: Transport>(
    app: &mut JpkiApp<T>,
    pin: &Pin,
    challenge: &Challenge,
    origin: &str,
    signed_at: i64,
    auth_certificate: &[u8],
) -> Result<Assertion, CardError> {
    if pin.kind() != PinKind::Sign {
        return Err(CardError::PinDoesNotUnlockKey {
            key: KeyKind::Sign,
            given: pin.kind(),
        });
    }
    app.verify_pin(pin)?;
    let certificate = app.certificate(CertSlot::Sign)?;
    let data = ClientData {
        v: VERSION,
        kind: LoginKind::Link,
        nonce: challenge.nonce.clone(),
        origin: origin.to_owned(),
        rp_id: challenge.rp_id.clone(),
        issued_at: challenge.issued_at,
        signed_at,
        cert_sha256: Some(URL_SAFE_NO_PAD.encode(Sha256::digest(certificate.der()))),
        device_key: None,
        links: Some(URL_SAFE_NO_PAD.encode(Sha256::digest(auth_certificate))),
    };
    let bytes = data.to_bytes();
    let hash: [u8; 32] = Sha256::digest(&bytes).into();
    let signature = app.sign_sha256(KeyKind::Sign, &hash)?;
    Ok(Assertion {
        client_data: URL_SAFE_NO_PAD.encode(&bytes),
        signature: URL_SAFE_NO_PAD.encode(signature),
        certificate: Some(URL_SAFE_NO_PAD.encode(certificate.der())),
    })
}

/// Checks a link proof that came with a card login for `challenge` (already verified, with
/// authentication certificate `auth_certificate`): strict client data of kind link naming the
/// same nonce, origin and relying party and that certificate; a signing certificate from a CA
/// of `trust`, valid at `now`, not revoked (a current CRL is required), with non-repudiation
/// key usage; the RSA signature; and a holder name and birth date in the certificate.
pub fn verify_link(
    trust: &TrustStore,
    challenge: &Challenge,
    proof: &DecodedAssertion,
    auth_certificate: &[u8],
    now: i64,
) -> Result<LinkedHolder, LoginError> {
    let data = ClientData::parse_strict(&proof.client_data)?;
    if data.kind != LoginKind::Link {
        return Err(LoginError::Malformed("the link proof is not a link"));
    }
    if data.nonce != challenge.nonce {
        return Err(LoginError::NonceMismatch);
    }
    if data.origin != challenge.origin {
        return Err(LoginError::WrongOrigin {
            origin: data.origin.chars().take(100).collect(),
        });
    }
    if data.rp_id != challenge.rp_id {
        return Err(LoginError::WrongRelyingParty);
    }
    let links = URL_SAFE_NO_PAD.encode(Sha256::digest(auth_certificate));
    if data.links.as_deref() != Some(links.as_str()) {
        return Err(LoginError::CertificateMismatch);
    }
    let der = proof
        .certificate
        .as_deref()
        .ok_or(LoginError::Malformed("a link proof needs its certificate"))?;
    if data.cert_sha256.as_deref() != Some(URL_SAFE_NO_PAD.encode(Sha256::digest(der)).as_str()) {
        return Err(LoginError::CertificateMismatch);
    }
    let certificate = CardCertificate::from_der(der)
        .map_err(|_| LoginError::Malformed("unreadable signing certificate"))?;
    let issuer = trust
        .issuer_of(&certificate)
        .ok_or(LoginError::UntrustedIssuer)?;
    if !certificate.verify_sha256_message(&proof.client_data, &proof.signature) {
        return Err(LoginError::BadSignature);
    }
    let at = OffsetDateTime::from_unix_timestamp(now).map_err(|_| LoginError::Expired)?;
    if at < certificate.not_before() || at > certificate.not_after() {
        return Err(LoginError::CertificateExpired);
    }
    match trust.revocation(&certificate, issuer, at) {
        CrlAnswer::Good { .. } => {}
        CrlAnswer::Revoked(r) => return Err(LoginError::Revoked { on: r.on.date() }),
        CrlAnswer::NoCrl | CrlAnswer::Unknown(_) => return Err(LoginError::RevocationUnknown),
    }
    if !certificate.key_usage().contains(&"nonRepudiation") {
        return Err(LoginError::KeyUsage);
    }
    let holder = certificate.holder().ok_or(LoginError::Malformed(
        "the signing certificate names no holder",
    ))?;
    match (holder.name, holder.birth_date) {
        (Some(name), Some(birth_date)) => Ok(LinkedHolder {
            name,
            birth_date,
            address: holder.address,
            sex: holder.sex,
        }),
        _ => Err(LoginError::Malformed(
            "the signing certificate lacks the name or birth date",
        )),
    }
}
