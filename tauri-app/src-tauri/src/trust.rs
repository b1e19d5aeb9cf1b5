//! The CA certificates and CRLs this computer trusts, for checking what was just signed.
//!
//! They live in one folder: `KAZASU_TRUST_DIR`, or `trust/` in the app's data folder. Every file
//! there with `CERTIFICATE` blocks is a trust anchor and every one with `X509 CRL` blocks a CRL
//! (PEM or DER), as `kazasu-sim office export-trust DIR` writes them for the test CA.

use std::path::{Path, PathBuf};

use kazasu_core::cms::TrustStore;

/// Where the trusted CAs are looked for.
#[derive(Debug, Clone, Default)]
pub struct TrustDir(pub Option<PathBuf>);

impl TrustDir {
    /// `KAZASU_TRUST_DIR` when set, else `default`.
    pub fn from_env_or(default: Option<PathBuf>) -> TrustDir {
        TrustDir(
            std::env::var_os("KAZASU_TRUST_DIR")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
                .or(default),
        )
    }

    /// The folder, for display.
    pub fn path(&self) -> Option<&Path> {
        self.0.as_deref()
    }

    /// Reads the folder afresh (a renewed CRL is seen at once). A missing folder is an empty store;
    /// an unreadable file is skipped with a warning, never trusted by accident.
    pub fn load(&self) -> TrustStore {
        let mut store = TrustStore::new();
        let Some(dir) = &self.0 else { return store };
        let Ok(entries) = std::fs::read_dir(dir) else {
            return store;
        };
        let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        for path in paths.iter().filter(|p| p.is_file()) {
            let Ok(bytes) = std::fs::read(path) else {
                continue;
            };
            if store.add_anchors(&bytes).is_err() && store.add_crls(&bytes).is_err() {
                tracing::warn!(file = %path.display(), "neither a CA certificate nor a CRL: ignored");
            }
        }
        store
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_folder_trusts_nothing() {
        assert!(TrustDir(None).load().anchors().is_empty());
        let missing = TrustDir(Some("/nonexistent/kazasu-trust".into()));
        assert!(missing.load().anchors().is_empty());
    }

    #[test]
    fn garbage_files_are_not_trusted() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("notes.txt"), "hello").unwrap();
        assert!(
            TrustDir(Some(dir.path().into()))
                .load()
                .anchors()
                .is_empty()
        );
    }
}
