//! kazasu-rp as an OpenID Connect provider: any OIDC client library logs people in with the
//! card through the authorization-code flow (PKCE S256, `state` and `nonce` required), without
//! code against kazasu-rp's own API.
//!
//! The card proof is unchanged: the authorization page issues an ordinary login challenge
//! (origin-bound, single-use) that the phone, or `kazasu login` on another computer, answers
//! through `POST /v1/login/finish`. The browser's status poll only ever hears "pending" or
//! "done"; the code goes by redirect to the browser holding the cookie set when it opened the
//! authorization page, so a person who only saw the QR code cannot take the login.
//!
//! One idea per file: [`discovery`], [`jwks`], [`authorize`] (page, status, continue),
//! [`token`], [`userinfo`], [`end_session`], [`clients`] (registration and client
//! authentication), [`codes`] (authorization requests and codes in the store), [`accounts`]
//! (accounts and pairwise subjects), [`errors`] (OAuth error responses), [`page`] (HTML).

pub mod accounts;
pub mod authorize;
pub mod claims;
pub mod clients;
pub mod codes;
pub mod discovery;
pub mod end_session;
pub mod errors;
pub mod jwks;
pub mod page;
pub mod token;
pub mod userinfo;

use std::collections::HashMap;

use anyhow::Context;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::routing::get;
use serde::{Deserialize, Serialize};

use crate::api::AppState;
use crate::config::Config;

pub use clients::{ClientConfig, RegisteredClient};

/// How long an authorization code is valid by default (seconds): long enough for a redirect
/// and one back-channel call, short enough that a leaked code is soon worthless.
pub const DEFAULT_CODE_TTL: i64 = 60;
/// The longest code lifetime the configuration may set (seconds).
pub const MAX_CODE_TTL: i64 = 600;
/// How long an ID token and an access token are valid (seconds).
pub const TOKEN_TTL: i64 = 300;
/// The `acr` of every ID token: a login with the card's authentication certificate (JPKI).
pub const ACR_CARD: &str = "urn:kazasu:acr:jpki-card";
/// The path prefix of the provider's endpoints.
pub const PREFIX: &str = "/oidc";

fn default_pairwise_key() -> PathBuf {
    PathBuf::from("pairwise-key")
}
fn default_code_ttl() -> i64 {
    DEFAULT_CODE_TTL
}

/// The `[oidc]` table of `kazasu-rp.toml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcConfig {
    /// The secret that pairwise subjects are keyed with (made, mode 0600, if missing): every
    /// instance must share it, and changing it changes every `sub`.
    #[serde(default = "default_pairwise_key")]
    pub pairwise_key: PathBuf,
    /// How long an authorization code is valid, 1 to [`MAX_CODE_TTL`] seconds.
    #[serde(default = "default_code_ttl")]
    pub code_ttl_seconds: i64,
    /// The signing CAs (PEM or DER) whose certificates may link a new authentication
    /// certificate to an account (see [`accounts`]); empty: no linking.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sign_trust_anchors: Vec<PathBuf>,
    /// The signing CAs' CRLs (files), read again at every link.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sign_crls: Vec<PathBuf>,
    /// The registered clients.
    #[serde(default)]
    pub clients: Vec<ClientConfig>,
}

impl Default for OidcConfig {
    fn default() -> OidcConfig {
        OidcConfig {
            pairwise_key: default_pairwise_key(),
            code_ttl_seconds: DEFAULT_CODE_TTL,
            sign_trust_anchors: Vec::new(),
            sign_crls: Vec::new(),
            clients: Vec::new(),
        }
    }
}

impl OidcConfig {
    /// Checks what can be checked without reading files: lifetimes, unique client ids, and
    /// each client's redirect URIs and authentication method.
    pub fn check(&self) -> anyhow::Result<()> {
        if !(1..=MAX_CODE_TTL).contains(&self.code_ttl_seconds) {
            anyhow::bail!("oidc.code_ttl_seconds must be between 1 and {MAX_CODE_TTL}");
        }
        let mut seen = std::collections::HashSet::new();
        for client in &self.clients {
            client.check()?;
            if !seen.insert(client.client_id.as_str()) {
                anyhow::bail!("oidc client {:?} is registered twice", client.client_id);
            }
        }
        Ok(())
    }
}

/// The provider's state: its issuer, clients (keys loaded) and pairwise key.
pub struct Provider {
    /// The issuer: the public URL, no trailing slash.
    pub issuer: String,
    /// The registered clients by id.
    pub clients: HashMap<String, RegisteredClient>,
    /// The key pairwise subjects are derived with.
    pub pairwise_key: accounts::PairwiseKey,
    /// How long a code is valid (seconds).
    pub code_ttl: i64,
    /// The signing CAs that may link certificates, and where their CRLs are.
    pub sign_trust: Option<(Vec<u8>, Vec<PathBuf>)>,
}

impl std::fmt::Debug for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Provider")
            .field("issuer", &self.issuer)
            .field("clients", &self.clients.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl Provider {
    /// Loads the clients' keys and the pairwise key the configuration names.
    pub fn load(config: &Config, issuer: &str) -> anyhow::Result<Provider> {
        let oidc = &config.oidc;
        let mut clients = HashMap::new();
        for client in &oidc.clients {
            let registered = RegisteredClient::load(client, config)?;
            clients.insert(client.client_id.clone(), registered);
        }
        let pairwise_key =
            accounts::PairwiseKey::load_or_create(&config.resolve(&oidc.pairwise_key))?;
        let mut anchors = Vec::new();
        for path in &oidc.sign_trust_anchors {
            let path = config.resolve(path);
            let bytes =
                std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
            // Checked now: an unusable anchor is a configuration error, not a refused link.
            kazasu_core::cms::TrustStore::new()
                .add_anchors(&bytes)
                .with_context(|| format!("{} holds no usable CA certificate", path.display()))?;
            anchors.push(bytes);
        }
        let sign_trust = (!anchors.is_empty()).then(|| {
            let crls = oidc.sign_crls.iter().map(|p| config.resolve(p)).collect();
            (anchors.concat(), crls)
        });
        Ok(Provider {
            issuer: issuer.to_owned(),
            clients,
            pairwise_key,
            code_ttl: oidc.code_ttl_seconds,
            sign_trust,
        })
    }

    /// Checks a link proof (see [`kazasu_core::login::link`]) against the signing CAs and their
    /// CRLs as the files hold them now.
    pub fn verify_link(
        &self,
        challenge: &kazasu_core::login::Challenge,
        proof: &kazasu_core::login::DecodedAssertion,
        auth_certificate: &[u8],
        now: i64,
    ) -> Result<kazasu_core::login::LinkedHolder, kazasu_core::login::LoginError> {
        use kazasu_core::login::LoginError;
        let (anchors, crls) = self.sign_trust.as_ref().ok_or(LoginError::Malformed(
            "this server does not link certificates (no signing CA configured)",
        ))?;
        let mut trust = kazasu_core::cms::TrustStore::new();
        trust
            .add_anchors(anchors)
            .map_err(|_| LoginError::Store("the signing CAs are unusable".into()))?;
        for path in crls {
            // An unreadable CRL leaves revocation unknown, which refuses the link.
            if let Ok(bytes) = std::fs::read(path) {
                let _ = trust.add_crls(&bytes);
            }
        }
        kazasu_core::login::verify_link(&trust, challenge, proof, auth_certificate, now)
    }

    /// The URL of one of the provider's endpoints (`path` after [`PREFIX`]).
    pub fn endpoint(&self, path: &str) -> String {
        format!("{}{PREFIX}{path}", self.issuer)
    }
}

/// The provider's routes.
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route(
            "/.well-known/openid-configuration",
            get(discovery::configuration),
        )
        .route("/oidc/jwks", get(jwks::jwks))
        .route("/oidc/authorize", get(authorize::authorize))
        .route("/oidc/status/{nonce}", get(authorize::status))
        .route("/oidc/continue/{nonce}", get(authorize::resume))
        .route(
            "/oidc/continue/{nonce}/consent",
            axum::routing::post(authorize::consent),
        )
        .route("/oidc/continue/{nonce}/login", get(authorize::login_page))
        .route("/oidc/request/{nonce}", get(authorize::request_info))
        .route("/oidc/token", axum::routing::post(token::token))
        .route(
            "/oidc/userinfo",
            get(userinfo::userinfo).post(userinfo::userinfo),
        )
        .route("/oidc/end_session", get(end_session::end_session))
}
