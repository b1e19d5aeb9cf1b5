//! Where the server keeps what must outlive one request: issued challenges (each taken exactly
//! once), the status of cross-device logins, and device bindings. One trait, two stores: this
//! process's memory for a single instance, Redis for several instances behind a load balancer.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use kazasu_core::login::Challenge;
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;

/// The store could not answer (the reason is short and safe to show).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("store unavailable: {0}")]
pub struct StoreError(pub String);

/// Where a cross-device login stands, as the browser polls it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Status {
    /// Waiting for the card.
    Pending,
    /// The card login arrived; the token is handed out once through [`Store::take_token`].
    LoggedIn {
        /// The authentication certificate's serial.
        serial: String,
    },
    /// The login was refused.
    Failed {
        /// Why.
        reason: String,
    },
}

/// A device key bound at a card login.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceBinding {
    /// The card (authentication certificate serial) the device acts for.
    pub serial: String,
    /// The device's P-256 public key, SPKI DER in base64url.
    pub spki: String,
    /// When it was bound (Unix seconds).
    pub created: i64,
    /// Revoked by the user or the server: device logins with it are refused.
    pub revoked: bool,
    /// The authentication certificate (DER, base64url) of the card login that bound it: every
    /// device login checks it again, so the device stops when the card is revoked or expires.
    #[serde(default)]
    pub certificate: Option<String>,
}

/// The server's shared state. Every method is one atomic step in the backing store.
#[async_trait]
pub trait Store: Send + Sync {
    /// Remembers a new challenge for `ttl`; a nonce already present is an error.
    async fn put_challenge(&self, challenge: &Challenge, ttl: Duration) -> Result<(), StoreError>;
    /// Removes and returns a challenge: of two concurrent callers, only one gets it.
    async fn take_challenge(&self, nonce: &str) -> Result<Option<Challenge>, StoreError>;
    /// Returns a challenge without taking it.
    async fn peek_challenge(&self, nonce: &str) -> Result<Option<Challenge>, StoreError>;
    /// Sets the status of the login started with `nonce` for `ttl`; with a token for a
    /// `LoggedIn` status, to be handed out once.
    async fn set_status(
        &self,
        nonce: &str,
        status: &Status,
        token: Option<&str>,
        ttl: Duration,
    ) -> Result<(), StoreError>;
    /// The status of the login started with `nonce`.
    async fn get_status(&self, nonce: &str) -> Result<Option<Status>, StoreError>;
    /// Removes and returns the token of a finished login: handed out once.
    async fn take_token(&self, nonce: &str) -> Result<Option<String>, StoreError>;
    /// Binds a device; an existing binding (even a revoked one) is kept: returns whether it bound.
    async fn put_device(&self, id: &str, binding: &DeviceBinding) -> Result<bool, StoreError>;
    /// The binding of a device.
    async fn get_device(&self, id: &str) -> Result<Option<DeviceBinding>, StoreError>;
    /// Revokes a device binding for good; returns whether there was one.
    async fn revoke_device(&self, id: &str) -> Result<bool, StoreError>;
}

struct Expiring<T> {
    value: T,
    until: Instant,
}

impl<T> Expiring<T> {
    fn new(value: T, ttl: Duration) -> Self {
        Expiring {
            value,
            until: Instant::now() + ttl,
        }
    }
    fn live(&self) -> bool {
        Instant::now() < self.until
    }
}

#[derive(Default)]
struct Maps {
    challenges: HashMap<String, Expiring<Challenge>>,
    statuses: HashMap<String, Expiring<Status>>,
    tokens: HashMap<String, Expiring<String>>,
    devices: HashMap<String, DeviceBinding>,
}

impl Maps {
    fn purge(&mut self) {
        self.challenges.retain(|_, e| e.live());
        self.statuses.retain(|_, e| e.live());
        self.tokens.retain(|_, e| e.live());
    }
}

/// A [`Store`] in this process's memory: for a single instance (restarts forget everything).
#[derive(Default)]
pub struct MemoryStore {
    maps: Mutex<Maps>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }
}

fn live<T: Clone>(entry: Option<&Expiring<T>>) -> Option<T> {
    entry.filter(|e| e.live()).map(|e| e.value.clone())
}

/// Removes `key` and returns its value if it had not expired: a single-use read.
fn take_live<T>(map: &mut HashMap<String, Expiring<T>>, key: &str) -> Option<T> {
    map.remove(key).filter(|e| e.live()).map(|e| e.value)
}

#[async_trait]
impl Store for MemoryStore {
    async fn put_challenge(&self, challenge: &Challenge, ttl: Duration) -> Result<(), StoreError> {
        let mut maps = self.maps.lock().await;
        maps.purge();
        if maps.challenges.contains_key(&challenge.nonce) {
            return Err(StoreError("nonce already in use".into()));
        }
        maps.challenges.insert(
            challenge.nonce.clone(),
            Expiring::new(challenge.clone(), ttl),
        );
        Ok(())
    }

    async fn take_challenge(&self, nonce: &str) -> Result<Option<Challenge>, StoreError> {
        Ok(take_live(&mut self.maps.lock().await.challenges, nonce))
    }

    async fn peek_challenge(&self, nonce: &str) -> Result<Option<Challenge>, StoreError> {
        Ok(live(self.maps.lock().await.challenges.get(nonce)))
    }

    async fn set_status(
        &self,
        nonce: &str,
        status: &Status,
        token: Option<&str>,
        ttl: Duration,
    ) -> Result<(), StoreError> {
        let mut maps = self.maps.lock().await;
        maps.purge();
        if let Some(token) = token {
            maps.tokens
                .insert(nonce.to_owned(), Expiring::new(token.to_owned(), ttl));
        }
        maps.statuses
            .insert(nonce.to_owned(), Expiring::new(status.clone(), ttl));
        Ok(())
    }

    async fn get_status(&self, nonce: &str) -> Result<Option<Status>, StoreError> {
        Ok(live(self.maps.lock().await.statuses.get(nonce)))
    }

    async fn take_token(&self, nonce: &str) -> Result<Option<String>, StoreError> {
        Ok(take_live(&mut self.maps.lock().await.tokens, nonce))
    }

    async fn put_device(&self, id: &str, binding: &DeviceBinding) -> Result<bool, StoreError> {
        let mut maps = self.maps.lock().await;
        if maps.devices.contains_key(id) {
            return Ok(false);
        }
        maps.devices.insert(id.to_owned(), binding.clone());
        Ok(true)
    }

    async fn get_device(&self, id: &str) -> Result<Option<DeviceBinding>, StoreError> {
        Ok(self.maps.lock().await.devices.get(id).cloned())
    }

    async fn revoke_device(&self, id: &str) -> Result<bool, StoreError> {
        let mut maps = self.maps.lock().await;
        Ok(maps.devices.get_mut(id).map(|b| b.revoked = true).is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn challenges_are_taken_once_and_expire() {
        let store = MemoryStore::new();
        let c = Challenge::new("rp", "https://rp", 0, 60);
        store
            .put_challenge(&c, Duration::from_secs(60))
            .await
            .unwrap();
        assert!(
            store
                .put_challenge(&c, Duration::from_secs(60))
                .await
                .is_err()
        );
        assert_eq!(
            store.peek_challenge(&c.nonce).await.unwrap(),
            Some(c.clone())
        );
        assert_eq!(
            store.take_challenge(&c.nonce).await.unwrap(),
            Some(c.clone())
        );
        assert_eq!(store.take_challenge(&c.nonce).await.unwrap(), None);
        let d = Challenge::new("rp", "https://rp", 0, 60);
        store.put_challenge(&d, Duration::ZERO).await.unwrap();
        assert_eq!(store.take_challenge(&d.nonce).await.unwrap(), None);
    }

    #[tokio::test]
    async fn tokens_are_handed_out_once_and_devices_stay_revoked() {
        let store = MemoryStore::new();
        let st = Status::LoggedIn {
            serial: "01".into(),
        };
        store
            .set_status("n", &st, Some("tok"), Duration::from_secs(60))
            .await
            .unwrap();
        assert_eq!(store.get_status("n").await.unwrap(), Some(st));
        assert_eq!(store.take_token("n").await.unwrap().as_deref(), Some("tok"));
        assert_eq!(store.take_token("n").await.unwrap(), None);
        let b = DeviceBinding {
            serial: "01".into(),
            spki: "AA".into(),
            created: 0,
            revoked: false,
            certificate: None,
        };
        assert!(store.put_device("d", &b).await.unwrap());
        assert!(store.revoke_device("d").await.unwrap());
        assert!(!store.put_device("d", &b).await.unwrap());
        assert!(store.get_device("d").await.unwrap().unwrap().revoked);
        assert!(!store.revoke_device("x").await.unwrap());
    }
}
