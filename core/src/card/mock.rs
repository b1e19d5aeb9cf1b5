//! Test doubles for the application clients: a strict script of command → response pairs, and a
//! small fake card that follows the protocol spec and real cards (fixed-size files with `FF`
//! filler, `63 Cx` to every empty VERIFY, `69 84` once a PIN is blocked).

use std::collections::{HashMap, HashSet, VecDeque};

use rsa::pkcs8::DecodePrivateKey;
use rsa::{Pkcs1v15Sign, RsaPrivateKey};

use crate::apdu::Command;
use crate::cert::fixtures;
use crate::ids::mynumber::*;
use crate::transport::{Transport, TransportError};

/// Hex to bytes, ignoring spaces.
pub(crate) fn h(s: &str) -> Vec<u8> {
    hex::decode(s.replace(' ', "")).expect("test hex")
}

fn show(bytes: &[u8]) -> String {
    hex::encode_upper(bytes)
}

/// Replays expected exchanges in order and fails the test on any other APDU.
#[derive(Default)]
pub(crate) struct Script {
    steps: VecDeque<(Vec<u8>, Vec<u8>)>,
    sent: usize,
}

impl Script {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Expects `command` (hex) and answers `response` (hex).
    pub(crate) fn then(self, command: &str, response: &str) -> Self {
        self.then_bytes(h(command), h(response))
    }

    pub(crate) fn then_bytes(mut self, command: Vec<u8>, response: Vec<u8>) -> Self {
        self.steps.push_back((command, response));
        self
    }

    pub(crate) fn assert_done(&self) {
        assert!(
            self.steps.is_empty(),
            "{} scripted APDUs never sent, next {}",
            self.steps.len(),
            show(&self.steps[0].0)
        );
    }
}

impl Transport for Script {
    fn transmit(&mut self, apdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.sent += 1;
        let Some((expected, response)) = self.steps.pop_front() else {
            panic!(
                "APDU #{} {} sent after the script ended",
                self.sent,
                show(apdu)
            );
        };
        assert_eq!(show(apdu), show(&expected), "APDU #{}", self.sent);
        Ok(response)
    }
}

pub(crate) struct FakePin {
    pub(crate) value: Vec<u8>,
    pub(crate) tries: u8,
    pub(crate) limit: u8,
}

#[derive(Default)]
pub(crate) struct FakeApp {
    pub(crate) files: HashMap<u16, Vec<u8>>,
    /// File → PIN EF that must be verified to read it.
    pub(crate) protected: HashMap<u16, u16>,
    pub(crate) pins: HashMap<u16, FakePin>,
    /// Key EF → (key, PIN EF).
    pub(crate) keys: HashMap<u16, (RsaPrivateKey, u16)>,
}

/// A card that answers like the spec says, and logs every command it receives.
pub(crate) struct FakeCard {
    pub(crate) apps: HashMap<Vec<u8>, FakeApp>,
    pub(crate) log: Vec<Vec<u8>>,
    /// What a blocked PIN answers to a VERIFY with data (or CHANGE REFERENCE DATA).
    pub(crate) blocked_sw: [u8; 2],
    /// What a blocked PIN answers to an empty VERIFY (`63 C0` on a real card).
    pub(crate) blocked_empty_sw: [u8; 2],
    /// Answers `90 00` to an empty VERIFY once verified, as some other applets do (not the card).
    pub(crate) empty_verify_says_verified: bool,
    /// Keeps verified PINs when an application is selected again (unknown on real cards).
    pub(crate) reselect_keeps_verified: bool,
    pub(crate) extended_length: bool,
    pub(crate) corrupt_signatures: bool,
    /// Caps every READ BINARY answer, like readers with small buffers.
    pub(crate) max_response: Option<usize>,
    app: Option<Vec<u8>>,
    ef: Option<u16>,
    verified: HashSet<u16>,
}

pub(crate) const AUTH_PIN: &str = "1234";
pub(crate) const SIGN_PIN: &str = "ABC123";
pub(crate) const CARD_INFO_PIN: &str = "5678";
pub(crate) const MY_NUMBER: &str = "123456789018";

/// `FF 20` basic-facts record as the card stores it.
pub(crate) fn basic_facts_record(name: &str, address: &str, birth: &str, sex: &str) -> Vec<u8> {
    use crate::card::tlv::encode as tlv;
    let mut inner = tlv(&[0xDF, 0x21], &[0x00, 0x01, 0x02]);
    inner.extend(tlv(&[0xDF, 0x22], name.as_bytes()));
    inner.extend(tlv(&[0xDF, 0x23], address.as_bytes()));
    inner.extend(tlv(&[0xDF, 0x24], birth.as_bytes()));
    inner.extend(tlv(&[0xDF, 0x25], sex.as_bytes()));
    tlv(&[0xFF, 0x20], &inner)
}

/// `object` followed by `FF` filler up to `size` bytes, as every EF on a card is stored.
pub(crate) fn with_filler(object: &[u8], size: usize) -> Vec<u8> {
    let mut out = object.to_vec();
    out.resize(size.max(object.len()), 0xFF);
    out
}

/// A DER-looking file of exactly `n` bytes (a SEQUENCE header and filler), n ≥ 130.
pub(crate) fn der_sized(n: usize) -> Vec<u8> {
    let mut out = if n - 3 <= 0xFF {
        vec![0x30, 0x81, (n - 3) as u8]
    } else {
        vec![0x30, 0x82, ((n - 4) >> 8) as u8, (n - 4) as u8]
    };
    out.extend((0..n - out.len()).map(|i| i as u8));
    out
}

impl FakeCard {
    /// A My Number Card holding the test fixtures and the PINs above, all tries left.
    pub(crate) fn my_number_card() -> Self {
        let mut jpki = FakeApp::default();
        let mut label = b"JPKIAPICCTOKEN2".to_vec();
        label.resize(32, b' ');
        label.extend_from_slice(&[0u8; 8]);
        jpki.files.insert(EF_TOKEN_INFO.0, with_filler(&label, 160));
        jpki.files
            .insert(EF_AUTH_CERT.0, with_filler(fixtures::AUTH_CERT, 2048));
        jpki.files
            .insert(EF_AUTH_CA_CERT.0, with_filler(fixtures::CA_CERT, 2048));
        jpki.files
            .insert(EF_SIGN_CERT.0, with_filler(fixtures::SIGN_CERT, 2048));
        jpki.files
            .insert(EF_SIGN_CA_CERT.0, with_filler(fixtures::CA_CERT, 2048));
        jpki.protected.insert(EF_SIGN_CERT.0, EF_SIGN_PIN.0);
        jpki.pins.insert(EF_AUTH_PIN.0, FakePin::new(AUTH_PIN, 3));
        jpki.pins.insert(EF_SIGN_PIN.0, FakePin::new(SIGN_PIN, 5));
        let key = |der| RsaPrivateKey::from_pkcs8_der(der).expect("fixture key");
        jpki.keys
            .insert(EF_AUTH_KEY.0, (key(fixtures::AUTH_KEY), EF_AUTH_PIN.0));
        jpki.keys
            .insert(EF_SIGN_KEY.0, (key(fixtures::SIGN_KEY), EF_SIGN_PIN.0));

        let mut info = FakeApp::default();
        info.pins
            .insert(EF_CARD_INFO_PIN.0, FakePin::new(CARD_INFO_PIN, 3));
        let mut number = h("FF 10 0C");
        number.extend_from_slice(MY_NUMBER.as_bytes());
        info.files.insert(EF_MY_NUMBER.0, with_filler(&number, 17));
        info.files.insert(
            EF_BASIC_FACTS.0,
            with_filler(
                &basic_facts_record("山田 太郎", "東京都千代田区千代田1-1", "19800115", "1"),
                512,
            ),
        );
        info.protected.insert(EF_MY_NUMBER.0, EF_CARD_INFO_PIN.0);
        info.protected.insert(EF_BASIC_FACTS.0, EF_CARD_INFO_PIN.0);

        let mut apps = HashMap::new();
        apps.insert(JPKI_AID.as_bytes().to_vec(), jpki);
        apps.insert(CARD_INFO_AID.as_bytes().to_vec(), info);
        Self {
            apps,
            log: Vec::new(),
            blocked_sw: [0x69, 0x84],
            blocked_empty_sw: [0x63, 0xC0],
            empty_verify_says_verified: false,
            reselect_keeps_verified: false,
            extended_length: false,
            corrupt_signatures: false,
            max_response: None,
            app: None,
            ef: None,
            verified: HashSet::new(),
        }
    }

    pub(crate) fn jpki_mut(&mut self) -> &mut FakeApp {
        self.apps.get_mut(JPKI_AID.as_bytes()).unwrap()
    }

    pub(crate) fn info_mut(&mut self) -> &mut FakeApp {
        self.apps.get_mut(CARD_INFO_AID.as_bytes()).unwrap()
    }

    /// Headers (4 bytes) of the commands received, as hex, for compact assertions.
    pub(crate) fn headers(&self) -> Vec<String> {
        self.log.iter().map(|c| show(&c[..4])).collect()
    }

    /// How many commands carried data to a VERIFY (a PIN was sent).
    pub(crate) fn pins_sent(&self) -> usize {
        self.log
            .iter()
            .filter(|c| c[1] == 0x20 && c.len() > 4)
            .count()
    }

    fn process(&mut self, cmd: &Command) -> (Vec<u8>, [u8; 2]) {
        const OK: [u8; 2] = [0x90, 0x00];
        let none = Vec::new;
        match (cmd.cla(), cmd.ins(), cmd.p1(), cmd.p2()) {
            (0x00, 0xA4, 0x04, 0x0C) => {
                if self.apps.contains_key(cmd.data()) {
                    self.app = Some(cmd.data().to_vec());
                    self.ef = None;
                    if !self.reselect_keeps_verified {
                        self.verified.clear();
                    }
                    (none(), OK)
                } else {
                    (none(), [0x6A, 0x82])
                }
            }
            (0x00, 0xA4, 0x02, 0x0C) => {
                let Some(app) = self.app.as_ref().and_then(|a| self.apps.get(a)) else {
                    return (none(), [0x69, 0x86]);
                };
                let Ok(fid) = <[u8; 2]>::try_from(cmd.data()).map(u16::from_be_bytes) else {
                    return (none(), [0x67, 0x00]);
                };
                if app.files.contains_key(&fid)
                    || app.pins.contains_key(&fid)
                    || app.keys.contains_key(&fid)
                {
                    self.ef = Some(fid);
                    (none(), OK)
                } else {
                    (none(), [0x6A, 0x82])
                }
            }
            (0x00, 0xB0, _, _) => {
                let (Some(app), Some(ef)) =
                    (self.app.as_ref().and_then(|a| self.apps.get(a)), self.ef)
                else {
                    return (none(), [0x69, 0x86]);
                };
                let Some(file) = app.files.get(&ef) else {
                    return (none(), [0x69, 0x81]);
                };
                if let Some(pin) = app.protected.get(&ef)
                    && !self.verified.contains(pin)
                {
                    return (none(), [0x69, 0x82]);
                }
                let offset = usize::from(cmd.p1p2());
                if offset >= file.len() {
                    return (none(), [0x6B, 0x00]);
                }
                let left = file.len() - offset;
                let le = cmd.le().unwrap_or(256) as usize;
                if le > 256 && !self.extended_length {
                    return (none(), [0x67, 0x00]);
                }
                // Like the card: an Le longer than what is left returns the rest with 90 00.
                let n = left.min(le).min(self.max_response.unwrap_or(usize::MAX));
                (file[offset..offset + n].to_vec(), OK)
            }
            (0x00, 0x20, 0x00, 0x80) | (0x00, 0x24, 0x01, 0x80) => {
                let blocked = self.blocked_sw;
                let change = cmd.ins() == 0x24;
                let Some(ef) = self.ef else {
                    return (none(), [0x69, 0x86]);
                };
                let verified = self.verified.contains(&ef);
                let Some(pin) = self
                    .app
                    .as_ref()
                    .and_then(|a| self.apps.get_mut(a))
                    .and_then(|app| app.pins.get_mut(&ef))
                else {
                    return (none(), [0x69, 0x81]);
                };
                if pin.tries == 0 {
                    let empty_verify = !change && cmd.data().is_empty();
                    return (
                        none(),
                        if empty_verify {
                            self.blocked_empty_sw
                        } else {
                            blocked
                        },
                    );
                }
                if change {
                    if !verified {
                        return (none(), [0x69, 0x82]);
                    }
                    pin.value = cmd.data().to_vec();
                    return (none(), OK);
                }
                if cmd.data().is_empty() {
                    // A real card answers 63 Cx even right after a correct VERIFY.
                    return if verified && self.empty_verify_says_verified {
                        (none(), OK)
                    } else {
                        (none(), [0x63, 0xC0 | pin.tries])
                    };
                }
                if cmd.data() == pin.value {
                    pin.tries = pin.limit;
                    self.verified.insert(ef);
                    (none(), OK)
                } else {
                    pin.tries -= 1;
                    self.verified.remove(&ef);
                    (none(), [0x63, 0xC0 | pin.tries])
                }
            }
            (0x80, 0x2A, 0x00, 0x80) => {
                let Some(ef) = self.ef else {
                    return (none(), [0x69, 0x86]);
                };
                let Some((key, pin_ef)) = self
                    .app
                    .as_ref()
                    .and_then(|a| self.apps.get(a))
                    .and_then(|app| app.keys.get(&ef))
                else {
                    return (none(), [0x69, 0x81]);
                };
                if !self.verified.contains(pin_ef) {
                    return (none(), [0x69, 0x82]);
                }
                let mut sig = key
                    .sign(Pkcs1v15Sign::new_unprefixed(), cmd.data())
                    .expect("sign");
                if self.corrupt_signatures {
                    sig[100] ^= 1;
                }
                (sig, OK)
            }
            (_, 0xA4 | 0xB0 | 0x20 | 0x24 | 0x2A, _, _) => (none(), [0x6A, 0x86]),
            _ => (none(), [0x6D, 0x00]),
        }
    }
}

impl FakePin {
    pub(crate) fn new(value: &str, limit: u8) -> Self {
        Self {
            value: value.as_bytes().to_vec(),
            tries: limit,
            limit,
        }
    }
}

impl Transport for FakeCard {
    fn transmit(&mut self, apdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.log.push(apdu.to_vec());
        let command = Command::parse(apdu)?;
        let (mut data, sw) = self.process(&command);
        data.extend_from_slice(&sw);
        Ok(data)
    }
}
