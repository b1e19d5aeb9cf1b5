//! One module per command; `run` opens the card, dispatches, and reports `--trace`.

mod card_info;
mod card_surface;
mod cert;
mod crl;
pub mod document;
mod extend;
mod login;
mod pin;
mod readers;
mod sign;
mod sources;
mod status;
mod verify;

use std::time::Duration;

use anyhow::Result;
use time::Date;

use crate::args::{Cli, Command};
use crate::session;

/// Runs the command `cli` names against the card `--reader` names.
pub fn run(cli: &Cli) -> Result<()> {
    match &cli.command {
        Command::Readers => return readers::run(cli.json),
        Command::Verify(args) => return verify::run(args, cli.json),
        Command::Extend(args) => return extend::run(args, cli.json),
        // Opens the card itself, and only for a card login.
        Command::Login(args) => {
            return login::run(
                &cli.reader,
                Duration::from_secs(cli.wait),
                args,
                cli.json,
                cli.trace,
            );
        }
        _ => {}
    }
    let mut link = session::open(&cli.reader, Duration::from_secs(cli.wait))?;
    let result = match &cli.command {
        Command::Readers | Command::Verify(_) | Command::Extend(_) | Command::Login(_) => {
            unreachable!("handled before opening a card")
        }
        Command::Sign(args) => document::run(&mut link, args, cli.json),
        Command::Status { at } => status::run(&mut link, at.unwrap_or_else(today), cli.json),
        Command::Cert(cmd) => cert::run(&mut link, cmd, cli.json),
        Command::Pin(cmd) => pin::run(&mut link, cmd, cli.json),
        Command::CardInfo(args) => card_info::run(&mut link, args, cli.json),
        Command::CardSurface(args) => card_surface::run(&mut link, args, cli.json),
        Command::SignRaw {
            key,
            file,
            output,
            pin,
        } => sign::run(&mut link, *key, file, output.as_deref(), *pin, cli.json),
    };
    if cli.trace {
        report_trace(&link);
    }
    result
}

/// `--trace`: what the command cost the card, in APDUs, bytes and time.
pub fn report_trace(link: &session::CardLink) {
    let stats = link.stats();
    eprintln!(
        "trace: {} APDUs, {} bytes sent, {} bytes received, {} ms",
        stats.apdus,
        stats.bytes_sent,
        stats.bytes_received,
        stats.elapsed.as_millis()
    );
}

/// Today in Japan, where certificate expiry dates are counted.
pub fn today() -> Date {
    kazasu_core::cert::today_in_japan()
}
