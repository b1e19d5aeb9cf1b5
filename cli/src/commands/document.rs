//! `kazasu sign`: a document signature with the signing key. The core's prepared document does
//! the work (file first with progress, then the PIN and one signature); this file asks and shows.

use anyhow::Result;
use kazasu_core::cms::DigestAlgorithm;
use kazasu_core::documents::{
    self, Placement, PreparedDocument, SignAs, SignSettings, SignatureKind,
};
use kazasu_core::flows::PinGate;
use kazasu_core::pin::PinKind;
use time::OffsetDateTime;

use crate::args::{DigestArg, SignArgs};
use crate::commands::pin::ask;
use crate::commands::sources;
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

pub fn run(link: &mut CardLink, args: &SignArgs, json: bool) -> Result<()> {
    let settings = SignSettings {
        sign_as: match (args.pdf, args.detached) {
            (true, _) => SignAs::Pdf,
            (_, true) => SignAs::Detached,
            _ => SignAs::Auto,
        },
        algorithm: args.digest.into(),
        visible: args.visible.as_ref().map(|v| Placement {
            page: v.page,
            rect: v.rect,
        }),
        reason: args.reason.clone(),
        location: args.location.clone(),
        profile: args.profile,
        field: args.field.clone(),
        sources: sources::read(&args.sources)?,
    };
    // No card yet: a missing, huge or unsignable file costs no PIN prompt.
    let mut bar = None;
    let prepared = PreparedDocument::open(&args.file, &settings, |done, total| {
        bar.get_or_insert_with(|| progress::bar(total, "hashing"))
            .set_position(done);
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let prepared = prepared?;
    let out = args
        .output
        .clone()
        .unwrap_or_else(|| prepared.default_output());
    prepared.check_output(&out)?;

    let gate = PinGate::open(&mut *link, PinKind::Sign)?;
    let pin = ask(&gate, &mut PinSource::new(args.pin.pin_stdin))?;
    let signed = prepared.sign(gate, &pin, OffsetDateTime::now_utc())?;
    documents::write_file(&out, &signed.bytes, true)?;

    let pdf = signed.format == SignatureKind::Pades;
    if json {
        output::json(&serde_json::json!({
            "file": args.file,
            "output": out,
            "format": if pdf { "pades" } else { "cades-detached" },
            "profile": signed.profile,
            "digest": signed.algorithm,
            "signer": signed.signer,
            "signing_time": signed.signing_time.format(&time::format_description::well_known::Rfc3339)?,
        }))
    } else {
        println!(
            "Signed {} as {} ({}, {}); {} written to {}",
            args.file.display(),
            signed.signer,
            signed.algorithm,
            signed.profile,
            if pdf { "signed PDF" } else { "signature" },
            out.display()
        );
        Ok(())
    }
}
