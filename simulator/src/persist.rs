//! Versioned JSON files written atomically: temp file, fsync, rename, fsync of the directory.
//!
//! A crash at any instant leaves either the old file or the new one, never a mix.

use std::fs::{self, File};
use std::io::Write;
use std::path::Path;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::SimError;

/// Reads a JSON state file whose `version` must equal `expected`.
pub(crate) fn load<T: DeserializeOwned>(path: &Path, expected: u32) -> Result<T, SimError> {
    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(SimError::NoCard(path.to_owned()));
        }
        Err(e) => return Err(SimError::io("reading", path, e)),
    };
    let bad = |reason: String| SimError::BadStateFile {
        path: path.to_owned(),
        reason,
    };
    let value: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|e| bad(format!("not JSON: {e}")))?;
    match value.get("version").and_then(|v| v.as_u64()) {
        Some(v) if v == u64::from(expected) => {}
        Some(v) => {
            return Err(bad(format!(
                "version {v}; this simulator reads version {expected}"
            )));
        }
        None => return Err(bad("no version field".to_owned())),
    }
    serde_json::from_value(value).map_err(|e| bad(e.to_string()))
}

/// Writes `value` as pretty JSON to `path` atomically and durably.
pub(crate) fn save<T: Serialize>(path: &Path, value: &T) -> Result<(), SimError> {
    let json = serde_json::to_vec_pretty(value)
        .map_err(|e| SimError::issue(format!("serialising state: {e}")))?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    fs::create_dir_all(dir).map_err(|e| SimError::io("creating", dir, e))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".kazasu-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| SimError::io("creating a temporary file in", dir, e))?;
    tmp.write_all(&json)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| SimError::io("writing", tmp.path(), e))?;
    tmp.persist(path)
        .map_err(|e| SimError::io("replacing", path, e.error))?;
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| SimError::io("syncing", dir, e))?;
    Ok(())
}
