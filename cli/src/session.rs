//! Opening the card named by `--reader`, counted by a `Traced` transport.

use std::time::Duration;

use anyhow::Result;
use kazasu_core::transport::libnfc::{self, NfcTransport};
use kazasu_core::transport::pcsc::{self, PcscTransport, ReaderChoice};
use kazasu_core::transport::remote::{self, TcpTransport};
use kazasu_core::transport::{Traced, Transport, TransportError};

use crate::reader::ReaderSpec;

/// The transport every command talks through: any reader, with APDUs and bytes counted for `--trace`.
pub type CardLink = Traced<Box<dyn Transport>>;

/// Connects to the card `spec` names, waiting up to `wait` for it to be put on the reader.
///
/// `sim` (no path) creates a simulated card in the user's data directory on first use, so a new user
/// can try every command at once; `sim:PATH` must already exist, so a typo never silently makes a new card.
/// `auto` takes the PC/SC reader that has a card; it never falls back to a simulated card, so that
/// nobody signs with a test card believing it is theirs.
pub fn open(spec: &ReaderSpec, wait: Duration) -> Result<CardLink> {
    let boxed = |t: Box<dyn Transport>| Ok(Traced::new(t));
    match spec {
        ReaderSpec::Auto => match PcscTransport::connect(&ReaderChoice::Auto, wait) {
            Ok(t) => {
                tracing::info!(reader = t.reader(), "using the PC/SC reader with a card");
                boxed(Box::new(t))
            }
            Err(e @ (TransportError::NoCard | TransportError::ReaderUnavailable { .. })) => {
                Err(anyhow::Error::new(e).context(
                    "no card found on a PC/SC reader. Put your card on the reader (add --wait 30 to wait for it), \
                     or choose one: --reader pcsc:NAME, nfc:CONNSTRING (e.g. nfc:pn532_uart:/dev/ttyUSB0), \
                     tcp:HOST:PORT, or sim for the built-in test card; `kazasu readers` lists what is connected",
                ))
            }
            Err(e) => Err(e.into()),
        },
        ReaderSpec::Pcsc(choice) => boxed(Box::new(PcscTransport::connect(choice, wait)?)),
        ReaderSpec::Nfc(connstring) => boxed(Box::new(NfcTransport::open(
            connstring.as_deref(),
            wait,
            libnfc::DEFAULT_TIMEOUT,
        )?)),
        ReaderSpec::Tcp(address) => boxed(Box::new(TcpTransport::connect(
            address,
            remote::DEFAULT_TIMEOUT,
        )?)),
        #[cfg(not(feature = "simulator"))]
        ReaderSpec::Sim(_) => anyhow::bail!(
            "this kazasu was built without the simulated card (feature \"simulator\"); choose a real reader"
        ),
        #[cfg(feature = "simulator")]
        ReaderSpec::Sim(path) => boxed(Box::new(simulated::open(path.as_deref())?)),
    }
}

/// The PC/SC readers, for `kazasu readers`.
pub fn pcsc_readers() -> Result<Vec<pcsc::ReaderInfo>, TransportError> {
    pcsc::list_readers()
}

/// The simulated card behind `--reader sim[:PATH]`.
#[cfg(feature = "simulator")]
mod simulated {
    use std::path::Path;

    use anyhow::{Context, Result, bail};

    /// Opens the card at `path`, or the default one (created on first use).
    pub fn open(path: Option<&Path>) -> Result<kazasu_sim::SimTransport> {
        let path = match path {
            Some(path) => {
                if !path.exists() {
                    bail!(
                        "no simulated card at {}: create one with `kazasu-sim new --card {}`",
                        path.display(),
                        path.display()
                    );
                }
                path.to_owned()
            }
            None => default_card()?,
        };
        kazasu_sim::SimTransport::open(&path)
            .with_context(|| format!("opening the simulated card at {}", path.display()))
    }

    fn default_card() -> Result<std::path::PathBuf> {
        let path = kazasu_sim::default_card_path().context("finding your data directory")?;
        let created = kazasu_sim::ensure_card(&path)
            .with_context(|| format!("creating a simulated card at {}", path.display()))?;
        if created {
            eprintln!(
                "note: created a simulated My Number Card at {} (see `kazasu-sim show` for its test PINs)",
                path.display()
            );
        }
        Ok(path)
    }
}
