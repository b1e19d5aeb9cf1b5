//! `kazasu login URL`: the whole "log in with the card" flow against a relying party (`kazasu-rp`).
//!
//! The card is checked first (a locked PIN is refused before anything is sent), then the
//! challenge is fetched and the service it is for shown (its origin and relying-party id, so
//! that the person sees who asks before typing the PIN), the PIN typed, the client data
//! signed, and the assertion posted.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result, anyhow};
use kazasu_core::flows::LoginAttempt;
use kazasu_core::login::{self, service::Service};
use kazasu_core::pin::PinKind;
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey, LineEnding};
use time::OffsetDateTime;

use crate::args::LoginArgs;
use crate::commands::pin::show_tries;
use crate::output;
use crate::prompt::PinSource;
use crate::session;

/// Where device keys are kept: `<data dir>/kazasu/devices`.
fn devices_dir() -> Result<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "kazasu")
        .ok_or_else(|| anyhow!("no data directory for the device key"))?;
    Ok(dirs.data_dir().join("devices"))
}

/// The file-name prefix of this service's device keys: the origin made file-safe, and the start
/// of its SHA-256 hex, so that two origins the first part makes alike (`a-b` and `a_b`) differ.
fn origin_prefix(origin: &str) -> String {
    use sha2::Digest;
    let name: String = origin
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let hash = sha2::Sha256::digest(origin.as_bytes());
    let hex: String = hash[..6].iter().map(|b| format!("{b:02x}")).collect();
    format!("{name}-{hex}")
}

/// The device key of one account (the card's certificate serial, hex) at one service:
/// `<devices dir>/<origin prefix>.<serial>.pem`. Two cards bound at one service get two files.
fn device_key_path(origin: &str, account: &str) -> Result<PathBuf> {
    let account: String = account
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    if account.is_empty() {
        anyhow::bail!(
            "the service named no account (certificate serial) to keep the device key for"
        );
    }
    Ok(devices_dir()?.join(format!("{}.{account}.pem", origin_prefix(origin))))
}

/// The device key to log in to `origin` with: the one for `account`, or the only one there is.
fn find_device_key(origin: &str, account: Option<&str>) -> Result<PathBuf> {
    if let Some(account) = account {
        return device_key_path(origin, account);
    }
    let prefix = format!("{}.", origin_prefix(origin));
    let dir = devices_dir()?;
    let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&prefix) && n.ends_with(".pem"))
        })
        .collect();
    found.sort();
    match found.len() {
        0 => anyhow::bail!("no device key for {origin} (log in with --bind-device first)"),
        1 => Ok(found.remove(0)),
        _ => {
            let accounts: Vec<String> = found
                .iter()
                .filter_map(|p| {
                    p.file_stem()?
                        .to_str()?
                        .rsplit('.')
                        .next()
                        .map(str::to_owned)
                })
                .collect();
            anyhow::bail!(
                "several cards are bound to {origin} here: pick one with --account ({})",
                accounts.join(", ")
            )
        }
    }
}

pub fn run(
    reader: &crate::reader::ReaderSpec,
    wait: Duration,
    args: &LoginArgs,
    json: bool,
    trace: bool,
) -> Result<()> {
    let service = Service::parse(&args.url)?;
    let now = || OffsetDateTime::now_utc().unix_timestamp();

    let session = if args.device {
        let path = find_device_key(service.origin(), args.account.as_deref())?;
        let pem = std::fs::read_to_string(&path).with_context(|| {
            format!(
                "no device key for {} at {} (log in with --bind-device first)",
                service.origin(),
                path.display()
            )
        })?;
        let key = p256::ecdsa::SigningKey::from_pkcs8_pem(&pem)
            .map_err(|e| anyhow!("the device key at {} is unreadable: {e}", path.display()))?;
        let challenge = service.fetch_device_challenge()?;
        let assertion = login::device_assertion(&key, &challenge, service.origin(), now());
        service.finish_device(&challenge.nonce, &assertion)?
    } else {
        // An OpenID Connect authorization behind the QR code may ask for personal data the holder
        // agreed to release in the browser: shown here, and only then is the signing PIN asked.
        let info = service.request_info()?;
        let personal = info.as_ref().filter(|i| !i.claims.is_empty());
        if let Some(info) = personal {
            eprintln!(
                "{} asks for: {} (read from your signing certificate with your signing PIN).",
                info.client,
                info.claims.join(", ")
            );
        }
        let with_proof = args.link || personal.is_some();
        // The card first: a locked PIN or a missing card is found before the service is contacted.
        let mut link = session::open(reader, wait)?;
        let attempt = LoginAttempt::open(&mut link, service.clone())?;
        show_tries(PinKind::Auth, attempt.pin_status())?;
        let request = attempt.request()?;
        // Who asks, before the PIN: a QR code from a look-alike page names its own origin here.
        eprintln!(
            "Logging in to {} (relying party {:?}). Type your PIN only if this is the service you mean to log in to.",
            request.origin(),
            request.rp_id()
        );
        let mut source = PinSource::new(args.pin.pin_stdin);
        let pin = source.read(PinKind::Auth, &format!("{}", PinKind::Auth))?;
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
        let session = if with_proof {
            // Asked only for --link: without it no personal data leaves the card.
            let sign_pin = source.read(PinKind::Sign, &format!("{}", PinKind::Sign))?;
            request.complete_linked(&pin, &sign_pin, now(), spki.as_deref())
        } else {
            request.complete(&pin, now(), spki.as_deref())
        };
        if trace {
            super::report_trace(&link);
        }
        let session = session?;
        if let Some(key) = device_key {
            let account = session.serial.as_deref().unwrap_or_default();
            let path = device_key_path(service.origin(), account)?;
            let pem = key
                .to_pkcs8_pem(LineEnding::LF)
                .map_err(|e| anyhow!("encoding the device key: {e}"))?;
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            // Written through a temporary file made 0600 and renamed into place: the key is
            // readable by this user only, and never seen half-written.
            output::write_atomically(&path, pem.as_bytes())?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
            }
            eprintln!(
                "This computer is now bound: `kazasu login {} --device` logs in without the card (key {}).",
                service.origin(),
                path.display()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_key_files_differ_per_account_and_per_origin() {
        let a = device_key_path("https://rp.example", "01AB").unwrap();
        let b = device_key_path("https://rp.example", "02cd").unwrap();
        assert_ne!(a, b, "two cards at one service");
        assert!(
            a.to_string_lossy().ends_with(".01ab.pem"),
            "{}",
            a.display()
        );
        // Origins the file-safe name alone would make alike.
        let c = device_key_path("https://a-b.example", "01ab").unwrap();
        let d = device_key_path("https://a_b.example", "01ab").unwrap();
        assert_ne!(c, d);
        // A serial cannot reach outside the directory.
        let e = device_key_path("https://rp.example", "../../x").unwrap();
        assert_eq!(e.parent(), a.parent());
        assert!(device_key_path("https://rp.example", "..").is_err());
    }
}
