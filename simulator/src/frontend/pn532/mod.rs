//! A software NXP PN532 (firmware 1.6) on a serial line, so that libnfc's `pn532_uart` driver
//! finds the simulated card as an ISO/IEC 14443-4 Type B target at 106 kbit/s.
//!
//! [`Pn532`] is a pure state machine over bytes: [`Pn532::feed`] takes what the host wrote and
//! returns what the chip answers (an ACK, then the response frame). [`pty::PtyLink`] serves it on
//! a pseudo-terminal. The chip does ISO 14443-4 block chaining with the card itself, so the card
//! only ever sees whole APDUs; long responses go back to the host in pieces marked "more
//! information" (status bit `0x40`), which libnfc fetches with further `InDataExchange` commands.

pub mod frame;
pub mod pty;

use std::collections::HashMap;

use frame::{Decoder, ERROR_FRAME, Incoming, TFI_CHIP, TFI_HOST};

use crate::frontend::slot::{SharedSlot, exchange, lock};

/// The PUPI (pseudo-unique PICC identifier) of the first activation when the chip is made with
/// [`Pn532::with_fixed_pupi`] ("KZS1"). By default, like a My Number Card, every activation
/// draws a new random PUPI: nothing may identify the card by it.
pub const PUPI: [u8; 4] = [0x4B, 0x5A, 0x53, 0x31];
/// ATQB application data: AFI 00 (all families), no CRC_B(AID), no application count.
pub const APPLICATION_DATA: [u8; 4] = [0x00, 0x00, 0x00, 0x00];
/// ATQB protocol info as read off My Number Cards (`B3 81 D1`): 106, 212 and 424 kbit/s in both
/// directions; maximum frame 256 bytes, ISO/IEC 14443-4 compliant; FWI 13 (about 2.5 s, room
/// for an RSA signature), CID supported. The link itself stays at 106 kbit/s.
pub const PROTOCOL_INFO: [u8; 3] = [0xB3, 0x81, 0xD1];
/// What `GetFirmwareVersion` reports: IC PN532, firmware 1.6, supports ISO 14443 A and B and ISO 18092.
pub const FIRMWARE_VERSION: [u8; 4] = [0x32, 0x01, 0x06, 0x07];
/// The most response bytes sent in one `InDataExchange` reply; more are chained with status `0x40`.
/// It keeps every reply in a normal frame (LEN ≤ 255: TFI, code, status and 252 bytes).
pub const MAX_REPLY_CHUNK: usize = 252;

// Command codes (host to chip; the reply code is one more).
const DIAGNOSE: u8 = 0x00;
const GET_FIRMWARE_VERSION: u8 = 0x02;
const GET_GENERAL_STATUS: u8 = 0x04;
const READ_REGISTER: u8 = 0x06;
const WRITE_REGISTER: u8 = 0x08;
const READ_GPIO: u8 = 0x0C;
const WRITE_GPIO: u8 = 0x0E;
const SET_SERIAL_BAUD_RATE: u8 = 0x10;
const SET_PARAMETERS: u8 = 0x12;
const SAM_CONFIGURATION: u8 = 0x14;
const POWER_DOWN: u8 = 0x16;
const RF_CONFIGURATION: u8 = 0x32;
const IN_DATA_EXCHANGE: u8 = 0x40;
const IN_COMMUNICATE_THRU: u8 = 0x42;
const IN_DESELECT: u8 = 0x44;
const IN_JUMP_FOR_PSL: u8 = 0x46;
const IN_LIST_PASSIVE_TARGET: u8 = 0x4A;
const IN_PSL: u8 = 0x4E;
const IN_ATR: u8 = 0x50;
const IN_RELEASE: u8 = 0x52;
const IN_SELECT: u8 = 0x54;
const IN_JUMP_FOR_DEP: u8 = 0x56;
const IN_AUTO_POLL: u8 = 0x60;

// Status codes of In* replies.
const STATUS_OK: u8 = 0x00;
/// The target did not answer in time (card absent or pulled away).
const STATUS_TIMEOUT: u8 = 0x01;
/// The command is not acceptable in the current context (e.g. no target selected).
const STATUS_BAD_CONTEXT: u8 = 0x27;
/// "More information" bit of the status byte: the reply continues in the next frame.
const STATUS_MORE: u8 = 0x40;

// Target types of InAutoPoll that mean ISO/IEC 14443-4 Type B at 106 kbit/s.
const PTT_ISO14443_4B_106: u8 = 0x03;
const PTT_ISO14443_4B_TCL_106: u8 = 0x23;
/// Baud rate / modulation of InListPassiveTarget for Type B at 106 kbit/s.
const BRTY_ISO14443B_106: u8 = 0x03;

/// The state of target 1 (the simulated card) as the chip sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    /// No target listed.
    None,
    /// Listed and activated (ATTRIB done): `InDataExchange` goes to the card.
    Active,
    /// Listed but deselected (`InDeselect`): `InSelect` reactivates it.
    Deselected,
    /// Listed, but the card stopped answering (removed or torn away): every exchange times out
    /// until the host lists targets again.
    Lost,
}

/// An emulated PN532 in front of one card slot.
pub struct Pn532 {
    slot: SharedSlot,
    decoder: Decoder,
    /// The last response frame sent, for a NACK.
    last_reply: Option<Vec<u8>>,
    target: Target,
    /// Response bytes still to send with status `0x40` chaining.
    pending_reply: Vec<u8>,
    /// Command bytes received so far from a host that chains with the MI bit of `Tg`.
    pending_command: Vec<u8>,
    /// CIU and SFR registers the host wrote (read back as written, 00 otherwise).
    registers: HashMap<u16, u8>,
    field_on: bool,
    /// The PUPI of the current (or last) activation.
    pupi: [u8; 4],
    /// Whether every activation draws a new PUPI (as a card does) or keeps [`PUPI`].
    random_pupi: bool,
    /// The card was deselected or released (ISO/IEC 14443-3 HALT): it answers a WUPB, not a
    /// REQB, until the field goes off. This is how a host polling again after a DESELECT (libnfc
    /// lists targets that way) learns that there is one card, though each activation shows a new PUPI.
    halted: bool,
}

impl Pn532 {
    /// A chip in front of `slot`, RF field off, no target.
    pub fn new(slot: SharedSlot) -> Pn532 {
        Pn532 {
            slot,
            decoder: Decoder::new(),
            last_reply: None,
            target: Target::None,
            pending_reply: Vec::new(),
            pending_command: Vec::new(),
            registers: HashMap::new(),
            field_on: false,
            pupi: PUPI,
            random_pupi: true,
            halted: false,
        }
    }

    /// A chip whose card always answers with the PUPI [`PUPI`]: for tests that need to name it.
    pub fn with_fixed_pupi(slot: SharedSlot) -> Pn532 {
        Pn532 {
            random_pupi: false,
            ..Pn532::new(slot)
        }
    }

    /// The PUPI the card gave at its last activation.
    pub fn pupi(&self) -> [u8; 4] {
        self.pupi
    }

    /// Feeds bytes read from the host; returns bytes to write back (ACK + reply frames).
    pub fn feed(&mut self, input: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        self.feed_into(input, &mut |bytes| out.extend_from_slice(bytes));
        out
    }

    /// Like [`Pn532::feed`], handing each piece to `write` as soon as it exists: the ACK goes out
    /// before the card is asked, as a chip sends it, so a host never waits a slow card's time
    /// (about a second for a signature) for its ACK.
    pub fn feed_into(&mut self, input: &[u8], write: &mut dyn FnMut(&[u8])) {
        self.decoder.push(input);
        while let Some(item) = self.decoder.next_item() {
            match item {
                Incoming::Frame {
                    tfi: TFI_HOST,
                    data,
                } => {
                    write(&frame::ACK);
                    let reply = match self.command(&data) {
                        Some(reply) => {
                            tracing::debug!(code = reply[0], len = reply.len(), "pn532 reply");
                            frame::encode(TFI_CHIP, &reply)
                        }
                        None => {
                            tracing::debug!(
                                code = data.first().copied(),
                                len = data.len(),
                                "pn532 syntax error"
                            );
                            ERROR_FRAME.to_vec()
                        }
                    };
                    write(&reply);
                    self.last_reply = Some(reply);
                }
                Incoming::Frame { tfi, data } => {
                    tracing::debug!(
                        tfi,
                        len = data.len(),
                        "pn532 ignores a frame not from a host"
                    );
                }
                Incoming::Ack => {
                    // The host aborts the running command: forget a half-fetched response.
                    tracing::debug!("pn532 abort (ACK from host)");
                    self.pending_reply.clear();
                    self.pending_command.clear();
                }
                Incoming::Nack => {
                    tracing::debug!("pn532 NACK: resending the last response");
                    if let Some(reply) = &self.last_reply {
                        write(reply);
                    }
                }
                Incoming::Corrupt => {
                    tracing::debug!("pn532 ignores a frame with a bad checksum");
                }
            }
        }
    }

    /// Drops a partial frame held back (the host went quiet in the middle of one).
    pub fn discard_partial_frame(&mut self) {
        if self.decoder.pending() > 0 {
            tracing::debug!(
                len = self.decoder.pending(),
                "pn532 drops an incomplete frame"
            );
            self.decoder.clear();
        }
    }

    /// Whether bytes of an incomplete frame are held back.
    pub fn has_partial_frame(&self) -> bool {
        self.decoder.pending() > 0
    }

    /// Runs one command (code and parameters); `None` means a syntax error frame.
    fn command(&mut self, data: &[u8]) -> Option<Vec<u8>> {
        let (&code, params) = data.split_first()?;
        tracing::debug!(code, len = params.len(), "pn532 command");
        let body = match code {
            DIAGNOSE => self.diagnose(params)?,
            GET_FIRMWARE_VERSION => FIRMWARE_VERSION.to_vec(),
            GET_GENERAL_STATUS => self.general_status(),
            READ_REGISTER => {
                if params.is_empty() || params.len() % 2 != 0 {
                    return None;
                }
                params
                    .chunks_exact(2)
                    .map(|a| {
                        let addr = u16::from_be_bytes([a[0], a[1]]);
                        self.registers.get(&addr).copied().unwrap_or(0)
                    })
                    .collect()
            }
            WRITE_REGISTER => {
                if params.is_empty() || params.len() % 3 != 0 {
                    return None;
                }
                for w in params.chunks_exact(3) {
                    self.registers
                        .insert(u16::from_be_bytes([w[0], w[1]]), w[2]);
                }
                Vec::new()
            }
            READ_GPIO => vec![0xFF, 0xFF, 0x00],
            WRITE_GPIO | SET_SERIAL_BAUD_RATE | SET_PARAMETERS => {
                params.first()?;
                Vec::new()
            }
            SAM_CONFIGURATION => {
                let mode = *params.first()?;
                if !(0x01..=0x04).contains(&mode) {
                    return None;
                }
                Vec::new()
            }
            POWER_DOWN => {
                params.first()?;
                self.field_off();
                vec![STATUS_OK]
            }
            RF_CONFIGURATION => {
                let (&item, values) = params.split_first()?;
                if item == 0x01 {
                    let on = values.first()? & 0x01 != 0;
                    if on {
                        self.field_on = true;
                    } else {
                        self.field_off();
                    }
                }
                Vec::new()
            }
            IN_DATA_EXCHANGE => self.data_exchange(params)?,
            IN_COMMUNICATE_THRU => self.communicate_thru(params),
            IN_DESELECT => {
                params.first()?;
                if self.target == Target::Active {
                    lock(&self.slot).power_off();
                    self.target = Target::Deselected;
                    self.halted = true;
                }
                self.pending_reply.clear();
                vec![STATUS_OK]
            }
            IN_RELEASE => {
                params.first()?;
                self.halted |= matches!(self.target, Target::Active | Target::Deselected);
                self.release();
                vec![STATUS_OK]
            }
            IN_SELECT => {
                params.first()?;
                vec![self.reselect()]
            }
            IN_LIST_PASSIVE_TARGET => self.list_passive_target(params)?,
            IN_AUTO_POLL => self.auto_poll(params)?,
            // NFCIP-1 (DEP) needs a peer; there is none in the field.
            IN_JUMP_FOR_DEP | IN_JUMP_FOR_PSL => vec![STATUS_TIMEOUT],
            IN_ATR | IN_PSL => vec![STATUS_BAD_CONTEXT],
            _ => return None,
        };
        let mut reply = Vec::with_capacity(body.len() + 1);
        reply.push(code + 1);
        reply.extend_from_slice(&body);
        Some(reply)
    }

    fn diagnose(&self, params: &[u8]) -> Option<Vec<u8>> {
        let (&test, rest) = params.split_first()?;
        match test {
            // Communication line test: echo NumTst and the data (libnfc's open checks it).
            0x00 => Some(params.to_vec()),
            // ROM, RAM and antenna self tests pass.
            0x01 | 0x02 | 0x07 => Some(vec![STATUS_OK]),
            // Polling test: number of failures out of 128.
            0x04 => {
                rest.first()?;
                Some(vec![if self.card_present() { 0 } else { 128 }])
            }
            // Attention request / card presence.
            0x06 => Some(vec![
                if self.target == Target::Active && self.card_present() {
                    STATUS_OK
                } else {
                    STATUS_TIMEOUT
                },
            ]),
            _ => None,
        }
    }

    fn general_status(&self) -> Vec<u8> {
        let listed = matches!(self.target, Target::Active | Target::Lost);
        let mut status = vec![0x00, u8::from(self.field_on), u8::from(listed)];
        if listed {
            // Tg, BrRx and BrTx 106 kbit/s, modulation type (ISO/IEC 14443-3 A/B).
            status.extend_from_slice(&[0x01, 0x00, 0x00, 0x00]);
        }
        status.push(0x00); // SAM status
        status
    }

    /// `InListPassiveTarget MaxTg BrTy [InitiatorData]`: only Type B finds the card.
    fn list_passive_target(&mut self, params: &[u8]) -> Option<Vec<u8>> {
        let (&max_tg, rest) = params.split_first()?;
        let &brty = rest.first()?;
        if !(1..=2).contains(&max_tg) || brty > 0x04 {
            return None;
        }
        self.release();
        self.field_on = true;
        // Type B initiator data: AFI, then an optional polling method (01 = WUPB, else REQB).
        let wake_up = rest.get(2) == Some(&0x01);
        if brty != BRTY_ISO14443B_106 || (self.halted && !wake_up) || !self.activate() {
            return Some(vec![0x00]);
        }
        let mut body = vec![0x01];
        body.extend_from_slice(&target_data(self.pupi));
        Some(body)
    }

    /// `InAutoPoll PollNr Period Type…`: answers at once, found or not.
    fn auto_poll(&mut self, params: &[u8]) -> Option<Vec<u8>> {
        if params.len() < 3 {
            return None;
        }
        let wanted = params[2..]
            .iter()
            .copied()
            .find(|t| matches!(*t, PTT_ISO14443_4B_106 | PTT_ISO14443_4B_TCL_106));
        // The chip cycles the field between polls: a halted card powers up afresh.
        self.release();
        self.halted = false;
        self.field_on = true;
        match wanted {
            Some(kind) if self.activate() => {
                let data = target_data(self.pupi);
                let mut body = vec![0x01, kind, data.len() as u8];
                body.extend_from_slice(&data);
                Some(body)
            }
            _ => Some(vec![0x00]),
        }
    }

    /// Activates the card as target 1 if it is in the field.
    fn activate(&mut self) -> bool {
        let mut slot = lock(&self.slot);
        if !slot.is_present() {
            return false;
        }
        slot.power_on();
        self.target = Target::Active;
        // A card draws its PUPI when it powers up in the field; woken from HALT it keeps it.
        if self.random_pupi && !self.halted {
            self.pupi = rand::random();
        }
        self.halted = false;
        true
    }

    fn reselect(&mut self) -> u8 {
        match self.target {
            Target::Active => STATUS_OK,
            Target::Deselected => {
                if self.activate() {
                    STATUS_OK
                } else {
                    self.target = Target::Lost;
                    STATUS_TIMEOUT
                }
            }
            Target::Lost => STATUS_TIMEOUT,
            Target::None => STATUS_BAD_CONTEXT,
        }
    }

    /// `InDataExchange Tg [data]`: one APDU to the card, or the next piece of a long response.
    fn data_exchange(&mut self, params: &[u8]) -> Option<Vec<u8>> {
        let (&tg, data) = params.split_first()?;
        if data.is_empty() && !self.pending_reply.is_empty() {
            return Some(self.next_reply_piece());
        }
        self.pending_reply.clear();
        if tg & 0x3F != 0x01 {
            self.pending_command.clear();
            return Some(vec![STATUS_BAD_CONTEXT]);
        }
        match self.target {
            Target::Active => {}
            Target::Lost => return Some(vec![STATUS_TIMEOUT]),
            Target::None | Target::Deselected => {
                self.pending_command.clear();
                return Some(vec![STATUS_BAD_CONTEXT]);
            }
        }
        if tg & STATUS_MORE != 0 {
            // The host chains a long command: keep it until the last piece.
            self.pending_command.extend_from_slice(data);
            return Some(vec![STATUS_OK]);
        }
        let apdu = if self.pending_command.is_empty() {
            data.to_vec()
        } else {
            let mut apdu = std::mem::take(&mut self.pending_command);
            apdu.extend_from_slice(data);
            apdu
        };
        let answer = exchange(&self.slot, &apdu);
        match answer {
            Some(response) => {
                tracing::debug!(
                    command = apdu.len(),
                    response = response.len(),
                    "pn532 exchange"
                );
                self.pending_reply = response;
                Some(self.next_reply_piece())
            }
            None => {
                tracing::debug!(
                    command = apdu.len(),
                    "pn532 exchange: no answer from the card"
                );
                self.target = Target::Lost;
                Some(vec![STATUS_TIMEOUT])
            }
        }
    }

    /// Status byte and up to [`MAX_REPLY_CHUNK`] bytes of the pending response.
    fn next_reply_piece(&mut self) -> Vec<u8> {
        let n = self.pending_reply.len().min(MAX_REPLY_CHUNK);
        let rest = self.pending_reply.split_off(n);
        let piece = std::mem::replace(&mut self.pending_reply, rest);
        let status = if self.pending_reply.is_empty() {
            STATUS_OK
        } else {
            STATUS_MORE
        };
        let mut body = Vec::with_capacity(piece.len() + 1);
        body.push(status);
        body.extend_from_slice(&piece);
        body
    }

    /// `InCommunicateThru data`: raw frames. The card answers only the presence check libnfc
    /// sends to an active ISO-DEP target (an R-block); everything else (the raw polls for B',
    /// SRx, CTx, iClass and NFC Barcode tags) meets silence.
    fn communicate_thru(&mut self, params: &[u8]) -> Vec<u8> {
        let is_r_block = params.first().is_some_and(|pcb| pcb & 0xE6 == 0xA2);
        if is_r_block && self.target == Target::Active && self.card_present() {
            let pcb = params[0];
            // R(ACK) with the same block number and CID as asked.
            let mut body = vec![STATUS_OK, 0xA2 | (pcb & 0x09)];
            if pcb & 0x08 != 0 {
                body.push(params.get(1).copied().unwrap_or(0));
            }
            return body;
        }
        vec![STATUS_TIMEOUT]
    }

    fn card_present(&self) -> bool {
        lock(&self.slot).is_present()
    }

    /// Forgets the target; the card leaves its ISO-DEP session.
    fn release(&mut self) {
        if matches!(self.target, Target::Active | Target::Deselected) {
            lock(&self.slot).power_off();
        }
        self.target = Target::None;
        self.pending_reply.clear();
        self.pending_command.clear();
    }

    fn field_off(&mut self) {
        self.release();
        self.halted = false;
        self.field_on = false;
    }
}

/// Target data of the card as InListPassiveTarget and InAutoPoll report it: `Tg`, the ATQB
/// (`50`, PUPI, application data, protocol info) and the ATTRIB response (length, `00`).
fn target_data(pupi: [u8; 4]) -> Vec<u8> {
    let mut data = vec![0x01, 0x50];
    data.extend_from_slice(&pupi);
    data.extend_from_slice(&APPLICATION_DATA);
    data.extend_from_slice(&PROTOCOL_INFO);
    data.extend_from_slice(&[0x01, 0x00]);
    data
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};
    use std::sync::OnceLock;

    use super::frame::{ACK, NACK, encode};
    use super::*;
    use crate::frontend::slot::{CardSlot, Tear};
    use crate::{HolderProfile, IssueOptions, MY_NUMBER_CARD_ATR, issue_card};

    const JPKI_AID: [u8; 10] = [0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01];

    /// Issues the sample card once per test binary (RSA key generation is slow).
    fn issued_card() -> &'static Path {
        static CARD: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
        let (_, path) = CARD.get_or_init(|| {
            let dir = tempfile::tempdir().expect("temp dir");
            let path = dir.path().join("card.json");
            issue_card(&path, &HolderProfile::sample(), &IssueOptions::default())
                .expect("issue card");
            (dir, path)
        });
        path
    }

    /// A chip in front of a fresh copy of the sample card.
    fn chip() -> (Pn532, SharedSlot, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("card.json");
        std::fs::copy(issued_card(), &path).expect("copy card");
        let slot = CardSlot::open(path, MY_NUMBER_CARD_ATR.to_vec())
            .expect("open card")
            .shared();
        (Pn532::with_fixed_pupi(slot.clone()), slot, dir)
    }

    /// Sends one command frame; checks the ACK and returns the reply frame's data after the code.
    fn exchange(chip: &mut Pn532, command: &[u8]) -> Vec<u8> {
        let out = chip.feed(&encode(TFI_HOST, command));
        assert_eq!(&out[..6], ACK, "ACK before the reply to {command:02X?}");
        let mut decoder = Decoder::new();
        decoder.push(&out[6..]);
        match decoder.next_item() {
            Some(Incoming::Frame { tfi, data }) => {
                assert_eq!(tfi, TFI_CHIP);
                assert_eq!(data[0], command[0] + 1, "reply code");
                assert_eq!(decoder.next_item(), None, "one reply frame");
                data[1..].to_vec()
            }
            other => panic!("expected a reply frame to {command:02X?}, got {other:?}"),
        }
    }

    fn open_sequence(chip: &mut Pn532) {
        // libnfc's wake-up preamble comes first, as raw bytes.
        let mut wakeup = vec![0x55, 0x55];
        wakeup.extend_from_slice(&[0x00; 14]);
        assert!(chip.feed(&wakeup).is_empty());
        assert_eq!(exchange(chip, &[0x14, 0x01]), [0u8; 0]);
        let echo = [0x00, 0x00, b'l', b'i', b'b', b'n', b'f', b'c'];
        assert_eq!(exchange(chip, &echo), echo[1..]);
        let firmware = exchange(chip, &[0x02]);
        assert_eq!(firmware, FIRMWARE_VERSION);
        assert_eq!(firmware[0], 0x32, "IC is a PN532");
        assert_ne!(firmware[3] & 0x02, 0, "Type B supported");
        assert_eq!(exchange(chip, &[0x12, 0x14]), [0u8; 0]);
        assert_eq!(
            exchange(chip, &[0x06, 0x63, 0x02, 0x63, 0x03]),
            [0x00, 0x00]
        );
        assert_eq!(
            exchange(chip, &[0x08, 0x63, 0x02, 0x80, 0x63, 0x03, 0x80]),
            [0u8; 0]
        );
        assert_eq!(exchange(chip, &[0x06, 0x63, 0x02]), [0x80]);
        assert_eq!(exchange(chip, &[0x32, 0x01, 0x00]), [0u8; 0]);
        assert_eq!(exchange(chip, &[0x32, 0x01, 0x01]), [0u8; 0]);
        assert_eq!(exchange(chip, &[0x32, 0x05, 0xFF, 0xFF, 0xFF]), [0u8; 0]);
    }

    fn select_type_b(chip: &mut Pn532) -> Vec<u8> {
        exchange(chip, &[0x4A, 0x01, 0x03, 0x00])
    }

    fn apdu(chip: &mut Pn532, apdu: &[u8]) -> Vec<u8> {
        let mut command = vec![0x40, 0x01];
        command.extend_from_slice(apdu);
        exchange(chip, &command)
    }

    #[test]
    fn open_sequence_is_answered() {
        let (mut chip, _slot, _dir) = chip();
        open_sequence(&mut chip);
    }

    #[test]
    fn lists_the_card_as_type_b() {
        let (mut chip, _slot, _dir) = chip();
        open_sequence(&mut chip);
        let mut expected = vec![0x01, 0x01, 0x50];
        expected.extend_from_slice(&PUPI);
        expected.extend_from_slice(&APPLICATION_DATA);
        expected.extend_from_slice(&PROTOCOL_INFO);
        expected.extend_from_slice(&[0x01, 0x00]);
        assert_eq!(select_type_b(&mut chip), expected);
        // Type A, FeliCa and Jewel polls find nothing.
        for poll in [
            &[0x4A, 0x01, 0x00][..],
            &[0x4A, 0x01, 0x01, 0x00, 0xFF, 0xFF, 0x01, 0x00],
            &[0x4A, 0x01, 0x02, 0x00, 0xFF, 0xFF, 0x01, 0x00],
            &[0x4A, 0x01, 0x04],
        ] {
            assert_eq!(exchange(&mut chip, poll), [0x00]);
        }
        // Raw polls for B' and friends time out.
        assert_eq!(exchange(&mut chip, &[0x42, 0x06, 0x00]), [0x01]);
    }

    #[test]
    fn every_activation_draws_a_new_pupi_like_a_card() {
        let (_, slot, _dir) = chip();
        let mut chip = Pn532::new(slot);
        open_sequence(&mut chip);
        let pupis: Vec<Vec<u8>> = (0..4)
            .map(|_| select_type_b(&mut chip)[3..7].to_vec())
            .collect();
        assert_eq!(pupis[3], chip.pupi(), "the chip reports the last PUPI");
        for (i, a) in pupis.iter().enumerate() {
            for b in &pupis[i + 1..] {
                assert_ne!(a, b, "two activations, one PUPI: {pupis:02X?}");
            }
        }
    }

    #[test]
    fn a_deselected_card_halts_until_woken_or_the_field_resets() {
        let (_, slot, _dir) = chip();
        let mut chip = Pn532::new(slot);
        open_sequence(&mut chip);
        let first = select_type_b(&mut chip)[3..7].to_vec();
        assert_eq!(exchange(&mut chip, &[0x44, 0x01]), [STATUS_OK]);
        // REQB: a halted card keeps quiet, so a host polling again knows it has seen every card.
        assert_eq!(select_type_b(&mut chip), [0x00]);
        // WUPB wakes it, with the PUPI it drew when it powered up.
        let woken = exchange(&mut chip, &[0x4A, 0x01, 0x03, 0x00, 0x01]);
        assert_eq!(woken[3..7], first[..]);
        // Field off and on: a fresh power-up, a fresh PUPI.
        assert_eq!(exchange(&mut chip, &[0x44, 0x01]), [STATUS_OK]);
        assert_eq!(exchange(&mut chip, &[0x32, 0x01, 0x00]), [0u8; 0]);
        assert_eq!(exchange(&mut chip, &[0x32, 0x01, 0x01]), [0u8; 0]);
        let again = select_type_b(&mut chip)[3..7].to_vec();
        assert_ne!(again, first);
    }

    #[test]
    fn no_card_no_target() {
        let (mut chip, slot, _dir) = chip();
        open_sequence(&mut chip);
        lock(&slot).remove();
        assert_eq!(select_type_b(&mut chip), [0x00]);
        assert_eq!(exchange(&mut chip, &[0x60, 0x01, 0x01, 0x23]), [0x00]);
        // Exchanging without a target is refused, not hung.
        assert_eq!(
            apdu(&mut chip, &[0x00, 0xA4, 0x04, 0x0C]),
            [STATUS_BAD_CONTEXT]
        );
    }

    #[test]
    fn selects_the_jpki_ap() {
        let (mut chip, _slot, _dir) = chip();
        open_sequence(&mut chip);
        select_type_b(&mut chip);
        let mut select = vec![0x00, 0xA4, 0x04, 0x0C, JPKI_AID.len() as u8];
        select.extend_from_slice(&JPKI_AID);
        assert_eq!(apdu(&mut chip, &select), [0x00, 0x90, 0x00]);
        // libnfc's presence check (R(NACK), CID 1) is answered while the card is there.
        assert_eq!(exchange(&mut chip, &[0x42, 0xBA, 0x01]), [0x00, 0xAA, 0x01]);
        // Deselect, release, field off and power down are all acknowledged.
        assert_eq!(exchange(&mut chip, &[0x44, 0x00]), [0x00]);
        assert_eq!(exchange(&mut chip, &[0x52, 0x00]), [0x00]);
        assert_eq!(exchange(&mut chip, &[0x32, 0x01, 0x00]), [0u8; 0]);
        assert_eq!(exchange(&mut chip, &[0x16, 0xF0]), [0x00]);
    }

    #[test]
    fn long_response_is_chained() {
        let (mut chip, _slot, _dir) = chip();
        open_sequence(&mut chip);
        select_type_b(&mut chip);
        let mut select = vec![0x00, 0xA4, 0x04, 0x0C, JPKI_AID.len() as u8];
        select.extend_from_slice(&JPKI_AID);
        assert_eq!(apdu(&mut chip, &select), [0x00, 0x90, 0x00]);
        assert_eq!(
            apdu(&mut chip, &[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x0A]),
            [0x00, 0x90, 0x00]
        );
        let first = apdu(&mut chip, &[0x00, 0xB0, 0x00, 0x00, 0x00]);
        assert_eq!(first[0], STATUS_MORE, "more data follows");
        assert_eq!(first.len(), 1 + MAX_REPLY_CHUNK);
        // libnfc fetches the rest with a bare "40 01".
        let second = exchange(&mut chip, &[0x40, 0x01]);
        assert_eq!(second[0], STATUS_OK);
        let mut response = first[1..].to_vec();
        response.extend_from_slice(&second[1..]);
        assert_eq!(response.len(), 258);
        assert_eq!(response[0], 0x30, "a DER certificate starts with SEQUENCE");
        assert_eq!(response[256..], [0x90, 0x00]);
    }

    #[test]
    fn removed_card_times_out() {
        let (mut chip, slot, _dir) = chip();
        open_sequence(&mut chip);
        select_type_b(&mut chip);
        lock(&slot).arm_tear(Tear::NextCommand);
        assert_eq!(apdu(&mut chip, &[0x00, 0xA4, 0x04, 0x0C]), [STATUS_TIMEOUT]);
        assert_eq!(apdu(&mut chip, &[0x00, 0xA4, 0x04, 0x0C]), [STATUS_TIMEOUT]);
        assert_eq!(exchange(&mut chip, &[0x42, 0xBA, 0x01]), [STATUS_TIMEOUT]);
    }

    #[test]
    fn nack_resends_and_errors_do_not_hang() {
        let (mut chip, _slot, _dir) = chip();
        let first = chip.feed(&encode(TFI_HOST, &[0x02]));
        assert_eq!(chip.feed(&NACK), first[6..]);
        // An unknown command gets an ACK and the syntax error frame.
        let out = chip.feed(&encode(TFI_HOST, &[0x7E, 0x01]));
        assert_eq!(out[..6], ACK);
        assert_eq!(out[6..], ERROR_FRAME);
        // A frame with a bad checksum is ignored; the next good one is answered.
        let mut bad = encode(TFI_HOST, &[0x02]);
        let n = bad.len();
        bad[n - 2] ^= 0xFF;
        assert!(chip.feed(&bad).is_empty());
        assert_eq!(chip.feed(&encode(TFI_HOST, &[0x02])), first);
        // A command split across reads is answered once complete.
        let frame = encode(TFI_HOST, &[0x02]);
        assert!(chip.feed(&frame[..4]).is_empty());
        assert_eq!(chip.feed(&frame[4..]), first);
    }
}
