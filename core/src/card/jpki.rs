//! The JPKI application (公的個人認証AP): certificates, PINs and the two signing keys.

use crate::apdu::{MAX_SHORT_DATA, StatusWord};
use crate::cert::CardCertificate;
use crate::error::CardError;
use crate::ids::{Application, mynumber};
use crate::pin::{Pin, PinKind};
use crate::transport::Transport;

use super::{CertSlot, KeyKind, PinStatus, Session, TokenKind};

/// DER prefix of a SHA-256 `DigestInfo`; the 32-byte hash follows it.
pub const SHA256_DIGEST_INFO_PREFIX: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];

/// The SHA-256 `DigestInfo` the card signs for `hash` (the card adds the PKCS#1 v1.5 padding).
///
/// ```
/// let di = kazasu_core::card::jpki::sha256_digest_info(&[0xAB; 32]);
/// assert_eq!(di.len(), 51);
/// assert_eq!(&di[..2], &[0x30, 0x31]);
/// ```
pub fn sha256_digest_info(hash: &[u8; 32]) -> Vec<u8> {
    let mut out = Vec::with_capacity(51);
    out.extend_from_slice(&SHA256_DIGEST_INFO_PREFIX);
    out.extend_from_slice(hash);
    out
}

/// A session with the JPKI application: select it, then read certificates, check and verify
/// PINs, and sign.
///
/// It remembers which file is selected (a repeated SELECT is skipped), which PIN states it has
/// seen, and every certificate it has read, so a login (read the auth certificate, check tries,
/// verify, sign) costs `ceil(N / 256) + 7` APDUs for an `N`-byte certificate. A PIN is never
/// retried and never sent to a PIN the card reports locked.
///
/// ```no_run
/// use kazasu_core::{JpkiApp, KeyKind, PinStatus};
/// use kazasu_core::pin::{Pin, PinKind};
/// # fn demo(reader: impl kazasu_core::transport::Transport) -> Result<(), Box<dyn std::error::Error>> {
/// let mut app = JpkiApp::select(reader)?;
/// if let PinStatus::Remaining(n) = app.pin_status(PinKind::Auth)? {
///     println!("{n} tries left");
/// }
/// app.verify_pin(&Pin::parse(PinKind::Auth, "1234")?)?;
/// let signature = app.sign_sha256(KeyKind::Auth, &[0u8; 32])?; // checked against the certificate
/// # Ok(()) }
/// ```
pub struct JpkiApp<T: Transport> {
    session: Session<T>,
    certificates: [Option<Vec<u8>>; 4],
}

/// Shows the selected file, known PIN states and which certificates are cached; never their bytes.
impl<T: Transport> std::fmt::Debug for JpkiApp<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let cached: Vec<CertSlot> = CertSlot::ALL
            .into_iter()
            .filter(|s| self.certificates[s.index()].is_some())
            .collect();
        f.debug_struct("JpkiApp")
            .field("session", &self.session)
            .field("cached_certificates", &cached)
            .finish()
    }
}

impl<T: Transport> JpkiApp<T> {
    /// Selects the JPKI application (`00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01`).
    ///
    /// `6A 82` means the card has no JPKI application: [`CardError::NotMyNumberCard`].
    pub fn select(transport: T) -> Result<Self, CardError> {
        let session =
            Session::select_app(transport, mynumber::JPKI_AID, CardError::NotMyNumberCard)?;
        Ok(Self {
            session,
            certificates: Default::default(),
        })
    }

    /// Reads files in extended-length READ BINARYs instead of 256-byte chunks.
    ///
    /// On by default when the transport says it carries extended APDUs
    /// ([`Transport::carries_extended_length`]); cards accept them. When the card refuses
    /// (`67 00`), the client falls back to short reads for the rest of the session.
    pub fn with_extended_length(mut self, on: bool) -> Self {
        self.session.set_extended_length(on);
        self
    }

    /// Addresses EFs by short identifier (READ BINARY `P1 = 80+SFI`, VERIFY and COMPUTE DIGITAL
    /// SIGNATURE `P2 = 80+SFI`) instead of selecting them first: one APDU less per file.
    ///
    /// On by default with extended length (see [`JpkiApp::with_extended_length`]); a card that
    /// answers `6A 86` makes the client select files for the rest of the session.
    pub fn with_short_ef_ids(mut self, on: bool) -> Self {
        self.session.set_short_ids(on);
        self
    }

    /// Which kind of token this is, from the label in EF `0006` (32 bytes read).
    pub fn token_kind(&mut self) -> Result<TokenKind, CardError> {
        let label = self.session.read_start(
            mynumber::EF_TOKEN_INFO,
            32,
            "reading the token information",
            None,
        )?;
        Ok(TokenKind::from_label(&label))
    }

    /// The DER bytes of a certificate: one SELECT and `ceil(N / 256)` READ BINARYs, never past its end.
    ///
    /// Certificates read once in this session are returned from memory. The signing certificate
    /// needs the signing PIN first, else [`CardError::PinRequired`].
    pub fn read_certificate(&mut self, slot: CertSlot) -> Result<Vec<u8>, CardError> {
        if let Some(der) = &self.certificates[slot.index()] {
            return Ok(der.clone());
        }
        // On phone-embedded tokens the auth certificate is behind the auth PIN too.
        let pin = match slot {
            CertSlot::Auth => Some(PinKind::Auth),
            CertSlot::Sign => Some(PinKind::Sign),
            CertSlot::AuthCa | CertSlot::SignCa => None,
        };
        let der = self
            .session
            .read_tlv_file(slot.file_id(), slot.reading(), pin, "certificate")?;
        tracing::debug!(target: "kazasu::card", ?slot, len = der.len(), "certificate read");
        self.certificates[slot.index()] = Some(der.clone());
        Ok(der)
    }

    /// Reads and parses a certificate (see [`JpkiApp::read_certificate`]).
    pub fn certificate(&mut self, slot: CertSlot) -> Result<CardCertificate, CardError> {
        let der = self.read_certificate(slot)?;
        Ok(CardCertificate::from_der(&der)?)
    }

    /// Tries left on the authentication or signing PIN, without using one (empty VERIFY).
    pub fn pin_status(&mut self, kind: PinKind) -> Result<PinStatus, CardError> {
        check_kind(kind)?;
        self.session.pin_status(kind)
    }

    /// Whether this session verified `kind` (a successful [`JpkiApp::verify_pin`] since the
    /// application was selected). The card cannot tell: an empty VERIFY answers `63 Cx` either way.
    pub fn is_verified(&self, kind: PinKind) -> bool {
        self.session.is_verified(kind)
    }

    /// Presents the authentication or signing PIN once.
    ///
    /// A wrong PIN is [`CardError::WrongPin`] with the tries left; a locked one is
    /// [`CardError::PinLocked`], and then the PIN is not sent at all. When this session has not
    /// yet seen the PIN's status, one empty VERIFY (which costs no try) checks it first.
    pub fn verify_pin(&mut self, pin: &Pin) -> Result<(), CardError> {
        check_kind(pin.kind())?;
        self.session.verify(pin)
    }

    /// Verifies `old`, then replaces it by `new` (CHANGE REFERENCE DATA); both must be the same kind.
    pub fn change_pin(&mut self, old: &Pin, new: &Pin) -> Result<(), CardError> {
        check_kind(old.kind())?;
        self.session.change(old, new)
    }

    /// Has `key` sign a DER `DigestInfo`, and checks the signature against the key's certificate
    /// before returning it; [`CardError::SignatureMismatch`] if it does not verify.
    ///
    /// The key's PIN must have been verified in this session, else [`CardError::PinRequired`].
    pub fn sign(&mut self, key: KeyKind, digest_info: &[u8]) -> Result<Vec<u8>, CardError> {
        if digest_info.is_empty() || digest_info.len() > MAX_SHORT_DATA {
            return Err(CardError::DigestInfoLength {
                len: digest_info.len(),
            });
        }
        // The certificate first: with the signing key its PIN is needed either way, and a
        // signature we cannot check is never handed out.
        let certificate = self.certificate(key.certificate())?;
        let response = self.session.compute_signature(key.file_id(), digest_info)?;
        let signature = match response.status() {
            StatusWord::Success => response.into_data(),
            status => {
                return Err(CardError::from_status(
                    "signing",
                    status,
                    Some(key.pin_kind()),
                ));
            }
        };
        if !certificate.verify_signature(digest_info, &signature) {
            tracing::warn!(target: "kazasu::card", ?key, len = signature.len(), "card signature does not verify");
            return Err(CardError::SignatureMismatch { key });
        }
        tracing::debug!(target: "kazasu::card", ?key, len = signature.len(), "signed and checked");
        Ok(signature)
    }

    /// Signs a SHA-256 hash: [`JpkiApp::sign`] over [`sha256_digest_info`]`(hash)`.
    pub fn sign_sha256(&mut self, key: KeyKind, hash: &[u8; 32]) -> Result<Vec<u8>, CardError> {
        self.sign(key, &sha256_digest_info(hash))
    }

    /// The transport underneath, e.g. to read a [`crate::transport::Traced`]'s counters.
    ///
    /// If you send APDUs through it yourself, call [`JpkiApp::forget_card_state`] afterwards.
    pub fn transport_mut(&mut self) -> &mut T {
        self.session.transport_mut()
    }

    /// Forgets which file is selected and which PIN states were seen (certificates stay cached).
    pub fn forget_card_state(&mut self) {
        self.session.forget_state();
    }

    /// Ends the session and gives the transport back.
    pub fn into_transport(self) -> T {
        self.session.into_transport()
    }
}

fn check_kind(kind: PinKind) -> Result<(), CardError> {
    super::check_kind(kind, Application::Jpki)
}
