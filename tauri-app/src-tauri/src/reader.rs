//! Which card the app talks to, as the front end chooses it, and how a link to it is opened.

use std::fmt;
use std::sync::Arc;

use kazasu_core::transport::{Transport, address};
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// A reader the person chose on the first screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reader {
    /// A PC/SC reader, by its exact name (desktop).
    Pcsc {
        /// The reader's name.
        name: String,
    },
    /// A libnfc device (PN532, ACR122) by connection string; libnfc's default when `None` (desktop).
    Nfc {
        /// The connection string, e.g. `pn532_uart:/dev/ttyUSB0`.
        connstring: Option<String>,
    },
    /// A card served over TCP by `kazasu-sim serve --tcp HOST:PORT` (development, desktop and phone).
    Simulator {
        /// `HOST:PORT`.
        address: String,
    },
    /// The phone's own NFC, through the `kazasu-nfc` plugin.
    Phone,
}

impl Reader {
    /// Refuses a reader that cannot be right before anything is opened.
    pub fn validate(&self) -> Result<(), AppError> {
        match self {
            Reader::Pcsc { name } if name.trim().is_empty() => {
                Err(AppError::invalid_input("choose a PC/SC reader by its name"))
            }
            Reader::Nfc {
                connstring: Some(c),
            } => address::nfc_connstring(c)
                .map(drop)
                .map_err(|e| AppError::invalid_input(e.to_string())),
            Reader::Simulator { address } => address::tcp_address(address)
                .map(drop)
                .map_err(|e| AppError::invalid_input(e.to_string())),
            _ => Ok(()),
        }
    }
}

impl fmt::Display for Reader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reader::Pcsc { name } => write!(f, "PC/SC: {name}"),
            Reader::Nfc { connstring: None } => f.write_str("libnfc"),
            Reader::Nfc {
                connstring: Some(c),
            } => write!(f, "libnfc: {c}"),
            Reader::Simulator { address } => write!(f, "simulator at {address}"),
            Reader::Phone => f.write_str("this phone's NFC"),
        }
    }
}

/// A link to the card, opened on the worker thread that uses it.
pub type Link = Box<dyn Transport>;

/// Opens a link to the card a [`Reader`] names, waiting briefly for the card to be there.
/// The app's is [`system_opener`]; tests put a simulated card behind it.
pub type Opener = Arc<dyn Fn(&Reader) -> Result<Link, AppError> + Send + Sync>;

/// How long a desktop reader may take to see the card.
#[cfg(desktop)]
const CARD_WAIT: std::time::Duration = std::time::Duration::from_secs(3);

/// The readers of this machine: PC/SC, libnfc and the simulator over TCP on desktops; the phone's
/// NFC (through `nfc`) and the simulator on phones.
pub fn system_opener(nfc: Option<Arc<dyn Fn() -> Result<Link, AppError> + Send + Sync>>) -> Opener {
    Arc::new(move |reader: &Reader| -> Result<Link, AppError> {
        use kazasu_core::transport::remote::{self, TcpTransport};
        match reader {
            Reader::Simulator { address } => Ok(Box::new(TcpTransport::connect(
                address,
                remote::DEFAULT_TIMEOUT,
            )?)),
            Reader::Phone => match &nfc {
                Some(open) => open(),
                None => Err(AppError::new(
                    "nfc_unavailable",
                    "this device cannot read the card by NFC",
                )),
            },
            #[cfg(desktop)]
            Reader::Pcsc { name } => {
                use kazasu_core::transport::pcsc::{PcscTransport, ReaderChoice};
                Ok(Box::new(PcscTransport::connect(
                    &ReaderChoice::Name(name.clone()),
                    CARD_WAIT,
                )?))
            }
            #[cfg(desktop)]
            Reader::Nfc { connstring } => {
                use kazasu_core::transport::libnfc::{self, NfcTransport};
                Ok(Box::new(NfcTransport::open(
                    connstring.as_deref(),
                    CARD_WAIT,
                    libnfc::DEFAULT_TIMEOUT,
                )?))
            }
            #[cfg(mobile)]
            Reader::Pcsc { .. } | Reader::Nfc { .. } => Err(AppError::invalid_input(
                "card readers on a cable work on computers; on a phone, hold the card to the phone",
            )),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_front_ends_reader_objects_parse() {
        let r: Reader =
            serde_json::from_str(r#"{"kind":"simulator","address":"127.0.0.1:35970"}"#).unwrap();
        assert_eq!(
            r,
            Reader::Simulator {
                address: "127.0.0.1:35970".into()
            }
        );
        let r: Reader = serde_json::from_str(r#"{"kind":"nfc","connstring":null}"#).unwrap();
        assert_eq!(r, Reader::Nfc { connstring: None });
        assert!(serde_json::from_str::<Reader>(r#"{"kind":"floppy"}"#).is_err());
    }

    #[test]
    fn nonsense_addresses_are_refused_before_anything_is_opened() {
        for address in ["", "host", "host:", ":35970", "host:0", "host:99999"] {
            let r = Reader::Simulator {
                address: address.into(),
            };
            assert_eq!(r.validate().unwrap_err().code, "invalid_input", "{address}");
        }
        assert!(Reader::Pcsc { name: " ".into() }.validate().is_err());
        assert!(
            Reader::Simulator {
                address: "[::1]:35970".into()
            }
            .validate()
            .is_ok()
        );
    }
}
