//! Shared test fixtures: one simulated card issued per test binary (RSA key generation is slow),
//! copied into a fresh directory per test; a kazasu-rp served in-process on a loopback port;
//! card and device assertions made with the core.

#![allow(clippy::unwrap_used)] // test helpers: a panic is the failure report
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use kazasu_core::login::{Assertion, Challenge};
use kazasu_core::pin::{Pin, PinKind};
use kazasu_rp::{App, Config};
use kazasu_sim::{CaKind, HolderProfile, IssueOptions, Jlis, SimTransport};
use serde_json::{Value, json};

/// The sample card's authentication PIN.
pub const AUTH_PIN: &str = "1234";
/// The origin the test servers issue challenges for.
pub const ORIGIN: &str = "https://rp.example";

/// The card issued once for this test binary.
fn template() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::Builder::new()
            .prefix("kazasu-rp-card")
            .tempdir()
            .expect("temp dir")
            .keep();
        kazasu_sim::issue_card(
            &dir.join("card.json"),
            &HolderProfile::sample(),
            &IssueOptions::default(),
        )
        .expect("issue a card");
        dir
    })
}

/// A test's own directory, holding a copy of the card (`card.json` and its J-LIS).
pub struct Setup {
    pub dir: tempfile::TempDir,
}

impl Setup {
    /// A fresh copy of the card.
    pub fn new() -> Setup {
        let dir = tempfile::tempdir().expect("temp dir");
        for entry in std::fs::read_dir(template()).expect("card dir") {
            let entry = entry.expect("entry");
            if entry.file_type().expect("type").is_file() {
                std::fs::copy(entry.path(), dir.path().join(entry.file_name())).expect("copy");
            }
        }
        Setup { dir }
    }

    pub fn card(&self) -> PathBuf {
        self.dir.path().join("card.json")
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes the CA certificate and current CRL of `ca` as `<name>-ca.der` and `<name>-crl.der`.
    pub fn export(&self, ca: CaKind, name: &str) {
        let jlis = Jlis::for_card(&self.card()).expect("jlis");
        std::fs::write(self.path(&format!("{name}-ca.der")), jlis.ca_cert_der(ca)).expect("ca");
        std::fs::write(
            self.path(&format!("{name}-crl.der")),
            jlis.crl_der(ca).expect("crl"),
        )
        .expect("crl");
    }

    /// Writes `kazasu-rp.toml` trusting the card's authentication CA, plus `extra` lines, and loads it.
    pub fn config(&self, extra: &str) -> Config {
        self.export(CaKind::Auth, "auth");
        self.config_with(
            "trust_anchors = [\"auth-ca.der\"]\ncrls = [\"auth-crl.der\"]\n",
            extra,
        )
    }

    /// Writes `kazasu-rp.toml` with the given trust lines plus `extra`, and loads it.
    pub fn config_with(&self, trust: &str, extra: &str) -> Config {
        let text = format!(
            "listen = \"127.0.0.1:0\"\nrp_id = \"rp.example\"\norigin = \"{ORIGIN}\"\n\
             session_key = \"session-key.pem\"\n{trust}{extra}\n"
        );
        let path = self.path("kazasu-rp.toml");
        std::fs::write(&path, text).expect("config");
        Config::load(&path).expect("load config")
    }
}

/// A kazasu-rp served in-process on a loopback port; stopped when dropped.
pub struct Server {
    pub url: String,
    pub app: App,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl Server {
    pub async fn start(config: Config) -> Server {
        Server::start_with(config, None).await
    }

    /// A server over a store the test made (small limits, say).
    pub async fn start_with_store(
        config: Config,
        store: std::sync::Arc<dyn kazasu_rp::Store>,
    ) -> Server {
        Server::start_with(config, Some(store)).await
    }

    async fn start_with(
        config: Config,
        store: Option<std::sync::Arc<dyn kazasu_rp::Store>>,
    ) -> Server {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let app = match store {
            Some(store) => App::with_store(config, addr, store).await,
            None => App::new(config, addr).await,
        }
        .expect("app");
        let task = tokio::spawn(app.clone().serve(listener, std::future::pending()));
        Server {
            url: format!("http://{addr}"),
            app,
            task,
        }
    }

    pub fn at(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    /// `POST /v1/login/challenge`.
    pub async fn challenge(&self) -> Challenge {
        self.challenge_at("/v1/login/challenge").await
    }

    /// `POST /v1/login/challenge` as the login page does: the challenge, and the cookie
    /// (`name=value`) the reply set for this browser, with the whole Set-Cookie line.
    pub async fn browser_challenge(&self) -> (Challenge, String, String) {
        let r = client()
            .post(self.at("/v1/login/challenge"))
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .expect("challenge");
        assert_eq!(r.status(), 201);
        let set_cookie = r
            .headers()
            .get("set-cookie")
            .expect("the challenge reply sets the browser's cookie")
            .to_str()
            .unwrap()
            .to_owned();
        let pair = set_cookie.split(';').next().unwrap().trim().to_owned();
        let body: Value = r.json().await.expect("json");
        let challenge = serde_json::from_value(body["challenge"].clone()).expect("challenge");
        (challenge, pair, set_cookie)
    }

    /// `GET path` with a `Cookie` header: (status, Cache-Control, JSON body).
    pub async fn get_with_cookie(&self, path: &str, cookie: Option<&str>) -> (u16, String, Value) {
        let mut request = client().get(self.at(path));
        if let Some(c) = cookie {
            request = request.header("cookie", c);
        }
        let r = request.send().await.expect("get");
        let status = r.status().as_u16();
        let cache = r
            .headers()
            .get("cache-control")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        (status, cache, r.json().await.unwrap_or(Value::Null))
    }

    /// `POST /v1/device/challenge`.
    pub async fn device_challenge(&self) -> Challenge {
        self.challenge_at("/v1/device/challenge").await
    }

    async fn challenge_at(&self, path: &str) -> Challenge {
        let r = client()
            .post(self.at(path))
            .send()
            .await
            .expect("challenge");
        assert_eq!(r.status(), 201);
        let body: Value = r.json().await.expect("json");
        assert_eq!(
            body["challenge_url"],
            json!(format!(
                "{}/v1/login/challenge/{}",
                self.url,
                body["challenge"]["nonce"].as_str().unwrap()
            ))
        );
        serde_json::from_value(body["challenge"].clone()).expect("challenge")
    }

    /// `POST` a finish request; returns the status and the JSON body.
    /// A whole device login with `key`: a device challenge, signed, then finished.
    pub async fn device_login(&self, key: &p256::ecdsa::SigningKey) -> (u16, Value) {
        let challenge = self.device_challenge().await;
        let assertion = device_login(key, &challenge);
        self.finish("/v1/device/finish", &challenge.nonce, &assertion)
            .await
    }

    pub async fn finish(&self, path: &str, nonce: &str, assertion: &Assertion) -> (u16, Value) {
        self.post_json(path, &json!({ "nonce": nonce, "assertion": assertion }))
            .await
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> (u16, Value) {
        let r = client()
            .post(self.at(path))
            .json(body)
            .send()
            .await
            .expect("post");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (u16, Value) {
        let mut request = client().get(self.at(path));
        if let Some(t) = token {
            request = request.bearer_auth(t);
        }
        let r = request.send().await.expect("get");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub fn client() -> reqwest::Client {
    reqwest::Client::new()
}

pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// A card login over the in-process simulated card, optionally binding a device key (SPKI DER),
/// from an app connected to the challenge's own origin.
pub async fn card_login(
    card: &Path,
    challenge: &Challenge,
    device_key: Option<Vec<u8>>,
) -> Assertion {
    card_login_from(card, challenge, &challenge.origin.clone(), device_key).await
}

/// A card login from an app connected to `origin`.
pub async fn card_login_from(
    card: &Path,
    challenge: &Challenge,
    origin: &str,
    device_key: Option<Vec<u8>>,
) -> Assertion {
    let card = card.to_path_buf();
    let challenge = challenge.clone();
    let origin = origin.to_owned();
    tokio::task::spawn_blocking(move || {
        let transport = SimTransport::open(&card).expect("open card");
        let pin = Pin::parse(PinKind::Auth, AUTH_PIN).expect("pin");
        kazasu_core::login::card_assertion(
            transport,
            &pin,
            &challenge,
            &origin,
            now(),
            device_key.as_deref(),
        )
        .expect("card assertion")
    })
    .await
    .expect("join")
}

/// A device login for `challenge` from an app connected to its origin.
pub fn device_login(key: &p256::ecdsa::SigningKey, challenge: &Challenge) -> Assertion {
    kazasu_core::login::device_assertion(key, challenge, &challenge.origin, now())
}

/// A fresh device key and its SPKI DER.
pub fn device_key() -> (p256::ecdsa::SigningKey, Vec<u8>) {
    use p256::pkcs8::EncodePublicKey;
    let key = p256::ecdsa::SigningKey::random(&mut rand::rngs::OsRng);
    let spki = key
        .verifying_key()
        .to_public_key_der()
        .expect("spki")
        .as_bytes()
        .to_vec();
    (key, spki)
}

/// Checks a session token against the server's JWKS: signature, then returns the claims.
pub async fn verify_with_jwks(server: &Server, token: &str) -> Value {
    use p256::ecdsa::signature::Verifier;
    let (status, jwks) = server.get("/.well-known/jwks.json", None).await;
    assert_eq!(status, 200);
    let jwk = &jwks["keys"][0];
    assert_eq!(jwk["kty"], "EC");
    assert_eq!(jwk["crv"], "P-256");
    assert_eq!(jwk["alg"], "ES256");
    assert_eq!(jwk["use"], "sig");
    let coord = |name: &str| URL_SAFE_NO_PAD.decode(jwk[name].as_str().unwrap()).unwrap();
    let mut sec1 = vec![4u8];
    sec1.extend(coord("x"));
    sec1.extend(coord("y"));
    let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(&sec1).expect("jwk key");
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3);
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
    assert_eq!(header["alg"], "ES256");
    assert_eq!(header["kid"], jwk["kid"]);
    let signature =
        p256::ecdsa::Signature::from_slice(&URL_SAFE_NO_PAD.decode(parts[2]).unwrap()).unwrap();
    key.verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &signature)
        .expect("token signature verifies against the JWKS");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap()
}

/// The twin of an ES256 signature (`r‖s`, base64url): `r‖(n−s)`, which verifies too.
pub fn high_s(signature: &str) -> String {
    use p256::FieldBytes;
    let bytes = URL_SAFE_NO_PAD.decode(signature).expect("base64url");
    let signature = p256::ecdsa::Signature::from_slice(&bytes).expect("signature");
    assert!(signature.normalize_s().is_none(), "made low-S");
    let (r, s) = signature.split_scalars();
    let twin = p256::ecdsa::Signature::from_scalars(FieldBytes::from(*r), FieldBytes::from(-*s))
        .expect("twin");
    assert!(twin.normalize_s().is_some(), "the twin is high-S");
    URL_SAFE_NO_PAD.encode(twin.to_bytes())
}
