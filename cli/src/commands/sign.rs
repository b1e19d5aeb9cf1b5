//! `kazasu sign-raw`: the card signs a file's SHA-256 digest; the signature is checked before it is written.

use std::fs::File;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use kazasu_core::KeyKind;
use kazasu_core::cms::DigestAlgorithm;
use kazasu_core::flows::PinGate;
use kazasu_core::pin::PinKind;

use crate::args::{KeyArg, PinInput};
use crate::commands::pin::ask;
use crate::output;
use crate::prompt::PinSource;
use crate::session::CardLink;

pub fn run(
    link: &mut CardLink,
    key: KeyArg,
    file: &Path,
    output_path: Option<&Path>,
    input: PinInput,
    json: bool,
) -> Result<()> {
    let (key, pin_kind) = match key {
        KeyArg::Auth => (KeyKind::Auth, PinKind::Auth),
        KeyArg::Sign => (KeyKind::Sign, PinKind::Sign),
    };
    // Hash first: a missing file must not cost the person a PIN prompt, let alone a try.
    let digest = sha256_file(file)?;
    let out: PathBuf = match output_path {
        Some(p) => p.to_owned(),
        None => {
            let mut name = file.as_os_str().to_owned();
            name.push(".sig");
            PathBuf::from(name)
        }
    };

    let mut gate = PinGate::open(&mut *link, pin_kind)?;
    let pin = ask(&gate, &mut PinSource::new(input.pin_stdin))?;
    gate.verify(&pin)?;
    // The core checks the card's signature against the certificate before returning it.
    let signature = gate.jpki_app()?.sign_sha256(key, &digest)?;
    output::write_atomically(&out, &signature)?;

    if json {
        output::json(&serde_json::json!({
            "file": file,
            "sha256": hex::encode(digest),
            "signature_file": out,
            "signature_bytes": signature.len(),
        }))
    } else {
        println!(
            "Signed {} (SHA-256 {}); signature checked against the certificate and written to {}",
            file.display(),
            hex::encode(digest),
            out.display()
        );
        Ok(())
    }
}

/// Hashes a file as a stream: constant memory whatever its size.
fn sha256_file(path: &Path) -> Result<[u8; 32]> {
    let file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let digest = kazasu_core::cms::digest_reader(DigestAlgorithm::Sha256, file, |_| {})
        .with_context(|| format!("reading {}", path.display()))?;
    digest
        .try_into()
        .map_err(|_| anyhow::anyhow!("SHA-256 gave a digest of the wrong length"))
}
