//! `kazasu sign`: a document signature with the signing key. The file is hashed first (no card
//! needed, with progress for large files), then the card verifies the PIN and signs once.

use std::fs::File;
use std::path::Path;

use anyhow::{Context, Result, bail};
use kazasu_core::cms::{self, CardSigner, DigestAlgorithm, DocumentSigner};
use kazasu_core::pdf::{SignOptions, Visible};
use kazasu_core::pin::PinKind;
use kazasu_core::{JpkiApp, KeyKind, documents};
use time::OffsetDateTime;

use crate::args::{DigestArg, SignArgs};
use crate::commands::pin::ask_jpki;
use crate::output;
use crate::progress;
use crate::prompt::PinSource;
use crate::session::CardLink;

impl From<DigestArg> for DigestAlgorithm {
    fn from(d: DigestArg) -> Self {
        match d {
            DigestArg::Sha256 => DigestAlgorithm::Sha256,
            DigestArg::Sha384 => DigestAlgorithm::Sha384,
            DigestArg::Sha512 => DigestAlgorithm::Sha512,
        }
    }
}

/// Whether the file starts like a PDF.
pub fn looks_like_pdf(path: &Path) -> Result<bool> {
    documents::is_pdf_file(path).with_context(|| format!("reading {}", path.display()))
}

pub fn run(link: &mut CardLink, args: &SignArgs, json: bool) -> Result<()> {
    let algorithm = DigestAlgorithm::from(args.digest);
    let as_pdf = !args.detached && (args.pdf || looks_like_pdf(&args.file)?);
    if args.visible.is_some() && !as_pdf {
        bail!("--visible needs a PDF");
    }
    let out = args
        .output
        .clone()
        .unwrap_or_else(|| documents::signed_output_path(&args.file, as_pdf));
    if out == args.file {
        bail!("the output would replace the document itself; choose another name with -o");
    }
    let signing_time = OffsetDateTime::now_utc();

    // All the work that needs no card comes first: a missing or huge file costs no PIN prompt,
    // and the card only has to stay on the reader for the PIN and one signature.
    enum Prepared {
        Detached(Vec<u8>),
        Pdf(Vec<u8>),
    }
    let prepared = if as_pdf {
        let bytes = std::fs::read(&args.file)
            .with_context(|| format!("reading {}", args.file.display()))?;
        kazasu_core::pdf::prepare(&bytes, &SignOptions::default())
            .with_context(|| format!("{} cannot be signed as a PDF", args.file.display()))?;
        Prepared::Pdf(bytes)
    } else {
        let file =
            File::open(&args.file).with_context(|| format!("opening {}", args.file.display()))?;
        let size = file.metadata().map(|m| m.len()).unwrap_or(0);
        let bar = progress::bar(size, "hashing");
        let digest = cms::digest_reader(algorithm, file, |n| bar.set_position(n))
            .with_context(|| format!("reading {}", args.file.display()))?;
        bar.finish_and_clear();
        Prepared::Detached(digest)
    };

    let mut app = JpkiApp::select(&mut *link)?;
    let mut source = PinSource::new(args.pin.pin_stdin);
    let pin = ask_jpki(&mut app, PinKind::Sign, &mut source)?;
    let mut signer = CardSigner::with_app(app, KeyKind::Sign, &pin)?;
    let signer_name = signer.certificate().signer_name();
    let written = match prepared {
        Prepared::Detached(digest) => {
            documents::sign_digest_detached(&mut signer, algorithm, digest, signing_time)?
        }
        Prepared::Pdf(bytes) => {
            let options = SignOptions {
                reason: args.reason.clone(),
                location: args.location.clone(),
                signing_time,
                visible: args.visible.as_ref().map(|v| Visible {
                    page: v.page,
                    rect: v.rect,
                    lines: documents::stamp_lines(signer.certificate(), signing_time),
                }),
                ..SignOptions::default()
            };
            documents::sign_pdf(&mut signer, &bytes, algorithm, &options)?
        }
    };
    output::write_atomically(&out, &written)?;

    if json {
        output::json(&serde_json::json!({
            "file": args.file,
            "output": out,
            "format": if as_pdf { "pades" } else { "cades-detached" },
            "digest": algorithm,
            "signer": signer_name,
            "signing_time": signing_time.format(&time::format_description::well_known::Rfc3339)?,
        }))
    } else {
        println!(
            "Signed {} as {signer_name} ({}); {} written to {}",
            args.file.display(),
            algorithm,
            if as_pdf { "signed PDF" } else { "signature" },
            out.display()
        );
        Ok(())
    }
}
