//! `kazasu-sim`: issue simulated My Number Cards, inspect them, play the municipal office, and
//! serve the card to real reader stacks.

mod args;
mod office;
mod serve;
mod show;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::Parser;
use kazasu_sim::{
    CaKind, CardPins, CardState, HolderProfile, IssueOptions, Jlis, default_card_path, issue_card,
};

use args::{Cli, ClockCmd, Cmd, NewArgs};

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("KAZASU_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    if let Err(e) = run(Cli::parse()) {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

fn run(cli: Cli) -> Result<()> {
    let card = match cli.card {
        Some(p) => p,
        None => default_card_path()?,
    };
    match cli.command {
        Cmd::New(args) => new_card(&card, args),
        Cmd::Serve(args) => serve::serve(&card, args),
        Cmd::Show { json } => show::show(&card, json),
        Cmd::Office(cmd) => office::office(&card, cmd),
        Cmd::Clock(cmd) => {
            let dir = card
                .parent()
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from("."));
            let mut jlis = Jlis::open_or_create(&dir)?;
            match cmd {
                ClockCmd::Show => {}
                ClockCmd::Set { date } => jlis.set_clock(Some(date))?,
                ClockCmd::System => jlis.set_clock(None)?,
            }
            let how = if jlis.clock_override().is_some() {
                "fixed"
            } else {
                "system clock"
            };
            println!("{} ({how})", jlis.today());
            Ok(())
        }
        Cmd::CaExport { which, output } => {
            let jlis = Jlis::for_card(&card)?;
            let pem = der_to_pem("CERTIFICATE", jlis.ca_cert_der(which.kind()))?;
            write_file(&output, pem.as_bytes())
        }
    }
}

fn new_card(path: &Path, a: NewArgs) -> Result<()> {
    if path.exists() && !a.force {
        return Err(kazasu_sim::SimError::CardExists(path.to_owned()).into());
    }
    let mut holder = HolderProfile::sample();
    // No alternative forms (the certificate carries the card's placeholders), as for most people.
    if let Some(name) = a.name {
        holder.name = name;
    }
    if let Some(birth) = a.birth {
        holder.birth_date = birth;
    }
    if let Some(sex) = a.sex {
        holder.sex = sex;
    }
    if let Some(address) = a.address {
        holder.address = address;
    }
    let opts = IssueOptions {
        pins: CardPins {
            auth: a.auth_pin,
            sign: a.sign_pin,
            card_info: a.card_info_pin,
        },
        config: kazasu_sim::CardConfig {
            blocked_status: a.blocked_status,
            token_label: a.label,
            reselect_logs_out: !a.reselect_keeps_login,
            spend_try_first: !a.try_after_check,
            ..kazasu_sim::CardConfig::default()
        },
        issued_on: a.issued_on,
    };
    eprintln!("issuing a card (generating RSA-2048 keys)...");
    issue_card(path, &holder, &opts)
        .with_context(|| format!("issuing a card at {}", path.display()))?;
    let state = CardState::load(path)?;
    println!(
        "issued a card for {} at {} (certificates valid until {})",
        state.holder().name,
        path.display(),
        state.cert_expires_on(CaKind::Auth)
    );
    Ok(())
}

fn der_to_pem(label: &str, der: &[u8]) -> Result<String> {
    der::pem::encode_string(label, der::pem::LineEnding::LF, der)
        .map_err(|e| anyhow::anyhow!("PEM encoding: {e}"))
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    if path.as_os_str().is_empty() {
        bail!("no output file given");
    }
    // Through a temporary file: a failed write never leaves a truncated file behind.
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("writing {}", path.display()))?;
    std::io::Write::write_all(&mut tmp, bytes)
        .with_context(|| format!("writing {}", path.display()))?;
    tmp.persist(path)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}
