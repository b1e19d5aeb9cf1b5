//! The card itself: applications over elementary files, PIN objects and keys, answering APDUs.
//!
//! Each application is a table of files (`jpki`, `card_info`); the commands are the same for all
//! of them, so they are processed here. Security status (which PINs are verified, which file is
//! selected) lives only in memory and is cleared on re-select and power-off, like a real card's.

pub(crate) mod app_key;
mod card_info;
mod images;
mod jpki;
mod offset_record;
mod surface;

pub(crate) use card_info::CVC_REFERENCES as CARD_INFO_CVC_REFERENCES;
pub(crate) use surface::CVC_REFERENCES as SURFACE_CVC_REFERENCES;

use kazasu_core::apdu::{Command, Ins, Response, StatusWord};
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
    Surface,
    /// Selectable, but its files are not simulated.
    Other,
}

/// What an elementary file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ef {
    /// Transparent data, readable freely (`needs` empty) or after any one of `needs`.
    Binary {
        content: Content,
        needs: &'static [PinKind],
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
    /// Card-info EF 0003: digests of EF 0001 and 0002, signed by the application key.
    Integrity,
    /// Card-info or card-surface EF 0004: the application key's certificate.
    Cvc(AppKeyKind),
    /// Card-info EF 0005 (`FF 40`).
    CardInfo0005,
    /// Card-info EF 0006: the application's public key (`A1`).
    CardInfoPublicKey,
    /// Card-info EF 0007: that key, signed (`FF 50`).
    CardInfoSignedKey,
    /// Card-surface EF 0001: age record.
    SurfaceAge,
    /// Card-surface EF 0002: the card face.
    SurfaceFace,
    /// Card-surface EF 0003: application basic data.
    SurfaceBasic,
    /// Card-surface EF 0005: the My Number as an image.
    SurfaceMyNumberImage,
}

/// Which application key a file is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AppKeyKind {
    CardInfo,
    Surface,
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
            Content::Integrity => card_info::INTEGRITY_EF_SIZE,
            Content::Cvc(_) => CVC_EF_SIZE,
            Content::CardInfo0005 => card_info::EF_0005_SIZE,
            Content::CardInfoPublicKey => card_info::PUBLIC_KEY_EF_SIZE,
            Content::CardInfoSignedKey => card_info::SIGNED_KEY_EF_SIZE,
            Content::SurfaceAge => surface::AGE_EF_SIZE,
            Content::SurfaceFace => surface::FACE_EF_SIZE,
            Content::SurfaceBasic => surface::BASIC_EF_SIZE,
            Content::SurfaceMyNumberImage => surface::MY_NUMBER_IMAGE_EF_SIZE,
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

/// The token label of phone-embedded JPKI certificates (`JPKIAPGPSETOKEN`): there the
/// authentication certificate is read only after the authentication PIN.
pub const PHONE_TOKEN_LABEL: &str = "JPKIAPGPSETOKEN";

/// Size of EF 0004 in both applications: the certificate is 568 bytes on a test card, with no filler.
pub const CVC_EF_SIZE: usize = 568;

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
        // ISO instructions in class 00; the signature in the card's proprietary class 80.
        match (cmd.cla(), Ins::from_code(cmd.ins())) {
            (0x00, Some(Ins::Select)) => self.select(cmd),
            (0x00, Some(Ins::ReadBinary)) => self.read_binary(cmd),
            (0x00, Some(Ins::Verify)) => self.verify(cmd, store),
            (0x00, Some(Ins::ChangeReferenceData)) => self.change_reference_data(cmd, store),
            (0x80, Some(Ins::ComputeDigitalSignature)) => self.compute_signature(cmd),
            // GET RESPONSE is answered by the link (the card never announces 61 xx itself).
            (0x00 | 0x80, Some(Ins::GetResponse) | None) => sw(StatusWord::InstructionNotSupported),
            _ => sw(StatusWord::ClassNotSupported),
        }
    }

    fn select(&mut self, cmd: &Command) -> Response {
        match (cmd.p1(), cmd.p2()) {
            (0x04, 0x0C | 0x00) => {
                let app = match Aid::from_slice(cmd.data()) {
                    Some(aid) if aid == JPKI_AID => App::Jpki,
                    Some(aid) if aid == CARD_INFO_AID => App::CardInfo,
                    Some(aid) if aid == SURFACE_AID => App::Surface,
                    Some(aid) if aid == COMMON_CARD_AID || aid == RESIDENT_REGISTRY_AID => {
                        App::Other
                    }
                    _ => return sw(StatusWord::FileNotFound),
                };
                // Selecting an application logs out; the same one again too unless configured
                // otherwise (not known for real cards; OpenSC relies on it).
                let keep = self.app == Some(app) && !self.state.config.reselect_logs_out;
                if keep {
                    self.ef = None;
                } else {
                    self.reset();
                }
                self.app = Some(app);
                sw(StatusWord::Success)
            }
            (0x02, 0x0C | 0x00) => {
                let Ok(fid) = <[u8; 2]>::try_from(cmd.data()) else {
                    return sw(StatusWord::WrongLength);
                };
                let fid = FileId(u16::from_be_bytes(fid));
                match self.file(fid) {
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

    /// The file `fid` in the selected application.
    fn file(&self, fid: FileId) -> Option<Ef> {
        match self.app {
            Some(App::Jpki) => jpki::file(fid),
            Some(App::CardInfo) => card_info::file(fid),
            Some(App::Surface) => surface::file(fid),
            _ => None,
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
        self.file(fid)
            .map(|ef| Some((fid, ef)))
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
        // A phone-embedded token guards its authentication certificate with the auth PIN.
        let needs = match content {
            Content::Cert(crate::card_state::CertKind::Auth)
                if self.state.config.token_label.trim() == PHONE_TOKEN_LABEL =>
            {
                &[PinKind::Auth][..]
            }
            _ => needs,
        };
        if !needs.is_empty() && !needs.iter().any(|pin| self.verified.contains(pin)) {
            return sw(StatusWord::SecurityStatusNotSatisfied);
        }
        let Some(le) = cmd.le() else {
            return sw(StatusWord::WrongLength);
        };
        let object = self.content(content);
        if object.is_empty() {
            // A signed file of a card issued before the application keys existed.
            return sw(StatusWord::FileNotFound);
        }
        let data = stored(content, object);
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
        stored(content, self.content(content))
    }

    fn content(&self, content: Content) -> Vec<u8> {
        match content {
            Content::TokenInfo => jpki::token_info(&self.state.config.token_label),
            Content::Cert(kind) => self.state.certificate_der(kind).to_vec(),
            Content::CertPresence => jpki::CERT_PRESENCE.to_vec(),
            Content::MyNumber => card_info::my_number(&self.state.holder),
            Content::BasicFacts => card_info::basic_facts(&self.state.holder),
            Content::Integrity => card_info::integrity(self),
            Content::Cvc(kind) => self
                .app_key(kind)
                .map(|k| k.cvc_der.clone())
                .unwrap_or_default(),
            Content::CardInfo0005 => card_info::ef_0005(self),
            Content::CardInfoPublicKey => card_info::public_key(self),
            Content::CardInfoSignedKey => card_info::signed_key(self),
            Content::SurfaceAge => surface::age_record(self),
            Content::SurfaceFace => surface::face(self),
            Content::SurfaceBasic => surface::basic_data(self),
            Content::SurfaceMyNumberImage => surface::my_number_image(self),
        }
    }

    /// An application's key and certificate; `None` on cards issued before they existed.
    pub(crate) fn app_key(&self, kind: AppKeyKind) -> Option<&crate::card_state::AppKey> {
        let keys = self.state.app_keys.as_ref()?;
        Some(match kind {
            AppKeyKind::CardInfo => &keys.card_info,
            AppKeyKind::Surface => &keys.surface,
        })
    }

    /// The private key of an application (`None`: no key on this card, or unreadable).
    pub(crate) fn app_private_key(&self, kind: AppKeyKind) -> Option<rsa::RsaPrivateKey> {
        match load_key(&self.app_key(kind)?.key_pem) {
            Ok(key) => Some(key),
            Err(e) => {
                tracing::error!(error = %e, "stored application key unreadable");
                None
            }
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
        let expected = self
            .state
            .expected(kind)
            .unwrap_or_else(|| self.state.pins.get(kind).value.clone());
        let matches = constant_time_eq(cmd.data(), expected.as_bytes());
        let before = pin.tries_left;
        let limit = pin.limit;
        // Anti-tearing (the default): the try is written off before the comparison counts, so
        // the card losing power before it answers never gives a guess back.
        if self.state.config.spend_try_first {
            self.state.pins.get_mut(kind).tries_left = before - 1;
            if let Err(e) = store.save(&self.state) {
                self.state.pins.get_mut(kind).tries_left = before;
                tracing::error!(error = %e, "could not persist a PIN try");
                return sw(StatusWord::MemoryFailure);
            }
        }
        if !matches {
            self.verified.retain(|k| *k != kind);
            if !self.state.config.spend_try_first {
                self.state.pins.get_mut(kind).tries_left = before - 1;
                if let Err(e) = store.save(&self.state) {
                    self.state.pins.get_mut(kind).tries_left = before;
                    tracing::error!(error = %e, "could not persist a PIN try");
                    return sw(StatusWord::MemoryFailure);
                }
            }
            return sw(StatusWord::RemainingRetries(before - 1));
        }
        let stored = self.state.pins.get(kind).tries_left;
        if stored != limit {
            self.state.pins.get_mut(kind).tries_left = limit;
            if let Err(e) = store.save(&self.state) {
                tracing::error!(error = %e, "could not persist a PIN counter reset");
                self.state.pins.get_mut(kind).tries_left = stored;
                return sw(StatusWord::MemoryFailure);
            }
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
        if !kind.is_holder_pin() {
            // Access codes are what is printed on the card: they cannot be changed.
            return sw(StatusWord::ConditionsOfUseNotSatisfied);
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
        if cmd.p1() == 0x00 && cmd.p2() == 0x00 && self.app == Some(App::CardInfo) {
            return self.internal_signature(cmd);
        }
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

impl Card {
    /// `80 2A 00 00` in the card-info application: the application key signs, no PIN needed;
    /// how a client tells a genuine card from a copy of its files.
    fn internal_signature(&mut self, cmd: &Command) -> Response {
        let digest_info = cmd.data();
        if digest_info.is_empty() || digest_info.len() > 256 - 11 {
            return sw(StatusWord::WrongLength);
        }
        let Some(key) = self.app_private_key(AppKeyKind::CardInfo) else {
            return sw(StatusWord::ConditionsOfUseNotSatisfied);
        };
        match app_key::sign_raw(&key, digest_info) {
            Some(signature) => Response::success(signature),
            None => sw(StatusWord::IncorrectData),
        }
    }
}

/// A file's object as the card stores it: `FF` filler up to the EF's fixed size.
fn stored(content: Content, mut object: Vec<u8>) -> Vec<u8> {
    let size = content.ef_size(object.len());
    object.resize(size, 0xFF);
    object
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
