//! `pcsc[:NAME|INDEX]`: readers through the system's PC/SC service (pcscd on Linux, WinSCard,
//! CryptoTokenKit on macOS). Most desktop card readers, and the simulator behind vpcd.

use std::ffi::CString;
use std::time::{Duration, Instant};

use pcsc::{Card, Context, Disposition, Protocols, ReaderState, Scope, ShareMode, State};

use super::{Transport, TransportError};

/// Which PC/SC reader to use.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ReaderChoice {
    /// The first reader with a card in it (or, when waiting, the first to get one).
    #[default]
    Auto,
    /// The reader at this position in [`list_readers`]'s order.
    Index(usize),
    /// The reader whose name is this, or the only one whose name contains it (ignoring case).
    Name(String),
}

impl ReaderChoice {
    /// Reads `0`, `1`… as an index and anything else as a name; an empty string is [`ReaderChoice::Auto`].
    pub fn parse(text: &str) -> ReaderChoice {
        if text.is_empty() {
            ReaderChoice::Auto
        } else if let Ok(i) = text.parse() {
            ReaderChoice::Index(i)
        } else {
            ReaderChoice::Name(text.to_owned())
        }
    }
}

/// A reader and whether a card is in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReaderInfo {
    /// The name PC/SC gives the reader.
    pub name: String,
    /// Whether a card is in (or on) it.
    pub card_present: bool,
    /// The card's answer to reset, when a card is present.
    pub atr: Option<Vec<u8>>,
}

const SERVICE: &str = "pcsc";

fn unavailable(reader: &str, reason: impl Into<String>) -> TransportError {
    TransportError::ReaderUnavailable {
        reader: if reader.is_empty() {
            SERVICE.to_owned()
        } else {
            format!("{SERVICE}:{reader}")
        },
        reason: reason.into(),
    }
}

fn map_error(reader: &str, err: pcsc::Error) -> TransportError {
    match err {
        // NotTransacted: the reader lost the card in the middle of the exchange.
        pcsc::Error::RemovedCard | pcsc::Error::NotTransacted => TransportError::CardRemoved,
        pcsc::Error::NoSmartcard => TransportError::NoCard,
        pcsc::Error::ResetCard => TransportError::CardReset,
        pcsc::Error::Timeout => TransportError::Timeout { millis: 0 },
        pcsc::Error::NoService | pcsc::Error::ServiceStopped => unavailable(
            reader,
            "the PC/SC service is not running (start pcscd, e.g. `sudo systemctl start pcscd`)",
        ),
        pcsc::Error::NoReadersAvailable => unavailable(reader, "no reader is connected"),
        pcsc::Error::UnknownReader | pcsc::Error::ReaderUnavailable => {
            unavailable(reader, "the reader is gone; is it still plugged in?")
        }
        pcsc::Error::SharingViolation => unavailable(
            reader,
            "another program holds the card exclusively; close it and try again",
        ),
        pcsc::Error::UnresponsiveCard | pcsc::Error::UnpoweredCard => unavailable(
            reader,
            "the card does not answer; put it back on the reader the right way round",
        ),
        other => unavailable(reader, other.to_string()),
    }
}

fn establish() -> Result<Context, TransportError> {
    Context::establish(Scope::User).map_err(|e| map_error("", e))
}

fn reader_names(ctx: &Context) -> Result<Vec<CString>, TransportError> {
    match ctx.list_readers_owned() {
        Ok(names) => Ok(names),
        Err(pcsc::Error::NoReadersAvailable) => Ok(Vec::new()),
        Err(e) => Err(map_error("", e)),
    }
}

fn states(ctx: &Context, names: &[CString]) -> Result<Vec<ReaderState>, TransportError> {
    let mut states: Vec<ReaderState> = names
        .iter()
        .map(|n| ReaderState::new(n.clone(), State::UNAWARE))
        .collect();
    if !states.is_empty() {
        ctx.get_status_change(Duration::ZERO, &mut states)
            .map_err(|e| map_error("", e))?;
    }
    Ok(states)
}

fn info(state: &ReaderState) -> ReaderInfo {
    let present =
        state.event_state().contains(State::PRESENT) && !state.event_state().contains(State::MUTE);
    ReaderInfo {
        name: state.name().to_string_lossy().into_owned(),
        card_present: present,
        atr: present.then(|| state.atr().to_vec()),
    }
}

/// Lists the PC/SC readers with card presence, in the system's order.
pub fn list_readers() -> Result<Vec<ReaderInfo>, TransportError> {
    let ctx = establish()?;
    let names = reader_names(&ctx)?;
    Ok(states(&ctx, &names)?.iter().map(info).collect())
}

/// Picks the reader `choice` means among `names` (for [`ReaderChoice::Auto`], among those with a card).
fn pick(choice: &ReaderChoice, readers: &[ReaderInfo]) -> Result<Option<usize>, TransportError> {
    let listing = || {
        readers
            .iter()
            .enumerate()
            .map(|(i, r)| format!("{i}: {}", r.name))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match choice {
        ReaderChoice::Auto => {
            if readers.is_empty() {
                return Err(unavailable("", "no reader is connected"));
            }
            Ok(readers.iter().position(|r| r.card_present))
        }
        ReaderChoice::Index(i) => match readers.get(*i) {
            Some(_) => Ok(Some(*i)),
            None => Err(unavailable(
                &i.to_string(),
                format!("there is no reader {i} (readers: {})", listing()),
            )),
        },
        ReaderChoice::Name(name) => {
            if let Some(i) = readers.iter().position(|r| r.name == *name) {
                return Ok(Some(i));
            }
            let wanted = name.to_lowercase();
            let matches: Vec<usize> = readers
                .iter()
                .enumerate()
                .filter(|(_, r)| r.name.to_lowercase().contains(&wanted))
                .map(|(i, _)| i)
                .collect();
            match matches.as_slice() {
                [one] => Ok(Some(*one)),
                [] => Err(unavailable(
                    name,
                    format!("no reader has this name (readers: {})", listing()),
                )),
                _ => Err(unavailable(
                    name,
                    format!(
                        "several readers match; give more of the name (readers: {})",
                        listing()
                    ),
                )),
            }
        }
    }
}

/// A connection to a card through a PC/SC reader.
pub struct PcscTransport {
    card: Card,
    reader: String,
    atr: Vec<u8>,
    buffer: Vec<u8>,
}

impl std::fmt::Debug for PcscTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PcscTransport")
            .field("reader", &self.reader)
            .finish_non_exhaustive()
    }
}

impl PcscTransport {
    /// Connects to the card in the chosen reader, waiting up to `wait` for a card to be put on it.
    pub fn connect(choice: &ReaderChoice, wait: Duration) -> Result<PcscTransport, TransportError> {
        let ctx = establish()?;
        let deadline = Instant::now() + wait;
        loop {
            let names = reader_names(&ctx)?;
            let mut states = states(&ctx, &names)?;
            let readers: Vec<ReaderInfo> = states.iter().map(info).collect();
            let picked = pick(choice, &readers)?;
            let mut last_error = TransportError::NoCard;
            if let Some(i) = picked.filter(|&i| readers[i].card_present) {
                match Self::connect_to(&ctx, &names[i], &readers[i].name) {
                    // The card was just taken away or put back: pcscd's view may lag behind.
                    Err(
                        e @ (TransportError::NoCard
                        | TransportError::CardRemoved
                        | TransportError::CardReset),
                    ) if Instant::now() < deadline => last_error = e,
                    done => return done,
                }
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(last_error);
            }
            // Sleep in pcscd until a reader's state changes (or the time is up).
            for s in &mut states {
                s.sync_current_state();
            }
            let pause = (deadline - now).min(Duration::from_millis(500));
            match ctx.get_status_change(pause, &mut states) {
                Ok(()) | Err(pcsc::Error::Timeout) => {}
                Err(e) => return Err(map_error("", e)),
            }
        }
    }

    fn connect_to(
        ctx: &Context,
        name: &CString,
        shown: &str,
    ) -> Result<PcscTransport, TransportError> {
        let card = ctx
            .connect(name, ShareMode::Shared, Protocols::ANY)
            .map_err(|e| map_error(shown, e))?;
        let atr = card
            .status2_owned()
            .map(|s| s.atr().to_vec())
            .map_err(|e| map_error(shown, e))?;
        tracing::debug!(reader = shown, atr_len = atr.len(), "connected");
        Ok(PcscTransport {
            card,
            reader: shown.to_owned(),
            atr,
            buffer: vec![0; pcsc::MAX_BUFFER_SIZE_EXTENDED],
        })
    }

    /// The reader's name.
    pub fn reader(&self) -> &str {
        &self.reader
    }

    /// The card's answer to reset.
    pub fn atr(&self) -> &[u8] {
        &self.atr
    }

    /// Leaves the card powered but resets it, so that no PIN stays verified for the next program.
    pub fn disconnect(self) -> Result<(), TransportError> {
        let reader = self.reader.clone();
        self.card
            .disconnect(Disposition::ResetCard)
            .map_err(|(_, e)| map_error(&reader, e))
    }
}

impl Transport for PcscTransport {
    /// PC/SC readers carry extended APDUs (the receive buffer is sized for them).
    fn carries_extended_length(&self) -> bool {
        true
    }

    fn transmit(&mut self, apdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        let _span = tracing::trace_span!("pcsc", len = apdu.len()).entered();
        let response = self
            .card
            .transmit(apdu, &mut self.buffer)
            .map(<[u8]>::to_vec)
            .map_err(|e| map_error(&self.reader, e))?;
        if response.len() < 2 {
            // A card always ends its answer with a status word. An empty answer is how some
            // reader drivers (vpcd among them) report a card that left in the middle of a command.
            return Err(TransportError::CardRemoved);
        }
        Ok(response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn readers() -> Vec<ReaderInfo> {
        ["Virtual PCD 00 00", "Virtual PCD 00 01", "ACS ACR1252 PICC"]
            .iter()
            .enumerate()
            .map(|(i, n)| ReaderInfo {
                name: (*n).to_owned(),
                card_present: i == 1,
                atr: None,
            })
            .collect()
    }

    #[test]
    fn choices_parse() {
        assert_eq!(ReaderChoice::parse(""), ReaderChoice::Auto);
        assert_eq!(ReaderChoice::parse("1"), ReaderChoice::Index(1));
        assert_eq!(
            ReaderChoice::parse("ACR"),
            ReaderChoice::Name("ACR".to_owned())
        );
    }

    #[test]
    fn auto_takes_the_first_reader_with_a_card() {
        assert_eq!(pick(&ReaderChoice::Auto, &readers()).unwrap(), Some(1));
        assert!(pick(&ReaderChoice::Auto, &[]).is_err());
    }

    #[test]
    fn names_match_exactly_or_by_unique_part() {
        let r = readers();
        let by = |n: &str| pick(&ReaderChoice::Name(n.to_owned()), &r);
        assert_eq!(by("Virtual PCD 00 01").unwrap(), Some(1));
        assert_eq!(by("acr1252").unwrap(), Some(2));
        let err = by("Virtual").unwrap_err().to_string();
        assert!(err.contains("several readers match"), "{err}");
        let err = by("Gemalto").unwrap_err().to_string();
        assert!(err.contains("no reader has this name"), "{err}");
        assert!(pick(&ReaderChoice::Index(7), &r).is_err());
    }
}
