//! `nfc[:CONNSTRING]`: contactless readers through libnfc (PN532 boards on a serial line or USB,
//! ACR122), with the card selected as an ISO 14443-B target at 106 kbit/s, as My Number Cards are.

use std::time::{Duration, Instant};

use nfc1::target_info::TargetInfo;
use nfc1::{BaudRate, Context, Device, Modulation, ModulationType, Property, Target, Timeout};

use super::{Transport, TransportError};

/// How long one APDU may take: an RSA-2048 signature on a real card takes about a second.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// The largest response we accept (libnfc's own limit is lower; a JPKI answer is at most 258 bytes).
const MAX_RESPONSE: usize = 4096;

const TYPE_B_106: Modulation = Modulation {
    modulation_type: ModulationType::Iso14443b,
    baud_rate: BaudRate::Baud106,
};

/// A card on a libnfc reader.
///
/// Fields drop in order: the device is closed (field off) before the libnfc context is freed.
pub struct NfcTransport {
    device: Device,
    _context: Context,
    target: Target,
    pupi: [u8; 4],
    connstring: String,
    timeout: Duration,
}

impl std::fmt::Debug for NfcTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NfcTransport")
            .field("device", &self.connstring)
            .finish_non_exhaustive()
    }
}

fn unavailable(device: &str, reason: impl Into<String>) -> TransportError {
    TransportError::ReaderUnavailable {
        reader: format!("nfc:{device}"),
        reason: reason.into(),
    }
}

impl NfcTransport {
    /// Opens the libnfc device `connstring` (libnfc's default device when `None`) and selects the
    /// Type B card in its field, waiting up to `wait` for one; each APDU then may take `timeout`.
    pub fn open(
        connstring: Option<&str>,
        wait: Duration,
        timeout: Duration,
    ) -> Result<NfcTransport, TransportError> {
        let shown = connstring.unwrap_or("default").to_owned();
        let mut context =
            Context::new().map_err(|e| unavailable(&shown, format!("libnfc: {e}")))?;
        let opened = match connstring {
            Some(c) => context.open_with_connstring(c),
            None => context.open(),
        };
        let mut device = opened.map_err(|_| {
            unavailable(
                &shown,
                "no such NFC device (for a PN532 on a serial line, give nfc:pn532_uart:/dev/ttyUSB0)",
            )
        })?;
        let setup = |d: &mut Device| -> nfc1::Result<()> {
            d.initiator_init()?;
            // Poll ourselves, so that a missing card is reported instead of waiting forever.
            d.set_property_bool(Property::InfiniteSelect, false)?;
            Ok(())
        };
        setup(&mut device).map_err(|e| unavailable(&shown, format!("cannot initialise: {e}")))?;
        let deadline = Instant::now() + wait;
        let (target, pupi) = loop {
            match device.initiator_select_passive_target(&TYPE_B_106) {
                Ok(t) => {
                    if let TargetInfo::Iso14443b(b) = &t.target_info {
                        let pupi = b.pupi;
                        break (t, pupi);
                    }
                }
                Err(nfc1::Error::Timeout) => {}
                Err(e) => return Err(unavailable(&shown, format!("cannot poll for a card: {e}"))),
            }
            if Instant::now() >= deadline {
                return Err(TransportError::NoCard);
            }
            std::thread::sleep(Duration::from_millis(100));
        };
        tracing::debug!(device = %shown, "type B target selected");
        Ok(NfcTransport {
            device,
            _context: context,
            target,
            pupi,
            connstring: shown,
            timeout,
        })
    }

    /// The card's PUPI (the pseudo-unique identifier in its ATQB; random per session on a My Number Card).
    pub fn pupi(&self) -> [u8; 4] {
        self.pupi
    }

    /// The libnfc connection string of the device.
    pub fn connstring(&self) -> &str {
        &self.connstring
    }

    fn map_error(&mut self, err: nfc1::Error) -> TransportError {
        match err {
            nfc1::Error::Timeout
            | nfc1::Error::RfTransmissionError
            | nfc1::Error::TargetReleased => {
                // Distinguish a slow card from one that left the field.
                if self
                    .device
                    .initiator_target_is_present(&self.target)
                    .is_ok()
                {
                    TransportError::Timeout {
                        millis: u64::try_from(self.timeout.as_millis()).unwrap_or(u64::MAX),
                    }
                } else {
                    TransportError::CardRemoved
                }
            }
            nfc1::Error::Io | nfc1::Error::NoSuchDeviceFound => unavailable(
                &self.connstring,
                format!("the reader stopped answering ({err}); is it still connected?"),
            ),
            other => unavailable(&self.connstring, other.to_string()),
        }
    }
}

impl Transport for NfcTransport {
    fn transmit(&mut self, apdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        let _span = tracing::trace_span!("libnfc", len = apdu.len()).entered();
        match self.device.initiator_transceive_bytes(
            apdu,
            MAX_RESPONSE,
            Timeout::Duration(self.timeout),
        ) {
            Ok(r) => Ok(r),
            Err(e) => Err(self.map_error(e)),
        }
    }
}

impl Drop for NfcTransport {
    fn drop(&mut self) {
        let _ = self.device.initiator_deselect_target();
    }
}
