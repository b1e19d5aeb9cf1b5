//! `kazasu extend`: renews a PAdES B-LTA PDF's archive timestamp. Needs no card.

use anyhow::{Context, Result};
use kazasu_core::documents;
use time::OffsetDateTime;

use crate::args::ExtendArgs;
use crate::commands::sources;
use crate::output;

pub fn run(args: &ExtendArgs, json: bool) -> Result<()> {
    let sources = sources::read(&args.sources)?;
    let bytes =
        std::fs::read(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    let renewed = documents::extend(&bytes, &sources, OffsetDateTime::now_utc())?;
    let out = args.output.clone().unwrap_or_else(|| args.file.clone());
    // Written whole to a temporary file and renamed: the archive is never left half-written.
    documents::write_file(&out, &renewed, true)?;
    if json {
        output::json(&serde_json::json!({
            "file": args.file,
            "output": out,
            "added_bytes": renewed.len() - bytes.len(),
        }))
    } else {
        println!(
            "Added a document timestamp to {}; written to {}",
            args.file.display(),
            out.display()
        );
        Ok(())
    }
}
