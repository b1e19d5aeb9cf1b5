//! What the app signs: a small JSON document it writes itself, naming the challenge, the origin,
//! the time, the certificate, and optionally a device key to bind. The verifier checks the exact
//! bytes that were signed, parsed strictly.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use super::LoginError;

/// The only version of the client data.
pub const VERSION: u8 = 1;
/// The largest client data accepted (a device key included, it is about 400 bytes).
pub const MAX_CLIENT_DATA: usize = 2048;

/// What the client data is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LoginKind {
    /// Signed by the card's authentication key.
    #[serde(rename = "kazasu.login.card")]
    Card,
    /// Signed by a device key bound at an earlier card login.
    #[serde(rename = "kazasu.login.device")]
    Device,
    /// Signed by the card's signing key: the holder's proof that links a new authentication
    /// certificate to their account (see [`crate::login::link`]).
    #[serde(rename = "kazasu.link.sign")]
    Link,
}

/// The signed statement of a login.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientData {
    /// Always [`VERSION`].
    pub v: u8,
    /// Card or device login.
    #[serde(rename = "type")]
    pub kind: LoginKind,
    /// The challenge's nonce.
    pub nonce: String,
    /// The origin the app believes it talks to.
    pub origin: String,
    /// The relying party's id.
    pub rp_id: String,
    /// When the challenge was issued (copied from it).
    pub issued_at: i64,
    /// When the app signed (Unix seconds).
    pub signed_at: i64,
    /// SHA-256 of the authentication certificate, base64url (card logins).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_sha256: Option<String>,
    /// A P-256 public key made on the device (SPKI DER, base64url), to bind (card logins) or
    /// that signed (device logins).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_key: Option<String>,
    /// SHA-256 (base64url) of the authentication certificate a link proof links (link proofs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub links: Option<String>,
}

impl ClientData {
    /// The bytes to sign (compact JSON).
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("client data serialises")
    }

    /// Parses signed bytes strictly: size limit, UTF-8 JSON, no unknown or duplicate fields,
    /// the right version, and well-formed base64url fields.
    pub fn parse_strict(bytes: &[u8]) -> Result<ClientData, LoginError> {
        if bytes.len() > MAX_CLIENT_DATA {
            return Err(LoginError::Malformed("the client data is too large"));
        }
        let data: ClientData = serde_json::from_slice(bytes)
            .map_err(|_| LoginError::Malformed("the client data is not the expected JSON"))?;
        if data.v != VERSION {
            return Err(LoginError::Malformed("unknown client data version"));
        }
        // Re-serialising must give the same bytes: no whitespace games, no reordering.
        if data.to_bytes() != bytes {
            return Err(LoginError::Malformed(
                "the client data is not in canonical form",
            ));
        }
        for field in [&data.cert_sha256, &data.device_key, &data.links]
            .into_iter()
            .flatten()
        {
            if URL_SAFE_NO_PAD.decode(field).is_err() {
                return Err(LoginError::Malformed(
                    "a client data field is not base64url",
                ));
            }
        }
        Ok(data)
    }

    /// The device key's SPKI DER, if one is named.
    pub fn device_key_der(&self) -> Option<Vec<u8>> {
        self.device_key
            .as_ref()
            .and_then(|k| URL_SAFE_NO_PAD.decode(k).ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> ClientData {
        ClientData {
            v: 1,
            kind: LoginKind::Card,
            nonce: "n".repeat(43),
            origin: "https://rp.example".into(),
            rp_id: "rp.example".into(),
            issued_at: 1,
            signed_at: 2,
            cert_sha256: Some("AAAA".into()),
            device_key: None,
            links: None,
        }
    }

    #[test]
    fn round_trips_exactly() {
        let bytes = sample().to_bytes();
        assert_eq!(ClientData::parse_strict(&bytes).unwrap(), sample());
    }

    #[test]
    fn refuses_anything_but_the_canonical_bytes() {
        let good = String::from_utf8(sample().to_bytes()).unwrap();
        for bad in [
            good.replace("{\"v\"", "{ \"v\""),
            good.replace("}", ",\"extra\":1}"),
            good.replace("\"v\":1", "\"v\":2"),
            good.replace("kazasu.login.card", "webauthn.get"),
            good.replace("\"v\":1,", "\"v\":1,\"v\":1,"),
            good.replace("AAAA", "A+A/"),
            "[]".to_owned(),
            "x".repeat(MAX_CLIENT_DATA + 1),
        ] {
            assert!(ClientData::parse_strict(bad.as_bytes()).is_err(), "{bad}");
        }
    }
}
