//! `kazasu://login?url=…` links: an OpenID Connect authorization page on this computer offers one
//! ("open Kazasu"); the system hands it to the app (Tauri's deep-link plugin, the `kazasu` scheme
//! registered in `tauri.conf.json`), which keeps it for the login screen and tells the window.

use std::sync::Mutex;

use kazasu_core::login::service::APP_SCHEME;
use tauri::{AppHandle, Emitter, Manager, Runtime};

/// The longest link kept: a challenge URL is well under this; anything longer is not one.
pub const MAX_LINK_LEN: usize = 4096;

/// The event the window gets when a login link arrives while the app runs: its payload is the link.
pub const LOGIN_LINK_EVENT: &str = "login-link";

/// The last login link received and not yet shown.
#[derive(Default)]
pub struct PendingLink(Mutex<Option<String>>);

/// Whether `url` is a login link the login screen can take (`kazasu://login?url=…`, bounded).
pub fn is_login_link(url: &url::Url) -> bool {
    url.scheme() == APP_SCHEME
        && url.host_str() == Some("login")
        && url.as_str().len() <= MAX_LINK_LEN
        && url.query_pairs().any(|(k, _)| k == "url")
}

/// The login links among command-line `args` (how Linux and Windows start the app for a link).
pub fn login_links_in(args: impl Iterator<Item = String>) -> Vec<url::Url> {
    args.filter(|a| a.len() <= MAX_LINK_LEN)
        .filter_map(|a| url::Url::parse(&a).ok())
        .filter(is_login_link)
        .collect()
}

/// Keeps the first login link among `urls` and tells the window about it; other links are
/// ignored (logged without their query, which names a login).
pub fn receive<R: Runtime>(app: &AppHandle<R>, urls: &[url::Url]) {
    let Some(link) = urls.iter().find(|u| is_login_link(u)) else {
        for url in urls {
            tracing::warn!(scheme = url.scheme(), host = ?url.host_str(), "not a login link: ignored");
        }
        return;
    };
    if let Some(pending) = app.try_state::<PendingLink>()
        && let Ok(mut slot) = pending.0.lock()
    {
        *slot = Some(link.to_string());
    }
    if let Err(e) = app.emit(LOGIN_LINK_EVENT, link.as_str()) {
        tracing::warn!("telling the window about a login link: {e}");
    }
}

/// The login link the app was opened with (or received since), once: the window asks on start.
#[tauri::command]
pub fn take_login_link<R: Runtime>(app: AppHandle<R>) -> Option<String> {
    app.try_state::<PendingLink>()
        .and_then(|p| p.0.lock().ok().and_then(|mut slot| slot.take()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_bounded_kazasu_login_links_are_taken() {
        let ok = |s: &str| is_login_link(&url::Url::parse(s).unwrap());
        assert!(ok(
            "kazasu://login?url=https%3A%2F%2Frp.example%2Fv1%2Flogin%2Fchallenge%2Fabc"
        ));
        assert!(!ok("kazasu://sign?url=https%3A%2F%2Frp.example"));
        assert!(!ok("kazasu://login"));
        assert!(!ok("https://login?url=x"));
        let long = format!("kazasu://login?url={}", "a".repeat(MAX_LINK_LEN));
        assert!(!ok(&long));
        let args = [
            "--automation",
            "kazasu://login?url=x",
            "kazasu://other?url=y",
            "/tmp/file",
        ];
        let found = login_links_in(args.iter().map(|a| a.to_string()));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].as_str(), "kazasu://login?url=x");
    }
}
