//! The platform's link to the card, and the adapter that makes it a core [`Transport`].

use std::sync::Arc;

use kazasu_core::transport::{Transport, TransportError};

use crate::error::{FromPlatform, MobileError};

/// The platform's way to the card: Android's IsoDep, iOS's NFCISO7816Tag, or a test's socket.
///
/// `transceive` sends one whole command APDU and blocks until the whole response APDU (data and
/// SW1 SW2) is back. It is called on the thread that called the `CardSession` method, so call
/// those off the UI thread. When the card leaves the field, raise `MobileError.CardRemoved`; when
/// it does not answer in time, `MobileError.Timeout`; any other failure `MobileError.Transport`
/// with a reason. Those reach the caller unchanged; any other exception becomes
/// `MobileError.Unexpected`.
#[uniffi::export(with_foreign)]
pub trait CardChannel: Send + Sync {
    /// Sends `apdu` and returns the card's answer, status word included.
    fn transceive(&self, apdu: Vec<u8>) -> Result<Vec<u8>, MobileError>;
}

/// A [`CardChannel`] seen by the core as a [`Transport`].
pub(crate) struct ChannelTransport {
    channel: Arc<dyn CardChannel>,
    extended_length: bool,
}

impl ChannelTransport {
    /// `extended_length`: whether the platform can send extended-length APDUs (Android's
    /// `IsoDep.isExtendedLengthApduSupported`); the card's own refusal is still handled.
    pub(crate) fn new(channel: Arc<dyn CardChannel>, extended_length: bool) -> ChannelTransport {
        ChannelTransport {
            channel,
            extended_length,
        }
    }
}

/// The context of a transport error that carries a platform's own [`MobileError`].
const PLATFORM_CONTEXT: &str = "the platform's card channel";

impl Transport for ChannelTransport {
    fn carries_extended_length(&self) -> bool {
        self.extended_length
    }

    fn transmit(&mut self, apdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.channel.transceive(apdu.to_vec()).map_err(|e| match e {
            MobileError::CardRemoved => TransportError::CardRemoved,
            MobileError::NoCard => TransportError::NoCard,
            MobileError::Timeout { millis } => TransportError::Timeout { millis },
            // Anything else travels through the core inside an I/O error and comes out as it was
            // raised (see `MobileError::from(TransportError)`).
            other => TransportError::Io {
                context: PLATFORM_CONTEXT.to_owned(),
                source: std::io::Error::other(FromPlatform(other)),
            },
        })
    }
}
