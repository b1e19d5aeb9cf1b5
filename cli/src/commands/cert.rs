//! `kazasu cert show|export`: the four certificates on the card.

use std::io::Write;

use anyhow::{Context, Result};
use kazasu_core::cert::CardCertificate;
use kazasu_core::flows::PinGate;
use kazasu_core::pin::PinKind;
use kazasu_core::{CertSlot, JpkiApp};

use crate::args::{CertArg, CertCommand, PinInput};
use crate::commands::pin::ask;
use crate::commands::{status, today};
use crate::output;
use crate::prompt::PinSource;
use crate::session::CardLink;

pub fn run(link: &mut CardLink, cmd: &CertCommand, json: bool) -> Result<()> {
    match cmd {
        CertCommand::Show { which, pin } => {
            let slot = slot(*which);
            let cert = read(link, slot, *pin)?;
            let summary = cert.summary(slot, today());
            if json {
                output::json(&summary)
            } else {
                status::print_certificate(&summary);
                Ok(())
            }
        }
        CertCommand::Export {
            which,
            der,
            output: out,
            pin,
        } => {
            let cert = read(link, slot(*which), *pin)?;
            let bytes = if *der {
                cert.der().to_vec()
            } else {
                cert.to_pem()?.into_bytes()
            };
            match out {
                Some(path) => {
                    output::write_atomically(path, &bytes)?;
                    if json {
                        output::json(
                            &serde_json::json!({ "written": path, "bytes": bytes.len() }),
                        )?;
                    } else {
                        eprintln!("wrote {} ({} bytes)", path.display(), bytes.len());
                    }
                    Ok(())
                }
                None => std::io::stdout()
                    .write_all(&bytes)
                    .context("writing to standard output"),
            }
        }
    }
}

fn slot(which: CertArg) -> CertSlot {
    match which {
        CertArg::Auth => CertSlot::Auth,
        CertArg::Sign => CertSlot::Sign,
        CertArg::AuthCa => CertSlot::AuthCa,
        CertArg::SignCa => CertSlot::SignCa,
    }
}

/// Reads one certificate; the signing certificate holds personal data, so the card wants the signing PIN first.
fn read(link: &mut CardLink, slot: CertSlot, input: PinInput) -> Result<CardCertificate> {
    let der = if slot == CertSlot::Sign {
        let mut gate = PinGate::open(&mut *link, PinKind::Sign)?;
        let pin = ask(&gate, &mut PinSource::new(input.pin_stdin))?;
        gate.verify(&pin)?;
        gate.jpki_app()?.read_certificate(slot)?
    } else {
        JpkiApp::select(&mut *link)?.read_certificate(slot)?
    };
    Ok(CardCertificate::from_der(&der)?)
}
