//! One card's persistent state: holder, PIN objects with their counters, keys and certificates.
//!
//! Stored as one versioned JSON file. It is a *test* card: PINs and keys are readable on purpose.

use std::path::Path;

use kazasu_core::pin::{Pin, PinKind};
use serde::{Deserialize, Serialize};
use time::Date;

use crate::error::SimError;
use crate::holder::{HolderProfile, nth_birthday_after};
use crate::jlis::{self, CaKind, Jlis, LeafRequest};
use crate::persist;

const VERSION: u32 = 1;

/// What a blocked PIN answers. The default is what a real My Number Card does; the others are
/// what other applets and older cards answer, kept so that clients can be tested against each.
///
/// In every variant the wrong try that uses the counter up answers `63 C0`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum BlockedStatus {
    /// Like a real card (default): `69 84` to every VERIFY with data (and CHANGE REFERENCE
    /// DATA), `63 C0` to an empty VERIFY.
    #[default]
    #[serde(rename = "card")]
    Card,
    /// `69 83` authentication method blocked, to every command on the PIN.
    #[serde(rename = "6983")]
    Sw6983,
    /// `69 84` reference data not usable, to every command on the PIN (empty VERIFY included).
    #[serde(rename = "6984")]
    Sw6984,
    /// `63 C0` no tries left, to every command on the PIN.
    #[serde(rename = "63c0")]
    Sw63C0,
}

/// How this card answers where real cards differ.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardConfig {
    /// The answer of a blocked PIN.
    #[serde(default)]
    pub blocked_status: BlockedStatus,
    /// The token label in EF 0006 (`JPKIAPICCTOKEN2` for a My Number Card).
    pub token_label: String,
    /// Whether extended-length APDUs are accepted (real cards do: on by default).
    pub extended_length: bool,
    /// Whether short EF identifiers are accepted (READ BINARY `P1 = 80+SFI`, VERIFY and
    /// COMPUTE DIGITAL SIGNATURE `P2 = 80+SFI`; real cards do: on by default). Off, they answer `6A 86`.
    #[serde(default = "enabled")]
    pub short_ef_ids: bool,
    /// Whether selecting the already selected application logs its PINs out. Not shown on a
    /// card (OpenSC relies on it); on by default, off to test clients against the other case.
    #[serde(default = "enabled")]
    pub reselect_logs_out: bool,
    /// Whether VERIFY writes the try off before comparing (so tearing the card away mid-VERIFY
    /// can never give a wrong guess for free), or only after a wrong comparison. Not shown on a
    /// card; on by default, off to test clients against the other case.
    #[serde(default = "enabled")]
    pub spend_try_first: bool,
}

fn enabled() -> bool {
    true
}

impl Default for CardConfig {
    fn default() -> Self {
        CardConfig {
            blocked_status: BlockedStatus::default(),
            token_label: "JPKIAPICCTOKEN2".to_owned(),
            extended_length: true,
            short_ef_ids: true,
            reselect_logs_out: true,
            spend_try_first: true,
        }
    }
}

/// The three PINs a new card is issued with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardPins {
    /// User-authentication PIN (4 digits).
    pub auth: String,
    /// Signing PIN (6–16 of A–Z0–9, a letter and a digit).
    pub sign: String,
    /// Card-info PIN (4 digits).
    pub card_info: String,
}

impl Default for CardPins {
    fn default() -> Self {
        CardPins {
            auth: "1234".to_owned(),
            sign: "KAZASU1".to_owned(),
            card_info: "1234".to_owned(),
        }
    }
}

/// How to issue a card.
#[derive(Clone, Debug, Default)]
pub struct IssueOptions {
    /// Initial PINs.
    pub pins: CardPins,
    /// Card behaviour.
    pub config: CardConfig,
    /// Issue date (`None`: the J-LIS clock).
    pub issued_on: Option<Date>,
}

/// The four certificates on the card.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CertKind {
    /// User-authentication certificate (EF 000A).
    Auth,
    /// Signing certificate (EF 0001).
    Sign,
    /// Authentication CA certificate (EF 000B).
    AuthCa,
    /// Signing CA certificate (EF 0002).
    SignCa,
}

/// Where a certificate stands at its CA, as the office tracks it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CertStatus {
    /// Usable.
    Valid,
    /// Suspended (一時保留): on the CRL as certificateHold until resumed.
    Suspended,
    /// Revoked for good; a new one must be issued.
    Revoked,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct PinObject {
    pub(crate) value: String,
    pub(crate) tries_left: u8,
    pub(crate) limit: u8,
}

impl PinObject {
    fn new(kind: PinKind, value: &str) -> Result<PinObject, SimError> {
        let pin = Pin::parse(kind, value).map_err(|source| SimError::PinFormat { kind, source })?;
        Ok(PinObject {
            value: String::from_utf8_lossy(pin.as_bytes()).into_owned(),
            tries_left: kind.retry_limit(),
            limit: kind.retry_limit(),
        })
    }

    pub(crate) fn is_blocked(&self) -> bool {
        self.tries_left == 0
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Pins {
    pub(crate) auth: PinObject,
    pub(crate) sign: PinObject,
    pub(crate) card_info: PinObject,
    /// The access codes' counters (cards issued before they existed get full counters).
    #[serde(default)]
    pub(crate) codes: Codes,
}

/// Counters of the access codes. Their values are not stored: they are what is printed on the
/// card (see [`CardState::expected`]), so `value` stays empty.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Codes {
    card_info_a: PinObject,
    card_info_b: PinObject,
    surface_birth_date: PinObject,
    surface_a: PinObject,
    surface_b: PinObject,
}

impl Default for Codes {
    fn default() -> Self {
        let full = || PinObject {
            value: String::new(),
            tries_left: kazasu_core::pin::ACCESS_CODE_TRIES,
            limit: kazasu_core::pin::ACCESS_CODE_TRIES,
        };
        Codes {
            card_info_a: full(),
            card_info_b: full(),
            surface_birth_date: full(),
            surface_a: full(),
            surface_b: full(),
        }
    }
}

impl Pins {
    pub(crate) fn get(&self, kind: PinKind) -> &PinObject {
        match kind {
            PinKind::Auth => &self.auth,
            PinKind::Sign => &self.sign,
            PinKind::CardInfo => &self.card_info,
            PinKind::CardInfoCodeA => &self.codes.card_info_a,
            PinKind::CardInfoCodeB => &self.codes.card_info_b,
            PinKind::SurfaceBirthDate => &self.codes.surface_birth_date,
            PinKind::SurfaceCodeA => &self.codes.surface_a,
            PinKind::SurfaceCodeB => &self.codes.surface_b,
        }
    }

    pub(crate) fn get_mut(&mut self, kind: PinKind) -> &mut PinObject {
        match kind {
            PinKind::Auth => &mut self.auth,
            PinKind::Sign => &mut self.sign,
            PinKind::CardInfo => &mut self.card_info,
            PinKind::CardInfoCodeA => &mut self.codes.card_info_a,
            PinKind::CardInfoCodeB => &mut self.codes.card_info_b,
            PinKind::SurfaceBirthDate => &mut self.codes.surface_birth_date,
            PinKind::SurfaceCodeA => &mut self.codes.surface_a,
            PinKind::SurfaceCodeB => &mut self.codes.surface_b,
        }
    }
}

/// One on-card application's own key pair (card-info and card-surface applications) and its
/// card-verifiable certificate from the test J-LIS.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct AppKey {
    pub(crate) key_pem: String,
    #[serde(with = "crate::hexbytes")]
    pub(crate) cvc_der: Vec<u8>,
}

/// The card-info and card-surface applications' keys.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct AppKeys {
    pub(crate) card_info: AppKey,
    pub(crate) surface: AppKey,
}

/// A key pair and its certificate.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct KeyCert {
    pub(crate) key_pem: String,
    #[serde(with = "crate::hexbytes")]
    pub(crate) cert_der: Vec<u8>,
    pub(crate) serial: String,
    pub(crate) not_after: Date,
    pub(crate) status: CertStatus,
}

/// A simulated My Number Card as stored on disk.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CardState {
    version: u32,
    pub(crate) holder: HolderProfile,
    pub(crate) config: CardConfig,
    pub(crate) issued_on: Date,
    pub(crate) card_expires_on: Date,
    pub(crate) pins: Pins,
    pub(crate) auth: KeyCert,
    pub(crate) sign: KeyCert,
    #[serde(with = "crate::hexbytes")]
    pub(crate) auth_ca_der: Vec<u8>,
    #[serde(with = "crate::hexbytes")]
    pub(crate) sign_ca_der: Vec<u8>,
    /// The 4-digit security code printed on the card's face (part of code B).
    #[serde(default = "default_security_code")]
    pub(crate) security_code: String,
    /// The card-info and card-surface applications' keys; cards issued before they existed
    /// have none, and those applications then show no signed files.
    #[serde(default)]
    pub(crate) app_keys: Option<AppKeys>,
}

/// The security code of cards issued before it was modelled.
fn default_security_code() -> String {
    "1234".to_owned()
}

impl CardState {
    /// Reads a card file; a corrupt or unknown-version file is an error and is left untouched.
    pub fn load(path: &Path) -> Result<CardState, SimError> {
        persist::load(path, VERSION)
    }

    /// Writes the card file atomically.
    pub fn save(&self, path: &Path) -> Result<(), SimError> {
        persist::save(path, self)
    }

    /// Tries left on `kind` (0 = blocked).
    pub fn tries_left(&self, kind: PinKind) -> u8 {
        self.pins.get(kind).tries_left
    }

    /// Whether `kind` is blocked.
    pub fn is_blocked(&self, kind: PinKind) -> bool {
        self.pins.get(kind).is_blocked()
    }

    /// The PIN's value (a test card shows it: demos and tests need it).
    pub fn pin(&self, kind: PinKind) -> &str {
        &self.pins.get(kind).value
    }

    /// The holder the card was issued to (kept current by the office).
    pub fn holder(&self) -> &HolderProfile {
        &self.holder
    }

    /// How the card answers where real cards differ.
    pub fn config(&self) -> &CardConfig {
        &self.config
    }

    /// Changes how the card answers (tests of the client against each variant).
    pub fn set_config(&mut self, config: CardConfig) {
        self.config = config;
    }

    /// What an access code must be: made of what is printed on the card, as a person types it.
    /// `None` for the holder's PINs (their values are stored).
    pub fn expected(&self, kind: PinKind) -> Option<String> {
        let era_birth = crate::holder::era_yymmdd(self.holder.birth_date);
        let code_b = || {
            format!(
                "{era_birth}{:04}{}",
                self.card_expires_on.year(),
                self.security_code
            )
        };
        match kind {
            PinKind::CardInfoCodeA | PinKind::SurfaceCodeA => Some(self.holder.my_number.clone()),
            PinKind::CardInfoCodeB | PinKind::SurfaceCodeB => Some(code_b()),
            PinKind::SurfaceBirthDate => Some(era_birth),
            PinKind::Auth | PinKind::Sign | PinKind::CardInfo => None,
        }
    }

    /// The security code printed on the card's face.
    pub fn security_code(&self) -> &str {
        &self.security_code
    }

    /// Day of issue.
    pub fn issued_on(&self) -> Date {
        self.issued_on
    }

    /// Last day the card itself is valid.
    pub fn card_expires_on(&self) -> Date {
        self.card_expires_on
    }

    /// The authentication private key, PKCS#8 PEM.
    pub fn auth_key_pkcs8_pem(&self) -> &str {
        &self.auth.key_pem
    }

    /// The signing private key, PKCS#8 PEM.
    pub fn sign_key_pkcs8_pem(&self) -> &str {
        &self.sign.key_pem
    }

    /// A certificate on the card (DER).
    pub fn certificate_der(&self, which: CertKind) -> &[u8] {
        match which {
            CertKind::Auth => &self.auth.cert_der,
            CertKind::Sign => &self.sign.cert_der,
            CertKind::AuthCa => &self.auth_ca_der,
            CertKind::SignCa => &self.sign_ca_der,
        }
    }

    /// Serial number (uppercase hex) of the holder's auth or sign certificate.
    pub fn serial(&self, which: CaKind) -> &str {
        &self.key_cert(which).serial
    }

    /// Last valid day (Japan time) of the holder's auth or sign certificate.
    pub fn cert_expires_on(&self, which: CaKind) -> Date {
        self.key_cert(which).not_after
    }

    /// Whether the holder's auth or sign certificate is valid, suspended or revoked.
    pub fn cert_status(&self, which: CaKind) -> CertStatus {
        self.key_cert(which).status
    }

    pub(crate) fn key_cert(&self, which: CaKind) -> &KeyCert {
        match which {
            CaKind::Auth => &self.auth,
            CaKind::Sign => &self.sign,
        }
    }

    pub(crate) fn key_cert_mut(&mut self, which: CaKind) -> &mut KeyCert {
        match which {
            CaKind::Auth => &mut self.auth,
            CaKind::Sign => &mut self.sign,
        }
    }
}

/// Issues a new card for `holder` at `path` (its J-LIS beside it, created if missing).
///
/// Generates two RSA-2048 key pairs (slow: a few seconds), so tests should copy a card rather than issue many.
pub fn issue_card(
    path: &Path,
    holder: &HolderProfile,
    opts: &IssueOptions,
) -> Result<(), SimError> {
    holder.validate()?;
    let pins = Pins {
        auth: PinObject::new(PinKind::Auth, &opts.pins.auth)?,
        sign: PinObject::new(PinKind::Sign, &opts.pins.sign)?,
        card_info: PinObject::new(PinKind::CardInfo, &opts.pins.card_info)?,
        codes: Codes::default(),
    };
    let mut jlis = Jlis::for_card(path)?;
    let issued_on = opts.issued_on.unwrap_or_else(|| jlis.today());
    // Adults' cards run to the 10th birthday after issue; the certificates to the 5th, or the card's end.
    let card_expires_on = nth_birthday_after(holder.birth_date, issued_on, 10);
    let auth = issue_key_cert(&mut jlis, CaKind::Auth, holder, issued_on, card_expires_on)?;
    let sign = issue_key_cert(&mut jlis, CaKind::Sign, holder, issued_on, card_expires_on)?;
    let state = CardState {
        version: VERSION,
        holder: holder.clone(),
        config: opts.config.clone(),
        issued_on,
        card_expires_on,
        pins,
        auth,
        sign,
        auth_ca_der: jlis.ca_cert_der(CaKind::Auth).to_vec(),
        sign_ca_der: jlis.ca_cert_der(CaKind::Sign).to_vec(),
        security_code: format!("{:04}", rand::random::<u16>() % 10_000),
        app_keys: Some(AppKeys {
            card_info: issue_app_key(&jlis, crate::engine::CARD_INFO_CVC_REFERENCES)?,
            surface: issue_app_key(&jlis, crate::engine::SURFACE_CVC_REFERENCES)?,
        }),
    };
    state.save(path)
}

/// A new application key with its card-verifiable certificate from the test J-LIS.
fn issue_app_key(jlis: &Jlis, references: (&str, &str)) -> Result<AppKey, SimError> {
    let key = jlis::generate_key()?;
    Ok(AppKey {
        cvc_der: jlis.card_verifiable_certificate(&rsa::RsaPublicKey::from(&key), references)?,
        key_pem: jlis::key_to_pem(&key)?,
    })
}

/// A new key pair and certificate, valid from `from` to the holder's 5th birthday after it (or the card's end).
pub(crate) fn issue_key_cert(
    jlis: &mut Jlis,
    ca: CaKind,
    holder: &HolderProfile,
    from: Date,
    card_expires_on: Date,
) -> Result<KeyCert, SimError> {
    let key = jlis::generate_key()?;
    let not_after = nth_birthday_after(holder.birth_date, from, 5).min(card_expires_on);
    let public_key = rsa::RsaPublicKey::from(&key);
    let (cert_der, serial) = jlis.issue(&LeafRequest {
        ca,
        public_key: &public_key,
        holder,
        not_before: from,
        not_after,
    })?;
    Ok(KeyCert {
        key_pem: jlis::key_to_pem(&key)?,
        cert_der,
        serial,
        not_after,
        status: CertStatus::Valid,
    })
}
