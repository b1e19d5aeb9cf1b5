//! Desktops have no phone NFC: the same API, always unavailable. Desktop readers (PC/SC, libnfc)
//! are `kazasu-core`'s own transports.

use std::convert::Infallible;
use std::marker::PhantomData;

use serde::de::DeserializeOwned;
use tauri::plugin::PluginApi;
use tauri::{AppHandle, Runtime};

use crate::Error;

pub(crate) fn init<R: Runtime, C: DeserializeOwned>(
    _app: &AppHandle<R>,
    _api: PluginApi<R, C>,
) -> Result<Nfc<R>, Box<dyn std::error::Error>> {
    Ok(Nfc {
        _runtime: PhantomData,
    })
}

pub(crate) struct Nfc<R: Runtime> {
    _runtime: PhantomData<fn() -> R>,
}

impl<R: Runtime> Nfc<R> {
    pub(crate) fn is_available(&self) -> bool {
        false
    }

    pub(crate) fn open(&self, _prompt: &str) -> Result<Session<R>, Error> {
        Err(Error::Unsupported)
    }

    pub(crate) fn cancel(&self) {}
}

/// Never made on a desktop.
pub(crate) struct Session<R: Runtime> {
    never: Infallible,
    _runtime: PhantomData<fn() -> R>,
}

impl<R: Runtime> Session<R> {
    pub(crate) fn transmit(&mut self, _apdu: &[u8]) -> Result<Vec<u8>, Error> {
        match self.never {}
    }

    pub(crate) fn close(self, _message: &str, _success: bool) -> Result<(), Error> {
        match self.never {}
    }
}
