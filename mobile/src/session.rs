//! One card session: the use cases of one tap, each a call into the core.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use kazasu_core::card::KeyKind;
use kazasu_core::cms::{CardSigner, DigestAlgorithm};
use kazasu_core::login::{self, Challenge};
use kazasu_core::pin::Pin;
use kazasu_core::transport::Transport;
use kazasu_core::transport::remote::{self, TcpTransport};
use kazasu_core::{JpkiApp, documents, flows};
use time::{Date, OffsetDateTime};
use zeroize::Zeroizing;

use crate::channel::{CardChannel, ChannelTransport};
use crate::error::MobileError;
use crate::types::{CardStatus, CertSlot, DigestKind, Identity, PinKind, PinReport};

/// The link to the card, shared by the object's methods one at a time.
type Link = Box<dyn Transport + Send>;

/// A session with one card, for as long as it stays in the field.
///
/// Every method blocks until the card has answered (an RSA signature takes about a second on a
/// real card): call them off the UI thread. Calls on one session run one after the other. Each
/// method selects the application it needs, so a PIN verified by one call does not carry over
/// to the next: the methods that need a PIN take it. A PIN that breaks its kind's rule is refused
/// with `MobileError.InvalidPin` before anything is sent, and a locked PIN is never sent.
#[derive(uniffi::Object)]
pub struct CardSession {
    link: Mutex<Link>,
}

impl std::fmt::Debug for CardSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CardSession").finish_non_exhaustive()
    }
}

impl CardSession {
    /// A session over any core transport (Rust callers and tests).
    pub fn with_transport(transport: impl Transport + Send + 'static) -> CardSession {
        CardSession {
            link: Mutex::new(Box::new(transport)),
        }
    }

    fn link(&self) -> MutexGuard<'_, Link> {
        // A panic in an earlier call leaves nothing half-written here: the link is still usable.
        self.link.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Parses a PIN by its kind's rule, wiping the caller's copy when done.
fn parse_pin(kind: PinKind, text: String) -> Result<Pin, MobileError> {
    let text = Zeroizing::new(text);
    Ok(Pin::parse(kind.into(), &text)?)
}

/// Today in Japan time, or the `YYYY-MM-DD` date given.
fn day(today_iso: Option<String>) -> Result<Date, MobileError> {
    match today_iso {
        None => Ok(kazasu_core::cert::today_in_japan()),
        Some(text) => Date::parse(
            &text,
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .map_err(|_| MobileError::InvalidInput {
            reason: format!("{text:?} is not a date of the form YYYY-MM-DD"),
        }),
    }
}

#[uniffi::export]
impl CardSession {
    /// A session over the platform's channel to the card (IsoDep, CoreNFC, or a test's own),
    /// with short APDUs only (what every phone can send).
    #[uniffi::constructor]
    pub fn new(channel: Arc<dyn CardChannel>) -> Arc<CardSession> {
        Arc::new(CardSession::with_transport(ChannelTransport::new(
            channel, false,
        )))
    }

    /// As [`CardSession::new`], for a channel that can send extended-length APDUs (Android:
    /// `IsoDep.isExtendedLengthApduSupported`; iOS 13+ sends them): a certificate is then one
    /// READ BINARY, and a login 5 APDUs instead of 11. A card that refuses them is handled.
    #[uniffi::constructor]
    pub fn with_extended_length(channel: Arc<dyn CardChannel>) -> Arc<CardSession> {
        Arc::new(CardSession::with_transport(ChannelTransport::new(
            channel, true,
        )))
    }

    /// For development: a session with a card served by `kazasu-sim serve --tcp ADDRESS`
    /// (`host:port`; from an Android emulator the host is `10.0.2.2`).
    #[uniffi::constructor]
    pub fn connect_tcp(address: String) -> Result<Arc<CardSession>, MobileError> {
        let transport = TcpTransport::connect(&address, remote::DEFAULT_TIMEOUT)?;
        Ok(Arc::new(CardSession::with_transport(transport)))
    }

    /// Token kind, the certificates readable without a PIN with their expiry and renewal state
    /// on `today_iso` (`YYYY-MM-DD`; today in Japan when absent), and the tries left on every PIN.
    /// Uses no try. The signing certificate is listed as needing the signing PIN.
    pub fn status(&self, today_iso: Option<String>) -> Result<CardStatus, MobileError> {
        let today = day(today_iso)?;
        let mut link = self.link();
        Ok(flows::card_status(&mut *link, today)?.into())
    }

    /// The tries left on every PIN (card-info only when the card has that application); uses no try.
    pub fn pins(&self) -> Result<Vec<PinReport>, MobileError> {
        let mut link = self.link();
        Ok(flows::pin_statuses(&mut *link)?
            .into_iter()
            .map(PinReport::from)
            .collect())
    }

    /// A certificate's DER bytes. The signing certificate needs the signing PIN (`pin`); the
    /// others need none (a PIN given for them is the authentication or signing PIN and is verified).
    pub fn certificate(&self, slot: CertSlot, pin: Option<String>) -> Result<Vec<u8>, MobileError> {
        let core_slot: kazasu_core::CertSlot = slot.into();
        let pin = match pin {
            Some(text) => {
                let kind = match slot {
                    CertSlot::Auth | CertSlot::AuthCa => PinKind::Auth,
                    CertSlot::Sign | CertSlot::SignCa => PinKind::Sign,
                };
                Some(parse_pin(kind, text)?)
            }
            None => None,
        };
        let mut link = self.link();
        let mut app = JpkiApp::select(&mut *link)?;
        if let Some(pin) = &pin {
            app.verify_pin(pin)?;
        }
        Ok(app.read_certificate(core_slot)?)
    }

    /// Presents a PIN once: `WrongPin` with the tries left, `PinLocked` (then nothing is sent).
    pub fn verify_pin(&self, kind: PinKind, pin: String) -> Result<(), MobileError> {
        let pin = parse_pin(kind, pin)?;
        let mut link = self.link();
        flows::PinGate::open(&mut *link, pin.kind())?.verify(&pin)?;
        Ok(())
    }

    /// Verifies `old_pin`, then replaces it by `new_pin` (both of `kind`, both checked against
    /// its rule before anything is sent; a locked PIN is refused without being sent).
    pub fn change_pin(
        &self,
        kind: PinKind,
        old_pin: String,
        new_pin: String,
    ) -> Result<(), MobileError> {
        let old = parse_pin(kind, old_pin)?;
        let new = parse_pin(kind, new_pin)?;
        let mut link = self.link();
        flows::change_pin(&mut *link, &old, &new)?;
        Ok(())
    }

    /// Logs in with the card: `challenge_json` as the relying party issued it, `origin` the one
    /// the app itself connected to, the authentication PIN, and optionally a P-256 device key
    /// (SPKI DER) to bind. Returns the assertion JSON (`client_data`, `signature`,
    /// `certificate`) to send back as `{"nonce": …, "assertion": …}`.
    pub fn login_assertion(
        &self,
        challenge_json: String,
        origin: String,
        pin: String,
        device_key_spki: Option<Vec<u8>>,
    ) -> Result<String, MobileError> {
        let pin = parse_pin(PinKind::Auth, pin)?;
        let challenge: Challenge =
            serde_json::from_str(&challenge_json).map_err(|e| MobileError::InvalidInput {
                reason: format!("the challenge is not the relying party's JSON: {e}"),
            })?;
        if !Challenge::is_nonce(&challenge.nonce) {
            return Err(MobileError::InvalidInput {
                reason: "the challenge's nonce is malformed".to_owned(),
            });
        }
        let signed_at = OffsetDateTime::now_utc().unix_timestamp();
        let mut link = self.link();
        let assertion = login::card_assertion(
            &mut *link,
            &pin,
            &challenge,
            &origin,
            signed_at,
            device_key_spki.as_deref(),
        )?;
        serde_json::to_string(&assertion).map_err(|e| MobileError::Unexpected {
            reason: format!("encoding the assertion: {e}"),
        })
    }

    /// Signs a document by its digest (computed by the app, e.g. while streaming the file) with
    /// the signing key: a detached CAdES-BES CMS (DER), checked against the certificate before it
    /// is returned. An expired signing certificate is refused after the PIN, before signing.
    pub fn sign_digest(
        &self,
        digest: Vec<u8>,
        algorithm: DigestKind,
        pin: String,
    ) -> Result<Vec<u8>, MobileError> {
        let pin = parse_pin(PinKind::Sign, pin)?;
        let algorithm = DigestAlgorithm::from(algorithm);
        let expected = algorithm.digest(&[]).len();
        if digest.len() != expected {
            return Err(MobileError::InvalidInput {
                reason: format!(
                    "a {algorithm} digest is {expected} bytes, not {} (nothing was sent to the card)",
                    digest.len()
                ),
            });
        }
        let mut link = self.link();
        let mut signer = CardSigner::unlock(&mut *link, KeyKind::Sign, &pin)?;
        Ok(documents::sign_digest_detached(
            &mut signer,
            algorithm,
            digest,
            OffsetDateTime::now_utc(),
        )?)
    }

    /// My Number and the four basic facts, from the card-info application (card-info PIN).
    pub fn read_identity(&self, pin: String) -> Result<Identity, MobileError> {
        let pin = parse_pin(PinKind::CardInfo, pin)?;
        let mut link = self.link();
        Ok(flows::read_identity(&mut *link, &pin)?.into())
    }
}
