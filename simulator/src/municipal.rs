//! The municipal office (市区町村窓口): what only it can do to a card and its certificates.
//!
//! Every act is written to the card file (and the J-LIS file) atomically; every revocation
//! and suspension shows on the CRL.

use std::path::{Path, PathBuf};

use kazasu_core::cert::renewal_opens_on;
use kazasu_core::pin::{Pin, PinKind};

use crate::card_state::{CardState, CertStatus, issue_key_cert};
use crate::error::SimError;
use crate::jlis::{CaKind, Jlis, RevocationReason};

/// The office, with the holder's card on the counter.
pub struct Office {
    card_path: PathBuf,
    card: CardState,
    jlis: Jlis,
}

impl Office {
    /// Takes the card stored at `card_path` (and the J-LIS beside it).
    pub fn open(card_path: &Path) -> Result<Office, SimError> {
        let card = CardState::load(card_path)?;
        let jlis = Jlis::for_card(card_path)?;
        Ok(Office {
            card_path: card_path.to_owned(),
            card,
            jlis,
        })
    }

    /// The card as it stands now.
    pub fn card(&self) -> &CardState {
        &self.card
    }

    /// The J-LIS (CAs, CRLs, clock).
    pub fn jlis(&self) -> &Jlis {
        &self.jlis
    }

    /// Resets a (locked or forgotten) PIN to `new_pin` with full tries. The holder shows photo ID.
    pub fn unlock_pin(&mut self, kind: PinKind, new_pin: &str) -> Result<(), SimError> {
        let pin =
            Pin::parse(kind, new_pin).map_err(|source| SimError::PinFormat { kind, source })?;
        let obj = self.card.pins.get_mut(kind);
        obj.value = String::from_utf8_lossy(pin.as_bytes()).into_owned();
        obj.tries_left = obj.limit;
        self.save()
    }

    /// Gives a locked access code its tries back (its value is what is printed on the card, so it
    /// does not change). The holder shows photo ID.
    pub fn reset_code(&mut self, kind: PinKind) -> Result<(), SimError> {
        if kind.is_holder_pin() {
            return Err(SimError::Holder(format!(
                "the {kind} is a PIN: reset it with a new value"
            )));
        }
        let obj = self.card.pins.get_mut(kind);
        obj.tries_left = obj.limit;
        self.save()
    }

    /// Records a move: the address changes and the signing certificate is revoked
    /// (its attributes are out of date); the authentication certificate stays valid.
    pub fn move_address(&mut self, address: &str, address_alt: &str) -> Result<(), SimError> {
        self.card.holder.address = address.to_owned();
        self.card.holder.address_alt = address_alt.to_owned();
        self.card.holder.validate()?;
        self.revoke_one(CaKind::Sign, RevocationReason::AffiliationChanged)?;
        self.save()
    }

    /// Records a change of name (e.g. marriage): like a move, it revokes the signing certificate only.
    pub fn change_name(&mut self, name: &str, name_alt: &str) -> Result<(), SimError> {
        self.card.holder.name = name.to_owned();
        self.card.holder.name_alt = name_alt.to_owned();
        self.card.holder.validate()?;
        self.revoke_one(CaKind::Sign, RevocationReason::AffiliationChanged)?;
        self.save()
    }

    /// Issues a new signing key and certificate with the holder's current data
    /// (after a move, a change of name or a revocation). A still-valid one is superseded.
    pub fn reissue_sign_cert(&mut self) -> Result<(), SimError> {
        self.reissue(CaKind::Sign)?;
        self.save()
    }

    /// Suspends both certificates (一時保留, e.g. the card is lost): on the CRL as certificateHold.
    pub fn suspend(&mut self) -> Result<(), SimError> {
        for ca in [CaKind::Auth, CaKind::Sign] {
            if self.card.cert_status(ca) == CertStatus::Valid {
                let serial = self.card.serial(ca).to_owned();
                self.jlis
                    .revoke(ca, &serial, RevocationReason::CertificateHold)?;
                self.card.key_cert_mut(ca).status = CertStatus::Suspended;
            }
        }
        self.save()
    }

    /// Lifts a suspension: the certificates leave the CRL and are valid again.
    pub fn resume(&mut self) -> Result<(), SimError> {
        let mut any = false;
        for ca in [CaKind::Auth, CaKind::Sign] {
            if self.card.cert_status(ca) == CertStatus::Suspended {
                let serial = self.card.serial(ca).to_owned();
                self.jlis.release_hold(ca, &serial)?;
                self.card.key_cert_mut(ca).status = CertStatus::Valid;
                any = true;
            }
        }
        if !any {
            return Err(SimError::CertificateState {
                what: "holder's",
                state: "not suspended",
                advice: "only a suspended certificate can be resumed",
            });
        }
        self.save()
    }

    /// Revokes at the holder's request: one certificate, or both with `None`.
    pub fn revoke(&mut self, which: Option<CaKind>) -> Result<(), SimError> {
        let cas = match which {
            Some(ca) => vec![ca],
            None => vec![CaKind::Auth, CaKind::Sign],
        };
        for ca in cas {
            self.revoke_one(ca, RevocationReason::CessationOfOperation)?;
        }
        self.save()
    }

    /// Renews every certificate whose renewal window is open on the J-LIS date: new keys and
    /// certificates, the old ones superseded on the CRL. Before the window opens this is refused.
    pub fn renew(&mut self) -> Result<Vec<CaKind>, SimError> {
        let today = self.jlis.today();
        let mut renewed = Vec::new();
        let mut earliest = None;
        for ca in [CaKind::Auth, CaKind::Sign] {
            let opens_on = renewal_opens_on(self.card.cert_expires_on(ca));
            if today >= opens_on {
                self.reissue(ca)?;
                renewed.push(ca);
            } else {
                earliest = Some(earliest.map_or(opens_on, |e: time::Date| e.min(opens_on)));
            }
        }
        if renewed.is_empty() {
            return Err(SimError::RenewalTooEarly {
                opens_on: earliest.unwrap_or(today),
            });
        }
        self.save()?;
        Ok(renewed)
    }

    /// The current CRL (DER) of `ca`.
    pub fn crl(&self, ca: CaKind) -> Result<Vec<u8>, SimError> {
        self.jlis.crl_der(ca)
    }

    fn revoke_one(&mut self, ca: CaKind, reason: RevocationReason) -> Result<(), SimError> {
        if self.card.cert_status(ca) != CertStatus::Revoked {
            let serial = self.card.serial(ca).to_owned();
            self.jlis.revoke(ca, &serial, reason)?;
            self.card.key_cert_mut(ca).status = CertStatus::Revoked;
        }
        Ok(())
    }

    fn reissue(&mut self, ca: CaKind) -> Result<(), SimError> {
        if self.card.cert_status(ca) != CertStatus::Revoked {
            let serial = self.card.serial(ca).to_owned();
            self.jlis
                .revoke(ca, &serial, RevocationReason::Superseded)?;
        }
        let today = self.jlis.today();
        let fresh = issue_key_cert(
            &mut self.jlis,
            ca,
            &self.card.holder,
            today,
            self.card.card_expires_on,
        )?;
        *self.card.key_cert_mut(ca) = fresh;
        Ok(())
    }

    fn save(&self) -> Result<(), SimError> {
        self.card.save(&self.card_path)
    }
}
