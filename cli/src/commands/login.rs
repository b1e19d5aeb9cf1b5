//! `kazasu login URL`: the whole "log in with the card" flow against a relying party (`kazasu-rp`).
//!
//! The card is checked first (a locked PIN is refused before anything is sent), then the
//! challenge is fetched, the PIN typed, the client data signed, and the assertion posted.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result, anyhow};
use kazasu_core::JpkiApp;
use kazasu_core::login::{self, service::Service};
use kazasu_core::pin::PinKind;
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey, LineEnding};
use time::OffsetDateTime;

use crate::args::LoginArgs;
use crate::commands::pin::ask_jpki;
use crate::output;
use crate::prompt::PinSource;
use crate::session;

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
    let service = Service::parse(&args.url)?;
    let now = || OffsetDateTime::now_utc().unix_timestamp();

    let session = if args.device {
        let path = device_key_path(service.origin())?;
        let pem = std::fs::read_to_string(&path).with_context(|| {
            format!(
                "no device key for {} (log in with --bind-device first)",
                service.origin()
            )
        })?;
        let key = p256::ecdsa::SigningKey::from_pkcs8_pem(&pem)
            .map_err(|e| anyhow!("the device key at {} is unreadable: {e}", path.display()))?;
        let challenge = service.fetch_device_challenge()?;
        let assertion = login::device_assertion(&key, &challenge, service.origin(), now());
        service.finish_device(&challenge.nonce, &assertion)?
    } else {
        // The card first: a locked PIN or a missing card is found before the service is contacted.
        let mut link = session::open(reader, wait)?;
        let mut app = JpkiApp::select(&mut link)?;
        let mut source = PinSource::new(args.pin.pin_stdin);
        let pin = ask_jpki(&mut app, PinKind::Auth, &mut source)?;
        let challenge = service.fetch_challenge()?;
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
            service.origin(),
            now(),
            spki.as_deref(),
        )?;
        let session = service.finish_card(&challenge.nonce, &assertion)?;
        if let Some(key) = device_key {
            let path = device_key_path(service.origin())?;
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
                service.origin()
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
            service.origin(),
            session
                .serial
                .as_ref()
                .map(|s| format!(" as certificate {s}"))
                .unwrap_or_default()
        );
        Ok(())
    }
}
