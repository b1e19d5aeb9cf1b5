//! `kazasu-sim`: issue simulated My Number Cards, inspect them, play the municipal office, and
//! serve the card to real reader stacks.

mod serve;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use kazasu_core::pin::PinKind;
use kazasu_sim::{
    BlockedStatus, CaKind, CardPins, CardState, HolderProfile, IssueOptions, Jlis, Office,
    default_card_path, issue_card,
};
use time::Date;
use time::macros::format_description;

/// A software My Number Card for development and tests, with its test CA and municipal office.
#[derive(Parser)]
#[command(name = "kazasu-sim", version, about)]
struct Cli {
    /// The card file (default: the card `kazasu --reader sim` uses). Its test CA lives beside it.
    #[arg(long, global = true, env = "KAZASU_SIM_CARD")]
    card: Option<PathBuf>,
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Issue a new card (refuses to replace an existing one without --force).
    New(NewArgs),
    /// Show the card: holder, certificates, PINs and tries left (it is a test card: PINs included).
    Show {
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// What only the municipal office can do.
    #[command(subcommand)]
    Office(OfficeCmd),
    /// The simulated date used for issuing, renewal and CRLs.
    #[command(subcommand)]
    Clock(ClockCmd),
    /// Serve the card to other programs: through pcscd (vpcd), libnfc (a PN532 on a pty) or TCP.
    Serve(serve::ServeArgs),
    /// Export a test CA certificate (PEM), e.g. as a trust anchor for verifiers.
    CaExport {
        #[command(flatten)]
        which: CaChoice,
        /// Output file.
        #[arg(short, long)]
        output: PathBuf,
    },
}

#[derive(Args)]
struct NewArgs {
    /// Holder's name (family and given name separated by U+3000, as on a real card).
    #[arg(long)]
    name: Option<String>,
    /// Holder's birth date (YYYY-MM-DD).
    #[arg(long, value_parser = parse_date)]
    birth: Option<Date>,
    /// Sex code: 1 male, 2 female, 9 not applicable.
    #[arg(long)]
    sex: Option<char>,
    /// Holder's address.
    #[arg(long)]
    address: Option<String>,
    /// Authentication PIN (4 digits).
    #[arg(long, default_value = "1234")]
    auth_pin: String,
    /// Signing PIN (6-16 of A-Z0-9 with a letter and a digit).
    #[arg(long, default_value = "KAZASU1")]
    sign_pin: String,
    /// Card-info PIN (4 digits).
    #[arg(long, default_value = "1234")]
    card_info_pin: String,
    /// What a blocked PIN answers: card (like a real card: 6984 to a VERIFY with a PIN, 63C0 to
    /// an empty one), 6983, 6984 or 63c0.
    #[arg(long, default_value = "card", value_parser = parse_blocked)]
    blocked_status: BlockedStatus,
    /// Token label in EF 0006 (JPKIAPGPSETOKEN: phone-embedded certificates, whose
    /// authentication certificate needs the authentication PIN).
    #[arg(long, default_value = "JPKIAPICCTOKEN2")]
    label: String,
    /// Selecting the already selected application keeps its PINs verified (default: it logs
    /// them out; what a real card does is not known).
    #[arg(long)]
    reselect_keeps_login: bool,
    /// VERIFY takes the try only after a wrong comparison (default: it is written off first, so
    /// a torn VERIFY never gives a guess back; what a real card does is not known).
    #[arg(long)]
    try_after_check: bool,
    /// Issue date (default: the simulated clock).
    #[arg(long, value_parser = parse_date)]
    issued_on: Option<Date>,
    /// Replace an existing card at the same path.
    #[arg(long)]
    force: bool,
}

#[derive(Subcommand)]
enum OfficeCmd {
    /// Reset a PIN (locked or not) to a new value with full tries.
    Unlock {
        #[command(flatten)]
        which: PinChoice,
        /// The new PIN.
        #[arg(long)]
        new_pin: String,
    },
    /// Give a locked access code its tries back: card-info-a, card-info-b, surface-birth-date,
    /// surface-a or surface-b (its value is what is printed on the card and does not change).
    ResetCode {
        /// Which code.
        #[arg(value_parser = parse_code)]
        code: PinKind,
    },
    /// Register a move: the signing certificate is revoked, the auth certificate stays.
    Move {
        #[arg(long)]
        address: String,
        #[arg(long, default_value = "")]
        address_alt: String,
    },
    /// Register a change of name (e.g. marriage): the signing certificate is revoked.
    Marry {
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "")]
        name_alt: String,
    },
    /// Issue a new signing certificate with the current holder data.
    ReissueSign,
    /// Suspend both certificates (lost card).
    Suspend,
    /// Lift a suspension.
    Resume,
    /// Revoke at the holder's request (both certificates unless one is named).
    Revoke {
        #[arg(long, conflicts_with = "auth")]
        sign: bool,
        #[arg(long)]
        auth: bool,
    },
    /// Renew the certificates (only from 3 months before expiry).
    Renew,
    /// Write both CA certificates and both current CRLs (PEM) into a directory, for verifiers:
    /// auth-ca.pem, sign-ca.pem, auth-crl.pem, sign-crl.pem.
    ExportTrust {
        /// The directory (created if missing).
        dir: PathBuf,
    },
    /// Write a CA's current CRL (DER).
    Crl {
        #[command(flatten)]
        which: CaChoice,
        #[arg(short, long)]
        output: PathBuf,
    },
}

#[derive(Subcommand)]
enum ClockCmd {
    /// Print the simulated date.
    Show,
    /// Fix the simulated date (YYYY-MM-DD).
    Set {
        #[arg(value_parser = parse_date)]
        date: Date,
    },
    /// Follow the system clock again.
    System,
}

#[derive(Args)]
#[group(required = true, multiple = false)]
struct PinChoice {
    #[arg(long)]
    auth: bool,
    #[arg(long)]
    sign: bool,
    #[arg(long)]
    card_info: bool,
}

fn parse_code(text: &str) -> Result<PinKind, String> {
    Ok(match text {
        "card-info-a" => PinKind::CardInfoCodeA,
        "card-info-b" => PinKind::CardInfoCodeB,
        "surface-birth-date" => PinKind::SurfaceBirthDate,
        "surface-a" => PinKind::SurfaceCodeA,
        "surface-b" => PinKind::SurfaceCodeB,
        other => {
            return Err(format!(
                "{other:?} is not an access code: card-info-a, card-info-b, surface-birth-date, surface-a or surface-b"
            ));
        }
    })
}

#[derive(Args)]
#[group(required = true, multiple = false)]
struct CaChoice {
    #[arg(long)]
    sign: bool,
    #[arg(long)]
    auth: bool,
}

impl CaChoice {
    fn kind(&self) -> CaKind {
        if self.sign {
            CaKind::Sign
        } else {
            CaKind::Auth
        }
    }
}

fn parse_date(s: &str) -> Result<Date, String> {
    Date::parse(s, format_description!("[year]-[month]-[day]"))
        .map_err(|e| format!("expected YYYY-MM-DD: {e}"))
}

fn parse_blocked(s: &str) -> Result<BlockedStatus, String> {
    match s.to_ascii_lowercase().replace(' ', "").as_str() {
        "card" => Ok(BlockedStatus::Card),
        "6983" => Ok(BlockedStatus::Sw6983),
        "6984" => Ok(BlockedStatus::Sw6984),
        "63c0" => Ok(BlockedStatus::Sw63C0),
        _ => Err("expected card, 6983, 6984 or 63c0".to_owned()),
    }
}

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
        Cmd::Show { json } => show(&card, json),
        Cmd::Office(cmd) => office(&card, cmd),
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

fn show(path: &Path, json: bool) -> Result<()> {
    let state = CardState::load(path)?;
    let jlis = Jlis::for_card(path)?;
    let value_of = |k: PinKind| state.expected(k).unwrap_or_else(|| state.pin(k).to_owned());
    let pins: Vec<_> = PinKind::ALL
        .iter()
        .chain(PinKind::ACCESS_CODES.iter())
        .map(|k| {
            serde_json::json!({
                "pin": k, "value": value_of(*k), "tries_left": state.tries_left(*k),
                "limit": k.retry_limit(), "blocked": state.is_blocked(*k),
            })
        })
        .collect();
    let certs: Vec<_> = [CaKind::Auth, CaKind::Sign]
        .iter()
        .map(|ca| {
            serde_json::json!({
                "certificate": ca, "serial": state.serial(*ca), "expires_on": state.cert_expires_on(*ca).to_string(),
                "status": state.cert_status(*ca), "on_crl": jlis.revocation_of(*ca, state.serial(*ca)),
            })
        })
        .collect();
    let value = serde_json::json!({
        "card": path, "holder": state.holder(), "config": state.config(),
        "issued_on": state.issued_on().to_string(), "card_expires_on": state.card_expires_on().to_string(),
        "clock": jlis.today().to_string(), "pins": pins, "certificates": certs,
        "security_code": state.security_code(),
    });
    if json {
        println!("{}", serde_json::to_string_pretty(&value)?);
        return Ok(());
    }
    let h = state.holder();
    println!("Simulated My Number Card at {}", path.display());
    println!(
        "  holder     {} ({}), born {}, sex {}",
        h.name, h.name_alt, h.birth_date, h.sex
    );
    println!("  address    {}", h.address);
    println!("  My Number  {}", h.my_number);
    println!(
        "  card valid {} .. {}",
        state.issued_on(),
        state.card_expires_on()
    );
    for ca in [CaKind::Auth, CaKind::Sign] {
        println!(
            "  {:?} certificate: serial {}, until {}, {:?}",
            ca,
            state.serial(ca),
            state.cert_expires_on(ca),
            state.cert_status(ca)
        );
    }
    println!("  security code {}", state.security_code());
    for k in PinKind::ALL.into_iter().chain(PinKind::ACCESS_CODES) {
        let lock = if state.is_blocked(k) { " LOCKED" } else { "" };
        println!(
            "  {:<28} {} ({} of {} tries left){lock}",
            k.to_string(),
            value_of(k),
            state.tries_left(k),
            k.retry_limit()
        );
    }
    println!("  simulated date {}", jlis.today());
    Ok(())
}

fn office(path: &Path, cmd: OfficeCmd) -> Result<()> {
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
