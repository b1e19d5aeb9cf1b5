//! The CA certificates and CRLs this computer trusts, for checking what was just signed, and the
//! time-stamping authority the long-term signing profiles use.
//!
//! They live in one folder: `KAZASU_TRUST_DIR`, or `trust/` in the app's data folder. Every file
//! there with `CERTIFICATE` blocks is a trust anchor and every one with `X509 CRL` blocks a CRL
//! (PEM or DER), as `kazasu-sim office export-trust DIR` writes them for the test CA. The CRLs
//! there are also what a long-term signature embeds as the signer's revocation data.
//!
//! The timestamp service is set in the same folder, never guessed: [`TSA_SETTINGS`] (`tsa.toml`)
//! holds its URL (`url = "https://tsa.example.jp/tsa"`), and the [`TSA_FOLDER`] sub-folder
//! (`tsa/`) the CA certificates trusted for its timestamps (and CRLs of those CAs).

use std::io::Read;
use std::path::{Path, PathBuf};

use kazasu_core::cms::TrustStore;
use kazasu_core::documents::LongTermSources;
use serde::Deserialize;

use crate::error::AppError;

/// The file in the trust folder that names the time-stamping authority.
pub const TSA_SETTINGS: &str = "tsa.toml";
/// The sub-folder of the trust folder holding the CAs trusted for timestamps.
pub const TSA_FOLDER: &str = "tsa";
/// The largest `tsa.toml` read: a URL and a few comments.
pub const MAX_TSA_SETTINGS_BYTES: u64 = 16 * 1024;
/// The longest TSA URL accepted.
pub const MAX_TSA_URL_CHARS: usize = 2048;
/// The largest certificate or CRL file read from the trust folder (a national CA's full CRL is
/// tens of megabytes at most); larger files are skipped with a warning.
pub const MAX_TRUST_FILE_BYTES: u64 = 64 * 1024 * 1024;
/// The most files read from one folder; the rest are skipped with a warning.
pub const MAX_TRUST_FILES: usize = 256;

/// Where the trusted CAs are looked for.
#[derive(Debug, Clone, Default)]
pub struct TrustDir(pub Option<PathBuf>);

/// A `tsa.toml` that cannot be used. Signing with a timestamp is then refused (never sent to
/// another TSA), and the sign screen says why.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// The file exists but cannot be read.
    #[error("reading {path}: {source}")]
    Read {
        /// The settings file.
        path: PathBuf,
        /// What the file system said.
        source: std::io::Error,
    },
    /// The file is larger than [`MAX_TSA_SETTINGS_BYTES`].
    #[error("{path} is larger than {MAX_TSA_SETTINGS_BYTES} bytes")]
    TooLarge {
        /// The settings file.
        path: PathBuf,
    },
    /// The file is not TOML with one `url` key.
    #[error("{path} is not valid: {reason}")]
    Invalid {
        /// The settings file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

impl SettingsError {
    fn path(&self) -> &Path {
        match self {
            SettingsError::Read { path, .. }
            | SettingsError::TooLarge { path }
            | SettingsError::Invalid { path, .. } => path,
        }
    }
}

impl From<SettingsError> for AppError {
    fn from(e: SettingsError) -> AppError {
        AppError::invalid_input(e.to_string()).path(e.path())
    }
}

/// What `tsa.toml` holds.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TsaSettings {
    /// The TSA's URL (RFC 3161 over HTTP or HTTPS).
    url: String,
}

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
        for (path, bytes) in read_folder(dir) {
            if store.add_anchors(&bytes).is_err() && store.add_crls(&bytes).is_err() {
                tracing::warn!(file = %path.display(), "neither a CA certificate nor a CRL: ignored");
            }
        }
        store
    }

    /// The TSA URL of `tsa.toml`, read afresh; `None` when there is no folder or no such file.
    pub fn tsa_url(&self) -> Result<Option<String>, SettingsError> {
        let Some(dir) = &self.0 else { return Ok(None) };
        let path = dir.join(TSA_SETTINGS);
        let file = match std::fs::File::open(&path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(SettingsError::Read { path, source }),
        };
        let mut text = String::new();
        let read = file
            .take(MAX_TSA_SETTINGS_BYTES + 1)
            .read_to_string(&mut text);
        if let Err(source) = read {
            return Err(SettingsError::Read { path, source });
        }
        if text.len() as u64 > MAX_TSA_SETTINGS_BYTES {
            return Err(SettingsError::TooLarge { path });
        }
        let invalid = |reason: String| SettingsError::Invalid {
            path: path.clone(),
            reason,
        };
        let settings: TsaSettings = toml::from_str(&text).map_err(|e| invalid(e.to_string()))?;
        let url = settings.url.trim();
        if url.chars().count() > MAX_TSA_URL_CHARS {
            return Err(invalid(format!(
                "the url is longer than {MAX_TSA_URL_CHARS} characters"
            )));
        }
        let scheme_ok = ["http://", "https://"].iter().any(|s| {
            url.get(..s.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(s))
                && url.len() > s.len()
        });
        if !scheme_ok || url.chars().any(char::is_whitespace) {
            return Err(invalid(format!(
                "url must be an http:// or https:// address, not {url:?}"
            )));
        }
        Ok(Some(url.to_owned()))
    }

    /// What a long-term profile gets its timestamps and revocation data from: the TSA of
    /// `tsa.toml`, the CAs in `tsa/` trusted for its timestamps, and every CRL in the folder
    /// and in `tsa/` (the signing CA's and the TSA CA's). Read afresh each time.
    pub fn long_term_sources(&self) -> Result<LongTermSources, SettingsError> {
        let tsa_url = self.tsa_url()?;
        Ok(LongTermSources {
            tsa_url,
            ..self.tsa_trust_and_crls()
        })
    }

    /// [`TrustDir::long_term_sources`] without the TSA URL: the CAs of `tsa/` and every CRL.
    pub fn tsa_trust_and_crls(&self) -> LongTermSources {
        let mut sources = LongTermSources::default();
        let Some(dir) = &self.0 else { return sources };
        for (path, bytes) in read_folder(&dir.join(TSA_FOLDER)) {
            if sources.tsa_trust.add_anchors(&bytes).is_ok() {
                continue;
            }
            if TrustStore::new().add_crls(&bytes).is_ok() {
                sources.crls.push(bytes);
            } else {
                tracing::warn!(file = %path.display(), "neither a TSA CA certificate nor a CRL: ignored");
            }
        }
        for (_, bytes) in read_folder(dir) {
            if TrustStore::new().add_crls(&bytes).is_ok() {
                sources.crls.push(bytes);
            }
        }
        sources
    }
}

/// The files of `dir` (not its sub-folders, not `tsa.toml`), sorted by name, each at most
/// [`MAX_TRUST_FILE_BYTES`]; at most [`MAX_TRUST_FILES`] of them. A missing folder has none.
fn read_folder(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.file_name().is_none_or(|n| n != TSA_SETTINGS))
        .collect();
    paths.sort();
    if paths.len() > MAX_TRUST_FILES {
        tracing::warn!(folder = %dir.display(), count = paths.len(), "too many files: only the first {MAX_TRUST_FILES} are read");
        paths.truncate(MAX_TRUST_FILES);
    }
    paths
        .into_iter()
        .filter_map(|path| {
            let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
            if size > MAX_TRUST_FILE_BYTES {
                tracing::warn!(file = %path.display(), size, "larger than {MAX_TRUST_FILE_BYTES} bytes: ignored");
                return None;
            }
            let mut bytes = Vec::new();
            let file = std::fs::File::open(&path).ok()?;
            file.take(MAX_TRUST_FILE_BYTES)
                .read_to_end(&mut bytes)
                .ok()?;
            Some((path, bytes))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_folder_trusts_nothing() {
        assert!(TrustDir(None).load().anchors().is_empty());
        let missing = TrustDir(Some("/nonexistent/kazasu-trust".into()));
        assert!(missing.load().anchors().is_empty());
        assert_eq!(missing.tsa_url().unwrap(), None);
        let sources = missing.long_term_sources().unwrap();
        assert!(sources.tsa_url.is_none() && sources.crls.is_empty());
        assert!(sources.tsa_trust.anchors().is_empty());
    }

    #[test]
    fn garbage_files_are_not_trusted() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("notes.txt"), "hello").unwrap();
        std::fs::create_dir(dir.path().join(TSA_FOLDER)).unwrap();
        std::fs::write(dir.path().join("tsa/notes.txt"), "hello").unwrap();
        let trust = TrustDir(Some(dir.path().into()));
        assert!(trust.load().anchors().is_empty());
        let sources = trust.long_term_sources().unwrap();
        assert!(sources.crls.is_empty() && sources.tsa_trust.anchors().is_empty());
    }

    fn with_settings(text: &str) -> (tempfile::TempDir, TrustDir) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(TSA_SETTINGS), text).unwrap();
        let trust = TrustDir(Some(dir.path().into()));
        (dir, trust)
    }

    #[test]
    fn the_tsa_url_is_read_from_tsa_toml() {
        let (_dir, trust) =
            with_settings("# the time-stamping authority\nurl = \"https://tsa.example.jp/tsa\"\n");
        assert_eq!(
            trust.tsa_url().unwrap().as_deref(),
            Some("https://tsa.example.jp/tsa")
        );
        assert_eq!(
            trust.long_term_sources().unwrap().tsa_url.as_deref(),
            Some("https://tsa.example.jp/tsa")
        );
        let (_dir, trust) = with_settings("url = \"HTTP://127.0.0.1:8080/\"");
        assert_eq!(
            trust.tsa_url().unwrap().as_deref(),
            Some("HTTP://127.0.0.1:8080/")
        );
    }

    #[test]
    fn a_bad_tsa_toml_is_refused_with_its_reason_never_guessed_around() {
        for (text, says) in [
            ("", "missing field `url`"),
            ("url = 3", "invalid type"),
            ("url = \"tsa.example.jp\"", "http:// or https://"),
            ("url = \"ftp://tsa.example.jp\"", "http:// or https://"),
            ("url = \"https://\"", "http:// or https://"),
            ("url = \"https://a b\"", "http:// or https://"),
            ("url = \"https://x\"\nproxy = \"y\"", "unknown field"),
            ("url = https://x", "must be quoted"),
        ] {
            let (_dir, trust) = with_settings(text);
            let e = trust.tsa_url().unwrap_err();
            assert!(
                matches!(e, SettingsError::Invalid { .. }) && e.to_string().contains(says),
                "{text:?}: {e}"
            );
            let app: AppError = e.into();
            assert_eq!(app.code, "invalid_input");
            assert!(app.path.unwrap().ends_with(TSA_SETTINGS));
        }
        let long = format!("url = \"https://{}\"", "a".repeat(MAX_TSA_URL_CHARS));
        let (_dir, trust) = with_settings(&long);
        assert!(trust.tsa_url().unwrap_err().to_string().contains("longer"));
        let huge = format!("# {}\n", "x".repeat(MAX_TSA_SETTINGS_BYTES as usize));
        let (_dir, trust) = with_settings(&huge);
        assert!(matches!(
            trust.tsa_url().unwrap_err(),
            SettingsError::TooLarge { .. }
        ));
    }

    #[test]
    fn tsa_toml_is_not_read_as_a_certificate() {
        let (dir, trust) = with_settings("url = \"https://tsa.example.jp/tsa\"");
        assert_eq!(read_folder(dir.path()).len(), 0);
        assert!(trust.load().anchors().is_empty());
    }
}
