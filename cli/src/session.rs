//! Opening the card named by `--reader`, counted by a `Traced` transport.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use kazasu_core::transport::{Traced, Transport};

use crate::reader::ReaderSpec;

/// The transport every command talks through: any reader, with APDUs and bytes counted for `--trace`.
pub type CardLink = Traced<Box<dyn Transport>>;

/// Connects to the card `spec` names.
///
/// `sim` (no path) creates a simulated card in the user's data directory on first use, so a new user
/// can try every command at once; `sim:PATH` must already exist, so a typo never silently makes a new card.
pub fn open(spec: &ReaderSpec) -> Result<CardLink> {
    match spec {
        ReaderSpec::Sim(path) => {
            let path = match path {
                Some(path) => {
                    if !path.exists() {
                        bail!(
                            "no simulated card at {}: create one with `kazasu-sim new --card {}`",
                            path.display(),
                            path.display()
                        );
                    }
                    path.clone()
                }
                None => default_sim_card()?,
            };
            let sim = kazasu_sim::SimTransport::open(&path)
                .with_context(|| format!("opening the simulated card at {}", path.display()))?;
            Ok(Traced::new(Box::new(sim) as Box<dyn Transport>))
        }
    }
}

fn default_sim_card() -> Result<PathBuf> {
    let path = kazasu_sim::default_card_path().context("finding your data directory")?;
    let created = kazasu_sim::ensure_card(&path)
        .with_context(|| format!("creating a simulated card at {}", path.display()))?;
    if created {
        eprintln!(
            "note: created a simulated My Number Card at {} (see `kazasu-sim show` for its test PINs)",
            path.display()
        );
    }
    Ok(path)
}
