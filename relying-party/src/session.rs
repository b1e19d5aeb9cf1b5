//! Session tokens: compact ES256 JWS (JWT) signed with the server's P-256 key, assembled by hand
//! with `p256` (the only crypto crate the workspace already trusts), and the key published as JWKS.
//!
//! Several instances behind a load balancer share one key file, so a token made by one is
//! accepted by all.

use std::io::Write as _;
use std::path::Path;

use anyhow::Context;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The longest token accepted for verification (ours are about 600 bytes).
const MAX_TOKEN: usize = 4096;
/// Tolerated clock difference for `iat` in the future, in seconds.
const IAT_SKEW: i64 = 60;

/// What a session token says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// Issuer: the relying party's id.
    pub iss: String,
    /// Audience: the relying party's id.
    pub aud: String,
    /// Subject: the card, by its authentication certificate's issuer and serial ([`subject_id`]).
    pub sub: String,
    /// Issued at (Unix seconds).
    pub iat: i64,
    /// Expires at (Unix seconds).
    pub exp: i64,
    /// How the user authenticated: `card` or `device`.
    pub amr: Vec<String>,
    /// The device key that logged in, or was bound at this card login.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_id: Option<String>,
    /// A unique id for this token.
    pub jti: String,
}

#[derive(Serialize, Deserialize)]
struct Header {
    alg: String,
    typ: String,
    kid: String,
}

/// Why a token was not accepted (the reason goes back to the client).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Not a well-formed compact JWS of ours.
    #[error("malformed token")]
    Malformed,
    /// Signed by another key, or altered.
    #[error("bad token signature")]
    BadSignature,
    /// For another issuer or audience.
    #[error("token is for another relying party")]
    WrongAudience,
    /// Past its expiry (or issued in the future).
    #[error("token expired")]
    Expired,
}

/// The server's session key.
#[derive(Clone)]
pub struct SessionKey {
    key: SigningKey,
    kid: String,
}

impl std::fmt::Debug for SessionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl SessionKey {
    /// Wraps a P-256 signing key.
    pub fn new(key: SigningKey) -> SessionKey {
        let kid = thumbprint(key.verifying_key());
        SessionKey { key, kid }
    }

    /// A fresh random key (for tests).
    pub fn random() -> SessionKey {
        SessionKey::new(SigningKey::random(&mut rand::rngs::OsRng))
    }

    /// Loads the PKCS#8 PEM key at `path`, or makes one and writes it there (mode 0600).
    /// Written to a temporary file and linked into place, so two instances starting at once
    /// end up with the same key and never read a half-written file.
    pub fn load_or_create(path: &Path) -> anyhow::Result<SessionKey> {
        if !path.exists() {
            let key = SigningKey::random(&mut rand::rngs::OsRng);
            let pem = key
                .to_pkcs8_pem(LineEnding::LF)
                .context("cannot encode the session key")?;
            let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
            let dir = dir.unwrap_or(Path::new("."));
            let mut tmp = tempfile::Builder::new()
                .prefix(".session-key")
                .tempfile_in(dir)
                .with_context(|| format!("cannot write a session key in {}", dir.display()))?;
            // tempfile creates files with mode 0600 on Unix.
            tmp.write_all(pem.as_bytes())?;
            tmp.as_file().sync_all()?;
            match std::fs::hard_link(tmp.path(), path) {
                Ok(()) => {
                    tracing::info!(path = %path.display(), "made a new session key");
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => {
                    return Err(e).with_context(|| {
                        format!("cannot write the session key {}", path.display())
                    });
                }
            }
        }
        let pem = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the session key {}", path.display()))?;
        let key = SigningKey::from_pkcs8_pem(&pem)
            .with_context(|| format!("{} is not a P-256 PKCS#8 PEM key", path.display()))?;
        Ok(SessionKey::new(key))
    }

    /// The key id (RFC 7638 thumbprint).
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public key as a JWKS document.
    pub fn jwks(&self) -> serde_json::Value {
        let (x, y) = coordinates(self.key.verifying_key());
        serde_json::json!({
            "keys": [{
                "kty": "EC",
                "crv": "P-256",
                "x": x,
                "y": y,
                "kid": self.kid,
                "alg": "ES256",
                "use": "sig",
            }]
        })
    }

    /// Signs `claims` into a compact JWS.
    pub fn sign(&self, claims: &Claims) -> String {
        let header = Header {
            alg: "ES256".into(),
            typ: "JWT".into(),
            kid: self.kid.clone(),
        };
        let encode = |v: &[u8]| URL_SAFE_NO_PAD.encode(v);
        // Serialising these plain structs cannot fail.
        let header = serde_json::to_vec(&header).unwrap_or_default();
        let claims = serde_json::to_vec(claims).unwrap_or_default();
        let input = format!("{}.{}", encode(&header), encode(&claims));
        let signature: Signature = self.key.sign(input.as_bytes());
        // Low-S, the one encoding `verify` accepts.
        let signature = signature.normalize_s().unwrap_or(signature);
        format!("{input}.{}", encode(&signature.to_bytes()))
    }

    /// Checks a token: shape, algorithm and key id, signature, issuer and audience, expiry.
    pub fn verify(&self, token: &str, rp_id: &str, now: i64) -> Result<Claims, TokenError> {
        if token.len() > MAX_TOKEN {
            return Err(TokenError::Malformed);
        }
        let mut parts = token.split('.');
        let (Some(h), Some(c), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(TokenError::Malformed);
        };
        let decode = |p: &str| URL_SAFE_NO_PAD.decode(p).map_err(|_| TokenError::Malformed);
        let header: Header =
            serde_json::from_slice(&decode(h)?).map_err(|_| TokenError::Malformed)?;
        if header.alg != "ES256" || header.kid != self.kid {
            return Err(TokenError::BadSignature);
        }
        let input = &token[..h.len() + 1 + c.len()];
        // High-S refused: a token has one signature encoding, so it cannot be re-encoded into
        // another valid token (a second `jti`-equal string).
        kazasu_core::login::verify_es256_low_s(
            self.key.verifying_key(),
            input.as_bytes(),
            &decode(s)?,
        )
        .map_err(|_| TokenError::BadSignature)?;
        let claims: Claims =
            serde_json::from_slice(&decode(c)?).map_err(|_| TokenError::Malformed)?;
        if claims.iss != rp_id || claims.aud != rp_id {
            return Err(TokenError::WrongAudience);
        }
        if now >= claims.exp || claims.iat > now + IAT_SKEW {
            return Err(TokenError::Expired);
        }
        Ok(claims)
    }
}

/// The `sub` of a card's session tokens: its certificate's issuer and serial (hex), as
/// `<issuer>#<serial>`. A serial is unique only within one CA, and several CA generations may
/// be trusted at once, so the serial alone could name two people.
pub fn subject_id(issuer: &str, serial: &str) -> String {
    format!("{issuer}#{serial}")
}

/// The serial part of a [`subject_id`].
pub fn serial_of(subject: &str) -> &str {
    subject
        .rsplit_once('#')
        .map_or(subject, |(_, serial)| serial)
}

/// A random token id.
pub fn new_jti() -> String {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

fn coordinates(key: &VerifyingKey) -> (String, String) {
    let point = key.to_encoded_point(false);
    let x = point
        .x()
        .map(|x| URL_SAFE_NO_PAD.encode(x))
        .unwrap_or_default();
    let y = point
        .y()
        .map(|y| URL_SAFE_NO_PAD.encode(y))
        .unwrap_or_default();
    (x, y)
}

/// RFC 7638 thumbprint: SHA-256 of the required members in lexicographic order.
fn thumbprint(key: &VerifyingKey) -> String {
    let (x, y) = coordinates(key);
    let canonical = format!(r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#);
    URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(now: i64) -> Claims {
        Claims {
            iss: "rp".into(),
            aud: "rp".into(),
            sub: "01ab".into(),
            iat: now,
            exp: now + 60,
            amr: vec!["card".into()],
            device_id: None,
            jti: new_jti(),
        }
    }

    #[test]
    fn signs_and_verifies() {
        let key = SessionKey::random();
        let token = key.sign(&claims(1000));
        assert_eq!(
            key.verify(&token, "rp", 1001).unwrap(),
            claims_with_jti(&key, &token)
        );
        assert_eq!(
            key.verify(&token, "other", 1001),
            Err(TokenError::WrongAudience)
        );
        assert_eq!(key.verify(&token, "rp", 1060), Err(TokenError::Expired));
        assert_eq!(
            SessionKey::random().verify(&token, "rp", 1001),
            Err(TokenError::BadSignature)
        );
        let mut tampered = token.clone();
        tampered.insert(token.find('.').unwrap() + 2, 'A');
        assert!(key.verify(&tampered, "rp", 1001).is_err());
        for bad in ["", "a.b", "a.b.c.d", "...", "x.y.z"] {
            assert!(key.verify(bad, "rp", 1001).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_high_s_token_signature_is_refused() {
        use p256::FieldBytes;
        let key = SessionKey::random();
        for _ in 0..8 {
            let token = key.sign(&claims(1000));
            let (input, s) = token.rsplit_once('.').unwrap();
            let signature = Signature::from_slice(&URL_SAFE_NO_PAD.decode(s).unwrap()).unwrap();
            assert!(signature.normalize_s().is_none(), "signed low-S");
            let (r, s) = signature.split_scalars();
            let twin =
                Signature::from_scalars(FieldBytes::from(*r), FieldBytes::from(-*s)).unwrap();
            let forged = format!("{input}.{}", URL_SAFE_NO_PAD.encode(twin.to_bytes()));
            assert_eq!(
                key.verify(&forged, "rp", 1001),
                Err(TokenError::BadSignature)
            );
            assert!(key.verify(&token, "rp", 1001).is_ok());
        }
    }

    fn claims_with_jti(key: &SessionKey, token: &str) -> Claims {
        let c = key.verify(token, "rp", 1001).unwrap();
        Claims {
            jti: c.jti.clone(),
            ..claims(1000)
        }
    }

    #[test]
    fn key_file_is_made_once_and_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.pem");
        let a = SessionKey::load_or_create(&path).unwrap();
        let b = SessionKey::load_or_create(&path).unwrap();
        assert_eq!(a.kid(), b.kid());
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
