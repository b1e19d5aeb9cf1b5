//! `kazasu-nfc`: the My Number Card through the phone's own NFC, as a
//! [`Transport`] for `kazasu-core`.
//!
//! The official `tauri-plugin-nfc` only reads and writes NDEF; the card needs ISO 7816 APDUs over
//! ISO-DEP. This plugin's phone side only opens the NFC session and passes APDUs (as hex strings)
//! to the card and back; every protocol step stays in the core:
//!
//! ```text
//! kazasu-core flows ── Transport::transmit ── NfcSession ── run_mobile_plugin("transceive") ─┐
//!   Android: KazasuNfcPlugin.kt → NfcCardChannel (mobile/android) → IsoDep                    │
//!   iOS:     KazasuNfcPlugin.swift → CoreNfcCardChannel (mobile/ios) → NFCISO7816Tag   ◄──────┘
//! ```
//!
//! ```no_run
//! # fn demo<R: tauri::Runtime>(app: &tauri::AppHandle<R>) -> Result<(), tauri_plugin_kazasu_nfc::Error> {
//! use tauri_plugin_kazasu_nfc::NfcExt;
//! // Off the main thread: `open` waits for the card, `transmit` for its answer.
//! let card = app.nfc().open("Hold your My Number Card to the phone")?;
//! // `card` is a Transport: hand it to the core's flows. Dropping it closes the session.
//! # Ok(()) }
//! ```
//!
//! Errors: see [`Error`] for the table from the phone's codes through [`Error`] to the core's
//! [`TransportError`]. Desktop builds compile the same API;
//! there [`Nfc::is_available`] is false and [`Nfc::open`] is [`Error::Unsupported`].

use std::time::Duration;

use kazasu_core::transport::{Transport, TransportError};
use tauri::plugin::{Builder, TauriPlugin};
use tauri::{Manager, Runtime};

#[cfg(desktop)]
mod desktop;
mod error;
#[cfg(mobile)]
mod mobile;
#[cfg_attr(desktop, allow(dead_code))]
mod models;

#[cfg(desktop)]
use desktop as platform;
#[cfg(mobile)]
use mobile as platform;

pub use error::{Error, READER_NAME, code};
pub use models::{MAX_COMMAND_LEN, MAX_RESPONSE_LEN};

/// The plugin's name (its permissions are `kazasu-nfc:…`).
pub const PLUGIN_NAME: &str = "kazasu-nfc";

/// Longest wait for the card's answer to one APDU. An RSA-2048 signature takes the card about a
/// second; a longer wait only costs time when the card has gone.
pub const TRANSCEIVE_TIMEOUT: Duration = Duration::from_secs(5);

/// Longest wait for the card to be tapped after [`Nfc::open`] (iOS closes its sheet after about
/// 60 s by itself).
pub const TAP_TIMEOUT: Duration = Duration::from_secs(60);

/// Initializes the plugin: `tauri::Builder::default().plugin(tauri_plugin_kazasu_nfc::init())`.
pub fn init<R: Runtime>() -> TauriPlugin<R> {
    Builder::new(PLUGIN_NAME)
        .setup(|app, api| {
            let nfc = platform::init(app, api)?;
            app.manage(Nfc { inner: nfc });
            Ok(())
        })
        .build()
}

/// Access to the phone's NFC from the app, its handles, windows and webviews.
pub trait NfcExt<R: Runtime> {
    /// The plugin's state. Panics if [`init`] was not registered.
    fn nfc(&self) -> &Nfc<R>;
}

impl<R: Runtime, T: Manager<R>> NfcExt<R> for T {
    fn nfc(&self) -> &Nfc<R> {
        self.state::<Nfc<R>>().inner()
    }
}

/// The phone's NFC.
pub struct Nfc<R: Runtime> {
    inner: platform::Nfc<R>,
}

impl<R: Runtime> Nfc<R> {
    /// Whether the phone has NFC and it is switched on (iOS: the device can read tags). False
    /// on desktops, and when the phone cannot be asked.
    pub fn is_available(&self) -> bool {
        self.inner.is_available()
    }

    /// Starts an NFC session and blocks until a card is tapped and connected: Android's reader
    /// mode (NFC-B, no NDEF check, no platform sound), iOS's NFC sheet showing `prompt`. Gives up
    /// after [`TAP_TIMEOUT`] with [`Error::NoCard`].
    ///
    /// Blocks: call it, like [`NfcSession`]'s `transmit`, off the main thread (a blocking worker),
    /// never on the thread that runs the phone's UI. A session still open is replaced.
    pub fn open(&self, prompt: &str) -> Result<NfcSession<R>, Error> {
        self.inner.open(prompt).map(|inner| NfcSession { inner })
    }

    /// Ends the current session, or the wait of a pending [`Nfc::open`] (which then fails with
    /// [`Error::Cancelled`]). Does not block: safe on any thread, a UI "Cancel" button included.
    pub fn cancel(&self) {
        self.inner.cancel();
    }
}

/// A connected card: the core's [`Transport`] over the phone's NFC.
///
/// Dropping it closes the phone's session (the iOS sheet closes) without blocking; [`finish`] and
/// [`fail`] close it with a message instead.
///
/// [`finish`]: NfcSession::finish
/// [`fail`]: NfcSession::fail
pub struct NfcSession<R: Runtime> {
    inner: platform::Session<R>,
}

impl<R: Runtime> NfcSession<R> {
    /// Closes the session, the iOS sheet showing `message` as a success. Blocks briefly.
    pub fn finish(self, message: &str) -> Result<(), Error> {
        self.inner.close(message, true)
    }

    /// Closes the session, the iOS sheet showing `message` as an error. Blocks briefly.
    pub fn fail(self, message: &str) -> Result<(), Error> {
        self.inner.close(message, false)
    }
}

impl<R: Runtime> Transport for NfcSession<R> {
    /// Sends one command APDU and blocks until the card's whole answer (data + SW1 SW2) is back,
    /// or [`TRANSCEIVE_TIMEOUT`] has passed.
    fn transmit(&mut self, apdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.inner.transmit(apdu).map_err(TransportError::from)
    }
}

/// Milliseconds of a time-out, as the phone takes it.
#[cfg_attr(desktop, allow(dead_code))]
fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tauri::test::{MockRuntime, mock_builder, mock_context, noop_assets};

    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send + 'static>() {}

    #[test]
    fn the_session_can_be_the_apps_boxed_transport() {
        send_sync::<Nfc<MockRuntime>>();
        send::<NfcSession<MockRuntime>>();
        let _: Option<Box<dyn Transport + Send>> =
            None::<NfcSession<MockRuntime>>.map(|s| Box::new(s) as _);
    }

    #[test]
    fn on_desktop_the_plugin_loads_and_says_no() {
        let app = mock_builder()
            .plugin(init())
            .build(mock_context(noop_assets()))
            .expect("the app builds with the plugin");
        let nfc = app.nfc();
        assert!(!nfc.is_available());
        assert!(matches!(
            nfc.open("Hold your card"),
            Err(Error::Unsupported)
        ));
        nfc.cancel();
    }

    #[test]
    fn time_outs_in_milliseconds() {
        assert_eq!(millis(TRANSCEIVE_TIMEOUT), 5000);
        assert_eq!(millis(TAP_TIMEOUT), 60_000);
        assert_eq!(millis(Duration::MAX), u64::MAX);
    }
}
