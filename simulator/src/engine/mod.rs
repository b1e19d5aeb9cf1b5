//! The card itself: applications over elementary files, PIN objects and keys, answering APDUs.
//!
//! Each application is a table of files (`jpki`, `card_info`); the commands are the same for all
//! of them, so they are processed here. Security status (which PINs are verified, which file is
//! selected) lives only in memory and is cleared on re-select and power-off, like a real card's.

mod card_info;
mod jpki;

use kazasu_core::apdu::{Command, Response, StatusWord};
use kazasu_core::ids::mynumber::{
    CARD_INFO_AID, COMMON_CARD_AID, JPKI_AID, RESIDENT_REGISTRY_AID, SURFACE_AID,
};
use kazasu_core::ids::{Aid, FileId};
use kazasu_core::pin::{Pin, PinKind};
use rsa::Pkcs1v15Sign;

use crate::card_state::{BlockedStatus, CardState};
use crate::error::SimError;
use crate::jlis::{CaKind, load_key};

/// Where the card writes its state before it answers: a file, or nowhere for in-memory cards.
pub(crate) trait Store {
    /// Persists `state`; on error the card answers `65 81` and undoes the change in memory.
    fn save(&mut self, state: &CardState) -> Result<(), SimError>;
}

/// The on-card applications the simulator knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum App {
    Jpki,
    CardInfo,
    /// Selectable, but its files are not simulated.
    Other,
}

/// What an elementary file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ef {
    /// Transparent data, readable freely or after a PIN.
    Binary {
        content: Content,
        needs: Option<PinKind>,
    },
    /// A PIN object.
    Pin(PinKind),
    /// A private key, usable after its PIN.
    Key(CaKind),
}

/// Which data a binary file holds (computed from the state when read).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Content {
    TokenInfo,
    Cert(crate::card_state::CertKind),
    /// JPKI EF 0008: which certificates the card carries.
    CertPresence,
    MyNumber,
    BasicFacts,
}

impl Content {
    /// The file's fixed size on the card; what its object does not fill is `FF` filler.
    ///
    /// A certificate longer than [`CERT_EF_SIZE`] (the simulator's CA may change its shapes)
    /// gets the next multiple of 256 bytes above it, so there is always filler after it.
    fn ef_size(self, object_len: usize) -> usize {
        let fixed = match self {
            Content::TokenInfo => jpki::TOKEN_INFO_SIZE,
            Content::Cert(_) => CERT_EF_SIZE,
            Content::CertPresence => jpki::CERT_PRESENCE.len(),
            Content::MyNumber => card_info::MY_NUMBER_EF_SIZE,
            Content::BasicFacts => card_info::BASIC_FACTS_EF_SIZE,
        };
        if object_len <= fixed {
            fixed
        } else {
            (object_len / 256 + 1) * 256
        }
    }
}

/// Size of each certificate EF: room for an RSA-2048 certificate with the signing
/// certificate's personal data (1758 bytes on a test card), the rest `FF` filler.
pub const CERT_EF_SIZE: usize = 2048;

/// A powered card: the stored state plus this session's security status.
pub(crate) struct Card {
    pub(crate) state: CardState,
    app: Option<App>,
    ef: Option<(FileId, Ef)>,
    verified: Vec<PinKind>,
}

impl Card {
    pub(crate) fn new(state: CardState) -> Card {
        Card {
            state,
            app: None,
            ef: None,
            verified: Vec::new(),
        }
    }

    /// Power off: everything but the stored state is forgotten.
    pub(crate) fn reset(&mut self) {
        self.app = None;
        self.ef = None;
        self.verified.clear();
    }

    /// Answers one command APDU. `extended` says whether it came in extended-length encoding.
    pub(crate) fn process(
        &mut self,
        cmd: &Command,
        extended: bool,
        store: &mut dyn Store,
    ) -> Response {
        if extended && !self.state.config.extended_length {
            return sw(StatusWord::WrongLength);
        }
        match (cmd.cla(), cmd.ins()) {
            (0x00, 0xA4) => self.select(cmd),
            (0x00, 0xB0) => self.read_binary(cmd),
            (0x00, 0x20) => self.verify(cmd, store),
            (0x00, 0x24) => self.change_reference_data(cmd, store),
            (0x80, 0x2A) => self.compute_signature(cmd),
            (0x00 | 0x80, 0xA4 | 0xB0 | 0x20 | 0x24 | 0x2A) => sw(StatusWord::ClassNotSupported),
            (0x00 | 0x80, _) => sw(StatusWord::InstructionNotSupported),
            _ => sw(StatusWord::ClassNotSupported),
        }
    }

    fn select(&mut self, cmd: &Command) -> Response {
        match (cmd.p1(), cmd.p2()) {
            (0x04, 0x0C | 0x00) => {
                let app = match Aid::from_slice(cmd.data()) {
                    Some(aid) if aid == JPKI_AID => App::Jpki,
                    Some(aid) if aid == CARD_INFO_AID => App::CardInfo,
                    Some(aid)
                        if aid == SURFACE_AID
                            || aid == COMMON_CARD_AID
                            || aid == RESIDENT_REGISTRY_AID =>
                    {
                        App::Other
                    }
                    _ => return sw(StatusWord::FileNotFound),
                };
                // Selecting an application (even the same one) logs out: OpenSC relies on it.
                self.reset();
                self.app = Some(app);
                sw(StatusWord::Success)
            }
            (0x02, 0x0C | 0x00) => {
                let Ok(fid) = <[u8; 2]>::try_from(cmd.data()) else {
                    return sw(StatusWord::WrongLength);
                };
                let fid = FileId(u16::from_be_bytes(fid));
                let ef = match self.app {
                    Some(App::Jpki) => jpki::file(fid),
                    Some(App::CardInfo) => card_info::file(fid),
                    _ => None,
                };
                match ef {
                    Some(ef) => {
                        self.ef = Some((fid, ef));
                        sw(StatusWord::Success)
                    }
                    None => {
                        self.ef = None;
                        sw(StatusWord::FileNotFound)
                    }
                }
            }
            _ => sw(StatusWord::IncorrectP1P2),
        }
    }

    /// The EF a short identifier names in the selected application (`Ok(None)`: `sfi` is 0, the
    /// current EF). `6A 86` when short identifiers are switched off, `6A 82` for no such EF.
    fn by_short_id(&self, sfi: u8) -> Result<Option<(FileId, Ef)>, Response> {
        if sfi == 0 {
            return Ok(None);
        }
        if !self.state.config.short_ef_ids {
            return Err(sw(StatusWord::IncorrectP1P2));
        }
        let fid = FileId(u16::from(sfi));
        let ef = match self.app {
            Some(App::Jpki) => jpki::file(fid),
            Some(App::CardInfo) => card_info::file(fid),
            _ => None,
        };
        ef.map(|ef| Some((fid, ef)))
            .ok_or_else(|| sw(StatusWord::FileNotFound))
    }

    fn read_binary(&mut self, cmd: &Command) -> Response {
        let mut offset = usize::from(cmd.p1p2());
        if cmd.p1() & 0x80 != 0 {
            // P1 = 80+SFI: that EF becomes the current one; P2 is the offset.
            match self.by_short_id(cmd.p1() & 0x1F) {
                Ok(Some(found)) => self.ef = Some(found),
                Ok(None) => return sw(StatusWord::IncorrectP1P2),
                Err(r) => return r,
            }
            offset = usize::from(cmd.p2());
        }
        let Some((_, ef)) = self.ef else {
            return sw(StatusWord::NoCurrentEf);
        };
        let Ef::Binary { content, needs } = ef else {
            return sw(StatusWord::IncompatibleFileStructure);
        };
        if let Some(pin) = needs
            && !self.verified.contains(&pin)
        {
            return sw(StatusWord::SecurityStatusNotSatisfied);
        }
        let Some(le) = cmd.le() else {
            return sw(StatusWord::WrongLength);
        };
        let data = self.file_bytes(content);
        if offset >= data.len() {
            return sw(StatusWord::WrongParameters);
        }
        let remaining = data.len() - offset;
        // Like the card: an Le longer than what is left returns the rest of the file with 90 00.
        let n = (le as usize).min(remaining);
        Response::success(data[offset..offset + n].to_vec())
    }

    /// The whole file as the card stores it: its object, then `FF` filler to the EF's fixed size.
    pub(crate) fn file_bytes(&self, content: Content) -> Vec<u8> {
        let mut bytes = self.content(content);
        let size = content.ef_size(bytes.len());
        bytes.resize(size, 0xFF);
        bytes
    }

    fn content(&self, content: Content) -> Vec<u8> {
        match content {
            Content::TokenInfo => jpki::token_info(&self.state.config.token_label),
            Content::Cert(kind) => self.state.certificate_der(kind).to_vec(),
            Content::CertPresence => jpki::CERT_PRESENCE.to_vec(),
            Content::MyNumber => card_info::my_number(&self.state.holder),
            Content::BasicFacts => card_info::basic_facts(&self.state.holder),
        }
    }

    /// The PIN a VERIFY or CHANGE REFERENCE DATA is about: P2 = `80` the current EF, `80+SFI`
    /// the PIN EF with that short identifier (the current EF stays as it is).
    fn current_pin(&self, cmd: &Command) -> Result<PinKind, Response> {
        if cmd.ins() == 0x20 && cmd.p1() != 0x00 {
            return Err(sw(StatusWord::IncorrectP1P2));
        }
        if cmd.p2() & 0xE0 != 0x80 {
            return Err(sw(StatusWord::IncorrectP1P2));
        }
        let ef = match self.by_short_id(cmd.p2() & 0x1F)? {
            Some(found) => Some(found),
            None => self.ef,
        };
        match ef {
            Some((_, Ef::Pin(kind))) => Ok(kind),
            Some(_) => Err(sw(StatusWord::IncompatibleFileStructure)),
            None => Err(sw(StatusWord::NoCurrentEf)),
        }
    }

    /// The answer of a blocked PIN to a command with a PIN in it, or to an empty VERIFY.
    fn blocked(&self, empty_verify: bool) -> Response {
        sw(match self.state.config.blocked_status {
            BlockedStatus::Card if empty_verify => StatusWord::RemainingRetries(0),
            BlockedStatus::Card => StatusWord::ReferenceDataNotUsable,
            BlockedStatus::Sw6983 => StatusWord::AuthenticationMethodBlocked,
            BlockedStatus::Sw6984 => StatusWord::ReferenceDataNotUsable,
            BlockedStatus::Sw63C0 => StatusWord::RemainingRetries(0),
        })
    }

    fn verify(&mut self, cmd: &Command, store: &mut dyn Store) -> Response {
        let kind = match self.current_pin(cmd) {
            Ok(kind) => kind,
            Err(r) => return r,
        };
        let pin = self.state.pins.get(kind);
        if pin.is_blocked() {
            return self.blocked(cmd.data().is_empty());
        }
        if cmd.data().is_empty() {
            // Status query: uses no try, and says 63 Cx even when verified, like the card.
            return sw(StatusWord::RemainingRetries(pin.tries_left));
        }
        // Anti-tearing: the try is spent on disk before the comparison, as a real card does.
        let before = pin.tries_left;
        self.state.pins.get_mut(kind).tries_left = before - 1;
        if let Err(e) = store.save(&self.state) {
            self.state.pins.get_mut(kind).tries_left = before;
            tracing::error!(error = %e, "could not persist a PIN try");
            return sw(StatusWord::MemoryFailure);
        }
        let matches = constant_time_eq(cmd.data(), self.state.pins.get(kind).value.as_bytes());
        if !matches {
            self.verified.retain(|k| *k != kind);
            return sw(StatusWord::RemainingRetries(before - 1));
        }
        let limit = self.state.pins.get(kind).limit;
        self.state.pins.get_mut(kind).tries_left = limit;
        if let Err(e) = store.save(&self.state) {
            tracing::error!(error = %e, "could not persist a PIN counter reset");
            self.state.pins.get_mut(kind).tries_left = before - 1;
            return sw(StatusWord::MemoryFailure);
        }
        if !self.verified.contains(&kind) {
            self.verified.push(kind);
        }
        sw(StatusWord::Success)
    }

    fn change_reference_data(&mut self, cmd: &Command, store: &mut dyn Store) -> Response {
        if cmd.p1() != 0x01 {
            return sw(StatusWord::IncorrectP1P2);
        }
        let kind = match self.current_pin(cmd) {
            Ok(kind) => kind,
            Err(r) => return r,
        };
        if self.state.pins.get(kind).is_blocked() {
            return self.blocked(false);
        }
        if !self.verified.contains(&kind) {
            return sw(StatusWord::SecurityStatusNotSatisfied);
        }
        let Ok(text) = std::str::from_utf8(cmd.data()) else {
            return sw(StatusWord::IncorrectData);
        };
        // The card enforces its own format: only exact, already upper-case values are accepted.
        match Pin::parse(kind, text) {
            Ok(pin) if pin.as_bytes() == cmd.data() => {}
            _ => return sw(StatusWord::IncorrectData),
        }
        let old = std::mem::replace(&mut self.state.pins.get_mut(kind).value, text.to_owned());
        if let Err(e) = store.save(&self.state) {
            tracing::error!(error = %e, "could not persist a PIN change");
            self.state.pins.get_mut(kind).value = old;
            return sw(StatusWord::MemoryFailure);
        }
        sw(StatusWord::Success)
    }

    fn compute_signature(&mut self, cmd: &Command) -> Response {
        if cmd.p1() != 0x00 || cmd.p2() & 0xE0 != 0x80 {
            return sw(StatusWord::IncorrectP1P2);
        }
        let ef = match self.by_short_id(cmd.p2() & 0x1F) {
            Ok(Some(found)) => Some(found),
            Ok(None) => self.ef,
            Err(r) => return r,
        };
        let Some((_, ef)) = ef else {
            return sw(StatusWord::NoCurrentEf);
        };
        let Ef::Key(which) = ef else {
            return sw(StatusWord::IncompatibleFileStructure);
        };
        let pin = match which {
            CaKind::Auth => PinKind::Auth,
            CaKind::Sign => PinKind::Sign,
        };
        if !self.verified.contains(&pin) {
            return sw(StatusWord::SecurityStatusNotSatisfied);
        }
        let digest_info = cmd.data();
        if digest_info.is_empty() || digest_info.len() > 256 - 11 {
            return sw(StatusWord::WrongLength);
        }
        let key = match load_key(&self.state.key_cert(which).key_pem) {
            Ok(key) => key,
            Err(e) => {
                tracing::error!(error = %e, "stored key unreadable");
                return sw(StatusWord::MemoryFailure);
            }
        };
        // PKCS#1 v1.5 type-1 padding over the DigestInfo exactly as given, like the card.
        match key.sign(Pkcs1v15Sign::new_unprefixed(), digest_info) {
            Ok(signature) => Response::success(signature),
            Err(e) => {
                tracing::error!(error = %e, "signature failed");
                sw(StatusWord::IncorrectData)
            }
        }
    }
}

fn sw(status: StatusWord) -> Response {
    Response::status_only(status)
}

/// Compares without an early exit, so timing says nothing about how much of a PIN was right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests;
