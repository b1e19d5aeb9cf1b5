//! `--crl` sources: a file (PEM or DER), or an `http://` / `https://` URL fetched once.

use std::io::Read;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result, bail};

/// The largest CRL downloaded: J-LIS CRLs are a few MB; more is refused, never truncated.
pub const MAX_CRL_DOWNLOAD: usize = 32 * 1024 * 1024;
/// How long connecting to a CRL server may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a whole download may take.
pub const DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(60);

/// The bytes of the CRL `source` names: read from a file, or downloaded from a URL.
pub fn read(source: &Path) -> Result<Vec<u8>> {
    let text = source.to_string_lossy();
    if !(text.starts_with("http://") || text.starts_with("https://")) {
        return std::fs::read(source).with_context(|| format!("reading {}", source.display()));
    }
    let agent = ureq::AgentBuilder::new()
        .timeout_connect(CONNECT_TIMEOUT)
        .timeout(DOWNLOAD_TIMEOUT)
        .build();
    let response = agent
        .get(&text)
        .call()
        .with_context(|| format!("downloading the CRL {text}"))?;
    let mut bytes = Vec::new();
    response
        .into_reader()
        .take(MAX_CRL_DOWNLOAD as u64 + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("downloading the CRL {text}"))?;
    if bytes.len() > MAX_CRL_DOWNLOAD {
        bail!("the CRL at {text} is larger than the {MAX_CRL_DOWNLOAD} bytes Kazasu downloads");
    }
    Ok(bytes)
}
