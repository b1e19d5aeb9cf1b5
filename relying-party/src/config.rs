//! The server's configuration: one TOML file naming the relying party, the CAs it trusts,
//! where its CRLs (and OCSP answers) come from, its session key and (optionally) a shared Redis store.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};

fn default_listen() -> String {
    "127.0.0.1:8080".to_owned()
}
fn default_crl_refresh() -> u64 {
    300
}
fn default_session_key() -> PathBuf {
    PathBuf::from("session-key.pem")
}
fn default_session_ttl() -> i64 {
    3600
}
fn default_challenge_ttl() -> i64 {
    120
}
fn default_max_skew() -> i64 {
    60
}

/// What `kazasu-rp.toml` says. Relative paths are relative to the file's directory.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Address to listen on (`host:port`; port 0 picks a free one).
    #[serde(default = "default_listen")]
    pub listen: String,
    /// The URL people reach this server at, used in `challenge_url`; absent: `http://` and the
    /// bound address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_url: Option<String>,
    /// The relying party's id (its domain), put in challenges and tokens.
    pub rp_id: String,
    /// The origin challenges are issued for; absent: the public URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// Origins a login may come from (a challenge request may pick one); absent: `origin` only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowed_origins: Vec<String>,
    /// Trusted authentication CA certificates (PEM or DER files; several generations allowed).
    pub trust_anchors: Vec<PathBuf>,
    /// CRL sources: files, or `http://` URLs, re-read every `crl_refresh_seconds`.
    #[serde(default)]
    pub crls: Vec<String>,
    /// How often the CRLs are re-read.
    #[serde(default = "default_crl_refresh")]
    pub crl_refresh_seconds: u64,
    /// Revocation evidence besides the CRLs (`[revocation]`): an OCSP responder.
    #[serde(default, skip_serializing_if = "RevocationConfig::is_empty")]
    pub revocation: RevocationConfig,
    /// The session signing key (P-256, PKCS#8 PEM); made (mode 0600) if missing.
    #[serde(default = "default_session_key")]
    pub session_key: PathBuf,
    /// How long a session token is valid.
    #[serde(default = "default_session_ttl")]
    pub session_ttl_seconds: i64,
    /// How long a challenge is valid.
    #[serde(default = "default_challenge_ttl")]
    pub challenge_ttl_seconds: i64,
    /// Tolerated clock difference between the app and the server.
    #[serde(default = "default_max_skew")]
    pub max_skew_seconds: i64,
    /// A Redis shared by several instances (`redis://host:port/`); absent: in-memory store.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redis_url: Option<String>,
    /// The OpenID Connect provider (`[oidc]`, with `[[oidc.clients]]`).
    #[serde(default)]
    pub oidc: crate::oidc::OidcConfig,
    /// The directory relative paths are resolved against (the config file's).
    #[serde(skip)]
    pub base_dir: PathBuf,
}

/// `[revocation]`: where a login's revocation answer may come from besides `crls`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevocationConfig {
    /// An OCSP responder asked at each card login, its answers cached until their nextUpdate:
    /// an `http://` or `https://` URL, or `"aia"` for the responder each certificate names.
    /// A login is good when the CRLs or this responder say "not revoked" and neither says
    /// revoked; an unreachable responder leaves the CRLs to decide.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ocsp: Option<String>,
}

/// The `[revocation] ocsp` value that means "the responder the certificate names".
pub const OCSP_FROM_CERTIFICATE: &str = "aia";

impl RevocationConfig {
    fn is_empty(&self) -> bool {
        self.ocsp.is_none()
    }

    fn check(&self) -> anyhow::Result<()> {
        match self.ocsp.as_deref() {
            None | Some(OCSP_FROM_CERTIFICATE) => Ok(()),
            Some(url) if url.starts_with("http://") || url.starts_with("https://") => Ok(()),
            Some(other) => bail!(
                "[revocation] ocsp = {other:?}: give an http:// or https:// URL, or \"{OCSP_FROM_CERTIFICATE}\""
            ),
        }
    }
}

impl Config {
    /// Reads and checks a configuration file.
    pub fn load(path: &Path) -> anyhow::Result<Config> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let mut config = Config::parse(&text).with_context(|| format!("in {}", path.display()))?;
        config.base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Ok(config)
    }

    /// Parses configuration text (relative paths stay relative to the current directory).
    pub fn parse(text: &str) -> anyhow::Result<Config> {
        let config: Config = toml::from_str(text)?;
        config.check()?;
        Ok(config)
    }

    fn check(&self) -> anyhow::Result<()> {
        if self.rp_id.is_empty() {
            bail!("rp_id must not be empty");
        }
        if self.trust_anchors.is_empty() {
            bail!("trust_anchors must name at least one authentication CA certificate");
        }
        if !(1..=90 * 86_400).contains(&self.session_ttl_seconds) {
            bail!("session_ttl_seconds must be between 1 and 7776000 (90 days)");
        }
        if !(1..=86_400).contains(&self.challenge_ttl_seconds) {
            bail!("challenge_ttl_seconds must be between 1 and 86400");
        }
        if !(0..=3_600).contains(&self.max_skew_seconds) {
            bail!("max_skew_seconds must be between 0 and 3600");
        }
        self.oidc.check()?;
        if self.crl_refresh_seconds == 0 {
            bail!("crl_refresh_seconds must be positive");
        }
        self.revocation.check()?;
        if let (Some(origin), false) = (&self.origin, self.allowed_origins.is_empty())
            && !self.allowed_origins.contains(origin)
        {
            bail!("origin {origin:?} is not in allowed_origins: every login would be refused");
        }
        Ok(())
    }

    /// `path` resolved against the config file's directory.
    pub fn resolve(&self, path: &Path) -> PathBuf {
        if path.is_absolute() {
            path.to_path_buf()
        } else {
            self.base_dir.join(path)
        }
    }

    /// The public URL: the configured one, or `http://` and the bound address.
    pub fn public_url_for(&self, bound: std::net::SocketAddr) -> String {
        match &self.public_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => format!("http://{bound}"),
        }
    }

    /// A starting configuration for `kazasu-rp gen-config` (TOML text).
    pub fn example(
        auth_ca: &Path,
        crl: &Path,
        redis_url: Option<&str>,
        listen: &str,
    ) -> anyhow::Result<String> {
        let absolute = |p: &Path| -> anyhow::Result<PathBuf> {
            std::path::absolute(p).with_context(|| format!("cannot resolve {}", p.display()))
        };
        let url = match listen.parse::<std::net::SocketAddr>() {
            Ok(addr) if addr.port() != 0 => format!("http://{addr}"),
            Ok(_) => bail!("gen-config needs a fixed port in --listen (the URL goes in the file)"),
            Err(_) => bail!("--listen must be host:port, e.g. 127.0.0.1:8080"),
        };
        let config = Config {
            listen: listen.to_owned(),
            public_url: Some(url.clone()),
            rp_id: "localhost".to_owned(),
            origin: Some(url.clone()),
            allowed_origins: vec![url],
            trust_anchors: vec![absolute(auth_ca)?],
            crls: vec![absolute(crl)?.display().to_string()],
            crl_refresh_seconds: default_crl_refresh(),
            revocation: RevocationConfig::default(),
            session_key: default_session_key(),
            session_ttl_seconds: default_session_ttl(),
            challenge_ttl_seconds: default_challenge_ttl(),
            max_skew_seconds: default_max_skew(),
            redis_url: redis_url.map(str::to_owned),
            oidc: crate::oidc::OidcConfig::default(),
            base_dir: PathBuf::new(),
        };
        let text = toml::to_string_pretty(&config)?;
        Ok(format!(
            "# kazasu-rp configuration (relative paths are relative to this file).\n{text}"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_checks() {
        let c = Config::parse("rp_id = \"localhost\"\ntrust_anchors = [\"ca.pem\"]\n").unwrap();
        assert_eq!(c.challenge_ttl_seconds, 120);
        assert_eq!(c.session_ttl_seconds, 3600);
        assert!(Config::parse("rp_id = \"x\"\ntrust_anchors = []\n").is_err());
        assert!(Config::parse("rp_id = \"x\"\ntrust_anchors = [\"a\"]\nbogus = 1\n").is_err());
        assert!(
            Config::parse(
                "rp_id = \"x\"\ntrust_anchors = [\"a\"]\norigin = \"https://a\"\nallowed_origins = [\"https://b\"]\n"
            )
            .is_err()
        );
    }

    #[test]
    fn an_ocsp_responder_is_a_url_or_the_certificates_own() {
        let base = "rp_id = \"x\"\ntrust_anchors = [\"a\"]\n";
        let c = Config::parse(&format!(
            "{base}[revocation]\nocsp = \"http://ocsp.example/\"\n"
        ))
        .unwrap();
        assert_eq!(c.revocation.ocsp.as_deref(), Some("http://ocsp.example/"));
        let c = Config::parse(&format!("{base}[revocation]\nocsp = \"aia\"\n")).unwrap();
        assert_eq!(c.revocation.ocsp.as_deref(), Some(OCSP_FROM_CERTIFICATE));
        assert!(Config::parse(&format!("{base}[revocation]\nocsp = \"ocsp.example\"\n")).is_err());
        assert!(Config::parse(&format!("{base}[revocation]\ncrl = \"x\"\n")).is_err());
        assert_eq!(
            Config::parse(base).unwrap().revocation,
            RevocationConfig::default()
        );
    }

    #[test]
    fn example_parses_back() {
        let text = Config::example(
            Path::new("ca.pem"),
            Path::new("crl.pem"),
            Some("redis://127.0.0.1:6379/"),
            "127.0.0.1:8080",
        )
        .unwrap();
        let c = Config::parse(&text).unwrap();
        assert_eq!(c.redis_url.as_deref(), Some("redis://127.0.0.1:6379/"));
        assert!(c.trust_anchors[0].is_absolute());
    }
}
