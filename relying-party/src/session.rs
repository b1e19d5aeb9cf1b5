//! Session tokens: compact ES256 JWS (JWT) signed with the server's P-256 key through
//! `jsonwebtoken` (RustCrypto backend, no OpenSSL), and the key published as JWKS. The same key
//! signs the OpenID Connect ID tokens and access tokens ([`SessionKey::sign_claims`]).
//!
//! Several instances behind a load balancer share one key file, so a token made by one is
//! accepted by all.

use std::io::Write as _;
use std::path::Path;

use anyhow::Context;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::{Jwk, JwkSet, PublicKeyUse, ThumbprintHash};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use p256::ecdsa::{Signature, SigningKey};
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use rand::RngCore;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// The longest token accepted for verification (ours are about 600 bytes).
pub const MAX_TOKEN: usize = 4096;
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
    /// The server could not sign (its key is unusable): not the client's doing.
    #[error("cannot sign a token")]
    Signing,
}

/// The server's session key.
#[derive(Clone)]
pub struct SessionKey {
    encoding: EncodingKey,
    decoding: DecodingKey,
    jwk: Jwk,
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
    pub fn new(key: SigningKey) -> anyhow::Result<SessionKey> {
        let der = key
            .to_pkcs8_der()
            .context("cannot encode the session key")?;
        let encoding = EncodingKey::from_ec_der(der.as_bytes());
        let mut jwk = Jwk::from_encoding_key(&encoding, Algorithm::ES256)
            .context("cannot describe the session key as a JWK")?;
        let kid = jwk.thumbprint(ThumbprintHash::SHA256);
        jwk.common.key_id = Some(kid.clone());
        jwk.common.public_key_use = Some(PublicKeyUse::Signature);
        let decoding = DecodingKey::from_jwk(&jwk).context("cannot read back the session key")?;
        Ok(SessionKey {
            encoding,
            decoding,
            jwk,
            kid,
        })
    }

    /// A fresh random key (for tests).
    pub fn random() -> SessionKey {
        // A fresh P-256 key always encodes.
        #[allow(clippy::expect_used)]
        SessionKey::new(SigningKey::random(&mut rand::rngs::OsRng)).expect("a fresh P-256 key")
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
            write_secret_once(path, pem.as_bytes(), ".session-key")?;
        }
        let pem = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the session key {}", path.display()))?;
        let key = SigningKey::from_pkcs8_pem(&pem)
            .with_context(|| format!("{} is not a P-256 PKCS#8 PEM key", path.display()))?;
        SessionKey::new(key)
    }

    /// The key id (RFC 7638 thumbprint).
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public key as a JWKS document.
    pub fn jwks(&self) -> serde_json::Value {
        let set = JwkSet {
            keys: vec![self.jwk.clone()],
        };
        serde_json::to_value(set).unwrap_or_default()
    }

    /// Signs `claims` into a compact JWS.
    pub fn sign(&self, claims: &Claims) -> Result<String, TokenError> {
        self.sign_claims("JWT", claims)
    }

    /// Signs any claims into a compact ES256 JWS with this key's id and header `typ`. The
    /// signature is made low-S, the one encoding [`SessionKey::verify_claims`] accepts.
    pub fn sign_claims<T: Serialize>(&self, typ: &str, claims: &T) -> Result<String, TokenError> {
        let mut header = Header::new(Algorithm::ES256);
        header.typ = Some(typ.to_owned());
        header.kid = Some(self.kid.clone());
        let token = jsonwebtoken::encode(&header, claims, &self.encoding)
            .map_err(|_| TokenError::Signing)?;
        let (input, signature) = token.rsplit_once('.').ok_or(TokenError::Signing)?;
        let bytes = URL_SAFE_NO_PAD
            .decode(signature)
            .map_err(|_| TokenError::Signing)?;
        let signature = Signature::from_slice(&bytes).map_err(|_| TokenError::Signing)?;
        Ok(match signature.normalize_s() {
            Some(low) => format!("{input}.{}", URL_SAFE_NO_PAD.encode(low.to_bytes())),
            None => token,
        })
    }

    /// Checks a token: shape, algorithm and key id, signature, issuer and audience, expiry.
    pub fn verify(&self, token: &str, rp_id: &str, now: i64) -> Result<Claims, TokenError> {
        let claims: Claims = self.verify_claims(token, "JWT")?;
        if claims.iss != rp_id || claims.aud != rp_id {
            return Err(TokenError::WrongAudience);
        }
        if now >= claims.exp || claims.iat > now + IAT_SKEW {
            return Err(TokenError::Expired);
        }
        Ok(claims)
    }

    /// Checks a token's shape, header (`ES256`, this key's id, header `typ`) and signature
    /// (low-S only) and returns its claims; the caller checks what they say (issuer, audience,
    /// times), against its own clock.
    pub fn verify_claims<T: DeserializeOwned>(
        &self,
        token: &str,
        typ: &str,
    ) -> Result<T, TokenError> {
        if token.len() > MAX_TOKEN || token.split('.').count() != 3 {
            return Err(TokenError::Malformed);
        }
        let header = jsonwebtoken::decode_header(token).map_err(|_| TokenError::Malformed)?;
        if header.alg != Algorithm::ES256
            || header.kid.as_deref() != Some(self.kid.as_str())
            || header.typ.as_deref() != Some(typ)
        {
            return Err(TokenError::BadSignature);
        }
        // High-S refused: a token has one signature encoding, so it cannot be re-encoded into
        // another valid token (a second `jti`-equal string).
        let signature = token.rsplit('.').next().unwrap_or_default();
        let bytes = URL_SAFE_NO_PAD
            .decode(signature)
            .map_err(|_| TokenError::Malformed)?;
        let signature = Signature::from_slice(&bytes).map_err(|_| TokenError::BadSignature)?;
        if signature.normalize_s().is_some() {
            return Err(TokenError::BadSignature);
        }
        let mut validation = Validation::new(Algorithm::ES256);
        // Times, issuer and audience are the caller's to check, against its clock.
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        jsonwebtoken::decode::<T>(token, &self.decoding, &validation)
            .map(|data| data.claims)
            .map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::InvalidSignature => TokenError::BadSignature,
                _ => TokenError::Malformed,
            })
    }
}

/// Writes a new secret file at `path` (mode 0600) unless one is there: through a temporary file
/// linked into place, so two instances starting at once end up with the same secret and never
/// read a half-written file.
pub fn write_secret_once(path: &Path, bytes: &[u8], prefix: &str) -> anyhow::Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    let dir = dir.unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(prefix)
        .tempfile_in(dir)
        .with_context(|| format!("cannot write a secret in {}", dir.display()))?;
    // tempfile creates files with mode 0600 on Unix.
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    match std::fs::hard_link(tmp.path(), path) {
        Ok(()) => {
            tracing::info!(path = %path.display(), "made a new secret key file");
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e).with_context(|| format!("cannot write {}", path.display())),
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
        let token = key.sign(&claims(1000)).unwrap();
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
            let token = key.sign(&claims(1000)).unwrap();
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
