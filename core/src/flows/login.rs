//! "Log in with the card" against a relying party, card first and service second:
//! [`LoginAttempt::open`] reads the authentication PIN's tries (a locked PIN ends here, before the
//! service is contacted), [`LoginAttempt::request`] fetches the challenge so the front end can show
//! who asks, and [`LoginRequest::complete`] verifies the PIN, signs and posts the assertion.

use crate::card::{JpkiApp, PinStatus};
use crate::error::CardError;
use crate::login::service::{ServiceError, Session};
use crate::login::{Challenge, card_assertion_with, link_proof_with, service::Service};
use crate::pin::{Pin, PinKind};
use crate::transport::Transport;

/// Why a login did not happen: the card's side or the service's.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// The card refused or failed.
    #[error(transparent)]
    Card(#[from] CardError),
    /// The service refused or could not be reached.
    #[error(transparent)]
    Service(#[from] ServiceError),
}

/// A login with the card's PIN state read, before anything was asked of the service.
pub struct LoginAttempt<T: Transport> {
    app: JpkiApp<T>,
    status: PinStatus,
    service: Service,
}

/// A login with the service's challenge in hand: the front end shows [`LoginRequest::origin`] and
/// [`LoginRequest::rp_id`] before asking for the PIN.
pub struct LoginRequest<T: Transport> {
    app: JpkiApp<T>,
    service: Service,
    challenge: Challenge,
}

impl<T: Transport> LoginAttempt<T> {
    /// Selects the JPKI application and reads the authentication PIN's tries (no try used).
    pub fn open(transport: T, service: Service) -> Result<Self, CardError> {
        let mut app = JpkiApp::select(transport)?;
        let status = app.pin_status(PinKind::Auth)?;
        if status == PinStatus::Locked {
            return Err(CardError::PinLocked {
                kind: PinKind::Auth,
            });
        }
        Ok(LoginAttempt {
            app,
            status,
            service,
        })
    }

    /// The authentication PIN's tries, to show before asking for it.
    pub fn pin_status(&self) -> PinStatus {
        self.status
    }

    /// Asks the service for a challenge.
    pub fn request(self) -> Result<LoginRequest<T>, ServiceError> {
        let challenge = self.service.fetch_challenge()?;
        Ok(LoginRequest {
            app: self.app,
            service: self.service,
            challenge,
        })
    }
}

impl<T: Transport> LoginRequest<T> {
    /// The origin the card will sign for (the service's own).
    pub fn origin(&self) -> &str {
        self.service.origin()
    }

    /// The relying party's id the challenge names.
    pub fn rp_id(&self) -> &str {
        &self.challenge.rp_id
    }

    /// Verifies the authentication PIN, signs the challenge for this origin at `now` (Unix
    /// seconds; binding `device_key`, a P-256 SPKI, when given) and posts the assertion.
    pub fn complete(
        mut self,
        pin: &Pin,
        now: i64,
        device_key: Option<&[u8]>,
    ) -> Result<Session, LoginError> {
        let assertion = card_assertion_with(
            &mut self.app,
            pin,
            &self.challenge,
            self.service.origin(),
            now,
            device_key,
        )?;
        drop(self.app);
        Ok(self
            .service
            .finish_card(&self.challenge.nonce, &assertion)?)
    }

    /// [`LoginRequest::complete`] with a link proof: after the authentication PIN's signature,
    /// verifies the signing PIN and signs the same challenge and the authentication
    /// certificate's hash with the signing key, so that the service links this certificate to
    /// the account of the holder its signing certificate names (a renewed certificate or a
    /// reissued card keeps the person's account).
    pub fn complete_linked(
        mut self,
        pin: &Pin,
        sign_pin: &Pin,
        now: i64,
        device_key: Option<&[u8]>,
    ) -> Result<Session, LoginError> {
        let assertion = card_assertion_with(
            &mut self.app,
            pin,
            &self.challenge,
            self.service.origin(),
            now,
            device_key,
        )?;
        let auth_certificate = assertion_certificate(&assertion)?;
        let link = link_proof_with(
            &mut self.app,
            sign_pin,
            &self.challenge,
            self.service.origin(),
            now,
            &auth_certificate,
        )?;
        drop(self.app);
        Ok(self
            .service
            .finish_card_linked(&self.challenge.nonce, &assertion, &link)?)
    }
}

/// The authentication certificate a card assertion carries (the core put it there).
fn assertion_certificate(assertion: &crate::login::Assertion) -> Result<Vec<u8>, CardError> {
    use base64::Engine;
    assertion
        .certificate
        .as_deref()
        .and_then(|c| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(c)
                .ok()
        })
        .ok_or_else(|| CardError::Malformed {
            what: "authentication certificate",
            reason: "not in the login assertion".to_owned(),
        })
}
