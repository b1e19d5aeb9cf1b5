//! `kazasu-sim office`: what only the municipal office can do to a card.

use std::path::Path;

use anyhow::{Context, Result};
use kazasu_core::pin::PinKind;
use kazasu_sim::{CaKind, CertKind, Office};

use crate::args::OfficeCmd;
use crate::{der_to_pem, write_file};

pub(crate) fn office(path: &Path, cmd: OfficeCmd) -> Result<()> {
    let mut office = Office::open(path)?;
    match cmd {
        OfficeCmd::Unlock { which, new_pin } => {
            let kind = if which.sign {
                PinKind::Sign
            } else if which.card_info {
                PinKind::CardInfo
            } else {
                PinKind::Auth
            };
            office.unlock_pin(kind, &new_pin)?;
            println!("the {kind} was reset; {} tries", kind.retry_limit());
        }
        OfficeCmd::ResetCode { code } => {
            office.reset_code(code)?;
            println!("the {code} has its {} tries back", code.retry_limit());
        }
        OfficeCmd::Move {
            address,
            address_alt,
        } => {
            office.move_address(&address, &address_alt)?;
            println!(
                "address changed; the signing certificate was revoked (the authentication certificate stays valid)"
            );
        }
        OfficeCmd::Marry { name, name_alt } => {
            office.change_name(&name, &name_alt)?;
            println!(
                "name changed; the signing certificate was revoked (the authentication certificate stays valid)"
            );
        }
        OfficeCmd::ReissueSign => {
            office.reissue_sign_cert()?;
            println!("a new signing certificate was issued");
        }
        OfficeCmd::Suspend => {
            office.suspend()?;
            println!("both certificates are suspended");
        }
        OfficeCmd::Resume => {
            office.resume()?;
            println!("the suspension was lifted");
        }
        OfficeCmd::Revoke { sign, auth } => {
            let which = match (sign, auth) {
                (true, _) => Some(CaKind::Sign),
                (_, true) => Some(CaKind::Auth),
                _ => None,
            };
            office.revoke(which)?;
            println!("revoked");
        }
        OfficeCmd::Renew => {
            let renewed = office.renew()?;
            println!("renewed: {renewed:?}");
        }
        OfficeCmd::Crl { which, output } => {
            let crl = office.crl(which.kind())?;
            write_file(&output, &crl)?;
        }
        OfficeCmd::ExportOcsp { dir } => {
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            let mut jlis = kazasu_sim::Jlis::for_card(path)?;
            let card = office.card();
            let certificates = [
                card.certificate_der(CertKind::Auth),
                card.certificate_der(CertKind::Sign),
            ];
            for (kind, name) in [(CaKind::Auth, "auth"), (CaKind::Sign, "sign")] {
                let ca = der_to_pem("CERTIFICATE", jlis.ca_cert_der(kind))?;
                write_file(&dir.join(format!("{name}-ca.pem")), ca.as_bytes())?;
                let (cert, key) = jlis.ocsp_responder(kind)?;
                write_file(&dir.join(format!("{name}-ocsp.pem")), cert.as_bytes())?;
                write_file(&dir.join(format!("{name}-ocsp-key.pem")), key.as_bytes())?;
                let index = jlis.openssl_index(kind, &certificates)?;
                write_file(&dir.join(format!("{name}-index.txt")), index.as_bytes())?;
                // Several certificates may share a subject (a renewed card).
                write_file(
                    &dir.join(format!("{name}-index.txt.attr")),
                    b"unique_subject = no\n",
                )?;
            }
            println!(
                "wrote the OCSP responder files to {}; for the signing CA, from there:\n  \
                 openssl ocsp -index sign-index.txt -port 8888 -rsigner sign-ocsp.pem \
                 -rkey sign-ocsp-key.pem -CA sign-ca.pem -nmin 5",
                dir.display()
            );
        }
        OfficeCmd::ExportTrust { dir } => {
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            for (kind, name) in [(CaKind::Auth, "auth"), (CaKind::Sign, "sign")] {
                let ca = der_to_pem("CERTIFICATE", office.jlis().ca_cert_der(kind))?;
                write_file(&dir.join(format!("{name}-ca.pem")), ca.as_bytes())?;
                let crl = der_to_pem("X509 CRL", &office.crl(kind)?)?;
                write_file(&dir.join(format!("{name}-crl.pem")), crl.as_bytes())?;
            }
            println!(
                "wrote auth-ca.pem, sign-ca.pem, auth-crl.pem and sign-crl.pem to {}",
                dir.display()
            );
        }
    }
    Ok(())
}
