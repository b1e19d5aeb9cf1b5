//! The command line, as clap sees it.

use std::path::PathBuf;
use std::str::FromStr;

use clap::{Args, Parser, Subcommand, ValueEnum};
use kazasu_core::documents::Profile;
use kazasu_core::pin::PinKind;

use crate::reader::ReaderSpec;

/// Use the Japanese My Number Card from the command line: certificates, PINs, signatures.
#[derive(Debug, Parser)]
#[command(name = "kazasu", version, about, long_about = None)]
pub struct Cli {
    /// Where the card is: auto (the PC/SC reader with a card), pcsc[:NAME|INDEX],
    /// nfc[:CONNSTRING] (libnfc, e.g. nfc:pn532_uart:/dev/ttyUSB0), tcp:HOST:PORT
    /// (`kazasu-sim serve --tcp`), sim or sim:PATH (the built-in test card).
    #[arg(long, global = true, default_value = "auto", env = "KAZASU_READER")]
    pub reader: ReaderSpec,

    /// Wait this many seconds for the card to be put on the reader.
    #[arg(long, global = true, default_value_t = 0, value_name = "SECONDS")]
    pub wait: u64,

    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,

    /// Report how many APDUs and bytes the command exchanged with the card.
    #[arg(long, global = true)]
    pub trace: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the PC/SC readers and whether a card is on them (libnfc and TCP readers are named with --reader).
    Readers,
    /// Token kind, certificates with expiry and renewal status, tries left on every PIN.
    Status {
        /// Judge expiry and renewal as of this date (YYYY-MM-DD) instead of today.
        #[arg(long, value_parser = crate::output::parse_date)]
        at: Option<time::Date>,
    },
    /// Show or export the certificates on the card.
    #[command(subcommand)]
    Cert(CertCommand),
    /// Tries left, verify and change PINs.
    #[command(subcommand)]
    Pin(PinCommand),
    /// My Number and the four basic facts (name, address, birth date, sex), and whether the card
    /// is genuine; needs the card-info PIN, or code A (My Number only) or code B (facts only).
    CardInfo(CardInfoArgs),
    /// The card's face as the chip stores it: photo, images of name, address and security code,
    /// birth date, sex, expiry (card-surface application; code A or code B).
    CardSurface(CardSurfaceArgs),
    /// Sign a document with the signing key: a detached CAdES signature (FILE.p7s), or for a PDF a
    /// PAdES signature inside a copy of it (FILE-signed.pdf).
    Sign(SignArgs),
    /// Renew a PAdES B-LTA PDF's archive timestamp before the last one's TSA certificate expires:
    /// adds that TSA's validation data and a new document timestamp over everything. Needs no card.
    Extend(ExtendArgs),
    /// Check a document's signature: the document, the signer's certificate, its CA, its
    /// validity when it signed, its key usage and, with --crl, revocation. Needs no card.
    Verify(VerifyArgs),
    /// Log in to a service: its address (a new challenge is asked for) or a challenge URL shown as a
    /// QR code by its login page. The card signs with the authentication key (4-digit PIN).
    Login(LoginArgs),
    /// Sign a file's SHA-256 digest with one of the card's keys (raw PKCS#1 v1.5 signature).
    SignRaw {
        /// Which key signs.
        #[arg(long, value_enum)]
        key: KeyArg,
        /// The file to sign.
        file: PathBuf,
        /// Where to write the 256-byte signature (default: FILE.sig).
        #[arg(short, long)]
        output: Option<PathBuf>,
        #[command(flatten)]
        pin: PinInput,
    },
}

#[derive(Debug, Args)]
pub struct CardInfoArgs {
    /// Open My Number with code A (the 12-digit My Number) instead of the card-info PIN.
    #[arg(long, conflicts_with = "code_b")]
    pub code_a: bool,
    /// Open the four basic facts with code B (birth date YYMMDD in the Japanese era, the card's
    /// expiry year YYYY, its 4-digit security code) instead of the card-info PIN.
    #[arg(long)]
    pub code_b: bool,
    #[command(flatten)]
    pub pin: PinInput,
}

impl CardInfoArgs {
    /// The secret asked for.
    pub fn kind(&self) -> PinKind {
        match (self.code_a, self.code_b) {
            (true, _) => PinKind::CardInfoCodeA,
            (_, true) => PinKind::CardInfoCodeB,
            _ => PinKind::CardInfo,
        }
    }
}

#[derive(Debug, Args)]
pub struct CardSurfaceArgs {
    /// Open the face with code B (era birth date YYMMDD, expiry year YYYY, security code)
    /// instead of code A (the My Number; it also opens the My Number image).
    #[arg(long)]
    pub code_b: bool,
    /// The folder the images are written to (created if missing; existing images replaced).
    #[arg(short, long, default_value = "card-surface")]
    pub output: PathBuf,
    #[command(flatten)]
    pub pin: PinInput,
}

#[derive(Debug, Args)]
pub struct SignArgs {
    /// The document.
    pub file: PathBuf,
    /// Where to write the signature or the signed PDF (default: FILE.p7s, or FILE-signed.pdf).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Sign as a PDF (the default for files that start with %PDF).
    #[arg(long, conflicts_with = "detached")]
    pub pdf: bool,
    /// Make a detached .p7s signature even for a PDF.
    #[arg(long)]
    pub detached: bool,
    /// Show the signature on a page: PAGE:X1,Y1,X2,Y2 in points from the bottom left (e.g. 1:36,36,236,96).
    #[arg(long, value_name = "PAGE:X1,Y1,X2,Y2")]
    pub visible: Option<VisibleSpec>,
    /// The PDF signature field: fills the empty signature field of that name the author placed,
    /// or names the new field.
    #[arg(long, value_name = "NAME")]
    pub field: Option<String>,
    /// The reason written into a PDF signature.
    #[arg(long)]
    pub reason: Option<String>,
    /// The place written into a PDF signature.
    #[arg(long)]
    pub location: Option<String>,
    /// Digest algorithm.
    #[arg(long, value_enum, default_value = "sha256")]
    pub digest: DigestArg,
    /// How long the signature keeps its proof: pades-b (PDF default), pades-b-t, pades-b-lt,
    /// pades-b-lta, government (adbe.pkcs7.detached, no timestamp), cades-b (default for other
    /// files), cades-t, cades-lt. See the README for which to use where.
    #[arg(long, value_parser = parse_profile, value_name = "PROFILE")]
    pub profile: Option<Profile>,
    #[command(flatten)]
    pub sources: SourceArgs,
    #[command(flatten)]
    pub pin: PinInput,
}

/// Where timestamps and revocation data come from (profiles -t, -lt, -lta, and `extend`).
#[derive(Debug, Args)]
pub struct SourceArgs {
    /// The time-stamping authority (RFC 3161 over HTTP), e.g. http://tsa.example.jp/tsa.
    #[arg(long, value_name = "URL")]
    pub tsa: Option<String>,
    /// The CA certificate(s) of trusted time-stamping authorities (PEM or DER; repeatable).
    #[arg(long, value_name = "PEM")]
    pub tsa_trust: Vec<PathBuf>,
    /// CRLs to embed as validation data, the signing CA's and the TSA CA's: files (PEM or DER)
    /// or http(s) URLs; repeatable.
    #[arg(long = "crl", value_name = "CRL")]
    pub crls: Vec<PathBuf>,
    /// An OCSP responder to ask about the signing certificate (JPKI signing certificates name none).
    #[arg(long = "ocsp", value_name = "URL")]
    pub ocsp: Option<String>,
}

/// Arguments of `kazasu extend`.
#[derive(Debug, Args)]
pub struct ExtendArgs {
    /// A PAdES B-LTA PDF.
    pub file: PathBuf,
    /// Where to write the renewed PDF (default: replace FILE, atomically).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub sources: SourceArgs,
}

fn parse_profile(name: &str) -> Result<Profile, String> {
    Profile::from_name(name).ok_or_else(|| {
        let names: Vec<&str> = Profile::ALL.iter().map(|p| p.name()).collect();
        format!(
            "unknown profile {name:?}; choose one of {}",
            names.join(", ")
        )
    })
}

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// The service (`https://login.example.jp`) or a challenge URL (`…/v1/login/challenge/NONCE`).
    pub url: String,
    /// Also bind this computer: a device key is made and kept, so that `--device` logs in later without the card.
    #[arg(long, conflicts_with = "device")]
    pub bind_device: bool,
    /// Log in with the device key bound earlier (no card; high-assurance operations still need the card).
    #[arg(long)]
    pub device: bool,
    /// With --device, when several cards were bound to this service here: the card's
    /// authentication certificate serial (hex) to log in as.
    #[arg(long, requires = "device", value_name = "SERIAL")]
    pub account: Option<String>,
    /// Also prove, with the signing PIN, that this card's holder is the person the service's
    /// account was opened for: a renewed certificate or a reissued card keeps the account (the
    /// service learns a keyed hash of the name and birth date, not them).
    #[arg(long, conflicts_with = "device")]
    pub link: bool,
    #[command(flatten)]
    pub pin: PinInput,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The document (a signed PDF, or the file a detached signature is for).
    pub file: PathBuf,
    /// The detached signature (default: FILE.p7s when FILE is not a PDF).
    #[arg(long)]
    pub signature: Option<PathBuf>,
    /// Trusted CA certificates besides the built-in J-LIS signing roots (PEM or DER; repeat for
    /// several CA generations), e.g. a test CA.
    #[arg(long, value_name = "PEM", required_if_eq("no_default_trust", "true"))]
    pub trust: Vec<PathBuf>,
    /// Do not trust the J-LIS signing roots built into Kazasu (2015, 2019, 2023): only --trust.
    #[arg(long)]
    pub no_default_trust: bool,
    /// CRLs to check revocation against: files (PEM or DER) or http(s) URLs; repeatable.
    #[arg(long, value_name = "CRL")]
    pub crl: Vec<PathBuf>,
    /// Ask this OCSP responder whether each signer's certificate is revoked (beside any --crl).
    /// An unreachable responder or an unusable answer is an error, never "not revoked".
    #[arg(long, value_name = "URL")]
    pub ocsp: Option<String>,
    /// Ask the OCSP responder each signer's certificate names (its authority information
    /// access). No responder is asked unless this or --ocsp is given.
    #[arg(long, conflicts_with = "ocsp")]
    pub ocsp_from_certificate: bool,
    /// CA certificates of trusted time-stamping authorities (PEM or DER; repeatable). Only
    /// timestamps from these prove when a document was signed.
    #[arg(long, value_name = "PEM")]
    pub tsa_trust: Vec<PathBuf>,
    /// Judge as of this time (RFC 3339, e.g. 2031-04-01T00:00:00Z) instead of now: what a
    /// recipient will see then, once certificates have expired.
    #[arg(long, value_name = "TIME", value_parser = parse_rfc3339)]
    pub at: Option<time::OffsetDateTime>,
}

fn parse_rfc3339(text: &str) -> Result<time::OffsetDateTime, String> {
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .map_err(|e| format!("not an RFC 3339 time ({e}); e.g. 2031-04-01T00:00:00Z"))
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DigestArg {
    Sha256,
    Sha384,
    Sha512,
}

#[derive(Debug, Subcommand)]
pub enum CertCommand {
    /// Subject, issuer, serial, validity and, for the signing certificate, the holder's attributes.
    Show {
        #[arg(value_enum)]
        which: CertArg,
        #[command(flatten)]
        pin: PinInput,
    },
    /// Write a certificate as PEM (default) or DER.
    Export {
        #[arg(value_enum)]
        which: CertArg,
        /// DER instead of PEM.
        #[arg(long)]
        der: bool,
        /// Output file (default: standard output).
        #[arg(short, long)]
        output: Option<PathBuf>,
        #[command(flatten)]
        pin: PinInput,
    },
}

#[derive(Debug, Subcommand)]
pub enum PinCommand {
    /// Tries left on every PIN (costs no try).
    Status,
    /// Check a PIN against the card (a wrong PIN costs a try).
    Verify {
        #[command(flatten)]
        which: PinChoice,
        #[command(flatten)]
        pin: PinInput,
    },
    /// Change a PIN, knowing the current one.
    Change {
        #[command(flatten)]
        which: PinChoice,
        #[command(flatten)]
        pin: PinInput,
    },
}

/// Exactly one of `--auth`, `--sign`, `--card-info`.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct PinChoice {
    /// The 4-digit user-authentication PIN.
    #[arg(long)]
    pub auth: bool,
    /// The signing PIN (6-16 of A-Z and 0-9).
    #[arg(long)]
    pub sign: bool,
    /// The 4-digit card-info PIN.
    #[arg(long)]
    pub card_info: bool,
}

impl PinChoice {
    pub fn kind(&self) -> PinKind {
        if self.sign {
            PinKind::Sign
        } else if self.card_info {
            PinKind::CardInfo
        } else {
            PinKind::Auth
        }
    }
}

/// How PINs reach the program: typed at a prompt without echo, or one per line on stdin.
#[derive(Debug, Args, Clone, Copy)]
pub struct PinInput {
    /// Read PINs from standard input, one per line (for scripts), instead of prompting.
    #[arg(long)]
    pub pin_stdin: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CertArg {
    /// User-authentication certificate.
    Auth,
    /// Signing certificate (needs the signing PIN).
    Sign,
    /// CA certificate for authentication.
    AuthCa,
    /// CA certificate for signing.
    SignCa,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum KeyArg {
    /// User-authentication key (4-digit PIN).
    Auth,
    /// Signing key (signing PIN).
    Sign,
}

/// `--visible PAGE:X1,Y1,X2,Y2`.
#[derive(Debug, Clone, PartialEq)]
pub struct VisibleSpec {
    /// The page, counted from 1.
    pub page: usize,
    /// X1, Y1, X2, Y2 in points from the bottom left.
    pub rect: [f32; 4],
}

impl FromStr for VisibleSpec {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let usage = || format!("{s:?}: expected PAGE:X1,Y1,X2,Y2, e.g. 1:36,36,236,96");
        let (page, rect) = s.split_once(':').ok_or_else(usage)?;
        let page: usize = page.parse().map_err(|_| usage())?;
        let nums: Vec<f32> = rect
            .split(',')
            .map(|n| n.trim().parse::<f32>())
            .collect::<Result<_, _>>()
            .map_err(|_| usage())?;
        let [x1, y1, x2, y2] = nums[..] else {
            return Err(usage());
        };
        if page == 0 || x2 <= x1 || y2 <= y1 {
            return Err(format!("{s:?}: pages count from 1, and X2 > X1, Y2 > Y1"));
        }
        Ok(VisibleSpec {
            page,
            rect: [x1, y1, x2, y2],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visible_specs_parse_and_reject_nonsense() {
        assert_eq!(
            "1:36,36,236,96".parse::<VisibleSpec>().unwrap(),
            VisibleSpec {
                page: 1,
                rect: [36.0, 36.0, 236.0, 96.0]
            }
        );
        for bad in ["", "1", "0:1,1,2,2", "1:1,1,2", "1:5,5,1,1", "x:1,1,2,2"] {
            assert!(bad.parse::<VisibleSpec>().is_err(), "{bad}");
        }
    }
}
