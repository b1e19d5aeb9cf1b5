//! The PIN gate: one PIN or access code, in the application that holds it. It reads the tries
//! left first (no try used) so a front end can show them, warn before the last one and refuse a
//! locked PIN, then verifies or changes. Which application holds which PIN is decided here only.

use crate::card::{CardInfoApp, JpkiApp, PinStatus, SurfaceApp};
use crate::error::CardError;
use crate::ids::Application;
use crate::pin::{Pin, PinKind};
use crate::transport::Transport;

/// The application a gate opened.
pub(crate) enum Holder<T: Transport> {
    Jpki(JpkiApp<T>),
    CardInfo(CardInfoApp<T>),
    Surface(SurfaceApp<T>),
}

/// One PIN or access code with its state read: check first, act second.
///
/// ```no_run
/// use kazasu_core::flows::PinGate;
/// use kazasu_core::pin::{Pin, PinKind};
/// # fn demo(reader: impl kazasu_core::transport::Transport) -> Result<(), Box<dyn std::error::Error>> {
/// let mut gate = PinGate::open(reader, PinKind::CardInfo)?;
/// println!("{:?} tries left", gate.status().tries_left()); // shown before the PIN is asked for
/// gate.verify(&Pin::parse(PinKind::CardInfo, "1234")?)?;   // refused unsent when locked
/// # Ok(()) }
/// ```
pub struct PinGate<T: Transport> {
    holder: Holder<T>,
    kind: PinKind,
    status: PinStatus,
}

impl<T: Transport> PinGate<T> {
    /// Selects the application holding `kind` and reads its tries left (an empty VERIFY).
    pub fn open(transport: T, kind: PinKind) -> Result<Self, CardError> {
        let (holder, status) = match kind.application() {
            Application::Jpki => {
                let mut app = JpkiApp::select(transport)?;
                let status = app.pin_status(kind)?;
                (Holder::Jpki(app), status)
            }
            Application::CardInfo => {
                let mut app = CardInfoApp::select(transport)?;
                let status = app.status_of(kind)?;
                (Holder::CardInfo(app), status)
            }
            Application::Surface => {
                let mut app = SurfaceApp::select(transport)?;
                let status = app.status_of(kind)?;
                (Holder::Surface(app), status)
            }
        };
        Ok(Self {
            holder,
            kind,
            status,
        })
    }

    /// Which PIN or code this gate is about.
    pub fn kind(&self) -> PinKind {
        self.kind
    }

    /// Its state when the gate opened, or after the last verify.
    pub fn status(&self) -> PinStatus {
        self.status
    }

    /// Presents `pin` once: refused unsent when locked, or when it is another kind's.
    pub fn verify(&mut self, pin: &Pin) -> Result<(), CardError> {
        self.check(pin)?;
        let result = match &mut self.holder {
            Holder::Jpki(app) => app.verify_pin(pin),
            Holder::CardInfo(app) => app.verify_pin(pin),
            Holder::Surface(app) => app.verify_pin(pin),
        };
        self.status = match &result {
            Ok(()) => PinStatus::Verified,
            Err(CardError::WrongPin { tries_left, .. }) => PinStatus::Remaining(*tries_left),
            Err(CardError::PinLocked { .. }) => PinStatus::Locked,
            Err(_) => self.status,
        };
        result
    }

    /// Verifies `old`, then replaces it by `new`: the holder's PINs only (codes are printed on
    /// the card), refused unsent when locked.
    pub fn change(&mut self, old: &Pin, new: &Pin) -> Result<(), CardError> {
        self.check(old)?;
        if !self.kind.is_holder_pin() {
            return Err(CardError::NotChangeable { kind: self.kind });
        }
        let result = match &mut self.holder {
            Holder::Jpki(app) => app.change_pin(old, new),
            Holder::CardInfo(app) => app.change_pin(old, new),
            Holder::Surface(_) => Err(CardError::NotChangeable { kind: self.kind }),
        };
        if let Err(CardError::WrongPin { tries_left, .. }) = &result {
            self.status = PinStatus::Remaining(*tries_left);
        }
        result
    }

    /// Refuses `pin` unsent when it is another kind's, or when the gate found it locked.
    pub(crate) fn check(&self, pin: &Pin) -> Result<(), CardError> {
        if pin.kind() != self.kind {
            return Err(CardError::MismatchedPins {
                old: self.kind,
                new: pin.kind(),
            });
        }
        if self.status == PinStatus::Locked {
            return Err(CardError::PinLocked { kind: self.kind });
        }
        Ok(())
    }

    /// The JPKI application behind the gate (for a JPKI PIN), to read or sign with once the PIN
    /// is verified. Another application's PIN or code is a caller's mistake.
    pub fn jpki_app(&mut self) -> Result<&mut JpkiApp<T>, CardError> {
        match &mut self.holder {
            Holder::Jpki(app) => Ok(app),
            _ => Err(crate::card::not_in(self.kind, Application::Jpki)),
        }
    }

    /// The JPKI application behind a gate opened for `kind`, to sign with (the caller has
    /// [`PinGate::check`]ed the PIN; verifying it is part of the signature).
    #[cfg(feature = "documents")]
    pub(crate) fn into_jpki(self, kind: PinKind) -> Result<JpkiApp<T>, CardError> {
        match self.holder {
            Holder::Jpki(app) if self.kind == kind => Ok(app),
            _ => Err(CardError::MismatchedPins {
                old: kind,
                new: self.kind,
            }),
        }
    }

    /// The application behind the gate, to read with once the PIN is verified.
    pub(crate) fn into_holder(self) -> Holder<T> {
        self.holder
    }

    /// Ends the gate and gives the transport back.
    pub fn into_transport(self) -> T {
        match self.holder {
            Holder::Jpki(app) => app.into_transport(),
            Holder::CardInfo(app) => app.into_transport(),
            Holder::Surface(app) => app.into_transport(),
        }
    }
}
