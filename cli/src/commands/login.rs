//! `kazasu login URL`: the whole "log in with the card" flow against a relying party (`kazasu-rp`).
//!
//! The card is checked first (a locked PIN is refused before anything is sent), then the
//! challenge is fetched, the PIN typed, the client data signed, and the assertion posted.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use kazasu_core::JpkiApp;
use kazasu_core::login::{self, Assertion, Challenge};
use kazasu_core::pin::PinKind;
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey, LineEnding};
use serde::Deserialize;
use time::OffsetDateTime;

use crate::args::LoginArgs;
use crate::commands::pin::ask_jpki;
use crate::output;
use crate::prompt::PinSource;
use crate::session;

/// How long to wait for the service.
const HTTP_TIMEOUT: Duration = Duration::from_secs(20);

/// Where the service is, and how to get a challenge from it.
struct Target {
    /// Scheme, host and port: the origin this client actually talks to.
    origin: String,
    /// `POST` here for a new challenge, or `GET` an existing one.
    challenge: ChallengeSource,
    base: url::Url,
}

enum ChallengeSource {
    New(url::Url),
    Existing(url::Url),
}

fn target(text: &str) -> Result<Target> {
    let url = url::Url::parse(text).with_context(|| format!("{text:?} is not a URL"))?;
    if !matches!(url.scheme(), "https" | "http") {
        bail!("{text:?}: only https (and http for local tests) URLs can be logged in to");
    }
    let origin = url.origin().ascii_serialization();
    let base = url::Url::parse(&origin)?;
    let challenge = if url.path().starts_with("/v1/login/challenge/") {
        ChallengeSource::Existing(url.clone())
    } else {
        ChallengeSource::New(base.join("/v1/login/challenge")?)
    };
    Ok(Target {
        origin,
        challenge,
        base,
    })
}

#[derive(Deserialize)]
struct NewChallenge {
    challenge: Challenge,
}

#[derive(Deserialize, serde::Serialize)]
struct Session {
    token: String,
    expires_at: i64,
    serial: Option<String>,
    device_id: Option<String>,
}

fn agent() -> ureq::Agent {
    ureq::AgentBuilder::new().timeout(HTTP_TIMEOUT).build()
}

/// Turns an HTTP error into the service's short reason.
fn http_error(e: ureq::Error, what: &str) -> anyhow::Error {
    match e {
        ureq::Error::Status(code, response) => {
            let reason = response
                .into_json::<serde_json::Value>()
                .ok()
                .and_then(|v| v["error"].as_str().map(str::to_owned))
                .unwrap_or_default();
            anyhow!("the service refused {what} ({code}): {reason}")
        }
        ureq::Error::Transport(t) => anyhow!("cannot reach the service for {what}: {t}"),
    }
}

fn fetch_challenge(agent: &ureq::Agent, target: &Target, device: bool) -> Result<Challenge> {
    let challenge = match &target.challenge {
        ChallengeSource::Existing(url) => match agent.get(url.as_str()).call() {
            Ok(response) => response.into_json::<Challenge>()?,
            Err(ureq::Error::Status(404 | 410, _)) => bail!(
                "this login request has expired or was already used: reload the login page for a new QR code"
            ),
            Err(e) => return Err(http_error(e, "the challenge")),
        },
        ChallengeSource::New(url) => {
            let url = if device {
                target.base.join("/v1/device/challenge")?
            } else {
                url.clone()
            };
            agent
                .post(url.as_str())
                .send_json(serde_json::json!({}))
                .map_err(|e| http_error(e, "a challenge"))?
                .into_json::<NewChallenge>()?
                .challenge
        }
    };
    if !Challenge::is_nonce(&challenge.nonce) {
        bail!("the service sent a malformed challenge");
    }
    Ok(challenge)
}

fn finish(
    agent: &ureq::Agent,
    target: &Target,
    path: &str,
    nonce: &str,
    assertion: &Assertion,
) -> Result<Session> {
    agent
        .post(target.base.join(path)?.as_str())
        .send_json(serde_json::json!({ "nonce": nonce, "assertion": assertion }))
        .map_err(|e| http_error(e, "the login"))?
        .into_json::<Session>()
        .context("the service's answer")
}

/// The device key for this service: `<data dir>/kazasu/devices/<origin>.pem`.
fn device_key_path(origin: &str) -> Result<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "kazasu")
        .ok_or_else(|| anyhow!("no data directory for the device key"))?;
    let name: String = origin
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    Ok(dirs.data_dir().join("devices").join(format!("{name}.pem")))
}

pub fn run(
    reader: &crate::reader::ReaderSpec,
    wait: Duration,
    args: &LoginArgs,
    json: bool,
) -> Result<()> {
    let target = target(&args.url)?;
    let agent = agent();
    let now = || OffsetDateTime::now_utc().unix_timestamp();

    let session = if args.device {
        let path = device_key_path(&target.origin)?;
        let pem = std::fs::read_to_string(&path).with_context(|| {
            format!(
                "no device key for {} (log in with --bind-device first)",
                target.origin
            )
        })?;
        let key = p256::ecdsa::SigningKey::from_pkcs8_pem(&pem)
            .map_err(|e| anyhow!("the device key at {} is unreadable: {e}", path.display()))?;
        let challenge = fetch_challenge(&agent, &target, true)?;
        let assertion = login::device_assertion(&key, &challenge, &target.origin, now());
        finish(
            &agent,
            &target,
            "/v1/device/finish",
            &challenge.nonce,
            &assertion,
        )?
    } else {
        // The card first: a locked PIN or a missing card is found before the service is contacted.
        let mut link = session::open(reader, wait)?;
        let mut app = JpkiApp::select(&mut link)?;
        let mut source = PinSource::new(args.pin.pin_stdin);
        let pin = ask_jpki(&mut app, PinKind::Auth, &mut source)?;
        let challenge = fetch_challenge(&agent, &target, false)?;
        let device_key = args
            .bind_device
            .then(|| p256::ecdsa::SigningKey::random(&mut rand::rngs::OsRng));
        let spki = device_key
            .as_ref()
            .map(|k| {
                k.verifying_key()
                    .to_public_key_der()
                    .map(|d| d.as_bytes().to_vec())
            })
            .transpose()
            .map_err(|e| anyhow!("making a device key: {e}"))?;
        let assertion = login::card_assertion(
            app.into_transport(),
            &pin,
            &challenge,
            &target.origin,
            now(),
            spki.as_deref(),
        )?;
        let session = finish(
            &agent,
            &target,
            "/v1/login/finish",
            &challenge.nonce,
            &assertion,
        )?;
        if let Some(key) = device_key {
            let path = device_key_path(&target.origin)?;
            let pem = key
                .to_pkcs8_pem(LineEnding::LF)
                .map_err(|e| anyhow!("encoding the device key: {e}"))?;
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            // Written through a temporary file made 0600: the key is readable by this user only.
            output::write_atomically(&path, pem.as_bytes())?;
            eprintln!(
                "This computer is now bound: `kazasu login {} --device` logs in without the card.",
                target.origin
            );
        }
        session
    };
    if json {
        output::json(&session)
    } else {
        let until = OffsetDateTime::from_unix_timestamp(session.expires_at)
            .map(|t| t.to_offset(kazasu_core::cert::JST).to_string())
            .unwrap_or_default();
        println!(
            "Logged in to {}{} (session until {until}).",
            target.origin,
            session
                .serial
                .as_ref()
                .map(|s| format!(" as certificate {s}"))
                .unwrap_or_default()
        );
        Ok(())
    }
}
