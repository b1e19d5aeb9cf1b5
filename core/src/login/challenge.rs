//! The relying party's challenge: a single-use random nonce bound to its id and origin, with an expiry.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use serde::{Deserialize, Serialize};

/// Length of a nonce in bytes (256 bits: unguessable, and a fine key for a store).
pub const NONCE_BYTES: usize = 32;

/// A login challenge as the relying party issues it and the app receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Challenge {
    /// 32 random bytes, base64url without padding: also the challenge's id.
    pub nonce: String,
    /// The relying party's id (its domain), e.g. `login.example.jp`.
    pub rp_id: String,
    /// The origin the login must come from, e.g. `https://login.example.jp`.
    pub origin: String,
    /// When it was issued (Unix seconds).
    pub issued_at: i64,
    /// When it stops being accepted (Unix seconds).
    pub expires_at: i64,
}

impl Challenge {
    /// A fresh challenge with a random nonce, valid for `ttl_seconds` from `now`.
    pub fn new(rp_id: &str, origin: &str, now: i64, ttl_seconds: i64) -> Challenge {
        let mut nonce = [0u8; NONCE_BYTES];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        Challenge {
            nonce: URL_SAFE_NO_PAD.encode(nonce),
            rp_id: rp_id.to_owned(),
            origin: origin.to_owned(),
            issued_at: now,
            expires_at: now + ttl_seconds,
        }
    }

    /// True when `text` has the shape of a nonce (43 base64url characters for 32 bytes).
    pub fn is_nonce(text: &str) -> bool {
        text.len() == 43
            && URL_SAFE_NO_PAD
                .decode(text)
                .is_ok_and(|b| b.len() == NONCE_BYTES)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_are_random_and_well_formed() {
        let a = Challenge::new("rp.example", "https://rp.example", 1000, 120);
        let b = Challenge::new("rp.example", "https://rp.example", 1000, 120);
        assert_ne!(a.nonce, b.nonce);
        assert!(Challenge::is_nonce(&a.nonce));
        assert_eq!(a.expires_at, 1120);
        assert!(!Challenge::is_nonce("short"));
        assert!(!Challenge::is_nonce(&"A".repeat(44)));
    }
}
