//! The login policy the server checks against, with its CRLs kept fresh: a background task
//! re-reads every CRL source and swaps in a new policy. A source that cannot be read or parsed,
//! that is not signed by a trusted CA, or that is older than a CRL already seen from the same CA
//! keeps its previous CRL (with a warning): a refresh never goes back to an older CRL, which
//! could hide a revocation. With no current CRL, the core refuses logins.
//!
//! With `[revocation] ocsp`, each card login also asks that OCSP responder (or the one the
//! certificate names) through the core's trust store ([`OcspCache`]): answers are cached until
//! their nextUpdate, a failure for [`OCSP_RETRY_AFTER`], in at most [`MAX_OCSP_CACHE`] entries.
//! A responder that cannot be reached never makes a login good: the CRLs decide alone then.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use arc_swap::ArcSwap;
use kazasu_core::cert::CardCertificate;
use kazasu_core::cms::TrustStore;
use kazasu_core::cms::trust::{CrlVersion, OcspSource};
use kazasu_core::login::Policy;
use kazasu_core::ocsp;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use tokio::sync::Mutex;

use crate::config::{Config, OCSP_FROM_CERTIFICATE};

/// The largest CRL accepted from a URL.
const MAX_CRL: usize = 32 * 1024 * 1024;

/// Certificates whose OCSP answer (or failure) is cached at once; when full, expired entries
/// go, and if none has expired, all of them (the next logins ask again).
pub const MAX_OCSP_CACHE: usize = 10_000;
/// How long a certificate's responder is not asked again after it failed (unreachable, or an
/// answer that does not count): logins in the meantime are decided by the CRLs.
pub const OCSP_RETRY_AFTER: time::Duration = time::Duration::seconds(30);

/// One certificate's cached OCSP outcome.
#[derive(Debug, Clone)]
enum Cached {
    /// A checked response, used until `until` (its nextUpdate).
    Answer { der: Vec<u8>, until: OffsetDateTime },
    /// The responder failed; not asked again before `until`.
    Failed { until: OffsetDateTime },
}

/// The OCSP responder of `[revocation] ocsp`, asked at each card login through the core's
/// trust store, with a cache bounded by [`MAX_OCSP_CACHE`].
#[derive(Debug)]
pub struct OcspCache {
    /// A fixed URL, or `None` for the one each certificate names.
    url: Option<String>,
    entries: std::sync::Mutex<HashMap<[u8; 32], Cached>>,
}

impl OcspCache {
    /// A cache asking `ocsp` (a URL, or [`OCSP_FROM_CERTIFICATE`]).
    pub fn new(ocsp: &str) -> OcspCache {
        OcspCache {
            url: (ocsp != OCSP_FROM_CERTIFICATE).then(|| ocsp.to_owned()),
            entries: std::sync::Mutex::default(),
        }
    }

    fn store(&self, key: [u8; 32], entry: Cached, now: OffsetDateTime) {
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if entries.len() >= MAX_OCSP_CACHE {
            entries.retain(|_, e| match e {
                Cached::Answer { until, .. } | Cached::Failed { until } => *until > now,
            });
            if entries.len() >= MAX_OCSP_CACHE {
                entries.clear();
            }
        }
        entries.insert(key, entry);
    }
}

impl OcspSource for OcspCache {
    fn response_for(
        &self,
        certificate: &CardCertificate,
        issuer: &CardCertificate,
        at: OffsetDateTime,
    ) -> Option<Vec<u8>> {
        let key: [u8; 32] = Sha256::digest(certificate.der()).into();
        let now = OffsetDateTime::now_utc();
        let cached = self.entries.lock().ok()?.get(&key).cloned();
        match cached {
            Some(Cached::Answer { der, until }) if now <= until => return Some(der),
            Some(Cached::Failed { until }) if now < until => return None,
            _ => {}
        }
        let Some(url) = self.url.clone().or_else(|| certificate.ocsp_url()) else {
            tracing::debug!("the certificate names no OCSP responder");
            return None;
        };
        match blocking(|| ocsp::ask(&url, certificate, issuer, at)) {
            Ok((der, answer)) => {
                let until = answer
                    .next_update
                    .unwrap_or(answer.this_update + ocsp::MAX_AGE_WITHOUT_NEXT_UPDATE);
                self.store(
                    key,
                    Cached::Answer {
                        der: der.clone(),
                        until,
                    },
                    now,
                );
                Some(der)
            }
            Err(e) => {
                tracing::warn!(responder = %url, error = %e, "no usable OCSP answer; the CRLs decide");
                let until = now + OCSP_RETRY_AFTER;
                self.store(key, Cached::Failed { until }, now);
                None
            }
        }
    }
}

/// Runs the blocking HTTP exchange `f` without stalling the server: on a multi-threaded
/// runtime the worker hands its other tasks away first.
fn blocking<T>(f: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(handle) if handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(f)
        }
        _ => f(),
    }
}

/// Where one CRL comes from.
#[derive(Debug, Clone)]
enum Source {
    File(std::path::PathBuf),
    Url(String),
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::File(p) => write!(f, "{}", p.display()),
            Source::Url(u) => f.write_str(u),
        }
    }
}

/// What the refreshes accepted so far.
struct Accepted {
    /// The last CRL bytes accepted from each source.
    bytes: Vec<Option<Vec<u8>>>,
    /// The newest CRL version accepted per CA key (SHA-256 of the CA certificate).
    newest: std::collections::HashMap<[u8; 32], CrlVersion>,
}

impl Accepted {
    /// Why `versions` (of the CRLs read from one source) must not replace what that source
    /// gave before, if they must not.
    fn refusal(&self, versions: &[Option<CrlVersion>]) -> Option<String> {
        if versions.iter().any(Option::is_none) {
            return Some("a CRL not signed by a trusted CA".to_owned());
        }
        versions.iter().flatten().find_map(|v| {
            let seen = self.newest.get(&v.signer)?;
            v.is_older_than(seen).then(|| {
                format!(
                    "an older CRL (thisUpdate {}) than one already seen from that CA (thisUpdate {})",
                    v.this_update, seen.this_update
                )
            })
        })
    }

    fn remember(&mut self, versions: Vec<Option<CrlVersion>>) {
        for v in versions.into_iter().flatten() {
            let newer = self
                .newest
                .get(&v.signer)
                .is_none_or(|seen| seen.is_older_than(&v));
            if newer {
                self.newest.insert(v.signer, v);
            }
        }
    }
}

/// The current policy, swapped atomically when the CRLs are refreshed.
pub struct Trust {
    current: ArcSwap<Policy>,
    /// The policy with its anchors and no CRLs.
    base: Policy,
    sources: Vec<Source>,
    /// The last CRL that was read and accepted from each source, and the newest version seen
    /// from each CA key.
    last_good: Mutex<Accepted>,
    http: reqwest::Client,
}

impl Trust {
    /// Reads the trust anchors (an unreadable one is an error) and the CRLs (an unreadable one
    /// is a warning: logins needing it are refused until it can be read).
    pub async fn load(config: &Config) -> anyhow::Result<Trust> {
        let mut store = TrustStore::new();
        if let Some(ocsp) = &config.revocation.ocsp {
            store.set_ocsp_source(Arc::new(OcspCache::new(ocsp)));
        }
        for path in &config.trust_anchors {
            let path = config.resolve(path);
            let bytes =
                std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
            store
                .add_anchors(&bytes)
                .with_context(|| format!("{} holds no usable CA certificate", path.display()))?;
        }
        let allowed_origins = if config.allowed_origins.is_empty() {
            config.origin.iter().cloned().collect()
        } else {
            config.allowed_origins.clone()
        };
        let base = Policy {
            rp_id: config.rp_id.clone(),
            allowed_origins,
            trust: store,
            max_skew: config.max_skew_seconds,
            remembered: Default::default(),
        };
        let sources: Vec<Source> = config
            .crls
            .iter()
            .map(|s| {
                if s.starts_with("http://") || s.starts_with("https://") {
                    Source::Url(s.clone())
                } else {
                    Source::File(config.resolve(std::path::Path::new(s)))
                }
            })
            .collect();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .context("cannot make an HTTP client for CRLs")?;
        let trust = Trust {
            current: ArcSwap::from_pointee(base.clone()),
            last_good: Mutex::new(Accepted {
                bytes: vec![None; sources.len()],
                newest: std::collections::HashMap::new(),
            }),
            base,
            sources,
            http,
        };
        trust.refresh().await;
        Ok(trust)
    }

    /// Sets the allowed origins when they are only known once the server is bound.
    pub(crate) fn set_default_origin(&mut self, origin: &str) {
        if self.base.allowed_origins.is_empty() {
            self.base.allowed_origins.push(origin.to_owned());
            let mut policy = Policy::clone(&self.current.load());
            policy.allowed_origins = self.base.allowed_origins.clone();
            self.current.store(Arc::new(policy));
        }
    }

    /// The policy in force now.
    pub fn policy(&self) -> Arc<Policy> {
        self.current.load_full()
    }

    /// Re-reads every CRL source and swaps in the new policy.
    pub async fn refresh(&self) {
        let mut last_good = self.last_good.lock().await;
        for (i, source) in self.sources.iter().enumerate() {
            match self.read(source).await {
                // Only CRLs that parse, are signed by a trusted CA and are not older than one
                // already seen replace the previous ones.
                Ok(bytes) => match self.base.trust.crl_versions(&bytes) {
                    Ok(versions) => match last_good.refusal(&versions) {
                        None => {
                            last_good.remember(versions);
                            last_good.bytes[i] = Some(bytes);
                        }
                        Some(why) => {
                            tracing::warn!(source = %source, "refusing {why}; keeping the previous CRL");
                        }
                    },
                    Err(e) => {
                        tracing::warn!(source = %source, error = %e, "unusable CRL; keeping the previous one");
                    }
                },
                Err(e) => {
                    tracing::warn!(source = %source, error = %format!("{e:#}"), "cannot read CRL; keeping the previous one");
                }
            }
        }
        let mut policy = self.base.clone();
        let mut count = 0;
        for bytes in last_good.bytes.iter().flatten() {
            if let Ok(n) = policy.trust.add_crls(bytes) {
                count += n;
            }
        }
        if count == 0 && self.base.trust.has_ocsp_source() {
            tracing::warn!("no CRL available: card logins rest on the OCSP responder alone");
        } else if count == 0 {
            tracing::warn!("no CRL available: card logins are refused until one can be read");
        } else {
            tracing::debug!(crls = count, "CRLs refreshed");
        }
        self.current.store(Arc::new(policy));
    }

    async fn read(&self, source: &Source) -> anyhow::Result<Vec<u8>> {
        match source {
            Source::File(path) => Ok(tokio_read(path).await?),
            Source::Url(url) => {
                let response = self.http.get(url).send().await?.error_for_status()?;
                if response
                    .content_length()
                    .is_some_and(|n| n > MAX_CRL as u64)
                {
                    anyhow::bail!("CRL larger than {MAX_CRL} bytes");
                }
                let bytes = response.bytes().await?;
                if bytes.len() > MAX_CRL {
                    anyhow::bail!("CRL larger than {MAX_CRL} bytes");
                }
                Ok(bytes.to_vec())
            }
        }
    }

    /// Refreshes every `period` until the process ends.
    pub fn spawn_refresh(self: &Arc<Self>, period: Duration) -> tokio::task::JoinHandle<()> {
        let weak = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(period);
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            interval.tick().await;
            loop {
                interval.tick().await;
                let Some(trust) = weak.upgrade() else { break };
                trust.refresh().await;
            }
        })
    }
}

async fn tokio_read(path: &std::path::Path) -> std::io::Result<Vec<u8>> {
    let path = path.to_path_buf();
    tokio::task::spawn_blocking(move || std::fs::read(path))
        .await
        .map_err(std::io::Error::other)?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ocsp_cache_stays_within_its_bound() {
        let cache = OcspCache::new("http://127.0.0.1:1/");
        let now = OffsetDateTime::now_utc();
        let key = |i: usize| -> [u8; 32] { Sha256::digest(i.to_be_bytes()).into() };
        // Full of expired entries: they go, the new one stays.
        for i in 0..MAX_OCSP_CACHE {
            let until = now - time::Duration::seconds(1);
            cache.store(key(i), Cached::Failed { until }, now);
        }
        let fresh = Cached::Failed {
            until: now + OCSP_RETRY_AFTER,
        };
        cache.store(key(MAX_OCSP_CACHE), fresh.clone(), now);
        assert_eq!(cache.entries.lock().unwrap().len(), 1);
        // Full of current entries: all go.
        for i in 0..MAX_OCSP_CACHE + 5 {
            cache.store(key(i), fresh.clone(), now);
            assert!(cache.entries.lock().unwrap().len() <= MAX_OCSP_CACHE);
        }
    }

    #[test]
    fn a_failed_responder_is_not_asked_again_at_once_and_never_answers_good() {
        // Nothing listens on port 1: the first login fails over to the CRLs, and the next one
        // within OCSP_RETRY_AFTER does not wait on the network again.
        let cache = OcspCache::new("http://127.0.0.1:1/");
        let cert = CardCertificate::from_der(include_bytes!(
            "../../core/tests/fixtures/real-card/jpki-auth-cert.der"
        ))
        .unwrap();
        let ca = CardCertificate::from_der(include_bytes!(
            "../../core/tests/fixtures/real-card/jpki-auth-ca-cert.der"
        ))
        .unwrap();
        let now = OffsetDateTime::now_utc();
        assert!(cache.response_for(&cert, &ca, now).is_none());
        let key: [u8; 32] = Sha256::digest(cert.der()).into();
        assert!(matches!(
            cache.entries.lock().unwrap().get(&key),
            Some(Cached::Failed { .. })
        ));
        assert!(cache.response_for(&cert, &ca, now).is_none());
    }
}
