//! Reads `--tsa`, `--tsa-trust`, `--crl` and `--ocsp` into the core's [`LongTermSources`].

use anyhow::{Context, Result};
use kazasu_core::cms::TrustStore;
use kazasu_core::documents::LongTermSources;

use crate::args::SourceArgs;

/// The sources the person gave; files are read here, nothing is fetched yet.
pub fn read(args: &SourceArgs) -> Result<LongTermSources> {
    let mut tsa_trust = TrustStore::new();
    for path in &args.tsa_trust {
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        tsa_trust
            .add_anchors(&bytes)
            .with_context(|| format!("{} holds no usable CA certificate", path.display()))?;
    }
    let crls = args
        .crls
        .iter()
        .map(|source| super::crl::read(source))
        .collect::<Result<Vec<_>>>()?;
    Ok(LongTermSources {
        tsa_url: args.tsa.clone(),
        tsa_trust,
        crls,
        ocsp_url: args.ocsp.clone(),
    })
}
