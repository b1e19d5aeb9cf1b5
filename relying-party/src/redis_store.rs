//! The [`Store`] in Redis, for several instances behind a load balancer: each step is a single
//! Redis command (`SET NX EX` to issue, `GETDEL` to take), so a challenge made on one instance
//! is finished on any other exactly once.
//!
//! Every per-login key (challenge, status, token) is written with a TTL, so Redis drops it by
//! itself. The number of challenges is bounded by counting, per [`WINDOW`], those issued by all
//! instances together (`INCR` on a key that expires): past [`MAX_CHALLENGES`] in one window,
//! new ones are refused with [`StoreError::Full`] until the next.

use std::time::Duration;

use async_trait::async_trait;
use kazasu_core::login::Challenge;
use redis::AsyncCommands as _;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::store::{DeviceBinding, MAX_CHALLENGES, StatusRecord, Store, StoreError};

const PREFIX: &str = "kazasu";

/// The window challenges are counted in: at most [`MAX_CHALLENGES`] are issued per window, so
/// at most that many times (challenge lifetime / window + 1) are held at once.
pub const WINDOW: Duration = Duration::from_secs(60);

/// A [`Store`] in a Redis server (7 or later, for `GETDEL`).
#[derive(Clone)]
pub struct RedisStore {
    conn: ConnectionManager,
    /// Challenges issued per [`WINDOW`] before new ones are refused.
    max_per_window: u64,
}

fn failed(e: redis::RedisError) -> StoreError {
    tracing::warn!(error = %e, "redis request failed");
    StoreError::Unavailable("redis unavailable".into())
}

fn key(kind: &str, id: &str) -> String {
    format!("{PREFIX}:{kind}:{id}")
}

fn to_json<T: Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value)
        .map_err(|_| StoreError::Unavailable("cannot encode a record".into()))
}

fn from_json<T: DeserializeOwned>(text: Option<String>) -> Result<Option<T>, StoreError> {
    text.map(|t| serde_json::from_str(&t))
        .transpose()
        .map_err(|_| StoreError::Unavailable("a stored record is corrupt".into()))
}

/// Redis `EX` takes whole seconds, at least one.
fn seconds(ttl: Duration) -> u64 {
    ttl.as_secs().max(1)
}

impl RedisStore {
    /// Connects to `url` (`redis://host:port/db`); reconnects by itself later on.
    pub async fn connect(url: &str) -> anyhow::Result<RedisStore> {
        let client = redis::Client::open(url)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(2)))
            .set_response_timeout(Some(Duration::from_secs(2)))
            .set_number_of_retries(2);
        let conn = client.get_connection_manager_with_config(config).await?;
        Ok(RedisStore {
            conn,
            max_per_window: MAX_CHALLENGES as u64,
        })
    }

    /// The same store refusing challenges past `max` per [`WINDOW`] (default [`MAX_CHALLENGES`]).
    pub fn with_max_per_window(mut self, max: u64) -> RedisStore {
        self.max_per_window = max;
        self
    }
}

#[async_trait]
impl Store for RedisStore {
    async fn put_challenge(&self, challenge: &Challenge, ttl: Duration) -> Result<(), StoreError> {
        let window = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() / WINDOW.as_secs());
        let counter = key("issued", &window.to_string());
        let (issued,): (u64,) = redis::pipe()
            .atomic()
            .cmd("INCR")
            .arg(&counter)
            .cmd("EXPIRE")
            .arg(&counter)
            .arg(2 * WINDOW.as_secs())
            .ignore()
            .query_async(&mut self.conn.clone())
            .await
            .map_err(failed)?;
        if issued > self.max_per_window {
            return Err(StoreError::Full);
        }
        let reply: Option<String> = redis::cmd("SET")
            .arg(key("challenge", &challenge.nonce))
            .arg(to_json(challenge)?)
            .arg("NX")
            .arg("EX")
            .arg(seconds(ttl))
            .query_async(&mut self.conn.clone())
            .await
            .map_err(failed)?;
        match reply {
            Some(_) => Ok(()),
            None => Err(StoreError::Unavailable("nonce already in use".into())),
        }
    }

    async fn take_challenge(&self, nonce: &str) -> Result<Option<Challenge>, StoreError> {
        let text: Option<String> = redis::cmd("GETDEL")
            .arg(key("challenge", nonce))
            .query_async(&mut self.conn.clone())
            .await
            .map_err(failed)?;
        from_json(text)
    }

    async fn peek_challenge(&self, nonce: &str) -> Result<Option<Challenge>, StoreError> {
        let text: Option<String> = self
            .conn
            .clone()
            .get(key("challenge", nonce))
            .await
            .map_err(failed)?;
        from_json(text)
    }

    async fn set_status(
        &self,
        nonce: &str,
        status: &StatusRecord,
        token: Option<&str>,
        ttl: Duration,
    ) -> Result<(), StoreError> {
        // The token first, in one transaction: a poller that sees `logged_in` finds it.
        let mut pipe = redis::pipe();
        pipe.atomic();
        if let Some(token) = token {
            pipe.cmd("SET")
                .arg(key("token", nonce))
                .arg(token)
                .arg("EX")
                .arg(seconds(ttl))
                .ignore();
        }
        pipe.cmd("SET")
            .arg(key("status", nonce))
            .arg(to_json(status)?)
            .arg("EX")
            .arg(seconds(ttl))
            .ignore();
        pipe.query_async::<()>(&mut self.conn.clone())
            .await
            .map_err(failed)
    }

    async fn get_status(&self, nonce: &str) -> Result<Option<StatusRecord>, StoreError> {
        let text: Option<String> = self
            .conn
            .clone()
            .get(key("status", nonce))
            .await
            .map_err(failed)?;
        from_json(text)
    }

    async fn take_token(&self, nonce: &str) -> Result<Option<String>, StoreError> {
        redis::cmd("GETDEL")
            .arg(key("token", nonce))
            .query_async(&mut self.conn.clone())
            .await
            .map_err(failed)
    }

    async fn put_device(&self, id: &str, binding: &DeviceBinding) -> Result<bool, StoreError> {
        let reply: Option<String> = redis::cmd("SET")
            .arg(key("device", id))
            .arg(to_json(binding)?)
            .arg("NX")
            .query_async(&mut self.conn.clone())
            .await
            .map_err(failed)?;
        Ok(reply.is_some())
    }

    async fn get_device(&self, id: &str) -> Result<Option<DeviceBinding>, StoreError> {
        let text: Option<String> = self
            .conn
            .clone()
            .get(key("device", id))
            .await
            .map_err(failed)?;
        from_json(text)
    }

    async fn revoke_device(&self, id: &str) -> Result<bool, StoreError> {
        // Revocation only ever sets the flag, so a read-modify-write race ends revoked too.
        let Some(mut binding) = self.get_device(id).await? else {
            return Ok(false);
        };
        binding.revoked = true;
        let _: Option<String> = redis::cmd("SET")
            .arg(key("device", id))
            .arg(to_json(&binding)?)
            .arg("XX")
            .query_async(&mut self.conn.clone())
            .await
            .map_err(failed)?;
        Ok(true)
    }

    async fn put_new(
        &self,
        kind: &str,
        id: &str,
        value: &str,
        ttl: Option<Duration>,
    ) -> Result<bool, StoreError> {
        let mut cmd = redis::cmd("SET");
        cmd.arg(key(kind, id)).arg(value).arg("NX");
        if let Some(ttl) = ttl {
            cmd.arg("EX").arg(seconds(ttl));
        }
        let reply: Option<String> = cmd
            .query_async(&mut self.conn.clone())
            .await
            .map_err(failed)?;
        Ok(reply.is_some())
    }

    async fn put(
        &self,
        kind: &str,
        id: &str,
        value: &str,
        ttl: Option<Duration>,
    ) -> Result<(), StoreError> {
        let mut cmd = redis::cmd("SET");
        cmd.arg(key(kind, id)).arg(value);
        if let Some(ttl) = ttl {
            cmd.arg("EX").arg(seconds(ttl));
        }
        cmd.query_async::<()>(&mut self.conn.clone())
            .await
            .map_err(failed)
    }

    async fn get(&self, kind: &str, id: &str) -> Result<Option<String>, StoreError> {
        self.conn.clone().get(key(kind, id)).await.map_err(failed)
    }

    async fn take(&self, kind: &str, id: &str) -> Result<Option<String>, StoreError> {
        redis::cmd("GETDEL")
            .arg(key(kind, id))
            .query_async(&mut self.conn.clone())
            .await
            .map_err(failed)
    }
}
