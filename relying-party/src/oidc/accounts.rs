//! Accounts and pairwise subjects.
//!
//! The provider keeps an account per person, with a random internal id. A card's
//! authentication certificate (issuer + serial) points at its account; the first login with a
//! certificate the provider has never seen opens a new account. What a client sees as `sub` is
//! derived from the account, never from the certificate: HMAC-SHA256 under the provider's
//! pairwise key of the client's sector and the account id, so two services cannot correlate a
//! person, and a service's `sub` does not change when the certificate does (see the README's
//! "Accounts that outlive a certificate").

use std::path::Path;

use anyhow::Context;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::store::{Store, StoreError};

/// Random bytes in the pairwise key and in an account id.
const SECRET_BYTES: usize = 32;

/// The key pairwise subjects are derived with.
#[derive(Clone)]
pub struct PairwiseKey([u8; SECRET_BYTES]);

impl std::fmt::Debug for PairwiseKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PairwiseKey(…)")
    }
}

impl PairwiseKey {
    /// Loads the key (64 hex digits) at `path`, or makes one and writes it there (mode 0600,
    /// linked into place so that instances starting together agree).
    pub fn load_or_create(path: &Path) -> anyhow::Result<PairwiseKey> {
        if !path.exists() {
            let mut bytes = [0u8; SECRET_BYTES];
            rand::rngs::OsRng.fill_bytes(&mut bytes);
            let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            crate::session::write_secret_once(path, format!("{hex}\n").as_bytes(), ".pairwise")?;
        }
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the pairwise key {}", path.display()))?;
        let text = text.trim();
        let mut key = [0u8; SECRET_BYTES];
        if text.len() != 2 * SECRET_BYTES {
            anyhow::bail!("{} is not 64 hex digits", path.display());
        }
        for (i, byte) in key.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16)
                .with_context(|| format!("{} is not 64 hex digits", path.display()))?;
        }
        Ok(PairwiseKey(key))
    }

    /// A key made from fixed bytes (tests).
    pub fn from_bytes(bytes: [u8; SECRET_BYTES]) -> PairwiseKey {
        PairwiseKey(bytes)
    }

    /// The keyed hash an account keeps of its holder (name and birth date from a verified link
    /// proof): the store holds no personal data, and only this server can compute it.
    pub fn holder_key(&self, holder: &kazasu_core::login::LinkedHolder) -> String {
        let birth = holder.birth_date.to_string();
        self.mac(&["kazasu-oidc-holder", &holder.name, &birth])
    }

    fn mac(&self, parts: &[&str]) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
        for part in parts {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part.as_bytes());
        }
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }

    /// The `sub` of `account` for clients of `sector`. Length-prefixed parts: no sector and
    /// account pair can be made to read as another.
    pub fn subject(&self, sector: &str, account: &str) -> String {
        self.mac(&["kazasu-oidc-sub", sector, account])
    }
}

/// An account as the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// The internal id (random, base64url).
    pub id: String,
    /// When it was opened (Unix seconds).
    pub created: i64,
    /// The certificates (`issuer#serial`) that log in to it.
    pub certificates: Vec<String>,
    /// The keyed hash of its holder's name and birth date ([`PairwiseKey::holder_key`]), once
    /// a link proof recorded it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holder: Option<String>,
}

/// The store kind for certificate → account id.
const CERT_KIND: &str = "account-of";
/// The store kind for account id → [`Account`].
const ACCOUNT_KIND: &str = "account";
/// The store kind for holder key → account id.
const HOLDER_KIND: &str = "account-holder";

fn new_id() -> String {
    let mut bytes = [0u8; SECRET_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

fn corrupt() -> StoreError {
    StoreError::Unavailable("a stored account is corrupt".into())
}

/// The account a certificate (`issuer#serial`, see [`crate::session::subject_id`]) logs in
/// to, if it was ever linked.
pub async fn find(store: &dyn Store, certificate: &str) -> Result<Option<String>, StoreError> {
    store.get(CERT_KIND, certificate).await
}

/// The account a certificate (`issuer#serial`) logs in to.
///
/// A certificate already linked keeps its account (and records `holder`, the keyed hash of a
/// verified link proof's name and birth date, if the account had none). A certificate never
/// seen joins the account whose recorded holder is `holder` — a renewed certificate or a
/// reissued card proving, with the signing key, that it is the same person — or else opens a
/// new account. Each step is one atomic `SET NX`: two concurrent first logins end in one
/// account.
pub async fn account_for(
    store: &dyn Store,
    certificate: &str,
    holder: Option<&str>,
    now: i64,
) -> Result<String, StoreError> {
    if let Some(id) = find(store, certificate).await? {
        if let Some(holder) = holder {
            record_holder(store, &id, holder).await?;
        }
        return Ok(id);
    }
    if let Some(holder) = holder
        && let Some(id) = store.get(HOLDER_KIND, holder).await?
    {
        if store.put_new(CERT_KIND, certificate, &id, None).await? {
            if let Some(mut account) = get(store, &id).await? {
                account.certificates.push(certificate.to_owned());
                save(store, &account).await?;
            }
            tracing::info!(target: crate::api::AUDIT, event = "account_linked", certificate);
            return Ok(id);
        }
        return find(store, certificate)
            .await?
            .ok_or_else(|| StoreError::Unavailable("an account vanished".into()));
    }
    let id = new_id();
    if store.put_new(CERT_KIND, certificate, &id, None).await? {
        let account = Account {
            id: id.clone(),
            created: now,
            certificates: vec![certificate.to_owned()],
            holder: None,
        };
        save(store, &account).await?;
        if let Some(holder) = holder {
            record_holder(store, &id, holder).await?;
        }
        return Ok(id);
    }
    find(store, certificate)
        .await?
        .ok_or_else(|| StoreError::Unavailable("an account vanished".into()))
}

async fn save(store: &dyn Store, account: &Account) -> Result<(), StoreError> {
    let json = serde_json::to_string(account).map_err(|_| corrupt())?;
    store.put(ACCOUNT_KIND, &account.id, &json, None).await
}

/// Records the holder of an account that has none, if no other account has claimed it.
async fn record_holder(store: &dyn Store, id: &str, holder: &str) -> Result<(), StoreError> {
    let Some(mut account) = get(store, id).await? else {
        return Ok(());
    };
    if account.holder.is_some() {
        return Ok(());
    }
    if store.put_new(HOLDER_KIND, holder, id, None).await? {
        account.holder = Some(holder.to_owned());
        save(store, &account).await?;
    }
    Ok(())
}

/// An account by its id.
pub async fn get(store: &dyn Store, id: &str) -> Result<Option<Account>, StoreError> {
    store
        .get(ACCOUNT_KIND, id)
        .await?
        .map(|j| serde_json::from_str(&j).map_err(|_| corrupt()))
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryStore;

    #[test]
    fn subjects_are_pairwise_and_keyed() {
        let a = PairwiseKey::from_bytes([1; 32]);
        let b = PairwiseKey::from_bytes([2; 32]);
        assert_eq!(a.subject("s1", "acc"), a.subject("s1", "acc"));
        assert_ne!(a.subject("s1", "acc"), a.subject("s2", "acc"));
        assert_ne!(a.subject("s1", "acc"), b.subject("s1", "acc"));
        assert_ne!(a.subject("s1", "acc"), a.subject("s1", "acd"));
        // No ambiguity from where the sector ends.
        assert_ne!(a.subject("s1\0a", "cc"), a.subject("s1", "a\0cc"));
    }

    #[tokio::test]
    async fn a_certificate_opens_one_account_and_keeps_it() {
        let store = MemoryStore::new();
        let first = account_for(&store, "CA#01", None, 1).await.unwrap();
        assert_eq!(account_for(&store, "CA#01", None, 2).await.unwrap(), first);
        assert_ne!(account_for(&store, "CA#02", None, 3).await.unwrap(), first);
        let account = get(&store, &first).await.unwrap().unwrap();
        assert_eq!(account.certificates, vec!["CA#01".to_owned()]);
    }

    #[tokio::test]
    async fn a_new_certificate_joins_the_account_of_its_proven_holder() {
        let store = MemoryStore::new();
        let first = account_for(&store, "CA#01", Some("h1"), 1).await.unwrap();
        // Renewed: a new certificate, proven to be the same holder.
        assert_eq!(
            account_for(&store, "CA#02", Some("h1"), 2).await.unwrap(),
            first
        );
        // Without the proof a new certificate is a new account; another holder too.
        assert_ne!(account_for(&store, "CA#03", None, 3).await.unwrap(), first);
        assert_ne!(
            account_for(&store, "CA#04", Some("h2"), 4).await.unwrap(),
            first
        );
        let account = get(&store, &first).await.unwrap().unwrap();
        assert_eq!(
            account.certificates,
            vec!["CA#01".to_owned(), "CA#02".to_owned()]
        );
        assert_eq!(account.holder.as_deref(), Some("h1"));
        // An account opened without a proof records its holder at a later proven login.
        let later = account_for(&store, "CA#05", None, 5).await.unwrap();
        assert_eq!(
            account_for(&store, "CA#05", Some("h5"), 6).await.unwrap(),
            later
        );
        assert_eq!(
            account_for(&store, "CA#06", Some("h5"), 7).await.unwrap(),
            later
        );
    }

    #[test]
    fn the_key_file_is_made_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pk");
        let a = PairwiseKey::load_or_create(&path).unwrap();
        let b = PairwiseKey::load_or_create(&path).unwrap();
        assert_eq!(a.subject("s", "x"), b.subject("s", "x"));
        std::fs::write(&path, "zz").unwrap();
        assert!(PairwiseKey::load_or_create(&path).is_err());
    }
}
