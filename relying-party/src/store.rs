//! Where the server keeps what must outlive one request: issued challenges (each taken exactly
//! once), the status of cross-device logins, and device bindings. One trait, two stores: this
//! process's memory for a single instance, Redis for several instances behind a load balancer.
//!
//! Anyone can ask for a challenge, so everything kept per request is bounded: every entry
//! expires (an index by expiry time drops the expired ones without scanning the rest), and the
//! memory store holds at most [`MAX_CHALLENGES`] challenges and [`MAX_STATUSES`] statuses
//! (and as many bytes as [`MAX_CHALLENGE_BYTES`] and [`MAX_STATUS_BYTES`] say). When it is
//! full a new challenge is refused with [`StoreError::Full`] (HTTP 503) rather than evicting
//! one: evicting would let a flood of requests cancel the logins people are in the middle of.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use kazasu_core::login::Challenge;
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;

/// The most challenges the memory store keeps at once (pending or in their grace period).
pub const MAX_CHALLENGES: usize = 100_000;
/// The most bytes of challenges the memory store keeps (each counted as its JSON plus
/// [`ENTRY_OVERHEAD`]).
pub const MAX_CHALLENGE_BYTES: usize = 64 * 1024 * 1024;
/// The most login statuses (and as many session tokens waiting for their browser) the memory
/// store keeps at once.
pub const MAX_STATUSES: usize = 100_000;
/// The most bytes of statuses, and separately of tokens, the memory store keeps.
pub const MAX_STATUS_BYTES: usize = 128 * 1024 * 1024;
/// The most OpenID Connect records (authorization requests, codes, used client-assertion ids)
/// the memory store keeps at once.
pub const MAX_RECORDS: usize = 100_000;
/// The most bytes of such records the memory store keeps.
pub const MAX_RECORD_BYTES: usize = 64 * 1024 * 1024;
/// What one entry is counted for beyond its key and JSON: the map slot and the expiry index.
pub const ENTRY_OVERHEAD: usize = 128;

/// The store could not answer, or is full.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// The backing store failed (the reason is short and safe to show).
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// As many logins are in progress as the store is allowed to hold: try again shortly.
    #[error("too many logins are in progress; try again in a minute")]
    Full,
}

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

/// A cross-device login's status and the browser it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusRecord {
    /// Where it stands.
    pub status: Status,
    /// SHA-256 (base64url) of the secret the browser that asked for the challenge holds (an
    /// HttpOnly cookie): only a poller with it sees more than pending or done.
    pub browser: String,
}

/// A device key bound at a card login.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceBinding {
    /// The card (authentication certificate serial) the device acts for.
    pub serial: String,
    /// The card as session tokens name it (issuer and serial: see
    /// [`crate::session::subject_id`]).
    #[serde(default)]
    pub subject: String,
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
    /// Remembers a new challenge for `ttl`; a nonce already present is an error, and so is a
    /// full store ([`StoreError::Full`]).
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
        status: &StatusRecord,
        token: Option<&str>,
        ttl: Duration,
    ) -> Result<(), StoreError>;
    /// The status of the login started with `nonce`.
    async fn get_status(&self, nonce: &str) -> Result<Option<StatusRecord>, StoreError>;
    /// Removes and returns the token of a finished login: handed out once.
    async fn take_token(&self, nonce: &str) -> Result<Option<String>, StoreError>;
    /// Binds a device; an existing binding (even a revoked one) is kept: returns whether it bound.
    async fn put_device(&self, id: &str, binding: &DeviceBinding) -> Result<bool, StoreError>;
    /// The binding of a device.
    async fn get_device(&self, id: &str) -> Result<Option<DeviceBinding>, StoreError>;
    /// Revokes a device binding for good; returns whether there was one.
    async fn revoke_device(&self, id: &str) -> Result<bool, StoreError>;
    /// Keeps `value` under `kind`/`key` unless something is there already (atomically: of two
    /// concurrent callers, one stores); for `ttl`, or for good with `None` (accounts, made only
    /// by a verified card login). Returns whether it stored.
    async fn put_new(
        &self,
        kind: &str,
        key: &str,
        value: &str,
        ttl: Option<Duration>,
    ) -> Result<bool, StoreError>;
    /// Sets `kind`/`key` to `value`, replacing what was there (`ttl` as for [`Store::put_new`]).
    async fn put(
        &self,
        kind: &str,
        key: &str,
        value: &str,
        ttl: Option<Duration>,
    ) -> Result<(), StoreError>;
    /// The value under `kind`/`key`.
    async fn get(&self, kind: &str, key: &str) -> Result<Option<String>, StoreError>;
    /// Removes and returns the value under `kind`/`key`: of two concurrent callers, one gets it.
    async fn take(&self, kind: &str, key: &str) -> Result<Option<String>, StoreError>;
}

/// How much the memory store may hold: [`Limits::default`] is the `MAX_*` constants; tests
/// use small ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// At most this many challenges.
    pub challenges: usize,
    /// At most this many bytes of challenges.
    pub challenge_bytes: usize,
    /// At most this many statuses (and tokens).
    pub statuses: usize,
    /// At most this many bytes of statuses (and, separately, of tokens).
    pub status_bytes: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            challenges: MAX_CHALLENGES,
            challenge_bytes: MAX_CHALLENGE_BYTES,
            statuses: MAX_STATUSES,
            status_bytes: MAX_STATUS_BYTES,
        }
    }
}

struct Slot<T> {
    value: T,
    until: Instant,
    seq: u64,
    bytes: usize,
}

/// A map whose entries expire, bounded in count and bytes, with an index by expiry time so
/// that dropping the expired entries never scans the live ones.
struct Bounded<T> {
    entries: HashMap<String, Slot<T>>,
    expiry: BTreeMap<(Instant, u64), String>,
    seq: u64,
    bytes: usize,
    max_count: usize,
    max_bytes: usize,
}

impl<T: Clone + Serialize> Bounded<T> {
    fn new(max_count: usize, max_bytes: usize) -> Self {
        Bounded {
            entries: HashMap::new(),
            expiry: BTreeMap::new(),
            seq: 0,
            bytes: 0,
            max_count,
            max_bytes,
        }
    }

    /// Drops the entries that expired by `now`, oldest first, stopping at the first live one.
    fn purge(&mut self, now: Instant) {
        while let Some(entry) = self.expiry.first_entry() {
            if entry.key().0 > now {
                break;
            }
            let key = entry.remove();
            if let Some(slot) = self.entries.remove(&key) {
                self.bytes -= slot.bytes;
            }
        }
    }

    fn remove(&mut self, key: &str) -> Option<Slot<T>> {
        let slot = self.entries.remove(key)?;
        self.expiry.remove(&(slot.until, slot.seq));
        self.bytes -= slot.bytes;
        Some(slot)
    }

    /// Inserts or replaces `key`; refused with [`StoreError::Full`] if it does not fit.
    fn insert(&mut self, key: &str, value: T, ttl: Duration) -> Result<(), StoreError> {
        let now = Instant::now();
        self.purge(now);
        let bytes =
            key.len() + serde_json::to_string(&value).map_or(0, |j| j.len()) + ENTRY_OVERHEAD;
        let old = self.remove(key);
        if self.entries.len() >= self.max_count || self.bytes + bytes > self.max_bytes {
            if let Some(old) = old {
                // Put back what was there: a refused update changes nothing.
                self.expiry.insert((old.until, old.seq), key.to_owned());
                self.bytes += old.bytes;
                self.entries.insert(key.to_owned(), old);
            }
            return Err(StoreError::Full);
        }
        self.seq += 1;
        let until = now + ttl;
        self.expiry.insert((until, self.seq), key.to_owned());
        self.bytes += bytes;
        self.entries.insert(
            key.to_owned(),
            Slot {
                value,
                until,
                seq: self.seq,
                bytes,
            },
        );
        Ok(())
    }

    fn contains(&self, key: &str) -> bool {
        self.entries
            .get(key)
            .is_some_and(|s| Instant::now() < s.until)
    }

    fn get(&self, key: &str) -> Option<T> {
        self.entries
            .get(key)
            .filter(|s| Instant::now() < s.until)
            .map(|s| s.value.clone())
    }

    /// Removes `key` and returns its value if it had not expired: a single-use read.
    fn take(&mut self, key: &str) -> Option<T> {
        self.remove(key)
            .filter(|s| Instant::now() < s.until)
            .map(|s| s.value)
    }
}

struct Maps {
    challenges: Bounded<Challenge>,
    statuses: Bounded<StatusRecord>,
    tokens: Bounded<String>,
    devices: HashMap<String, DeviceBinding>,
    records: Bounded<String>,
    permanent: HashMap<String, String>,
}

/// A [`Store`] in this process's memory: for a single instance (restarts forget everything).
/// Bounded by [`Limits`]; device bindings, made only by a verified card login, are not.
pub struct MemoryStore {
    maps: Mutex<Maps>,
}

impl Default for MemoryStore {
    fn default() -> MemoryStore {
        MemoryStore::with_limits(Limits::default())
    }
}

impl MemoryStore {
    /// An empty store with the default limits.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    /// An empty store with these limits.
    pub fn with_limits(limits: Limits) -> MemoryStore {
        MemoryStore {
            maps: Mutex::new(Maps {
                challenges: Bounded::new(limits.challenges, limits.challenge_bytes),
                statuses: Bounded::new(limits.statuses, limits.status_bytes),
                tokens: Bounded::new(limits.statuses, limits.status_bytes),
                devices: HashMap::new(),
                records: Bounded::new(MAX_RECORDS, MAX_RECORD_BYTES),
                permanent: HashMap::new(),
            }),
        }
    }

    /// How many challenges, statuses and tokens are held now (expired ones dropped first).
    pub async fn counts(&self) -> (usize, usize, usize) {
        let mut maps = self.maps.lock().await;
        let now = Instant::now();
        maps.challenges.purge(now);
        maps.statuses.purge(now);
        maps.tokens.purge(now);
        (
            maps.challenges.entries.len(),
            maps.statuses.entries.len(),
            maps.tokens.entries.len(),
        )
    }
}

#[async_trait]
impl Store for MemoryStore {
    async fn put_challenge(&self, challenge: &Challenge, ttl: Duration) -> Result<(), StoreError> {
        let mut maps = self.maps.lock().await;
        if maps.challenges.contains(&challenge.nonce) {
            return Err(StoreError::Unavailable("nonce already in use".into()));
        }
        maps.challenges
            .insert(&challenge.nonce, challenge.clone(), ttl)
    }

    async fn take_challenge(&self, nonce: &str) -> Result<Option<Challenge>, StoreError> {
        Ok(self.maps.lock().await.challenges.take(nonce))
    }

    async fn peek_challenge(&self, nonce: &str) -> Result<Option<Challenge>, StoreError> {
        Ok(self.maps.lock().await.challenges.get(nonce))
    }

    async fn set_status(
        &self,
        nonce: &str,
        status: &StatusRecord,
        token: Option<&str>,
        ttl: Duration,
    ) -> Result<(), StoreError> {
        let mut maps = self.maps.lock().await;
        if let Some(token) = token {
            maps.tokens.insert(nonce, token.to_owned(), ttl)?;
        }
        maps.statuses.insert(nonce, status.clone(), ttl)
    }

    async fn get_status(&self, nonce: &str) -> Result<Option<StatusRecord>, StoreError> {
        Ok(self.maps.lock().await.statuses.get(nonce))
    }

    async fn take_token(&self, nonce: &str) -> Result<Option<String>, StoreError> {
        Ok(self.maps.lock().await.tokens.take(nonce))
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

    async fn put_new(
        &self,
        kind: &str,
        key: &str,
        value: &str,
        ttl: Option<Duration>,
    ) -> Result<bool, StoreError> {
        let mut maps = self.maps.lock().await;
        let key = format!("{kind}:{key}");
        if maps.records.contains(&key) || maps.permanent.contains_key(&key) {
            return Ok(false);
        }
        match ttl {
            Some(ttl) => maps.records.insert(&key, value.to_owned(), ttl)?,
            None => {
                maps.permanent.insert(key, value.to_owned());
            }
        }
        Ok(true)
    }

    async fn put(
        &self,
        kind: &str,
        key: &str,
        value: &str,
        ttl: Option<Duration>,
    ) -> Result<(), StoreError> {
        let mut maps = self.maps.lock().await;
        let key = format!("{kind}:{key}");
        match ttl {
            Some(ttl) => maps.records.insert(&key, value.to_owned(), ttl),
            None => {
                maps.permanent.insert(key, value.to_owned());
                Ok(())
            }
        }
    }

    async fn get(&self, kind: &str, key: &str) -> Result<Option<String>, StoreError> {
        let maps = self.maps.lock().await;
        let key = format!("{kind}:{key}");
        Ok(maps
            .records
            .get(&key)
            .or_else(|| maps.permanent.get(&key).cloned()))
    }

    async fn take(&self, kind: &str, key: &str) -> Result<Option<String>, StoreError> {
        let mut maps = self.maps.lock().await;
        let key = format!("{kind}:{key}");
        Ok(maps
            .records
            .take(&key)
            .or_else(|| maps.permanent.remove(&key)))
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
        let st = StatusRecord {
            status: Status::LoggedIn {
                serial: "01".into(),
            },
            browser: "b".into(),
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
            subject: "CN=CA#01".into(),
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

    #[tokio::test]
    async fn a_flood_of_challenges_is_bounded_and_expired_ones_make_room() {
        let store = MemoryStore::with_limits(Limits {
            challenges: 50,
            ..Limits::default()
        });
        let mut refused = 0;
        for _ in 0..200 {
            let c = Challenge::new("rp", "https://rp", 0, 60);
            match store.put_challenge(&c, Duration::from_millis(300)).await {
                Ok(()) => {}
                Err(StoreError::Full) => refused += 1,
                Err(e) => panic!("{e}"),
            }
        }
        assert_eq!(refused, 150);
        assert_eq!(store.counts().await.0, 50);
        tokio::time::sleep(Duration::from_millis(400)).await;
        let c = Challenge::new("rp", "https://rp", 0, 60);
        store
            .put_challenge(&c, Duration::from_secs(60))
            .await
            .expect("the expired ones made room");
        assert_eq!(store.counts().await.0, 1);
    }

    #[tokio::test]
    async fn statuses_are_bounded_in_bytes_too() {
        let store = MemoryStore::with_limits(Limits {
            status_bytes: 4096,
            ..Limits::default()
        });
        let record = StatusRecord {
            status: Status::Failed {
                reason: "x".repeat(1000),
            },
            browser: "b".into(),
        };
        let mut kept = 0;
        for i in 0..20 {
            if store
                .set_status(&format!("n{i}"), &record, None, Duration::from_secs(60))
                .await
                .is_ok()
            {
                kept += 1;
            }
        }
        assert!((1..=4).contains(&kept), "{kept} statuses of 1 kB in 4 kB");
        // Replacing one that is there still works when full.
        store
            .set_status("n0", &record, None, Duration::from_secs(60))
            .await
            .unwrap();
    }

    /// With many challenges pending, issuing and taking one stays cheap: expired entries are
    /// found through the expiry index, not by scanning every entry under the lock (which made a
    /// store holding 100 000 challenges ten times slower per request).
    #[tokio::test]
    async fn a_full_store_does_not_slow_every_request() {
        let store = MemoryStore::new();
        for _ in 0..MAX_CHALLENGES - 1 {
            let c = Challenge::new("rp", "https://rp", 0, 60);
            store
                .put_challenge(&c, Duration::from_secs(60))
                .await
                .unwrap();
        }
        let started = Instant::now();
        for _ in 0..2_000 {
            let c = Challenge::new("rp", "https://rp", 0, 60);
            store
                .put_challenge(&c, Duration::from_secs(60))
                .await
                .unwrap();
            assert!(store.take_challenge(&c.nonce).await.unwrap().is_some());
        }
        let took = started.elapsed();
        eprintln!(
            "2000 issue+take with {} pending: {took:?}",
            MAX_CHALLENGES - 1
        );
        assert!(
            took < Duration::from_secs(2),
            "2000 issue+take with 100k pending took {took:?}"
        );
    }
}
