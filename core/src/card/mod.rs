//! Application clients: one type per on-card application, speaking its commands over a [`Transport`].
//!
//! [`JpkiApp`] holds the two certificates, keys and PINs; [`CardInfoApp`] gives My Number and the
//! basic facts as text; [`SurfaceApp`] the card's face. They share the plumbing below: a
//! selected-file cache that skips redundant SELECTs, reads that never go past the end of a file,
//! and one PIN-status mapping. The words they speak (keys, slots, PIN states) are in
//! [`crate::vocabulary`].

pub mod authenticity;
pub mod card_info;
pub mod commands;
pub mod cvc;
pub mod jpki;
pub mod photo;
pub mod surface;
pub mod tlv;

#[cfg(test)]
pub(crate) mod mock;
#[cfg(test)]
mod tests;

use std::collections::{HashMap, HashSet};
use std::fmt;

use crate::apdu::{Command, Response, StatusWord};
use crate::error::CardError;
use crate::ids::{Aid, Application, FileId};
use crate::pin::{Pin, PinKind};
use crate::transport::{Transport, TransportExt};

pub use crate::vocabulary::{CertSlot, KeyKind, PinStatus, Sex, TokenKind};
pub use card_info::{BasicFacts, CardInfoApp};
use commands::Target;
pub use jpki::JpkiApp;
pub use surface::SurfaceApp;
use tlv::TlvHeader;

/// The plumbing both application clients share: the transport, which EF is selected, which
/// PIN states are known, and reads that stop exactly at the end of a file.
pub(crate) struct Session<T: Transport> {
    transport: T,
    selected: Option<FileId>,
    known_pins: HashMap<PinKind, PinStatus>,
    /// PINs this client verified since it selected the application: the card never says so
    /// (an empty VERIFY answers `63 Cx` even after a correct VERIFY), so the client remembers.
    verified: HashSet<PinKind>,
    extended: bool,
    /// Whether commands address EFs by short identifier (`P1 = 80+SFI` for READ BINARY,
    /// `P2 = 80+SFI` for VERIFY and COMPUTE DIGITAL SIGNATURE) instead of a SELECT first.
    short_ids: bool,
}

/// Shows what the client believes about the card; never data.
impl<T: Transport> fmt::Debug for Session<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("selected", &self.selected)
            .field("known_pins", &self.known_pins)
            .field("verified", &self.verified)
            .field("extended", &self.extended)
            .field("short_ids", &self.short_ids)
            .finish_non_exhaustive()
    }
}

impl<T: Transport> Session<T> {
    /// Selects `aid` by DF name; `6A 82` becomes `not_found`.
    pub(crate) fn select_app(
        mut transport: T,
        aid: Aid,
        not_found: CardError,
    ) -> Result<Self, CardError> {
        let select = commands::select_application(aid);
        let response = transport.exchange(&select)?;
        match response.status() {
            StatusWord::Success => {}
            StatusWord::FileNotFound => return Err(not_found),
            status => {
                return Err(CardError::from_status(
                    "selecting the application",
                    status,
                    None,
                ));
            }
        }
        tracing::debug!(target: "kazasu::card", %aid, "application selected");
        // Links that carry extended APDUs get the fast path; the card may still refuse it.
        let fast = transport.carries_extended_length();
        Ok(Self {
            transport,
            selected: None,
            known_pins: HashMap::new(),
            verified: HashSet::new(),
            extended: fast,
            short_ids: fast,
        })
    }

    pub(crate) fn transport_mut(&mut self) -> &mut T {
        &mut self.transport
    }

    pub(crate) fn forget_state(&mut self) {
        self.selected = None;
        self.known_pins.clear();
        self.verified.clear();
    }

    /// Whether this client verified `kind` since it selected the application.
    pub(crate) fn is_verified(&self, kind: PinKind) -> bool {
        self.verified.contains(&kind)
    }

    pub(crate) fn into_transport(self) -> T {
        self.transport
    }

    pub(crate) fn set_extended_length(&mut self, on: bool) {
        self.extended = on;
    }

    pub(crate) fn set_short_ids(&mut self, on: bool) {
        self.short_ids = on;
    }

    /// The short EF identifier to address `file` with, when this session uses them.
    fn short_id(&self, file: FileId) -> Option<u8> {
        short_ef_id(file).filter(|_| self.short_ids)
    }

    /// Whether a status word says the card does not take short EF identifiers (or the P1/P2 form).
    fn refuses_short_ids(status: StatusWord) -> bool {
        matches!(
            status,
            StatusWord::IncorrectP1P2 | StatusWord::FunctionNotSupported
        )
    }

    /// One exchange; an error answer (other than a PIN counter) or a failed link forgets the selected EF.
    pub(crate) fn exchange(&mut self, command: &Command) -> Result<Response, CardError> {
        match self.transport.exchange(command) {
            Ok(response) => {
                let keeps_selection = matches!(
                    response.status(),
                    StatusWord::Success | StatusWord::RemainingRetries(_)
                );
                if !keeps_selection {
                    self.selected = None;
                }
                Ok(response)
            }
            Err(e) => {
                self.selected = None;
                Err(e.into())
            }
        }
    }

    /// Selects an EF unless it is already the current one.
    pub(crate) fn select_ef(&mut self, file: FileId) -> Result<(), CardError> {
        if self.selected == Some(file) {
            return Ok(());
        }
        let select = commands::select_file(file);
        let response = self.exchange(&select)?;
        match response.status() {
            StatusWord::Success => {
                self.selected = Some(file);
                Ok(())
            }
            StatusWord::FileNotFound => Err(CardError::FileNotFound { file }),
            status => Err(CardError::from_status("selecting a file", status, None)),
        }
    }

    /// READ BINARY of up to `le` bytes at `offset` in the current EF.
    pub(crate) fn read_binary(
        &mut self,
        offset: usize,
        le: u32,
        operation: &'static str,
        pin: Option<PinKind>,
    ) -> Result<Vec<u8>, CardError> {
        let response = self.exchange(&commands::read_binary(offset, le)?)?;
        match response.status() {
            // 62 82: fewer bytes than asked for because the file ended; the data is good.
            StatusWord::Success | StatusWord::EndOfFileReached => Ok(response.into_data()),
            status => Err(CardError::from_status(operation, status, pin)),
        }
    }

    /// Reads a file holding one TLV (a certificate, a card-info record): 256 bytes first, then
    /// exactly what its header says is left, so `N` bytes cost `ceil(N / 256)` READ BINARYs.
    pub(crate) fn read_tlv_file(
        &mut self,
        file: FileId,
        operation: &'static str,
        pin: Option<PinKind>,
        what: &'static str,
    ) -> Result<Vec<u8>, CardError> {
        let mut out = match self.read_whole_by_short_id(file, operation, pin)? {
            Some(bytes) => bytes,
            None => {
                self.select_ef(file)?;
                self.read_binary(0, 256, operation, pin)?
            }
        };
        let header = TlvHeader::parse(&out).map_err(|e| CardError::Malformed {
            what,
            reason: format!("its header cannot be read: {e}"),
        })?;
        let total = header.total_len();
        if out.len() >= total {
            out.truncate(total);
            return Ok(out);
        }
        // A first answer shorter than 256 bytes usually means the file ended early, but some
        // readers cap response sizes: keep reading, and let the card say where the file ends.
        let ended_early = |len: usize| CardError::Malformed {
            what,
            reason: format!("the file ends after {len} bytes but its header announces {total}"),
        };
        while out.len() < total {
            let remaining = total - out.len();
            if self.extended && remaining > 256 {
                if let Some(rest) = self.try_extended_read(out.len(), remaining)? {
                    out.extend_from_slice(&rest[..remaining.min(rest.len())]);
                    continue;
                }
                // Fallen back to short reads; make sure the file is still the current one.
                self.select_ef(file)?;
            }
            let le = remaining.min(256);
            let chunk = match self.read_binary(out.len(), le as u32, operation, pin) {
                Ok(chunk) if chunk.is_empty() => return Err(ended_early(out.len())),
                Ok(chunk) => chunk,
                Err(CardError::Card {
                    status: StatusWord::WrongParameters,
                    ..
                }) => return Err(ended_early(out.len())),
                Err(e) => return Err(e),
            };
            out.extend_from_slice(&chunk[..le.min(chunk.len())]);
        }
        tracing::debug!(target: "kazasu::card", %file, len = out.len(), "file read");
        Ok(out)
    }

    /// The first `len` bytes (at most 256) of a file (the whole file when it is shorter): by
    /// short identifier when this session uses them (one APDU), else SELECT and READ BINARY.
    /// `pin` is what guards the file, for the error when it was not verified.
    pub(crate) fn read_start(
        &mut self,
        file: FileId,
        len: u32,
        operation: &'static str,
        pin: Option<PinKind>,
    ) -> Result<Vec<u8>, CardError> {
        if let Some(sfi) = self.short_id(file) {
            let command = commands::read_binary_by_short_id(sfi, len);
            let response = self.exchange(&command)?;
            match response.status() {
                StatusWord::Success | StatusWord::EndOfFileReached => {
                    self.selected = Some(file);
                    return Ok(response.into_data());
                }
                status if Self::refuses_short_ids(status) => self.short_ids = false,
                StatusWord::FileNotFound => return Err(CardError::FileNotFound { file }),
                status => return Err(CardError::from_status(operation, status, pin)),
            }
        }
        self.select_ef(file)?;
        self.read_binary(0, len, operation, pin)
    }

    /// The fast path: one extended READ BINARY of the whole EF addressed by its short identifier
    /// (no SELECT). `None` when this session does not use it, or when the card refuses it (`67 00`:
    /// no extended length; `6A 86`/`6A 81`: no short identifiers), which switches it off.
    fn read_whole_by_short_id(
        &mut self,
        file: FileId,
        operation: &'static str,
        pin: Option<PinKind>,
    ) -> Result<Option<Vec<u8>>, CardError> {
        let Some(sfi) = self.short_id(file).filter(|_| self.extended) else {
            return Ok(None);
        };
        let command = commands::read_whole_by_short_id(sfi);
        let response = self.exchange(&command)?;
        match response.status() {
            StatusWord::Success | StatusWord::EndOfFileReached => {
                // READ BINARY by short identifier makes that EF the current one.
                self.selected = Some(file);
                Ok(Some(response.into_data()))
            }
            StatusWord::WrongLength => {
                tracing::debug!(target: "kazasu::card", "extended length refused; using short APDUs");
                self.extended = false;
                Ok(None)
            }
            status if Self::refuses_short_ids(status) => {
                tracing::debug!(target: "kazasu::card", %status, "short EF identifiers refused; selecting files");
                self.short_ids = false;
                Ok(None)
            }
            StatusWord::FileNotFound => Err(CardError::FileNotFound { file }),
            status => Err(CardError::from_status(operation, status, pin)),
        }
    }

    /// One extended-length READ BINARY; `None` (and extended length switched off) when the card refuses it.
    fn try_extended_read(
        &mut self,
        offset: usize,
        len: usize,
    ) -> Result<Option<Vec<u8>>, CardError> {
        let le = u32::try_from(len)
            .unwrap_or(u32::MAX)
            .min(crate::apdu::MAX_EXTENDED_LE);
        let response = self.exchange(&commands::read_binary(offset, le)?)?;
        match response.status() {
            StatusWord::Success | StatusWord::EndOfFileReached if !response.data().is_empty() => {
                Ok(Some(response.into_data()))
            }
            status => {
                tracing::debug!(target: "kazasu::card", %status, "extended length refused; using short APDUs");
                self.extended = false;
                Ok(None)
            }
        }
    }

    /// Empty VERIFY on the PIN's EF: tries left without using one.
    pub(crate) fn pin_status(&mut self, kind: PinKind) -> Result<PinStatus, CardError> {
        let mut response = None;
        if let Some(sfi) = self.short_id(kind.file_id()) {
            let answer = self.exchange(&commands::pin_status(Target::ShortId(sfi)))?;
            // Whether the card now considers the PIN EF current is not documented: assume not.
            self.selected = None;
            if Self::refuses_short_ids(answer.status()) {
                tracing::debug!(target: "kazasu::card", "short EF identifiers refused; selecting files");
                self.short_ids = false;
            } else {
                response = Some(answer);
            }
        }
        let response = match response {
            Some(response) => response,
            None => {
                self.select_ef(kind.file_id())?;
                self.exchange(&commands::pin_status(Target::Current))?
            }
        };
        let status = PinStatus::from_status(response.status()).ok_or_else(|| {
            CardError::from_status("checking the PIN's tries left", response.status(), None)
        })?;
        let status = match status {
            PinStatus::Remaining(_) if self.verified.contains(&kind) => PinStatus::Verified,
            // A card's 90 00 is reported, but only this client's own VERIFY counts as verified.
            PinStatus::Locked => {
                self.verified.remove(&kind);
                PinStatus::Locked
            }
            other => other,
        };
        self.known_pins.insert(kind, status);
        Ok(status)
    }

    /// VERIFY with the PIN; refuses without sending it when the PIN is known (or found) locked.
    pub(crate) fn verify(&mut self, pin: &Pin) -> Result<(), CardError> {
        let kind = pin.kind();
        let known = match self.known_pins.get(&kind) {
            Some(status) => *status,
            None => self.pin_status(kind)?,
        };
        if known == PinStatus::Locked {
            return Err(CardError::PinLocked { kind });
        }
        // The PIN goes out once, by short identifier only when an empty VERIFY just showed the
        // card takes them (this session's status check): never resent in another form.
        let target = match self.short_id(kind.file_id()) {
            Some(sfi) => {
                self.selected = None;
                Target::ShortId(sfi)
            }
            None => {
                self.select_ef(kind.file_id())?;
                Target::Current
            }
        };
        let command = commands::verify(target, pin.as_bytes());
        let response = self.exchange(&command)?;
        let result = match response.status() {
            StatusWord::Success => Ok(()),
            status => Err(CardError::from_status(
                "verifying the PIN",
                status,
                Some(kind),
            )),
        };
        if result.is_err() {
            self.verified.remove(&kind);
        }
        match &result {
            Ok(()) => {
                self.verified.insert(kind);
                self.known_pins.insert(kind, PinStatus::Verified);
            }
            Err(CardError::WrongPin { tries_left, .. }) => {
                self.known_pins
                    .insert(kind, PinStatus::Remaining(*tries_left));
            }
            Err(CardError::PinLocked { .. }) => {
                self.known_pins.insert(kind, PinStatus::Locked);
            }
            Err(_) => {
                self.known_pins.remove(&kind);
            }
        }
        tracing::debug!(target: "kazasu::card", ?kind, ok = result.is_ok(), "PIN presented");
        result
    }

    /// COMPUTE DIGITAL SIGNATURE (`80 2A 00 80`) over `data` with the key in `key_file`,
    /// addressed by short identifier when this session uses them, else after selecting it.
    ///
    /// Falls back to SELECT on `6A 86`/`6A 81` only: the card refused the addressing and signed
    /// nothing. Any other answer is returned as it is.
    pub(crate) fn compute_signature(
        &mut self,
        key_file: FileId,
        data: &[u8],
    ) -> Result<Response, CardError> {
        if let Some(sfi) = self.short_id(key_file) {
            let command = commands::compute_signature(Target::ShortId(sfi), data);
            let response = self.exchange(&command)?;
            self.selected = None;
            if !Self::refuses_short_ids(response.status()) {
                return Ok(response);
            }
            tracing::debug!(target: "kazasu::card", "short EF identifiers refused; selecting files");
            self.short_ids = false;
        }
        self.select_ef(key_file)?;
        let command = commands::compute_signature(Target::Current, data);
        self.exchange(&command)
    }

    /// VERIFY the old PIN, then CHANGE REFERENCE DATA to the new one.
    pub(crate) fn change(&mut self, old: &Pin, new: &Pin) -> Result<(), CardError> {
        if old.kind() != new.kind() {
            return Err(CardError::MismatchedPins {
                old: old.kind(),
                new: new.kind(),
            });
        }
        let kind = old.kind();
        self.verify(old)?;
        self.select_ef(kind.file_id())?;
        let command = commands::change_reference_data(new.as_bytes());
        let response = self.exchange(&command)?;
        match response.status() {
            StatusWord::Success => {
                tracing::debug!(target: "kazasu::card", ?kind, "PIN changed");
                Ok(())
            }
            status => {
                self.known_pins.remove(&kind);
                Err(CardError::from_status(
                    "changing the PIN",
                    status,
                    Some(kind),
                ))
            }
        }
    }
}

/// Refuses, before anything is sent, a PIN or code given to an application that does not hold it.
pub(crate) fn check_kind(kind: PinKind, used_with: Application) -> Result<(), CardError> {
    if kind.application() == used_with {
        Ok(())
    } else {
        Err(not_in(kind, used_with))
    }
}

/// `kind` given to an application that does not hold it (a caller's mistake).
pub(crate) fn not_in(kind: PinKind, used_with: Application) -> CardError {
    CardError::PinNotInApplication {
        kind,
        belongs_to: kind.application().name(),
        used_with: used_with.name(),
    }
}

/// The short EF identifier of `file` (its number, when it fits the five bits): every EF of the
/// JPKI and card-info applications has one.
fn short_ef_id(file: FileId) -> Option<u8> {
    u8::try_from(file.0)
        .ok()
        .filter(|id| (1..=0x1E).contains(id))
}
