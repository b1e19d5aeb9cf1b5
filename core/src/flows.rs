//! Use cases over a [`Transport`]: what an app or the CLI does in one tap of the card.
//!
//! Each function selects the applications it needs, checks PIN states before sending a PIN,
//! and returns plain data that serializes to the `--json` shapes.

use serde::Serialize;
use time::Date;

#[cfg(feature = "service")]
mod login;
mod pin_gate;

#[cfg(feature = "service")]
pub use login::{LoginAttempt, LoginError, LoginRequest};
pub use pin_gate::PinGate;

use crate::card::authenticity::Authenticity;
use crate::card::surface::CardFace;
use crate::card::{
    BasicFacts, CardInfoApp, CertSlot, JpkiApp, KeyKind, PinStatus, SurfaceApp, TokenKind,
};
use crate::cert::CertificateSummary;
use crate::error::CardError;
use crate::ids::Application;
use crate::mynumber::MyNumber;
use crate::pin::{Pin, PinKind};
use crate::transport::Transport;

/// One PIN's state, as `pin status` lists it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct PinReport {
    /// Which PIN.
    pub pin: PinKind,
    /// Its state.
    pub status: PinStatus,
}

/// One certificate slot in a status report: its summary, or why there is none.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CertificateStatus {
    /// Which certificate.
    pub slot: CertSlot,
    /// The summary, when the certificate could be read.
    pub summary: Option<CertificateSummary>,
    /// The PIN needed to read it, when that is why there is no summary.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub needs_pin: Option<PinKind>,
    /// Why it could not be read or understood, when it was not for lack of a PIN.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unavailable: Option<String>,
}

/// Everything readable without a PIN: token kind, certificates and the tries left on every PIN.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CardStatus {
    /// Which kind of JPKI token answered.
    pub token: TokenKind,
    /// The four certificate slots, in [`CertSlot::ALL`] order.
    pub certificates: Vec<CertificateStatus>,
    /// Authentication, signing and (when the card has the application) card-info PIN.
    pub pins: Vec<PinReport>,
}

impl CardStatus {
    /// The summary for `slot`, if it was read.
    pub fn certificate(&self, slot: CertSlot) -> Option<&CertificateSummary> {
        self.certificates
            .iter()
            .find(|c| c.slot == slot)
            .and_then(|c| c.summary.as_ref())
    }

    /// The state of `kind`, if it was checked.
    pub fn pin(&self, kind: PinKind) -> Option<PinStatus> {
        self.pins.iter().find(|p| p.pin == kind).map(|p| p.status)
    }
}

/// What the card-info application says about its holder: what the secret opened, and whether
/// it is genuine (the card's signed record and its own signature, see [`Authenticity`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Identity {
    /// My Number (serialized in full: reading it is the point of this call); `None` when
    /// opened with code B.
    #[serde(serialize_with = "MyNumber::serialize_revealed_opt")]
    pub my_number: Option<MyNumber>,
    /// Name, address, birth date and sex; `None` when opened with code A.
    pub facts: Option<BasicFacts>,
    /// Whether the card and the data are genuine.
    pub authenticity: Authenticity,
}

/// Reads the card's status without any PIN: token kind, the certificates readable for free
/// (the signing certificate is reported as needing the signing PIN unless this session has it),
/// their lifecycle on `today` (a Japan-time date), and the tries left on all three PINs.
///
/// No try is used: PIN states come from empty VERIFYs.
pub fn card_status<T: Transport>(mut transport: T, today: Date) -> Result<CardStatus, CardError> {
    let mut pins = Vec::with_capacity(3);
    let mut certificates = Vec::with_capacity(4);
    let token = {
        let mut jpki = JpkiApp::select(&mut transport)?;
        let token = jpki.token_kind()?;
        for kind in [PinKind::Auth, PinKind::Sign] {
            pins.push(PinReport {
                pin: kind,
                status: jpki.pin_status(kind)?,
            });
        }
        // The card never says a PIN is verified (an empty VERIFY answers 63 Cx either way):
        // only this session's own successful VERIFY counts, and a fresh session has none.
        let sign_verified = jpki.is_verified(PinKind::Sign);
        for slot in CertSlot::ALL {
            let mut entry = CertificateStatus {
                slot,
                summary: None,
                needs_pin: None,
                unavailable: None,
            };
            if slot == CertSlot::Sign && !sign_verified {
                entry.needs_pin = Some(PinKind::Sign);
                certificates.push(entry);
                continue;
            }
            match jpki.certificate(slot) {
                Ok(cert) => entry.summary = Some(cert.summary(slot, today)),
                Err(CardError::PinRequired { kind }) => entry.needs_pin = Some(kind),
                Err(
                    e @ (CardError::FileNotFound { .. }
                    | CardError::Malformed { .. }
                    | CardError::Certificate(_)
                    | CardError::Card { .. }),
                ) => {
                    entry.unavailable = Some(e.to_string());
                    // The failed read may have left no file selected: nothing else to undo.
                }
                Err(e) => return Err(e),
            }
            certificates.push(entry);
        }
        token
    };
    // Phone-embedded tokens have no card-info application: report what there is.
    match CardInfoApp::select(&mut transport) {
        Ok(mut info) => pins.push(PinReport {
            pin: PinKind::CardInfo,
            status: info.pin_status()?,
        }),
        Err(CardError::AppNotFound { .. }) => {}
        Err(e) => return Err(e),
    }
    Ok(CardStatus {
        token,
        certificates,
        pins,
    })
}

/// Tries left on the three PINs and on the access codes (card-info codes A and B, the
/// card-surface keys), each only where the card has its application. Uses no try.
pub fn pin_statuses<T: Transport>(mut transport: T) -> Result<Vec<PinReport>, CardError> {
    let mut reports = Vec::with_capacity(8);
    {
        let mut jpki = JpkiApp::select(&mut transport)?;
        for kind in [PinKind::Auth, PinKind::Sign] {
            reports.push(PinReport {
                pin: kind,
                status: jpki.pin_status(kind)?,
            });
        }
    }
    // A code EF a card does not have (6A 82) is left out, like an application it does not have.
    let mut report = |kind, status: Result<PinStatus, CardError>| match status {
        Ok(status) => {
            reports.push(PinReport { pin: kind, status });
            Ok(())
        }
        Err(CardError::FileNotFound { .. }) => Ok(()),
        Err(e) => Err(e),
    };
    match CardInfoApp::select(&mut transport) {
        Ok(mut info) => {
            for kind in [
                PinKind::CardInfo,
                PinKind::CardInfoCodeA,
                PinKind::CardInfoCodeB,
            ] {
                report(kind, info.status_of(kind))?;
            }
        }
        Err(CardError::AppNotFound { .. }) => {}
        Err(e) => return Err(e),
    }
    match SurfaceApp::select(&mut transport) {
        Ok(mut surface) => {
            for kind in [
                PinKind::SurfaceBirthDate,
                PinKind::SurfaceCodeA,
                PinKind::SurfaceCodeB,
            ] {
                report(kind, surface.status_of(kind))?;
            }
        }
        Err(CardError::AppNotFound { .. }) => {}
        Err(e) => return Err(e),
    }
    Ok(reports)
}

/// One PIN's or access code's state, without using a try, from the application holding it.
pub fn pin_status<T: Transport>(transport: T, kind: PinKind) -> Result<PinStatus, CardError> {
    Ok(PinGate::open(transport, kind)?.status())
}

/// Changes a PIN: a locked PIN is refused with [`CardError::PinLocked`] and nothing is sent;
/// otherwise the card checks `old` (a wrong one uses a try) and stores `new`.
pub fn change_pin<T: Transport>(transport: T, old: &Pin, new: &Pin) -> Result<(), CardError> {
    if !old.kind().is_holder_pin() {
        return Err(CardError::NotChangeable { kind: old.kind() });
    }
    PinGate::open(transport, old.kind())?.change(old, new)
}

/// Verifies the card-info PIN (or code A, or code B) and reads what it opens: My Number and the
/// four basic facts with the PIN, My Number alone with code A, the facts alone with code B. Then
/// checks the card's authenticity (EF 0003 and 0004 and a fresh challenge; no try used).
///
/// A locked PIN is refused with [`CardError::PinLocked`] without being sent.
pub fn read_identity<T: Transport>(transport: T, pin: &Pin) -> Result<Identity, CardError> {
    let mut app = CardInfoApp::select(transport)?;
    app.verify_pin(pin)?;
    identity_of(&mut app, pin.kind())
}

/// Like [`read_identity`] through a [`PinGate`] the front end opened to show the tries first
/// (refused unsent when locked; no second SELECT).
pub fn read_identity_through<T: Transport>(
    mut gate: PinGate<T>,
    pin: &Pin,
) -> Result<Identity, CardError> {
    gate.verify(pin)?;
    match gate.into_holder() {
        pin_gate::Holder::CardInfo(mut app) => identity_of(&mut app, pin.kind()),
        _ => Err(crate::card::not_in(pin.kind(), Application::CardInfo)),
    }
}

/// What `kind` opened in the card-info application: My Number, the basic facts, or both.
fn identity_of<T: Transport>(
    app: &mut CardInfoApp<T>,
    kind: PinKind,
) -> Result<Identity, CardError> {
    let number_file = match kind {
        PinKind::CardInfo | PinKind::CardInfoCodeA => Some(app.my_number_file()?),
        _ => None,
    };
    let facts_file = match kind {
        PinKind::CardInfo | PinKind::CardInfoCodeB => Some(app.basic_facts_file()?),
        _ => None,
    };
    let my_number = number_file
        .as_deref()
        .map(crate::card::card_info::parse_my_number)
        .transpose()?;
    let facts = facts_file
        .as_deref()
        .map(BasicFacts::from_tlv)
        .transpose()?;
    let authenticity = app.authenticity(number_file.as_deref(), facts_file.as_deref())?;
    Ok(Identity {
        my_number,
        facts,
        authenticity,
    })
}

/// What the card-surface application shows, and whether its signatures hold.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Surface {
    /// The card face (code A or B).
    pub face: CardFace,
    /// The photo converted to PNG, or why it could not be.
    #[serde(skip)]
    pub photo_png: Result<Vec<u8>, String>,
    /// The My Number image (code A only), and whether it is signed.
    #[serde(skip)]
    pub my_number_image: Option<(Vec<u8>, bool)>,
}

/// Verifies the card-surface code A or B and reads the card face (and, with code A, the My
/// Number image); the photo is converted from JPEG 2000 to PNG.
pub fn read_surface<T: Transport>(transport: T, code: &Pin) -> Result<Surface, CardError> {
    let mut app = SurfaceApp::select(transport)?;
    app.verify_pin(code)?;
    surface_of(&mut app, code.kind())
}

/// Like [`read_surface`] through a [`PinGate`] the front end opened to show the tries first.
pub fn read_surface_through<T: Transport>(
    mut gate: PinGate<T>,
    code: &Pin,
) -> Result<Surface, CardError> {
    gate.verify(code)?;
    match gate.into_holder() {
        pin_gate::Holder::Surface(mut app) => surface_of(&mut app, code.kind()),
        _ => Err(crate::card::not_in(code.kind(), Application::Surface)),
    }
}

/// The card face, and the My Number image when code A opened the application.
fn surface_of<T: Transport>(app: &mut SurfaceApp<T>, kind: PinKind) -> Result<Surface, CardError> {
    let face = app.card_face()?;
    let my_number_image = match kind {
        PinKind::SurfaceCodeA => Some(app.my_number_image()?),
        _ => None,
    };
    let photo_png =
        crate::card::photo::jpeg2000_to_png(&face.photo_jpeg2000).map_err(|e| e.to_string());
    Ok(Surface {
        face,
        photo_png,
        my_number_image,
    })
}

/// Signs a DER `DigestInfo` with `key`: checks the PIN's state first (a locked PIN is refused
/// with [`CardError::PinLocked`] and never sent), verifies `pin` once, signs, and checks the
/// signature against the key's certificate before returning it.
pub fn sign_digest<T: Transport>(
    transport: T,
    key: KeyKind,
    pin: &Pin,
    digest_info: &[u8],
) -> Result<Vec<u8>, CardError> {
    if pin.kind() != key.pin_kind() {
        return Err(CardError::PinDoesNotUnlockKey {
            key,
            given: pin.kind(),
        });
    }
    let mut app = JpkiApp::select(transport)?;
    if app.pin_status(pin.kind())? == PinStatus::Locked {
        return Err(CardError::PinLocked { kind: pin.kind() });
    }
    app.verify_pin(pin)?;
    app.sign(key, digest_info)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card::mock::*;
    use crate::cert::Lifecycle;
    use crate::transport::Traced;
    use time::macros::date;

    fn pin(kind: PinKind, s: &str) -> Pin {
        Pin::parse(kind, s).unwrap()
    }

    #[test]
    fn status_reports_token_free_certificates_and_three_pins() {
        let mut card = FakeCard::my_number_card();
        let status = card_status(&mut card, date!(2031 - 01 - 10)).unwrap();
        assert_eq!(status.token, TokenKind::MyNumberCard);
        assert_eq!(status.certificates.len(), 4);
        let auth = status.certificate(CertSlot::Auth).unwrap();
        assert_eq!(auth.expires_on, date!(2031 - 03 - 15));
        assert!(matches!(auth.lifecycle, Lifecycle::RenewalWindow { .. }));
        assert!(status.certificate(CertSlot::AuthCa).is_some());
        assert!(status.certificate(CertSlot::SignCa).is_some());
        let sign = &status.certificates[2];
        assert_eq!(sign.slot, CertSlot::Sign);
        assert!(sign.summary.is_none());
        assert_eq!(sign.needs_pin, Some(PinKind::Sign));
        assert_eq!(status.pin(PinKind::Auth), Some(PinStatus::Remaining(3)));
        assert_eq!(status.pin(PinKind::Sign), Some(PinStatus::Remaining(5)));
        assert_eq!(status.pin(PinKind::CardInfo), Some(PinStatus::Remaining(3)));
        assert_eq!(card.pins_sent(), 0, "no PIN, no try");

        let v = serde_json::to_value(&status).unwrap();
        assert_eq!(v["token"], "my_number_card");
        assert_eq!(
            v["certificates"][0]["summary"]["lifecycle"]["state"],
            "renewal_window"
        );
        assert_eq!(v["certificates"][2]["needs_pin"], "sign");
        assert_eq!(v["pins"][1]["status"]["tries_left"], 5);

        let expired = card_status(&mut card, date!(2031 - 03 - 16)).unwrap();
        let auth = expired.certificate(CertSlot::Auth).unwrap();
        assert_eq!(auth.lifecycle, Lifecycle::Expired);
    }

    #[test]
    fn status_without_card_info_application() {
        let mut card = FakeCard::my_number_card();
        card.apps
            .remove(crate::ids::mynumber::CARD_INFO_AID.as_bytes());
        let status = card_status(&mut card, date!(2027 - 01 - 01)).unwrap();
        assert_eq!(status.pins.len(), 2);
        assert_eq!(pin_statuses(&mut card).unwrap().len(), 2);
    }

    #[test]
    fn status_of_a_card_that_is_not_a_my_number_card() {
        let mut card = FakeCard::my_number_card();
        card.apps.clear();
        assert!(matches!(
            card_status(&mut card, date!(2027 - 01 - 01)).unwrap_err(),
            CardError::NotMyNumberCard
        ));
    }

    #[test]
    fn identity_serializes_the_full_number_and_prints_it_masked() {
        let mut card = FakeCard::my_number_card();
        let identity = read_identity(&mut card, &pin(PinKind::CardInfo, CARD_INFO_PIN)).unwrap();
        assert_eq!(identity.facts.as_ref().unwrap().name, "山田 太郎");
        let json = serde_json::to_value(&identity).unwrap();
        assert_eq!(json["my_number"], MY_NUMBER);
        assert_eq!(json["facts"]["birth_date"], "1980-01-15");
        assert_eq!(json["facts"]["sex"], "male");
        assert!(!format!("{identity:?}").contains(MY_NUMBER));
        let err = read_identity(&mut card, &pin(PinKind::CardInfo, "0000")).unwrap_err();
        assert!(matches!(err, CardError::WrongPin { tries_left: 2, .. }));
    }

    #[test]
    fn the_pin_gate_opens_the_right_application_and_checks_first() {
        for (kind, value) in [
            (PinKind::Auth, AUTH_PIN),
            (PinKind::Sign, SIGN_PIN),
            (PinKind::CardInfo, CARD_INFO_PIN),
        ] {
            let mut card = FakeCard::my_number_card();
            let mut gate = PinGate::open(&mut card, kind).unwrap();
            assert_eq!(gate.kind(), kind);
            assert_eq!(
                gate.status(),
                PinStatus::Remaining(kind.retry_limit()),
                "{kind}"
            );
            // Another kind's PIN is refused before anything is sent.
            let other = if kind == PinKind::Auth {
                pin(PinKind::CardInfo, CARD_INFO_PIN)
            } else {
                pin(PinKind::Auth, AUTH_PIN)
            };
            assert!(matches!(
                gate.verify(&other).unwrap_err(),
                CardError::MismatchedPins { .. }
            ));
            gate.verify(&pin(kind, value)).unwrap();
            assert_eq!(gate.status(), PinStatus::Verified);
            drop(gate);
            assert_eq!(card.pins_sent(), 1, "{kind}: one VERIFY with a PIN");
        }

        // A locked PIN: the gate says so, and neither verify nor change sends it.
        let mut card = FakeCard::my_number_card();
        card.info_mut()
            .pins
            .get_mut(&crate::ids::mynumber::EF_CARD_INFO_PIN.0)
            .unwrap()
            .tries = 0;
        let mut gate = PinGate::open(&mut card, PinKind::CardInfo).unwrap();
        assert_eq!(gate.status(), PinStatus::Locked);
        let right = pin(PinKind::CardInfo, CARD_INFO_PIN);
        assert!(gate.verify(&right).unwrap_err().is_pin_locked());
        assert!(
            gate.change(&right, &pin(PinKind::CardInfo, "2468"))
                .unwrap_err()
                .is_pin_locked()
        );
        drop(gate);
        assert_eq!(card.pins_sent(), 0);
    }

    #[test]
    fn sign_digest_checks_the_pin_state_first() {
        let di = crate::card::jpki::sha256_digest_info(&[3; 32]);
        let mut card = FakeCard::my_number_card();
        let mut link = Traced::new(&mut card);
        let sig =
            sign_digest(&mut link, KeyKind::Sign, &pin(PinKind::Sign, SIGN_PIN), &di).unwrap();
        assert_eq!(sig.len(), 256);
        // select AP, select PIN, tries, verify, select cert + 5 reads, select key, sign.
        assert_eq!(link.stats().apdus, 4 + 1 + 5 + 2);

        // Locked: refused before the PIN is sent.
        let mut card = FakeCard::my_number_card();
        card.jpki_mut()
            .pins
            .get_mut(&crate::ids::mynumber::EF_AUTH_PIN.0)
            .unwrap()
            .tries = 0;
        let err =
            sign_digest(&mut card, KeyKind::Auth, &pin(PinKind::Auth, AUTH_PIN), &di).unwrap_err();
        assert!(
            matches!(
                err,
                CardError::PinLocked {
                    kind: PinKind::Auth
                }
            ),
            "{err:?}"
        );
        assert_eq!(card.pins_sent(), 0);

        // The wrong PIN for the key: nothing at all is sent.
        let mut card = FakeCard::my_number_card();
        let err =
            sign_digest(&mut card, KeyKind::Sign, &pin(PinKind::Auth, AUTH_PIN), &di).unwrap_err();
        assert!(
            matches!(err, CardError::PinDoesNotUnlockKey { .. }),
            "{err:?}"
        );
        assert!(card.log.is_empty());
    }
}
