//! The simulated card in a simulated reader, in this process: a [`Transport`] for tests, the CLI and apps.

use std::path::{Path, PathBuf};

use kazasu_core::apdu::{Command, Response, StatusWord};
use kazasu_core::transport::{Transport, TransportError};

use crate::card_state::CardState;
use crate::engine::{Card, Store};
use crate::error::SimError;

/// The ATR OpenSC matches for the My Number Card (contact interface).
pub const MY_NUMBER_CARD_ATR: [u8; 9] = [0x3B, 0xE0, 0x00, 0xFF, 0x81, 0x31, 0xFE, 0x45, 0x14];

/// A simulated card inserted in a simulated reader; every state change is on disk before the answer.
pub struct SimTransport {
    card: Card,
    store: FileStore,
    present: bool,
    fault: Option<Fault>,
    pins_received: usize,
}

/// Misbehaviour of a faulty or hostile card or reader, to test that clients survive it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Every answer is 256 bytes and `61 00`, for ever: GET RESPONSE chaining never ends.
    EndlessGetResponse,
    /// Every VERIFY carrying a PIN is answered `6C 04` ("send it again with Le 4"), unprocessed.
    WrongLeToVerify,
}

struct FileStore {
    path: Option<PathBuf>,
    fail_next: bool,
}

impl Store for FileStore {
    fn save(&mut self, state: &CardState) -> Result<(), SimError> {
        if std::mem::take(&mut self.fail_next) {
            return Err(SimError::Issue("simulated write failure".to_owned()));
        }
        match &self.path {
            Some(path) => state.save(path),
            None => Ok(()),
        }
    }
}

impl SimTransport {
    /// Loads the card stored at `path` and powers it on.
    pub fn open(path: &Path) -> Result<SimTransport, SimError> {
        let state = CardState::load(path)?;
        Ok(SimTransport {
            card: Card::new(state),
            store: FileStore {
                path: Some(path.to_owned()),
                fail_next: false,
            },
            present: true,
            fault: None,
            pins_received: 0,
        })
    }

    /// A card that lives only in memory (nothing is written): for unit tests and throw-away demos.
    pub fn in_memory(state: CardState) -> SimTransport {
        SimTransport {
            card: Card::new(state),
            store: FileStore {
                path: None,
                fail_next: false,
            },
            present: true,
            fault: None,
            pins_received: 0,
        }
    }

    /// Makes the card (or its reader) misbehave from now on; `None` cures it.
    pub fn set_fault(&mut self, fault: Option<Fault>) {
        self.fault = fault;
    }

    /// How many VERIFY or CHANGE REFERENCE DATA commands carrying a PIN reached the card.
    pub fn pins_received(&self) -> usize {
        self.pins_received
    }

    /// Takes the card out of the reader: the next exchange fails with "card removed".
    pub fn remove(&mut self) {
        self.present = false;
        self.card.reset();
    }

    /// Puts the card back (powered on, nothing selected or verified).
    pub fn insert(&mut self) {
        self.present = true;
        self.card.reset();
    }

    /// Power off and on: security state is cleared, stored state is kept.
    pub fn power_cycle(&mut self) {
        self.card.reset();
    }

    /// The card's answer to reset.
    pub fn atr(&self) -> &'static [u8] {
        &MY_NUMBER_CARD_ATR
    }

    /// The card's current state (as in memory, which always equals what is on disk).
    pub fn state(&self) -> &CardState {
        &self.card.state
    }

    /// Makes the next write of the card's state fail, as a worn-out EEPROM would: the card
    /// must answer `65 81` and change nothing.
    pub fn fail_next_persist(&mut self) {
        self.store.fail_next = true;
    }

    /// Answers one APDU as the card would, as bytes (with the status word).
    pub fn process(&mut self, apdu: &[u8]) -> Vec<u8> {
        let carries_pin = apdu.len() > 5 && matches!(apdu[1], 0x20 | 0x24);
        if carries_pin {
            self.pins_received += 1;
        }
        match self.fault {
            Some(Fault::EndlessGetResponse) => {
                let mut answer = vec![0x30; 256];
                answer.extend([0x61, 0x00]);
                return answer;
            }
            Some(Fault::WrongLeToVerify) if carries_pin && apdu[1] == 0x20 => {
                return vec![0x6C, 0x04];
            }
            _ => {}
        }
        let response = match Command::parse(apdu) {
            Ok(cmd) => {
                let extended = apdu.len() > 5 && apdu[4] == 0;
                let span = tracing::debug_span!(
                    "sim",
                    cla = cmd.cla(),
                    ins = cmd.ins(),
                    p1 = cmd.p1(),
                    p2 = cmd.p2(),
                    lc = cmd.data().len()
                );
                let _guard = span.enter();
                let r = self.card.process(&cmd, extended, &mut self.store);
                tracing::debug!(
                    sw = format_args!("{:04X}", r.status().to_u16()),
                    len = r.data().len(),
                    "answer"
                );
                r
            }
            Err(_) => Response::status_only(StatusWord::WrongLength),
        };
        response.to_bytes()
    }
}

impl Transport for SimTransport {
    /// In-process: nothing limits the APDU size (the card itself may still refuse: `67 00`).
    fn carries_extended_length(&self) -> bool {
        true
    }

    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        if !self.present {
            return Err(TransportError::CardRemoved);
        }
        Ok(self.process(command))
    }
}
