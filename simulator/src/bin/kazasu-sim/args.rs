//! `kazasu-sim`'s command line, as clap sees it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use kazasu_core::pin::PinKind;
use kazasu_sim::{BlockedStatus, CaKind};
use time::Date;
use time::macros::format_description;

/// A software My Number Card for development and tests, with its test CA and municipal office.
#[derive(Parser)]
#[command(name = "kazasu-sim", version, about)]
pub(crate) struct Cli {
    /// The card file (default: the card `kazasu --reader sim` uses). Its test CA lives beside it.
    #[arg(long, global = true, env = "KAZASU_SIM_CARD")]
    pub(crate) card: Option<PathBuf>,
    #[command(subcommand)]
    pub(crate) command: Cmd,
}

#[derive(Subcommand)]
pub(crate) enum Cmd {
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
    Serve(crate::serve::ServeArgs),
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
pub(crate) struct NewArgs {
    /// Holder's name (family and given name separated by U+3000, as on a real card).
    #[arg(long)]
    pub(crate) name: Option<String>,
    /// Holder's birth date (YYYY-MM-DD).
    #[arg(long, value_parser = parse_date)]
    pub(crate) birth: Option<Date>,
    /// Sex code: 1 male, 2 female, 9 not applicable.
    #[arg(long)]
    pub(crate) sex: Option<char>,
    /// Holder's address.
    #[arg(long)]
    pub(crate) address: Option<String>,
    /// Authentication PIN (4 digits).
    #[arg(long, default_value = "1234")]
    pub(crate) auth_pin: String,
    /// Signing PIN (6-16 of A-Z0-9 with a letter and a digit).
    #[arg(long, default_value = "KAZASU1")]
    pub(crate) sign_pin: String,
    /// Card-info PIN (4 digits).
    #[arg(long, default_value = "1234")]
    pub(crate) card_info_pin: String,
    /// What a blocked PIN answers: card (like a real card: 6984 to a VERIFY with a PIN, 63C0 to
    /// an empty one), 6983, 6984 or 63c0.
    #[arg(long, default_value = "card", value_parser = parse_blocked)]
    pub(crate) blocked_status: BlockedStatus,
    /// Token label in EF 0006 (JPKIAPGPSETOKEN: phone-embedded certificates, whose
    /// authentication certificate needs the authentication PIN).
    #[arg(long, default_value = "JPKIAPICCTOKEN2")]
    pub(crate) label: String,
    /// Selecting the already selected application keeps its PINs verified (default: it logs
    /// them out; what a real card does is not known).
    #[arg(long)]
    pub(crate) reselect_keeps_login: bool,
    /// VERIFY takes the try only after a wrong comparison (default: it is written off first, so
    /// a torn VERIFY never gives a guess back; what a real card does is not known).
    #[arg(long)]
    pub(crate) try_after_check: bool,
    /// Issue date (default: the simulated clock).
    #[arg(long, value_parser = parse_date)]
    pub(crate) issued_on: Option<Date>,
    /// Replace an existing card at the same path.
    #[arg(long)]
    pub(crate) force: bool,
}

#[derive(Subcommand)]
pub(crate) enum OfficeCmd {
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
    /// Write what `openssl ocsp` needs to answer for both CAs into a directory: each CA's
    /// certificate, its delegated responder's certificate and key, and an index.txt of this
    /// card's certificates and every revocation (auth-ocsp.pem, auth-ocsp-key.pem,
    /// auth-index.txt, and the same for sign). Write it again after an office act.
    ExportOcsp {
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
pub(crate) enum ClockCmd {
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
pub(crate) struct PinChoice {
    #[arg(long)]
    pub(crate) auth: bool,
    #[arg(long)]
    pub(crate) sign: bool,
    #[arg(long)]
    pub(crate) card_info: bool,
}

pub(crate) fn parse_code(text: &str) -> Result<PinKind, String> {
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
pub(crate) struct CaChoice {
    #[arg(long)]
    pub(crate) sign: bool,
    #[arg(long)]
    pub(crate) auth: bool,
}

impl CaChoice {
    pub(crate) fn kind(&self) -> CaKind {
        if self.sign {
            CaKind::Sign
        } else {
            CaKind::Auth
        }
    }
}

pub(crate) fn parse_date(s: &str) -> Result<Date, String> {
    Date::parse(s, format_description!("[year]-[month]-[day]"))
        .map_err(|e| format!("expected YYYY-MM-DD: {e}"))
}

pub(crate) fn parse_blocked(s: &str) -> Result<BlockedStatus, String> {
    match s.to_ascii_lowercase().replace(' ', "").as_str() {
        "card" => Ok(BlockedStatus::Card),
        "6983" => Ok(BlockedStatus::Sw6983),
        "6984" => Ok(BlockedStatus::Sw6984),
        "63c0" => Ok(BlockedStatus::Sw63C0),
        _ => Err("expected card, 6983, 6984 or 63c0".to_owned()),
    }
}
