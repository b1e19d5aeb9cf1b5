//! Writing a signed copy: through a temporary file in the same folder, synced, then renamed into
//! place, so a failed write never leaves a truncated file and never touches what was there.

use std::io::Write;
use std::path::Path;

use super::DocumentError;

/// Writes `bytes` to `path` atomically. Without `replace`, an existing file is kept and the
/// answer is [`DocumentError::OutputExists`] (also when it appears while writing).
pub fn write_file(path: &Path, bytes: &[u8], replace: bool) -> Result<(), DocumentError> {
    let failed = |source| DocumentError::File {
        doing: "writing",
        path: path.to_owned(),
        source,
    };
    if !replace && path.exists() {
        return Err(DocumentError::OutputExists {
            path: path.to_owned(),
        });
    }
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut temp = tempfile::NamedTempFile::new_in(dir).map_err(failed)?;
    temp.write_all(bytes)
        .and_then(|()| temp.as_file().sync_all())
        .map_err(failed)?;
    let persisted = if replace {
        temp.persist(path)
    } else {
        temp.persist_noclobber(path)
    };
    persisted.map(drop).map_err(|e| {
        if e.error.kind() == std::io::ErrorKind::AlreadyExists {
            DocumentError::OutputExists {
                path: path.to_owned(),
            }
        } else {
            failed(e.error)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_existing_file_is_kept_unless_replacing_is_asked() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("signed.pdf");
        std::fs::write(&path, b"earlier").expect("write");
        let refused = write_file(&path, b"new", false);
        assert!(matches!(refused, Err(DocumentError::OutputExists { .. })));
        assert_eq!(std::fs::read(&path).expect("read"), b"earlier");
        write_file(&path, b"new", true).expect("replace");
        assert_eq!(std::fs::read(&path).expect("read"), b"new");
    }

    #[test]
    fn a_missing_folder_is_a_file_error_naming_the_path() {
        let err = write_file(Path::new("/nonexistent-kazasu/x.p7s"), b"x", true).unwrap_err();
        assert!(
            err.to_string().contains("/nonexistent-kazasu/x.p7s"),
            "{err}"
        );
    }
}
