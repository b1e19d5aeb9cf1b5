//! Registered clients: their configuration (`[[oidc.clients]]` in `kazasu-rp.toml`, or
//! `kazasu-rp client add`), their keys, and client authentication at the token endpoint:
//! `client_secret_basic` (the file keeps only the secret's SHA-256) or `private_key_jwt`
//! (ES256 or RS256 under a key of the client's JWKS; `aud` the token endpoint; `exp` at most
//! [`MAX_ASSERTION_LIFETIME`] ahead; each `jti` accepted once, remembered in the store until
//! the assertion expires).

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use axum::http::{HeaderMap, header};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::jwk::{AlgorithmParameters, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::errors::{Code, OAuthError};
use crate::config::Config;
use crate::store::Store;

/// The client assertion type of `private_key_jwt` (RFC 7523).
pub const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// How far ahead a client assertion's `exp` may be (seconds): a captured assertion is
/// worthless soon after, and its `jti` need not be remembered longer.
pub const MAX_ASSERTION_LIFETIME: i64 = 300;
/// Tolerated client clock difference for a client assertion's `iat` and `exp` (seconds).
pub const ASSERTION_SKEW: i64 = 30;
/// The longest client assertion accepted (bytes).
pub const MAX_ASSERTION: usize = 8192;
/// The longest `jti` accepted (characters).
pub const MAX_JTI: usize = 256;
/// The longest client JWKS file read (bytes).
pub const MAX_JWKS_FILE: u64 = 64 * 1024;

/// How a client authenticates at the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthMethod {
    /// A JWT signed with the client's private key (ES256 or RS256).
    PrivateKeyJwt,
    /// HTTP Basic with the client id and secret.
    ClientSecretBasic,
}

/// One `[[oidc.clients]]` entry.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientConfig {
    /// The client's id.
    pub client_id: String,
    /// A name to show people on the authorization page; absent: the client id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The redirect URIs, matched exactly.
    pub redirect_uris: Vec<String>,
    /// Where the end-session endpoint may send people back to, matched exactly.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub post_logout_redirect_uris: Vec<String>,
    /// How it authenticates at the token endpoint.
    pub token_endpoint_auth_method: AuthMethod,
    /// `client_secret_basic`: SHA-256 (hex) of the secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret_sha256: Option<String>,
    /// `private_key_jwt`: the client's public keys (a JWKS file, ES256 or RS256 keys).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks_file: Option<PathBuf>,
    /// The sector its pairwise subjects are computed for; absent: the host of its first
    /// redirect URI. Two clients of one sector see the same `sub`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sector: Option<String>,
}

fn is_client_id(id: &str) -> bool {
    (1..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

/// A redirect URI a client may register: absolute http(s), no fragment.
fn check_uri(uri: &str) -> anyhow::Result<url::Url> {
    let url = url::Url::parse(uri).with_context(|| format!("{uri:?} is not a URL"))?;
    if !matches!(url.scheme(), "https" | "http") || url.host().is_none() {
        bail!("{uri:?} must be an http(s) URL with a host");
    }
    if url.fragment().is_some() {
        bail!("{uri:?} must not have a fragment");
    }
    Ok(url)
}

impl ClientConfig {
    /// Checks the entry without reading files.
    pub fn check(&self) -> anyhow::Result<()> {
        let id = &self.client_id;
        if !is_client_id(id) {
            bail!("oidc client id {id:?} must be 1-128 characters of A-Z a-z 0-9 - . _ ~");
        }
        if self.redirect_uris.is_empty() {
            bail!("oidc client {id:?} has no redirect_uris");
        }
        for uri in self
            .redirect_uris
            .iter()
            .chain(&self.post_logout_redirect_uris)
        {
            check_uri(uri).with_context(|| format!("oidc client {id:?}"))?;
        }
        match self.token_endpoint_auth_method {
            AuthMethod::ClientSecretBasic => {
                let ok = self
                    .client_secret_sha256
                    .as_deref()
                    .is_some_and(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()));
                if !ok {
                    bail!(
                        "oidc client {id:?} (client_secret_basic) needs client_secret_sha256 (64 hex digits)"
                    );
                }
            }
            AuthMethod::PrivateKeyJwt => {
                if self.jwks_file.is_none() {
                    bail!("oidc client {id:?} (private_key_jwt) needs jwks_file");
                }
            }
        }
        Ok(())
    }

    /// The pairwise sector: configured, or the first redirect URI's host.
    pub fn sector(&self) -> String {
        self.sector.clone().unwrap_or_else(|| {
            self.redirect_uris
                .first()
                .and_then(|u| url::Url::parse(u).ok())
                .and_then(|u| u.host_str().map(str::to_owned))
                .unwrap_or_else(|| self.client_id.clone())
        })
    }
}

/// A verification key of a client, with the algorithm it is for.
#[derive(Clone)]
pub struct ClientKey {
    /// `kid`, when the JWK has one.
    pub kid: Option<String>,
    /// ES256 or RS256.
    pub alg: Algorithm,
    /// The key.
    pub key: DecodingKey,
}

/// A client as the server uses it: its configuration and loaded keys.
#[derive(Clone)]
pub struct RegisteredClient {
    /// The configuration.
    pub config: ClientConfig,
    /// Its keys (`private_key_jwt`).
    pub keys: Vec<ClientKey>,
}

impl RegisteredClient {
    /// Loads a client's JWKS file (relative to the configuration file).
    pub fn load(config: &ClientConfig, server: &Config) -> anyhow::Result<RegisteredClient> {
        let mut keys = Vec::new();
        if let Some(file) = &config.jwks_file {
            let path = server.resolve(file);
            keys = load_jwks(&path).with_context(|| {
                format!("oidc client {:?}: {}", config.client_id, path.display())
            })?;
        }
        Ok(RegisteredClient {
            config: config.clone(),
            keys,
        })
    }

    /// Whether `uri` is one of its redirect URIs (exactly).
    pub fn allows_redirect(&self, uri: &str) -> bool {
        self.config.redirect_uris.iter().any(|u| u == uri)
    }
}

/// Reads a JWKS file: its EC P-256 keys (ES256) and RSA keys (RS256).
pub fn load_jwks(path: &Path) -> anyhow::Result<Vec<ClientKey>> {
    let size = std::fs::metadata(path)
        .with_context(|| format!("cannot read {}", path.display()))?
        .len();
    if size > MAX_JWKS_FILE {
        bail!("larger than {MAX_JWKS_FILE} bytes");
    }
    let text = std::fs::read_to_string(path)?;
    let set: JwkSet = serde_json::from_str(&text).context("not a JWKS (JSON Web Key Set)")?;
    let mut keys = Vec::new();
    for jwk in &set.keys {
        let alg = match &jwk.algorithm {
            AlgorithmParameters::EllipticCurve(_) => Algorithm::ES256,
            AlgorithmParameters::RSA(_) => Algorithm::RS256,
            _ => bail!("only EC P-256 (ES256) and RSA (RS256) keys are accepted"),
        };
        let key = DecodingKey::from_jwk(jwk).context("a key of the JWKS is unusable")?;
        keys.push(ClientKey {
            kid: jwk.common.key_id.clone(),
            alg,
            key,
        });
    }
    if keys.is_empty() {
        bail!("the JWKS has no keys");
    }
    Ok(keys)
}

/// SHA-256 (hex) of a client secret, as the configuration keeps it.
pub fn secret_hash(secret: &str) -> String {
    hex_lower(&Sha256::digest(secret.as_bytes()))
}

fn hex_lower(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn invalid_client(description: &str) -> OAuthError {
    OAuthError::new(Code::InvalidClient, description)
}

/// What a client assertion says (RFC 7523 §3).
#[derive(Deserialize)]
struct AssertionClaims {
    iss: String,
    sub: String,
    aud: Audience,
    exp: i64,
    #[serde(default)]
    iat: Option<i64>,
    jti: String,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(Vec<String>),
}

impl Audience {
    fn contains(&self, value: &str) -> bool {
        match self {
            Audience::One(a) => a == value,
            Audience::Many(all) => all.iter().any(|a| a == value),
        }
    }
}

/// The client credentials a token request carries.
pub struct Credentials<'a> {
    /// The `Authorization` header.
    pub headers: &'a HeaderMap,
    /// `client_id` in the form, if any.
    pub client_id: Option<&'a str>,
    /// `client_assertion_type` in the form, if any.
    pub assertion_type: Option<&'a str>,
    /// `client_assertion` in the form, if any.
    pub assertion: Option<&'a str>,
}

impl super::Provider {
    /// Authenticates the client of a token request; returns it.
    pub async fn authenticate(
        &self,
        store: &dyn Store,
        credentials: &Credentials<'_>,
        now: i64,
    ) -> Result<&RegisteredClient, OAuthError> {
        let basic = credentials.headers.get(header::AUTHORIZATION);
        match (basic, credentials.assertion) {
            (Some(_), Some(_)) => Err(OAuthError::new(
                Code::InvalidRequest,
                "more than one client authentication method",
            )),
            (Some(value), None) => {
                let value = value
                    .to_str()
                    .map_err(|_| invalid_client("malformed Authorization"))?;
                self.basic(value, credentials.client_id)
            }
            (None, Some(assertion)) => {
                if credentials.assertion_type != Some(ASSERTION_TYPE) {
                    return Err(OAuthError::new(
                        Code::InvalidRequest,
                        "client_assertion_type must be the JWT bearer type",
                    ));
                }
                self.private_key_jwt(store, assertion, credentials.client_id, now)
                    .await
            }
            (None, None) => Err(invalid_client("no client authentication")),
        }
    }

    fn basic(
        &self,
        header: &str,
        form_client_id: Option<&str>,
    ) -> Result<&RegisteredClient, OAuthError> {
        let (scheme, encoded) = header
            .split_once(' ')
            .ok_or_else(|| invalid_client("malformed Authorization"))?;
        if !scheme.eq_ignore_ascii_case("basic") {
            return Err(invalid_client("unsupported Authorization scheme"));
        }
        let decoded = STANDARD
            .decode(encoded.trim())
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or_else(|| invalid_client("malformed Basic credentials"))?;
        let (id, secret) = decoded
            .split_once(':')
            .ok_or_else(|| invalid_client("malformed Basic credentials"))?;
        // RFC 6749 §2.3.1: both are form-urlencoded before Basic encoding.
        let decode = |s: &str| -> String {
            url::form_urlencoded::parse(format!("x={s}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        };
        let (id, secret) = (decode(id), decode(secret));
        if form_client_id.is_some_and(|f| f != id) {
            return Err(OAuthError::new(
                Code::InvalidRequest,
                "client_id differs from the authenticated client",
            ));
        }
        let client = self
            .clients
            .get(&id)
            .ok_or_else(|| invalid_client("unknown client or wrong secret"))?;
        if client.config.token_endpoint_auth_method != AuthMethod::ClientSecretBasic {
            return Err(OAuthError::new(
                Code::UnauthorizedClient,
                "this client is registered for private_key_jwt",
            ));
        }
        // Comparing hashes: the time taken says nothing about the secret.
        let expected = client.config.client_secret_sha256.as_deref().unwrap_or("");
        if !secret_hash(&secret).eq_ignore_ascii_case(expected) {
            return Err(invalid_client("unknown client or wrong secret"));
        }
        Ok(client)
    }

    async fn private_key_jwt(
        &self,
        store: &dyn Store,
        assertion: &str,
        form_client_id: Option<&str>,
        now: i64,
    ) -> Result<&RegisteredClient, OAuthError> {
        if assertion.len() > MAX_ASSERTION {
            return Err(invalid_client("client_assertion is too large"));
        }
        let header = jsonwebtoken::decode_header(assertion)
            .map_err(|_| invalid_client("client_assertion is not a JWT"))?;
        if !matches!(header.alg, Algorithm::ES256 | Algorithm::RS256) {
            return Err(invalid_client("client_assertion must be ES256 or RS256"));
        }
        // Which client it claims to be, read before verifying: only to pick its keys.
        let unverified = jsonwebtoken::dangerous::insecure_decode::<AssertionClaims>(assertion)
            .map_err(|_| invalid_client("client_assertion lacks iss, sub, aud, exp or jti"))?
            .claims;
        let id = unverified.iss.as_str();
        if form_client_id.is_some_and(|f| f != id) {
            return Err(invalid_client(
                "client_id differs from the assertion's issuer",
            ));
        }
        let client = self
            .clients
            .get(id)
            .ok_or_else(|| invalid_client("unknown client"))?;
        if client.config.token_endpoint_auth_method != AuthMethod::PrivateKeyJwt {
            return Err(OAuthError::new(
                Code::UnauthorizedClient,
                "this client is registered for client_secret_basic",
            ));
        }
        let mut validation = Validation::new(header.alg);
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        let claims = client
            .keys
            .iter()
            .filter(|k| k.alg == header.alg)
            .filter(|k| header.kid.is_none() || k.kid.is_none() || k.kid == header.kid)
            .find_map(|k| {
                jsonwebtoken::decode::<AssertionClaims>(assertion, &k.key, &validation).ok()
            })
            .ok_or_else(|| invalid_client("client_assertion signature does not verify"))?
            .claims;
        if claims.iss != client.config.client_id || claims.sub != client.config.client_id {
            return Err(invalid_client(
                "client_assertion iss and sub must be the client id",
            ));
        }
        if !claims.aud.contains(&self.endpoint("/token")) {
            return Err(invalid_client(
                "client_assertion aud must be the token endpoint",
            ));
        }
        if claims.exp + ASSERTION_SKEW <= now {
            return Err(invalid_client("client_assertion expired"));
        }
        if claims.exp > now + MAX_ASSERTION_LIFETIME + ASSERTION_SKEW {
            return Err(invalid_client(
                format!("client_assertion exp is more than {MAX_ASSERTION_LIFETIME} s ahead")
                    .as_str(),
            ));
        }
        if claims.iat.is_some_and(|iat| iat > now + ASSERTION_SKEW) {
            return Err(invalid_client("client_assertion issued in the future"));
        }
        if claims.jti.is_empty() || claims.jti.len() > MAX_JTI {
            return Err(invalid_client("client_assertion jti is empty or too long"));
        }
        // Each jti once, remembered (in Redis when shared) until the assertion expires.
        let keep = u64::try_from(claims.exp + ASSERTION_SKEW - now)
            .unwrap_or(1)
            .max(1);
        let key = format!(
            "{}:{}",
            client.config.client_id,
            URL_SAFE_NO_PAD.encode(Sha256::digest(claims.jti.as_bytes()))
        );
        if !store
            .put_new("oidc-jti", &key, "1", Some(Duration::from_secs(keep)))
            .await?
        {
            return Err(invalid_client(
                "client_assertion replayed (jti already used)",
            ));
        }
        Ok(client)
    }
}

/// Appends a client to the configuration file `path`: the new `[[oidc.clients]]` table is
/// added at the end (comments and layout kept), the whole file checked to parse, and written
/// through a temporary file renamed into place, so a reader never sees half a file.
pub fn add_to_file(path: &Path, client: &ClientConfig) -> anyhow::Result<()> {
    client.check()?;
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let existing = Config::parse(&text).with_context(|| format!("in {}", path.display()))?;
    if existing
        .oidc
        .clients
        .iter()
        .any(|c| c.client_id == client.client_id)
    {
        bail!("a client {:?} is already registered", client.client_id);
    }
    #[derive(Serialize)]
    struct Tables<'a> {
        oidc: Clients<'a>,
    }
    #[derive(Serialize)]
    struct Clients<'a> {
        clients: [&'a ClientConfig; 1],
    }
    let table = toml::to_string(&Tables {
        oidc: Clients { clients: [client] },
    })?;
    let mut new_text = text.clone();
    if !new_text.ends_with('\n') {
        new_text.push('\n');
    }
    new_text.push('\n');
    new_text.push_str(&table);
    Config::parse(&new_text).context("the file would no longer parse with the new client")?;
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    let dir = dir.unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".kazasu-rp-config")
        .tempfile_in(dir)?;
    use std::io::Write as _;
    tmp.write_all(new_text.as_bytes())?;
    tmp.as_file().sync_all()?;
    if let Ok(meta) = std::fs::metadata(path) {
        std::fs::set_permissions(tmp.path(), meta.permissions())?;
    }
    tmp.persist(path)
        .with_context(|| format!("cannot replace {}", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> ClientConfig {
        ClientConfig {
            client_id: "demo".into(),
            name: Some("Demo".into()),
            redirect_uris: vec!["http://127.0.0.1:5000/callback".into()],
            post_logout_redirect_uris: vec![],
            token_endpoint_auth_method: AuthMethod::ClientSecretBasic,
            client_secret_sha256: Some(secret_hash("s3cret")),
            jwks_file: None,
            sector: None,
        }
    }

    #[test]
    fn entries_are_checked() {
        assert!(client().check().is_ok());
        assert_eq!(client().sector(), "127.0.0.1");
        let mut c = client();
        c.redirect_uris = vec!["http://x/cb#frag".into()];
        assert!(c.check().is_err());
        let mut c = client();
        c.client_id = "a b".into();
        assert!(c.check().is_err());
        let mut c = client();
        c.token_endpoint_auth_method = AuthMethod::PrivateKeyJwt;
        assert!(c.check().is_err(), "private_key_jwt without keys");
    }

    #[test]
    fn a_client_is_added_to_the_file_atomically_and_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rp.toml");
        std::fs::write(
            &path,
            "# my comment\nrp_id = \"x\"\ntrust_anchors = [\"a.pem\"]\n",
        )
        .unwrap();
        add_to_file(&path, &client()).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("# my comment\n"), "{text}");
        let config = Config::parse(&text).unwrap();
        assert_eq!(config.oidc.clients.len(), 1);
        assert_eq!(config.oidc.clients[0].client_id, "demo");
        assert!(add_to_file(&path, &client()).is_err(), "registered twice");
        let mut other = client();
        other.client_id = "other".into();
        add_to_file(&path, &other).unwrap();
        let config = Config::load(&path).unwrap();
        assert_eq!(config.oidc.clients.len(), 2);
    }
}
