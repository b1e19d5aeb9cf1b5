//! The client side of a login service (`kazasu-rp`) over HTTP: where a challenge comes from and where
//! the signed assertion goes. Shared by the CLI and the app so that both talk to the service alike.
//!
//! ```no_run
//! # fn main() -> Result<(), kazasu_core::login::service::ServiceError> {
//! use kazasu_core::login::service::Service;
//! let service = Service::parse("https://rp.example/v1/login/challenge/AAAA")?;
//! let challenge = service.fetch_challenge()?;
//! assert_eq!(service.origin(), "https://rp.example");
//! # let _ = challenge; Ok(()) }
//! ```

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{Assertion, Challenge};

/// The scheme of the links that open the Kazasu app on this computer.
pub const APP_SCHEME: &str = "kazasu";
/// How long to wait for the service.
const HTTP_TIMEOUT: Duration = Duration::from_secs(20);

/// Why talking to the login service failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServiceError {
    /// The text is not an `https://` (or `http://`) URL.
    #[error("{url:?} is not a login service URL: {reason}")]
    InvalidUrl {
        /// The text given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// No answer from the service (DNS, connection, TLS, time-out).
    #[error("cannot reach the service for {what}: {reason}")]
    Unreachable {
        /// What was being asked for (`a challenge`, `the login`).
        what: &'static str,
        /// What failed underneath.
        reason: String,
    },
    /// The service answered with an error status.
    #[error("the service refused {what} ({status}): {reason}")]
    Refused {
        /// What was being asked for.
        what: &'static str,
        /// The HTTP status.
        status: u16,
        /// The service's own words.
        reason: String,
    },
    /// The QR code's challenge is gone: expired or already used.
    #[error(
        "this login request has expired or was already used: reload the login page for a new QR code"
    )]
    ChallengeExpired,
    /// The service's answer is not what a `kazasu-rp` sends.
    #[error("the service sent a malformed {what}")]
    Malformed {
        /// Which answer.
        what: &'static str,
    },
}

/// A session the service granted.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Session {
    /// The bearer token (ES256 JWT); a secret.
    pub token: String,
    /// Unix time the session ends.
    pub expires_at: i64,
    /// The authentication certificate's serial (card logins).
    pub serial: Option<String>,
    /// The device binding's id (device logins, or a card login that bound a device).
    pub device_id: Option<String>,
}

/// A login service, from a base URL or from a challenge URL (the one in the service's QR code).
#[derive(Debug, Clone)]
pub struct Service {
    origin: String,
    base: url::Url,
    existing: Option<url::Url>,
    agent: ureq::Agent,
}

/// What an OpenID Connect authorization behind a challenge asks of the card: the service's name
/// and the personal claims its holder agreed, in the browser, to release (read from the signing
/// certificate with the signing PIN). No claims: the authentication PIN only.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct RequestInfo {
    /// The service, as registered with the provider.
    pub client: String,
    /// The claims to release (`name`, `address`, `birthdate`, `gender`).
    pub claims: Vec<String>,
}

#[derive(Deserialize)]
struct NewChallenge {
    challenge: Challenge,
}

impl Service {
    /// Parses `text`: `https://host[:port]` (a new challenge is requested) or
    /// `…/v1/login/challenge/<nonce>` (that challenge is fetched). `http` is accepted for local tests.
    /// The same-device link an OpenID Connect authorization page offers,
    /// `kazasu://login?url=<challenge URL>`, is read as the challenge URL it carries.
    pub fn parse(text: &str) -> Result<Service, ServiceError> {
        let invalid = |reason: &str| ServiceError::InvalidUrl {
            url: text.to_owned(),
            reason: reason.to_owned(),
        };
        let mut url = url::Url::parse(text.trim()).map_err(|e| invalid(&e.to_string()))?;
        if url.scheme() == APP_SCHEME {
            let inner = url
                .query_pairs()
                .find(|(k, _)| k == "url")
                .map(|(_, v)| v.into_owned())
                .ok_or_else(|| invalid("the kazasu:// link carries no url"))?;
            url = url::Url::parse(&inner).map_err(|e| invalid(&e.to_string()))?;
        }
        if !matches!(url.scheme(), "https" | "http") {
            return Err(invalid("only https (and http for local tests) can be used"));
        }
        if url.host().is_none() {
            return Err(invalid("it names no host"));
        }
        if url.path().starts_with("/oidc/") {
            // Opening it here would start another login, for this program, not the browser's.
            return Err(invalid(
                "this is the service's authorization page: open it in the browser, then give the \
                 URL under its QR code (or its \"Open Kazasu\" link)",
            ));
        }
        let origin = url.origin().ascii_serialization();
        let base = url::Url::parse(&origin).map_err(|e| invalid(&e.to_string()))?;
        let existing = url
            .path()
            .starts_with("/v1/login/challenge/")
            .then(|| url.clone());
        Ok(Service {
            origin,
            base,
            existing,
            agent: ureq::AgentBuilder::new().timeout(HTTP_TIMEOUT).build(),
        })
    }

    /// Scheme, host and port: the origin this client actually talks to, which the card signs.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The challenge for a card login: the QR code's one, or a new one.
    pub fn fetch_challenge(&self) -> Result<Challenge, ServiceError> {
        let challenge = match &self.existing {
            Some(url) => match self.agent.get(url.as_str()).call() {
                Ok(response) => response
                    .into_json::<Challenge>()
                    .map_err(|_| ServiceError::Malformed { what: "challenge" })?,
                Err(ureq::Error::Status(404 | 410, _)) => {
                    return Err(ServiceError::ChallengeExpired);
                }
                Err(e) => return Err(http_error(e, "the challenge")),
            },
            None => self.new_challenge("/v1/login/challenge")?,
        };
        checked(challenge)
    }

    /// For a challenge URL from an OpenID Connect authorization page: who asks and which personal
    /// claims the holder agreed to release; `None` for a plain login (no authorization behind it).
    pub fn request_info(&self) -> Result<Option<RequestInfo>, ServiceError> {
        let Some(nonce) = self.existing.as_ref().and_then(|u| {
            u.path()
                .strip_prefix("/v1/login/challenge/")
                .map(str::to_owned)
        }) else {
            return Ok(None);
        };
        let url = self.url(&format!("/oidc/request/{nonce}"));
        match self.agent.get(url.as_str()).call() {
            Ok(response) => {
                response
                    .into_json::<RequestInfo>()
                    .map(Some)
                    .map_err(|_| ServiceError::Malformed {
                        what: "authorization request",
                    })
            }
            Err(ureq::Error::Status(404, _)) => Ok(None),
            Err(e) => Err(http_error(e, "the authorization request")),
        }
    }

    /// A new challenge for a bound device's login (no card).
    pub fn fetch_device_challenge(&self) -> Result<Challenge, ServiceError> {
        checked(self.new_challenge("/v1/device/challenge")?)
    }

    /// Posts a card login's assertion; the session on success.
    pub fn finish_card(&self, nonce: &str, assertion: &Assertion) -> Result<Session, ServiceError> {
        self.finish("/v1/login/finish", nonce, assertion)
    }

    /// Posts a card login's assertion with a link proof made with the signing key (see
    /// [`crate::login::link`]): the service links this authentication certificate to the
    /// account of the holder the signing certificate names.
    pub fn finish_card_linked(
        &self,
        nonce: &str,
        assertion: &Assertion,
        link: &Assertion,
    ) -> Result<Session, ServiceError> {
        self.agent
            .post(self.url("/v1/login/finish").as_str())
            .send_json(serde_json::json!({ "nonce": nonce, "assertion": assertion, "link": link }))
            .map_err(|e| http_error(e, "the login"))?
            .into_json::<Session>()
            .map_err(|_| ServiceError::Malformed { what: "session" })
    }

    /// Posts a device login's assertion; the session on success.
    pub fn finish_device(
        &self,
        nonce: &str,
        assertion: &Assertion,
    ) -> Result<Session, ServiceError> {
        self.finish("/v1/device/finish", nonce, assertion)
    }

    fn new_challenge(&self, path: &str) -> Result<Challenge, ServiceError> {
        Ok(self
            .agent
            .post(self.url(path).as_str())
            .send_json(serde_json::json!({}))
            .map_err(|e| http_error(e, "a challenge"))?
            .into_json::<NewChallenge>()
            .map_err(|_| ServiceError::Malformed { what: "challenge" })?
            .challenge)
    }

    fn finish(
        &self,
        path: &str,
        nonce: &str,
        assertion: &Assertion,
    ) -> Result<Session, ServiceError> {
        self.agent
            .post(self.url(path).as_str())
            .send_json(serde_json::json!({ "nonce": nonce, "assertion": assertion }))
            .map_err(|e| http_error(e, "the login"))?
            .into_json::<Session>()
            .map_err(|_| ServiceError::Malformed { what: "session" })
    }

    fn url(&self, path: &str) -> url::Url {
        let mut url = self.base.clone();
        url.set_path(path);
        url
    }
}

fn checked(challenge: Challenge) -> Result<Challenge, ServiceError> {
    if Challenge::is_nonce(&challenge.nonce) {
        Ok(challenge)
    } else {
        Err(ServiceError::Malformed { what: "challenge" })
    }
}

/// Turns an HTTP failure into the service's short reason.
fn http_error(e: ureq::Error, what: &'static str) -> ServiceError {
    match e {
        ureq::Error::Status(status, response) => ServiceError::Refused {
            what,
            status,
            reason: response
                .into_json::<serde_json::Value>()
                .ok()
                .and_then(|v| v["error"].as_str().map(str::to_owned))
                .unwrap_or_default(),
        },
        ureq::Error::Transport(t) => ServiceError::Unreachable {
            what,
            reason: t.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_and_challenge_urls_give_the_origin_the_card_signs() {
        let base = Service::parse("https://rp.example:8443/some/page?x=1").unwrap();
        assert_eq!(base.origin(), "https://rp.example:8443");
        assert!(base.existing.is_none());
        let qr = Service::parse("http://127.0.0.1:9/v1/login/challenge/abc").unwrap();
        assert_eq!(qr.origin(), "http://127.0.0.1:9");
        assert!(qr.existing.is_some());
    }

    #[test]
    fn the_same_device_link_names_its_challenge_url() {
        let link = "kazasu://login?url=http%3A%2F%2F127.0.0.1%3A9%2Fv1%2Flogin%2Fchallenge%2Fabc";
        let service = Service::parse(link).unwrap();
        assert_eq!(service.origin(), "http://127.0.0.1:9");
        assert!(service.existing.is_some());
        for bad in [
            "kazasu://login",
            "kazasu://login?url=ftp%3A%2F%2Fx",
            "kazasu://login?url=kazasu%3A%2F%2Fx",
            "http://127.0.0.1:9/oidc/authorize?client_id=x",
        ] {
            assert!(Service::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn only_http_urls_are_services() {
        for bad in ["", "rp.example", "ftp://rp.example", "file:///etc/passwd"] {
            assert!(
                matches!(Service::parse(bad), Err(ServiceError::InvalidUrl { .. })),
                "{bad}"
            );
        }
    }
}
