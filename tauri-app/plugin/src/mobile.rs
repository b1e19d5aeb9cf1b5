//! Android and iOS: the commands of `KazasuNfcPlugin` (Kotlin, Swift), run from Rust with
//! `run_mobile_plugin`. Not compiled on the project's machines (no Android or iOS Rust target):
//! kept to calls of `tauri::plugin::{PluginApi, PluginHandle}` as tauri 2.12 declares them.

use std::sync::atomic::{AtomicU32, Ordering};

use serde::de::{DeserializeOwned, IgnoredAny};
use tauri::plugin::{PluginApi, PluginHandle};
use tauri::{AppHandle, Runtime};

use crate::models::{
    self, Availability, CloseSessionArgs, OpenSessionArgs, TransceiveAnswer, TransceiveArgs,
    command,
};
use crate::{Error, TAP_TIMEOUT, TRANSCEIVE_TIMEOUT, millis};

/// The Kotlin package of `KazasuNfcPlugin` (and the Android library's namespace).
#[cfg(target_os = "android")]
const PLUGIN_IDENTIFIER: &str = "jp.kazasu.tauri.nfc";

#[cfg(target_os = "ios")]
tauri::ios_plugin_binding!(init_plugin_kazasu_nfc);

// The Swift package compiles the uniffi Swift bindings (CoreNfcCardChannel needs their
// `CardChannel` and `MobileError`), which reference kazasu-mobile's C functions: link the crate
// into the app's library so those symbols resolve. Nothing of it is called from here.
#[cfg(target_os = "ios")]
extern crate kazasu_mobile as _;

pub(crate) fn init<R: Runtime, C: DeserializeOwned>(
    _app: &AppHandle<R>,
    api: PluginApi<R, C>,
) -> Result<Nfc<R>, Box<dyn std::error::Error>> {
    #[cfg(target_os = "android")]
    let handle = api.register_android_plugin(PLUGIN_IDENTIFIER, "KazasuNfcPlugin")?;
    #[cfg(target_os = "ios")]
    let handle = api.register_ios_plugin(init_plugin_kazasu_nfc)?;
    Ok(Nfc {
        handle,
        next_session: AtomicU32::new(1),
    })
}

pub(crate) struct Nfc<R: Runtime> {
    handle: PluginHandle<R>,
    next_session: AtomicU32,
}

impl<R: Runtime> Nfc<R> {
    pub(crate) fn is_available(&self) -> bool {
        match self
            .handle
            .run_mobile_plugin::<Availability>(command::IS_AVAILABLE, ())
        {
            Ok(availability) => {
                if let (false, Some(reason)) = (availability.available, &availability.reason) {
                    tracing::debug!(%reason, "the phone's NFC is not available");
                }
                availability.available
            }
            Err(error) => {
                tracing::warn!(%error, "cannot ask the phone whether it has NFC");
                false
            }
        }
    }

    pub(crate) fn open(&self, prompt: &str) -> Result<Session<R>, Error> {
        let id = self.next_session.fetch_add(1, Ordering::Relaxed);
        let timeout_ms = millis(TRANSCEIVE_TIMEOUT);
        let args = OpenSessionArgs {
            session: id,
            prompt,
            timeout_ms,
            wait_ms: millis(TAP_TIMEOUT),
        };
        self.handle
            .run_mobile_plugin::<IgnoredAny>(command::OPEN_SESSION, args)
            .map_err(|e| Error::from_invoke(e, timeout_ms))?;
        Ok(Session {
            handle: self.handle.clone(),
            id,
            timeout_ms,
            open: true,
        })
    }

    pub(crate) fn cancel(&self) {
        close_in_background(
            self.handle.clone(),
            CloseSessionArgs {
                session: None,
                message: None,
                success: false,
            },
        );
    }
}

pub(crate) struct Session<R: Runtime> {
    handle: PluginHandle<R>,
    id: u32,
    timeout_ms: u64,
    open: bool,
}

impl<R: Runtime> Session<R> {
    pub(crate) fn transmit(&mut self, apdu: &[u8]) -> Result<Vec<u8>, Error> {
        let args = TransceiveArgs {
            session: self.id,
            apdu: models::encode_command(apdu)?,
        };
        let answer: TransceiveAnswer = self
            .handle
            .run_mobile_plugin(command::TRANSCEIVE, args)
            .map_err(|e| Error::from_invoke(e, self.timeout_ms))?;
        models::decode_response(&answer.response)
    }

    pub(crate) fn close(mut self, message: &str, success: bool) -> Result<(), Error> {
        self.open = false;
        let args = CloseSessionArgs {
            session: Some(self.id),
            message: Some(message.to_owned()),
            success,
        };
        self.handle
            .run_mobile_plugin::<IgnoredAny>(command::CLOSE_SESSION, args)
            .map(drop)
            .map_err(|e| Error::from_invoke(e, self.timeout_ms))
    }
}

impl<R: Runtime> Drop for Session<R> {
    fn drop(&mut self) {
        if self.open {
            close_in_background(
                self.handle.clone(),
                CloseSessionArgs {
                    session: Some(self.id),
                    message: None,
                    success: true,
                },
            );
        }
    }
}

/// Sends `closeSession` without waiting for the answer. On Android the command runs on the main
/// thread, so waiting for it there (a drop or a "Cancel" on the main thread) would never end.
fn close_in_background<R: Runtime>(handle: PluginHandle<R>, args: CloseSessionArgs) {
    tauri::async_runtime::spawn(async move {
        if let Err(error) = handle
            .run_mobile_plugin_async::<IgnoredAny>(command::CLOSE_SESSION, args)
            .await
        {
            tracing::debug!(%error, "closing the phone's NFC session");
        }
    });
}
