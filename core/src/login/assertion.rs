//! The assertion the app sends back: the client data bytes exactly as signed, the signature,
//! and (for a card login) the authentication certificate. Made here on the client side.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::ecdsa::signature::Signer as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::LoginError;
use super::challenge::Challenge;
use super::client_data::{ClientData, LoginKind, MAX_CLIENT_DATA, VERSION};
use crate::CardError;
use crate::card::{CertSlot, JpkiApp, KeyKind, PinStatus};
use crate::pin::{Pin, PinKind};
use crate::transport::Transport;

/// The largest certificate accepted (JPKI's are under 2 KiB).
const MAX_CERTIFICATE: usize = 8192;
/// An RSA-2048 signature, or an ES256 signature (64 bytes r‖s).
const MAX_SIGNATURE: usize = 512;

/// An assertion on the wire (JSON, every field base64url without padding).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assertion {
    /// The client data bytes exactly as signed.
    pub client_data: String,
    /// The signature over them.
    pub signature: String,
    /// The authentication certificate (DER), for card logins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<String>,
}

/// An assertion's fields decoded and size-checked, not yet trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedAssertion {
    /// The signed bytes.
    pub client_data: Vec<u8>,
    /// The signature.
    pub signature: Vec<u8>,
    /// The certificate DER, if any.
    pub certificate: Option<Vec<u8>>,
}

fn field(text: &str, max: usize, what: &'static str) -> Result<Vec<u8>, LoginError> {
    // base64 of `max` bytes is at most 4 * ceil(max / 3) characters: refuse before decoding.
    if text.len() > max.div_ceil(3) * 4 {
        return Err(LoginError::Malformed(what));
    }
    URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|_| LoginError::Malformed(what))
}

impl Assertion {
    /// Decodes the fields, refusing oversized or malformed ones (before any challenge is touched).
    pub fn decode(&self) -> Result<DecodedAssertion, LoginError> {
        Ok(DecodedAssertion {
            client_data: field(
                &self.client_data,
                MAX_CLIENT_DATA,
                "client_data is not base64url or is too large",
            )?,
            signature: field(
                &self.signature,
                MAX_SIGNATURE,
                "signature is not base64url or is too large",
            )?,
            certificate: self
                .certificate
                .as_deref()
                .map(|c| {
                    field(
                        c,
                        MAX_CERTIFICATE,
                        "certificate is not base64url or is too large",
                    )
                })
                .transpose()?,
        })
    }
}

/// Logs in with the card: checks the authentication PIN is not locked (nothing is sent if it is),
/// verifies it, writes the client data for `challenge` (binding `device_key`, a P-256 SPKI DER,
/// if given) and has the card sign its SHA-256 with the authentication key.
///
/// `origin` is the origin the app itself connected to (scheme, host, port), not the one the
/// challenge claims: a phishing site relaying a real challenge is caught by the server.
pub fn card_assertion<T: Transport>(
    transport: T,
    pin: &Pin,
    challenge: &Challenge,
    origin: &str,
    signed_at: i64,
    device_key: Option<&[u8]>,
) -> Result<Assertion, CardError> {
    auth_pin_only(pin)?;
    let mut app = JpkiApp::select(transport)?;
    if app.pin_status(PinKind::Auth)? == PinStatus::Locked {
        return Err(CardError::PinLocked {
            kind: PinKind::Auth,
        });
    }
    card_assertion_with(&mut app, pin, challenge, origin, signed_at, device_key)
}

/// [`card_assertion`] for a front end that has already selected the application and read the
/// authentication PIN's status (to show the tries left before asking for the PIN, and to refuse
/// a locked PIN unsent): reads the certificate, verifies the PIN and signs, with no second look
/// at the status.
pub fn card_assertion_with<T: Transport>(
    app: &mut JpkiApp<T>,
    pin: &Pin,
    challenge: &Challenge,
    origin: &str,
    signed_at: i64,
    device_key: Option<&[u8]>,
) -> Result<Assertion, CardError> {
    auth_pin_only(pin)?;
    let certificate = match app.certificate(CertSlot::Auth) {
        Ok(certificate) => {
            app.verify_pin(pin)?;
            certificate
        }
        // Phone-embedded certificates (JPKIAPGPSETOKEN) show the authentication certificate
        // only after the authentication PIN.
        Err(CardError::PinRequired {
            kind: PinKind::Auth,
        }) => {
            app.verify_pin(pin)?;
            app.certificate(CertSlot::Auth)?
        }
        Err(e) => return Err(e),
    };
    let data = ClientData {
        v: VERSION,
        kind: LoginKind::Card,
        nonce: challenge.nonce.clone(),
        origin: origin.to_owned(),
        rp_id: challenge.rp_id.clone(),
        issued_at: challenge.issued_at,
        signed_at,
        cert_sha256: Some(URL_SAFE_NO_PAD.encode(Sha256::digest(certificate.der()))),
        device_key: device_key.map(|k| URL_SAFE_NO_PAD.encode(k)),
        links: None,
    };
    let bytes = data.to_bytes();
    let hash: [u8; 32] = Sha256::digest(&bytes).into();
    // The core checks the card's signature against the certificate before returning it.
    let signature = app.sign_sha256(KeyKind::Auth, &hash)?;
    Ok(Assertion {
        client_data: URL_SAFE_NO_PAD.encode(&bytes),
        signature: URL_SAFE_NO_PAD.encode(signature),
        certificate: Some(URL_SAFE_NO_PAD.encode(certificate.der())),
    })
}

/// Only the authentication PIN unlocks the key a login signs with.
fn auth_pin_only(pin: &Pin) -> Result<(), CardError> {
    if pin.kind() == PinKind::Auth {
        Ok(())
    } else {
        Err(CardError::PinDoesNotUnlockKey {
            key: KeyKind::Auth,
            given: pin.kind(),
        })
    }
}

/// Logs in again with a device key bound at an earlier card login (ES256 over the client data);
/// `origin` as for [`card_assertion`].
pub fn device_assertion(
    key: &p256::ecdsa::SigningKey,
    challenge: &Challenge,
    origin: &str,
    signed_at: i64,
) -> Assertion {
    use p256::pkcs8::EncodePublicKey;
    let spki = key
        .verifying_key()
        .to_public_key_der()
        .expect("a P-256 key encodes");
    let data = ClientData {
        v: VERSION,
        kind: LoginKind::Device,
        nonce: challenge.nonce.clone(),
        origin: origin.to_owned(),
        rp_id: challenge.rp_id.clone(),
        issued_at: challenge.issued_at,
        signed_at,
        cert_sha256: None,
        device_key: Some(URL_SAFE_NO_PAD.encode(spki.as_bytes())),
        links: None,
    };
    let bytes = data.to_bytes();
    let signature: p256::ecdsa::Signature = key.sign(&bytes);
    // Low-S: the verifier refuses the other of the two encodings of a signature.
    let signature = signature.normalize_s().unwrap_or(signature);
    Assertion {
        client_data: URL_SAFE_NO_PAD.encode(&bytes),
        signature: URL_SAFE_NO_PAD.encode(signature.to_bytes()),
        certificate: None,
    }
}
