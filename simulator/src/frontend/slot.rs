//! The reader slot a front-end serves: the simulated card, whether it is in the field, and the
//! "pull it away now" switch used to test removal in the middle of a command.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::frontend::latency::Latency;
use crate::{SimError, SimTransport};

/// One simulated card in one simulated reader, shared by a front-end and its controller.
///
/// Front-ends only see whole APDUs: [`CardSlot::transmit`] answers `None` when no card is
/// there, or when a tear was armed (the card is pulled away as the command arrives, so the
/// card never acts on it and no PIN try is spent).
pub struct CardSlot {
    card: SimTransport,
    path: Option<PathBuf>,
    atr: Vec<u8>,
    present: bool,
    tear: Option<Tear>,
    latency: Option<Latency>,
}

/// Which command arriving pulls the card away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tear {
    /// The very next command.
    NextCommand,
    /// The next command with this instruction byte and a body (e.g. `0x20`: a VERIFY that carries
    /// a PIN, not the empty one that only asks for tries left; `0x2A`: a signature).
    NextIns(u8),
}

/// A [`CardSlot`] shared between threads (front-end, control input).
pub type SharedSlot = Arc<Mutex<CardSlot>>;

impl CardSlot {
    /// A slot holding the card stored at `path` (reloaded from disk at every power-on, so the
    /// office's changes made while serving are seen at the next insertion or reset).
    pub fn open(path: PathBuf, atr: Vec<u8>) -> Result<CardSlot, SimError> {
        let card = SimTransport::open(&path)?;
        Ok(CardSlot {
            card,
            path: Some(path),
            atr,
            present: true,
            tear: None,
            latency: None,
        })
    }

    /// A slot holding an in-memory card (nothing reloaded, nothing written).
    pub fn with_card(card: SimTransport, atr: Vec<u8>) -> CardSlot {
        CardSlot {
            card,
            path: None,
            atr,
            present: true,
            tear: None,
            latency: None,
        }
    }

    /// Makes the card take as long as a real one to answer ([`exchange`] waits it out), or
    /// answer at once with `None`.
    pub fn set_latency(&mut self, latency: Option<Latency>) {
        self.latency = latency;
    }

    /// The card's answering times, if it has any.
    pub fn latency(&self) -> Option<Latency> {
        self.latency
    }

    /// Wraps the slot for sharing.
    pub fn shared(self) -> SharedSlot {
        Arc::new(Mutex::new(self))
    }

    /// Whether a card is in the field.
    pub fn is_present(&self) -> bool {
        self.present
    }

    /// The answer to reset front-ends report.
    pub fn atr(&self) -> &[u8] {
        &self.atr
    }

    /// Takes the card away.
    pub fn remove(&mut self) {
        if self.present {
            tracing::info!("card removed");
        }
        self.present = false;
        self.tear = None;
        self.card.remove();
    }

    /// Puts the card back, freshly loaded and powered on.
    pub fn insert(&mut self) -> Result<(), SimError> {
        self.reload()?;
        self.present = true;
        self.card.insert();
        tracing::info!("card inserted");
        Ok(())
    }

    /// Pulls the card away as the very next command arrives.
    pub fn tear_next_command(&mut self) {
        self.arm_tear(Tear::NextCommand);
    }

    /// Arms a tear: the card is pulled away when the chosen command arrives, before it acts on it.
    pub fn arm_tear(&mut self, tear: Tear) {
        self.tear = Some(tear);
    }

    /// Power-on or warm reset: clears the card's security state and reloads it from disk.
    pub fn power_on(&mut self) {
        if let Err(err) = self.reload() {
            tracing::warn!(%err, "could not reload the card file; keeping the card in memory");
        }
        self.card.power_cycle();
    }

    /// Power-off: the card forgets selections and verified PINs.
    pub fn power_off(&mut self) {
        self.card.power_cycle();
    }

    /// Answers one command APDU, or `None` if no card answers (absent, or torn away now).
    pub fn transmit(&mut self, apdu: &[u8]) -> Option<Vec<u8>> {
        if !self.present {
            return None;
        }
        let torn = match self.tear {
            Some(Tear::NextCommand) => true,
            Some(Tear::NextIns(ins)) => apdu.get(1) == Some(&ins) && apdu.len() > 4,
            None => false,
        };
        if torn {
            tracing::info!(len = apdu.len(), "card pulled away as a command arrived");
            self.remove();
            return None;
        }
        Some(self.card.process(apdu))
    }

    /// The card itself (for status output).
    pub fn card(&self) -> &SimTransport {
        &self.card
    }

    fn reload(&mut self) -> Result<(), SimError> {
        if let Some(path) = &self.path {
            self.card = SimTransport::open(path)?;
        }
        Ok(())
    }
}

/// Sends one APDU to the card in `slot` as a reader would, taking as long as the card's latency
/// model says, with the slot unlocked meanwhile: a card pulled away while it works (a `remove`
/// during a one-second signature) gives no answer, though the card may have acted.
pub fn exchange(slot: &SharedSlot, apdu: &[u8]) -> Option<Vec<u8>> {
    let (answer, latency) = {
        let mut slot = lock(slot);
        (slot.transmit(apdu)?, slot.latency)
    };
    if let Some(latency) = latency {
        std::thread::sleep(latency.of(apdu, answer.len()));
        if !lock(slot).is_present() {
            tracing::info!(len = apdu.len(), "card pulled away before it answered");
            return None;
        }
    }
    Some(answer)
}

/// Locks a shared slot, recovering from a panicked holder (the card's state is on disk anyway).
pub fn lock(slot: &SharedSlot) -> MutexGuard<'_, CardSlot> {
    slot.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
