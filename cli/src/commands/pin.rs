//! `kazasu pin status|verify|change`, and the gate every PIN prompt goes through.

use anyhow::Result;
use kazasu_core::flows::{self, PinGate};
use kazasu_core::pin::{Pin, PinKind};
use kazasu_core::{CardError, PinStatus};

use crate::args::{PinCommand, PinInput};
use crate::output;
use crate::prompt::PinSource;
use crate::session::CardLink;

pub fn run(link: &mut CardLink, cmd: &PinCommand, json: bool) -> Result<()> {
    match cmd {
        PinCommand::Status => status(link, json),
        PinCommand::Verify { which, pin } => verify(link, which.kind(), *pin, json),
        PinCommand::Change { which, pin } => change(link, which.kind(), *pin, json),
    }
}

fn status(link: &mut CardLink, json: bool) -> Result<()> {
    let reports = flows::pin_statuses(&mut *link)?;
    if json {
        return output::json(&reports);
    }
    for r in &reports {
        println!(
            "{:<28} {}",
            r.pin.to_string(),
            describe_status(r.pin, r.status)
        );
    }
    Ok(())
}

/// One line a person reads: tries left, or what a lock means.
pub fn describe_status(kind: PinKind, status: PinStatus) -> String {
    // The holder's PINs have known limits; an access code's limit is not published.
    let of = if kind.is_holder_pin() {
        format!(" of {}", kind.retry_limit())
    } else {
        String::new()
    };
    match status {
        PinStatus::Remaining(1) => {
            format!("1 try left{of} (LAST TRY: a wrong PIN now locks it)")
        }
        PinStatus::Remaining(n) => format!("{n} tries left{of}"),
        PinStatus::Verified => "verified in this session".to_owned(),
        PinStatus::Locked => "LOCKED: only your municipal office can reset it".to_owned(),
    }
}

/// Checks the tries left before asking for a PIN: refuses when locked (nothing is asked or sent),
/// tells the person how many tries remain, and warns loudly before the last one.
pub fn show_tries(kind: PinKind, status: PinStatus) -> Result<()> {
    match status {
        PinStatus::Locked => Err(CardError::PinLocked { kind }.into()),
        PinStatus::Remaining(1) => {
            eprintln!(
                "WARNING: last try for the {kind}: one more wrong PIN locks it, and only your municipal office can unlock it."
            );
            Ok(())
        }
        PinStatus::Remaining(n) => {
            eprintln!("{kind}: {n} tries left");
            Ok(())
        }
        PinStatus::Verified => Ok(()),
    }
}

/// Shows the tries left a gate found, then asks for its PIN (never when locked).
pub fn ask<T: kazasu_core::transport::Transport>(
    gate: &PinGate<T>,
    source: &mut PinSource,
) -> Result<Pin> {
    let kind = gate.kind();
    show_tries(kind, gate.status())?;
    source.read(kind, &format!("{kind}"))
}

fn verify(link: &mut CardLink, kind: PinKind, input: PinInput, json: bool) -> Result<()> {
    let mut source = PinSource::new(input.pin_stdin);
    let mut gate = PinGate::open(&mut *link, kind)?;
    let pin = ask(&gate, &mut source)?;
    gate.verify(&pin)?;
    done(json, kind, "verified", &format!("The {kind} is correct."))
}

fn change(link: &mut CardLink, kind: PinKind, input: PinInput, json: bool) -> Result<()> {
    let mut source = PinSource::new(input.pin_stdin);
    let mut gate = PinGate::open(&mut *link, kind)?;
    show_tries(kind, gate.status())?;
    let old = source.read(kind, &format!("Current {kind}"))?;
    let new = source.read_new(kind)?;
    gate.change(&old, &new)?;
    done(
        json,
        kind,
        "changed",
        &format!("The {kind} was changed. Use the new one from now on."),
    )
}

fn done(json: bool, kind: PinKind, result: &str, text: &str) -> Result<()> {
    if json {
        output::json(&serde_json::json!({ "pin": kind, "result": result }))
    } else {
        println!("{text}");
        Ok(())
    }
}
